"""Render C text: one header per frozen source, and the embedder's module table.

The table layout follows ``struct _frozen`` of the target Python.  Each layout
is a small class; a new Python version with a new struct is a subclass that
overrides ``entry`` (the shape Meson uses for its Visual Studio backends).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from . import FORMAT_VERSION
from .errors import FroreError
from .naming import header_name
from .paths import posix_relpath
from .writers import Unwritable
from .writers import c as cwriter

if TYPE_CHECKING:
    from .model import FrozenModule, Resolved

KEY_PREFIX = "frore-key: "
GENERATED_MARK = "Frozen by frore"
DISABLE_ENV = "FRORE_FROZEN_MODULES"          # run-time switch: =off imports from source
BUILD_SWITCH = "FRORE_DISABLE_FROZEN_MODULES"  # compile-time switch: -D... embeds nothing
SUPPORTED_MINORS = range(8, 14)


def symbol(source_id: str) -> str:
    return "_frore_M_" + cwriter.identifier(source_id)


def header_key(source_id: str, source: bytes, magic: str) -> str:
    """Everything that decides a header's bytes, hashed: lets regen skip recompiling."""
    h = hashlib.sha256()
    for part in (f"format={FORMAT_VERSION}", f"magic={magic}", f"id={source_id}"):
        h.update(part.encode("utf-8") + b"\0")
    h.update(source)
    return h.hexdigest()


def read_key(header_text: str) -> str | None:
    """The key recorded in a header's opening lines (see :func:`read_key_from`)."""
    for line in header_text.splitlines()[:4]:
        at = line.find(KEY_PREFIX)
        if at >= 0:
            return line[at + len(KEY_PREFIX):].split()[0]
    return None


