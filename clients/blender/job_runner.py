"""Running one job's script and capturing what it says.

Must be called on Blender's main thread: bpy is not thread-safe. The script
runs as `__main__` in a fresh namespace (plus the helpers the caller gives,
such as `report_progress`); its stdout and stderr are captured
together (in order), and any exception, SystemExit included, becomes a
traceback in the outcome instead of ending the worker.
"""

import builtins
import io
import linecache
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any, Dict, Optional

# Keeps a reply well under the server's 4 MiB request limit (SPEC §3).
MAX_TEXT_CHARS = 1_000_000


@dataclass
class JobOutcome:
    ok: bool
    output: str  # everything the script printed (stdout and stderr)
    error: str = ""  # the traceback when not ok


def _clip(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    dropped = len(text) - MAX_TEXT_CHARS
    return f"[... {dropped} characters dropped ...]\n" + text[-MAX_TEXT_CHARS:]


def _job_traceback(exc: BaseException) -> str:
    # Drop this module's own frames: the user wants their script's lines.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def run_script(script: str, job_id: str = "job", helpers: Optional[Dict[str, Any]] = None) -> JobOutcome:
    filename = f"<job {job_id}>"
    # Registered so tracebacks can quote the script's lines.
    linecache.cache[filename] = (len(script), None, script.splitlines(True), filename)
    captured = io.StringIO()
    namespace = {"__name__": "__main__", "__file__": filename, "__builtins__": builtins, **(helpers or {})}
    try:
        code = compile(script, filename, "exec")
        with redirect_stdout(captured), redirect_stderr(captured):
            exec(code, namespace)
        return JobOutcome(ok=True, output=_clip(captured.getvalue()))
    except SystemExit as exc:
        # sys.exit() / sys.exit(0) is a normal end of a script.
        if exc.code in (None, 0):
            return JobOutcome(ok=True, output=_clip(captured.getvalue()))
        return JobOutcome(ok=False, output=_clip(captured.getvalue()), error=_clip(_job_traceback(exc)))
    except BaseException as exc:  # noqa: B902 - a job must never take the worker down
        return JobOutcome(ok=False, output=_clip(captured.getvalue()), error=_clip(_job_traceback(exc)))
    finally:
        linecache.cache.pop(filename, None)
