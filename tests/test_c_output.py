"""The C frore writes: both blob encodings hold the same bytes, and symbol
names stay unique where CPython's own scheme collides."""

from __future__ import annotations

from conftest import build_program, frore, run
from frore.writers import c as cwriter

TU = r'''
#include <Python.h>
%(define)s
#include "frozen/%(header)s"
const unsigned char *blob_%(tag)s(int *size) { *size = (int)sizeof(%(sym)s) - 1; return %(sym)s; }
'''

MAIN = r'''
#include <stdio.h>
#include <string.h>
const unsigned char *blob_gcc(int *size);
const unsigned char *blob_msvc(int *size);
int main(void)
{
    int a, b;
    const unsigned char *x = blob_gcc(&a), *y = blob_msvc(&b);
    printf("%d %d %d\n", a, b, a == b && memcmp(x, y, (size_t)a) == 0);
    fwrite(x, 1, (size_t)a, stderr);
    return 0;
}
'''


def test_string_literal_and_array_encodings_hold_the_same_bytes(tmp_path):
    # A source whose marshal data has every byte value, quotes, '?', digits after escapes.
    # Big enough (> 64 KiB of marshal data) that MSVC gets its own integer array.
    (tmp_path / "tricky.py").write_text(
        f"DATA = {bytes(range(256)) * 300!r}\nTEXT = '\"??=\\\\0\\x001\\n\\t'\nNAME = 'é✓'\n",
        encoding="utf-8")
    (tmp_path / "frozen.toml").write_text('[[group]]\nname = "g"\nmodules = ["tricky"]\n')
    frore("regen", cwd=tmp_path)
    import sysconfig
    include = sysconfig.get_path("include")
    sym = "_frore_M_tricky"
    # The array branch is selected by an MSVC older than VS 2022 (_MSC_VER < 1930),
    # defined after Python.h so that Python's own headers still take their GCC path.
    for tag, define in (("gcc", ""), ("msvc", "#define _MSC_VER 1920")):
        (tmp_path / f"{tag}.c").write_text(TU % {"header": "tricky.frozen.h", "tag": tag, "sym": sym,
                                                 "define": define})
        run(["gcc", "-c", "-Wall", "-Werror", "-O0", f"-I{include}", f"{tag}.c"], cwd=tmp_path)
    # The array lives in a sibling only old MSVC includes: GCC never reads it.
    header = (tmp_path / "frozen" / "tricky.frozen.h").read_text()
    assert "{" not in header.split("#else")[0]
    # A computed include: dependency scanners that ignore #if (SCons's) never see it.
    assert '#define FRORE_ARRAY_tricky "tricky.frozen.msvc.h"' in header
    assert "#include FRORE_ARRAY_tricky" in header
    assert "{" in (tmp_path / "frozen" / "tricky.frozen.msvc.h").read_text()
    run(["gcc", "-E", f"-I{include}", "gcc.c", "-o", "gcc.i"], cwd=tmp_path)
    assert "msvc.h" not in (tmp_path / "gcc.i").read_text()
    (tmp_path / "main.c").write_text(MAIN)
    run(["gcc", "-o", "cmp", "main.c", "gcc.o", "msvc.o"], cwd=tmp_path)
    proc = __import__("subprocess").run([str(tmp_path / "cmp")], capture_output=True)
    size_a, size_b, same = proc.stdout.split()
    assert same == b"1" and size_a == size_b
    # ...and those bytes are what the freezer produced.
    import marshal
    code = marshal.loads(proc.stderr)
    assert code.co_filename == "<frozen tricky>"
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["DATA"] == bytes(range(256)) * 300 and namespace["NAME"] == "é✓"


def test_small_modules_use_one_string_literal_for_every_compiler(tmp_path):
    (tmp_path / "small.py").write_text("X = 1\n")
    (tmp_path / "frozen.toml").write_text('[[group]]\nname = "g"\nmodules = ["small"]\n')
    frore("regen", cwd=tmp_path)
    text = (tmp_path / "frozen" / "small.frozen.h").read_text()
    assert "_MSC_VER" not in text and '"' in text.split("_frore_M_small[] =")[1]
    assert cwriter.msvc_accepts_string(b"x" * 60000)
    assert not cwriter.msvc_accepts_string(b"x" * 65000)


def test_mangled_names_are_unique_where_cpythons_collide():
    assert cwriter.identifier("a.b_c") != cwriter.identifier("a_b.c")
    assert cwriter.identifier("a__b") != cwriter.identifier("a_.b")
    assert cwriter.identifier("é") != cwriter.identifier("_xe9_")


def test_modules_whose_cpython_symbols_collide_link_and_import(tmp_path):
    for pkg, mod, value in (("a", "b_c", "from a.b_c"), ("a_b", "c", "from a_b.c")):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
        (tmp_path / pkg / f"{mod}.py").write_text(f"VALUE = {value!r}\n")
    (tmp_path / "frozen.toml").write_text(
        '[[group]]\nname = "g"\nmodules = ["<a.*>", "<a_b.*>"]\n')
    frore("regen", cwd=tmp_path)
    prog = build_program(tmp_path, r'''
#include <Python.h>
#include "frozen/frozen_modules.h"
int main(void) {
    PyConfig c;
    frore_install_frozen_modules();
    PyConfig_InitIsolatedConfig(&c);
    Py_InitializeFromConfig(&c);
    PyRun_SimpleString("import a.b_c, a_b.c; "
                       "print(a.b_c.VALUE, '|', a_b.c.VALUE, '|', a.b_c.__spec__.origin)");
    return Py_FinalizeEx();
}
''')
    assert run([prog], cwd="/").stdout.strip() == "from a.b_c | from a_b.c | frozen"
