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
# The newest CPython frore is tested on (its struct _frozen, marshal and start-up);
# a newer target is refused unless UNTESTED_OPT_IN is set (frore.interpreter).
NEWEST_TESTED = (3, 15)
UNTESTED_OPT_IN = "FRORE_ALLOW_UNTESTED_PYTHON"
TOO_OLD_EXIT = 3
TOO_OLD_PREFIX = "frore-worker: too old: "

# Bumped whenever the bytes frore writes into a header change for the same
# source and interpreter; it is part of each header's key, so a new format
# re-freezes everything instead of mixing old and new headers.  It lives here
# because the freezer needs it before it may import anything (see above).
FORMAT_VERSION = 5
KEY_PREFIX = "frore-key: "

# Run as a script without -I (which would ignore PYTHONHASHSEED), its own folder
# is sys.path[0]; nothing may be imported from there.
if __name__ == "__main__" and sys.path and sys.path[0] and __file__.startswith(sys.path[0]):
    del sys.path[0]


def sha256_hex(data):
    """Hex SHA-256 through the cheapest module this Python has: C extensions, whose
    import runs no Python code (hashlib's costs milliseconds and loads bytecode)."""
    names = ("_sha2", "_sha256") if sys.version_info >= (3, 12) else ("_sha256", "_sha2")
    for module in names + ("hashlib",):
        try:
            return __import__(module).sha256(data).hexdigest()
        except (ImportError, AttributeError):
            continue
    raise ImportError("no sha256 in this Python")


def header_key(source_id, source, magic, optimize=0):
    # type: (str, bytes, str, int) -> str
    """Everything that decides a header's bytes, hashed: lets regen and the build
    rules skip compiling a module whose header is current."""
    fields = ("format=%d" % FORMAT_VERSION, "magic=" + magic, "id=" + source_id,
              "optimize=%d" % optimize)
    return sha256_hex(b"".join(f.encode("utf-8") + b"\0" for f in fields) + source)


def read_key(header_text):
    # type: (str) -> str | None
    """The key recorded in a header's opening lines, or None."""
    for line in header_text.splitlines()[:4]:
        at = line.find(KEY_PREFIX)
        if at >= 0:
            return line[at + len(KEY_PREFIX):].split()[0]
    return None


def read_key_from(path):
    # type: (str) -> str | None
    """A header's key, reading only its first lines: unchanged headers of a large
    set are then checked without reading megabytes of data."""
    try:
        with open(path, "rb") as f:
            return read_key(f.read(512).decode("utf-8", "replace"))
    except OSError:
        return None


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


def compile_source(name, source_bytes, optimize=0):
    """Compile *source_bytes* exactly as CPython's own freezer does.

    CPython's ``_freeze_module`` compiles with filename ``<frozen NAME>``, no
    inherited future flags and optimisation level 0; matching that keeps the
    code object equal to the stock interpreter's frozen one.  A group may ask
    for level 1 or 2 (as ``-O``/``-OO``: no asserts, no docstrings).
    """
    return compile(source_bytes, "<frozen %s>" % name, "exec",
                   dont_inherit=True, optimize=optimize)


def canonical_marshal(code):
    """Marshal *code* so the bytes depend only on the code object.

    marshal sets FLAG_REF on any object whose reference count is above one
    (bpo-34093), so the same code object can serialise differently depending
    on what else the process holds.  A dump/load/dump round trip leaves only
    the sharing that exists inside the object graph itself.
    """
    return marshal.dumps(marshal.loads(marshal.dumps(code)))


def compile_file(name, path, optimize=0):
    """(source bytes, marshal data), or an error dict: ``{"path", "line", "message", "exit"}``."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return _error(path, 0, "cannot read source: %s" % (exc.strerror or exc), 2)
    try:
        code = compile_source(name, source, optimize)
    except SyntaxError as exc:
        return _error(path, exc.lineno or 0, "%s: %s" % (type(exc).__name__, exc.msg), 1)
    except (RecursionError, MemoryError) as exc:
        # A source nested too deeply for this interpreter's compiler.
        detail = str(exc) or "the source is nested too deeply to compile"
        return _error(path, 0, "%s: %s" % (type(exc).__name__, detail), 1)
    except Exception as exc:  # e.g. ValueError for a source holding NUL bytes
        return _error(path, 0, "%s: %s" % (type(exc).__name__, exc), 1)
    return source, canonical_marshal(code)


def _error(path, line, message, status):
    return {"path": path, "line": line, "message": message, "exit": status}


def freeze_one(name, path, optimize=0):
    """Return ``{"name", "data"}`` or ``{"name", "error": {...}}`` for one source."""
    result = compile_file(name, path, optimize)
    if isinstance(result, dict):
        return {"name": name, "error": result}
    return {"name": name, "data": result[1]}


def _load_frore():
    """frore's header renderer and writer, imported only after compiling (see the
    module docstring): from the folder that holds this file's package."""
    import os
    parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if sys.path[:1] != [parent]:
        sys.path.insert(0, parent)
    from frore import header, write
    from frore.errors import FroreError
    return header, write, FroreError


