#!/usr/bin/env bash
# End to end: frore as the freeze_modules step of a real CPython 3.11.2 tree.
#
#   scripts/cpython-tree-e2e.sh [WORKDIR]
#
# 1. extract the upstream tarball into WORKDIR/Python-3.11.2 (git-initialised);
# 2. the shipped manifest regenerates nothing (`git diff --stat` empty), check is current;
# 3. add `textwrap` to the manifest, regen: every place gains it at once;
# 4. ./configure && make -j2, then textwrap is frozen, -X frozen_modules=off
#    imports it from source, and test_frozen + test_importlib pass.
# Takes several minutes (the CPython build).  Not for CI.
#
# Environment: FRORE (how to run frore; default "python3 -m frore"),
# FRORE_CPYTHON_TARBALL (default: the one .ci/run fetches into
# ${XDG_CACHE_HOME:-~/.cache}/frore; `apt-get source --download-only python3.11`
# on Debian bookworm fetches it too).  WORKDIR defaults to a new temporary folder.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FRORE=${FRORE:-python3 -m frore}
TARBALL=${FRORE_CPYTHON_TARBALL:-${XDG_CACHE_HOME:-$HOME/.cache}/frore/python3.11_3.11.2.orig.tar.gz}
WORK=${1:-$(mktemp -d)}
TREE=$WORK/Python-3.11.2
MANIFEST=$REPO/examples/cpython-3.11/frozen.toml

step() { printf '\n=== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ -f "$TARBALL" ] || fail "no tarball at $TARBALL (apt-get source --download-only python3.11)"

step "extract $TARBALL into $TREE"
rm -rf "$TREE"
mkdir -p "$WORK"
tar -xzf "$TARBALL" -C "$WORK" --no-same-owner
cd "$TREE"
git init -q
git add -A
git -c user.name=e2e -c user.email=e2e@localhost commit -qm pristine

step "pristine tree: frore regen with the shipped manifest"
$FRORE regen -m "$MANIFEST" --tree "$TREE"
changed=$(git diff --stat)
[ -z "$changed" ] || fail "regen changed the pristine tree: $changed"
echo "git diff --stat: (empty) -- regen changed nothing"
$FRORE -v check -m "$MANIFEST" --tree "$TREE"

step "add textwrap to the manifest (copied into the tree) and regen"
cp "$MANIFEST" frozen.toml
printf '\n[[group]]\nname = "stdlib - added by the e2e test"\nmodules = ["textwrap"]\n' >> frozen.toml
if $FRORE -q check; then fail "check did not notice the new module"; fi
$FRORE regen
git diff --stat
for f in Makefile.pre.in Python/frozen.c PCbuild/_freeze_module.vcxproj PCbuild/_freeze_module.vcxproj.filters; do
    git diff "$f" | grep -q '^+.*textwrap' || fail "$f does not mention textwrap"
done
$FRORE -v check

step "./configure && make -j2 (log: $WORK/build.log)"
./configure >"$WORK/build.log" 2>&1
make -j2 >>"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "make failed"; }
grep -c 'textwrap' Python/deepfreeze/deepfreeze.c | sed 's/^/deepfreeze.c lines naming textwrap: /'

step "textwrap is frozen"
out=$(./python -c "import textwrap, _imp; print(_imp.is_frozen('textwrap'))")
echo "./python -c \"import textwrap, _imp; print(_imp.is_frozen('textwrap'))\" -> $out"
[ "$out" = "True" ] || fail "textwrap is not frozen"
./python -c "import textwrap; print('textwrap origin:', textwrap.__spec__.origin)"

step "-X frozen_modules=off imports it from source"
out=$(./python -X frozen_modules=off -c "import textwrap, _imp; print(_imp.is_frozen('textwrap'), textwrap.__spec__.origin)")
echo "-X frozen_modules=off -> $out"
case "$out" in "False "*/Lib/textwrap.py) ;; *) fail "expected a source import, got: $out" ;; esac

step "./python -m test test_frozen test_importlib"
./python -m test -j2 test_frozen test_importlib 2>&1 | tail -15
test "${PIPESTATUS[0]}" -eq 0 || fail "the test suite failed"

step "e2e: all checks passed"
