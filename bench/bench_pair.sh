#!/usr/bin/env bash
# bench_pair.sh - what a second busy core costs the SAGA step on this
# machine (issue 18): saga alone, then two saga processes at once (seeds s
# and s + 100, independent: no MPI between them), on each data set.  wall_s
# (SPEC 4: algorithm time, loading and evaluation excluded) at the last
# checkpoint; per repeat the pair's mean over the solo time is the
# slowdown, and 2 / slowdown the throughput of two cores in units of one.
# That throughput times saga's epochs over dsaga's estimates what dsaga
# with K = 2 on two cores can gain over saga on one; both follow the
# host's load (1.72-1.98 on the rcv1-like set on one day; notes/speed.md),
# so compare them within one run.  Medians (min-max) over REPEATS repeats.
#
#   EXE=bin/dsaga-bench bash bench/bench_pair.sh
#   TSV=FILE appends one tab-separated row per set (the caller writes the
#   provenance header); SETS="spec|epochs ..." overrides the sets.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${PYTHON:=/usr/bin/python3}" "${REPEATS:=5}" "${TSV:=}"
. bench/lib.sh
if [ -n "${SETS:-}" ]; then read -r -a CASES <<<"$SETS"; else
  # the last one fits in L2 (rows and records ~0.6 MB): the control
  CASES=("synth-sparse:n=20000,d=47000,nnz=75,seed=1|30" "a9a|60" "w8a|40"
    "synth-sparse:n=2000,d=5000,nnz=20,seed=1|300")
fi
wall() { "$PYTHON" -c 'import sys, h5py; print("%.6f" % h5py.File(sys.argv[1], "r")["runs/000000"]["wall_s"][-1])' "$1"; }
run() { # run SEED EPOCHS SPEC OUT
  "$EXE" run --algorithm saga --dataset "$3" --max-epochs "$2" --eval-every "$2" --tol 0 \
    --seed "$1" --quiet --out "$4" >/dev/null
}
printf '# saga alone, then two saga processes at once; wall_s at the last checkpoint; medians (min-max) of %s repeats\n' "$REPEATS"
printf '# host %s, %s cores; load average at start: %s\n' "$(hostname)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %-6s %-22s %-22s %-20s %s\n' '# dataset' 'epochs' 'solo wall_s' 'pair wall_s (mean)' 'slowdown' 'two-core throughput'
[ -n "$TSV" ] && printf 'dataset\tepochs\tsolo_wall_s\tpair_wall_s\tslowdown\tthroughput\n' >>"$TSV"
for c in "${CASES[@]}"; do
  IFS='|' read -r spec ep <<<"$c"
  : >"$tmp/solo" && : >"$tmp/pair" && : >"$tmp/slow" && : >"$tmp/thr"
  for s in $(seq 1 "$REPEATS"); do
    rm -f "$tmp"/*.h5
    run "$s" "$ep" "$spec" "$tmp/solo.h5"
    run "$s" "$ep" "$spec" "$tmp/a.h5" &
    run $((s + 100)) "$ep" "$spec" "$tmp/b.h5"
    wait
    t1=$(wall "$tmp/solo.h5") ta=$(wall "$tmp/a.h5") tb=$(wall "$tmp/b.h5")
    echo "$t1" >>"$tmp/solo"
    awk -v a="$ta" -v b="$tb" -v t="$t1" 'BEGIN { p = (a + b) / 2
      print p >> "'"$tmp/pair"'"; print p / t >> "'"$tmp/slow"'"; print 2 * t / p >> "'"$tmp/thr"'" }'
  done
  ms=$(med <"$tmp/solo") mp=$(med <"$tmp/pair") mx=$(med <"$tmp/slow") mt=$(med <"$tmp/thr")
  printf '%-44s %-6s %-22s %-22s %-20s %s\n' "$spec" "$ep" "$ms" "$mp" "$mx" "$mt"
  [ -n "$TSV" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$ep" "$ms" "$mp" "$mx" "$mt" >>"$TSV"
done
