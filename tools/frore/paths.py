"""How generated files spell a path: '/'-separated, relative to where it is read from."""

from __future__ import annotations

import os
from pathlib import Path


def posix_relpath(path: Path, start: Path) -> str:
    """*path* relative to *start*, '/'-separated: how every build file spells it."""
    return os.path.relpath(path, start).replace(os.sep, "/")
