#!/usr/bin/python3
"""fig7_step.py - SPEC 6.7: dsaga's rate against step_scale at a fixed
period, one curve per K; diverged runs are drawn as such, not dropped.

usage: fig7_step.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C

STEM = "fig7_step"


def sweeps(runs):
    """{dataset: (period label, aggregate, {K: {step_scale: [seed runs]}})}
    at the period with the most step_scale values."""
    rs = [r for r in runs if r.algorithm == "dsaga" and not C.has_net(r)
          and r.get("partition") == "random"]
    out = {}
    for ds in C.datasets_of(rs):
        by = {}
        for g in C.group_seeds([r for r in rs if r.dataset == ds]).values():
            r0 = g[0]
            k = (C.period_label(r0), r0.get("aggregate"))
            by.setdefault(k, {}).setdefault(int(r0.get("nodes")), {}).setdefault(
                r0.get("step_scale"), []).extend(g)
        best, score = None, 0
        for k, ks in sorted(by.items(), key=lambda kv: (kv[0][1] == "sum", kv[0][0])):
            n = sum(len(v) for v in ks.values() if len(v) >= 2)
            if n > score:
                best, score = k, n
        if best:
            out[ds] = best + ({K: v for K, v in by[best].items() if len(v) >= 2},)
    return out


def make(runs, out_dir):
    sw = sweeps(runs)
    if not sw:
        raise C.MissingRuns("no dsaga runs at two or more step_scale values with the same "
                            "period (the step sweep)")
    fig, axes = C.panel_grid(len(sw), width=4.8, height=3.6)
    used, failed = [], 0
    for ax, (ds, (plabel, agg, curves)) in zip(axes, sorted(sw.items())):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ks = sorted(curves)
        statuses = set()
        for i, K in enumerate(ks):
            pts = curves[K]
            xs = sorted(x for x in pts if any(r.get("status") != "failed" for r in pts[x]))
            failed += sum(r.get("status") == "failed" for x in pts for r in pts[x])
            statuses |= C.draw_rate_curve(ax, xs, [pts[x] for x in xs],
                                          C.shade("dsaga", i, len(ks)), C.marker("dsaga"),
                                          "-", "dsaga K=%d" % K,
                                          edge_y=0.03 + 0.04 * i)
            used += [r for x in pts for r in pts[x]]
        ax.axvline(1.0, color="0.5", lw=0.8, ls=":")
        ax.set_xlabel("step_scale (step / default 1/(3 L_max))")
        ax.set_ylabel(C.RATE_YLABEL)
        ax.set_title("%s, %s, aggregate %s" % (C.ds_name(ds), plabel, agg))
        C.edge_legend(ax, statuses)
        lo, hi = ax.get_xlim()
        C.plain_log_ticks(ax.xaxis, hi / lo)
    fig.suptitle("Step size")
    fig.tight_layout()
    caption = ("Figure 7. dsaga's linear rate (decades gained per epoch, -rate_per_epoch) "
               "against step_scale, the multiple of the default step 1/(3 L_max), at the "
               "fixed period named in each panel, one curve per K (shade). A configuration "
               "where half of the seeds or more diverged is an 'x' on the bottom edge "
               "(drawn, not dropped); the dotted line is the default step. Points are medians "
               "over seeds, bands min..max. %sRuns: %s." %
               ("%d failed run(s) are not drawn. " % failed if failed else "",
                C.status_count(used)))
    return C.save_figure(fig, out_dir, STEM, "Step size", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
