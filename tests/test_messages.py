"""Hostile or broken input gets a one-line message, never a traceback.

Each case is something a packaging script or a typo can produce: a wrong type
in the manifest, a manifest path that is not a file, an interpreter that is
not Python or never answers, an output folder frore cannot write.  Every one
must end as ``frore: ...`` or ``file:line: ...`` with exit status 2 (or 1 for
a source that does not compile), and must write nothing.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import frore as frore_package
from conftest import PYTHON, frore, pyenv_root, run, snapshot

GOOD = '''search-path = ["."]

[[group]]
name = "app"
modules = ["mod", "<pkg.**.*>"]
'''


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "mod.py").write_text("X = 1\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "__init__.py").write_text("")
    (root / "frozen.toml").write_text(GOOD)
    return root


def one_line_failure(proc: subprocess.CompletedProcess, status: int = 2) -> str:
    """The single message a failure printed, after checking its shape."""
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines, "no message at all"
    assert re.match(r"^(frore: |[^:\n]+:\d+: |[^:\n]+: )", lines[0]), lines
    return proc.stderr


def regen_fails(project: Path, expect: str, *args: str, status: int = 2,
                env: dict | None = None, command: str = "regen") -> str:
    before = snapshot(project)
    err = one_line_failure(frore(command, *args, cwd=project, check=False, env=env), status)
    assert expect in err, err
    assert snapshot(project) == before
    return err


def edit(project: Path, old: str, new: str) -> None:
    manifest = project / "frozen.toml"
    text = manifest.read_text()
    assert old in text, text
    manifest.write_text(text.replace(old, new, 1))


# --- manifest values of the wrong type -------------------------------------------------

def test_output_headers_false(project):
    project.joinpath("frozen.toml").write_text(GOOD.replace(
        '["."]\n', '["."]\n[output]\nheaders = false\n', 1))
    regen_fails(project, "frozen.toml:3: 'output.headers' must be a path")


def test_group_that_is_not_a_table(project):
    project.joinpath("frozen.toml").write_text('search-path = ["."]\ngroup = [1]\n')
    regen_fails(project, "frozen.toml:2: each [[group]] must be a table")


@pytest.mark.parametrize("value", ["3", "-1", "true", "1.0", '"2"'])
def test_optimize_other_than_0_1_2(project, value):
    edit(project, 'name = "app"\n', f'name = "app"\noptimize = {value}\n')
    regen_fails(project, "frozen.toml:5: group 'app': 'optimize' must be 0, 1 or 2")


def test_one_source_at_two_optimize_levels(project):
    project.joinpath("frozen.toml").write_text(
        GOOD + '\n[[group]]\nname = "lean"\noptimize = 2\nmodules = ["mod : mod2"]\n')
    regen_fails(project, "'mod' is frozen with optimize=0 (line 5) and optimize=2")


def test_empty_alias_in_angle_brackets(project):
    edit(project, '"mod",', '"mod : <>",')
    regen_fails(project, "frozen.toml:5: 'mod : <>': alias after ':' is empty")


def test_toml_error_at_end_of_file_has_a_line(project):
    text = GOOD.rstrip("\n") + '\n[[group]]\nname = "x"\nmodules = ['
    project.joinpath("frozen.toml").write_text(text)
    regen_fails(project, f"frozen.toml:{len(text.splitlines())}: invalid TOML")


def test_utf8_bom_is_accepted(project):
    project.joinpath("frozen.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    frore("regen", cwd=project)
    assert frore("check", cwd=project).returncode == 0


def test_newline_in_a_file_name_is_not_a_module(project):
    (project / "pkg" / "evil\n.py").write_text("X = 1\n")
    frore("regen", cwd=project)
    listed = frore("list", "--json", cwd=project).stdout
    assert "evil" not in listed
    assert "evil" not in (project / "frozen" / "frozen_modules.c").read_text()


# --- the manifest path -----------------------------------------------------------------

def test_manifest_is_a_folder(project):
    err = regen_fails(project, "is a folder, not a manifest", "-m", "pkg")
    assert err.startswith("frore: error: ") or err.startswith("pkg: ")


def test_manifest_is_an_empty_string(project):
    regen_fails(project, "no manifest named", "-m", "")


def test_manifest_symlink_loop(project):
    (project / "loop.toml").symlink_to(project / "loop.toml")
    regen_fails(project, "loop.toml: cannot read the manifest", "-m", "loop.toml")


def test_symlink_loop_under_a_recursive_glob(project):
    (project / "pkg" / "sub" / "again").symlink_to(project / "pkg" / "sub" / "again")
    (project / "pkg" / "sub" / "back").symlink_to(project / "pkg")
    proc = frore("regen", cwd=project, check=False)
    if proc.returncode == 0:                  # loops are skipped: fine, if said and bounded
        assert "Traceback" not in proc.stderr
        names = frore("list", cwd=project).stdout
        assert names.count("pkg.sub.back") <= 1
    else:
        one_line_failure(proc)
        assert "frozen.toml:5: " in proc.stderr


# --- interpreters that are not what they claim ----------------------------------------

def fake_python(tmp_path: Path, body: str, name: str = "fakepy") -> Path:
    """A program posing as Python, outside the project (whose files must not change)."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    exe = tmp_path / "bin" / name
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    return exe


