"""SCons tool for frore: ``env.FrozenModules('frozen.toml')``.

Load it with ``env.Tool('frore', toolpath=[TOOLPATH])`` where TOOLPATH is this
folder (``from frore.scons import TOOLPATH``, or ``python -m frore.scons``).

Each time SCons reads the SConscript, ``FrozenModules`` asks frore for the
resolved manifest (``frore gen scons``; no freezing) and declares:

* one ``FroreHeaders`` node per part of the module table: targets the headers
  of its modules, sources their ``.py`` files and a Value node naming the
  modules and the freezer command (the target interpreter on frore's freezer:
  one process per part, no frore host; a module whose header is current is
  only touched, so an edit compiles one module).  SCons
  decides by content signature, so editing one ``.py`` re-freezes that header
  only, and a new interpreter (the Value changes) re-freezes them all;
* one ``FroreTable`` node for the module table's ``.c``, its ``.h`` and its
  parts (each part includes a few headers, so an edit recompiles one part),
  whose Value source holds the resolved module list: a new module or a new
  glob match rewrites it.

No path or name from the manifest ever reaches SCons's substitution (``$``,
``${...}`` would be expanded, and Python inside ``${...}`` evaluated) or a
shell: nodes come from ``env.fs`` on absolute paths, actions are Python
functions running frore with an argument list, per-target data travels in
Value nodes (never substituted, and part of the build signature), and the
builders carry a scanner that scans nothing (SCons's own ``.py`` scanner
would substitute the source's folder name).

Headers are Precious: a failed freeze (a syntax error, reported as
``path:line: SyntaxError``) leaves the previous header in place.  This module
deliberately does not import the frore package: SCons registers a tool as
``sys.modules['frore']``, which would hide the package of the same name.

Construction variables: FRORE_PYTHON (interpreter that runs frore; default the
one running SCons).  After a call: FRORE_PYTHON_INCLUDE, FRORE_PYTHON_LIBDIR
and FRORE_PYTHON_LIB describe the target interpreter, for compiling and
linking an embedder; FRORE_HEADERS and FRORE_TABLE_H are the header nodes.
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
import SCons.Node.FS
import SCons.Scanner

FORMAT = 3


def _freeze(target, source, env):
    # Everything the command depends on comes from the Value node (source[-1]),
    # which the build signature also sees.  Kept inline: SCons signs this
    # function's own code, not helpers it calls.
    data = json.loads(source[-1].read())
    argv = data["freezer"] + ["--"]
    for i, (name, level, source_index) in enumerate(data["modules"]):
        argv += [name, str(level), source[source_index].get_abspath(), target[i].get_abspath()]
    return subprocess.run(argv, stdin=subprocess.DEVNULL).returncode


def _freeze_str(target, source, env, executor=None):
    return f"Freezing part {json.loads(source[-1].read())['part']:02d} of the module table"


def _table(target, source, env):
    data = json.loads(source[1].read())
    argv = data["frore"] + ["-q", "gen", "table", "-m", source[0].get_abspath(),
                            "--python", data["python"]]
    if data["headers_dir"]:
        argv += ["--headers-dir", data["headers_dir"]]
    argv += ["-o", target[0].get_abspath()]
    return subprocess.run(argv, stdin=subprocess.DEVNULL).returncode


def _table_str(target, source, env, executor=None):
    return "FRORE TABLE " + repr(target[0].get_abspath())


_NO_SCAN = SCons.Scanner.ScannerBase(lambda node, env, path: [], name="FroreNoScan")


def _absolute(base, path):
    """A node for *path* (relative to the manifest's folder): os.path, never SCons
    strings, so '#' or '$' in a name mean nothing."""
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


def _resolve(env, manifest, python, headers_dir) -> dict:
    """Run ``frore gen scons`` and read its description of the manifest."""
    key = hashlib.sha256(f"{manifest}\0{python}\0{headers_dir}".encode(
        "utf-8", "surrogateescape")).hexdigest()[:16]
    state = env.Dir("#/.sconf_temp/frore").get_abspath()
    out = os.path.join(state, f"{key}.json")
    cmd = [env["FRORE_PYTHON"], "-m", "frore", "-q", "gen", "scons", "-m", manifest, "-o", out]
    if python:
        cmd += ["--python", python]
    if headers_dir:
        cmd += ["--headers-dir", headers_dir]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(manifest),
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SCons.Errors.UserError(
            f"frore could not read {manifest}:\n{proc.stderr.strip() or proc.stdout.strip()}")
    with open(out, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise SCons.Errors.UserError(f"frore's SCons description has format {data.get('format')}, "
                                     f"this tool reads {FORMAT}: update the tool's toolpath")
    return data


def FrozenModules(env, manifest="frozen.toml", python=None, headers_dir=None):
    """Declare the manifest's headers and table; return the ``.c`` nodes to compile
    (the table and its parts)."""
    fs = env.fs
    if not isinstance(manifest, SCons.Node.FS.Base):
        # Relative to the calling SConscript's folder; './' so a leading '#' is a name.
        manifest = fs.File(manifest if os.path.isabs(manifest) else "./" + manifest)
    manifest_path = manifest.srcnode().get_abspath()
    if headers_dir is not None and not isinstance(headers_dir, SCons.Node.FS.Base):
        headers_dir = fs.Dir(headers_dir if os.path.isabs(headers_dir) else "./" + headers_dir)
    headers_path = headers_dir.get_abspath() if headers_dir is not None else None
    data = _resolve(env, manifest_path, python, headers_path)
    base = os.path.dirname(manifest_path)

    headers = []
    for part in data["parts"]:
        sources = []                    # unique nodes: two modules may share a file
        modules = []
        for unit in part["units"]:
            node = fs.File(_absolute(base, unit["source"]))
            if node not in sources:
                sources.append(node)
            modules.append([unit["name"], unit["optimize"], sources.index(node)])
        info = env.Value(json.dumps({"part": part["number"], "modules": modules,
                                     "freezer": data["freezer"], "stamp": data["stamp"]},
                                    sort_keys=True))
        built = env.FroreHeaders([fs.File(_absolute(base, u["header"])) for u in part["units"]],
                                 sources + [info])
        env.Precious(built)
        for node in built:
            # A header holds no #include a scanner can follow (its one include, of the
            # array file only old MSVC reads, is computed): tell SCons's C scanner so,
            # or every build reads all the headers' text (35 MB for the stdlib) to find
            # nothing.  SCons forgets this cache when it rebuilds the node.
            node.includes = []
        headers += built

    info = env.Value(json.dumps({"frore": data["frore"], "python": data["python"],
                                 "headers_dir": headers_path, "modules": data["modules"],
                                 "stamp": data["stamp"]}, sort_keys=True))
    # `frore gen table` writes the .c, the .h beside it, and the parts.
    table = env.FroreTable([fs.File(_absolute(base, path)) for path in
                            [data["table_c"], data["table_h"], *(p["c"] for p in data["parts"])]],
                           [manifest, info])
    env["FRORE_PYTHON_INCLUDE"] = data["python_include"]
    env["FRORE_PYTHON_LIBDIR"] = data["python_libdir"]
    env["FRORE_PYTHON_LIB"] = data["python_library"]
    env["FRORE_HEADERS"] = headers
    env["FRORE_TABLE_H"] = table[1]
    # FRORE_FROZEN_MODULES's build-time default (on, off, auto: a module edited since the
    # build imports from source): the construction variable FRORE_MODE, default on.
    env.SetDefault(FRORE_MODE="on")
    mode = env.subst("$FRORE_MODE")
    if mode not in ("on", "off", "auto"):
        raise SCons.Errors.UserError(f"FRORE_MODE must be on, off or auto, not {mode!r}")
    env.AppendUnique(CPPDEFINES=[("FRORE_FROZEN_MODULES_DEFAULT", "$FRORE_MODE")])
    return table[:1] + table[2:]


def generate(env):
    env.SetDefault(FRORE_PYTHON=sys.executable)
    env["BUILDERS"]["FroreHeaders"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_freeze, strfunction=_freeze_str),
        source_scanner=_NO_SCAN, target_scanner=_NO_SCAN)
    env["BUILDERS"]["FroreTable"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_table, strfunction=_table_str),
        source_scanner=_NO_SCAN, target_scanner=_NO_SCAN)
    env.AddMethod(FrozenModules, "FrozenModules")


def exists(env):
    return True
