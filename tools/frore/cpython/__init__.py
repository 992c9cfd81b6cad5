"""The "cpython" flavor: frore as the drop-in for a CPython tree's freeze_modules step.

With ``flavor = "cpython"`` the manifest describes a CPython source tree's own
frozen set, and ``frore regen`` rewrites, between the tree's marker lines,
the blocks that the tree's ``freeze_modules.py`` maintains (3.11 and 3.13; what
differs between them is data in :mod:`.layouts`):

* ``Makefile.pre.in``: FROZEN_FILES_IN/OUT, the per-header rules, deepfreeze (3.11);
* ``PCbuild/_freeze_module.vcxproj`` (+ ``.filters``), ``PCbuild/pythoncore.vcxproj`` (3.11);
* ``Python/frozen.c``: includes, externs (3.11), the three tables and the aliases;

and, when ``[cpython] meson`` names a path, a Meson fragment.  Nothing is
frozen here: the tree's build runs its own ``_freeze_module``.  Every file is
returned whole (text outside the markers untouched) so ``check`` can compare.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FroreError
from ..model import Manifest, Resolved
from ..write import read_bytes
from ..writers import Unwritable
from . import frozen_c, makefile, markers, meson, pcbuild
from .layouts import LAYOUTS, supported
from .modules import FrozenSet, build, tree_version

# Each file the generator may rewrite, with the blocks rewritten in it; a version's
# layout says which of them its tree has (pythoncore.vcxproj only with deep-freeze).
BLOCKS = {
    "Makefile.pre.in": makefile.blocks,
    "PCbuild/_freeze_module.vcxproj": pcbuild.project_blocks,
    "PCbuild/_freeze_module.vcxproj.filters": pcbuild.filter_blocks,
    "PCbuild/pythoncore.vcxproj": pcbuild.core_blocks,
    "Python/frozen.c": frozen_c.blocks,
}


def prepare(manifest: Manifest) -> None:
    """Before resolving: the tree must be a CPython tree of a version we can write."""
    for group in manifest.groups:
        if group.optimize:
            raise FroreError(f"group {group.name!r}: the cpython flavor has no 'optimize' (the "
                             "tree's _freeze_module compiles at level 0)", manifest.path,
                             group.line)
    version = tree_version(manifest.root)
    if version not in LAYOUTS:
        raise FroreError(f"the cpython flavor writes the files of CPython {supported()} trees; "
                         f"{manifest.root} is CPython {version[0]}.{version[1]}, whose layout "
                         f"frore has not been tested on, so nothing was written",
                         manifest.path, manifest.flavor_line)


def files(resolved: Resolved) -> dict[Path, str]:
    """Every file this flavor owns in the tree, with its full new text."""
    prepare(resolved.manifest)
    fs = build(resolved)
    out: dict[Path, str] = {}
    for rel in fs.layout.files:
        path = fs.tree / rel
        data = read_bytes(path)
        if data is None:
            raise FroreError(f"{rel} is missing from the CPython tree {fs.tree}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FroreError(f"not UTF-8 text (byte {data[exc.start]:#04x})", path,
                             data[:exc.start].count(b"\n") + 1) from None
        out[path] = markers.rewrite(text, path, BLOCKS[rel](fs))
    if fs.options.meson is not None:
        try:
            out[fs.options.meson] = meson.render(fs, fs.options.meson)
        except Unwritable as exc:
            raise FroreError(f"[cpython] meson: {exc}", resolved.manifest.path,
                             resolved.manifest.flavor_line) from None
    return out


__all__ = ["files", "FrozenSet", "build"]
