"""MSBuild / Visual Studio: an items file, a static-library .vcxproj and its .filters.

``frore gen msbuild [-o frozen/frozen.props]`` writes, beside the items file:

- the items file (``frozen.props``): per-manifest properties and one
  ``FroreModule`` item per header (source, frozen name, header file name),
  then an import of the reusable ``msbuild/frore.props``;
- ``<table>.vcxproj``: a static library compiling the module table and its
  parts (each part includes a few headers: an edit recompiles one part), showing
  the headers and the frozen sources; it imports the items file and
  ``msbuild/frore.targets``, whose FroreFreeze target runs before ClCompile;
- ``<table>.vcxproj.filters``: Solution Explorer folders, one per manifest group;
- the module table ``.c``/``.h`` and its parts (the same text ``frore regen`` writes).

Each module is frozen by the target interpreter itself running frore's freezer
(one process, no frore host); MSBuild batches the target per module and skips
the modules whose header is newer than their inputs.

Every path is written relative to ``$(MSBuildThisFileDirectory)`` (through
``$(FroreRoot)``) or to the interpreter's stdlib, so a checkout can move;
only the interpreters and frore's own msbuild folder are absolute.
"""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

from .. import FORMAT_VERSION, emit_c, header
from ..interpreter import WORKER, freezer_command, stamp_command
from ..model import FrozenModule, Resolved
from ..paths import posix_relpath
from ..shipped import shipped_dir
from ..writers import Unwritable
from ..writers import msbuild as mw
from .base import ROOT, STDLIB, Backend, Option

ITEMS_NAME = "frozen.props"


class VisualStudio:
    """What differs between Visual Studio versions: a few attributes (cf. Meson's vs20xx)."""

    version = "2022"
    toolset = "v143"
    project_version = "17.0"


class VisualStudio2019(VisualStudio):
    version, toolset, project_version = "2019", "v142", "16.0"


class VisualStudio2017(VisualStudio):
    version, toolset, project_version = "2017", "v141", "15.0"


VERSIONS = {vs.version: vs for vs in (VisualStudio, VisualStudio2019, VisualStudio2017)}
CONFIGURATIONS = ("Debug", "Release")
PLATFORMS = ("Win32", "x64", "ARM64")


def _visual_studio(value: str) -> type[VisualStudio]:
    if value not in VERSIONS:
        raise ValueError(f"choose one of {', '.join(VERSIONS)}")
    return VERSIONS[value]


def hexword(text: str) -> str:
    """``x`` + the hex of *text*'s UTF-8 bytes: a word no shell, cmd.exe or MSBuild
    expansion reads as anything else (``frore freeze --hex`` decodes it)."""
    return "x" + text.encode("utf-8", "surrogateescape").hex()


def windows_command(args: list[str], variable_python: bool = True) -> str:
    """*args* for cmd.exe: the interpreter through %FRORE_PY% (set by the Exec from
    escaped metadata, so no path is parsed by cmd), every other word quoted.  Only
    generated words reach here: hex words, options, and frore's own -c text."""
    first = '"%FRORE_PY%"' if variable_python else f'"{args[0]}"'
    return " ".join([first] + [f'"{a}"' for a in args[1:]])


def msbuild_dir() -> Path:
    """The folder holding frore.props/.targets."""
    return shipped_dir("msbuild", "frore.targets")


