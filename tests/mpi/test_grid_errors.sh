#!/bin/bash
# test_grid_errors.sh - issue 6 / SPEC 7: a bad grid config stops before
# anything runs, with exit status 2 and exactly one stderr line
# "dsaga-bench: path:line: key: what was expected"; --dry-run lists the cells;
# a cell `predict = yes` cannot predict runs, its refusal noted once.
. "$(dirname "$0")/lib.sh"

S=synth-dense:n=60,d=5,cond=10,seed=1

# expect_bad NP LINE PATTERN CONFIG-TEXT: writes the config, runs `grid` on
# NP ranks (0: singleton), checks status 2, one line naming path:LINE.
expect_bad() {
    local np=$1 line=$2 pattern=$3 text=$4
    local cfg="$TMP/bad.ini"
    printf '%b' "$text" >"$cfg"
    local rc=0
    if [ "$np" = 0 ]; then
        (cd "$TMP" && "$EXE" grid "$cfg") >"$TMP/out" 2>"$TMP/err" || rc=$?
    else
        (cd "$TMP" && $MPIRUN -q -np "$np" "$EXE" grid "$cfg") >"$TMP/out" 2>"$TMP/err" || rc=$?
    fi
    [ "$rc" = 2 ] || { cat "$TMP/err" >&2; fail "exit status $rc (expected 2) for: $text"; }
    local lines
    lines=$(wc -l <"$TMP/err")
    [ "$lines" = 1 ] || { cat "$TMP/err" >&2; fail "$lines stderr lines (expected 1) for: $text"; }
    grep -Eq "^dsaga-bench: $cfg:$line: $pattern" "$TMP/err" ||
        fail "stderr \"$(cat "$TMP/err")\" does not match $cfg:$line: /$pattern/"
    [ ! -e "$TMP/results/bad.h5" ] || fail "a results file was created for: $text"
    echo "ok (np ${np/#0/singleton}): $(cat "$TMP/err")"
}

G="[grid]\ndatasets = $S\nalgorithms = saga dsaga\n"
expect_bad 0 4 'colour: unknown key' "${G}colour = red\n"
expect_bad 2 4 '\[adam\]: unknown section' "${G}[adam]\nperiod = 3\n"
expect_bad 2 4 'period: "0\.5": expected local steps' "${G}period = 10 0.5\n"
expect_bad 0 5 'aggregate: "max": expected one of mean,sum \(for dsaga\)' "${G}[dsaga]\naggregate = mean max\n"
expect_bad 2 4 'seeds: empty list' "${G}seeds =\n"
expect_bad 2 4 'nodes: 3 exceeds the 2 ranks' "${G}nodes = 1..3\n"
expect_bad 0 5 'period: not a key of saga' "${G}[saga]\nperiod = 10\n"
expect_bad 2 4 'nodes: dsaga-async at nodes = 2 needs 3 ranks \(1 more for its server\), the launch has 2' \
    "[grid]\ndatasets = $S\nalgorithms = saga dsaga-async\nnodes = 2\n"
# a misspelt variant would run the plain method; an unlisted variant's
# section would be ignored; a repeated value would run identical cells
expect_bad 0 3 'algorithms: "dsaga:stpes": a variant needs its section \[dsaga:stpes\]' \
    "[grid]\ndatasets = $S\nalgorithms = saga dsaga:stpes\n[dsaga:steps]\nstep_scale = 0.5 2\n"
expect_bad 0 4 '\[dsaga:steps\]: a variant.s section that algorithms does not list' \
    "${G}[dsaga:steps]\nstep_scale = 0.5 2\n"
expect_bad 0 4 'seeds: 1 listed twice' "${G}seeds = 1..3 1\n"
expect_bad 0 4 'step_scale: 1 listed twice' "${G}step_scale = 1 0.5 1.0\n"
expect_bad 0 3 'algorithms: saga listed twice' "[grid]\ndatasets = $S\nalgorithms = saga dsaga saga\n"
expect_bad 0 5 'period: 10 listed twice' "${G}[dsaga]\nperiod = 10 0.5n 10\n"
# found while validating the data, still before any run: K > samples
expect_bad 4 4 'nodes: 4 exceeds the 3 samples' \
    "[grid]\ndatasets = synth-dense:n=3,d=2,cond=2,seed=1\nalgorithms = dsaga\nnodes = 4\n"
# a data set that does not exist (not optional): the loader's one line
printf '[grid]\ndatasets = %s\nalgorithms = gd\n' "$TMP/no-such-file.svm" >"$TMP/bad.ini"
rc=0
(cd "$TMP" && $MPIRUN -q -np 2 "$EXE" grid "$TMP/bad.ini") >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^dsaga-bench: .*no-such-file.svm" "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "missing data set: status $rc"; }
[ ! -e "$TMP/results/bad.h5" ] || fail "a results file was created for a missing data set"
echo "ok (np 2): $(cat "$TMP/err")"

