"""Parse one entry of a group, in CPython's frozen-spec grammar.

    SOURCE [ ':' FROZEN_AS ] [ '=' PATH ]

SOURCE is a dotted module name, or ``<pkg>`` (the package), ``<pkg.*>`` (it
and its direct submodules) or ``<pkg.**.*>`` (recursively).  FROZEN_AS is the
name the module is imported as (an alias); ``<name>`` freezes it as a package.
PATH names the source file explicitly instead of searching for it.  A CPython
developer can paste the ``FROZEN`` list of ``freeze_modules.py`` unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    source: str               # dotted name of the module whose code is frozen
    frozen_as: str | None     # import name when it differs (alias)
    alias_is_package: bool    # FROZEN_AS was written as <name>
    path: str | None          # explicit source file, as written
    package: bool             # SOURCE was written in <...>
    submodules: str           # "", "*" (direct) or "**" (recursive)


class SpecError(ValueError):
    """Raised with a message; the caller adds the manifest file and line."""


def is_dotted(name: str) -> bool:
    """Whether *name* is a dotted module name: Python identifiers joined by '.'.

    ``str.isidentifier`` is Python's own rule, so a file named ``evil\n.py``
    (a trailing newline) or ``1x.py`` is never taken for a module.
    """
    return all(part.isidentifier() for part in name.split("."))


def parse_spec(text: str) -> Spec:
    head, equals, path = text.partition("=")     # a path may itself hold ':'
    source, colon, frozen_as = head.partition(":")
    source, frozen_as, path = source.strip(), frozen_as.strip(), path.strip()

    if colon and not frozen_as:
        raise SpecError(f"{text!r}: alias after ':' is empty (write 'source : alias')")
    if equals and not path:
        raise SpecError(f"{text!r}: path after '=' is empty (write 'name = path/to/file.py')")
    if not source:
        raise SpecError(f"{text!r}: no module name")

    package = source.startswith("<") or source.endswith(">")
    submodules = ""
    if package:
        if not (source.startswith("<") and source.endswith(">")):
            raise SpecError(f"{text!r}: unbalanced '<...>'")
        source = source[1:-1].strip()
        if source.endswith(".**.*"):
            source, submodules = source[:-5], "**"
        elif source.endswith(".*"):
            source, submodules = source[:-2], "*"
    if not is_dotted(source):
        raise SpecError(f"{text!r}: {source!r} is not a module name")

    alias_is_package = frozen_as.startswith("<") or frozen_as.endswith(">")
    if alias_is_package:
        if not (frozen_as.startswith("<") and frozen_as.endswith(">")):
            raise SpecError(f"{text!r}: unbalanced '<...>' in alias")
        frozen_as = frozen_as[1:-1].strip()
        if not frozen_as:
            raise SpecError(f"{text!r}: alias after ':' is empty (write 'source : <alias>')")
    if frozen_as and not is_dotted(frozen_as):
        raise SpecError(f"{text!r}: alias {frozen_as!r} is not a module name")
    if path and submodules:
        raise SpecError(f"{text!r}: an explicit path cannot be combined with '<{source}.{submodules}>'")

    return Spec(source=source, frozen_as=frozen_as or None, alias_is_package=alias_is_package,
                path=path or None, package=package, submodules=submodules)
