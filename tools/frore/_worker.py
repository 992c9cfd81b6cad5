"""Compile and marshal Python sources inside the *target* interpreter.

This file runs under the interpreter whose bytecode is being frozen, which
may be any CPython from 3.8 to 3.13, so it uses only the standard library and
syntax every one of those versions accepts.  frore starts it as a script
(``python -I -S _worker.py``); requests and replies are marshalled over
stdin/stdout.

Why a separate, nearly empty process even when the target is the interpreter
running frore: marshal output records whether each string is interned, and
whether a shared string (e.g. the cached one-character ``'}'``) is interned
depends on everything the process has loaded before.  A worker that imports
nothing but builtins before compiling starts from the same state every time,
so the bytes depend only on the source and the interpreter.
"""

import marshal
import sys


def identity():
    """What decides the bytecode: version and magic number of this interpreter."""
    import os
    import sysconfig
    from importlib.util import MAGIC_NUMBER

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
    the sharing that exists inside the object graph itself.
    """
    return marshal.dumps(marshal.loads(marshal.dumps(code)))


def freeze_one(name, path):
    """Return ``{"name", "data"}`` or ``{"name", "error": {...}}`` for one source."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return {"name": name, "error": {"path": path, "line": 0,
                                        "message": "cannot read source: %s" % exc.strerror}}
    try:
        code = compile_source(name, source)
    except SyntaxError as exc:
        return {"name": name, "error": {
            "path": path,
            "line": exc.lineno or 0,
            "message": "%s: %s" % (type(exc).__name__, exc.msg),
        }}
    except ValueError as exc:  # e.g. source containing NUL bytes
        return {"name": name, "error": {"path": path, "line": 0, "message": str(exc)}}
    return {"name": name, "data": canonical_marshal(code)}


def main():
    request = marshal.loads(sys.stdin.buffer.read())
    if request["op"] == "identity":
        reply = identity()
    else:
        reply = [freeze_one(name, path) for name, path in request["jobs"]]
        if request.get("with_identity"):
            # Build rules freeze one module per process: saying which bytecode
            # this is in the same reply spares them a second interpreter start.
            from importlib._bootstrap_external import MAGIC_NUMBER  # already loaded
            reply = {"version": list(sys.version_info[:3]), "magic": MAGIC_NUMBER.hex(),
                     "results": reply}
    sys.stdout.buffer.write(marshal.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
