"""The Blender peer's behaviour against the fake server: registration, job
handling on the calling ("main") thread, reconnects."""

import logging
import math
import sys
import threading
import types
import unittest

from support import FakeBus, bus_record, load_package

load_package()
from blender_bus_client.auth import NoToken, PasswordLogin  # noqa: E402
from blender_bus_client.bus_peer import CANCEL_REFUSED, BusPeer, PeerConfig, progress_reporter  # noqa: E402
from blender_bus_client.job_dispatch import Job  # noqa: E402
from blender_bus_client.server_address import ServerAddress  # noqa: E402

logging.getLogger("blender_bus").setLevel(logging.CRITICAL)


def dispatch(job_id, script, message_id=None):
    return bus_record({"message_type": "job_dispatch", "job_id": job_id, "script": script},
                      message_id=message_id)


def cancel(job_id, message_id=None):
    return bus_record({"message_type": "job_cancel", "job_id": job_id}, message_id=message_id)


class BusPeerTest(unittest.TestCase):
    def setUp(self):
        self.bus = FakeBus().__enter__()
        self.addCleanup(self.bus.__exit__, None, None, None)
        self.peer = BusPeer(PeerConfig(server_url=self.bus.url, client_uuid="blender-test-1",
                                       group_id="render-cluster", capabilities=["python_execution"],
                                       initial_backoff=0.05, max_backoff=0.2), NoToken())
        self.peer.start()
        self.addCleanup(self.peer.stop, 2.0)
        self.assertTrue(self.peer.registered.wait(5))

    def run_job(self, timeout=5.0):
        self.assertTrue(self.peer.run_next_job(timeout), "a job should have been queued")

    def updates(self, job_id):
        return [(u["status"], u["result"], u["error"])
                for u in self.bus.tools_named("blender_job_update") if u["job_id"] == job_id]

    def wait_updates(self, job_id, count):
        self.bus.wait_until(lambda: len(self.updates(job_id)) >= count)
        return self.updates(job_id)

    def test_registers_as_a_persistent_blender_client(self):
        registration = self.bus.tools_named("blender_register_client")
        self.assertEqual(registration, [{"client_uuid": "blender-test-1", "client_type": "blender",
                                         "is_persistent": True, "capabilities": ["python_execution"],
                                         "group_id": "render-cluster"}])
        self.assertEqual(self.bus.registered_at_stream_open, [0], "the stream opens before registering")

    def test_job_runs_on_the_calling_thread_and_reports_running_then_completed(self):
        self.bus.push(dispatch("job-1", "import threading\nprint('main' if threading.current_thread() "
                                        "is threading.main_thread() else 'other')"))
        self.run_job()
        self.assertEqual(self.wait_updates("job-1", 2), [("running", "", ""), ("completed", "main\n", "")])

    def test_failing_job_reports_the_traceback(self):
        self.bus.push(dispatch("job-2", "print('partial')\nraise RuntimeError('boom')"))
        self.run_job()
        updates = self.wait_updates("job-2", 2)
        self.assertEqual(updates[0], ("running", "", ""))
        status, result, error = updates[1]
        self.assertEqual((status, result), ("failed", "partial\n"))
        self.assertIn("Traceback (most recent call last)", error)
        self.assertIn("RuntimeError: boom", error)

    def test_other_records_are_ignored(self):
        self.bus.push(bus_record({"kind": "job_update", "job_id": "x", "status": "completed",
                                  "result": "", "error": ""}))
        self.bus.push(dispatch("job-3", "print(3)"))
        self.run_job()
        self.assertFalse(self.peer.run_next_job(0.2))
        self.assertEqual(self.wait_updates("job-3", 2)[1][0], "completed")

    def test_dropped_stream_reconnects_with_last_event_id_and_skips_replays(self):
        self.bus.push(dispatch("job-4", "print(4)", message_id="m-4"))
        self.run_job()
        self.bus.drop_streams()
        self.bus.wait_until(lambda: len(self.bus.stream_opens) >= 2)
        self.assertEqual(self.bus.stream_opens[-1], (self.bus.stream_opens[0][0], "1"))
        # A server that replays the same record anyway must not run it twice.
        self.bus.push(dispatch("job-4", "print(4)", message_id="m-4"))
        self.bus.push(dispatch("job-5", "print(5)", message_id="m-5"))
        self.run_job()
        self.assertFalse(self.peer.run_next_job(0.2))
        self.assertEqual([s for s, _, _ in self.wait_updates("job-4", 2)], ["running", "completed"])
        self.assertEqual(len(self.bus.tools_named("blender_register_client")), 1)

    def test_lost_session_means_new_session_new_registration_fresh_stream(self):
        first_session = self.bus.stream_opens[0][0]
        self.bus.push(dispatch("job-6", "print(6)"))
        self.run_job()
        self.wait_updates("job-6", 2)
        self.bus.forget_sessions()  # a server restart
        self.bus.wait_until(lambda: len(self.bus.tools_named("blender_register_client")) >= 2)
        second_session, last_event_id = self.bus.stream_opens[-1]
        self.assertNotEqual(second_session, first_session)
        self.assertIsNone(last_event_id, "event ids of the old session mean nothing to the new one")
        self.assertEqual(len(self.bus.tools_named("blender_register_client")), 2)
        self.assertEqual(self.bus.registered_at_stream_open[-1], 0)
        self.bus.push(dispatch("job-7", "print(7)"), session_id=second_session)
        self.run_job()
        self.assertEqual(self.wait_updates("job-7", 2)[1], ("completed", "7\n", ""))

    def test_a_stream_that_cannot_resume_is_reopened_from_now(self):
        self.bus.push(dispatch("job-r", "pass"))
        self.run_job()
        self.bus.refuse_resume = True
        self.bus.drop_streams()
        self.bus.wait_until(lambda: len(self.bus.stream_opens) >= 3)
        self.assertEqual([opened[1] for opened in self.bus.stream_opens], [None, "1", None])
        self.bus.push(dispatch("job-s", "print('s')"))
        self.run_job()
        self.assertEqual(self.wait_updates("job-s", 2)[1], ("completed", "s\n", ""))

    def test_reply_after_session_loss_re_registers_and_gets_through(self):
        self.bus.push(dispatch("job-8", "print(8)"))
        self.peer.jobs.get(timeout=5)  # take the job without running it yet
        self.bus.forget_sessions()
        self.peer.execute(Job("job-8", "print(8)"))
        self.assertEqual([s for s, _, _ in self.wait_updates("job-8", 2)], ["running", "completed"])

    def full_updates(self, job_id):
        return [u for u in self.bus.tools_named("blender_job_update") if u["job_id"] == job_id]

    def test_a_job_cancelled_before_it_started_is_answered_cancelled_and_never_runs(self):
        self.bus.push(dispatch("job-c", "print('ran')"))
        self.bus.wait_until(lambda: self.peer.jobs.qsize() == 1)
        self.bus.push(cancel("job-c", message_id="m-c"))
        self.bus.wait_until(lambda: self.updates("job-c"))
        self.assertEqual(self.updates("job-c"), [("cancelled", "", "cancelled before it started")])
        self.assertTrue(self.peer.run_next_job(1.0))  # taken from the queue, and skipped
        self.assertFalse(self.peer.run_next_job(0.2))
        self.bus.push(cancel("job-c", message_id="m-c"))  # a replayed cancel changes nothing
        self.bus.push(dispatch("job-d", "pass"))
        self.run_job()
        self.wait_updates("job-d", 2)
        self.assertEqual(self.updates("job-c"), [("cancelled", "", "cancelled before it started")])

    def test_a_running_job_is_not_stopped_and_says_so(self):
        gate = types.SimpleNamespace(release=threading.Event())
        sys.modules["blender_bus_test_gate"] = gate
        self.addCleanup(sys.modules.pop, "blender_bus_test_gate", None)
        self.bus.push(dispatch("job-r2", "import blender_bus_test_gate as g\ng.release.wait(10)\nprint('finished')"))
        runner = threading.Thread(target=self.run_job)
        runner.start()
        self.addCleanup(gate.release.set)
        self.wait_updates("job-r2", 1)  # running
        self.bus.push(cancel("job-r2"))
        self.bus.wait_until(lambda: len(self.full_updates("job-r2")) >= 2)
        refused = self.full_updates("job-r2")[1]
        self.assertEqual((refused["status"], refused["progress_message"]), ("running", CANCEL_REFUSED))
        self.assertNotIn("progress", refused)
        gate.release.set()
        runner.join(10)
        self.assertEqual(self.wait_updates("job-r2", 3)[2], ("completed", "finished\n", ""))

    def test_a_cancel_for_a_job_this_peer_does_not_hold_is_ignored(self):
        self.bus.push(cancel("job-elsewhere"))
        self.bus.push(dispatch("job-e", "pass"))
        self.run_job()
        self.wait_updates("job-e", 2)
        self.assertEqual(self.updates("job-elsewhere"), [])

    def test_a_script_reports_progress_with_report_progress(self):
        self.bus.push(dispatch("job-p", "report_progress(0.25, 'frame 1 of 4')\n"
                                        "report_progress(1.0)\nprint('done')"))
        self.run_job()
        self.bus.wait_until(lambda: len(self.full_updates("job-p")) >= 4)
        updates = self.full_updates("job-p")
        self.assertEqual([(u["status"], u.get("progress"), u.get("progress_message")) for u in updates],
                         [("running", None, None), ("running", 0.25, "frame 1 of 4"),
                          ("running", 1.0, None), ("completed", None, None)])

    def test_a_bad_progress_fails_the_script_with_the_reason(self):
        self.bus.push(dispatch("job-bad", "report_progress(1.5)"))
        self.run_job()
        status, _, error = self.wait_updates("job-bad", 2)[1]
        self.assertEqual(status, "failed")
        self.assertIn("ValueError: progress must be a number from 0 to 1, not 1.5", error)

    def test_stop_cancels_queued_jobs_and_ends_the_session(self):
        self.bus.push(dispatch("job-9", "print(9)"))
        self.bus.wait_until(lambda: self.peer.jobs.qsize() == 1)
        self.peer.stop(2.0)
        self.assertEqual(self.updates("job-9"), [("cancelled", "", "the Blender peer is shutting down")])
        self.assertEqual(len(self.bus.ended_sessions), 1)


