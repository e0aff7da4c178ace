#!/bin/bash
# test_netmodel.sh - issue 10: the modelled time model_s (base/netmodel.h)
# equals its closed form, computed here independently in Python, at every
# checkpoint of tiny runs:
#
#   model_s = sum over rounds of  max_k(work_k * compute_s * slow_k)
#                                 + T_allreduce(n doubles)
#   T_allreduce = 2 ceil(log2 K) alpha + 2 (K-1)/K * 8 n beta
#
# gd (a round = n_k component gradients per node, n = d), dsaga with a
# period in steps and as a fraction of n_k (n = 2d), on K = 2 and 4 nodes,
# without and with one node 3x slower; saga (K = 1: compute only, no
# network).  compute_s is given, so nothing is calibrated and the values are
# exact.  A last grid checks the random per-round delay against the mean of
# the maximum of K exponentials.  `run` has no network options, so the test
# writes tiny grid files.
. "$(dirname "$0")/lib.sh"

# N divisible by 2 and 4: every node holds n_k = N/K rows, so max_k is the
# slow node's whichever it is.
S=synth-sparse:n=400,d=30,nnz=5,seed=3
cat >"$TMP/net.ini" <<EOF
[grid]
datasets = $S
algorithms = gd dsaga saga
nodes = 2 4
max_epochs = 6
eval_every = 1
tol = 0
net_alpha_s = 1e-3
net_beta_s = 1e-7
compute_s = 2.5e-5
straggler_factor = 1 3
straggler_nodes = 1

[dsaga]
period = 10 0.5n
EOF

if ! $MPIRUN -q -np 4 "$EXE" grid "$TMP/net.ini" --quiet --out "$TMP/net.h5" \
    >"$TMP/grid.out" 2>"$TMP/grid.err"; then
    cat "$TMP/grid.err" >&2
    fail "grid of network-model runs failed"
fi

py '
import math, sys, h5py

def t_allreduce(alpha, beta, K, n):
    # Rabenseifner: reduce-scatter + allgather (Thakur et al. 2005)
    if K <= 1:
        return 0.0
    return 2 * math.ceil(math.log2(K)) * alpha + 2 * (K - 1) / K * 8 * n * beta

def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)

seen = set()
with h5py.File(sys.argv[1], "r") as f:
    for name, g in f["runs"].items():
        a = g.attrs
        alg, status = text(a["algorithm"]), text(a["status"])
        if status != "done":
            sys.exit(f"{name} {alg}: status {status}")
        K = 1 if alg == "saga" else int(a["nodes"])
        N, d = int(a["n_samples"]), int(a["n_features"])
        alpha, beta, cs = a["net_alpha_s"], a["net_beta_s"], a["compute_s"]
        slow = a["straggler_factor"] if a["straggler_nodes"] >= 1 else 1.0
        nk = N // K
        model = g["model_s"][()]
        rounds = g["rounds"][()]
        epoch = g["epoch"][()]
        if alg == "gd":
            per_round = nk * cs * slow + t_allreduce(alpha, beta, K, d)
            want = rounds * per_round
            label = f"gd K={K} slow={slow}"
        elif alg == "dsaga":
            unit = text(a["period_unit"])
            tau = round(a["period"] * nk) if unit == "n_k fraction" else int(a["period"])
            per_round = tau * cs * slow + t_allreduce(alpha, beta, K, 2 * d)
            want = rounds * per_round
            label = f"dsaga K={K} tau={tau} slow={slow}"
            # the rounds themselves: tau steps on each of K nodes per round
            if any(abs(r * tau * K - e * N) > 1e-9 * N for r, e in zip(rounds, epoch)):
                sys.exit(f"{label}: rounds {list(rounds)} do not match epochs {list(epoch)}")
        else:  # saga: one node doing every step, no collective
            want = epoch * N * cs * slow
            label = f"saga slow={slow}"
            if any(rounds != 0):
                sys.exit(f"{label}: saga communicated: rounds {list(rounds)}")
        if len(model) < 6 or rounds[-1] < 1 and alg != "saga":
            sys.exit(f"{label}: only {len(model)} checkpoints / {rounds[-1]} rounds")
        # model_s is a running sum of at most a few hundred terms of equal
        # size, each exact to 1 ulp: 1e-12 relative leaves room for that
        # rounding (~1e-14) and nothing for a missing or extra term.
        for i, (m, w) in enumerate(zip(model, want)):
            if abs(m - w) > 1e-12 * max(abs(w), 1e-300):
                sys.exit(f"{label}: checkpoint {i}: model_s {m!r}, closed form {w!r}")
        if model[-1] <= 0:
            sys.exit(f"{label}: model_s never grew")
        seen.add(label)
        print(f"{label}: {len(model)} checkpoints, {int(rounds[-1])} rounds, "
              f"model_s {model[-1]:.6g} s = closed form")
want = 2 * 2 + 2 * 2 * 2 + 2  # gd K=2,4 x slow 1,3; dsaga x 2 periods; saga x slow 1,3
if len(seen) != want:
    sys.exit(f"expected {want} distinct cells, checked {len(seen)}: {sorted(seen)}")
' "$TMP/net.h5" || fail "model_s differs from the closed form"

# Random delay per node and round: Exp(mean D) each, so a round costs
# E[max of K exponentials] = D * H_K (H_K the K-th harmonic number) beyond
# the compute and the network terms.
cat >"$TMP/delay.ini" <<EOF
[grid]
datasets = $S
algorithms = dsaga
nodes = 2 4
period = 4
max_epochs = 20
eval_every = 5
tol = 0
net_alpha_s = 0
net_beta_s = 0
compute_s = 1e-6
straggler_delay_s = 1e-3
EOF
if ! $MPIRUN -q -np 4 "$EXE" grid "$TMP/delay.ini" --quiet --out "$TMP/delay.h5" \
    >"$TMP/grid.out" 2>"$TMP/grid.err"; then
    cat "$TMP/grid.err" >&2
    fail "grid of delayed runs failed"
fi
py '
import math, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for name, g in f["runs"].items():
        a = g.attrs
        K, D, cs, tau = int(a["nodes"]), a["straggler_delay_s"], a["compute_s"], int(a["period"])
        model, rounds = g["model_s"][()], g["rounds"][()]
        extra = model - rounds * tau * cs  # the delays alone (alpha = beta = 0)
        if any(x < -1e-12 for x in extra) or any(extra[i + 1] < extra[i] for i in range(len(extra) - 1)):
            sys.exit(f"K={K}: delays negative or shrinking: {list(extra)}")
        R = int(rounds[-1])
        mean = extra[-1] / R
        h = sum(1.0 / i for i in range(1, K + 1))
        var = D * D * sum(1.0 / (i * i) for i in range(1, K + 1))  # Var of max of K Exp(D)
        # The mean of R independent maxima: within 5 standard errors of D*H_K
        # (a false alarm ~1e-6); a missing max_k, a wrong mean or a delay
        # drawn once per run would all land far outside.
        tol = 5 * math.sqrt(var / R)
        print(f"K={K}: {R} rounds, mean delay/round {mean:.4g} s, D*H_K {D * h:.4g} s, tol {tol:.2g}")
        if abs(mean - D * h) > tol:
            sys.exit(f"K={K}: mean delay per round {mean!r}, expected {D * h!r} +- {tol!r}")
' "$TMP/delay.h5" || fail "random delays do not average to D * H_K"
echo "ok"
