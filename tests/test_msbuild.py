"""MSBuild specifics, driven through Mono's xbuild: Clean, the fast up-to-date
check, the stop-and-say-what-to-run on a manifest change, relocatable files, the
.vcxproj/.filters structure and the writer's escaping.  The scenario matrix
(build, no-op, edit, add, ...) runs in tests/test_matrix.py.

xbuild cannot compile C++, so the example is built through a tiny project that
imports the generated items file and msbuild/frore.targets and has empty
ClCompile/Build/Clean targets: exactly the freeze and clean targets run.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import copy_example, frore, run
from frore.model import HEADER_SUFFIX
from frore.writers import msbuild as mw

XBUILD = "xbuild"
pytestmark = pytest.mark.needs_xbuild

NS = {"m": mw.NAMESPACE}
ODD = "odd dir $x'(y)@ é"      # space, and what MSBuild expands

TEST_PROJECT = """\
<Project DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <Import Project="frozen/frozen.props" />
  <Target Name="ClCompile" />
  <Target Name="Build" DependsOnTargets="ClCompile" />
  <Target Name="Clean" />
  <Target Name="ShowInputs">
    <Message Importance="high" Text="input: %(UpToDateCheckInput.FullPath)" />
  </Target>
  <Import Project="$(FroreMSBuildDir)frore.targets" />
