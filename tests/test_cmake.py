"""CMake package: find_package(frore) + frore_add_frozen_modules(), driven through
real cmake (Debian's 3.25 and the PyPI 4.x), Ninja and Unix Makefiles, gcc and
the test interpreter's libpython."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import PYTHON, REPO, copy_example, copy_project, frore, run, venv_tool

SYSTEM_CMAKE = "/usr/bin/cmake"
GENERATORS = {"ninja": "Ninja", "make": "Unix Makefiles"}


def _cmakes() -> list:
    """(id, path or None): a missing CMake turns into a skip with its reason."""
    pypi = venv_tool("cmake")
    if pypi is not None and Path(pypi).resolve() == Path(SYSTEM_CMAKE).resolve():
        pypi = None
    return [("cmake3", SYSTEM_CMAKE if Path(SYSTEM_CMAKE).exists() else None),
            ("cmake-pypi", pypi)]


def _need(tool: str | None, what: str) -> str:
    if tool is None:
        pytest.skip(f"{what} is not installed")
    return tool


@pytest.fixture(params=[(c, g) for c in _cmakes() for g in GENERATORS],
                ids=lambda p: f"{p[0][0]}-{p[1]}")
def toolchain(request) -> tuple[str, str]:
    (name, cmake), gen = request.param
    _need(cmake, f"{name} ({SYSTEM_CMAKE if name == 'cmake3' else 'cmake in the test venv'})")
    if gen == "ninja":
        _need(venv_tool("ninja"), "ninja")
    else:
        _need(shutil.which("make"), "make")
    return cmake, GENERATORS[gen]


@pytest.fixture(scope="module")
def regen_headers(tmp_path_factory) -> dict[str, bytes]:
    """What `frore regen` writes for the untouched example: the reference bytes."""
    src = copy_example(tmp_path_factory.mktemp("regen") / "embed")
    frore("regen", "-q", cwd=src)
    return {p.name: p.read_bytes() for p in (src / "frozen").glob("*.[ch]")}


class Project:
    """A copy of the example configured in its own build folder."""

    def __init__(self, src: Path, cmake: str, generator: str) -> None:
        self.src, self.cmake, self.generator = src, cmake, generator
        self.build = src / "build"
        self.headers = self.build / "embed.frore" / "frozen"

    def configure(self) -> None:
        args = [self.cmake, "-S", self.src, "-B", self.build, "-G", self.generator,
                f"-Dfrore_DIR={REPO / 'cmake'}", f"-DPython3_EXECUTABLE={PYTHON}"]
        if self.generator == "Ninja":
            args.append(f"-DCMAKE_MAKE_PROGRAM={venv_tool('ninja')}")
        run(args)

    def make(self, check: bool = True):
        return run([self.cmake, "--build", self.build, "-j", "2"], check=check)

    def frozen_by(self, output: str) -> list[str]:
        """Module names the build re-froze, from the custom commands' comments."""
        return sorted(re.findall(r"FREEZE (\S+)", output))

    def run_embed(self) -> str:
        return run([self.build / "embed"], cwd=self.src).stdout


def _declared(src: Path) -> list[str]:
    return [m["name"] for m in __import__("json").loads(frore("list", "--json", cwd=src).stdout)["modules"]]


def test_cmake_scenarios(toolchain, tmp_path, regen_headers):
    cmake, generator = toolchain
    p = Project(copy_example(tmp_path / "embed"), cmake, generator)
    p.configure()
    first = p.make().stdout
    declared = _declared(p.src)
    assert p.frozen_by(first) == sorted({n for n in declared if n != "os.path"})

    out = p.run_embed()
    for name in declared:
        assert f"{name}: frozen" in out
    assert f"{len(declared)}/{len(declared)} modules frozen" in out

    # Byte-identical to `frore regen` (headers and table).
    built = {q.name: q.read_bytes() for q in p.headers.glob("*.[ch]")}
    assert built == regen_headers

    # A second build freezes nothing and leaves every header alone.
    before = {q.name: q.stat().st_mtime_ns for q in p.headers.iterdir()}
    assert p.frozen_by(p.make().stdout) == []
    assert {q.name: q.stat().st_mtime_ns for q in p.headers.iterdir()} == before

    # Editing one .py re-freezes exactly that module.
    greet = p.src / "app" / "greet.py"
    greet.write_text(greet.read_text() + "\nEDITED = True\n")
    assert p.frozen_by(p.make().stdout) == ["app.greet"]
    assert "19/19 modules frozen" in p.run_embed()

    # Adding a module to the manifest: a plain build re-configures and freezes it alone.
    manifest = p.src / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('"zipimport",', '"zipimport",\n    "heapq",'))
    out = p.make().stdout
    assert p.frozen_by(out) == ["heapq"]
    assert (p.headers / "heapq.frozen.h").is_file()
    out = p.run_embed()
    assert "heapq: frozen" in out and "20/20 modules frozen" in out

    # A syntax error fails the build, names file and line, keeps the old header.
    good = (p.headers / "app.greet.frozen.h").read_bytes()
    lines = greet.read_text().splitlines()
    greet.write_text("\n".join(lines + ["def broken(:", ""]))
    failed = p.make(check=False)
    assert failed.returncode != 0
    assert f"app/greet.py:{len(lines) + 1}: SyntaxError" in failed.stdout + failed.stderr
    assert (p.headers / "app.greet.frozen.h").read_bytes() == good

    # Fixing it recovers with a plain build.
    greet.write_text("\n".join(lines) + "\n")
    assert p.frozen_by(p.make().stdout) == ["app.greet"]


