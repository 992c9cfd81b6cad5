"""Render C text: one header per frozen source, and the embedder's module table.

The table layout follows ``struct _frozen`` of the target Python.  Each layout
is a small class; a new Python version with a new struct is a subclass that
overrides ``entry`` (the shape Meson uses for its Visual Studio backends).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FroreError
from .header import GENERATED_MARK, symbol, version_guard
from .paths import posix_relpath
from .writers import Unwritable
from .writers import c as cwriter

if TYPE_CHECKING:
    from .model import FrozenModule, Resolved

DISABLE_ENV = "FRORE_FROZEN_MODULES"          # run-time switch: on, off or auto
ROOT_ENV = "FRORE_SOURCE_ROOT"                 # run time, for auto: where the modules are
DEFAULT_MACRO = "FRORE_FROZEN_MODULES_DEFAULT"  # build time: on, off or auto (a bare word)
BUILD_SWITCH = "FRORE_DISABLE_FROZEN_MODULES"  # compile-time switch: -D... embeds nothing


class TableLayout:
    """``struct _frozen`` of Python 3.8-3.10: name, code, size (negative for packages).

    The table is filled in at run time, when it is installed: the data lives in
    the parts (other translation units), and a size from another unit is not a
    constant C can put in a static initializer.
    """

    def fill(self) -> list[str]:
        """Statements setting ``m`` (a ``struct _frozen``) from ``e`` (an entry)."""
        return ["m->size = e->is_package ? -e->blob->size : e->blob->size;"]


class TableLayout311(TableLayout):
    """3.11-3.12 add ``is_package`` and ``get_code`` (NULL, from calloc: use the bytes)."""

    def fill(self) -> list[str]:
        return ["m->size = e->blob->size;", "m->is_package = e->is_package;"]


class TableLayout313(TableLayout311):
    """3.13 dropped ``get_code``; the fields frore fills are 3.11's."""


def layout_for(minor: tuple[int, int]) -> TableLayout:
    if minor >= (3, 13):
        return TableLayout313()
    if minor >= (3, 11):
        return TableLayout311()
    return TableLayout()


# The compiled data is split into parts, one C file each, so that editing one
# module recompiles one small part, not every module's bytes.  A module's part
# follows from its name alone (a hash into a fixed number of buckets; only
# non-empty ones are written), so adding or removing a module touches its part
# and the table, never the others.  Build rules freeze a part's headers in one
# process, so a first build costs a process per part, not per module.
PARTS = 16


def part_of(source_id: str) -> int:
    digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % PARTS


def parts(resolved: Resolved) -> dict[int, list[FrozenModule]]:
    """Non-empty parts by number, each with its units in table order."""
    found: dict[int, list[FrozenModule]] = {}
    for unit in resolved.units():
        found.setdefault(part_of(unit.source_id), []).append(unit)
    return dict(sorted(found.items()))


def part_path(resolved: Resolved, number: int) -> Path:
    table = resolved.manifest.outputs.table
    return table.with_name(f"{table.stem}_{number:02d}.c")


def part_symbol(number: int) -> str:
    return f"frore_part_{number:02d}"


BLOB_STRUCT = "struct frore_blob { const unsigned char *code; int size; };"


def _include(header: Path, table_dir: Path) -> str:
    return cwriter.include(posix_relpath(header, table_dir))


def check_includes(resolved: Resolved) -> None:
    """Every ``#include`` the table needs must be writable in C: refused at the
    manifest line that chose the folders, before anything is compiled."""
    outputs = resolved.manifest.outputs
    table_dir = outputs.table.parent
    for header in [outputs.table_header] + [u.header for u in resolved.units()]:
        try:
            _include(header, table_dir)
        except Unwritable as exc:
            key = "table" if header == outputs.table_header else "headers"
            raise FroreError(f"output.{key}: the module table cannot #include {exc.text!r}: "
                             f"{exc.char!r} {exc.reason} (C)", resolved.manifest.path,
                             outputs.lines.get(key, 0)) from None


