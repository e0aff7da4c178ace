#!/usr/bin/python3
"""fig1_convergence_epochs.py - SPEC 6.1: suboptimality (log) against epochs,
one panel per dataset, one line per method configuration.

usage: fig1_convergence_epochs.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C

STEM = "fig1_convergence_epochs"


def make(runs, out_dir):
    full = C.convergence_selection(runs)
    sel = {ds: gs for ds, gs in full.items() if len({g[0].algorithm for g in gs}) >= 2}
    if not sel:
        raise C.MissingRuns("no dataset has runs of two or more algorithms at the default "
                            "step on random shards (the method comparison grid)")
    fig, axes = C.panel_grid(len(sel), width=4.0, height=3.0)
    used, groups_all = [], []
    for groups in sel.values():
        groups_all += groups
    label = C.Labeller([r for g in groups_all for r in g])
    for ax, (ds, groups) in zip(axes, sorted(sel.items(), key=lambda kv: C.ds_name(kv[0]))):
        ax.set_yscale("log")
        C.draw_groups(ax, groups, "epoch", labeller=label)
        ax.set_title("%s (N=%s, d=%s)" % (C.ds_name(ds), C.fmt_num(groups[0][0].get("n_samples")),
                                         C.fmt_num(groups[0][0].get("n_features"))))
        ax.set_xlabel("epochs (component gradients / N)")
        ax.set_ylabel("suboptimality f(w) - f*")
        used += [r for g in groups for r in g]
    fig.suptitle("Convergence per epoch")
    C.shared_legend(fig, axes)
    central = sorted({g[0].algorithm for g in groups_all if g[0].algorithm in C._CENTRAL})
    caption = ("Figure 1. Suboptimality f(w) - f* (log scale) against epochs (N component "
               "gradients summed over all nodes) for each method configuration of the "
               "comparison grid, one panel per dataset. %s %s%s%s An 'x' ends a diverged run; "
               "values <= 0 are drawn at %g. %s" % (
                   C.problem_note([r for r in C.plain(runs) if r.dataset in sel]),
                   C.selection_note(full, sel, label),
                   ("%s (centralized) is the wide pale line; dsaga with K=1 reproduces it "
                    "bit for bit (SPEC 3.2) and is drawn on top of it. " % ", ".join(central))
                   if central else "", C.seeds_note(groups_all), C.SUBOPT_FLOOR,
                   C.datasets_note(sel)))
    return C.save_figure(fig, out_dir, STEM, "Convergence per epoch", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
