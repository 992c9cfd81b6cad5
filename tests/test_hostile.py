"""The shared hostile-path table (tests/hostile.py) through every backend.

For each string, driver and place (inner: folders frore writes into build
files; outer: folders the build tool owns), either the build works (every
module frozen, headers byte-identical to ``frore regen``'s, a second build a
no-op), or frore refuses the string with a manifest error naming the character
and the build language, or (outer only, where a tool cannot live in such a
folder) the build fails.  In no case may a build tool run anything but
frore's own commands: the canary never appears.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import missing
from drivers import DRIVERS, Project, reference_headers
from hostile import CANARY, FAILS, HOSTILE

# One driver per build tool (each CMake version and generator runs the scenario matrix).
HOSTILE_DRIVERS = [d for d in DRIVERS if d.name in
                   ("make", "meson", "cmake-pypi-ninja", "cmake-debian-make", "scons", "msbuild")]


def canaries(top: Path) -> list[Path]:
    return list(top.rglob(CANARY)) + list(Path("/").glob(CANARY)) + list(Path.cwd().glob(CANARY))


@pytest.mark.parametrize("where", ["inner", "outer"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.id for h in HOSTILE])
@pytest.mark.parametrize("driver", HOSTILE_DRIVERS, ids=[d.name for d in HOSTILE_DRIVERS])
def test_hostile_path(driver, hostile, where, tmp_path):
    lacking = driver.available()
    if lacking:
        missing(f"{lacking} is not available")
    expected = hostile.expectation(driver.name, where)
    p = Project(tmp_path, **{where: hostile.text})
    failure = ""
    try:
        driver.setup(p)
        result = driver.build(p)
    except AssertionError as exc:                 # a setup step failed (configure, regen)
        result, failure = None, str(exc)
    assert not canaries(tmp_path), "a build tool ran a command taken from a path"
    output = failure if result is None else result.output
    if not expected:
        assert result is not None and result.ok, output
        built = {q.name: q.read_bytes() for q in driver.headers(p).iterdir()
                 if q.suffix in (".h", ".c")}
        assert built == reference_headers(tmp_path, p)
        if driver.links:
            out = driver.run_program(p)
            assert re.search(r"^(\d+)/\1 modules frozen", out, re.M), out
        again = driver.build(p)
        assert again.ok and again.frozen == [], again.output
        assert not canaries(tmp_path)
        return
    assert result is None or not result.ok, output
    assert "Traceback" not in output, output
    if expected != FAILS:
        assert re.search(r"frozen\.toml:\d+: ", output), output
        # Single characters, then space-separated sequences ("$(").
        chars, _, sequences = expected.partition(" ")
        tokens = list(chars) + sequences.split()
        assert any(repr(t) in output for t in tokens), (tokens, output)
