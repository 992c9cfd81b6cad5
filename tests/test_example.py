"""examples/embed as a newcomer meets it, with every backend, in a git checkout.

Each test copies the tracked files of the repository (as they are in the work
tree) into a fresh git repository, builds the example the way README says for
one backend, and checks: the program runs with its modules frozen; with
``FRORE_FROZEN_MODULES=OFF`` (any case) it imports the app from the example's
own folder, wherever the binary is; and the build leaves nothing git would list
(every backend's outputs are ignored).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PYTHON, REPO, frore, run, venv_tool

EXAMPLE = "examples/embed"


def checkout(dest: Path) -> Path:
    """The repository's tracked files (work-tree content) in a new git repository."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        if (REPO / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dest / rel)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost"]
    run([*git, "init", "-q"], cwd=dest)
    run([*git, "add", "-A"], cwd=dest)
    run([*git, "commit", "-qm", "checkout"], cwd=dest)
    return dest


def untracked(root: Path) -> list[str]:
    out = run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root).stdout
    return out.splitlines()


def build_make(root: Path) -> Path:
    run(["make", f"FRORE={PYTHON} -m frore"], cwd=root / EXAMPLE)   # no regen first
    return root / EXAMPLE / "embed"


def build_scons(root: Path) -> Path:
    run([venv_tool("scons"), "-Q", f"FRORE_PYTHON={PYTHON}"], cwd=root / EXAMPLE)
    return root / EXAMPLE / "embed"


def build_cmake(root: Path) -> Path:
    cmake = venv_tool("cmake") or shutil.which("cmake")
    frore_dir = frore("--cmake-dir").stdout.strip()
    run([cmake, "-S", root / EXAMPLE, "-B", root / EXAMPLE / "build", f"-Dfrore_DIR={frore_dir}",
         f"-DPython3_EXECUTABLE={PYTHON}"], cwd=root)
    run([cmake, "--build", root / EXAMPLE / "build"], cwd=root)
    return root / EXAMPLE / "build" / "embed"


def build_meson(root: Path) -> Path:
    env = {"NINJA": str(venv_tool("ninja"))}
    run([venv_tool("meson"), "setup", "build", f"-Dpython={PYTHON}"], cwd=root, env=env)
    run([venv_tool("ninja"), "-C", "build"], cwd=root, env=env)
    return root / "build" / "embed"


BACKENDS = [
    pytest.param(build_make, marks=pytest.mark.needs_make, id="make"),
    pytest.param(build_scons, marks=pytest.mark.needs_scons, id="scons"),
    pytest.param(build_cmake, marks=pytest.mark.needs_cmake, id="cmake"),
    pytest.param(build_meson, marks=[pytest.mark.needs_meson, pytest.mark.needs_ninja], id="meson"),
]


@pytest.mark.parametrize("build", BACKENDS)
def test_example_builds_switches_off_and_leaves_a_clean_checkout(tmp_path, build):
    root = checkout(tmp_path / "repo")
    program = build(root)
    frozen = run([program], cwd="/").stdout
    assert "app.greet: frozen" in frozen

    off = run([program], cwd="/", env={"FRORE_FROZEN_MODULES": "OFF"})
    assert "frozen table disabled by FRORE_FROZEN_MODULES" in off.stderr
    assert f"app.greet: source {root / EXAMPLE / 'app' / 'greet.py'}" in off.stdout, off.stdout
    assert untracked(root) == []


@pytest.mark.needs_make
def test_plain_make_in_a_fresh_example_bootstraps_then_settles(tmp_path):
    root = checkout(tmp_path / "repo")
    example = root / EXAMPLE
    first = run(["make", f"FRORE={PYTHON} -m frore"], cwd=example)
    assert "frore: wrote" in first.stdout + first.stderr
    assert (example / "embed").is_file()
    again = run(["make", f"FRORE={PYTHON} -m frore"], cwd=example).stdout
    assert "FREEZE" not in again and "CC" not in again, again


@pytest.mark.needs_make
def test_make_without_frore_says_how_to_get_it(tmp_path):
    root = checkout(tmp_path / "repo")
    proc = run(["make", "FRORE=no-such-frore"], cwd=root / EXAMPLE, check=False)
    assert proc.returncode != 0
    assert "'no-such-frore regen' failed (see above; to get frore: README.md" in proc.stderr
    assert not (root / EXAMPLE / "frozen").exists()


@pytest.mark.needs_make
def test_build_switch_is_named_for_what_it_is(tmp_path):
    """A table compiled with -DFRORE_DISABLE_FROZEN_MODULES is not blamed on the
    environment variable."""
    root = checkout(tmp_path / "repo")
    example = root / EXAMPLE
    run(["make", f"FRORE={PYTHON} -m frore", "CFLAGS=-O2 -DFRORE_DISABLE_FROZEN_MODULES"],
        cwd=example)
    proc = run([example / "embed"], cwd="/")
    assert "compiled without modules (-DFRORE_DISABLE_FROZEN_MODULES)" in proc.stderr
    assert "FRORE_FROZEN_MODULES" not in proc.stderr.replace("-DFRORE_DISABLE_FROZEN_MODULES", "")
    assert "app.greet: source " in proc.stdout
