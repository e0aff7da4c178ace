#!/bin/bash
# test_gd_monotone.sh - SPEC 3.5: gradient descent with step 1/L on a smooth
# convex f never increases the objective, on 2 and 4 nodes and for both
# losses.
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=800,d=150,nnz=10,seed=11
for K in 2 4; do
    for loss in logistic squared; do
        run_h5 "$K" "$TMP/gd.h5" --algorithm gd --dataset "$S" --loss "$loss" --nodes "$K" \
            --max-epochs 40 --eval-every 1 --tol 0
        py '
import sys, h5py
label = sys.argv[2]
with h5py.File(sys.argv[1], "r") as f:
    obj = f["runs/000000/objective"][()]
if len(obj) < 30:
    sys.exit(f"{label}: only {len(obj)} checkpoints")
# In exact arithmetic f(w+) <= f(w) - |grad|^2/(2L).  The value itself is a
# sum of N terms of size O(1), rounded to about 1e-16 relative each: allow
# 1e-14 relative for that rounding near the optimum, nothing more.
for i in range(1, len(obj)):
    if obj[i] > obj[i - 1] * (1 + 1e-14):
        sys.exit(f"{label}: objective rose at checkpoint {i}: {obj[i-1]!r} -> {obj[i]!r}")
if not obj[-1] < obj[0] * (1 - 1e-3):
    sys.exit(f"{label}: objective barely fell: {obj[0]!r} -> {obj[-1]!r}")
print(f"{label}: {len(obj)} checkpoints, f {obj[0]:.6g} -> {obj[-1]:.6g}, non-increasing")
' "$TMP/gd.h5" "gd K=$K $loss" || fail "gd K=$K $loss is not monotone"
    done
done
echo "ok"
