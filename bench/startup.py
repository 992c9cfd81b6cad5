"""Benchmark 1: start-up of the example embedded program.

A copy of examples/embed is built in a scratch folder with its manifest
extended by the import closure of ~40 commonly used pure-Python stdlib
modules, and an app that imports them.  The same binary then runs with the
table (frozen) and with ``FRORE_FROZEN_MODULES=off`` (modules from warm
``.pyc`` files; CPython's own frozen start-up modules still apply).

The copy's main.c gets one line, ``config.site_import = 0``: this machine's
site-packages holds a ``.pth`` that imports certifi, which would add the same
non-stdlib work to both sides.  The app imports ``site`` itself instead (with
no_site set, importing it does not process site-packages).

CPython's reference: ``python -I -S -c pass`` with and without
``-X frozen_modules=off``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import EXAMPLE, FRORE, PYTHON, Section, alternate, ratio_row, run

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

APP = '''"""Start-up benchmark app: import a realistic module set, report how it went."""

import time

_T0 = time.perf_counter_ns()
import site
{imports}
_T1 = time.perf_counter_ns()


def main(names):
    import sys

    source = sorted(
        name for name, module in list(sys.modules.items())
        if getattr(getattr(module, "__spec__", None), "origin", None) not in (None, "frozen", "built-in")
        and getattr(module, "__file__", "").endswith(".py"))
    print("IMPORT_NS", _T1 - _T0)
    print("MODULES", len(sys.modules))
    print("FROM_SOURCE", len(source), " ".join(source))
    return 0
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


def _manifest(base_groups: list[dict], extra: list[str]) -> str:
    declared = set()
    lines = ['search-path = [".", "{stdlib}"]', "", "[output]", 'headers = "frozen"', ""]
    groups = list(base_groups)
    for group in groups:
        for spec in group["modules"]:
            declared.add(spec.split(":")[-1].strip())
    common = [m for m in extra if m not in declared]
    groups.insert(1, {"name": "common", "modules": common})
    for group in groups:
        lines += ["[[group]]", f'name = "{group["name"]}"', "modules = ["]
        lines += [f'    "{spec}",' for spec in group["modules"]]
        lines += ["]", ""]
    return "\n".join(lines)


def build(work: Path) -> tuple[Path, int]:
    """Copy, extend, regen and make the example; returns (binary, modules declared)."""
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
    main_c.write_text(text.replace(SITE_PATCH_ANCHOR,
                                   SITE_PATCH_ANCHOR + "\n    config.site_import = 0;"))
    imports = "\n".join(f"import {m}" for m in COMMON)
    (work / "app" / "__init__.py").write_text(APP.format(imports=imports))
    base = tomllib.loads((EXAMPLE / "frozen.toml").read_text())["group"]
    extra = closure(["site", *COMMON])
    for _ in range(3):  # add whatever the binary still loads from source, then rebuild
        (work / "frozen.toml").write_text(_manifest(base, extra))
        run([*FRORE, "regen", "-q"], cwd=work)
        run(["make", "-s"], cwd=work)
        missing = [m for m in _probe(work)["source"] if not m.startswith("app")]
        if not missing:
            break
        extra = sorted(set(extra) | set(missing))
    declared = len(run([*FRORE, "list", "--json"], cwd=work).stdout.split('"name":')) - 1
    return work / "embed", declared


def _probe(work: Path, off: bool = False) -> dict:
    env = dict(os.environ)
    env.pop("FRORE_FROZEN_MODULES", None)
    if off:
        env["FRORE_FROZEN_MODULES"] = "off"
    proc = subprocess.run(["./embed"], cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"embed failed: {proc.stdout}\n{proc.stderr}")
    info: dict = {}
    for line in proc.stdout.splitlines():
        key, _, rest = line.partition(" ")
        if key == "IMPORT_NS":
            info["import_s"] = int(rest) / 1e9
        elif key == "MODULES":
            info["modules"] = int(rest)
        elif key == "FROM_SOURCE":
            count, _, names = rest.partition(" ")
            info["source"] = names.split()
    return info


def _run_embed(work: Path, off: bool, imports: list[float]) -> float:
    env = dict(os.environ)
    env.pop("FRORE_FROZEN_MODULES", None)
    if off:
        env["FRORE_FROZEN_MODULES"] = "off"
    t0 = time.perf_counter()
    proc = subprocess.run(["./embed"], cwd=work, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith("IMPORT_NS "):
            imports.append(int(line.split()[1]) / 1e9)
    return elapsed


def _run_python(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([PYTHON, *args], check=True)
    return time.perf_counter() - t0


def bench(work: Path, reps: int) -> Section:
    section = Section("Start-up (examples/embed + ~40 common stdlib modules)")
    binary, declared = build(work)
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
    section.facts.update({
        "common_modules": len(COMMON),
        "declared_in_manifest": declared,
        "sys_modules_at_end": frozen_info.get("modules"),
        "loaded_from_source_when_frozen": frozen_info.get("source"),
        "loaded_from_source_when_off": len(off_info.get("source", [])),
        "python_for_reference": PYTHON,
    })
    return section
