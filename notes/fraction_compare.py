#!/usr/bin/python3
"""fraction_compare.py - notes/refresh.md, "Where a draw reads its
memory": two builds' predicted tails (notes/fraction_predict.sh, the
median over the seeds' shards) against the median measured tail of
experiments/refresh-fraction.ini (a run of the grid, with or without
`predict`), per cell, and per fraction how many are within 10 %.

usage: fraction_compare.py RUNS.h5 BEFORE.txt NOW.txt [--over=R]
  --over=R  list only the cells whose BEFORE ratio exceeds R (default: all)
"""
import sys

import h5py
import numpy as np

from refresh_table import s


def measured(path):
    cells = {}
    with h5py.File(path, "r") as f:
        for k in f["runs"]:
            a = f["runs"][k].attrs
            if s(a["status"]) != "done":
                continue
            per = "0.1n" if s(a["period_text"]).startswith("0.1") else "1n"
            key = (s(a["dataset"]), float(a["lambda"]), per, s(a["refresh"]),
                   float(a["refresh_fraction"]))
            cells.setdefault(key, []).append(float(a["tail_rate_per_epoch"]))
    return cells


def predicted(path):
    cells = {}
    for line in open(path):
        p = line.split()
        if len(p) == 7:
            key = (p[0], float(p[1]), p[2], p[3], float(p[4]))
            cells.setdefault(key, []).append(float(p[6]))
    return cells


def main(argv):
    over = None
    args = []
    for a in argv:
        if a.startswith("--over="):
            over = float(a.split("=", 1)[1])
        else:
            args.append(a)
    runs, before, now = measured(args[0]), predicted(args[1]), predicted(args[2])
    print("| data | lambda | tau | refresh | fraction | median tail | before | / tail "
          "| now | / tail |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    counts = {}
    for key in sorted(runs):
        if key not in before or key not in now:
            continue
        m = float(np.median(runs[key]))
        b, n = float(np.nanmedian(before[key])), float(np.nanmedian(now[key]))
        c = counts.setdefault(key[4], [0, 0, 0])
        c[0] += 1
        c[1] += abs(b / m - 1) <= 0.1
        c[2] += abs(n / m - 1) <= 0.1
        if over is None or b / m > over:
            print("| %s | %g | %s | %s | %g | %.4f | %.4f | %.3f | %.4f | %.3f |"
                  % (key + (m, b, b / m, n, n / m)))
    print()
    for fr in sorted(counts):
        c = counts[fr]
        print("fraction %g: within 10 %%, before %d of %d, now %d" % (fr, c[1], c[0], c[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
