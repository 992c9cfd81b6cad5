"""Turn a Manifest into the ordered list of FrozenModule records.

This is the only stage that looks for source files; everything after it
reads the records.  Package globs are expanded in sorted order so the table
is the same on every machine and file system.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .errors import FroreError
from .model import Entry, FrozenModule, Interpreter, Manifest, Resolved
from .naming import header_name
from .spec import SpecError, parse_spec

STDLIB_TOKEN = "{stdlib}"


def resolve(manifest: Manifest, python_override: str | None = None,
            need_interpreter: bool = True) -> Resolved:
    """The manifest's modules, found; the target interpreter is located (one
    process start) unless *need_interpreter* is false and nothing asks for it:
    no ``--python`` and no ``{stdlib}`` in the search path."""
    interp: Interpreter | None = None
    if python_override is not None or need_interpreter or any(
            STDLIB_TOKEN in p for p in manifest.search_path):
        from .interpreter import locate  # subprocess & co.: not for the cpython flavor

        if python_override is not None:
            interp = locate(python_override, Path.cwd())
        else:
            interp = locate(manifest.python, manifest.root, manifest.path, manifest.python_line)
    roots = search_roots(manifest, interp)
    finder = _Finder(roots, manifest)
    modules: list[FrozenModule] = []
    by_name: dict[str, FrozenModule] = {}
    headers: dict[str, str] = {}   # case-folded header name -> source id

    for group in manifest.groups:
        for entry in group.entries:
            for name, source_id, source, is_package in finder.expand(entry):
                if name in by_name:
                    first = by_name[name]
                    raise FroreError(f"duplicate frozen name {name!r} (first declared on line "
                                     f"{first.line})", manifest.path, entry.line)
                header = manifest.outputs.headers / header_name(source_id)
                folded = header.name.casefold()
                if headers.setdefault(folded, source_id) != source_id:
                    raise FroreError(f"{source_id!r} and {headers[folded]!r} would share the header "
                                     f"file name {header.name!r} on case-insensitive file systems",
                                     manifest.path, entry.line)
                module = FrozenModule(name=name, source_id=source_id, source=source,
                                      is_package=is_package, group=group.name,
                                      header=header, line=entry.line, optimize=group.optimize)
                by_name[name] = module
                modules.append(module)
    _check_shared_sources(modules, manifest)
    return Resolved(manifest=manifest, target=interp, modules=tuple(modules),
                    search_path=tuple(roots))


def search_roots(manifest: Manifest, interp: Interpreter | None) -> list[Path]:
    roots = []
    for raw in manifest.search_path:
        path = raw.replace(STDLIB_TOKEN, str(interp.stdlib)) if interp else raw
        root = (manifest.root / path).absolute()
        if not root.is_dir():
            raise FroreError(f"search-path entry {raw!r} is not a directory ({root})",
                             manifest.path, manifest.search_path_line)
        roots.append(Path(os.path.normpath(root)))
    return roots


def _check_shared_sources(modules: list[FrozenModule], manifest: Manifest) -> None:
    """Two different source ids must not claim different files under one header."""
    sources: dict[str, FrozenModule] = {}
    for m in modules:
        first = sources.setdefault(m.source_id, m)
        if first.source != m.source:
            raise FroreError(f"{m.source_id!r} is frozen from two files: {first.source} "
                             f"(line {first.line}) and {m.source}", manifest.path, m.line)
        if first.optimize != m.optimize:
            raise FroreError(f"{m.source_id!r} is frozen with optimize={first.optimize} (line "
                             f"{first.line}) and optimize={m.optimize}: one source has one "
                             "header", manifest.path, m.line)


class _Finder:
    def __init__(self, roots: list[Path], manifest: Manifest) -> None:
        self.roots = roots
        self.manifest = manifest

    def fail(self, entry: Entry, message: str) -> FroreError:
        return FroreError(message, self.manifest.path, entry.line)

    def find(self, name: str, entry: Entry) -> tuple[Path, bool]:
        """(source file, is_package) of *name*, searching roots in order like sys.path."""
        parts = name.split(".")
        for root in self.roots:
            base = root.joinpath(*parts)
            init = base / "__init__.py"
            if init.is_file():
                return init, True
            module = base.with_name(parts[-1] + ".py")
            if module.is_file():
                return module, False
        shown = ", ".join(str(r) for r in self.roots)
        raise self.fail(entry, f"module {name!r} not found in the search path ({shown})")

    def expand(self, entry: Entry) -> Iterator[tuple[str, str, Path, bool]]:
        """Yield (frozen name, source id, source path, is_package) for one entry."""
        try:
            spec = parse_spec(entry.spec)
        except SpecError as exc:
            raise self.fail(entry, str(exc)) from None

        if spec.path is not None:
            source = (self.manifest.root / spec.path).absolute()
            if not source.is_file():
                raise self.fail(entry, f"source file {spec.path!r} does not exist")
            is_package = spec.package or spec.alias_is_package or source.name == "__init__.py"
            yield spec.frozen_as or spec.source, spec.source, Path(os.path.normpath(source)), is_package
            return

        source, is_package = self.find(spec.source, entry)
        if spec.package and not is_package:
            raise self.fail(entry, f"{spec.source!r} is a module, not a package "
                                   f"(drop the '<...>' or point it at a package)")
        name = spec.frozen_as or spec.source
        yield name, spec.source, source, is_package or spec.alias_is_package
        if spec.submodules:
            for sub_id, sub_path, sub_is_pkg in self._submodules(
                    spec.source, source.parent, spec.submodules == "**", entry):
                sub_name = name + sub_id[len(spec.source):]
                yield sub_name, sub_id, sub_path, sub_is_pkg

    def _submodules(self, package: str, directory: Path, recursive: bool, entry: Entry,
                    seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, Path, bool]]:
        """Direct (or all) submodules of a package directory, sorted by name.

        A symbolic link that leads back into a package being walked would make
        a recursive glob endless; it is refused, naming the link.
        """
        here = os.path.realpath(directory)
        seen = seen | {here}
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise self.fail(entry, f"cannot list {directory}: {exc.strerror}") from None
        for item in entries:
            kind = _kind(item)
            if kind == "file" and item.name.endswith(".py") and item.name != "__init__.py":
                stem = item.name[:-3]
                if stem.isidentifier():
                    yield f"{package}.{stem}", Path(item.path), False
            elif kind == "dir" and item.name.isidentifier() and os.path.isfile(
                    os.path.join(item.path, "__init__.py")):
                sub = f"{package}.{item.name}"
                yield sub, Path(item.path) / "__init__.py", True
                if recursive:
                    if os.path.realpath(item.path) in seen:
                        raise self.fail(entry, f"{item.path} leads back into a package this "
                                               f"glob already walks (a symbolic link loop)")
                    yield from self._submodules(sub, Path(item.path), True, entry, seen)


def _kind(item: os.DirEntry[str]) -> str | None:
    """'file', 'dir' (following links) or None: a dangling link, a link loop, a FIFO
    or a socket is neither, and is skipped like any other non-module entry."""
    try:
        if item.is_file():
            return "file"
        if item.is_dir():
            return "dir"
    except OSError:
        pass
    return None
