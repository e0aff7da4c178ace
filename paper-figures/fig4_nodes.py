#!/usr/bin/python3
"""fig4_nodes.py - SPEC 6.4: dsaga's rate against the number of nodes K at
fixed N (samples per node N/K falling), one curve per period and aggregate,
saga's rate as the reference line.

usage: fig4_nodes.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import matplotlib.ticker
import numpy as np

import common as C

STEM = "fig4_nodes"


def sweeps(runs):
    """{dataset: {curve key: {K: [seed runs]}}} with >= 2 K: one curve per
    variant (C.curve_key: period, aggregate, refresh and every other key the
    method declares; only K is swept)."""
    rs_all = [r for r in C.usable(runs) if r.algorithm == "dsaga" and not C.has_net(r)
              and r.get("partition") == "random" and r.get("step_scale") == 1.0]
    out = {}
    for ds in C.datasets_of(rs_all):
        groups = C.group_seeds(C.one_problem([r for r in rs_all if r.dataset == ds])).values()
        curves = C.sweep_curves(groups, "nodes", lambda r: int(r.get("nodes")))
        curves = {k: v for k, v in curves.items() if len(v) >= 2}
        # the node sweep proper: the curves with the most K values (a period
        # sweep run at a few K would otherwise crowd the panel)
        most = max((len(v) for v in curves.values()), default=0)
        best = [k for k, v in curves.items() if len(v) == most]
        best.sort(key=lambda k: C.curve_sort_key(next(iter(curves[k].values()))[0], "nodes"))
        curves = {k: curves[k] for k in best[:6]}
        if curves:
            out[ds] = curves
    return out


def make(runs, out_dir):
    sw = sweeps(runs)
    if not sw:
        raise C.MissingRuns("no dsaga runs at two or more node counts K with the same period "
                            "(the nodes sweep)")
    fig, axes = C.panel_grid(len(sw), width=4.0, height=3.2)
    used, groups = [], []
    statuses = set()
    reps = {ck: next(iter(pts.values()))[0] for curves in sw.values()
            for ck, pts in curves.items()}
    labels = C.curve_labels(reps, "nodes", always=("period_text", "aggregate"))
    # one shade per variant over the whole figure (one legend for every panel)
    order = sorted(reps, key=lambda ck: C.curve_sort_key(reps[ck], "nodes"))
    for ax, (ds, curves) in zip(axes, sorted(sw.items(), key=lambda kv: C.ds_name(kv[0]))):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        first = next(iter(next(iter(curves.values())).values()))[0]
        used += C.saga_reference(ax, runs, ds, like=first)
        keys = list(curves)  # sweeps() ordered them
        ks_all = set()
        for i, ck in enumerate(keys):
            pts = curves[ck]
            xs = sorted(pts)
            ks_all |= set(xs)
            statuses |= C.draw_rate_curve(
                ax, xs, [pts[k] for k in xs], C.shade("dsaga", order.index(ck), len(order)),
                C.marker("dsaga"), "-" if reps[ck].get("aggregate") != "sum" else "--",
                labels[ck], row=i)
            used += [r for k in xs for r in pts[k]]
            groups += [pts[k] for k in xs]
        n = used[-1].get("n_samples")
        ks = sorted(ks_all)
        ax.set_xlabel("nodes K (N fixed)")
        ax.set_ylabel(C.rate_ylabel(used))
        ax.set_xlim(ks[0] / 1.3, ks[-1] * 1.3)
        # ticks exactly at the K drawn, integer labels (thinned to a
        # geometric subset only when there are many)
        C.set_log_ticks(ax.xaxis, ks if len(ks) <= 10 else C.geometric(ks))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: "%d" % round(v)))
        top = ax.secondary_xaxis("top", functions=(lambda k, n=n: n / np.maximum(k, 1e-12),
                                                   lambda m, n=n: n / np.maximum(m, 1e-12)))
        top.set_xlabel("samples per node n_k = N/K", fontsize=8)
        top.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([n / k for k in ks]))
        top.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: "%d" % round(v)))
        top.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        top.tick_params(labelsize=8)
        ax.set_title("%s (N=%s)" % (C.ds_name(ds), C.fmt_num(n)))
        C.finish_rate_axes(ax)
    fig.suptitle("Number of nodes at fixed N")
    notes = C.finish_rate_figure(fig, axes, statuses, used, groups)
    caption = ("Figure 4. dsaga's linear rate (decades gained per epoch, the negated fitted "
               "slope) against the number of nodes K at fixed N, so the samples per node "
               "n_k = N/K (top axis) fall as K grows; one curve per variant: period (tau in "
               "steps, or as a fraction of n_k) and aggregate, and every other key the method "
               "declares (refresh, ...) that differs between the runs, named in the legend; "
               "default step, random shards; saga's rate, of the same kind, is the dashed "
               "black reference, its value written at its right end. %sRuns: %s. %s" % (
                   notes, C.status_count(used), C.datasets_note(sw)))
    return C.save_figure(fig, out_dir, STEM, "Number of nodes", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
