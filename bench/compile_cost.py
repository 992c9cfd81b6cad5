"""Benchmark 4: C compile cost of the full-stdlib headers.

The same module table (frore's frozen_modules.c, which includes every header)
is compiled with ``gcc -O2 -c`` against three header sets holding the same
marshal bytes:

* plain ``{0x63,0x00,...}`` byte arrays, the way CPython's build writes them;
* frore's headers as written (string literals; where a blob is too long for
  MSVC's string literals, also an integer array inside ``#if defined(_MSC_VER)``,
  which GCC must still scan while skipping it);
* frore's headers with any MSVC-only integer-array block removed: what GCC
  would cost if no header carried one (shows what bounds the first row;
  omitted when no header has such a block).
"""

from __future__ import annotations

import re
import shutil
import sysconfig
from pathlib import Path

from common import Section, fresh_dir, frore_headers, ratio_row, run, timed

MSVC_OPEN = "#if defined(_MSC_VER) && !defined(__clang__)\n"
ELSE = "#else\n"
SYMBOL = re.compile(r"static const unsigned char (\w+)\[\]")
SIZE = re.compile(r"/\* (\d+) bytes of marshal data")


def marshal_bytes(work: Path, modules) -> dict[str, bytes]:
    """Each header's marshal data, frozen again in-process (canonical, same bytes)."""
    from frore import _worker

    out = {}
    for name in modules.names:
        item = _worker.freeze_one(name, str(modules.copied(name, work / "lib")))
        out[name] = item["data"]
    return out


def _array_header(symbol: str, data: bytes) -> str:
    lines = [f"static const unsigned char {symbol}[] = {{"]
    for start in range(0, len(data), 16):
        lines.append("    " + "".join(f"0x{b:02x}," for b in data[start:start + 16]))
    lines.append("};")
    return "\n".join(lines) + "\n"


def _strip_msvc(text: str) -> str | None:
    """Header text without the MSVC array (None if the layout is not recognised)."""
    start = text.find(MSVC_OPEN)
    if start < 0:
        return None
    middle = text.find(ELSE, start)
    end = text.rfind("#endif")
    if middle < 0 or end < middle:
        return None
    return text[:start] + text[middle + len(ELSE):end] + text[end + len("#endif\n"):]


def make_variants(work: Path, modules, blobs: dict[str, bytes]) -> dict[str, Path]:
    """Folders frore/, arrays/ and strings/ each holding the table plus one header set."""
    src = work / "frozen"
    dirs = {k: fresh_dir(work / "cc" / k) for k in ("frore", "arrays", "strings")}
    for d in dirs.values():
        shutil.copy(src / "frozen_modules.c", d)
        shutil.copy(src / "frozen_modules.h", d)
    any_msvc_block = False
    headers = frore_headers(work)
    for name in modules.names:
        header = headers[name]
        text = header.read_text(encoding="utf-8")
        shutil.copy(header, dirs["frore"])
        symbol = SYMBOL.search(text).group(1)
        size = SIZE.search(text)
        if size and int(size.group(1)) != len(blobs[name]):
            raise RuntimeError(f"{name}: header says {size.group(1)} bytes, re-freeze gave "
                               f"{len(blobs[name])}")
        (dirs["arrays"] / header.name).write_text(_array_header(symbol, blobs[name]))
        stripped = _strip_msvc(text)
        any_msvc_block = any_msvc_block or stripped is not None
        (dirs["strings"] / header.name).write_text(stripped or text)
    if not any_msvc_block:      # frore's headers are already string-only
        del dirs["strings"]
    return dirs


def _compile(folder: Path) -> float:
    include = sysconfig.get_path("include")
    return timed(lambda: run(["gcc", "-O2", f"-I{include}", "-c", "frozen_modules.c",
                              "-o", "frozen_modules.o"], cwd=folder))


def bench(work: Path, modules, reps: int) -> tuple[Section, dict[str, bytes]]:
    section = Section("C compile cost (gcc -O2, full-stdlib module table)")
    blobs = marshal_bytes(work, modules)
    dirs = make_variants(work, modules, blobs)
    names = list(dirs)
    times: dict[str, list[float]] = {k: [] for k in names}
    for i in range(reps):                   # rotate the order every repetition
        order = names[i % len(names):] + names[:i % len(names)]
        for k in order:
            times[k].append(_compile(dirs[k]))
    section.rows.append(ratio_row("compile", "gcc -O2 of the table + all headers",
                                  "plain {0x..} arrays", times["arrays"],
                                  "frore headers", times["frore"], target=3))
    if "strings" in dirs:
        section.rows.append(ratio_row(
            "compile", "same, MSVC-only array blocks removed (what bounds row 1)",
            "plain {0x..} arrays", times["arrays"], "string literal only", times["strings"],
            note="lower bound: no MSVC-only arrays at all"))
    section.facts.update({
        "marshal_bytes": sum(len(b) for b in blobs.values()),
        "header_bytes": {k: sum(p.stat().st_size for p in d.glob("*.h")
                                if not p.name.startswith("frozen_modules."))
                         for k, d in dirs.items()},
        "compiler": run(["gcc", "--version"]).stdout.splitlines()[0],
    })
    return section, blobs
