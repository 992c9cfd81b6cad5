"""Benchmark 7: binary size per frozen byte, and peak memory of ``frore regen``.

Size: the example's main.c linked with the full-stdlib module table and its
parts, against the same table and parts compiled with
``-DFRORE_DISABLE_FROZEN_MODULES`` (embeds no module data, keeps everything
else).  The difference in the stripped binary,
divided by the marshal bytes, is what each frozen byte costs; it includes the
module table's entries and the one NUL after each blob.

Memory: ``frore regen --force`` on the full stdlib, measured two ways: the
largest single process (``wait4`` rusage) and the whole process tree, sampled
from /proc every 10 ms (main process plus its freezing workers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import threading
import time
from pathlib import Path

from common import EXAMPLE, FRORE, Row, Section, Stat, fresh_dir, run

LIBDIR = sysconfig.get_config_var("LIBDIR")
LDVERSION = sysconfig.get_config_var("LDVERSION")


def _link(work: Path, table_o: list[Path], out: Path) -> int:
    include = sysconfig.get_path("include")
    main_o = work / "main.o"
    if not main_o.exists():
        shutil.copy(EXAMPLE / "main.c", work / "main.c")
        run(["gcc", "-O2", f"-I{include}", f"-I{work}", "-c", "main.c", "-o", main_o], cwd=work)
    run(["gcc", "-o", out, main_o, *table_o, f"-L{LIBDIR}", f"-lpython{LDVERSION}"], cwd=work)
    run(["strip", out])
    return out.stat().st_size


def binary_size(work: Path, full_table_o: list[Path], marshal_total: int) -> Row:
    include = sysconfig.get_path("include")
    disabled = fresh_dir(work / "cc" / "disabled")
    sources = ["frozen_modules.c", *sorted(p.name for p in (work / "frozen").glob(
        "frozen_modules_*.c"))]
    run(["gcc", "-O2", f"-I{include}", "-DFRORE_DISABLE_FROZEN_MODULES", "-c",
         *[work / "frozen" / s for s in sources]], cwd=disabled)
    empty_o = [disabled / (Path(s).stem + ".o") for s in sources]
    full = _link(work, full_table_o, work / "embed_full")
    empty = _link(work, empty_o, work / "embed_disabled")
    per_byte = (full - empty) / marshal_total
    return Row("size", "stripped binary bytes added per marshal byte", "frore table",
               Stat(per_byte, per_byte, per_byte, 1), unit="×", target="≤ 1.02×",
               met=per_byte <= 1.02,
               note=f"{full - empty:,} bytes added for {marshal_total:,} marshal bytes")


def _tree_rss(pid: int) -> int:
    """Resident set (KiB) of *pid* and all its descendants right now."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def peak_memory(work: Path) -> list[Row]:
    proc = subprocess.Popen([*FRORE, "regen", "-q", "--force"], cwd=work)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"frore regen --force exited {proc.returncode}")
    largest = usage.ru_maxrss / 1024
    tree = peak[0] / 1024
    return [
        Row("size", "peak RSS of frore regen --force, largest process", "frore regen",
            Stat(largest, largest, largest, 1), unit="MiB"),
        Row("size", "peak RSS of frore regen --force, whole process tree (sampled)",
            "frore regen", Stat(tree, tree, tree, 1), unit="MiB"),
    ]


def bench(work: Path, full_table_o: list[Path], marshal_total: int) -> Section:
    section = Section("Size and memory (full stdlib)")
    section.rows.append(binary_size(work, full_table_o, marshal_total))
    section.rows += peak_memory(work)
    return section
