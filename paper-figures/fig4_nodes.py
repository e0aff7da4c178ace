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
    """{dataset: {(period label, aggregate): {K: [seed runs]}}} with >= 2 K."""
    rs_all = [r for r in C.usable(runs) if r.algorithm == "dsaga" and not C.has_net(r)
              and r.get("partition") == "random" and r.get("step_scale") == 1.0]
    out = {}
    for ds in C.datasets_of(rs_all):
        curves = {}
        for key, g in C.group_seeds(C.one_problem([r for r in rs_all
                                                    if r.dataset == ds])).items():
            r0 = g[0]
            ck = (C.key_text(r0, "period"), r0.get("aggregate"))
            curves.setdefault(ck, {}).setdefault(int(r0.get("nodes")), []).extend(g)
        curves = {k: v for k, v in curves.items() if len(v) >= 2}
        # the node sweep proper: the curves with the most K values (a period
        # sweep run at a few K would otherwise crowd the panel)
        most = max((len(v) for v in curves.values()), default=0)
        curves = dict(sorted(((k, v) for k, v in curves.items() if len(v) == most),
                             key=lambda kv: (kv[0][1] == "sum", kv[0][0]))[:6])
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
    for ax, (ds, curves) in zip(axes, sorted(sw.items(), key=lambda kv: C.ds_name(kv[0]))):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        first = next(iter(next(iter(curves.values())).values()))[0]
        used += C.saga_reference(ax, runs, ds, like=first)
        keys = sorted(curves)
        ks_all = set()
        for i, (plabel, agg) in enumerate(keys):
            pts = curves[(plabel, agg)]
            xs = sorted(pts)
            ks_all |= set(xs)
            statuses |= C.draw_rate_curve(
                ax, xs, [pts[k] for k in xs], C.shade("dsaga", i, len(keys)),
                C.marker("dsaga"), "-" if agg != "sum" else "--",
                "dsaga %s aggregate=%s" % (plabel, agg), edge_y=0.03 + 0.035 * i)
            used += [r for k in xs for r in pts[k]]
            groups += [pts[k] for k in xs]
        n = used[-1].get("n_samples")
        ks = sorted(ks_all)
        ax.set_xlabel("nodes K (N fixed)")
        ax.set_ylabel(C.rate_ylabel(used))
        ax.set_xlim(ks[0] / 1.3, ks[-1] * 1.3)
        # ticks at the K swept (powers of two: evenly spread), or nice ones
        C.set_log_ticks(ax.xaxis, C.geometric(ks))
        top = ax.secondary_xaxis("top", functions=(lambda k, n=n: n / np.maximum(k, 1e-12),
                                                   lambda m, n=n: n / np.maximum(m, 1e-12)))
        top.set_xlabel("samples per node n_k = N/K", fontsize=8)
        top.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([n / k for k in ks]))
        top.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: "%d" % round(v)))
        top.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        top.tick_params(labelsize=8)
        ax.set_title("%s (N=%s)" % (C.ds_name(ds), C.fmt_num(n)))
        C.pad_log_ylim(ax, [getattr(ax, "_saga_rate", None)], 1.15)
        C.reserve_edge(ax)
    fig.suptitle("Number of nodes at fixed N")
    C.shared_legend(fig, axes, C.edge_handles(statuses, "0.35", C.marker("dsaga")))
    for ax in axes:
        C.set_log_ticks(ax.yaxis)
    caption = ("Figure 4. dsaga's linear rate (decades gained per epoch, the negated fitted "
               "slope) against the number of nodes K at fixed N, so the samples per node "
               "n_k = N/K (top axis) fall as K grows; one curve per period (tau in steps, or "
               "as a fraction of n_k) and aggregate, default step, random shards; saga's "
               "rate, of the same kind, is the dashed black reference, its value written at "
               "its right end. %sPoints are medians over seeds, bands min..max (5-95 %% with "
               "20 seeds or more); diverged configurations are an 'x' and configurations "
               "without a linear rate an open marker on the bottom edge. Runs: %s. %s" % (
                   C.rate_note(used, groups), C.status_count(used), C.datasets_note(sw)))
    return C.save_figure(fig, out_dir, STEM, "Number of nodes", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
