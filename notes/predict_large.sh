#!/usr/bin/env bash
# predict_large.sh - predict's matrix-free path (harness/predict_large.h,
# mean and variance parts) on the rcv1-like cells of experiments/regime.ini
# (d = 47 000, beyond the dense path's 4 096): dsaga refresh none / visited
# / late, K = 4, tau 0.1 and 1 n_k, lambda 1e-2, 1e-3, 1e-4, 1/N, seed 1,
# the grid's max_epochs, eval_every and tol.  One `predict` per cell, its
# output kept as OUTDIR/REFRESH-PERIOD-LAMBDA.txt (existing ones are kept:
# resumable).  The first cell of each lambda pays for the N x N spectrum
# (about 13 minutes and 9.6 GB on two cores, then cached in $DSAGA_CACHE);
# the others take 1-3 minutes (four 5 000-row eigendecompositions, then
# the rounds): about 1 h 40 min in all.
# notes/large_table.py OUTDIR results/regime.h5 sets them beside the tails.
#
# DATASET=SPEC takes another data set through the same cells, e.g.
# experiments/regime-mini.ini's synth-sparse:n=2000,d=4700,nnz=75,seed=1
# (its spectrum takes seconds; the 24 cells about 35 s in all).
#
# TOL (default 1e-12, the grid's) and LAMBDAS (default "1e-2 1e-3 1e-4
# default") take the cells elsewhere, e.g. TOL=1e-14 LAMBDAS=1e-2 for
# experiments/regime-rcv1-deep.ini.  REFRESHES (default "none visited
# late") picks the variants, e.g. REFRESHES=visited for the issue's one.
#
#   EXE=bin/dsaga-bench [DATASET=SPEC] [TOL=T] [LAMBDAS=...] [REFRESHES=...] \
#       notes/predict_large.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.." || exit
: "${EXE:=bin/dsaga-bench}" "${DATASET:=synth-sparse:n=20000,d=47000,nnz=75,seed=1}" "${OPENBLAS_NUM_THREADS:=2}"
: "${TOL:=1e-12}" "${LAMBDAS:=1e-2 1e-3 1e-4 default}" "${REFRESHES:=none visited late}"
export OPENBLAS_NUM_THREADS OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
: "${DSAGA_DATA_MIRROR:=$(cd .. && pwd)/shared/datasets}"; export DSAGA_DATA_MIRROR
OUTDIR=${1:-results/predict-large}
mkdir -p "$OUTDIR"
for lam in $LAMBDAS; do # one N x N spectrum per lambda, cached
    for ref in $REFRESHES; do
        for per in 0.1n 1n; do
            f=$OUTDIR/$ref-$per-$lam.txt
            grep -qs '^seconds' "$f" && continue
            la=()
            [ "$lam" != default ] && la=(--lambda "$lam")
            "$EXE" predict --algorithm dsaga --dataset "$DATASET" \
                --nodes 4 --period "$per" --refresh "$ref" "${la[@]}" --seed 1 --max-epochs 300 \
                --eval-every 1 --tol "$TOL" > "$f" 2>&1 || echo "predict failed: $f" >&2
        done
    done
done
