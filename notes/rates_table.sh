#!/usr/bin/env bash
# rates_table.sh - the runs behind notes/rates.md (issue 5): saga and dsaga's
# rate_per_epoch on a9a and the synthetic set for K in {2,4,8}, six periods,
# sum and mean; then dsaga (mean, period 0.1 n_k) over step_scale.
# One `mpirun -np K` per run (no idle ranks spinning on the 2 cores), one
# HDF5 file per run under $OUTDIR (existing files are kept: resumable).
#
#   EXE=bin/dsaga-bench notes/rates_table.sh [OUTDIR]; notes/rates_summary.py OUTDIR
set -uo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${MPIRUN:=mpirun --oversubscribe}"
OUTDIR=${1:-results/rates}
mkdir -p "$OUTDIR"
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
: "${DSAGA_DATA_MIRROR:=$(cd .. && pwd)/shared/datasets}"; export DSAGA_DATA_MIRROR
SYN="synth-sparse:n=20000,d=47000,nnz=75,seed=1"
# dataset tag, spec, epochs (synthetic: 30, it reaches tol 1e-10 within ~25 for saga)
SETS=("a9a|a9a|${A9A_EPOCHS:-60}" "syn|$SYN|${SYN_EPOCHS:-30}")

one() { # tag out args...
  local out=$1; shift
  [ -f "$out" ] && return 0
  "$@" --eval-every 1 --tol 1e-10 --seed 1 --quiet --out "$out.part" >/dev/null 2>"$out.err" \
    && mv "$out.part" "$out" || echo "FAILED: $*" >&2
}
for set in "${SETS[@]}"; do
  IFS='|' read -r tag spec ep <<<"$set"
  one "$OUTDIR/${tag}_saga.h5" "$EXE" run --algorithm saga --dataset "$spec" --max-epochs "$ep"
  for K in 2 4 8; do
    for p in 10 100 0.1n 0.5n 1n 2n; do
      for agg in mean sum; do
        one "$OUTDIR/${tag}_dsaga_K${K}_p${p}_${agg}_s1.h5" $MPIRUN -np $K "$EXE" run \
          --algorithm dsaga --dataset "$spec" --nodes $K --period $p --aggregate $agg \
          --max-epochs "$ep"
      done
    done
  done
  for K in 2 4 8; do
    for s in 0.5 2 4 8 16; do
      one "$OUTDIR/${tag}_dsaga_K${K}_p0.1n_mean_s${s}.h5" $MPIRUN -np $K "$EXE" run \
        --algorithm dsaga --dataset "$spec" --nodes $K --period 0.1n --aggregate mean \
        --step-scale $s --max-epochs "$ep"
    done
  done
done
