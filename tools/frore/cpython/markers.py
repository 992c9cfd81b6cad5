"""Rewrite the text between a pair of marker lines, and nothing else.

Checked-in files (a Makefile, a C file, an MSBuild project) often carry a
generated block between two marker comments.  Only the lines strictly between
the marker lines are replaced: the marker lines themselves and every byte
before and after them (including a UTF-8 BOM and the file's CRLF or LF line
endings) come back unchanged.  A marker is found the way CPython's
generators find theirs: the first line *containing* the marker text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import FroreError


@dataclass(frozen=True)
class Block:
    """One generated region: the marker texts that open and close it."""

    begin: str
    end: str


def split_lines(text: str) -> list[str]:
    """Lines with their endings kept; only '\\n' ends a line (not form feeds)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def find_block(lines: list[str], block: Block, path: Path, text: str = "") -> tuple[int, int]:
    """0-based indexes of the begin and end marker lines of *block*.  *text*, the
    lines joined, when given, lets a file without the marker be skipped at C speed."""
    if text and block.begin not in text:
        begins: list[int] = []
    else:
        begins = [i for i, line in enumerate(lines) if block.begin in line]
    if not begins:
        raise FroreError(f"marker line {block.begin!r} not found (is this the right file, "
                         f"and is it from a supported CPython version?)", path)
    if len(begins) > 1:
        raise FroreError(f"marker {block.begin!r} occurs more than once (also on line "
                         f"{begins[1] + 1}); cannot tell which block to rewrite",
                         path, begins[0] + 1)
    start = begins[0]
    for i in range(start + 1, len(lines)):
        if block.end in lines[i]:
            return start, i
    raise FroreError(f"no end marker {block.end!r} after the marker {block.begin!r}",
                     path, start + 1)


def newline_of(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def rewrite(text: str, path: Path, blocks: list[tuple[Block, list[str]]]) -> str:
    """Apply several block replacements to one file's text.

    Every marker is located in the text as it is on disk before anything is
    replaced, so an error names the line a reader sees in the file.
    """
    lines = split_lines(text)
    spans = sorted((find_block(lines, block, path, text), body) for block, body in blocks)
    for (prev, _), ((start, _end), _) in zip(spans, spans[1:]):
        if start < prev[1]:
            raise FroreError("generated blocks overlap", path, start + 1)
    for (start, end), body in reversed(spans):
        eol = newline_of(lines[start])
        lines[start + 1:end] = [line + eol for line in body]
    return "".join(lines)
