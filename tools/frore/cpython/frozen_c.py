"""Blocks of ``Python/frozen.c``: header includes, deep-freeze externs (3.11), the
bootstrap/stdlib/test tables and the alias table.  With deep-freeze a row ends in
``GET_CODE(<id>)``; without it (3.13) a row is name, bytes, size, is-package.

The marker lines are the tree's own: each table's declaration line opens its
block and the ``/* ... sentinel */`` row closes it, so the sentinel rows and
the ``#define GET_CODE`` / ``_PyImport_Frozen*`` lines around them stay
exactly as the tree has them.
"""

from __future__ import annotations

from ..writers import c as cwriter
from .markers import Block
from .modules import CModule, FrozenSet

INDENT = "    "

INCLUDES = Block("/* Includes for frozen modules: */", "/* End includes */")
EXTERNS = Block("/* Start extern declarations */", "/* End extern declarations */")
BOOTSTRAP = Block("static const struct _frozen bootstrap_modules[] =", "/* bootstrap sentinel */")
STDLIB = Block("static const struct _frozen stdlib_modules[] =", "/* stdlib sentinel */")
TEST = Block("static const struct _frozen test_modules[] =", "/* test sentinel */")
ALIASES = Block("const struct _module_alias aliases[] =", "/* aliases sentinel */")


def _row(fs: FrozenSet, m: CModule) -> str:
    src = fs.source(m)
    pkg = "true" if m.is_package else "false"
    name = cwriter.string(m.name)
    data = f"{src.symbol}, (int)sizeof({src.symbol})" if fs.includes_headers else "NULL, 0"
    if fs.layout.deepfreeze is None:
        return f"{{{name}, {data}, {pkg}}},"
    return f"{{{name}, {data}, {pkg}, GET_CODE({src.code_name})}},"


def tables(fs: FrozenSet) -> dict[str, list[str]]:
    """The three tables' rows; stdlib rows grouped under a comment per group."""
    out: dict[str, list[str]] = {"bootstrap": [], "stdlib": [], "test": []}
    last_group = None
    for m in fs.modules:
        table = fs.table(m)
        rows = out[table]
        if table == "stdlib" and m.group != last_group:
            if last_group is not None:
                rows.append("")
            rows.append(INDENT + cwriter.comment(m.group))
            last_group = m.group
        rows.append(INDENT + _row(fs, m))
    return out


def aliases(fs: FrozenSet) -> list[str]:
    rows = []
    for m in fs.modules:
        is_alias, target = fs.alias_target(m)
        if is_alias:
            value = "NULL" if target is None else cwriter.string(target)
            rows.append(f"{INDENT}{{{cwriter.string(m.name)}, {value}}},")
    return rows


def blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    includes = []
    if fs.includes_headers:
        includes = [f'#include "frozen_modules/{s.id}.h"' for s in fs.sources]
    rows = tables(fs)
    out = [(INCLUDES, includes)]
    if fs.layout.deepfreeze:
        out.append((EXTERNS, [f"extern PyObject *_Py_get_{fs.source(m).code_name}_toplevel(void);"
                              for m in fs.modules]))
    return out + [
        (BOOTSTRAP, rows["bootstrap"]),
        (STDLIB, rows["stdlib"]),
        (TEST, rows["test"]),
        (ALIASES, aliases(fs)),
    ]
