#!/bin/bash
# test_paper_point.sh - issue 5's must-show, on a9a (logistic, lambda = 1/N,
# 60 epochs):
#   - dsaga (mean), K = 2 and K = 4, period 0.5n, converges linearly: subopt
#     falls by at least 3 decades, and log10(subopt) against epoch is a line
#     (R^2 >= 0.95) over the linear part, taken as the checkpoints with
#     subopt between 1e-9 and 1e-3 of its initial value (SPEC 4's window of
#     the rate fit, without its first decade, which holds the fast transient
#     of the first epochs);
#   - sgd and local-sgd, same epochs, stall: their subopt stays above 1e-3 of
#     its initial value at every checkpoint;
#   - dsaga (sum), K = 4, period 0.1n, diverges: status "diverged" recorded
#     in the file, every stored number finite.
# Skipped (with a message) when a9a is not available offline.
. "$(dirname "$0")/lib.sh"

have_a9a || skip "a9a not available (set DSAGA_DATA_MIRROR or fill the cache)"

common=(--dataset a9a --loss logistic --max-epochs 60 --seed 1)
t0=$(date +%s)
run_h5 2 "$TMP/dsaga2.h5" --algorithm dsaga --nodes 2 --period 0.5n "${common[@]}"
run_h5 4 "$TMP/dsaga4.h5" --algorithm dsaga --nodes 4 --period 0.5n "${common[@]}"
run_h5 2 "$TMP/sgd2.h5" --algorithm sgd --nodes 2 "${common[@]}"
# K = 4 on 2 cores: one allreduce per step of batch 1 would take minutes
# (oversubscribed ranks); a batch of 16 keeps it short and is no weaker a
# baseline.
run_h5 4 "$TMP/sgd4.h5" --algorithm sgd --nodes 4 --batch 16 "${common[@]}"
run_h5 2 "$TMP/lsgd2.h5" --algorithm local-sgd --nodes 2 --period 0.5n "${common[@]}"
run_h5 4 "$TMP/lsgd4.h5" --algorithm local-sgd --nodes 4 --period 0.5n "${common[@]}"
run_h5 4 "$TMP/sum4.h5" --algorithm dsaga --nodes 4 --aggregate sum --period 0.1n "${common[@]}"
echo "runs took $(($(date +%s) - t0)) s"

py '
import sys, math, h5py, numpy as np
tmp = sys.argv[1]
bad = []
def load(name):
    f = h5py.File(f"{tmp}/{name}.h5", "r")
    return f, f["runs/000000"]

# linear convergence of dsaga (mean)
for name in ("dsaga2", "dsaga4"):
    f, r = load(name)
    s, e = r["subopt"][()], r["epoch"][()]
    status = r.attrs["status"]
    status = status.decode() if isinstance(status, bytes) else status
    if status != "done":
        bad.append(f"{name}: status {status}")
    decades = math.log10(s[0] / s[-1])
    m = (s >= 1e-9 * s[0]) & (s <= 1e-3 * s[0])
    if m.sum() < 5:
        bad.append(f"{name}: only {m.sum()} checkpoints in the linear part")
        continue
    x, y = e[m], np.log10(s[m])
    slope, icpt = np.polyfit(x, y, 1)
    r2 = 1 - np.sum((y - (slope * x + icpt)) ** 2) / np.sum((y - y.mean()) ** 2)
    rate = float(r.attrs["rate_per_epoch"])
    print(f"{name}: {decades:.2f} decades in {e[-1]:.1f} epochs, linear part {m.sum()} points "
          f"epochs {x[0]:.1f}-{x[-1]:.1f}, slope {slope:.4f}/epoch, R^2 {r2:.4f}; "
          f"stored rate_per_epoch {rate:.4f}")
    if decades < 3:
        bad.append(f"{name}: subopt fell by {decades:.2f} decades (< 3)")
    if r2 < 0.95:
        bad.append(f"{name}: R^2 {r2:.4f} of log10(subopt) vs epoch over the linear part (< 0.95)")

# the baselines stall
for name in ("sgd2", "sgd4", "lsgd2", "lsgd4"):
    f, r = load(name)
    s, e = r["subopt"][()], r["epoch"][()]
    lowest = s.min() / s[0]
    print(f"{name}: {e[-1]:.1f} epochs, lowest subopt {s.min():.3e} = {lowest:.2e} of initial")
    if e[-1] < 59.9:
        bad.append(f"{name}: stopped at epoch {e[-1]}")
    if lowest <= 1e-3:
        bad.append(f"{name}: subopt reached {lowest:.2e} of initial (expected > 1e-3)")

# dsaga (sum) diverges, recorded with finite numbers
f, r = load("sum4")
status = r.attrs["status"]
status = status.decode() if isinstance(status, bytes) else status
cols = ("epoch", "rounds", "bytes", "wall_s", "comm_s", "objective", "subopt", "grad_norm")
finite = all(np.all(np.isfinite(r[c][()])) for c in cols)
nck, lastobj = len(r["epoch"]), float(r["objective"][-1])
print(f"sum4: status {status}, {nck} checkpoints, last objective "
      f"{lastobj:.3e}, all finite {finite}")
if status != "diverged":
    bad.append(f"sum4: status {status} (expected diverged)")
if not finite:
    bad.append("sum4: non-finite numbers stored")
sys.stdout.flush()
if bad:
    sys.exit("\n".join(bad))
' "$TMP" || fail "issue 5 paper point not shown"
echo "ok"
