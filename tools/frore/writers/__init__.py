"""One small writer per language frore writes: C, GNU Make, Meson, CMake, MSBuild, TOML.

Each writer owns its language's quoting: callers hand it raw text (a path, a
module name) and say what the text is (a rule target, a shell word, a string
literal); the writer applies every layer of escaping itself.  Text a language
cannot hold at all raises :class:`Unwritable`, naming the character, and the
backend turns that into a manifest error at the line that chose the path, so
a generated file never does something other than what it says.
"""

from __future__ import annotations


def refuse(language: str, text: str, refused: dict[str, str], control: str) -> None:
    """Raise :class:`Unwritable` for the first character of *text* that *refused*
    lists (with the reason), or that is a control character (*control* says why)."""
    if text.isascii() and text.isprintable() and not any(ch in text for ch in refused):
        return                                  # the common case, at C speed
    for ch in text:
        if ch in refused:
            raise Unwritable(language, text, ch, refused[ch])
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            raise Unwritable(language, text, ch, control)


class Unwritable(ValueError):
    """*text* holds a character *language* cannot express where it is needed."""

    def __init__(self, language: str, text: str, char: str, reason: str) -> None:
        self.language = language
        self.text = text
        self.char = char
        self.reason = reason
        super().__init__(f"{language} cannot hold {char!r} in {text!r}: {reason}")
