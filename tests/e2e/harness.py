"""End-to-end harness: the real server binary, real headless Blender
workers, and an LLM-side client, all as processes/threads of this test.

    ServerProcess  `blender-bus serve --port 0 --data-dir D ...`; waits for
                   its "blender-bus listening on http://HOST:PORT" line
    WorkerProcess  `blender -b --python clients/blender/worker.py -- ...`
    LlmPeer        an ephemeral `llm` client (the project's stdlib MCP client)
                   that sends jobs and collects every bus record it receives

Everything that waits has a deadline and waits for an event or polls server
state; nothing sleeps a fixed time hoping something happened.
"""

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT_DIR = os.path.join(REPO_ROOT, "clients", "blender")
WORKER_SCRIPT = os.path.join(CLIENT_DIR, "worker.py")
LISTENING = re.compile(r"^blender-bus listening on (https?://\S+)\s*$")


def load_client_package():
    """clients/blender as the package `blender_bus_client` (see worker.py)."""
    spec = importlib.util.spec_from_file_location("blender_bus_worker", WORKER_SCRIPT)
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    return worker.load_package()


load_client_package()
from blender_bus_client.auth import NoToken  # noqa: E402
from blender_bus_client.mcp_client import McpClient  # noqa: E402
from blender_bus_client.server_address import ServerAddress  # noqa: E402


def server_bin():
    return os.environ.get("BLENDER_BUS_BIN") or os.path.join(REPO_ROOT, "build", "blender-bus")


def blender_bin():
    return os.environ.get("BLENDER_BIN") or shutil.which("blender") or "blender"


def blender_environment():
    """This process's environment without the directory of its own Python
    interpreter on PATH when that is not the system's: Blender's embedded
    Python finds its home by looking for `python3` along PATH, and a test
    runner's pyenv or venv Python there lends it extension modules built
    for another Python (its `ssl` then fails to import)."""
    env = dict(os.environ)
    own = os.path.realpath(os.path.dirname(sys.executable))
    if not own.startswith("/usr/"):
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if os.path.realpath(p or ".") != own)
    return env


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls `predicate` until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def tail(path, chars=3000):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return "(no log)"
    return text[-chars:]


def stop_process(proc, timeout):
    """SIGTERM, then SIGKILL if it has not ended within `timeout`; waits for it."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ServerProcess:
    def __init__(self, data_dir, args=("--auth", "none"), port=0, env=None):
        self.data_dir = data_dir
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.port = port
        self.base_url = None
        self.log_path = os.path.join(data_dir, f"server-{int(time.time() * 1000)}.log")
        self.proc = None

    def start(self, timeout=30.0):
        command = [server_bin(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--data-dir", self.data_dir, *self.args]
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     env=self.env)
        ready = threading.Event()

        def read_stdout():
            for line in self.proc.stdout:
                match = LISTENING.match(line)
                if match and not ready.is_set():
                    self.base_url = match.group(1)
                    ready.set()

        threading.Thread(target=read_stdout, daemon=True).start()
        if not ready.wait(timeout):
            self.proc.kill()
            raise AssertionError(f"server not ready within {timeout}s: {' '.join(command)}\n{tail(self.log_path)}")
        self.port = int(self.base_url.rsplit(":", 1)[1].split("/")[0])
        return self

    def stop(self, timeout=15.0):
        """SIGTERM, then the exit code (SIGKILL if it will not go)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        stop_process(self.proc, timeout)
        self._log.close()
        return self.proc.returncode


class WorkerProcess:
    """A headless Blender worker. By default its uuid is written to its own
    uuid file before it starts, so the test knows it and the worker proves it
    keeps the stored one. With `uuid_file=False` it is started the way the
    README says (no identity option: the first free slot in its Blender
    config directory, `config_dir`, shared by default) and `started_uuid()`
    reads the uuid it chose from its log."""

    STARTING = re.compile(r"worker (\S+) starting")

    def __init__(self, workdir, name, server_url, group="render-cluster", extra_args=(), uuid_file=True,
                 config_dir=None):
        self.workdir = workdir
        self.name = name
        self.server_url = server_url
        self.group = group
        self.extra_args = list(extra_args)
        self.config_dir = config_dir or os.path.join(workdir, "blender-config")
        self.uuid_file = None
        self.uuid = None
        if uuid_file:
            self.uuid_file = os.path.join(workdir, f"{name}.uuid")
            if not os.path.exists(self.uuid_file):
                with open(self.uuid_file, "w") as f:
                    f.write(f"blender-e2e-{name}-{uuid.uuid4().hex[:8]}\n")
            with open(self.uuid_file) as f:
                self.uuid = f.read().strip()
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None

    def start(self):
        command = [blender_bin(), "-b", "--factory-startup", "-noaudio", "--python", WORKER_SCRIPT, "--",
                   "--server", self.server_url, *self.extra_args]
        if self.uuid_file:
            command += ["--uuid-file", self.uuid_file]
        if self.group:
            command += ["--group", self.group]
        # Keep Blender away from the real user's config and add-ons, and
        # from the Python running these tests.
        env = dict(blender_environment(),
                   BLENDER_USER_CONFIG=self.config_dir,
                   BLENDER_USER_SCRIPTS=os.path.join(self.workdir, "blender-scripts"))
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        return self

    def started_uuid(self, timeout=60.0):
        """The uuid the worker said it starts as (its latest start)."""
        def read():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.proc.returncode}):\n{self.log()}")
            found = self.STARTING.findall(tail(self.log_path, 100000))
            return found[-1] if found else None
        self.uuid = wait_until(read, timeout, f"{self.name} to start")
        return self.uuid

    def log(self):
        return tail(self.log_path, 6000)

    def terminate(self, timeout=20.0):
        """SIGTERM (a graceful stop); returns the exit code."""
        if self.proc.poll() is None:
            stop_process(self.proc, timeout)
        self._log.close()
        return self.proc.returncode

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()