def freeze_to_file(args):
    """``_worker.py freeze [options] [--] NAME SOURCE OUTPUT``:
    compile one module and write its header (and, for a large module, its array
    sibling): what Make and MSBuild rules run, one process per module, no frore host."""
    parsed = _options(args, ("--hex", "--no-touch"), ("--optimize", "--root-env"), 3,
                      "freeze [--hex] [--no-touch] [--optimize 0|1|2] [--root-env VAR] "
                      "[--] NAME SOURCE OUTPUT")
    if parsed is None:
        return 2
    if parsed[0].get("--optimize", "0") not in ("0", "1", "2"):
        sys.stderr.write("frore: --optimize takes 0, 1 or 2, not %r\n" % parsed[0]["--optimize"])
        return 2
    options, (name, source, output) = parsed
    optimize = int(options.get("--optimize", "0"))
    if options.get("--hex"):
        name = _hex_word(name)
    source, output = _paths(options, source, output)
    result = compile_file(name, source, optimize)
    header, write, FroreError = _load_frore()
    try:
        if isinstance(result, dict):
            raise FroreError(result["message"], result["path"], result["line"] or None,
                             exit_code=result["exit"])
        _write_header(header, write, name, result, optimize, output,
                      touch=not options.get("--no-touch"))
    except FroreError as exc:
        sys.stderr.write(str(exc) + "\n")
        return exc.exit_code
    return 0


def freeze_part(args):
    """``_worker.py freeze-part [--hex] [--root-env VAR] [--] (NAME LEVEL SOURCE OUTPUT)...``:
    the headers of a group of modules (a part of the module table), in one process.

    What Meson, CMake and SCons run: one process per part instead of per module
    makes a first build as fast as a batch, and an edit re-runs one part, where
    every module whose header already carries the key of its source (same
    source, level, interpreter and format) is only touched, not compiled.  All
    compiling happens before frore itself is imported (see the module docstring).
    """
    import os
    parsed = _options(args, ("--hex",), ("--root-env",), None,
                      "freeze-part [--hex] [--root-env VAR] [--] (NAME LEVEL SOURCE OUTPUT)...")
    if parsed is None:
        return 2
    options, operands = parsed
    if not operands or len(operands) % 4 or any(
            level not in ("0", "1", "2") for level in operands[1::4]):
        sys.stderr.write("frore: freeze-part takes NAME LEVEL(0|1|2) SOURCE OUTPUT, repeated\n")
        return 2
    from _frozen_importlib_external import MAGIC_NUMBER  # loaded at start-up
    magic = MAGIC_NUMBER.hex()
    todo = []
    current = []
    for i in range(0, len(operands), 4):
        name, level = operands[i], int(operands[i + 1])
        if options.get("--hex"):
            name = _hex_word(name)
        source, output = _paths(options, operands[i + 2], operands[i + 3])
        try:
            with open(source, "rb") as f:
                text = f.read()
        except OSError:
            text = None                         # compile_file says why
        if text is not None and read_key_from(output) == header_key(name, text, magic, level):
            current.append(output)
        else:
            todo.append((name, level, output, compile_file(name, source, level)))
    header, write, FroreError = _load_frore()
    status = 0
    for output in current:
        try:
            os.utime(output)                    # newer than the inputs that re-ran the rule
        except OSError as exc:
            sys.stderr.write("%s: cannot touch this output: %s\n" % (output, exc.strerror))
            status = max(status, 2)
    for name, level, output, result in todo:
        if isinstance(result, dict):
            sys.stderr.write(str(FroreError(result["message"], result["path"],
                                            result["line"] or None)) + "\n")
            status = max(status, result["exit"])
            continue
        try:
            _write_header(header, write, name, result, level, output, touch=True)
        except FroreError as exc:
            sys.stderr.write(str(exc) + "\n")
            status = max(status, exc.exit_code)
            continue
        sys.stdout.write("FREEZE %s\n" % name)
    return status


