#!/bin/bash
# test_report.sh - `dsaga-bench report` in a real browser (issue 20): a small
# grid under mpirun -np 2 (every method, two seeds, a period, a split and a
# step sweep), its report page, then Debian's headless Chromium:
#   - loads the page and takes a screenshot (a PNG, not blank);
#   - dumps the DOM after the page's own script has counted its images:
#     every <img> decoded (naturalWidth > 0), as many as figures made;
#   - loads page.html#algorithm=saga: the run filter shows exactly the saga
#     runs; #dataset=... exactly that data set's.
# The page must be self-contained: no src/href to anything but data: URIs
# and in-page anchors.  Bad input: status 2, one line; so are a directory
# for RESULTS.h5, a --out that is not a directory, and a damaged or foreign
# HDF5 file (no /runs, a run without epoch, subopt or status, series of
# unequal lengths or of strings), named with the run and the item.
# REPORT_SCREENSHOT=FILE keeps the screenshot.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (scripts/deps.sh test installs it)"
"$PYTHON" -c 'import pandas, matplotlib' 2>/dev/null || skip "python3-pandas/matplotlib missing"
chrome() { # headless, offline, throw-away profile; the page's scripts get 5 s
    local prof
    prof=$(mktemp -d "$TMP/prof.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" --hide-scrollbars --virtual-time-budget=5000 "$@" 2>>"$TMP/chrome.err"
}

cat >"$TMP/rep.ini" <<'INI'
[grid]
datasets   = synth-dense:n=400,d=20,cond=10,seed=1
             synth-sparse:n=600,d=300,nnz=10,seed=2
algorithms = saga dsaga dsaga:k dsaga:steps sgd local-sgd gd
nodes      = 2
seeds      = 1..2
max_epochs = 6
[dsaga]
period     = 10 0.5n
partition  = random label
[dsaga:k]
nodes      = 1
period     = 0.5n
[dsaga:steps]
period     = 0.5n
step_scale = 0.5 2
aggregate  = mean sum
[local-sgd]
period     = 0.5n
partition  = random label
[sgd]
batch      = 8
INI
(cd "$TMP" && mpirun_np 2 grid rep.ini --quiet) >"$TMP/grid.log" 2>&1 ||
    { cat "$TMP/grid.log"; fail "the grid failed"; }
H5=$TMP/results/rep.h5
"$EXE" report "$H5" --out "$TMP/page" >"$TMP/report.out" 2>"$TMP/report.err" ||
    { cat "$TMP/report.err"; fail "report failed"; }
PAGE=$TMP/page/rep.html
[ "$(cat "$TMP/report.out")" = "$PAGE" ] || fail "report printed \"$(cat "$TMP/report.out")\", not $PAGE"
[ -s "$PAGE" ] || fail "no page"
echo "ok: report wrote $PAGE ($(wc -c <"$PAGE") bytes)"

# self-contained: every src/href (any quoting) and every CSS url() is a
# data: URI or an in-page anchor
bad=$("$PYTHON" - "$PAGE" <<'PY'
import re, sys
from html.parser import HTMLParser
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "srcset", "poster", "data") and v is not None \
                    and not v.strip().startswith(("data:", "#")):
                bad.append("%s %s=%s" % (tag, k, v[:60]))
text = open(sys.argv[1], encoding="utf-8").read()
P().feed(text)
bad += ["url(%s)" % u[:60] for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", text)
        if not u.startswith(("data:", "#"))]
print("; ".join(bad[:3]))
PY
) || fail "cannot parse the page"
[ -z "$bad" ] || fail "the page refers outside itself: $bad"
n_fig=$(grep -o '<img ' "$PAGE" | wc -l)
[ "$n_fig" -ge 5 ] || fail "only $n_fig figures in the page"
for s in git_commit mpi_library host '<pre>' 'Time to reach' 'id="runs"'; do
    grep -q "$s" "$PAGE" || fail "the page lacks $s"
done

# the screenshot
chrome --window-size=1280,2400 --screenshot="$TMP/shot.png" "file://$PAGE" >/dev/null ||
    { tail -5 "$TMP/chrome.err"; fail "chromium --screenshot failed"; }
"$PYTHON" - "$TMP/shot.png" <<'PY' || fail "the screenshot is not a PNG of a drawn page"
import sys
import matplotlib.image as mpimg
img = mpimg.imread(sys.argv[1])
h, w = img.shape[:2]
std = float(img[..., :3].std())
print("ok: screenshot %dx%d, pixel std %.3f" % (w, h, std))
assert (w, h) == (1280, 2400) and std > 0.05
PY
[ -n "${REPORT_SCREENSHOT:-}" ] && cp "$TMP/shot.png" "$REPORT_SCREENSHOT"

