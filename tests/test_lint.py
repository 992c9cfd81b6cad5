"""`frore lint`: uses of a file-system location in the declared modules, found by the
target interpreter's own parser and worded for what a frozen module sees on that
version.  Real interpreters, no mocks; the messages' claims are checked against
modules really frozen into an embedded program (test_what_the_messages_say_*)."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest

from conftest import REPO, build_program, frore, python_for, run, sid_root
from frore.errors import FroreError
from frore.lint import lint, run_lint
from frore.pipeline import load

ALL = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]
LINE = re.compile(r"^(\S+:\d+: FRZ\d{3}) ")


def ids(minor: tuple[int, int]) -> str:
    return f"py{minor[0]}{minor[1]}"


def project(root: Path, python: Path, modules: list[str], files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    listed = ", ".join(json.dumps(m) for m in modules)
    (root / "frozen.toml").write_text(f'search-path = ["."]\npython = "{python}"\n\n'
                                      f'[[group]]\nname = "g"\nmodules = [{listed}]\n')
    return root / "frozen.toml"


def lint_lines(capsys, monkeypatch, root: Path, as_json: bool = False) -> tuple[int, str]:
    monkeypatch.chdir(root)
    status = run_lint("frozen.toml", None, as_json)
    out, err = capsys.readouterr()
    assert err == ""
    return status, out


EACH_CODE = {
    "a1.py": "import os\nHERE = os.path.dirname(__file__)\n",
    "a2.py": "x = 1\nprint(__cached__)\n",
    "a3.py": "ORIGIN = __spec__.origin\n",
    "a4/__init__.py": "import pkgutil\n__path__ = pkgutil.extend_path(__path__, __name__)\n",
    "a5/__init__.py": "import pkgutil\nDATA = pkgutil.get_data(__name__, 'data.txt')\n"
                      "import importlib.resources\n"
                      "TEXT = importlib.resources.read_text(__name__, 'data.txt')\n",
    "a6.py": "import inspect\ndef f():\n    pass\nSOURCE = inspect.getsource(f)\n",
    "clean.py": "import os, sys\nVALUE = os.sep + sys.platform\n",
}
EACH_CODE_FOUND = [
    "a1.py:2: FRZ001",
    "a2.py:2: FRZ002",
    "a3.py:1: FRZ003",
    "a4/__init__.py:2: FRZ004",
    "a5/__init__.py:2: FRZ005",
    "a5/__init__.py:4: FRZ005",
    "a6.py:4: FRZ006",
]


@pytest.mark.parametrize("minor", ALL, ids=ids)
def test_each_code_on_every_target(tmp_path, capsys, monkeypatch, minor):
    """One module per code; the linter runs under every target 3.8-3.13 (its own
    syntax must parse on 3.8) and finds the same things on each."""
    project(tmp_path, python_for(minor), ["a1", "a2", "a3", "<a4>", "<a5>", "a6", "clean"], EACH_CODE)
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    lines = out.splitlines()
    assert [LINE.match(line).group(1) for line in lines] == EACH_CODE_FOUND, out
    version = f"{minor[0]}.{minor[1]}"
    assert all(f" frozen on Python {version} " in line for line in lines), out
    assert status == 1


def test_clean_module(tmp_path, capsys, monkeypatch):
    project(tmp_path, python_for((3, 11)), ["clean", "<pkg>"], {
        "clean.py": EACH_CODE["clean.py"] + "NAME = __name__\nFILE_ATTR = 'the __file__ word'\n",
        "pkg/__init__.py": "from . import helpers\n",
        "pkg/helpers.py": "import json\n",
    })
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert (status, out) == (0, "")
    status, out = lint_lines(capsys, monkeypatch, tmp_path, as_json=True)
    assert status == 0 and json.loads(out)["findings"] == []


def test_messages_follow_the_target_version(tmp_path, capsys, monkeypatch):
    """3.8-3.10 set no __file__; 3.11+ invent one under the stdlib folder."""
    files = {"a.py": "print(__file__)\n", "pkg/__init__.py": "import os\nROOT = __file__\n"}
    found = {}
    for minor in ((3, 10), (3, 11), (3, 12)):
        project(tmp_path, python_for(minor), ["a", "<pkg>"], files)
        status, out = lint_lines(capsys, monkeypatch, tmp_path)
        assert status == 1
        found[minor] = out.splitlines()
    assert found[(3, 10)] == [
        "a.py:1: FRZ001 __file__: frozen on Python 3.10 the module has no __file__ (NameError)",
        "pkg/__init__.py:2: FRZ001 __file__: frozen on Python 3.10 the module has no __file__ "
        "(NameError)",
    ]
    for minor in ((3, 11), (3, 12)):
        v = f"{minor[0]}.{minor[1]}"
        assert found[minor] == [
            f"a.py:1: FRZ001 __file__: frozen on Python {v} __file__ is <stdlib>/a.py, a path "
            "made up from the module name, not the source",
            f"pkg/__init__.py:2: FRZ001 __file__: frozen on Python {v} __file__ is "
            "<stdlib>/pkg/__init__.py, a path made up from the module name, not the source",
        ]


def test_data_file_beside_the_module_is_one_finding(tmp_path, capsys, monkeypatch):
    source = ("import os\n"
              "with open(os.path.join(os.path.dirname(__file__), 'data.txt')) as f:\n"
              "    DATA = f.read()\n"
              "from pathlib import Path\n"
              "CONFIG = (Path(__file__).resolve().parent / 'config.ini').read_text()\n")
    project(tmp_path, python_for((3, 10)), ["<app>"], {"app/__init__.py": source})
    _, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert out.splitlines() == [
        f"app/__init__.py:{n}: FRZ001 __file__: frozen on Python 3.10 the module has no __file__ "
        "(NameError), so data files beside the source cannot be located from it" for n in (2, 5)]
    project(tmp_path, python_for((3, 12)), ["<app>"], {"app/__init__.py": source})
    _, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert out.splitlines() == [
        f"app/__init__.py:{n}: FRZ001 __file__: frozen on Python 3.12 __file__ is "
        "<stdlib>/app/__init__.py, a path made up from the module name, so data files are "
        "looked for in <stdlib>/app, not beside the source" for n in (2, 5)]


def test_opt_out_comments(tmp_path, capsys, monkeypatch):
    project(tmp_path, python_for((3, 11)), ["a"], {"a.py": (
        "import os\n"
        "a = __file__  # frore: ignore\n"                          # 2: dropped
        "b = __file__ + __cached__  # frore: ignore[FRZ002]\n"     # 3: FRZ001 stays
        "c = __file__  # frore: ignore[FRZ002, FRZ005]\n"          # 4: another code: stays
        "d = __file__ + __cached__  # frore: ignore[frz001,FRZ002]\n"  # 5: both dropped
        "s = '# frore: ignore'; e = __file__\n"                    # 6: a string, not a comment
        "f = __file__  # noqa: E501  # frore:ignore\n"             # 7: dropped
        "g = (\n"
        "    __cached__)  # frore: ignore\n"                       # 9: the finding's own line
        "h = (__cached__  # frore: ignore\n"                       # 10: dropped
        "     )\n"
    )})
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert [LINE.match(line).group(1) for line in out.splitlines()] == [
        "a.py:3: FRZ001", "a.py:4: FRZ001", "a.py:6: FRZ001"], out
    assert status == 1
    project(tmp_path, python_for((3, 11)), ["a"], {"a.py": "x = __file__  # frore: ignore\n"})
    assert lint_lines(capsys, monkeypatch, tmp_path) == (0, "")


def test_json(tmp_path, capsys, monkeypatch):
    python = python_for((3, 11))
    project(tmp_path, python, ["b", "a"], {"a.py": "\n\nx = __cached__\n",
                                           "b.py": "import inspect\ny = __spec__.origin\n"})
    status, out = lint_lines(capsys, monkeypatch, tmp_path, as_json=True)
    assert status == 1
    report = json.loads(out)
    assert set(report) == {"python", "python_version", "findings"}
    assert Path(report["python"]).resolve() == python.resolve()
    assert re.fullmatch(r"3\.11\.\d+", report["python_version"])
    assert report["findings"] == [
        {"source": str(tmp_path / "a.py"), "module": "a", "line": 3, "col": 5, "code": "FRZ002",
         "message": "__cached__: frozen on Python 3.11 the module has no __cached__ (NameError)"},
        {"source": str(tmp_path / "b.py"), "module": "b", "line": 2, "col": 5, "code": "FRZ003",
         "message": '__spec__.origin: frozen on Python 3.11 it is "frozen", not a path'},
    ]


PEP695 = ("import os\ntype Alias = list[int]\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n"
          "HERE = __file__\n")


def test_syntax_of_the_target_not_of_the_host(tmp_path, capsys, monkeypatch):
    """The host runs 3.11; a 3.12 target parses PEP 695 syntax, a 3.11 target cannot."""
    project(tmp_path, python_for((3, 12)), ["new"], {"new.py": PEP695})
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert [LINE.match(line).group(1) for line in out.splitlines()] == ["new.py:5: FRZ001"], out
    project(tmp_path, python_for((3, 11)), ["new"], {"new.py": PEP695})
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert status == 1
    assert out.splitlines() == ["new.py:2: FRZ000 SyntaxError: Python 3.11 cannot compile this module "
                                "(invalid syntax)"]


def test_compiler_errors_and_unreadable_sources_are_frz000(tmp_path, capsys, monkeypatch):
    project(tmp_path, python_for((3, 10)), ["a", "b", "c"], {
        "a.py": "x = 1\n\nreturn x\n",                 # only the compiler refuses it
        "b.py": "x = 1  # frore: ignore\ndef f(:\n",   # FRZ000 cannot be opted out of
        "c.py": "x = __cached__\n",
    })
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    lines = out.splitlines()
    assert [LINE.match(line).group(1) for line in lines] == [
        "a.py:3: FRZ000", "b.py:2: FRZ000", "c.py:1: FRZ002"], out
    assert lines[0].endswith("Python 3.10 cannot compile this module ('return' outside function)")


def test_aliases_are_linted_once_as_their_source(tmp_path, capsys, monkeypatch):
    project(tmp_path, python_for((3, 12)), ["mod", "mod : mod_alias", "mod : <mod_pkg>", "solo : other"],
            {"mod.py": "X = __file__\n", "solo.py": "Y = __file__\n"})
    status, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert status == 1
    # A source frozen under its own name is described by it; one frozen only as an
    # alias gets the __file__ of the name it is imported as.
    assert out.splitlines() == [
        "mod.py:1: FRZ001 __file__: frozen on Python 3.12 __file__ is <stdlib>/mod.py, a path made "
        "up from the module name, not the source",
        "solo.py:1: FRZ001 __file__: frozen on Python 3.12 __file__ is <stdlib>/other.py, a path "
        "made up from the module name, not the source",
    ]
    status, out = lint_lines(capsys, monkeypatch, tmp_path, as_json=True)
    assert [(f["module"], f["line"]) for f in json.loads(out)["findings"]] == [("mod", 1), ("solo", 1)]


def test_files_of_the_own_package(tmp_path, capsys, monkeypatch):
    """`from importlib.resources import files` then `files(__package__)`, a literal
    naming the package, a module object; another package's data is left alone."""
    source = ("from importlib.resources import files\n"
              "from importlib import resources as res\n"
              "import app.sub\n"
              "A = files(__package__).joinpath('a.txt').read_text()\n"
              "B = res.read_binary('app', 'b.bin')\n"
              "C = files(app.sub)\n"
              "D = files('email').joinpath('x')\n"
              "E = res.files(__spec__.parent)\n")
    files = {"app/__init__.py": "", "app/mod.py": source, "app/sub/__init__.py": ""}
    expected = ["app/mod.py:4: FRZ005", "app/mod.py:5: FRZ005", "app/mod.py:6: FRZ005",
                "app/mod.py:8: FRZ005"]
    project(tmp_path, python_for((3, 9)), ["<app.**.*>"], files)
    _, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert [LINE.match(line).group(1) for line in out.splitlines()] == expected, out
    assert out.splitlines()[0] == (
        "app/mod.py:4: FRZ005 importlib.resources.files: frozen on Python 3.9 it is Path('.'): "
        "resources are read from the current working directory")
    project(tmp_path, python_for((3, 12)), ["<app.**.*>"], files)
    _, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert [LINE.match(line).group(1) for line in out.splitlines()] == expected, out
    assert out.splitlines()[1] == (
        "app/mod.py:5: FRZ005 importlib.resources.read_binary: frozen on Python 3.12 the package "
        "has no resources: it raises FileNotFoundError")


