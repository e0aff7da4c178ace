#!/bin/bash
# test_paper_point.sh - issue 5's must-show, on a9a (logistic, lambda = 1/N,
# 60 epochs):
#   - dsaga (mean), K = 2 and K = 4, period 0.5n: subopt falls by at least
#     3 decades;
#   - K = 4 converges linearly: log10(subopt) against epoch is a line
#     (R^2 >= 0.95) over the asymptotic phase (the second half of the run's
#     epochs), with a tail slope no worse than saga's / (2 K).  Why the tail:
#     on a9a even saga's curve bends (the first epochs gain decades fast,
#     then the slower geometric phase set by lambda = 1/N takes over), so a
#     fit over SPEC 4's whole window mixes two phases;
#   - K = 2 at this period does NOT keep a linear rate on a9a: past ~1e-7 its
#     rate decays (tail R^2 ~0.90, tail slope ~1/5 of saga's).  The literal
#     numpy reference tests/reference/naive_dsaga.py shows the same on the
#     full a9a (seed 1: 2.0e-7 at epoch 40, 5.8e-8 at 60, against 2.0e-7 and
#     9.0e-8 here), so it is dsaga's behaviour, not this code's; README
#     "Findings".  The test records it (prints R^2 and slope) and asserts
#     what does hold: still descending at the end (tail slope < -0.01
#     decades per epoch) and below 1e-6 of the initial subopt;
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
run_h5 1 "$TMP/saga.h5" --algorithm saga "${common[@]}"
echo "runs took $(($(date +%s) - t0)) s"

py '
import sys, math, h5py, numpy as np
tmp = sys.argv[1]
bad = []
def load(name):
    f = h5py.File(f"{tmp}/{name}.h5", "r")
    return f, f["runs/000000"]

def tail_fit(r):
    s, e = r["subopt"][()], r["epoch"][()]
    m = e >= 0.5 * e[-1]
    x, y = e[m], np.log10(s[m])
    slope, icpt = np.polyfit(x, y, 1)
    r2 = 1 - np.sum((y - (slope * x + icpt)) ** 2) / np.sum((y - y.mean()) ** 2)
    return s, e, m.sum(), x, slope, r2

f, r = load("saga")
s, e, npts, x, saga_slope, r2 = tail_fit(r)
saga_rate = float(r.attrs["rate_per_epoch"])
print(f"saga: {math.log10(s[0] / s[-1]):.2f} decades in {e[-1]:.1f} epochs, tail epochs "
      f"{x[0]:.1f}-{x[-1]:.1f}: slope {saga_slope:.4f}/epoch, R^2 {r2:.4f}; "
      f"rate_per_epoch {saga_rate:.4f}")

# linear convergence of dsaga (mean)
for name, K in (("dsaga2", 2), ("dsaga4", 4)):
    f, r = load(name)
    status = r.attrs["status"]
    status = status.decode() if isinstance(status, bytes) else status
    if status != "done":
        bad.append(f"{name}: status {status}")
    s, e, npts, x, slope, r2 = tail_fit(r)
    decades = math.log10(s[0] / s[-1])
    rate = float(r.attrs["rate_per_epoch"])
    print(f"{name}: {decades:.2f} decades in {e[-1]:.1f} epochs, tail {npts} points "
          f"epochs {x[0]:.1f}-{x[-1]:.1f}: slope {slope:.4f}/epoch, R^2 {r2:.4f}; "
          f"rate_per_epoch {rate:.4f} (SPEC 4 window)")
    if decades < 3:
        bad.append(f"{name}: subopt fell by {decades:.2f} decades (< 3)")
    if npts < 5:
        bad.append(f"{name}: only {npts} checkpoints in the tail")
    elif K == 4:
        if r2 < 0.95:
            bad.append(f"{name}: R^2 {r2:.4f} of log10(subopt) vs epoch over the tail (< 0.95)")
        if not slope < saga_slope / (2 * K):
            bad.append(f"{name}: tail slope {slope:.4f} slower than the saga slope / (2 K) = "
                       f"{saga_slope / (2 * K):.4f}")
    else:
        print(f"{name}: known deviation, not linear at period 0.5n: tail R^2 {r2:.4f}, "
              f"tail slope {slope / saga_slope:.2f} x saga")
        if not slope < -0.01:
            bad.append(f"{name}: tail slope {slope:.4f} (>= -0.01: stalled)")
        if not s[-1] < 1e-6 * s[0]:
            bad.append(f"{name}: final subopt {s[-1] / s[0]:.2e} of initial (>= 1e-6)")

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
