"""The one exception type for mistakes a user can fix (as opposed to bugs)."""

from __future__ import annotations

import os

TYPE_CHECKING = False       # not typing's: build rules import this module per freeze
if TYPE_CHECKING:
    from typing import Union

    PathLike = Union[str, "os.PathLike[str]"]

# Exit statuses: the CLI maps errors onto these, packaging scripts rely on them.
EXIT_STALE = 1      # `check` found stale outputs, or a source failed to compile
EXIT_USAGE = 2      # bad command line or manifest


class FroreError(Exception):
    """A user-facing error, rendered as ``path:line: message``.

    Carrying the location as data (not pre-formatted text) lets every stage
    report errors the same way, and lets tests assert on file and line.
    """

    def __init__(self, message: str, path: PathLike | None = None,
                 line: int | None = None, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.exit_code = exit_code

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}"


def display_path(path: PathLike) -> str:
    """Shortest faithful way to show *path*: relative to the cwd when below it.

    Folders are compared through their real paths, but the last component is
    kept as written: an output that is a symbolic link is shown by its own name.
    """
    try:
        cwd = os.path.realpath(os.getcwd())
        full = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))),
                            os.path.basename(path))
        if full == cwd or full.startswith(cwd.rstrip(os.sep) + os.sep):
            return os.path.relpath(full, cwd)
    except (OSError, ValueError):      # a vanished cwd, another drive on Windows
        pass
    return os.fspath(path)