@pytest.mark.parametrize("generator", list(GENERATORS))
def test_cmake_odd_path(generator, tmp_path):
    """Spaces, quotes and '#' in the source and build paths."""
    cmake = _need(venv_tool("cmake") or shutil.which("cmake"), "cmake")
    if generator == "ninja":
        _need(venv_tool("ninja"), "ninja")
    p = Project(copy_example(tmp_path / "odd dir #1 'it's'" / "em bed"), cmake,
                GENERATORS[generator])
    p.configure()
    p.make()
    assert "19/19 modules frozen" in p.run_embed()
    assert p.frozen_by(p.make().stdout) == []
    (p.src / "app" / "plugins" / "shout.py").write_text(
        (p.src / "app" / "plugins" / "shout.py").read_text() + "\n# edited\n")
    assert p.frozen_by(p.make().stdout) == ["app.plugins.shout"]


def test_gen_cmake_is_relocatable_and_escaped(tmp_path):
    """The rules file names the source tree only through ${CMAKE_CURRENT_LIST_DIR}."""
    src = copy_example(tmp_path / 'a "b" $c')
    out = src / "bld"
    frore("gen", "cmake", f"build_dir={out}", "-o", out / "frore-rules.cmake", cwd=src)
    text = (out / "frore-rules.cmake").read_text()
    assert str(src) not in text
    assert '"${CMAKE_CURRENT_LIST_DIR}/.."' in text
    assert (out / "frozen" / "frozen_modules.c").is_file()
    assert (out / "frozen" / ".frore-freezer").is_file()
    bad = frore("gen", "cmake", "bogus=1", cwd=src, check=False)
    assert bad.returncode == 2 and "bogus" in bad.stderr


def test_cmake_escaping():
    from frore.writers import cmake as cw
    from frore.errors import FroreError

    assert cw.quote('a "b" $c\\d') == '"a \\"b\\" \\$c\\\\d"'
    assert cw.path("X", "dir with space/f.py") == '"${X}/dir with space/f.py"'
    for bad in ("a;b", "x$<y>"):
        with pytest.raises(FroreError):
            cw.quote(bad)


def test_cmake_dir_cli():
    out = frore("--cmake-dir").stdout.strip()
    assert (Path(out) / "froreConfig.cmake").is_file()
    assert (Path(out) / "froreConfigVersion.cmake").is_file()


def test_config_version(tmp_path):
    """find_package(frore <version>) compares against frore.__version__."""
    cmake = _need(venv_tool("cmake") or shutil.which("cmake"), "cmake")
    import frore as pkg

    major = int(pkg.__version__.split(".")[0])
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(v NONE)\n"
        f"find_package(frore {pkg.__version__} CONFIG REQUIRED)\n"
        'message(STATUS "frore=${frore_VERSION} python=${FRORE_PYTHON}")\n'
        f"find_package(frore {major + 1} CONFIG QUIET)\n"
        'message(STATUS "next-major-found=${frore_FOUND}")\n')
    out = run([cmake, "-S", tmp_path, "-B", tmp_path / "b", f"-Dfrore_DIR={REPO / 'cmake'}",
               f"-DFRORE_PYTHON={PYTHON}"]).stdout
    assert f"frore={pkg.__version__} python=" in out
    assert "next-major-found=0" in out


def test_config_version_matches_package():
    import frore as pkg

    text = (REPO / "cmake" / "froreConfigVersion.cmake").read_text()
    assert f'set(PACKAGE_VERSION "{pkg.__version__}")' in text


def test_wheel_installs_cmake_package(tmp_path):
    """A wheel puts the CMake package in <prefix>/share/cmake/frore: `frore --cmake-dir`
    prints it and find_package(frore) finds it through PATH, with no frore_DIR."""
    cmake = _need(venv_tool("cmake") or shutil.which("cmake"), "cmake")
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
    out = run([cmake, "-S", proj, "-B", proj / "b"], env={"PATH": path}).stdout
    assert f"frore_DIR={venv / 'share' / 'cmake' / 'frore'}" in out
    assert f"FRORE_PYTHON={venv / 'bin' / 'python3'}" in out
