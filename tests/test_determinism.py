"""The same bytes for every target 3.8-3.13, whatever the run.

Before 3.11, marshal writes a frozenset's elements in iteration order, which
follows string hashes, which are randomised per process.  A module full of
``x in {...}`` constants is the test: frore's headers must not change between
runs, hash seeds, job counts, checkout paths or the one-module primitive.
"""

from __future__ import annotations

import pytest

from conftest import frore, missing, python_for
from drivers import DRIVERS, Project, c_files, reference_headers

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
         "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau"]

SOURCE = f'''
def kind(x):
    if x in {{{", ".join(map(repr, WORDS))}}}:
        return "greek"
    if x in {{"a", b"b", 1.5, (1, "t"), None, "c" * 3, frozenset}}:
        return "mixed"
    return [y for y in x if y not in {{"q", "r", "s", "t", "u", "v", "w"}}]
'''

MINORS = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]


def headers(root) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "frozen").iterdir())
            if p.name.endswith((".h", ".c"))}


def make_project(root, python) -> None:
    root.mkdir(parents=True)
    (root / "sets.py").write_text(SOURCE)
    (root / "frozen.toml").write_text(
        f'python = "{python}"\n\n[[group]]\nname = "g"\nmodules = ["sets"]\n')


@pytest.mark.parametrize("minor", MINORS, ids=lambda m: f"py{m[0]}{m[1]}")
def test_frozenset_constants_give_the_same_bytes_every_run(tmp_path, minor):
    python = python_for(minor)
    first = tmp_path / "one"
    make_project(first, python)
    frore("regen", cwd=first, env={"PYTHONHASHSEED": "1"})
    reference = headers(first)
    for seed, jobs, where in (("2", "1", "one"), ("random", "2", "two/nested path"),
                              ("12345", "2", "three"), ("random", "1", "four")):
        root = tmp_path / where
        if not root.exists():
            make_project(root, python)
        frore("regen", "--force", "-j", jobs, cwd=root, env={"PYTHONHASHSEED": seed})
        assert headers(root) == reference, (seed, jobs, where)
    # The one-module primitive that build rules run writes the same bytes.
    out = tmp_path / "sets.frozen.h"
    for seed in ("3", "random"):
        frore("freeze", "--python", python, "sets", first / "sets.py", out,
              env={"PYTHONHASHSEED": seed})
        assert out.read_bytes() == reference["sets.frozen.h"]


@pytest.mark.parametrize("driver", DRIVERS, ids=[d.name for d in DRIVERS])
def test_every_backend_writes_the_same_bytes_for_an_old_target(driver, tmp_path):
    """Target 3.8 (marshal in hash order): each backend's headers equal regen's."""
    lacking = driver.available()
    if lacking:
        missing(f"{lacking} is not available")
    p = Project(tmp_path, python=str(python_for((3, 8))), extra_modules=["sets"])
    (p.src / "sets.py").write_text(SOURCE)
    p.write_manifest()
    driver.setup(p)
    result = driver.build(p)
    assert result.ok, result.output
    built, reference = c_files(driver.headers(p)), reference_headers(tmp_path, p)
    assert built["sets.frozen.h"] == reference["sets.frozen.h"]
    assert built == reference


@pytest.mark.parametrize("minor", [(3, 8), (3, 11), (3, 13)], ids=lambda m: f"py{m[0]}{m[1]}")
def test_build_rule_freezers_match_regen_across_the_stdlib(tmp_path, minor):
    """Build rules freeze a whole part in one process (Meson, CMake, SCons) or one
    module per process (Make, MSBuild); regen batches in workers.  Whatever a
    process compiled or imported before, the bytes of ~150 stdlib modules agree."""
    import subprocess

    from frore.interpreter import freezer_command, locate

    python = python_for(minor)
    interp = locate(str(python), tmp_path)
    names = sorted(p.stem for p in interp.stdlib.glob("*.py")
                   if not p.stem.startswith("_") and p.stem not in ("antigravity", "this"))[:150]
    root = tmp_path / "proj"
    root.mkdir()
    (root / "frozen.toml").write_text(
        f'python = "{python}"\n\n[[group]]\nname = "g"\nmodules = {names!r}\n'.replace("'", '"'))
    frore("regen", cwd=root)
    reference = headers(root)
    out = tmp_path / "part"
    out.mkdir()
    operands = []
    for name in names:
        operands += [name, "0", str(interp.stdlib / f"{name}.py"), str(out / f"{name}.frozen.h")]
    # Two processes, the later modules first: a part carries what it compiled before.
    half = len(operands) // 8 * 4
    for chunk in (operands[half:], operands[:half]):
        subprocess.run([*freezer_command(python, "freeze-part"), "--", *chunk], check=True,
                       capture_output=True, env={"PYTHONHASHSEED": "random"})
    for name in names:
        assert (out / f"{name}.frozen.h").read_bytes() == reference[f"{name}.frozen.h"], name
    # Run again: every header is current, nothing is compiled, everything is touched.
    again = subprocess.run([*freezer_command(python, "freeze-part"), "--", *operands],
                           check=True, capture_output=True, text=True)
    assert again.stdout == ""
    # The per-module freezer agrees too (a few modules).
    for name in names[::37]:
        single = out / f"{name}.single.h"
        subprocess.run([*freezer_command(python), "--", name, str(interp.stdlib / f"{name}.py"),
                        str(single)], check=True)
        assert single.read_bytes() == reference[f"{name}.frozen.h"], name
