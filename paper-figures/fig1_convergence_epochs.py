#!/usr/bin/python3
"""fig1_convergence_epochs.py - SPEC 6.1: suboptimality (log) against epochs,
one panel per dataset, one line per method configuration.

usage: fig1_convergence_epochs.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C

STEM = "fig1_convergence_epochs"


def make(runs, out_dir):
    sel = C.convergence_selection(runs)
    sel = {ds: gs for ds, gs in sel.items() if len({g[0].algorithm for g in gs}) >= 2}
    if not sel:
        raise C.MissingRuns("no dataset has runs of two or more algorithms at the default "
                            "step on random shards (the method comparison grid)")
    fig, axes = C.panel_grid(len(sel))
    used, groups_all = [], []
    for ax, (ds, groups) in zip(axes, sorted(sel.items())):
        ax.set_yscale("log")
        C.draw_groups(ax, groups, "epoch")
        ax.set_title("%s (N=%s, d=%s)" % (C.ds_name(ds), C.fmt_num(groups[0][0].get("n_samples")),
                                         C.fmt_num(groups[0][0].get("n_features"))))
        ax.set_xlabel("epochs (component gradients / N, all nodes)")
        ax.set_ylabel("suboptimality f(w) - f*")
        ax.legend(loc="best")
        used += [r for g in groups for r in g]
        groups_all += groups
    fig.suptitle("Convergence per epoch")
    fig.tight_layout()
    caption = ("Figure 1. Suboptimality f(w) - f* (log scale) against epochs (N component "
               "gradients summed over all nodes) for each method configuration of the "
               "comparison grid, one panel per dataset. %s An 'x' ends a diverged run; "
               "values <= 0 are drawn at %g." % (C.seeds_note(groups_all), C.SUBOPT_FLOOR))
    return C.save_figure(fig, out_dir, STEM, "Convergence per epoch", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
