"""TOML, the manifest's language: what ``frore discover --write`` and ``frore init``
put into a ``frozen.toml``.  Only basic strings are needed; every character is
representable, so nothing is refused."""

from __future__ import annotations

_NAMED = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
          "\r": "\\r"}


def string(text: str) -> str:
    """A TOML basic string holding exactly *text* (control characters escaped)."""
    out = []
    for char in text:
        if char in _NAMED:
            out.append(_NAMED[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
