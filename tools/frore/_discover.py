"""Run ``python ARGS`` under the target interpreter and record every module it imports.

``frore discover`` starts this file as::

    python [INTERPRETER OPTIONS] _discover.py OUT -- (-c CODE | -m MODULE | SCRIPT) [ARG ...]

with the user's environment, folder and standard input, and site on: the run
must import what ``python ARGS`` imports.  It then does what CPython's
``Modules/main.c`` does for ARGS (sys.argv, sys.path[0], a fresh ``__main__``;
``-m`` through ``runpy._run_module_as_main``; a script compiled and executed in
``__main__``'s namespace), with a meta-path finder in front that finds nothing
and notes the name of every import as it starts.  When the run ends (it returns,
calls ``sys.exit``, or raises), non-daemon threads are joined as the interpreter
would, recording stops, and OUT receives, marshalled: for every module of
``sys.modules`` (those of start-up first, in ``sys.modules`` order, then those
the run imported, in the order their imports started) its key, ``__name__``,
spec name and origin, loader class, package flag, ``spec.has_location``, ``__file__`` and
whether the interpreter froze it; and how the run ended.  It then exits as the
run would have (the same status, the traceback of an uncaught exception without
this file's frames).

Constraints, all for one reason (a module this file imported would already be
in ``sys.modules`` when the run imports it, so the run's import would go
unseen): standard library only, and nothing imported but modules every
interpreter has loaded before running any code (``sys``, ``marshal``, ``_imp``,
``posix``/``nt``, importlib's bootstrap) or, after recording stops, nothing new.
No ``from __future__`` either: annotations are strings.  Syntax of Python 3.8.
"""

import sys

TYPE_CHECKING = False               # not typing's: importing typing would hide the run's import
if TYPE_CHECKING:
    import types

REPORT_VERSION = 1

# CPython's __main__ starts with an (empty) __annotations__ on some versions; the
# module running this file was made the same way, so its globals tell.  (This file
# has no module-level annotations, which would create one.)
_MAIN_HAS_ANNOTATIONS = "__annotations__" in globals()
_RUNNER_GLOBALS = globals()
_RUNNER_MODULE = sys.modules.get("__main__")       # kept alive once __main__ is replaced


