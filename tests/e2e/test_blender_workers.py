"""Issue 6, end to end: real server, real headless Blender workers.

Two workers join group `render-cluster`; an LLM-side client dispatches jobs
to the group and to one worker, and reads the job updates that come back
(SPEC §5, §7, §8, §11).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import unittest

from harness import (CLIENT_DIR, LlmPeer, ServerProcess, WorkerProcess, blender_bin, server_bin,
                     blender_environment, make_test_certificate, make_workdir, wait_until)

# harness has loaded clients/blender as blender_bus_client.
from blender_bus_client.auth import StaticToken  # noqa: E402
from blender_bus_client.bus_peer import CANCEL_REFUSED  # noqa: E402
from blender_bus_client.server_address import ServerAddress  # noqa: E402

GROUP = "render-cluster"
ADDON_DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addon_driver.py")

# Adds a mesh object through bpy.data (no operator context needed) and
# prints the count before and after, so the check does not depend on how
# many jobs this worker ran before.
ADD_MESH_SCRIPT = """\
import bpy
before = len(bpy.data.objects)
mesh = bpy.data.meshes.new("e2e-mesh")
bpy.context.scene.collection.objects.link(bpy.data.objects.new("e2e-object", mesh))
print(f"objects: {before} -> {len(bpy.data.objects)}")
"""

RAISING_SCRIPT = """\
import bpy
print("about to fail")
raise RuntimeError("boom from the e2e test")
"""

CLIENT_INFO_KEYS = ["uuid", "client_type", "is_persistent", "capabilities", "group_id",
                    "connected_at", "last_seen"]


class E2ECase(unittest.TestCase):
    """Shared pieces. Every process is stopped by a class cleanup, which
    (unlike tearDownClass) also runs when setUpClass fails halfway."""

    workers = []

    @classmethod
    def make_workdir(cls):
        cls.workdir = make_workdir()
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)

    @classmethod
    def start_server(cls, **options):
        cls.server = ServerProcess(cls.workdir, **options).start()
        server = cls.server
        cls.addClassCleanup(server.stop)
        return server

    @classmethod
    def start_worker(cls, name, extra_args=(), **options):
        worker = WorkerProcess(cls.workdir, name, cls.server.base_url, extra_args=extra_args, **options).start()
        cls.addClassCleanup(lambda: worker.proc.poll() is None and worker.terminate())
        return worker

    @classmethod
    def connect_llm(cls, auth=None):
        cls.llm = LlmPeer(cls.server.base_url, auth=auth).connect()
        llm = cls.llm
        cls.addClassCleanup(llm.close)
        return llm

    @classmethod
    def wait_registered(cls, worker, timeout=60.0, seen_after=None):
        """Waits until the worker is listed (and not offline); with
        `seen_after`, until its `last_seen` is newer than that, i.e. it has
        registered again (a persistent client stays listed meanwhile)."""
        def registered():
            if worker.proc.poll() is not None:
                raise AssertionError(f"{worker.name} exited ({worker.proc.returncode}):\n{worker.log()}")
            entry = cls.llm.client_entry(worker.uuid)
            if not entry or entry.get("online") is False:
                return None
            if seen_after is not None and entry["last_seen"] <= seen_after:
                return None
            return entry
        try:
            return wait_until(registered, timeout, f"{worker.name} to register")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- {worker.name} log:\n{worker.log()}") from None

    def assert_job_update_record(self, data, job_id, status, workers):
        """`workers`: the uuids one of which must have sent it (the payload
        names the updating client, beyond SPEC §8)."""
        self.assertEqual(data["job_id"], job_id)
        self.assertEqual(data["priority"], 5, "job updates go out at notice (SPEC §6)")
        self.assertEqual(data["payload"]["kind"], "job_update")
        self.assertEqual(data["payload"]["job_id"], job_id)
        self.assertEqual(data["payload"]["status"], status)
        self.assertEqual(set(data["payload"]), {"kind", "job_id", "status", "result", "error", "client_uuid"})
        self.assertIn(data["payload"]["client_uuid"], workers)


class BusWithWorkers(E2ECase):
    """A server (--auth none) with two workers in the group and an LLM client."""

    worker_names = ("worker-a", "worker-b")

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        cls.start_server()
        cls.workers = [cls.start_worker(name) for name in cls.worker_names]
        cls.connect_llm()
        for worker in cls.workers:
            cls.wait_registered(worker)


class GroupDispatchTest(BusWithWorkers):
    def test_workers_are_registered_persistent_blender_clients(self):
        listing = self.llm.clients()
        self.assertEqual(listing["status"], "ok")
        persistent = {entry["uuid"]: entry for entry in listing["persistent"]}
        for worker in self.workers:
            entry = persistent[worker.uuid]
            self.assertEqual(list(entry)[:len(CLIENT_INFO_KEYS)], CLIENT_INFO_KEYS)
            self.assertEqual(entry["client_type"], "blender")
            self.assertIs(entry["is_persistent"], True)
            self.assertEqual(entry["capabilities"], ["python_execution"])
            self.assertEqual(entry["group_id"], GROUP)
        self.assertIn(self.llm.uuid, [entry["uuid"] for entry in listing["ephemeral"]])

    def test_group_job_runs_on_both_workers_and_both_results_come_back(self):
        sent = self.llm.dispatch(ADD_MESH_SCRIPT, group_id=GROUP)
        self.assertEqual(sent["status"], "ok")
        self.assertEqual(sorted(sent["targets"]), sorted(w.uuid for w in self.workers))
        self.assertEqual(sent["routing"], {"type": "group", "group_id": GROUP})
        job_id = sent["job_id"]

        finals = self.llm.wait_final_statuses(job_id, 2)
        self.assertEqual(len(finals), 2)
        self.assertEqual(sorted(f["payload"]["client_uuid"] for f in finals), sorted(w.uuid for w in self.workers))
        for data in finals:
            self.assert_job_update_record(data, job_id, "completed", [w.uuid for w in self.workers])
            self.assertEqual(data["payload"]["error"], "")
            counts = re.fullmatch(r"objects: (\d+) -> (\d+)\n", data["payload"]["result"])
            self.assertIsNotNone(counts, data["payload"]["result"])
            self.assertEqual(int(counts.group(2)), int(counts.group(1)) + 1)

        updates = self.llm.job_updates(job_id)
        statuses = [u["payload"]["status"] for u in updates]
        self.assertEqual(statuses.count("running"), 2, statuses)
        self.assertEqual(statuses.count("completed"), 2, statuses)

    def test_raising_job_fails_with_the_traceback_on_both_workers(self):
        sent = self.llm.dispatch(RAISING_SCRIPT, group_id=GROUP)
        job_id = sent["job_id"]
        finals = self.llm.wait_final_statuses(job_id, 2)
        for data in finals:
            self.assert_job_update_record(data, job_id, "failed", [w.uuid for w in self.workers])
            error = data["payload"]["error"]
            self.assertTrue(error.startswith("Traceback (most recent call last):"), error)
            self.assertIn(f'File "<job {job_id}>", line 3, in <module>', error)
            self.assertIn('raise RuntimeError("boom from the e2e test")', error)
            self.assertTrue(error.rstrip().endswith("RuntimeError: boom from the e2e test"), error)
            self.assertEqual(data["payload"]["result"], "about to fail\n")

    def test_direct_job_runs_on_one_worker_only(self):
        target = self.workers[1]
        sent = self.llm.dispatch("print('direct hello')", target_uuid=target.uuid)
        self.assertEqual(sent["targets"], [target.uuid])
        job_id = sent["job_id"]
        finals = self.llm.wait_final_statuses(job_id, 1)
        self.assert_job_update_record(finals[0], job_id, "completed", [target.uuid])
        self.assertEqual(finals[0]["payload"]["result"], "direct hello\n")
        # Its running update came before it, and nothing else ran it.
        statuses = [u["payload"]["status"] for u in self.llm.job_updates(job_id)]
        self.assertEqual(statuses, ["running", "completed"])

    def test_workers_register_with_the_host_name_as_label(self):
        for worker in self.workers:
            self.assertEqual(self.llm.client_entry(worker.uuid)["label"], socket.gethostname())

    def test_a_script_reports_progress_through_report_progress(self):
        script = ("import bpy\n"
                  "report_progress(0.5, 'halfway: ' + str(len(bpy.data.scenes)) + ' scene(s)')\n"
                  "print('done')")
        sent = self.llm.dispatch(script, target_uuid=self.workers[0].uuid)
        job_id = sent["job_id"]
        self.llm.wait_final_statuses(job_id, 1)
        payloads = [u["payload"] for u in self.llm.job_updates(job_id)]
        self.assertEqual([p["status"] for p in payloads], ["running", "running", "completed"])
        self.assertEqual((payloads[1]["progress"], payloads[1]["progress_message"]), (0.5, "halfway: 1 scene(s)"))
        self.assertEqual(payloads[2]["result"], "done\n")

    def test_job_cancel_stops_a_queued_job_and_not_a_running_one(self):
        worker = self.workers[0]
        gate = os.path.join(self.workdir, "release-the-running-job")
        # Holds the worker (one job at a time) until the test creates the file.
        blocking = ("import os, time\n"
                    "deadline = time.monotonic() + 60\n"
                    f"while not os.path.exists({gate!r}) and time.monotonic() < deadline:\n"
                    "    time.sleep(0.05)\n"
                    "print('released')")
        running = self.llm.dispatch(blocking, target_uuid=worker.uuid)["job_id"]
        queued = self.llm.dispatch("print('must not run')", target_uuid=worker.uuid)["job_id"]
        self.llm.wait_job_updates(running, lambda us: us, 60.0, "the blocking job to start")

        def cancel(job_id):
            answer = self.llm.call("blender_send_message", {
                "target_uuid": worker.uuid, "payload": {"message_type": "job_cancel", "job_id": job_id}})
            self.assertEqual(answer["targets"], [worker.uuid])

        cancel(queued)
        finals = self.llm.wait_final_statuses(queued, 1)
        self.assertEqual((finals[0]["payload"]["status"], finals[0]["payload"]["error"]),
                         ("cancelled", "cancelled before it started"))
        cancel(running)
        refusal = self.llm.wait_job_updates(running, lambda us: len(us) >= 2, 30.0, "the refusal")[1]
        self.assertEqual(refusal["payload"]["status"], "running")
        self.assertEqual(refusal["payload"]["progress_message"], CANCEL_REFUSED)
        with open(gate, "w"):
            pass
        finals = self.llm.wait_final_statuses(running, 1)
        self.assertEqual(finals[0]["payload"]["result"], "released\n")
        self.assertEqual([u["payload"]["status"] for u in self.llm.job_updates(queued)], ["cancelled"])

    def test_jobs_run_on_blenders_main_thread_with_bpy(self):
        script = ("import threading, bpy\n"
                  "print(threading.current_thread() is threading.main_thread(), bpy.app.background)")
        sent = self.llm.dispatch(script, target_uuid=self.workers[0].uuid)
        finals = self.llm.wait_final_statuses(sent["job_id"], 1)
        self.assertEqual(finals[0]["payload"]["result"], "True True\n")


class WorkerLifecycleTest(BusWithWorkers):
    """Kills and restarts workers; its own server so other tests keep theirs."""

    def worker_named(self, name):
        return next(w for w in self.workers if w.name == name)

    def restart(self, worker):
        replacement = self.start_worker(worker.name)
        self.workers[self.workers.index(worker)] = replacement
        return replacement

    def test_a_restarted_worker_keeps_its_uuid(self):
        worker = self.worker_named("worker-a")
        before = self.llm.client_entry(worker.uuid)
        self.assertEqual(worker.terminate(), 0, worker.log())
        restarted = self.restart(worker)
        self.assertEqual(restarted.uuid, worker.uuid)
        after = self.wait_registered(restarted, seen_after=before["last_seen"])
        self.assertEqual(after["connected_at"], before["connected_at"], "first registration time is kept")
        listing = self.llm.clients()
        uuids = [entry["uuid"] for entry in listing["persistent"]]
        self.assertEqual(uuids.count(worker.uuid), 1, "re-registration must not duplicate")
        sent = self.llm.dispatch("print('back')", target_uuid=restarted.uuid)
        finals = self.llm.wait_final_statuses(sent["job_id"], 1)
        self.assertEqual(finals[0]["payload"]["status"], "completed")

    def test_a_worker_killed_mid_job_shows_offline(self):
        victim = self.worker_named("worker-b")
        sent = self.llm.dispatch("import time\nprint('sleeping', flush=True)\ntime.sleep(120)",
                                 target_uuid=victim.uuid)
        job_id = sent["job_id"]
        self.llm.wait_job_updates(job_id, lambda us: any(u["payload"]["status"] == "running" for u in us),
                                  30, "the job to start")
        victim.kill()

        entry = self.llm.client_entry(victim.uuid)
        self.assertIsNotNone(entry, "a killed persistent client stays listed")
        wait_until(lambda: self.llm.client_entry(victim.uuid).get("online") is False, 60,
                   "the killed worker to show online: false")
        # The surviving worker is still online.
        self.assertIs(self.llm.client_entry(self.worker_named("worker-a").uuid).get("online"), True)

        # And it comes back online as the same client.
        restarted = self.restart(victim)
        wait_until(lambda: self.llm.client_entry(restarted.uuid).get("online") is True, 60,
                   "the restarted worker to show online: true")

    def test_b_a_job_sent_while_a_worker_is_down_runs_when_it_returns(self):
        worker = self.worker_named("worker-a")
        self.assertEqual(worker.terminate(), 0, worker.log())
        wait_until(lambda: self.llm.client_entry(worker.uuid).get("online") is False, 60,
                   "the stopped worker to show online: false")
        sent = self.llm.dispatch("print('kept for me')", target_uuid=worker.uuid)
        self.assertEqual(sent["targets"], [worker.uuid])
        self.restart(worker)
        finals = self.llm.wait_final_statuses(sent["job_id"], 1)
        self.assertEqual((finals[0]["payload"]["status"], finals[0]["payload"]["result"]),
                         ("completed", "kept for me\n"))


class ServerRestartTest(BusWithWorkers):
    """The server goes away and comes back on the same port and data
    directory: the workers' sessions are gone (404) or refused meanwhile;
    they back off, start new sessions, register again and take jobs."""

    def test_workers_come_back_after_a_server_restart(self):
        port = self.server.port
        self.llm.close()
        self.assertEqual(self.server.stop(), 0)
        registrations = {w.uuid: w.log().count(f"registered {w.uuid}") for w in self.workers}
        self.start_server(port=port)
        self.connect_llm()
        for worker in self.workers:
            wait_until(lambda: worker.log().count(f"registered {worker.uuid}") > registrations[worker.uuid],
                       60, f"{worker.name} to register again")
        sent = self.llm.dispatch(ADD_MESH_SCRIPT, group_id=GROUP)
        self.assertEqual(sorted(sent["targets"]), sorted(w.uuid for w in self.workers))
        finals = self.llm.wait_final_statuses(sent["job_id"], 2)
        self.assertEqual([f["payload"]["status"] for f in finals], ["completed", "completed"])


class AuthenticatedWorkersTest(E2ECase):
    """With real accounts: one worker uses a token file (as `blender-bus
    login` stores it), one a file holding a personal access token
    (`blender-bus token create`), the other logs in with username and
    password."""

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        # DEMO_PASSWORD creates the user `demo` at start (SPEC §2).
        password = "e2e-Passw0rd-long-enough"
        cls.start_server(args=(), env={"DEMO_PASSWORD": password})
        status, tokens = ServerAddress(cls.server.base_url).post_json(
            "/auth/login", {"username": "demo", "password": password})
        if status != 200:
            raise AssertionError(f"login failed: {status} {tokens}")
        # A token file as a login command would keep it: JSON, owner-only.
        token_file = os.path.join(cls.workdir, "token.json")
        with open(token_file, "w") as f:
            json.dump({"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]}, f)
        os.chmod(token_file, 0o600)
        password_file = os.path.join(cls.workdir, "password")
        with open(password_file, "w") as f:
            f.write(password + "\n")
        created = subprocess.run(
            [server_bin(), "token", "create", "e2e-worker", "--user", "demo",
             "--data-dir", cls.server.data_dir],
            capture_output=True, text=True, timeout=60, check=True)
        pat_file = os.path.join(cls.workdir, "pat")
        with open(pat_file, "w") as f:
            f.write(created.stdout.strip().splitlines()[-1] + "\n")
        os.chmod(pat_file, 0o600)
        cls.workers = [
            cls.start_worker("token-worker", ["--token-file", token_file]),
            cls.start_worker("pat-worker", ["--token-file", pat_file]),
            cls.start_worker("login-worker", ["--username", "demo", "--password-file", password_file]),
        ]
        cls.connect_llm(auth=StaticToken(tokens["access_token"]))

    def test_both_workers_register_under_the_user_and_run_jobs(self):
        for worker in self.workers:
            self.wait_registered(worker)
        self.assertEqual(self.llm.clients()["user_id"], "demo")
        sent = self.llm.dispatch("print('authenticated')", group_id=GROUP)
        self.assertEqual(sorted(sent["targets"]), sorted(w.uuid for w in self.workers))
        finals = self.llm.wait_final_statuses(sent["job_id"], len(self.workers))
        self.assertEqual([f["payload"]["result"] for f in finals],
                         ["authenticated\n"] * len(self.workers))

    def test_a_worker_with_a_bad_token_does_not_register(self):
        bad_token = os.path.join(self.workdir, "bad-token")
        with open(bad_token, "w") as f:
            f.write("not-a-jwt\n")
        worker = self.start_worker("bad-worker", ["--token-file", bad_token])
        wait_until(lambda: "not authorized" in worker.log(), 60, "the worker to report the 401")
        self.assertIsNone(self.llm.client_entry(worker.uuid))
        self.assertEqual(worker.terminate(), 0, worker.log())


class TlsWorkerTest(E2ECase):
    """A server serving HTTPS itself (--tls-cert/--tls-key), a certificate
    from a private CA: a worker given that CA (--ca-file) runs jobs; one
    without it refuses the server's certificate."""

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        cls.ca, cert, key = make_test_certificate(cls.workdir)
        cls.start_server(args=("--auth", "none", "--tls-cert", cert, "--tls-key", key))
        if not cls.server.base_url.startswith("https://"):
            raise AssertionError(f"not an https server: {cls.server.base_url}")
        cls.llm = LlmPeer(cls.server.base_url, ca_file=cls.ca).connect()
        cls.addClassCleanup(cls.llm.close)

    def test_a_worker_trusting_the_ca_runs_a_job_over_https(self):
        worker = self.start_worker("tls-worker", ["--ca-file", self.ca])
        self.wait_registered(worker)
        sent = self.llm.dispatch("print('over tls')", target_uuid=worker.uuid)
        finals = self.llm.wait_final_statuses(sent["job_id"], 1)
        self.assertEqual(finals[0]["payload"]["result"], "over tls\n")

    def test_a_worker_without_the_ca_does_not_connect(self):
        worker = self.start_worker("untrusting-worker")
        wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in worker.log(), 60,
                   "the worker to report the unverified certificate")
        self.assertIsNone(self.llm.client_entry(worker.uuid))
        self.assertEqual(worker.terminate(), 0, worker.log())


