#!/usr/bin/env bash
# fraction_predict.sh - `predict`'s tail for every cell of
# experiments/refresh-fraction.ini (a9a and phishing, lambda 1e-4 to 1e-2,
# K = 4, 0.1 and 1 n_k, visited and late, fractions 0.25 to 1), one line
# per cell and seed: dataset lambda period refresh fraction seed tail.
# Without the runs: `predict` on each seed's shards only, so two builds can
# be set side by side on the same grid (notes/fraction_compare.py).
#
#   EXE=bin/dsaga-bench [SEEDS="1 2 3 4 5"] notes/fraction_predict.sh OUT.txt
set -uo pipefail
cd "$(dirname "$0")/.." || exit
: "${EXE:=bin/dsaga-bench}" "${SEEDS:=1 2 3 4 5}" "${OPENBLAS_NUM_THREADS:=1}"
export OPENBLAS_NUM_THREADS OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
: "${DSAGA_DATA_MIRROR:=$(cd .. && pwd)/shared/datasets}"; export DSAGA_DATA_MIRROR
out=${1:?usage: fraction_predict.sh OUT.txt}
: > "$out"
for ds in a9a phishing; do for lam in 1e-4 1e-3 1e-2; do for per in 0.1n 1n; do
    for ref in visited late; do for fr in 0.25 0.5 0.625 0.75 1; do for seed in $SEEDS; do
        t=$("$EXE" predict --algorithm dsaga --dataset $ds --nodes 4 --lambda $lam --period $per \
            --refresh $ref --refresh-fraction $fr --max-epochs 300 --tol 1e-12 --eval-every 1 \
            --seed $seed 2>&1 | awk '$1 == "predicted_tail_rate_per_epoch" {print $2}')
        echo "$ds $lam $per $ref $fr $seed ${t:-nan}" >> "$out"
    done; done; done
done; done; done
