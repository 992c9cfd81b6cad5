"""Read ``frozen.toml`` into a validated :class:`~frore.model.Manifest`.

tomllib gives values but not positions, and every error must name a line, so
this module also scans the text for the position of each key and string.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import FroreError
from .model import Entry, Group, Manifest, Outputs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9 and 3.10 hosts
    import tomli as tomllib

TOP_KEYS = {"python", "search-path", "output", "group"}
# Flavor selection (see frore/cpython/): `flavor`, `tree`, and the flavor's own table.
FLAVORS = ("embed", "cpython")
TOP_KEYS |= {"flavor", "tree", "cpython"}
OUTPUT_KEYS = {"headers", "table", "make"}
GROUP_KEYS = {"name", "modules", "optimize"}
DEFAULT_SEARCH_PATH = (".", "{stdlib}")


class _Positions:
    """Line numbers of keys and string values, recovered from the raw text."""

    # A basic string, a literal string, or the start of a comment (which ends the line).
    _TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#')

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.strings: list[tuple[int, str]] = []
        for lineno, line in enumerate(self.lines, 1):
            for match in self._TOKEN.finditer(line):
                if match.group(0) == "#":
                    break
                try:
                    value = tomllib.loads("v = " + match.group(0))["v"]
                except tomllib.TOMLDecodeError:
                    continue
                self.strings.append((lineno, value))
        self._cursor = 0

    def key(self, key: str, after: int = 0) -> int:
        """Line of the first ``key = ...`` or ``[key]``/``[[key]]`` at or after *after*."""
        pattern = re.compile(
            r'^\s*(?:\[\[?\s*)?(?:"%s"|\'%s\'|%s)\s*(?:=|\]\]?)' % ((re.escape(key),) * 3))
        for lineno in range(max(after, 1), len(self.lines) + 1):
            if pattern.match(self.lines[lineno - 1]):
                return lineno
        return 0

    def next_string(self, value: str) -> int:
        """Line of the next occurrence of string *value*, in document order."""
        for i in range(self._cursor, len(self.strings)):
            if self.strings[i][1] == value:
                self._cursor = i + 1
                return self.strings[i][0]
        return 0


def load(path: str | Path) -> Manifest:
    if not str(path):
        raise FroreError("no manifest named: -m/--manifest needs a path (default: frozen.toml)")
    path = Path(os.path.abspath(path))    # normalised: 'x/../frozen.toml' names one file
    if path.is_dir():
        raise FroreError("is a folder, not a manifest (name the frozen.toml inside it)", path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FroreError("manifest not found (use -m/--manifest to name one)", path) from None
    except OSError as exc:
        raise FroreError(f"cannot read the manifest: {exc.strerror}", path) from None
    if data.startswith(b"\xef\xbb\xbf"):          # a BOM, as some Windows editors write
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FroreError(f"manifest is not UTF-8 text (byte {data[exc.start]:#04x})", path,
                         line) from None
    return parse(text, path)


def parse(text: str, path: Path) -> Manifest:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FroreError(f"invalid TOML: {_strip_position(str(exc))}", path,
                         _toml_error_line(exc, text)) from None
    pos = _Positions(text)

    def fail(message: str, key: str | None = None, line: int = 0) -> FroreError:
        return FroreError(message, path, line or (pos.key(key) if key else 0))

    _reject_unknown(data, TOP_KEYS, "", pos, path)

    python = data.get("python")
    if python is not None and (not isinstance(python, str) or not python.strip()):
        raise fail("'python' must be a non-empty string (an interpreter path or command)", "python")

    search_path = data.get("search-path", list(DEFAULT_SEARCH_PATH))
    if not isinstance(search_path, list) or not all(isinstance(p, str) and p for p in search_path):
        raise fail("'search-path' must be a list of non-empty strings", "search-path")

    output = data.get("output", {})
    if not isinstance(output, dict):
        raise fail("'output' must be a table", "output")
    _reject_unknown(output, OUTPUT_KEYS, "output.", pos, path, after=pos.key("output"))
    outputs = _outputs(output, path.parent, pos, fail)

    raw_groups = data.get("group", [])
    if not isinstance(raw_groups, list) or not raw_groups:
        raise fail("declare at least one [[group]] with a 'modules' list", "group")
    groups = []
    group_line = 0
    names: set[str] = set()
    for raw in raw_groups:
        group_line = pos.key("group", group_line + 1)
        if not isinstance(raw, dict):
            raise fail("each [[group]] must be a table with 'name' and 'modules'",
                       line=group_line or pos.key("group"))
        _reject_unknown(raw, GROUP_KEYS, "group.", pos, path, after=group_line)
        name = raw.get("name", "")
        if not isinstance(name, str) or not name:
            raise fail("each [[group]] needs a non-empty 'name'", line=group_line)
        if name in names:
            raise fail(f"duplicate group name {name!r}", line=group_line)
        names.add(name)
        modules = raw.get("modules")
        if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
            raise fail(f"group {name!r}: 'modules' must be a list of strings",
                       line=pos.key("modules", group_line) or group_line)
        optimize = raw.get("optimize", 0)
        if type(optimize) is not int or optimize not in (0, 1, 2):
            raise fail(f"group {name!r}: 'optimize' must be 0, 1 or 2 (as python -O, -OO)",
                       line=pos.key("optimize", group_line) or group_line)
        entries = tuple(Entry(spec, pos.next_string(spec) or group_line) for spec in modules)
        groups.append(Group(name, entries, group_line, optimize))

    flavor, tree, options = _flavor(data, path, fail)
    return Manifest(
        flavor=flavor,
        flavor_line=pos.key("flavor"),
        flavor_options=options,
        tree=tree,
        path=path,
        python=python.strip() if python else None,
        python_line=pos.key("python"),
        search_path=tuple(search_path),
        search_path_line=pos.key("search-path"),
        outputs=outputs,
        groups=tuple(groups),
    )


Fail = Callable[..., FroreError]


def _flavor(data: dict[str, Any], path: Path, fail: Fail) -> tuple[str, Path | None, dict[str, Any]]:
    """(flavor, tree, options): which kind of output, and the flavor's own table."""
    flavor = data.get("flavor", "embed")
    if flavor not in FLAVORS:
        raise fail(f"'flavor' must be one of {', '.join(map(repr, FLAVORS))}", "flavor")
    tree = data.get("tree")
    if tree is not None and (not isinstance(tree, str) or not tree):
        raise fail("'tree' must be a path (relative to the manifest)", "tree")
    options = data.get("cpython", {})
    if not isinstance(options, dict):
        raise fail("'cpython' must be a table", "cpython")
    if flavor != "cpython" and (tree is not None or "cpython" in data):
        raise fail("'tree' and [cpython] need flavor = \"cpython\"", "tree" if tree else "cpython")
    return flavor, (path.parent / tree).absolute() if tree else None, options


