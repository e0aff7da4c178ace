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
        for key, g in C.group_seeds([r for r in rs_all if r.dataset == ds]).items():
            r0 = g[0]
            ck = (C.period_label(r0), r0.get("aggregate"))
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
    fig, axes = C.panel_grid(len(sw), width=4.8, height=3.6)
    used = []
    for ax, (ds, curves) in zip(axes, sorted(sw.items())):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        used += C.saga_reference(ax, runs, ds)
        statuses = set()
        keys = sorted(curves)
        for i, (plabel, agg) in enumerate(keys):
            pts = curves[(plabel, agg)]
            xs = sorted(pts)
            statuses |= C.draw_rate_curve(
                ax, xs, [pts[k] for k in xs], C.shade("dsaga", i, len(keys)),
                C.marker("dsaga"), "-" if agg != "sum" else "--",
                "dsaga %s %s" % (plabel, agg))
            used += [r for k in xs for r in pts[k]]
        n = used[-1].get("n_samples")
        ax.set_xlabel("nodes K (N fixed)")
        ax.set_ylabel(C.RATE_YLABEL)

        top = ax.secondary_xaxis("top", functions=(lambda k, n=n: n / np.maximum(k, 1e-12),
                                                   lambda m, n=n: n / np.maximum(m, 1e-12)))
        top.set_xlabel("%s (N=%s): samples per node n_k = N/K" % (C.ds_name(ds), C.fmt_num(n)))
        C.plain_log_ticks(top.xaxis)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "%g" % v))
        C.edge_legend(ax, statuses)
    fig.suptitle("Number of nodes at fixed N")
    fig.tight_layout()
    caption = ("Figure 4. dsaga's linear rate (decades gained per epoch, -rate_per_epoch) "
               "against the number of nodes K at fixed N, so the samples per node n_k = N/K "
               "(top axis) fall as K grows; one curve per period (tau in steps, or as a "
               "fraction of n_k) and aggregate, default step, random shards; saga's rate "
               "is the dashed black reference. Points are medians over seeds, bands min..max "
               "(5-95 %% with 20 seeds or more); diverged configurations are an 'x' on the "
               "bottom edge. Runs: %s." % C.status_count(used))
    return C.save_figure(fig, out_dir, STEM, "Number of nodes", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
