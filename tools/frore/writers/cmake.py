"""CMake language syntax, with all quoting in one place.

Every argument frore writes is a *quoted argument*: CMake then sees exactly
one argument whatever spaces or quotes a path holds.  Inside quotes only
``\\``, ``"`` and ``$`` (variable references) are special, plus newlines.
Two things cannot be made literal portably: ``;`` (CMake splits lists on it
after quoting) and ``$<`` (generator expressions are expanded in custom
commands after quoting), so they are refused with a clear error.
Backends call these helpers and never build CMake text by hand.
"""

from __future__ import annotations

from ..errors import FroreError
from .lines import LineWriter

_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """*text* as the inside of a quoted argument, to be read literally."""
    if ";" in text or "$<" in text:
        raise FroreError(f"CMake cannot take {text!r} literally: ';' and '$<' are not supported "
                         "in paths or names used by the CMake backend")
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def quote(text: str) -> str:
    """A literal string as one quoted argument."""
    return f'"{escape(text)}"'


def var(name: str) -> str:
    """A variable reference ``${name}`` (for use inside :func:`joined`)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a CMake variable name: {name!r}")
    return "${" + name + "}"


def path(variable: str, rel: str) -> str:
    """``"${variable}/rel"``: a path below a folder held in a variable."""
    return f'"{var(variable)}/{escape(rel)}"' if rel not in ("", ".") else f'"{var(variable)}"'


class CMakeWriter(LineWriter):
    """Accumulates commands; every argument passed in is already quoted or a keyword."""

    def command(self, name: str, *args: str, wrap: bool = False) -> None:
        """``name(args...)``; *wrap* puts each argument on its own line."""
        if not wrap or not args:
            self.lines.append(f"{name}({' '.join(args)})")
            return
        self.lines.append(f"{name}(")
        for arg in args:
            self.lines.append(f"  {arg}")
        self.lines.append(")")

    def set(self, variable: str, *values: str) -> None:
        """``set(variable values...)``, one value per line when there are several."""
        self.command("set", variable, *values, wrap=len(values) > 3)
