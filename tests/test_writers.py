"""Each writer against its real tool, on generated text: what the writer writes means,
to the tool, exactly the text it was given (or the writer refuses it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frore.writers import Unwritable
from frore.writers import cmake as cw
from frore.writers import make as mw

# Folder-name characters, the hostile ones many times over.
PIECES = list("ab ;$#%=|:'\"\\`&()<>!~^@,{}[]*?é😀\t-+") + ["${IFS}", "$(shell touch PWNED)", "$(x)"]
NAME = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
SETTINGS = settings(max_examples=int(os.environ.get("FRORE_FUZZ_EXAMPLES", "300")) // 2, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def writable(text: str, check) -> bool:
    try:
        check(text)
    except Unwritable:
        return False
    return True


@pytest.mark.needs_make
@SETTINGS
@given(folder=NAME)
def test_make_rules_and_recipes_name_exactly_the_file(folder):
    """A rule whose target and prerequisite are in folder *folder*, whose recipe copies
    $< to $@ through a shell word: make must build exactly that file, run nothing else."""
    if not writable(folder + "/x", lambda t: mw.rule_word(t, "t")):
        return
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp)
        (top / folder).mkdir()
        (top / folder / "in.txt").write_text("data")
        w = mw.MakeWriter()
        w.prologue()
        w.folder("here", "./")
        target, source = mw.Ref("here", f"{folder}/out.txt"), mw.Ref("here", f"{folder}/in.txt")
        w.variable("SOURCES", source.value("p"))
        w.rule([mw.Raw("all")], [target])
        w.rule([target], [mw.Raw("$(SOURCES)")],
               [w.command(["cp", mw.Raw("$(call frore_arg,$<)"), mw.Raw("$(call frore_arg,$@)")]),
                w.command(["cp", source, mw.Raw("$(call frore_arg,$@).2")])])
        (top / "Makefile").write_text(w.text(), encoding="utf-8")
        proc = subprocess.run(["make", "-s"], cwd=top, capture_output=True, text=True)
        assert proc.returncode == 0, (folder, proc.stderr, w.text())
        assert (top / folder / "out.txt").read_text() == "data"
        assert (top / folder / "out.txt.2").read_text() == "data"
        assert sorted(p.name for p in (top / folder).iterdir()) == ["in.txt", "out.txt", "out.txt.2"]
        assert not list(top.rglob("PWNED"))
        again = subprocess.run(["make", "-q"], cwd=top, capture_output=True, text=True)
        assert again.returncode == 0, (folder, again.stdout)


@pytest.mark.needs_cmake
@SETTINGS
@given(text=NAME)
def test_cmake_quoted_arguments_are_literal(text):
    """What cw.quote() writes, `cmake -P` reads back as exactly one argument, unchanged."""
    if not writable(text, cw.quote):
        return
    cmake = shutil.which("cmake") or os.path.join(os.path.dirname(sys.executable), "cmake")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "show.cmake"
        out = Path(tmp) / "out.txt"
        script.write_text(f"set(value {cw.quote(text)})\n"
                          f"list(LENGTH value n)\n"
                          f'file(WRITE {cw.quote(str(out))} "${{n}}:${{value}}")\n', encoding="utf-8")
        proc = subprocess.run([cmake, "-P", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, (text, proc.stderr)
        assert out.read_text(encoding="utf-8") == f"1:{text}"
