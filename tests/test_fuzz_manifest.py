"""Generated manifests: success, or a one-line error with exit 2; never a traceback,
never a file written outside the declared outputs, never an input modified.

Hypothesis builds manifests from random TOML values of every type, entries in
the spec grammar, and odd Unicode and punctuation in names and paths.  The
run is bounded (FRORE_FUZZ_EXAMPLES, default 1500: under a minute here).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from drivers import toml_string
from frore import cli
from frore import manifest as manifest_mod
from frore.errors import FroreError
from frore.outputs import record_path

ODD = "ab/.-_ ;$#%=|:'\"\\\n\t*?[](){}<>é😀~@&!^`,"
# Folders the test creates, each holding a module named after it: search paths
# and sources with every kind of odd name exist, so most manifests get far.
ODD_DIRS = ["plain", "sp ace", "semi;colon", "do$llar", "br${ace}", "ha#sh", "pe%rcent",
            "eq=uals", "pi|pe", "co:lon", "qu'o\"te", "back\\slash", "st*ar", "new\nline",
            "ta\tb", "é日本😀", "pa(ren)", "$(shell touch PWNED)", "`touch PWNED`", "-dash",
            "~tilde", "amp&"]
PATHS = st.one_of(st.sampled_from(ODD_DIRS),
                  st.sampled_from(["frozen", "out/frozen", "..", ".", "mod.py", "frozen.toml",
                                   "pkg", "{stdlib}", "x/../frozen"]),
                  st.text(ODD, min_size=1, max_size=12))
GOOD_ENTRIES = ["mod", "pkg", "pkg.sub", "oddmod", "<pkg.**.*>", "<pkg.*>", "<pkg>",
                "oddmod : alias", "mod : <apkg>", "keyword", "pkg.sub : sub2"]
BAD_ENTRIES = ["nosuch", "é", "a.b", "class", "1x", "mod.py", "__init__", "_", "mod\n",
               "pkg.", "<>", ":", "=", "mod :", "mod : <>", "<pkg", "pkg>", " ", "",
               "mod = ", "<mod.*>", "mod : mod", "oddmod : oddmod"]
ENTRIES = st.one_of(
    st.sampled_from(GOOD_ENTRIES),
    st.builds(lambda n, p: f"{n} = {p}/oddmod.py", st.sampled_from(["x", "y.z", "w"]), PATHS),
    st.sampled_from(BAD_ENTRIES),
    st.text(ODD, max_size=10),
)
SCALARS = st.one_of(st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, width=32),
                    st.text(ODD, max_size=6), st.just([]), st.lists(st.integers(0, 3), max_size=2))
GROUP = st.fixed_dictionaries({"name": st.text(ODD, min_size=1, max_size=8),
                               "modules": st.lists(ENTRIES, min_size=1, max_size=4)})
OUTPUT = st.fixed_dictionaries({}, optional={
    "headers": PATHS, "table": PATHS.map(lambda p: p + "/t.c"),
    "make": st.one_of(PATHS.map(lambda p: p + "/f.mk"), st.just(False))})
VALID = st.fixed_dictionaries({
    "search-path": st.lists(st.sampled_from(ODD_DIRS), min_size=1, max_size=2).map(
        lambda p: ["."] + p),
    "output": OUTPUT,
    "group": st.lists(GROUP, min_size=1, max_size=2)})
# A valid-looking manifest, with one value at a time replaced by something wrong.
KEYS = ["search-path", "output", "group", "python", "flavor", "bogus", "tree", "cpython"]
MANIFEST = st.builds(
    lambda valid, key, value, mutate: ({**valid, key: value} if mutate else valid),
    VALID, st.sampled_from(KEYS), st.one_of(SCALARS, PATHS, st.lists(PATHS, max_size=2)),
    st.sampled_from([False] * 3 + [True]))


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(data: dict) -> str:
    lines = []
    for key, value in data.items():
        if key == "group" and isinstance(value, list) and all(isinstance(g, dict) for g in value):
            continue
        lines.append(f"{toml_string(key)} = {toml_value(value)}")
    if isinstance(data.get("group"), list) and all(isinstance(g, dict) for g in data["group"]):
        for group in data["group"]:
            lines.append("\n[[group]]")
            lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in group.items()]
    return "\n".join(lines) + "\n"


def tree(root: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            found[str(path.relative_to(root))] = (path.read_bytes() if path.is_file()
                                                  and not path.is_symlink() else None)
    return found


def declared_outputs(manifest: Path) -> list[Path] | None:
    """Where this manifest may write; None when it does not even load."""
    try:
        m = manifest_mod.load(manifest)
    except FroreError:
        return None
    out = m.outputs
    allowed = [out.headers, out.table, out.table_header, record_path(out.table)]
    return allowed + ([out.make] if out.make else [])


def allowed(path: Path, outputs: list[Path]) -> bool:
    """An output, or inside the headers folder (headers, stamp), or a part of the
    table (beside it), or a temporary of one, or a folder made to hold one."""
    table = outputs[1]
    if path.parent == table.parent and re.fullmatch(re.escape(table.stem) + r"_\d\d\.c", path.name):
        return True
    for out in outputs:
        if path.is_dir() and out.is_relative_to(path):
            return True
        if path == out or path.parent == out or (path.parent == out.parent
                                                 and path.name.startswith(f".{out.name}.")):
            return True
        if out == outputs[0] and path.is_relative_to(out):
            return True
    return False


@settings(max_examples=int(os.environ.get("FRORE_FUZZ_EXAMPLES", "1500")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=MANIFEST, raw=st.one_of(st.none(), st.none(), st.none(),
                                   st.text(ODD + "[]=\"'", max_size=40)))
def test_generated_manifests(data, raw):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        (root / "pkg" / "sub").mkdir(parents=True)
        (root / "mod.py").write_text("X = 1\n")
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "sub" / "__init__.py").write_text("Y = 2\n")
        for name in ODD_DIRS:
            (root / name).mkdir()
            (root / name / "oddmod.py").write_text(f"WHERE = {name!r}\n")
        manifest = root / "frozen.toml"
        text = toml_document(data) if raw is None else raw + "\n" + toml_document(data)
        manifest.write_text(text, encoding="utf-8")
        before = tree(Path(tmp))
        err = io.StringIO()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = cli.main(["regen", "-q", "-m", str(manifest)])
        finally:
            os.chdir(cwd)
        message = err.getvalue()
        event("regen succeeded" if status == 0 else "refused: " + message.split(": ")[-1][:30])
        assert "Traceback" not in message
        if status != 0:
            assert status == 2, (status, message, text)
            assert message.strip() and len(message.strip().splitlines()) <= 14, message
            assert before == tree(Path(tmp)), (message, text)   # nothing written
            return
        after = tree(Path(tmp))
        outputs = declared_outputs(manifest)
        assert outputs is not None
        for name, content in after.items():
            path = Path(tmp) / name
            if before.get(name, "missing") == content:
                continue
            assert name not in before or allowed(path, outputs), (name, text)
            assert allowed(path, outputs), (name, text)
        for name, content in before.items():
            assert after.get(name) == content or allowed(Path(tmp) / name, outputs), name
