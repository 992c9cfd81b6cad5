"""SCons specifics: the example's SConstruct, manifest errors, the description the
tool reads, and where the tool lives.  The scenario matrix runs in tests/test_matrix.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import PYTHON, frore, run, venv_tool


def build(src: Path, check: bool = True):
    return run([venv_tool("scons"), "-Q", "-j", "2", f"FRORE_PYTHON={PYTHON}"], cwd=src,
               check=check)


def frozen_by(output: str) -> list[str]:
    return sorted(re.findall(r"^FREEZE (\S+)$", output, re.M))


def declared(src: Path) -> list[str]:
    return [m["name"] for m in json.loads(frore("list", "--json", cwd=src).stdout)["modules"]]


@pytest.mark.needs_scons
def test_example_sconstruct_builds(example):
    build(example)
    names = declared(example)
    assert f"{len(names)}/{len(names)} modules frozen" in run([example / "embed"], cwd=example).stdout
    assert frozen_by(build(example).stdout) == []


@pytest.mark.needs_scons
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
    units = [u for part in data["parts"] for u in part["units"]]
    assert {"name": "app.greet", "source": "app/greet.py",
            "header": "frozen/app.greet.frozen.h", "optimize": 0} in units
    assert Path(data["frore"][0]).is_absolute() and data["frore"][1:] == ["-m", "frore"]
    # Headers are frozen by the target interpreter on frore's freezer, one process a part.
    assert Path(data["freezer"][0]).is_absolute() and data["freezer"][-1] == "freeze-part"
    assert all(p["c"] == f"frozen/frozen_modules_{p['number']:02d}.c" for p in data["parts"])


def test_toolpath_module():
    out = run([PYTHON, "-m", "frore.scons"]).stdout.strip()
    assert (Path(out) / "frore.py").is_file()
