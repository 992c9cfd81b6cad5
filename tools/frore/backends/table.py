"""``frore gen table``: the module table alone (``.c`` and its ``.h``), for build
rules that keep the headers current themselves (Meson, SCons)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import emit_c
from .base import Backend


class TableBackend(Backend):
    name = "table"

    def default_output(self) -> Path:
        return self.manifest.outputs.table

    def files(self) -> dict[Path, str]:
        resolved = self.resolved
        if self.output != self.manifest.outputs.table:
            if self.output.suffix != ".c":
                from ..errors import FroreError
                raise FroreError(f"the module table must be a .c file: {self.output}")
            outputs = replace(self.manifest.outputs, table=self.output)
            resolved = replace(resolved, manifest=replace(self.manifest, outputs=outputs))
        return emit_c.table_files(resolved)
