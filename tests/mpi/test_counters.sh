#!/bin/bash
# test_counters.sh - SPEC 4: rounds, bytes and component gradients at every
# checkpoint equal the closed form each method declares, for every
# registered method (listed by `dsaga-bench --help`), with K = 2 and K = 4.
#
# Each run stores its method's declared counters per round
# (counters_per_round = rounds, bytes, gradients, all nodes; < 0 where not
# fixed per round) for the shards it really had.  This test checks the
# measured series against them:
#   rounds   = collective calls   = (epoch N / grads per round) * rounds per round
#   bytes    = rounds * bytes per round / rounds per round
# and, independently of any method's declaration, the byte count of a
# counted allreduce (SPEC 4: 8 n K for n doubles), through dsaga's 2d-double
# buffer: 16 d K bytes per round, written out here.  K divides N so that
# every node does the same work per round.  A method added to the registry
# is checked here without an edit.
. "$(dirname "$0")/lib.sh"
# the plugin build holds every registered method plus one defined only in a
# test file: it is checked here too, from its declaration alone
EXE=${PLUGIN_EXE:-$EXE}

S=synth-sparse:n=800,d=120,nnz=8,seed=5
algorithms=$(mpirun_np 1 --help | sed -n '/^algorithms/,/^$/p' | awk 'NF && !/^algorithms/ {print $1}')
[ -n "$algorithms" ] || fail "no algorithm listed by --help"

check() {
    local method=$1 file=$2 K=$3
    py '
import sys, h5py, math
method, path, K = sys.argv[1], sys.argv[2], int(sys.argv[3])
with h5py.File(path, "r") as f:
    r = f["runs/000000"]
    N, d = int(r.attrs["n_samples"]), int(r.attrs["n_features"])
    central = int(f["algorithms"][method].attrs["centralized"])
    servers = int(f["algorithms"][method].attrs["server_ranks"])  # SPEC 3.9
    nodes = int(r.attrs["nodes"])
    if nodes != (1 if central else K - servers):
        sys.exit(f"{method} K={K}: nodes attr {nodes}")
    per_rounds, per_bytes, per_grads = (float(x) for x in r.attrs["counters_per_round"])
    ep, rounds, nbytes = r["epoch"][()], r["rounds"][()], r["bytes"][()]
    if len(ep) < 3:
        sys.exit(f"{method} K={K}: only {len(ep)} checkpoints")
    for i in range(len(ep)):
        grads = round(ep[i] * N)  # epoch = grads / N exactly up to rounding
        if per_grads > 0:
            if grads % per_grads:
                sys.exit(f"{method} K={K}: checkpoint {i} at {grads} gradients, "
                         f"not a whole number of rounds of {per_grads:g}")
            want_r = grads // per_grads * per_rounds
            if rounds[i] != want_r:
                sys.exit(f"{method} K={K}: checkpoint {i}: rounds {rounds[i]}, expected {want_r}")
        if per_rounds == 0 and rounds[i] != 0:
            sys.exit(f"{method} K={K}: declares no communication, counted {rounds[i]} rounds")
        if per_rounds > 0 and nbytes[i] != rounds[i] / per_rounds * per_bytes:
            sys.exit(f"{method} K={K}: checkpoint {i}: bytes {nbytes[i]}, expected "
                     f"{rounds[i] / per_rounds * per_bytes}")
    if method == "dsaga" and per_bytes != 16 * d * K:
        sys.exit(f"dsaga K={K}: declares {per_bytes} bytes a round, SPEC 3.2 says 16 d K = {16*d*K}")
    if not central and rounds[-1] <= 0:
        sys.exit(f"{method} K={K}: a distributed method that never communicated")
    print(f"{method} K={K}: {len(ep)} checkpoints, last rounds {int(rounds[-1])} bytes {int(nbytes[-1])}")
' "$method" "$file" "$K" || fail "$method K=$K: counters differ from the declared closed form"
}

for K in 2 4; do
    for method in $algorithms; do
        run_h5 "$K" "$TMP/$method$K.h5" --algorithm "$method" --dataset "$S" --max-epochs 3 \
            --seed 2 --tol 0
        check "$method" "$TMP/$method$K.h5" "$K"
    done
done

# dsaga refresh = visited (SPEC 3.2b) counts its refreshes in epoch: at
# period 1 each node draws one row a round and refreshes it at the start of
# the next, so after r rounds grads = K r (steps) + K (r - 1) (refreshes);
# rounds and bytes are those of plain dsaga (16 d K a round)
for K in 2 4; do
    run_h5 "$K" "$TMP/refresh$K.h5" --algorithm dsaga --dataset "$S" --period 1 \
        --refresh visited --max-epochs 2 --seed 2 --tol 0
    py '
import sys, h5py
path, K = sys.argv[1], int(sys.argv[2])
r = h5py.File(path, "r")["runs/000000"]
N, d = int(r.attrs["n_samples"]), int(r.attrs["n_features"])
if float(r.attrs["counters_per_round"][2]) >= 0:
    sys.exit("refresh = visited declares a fixed number of gradients per round")
for i, (ep, rounds, nbytes) in enumerate(zip(r["epoch"][()], r["rounds"][()], r["bytes"][()])):
    want = K * rounds + K * max(rounds - 1, 0)
    if round(ep * N) != want or nbytes != 16 * d * K * rounds:
        sys.exit(f"K={K} checkpoint {i}: {round(ep * N)} gradients, {nbytes} bytes after "
                 f"{rounds} rounds; expected {want}, {16 * d * K * rounds}")
print(f"dsaga refresh=visited K={K}: {i + 1} checkpoints, gradients = K (2 rounds - 1)")
' "$TMP/refresh$K.h5" "$K" || fail "dsaga refresh=visited K=$K: epoch does not count the refreshes"
done
echo "ok"
