#!/bin/bash
# test_predict_large.sh - `predict`'s matrix-free path (mean and variance
# parts, harness/predict_large.h) against real runs: dsaga at K = 4
# (mpirun, 4 ranks) on a sparse synthetic set wider than the dense path's
# d = 4096 (n 2000, d 6000, 20 nonzeros a row), lambda 1/N, tau = 0.1 n_k,
# where the mean error limits the tail; refresh none, visited and late,
# seed 1.  The predicted tail (the command prints `path matrix-free (mean
# and variance parts`) within 5 % of the run's measured tail (SPEC 4: the
# last third of the checkpoints).  Measured 2026-12-07, seed 1: none
# 1.0038, visited 1.0039, late 1.0038 (0.9994, 0.9987, 0.9986 before the
# first-draw share and the never-drawn rows' window, the same day;
# 0.9992, 0.9986, 0.9992 with each node's own chance of holding a row,
# 2026-12-04).
# The mean part alone gave 1.006-1.012 over seeds 1-3.  test_predict.c
# checks the path against the dense one; this is the path end to end,
# its spectrum cached in a directory of its own.  Last, the cache keys the
# bias column's value: `--bias 3` after `--bias 1` in one cache prints
# what `--bias 3` prints with a cache of its own (before the key had the
# value, it read bias 1's spectrum back: a tail of -0.0205856 for
# -0.0205879).
# About 20 s on 2 cores.
. "$(dirname "$0")/lib.sh"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "h5py missing"
export DSAGA_CACHE="$TMP/cache" # the spectrum and f* computed here
mkdir -p "$DSAGA_CACHE"

DATA="synth-sparse:n=2000,d=6000,nnz=20,seed=4"
tail_of() { awk '$1 == "predicted_tail_rate_per_epoch" {print $2}' "$1"; }
COMMON=(--algorithm dsaga --dataset "$DATA" --period 0.1n --max-epochs 200 --eval-every 1
    --tol 1e-12)
for refresh in none visited late; do
    mpirun_np 1 predict "${COMMON[@]}" --nodes 4 --refresh "$refresh" >"$TMP/p.out" \
        2>"$TMP/p.err" || { cat "$TMP/p.err" >&2; fail "predict failed, refresh $refresh"; }
    grep -q '^path matrix-free (mean and variance' "$TMP/p.out" ||
        fail "refresh $refresh: not the matrix-free path with its variance part"
    pred=$(tail_of "$TMP/p.out")
    run_h5 4 "$TMP/r.h5" "${COMMON[@]}" --refresh "$refresh"
    ratio=$(py 'import sys, h5py
tail = float(h5py.File(sys.argv[1], "r")["runs/000000"].attrs["tail_rate_per_epoch"])
print(f"{float(sys.argv[2]) / tail:.4f}")' "$TMP/r.h5" "$pred") || fail "cannot read $TMP/r.h5"
    awk -v r="$ratio" 'BEGIN { exit !(r >= 0.95 && r <= 1.05) }' ||
        fail "refresh $refresh: predicted tail $pred, over the measured tail $ratio"
    ok "refresh $refresh" "predicted tail $pred, $ratio of the measured tail"
done
B=(--algorithm dsaga --dataset "$DATA" --period 0.1n --max-epochs 60 --eval-every 1 --tol 1e-12
    --nodes 4 --refresh visited)
for b in 1 3; do
    mpirun_np 1 predict "${B[@]}" --bias "$b" >"$TMP/b$b.out" 2>"$TMP/p.err" ||
        { cat "$TMP/p.err" >&2; fail "predict --bias $b failed"; }
done
mkdir -p "$TMP/cache2"
(
    export DSAGA_CACHE="$TMP/cache2"
    mpirun_np 1 predict "${B[@]}" --bias 3 >"$TMP/b3own.out" 2>"$TMP/p.err"
) || { cat "$TMP/p.err" >&2; fail "predict --bias 3 with a cache of its own failed"; }
t1=$(tail_of "$TMP/b1.out") t3=$(tail_of "$TMP/b3.out") t3own=$(tail_of "$TMP/b3own.out")
[ -n "$t3own" ] && [ "$t1" != "$t3own" ] || fail "bias 1 and 3 predict the same tail ($t1)"
[ "$t3" = "$t3own" ] ||
    fail "--bias 3 after --bias 1 in one cache: tail $t3; with a cache of its own: $t3own"
ok "spectrum cache keys the bias" "bias 1: $t1, bias 3: $t3 (its own cache: $t3own)"
echo "$TEST_NAME: $checks checks passed"
