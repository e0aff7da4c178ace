#!/bin/bash
# test_check_readme.sh - scripts/check_readme.sh (issue 20): the READMEs'
# quoted commands parse, and the check does fail on an unknown option or
# command (a bad document made here), and on a grid table that miscounts a
# config's cells or omits one.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
bash "$ROOT/scripts/check_readme.sh" "$EXE" || fail "the READMEs quote commands that do not parse"
printf '```\nbin/dsaga-bench run --algorithm saga --no-such-option 3\nbin/dsaga-bench frobnicate x\n```\n' >"$TMP/bad.md"
if bash "$ROOT/scripts/check_readme.sh" "$EXE" "$TMP/bad.md" >"$TMP/out" 2>&1; then
    cat "$TMP/out"; fail "check_readme.sh passed a document with a bad option and command"
fi
grep -q -- "--no-such-option" "$TMP/out" && grep -q frobnicate "$TMP/out" ||
    { cat "$TMP/out"; fail "check_readme.sh did not name both problems"; }
# a folder of grid configs whose README table miscounts one and omits another
mkdir -p "$TMP/grids"
cp "$ROOT/experiments/smoke.ini" "$TMP/grids/a.ini"
cp "$ROOT/experiments/smoke.ini" "$TMP/grids/b.ini"
n=$("$EXE" grid "$TMP/grids/a.ini" --dry-run | grep -Ec '^[0-9]{6} ')
[ "$n" -gt 1 ] || fail "smoke.ini lists $n cells"
printf '| file | what | size |\n|---|---|---|\n| `a.ini` | smoke | %d runs, 2 ranks |\n' $((n + 1)) >"$TMP/grids/README.md"
if bash "$ROOT/scripts/check_readme.sh" "$EXE" "$TMP/grids/README.md" >"$TMP/out" 2>&1; then
    cat "$TMP/out"; fail "check_readme.sh passed a table that miscounts a.ini and omits b.ini"
fi
grep -q "a.ini: says $((n + 1)) runs, grid --dry-run lists $n" "$TMP/out" && grep -q "b.ini has no row" "$TMP/out" ||
    { cat "$TMP/out"; fail "check_readme.sh did not name both table problems"; }
printf '| `b.ini` | smoke | %d runs |\n' "$n" >>"$TMP/grids/README.md"
sed -i "s/| $((n + 1)) runs/| $n runs/" "$TMP/grids/README.md"
bash "$ROOT/scripts/check_readme.sh" "$EXE" "$TMP/grids/README.md" >"$TMP/out" 2>&1 ||
    { cat "$TMP/out"; fail "check_readme.sh refused a table with the right counts"; }
echo "test_check_readme: passed"
