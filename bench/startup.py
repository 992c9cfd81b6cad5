"""Benchmark 1: start-up of the example embedded program.

A copy of examples/embed is built in a scratch folder with its manifest
extended by the import closure of 48 commonly used pure-Python stdlib
modules (100 frozen modules in all), and an app that imports them.  The same binary then runs with the
table (frozen) and with ``FRORE_FROZEN_MODULES=off`` (modules from warm
``.pyc`` files; CPython's own frozen start-up modules still apply).

The copy's main.c gets ``config.site_import = 0``: a site-packages folder
may hold a ``.pth`` that imports something (certifi's, on the development
machine), which would add the same non-stdlib work to both sides; and
``config.import_time = 1`` when ``FRORE_BENCH_IMPORTTIME`` is set (for the
breakdown).  The app imports ``site`` itself instead (with
no_site set, importing it does not process site-packages).

CPython's reference: ``python -I -S -c pass`` with and without
``-X frozen_modules=off``.

Breakdown (where the import phase goes): the same binary, run with
``FRORE_BENCH_BREAKDOWN=1``, first imports the set as always, then measures
in-process, for every module the import phase loaded, each step of importing
it again by hand: finding it (``importlib._bootstrap._find_spec``, the
meta-path search an import does; the path finder's directory caches are warm
by then, so this is a lower bound), reading its ``.pyc`` (stat of the source +
read, as SourceFileLoader does; nothing for a frozen module), unmarshalling
the same bytes (``marshal.loads``) and executing the module body again in a
fresh namespace (its own imports are then cache hits, so this is the body's
own cost).  Built-in and extension modules are timed by ``-X importtime``
(``config.import_time``, set by ``FRORE_BENCH_IMPORTTIME=1``): freezing cannot
touch them.  The bound is the import phase if finding and reading cost
nothing: unmarshal + exec + built-in/extension modules.

Optimize: the same example frozen with ``optimize = 2`` in every group (as
``python -OO``: no asserts, no docstrings) against ``optimize = 0``: binary
size and start-up.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import (
    EXAMPLE,
    FRORE,
    PYTHON,
    Row,
    Section,
    Stat,
    alternate,
    cost_row,
    ratio_row,
    run,
)

# Commonly used pure-Python stdlib modules (their imports are frozen too).
COMMON = [
    "argparse", "ast", "base64", "bisect", "calendar", "collections", "configparser",
    "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "enum", "fnmatch",
    "fractions", "functools", "glob", "hashlib", "heapq", "inspect", "json", "locale",
    "logging", "numbers", "operator", "pathlib", "pickle", "pprint", "queue", "random", "re",
    "shlex", "shutil", "signal", "string", "struct", "subprocess", "tempfile", "textwrap",
    "threading", "tokenize", "traceback", "typing", "urllib.parse", "uuid", "warnings",
    "weakref",
]

SITE_PATCH_ANCHOR = "PyConfig_InitIsolatedConfig(&config);"
MARSHAL_SIZE = re.compile(r"/\* (\d+) bytes of marshal data")
MAIN_PATCH = """
    config.site_import = 0;   /* bench: no site-packages .pth (certifi) on either side */
    if (getenv("FRORE_BENCH_IMPORTTIME"))
        config.import_time = 1;"""

APP = '''"""Start-up benchmark app: import a realistic module set, report how it went."""

import sys
import time

_BEFORE = set(sys.modules)
_T0 = time.perf_counter_ns()
import site
{imports}
_T1 = time.perf_counter_ns()
_NEW = [name for name in sys.modules if name not in _BEFORE]


def main(names):
    import os

    source = sorted(
        name for name, module in list(sys.modules.items())
        if getattr(getattr(module, "__spec__", None), "origin", None) not in (None, "frozen", "built-in")
        and getattr(module, "__file__", "").endswith(".py"))
    print("IMPORT_NS", _T1 - _T0)
    print("MODULES", len(sys.modules))
    print("FROM_SOURCE", len(source), " ".join(source))
    print("NEW", " ".join(_NEW))
    if os.environ.get("FRORE_BENCH_BREAKDOWN"):
        _breakdown()
    return 0


def _breakdown():
    """Time each step of importing, again, every module the import phase loaded."""
    import importlib._bootstrap as bootstrap
    import marshal

    clock = time.perf_counter_ns
    total = {{"find": 0, "read": 0, "unmarshal": 0, "exec": 0}}
    kinds = {{}}
    failed = []
    native = []
    for name in _NEW:
        module = sys.modules.get(name)
        spec = getattr(module, "__spec__", None)
        if spec is None or name == "__main__":
            continue
        if spec.name != name:           # an alias (importlib._bootstrap is _frozen_importlib)
            kinds["alias"] = kinds.get("alias", 0) + 1
            continue
        origin = spec.origin
        parent = sys.modules.get(name.rpartition(".")[0]) if "." in name else None
        path = getattr(parent, "__path__", None)
        t0 = clock()
        bootstrap._find_spec(name, path)
        t1 = clock()
        if origin == "frozen":
            kind = "frozen"
            import _imp
            _imp.find_frozen(name)              # the table lookup get_frozen_object does
            t2 = clock()
            found = _imp.find_frozen(name, withdata=True)
            data = bytes(found[0]) if found and found[0] is not None else None
        elif spec.cached and origin and origin.endswith(".py"):
            kind = "pyc"
            loader = spec.loader
            loader.path_stats(origin)
            data = loader.get_data(spec.cached)[16:]
            t2 = clock()
        else:
            native.append(name)
            kind = "built-in" if origin == "built-in" else (
                "extension" if origin and not origin.endswith(".py") else "other")
            kinds[kind] = kinds.get(kind, 0) + 1
            continue
        if data:
            t3 = clock()
            code = marshal.loads(data)
            t4 = clock()
        else:                           # CPython's deep-frozen modules: no marshal data
            kind = "deep-frozen by CPython"
            code = _imp.get_frozen_object(name)
            t3 = t4 = 0
        namespace = {{"__builtins__": __builtins__}}
        for key in ("__name__", "__package__", "__spec__", "__loader__", "__file__",
                    "__cached__", "__path__"):
            if hasattr(module, key):
                namespace[key] = getattr(module, key)
        t5 = clock()
        try:
            exec(code, namespace)
        except BaseException as exc:    # a body that refuses to run twice: not counted
            failed.append(name + ":" + type(exc).__name__)
            continue
        t6 = clock()
        kinds[kind] = kinds.get(kind, 0) + 1
        total["find"] += t1 - t0
        total["read"] += t2 - t1
        total["unmarshal"] += t4 - t3
        total["exec"] += t6 - t5
    for key, ns in total.items():
        print("BREAKDOWN", key, ns)
    print("KINDS", " ".join(f"{{k}}={{v}}" for k, v in sorted(kinds.items())))
    print("EXEC_FAILED", " ".join(failed))
    print("NATIVE", " ".join(native))
'''


def closure(modules: list[str]) -> list[str]:
    """Stdlib modules (pure Python or CPython-frozen) loaded by importing *modules*."""
    code = (
        "import sys, sysconfig\n"
        f"import {', '.join(modules)}\n"
        "lib = sysconfig.get_path('stdlib')\n"
        "for m in list(sys.modules.values()):\n"
        "    s = getattr(m, '__spec__', None)\n"
        "    o = getattr(s, 'origin', None) or ''\n"
        "    if o == 'frozen' or (o.startswith(lib + '/') and o.endswith('.py')\n"
        "                         and '/site-packages/' not in o):\n"
        "        print(s.name)\n"
    )
    out = run([PYTHON, "-I", "-S", "-c", code]).stdout.split()
    skip = ("_frozen_importlib", "importlib._bootstrap", "__main__")
    # A name like _sysconfigdata__linux_x86_64-linux-gnu cannot be a frozen name.
    return sorted({n for n in out if not n.startswith(skip)
                   and all(part.isidentifier() for part in n.split("."))})


def _manifest(base_groups: list[dict], extra: list[str], optimize: int = 0) -> str:
    declared = set()
    lines = ['search-path = [".", "{stdlib}"]', "", "[output]", 'headers = "frozen"', ""]
    groups = list(base_groups)
    for group in groups:
        for spec in group["modules"]:
            declared.add(spec.split(":")[-1].strip())
    common = [m for m in extra if m not in declared]
    groups.insert(1, {"name": "common", "modules": common})
    for group in groups:
        lines += ["[[group]]", f'name = "{group["name"]}"']
        lines += [f"optimize = {optimize}"] if optimize else []
        lines += ["modules = ["]
        lines += [f'    "{spec}",' for spec in group["modules"]]
        lines += ["]", ""]
    return "\n".join(lines)


def build(work: Path, optimize: int = 0, extra: list[str] | None = None,
          ) -> tuple[Path, int, list[str]]:
    """Copy, extend, regen and make the example; returns (binary, modules declared,
    the extra modules).  With *extra* given, that module list is used as is."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns(
        "frozen", "embed", "*.o", "__pycache__", "build*"))
    main_c = work / "main.c"
    text = main_c.read_text()
    if SITE_PATCH_ANCHOR not in text:
        raise RuntimeError(f"examples/embed/main.c changed: no {SITE_PATCH_ANCHOR!r} to patch")
    main_c.write_text(text.replace(SITE_PATCH_ANCHOR, SITE_PATCH_ANCHOR + MAIN_PATCH))
    imports = "\n".join(f"import {m}" for m in COMMON)
    (work / "app" / "__init__.py").write_text(APP.format(imports=imports))
    base = tomllib.loads((EXAMPLE / "frozen.toml").read_text())["group"]
    fixed = extra is not None
    extra = list(extra) if extra is not None else closure(["site", *COMMON])
    for _ in range(1 if fixed else 3):  # add what the binary still loads from source, rebuild
        (work / "frozen.toml").write_text(_manifest(base, extra, optimize))
        run([*FRORE, "regen", "-q"], cwd=work)
        run(["make", "-s", f"-j{os.cpu_count() or 1}"], cwd=work)
        missing = [m for m in _probe(work)["source"] if not m.startswith("app")]
        if not missing or fixed:
            break
        extra = sorted(set(extra) | set(missing))
    declared = len(run([*FRORE, "list", "--json"], cwd=work).stdout.split('"name":')) - 1
    return work / "embed", declared, extra


