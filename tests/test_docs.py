"""Every shell snippet in README.md and docs/ works as pasted, or says where it is run.

A snippet is a fenced ``sh`` block after a ``<!-- snippet: NAME -->`` line.  Each
name is either run here — in a fresh copy of the checkout, as a newcomer would,
with only what the snippet itself installs (pip installs from PyPI) — or listed
in NOT_RUN_HERE with where it is run instead.  A new block without a name, or a
name nobody runs, fails ``test_every_snippet_is_accounted_for``.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from test_example import checkout, untracked

from conftest import EXAMPLE, REPO, run

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SNIPPET = re.compile(r"^(?:<!-- snippet: (?P<name>[\w-]+) -->\n)?(?P<indent> *)```(?P<lang>\w*)\n"
                     r"(?P<body>.*?)^(?P=indent)```$", re.S | re.M)


def blocks_of(lang: str) -> list[tuple[str, str]]:
    """(where, body) of every fenced block in *lang*, list-item indentation removed."""
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for m in SNIPPET.finditer(text):
            if m.group("lang") == lang:
                where = f"{doc.relative_to(REPO)}:{text[:m.start()].count(chr(10)) + 1}"
                found.append((where, textwrap.dedent(m.group("body"))))
    return found
NOT_RUN_HERE = {
    "cpython-pristine": "needs the CPython tarball: scripts/cpython-tree-e2e.sh 3.13 runs these steps",
    "cpython-add": "builds CPython (minutes): scripts/cpython-tree-e2e.sh 3.13 runs these steps",
}
RUN_HERE = {"two-commands", "install", "backends", "quick-start", "cmake-quick-start",
            "meson-quick-start", "meson-example", "msbuild-xbuild", "dev-loop"}


def snippets() -> dict[str, str]:
    found: dict[str, str] = {}
    for doc in DOCS:
        for m in SNIPPET.finditer(doc.read_text()):
            if m.group("lang") in ("sh", "bash", "shell", "console"):
                where = f"{doc.relative_to(REPO)}:{doc.read_text()[:m.start()].count(chr(10)) + 1}"
                assert m.group("name"), f"{where}: a shell block without <!-- snippet: NAME -->"
                assert m.group("name") not in found, f"{where}: snippet name used twice"
                found[m.group("name")] = m.group("body")
    return found


def test_every_snippet_is_accounted_for():
    assert set(snippets()) == RUN_HERE | set(NOT_RUN_HERE)


def test_readme_test_command_is_what_ci_runs():
    second = [line for line in snippets()["two-commands"].splitlines() if "pytest" in line]
    assert len(second) == 1 and second[0] in (REPO / ".ci" / "run").read_text()


def bash(script: str, cwd: Path, path: str | None = None) -> str:
    """Run *script* as pasted into bash (stopping at the first failing line)."""
    env = {"PATH": path or os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": ""}
    proc = run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env)
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory):
    """A fresh checkout in which README's first command and its install ran: the
    newcomer's venv (frore installed from the checkout, not editable)."""
    root = checkout(tmp_path_factory.mktemp("newcomer") / "frore")
    first = snippets()["two-commands"].splitlines()
    build_line = next(line for line in first if line.startswith("python3 -m venv .venv && "
                                                                  ".venv/bin/pip install -q . &&"))
    out = bash(build_line, root)
    done = re.search(r"^(\d+)/(\d+) modules frozen$", out, re.M)
    assert done and done.group(1) == done.group(2), out
    out = bash(snippets()["install"], root)
    assert re.search(r"^frore \d", out, re.M), out
    assert (root / ".venv" / "share" / "cmake" / "frore" / "froreConfig.cmake").is_file()
    return root


def venv_path(root: Path) -> str:
    return f"{root / '.venv' / 'bin'}:{os.environ['PATH']}"


def activated(script: str) -> str:
    return ". .venv/bin/activate\n" + script


def test_readme_backends_each_build_and_run_the_example(newcomer):
    out = bash(activated(snippets()["backends"]), newcomer)
    counts = re.findall(r"^(\d+)/(\d+) modules frozen$", out, re.M)
    assert len(counts) == 4 and all(a == b for a, b in counts), out
    assert untracked(newcomer) == [], untracked(newcomer)


def test_readme_quick_start_and_its_makefile(newcomer, tmp_path):
    """`frore init` + `frore regen` in a project folder, then README's manifest and
    Makefile fragments build a program."""
    project = tmp_path / "myproject"
    (project / "myapp" / "sub").mkdir(parents=True)
    (project / "myapp" / "__init__.py").write_text("")
    (project / "myapp" / "sub" / "__init__.py").write_text("")
    out = bash(snippets()["quick-start"], project, venv_path(newcomer))
    assert "wrote frozen.toml" in out and "frozen/frozen_modules.c" in out

    readme = (REPO / "README.md").read_text()
    blocks = {m.group("lang"): m.group("body") for m in SNIPPET.finditer(readme)
              if m.group("lang") in ("toml", "make")}
    (project / "frozen.toml").write_text(blocks["toml"])
    (project / "Makefile").write_text(blocks["make"])
    shutil.copy(EXAMPLE / "main.c", project / "main.c")
    bash("frore regen && make prog", project, venv_path(newcomer))
    assert (project / "prog").is_file()


