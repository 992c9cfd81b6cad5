"""CPython 3.14 and 3.15, proven on Debian's real interpreters.

3.14 and 3.15 need a newer C library than this Debian 12 machine has, so they
live in a Debian sid chroot that ``.ci/sid-chroot`` builds once (python3.14-dev,
python3.15-dev from experimental, gcc, make) in ``~/.cache/frore/sid-root``
(or ``$FRORE_SID_ROOT``).  Each session copies the checkout's ``tools/`` into
the chroot's ``/opt/frore``: frore runs there *as the host* under 3.14 and 3.15
(no PyPI inside; frore needs nothing but the standard library there).  Every
test works in a fresh folder under the chroot's ``/tmp`` and runs its commands
with ``chroot``, with a clean environment.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_code_equality import COMPARE
from test_embed_versions import XOFF_MAIN
from test_strict_c import BIG

from conftest import EXAMPLE, REPO, run, sid_root

VERSIONS = ["3.14", "3.15"]


@dataclass(frozen=True)
class Sid:
    """The chroot, and how to run a command in it."""

    root: Path

    def host(self, inside: str) -> Path:
        """The host path of a path inside the chroot."""
        return self.root / inside.lstrip("/")

    def run(self, cmd: list[str], cwd: str = "/", check: bool = True,
            env: dict[str, str] | None = None):
        extra = [f"{k}={v}" for k, v in (env or {}).items()]
        return run(["chroot", self.root, "/usr/bin/env", "-i", f"--chdir={cwd}",
                    "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "HOME=/root",
                    "PYTHONPATH=/opt/frore/tools", *extra, *cmd], check=check)


@pytest.fixture(scope="session")
def sid() -> Sid:
    root = sid_root()
    assert root is not None                    # the needs_sid_chroot marker checked it
    frore_copy = root / "opt" / "frore" / "tools"
    shutil.rmtree(frore_copy.parent, ignore_errors=True)
    shutil.copytree(REPO / "tools", frore_copy, ignore=shutil.ignore_patterns("__pycache__"))
    return Sid(root)


@pytest.fixture
def project(sid):
    """A fresh folder in the chroot: (its path inside, its path on the host)."""
    inside = f"/tmp/frore-tests/{uuid.uuid4().hex}"
    host = sid.host(inside)
    host.mkdir(parents=True)
    yield inside, host
    shutil.rmtree(host, ignore_errors=True)


pytestmark = pytest.mark.needs_sid_chroot

PROBE_APP = '''
import _imp, importlib, json, sys

def main(names):
    out = {"version": list(sys.version_info[:2]), "modules": {}, "stock": {}}
    for name in ("app", "app.sub", "app.sub.mod", "solo", "solo_alias"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:         # an alias exists only in the table
            out["modules"][name] = None
            continue
        spec = module.__spec__
        out["modules"][name] = {
            "origin": spec.origin, "frozen": _imp.is_frozen(name),
            "loader": getattr(spec.loader, "__name__", type(spec.loader).__name__),
            "file": getattr(module, "__file__", None), "path": getattr(module, "__path__", None),
            "value": getattr(module, "VALUE", None)}
    for name in ("os", "codecs", "zipimport"):      # the interpreter's own frozen modules
        module = importlib.import_module(name)
        out["stock"][name] = [_imp.is_frozen(name), module.__spec__.origin]
    import __hello__
    out["stock"]["__hello__"] = [_imp.is_frozen("__hello__"), __hello__.__spec__.origin]
    print(json.dumps(out))
    return 0
'''

XOFF_RULES = '''
xoff: xoff.o $(FRORE_OBJECTS)
\t$(CC) -o $@ xoff.o $(FRORE_OBJECTS_SH) $(FRORE_PYTHON_LIBS) $(FRORE_PYTHON_RPATH) $(LDFLAGS)

xoff.o: xoff.c $(FRORE_TABLE_H)
\t$(CC) $(CFLAGS) $(FRORE_CFLAGS) -I. -c -o $@ xoff.c
'''


def write_probe(host: Path, version: str) -> None:
    (host / "app" / "sub").mkdir(parents=True)
    (host / "app" / "__init__.py").write_text(PROBE_APP)
    (host / "app" / "sub" / "__init__.py").write_text("VALUE = 'pkg'\n")
    (host / "app" / "sub" / "mod.py").write_text("VALUE = 'submodule'\n")
    (host / "solo.py").write_text("VALUE = 'module'\n")
    (host / "main.c").write_bytes((EXAMPLE / "main.c").read_bytes())
    (host / "xoff.c").write_text(XOFF_MAIN)
    (host / "Makefile").write_text((EXAMPLE / "Makefile").read_text() + XOFF_RULES)
    (host / "frozen.toml").write_text(
        f'python = "/usr/bin/python{version}"\n\n[[group]]\nname = "probe"\n'
        'modules = ["<app.**.*>", "solo", "solo : solo_alias"]\n')


@pytest.mark.parametrize("version", VERSIONS)
def test_embed_on_the_real_interpreter(sid, project, version):
    """frore runs as the host on the version, freezes for it, the program links its
    libpython (gcc 16), and everything imports frozen; the switches work."""
    inside, host = project
    write_probe(host, version)
    sid.run([f"python{version}", "-m", "frore", "regen"], cwd=inside)
    sid.run([f"python{version}", "-m", "frore", "check"], cwd=inside)
    listed = json.loads(sid.run([f"python{version}", "-m", "frore", "list", "--json"], cwd=inside).stdout)
    assert listed["python_version"].startswith(version + ".") and len(listed["modules"]) == 5, listed
    sid.run(["make", "embed", "xoff"], cwd=inside)
    out = json.loads(sid.run([f"{inside}/embed"], cwd="/").stdout)
    assert out["version"] == [int(x) for x in version.split(".")]
    modules = out["modules"]
    assert {n: m["value"] for n, m in modules.items()} == {
        "app": None, "app.sub": "pkg", "app.sub.mod": "submodule", "solo": "module",
        "solo_alias": "module"}
    for name, info in modules.items():
        assert (info["origin"], info["frozen"], info["loader"]) == \
            ("frozen", True, "FrozenImporter"), name
    # README's run-time table: as 3.11-3.13, a __file__ and __path__ invented under
    # the stdlib folder (nothing exists there).
    stdlib = f"/usr/lib/python{version}"
    assert modules["solo"]["file"] == f"{stdlib}/solo.py"
    assert modules["solo"]["path"] is None
    assert modules["app.sub"]["file"] == f"{stdlib}/app/sub/__init__.py"
    assert modules["app.sub"]["path"] == [f"{stdlib}/app/sub"]
    # The interpreter's own frozen modules still work beside frore's table.
    assert out["stock"] == {n: [True, "frozen"] for n in ("os", "codecs", "zipimport", "__hello__")}

    # FRORE_FROZEN_MODULES=off: everything from the sources beside the program.
    off = sid.run([f"{inside}/embed"], cwd="/", env={"FRORE_FROZEN_MODULES": "off"})
    assert "disabled by FRORE_FROZEN_MODULES" in off.stderr
    modules = json.loads(off.stdout)["modules"]
    assert modules["solo_alias"] is None
    assert modules["solo"]["origin"] == f"{inside}/solo.py" and not modules["solo"]["frozen"]
    assert modules["app.sub"]["origin"] == f"{inside}/app/sub/__init__.py"

    # CPython's -X frozen_modules=off leaves an embedder's table alone.
    assert sid.run([f"{inside}/xoff"], cwd="/").stdout.strip() == "frozen True"


CODE_EQUALITY = r'''
import _imp, json, os, sys, sysconfig
sys.path.insert(0, "/opt/frore/tools")
from frore import _worker

stdlib = sysconfig.get_path("stdlib")
files, skipped = {}, []
for name in sorted(_imp._frozen_module_names()):
    # An alias (_frozen_importlib, __hello_alias__, pkg.__init__) is its source's code.
    origname = (_imp.find_frozen(name)[2] or name).lstrip("<")   # "<pkg": the package
    base = os.path.join(stdlib, *origname.split("."))
    source = next((p for p in (base + ".py", os.path.join(base, "__init__.py"))
                   if os.path.isfile(p)), None)
    if source is None:
        skipped.append(name)            # frozen-only, or a test module Debian does not ship
        continue
    result = _worker.freeze_one(origname, source)
    files[name] = os.path.join(sys.argv[1], name + ".marshal")
    with open(files[name], "wb") as f:
        f.write(result["data"])
with open(os.path.join(sys.argv[1], "index.json"), "w") as f:
    json.dump(files, f)
print(json.dumps({"compared": sorted(files), "skipped": skipped}))
'''


@pytest.mark.parametrize("version", VERSIONS)
def test_same_code_objects_as_the_stock_frozen_modules(sid, project, version):
    """Every stock frozen module whose source ships: frore's bytes unmarshal to a code
    object equal to `_imp.get_frozen_object` (no deep-freeze since 3.13: exactly)."""
    inside, host = project
    (host / "freeze.py").write_text(CODE_EQUALITY)
    (host / "compare.py").write_text(COMPARE)
    listed = json.loads(sid.run([f"python{version}", "-I", f"{inside}/freeze.py", inside]).stdout)
    assert len(listed["compared"]) >= 24, listed        # 3.14: 24, 3.15: 25
    assert {"abc", "codecs", "io", "os", "site", "zipimport"} <= set(listed["compared"])
    report = json.loads(sid.run([f"python{version}", "-I", f"{inside}/compare.py",
                                 f"{inside}/index.json", "0"]).stdout)
    assert sorted(report) == listed["compared"]
    assert {name: d for name, d in report.items() if d} == {}


@pytest.mark.parametrize("version", VERSIONS)
def test_headers_are_deterministic(sid, project, version):
    """Same bytes whatever the hash seed and job count (frore as the host on the version)."""
    inside, host = project
    modules = ["json", "<email.**.*>", "typing", "enum", "collections"]
    (host / "frozen.toml").write_text(
        f'python = "/usr/bin/python{version}"\nsearch-path = ["{{stdlib}}"]\n\n'
        f'[[group]]\nname = "g"\nmodules = {json.dumps(modules)}\n')
    seen = []
    for seed, jobs in (("1", "1"), ("12345", "2"), ("random", "2")):
        sid.run([f"python{version}", "-m", "frore", "regen", "--force", "-j", jobs], cwd=inside,
                env={"PYTHONHASHSEED": seed})
        seen.append({p.name: p.read_bytes() for p in sorted((host / "frozen").iterdir())})
    assert len(seen[0]) > 20
    assert seen[0] == seen[1] == seen[2]


def test_guard_names_both_versions(sid, project):
    """Headers frozen by 3.15 compiled against 3.14's Python.h stop with both names."""
    inside, host = project
    (host / "solo.py").write_text("VALUE = 1\n")
    (host / "frozen.toml").write_text(
        'python = "/usr/bin/python3.15"\n\n[[group]]\nname = "g"\nmodules = ["solo"]\n')
    sid.run(["python3.15", "-m", "frore", "regen"], cwd=inside)
    part = next((host / "frozen").glob("frozen_modules_*.c")).relative_to(host)
    for source in ("frozen/frozen_modules.c", str(part)):
        proc = sid.run(["gcc", "-c", "-o", "/dev/null", "-I/usr/include/python3.14", source],
                       cwd=inside, check=False)
        assert proc.returncode != 0
        assert "frozen by Python 3.15 but is being compiled against Python 3.14" in proc.stderr
        sid.run(["gcc", "-c", "-o", "/dev/null", "-I/usr/include/python3.15", source], cwd=inside)


