"""The ``frore`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import EXIT_STALE, FroreError, display_path

if TYPE_CHECKING:
    from typing import Callable

# The stages are imported inside the commands that use them: build rules run
# `frore freeze` once per header, and it needs only a few of them.

DESCRIPTION = """\
Declare the Python modules to freeze once, in frozen.toml; frore writes the C
headers that embed their bytecode, the module table, and build rules that keep
them current.
"""

EPILOG = """\
typical use:
  frore init                  write a commented starter frozen.toml here
  frore regen                 write headers, module table and Make fragment
  frore check                 exit 1 (and list them) when outputs are stale
  frore discover -- -m app    the modules a real run imports, as a [[group]]
  frore lint                  what behaves differently once frozen (__file__, ...)
  frore list --json           the resolved modules, for scripts
  make                        with the fragment included: re-freezes what changed

environment:
  FRORE_FROZEN_MODULES=off    at run time, the installed table is skipped and
                              modules import from source (no rebuild needed)

exit status: 0 ok, 1 stale outputs or a source that does not compile,
2 usage or manifest error.  See README.md for the manifest reference.
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-m", "--manifest", default="frozen.toml", metavar="PATH",
                   help="the manifest (default: ./frozen.toml)")
    p.add_argument("--python", metavar="EXE",
                   help="freeze with this interpreter instead of the manifest's `python`")
    p.add_argument("--tree", metavar="DIR",
                   help="flavor = \"cpython\": the CPython source tree (default: the manifest's "
                        "`tree`, else its folder)")


def _jobs(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="parallel freezing processes (default: number of CPUs)")
    p.add_argument("--force", action="store_true",
                   help="recompile every module, ignoring the keys in existing headers")


