#!/bin/bash
# test_async.sh - dsaga-async (SPEC 3.9, issue 19) under real mpirun:
#   1. K = 1 (one worker + the server, -np 2) reproduces saga bit for bit:
#      the same epoch, objective and grad_norm sequences;
#   2. fewer than K + 1 ranks is refused in one line on stderr, exit 2;
#   3. one worker of 2 slowed 100x (really sleeping, straggler_sleep = 2):
#      the run ends (no deadlock, under a timeout), the fast worker made
#      most updates, staleness is recorded;
#   4. counters at every checkpoint: rounds = server updates = sum of the
#      per-worker update counts, bytes = 2 * 16 d per update, epoch N =
#      sum_k updates_k tau_k;
#   5. dsaga runs under the same real straggler.
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=600,d=200,nnz=10,seed=3

# ---- 1. K = 1 is saga, bit for bit ----------------------------------------
run_h5 1 "$TMP/saga.h5" --algorithm saga --dataset "$S" --max-epochs 8 --seed 7
for P in 300 100 0.5n; do
    run_h5 2 "$TMP/a$P.h5" --algorithm dsaga-async --dataset "$S" --nodes 1 --period "$P" \
        --max-epochs 8 --seed 7
    same_objective "$TMP/saga.h5" "$TMP/a$P.h5" "dsaga-async K=1, period $P" \
        "dsaga-async K=1 differs from saga"
done

# ---- 2. a short launch is refused in one line -----------------------------
set +e
mpirun_np 2 run --algorithm dsaga-async --dataset "$S" --nodes 2 --quiet \
    >"$TMP/short.out" 2>"$TMP/short.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "2 workers on 2 ranks: exit $rc, expected 2"
lines=$(grep -c . "$TMP/short.err")
[ "$lines" -eq 1 ] || fail "2 workers on 2 ranks: $lines lines on stderr, expected 1"
grep -q 'need 3 ranks' "$TMP/short.err" || fail "the refusal does not say 3 ranks: $(cat "$TMP/short.err")"
echo "short launch refused: $(cat "$TMP/short.err")"

# ---- 3-5. a worker slowed 100x ---------------------------------------------
cat >"$TMP/slow.ini" <<EOF
[grid]
datasets   = synth-sparse:n=2000,d=100,nnz=8,seed=5
algorithms = dsaga-async dsaga
nodes      = 2
period     = 0.1n
max_epochs = 20
tol        = 0
network    = datacenter
compute_s  = 1e-5          ; emulated: 1 ms per update of 100 steps
straggler_factor = 100     ; the slow worker: 100 ms per update
straggler_nodes  = 1
straggler_sleep  = 2

