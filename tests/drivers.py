"""One driver per build system, behind one interface, for the scenario matrix.

A :class:`Project` is a small embedding program laid out like a user's: a
manifest, ``main.c``, sources under a search-path folder, and the build files
of one backend.  Every name in that layout (project folder, source folder,
headers folder, build folder) can carry a hostile string.  A :class:`Driver`
writes its backend's build files, builds, and says which modules it froze;
``tests/test_matrix.py`` runs every scenario through every driver, so a new
backend gets them all by writing one driver.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from conftest import PYTHON, REPO, SYSTEM_CMAKE, pypi_cmake, run, venv_tool

MAIN_C = r'''/* A tiny embedder: install frore's table, start Python, import the app. */
#include <Python.h>
#include <stdio.h>
#include "frozen_modules.h"

int main(int argc, char **argv)
{
    PyConfig config;
    PyObject *names, *app, *result;
    int i, rc = 1;
    (void)argc;
    if (frore_install_frozen_modules() < 0)
        return 2;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    PyConfig_SetBytesString(&config, &config.program_name, argv[0]);
    if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
        return 3;
    PyConfig_Clear(&config);
    names = PyList_New(0);
    for (i = 0; i < frore_frozen_module_count; i++) {
        PyObject *name = PyUnicode_FromString(frore_frozen_module_name(i));
        PyList_Append(names, name);
        Py_DECREF(name);
    }
    app = PyImport_ImportModule("app");
    result = app ? PyObject_CallMethod(app, "main", "O", names) : NULL;
    if (result == NULL)
        PyErr_Print();
    else
        rc = (int)PyLong_AsLong(result);
    Py_XDECREF(result);
    Py_XDECREF(app);
    Py_DECREF(names);
    if (Py_FinalizeEx() < 0)
        rc = 120;
    return rc;
}
'''

APP_INIT = '''"""Reports where every module of the table came from."""
import importlib
import sys


def main(names):
    frozen = 0
    for name in names:
        module = importlib.import_module(name)
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
        frozen += origin == "frozen"
        print(f"{name}: {'frozen' if origin == 'frozen' else 'source'} {getattr(module, 'VALUE', '')}")
    print(f"{frozen}/{len(names)} modules frozen on Python {sys.version_info[0]}.{sys.version_info[1]}")
    return 0
'''

MODULES = ["<app.**.*>", "mod", "mod : mod_alias", "keyword", "big"]

# Over old MSVC's 64 KiB string limit: its header includes an array file for that
# compiler, which no other build may wait for (SCons's scanner once did).
BIG = f"DATA = {bytes(range(256)) * 300!r}\n"

# A group compiled as -OO would: no docstrings, no asserts.
OPTIMIZED = '''"""A docstring -OO drops."""


def value():
    assert False, "-OO drops asserts"
    return "optimized" if __doc__ is None else "not-optimized"


VALUE = value()
'''


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly *text*."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass
class Project:
    """An embedding project on disk.  *inner* goes into the folder names frore writes
    into build files (the search-path folder, the headers folder); *outer* into the
    ones the build tool owns (the project folder, the build folder)."""

    top: Path
    inner: str = ""
    outer: str = ""
    python: str = PYTHON                  # the manifest's `python` (the target)
    extra_modules: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.top / f"proj{self.outer}root"
        self.src_name = f"src{self.inner}dir"
        self.headers_name = f"frozen{self.inner}out"
        self.build = self.top / f"build{self.outer}dir"
        self.src = self.root / self.src_name
        self.manifest = self.root / "frozen.toml"
        (self.src / "app" / "sub").mkdir(parents=True)
        (self.src / "app" / "__init__.py").write_text(APP_INIT)
        (self.src / "app" / "greet.py").write_text('VALUE = "hello"\n')
        (self.src / "app" / "sub" / "__init__.py").write_text('VALUE = "pkg"\n')
        (self.src / "app" / "sub" / "deep.py").write_text('VALUE = "deep"\n')
        (self.src / "mod.py").write_text('VALUE = "mod"\n')
        (self.src / "opt.py").write_text(OPTIMIZED)
        (self.src / "big.py").write_text(BIG)
        (self.root / "main.c").write_text(MAIN_C)
        self.write_manifest()

    def write_manifest(self, modules: list[str] | None = None, make: bool = True) -> None:
        mods = (modules or MODULES) + self.extra_modules
        fragment = '"frozen.mk"' if make else "false"
        lines = [f"python = {toml_string(self.python)}",
                 f"search-path = [{toml_string(self.src_name)}, \"{{stdlib}}\"]",
                 "", "[output]", f"headers = {toml_string(self.headers_name)}",
                 f"make = {fragment}",
                 "", "[[group]]", 'name = "app"', "modules = ["]
        lines += [f"    {toml_string(m)}," for m in mods]
        lines += ["]", "", "[[group]]", 'name = "optimized"', "optimize = 2", 'modules = ["opt"]', ""]
        self.manifest.write_text("\n".join(lines), encoding="utf-8")

    def edit_manifest(self, old: str, new: str) -> None:
        text = self.manifest.read_text(encoding="utf-8")
        assert old in text, text
        self.manifest.write_text(text.replace(old, new, 1), encoding="utf-8")

    def declared(self) -> list[str]:
        listing = json.loads(run([PYTHON, "-m", "frore", "list", "--json"], cwd=self.root).stdout)
        return [m["name"] for m in listing["modules"]]


@dataclass
class Result:
    returncode: int
    output: str                       # stdout and stderr together
    frozen: list[str]                 # modules the build froze, sorted

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Driver:
    """How one build system builds a :class:`Project`."""

    name = ""
    links = True                      # builds and links the embedding program
    setup_freezes = False             # setup() already froze every module (frore regen)
    # After a manifest change every module's freeze step runs again (each finds its
    # header current and leaves it): MSBuild's items file is an input of every batch.
    rechecks_all = False
    freeze_line = re.compile(r"^\s*FREEZE\s+(\S+)\s*$", re.M)

    def available(self) -> str | None:
        """None when the tools are here, else what is missing."""
        return None

    def setup(self, p: Project) -> None:
        """Write the backend's build files (and configure, where there is a step)."""

    def build(self, p: Project) -> Result:
        raise NotImplementedError

    def headers(self, p: Project) -> Path:
        """Where this backend's build puts the headers and the table."""
        return p.root / p.headers_name

    def program(self, p: Project) -> Path:
        return p.root / "embed"

    def after_manifest_change(self, p: Project) -> Result | None:
        """Anything the backend documents for a manifest change before a build."""
        return None

    def after_interpreter_change(self, p: Project) -> None:
        """Nothing: a plain build must notice by itself."""

    def run_program(self, p: Project) -> str:
        return run([self.program(p)], cwd="/").stdout

    def _result(self, proc: subprocess.CompletedProcess) -> Result:
        out = proc.stdout + proc.stderr
        return Result(proc.returncode, out, sorted(self.freeze_line.findall(out)))