def read_key_from(path: Path) -> str | None:
    """A header's key, reading only its first lines: unchanged headers of a
    large set are then checked without reading megabytes of data."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return read_key(f.read(512))
    except (FileNotFoundError, NotADirectoryError):
        return None


def version_guard(what: str, minor: tuple[int, int]) -> list[str]:
    """Preprocessor lines that stop a build against the wrong Python headers.

    Marshalled code only loads in the minor version that wrote it, so a
    mismatch must fail at compile time, naming both versions, rather than
    crash when the module is imported.
    """
    made = f"{minor[0]}.{minor[1]}"
    lines = [
        "#ifndef PY_MINOR_VERSION",
        f'#  error "frore: include Python.h before {what}"',
        f"#elif PY_MAJOR_VERSION != {minor[0]} || PY_MINOR_VERSION != {minor[1]}",
    ]
    other = [m for m in SUPPORTED_MINORS if m != minor[1]]
    for i, m in enumerate(other):
        lines.append(f"#  {'if' if i == 0 else 'elif'} PY_MAJOR_VERSION == 3 && PY_MINOR_VERSION == {m}")
        lines.append(f'#    error "frore: {what} was frozen by Python {made} but is being compiled '
                     f'against Python 3.{m}: re-run frore with a Python 3.{m} interpreter, or build '
                     f'against Python {made}"')
    lines.append("#  else")
    lines.append(f'#    error "frore: {what} was frozen by Python {made} but is being compiled '
                 f'against another Python version"')
    lines.append("#  endif")
    lines.append("#endif")
    return lines


def render_header(source_id: str, data: bytes, minor: tuple[int, int], key: str) -> str:
    name = header_name(source_id)
    sym = symbol(source_id)
    lines = [
        cwriter.comment(f"{GENERATED_MARK}: marshalled code of module {source_id!r} "
                        f"for Python {minor[0]}.{minor[1]}. Do not edit."),
        cwriter.comment(f"{KEY_PREFIX}{key}"),
        *version_guard(name, minor),
        f"/* {len(data)} bytes of marshal data, then a NUL: the size is sizeof - 1. */",
    ]
    as_string = [f"static const unsigned char {sym}[] =", *cwriter.string_literal_lines(data), ";"]
    if len(data) + 1 > cwriter.C99_STRING_LIMIT:
        # Longer than the 4,095 characters C99 promises: fine for GCC and Clang,
        # but -pedantic says so (-Woverlength-strings); this file means it.
        as_string = ["#if defined(__GNUC__)", "#pragma GCC diagnostic push",
                     '#pragma GCC diagnostic ignored "-Woverlength-strings"', "#endif",
                     *as_string, "#if defined(__GNUC__)", "#pragma GCC diagnostic pop", "#endif"]
    if cwriter.msvc_accepts_string(data):
        lines += as_string
    else:  # too long a string literal for MSVC: it gets an integer array
        lines += ["#if defined(_MSC_VER) && !defined(__clang__)",
                  f"static const unsigned char {sym}[] = {{", *cwriter.array_lines(data), "};",
                  "#else", *as_string, "#endif"]
    lines.append("")
    return "\n".join(lines)


class TableLayout:
    """``struct _frozen`` of Python 3.8-3.10: name, code, size (negative for packages)."""

    # Every member spelled out: C++ warns about a bare {0} (missing-field-initializers).
    sentinel = "{NULL, NULL, 0}"

    def entry(self, module: FrozenModule) -> str:
        sym = symbol(module.source_id)
        size = f"(int)sizeof({sym}) - 1"
        if module.is_package:
            size = f"-((int)sizeof({sym}) - 1)"
        return f"{{{cwriter.string(module.name)}, {sym}, {size}}},"


class TableLayout311(TableLayout):
    """3.11-3.12 add ``is_package`` and ``get_code`` (NULL: use the bytes)."""

    sentinel = "{NULL, NULL, 0, 0, NULL}"

    def entry(self, module: FrozenModule) -> str:
        sym = symbol(module.source_id)
        return (f"{{{cwriter.string(module.name)}, {sym}, (int)sizeof({sym}) - 1, "
                f"{int(module.is_package)}, NULL}},")


class TableLayout313(TableLayout):
    """3.13 dropped ``get_code``."""

    sentinel = "{NULL, NULL, 0, 0}"

    def entry(self, module: FrozenModule) -> str:
        sym = symbol(module.source_id)
        return (f"{{{cwriter.string(module.name)}, {sym}, (int)sizeof({sym}) - 1, "
                f"{int(module.is_package)}}},")


def layout_for(minor: tuple[int, int]) -> TableLayout:
    if minor >= (3, 13):
        return TableLayout313()
    if minor >= (3, 11):
        return TableLayout311()
    return TableLayout()


def _include(header: Path, table_dir: Path) -> str:
    return cwriter.include(posix_relpath(header, table_dir))


def check_includes(resolved: Resolved) -> None:
    """Every ``#include`` the table needs must be writable in C: refused at the
    manifest line that chose the folders, before anything is compiled."""
    outputs = resolved.manifest.outputs
    table_dir = outputs.table.parent
    for header in [outputs.table_header] + [u.header for u in resolved.units()]:
        try:
            _include(header, table_dir)
        except Unwritable as exc:
            key = "table" if header == outputs.table_header else "headers"
            raise FroreError(f"output.{key}: the module table cannot #include {exc.text!r}: "
                             f"{exc.char!r} {exc.reason} (C)", resolved.manifest.path,
                             outputs.lines.get(key, 0)) from None


def render_table_h(resolved: Resolved) -> str:
    guard = "FRORE_" + cwriter.identifier(resolved.manifest.outputs.table_header.name).upper() + "_"
    return "\n".join([
        cwriter.comment(f"{GENERATED_MARK}: module table interface. Do not edit."),
        f"#ifndef {guard}",
        f"#define {guard}",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "/* Point PyImport_FrozenModules at this table, ahead of the entries the",
        "   interpreter already has.  Call before Py_Initialize().  Returns 0 when",
        f"   installed, 1 when skipped because {DISABLE_ENV}=off is set in the",
        f"   environment or the table was compiled with -D{BUILD_SWITCH}, -1 when",
        "   out of memory.  Calling it again does nothing. */",
        "int frore_install_frozen_modules(void);",
        "",
        "/* Number of modules in the table (aliases included), and their names:",
        "   handy for reporting, and available whether or not the table is installed. */",
        "extern const int frore_frozen_module_count;",
        "const char *frore_frozen_module_name(int index);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        f"#endif /* {guard} */",
        "",
    ])


def render_table_c(resolved: Resolved) -> str:
    outputs = resolved.manifest.outputs
    table_dir = outputs.table.parent
    minor = resolved.interpreter.minor
    layout = layout_for(minor)
    units = resolved.units()
    lines = [
        cwriter.comment(f"{GENERATED_MARK}: module table for Python {minor[0]}.{minor[1]}, "
                        f"{len(resolved.modules)} modules. Do not edit."),
        "#include <Python.h>",
        "#include <stdlib.h>",
        "#include <string.h>",
        "",
        *version_guard(outputs.table.name, minor),
        "",
        _include(outputs.table_header, table_dir),
    ]
    lines += ["", "static const char *const frore_names[] = {"]
    lines += [f"    {cwriter.string(m.name)}," for m in resolved.modules]
    lines += [
        "    NULL",
        "};",
        "",
        f"const int frore_frozen_module_count = {len(resolved.modules)};",
        "",
        "const char *frore_frozen_module_name(int index)",
        "{",
        "    if (index < 0 || index >= frore_frozen_module_count)",
        "        return NULL;",
        "    return frore_names[index];",
        "}",
        "",
        f"#ifdef {BUILD_SWITCH}",
        "/* Built with freezing switched off: nothing is embedded and every module",
        "   imports from source, as if the table were disabled at run time. */",
        "int frore_install_frozen_modules(void)",
        "{",
        "    return 1;",
        "}",
        "#else",
        "",
    ]
    lines += [_include(u.header, table_dir) for u in units]
    lines += ["", "static const struct _frozen frore_modules[] = {"]
    group = None
    for module in resolved.modules:
        if module.group != group:
            group = module.group
            lines.append("    " + cwriter.comment(f"group {group}"))
        lines.append("    " + layout.entry(module))
    lines += [
        f"    {layout.sentinel} /* sentinel */",
        "};",
        "",
        "static int frore_disabled(void)",
        "{",
        f'    const char *v = getenv("{DISABLE_ENV}");',
        "    return v != NULL && (strcmp(v, \"off\") == 0 || strcmp(v, \"0\") == 0",
        "                         || strcmp(v, \"no\") == 0 || strcmp(v, \"false\") == 0);",
        "}",
        "",
        "int frore_install_frozen_modules(void)",
        "{",
        "    static int installed = 0;",
        "    const struct _frozen *old = PyImport_FrozenModules;",
        f"    size_t ours = {len(resolved.modules)};",
        "    size_t theirs = 0;",
        "    struct _frozen *merged;",
        "    if (installed)",
        "        return 0;",
        "    if (frore_disabled())",
        "        return 1;",
        "    /* Keep what the interpreter had: on 3.8-3.10 it holds importlib's own",
        "       bootstrap modules, without which Py_Initialize fails. */",
        "    while (old != NULL && old[theirs].name != NULL)",
        "        theirs++;",
        "    merged = (struct _frozen *)calloc(ours + theirs + 1, sizeof(*merged));",
        "    if (merged == NULL)",
        "        return -1;",
        "    memcpy(merged, frore_modules, ours * sizeof(*merged));",
        "    if (theirs)",
        "        memcpy(merged + ours, old, theirs * sizeof(*merged));",
        "    PyImport_FrozenModules = merged;",
        "    installed = 1;",
        "    return 0;",
        "}",
        f"#endif /* {BUILD_SWITCH} */",
        "",
    ]
    return "\n".join(lines)


def table_files(resolved: Resolved) -> dict[Path, str]:
    """The module table's header and C file, keyed by path (header first: write order)."""
    outputs = resolved.manifest.outputs
    return {outputs.table_header: render_table_h(resolved),
            outputs.table: render_table_c(resolved)}