class ProgressReporterTest(unittest.TestCase):
    def setUp(self):
        self.sent = []
        self.now = 100.0
        self.report = progress_reporter("job-1", self.sent.append, clock=lambda: self.now)

    def test_reports_are_running_updates_and_close_ones_are_skipped(self):
        self.assertTrue(self.report(0.1, "start"))
        self.now += 0.05
        self.assertFalse(self.report(0.2))  # within the interval
        self.assertTrue(self.report(1))  # the end always goes
        self.now += 0.3
        self.assertTrue(self.report(0.5))
        self.assertEqual([(r.job_id, r.status, r.progress, r.progress_message) for r in self.sent],
                         [("job-1", "running", 0.1, "start"), ("job-1", "running", 1.0, None),
                          ("job-1", "running", 0.5, None)])

    def test_only_numbers_from_zero_to_one(self):
        for bad in (-0.1, 1.01, math.nan, math.inf):
            with self.assertRaises(ValueError):
                self.report(bad)
        for bad in ("half", None, True):
            with self.assertRaises(TypeError):
                self.report(bad)
        self.assertEqual(self.sent, [])
        self.assertTrue(self.report(0))


class BusPeerRecoveryTest(unittest.TestCase):
    def start_peer(self, bus, **config):
        peer = BusPeer(PeerConfig(server_url=bus.url, client_uuid="blender-test-2",
                                  initial_backoff=0.05, max_backoff=0.2, **config), NoToken())
        peer.start()
        self.addCleanup(peer.stop, 2.0)
        return peer

    def test_a_label_is_registered_when_configured(self):
        with FakeBus() as bus:
            peer = self.start_peer(bus, label="Studio PC")
            self.assertTrue(peer.registered.wait(5))
            self.assertEqual(bus.tools_named("blender_register_client")[0]["label"], "Studio PC")

    def test_refused_registration_is_retried_on_the_same_session(self):
        with FakeBus() as bus:
            bus.refuse_registrations = 1
            peer = self.start_peer(bus)
            self.assertTrue(peer.registered.wait(5))
            self.assertEqual(len(bus.tools_named("blender_register_client")), 2)
            self.assertEqual(len([c for c in bus.calls if c[1] == "initialize"]), 1)
            self.assertEqual(bus.stream_opens[0][0], list(bus.sessions)[0])

    def test_a_silent_stream_is_reopened_with_last_event_id(self):
        with FakeBus() as bus:
            self.start_peer(bus, stream_idle_timeout=0.3)
            bus.wait_until(lambda: bus.stream_opens)
            bus.push(dispatch("job-q", "pass"))
            bus.wait_until(lambda: len(bus.stream_opens) >= 2)
            self.assertEqual(bus.stream_opens[1][1], "1")


