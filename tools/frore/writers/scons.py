"""What SCons can put on a compiler command line.

frore's SCons tool never lets SCons substitute or shell-quote a path of its
own: nodes come from ``env.fs``, actions are Python functions.  The module
table, though, is compiled by the user's own ``env.Program``, and its folder
goes on ``CPPPATH``: there SCons substitutes ``$`` (and evaluates Python in
``${...}``), quotes only arguments that hold a blank, and leaves backticks to
the shell.  So the table's folder may not hold what that command line would
read as something other than a file name.
"""

from __future__ import annotations

from . import refuse

_REFUSED = {
    "$": "SCons substitutes it on command lines (and evaluates Python in ${...})",
    "`": "the shell runs what stands between backticks",
    ";": "the shell ends the command there", "&": "the shell ends the command there",
    "|": "the shell starts a pipe there", "<": "the shell redirects there",
    ">": "the shell redirects there", "(": "the shell reads it as syntax",
    ")": "the shell reads it as syntax", '"': "the shell reads it as a quote",
    "'": "the shell reads it as a quote", "\\": "the shell reads it as an escape",
    "*": "the shell expands it as a wildcard", "?": "the shell expands it as a wildcard",
    "[": "the shell expands it as a wildcard",
}


def check_compiled_path(text: str) -> None:
    """Raise :class:`Unwritable` if *text* cannot stand in a SCons compile command."""
    refuse("SCons", text, _REFUSED, "a control character splits the command line")
