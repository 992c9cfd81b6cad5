"""The frozen set as a CPython tree sees it, derived from frore's resolved model.

frore's resolve gives one record per import name.  CPython's generator adds
two things the renderers need and frore does not:

* a package expanded with ``<pkg.*>`` or ``<pkg.**.*>`` also gets an entry
  ``pkg.__init__`` (an alias of the package), placed where ``__init__.py``
  sorts among the package's directory entries;
* each module is classified: bootstrap table (by source id), test table (by
  group), or stdlib table; and aliases are described the way
  ``Python/frozen.c``'s alias table wants them.

Nothing here touches the file system except reading the tree's version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import FroreError
from ..model import FrozenModule, Resolved
from ..spec import parse_spec
from .layouts import LAYOUTS, Layout

OPTION_KEYS = {"bootstrap", "test-groups", "frozen-modules", "meson"}


@dataclass(frozen=True)
class Options:
    """The manifest's ``[cpython]`` table."""

    bootstrap: frozenset[str]       # source ids that go to the bootstrap table
    test_groups: frozenset[str]     # groups whose modules go to the test table
    frozen_modules: bool            # also #include the headers (freeze_modules.py --frozen-modules)
    meson: Path | None              # where to write the Meson fragment, if anywhere


@dataclass(frozen=True)
class CModule:
    """One row of a frozen.c table."""

    name: str
    source_id: str
    source: Path
    is_package: bool                # the table's is_package column
    group: str
    line: int


@dataclass(frozen=True)
class CSource:
    """One frozen source: one header, one Make rule, one vcxproj item."""

    id: str
    source: Path
    rel: str                        # '/'-separated, relative to the tree
    bootstrap: bool

    @property
    def header(self) -> str:
        """The header the tree's _freeze_module writes, relative to the tree."""
        return f"Python/frozen_modules/{self.id}.h"

    @property
    def code_name(self) -> str:
        """CPython's mangling: deepfreeze's _Py_get_<code_name>_toplevel."""
        return self.id.replace(".", "_")

    @property
    def symbol(self) -> str:
        """The byte array name in the header (_freeze_module's mangling)."""
        return "_Py_M__" + self.code_name


@dataclass(frozen=True)
class FrozenSet:
    tree: Path
    layout: Layout                  # what this tree's version writes
    options: Options
    modules: tuple[CModule, ...]
    sources: tuple[CSource, ...]
    manifest: Path

    @property
    def includes_headers(self) -> bool:
        """frozen.c #includes the headers and its rows point at their bytes: always
        without deep-freeze, with it only when asked (``--frozen-modules``)."""
        return self.options.frozen_modules or self.layout.deepfreeze is None

    def source(self, module: CModule) -> CSource:
        return self._by_id[module.source_id]

    @property
    def _by_id(self) -> dict[str, CSource]:
        return {s.id: s for s in self.sources}

    def table(self, module: CModule) -> str:
        """'bootstrap', 'test' or 'stdlib': which frozen.c table holds *module*."""
        if module.source_id in self.options.bootstrap:
            return "bootstrap"
        if module.group in self.options.test_groups:
            return "test"
        return "stdlib"

    def alias_target(self, module: CModule) -> tuple[bool, str | None]:
        """(is an alias, what the alias table says it aliases).

        A module is an alias when its import name differs from its source's
        module name; a source outside ``Lib`` has no module name, so its
        entries alias None (frozen-only).  A package source is written
        ``<name``.
        """
        src = self.source(module)
        in_lib = src.source.is_relative_to(self.tree / "Lib")
        orig = src.id if in_lib else None
        if orig is not None and module.name == orig:
            return False, None
        if orig is None:
            return True, None
        if src.source.name == "__init__.py" and not src.id.endswith(".__init__"):
            return True, "<" + orig
        return True, orig


def tree_version(tree: Path) -> tuple[int, int]:
    """(major, minor) from Include/patchlevel.h: which layout of the files to write."""
    header = tree / "Include" / "patchlevel.h"
    try:
        text = header.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise FroreError(f"{tree} is not a CPython source tree (no Include/patchlevel.h); "
                         f"name the tree with --tree or the manifest's `tree`") from None
    found = {k: int(v) for k, v in re.findall(
        r"#define\s+PY_(MAJOR|MINOR)_VERSION\s+(\d+)", text)}
    if set(found) != {"MAJOR", "MINOR"}:
        raise FroreError("cannot read PY_MAJOR_VERSION/PY_MINOR_VERSION", header)
    return found["MAJOR"], found["MINOR"]


