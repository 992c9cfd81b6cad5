"""Every scenario through every backend, with one driver interface (tests/drivers.py).

Scenarios: build, no-op, edit one, add one, remove one, syntax error, manifest
change, interpreter switched in place.  A backend's headers must be byte-
identical to ``frore regen``'s; a build must never succeed with outputs that
disagree with the manifest or the interpreter.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import missing, python_for
from drivers import DRIVERS, Driver, Project, reference_headers


@pytest.fixture(params=DRIVERS, ids=[d.name for d in DRIVERS])
def driver(request) -> Driver:
    lacking = request.param.available()
    if lacking:
        missing(f"{lacking} is not available")
    return request.param


def start(driver: Driver, top: Path, **kw) -> Project:
    p = Project(top, **kw)
    driver.setup(p)
    first = driver.build(p)
    assert first.ok, first.output
    return p


def all_units(p: Project) -> list[str]:
    """Source ids of every header: declared names without aliases."""
    return sorted(n for n in p.declared() if n != "mod_alias")


def check_program(driver: Driver, p: Project, expect: dict[str, str] | None = None) -> str:
    if not driver.links:
        return ""
    out = driver.run_program(p)
    names = p.declared()
    assert f"{len(names)}/{len(names)} modules frozen" in out, out
    for name, value in (expect or {}).items():
        assert f"{name}: frozen {value}" in out, out
    return out


def test_build(driver, tmp_path):
    p = Project(tmp_path)
    driver.setup(p)
    result = driver.build(p)
    assert result.ok, result.output
    assert result.frozen == ([] if driver.setup_freezes else all_units(p)), result.output
    built = {q.name: q.read_bytes() for q in driver.headers(p).iterdir()
             if q.suffix in (".h", ".c")}
    assert built == reference_headers(tmp_path, p)
    check_program(driver, p, {"app.greet": "hello", "app.sub.deep": "deep", "mod_alias": "mod",
                              "opt": "optimized"})


def test_noop(driver, tmp_path):
    p = start(driver, tmp_path)
    headers = {q: q.stat().st_mtime_ns for q in driver.headers(p).iterdir()}
    again = driver.build(p)
    assert again.ok and again.frozen == [], again.output
    assert {q: q.stat().st_mtime_ns for q in driver.headers(p).iterdir()} == headers


def test_edit_one(driver, tmp_path):
    p = start(driver, tmp_path)
    (p.src / "app" / "greet.py").write_text('VALUE = "edited"\n')
    result = driver.build(p)
    assert result.ok and result.frozen == ["app.greet"], result.output
    check_program(driver, p, {"app.greet": "edited"})
    assert driver.build(p).frozen == []


def test_add_one(driver, tmp_path):
    p = start(driver, tmp_path)
    (p.src / "extra.py").write_text('VALUE = "extra"\n')
    p.edit_manifest('    "mod",\n', '    "mod",\n    "extra",\n')
    driver.after_manifest_change(p)
    result = driver.build(p)
    assert result.ok, result.output
    assert "extra" in result.frozen if driver.rechecks_all else result.frozen == ["extra"], \
        result.output
    check_program(driver, p, {"extra": "extra"})
    assert driver.build(p).frozen == []


def test_remove_one(driver, tmp_path):
    p = start(driver, tmp_path)
    p.edit_manifest('    "mod",\n    "mod : mod_alias",\n', "")
    driver.after_manifest_change(p)
    result = driver.build(p)
    assert result.ok and (driver.rechecks_all or result.frozen == []), result.output
    out = check_program(driver, p)
    assert "mod:" not in out and "mod_alias" not in out
    table = (driver.headers(p) / "frozen_modules.c").read_text(encoding="utf-8")
    assert '"mod"' not in table and '"mod_alias"' not in table


def test_syntax_error(driver, tmp_path):
    p = start(driver, tmp_path)
    header = driver.headers(p) / "app.greet.frozen.h"
    good = header.read_bytes()
    greet = p.src / "app" / "greet.py"
    greet.write_text('VALUE = "x"\n\ndef broken(:\n    pass\n')
    failed = driver.build(p)
    assert not failed.ok
    assert re.search(r"greet\.py:3: SyntaxError", failed.output), failed.output
    assert header.read_bytes() == good
    greet.write_text('VALUE = "fixed"\n')
    fixed = driver.build(p)
    assert fixed.ok and fixed.frozen == ["app.greet"], fixed.output
    check_program(driver, p, {"app.greet": "fixed"})


def test_manifest_change(driver, tmp_path):
    """An alias added: no module is re-frozen, the table lists it."""
    p = start(driver, tmp_path)
    p.edit_manifest('    "keyword",\n', '    "keyword",\n    "keyword : kw",\n')
    driver.after_manifest_change(p)
    result = driver.build(p)
    assert result.ok and (driver.rechecks_all or result.frozen == []), result.output
    assert '"kw"' in (driver.headers(p) / "frozen_modules.c").read_text(encoding="utf-8")
    check_program(driver, p)


def test_interpreter_switched_in_place(driver, tmp_path):
    """The manifest names a link; re-pointing it to another Python must re-freeze
    every header or stop the build, never keep the old bytecode."""
    py311, py312 = python_for((3, 11)), python_for((3, 12))
    link = tmp_path / "bin" / "python"
    link.parent.mkdir()
    link.symlink_to(py311)
    p = start(driver, tmp_path, python=str(link))
    units = all_units(p)
    tmp = link.with_name("python.new")
    tmp.symlink_to(py312)
    os.replace(tmp, link)                          # what `ln -sfn` does
    driver.after_interpreter_change(p)
    result = driver.build(p)
    headers = driver.headers(p)
    if result.ok:
        for unit in units:
            assert "for Python 3.12" in (headers / f"{unit}.frozen.h").read_text()
        if driver.links:
            assert "on Python 3.12" in driver.run_program(p)
    else:
        # Stopped: headers frozen by 3.12 against 3.11's Python.h, or the backend
        # says what to run; either way the build did not succeed.
        assert ("frozen by Python 3.12 but is being compiled against Python 3.11"
                in result.output or "frore gen" in result.output), result.output
