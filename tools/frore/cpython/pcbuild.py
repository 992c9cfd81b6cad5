"""Blocks of the tree's Visual Studio projects.

* ``PCbuild/_freeze_module.vcxproj``: one ``<None>`` item per frozen source
  with the ``ModName``/``IntFile``/``OutFile`` metadata that the project's
  ``_RebuildFrozen`` target batches over, and (3.11) the deep-freeze ``<Exec>``;
* ``PCbuild/_freeze_module.vcxproj.filters``: the same items under
  "Python Files";
* ``PCbuild/pythoncore.vcxproj`` (3.11): the deepfreeze.c compile item.

Items are built with ElementTree and laid out by the MSBuild writer the way the
tree indents them.  The ``<Exec>`` is the exception: the tree keeps its
``Command`` attribute on several physical lines (cmd's ``^`` continuations),
and ElementTree would write those line breaks as ``&#10;``; so that one
attribute is assembled line by line here, each piece escaped by the writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..writers import msbuild as mw
from ..writers.msbuild import escape as msbuild_escape
from .markers import Block
from .modules import CSource, FrozenSet

FROZEN = Block("<!-- BEGIN frozen modules -->", "<!-- END frozen modules -->")
DEEPFREEZE = Block("<!-- BEGIN deepfreeze rule -->", "<!-- END deepfreeze rule -->")
CORE_DEEPFREEZE = Block("<!-- BEGIN deepfreeze -->", "<!-- END deepfreeze -->")

ITEM_INDENT = "    "
def windows_path(rel: str) -> str:
    """A tree-relative '/' path as MSBuild writes it, escaped."""
    return msbuild_escape(rel.replace("/", "\\"))


def _item(tag: str, src: CSource, **metadata: str) -> ET.Element:
    el = ET.Element(tag, {"Include": "..\\" + windows_path(src.rel)})
    for key, value in metadata.items():
        ET.SubElement(el, key).text = value
    return el


def project_items(fs: FrozenSet) -> list[str]:
    lines: list[str] = []
    for src in fs.sources:
        header = windows_path(src.header)
        lines += mw.element_lines(ITEM_INDENT, _item(
            "None", src, ModName=msbuild_escape(src.id),
            IntFile=f"$(IntDir){msbuild_escape(src.id)}.g.h",
            OutFile=fs.layout.vcxproj_out_dir + header))
    return lines


def filter_items(fs: FrozenSet) -> list[str]:
    lines: list[str] = []
    for src in fs.sources:
        lines += mw.element_lines(ITEM_INDENT, _item("None", src, Filter="Python Files"))
    return lines


def deepfreeze_exec(fs: FrozenSet, script: str) -> list[str]:
    """``<Exec Command='...'/>`` running deepfreeze.py over every header."""
    args = [f'"$(PySourcePath){windows_path(s.header)}:{msbuild_escape(s.id)}"'
            for s in fs.sources]
    args.append('"-o" "$(PySourcePath)Python\\deepfreeze\\deepfreeze.c"')
    lines = ["\t<Exec Command='" + mw.attribute_text(
        f'$(PythonForBuild) "$(PySourcePath){windows_path(script)}" ^')]
    lines += ["\t\t " + mw.attribute_text(a) + " ^" for a in args[:-1]]
    lines.append("\t\t " + mw.attribute_text(args[-1]) + "'/>")
    return lines


def core_items(fs: FrozenSet) -> list[str]:
    el = ET.Element("ClCompile", {"Include": "..\\Python\\deepfreeze\\deepfreeze.c"})
    return mw.element_lines(ITEM_INDENT, el)


def project_blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    out = [(FROZEN, project_items(fs))]
    if fs.layout.deepfreeze:
        out.append((DEEPFREEZE, deepfreeze_exec(fs, fs.layout.deepfreeze)))
    return out


def filter_blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    return [(FROZEN, filter_items(fs))]


def core_blocks(fs: FrozenSet) -> list[tuple[Block, list[str]]]:
    return [(CORE_DEEPFREEZE, core_items(fs))]