def options_of(resolved: Resolved, layout: Layout) -> Options:
    manifest = resolved.manifest
    raw = manifest.flavor_options

    def fail(message: str) -> FroreError:
        return FroreError(f"[cpython]: {message}", manifest.path, _key_line(manifest.path, "cpython"))

    for key in raw:
        if key not in OPTION_KEYS:
            raise fail(f"unknown key {key!r} (known keys: {', '.join(sorted(OPTION_KEYS))})")
    lists = {}
    for key in ("bootstrap", "test-groups"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail(f"{key!r} must be a list of strings")
        lists[key] = frozenset(value)
    frozen = raw.get("frozen-modules", False)
    if not isinstance(frozen, bool):
        raise fail("'frozen-modules' must be true or false")
    if "frozen-modules" in raw and layout.deepfreeze is None:
        raise fail(f"'frozen-modules' chooses between deep-frozen and frozen modules, and "
                   f"CPython {layout.name} has no deep-freeze (its frozen.c always includes the "
                   f"headers): remove the key")
    meson = raw.get("meson")
    if meson is not None and (not isinstance(meson, str) or not meson):
        raise fail("'meson' must be a path relative to the tree")
    groups = {g.name for g in manifest.groups}
    for name in sorted(lists["test-groups"] - groups):
        raise fail(f"'test-groups' names {name!r}, which is not a [[group]]")
    ids = {m.source_id for m in resolved.modules}
    for name in sorted(lists["bootstrap"] - ids):
        raise fail(f"'bootstrap' names {name!r}, which no group freezes")
    return Options(bootstrap=lists["bootstrap"], test_groups=lists["test-groups"],
                   frozen_modules=frozen,
                   meson=(manifest.root / meson).absolute() if meson else None)


def build(resolved: Resolved) -> FrozenSet:
    manifest = resolved.manifest
    tree = manifest.root
    layout = LAYOUTS[tree_version(tree)]
    options = options_of(resolved, layout)
    modules = tuple(_with_init_aliases(resolved))
    sources: dict[str, CSource] = {}
    code_names: dict[str, str] = {}
    for m in modules:
        if m.source_id in sources:
            continue
        if not m.source.is_relative_to(tree):
            raise FroreError(f"{m.source_id!r} comes from {m.source}, outside the CPython tree "
                             f"{tree}: the tree's build rules name sources relative to it",
                             manifest.path, m.line)
        if not m.source_id.isascii() or not m.name.isascii():
            raise FroreError(f"{m.name!r}: the CPython tree's C symbols need ASCII module names",
                             manifest.path, m.line)
        src = CSource(id=m.source_id, source=m.source,
                      rel=m.source.relative_to(tree).as_posix(),
                      bootstrap=m.source_id in options.bootstrap)
        other = code_names.setdefault(src.code_name, src.id)
        if other != src.id:
            raise FroreError(f"{src.id!r} and {other!r} both become the C name "
                             f"{layout.c_name(src.code_name)} (CPython maps '.' to '_')",
                             manifest.path, m.line)
        sources[m.source_id] = src
    return FrozenSet(tree=tree, layout=layout, options=options, modules=modules,
                     sources=tuple(sources.values()), manifest=manifest.path)


def _with_init_aliases(resolved: Resolved) -> Iterator[CModule]:
    """Resolved modules in order, each glob-expanded package followed in place by its
    ``pkg.__init__`` alias, as CPython's generator lists them."""
    pending = list(resolved.modules)
    at = 0
    for group in resolved.manifest.groups:
        for entry in group.entries:
            head = pending[at]
            at += 1
            spec = parse_spec(entry.spec)
            if not spec.submodules:
                yield _row(head)
                continue
            members = [head]
            prefix = head.name + "."
            while (at < len(pending) and pending[at].line == entry.line
                   and pending[at].group == group.name and pending[at].name.startswith(prefix)):
                members.append(pending[at])
                at += 1
            yield from _package_rows(members, recursive=spec.submodules == "**")
    if at != len(pending):  # pragma: no cover - resolve's contract changed
        raise AssertionError("resolved modules do not line up with manifest entries")


def _package_rows(members: list[FrozenModule], recursive: bool) -> Iterator[CModule]:
    children: dict[str, list[FrozenModule]] = {}
    for m in members[1:]:
        children.setdefault(m.name.rpartition(".")[0], []).append(m)

    def entry_name(m: FrozenModule) -> str:
        """The directory entry CPython sorted by: 'x.py' for a module, 'x' for a package."""
        return m.source.parent.name if m.source.name == "__init__.py" else m.source.name

    def walk(package: FrozenModule, top: bool) -> Iterator[CModule]:
        yield _row(package)
        if not (top or recursive) or package.source.name != "__init__.py":
            return
        init = CModule(name=package.name + ".__init__", source_id=package.source_id,
                       source=package.source, is_package=False, group=package.group,
                       line=package.line)
        kids: list[tuple[str, FrozenModule | CModule]] = [
            (entry_name(k), k) for k in children.get(package.name, [])]
        kids.append(("__init__.py", init))
        for _, kid in sorted(kids, key=lambda pair: pair[0]):
            if isinstance(kid, CModule):
                yield kid
            else:
                yield from walk(kid, False)

    yield from walk(members[0], True)


def _row(m: FrozenModule) -> CModule:
    return CModule(name=m.name, source_id=m.source_id, source=m.source,
                   is_package=m.is_package, group=m.group, line=m.line)



def _key_line(path: Path, key: str) -> int:
    """Line of ``[key]`` in the manifest, for error messages."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*\[\s*{re.escape(key)}\s*\]", line):
            return number
    return 0