def _guid(*parts: str) -> str:
    """A stable GUID: the same names give the same project and filter ids on every machine."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "frore:" + "/".join(parts))).upper() + "}"


class MSBuildBackend(Backend):
    name = "msbuild"
    anchors = {ROOT: "FroreRoot", STDLIB: "FroreStdlib"}
    options = {"vs": Option("Visual Studio version of the .vcxproj: " + ", ".join(VERSIONS),
                            _visual_studio)}

    def __init__(self, resolved: Resolved, output: Path | None = None,
                 options: dict[str, str] | None = None) -> None:
        super().__init__(resolved, output, options)
        self.raw_options = dict(options or {})
        self.vs: type[VisualStudio] = self.settings.get("vs", VisualStudio)  # type: ignore[assignment]
        self.table = self.manifest.outputs.table
        self.project_name = self.table.stem
        self.vcxproj = self.output.parent / f"{self.project_name}.vcxproj"
        self.units = resolved.units()
        self.msbuild_dir = msbuild_dir()

    def default_output(self) -> Path:
        return self.manifest.outputs.headers / ITEMS_NAME

    # -- paths -------------------------------------------------------------------------------

    def ref(self, path: Path) -> str:  # type: ignore[override]
        """*path* as an MSBuild value: a property for its anchor plus an escaped relative path."""
        variable, rel = super().ref(path)
        return mw.path(variable, rel)

    def headers_ref(self) -> str:
        return self.ref(self.manifest.outputs.headers).rstrip("/") + "/"

    def command_path(self, path: Path) -> str:
        """*path* for a command that runs in the manifest's folder: relative to it
        (so the files can move), absolute for the target's stdlib."""
        anchor, rel = self.anchor(path)
        return rel if anchor == ROOT else path.as_posix()

    # -- the items file ----------------------------------------------------------------------

    def items(self) -> str:
        """Properties and one FroreModule item per header.

        Commands are written here, not in frore.targets, as *metadata*: a literal
        command is shell-quoted once (when this file is written) and MSBuild
        unescapes metadata once; property values, which xbuild expands a second
        time, never carry a command.  Names and paths reach the command as
        ``x`` + hex (``frore freeze --hex``), which no shell and no MSBuild
        expansion can read as anything but a word; the commands run in the
        manifest's folder, so those paths stay relative and the files can move.
        """
        w = mw.Writer()
        w.comment(f"Generated by frore from {self.manifest.path.name}; do not edit.  After changing "
                  f"the manifest run the command the build prints (FroreCheckManifest).  "
                  f"Import this file near the top of a .vcxproj and $(FroreMSBuildDir)frore.targets "
                  f"at its end; see docs/msbuild.md.")
        fixed = w.group("PropertyGroup", label="FroreManifest")
        # MSBuildThisFile* are not escaped by MSBuild: a ';' or '$(' in the folder name
        # would otherwise split lists or be evaluated.
        w.property(fixed, "FroreItemsFile", "$([MSBuild]::Escape($(MSBuildThisFileFullPath)))")
        w.property(fixed, "FroreRoot", "$([MSBuild]::Escape($(MSBuildThisFileDirectory)))"
                   + mw.escape(self.root_from_output()))
        w.property(fixed, "FroreStdlib", mw.escape(self.interpreter.stdlib.as_posix().rstrip("/") + "/"))
        w.property(fixed, "FroreManifest", self.ref(self.manifest.path))
        w.property(fixed, "FroreTableC", self.ref(self.table))
        w.property(fixed, "FroreTableH", self.ref(self.manifest.outputs.table_header))
        w.property(fixed, "FroreTableDir", self.ref(self.table.parent).rstrip("/") + "/")
        w.property(fixed, "FroreHeadersDir", self.headers_ref())
        w.property(fixed, "FroreStamp", self.ref(self.manifest.outputs.stamp))

        defaults = w.group("PropertyGroup", label="FroreDefaults")
        w.default_property(defaults, "FrorePythonInclude", mw.escape(str(self.interpreter.include)))
        w.default_property(defaults, "FroreMSBuildDir", mw.escape(self.msbuild_dir.as_posix() + "/"))

        commands = w.group("ItemGroup", label="FroreCommands")
        w.item(commands, "FroreRegen", "gen", {
            "Posix": mw.escape(self.gen_command(posix=True)),
            "Windows": mw.escape(self.gen_command(posix=False))})
        named = str(self.interpreter.named or self.interpreter.executable)
        # Posix commands run in the manifest's folder; on Windows the paths are
        # relative to the folder in FRORE_ROOT (cmd.exe's start folder is not set).
        windows = ["--root-env", "FRORE_ROOT"]
        stamp = [*stamp_command(named), "--hex"]
        stamp_args = ["--", hexword(self.command_path(self.manifest.outputs.stamp)),
                      str(FORMAT_VERSION)]
        w.item(commands, "FroreStampCheck", "stamp", {
            "Posix": mw.escape(shlex.join(stamp + stamp_args)),
            "Windows": mw.escape(windows_command(stamp + windows + stamp_args)),
            "Python": mw.escape(named)})

        modules = w.group("ItemGroup", label="FroreModules")
        freezer = [*freezer_command(named), "--hex"]
        for unit in self.units:
            args = ["--optimize", str(unit.optimize)] if unit.optimize else []
            args += ["--"] + [hexword(a) for a in (unit.source_id, self.command_path(unit.source),
                                                   self.command_path(unit.header))]
            w.item(modules, "FroreModule", self.ref(unit.source), {
                "FrozenName": mw.escape(unit.source_id),
                "Header": mw.escape(unit.header.name),
                "MsvcArray": mw.escape(header.msvc_name(unit.source_id)),
                "Group": mw.escape(unit.group),
                "Posix": mw.escape(shlex.join(freezer + args)),
                "Windows": mw.escape(windows_command(freezer + windows + args)),
                "Python": mw.escape(named),
            })
        w.import_project("$(FroreMSBuildDir)frore.props")
        return w.text()

    def gen_command(self, posix: bool) -> str:
        """How to rewrite these files, run in the manifest's folder: shown by the build
        when the manifest is newer than the items file."""
        args = [self.resolved.frore[0], "-m", "frore", "gen", "msbuild", "-m",
                self.command_path(self.manifest.path), "-o", self.command_path(self.output)]
        if self.table.parent == self.manifest.outputs.headers:
            # Reproduces a --headers-dir relocation (and is a no-op without one).
            args += ["--headers-dir", self.command_path(self.manifest.outputs.headers)]
        args.append("--touch")
        args += [f"{k}={v}" for k, v in sorted(self.raw_options.items())]
        return shlex.join(args) if posix else windows_command(args, variable_python=False)

    # -- the .vcxproj ------------------------------------------------------------------------

    def project(self) -> str:
        w = mw.Writer(default_targets="Build")
        w.comment(f"Generated by frore from {self.manifest.path.name}; do not edit.  A static "
                  f"library holding the frozen module table; reference it from your application "
                  f"project.")
        configs = w.group("ItemGroup", label="ProjectConfigurations")
        for config, platform in self.configurations():
            w.item(configs, "ProjectConfiguration", f"{config}|{platform}",
                   {"Configuration": config, "Platform": platform})
        globals_ = w.group("PropertyGroup", label="Globals")
        w.property(globals_, "VCProjectVersion", self.vs.project_version)
        w.property(globals_, "ProjectGuid", _guid("project", self.root_name(), self.project_name))
        w.property(globals_, "Keyword", "Win32Proj")
        w.property(globals_, "RootNamespace", mw.escape(self.project_name))
        w.property(globals_, "ProjectName", mw.escape(self.project_name))
        w.property(globals_, "WindowsTargetPlatformVersion", "10.0")
        w.import_project(r"$(VCTargetsPath)\Microsoft.Cpp.Default.props")
        for config in CONFIGURATIONS:
            group = w.group("PropertyGroup", label="Configuration",
                            condition=f"'$(Configuration)' == '{config}'")
            w.property(group, "ConfigurationType", "StaticLibrary")
            w.property(group, "UseDebugLibraries", "true" if config == "Debug" else "false")
            w.property(group, "PlatformToolset", self.vs.toolset)
            w.property(group, "CharacterSet", "Unicode")
            if config == "Release":
                w.property(group, "WholeProgramOptimization", "true")
        w.import_project(r"$(VCTargetsPath)\Microsoft.Cpp.props")
        w.import_project(self.items_ref(), parent=w.group("ImportGroup", label="ExtensionSettings"))
        sheets = w.group("ImportGroup", label="PropertySheets")
        w.import_project(r"$(UserRootDir)\Microsoft.Cpp.$(Platform).user.props",
                         condition=r"exists('$(UserRootDir)\Microsoft.Cpp.$(Platform).user.props')",
                         parent=sheets)
        w.group("PropertyGroup", label="UserMacros")
        w.definition(w.group("ItemDefinitionGroup"), "ClCompile", {
            "WarningLevel": "Level3", "SDLCheck": "true",
            "PreprocessorDefinitions": "_LIB;%(PreprocessorDefinitions)"})
        sources = w.group("ItemGroup")
        w.item(sources, "ClCompile", "$(FroreTableC)")
        for part in self.parts():
            w.item(sources, "ClCompile", part)
        headers = w.group("ItemGroup")
        w.item(headers, "ClInclude", "$(FroreTableH)")
        for unit in self.units:
            w.item(headers, "ClInclude", self.header_item(unit))
        python = w.group("ItemGroup")
        w.item(python, "None", "$(FroreManifest)")
        for unit in self.units:
            w.item(python, "None", self.ref(unit.source))
        w.import_project(r"$(VCTargetsPath)\Microsoft.Cpp.targets")
        targets = w.group("ImportGroup", label="ExtensionTargets")
        w.import_project("$(FroreMSBuildDir)frore.targets", parent=targets)
        return w.text()

    def root_name(self) -> str:
        """The manifest as seen from the project: seeds the GUIDs, so they survive a move
        of the checkout.  (Two libraries in one solution need distinct table names.)"""
        return posix_relpath(self.manifest.path, self.output.parent)

    def configurations(self) -> list[tuple[str, str]]:
        return [(c, p) for p in PLATFORMS for c in CONFIGURATIONS]

    def items_ref(self) -> str:
        """The items file as the .vcxproj (written beside it) imports it."""
        return "$(MSBuildThisFileDirectory)" + mw.escape(self.output.name)

    def parts(self) -> list[str]:
        """The module table's parts, as ClCompile items (beside the table)."""
        return ["$(FroreTableDir)" + mw.escape(emit_c.part_path(self.resolved, n).name)
                for n in emit_c.parts(self.resolved)]

    @staticmethod
    def header_item(unit: FrozenModule) -> str:
        return "$(FroreHeadersDir)" + mw.escape(unit.header.name)

    # -- the .vcxproj.filters ----------------------------------------------------------------

    def filters(self) -> str:
        w = mw.Writer(tools_version="4.0")
        python_root, header_root, source_root = "Python Sources", "Frozen Headers", "Source Files"
        groups = list(dict.fromkeys(u.group for u in self.units))
        folders = w.group("ItemGroup")
        names = [python_root, header_root, source_root]
        names += [self.filter_name(python_root, g) for g in groups]
        for name in names:
            w.item(folders, "Filter", name,
                   {"UniqueIdentifier": _guid("filter", self.root_name(), self.project_name, name)})
        items = w.group("ItemGroup")
        w.item(items, "ClCompile", "$(FroreTableC)", {"Filter": source_root})
        for part in self.parts():
            w.item(items, "ClCompile", part, {"Filter": source_root})
        w.item(items, "ClInclude", "$(FroreTableH)", {"Filter": header_root})
        for unit in self.units:
            w.item(items, "ClInclude", self.header_item(unit), {"Filter": header_root})
        w.item(items, "None", "$(FroreManifest)", {"Filter": python_root})
        for unit in self.units:
            w.item(items, "None", self.ref(unit.source),
                   {"Filter": self.filter_name(python_root, unit.group)})
        return w.text()

    @staticmethod
    def filter_name(parent: str, group: str) -> str:
        # A filter name is a '\'-separated folder path; a group name is one folder.
        return parent + "\\" + mw.escape(group.replace("\\", "_").replace("/", "_"))

    # -- everything --------------------------------------------------------------------------

    def check_paths(self) -> None:
        """Every path these files carry, refused at its manifest line when MSBuild
        cannot hold it (see :func:`frore.writers.msbuild.check_path`)."""
        interp = self.interpreter
        paths = [self.output, self.manifest.path, self.table, self.manifest.outputs.headers,
                 interp.stdlib, interp.include, interp.named or interp.executable,
                 Path(self.resolved.frore[0]), WORKER, self.msbuild_dir]
        paths += [u.source for u in self.units]
        try:
            for p in paths:
                mw.check_path(str(p))
        except Unwritable as exc:
            raise self.refusal(exc) from None

    def files(self) -> dict[Path, str]:
        """The items file comes last: the build compares it with the manifest."""
        self.check_paths()
        return {
            **emit_c.table_files(self.resolved),
            self.vcxproj: self.project(),
            self.vcxproj.with_name(self.vcxproj.name + ".filters"): self.filters(),
            self.output: self.items(),
        }
