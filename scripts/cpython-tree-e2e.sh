#!/usr/bin/env bash
# End to end: frore as the freeze_modules step of a real CPython tree (3.11 or 3.13).
#
#   scripts/cpython-tree-e2e.sh [VERSION [WORKDIR]]      VERSION: 3.11 (default) or 3.13
#
# 1. extract the upstream tarball into WORKDIR/tree (git-initialised);
# 2. the shipped manifest regenerates nothing (`git status` clean, modes too), check is current;
# 3. add `textwrap` and the package `<json.*>` to the manifest, regen: every place gains them;
# 4. ./configure && make -j2; both import frozen, -X frozen_modules=off imports them
#    from source, and test_frozen, test_importlib and test_cmd_line pass;
# 5. edit Lib/textwrap.py, make: textwrap is frozen again and python relinked; a second
#    make compiles, freezes and links nothing.
# Takes several minutes (the CPython build and its tests).  Not for CI.
#
# Environment: FRORE (how to run frore; default "python3 -m frore"),
# FRORE_CPYTHON_TARBALL (default: the one .ci/run fetches into
# ${XDG_CACHE_HOME:-~/.cache}/frore: Debian's `apt-get source --download-only
# python3.11` on bookworm, `python3.13` on trixie).  WORKDIR defaults to a new
# temporary folder.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${1:-3.11}
FRORE=${FRORE:-python3 -m frore}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/frore
case "$VERSION" in
    3.11) pattern="python3.11_3.11.*.orig.tar.*" ;;
    3.13) pattern="python3.13_3.13.*.orig.tar.*" ;;
    *) printf 'usage: %s [3.11|3.13 [WORKDIR]]\n' "$0" >&2; exit 2 ;;
esac
TARBALL=${FRORE_CPYTHON_TARBALL:-$(compgen -G "$CACHE/$pattern" | grep -v '\.asc$' | sort | tail -n1 || true)}
WORK=${2:-$(mktemp -d)}
TREE=$WORK/tree
MANIFEST=$REPO/examples/cpython-$VERSION/frozen.toml

step() { printf '\n=== %s\n' "$*"; }
# The tree's build and tests run without the caller's PYTHON* variables (its test
# suite checks defaults, e.g. test_cmd_line fails under PYTHONUNBUFFERED=1); frore
# keeps them, in case FRORE relies on PYTHONPATH.
plain() { env $(compgen -e | grep '^PYTHON' | sed 's/^/-u /') "$@"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ -n "$TARBALL" ] && [ -f "$TARBALL" ] ||
    fail "no CPython $VERSION tarball ($CACHE/$pattern; apt-get source --download-only python$VERSION)"

step "extract $TARBALL into $TREE"
rm -rf "$TREE"
mkdir -p "$TREE"
tar -xf "$TARBALL" -C "$TREE" --strip-components=1 --no-same-owner
cd "$TREE"
git init -q
git add -A
git -c user.name=e2e -c user.email=e2e@localhost commit -qm pristine

step "pristine tree: frore regen with the shipped manifest"
$FRORE regen -m "$MANIFEST" --tree "$TREE"
changed=$(git status --porcelain)
[ -z "$changed" ] || fail "regen changed the pristine tree: $changed"
echo "git status --porcelain: (empty) -- regen changed no file and no mode"
$FRORE -v check -m "$MANIFEST" --tree "$TREE"

step "add textwrap and <json.*> to the manifest (copied into the tree) and regen"
cp "$MANIFEST" frozen.toml
printf '\n[[group]]\nname = "stdlib - added by the e2e test"\nmodules = ["textwrap", "<json.*>"]\n' >> frozen.toml
if $FRORE -q check; then fail "check did not notice the new modules"; fi
$FRORE regen
git diff --stat
for f in Makefile.pre.in Python/frozen.c PCbuild/_freeze_module.vcxproj PCbuild/_freeze_module.vcxproj.filters; do
    git diff "$f" | grep -q '^+.*textwrap' || fail "$f does not mention textwrap"
    git diff "$f" | grep -q '^+.*json.decoder' || fail "$f does not mention json.decoder"
done
$FRORE -v check

step "./configure && make -j2 (log: $WORK/build.log)"
plain ./configure >"$WORK/build.log" 2>&1
plain make -j2 >>"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "make failed"; }

step "textwrap and the json package are frozen"
probe='import _imp, textwrap, json, json.decoder
for m in (textwrap, json, json.decoder):
    print(m.__name__, _imp.is_frozen(m.__name__), m.__spec__.origin, getattr(m, "__path__", ""))'
out=$(plain ./python -c "$probe")
echo "$out"
[ "$(echo "$out" | awk '{print $2}' | sort -u)" = "True" ] || fail "not every module is frozen"

step "-X frozen_modules=off imports them from source"
out=$(plain ./python -X frozen_modules=off -c "$probe")
echo "$out"
[ "$(echo "$out" | awk '{print $2}' | sort -u)" = "False" ] || fail "a module is still frozen"
echo "$out" | grep -q "^textwrap False .*/Lib/textwrap.py" || fail "textwrap not from Lib"
echo "$out" | grep -q "^json False .*/Lib/json/__init__.py" || fail "json not from Lib"

step "./python -m test test_frozen test_importlib test_cmd_line"
plain ./python -m test -j2 test_frozen test_importlib test_cmd_line 2>&1 | tail -15
test "${PIPESTATUS[0]}" -eq 0 || fail "the test suite failed"

step "edit Lib/textwrap.py, make: re-frozen and relinked"
echo "# edited by the e2e test" >> Lib/textwrap.py
plain make -j2 >"$WORK/edit.log" 2>&1 || { tail -40 "$WORK/edit.log"; fail "make after the edit failed"; }
grep -E "_freeze_module.* textwrap " "$WORK/edit.log" || fail "textwrap was not re-frozen"
grep -E -- "-o python( |$)" "$WORK/edit.log" || fail "python was not relinked"
if grep -E "_freeze_module.* (abc|json|codecs) " "$WORK/edit.log"; then fail "other modules re-frozen"; fi
plain ./python -c "import textwrap, _imp; assert _imp.is_frozen('textwrap')" || fail "textwrap lost"

step "a second make does nothing"
plain make -j2 >"$WORK/again.log" 2>&1 || { tail -40 "$WORK/again.log"; fail "second make failed"; }
if grep -E "_freeze_module|(^| )(gcc|cc|clang) " "$WORK/again.log"; then
    fail "the second make froze or compiled something"
fi
echo "second make: nothing frozen, compiled or linked ($(wc -l <"$WORK/again.log") lines of output)"

step "e2e: all checks passed"