def test_python_that_prints_nothing(project):
    regen_fails(project, "did not answer", "--python", "/bin/true")


def test_python_that_fails_silently(project):
    err = regen_fails(project, "exited with status 1", "--python", "/bin/false")
    assert "printed nothing" in err


def test_python_that_prints_garbage(project, tmp_path):
    exe = fake_python(tmp_path, "cat /dev/null; echo 'hello, I am not python'")
    regen_fails(project, "did not answer", "--python", str(exe))


def test_python_that_never_answers_times_out_and_leaves_no_child(project, tmp_path):
    marker = tmp_path / "bin" / "child.pid"
    exe = fake_python(tmp_path, f"sleep 300 & echo $! > '{marker}'; wait")
    started = time.monotonic()
    regen_fails(project, "did not answer within 2 s", "--python", str(exe),
                env={"FRORE_TIMEOUT": "2"})
    assert time.monotonic() - started < 30
    child = int(marker.read_text())
    time.sleep(0.2)
    assert not alive(child)


def alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie waiting for a reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_freeze_primitive_times_out_too(project, tmp_path):
    exe = fake_python(tmp_path, "exec sleep 300")
    proc = frore("freeze", "mod", "mod.py", "out.h", "--python", str(exe), cwd=project,
                 check=False, env={"FRORE_TIMEOUT": "2"})
    assert "did not answer within 2 s" in one_line_failure(proc)
    assert not (project / "out.h").exists()


def test_python_too_old(project):
    old = [pyenv_root() / "versions" / v / "bin" / exe for v, exe in
           (("2.7.18", "python2.7"), ("3.7.16", "python3.7"), ("3.6.15", "python3.6"))]
    old = [p for p in old if p.exists()] + sorted(
        (pyenv_root() / "versions").glob("2.7*/bin/python2.7"))
    if not old:
        pytest.skip("no Python older than 3.8 under pyenv to try")
    err = regen_fails(project, "frore freezes for CPython 3.8 or newer", "--python", str(old[0]))
    assert re.search(r"is CPython [23]\.\d+\.\d+", err), err


def test_pyenv_shim_error_is_shown_whole(project):
    """A shim for a Python the selected pyenv version lacks explains itself over
    several lines; all of them reach the user, not just the last."""
    shims = sorted((pyenv_root() / "shims").glob("python3.1[0-9]"))
    versions = sorted(p.name for p in (pyenv_root() / "versions").glob("3.8*"))
    if not shims or not versions:
        pytest.skip("needs pyenv shims and a pyenv 3.8")
    err = regen_fails(project, "failed to start", "--python", str(shims[-1]),
                      env={"PYENV_VERSION": versions[0]})
    assert "command not found" in err and "exists in these Python versions" in err, err


# --- sources that cannot be compiled ---------------------------------------------------

def test_recursion_error_names_the_file(project):
    (project / "mod.py").write_text("X = " + "+".join(["a"] * 200_000) + "\n")
    err = regen_fails(project, "mod.py", status=1)
    assert re.search(r"mod\.py(:\d+)?: (RecursionError|SyntaxError|MemoryError)", err), err


