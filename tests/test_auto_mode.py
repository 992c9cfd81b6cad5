"""Developer mode: FRORE_FROZEN_MODULES=auto, and each backend's build-time default.

In auto mode a module whose source (below the manifest's folder) is newer than
the running program is left out of the table, with the rest of its top-level
package, and imports from source; everything else stays frozen.  Each backend
sets the default the way its users expect (Make FRORE_MODE, Meson buildtype,
CMake configuration, SCons FRORE_MODE, MSBuild Configuration); the environment
variable still wins.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_example import EXAMPLE, checkout

from conftest import PYTHON, REPO, copy_example, frore, run, venv_tool

GREET = "app/greet.py"


def newer_than(path: Path, program: Path) -> None:
    """Make *path* newer than *program*'s last link, as an edit after the build
    would (by dating the program back: nothing is left in the future)."""
    t = path.stat().st_mtime - 5
    os.utime(program, (t, t))


def report(program: Path, mode: str | None) -> tuple[str, str]:
    """(stdout, stderr) of the example with FRORE_FROZEN_MODULES=*mode*, or unset."""
    env = {k: v for k, v in os.environ.items() if k != "FRORE_FROZEN_MODULES"}
    if mode is not None:
        env["FRORE_FROZEN_MODULES"] = mode
    proc = subprocess.run([str(program)], cwd="/", env=env, capture_output=True, text=True,
                          check=True)
    return proc.stdout, proc.stderr


def origins(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^(\S+): (frozen|source)\b", stdout, re.M))


@pytest.mark.needs_make
def test_auto_imports_what_changed_since_the_build_and_nothing_else(example):
    run(["make", f"FRORE={PYTHON} -m frore"], cwd=example)
    program = example / "embed"
    out, err = report(program, "auto")
    assert "auto mode: 0 module(s) left out" in err
    assert set(origins(out).values()) == {"frozen"}

    (example / GREET).write_text((example / GREET).read_text().replace("hello", "HOWDY"))
    newer_than(example / GREET, program)
    out, err = report(program, "Auto")
    assert "auto mode: 4 module(s) left out" in err          # app and its package
    found = origins(out)
    assert {n: found[n] for n in ("app", "app.greet", "app.plugins", "app.plugins.shout")} == \
        dict.fromkeys(("app", "app.greet", "app.plugins", "app.plugins.shout"), "source")
    assert found["os"] == "frozen" and found["codecs"] == "frozen"   # not the project's
    assert "HOWDY" in out

    out, _ = report(program, "on")                           # on: the build's code
    assert "HOWDY" not in out and set(origins(out).values()) == {"frozen"}

    run(["make", f"FRORE={PYTHON} -m frore"], cwd=example)    # rebuilt: frozen again
    out, err = report(program, "auto")
    assert "0 module(s) left out" in err and "HOWDY" in out
    assert set(origins(out).values()) == {"frozen"}


@pytest.mark.needs_make
def test_make_default_mode_and_environment_wins(example):
    run(["make", f"FRORE={PYTHON} -m frore", "FRORE_MODE=auto"], cwd=example)
    program = example / "embed"
    newer_than(example / GREET, program)
    _, err = report(program, None)
    assert "auto mode: 4 module(s) left out" in err
    _, err = report(program, "on")
    assert "auto mode" not in err
    # Switching the default recompiles the table (and only it), then relinks.
    out = run(["make", f"FRORE={PYTHON} -m frore", "FRORE_MODE=off"], cwd=example).stdout
    assert re.findall(r"CC\s+(\S+)", out) == ["frozen_modules.o"], out
    _, err = report(program, None)
    assert "off by default" in err
    proc = run(["make", "FRORE_MODE=maybe"], cwd=example, check=False)
    assert proc.returncode != 0 and "FRORE_MODE must be on, off or auto" in proc.stderr


@pytest.mark.needs_meson
@pytest.mark.needs_ninja
@pytest.mark.parametrize("buildtype, mode", [("debug", "auto"), ("release", "on")])
def test_meson_buildtype_sets_the_default(tmp_path, buildtype, mode):
    root = checkout(tmp_path / "repo")
    env = {"NINJA": str(venv_tool("ninja"))}
    run([venv_tool("meson"), "setup", "build", f"-Dpython={PYTHON}", f"-Dbuildtype={buildtype}"],
        cwd=root, env=env)
    run([venv_tool("ninja"), "-C", "build"], cwd=root, env=env)
    program = root / "build" / "embed"
    newer_than(root / EXAMPLE / GREET, program)
    _, err = report(program, None)
    assert ("auto mode: 4 module(s) left out" in err) == (mode == "auto"), err


@pytest.mark.needs_cmake
@pytest.mark.parametrize("config, extra, mode", [("Debug", [], "auto"), ("Release", [], "on"),
                                                  ("Debug", ["-DFRORE_MODE=on"], "on")])
def test_cmake_configuration_sets_the_default(tmp_path, config, extra, mode):
    root = checkout(tmp_path / "repo")
    cmake = venv_tool("cmake") or shutil.which("cmake")
    build = root / EXAMPLE / "build"
    run([cmake, "-S", root / EXAMPLE, "-B", build, f"-DCMAKE_BUILD_TYPE={config}",
         f"-Dfrore_DIR={frore('--cmake-dir').stdout.strip()}", f"-DPython3_EXECUTABLE={PYTHON}",
         *extra], cwd=root)
    run([cmake, "--build", build], cwd=root)
    program = build / "embed"
    newer_than(root / EXAMPLE / GREET, program)
    _, err = report(program, None)
    assert ("auto mode: 4 module(s) left out" in err) == (mode == "auto"), err


@pytest.mark.needs_scons
def test_scons_frore_mode(example):
    run([venv_tool("scons"), "-Q", f"FRORE_PYTHON={PYTHON}", "FRORE_MODE=auto"], cwd=example)
    program = example / "embed"
    newer_than(example / GREET, program)
    _, err = report(program, None)
    assert "auto mode: 4 module(s) left out" in err
    proc = run([venv_tool("scons"), "-Q", f"FRORE_PYTHON={PYTHON}", "FRORE_MODE=maybe"],
               cwd=example, check=False)
    assert proc.returncode != 0 and "FRORE_MODE must be on, off or auto" in proc.stdout + proc.stderr


SHOW_MODE = """\
<Project DefaultTargets="Show" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <Import Project="frozen/frozen.props" />
  <ItemGroup><ClCompile Include="frozen/frozen_modules.c" /></ItemGroup>
  <Target Name="Show">
    <Message Importance="high" Text="mode=$(FroreMode) defs=%(ClCompile.PreprocessorDefinitions)" />
  </Target>
