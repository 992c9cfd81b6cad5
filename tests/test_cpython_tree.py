"""The cpython flavor on a real CPython 3.11.2 tree.

The tree comes from the upstream tarball (Debian: `apt-get source
--download-only python3.11` leaves python3.11_3.11.2.orig.tar.gz) in the cache
.ci/run fills (~/.cache/frore) or the folder $FRORE_CPYTHON_TARBALLS, or from an
extracted pristine tree named by $FRORE_CPYTHON_TREE.  Each test works on a copy holding the files the
flavor rewrites (Lib is a symlink to the pristine one: only read).
The full build of the tree is scripts/cpython-tree-e2e.sh (minutes, not CI).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import (
    CPYTHON_311,
    REPO,
    cache_dir,
    cpython_tarball,
    frore,
    missing,
    python_for,
    run,
    snapshot,
    venv_tool,
)

pytestmark = pytest.mark.needs_cpython_tree

MANIFEST = REPO / "examples" / "cpython-3.11" / "frozen.toml"
TARBALL_NAME = CPYTHON_311
TOP = "Python-3.11.2"
# What the flavor reads or rewrites, plus what the differential and Meson tests run.
COPIED = ["Makefile.pre.in", "PCbuild/_freeze_module.vcxproj",
          "PCbuild/_freeze_module.vcxproj.filters", "PCbuild/pythoncore.vcxproj",
          "Python/frozen.c", "Include/patchlevel.h", "Tools/freeze/flag.py",
          "Tools/scripts/freeze_modules.py", "Tools/scripts/update_file.py",
          "Tools/scripts/deepfreeze.py", "Tools/scripts/umarshal.py",
          "Tools/scripts/generate_global_objects.py",
          "Programs/_freeze_module.py"]
REWRITTEN = COPIED[:5]
TEXTWRAP_GROUP = '\n[[group]]\nname = "extra"\nmodules = ["textwrap"]\n'


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """A pristine CPython 3.11.2 tree (extracted once per session)."""
    named = os.environ.get("FRORE_CPYTHON_TREE")
    if named:
        if not (Path(named) / "Include" / "patchlevel.h").is_file():
            pytest.fail(f"FRORE_CPYTHON_TREE={named} is not a CPython source tree")
        return Path(named)
    tarball = cpython_tarball(TARBALL_NAME)
    if tarball is None:
        missing(f"no CPython 3.11.2 tree: set FRORE_CPYTHON_TREE to an extracted tree, or put "
                f"{TARBALL_NAME} in {cache_dir()} (apt-get source --download-only python3.11; "
                f".ci/run does) or in the folder $FRORE_CPYTHON_TARBALLS")
    dest = tmp_path_factory.mktemp("cpython")
    run(["tar", "-xzf", tarball, "--no-same-owner", "-C", dest,
         *(f"{TOP}/{p}" for p in COPIED), f"{TOP}/Lib"])
    return dest / TOP


def make_tree(pristine: Path, dest: Path, real_lib: tuple[str, ...] = ()) -> Path:
    """A writable copy of the files the flavor touches; Lib entries are symlinks
    to the pristine tree except *real_lib* (copied, so a test may edit them)."""
    for rel in COPIED:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pristine / rel, dest / rel)
    (dest / "Lib").mkdir()
    for entry in (pristine / "Lib").iterdir():
        if entry.name in real_lib:
            shutil.copy2(entry, dest / "Lib" / entry.name)
        else:
            (dest / "Lib" / entry.name).symlink_to(entry)
    return dest


@pytest.fixture
def tree(pristine, tmp_path) -> Path:
    return make_tree(pristine, tmp_path / "tree")


def manifest_in(tree: Path, extra: str = "", edit=None) -> Path:
    """The shipped manifest copied into the tree root, optionally changed."""
    text = MANIFEST.read_text()
    if edit:
        text = edit(text)
    path = tree / "frozen.toml"
    path.write_text(text + extra)
    return path


def diff(old: Path, new: Path) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two files."""
    a = old.read_bytes().decode("utf-8").splitlines()
    b = new.read_bytes().decode("utf-8").splitlines()
    removed, added = [], []
    for line in difflib.unified_diff(a, b, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line[0] == "-" else added).append(line[1:])
    return removed, added