def render_table_h(resolved: Resolved) -> str:
    guard = "FRORE_" + cwriter.identifier(resolved.manifest.outputs.table_header.name).upper() + "_"
    return "\n".join([
        cwriter.comment(f"{GENERATED_MARK}: module table interface. Do not edit."),
        f"#ifndef {guard}",
        f"#define {guard}",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "/* Point PyImport_FrozenModules at this table, ahead of the entries the",
        "   interpreter already has.  Call before Py_Initialize().  Returns 0 when",
        f"   installed, 1 when skipped because {DISABLE_ENV}=off is set in the",
        f"   environment (or -D{DEFAULT_MACRO}=off at build time) or the table was",
        f"   compiled with -D{BUILD_SWITCH}, -1 when out of memory.  Calling it",
        "   again does nothing.  The same as frore_install_frozen_modules_at(NULL). */",
        "int frore_install_frozen_modules(void);",
        "",
        f"/* The same; in auto mode ({DISABLE_ENV}=auto, or -D{DEFAULT_MACRO}=auto),",
        "   a project module whose source in source_root (the folder holding the",
        f"   project's modules, e.g. app/greet.py; when NULL, ${ROOT_ENV}) is newer",
        "   than the running program is left out, with its top-level package, so it",
        "   imports from source (put that folder on sys.path); the others stay",
        "   frozen.  Modules from elsewhere (the standard library) always stay. */",
        "int frore_install_frozen_modules_at(const char *source_root);",
        "",
        "/* \"on\", \"off\" or \"auto\": the mode the install used (the environment",
        f"   variable, else the build-time default; \"none\" when built with -D{BUILD_SWITCH});",
        "   and how many modules auto mode left out. */",
        "const char *frore_frozen_modules_mode(void);",
        "int frore_frozen_modules_left_out(void);",
        "",
        "/* Number of modules in the table (aliases included), and their names:",
        "   handy for reporting, and available whether or not the table is installed. */",
        "extern const int frore_frozen_module_count;",
        "const char *frore_frozen_module_name(int index);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        f"#endif /* {guard} */",
        "",
    ])


def render_part(resolved: Resolved, number: int, units: list[FrozenModule]) -> str:
    """One part: the headers of its modules, and an array of (code, size) for the table."""
    minor = resolved.interpreter.minor
    table = resolved.manifest.outputs.table
    path = part_path(resolved, number)
    sym = part_symbol(number)
    lines = [
        cwriter.comment(f"{GENERATED_MARK}: frozen data, part {number} of the module table "
                        f"{table.name}, for Python {minor[0]}.{minor[1]}. Do not edit."),
        "#include <patchlevel.h>",
        *version_guard(path.name, minor),
        "",
        f"#ifdef {BUILD_SWITCH}",
        f"typedef int {sym}_is_empty;   /* ISO C wants a declaration in every file */",
        "#else",
        *[_include(u.header, path.parent) for u in units],
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        BLOB_STRUCT,
        f"extern const struct frore_blob {sym}[];",
        f"const struct frore_blob {sym}[] = {{",
        *[f"    {{{symbol(u.source_id)}, (int)sizeof({symbol(u.source_id)}) - 1}}," for u in units],
        "};",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        f"#endif /* {BUILD_SWITCH} */",
        "",
    ]
    return "\n".join(lines)


def _project_source(resolved: Resolved, module: FrozenModule) -> str | None:
    """Where auto mode looks for the module's source, relative to the folder that holds
    the project's modules (a search-path folder below the manifest's): the path its
    code's module name gives (``app/greet.py``, ``app/__init__.py``), so the table
    does not depend on folder names.  None for sources from elsewhere (the standard
    library, an explicit file elsewhere): auto mode never checks those."""
    parts = module.source_id.split(".")
    rel = "/".join(parts) + ("/__init__.py" if module.source.name == "__init__.py" else ".py")
    source = module.source.as_posix()
    if not source.endswith("/" + rel):
        return None
    folder = Path(source[:-len(rel) - 1])
    root = resolved.manifest.root
    return rel if folder == root or root in folder.parents else None


