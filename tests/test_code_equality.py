"""frore must freeze the code object CPython itself freezes.

For each pyenv Python 3.11-3.13, frore's worker (run under that interpreter)
compiles the stock start-up modules from the interpreter's own Lib folder; a
script in the same interpreter compares each with `_imp.get_frozen_object`.
3.13 must match exactly.  3.11 and 3.12 built their stock objects through
deep-freeze, which stores frozenset constants as tuples, so the comparison
allows exactly that one difference there.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import python_for
from frore.freeze import Job, freeze_all
from frore.interpreter import locate

STARTUP = ["abc", "codecs", "io", "os", "site", "stat", "posixpath", "genericpath",
           "_collections_abc", "_sitebuiltins", "importlib.util", "importlib.machinery",
           "runpy", "zipimport"]

COMPARE = r'''
import _imp, json, marshal, sys, types

DEEPFROZEN_SETS = sys.argv[2] == "1"

def diff(mine, stock, where):
    if isinstance(mine, types.CodeType):
        if not isinstance(stock, types.CodeType):
            return f"{where}: code vs {type(stock).__name__}"
        attrs = [a for a in dir(mine) if a.startswith("co_") and not callable(getattr(mine, a))]
        if "co_linetable" in attrs and "co_lnotab" in attrs:
            attrs.remove("co_lnotab")  # derived from co_linetable; deprecated
        for a in sorted(attrs):
            d = diff(getattr(mine, a), getattr(stock, a), f"{where}.{a}")
            if d:
                return d
        return None
    if isinstance(mine, frozenset) and DEEPFROZEN_SETS and isinstance(stock, tuple):
        stock = frozenset(stock)
    if type(mine) is not type(stock):
        return f"{where}: {type(mine).__name__} vs {type(stock).__name__}"
    if isinstance(mine, tuple):
        if len(mine) != len(stock):
            return f"{where}: tuple length {len(mine)} vs {len(stock)}"
        for i, (m, s) in enumerate(zip(mine, stock)):
            d = diff(m, s, f"{where}[{i}]")
            if d:
                return d
        return None
    if mine != stock:
        return f"{where}: {mine!r:.60} != {stock!r:.60}"
    return None

report = {}
data = json.load(open(sys.argv[1]))
for name, path in data.items():
    mine = marshal.loads(open(path, "rb").read())
    report[name] = diff(mine, _imp.get_frozen_object(name), name)
print(json.dumps(report))
'''


@pytest.mark.parametrize("minor", [(3, 11), (3, 12), (3, 13)], ids=lambda m: f"py{m[0]}{m[1]}")
def test_same_code_objects_as_stock_frozen_modules(tmp_path, minor):
    python = python_for(minor)
    interp = locate(str(python), Path.cwd())
    jobs = []
    for name in STARTUP:
        base = interp.stdlib.joinpath(*name.split("."))
        source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        jobs.append(Job(name, source))
    frozen = freeze_all(interp, jobs)
    files = {}
    for name, data in frozen.items():
        files[name] = str(tmp_path / f"{name}.marshal")
        Path(files[name]).write_bytes(data)
    (tmp_path / "index.json").write_text(json.dumps(files))
    (tmp_path / "compare.py").write_text(COMPARE)
    deepfrozen = "1" if minor in ((3, 11), (3, 12)) else "0"
    proc = subprocess.run([str(python), "-I", str(tmp_path / "compare.py"),
                           str(tmp_path / "index.json"), deepfrozen],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    assert sorted(report) == sorted(STARTUP)
    mismatches = {name: d for name, d in report.items() if d}
    assert not mismatches


def test_comparison_detects_a_different_code_object(tmp_path):
    """The comparison above must be able to fail: a different optimisation level is caught."""
    python = python_for((3, 13))
    (tmp_path / "index.json").write_text(json.dumps({"abc": str(tmp_path / "abc.marshal")}))
    (tmp_path / "compare.py").write_text(COMPARE)
    source = subprocess.run([str(python), "-I", "-c",
                             "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([str(python), "-I", "-c",
                    "import marshal,sys; c = compile(open(sys.argv[1],'rb').read(), '<frozen abc>', "
                    "'exec', dont_inherit=True, optimize=2); open(sys.argv[2],'wb').write(marshal.dumps(c))",
                    f"{source}/abc.py", str(tmp_path / "abc.marshal")], check=True)
    proc = subprocess.run([str(python), "-I", str(tmp_path / "compare.py"),
                           str(tmp_path / "index.json"), "0"], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["abc"] is not None