def _probe(work: Path, off: bool = False, breakdown: bool = False,
           importtime: bool = False) -> dict:
    env = dict(os.environ)
    for key in ("FRORE_FROZEN_MODULES", "FRORE_BENCH_BREAKDOWN", "FRORE_BENCH_IMPORTTIME"):
        env.pop(key, None)
    if off:
        env["FRORE_FROZEN_MODULES"] = "off"
    if breakdown:
        env["FRORE_BENCH_BREAKDOWN"] = "1"
    if importtime:
        env["FRORE_BENCH_IMPORTTIME"] = "1"
    proc = subprocess.run(["./embed"], cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"embed failed: {proc.stdout}\n{proc.stderr}")
    info: dict = {"breakdown": {}, "stderr": proc.stderr}
    for line in proc.stdout.splitlines():
        key, _, rest = line.partition(" ")
        if key == "IMPORT_NS":
            info["import_s"] = int(rest) / 1e9
        elif key == "MODULES":
            info["modules"] = int(rest)
        elif key == "FROM_SOURCE":
            count, _, names = rest.partition(" ")
            info["source"] = names.split()
        elif key == "NEW":
            info["new"] = rest.split()
        elif key == "BREAKDOWN":
            what, ns = rest.split()
            info["breakdown"][what] = int(ns) / 1e9
        elif key == "KINDS":
            info["kinds"] = rest
        elif key == "EXEC_FAILED":
            info["exec_failed"] = rest.split()
        elif key == "NATIVE":
            info["native"] = rest.split()
    return info


