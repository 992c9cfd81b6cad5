"""regen writes only what changed, atomically; check reports staleness; output is
deterministic across runs, checkout paths, hash seeds, job counts and batching."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import copy_example, frore, python_for, snapshot
from frore import freeze as freeze_mod
from frore.freeze import Job, freeze_all
from frore.interpreter import locate


def test_check_fails_after_edit_and_passes_after_regen(example):
    frore("regen", cwd=example)
    assert frore("check", cwd=example).returncode == 0
    greet = example / "app" / "greet.py"
    greet.write_text(greet.read_text() + "\nEXTRA = 1\n")
    proc = frore("check", cwd=example, check=False)
    assert proc.returncode == 1
    assert "stale: frozen/app.greet.frozen.h" in proc.stdout
    assert frore("regen", cwd=example).stdout.strip() == "frore: wrote frozen/app.greet.frozen.h"
    assert frore("check", cwd=example).returncode == 0


def test_check_reports_missing_and_stray_outputs_and_writes_nothing(example):
    frore("regen", cwd=example)
    (example / "frozen" / "os.frozen.h").unlink()
    manifest = example / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('    "zipimport",\n', ""))
    before = snapshot(example)
    proc = frore("check", cwd=example, check=False)
    assert proc.returncode == 1
    assert "missing: frozen/os.frozen.h" in proc.stdout
    assert "stray: frozen/zipimport.frozen.h" in proc.stdout
    assert snapshot(example) == before
    frore("regen", cwd=example)
    assert not (example / "frozen" / "zipimport.frozen.h").exists()
    assert frore("check", cwd=example).returncode == 0


def test_regen_leaves_unchanged_files_alone(example):
    frore("regen", cwd=example)
    before = snapshot(example / "frozen")
    assert frore("regen", cwd=example).stdout == ""
    assert snapshot(example / "frozen") == before       # same bytes, same mtimes


def test_regen_does_not_recompile_unchanged_sources(example, monkeypatch):
    from frore import freeze, pipeline

    frore("regen", cwd=example)
    compiled = []
    real = freeze.freeze_all
    monkeypatch.setattr(freeze, "freeze_all",
                        lambda interp, jobs, *a, **k: compiled.extend(j.source_id for j in jobs)
                        or real(interp, jobs, *a, **k))
    resolved = pipeline.load(example / "frozen.toml")
    assert pipeline.check(resolved) == [] and compiled == []
    # A header changed below its key is not current: it is compiled and rewritten.
    header = example / "frozen" / "app.frozen.h"
    header.write_text(header.read_text() + "/* planted */\n")
    assert pipeline.check(resolved) == [("stale", header)] and compiled == ["app"]
    pipeline.regen(resolved, force=True)
    assert "planted" not in header.read_text()
    assert len(compiled) > 10                      # --force recompiles everything


def test_outputs_identical_across_checkouts_seeds_and_jobs(tmp_path):
    a = copy_example(tmp_path / "one")
    b = copy_example(tmp_path / "two" / "nested path")
    frore("regen", "-j", "1", cwd=a, env={"PYTHONHASHSEED": "1"})
    frore("regen", "-j", "2", cwd=b, env={"PYTHONHASHSEED": "12345"})
    files_a = {k: v[0] for k, v in snapshot(a / "frozen").items()}
    files_b = {k: v[0] for k, v in snapshot(b / "frozen").items()}
    assert files_a == files_b
    assert len(files_a) > 20


def test_marshal_bytes_do_not_depend_on_order_batching_or_process(tmp_path, monkeypatch):
    interp = locate(None, tmp_path)
    names = ["os", "typing", "dataclasses", "json.decoder", "enum", "abc"]
    jobs = []
    for name in names:
        base = interp.stdlib.joinpath(*name.split("."))
        jobs.append(Job(name, base.with_suffix(".py")))
    together = freeze_all(interp, jobs, parallel=1)
    monkeypatch.setattr(freeze_mod, "BATCH_BYTES", 1)        # one module per worker
    separate = freeze_all(interp, list(reversed(jobs)), parallel=2)
    assert together == separate
    # And the one-module CLI primitive writes exactly what regen writes.
    out = tmp_path / "os.h"
    frore("freeze", "os", str(jobs[0].source), str(out))
    manifest = tmp_path / "frozen.toml"
    manifest.write_text('[[group]]\nname = "g"\nmodules = ["os"]\n')
    frore("regen", cwd=tmp_path)
    assert out.read_bytes() == (tmp_path / "frozen" / "os.frozen.h").read_bytes()


def test_list_json_describes_each_module(example):
    data = json.loads(frore("list", "--json", cwd=example).stdout)
    by_name = {m["name"]: m for m in data["modules"]}
    assert by_name["os.path"]["alias_of"] == "posixpath"
    assert by_name["os.path"]["header"].endswith(os.sep + "posixpath.frozen.h")
    assert by_name["app.plugins"]["is_package"] is True
    assert by_name["app.plugins.shout"]["group"] == "app"
    assert by_name["app.greet"]["source"] == str(example / "app" / "greet.py")
    assert data["python_version"].count(".") == 2


@pytest.mark.parametrize("minor", [(3, 8), (3, 13)], ids=lambda m: f"py{m[0]}{m[1]}")
def test_one_process_per_module_equals_one_batch(monkeypatch, minor):
    """CPython's build freezes each module in a fresh process; frore batches.
    The bytes must not tell the two apart (interning and FLAG_REF state)."""
    interp = locate(str(python_for(minor)), Path.cwd())
    jobs = [Job(f"email.{p.stem}", p) for p in sorted((interp.stdlib / "email").glob("*.py"))]
    jobs += [Job(f"json.{p.stem}", p) for p in sorted((interp.stdlib / "json").glob("*.py"))]
    batched = freeze_all(interp, jobs, parallel=1)
    monkeypatch.setattr(freeze_mod, "BATCH_BYTES", 1)
    alone = freeze_all(interp, jobs, parallel=2)
    assert len(alone) == len(jobs) > 20
    assert alone == batched


def test_optimize_level_is_part_of_the_header_key(example):
    """Changing a group's level re-freezes exactly that group's headers."""
    frore("regen", cwd=example)
    headers = example / "frozen"
    before = {p.name: p.read_bytes() for p in headers.glob("*.frozen.h")}
    manifest = example / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('name = "app"\n', 'name = "app"\noptimize = 2\n'))
    out = frore("regen", cwd=example).stdout
    rewritten = sorted(line.split("/")[-1] for line in out.splitlines()
                       if line.endswith(".frozen.h"))
    app = sorted(name for name in before if name.startswith("app."))
    assert rewritten == app, out
    for name in app:
        text = (headers / name).read_text()
        assert "(optimized as -OO)" in text and text != before[name].decode()
    assert frore("check", cwd=example).returncode == 0
