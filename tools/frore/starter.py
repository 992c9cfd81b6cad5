"""``frore init``: a commented starter manifest for the folder it is run in.

The modules it lists are what the folder holds (packages as ``<pkg.**.*>``,
top-level ``.py`` files as modules), so ``frore regen`` accepts the file as
written; everything else is a comment saying what the key does.
"""

from __future__ import annotations

from pathlib import Path

from .errors import FroreError
from .writers import toml

# Files that are tooling, not application modules.
NOT_MODULES = {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "SConstruct", "__init__.py"}

TEMPLATE = """\
# frozen.toml: the Python modules frore freezes into C.  `frore regen` writes the
# headers, the module table and a GNU Make fragment into frozen/; `frore check`
# says whether they are current.  Reference: frore's README, "Manifest reference".

# flavor = "embed"              # the default; "cpython" rewrites a CPython source
#                               # tree's own freeze step instead (docs/cpython.md)
# python = "python3"            # the interpreter whose bytecode is frozen and whose
#                               # libpython you link (default: the one running frore)
search-path = [".", "{{stdlib}}"]  # where modules are found, in order, like sys.path;
#                               # {{stdlib}} is that interpreter's standard library

# [output]
# headers = "frozen"            # folder for the headers, the table and frozen.mk

[[group]]
name = "app"                    # a label, shown in the table and in `frore list`
# optimize = 0                  # 1 or 2: compile as python -O / -OO would
modules = [
{entries}    # "posixpath : os.path",    # one module's code imported under another name
    # "<pkg.*>",                # a package and its direct submodules
]
"""


def entries(folder: Path) -> list[str]:
    """The folder's packages (``<pkg.**.*>``) and top-level modules, sorted."""
    found = []
    for path in sorted(folder.iterdir()):
        name = path.stem if path.suffix == ".py" else path.name
        if not name.isidentifier():           # .git, build-1, __pycache__ has no __init__
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            found.append(f"<{name}.**.*>")
        elif path.is_file() and path.suffix == ".py" and path.name not in NOT_MODULES:
            found.append(name)
    return found


def render(folder: Path) -> str:
    listed = entries(folder)
    lines = "".join(f"    {toml.string(e)},\n" for e in listed)
    if not listed:
        lines = '    # "mymodule",               # a module: mymodule.py, or a package mymodule/\n'
    return TEMPLATE.format(entries=lines)


def write_starter(path: Path) -> Path:
    """Write the starter manifest at *path*; never over an existing file."""
    if path.exists() or path.is_symlink():
        raise FroreError("already exists; frore init never overwrites a manifest "
                         "(edit it, or name another file with -m)", path)
    text = render(path.parent if path.parent != Path("") else Path("."))
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise FroreError(f"cannot write: {exc.strerror}", path) from None
    return path
