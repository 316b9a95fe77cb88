"""Test support: loads the client package, and a fake MCP Streamable HTTP
server (standard library only) that speaks just enough of SPEC §3 and §5 to
exercise the client without the real server: sessions, JSON or SSE
answers, the standalone stream with event ids and Last-Event-ID, 401 and
404, and the tools a Blender peer calls."""

import importlib.util
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)


def load_package():
    """Imports clients/blender as `blender_bus_client` (see worker.py)."""
    spec = importlib.util.spec_from_file_location("blender_bus_worker", os.path.join(CLIENT_DIR, "worker.py"))
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    return worker.load_package()


def bus_record(payload, message_id=None, job_id=None, level="info"):
    """A forwarded record shaped as SPEC §7 says."""
    message_id = message_id or str(uuid.uuid4())
    return {"jsonrpc": "2.0", "method": "notifications/message", "params": {
        "level": level, "logger": "_message_bus",
        "data": {"user_id": "demo", "from_uuid": "llm-1", "target_uuid": None,
                 "routing": {"type": "group", "group_id": "render-cluster"},
                 "payload": payload, "job_id": job_id or payload.get("job_id") or message_id,
                 "message_id": message_id, "priority": 6, "timestamp": time.time()}}}


class FakeSession:
    def __init__(self, session_id):
        self.id = session_id
        self.events = []  # (id, serialized message)
        self.stream_generation = 0


