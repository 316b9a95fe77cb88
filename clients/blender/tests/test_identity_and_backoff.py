import os
import tempfile
import unittest

from support import load_package

load_package()
from blender_bus_client.backoff import Backoff  # noqa: E402
from blender_bus_client.identity import (Identity, SlotBusy, claim_first_free_slot,  # noqa: E402
                                         claim_slot, slot_path)

HOLD_A_SLOT = """
import sys
sys.path.insert(0, sys.argv[1])
from support import load_package
load_package()
from blender_bus_client.identity import claim_first_free_slot
slot = claim_first_free_slot(sys.argv[2])
print(slot.path, slot.client_uuid, flush=True)
sys.stdin.read()  # hold it until the test closes our stdin
"""


class InTemporaryConfig(unittest.TestCase):
    """Each test gets its own Blender config directory (not created yet)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = os.path.join(self.tmp.name, "config")


class SlotTest(InTemporaryConfig):

    def claim(self):
        slot = claim_first_free_slot(self.dir)
        self.addCleanup(slot.release)
        return slot

    def test_the_first_slot_is_created_with_a_uuid_and_kept(self):
        slot = self.claim()
        self.assertEqual(slot.path, os.path.join(self.dir, "blender_bus_client_uuid"))
        self.assertTrue(slot.client_uuid.startswith("blender-"))
        with open(slot.path) as f:
            self.assertEqual(f.read(), slot.client_uuid + "\n")
        self.assertEqual(os.stat(slot.path).st_mode & 0o777, 0o600)
        slot.release()
        self.assertEqual(self.claim().client_uuid, slot.client_uuid, "sticky across restarts")

    def test_held_slots_are_skipped_and_each_keeps_its_own_uuid(self):
        first, second, third = self.claim(), self.claim(), self.claim()
        self.assertEqual([first.path, second.path, third.path],
                         [slot_path(self.dir, 0), slot_path(self.dir, 1), slot_path(self.dir, 2)])
        self.assertEqual(len({first.client_uuid, second.client_uuid, third.client_uuid}), 3)
        # The second one stops: the next peer to start takes its slot, and its uuid.
        uuid_of_second = second.client_uuid
        second.release()
        self.assertEqual(self.claim().client_uuid, uuid_of_second)

    def test_a_slot_held_by_another_process_is_skipped_until_it_ends(self):
        import subprocess
        import sys
        holder = subprocess.Popen([sys.executable, "-c", HOLD_A_SLOT, os.path.dirname(os.path.abspath(__file__)),
                                   self.dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            held_path, held_uuid = holder.stdout.readline().split()
            self.assertEqual(held_path, slot_path(self.dir, 0))
            with self.assertRaises(SlotBusy):
                claim_slot(held_path)
            mine = self.claim()
            self.assertEqual(mine.path, slot_path(self.dir, 1))
        finally:
            holder.stdin.close()
            holder.wait(10)
        # Its lock went with it.
        again = claim_slot(held_path)
        self.addCleanup(again.release)
        self.assertEqual(again.client_uuid, held_uuid)

    def test_a_stored_uuid_is_used_as_is_and_an_empty_file_gets_one(self):
        os.makedirs(self.dir)
        with open(slot_path(self.dir, 0), "w") as f:
            f.write("blender-mine\n")
        open(slot_path(self.dir, 1), "w").close()
        self.assertEqual(self.claim().client_uuid, "blender-mine")
        self.assertTrue(self.claim().client_uuid.startswith("blender-"))


class IdentityTest(InTemporaryConfig):

    def test_moving_to_a_fresh_slot_takes_a_new_uuid_and_frees_the_old_slot(self):
        identity = Identity.first_free_slot(self.dir)
        self.addCleanup(identity.release)
        old_uuid, old_path = identity.client_uuid, identity.slot_path
        new_uuid = identity.move_to_fresh_slot()
        self.assertNotEqual(new_uuid, old_uuid)
        self.assertEqual(identity.client_uuid, new_uuid)
        self.assertEqual(identity.slot_path, slot_path(self.dir, 1))
        released = claim_slot(old_path)
        self.addCleanup(released.release)
        self.assertEqual(released.client_uuid, old_uuid)

    def test_a_uuid_file_is_locked_like_a_slot(self):
        path = os.path.join(self.tmp.name, "worker.uuid")
        first = Identity.from_file(path, self.dir)
        self.addCleanup(first.release)
        with self.assertRaises(SlotBusy):
            Identity.from_file(path, self.dir)
        # Displaced, it moves to the slot directory.
        self.assertEqual(first.move_to_fresh_slot(), first.client_uuid)
        self.assertEqual(first.slot_path, slot_path(self.dir, 0))

    def test_a_fixed_uuid_holds_no_slot(self):
        identity = Identity.fixed("blender-given", self.dir)
        self.assertIsNone(identity.slot_path)
        self.assertEqual(identity.client_uuid, "blender-given")
        self.assertIsNone(Identity.fixed("blender-given", None).move_to_fresh_slot())


class BackoffTest(unittest.TestCase):
    def test_doubles_up_to_the_cap_and_resets(self):
        backoff = Backoff(initial=0.5, maximum=4.0, jitter=0.0)
        self.assertEqual([backoff.next_delay() for _ in range(6)], [0.5, 1.0, 2.0, 4.0, 4.0, 4.0])
        backoff.reset()
        self.assertEqual(backoff.next_delay(), 0.5)

    def test_jitter_stays_within_its_fraction(self):
        low = Backoff(initial=1.0, jitter=0.2, rand=lambda: 0.0)
        high = Backoff(initial=1.0, jitter=0.2, rand=lambda: 1.0)
        self.assertAlmostEqual(low.next_delay(), 0.8)
        self.assertAlmostEqual(high.next_delay(), 1.2)


if __name__ == "__main__":
    unittest.main()
