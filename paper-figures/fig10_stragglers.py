#!/usr/bin/python3
"""fig10_stragglers.py - SPEC 6 figure 10 (issue 19): wall time to 1e-8 of
dsaga (its best period per slowdown) and dsaga-async (likewise), sgd as a
reference, with one of K workers slowed 1x, 2x, 4x, 8x by real sleeps
(experiments/stragglers.ini); beside it the epoch cost (epochs to 1e-8),
dsaga-async's mean staleness, and the slow worker's share of the updates.

Reads the method's own series (staleness, worker_updates: extra datasets
of the run group, algorithms/dsaga_async.c) straight from the run's HDF5
group, since common.load_runs reads SPEC 5's series only.

Skips cleanly (MissingRuns) when no run has a real straggler
(straggler_sleep >= 1).

usage: fig10_stragglers.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import math
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np

import common as C

STEM = "fig10_stragglers"
THR = 1e-8  # relative suboptimality (subopt / subopt at epoch 0)
METHODS = ["dsaga", "dsaga-async", "sgd"]


def extra_series(run, name):
    """The run group's dataset `name` (a method's own series), or None."""
    with h5py.File(run.path, "r") as f:
        g = f["runs"][run.name]
        return np.asarray(g[name][()], dtype=float) if name in g else None


def slowdown(run):
    f = run.get("straggler_factor", 1.0)
    return 1.0 if not np.isfinite(f) or run.get("straggler_nodes", 0.0) <= 0 else f


def is_real(run):
    return run.get("straggler_sleep", 0.0) >= 1 and run.algorithm in METHODS


def summary(run):
    """The numbers of the figure-10 table for one run."""
    ep, wall = run.s["epoch"], run.s["wall_s"]
    model = run.s.get("model_s")
    out = {
        "algorithm": run.algorithm,
        "slowdown": slowdown(run),
        "period": C.period_label(run) if run.algorithm != "sgd" else "-",
        "wall_to_thr": C.first_reach(run, THR, "wall_s"),
        "epochs_to_thr": C.first_reach(run, THR, "epoch"),
        "model_to_thr": C.first_reach(run, THR, "model_s") if model is not None else math.nan,
        "rate": run.get("rate_per_epoch", math.nan),
        "tail_rate": run.get("tail_rate_per_epoch", math.nan),
        "s_per_epoch": wall[-1] / ep[-1] if ep[-1] > 0 else math.nan,
        "model_per_epoch": (model[-1] / ep[-1] if model is not None and len(model) and ep[-1] > 0
                            else math.nan),
        "staleness": math.nan,
        "slow_staleness": math.nan,
        "updates": None,
        "status": run.get("status"),
    }
    stale = extra_series(run, "staleness")
    upd = extra_series(run, "worker_updates")
    rounds = run.s["rounds"]
    if stale is not None and len(rounds) > 1 and rounds[-1] > 0:
        # the per-checkpoint means, weighted by the updates of each interval
        w = np.diff(rounds)
        out["staleness"] = float(np.sum(stale[1:] * w) / np.sum(w))
    if upd is not None and upd.ndim == 2 and len(upd):
        out["updates"] = upd[-1].astype(int).tolist()
        ws = extra_series(run, "worker_staleness")
        if ws is not None and ws.ndim == 2 and len(ws):
            # the worker with the fewest updates: the straggler
            out["slow_staleness"] = float(ws[-1][int(np.argmin(upd[-1]))])
    return out


def best_per_slowdown(rows, alg):
    """{slowdown: the row of alg with the least wall time to THR (its best
    period); runs that never reach it only when none does}."""
    best = {}
    for r in rows:
        if r["algorithm"] != alg:
            continue
        b = best.get(r["slowdown"])
        key = (not np.isfinite(r["wall_to_thr"]), r["wall_to_thr"])
        if b is None or key < (not np.isfinite(b["wall_to_thr"]), b["wall_to_thr"]):
            best[r["slowdown"]] = r
    return best


def table(runs):
    """Rows of the figure-10 table (every real-straggler run), and the best
    per slowdown for each method."""
    sel = [r for r in C.usable(runs) if is_real(r)]
    if not sel:
        raise C.MissingRuns("no run with a real straggler (straggler_sleep >= 1; "
                            "experiments/stragglers.ini)")
    ds = max(C.datasets_of(sel), key=lambda d: sum(r.dataset == d for r in sel))
    sel = [r for r in sel if r.dataset == ds]
    rows = [summary(r) for r in sel]
    return sel, rows, {alg: best_per_slowdown(rows, alg) for alg in METHODS}


def ticks_125(lo, hi):
    """Ticks 1, 2, 5 per decade from the largest one <= lo to the smallest
    one >= hi (so that the limits are ticks: a readable log axis of a
    decade or two, not a lone 10^1)."""
    vals = [m * 10.0 ** e for e in range(int(math.floor(math.log10(lo))) - 1,
                                         int(math.ceil(math.log10(hi))) + 2)
            for m in (1, 2, 5)]
    first = max(v for v in vals if v <= lo * (1 + 1e-9))
    last = min(v for v in vals if v >= hi * (1 - 1e-9))
    return [v for v in vals if first * (1 - 1e-9) <= v <= last * (1 + 1e-9)]


def make(runs, out_dir):
    sel, rows, best = table(runs)
    fig, (ax_t, ax_e, ax_u) = plt.subplots(1, 3, figsize=(13.0, 4.4))
    # left: time to 1e-8, with a strip above it for the runs that never got
    # there (drawn as markers there, not at a made-up time)
    strip = 0.15  # the top of the panel, above the axis range of the times
    ax_n = ax_t.inset_axes([0.0, 1.0 - strip, 1.0, strip], sharex=ax_t)
    slows = sorted({r["slowdown"] for r in rows})
    reached_t = [b[x]["wall_to_thr"] for alg in METHODS for b in [best[alg]] for x in b
                 if np.isfinite(b[x]["wall_to_thr"])]
    missing = [alg for alg in METHODS if any(not np.isfinite(r["wall_to_thr"])
                                             for r in best[alg].values())]
    for alg in METHODS:
        b = best[alg]
        if not b:
            continue
        xs = sorted(b)
        ys = [b[x]["wall_to_thr"] for x in xs]
        reached = [np.isfinite(y) for y in ys]
        c, mk = C.color(alg), C.marker(alg)
        name = alg + (" (best period)" if alg != "sgd" else "")
        if any(reached):
            ax_t.plot([x for x, ok in zip(xs, reached) if ok],
                      [y for y, ok in zip(ys, reached) if ok], marker=mk, color=c, label=name)
        miss = [x for x, ok in zip(xs, reached) if not ok]
        if miss:
            ax_n.plot(miss, [missing.index(alg)] * len(miss), linestyle="none", marker=mk,
                      color=c, markerfacecolor="none", ms=7,
                      label=(name + ": never reached 1e-8") if not any(reached)
                      else "_nolegend_")
        if alg != "sgd":
            ax_e.plot(xs, [b[x]["epochs_to_thr"] for x in xs], marker=mk, color=c,
                      label="_nolegend_")
    ax_t.set_xscale("log", base=2)
    ax_t.set_yscale("log")
    if reached_t:
        ticks = ticks_125(min(reached_t) / 1.15, max(reached_t) * 1.15)
        lo, hi = ticks[0] / 1.08, ticks[-1] * 1.08
        # room for the strip: the times fill the lower 1 - strip of the panel
        ax_t.set_ylim(lo, lo * (hi / lo) ** (1.0 / (1.0 - strip)))
        C.set_log_ticks(ax_t.yaxis, ticks=ticks)
    else:
        ax_t.set_yticks([])
        ax_t.text(0.5, 0.5, "no method reached 1e-8", ha="center", transform=ax_t.transAxes)
    ax_t.set_xlabel("slowdown of one worker (x)")
    ax_t.set_ylabel("wall time to 1e-8 (s)")
    # the strip: one row per method that missed 1e-8 at some slowdown
    ax_n.set_ylim(-0.7, max(len(missing), 1) - 0.3)
    ax_n.set_yticks([])
    ax_n.set_ylabel("not\nreached", rotation=0, ha="right", va="center", fontsize=8)
    ax_n.tick_params(axis="x", labelbottom=False, bottom=False)
    ax_n.set_facecolor("#f3f3f3")
    ax_n.tick_params(axis="y", left=False)
    ax_n.grid(False)
    ax_t.set_title("time to 1e-8 (top strip: never reached)")
    ax_e.set_xscale("log", base=2)
    ax_u.set_xlabel("slowdown of one worker (x)")
    for ax in (ax_t, ax_e):
        ax.set_xticks(slows)
        ax.set_xticklabels(["%sx" % C.fmt_num(x) for x in slows])
        ax.minorticks_off()
    ax_e.set_xlabel("slowdown of one worker (x)")
    ax_e.set_ylabel("epochs to 1e-8")
    ax_e.set_title("epoch cost and staleness")
    ab = best["dsaga-async"]
    twin = []
    if ab:
        tw = ax_e.twinx()
        twin = [tw]
        xs = sorted(ab)
        tw.plot(xs, [ab[x]["staleness"] for x in xs], linestyle="--", marker="x",
                color=C.color("dsaga-async"), label="dsaga-async staleness, mean over updates")
        tw.plot(xs, [ab[x]["slow_staleness"] for x in xs], linestyle=":", marker="+",
                color=C.color("dsaga-async"), label="dsaga-async staleness of the slow worker")
        tw.set_ylim(bottom=0)
        tw.set_ylabel("mean staleness (updates)")
    # the slow worker's share of dsaga-async's updates
    if ab:
        xs = sorted(ab)
        shares = []
        for x in xs:
            u = ab[x]["updates"] or []
            shares.append(min(u) / sum(u) if u and sum(u) > 0 else math.nan)
        k = len(ab[xs[0]]["updates"] or [1])
        ax_u.bar(range(len(xs)), shares, color=C.color("dsaga-async"))
        ax_u.axhline(1.0 / k, color="k", linestyle=":", label="fair share 1/K")
        ax_u.set_xticks(range(len(xs)))
        ax_u.set_xticklabels(["%sx" % C.fmt_num(x) for x in xs])
        ax_u.set_ylabel("slowest worker's share of updates")
        ax_u.set_title("dsaga-async: fast workers do more")
    fig.suptitle("Figure 10: one of K = %s workers slowed (real sleeps), %s"
                 % (C.fmt_num(sel[0].get("nodes")), C.ds_name(sel[0].dataset)))
    # one legend below the panels (middle panel: the same lines as on the left)
    C.shared_legend(fig, [ax_t, ax_n, ax_e] + twin + [ax_u])
    caption = ("Wall time to a relative suboptimality of 1e-8 with one worker slowed 1x-8x "
               "by real sleeps (straggler_sleep; experiments/stragglers.ini), dsaga and "
               "dsaga-async each at their best period per slowdown, sgd as the reference; "
               "a method that never reached 1e-8 within its run is drawn in the grey strip "
               "above the left panel (hollow markers), not at a time.  Middle: epochs to 1e-8 "
               "(solid, left axis) and dsaga-async's "
               "staleness (right axis; the mean over all updates stays near K - 1 by "
               "construction; the slow worker's grows with its slowdown).  Right: the slowest "
               "worker's share of dsaga-async's updates (slowdowns %s)."
               % ", ".join(C.fmt_num(s) for s in slows))
    return C.save_figure(fig, out_dir, STEM, "Figure 10: stragglers", caption, sel)


def print_table(runs, out=sys.stdout):
    """The figure-10 table as Markdown (notes/stragglers.md)."""
    _, rows, best = table(runs)
    out.write("| slowdown | method | period | wall to 1e-8 (s) | epochs to 1e-8 | "
              "rate/epoch (window) | tail rate | mean staleness | slow worker's staleness | "
              "updates per worker | "
              "s/epoch measured | s/epoch model | model/measured |\n")
    out.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for s in sorted({r["slowdown"] for r in rows}):
        for alg in METHODS:
            r = best[alg].get(s)
            if r is None:
                continue
            ratio = r["model_per_epoch"] / r["s_per_epoch"] if r["s_per_epoch"] > 0 else math.nan
            out.write("| %sx | %s | %s | %s | %s | %.3f | %.3f | %s | %s | %s | %.4f | %.4f | %.2f |\n" % (
                C.fmt_num(s), alg, r["period"],
                "%.2f" % r["wall_to_thr"] if np.isfinite(r["wall_to_thr"]) else "not reached",
                "%.1f" % r["epochs_to_thr"] if np.isfinite(r["epochs_to_thr"]) else "-",
                r["rate"], r["tail_rate"],
                "%.2f" % r["staleness"] if np.isfinite(r["staleness"]) else "-",
                "%.1f" % r["slow_staleness"] if np.isfinite(r["slow_staleness"]) else "-",
                r["updates"] if r["updates"] else "-",
                r["s_per_epoch"], r["model_per_epoch"], ratio))
    out.write("\nEvery run (all periods):\n\n")
    out.write("| slowdown | method | period | wall to 1e-8 (s) | epochs to 1e-8 | "
              "s/epoch measured | s/epoch model | model/measured |\n")
    out.write("|---|---|---|---|---|---|---|---|\n")
    for r in sorted(rows, key=lambda r: (r["slowdown"], METHODS.index(r["algorithm"]),
                                         r["period"])):
        ratio = r["model_per_epoch"] / r["s_per_epoch"] if r["s_per_epoch"] > 0 else math.nan
        out.write("| %sx | %s | %s | %s | %s | %.4f | %.4f | %.2f |\n" % (
            C.fmt_num(r["slowdown"]), r["algorithm"], r["period"],
            "%.2f" % r["wall_to_thr"] if np.isfinite(r["wall_to_thr"]) else "not reached",
            "%.1f" % r["epochs_to_thr"] if np.isfinite(r["epochs_to_thr"]) else "-",
            r["s_per_epoch"], r["model_per_epoch"], ratio))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--table":
        print_table(C.load_runs(sys.argv[2]))
        sys.exit(0)
    sys.exit(C.main_for(make))
