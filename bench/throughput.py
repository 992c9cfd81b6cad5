"""Benchmark 3: freeze throughput on the full stdlib.

frore's ``regen`` (batched worker processes, one per CPU) from scratch, versus
CPython's build pattern: one freezer process per module (``percall_freeze.py``),
run with the same parallelism, as ``make -jN`` would.  Then ``regen`` again
with nothing changed, which must only read and compare.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import BENCH, FRORE, PYTHON, Section, alternate, ratio_row, run, single_row, timed

PERCALL = BENCH / "percall_freeze.py"


def regen(work: Path) -> None:
    """Bring work/frozen up to date (other benchmarks read it)."""
    run([*FRORE, "regen", "-q"], cwd=work)


def _regen_from_scratch(work: Path) -> float:
    shutil.rmtree(work / "frozen", ignore_errors=True)
    return timed(lambda: run([*FRORE, "regen", "-q"], cwd=work))


def _one_process_per_module(work: Path, modules, jobs: int) -> float:
    out = work / "percall"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    lib = work / "lib"

    def freeze(name: str) -> int:
        return subprocess.call([PYTHON, "-I", "-S", str(PERCALL), name,
                                str(modules.copied(name, lib)), str(out / f"{name}.h")])

    def all_modules() -> None:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            codes = list(pool.map(freeze, modules.names))
        if any(codes):
            raise RuntimeError("percall_freeze.py failed for some module")

    return timed(all_modules)


def compile_only_seconds(work: Path, modules) -> float:
    """CPU floor shared by both approaches: compile + marshal every module, one process."""
    import marshal

    sources = [(n, modules.copied(n, work / "lib").read_bytes()) for n in modules.names]
    t0 = time.process_time()
    for name, source in sources:
        marshal.dumps(compile(source, f"<frozen {name}>", "exec", dont_inherit=True, optimize=0))
    return time.process_time() - t0


def bench(work: Path, modules, reps: int) -> Section:
    section = Section("Freeze throughput (full stdlib)")
    jobs = os.cpu_count() or 1
    scratch, percall = alternate(lambda: _regen_from_scratch(work),
                                 lambda: _one_process_per_module(work, modules, jobs), reps)
    section.rows.append(ratio_row(
        "throughput", f"freeze {len(modules.names)} modules from scratch",
        f"one process per module (-j{jobs})", percall, "frore regen", scratch, target=10))
    # Leave a complete, current output tree for the unchanged runs (and later benchmarks).
    _regen_from_scratch(work)
    unchanged = [timed(lambda: run([*FRORE, "regen", "-q"], cwd=work)) for _ in range(max(reps, 5))]
    section.rows.append(single_row("throughput", "regen again, nothing changed", "frore regen",
                                   unchanged, limit=0.5))
    floor = compile_only_seconds(work, modules)
    best = statistics.median(percall) / (floor / jobs)
    section.notes.append(
        f"Floor: compiling and marshalling all {len(modules.names)} modules in one process takes "
        f"{floor:.2f} s of CPU ({floor / jobs:.2f} s over {jobs} CPUs).  Even with no overhead at "
        f"all, a batched freezer can be at most {best:.1f}× faster than one process per module "
        f"here, because an isolated interpreter start-up (-I -S) costs only a few ms per module.")
    headers = list((work / "frozen").glob("*.frozen.h"))
    siblings = list((work / "frozen").glob("*.frozen.msvc.h"))
    section.facts.update({
        "modules": len(modules.names),
        "skipped_not_compiling": modules.skipped_compile,
        "source_bytes": modules.source_bytes,
        "module_header_files": len(headers),
        "header_bytes": sum(p.stat().st_size for p in headers),
        "msvc_only_array_siblings": f"{len(siblings)} files, "
                                    f"{sum(p.stat().st_size for p in siblings):,} bytes",
        "jobs": jobs,
        "compile_and_marshal_cpu_seconds": round(floor, 2),
        "best_possible_ratio_here": round(best, 1),
    })
    return section
