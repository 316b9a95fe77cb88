"""A small MCP client over Streamable HTTP (protocol 2025-06-18), standard
library only.

What it does: `initialize` (capturing `Mcp-Session-Id`), the `initialized`
notification, any request (`tools/call` above all) whose answer may come back
as JSON or as an SSE stream, the standalone GET stream (with
`Last-Event-ID`), and DELETE to end the session. What it leaves to callers:
when to reconnect and what to do with notifications.

Thread-safe: requests open their own connection each, so a stream reader,
a job runner and a reply sender may share one client.
"""

import http.client
import itertools
import json
import socket
import threading
from typing import Any, Callable, Iterator, Optional

from .server_address import ServerAddress
from .sse import SseEvent, SseParser

PROTOCOL_VERSION = "2025-06-18"
CLIENT_NAME = "blender-bus-blender"
CLIENT_VERSION = "0.1.0"


class HttpStatusError(Exception):
    def __init__(self, status: int, body: str, what: str) -> None:
        super().__init__(f"{what}: HTTP {status} {body[:300]}")
        self.status = status
        self.body = body


class SessionGone(HttpStatusError):
    """404 on our session id: the server ended or forgot the session
    (restart, idle expiry). The cure is a new `initialize`."""


class Unauthorized(HttpStatusError):
    """401 that the token source could not cure."""


