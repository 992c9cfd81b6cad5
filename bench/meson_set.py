"""Benchmark 4: Meson's first build and one-edit rebuild of a ~285-module set.

The set is the first 285 names of the full-stdlib set in sorted order
(``__future__`` ... ``encodings.*``), so it is reproducible on any 3.11.

* first build: ``meson setup`` (-O0) + ``ninja`` from clean: one freezer
  process per part of the table, the table and its parts, main.c, the link.  Against
  the batched way, in a clean copy of the same tree: ``frore regen --force``
  (headers folder removed first, so every header is written), then
  ``gcc -O0 -Wall -Wextra -c`` of the table, its parts and main.c (as many at
  once as there are CPUs, like ninja) and the link.  Same compiler, flags
  (Meson's warning_level=2), objects and binary.
* one edit: append a comment to csv.py (16 KB, in the set) and run ``ninja``;
  the log must show one module re-frozen and one part compiled.  Against the
  same batched from-scratch build: what an edit costs without per-module
  rules.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import builds
import stdlib_set
from common import FRORE, Section, alternate, cost_row, run, skipped_row, timed, tool

SET_SIZE = 285
EDIT_CANDIDATES = ("csv", "json.encoder")
CFLAGS = ["-O0", "-Wall", "-Wextra"]


def module_set(modules: stdlib_set.ModuleSet, count: int = SET_SIZE) -> stdlib_set.ModuleSet:
    keep = modules.names[:count]
    files = {n: modules.files[n] for n in keep}
    return stdlib_set.ModuleSet(keep, files, modules.skipped_compile,
                                sum(p.stat().st_size for p in files.values()), modules.stdlib)


def _meson_setup(root: Path) -> None:
    run([tool("meson"), "setup", "-Doptimization=0", "-Ddebug=false", root / "build", root],
        cwd=root, env=builds.ninja_env())


def _meson_first(root: Path, setups: list[float]) -> None:
    """The first build; the time of its configure step goes to *setups*."""
    builds._rm(root / "build", root / "examples" / "embed" / "frozen")
    setups.append(timed(lambda: _meson_setup(root)))
    run([tool("ninja"), "-C", root / "build"], cwd=root)


def _empty_setup(work: Path) -> float:
    """``meson setup`` of a one-file C project: Meson's own configure cost."""
    root = work / "empty"
    root.mkdir(parents=True, exist_ok=True)
    (root / "meson.build").write_text("project('empty', 'c')\nexecutable('x', 'x.c')\n")
    (root / "x.c").write_text("int main(void) { return 0; }\n")
    builds._rm(root / "build")
    return timed(lambda: _meson_setup(root))


def _ninja(root: Path) -> subprocess.CompletedProcess:
    return run([tool("ninja"), "-v", "-C", root / "build"], cwd=root)


def regen_and_gcc(root: Path) -> None:
    """The batched build from scratch: regen every header, compile, link."""
    embed = root / "examples" / "embed"
    builds._rm(embed / "frozen", embed / "objs", embed / "embed")
    run([*FRORE, "regen", "-q", "--force"], cwd=embed)
    (embed / "objs").mkdir()
    include = sysconfig.get_path("include")
    sources = [embed / "main.c", embed / "frozen" / "frozen_modules.c",
               *sorted((embed / "frozen").glob("frozen_modules_*.c"))]

    def cc(src: Path) -> Path:
        obj = embed / "objs" / (src.stem + ".o")
        run(["gcc", *CFLAGS, f"-I{include}", f"-I{embed}", "-c", src, "-o", obj], cwd=embed)
        return obj

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        objects = list(pool.map(cc, sources))
    libdir = sysconfig.get_config_var("LIBDIR")
    run(["gcc", "-o", embed / "embed", *objects, f"-L{libdir}",
         f"-lpython{sysconfig.get_config_var('LDVERSION')}", f"-Wl,-rpath,{libdir}"], cwd=embed)


def bench(work: Path, modules: stdlib_set.ModuleSet, reps: int) -> Section:
    subset = module_set(modules)
    section = Section(f"Meson first build and one edit ({len(subset.names)}-module stdlib set, -O0)")
    if not (tool("meson") and tool("ninja")):
        section.rows.append(skipped_row("meson285", "Meson", "meson or ninja not installed"))
        return section
    edit_module = next((m for m in EDIT_CANDIDATES if m in subset.files), subset.names[-1])
    manifest = stdlib_set.manifest_text(subset.names)
    meson_root = builds.make_tree(work / "meson", subset, manifest)
    batch_root = builds.make_tree(work / "batched", subset, manifest)
    regen_and_gcc(batch_root)                   # warm: page cache, .pyc files
    setups: list[float] = []
    first_a, first_b = alternate(lambda: timed(lambda: regen_and_gcc(batch_root)),
                                 lambda: timed(lambda: _meson_first(meson_root, setups)), reps)
    empty = statistics.median(_empty_setup(work) for _ in range(max(reps, 3)))
    setup = statistics.median(setups)
    builds_a, builds_b = statistics.median(first_a), statistics.median(first_b)
    a_label = f"frore regen --force + gcc -O0 (-j{os.cpu_count() or 1}) + link"
    section.rows.append(cost_row(
        "meson285", "first build: configure + freeze + compile table and parts + link",
        a_label, first_a, "meson setup + ninja", first_b, at_most=1.5))

    settle = builds.count_work(_ninja(meson_root).stdout)
    edit_file = subset.copied(edit_module, meson_root / "examples" / "embed" / "lib")
    counter = [0]
    works: list[dict[str, int]] = []

    def one_edit() -> float:
        builds.edit(edit_file, counter)
        out: list[subprocess.CompletedProcess] = []
        seconds = timed(lambda: out.append(_ninja(meson_root)))
        works.append(builds.count_work(out[0].stdout))
        return seconds

    edit_a, edit_b = alternate(lambda: timed(lambda: regen_and_gcc(batch_root)), one_edit, reps)
    exact = all(w == {"frozen": 1, "parts": 1, "table": 0} for w in works)
    row = cost_row("meson285", f"build after editing {edit_module.replace('.', '/')}.py",
                   a_label, edit_a, "ninja", edit_b, at_most=0.3,
                   note=" / ".join(sorted({builds.work_text(w) for w in works})))
    if not exact:
        row.met = False
        row.target += "; exactly 1 module frozen and 1 part compiled"
    section.rows.append(row)
    section.facts.update({
        "module_set": f"the first {len(subset.names)} names of the full-stdlib set, sorted "
                      f"({subset.names[0]} ... {subset.names[-1]})",
        "source_bytes": subset.source_bytes,
        "edited_module": edit_module,
        "meson_options": "-Doptimization=0 -Ddebug=false (warning_level=2 from meson.build)",
        "batched_compile": "gcc " + " ".join(CFLAGS) + " -c, main.c + table + "
                           f"{len(list((batch_root / 'examples/embed/frozen').glob('frozen_modules_*.c')))}"
                           " parts, then link against libpython",
        "ninja_right_after_the_first_build": builds.work_text(settle),
        "meson_setup_of_the_first_build": f"{setup:.2f} s",
        "meson_setup_of_a_one_file_c_project": f"{empty:.2f} s",
    })
    section.notes.append(
        f"Bound: the configure step alone ({setup:.2f} s, of which {empty:.2f} s is what "
        f"Meson spends configuring a one-file C project) is {setup / builds_a:.2f}× the "
        f"batched build; the ninja part ({builds_b - setup:.2f} s: freezing, compiling, "
        f"linking) is {(builds_b - setup) / builds_a:.2f}× it.")
    return section
