"""manifest → resolve → freeze → emit → backends, as one function that returns
every output's text; ``regen`` writes it, ``check`` compares it.

All outputs are computed before anything is written, so a manifest error or
a syntax error in any source leaves every existing file untouched.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import FORMAT_VERSION, emit_c
from . import manifest as manifest_mod
from .backends.make import MakeBackend
from .errors import FroreError
from .freeze import Job, freeze_all
from .model import Resolved
from .resolve import resolve
from .write import read_text, write_if_changed

STAMP_NAME = ".frore-freezer"
HEADER_MARK = f"/* {emit_c.GENERATED_MARK}: marshalled code"


def frore_command() -> str:
    """How build rules run frore: this very interpreter, not a PATH lookup or shim."""
    return shlex.quote(sys.executable).replace("$", "$$") + " -m frore"


def load(manifest_path: str | Path, python: str | None = None,
         tree: str | Path | None = None) -> Resolved:
    """Read and resolve the manifest; *tree* (``--tree``) overrides its ``tree`` key."""
    manifest = manifest_mod.load(manifest_path)
    if tree is not None:
        from dataclasses import replace
        if manifest.flavor != "cpython":
            raise FroreError("--tree needs a manifest with flavor = \"cpython\"", manifest.path,
                             manifest.flavor_line)
        manifest = replace(manifest, tree=Path(tree).absolute())
    if manifest.flavor != "embed":
        _flavor(manifest.flavor).prepare(manifest)   # e.g. "is this a CPython tree?"
    return resolve(manifest, python)


def _flavor(name: str):
    import importlib
    return importlib.import_module(f"frore.{name}")


def flavor_files(resolved: Resolved) -> dict[Path, str]:
    """Outputs of a non-embed flavor ("cpython"): the flavor package names its own files."""
    return _flavor(resolved.manifest.flavor).files(resolved)


def stamp_path(resolved: Resolved) -> Path:
    return resolved.manifest.outputs.headers / STAMP_NAME


def stamp_text(resolved: Resolved) -> str:
    """The freezer's identity: when it changes, build rules re-freeze every header."""
    interp = resolved.interpreter
    return (f"python {interp.minor[0]}.{interp.minor[1]}\n"
            f"magic {interp.magic}\n"
            f"frore-format {FORMAT_VERSION}\n")


@dataclass
class Plan:
    """Every output path with its text, in write order (see ``regen``).

    A header whose key matches the one on disk maps to None: it is current,
    and its (possibly large) text is neither read nor rendered again.
    """

    files: dict[Path, str | None]


def plan(resolved: Resolved, jobs: int | None = None, force: bool = False,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    if resolved.manifest.flavor != "embed":
        return Plan(flavor_files(resolved))
    interp = resolved.interpreter
    units = {u.source_id: u for u in resolved.units()}
    headers: dict[Path, str | None] = {}
    keys: dict[str, str] = {}
    todo: list[Job] = []
    for unit in units.values():
        key = emit_c.header_key(unit.source_id, unit.source.read_bytes(), interp.magic)
        if not force and emit_c.read_key_from(unit.header) == key:
            headers[unit.header] = None
        else:
            keys[unit.source_id] = key
            todo.append(Job(unit.source_id, unit.source))

    def render(source_id: str, data: bytes) -> None:
        unit = units[source_id]
        headers[unit.header] = emit_c.render_header(source_id, data, interp.minor, keys[source_id])

    freeze_all(interp, todo, jobs, progress if len(todo) > 1 else None, on_result=render)

    outputs = resolved.manifest.outputs
    # Write order matters to Make: an output must not be older than one it follows.
    files: dict[Path, str | None] = {}
    if outputs.make is not None:
        files[outputs.make] = MakeBackend(resolved, outputs.make, frore_command(),
                                          stamp_path(resolved)).render()
    files[stamp_path(resolved)] = stamp_text(resolved)
    files.update(sorted(headers.items(), key=lambda kv: str(kv[0])))
    files.update(emit_c.table_files(resolved))
    return Plan(files)


def stray_headers(resolved: Resolved, planned: dict[Path, str]) -> list[Path]:
    """Headers frore wrote earlier for modules no longer in the manifest."""
    folder = resolved.manifest.outputs.headers
    if resolved.manifest.flavor != "embed" or not folder.is_dir():
        return []
    stray = []
    for path in sorted(folder.glob("*.h")):  # also pre-0.1 "<module>.h" names
        if path in planned:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            if f.read(len(HEADER_MARK)) == HEADER_MARK:
                stray.append(path)
    return stray


def regen(resolved: Resolved, jobs: int | None = None, force: bool = False, touch: bool = False,
          progress=None, report: Callable[[str, Path], None] | None = None) -> list[Path]:
    """Write every output whose content changed; remove stray headers.  Returns changed paths."""
    result = plan(resolved, jobs, force, progress)
    changed = []
    for path, text in result.files.items():
        if text is None:                      # a current header
            if touch:
                os.utime(path)
            continue
        if write_if_changed(path, text, touch=touch):
            changed.append(path)
            if report:
                report("wrote", path)
    for path in stray_headers(resolved, result.files):
        path.unlink()
        changed.append(path)
        if report:
            report("removed", path)
    return changed


def check(resolved: Resolved, jobs: int | None = None, force: bool = False,
          progress=None) -> list[tuple[str, Path]]:
    """(reason, path) for every output that regen would change; empty when current."""
    result = plan(resolved, jobs, force, progress)
    problems = []
    for path, text in result.files.items():
        if text is None:                      # a current header
            continue
        current = read_text(path)
        if current is None:
            problems.append(("missing", path))
        elif current != text:
            problems.append(("stale", path))
    problems += [("stray", p) for p in stray_headers(resolved, result.files)]
    return problems