class _PrintCMakeDir(argparse.Action):
    """``--cmake-dir``: print the CMake package folder (for ``-Dfrore_DIR=``) and exit."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from .backends.cmake import cmake_dir
        print(cmake_dir())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frore", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"frore {__version__}")
    parser.add_argument("--cmake-dir", action=_PrintCMakeDir, nargs=0,
                        help="print the folder of frore's CMake package (find_package(frore)) and exit")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    verbosity.add_argument("-v", "--verbose", action="store_true",
                           help="also say what was left unchanged")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("regen", help="write every output the manifest declares",
                       description="Write every output whose content changed (atomically); "
                                   "leave the rest untouched so their mtimes stay.")
    _common(p)
    _jobs(p)
    p.add_argument("--touch", action="store_true",
                   help="also bump the mtime of unchanged outputs (for build rules)")
    p.add_argument("-q", "--quiet", action="store_true", dest="sub_quiet", help=argparse.SUPPRESS)

    p = sub.add_parser("check", help="exit 1 if any output is stale or missing",
                       description="Compute every output and compare; write nothing.  "
                                   "Exit 0 when current, 1 listing what is stale.")
    _common(p)
    _jobs(p)
    p.add_argument("-q", "--quiet", action="store_true", dest="sub_quiet", help=argparse.SUPPRESS)

    p = sub.add_parser("init", help="write a commented starter frozen.toml here",
                       description="Write a starter manifest for the current folder: its "
                                   "packages and modules in one group, every other key as a "
                                   "comment saying what it does.  Never overwrites a file.")
    p.add_argument("-m", "--manifest", default="frozen.toml", metavar="PATH",
                   help="where to write it (default: ./frozen.toml)")
    p.add_argument("-q", "--quiet", action="store_true", dest="sub_quiet", help=argparse.SUPPRESS)

    p = sub.add_parser("discover", help="run a program and print what it imports, as a group",
                       description="Run the target interpreter with ARGS (e.g. -c 'import app', "
                                   "-m app, script.py --help) and print, in the manifest's "
                                   "grammar, a [[group]] with every pure-Python module the run "
                                   "imported, in import order.  What cannot be frozen (built-in "
                                   "and extension modules, namespace packages, modules without "
                                   "a source file) is reported on stderr with its reason; "
                                   "modules the interpreter already freezes carry a comment.  "
                                   "--write adds or replaces the group in the manifest, leaving "
                                   "every other byte as it was.",
                       usage="frore discover [--python EXE] [--group NAME] [-m PATH [--write]] "
                             "-- ARGS...")
    p.add_argument("-m", "--manifest", metavar="PATH",
                   help="the manifest whose search path names the entries (default: ./frozen.toml "
                        "when it exists); with --write, the file to change")
    p.add_argument("--python", metavar="EXE",
                   help="run this interpreter (default: the manifest's `python`, else frore's)")
    p.add_argument("--group", default="discovered", metavar="NAME",
                   help="the group's name (default: discovered)")
    p.add_argument("--write", action="store_true",
                   help="add the group to the manifest, or replace the group of that name")
    p.add_argument("run_args", nargs=argparse.REMAINDER, metavar="ARGS",
                   help="after --: what to run, as python's command line")

    p = sub.add_parser("lint", help="find uses that behave differently once frozen",
                       description="For every module the manifest declares, report uses that "
                                   "depend on a file-system location (__file__, __cached__, "
                                   "__spec__.origin, __path__ changes, data files beside the "
                                   "module, its own source): one line each, 'path:line: FRZnnn "
                                   "message', worded for the target Python.  Sources are parsed "
                                   "by the target interpreter.  Exit 1 with findings, 0 without. "
                                   "A comment '# frore: ignore' (or '# frore: ignore[FRZ001]') "
                                   "on the line silences it.")
    p.add_argument("-m", "--manifest", default="frozen.toml", metavar="PATH",
                   help="the manifest (default: ./frozen.toml)")
    p.add_argument("--python", metavar="EXE",
                   help="lint for this interpreter instead of the manifest's `python`")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("list", help="show the resolved modules",
                       description="One line per module: name, package flag, alias, group, "
                                   "source and header; --json for scripts.")
    _common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("freeze", help="freeze one module into one header",
                       description="Compile SOURCE as module NAME with the target interpreter "
                                   "and write the header OUTPUT (and, for a module too large for "
                                   "old MSVC's string literals, the array file beside it).  The "
                                   "output's mtime is bumped even when its content is unchanged, "
                                   "as build tools expect.  Build rules run the same freezer "
                                   "directly under the target interpreter (see `frore gen`).")
    p.add_argument("name", metavar="NAME", help="module name compiled into <frozen NAME>")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument("output", metavar="OUTPUT")
    p.add_argument("--python", metavar="EXE", help="target interpreter (default: this one)")
    p.add_argument("--no-touch", action="store_true",
                   help="leave an unchanged output's mtime alone")
    p.add_argument("--optimize", type=int, choices=(0, 1, 2), default=0,
                   help="compile as python -O (1) or -OO (2) would; default 0")
    p.add_argument("--hex", action="store_true",
                   help="NAME, SOURCE, OUTPUT and --python are 'x' + the hex of their UTF-8 "
                        "bytes (for build tools that cannot quote a path: MSBuild)")
    p.add_argument("--root-env", metavar="VAR",
                   help="relative SOURCE and OUTPUT are below the folder named by environment "
                        "variable VAR")
    p = sub.add_parser("gen", help="write one backend's build file (meson, cmake, msbuild, ...) "
                                   "or the module table",
                       description="Render build files for BACKEND from the manifest.  "
                                   "'table' writes the module table (.c and .h).  "
                                   "--headers-dir places generated headers (and the table) "
                                   "elsewhere, e.g. in a build folder.")
    _common(p)
    p.add_argument("backend", metavar="BACKEND", nargs="?",
                   help="one of: cmake, make, meson, msbuild, scons, table")
    p.add_argument("-o", "--output", type=Path, metavar="PATH", help="file to write")
    p.add_argument("--headers-dir", type=Path, metavar="DIR",
                   help="where the headers and table live (default: the manifest's output.headers)")
    p.add_argument("--touch", action="store_true",
                   help="bump the mtime of unchanged outputs (for build rules)")
    p.add_argument("options", nargs="*", metavar="KEY=VALUE", help="backend-specific options")
    p.add_argument("-q", "--quiet", action="store_true", dest="sub_quiet", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse ends `gen`'s KEY=VALUE positionals at the first option; accept
    # them anywhere on the line, and nothing else unknown.
    if extra:
        if args.command == "gen" and all("=" in e and not e.startswith("-") for e in extra):
            args.options += extra
        else:
            parser.error("unrecognized arguments: " + " ".join(extra))
    if getattr(args, "sub_quiet", False):
        args.quiet = True
    try:
        return COMMANDS[args.command](args)
    except FroreError as exc:
        print(f"frore: error: {exc}" if exc.path is None else str(exc) + "", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("frore: interrupted; no output was left half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `frore list | head`: the reader left; say nothing more, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _progress(args: argparse.Namespace) -> Callable[[int, int], None] | None:
    """Progress for long freezes; freeze.py is imported only if something is frozen
    (the cpython flavor never freezes)."""
    if args.quiet:
        return None
    printer: list[Callable[[int, int], None]] = []

    def show(done: int, total: int) -> None:
        if not printer:
            from .freeze import progress_printer
            printer.append(progress_printer())
        printer[0](done, total)
    return show


def cmd_regen(args: argparse.Namespace) -> int:
    from . import pipeline
    resolved = pipeline.load(args.manifest, args.python, args.tree)

    def report(what: str, path: Path) -> None:
        if not args.quiet:
            print(f"frore: {what} {display_path(path)}")

    changed = pipeline.regen(resolved, args.jobs, args.force, args.touch, _progress(args), report)
    if args.verbose and not changed:
        print("frore: every output is up to date")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from . import pipeline
    resolved = pipeline.load(args.manifest, args.python, args.tree)
    problems = pipeline.check(resolved, args.jobs, args.force, _progress(args))
    if not args.quiet:                      # -q: the exit status says it all
        for reason, path in problems:
            print(f"{reason}: {display_path(path)}")
    if problems:
        if not args.quiet:
            print(f"frore: {len(problems)} output(s) out of date; run `frore regen`",
                  file=sys.stderr)
        return EXIT_STALE
    if args.verbose:
        print("frore: every output is up to date")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from . import pipeline
    resolved = pipeline.load(args.manifest, args.python, args.tree, need_interpreter=args.json)
    rows = [{
        "name": m.name,
        "source": str(m.source),
        "is_package": m.is_package,
        "alias_of": m.alias_of,
        "group": m.group,
        "header": str(m.header),
    } for m in resolved.modules]
    if args.json:
        import json
        json.dump({"python": str(resolved.interpreter.executable),
                   "python_version": ".".join(map(str, resolved.interpreter.version)),
                   "modules": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(m.name) for m in resolved.modules), default=4)
    for m in resolved.modules:
        flags = "pkg" if m.is_package else "   "
        alias = f" (alias of {m.alias_of})" if m.alias_of else ""
        print(f"{m.name:<{width}}  {flags}  [{m.group}]  {display_path(m.source)}{alias}"
              f"  -> {display_path(m.header)}")
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    from .interpreter import find_executable, freeze_to_file, timeout_for
    from .outputs import Plan

    _decode_freeze_arguments(args)
    plan = Plan(args.source)
    plan.add(args.output, None, "OUTPUT")
    plan.guard({args.source: "SOURCE"})
    try:
        size = os.path.getsize(args.source)
    except OSError as exc:
        raise FroreError(f"cannot read source: {exc.strerror}", args.source) from None
    # The worker compiles, renders and writes: the same code build rules run.
    command = ["--no-touch"] if args.no_touch else []
    command += ["--optimize", str(args.optimize)] if args.optimize else []
    command += ["--", args.name, str(args.source.absolute()), str(args.output.absolute())]
    return freeze_to_file(find_executable(args.python, Path.cwd()), command, timeout_for(size))


def _decode_freeze_arguments(args: argparse.Namespace) -> None:
    """Apply --hex and --root-env: afterwards args.source and args.output are Paths."""
    def decode(word: str) -> str:
        if not (word.startswith("x") and len(word) % 2 == 1):
            raise FroreError(f"--hex: {word!r} is not 'x' followed by hex digits")
        try:
            return bytes.fromhex(word[1:]).decode("utf-8", "surrogateescape")
        except ValueError:
            raise FroreError(f"--hex: {word!r} is not 'x' followed by hex digits") from None

    if args.hex:
        args.name, args.source, args.output = (decode(w) for w in (args.name, args.source,
                                                                    args.output))
        if args.python:
            args.python = decode(args.python)
    root = Path.cwd()
    if args.root_env:
        value = os.environ.get(args.root_env)
        if not value:
            raise FroreError(f"--root-env {args.root_env}: that variable is not set")
        root = Path(value)
    args.source, args.output = root / args.source, root / args.output


def cmd_gen(args: argparse.Namespace) -> int:
    from . import backends, pipeline
    from .model import relocate
    from .outputs import Plan
    from .write import write_all

    if args.backend is None:
        raise FroreError("gen needs a BACKEND, one of: " + ", ".join(sorted(backends.BACKENDS))
                         + "  (usage: frore gen BACKEND [-o FILE] [KEY=VALUE ...])")
    backend_class = backends.get(args.backend)
    options = dict(o.partition("=")[::2] for o in args.options)
    backend_class.parse_options(options)          # a typo fails before any work
    resolved = pipeline.load(args.manifest, args.python, args.tree, need_interpreter=True)
    if args.headers_dir is not None:
        resolved = relocate(resolved, args.headers_dir.absolute())
    backend = backend_class(resolved, args.output, options)
    plan = Plan(resolved.manifest.path)
    for path, text in backend.files().items():
        role = ("the -o file" if args.output is not None and path == backend.output
                else f"a file of `frore gen {args.backend}`")
        plan.add(path, text, role)
    plan.guard(resolved.inputs())
    for path in write_all(plan.files(), touch=args.touch):
        if not args.quiet:
            print(f"frore: wrote {display_path(path)}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .starter import write_starter
    path = write_starter(Path(args.manifest))
    if not args.quiet:
        print(f"frore: wrote {display_path(path)}; edit its modules, then run `frore regen`")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from .discover import run_discover
    if args.write and args.manifest is None:
        args.manifest = "frozen.toml"
    if args.manifest is None and Path("frozen.toml").is_file():
        args.manifest = "frozen.toml"
    return run_discover(args.python, args.group, args.manifest, args.write, list(args.run_args))


def cmd_lint(args: argparse.Namespace) -> int:
    from .lint import run_lint
    return run_lint(args.manifest, args.python, args.json)


COMMANDS = {"init": cmd_init, "discover": cmd_discover, "lint": cmd_lint, "gen": cmd_gen,
            "regen": cmd_regen, "check": cmd_check, "list": cmd_list, "freeze": cmd_freeze}
