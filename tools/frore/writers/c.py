"""All C syntax frore writes goes through here: identifiers, strings, byte blobs.

Byte blobs are string literals: far cheaper to compile than a list of
integers, and accepted by every compiler up to MSVC's limit of about 64 KiB.
Larger blobs are written twice, chosen by the preprocessor: the string for
GCC and Clang, an integer array for MSVC.  Both forms carry one trailing NUL,
so ``sizeof - 1`` is the size.
"""

from __future__ import annotations

from . import Unwritable

# Printable ASCII that may appear unescaped inside a C string literal.  '?'
# is excluded (trigraphs), as are '"' and '\\'.  Digits are safe because
# every escape below is a full three-digit octal escape, which cannot absorb
# a following digit.
_PLAIN = frozenset(b" !#$%&'()*+,-./0123456789:;<=>@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   b"[]^_`abcdefghijklmnopqrstuvwxyz{|}~")
_ESCAPES = {b: f"\\{b:03o}" for b in range(256)}
for _b in _PLAIN:
    _ESCAPES[_b] = chr(_b)
_ESCAPES[ord("\n")] = "\\n"
_ESCAPES[ord("\t")] = "\\t"
_ESCAPES[ord('"')] = '\\"'
_ESCAPES[ord("\\")] = "\\\\"
_ESCAPE_LIST = [_ESCAPES[b] for b in range(256)]
_DECIMALS = [f"{b}," for b in range(256)]

STRING_LINE_BYTES = 64      # source bytes per literal line
# MSVC: each literal piece at most 16,380 bytes (C2026), and the concatenation
# at most 65,535 bytes (C1091), counting one extra byte per concatenated piece.
MSVC_STRING_LIMIT = 65535
# C99 (5.2.4.1): the longest string literal every compiler must accept, NUL included.
C99_STRING_LIMIT = 4095
ARRAY_LINE_BYTES = 16       # values per line of the MSVC array


def identifier(name: str) -> str:
    """Mangle a dotted module name into a unique C identifier fragment.

    CPython replaces '.' with '_', so ``a.b_c`` and ``a_b.c`` collide.  Here
    '_' becomes '__', '.' becomes '_0' and anything outside [A-Za-z0-9] becomes
    '_x<hex>_': every mangled name decodes back to exactly one module name.
    """
    out = []
    for ch in name:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch == "_":
            out.append("__")
        elif ch == ".":
            out.append("_0")
        else:
            out.append(f"_x{ord(ch):x}_")
    return "".join(out)


def string(text: str) -> str:
    """A C string literal holding *text* encoded as UTF-8."""
    return '"' + "".join(_ESCAPE_LIST[b] for b in text.encode("utf-8")) + '"'


def comment(text: str) -> str:
    """A one-line C comment that says *text* and nothing more.

    ``*/`` would end it early and ``/*`` inside it is a warning (-Wcomment);
    ``??`` could start a trigraph (``??/`` splices lines under -std=c99);
    control characters, newlines included, become ``\\xNN`` so the comment stays
    on its line.
    """
    out = []
    for ch in text:
        code = ord(ch)
        out.append(f"\\x{code:02x}" if code < 0x20 or code == 0x7F else ch)
    body = "".join(out)
    unsafe = (("*/", "* /"), ("/*", "/ *"), ("??", "?-?"))
    while any(seq in body for seq, _ in unsafe):
        for seq, safe in unsafe:
            body = body.replace(seq, safe)
    return "/* " + body + " */"


# Characters C99 leaves undefined in a "q-char-sequence" (6.4.7), plus what
# ends the line or the name.
_INCLUDE_FORBIDDEN = {'"': "ends the file name", "'": "undefined in an #include name",
                      "\\": "undefined in an #include name", "\n": "ends the line",
                      "\r": "ends the line"}


def include(path: str) -> str:
    """``#include "path"`` for a '/'-separated relative path, or :class:`Unwritable`."""
    for ch, reason in _INCLUDE_FORBIDDEN.items():
        if ch in path:
            raise Unwritable("C", path, ch, reason)
    for seq in ("//", "/*"):
        if seq in path:
            raise Unwritable("C", path, seq, "starts a comment inside an #include name")
    return f'#include "{path}"'


def string_literal_lines(data: bytes, indent: str = "    ") -> list[str]:
    """*data* as adjacent string literals, one per line."""
    # map() over a lookup table keeps the per-byte work in C: headers for a
    # whole stdlib hold ~12 MB of marshal data, rendered in one process.
    esc = _ESCAPE_LIST.__getitem__
    lines = [indent + '"' + "".join(map(esc, data[start:start + STRING_LINE_BYTES])) + '"'
             for start in range(0, len(data), STRING_LINE_BYTES)]
    return lines or [indent + '""']


def msvc_accepts_string(data: bytes) -> bool:
    """Whether *data* as :func:`string_literal_lines` stays within MSVC's limits."""
    pieces = -(-len(data) // STRING_LINE_BYTES)
    return len(data) + 1 + pieces <= MSVC_STRING_LIMIT


def array_lines(data: bytes, indent: str = "    ") -> list[str]:
    """*data* plus a trailing 0 as comma-separated integers, for MSVC."""
    data = data + b"\0"
    dec = _DECIMALS.__getitem__     # "99," for 99: no str() call per byte
    return [indent + "".join(map(dec, data[start:start + ARRAY_LINE_BYTES]))
            for start in range(0, len(data), ARRAY_LINE_BYTES)]
