"""Timing and process helpers shared by every benchmark.

Machines here are shared and noisy, so a single absolute time proves little.
Every comparison is measured side by side: A and B alternate within one run,
several times, and the result is the median of each plus the median (and the
min..max spread) of the per-pair ratios: A/B where frore's side should be
faster or smaller (a speed-up), B/A where its cost is bounded by a multiple of
the baseline's (a cost ratio; its target reads "≤").

Every process the bench starts inherits :func:`prepare_environment`'s
environment: no ``PYTHONDONTWRITEBYTECODE`` (with it, each Python process
would compile every module it imports from source, and start-up numbers would
mean nothing), and warm ``.pyc`` caches (:func:`warm_pycs`).
"""

from __future__ import annotations

import os
import platform
import shutil
import site
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
EXAMPLE = REPO / "examples" / "embed"

# The real interpreter binary (never the pyenv shim, which costs ~0.1 s a call).
PYTHON = os.path.realpath(sys.executable)
# How build rules and the bench run frore: this interpreter (a venv keeps its
# own sys.executable so frore stays importable), with -m.
FRORE = [sys.executable, "-m", "frore"]


@dataclass
class Stat:
    """Median and spread of one series of seconds (or any positive numbers)."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Stat:
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass
class Row:
    """One line of the results table.

    ``a`` is the baseline and ``b`` the thing measured against it, so
    ``ratio`` = median of per-pair a/b: how many times faster (or smaller)
    frore's side is.  Single measurements leave ``a`` empty.
    """

    bench: str
    metric: str
    b_label: str
    b: Stat | None
    a_label: str = ""
    a: Stat | None = None
    ratio: Stat | None = None
    unit: str = "s"
    target: str = ""
    met: bool | None = None
    note: str = ""
    ratio_kind: str = "A/B"             # "B/A": a cost ratio (frore's time over the baseline's)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Section:
    """What one benchmark module returns: rows plus free-form facts (counts, paths)."""

    title: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run(cmd, cwd: Path | None = None, env: dict | None = None, check: bool = True,
        quiet: bool = True) -> subprocess.CompletedProcess:
    """Run *cmd*; on failure show what it printed (bench problems must be visible)."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=full_env,
                          capture_output=quiet, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def alternate(a: Callable[[], float], b: Callable[[], float], reps: int,
              setup: Callable[[], None] | None = None) -> tuple[list[float], list[float]]:
    """Run a, b, a, b ... *reps* pairs; each callable returns its own measurement.

    Callables return the number to record (usually ``timed(...)``), so a
    benchmark can exclude its own preparation (an edit, a clean) from the time.
    The order flips every pair so neither side always runs on a warmer cache.
    """
    xs: list[float] = []
    ys: list[float] = []
    for i in range(reps):
        if setup:
            setup()
        if i % 2 == 0:
            xs.append(a())
            ys.append(b())
        else:
            ys.append(b())
            xs.append(a())
    return xs, ys


def ratio_row(bench: str, metric: str, a_label: str, a: list[float], b_label: str,
              b: list[float], target: float | None = None, unit: str = "s",
              target_text: str = "", note: str = "") -> Row:
    """A row comparing baseline *a* with *b*; ratio = a/b per pair (>1: b is faster)."""
    ratios = [x / y for x, y in zip(a, b) if y > 0]
    r = Stat.of(ratios)
    met = None
    if target is not None:
        met = r.median >= target
        target_text = target_text or f"≥ {target:g}×"
    return Row(bench, metric, b_label, Stat.of(b), a_label, Stat.of(a), r, unit,
               target_text, met, note)


def cost_row(bench: str, metric: str, a_label: str, a: list[float], b_label: str,
             b: list[float], at_most: float | None = None, unit: str = "s",
             note: str = "") -> Row:
    """A row bounding *b* by a multiple of baseline *a*: ratio = b/a per pair
    (< 1: b is cheaper), target ``≤ at_most×``."""
    r = Stat.of([y / x for x, y in zip(a, b) if x > 0])
    met = None if at_most is None else r.median <= at_most
    target = "" if at_most is None else f"≤ {at_most:g}×"
    return Row(bench, metric, b_label, Stat.of(b), a_label, Stat.of(a), r, unit, target, met,
               note, ratio_kind="B/A")


