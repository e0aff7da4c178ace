#!/usr/bin/env bash
# bench_speedup.sh - wall-time speed-up of dsaga with K = 2 (mpirun -np 2)
# over saga to reach 1e-8 relative suboptimality (issue 5), on a9a and the
# synthetic set, at every period in PERIODS and step_scale in SCALES
# (defaults: 100 steps and 0.1 n_k; 0.5, 1, 2), dsaga with SYNC (auto).
# wall_s (SPEC 4: algorithm time, evaluation excluded) is read at the first
# checkpoint with subopt/subopt0 <= 1e-8; medians (min-max) over REPEATS runs
# (seeds 1..REPEATS).  Checkpoints every EVAL epochs bound the resolution.
#
#   EXE=bin/dsaga-bench bash bench/bench_speedup.sh
#   TSV=FILE appends one tab-separated row per cell (the caller writes the
#   provenance header); ONLY=a9a|synth runs one set.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${MPIRUN:=mpirun --oversubscribe}" "${PYTHON:=/usr/bin/python3}"
: "${REPEATS:=5}" "${EVAL:=0.25}" "${SYNC:=auto}"
: "${PERIODS:=100 0.1n}" "${SCALES:=0.5 1 2}" "${TSV:=}"
. bench/lib.sh
export OMPI_MCA_mpi_yield_when_idle=1 # a shared machine: waiting ranks give the core back
# dataset | max epochs; SETS overrides ("spec|epochs" ...)
if [ -n "${SETS:-}" ]; then read -r -a CASES <<<"$SETS"; else
CASES=("a9a|${A9A_EPOCHS:-150}" "synth-sparse:n=20000,d=47000,nnz=75,seed=1|${SYN_EPOCHS:-60}")
fi
t_at() { "$PYTHON" - "$@" <<'PY'
import sys, h5py
for path in sys.argv[1:]:
    g = h5py.File(path, 'r')['runs/000000']
    s, w = g['subopt'][:], g['wall_s'][:]
    hit = [i for i in range(len(s)) if s[i] <= 1e-8 * s[0]]
    print(f"{w[hit[0]]:.6f}" if hit else "nan")
PY
}
printf '# wall seconds to subopt/subopt0 <= 1e-8 (median (min-max) over %s seeds), checkpoints every %s epochs\n' "$REPEATS" "$EVAL"
printf '# host %s, %s cores\n' "$(hostname)" "$(nproc)"
printf '# dsaga sync = %s; load average at start: %s\n' "$SYNC" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %-8s %-6s %-22s %-22s %8s\n' '# dataset' 'period' 'scale' 'saga wall_s' 'dsaga K=2 wall_s' 'speedup'
[ -n "$TSV" ] && printf 'dataset\tperiod\tstep_scale\tsync\tsaga_wall_s\tdsaga_k2_wall_s\tspeedup_median_min_max\n' >>"$TSV"
for c in "${CASES[@]}"; do
  IFS='|' read -r spec ep <<<"$c"
  [[ -n "${ONLY:-}" && "$spec" != *"${ONLY}"* ]] && continue
  for period in $PERIODS; do for scale in $SCALES; do
  for s in $(seq 1 "$REPEATS"); do
    "$EXE" run --algorithm saga --dataset "$spec" --max-epochs "$ep" --eval-every "$EVAL" \
      --tol 1e-9 --seed "$s" --quiet --out "$tmp/saga_$s.h5" >/dev/null
    $MPIRUN -np 2 "$EXE" run --algorithm dsaga --dataset "$spec" --nodes 2 --period "$period" \
      --step-scale "$scale" --max-epochs "$ep" --eval-every "$EVAL" --tol 1e-9 --seed "$s" \
      --sync "$SYNC" --quiet --out "$tmp/dsaga_$s.h5" >/dev/null
  done
  ts=$(t_at "$tmp"/saga_*.h5); td=$(t_at "$tmp"/dsaga_*.h5)
  ms=$(echo "$ts" | med); md=$(echo "$td" | med)
  sp=$(paste <(echo "$ts") <(echo "$td") | awk '{print ($1 == "nan" || $2 == "nan") ? "nan" : $1/$2}' | med)
  printf '%-44s %-8s %-6s %-22s %-22s %s\n' "$spec" "$period" "$scale" "$ms" "$md" "$sp"
  [ -n "$TSV" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$period" "$scale" "$SYNC" "$ms" "$md" "$sp" >>"$TSV"
  rm -f "$tmp"/*.h5
  done; done
done
