"""manifest → resolve → freeze → emit → backends, as one :class:`~frore.outputs.Plan`
of every output; ``regen`` writes it, ``check`` compares it.

All outputs are computed, and checked against the inputs, before anything is
written, so a manifest error or a syntax error in any source leaves every
existing file untouched.  The write order makes an interrupted run visible to
the build: the Make fragment, which Make compares against the manifest, is
renamed into place last.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from . import manifest as manifest_mod
from .errors import FroreError, display_path
from .model import Resolved
from .outputs import RECORD_SUFFIX, Plan
from .resolve import resolve
from .write import existing, read_bytes, remove_stale_temporaries, write_all

if TYPE_CHECKING:
    from types import ModuleType

    from .outputs import Record


def load(manifest_path: str | Path, python: str | None = None,
         tree: str | Path | None = None, need_interpreter: bool = False) -> Resolved:
    """Read and resolve the manifest; *tree* (``--tree``) overrides its ``tree`` key.
    The target interpreter is located when the flavor freezes (embed) or
    *need_interpreter* says so."""
    manifest = manifest_mod.load(manifest_path)
    if tree is not None:
        if manifest.flavor != "cpython":
            raise FroreError("--tree needs a manifest with flavor = \"cpython\"", manifest.path,
                             manifest.flavor_line)
        manifest = replace(manifest, tree=Path(tree).absolute())
    if manifest.flavor != "embed":
        _flavor(manifest.flavor).prepare(manifest)   # e.g. "is this a CPython tree?"
    resolved = resolve(manifest, python, need_interpreter or manifest.flavor == "embed")
    return replace(resolved, frore=(sys.executable, "-m", "frore"))


def _flavor(name: str) -> ModuleType:
    import importlib
    return importlib.import_module(f"frore.{name}")


@dataclass
class RegenPlan:
    """What regen would write, and the files of earlier runs it would remove."""

    plan: Plan
    strays: list[Path] = field(default_factory=list)


def plan(resolved: Resolved, jobs: int | None = None, force: bool = False,
         progress: Callable[[int, int], None] | None = None) -> RegenPlan:
    if resolved.manifest.flavor != "embed":
        return _flavor_plan(resolved)
    # Freezing's stages, imported here: the cpython flavor never needs them.
    from . import backends, emit_c, header
    from .freeze import Job, freeze_all
    from .outputs import digest, file_digest, read_record, record_path, records_beside, render_record

    manifest = resolved.manifest
    outputs = manifest.outputs
    lines = outputs.lines
    interp = resolved.interpreter
    record_file = record_path(outputs.table)
    old = read_record(record_file)
    _claim_table(old, resolved, lines.get("table", 0))

    # Every path first, so a clash with an input or a non-file stops the run
    # before anything is compiled.
    result = Plan(manifest.path)
    # Write order: what Make compares must not come out older than what it depends
    # on (stamp, then headers, then the table), and the fragment, which Make checks
    # against the manifest, comes last so an interrupted run is redone.
    result.add(outputs.stamp, None, "the freezer stamp", lines.get("headers", 0))
    units = sorted(resolved.units(), key=lambda u: str(u.header))
    siblings = {u.source_id: u.header.with_name(header.msvc_name(u.source_id)) for u in units}
    for unit in units:
        # The array sibling (large modules only) is known after freezing; until then
        # its path is claimed too, so a file of somebody else's there stops the run.
        result.add(siblings[unit.source_id], None,
                   f"the MSVC array of module {unit.source_id!r}", unit.line)
        result.add(unit.header, None, f"the header of module {unit.source_id!r}", unit.line)
    emit_c.check_includes(resolved)
    tables = emit_c.table_files(resolved)
    for path in tables:
        role = ("output.table" if path == outputs.table else "output.table's header"
                if path == outputs.table_header else "a part of output.table")
        result.add(path, None, role, lines.get("table", 0))
    result.add(record_file, None, "the output record", lines.get("table", 0))
    if outputs.make is not None:
        result.add(outputs.make, None, "output.make", lines.get("make", 0))
    result.guard(resolved.inputs())

    digests: dict[Path, str] = {}
    todo: list[Job] = []
    keys: dict[str, str] = {}
    by_id = {u.source_id: u for u in units}
    for unit in units:
        try:
            source = unit.source.read_bytes()
        except OSError as exc:
            raise FroreError(f"cannot read source: {exc.strerror}", unit.source) from None
        key = header.header_key(unit.source_id, source, interp.magic, unit.optimize)
        sibling = siblings[unit.source_id]
        recorded = old.files.get(unit.header) if old else None
        recorded_sibling = old.files.get(sibling) if old else None
        if (not force and recorded and header.read_key_from(str(unit.header)) == key
                and file_digest(unit.header) == recorded
                and (recorded_sibling is None or file_digest(sibling) == recorded_sibling)):
            digests[unit.header] = recorded          # current, and verified whole
            if recorded_sibling is None:
                result.discard(sibling)
            else:
                digests[sibling] = recorded_sibling
        else:
            keys[unit.source_id] = key
            todo.append(Job(unit.source_id, unit.source, len(source), unit.optimize))

    def render(source_id: str, data: bytes) -> None:
        unit = by_id[source_id]
        rendered = header.render(source_id, data, interp.minor, keys[source_id], unit.optimize)
        result.outputs[unit.header].data = rendered.pop(unit.header.name)
        if rendered:
            result.outputs[siblings[source_id]].data = rendered.pop(siblings[source_id].name)
        else:
            result.discard(siblings[source_id])

    freeze_all(interp, todo, jobs, progress if len(todo) > 1 else None, on_result=render)

    for path, text in tables.items():
        result.outputs[path].data = text
    result.outputs[outputs.stamp].data = interp.stamp_text()
    if outputs.make is not None:
        fragment = backends.get("make")(resolved, outputs.make).files()
        result.outputs[outputs.make].data = fragment[outputs.make]
    for out in result.outputs.values():
        if out.data is not None:
            digests[out.path] = digest(out.data)
    digests.pop(record_file, None)
    result.outputs[record_file].data = render_record(record_file, manifest.path, digests)

    strays = []
    if old:
        others = {}
        for path in sorted(old.files):
            if path in result or existing(path) is None:
                continue
            if path.parent not in others:
                others[path.parent] = records_beside(path.parent, but=record_file)
            if not any(path in r.files for r in others[path.parent]):
                strays.append(path)
    return RegenPlan(result, strays)


def _claim_table(old: Record | None, resolved: Resolved, line: int) -> None:
    """Refuse to take over a table that another, still existing manifest writes."""
    if old is None or old.manifest is None or old.manifest == resolved.manifest.path:
        return
    if old.manifest.is_file():
        table = resolved.manifest.outputs.table
        raise FroreError(f"output.table {display_path(table)} belongs to the manifest "
                         f"{display_path(old.manifest)} (see {display_path(old.path)}): give each "
                         "manifest its own output.table and output.make", resolved.manifest.path,
                         line)


def _flavor_plan(resolved: Resolved) -> RegenPlan:
    """Outputs of a non-embed flavor ("cpython"): the flavor package names its own files."""
    result = Plan(resolved.manifest.path)
    for path, text in _flavor(resolved.manifest.flavor).files(resolved).items():
        result.add(path, text, f"the tree file {display_path(path)}", resolved.manifest.flavor_line)
    result.guard(resolved.inputs())
    return RegenPlan(result)


Progress = Optional[Callable[[int, int], None]]


def regen(resolved: Resolved, jobs: int | None = None, force: bool = False, touch: bool = False,
          progress: Progress = None,
          report: Callable[[str, Path], None] | None = None) -> list[Path]:
    """Write every output whose content changed; remove this manifest's strays.
    Returns the changed paths."""
    result = plan(resolved, jobs, force, progress)
    folders: dict[Path, set[str]] = {}
    for path in list(result.plan.outputs) + result.strays:
        folders.setdefault(path.parent, set()).add(path.name)
    for folder, names in folders.items():
        remove_stale_temporaries(folder, names)
    removed: list[Path] = []

    def remove_strays() -> None:
        for path in result.strays:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise FroreError(f"cannot remove this file of an earlier run: {exc.strerror}",
                                 path) from None
            removed.append(path)

    changed = write_all(result.plan.files(), touch=touch, before_commit=remove_strays)
    if touch:
        for out in result.plan.outputs.values():
            if out.data is None:
                out.path.touch()
    if report:
        for path in removed:
            report("removed", path)
        for path in changed:
            if not path.name.endswith(RECORD_SUFFIX):      # bookkeeping, not an output
                report("wrote", path)
    return changed + removed


def check(resolved: Resolved, jobs: int | None = None, force: bool = False,
          progress: Progress = None) -> list[tuple[str, Path]]:
    """(reason, path) for every output that regen would change; empty when current."""
    result = plan(resolved, jobs, force, progress)
    problems = []
    for path, data in result.plan.files().items():
        current = read_bytes(path)
        if current is None:
            problems.append(("missing", path))
        elif current != (data.encode("utf-8") if isinstance(data, str) else data):
            problems.append(("stale", path))
    problems += [("stray", p) for p in result.strays]
    return problems