def render_table_c(resolved: Resolved) -> str:
    outputs = resolved.manifest.outputs
    table_dir = outputs.table.parent
    minor = resolved.interpreter.minor
    layout = layout_for(minor)
    by_part = parts(resolved)
    where = {u.source_id: (number, index) for number, units in by_part.items()
             for index, u in enumerate(units)}
    lines = [
        cwriter.comment(f"{GENERATED_MARK}: module table for Python {minor[0]}.{minor[1]}, "
                        f"{len(resolved.modules)} modules. Do not edit."),
        "#include <Python.h>",
        "#include <ctype.h>",
        "#include <stdlib.h>",
        "#include <string.h>",
        "#include <sys/stat.h>",
        "",
        *version_guard(outputs.table.name, minor),
        "",
        _include(outputs.table_header, table_dir),
    ]
    lines += ["", "static const char *const frore_names[] = {"]
    lines += [f"    {cwriter.string(m.name)}," for m in resolved.modules]
    lines += [
        "    NULL",
        "};",
        "",
        f"const int frore_frozen_module_count = {len(resolved.modules)};",
        "",
        "const char *frore_frozen_module_name(int index)",
        "{",
        "    if (index < 0 || index >= frore_frozen_module_count)",
        "        return NULL;",
        "    return frore_names[index];",
        "}",
        "",
        f"#ifdef {BUILD_SWITCH}",
        "/* Built with freezing switched off: nothing is embedded and every module",
        "   imports from source, as if the table were disabled at run time. */",
        "int frore_install_frozen_modules_at(const char *source_root)",
        "{",
        "    (void)source_root;",
        "    return 1;",
        "}",
        "",
        "int frore_install_frozen_modules(void)",
        "{",
        "    return 1;",
        "}",
        "",
        "const char *frore_frozen_modules_mode(void)",
        "{",
        '    return "none";',
        "}",
        "",
        "int frore_frozen_modules_left_out(void)",
        "{",
        "    return 0;",
        "}",
        "#else",
        "",
        cwriter.comment(f"The data: one array of (code, size) in each part, "
                        f"{part_path(resolved, 0).name[:-5]}NN.c."),
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        BLOB_STRUCT,
        *[f"extern const struct frore_blob {part_symbol(n)}[];" for n in by_part],
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        "/* source: below the manifest's folder, for auto mode (NULL: from elsewhere) */",
        "struct frore_entry {",
        "    const char *name;",
        "    const struct frore_blob *blob;",
        "    int is_package;",
        "    const char *source;",
        "};",
        "",
        "static const struct frore_entry frore_entries[] = {",
    ]
    group = None
    for module in resolved.modules:
        if module.group != group:
            group = module.group
            lines.append("    " + cwriter.comment(f"group {group}"))
        number, index = where[module.source_id]
        source = _project_source(resolved, module)
        lines.append(f"    {{{cwriter.string(module.name)}, &{part_symbol(number)}[{index}], "
                     f"{int(module.is_package)}, "
                     f"{'NULL' if source is None else cwriter.string(source)}}},")
    lines += [
        "    {NULL, NULL, 0, NULL} /* sentinel */",
        "};",
        "",
        "/* Whether v is word (lower case), in any case: OFF, Off and off all switch off. */",
        "static int frore_is(const char *v, const char *word)",
        "{",
        "    while (*v != '\\0' && tolower((unsigned char)*v) == *word) {",
        "        v++;",
        "        word++;",
        "    }",
        "    return *v == '\\0' && *word == '\\0';",
        "}",
        "",
        "#ifndef " + DEFAULT_MACRO,
        "#define " + DEFAULT_MACRO + " on",
        "#endif",
        "#define FRORE_STR_(x) #x",
        "#define FRORE_STR(x) FRORE_STR_(x)",
        "",
        'static const char *frore_mode = "on";',
        "static int frore_left = 0;",
        "",
        "/* \"on\", \"off\" or \"auto\" for a switch value; NULL for anything else. */",
        "static const char *frore_mode_of(const char *v)",
        "{",
        '    if (frore_is(v, "off") || frore_is(v, "0") || frore_is(v, "no") || frore_is(v, "false"))',
        '        return "off";',
        '    if (frore_is(v, "auto"))',
        '        return "auto";',
        '    if (frore_is(v, "on") || frore_is(v, "1") || frore_is(v, "yes") || frore_is(v, "true"))',
        '        return "on";',
        "    return NULL;",
        "}",
        "",
        "/* The environment variable wins over the build-time default. */",
        "static const char *frore_choose_mode(void)",
        "{",
        f'    const char *v = getenv("{DISABLE_ENV}");',
        "    const char *mode = v != NULL ? frore_mode_of(v) : NULL;",
        "    if (mode == NULL)",
        f"        mode = frore_mode_of(FRORE_STR({DEFAULT_MACRO}));",
        '    return mode != NULL ? mode : "on";',
        "}",
        "",
        "/* The running program's modification time (its last link): a source newer",
        "   than that was edited after the build.  0 when it cannot be known here",
        "   (outside Linux): then every project source counts as changed. */",
        "static int frore_program_time(struct stat *program)",
        "{",
        "#if defined(__linux__)",
        '    return stat("/proc/self/exe", program) == 0;',
        "#else",
        "    (void)program;",
        "    return 0;",
        "#endif",
        "}",
        "",
        "static int frore_newer(const struct stat *a, const struct stat *b)",
        "{",
        "#if defined(__linux__)",
        "    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)",
        "        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;",
        "    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;",
        "#else",
        "    return a->st_mtime > b->st_mtime;",
        "#endif",
        "}",
        "",
        "/* Auto mode: whether e's source (below root) changed since the program was built. */",
        "static int frore_changed(const struct frore_entry *e, const char *root, int known,",
        "                         const struct stat *program)",
        "{",
        "    struct stat st;",
        "    size_t n;",
        "    char *path;",
        "    int newer;",
        "    if (e->source == NULL || root == NULL || root[0] == '\\0')",
        "        return 0;",
        "    if (!known)",
        "        return 1;",
        "    n = strlen(root);",
        "    path = (char *)malloc(n + strlen(e->source) + 2);",
        "    if (path == NULL)",
        "        return 0;",
        "    memcpy(path, root, n);",
        "    path[n] = '/';",
        "    strcpy(path + n + 1, e->source);",
        "    newer = stat(path, &st) != 0 || frore_newer(&st, program);",
        "    free(path);",
        "    return newer;",
        "}",
        "",
        "/* Whether a and b share their top-level package (\"app\" for \"app.greet\"). */",
        "static int frore_same_top(const char *a, const char *b)",
        "{",
        "    size_t n = strcspn(a, \".\");",
        "    return strncmp(a, b, n) == 0 && (b[n] == '\\0' || b[n] == '.');",
        "}",
        "",
        "const char *frore_frozen_modules_mode(void)",
        "{",
        "    return frore_mode;",
        "}",
        "",
        "int frore_frozen_modules_left_out(void)",
        "{",
        "    return frore_left;",
        "}",
        "",
        "int frore_install_frozen_modules_at(const char *source_root)",
        "{",
        "    static int installed = 0;",
        "    const struct _frozen *old = PyImport_FrozenModules;",
        f"    size_t ours = {len(resolved.modules)};",
        "    size_t theirs = 0, i, j, kept = 0;",
        "    struct _frozen *merged;",
        "    struct stat program;",
        "    int known = 0;",
        "    char *leave = NULL;",
        "    if (installed)",
        "        return 0;",
        "    frore_mode = frore_choose_mode();",
        '    if (strcmp(frore_mode, "off") == 0)',
        "        return 1;",
        '    if (strcmp(frore_mode, "auto") == 0) {',
        "        if (source_root == NULL)",
        f'            source_root = getenv("{ROOT_ENV}");',
        "        known = frore_program_time(&program);",
        "    }",
        "    /* Keep what the interpreter had: on 3.8-3.10 it holds importlib's own",
        "       bootstrap modules, without which Py_Initialize fails. */",
        "    while (old != NULL && old[theirs].name != NULL)",
        "        theirs++;",
        "    merged = (struct _frozen *)calloc(ours + theirs + 1, sizeof(*merged));",
        "    if (merged == NULL)",
        "        return -1;",
        "    /* Auto: leave out each changed module, and with it every module of its",
        "       top-level package, so the package imports from source with a real",
        "       __path__ (a frozen package's __path__ finds no source submodule). */",
        '    if (strcmp(frore_mode, "auto") == 0) {',
        "        leave = (char *)calloc(ours + 1, 1);",
        "        if (leave == NULL) {",
        "            free(merged);",
        "            return -1;",
        "        }",
        "        for (i = 0; i < ours; i++) {",
        "            if (!frore_changed(&frore_entries[i], source_root, known, &program))",
        "                continue;",
        "            for (j = 0; j < ours; j++)",
        "                if (frore_same_top(frore_entries[i].name, frore_entries[j].name))",
        "                    leave[j] = 1;",
        "        }",
        "    }",
        "    for (i = 0; i < ours; i++) {",
        "        const struct frore_entry *e = &frore_entries[i];",
        "        struct _frozen *m = &merged[kept];",
        "        if (leave != NULL && leave[i]) {",
        "            frore_left++;",
        "            continue;",
        "        }",
        "        kept++;",
        "        m->name = e->name;",
        "        m->code = e->blob->code;",
        *["        " + statement for statement in layout.fill()],
        "    }",
        "    free(leave);",
        "    if (theirs)",
        "        memcpy(merged + kept, old, theirs * sizeof(*merged));",
        "    PyImport_FrozenModules = merged;",
        "    installed = 1;",
        "    return 0;",
        "}",
        "",
        "int frore_install_frozen_modules(void)",
        "{",
        "    return frore_install_frozen_modules_at(NULL);",
        "}",
        f"#endif /* {BUILD_SWITCH} */",
        "",
    ]
    return "\n".join(lines)


def table_files(resolved: Resolved) -> dict[Path, str]:
    """The module table's header, its parts and its C file, keyed by path, in write order."""
    outputs = resolved.manifest.outputs
    files = {outputs.table_header: render_table_h(resolved)}
    for number, units in parts(resolved).items():
        files[part_path(resolved, number)] = render_part(resolved, number, units)
    files[outputs.table] = render_table_c(resolved)
    return files
