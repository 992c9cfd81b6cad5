"""``frore lint``: uses in the declared modules' sources that behave differently
once the module is frozen (``__file__``, ``__path__``, data files, own source...).

The analysis runs in ``_lint.py`` under the *target* interpreter (``-E -S -s -B``,
clean environment, a time limit), which parses each source with its own ``ast``
and words each finding for its own version: a frozen module sees no ``__file__``
on 3.8-3.10 but a made-up one on 3.11+.  The codes and what each reports are
listed in ``_lint.py``'s docstring.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EXIT_STALE, FroreError, display_path
from .interpreter import _spawn, timeout_for

if TYPE_CHECKING:
    from .model import Resolved

LINTER = Path(__file__).with_name("_lint.py")


@dataclass(frozen=True)
class Finding:
    """One use of a file-system location in a module's source."""

    source: Path
    module: str                 # the module whose code the source is (not an alias)
    line: int
    col: int                    # 1-based, in UTF-8 bytes
    code: str                   # FRZ000 ... FRZ006
    message: str                # one line, worded for the target version

    def render(self) -> str:
        return f"{display_path(self.source)}:{self.line}: {self.code} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"source": str(self.source), "module": self.module, "line": self.line,
                "col": self.col, "code": self.code, "message": self.message}


def linter_command(executable: Path | str) -> list[str]:
    """How to start the linter under the target interpreter."""
    return [str(executable), "-E", "-S", "-s", "-B", str(LINTER)]


def request_for(resolved: Resolved) -> dict[str, Any]:
    """One entry per distinct source file (aliases share their source's), named by
    the module whose code it is, with every name it is imported as."""
    by_source: dict[Path, dict[str, Any]] = {}
    for m in resolved.modules:
        entry = by_source.setdefault(m.source, {"name": m.source_id, "source": str(m.source),
                                                "is_package": m.is_package, "names": []})
        if m.name not in entry["names"]:
            entry["names"].append(m.name)
    return {"modules": list(by_source.values()),
            "frozen": {m.name: m.is_package for m in resolved.modules}}


def lint(resolved: Resolved) -> list[Finding]:
    """Every finding in the manifest's sources, sorted by shown path, line and column."""
    request = request_for(resolved)
    if not request["modules"]:
        return []
    executable = resolved.interpreter.executable
    size = 0
    for entry in request["modules"]:
        with contextlib.suppress(OSError):      # the linter reports what it cannot read
            size += Path(entry["source"]).stat().st_size
    status, out, message = _spawn(linter_command(executable), json.dumps(request).encode("ascii"),
                                  timeout=timeout_for(size), shown=str(executable),
                                  where=resolved.manifest.path, line=resolved.manifest.python_line)
    if status != 0:
        raise _failure(str(executable), status, message, resolved)
    try:
        rows = json.loads(out.decode("utf-8"))
        findings = [Finding(Path(r["source"]), r["module"], int(r["line"]), int(r["col"]),
                            r["code"], r["message"]) for r in rows]
    except (ValueError, KeyError, TypeError):
        preview = out[:60].decode(errors="replace").strip()
        raise FroreError(f"python {str(executable)!r} did not answer like frore's linter "
                         f"(it printed {preview!r})", resolved.manifest.path,
                         resolved.manifest.python_line) from None
    return sorted(findings, key=lambda f: (display_path(f.source), f.line, f.col, f.code))


def _failure(shown: str, status: int, message: str, resolved: Resolved) -> FroreError:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        detail = f"crashed ({name})"
    else:
        lines = message.splitlines()
        if not lines:
            detail = f"exited with status {status} and printed nothing"
        else:
            detail = "failed: " + ("\n".join(lines[:4] + ["  ..."] + lines[-6:]) if len(lines) > 12
                                   else message)
    return FroreError(f"the linter under python {shown!r} {detail}", resolved.manifest.path,
                      resolved.manifest.python_line)


def run_lint(manifest: str, python: str | None, as_json: bool) -> int:
    """``frore lint``: print every finding (``path:line: FRZnnn message``, or with
    *as_json* one JSON object); 1 when there are findings, else 0.  Manifest errors
    propagate as :class:`FroreError`."""
    from . import pipeline

    resolved = pipeline.load(manifest, python, need_interpreter=True)
    findings = lint(resolved)
    if as_json:
        interp = resolved.interpreter
        json.dump({"python": str(interp.executable),
                   "python_version": ".".join(map(str, interp.version)),
                   "findings": [f.as_dict() for f in findings]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding.render())
    return EXIT_STALE if findings else 0
