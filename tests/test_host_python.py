"""frore itself runs on the oldest Python it supports (3.9: tomli instead of tomllib)."""

from __future__ import annotations

from conftest import copy_example, copy_project, python_for, run


def test_frore_runs_under_python_39(tmp_path):
    py39 = python_for((3, 9))
    venv = tmp_path / "venv"
    run([py39, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", copy_project(tmp_path / "src")])
    example = copy_example(tmp_path / "embed")
    run([venv / "bin" / "frore", "regen"], cwd=example)
    assert run([venv / "bin" / "frore", "check"], cwd=example).returncode == 0
    # Built with 3.9's frore, for 3.9's bytecode, linked against 3.9's libpython.
    run(["make"], cwd=example)
    out = run([example / "embed"], cwd="/").stdout
    assert "on Python 3.9" in out and "19/19 modules frozen" in out
