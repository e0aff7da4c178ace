#!/usr/bin/python3
"""refresh_table.py - the tables of notes/refresh.md (issue 21) from a
results file of experiments/regime.ini: per data set, lambda and period,
the tail rate per epoch (tail_rate_per_epoch, SPEC 4: the last third of the
checkpoints) of saga, dsaga, dsaga refresh=visited, local-svrg and
scaffnew, each as a median over seeds, with epochs and rounds to a relative
suboptimality of 1e-8 (first checkpoint at or below; "-" where no seed got
there), and predict (SPEC 4.1) against the measured tail for both dsaga
variants, and the predicted tail (predicted_tail_rate_per_epoch: the tail
such a run shows, harness/predict.c) beside the asymptotic prediction.

usage: refresh_table.py results/regime.h5 [MORE.h5 ...]   (seeds of several
files are pooled per cell: e.g. regime.ini plus a copy with more seeds)
"""
import sys

import h5py
import numpy as np


def s(v):
    return v.decode() if isinstance(v, bytes) else v


def lam_text(a):
    """'1/N' for the default lambda, else the number."""
    lam = float(a["lambda"])
    n = int(a["n_samples"])
    return "1/N" if abs(lam * n - 1.0) < 1e-9 else "%g" % lam


def ds_text(d):
    return "rcv1-like" if d.startswith("synth-sparse:n=20000,d=47000") else d


def first_reach(series, thr):
    ep, ro, so = series
    rel = so / so[0]
    hit = np.nonzero(rel <= thr)[0]
    return (ep[hit[0]], ro[hit[0]]) if len(hit) else (np.nan, np.nan)


def method_of(a):
    alg = s(a["algorithm"])
    ref = s(a.get("refresh", "none")) if alg == "dsaga" else "none"
    return {"visited": "dsaga+refresh", "late": "dsaga+late"}.get(ref, alg)


def period_of(a):
    alg = s(a["algorithm"])
    if alg in ("saga", "scaffnew"):
        return "-"
    return s(a["period_text"]).replace("0.10000000000000001n", "0.1n")


def load(path, cells):
    with h5py.File(path, "r") as f:
        for k in sorted(f["runs"]):
            g = f["runs"][k]
            a = g.attrs
            if s(a["status"]) not in ("done", "diverged"):
                continue
            if float(a.get("refresh_fraction", 1.0)) != 1.0:
                continue  # a fraction of the refreshes: notes/fraction_table.py
            ser = (g["epoch"][()], g["rounds"][()], g["subopt"][()])
            key = (ds_text(s(a["dataset"])), lam_text(a), method_of(a), period_of(a))
            e8, r8 = first_reach(ser, 1e-8)
            cells.setdefault(key, []).append(dict(
                seed=int(a["seed"]), tail=float(a["tail_rate_per_epoch"]), window=float(a["rate_per_epoch"]),
                pred=float(a.get("predicted_rate_per_epoch", np.nan)),
                ptail=float(a.get("predicted_tail_rate_per_epoch", np.nan)), e8=e8, r8=r8,
                status=s(a["status"]), end=ser[0][-1], rel_end=ser[2][-1] / ser[2][0]))


def med(cells, key, field):
    v = [c[field] for c in cells.get(key, [])]
    v = [x for x in v if np.isfinite(x)]
    return float(np.median(v)) if v else np.nan


def reach(cells, key):
    """'epochs / rounds' median over the seeds that reached 1e-8, '-' if none
    (then: '- (rel. 3e-7 at 300)')."""
    runs = cells.get(key, [])
    if not runs:
        return "n/a"
    hit = [c for c in runs if np.isfinite(c["e8"])]
    if not hit:
        worst = max(c["rel_end"] for c in runs)
        return "- (%.0e at %d)" % (worst, max(c["end"] for c in runs))
    e = np.median([c["e8"] for c in hit])
    r = np.median([c["r8"] for c in hit])
    out = "%.0f / %.0f" % (e, r) if r > 0 else "%.0f / -" % e
    if len(hit) < len(runs):
        out += " (%d of %d)" % (len(hit), len(runs))
    return out


def median_interval(v, n_boot=20000, seed=1):
    """95 % bootstrap interval of the median of v (resampling the seeds;
    seeded, so the table is reproducible): how well a few seeds pin the
    median tail down."""
    v = np.asarray(v, dtype=float)
    boots = np.median(np.random.default_rng(seed).choice(v, size=(n_boot, len(v))), axis=1)
    return np.percentile(boots, [2.5, 97.5])


def f4(x):
    return "%.4f" % x if np.isfinite(x) else "n/a"


