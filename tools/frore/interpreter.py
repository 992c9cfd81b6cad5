"""Find the target interpreter and ask it who it is (version, magic number, stdlib).

The answer comes from running the interpreter itself, so a pyenv shim or a
bare command name is replaced by the real binary: build rules then name the
real path and skip the shim's start-up cost.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FroreError

if TYPE_CHECKING:
    from .model import Interpreter

WORKER = Path(__file__).with_name("_worker.py")
_cache: dict[str, Interpreter] = {}


def worker_command(executable: Path | str) -> list[str]:
    """How to start the freezing worker under *executable*: isolated, no site."""
    return [str(executable), "-I", "-S", str(WORKER)]


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


def locate(python: str | None, base: Path, where: Path | None = None, line: int = 0) -> Interpreter:
    """Resolve *python* (path relative to *base*, or a command on PATH) and query it."""
    candidate = find_executable(python, base, where, line)
    if candidate in _cache:
        return _cache[candidate]
    try:
        proc = subprocess.run(worker_command(candidate), input=marshal.dumps({"op": "identity"}),
                              capture_output=True, timeout=60)
    except OSError as exc:
        raise FroreError(f"cannot run python {candidate!r}: {exc.strerror}", where, line) from None
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise FroreError(f"python {candidate!r} failed to start: {tail[0]}", where, line)
    info = marshal.loads(proc.stdout)
    if info["implementation"] != "cpython" or tuple(info["version"][:2]) < (3, 8):
        raise FroreError(f"python {candidate!r} is {info['implementation']} "
                         f"{'.'.join(map(str, info['version']))}; frore freezes for CPython 3.8 or newer",
                         where, line)
    interp = _from_identity(info, candidate)
    _cache[candidate] = interp
    return interp


def _from_identity(info: dict, candidate: str) -> Interpreter:
    from .model import Interpreter

    return Interpreter(
        executable=Path(info["executable"] or candidate),
        version=tuple(info["version"]),  # type: ignore[arg-type]
        magic=info["magic"],
        stdlib=Path(info["stdlib"]),
        include=Path(info["include"]),
        libdir=Path(info["libdir"]),
        ldversion=info["ldversion"],
    )
