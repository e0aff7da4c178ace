#!/bin/bash
# test_counters.sh - SPEC 4: rounds and bytes at every checkpoint equal the
# closed forms of each method, with K = 2 and K = 4.  Expected values are
# computed here from the checkpoint's epoch and the run's parameters:
#   grads    = epoch * N                    (component gradients, all nodes)
#   dsaga:     rounds = grads / (K tau),        bytes = rounds * 16 d K
#   sgd:       rounds = grads / (K batch),      bytes = rounds *  8 d K
#   local-sgd: rounds = grads / (K tau batch),  bytes = rounds *  8 d K
#   gd:        rounds = grads / N,              bytes = rounds *  8 d K
#   saga:      rounds = 0,                      bytes = 0
# (dsaga with sync = dense; the sparse counters: test_sparse_sync.sh)
# (d = n_features as stored, N = n_samples; K divides N here so that every
# node does the same work per round.)
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=800,d=120,nnz=8,seed=5
TAU=40
BATCH=4
check() {
    local method=$1 file=$2 K=$3
    py '
import sys, h5py
method, path, K, tau, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with h5py.File(path, "r") as f:
    r = f["runs/000000"]
    N, d = int(r.attrs["n_samples"]), int(r.attrs["n_features"])
    nodes = int(r.attrs["nodes"])
    want_nodes = 1 if method == "saga" else K
    if nodes != want_nodes:
        sys.exit(f"{method} K={K}: nodes attr {nodes}, expected {want_nodes}")
    per_round = {"dsaga": K * tau, "sgd": K * batch, "local-sgd": K * tau * batch,
                 "gd": N, "saga": None}[method]
    per_byte = {"dsaga": 16, "sgd": 8, "local-sgd": 8, "gd": 8, "saga": 0}[method]
    ep, rounds, nbytes = r["epoch"][()], r["rounds"][()], r["bytes"][()]
    if len(ep) < 3:
        sys.exit(f"{method} K={K}: only {len(ep)} checkpoints")
    for i in range(len(ep)):
        grads = round(ep[i] * N)  # epoch = grads / N exactly up to rounding
        if per_round is None:
            want_r = 0
        else:
            if grads % per_round:
                sys.exit(f"{method} K={K}: checkpoint {i} at {grads} gradients, "
                         f"not a whole number of rounds of {per_round}")
            want_r = grads // per_round
        want_b = want_r * per_byte * d * (K if per_byte else 0)
        if rounds[i] != want_r or nbytes[i] != want_b:
            sys.exit(f"{method} K={K}: checkpoint {i} (epoch {ep[i]}): rounds {rounds[i]} "
                     f"bytes {nbytes[i]}, expected {want_r} and {want_b}")
    print(f"{method} K={K}: {len(ep)} checkpoints, last rounds {int(rounds[-1])} bytes {int(nbytes[-1])}")
' "$method" "$file" "$K" "$TAU" "$BATCH" || fail "$method K=$K: counters differ from SPEC 4"
}

for K in 2 4; do
    common=(--dataset "$S" --nodes "$K" --max-epochs 3 --seed 2 --tol 0)
    run_h5 "$K" "$TMP/dsaga$K.h5" --algorithm dsaga --period "$TAU" --sync dense "${common[@]}"
    check dsaga "$TMP/dsaga$K.h5" "$K"
    run_h5 "$K" "$TMP/sgd$K.h5" --algorithm sgd --batch "$BATCH" "${common[@]}"
    check sgd "$TMP/sgd$K.h5" "$K"
    run_h5 "$K" "$TMP/lsgd$K.h5" --algorithm local-sgd --period "$TAU" --batch "$BATCH" \
        "${common[@]}"
    check local-sgd "$TMP/lsgd$K.h5" "$K"
    run_h5 "$K" "$TMP/gd$K.h5" --algorithm gd "${common[@]}"
    check gd "$TMP/gd$K.h5" "$K"
    run_h5 "$K" "$TMP/saga$K.h5" --algorithm saga "${common[@]}"
    check saga "$TMP/saga$K.h5" "$K"
done
echo "ok"
