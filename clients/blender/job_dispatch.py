"""What a job is, and a request to cancel one, as they arrive on the bus
(SPEC §7 record, §11 payload)."""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

BUS_LOGGER = "_message_bus"


@dataclass
class Job:
    job_id: str
    script: str
    message_id: Optional[str] = None
    from_uuid: Optional[str] = None
    description: str = ""


@dataclass
class CancelRequest:
    job_id: str
    message_id: Optional[str] = None


def _bus_payload(message: dict, message_type: str):
    """(record data, payload) of a `notifications/message` bus record whose
    payload says `message_type`, else (None, None)."""
    if message.get("method") != "notifications/message":
        return None, None
    params = message.get("params") or {}
    data = params.get("data")
    if not isinstance(data, dict):
        return None, None
    payload = data.get("payload")
    if not isinstance(payload, dict) or payload.get("message_type") != message_type:
        return None, None
    return data, payload


def job_from_message(message: dict) -> Optional[Job]:
    """The job carried by a JSON-RPC message, or None if it carries none.

    Only `notifications/message` records whose payload says
    `message_type: "job_dispatch"` are jobs; everything else on the bus
    (job updates from other peers, free-form messages) is not ours to run.
    """
    data, payload = _bus_payload(message, "job_dispatch")
    if payload is None:
        return None
    job_id = payload.get("job_id") or data.get("job_id") or data.get("message_id")
    script = payload.get("script")
    if not job_id or not isinstance(script, str):
        return None
    return Job(
        job_id=str(job_id),
        script=script,
        message_id=data.get("message_id"),
        from_uuid=data.get("from_uuid"),
        description=str(payload.get("description") or ""),
    )


def cancel_request_from_message(message: dict) -> Optional[CancelRequest]:
    """The newer add-on's `{"message_type": "job_cancel", "job_id"}`, or None."""
    data, payload = _bus_payload(message, "job_cancel")
    if payload is None or not payload.get("job_id"):
        return None
    return CancelRequest(job_id=str(payload["job_id"]), message_id=data.get("message_id"))


class SeenMessages:
    """Remembers recent message ids so a record replayed after a reconnect
    does not run its script twice. Bounded: old ids are forgotten."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._ids: "OrderedDict[str, None]" = OrderedDict()

    def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (and remembers it)."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True
