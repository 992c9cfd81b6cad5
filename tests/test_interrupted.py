"""No build succeeds from a half-written regen.

A regen is killed (as by kill -9: no cleanup, no message) after its K-th
rename, for every K; then a plain build runs.  It must either finish the
regen's work (and then `frore check` passes and the program has the new
module) or fail.  It must never succeed with a table that disagrees with the
manifest.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import PYTHON, frore, run
from drivers import DRIVERS, Project

KILL_AFTER = '''
import os, runpy, sys
limit = int(sys.argv.pop(1))
real = os.replace
count = [0]
def replace(*args, **kwargs):
    count[0] += 1
    if count[0] > limit:
        os._exit(137)                     # killed: no cleanup, no message
    return real(*args, **kwargs)
os.replace = replace
sys.argv[0] = "frore"
runpy.run_module("frore", run_name="__main__")
'''


def interrupted(args: list[str], cwd, after: int) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-c", KILL_AFTER, str(after), *args], cwd=cwd,
                          capture_output=True, text=True)


def change(p: Project) -> None:
    """Add a module and an alias: new header, new table, new fragment."""
    (p.src / "extra.py").write_text('VALUE = "extra"\n')
    p.edit_manifest('    "mod",\n', '    "mod",\n    "extra",\n    "extra : extra_alias",\n')


# The change renames 5 files into place: the new module's header, its part, the
# table, the record and the fragment.  Killed after each.
RENAMES = 5


@pytest.mark.needs_make
@pytest.mark.parametrize("after", range(0, RENAMES + 1))
def test_make_after_a_killed_regen(tmp_path, after):
    make = next(d for d in DRIVERS if d.name == "make")
    p = Project(tmp_path)
    make.setup(p)
    assert make.build(p).ok
    change(p)
    killed = interrupted(["regen", "-q"], p.root, after)
    assert (killed.returncode == 0) == (after == RENAMES), killed   # every rename covered
    result = make.build(p)
    if not result.ok:
        return                                    # stopped: fine
    assert frore("check", cwd=p.root, check=False).returncode == 0, (killed.returncode,
                                                                       result.output)
    out = run([make.program(p)], cwd="/").stdout
    assert "extra_alias: frozen extra" in out, out
    assert "11/11 modules frozen" in out, out


@pytest.mark.needs_xbuild
@pytest.mark.parametrize("after", range(0, 6))
def test_msbuild_after_a_killed_gen(tmp_path, after):
    msbuild = next(d for d in DRIVERS if d.name == "msbuild")
    p = Project(tmp_path)
    msbuild.setup(p)
    assert msbuild.build(p).ok
    change(p)
    interrupted(["gen", "msbuild", "-q", "--touch"], p.root, after)
    result = msbuild.build(p)
    if not result.ok:
        assert "frore gen msbuild" in result.output, result.output
        return
    table = (msbuild.headers(p) / "frozen_modules.c").read_text()
    assert '"extra_alias"' in table
    assert (msbuild.headers(p) / "extra.frozen.h").is_file()


def test_the_wrapper_kills_where_asked(tmp_path):
    """The harness itself: killed after 0 renames, nothing of a first regen exists."""
    p = Project(tmp_path)
    proc = interrupted(["regen", "-q"], p.root, 0)
    assert proc.returncode == 137
    assert not (p.root / p.headers_name / "frozen.mk").exists()
    assert not (p.root / "frozen.mk").exists()