</Project>
"""


# Fewer stdlib modules than the example (keeps xbuild runs short); still an alias.
STARTUP = '"abc",\n    "genericpath",\n    "posixpath",\n    "posixpath : os.path",\n    "stat",\n'


def small_example(root: Path) -> Path:
    copy_example(root)
    manifest = root / "frozen.toml"
    text = manifest.read_text()
    start = text.index("modules = [") + len("modules = [\n    ")
    manifest.write_text(text[:start] + STARTUP + text[text.index("]", start):])
    return root


def make_project(root: Path) -> Path:
    small_example(root)
    frore("gen", "msbuild", cwd=root)
    (root / "app.proj").write_text(TEST_PROJECT)
    return root


def xbuild(root: Path, *args: str, check: bool = True):
    return run([XBUILD, "/nologo", "/v:n", *args, "app.proj"], cwd=root, check=check)


def frozen_names(output: str) -> set[str]:
    return set(re.findall(r"frore: freezing (\S+)", output))


def unit_headers(folder: Path) -> dict[str, bytes]:
    """Module headers (not the table) by source id."""
    return {p.name[:-len(HEADER_SUFFIX)]: p.read_bytes() for p in folder.glob("*" + HEADER_SUFFIX)}


def make_older(path: Path, than: Path) -> None:
    """Date *path* before *than*: an edit is then seen whatever the clock's resolution,
    and nothing is left in the future for later writes to lag behind."""
    t = than.stat().st_mtime - 10
    os.utime(path, (t, t))


@pytest.mark.parametrize("folder", ["embed", ODD])
def test_clean_removes_the_headers(tmp_path, folder):
    root = make_project(tmp_path / folder)
    headers = root / "frozen"
    xbuild(root)
    assert unit_headers(headers)
    xbuild(root, "/t:Clean")
    assert unit_headers(headers) == {}
    assert (headers / "frozen_modules.c").exists() and (headers / "frozen.props").exists()


def test_manifest_change_stops_with_the_command_to_run(tmp_path):
    root = make_project(tmp_path / "embed")
    xbuild(root)
    manifest = root / "frozen.toml"
    manifest.write_text(manifest.read_text().replace('"stat",', '"stat",\n    "types",'))
    make_older(root / "frozen" / "frozen.props", manifest)

    failed = xbuild(root, check=False)
    assert failed.returncode != 0
    message = re.search(r"error : (frore: .*is newer than .*)", failed.stdout)
    assert message, failed.stdout
    folder, command = re.search(r"in (.*) run:  (.*)$", message.group(1)).groups()
    assert Path(folder).resolve() == root.resolve()
    assert " -m frore gen msbuild " in command and "--touch" in command
    assert not (root / "frozen" / "types.frozen.h").exists()

    run(["sh", "-c", command], cwd=folder)               # exactly what the message says
    assert "types" in (root / "frozen" / "frozen_modules.c").read_text()
    rebuilt = xbuild(root).stdout
    assert "types" in frozen_names(rebuilt)
    assert (root / "frozen" / "types.frozen.h").exists()
    assert frozen_names(xbuild(root).stdout) == set()


def test_fast_up_to_date_check_sees_sources_and_manifest(tmp_path):
    root = make_project(tmp_path / ODD)
    shown = set(re.findall(r"input: (.*)", xbuild(root, "/t:ShowInputs").stdout))
    assert str(root / "app" / "greet.py") in shown
    assert str(root / "frozen.toml") in {os.path.normpath(p) for p in shown}


def test_generated_files_are_relocatable(tmp_path):
    a = make_project(tmp_path / "one")
    b = make_project(tmp_path / "two" / ODD)
    for name in ("frozen.props", "frozen_modules.vcxproj", "frozen_modules.vcxproj.filters"):
        assert (a / "frozen" / name).read_bytes() == (b / "frozen" / name).read_bytes(), name
    text = (a / "frozen" / "frozen.props").read_text()
    assert str(a) not in text and "$(MSBuildThisFileDirectory)" in text


def _parse(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{mw.NAMESPACE}}}Project"
    return root


def _includes(root: ET.Element, tag: str) -> list[str]:
    return [e.get("Include") for e in root.iterfind(f"m:ItemGroup/m:{tag}", NS)]


def test_vcxproj_and_filters_structure(tmp_path):
    root = small_example(tmp_path / "embed")
    frore("gen", "msbuild", "vs=2019", cwd=root)
    units = set(unit_headers_of(root))
    project = _parse(root / "frozen" / "frozen_modules.vcxproj")

    configs = {(c.findtext("m:Configuration", namespaces=NS), c.findtext("m:Platform", namespaces=NS))
               for c in project.iterfind(
                   "m:ItemGroup[@Label='ProjectConfigurations']/m:ProjectConfiguration", NS)}
    assert configs == {(c, p) for c in ("Debug", "Release") for p in ("Win32", "x64", "ARM64")}
    assert {e.text for e in project.iter(f"{{{mw.NAMESPACE}}}ConfigurationType")} == {"StaticLibrary"}
    assert {e.text for e in project.iter(f"{{{mw.NAMESPACE}}}PlatformToolset")} == {"v142"}
    guid = project.findtext("m:PropertyGroup/m:ProjectGuid", namespaces=NS)
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", guid)

    imports = [e.get("Project") for e in project.iter(f"{{{mw.NAMESPACE}}}Import")]
    wanted = [r"$(VCTargetsPath)\Microsoft.Cpp.Default.props", r"$(VCTargetsPath)\Microsoft.Cpp.props",
              "$(MSBuildThisFileDirectory)frozen.props", r"$(VCTargetsPath)\Microsoft.Cpp.targets",
              "$(FroreMSBuildDir)frore.targets"]
    assert [i for i in imports if i in wanted] == wanted

    # The table and its parts, each part a file that exists beside the table.
    compiled = _includes(project, "ClCompile")
    assert compiled[0] == "$(FroreTableC)" and len(compiled) > 1
    for part in compiled[1:]:
        assert (root / "frozen" / part.replace("$(FroreTableDir)", "")).is_file(), part
    headers = _includes(project, "ClInclude")
    assert headers[0] == "$(FroreTableH)"
    assert {h.replace("$(FroreHeadersDir)", "")[:-len(HEADER_SUFFIX)] for h in headers[1:]} == units
    sources = _includes(project, "None")
    assert "$(FroreRoot)app/greet.py" in sources and "$(FroreManifest)" in sources

    filters = _parse(root / "frozen" / "frozen_modules.vcxproj.filters")
    declared = set(_includes(filters, "Filter"))
    assert {"Python Sources\\startup", "Python Sources\\app", "Frozen Headers"} <= declared
    for tag in ("ClCompile", "ClInclude", "None"):
        placed = {e.get("Include"): e.findtext("m:Filter", namespaces=NS)
                  for e in filters.iterfind(f"m:ItemGroup/m:{tag}", NS)}
        assert set(placed) == set(_includes(project, tag)), tag
        assert set(placed.values()) <= declared
    greet = filters.find("m:ItemGroup/m:None[@Include='$(FroreRoot)app/greet.py']", NS)
    assert greet.findtext("m:Filter", namespaces=NS) == "Python Sources\\app"

    items = _parse(root / "frozen" / "frozen.props")
    modules = items.findall("m:ItemGroup/m:FroreModule", NS)
    assert {m.findtext("m:FrozenName", namespaces=NS) for m in modules} == units
    assert all(m.findtext("m:Header", namespaces=NS)
               == m.findtext("m:FrozenName", namespaces=NS) + ".frozen.h" for m in modules)
    # Commands carry names and paths only as hex words.
    greet = next(m for m in modules if m.findtext("m:FrozenName", namespaces=NS) == "app.greet")
    posix = greet.findtext("m:Posix", namespaces=NS)
    assert "freeze --hex" in posix and "app/greet.py" not in posix
    assert "x" + b"app/greet.py".hex() in posix

    bad = frore("gen", "msbuild", "vs=1997", cwd=root, check=False)
    assert bad.returncode == 2 and "vs=" in bad.stderr


def unit_headers_of(root: Path) -> list[str]:
    import json
    listed = json.loads(frore("list", "--json", cwd=root).stdout)["modules"]
    return [Path(m["header"]).name[:-len(HEADER_SUFFIX)] for m in listed]


def test_writer_escaping_round_trips_through_xbuild(tmp_path):
    # Every special character becomes %XX, as MSBuild documents.
    assert mw.escape("%$@;'()*?") == "%25%24%40%3B%27%28%29%2A%3F"
    assert mw.escape("a b/c.py") == "a b/c.py"
    # xbuild then reads back what it handles faithfully (it re-expands an escaped
    # $(...) in properties, unescapes %2541 twice, and splits or globs escaped ; * ? in
    # items: real MSBuild does not; see docs/msbuild.md).
    in_property = "x (b) 100% c'd & <x>"
    in_item = in_property + " $(c) @(d)"
    w = mw.Writer(default_targets="Show")
    w.property(w.group("PropertyGroup"), "Value", mw.escape(in_property))
    w.item(w.group("ItemGroup"), "Thing", mw.escape(in_item))
    target = ET.SubElement(w.root, "Target", {"Name": "Show"})
    ET.SubElement(target, "Message", {"Importance": "high", "Text": "value=[$(Value)]"})
    ET.SubElement(target, "Message", {"Importance": "high", "Text": "item=[%(Thing.Identity)]"})
    (tmp_path / "app.proj").write_text(w.text())
    out = xbuild(tmp_path).stdout
    assert f"value=[{in_property}]" in out
    assert re.findall(r"item=\[(.*)\]", out) == [in_item]
