"""GNU Make syntax, with every layer of quoting in one place.

A path lands in up to three parsers: Make's rule-line parser (targets and
prerequisites, after variable expansion), Make's assignment parser, and the
shell that runs a recipe.  Callers hand this module raw paths and say which
role a word plays; it applies every layer itself and refuses what Make cannot
express.  The rules below were established by experiment with GNU Make 4.3:

* ``$`` doubles everywhere; ``#`` takes a backslash (so does every backslash
  run before it).
* Blanks, ``:`` and ``;`` take a backslash in rule words; so does ``%`` in a
  target (else a pattern rule) and ``|`` in a prerequisite (else an
  order-only list).  Backslashes before such a character double.
* In a *literal* rule line, ``;`` still starts a recipe and ``=`` makes the
  line an assignment even when escaped: they are written through the
  variables ``$(frore_semi)`` and ``$(frore_eq)`` (defined by :meth:`MakeWriter.prologue`).
* Refused: ``*``, ``?`` and ``[`` (Make globs every target and prerequisite),
  control characters (a newline ends a recipe line even inside quotes, a tab
  turns into a blank, the others are split by Make's functions), a leading ``~`` (tilde expansion), a
  word ending in ``)`` after a ``(`` (an archive member), a leading blank, and
  a trailing blank or backslash.
* A recipe word is ``shlex.quote``d, then ``$`` doubled (and ``#`` escaped
  when the word is stored in a variable).  Recipes name their
  files through ``$@`` and ``$<`` quoted at make time by ``$(call frore_arg,...)``,
  so a value computed when Make runs (the fragment's own folder) is quoted
  correctly too.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from . import Unwritable, refuse
from .lines import LineWriter

LANGUAGE = "GNU Make"
_GLOB = dict.fromkeys("*?[", "Make expands it as a wildcard in every target and prerequisite")
_BLANKS = " \t"


def check(text: str) -> None:
    """Raise :class:`Unwritable` when no escaping makes *text* one rule word."""
    refuse(LANGUAGE, text, _GLOB, "a control character cannot be written in a Make rule or recipe")
    if text.startswith("~"):      # also after a folder of './', which Make strips first
        raise Unwritable(LANGUAGE, text, "~", "a leading '~' is expanded to a home folder")
    if text.endswith(")") and "(" in text:
        raise Unwritable(LANGUAGE, text, "(", "a name ending in ')' after '(' is read as an "
                                              "archive member")
    if text.endswith(("\\", " ", "\t")):
        raise Unwritable(LANGUAGE, text, text[-1], "Make cannot end a name with it")
    if text.startswith((" ", "\t")):
        raise Unwritable(LANGUAGE, text, text[0], "Make drops a blank that starts a name "
                                                  "(after the folder './' it strips)")


def _backslashed(text: str, special: set[str]) -> str:
    """A backslash before each character of *special*, and every run of backslashes
    before one doubled (so it stays literal): how Make escapes, in rules and values."""
    if "\\" not in text and not any(ch in text for ch in special):
        return text                             # the common case, at C speed
    out: list[str] = []
    run = 0
    for ch in text:
        if ch == "\\":
            run += 1
            continue
        out.append("\\" * (2 * run + 1 if ch in special else run) + ch)
        run = 0
    return "".join(out) + "\\" * run


def _rule_text(text: str, role: str) -> str:
    """What Make's rule parser must see, after expansion, to read *text* as one word."""
    return _backslashed(text, set(_BLANKS) | {":", ";"} | ({"%"} if role == "t" else {"|"}))


# In a literal rule line ';' starts a recipe and '=' makes an assignment even after a
# backslash: they go through variables the prologue defines.
_LITERAL_RULE = {"$": "$$", ";": "$(frore_semi)", "=": "$(frore_eq)", "\t": "$(frore_tab)"}


def _encode(text: str, literal_rule: bool) -> str:
    """Rule-parser text as it must be written in a makefile line."""
    table = _LITERAL_RULE if literal_rule else {"$": "$$"}
    result = "".join(table.get(ch, ch) for ch in _backslashed(text, {"#"}))
    if result.endswith("&"):            # "x&:" is a grouped target
        result += "$(frore_empty)"
    return result


def rule_word(text: str, role: str) -> str:
    """*text* (a path, or the part after a folder variable) as a word of a rule line.

    *role* is ``"t"`` for a target, ``"p"`` for a prerequisite.
    """
    check(text)
    return _encode(_rule_text(text, role), literal_rule=True)


def value_word(text: str, role: str) -> str:
    """*text* as a word of a ``NAME := ...`` value that is later used in rule lines."""
    check(text)
    return _encode(_rule_text(text, role), literal_rule=False)


def shell_word(word: str) -> str:
    """A literal word for a recipe line: shell-quoted, then protected from Make."""
    refuse(LANGUAGE, word, {}, "a recipe line ends at a newline, even inside quotes")
    return shlex.quote(word).replace("$", "$$")


