"""Benchmark 6: C compile cost of the full-stdlib frozen C, and its bytes.

``gcc -O2 -c`` of everything frore writes for the full stdlib: the module
table ``frozen_modules.c``, its parts ``frozen_modules_NN.c`` and the headers
they include (one gcc process, the files one after the other), against the
same table and parts with every header replaced by a plain ``{0x63,0x00,...}``
byte array holding the same bytes (plus the trailing 0 the parts' ``sizeof - 1``
expects), the way CPython's build writes them.

A third compile of frore's files with ``-DFRORE_DISABLE_FROZEN_MODULES``
(same files, no module data) gives the fixed cost of compiling 17 C files;
the second row compares what the module data alone costs each way.

The bytes are those of frore's headers, decoded from their string literals.
Both object sets are then linked into a small program that walks
``PyImport_FrozenModules`` after ``frore_install_frozen_modules()`` and dumps
every module's bytes: both binaries must hold exactly the headers' bytes.
"""

from __future__ import annotations

import codecs
import re
import shutil
import statistics
import sysconfig
from pathlib import Path

from common import Section, fresh_dir, frore_headers, ratio_row, run, timed

SYMBOL = re.compile(r"static const unsigned char (\w+)\[\]")
SIZE = re.compile(r"/\* (\d+) bytes of marshal data")
LITERAL = re.compile(r'^\s*"(.*)"\s*$')

DUMP_C = r"""
#include <Python.h>
#include <stdio.h>
#include "frozen_modules.h"

/* Write every frozen module the table installed: name, NUL, size (4 bytes LE), bytes. */
int main(int argc, char **argv)
{
    const struct _frozen *p;
    FILE *out;
    if (argc != 2 || frore_install_frozen_modules() != 0)
        return 2;
    out = fopen(argv[1], "wb");
    if (out == NULL)
        return 3;
    for (p = PyImport_FrozenModules; p && p->name; p++) {
        unsigned int n = p->code ? (unsigned int)p->size : 0;
        unsigned char size[4] = {n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >> 24) & 255};
        fwrite(p->name, 1, strlen(p->name) + 1, out);
        fwrite(size, 1, 4, out);
        if (n)
            fwrite(p->code, 1, n, out);
    }
    return fclose(out) != 0;
}
"""


def header_bytes(text: str) -> bytes:
    """The marshal data of one frore header, decoded from its string literal lines
    (each line separately: an octal escape never runs into the next line)."""
    lines = text[text.index("[] =\n"):].splitlines()[1:]
    pieces = []
    for line in lines:
        m = LITERAL.match(line)
        if not m:                       # the ";" line after the last literal
            break
        pieces.append(codecs.escape_decode(m.group(1).encode("latin-1"))[0])
    return b"".join(pieces)


def _array_header(symbol: str, data: bytes) -> str:
    """The bytes plus a trailing 0 (the parts take each size as sizeof - 1)."""
    data = data + b"\0"
    lines = [f"static const unsigned char {symbol}[] = {{"]
    for start in range(0, len(data), 16):
        lines.append("    " + "".join(f"0x{b:02x}," for b in data[start:start + 16]))
    lines.append("};")
    return "\n".join(lines) + "\n"


def sources(folder: Path) -> list[str]:
    return ["frozen_modules.c", *sorted(p.name for p in folder.glob("frozen_modules_*.c"))]


def make_variants(work: Path, modules) -> tuple[dict[str, Path], dict[str, bytes]]:
    """Folders frore/ and arrays/, each with the table, its parts and one header set;
    and each module's bytes as frore's header holds them."""
    src = work / "frozen"
    dirs = {k: fresh_dir(work / "cc" / k) for k in ("frore", "arrays")}
    for d in dirs.values():
        for name in [*sources(src), "frozen_modules.h"]:
            shutil.copy(src / name, d)
    for sibling in src.glob("*.frozen.msvc.h"):        # only old MSVC opens these
        shutil.copy(sibling, dirs["frore"])
    blobs: dict[str, bytes] = {}
    for name, header in frore_headers(work).items():
        text = header.read_text(encoding="utf-8")
        shutil.copy(header, dirs["frore"])
        data = header_bytes(text)
        size = SIZE.search(text)
        if not size or int(size.group(1)) != len(data):
            raise RuntimeError(f"{name}: header says {size and size.group(1)} bytes, its "
                               f"literal holds {len(data)}")
        blobs[name] = data
        (dirs["arrays"] / header.name).write_text(_array_header(SYMBOL.search(text).group(1),
                                                                data))
    return dirs, blobs