# --- acceptance: pristine no-op, check, add one ---------------------------------------

def test_pristine_tree_regen_changes_nothing(pristine, tree):
    before = snapshot(tree)
    proc = frore("regen", "-m", MANIFEST, "--tree", tree)
    assert "wrote" not in proc.stdout
    assert snapshot(tree) == before                   # bytes and mtimes
    for rel in REWRITTEN:
        assert (tree / rel).read_bytes() == (pristine / rel).read_bytes(), rel
    proc = frore("-v", "check", "-m", MANIFEST, "--tree", tree)
    assert "up to date" in proc.stdout


def test_adding_textwrap_reaches_every_place_at_once(pristine, tree):
    manifest = manifest_in(tree, TEXTWRAP_GROUP)
    proc = frore("check", "-m", manifest, check=False, cwd=tree)
    assert proc.returncode == 1
    assert sorted(proc.stdout.splitlines()) == sorted(
        f"stale: {r}" for r in REWRITTEN if "pythoncore" not in r)

    frore("regen", "-m", manifest)
    added_by_file = {}
    for rel in REWRITTEN:
        removed, added = diff(pristine / rel, tree / rel)
        added_by_file[rel] = added
        # Only the old last list item loses nothing but gains a continuation.
        for line in removed:
            assert any(a == line + " \\" for a in added), (rel, line)
    assert added_by_file["PCbuild/pythoncore.vcxproj"] == []
    mk = added_by_file["Makefile.pre.in"]
    assert "\t\tLib/textwrap.py" in mk and "\t\tPython/frozen_modules/textwrap.h" in mk
    assert "Python/frozen_modules/textwrap.h: Lib/textwrap.py $(FREEZE_MODULE_DEPS)" in mk
    assert ("\t$(FREEZE_MODULE) textwrap $(srcdir)/Lib/textwrap.py "
            "Python/frozen_modules/textwrap.h") in mk
    assert "\tPython/frozen_modules/textwrap.h:textwrap \\" in mk
    c = added_by_file["Python/frozen.c"]
    assert "extern PyObject *_Py_get_textwrap_toplevel(void);" in c
    assert '    {"textwrap", NULL, 0, false, GET_CODE(textwrap)},' in c
    assert '    <None Include="..\\Lib\\textwrap.py">' in added_by_file["PCbuild/_freeze_module.vcxproj"]
    assert "      <ModName>textwrap</ModName>" in added_by_file["PCbuild/_freeze_module.vcxproj"]
    assert any("textwrap.h:textwrap" in a for a in added_by_file["PCbuild/_freeze_module.vcxproj"])
    assert '    <None Include="..\\Lib\\textwrap.py">' in \
        added_by_file["PCbuild/_freeze_module.vcxproj.filters"]
    # CRLF files stay CRLF; the filters keep their BOM.
    assert (tree / "PCbuild/_freeze_module.vcxproj").read_bytes().count(b"\n") == \
        (tree / "PCbuild/_freeze_module.vcxproj").read_bytes().count(b"\r\n")
    assert (tree / "PCbuild/_freeze_module.vcxproj.filters").read_bytes().startswith(b"\xef\xbb\xbf")

    frore("check", "-m", manifest)
    before = snapshot(tree)
    assert "wrote" not in frore("regen", "-m", manifest).stdout
    assert snapshot(tree) == before


# --- the same text as the tree's own generator ------------------------------------------

ADDED = ["textwrap", "<json.*>", "<email.**.*>", "<encodings.*>"]


