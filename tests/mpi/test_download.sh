#!/bin/bash
# test_download.sh - issue 17: the download path, offline.  A stand-in for
# curl (first on PATH) serves files from a local "origin" folder and logs
# its arguments, so that what the suite asks of curl and what it does with
# the answer are checked without a network:
#   (1) a download whose text does not match the manifest (one label
#       changed) is refused in one line naming both sums, and nothing of it
#       is left in the cache (no file, no .part);
#   (2) the true text is accepted, enters the cache, and is used;
#       curl was asked for https only, redirects included;
#   (3) two ranks starting on an empty cache download it once (the other
#       rank waits on the lock, then finds it) and both run.
. "$(dirname "$0")/lib.sh"
have_a9a || skip "a9a not available to serve as the origin's file"
[ -n "${DSAGA_DATA_MIRROR:-}" ] && [ -f "$DSAGA_DATA_MIRROR/a9a.xz" ] ||
    skip "a9a.xz not in the mirror"

mkdir -p "$TMP/bin" "$TMP/origin"
cat >"$TMP/bin/curl" <<'SH'
#!/bin/sh
# stand-in for curl: --output FILE ... -- URL; serves $FAKE_ORIGIN/basename
echo "$*" >>"$FAKE_LOG"
out=""
prev=""
for a in "$@"; do
    [ "$prev" = "--output" ] && out=$a
    prev=$a
    url=$a
done
src="$FAKE_ORIGIN/${url##*/}"
[ -f "$src" ] || { echo "curl: (22) 404 $url" >&2; exit 22; }
sleep 1 # a download takes time: the other ranks must wait for it
cp "$src" "$out"
SH
chmod +x "$TMP/bin/curl"
xz -dc "$DSAGA_DATA_MIRROR/a9a.xz" >"$TMP/a9a.good"
# one label flipped: same rows, another sha256
awk 'NR == 7 { $1 = ($1 == "+1" ? "-1" : "+1") } { print }' "$TMP/a9a.good" >"$TMP/a9a.bad"
cmp -s "$TMP/a9a.good" "$TMP/a9a.bad" && fail "the bad copy is the good one"

offline() { # CACHE ARGS... : the suite with no mirror and the fake curl
    local cache=$1
    shift
    env -u DSAGA_DATA_MIRROR -u DSAGA_OFFLINE PATH="$TMP/bin:$PATH" FAKE_ORIGIN="$TMP/origin" \
        FAKE_LOG="$TMP/curl.log" DSAGA_CACHE="$cache" "$@"
}

# (1) a bad download
cp "$TMP/a9a.bad" "$TMP/origin/a9a"
: >"$TMP/curl.log"
if offline "$TMP/c1" "$EXE" info a9a >"$TMP/1.out" 2>"$TMP/1.err"; then
    fail "(1) a download with the wrong text was accepted"
fi
grep -q "refused: text sha256 .*, the manifest's is f5d5ffd8" "$TMP/1.err" ||
    { cat "$TMP/1.err" >&2; fail "(1) the refusal does not name both sums"; }
left=$(ls -A "$TMP/c1/data" 2>/dev/null | grep -v '\.lock$' || true)
[ -z "$left" ] || fail "(1) the refused download left $left in the cache"
ok 1 "wrong text refused, cache empty: $(grep -o 'download .*' "$TMP/1.err" | cut -c1-150)"

# (2) the true text
cp "$TMP/a9a.good" "$TMP/origin/a9a"
: >"$TMP/curl.log"
offline "$TMP/c2" "$EXE" info a9a >"$TMP/2.out" 2>"$TMP/2.err" ||
    { cat "$TMP/2.err" >&2; fail "(2) the good download was not accepted"; }
grep -q "32561" "$TMP/2.out" || fail "(2) info does not show a9a's 32561 rows"
cmp -s "$TMP/c2/data/a9a" "$TMP/a9a.good" || fail "(2) the cache does not hold the download"
grep -q -- "--proto =https --proto-redir =https" "$TMP/curl.log" ||
    fail "(2) curl was not restricted to https: $(cat "$TMP/curl.log")"
offline "$TMP/c2" "$EXE" info a9a >/dev/null 2>&1 || fail "(2) the cached copy is not used"
[ "$(wc -l <"$TMP/curl.log")" = 1 ] || fail "(2) downloaded again although cached"
ok 2 "true text accepted and cached, curl called once with --proto =https --proto-redir =https"

# (3) two ranks, an empty cache: one download
: >"$TMP/curl.log"
offline "$TMP/c3" $MPIRUN -q -np 2 -x PATH -x FAKE_ORIGIN -x FAKE_LOG -x DSAGA_CACHE "$EXE" run \
    --algorithm dsaga --dataset a9a --max-epochs 0.5 --quiet --out "$TMP/3.h5" 2>"$TMP/3.err" ||
    { cat "$TMP/3.err" >&2; fail "(3) the two-rank run failed"; }
n=$(wc -l <"$TMP/curl.log")
[ "$n" = 1 ] || fail "(3) $n downloads for two ranks (expected 1)"
ok 3 "two ranks on an empty cache: 1 download, run done"
echo "download test: $checks checks passed"