STRICT = [("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]),
          ("g++", ["-x", "c++", "-Wall", "-Wextra", "-Werror"])]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("switch", [[], ["-DFRORE_DISABLE_FROZEN_MODULES"]], ids=["table", "disabled"])
def test_strict_flags_with_gcc_and_gxx_16(sid, project, version, switch):
    inside, host = project
    (host / "pkg").mkdir()
    (host / "pkg" / "__init__.py").write_text("X = 1\n")
    (host / "small.py").write_text("Y = 2\n")
    (host / "big.py").write_text(BIG, encoding="utf-8")
    (host / "frozen.toml").write_text(
        f'python = "/usr/bin/python{version}"\n\n[[group]]\nname = "a */ /* group ??/"\n'
        'modules = ["small", "big", "<pkg>", "small : small_alias"]\n')
    sid.run([f"python{version}", "-m", "frore", "regen"], cwd=inside)
    assert "gcc (Debian 16" in sid.run(["gcc", "--version"]).stdout
    files = sorted(str(p.relative_to(host)) for p in (host / "frozen").glob("frozen_modules*.c"))
    assert len(files) > 1
    for compiler, flags in STRICT:
        for c_file in files:
            proc = sid.run([compiler, *flags, *switch, "-isystem", f"/usr/include/python{version}",
                            "-c", "-o", "/dev/null", c_file], cwd=inside, check=False)
            assert proc.returncode == 0 and proc.stderr == "", (c_file, proc.stderr)


@pytest.mark.parametrize("version", VERSIONS)
def test_discover_and_lint_on_the_real_interpreter(sid, project, version):
    """frore discover and frore lint with 3.14/3.15 as host and target: the printed group
    (with -c's 3.14 dedent) is accepted by regen, and lint words its findings for it."""
    inside, host = project
    (host / "app").mkdir()
    (host / "app" / "__init__.py").write_text("import json\nHERE = __file__\n")
    proc = sid.run([f"python{version}", "-m", "frore", "discover", "--group", "run", "--",
                    "-c", "\n    import app\n    import textwrap\n"], cwd=inside)
    assert proc.stdout.startswith('[[group]]\nname = "run"\n'), proc.stdout
    assert '"<app>",' in proc.stdout and '"textwrap",' in proc.stdout
    assert f"# frozen by Python {version} already" in proc.stdout
    (host / "frozen.toml").write_text(f'python = "/usr/bin/python{version}"\n\n' + proc.stdout)
    sid.run([f"python{version}", "-m", "frore", "regen", "-q"], cwd=inside)
    lint = sid.run([f"python{version}", "-m", "frore", "lint"], cwd=inside, check=False)
    assert lint.returncode == 1
    assert f"app/__init__.py:2: FRZ001 __file__: frozen on Python {version}" in lint.stdout