@pytest.mark.parametrize("frozen_modules", [False, True], ids=["deepfreeze", "frozen-modules"])
def test_same_bytes_as_freeze_modules_py(pristine, tmp_path, frozen_modules):
    """Add modules (and package globs) both ways; every rewritten file must match."""
    theirs = make_tree(pristine, tmp_path / "theirs")
    ours = make_tree(pristine, tmp_path / "ours")
    script = theirs / "Tools/scripts/freeze_modules.py"
    text = script.read_text()
    anchor = '        "runpy",\n'
    assert text.count(anchor) == 1
    script.write_text(text.replace(anchor, anchor + "".join(f'        "{m}",\n' for m in ADDED)))
    run([sys.executable, script] + (["--frozen-modules"] if frozen_modules else []), cwd=theirs)

    def edit(text: str) -> str:
        text = text.replace('    "runpy",\n', '    "runpy",\n' + "".join(f'    "{m}",\n' for m in ADDED))
        if frozen_modules:
            text = text.replace("[cpython]\n", "[cpython]\nfrozen-modules = true\n")
        return text

    frore("regen", "-m", manifest_in(ours, edit=edit))
    for rel in REWRITTEN:
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel
    assert b'"email.mime.__init__", "<email.mime"' in (ours / "Python/frozen.c").read_bytes()


# --- marker handling ------------------------------------------------------------------

def test_only_text_between_markers_changes(pristine, tree):
    mk = tree / "Makefile.pre.in"
    text = mk.read_text()
    text = "# a local edit above the blocks\n" + text.replace(
        "\t\tLib/abc.py \\\n", "\t\tLib/stale.py \\\n", 1) + "# and one below\n"
    mk.write_text(text)
    frore("regen", "-m", MANIFEST, "--tree", tree)
    result = mk.read_text()
    assert result.startswith("# a local edit above the blocks\n")
    assert result.endswith("# and one below\n")
    assert "Lib/stale.py" not in result
    assert result[len("# a local edit above the blocks\n"):-len("# and one below\n")] == \
        (pristine / "Makefile.pre.in").read_text()


def test_missing_marker_names_file_and_line_and_writes_nothing(tree):
    frozen_c = tree / "Python/frozen.c"
    lines = frozen_c.read_text().splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines)
                 if "static const struct _frozen test_modules" in line)
    frozen_c.write_text("".join(line for line in lines if "/* test sentinel */" not in line))
    manifest = manifest_in(tree, TEXTWRAP_GROUP)
    before = snapshot(tree)
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2
    assert f"frozen.c:{begin + 1}: no end marker '/* test sentinel */'" in proc.stderr
    assert snapshot(tree) == before       # Makefile.pre.in etc. not half-updated

    frozen_c.write_text("")
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2 and "frozen.c: marker line" in proc.stderr


def test_marker_module_keeps_crlf_and_rejects_duplicates(tmp_path):
    from frore.cpython.markers import Block, rewrite
    from frore.errors import FroreError

    path = tmp_path / "f.txt"
    block = Block("<!-- BEGIN x -->", "<!-- END x -->")
    text = "\ufeffhead\r\n  <!-- BEGIN x -->\r\nold\r\n  <!-- END x -->\r\ntail"
    assert rewrite(text, path, [(block, ["a", "b"])]) == \
        "\ufeffhead\r\n  <!-- BEGIN x -->\r\na\r\nb\r\n  <!-- END x -->\r\ntail"
    with pytest.raises(FroreError) as err:
        rewrite(text + "\n<!-- BEGIN x -->\n", path, [(block, [])])
    assert err.value.line == 2 and "more than once" in str(err.value)


# --- manifest and tree errors ---------------------------------------------------------

