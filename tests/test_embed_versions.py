"""Embedding against every pyenv Python 3.8-3.13: freeze a module and a package
with a submodule using that interpreter, link its libpython, import them frozen,
and pin down what the frozen modules report as __spec__, __file__ and __path__."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLE, build_program, frore, python_for, run

PROBE_APP = '''
import importlib, json

def main(names):
    out = {}
    for name in names:
        module = importlib.import_module(name)
        spec = module.__spec__
        out[name] = {"origin": spec.origin, "file": getattr(module, "__file__", None),
                     "path": getattr(module, "__path__", None), "value": getattr(module, "VALUE", None),
                     "loader": getattr(spec.loader, "__name__", type(spec.loader).__name__)}
    print(json.dumps(out))
    return 0
'''


def build_probe(tmp_path, python) -> dict:
    (tmp_path / "app" / "sub").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text(PROBE_APP)
    (tmp_path / "app" / "sub" / "__init__.py").write_text("VALUE = 'pkg'\n")
    (tmp_path / "app" / "sub" / "mod.py").write_text("VALUE = 'submodule'\n")
    (tmp_path / "solo.py").write_text("VALUE = 'module'\n")
    for name in ("main.c", "Makefile"):
        (tmp_path / name).write_bytes((EXAMPLE / name).read_bytes())
    (tmp_path / "frozen.toml").write_text(
        f'python = "{python}"\n\n[[group]]\nname = "probe"\nmodules = ["<app.**.*>", "solo"]\n')
    frore("regen", cwd=tmp_path)
    run(["make"], cwd=tmp_path)
    # Run away from the source folder, so nothing could be imported from disk.
    out = run([tmp_path / "embed"], cwd="/")
    return json.loads(out.stdout)


@pytest.mark.parametrize("minor", [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)],
                         ids=lambda m: f"py{m[0]}{m[1]}")
def test_embed_imports_frozen(tmp_path, minor):
    python = python_for(minor)
    report = build_probe(tmp_path, python)
    assert set(report) == {"app", "app.sub", "app.sub.mod", "solo"}
    assert report["solo"]["value"] == "module"
    assert report["app.sub"]["value"] == "pkg"
    assert report["app.sub.mod"]["value"] == "submodule"
    for name, info in report.items():
        assert info["origin"] == "frozen", name
        assert info["loader"] == "FrozenImporter", name

    stdlib = run([python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"]).stdout.strip()
    if minor <= (3, 10):
        # No location at all: packages get an empty __path__, modules no __file__.
        assert report["app.sub"]["path"] == []
        assert report["app.sub"]["file"] is None
        assert report["solo"]["file"] is None
    else:
        # 3.11+ invents a __file__ (and __path__) under the stdlib folder, as if
        # the module were a stdlib module; nothing exists there.
        assert report["solo"]["file"] == f"{stdlib}/solo.py"
        assert report["app.sub"]["file"] == f"{stdlib}/app/sub/__init__.py"
        assert report["app.sub"]["path"] == [f"{stdlib}/app/sub"]
    assert report["solo"]["path"] is None


INCLUDE = "import sysconfig; print(sysconfig.get_path('include'))"


def test_guard_stops_headers_frozen_by_312_compiled_against_311(tmp_path):
    py312 = python_for((3, 12))
    py311 = python_for((3, 11))
    (tmp_path / "solo.py").write_text("VALUE = 1\n")
    (tmp_path / "frozen.toml").write_text(
        f'python = "{py312}"\n\n[[group]]\nname = "g"\nmodules = ["solo"]\n')
    frore("regen", cwd=tmp_path)
    include = run([py311, "-I", "-c", INCLUDE]).stdout.strip()
    part = next((tmp_path / "frozen").glob("frozen_modules_*.c")).relative_to(tmp_path)
    for source in ("frozen/frozen_modules.c", str(part)):
        proc = run(["gcc", "-c", "-o", "/dev/null", f"-I{include}", source], cwd=tmp_path, check=False)
        assert proc.returncode != 0
        assert "#error" in proc.stderr
        assert "frozen by Python 3.12 but is being compiled against Python 3.11" in proc.stderr
    # The header alone, included after Python.h, stops the build too.
    (tmp_path / "use.c").write_text('#include <Python.h>\n#include "frozen/solo.frozen.h"\n')
    proc = run(["gcc", "-c", "-o", "/dev/null", f"-I{include}", "use.c"], cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert "solo.frozen.h was frozen by Python 3.12 but is being compiled against Python 3.11" in proc.stderr
    # ...and the same files compile against 3.12's headers.
    include12 = run([py312, "-I", "-c", INCLUDE]).stdout.strip()
    for source in ("frozen/frozen_modules.c", str(part)):
        run(["gcc", "-c", "-o", "/dev/null", f"-I{include12}", source], cwd=tmp_path)


XOFF_MAIN = r'''
#include <Python.h>
#include "frozen/frozen_modules.h"
int main(void)
{
    PyConfig config;
    frore_install_frozen_modules();
    PyConfig_InitIsolatedConfig(&config);
    config.use_frozen_modules = 0;          /* what -X frozen_modules=off sets */
    if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
        return 2;
    PyRun_SimpleString("import solo, _imp; print(solo.__spec__.origin, _imp.is_frozen('solo'))");
    return Py_FinalizeEx() < 0 ? 3 : 0;
}
'''


@pytest.mark.parametrize("minor", [(3, 11), (3, 13)], ids=lambda m: f"py{m[0]}{m[1]}")
def test_cpython_frozen_modules_off_does_not_disable_the_embedders_table(tmp_path, minor):
    python = python_for(minor)
    (tmp_path / "solo.py").write_text("VALUE = 1\n")
    (tmp_path / "frozen.toml").write_text(
        f'python = "{python}"\n\n[[group]]\nname = "g"\nmodules = ["solo"]\n')
    frore("regen", cwd=tmp_path)
    prog = build_program(tmp_path, XOFF_MAIN)
    assert run([prog], cwd="/").stdout.strip() == "frozen True"
