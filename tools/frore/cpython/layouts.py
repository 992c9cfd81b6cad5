"""What each supported CPython version's ``freeze_modules.py`` writes, as data.

The renderers (:mod:`.makefile`, :mod:`.pcbuild`, :mod:`.frozen_c`,
:mod:`.meson`) are shared by every version; a version differs only in the
facts below.  3.11 deep-freezes: ``Tools/scripts/deepfreeze.py`` turns every
header into C code objects, so the Makefile and the ``.vcxproj`` carry a
deep-freeze rule, ``pythoncore.vcxproj`` compiles ``deepfreeze.c``, and
``frozen.c`` declares one ``_Py_get_<id>_toplevel`` per row and includes the
headers only with ``--frozen-modules``.  3.13 has no deep-freeze: ``frozen.c``
always includes the headers and its rows point at their bytes, and the
generator moved to ``Tools/build``.  (3.12 deep-freezes like 3.11 but its
generator lives in ``Tools/build``; no 3.12 tree is reachable to test it, so it
is not listed.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """One CPython version's frozen-module files."""

    version: tuple[int, int]
    script: str                 # the tree's own generator, relative to the tree
    deepfreeze: str | None      # the deep-freeze script the build runs over the headers
    vcxproj_out_dir: str        # the MSBuild property the .vcxproj's OutFile starts with

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the generator rewrites, relative to the tree, in its order."""
        core = ("PCbuild/pythoncore.vcxproj",) if self.deepfreeze else ()
        return ("Makefile.pre.in", "PCbuild/_freeze_module.vcxproj",
                "PCbuild/_freeze_module.vcxproj.filters", *core, "Python/frozen.c")

    def c_name(self, code_name: str) -> str:
        """The C name two sources must not share: deep-freeze's function, else the array."""
        return f"_Py_get_{code_name}_toplevel" if self.deepfreeze else f"_Py_M__{code_name}"

    @property
    def name(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


LAYOUTS = {
    (3, 11): Layout((3, 11), script="Tools/scripts/freeze_modules.py",
                    deepfreeze="Tools/scripts/deepfreeze.py", vcxproj_out_dir="$(PySourcePath)"),
    (3, 13): Layout((3, 13), script="Tools/build/freeze_modules.py",
                    deepfreeze=None, vcxproj_out_dir="$(GeneratedFrozenModulesDir)"),
}


def supported() -> str:
    """'3.11 and 3.13': the versions named in messages and docs."""
    names = [layout.name for layout in LAYOUTS.values()]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
