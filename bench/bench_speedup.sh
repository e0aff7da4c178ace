#!/usr/bin/env bash
# bench_speedup.sh - wall-time speed-up of dsaga with K = 2 (mpirun -np 2)
# over saga to reach 1e-8 relative suboptimality (issue 5), on a9a and the
# synthetic set, at the period and step_scale chosen from notes/rates.md.
# wall_s (SPEC 4: algorithm time, evaluation excluded) is read at the first
# checkpoint with subopt/subopt0 <= 1e-8; medians (min-max) over REPEATS runs
# (seeds 1..REPEATS).  Checkpoints every EVAL epochs bound the resolution.
#
#   EXE=bin/dsaga-bench bash bench/bench_speedup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${MPIRUN:=mpirun --oversubscribe}" "${PYTHON:=/usr/bin/python3}"
: "${REPEATS:=3}" "${EVAL:=0.25}"
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ -z "${DSAGA_DATA_MIRROR:-}" ] && [ -f ../shared/datasets/MANIFEST.tsv ]; then
  DSAGA_DATA_MIRROR=$(cd ../shared/datasets && pwd); export DSAGA_DATA_MIRROR
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# dataset | dsaga period | dsaga step_scale | max epochs  (from notes/rates.md)
CASES=("a9a|${A9A_PERIOD:-0.1n}|${A9A_SCALE:-1}|80"
       "synth-sparse:n=20000,d=47000,nnz=75,seed=1|${SYN_PERIOD:-0.1n}|${SYN_SCALE:-1}|40")
t_at() { "$PYTHON" - "$@" <<'PY'
import sys, h5py
for path in sys.argv[1:]:
    g = h5py.File(path, 'r')['runs/000000']
    s, w = g['subopt'][:], g['wall_s'][:]
    hit = [i for i in range(len(s)) if s[i] <= 1e-8 * s[0]]
    print(f"{w[hit[0]]:.6f}" if hit else "nan")
PY
}
med() { sort -g | awk '{v[NR]=$1} END {m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
  printf "%.3f (%.3f-%.3f)", m, v[1], v[NR]}'; }
printf '# wall seconds to subopt/subopt0 <= 1e-8 (median (min-max) over %s seeds), checkpoints every %s epochs\n' "$REPEATS" "$EVAL"
printf '# host %s, %s cores\n' "$(hostname)" "$(nproc)"
printf '%-44s %-8s %-6s %-22s %-22s %8s\n' '# dataset' 'period' 'scale' 'saga wall_s' 'dsaga K=2 wall_s' 'speedup'
for c in "${CASES[@]}"; do
  IFS='|' read -r spec period scale ep <<<"$c"
  for s in $(seq 1 "$REPEATS"); do
    "$EXE" run --algorithm saga --dataset "$spec" --max-epochs "$ep" --eval-every "$EVAL" \
      --tol 1e-9 --seed "$s" --quiet --out "$tmp/saga_$s.h5" >/dev/null
    $MPIRUN -np 2 "$EXE" run --algorithm dsaga --dataset "$spec" --nodes 2 --period "$period" \
      --step-scale "$scale" --max-epochs "$ep" --eval-every "$EVAL" --tol 1e-9 --seed "$s" \
      --quiet --out "$tmp/dsaga_$s.h5" >/dev/null
  done
  ts=$(t_at "$tmp"/saga_*.h5); td=$(t_at "$tmp"/dsaga_*.h5)
  ms=$(echo "$ts" | med); md=$(echo "$td" | med)
  sp=$(paste <(echo "$ts") <(echo "$td") | awk '{print $1/$2}' | med)
  printf '%-44s %-8s %-6s %-22s %-22s %s\n' "$spec" "$period" "$scale" "$ms" "$md" "$sp"
  rm -f "$tmp"/*.h5
done
