#!/bin/bash
# test_k1_bitwise.sh - SPEC 3.2: dsaga with K = 1 reproduces saga bit for
# bit (same seed).  Checkpoints must fall on dsaga synchronisations, so the
# period divides the checkpoint spacing.  Also run inside a launch of 2
# ranks (K = 1 on a sub-communicator; saga centralized on rank 0).
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=600,d=200,nnz=10,seed=3
# checkpoints every 0.5 epoch = 300 component gradients; periods 300 and 100
# divide it.
run_h5 1 "$TMP/saga.h5" --algorithm saga --dataset "$S" --max-epochs 8 --seed 7
run_h5 1 "$TMP/d300.h5" --algorithm dsaga --dataset "$S" --nodes 1 --period 300 \
    --max-epochs 8 --seed 7
same_objective "$TMP/saga.h5" "$TMP/d300.h5" "synthetic, period 300 = spacing" "dsaga K=1 differs from saga"
run_h5 1 "$TMP/d100.h5" --algorithm dsaga --dataset "$S" --nodes 1 --period 100 \
    --max-epochs 8 --seed 7
same_objective "$TMP/saga.h5" "$TMP/d100.h5" "synthetic, period 100" "dsaga K=1 differs from saga"
run_h5 1 "$TMP/dfrac.h5" --algorithm dsaga --dataset "$S" --nodes 1 --period 0.5n \
    --max-epochs 8 --seed 7
same_objective "$TMP/saga.h5" "$TMP/dfrac.h5" "synthetic, period 0.5n" "dsaga K=1 differs from saga"
# inside a launch of 2: saga on rank 0 only, dsaga on a 1-rank sub-communicator
run_h5 2 "$TMP/saga2.h5" --algorithm saga --dataset "$S" --max-epochs 8 --seed 7
same_objective "$TMP/saga.h5" "$TMP/saga2.h5" "synthetic, saga under -np 2" "dsaga K=1 differs from saga"
run_h5 2 "$TMP/d2.h5" --algorithm dsaga --dataset "$S" --nodes 1 --period 100 \
    --max-epochs 8 --seed 7
same_objective "$TMP/saga.h5" "$TMP/d2.h5" "synthetic, dsaga --nodes 1 under -np 2" "dsaga K=1 differs from saga"

if have_a9a; then
    # N = 32561 is prime to small factors: period n (one local epoch, K = 1)
    # with a checkpoint every epoch.
    run_h5 1 "$TMP/a_saga.h5" --algorithm saga --dataset a9a --max-epochs 4 \
        --eval-every 1 --seed 3
    run_h5 1 "$TMP/a_dsaga.h5" --algorithm dsaga --dataset a9a --nodes 1 --period 1n \
        --max-epochs 4 --eval-every 1 --seed 3
    same_objective "$TMP/a_saga.h5" "$TMP/a_dsaga.h5" "a9a, period 1n" "dsaga K=1 differs from saga"
else
    partial "a9a not available (no DSAGA_DATA_MIRROR/a9a.xz, no cache): synthetic only"
fi
echo "ok"
