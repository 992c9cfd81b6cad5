"""Compile and marshal Python sources inside the *target* interpreter.

This file runs under the interpreter whose bytecode is being frozen, which
may be any CPython from 3.8 on, so it uses only the standard library.  It is
also written so that Python 2 and old Python 3 can *parse* it: run by one of
those, it says which version it is and exits 3, and frore turns that into a
one-line message instead of a syntax error from the wrong interpreter.

frore starts it as ``python -S -s -B _worker.py`` with every ``PYTHON*``
variable removed from the environment and ``PYTHONHASHSEED=0``; requests and
replies are marshalled over stdin/stdout.

Why a separate, nearly empty process even when the target is the interpreter
running frore: marshal output records whether each string is interned, and
whether a shared string (e.g. the cached one-character ``'}'``) is interned
depends on everything the process has loaded before.  A worker that imports
nothing but builtins before compiling starts from the same state every time,
so the bytes depend only on the source and the interpreter.

Why a fixed hash seed: before 3.11, marshal writes a frozenset's elements in
iteration order, which follows the (per-process random) string hashes, so a
module with ``x in {"a", "b"}`` would freeze differently on every run.
"""

import marshal
import sys

OLDEST = (3, 8)
TOO_OLD_EXIT = 3
TOO_OLD_PREFIX = "frore-worker: too old: "

# Without -I (which would ignore PYTHONHASHSEED) the script's own folder is
# sys.path[0]; nothing may be imported from there.
if sys.path and sys.path[0] and __file__.startswith(sys.path[0]):
    del sys.path[0]


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


def _error(name, path, line, message):
    return {"name": name, "error": {"path": path, "line": line, "message": message}}


def freeze_one(name, path):
    """Return ``{"name", "data"}`` or ``{"name", "error": {...}}`` for one source."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return _error(name, path, 0, "cannot read source: %s" % (exc.strerror or exc))
    try:
        code = compile_source(name, source)
    except SyntaxError as exc:
        return _error(name, path, exc.lineno or 0, "%s: %s" % (type(exc).__name__, exc.msg))
    except (RecursionError, MemoryError) as exc:
        # A source nested too deeply for this interpreter's compiler.
        detail = str(exc) or "the source is nested too deeply to compile"
        return _error(name, path, 0, "%s: %s" % (type(exc).__name__, detail))
    except Exception as exc:  # e.g. ValueError for a source holding NUL bytes
        return _error(name, path, 0, "%s: %s" % (type(exc).__name__, exc))
    return {"name": name, "data": canonical_marshal(code)}


def _fixed_hash_seed():
    """Re-run this worker with PYTHONHASHSEED=0 when it matters and is not set
    (build rules may start the worker directly, without frore's environment)."""
    if sys.version_info >= (3, 11) or not sys.flags.hash_randomization:
        return
    import os
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable, "-S", "-s", "-B", __file__] + sys.argv[1:], env)


def write_stamp(path, format_version):
    """``_worker.py stamp PATH FORMAT``: write the freezer stamp of this interpreter to
    PATH, only when it changed (build rules run this on every build to notice an
    interpreter switched in place; an unchanged file keeps dependents up to date)."""
    import os
    from importlib._bootstrap_external import MAGIC_NUMBER  # already loaded

    text = ("python %d.%d\nmagic %s\nfrore-format %s\n" % (
        sys.version_info[0], sys.version_info[1], MAGIC_NUMBER.hex(), format_version)).encode()
    try:
        with open(path, "rb") as f:
            if f.read() == text:
                return 0
    except OSError:
        pass
    temporary = "%s.%d.stamp.tmp" % (path, os.getpid())
    with open(temporary, "wb") as f:
        f.write(text)
    os.replace(temporary, path)
    return 0


def _path_argument(word):
    """A path as build rules pass it: plain, or 'x' + hex of its UTF-8 bytes (MSBuild),
    relative to $FRORE_ROOT when that is set (MSBuild on Windows)."""
    import os
    if word.startswith("x") and len(word) % 2 == 1:
        try:
            word = bytes.fromhex(word[1:]).decode("utf-8", "surrogateescape")
        except ValueError:
            pass
    return os.path.join(os.environ.get("FRORE_ROOT", ""), word)


def main():
    if sys.version_info[:2] < OLDEST:
        implementation = getattr(getattr(sys, "implementation", None), "name", "cpython")
        version = "%d.%d.%d" % tuple(sys.version_info[:3])
        sys.stderr.write(TOO_OLD_PREFIX + implementation + " " + version + "\n")
        return TOO_OLD_EXIT
    if sys.argv[1:2] == ["stamp"] and len(sys.argv) == 4:
        return write_stamp(_path_argument(sys.argv[2]), sys.argv[3])
    _fixed_hash_seed()
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
