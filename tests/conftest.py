"""Shared helpers: run frore and real build tools, find pyenv Pythons, copy the example.

What a test needs from the machine is declared with a marker (``needs_meson``,
``needs_cpython_311``, ...; see ``NEEDS``).  Without it the test is skipped
with the reason, except under ``CI=true``: ``.ci/run`` installs everything,
so there a missing tool is a failure, never a quiet skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "embed"
# The interpreter running the tests has frore installed; build rules name it too.
PYTHON = sys.executable


def run(cmd, cwd=None, check=True, env=None, **kw) -> subprocess.CompletedProcess:
    """Run *cmd*, capturing text; on an unexpected status show everything it printed."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=full_env, text=True,
                          capture_output=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}\n--- stdout\n{proc.stdout}"
                             f"\n--- stderr\n{proc.stderr}")
    return proc


def frore(*args, cwd=None, check=True, env=None) -> subprocess.CompletedProcess:
    return run([PYTHON, "-m", "frore", *args], cwd=cwd, check=check, env=env)


def venv_tool(name: str) -> str | None:
    """A tool installed in the test venv (meson, scons, cmake), else one on PATH."""
    local = Path(PYTHON).parent / name
    return str(local) if local.exists() else shutil.which(name)


def pyenv_root() -> Path:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    exe = shutil.which("pyenv")
    if exe:
        out = subprocess.run([exe, "root"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    return Path.home() / ".pyenv"


def pyenv_pythons() -> dict[tuple[int, int], Path]:
    """Real binaries (not shims) of the pyenv CPythons 3.8+ that ship a shared libpython."""
    found: dict[tuple[int, int], Path] = {}
    versions = pyenv_root() / "versions"
    if not versions.is_dir():
        return found
    for folder in sorted(versions.iterdir()):
        parts = folder.name.split(".")
        if len(parts) < 2 or not (parts[0] == "3" and parts[1].isdigit()):
            continue
        minor = (3, int(parts[1]))
        exe = folder / "bin" / f"python3.{parts[1]}"
        lib = folder / "lib" / f"libpython3.{parts[1]}.so"
        if minor >= (3, 8) and exe.exists() and lib.exists():
            found[minor] = exe
    return found


def missing(reason: str) -> None:
    """Skip for want of *reason*; under CI=true, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def python_for(minor: tuple[int, int]) -> Path:
    exe = pyenv_pythons().get(minor)
    if exe is None:
        missing(f"no pyenv Python {minor[0]}.{minor[1]} with a shared libpython "
                f"under {pyenv_root() / 'versions'}")
    return exe


SYSTEM_CMAKE = "/usr/bin/cmake"


def pypi_cmake() -> str | None:
    """The CMake from PyPI in the test venv (4.x), when it is not the system one."""
    exe = Path(PYTHON).parent / "cmake"
    return str(exe) if exe.exists() else None


def cpython_tarball(pattern: str) -> Path | None:
    """An upstream CPython tarball matching *pattern* (the newest, if several):
    $FRORE_CPYTHON_TARBALLS (a folder), else the cache that .ci/run fills."""
    for folder in (os.environ.get("FRORE_CPYTHON_TARBALLS"), cache_dir()):
        found = sorted(Path(folder).glob(pattern)) if folder else []
        if found:
            return found[-1]
    return None


def cache_dir() -> Path:
    """Where .ci/run keeps downloads: outside the checkout, reused between runs."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "frore"


def sid_root() -> Path | None:
    """The sid chroot .ci/sid-chroot builds, when it is ready and usable (root only)."""
    root = Path(os.environ.get("FRORE_SID_ROOT") or cache_dir() / "sid-root")
    ready = (root / ".frore-ready").is_file() and shutil.which("chroot") and os.geteuid() == 0
    return root if ready else None


# Debian's names for the upstream tarballs (bookworm's python3.11, trixie's python3.13).
CPYTHON_311 = "python3.11_3.11.2.orig.tar.gz"
CPYTHON_313 = "python3.13_3.13.*.orig.tar.xz"

# marker -> (what is missing, how to check for it)
NEEDS = {
    "needs_meson": ("meson (pip install meson)", lambda: venv_tool("meson")),
    "needs_ninja": ("ninja (pip install ninja)", lambda: venv_tool("ninja")),
    "needs_cmake": ("cmake (pip install cmake)", lambda: venv_tool("cmake") or shutil.which("cmake")),
    "needs_system_cmake": (f"Debian's cmake ({SYSTEM_CMAKE})", lambda: Path(SYSTEM_CMAKE).exists()),
    "needs_pypi_cmake": ("cmake from PyPI in the test venv", pypi_cmake),
    "needs_scons": ("scons (pip install scons)", lambda: venv_tool("scons")),
    "needs_xbuild": ("xbuild (apt-get install mono-xbuild)", lambda: shutil.which("xbuild")),
    "needs_make": ("GNU make", lambda: shutil.which("make")),
    "needs_clang": ("clang (apt-get install clang)", lambda: shutil.which("clang")),
    "needs_sid_chroot": ("the Debian sid chroot with CPython 3.14 and 3.15 (.ci/sid-chroot builds "
                         f"it into {cache_dir() / 'sid-root'}, or set FRORE_SID_ROOT; needs root)",
                         lambda: sid_root()),
    "needs_cpython_311": (f"the CPython 3.11.2 tarball ({CPYTHON_311} in {cache_dir()} or "
                          "$FRORE_CPYTHON_TARBALLS; .ci/run fetches it)",
                          lambda: cpython_tarball(CPYTHON_311)),
    "needs_cpython_313": (f"a CPython 3.13 tarball ({CPYTHON_313} in {cache_dir()} or "
                          "$FRORE_CPYTHON_TARBALLS; .ci/run fetches it)",
                          lambda: cpython_tarball(CPYTHON_313)),
}


def pytest_configure(config):
    for name, (what, _) in NEEDS.items():
        config.addinivalue_line("markers", f"{name}: the test needs {what}")


def pytest_runtest_setup(item):
    # .ci/run names here what it tried to provision and could not (a download or a
    # chroot the network refused): those tests skip with the reason even under CI.
    unreachable = os.environ.get("FRORE_UNREACHABLE", "").split()
    for marker in item.iter_markers():
        need = NEEDS.get(marker.name)
        if need is not None and not need[1]():
            if marker.name in unreachable:
                pytest.skip(f"{need[0]} is not available: .ci/run could not provide it "
                            "(see its output)")
            missing(f"{need[0]} is not available")


def copy_example(dest: Path) -> Path:
    """A fresh copy of examples/embed without any generated files."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(
        "frozen", "embed", "*.o", "__pycache__", "build*"))
    return dest


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "embed")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Content and mtime of every file below *folder*: to prove nothing changed."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_program(folder: Path, main_c: str) -> Path:
    """Compile *main_c* with the module table of *folder* (after `frore regen`),
    through the Make fragment, against the frozen interpreter's libpython."""
    (folder / "main.c").write_text(main_c)
    (folder / "Makefile").write_text(
        "CFLAGS = -Wall -Werror\n"
        "include frozen/frozen.mk\n"
        "prog: main.c $(FRORE_OBJECTS) $(FRORE_TABLE_H)\n"
        "\t$(CC) $(CFLAGS) $(FRORE_CFLAGS) -I. -o $@ main.c $(FRORE_OBJECTS_SH) "
        "$(FRORE_PYTHON_LIBS) $(FRORE_PYTHON_RPATH)\n")
    run(["make"], cwd=folder)
    return folder / "prog"


def copy_project(dest: Path) -> Path:
    """What a wheel is built from, copied: building in the checkout would leave
    build/ there, whose stale files can slip into later wheels."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, dest)
    for name in ("tools", "cmake", "msbuild"):
        shutil.copytree(REPO / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest
