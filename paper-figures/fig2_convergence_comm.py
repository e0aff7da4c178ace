#!/usr/bin/python3
"""fig2_convergence_comm.py - SPEC 6.2: the runs of figure 1 against
communication rounds and against bytes sent (all nodes).

usage: fig2_convergence_comm.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import matplotlib.pyplot as plt

import common as C

STEM = "fig2_convergence_comm"


def make(runs, out_dir):
    sel = C.convergence_selection(runs)
    # saga is centralized: it never communicates, so it has no curve here
    sel = {ds: [g for g in gs if g[0].algorithm != "saga"] for ds, gs in sel.items()}
    sel = {ds: gs for ds, gs in sel.items()
           if any((g[0].s["rounds"] > 0).any() for g in gs)}
    if not sel:
        raise C.MissingRuns("no distributed runs with communication (rounds > 0) at the "
                            "default step on random shards")
    n = len(sel)
    fig, axes = plt.subplots(n, 2, figsize=(9.5, 3.3 * n + 0.4), squeeze=False)
    used, groups_all = [], []
    for row, (ds, groups) in enumerate(sorted(sel.items())):
        for col, (key, xlabel) in enumerate([
                ("rounds", "communication rounds (collective calls)"),
                ("bytes", "bytes sent, all nodes (B)")]):
            ax = axes[row][col]
            ax.set_xscale("log")
            ax.set_yscale("log")
            C.draw_groups(ax, groups, key)
            ax.set_xlabel(xlabel)
            ax.set_ylabel("suboptimality f(w) - f*")
            ax.set_title("%s: against %s" % (C.ds_name(ds), key))
            if col == 0:
                ax.legend(loc="best")
        used += [r for g in groups for r in g]
        groups_all += groups
    fig.suptitle("Convergence per communication")
    fig.tight_layout()
    caption = ("Figure 2. The runs of figure 1: suboptimality f(w) - f* (log) against "
               "communication rounds (left) and payload bytes sent by all nodes (right; an "
               "allreduce of n doubles counts 8n bytes per node), log axes. saga is "
               "centralized and never communicates, so it is not drawn; checkpoints with 0 "
               "rounds are off the log axis. %s An 'x' ends a diverged run."
               % C.seeds_note(groups_all))
    return C.save_figure(fig, out_dir, STEM, "Convergence per communication", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
