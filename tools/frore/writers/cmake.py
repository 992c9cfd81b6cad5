"""CMake language syntax, with all quoting in one place.

Every argument frore writes is a *quoted argument* holding a literal: CMake
then sees exactly one argument whatever spaces a path holds.  Paths are written absolute and
literal (never through ``${CMAKE_CURRENT_SOURCE_DIR}``), which is what CMake's
generators carry through to Ninja and Make correctly.

What CMake cannot carry literally into custom commands (established with
CMake 3.25 and 4.x, Ninja and Unix Makefiles) is refused, naming the
character: ``;`` (list separator), ``#`` (refused in outputs, breaks Makefiles),
``|`` (no Ninja escape; order-only in Make), ``<`` ``>`` (refused in outputs,
and ``$<`` starts a generator expression), ``[`` ``]`` (bracket counting glues
list items), ``:`` (a Makefile target pattern), ``"`` (written unescaped into
CMake's own Makefile.cmake), ``\\`` (turned into ``/``), ``$`` (left unescaped in the Makefile rule that
compiles a C file in such a folder, where Make expands it) and control characters
(a newline lands raw in build.ninja and Makefiles, where it can run a command).
Backends call these helpers and never build CMake text by hand.
"""

from __future__ import annotations

from . import refuse
from .lines import LineWriter

_REFUSED = {
    ";": "CMake splits lists at ';', even in quoted arguments",
    "#": "CMake refuses it in custom command outputs, and its Makefiles break on it",
    "|": "Ninja cannot escape it in a path, and Make reads it as order-only",
    "<": "CMake refuses it in outputs, and '$<' starts a generator expression",
    ">": "CMake refuses it in custom command outputs",
    "[": "CMake counts brackets in lists and glues items together",
    "]": "CMake counts brackets in lists and glues items together",
    ":": "CMake's Makefiles read it as a target pattern",
    '"': "CMake writes it unescaped into its own Makefiles",
    "\\": "CMake turns it into '/'",
    "$": "CMake's Makefiles leave it unescaped in the compile rules of a source file",
}


def escape(text: str) -> str:
    """*text* as the inside of a quoted argument, to be read literally."""
    refuse("CMake", text, _REFUSED, "CMake writes control characters raw into build.ninja "
                                    "and Makefiles")
    return text


def quote(text: str) -> str:
    """A literal string as one quoted argument."""
    return f'"{escape(text)}"'


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
