"""The one place that puts generated files on disk.

Each file goes to a temporary sibling and is renamed into place, so a reader
(or an interrupted run) never sees half a file.  A set of files is written in
two phases (:func:`write_all`): every temporary file first, then the renames,
so a full disk or a read-only folder fails before any output has changed.
Unchanged files are left alone so their mtime stays and builds do not
cascade; ``touch`` is for build rules, whose tools need outputs newer than
their inputs.

Only regular files are read or replaced: a FIFO, a folder or a symbolic link
where an output should be is somebody else's, and is refused.  New files get
the mode the umask allows (as any tool's output would); a rewritten file keeps
its mode, so a tree built by another user stays buildable.
"""

from __future__ import annotations

import os
import stat

from .errors import FroreError

# No pathlib, typing, contextlib, re or secrets at import: build rules run this
# module in every per-module freeze (see _worker.py), where each costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Callable, TypeVar

    from .errors import PathLike

    P = TypeVar("P", bound=PathLike)


def _text(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def existing(path: PathLike) -> os.stat_result | None:
    """lstat of an output's path; None when absent.  Anything but a regular file is refused."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise FroreError(f"cannot inspect this output: {exc.strerror}", path) from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a symbolic link"
                if stat.S_ISLNK(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a special file")
        raise FroreError(f"is {kind}, not a regular file: frore writes only files it owns; "
                         "remove it or choose another output path", path)
    return st


def read_bytes(path: PathLike) -> bytes | None:
    """The content of an existing output (a regular file), or None when absent."""
    if existing(path) is None:
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise FroreError(f"cannot read this output: {exc.strerror}", path) from None


class Staged:
    """A temporary file holding an output's new content, not yet renamed into place."""

    def __init__(self, path: PathLike, data: bytes, mode: int | None,
                 owner: tuple[int, int] | None, made: list[str]):
        self.path = path
        self.made = made                        # folders created for outputs, to undo
        folder, name = os.path.split(os.path.abspath(path))
        self.folder = folder
        self.temporary = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        self._make_folder()
        try:
            fd = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise FroreError(f"cannot write this output: {exc.strerror}", path) from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                if owner is not None:
                    try:
                        os.fchown(f.fileno(), *owner)
                    except OSError:                         # only root may give files away
                        pass
                if mode is not None:            # rewriting: keep the old file's mode
                    os.fchmod(f.fileno(), mode)
        except OSError as exc:
            self.discard()
            raise FroreError(f"cannot write this output: {exc.strerror}", path) from None
        except BaseException:
            self.discard()
            raise

    def _make_folder(self) -> None:
        missing = []
        folder = self.folder
        while not os.path.lexists(folder) and os.path.dirname(folder) != folder:
            missing.append(folder)
            folder = os.path.dirname(folder)
        try:
            os.makedirs(self.folder, exist_ok=True)
            self.made.extend(reversed(missing))
        except FileExistsError:
            raise FroreError(f"cannot write this output: {self._blocker()} is a file, "
                             "not a folder", self.path) from None
        except OSError as exc:
            raise FroreError(f"cannot create its folder: {exc.strerror}", self.path) from None

    def _blocker(self) -> str:
        folder = self.folder
        while os.path.dirname(folder) != folder:
            if os.path.exists(folder) and not os.path.isdir(folder):
                return folder
            folder = os.path.dirname(folder)
        return self.folder

    def commit(self) -> None:
        try:
            os.replace(self.temporary, self.path)
        except OSError as exc:
            self.discard()
            raise FroreError(f"cannot write this output: {exc.strerror}", self.path) from None

    def discard(self) -> None:
        try:
            os.unlink(self.temporary)
        except OSError:
            pass


def stage(path: PathLike, data: bytes | str, made: list[str] | None = None) -> Staged | None:
    """A temporary file with *data* for *path*, or None when *path* already holds it."""
    data = _text(data)
    st = existing(path)
    if st is not None and read_bytes(path) == data:
        return None
    mode = owner = None
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
        if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            owner = (st.st_uid, st.st_gid)
    return Staged(path, data, mode, owner, made if made is not None else [])


def write_all(files: dict[P, bytes | str], touch: bool = False,
              before_commit: Callable[[], None] | None = None) -> list[P]:
    """Write every changed file of *files*, in order; return the changed paths.

    All new contents are staged first; only when every one was written in
    full are they renamed into place, in the order given (a caller puts the
    file that marks a complete run last).  *before_commit* runs between the
    two phases (regen removes its strays there).
    """
    staged: list[Staged] = []
    unchanged: list[P] = []
    made: list[str] = []
    try:
        for path, data in files.items():
            item = stage(path, data, made)
            if item is None:
                unchanged.append(path)
            else:
                staged.append(item)
    except BaseException:
        for item in staged:
            item.discard()
        for folder in reversed(made):           # nothing half-made stays behind
            try:
                os.rmdir(folder)
            except OSError:
                pass
        raise
    pending = list(staged)
    try:
        if before_commit is not None:
            before_commit()
        while pending:
            pending[0].commit()
            pending.pop(0)
    except BaseException:
        for item in pending:
            item.discard()
        raise
    if touch:
        for path in unchanged:
            os.utime(path)
    return [item.path for item in staged]  # type: ignore[misc]


def write_if_changed(path: PathLike, data: bytes | str, touch: bool = False) -> bool:
    """Write *data* to *path* atomically; return True when the content changed."""
    return bool(write_all({path: data}, touch=touch))


def remove_stale_temporaries(folder: Path, names: set[str]) -> list[Path]:
    """Delete temporary files that a killed frore run left for one of *names*.
    (Temporary names carry the writer's pid, so the leftovers of a killed run, pid
    gone, can be told from the files of a run still going.)"""
    import re
    from pathlib import Path

    temporary = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]+\.tmp$")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = temporary.match(entry.name)
        if not match or match.group("name") not in names or _running(int(match.group("pid"))):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31            # another user's live process
    return True
