#!/usr/bin/python3
"""fig2_convergence_comm.py - SPEC 6.2: the runs of figure 1 against
communication rounds and against bytes sent (all nodes), laid out as a grid:
per dataset a pair of panels (rounds, bytes) sharing the y axis, two
datasets per row.

usage: fig2_convergence_comm.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import matplotlib.pyplot as plt

import common as C

STEM = "fig2_convergence_comm"
PAIRS_PER_ROW = 2


def make(runs, out_dir):
    full = C.convergence_selection(runs)
    # a centralized method never communicates, so it has no curve here; nor
    # does a distributed method on one node (dsaga K=1: 0 rounds, 0 bytes),
    # which would otherwise read as the best curve against rounds
    sel = {ds: [g for g in gs if g[0].algorithm not in C._CENTRAL] for ds, gs in full.items()}
    one_node = sorted({"%s K=1" % g[0].algorithm for gs in sel.values() for g in gs
                       if g[0].get("nodes", 1.0) <= 1})
    sel = {ds: [g for g in gs if g[0].get("nodes", 1.0) > 1] for ds, gs in sel.items()}
    # shades and line styles as in figure 1 (over its configurations, the
    # runs left out here included), so that a configuration looks the same
    shade_of = {}
    for ds, gs in full.items():
        per = {}
        for g in gs:
            per.setdefault(g[0].algorithm, []).append(g)
        for alg, lst in per.items():
            for i, g in enumerate(lst):
                shade_of[(ds, C.config_key(g[0]))] = (i, len(lst))

    def style(g, i, n):
        j, m = shade_of.get((g[0].dataset, C.config_key(g[0])), (i, n))
        return C.shade(g[0].algorithm, j, m), C.LINESTYLES[j % len(C.LINESTYLES)]

    sel = {ds: gs for ds, gs in sel.items()
           if any((g[0].s["rounds"] > 0).any() for g in gs)}
    if not sel:
        raise C.MissingRuns("no distributed runs with communication (rounds > 0) at the "
                            "default step on random shards")
    n = len(sel)
    per_row = min(PAIRS_PER_ROW, n)
    nrow = (n + per_row - 1) // per_row
    fig, axes = plt.subplots(nrow, 2 * per_row, figsize=(3.4 * 2 * per_row, 2.9 * nrow + 0.2),
                             squeeze=False)
    groups_all = [g for gs in sel.values() for g in gs]
    label = C.Labeller([r for g in groups_all for r in g])
    used, panels = [], []
    for i, (ds, groups) in enumerate(sorted(sel.items(), key=lambda kv: C.ds_name(kv[0]))):
        row, col0 = divmod(i, per_row)
        for j, (key, xlabel) in enumerate([
                ("rounds", "communication rounds"),
                ("bytes", "bytes sent, all nodes (B)")]):
            ax = axes[row][2 * col0 + j]
            ax.set_xscale("log")
            ax.set_yscale("log")
            C.draw_groups(ax, groups, key, style=style, labeller=label)
            ax.set_xlabel(xlabel)
            ax.set_title("%s: against %s" % (C.ds_name(ds), key))
            if j == 0:
                ax.set_ylabel("suboptimality f(w) - f*")
            else:
                ax.sharey(axes[row][2 * col0])
                ax.tick_params(labelleft=False)
            panels.append(ax)
        used += [r for g in groups for r in g]
    for ax in list(axes.flat)[len(panels):]:
        ax.remove()
    fig.suptitle("Convergence per communication")
    C.shared_legend(fig, panels)
    central = sorted({g[0].algorithm for gs in C.convergence_selection(runs).values()
                      for g in gs if g[0].algorithm in C._CENTRAL})
    caption = ("Figure 2. The runs of figure 1: suboptimality f(w) - f* (log) against "
               "communication rounds (left of each pair) and payload bytes sent by all nodes "
               "(right; an allreduce of n doubles counts 8n bytes per node), log axes. %s%s"
               "Checkpoints with 0 rounds are off the log axis. %s %sAn 'x' ends a diverged "
               "run. %s %s" % (
                   ("%s never communicates (centralized), so it is not drawn. "
                    % ", ".join(central)) if central else "",
                   ("Runs on one node (%s) never communicate (0 rounds, 0 bytes), so they are "
                    "not drawn either. " % ", ".join(one_node)) if one_node else "",
                   C.seeds_note(groups_all),
                   C.selection_note(full, sel, label),
                   C.problem_note([r for r in C.plain(runs) if r.dataset in sel]),
                   C.datasets_note(sel)))
    return C.save_figure(fig, out_dir, STEM, "Convergence per communication", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
