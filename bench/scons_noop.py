"""Benchmark 5b: where an SCons no-op build of the full-stdlib manifest goes.

A no-op build (``scons -Q -jN`` with nothing changed) is timed from outside,
and split three ways:

* ``scons --debug=time``: SCons's own totals (reading the SConscript files,
  its own execution, i.e. deciding that every node is up to date, and the
  .sconsign write); the wall time minus SCons's total is the interpreter's
  and SCons's start-up;
* the two subprocesses the SConstruct starts, timed alone: ``python -m
  frore.scons`` (where the tool lives) and ``frore gen scons`` (the resolved
  manifest);
* one run under cProfile (-j1: the profiler sees only the thread that
  checks nodes), split into SConscript reading, subprocesses, the C include
  scanner (it reads the C files; frore's tool gives every header node an empty
  include list, so no header's text is read), content signatures, and the
  .sconsign write.  Profiling slows Python code down, so these are shares,
  not times of a normal run.
"""

from __future__ import annotations

import pstats
import re
import statistics
from pathlib import Path

import builds
from common import FRORE, Section, run, single_row, skipped_row, timed, tool

DEBUG_TIME = re.compile(r"^Total ([A-Za-z ]+?) time: ([0-9.]+) seconds", re.M)
# (label, file suffix, function name): cumulative time of these in the profile.
PROFILE_PARTS = [
    ("reading the SConscript (SConstruct and FrozenModules)", "SCons/Script/SConscript.py",
     "_SConscript"),
    ("— of which subprocesses (frore gen scons, python -m frore.scons)", "subprocess.py", "run"),
    ("— of which frore's FrozenModules() declaring nodes", "scons/frore.py", "FrozenModules"),
    ("deciding what is up to date (Taskmaster)", "SCons/Taskmaster/__init__.py", "next_task"),
    ("— of which implicit dependencies (C include scanner)", "SCons/Node/__init__.py",
     "get_implicit_deps"),
    ("— of which content signatures (get_csig)", "SCons/Node/FS.py", "get_csig"),
    ("writing .sconsign", "SCons/SConsign.py", "write"),
]


def _interpreter_of(script: str) -> str:
    """The interpreter a console script's #! line names (a different spelling of the
    same venv's python would change FRORE_PYTHON, and SCons would rebuild the table)."""
    first = Path(script).read_text(errors="replace").splitlines()[0]
    return first[2:].strip().split()[0] if first.startswith("#!") else "python3"


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and filename.replace("\\", "/").endswith(suffix):
            total += ct
    return total


def breakdown(root: Path, reps: int) -> Section:
    section = Section("SCons no-op build: where the time goes (full-stdlib manifest)")
    embed = root / "examples" / "embed"
    scons = tool("scons")
    builds.scons_build(root)                       # settle
    walls: list[float] = []
    totals: dict[str, list[float]] = {}
    for _ in range(max(reps, 3)):
        out = []
        walls.append(timed(lambda out=out: out.append(
            run([scons, "-Q", f"-j{builds.JOBS}", "--debug=time"], cwd=embed))))
        for what, seconds in DEBUG_TIME.findall(out[0].stdout):
            totals.setdefault(what, []).append(float(seconds))
    section.rows.append(single_row("scons", "SCons no-op build (--debug=time run)", "SCons",
                                   walls, at_most=0.8))
    med = {k: statistics.median(v) for k, v in totals.items()}
    build_total = med.get("build", 0.0)
    split = {
        "wall time of the no-op": f"{statistics.median(walls):.3f} s",
        "start-up (interpreter + SCons imports; wall − SCons's total)":
            f"{statistics.median(walls) - build_total:.3f} s",
        "SConscript file execution (incl. the two subprocesses)":
            f"{med.get('SConscript file execution', 0):.3f} s",
        "SCons execution (deciding every node is up to date)":
            f"{med.get('SCons execution', 0):.3f} s",
        "SConsign sync": f"{med.get('SConsign sync', 0):.3f} s",
        "commands run": f"{med.get('command execution', 0):.3f} s",
    }
    section.facts["scons_debug_time_medians"] = split

    # The SConstruct's two subprocesses, alone.
    python = _interpreter_of(scons)
    state = root / "breakdown"
    state.mkdir(exist_ok=True)
    toolpath, gen = [], []
    for _ in range(max(reps, 3)):
        toolpath.append(timed(lambda: run([python, "-m", "frore.scons"], cwd=embed)))
        gen.append(timed(lambda: run([*FRORE, "-q", "gen", "scons", "-m", "frozen.toml",
                                      "-o", state / "x.json"], cwd=embed)))
    section.facts["subprocesses_alone"] = {
        "python -m frore.scons (toolpath)": f"{statistics.median(toolpath):.3f} s",
        "frore gen scons (the resolved manifest)": f"{statistics.median(gen):.3f} s",
    }

    # One profiled run (-j1), with the interpreter the script names.
    prof = state / "scons.prof"
    run([python, "-m", "cProfile", "-o", prof, scons, "-Q", "-j1"], cwd=embed)
    stats = pstats.Stats(str(prof))
    total = _cumulative(stats, "SCons/Script/Main.py", "main") or 1.0
    shares = {}
    for label, suffix, name in PROFILE_PARTS:
        seconds = _cumulative(stats, suffix, name)
        shares[label] = f"{seconds:.3f} s ({100 * seconds / total:.0f} %)"
    section.facts["profiled_run_-j1_(cProfile_inflates_python_code)"] = {
        "SCons main(), total": f"{total:.3f} s", **shares}
    headers = list((embed / "frozen").glob("*.frozen.h"))
    section.facts["module_headers_(not_scanned:_empty_include_lists)"] = \
        f"{len(headers)} headers, {sum(p.stat().st_size for p in headers):,} bytes"
    return section


def bench_alone(work: Path, modules, reps: int) -> list[Section]:
    """Only the SCons case: its tree, a first build, then the no-op breakdown."""
    import stdlib_set

    if not tool("scons"):
        section = Section("SCons no-op build: where the time goes (full-stdlib manifest)")
        section.rows.append(skipped_row("scons", "SCons", "scons not installed"))
        return [section]
    root = builds.make_tree(work / "scons", modules, stdlib_set.manifest_text(modules.names))
    builds.scons_o2(root)
    builds.SCONS.first(root)
    return [breakdown(root, reps)]
