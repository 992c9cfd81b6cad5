"""Benchmark 8: ``frore regen`` on a CPython 3.11.2 tree vs the tree's own script.

A pristine Python-3.11.2 tree (the source tarball, extracted into the bench's
work folder) is regenerated two ways, alternating, with the same interpreter:

* A: ``python Tools/scripts/freeze_modules.py`` in the tree's root (CPython's
  own generator: it rewrites Makefile.pre.in's frozen blocks,
  PCbuild/_freeze_module.vcxproj(.filters), PCbuild/pythoncore.vcxproj and
  Python/frozen.c, replacing only files whose bytes changed);
* B: ``python -m frore regen -m examples/cpython-3.11/frozen.toml --tree TREE``,
  which rewrites the same files with the same bytes.

Both leave the tree as it was (checked: every file's hash before and after).
Facts say what bounds the ratio: the interpreter's bare start-up and the cost
of importing argparse, pathlib and tomllib (frore must parse TOML; the tree's
script has its list in Python).

The tarball is looked for where the test suite looks: $FRORE_CPYTHON_TARBALLS
(a folder), else ~/.cache/frore (``.ci/run`` fetches it there); or
$FRORE_CPYTHON_TREE names an unpacked tree, which is copied.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from common import (
    FRORE,
    REPO,
    Section,
    alternate,
    cost_row,
    fresh_dir,
    run,
    skipped_row,
    top_imports,
)

VERSION = "3.11.2"
TARBALL_NAMES = (f"python3.11_{VERSION}.orig.tar.gz", f"Python-{VERSION}.tgz",
                 f"Python-{VERSION}.tar.xz")
MANIFEST = REPO / "examples" / "cpython-3.11" / "frozen.toml"
SCRIPT = Path("Tools") / "scripts" / "freeze_modules.py"


def find_tarball() -> Path | None:
    """The CPython 3.11.2 source tarball: $FRORE_CPYTHON_TARBALLS, else ~/.cache/frore."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "frore"
    for folder in (os.environ.get("FRORE_CPYTHON_TARBALLS"), cache):
        for name in TARBALL_NAMES:
            if folder and (Path(folder) / name).is_file():
                return Path(folder) / name
    return None


def pristine_tree(work: Path) -> tuple[Path | None, str]:
    """A fresh Python-3.11.2 tree below *work* and where it came from;
    (None, why) when there is none."""
    fresh_dir(work)
    given = os.environ.get("FRORE_CPYTHON_TREE")
    if given and (Path(given) / SCRIPT).is_file():
        tree = work / Path(given).name
        shutil.copytree(given, tree, ignore=shutil.ignore_patterns("__pycache__"))
        return tree, f"a copy of $FRORE_CPYTHON_TREE ({Path(given).name})"
    tarball = find_tarball()
    if tarball is None:
        return None, (f"no CPython {VERSION} source tarball ({TARBALL_NAMES[0]} in "
                      "$FRORE_CPYTHON_TARBALLS or ~/.cache/frore; .ci/run fetches it) and no "
                      "$FRORE_CPYTHON_TREE")
    with tarfile.open(tarball) as tar:
        try:
            tar.extractall(work, filter="data")
        except TypeError:               # Python without extraction filters
            tar.extractall(work)
    trees = [p for p in work.iterdir() if (p / SCRIPT).is_file()]
    if not trees:
        return None, f"{tarball.name} holds no {SCRIPT.as_posix()}"
    return trees[0], tarball.name


def _tree_hash(tree: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(tree.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(tree)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _time(argv: list, cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(a) for a in argv], cwd=cwd, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def bench(work: Path, reps: int) -> Section:
    section = Section(f"frore regen on a CPython {VERSION} tree vs its freeze_modules.py")
    if not MANIFEST.is_file():
        section.rows.append(skipped_row("cpython", "frore regen on the tree",
                                        f"{MANIFEST.relative_to(REPO)} is missing"))
        return section
    tree, origin = pristine_tree(work)
    if tree is None:
        section.rows.append(skipped_row("cpython", "frore regen on the tree", origin))
        return section
    python = sys.executable
    script = [python, SCRIPT.as_posix()]
    regen = [*FRORE, "-q", "regen", "-m", MANIFEST, "--tree", tree]
    pairs = max(reps, 10)
    before = _tree_hash(tree)
    run(script, cwd=tree)                   # warm: .pyc of the script's helper, page cache
    run(regen, cwd=tree)
    a, b = alternate(lambda: _time(script, tree), lambda: _time(regen, tree), pairs)
    unchanged = _tree_hash(tree) == before
    row = cost_row("cpython", "regenerate the tree's frozen-module files",
                   SCRIPT.as_posix(), a, "frore regen", b, at_most=1.0,
                   note="tree unchanged by both" if unchanged else
                   "TREE CHANGED: the two do not write the same bytes")
    if not unchanged:
        row.met = False
    section.rows.append(row)

    # What bounds it: the interpreter's start-up and the imports frore cannot avoid.
    bare, imports = alternate(
        lambda: _time([python, "-c", "pass"], tree),
        lambda: _time([python, "-c", "import argparse, pathlib, tomllib"], tree), pairs)
    isolated = [_time([python, "-I", "-S", "-c", "pass"], tree) for _ in range(pairs)]
    floor = _median(imports)
    section.facts.update({
        "tree": f"Python-{VERSION} from {origin}",
        "interpreter (both sides)": python,
        "python -c pass (site on, as both sides run)": f"{_median(bare) * 1000:.1f} ms",
        "python -I -S -c pass": f"{_median(isolated) * 1000:.1f} ms",
        "python -c 'import argparse, pathlib, tomllib'":
            f"{floor * 1000:.1f} ms (+{(floor - _median(bare)) * 1000:.1f} ms)",
        "floor for frore (that command) / the tree's script": f"{floor / _median(a):.2f}×",
        "frore regen's imports (-X importtime, top level)": top_imports(regen, tree),
        "the tree script's imports (-X importtime, top level)": top_imports(script, tree),
    })
    return section
