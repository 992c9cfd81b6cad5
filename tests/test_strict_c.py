"""The generated C compiles warning-free under strict flags, as C99 and as C++,
with gcc and clang, on every target 3.8-3.13.

Python's own headers are included with -isystem: their warnings are not ours.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import frore, python_for, run

MINORS = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]
C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
CXX_FLAGS = ["-x", "c++", "-Wall", "-Wextra", "-Werror"]
COMPILERS = [("gcc", C_FLAGS), ("g++", CXX_FLAGS), ("clang", C_FLAGS), ("clang++", CXX_FLAGS)]

BIG = "DATA = {!r}\nTEXT = {!r}\n".format(bytes(range(256)) * 400, "é✓" * 3000)


@pytest.fixture(scope="module", params=MINORS, ids=lambda m: f"py{m[0]}{m[1]}")
def frozen(request, tmp_path_factory):
    """A table with a small module, a > 64 KiB module, a package and an alias."""
    python = python_for(request.param)
    root = tmp_path_factory.mktemp("strict")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("X = 1\n")
    (root / "small.py").write_text("Y = 2\n")
    (root / "big.py").write_text(BIG, encoding="utf-8")
    (root / "frozen.toml").write_text(
        f'python = "{python}"\n\n[[group]]\nname = "a */ /* group ??/"\n'
        'modules = ["small", "big", "<pkg>", "small : small_alias"]\n')
    frore("regen", cwd=root)
    include = run([python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('include'))"]
                  ).stdout.strip()
    return root, include


@pytest.mark.parametrize("compiler, flags", COMPILERS, ids=[c for c, _ in COMPILERS])
@pytest.mark.parametrize("switch", [[], ["-DFRORE_DISABLE_FROZEN_MODULES"]],
                         ids=["table", "disabled"])
def test_table_compiles_without_warnings(frozen, compiler, flags, switch):
    if shutil.which(compiler) is None:
        pytest.fail(f"{compiler} is not installed (.ci/run installs gcc, g++ and clang)")
    root, include = frozen
    files = sorted(str(p.relative_to(root)) for p in (root / "frozen").glob("frozen_modules*.c"))
    assert len(files) > 1                       # the table and its parts
    for c_file in files:
        proc = run([compiler, *flags, *switch, "-isystem", include, "-c", "-o", "/dev/null",
                    c_file], cwd=root, check=False)
        assert proc.returncode == 0, (c_file, proc.stderr)
        assert proc.stderr == "", (c_file, proc.stderr)
