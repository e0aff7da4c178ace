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

--tail-to TOL compares SPEC 4's own tail instead: each run cut where a run
with tol = TOL would have stopped (its first checkpoint with subopt <= TOL
f(0)), then SPEC 4's fit of log10 subopt (the last third, at least 5, of
the checkpoints above 1e-13 subopt(0)); the prediction is the
predicted_tail_rate_per_epoch that `predict` printed beside the curve
(DATA-LAMBDA-PERIOD.txt).  A run that never reaches TOL is fitted whole,
as SPEC 4 fits a run that stops at max_epochs (a9a at lambda 1/N falls 5
decades in 300 epochs).  Beside them, the same fit of the runs' own median
curve (per epoch the median subopt over the runs, cut at TOL as the
model's): a smooth curve, as the model's is.  A run stops at its first
checkpoint under TOL, a low one in its scatter, and SPEC 4's fit keeps it;
the median curve has no such checkpoint, so where the median of the runs'
tails and the tail of their median curve part, no smooth curve, the
model's included, can come nearer than that (notes/refresh.md, "What a
smooth curve can show at 1e-12").

usage: asymptote_table.py CURVES_DIR RUNS.h5... [--from E] [--floor F]
                          [--tail-to TOL]
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
    name = ds
    if ds.startswith("synth-sparse:n=20000,d=47000"):
        name = "rcv1-like"
    elif ds.startswith("synth-sparse:"):  # regime-lean.ini's, as asymptote_predict.sh names them
        kv = dict(x.split("=") for x in ds.split(":", 1)[1].split(","))
        name = "synth-n%s-d%s" % (kv["n"], kv["d"])
    lam = float(attrs["lambda"])
    if abs(lam * float(attrs["n_samples"]) - 1) < 1e-9:
        return name, 0.0, "default", text(attrs["period_text"])
    return name, lam, ("%.0e" % lam).replace("e-0", "e-"), text(attrs["period_text"])


def fit(ep, y):
    """SPEC 4's fit: the least-squares slope of log10 y per epoch, with the
    first and last epoch fitted; None below 5 points"""
    if len(ep) < 5:
        return None
    return np.polyfit(ep, np.log10(y), 1)[0], ep[0], ep[-1]


def last_third(idx):
    """the last third of idx (rounded up), at least 5, as SPEC 4's tail"""
    return idx[-max((len(idx) + 2) // 3, 5):]


def run_slope(ep, gn, floor, start):
    g2 = (gn / gn[0]) ** 2
    below = np.nonzero(~(g2 >= floor))[0]
    end = below[0] if len(below) else len(ep)
    idx = last_third(np.arange(end)) if start is None else np.nonzero(ep[:end] >= start)[0]
    return fit(ep[idx], g2[idx])


def spec4_tail(ep, so, f0, tol):
    """SPEC 4's tail_rate_per_epoch of the run as if it had stopped at tol"""
    hit = np.nonzero(so <= tol * f0)[0]
    if len(hit):
        ep, so = ep[:hit[0] + 1], so[:hit[0] + 1]
    idx = last_third(np.nonzero(so > 1e-13 * so[0])[0])
    return fit(ep[idx], so[idx])


def median_curve_tail(runs, f0, tol):
    """SPEC 4's tail to tol of the runs' median curve: per checkpoint the
    median subopt over the runs, on the epochs every run has"""
    n = min(len(ep) for ep, _ in runs)
    so = np.median(np.array([s[:n] for _, s in runs]), axis=0)
    got = spec4_tail(runs[0][0][:n], so, f0, tol)
    return got[0] if got else float("nan")


def predicted(curves, name, lam, period, a, b, tail):
    """the model's slope over epochs a..b of its grad_norm^2 curve, or with
    tail = (TOL, f(0)) the SPEC 4 tail of its subopt curve cut at TOL f(0)"""
    path = os.path.join(curves, "%s-%s-%s.tsv" % (name, lam, period))
    if not os.path.exists(path):
        return float("nan")
    c = np.loadtxt(path, skiprows=1)
    if tail:
        got = spec4_tail(c[:, 0], c[:, 1], tail[1], tail[0])
        return got[0] if got else float("nan")
    m = (c[:, 0] >= a) & (c[:, 0] <= b)
    if m.sum() >= 2:
        return float(np.polyfit(c[m, 0], 2 * np.log10(c[m, 4]), 1)[0])
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("curves", help="folder of notes/asymptote_predict.sh's DATA-LAMBDA-PERIOD.tsv")
    ap.add_argument("runs", nargs="+", help="results files of experiments/regime-asymptote*.ini")
    ap.add_argument("--from", dest="start", type=float, default=None,
                    help="fit every run from this epoch instead of its last third")
    ap.add_argument("--floor", type=float, default=1e-22,
                    help="the fit ends where grad_norm^2 first falls below FLOOR of its start")
    ap.add_argument("--tail-to", dest="tail_to", type=float, default=None,
                    help="SPEC 4's tail of log10 subopt, each run cut where tol = TAIL_TO stops it")
    args = ap.parse_args()
    cells = collections.defaultdict(list)
    series = collections.defaultdict(list)  # per cell, with --tail-to: (epoch, subopt) per run
    f0 = {}  # per cell: f(0), the same for every seed (w = 0)
    short = collections.Counter()
    for path in args.runs:
        with h5py.File(path, "r") as f:
            for name in f["runs"]:
                g = f["runs"][name]
                if text(g.attrs.get("refresh", "")) != "visited":
                    continue
                key = cell_of(g.attrs)
                if args.tail_to is None:
                    got = run_slope(g["epoch"][:], g["grad_norm"][:], args.floor, args.start)
                else:
                    so = g["subopt"][:]
                    f0[key] = so[0] + g.attrs["fstar"]
                    got = spec4_tail(g["epoch"][:], so, f0[key], args.tail_to)
                    series[key].append((g["epoch"][:], so))
                if got:
                    cells[key].append(got)
                else:
                    short[key] += 1
    rng = np.random.default_rng(0)
    head = "| data | lambda | tau | epochs | runs | measured (95 % interval) | predicted | predicted / measured |"
    if args.tail_to is not None:
        head += " runs' median curve | it / measured | predicted / it |"
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    ratios = []
    for key in sorted(cells):
        name, _, lam, period = key
        v = np.array(cells[key])
        med = float(np.median(v[:, 0]))
        boot = np.median(rng.choice(v[:, 0], (4000, len(v))), axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        a, b = float(np.median(v[:, 1])), float(np.median(v[:, 2]))
        tail = (args.tail_to, f0[key]) if args.tail_to is not None else None
        pred = predicted(args.curves, name, lam, period, a, b, tail)
        ratios.append(pred / med)
        row = ("| %s | %s | %s | %.0f-%.0f | %d | %.4f (%.4f to %.4f) | %.4f | %.3f |"
               % (name, "1/N" if lam == "default" else lam, period, a, b, len(v), med, lo, hi,
                  pred, pred / med))
        if tail:
            mc = median_curve_tail(series[key], f0[key], args.tail_to)
            row += " %.4f | %.3f | %.3f |" % (mc, mc / med, pred / mc)
        print(row)
    r = np.array([x for x in ratios if x == x])
    if len(r):
        print("\n%d of %d cells within 10 %% (%.3f-%.3f)%s"
              % (np.sum(np.abs(r - 1) <= 0.1), len(r), r.min(), r.max(),
                 "; runs left out: %d" % sum(short.values()) if short else ""))


if __name__ == "__main__":
    main()
