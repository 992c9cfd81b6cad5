"""SCons tool: env.FrozenModules('frozen.toml') driven through real scons, gcc and
the test interpreter's libpython, with the example's SConstruct."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import PYTHON, copy_example, frore, run, venv_tool


def _scons() -> str:
    exe = venv_tool("scons")
    if exe is None:
        pytest.skip("scons is not installed (pip install scons)")
    return exe


def build(src: Path, check: bool = True):
    return run([_scons(), "-Q", "-j", "2", f"FRORE_PYTHON={PYTHON}"], cwd=src, check=check)


def frozen_by(output: str) -> list[str]:
    return sorted(re.findall(r"^FREEZE (\S+)$", output, re.M))


def declared(src: Path) -> list[str]:
    return [m["name"] for m in json.loads(frore("list", "--json", cwd=src).stdout)["modules"]]


@pytest.fixture(scope="module")
def regen_headers(tmp_path_factory) -> dict[str, bytes]:
    src = copy_example(tmp_path_factory.mktemp("regen") / "embed")
    frore("regen", "-q", cwd=src)
    return {p.name: p.read_bytes() for p in (src / "frozen").glob("*.[ch]")}


def test_scons_scenarios(example, regen_headers):
    src = example
    first = build(src).stdout
    names = declared(src)
    assert frozen_by(first) == sorted({n for n in names if n != "os.path"})
    out = run([src / "embed"], cwd=src).stdout
    for name in names:
        assert f"{name}: frozen" in out
    assert f"{len(names)}/{len(names)} modules frozen" in out

    headers = src / "frozen"
    assert {p.name: p.read_bytes() for p in headers.glob("*.[ch]")} == regen_headers

    # No-op: nothing frozen, nothing rewritten.
    before = {p.name: p.stat().st_mtime_ns for p in headers.iterdir()}
    again = build(src).stdout
    assert frozen_by(again) == [] and "is up to date" in again
    assert {p.name: p.stat().st_mtime_ns for p in headers.iterdir()} == before

    # Touching without a content change is not a change for SCons.
    greet = src / "app" / "greet.py"
    greet.touch()
    assert frozen_by(build(src).stdout) == []

    # Editing one .py re-freezes exactly that module.
    greet.write_text(greet.read_text() + "\nEDITED = True\n")
    assert frozen_by(build(src).stdout) == ["app.greet"]

    # A module added to the manifest is picked up by a plain build.
    manifest = src / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('"zipimport",', '"zipimport",\n    "heapq",'))
    assert frozen_by(build(src).stdout) == ["heapq"]
    out = run([src / "embed"], cwd=src).stdout
    assert "heapq: frozen" in out and "20/20 modules frozen" in out

    # A new file matched by the manifest's glob: the table follows too.
    (src / "app" / "plugins" / "extra.py").write_text("X = 1\n")
    assert frozen_by(build(src).stdout) == ["app.plugins.extra"]
    assert "app.plugins.extra: frozen" in run([src / "embed"], cwd=src).stdout

    # A syntax error fails the build naming file and line; the old header stays.
    good = (headers / "app.greet.frozen.h").read_bytes()
    lines = greet.read_text().splitlines()
    greet.write_text("\n".join(lines + ["def broken(:", ""]))
    failed = build(src, check=False)
    assert failed.returncode != 0
    assert f"app/greet.py:{len(lines) + 1}: SyntaxError" in failed.stdout + failed.stderr
    assert (headers / "app.greet.frozen.h").read_bytes() == good
    # Back to the content of the last good build: SCons's signatures match the
    # header that was kept, so there is nothing to freeze.
    greet.write_text("\n".join(lines) + "\n")
    assert frozen_by(build(src).stdout) == []
    assert "EDITED" in greet.read_text() and "21/21 modules frozen" in run([src / "embed"], cwd=src).stdout

    # Headers and table still match `frore regen` for the same (edited) tree;
    # SCons writes no Make fragment or freezer stamp, which `check` also lists.
    report = frore("check", cwd=src, check=False).stdout.splitlines()
    assert [r for r in report if not r.endswith(("frozen.mk", ".frore-freezer", ".frore-record"))] == []


def test_scons_odd_path(tmp_path):
    src = copy_example(tmp_path / "odd dir #1 'it's'" / "em bed")
    build(src)
    assert "19/19 modules frozen" in run([src / "embed"], cwd=src).stdout
    assert frozen_by(build(src).stdout) == []
    shout = src / "app" / "plugins" / "shout.py"
    shout.write_text(shout.read_text() + "\n# edited\n")
    assert frozen_by(build(src).stdout) == ["app.plugins.shout"]


def test_scons_manifest_error_is_reported(example):
    (example / "frozen.toml").write_text((example / "frozen.toml").read_text()
                                         .replace('"abc",', '"no_such_module_xyz",'))
    failed = build(example, check=False)
    assert failed.returncode != 0
    assert "frozen.toml:" in failed.stderr and "no_such_module_xyz" in failed.stderr


def test_gen_scons_description(example):
    frore("gen", "scons", "-o", example / "d.json", cwd=example)
    data = json.loads((example / "d.json").read_text())
    assert str(example) not in json.dumps(data)      # tree-relative paths
    assert data["table_c"] == "frozen/frozen_modules.c"
    assert {"name": "app.greet", "source": "app/greet.py",
            "header": "frozen/app.greet.frozen.h"} in data["units"]
    assert Path(data["frore"][0]).is_absolute() and data["frore"][1:] == ["-m", "frore"]


def test_toolpath_module():
    out = run([PYTHON, "-m", "frore.scons"]).stdout.strip()
    assert (Path(out) / "frore.py").is_file()
