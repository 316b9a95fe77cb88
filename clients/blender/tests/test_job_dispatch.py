import unittest

from support import bus_record, load_package

load_package()
from blender_bus_client.job_dispatch import (SeenMessages, cancel_request_from_message,  # noqa: E402
                                             job_from_message)


class CancelRequestTest(unittest.TestCase):
    def test_job_cancel_record_names_the_job(self):
        request = cancel_request_from_message(
            bus_record({"message_type": "job_cancel", "job_id": "job-1"}, message_id="m-c"))
        self.assertEqual((request.job_id, request.message_id), ("job-1", "m-c"))

    def test_other_records_and_a_cancel_without_job_are_not_cancels(self):
        self.assertIsNone(cancel_request_from_message(
            bus_record({"message_type": "job_dispatch", "job_id": "job-1", "script": "pass"})))
        self.assertIsNone(cancel_request_from_message(bus_record({"message_type": "job_cancel"})))
        self.assertIsNone(job_from_message(bus_record({"message_type": "job_cancel", "job_id": "j"})))


class JobFromMessageTest(unittest.TestCase):
    def test_job_dispatch_record_is_a_job(self):
        record = bus_record({"message_type": "job_dispatch", "job_id": "job-1",
                             "script": "print(1)", "description": "count"}, message_id="m-1")
        job = job_from_message(record)
        self.assertEqual((job.job_id, job.script, job.message_id, job.from_uuid, job.description),
                         ("job-1", "print(1)", "m-1", "llm-1", "count"))

    def test_job_id_falls_back_to_the_record_job_id(self):
        record = bus_record({"message_type": "job_dispatch", "script": "pass"}, message_id="m-2")
        self.assertEqual(job_from_message(record).job_id, "m-2")

    def test_other_records_are_not_jobs(self):
        update = bus_record({"kind": "job_update", "job_id": "job-1", "status": "completed",
                             "result": "", "error": ""})
        self.assertIsNone(job_from_message(update))
        self.assertIsNone(job_from_message(bus_record({"message_type": "chat", "text": "hi"})))
        self.assertIsNone(job_from_message({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}}))
        no_script = bus_record({"message_type": "job_dispatch", "job_id": "j"})
        self.assertIsNone(job_from_message(no_script))
        odd = bus_record({})
        odd["params"]["data"]["payload"] = "a string"
        self.assertIsNone(job_from_message(odd))


class SeenMessagesTest(unittest.TestCase):
    def test_second_sighting_is_reported(self):
        seen = SeenMessages()
        self.assertTrue(seen.first_time("a"))
        self.assertFalse(seen.first_time("a"))
        self.assertTrue(seen.first_time("b"))

    def test_capacity_forgets_the_oldest(self):
        seen = SeenMessages(capacity=2)
        for key in ("a", "b", "c"):
            seen.first_time(key)
        self.assertTrue(seen.first_time("a"))
        self.assertFalse(seen.first_time("c"))


if __name__ == "__main__":
    unittest.main()