def _run_embed(work: Path, off: bool | str, imports: list[float]) -> float:
    """One run of the example: *off* True (table off), False (on), or a mode word."""
    env = dict(os.environ)
    env.pop("FRORE_FROZEN_MODULES", None)
    if off is True:
        env["FRORE_FROZEN_MODULES"] = "off"
    elif isinstance(off, str):
        env["FRORE_FROZEN_MODULES"] = off
    t0 = time.perf_counter()
    proc = subprocess.run(["./embed"], cwd=work, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith("IMPORT_NS "):
            imports.append(int(line.split()[1]) / 1e9)
    return elapsed


def auto_rows(work: Path, reps: int, section: Section) -> list[Row]:
    """FRORE_FROZEN_MODULES=auto against off and on, in rotating order: how much of
    freezing's win auto keeps (target: at least half).  Nothing was edited, so auto
    keeps every module frozen; its cost is checking the project's sources."""
    runs: dict[str, tuple[list[float], list[float]]] = {m: ([], []) for m in ("off", "on", "auto")}
    order = ["off", "on", "auto"]
    for i in range(reps):
        for mode in order[i % 3:] + order[:i % 3]:
            whole, phase = runs[mode]
            whole.append(_run_embed(work, {"off": True, "on": False}.get(mode, mode), phase))
    (off_w, off_p), (on_w, on_p), (auto_w, auto_p) = runs["off"], runs["on"], runs["auto"]
    rows = [ratio_row("startup", "import phase, auto (nothing edited)",
                      "FRORE_FROZEN_MODULES=off (.pyc)", off_p, "auto", auto_p),
            ratio_row("startup", "whole process, auto (nothing edited)",
                      "FRORE_FROZEN_MODULES=off (.pyc)", off_w, "auto", auto_w)]
    for what, off, on, auto in (("import phase", off_p, on_p, auto_p),
                                ("whole process", off_w, on_w, auto_w)):
        win = statistics.median(off) - statistics.median(on)
        kept = statistics.median(off) - statistics.median(auto)
        share = kept / win if win > 0 else 0.0
        rows.append(Row("startup", f"{what}: share of the on/off win auto keeps",
                        "won by auto (off − auto)", Stat.of([kept]), "won by on (off − on)",
                        Stat.of([win]), Stat.of([share]),
                        target="≥ 0.5", met=share >= 0.5, ratio_kind="kept/won",
                        note="medians of the same rounds: (off − auto) / (off − on)"))
    sources = list((work / "app").rglob("*.py"))
    t0 = time.perf_counter()
    for _ in range(100):
        for path in sources:
            os.stat(path)
    per_stat = (time.perf_counter() - t0) / (100 * max(1, len(sources)))
    section.facts["auto_checks"] = (f"{len(sources)} project sources (app/) and the program "
                                    f"are stat()ed; standard-library modules are never checked")
    section.facts["one_stat"] = (f"{per_stat * 1e6:.1f} µs (Python os.stat): checking 100 "
                                 f"project sources would add about {per_stat * 100 * 1e3:.2f} ms")
    return rows


def _run_python(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([PYTHON, *args], check=True)
    return time.perf_counter() - t0


def bench(work: Path, reps: int) -> list[Section]:
    binary, declared, extra = build(work)
    section = Section(f"Start-up (examples/embed + {len(COMMON)} common stdlib modules; "
                      f"{declared} frozen modules)")
    frozen_info = _probe(work)
    off_info = _probe(work, off=True)       # also warms the .pyc files
    _probe(work, off=True)
    imp_frozen: list[float] = []
    imp_off: list[float] = []
    off, frozen = alternate(lambda: _run_embed(work, True, imp_off),
                            lambda: _run_embed(work, False, imp_frozen), reps)
    section.rows.append(ratio_row("startup", "import phase (app imports the set)",
                                  "FRORE_FROZEN_MODULES=off (.pyc)", imp_off, "frozen", imp_frozen))
    section.rows.append(ratio_row("startup", "whole process", "FRORE_FROZEN_MODULES=off (.pyc)",
                                  off, "frozen", frozen))
    ref_off, ref_on = alternate(lambda: _run_python(["-I", "-S", "-X", "frozen_modules=off",
                                                     "-c", "pass"]),
                                lambda: _run_python(["-I", "-S", "-c", "pass"]), reps)
    section.rows.append(ratio_row("startup", "CPython reference: python -I -S -c pass",
                                  "-X frozen_modules=off", ref_off, "frozen_modules=on", ref_on))
    section.rows += auto_rows(work, reps, section)
    section.facts.update({
        "common_modules": len(COMMON),
        "declared_in_manifest": declared,
        "sys_modules_at_end": frozen_info.get("modules"),
        "modules_imported_in_the_import_phase": len(frozen_info.get("new", [])),
        "loaded_from_source_when_frozen": frozen_info.get("source"),
        "loaded_from_source_when_off": len(off_info.get("source", [])),
        "python_for_reference": PYTHON,
    })
    return [section, breakdown(work, max(5, reps // 3))]


def _importtime_self(stderr: str, names: set[str]) -> float:
    """Seconds of ``-X importtime`` self time spent on *names*."""
    total = 0
    for line in stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[2].strip() in names:
            total += int(parts[0].split(":")[1])
    return total / 1e6


def _pair_row(metric: str, a: list[float], b: list[float], note: str = "") -> Row:
    """Off (.pyc) vs frozen for one component; a ratio only where frore's side is > 0."""
    if all(y > 0 for y in b):
        return ratio_row("breakdown", metric, ".pyc", a, "frozen", b, note=note)
    return Row("breakdown", metric, "frozen", Stat.of(b), ".pyc", Stat.of(a), note=note)


def breakdown(work: Path, reps: int) -> Section:
    """Where the import phase goes, frozen and from .pyc (see the module docstring)."""
    section = Section("Start-up breakdown: where the import phase goes (same example)")
    runs: dict[bool, list[dict]] = {True: [], False: []}
    native_s: dict[bool, list[float]] = {True: [], False: []}
    for i in range(reps):
        for off in ((True, False) if i % 2 == 0 else (False, True)):
            info = _probe(work, off=off, breakdown=True)
            runs[off].append(info)
            timing = _probe(work, off=off, importtime=True)
            native_s[off].append(_importtime_self(timing["stderr"], set(info.get("native", []))))

    def series(off: bool, key: str) -> list[float]:
        return [r["breakdown"].get(key, 0.0) for r in runs[off]]

    phase = {off: [r["import_s"] for r in runs[off]] for off in (True, False)}
    parts = {off: {k: series(off, k) for k in ("find", "read", "unmarshal", "exec")}
             for off in (True, False)}
    parts[True]["native"], parts[False]["native"] = native_s[True], native_s[False]
    rest = {off: [p - sum(parts[off][k][i] for k in parts[off]) for i, p in enumerate(phase[off])]
            for off in (True, False)}
    bound = {off: [parts[off]["unmarshal"][i] + parts[off]["exec"][i] + parts[off]["native"][i]
                   for i in range(len(phase[off]))] for off in (True, False)}
    share = statistics.median(bound[False]) / statistics.median(phase[False])
    section.rows += [
        _pair_row("import phase (as measured by the app)", phase[True], phase[False]),
        _pair_row("finding modules (meta-path search, warm caches)", parts[True]["find"],
                  parts[False]["find"]),
        _pair_row("reading (.pyc: stat source + read; frozen: table lookup)",
                  parts[True]["read"], parts[False]["read"]),
        _pair_row("unmarshal (marshal.loads of the same bytes)", parts[True]["unmarshal"],
                  parts[False]["unmarshal"]),
        _pair_row("executing the module bodies (again, in fresh namespaces)",
                  parts[True]["exec"], parts[False]["exec"]),
        _pair_row("built-in and extension modules (-X importtime self)", parts[True]["native"],
                  parts[False]["native"], note="not frozen by either side"),
        _pair_row("rest: import machinery (phase − all the above)", rest[True], rest[False]),
        _pair_row("bound: unmarshal + exec + built-in/extension", bound[True], bound[False],
                  note="the phase if finding and reading cost nothing"),
        cost_row("breakdown", "frozen import phase / bound", "bound (frozen run)", bound[False],
                 "frozen import phase", phase[False],
                 note=f"the bound is {100 * share:.0f} % of the frozen phase"),
    ]
    first = runs[False][0] if runs[False] else {}
    section.facts.update({
        "runs_per_side": reps,
        "module_kinds_in_the_phase_frozen": first.get("kinds", ""),
        "module_kinds_in_the_phase_off": runs[True][0].get("kinds", "") if runs[True] else "",
        "bodies_that_failed_to_run_twice_(not_counted)": sorted(
            set(first.get("exec_failed", [])) | set(runs[True][0].get("exec_failed", [])
                                                     if runs[True] else [])),
    })
    return section


def optimize_bench(work: Path, reps: int) -> Section:
    """The example with every group at optimize = 2 against optimize = 0."""
    section = Section("optimize = 2 vs 0 (start-up example, every group)")
    o0, _, extra = build(work / "o0")
    o2, declared, _ = build(work / "o2", optimize=2, extra=extra)
    sizes: dict[str, dict[str, float]] = {}
    for key, binary in (("o0", o0), ("o2", o2)):
        folder = binary.parent
        stripped = folder / "embed.stripped"
        shutil.copy(binary, stripped)
        sizes[key] = {
            "marshal": float(sum(int(m.group(1)) for h in (folder / "frozen").glob("*.frozen.h")
                                 for m in [MARSHAL_SIZE.search(h.read_text(errors="replace")[:4096])]
                                 if m)),
            "objects": float(sum(p.stat().st_size for p in (folder / "frozen").glob("*.o"))),
        }
        if shutil.which("strip"):
            run(["strip", stripped])
            sizes[key]["binary"] = float(stripped.stat().st_size)
    for key, metric in (("marshal", "marshal bytes of all frozen modules"),
                        ("objects", "table + parts object files (.o)"),
                        ("binary", "stripped binary")):
        if key in sizes["o0"]:
            section.rows.append(ratio_row("optimize", metric, "optimize = 0", [sizes["o0"][key]],
                                          "optimize = 2", [sizes["o2"][key]], unit="B"))
    for folder in (o0.parent, o2.parent):
        _probe(folder)
    imp0: list[float] = []
    imp2: list[float] = []
    whole0, whole2 = alternate(lambda: _run_embed(o0.parent, False, imp0),
                               lambda: _run_embed(o2.parent, False, imp2), reps)
    section.rows.append(ratio_row("optimize", "import phase (frozen)", "optimize = 0", imp0,
                                  "optimize = 2", imp2))
    section.rows.append(ratio_row("optimize", "whole process (frozen)", "optimize = 0", whole0,
                                  "optimize = 2", whole2))
    section.facts.update({"modules": declared,
                          "strip": "not installed: no stripped-binary row"
                          if not shutil.which("strip") else "yes"})
    return section
