"""Compile and marshal Python sources inside the *target* interpreter.

This file runs under the interpreter whose bytecode is being frozen, which
may be any CPython from 3.8 to 3.13, so it uses only the standard library and
syntax every one of those versions accepts.  frore starts it as a script
(``python -I -S _worker.py``) and speaks JSON over stdin/stdout; when the
target is the interpreter running frore, the same functions are called
in-process.  Keeping the compile step here, and nowhere else, is what makes
every backend produce the same bytes.
"""

import base64
import json
import marshal
import sys

try:  # 3.8-3.11 keep MAGIC_NUMBER in importlib.util; it is stable API there.
    from importlib.util import MAGIC_NUMBER
except ImportError:  # pragma: no cover - every supported version has it
    MAGIC_NUMBER = b""


def identity():
    """What decides the bytecode: version and magic number of this interpreter."""
    import os
    import sysconfig

    return {
        "version": list(sys.version_info[:3]),
        "magic": MAGIC_NUMBER.hex(),
        "executable": os.path.realpath(sys.executable),
        "stdlib": sysconfig.get_path("stdlib"),
        "implementation": sys.implementation.name,
        "include": sysconfig.get_path("include"),
        "libdir": sysconfig.get_config_var("LIBDIR") or "",
        "ldversion": sysconfig.get_config_var("LDVERSION") or "%d.%d" % sys.version_info[:2],
    }


def compile_source(name, source_bytes):
    """Compile *source_bytes* exactly as CPython's own freezer does.

    CPython's ``_freeze_module`` compiles with filename ``<frozen NAME>``, no
    inherited future flags and optimisation level 0; matching that keeps the
    code object equal to the stock interpreter's frozen one.
    """
    return compile(source_bytes, "<frozen %s>" % name, "exec",
                   dont_inherit=True, optimize=0)


def canonical_marshal(code):
    """Marshal *code* so the bytes depend only on the code object.

    marshal sets FLAG_REF on any object whose reference count is above one
    (bpo-34093), so the same code object can serialise differently depending
    on what else the process holds.  A dump/load/dump round trip leaves only
    the sharing that exists inside the object graph itself, which makes the
    output independent of order, batching and parallelism.
    """
    first = marshal.dumps(code)
    return marshal.dumps(marshal.loads(first))


def freeze_one(name, path):
    """Return ``{"name", "data"}`` or ``{"name", "error": {...}}`` for one source."""
    with open(path, "rb") as f:
        source = f.read()
    try:
        code = compile_source(name, source)
    except SyntaxError as exc:
        return {"name": name, "error": {
            "path": path,
            "line": exc.lineno or 0,
            "message": "%s: %s" % (type(exc).__name__, exc.msg),
        }}
    except ValueError as exc:  # e.g. source containing NUL bytes
        return {"name": name, "error": {"path": path, "line": 0,
                                        "message": str(exc)}}
    return {"name": name, "data": canonical_marshal(code)}


def main():
    request = json.load(sys.stdin)
    if request.get("op") == "identity":
        json.dump(identity(), sys.stdout)
        return 0
    out = []
    for job in request["jobs"]:
        result = freeze_one(job["name"], job["path"])
        if "data" in result:
            result["data"] = base64.b64encode(result["data"]).decode("ascii")
        out.append(result)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