class _Recorder:
    """A meta-path finder that finds nothing: it notes each module name the import
    system looks for, in the order imports start (a package before its submodules),
    and lets the real finders do the work."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.on = True

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if self.on:
            self.names.append(name)
        return None


def _keys() -> "list[str]":
    """The keys of sys.modules, in order (retried if another thread imports meanwhile)."""
    while True:
        try:
            return list(sys.modules)
        except RuntimeError:
            continue


def _os_module() -> "types.ModuleType":
    """``posix`` (or ``nt``): built in and loaded at start-up on every interpreter."""
    return sys.modules.get("posix") or sys.modules["nt"]


def _getpid() -> int:
    return int(_os_module().getpid())


def _getcwd() -> str:
    return str(_os_module().getcwd())


def _abspath(path: str) -> str:
    """The script's path as CPython 3.9+ makes it absolute: joined to the folder,
    not normalised (``./x.py`` gives ``/cwd/./x.py``)."""
    if sys.platform == "win32":
        return str(sys.modules["os"].path.abspath(path))
    if path.startswith("/"):
        return path
    return _getcwd().rstrip("/") + "/" + path


def _script_folder(script: str) -> str:
    """sys.path[0] for a script: the folder of its real path, as CPython computes it."""
    os_module = sys.modules.get("os")
    if os_module is not None:
        return str(os_module.path.dirname(os_module.path.realpath(script)))
    # Without site (-S) os is not loaded and must not be: follow the script's own
    # links with the built-in module, as CPython 3.8 did before realpath().
    posix = _os_module()
    path = _abspath(script)
    for _ in range(40):
        try:
            target = str(posix.readlink(path))
        except (OSError, AttributeError, ValueError):
            break
        path = target if target.startswith("/") else path.rpartition("/")[0] + "/" + target
    return path.rpartition("/")[0] or "/"


def _dedent(text: str) -> str:
    """What CPython 3.14+ does to a ``-c`` command (as textwrap.dedent)."""
    lines = text.split("\n")
    filled = [line for line in lines if line and not line.isspace()]
    first, last = min(filled, default=""), max(filled, default="")
    margin = 0
    for margin, char in enumerate(first):
        if char != last[margin] or char not in " \t":
            break
    return "\n".join("" if line.isspace() else line[margin:] for line in lines)


def _importer(path: str) -> "object":
    """What PyImport_GetImporter finds for a script operand: a folder or a zip
    archive runs its ``__main__`` module; a plain file gets None."""
    cache = sys.path_importer_cache
    if path in cache:
        return cache[path]
    for hook in sys.path_hooks:
        try:
            importer = hook(path)
        except ImportError:
            continue
        cache[path] = importer
        return importer
    return None


def _set_path0(value: str, inserted: bool) -> None:
    """Put CPython's sys.path[0] for the emulated command where this file's folder is.

    CPython inserts sys.path[0] after site has run, so this file's folder is there
    (and was never seen by start-up) unless -I or -P (PYTHONSAFEPATH) kept it out;
    then the emulated command gets none either."""
    if inserted and sys.path:
        sys.path[0] = value


def _fresh_main() -> "types.ModuleType":
    """A ``__main__`` module as CPython creates it at start-up."""
    main = type(sys)("__main__")
    namespace = main.__dict__
    namespace["__builtins__"] = sys.modules["builtins"]
    namespace["__loader__"] = sys.modules["_frozen_importlib"].BuiltinImporter
    if _MAIN_HAS_ANNOTATIONS:
        namespace["__annotations__"] = {}
    return main


def _run_module_as_main(name: str, alter_argv: bool) -> None:
    import runpy  # what CPython imports for -m (recorded: it is the run's)

    runpy._run_module_as_main(name, alter_argv)  # type: ignore[attr-defined]


def _emulate(command: "list[str]", inserted: bool) -> None:
    """Run *command* as ``python COMMAND`` would, after start-up."""
    main = _fresh_main()
    namespace = main.__dict__
    if command[0] == "-c":
        source = command[1]
        sys.argv = ["-c"] + command[2:]
        _set_path0("", inserted)
        sys.modules["__main__"] = main
        if sys.version_info >= (3, 14):
            source = _dedent(source)
        code = compile(source, "<string>", "exec", dont_inherit=True)
        if sys.version_info >= (3, 13):
            # CPython 3.13+ keeps the -c source for tracebacks: it imports linecache.
            # (Early 3.13 releases key the source by file name, later ones by code.)
            import linecache

            register = getattr(linecache, "_register_code", None)
            if register is not None:
                key = code if hasattr(linecache, "_interactive_cache") else "<string>"
                register(key, source, "<string>")
        exec(code, namespace)
        return
    if command[0] == "-m":
        sys.argv = ["-m"] + command[2:]
        _set_path0(_getcwd(), inserted)
        sys.modules["__main__"] = main
        _run_module_as_main(command[1], True)
        return
    script = command[0]
    sys.argv = list(command)
    # From 3.9 on, CPython makes the script's path absolute (sys.argv keeps it as given).
    filename = script if sys.version_info < (3, 9) else _abspath(script)
    if _importer(filename) is not None:      # a folder or zip archive with __main__.py
        if inserted and sys.path:
            sys.path[0] = filename
        else:
            sys.path.insert(0, filename)
        sys.modules["__main__"] = main
        _run_module_as_main("__main__", False)
        return
    _set_path0(_script_folder(script), inserted)
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError as exc:
        program = (getattr(sys, "orig_argv", None) or [sys.executable])[0]
        sys.stderr.write(f"{program}: can't open file {filename!r}: [Errno {exc.errno}] "
                         f"{exc.strerror}\n")
        raise SystemExit(2) from None
    namespace["__file__"] = filename
    namespace["__cached__"] = None
    external = sys.modules["_frozen_importlib_external"]
    namespace["__loader__"] = external.SourceFileLoader("__main__", filename)
    sys.modules["__main__"] = main
    exec(compile(data, filename, "exec", dont_inherit=True), namespace)


def _join_threads() -> None:
    """Wait for the run's non-daemon threads, as the interpreter does before exiting:
    what they import belongs to the run."""
    threading = sys.modules.get("threading")
    if threading is None:
        return
    try:
        current = threading.current_thread()
        for thread in threading.enumerate():
            if thread is not current and not thread.daemon:
                thread.join()
    except Exception:
        pass


def _order(startup: "list[str]", recorded: "list[str]", final: "list[str]") -> "list[str]":
    """Start-up modules in sys.modules order, then the run's in the order their imports
    started; a key no import put there (``sys.modules["x"] = ...``, an alias a module
    sets) follows the key before it in sys.modules."""
    present = set(final)
    known: list[str] = []
    seen: set[str] = set()
    for name in startup + recorded:
        if name in present and name not in seen:
            seen.add(name)
            known.append(name)
    followers: dict[str | None, list[str]] = {}
    previous = None
    for name in final:
        if name in seen:
            previous = name
        else:
            followers.setdefault(previous, []).append(name)
    ordered = followers.pop(None, [])
    for name in known:
        ordered.append(name)
        ordered.extend(followers.pop(name, []))
    return ordered


def _text(value: object) -> "str | None":
    return value if isinstance(value, str) else None


def _attribute(obj: object, name: str) -> object:
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _describe(key: str, module: object, imp: "types.ModuleType") -> "tuple[object, ...]":
    """(key, kind, __name__, spec name, origin, loader class, package, has_location,
    __file__, frozen)."""
    if isinstance(module, type(sys)):
        kind = "module"
        # The module's own dict: a lazy module (importlib.util.LazyLoader) would run
        # its code on the first attribute access.
        namespace = object.__getattribute__(module, "__dict__")
        name, spec, file = (namespace.get(k) for k in ("__name__", "__spec__", "__file__"))
        package = "__path__" in namespace
        loader = _attribute(spec, "loader") if spec is not None else namespace.get("__loader__")
    else:
        kind = type(module).__name__
        name, spec, file = (_attribute(module, k) for k in ("__name__", "__spec__", "__file__"))
        package = _attribute(module, "__path__") is not None
        loader = _attribute(spec, "loader") if spec is not None else _attribute(module, "__loader__")
    spec_name = _text(_attribute(spec, "name")) if spec is not None else None
    origin = _text(_attribute(spec, "origin")) if spec is not None else None
    has_location = bool(_attribute(spec, "has_location")) if spec is not None else False
    if loader is None:
        loader_name = None
    elif isinstance(loader, type):
        loader_name = loader.__name__
    else:
        loader_name = type(loader).__name__
    frozen = origin == "frozen" or loader_name == "FrozenImporter"
    if not frozen and kind == "module":
        try:
            frozen = bool(imp.is_frozen(key))
        except Exception:
            frozen = False
    return (key, kind, _text(name), spec_name, origin, loader_name, package, has_location,
            _text(file), frozen)


def _type_name(cls: type) -> str:
    """An exception class as a traceback shows it."""
    module, name = _text(_attribute(cls, "__module__")), _attribute(cls, "__qualname__")
    name = name if isinstance(name, str) else cls.__name__
    return name if module in (None, "builtins", "__main__") else f"{module}.{name}"


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return "<exception str() failed>"


def _write(out: str, keys: "list[str]", error: "BaseException | None") -> None:
    import _imp  # both loaded at start-up by every interpreter: no new module
    import marshal

    modules = []
    for key in keys:
        try:
            module = sys.modules[key]
        except KeyError:
            continue
        modules.append(_describe(key, module, _imp))
    raised = None
    if error is not None and not isinstance(error, SystemExit):
        raised = (_type_name(type(error)), _message(error))
    report = {"version": REPORT_VERSION, "python": list(sys.version_info[:3]),
              "modules": modules, "raised": raised}
    with open(out, "wb") as f:
        f.write(marshal.dumps(report, 4))


def _without_runner(error: BaseException) -> "types.TracebackType | None":
    """The traceback of *error* from the run's first frame on (this file's frames cut)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_globals is _RUNNER_GLOBALS:
        tb = tb.tb_next
    return tb


