"""Blocks of ``Makefile.pre.in``: the FROZEN_FILES_IN/OUT lists, one rule per
header calling the tree's own ``_freeze_module`` (the bootstrap one for the
import system), and the deep-freeze rule where the version has one (3.11).

Rules run the tree's freezer, not frore: the headers must be what
``Tools/scripts/deepfreeze.py`` and ``Python/frozen.c`` of that tree expect.
All quoting goes through :mod:`frore.writers.make`.
"""

from __future__ import annotations

from ..writers import make as mw
from .markers import Block
from .modules import FrozenSet

FILES_IN = Block("FROZEN_FILES_IN =", "# End FROZEN_FILES_IN")
FILES_OUT = Block("FROZEN_FILES_OUT =", "# End FROZEN_FILES_OUT")
RULES = Block("# BEGIN: freezing modules", "# END: freezing modules")
DEEPFREEZE = Block("# BEGIN: deepfreeze modules", "# END: deepfreeze modules")

DEEPFREEZE_C = "Python/deepfreeze/deepfreeze.c"


def _list(paths: list[str]) -> list[str]:
    """A continued variable value: two tabs per item, backslash on all but the last."""
    return mw.continued([mw.value_word(p, "p") for p in paths], "\t\t")


def rules(fs: FrozenSet) -> list[str]:
    """One rule per header, each followed by a blank line, after a blank line."""
    w = mw.MakeWriter()
    w.blank()
    for src in fs.sources:
        if src.bootstrap:
            command, deps = "$(FREEZE_MODULE_BOOTSTRAP)", "$(FREEZE_MODULE_BOOTSTRAP_DEPS)"
        else:
            command, deps = "$(FREEZE_MODULE)", "$(FREEZE_MODULE_DEPS)"
        w.rule([mw.Ref(None, src.header)], [mw.Ref(None, src.rel), mw.Raw(deps)],
               [w.command([mw.Raw(command), src.id, mw.Raw("$(srcdir)/" + mw.shell_word(src.rel)),
                           src.header])])
        w.blank()
    return w.lines


def deepfreeze_rule(fs: FrozenSet, script: str) -> list[str]:
    w = mw.MakeWriter()
    words = ["$(PYTHON_FOR_FREEZE) $(srcdir)/" + script]
    words += [mw.shell_word(f"{s.header}:{s.id}") for s in fs.sources]
    words.append(f"-o {DEEPFREEZE_C}")
    w.rule([mw.Raw(DEEPFREEZE_C)], [mw.Raw("$(DEEPFREEZE_DEPS)")], mw.continued(words, ""))
    return w.lines


def blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    out = [
        (FILES_IN, _list([s.rel for s in fs.sources])),
        (FILES_OUT, _list([s.header for s in fs.sources])),
        (RULES, rules(fs)),
    ]
    if fs.layout.deepfreeze:
        out.append((DEEPFREEZE, deepfreeze_rule(fs, fs.layout.deepfreeze)))
    return out