def test_path_manipulation(tmp_path, capsys, monkeypatch):
    source = ("import pkgutil\n"
              "__path__.append('/opt/plugins')\n"
              "__path__ += ['/opt/more']\n"
              "FIRST = __path__[0]\n"
              "PLUGINS = [m.name for m in pkgutil.iter_modules(__path__)]\n"
              "__path__ = pkgutil.extend_path(\n"
              "    __path__, __name__)\n")
    project(tmp_path, python_for((3, 10)), ["<pkg>"], {"pkg/__init__.py": source})
    _, out = lint_lines(capsys, monkeypatch, tmp_path)
    assert [LINE.match(line).group(1) for line in out.splitlines()] == [
        f"pkg/__init__.py:{n}: FRZ004" for n in (2, 3, 4, 5, 6)], out
    assert out.splitlines()[4] == (
        "pkg/__init__.py:6: FRZ004 pkgutil.extend_path: frozen on Python 3.10 __path__ starts as "
        "[], so the result holds only the pkg folders found on sys.path, not the package's own folder")


def test_manifest_errors_propagate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "frozen.toml").write_text('[[group]]\nname = "g"\nmodules = ["missing_module"]\n')
    with pytest.raises(FroreError) as caught:
        run_lint("frozen.toml", None, False)
    assert caught.value.exit_code == 2


