"""Server-Sent Events parsing (the WHATWG event-stream format).

Incremental: feed it decoded lines as they arrive and it hands back each
complete event. Used both for the standalone GET stream and for POST
responses that come back as `text/event-stream`.
"""

from dataclasses import dataclass
from typing import Iterable, Iterator, Optional


@dataclass
class SseEvent:
    data: str
    event: str = "message"
    # The event's own `id:` field, or None when it had none. The stream's
    # last-event-id (what a reconnect sends) is tracked by the parser.
    id: Optional[str] = None
    retry_ms: Optional[int] = None


class SseParser:
    """Turns lines of an event stream into SseEvent objects.

    Comments (lines starting with ':') are keep-alives; they are counted so a
    reader can tell the connection is alive, and otherwise ignored.
    """

    def __init__(self) -> None:
        self.last_event_id: Optional[str] = None
        self.retry_ms: Optional[int] = None
        self.comments_seen = 0
        self._reset()

    def _reset(self) -> None:
        self._data: list = []
        self._event = ""
        self._id: Optional[str] = None
        self._has_field = False

    def feed_line(self, line: str) -> Optional[SseEvent]:
        """Feeds one line (with or without its line terminator).

        Returns the event completed by this line, if any.
        """
        line = line.rstrip("\r\n")
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self.comments_seen += 1
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        self._has_field = True
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            # Per the standard, an id containing NUL is ignored.
            if "\0" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry":
            if value.isdigit():
                self.retry_ms = int(value)
        # Unknown fields are ignored, as the standard requires.
        return None

    def _dispatch(self) -> Optional[SseEvent]:
        if not self._has_field:
            return None
        event = None
        # An event with no data lines is not dispatched, but its id still
        # counts (already recorded in last_event_id).
        if self._data:
            event = SseEvent(
                data="\n".join(self._data),
                event=self._event or "message",
                id=self._id,
                retry_ms=self.retry_ms,
            )
        self._reset()
        return event

    def feed_lines(self, lines: Iterable[str]) -> Iterator[SseEvent]:
        for line in lines:
            event = self.feed_line(line)
            if event is not None:
                yield event


def iter_events(byte_lines: Iterable[bytes], parser: Optional[SseParser] = None) -> Iterator[SseEvent]:
    """Events from an iterable of raw byte lines (e.g. an HTTP response).

    At end of stream an unterminated event is dropped, as the standard says.
    """
    parser = parser or SseParser()
    for raw in byte_lines:
        event = parser.feed_line(raw.decode("utf-8", errors="replace"))
        if event is not None:
            yield event