def main(paths):
    cells = {}
    for path in paths:
        load(path, cells)
    dsets = sorted({k[0] for k in cells}, key=lambda d: ("a9a", "phishing", "rcv1-like").index(d)
                   if d in ("a9a", "phishing", "rcv1-like") else 9)
    lams = ["1/N", "0.0001", "0.001", "0.01"]
    print("## Tail rate per epoch (median over seeds) and epochs / rounds to 1e-8\n")
    print("| data | lambda | tau | saga tail | dsaga tail | +refresh tail | refresh/dsaga | "
          "refresh/saga | saga to 1e-8 | dsaga to 1e-8 | +refresh to 1e-8 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dsets:
        for lam in lams:
            for tau in ("0.1n", "1n"):
                sk = (d, lam, "saga", "-")
                dk = (d, lam, "dsaga", tau)
                rk = (d, lam, "dsaga+refresh", tau)
                if dk not in cells and rk not in cells:
                    continue
                st, dt, rt = med(cells, sk, "tail"), med(cells, dk, "tail"), med(cells, rk, "tail")
                print("| %s | %s | %s n_k | %s | %s | %s | %.1fx | %.2f | %s | %s | %s |" % (
                    d, lam, tau[:-1], f4(st), f4(dt), f4(rt), rt / dt, rt / st,
                    reach(cells, sk), reach(cells, dk), reach(cells, rk)))
    if any(k[2] == "dsaga+late" for k in cells):
        print("\n## refresh = late (only the rows drawn in the round's second half)\n")
        print("| data | lambda | tau | dsaga tail | +refresh tail | +late tail | late/dsaga | "
              "late/refresh | +refresh to 1e-8 | +late to 1e-8 |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for d in dsets:
            for lam in lams:
                for tau in ("0.1n", "1n"):
                    dk, rk, lk = ((d, lam, m, tau) for m in ("dsaga", "dsaga+refresh", "dsaga+late"))
                    if lk not in cells:
                        continue
                    dt, rt, lt = med(cells, dk, "tail"), med(cells, rk, "tail"), med(cells, lk, "tail")
                    print("| %s | %s | %s n_k | %s | %s | %s | %.1fx | %.2fx | %s | %s |" % (
                        d, lam, tau[:-1], f4(dt), f4(rt), f4(lt), lt / dt, lt / rt,
                        reach(cells, rk), reach(cells, lk)))
    print("\n## The rivals: tail rate per epoch and epochs / rounds to 1e-8\n")
    print("| data | lambda | tau | local-svrg tail | local-svrg to 1e-8 | scaffnew tail | "
          "scaffnew to 1e-8 |")
    print("|---|---|---|---|---|---|---|")
    for d in dsets:
        for lam in lams:
            for tau in ("0.1n", "1n"):
                lk = (d, lam, "local-svrg", tau)
                sk = (d, lam, "scaffnew", "-")
                if lk not in cells:
                    continue
                print("| %s | %s | %s n_k | %s | %s | %s | %s |" % (
                    d, lam, tau[:-1], f4(med(cells, lk, "tail")), reach(cells, lk),
                    f4(med(cells, sk, "tail")) if tau == "0.1n" else "",
                    reach(cells, sk) if tau == "0.1n" else ""))
    print("\n## predict (SPEC 4.1) against the measured tail\n")
    print("| data | lambda | tau | method | predicted | predicted tail | measured tail (seeds) | "
          "pred tail / tail (seeds) | pred / median tail | pred tail / median tail | "
          "95 % interval of the median tail |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    within = {}
    for d in dsets:
        for lam in lams:
            for tau in ("-", "0.1n", "1n"):  # "-": saga, the same model at K = 1
                for m in (("saga",) if tau == "-" else ("dsaga", "dsaga+refresh", "dsaga+late")):
                    key = (d, lam, m, tau)
                    runs = cells.get(key, [])
                    p = med(cells, key, "pred")
                    if not runs or not np.isfinite(p):
                        continue
                    pt = med(cells, key, "ptail")
                    mt = med(cells, key, "tail")
                    tails = " / ".join("%.4f" % c["tail"] for c in runs)
                    ratios = " / ".join("%.2f" % (pt / c["tail"]) for c in runs)
                    lo, hi = median_interval([c["tail"] for c in runs])
                    print("| %s | %s | %s | %s | %.4f | %s | %s | %s | %.2f | %.2f | "
                          "%.4f .. %.4f |" % (d, lam, tau[:-1] + " n_k" if tau != "-" else "-", m,
                                              p, f4(pt), tails, ratios,
                                              p / mt, pt / mt, lo, hi))
                    n = within.setdefault(m, [0, 0, 0, 0, 0])
                    n[0] += abs(p / mt - 1.0) <= 0.1
                    n[1] += abs(pt / mt - 1.0) <= 0.1
                    n[2] += 1
                    outside = abs(pt / mt - 1.0) > 0.1
                    n[3] += outside and lo <= pt <= hi  # outside 10 %, inside the interval
                    n[4] += outside and pt > hi         # outside, slower than the interval
    print()
    for m, (a, b, n, ci, slow) in within.items():
        print("- %s: within 10 %% of the median tail in %d of %d cells (predicted), %d of %d "
              "(predicted tail); of the %d outside, %d inside the median's 95 %% interval, "
              "%d slower than it" % (m, a, n, b, n, n - b, ci, slow))


if __name__ == "__main__":
    main(sys.argv[1:])
