#!/bin/bash
# test_export.sh - SPEC 7 `export` and python/dsaga_results (issue 20): a
# real small grid under mpirun -np 2 (saga, dsaga mean and sum with a
# diverging step, dsaga under the network model, so that some columns exist
# for some runs only), exported as csv and tsv; tests/python/check_export.py
# compares both, read by plain pandas.read_csv, with load()'s DataFrame.
# A copy of the file then gets a run without checkpoints and a string with
# a comma, a quote, a tab and a newline, and is checked again.  Bad input:
# status 2 and one line.
. "$(dirname "$0")/lib.sh"

"$PYTHON" -c 'import pandas' 2>/dev/null || skip "python3-pandas is not installed (scripts/deps.sh test)"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cat >"$TMP/exp.ini" <<'INI'
[grid]
datasets   = synth-dense:n=300,d=10,cond=10,seed=1
algorithms = saga dsaga dsaga:net
nodes      = 2
seeds      = 1..2
max_epochs = 3
[dsaga]
period     = 0.5n
aggregate  = mean sum
step_scale = 1 100
[dsaga:net]
period     = 20
network    = datacenter
INI
(cd "$TMP" && mpirun_np 2 grid exp.ini --quiet) >"$TMP/grid.log" 2>&1 ||
    { cat "$TMP/grid.log"; fail "the grid failed"; }
H5=$TMP/results/exp.h5
[ -s "$H5" ] || fail "no results file"
"$EXE" export "$H5" --out "$TMP/e.csv" || fail "export csv"
"$EXE" export "$H5" --format tsv >"$TMP/e.tsv" || fail "export tsv to stdout"
! compgen -G "$TMP/e.csv.tmp*" >/dev/null || fail "export left its temporary file"
"$PYTHON" "$ROOT/tests/python/check_export.py" "$H5" "$TMP/e.csv" "$TMP/e.tsv" ||
    fail "export and load() disagree"
grep -q ',diverged,' "$TMP/e.csv" || fail "no diverged run in the grid (the test needs one)"
grep -q 'model_s' "$TMP/e.csv" || fail "no model_s column"

# under mpirun the table is written once (rank 0)
mpirun_np 2 export "$H5" >"$TMP/e2.csv" || fail "export under mpirun"
cmp -s "$TMP/e2.csv" "$TMP/e.csv" || fail "export under mpirun -np 2 differs from the singleton's"

# a run without checkpoints and a hostile string
cp "$H5" "$TMP/edit.h5"
"$PYTHON" - "$TMP/edit.h5" <<'PY' || fail "could not edit the copy"
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    g = f["runs"].create_group("999999")
    for k, v in f["runs/000000"].attrs.items():
        g.attrs[k] = v
    g.attrs["status"] = "failed"
    g.attrs["message"] = 'bad "cell", at\tline 2\nand more'
    for k in ("epoch", "rounds", "bytes", "wall_s", "comm_s", "objective", "subopt",
              "grad_norm"):  # as the suite writes a run without checkpoints: empty
        g.create_dataset(k, shape=(0,), dtype="f8")
PY
"$EXE" export "$TMP/edit.h5" >"$TMP/x.csv" || fail "export of the edited copy"
"$EXE" export "$TMP/edit.h5" --format tsv >"$TMP/x.tsv" || fail "tsv export of the edited copy"
"$PYTHON" "$ROOT/tests/python/check_export.py" "$TMP/edit.h5" "$TMP/x.csv" "$TMP/x.tsv" ||
    fail "export and load() disagree on a run without checkpoints / a quoted string"

# refused() WHAT WANT ARGS... : export ARGS exits 2 with one line holding WANT
refused() {
    local what=$1 want=$2 rc=0
    shift 2
    "$EXE" export "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -qF -- "$want" "$TMP/err" ||
        fail "$what: export $*: status $rc, stderr: $(cat "$TMP/err") (wanted 2 and $want)"
    [ ! -s "$TMP/out" ] || fail "$what: export $* wrote $(wc -l <"$TMP/out") lines before refusing"
    ok "$what" "$(cat "$TMP/err")"
}

# --out never loses a result: not the input (by name, by a link), not any
# HDF5 file, not a directory; a CSV is replaced
mkdir -p "$TMP/keep"
cp "$H5" "$TMP/keep/v1.h5"
refused "--out is the input" "--out $TMP/keep/v1.h5: is the input results file" \
    "$TMP/keep/v1.h5" --out "$TMP/keep/v1.h5"
cmp -s "$H5" "$TMP/keep/v1.h5" || fail "export --out INPUT changed the results file"
ln -s v1.h5 "$TMP/keep/link.csv"
refused "--out links to the input" "is the input results file" \
    "$TMP/keep/v1.h5" --out "$TMP/keep/link.csv"
