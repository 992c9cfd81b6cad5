"""Benchmark 5: first, no-op and one-edit builds with the full-stdlib manifest.

Each backend gets its own tree shaped like the repository (top-level
meson.build, examples/embed with its Makefile / CMakeLists.txt / SConstruct /
main.c) whose frozen.toml is replaced by the full-stdlib manifest, sources in
examples/embed/lib.  The build is the example's whole build: every header,
the module table and its parts, main.c, and the linked binary.  Every backend
compiles at -O2 (Make's CFLAGS default; Meson ``-Doptimization=2``; CMake
``CMAKE_C_FLAGS=-O2 -Wall``; the SCons copy's SConstruct gets
``CCFLAGS=-O2 -Wall``), so the builds do the same C work.

* first build from clean: Make's documented way (``frore regen``, then
  ``make -jN``) against Meson (configure + ninja), CMake (configure +
  ``cmake --build``, Ninja generator) and SCons (``scons -jN``), which freeze
  one module per process; in each round every backend builds once, in a
  rotating order, and each round gives one ratio per backend.
* the build right after the first build: must do nothing (it is recorded).
* no-op: build again with nothing changed.
* one edit: append a comment to json/encoder.py and build; the log must show
  exactly one module re-frozen and one part of the module table recompiled
  (never the table itself).

Backends whose tool is missing are listed as skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import stdlib_set
from common import (
    EXAMPLE,
    FRORE,
    PYTHON,
    REPO,
    Row,
    Section,
    cost_row,
    run,
    single_row,
    skipped_row,
    timed,
    tool,
)

EDIT_MODULE = "json.encoder"
JOBS = os.cpu_count() or 1
# A line of a build log that says one module was compiled: Make's rule echoes
# "FREEZE name", and the per-part freezer (Meson, CMake, SCons) prints it for each
# module it compiled (not for those whose header was current).
FREEZE_LINE = re.compile(r"^\s*FREEZE\s+\S+\s*$")
PART = re.compile(r"frozen_modules_\d+\.(?:c|o)\b")
TABLE = re.compile(r"frozen_modules\.(?:c|o)\b")
COMPILE = re.compile(r"(?:^|\s)-c(?:\s|$)|^\s*CC\s")
EXPLAIN = re.compile(r"`([^']+)' is a new dependency")
SCONS_FLAGS_ANCHOR = 'env.Program("embed"'
SCONS_FLAGS = 'env.Append(CCFLAGS=["-O2", "-Wall"])   # added by bench/builds.py: -O2 like Make\n'


@dataclass
class Case:
    """One build system: how to clean its outputs, build from clean, and rebuild."""

    name: str
    clean: Callable[[Path], None]
    first: Callable[[Path], None]
    build: Callable[[Path], subprocess.CompletedProcess]
    first_text: str


def make_tree(root: Path, modules, manifest_text: str) -> Path:
    """Repository-shaped tree with *manifest_text* as examples/embed/frozen.toml."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("meson.build", "meson_options.txt"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    embed = root / "examples" / "embed"
    shutil.copytree(EXAMPLE, embed, ignore=shutil.ignore_patterns(
        "frozen", "embed", "*.o", "__pycache__", "build*", ".sconsign*", ".sconf_temp"))
    stdlib_set.copy_sources(modules, embed / "lib")
    (embed / "frozen.toml").write_text(manifest_text)
    return root


def count_work(log: str) -> dict[str, int]:
    """What a build log says was done: modules frozen, parts and table compiled."""
    work = {"frozen": 0, "parts": 0, "table": 0}
    for line in log.splitlines():
        if FREEZE_LINE.search(line):
            work["frozen"] += 1
        elif COMPILE.search(line) and PART.search(line):
            work["parts"] += 1
        elif COMPILE.search(line) and TABLE.search(line):
            work["table"] += 1
    return work


