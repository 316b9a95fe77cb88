"""Issue 17, end to end: identities of Blender workers. Workers started with
the same command on one machine are distinct clients (identity slots), and
a worker whose uuid another Blender takes over hears of it and moves to a
fresh slot instead of going deaf."""

import os
import re
import shutil
import unittest

from harness import tail, wait_until
from test_blender_workers import ADD_MESH_SCRIPT, GROUP, E2ECase


class SameCommandWorkersTest(E2ECase):
    """Two workers, one documented command (no --uuid-file, no --uuid), one
    Blender config directory."""

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        cls.start_server()
        cls.connect_llm()
        cls.workers = [cls.start_worker(name, uuid_file=False) for name in ("same-1", "same-2")]
        for worker in cls.workers:
            worker.started_uuid()
            cls.wait_registered(worker)

    def slot_files(self):
        config = self.workers[0].config_dir
        names = sorted(n for n in os.listdir(config) if n.startswith("blender_bus_client_uuid"))
        contents = {}
        for name in names:
            with open(os.path.join(config, name)) as f:
                contents[name] = f.read().strip()
        return contents

    def test_a_two_workers_are_two_clients_each_in_its_own_slot(self):
        uuids = [w.uuid for w in self.workers]
        self.assertNotEqual(uuids[0], uuids[1])
        slots = self.slot_files()
        self.assertEqual(sorted(slots), ["blender_bus_client_uuid", "blender_bus_client_uuid.1"])
        self.assertEqual(sorted(slots.values()), sorted(uuids))
        sent = self.llm.dispatch(ADD_MESH_SCRIPT, group_id=GROUP)
        self.assertEqual(sorted(sent["targets"]), sorted(uuids))
        finals = self.llm.wait_final_statuses(sent["job_id"], 2)
        self.assertEqual([f["payload"]["status"] for f in finals], ["completed", "completed"])
        self.assertEqual(sorted(f["payload"]["client_uuid"] for f in finals), sorted(uuids),
                         "each update names the worker that sent it")

    def test_b_a_restarted_worker_takes_its_own_slot_again(self):
        worker = self.workers[0]
        before = worker.uuid
        self.assertEqual(worker.terminate(), 0, worker.log())
        restarted = self.start_worker(worker.name, uuid_file=False)
        self.workers[0] = restarted
        self.assertEqual(restarted.started_uuid(), before)
        self.wait_registered(restarted)
        self.assertEqual(len(self.slot_files()), 2, "no third slot")


class TakeoverTest(E2ECase):
    """Two machines with a copied Blender config (the same identity): the
    second worker's registration takes the uuid over; the first is told, logs
    it and registers again from its own next slot."""

    @classmethod
    def setUpClass(cls):
        cls.make_workdir()
        cls.start_server()
        cls.connect_llm()
        cls.config_a = os.path.join(cls.workdir, "machine-a")
        cls.config_b = os.path.join(cls.workdir, "machine-b")
        cls.first = cls.start_worker("first", uuid_file=False, config_dir=cls.config_a)
        cls.shared = cls.first.started_uuid()
        cls.wait_registered(cls.first)
        os.makedirs(cls.config_b)
        shutil.copy(os.path.join(cls.config_a, "blender_bus_client_uuid"), cls.config_b)
        cls.second = cls.start_worker("second", uuid_file=False, config_dir=cls.config_b)

    def test_the_displaced_worker_moves_to_a_fresh_slot_and_both_run_jobs(self):
        self.assertEqual(self.second.started_uuid(), self.shared)
        moved = wait_until(
            lambda: re.search(rf"client {re.escape(self.shared)} was taken over by another session \(another "
                              rf"Blender with the same identity\); registering again as (\S+)", self.first.log()),
            60, "the first worker to report the takeover").group(1)
        self.assertNotEqual(moved, self.shared)
        with open(os.path.join(self.config_a, "blender_bus_client_uuid.1")) as f:
            self.assertEqual(f.read().strip(), moved, "the fresh uuid is the next slot's")
        self.first.uuid = moved
        self.wait_registered(self.first)
        self.wait_registered(self.second)
        self.assertRegex(tail(self.server.log_path, 100000),
                         rf"\[warning\] user local: client {re.escape(self.shared)} taken over by session \S+ "
                         rf"from session \S+ \(its stream is open\)")
        sent = self.llm.dispatch("print('both')", group_id=GROUP)
        self.assertEqual(sorted(sent["targets"]), sorted([self.shared, moved]))
        finals = self.llm.wait_final_statuses(sent["job_id"], 2)
        self.assertEqual(sorted(f["payload"]["client_uuid"] for f in finals), sorted([self.shared, moved]))


if __name__ == "__main__":
    unittest.main()
