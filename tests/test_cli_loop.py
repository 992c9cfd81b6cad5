"""`frore discover` and `frore lint` through the command line (their behaviour is in
tests/test_discover.py and tests/test_lint.py): arguments, exit status, streams."""

from __future__ import annotations

from conftest import frore


def test_discover_prints_a_group_regen_accepts(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("import json\n")
    proc = frore("discover", "--group", "run", "--", "-c", "import app", cwd=tmp_path)
    assert proc.stdout.startswith('[[group]]\nname = "run"\n')
    assert '"<app>",' in proc.stdout and '"json.decoder",' in proc.stdout
    assert "frore: not listed: sys: built-in module" in proc.stderr
    (tmp_path / "frozen.toml").write_text(proc.stdout)
    frore("regen", cwd=tmp_path)

    frore("discover", "--group", "run", "-m", "frozen.toml", "--write", "--", "-c",
          "import app, textwrap", cwd=tmp_path)
    assert '"textwrap",' in (tmp_path / "frozen.toml").read_text()
    frore("regen", cwd=tmp_path)


def test_discover_reports_how_a_failed_run_ended(tmp_path):
    proc = frore("discover", "--", "-c", "import json; raise SystemExit(3)", cwd=tmp_path)
    assert '"<json>",' in proc.stdout
    assert "frore: the run exited with status 3" in proc.stderr


def test_discover_needs_something_to_run(tmp_path):
    proc = frore("discover", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("frore: error:"), proc.stderr


def test_lint_exit_status_and_json(tmp_path):
    (tmp_path / "clean.py").write_text("X = 1\n")
    (tmp_path / "dirty.py").write_text("import os\nHERE = os.path.dirname(__file__)\n")
    (tmp_path / "frozen.toml").write_text(
        'search-path = ["."]\n\n[[group]]\nname = "g"\nmodules = ["clean"]\n')
    assert frore("lint", cwd=tmp_path).stdout == ""
    (tmp_path / "frozen.toml").write_text(
        'search-path = ["."]\n\n[[group]]\nname = "g"\nmodules = ["clean", "dirty"]\n')
    proc = frore("lint", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert proc.stdout.startswith("dirty.py:2: FRZ001 ")
    proc = frore("lint", "--json", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and '"code": "FRZ001"' in proc.stdout