cmp -s "$H5" "$TMP/keep/v1.h5" || fail "export --out LINK-TO-INPUT changed the results file"
cp "$H5" "$TMP/keep/other.h5"
refused "--out is another results file" "--out $TMP/keep/other.h5: is an HDF5 file" \
    "$H5" --out "$TMP/keep/other.h5"
cmp -s "$H5" "$TMP/keep/other.h5" || fail "export --out OTHER.h5 changed that results file"
refused "--out is a directory" "--out $TMP/keep: is a directory" "$H5" --out "$TMP/keep"
! compgen -G "$TMP/keep.tmp*" >/dev/null || fail "export --out DIR left a temporary file"
# the input named like export's temporary file is read, not truncated
cp "$H5" "$TMP/keep/t.csv.tmp"
"$EXE" export "$TMP/keep/t.csv.tmp" --out "$TMP/keep/t.csv" 2>"$TMP/err" ||
    fail "export T.csv.tmp --out T.csv: $(cat "$TMP/err")"
cmp -s "$H5" "$TMP/keep/t.csv.tmp" || fail "export T.csv.tmp --out T.csv destroyed the input"
cmp -s "$TMP/keep/t.csv" "$TMP/e.csv" || fail "export T.csv.tmp --out T.csv: another table"
ok "input named OUT.tmp" "read and kept, the table written"
"$EXE" export "$H5" --format tsv --out "$TMP/keep/t.csv" || fail "export over an existing CSV"
cmp -s "$TMP/keep/t.csv" "$TMP/e.tsv" || fail "export over an existing CSV: not the new table"
ok "--out is a CSV" "replaced"

# damaged or foreign HDF5: refused before a line is written (h5py edits copies)
mkdir -p "$TMP/bad"
"$PYTHON" "$(dirname "$0")/damaged_h5.py" "$H5" "$TMP/bad" || fail "could not make the damaged copies"
B=$TMP/bad
refused "no /runs" "export: $B/foreign.h5: not a dsaga-bench results file (no /runs group)" \
    "$B/foreign.h5"
refused "no epoch" "export: $B/noepoch.h5: run /runs/000001: no epoch dataset" "$B/noepoch.h5"
refused "no subopt" "export: $B/nosubopt.h5: run /runs/000001: no subopt dataset" \
    "$B/nosubopt.h5" --format tsv
refused "no status" "export: $B/nostatus.h5: run /runs/000001: no status attribute" \
    "$B/nostatus.h5"
refused "a short series" "export: $B/short.h5: run /runs/000001: rounds has" "$B/short.h5"
refused "subopt as strings" "export: $B/strings.h5: run /runs/000001: subopt is not a 1-D numeric" \
    "$B/strings.h5"
refused "damaged, with --out" "no epoch dataset" "$B/noepoch.h5" --out "$B/x.csv"
! compgen -G "$B/x.csv*" >/dev/null || fail "a refused export left a file"
# a results file with no run yet is fine: the header alone
"$EXE" export "$B/empty.h5" >"$TMP/empty.csv" 2>"$TMP/err" ||
    fail "export of a file without runs: $(cat "$TMP/err")"
[ "$(cat "$TMP/empty.csv")" = "run" ] || fail "export of a file without runs: $(cat "$TMP/empty.csv")"
ok "no runs" "the header alone"

# bad input: status 2, one line
for args in "" "$TMP/none.h5" "$TMP/exp.ini" "$H5 --format xls" "$H5 --bogus" "$H5 --out"; do
    rc=0
    # shellcheck disable=SC2086
    "$EXE" export $args >/dev/null 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] ||
        fail "export $args: status $rc, stderr: $(cat "$TMP/err")"
    echo "ok: export $args -> $(cat "$TMP/err")"
done
# the shared parser (cli_parse): a misspelt option gets "did you mean", a
# repeated one (long or short spelling) is refused
for args in "$H5 --fromat tsv:unknown option --fromat (did you mean --format?)" \
    "$H5 --format csv -f tsv:--format: given twice" "$H5 --out a --out b:--out: given twice"; do
    rc=0
    # shellcheck disable=SC2086
    "$EXE" export ${args%%:*} >/dev/null 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -qF -- "${args#*:}" "$TMP/err" ||
        fail "export ${args%%:*}: status $rc, stderr: $(cat "$TMP/err") (wanted ${args#*:})"
    echo "ok: export ${args%%:*} -> $(cat "$TMP/err")"
done
"$EXE" export --help | grep -q 'usage: dsaga-bench export' || fail "export --help"
echo "test_export: passed"
