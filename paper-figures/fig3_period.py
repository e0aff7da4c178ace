#!/usr/bin/python3
"""fig3_period.py - SPEC 6.3: dsaga's rate against the communication period
tau as a fraction of the local epoch n_k = n_samples / nodes, one curve per K
and aggregate, saga's rate as the reference line.

usage: fig3_period.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C


def sweeps(runs):
    """{dataset: {(K, aggregate): {tau/n_k: [seed runs]}}} with >= 2 periods."""
    ds_runs = [r for r in C.usable(runs) if r.algorithm == "dsaga" and not C.has_net(r)
               and r.get("partition") == "random"]
    out = {}
    for ds in C.datasets_of(ds_runs):
        rs = [r for r in ds_runs if r.dataset == ds]
        scale = 1.0 if any(r.get("step_scale") == 1.0 for r in rs) else \
            C.most_common([r.get("step_scale") for r in rs])
        rs = [r for r in rs if r.get("step_scale") == scale]
        curves = {}
        for key, g in C.group_seeds(rs).items():
            r0 = g[0]
            curves.setdefault((int(r0.get("nodes")), r0.get("aggregate")), {})
            curves[(int(r0.get("nodes")), r0.get("aggregate"))].setdefault(
                round(r0.tau_fraction, 12), []).extend(g)
        curves = {k: v for k, v in curves.items() if len(v) >= 2}
        if curves:
            out[ds] = curves
    return out


STEM = "fig3_period"


def make(runs, out_dir):
    sw = sweeps(runs)
    if not sw:
        raise C.MissingRuns("no dsaga runs with two or more periods at one K (the period "
                            "sweep)")
    fig, axes = C.panel_grid(len(sw), width=4.8, height=3.6)
    used = []
    for ax, (ds, curves) in zip(axes, sorted(sw.items())):
        ax.set_xscale("log")
        ax.set_yscale("log")
        used += C.saga_reference(ax, runs, ds)
        ks = sorted({k for k, _ in curves})
        statuses = set()
        for j, ((k, agg), pts) in enumerate(sorted(curves.items())):
            i = ks.index(k)
            xs = sorted(pts)
            statuses |= C.draw_rate_curve(
                ax, xs, [pts[x] for x in xs], C.shade("dsaga", i, len(ks)),
                C.marker("dsaga"), "-" if agg != "sum" else "--",
                "dsaga K=%d %s" % (k, agg), edge_y=0.03 + 0.035 * j)
            used += [r for x in xs for r in pts[x]]
        ax.set_xlabel("period \u03c4 / n_k (local epochs per round)")
        ax.set_ylabel(C.RATE_YLABEL)
        ax.set_title("%s (N=%s)" % (C.ds_name(ds), C.fmt_num(used[-1].get("n_samples"))))
        C.edge_legend(ax, statuses)
        lo, hi = ax.get_xlim()
        C.plain_log_ticks(ax.xaxis, hi / lo)
    fig.suptitle("Communication period")
    fig.tight_layout()
    caption = ("Figure 3. dsaga's linear rate (decades of suboptimality gained per epoch, "
               "the negated rate_per_epoch fitted between 1e-2 and 1e-9 of the initial "
               "suboptimality, SPEC 4) against the period tau as a fraction of the local epoch "
               "n_k = N/K (periods given in steps are converted), one curve per K (shade) "
               "and aggregate (solid mean, dashed sum); saga's rate is the dashed black "
               "reference. Points are medians over seeds, bands min..max (5-95 %% with 20 "
               "seeds or more). Diverged configurations are drawn as an 'x' on the bottom "
               "edge. Runs: %s." % C.status_count(used))
    return C.save_figure(fig, out_dir, STEM, "Communication period", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
