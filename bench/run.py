"""Run every frore benchmark and write bench/results/latest.{md,json}.

    python bench/run.py              # everything, full stdlib (< 10 min on 2 cores)
    python bench/run.py --only startup,compile --reps 5
    python bench/run.py --quick      # a ~40-module subset: for developing the bench

Scratch trees go to --work (default /tmp/frore-bench); the repository is only
written under bench/results/.  Run it with the interpreter that has frore
installed (a venv's python is fine: it is a real binary, not a pyenv shim).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import builds  # noqa: E402
import compile_cost  # noqa: E402
import report  # noqa: E402
import size  # noqa: E402
import startup  # noqa: E402
import stdlib_set  # noqa: E402
import throughput  # noqa: E402
from common import RESULTS, Section, machine  # noqa: E402

ALL = ("startup", "throughput", "builds", "compile", "size")


def quick_subset(modules: stdlib_set.ModuleSet, count: int = 40) -> stdlib_set.ModuleSet:
    """The first *count* modules plus json (the one-edit benchmark edits json.encoder)."""
    keep = sorted(set(modules.names[:count]) | {n for n in modules.names if n.startswith("json")})
    files = {n: modules.files[n] for n in keep}
    return stdlib_set.ModuleSet(keep, files, modules.skipped_compile,
                                sum(p.stat().st_size for p in files.values()), modules.stdlib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/frore-bench"))
    parser.add_argument("--reps", type=int, default=3, help="pairs for the slow comparisons")
    parser.add_argument("--startup-reps", type=int, default=30, help="pairs for start-up runs")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma list of {', '.join(ALL)}")
    parser.add_argument("--quick", action="store_true", help="small module subset (develop)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(only) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    info = machine()
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections: list[Section] = []

    def step(name: str) -> None:
        print(f"bench: {name} ({time.perf_counter() - started:.0f} s so far)", flush=True)

    modules = stdlib_set.discover()
    if args.quick:
        modules = quick_subset(modules)
    full = args.work / "full"
    needs_full = {"throughput", "compile", "size"} & set(only)
    if needs_full:
        stdlib_set.prepare(full, modules)

    if "startup" in only:
        step("startup")
        sections.append(startup.bench(args.work / "startup", args.startup_reps))
    if "throughput" in only:
        step("throughput")
        sections.append(throughput.bench(full, modules, args.reps))
    elif needs_full:
        throughput.regen(full)
    if "builds" in only:
        step("builds")
        sections.append(builds.bench(args.work / "builds", modules, args.reps))
    if "compile" in only or "size" in only:
        step("compile")
        compiled, blobs = compile_cost.bench(full, modules, args.reps if "compile" in only else 1)
        if "compile" in only:
            sections.append(compiled)
        if "size" in only:
            step("size")
            sections.append(size.bench(full, full / "cc" / "frore" / "frozen_modules.o",
                                       sum(len(b) for b in blobs.values())))

    info["load_after"] = __import__("os").getloadavg()[0]
    info["wall_seconds"] = round(time.perf_counter() - started, 1)
    info["modules"] = len(modules.names)
    info["quick"] = args.quick
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report.to_json(info, sections), indent=2) + "\n")
    (args.out / "latest.md").write_text(report.to_markdown(info, sections))
    print(report.to_markdown(info, sections))
    print(f"bench: done in {info['wall_seconds']} s; wrote {args.out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