</Project>
"""


@pytest.mark.needs_xbuild
@pytest.mark.parametrize("args, mode", [(["/p:Configuration=Debug"], "auto"),
                                        (["/p:Configuration=Release"], "on"),
                                        (["/p:Configuration=Debug", "/p:FroreMode=off"], "off")])
def test_msbuild_configuration_sets_the_default(tmp_path, args, mode):
    root = copy_example(tmp_path / "embed")
    frore("gen", "msbuild", cwd=root)
    (root / "show.proj").write_text(SHOW_MODE)
    out = run(["xbuild", "/nologo", "/v:n", *args, "show.proj"], cwd=root).stdout
    # xbuild evaluates the property; it does not apply ItemDefinitionGroup metadata
    # (MSBuild does: the PreprocessorDefinitions line in frore.props is not run here).
    assert f"mode={mode} defs=" in out, out
    props = REPO / "msbuild" / "frore.props"
    assert "FRORE_FROZEN_MODULES_DEFAULT=$(FroreMode);%(PreprocessorDefinitions)" in \
        props.read_text()


AUTO_MAIN = r'''
#include <Python.h>
#include <stdio.h>
#include <string.h>
#include "frozen/frozen_modules.h"
int main(int argc, char **argv)
{
    PyConfig config;
    if (argc < 2 || frore_install_frozen_modules_at(argv[1]) != 0)
        return 2;
    PyConfig_InitIsolatedConfig(&config);
    if (PyStatus_Exception(PyConfig_SetBytesArgv(&config, argc, argv))
        || PyStatus_Exception(Py_InitializeFromConfig(&config)))
        return 3;
    PyRun_SimpleString("import sys; sys.path.insert(0, sys.argv[1])");
    printf("%s %d\n", frore_frozen_modules_mode(), frore_frozen_modules_left_out());
    fflush(stdout);
    PyRun_SimpleString("import pkg.mod, solo\n"
                       "for m in (pkg, pkg.mod, solo): print(m.__name__, m.__spec__.origin, m.V)");
    return Py_FinalizeEx() < 0 ? 4 : 0;
}
'''


@pytest.mark.needs_make
@pytest.mark.parametrize("minor", [(3, 8), (3, 10), (3, 13)], ids=lambda m: f"py{m[0]}{m[1]}")
def test_auto_on_every_table_layout(tmp_path, minor):
    """The 3.8-3.10 and 3.11+ table layouts both leave out the edited package and keep
    the rest (the interpreter's own bootstrap entries included, or start-up fails)."""
    from conftest import build_program, python_for

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("V = 'pkg'\n")
    (tmp_path / "pkg" / "mod.py").write_text("V = 'mod'\n")
    (tmp_path / "solo.py").write_text("V = 'solo'\n")
    (tmp_path / "frozen.toml").write_text(
        f'python = "{python_for(minor)}"\nsearch-path = ["."]\n\n'
        '[[group]]\nname = "g"\nmodules = ["<pkg.*>", "solo"]\n')
    frore("regen", cwd=tmp_path)
    program = build_program(tmp_path, AUTO_MAIN)

    def runs(mode: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k != "FRORE_FROZEN_MODULES"}
        env["FRORE_FROZEN_MODULES"] = mode
        proc = subprocess.run([str(program), str(tmp_path)], cwd="/", env=env, check=True,
                              capture_output=True, text=True)
        assert proc.stderr == "", proc.stderr
        return proc.stdout.splitlines()

    assert runs("auto") == ["auto 0", "pkg frozen pkg", "pkg.mod frozen mod", "solo frozen solo"]
    for unchanged in (tmp_path / "solo.py", tmp_path / "pkg" / "__init__.py"):
        os.utime(unchanged, (program.stat().st_mtime - 60,) * 2)     # written before the build
    (tmp_path / "pkg" / "mod.py").write_text("V = 'edited'\n")
    newer_than(tmp_path / "pkg" / "mod.py", program)
    assert runs("auto") == ["auto 2", f"pkg {tmp_path}/pkg/__init__.py pkg",
                            f"pkg.mod {tmp_path}/pkg/mod.py edited", "solo frozen solo"]
    assert runs("on")[1:] == ["pkg frozen pkg", "pkg.mod frozen mod", "solo frozen solo"]