class McpError(Exception):
    """A JSON-RPC error response."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data


class ToolError(Exception):
    """A tool call whose result has `isError: true`."""


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def tool_result_payload(result: dict) -> Any:
    """The JSON a bus tool returned (SPEC §5). The bus tools answer as
    FastMCP does for a tool returning a str: the JSON text in the first
    content item, and structuredContent {"result": <the same text>}, which
    is unwrapped. Another structuredContent is returned as it is; without
    one, the first text content item parsed as JSON."""
    if result.get("isError"):
        texts = [c.get("text", "") for c in result.get("content", []) if c.get("type") == "text"]
        raise ToolError("; ".join(texts) or "tool reported an error")
    structured = result.get("structuredContent")
    if isinstance(structured, dict):
        if len(structured) == 1 and isinstance(structured.get("result"), str):
            return _json_or_text(structured["result"])
        return structured
    for item in result.get("content", []):
        if item.get("type") == "text":
            return _json_or_text(item["text"])
    return None


class EventStream:
    """The session's open standalone SSE stream. Iterate it for events;
    `close()` from any thread cuts it (the iterator then ends)."""

    def __init__(self, connection: http.client.HTTPConnection, sock: Optional[socket.socket],
                 response: http.client.HTTPResponse, parser: SseParser) -> None:
        self._connection = connection
        # Kept here because http.client drops connection.sock once the
        # response says "Connection: close" (the usual SSE answer).
        self._sock = sock
        self._response = response
        self.parser = parser
        self._closed = False
        self._reading = False

    def __iter__(self) -> Iterator[SseEvent]:
        self._reading = True
        try:
            while not self._closed:
                line = self._response.readline()
                if not line:
                    return  # server closed the stream
                event = self.parser.feed_line(line.decode("utf-8", errors="replace"))
                if event is not None:
                    yield event
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            # After close() from another thread, whatever the cut socket
            # makes http.client raise just means "ended".
            if not self._closed:
                raise
        finally:
            self._reading = False
            self._closed = True
            self._release()

    @property
    def last_event_id(self) -> Optional[str]:
        return self.parser.last_event_id

    def close(self) -> None:
        """Cuts the stream. Safe from any thread: while another thread
        reads, only the socket is shut down (the reader then ends and
        releases the connection itself)."""
        self._closed = True
        if not self._reading:
            self._release()
            return
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _release(self) -> None:
        self._response.close()
        self._connection.close()


class McpClient:
    def __init__(self, server: ServerAddress, auth, request_timeout: float = 30.0) -> None:
        self.server = server
        self.auth = auth
        self.request_timeout = request_timeout
        self.session_id: Optional[str] = None
        self.protocol_version: Optional[str] = None
        self.server_info: dict = {}
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        # Called with each server notification that arrives on a POST's SSE
        # answer (rare: the bus's records use the standalone stream).
        self.on_notification: Optional[Callable[[dict], None]] = None

    # -- lifecycle ---------------------------------------------------------

    def initialize(self) -> dict:
        """Starts a new session (dropping any previous one's id)."""
        self.session_id = None
        self.protocol_version = None
        result = self.request("initialize", {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": CLIENT_NAME, "version": CLIENT_VERSION},
        })
        self.protocol_version = result.get("protocolVersion", PROTOCOL_VERSION)
        self.server_info = result.get("serverInfo", {})
        self.notify("notifications/initialized")
        return result

    def close(self) -> None:
        """Ends the session on the server (DELETE); errors are ignored since
        the session may already be gone."""
        if self.session_id is None:
            return
        try:
            _, _, _, connection, _ = self._exchange("DELETE", None, {}, self.request_timeout)
            connection.close()
        except (OSError, HttpStatusError, http.client.HTTPException):
            pass
        self.session_id = None

    # -- requests ----------------------------------------------------------

    def notify(self, method: str, params: Optional[dict] = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send_message(message)

    def send_message(self, message: dict) -> None:
        """POSTs a message that gets no answer (a notification, or our
        response to a server request): the server says 202."""
        _, _, response, connection, _ = self._exchange("POST", message, {}, self.request_timeout)
        response.read()
        response.close()
        connection.close()

    def request(self, method: str, params: Optional[dict] = None) -> Any:
        with self._ids_lock:
            request_id = next(self._ids)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        status, headers, response, connection, _ = self._exchange("POST", message, {}, self.request_timeout)
        try:
            if method == "initialize":
                self.session_id = headers.get("mcp-session-id") or self.session_id
            content_type = headers.get("content-type", "")
            if content_type.startswith("text/event-stream"):
                answer = self._answer_from_stream(response, request_id)
            else:
                raw = response.read()
                answer = json.loads(raw) if raw else None
                if isinstance(answer, list):  # a batch answer (2025-03-26)
                    answer = next((m for m in answer if m.get("id") == request_id), None)
        finally:
            response.close()  # holds the socket itself after "Connection: close"
            connection.close()
        if not isinstance(answer, dict):
            raise HttpStatusError(status, "", f"{method}: no JSON-RPC answer")
        if "error" in answer:
            error = answer["error"]
            raise McpError(error.get("code", 0), error.get("message", ""), error.get("data"))
        return answer.get("result")

    def call_tool(self, name: str, arguments: dict) -> Any:
        """Calls a tool and returns the JSON it returned (see tool_result_payload)."""
        result = self.request("tools/call", {"name": name, "arguments": arguments})
        return tool_result_payload(result)

    def _answer_from_stream(self, response: http.client.HTTPResponse, request_id: int) -> Optional[dict]:
        parser = SseParser()
        while True:
            line = response.readline()
            if not line:
                return None
            event = parser.feed_line(line.decode("utf-8", errors="replace"))
            if event is None:
                continue
            try:
                message = json.loads(event.data)
            except ValueError:
                continue
            if message.get("id") == request_id and ("result" in message or "error" in message):
                return message
            if "method" in message and "id" not in message and self.on_notification:
                self.on_notification(message)

    # -- the standalone stream --------------------------------------------

    def open_stream(self, last_event_id: Optional[str] = None,
                    idle_timeout: Optional[float] = None) -> EventStream:
        """GET /mcp: the session's stream of unsolicited messages.

        `idle_timeout`: seconds without a single byte (keep-alives included)
        after which reading raises, so a silently dead connection is noticed.
        """
        extra = {"Accept": "text/event-stream"}
        if last_event_id:
            extra["Last-Event-ID"] = last_event_id
        status, headers, response, connection, sock = self._exchange("GET", None, extra, idle_timeout)
        if status != 200 or not headers.get("content-type", "").startswith("text/event-stream"):
            body = response.read().decode("utf-8", errors="replace")
            connection.close()
            raise HttpStatusError(status, body, "GET stream")
        parser = SseParser()
        parser.last_event_id = last_event_id
        return EventStream(connection, sock, response, parser)

    # -- HTTP --------------------------------------------------------------

    def _headers(self) -> dict:
        headers = {"Accept": "application/json, text/event-stream"}
        token = self.auth.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def _exchange(self, verb: str, message: Optional[dict], extra_headers: dict,
                  timeout: Optional[float]):
        """One HTTP exchange with /mcp, retried once after a 401 if the token
        source renewed the token. Returns (status, lower-cased headers,
        response, connection, socket) for a 2xx status; the caller closes
        the connection. Any other status is raised: 401 as Unauthorized, 404 on
        a session as SessionGone, the rest as HttpStatusError."""
        body = json.dumps(message).encode() if message is not None else None
        for attempt in (1, 2):
            headers = self._headers()
            headers.update(extra_headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            connection = self.server.connect(timeout)
            try:
                connection.request(verb, self.server.path("/mcp"), body=body, headers=headers)
                sock = connection.sock
                response = connection.getresponse()
            except BaseException:
                connection.close()
                raise
            status = response.status
            lowered = {k.lower(): v for k, v in response.getheaders()}
            if status in (401, 404):
                text = response.read().decode("utf-8", errors="replace")
                connection.close()
                if status == 401:
                    if attempt == 1 and self.auth.renew():
                        continue
                    raise Unauthorized(status, text, f"{verb} /mcp")
                if self.session_id:
                    raise SessionGone(status, text, f"{verb} /mcp")
                raise HttpStatusError(status, text, f"{verb} /mcp")
            if status >= 400:
                text = response.read().decode("utf-8", errors="replace")
                connection.close()
                raise HttpStatusError(status, text, f"{verb} /mcp")
            return status, lowered, response, connection, sock
        raise AssertionError("unreachable")
