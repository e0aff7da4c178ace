#!/usr/bin/python3
"""fraction_table.py - notes/refresh.md, "How many rows, not which" (issue
21): dsaga with refresh = visited and late at each refresh_fraction
(experiments/refresh-fraction.ini and refresh-fraction-rcv1.ini).  Per data
set, lambda and period, one row per (refresh, fraction): the extra
component gradients per local step that the refreshes cost (measured: the
epochs per round over the steps' own), the median tail rate per epoch
(SPEC 4) with its 95 % bootstrap interval, predict's tail beside it where
stored, and epochs / rounds to a relative suboptimality of 1e-8.  Then,
per cell, late (fraction 1) against visited at the fraction whose extra
gradients are nearest late's (0.625 at 1 n_k, 0.5 at 0.1 n_k): whether it
matters which rows are re-taken, or only how many.

usage: fraction_table.py results/refresh-fraction.h5 [MORE.h5 ...]
"""
import sys

import h5py
import numpy as np

from refresh_table import ds_text, first_reach, lam_text, median_interval, s


def load(paths):
    cells = {}
    for path in paths:
        with h5py.File(path, "r") as f:
            for k in sorted(f["runs"]):
                g = f["runs"][k]
                a = g.attrs
                if s(a["status"]) != "done" or s(a["algorithm"]) != "dsaga":
                    continue  # saga beside them (regime-moonshot.ini): no refresh
                ep, ro, so = g["epoch"][()], g["rounds"][()], g["subopt"][()]
                per = s(a["period_text"]).replace("0.10000000000000001n", "0.1n")
                steps = float(per[:-1])  # a round's steps over n_k: epochs per round without refresh
                e8, r8 = first_reach((ep, ro, so), 1e-8)
                key = (ds_text(s(a["dataset"])), lam_text(a), per)
                cells.setdefault(key, {}).setdefault(
                    (s(a["refresh"]), float(a["refresh_fraction"])), []).append(dict(
                        tail=float(a["tail_rate_per_epoch"]),
                        ptail=float(a.get("predicted_tail_rate_per_epoch", np.nan)),
                        extra=(ep[-1] / ro[-1]) / steps - 1.0, e8=e8, r8=r8))
    return cells


def med(runs, field):
    v = np.array([r[field] for r in runs], dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else np.nan


def f4(x):
    return "%.4f" % x if np.isfinite(x) else "-"


def main(paths):
    cells = load(paths)
    print("| data | lambda | tau | refresh | fraction | extra grads / step | median tail (seeds) "
          "| 95 % interval | predicted tail | pred / median | epochs / rounds to 1e-8 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    pairs = []
    for key in sorted(cells):
        for (ref, frac), runs in sorted(cells[key].items()):
            tails = [r["tail"] for r in runs]
            m = float(np.median(tails))
            lo, hi = median_interval(tails)
            p = med(runs, "ptail")
            e8, r8 = med(runs, "e8"), med(runs, "r8")
            print("| %s | %s | %s | %s | %g | %.2f | %s (%d) | %s to %s | %s | %s | %s |" % (
                key[0], key[1], key[2], ref, frac, med(runs, "extra"), f4(m), len(tails), f4(lo),
                f4(hi), f4(p), "%.3f" % (p / m) if np.isfinite(p) else "-",
                "%.0f / %.0f" % (e8, r8) if np.isfinite(e8) else "-"))
        # late (fraction 1) against the visited fraction of the nearest cost
        late = cells[key].get(("late", 1.0))
        vis = [(abs(med(r, "extra") - med(late, "extra")), frac, r)
               for (ref, frac), r in cells[key].items() if ref == "visited"] if late else []
        if vis:
            _, frac, r = min(vis, key=lambda v: v[0])
            pairs.append((key, med(late, "extra"), float(np.median([x["tail"] for x in late])), frac,
                          med(r, "extra"), float(np.median([x["tail"] for x in r]))))
    if pairs:
        print("\n| data | lambda | tau | late: extra grads / step | late tail | visited at fraction "
              "| its extra grads / step | its tail | late / visited |")
        print("|---|---|---|---|---|---|---|---|---|")
        for key, c, t, frac, cv, tv in pairs:
            print("| %s | %s | %s | %.2f | %.4f | %g | %.2f | %.4f | %.3f |" % (
                key + (c, t, frac, cv, tv, t / tv)))
        r = np.array([p[2] / p[5] for p in pairs])
        print("\nlate / visited at the same cost: median %.3f, range %.3f to %.3f, %d of %d within "
              "10 %%" % (np.median(r), r.min(), r.max(), int(np.sum(np.abs(r - 1) <= 0.1)), len(r)))

if __name__ == "__main__":
    main(sys.argv[1:])