MAKEFILE = r'''# The user's Makefile: frore's fragment plus two rules of its own.
CC ?= cc
CFLAGS ?= -O0
include frozen.mk

embed: main.o $(FRORE_OBJECTS)
	$(CC) -o $@ main.o $(FRORE_OBJECTS_SH) $(FRORE_PYTHON_LIBS) $(FRORE_PYTHON_RPATH)

main.o: main.c $(FRORE_TABLE_H)
	$(CC) $(CFLAGS) $(FRORE_CFLAGS) -c -o $@ main.c
'''


class MakeDriver(Driver):
    name = "make"
    setup_freezes = True              # the documented flow: `frore regen`, then `make`

    def available(self):
        return None if shutil.which("make") else "GNU make"

    def setup(self, p):
        (p.root / "Makefile").write_text(MAKEFILE)
        run([PYTHON, "-m", "frore", "regen"], cwd=p.root)

    def build(self, p):
        return self._result(run(["make", "-j2"], cwd=p.root, check=False))


MESON_BUILD = '''project('matrix', 'c')
py = import('python').find_installation({frore_python})
target = import('python').find_installation({target_python})
gen = run_command(py, '-m', 'frore', '-q', 'gen', 'meson', '-m', files('frozen.toml'),
                  '-o', {snippet}, check: false)
if gen.returncode() != 0
  error('frore gen meson failed:\\n' + gen.stderr().strip())
endif
subdir({headers})
executable('embed', 'main.c', frore_sources, include_directories: frore_include,
           dependencies: target.dependency(embed: true))
'''


def meson_string(text: str) -> str:
    from frore.writers import meson
    return meson.string(text)


class MesonDriver(Driver):
    name = "meson"
    # Each part's freezer prints a line for every module it compiled.
    freeze_line = re.compile(r"^FREEZE (\S+)$", re.M)

    def available(self):
        return None if venv_tool("meson") and venv_tool("ninja") else "meson and ninja"

    @property
    def env(self):
        return {"NINJA": venv_tool("ninja")}

    def setup(self, p):
        snippet = f"{p.headers_name}/meson.build"
        (p.root / "meson.build").write_text(MESON_BUILD.format(
            frore_python=meson_string(PYTHON), target_python=meson_string(p.python),
            snippet=meson_string(snippet),
            headers=meson_string(p.headers_name)), encoding="utf-8")
        run([venv_tool("meson"), "setup", p.build, p.root], cwd=p.top, env=self.env)

    def build(self, p):
        return self._result(run([venv_tool("ninja"), "-v", "-C", p.build], check=False,
                                env=self.env))

    def headers(self, p):
        return p.build / p.headers_name

    def program(self, p):
        return p.build / "embed"


CMAKELISTS = '''cmake_minimum_required(VERSION 3.20)
project(matrix C)
find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Embed)
find_package(frore CONFIG REQUIRED)
add_executable(embed main.c)
frore_add_frozen_modules(embed MANIFEST frozen.toml)
target_link_libraries(embed PRIVATE Python3::Python)
'''