def displaced(client_uuid):
    """The record the server sends a session whose uuid another session took (SPEC notes)."""
    return bus_record({"kind": "client_displaced", "client_uuid": client_uuid,
                       "reason": "registered from another session"}, level="warning")


class DisplacementTest(unittest.TestCase):
    """Another session registered this peer's uuid: the peer moves to the
    uuid its identity gives it, on the same session, and keeps taking jobs."""

    def start_peer(self, bus, on_displaced):
        changes = []
        peer = BusPeer(PeerConfig(server_url=bus.url, client_uuid="blender-slot-0",
                                  initial_backoff=0.05, max_backoff=0.2), NoToken(),
                       on_displaced=on_displaced, on_change=lambda: changes.append(peer.status))
        peer.start()
        self.addCleanup(peer.stop, 2.0)
        self.assertTrue(peer.registered.wait(5))
        return peer, changes

    def test_a_displaced_peer_registers_again_under_a_fresh_uuid(self):
        with FakeBus() as bus:
            asked = []
            peer, _ = self.start_peer(bus, lambda old: asked.append(old) or "blender-slot-1")
            session = bus.stream_opens[0][0]
            bus.push(displaced("blender-slot-0"))
            bus.wait_until(lambda: len(bus.tools_named("blender_register_client")) == 2)
            self.assertEqual(asked, ["blender-slot-0"])
            self.assertEqual([r["client_uuid"] for r in bus.tools_named("blender_register_client")],
                             ["blender-slot-0", "blender-slot-1"])
            self.assertEqual(peer.config.client_uuid, "blender-slot-1")
            self.assertEqual([c[0] for c in bus.tool_calls], [session, session], "the same session")
            # A late notice for the uuid it already left changes nothing; jobs still run.
            bus.push(displaced("blender-slot-0"))
            bus.push(dispatch("job-d", "print('still here')"))
            self.assertTrue(peer.run_next_job(5))
            self.assertEqual(len(bus.tools_named("blender_register_client")), 2)
            self.assertEqual(asked, ["blender-slot-0"])

    def test_with_nowhere_to_go_it_says_so(self):
        with FakeBus() as bus:
            peer, _ = self.start_peer(bus, lambda old: None)
            bus.push(displaced("blender-slot-0"))
            bus.wait_until(lambda: peer.status == "displaced")
            self.assertIn("blender-slot-0 was taken over by another session", peer.last_error)
            self.assertEqual(len(bus.tools_named("blender_register_client")), 1)


