import os
import tempfile
import unittest

from support import load_package

load_package()
from blender_bus_client.backoff import Backoff  # noqa: E402
from blender_bus_client.identity import load_or_create_uuid  # noqa: E402


class IdentityTest(unittest.TestCase):
    def test_uuid_is_created_once_and_kept(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "nested", "config", "uuid")
            first = load_or_create_uuid(path)
            self.assertTrue(first.startswith("blender-"))
            self.assertEqual(load_or_create_uuid(path), first)
            with open(path) as f:
                self.assertEqual(f.read().strip(), first)

    def test_an_empty_file_gets_a_new_uuid(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "uuid")
            open(path, "w").close()
            self.assertTrue(load_or_create_uuid(path).startswith("blender-"))

    def test_a_stored_uuid_is_used_as_is(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "uuid")
            with open(path, "w") as f:
                f.write("blender-mine\n")
            self.assertEqual(load_or_create_uuid(path), "blender-mine")


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
