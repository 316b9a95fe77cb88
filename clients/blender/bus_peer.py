"""A Blender peer on the bus: a persistent `blender` client that runs jobs.

Three threads of control, so that Blender's main thread only ever runs
scripts:
- the stream thread keeps an MCP session, the registration and the
  standalone SSE stream alive (reconnecting with backoff and Last-Event-ID,
  re-initializing and re-registering when the session is gone) and puts
  each `job_dispatch` it hears on `jobs`, a thread-safe queue;
- Blender's main thread takes jobs from that queue (`run_pending_jobs` from a
  `bpy.app.timers` callback in desktop Blender, `run_next_job` in the
  headless worker's loop) and runs them;
- the reply thread sends `blender_job_update` calls in order, retrying
  through reconnects, so a slow network never blocks the main thread.

A `job_cancel` record (the newer add-on's `{"message_type": "job_cancel",
"job_id"}`) cancels a job that is still queued (answered `cancelled`); a job
already running is answered with a `running` update saying that it
cannot be stopped: a Blender script cannot be interrupted safely.

When another session registers this peer's uuid (another Blender with the
same identity), the server sends a `client_displaced` record to this one;
the peer logs it and registers again under the uuid `on_displaced` gives it
(the identity's next free slot) instead of going deaf. `on_change` is called
(from any thread) whenever what a status display shows changes.
"""

import collections

import http.client
import json
import logging
import math
import numbers
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Deque, List, Optional

from .auth import AuthError
from .backoff import Backoff
from .job_dispatch import Job, SeenMessages, cancel_request_from_message, job_from_message
from .job_runner import run_script
from .mcp_client import (HttpStatusError, McpClient, McpError, SessionGone,
                         ToolError, Unauthorized)
from .server_address import ServerAddress
from .sse import SseEvent

log = logging.getLogger("blender_bus")

# Failures the stream thread outlives by waiting and trying again.
TRANSIENT_ERRORS = (OSError, HttpStatusError, McpError, ToolError, AuthError,
                    http.client.HTTPException, ValueError)


@dataclass
class PeerConfig:
    server_url: str
    client_uuid: str
    ca_file: Optional[str] = None  # for https://: a private CA's certificate(s), PEM
    group_id: Optional[str] = None
    capabilities: List[str] = field(default_factory=lambda: ["python_execution"])
    client_type: str = "blender"
    # A human name for the machine (the newer add-on's `label`), shown in
    # client listings; None registers without one.
    label: Optional[str] = None
    # No byte at all (keep-alive comments included) for this long means the
    # connection is dead even if TCP has not noticed: reconnect.
    stream_idle_timeout: float = 120.0
    initial_backoff: float = 0.5
    max_backoff: float = 30.0


# Reports closer together than this are not sent (the next one will be).
PROGRESS_INTERVAL_SECONDS = 0.2
CANCEL_REFUSED = ("cancel refused: the script is already running, and a Blender script "
                  "cannot be interrupted safely; it will finish")


@dataclass
class JobOutcome:
    """One job this peer ran (or is running), for a status display."""
    job_id: str
    description: str = ""
    status: str = "running"
    seconds: float = 0.0


RECENT_JOBS = 5


@dataclass
class _Reply:
    job_id: str
    status: str
    result: str = ""
    error: str = ""
    progress: Optional[float] = None
    progress_message: Optional[str] = None


def progress_reporter(job_id: str, send: Callable[[_Reply], None],
                      clock: Callable[[], float] = time.monotonic) -> Callable[..., bool]:
    """The `report_progress(fraction, message="")` a job's script calls:
    sends a `running` update with `progress` (a number from 0 to 1) and
    `progress_message`. Returns True when the report was sent, False when
    it came within PROGRESS_INTERVAL_SECONDS of the last one (a fraction of
    1 is always sent). Raises ValueError for a fraction outside 0..1 (NaN
    included) and TypeError for one that is not a number."""
    last_sent = [None]

    def report_progress(fraction, message: str = "") -> bool:
        if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
            raise TypeError(f"progress must be a number from 0 to 1, not {fraction!r}")
        fraction = float(fraction)
        if not (math.isfinite(fraction) and 0.0 <= fraction <= 1.0):
            raise ValueError(f"progress must be a number from 0 to 1, not {fraction!r}")
        now = clock()
        if (last_sent[0] is not None and fraction < 1.0
                and now - last_sent[0] < PROGRESS_INTERVAL_SECONDS):
            return False
        last_sent[0] = now
        send(_Reply(job_id, "running", progress=fraction, progress_message=str(message) if message else None))
        return True

    return report_progress


