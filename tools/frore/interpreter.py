"""Find the target interpreter and talk to it: who it is, and compile requests.

Everything frore asks the target interpreter goes through :func:`call_worker`,
which starts ``_worker.py`` under it with a clean environment and a time
limit, and turns every way that can go wrong (not a program, not Python, a
too old Python, no answer, a crash) into a one-line :class:`FroreError`.

The answer to "who are you" comes from running the interpreter itself, so a
pyenv shim or a bare command name is replaced by the real binary: build rules
then name the real path and skip the shim's start-up cost.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._worker import NEWEST_TESTED, OLDEST, TOO_OLD_EXIT, TOO_OLD_PREFIX, UNTESTED_OPT_IN
from .errors import EXIT_STALE, FroreError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .model import FrozenModule, Interpreter

WORKER = Path(__file__).with_name("_worker.py")
TIMEOUT_ENV = "FRORE_TIMEOUT"         # seconds a worker may stay silent (default 60)
DEFAULT_TIMEOUT = 60.0
SECONDS_PER_MB = 10.0                 # extra time allowed per MB of source in a request
_cache: dict[str, Interpreter] = {}


def worker_command(executable: Path | str) -> list[str]:
    """How to start the freezing worker under *executable*: no site, no user site,
    no bytecode files; the environment comes from :func:`worker_environment`."""
    return [str(executable), "-S", "-s", "-B", str(WORKER)]


def worker_environment() -> dict[str, str]:
    """The caller's environment without any PYTHON* setting, plus a fixed hash seed.

    Dropping PYTHONPATH, PYTHONHOME & co. isolates the worker as ``-I`` would;
    ``-I`` itself cannot be used because it also ignores PYTHONHASHSEED.
    Other variables (LD_LIBRARY_PATH for a shared libpython) stay.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    return env


def timeout_for(source_bytes: int = 0) -> float:
    """How long a worker may take: FRORE_TIMEOUT (or 60 s), plus time for large sources."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        base = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise FroreError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    return base + SECONDS_PER_MB * source_bytes / 1e6


class WorkerCrashed(FroreError):
    """The worker died (a signal, or an exit status frore does not expect)."""


def _spawn(argv: list[str], stdin: bytes, *, timeout: float, shown: str,
           where: Path | None, line: int) -> tuple[int, bytes, str]:
    """(exit status, stdout, stderr) of a worker; its whole process group is killed
    when it does not answer within *timeout* seconds."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=worker_environment(),
                                start_new_session=True)
    except OSError as exc:
        raise FroreError(f"cannot run python {shown!r}: {exc.strerror}", where, line) from None
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise FroreError(f"python {shown!r} did not answer within {round(timeout)} s "
                         f"(set {TIMEOUT_ENV} to wait longer)", where, line) from None
    except BaseException:
        _kill_group(proc)
        raise
    message = err.decode(errors="replace").strip()
    if proc.returncode == TOO_OLD_EXIT and message.startswith(TOO_OLD_PREFIX):
        found = message[len(TOO_OLD_PREFIX):].split()
        raise FroreError(f"python {shown!r} is {_implementation(found)}; frore freezes for "
                         "CPython 3.8 or newer", where, line)
    return proc.returncode, out, message


def call_worker(executable: Path | str, request: dict[str, Any], *, timeout: float,
                where: Path | None = None, line: int = 0) -> Any:
    """Send *request* to a fresh worker under *executable*; return its decoded reply."""
    shown = str(executable)
    status, out, message = _spawn(worker_command(executable), marshal.dumps(request),
                                  timeout=timeout, shown=shown, where=where, line=line)
    if status != 0:
        raise _failure(shown, status, message, request, where, line)
    try:
        return marshal.loads(out)
    except (EOFError, ValueError, TypeError):
        what = f"printed {_preview(out)}" if out else "printed nothing"
        raise FroreError(f"python {shown!r} did not answer like a Python interpreter "
                         f"(it exited 0 and {what})", where, line) from None


def freeze_to_file(executable: Path | str, arguments: list[str], timeout: float) -> int:
    """Run the worker's one-module freeze (``_worker.py freeze ...``) under *executable*;
    print what it says; return its exit status."""
    shown = str(executable)
    status, _, message = _spawn(worker_command(executable) + ["freeze", *arguments], b"",
                                timeout=timeout, shown=shown, where=None, line=0)
    if status < 0:
        raise _failure(shown, status, message, {"op": "freeze"}, None, 0)
    if message:
        sys.stderr.write(message + "\n")
    return status


def freezer_command(executable: Path | str, mode: str = "freeze") -> list[str]:
    """How build rules freeze: the target interpreter itself on the worker (one
    process; -E, since the environment is the build's, not frore's).  *mode*
    ``freeze`` takes one module (Make, MSBuild), ``freeze-part`` the modules of
    a part of the table (Meson, CMake, SCons)."""
    return [str(executable), "-E", "-S", "-s", "-B", str(WORKER), mode]


def part_arguments(units: Sequence[FrozenModule]) -> list[tuple[str, str]]:
    """``freeze-part`` operands without the paths: (name, level) of each unit, in order;
    backends add each unit's SOURCE and OUTPUT as their build language names them."""
    return [(u.source_id, str(u.optimize)) for u in units]