def _outputs(output: dict[str, Any], root: Path, pos: _Positions, fail: Fail) -> Outputs:
    after = pos.key("output")
    lines = {key: (pos.key(key, after) if after and key in output else 0) or after
             for key in OUTPUT_KEYS}

    def path_of(key: str, default: str, may_skip: bool) -> Path | None:
        value = output.get(key, default)
        if value is False and may_skip:
            return None
        if not isinstance(value, str) or not value:
            kind = "a path (or false to skip it)" if may_skip else "a path"
            raise fail(f"'output.{key}' must be {kind}", line=lines[key])
        return Path(os.path.normpath((root / value).absolute()))

    headers = path_of("headers", "frozen", may_skip=False)
    assert headers is not None
    default_dir = os.path.relpath(headers, root).replace(os.sep, "/")
    table = path_of("table", f"{default_dir}/frozen_modules.c", may_skip=False)
    if table is None or table.suffix != ".c":
        raise fail("'output.table' must name a .c file", line=lines["table"])
    make = path_of("make", f"{default_dir}/frozen.mk", may_skip=True)
    return Outputs(headers=headers, table=table, make=make, lines=lines)


def _reject_unknown(table: dict[str, Any], allowed: set[str], prefix: str,
                    pos: _Positions, path: Path, after: int = 0) -> None:
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise FroreError(f"unknown key '{prefix}{key}' (known keys: {known})",
                             path, pos.key(key, after))


def _toml_error_line(exc: Exception, text: str) -> int:
    lineno = getattr(exc, "lineno", None)  # Python 3.14 adds it
    if lineno:
        return int(lineno)
    match = re.search(r"at line (\d+)", str(exc))
    if match:
        return int(match.group(1))
    if "end of document" in str(exc):
        return max(1, len(text.splitlines()))
    return 0


def _strip_position(message: str) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