def _announced(name: str) -> property:
    """An attribute whose change is announced through the peer's `on_change`."""
    attribute = "_" + name

    def read(peer):
        return getattr(peer, attribute)

    def write(peer, value):
        changed = value != getattr(peer, attribute)
        setattr(peer, attribute, value)
        if changed:
            peer._changed()

    return property(read, write)


class BusPeer:
    def __init__(self, config: PeerConfig, auth,
                 on_displaced: Optional[Callable[[str], Optional[str]]] = None,
                 on_change: Optional[Callable[[], None]] = None) -> None:
        self.config = config
        self.client = McpClient(ServerAddress(config.server_url, config.ca_file), auth)
        self.jobs: "queue.Queue[Job]" = queue.Queue()
        self.registered = threading.Event()  # set once the first registration succeeded
        # Called with the displaced uuid; returns the uuid to register as next
        # (None: stay unregistered).
        self.on_displaced = on_displaced
        self.on_change = on_change
        self._status = "disconnected"
        self._last_error = ""
        self.recent_jobs: Deque[JobOutcome] = collections.deque(maxlen=RECENT_JOBS)
        self._replies: "queue.Queue[Optional[_Reply]]" = queue.Queue()
        self._stopping = threading.Event()
        self._session_lock = threading.Lock()
        self._session_changed = threading.Condition(self._session_lock)
        self._registered_session: Optional[str] = None  # the session our registration is bound to
        self._stream_lock = threading.Lock()
        self._stream = None
        self._seen = SeenMessages()
        self._threads: List[threading.Thread] = []
        # Jobs heard but not started, those cancelled while still in `jobs`
        # (the main thread skips them), and the one running.
        self._jobs_lock = threading.Lock()
        self._queued: List[Job] = []
        self._cancelled: List[Job] = []
        self._running: Optional[Job] = None

    # -- lifecycle (any thread) --------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._stream_loop, name="blender-bus-stream", daemon=True),
            threading.Thread(target=self._reply_loop, name="blender-bus-replies", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the threads, answers jobs that never started with
        `cancelled`, flushes pending replies (within `timeout`) and ends the
        session. The registration stays: a persistent client outlives its
        sessions and is shown offline meanwhile."""
        self._stopping.set()
        with self._session_lock:
            self._session_changed.notify_all()  # the reply thread stops waiting for a session
        self._cancel_queued_jobs("the Blender peer is shutting down")
        with self._stream_lock:
            if self._stream is not None:
                self._stream.close()
        self._replies.put(None)  # after every pending reply
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.client.close()
        self.status = "disconnected"
        log.info("disconnected")

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # -- what a status display shows (read from any thread) -----------------

    status = _announced("status")  # disconnected, connecting, connected, reconnecting, displaced
    last_error = _announced("last_error")

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # -- jobs (Blender's main thread) --------------------------------------

    def run_pending_jobs(self) -> int:
        """Runs every job already queued; never waits. For bpy.app.timers."""
        count = 0
        while not self._stopping.is_set():
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            self.execute(job)
            count += 1
        return count

    def run_next_job(self, timeout: float) -> bool:
        """Waits up to `timeout` seconds for a job and runs it. For the
        headless worker's loop."""
        try:
            job = self.jobs.get(timeout=timeout)
        except queue.Empty:
            return False
        self.execute(job)
        return True

    def execute(self, job: Job) -> None:
        with self._jobs_lock:
            if any(cancelled is job for cancelled in self._cancelled):
                self._cancelled = [c for c in self._cancelled if c is not job]
                return  # cancelled while it waited, and answered then
            self._queued = [queued for queued in self._queued if queued is not job]
            self._running = job
        try:
            self._run(job)
        finally:
            with self._jobs_lock:
                self._running = None

    def _run(self, job: Job) -> None:
        self._replies.put(_Reply(job.job_id, "running"))
        log.info("job %s: running%s", job.job_id, f" ({job.description})" if job.description else "")
        shown = JobOutcome(job.job_id, job.description)
        self.recent_jobs.appendleft(shown)
        self._changed()
        started = time.monotonic()
        helpers = {"report_progress": progress_reporter(job.job_id, self._replies.put)}
        outcome = run_script(job.script, job.job_id, helpers)
        elapsed = time.monotonic() - started
        shown.status, shown.seconds = ("completed" if outcome.ok else "failed"), elapsed
        self._changed()
        if outcome.ok:
            log.info("job %s: completed in %.2fs", job.job_id, elapsed)
            self._replies.put(_Reply(job.job_id, "completed", result=outcome.output))
        else:
            last_line = outcome.error.strip().splitlines()[-1] if outcome.error.strip() else "?"
            log.info("job %s: failed in %.2fs: %s", job.job_id, elapsed, last_line)
            self._replies.put(_Reply(job.job_id, "failed", result=outcome.output, error=outcome.error))

    def _cancel_queued_jobs(self, reason: str) -> None:
        with self._jobs_lock:
            cancelled, self._queued = self._queued, []
            self._cancelled.extend(cancelled)
        for job in cancelled:
            log.info("job %s: cancelled (%s)", job.job_id, reason)
            self._replies.put(_Reply(job.job_id, "cancelled", error=reason))

    def cancel(self, job_id: str) -> None:
        """A job_cancel for `job_id` (any thread): a queued job is answered
        `cancelled` and never runs; a running one gets a `running` update
        saying it cannot be stopped; a job this peer does not hold is left
        to the peer that does."""
        with self._jobs_lock:
            cancelled = [job for job in self._queued if job.job_id == job_id]
            self._queued = [job for job in self._queued if job.job_id != job_id]
            self._cancelled.extend(cancelled)
            running = self._running is not None and self._running.job_id == job_id
        for job in cancelled:
            log.info("job %s: cancelled before it started", job.job_id)
            self._replies.put(_Reply(job.job_id, "cancelled", error="cancelled before it started"))
        if running:
            log.info("job %s: cancel refused: it is running", job_id)
            self._replies.put(_Reply(job_id, "running", progress_message=CANCEL_REFUSED))
        if not cancelled and not running:
            log.info("job %s: cancel ignored: not a job of this peer (or it has ended)", job_id)

    # -- session and registration ------------------------------------------
    #
    # The stream thread alone creates sessions and registers, in this order:
    # initialize, open the GET stream, register. With the stream already
    # open, nothing addressed to this client after its registration can
    # miss it (a stream opened without Last-Event-ID starts "from now").
    # The reply thread only waits for a registered session.

    def _ensure_initialized(self) -> str:
        with self._session_lock:
            if self.client.session_id is None:
                self.status = "connecting"
                self._registered_session = None
                self.client.initialize()
            return self.client.session_id

    def _ensure_registered(self, session_id: str) -> None:
        """Registers on `session_id` unless already done there. Re-registering
        an existing uuid updates it in place (SPEC §4), so a new session
        simply takes over the client."""
        with self._session_lock:
            if self._registered_session == session_id:
                return
        registration = {
            "client_uuid": self.config.client_uuid,
            "client_type": self.config.client_type,
            "is_persistent": True,
            "capabilities": list(self.config.capabilities),
            "group_id": self.config.group_id or None,
        }
        if self.config.label:
            registration["label"] = self.config.label
        answer = self.client.call_tool("blender_register_client", registration)
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            raise ToolError(f"registration refused: {answer!r}")
        with self._session_lock:
            if self.client.session_id == session_id:
                self._registered_session = session_id
                self._session_changed.notify_all()
        log.info("registered %s (group %s) at %s", self.config.client_uuid,
                 self.config.group_id or "-", self.client.server.base_url)
        self.registered.set()

    def _forget_session(self, session_id: Optional[str]) -> None:
        with self._session_lock:
            if session_id is not None and self.client.session_id == session_id:
                self.client.session_id = None
                self._registered_session = None
                self._session_changed.notify_all()

    def _wait_for_registered_session(self, timeout: float) -> Optional[str]:
        """The registered session's id, waiting up to `timeout` for the
        stream thread to set one up; None if there is none by then."""
        deadline = time.monotonic() + timeout
        with self._session_lock:
            while True:
                session_id = self._registered_session
                if session_id is not None and session_id == self.client.session_id:
                    return session_id
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._session_changed.wait(remaining)

    # -- the stream thread ---------------------------------------------------

    def _stream_loop(self) -> None:
        backoff = Backoff(self.config.initial_backoff, self.config.max_backoff)
        last_event_id: Optional[str] = None
        stream_session: Optional[str] = None
        sessions_gone_in_a_row = 0
        while not self._stopping.is_set():
            session_id = None
            retry_now = False
            try:
                session_id = self._ensure_initialized()
                if session_id != stream_session:
                    # Event ids count within one session; a new session
                    # starts over (its records come from the client's inbox).
                    last_event_id, stream_session = None, session_id
                try:
                    stream = self.client.open_stream(last_event_id, self.config.stream_idle_timeout)
                except HttpStatusError as exc:
                    if exc.status != 400 or last_event_id is None or isinstance(exc, SessionGone):
                        raise
                    # Out of the server's replay window: resume from now.
                    log.warning("server cannot resume after event %s; reopening the stream "
                                "without it (records in between are lost)", last_event_id)
                    last_event_id, retry_now = None, True
                    continue
                with self._stream_lock:
                    if self._stopping.is_set():
                        stream.close()
                        break
                    self._stream = stream
                self._ensure_registered(session_id)
                sessions_gone_in_a_row = 0
                self.status, self.last_error = "connected", ""
                opened = time.monotonic()
                received = False
                for event in stream:
                    last_event_id = stream.last_event_id
                    received = True
                    self._handle_event(event)
                last_event_id = stream.last_event_id
                if self._stopping.is_set():
                    break
                # A stream that worked for a while earns a fresh backoff; one
                # that the server keeps closing at once does not.
                if received or time.monotonic() - opened > 5.0:
                    backoff.reset()
                log.info("stream ended; reconnecting")
                self.status = "reconnecting"
            except SessionGone:
                log.info("session gone on the server; starting a new one")
                sessions_gone_in_a_row += 1
                retry_now = sessions_gone_in_a_row == 1  # a new session at once, then back off
                self._forget_session(session_id)
                self.status = "reconnecting"
            except TimeoutError:
                # Mostly a stream without even a keep-alive for
                # stream_idle_timeout: a dead link that TCP has not noticed.
                log.info("connection timed out; reconnecting")
                self.status = "reconnecting"
            except Unauthorized as exc:
                self._note_failure(f"not authorized: {exc}")
            except TRANSIENT_ERRORS as exc:
                self._note_failure(str(exc) or type(exc).__name__)
            finally:
                with self._stream_lock:
                    if self._stream is not None:
                        self._stream.close()
                    self._stream = None
            if not self._stopping.is_set() and not retry_now:
                self._stopping.wait(backoff.next_delay())

    def _note_failure(self, reason: str) -> None:
        if self._stopping.is_set():
            return
        if reason != self.last_error:
            log.warning("connection problem: %s", reason)
        self.status, self.last_error = "reconnecting", reason

    def _handle_event(self, event: SseEvent) -> None:
        try:
            message = json.loads(event.data)
        except ValueError:
            log.warning("ignored a stream event that is not JSON")
            return
        if not isinstance(message, dict):
            return
        if "method" in message and "id" in message:
            self._answer_server_request(message)
            return
        cancel = cancel_request_from_message(message)
        if cancel is not None:
            if cancel.message_id is None or self._seen.first_time(cancel.message_id):
                self.cancel(cancel.job_id)
            return
        if self._is_displacement(message):
            self._move_after_displacement()
            return
        job = job_from_message(message)
        if job is None:
            return
        if not self._seen.first_time(job.message_id or job.job_id):
            log.info("job %s: already seen (replayed record), skipped", job.job_id)
            return
        log.info("job %s: queued", job.job_id)
        with self._jobs_lock:
            self._queued.append(job)
        self.jobs.put(job)

    def _is_displacement(self, message: dict) -> bool:
        """A `client_displaced` record for our current uuid (one for a uuid
        we already left is old news)."""
        if message.get("method") != "notifications/message":
            return False
        data = (message.get("params") or {}).get("data")
        payload = data.get("payload") if isinstance(data, dict) else None
        return (isinstance(payload, dict) and payload.get("kind") == "client_displaced"
                and payload.get("client_uuid") == self.config.client_uuid)

    def _move_after_displacement(self) -> None:
        """On the stream thread: the uuid is someone else's now. Register
        again under a fresh one, on this same session (its stream is open)."""
        old = self.config.client_uuid
        try:
            fresh = self.on_displaced(old) if self.on_displaced else None
        except OSError as exc:  # no slot to be had (a config directory we cannot write)
            log.warning("client %s: no fresh identity slot: %s", old, exc)
            fresh = None
        if not fresh:
            log.warning("client %s was taken over by another session (another Blender with the same "
                        "identity); nothing to move to, so this peer no longer receives jobs", old)
            self.status, self.last_error = "displaced", f"{old} was taken over by another session"
            return
        log.warning("client %s was taken over by another session (another Blender with the same "
                    "identity); registering again as %s", old, fresh)
        self.config.client_uuid = fresh
        with self._session_lock:
            session_id, self._registered_session = self.client.session_id, None
        self._changed()
        if session_id is not None:
            self._ensure_registered(session_id)

    def _answer_server_request(self, message: dict) -> None:
        # The server may ping on the stream; anything else we cannot do.
        if message["method"] == "ping":
            answer = {"jsonrpc": "2.0", "id": message["id"], "result": {}}
        else:
            answer = {"jsonrpc": "2.0", "id": message["id"],
                      "error": {"code": -32601, "message": f"Method not found: {message['method']}"}}
        try:
            self.client.send_message(answer)
        except TRANSIENT_ERRORS as exc:
            log.warning("could not answer server request %s: %s", message["method"], exc)

    # -- the reply thread ----------------------------------------------------

    def _reply_loop(self) -> None:
        while True:
            reply = self._replies.get()
            if reply is None:
                return
            self._send_reply(reply)

    def _send_reply(self, reply: _Reply) -> None:
        """Sends one job update, retrying through reconnects until it gets
        through, or the peer is stopping (then it gets one more chance)."""
        backoff = Backoff(self.config.initial_backoff, self.config.max_backoff)
        while True:
            # While stopping, a session that is not there now will not come.
            session_id = self._wait_for_registered_session(0.0 if self._stopping.is_set() else 5.0)
            if session_id is None:
                if self._stopping.is_set():
                    log.warning("job %s: %s update lost at shutdown (not connected)", reply.job_id, reply.status)
                    return
                continue
            try:
                update = {"job_id": reply.job_id, "status": reply.status,
                          "result": reply.result, "error": reply.error}
                # Only when set: a server without the newer add-on's fields
                # sees the original four.
                if reply.progress is not None:
                    update["progress"] = reply.progress
                if reply.progress_message is not None:
                    update["progress_message"] = reply.progress_message
                self.client.call_tool("blender_job_update", update)
                return
            except SessionGone:
                self._forget_session(session_id)  # the stream thread sets up the next one
                continue
            except TRANSIENT_ERRORS as exc:
                if self._stopping.is_set():
                    log.warning("job %s: %s update lost at shutdown: %s", reply.job_id, reply.status, exc)
                    return
                log.warning("job %s: %s update not sent yet (%s); retrying", reply.job_id, reply.status, exc)
            self._stopping.wait(backoff.next_delay())
