#!/usr/bin/python3
"""test_common.py - checks of paper-figures/common.py and figures 1-4, 7, 9
on synthetic runs (no MPI), run by test_figures.sh:

  median    a median curve never rises because a seed stopped at tol
  rates     a seed whose tail rises is not dropped: 2 of 3 rising is no
            rate, 1 of 3 a 'partial' point whose median counts it slowest
  base      the comparison keeps the base configuration when it subsamples,
            and says what it left out
  variants  figure 3 draws refresh=none and refresh=visited as two curves
            (never one pooled point), named in the legend
  fig2      no K=1 curve (it never communicates)
  strip     figures 3 and 7: no labelled rate tick at or below the strip of
            diverged / no-rate markers
  fig4      K ticks exactly at the K drawn, integer labels
  layout    every figure, and each for one data set alone: the legend
            within the figure's width, axes at least 1.7 in tall, the y
            label no taller than its axes

usage: test_common.py PAPER_FIGURES_DIR RESULTS_DIR (make_test_h5.py output)
"""

import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import common as C  # noqa: E402

FAILS = []


def guard(name, fn):
    """Runs one group of checks; an exception is a failure, not a crash."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report and go on
        check(name, False, "%s: %s" % (type(e).__name__, e))


def check(name, cond, detail=""):
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " (%s)" % (detail,)))
    if not cond:
        FAILS.append(name)


def run(seed, epoch, subopt, status="done", max_epochs=30.0, **attrs):
    a = dict(algorithm="dsaga", dataset="toy", status=status, seed=float(seed),
             max_epochs=max_epochs, eval_every=0.5, nodes=4.0, period=0.5,
             period_unit="n_k fraction", aggregate="mean", partition="random",
             step_scale=1.0, n_samples=1000.0, loss="logistic", bias=1.0, **{"lambda": 1e-3})
    a.update(attrs)
    ep = np.asarray(epoch, float)
    n = len(ep)
    s = {k: np.full(n, np.nan) for k in C.SERIES}
    s.update(epoch=ep, subopt=np.asarray(subopt, float), rounds=ep * 8, bytes=ep * 800)
    return C.Run("toy.h5", "%06d" % seed, a, s, {"file": "toy.h5"})


# ---- median: a seed that stops at tol does not lift the median -------------
ep = np.arange(0, 30.01, 0.5)
fast = ep[ep <= 20.0]


def median():
    seeds = [run(1, fast, 10 ** (-0.5 * fast)),  # reaches 1e-10 at epoch 20: stops (tol)
             run(2, ep, 10 ** (-0.3 * ep)),
             run(3, ep, 10 ** (-0.4 * ep))]
    x, med, lo, hi = C.median_curve(seeds, "epoch")
    rises = np.nonzero(np.diff(np.log10(med)) > 1e-12)[0]
    check("median: non-increasing when a seed stops at tol", len(rises) == 0,
          "rises at epoch %s" % x[rises + 1][:3])
    check("median: continues past the finished seed", x[-1] > 20.0, "ends at %g" % x[-1])
    # two of three finished: the curve ends (the median seed has reached tol)
    seeds2 = [seeds[0], run(4, fast, 10 ** (-0.55 * fast)), seeds[2]]
    x2, _, _, _ = C.median_curve(seeds2, "epoch")
    check("median: ends where most seeds have finished", x2[-1] <= 20.0 + 1e-9,
          "ends at %g" % x2[-1])
    # a diverged seed stays excluded past its end
    seeds3 = [run(5, ep[:8], 10 ** (0.5 * ep[:8]), status="diverged"), seeds[1], seeds[2]]
    x3, _, _, _ = C.median_curve(seeds3, "epoch")
    check("median: a diverged seed is not carried forward", not C.stopped_at_tol(seeds3[0])
          and x3[-1] == 30.0)


guard("median", median)


# ---- rates: rising tails are not dropped -----------------------------------
def tails(*t):
    return [run(i + 1, ep, 10 ** (-0.3 * ep), tail_rate_per_epoch=v, rate_per_epoch=-0.3)
            for i, v in enumerate(t)]


def rates():
    st = C.rate_point(tails(0.093, -0.354, 0.101))
    check("rates: 2 of 3 seeds rising is no rate", st[0] == "norate", st)
    st = C.rate_point(tails(-0.0642, -0.0838, 0.0311))
    check("rates: 1 of 3 rising is a partial point, its median counts it slowest",
          st[0] == "partial" and abs(st[1] - 0.0642) < 1e-12, st)
    st = C.rate_point(tails(-0.2, -0.3, -0.4))
    check("rates: every seed decreasing is ok", st[0] == "ok" and abs(st[1] - 0.3) < 1e-12, st)
    st = C.rate_point(tails(-0.2, float("nan"), float("nan")))
    check("rates: 2 of 3 without a fit is no rate", st[0] == "norate", st)


guard("rates", rates)

# ---- the figures on make_test_h5.py's results ------------------------------
runs = C.load_runs(sys.argv[2])
import fig1_convergence_epochs as F1  # noqa: E402
import fig2_convergence_comm as F2  # noqa: E402
import fig3_period as F3  # noqa: E402
import fig4_nodes as F4  # noqa: E402
import fig7_step as F7  # noqa: E402
import fig9_regime as F9  # noqa: E402

# base: dsaga's base configuration (K = 4, 0.25 n_k, first in the grid) kept
def base():
    sel = C.convergence_selection(runs)
    for ds, gs in sorted(sel.items()):
        ds_sel = [(g[0].algorithm, g[0].get("nodes"), g[0].get("period")) for g in gs]
        check("base: %s keeps dsaga K=4 period=0.25n" % ds, ("dsaga", 4.0, 0.25) in ds_sel,
              ds_sel)
        check("base: %s draws at most 4 dsaga configurations" % ds,
              sum(a == "dsaga" for a, _, _ in ds_sel) <= 4, ds_sel)
    note = C.selection_note(sel, labeller=C.Labeller([r for gs in sel.values() for g in gs
                                                       for r in g]))
    check("base: the caption says what was left out",
          "dsaga: 1 of 5 configurations left out" in note and "K=4 period=0.25n kept" in note,
          note)


guard("base", base)

saved = {}


def capture(fig, out_dir, stem, title, caption, used):
    saved[stem] = (fig, caption)
    return []


C.save_figure = capture


# variants: figure 3 keeps refresh=none and refresh=visited apart
def variants():
    sw = F3.sweeps(runs)
    k4 = [ck for ck in sw["synthA"] if any(r.get("nodes") == 4.0 and r.get("aggregate") == "mean"
                                           for g in sw["synthA"][ck].values() for r in g)]
    refreshes = sorted({str(r.get("refresh")) for ck in k4 for g in sw["synthA"][ck].values()
                        for r in g})
    check("variants: fig3 has one K=4 mean curve per refresh",
          refreshes == ["none", "visited"] and len(k4) == 2, (refreshes, len(k4)))
    pooled = [x for ck in sw["synthA"] for x, g in sw["synthA"][ck].items()
              if len({r.get("refresh") for r in g}) > 1]
    check("variants: no fig3 point pools two refresh values", not pooled, pooled[:3])
    F3.make(runs, "/nonexistent")
    fig, cap = saved["fig3_period"]
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    check("variants: fig3's legend names both refresh values",
          any("refresh=visited" in t for t in texts) and any("refresh=none" in t for t in texts),
          texts)
    n_groups = sum(len(p) for c in sw.values() for p in c.values())
    check("variants: fig3's bent count is over the configurations drawn",
          (" of %d configurations drawn are bent" % n_groups) in cap, n_groups)


guard("variants", variants)


def strip_bad(stem):
    """Labelled major y ticks at or below the highest strip marker."""
    fig = saved[stem][0]
    bad = []
    for ax in fig.axes:
        if ax.get_yscale() != "log":
            continue
        lo, hi = ax.get_ylim()
        # the strip markers: x in data, y in axes fraction, no line
        marks = [float(y) for l in ax.get_lines() if l.get_transform() is ax.get_xaxis_transform()
                 and l.get_linestyle() in ("None", "none", "") for y in np.ravel(l.get_ydata())]
        if not marks:
            continue
        top = max(marks)
        for t in ax.yaxis.get_majorticklocs():
            if lo <= t <= hi:
                f = math.log10(t / lo) / math.log10(hi / lo)
                if f <= top + 0.01:
                    bad.append((ax.get_title(), t, round(f, 3), round(top, 3)))
    return bad


def strip():
    if "fig3_period" not in saved:
        F3.make(runs, "/nonexistent")
    bad = strip_bad("fig3_period")
    check("strip: fig3 has no rate tick among the diverged markers", not bad, bad)
    F7.make(runs, "/nonexistent")
    bad = strip_bad("fig7_step")
    check("strip: fig7 has no rate tick among the diverged markers", not bad, bad)
    check("strip: fig7 has diverged markers to check",
          any(l.get_marker() == "x" for ax in saved["fig7_step"][0].axes for l in ax.get_lines()))


guard("strip", strip)


# fig4: K ticks at the K drawn
def fig4():
    F4.make(runs, "/nonexistent")
    fig = saved["fig4_nodes"][0]
    fig.canvas.draw()
    for ax in fig.axes:
        if not ax.get_title():
            continue
        ks = sorted({float(x) for l in ax.get_lines() for x in np.ravel(l.get_xdata())
                     if l.get_transform() == ax.transData and len(np.ravel(l.get_xdata())) > 1})
        lo, hi = ax.get_xlim()
        ticks = sorted(t for t in ax.xaxis.get_majorticklocs() if lo <= t <= hi)
        labels = [t.get_text() for t in ax.get_xticklabels()
                  if lo <= t.get_position()[0] <= hi]
        check("fig4: %s K ticks at the K drawn" % ax.get_title(), ticks == ks, (ticks, ks))
        check("fig4: %s K labels are integers" % ax.get_title(),
              labels == ["%d" % k for k in ks], labels)


guard("fig4", fig4)


# fig2: no K=1 curve
def fig2():
    F2.make(runs, "/nonexistent")
    fig, cap = saved["fig2_convergence_comm"]
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    check("fig2: no K=1 curve", not any(" K=1 " in t + " " for t in texts), texts)
    check("fig2: the caption says K=1 is left out", "Runs on one node (dsaga K=1)" in cap,
          cap[:300])


guard("fig2", fig2)


# layout: legends within the figure, axes not squashed, for all data sets and
# for one alone
def layout_bad(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    w = fig.bbox.width
    out = []
    for lg in fig.legends:
        bb = lg.get_window_extent(r)
        if bb.x0 < -1 or bb.x1 > w + 1:
            out.append("legend %.0f..%.0f px of %.0f" % (bb.x0, bb.x1, w))
    for ax in fig.axes:
        if not ax.get_title():  # a secondary axis
            continue
        ah = ax.get_window_extent(r).height
        if ah < 1.7 * fig.dpi:
            out.append("%s: axes %.2f in tall" % (ax.get_title(), ah / fig.dpi))
        yl = ax.yaxis.label.get_window_extent(r).height
        if ax.yaxis.label.get_text() and yl > ah * 1.02:
            out.append("%s: y label %.2f in, axes %.2f in" % (ax.get_title(), yl / fig.dpi,
                                                              ah / fig.dpi))
    return out


def layout():
    for subset, rs in (("all", runs),
                       ("synthA alone", [r for r in runs if r.dataset == "synthA"])):
        saved.clear()
        for mod in (F1, F2, F3, F4, F7, F9):
            try:
                mod.make(rs, "/nonexistent")
            except C.MissingRuns:
                pass
        for stem, (fig, _) in sorted(saved.items()):
            bad = layout_bad(fig)
            check("layout: %s (%s)" % (stem, subset), not bad, bad)


guard("layout", layout)

print("test_common: %s" % ("all passed" if not FAILS else "%d failure(s)" % len(FAILS)))
sys.exit(1 if FAILS else 0)
