"""Blocks of ``Makefile.pre.in``: the FROZEN_FILES_IN/OUT lists, one rule per
header calling the tree's own ``_freeze_module`` (the bootstrap one for the
import system), and 3.11's deep-freeze rule.

Rules run the tree's freezer, not frore: the headers must be what
``Tools/scripts/deepfreeze.py`` and ``Python/frozen.c`` of that tree expect.
All quoting goes through :mod:`frore.makewriter`.
"""

from __future__ import annotations

from ..writers import make as mw
from .markers import Block
from .modules import CSource, FrozenSet

FILES_IN = Block("FROZEN_FILES_IN =", "# End FROZEN_FILES_IN")
FILES_OUT = Block("FROZEN_FILES_OUT =", "# End FROZEN_FILES_OUT")
RULES = Block("# BEGIN: freezing modules", "# END: freezing modules")
DEEPFREEZE = Block("# BEGIN: deepfreeze modules", "# END: deepfreeze modules")

DEEPFREEZE_C = "Python/deepfreeze/deepfreeze.c"


def _list(paths: list[str]) -> list[str]:
    """A continued variable value: two tabs per item, backslash on all but the last."""
    lines = [f"\t\t{mw.escape_path(p)} \\" for p in paths]
    if lines:
        lines[-1] = lines[-1][:-2]
    return lines


def _rule(src: CSource) -> list[str]:
    if src.bootstrap:
        command, deps = "$(FREEZE_MODULE_BOOTSTRAP)", "$(FREEZE_MODULE_BOOTSTRAP_DEPS)"
    else:
        command, deps = "$(FREEZE_MODULE)", "$(FREEZE_MODULE_DEPS)"
    recipe = " ".join([command, mw.shell_word(src.id), "$(srcdir)/" + mw.shell_word(src.rel),
                       mw.shell_word(src.header)])
    return [f"{mw.escape_path(src.header)}: {mw.escape_path(src.rel)} {deps}", f"\t{recipe}", ""]


def deepfreeze_rule(fs: FrozenSet) -> list[str]:
    lines = [f"{DEEPFREEZE_C}: $(DEEPFREEZE_DEPS)",
             "\t$(PYTHON_FOR_FREEZE) $(srcdir)/Tools/scripts/deepfreeze.py \\"]
    lines += [f"\t{mw.shell_word(s.header + ':' + s.id)} \\" for s in fs.sources]
    lines.append(f"\t-o {DEEPFREEZE_C}")
    return lines


def blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    rules = [""]
    for src in fs.sources:
        rules += _rule(src)
    return [
        (FILES_IN, _list([s.rel for s in fs.sources])),
        (FILES_OUT, _list([s.header for s in fs.sources])),
        (RULES, rules),
        (DEEPFREEZE, deepfreeze_rule(fs)),
    ]