PROBE = '''
import importlib.util, inspect, json, linecache, pkgutil
def f():
    return 1
FACTS = {
    "file": globals().get("__file__"),
    "has_cached": "__cached__" in globals(),
    "origin": __spec__.origin,
    "has_location": __spec__.has_location,
    "find_spec_origin": importlib.util.find_spec(__name__).origin,
    "path": __path__,
    "get_data": pkgutil.get_data(__name__, "data.txt"),
    "iter_modules": [m.name for m in pkgutil.iter_modules(__path__)],
    "getsourcefile": inspect.getsourcefile(f),
    "line": linecache.getline(f.__code__.co_filename, 3),
}
try:
    inspect.getsource(f)
except OSError:
    FACTS["getsource"] = "OSError"
try:
    __loader__.get_filename(__name__)
except AttributeError:
    FACTS["get_filename"] = "AttributeError"
'''

PROBE_MAIN = r'''
#include <Python.h>
#include "frozen/frozen_modules.h"
int main(void)
{
    PyConfig config;
    frore_install_frozen_modules();
    PyConfig_InitIsolatedConfig(&config);
    if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
        return 2;
    PyRun_SimpleString("import json, probe, sysconfig; "
                       "print(json.dumps(dict(probe.FACTS, stdlib=sysconfig.get_path('stdlib'))))");
    return Py_FinalizeEx() < 0 ? 3 : 0;
}
'''


