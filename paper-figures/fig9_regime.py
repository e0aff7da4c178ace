#!/usr/bin/python3
"""fig9_regime.py - SPEC 6.9: where the claim holds.  dsaga's tail rate as a
fraction of saga's (same data set, lambda and seed) against n_k lambda /
L_max, one panel per data set, one colour per K, one line style per period;
measured points (markers) over the predicted curves of SPEC 4.1 (lines,
predicted_rate_per_epoch stored by a grid with `predict = yes`).

L_max is not an attr: it is recovered from the default step rule of saga and
dsaga, step_size = step_scale / (3 L_max) (SPEC 2), for runs without an
explicit step.

usage: fig9_regime.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import numpy as np

import common as C

STEM = "fig9_regime"


def tail(r):
    v = r.get("tail_rate_per_epoch")
    return v if v is not None and np.isfinite(v) else float("nan")


def pred(r):
    v = r.get("predicted_rate_per_epoch")
    return v if v is not None and np.isfinite(v) else float("nan")


def l_max(r):
    if (r.get("step_requested") or 0) > 0 or not (r.get("step_size") or 0) > 0:
        return float("nan")
    return r.get("step_scale", 1.0) / (3.0 * r.get("step_size"))


def points(runs):
    """{dataset: {(K, period_text): [(x, measured ratio, predicted ratio)]}}
    over the lambdas where saga has a tail rate."""
    ok = [r for r in C.usable(runs) if not C.has_net(r) and r.get("status") == "done"
          and r.get("tail_rate_per_epoch") is not None]
    out = {}
    for ds in C.datasets_of(ok):
        saga = {}
        for r in ok:
            if r.algorithm == "saga" and r.dataset == ds:
                saga.setdefault(C._norm(r.get("lambda")), []).append(r)
        curves = {}
        for r in ok:
            if r.algorithm != "dsaga" or r.dataset != ds or r.get("aggregate") != "mean" \
                    or r.get("step_scale") != 1.0 or r.get("partition", "random") not in (
                        "random", ""):  # by-label shards (figure 5) are another question
                continue
            ref = saga.get(C._norm(r.get("lambda")))
            if not ref:
                continue
            s_tail = np.median([tail(q) for q in ref])
            s_pred = np.median([pred(q) for q in ref])
            n_k = r.get("n_samples") / r.get("nodes")
            x = n_k * r.get("lambda") / l_max(r)
            key = (int(r.get("nodes")), C.period_label(r), bool(r.period_is_fraction))
            curves.setdefault(key, []).append((x, tail(r) / s_tail, pred(r) / s_pred, r))
        lambdas = {round(np.log10(p[3].get("lambda")), 6) for v in curves.values() for p in v}
        if curves and len(lambdas) >= 2:
            out[ds] = curves
    return out


def make(runs, out_dir):
    pts = points(runs)
    if not pts:
        raise C.MissingRuns("no dsaga and saga runs with a tail rate at two or more lambdas "
                            "(experiments/regime.ini)")
    fig, axes = C.panel_grid(len(pts), width=5.2, height=4.0)
    used = []
    styles = ["-", "--", ":", "-."]
    # colours (K) and line styles (period) over the whole figure: one legend
    # for every panel; periods in order, as fractions of n_k first
    ks = sorted({k for curves in pts.values() for k, _, _ in curves})

    def order(item):
        (k, per, frac), v = item
        return (k, not frac, v[0][3].get("period"))

    periods = sorted({(f, p, v[0][3].get("period")) for curves in pts.values()
                      for (_, p, f), v in curves.items()}, key=lambda t: (not t[0], t[2]))
    periods = [(f, p) for f, p, _ in periods]
    from matplotlib.lines import Line2D
    entries = {}  # (K, fraction?, period): (handle, label), for the one legend
    for ax, (ds, curves) in zip(axes, sorted(pts.items(), key=lambda kv: C.ds_name(kv[0]))):
        for (k, per, frac), v in sorted(curves.items(), key=order):
            v = sorted(v, key=lambda t: t[0])
            x = np.array([t[0] for t in v])
            meas = np.array([t[1] for t in v])
            prd = np.array([t[2] for t in v])
            c = C.shade("dsaga", ks.index(k), len(ks))
            ls = styles[periods.index((frac, per)) % len(styles)]
            ax.plot(x, prd, color=c, ls=ls, lw=1.2)
            good = np.isfinite(meas) & (meas > 0)
            ax.plot(x[good], meas[good], color=c, ls="none", marker=C.marker("dsaga"), ms=5,
                    mfc="none" if frac else c)
            # the legend entry: the configuration's line (predicted) and marker (measured)
            entries[order(((k, per, frac), v))] = (
                Line2D([], [], color=c, ls=ls, lw=1.2, marker=C.marker("dsaga"), ms=5,
                       mfc="none" if frac else c), "dsaga K=%d %s" % (k, per))
            used += [t[3] for t in v]
        ax.axhline(1.0, color=C.color("saga"), ls="--", lw=1, label="saga (ratio 1)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n_k \u03bb / L_max")
        ax.set_ylabel("dsaga tail rate / saga tail rate")
        ax.set_title(C.ds_name(ds))
    fig.suptitle("Where the claim holds: dsaga's tail rate relative to saga's")
    # one legend below the panels (as every figure): each K and period once,
    # and what the lines and markers are
    grey = "#555555"
    conf = [entries[e] for e in sorted(entries)]
    keys = [(Line2D([], [], color=grey, ls="-", lw=1.2), "line: predicted (SPEC 4.1)"),
            (Line2D([], [], color=grey, ls="none", marker=C.marker("dsaga"), ms=5),
             "filled: measured, \u03c4 in steps"),
            (Line2D([], [], color=grey, ls="none", marker=C.marker("dsaga"), ms=5, mfc="none"),
             "open: measured, \u03c4 / n_k")]
    extra = ([h for h, _ in conf + keys], [l for _, l in conf + keys])
    C.shared_legend(fig, axes, extra=extra, grow=True)
    caption = ("Figure 9. dsaga (mean aggregate, default step, random shards) tail rate "
               "(tail_rate_per_epoch: "
               "slope of log10 subopt over the last third of the checkpoints, SPEC 4) divided "
               "by saga's at the same lambda, against n_k lambda / L_max (n_k = N/K; L_max from "
               "the stored step, 1/(3 L_max)); one colour per K, one line style per period. "
               "Markers: measured (filled: period in steps, open: fraction of n_k); lines: the "
               "same ratio of predicted_rate_per_epoch (SPEC 4.1, `dsaga-bench predict`). "
               "A ratio of 1 means dsaga keeps saga's rate per epoch. Runs: %s."
               % C.status_count(used))
    return C.save_figure(fig, out_dir, STEM, "Where the claim holds", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