class LlmPeer:
    """The assistant's side: an ephemeral `llm` client with its own stream."""

    def __init__(self, base_url, auth=None, name="llm-e2e", ca_file=None):
        self.client = McpClient(ServerAddress(base_url, ca_file=ca_file), auth or NoToken())
        self.uuid = f"{name}-{uuid.uuid4().hex[:8]}"
        self.records = []  # every message received on the standalone stream
        self._cond = threading.Condition()
        self._stream = None
        self._closing = False
        self._thread = None

    def connect(self):
        self.client.initialize()
        self.register()
        self._stream = self.client.open_stream()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def register(self):
        answer = self.call("blender_register_client", {
            "client_uuid": self.uuid, "client_type": "llm", "is_persistent": False,
            "capabilities": [], "group_id": None})
        assert answer["status"] == "ok", answer
        return answer

    def _read(self):
        try:
            for event in self._stream:
                message = json.loads(event.data)
                with self._cond:
                    self.records.append(message)
                    self._cond.notify_all()
        except Exception as exc:  # a dying stream shows up as missing records
            if not self._closing:
                with self._cond:
                    self.records.append({"stream_error": repr(exc)})
                    self._cond.notify_all()

    def close(self):
        self._closing = True
        if self._stream is not None:
            self._stream.close()
        self.client.close()

    # -- tools

    def call(self, tool, arguments):
        return self.client.call_tool(tool, arguments)

    def clients(self):
        return self.call("blender_list_available_clients", {})

    def client_entry(self, client_uuid):
        listing = self.clients()
        for entry in listing["persistent"] + listing["ephemeral"]:
            if entry["uuid"] == client_uuid:
                return entry
        return None

    def dispatch(self, script, job_id=None, **routing):
        """Sends a job_dispatch (SPEC §11) as this client, so replies come
        back to it directly (SPEC §8). Returns the send's answer."""
        job_id = job_id or f"job-{uuid.uuid4().hex[:12]}"
        payload = {"message_type": "job_dispatch", "job_id": job_id, "script": script}
        return self.call("blender_send_message", {"payload": payload, "from_uuid": self.uuid, **routing})

    # -- records

    def job_updates(self, job_id):
        """Job-update records (their `data`) for `job_id`, in arrival order."""
        with self._cond:
            return [m["params"]["data"] for m in self.records
                    if m.get("method") == "notifications/message"
                    and isinstance(m["params"].get("data"), dict)
                    and isinstance(m["params"]["data"].get("payload"), dict)
                    and m["params"]["data"]["payload"].get("kind") == "job_update"
                    and m["params"]["data"]["payload"].get("job_id") == job_id]

    def wait_job_updates(self, job_id, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                updates = self.job_updates(job_id)
                if predicate(updates):
                    return updates
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                         f"job {job_id} updates so far: {updates}")
                self._cond.wait(remaining)

    def wait_final_statuses(self, job_id, count, timeout=60.0):
        """Waits for `count` final updates (completed/failed/cancelled)."""
        final = ("completed", "failed", "cancelled")
        updates = self.wait_job_updates(
            job_id, lambda us: sum(u["payload"]["status"] in final for u in us) >= count,
            timeout, f"{count} final update(s)")
        return [u for u in updates if u["payload"]["status"] in final]


def make_workdir(prefix="blender-bus-e2e-"):
    return tempfile.mkdtemp(prefix=prefix)


def make_test_certificate(workdir):
    """A throwaway CA and a server certificate it signed for localhost and
    127.0.0.1, made with the openssl command line. Returns (ca, cert, key)
    file paths."""
    ca_key, ca = os.path.join(workdir, "ca.key"), os.path.join(workdir, "ca.pem")
    key, csr = os.path.join(workdir, "server.key"), os.path.join(workdir, "server.csr")
    cert, ext = os.path.join(workdir, "server.pem"), os.path.join(workdir, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    for args in (["req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=e2e test CA"],
                 ["req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
                 ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                  "-days", "2", "-extfile", ext]):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    return ca, cert, key
