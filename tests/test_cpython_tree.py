"""The cpython flavor on real CPython 3.11.2 and 3.13 trees.

The trees come from the upstream tarballs Debian's source packages carry
(`apt-get source --download-only python3.11` on bookworm, `python3.13` on trixie)
in the cache .ci/run fills (~/.cache/frore) or the folder $FRORE_CPYTHON_TARBALLS.
Each test works on a copy holding the files the flavor rewrites (Lib is a symlink
to the pristine one: only read).  Every test runs on both versions; what differs
between them is the TREES table below, as it is data in frore.cpython.layouts.
The full build of a tree is scripts/cpython-tree-e2e.sh (minutes, not CI).
"""

from __future__ import annotations

import difflib
import re
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (
    CPYTHON_311,
    CPYTHON_313,
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


@dataclass(frozen=True)
class TreeKind:
    """One CPython version's tree, as these tests use it."""

    version: str
    tarball: str                # glob in the tarball folders
    script: str                 # the tree's own freeze_modules.py
    rewritten: tuple[str, ...]  # the files the flavor (and that script) rewrites
    support: tuple[str, ...]    # what else the tests read or run from the tree

    @property
    def manifest(self) -> Path:
        return REPO / "examples" / f"cpython-{self.version}" / "frozen.toml"

    @property
    def copied(self) -> tuple[str, ...]:
        return (*self.rewritten, "Include/patchlevel.h", "Tools/freeze/flag.py",
                "Programs/_freeze_module.py", self.script, *self.support)


TREES = {
    "3.11": TreeKind("3.11", CPYTHON_311, "Tools/scripts/freeze_modules.py",
                     ("Makefile.pre.in", "PCbuild/_freeze_module.vcxproj",
                      "PCbuild/_freeze_module.vcxproj.filters", "PCbuild/pythoncore.vcxproj",
                      "Python/frozen.c"),
                     ("Tools/scripts/update_file.py", "Tools/scripts/deepfreeze.py",
                      "Tools/scripts/umarshal.py", "Tools/scripts/generate_global_objects.py")),
    "3.13": TreeKind("3.13", CPYTHON_313, "Tools/build/freeze_modules.py",
                     ("Makefile.pre.in", "PCbuild/_freeze_module.vcxproj",
                      "PCbuild/_freeze_module.vcxproj.filters", "Python/frozen.c"),
                     ("Tools/build/update_file.py", "PCbuild/pythoncore.vcxproj")),
}
TEXTWRAP_GROUP = '\n[[group]]\nname = "extra"\nmodules = ["textwrap"]\n'


@pytest.fixture(scope="session", params=[
    pytest.param("3.11", marks=pytest.mark.needs_cpython_311),
    pytest.param("3.13", marks=pytest.mark.needs_cpython_313)])
def kind(request) -> TreeKind:
    return TREES[request.param]


@pytest.fixture(scope="session")
def pristine(kind, tmp_path_factory) -> Path:
    """A pristine tree of *kind*'s version (extracted once per session)."""
    tarball = cpython_tarball(kind.tarball)
    if tarball is None:
        missing(f"no CPython {kind.version} tarball: put {kind.tarball} in {cache_dir()} "
                f"or in the folder $FRORE_CPYTHON_TARBALLS (.ci/run fetches it)")
    dest = tmp_path_factory.mktemp(f"cpython-{kind.version}") / "tree"
    dest.mkdir()
    top = tarball.name.split("_")[1].split(".orig")[0]           # 3.13.5
    run(["tar", "-xf", tarball, "--no-same-owner", "--strip-components=1", "-C", dest,
         *(f"Python-{top}/{p}" for p in kind.copied), f"Python-{top}/Lib"])
    return dest


def make_tree(pristine: Path, kind: TreeKind, dest: Path, real_lib: tuple[str, ...] = ()) -> Path:
    """A writable copy of the files the flavor touches; Lib entries are symlinks
    to the pristine tree except *real_lib* (copied, so a test may edit them)."""
    for rel in kind.copied:
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
def tree(pristine, kind, tmp_path) -> Path:
    return make_tree(pristine, kind, tmp_path / "tree")


def manifest_in(kind: TreeKind, tree: Path, extra: str = "", edit=None) -> Path:
    """The shipped manifest copied into the tree root, optionally changed."""
    text = kind.manifest.read_text()
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


def modes(tree: Path) -> dict[str, int]:
    return {str(p.relative_to(tree)): stat.S_IMODE(p.stat().st_mode)
            for p in sorted(tree.rglob("*")) if p.is_file()}


# --- acceptance: pristine no-op, check, add one ---------------------------------------

def test_pristine_tree_regen_changes_nothing(pristine, kind, tree):
    before, before_modes = snapshot(tree), modes(tree)
    proc = frore("regen", "-m", kind.manifest, "--tree", tree)
    assert "wrote" not in proc.stdout
    assert snapshot(tree) == before                   # bytes and mtimes
    assert modes(tree) == before_modes
    for rel in kind.rewritten:
        assert (tree / rel).read_bytes() == (pristine / rel).read_bytes(), rel
    proc = frore("-v", "check", "-m", kind.manifest, "--tree", tree)
    assert "up to date" in proc.stdout


def test_regen_starts_no_interpreter(kind, tree):
    """The flavor freezes nothing, so it neither probes a target interpreter nor
    loads what starting one needs (issue 11: that probe was half of its time)."""
    proc = run([sys.executable, "-X", "importtime", "-m", "frore", "regen", "-m", kind.manifest,
                "--tree", tree])
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "frore.cpython.frozen_c" in imported
    assert not imported & {"frore.interpreter", "subprocess", "frore.freeze", "frore.emit_c"}, \
        sorted(imported & {"frore.interpreter", "subprocess", "frore.freeze", "frore.emit_c"})


# What adding textwrap must add to each file, beyond the lines every version shares.
TEXTWRAP_LINES = {
    "3.11": {"Makefile.pre.in": ["\tPython/frozen_modules/textwrap.h:textwrap \\"],
             "Python/frozen.c": ["extern PyObject *_Py_get_textwrap_toplevel(void);",
                                 '    {"textwrap", NULL, 0, false, GET_CODE(textwrap)},'],
             "PCbuild/_freeze_module.vcxproj": [
                 "      <OutFile>$(PySourcePath)Python\\frozen_modules\\textwrap.h</OutFile>",
                 '\t\t "$(PySourcePath)Python\\frozen_modules\\textwrap.h:textwrap" ^']},
    "3.13": {"Python/frozen.c": ['#include "frozen_modules/textwrap.h"',
                                 '    {"textwrap", _Py_M__textwrap, (int)sizeof(_Py_M__textwrap), false},'],
             "PCbuild/_freeze_module.vcxproj": [
                 "      <OutFile>$(GeneratedFrozenModulesDir)Python\\frozen_modules\\textwrap.h"
                 "</OutFile>"]},
}


def test_adding_textwrap_reaches_every_place_at_once(pristine, kind, tree):
    manifest = manifest_in(kind, tree, TEXTWRAP_GROUP)
    proc = frore("check", "-m", manifest, check=False, cwd=tree)
    assert proc.returncode == 1
    assert sorted(proc.stdout.splitlines()) == sorted(
        f"stale: {r}" for r in kind.rewritten if "pythoncore" not in r)

    frore("regen", "-m", manifest)
    added_by_file = {}
    for rel in kind.rewritten:
        removed, added = diff(pristine / rel, tree / rel)
        added_by_file[rel] = added
        # Only the old last list item loses nothing but gains a continuation.
        for line in removed:
            assert any(a == line + " \\" for a in added), (rel, line)
    if "PCbuild/pythoncore.vcxproj" in kind.rewritten:
        assert added_by_file["PCbuild/pythoncore.vcxproj"] == []
    else:
        assert (tree / "PCbuild/pythoncore.vcxproj").read_bytes() == \
            (pristine / "PCbuild/pythoncore.vcxproj").read_bytes()
    mk = added_by_file["Makefile.pre.in"]
    assert "\t\tLib/textwrap.py" in mk and "\t\tPython/frozen_modules/textwrap.h" in mk
    assert "Python/frozen_modules/textwrap.h: Lib/textwrap.py $(FREEZE_MODULE_DEPS)" in mk
    assert ("\t$(FREEZE_MODULE) textwrap $(srcdir)/Lib/textwrap.py "
            "Python/frozen_modules/textwrap.h") in mk
    for rel, lines in TEXTWRAP_LINES[kind.version].items():
        for line in lines:
            assert line in added_by_file[rel], (rel, line, added_by_file[rel])
    if kind.version != "3.11":
        assert not any("deepfreeze" in a or "_toplevel" in a
                       for added in added_by_file.values() for a in added)
    assert '    <None Include="..\\Lib\\textwrap.py">' in added_by_file["PCbuild/_freeze_module.vcxproj"]
    assert "      <ModName>textwrap</ModName>" in added_by_file["PCbuild/_freeze_module.vcxproj"]
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

# (what goes into the script's FROZEN list, the same in frore's grammar), each
# inserted the same way on both sides.
EDITS = {
    # modules and package globs appended to the runpy section
    "append": ("        \"runpy\",\n", ['textwrap', '<json.*>', '<email.**.*>', '<encodings.*>'],
               '    "runpy",\n'),
    # an alias of a module and a package frozen under another name
    "aliases": ("        \"runpy\",\n", ['textwrap : tw', 'textwrap : <tw_pkg>', 'posixpath : pp'],
                '    "runpy",\n'),
}
MID_GROUP = ["textwrap", "<email.**.*>", "textwrap : tw"]


def _their_freeze(theirs: Path, kind: TreeKind, edit, *args: str) -> None:
    script = theirs / kind.script
    script.write_text(edit(script.read_text()))
    run([sys.executable, script, *args], cwd=theirs)


@pytest.mark.parametrize("what", sorted(EDITS) + ["group-mid-list"])
def test_same_bytes_as_freeze_modules_py(pristine, kind, tmp_path, what):
    """Edit the script's FROZEN list and the manifest the same way; every file must match."""
    theirs = make_tree(pristine, kind, tmp_path / "theirs")
    ours = make_tree(pristine, kind, tmp_path / "ours")
    if what == "group-mid-list":
        anchor, ours_anchor = "    ('runpy - run module with -m', [\n", '[[group]]\nname = "runpy'
        theirs_text = anchor.replace("runpy - run module with -m", "extra") + "".join(
            f"        '{m}',\n" for m in MID_GROUP) + "        ]),\n"

        def edit_theirs(text: str) -> str:
            assert text.count(anchor) == 1
            return text.replace(anchor, theirs_text + anchor)

        def edit_ours(text: str) -> str:
            assert text.count(ours_anchor) == 1
            group = '[[group]]\nname = "extra"\nmodules = [' + ", ".join(
                f'"{m}"' for m in MID_GROUP) + "]\n\n"
            return text.replace(ours_anchor, group + ours_anchor)
    else:
        anchor, added, ours_anchor = EDITS[what]

        def edit_theirs(text: str) -> str:
            assert text.count(anchor) == 1
            return text.replace(anchor, anchor + "".join(f'        "{m}",\n' for m in added))

        def edit_ours(text: str) -> str:
            assert text.count(ours_anchor) == 1
            return text.replace(ours_anchor, ours_anchor + "".join(f'    "{m}",\n' for m in added))

    _their_freeze(theirs, kind, edit_theirs)
    frore("regen", "-m", manifest_in(kind, ours, edit=edit_ours))
    changed = [rel for rel in kind.rewritten
               if (theirs / rel).read_bytes() != (pristine / rel).read_bytes()]
    assert "Python/frozen.c" in changed and "Makefile.pre.in" in changed
    for rel in kind.rewritten:
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel
    assert {r: m for r, m in modes(ours).items() if r in kind.rewritten} == \
        {r: m for r, m in modes(theirs).items() if r in kind.rewritten}


@pytest.mark.parametrize("kind", [pytest.param("3.11", marks=pytest.mark.needs_cpython_311)],
                         indirect=True)
def test_same_bytes_with_frozen_modules_311(pristine, kind, tmp_path):
    """3.11's --frozen-modules switch (headers included beside deep-freeze); only
    versions that deep-freeze have it."""
    theirs = make_tree(pristine, kind, tmp_path / "theirs")
    ours = make_tree(pristine, kind, tmp_path / "ours")
    anchor = '        "runpy",\n'
    _their_freeze(theirs, kind, lambda text: text.replace(anchor, anchor + '        "<email.**.*>",\n'),
                  "--frozen-modules")
    frore("regen", "-m", manifest_in(kind, ours, edit=lambda text: text.replace(
        "[cpython]\n", "[cpython]\nfrozen-modules = true\n").replace(
        '    "runpy",\n', '    "runpy",\n    "<email.**.*>",\n')))
    for rel in kind.rewritten:
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel
    assert b'"email.mime.__init__", "<email.mime"' in (ours / "Python/frozen.c").read_bytes()


# --- marker handling ------------------------------------------------------------------

def test_only_text_between_markers_changes(pristine, kind, tree):
    mk = tree / "Makefile.pre.in"
    text = mk.read_text()
    text = "# a local edit above the blocks\n" + text.replace(
        "\t\tLib/abc.py \\\n", "\t\tLib/stale.py \\\n", 1) + "# and one below\n"
    mk.write_text(text)
    frore("regen", "-m", kind.manifest, "--tree", tree)
    result = mk.read_text()
    assert result.startswith("# a local edit above the blocks\n")
    assert result.endswith("# and one below\n")
    assert "Lib/stale.py" not in result
    assert result[len("# a local edit above the blocks\n"):-len("# and one below\n")] == \
        (pristine / "Makefile.pre.in").read_text()


def test_missing_marker_names_file_and_line_and_writes_nothing(kind, tree):
    frozen_c = tree / "Python/frozen.c"
    lines = frozen_c.read_text().splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines)
                 if "static const struct _frozen test_modules" in line)
    frozen_c.write_text("".join(line for line in lines if "/* test sentinel */" not in line))
    manifest = manifest_in(kind, tree, TEXTWRAP_GROUP)
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
def test_manifest_errors_name_the_line(kind, tree, edit, message):
    manifest = manifest_in(kind, tree, edit=edit)
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert re.search(r"frozen\.toml:[1-9]\d*: ", proc.stderr), proc.stderr