def _rm(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _embed(root: Path) -> Path:
    return root / "examples" / "embed"


# --- Make (the fragment frore writes) -------------------------------------

def _make_clean(root: Path) -> None:
    embed = _embed(root)
    _rm(embed / "frozen", embed / "main.o", embed / "embed")


def _make_first(root: Path) -> None:
    """The example's documented first build: ``frore regen`` (batched), then ``make``."""
    run([*FRORE, "regen", "-q"], cwd=_embed(root))
    run(["make", "-s", f"-j{JOBS}"], cwd=_embed(root))


def _make_build(root: Path) -> subprocess.CompletedProcess:
    return run(["make"], cwd=_embed(root))


# --- Meson + Ninja --------------------------------------------------------

def ninja_env() -> dict[str, str]:
    return {"NINJA": str(tool("ninja"))}


def _meson_clean(root: Path) -> None:
    _rm(root / "build", _embed(root) / "frozen")


def _meson_first(root: Path) -> None:
    run([tool("meson"), "setup", "-Doptimization=2", "-Ddebug=false", root / "build", root],
        cwd=root, env=ninja_env())
    run([tool("ninja"), "-C", root / "build"], cwd=root)


def _meson_build(root: Path) -> subprocess.CompletedProcess:
    return run([tool("ninja"), "-v", "-C", root / "build"], cwd=root)


# --- CMake (Ninja generator) -----------------------------------------------

def _cmake_clean(root: Path) -> None:
    _rm(root / "cbuild")


def _cmake_first(root: Path) -> None:
    cmake_dir = run([*FRORE, "--cmake-dir"]).stdout.strip()
    run([tool("cmake"), "-S", _embed(root), "-B", root / "cbuild", "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", f"-Dfrore_DIR={cmake_dir}",
         "-DCMAKE_C_FLAGS=-O2 -Wall",
         f"-DPython3_EXECUTABLE={PYTHON}", f"-DFRORE_PYTHON={sys.executable}"], cwd=root)
    run([tool("ninja"), "-C", root / "cbuild"], cwd=root)


def _cmake_build(root: Path) -> subprocess.CompletedProcess:
    return run([tool("ninja"), "-v", "-C", root / "cbuild"], cwd=root)


# --- SCons ---------------------------------------------------------------

def scons_o2(root: Path) -> None:
    """The copy's SConstruct compiles at -O2 -Wall, as the Makefile does."""
    sconstruct = _embed(root) / "SConstruct"
    text = sconstruct.read_text()
    if SCONS_FLAGS_ANCHOR not in text:
        raise RuntimeError(f"examples/embed/SConstruct changed: no {SCONS_FLAGS_ANCHOR!r}")
    sconstruct.write_text(text.replace(SCONS_FLAGS_ANCHOR, SCONS_FLAGS + SCONS_FLAGS_ANCHOR, 1))


def _scons_clean(root: Path) -> None:
    embed = _embed(root)
    _rm(embed / "frozen", embed / "main.o", embed / "embed", embed / ".sconsign.dblite",
        embed / ".sconf_temp")


def _scons_first(root: Path) -> None:
    run([tool("scons"), "-Q", f"-j{JOBS}"], cwd=_embed(root))


def scons_build(root: Path) -> subprocess.CompletedProcess:
    return run([tool("scons"), "-Q", f"-j{JOBS}"], cwd=_embed(root))


MAKE = Case("Make", _make_clean, _make_first, _make_build, f"frore regen + make -j{JOBS}")
MESON = Case("Ninja (Meson)", _meson_clean, _meson_first, _meson_build,
             "meson setup + ninja")
CMAKE = Case("CMake (Ninja)", _cmake_clean, _cmake_first, _cmake_build,
             "cmake configure + build")
SCONS = Case("SCons", _scons_clean, _scons_first, scons_build, f"scons -j{JOBS}")


def available_cases() -> tuple[list[Case], dict[str, str]]:
    """Cases whose tools exist now; the rest with the reason they are skipped."""
    cases: list[Case] = []
    skipped: dict[str, str] = {}
    if shutil.which("make"):
        cases.append(MAKE)
    else:
        skipped["Make"] = "make not installed"
    if not (tool("meson") and tool("ninja")):
        skipped["Ninja (Meson)"] = "meson or ninja not installed"
    else:
        cases.append(MESON)
    if not (tool("cmake") and tool("ninja")):
        skipped["CMake (Ninja)"] = "cmake or ninja not installed"
    else:
        cases.append(CMAKE)
    if not tool("scons"):
        skipped["SCons"] = "scons not installed"
    else:
        cases.append(SCONS)
    skipped["MSBuild"] = "needs Windows MSBuild; not measurable on this Linux machine"
    return cases, skipped


def edit(path: Path, counter: list[int]) -> None:
    """Append a comment: the module's bytes stay the same size class, its source changes."""
    counter[0] += 1
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n# bench edit {counter[0]}\n")


def _log(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout or "") + (proc.stderr or "")


def work_text(work: dict[str, int]) -> str:
    return f"{work['frozen']} frozen, {work['parts']} part(s) and {work['table']} table compiled"


def measure_incremental(case: Case, root: Path, edit_file: Path, reps: int,
                        noop_limit: float | None = None, noop_at_most: float | None = None,
                        edit_at_most: float | None = None) -> list[Row]:
    """No-op and one-edit builds of an already built tree."""
    counter = [0]
    noop: list[float] = []
    edits: list[float] = []
    works: list[dict[str, int]] = []
    noop_work: list[dict[str, int]] = []
    for _ in range(reps):
        out: list[subprocess.CompletedProcess] = []
        noop.append(timed(lambda out=out: out.append(case.build(root))))
        noop_work.append(count_work(_log(out[0])))
        edit(edit_file, counter)
        out = []
        edits.append(timed(lambda out=out: out.append(case.build(root))))
        works.append(count_work(_log(out[0])))
    exact = all(w == {"frozen": 1, "parts": 1, "table": 0} for w in works)
    idle = all(w == {"frozen": 0, "parts": 0, "table": 0} for w in noop_work)
    seen = sorted({work_text(w) for w in works})
    rows = [single_row("builds", f"{case.name}: no-op build", case.name, noop, limit=noop_limit,
                       at_most=noop_at_most,
                       note="" if idle else "NOT A NO-OP: " + "; ".join(
                           sorted({work_text(w) for w in noop_work})))]
    edit_row = single_row("builds", f"{case.name}: build after editing one .py", case.name,
                          edits, at_most=edit_at_most,
                          note=" / ".join(seen) + ("" if exact else
                                                   " — expected 1 frozen, 1 part, 0 table"))
    if not exact:
        edit_row.met = False
        edit_row.target = (edit_row.target + "; " if edit_row.target else "") + \
            "exactly 1 module frozen and 1 part compiled"
    if not idle:
        rows[0].met = False
    rows.append(edit_row)
    return rows


def _error_lines(exc: Exception) -> list[str]:
    lines = str(exc).strip().splitlines()
    return [line for line in lines if re.search(r"\berror:", line, re.I)][:3] or lines[-5:]


def bench(work: Path, modules, reps: int, breakdown: Callable[[Path, int], Section] | None = None,
          ) -> list[Section]:
    section = Section("First, no-op and one-edit builds (full-stdlib manifest, -O2)")
    cases, skipped = available_cases()
    roots: dict[str, Path] = {}
    manifest = stdlib_set.manifest_text(modules.names)
    for case in cases:
        roots[case.name] = make_tree(work / case.name.split()[0].lower(), modules, manifest)
        if case is SCONS:
            scons_o2(roots[case.name])
    firsts: dict[str, list[float]] = {c.name: [] for c in cases}
    failed: dict[str, str] = {}
    for i in range(reps):
        live = [c for c in cases if c.name not in failed]
        order = live[i % len(live):] + live[:i % len(live)] if live else []
        for case in order:
            root = roots[case.name]
            case.clean(root)
            try:
                firsts[case.name].append(timed(lambda case=case, root=root: case.first(root)))
            except RuntimeError as exc:
                failed[case.name] = " / ".join(_error_lines(exc))
    if MAKE.name in failed or MAKE not in cases:
        section.notes.append("Make's first build failed, so no backend has a baseline: "
                             + failed.get(MAKE.name, "make not installed"))
    after_first: dict[str, str] = {}
    for case in cases:
        if case.name in failed:
            skipped[case.name] = f"build fails: {failed[case.name][:200]}"
            continue
        if case is MAKE:
            section.rows.append(single_row("builds", "Make: first build from clean",
                                           f"{case.first_text}", firsts[case.name],
                                           note="baseline of the rows below"))
        elif MAKE.name in firsts and firsts[MAKE.name] and MAKE.name not in failed:
            n = min(len(firsts[MAKE.name]), len(firsts[case.name]))
            section.rows.append(cost_row(
                "builds", f"{case.name}: first build from clean",
                f"Make ({MAKE.first_text})", firsts[MAKE.name][:n],
                f"{case.name} ({case.first_text})", firsts[case.name][:n], at_most=1.3))
        # The build right after the first one must do nothing.
        if case is SCONS:   # the same build, asking SCons to say why it rebuilds anything
            log = _log(run([tool("scons"), "-Q", f"-j{JOBS}", "--debug=explain"],
                           cwd=_embed(roots[case.name])))
        else:
            log = _log(case.build(roots[case.name]))
        settle = count_work(log)
        after_first[case.name] = work_text(settle)
        if settle != {"frozen": 0, "parts": 0, "table": 0}:
            why = sorted(set(EXPLAIN.findall(log)))
            section.rows.append(Row(
                "builds", f"{case.name}: build right after the first build", case.name, None,
                target="does nothing", met=False,
                note=work_text(settle) + (f"; SCons: {len(why)} new dependencies, e.g. "
                                          + ", ".join(why[:3]) if why else "")))
        edit_file = modules.copied(EDIT_MODULE, _embed(roots[case.name]) / "lib")
        fast = case.name in (MAKE.name, MESON.name)
        section.rows += measure_incremental(
            case, roots[case.name], edit_file, reps,
            noop_limit=0.3 if fast else None,
            noop_at_most=0.8 if case is SCONS else None,
            edit_at_most=0.6 if fast else None)
    for name, reason in skipped.items():
        section.rows.append(skipped_row("builds", name, reason))
    section.facts.update({
        "modules": len(modules.names),
        "edited_module": EDIT_MODULE,
        "parallel_jobs": f"make -j{JOBS}, scons -j{JOBS}, ninja's default (CPUs + 2)",
        "work_done_by_the_build_right_after_the_first_build": after_first,
        "build_failures": failed or "none",
        "skipped": skipped,
    })
    if MAKE.name in firsts and firsts[MAKE.name]:
        bare = statistics.median(timed(lambda: run([sys.executable, "-I", "-S", "-c", "pass"]))
                                 for _ in range(10))
        floor = len(modules.names) * bare / JOBS
        make_first = statistics.median(firsts[MAKE.name])
        section.notes.append(
            f"Floor of one process per module: {len(modules.names)} bare interpreter starts "
            f"({bare * 1000:.1f} ms each, python -I -S -c pass) over {JOBS} CPUs take "
            f"{floor:.2f} s before anything is compiled, {floor / make_first:.2f}× Make's whole "
            f"first build ({make_first:.2f} s), which starts {JOBS} freezing workers in all.")
    sections = [section]
    if breakdown and SCONS in cases and SCONS.name not in failed:
        sections.append(breakdown(roots[SCONS.name], reps))
    return sections
