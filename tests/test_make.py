"""Make specifics: the example built through the fragment, its run-time and build-time
switches, a `python` change in the manifest, and a fragment moved between checkouts.
The scenario matrix runs in tests/test_matrix.py."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from conftest import copy_example, frore, python_for, run


def freezes(make_output: str) -> list[str]:
    return re.findall(r"^\s*FREEZE\s+(\S+)$", make_output, re.M)


def build(folder: Path) -> str:
    return run(["make"], cwd=folder).stdout


def declared(folder: Path) -> list[str]:
    import json
    listing = json.loads(frore("list", "--json", cwd=folder).stdout)
    return [m["name"] for m in listing["modules"]]


def test_example_builds_runs_and_every_module_is_frozen(example):
    frore("regen", cwd=example)
    build(example)
    out = run([example / "embed"], cwd="/").stdout
    names = declared(example)
    assert len(names) >= 19
    for name in names:
        assert f"{name}: frozen\n" in out
    assert f"{len(names)}/{len(names)} modules frozen" in out
    assert run(["make", "-q"], cwd=example, check=False).returncode == 0


def test_runtime_switch_imports_from_source(example):
    frore("regen", cwd=example)
    build(example)
    # With the table off the example imports its app from the folder it sits in.
    proc = run([example / "embed"], cwd="/", env={"FRORE_FROZEN_MODULES": "off"})
    assert "frozen table disabled" in proc.stderr
    assert "app.greet: source " + str(example / "app" / "greet.py") in proc.stdout
    assert "site: source " in proc.stdout or "site: frozen" in proc.stdout
    # Without the switch the same binary, unchanged, imports the app frozen.
    proc = run([example / "embed"], cwd="/")
    assert "app.greet: frozen" in proc.stdout


def test_manifest_change_regenerates_the_fragment_and_adds_a_module(example):
    frore("regen", cwd=example)
    build(example)
    manifest = example / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('"zipimport",', '"zipimport",\n    "textwrap",'))
    out = build(example)            # plain make: the fragment remakes itself first
    assert "FRORE   regen" in out
    assert "textwrap: frozen" in run([example / "embed"], cwd="/").stdout
    assert run(["make", "-q"], cwd=example, check=False).returncode == 0


def test_interpreter_change_refreezes_every_header(example):
    """The freezer's identity (magic number) is a prerequisite of every header."""
    py312 = python_for((3, 12))
    frore("regen", cwd=example)
    build(example)
    manifest = example / "frozen.toml"
    manifest.write_text(f'python = "{py312}"\n' + manifest.read_text())
    out = build(example)
    stamp = (example / "frozen" / ".frore-freezer").read_text()
    assert "magic cb0d0d0a" in stamp and "python 3.12" in stamp
    assert "Python 3.12" in (example / "frozen" / "os.frozen.h").read_text()
    assert "on Python 3.12" in run([example / "embed"], cwd="/").stdout
    assert run(["make", "-q"], cwd=example, check=False).returncode == 0
    assert "FRORE   regen" in out     # plain make noticed the new interpreter itself


def test_fragment_is_relocatable_between_checkouts(tmp_path):
    a = copy_example(tmp_path / "a")
    b = copy_example(tmp_path / "deeper" / "b")
    frore("regen", cwd=a)
    frore("regen", cwd=b)
    for path in sorted((a / "frozen").iterdir()):
        assert path.read_bytes() == (b / "frozen" / path.name).read_bytes(), path.name
    shutil.rmtree(b / "frozen")
    shutil.copytree(a / "frozen", b / "frozen")   # a fragment generated elsewhere still works
    build(b)
    assert "app: frozen" in run([b / "embed"], cwd="/").stdout


def test_build_switch_embeds_nothing_and_imports_from_source(example):
    """Distributors: -DFRORE_DISABLE_FROZEN_MODULES compiles the table empty."""
    frore("regen", cwd=example)
    build(example)
    frozen_size = (example / "embed").stat().st_size
    run(["make", "clean"], cwd=example)
    run(["make", "CFLAGS=-O2 -DFRORE_DISABLE_FROZEN_MODULES"], cwd=example)
    proc = run([example / "embed"], cwd="/")
    assert "compiled without modules (-DFRORE_DISABLE_FROZEN_MODULES)" in proc.stderr
    assert "app.greet: source " + str(example / "app" / "greet.py") in proc.stdout
    assert (example / "embed").stat().st_size < frozen_size - 50_000


def test_fragment_outside_a_root_whose_name_has_a_space(tmp_path):
    """Rule-line and shell escaping are separate layers: a fragment in another folder
    names '../proj dir/...' correctly in both (it used to reuse '\\ ' in shell words)."""
    root = copy_example(tmp_path / "proj dir")
    manifest = root / "frozen.toml"
    manifest.write_text(manifest.read_text().replace(
        '[output]\nheaders = "frozen"', '[output]\nheaders = "frozen"\nmake = "../mk/frozen.mk"'))
    frore("regen", cwd=root)
    (tmp_path / "mk" / "Makefile").write_text("all: frozen-headers\ninclude frozen.mk\n")
    os.utime(root / "app" / "greet.py")
    out = run(["make"], cwd=tmp_path / "mk").stdout
    assert freezes(out) == ["app.greet"]
    assert run(["make", "-q"], cwd=tmp_path / "mk", check=False).returncode == 0


def test_including_the_fragment_through_a_path_with_a_blank_stops_make(tmp_path):
    root = copy_example(tmp_path / "proj")
    manifest = root / "frozen.toml"
    manifest.write_text(manifest.read_text().replace(
        '[output]\nheaders = "frozen"', '[output]\nheaders = "frozen"\nmake = "my dir/frozen.mk"'))
    frore("regen", cwd=root)
    (root / "Makefile").write_text("all: frozen-headers\ninclude my\\ dir/frozen.mk\n")
    proc = run(["make"], cwd=root, check=False)
    assert proc.returncode != 0
    assert "cannot locate this fragment" in proc.stderr, proc.stderr


def test_one_edit_recompiles_one_part_and_relinks(example):
    """Editing one module re-freezes its header and recompiles the one part that
    includes it: not the table, not the other parts."""
    frore("regen", cwd=example)
    build(example)
    part = next(p for p in sorted((example / "frozen").glob("frozen_modules_*.c"))
                if '"app.greet.frozen.h"' in p.read_text())
    others = {p.name: p.stat().st_mtime_ns for p in (example / "frozen").glob("frozen_modules*.o")}
    assert len(others) > 2
    with open(example / "app" / "greet.py", "a") as f:
        f.write("EDITED = True\n")
    out = run(["make"], cwd=example).stdout
    assert freezes(out) == ["app.greet"], out
    assert re.findall(r"^\s*CC\s+(\S+)$", out, re.M) == [part.with_suffix(".o").name], out
    changed = [name for name, mtime in others.items()
               if (example / "frozen" / name).stat().st_mtime_ns != mtime]
    assert changed == [part.with_suffix(".o").name]
    assert "app.greet: frozen" in run([example / "embed"], cwd="/").stdout
