"""What every backend shares: how to name files so the output is relocatable.

A path under the manifest's folder is written relative to it, and a path in
the target interpreter's standard library relative to that; so the same
checkout in two places produces byte-identical build files, and only the
interpreter's own location is machine-specific.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Resolved

ROOT = "ROOT"
STDLIB = "STDLIB"



def posix_relpath(path: Path, start: Path) -> str:
    """*path* relative to *start*, '/'-separated: how every build file spells it."""
    return os.path.relpath(path, start).replace(os.sep, "/")


class Backend:
    """Base for renderers: subclasses implement :meth:`render`."""

    def __init__(self, resolved: Resolved, output: Path) -> None:
        self.resolved = resolved
        self.output = output          # the build file this backend writes
        self.manifest = resolved.manifest
        self.interpreter = resolved.interpreter

    def anchor(self, path: Path) -> tuple[str, str]:
        """(ROOT or STDLIB, '/'-separated path relative to that anchor)."""
        stdlib = self.interpreter.stdlib
        if path.is_relative_to(stdlib) and not path.is_relative_to(self.manifest.root):
            return STDLIB, posix_relpath(path, stdlib)
        return ROOT, posix_relpath(path, self.manifest.root)

    def root_from_output(self) -> str:
        """The manifest folder, relative to the folder of the build file."""
        rel = posix_relpath(self.manifest.root, self.output.parent)
        return "" if rel == "." else rel + "/"

    def render(self) -> str:
        raise NotImplementedError
