#!/usr/bin/python3
"""fig3_period.py - SPEC 6.3: dsaga's rate against the communication period
tau as a fraction of the local epoch n_k = n_samples / nodes, one curve per K
and aggregate, saga's rate as the reference line.

usage: fig3_period.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C


def sweeps(runs):
    """{dataset: {curve key: {tau/n_k: [seed runs]}}} with >= 2 periods: one
    curve per variant (C.curve_key: K, aggregate, refresh and every other
    key the method declares; only the period is swept)."""
    ds_runs = [r for r in C.usable(runs) if r.algorithm == "dsaga" and not C.has_net(r)
               and r.get("partition") == "random"]
    out = {}
    for ds in C.datasets_of(ds_runs):
        rs = C.one_problem([r for r in ds_runs if r.dataset == ds])
        scale = 1.0 if any(r.get("step_scale") == 1.0 for r in rs) else \
            C.most_common([r.get("step_scale") for r in rs])
        rs = [r for r in rs if r.get("step_scale") == scale]
        curves = C.sweep_curves(C.group_seeds(rs).values(), "period",
                                lambda r: round(r.tau_fraction, 12))
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
    fig, axes = C.panel_grid(len(sw), width=4.0, height=3.0)
    used, groups = [], []
    statuses = set()
    reps = {ck: next(iter(pts.values()))[0] for curves in sw.values()
            for ck, pts in curves.items()}
    labels = C.curve_labels(reps, "period")
    # one shade per variant over the whole figure (one legend for every panel)
    order = sorted(reps, key=lambda ck: C.curve_sort_key(reps[ck], "period"))
    for ax, (ds, curves) in zip(axes, sorted(sw.items(), key=lambda kv: C.ds_name(kv[0]))):
        ax.set_xscale("log")
        ax.set_yscale("log")
        first = next(iter(next(iter(curves.values())).values()))[0]
        used += C.saga_reference(ax, runs, ds, like=first)
        combos = [ck for ck in order if ck in curves]
        xs_all = []
        for j, ck in enumerate(combos):
            pts = curves[ck]
            xs = sorted(pts)
            xs_all += xs
            statuses |= C.draw_rate_curve(
                ax, xs, [pts[x] for x in xs], C.shade("dsaga", order.index(ck), len(order)),
                C.marker("dsaga"), "-" if reps[ck].get("aggregate") != "sum" else "--",
                labels[ck], row=j)
            used += [r for x in xs for r in pts[x]]
            groups += [pts[x] for x in xs]
        ax.set_xlabel("period \u03c4 / n_k (local epochs per round)")
        ax.set_ylabel(C.rate_ylabel(used))
        ax.set_title("%s (N=%s)" % (C.ds_name(ds), C.fmt_num(used[-1].get("n_samples"))))
        lo, hi = min(xs_all), max(xs_all)
        ax.set_xlim(lo / 1.6, hi * 1.6)
        C.set_log_ticks(ax.xaxis)
        C.finish_rate_axes(ax)
    fig.suptitle("Communication period")
    notes = C.finish_rate_figure(fig, axes, statuses, used, groups)
    caption = ("Figure 3. dsaga's linear rate (decades of suboptimality gained per epoch, "
               "the negated fitted slope) against the period tau as a fraction of the local "
               "epoch n_k = N/K (periods given in steps are converted), one curve per variant: "
               "K and aggregate (shade; solid mean, dashed sum) and every other key the method "
               "declares (refresh, ...) that differs between the runs, named in the legend, so "
               "that no point pools two variants; saga's rate, of the same kind, is the dashed "
               "black reference, its value written at its right end. %sRuns: %s. %s" % (
                   notes, C.status_count(used), C.datasets_note(sw)))
    return C.save_figure(fig, out_dir, STEM, "Communication period", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
