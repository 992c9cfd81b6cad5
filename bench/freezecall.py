"""Benchmark 2: the freezer calls build rules run, against a bare start.

Build rules run the target interpreter itself on frore's freezer script:

* Make (after an edit) and MSBuild, one module per process:
  ``freezer_command(python) + ["--", NAME, SOURCE, OUTPUT]``, timed on
  json/encoder.py (16 KB of source, a typical stdlib module), writing a fresh
  header each time;
* Meson, CMake and SCons, one process per part of the module table
  (``freezer_command(python, "freeze-part")``): after an edit of json/encoder.py
  its part re-runs, compiling that module and only touching the headers of the
  others (here: the full stdlib's part holding json.encoder).

Each is timed against a bare start of the same interpreter,
``python -I -S -c pass``: the least any process can cost.  They alternate.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from common import Section, alternate, cost_row, fresh_dir, top_imports

MODULE = "json.encoder"


def _call(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _in_process(name: str, source: Path) -> dict[str, float]:
    """Milliseconds of the freezer's own steps, in this process (median of 20)."""
    from frore import _worker, header

    steps: dict[str, list[float]] = {}

    def clock(label: str, fn):
        t0 = time.perf_counter()
        result = fn()
        steps.setdefault(label, []).append((time.perf_counter() - t0) * 1000)
        return result

    script = Path(_worker.__file__).read_text()
    for _ in range(20):
        text, data = clock("compile + canonical marshal",
                           lambda: _worker.compile_file(name, str(source)))
        key = header.header_key(name, text, "0" * 8, 0)
        clock("render the header",
              lambda data=data, key=key: header.render(name, data, sys.version_info[:2], key, 0))
        clock("compiling _worker.py (a script has no .pyc)",
              lambda: compile(script, "_worker.py", "exec"))
    return {k: statistics.median(v) for k, v in steps.items()}


def _part_rerun(work: Path, python: str, bare: list[str], reps: int):
    """The freeze-part call Meson, CMake and SCons re-run after json/encoder.py changed:
    every module of its part (full-stdlib manifest) is key-checked, one compiled."""
    from frore.emit_c import part_of
    from frore.interpreter import freezer_command

    full = work.parent / "full"
    headers = full / "frozen"
    if not headers.is_dir():
        return None                         # the full-stdlib tree is made by --only throughput
    stdlib = Path(sysconfig.get_path("stdlib"))
    members = sorted(p.name[:-len(".frozen.h")] for p in headers.glob("*.frozen.h")
                     if part_of(p.name[:-len(".frozen.h")]) == part_of(MODULE))
    copy = fresh_dir(work / "part")
    operands: list[str] = []
    for name in members:
        shutil.copy(headers / f"{name}.frozen.h", copy)
        source = full / "lib" / (name.replace(".", "/") + ".py")
        if not source.exists():
            source = full / "lib" / name.replace(".", "/") / "__init__.py"
        if not source.exists():
            return None
        operands += [name, "0", str(source), str(copy / f"{name}.frozen.h")]
    command = [*freezer_command(python, "freeze-part"), "--", *operands]
    edited = copy / f"{MODULE}.frozen.h"

    def rerun() -> float:
        edited.unlink()                     # as after an edit: its key no longer matches
        return _call(command)

    _call(command)
    a, b = alternate(lambda: _call(bare), rerun, reps)
    del stdlib
    return cost_row("freezecall", f"re-run the part holding {MODULE} after an edit (Meson, "
                    "CMake, SCons)", "python -I -S -c pass", a, "freeze-part", b, at_most=1.5,
                    note=f"{len(members)} modules in the part: 1 compiled, the others "
                         "key-checked and touched")


def bench(work: Path, reps: int) -> Section:
    from frore.interpreter import freezer_command

    section = Section("One per-module freeze call (what build rules run)")
    python = sys.executable                 # the interpreter the bench's manifests target
    source = Path(sysconfig.get_path("stdlib")) / "json" / "encoder.py"
    out = fresh_dir(work) / f"{MODULE}.frozen.h"
    freeze = [*freezer_command(python), "--", MODULE, str(source), str(out)]
    bare = [python, "-I", "-S", "-c", "pass"]

    def one_freeze() -> float:
        out.unlink(missing_ok=True)         # every call writes the header, as after an edit
        return _call(freeze)

    _call(bare)
    one_freeze()                            # warm the page cache and frore's .pyc files
    a, b = alternate(lambda: _call(bare), one_freeze, reps)
    section.rows.append(cost_row("freezecall", f"freeze {MODULE} (Make, MSBuild: a process "
                                 "per module)", "python -I -S -c pass", a, "freezer", b,
                                 at_most=1.5))
    part_row = _part_rerun(work, python, bare, reps)
    if part_row is not None:
        section.rows.append(part_row)
    out.unlink(missing_ok=True)
    section.facts["freezer_imports_(-X importtime, top level)"] = top_imports(freeze)
    work_ms = _in_process(MODULE, source)
    bare_ms = statistics.median(a) * 1000
    section.facts["in_process_costs_(ms, median of 20)"] = "; ".join(
        f"{k}: {v:.2f}" for k, v in work_ms.items())
    floor = (bare_ms + work_ms["compile + canonical marshal"]) / bare_ms
    section.notes.append(
        f"Floor: a bare start ({bare_ms:.1f} ms) plus compiling and marshalling the module "
        f"({work_ms['compile + canonical marshal']:.1f} ms) is {floor:.2f}× a bare start; "
        "the rest of the freezer's time is its imports (os, frore.header, frore.write), "
        f"compiling _worker.py itself ({work_ms['compiling _worker.py (a script has no .pyc)']:.1f}"
        " ms: a script run by path is never cached), rendering and writing the header.")
    section.facts.update({
        "command": " ".join(freezer_command("python")) + f" -- {MODULE} SOURCE OUTPUT",
        "interpreter": python,
        "source_bytes": source.stat().st_size,
        "header_bytes": out.stat().st_size,
    })
    return section