class DesktopAddonTest(E2ECase):
    """The add-on (preferences, Connect, the job timer, the uuid in Blender's
    config directory) inside background Blender, driven by addon_driver.py."""

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        cls.start_server()
        cls.connect_llm()
        scripts = os.path.join(cls.workdir, "scripts")
        os.makedirs(os.path.join(scripts, "addons"))
        os.symlink(CLIENT_DIR, os.path.join(scripts, "addons", "blender_bus"))
        cls.config_dir = os.path.join(cls.workdir, "config")
        cls.stop_file = os.path.join(cls.workdir, "stop-addon")
        cls.log_path = os.path.join(cls.workdir, "addon.log")
        env = dict(blender_environment(), BLENDER_USER_SCRIPTS=scripts, BLENDER_USER_CONFIG=cls.config_dir)
        cls.log_file = open(cls.log_path, "w")
        cls.proc = subprocess.Popen(
            [blender_bin(), "-b", "--factory-startup", "-noaudio", "--python", ADDON_DRIVER, "--",
             cls.server.base_url, "desk", cls.stop_file], stdout=cls.log_file, stderr=subprocess.STDOUT, env=env)
        cls.addClassCleanup(cls.stop_addon)

    @classmethod
    def stop_addon(cls):
        open(cls.stop_file, "w").close()
        try:
            cls.proc.wait(30)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
        cls.log_file.close()

    def test_the_addon_registers_with_a_sticky_uuid_and_runs_jobs(self):
        uuid_file = os.path.join(self.config_dir, "blender_bus_client_uuid")
        wait_until(lambda: os.path.exists(uuid_file), 60, "the add-on to store its uuid")
        with open(uuid_file) as f:
            client_uuid = f.read().strip()
        entry = wait_until(lambda: self.llm.client_entry(client_uuid), 60, "the add-on to register")
        self.assertEqual((entry["client_type"], entry["is_persistent"], entry["group_id"], entry["capabilities"]),
                         ("blender", True, "desk", ["python_execution", "desktop"]))
        sent = self.llm.dispatch(ADD_MESH_SCRIPT, group_id="desk")
        self.assertEqual(sent["targets"], [client_uuid])
        finals = self.llm.wait_final_statuses(sent["job_id"], 1)
        self.assertEqual(finals[0]["payload"]["status"], "completed")
        self.assertRegex(finals[0]["payload"]["result"], r"^objects: \d+ -> \d+\n$")

        self.stop_addon()
        self.assertEqual(self.proc.returncode, 0)
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn(f"add-on status: Connected as {client_uuid}", log)


if __name__ == "__main__":
    unittest.main()
