"""Plain data passed between stages: manifest → resolve → freeze → emit → backends.

Nothing here does I/O.  Every later stage reads only these records, which is
what lets the backends agree with each other byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .naming import HEADER_SUFFIX, header_name  # noqa: F401  (re-exported)

STAMP_NAME = ".frore-freezer"


@dataclass(frozen=True)
class Entry:
    """One string of a group's ``modules`` list, with where it was written."""

    spec: str
    line: int


@dataclass(frozen=True)
class Group:
    name: str
    entries: tuple[Entry, ...]
    line: int
    # Compile as -O (1) or -OO (2) would: no asserts; no docstrings either.
    optimize: int = 0


@dataclass(frozen=True)
class Outputs:
    """Where generated files go; absolute paths (resolved against the manifest)."""

    headers: Path
    table: Path                 # the module table .c; its .h sits beside it
    make: Path | None           # GNU Make fragment, or None to skip
    # Manifest line of each `output.*` key (of [output] when the key is absent;
    # 0 without [output]), so errors about an output point at what chose it.
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def table_header(self) -> Path:
        return self.table.with_suffix(".h")

    @property
    def stamp(self) -> Path:
        """The freezer stamp: its content names the bytecode (see :func:`stamp_text`);
        build rules make every header depend on it."""
        return self.headers / STAMP_NAME


@dataclass(frozen=True)
class Manifest:
    path: Path                  # absolute path of frozen.toml
    python: str | None          # as written; None means "the interpreter running frore"
    python_line: int
    search_path: tuple[str, ...]
    search_path_line: int
    outputs: Outputs
    groups: tuple[Group, ...]
    # Output flavor: "embed" (headers + module table) or "cpython" (rewrites a
    # CPython source tree's own build files; see frore/cpython/).
    flavor: str = "embed"
    flavor_line: int = 0
    # The flavor's own settings table (e.g. ``[cpython]``), validated by the flavor.
    flavor_options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # cpython flavor: the source tree; search-path and '= path' entries resolve against it.
    tree: Path | None = None

    @property
    def root(self) -> Path:
        """The folder that relative paths of entries and search-path resolve against."""
        return self.tree if self.tree is not None else self.path.parent


@dataclass(frozen=True)
class Interpreter:
    """The target interpreter: whose bytecode and marshal format are frozen."""

    executable: Path
    version: tuple[int, int, int]
    magic: str                  # hex of importlib.util.MAGIC_NUMBER
    stdlib: Path
    include: Path               # where Python.h is, for embedders' compile flags
    libdir: Path                # where libpythonX.Y is
    ldversion: str              # "3.11" (with ABI flags where a build has them)
    # The interpreter as the manifest names it (a venv's bin/python, say), absolute;
    # build rules that cannot regenerate themselves run this one, not the real binary.
    named: Path | None = None
    # Files and folders whose change means `named` may now be another interpreter
    # (a venv re-created, a symbolic link re-pointed): build rules depend on them.
    watch: tuple[Path, ...] = ()

    @property
    def minor(self) -> tuple[int, int]:
        return self.version[0], self.version[1]

    def stamp_text(self) -> str:
        """What decides the bytecode of every header: when it changes, build rules
        re-freeze them all, and nothing else does."""
        from .header import stamp_text

        return stamp_text(self.minor, self.magic)


@dataclass(frozen=True)
class FrozenModule:
    """One entry of the module table.

    ``source_id`` is the module whose code is frozen (it names the header and
    the ``<frozen ...>`` filename); ``name`` is what ``import`` finds.  They
    differ only for aliases (``posixpath : os.path``).
    """

    name: str
    source_id: str
    source: Path
    is_package: bool
    group: str
    header: Path
    line: int                   # manifest line that declared it
    optimize: int = 0           # its group's optimisation level (0, 1 or 2)

    @property
    def alias_of(self) -> str | None:
        return self.source_id if self.source_id != self.name else None


@dataclass(frozen=True)
class Resolved:
    """Everything downstream needs: the manifest, its interpreter, its modules."""

    manifest: Manifest
    # None when the run needs no interpreter: the cpython flavor only rewrites
    # the tree's files (the tree's own build freezes), so frore does not probe one.
    target: Interpreter | None
    modules: tuple[FrozenModule, ...]
    search_path: tuple[Path, ...] = field(default=())
    # How build rules run frore: this very interpreter (never a PATH lookup or
    # a shim), e.g. ("/venv/bin/python", "-m", "frore").
    frore: tuple[str, ...] = ()

    @property
    def interpreter(self) -> Interpreter:
        if self.target is None:
            raise RuntimeError("this run located no target interpreter")
        return self.target

    def inputs(self) -> dict[Path, str]:
        """Every file this run reads, with what it is: no output may be one of them."""
        found = {self.manifest.path: "the manifest"}
        for m in self.modules:
            found.setdefault(m.source, f"the source of module {m.source_id!r}")
        return found

    def units(self) -> list[FrozenModule]:
        """One module per header (aliases share their source's header), in table order."""
        seen: dict[str, FrozenModule] = {}
        for m in self.modules:
            seen.setdefault(m.source_id, m)
        return list(seen.values())


def relocate(resolved: Resolved, headers: Path, table: Path | None = None) -> Resolved:
    """The same model with generated files placed under *headers* (e.g. a build dir).

    Out-of-tree builds (Meson, CMake) keep generated files in their build
    folder; header *contents* do not depend on where they are written.
    """
    from dataclasses import replace

    outputs = Outputs(headers=headers, table=table or headers / resolved.manifest.outputs.table.name,
                      make=None, lines=resolved.manifest.outputs.lines)
    manifest = replace(resolved.manifest, outputs=outputs)
    modules = tuple(replace(m, header=headers / m.header.name) for m in resolved.modules)
    return replace(resolved, manifest=manifest, modules=modules)
