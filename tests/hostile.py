"""The shared table of hostile strings, for every backend and every writer.

Each string is tried in two places of a test project (tests/drivers.py):

* *inner*: the folders whose paths frore writes into build files (the
  search-path folder and the headers folder).  There frore must either make
  the build work or refuse the string with a manifest error that names the
  character and the build language.
* *outer*: the folders the build tool owns (the project folder, the build
  folder).  Some tools cannot work in such a folder at all, whatever frore
  writes; the build must then fail, cleanly.

Several strings carry a canary: if any tool ever runs the command inside, a
file named PWNED appears, and every test fails.

``inner`` and ``outer`` map a driver-name prefix to what is expected there:
a string of characters (frore refuses one of them), or FAILS (the build fails
on its own).  Drivers not listed must build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CANARY = "PWNED"
FAILS = "fails"

# What each language's writer refuses (tools/frore/writers/*), for the table below.
MAKE_REFUSES = "*?[\n\t"
MESON_REFUSES = "|\\\n\t"
CMAKE_REFUSES = ';#|<>[]:"\\$\n\t'
SCONS_REFUSES = "$`;&|<>()\"'\\*?[\n\t"
MSBUILD_REFUSES = ";%\\*?\n\t"
MSBUILD_SEQUENCES = ("$(", "@(")


@dataclass(frozen=True)
class Hostile:
    id: str
    text: str
    inner: dict[str, str] = field(default_factory=dict)
    outer: dict[str, str] = field(default_factory=dict)

    def expectation(self, driver: str, where: str) -> str:
        """"" (builds), FAILS, or the characters one of which frore must refuse."""
        table = self.inner if where == "inner" else self.outer
        for prefix, expected in table.items():
            if driver.startswith(prefix):
                return expected
        return ""


def _refusals(text: str) -> dict[str, str]:
    """Every language whose writer refuses a character of *text*, with those characters
    (a refusal names one of them; several characters stand for a sequence, e.g. '$(')."""
    found: dict[str, str] = {}
    for prefix, refused in (("make", MAKE_REFUSES), ("meson", MESON_REFUSES),
                            ("cmake", CMAKE_REFUSES), ("scons", SCONS_REFUSES),
                            ("msbuild", MSBUILD_REFUSES)):
        chars = "".join(sorted({c for c in text if c in refused}))
        if chars:
            found[prefix] = chars
    sequences = [s for s in MSBUILD_SEQUENCES if s in text]
    if sequences:
        found["msbuild"] = found.get("msbuild", "") + " " + " ".join(sequences)
    return found


def hostile(id: str, text: str, outer: dict[str, str] | None = None) -> Hostile:
    refusals = _refusals(text)
    # Outside frore's paths: CMake writes every path literal and absolute, so it
    # refuses there too (or CMake fails first); Meson, Make and SCons write
    # paths relative to folders the tool knows, and do not see these names.
    out = {tool: FAILS for tool in ("cmake", "msbuild") if tool in refusals}
    out.update(outer or {})
    return Hostile(id, text, inner=refusals, outer=out)


HOSTILE = [
    hostile("space", "a b"),
    hostile("semicolon-injection", ";touch${IFS}" + CANARY + ";y"),
    hostile("dollar", "my$proj"),
    hostile("dollar-brace-python", 'x${__import__("os").system("touch ' + CANARY + '")}y'),
    hostile("make-shell", "x$(shell touch " + CANARY + ")y"),
    hostile("backtick", "q`touch " + CANARY + "`q"),
    hostile("hash", "a#b"),
    hostile("percent", "a%b"),
    hostile("equals", "a=b"),
    hostile("pipe", "a|b", outer={"meson": FAILS}),
    hostile("colon", "a:b"),
    hostile("ampersand", "a&b"),
    hostile("quotes", "it's \"q\""),
    hostile("backslash", "a\\b", outer={"meson": FAILS}),
    hostile("parens", "a(b)c"),
    hostile("msbuild-expansions", "$(Foo)@(Bar)%(Baz)%41"),
    hostile("unicode", "é日本😀"),
    hostile("star", "a*b"),
    hostile("generator-expression", "a$<1:x>b"),
    hostile("newline", "a\nb", outer={"meson": FAILS}),
    hostile("tab", "a\tb"),
]
