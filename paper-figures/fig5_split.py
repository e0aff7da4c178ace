#!/usr/bin/python3
"""fig5_split.py - SPEC 6.5: random against by-label shards for every method
the results file runs on both (dsaga, local-sgd, SCAFFOLD, ...; no list of
names here): suboptimality against epochs, one panel per dataset.

usage: fig5_split.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import sys

import common as C

STEM = "fig5_split"


def split_runs(runs):
    """The runs of every method that has by-label runs somewhere."""
    rs = [r for r in C.usable(runs) if not C.has_net(r)]
    split = {r.algorithm for r in rs if r.get("partition") == "label"}
    return [r for r in rs if r.algorithm in split]


def pairs(runs):
    """{dataset: [seed groups]}: each by-label configuration with its random
    twin (the same configuration but the partition) where one exists."""
    rs = split_runs(runs)
    out = {}
    for ds in C.datasets_of(rs):
        # one problem (loss, lambda, bias) per data set, as figures 1-4
        groups = list(C.group_seeds(C.one_problem([r for r in rs if r.dataset == ds])).values())
        with_label = {C.config_key(g[0], ignore=("partition",)) for g in groups
                      if g[0].get("partition") == "label"}
        chosen = [g for g in groups
                  if C.config_key(g[0], ignore=("partition",)) in with_label]
        if chosen:
            out[ds] = sorted(chosen, key=lambda g: (C.sort_key(g[0]),
                                                    g[0].get("partition") != "random"))
    return out


def style(group, i, n):
    """A configuration and its by-label twin are adjacent (pairs()): the
    pair shares a shade of the method's colour (darker for the first
    configurations), random shards solid, by-label dashed."""
    r = group[0]
    return (C.shade(r.algorithm, i // 2, max(1, (n + 1) // 2)),
            "-" if r.get("partition") == "random" else "--")


def drift_note(drawn):
    """The caption's sentence on client drift (SPEC 3), naming only the
    methods the figure draws; an empty string when it draws none of dsaga,
    local-sgd and scaffold."""
    parts = []
    if "dsaga" in drawn:
        parts.append("dsaga's local direction has zero mean at the optimum whatever the "
                     "split (SPEC 3.2)")
    if "local-sgd" in drawn:
        parts.append("local SGD's does not, so by-label shards make it drift (SPEC 3.4)"
                     if parts else "local SGD's local direction does not have zero mean at "
                     "the optimum, so by-label shards make it drift (SPEC 3.4)")
    if "scaffold" in drawn:
        parts.append("SCAFFOLD's control variates remove that drift (SPEC 3.6)"
                     if "local-sgd" in drawn else "SCAFFOLD's control variates remove the "
                     "client drift that by-label shards cause (SPEC 3.6)")
    return "; ".join(parts) + ". " if parts else ""


def make(runs, out_dir):
    sel = pairs(runs)
    if not sel:
        raise C.MissingRuns("no runs with partition=label and a random twin (the data-split "
                            "experiment)")
    fig, axes = C.panel_grid(len(sel), width=4.0, height=3.0)
    groups_all = [g for gs in sel.values() for g in gs]
    label = C.Labeller([r for g in groups_all for r in g])
    used = []
    for ax, (ds, groups) in zip(axes, sorted(sel.items(), key=lambda kv: C.ds_name(kv[0]))):
        ax.set_yscale("log")
        C.draw_groups(ax, groups, "epoch", style=style, labeller=label)
        ax.set_xlabel("epochs (component gradients / N)")
        ax.set_ylabel("suboptimality f(w) - f*")
        ax.set_title(C.ds_name(ds))
        used += [r for g in groups for r in g]
    fig.suptitle("Data split: random vs by-label shards")
    C.shared_legend(fig, axes)
    drawn = list(dict.fromkeys(g[0].algorithm for g in groups_all))
    methods = ", ".join(drawn)
    caption = ("Figure 5. Suboptimality f(w) - f* (log) against epochs for %s "
               "on random shards (solid) and by-label shards (dashed: each node "
               "holds rows of as few labels as possible); a configuration and its twin share "
               "a shade, same K, period and "
               "step otherwise. %s%s %s %s" %
               (methods, drift_note(drawn), C.seeds_note(groups_all),
                C.problem_note([r for r in split_runs(runs) if r.dataset in sel]),
                C.datasets_note(sel)))
    return C.save_figure(fig, out_dir, STEM, "Data split", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
