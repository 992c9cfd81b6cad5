"""Meson syntax, with all quoting in one place.

Meson strings are single-quoted and understand backslash escapes, so a path
holding a quote, a backslash or a control character must be escaped or it
ends the string early (or silently changes).  Backends build values as plain
Python data (str, bool, int, list) and small nodes (:class:`Code` for a
variable, :class:`BinOp`, :class:`Call`) and let this module spell them; they
never paste Meson text together by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from . import Unwritable, refuse
from .lines import LineWriter

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAMED = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


@dataclass(frozen=True)
class Code:
    """Meson text used as is: a variable name or an expression built by this module."""

    text: str


@dataclass(frozen=True)
class BinOp:
    """``left op right`` (``+`` to concatenate, ``/`` to join paths)."""

    op: str
    left: Value
    right: Value


@dataclass(frozen=True)
class Call:
    """``function(args, key: value)``; ``receiver.function(...)`` when a receiver is given."""

    function: str
    args: tuple[Value, ...] = ()
    kwargs: tuple[tuple[str, Value], ...] = ()          # (key, value) pairs, in order
    receiver: Value | None = None


Value = Union[str, bool, int, "PathString", Code, BinOp, Call, "list[Value]", "tuple[Value, ...]"]
_WIDTH = 88


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


def identifier(name: str) -> Code:
    """A variable name; refuses anything Meson would not parse as one."""
    if not is_identifier(name):
        raise ValueError(f"not a Meson identifier: {name!r}")
    return Code(name)


def string(text: str) -> str:
    """A single-quoted Meson string literal holding exactly *text*.

    Other control characters become ``\\xhh`` escapes so a generated file
    never contains raw control bytes.
    """
    out = []
    for ch in text:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


@dataclass(frozen=True)
class PathString:
    """A path: a string Meson and Ninja must carry into build rules (see :func:`path`)."""

    text: str


_PATH_REFUSED = {
    "|": "Ninja cannot escape it in a path, and Meson writes it as is",
    "\\": "Meson writes it as '/' in Ninja dependencies, which then never settle",
}
_SUBSTITUTION = re.compile(r"@[A-Z0-9_]+@")


def path(text: str, in_command: bool = False) -> PathString:
    """*text* as a path string, or :class:`Unwritable` when Meson cannot carry it.

    Meson refuses newlines in rules itself (after ``run_command`` ran), Ninja
    cannot lex a carriage return, and a tab in an output makes Ninja rebuild
    forever; a path put directly in a ``command:`` must not look like one of
    Meson's ``@INPUT@``-style substitutions.
    """
    refuse("Meson", text, _PATH_REFUSED, "Ninja cannot hold control characters in rules")
    match = _SUBSTITUTION.search(text) if in_command else None
    if match:
        raise Unwritable("Meson", text, match.group(0), "Meson substitutes it in commands")
    return PathString(text)


def expr(value: Value, indent: str = "") -> str:
    """Spell a value as Meson; lists and calls wrap one item per line when long.

    *indent* is the indentation of the line the expression starts on, so
    wrapped items line up however deeply they nest.
    """
    if isinstance(value, Code):
        return value.text
    if isinstance(value, PathString):
        return string(value.text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, BinOp):
        return f"{expr(value.left, indent)} {value.op} {expr(value.right, indent)}"
    if isinstance(value, Call):
        head = value.function if value.receiver is None else \
            f"{expr(value.receiver, indent)}.{value.function}"
        items = [expr(a, indent + "  ") for a in value.args]
        items += [f"{key}: {expr(v, indent + '  ')}" for key, v in value.kwargs]
        return _wrap(head + "(", items, ")", indent)
    if isinstance(value, (list, tuple)):
        return _wrap("[", [expr(v, indent + "  ") for v in value], "]", indent)
    raise TypeError(f"cannot write {type(value).__name__} as Meson")


def _wrap(opening: str, items: list[str], closing: str, indent: str) -> str:
    flat = opening + ", ".join(items) + closing
    if len(indent) + len(flat) <= _WIDTH and "\n" not in flat:
        return flat
    inner = indent + "  "
    return opening + "\n" + "".join(f"{inner}{i},\n" for i in items) + indent + closing


def join(left: Value, right: Value) -> BinOp:
    """``left / right``: Meson's path join."""
    return BinOp("/", left, right)


def plus(left: Value, right: Value) -> BinOp:
    return BinOp("+", left, right)


def index(value: Value, i: int) -> Code:
    """``value[i]``."""
    return Code(f"{expr(value)}[{int(i)}]")


def call(function: str, *args: Value, **kwargs: Value) -> Call:
    return Call(function, args, tuple(kwargs.items()))


def method(receiver: Value, function: str, *args: Value, **kwargs: Value) -> Call:
    return Call(function, args, tuple(kwargs.items()), receiver)


class MesonWriter(LineWriter):
    """Collects statements; :meth:`text` gives the file."""

    def assign(self, name: str, value: Value, op: str = "=") -> None:
        if op not in ("=", "+="):
            raise ValueError(f"unknown assignment operator {op!r}")
        self.lines.append(f"{identifier(name).text} {op} {expr(value)}")

    def statement(self, value: Value) -> None:
        """An expression evaluated for its effect (a call)."""
        self.lines.append(expr(value))

    def if_block(self, condition: Value, body: list[Value]) -> None:
        self.lines.append(f"if {expr(condition)}")
        self.lines.extend("  " + expr(statement, "  ") for statement in body)
        self.lines.append("endif")
