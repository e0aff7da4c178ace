#!/usr/bin/env bash
# make bench: every benchmark, medians of repeated runs measured side by side
# in one go (the machine is shared and noisy).  Speed and memory targets
# live here, never in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${BENCH_DIR:=build/bench}" "${PYTHON:=/usr/bin/python3}"
: "${MPIRUN:=mpirun --oversubscribe}"
export OPENBLAS_NUM_THREADS=1
echo "# dsaga-bench benchmarks, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# host $(hostname), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

echo; echo "## 1. SAGA per epoch against scikit-learn (issue 4)"
sets=("synth-sparse:n=20000,d=47000,nnz=75,seed=1")
for real in real-sim rcv1.binary; do
  if "$EXE" info "$real" >/dev/null 2>&1; then sets+=("$real"); fi
done
"$PYTHON" bench/bench_saga.py "$EXE" "$BENCH_DIR/export_data" --epochs "${BENCH_EPOCHS:-10}" \
  --repeats "${BENCH_REPEATS:-5}" "${sets[@]}"

if [ -x "$BENCH_DIR/bench_sync" ]; then
  echo; echo "## 2. dsaga round: local compute, lazy catch-up, allreduce vs bare MPI_Allreduce (issue 5)"
  for spec in a9a "synth-sparse:n=20000,d=47000,nnz=75,seed=1"; do
    $MPIRUN -np 2 "$BENCH_DIR/bench_sync" "$spec" || echo "bench_sync $spec: skipped"
  done
fi

if [ -f bench/bench_speedup.sh ]; then
  echo; echo "## 3. dsaga K = 2 against saga: wall time to 1e-8 (issue 5)"
  bash bench/bench_speedup.sh
fi
