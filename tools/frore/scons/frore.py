"""SCons tool for frore: ``env.FrozenModules('frozen.toml')``.

Load it with ``env.Tool('frore', toolpath=[TOOLPATH])`` where TOOLPATH is this
folder (``from frore.scons import TOOLPATH``, or ``python -m frore.scons``).

Each time SCons reads the SConscript, ``FrozenModules`` asks frore for the
resolved manifest (``frore gen scons``; no freezing) and declares:

* one ``FroreHeader`` node per frozen source: target the header, source the
  ``.py``, action ``frore freeze`` under the target interpreter.  SCons decides
  by content signature, so editing one ``.py`` re-freezes that header only;
* one ``FroreTable`` node whose emitter names the module table's ``.c`` and
  ``.h``; its source is the manifest, and it depends on a Value node holding
  the resolved module list, so a new module or a new glob match rewrites it.
  (A scanner cannot report that: SCons stores implicit dependencies as file
  names.  Each header's ``.py`` is its explicit source, so none is needed.)
* Value nodes for the freezer identity (Python version, magic number): a new
  interpreter re-freezes every header.

Headers are Precious: a failed freeze (a syntax error, reported as
``path:line: SyntaxError``) leaves the previous header in place.  This module
deliberately does not import the frore package: SCons registers a tool as
``sys.modules['frore']``, which would hide the package of the same name.

Construction variables: FRORE_PYTHON (interpreter that runs frore; default the
one running SCons), FRORE_FREEZECOMSTR and FRORE_TABLECOMSTR (progress lines).
After a call: FRORE_PYTHON_INCLUDE, FRORE_PYTHON_LIBDIR and FRORE_PYTHON_LIB
describe the target interpreter, for compiling and linking an embedder.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import SCons.Action
import SCons.Builder
import SCons.Errors

FORMAT = 1


def _resolve(env, manifest, python, headers_dir) -> dict:
    """Run ``frore gen scons`` and read its description of the manifest."""
    key = hashlib.sha256(f"{manifest.abspath}\0{python}\0{headers_dir}".encode()).hexdigest()[:16]
    out = env.Dir(env.subst("$FRORE_STATEDIR")).File(f"{key}.json").abspath
    cmd = [env.subst("$FRORE_PYTHON"), "-m", "frore", "-q", "gen", "scons",
           "-m", manifest.abspath, "-o", out]
    if python:
        cmd += ["--python", python]
    if headers_dir:
        cmd += ["--headers-dir", env.Dir(headers_dir).abspath]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=manifest.dir.abspath)
    if proc.returncode != 0:
        raise SCons.Errors.UserError(
            f"frore could not read {manifest.path}:\n{proc.stderr.strip() or proc.stdout.strip()}")
    with open(out, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise SCons.Errors.UserError(f"frore's SCons description has format {data.get('format')}, "
                                     f"this tool reads {FORMAT}: update the tool's toolpath")
    return data


def FrozenModules(env, manifest="frozen.toml", python=None, headers_dir=None):
    """Declare the manifest's headers and table; return the table's ``.c`` node(s)."""
    manifest = env.File(manifest)
    data = _resolve(env, manifest, python, headers_dir)
    root = manifest.dir
    frore = data["frore"]
    freezer = env.Value(data["freezer"])

    def node(path):
        return env.File(path if os.path.isabs(path) else root.File(path).abspath)

    headers = []
    for unit in data["units"]:
        header = env.FroreHeader(node(unit["header"]), node(unit["source"]),
                                 FRORE_COMMAND=frore, FRORE_TARGET_PYTHON=data["python"],
                                 FRORE_NAME=unit["name"])
        env.Depends(header, freezer)
        env.Precious(header)
        headers += header

    table_args = ["--python", data["python"]]
    if headers_dir:
        table_args += ["--headers-dir", env.Dir(headers_dir).abspath]
    modules = env.Value(json.dumps([data["modules"], data["freezer"]]))
    table = env.FroreTable(node(data["table_c"]), manifest,
                           FRORE_COMMAND=frore, FRORE_TABLE_ARGS=table_args)
    env.Depends(table, modules)
    env["FRORE_PYTHON_INCLUDE"] = data["python_include"]
    env["FRORE_PYTHON_LIBDIR"] = data["python_libdir"]
    env["FRORE_PYTHON_LIB"] = data["python_library"]
    env["FRORE_HEADERS"] = headers
    env["FRORE_TABLE_H"] = table[1]
    return table[:1]


def _table_emitter(target, source, env):
    """``frore gen table`` writes the ``.c`` and, beside it, the ``.h``: name both."""
    c_file = target[0]
    return [c_file, c_file.File(os.path.splitext(c_file.name)[0] + ".h")], source


def generate(env):
    env.SetDefault(
        FRORE_PYTHON=sys.executable,
        FRORE_STATEDIR="#/.sconf_temp/frore",
        FRORE_FREEZECOM="$FRORE_COMMAND freeze --python $FRORE_TARGET_PYTHON $FRORE_NAME $SOURCE $TARGET",
        FRORE_FREEZECOMSTR="FREEZE $FRORE_NAME",
        FRORE_TABLECOM="$FRORE_COMMAND -q gen table -m $SOURCE $FRORE_TABLE_ARGS",
        FRORE_TABLECOMSTR="FRORE TABLE ${TARGETS[0]}",
    )
    env["BUILDERS"]["FroreHeader"] = SCons.Builder.Builder(
        action=SCons.Action.Action("$FRORE_FREEZECOM", "$FRORE_FREEZECOMSTR"),
        single_source=True)
    env["BUILDERS"]["FroreTable"] = SCons.Builder.Builder(
        action=SCons.Action.Action("$FRORE_TABLECOM", "$FRORE_TABLECOMSTR"),
        emitter=_table_emitter)
    env.AddMethod(FrozenModules, "FrozenModules")


def exists(env):
    return True