class StatusDisplayTest(unittest.TestCase):
    def test_state_changes_are_announced_and_recent_jobs_kept(self):
        with FakeBus() as bus:
            changes = []
            peer = BusPeer(PeerConfig(server_url=bus.url, client_uuid="blender-ui",
                                      initial_backoff=0.05, max_backoff=0.2), NoToken(),
                           on_change=lambda: changes.append(peer.status))
            peer.start()
            self.addCleanup(peer.stop, 2.0)
            bus.wait_until(lambda: peer.status == "connected")
            self.assertEqual(changes[:2], ["connecting", "connected"])
            for n in range(7):
                bus.push(dispatch(f"job-{n}", "print(1)" if n != 6 else "raise ValueError"))
                self.assertTrue(peer.run_next_job(5))
            self.assertEqual([(j.job_id, j.status) for j in peer.recent_jobs],
                             [("job-6", "failed")] + [(f"job-{n}", "completed") for n in (5, 4, 3, 2)])
            seen = len(changes)
            bus.drop_streams()
            bus.wait_until(lambda: len(changes) > seen)


class PasswordLoginTest(unittest.TestCase):
    def test_login_then_refresh_on_401(self):
        with FakeBus(token="t0") as bus:
            source = PasswordLogin(ServerAddress(bus.url), "demo", "secret")
            self.assertEqual(source.token(), "t0")
            self.assertTrue(source.renew())
            self.assertEqual(source.token(), "token-1")


if __name__ == "__main__":
    unittest.main()