# --- output locations frore cannot use ------------------------------------------------

def test_output_folder_is_a_file(project):
    (project / "notes.txt").write_text("mine\n")
    project.joinpath("frozen.toml").write_text(GOOD.replace(
        '["."]\n', '["."]\n[output]\nheaders = "notes.txt"\n', 1))
    regen_fails(project, "notes.txt")
    assert (project / "notes.txt").read_text() == "mine\n"


def _unprivileged() -> list[str]:
    """A prefix that runs a command as an unprivileged user (root ignores file modes)."""
    if os.geteuid() != 0:
        return []
    setpriv = "/usr/bin/setpriv"
    if not Path(setpriv).exists():
        pytest.skip("running as root without setpriv: cannot test a permission error")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_read_only_output_folder():
    """As a user who may not write the headers folder (root ignores file modes,
    so as root the command runs under setpriv as nobody)."""
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="frore-ro-"))     # not below pytest's 0700 folder
    try:
        top.chmod(0o755)
        project = top / "proj"
        (project / "pkg" / "sub").mkdir(parents=True)
        (project / "mod.py").write_text("X = 1\n")
        (project / "extra.py").write_text("Y = 2\n")
        (project / "pkg" / "__init__.py").write_text("")
        (project / "pkg" / "sub" / "__init__.py").write_text("")
        (project / "frozen.toml").write_text(GOOD)
        frore("regen", cwd=project)
        edit(project, '"mod",', '"mod", "extra",')
        for p in [project, *project.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        # The checkout may sit below a folder only root may enter (a fresh
        # clone in mktemp -d does): give nobody its own copy of the package.
        lib = top / "lib"
        shutil.copytree(Path(frore_package.__file__).parent, lib / "frore",
                        ignore=shutil.ignore_patterns("__pycache__"))
        before = snapshot(project)
        proc = run([*_unprivileged(), os.path.realpath(PYTHON), "-m", "frore", "regen"], cwd=project,
                   check=False, env={"HOME": str(top), "PYTHONPATH": str(lib)})
        err = one_line_failure(proc)
        assert "frozen" in err and "ermission denied" in err, err
        assert snapshot(project) == before
    finally:
        for p in [top, *top.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(top)


def test_full_disk(project):
    """Writes that fail half way (EFBIG from a file size limit, as ENOSPC would) leave
    every output as it was and say which file could not be written."""
    frore("regen", cwd=project)
    (project / "mod.py").write_text("DATA = %r\n" % (b"x" * 200_000))
    before = snapshot(project)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))"
    proc = run([sys.executable, "-c", f"{limit}\nimport runpy, sys\nsys.argv = ['frore', 'regen']\n"
                "runpy.run_module('frore', run_name='__main__')"], cwd=project, check=False)
    err = one_line_failure(proc)
    # The header, or the array file old MSVC includes for a module this large.
    assert re.search(r"mod\.frozen\.(msvc\.)?h: cannot write", err), err
    assert snapshot(project) == before
    assert not [p for p in (project / "frozen").iterdir() if p.name.endswith(".tmp")]


def test_gen_with_an_unknown_backend_lists_the_known_ones(project):
    for name in ("base", "ninja", "../cli"):
        err = one_line_failure(frore("gen", name, cwd=project, check=False))
        assert f"unknown backend {name!r}" in err
        assert "cmake, make, meson, msbuild, scons, table" in err


def test_gen_without_a_backend_names_them_and_no_option(project):
    err = one_line_failure(frore("gen", cwd=project, check=False))
    assert "gen needs a BACKEND, one of: cmake, make, meson, msbuild, scons, table" in err
    assert "KEY=VALUE" not in err.split("(usage")[0]          # optional, so not "required"


def test_gen_options_anywhere_and_table_output_honoured(project):
    frore("gen", "meson", "-o", project / "x" / "meson.build", "prefix=app", cwd=project)
    assert "app_sources" in (project / "x" / "meson.build").read_text()
    frore("gen", "table", "-o", project / "t" / "table.c", cwd=project)
    assert (project / "t" / "table.c").is_file() and (project / "t" / "table.h").is_file()


