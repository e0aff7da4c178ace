#!/usr/bin/python3
"""heldout_table.py - predict (SPEC 4.1) against seeds it was not shaped on
(notes/refresh.md, "Held-out seeds"), from results files of
experiments/regime-heldout.ini (seeds 11-30; `predict`'s variance part and
saga's round were fitted while looking at seeds 1-10 of regime.ini).

Per cell (data, lambda, tau, method): the predicted tail
(predicted_tail_rate_per_epoch), the median measured tail over the seeds
(tail_rate_per_epoch, SPEC 4: the last third of the checkpoints), their
ratio with a 95 % bootstrap interval (resampling the seeds), and the same
ratio for each disjoint block of 5 seeds: how far a 5-seed median alone
would put a correct prediction.

usage: heldout_table.py FILE.h5 [MORE.h5 ...]   (runs of all files pooled)
"""
import sys

import numpy as np

from refresh_table import load, median_interval

ORDER = {"saga": 0, "dsaga": 1, "dsaga+refresh": 2, "dsaga+late": 3}


def main(paths):
    cells = {}  # (data, lambda, method, tau) -> runs, refresh_table's load
    for path in paths:
        load(path, cells)
    print("| data | lambda | tau | method | seeds | predicted tail | median tail | "
          "pred / median | 95 % interval | 5-seed blocks |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    within = {}
    for key in sorted(cells, key=lambda k: (k[0], k[1] != "1/N", k[1], ORDER.get(k[2], 9), k[3])):
        runs = sorted(cells[key], key=lambda c: c["seed"])
        tails = np.array([c["tail"] for c in runs])
        pred = runs[0]["ptail"]
        ratio = pred / np.median(tails)
        lo, hi = median_interval(tails)  # of the median tail; the ratio's bounds swap
        blocks = [pred / np.median(tails[i:i + 5]) for i in range(0, len(tails) - 4, 5)]
        n = within.setdefault(key[2], [0, 0])
        n[0] += abs(ratio - 1) <= 0.1
        n[1] += 1
        print("| %s | %s | %s | %s | %d | %.4f | %.4f | %.3f | %.2f-%.2f | %s |" % (
            key[0], key[1], key[3].replace("n", " n_k") if key[3] != "-" else "-", key[2],
            len(tails), pred, np.median(tails), ratio, pred / lo, pred / hi,
            " ".join("%.2f" % b for b in blocks)))
    print()
    for m in sorted(within, key=lambda m: ORDER.get(m, 9)):
        print("- %s: predicted tail within 10 %% of the median tail in %d of %d cells"
              % (m, within[m][0], within[m][1]))


if __name__ == "__main__":
    main(sys.argv[1:])
