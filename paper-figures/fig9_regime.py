#!/usr/bin/python3
"""fig9_regime.py - SPEC 6.9: where the claim holds, and which method keeps
saga's rate where.  Each distributed method's tail rate as a fraction of
saga's (same data set, lambda and seed) against n_k lambda / L_max, one panel
per data set; one colour per method variant (dsaga, dsaga refresh=visited,
local-svrg, scaffnew, each K: shades of the method's colour), one line
style per period; measured points (markers) over the predicted curves
(lines: predicted_tail_rate_per_epoch, the tail such a run shows, stored by
a grid with `predict = yes` where the method has a map; files written
before it have predicted_rate_per_epoch, SPEC 4.1, which is used then).

L_max is not an attr: it is recovered from the default step rule of saga,
step_size = step_scale / (3 L_max) (SPEC 2), for saga runs without an
explicit step (the same L_max serves every method on that data set).

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
    """The predicted tail (the tail a run of that length shows, issue 21);
    the asymptotic SPEC 4.1 rate in files written before it existed."""
    v = r.get("predicted_tail_rate_per_epoch", r.get("predicted_rate_per_epoch"))
    return v if v is not None and np.isfinite(v) else float("nan")


def l_max(r):
    if (r.get("step_requested") or 0) > 0 or not (r.get("step_size") or 0) > 0:
        return float("nan")
    return r.get("step_scale", 1.0) / (3.0 * r.get("step_size"))


# ratios below this are drawn on the bottom edge as stalled
FLOOR = 1e-3

# keys that place a run on the x axis or in the line style, not in its label
_NOT_IN_LABEL = ("lambda", "period", "period_text", "step_scale", "partition", "aggregate")


def period_key(r):
    """(fraction?, label, value) of a run's period; ('', None) without one."""
    if r.get("period") is None:
        return (False, "", -1.0)
    return (bool(r.period_is_fraction), C.period_label(r), float(r.get("period")))


def points(runs):
    """{dataset: {(variant label, period key): [(x, measured ratio, predicted
    ratio, run)]}} over the lambdas where saga has a tail rate; one entry
    per seed (per_lambda() takes the median over them)."""
    ok = [r for r in C.usable(runs) if not C.has_net(r) and r.get("status") == "done"
          and r.get("tail_rate_per_epoch") is not None]
    others = [r for r in ok if r.algorithm != "saga" and r.algorithm not in C._CENTRAL
              and r.get("aggregate") in (None, "", "mean") and r.get("step_scale", 1.0) == 1.0
              and r.get("partition", "random") in ("random", "")]  # by-label: figure 5
    lab = C.Labeller(others, exclude=_NOT_IN_LABEL)
    out = {}
    seen = set()  # a run in two results files counts once (C.group_seeds)
    for ds in C.datasets_of(ok):
        saga = {}
        lmax = {}
        for r in ok:
            if r.algorithm == "saga" and r.dataset == ds:
                saga.setdefault(C._norm(r.get("lambda")), []).append(r)
                lm = l_max(r)
                if np.isfinite(lm):
                    lmax[C._norm(r.get("lambda"))] = lm
        curves = {}
        for r in others:
            if r.dataset != ds:
                continue
            key_l = C._norm(r.get("lambda"))
            ref = saga.get(key_l)
            if not ref or key_l not in lmax:
                continue
            s_tail = np.median([tail(q) for q in ref])
            s_pred = np.median([pred(q) for q in ref])
            n_k = r.get("n_samples") / r.get("nodes")
            x = n_k * r.get("lambda") / lmax[key_l]
            key = (lab(r), period_key(r))
            if (key, key_l, C.config_key(r), r.get("seed")) in seen:
                continue
            seen.add((key, key_l, C.config_key(r), r.get("seed")))
            curves.setdefault(key, []).append((x, tail(r) / s_tail, pred(r) / s_pred, r))
        lambdas = {round(np.log10(p[3].get("lambda")), 6) for v in curves.values() for p in v}
        if curves and len(lambdas) >= 2:
            out[ds] = curves
    return out


