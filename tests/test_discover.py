"""`frore discover`: a real run of a real interpreter, listed as a manifest group.

Every test runs the target interpreter on a small project in tmp_path (no mocks)
and calls the Python API (`frore.discover.run_discover`), reading what it prints
with capsys.
"""

from __future__ import annotations

import ast
import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import frore, python_for, run
from frore.discover import merge_group, run_discover, split_command
from frore.errors import FroreError
from frore.manifest import load

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VERSIONS = [(3, 8), (3, 11), (3, 13)]
ALL_VERSIONS = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]


def shown(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


def discover(capsys, python: Path, *args: str, group: str = "run", manifest: str | None = None,
             write: bool = False) -> tuple[list[str], str, str]:
    """(entries, stdout, stderr) of one `frore discover`; it must exit 0."""
    status = run_discover(str(python), group, manifest, write, list(args))
    out, err = capsys.readouterr()
    assert status == 0, err
    data = tomllib.loads(out)
    assert [g["name"] for g in data["group"]] == [group]
    return data["group"][0]["modules"], out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def project(root: Path) -> Path:
    """A package `app` with a submodule, its __main__, and a script using it."""
    write(root / "app" / "__init__.py", "VERSION = 1\n")
    write(root / "app" / "util.py", "import json\n")
    write(root / "app" / "__main__.py", "import app.util\nprint('hello from app')\n")
    write(root / "run.py", "import app.util\n")
    return root


def not_listed(err: str) -> dict[str, str]:
    prefix = "frore: not listed: "
    return dict(line[len(prefix):].split(": ", 1) for line in err.splitlines()
                if line.startswith(prefix))


def in_order(entries: list[str], *names: str) -> None:
    where = [entries.index(n) for n in names]
    assert where == sorted(where), (names, where)


@pytest.mark.parametrize("minor", VERSIONS, ids=shown)
def test_c_import_json(minor, tmp_path, monkeypatch, capsys):
    python = python_for(minor)
    monkeypatch.chdir(tmp_path)
    entries, out, err = discover(capsys, python, "-c", "import json")
    # start-up's modules first, then json's package and submodules in import order
    in_order(entries, "<encodings>", "<json>", "json.decoder", "json.scanner", "json.encoder")
    assert "encodings.utf_8" in entries
    assert "posixpath : os.path" in entries
    # built-in and extension modules are reported, not listed
    skipped = not_listed(err)
    assert skipped["sys"].startswith("built-in module")
    assert skipped["builtins"].startswith("built-in module")
    assert skipped["_json"].startswith("extension module (") and skipped["_json"].endswith(".so)")
    assert skipped["__main__"].startswith("the run's main module")
    assert not {"sys", "builtins", "_json", "__main__"} & set(entries)
    assert '"_json' not in out
    assert not [line for line in err.splitlines() if line.startswith("frore: the run")]
    # modules the interpreter freezes itself carry a comment; others do not
    version = shown(minor)
    comment = f"  # frozen by Python {version} already"
    assert f'    "zipimport",{comment}\n' in out
    if minor >= (3, 11):
        assert f'    "os",{comment}\n' in out
        assert f'    "posixpath : os.path",{comment}\n' in out
    else:
        assert '    "os",\n' in out
    assert '    "<json>",\n' in out
    # every line of the group is an entry, in the printed order
    assert out.startswith('[[group]]\nname = "run"\nmodules = [\n') and out.endswith("]\n")


@pytest.mark.parametrize("minor", [(3, 8), (3, 13)], ids=shown)
def test_m_and_script_forms(minor, tmp_path, monkeypatch, capsys):
    python = python_for(minor)
    root = project(tmp_path / "proj")
    monkeypatch.chdir(root)

    entries, out, err = discover(capsys, python, "-m", "app", "--flag")
    in_order(entries, "<app>", "app.util", "<json>")
    assert "hello from app" in err and "hello from app" not in out    # the run's output
    assert "app/__main__.py" in not_listed(err)["__main__"]
    assert "runpy" in entries                # -m imports runpy, as python does

    entries, _, err = discover(capsys, python, "run.py")
    in_order(entries, "<app>", "app.util", "<json>")
    assert "runpy" not in entries

    # a script in another folder: its own modules come from there, by explicit path
    write(root / "tools" / "helper.py", "import json\n")
    write(root / "tools" / "main.py", "import helper\n")
    entries, _, err = discover(capsys, python, "tools/main.py")
    assert "helper = tools/helper.py" in entries
    assert "<app>" not in entries


PROBE = """\
import sys
main = sys.modules["__main__"]
try:
    import app.util
except ImportError:
    pass
with open(sys.argv[1] if len(sys.argv) > 1 else "probe.txt", "w") as f:
    f.write(repr({
        "argv": sys.argv, "path": sys.path, "orig_argv": getattr(sys, "orig_argv", None),
        "modules": sorted(sys.modules), "main": sorted(vars(main)),
        "file": getattr(main, "__file__", None),
        "spec": [getattr(main.__spec__, k, None) for k in ("name", "origin")],
        "loader": type(main.__loader__).__name__,
    }))
"""


@pytest.mark.parametrize("minor", ALL_VERSIONS, ids=shown)
@pytest.mark.parametrize("form", ["-c", "-m", "script", "script-S", "script-I", "folder"])
def test_runs_like_python(minor, form, tmp_path, monkeypatch, capsys):
    """What the program sees under discover is what it sees run by python itself:
    sys.argv, sys.path (frore's folder nowhere), sys.orig_argv, __main__, and the very
    same modules imported."""
    python = python_for(minor)
    root = project(tmp_path / "proj")
    write(root / "probe.py", PROBE)
    write(root / "pkgdir" / "__main__.py", PROBE)
    out_file = str(root / "probe.txt")
    args = {"-c": ["-c", PROBE, out_file], "-m": ["-m", "probe", out_file, "x"],
            "script": ["probe.py", out_file, "x"], "script-S": ["-S", "probe.py", out_file],
            "script-I": ["-I", "probe.py", out_file], "folder": ["pkgdir", out_file]}[form]
    run([python, *args], cwd=root)
    real = ast.literal_eval(Path(out_file).read_text())
    os.unlink(out_file)
    monkeypatch.chdir(root)
    entries, _, _ = discover(capsys, python, *args)
    seen = ast.literal_eval(Path(out_file).read_text())
    assert seen == real
    assert not any("frore" in p for p in seen["path"])
    if form in ("-c", "-m", "script"):
        assert "app.util" in entries


def test_module_made_at_run_time(tmp_path, monkeypatch, capsys):
    python = python_for((3, 11))
    monkeypatch.chdir(tmp_path)
    entries, _, err = discover(
        capsys, python, "-c",
        "import sys, types, json; sys.modules['fake'] = types.ModuleType('fake'); "
        "sys.modules['blocked'] = None")
    skipped = not_listed(err)
    assert skipped["fake"] == "no source file: created at run time, not imported from a file"
    assert skipped["blocked"].startswith("None in sys.modules")
    assert "fake" not in entries and "types" in entries and "<json>" in entries


def test_namespace_package_and_bytecode(tmp_path, monkeypatch, capsys):
    python = python_for((3, 11))
    write(tmp_path / "nspkg" / "sub.py", "X = 1\n")
    write(tmp_path / "legacy.py", "Y = 2\n")
    run([python, "-c", "import py_compile; py_compile.compile('legacy.py', cfile='legacy.pyc')"],
        cwd=tmp_path)
    (tmp_path / "legacy.py").unlink()
    monkeypatch.chdir(tmp_path)
    entries, _, err = discover(capsys, python, "-c", "import nspkg.sub, legacy")
    skipped = not_listed(err)
    assert skipped["nspkg"].startswith("namespace package")
    assert skipped["legacy"].startswith("no source file: imported from bytecode")
    assert "nspkg.sub" in entries and "legacy" not in entries


def test_failed_run_still_prints_the_group(tmp_path, monkeypatch, capsys):
    python = python_for((3, 11))
    monkeypatch.chdir(tmp_path)
    entries, _, err = discover(capsys, python, "-c", "import json; raise SystemExit(3)")
    assert "<json>" in entries
    assert err.splitlines()[-1] == "frore: the run exited with status 3"

    entries, _, err = discover(capsys, python, "-c",
                               "import json\ndef f():\n    raise ValueError('boom')\nf()")
    assert "<json>" in entries
    assert err.splitlines()[-1] == "frore: the run raised ValueError: boom"
    # the run's own traceback, as python prints it: frore's runner is not in it
    assert 'File "<string>", line 4, in <module>' in err and "_discover.py" not in err


def test_run_output_goes_to_stderr(tmp_path, monkeypatch, capfd):
    """With a real stderr (not capsys's), the run writes to it directly: stdout holds
    the group alone."""
    python = python_for((3, 11))
    monkeypatch.chdir(tmp_path)
    code = "import sys, json; print('out of the run'); print('err of the run', file=sys.stderr)"
    assert run_discover(str(python), "run", None, False, ["-c", code]) == 0
    out, err = capfd.readouterr()
    assert "<json>" in tomllib.loads(out)["group"][0]["modules"]
    assert "out of the run\n" in err and "err of the run\n" in err and "of the run" not in out


@pytest.mark.parametrize("minor", VERSIONS, ids=shown)
def test_regen_accepts_the_group(minor, tmp_path, monkeypatch, capsys):
    """The printed group, as a whole manifest, is frozen by `frore regen` as is: local
    modules by name, those found elsewhere (PYTHONPATH, a package there too) by path."""
    python = python_for(minor)
    root = project(tmp_path / "proj")
    write(root / "run.py", "import app.util, extpkg.mod, extmod\n")
    libs = tmp_path / "libs"
    write(libs / "extpkg" / "__init__.py", "")
    write(libs / "extpkg" / "mod.py", "import textwrap\n")
    write(libs / "extmod.py", "import string\n")
    monkeypatch.setenv("PYTHONPATH", str(libs))
    monkeypatch.chdir(root)
    entries, out, _ = discover(capsys, python, "run.py", group="app")
    assert f"<extpkg> = {libs}/extpkg/__init__.py" in entries
    assert f"extpkg.mod = {libs}/extpkg/mod.py" in entries
    assert f"extmod = {libs}/extmod.py" in entries
    in_order(entries, "<app>", "app.util", "<json>")
    (root / "frozen.toml").write_text(f'python = "{python}"\nsearch-path = [".", "{{stdlib}}"]\n\n'
                                      + out)
    frore("regen", "-q", cwd=root)
    import json
    listing = json.loads(frore("list", "--json", cwd=root).stdout)
    by_name = {m["name"]: m for m in listing["modules"]}
    assert by_name["app"]["is_package"] and by_name["extpkg"]["is_package"]
    assert by_name["app.util"]["source"] == str(root / "app" / "util.py")
    assert by_name["os.path"]["alias_of"] == "posixpath"
    assert (root / "frozen" / "app.util.frozen.h").is_file()


MANIFEST = """\
# The project's modules.
python = "{python}"
search-path = [".", "{{stdlib}}"]

# Always frozen.
[[group]]
name = "first"
modules = ["app"]   # the package

[[group]]   # made by frore discover
name = "run"
modules = [
    "old.module",  # gone
]
# said about the next group, kept

[[group]]
name = "last"
modules = ["app.util"]
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_write_replaces_and_adds(newline, tmp_path, monkeypatch, capsys):
    python = python_for((3, 11))
    root = project(tmp_path / "proj")
    manifest = root / "frozen.toml"
    original = MANIFEST.format(python=python).replace("\n", newline).encode()
    manifest.write_bytes(original)
    manifest.chmod(0o640)
    monkeypatch.chdir(root)

    entries, out, err = discover(capsys, python, "-c", "import app.util", manifest="frozen.toml",
                                 write=True)
    assert "frore: replaced group 'run' in" in err
    data = manifest.read_bytes()
    start, end = original.index(b"[[group]]   # made"), original.index(b"# said about")
    assert data.startswith(original[:start]) and data.endswith(original[end:])
    assert data[start:len(data) - (len(original) - end)] == out.replace("\n", newline).encode()
    assert manifest.stat().st_mode & 0o777 == 0o640
    groups = load(manifest).groups
    assert [g.name for g in groups] == ["first", "run", "last"]
    assert [e.spec for e in groups[1].entries] == entries

    # a group of another name goes at the end, after a blank line
    before = manifest.read_bytes()
    _, out, err = discover(capsys, python, "-c", "import json", group="other",
                           manifest="frozen.toml", write=True)
    assert "frore: added group 'other' in" in err
    assert manifest.read_bytes() == before + newline.encode() + out.replace("\n", newline).encode()
    assert [g.name for g in load(manifest).groups] == ["first", "run", "last", "other"]

    # the same run again changes nothing
    again = manifest.read_bytes()
    discover(capsys, python, "-c", "import json", group="other", manifest="frozen.toml",
             write=True)
    assert manifest.read_bytes() == again


def test_write_refuses_what_would_not_parse(tmp_path, monkeypatch, capsys):
    python = python_for((3, 11))
    manifest = tmp_path / "frozen.toml"
    # valid TOML, but not a manifest frore reads (an unknown key): left as it is
    original = b'colour = "blue"\n\n[[group]]\nname = "run"\nmodules = []\n'
    manifest.write_bytes(original)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FroreError, match="unknown key 'colour'"):
        run_discover(str(python), "run", "frozen.toml", True, ["-c", "pass"])
    assert manifest.read_bytes() == original
    with pytest.raises(FroreError, match="--write needs the manifest"):
        run_discover(str(python), "run", None, True, ["-c", "pass"])


def test_merge_group_keeps_every_other_byte():
    text = "# head\n[[group]]\nname = \"a\"\nmodules = [\"x\"]\n\n# about b\n[[ group ]]\n" \
           "name = 'b'\nmodules = []\n# tail\n"
    block = '[[group]]\nname = "b"\nmodules = [\n    "y",\n]\n'
    merged, replaced = merge_group(text, "b", block)
    assert replaced and merged == text.split("[[ group ]]")[0] + block + "# tail\n"
    merged, replaced = merge_group("# only a comment", "c", block)
    assert not replaced and merged == "# only a comment\n\n" + block
    # the last group of a file without a final line end: replaced, still without one
    merged, replaced = merge_group('x = 1\r\n[[group]]\r\nname = "b"\r\nmodules = []', "b", block)
    assert replaced and merged == "x = 1\r\n" + block.replace("\n", "\r\n")[:-2]


def test_split_command():
    assert split_command(["-c", "import x", "a"]) == ([], ["-c", "import x", "a"])
    assert split_command(["-X", "dev", "-OO", "-m", "app", "-v"]) == (
        ["-X", "dev", "-O", "-O"], ["-m", "app", "-v"])
    assert split_command(["-Sc", "pass"]) == (["-S"], ["-c", "pass"])
    assert split_command(["-Wignore", "-mapp"]) == (["-W", "ignore"], ["-m", "app"])
    assert split_command(["-B", "--", "-script.py", "x"]) == (["-B"], ["-script.py", "x"])
    assert split_command(["--", "-c", "pass"]) == ([], ["-c", "pass"])   # frore's own "--"
    for refused in (["-i", "x.py"], ["-"], [], ["-S"], ["--version"], ["-c"]):
        with pytest.raises(FroreError):
            split_command(refused)
