"""``frore discover``: the modules a real run imports, as a manifest group.

The target interpreter runs the user's command (``-c CODE``, ``-m MODULE`` or a
script, after any interpreter options) under ``_discover.py``, which behaves like
``python ARGS`` and reports every module of ``sys.modules`` at the end: start-up's
first, then the run's in the order their imports started.  This module sorts
them: what has a Python source file becomes a manifest entry that resolves to
that very file (a plain name when the manifest's search path finds it, else an
explicit ``= path``); what has none (built-in and extension modules, namespace
packages, sourceless ``.pyc`` files, modules made at run time, ``__main__``) is
reported on stderr with the reason.

The run sees the user's environment, folder and standard input; its standard
output and error both go to frore's standard error, so that standard output
holds only the group.
"""

from __future__ import annotations

import codecs
import contextlib
import marshal
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import FroreError
from .interpreter import TIMEOUT_ENV, locate, timeout_for
from .manifest import DEFAULT_SEARCH_PATH, parse
from .model import Interpreter
from .paths import posix_relpath
from .resolve import STDLIB_TOKEN
from .spec import SpecError, is_dotted, parse_spec
from .write import write_if_changed
from .writers import toml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9 and 3.10 hosts
    import tomli as tomllib

RUNNER = Path(__file__).with_name("_discover.py")
REPORT_VERSION = 1                    # _discover.REPORT_VERSION
RELAY_GRACE = 2.0                     # seconds to drain the run's output after it exited

# importlib's bootstrap, as the interpreter names it before `importlib` renames it.
BOOTSTRAP_SOURCES = {"_frozen_importlib": "importlib._bootstrap",
                     "_frozen_importlib_external": "importlib._bootstrap_external"}

# Interpreter options (python -h) that take a value, and those refused because the
# run would not be a run of a program.
VALUE_OPTIONS = "WX"
REFUSED_OPTIONS = {
    "h": "prints help", "?": "prints help", "V": "prints the version",
    "i": "starts an interactive session after the program",
    "x": "skips the first line of the script; run the script without it",
}


@dataclass(frozen=True)
class Imported:
    """One entry of ``sys.modules`` at the end of the run, as the runner saw it."""

    key: str                    # the sys.modules key: the name it is imported as
    kind: str                   # "module", or the type of another object put there
    name: str | None            # __name__ (which a module may change: _collections_abc's
                                # says "collections.abc")
    spec_name: str | None       # __spec__.name: the module whose code it is
    origin: str | None          # __spec__.origin
    loader: str | None          # class name of its loader
    is_package: bool            # has __path__
    has_location: bool          # __spec__.has_location
    file: str | None            # __file__
    frozen: bool                # the interpreter froze it (origin "frozen", _imp.is_frozen)


@dataclass(frozen=True)
class Listed:
    """A manifest entry of the group, with the comment that goes on its line."""

    key: str
    entry: str
    comment: str | None = None
    source_id: str = ""         # the module whose code it freezes
    file: Path | None = None    # the file `frore regen` will read for it


@dataclass(frozen=True)
class Skipped:
    """A module of the run that the group cannot list, and why."""

    key: str
    reason: str


