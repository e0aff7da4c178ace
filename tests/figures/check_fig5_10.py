#!/usr/bin/python3
"""check_fig5_10.py - regression checks for figures 5, 6, 8, 9, 10 and the
report's run list, on the synthetic results of make_test_h5.py (no MPI):
  fig5  the caption's drift sentence names only the methods drawn;
  fig6  a header says "(x gd)" only where gd reached the threshold, and the
        caption says why a ratio is missing (no gd runs / not reached);
  fig8  each curve of the right panel joins the presets (more than one
        point), its y ticks are plain numbers, the legends are below;
  fig9  one marker per configuration and lambda (the median over seeds),
        not one per seed; no scaffnew sentence without scaffnew;
  fig10 ticks_125 gives readable ticks (2 5 10 20 50 for 2.5-48 s);
  report integers print as integers, <NA> as empty; the run list shows
        lambda and the method keys that vary.
usage: check_fig5_10.py   (exit 1 on a failure; PYTHON=/usr/bin/python3)
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "paper-figures"))
sys.path.insert(0, os.path.join(ROOT, "python"))

import matplotlib  # noqa: E402
matplotlib.use("Agg")

import common as C  # noqa: E402
import fig5_split  # noqa: E402
import fig6_table  # noqa: E402
import fig8_network  # noqa: E402
import fig9_regime  # noqa: E402
import fig10_stragglers  # noqa: E402
import dsaga_report  # noqa: E402
import dsaga_results  # noqa: E402

fails = 0


def check(ok, what):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += not ok


def capture(make, runs):
    """The figure make() draws (save_figure replaced) and its caption."""
    got = {}
    real = C.save_figure

    def fake(fig, out_dir, stem, title, caption, used):
        got["fig"], got["caption"] = fig, caption
        return []
    C.save_figure = fake
    try:
        make(runs, "/nonexistent")
    finally:
        C.save_figure = real
    return got["fig"], got["caption"]


def main():
    tmp = tempfile.mkdtemp(prefix="check_fig5_10.")
    try:
        return checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(tmp):
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "figures",
                                                         "make_test_h5.py"), tmp],
                          stdout=subprocess.DEVNULL)
    runs = C.load_runs(tmp)

    # fig5: no SCAFFOLD sentence without scaffold runs
    _, cap = capture(fig5_split.make, runs)
    drawn = {r.algorithm for gs in fig5_split.pairs(runs).values() for g in gs for r in g}
    check(("SCAFFOLD" in cap) == ("scaffold" in drawn)
          and ("local SGD" in cap) == ("local-sgd" in drawn),
          "fig5 caption names only the drawn methods (%s)" % ", ".join(sorted(drawn)))

    # fig6: without gd runs, no "(x gd)" header, and the caption says why
    no_gd = [r for r in runs if r.algorithm != "gd"]
    table = fig6_table.rows(no_gd)
    md = fig6_table.markdown(table)
    check("x gd" not in md.splitlines()[0] and "x saga" in md.splitlines()[0],
          "fig6 without gd runs: no (x gd) header")
    check("has no gd runs" in fig6_table.ratio_note(table), "fig6 caption: no gd runs, said")
    table = fig6_table.rows(runs)
    head = fig6_table.markdown(table).splitlines()[0]
    check("rounds to 1e-4 (x gd)" in head and "rounds to 1e-8 (x gd)" not in head
          and "gd did not reach 1e-8" in fig6_table.ratio_note(table),
          "fig6 with gd reaching 1e-4 only: (x gd) at 1e-4, not at 1e-8, said why")

    # fig8: the right panel's curves join the presets; plain y ticks; legend below
    fig, cap = capture(fig8_network.make, runs)
    right = fig.axes[-1]
    lines = [l for l in right.get_lines() if len(l.get_xdata()) > 0]
    check(lines and all(len(l.get_xdata()) > 1 for l in lines),
          "fig8 right panel: %d curves, each over more than one preset" % len(lines))
    fig.canvas.draw()
    labels = [t.get_text() for t in right.get_yticklabels() if t.get_text()]
    check(labels and all("$" not in t and "times" not in t for t in labels),
          "fig8 right panel: plain y tick labels %s" % labels)
    check(len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes),
          "fig8: one legend, below the panels")

    # fig9: one marker per configuration and lambda
    pts = fig9_regime.points(runs)
    per_seed = sum(len(v) for c in pts.values() for v in c.values())
    per_l = sum(len(fig9_regime.per_lambda(v)) for c in pts.values() for v in c.values())
    lams = sum(len({C._norm(t[3].get("lambda")) for t in v})
               for c in pts.values() for v in c.values())
    check(per_l == lams and per_l < per_seed,
          "fig9: %d points (one per configuration and lambda) from %d seed runs"
          % (per_l, per_seed))
    _, cap = capture(fig9_regime.make, runs)
    check("scaffnew" not in cap and "median over" in cap,
          "fig9 caption: medians over seeds, no scaffnew sentence without scaffnew")

    # fig10: readable ticks
    t = fig10_stragglers.ticks_125(2.5, 48)
    check(t == [2, 5, 10, 20, 50], "fig10 ticks for 2.5-48 s: %s" % t)

    # report: integers, <NA>, the run list's columns
    import pandas as pd
    check(dsaga_report.fmt(1425.0, True) == "1,425" and dsaga_report.fmt(16) == "16"
          and dsaga_report.fmt(pd.NA) == "" and dsaga_report.fmt(0.00123456) == "0.001235",
          "report: integers as integers, <NA> empty")
    path = os.path.join(tmp, "period.h5")
    df = dsaga_results.runs(path)
    cols, same = dsaga_report.run_columns(df, dsaga_results.algorithms(path))
    want = [c for c in ("refresh", "period_text") if c in df.columns and df[c].nunique() > 1]
    check(all(c in cols for c in want) and not any(c in cols for c in same),
          "report run list (period.h5): %s; shared: %s" % (", ".join(cols), ", ".join(same)))
    path = os.path.join(tmp, "convergence.h5")
    df = dsaga_results.runs(path)
    cols, _ = dsaga_report.run_columns(df, dsaga_results.algorithms(path))
    check("lambda" in cols, "report run list (convergence.h5, two lambdas): lambda shown")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
