"""Meson snippet: one ``custom_target`` per frozen header, one for the module table.

Meson cannot load third-party modules and has no ``include``, so frore writes
a plain ``meson.build`` into a source folder and the project ``subdir()``s it.
The project's own ``meson.build`` runs ``frore gen meson`` with ``run_command``
just before that ``subdir()``, so whenever Meson reconfigures (and the snippet
makes the manifest a configure dependency) the module list is current; no
hand-run step.  Meson puts a custom target's outputs in the build folder that
mirrors the snippet's folder, which is why outputs are bare file names and the
module table includes the headers beside it (the ``--headers-dir`` layout).

A header's target runs the target interpreter directly on frore's freezer (one
process per module); the table target writes the table and its parts, each
part including a few headers, so editing one module recompiles one part.

Variables defined (``prefix=NAME`` renames the ``frore`` part):
``frore_headers`` (one target per header), ``frore_table`` (the table's .c,
.h and parts), ``frore_sources`` (both: pass to ``executable()``), ``frore_include``,
``frore_python`` (the interpreter whose bytecode is frozen),
``frore_python_version``, and ``frore_c_args`` (pass to ``executable()``: the
run-time switch's default, auto in debug builds).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import FORMAT_VERSION, emit_c
from ..errors import FroreError
from ..interpreter import freezer_command, part_arguments, stamp_command
from ..model import STAMP_NAME, FrozenModule, Resolved
from ..paths import posix_relpath
from ..writers import Unwritable
from ..writers import meson as mw
from .base import ROOT, STDLIB, Backend, Option

SNIPPET_NAME = "meson.build"


def _prefix(value: str) -> str:
    if not mw.is_identifier(value):
        raise ValueError("not a Meson identifier")
    return value


class MesonBackend(Backend):
    name = "meson"
    options = {"prefix": Option("first part of the variable names, default frore", _prefix)}

    def __init__(self, resolved: Resolved, output: Path | None = None,
                 options: dict[str, str] | None = None) -> None:
        if output is not None and Path(output).is_dir():
            output = Path(output) / SNIPPET_NAME
        super().__init__(resolved, output, options)
        if self.output.name != SNIPPET_NAME:
            raise FroreError(f"the Meson snippet must be named {SNIPPET_NAME} so subdir() finds "
                             f"it: {self.output}")
        self.prefix = str(self.settings.get("prefix", "frore"))
        self.anchors = {ROOT: f"{self.prefix}_root", STDLIB: f"{self.prefix}_stdlib"}

    def default_output(self) -> Path:
        """``<manifest's output.headers>/meson.build``: where regen would put headers."""
        return self.manifest.outputs.headers / SNIPPET_NAME

    def files(self) -> dict[Path, str]:
        return {self.output: self.render()}

    def var(self, name: str) -> mw.Code:
        return mw.identifier(f"{self.prefix}_{name}")

    def source_ref(self, path: Path) -> mw.Value:
        """A source path for Meson: below the manifest's folder or the stdlib.

        Both are absolute and normalised at configure time, so commands and
        error messages name ``/src/app/x.py``, never ``build/../src/frozen/../app/x.py``.
        """
        variable, rel = self.ref(path)
        return mw.join(mw.identifier(variable), mw.path(rel))

    def root_expr(self) -> mw.Value:
        """The manifest's folder from the snippet's: ``fs.parent()`` per ``..``, then down."""
        rel = posix_relpath(self.manifest.root, self.output.parent)
        parts = [] if rel == "." else rel.split("/")
        value: mw.Value = mw.method(mw.Code("meson"), "current_source_dir")
        while parts and parts[0] == "..":
            value = mw.method(self.var("fs"), "parent", value)
            parts.pop(0)
        return mw.join(value, "/".join(parts)) if parts else value

    def render(self) -> str:
        try:
            return self._render()
        except Unwritable as exc:
            raise self.refusal(exc) from None

    def _render(self) -> str:
        w = mw.MesonWriter()
        self._preamble(w)
        self._manifest_guard(w)
        self._interpreter(w)
        self._stamp(w)
        self._table(w)          # first: Ninja then starts it beside the first freezes
        w.comment("One target per part of the table, writing its modules' headers in one process;\n"
                  "a module whose header is current is only touched, not compiled.")
        w.assign(f"{self.prefix}_headers", [self._part_target(number, units) for number, units
                                            in emit_c.parts(self.resolved).items()])
        w.assign(f"{self.prefix}_sources", mw.plus([self.var("table")], self.var("headers")))
        w.assign(f"{self.prefix}_include", mw.call("include_directories", "."))
        w.comment("FRORE_FROZEN_MODULES's build-time default: auto in debug builds (a module "
                  "edited since\nthe build imports from source), on otherwise.  Pass to "
                  f"executable(): c_args: {self.prefix}_c_args.")
        w.assign(f"{self.prefix}_mode",
                 mw.Code("get_option('buildtype') == 'debug' ? 'auto' : 'on'"))
        w.assign(f"{self.prefix}_c_args",
                 [mw.plus("-D" + emit_c.DEFAULT_MACRO + "=", self.var("mode"))])
        return w.text()

    def _preamble(self, w: mw.MesonWriter) -> None:
        p = self.prefix
        w.comment(f"Generated by frore from {self.manifest.path.name}. Do not edit: the project's "
                  f"meson.build\nruns `frore gen meson` before subdir()-ing this folder, so it "
                  f"is rewritten whenever\nMeson reconfigures (editing the manifest makes the next "
                  f"`ninja` do that).\nDefines {p}_sources (pass to executable()), {p}_headers, "
                  f"{p}_table, {p}_include,\n{p}_python, {p}_python_version and {p}_c_args (pass to "
                  f"executable()).")
        w.blank()
        w.assign(f"{p}_fs", mw.call("import", "fs"))
        w.assign(f"{p}_root", self.root_expr())
        w.assign(f"{p}_manifest", mw.call(
            "files", mw.join(self.var("root"), self.manifest.path.name)))

    def _manifest_guard(self, w: mw.MesonWriter) -> None:
        manifest_file = mw.index(self.var("manifest"), 0)
        snippet_rel = posix_relpath(self.output, self.manifest.root)
        w.comment("Reading the manifest makes it a configure dependency.")
        w.statement(mw.method(self.var("fs"), "read", manifest_file))
        w.comment("Written for this manifest only; a stale copy would build the wrong module list.")
        w.if_block(mw.BinOp("!=", mw.method(self.var("fs"), "hash", manifest_file, "sha256"),
                            self._manifest_hash()),
                   [mw.call("error", f"{snippet_rel} is older than {self.manifest.path.name}: "
                            "run `frore gen meson` from meson.build before subdir() "
                            "(see docs/meson.md)")])
        w.blank()

    def _interpreter(self, w: mw.MesonWriter) -> None:
        p = self.prefix
        interp = self.interpreter
        w.comment("The interpreter whose bytecode is frozen, as the manifest names it: link the\n"
                  "libpython of this one.")
        w.assign(f"{p}_python", mw.path(str(interp.named or interp.executable), in_command=True))
        w.assign(f"{p}_python_version", ".".join(map(str, interp.version)))
        w.assign(f"{p}_stdlib", mw.path(str(interp.stdlib)))
        w.comment("frore itself runs under the Python that generated this file (no PATH lookup).")
        w.assign(f"{p}_command", [mw.path(a, in_command=True) for a in self.resolved.frore])
        w.comment("Freezes the modules of a part: the target interpreter on frore's freezer.")
        w.assign(f"{p}_freeze", [self.var("python"), *(
            mw.path(a, in_command=True) for a in freezer_command("python", "freeze-part")[1:])])
        w.blank()

    def _stamp(self, w: mw.MesonWriter) -> None:
        """Checked on every build by the target interpreter itself (one start, ~10 ms):
        a venv re-created or a link re-pointed since configure changes it, and every
        header and the table are rebuilt; unchanged, Ninja's restat stops there."""
        w.comment("The freezer stamp: rewritten only when the interpreter is another one.")
        w.assign(f"{self.prefix}_stamp", mw.call(
            "custom_target", "frore-freezer",
            output=STAMP_NAME,
            command=[self.var("python"), *(mw.path(a, in_command=True)
                                           for a in stamp_command("python")[1:]),
                     "--", "@OUTPUT@", str(FORMAT_VERSION)],
            build_always_stale=True, build_by_default=True))
        w.blank()

    def _table(self, w: mw.MesonWriter) -> None:
        p = self.prefix
        out = self.manifest.outputs
        w.comment("The module table and its parts; the parts #include the headers beside them.")
        parts = [emit_c.part_path(self.resolved, n).name for n in emit_c.parts(self.resolved)]
        w.assign(f"{p}_table", mw.call(
            "custom_target", out.table.stem,
            input=self.var("manifest"),
            output=[out.table.name, out.table_header.name, *parts],
            command=mw.plus(self.var("command"), [
                "-q", "gen", "table", "--touch", "-m", "@INPUT@",
                "--python", self.var("python"), "--headers-dir", "@OUTDIR@"]),
            depends=self.var("stamp")))
        w.blank()

    def _part_target(self, number: int, units: list[FrozenModule]) -> mw.Call:
        operands: list[mw.Value] = ["--"]
        for i, (name, level) in enumerate(part_arguments(units)):
            operands += [name, level, f"@INPUT{i}@", f"@OUTPUT{i}@"]
        return mw.call(
            "custom_target", f"frore-part-{number:02d}",
            input=[self.source_ref(u.source) for u in units],
            output=[u.header.name for u in units],
            command=mw.plus(self.var("freeze"), operands),
            depends=self.var("stamp"))

    def _manifest_hash(self) -> str:
        return hashlib.sha256(self.manifest.path.read_bytes()).hexdigest()