[dsaga]                    ; waits for the straggler every round: keep it short
max_epochs = 2
EOF
start=$(date +%s)
timeout 120 $MPIRUN -q -np 3 "$EXE" grid "$TMP/slow.ini" --quiet --out "$TMP/slow.h5" \
    >"$TMP/slow.out" 2>"$TMP/slow.err" || {
    cat "$TMP/slow.err" >&2
    fail "the 100x straggler grid did not finish (exit $?; 124 = deadlock or too slow)"
}
echo "100x straggler grid: $(($(date +%s) - start)) s"
py '
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for name in f["runs"]:
        r = f["runs"][name]
        alg, st = r.attrs["algorithm"], r.attrs["status"]
        if st != "done":
            sys.exit(f"{alg}: status {st} " + str(r.attrs.get("message", "")))
        N, d, K = int(r.attrs["n_samples"]), int(r.attrs["n_features"]), int(r.attrs["nodes"])
        ep, rounds, nbytes = r["epoch"][()], r["rounds"][()], r["bytes"][()]
        if alg == "dsaga":
            wall = r["wall_s"][-1]
            print(f"dsaga with a real 100x straggler: {len(ep)} checkpoints, wall {wall:.2f} s")
            continue
        upd = r["worker_updates"][()]
        if upd.shape != (len(ep), K):
            sys.exit(f"worker_updates shape {upd.shape}, expected ({len(ep)}, {K})")
        tau = round(0.1 * N / K)
        for i in range(len(ep)):
            if rounds[i] != upd[i].sum():
                sys.exit(f"checkpoint {i}: rounds {rounds[i]} != updates {upd[i].sum()}")
            if nbytes[i] != 32 * d * rounds[i]:
                sys.exit(f"checkpoint {i}: bytes {nbytes[i]} != 32 d rounds {32*d*rounds[i]}")
            if round(ep[i] * N) != tau * upd[i].sum():
                sys.exit(f"checkpoint {i}: {ep[i]*N} gradients, {tau} x {upd[i].sum()} applied")
        slow, fast = upd[-1].min(), upd[-1].max()
        if not (slow >= 1 and fast >= 10 * slow):
            sys.exit(f"per-worker updates {upd[-1]}: the fast worker should make >= 10x")
        stale = r["staleness"][1:]
        if not (stale.max() > 1):
            sys.exit(f"staleness {stale}: the slow worker reads should be stale")
        ws = r["worker_staleness"][-1]
        slow_k = int(upd[-1].argmin())
        if not (ws[slow_k] >= 10 and ws[1 - slow_k] < 1):
            sys.exit(f"worker_staleness {ws}: the slow worker ({slow_k}) should see >= 10 "
                     f"updates between read and write, the fast one < 1")
        busy, wall = r["server_busy_s"][-1], r["wall_s"][-1]
        if not (0 < busy <= wall):
            sys.exit(f"server_busy_s {busy}, wall {wall}")
        print(f"dsaga-async, one worker 100x slower: updates {upd[-1].astype(int).tolist()}, "
              f"max staleness {stale.max():.1f}, {int(rounds[-1])} rounds, counters consistent")
' "$TMP/slow.h5" || fail "100x straggler: see above"

# figure 10 from these real-straggler runs: drawn, and its table names both
# methods with per-worker update counts
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"$PYTHON" "$ROOT/paper-figures/fig10_stragglers.py" "$TMP/slow.h5" "$TMP/fig" >"$TMP/fig.log" 2>&1 \
    || { cat "$TMP/fig.log"; fail "fig10_stragglers.py on the straggler runs"; }
[ "$(head -c 4 "$TMP/fig/fig10_stragglers.png" | tail -c 3)" = PNG ] || fail "fig10: no PNG"
"$PYTHON" "$ROOT/paper-figures/fig10_stragglers.py" --table "$TMP/slow.h5" >"$TMP/table.md" \
    || fail "fig10 --table"
grep -q '^| 100x | dsaga-async | .* | \[[0-9]*, [0-9]*\] |' "$TMP/table.md" \
    || { cat "$TMP/table.md"; fail "fig10 table: no dsaga-async row with per-worker updates"; }
grep -q '^| 100x | dsaga |' "$TMP/table.md" || fail "fig10 table: no dsaga row"
echo "figure 10 and its table drawn from the straggler runs"

# ---- 4b. counters with K = 3 workers, no straggler -------------------------
run_h5 4 "$TMP/k3.h5" --algorithm dsaga-async --dataset synth-sparse:n=900,d=60,nnz=6,seed=2 \
    --nodes 3 --period 30 --max-epochs 2 --tol 0 --seed 1
py '
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    r = f["runs/000000"]
    d = int(r.attrs["n_features"])
    ep, rounds, nbytes, upd = r["epoch"][()], r["rounds"][()], r["bytes"][()], r["worker_updates"][()]
    assert int(r.attrs["nodes"]) == 3, r.attrs["nodes"]
    for i in range(len(ep)):
        assert rounds[i] == upd[i].sum() and nbytes[i] == 32 * d * rounds[i], i
        assert round(ep[i] * 900) == 30 * rounds[i], (i, ep[i])
    assert (upd[-1] > 0).all(), upd[-1]
    print(f"K=3: {len(ep)} checkpoints consistent, updates {upd[-1].astype(int).tolist()}")
' "$TMP/k3.h5" || fail "K=3 counters"
echo "ok"
