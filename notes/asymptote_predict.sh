#!/usr/bin/env bash
# asymptote_predict.sh - the predicted curves of the 24 `visited` cells of
# experiments/regime-asymptote.ini and regime-asymptote-rcv1.ini (a9a,
# phishing, the rcv1-like set; lambda 1/N, 1e-4, 1e-3, 1e-2; K = 4, tau
# 0.1 and 1 n_k; seed 1's shards), run to the grids' max_epochs with tol 0
# so that they go past where the runs' subopt meets f's round-off: one
# `predict --out` per cell, OUTDIR/DATA-LAMBDA-PERIOD.tsv (its grad_norm
# column is what notes/asymptote_table.py fits), the printed lines beside
# it as .txt; cells already done are kept (resumable).  a9a and phishing
# take seconds a cell; the rcv1-like cells 3-6 minutes each on one core
# with their lambda's N x N spectrum cached, 13-45 minutes more for the
# first cell of a lambda without (notes/predict_large.sh).
#
# SETS=lean: instead, the three synth-sparse sets of experiments/regime-lean.ini
# (N = 2 000, d = 400, 4 700 and 47 000; lambda 1e-2 only, 100 epochs),
# curves named synth-n2000-dD-LAMBDA-PERIOD.
#
#   EXE=bin/dsaga-bench [SETS=lean] notes/asymptote_predict.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.." || exit
: "${EXE:=bin/dsaga-bench}" "${OPENBLAS_NUM_THREADS:=1}"
export OPENBLAS_NUM_THREADS
: "${DSAGA_DATA_MIRROR:=$(cd .. && pwd)/shared/datasets}"; export DSAGA_DATA_MIRROR
OUTDIR=${1:-results/asymptote-predict}
mkdir -p "$OUTDIR"
sets="a9a:300 phishing:300 rcv1-like:120" lams="default 1e-4 1e-3 1e-2"
[ "${SETS:-}" = lean ] && sets="synth-n2000-d400:100 synth-n2000-d4700:100 synth-n2000-d47000:100" lams=1e-2
for data in $sets; do
    name=${data%:*} epochs=${data#*:} spec=${data%:*}
    case $name in
    rcv1-like) spec=synth-sparse:n=20000,d=47000,nnz=75,seed=1 ;;
    synth-n*) n=${name#synth-n} && spec=synth-sparse:n=${n%-d*},d=${n#*-d},nnz=75,seed=1 ;;
    esac
    for lam in $lams; do
        for per in 0.1n 1n; do
            f=$OUTDIR/$name-$lam-$per
            grep -qs '^seconds' "$f.txt" && continue
            la=()
            [ "$lam" != default ] && la=(--lambda "$lam")
            "$EXE" predict --algorithm dsaga --dataset "$spec" --nodes 4 --period "$per" \
                --refresh visited "${la[@]}" --seed 1 --max-epochs "$epochs" --eval-every 1 \
                --tol 0 --out "$f.tsv" > "$f.txt" 2>&1 || echo "predict failed: $f.txt" >&2
        done
    done
done
