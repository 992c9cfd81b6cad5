"""One frozen module's C: its header, and for old MSVC a sibling holding an array.

This module runs in two places: in frore, and in the *target* interpreter's
worker, when build rules freeze one module per process (see _worker.py).  So
it imports nothing but the C writer and what every Python from 3.8 has.

A header holds the module's marshalled code as one ``static`` string literal,
the cheapest form for every compiler.  MSVC before Visual Studio 2022 (17.0)
refuses a string literal over 64 KiB, so for a larger module the header also
includes, for those compilers only, a sibling ``<id>.frozen.msvc.h`` holding an
integer array: GCC and Clang never open it, and so never lex its millions of
number tokens.
"""

from __future__ import annotations

# The key is computed in _worker.py: the freezer needs it before it may import frore.
from ._worker import FORMAT_VERSION, KEY_PREFIX, NEWEST_TESTED, header_key, read_key, read_key_from
from .naming import HEADER_SUFFIX, header_name
from .writers import c as cwriter

GENERATED_MARK = "Frozen by frore"
SUPPORTED_MINORS = range(8, NEWEST_TESTED[1] + 1)   # 3.8 ... the newest tested
MSVC_SUFFIX = ".frozen.msvc.h"
# The first MSVC without a limit on a string literal's total length (VS 2022 17.0).
MSVC_LONG_STRINGS = 1930


def symbol(source_id: str) -> str:
    return "_frore_M_" + cwriter.identifier(source_id)


def msvc_name(source_id: str) -> str:
    """File name of a module's array sibling (only large modules have one)."""
    return source_id + MSVC_SUFFIX


def stamp_text(minor: tuple[int, int], magic: str, format_version: int | str = FORMAT_VERSION) -> str:
    """The freezer stamp: what decides the bytecode of every header.  Build rules make
    every header depend on it, so a new interpreter re-freezes them all."""
    return f"python {minor[0]}.{minor[1]}\nmagic {magic}\nfrore-format {format_version}\n"


def remove_stale_sibling(path: str) -> None:
    """Remove a module's array sibling once the module no longer needs one, if it is
    frore's (it starts with frore's mark)."""
    import os

    try:
        with open(path, "rb") as f:
            mine = f.read(64).startswith(b"/* " + GENERATED_MARK.encode())
        if mine and not os.path.islink(path):
            os.unlink(path)
    except OSError:
        pass


def version_guard(what: str, minor: tuple[int, int]) -> list[str]:
    """Preprocessor lines that stop a build against the wrong Python headers.

    Marshalled code only loads in the minor version that wrote it, so a
    mismatch must fail at compile time, naming both versions, rather than
    crash when the module is imported.  Only PY_MAJOR_VERSION and
    PY_MINOR_VERSION are needed: <patchlevel.h> is enough, Python.h is not.
    """
    made = f"{minor[0]}.{minor[1]}"
    lines = [
        "#ifndef PY_MINOR_VERSION",
        f'#  error "frore: include patchlevel.h (or Python.h) before {what}"',
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


def render(source_id: str, data: bytes, minor: tuple[int, int], key: str,
           optimize: int = 0) -> dict[str, str]:
    """{file name: text}: the header, and for a module too large for old MSVC's
    string literals, the array sibling it includes for that compiler."""
    name = header_name(source_id)
    sym = symbol(source_id)
    level = f" (optimized as -{'O' * optimize})" if optimize else ""
    top = cwriter.comment(f"{GENERATED_MARK}: marshalled code of module {source_id!r} "
                          f"for Python {minor[0]}.{minor[1]}{level}. Do not edit.")
    lines = [
        top,
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
    files = {}
    if cwriter.msvc_accepts_string(data):
        lines += as_string
    else:
        sibling = msvc_name(source_id)
        # A computed #include: dependency scanners that ignore #if (SCons's) would
        # otherwise wait for a file only old MSVC reads, and rebuild once it appears.
        macro = "FRORE_ARRAY_" + cwriter.identifier(source_id)
        lines += [f"#if defined(_MSC_VER) && _MSC_VER < {MSVC_LONG_STRINGS} && !defined(__clang__)",
                  "/* Older MSVC takes no string literal this long: the bytes as an array. */",
                  f"#define {macro} {cwriter.include(sibling).split(' ', 1)[1]}",
                  f"#include {macro}", "#else", *as_string, "#endif"]
        files[sibling] = "\n".join([
            top, cwriter.comment(f"{KEY_PREFIX}{key}"),
            f"static const unsigned char {sym}[] = {{", *cwriter.array_lines(data), "};", ""])
    lines.append("")
    return {name: "\n".join(lines), **files}


__all__ = ["HEADER_SUFFIX", "header_name", "render", "header_key", "read_key", "read_key_from",
           "symbol", "stamp_text"]