def test_not_a_tree_and_mangling_collision(kind, tree, tmp_path):
    proc = frore("check", "-m", kind.manifest, "--tree", tmp_path, check=False)
    assert proc.returncode == 2 and "is not a CPython source tree" in proc.stderr
    (tree / "Tools/freeze/a_b.py").write_text("x = 1\n")
    manifest = manifest_in(kind, tree, '\n[[group]]\nname = "x"\nmodules = ["a.b = Tools/freeze/flag.py", '
                                 '"a_b = Tools/freeze/a_b.py"]\n')
    proc = frore("check", "-m", manifest, check=False)
    c_name = "_Py_get_a_b_toplevel" if kind.version == "3.11" else "_Py_M__a_b"
    assert proc.returncode == 2 and c_name in proc.stderr, proc.stderr


@pytest.mark.parametrize("version", ["3.12", "3.14", "2.7"])
def test_other_versions_are_refused_and_nothing_is_written(kind, tree, version):
    patchlevel = tree / "Include/patchlevel.h"
    major, minor = version.split(".")
    patchlevel.write_text(re.sub(r"(#define\s+PY_MINOR_VERSION\s+)\d+", rf"\g<1>{minor}", re.sub(
        r"(#define\s+PY_MAJOR_VERSION\s+)\d+", rf"\g<1>{major}", patchlevel.read_text())))
    manifest = manifest_in(kind, tree, TEXTWRAP_GROUP)
    before = snapshot(tree)
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2
    assert f"is CPython {version}" in proc.stderr and "3.11 and 3.13" in proc.stderr, proc.stderr
    assert re.search(r"frozen\.toml:\d+: ", proc.stderr)
    assert snapshot(tree) == before


