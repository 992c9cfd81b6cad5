"""What one run writes, checked before anything is written; and the record of it.

Every output joins a :class:`Plan` with the *role* that chose its path (the
header of a module, ``output.table``, ``frore gen meson -o``) and the manifest
line behind that choice.  The plan refuses, before a byte is written:

* two outputs at one path (``output.table``'s header is a module's header);
* an output that is an input (the manifest, a module's source);
* a path where something other than a regular file stands (a folder, a FIFO,
  a symbolic link): it is not frore's to replace.

The *record* (``.<table>.frore-record`` beside the module table) lists what a
manifest's ``regen`` wrote, with a SHA-256 of each file.  It is how regen
knows which files are its own to remove when a module leaves the manifest
(never by a file name pattern: a copy of a header, or another manifest's
header in a shared folder, stays), and how ``check`` sees any change to an
output's bytes without recompiling.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import FroreError, display_path
from .write import existing

RECORD_SUFFIX = ".frore-record"
RECORD_FORMAT = 1


@dataclass
class Output:
    path: Path
    data: bytes | str | None      # None: verified current, nothing to write
    role: str                     # what chose this path, for messages
    line: int = 0                 # the manifest line behind that choice


class Plan:
    """Outputs in write order; the last one marks a complete run (see ``write_all``)."""

    def __init__(self, manifest: Path) -> None:
        self.manifest = manifest
        self.outputs: dict[Path, Output] = {}
        self._real: dict[str, Output] = {}

    def add(self, path: Path, data: bytes | str | None, role: str, line: int = 0) -> None:
        path = Path(os.path.normpath(os.path.abspath(path)))
        real = os.path.realpath(path)
        other = self._real.get(real)
        if other is not None:
            raise FroreError(f"{role} would write {display_path(path)}, which is already "
                             f"{other.role}: give one of them another path",
                             self.manifest, line or other.line)
        out = Output(path, data, role, line)
        self.outputs[path] = self._real[real] = out

    def discard(self, path: Path) -> None:
        """Forget an output after all (an array sibling a small module does not need)."""
        out = self.outputs.pop(Path(os.path.normpath(os.path.abspath(path))), None)
        if out is not None:
            self._real.pop(os.path.realpath(out.path), None)

    def __contains__(self, path: Path) -> bool:
        return os.path.realpath(path) in self._real

    def files(self) -> dict[Path, bytes | str]:
        """Outputs with content to write, in order."""
        return {o.path: o.data for o in self.outputs.values() if o.data is not None}

    def guard(self, inputs: dict[Path, str]) -> None:
        """Refuse an output that is an input, or that stands where a non-file is."""
        real_inputs = {os.path.realpath(p): role for p, role in inputs.items()}
        for out in self.outputs.values():
            role = real_inputs.get(os.path.realpath(out.path))
            if role is not None:
                raise FroreError(f"{out.role} would write {display_path(out.path)}, which is "
                                 f"{role}: frore never overwrites its inputs",
                                 self.manifest, out.line)
            try:
                existing(out.path)
            except FroreError as exc:
                raise FroreError(f"{out.role} would replace {display_path(out.path)}, which "
                                 f"{exc.message}", self.manifest, out.line) from None
            blocker = _file_in_the_way(out.path)
            if blocker is not None:
                raise FroreError(f"{out.role} would be written below {display_path(blocker)}, "
                                 "which is a file, not a folder", self.manifest, out.line)


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of *path*, when it is not a folder."""
    for parent in path.parents:
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
    return None


def digest(data: bytes | str) -> str:
    import hashlib

    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes; None when it is absent or unreadable."""
    try:
        if existing(path) is None:
            return None
        with open(path, "rb") as f:
            return digest(f.read())
    except (OSError, FroreError):
        return None


def record_path(table: Path) -> Path:
    """Beside the module table, named after it: one record per manifest, since two
    manifests that shared a table would overwrite each other anyway."""
    return table.parent / f".{table.stem}{RECORD_SUFFIX}"


@dataclass
class Record:
    """What a manifest's earlier regen wrote: its files and their SHA-256."""

    path: Path
    manifest: Path | None
    files: dict[Path, str]


def read_record(path: Path) -> Record | None:
    """The record at *path*; None when there is none or it cannot be read as one
    (a damaged record only costs a recompile: it is rewritten)."""
    try:
        if existing(path) is None:
            return None
        with open(path, "rb") as f:
            import json

            data = json.loads(f.read().decode("utf-8"))
        if data.get("frore-record") != RECORD_FORMAT:
            return None
        folder = path.parent
        manifest = data.get("manifest")
        files = {Path(os.path.normpath(folder / name)): str(sha)
                 for name, sha in dict(data.get("outputs", {})).items()}
        return Record(path, Path(os.path.normpath(folder / manifest)) if manifest else None, files)
    except (OSError, ValueError, TypeError, AttributeError, FroreError):
        return None


def render_record(path: Path, manifest: Path, files: dict[Path, str]) -> str:
    """JSON naming every path relative to the record's folder: the same bytes in
    every checkout, like every other output."""
    folder = path.parent

    def rel(p: Path) -> str:
        return os.path.relpath(p, folder).replace(os.sep, "/")

    data = {"frore-record": RECORD_FORMAT, "manifest": rel(manifest),
            "outputs": {rel(p): sha for p, sha in sorted(files.items(), key=lambda kv: rel(kv[0]))}}
    import json

    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def records_beside(folder: Path, but: Path) -> list[Record]:
    """Other manifests' records in *folder*: their files are not ours to remove."""
    found: list[Record] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(RECORD_SUFFIX)]
    except OSError:
        return found
    for name in sorted(names):
        path = folder / name
        if path != but:
            record = read_record(path)
            if record is not None:
                found.append(record)
    return found
