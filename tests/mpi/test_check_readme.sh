#!/bin/bash
# test_check_readme.sh - scripts/check_readme.sh (issue 20): the READMEs'
# quoted commands parse, and the check does fail on an unknown option or
# command (a bad document made here).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
bash "$ROOT/scripts/check_readme.sh" "$EXE" || fail "the READMEs quote commands that do not parse"
printf '```\nbin/dsaga-bench run --algorithm saga --no-such-option 3\nbin/dsaga-bench frobnicate x\n```\n' >"$TMP/bad.md"
if bash "$ROOT/scripts/check_readme.sh" "$EXE" "$TMP/bad.md" >"$TMP/out" 2>&1; then
    cat "$TMP/out"; fail "check_readme.sh passed a document with a bad option and command"
fi
grep -q -- "--no-such-option" "$TMP/out" && grep -q frobnicate "$TMP/out" ||
    { cat "$TMP/out"; fail "check_readme.sh did not name both problems"; }
echo "test_check_readme: passed"
