#!/bin/bash
# test_refresh_fraction.sh - dsaga's refresh_fraction (issue 21) under real
# mpirun, K = 4:
#   1. refresh_fraction = 1 is refresh = visited (and late) bit for bit,
#      refresh_fraction = 0 is plain dsaga bit for bit (the thinning draws
#      from a stream of its own, so the steps' draws do not move);
#   2. at 0.4 the refreshes counted in `epoch` are 0.4 of visited's
#      (within 0.04; about 220 rows per node and round would be re-taken,
#      so the binomial spread of the share is about 0.005; the first round
#      re-takes nothing, which moves the expected share to about 0.41), so
#      a key that does nothing (1.0) or a chance inverted (0.6) fails.
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=4000,d=300,nnz=10,seed=3
COMMON=(--algorithm dsaga --dataset "$S" --nodes 4 --period 0.25n --lambda 1e-3 --max-epochs 6
    --tol 0 --seed 5)
run_h5 4 "$TMP/none.h5" "${COMMON[@]}" --refresh none
run_h5 4 "$TMP/vis.h5" "${COMMON[@]}" --refresh visited
run_h5 4 "$TMP/late.h5" "${COMMON[@]}" --refresh late
run_h5 4 "$TMP/vis1.h5" "${COMMON[@]}" --refresh visited --refresh-fraction 1
run_h5 4 "$TMP/late1.h5" "${COMMON[@]}" --refresh late --refresh-fraction 1
run_h5 4 "$TMP/vis0.h5" "${COMMON[@]}" --refresh visited --refresh-fraction 0
run_h5 4 "$TMP/late0.h5" "${COMMON[@]}" --refresh late --refresh-fraction 0
run_h5 4 "$TMP/vis4.h5" "${COMMON[@]}" --refresh visited --refresh-fraction 0.4
same_objective "$TMP/vis.h5" "$TMP/vis1.h5" "visited, fraction 1" "not refresh = visited"
same_objective "$TMP/late.h5" "$TMP/late1.h5" "late, fraction 1" "not refresh = late"
same_objective "$TMP/none.h5" "$TMP/vis0.h5" "visited, fraction 0" "not plain dsaga"
same_objective "$TMP/none.h5" "$TMP/late0.h5" "late, fraction 0" "not plain dsaga"

py '
import sys, h5py
def per_round(path):
    with h5py.File(path, "r") as f:
        r = f["runs/000000"]
        ep, ro = r["epoch"][()], r["rounds"][()]
        return ep[-1] / ro[-1], int(ro[-1])
base, rounds = per_round(sys.argv[1])
vis, _ = per_round(sys.argv[2])
part, _ = per_round(sys.argv[3])
share = (part - base) / (vis - base)
print(f"epochs per round: none {base:.5f}, visited {vis:.5f}, fraction 0.4 {part:.5f}"
      f" -> refreshes {share:.3f} of visited'"'"'s over {rounds} rounds")
if not (vis > base and abs(share - 0.4) <= 0.04):
    sys.exit(f"fraction 0.4 re-took {share:.3f} of visited'"'"'s rows, expected 0.4 +- 0.04")
' "$TMP/none.h5" "$TMP/vis.h5" "$TMP/vis4.h5" || fail "refresh_fraction does not thin the refresh"
echo "ok"