@pytest.mark.needs_make
@pytest.mark.parametrize("minor", [(3, 10), (3, 12)], ids=ids)
def test_what_the_messages_say_is_what_a_frozen_module_sees(tmp_path, minor):
    """Freeze a package using every construct, run it embedded, and hold the lint
    messages to what it actually saw."""
    python = python_for(minor)
    manifest = project(tmp_path, python, ["<probe.*>"],
                       {"probe/__init__.py": PROBE, "probe/sub.py": "", "probe/data.txt": "data\n"})
    findings = lint(load(manifest, None, need_interpreter=True))
    by_code: dict[str, list[str]] = {}
    for found in findings:
        by_code.setdefault(found.code, []).append(found.message)
    assert set(by_code) == {"FRZ001", "FRZ002", "FRZ003", "FRZ004", "FRZ005", "FRZ006"}

    frore("regen", cwd=tmp_path)
    prog = build_program(tmp_path, PROBE_MAIN)
    seen = json.loads(run([prog], cwd="/").stdout)
    stdlib = seen.pop("stdlib")

    def says(code: str, text: str) -> bool:
        return any(text in m for m in by_code[code])

    if minor >= (3, 11):
        assert seen["file"] == f"{stdlib}/probe/__init__.py"
        assert says("FRZ001", "__file__ is <stdlib>/probe/__init__.py")
        assert seen["path"] == [f"{stdlib}/probe"]
        assert says("FRZ004", f"[{'<stdlib>/probe'!r}]")
    else:
        assert seen["file"] is None and says("FRZ001", "has no __file__")
        assert seen["path"] == [] and says("FRZ004", "it is []")
    assert seen["has_cached"] is False and says("FRZ002", "has no __cached__")
    assert seen["origin"] == seen["find_spec_origin"] == "frozen"
    assert says("FRZ003", '__spec__.origin: frozen on Python') and says("FRZ003", 'it is "frozen"')
    assert seen["has_location"] is False and says("FRZ003", "has_location: frozen on Python")
    assert seen["get_filename"] == "AttributeError" and says("FRZ003", "has no get_filename")
    assert seen["get_data"] is None and says("FRZ005", "it returns None")
    assert seen["iter_modules"] == [] and says("FRZ004", "it finds no submodules")
    assert seen["getsourcefile"] == "<frozen probe>" and says("FRZ006", "'<frozen probe>'")
    assert seen["line"] == "" and says("FRZ006", "it returns '' for it")
    assert seen["getsource"] == "OSError" and says("FRZ006", "it raises OSError")