def shell_value(word: str) -> str:
    """A shell word inside a ``NAME := ...`` value (used later in recipes): as
    :func:`shell_word`, and a ``#`` (with the backslashes before it) escaped, since
    in an assignment it would start a comment."""
    return _backslashed(shell_word(word), {"#"})


@dataclass(frozen=True)
class Ref:
    """A path as a build file names it: a folder variable (``$(NAME_t)``, ``$(NAME_p)``,
    ``$(NAME_s)``, see :meth:`MakeWriter.folder`) plus a raw relative path, or an
    absolute path (*folder* ``None``)."""

    folder: str | None
    rel: str

    def rule(self, role: str) -> str:
        if self.folder is None:
            return rule_word(self.rel, role)
        return f"$({self.folder}_{role})" + (rule_word(self.rel, role)
                                              if self.rel else "")

    def value(self, role: str) -> str:
        if self.folder is None:
            return value_word(self.rel, role)
        return f"$({self.folder}_{role})" + (value_word(self.rel, role)
                                              if self.rel else "")

    def shell(self, in_value: bool = False) -> str:
        """One shell word; *in_value* when it goes into a ``:=`` value, not a recipe."""
        quote = shell_value if in_value else shell_word
        if self.folder is None:
            return quote(("./" + self.rel) if self.rel.startswith("-") else self.rel)
        return f"$({self.folder}_s)" + (quote(self.rel) if self.rel else "")


@dataclass(frozen=True)
class Raw:
    """Make text used as is in a recipe (``$(FRORE)``, ``$@``): the caller vouches for it."""

    text: str


Arg = "str | Ref | Raw"


def arg_text(arg: str | Ref | Raw) -> str:
    if isinstance(arg, Raw):
        return arg.text
    if isinstance(arg, Ref):
        return arg.shell()
    return shell_word(arg)


# Make-time helpers every fragment defines (identically, so several fragments
# may be included).  frore_arg quotes a value known only when Make runs ($<, $@,
# the fragment's folder) as one shell word; a leading '-' gets './'.  (Not with
# patsubst: Make's word functions would squeeze runs of blanks in the name.)
PROLOGUE = [
    "frore_empty :=",
    "frore_semi := ;",
    "frore_eq := =",
    "frore_tab := $(frore_empty)\t$(frore_empty)",
    "frore_arg = '$(subst ','\\'',$(if $(filter -%,$(firstword $1)),./)$1)'",
    "frore_esc_t = $(subst %,\\%,$(subst ;,\\;,$(subst :,\\:,$1)))",
    "frore_esc_p = $(subst |,\\|,$(subst ;,\\;,$(subst :,\\:,$1)))",
]


class MakeWriter(LineWriter):
    def prologue(self) -> None:
        self.lines.extend(PROLOGUE)

    def folder(self, name: str, expression: str) -> None:
        """Three variables for a folder known only when Make runs (*expression*, e.g.
        ``$(dir $(frore_mk))``): ``NAME_t``, ``NAME_p`` (escaped for targets and
        prerequisites) and ``NAME_s`` (one shell word)."""
        self.lines.append(f"{name} := {expression}")
        self.lines.append(f"{name}_t := $(call frore_esc_t,$({name}))")
        self.lines.append(f"{name}_p := $(call frore_esc_p,$({name}))")
        self.lines.append(f"{name}_s := $(call frore_arg,$({name}))")

    def variable(self, name: str, value: str, op: str = ":=") -> None:
        """``NAME op value``; *value* is Make text built by this module."""
        self.lines.append(f"{name} {op} {value}".rstrip())

    def list_variable(self, name: str, items: list[str]) -> None:
        """A ``:=`` list, one item per line; *items* are Make text built by this module."""
        if not items:
            self.variable(name, "")
            return
        self.lines.append(f"{name} := \\")
        self.lines.extend(continued(items, "\t"))

    def command(self, args: list[str | Ref | Raw]) -> str:
        """One recipe line from arguments: literals are quoted, refs and raw text kept."""
        return " ".join(arg_text(a) for a in args)

    def rule(self, targets: list[Ref | Raw], prerequisites: list[Ref | Raw],
             recipe: Sequence[str] = ()) -> None:
        """``targets: prerequisites`` and recipe lines (from :meth:`command`)."""
        head = " ".join(t.text if isinstance(t, Raw) else t.rule("t") for t in targets) + ":"
        prereqs = [p.text if isinstance(p, Raw) else p.rule("p") for p in prerequisites]
        if prereqs:
            head += " " + " ".join(prereqs)
        self.lines.append(head)
        for line in recipe:
            self.lines.append("\t" + line)

    def phony(self, targets: list[str]) -> None:
        self.lines.append(".PHONY: " + " ".join(targets))

    def raw(self, line: str) -> None:
        """A line of Make text this module did not build (conditionals, $(error))."""
        self.lines.append(line)


def continued(items: Sequence[str], indent: str) -> list[str]:
    """One item per line, each but the last ending in a line continuation."""
    return [f"{indent}{item}" + (" \\" if i < len(items) - 1 else "")
            for i, item in enumerate(items)]