class FakeBus:
    """State of the fake server; every method is thread-safe."""

    def __init__(self, answer_mode="json", token=None, structured=True, stream_framing="chunked"):
        self.answer_mode = answer_mode  # "json" or "sse" for POST answers
        # "chunked", or "close": no framing, the body ends when the connection
        # does (what the real server sends: `Connection: close`).
        self.stream_framing = stream_framing
        self.token = token  # required bearer token, or None for no auth
        self.structured = structured  # wrap tool results in structuredContent too, as FastMCP does
        self.cond = threading.Condition()
        self.sessions = {}
        self.ended_sessions = []
        self.calls = []  # (session id, method, params)
        self.tool_calls = []  # (session id, tool name, arguments)
        self.stream_opens = []  # (session id, Last-Event-ID header or None)
        self.request_headers = []  # headers of every POST
        self.refreshes = 0
        self.refuse_registrations = 0  # how many registrations to answer with an error
        self.refuse_resume = False  # answer every Last-Event-ID with 400 (out of the replay window)
        self.registered_at_stream_open = []  # registrations made when each GET arrived
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- lifecycle

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.drop_streams()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    # -- what tests do to it

    def push(self, message, session_id=None):
        """Queues a message on a session's stream (the newest session by
        default); returns the event id."""
        with self.cond:
            session = self.sessions[session_id] if session_id else list(self.sessions.values())[-1]
            event_id = len(session.events) + 1
            session.events.append((event_id, json.dumps(message)))
            self.cond.notify_all()
            return event_id

    def drop_streams(self):
        """Cuts every open stream; sessions stay."""
        with self.cond:
            for session in self.sessions.values():
                session.stream_generation += 1
            self.cond.notify_all()

    def forget_sessions(self):
        """What a server restart looks like: every session id is now unknown."""
        with self.cond:
            for session in self.sessions.values():
                session.stream_generation += 1
            self.sessions.clear()
            self.cond.notify_all()

    def wait_until(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the fake server's state")
                # Short waits: some predicates watch the client, not us.
                self.cond.wait(min(remaining, 0.05))

    def tools_named(self, name):
        with self.cond:
            return [args for _, tool, args in self.tool_calls if tool == name]

    # -- the HTTP side

    def _handler_class(self):
        bus = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send_json(self, status, body, headers=None):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _send_empty(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _authorized(self):
                if bus.token is None:
                    return True
                if self.headers.get("Authorization") == f"Bearer {bus.token}":
                    return True
                self._send_json(401, {"detail": "Invalid token: expired"}, {"WWW-Authenticate": "Bearer"})
                return False

            def _session(self):
                session_id = self.headers.get("Mcp-Session-Id")
                with bus.cond:
                    session = bus.sessions.get(session_id)
                if session is None:
                    self._send_json(404, {"jsonrpc": "2.0", "error": {"code": -32001, "message": "Session not found"}})
                return session

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/auth/refresh":
                    with bus.cond:
                        bus.refreshes += 1
                        bus.token = f"token-{bus.refreshes}"
                    self._send_json(200, {"access_token": bus.token, "refresh_token": f"refresh-{bus.refreshes}",
                                          "token_type": "bearer", "expires_in": 1800})
                    return
                if self.path == "/auth/login":
                    credentials = json.loads(body)
                    if credentials.get("password") != "secret":
                        self._send_json(401, {"detail": "Invalid credentials"})
                        return
                    self._send_json(200, {"access_token": bus.token, "refresh_token": "refresh-0",
                                          "token_type": "bearer", "expires_in": 1800})
                    return
                if not self._authorized():
                    return
                message = json.loads(body)
                with bus.cond:
                    bus.request_headers.append(dict(self.headers))
                if message.get("method") == "initialize":
                    session = FakeSession(str(uuid.uuid4()))
                    with bus.cond:
                        bus.sessions[session.id] = session
                        bus.calls.append((session.id, "initialize", message.get("params")))
                        bus.cond.notify_all()
                    result = {"protocolVersion": message["params"]["protocolVersion"],
                              "capabilities": {"tools": {}, "logging": {}},
                              "serverInfo": {"name": "fake-bus", "version": "0"}}
                    self._answer(message["id"], result, {"Mcp-Session-Id": session.id})
                    return
                session = self._session()
                if session is None:
                    return
                with bus.cond:
                    bus.calls.append((session.id, message.get("method"), message.get("params")))
                    bus.cond.notify_all()
                if "id" not in message or "method" not in message:
                    self._send_empty(202)  # notification or response
                    return
                if message["method"] == "tools/call":
                    name = message["params"]["name"]
                    arguments = message["params"].get("arguments", {})
                    with bus.cond:
                        bus.tool_calls.append((session.id, name, arguments))
                        bus.cond.notify_all()
                    answer = self._tool_answer(name, arguments)
                    text = json.dumps(answer)
                    result = {"content": [{"type": "text", "text": text}], "isError": False}
                    if bus.structured:
                        result["structuredContent"] = {"result": text}
                    self._answer(message["id"], result)
                    return
                self._answer(message["id"], {})

            def _tool_answer(self, name, arguments):
                if name == "blender_register_client":
                    with bus.cond:
                        if bus.refuse_registrations > 0:
                            bus.refuse_registrations -= 1
                            return {"status": "error", "error": "try again"}
                    return {"status": "ok", "client": {"uuid": arguments["client_uuid"],
                                                       "client_type": arguments["client_type"],
                                                       "is_persistent": arguments.get("is_persistent", False),
                                                       "capabilities": arguments.get("capabilities", []),
                                                       "group_id": arguments.get("group_id"),
                                                       "connected_at": 1.0, "last_seen": 1.0}}
                if name == "blender_job_update":
                    return {"status": "ok", "delivered": "broadcast", "targets": []}
                return {"status": "ok"}

            def _answer(self, request_id, result, headers=None):
                response = {"jsonrpc": "2.0", "id": request_id, "result": result}
                if bus.answer_mode == "json":
                    self._send_json(200, response, headers)
                    return
                # SSE answer: a log notification first, then the response.
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                note = {"jsonrpc": "2.0", "method": "notifications/message",
                        "params": {"level": "debug", "data": "working"}}
                self.wfile.write(f": hello\n\nevent: message\ndata: {json.dumps(note)}\n\n".encode())
                self.wfile.write(f"id: 1\ndata: {json.dumps(response)}\n\n".encode())
                self.close_connection = True

            def do_GET(self):
                if not self._authorized():
                    return
                session = self._session()
                if session is None:
                    return
                last_event_id = self.headers.get("Last-Event-ID")
                with bus.cond:
                    bus.stream_opens.append((session.id, last_event_id))
                    bus.registered_at_stream_open.append(
                        sum(1 for sid, name, _ in bus.tool_calls
                            if sid == session.id and name == "blender_register_client"))
                    # As the real server: without Last-Event-ID the stream
                    # starts from now; an id never issued is refused.
                    cursor = int(last_event_id) if last_event_id else len(session.events)
                    if cursor > len(session.events) or (last_event_id and bus.refuse_resume):
                        self._send_json(400, {"jsonrpc": "2.0", "error": {
                            "code": -32000, "message": "Bad Request: Last-Event-ID cannot be resumed"}})
                        return
                    generation = session.stream_generation
                    bus.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                if bus.stream_framing == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self._stream_events(session, generation, cursor)
                except OSError:
                    pass  # the client cut the stream
                self.close_connection = True

            def _stream_events(self, session, generation, cursor):
                self._chunk(": keep-alive\n\n")
                while True:
                    with bus.cond:
                        while (session.stream_generation == generation
                               and len(session.events) <= cursor):
                            bus.cond.wait(0.5)
                        if session.stream_generation != generation:
                            break
                        pending = session.events[cursor:]
                    for event_id, data in pending:
                        self._chunk(f"id: {event_id}\ndata: {data}\n\n")
                        cursor = event_id
                if bus.stream_framing == "chunked":
                    self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, text):
                raw = text.encode()
                if bus.stream_framing == "chunked":
                    raw = f"{len(raw):x}\r\n".encode() + raw + b"\r\n"
                self.wfile.write(raw)
                self.wfile.flush()

            def do_DELETE(self):
                session = self._session()
                if session is None:
                    return
                with bus.cond:
                    bus.sessions.pop(session.id, None)
                    bus.ended_sessions.append(session.id)
                    session.stream_generation += 1
                    bus.cond.notify_all()
                self._send_empty(200)

        return Handler
