"""Meson/Ninja backend: the repo's top-level meson.build driving real meson and ninja.

Each test lays out a temporary tree like a fresh clone (meson.build,
meson_options.txt, examples/embed) and builds the example embedded
interpreter against the host's libpython.
"""

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
pytestmark = pytest.mark.skipif(not (MESON and NINJA), reason="meson and ninja are needed")
# Meson runs ninja itself when it reconfigures (`ninja -t cleandead`); with a
# different ninja on PATH the two versions rewrite each other's build log and
# everything rebuilds.  NINJA makes Meson use the same one as these tests.
ENV = {"NINJA": str(NINJA)}

SUBDIR = "examples/embed"
HEADERS = "examples/embed/frozen"      # the snippet's folder, in source and build tree
FREEZE = re.compile(r" -m frore freeze --python \S+ (\S+) ")


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


def frozen_names(proc) -> list[str]:
    """Modules whose `ninja -v` command line ran `frore freeze`."""
    return FREEZE.findall(proc.stdout)


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


@pytest.fixture
def built(tmp_path):
    """A tree set up and built once: (source root, build dir)."""
    src = make_tree(tmp_path / "src")
    build = tmp_path / "build"
    setup(src, build)
    ninja(build)
    return src, build


def test_build_runs_with_every_module_frozen(built):
    src, build = built
    out = run_embed(build)
    assert out.startswith("hello from frozen app on Python 3."), out
    assert_all_frozen(out, declared_count(src))
    assert "source " not in out


def test_second_ninja_has_no_work(built):
    _, build = built
    proc = ninja(build)
    assert "ninja: no work to do." in proc.stdout


def test_edit_one_module_refreezes_only_it(built):
    src, build = built
    greet = src / SUBDIR / "app" / "greet.py"
    greet.write_text('"""Edited."""\n\n\ndef message():\n    return "edited by the meson test"\n')
    proc = ninja(build)
    assert frozen_names(proc) == ["app.greet"], proc.stdout
    assert re.search(r" -o embed ", proc.stdout), proc.stdout     # relinked
    assert "edited by the meson test" in run_embed(build)
    assert "ninja: no work to do." in ninja(build).stdout


def test_add_module_reconfigures_and_freezes_only_it(built):
    src, build = built
    example = src / SUBDIR
    (example / "extra.py").write_text("VALUE = 42\n")
    manifest = example / "frozen.toml"
    manifest.write_text(manifest.read_text() + '\n[[group]]\nname = "extra"\nmodules = ["extra"]\n')
    proc = ninja(build)
    assert "--internal regenerate" in proc.stdout, proc.stdout   # plain ninja re-ran meson
    assert frozen_names(proc) == ["extra"], proc.stdout
    out = run_embed(build)
    assert "extra: frozen" in out
    assert_all_frozen(out, declared_count(src))
    assert "ninja: no work to do." in ninja(build).stdout


def test_remove_module_drops_it_from_the_binary(built):
    src, build = built
    assert "runpy: frozen" in run_embed(build)
    manifest = src / SUBDIR / "frozen.toml"
    text = manifest.read_text()
    assert '    "runpy",\n' in text
    manifest.write_text(text.replace('    "runpy",\n', ""))
    proc = ninja(build)
    assert frozen_names(proc) == [], proc.stdout
    out = run_embed(build)
    assert "runpy:" not in out
    assert_all_frozen(out, declared_count(src))


def test_syntax_error_names_file_and_line_and_keeps_header(built):
    src, build = built
    greet = src / SUBDIR / "app" / "greet.py"
    header = build / HEADERS / "app.greet.frozen.h"
    before = header.read_bytes()
    good = greet.read_text()
    greet.write_text('"""Broken."""\n\ndef message(:\n    return 1\n')
    proc = ninja(build, check=False)
    assert proc.returncode != 0
    assert re.search(r"/app/greet\.py:3: SyntaxError", proc.stdout + proc.stderr), proc.stdout
    assert header.read_bytes() == before
    greet.write_text(good)
    proc = ninja(build)
    assert frozen_names(proc) == ["app.greet"]
    assert_all_frozen(run_embed(build))


def test_paths_with_spaces_and_shell_characters(tmp_path):
    src = make_tree(tmp_path / "source root with spaces, it's $HOME & more")
    build = tmp_path / "build dir with spaces"
    setup(src, build)
    ninja(build)
    assert_all_frozen(run_embed(build), declared_count(src))
    assert "ninja: no work to do." in ninja(build).stdout


def test_headers_byte_identical_to_regen(built):
    src, build = built
    example = src / SUBDIR
    frore("regen", cwd=example)
    regen_dir = example / "frozen"
    ninja_dir = build / HEADERS
    regen_files = sorted(p.name for p in regen_dir.iterdir() if p.suffix in (".h", ".c"))
    ninja_files = sorted(p.name for p in ninja_dir.iterdir() if p.suffix in (".h", ".c"))
    assert regen_files == ninja_files
    for name in regen_files:
        assert (regen_dir / name).read_bytes() == (ninja_dir / name).read_bytes(), name


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
