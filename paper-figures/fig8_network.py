#!/usr/bin/python3
"""fig8_network.py - issue 10: convergence against the modelled time model_s
for two network presets (the smallest and largest latency alpha), without and
with stragglers, and dsaga's best period against alpha.

Skips cleanly (MissingRuns) when no run has model_s.

usage: fig8_network.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import math
import sys

import matplotlib.pyplot as plt
import numpy as np

import common as C

STEM = "fig8_network"
THR = 1e-8  # relative suboptimality for the best period


def straggler_key(r):
    f = r.get("straggler_factor", 1.0)
    n = r.get("straggler_nodes", 0.0)
    d = r.get("straggler_delay_s", 0.0)
    f = 1.0 if not np.isfinite(f) else f
    n = 0.0 if not np.isfinite(n) else n
    d = 0.0 if not np.isfinite(d) else d
    if (f <= 1.0 or n <= 0) and d <= 0:
        return (1.0, 0.0, 0.0)
    return (f, n, d)


def straggler_label(k):
    f, n, d = k
    if k == (1.0, 0.0, 0.0):
        return "no stragglers"
    parts = []
    if f > 1.0 and n > 0:
        parts.append("%s node(s) %sx slower" % (C.fmt_num(n), C.fmt_num(f)))
    if d > 0:
        parts.append("+%s s mean delay/round" % C.fmt_num(d))
    return "stragglers: " + ", ".join(parts)


def preset_label(alpha, beta):
    return "\u03b1=%s s, \u03b2=%s s/B" % (C.fmt_num(alpha), C.fmt_num(beta))


def preset_of(r):
    return (r.get("net_alpha_s", float("nan")), r.get("net_beta_s", float("nan")))


THRS = (THR, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)


def best_periods(runs, beta_free):
    """dsaga's best period per network setting on one data set: ({curve key:
    {alpha: (best tau/n_k, its median model_s)}}, threshold, runs used), the
    curve key (straggler setting, K, aggregate, beta), beta None when each
    alpha comes with one beta (beta_free: the presets, whose alpha and beta
    vary together, so that a curve joins the presets); at the smallest
    threshold of THRS (1e-8 first) that the period sweep reached (most
    seeds of two periods or more under one setting); ({}, None, []) when
    none did."""
    groups = list(C.group_seeds([r for r in runs if r.algorithm == "dsaga"]).values())
    for thr in THRS:
        out, used = {}, []
        for g in groups:
            r0 = g[0]
            key = (straggler_key(r0), int(r0.get("nodes")), r0.get("aggregate"),
                   None if beta_free else r0.get("net_beta_s"))
            t = [C.first_reach(r, thr, "model_s") for r in g]
            t = [v for v in t if math.isfinite(v)]
            if len(t) * 2 < len(g):  # most seeds must get there
                continue
            out.setdefault(key, {}).setdefault(r0.get("net_alpha_s"), []).append(
                (float(np.median(t)), r0.tau_fraction))
            used += g
        # a best period means something only where two periods compete
        if any(len(p) > 1 for v in out.values() for p in v.values()):
            best = {k: {a: min(p)[::-1] for a, p in v.items() if len(p) > 1}
                    for k, v in out.items()}
            return {k: v for k, v in best.items() if v}, thr, used
    return {}, None, []


def make(runs, out_dir):
    mr_all = [r for r in C.usable(runs) if r.has_model]
    if not mr_all:
        raise C.MissingRuns("no run has model_s (no network model configured)")
    per_ds = {ds: C.one_problem([r for r in mr_all if r.dataset == ds])  # one loss, lambda, bias
              for ds in C.datasets_of(mr_all)}
    # the left panels: the data set with the most runs under the network
    # model (the first by name on a tie); the right panel: every data set
    ds = max(per_ds, key=lambda d: len(per_ds[d]))
    mr = per_ds[ds]
    presets = sorted({preset_of(r) for r in mr}, key=lambda p: (p[0], p[1]))
    # a sweep of alpha for one method must not hide the presets that every
    # method ran under: show the extreme alphas among the settings with the
    # most algorithms
    n_alg = {p: len({r.algorithm for r in mr if preset_of(r) == p}) for p in presets}
    full = [p for p in presets if n_alg[p] == max(n_alg.values())]
    shown = [full[0]] + ([full[-1]] if len(full) > 1 else [])
    strags = sorted({straggler_key(r) for r in mr})
    strag_shown = [strags[0]] + ([max(strags[1:], key=lambda k: k[0] * k[1] + k[2])]
                                 if len(strags) > 1 else [])
    nrow, ncol = len(shown), len(strag_shown)
    fig = plt.figure(figsize=(4.3 * (ncol + 1), 3.4 * nrow + 0.5))
    gs = fig.add_gridspec(nrow, ncol + 1)
    used, groups_all, left_axes = [], [], []
    label = C.Labeller(mr)
    for i, (alpha, beta) in enumerate(shown):
        for j, sk in enumerate(strag_shown):
            ax = fig.add_subplot(gs[i, j])
            left_axes.append(ax)
            sel = [r for r in mr if preset_of(r) == (alpha, beta) and straggler_key(r) == sk]
            groups = sorted(C.group_seeds(sel).values(), key=lambda g: C.sort_key(g[0]))
            ax.set_yscale("log")
            ax.set_xscale("log")  # model_s spans decades between presets
            C.draw_groups(ax, groups, "model_s", labeller=label)
            ax.set_xlabel("modelled time model_s (s)")
            ax.set_ylabel("suboptimality f(w) - f*")
            ax.set_title("%s: %s\n%s" % (C.ds_name(ds), preset_label(alpha, beta),
                                         straggler_label(sk)))
            used += sel
            groups_all += groups

    # right: dsaga's best period against alpha, every data set with a
    # period sweep under the network model
    ax = fig.add_subplot(gs[:, ncol])
    ax.set_xscale("log")
    ax.set_yscale("log")
    beta_of = {}
    for r in mr_all:
        beta_of.setdefault(r.get("net_alpha_s"), set()).add(r.get("net_beta_s"))
    beta_free = all(len(v) == 1 for v in beta_of.values())
    best, missing = {}, []
    for d, rs in sorted(per_ds.items(), key=lambda kv: C.ds_name(kv[0])):
        curves, thr, g_used = best_periods(rs, beta_free)
        if curves:
            best[d] = (curves, thr)
            used += g_used
        elif any(r.algorithm == "dsaga" for r in rs):
            missing.append(C.ds_name(d))
    # each alpha with one beta (the presets): the curves are keyed by what
    # varies besides the preset (data set, stragglers, K, aggregate), and
    # the x ticks name the whole preset
    all_curves = [(d, k) for d, (curves, _) in best.items() for k in curves]
    vary = {n: len({k[n] for _, k in all_curves}) > 1 for n in range(4)}
    ds_list = list(best)
    cmap = plt.get_cmap("viridis")
    ds_colour = {d: cmap(0.85 * i / max(1, len(ds_list) - 1)) for i, d in enumerate(ds_list)}
    ds_marker = {d: C.MARKER_CYCLE[i % len(C.MARKER_CYCLE)] for i, d in enumerate(ds_list)}
    skeys = sorted({k[0] for _, k in all_curves})
    other = sorted({k[1:] for _, k in all_curves}, key=str)
    styles = {}
    for n, sk in enumerate(skeys):
        for m, o in enumerate(other):
            styles[(sk,) + o] = C.LINESTYLES[(n * len(other) + m) % len(C.LINESTYLES)]
    # coincident points (the same best period) would hide each other: each
    # curve is shifted by a small step along the log x axis
    n_c = len(all_curves)
    dodge = 0.1  # decades
    xs_all, ys_all = [], []
    for n, (d, key) in enumerate(all_curves):
        pts = sorted(best[d][0][key].items())
        x = [a * 10 ** (dodge * (n - (n_c - 1) / 2.0)) for a, _ in pts]
        y = [v[0] for _, v in pts]
        ax.plot(x, y, color=ds_colour[d], marker=ds_marker[d], ls=styles[key], lw=1.3, ms=6,
                mfc="none" if key[0] != (1.0, 0.0, 0.0) else ds_colour[d])
        xs_all += [a for a, _ in pts]
        ys_all += y
    from matplotlib.lines import Line2D
    handles, labels = [], []
    for d in ds_list:
        thr = best[d][1]
        handles.append(Line2D([], [], color=ds_colour[d], marker=ds_marker[d], ls="-"))
        labels.append("best period: %s (to %s)" % (C.ds_name(d), C.fmt_num(thr)))
    for key, ls in styles.items():
        sk, K, agg, beta = key
        parts = [straggler_label(sk)]
        if vary[1]:
            parts.append("K=%d" % K)
        if vary[2]:
            parts.append(str(agg))
        if vary[3]:
            parts.append("\u03b2=%s s/B" % C.fmt_num(beta))
        handles.append(Line2D([], [], color="#555555", ls=ls,
                              marker="o", mfc="none" if sk != (1.0, 0.0, 0.0) else "#555555"))
        labels.append("best period: " + ", ".join(parts))
    if xs_all:
        alphas = sorted(set(xs_all))
        ax.set_xlim(min(alphas) / 10 ** (0.5 + dodge * n_c / 2),
                    max(alphas) * 10 ** (0.5 + dodge * n_c / 2))
        ax.set_xticks(alphas)
        ax.set_xticklabels(["\u03b1=%s s" % C.fmt_num(a) + (
            "\n\u03b2=%s s/B" % C.fmt_num(next(iter(beta_of[a]))) if beta_free else "")
            for a in alphas])
        ax.minorticks_off()
        # y: the decades of the plotted periods, labelled plainly
        lo = 10 ** math.floor(math.log10(min(ys_all)) + 1e-9)
        hi = 10 ** math.ceil(math.log10(max(ys_all)) - 1e-9)
        hi = max(hi, lo * 10)
        ax.set_ylim(lo / 1.4, hi * 1.4)
        decades = [10.0 ** e for e in range(int(round(math.log10(lo))),
                                            int(round(math.log10(hi))) + 1)]
        C.set_log_ticks(ax.yaxis, ticks=decades)
    else:
        ax.text(0.5, 0.5, "no dsaga period sweep\nreaching %s" % C.fmt_num(THRS[-1]),
                ha="center", transform=ax.transAxes)
    ax.set_xlabel("network preset (latency \u03b1 per message%s)"
                  % (", \u03b2 per byte" if beta_free else ""))
    ax.set_ylabel("best period \u03c4 / n_k (fastest in model_s)")
    ax.set_title("dsaga: best period against latency")
    fig.suptitle("Network model: %s (left), %d data set%s (right)"
                 % (C.ds_name(ds), len(ds_list), "s" if len(ds_list) != 1 else ""))
    C.shared_legend(fig, left_axes + [ax], extra=(handles, labels), grow=True)
    thr_text = "; ".join("%s %s" % (C.ds_name(d), C.fmt_num(best[d][1])) for d in ds_list)
    caption = ("Figure 8. Modelled time (network model, issue 10: per round the slowest "
               "node's compute plus an allreduce costing latency alpha and beta per byte). "
               "Left: suboptimality f(w) - f* against model_s (log-log: the 0 s start is off "
               "the axis) on %s, the data set with the most runs under the network model "
               "(%d data set%s have them), for the presets with the smallest and the largest "
               "alpha (rows), without and with stragglers (columns). Right: for every data set "
               "with a dsaga period sweep under the network model, the period tau/n_k that "
               "reaches a relative suboptimality first in modelled time (median over seeds), "
               "against the preset; the threshold is 1e-8 where the sweep reached it, else the "
               "smallest of 1e-6, 1e-4, 1e-3, 1e-2, 0.1 it reached (%s). One colour and marker "
               "per data set, one line style per straggler setting (hollow markers: with "
               "stragglers)%s; the curves are shifted by %g decade steps along the alpha axis "
               "so that equal best periods stay visible.%s %s %s" % (
                   C.ds_name(ds), len(per_ds), "s" if len(per_ds) != 1 else "",
                   thr_text or "none",
                   "" if not beta_free else "; each preset has its own alpha and beta, so a "
                   "curve joins the presets",
                   dodge,
                   (" No dsaga period sweep reached 0.1 on %s." % ", ".join(missing))
                   if missing else "",
                   C.seeds_note(groups_all), C.datasets_note(per_ds)))
    return C.save_figure(fig, out_dir, STEM, "Network model", caption, used)


if __name__ == "__main__":
    sys.exit(C.main_for(make))