# an optional data set that is not present offline: skipped with a note,
# never downloaded (the main job needs no download); a stand-in curl
# first on PATH records any call
mkdir -p "$TMP/bin" "$TMP/nocache"
printf '#!/bin/sh\necho "$@" >>"%s/curl.calls"\nexit 1\n' "$TMP" >"$TMP/bin/curl"
chmod +x "$TMP/bin/curl"
printf '[grid]\ndatasets = %s\noptional_datasets = a9a\nalgorithms = gd\nmax_epochs = 1\n' "$S" >"$TMP/opt.ini"
(cd "$TMP" && PATH="$TMP/bin:$PATH" DSAGA_DATA_MIRROR='' DSAGA_CACHE="$TMP/nocache" \
    $MPIRUN -q -np 2 "$EXE" grid "$TMP/opt.ini" --out "$TMP/opt.h5") >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; fail "a grid with an absent optional data set failed"; }
[ ! -e "$TMP/curl.calls" ] || fail "an optional data set was downloaded: curl $(cat "$TMP/curl.calls")"
grep -q "optional data set a9a is not present" "$TMP/err" || { cat "$TMP/err" >&2; fail "no note for the skipped a9a"; }
n=$(py 'import h5py,sys; print(len(h5py.File(sys.argv[1])["runs"]))' "$TMP/opt.h5")
[ "$n" = 1 ] || fail "$n runs stored (expected the synthetic one)"
echo "ok (np 2): absent optional a9a skipped, not downloaded: $(grep -m1 'optional data set' "$TMP/err")"
# optional, but misspelt (a bare word that names no data set) or present
# and unreadable: errors, not skipped sets
expect_bad 2 3 'optional_datasets: "a9b": not a known data set' \
    "[grid]\ndatasets = $S\noptional_datasets = a9b\nalgorithms = gd\n"
printf '1 1:1\n2 2:x\n' >"$TMP/badopt.txt"
printf '[grid]\ndatasets = %s\noptional_datasets = %s\nalgorithms = gd\n' "$S" "$TMP/badopt.txt" >"$TMP/bad.ini"
rc=0
(cd "$TMP" && $MPIRUN -q -np 2 "$EXE" grid "$TMP/bad.ini") >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^dsaga-bench: $TMP/badopt.txt:2: " "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "a present but unreadable optional data set: status $rc"; }
[ ! -e "$TMP/results/bad.h5" ] || fail "a results file was created for an unreadable optional set"
echo "ok (np 2): $(cat "$TMP/err")"

# --dry-run: the cells, in order, nothing written.
cat >"$TMP/dry.ini" <<INI
[grid]
datasets = $S
algorithms = saga dsaga
nodes = 1 2
seeds = 1..2
[dsaga]
period = 10 0.5n
INI
(cd "$TMP" && $MPIRUN -q -np 2 "$EXE" grid "$TMP/dry.ini" --dry-run) >"$TMP/dry.out" 2>"$TMP/dry.err" ||
    { cat "$TMP/dry.err" >&2; fail "--dry-run failed"; }
cells=$(grep -vc '^#' "$TMP/dry.out")
# saga: 2 seeds (nodes, period ignored); dsaga: 2 nodes x 2 periods x 2 seeds
[ "$cells" = 10 ] || { cat "$TMP/dry.out" >&2; fail "--dry-run listed $cells cells (expected 10)"; }
grep -Eq '^000000 +saga ' "$TMP/dry.out" || fail "first cell is not saga"
grep -Eq '^000009 +dsaga .* 2 +random +period=0\.5n aggregate=mean sync=dense refresh=none refresh_fraction=1 step_scale=1 seed=2$' "$TMP/dry.out" || { cat "$TMP/dry.out" >&2; fail "last cell"; }
[ ! -e "$TMP/results" ] || fail "--dry-run wrote results"
echo "ok: --dry-run listed $cells cells"
# --only with a value no cell has: refused, nothing written
rc=0
(cd "$TMP" && $MPIRUN -q -np 2 "$EXE" grid "$TMP/dry.ini" --only algorithm=dsga) >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q '^dsaga-bench: --only: algorithm=dsga: no cell' "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "--only algorithm=dsga: status $rc"; }
[ ! -e "$TMP/results" ] || fail "--only with no cell wrote results"
echo "ok (np 2): $(cat "$TMP/err")"

# predict = yes on a cell predict refuses (sgd has no linearised round map,
# SPEC 4.1): the runs are stored with NaN predictions, and the refusal is
# noted once, however many cells share it, not taken for a failed run.
cat >"$TMP/pred.ini" <<INI
[grid]
datasets = $S
algorithms = sgd saga
seeds = 1..3
max_epochs = 2
predict = yes
INI
(cd "$TMP" && $MPIRUN -q -np 2 "$EXE" grid "$TMP/pred.ini" --out "$TMP/pred.h5") >"$TMP/pred.out" 2>"$TMP/pred.err" ||
    { cat "$TMP/pred.err" >&2; fail "the grid with a refused predict failed"; }
notes=$(grep -c 'predicted rates NaN: predict: no linearised round map for "sgd"' "$TMP/pred.err")
[ "$notes" = 1 ] || { cat "$TMP/pred.err" >&2; fail "$notes notes of sgd's refusal (expected 1)"; }
[ "$(grep -c 'predicted rates NaN' "$TMP/pred.err")" = 1 ] || { cat "$TMP/pred.err" >&2; fail "saga's predictions noted as refused"; }
[ "$(grep -c ' done ' "$TMP/pred.err")" = 6 ] || { cat "$TMP/pred.err" >&2; fail "not 6 runs done"; }
echo "ok: $(grep 'predicted rates NaN' "$TMP/pred.err")"
