#!/usr/bin/python3
"""curve_table.py - a predicted curve (`predict ... --out CURVE.tsv`) beside
the runs it predicts: per checkpoint epoch, log10 of subopt / subopt(0) of
the model (and of its variance part alone) and the median run with its
quartiles, then the slope of each curve per epoch over windows of the
same epochs, so that where the model and the runs part (a transient, a
different tail slope) is read off one table rather than a tail rate.

usage: curve_table.py CURVE.tsv RUNS.h5 [KEY=VALUE ...] [--every=E] [--windows=A:B,C:D]

KEY=VALUE keeps the runs whose attribute KEY prints as VALUE (refresh=visited
lambda=0.001 period_text=0.1n); every run of the file by default.  A run's
checkpoints are matched to the model's by order (both take one every
eval_every epochs from epoch 0); the median is over the runs that still
have that checkpoint (a run stops at tol), the count shown.
"""
import sys

import h5py
import numpy as np
import pandas as pd


def text(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, float):
        return "%g" % v
    return str(v)


def load_runs(path, want):
    curves = []
    with h5py.File(path, "r") as f:
        for name in sorted(f["runs"]):
            g = f["runs"][name]
            if all(text(g.attrs.get(k, "")) == v for k, v in want.items()):
                so = g["subopt"][:]
                curves.append(np.log10(np.maximum(so / so[0], 1e-300)))
    return curves


def slope(x, y):
    ok = np.isfinite(y)
    return np.polyfit(x[ok], y[ok], 1)[0] if ok.sum() >= 2 else float("nan")


def main(argv):
    every, windows, want, files = 2, [], {}, []
    for a in argv:
        if a.startswith("--every="):
            every = int(a.split("=", 1)[1])
        elif a.startswith("--windows="):
            windows = [tuple(float(x) for x in w.split(":")) for w in a.split("=", 1)[1].split(",")]
        elif "=" in a and not a.startswith("-"):
            k, v = a.split("=", 1)
            want[k] = v
        else:
            files.append(a)
    if len(files) != 2:
        sys.exit(__doc__)
    c = pd.read_csv(files[0], sep="\t")
    runs = load_runs(files[1], want)
    if not runs:
        sys.exit("curve_table.py: no run of %s matches %s" % (files[1], want))
    s0 = c.subopt[0]
    model = np.log10(c.subopt.values / s0)
    with np.errstate(divide="ignore"):
        var = np.log10(c.variance_part.values / s0)  # -inf where it is 0
    n = max(len(model), max(len(r) for r in runs))
    grid = np.full((len(runs), n), np.nan)
    for i, r in enumerate(runs):
        grid[i, :len(r)] = r
    ep = np.full(n, np.nan)
    ep[:len(c)] = c.epoch.values
    print("%d runs; model %d checkpoints to epoch %.1f" % (len(runs), len(c), c.epoch.values[-1]))
    print("| epoch | model | its variance part | median run | quartiles | runs |")
    print("|---|---|---|---|---|---|")
    med = np.full(n, np.nan)
    for j in range(n):
        col = grid[:, j][np.isfinite(grid[:, j])]
        if len(col):
            med[j] = np.median(col)
        if j % every or j >= len(model):
            continue
        q1, q3 = np.percentile(col, [25, 75]) if len(col) else (np.nan, np.nan)
        vtext = "%.2f" % var[j] if np.isfinite(var[j]) else "-"
        print("| %.1f | %.2f | %s | %.2f | %.2f to %.2f | %d |"
              % (ep[j], model[j], vtext, med[j], q1, q3, len(col)))
    if not windows:
        last = c.epoch.values[-1]
        windows = [(a, min(a + 10, last)) for a in np.arange(0, last, 10)]
    print()
    print("| epochs | model slope | median run slope | ratio |")
    print("|---|---|---|---|")
    for a, b in windows:
        k = np.where((ep >= a) & (ep <= b))[0]
        k = k[k < len(model)]
        # the median run only while at least half the runs still run
        live = [j for j in k if np.isfinite(grid[:, j]).sum() * 2 >= len(runs)]
        sm = slope(ep[k], model[k]) if len(k) >= 2 else float("nan")
        sr = slope(ep[live], med[live]) if len(live) >= 2 else float("nan")
        print("| %g-%g | %.4f | %.4f | %.3f |" % (a, b, sm, sr, sm / sr))


if __name__ == "__main__":
    main(sys.argv[1:])