@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("[cpython]\n", "[cpython]\nbootsrap = []\n"), "unknown key 'bootsrap'"),
    (lambda t: t.replace('"zipimport"]', '"zipimport", "zipimprt"]'), "'zipimprt', which no group"),
    (lambda t: t.replace('test-groups = ["Test module"]', 'test-groups = ["Tests"]'), "'Tests'"),
    (lambda t: t.replace('flavor = "cpython"', 'flavor = "cpyton"'), "'flavor' must be one of"),
    (lambda t: t.replace('name = "import system"\n', 'name = "import system"\noptimize = 2\n'),
     "the cpython flavor has no 'optimize'"),
])
def test_manifest_errors_name_the_line(tree, edit, message):
    manifest = manifest_in(tree, edit=edit)
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert re.search(r"frozen\.toml:[1-9]\d*: ", proc.stderr), proc.stderr


def test_not_a_tree_and_mangling_collision(tree, tmp_path):
    proc = frore("check", "-m", MANIFEST, "--tree", tmp_path, check=False)
    assert proc.returncode == 2 and "is not a CPython source tree" in proc.stderr
    (tree / "Tools/freeze/a_b.py").write_text("x = 1\n")
    manifest = manifest_in(tree, '\n[[group]]\nname = "x"\nmodules = ["a.b = Tools/freeze/flag.py", '
                                 '"a_b = Tools/freeze/a_b.py"]\n')
    proc = frore("check", "-m", manifest, check=False)
    assert proc.returncode == 2 and "_Py_get_a_b_toplevel" in proc.stderr


# --- Meson fragment: built with the tree's own freezer ----------------------------------

MESON_PROJECT = """\
project('cpython-frozen', 'c', meson_version: '>=0.60')
python_for_freeze = find_program({python!r})
freeze_module = [python_for_freeze, files('Programs/_freeze_module.py')]
freeze_module_bootstrap = freeze_module
subdir('Python/frozen_modules')
alias_target('frozen', deepfreeze_c)
"""


@pytest.mark.needs_meson
@pytest.mark.needs_ninja
def test_meson_fragment_builds_headers_and_deepfreeze(pristine, tmp_path):
    meson, ninja = venv_tool("meson"), venv_tool("ninja")
    python = python_for((3, 11))       # the tree's freezer and deepfreeze.py need 3.11
    tree = make_tree(pristine, tmp_path / "odd dir #1" / "tree", real_lib=("textwrap.py",))
    (tree / "meson.build").write_text(MESON_PROJECT.format(python=str(python)))
    manifest = manifest_in(tree, TEXTWRAP_GROUP, edit=lambda t: t.replace(
        "[cpython]\n", '[cpython]\nmeson = "Python/frozen_modules/meson.build"\n'))
    frore("regen", "-m", manifest)
    assert "textwrap.h" in (tree / "Python/frozen_modules/meson.build").read_text()
    build = tree / "build"
    run([meson, "setup", build], cwd=tree)
    run([ninja, "-C", build, "frozen"])
    deep = build / "Python/frozen_modules/deepfreeze.c"
    assert "_Py_get_textwrap_toplevel" in deep.read_text()
    assert (build / "Python/frozen_modules/importlib._bootstrap.h").is_file()

    # no-op, then edit one source: only its header (and deepfreeze.c) rebuild
    assert "no work to do" in run([ninja, "-C", build, "frozen"]).stdout
    (tree / "Lib/textwrap.py").write_text("WIDTH = 70\n")
    out = run([ninja, "-C", build, "frozen", "-v"]).stdout
    assert set(re.findall(r"^\[\d+/(\d+)\]", out, re.M)) == {"2"}, out   # header + deepfreeze.c
    assert "_freeze_module.py textwrap " in out and "deepfreeze.py" in out

    # a syntax error fails the build at that module
    (tree / "Lib/textwrap.py").write_text("def broken(:\n")
    proc = run([ninja, "-C", build, "frozen"], check=False)
    assert proc.returncode != 0 and "SyntaxError" in proc.stdout + proc.stderr
