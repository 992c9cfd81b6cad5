"""The one place that puts generated files on disk.

Each file goes to a temporary sibling and is renamed into place, so a reader
(or an interrupted run) never sees half a header.  Unchanged files are left
alone so their mtime stays and builds do not cascade; ``touch`` is for build
rules, whose tools need outputs newer than their inputs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def read_text(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_if_changed(path: Path, text: str, touch: bool = False) -> bool:
    """Write *text* to *path* atomically; return True when the content changed."""
    if read_text(path) == text:
        if touch:
            os.utime(path)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True
