"""MSBuild XML, with all quoting in one place.

A value in an MSBuild file passes two parsers: XML (``&``, ``<``, quotes),
which ElementTree handles, and MSBuild itself, which expands ``$(...)``,
``@(...)`` and ``%(...)``, splits item lists at ``;``, globs ``*`` and ``?``
and unescapes ``%XX``.  A literal (a path, a module name) therefore goes
through :func:`escape`; an expression the caller means MSBuild to expand
(``$(FroreRoot)``) is written as is.  Backends build files only through
:class:`Writer` and never paste XML text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from . import Unwritable, refuse

NAMESPACE = "http://schemas.microsoft.com/developer/msbuild/2003"

# What MSBuild treats specially in attribute and element values; each becomes %XX.
_SPECIAL = "%$@;'()*?"


def escape(literal: str) -> str:
    """*literal* as MSBuild text that evaluates back to exactly *literal*."""
    return "".join(f"%{ord(ch):02X}" if ch in _SPECIAL else ch for ch in literal)


_REFUSED = {
    ";": "xbuild splits lists at ';' even when it is escaped",
    "%": "MSBuild unescapes %XX sequences (xbuild twice)",
    "\\": "xbuild turns it into '/'",
    "*": "xbuild expands it in item lists even when it is escaped",
    "?": "xbuild expands it in item lists even when it is escaped",
}
_EVALUATED = ("$(", "@(")


def check_path(text: str) -> None:
    """Raise :class:`Unwritable` for a path MSBuild (or Mono's xbuild) cannot carry.

    Escaping makes every other character literal in real MSBuild; these are the
    ones MSBuild or xbuild still act on (xbuild also evaluates ``$(...)`` in the
    folder that holds a project, before any file frore writes is read).
    """
    refuse("MSBuild", text, _REFUSED, "control characters do not survive MSBuild's item lists")
    for seq in _EVALUATED:
        if seq in text:
            raise Unwritable("MSBuild", text, seq, "xbuild evaluates it even in the folder "
                                                   "that holds a project")


def path(prefix: str, relative: str) -> str:
    """``$(prefix)`` followed by a literal '/'-separated *relative* path.

    '/' works for real MSBuild on Windows and for xbuild, whose up-to-date
    check does not translate '\\' on Linux.
    """
    return f"$({prefix})" + escape(relative) if prefix else escape(relative)


def condition_unset(name: str) -> str:
    """The usual "default unless the user set it" condition."""
    return f"'$({name})' == ''"


def _comment_text(text: str) -> str:
    # '--' may not appear inside an XML comment.
    return " " + text.replace("--", "- -") + " "


def element_lines(indent: str, element: ET.Element, step: str = "  ") -> list[str]:
    """*element* as lines for a block inside a hand-laid-out file (a CPython tree's
    .vcxproj): the first at *indent*, each child one *step* deeper."""

    def layout(el: ET.Element, level: int) -> None:
        if len(el):
            el.text = "\n" + indent + step * (level + 1)
            for child in el:
                layout(child, level + 1)
                child.tail = "\n" + indent + step * (level + 1)
            el[-1].tail = "\n" + indent + step * level

    layout(element, 0)
    element.tail = None
    first, *rest = ET.tostring(element, encoding="unicode").split("\n")
    return [indent + first, *rest]


def attribute_text(text: str) -> str:
    """*text* inside a single-quoted XML attribute that is assembled by hand (one
    whose value spans lines, which ElementTree would write as ``&#10;``)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;"))


class Writer:
    """One MSBuild project file, built as an ElementTree."""

    def __init__(self, default_targets: str | None = None, tools_version: str | None = None) -> None:
        attrs = {}
        if default_targets:
            attrs["DefaultTargets"] = default_targets
        if tools_version:
            attrs["ToolsVersion"] = tools_version
        attrs["xmlns"] = NAMESPACE
        self.root = ET.Element("Project", attrs)

    def comment(self, text: str, parent: ET.Element | None = None) -> None:
        (self.root if parent is None else parent).append(ET.Comment(_comment_text(text)))

    def group(self, tag: str, label: str | None = None, condition: str | None = None) -> ET.Element:
        """A PropertyGroup, ItemGroup, ImportGroup or ItemDefinitionGroup."""
        attrs = {}
        if condition:
            attrs["Condition"] = condition
        if label:
            attrs["Label"] = label
        return ET.SubElement(self.root, tag, attrs)

    @staticmethod
    def property(group: ET.Element, name: str, value: str, condition: str | None = None) -> None:
        element = ET.SubElement(group, name, {"Condition": condition} if condition else {})
        element.text = value

    def default_property(self, group: ET.Element, name: str, value: str) -> None:
        """A property the user may set first (in the project or with /p:)."""
        self.property(group, name, value, condition_unset(name))

    @staticmethod
    def item(group: ET.Element, item_type: str, include: str,
             metadata: dict[str, str] | None = None) -> ET.Element:
        element = ET.SubElement(group, item_type, {"Include": include})
        for key, value in (metadata or {}).items():
            ET.SubElement(element, key).text = value
        return element

    @staticmethod
    def definition(group: ET.Element, item_type: str, metadata: dict[str, str]) -> ET.Element:
        """Default metadata for every item of *item_type* (inside an ItemDefinitionGroup)."""
        element = ET.SubElement(group, item_type)
        for key, value in metadata.items():
            ET.SubElement(element, key).text = value
        return element

    def import_project(self, project: str, condition: str | None = None,
                       parent: ET.Element | None = None) -> None:
        attrs = {"Project": project}
        if condition:
            attrs["Condition"] = condition
        ET.SubElement(self.root if parent is None else parent, "Import", attrs)

    def text(self) -> str:
        """The file: UTF-8 declaration, two-space indents, '\\n' line endings."""
        ET.indent(self.root, space="  ")
        body = ET.tostring(self.root, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
