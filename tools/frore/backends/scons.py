"""SCons: the resolved model as JSON, read by frore's SCons tool (frore/scons/frore.py).

The tool runs ``frore gen scons -o FILE`` each time SCons reads its SConscripts
and turns this description into nodes: the headers of each part of the module
table (sources: their .py files; built by the target interpreter on frore's
freezer, one process per part), the module table and its parts, and Value
nodes for what the table and the headers depend on besides files.  SCons
itself is Python, but the tool does not import frore into the SCons process
(SCons registers a tool as ``sys.modules[name]``, which would hide the frore
package); JSON keeps the boundary plain data.

Paths below the manifest's folder are relative to it, so the description does
not change when the tree moves; others (the target's stdlib) are absolute.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import emit_c
from ..interpreter import freezer_command
from ..paths import posix_relpath
from ..writers import Unwritable, scons
from .base import ROOT, Backend

FORMAT = 3
DEFAULT_NAME = ".frore-scons.json"


class SConsBackend(Backend):
    name = "scons"

    def default_output(self) -> Path:
        return self.manifest.outputs.headers / DEFAULT_NAME

    def files(self) -> dict[Path, str]:
        table = self.manifest.outputs.table
        try:
            scons.check_compiled_path(posix_relpath(table, self.manifest.root)
                                      if table.is_relative_to(self.manifest.root) else str(table))
        except Unwritable as exc:
            raise self.refusal(exc) from None
        return {self.output: self.render()}

    def path(self, path: Path) -> str:
        anchor, rel = self.anchor(path)
        return rel if anchor == ROOT else str(path)

    def render(self) -> str:
        r = self.resolved
        interp = self.interpreter
        outputs = self.manifest.outputs
        data = {
            "format": FORMAT,
            "frore": list(r.frore),
            "python": str(interp.executable),
            "python_version": ".".join(map(str, interp.version)),
            "python_include": str(interp.include),
            "python_libdir": str(interp.libdir),
            "python_library": f"python{interp.ldversion}",
            "stamp": interp.stamp_text(),
            "freezer": freezer_command(interp.executable, "freeze-part"),
            "table_c": self.path(outputs.table),
            "table_h": self.path(outputs.table_header),
            "parts": [{"c": self.path(emit_c.part_path(r, n)), "number": n,
                       "units": [{"name": u.source_id, "source": self.path(u.source),
                                  "header": self.path(u.header), "optimize": u.optimize}
                                 for u in units]}
                      for n, units in emit_c.parts(r).items()],
            "modules": [[m.name, m.source_id, m.is_package] for m in r.modules],
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"