def per_lambda(pts):
    """One point per lambda of a curve's per-seed entries (points()): (x,
    median ratio, lo, hi, median predicted ratio, seeds, stalled), the
    median and band over seeds of C.band (min-max, 5-95 % with 20 seeds or
    more).  A seed that stalled (ratio below FLOOR, not positive or NaN)
    counts as FLOOR, so that the median is drawn on the bottom edge (and
    marked stalled) when half of the seeds or more stalled."""
    by_l = {}
    for t in pts:
        by_l.setdefault(C._norm(t[3].get("lambda")), []).append(t)
    out = []
    for ts in by_l.values():
        x = float(np.median([t[0] for t in ts]))
        vals = [t[1] if np.isfinite(t[1]) and t[1] >= FLOOR else FLOOR for t in ts]
        m, lo, hi = C.band(vals)
        p = [t[2] for t in ts if np.isfinite(t[2])]
        out.append((x, m, lo, hi, float(np.median(p)) if p else float("nan"), len(ts),
                    m <= FLOOR))
    return sorted(out)


def seeds_text(n_seeds):
    """How a marker summarises the seeds of its configuration and lambda."""
    n = sorted(n_seeds)
    if not n or n[-1] <= 1:
        return "one seed each"
    many = "%d" % n[0] if n[0] == n[-1] else "%d to %d" % (n[0], n[-1])
    return ("the median over %s seeds with a bar from the smallest to the largest"
            % many if n[-1] < 20 else
            "the median over %s seeds with a bar over the 5-95 %% quantiles" % many)