def stamp_command(executable: Path | str) -> list[str]:
    """How build rules rewrite the freezer stamp when the interpreter changed."""
    return [str(executable), "-E", "-S", "-s", "-B", str(WORKER), "stamp"]


def _failure(shown: str, status: int, message: str, request: dict[str, Any],
             where: Path | None, line: int) -> FroreError:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return WorkerCrashed(f"python {shown!r} crashed ({name})", where, line,
                             exit_code=EXIT_STALE)
    lines = message.splitlines()
    if not lines:
        detail = f"exited with status {status} and printed nothing"
    elif len(lines) > 12:
        detail = "\n".join(lines[:4] + ["  ..."] + lines[-6:])
    else:
        detail = message
    if request.get("op") == "identity":
        return FroreError(f"python {shown!r} failed to start: {detail}", where, line)
    return WorkerCrashed(f"freezing worker under {shown} failed: {detail}", where, line,
                         exit_code=EXIT_STALE)


def _implementation(found: list[str]) -> str:
    name = {"cpython": "CPython", "pypy": "PyPy"}.get(found[0] if found else "", "Python")
    return f"{name} {found[1] if len(found) > 1 else '(unknown version)'}"


def _preview(data: bytes) -> str:
    text = data[:60].decode(errors="replace").strip()
    return repr(text) + ("..." if len(data) > 60 else "")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the worker and anything it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.kill()
    proc.communicate()


def find_executable(python: str | None, base: Path, where: Path | None = None,
                    line: int = 0) -> str:
    """*python* as a path: relative to *base*, or a command looked up on PATH."""
    if python is None:
        return sys.executable
    if os.sep in python or "/" in python:
        return str((base / python).absolute())
    found = shutil.which(python)
    if not found:
        raise FroreError(f"python {python!r} not found on PATH", where, line)
    return found


def watch_paths(start: str) -> tuple[Path, ...]:
    """What to watch so a build notices *start* naming another interpreter: the folder
    of each symbolic link on the way to the real binary (re-pointing a link, or
    re-creating a venv, changes it), and the binary itself."""
    found: list[Path] = []
    path = os.path.abspath(start)
    for _ in range(40):                    # a link loop fails to start anyway
        found.append(Path(os.path.dirname(path)))
        try:
            target = os.readlink(path)
        except OSError:
            found.append(Path(path))
            break
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return tuple(dict.fromkeys(found))


def locate(python: str | None, base: Path, where: Path | None = None, line: int = 0) -> Interpreter:
    """Resolve *python* (path relative to *base*, or a command on PATH) and query it."""
    candidate = find_executable(python, base, where, line)
    if candidate in _cache:
        return _cache[candidate]
    if os.path.isdir(candidate):
        raise FroreError(f"python {candidate!r} is a folder, not an interpreter", where, line)
    info = call_worker(candidate, {"op": "identity"}, timeout=timeout_for(), where=where, line=line)
    if not isinstance(info, dict) or not {"implementation", "version", "magic"} <= set(info):
        raise FroreError(f"python {candidate!r} did not answer like a Python interpreter",
                         where, line)
    if info["implementation"] != "cpython" or tuple(info["version"][:2]) < OLDEST:
        raise FroreError(f"python {candidate!r} is {info['implementation']} "
                         f"{'.'.join(map(str, info['version']))}; frore freezes for CPython 3.8 "
                         "or newer", where, line)
    _check_tested(candidate, tuple(info["version"][:2]), where, line)
    # A command found on PATH is pinned to its real binary (a pyenv shim would cost
    # every build rule 0.1 s); a path, or frore's own interpreter, stays as named.
    on_path = python is not None and os.sep not in python and "/" not in python
    interp = _from_identity(info, candidate, named=None if on_path else candidate)
    _cache[candidate] = interp
    return interp


def _check_tested(candidate: str, version: tuple[int, ...], where: Path | None, line: int) -> None:
    """A target newer than the newest tested CPython is not frozen with a guessed
    table layout, unless the user opts in (then with the newest known layout)."""
    if version <= NEWEST_TESTED:
        return
    shown, newest = f"{version[0]}.{version[1]}", f"{NEWEST_TESTED[0]}.{NEWEST_TESTED[1]}"
    if os.environ.get(UNTESTED_OPT_IN, "").strip().lower() in ("1", "yes", "true", "on"):
        sys.stderr.write(f"frore: warning: python {candidate!r} is CPython {shown}, newer than "
                         f"the newest tested ({newest}); freezing with {newest}'s table layout "
                         f"because {UNTESTED_OPT_IN} is set\n")
        return
    raise FroreError(f"python {candidate!r} is CPython {shown}; frore is tested with CPython "
                     f"3.8 to {newest}, and a newer version may lay out its frozen-module table "
                     f"differently.  To freeze for it with {newest}'s layout anyway, set "
                     f"{UNTESTED_OPT_IN}=1", where, line)


def _from_identity(info: dict[str, Any], candidate: str, named: str | None) -> Interpreter:
    from .model import Interpreter

    real = info["executable"] or candidate
    return Interpreter(
        named=Path(named or real),
        watch=watch_paths(named or real),
        executable=Path(real),
        version=(info["version"][0], info["version"][1], info["version"][2]),
        magic=info["magic"],
        stdlib=Path(info["stdlib"]),
        include=Path(info["include"]),
        libdir=Path(info["libdir"]),
        ldversion=info["ldversion"],
    )
