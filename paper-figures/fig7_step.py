#!/usr/bin/python3
"""fig7_step.py - SPEC 6.7: dsaga's rate against step_scale at a fixed
period, one curve per K; diverged runs are drawn as such, not dropped.

usage: fig7_step.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C

STEM = "fig7_step"


def sweeps(runs):
    """{dataset: (period label, {curve key: {step_scale: [seed runs]}})}
    at the period with the most step_scale values summed over its curves:
    one curve per variant (C.curve_key: K, aggregate, refresh and every
    other key the method declares; only step_scale is swept); both
    aggregates are drawn (aggregate = sum diverges at large steps, SPEC
    3.2, and is drawn as such)."""
    rs = [r for r in runs if r.algorithm == "dsaga" and not C.has_net(r)
          and r.get("partition") == "random"]
    out = {}
    for ds in C.datasets_of(rs):
        by = {}
        for g in C.group_seeds(C.one_problem([r for r in rs if r.dataset == ds])).values():
            by.setdefault(C.period_label(g[0]), []).append(g)
        by = {p: C.sweep_curves(gs, "step_scale", lambda r: r.get("step_scale"))
              for p, gs in by.items()}
        best, score = None, 0
        for p, curves in sorted(by.items()):
            n = sum(len(v) for v in curves.values() if len(v) >= 2)
            if n > score:
                best, score = p, n
        if best:
            out[ds] = (best, {k: v for k, v in by[best].items() if len(v) >= 2})
    return out


def make(runs, out_dir):
    sw = sweeps(runs)
    if not sw:
        raise C.MissingRuns("no dsaga runs at two or more step_scale values with the same "
                            "period (the step sweep)")
    fig, axes = C.panel_grid(len(sw), width=4.0, height=3.0)
    used, failed, groups = [], 0, []
    statuses = set()
    reps = {ck: next(iter(pts.values()))[0] for _, curves in sw.values()
            for ck, pts in curves.items()}
    labels = C.curve_labels(reps, "step_scale")
    # one shade per variant over the whole figure (one legend for every panel)
    order = sorted(reps, key=lambda ck: (reps[ck].get("aggregate") == "sum",)
                   + C.curve_sort_key(reps[ck], "step_scale"))
    for ax, (ds, (plabel, curves)) in zip(axes, sorted(sw.items(),
                                                        key=lambda kv: C.ds_name(kv[0]))):
        ax.set_xscale("log")
        ax.set_yscale("log")
        xs_all = set()
        combos = [ck for ck in order if ck in curves]
        for j, ck in enumerate(combos):
            pts = curves[ck]
            xs = sorted(x for x in pts if any(r.get("status") != "failed" for r in pts[x]))
            xs_all |= set(xs)
            failed += sum(r.get("status") == "failed" for x in pts for r in pts[x])
            statuses |= C.draw_rate_curve(ax, xs, [pts[x] for x in xs],
                                          C.shade("dsaga", order.index(ck), len(order)),
                                          C.marker("dsaga"),
                                          "-" if reps[ck].get("aggregate") != "sum" else "--",
                                          labels[ck], row=j)
            used += [r for x in pts for r in pts[x]]
            groups += [pts[x] for x in xs]
        ax.axvline(1.0, color="0.5", lw=0.8, ls=":")
        ax.set_xlabel("step_scale (step / default 1/(3 L_max))")
        ax.set_ylabel(C.rate_ylabel(used))
        ax.set_title("%s, %s" % (C.ds_name(ds), plabel))
        xs = sorted(xs_all)
        ax.set_xlim(xs[0] / 1.4, xs[-1] * 1.4)
        C.set_log_ticks(ax.xaxis, C.geometric(xs) or (xs if len(xs) <= 6 else None))
        C.finish_rate_axes(ax)
    fig.suptitle("Step size")
    notes = C.finish_rate_figure(fig, axes, statuses, used, groups)
    caption = ("Figure 7. dsaga's linear rate (decades gained per epoch, the negated fitted "
               "slope) against step_scale, the multiple of the default step 1/(3 L_max), at "
               "the fixed period named in each panel, one curve per variant: K and aggregate "
               "(shade; solid mean, dashed sum) and every other key the method declares "
               "(refresh, ...) that differs between the runs, named in the legend; the dotted "
               "vertical line is the default step. %s%sRuns: %s. %s" %
               (notes, "%d failed run(s) are not drawn. " % failed if failed else "",
                C.status_count(used), C.datasets_note(sw)))
    return C.save_figure(fig, out_dir, STEM, "Step size", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