def _write_header(header, write, name, compiled, optimize, output, touch):
    """Render *compiled* (source bytes, marshal data) and write the header, and the
    array file old MSVC includes when the module needs one (else remove a stale one)."""
    import os
    from _frozen_importlib_external import MAGIC_NUMBER  # loaded at start-up
    text, data = compiled
    key = header_key(name, text, MAGIC_NUMBER.hex(), optimize)
    files = header.render(name, data, tuple(sys.version_info[:2]), key, optimize)
    folder = os.path.dirname(output)
    main = files.pop(header.header_name(name))
    outputs = {os.path.join(folder, sibling): body for sibling, body in files.items()}
    outputs[output] = main                      # last: build tools compare the header
    write.write_all(outputs, touch=touch)
    if not files:
        header.remove_stale_sibling(os.path.join(folder, header.msvc_name(name)))


def _options(args, flags, valued, count, usage):
    """({option: value}, operands) of a build rule's command line, or None after
    printing *usage*: options first, then ``--`` (optional), then *count* operands."""
    options = {}
    args = list(args)
    while args and (args[0] in flags or args[0] in valued):
        flag = args.pop(0)
        if flag in flags:
            options[flag] = True
        elif args:
            options[flag] = args.pop(0)
        else:
            args = []
            break
    if args[:1] == ["--"]:
        args = args[1:]
    if count is not None and len(args) != count:
        sys.stderr.write("usage: _worker.py " + usage + "\n")
        return None
    return options, args


def _paths(options, *words):
    """Paths as a build rule passed them: with --hex, 'x' + the hex of their UTF-8
    bytes (MSBuild: no shell or MSBuild expansion reads such a word); with
    --root-env VAR, relative to the folder in that variable (MSBuild on Windows,
    which runs commands in no particular folder)."""
    import os
    root = os.environ.get(options["--root-env"], "") if options.get("--root-env") else ""
    if options.get("--hex"):
        words = tuple(_hex_word(word) for word in words)
    return tuple(os.path.join(root, word) for word in words)


def _hex_word(word):
    """'x' + hex of UTF-8 bytes, as MSBuild rules pass names and paths."""
    decoded = None
    if word.startswith("x") and len(word) % 2 == 1:
        try:
            decoded = bytes.fromhex(word[1:]).decode("utf-8", "surrogateescape")
        except ValueError:
            pass
    if decoded is None:
        raise SystemExit("frore: --hex: %r is not 'x' followed by hex digits" % word)
    return decoded


def _fixed_hash_seed():
    """Re-run this worker with PYTHONHASHSEED=0 when it matters and is not set
    (build rules start the worker directly, with -E, so the variable is not read);
    every other PYTHON* variable is dropped, as frore itself does."""
    if sys.version_info >= (3, 11) or not sys.flags.hash_randomization:
        return
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    os.execve(sys.executable, [sys.executable, "-S", "-s", "-B", __file__] + sys.argv[1:], env)


def write_stamp(args):
    """``_worker.py stamp [--hex] [--root-env VAR] PATH FORMAT``: write the freezer
    stamp of this interpreter to PATH, only when it changed (build rules run this on
    every build to notice an interpreter switched in place; an unchanged file keeps
    dependents up to date)."""
    parsed = _options(args, ("--hex",), ("--root-env",), 2,
                      "stamp [--hex] [--root-env VAR] PATH FORMAT")
    if parsed is None:
        return 2
    options, (path, format_version) = parsed
    (path,) = _paths(options, path)
    from _frozen_importlib_external import MAGIC_NUMBER  # loaded at start-up
    header, write, FroreError = _load_frore()
    text = header.stamp_text(tuple(sys.version_info[:2]), MAGIC_NUMBER.hex(), format_version)
    try:
        write.write_all({path: text})
    except FroreError as exc:
        sys.stderr.write(str(exc) + "\n")
        return exc.exit_code
    return 0


def main():
    if sys.version_info[:2] < OLDEST:
        implementation = getattr(getattr(sys, "implementation", None), "name", "cpython")
        version = "%d.%d.%d" % tuple(sys.version_info[:3])
        sys.stderr.write(TOO_OLD_PREFIX + implementation + " " + version + "\n")
        return TOO_OLD_EXIT
    if sys.argv[1:2] == ["stamp"]:
        return write_stamp(sys.argv[2:])
    _fixed_hash_seed()
    if sys.argv[1:2] == ["freeze"]:
        return freeze_to_file(sys.argv[2:])
    if sys.argv[1:2] == ["freeze-part"]:
        return freeze_part(sys.argv[2:])
    request = marshal.loads(sys.stdin.buffer.read())
    if request["op"] == "identity":
        reply = identity()
    else:
        reply = [freeze_one(name, path, request.get("optimize", {}).get(name, 0))
                 for name, path in request["jobs"]]
    sys.stdout.buffer.write(marshal.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