def test_manifest_syntax_error_changes_nothing(kind, tree):
    manifest = manifest_in(kind, tree, TEXTWRAP_GROUP + 'modules = ["x"\n')
    before = snapshot(tree)
    proc = frore("regen", "-m", manifest, check=False)
    assert proc.returncode == 2 and re.search(r"frozen\.toml:\d+", proc.stderr), proc.stderr
    assert snapshot(tree) == before


def test_frozen_modules_key_only_where_it_means_something(kind, tree):
    manifest = manifest_in(kind, tree, edit=lambda text: text.replace(
        "[cpython]\n", "[cpython]\nfrozen-modules = true\n"))
    proc = frore("regen", "-m", manifest, check=False)
    if kind.version == "3.11":
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode == 2
        assert "has no deep-freeze" in proc.stderr and "frozen.toml:" in proc.stderr


# --- Meson fragment: built with the tree's own freezer ----------------------------------

MESON_PROJECT = """\
project('cpython-frozen', 'c', meson_version: '>=0.60')
python_for_freeze = find_program({python!r})
freeze_module = [python_for_freeze, files('Programs/_freeze_module.py')]
freeze_module_bootstrap = freeze_module
subdir('Python/frozen_modules')
alias_target('frozen', {target})
"""


@pytest.mark.needs_meson
@pytest.mark.needs_ninja
def test_meson_fragment_builds_the_headers(pristine, kind, tmp_path):
    meson, ninja = venv_tool("meson"), venv_tool("ninja")
    major, minor = (int(x) for x in kind.version.split("."))
    python = python_for((major, minor))      # the tree's freezer needs its own version
    deep = kind.version == "3.11"
    tree = make_tree(pristine, kind, tmp_path / "odd dir #1" / "tree", real_lib=("textwrap.py",))
    (tree / "meson.build").write_text(MESON_PROJECT.format(
        python=str(python), target="deepfreeze_c" if deep else "frozen_headers"))
    manifest = manifest_in(kind, tree, TEXTWRAP_GROUP, edit=lambda t: t.replace(
        "[cpython]\n", '[cpython]\nmeson = "Python/frozen_modules/meson.build"\n'))
    frore("regen", "-m", manifest)
    fragment = (tree / "Python/frozen_modules/meson.build").read_text()
    assert "textwrap.h" in fragment
    assert ("deepfreeze" in fragment) == deep
    build = tree / "build"
    run([meson, "setup", build], cwd=tree)
    run([ninja, "-C", build, "frozen"])
    assert (build / "Python/frozen_modules/importlib._bootstrap.h").is_file()
    assert "_Py_M__textwrap" in (build / "Python/frozen_modules/textwrap.h").read_text()
    if deep:
        assert "_Py_get_textwrap_toplevel" in (build / "Python/frozen_modules/deepfreeze.c").read_text()

    # no-op, then edit one source: only its header (and deepfreeze.c) rebuild
    assert "no work to do" in run([ninja, "-C", build, "frozen"]).stdout
    (tree / "Lib/textwrap.py").write_text("WIDTH = 70\n")
    out = run([ninja, "-C", build, "frozen", "-v"]).stdout
    steps = "2" if deep else "1"                 # header (+ deepfreeze.c)
    assert set(re.findall(r"^\[\d+/(\d+)\]", out, re.M)) == {steps}, out
    assert "_freeze_module.py textwrap " in out and ("deepfreeze.py" in out) == deep

    # a syntax error fails the build at that module
    (tree / "Lib/textwrap.py").write_text("def broken(:\n")
    proc = run([ninja, "-C", build, "frozen"], check=False)
    assert proc.returncode != 0 and "SyntaxError" in proc.stdout + proc.stderr