class CMakeDriver(Driver):
    freeze_line = re.compile(r"^FREEZE (\S+)$", re.M)

    def __init__(self, which: str, generator: str) -> None:
        self.which = which
        self.generator = generator
        self.name = f"cmake-{which}-{'ninja' if generator == 'Ninja' else 'make'}"

    @property
    def cmake(self) -> str | None:
        return SYSTEM_CMAKE if self.which == "debian" else pypi_cmake()

    def available(self):
        if not self.cmake or not Path(self.cmake).exists():
            return f"cmake ({self.which})"
        if self.generator == "Ninja" and not venv_tool("ninja"):
            return "ninja"
        return None

    def setup(self, p):
        (p.root / "CMakeLists.txt").write_text(CMAKELISTS)
        target = run([PYTHON, "-m", "frore", "list", "--json"], cwd=p.root)
        python = json.loads(target.stdout)["python"]
        args = [self.cmake, "-S", p.root, "-B", p.build, "-G", self.generator,
                f"-Dfrore_DIR={REPO / 'cmake'}", f"-DFRORE_PYTHON={PYTHON}",
                f"-DPython3_EXECUTABLE={python}"]
        if self.generator == "Ninja":
            args.append(f"-DCMAKE_MAKE_PROGRAM={venv_tool('ninja')}")
        run(args, cwd=p.top)

    def build(self, p):
        return self._result(run([self.cmake, "--build", p.build, "-j", "2"], check=False))

    def headers(self, p):
        return p.build / "embed.frore" / p.headers_name

    def program(self, p):
        return p.build / "embed"


SCONSTRUCT = '''import sys
env = Environment(tools=["default", "frore"], toolpath=[{toolpath!r}], FRORE_PYTHON={python!r})
table = env.FrozenModules("frozen.toml")
env.Append(CPPPATH=["$FRORE_PYTHON_INCLUDE", env["FRORE_TABLE_H"].dir],
           LIBPATH=["$FRORE_PYTHON_LIBDIR"], LIBS=["$FRORE_PYTHON_LIB"],
           RPATH=["$FRORE_PYTHON_LIBDIR"])
env.Program("embed", ["main.c"] + table)
'''


class SConsDriver(Driver):
    name = "scons"

    def available(self):
        return None if venv_tool("scons") else "scons"

    def setup(self, p):
        toolpath = run([PYTHON, "-m", "frore.scons"]).stdout.strip()
        (p.root / "SConstruct").write_text(SCONSTRUCT.format(toolpath=toolpath, python=PYTHON))

    def build(self, p):
        return self._result(run([venv_tool("scons"), "-Q", "-j", "2"], cwd=p.root, check=False))


def xbuild_project(items: str) -> str:
    """A project that imports the items file and frore.targets, with empty C++ targets."""
    import xml.etree.ElementTree as ET

    from frore.writers import msbuild as mw

    w = mw.Writer(default_targets="Build")
    w.import_project(mw.escape(items))
    for name, depends in (("ClCompile", None), ("Build", "ClCompile"), ("Clean", None)):
        ET.SubElement(w.root, "Target", {"Name": name, **({"DependsOnTargets": depends}
                                                          if depends else {})})
    w.import_project("$(FroreMSBuildDir)frore.targets")
    return w.text()


class MSBuildDriver(Driver):
    """Mono's xbuild cannot compile C: it runs frore's freeze targets, and the
    headers are checked; the table is compiled by the matrix with gcc instead."""

    name = "msbuild"
    links = False
    rechecks_all = True
    freeze_line = re.compile(r"frore: freezing (\S+)")

    def available(self):
        return None if shutil.which("xbuild") else "xbuild"

    def setup(self, p):
        run([PYTHON, "-m", "frore", "gen", "msbuild"], cwd=p.root)
        (p.root / "app.proj").write_text(xbuild_project(f"{p.headers_name}/frozen.props"),
                                         encoding="utf-8")

    def build(self, p):
        return self._result(run(["xbuild", "/nologo", "/v:n", "app.proj"], cwd=p.root,
                                check=False))

    def after_manifest_change(self, p):
        return self._result(run([PYTHON, "-m", "frore", "gen", "msbuild", "--touch"],
                                cwd=p.root, check=False))


DRIVERS = [MakeDriver(), MesonDriver(), CMakeDriver("debian", "Ninja"),
           CMakeDriver("debian", "Unix Makefiles"), CMakeDriver("pypi", "Ninja"),
           CMakeDriver("pypi", "Unix Makefiles"), SConsDriver(), MSBuildDriver()]


def reference_headers(top: Path, p: Project) -> dict[str, bytes]:
    """What `frore regen` writes for the same sources, in a plain path."""
    ref = Project(top / "reference", python=p.python)
    shutil.copytree(p.src, ref.src, dirs_exist_ok=True)
    ref.manifest.write_text(p.manifest.read_text(encoding="utf-8").replace(
        toml_string(p.src_name), toml_string(ref.src_name)).replace(
        toml_string(p.headers_name), toml_string(ref.headers_name)), encoding="utf-8")
    run([PYTHON, "-m", "frore", "regen", "-q"], cwd=ref.root)
    return c_files(ref.root / ref.headers_name)


def c_files(folder: Path) -> dict[str, bytes]:
    return {q.name: q.read_bytes() for q in folder.iterdir() if q.suffix in (".h", ".c")}