@dataclass(frozen=True)
class Rendered:
    text: str                   # the [[group]] as TOML, ending in a newline
    listed: tuple[Listed, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class Discovery:
    """What a run imported and how it ended."""

    group: str
    interpreter: Interpreter
    cwd: Path                   # the run's folder: relative origins are below it
    modules: tuple[Imported, ...]
    status: int                 # the run's exit status (negative: killed by that signal)
    raised: tuple[str, str] | None  # (exception type, message) of an uncaught exception

    @property
    def ending(self) -> str | None:
        """How the run ended, when it did not exit with status 0."""
        if self.raised is not None:
            kind, message = self.raised
            return f"the run raised {kind}: {message}" if message else f"the run raised {kind}"
        if self.status < 0:
            try:
                name = signal.Signals(-self.status).name
            except ValueError:
                name = f"signal {-self.status}"
            return f"the run was killed by {name}"
        if self.status:
            return f"the run exited with status {self.status}"
        return None

    def render(self, root: Path, search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
               declared: Mapping[str, str] | None = None) -> Rendered:
        """The group for a manifest in folder *root* whose search path is *search_path*;
        names the manifest's other groups already declare (*declared*: name -> group)
        are left out, since a name may be frozen once."""
        roots = _search_roots(root, search_path, self.interpreter.stdlib)
        listed: list[Listed] = []
        skipped: list[Skipped] = []
        files: dict[str, Path | None] = {}
        for module in self.modules:
            result = _classify(module, self, root, roots)
            if isinstance(result, Listed):
                # regen gives one source one file: an alias whose code would come from
                # another file than its source's entry cannot be listed with it.
                first = files.setdefault(result.source_id, result.file)
                if first != result.file:
                    result = Skipped(result.key, f"its code is module {result.source_id}'s, "
                                                 f"from {result.file}, but the group reads "
                                                 f"{result.source_id} from {first}")
            if isinstance(result, Listed) and declared and result.key in declared:
                result = Skipped(result.key, f"already declared by group "
                                             f"{declared[result.key]!r} of the manifest")
            if isinstance(result, Listed):
                listed.append(result)
            else:
                skipped.append(result)
        return Rendered(group_text(self.group, listed), tuple(listed), tuple(skipped))


# -- running the program ---------------------------------------------------------------


def split_command(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """(interpreter options, command) of ``python ARGS``: the command is ``-c CODE ...``,
    ``-m MODULE ...`` or ``SCRIPT ...``; options before it are kept one to a word."""
    options: list[str] = []
    if args and args[0] == "--":
        args = args[1:]                 # the separator of frore's own command line
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg == "-":
            raise FroreError("discover cannot run a program read from standard input ('-'); "
                             "give -c CODE, -m MODULE or a script")
        if not arg.startswith("-"):
            break
        if arg.startswith("--"):
            if arg == "--check-hash-based-pycs" and i + 1 < len(args):
                options += [arg, args[i + 1]]
                i += 2
                continue
            raise FroreError(f"python option {arg!r}: discover runs a program "
                             "(-c CODE, -m MODULE or a script), nothing else")
        i += 1
        for at, flag in enumerate(arg[1:], 2):
            rest = arg[at:]
            if flag in "cm" or flag in VALUE_OPTIONS:
                if not rest:
                    if i >= len(args):
                        raise FroreError(f"python option -{flag} needs an argument")
                    rest = args[i]
                    i += 1
                if flag in VALUE_OPTIONS:
                    options += [f"-{flag}", rest]
                    break
                return options, [f"-{flag}", rest, *args[i:]]
            if flag in REFUSED_OPTIONS:
                raise FroreError(f"python option -{flag} {REFUSED_OPTIONS[flag]}: discover "
                                 "needs a program run (-c CODE, -m MODULE or a script)")
            options.append(f"-{flag}")
    if i >= len(args):
        raise FroreError("nothing to run: give the program after '--', e.g. "
                         "-- -c 'import app', -- -m app or -- script.py ARGS")
    return options, list(args[i:])


def discover(python: str | None, args: list[str], group: str) -> Discovery:
    """Run ``python ARGS`` (*python* as ``--python`` names it, relative to the current
    folder; None: the interpreter running frore) and collect what it imported."""
    return discover_with(locate(python, Path.cwd()), args, group)


def discover_with(interp: Interpreter, args: Sequence[str], group: str) -> Discovery:
    """:func:`discover` with the target interpreter already located."""
    options, command = split_command(args)
    # The interpreter as named: a venv's bin/python is that venv, its real binary is not.
    executable = str(interp.named or interp.executable)
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="frore-discover-") as folder:
        out = os.path.join(folder, "report")
        argv = [executable, *options, str(RUNNER), out, "--", *command]
        status = _run(argv, executable)
        try:
            with open(out, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
    if not data:
        raise FroreError(f"the run ended ({_status_text(status)}) before frore could record its "
                         "imports: it ended the process itself (os._exit), crashed, or python "
                         f"{executable!r} refused the command line (see its output above)")
    report = _decode(data, executable)
    modules = tuple(_imported(row, executable) for row in report["modules"])
    raised = report.get("raised")
    if raised is not None:
        raised = (str(raised[0]), str(raised[1]))
    return Discovery(group=group, interpreter=interp, cwd=cwd, modules=modules,
                     status=status, raised=raised)


def _run(argv: list[str], shown: str) -> int:
    """Run *argv* with the user's environment, folder and standard input, its output
    (both streams) on frore's stderr; its exit status.  Stopped (with anything it
    started) when it outlives FRORE_TIMEOUT."""
    timeout = timeout_for()
    # The run writes straight to frore's stderr (a terminal stays a terminal for it);
    # when that is no file (sys.stderr replaced, as under pytest), through a pipe.
    fd = _stderr_fd()
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE if fd is None else fd,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise FroreError(f"cannot run python {shown!r}: {exc.strerror}") from None
    relay = None
    if proc.stdout is not None:
        relay = threading.Thread(target=_relay, args=(proc.stdout,), daemon=True)
        relay.start()
    try:
        status = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise FroreError(f"the run did not end within {round(timeout)} s and was stopped "
                         f"(set {TIMEOUT_ENV} to wait longer)") from None
    except BaseException:
        _stop(proc)
        raise
    if relay is not None:
        # A process the run left behind may hold the pipe open: do not wait for it.
        relay.join(RELAY_GRACE)
    return status


def _stderr_fd() -> int | None:
    try:
        sys.stderr.flush()
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):    # io.UnsupportedOperation is both
        return None


def _relay(stream: IO[bytes]) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    fd = stream.fileno()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        text = decoder.decode(chunk, final=not chunk)
        if text:
            sys.stderr.write(text)
            sys.stderr.flush()
        if not chunk:
            break


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the run and everything it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.kill()
    proc.wait()


def _status_text(status: int) -> str:
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


def _decode(data: bytes, shown: str) -> dict[str, Any]:
    try:
        report = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        report = None
    if (not isinstance(report, dict) or report.get("version") != REPORT_VERSION
            or not isinstance(report.get("modules"), list)):
        raise FroreError(f"python {shown!r} wrote a report frore cannot read (is "
                         f"{RUNNER.name} from another frore version?)")
    return report


def _imported(row: Any, shown: str) -> Imported:
    if not (isinstance(row, tuple) and len(row) == 10 and isinstance(row[0], str)):
        raise FroreError(f"python {shown!r} wrote a report frore cannot read ({row!r})")

    def text(value: object) -> str | None:
        return value if isinstance(value, str) else None

    key, kind, name, spec_name, origin, loader, package, location, file, frozen = row
    return Imported(key=key, kind=str(kind), name=text(name), spec_name=text(spec_name),
                    origin=text(origin),
                    loader=text(loader), is_package=bool(package), has_location=bool(location),
                    file=text(file), frozen=bool(frozen))


# -- sorting what was imported --------------------------------------------------------


def _search_roots(root: Path, search_path: Sequence[str], stdlib: Path) -> list[Path]:
    """The folders a manifest in *root* searches (as resolve.search_roots; missing ones
    are left out, regen reports them)."""
    roots = []
    for raw in search_path:
        folder = Path(os.path.normpath((root / raw.replace(STDLIB_TOKEN, str(stdlib))).absolute()))
        if folder.is_dir():
            roots.append(folder)
    return roots


def _find(name: str, roots: Sequence[Path]) -> Path | None:
    """The file a manifest entry *name* resolves to (as resolve's finder searches)."""
    parts = name.split(".")
    for root in roots:
        base = root.joinpath(*parts)
        init = base / "__init__.py"
        if init.is_file():
            return init
        module = base.with_name(parts[-1] + ".py")
        if module.is_file():
            return module
    return None


def _stdlib_source(stdlib: Path, name: str, is_package: bool) -> Path | None:
    base = stdlib.joinpath(*name.split("."))
    path = base / "__init__.py" if is_package else base.with_name(base.name + ".py")
    return path if path.is_file() else None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _classify(m: Imported, found: Discovery, root: Path, roots: Sequence[Path]) -> Listed | Skipped:
    key = m.key
    if key == "__main__":
        where = m.file or "the -c command"
        return Skipped(key, f"the run's main module ({where}): code run as __main__ is not "
                            "imported by a name a manifest entry could give")
    if m.kind != "module":
        if m.kind == "NoneType":
            return Skipped(key, "None in sys.modules (an import blocked on purpose)")
        return Skipped(key, f"not a module but a {m.kind} object put in sys.modules at run time")
    if not is_dotted(key):
        return Skipped(key, "not a module name a manifest entry can give")
    if m.loader == "BuiltinImporter" or m.origin == "built-in":
        return Skipped(key, "built-in module (compiled into the interpreter)")
    version = "{}.{}".format(*found.interpreter.minor)
    # The module whose code it is: the name its spec was found by (__name__ can be
    # changed by the module's code), and the key when it has neither.
    name = m.spec_name or m.name or key
    comment = None
    if m.frozen:
        name = BOOTSTRAP_SOURCES.get(name, name)
        if not is_dotted(name):
            return Skipped(key, f"frozen by Python {version}, as {name!r}, which is not a module name")
        file = Path(m.file) if m.file and os.path.isfile(m.file) else None
        source = file or _stdlib_source(found.interpreter.stdlib, name, m.is_package)
        if source is None:
            return Skipped(key, f"frozen by Python {version}, with no source file in its "
                                "standard library")
        comment = f"frozen by Python {version} already"
    elif m.is_package and m.origin in (None, "namespace") and not m.file:
        return Skipped(key, "namespace package (no __init__.py): nothing to freeze")
    elif m.origin and (m.has_location or os.path.isfile(found.cwd / m.origin)):
        origin = found.cwd / m.origin
        if m.loader == "ExtensionFileLoader" or origin.suffix in (".so", ".pyd", ".dylib"):
            return Skipped(key, f"extension module ({origin})")
        if m.loader == "SourcelessFileLoader" or origin.suffix in (".pyc", ".pyo"):
            return Skipped(key, f"no source file: imported from bytecode ({origin})")
        if not origin.is_file():
            return Skipped(key, f"no source file on disk: imported from {origin}")
        source = Path(os.path.normpath(origin))
    else:
        if m.origin:
            return Skipped(key, f"no source file: its spec's origin is {m.origin!r}")
        return Skipped(key, "no source file: created at run time, not imported from a file")
    if not is_dotted(name):
        return Skipped(key, f"its __name__ {name!r} is not a module name")
    return _listed(key, name, source, m.is_package, root, roots, comment)


def _listed(key: str, name: str, source: Path, is_package: bool, root: Path,
            roots: Sequence[Path], comment: str | None) -> Listed | Skipped:
    """The entry freezing *source* as *key* (code of module *name*)."""
    path_text = None
    by_name = _find(name, roots)
    as_package = source.name == "__init__.py"
    file = by_name
    if by_name is None or not _same_file(by_name, source) or is_package != as_package:
        path_text = _path_text(source, root)
        if path_text is None:
            return Skipped(key, f"its source's path cannot be written in a manifest entry ({source})")
        file = Path(os.path.normpath((root / path_text).absolute()))
    if key == name:
        entry = f"<{name}>" if is_package else name
    else:
        entry = f"{name} : <{key}>" if is_package else f"{name} : {key}"
    if path_text is not None:
        entry += f" = {path_text}"
    try:
        parse_spec(entry)
    except SpecError as exc:
        return Skipped(key, f"no manifest entry can express it ({exc})")
    return Listed(key, entry, comment, name, file)


def _path_text(source: Path, root: Path) -> str | None:
    """*source* relative to *root* when below it ('/'-separated), else absolute; None
    when an entry cannot carry it (not UTF-8, white space at either end)."""
    text = None
    for a, b in ((source, root), (Path(os.path.realpath(source)), Path(os.path.realpath(root)))):
        try:
            if os.path.commonpath([a, b]) == str(b):
                text = posix_relpath(a, b)
                break
        except ValueError:
            pass
    if text is None:
        text = str(source)
    if text != text.strip() or not text:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


def group_text(name: str, listed: Sequence[Listed]) -> str:
    """A ``[[group]]`` table: one entry per line, comments after the comma."""
    lines = ["[[group]]", f"name = {toml.string(name)}"]
    if not listed:
        lines.append("modules = []")
    else:
        lines.append("modules = [")
        for item in listed:
            comment = f"  # {item.comment}" if item.comment else ""
            lines.append(f"    {toml.string(item.entry)},{comment}")
        lines.append("]")
    return "\n".join(lines) + "\n"


# -- the command -----------------------------------------------------------------------


def run_discover(python: str | None, group: str, manifest: str | None, write: bool,
                 args: list[str]) -> int:
    """``frore discover``: print the group; with *write*, put it into *manifest*.

    Entries resolve against the manifest's folder and search path (the current
    folder and the default search path without a manifest; a manifest that does not
    exist yet counts by its folder).  Without *python*, the target is the manifest's
    ``python`` when it names one, else the interpreter running frore.  Returns 0
    whenever the group was printed, also when the run failed (stderr says how it
    ended); raises FroreError otherwise.
    """
    _check_group_name(group)
    if write and not manifest:
        raise FroreError("--write needs the manifest to write into (-m frozen.toml)")
    path = Path(os.path.abspath(manifest)) if manifest else None
    root, named = Path.cwd(), None
    search_path: tuple[str, ...] = DEFAULT_SEARCH_PATH
    if path is not None:
        root = path.parent
        if path.exists() or path.is_symlink():
            root, search_path, named = _settings(_read_toml(path), path)
    if python is not None:
        interp = locate(python, Path.cwd())
    elif named is not None and path is not None:
        interp = locate(named, path.parent, path)
    else:
        interp = locate(None, Path.cwd())
    found = discover_with(interp, args, group)
    declared = _declared_elsewhere(path, group, python) if path is not None and path.is_file() \
        else {}
    rendered = found.render(root, search_path, declared)
    sys.stdout.write(rendered.text)
    sys.stdout.flush()
    for item in rendered.skipped:
        sys.stderr.write(f"frore: not listed: {item.key}: {item.reason}\n")
    if found.ending:
        sys.stderr.write(f"frore: {found.ending}\n")
    if write and path is not None:
        replaced = write_group(path, group, rendered.text,
                               python=str(interp.named or interp.executable) if python else None)
        what = "replaced group" if replaced else "added group"
        sys.stderr.write(f"frore: {what} {group!r} in {path}\n")
    return 0


def _declared_elsewhere(path: Path, group: str, python: str | None) -> dict[str, str]:
    """Frozen names the manifest's other groups declare (name -> group); empty when the
    manifest does not resolve as it is (then the written result is checked anyway)."""
    from . import pipeline
    try:
        resolved = pipeline.load(path, python, need_interpreter=True)
    except FroreError:
        return {}
    return {m.name: m.group for m in resolved.modules if m.group != group}


def _check_group_name(group: str) -> None:
    if not group:
        raise FroreError("the group needs a non-empty name (--group NAME)")
    try:
        group.encode("utf-8")
    except UnicodeEncodeError:
        raise FroreError(f"group name {group!r} is not valid UTF-8 text") from None


def _read_toml(path: Path) -> dict[str, Any]:
    """The manifest's TOML (its own error when it is not a manifest file at all)."""
    text = _read_text(path)
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError:
        parse(text, path)            # raises the manifest's own error, with its line
        raise


def _read_text(path: Path) -> str:
    from .manifest import load

    if path.is_dir() or not path.exists():
        load(path)                   # raises its message (a folder, not found)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FroreError(f"cannot read the manifest: {exc.strerror}", path) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        load(path)                   # raises its message (not UTF-8, with the line)
        raise


def _settings(data: dict[str, Any], path: Path) -> tuple[Path, tuple[str, ...], str | None]:
    """(folder entries resolve against, search path, python) of a manifest's data."""
    root = path.parent
    tree = data.get("tree")
    if data.get("flavor") == "cpython" and isinstance(tree, str) and tree:
        root = (path.parent / tree).absolute()
    raw = data.get("search-path")
    search_path = (tuple(raw) if isinstance(raw, list) and all(isinstance(p, str) for p in raw)
                   else DEFAULT_SEARCH_PATH)
    python = data.get("python")
    named = python.strip() if isinstance(python, str) and python.strip() else None
    return root, search_path, named


# -- writing the group into a manifest ---------------------------------------------------

_TABLE = re.compile(r"[ \t]*\[")
_GROUP = re.compile(r"""[ \t]*\[\[[ \t]*(?:group|"group"|'group')[ \t]*\]\][ \t]*(?:#.*)?$""")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#.*)?$")


def _lines(text: str) -> list[str]:
    """*text* split after each '\\n' (only: TOML ends lines there), endings kept."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def merge_group(text: str, name: str, block: str) -> tuple[str, bool]:
    """*text* with the ``[[group]]`` named *name* replaced by *block* (or *block* added at
    the end); True when a group was replaced.  Every other byte stays: the replaced
    region runs from that ``[[group]]`` line to the next table header (or the end), less
    the blank and comment lines just before it.  *block* ends in '\\n' and takes the
    text's line endings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    block = block.replace("\n", newline)
    lines = _lines(text)
    data = tomllib.loads(text)
    groups = data.get("group", [])
    names = [g.get("name") if isinstance(g, dict) else None for g in groups] \
        if isinstance(groups, list) else []
    headers = [i for i, line in enumerate(lines) if _GROUP.match(line.rstrip("\r\n"))]
    if len(headers) != len(names):
        raise FroreError(f"cannot tell where each [[group]] starts ({len(headers)} '[[group]]' "
                         f"lines for {len(names)} groups): add the group by hand")
    if name in names:
        start = headers[names.index(name)]
        end = start + 1
        while end < len(lines) and not _TABLE.match(lines[end]):
            end += 1
        while end > start + 1 and _BLANK_OR_COMMENT.match(lines[end - 1].rstrip("\r\n")):
            end -= 1
        if not lines[end - 1].endswith("\n"):     # the file's last line had no line end
            block = block[:-len(newline)]
        return "".join(lines[:start]) + block + "".join(lines[end:]), True
    head = text
    if head and not head.endswith("\n"):
        head += newline
    if head.strip() and not re.search(r"\n[ \t]*\r?\n\Z", head):
        head += newline
    return head + block, False


def write_group(path: Path, name: str, block: str, python: str | None = None) -> bool:
    """Put *block* (a ``[[group]]`` named *name*) into the manifest at *path*, atomically,
    leaving every other byte as it was; True when it replaced a group.  A missing
    manifest is created (naming *python* when given).  The result must parse as a
    manifest holding the same other tables and this group, or nothing is written."""
    if path.exists() or path.is_symlink():
        raw = path.read_bytes() if path.is_file() else None
        if raw is None:
            raise FroreError("is not a regular file: cannot add the group to it", path)
        bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
        text = _read_text(path)
        old = _read_toml(path)
    else:
        bom, text, old = b"", "", {}
        if python is not None:
            text = f"python = {toml.string(python)}\n\n"
            old = tomllib.loads(text)
    try:
        new_text, replaced = merge_group(text, name, block)
    except FroreError as exc:
        raise FroreError(exc.message, path) from None
    try:
        parse(new_text, path)
    except FroreError as exc:
        raise FroreError(f"with group {name!r} the manifest would not parse ({exc.message}); "
                         "it was left unchanged", path, exc.line) from None
    expected = dict(old)
    groups = list(expected.get("group", []))
    group = tomllib.loads(block)["group"][0]
    if replaced:
        groups = [group if isinstance(g, dict) and g.get("name") == name else g for g in groups]
    else:
        groups.append(group)
    expected["group"] = groups
    if tomllib.loads(new_text) != expected:
        raise FroreError(f"could not put group {name!r} in the manifest without changing "
                         "anything else; it was left unchanged (add the group by hand)", path)
    write_if_changed(path, bom + new_text.encode("utf-8"))
    return replaced
