"""Build-file renderers, one module per build language, found by name here.

Each reads a :class:`~frore.model.Resolved` model and returns text; none of
them freezes, walks the file system or decides policy of its own.  ``frore
gen NAME`` and ``frore regen`` (which writes the Make fragment) both look
backends up in :data:`BACKENDS`, so a name that is not listed is never
imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import FroreError

if TYPE_CHECKING:
    from .base import Backend

# name -> "module:class", imported only when used (`frore freeze` imports none).
BACKENDS = {
    "cmake": "cmake:CMakeBackend",
    "make": "make:MakeBackend",
    "meson": "meson:MesonBackend",
    "msbuild": "msbuild:MSBuildBackend",
    "scons": "scons:SConsBackend",
    "table": "table:TableBackend",
}


def get(name: str) -> type[Backend]:
    """The backend class called *name*; an unknown name lists the known ones."""
    target = BACKENDS.get(name)
    if target is None:
        raise FroreError(f"unknown backend {name!r} (choose one of: {', '.join(sorted(BACKENDS))})")
    module, _, cls = target.partition(":")
    backend: type[Backend] = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
    return backend
