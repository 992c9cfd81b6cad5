"""What every backend shares: options, path references, and where its files go.

A backend is a renderer: it reads the resolved model and returns the text of
its build files; it never freezes, walks the file system or writes.  Paths go
into build files through :meth:`Backend.ref`: a path under the manifest's
folder is written relative to it, one in the target interpreter's standard
library relative to that, each through a variable of the build language, so
the same checkout in two places produces byte-identical build files.  Every
character of a path reaches the file through the language's writer
(:mod:`frore.writers`), which escapes it or refuses it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar

from ..errors import FroreError
from ..model import Resolved
from ..paths import posix_relpath
from ..writers import Unwritable

ROOT = "ROOT"
STDLIB = "STDLIB"


@dataclass(frozen=True)
class Option:
    """A ``KEY=VALUE`` option of ``frore gen``: what it means, and how to check a value."""

    help: str
    parse: Callable[[str], object] = str      # raises ValueError with the reason


class Backend:
    """Base for renderers: subclasses set ``name``, ``anchors`` and implement :meth:`files`."""

    name: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}
    # Build-language variable holding each anchor folder (ROOT, STDLIB).
    anchors: dict[str, str] = {}

    def __init__(self, resolved: Resolved, output: Path | None = None,
                 options: dict[str, str] | None = None) -> None:
        self.resolved = resolved
        self.manifest = resolved.manifest
        self.interpreter = resolved.interpreter
        self.settings = self.parse_options(options or {})
        self.output = Path(os.path.abspath(output if output is not None
                                           else self.default_output()))

    # -- options -----------------------------------------------------------------------

    @classmethod
    def parse_options(cls, raw: dict[str, str]) -> dict[str, object]:
        """Checked option values: one message style for every backend."""
        known = ", ".join(f"{k}=... ({o.help})" for k, o in sorted(cls.options.items())) or "none"
        parsed = {}
        for key, value in raw.items():
            option = cls.options.get(key)
            if option is None:
                raise FroreError(f"unknown {cls.name} option {key!r} (known options: {known})")
            try:
                parsed[key] = option.parse(value)
            except ValueError as exc:
                raise FroreError(f"{cls.name} option {key}={value!r}: {exc}") from None
        return parsed

    # -- where things are ----------------------------------------------------------------

    def default_output(self) -> Path:
        raise NotImplementedError

    def anchor(self, path: Path) -> tuple[str, str]:
        """(ROOT or STDLIB, '/'-separated path relative to that anchor)."""
        stdlib = self.interpreter.stdlib
        if path.is_relative_to(stdlib) and not path.is_relative_to(self.manifest.root):
            return STDLIB, posix_relpath(path, stdlib)
        return ROOT, posix_relpath(path, self.manifest.root)

    def ref(self, path: Path) -> tuple[str, str]:
        """*path* as (variable of its anchor, relative path): what writers render."""
        anchor, rel = self.anchor(path)
        return self.anchors[anchor], rel

    def root_from_output(self) -> str:
        """The manifest folder, relative to the folder of the build file ('' or 'x/')."""
        rel = posix_relpath(self.manifest.root, self.output.parent)
        return "" if rel == "." else rel + "/"

    # -- refusals ------------------------------------------------------------------------

    def refusal(self, exc: Unwritable) -> FroreError:
        """A manifest error for a path the build language cannot hold, at the line that
        chose it: a module's entry, ``python``, ``[output]`` or ``search-path``."""
        m = self.manifest
        lines = m.outputs.lines
        interp = self.interpreter
        candidates: list[tuple[Path, str, int]] = [
            (mod.source, f"the source of module {mod.source_id!r}", mod.line)
            for mod in self.resolved.modules]
        candidates += [(p, "the interpreter's path", m.python_line)
                       for p in (interp.named, interp.executable, *interp.watch, interp.include,
                                 interp.libdir, interp.stdlib) if p is not None]
        candidates += [(m.outputs.headers, "output.headers", lines.get("headers", 0)),
                       (m.outputs.table, "output.table", lines.get("table", 0)),
                       (self.output, "the build file", lines.get("make", 0)),
                       (m.path, "the manifest's path", 0)]
        what, line = "a path", 0
        for path, role, where in candidates:
            if exc.char in str(path):
                what, line = f"{role} ({path})", where
                break
        return FroreError(f"{what} holds {exc.char!r}, which {exc.language} cannot express "
                          f"here: {exc.reason}", m.path, line or m.search_path_line)

    # -- rendering -----------------------------------------------------------------------

    def files(self) -> dict[Path, str]:
        """Every file this backend writes, in write order: the file a build tool
        compares against the manifest comes last, so an interrupted run is redone."""
        raise NotImplementedError