def make(runs, out_dir):
    pts = points(runs)
    if not pts:
        raise C.MissingRuns("no distributed runs and saga runs with a tail rate at two or more "
                            "lambdas (experiments/regime.ini)")
    fig, axes = C.panel_grid(len(pts), width=5.2, height=4.0)
    used = []
    styles = ["-", "--", ":", "-."]
    # colours (variant) and line styles (period) over the whole figure: one
    # legend for every panel; variants in method order, periods as fractions
    # of n_k first
    variants = {}
    for curves in pts.values():
        for (label, _), v in curves.items():
            variants.setdefault(label, v[0][3])
    by_alg = {}
    for label, r in sorted(variants.items(), key=lambda kv: C.sort_key(kv[1]) + (kv[0],)):
        by_alg.setdefault(r.algorithm, []).append(label)
    colour = {}
    for alg, labels in by_alg.items():
        for i, label in enumerate(labels):
            colour[label] = C.shade(alg, i, len(labels))
    periods = sorted({pk for curves in pts.values() for (_, pk) in curves},
                     key=lambda t: (not t[0], t[2]))

    def order(key):
        label, pk = key
        return (C.sort_key(variants[label]), label, periods.index(pk))

    from matplotlib.lines import Line2D
    entries = {}  # order: (handle, label), for the one legend
    any_stalled = False
    stalled_algs = set()
    n_seeds = set()
    for ax, (ds, curves) in zip(axes, sorted(pts.items(), key=lambda kv: C.ds_name(kv[0]))):
        for key in sorted(curves, key=order):
            label, pk = key
            v = curves[key]
            alg = v[0][3].algorithm
            # the median over seeds per lambda, the band as an error bar
            pl = per_lambda(v)
            x = np.array([t[0] for t in pl])
            shown = np.array([t[1] for t in pl])
            lo = np.array([t[2] for t in pl])
            hi = np.array([t[3] for t in pl])
            prd = np.array([t[4] for t in pl])
            stalled = np.array([t[6] for t in pl])
            n_seeds.update(t[5] for t in pl)
            c = colour[label]
            ls = styles[periods.index(pk) % len(styles)]
            frac = pk[0]
            if np.isfinite(prd).any():
                ax.plot(x, prd, color=c, ls=ls, lw=1.2)
            # a method that stalls (tail rate near 0, or rising) sits on the
            # bottom edge rather than stretching the axis over decades
            ax.plot(x, shown, color=c, ls="none" if np.isfinite(prd).any() else ls,
                    lw=0.8, marker=C.marker(alg), ms=5, mfc="none" if frac else c)
            spread = hi > lo
            if spread.any():
                ax.errorbar(x[spread], shown[spread],
                            yerr=[shown[spread] - lo[spread], hi[spread] - shown[spread]],
                            color=c, ls="none", lw=0.9, capsize=2)
            if stalled.any():
                ax.plot(x[stalled], shown[stalled], color=c, ls="none", marker="x", ms=7)
                any_stalled = True
                stalled_algs.add(alg)
            entries[order(key)] = (
                Line2D([], [], color=c, ls=ls, lw=1.2, marker=C.marker(alg), ms=5,
                       mfc="none" if frac else c), (label + " " + pk[1]).strip())
            used += [t[3] for t in v]
        ax.axhline(1.0, color=C.color("saga"), ls="--", lw=1, label="saga (ratio 1)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(bottom=FLOOR / 1.5)
        ax.set_xlabel("n_k \u03bb / L_max")
        ax.set_ylabel("tail rate / saga's tail rate")
        ax.set_title(C.ds_name(ds))
    fig.suptitle("Which method keeps saga's rate where: tail rate relative to saga's")
    # one legend below the panels (as every figure): each variant and period
    # once, and what the lines and markers are
    grey = "#555555"
    conf = [entries[e] for e in sorted(entries)]
    keys = [(Line2D([], [], color=grey, ls="-", lw=1.2), "line: predicted tail, where "
             "the method has a map; else a thin line joins the measured points"),
            (Line2D([], [], color=grey, ls="none", marker="o", ms=5),
             "filled: measured, \u03c4 in steps (or no period)"),
            (Line2D([], [], color=grey, ls="none", marker="o", ms=5, mfc="none"),
             "open: measured, \u03c4 / n_k")]
    if max(n_seeds, default=1) > 1:
        keys.append((Line2D([], [], color=grey, ls="-", lw=0.9, marker="|", ms=8),
                     "marker: median over seeds; bar: %s" % (
                         "5-95 %" if max(n_seeds) >= 20 else "min-max")))
    if any_stalled:
        keys.append((Line2D([], [], color=grey, ls="none", marker="x", ms=7),
                     "x on the bottom edge: stalled (tail below %g of saga's, or rising)" % FLOOR))
    extra = ([h for h, _ in conf + keys], [l for _, l in conf + keys])
    C.shared_legend(fig, axes, extra=extra, grow=True)
    drawn = {r.algorithm for r in used}
    refreshes = {str(r.get("refresh")) for r in used if r.get("refresh") is not None}
    counted = []  # what an epoch counts beyond the local steps, for the methods drawn
    if "visited" in refreshes:
        counted.append("the refresh of dsaga refresh=visited")
    if "local-svrg" in drawn:
        counted.append("local-svrg's full gradients")
    caption = ("Figure 9. Tail rate (tail_rate_per_epoch: slope of log10 subopt over the last "
               "third of the checkpoints, SPEC 4; epochs count every component gradient%s) of "
               "each distributed method (mean aggregate, default step, random shards) divided "
               "by saga's at the same lambda, against n_k lambda / L_max (n_k = N/K; L_max "
               "from saga's stored step, 1/(3 L_max)); one colour per method variant, one line "
               "style per period. Markers: measured, %s (filled: period in steps or none, open: "
               "fraction of n_k); lines: the same ratio of the predicted tail "
               "(predicted_tail_rate_per_epoch, `dsaga-bench predict`: the mean error taken "
               "through SPEC 4.1's round map M from the run's start, plus the stale memories' "
               "sampling noise, each memory age weighted by the chance a run holds it, "
               "fitted as the tail is; dsaga with or without refresh; NaN for d > 4096). "
               "A ratio of 1 means the method keeps saga's rate per epoch."
               % (", " + " and ".join(counted) + " included" if counted else "",
                  seeds_text(n_seeds)))
    if any_stalled:
        caption += (" An x on the bottom edge: a configuration that stalled (median ratio "
                    "below %g: %s)." % (FLOOR, ", ".join(sorted(stalled_algs))))
        if "scaffnew" in stalled_algs:
            caption += (" scaffnew's consensus is unweighted (SPEC 3.7), so with shards of "
                        "unequal size it converges to the minimiser of the mean of the F_k, "
                        "a relative suboptimality near 1e-11 on these sets.")
    caption += " Runs: %s." % C.status_count(used)
    return C.save_figure(fig, out_dir, STEM, "Where the claim holds", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