@pytest.mark.needs_sid_chroot
@pytest.mark.parametrize("version", ["3.14", "3.15"])
def test_lint_on_314_and_315(version):
    """Debian sid's CPython 3.14 and 3.15 (the chroot .ci/sid-chroot builds), as host and
    target: every code is found and PEP 695 syntax parses."""
    root = sid_root()
    assert root is not None                    # the needs_sid_chroot marker checked it
    inside = f"/tmp/frore-tests/lint-{uuid.uuid4().hex}"
    host = root / inside.lstrip("/")
    try:
        shutil.copytree(REPO / "tools", host / "tools", ignore=shutil.ignore_patterns("__pycache__"))
        files = dict(EACH_CODE, **{"new.py": PEP695, "res/__init__.py": (
            "import importlib.resources\nT = importlib.resources.read_text(__name__, 'x.txt')\n")})
        project(host / "p", Path(f"/usr/bin/python{version}"),
                ["a1", "a2", "a3", "<a4>", "<a5>", "a6", "clean", "new", "<res>"], files)
        proc = run(["chroot", root, "/usr/bin/env", "-i", f"--chdir={inside}/p", "PATH=/usr/bin:/bin",
                    "LC_ALL=C.UTF-8", "HOME=/root", f"PYTHONPATH={inside}/tools", f"python{version}",
                    "-c", "import sys; from frore.lint import run_lint; "
                          "sys.exit(run_lint('frozen.toml', None, False))"], check=False)
    finally:
        shutil.rmtree(host, ignore_errors=True)
    assert (proc.returncode, proc.stderr) == (1, "")
    lines = proc.stdout.splitlines()
    assert [LINE.match(line).group(1) for line in lines] == \
        EACH_CODE_FOUND + ["new.py:5: FRZ001", "res/__init__.py:2: FRZ005"], proc.stdout
    assert all(f" frozen on Python {version} " in line for line in lines), proc.stdout
    # importlib.resources.read_text on a frozen package: TypeError on 3.13 and 3.14
    # (CPython gh-127012), FileNotFoundError on 3.15.
    assert lines[-1].endswith("TypeError (CPython gh-127012; FileNotFoundError once fixed)"
                              if version == "3.14" else "it raises FileNotFoundError")
