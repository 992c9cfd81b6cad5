"""What the Make, CMake and Meson writers share: a list of lines, '#' comments."""

from __future__ import annotations


class LineWriter:
    """Accumulates lines of a '#'-commented build language; :meth:`text` gives the file.

    Subclasses add the language's statements and own its quoting.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.lines.append(f"# {line}".rstrip())

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