def single_row(bench: str, metric: str, label: str, values: list[float], unit: str = "s",
               limit: float | None = None, note: str = "", at_most: float | None = None) -> Row:
    """A row for one measured thing, optionally against an upper limit
    (*limit*: strictly below; *at_most*: at or below)."""
    s = Stat.of(values)
    met, target = None, ""
    if limit is not None:
        met, target = s.median < limit, f"< {limit:g} {unit}"
    elif at_most is not None:
        met, target = s.median <= at_most, f"≤ {at_most:g} {unit}"
    return Row(bench, metric, label, s, unit=unit, target=target, met=met, note=note)


def skipped_row(bench: str, what: str, reason: str) -> Row:
    """A row saying *what* was not measured, and why (a tool or input is missing)."""
    return Row(bench, f"{what}: skipped", what, None, note=reason)


def prepare_environment() -> None:
    """Make this process's environment the one every timed process inherits.

    ``PYTHONDONTWRITEBYTECODE`` goes: a Python started with it (and without
    -E/-I) neither writes nor, the first time, finds ``.pyc`` files, so every
    run would recompile frore, Meson or SCons from source.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def warm_pycs() -> list[str]:
    """Write the ``.pyc`` files of everything the timed commands import, once,
    before any timing: frore's package (its freezer runs with -B, so a build
    never writes them itself) and the Python build tools of the bench's venv.
    Returns the folders compiled."""
    folders = [REPO / "tools" / "frore"]
    for base in site.getsitepackages():
        for name in ("mesonbuild", "SCons", "cmake", "ninja"):
            if (Path(base) / name).is_dir():
                folders.append(Path(base) / name)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j0", *map(str, folders)],
                   stdout=subprocess.DEVNULL, check=False)
    return [str(f) for f in folders]


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout
    make = subprocess.run(["make", "--version"], capture_output=True, text=True).stdout
    return {
        "python": sys.version.split()[0],
        "python_executable": PYTHON,
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "gcc": gcc.splitlines()[0] if gcc else "",
        "make": make.splitlines()[0] if make else "",
        "load_before": os.getloadavg()[0],
        "frore_commit": _git("rev-parse", "--short", "HEAD"),
        "frore_uncommitted_files": _git("status", "--porcelain", "--", "tools/frore").count("\n")
        + bool(_git("status", "--porcelain", "--", "tools/frore")),
    }


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return proc.stdout.strip()


def tool(name: str) -> str | None:
    """A tool from the bench interpreter's venv, else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def top_imports(argv: list, cwd: Path | None = None, largest: int = 6) -> str:
    """What a command imports at top level, by ``-X importtime`` (argv[0] is the
    interpreter): total cumulative time and the largest imports."""
    argv = [str(a) for a in argv]
    err = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, capture_output=True,
                         text=True, check=True, stdin=subprocess.DEVNULL).stderr
    top = []
    for line in err.splitlines():
        parts = line.split("|")
        # "import time: self | cumulative |   name": nested imports are indented further.
        if line.startswith("import time:") and len(parts) == 3 and not parts[2].startswith("  "):
            name = parts[2].strip()
            if name != "imported package":
                top.append((name, int(parts[1])))
    total = sum(us for _, us in top)
    biggest = sorted(top, key=lambda t: -t[1])[:largest]
    return (f"{total / 1000:.1f} ms in {len(top)} top-level imports; largest: "
            + ", ".join(f"{n} {us / 1000:.1f}" for n, us in biggest))


def frore_headers(folder: Path) -> dict[str, Path]:
    """Module name -> header path, as ``frore list --json`` reports them (never guessed)."""
    import json

    listing = json.loads(run([*FRORE, "list", "--json"], cwd=folder).stdout)
    return {m["name"]: Path(m["header"]) for m in listing["modules"]}


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