def _orig_argv(command: "list[str]") -> None:
    """sys.orig_argv (3.10+) as ``python OPTIONS COMMAND`` would have it."""
    orig = getattr(sys, "orig_argv", None)
    if not orig:
        return
    for i in range(1, len(orig) - 2):
        if orig[i] == sys.argv[0] and orig[i + 1:i + 3] == sys.argv[1:3]:
            sys.orig_argv = orig[:i] + command
            return


def _main() -> None:
    startup = _keys()
    pid = _getpid()
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--" or (args[2] in ("-c", "-m") and len(args) < 4):
        sys.stderr.write("usage: python _discover.py OUT -- (-c CODE | -m MODULE | SCRIPT) [ARG ...]\n")
        sys.exit(2)
    out, command = args[0], args[2:]
    inserted = not (sys.flags.isolated or getattr(sys.flags, "safe_path", False))
    _orig_argv(command)
    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    error = None
    try:
        _emulate(command, inserted)
    except BaseException as exc:
        error = exc
    _join_threads()
    recorder.on = False
    if recorder in sys.meta_path:
        sys.meta_path.remove(recorder)
    final = _keys()
    if _getpid() == pid:                     # not in a child the run forked
        _write(out, _order(startup, recorder.names, final), error)
    if error is None:
        return
    if isinstance(error, (SystemExit, KeyboardInterrupt)):
        raise error                          # the interpreter exits as it would have
    # The hook shows the exception's own traceback when it has one: cut it there.
    tb = _without_runner(error)
    error.__traceback__ = tb
    sys.excepthook(type(error), error, tb)
    sys.exit(1)


if __name__ == "__main__":
    _main()
