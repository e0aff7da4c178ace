#!/usr/bin/python3
"""asymptote_table.py - the asymptotic rate, measured past the subopt floor
and predicted (notes/refresh.md, "The asymptotic rate, past the floor").

A run with tol = 0 (experiments/regime-asymptote*.ini) goes on after f's
round-off has stopped its subopt (near 1e-16 f(0)); its grad_norm falls
ten decades more.  Per run: SPEC 4's tail fit, on log10 grad_norm^2
instead of log10 subopt and to a floor 1e-22 of grad_norm(0)^2 instead of
1e-13 of subopt(0): the least-squares slope per epoch over the last third
(at least 5) of the checkpoints before grad_norm^2 first falls below the
floor.  Per cell: the median over the runs and a 95 % bootstrap interval
of it (4 000 resamples, seeded); the model's slope of log10 grad_norm^2
(`predict --out`'s column, notes/asymptote_predict.sh) over the same
epochs, from the runs' median first to their median last checkpoint; and
the model over the median.  --from E fits every run from epoch E instead
of its last third (a longer window, for the fast cells' noise).

usage: asymptote_table.py CURVES_DIR RUNS.h5... [--from E] [--floor F]
"""
import argparse
import collections
import os

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def cell_of(attrs):
    """(data, lambda for sorting, lambda as notes/asymptote_predict.sh names
    its curves: default or 1e-3, period)"""
    ds = text(attrs["dataset"])
    name = "rcv1-like" if ds.startswith("synth-sparse:n=20000,d=47000") else ds
    lam = float(attrs["lambda"])
    if abs(lam * float(attrs["n_samples"]) - 1) < 1e-9:
        return name, 0.0, "default", text(attrs["period_text"])
    return name, lam, ("%.0e" % lam).replace("e-0", "e-"), text(attrs["period_text"])


def run_slope(ep, gn, floor, start):
    g2 = (gn / gn[0]) ** 2
    below = np.nonzero(~(g2 >= floor))[0]
    end = below[0] if len(below) else len(ep)
    if start is None:
        keep = max((end + 2) // 3, 5)
        idx = np.arange(max(end - keep, 0), end)
    else:
        idx = np.nonzero(ep[:end] >= start)[0]
    if len(idx) < 5:
        return None
    return np.polyfit(ep[idx], np.log10(g2[idx]), 1)[0], ep[idx[0]], ep[idx[-1]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("curves", help="folder of notes/asymptote_predict.sh's DATA-LAMBDA-PERIOD.tsv")
    ap.add_argument("runs", nargs="+", help="results files of experiments/regime-asymptote*.ini")
    ap.add_argument("--from", dest="start", type=float, default=None,
                    help="fit every run from this epoch instead of its last third")
    ap.add_argument("--floor", type=float, default=1e-22,
                    help="the fit ends where grad_norm^2 first falls below FLOOR of its start")
    args = ap.parse_args()
    cells = collections.defaultdict(list)
    for path in args.runs:
        with h5py.File(path, "r") as f:
            for name in f["runs"]:
                g = f["runs"][name]
                if text(g.attrs.get("refresh", "")) != "visited":
                    continue
                got = run_slope(g["epoch"][:], g["grad_norm"][:], args.floor, args.start)
                if got:
                    cells[cell_of(g.attrs)].append(got)
    rng = np.random.default_rng(0)
    print("| data | lambda | tau | epochs | runs | measured (95 % interval) | predicted | predicted / measured |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(cells):
        name, _, lam, period = key
        v = np.array(cells[key])
        med = float(np.median(v[:, 0]))
        boot = np.median(rng.choice(v[:, 0], (4000, len(v))), axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        a, b = float(np.median(v[:, 1])), float(np.median(v[:, 2]))
        pred = float("nan")
        curve = os.path.join(args.curves, "%s-%s-%s.tsv" % (name, lam, period))
        if os.path.exists(curve):
            c = np.loadtxt(curve, skiprows=1)
            m = (c[:, 0] >= a) & (c[:, 0] <= b)
            if m.sum() >= 2:
                pred = float(np.polyfit(c[m, 0], 2 * np.log10(c[m, 4]), 1)[0])
        print("| %s | %s | %s | %.0f-%.0f | %d | %.4f (%.4f to %.4f) | %.4f | %.3f |"
              % (name, "1/N" if lam == "default" else lam, period, a, b, len(v), med, lo, hi,
                 pred, pred / med))


if __name__ == "__main__":
    main()
