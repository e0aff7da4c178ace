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
[ ! -e "$TMP/e.csv.tmp" ] || fail "export left its temporary file"
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
PY
"$EXE" export "$TMP/edit.h5" >"$TMP/x.csv" || fail "export of the edited copy"
"$EXE" export "$TMP/edit.h5" --format tsv >"$TMP/x.tsv" || fail "tsv export of the edited copy"
"$PYTHON" "$ROOT/tests/python/check_export.py" "$TMP/edit.h5" "$TMP/x.csv" "$TMP/x.tsv" ||
    fail "export and load() disagree on a run without checkpoints / a quoted string"

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