def _compile(folder: Path, flags: list[str] | None = None) -> float:
    include = sysconfig.get_path("include")
    return timed(lambda: run(["gcc", "-O2", f"-I{include}", *(flags or []), "-c",
                              *sources(folder)], cwd=folder))


def objects(folder: Path) -> list[Path]:
    return [folder / (Path(s).stem + ".o") for s in sources(folder)]


def link_with_python(out: Path, objs: list[Path], cwd: Path) -> None:
    libdir = sysconfig.get_config_var("LIBDIR")
    run(["gcc", "-o", out, *objs, f"-L{libdir}",
         f"-lpython{sysconfig.get_config_var('LDVERSION')}", f"-Wl,-rpath,{libdir}"], cwd=cwd)


def dumped(folder: Path) -> dict[str, bytes]:
    """Every module's bytes as the linked table holds them."""
    include = sysconfig.get_path("include")
    (folder / "dump.c").write_text(DUMP_C)
    run(["gcc", "-O2", f"-I{include}", "-I.", "-c", "dump.c", "-o", "dump.o"], cwd=folder)
    link_with_python(folder / "dump", [folder / "dump.o", *objects(folder)], folder)
    run([folder / "dump", folder / "dump.bin"], cwd=folder)
    raw = (folder / "dump.bin").read_bytes()
    out: dict[str, bytes] = {}
    at = 0
    while at < len(raw):
        nul = raw.index(b"\0", at)
        name = raw[at:nul].decode()
        size = int.from_bytes(raw[nul + 1:nul + 5], "little")
        out.setdefault(name, raw[nul + 5:nul + 5 + size])   # frore's entry comes first
        at = nul + 5 + size
    return out


def bench(work: Path, modules, reps: int) -> tuple[Section, dict[str, bytes]]:
    section = Section("C compile cost (gcc -O2, full-stdlib table + parts + headers)")
    dirs, blobs = make_variants(work, modules)
    names = [*dirs, "fixed"]
    times: dict[str, list[float]] = {k: [] for k in names}
    for i in range(reps):                   # rotate the order every repetition
        order = names[i % len(names):] + names[:i % len(names)]
        for k in order:
            if k == "fixed":                # the same files without any module data
                times[k].append(_compile(dirs["frore"], ["-DFRORE_DISABLE_FROZEN_MODULES"]))
            else:
                times[k].append(_compile(dirs[k]))
    section.rows.append(ratio_row("compile", "gcc -O2 of the table, its parts and all headers",
                                  "plain {0x..} arrays", times["arrays"],
                                  "frore's C", times["frore"], target=9))
    data_a = [a - f for a, f in zip(times["arrays"], times["fixed"])]
    data_b = [b - f for b, f in zip(times["frore"], times["fixed"])]
    section.rows.append(ratio_row(
        "compile", "same, minus the fixed cost (what the module data costs)",
        "{0x..} arrays − fixed", data_a, "frore's C − fixed", data_b,
        note="fixed: the same files with -DFRORE_DISABLE_FROZEN_MODULES (no module data): "
             f"{statistics.median(times['fixed']) * 1000:.0f} ms"))
    mismatched: dict[str, list[str]] = {}
    for kind, folder in dirs.items():
        held = dumped(folder)
        bad = [n for n, data in blobs.items() if held.get(n) != data]
        mismatched[kind] = bad
    same = not any(mismatched.values())
    section.rows[0].note = ("both binaries hold exactly the headers' bytes" if same else
                             "BYTES DIFFER: " + "; ".join(f"{k}: {', '.join(v[:5])}"
                                                          for k, v in mismatched.items() if v))
    if not same:
        section.rows[0].met = False
    section.facts.update({
        "modules": len(blobs),
        "marshal_bytes": sum(len(b) for b in blobs.values()),
        "c_files_compiled": len(sources(dirs["frore"])),
        "header_bytes": {k: sum(p.stat().st_size for p in d.glob("*.frozen.h"))
                         for k, d in dirs.items()},
        "msvc_only_siblings_(never_opened_by_gcc)":
            f"{len(list(dirs['frore'].glob('*.frozen.msvc.h')))} files, "
            f"{sum(p.stat().st_size for p in dirs['frore'].glob('*.frozen.msvc.h')):,} bytes",
        "modules_whose_bytes_differ_in_the_binary": {
            k: ", ".join(v) or "none" for k, v in mismatched.items()},
        "compiler": run(["gcc", "--version"]).stdout.splitlines()[0],
    })
    return section, blobs
