"""Every user error names the file and line, exits non-zero and writes nothing."""

from __future__ import annotations

import pytest

from conftest import frore, snapshot

GOOD = '''search-path = ["."]

[[group]]
name = "app"
modules = [
    "mod",
    "pkg",
]
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "mod.py").write_text("X = 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "frozen.toml").write_text(GOOD)
    return tmp_path


def assert_fails_cleanly(project, expect: str, status: int = 2, regen_first: bool = False):
    """Run regen and check: both fail with *expect*; files are byte- and mtime-identical."""
    before = snapshot(project)
    for command in ("regen", "check"):
        proc = frore(command, cwd=project, check=False)
        assert proc.returncode == status, (command, proc.stdout, proc.stderr)
        assert expect in proc.stderr, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert snapshot(project) == before


def edit(project, old: str, new: str) -> None:
    manifest = project / "frozen.toml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new))


def test_bad_toml(project):
    edit(project, 'name = "app"', 'name = "app')
    assert_fails_cleanly(project, "frozen.toml:4: invalid TOML")


def test_unknown_key(project):
    edit(project, 'name = "app"', 'name = "app"\nmodulez = []')
    assert_fails_cleanly(project, "frozen.toml:5: unknown key 'group.modulez'")


def test_unknown_top_level_key(project):
    edit(project, 'search-path', 'serch-path')
    assert_fails_cleanly(project, "frozen.toml:1: unknown key 'serch-path'")


def test_module_not_found(project):
    edit(project, '"pkg",', '"pkg",\n    "nosuchmodule",')
    assert_fails_cleanly(project, "frozen.toml:8: module 'nosuchmodule' not found")


def test_duplicate_frozen_name(project):
    edit(project, '"pkg",', '"pkg",\n    "mod",')
    assert_fails_cleanly(project, "frozen.toml:8: duplicate frozen name 'mod' (first declared on line 6)")


def test_alias_of_a_module_that_does_not_exist(project):
    edit(project, '"pkg",', '"pkg",\n    "missing : alias",')
    assert_fails_cleanly(project, "frozen.toml:8: module 'missing' not found")


def test_alias_to_nothing(project):
    edit(project, '"pkg",', '"pkg",\n    "mod :",')
    assert_fails_cleanly(project, "frozen.toml:8: 'mod :': alias after ':' is empty")


def test_explicit_path_that_does_not_exist(project):
    edit(project, '"pkg",', '"pkg",\n    "other = nowhere/other.py",')
    assert_fails_cleanly(project, "frozen.toml:8: source file 'nowhere/other.py' does not exist")


def test_package_glob_on_a_plain_module(project):
    edit(project, '"pkg",', '"<mod.*>",')
    assert_fails_cleanly(project, "frozen.toml:7: 'mod' is a module, not a package")


def test_syntax_error_in_source(project):
    frore("regen", cwd=project)       # earlier good outputs must survive untouched
    (project / "mod.py").write_text("X = 1\nY = (\n")
    assert_fails_cleanly(project, "mod.py:2: SyntaxError: '(' was never closed", status=1)


def test_syntax_error_in_source_on_first_run_creates_nothing(project):
    (project / "mod.py").write_text("def f(:\n    pass\n")
    assert_fails_cleanly(project, "mod.py:1: SyntaxError", status=1)
    assert not (project / "frozen").exists()


def test_missing_manifest(tmp_path):
    proc = frore("regen", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "frozen.toml: manifest not found" in proc.stderr


def test_bad_python(project):
    edit(project, 'search-path', 'python = "no-such-python3.99"\nsearch-path')
    assert_fails_cleanly(project, "frozen.toml:1: python 'no-such-python3.99' not found on PATH")


def test_freeze_primitive_reports_syntax_error_and_keeps_output(project):
    frore("regen", cwd=project)
    header = project / "frozen" / "mod.frozen.h"
    before = header.read_bytes()
    (project / "mod.py").write_text("X = (\n")
    proc = frore("freeze", "mod", "mod.py", str(header), cwd=project, check=False)
    assert proc.returncode == 1
    assert "mod.py:1: SyntaxError" in proc.stderr
    assert header.read_bytes() == before


def test_line_numbers_ignore_quotes_in_comments(project):
    edit(project, '[[group]]', "# note: \"nosuchmodule\" was dropped, see 'nosuchmodule'\n[[group]]")
    edit(project, '"pkg",', '"pkg",\n    "nosuchmodule",')
    assert_fails_cleanly(project, "frozen.toml:9: module 'nosuchmodule' not found")