def test_check_quiet_says_nothing_and_exits_1(project):
    proc = frore("check", "-q", cwd=project, check=False)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")
    frore("regen", cwd=project)
    assert frore("-q", "check", cwd=project).stdout == ""


def test_init_writes_a_starter_that_regen_accepts_and_never_overwrites(tmp_path):
    (tmp_path / "mypkg" / "sub").mkdir(parents=True)
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "tool.py").write_text("X = 1\n")
    (tmp_path / "setup.py").write_text("")
    proc = frore("init", cwd=tmp_path)
    assert "wrote frozen.toml" in proc.stdout
    text = (tmp_path / "frozen.toml").read_text()
    assert '"<mypkg.**.*>",' in text and '"tool",' in text and '"setup"' not in text
    assert "# flavor = " in text and "search-path = " in text and "# python = " in text
    frore("regen", cwd=tmp_path)
    names = [m["name"] for m in json.loads(frore("list", "--json", cwd=tmp_path).stdout)["modules"]]
    assert names == ["mypkg", "mypkg.sub", "tool"]

    (tmp_path / "frozen.toml").write_text("# mine\n")
    err = one_line_failure(frore("init", cwd=tmp_path, check=False))
    assert "frozen.toml: already exists" in err
    assert (tmp_path / "frozen.toml").read_text() == "# mine\n"

    empty = tmp_path / "empty"
    empty.mkdir()
    frore("init", "-q", cwd=empty)
    frore("regen", cwd=empty)                       # an empty group is a valid start


def test_interrupt_leaves_no_half_written_file(project):
    """SIGINT while freezing: a one-line message, status 130, nothing written."""
    (project / "big.py").write_text("X = [{}]\n".format(",".join(["1"] * 300_000)))
    edit(project, '"mod",', '"mod", "big",')
    before = snapshot(project)
    proc = subprocess.Popen([PYTHON, "-m", "frore", "regen"], cwd=project, text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("regen finished before the signal arrived")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert snapshot(project) == before


def test_a_headers_folder_c_cannot_include_is_refused(project):
    """The table #includes headers by a relative path; C cannot hold '"' there."""
    project.joinpath("frozen.toml").write_text(GOOD.replace(
        '["."]\n', '["."]\n[output]\nheaders = \'he"aders\'\ntable = "tables/frozen_modules.c"\n', 1))
    err = regen_fails(project, "frozen.toml:3: output.headers")
    assert "'\"'" in err and "(C)" in err


# --- a target newer than the newest tested CPython ------------------------------------

FAKE_316 = """#!{python}
# Answers as a CPython 3.16 would: frore's worker under this interpreter, version faked.
import runpy, sys
args = sys.argv[1:]
while args and args[0].startswith("-"):
    args.pop(0)
sys.argv = args
sys.version_info = (3, 16, 0, "final", 0)
runpy.run_path(args[0], run_name="__main__")
"""


def test_untested_newer_python_is_refused_unless_asked(tmp_path):
    exe = tmp_path / "python3.16"
    exe.write_text(FAKE_316.format(python=sys.executable))
    exe.chmod(0o755)
    (tmp_path / "solo.py").write_text("VALUE = 1\n")
    (tmp_path / "frozen.toml").write_text(
        f'python = "{exe}"\nsearch-path = ["."]\n\n[[group]]\nname = "g"\nmodules = ["solo"]\n')
    proc = frore("regen", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "frozen.toml:1: " in proc.stderr
    assert "is CPython 3.16; frore is tested with CPython 3.8 to 3.15" in proc.stderr
    assert "FRORE_ALLOW_UNTESTED_PYTHON=1" in proc.stderr
    assert not (tmp_path / "frozen").exists()

    proc = frore("regen", cwd=tmp_path, env={"FRORE_ALLOW_UNTESTED_PYTHON": "1"})
    assert "warning" in proc.stderr and "3.15's table layout" in proc.stderr
    table = (tmp_path / "frozen" / "frozen_modules.c").read_text()
    assert "PY_MINOR_VERSION != 16" in table
