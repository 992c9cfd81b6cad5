"""Benchmark 3: no-op and one-edit builds with the full-stdlib manifest.

Each backend gets its own tree shaped like the repository (top-level
meson.build, examples/embed with its Makefile / CMakeLists.txt / main.c) whose
frozen.toml is replaced by the full-stdlib manifest, sources in
examples/embed/lib.  The build is the example's whole build: every header,
the module table (one C file including every header) and the linked binary.

* no-op: build again with nothing changed.
* one edit: change one stdlib .py, build; the log must show exactly one
  module re-frozen.  That build also recompiles the table's C file, which
  includes every header, so it is bounded by the C compile cost (benchmark 4);
  for Make the headers-only step (``make frozen-headers``) is shown as well.

Backends whose module is not in tools/frore/backends/ yet are listed as
skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
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
    frore_headers,
    run,
    single_row,
    timed,
    tool,
)

EDIT_MODULE = "json.encoder"
FREEZE_LINE = re.compile(r"(?:-m frore freeze |\bFREEZE\s)")


@dataclass
class Case:
    """One build system: how to set up its tree once and how to run a build."""

    name: str
    setup: Callable[[Path], None]
    build: Callable[[Path], subprocess.CompletedProcess]
    subdir: str = "examples/embed"
    extra: dict[str, Callable[[Path], subprocess.CompletedProcess]] = field(default_factory=dict)


def make_tree(root: Path, modules, manifest_text: str) -> Path:
    """Repository-shaped tree with the full-stdlib manifest in examples/embed."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("meson.build", "meson_options.txt"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    embed = root / "examples" / "embed"
    shutil.copytree(EXAMPLE, embed, ignore=shutil.ignore_patterns(
        "frozen", "embed", "*.o", "__pycache__", "build*", "app"))
    stdlib_set.copy_sources(modules, embed / "lib")
    (embed / "frozen.toml").write_text(manifest_text)
    return root


def _checked(cmd, cwd, env=None) -> subprocess.CompletedProcess:
    return run(cmd, cwd=cwd, env=env)


# --- Make (the fragment frore writes) -------------------------------------

def _make_setup(root: Path) -> None:
    """The example's documented first build: ``frore regen`` (batched), then ``make``."""
    embed = root / "examples" / "embed"
    _checked([*FRORE, "regen", "-q"], embed)
    _checked(["make", "-s", f"-j{os.cpu_count() or 1}"], embed)


def _make_build(root: Path) -> subprocess.CompletedProcess:
    return _checked(["make"], root / "examples" / "embed")


def _make_headers(root: Path) -> subprocess.CompletedProcess:
    return _checked(["make", "frozen-headers"], root / "examples" / "embed")


# --- Meson + Ninja --------------------------------------------------------

NINJA_ENV: dict[str, str] = {}


def _meson_setup(root: Path) -> None:
    meson, ninja = tool("meson"), tool("ninja")
    NINJA_ENV["NINJA"] = str(ninja)
    _checked([meson, "setup", root / "build", root], root, env=NINJA_ENV)
    _checked([ninja, "-C", root / "build"], root, env=NINJA_ENV)


def _meson_build(root: Path) -> subprocess.CompletedProcess:
    return _checked([tool("ninja"), "-v", "-C", root / "build"], root, env=NINJA_ENV)


# --- CMake (Ninja generator) -----------------------------------------------

def _cmake_setup(root: Path) -> None:
    embed = root / "examples" / "embed"
    cmake_dir = run([*FRORE, "--cmake-dir"]).stdout.strip()
    _checked([tool("cmake"), "-S", embed, "-B", root / "cbuild", "-G", "Ninja",
              f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", f"-Dfrore_DIR={cmake_dir}",
              f"-DPython3_EXECUTABLE={PYTHON}", f"-DFRORE_PYTHON={sys.executable}"], root)
    _checked([tool("cmake"), "--build", root / "cbuild"], root)


def _cmake_build(root: Path) -> subprocess.CompletedProcess:
    return _checked([tool("ninja"), "-v", "-C", root / "cbuild"], root)


# --- SCons ---------------------------------------------------------------

SCONS_JOBS = f"-j{os.cpu_count() or 1}"     # Make and Ninja get parallelism by default/-j


def _scons_setup(root: Path) -> None:
    _checked([tool("scons"), "-Q", SCONS_JOBS], root / "examples" / "embed")


def _scons_build(root: Path) -> subprocess.CompletedProcess:
    return _checked([tool("scons"), "-Q", SCONS_JOBS], root / "examples" / "embed")


def available_cases() -> tuple[list[Case], dict[str, str]]:
    """Cases whose backend (and tools) exist now; the rest with the reason they are skipped."""
    cases = [Case("Make", _make_setup, _make_build, extra={"make frozen-headers": _make_headers})]
    skipped: dict[str, str] = {}
    if not (tool("meson") and tool("ninja")):
        skipped["Ninja (Meson)"] = "meson or ninja not installed"
    else:
        cases.append(Case("Ninja (Meson)", _meson_setup, _meson_build))
    if not (tool("cmake") and tool("ninja")):
        skipped["CMake (Ninja)"] = "cmake or ninja not installed"
    else:
        cases.append(Case("CMake (Ninja)", _cmake_setup, _cmake_build))
    if not tool("scons"):
        skipped["SCons"] = "scons not installed"
    else:
        cases.append(Case("SCons", _scons_setup, _scons_build))
    skipped["MSBuild"] = "needs Windows MSBuild; not measurable on this Linux machine"
    return cases, skipped


