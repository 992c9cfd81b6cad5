"""Find the uses in a module's source that behave differently once it is frozen.

This file runs under the *target* interpreter (any CPython 3.8 to 3.15), so it
uses only the standard library, in syntax every one of them parses, and it
parses each source with that interpreter's own ``ast``: a module using 3.12-only
syntax parses when the target is 3.12, whatever runs frore.  frore starts it as
``python -E -S -s -B _lint.py``; the request is JSON on stdin::

    {"modules": [{"name": "pkg.mod", "source": "/abs/pkg/mod.py", "is_package": false,
                  "names": ["pkg.mod"]}, ...],
     "frozen": {"pkg": true, "pkg.mod": false}}

``name`` is the module whose code is in the file (what findings name), ``names``
(optional) every name it is imported as (an alias shares its source), and
``frozen`` (optional) every name the manifest freezes with its package flag, so
that ``pkg.__file__`` or ``files("pkg")`` in another module is recognised too.
The reply is a JSON list on stdout, one object per finding: ``source``,
``module``, ``line`` (1-based), ``col`` (1-based, in UTF-8 bytes as ``ast``
counts), ``code`` and ``message``.

Codes (stable; each message says what the module sees when frozen on the target
version, measured on real frozen modules of CPython 3.8 to 3.15):

FRZ000  the source does not parse (or compile) on the target: it cannot be frozen
        for it.  Not suppressible.
FRZ001  ``__file__`` (the name, ``mod.__file__`` of a frozen module,
        ``globals()["__file__"]``, ``getattr(mod, "__file__")``): 3.8-3.10 it is not
        set; 3.11+ it is a path made up from the module name under the standard
        library folder (``<stdlib>/pkg/mod.py``), not the source.  A use that
        locates files from it (``os.path.dirname``, ``open``, ``Path(...).parent``,
        ...) is reported once, with a message about data files.
FRZ002  ``__cached__`` (never set) and ``__spec__.cached`` (None).
FRZ003  ``__spec__.origin`` (``"frozen"``), ``__spec__.has_location`` (False),
        ``importlib.util.find_spec(__name__).origin``, and the loader's
        ``get_filename``/``get_data``/``get_resource_reader`` (FrozenImporter has none).
FRZ004  a package's ``__path__``: assigning or changing it, ``__path__[0]``,
        ``pkgutil.extend_path``, ``pkgutil.iter_modules``/``walk_packages`` over it
        (3.8-3.10 it is ``[]``; 3.11+ a made-up ``["<stdlib>/pkg"]``).
FRZ005  data loaded next to the module: ``pkgutil.get_data`` (returns None) and
        ``importlib.resources`` functions (``files``, ``read_text``, ``open_binary``,
        ``path``, ``contents``, ...) for this module's package or another frozen one
        (3.8: no location; 3.9: the current working directory stands in for the
        package's folder; 3.10+: an empty package).
FRZ006  reading the module's own source: ``inspect.getsource``/``getsourcelines``/
        ``findsource``/``getcomments``/``getsourcefile``/``getfile``,
        ``linecache.getline``/``getlines``/``updatecache``, ``__loader__.get_source``.

Opt-out per physical line (the line where the finding starts): a comment
``# frore: ignore`` drops every finding on it, ``# frore: ignore[FRZ001,FRZ005]``
those codes only.  Several findings of one code on one line are reported once.
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
import warnings

TYPE_CHECKING = False       # not typing's: nothing is imported that the linter does not use
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    Finding = dict[str, Any]

# Run as a script, its own folder (frore's package) is sys.path[0]: nothing may
# be imported from there.
if __name__ == "__main__" and sys.path and sys.path[0] and __file__.startswith(sys.path[0]):
    del sys.path[0]

VERSION = (sys.version_info[0], sys.version_info[1])
FROZEN_ON = f"frozen on Python {VERSION[0]}.{VERSION[1]}"
# 3.11+ FrozenImporter gives every frozen module a __file__ (and packages a
# __path__) under sys._stdlib_dir, made up from the module name.
INVENTS_LOCATION = VERSION >= (3, 11)
SEP = "\\" if sys.platform == "win32" else "/"

IGNORE = re.compile(r"#\s*frore:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)

PATH_MUTATORS = ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
                 "__setitem__", "__iadd__")
# A __file__ inside one of these is used to find files beside the module.
DATA_CALLS = ("dirname", "split", "join", "open", "joinpath", "listdir", "scandir", "walk",
              "glob", "iglob", "exists", "isfile", "isdir", "chdir", "read_text", "read_bytes",
              "open_text", "open_binary")
DATA_ATTRS = ("parent", "parents", "with_name", "with_suffix", "joinpath")
RESOURCES = "importlib.resources."
RESOURCE_FUNCS = ("files", "as_file", "read_text", "read_binary", "open_text", "open_binary",
                  "path", "contents", "is_resource")
SOURCE_FUNCS = ("inspect.getsource", "inspect.getsourcelines", "inspect.findsource",
                "inspect.getcomments", "inspect.getsourcefile", "inspect.getfile",
                "linecache.getline", "linecache.getlines", "linecache.updatecache")
GLOBALS_CALLS = ("globals", "vars", "dir")
PATH_CALLS = ("pkgutil.extend_path", "pkgutil.iter_modules", "pkgutil.walk_packages")


def stdlib_path(name: str, is_package: bool) -> str:
    """The __file__ a frozen module gets on 3.11+, with <stdlib> for the folder."""
    rel = name.replace(".", SEP)
    if is_package:
        return f"<stdlib>{SEP}{rel}{SEP}__init__.py"
    return f"<stdlib>{SEP}{rel}.py"


def stdlib_dir(name: str) -> str:
    return f"<stdlib>{SEP}{name.replace('.', SEP)}"


class Module:
    """What the linter knows about the module being linted."""

    def __init__(self, name: str, names: list[str] | None, is_package: bool,
                 frozen: dict[str, bool] | None) -> None:
        self.name = name                      # reported; its code's filename is <frozen name>
        self.names = names or [name]
        self.runtime = self.names[0]          # __name__ when imported
        self.is_package = is_package
        self.package = self.runtime if is_package else self.runtime.rpartition(".")[0]
        self.frozen = dict(frozen or {})
        for n in self.names:
            self.frozen.setdefault(n, is_package)
        if self.package:
            self.frozen.setdefault(self.package, True)


class Linter:
    def __init__(self, module: Module, tree: ast.AST) -> None:
        self.m = module
        self.tree = tree
        self.parents: dict[int, ast.AST] = {}
        self.bindings: dict[str, str] = {}
        # (line, code) -> (priority, -column, message): one finding per line and code
        self.found: dict[tuple[int, str], tuple[int, int, str]] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        self._collect_imports()

    # -- names ------------------------------------------------------------------

    def _collect_imports(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bindings[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.bindings[root] = root
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node.module, node.level or 0)
                if base is None:
                    continue
                for alias in node.names:
                    if alias.name != "*":
                        full = base + "." + alias.name if base else alias.name
                        self.bindings[alias.asname or alias.name] = full

    def _absolute(self, module: str | None, level: int) -> str | None:
        if not level:
            return module
        parts = self.m.package.split(".") if self.m.package else []
        if level - 1 > len(parts):
            return None
        base = ".".join(parts[:len(parts) - (level - 1)])
        if module:
            return base + "." + module if base else module
        return base

    def dotted(self, node: ast.expr, bound: bool = False) -> str | None:
        """``a.b.c`` of a Name/Attribute chain, its root resolved through the imports;
        None when it is not such a chain (or, with *bound*, its root is not imported)."""
        attrs = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = self.bindings.get(node.id)
        if root is None:
            if bound:
                return None
            root = node.id
        return ".".join([root] + attrs[::-1])

    def name_ref(self, node: ast.expr) -> str | None:
        """The module named by a string expression: __name__, __package__, a literal."""
        m = self.m
        if isinstance(node, ast.Name):
            if node.id == "__name__":
                return m.runtime
            if node.id == "__package__":
                return m.package or None
        elif isinstance(node, ast.Attribute) and is_name(node.value, "__spec__"):
            if node.attr == "name":
                return m.runtime
            if node.attr == "parent":
                return m.package or None
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in m.frozen:
            return node.value
        return None

    def module_ref(self, node: ast.expr) -> str | None:
        """The frozen module an expression evaluates to, or None."""
        name = self.dotted(node, bound=True)
        if name is not None:
            return name if name in self.m.frozen else None
        if isinstance(node, ast.Subscript) and self.dotted(node.value) == "sys.modules":
            return self.name_ref(subscript_index(node))
        if isinstance(node, ast.Call) and node.args and \
                self.dotted(node.func) in ("importlib.import_module", "sys.modules.get"):
            return self.name_ref(node.args[0])
        return None

    def spec_ref(self, node: ast.expr) -> str | None:
        if is_name(node, "__spec__"):
            return self.m.runtime
        if isinstance(node, ast.Attribute) and node.attr == "__spec__":
            return self.module_ref(node.value)
        if isinstance(node, ast.Call) and node.args and \
                self.dotted(node.func) == "importlib.util.find_spec":
            return self.name_ref(node.args[0])
        return None

    def loader_ref(self, node: ast.expr) -> str | None:
        if is_name(node, "__loader__"):
            return self.m.runtime
        if isinstance(node, ast.Attribute):
            if node.attr == "__loader__":
                return self.module_ref(node.value)
            if node.attr == "loader":
                return self.spec_ref(node.value)
        return None

    def is_package(self, name: str) -> bool:
        return self.m.frozen.get(name, False)

    def subject(self, name: str) -> str:
        return "the module" if name in self.m.names else "module " + name

    # -- reporting ----------------------------------------------------------------

    def report(self, node: ast.expr, code: str, message: str, priority: int = 0) -> None:
        key = (node.lineno, code)
        entry = (priority, -(node.col_offset + 1), message)
        if key not in self.found or entry > self.found[key]:
            self.found[key] = entry

    def findings(self) -> Iterator[tuple[int, int, str, str]]:
        for (line, code), (_, col, message) in sorted(self.found.items()):
            yield line, -col, code, message

    # -- the walk -------------------------------------------------------------------

    def run(self) -> Linter:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name):
                self.visit_name(node)
            elif isinstance(node, ast.Attribute):
                self.visit_attribute(node)
            elif isinstance(node, ast.Subscript):
                self.visit_subscript(node)
            elif isinstance(node, ast.Call):
                self.visit_call(node)
            elif isinstance(node, ast.Compare):
                self.visit_compare(node)
        return self

    def visit_name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id == "__file__":
            self.file_use(node, "__file__", self.m.runtime, " (NameError)")
        elif isinstance(node.ctx, ast.Load) and node.id == "__cached__":
            self.cached_use(node, "__cached__", self.m.runtime, " (NameError)")
        elif node.id == "__path__" and self.m.is_package:
            self.path_use(node, "__path__", self.m.runtime)

    def visit_attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in ("__file__", "__cached__", "__path__"):
            name = self.module_ref(node.value)
            if name is None:
                return
            label = f"{name}.{attr}"
            if attr == "__file__":
                self.file_use(node, label, name, " (AttributeError)")
            elif attr == "__cached__":
                self.cached_use(node, label, name, " (AttributeError)")
            elif self.is_package(name):
                self.path_use(node, label, name)
            return
        if attr in ("origin", "has_location", "cached", "submodule_search_locations"):
            name = self.spec_ref(node.value)
            if name is None:
                return
            label = spec_label(node.value, attr)
            if attr == "origin":
                self.report(node, "FRZ003", f'{label}: {FROZEN_ON} it is "frozen", not a path')
            elif attr == "has_location":
                self.report(node, "FRZ003", f"{label}: {FROZEN_ON} it is False")
            elif attr == "cached":
                self.report(node, "FRZ002", f"{label}: {FROZEN_ON} it is None")
            elif self.is_package(name):
                self.path_use(node, label, name)
            return
        if attr in ("get_filename", "get_data", "get_resource_reader", "get_source"):
            if self.loader_ref(node.value) is None:
                return
            label = f"__loader__.{attr}"
            if attr == "get_source":
                self.report(node, "FRZ006", f"{label}: {FROZEN_ON} it returns None: no source is kept")
            else:
                self.report(node, "FRZ003", f"{label}: {FROZEN_ON} the loader is FrozenImporter, "
                            f"which has no {attr} (AttributeError)")

    def visit_subscript(self, node: ast.Subscript) -> None:
        # globals()["__file__"], vars()["__cached__"]
        if isinstance(node.value, ast.Call):
            func = self.dotted(node.value.func)
            key = subscript_index(node)
            if func in GLOBALS_CALLS and isinstance(key, ast.Constant):
                self.dunder_string(node, key.value, f"{func}()[{key.value!r}]", " (KeyError)")

    def visit_compare(self, node: ast.Compare) -> None:
        # "__file__" in globals()
        if isinstance(node.left, ast.Constant) and len(node.ops) == 1 and \
                isinstance(node.ops[0], (ast.In, ast.NotIn)):
            right = node.comparators[0]
            func = self.dotted(right.func) if isinstance(right, ast.Call) else None
            if func in GLOBALS_CALLS:
                self.dunder_string(node, node.left.value, f"{node.left.value!r} in {func}()", "")

    def dunder_string(self, node: ast.expr, key: object, label: str, error: str,
                      name: str | None = None) -> None:
        name = name or self.m.runtime
        if key == "__file__":
            self.file_use(node, label, name, error)
        elif key == "__cached__":
            self.cached_use(node, label, name, error)
        elif key == "__path__" and self.is_package(name):
            self.path_use(node, label, name)

    def visit_call(self, node: ast.Call) -> None:
        args = node.args
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and args and \
                isinstance(node.func.value, ast.Call) and isinstance(args[0], ast.Constant):
            func = self.dotted(node.func.value.func)       # globals().get("__file__")
            if func in GLOBALS_CALLS:
                self.dunder_string(node, args[0].value, f"{func}().get({args[0].value!r})", "")
            return
        func = self.dotted(node.func)
        if func is None:
            return
        if func in ("getattr", "hasattr"):
            if len(args) >= 2 and isinstance(args[1], ast.Constant):
                target = self.module_ref(args[0])
                if target is not None:
                    error = "" if func == "hasattr" or len(args) > 2 else " (AttributeError)"
                    self.dunder_string(node, args[1].value, f"{func}({target}, {args[1].value!r})",
                                       error, name=target)
        elif func == "pkgutil.extend_path":
            name = self.name_ref(args[1]) if len(args) > 1 else None
            self.extend_path(node, name or self.m.runtime)
        elif func in ("pkgutil.iter_modules", "pkgutil.walk_packages"):
            path = args[0] if args else keyword(node, "path")
            name = self.path_ref(path) if path is not None else None
            if name is not None:
                self.iter_modules(node, func, name)
        elif func == "pkgutil.get_data":
            package = args[0] if args else keyword(node, "package")
            if package is not None and self.name_ref(package) is not None:
                self.report(node, "FRZ005", f"pkgutil.get_data: {FROZEN_ON} it returns None: the "
                            "frozen loader has no get_data")
        elif func.startswith(RESOURCES) and func[len(RESOURCES):] in RESOURCE_FUNCS:
            self.resources(node, func)
        elif func in SOURCE_FUNCS:
            self.source_use(node, func)

    def path_ref(self, node: ast.expr) -> str | None:
        """The frozen package whose __path__ *node* is, or None."""
        if is_name(node, "__path__"):
            return self.m.runtime if self.m.is_package else None
        if isinstance(node, ast.Attribute):
            if node.attr == "__path__":
                name = self.module_ref(node.value)
            elif node.attr == "submodule_search_locations":
                name = self.spec_ref(node.value)
            else:
                return None
            return name if name is not None and self.is_package(name) else None
        return None

    # -- what each use sees -----------------------------------------------------------

    def file_use(self, node: ast.expr, label: str, name: str, error: str) -> None:
        data = self.locates_files(node)
        if INVENTS_LOCATION:
            path = stdlib_path(name, self.is_package(name))
            made_up = f"{label}: {FROZEN_ON} __file__ is {path}, a path made up from the module name"
            if data:
                message = (f"{made_up}, so data files are looked for in {path.rpartition(SEP)[0]}, "
                           "not beside the source")
            else:
                message = f"{made_up}, not the source"
        else:
            message = f"{label}: {FROZEN_ON} {self.subject(name)} has no __file__{error}"
            if data:
                message += ", so data files beside the source cannot be located from it"
        self.report(node, "FRZ001", message, 1 if data else 0)

    def locates_files(self, node: ast.expr) -> bool:
        """Is *node* (a __file__) used to find files beside the module?"""
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            parent = self.parents.get(id(current))
            if parent is None:
                return False
            if isinstance(parent, ast.Call) and current is not parent.func:
                func = parent.func
                last = func.attr if isinstance(func, ast.Attribute) else \
                    func.id if isinstance(func, ast.Name) else None
                if last in DATA_CALLS:
                    return True
            if isinstance(parent, ast.Attribute) and parent.attr in DATA_ATTRS:
                return True
            current = parent
        return False

    def cached_use(self, node: ast.expr, label: str, name: str, error: str) -> None:
        self.report(node, "FRZ002", f"{label}: {FROZEN_ON} {self.subject(name)} has no "
                    f"__cached__{error}")

    def starts_as(self, name: str) -> str:
        if INVENTS_LOCATION:
            return f"__path__ starts as [{stdlib_dir(name)!r}], a folder made up from the package name"
        return "__path__ starts as [], not the package's folder"

    def path_use(self, node: ast.expr, label: str, name: str) -> None:
        parent = self.parents.get(id(node))
        grand = self.parents.get(id(parent)) if parent is not None else None
        if isinstance(parent, (ast.Call, ast.keyword)):
            call = parent if isinstance(parent, ast.Call) else grand
            if isinstance(call, ast.Call) and self.dotted(call.func) in PATH_CALLS:
                return                              # the call's own finding says it
        if isinstance(parent, ast.Attribute) and parent.value is node and \
                parent.attr in PATH_MUTATORS and isinstance(grand, ast.Call) and grand.func is parent:
            self.changes_path(node, f"{label}.{parent.attr}", name)
        elif isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
            self.changes_path(node, label + " =", name)     # also `__path__ += [...]`
        elif isinstance(parent, ast.Subscript) and parent.value is node:
            if not isinstance(parent.ctx, ast.Load):
                self.changes_path(node, label + "[...] =", name)
                return
            if INVENTS_LOCATION:
                what = (f"it holds {stdlib_dir(name)}, a folder made up from the package name, "
                        "not the package's folder")
            else:
                what = "it is [] (IndexError for an item), not the package's folder"
            self.report(node, "FRZ004", f"{label}[...]: {FROZEN_ON} {what}", 1)
        else:
            if INVENTS_LOCATION:
                what = (f"it is [{stdlib_dir(name)!r}], made up from the package name, not the "
                        "package's folder")
            else:
                what = "it is [], not the package's folder"
            self.report(node, "FRZ004", f"{label}: {FROZEN_ON} {what}")

    def changes_path(self, node: ast.expr, label: str, name: str) -> None:
        self.report(node, "FRZ004", f"{label}: {FROZEN_ON} {self.starts_as(name)}: submodules that "
                    "are not frozen are found only in the folders added here", 2)

    def extend_path(self, node: ast.expr, name: str) -> None:
        tail = name.rpartition(".")[2]
        if INVENTS_LOCATION:
            held = (f"__path__ starts as [{stdlib_dir(name)!r}] (made up from the package name), so "
                    f"the result holds it and the {tail} folders found on sys.path")
        else:
            held = f"__path__ starts as [], so the result holds only the {tail} folders found on sys.path"
        self.report(node, "FRZ004", f"pkgutil.extend_path: {FROZEN_ON} {held}, not the package's "
                    "own folder", 3)

    def iter_modules(self, node: ast.expr, func: str, name: str) -> None:
        where = f"[{stdlib_dir(name)!r}], made up from the package name" if INVENTS_LOCATION else "[]"
        self.report(node, "FRZ004", f"{func}: {FROZEN_ON} it finds no submodules: frozen ones are "
                    f"not listed, and __path__ is {where}", 3)

    def resources(self, node: ast.Call, func: str) -> None:
        short = func[len(RESOURCES):]
        if short == "as_file":
            return                               # its argument, files(...), is reported
        anchor = node.args[0] if node.args else keyword(node, "package") or keyword(node, "anchor")
        name: str | None
        if anchor is None:
            # 3.12+: files() with no argument is the calling module's.
            name = self.m.runtime if short == "files" and VERSION >= (3, 12) else None
        else:
            name = self.name_ref(anchor) or self.module_ref(anchor)
        if name is None or (short == "files" and VERSION < (3, 9)):
            return
        self.report(node, "FRZ005", f"{func}: {FROZEN_ON} {resource_outcome(short)}")

    def source_use(self, node: ast.Call, func: str) -> None:
        frozen_name = f"<frozen {self.m.name}>"
        short = func.rpartition(".")[2]
        if func.startswith("linecache."):
            empty = "[]" if short in ("getlines", "updatecache") else "''"
            sees = (f"this module's code has filename {frozen_name!r} and no source: it returns "
                    f"{empty} for it")
        elif short == "getcomments":
            sees = "no source is kept: it returns None"
        elif short in ("getsourcefile", "getfile"):
            module = f"{stdlib_path(self.m.runtime, self.m.is_package)} (made up)"
            sees = (f"it returns {frozen_name!r} for functions and code, and "
                    + (f"{module} for the module or its classes" if INVENTS_LOCATION
                       else "raises TypeError for the module or its classes"))
        elif INVENTS_LOCATION:
            sees = "no source is kept: it raises OSError"
        else:
            sees = "no source is kept: it raises OSError (TypeError for the module itself)"
        self.report(node, "FRZ006", f"{func}: {FROZEN_ON} {sees}")


def resource_outcome(short: str) -> str:
    """What importlib.resources.<short>(the frozen package, ...) does on this version,
    as measured on real frozen packages of CPython 3.8 to 3.15."""
    if short == "is_resource":
        return "the package has no resources: it returns False"
    if short == "contents":
        if VERSION >= (3, 13):       # CompatibilityFiles.SpecPath.joinpath() needs an argument
            return "the package has no resources: it raises TypeError"
        return "the package has no resources: it returns []"
    if VERSION < (3, 9):
        return "the package has no location: it raises FileNotFoundError"
    if VERSION < (3, 10):            # files() is Path(spec.origin).parent: Path("frozen").parent
        if short == "files":
            return "it is Path('.'): resources are read from the current working directory"
        return "resources are read from the current working directory, not beside the source"
    error = "ValueError" if VERSION < (3, 11) else "FileNotFoundError"
    if short == "files":
        return f"the package has no resources: files() is an empty folder, reading from it raises {error}"
    if VERSION < (3, 11) and short != "path":
        error = "FileNotFoundError"
    if short == "read_text" and (3, 13) <= VERSION < (3, 15):
        return ("the package has no resources: it raises TypeError (CPython gh-127012; "
                "FileNotFoundError once fixed)")
    return f"the package has no resources: it raises {error}"


def is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def spec_label(node: ast.expr, attr: str) -> str:
    if isinstance(node, ast.Name):
        return f"{node.id}.{attr}"
    if isinstance(node, ast.Call):
        return f"find_spec(...).{attr}"
    return f"__spec__.{attr}"


def subscript_index(node: ast.Subscript) -> ast.expr:
    index: Any = node.slice
    if type(index).__name__ == "Index":          # 3.8: Subscript(slice=Index(value))
        index = index.value
    return index  # type: ignore[no-any-return]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def ignores(data: bytes) -> dict[int, set[str] | None]:
    """{line: None (every code) or a set of codes} from ``# frore: ignore`` comments."""
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, ValueError):
        comments = {}
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if "#" in line:
                comments[number] = line[line.index("#"):]
    found: dict[int, set[str] | None] = {}
    for number, text in comments.items():
        match = IGNORE.search(text)
        if match is None:
            continue
        if match.group(1) is None:
            found[number] = None
        else:
            found[number] = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
    return found


