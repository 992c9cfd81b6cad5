"""Meson specifics: the repository's own meson.build, the documented recipe, the
stale-snippet guard and the writer's strings against real Meson.  The scenario
matrix (build, no-op, edit, add, remove, ...) runs in tests/test_matrix.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import PYTHON, REPO, copy_example, frore, run, venv_tool
from frore.writers import meson as mw

MESON = venv_tool("meson")
NINJA = venv_tool("ninja")
pytestmark = [pytest.mark.needs_meson, pytest.mark.needs_ninja]
# Meson runs ninja itself when it reconfigures (`ninja -t cleandead`); with a
# different ninja on PATH the two versions rewrite each other's build log and
# everything rebuilds.  NINJA makes Meson use the same one as these tests.
ENV = {"NINJA": str(NINJA)}

SUBDIR = "examples/embed"
HEADERS = "examples/embed/frozen"      # the snippet's folder, in source and build tree


def make_tree(root: Path) -> Path:
    """A source tree shaped like the repository: top-level meson.build plus the example."""
    root.mkdir(parents=True)
    for name in ("meson.build", "meson_options.txt"):
        shutil.copy(REPO / name, root / name)
    copy_example(root / SUBDIR)
    return root


def setup(src: Path, build: Path) -> None:
    run([MESON, "setup", build, src], cwd=src.parent, env=ENV)


def ninja(build: Path, check: bool = True):
    """``ninja -v``: every command in full, so freezes can be counted."""
    return run([NINJA, "-v", "-C", build], check=check, env=ENV)


def run_embed(build: Path) -> str:
    return run([build / "embed"], cwd=build).stdout


def assert_all_frozen(output: str, count: int | None = None) -> None:
    done = re.search(r"^(\d+)/(\d+) modules frozen$", output, re.M)
    assert done, output
    assert done.group(1) == done.group(2), output
    if count is not None:
        assert int(done.group(2)) == count, output


def declared_count(src: Path, subdir: str = SUBDIR) -> int:
    modules = json.loads(frore("list", "--json", cwd=src / subdir).stdout)["modules"]
    return len(modules)


def test_repository_meson_build_builds_the_example(tmp_path):
    """The top-level meson.build (frore's own integration) builds examples/embed."""
    src = make_tree(tmp_path / "src")
    build = tmp_path / "build"
    setup(src, build)
    ninja(build)
    out = run_embed(build)
    assert out.startswith("hello from frozen app on Python 3."), out
    assert_all_frozen(out, declared_count(src))
    again = ninja(build).stdout
    # A no-op: only the freezer stamp is checked (the target interpreter, ~10 ms).
    assert " freeze " not in again and " -o embed " not in again, again


def test_manifest_error_fails_setup_with_file_and_line(tmp_path):
    src = make_tree(tmp_path / "src")
    manifest = src / SUBDIR / "frozen.toml"
    lines = manifest.read_text().splitlines()
    lines.append('modules = ["no_such_module_anywhere"]')
    manifest.write_text("\n".join(lines) + "\n")
    proc = run([MESON, "setup", tmp_path / "build", src], cwd=tmp_path, check=False, env=ENV)
    assert proc.returncode != 0
    assert re.search(rf"frozen\.toml:{len(lines)}: ", proc.stdout + proc.stderr), proc.stdout


def test_stale_snippet_is_refused(tmp_path):
    """A committed snippet that no longer matches the manifest stops configure."""
    example = copy_example(tmp_path / "proj")
    frore("gen", "meson", cwd=example)
    (example / "meson.build").write_text(
        "project('p', 'c')\nsubdir('frozen')\n")
    manifest = example / "frozen.toml"
    manifest.write_text(manifest.read_text() + "\n")
    proc = run([MESON, "setup", tmp_path / "build", example], cwd=tmp_path, check=False, env=ENV)
    assert proc.returncode != 0
    assert "frozen/meson.build is older than frozen.toml" in proc.stdout + proc.stderr


ODD = ["it's", "back\\slash", "tab\there", "new\nline", "cr\rx", "bell\x07", "$dollar @at@",
       "space dir/x.py", "ünïcödé", "quote\" and '' twice"]


def test_meson_strings_round_trip(tmp_path):
    """Every escape mesonwriter emits means, to real Meson, exactly the original text."""
    src = tmp_path / "strings"
    src.mkdir()
    w = mw.MesonWriter()
    w.statement(mw.call("project", "strings", "c"))
    w.assign("values", ODD)
    w.statement(mw.call("run_command", PYTHON, "-c",
                        "import sys, json; open(sys.argv[1], 'w', encoding='utf-8')"
                        ".write(json.dumps(sys.argv[2:]))",
                        str(tmp_path / "out.json"), mw.Code("values"), check=True))
    (src / "meson.build").write_text(w.text(), encoding="utf-8")
    run([MESON, "setup", tmp_path / "build", src], cwd=tmp_path, env=ENV)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == ODD


USER_MESON = """\
project('embed', 'c')
py = import('python').find_installation()
run_command(py, '-m', 'frore', 'gen', 'meson', 'prefix=app_frozen',
            '-o', 'rules/frozen/meson.build', '--python', py.full_path(), check: true)
subdir('rules/frozen')
executable('embed', 'main.c', app_frozen_sources, include_directories: 'rules',
           dependencies: py.dependency(embed: true))
"""


def test_user_recipe_with_prefix_and_deeper_snippet(tmp_path):
    """The docs' recipe in a project of its own: snippet two folders down, renamed variables."""
    example = copy_example(tmp_path / "proj")
    (example / "meson.build").write_text(USER_MESON)
    build = tmp_path / "build"
    setup(example, build)
    ninja(build)
    snippet = (example / "rules" / "frozen" / "meson.build").read_text()
    assert "app_frozen_sources = " in snippet and "frore_" not in snippet
    assert_all_frozen(run_embed(build), declared_count(example, ""))
    bad = frore("gen", "meson", "prefix=not-an-identifier", cwd=example, check=False)
    assert bad.returncode == 2 and "not a Meson identifier" in bad.stderr