def _edit(path: Path, counter: list[int]) -> None:
    counter[0] += 1
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n# bench edit {counter[0]}\n")


def _measure(case: Case, root: Path, edit_file: Path, reps: int,
             step: Callable[[Path], subprocess.CompletedProcess], label: str) -> list[Row]:
    counter = [0]
    noop: list[float] = []
    edits: list[float] = []
    refrozen: list[int] = []
    step(root)                      # settle: anything left over from setup
    for _ in range(reps):
        noop.append(timed(lambda: step(root)))
        _edit(edit_file, counter)
        out: list[subprocess.CompletedProcess] = []
        edits.append(timed(lambda out=out: out.append(step(root))))
        refrozen.append(len(FREEZE_LINE.findall(out[0].stdout + out[0].stderr)))
    exact = all(n == 1 for n in refrozen)
    note = (f"re-froze {sorted(set(refrozen))} module(s) per edit"
            + ("" if exact else " — expected exactly 1"))
    limit = 0.3 if case.name in ("Make", "Ninja (Meson)") and label.startswith(case.name) else None
    rows = [single_row("builds", f"{label}: no-op build", label, noop, limit=limit)]
    edit_row = single_row("builds", f"{label}: build after editing one .py", label, edits,
                          note=note)
    if not exact:
        edit_row.met = False
        edit_row.target = "exactly 1 module re-frozen"
    rows.append(edit_row)
    return rows


def include_dirs() -> list[Path]:
    """The C compiler's system include folders plus Python's."""
    import sysconfig

    proc = subprocess.run(["gcc", "-xc", "-E", "-v", "/dev/null"], capture_output=True, text=True)
    dirs, inside = [], False
    for line in proc.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            inside = False
        elif inside:
            dirs.append(Path(line.strip()))
    return dirs + [Path(sysconfig.get_path("include"))]


def shadowing_names(headers: dict[str, Path]) -> list[str]:
    """Modules whose header file name is also the name of a system or Python header."""
    dirs = include_dirs()
    return [n for n, h in sorted(headers.items()) if any((d / h.name).is_file() for d in dirs)]


def _first_build(case: Case, root: Path) -> float:
    return timed(lambda: case.setup(root))


def _error_lines(exc: Exception) -> list[str]:
    lines = str(exc).strip().splitlines()
    return [line for line in lines if re.search(r"\berror:", line, re.I)][:3] or lines[-5:]


def bench(work: Path, modules, reps: int) -> Section:
    section = Section("No-op and one-edit builds (full-stdlib manifest)")
    cases, skipped = available_cases()
    failed: dict[str, str] = {}
    shadow: list[str] = []
    for case in cases:
        label = case.name
        root = make_tree(work / case.name.split()[0].lower(), modules,
                         stdlib_set.manifest_text(modules.names))
        embed = root / "examples" / "embed"
        shadow = shadowing_names(frore_headers(embed))
        try:
            first = _first_build(case, root)
        except RuntimeError as exc:
            errors = _error_lines(exc)
            failed[case.name] = " / ".join(errors)
            section.notes.append(f"{case.name}, full manifest, build failed; first errors:\n"
                                 + "\n".join(errors))
            if not shadow:
                skipped[case.name] = f"build fails: {failed[case.name][:160]}"
                continue
            # Same tree, manifest without the shadowing modules: a plain rebuild picks it up.
            (embed / "frozen.toml").write_text(stdlib_set.manifest_text(
                [n for n in modules.names if n not in shadow]))
            reduced = [n for n in modules.names if n not in shadow]
            try:
                case.build(root)
            except RuntimeError as exc2:
                section.notes.append(
                    f"{case.name}: after removing the shadowing modules from the manifest, the "
                    "rebuild in the same build folder still failed (their stale headers stay in "
                    "the build folder's include path); a clean build folder was used instead:\n"
                    + "\n".join(_error_lines(exc2)))
                failed[case.name] += " (and stale headers of removed modules stay in the build folder)"
                try:
                    root = make_tree(root, modules, stdlib_set.manifest_text(reduced))
                    case.setup(root)
                except RuntimeError as exc3:
                    skipped[case.name] = "build fails with the full-stdlib manifest (see notes)"
                    section.notes.append(f"{case.name} without the shadowing modules also "
                                         "failed:\n" + "\n".join(_error_lines(exc3)))
                    continue
            label = f"{case.name} (-{len(shadow)} modules)"
            section.rows.append(Row(
                "builds", f"{case.name}: build with the full-stdlib manifest", case.name, None,
                target="builds", met=False,
                note=f"FAILS: {failed[case.name][:120]}. Cause: the headers folder is on the "
                     f"include path, so the headers of {', '.join(shadow[:4])}... "
                     f"shadow system headers. Rows below omit those {len(shadow)} modules"))
        else:
            section.rows.append(single_row("builds", f"{label}: first build from clean", label,
                                           [first], note="configure + freeze all + compile + link"))
        edit_file = modules.copied(EDIT_MODULE, embed / "lib")
        section.rows += _measure(case, root, edit_file, reps, case.build, label)
        for extra_label, step in case.extra.items():
            section.rows += _measure(case, root, edit_file, reps, step, extra_label)
    for name, reason in skipped.items():
        section.rows.append(Row("builds", f"{name}: skipped", name, None, note=reason))
    section.facts["edited_module"] = EDIT_MODULE
    section.facts["modules_whose_header_shadows_a_system_header"] = shadow
    section.facts["full_manifest_build_failures"] = failed
    section.facts["skipped"] = skipped
    return section
