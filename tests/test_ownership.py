"""frore only touches what it owns.

An output may not be an input or another output; stray removal follows the
record of what this manifest's runs wrote, never a file name pattern; special
files are never opened blindly; modes follow the umask for new files and are
kept for rewritten ones; damaged outputs are repaired, never a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import PYTHON, frore, snapshot

MANIFEST = '''search-path = ["."]
{output}
[[group]]
name = "g"
modules = ["hello", "other"]
'''


def project(root: Path, output: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "hello.py").write_text("X = 1\n")
    (root / "other.py").write_text("Y = 2\n")
    (root / "frozen.toml").write_text(MANIFEST.format(output=output))
    return root


def refused(root: Path, expect: str) -> str:
    before = snapshot(root)
    proc = frore("regen", cwd=root, check=False)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert expect in proc.stderr, proc.stderr
    assert snapshot(root) == before
    return proc.stderr


# --- an output that is an input or another output ---------------------------------------

def test_make_fragment_over_the_manifest_is_refused(tmp_path):
    root = project(tmp_path / "p", '[output]\nmake = "frozen.toml"\n')
    err = refused(root, "frozen.toml:3: output.make")
    assert "is the manifest" in err


def test_make_fragment_over_a_source_is_refused(tmp_path):
    root = project(tmp_path / "p", '[output]\nmake = "hello.py"\n')
    err = refused(root, "frozen.toml:3: output.make")
    assert "source of module 'hello'" in err


def test_table_header_over_a_module_header_is_refused(tmp_path):
    root = project(tmp_path / "p", '[output]\ntable = "frozen/hello.frozen.c"\n')
    err = refused(root, "frozen.toml:3: output.table")
    assert "hello.frozen.h" in err and "module 'hello'" in err


def test_table_over_the_make_fragment_is_refused(tmp_path):
    root = project(tmp_path / "p", '[output]\ntable = "x.c"\nmake = "x.h"\n')
    refused(root, "output.make")


@pytest.mark.parametrize("backend, output", [("scons", "frozen.toml"), ("make", "hello.py"),
                                             ("msbuild", "other.py"), ("cmake", "hello.py")])
def test_gen_output_over_an_input_is_refused(tmp_path, backend, output):
    root = project(tmp_path / "p")
    before = snapshot(root)
    proc = frore("gen", backend, "-o", output, cwd=root, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and output in proc.stderr
    assert snapshot(root) == before


# --- strays: only what this manifest wrote ----------------------------------------------

def test_a_copy_of_a_header_is_not_removed(tmp_path):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    shutil.copy(root / "frozen" / "hello.frozen.h", root / "frozen" / "hello_patched.h")
    frore("regen", cwd=root)
    assert (root / "frozen" / "hello_patched.h").exists()
    assert frore("check", cwd=root).returncode == 0


def test_two_manifests_sharing_a_headers_folder_coexist(tmp_path):
    a = project(tmp_path / "a", '[output]\nheaders = "../shared"\ntable = "../shared/a.c"\n'
                                'make = "../shared/a.mk"\n')
    b = tmp_path / "b"
    b.mkdir()
    (b / "third.py").write_text("Z = 3\n")
    (b / "frozen.toml").write_text('search-path = ["."]\n[output]\nheaders = "../shared"\n'
                                   'table = "../shared/b.c"\nmake = "../shared/b.mk"\n'
                                   '[[group]]\nname = "b"\nmodules = ["third"]\n')
    for _ in range(2):
        frore("regen", cwd=a)
        frore("regen", cwd=b)
    shared = tmp_path / "shared"
    assert {"hello.frozen.h", "other.frozen.h", "third.frozen.h"} <= {p.name for p in shared.iterdir()}
    assert frore("check", cwd=a).returncode == 0
    assert frore("check", cwd=b).returncode == 0
    # Dropping a module from one manifest removes only that manifest's header.
    (a / "frozen.toml").write_text((a / "frozen.toml").read_text().replace(', "other"', ""))
    frore("regen", cwd=a)
    assert not (shared / "other.frozen.h").exists()
    assert (shared / "third.frozen.h").exists()


def test_a_second_manifest_cannot_take_over_anothers_table(tmp_path):
    a = project(tmp_path / "a", '[output]\nheaders = "../shared"\n')
    b = project(tmp_path / "b", '[output]\nheaders = "../shared"\n')
    frore("regen", cwd=a)
    err = refused(b, "frozen_modules.c")
    assert "a/frozen.toml" in err


def test_a_header_both_manifests_declare_is_kept(tmp_path):
    a = project(tmp_path / "a", '[output]\nheaders = "../shared"\ntable = "../shared/a.c"\n'
                                'make = false\n')
    b = project(tmp_path / "b", '[output]\nheaders = "../shared"\ntable = "../shared/b.c"\n'
                                'make = false\n')
    frore("regen", cwd=a)
    frore("regen", cwd=b)
    (a / "frozen.toml").write_text((a / "frozen.toml").read_text().replace(', "other"', ""))
    frore("regen", cwd=a)
    assert (tmp_path / "shared" / "other.frozen.h").exists()      # b still needs it
    assert frore("check", cwd=b).returncode == 0


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling-link"])
def test_special_files_beside_the_outputs_are_left_alone(tmp_path, kind):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    odd = root / "frozen" / "x.h"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "folder":
        odd.mkdir()
    else:
        odd.symlink_to(root / "nowhere.h")
    proc = subprocess.run([PYTHON, "-m", "frore", "regen", "--force"], cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert os.path.lexists(odd)
    assert frore("check", cwd=root).returncode == 0


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling-link"])
def test_a_special_file_where_an_output_goes_is_refused(tmp_path, kind):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    odd = root / "frozen" / "hello.frozen.h"
    odd.unlink()
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "folder":
        odd.mkdir()
    else:
        odd.symlink_to(root / "nowhere.h")
    for command in ("regen", "check"):
        proc = subprocess.run([PYTHON, "-m", "frore", command], cwd=root, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 2, (command, proc.stderr)
        assert "hello.frozen.h" in proc.stderr and "not a regular file" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert os.path.lexists(odd)


# --- modes ------------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_files_follow_the_umask(tmp_path, umask):
    root = project(tmp_path / "p")
    proc = subprocess.run(["sh", "-c", f"umask {umask:03o} && exec {PYTHON} -m frore regen"],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for path in (root / "frozen").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name


def test_rewritten_files_keep_their_mode(tmp_path):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    table = root / "frozen" / "frozen_modules.c"
    header = root / "frozen" / "hello.frozen.h"
    table.chmod(0o640)
    header.chmod(0o604)
    (root / "hello.py").write_text("X = 2\n")
    (root / "frozen.toml").write_text((root / "frozen.toml").read_text().replace(
        '"other"]', '"other", "other : alias"]'))
    frore("regen", cwd=root)
    assert "alias" in table.read_text()
    assert stat.S_IMODE(table.stat().st_mode) == 0o640
    assert stat.S_IMODE(header.stat().st_mode) == 0o604


# --- damaged outputs --------------------------------------------------------------------

def test_a_header_damaged_below_its_key_is_seen_and_repaired(tmp_path):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    header = root / "frozen" / "hello.frozen.h"
    good = header.read_bytes()
    header.write_bytes(good[: len(good) // 2])               # truncated
    proc = frore("check", cwd=root, check=False)
    assert proc.returncode == 1 and "stale: frozen/hello.frozen.h" in proc.stdout
    frore("regen", cwd=root)
    assert header.read_bytes() == good
    header.write_bytes(good.replace(b'"\n;', b'x"\n;', 1))  # one byte more, key intact
    assert frore("check", cwd=root, check=False).returncode == 1
    frore("regen", cwd=root)
    assert header.read_bytes() == good


@pytest.mark.parametrize("name", ["hello.frozen.h", "frozen_modules.c", "frozen.mk",
                                  ".frore-freezer"])
def test_a_non_utf8_byte_in_an_output_is_repaired_not_a_crash(tmp_path, name):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    path = root / "frozen" / name
    good = path.read_bytes()
    path.write_bytes(b"\xff\xfe" + good)
    proc = frore("check", cwd=root, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"stale: frozen/{name}" in proc.stdout
    frore("regen", "--force", cwd=root)
    assert path.read_bytes() == good
    if name == "hello.frozen.h":
        path.write_bytes(b"\xff" + good)
        frore("freeze", "hello", "hello.py", path, cwd=root)
        assert path.read_bytes() == good


def test_leftover_temporary_files_are_cleaned_up(tmp_path):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    # What a run killed between writing and renaming leaves behind (pid 1 is alive
    # but never ours; a pid that does not exist marks a dead run).
    dead = root / "frozen" / ".hello.frozen.h.999999999.abc123.tmp"
    dead.write_text("half")
    theirs = root / "frozen" / ".notes.txt.999999999.abc123.tmp"
    theirs.write_text("not a frore output")
    frore("regen", cwd=root)
    assert not dead.exists()
    assert theirs.exists()


def test_the_record_lists_what_regen_wrote(tmp_path):
    root = project(tmp_path / "p")
    frore("regen", cwd=root)
    records = [p for p in (root / "frozen").iterdir() if p.name.endswith(".frore-record")]
    assert len(records) == 1
    data = json.loads(records[0].read_text())
    assert data["manifest"] == "../frozen.toml"
    assert set(data["outputs"]) >= {"hello.frozen.h", "other.frozen.h", "frozen_modules.c",
                                    "frozen_modules.h", "frozen.mk"}
