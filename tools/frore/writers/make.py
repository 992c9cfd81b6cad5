"""GNU Make syntax, with all quoting in one place.

Make and the shell each have their own special characters, and a path lands
in both (rule lines are read by Make, recipe lines by Make then ``sh``).
Backends call these functions and never build Make text by hand.
"""

from __future__ import annotations

import shlex

from .lines import LineWriter


def escape_path(path: str) -> str:
    """A path for a target or prerequisite list.

    '$' doubles for Make; space, '#', ':' and '%' (which would turn an explicit
    rule into a pattern rule) take a backslash.
    """
    out = path.replace("$", "$$")
    for ch in (" ", "#", ":", "%"):
        out = out.replace(ch, "\\" + ch)
    return out


def shell_word(word: str) -> str:
    """A literal word for a recipe line: shell-quoted, then protected from Make."""
    return shlex.quote(word).replace("$", "$$")


def shell_path(prefix_variable: str, rest: str) -> str:
    """``"$(VAR)rest"`` for a recipe: Make expands VAR, the shell sees one word."""
    escaped = rest
    for ch in ("\\", '"', "`"):
        escaped = escaped.replace(ch, "\\" + ch)
    escaped = escaped.replace("$", "\\$$")
    return f'"$({prefix_variable}){escaped}"'


class MakeWriter(LineWriter):
    def variable(self, name: str, value: str, op: str = ":=") -> None:
        self.lines.append(f"{name} {op} {value}".rstrip())

    def list_variable(self, name: str, items: list[str]) -> None:
        if not items:
            self.variable(name, "")
            return
        self.lines.append(f"{name} := \\")
        for i, item in enumerate(items):
            self.lines.append(f"\t{item}" + (" \\" if i < len(items) - 1 else ""))

    def rule(self, targets: list[str], prerequisites: list[str], recipe: list[str] = ()) -> None:
        head = " ".join(targets) + ":"
        if prerequisites:
            head += " " + " ".join(prerequisites)
        self.lines.append(head)
        for command in recipe:
            self.lines.append("\t" + command)

    def phony(self, targets: list[str]) -> None:
        self.lines.append(".PHONY: " + " ".join(targets))
