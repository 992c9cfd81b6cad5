"""Run every frore benchmark and write bench/results/latest.{md,json}.

    python bench/run.py              # everything, full stdlib (< 15 min on 2 cores)
    python bench/run.py --only startup,compile --reps 5
    python bench/run.py --quick      # a ~45-module subset, fewer pairs: for developing the bench

Scratch trees go to --work (default: frore-bench in the system's temporary
folder); the repository is only written under bench/results/ (and the .pyc
caches of tools/frore).  Run it with the interpreter that has frore installed
(a venv's python is fine: it is a real binary, not a pyenv shim).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, RESULTS, Section, machine, prepare_environment, warm_pycs  # noqa: E402

prepare_environment()       # before anything starts a process: no PYTHONDONTWRITEBYTECODE

import builds  # noqa: E402
import compile_cost  # noqa: E402
import cpython_tree  # noqa: E402
import freezecall  # noqa: E402
import meson_set  # noqa: E402
import report  # noqa: E402
import scons_noop  # noqa: E402
import size  # noqa: E402
import startup  # noqa: E402
import stdlib_set  # noqa: E402
import throughput  # noqa: E402

# In the order they run; --only takes any subset.
ALL = {
    "startup": "start-up of the example, frozen vs .pyc, and where its import phase goes",
    "optimize": "the example with optimize = 2 vs 0: size and start-up",
    "freezecall": "one per-module freeze call vs a bare interpreter start",
    "throughput": "frore regen of the full stdlib vs one process per module",
    "meson285": "Meson first build and one-edit build of 285 modules vs regen + gcc",
    "builds": "full-stdlib first / no-op / one-edit builds per backend (+ SCons no-op breakdown)",
    "sconsnoop": "only the SCons no-op breakdown (builds includes it)",
    "compile": "gcc -O2 of frore's C vs {0x..} arrays, same bytes",
    "size": "binary bytes per marshal byte, peak memory of regen",
    "cpython": "frore regen vs freeze_modules.py on a CPython 3.11.2 tree",
}


def quick_subset(modules: stdlib_set.ModuleSet, count: int = 40) -> stdlib_set.ModuleSet:
    """The first *count* modules plus json (the one-edit benchmark edits json.encoder)."""
    keep = sorted(set(modules.names[:count]) | {n for n in modules.names if n.startswith("json")})
    files = {n: modules.files[n] for n in keep}
    return stdlib_set.ModuleSet(keep, files, modules.skipped_compile,
                                sum(p.stat().st_size for p in files.values()), modules.stdlib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="benchmarks: " + "; ".join(f"{k}: {v}" for k, v in ALL.items()))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "frore-bench")
    parser.add_argument("--reps", type=int, default=None,
                        help="pairs for the slow comparisons (default 3; --quick: 2)")
    parser.add_argument("--startup-reps", type=int, default=None,
                        help="pairs for start-up runs (default 30; --quick: 10)")
    parser.add_argument("--only", default=",".join(k for k in ALL if k != "sconsnoop"),
                        help="comma list of: " + ", ".join(ALL))
    parser.add_argument("--quick", action="store_true",
                        help="small module subset and fewer pairs (develop the bench)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(only) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    reps = args.reps or (2 if args.quick else 3)
    startup_reps = args.startup_reps or (10 if args.quick else 30)

    started = time.perf_counter()
    info = machine()
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info["pycs_warmed"] = warm_pycs()
    sections: list[Section] = []

    def step(name: str) -> None:
        print(f"bench: {name} ({time.perf_counter() - started:.0f} s so far)", flush=True)

    modules = stdlib_set.discover()
    if args.quick:
        modules = quick_subset(modules)
    full = args.work / "full"
    needs_full = {"throughput", "compile", "size", "freezecall"} & set(only)
    if needs_full:
        stdlib_set.prepare(full, modules)
        throughput.regen(full)              # the headers freezecall and compile start from

    if "startup" in only:
        step("startup")
        sections += startup.bench(args.work / "startup", startup_reps)
    if "optimize" in only:
        step("optimize")
        sections.append(startup.optimize_bench(args.work / "optimize", startup_reps))
    if "freezecall" in only:
        step("freezecall")
        sections.append(freezecall.bench(args.work / "freezecall", startup_reps))
    if "throughput" in only:
        step("throughput")
        sections.append(throughput.bench(full, modules, reps))
        throughput.regen(full)
    if "meson285" in only:
        step("meson285")
        sections.append(meson_set.bench(args.work / "meson285", modules, reps))
    if "builds" in only:
        step("builds")
        sections += builds.bench(args.work / "builds", modules, reps,
                                 breakdown=scons_noop.breakdown)
    elif "sconsnoop" in only:
        step("sconsnoop")
        sections += scons_noop.bench_alone(args.work / "builds", modules, reps)
    if "compile" in only or "size" in only:
        step("compile")
        compiled, blobs = compile_cost.bench(full, modules, reps if "compile" in only else 1)
        if "compile" in only:
            sections.append(compiled)
        if "size" in only:
            step("size")
            sections.append(size.bench(full, compile_cost.objects(full / "cc" / "frore"),
                                       sum(len(b) for b in blobs.values())))
    if "cpython" in only:
        step("cpython")
        sections.append(cpython_tree.bench(args.work / "cpython", reps))

    info["load_after"] = os.getloadavg()[0]
    info["wall_seconds"] = round(time.perf_counter() - started, 1)
    info["modules"] = len(modules.names)
    info["quick"] = args.quick
    args.out.mkdir(parents=True, exist_ok=True)
    places = {str(args.work): "<work>", str(REPO): "<checkout>", str(Path.home()): "~"}
    as_json = json.dumps(report.to_json(info, sections), indent=2) + "\n"
    (args.out / "latest.json").write_text(report.public(as_json, places))
    markdown = report.public(report.to_markdown(info, sections), places)
    (args.out / "latest.md").write_text(markdown)
    print(markdown)
    print(f"bench: done in {info['wall_seconds']} s; wrote {args.out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