def lint_module(entry: dict[str, Any], frozen: dict[str, bool]) -> list[Finding]:
    path: str = entry["source"]
    name: str = entry["name"]

    def finding(line: int, col: int, code: str, message: str) -> Finding:
        return {"source": path, "module": name, "line": line, "col": col, "code": code,
                "message": message}

    cannot = f"SyntaxError: Python {VERSION[0]}.{VERSION[1]} cannot compile this module"
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return [finding(1, 1, "FRZ000", f"cannot read this source: {exc.strerror or exc}")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, path)
            compile(tree, path, "exec", 0, True)       # what only the compiler refuses
    except SyntaxError as exc:
        return [finding(exc.lineno or 1, exc.offset or 1, "FRZ000", f"{cannot} ({exc.msg})")]
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        # null bytes or a bad encoding (3.8-3.11 raise ValueError), too deep nesting
        return [finding(1, 1, "FRZ000", f"{cannot} ({type(exc).__name__}: {exc})")]
    module = Module(name, entry.get("names"), bool(entry.get("is_package")), frozen)
    skip = ignores(data)
    out = []
    for line, col, code, message in Linter(module, tree).run().findings():
        if line in skip:
            codes = skip[line]
            if codes is None or code in codes:
                continue
        out.append(finding(line, col, code, message))
    return out


def main() -> int:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    frozen = request.get("frozen") or {}
    findings: list[Finding] = []
    for entry in request["modules"]:
        findings.extend(lint_module(entry, frozen))
    sys.stdout.write(json.dumps(findings))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