def test_docs_meson_quick_start(newcomer, tmp_path):
    project = tmp_path / "app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("frozen", "build", "*.o", "embed"))
    meson_md = (REPO / "docs" / "meson.md").read_text()
    (project / "meson.build").write_text(next(m.group("body") for m in SNIPPET.finditer(meson_md)
                                              if m.group("lang") == "meson"))
    bash(activated(f"pip install -q meson ninja\ncd {project}\n" + snippets()["meson-quick-start"]),
         newcomer)
    out = run([project / "build" / "app"], cwd="/").stdout
    assert re.search(r"^(\d+)/\1 modules frozen$", out, re.M), out


def test_docs_meson_repository_example(newcomer, tmp_path):
    other = checkout(tmp_path / "frore")            # a second checkout, the same venv
    out = bash(activated(f"cd {other}\n" + snippets()["meson-example"]), newcomer)
    assert re.search(r"^(\d+)/\1 modules frozen$", out, re.M), out


def test_docs_cmake_quick_start(newcomer, tmp_path):
    """docs/cmake.md's CMakeLists.txt and commands; find_package(frore) finds the
    package of the venv's wheel install through PATH alone."""
    project = tmp_path / "embed"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("frozen", "build", "*.o", "embed"))
    cmake_md = (REPO / "docs" / "cmake.md").read_text()
    (project / "CMakeLists.txt").write_text(next(m.group("body") for m in SNIPPET.finditer(cmake_md)
                                                 if m.group("lang") == "cmake"))
    out = bash(activated(f"pip install -q cmake ninja\ncd {project}\n"
                         + snippets()["cmake-quick-start"]), newcomer)
    assert re.search(r"^(\d+)/\1 modules frozen$", out, re.M), out


@pytest.mark.needs_xbuild
def test_docs_msbuild_freeze_only_recipe(newcomer, tmp_path):
    """docs/msbuild.md's recipe for a machine without Visual Studio, as pasted."""
    project = tmp_path / "embed"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("frozen", "build", "*.o", "embed"))
    bash(activated(f"cd {project}\n" + snippets()["msbuild-xbuild"]), newcomer)
    headers = sorted(p.name for p in (project / "frozen").glob("*.frozen.h"))
    assert "app.greet.frozen.h" in headers and "os.frozen.h" in headers
    assert {p.name for p in project.glob("frozen_modules*.o")} >= {"frozen_modules.o"}
    again = run(["xbuild", "/nologo", "/v:n", "freeze.proj"], cwd=project).stdout
    assert "frore: freezing" not in again, again


def test_no_paths_of_this_machine_in_tracked_files():
    """Docs, scripts and results say `~`, `<checkout>` or a variable, never where this
    checkout or this user's home happens to be."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")
    here = [str(REPO) + "/", str(Path.home()) + "/"]
    found = []
    for rel in filter(None, tracked):
        path = REPO / rel
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{rel}: {p}" for p in here if len(p) > 2 and p in text]
    assert found == []


@pytest.mark.parametrize("where, body", blocks_of("meson"), ids=lambda v: v if ":" in v else "")
def test_every_meson_build_shown_builds_the_example(newcomer, tmp_path, where, body):
    project = tmp_path / "app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("frozen", "build", "*.o", "embed"))
    (project / "meson.build").write_text(body)
    bash(activated(f"pip install -q meson ninja\ncd {project}\nmeson setup build && ninja -C build"),
         newcomer)
    program = next(p for p in (project / "build").iterdir() if p.name in ("app", "embed"))
    assert re.search(r"^(\d+)/\1 modules frozen$", run([program], cwd="/").stdout, re.M), where


SCONSTRUCTS = [(w, b) for w, b in blocks_of("python") if "Environment(" in b]


@pytest.mark.parametrize("where, body", SCONSTRUCTS, ids=lambda v: v if ":" in v else "")
def test_every_sconstruct_shown_builds_the_example(newcomer, tmp_path, where, body):
    assert len(SCONSTRUCTS) >= 2
    project = tmp_path / "app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("frozen", "build", "*.o", "embed"))
    (project / "SConstruct").write_text(body)
    bash(activated(f"pip install -q scons\ncd {project}\nscons -Q"), newcomer)
    out = run([project / "embed"], cwd="/").stdout
    assert re.search(r"^(\d+)/\1 modules frozen$", out, re.M), where


def test_readme_discover_lint_and_developer_mode(newcomer, tmp_path):
    """README's worked example of the loop, in its own checkout (it edits files)."""
    other = checkout(tmp_path / "frore")
    out = bash(activated(f"cd {other}\n" + snippets()["dev-loop"]), newcomer)
    assert out.splitlines()[0] == "[[group]]" and 'name = "startup"' in out
    example = other / "examples" / "embed"
    manifest = (example / "frozen.toml").read_text()
    assert manifest.startswith((EXAMPLE / "frozen.toml").read_text())   # only added
    added = manifest.split('name = "run"')[1]              # what the example lacked
    assert '"warnings",' in added and "<app" not in added    # app: in the app group already
    assert "FRZ001" in out and "frore lint: exit status 1" in out
    assert re.search(r"^(\d+)/\1 modules frozen$", out, re.M), out
    assert f"app.greet: source {example / 'app' / 'greet.py'}" in out, out
