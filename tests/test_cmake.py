"""CMake specifics: the rules file, the writer's refusals, the package's version file
and its install location.  Builds through every CMake version and generator run in
tests/test_matrix.py and tests/test_hostile.py."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import PYTHON, REPO, copy_example, copy_project, frore, run, venv_tool


def cmake() -> str:
    return venv_tool("cmake") or shutil.which("cmake")


def test_gen_cmake_writes_literal_paths_and_refuses_what_cmake_cannot_hold(tmp_path):
    """The rules file (rewritten at every configure) names files by literal absolute
    paths, the form CMake's generators escape correctly; a path CMake cannot carry
    is refused at the manifest line that chose it."""
    src = copy_example(tmp_path / "a b é")
    out = src / "bld"
    frore("gen", "cmake", f"build_dir={out}", "-o", out / "frore-rules.cmake", cwd=src)
    text = (out / "frore-rules.cmake").read_text()
    assert f'"{src}/app/greet.py"' in text
    assert (out / "frozen" / "frozen_modules.c").is_file()
    assert (out / "frozen" / ".frore-freezer").is_file()
    bad = frore("gen", "cmake", "bogus=1", cwd=src, check=False)
    assert bad.returncode == 2 and "unknown cmake option 'bogus'" in bad.stderr
    odd = copy_example(tmp_path / "x;y")
    bad = frore("gen", "cmake", f"build_dir={out}", cwd=odd, check=False)
    assert bad.returncode == 2 and "frozen.toml:" in bad.stderr and "';'" in bad.stderr


def test_cmake_escaping():
    from frore.writers import Unwritable
    from frore.writers import cmake as cw

    assert cw.quote("dir with space/é/f.py") == '"dir with space/é/f.py"'
    for bad, char in (("a;b", ";"), ("x$<y>", "$"), ("a#b", "#"), ('a"b', '"'),
                      ("a\\b", "\\"), ("a\nb", "\n"), ("a|b", "|")):
        with pytest.raises(Unwritable) as err:
            cw.quote(bad)
        assert err.value.char == char


def test_cmake_dir_cli():
    out = frore("--cmake-dir").stdout.strip()
    assert (Path(out) / "froreConfig.cmake").is_file()
    assert (Path(out) / "froreConfigVersion.cmake").is_file()


@pytest.mark.needs_cmake
def test_config_version(tmp_path):
    """find_package(frore <version>) compares against frore.__version__."""
    import frore as pkg

    major = int(pkg.__version__.split(".")[0])
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(v NONE)\n"
        f"find_package(frore {pkg.__version__} CONFIG REQUIRED)\n"
        'message(STATUS "frore=${frore_VERSION} python=${FRORE_PYTHON}")\n'
        f"find_package(frore {major + 1} CONFIG QUIET)\n"
        'message(STATUS "next-major-found=${frore_FOUND}")\n')
    out = run([cmake(), "-S", tmp_path, "-B", tmp_path / "b", f"-Dfrore_DIR={REPO / 'cmake'}",
               f"-DFRORE_PYTHON={PYTHON}"]).stdout
    assert f"frore={pkg.__version__} python=" in out
    assert "next-major-found=0" in out


def test_config_version_matches_package():
    import frore as pkg

    text = (REPO / "cmake" / "froreConfigVersion.cmake").read_text()
    assert f'set(PACKAGE_VERSION "{pkg.__version__}")' in text


@pytest.mark.needs_cmake
def test_wheel_installs_cmake_package(tmp_path):
    """A wheel puts the CMake package in <prefix>/share/cmake/frore: `frore --cmake-dir`
    prints it and find_package(frore) finds it through PATH, with no frore_DIR."""
    src = copy_project(tmp_path / "src")
    run([PYTHON, "-m", "pip", "wheel", src, "--no-deps", "-w", tmp_path / "dist"], cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("frore-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = f"frore-{wheel.name.split('-')[1]}.data/data"
    for f in sorted((REPO / "cmake").glob("*.cmake")):
        assert f"{data}/share/cmake/frore/{f.name}" in names
    for f in ("frore.props", "frore.targets"):
        assert f"{data}/share/frore/msbuild/{f}" in names

    venv = tmp_path / "venv"
    run([PYTHON, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", wheel])
    where = run([venv / "bin" / "frore", "--cmake-dir"], cwd=tmp_path).stdout.strip()
    assert Path(where) == venv / "share" / "cmake" / "frore"
    assert {p.name for p in Path(where).iterdir()} >= {"froreConfig.cmake",
                                                       "froreConfigVersion.cmake"}
    msbuild = run([venv / "bin" / "python", "-c",
                   "from frore.backends.msbuild import msbuild_dir; print(msbuild_dir())"],
                  cwd=tmp_path).stdout.strip()
    assert Path(msbuild) == venv / "share" / "frore" / "msbuild"
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(p NONE)\n"
        "find_package(frore CONFIG REQUIRED)\n"
        'message(STATUS "frore_DIR=${frore_DIR} FRORE_PYTHON=${FRORE_PYTHON}")\n')
    path = f"{venv / 'bin'}:/usr/bin:/bin"
    out = run([cmake(), "-S", proj, "-B", proj / "b"], env={"PATH": path}).stdout
    assert f"frore_DIR={venv / 'share' / 'cmake' / 'frore'}" in out
    assert f"FRORE_PYTHON={venv / 'bin' / 'python3'}" in out
