"""What a job is, as it arrives on the bus (SPEC §7 record, §11 payload)."""

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


def job_from_message(message: dict) -> Optional[Job]:
    """The job carried by a JSON-RPC message, or None if it carries none.

    Only `notifications/message` records whose payload says
    `message_type: "job_dispatch"` are jobs; everything else on the bus
    (job updates from other peers, free-form messages) is not ours to run.
    """
    if message.get("method") != "notifications/message":
        return None
    params = message.get("params") or {}
    data = params.get("data")
    if not isinstance(data, dict):
        return None
    payload = data.get("payload")
    if not isinstance(payload, dict) or payload.get("message_type") != "job_dispatch":
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