# every image decoded: the page's script counts them after load
body() { chrome --dump-dom "file://$PAGE$1" | grep -o '<body[^>]*>' | head -1; }
attr() { sed -n "s/.*$1=\"\\([0-9]*\\)\".*/\\1/p" <<<"$2"; }
b=$(body "")
total=$(attr data-images-total "$b")
decoded=$(attr data-images-decoded "$b")
echo "browser: $b"
[ -n "$total" ] && [ "$total" = "$n_fig" ] || fail "data-images-total \"$total\", $n_fig <img> in the page"
[ "$decoded" = "$total" ] || fail "$decoded of $total images decoded"
echo "ok: chromium decoded $decoded of $total images"

# the run filter
n_saga=$("$PYTHON" -c "
import sys; sys.path.insert(0, '$(dirname "$0")/../../python')
from dsaga_results import runs
r = runs('$H5'); print((r.algorithm == 'saga').sum(), (r.dataset == r.dataset[0]).sum(), len(r), r.dataset[0])")
read -r want_saga want_ds n_runs ds0 <<<"$n_saga"
v=$(attr data-rows-visible "$(body "")")
[ "$v" = "$n_runs" ] || fail "unfiltered: $v rows visible, $n_runs runs"
v=$(attr data-rows-visible "$(body "#algorithm=saga")")
[ "$v" = "$want_saga" ] || fail "#algorithm=saga: $v rows visible, $want_saga saga runs"
ds0_url=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$ds0")
v=$(attr data-rows-visible "$(body "#dataset=$ds0_url")")
[ "$v" = "$want_ds" ] || fail "#dataset=$ds0: $v rows visible, $want_ds runs"
echo "ok: filter shows $n_runs runs, $want_saga saga runs, $want_ds of $ds0"

# bad input
for args in "" "$TMP/none.h5" "$TMP/rep.ini" "$H5 --bogus"; do
    rc=0
    # shellcheck disable=SC2086
    "$EXE" report $args >/dev/null 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] ||
        fail "report $args: status $rc, stderr: $(cat "$TMP/err")"
    echo "ok: report $args -> $(cat "$TMP/err")"
done
# refused() WHAT WANT ARGS... : report ARGS exits 2 with one line holding WANT
refused() {
    local what=$1 want=$2 rc=0
    shift 2
    "$EXE" report "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -qF -- "$want" "$TMP/err" ||
        fail "$what: report $*: status $rc, stderr: $(cat "$TMP/err") (wanted 2 and $want)"
    ok "$what" "$(cat "$TMP/err")"
}
refused "RESULTS.h5 is a directory" "report: $TMP/page: is a directory (expected a RESULTS.h5" \
    "$TMP/page"
echo "not a directory" >"$TMP/junk.h5"
refused "--out is a file" "--out $TMP/junk.h5: exists and is not a directory" \
    "$H5" --out "$TMP/junk.h5"
[ "$(cat "$TMP/junk.h5")" = "not a directory" ] || fail "report --out FILE changed the file"
refused "--out under a file" "--out $TMP/junk.h5/sub: cannot make the directory" \
    "$H5" --out "$TMP/junk.h5/sub"

# damaged or foreign HDF5 (h5py edits copies): refused, no page
mkdir -p "$TMP/bad"
"$PYTHON" "$(dirname "$0")/damaged_h5.py" "$H5" "$TMP/bad" || fail "could not make the damaged copies"
B=$TMP/bad
refused "no /runs" "report: $B/foreign.h5: not a dsaga-bench results file (no /runs group)" \
    "$B/foreign.h5" --out "$B/page"
refused "no epoch" "report: $B/noepoch.h5: run /runs/000001: no epoch dataset" \
    "$B/noepoch.h5" --out "$B/page"
refused "no status" "report: $B/nostatus.h5: run /runs/000001: no status attribute" \
    "$B/nostatus.h5" --out "$B/page"
refused "a short series" "report: $B/short.h5: run /runs/000001: rounds has" \
    "$B/short.h5" --out "$B/page"
refused "subopt as strings" "report: $B/strings.h5: run /runs/000001: subopt is not a 1-D numeric" \
    "$B/strings.h5" --out "$B/page"
[ ! -e "$B/page" ] || fail "a refused report left $(ls "$B/page")"
# a results file with no run yet still gets its page
"$EXE" report "$B/empty.h5" --out "$B/empty" >/dev/null 2>"$TMP/err" ||
    fail "report of a file without runs: $(cat "$TMP/err")"
[ -s "$B/empty/empty.html" ] || fail "report of a file without runs: no page"
ok "no runs" "a page"

# the shared parser (cli_parse): a misspelt option gets "did you mean", a
# repeated one is refused
for args in "$H5 --ot $TMP/x:unknown option --ot (did you mean --out?)" \
    "$H5 --out $TMP/x --out $TMP/y:--out: given twice"; do
    rc=0
    # shellcheck disable=SC2086
    "$EXE" report ${args%%:*} >/dev/null 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -qF -- "${args#*:}" "$TMP/err" ||
        fail "report ${args%%:*}: status $rc, stderr: $(cat "$TMP/err") (wanted ${args#*:})"
    echo "ok: report ${args%%:*} -> $(cat "$TMP/err")"
done
echo "test_report: passed"
