#!/usr/bin/python3
"""large_table.py - predict's matrix-free tails (notes/predict_large.sh) on
the rcv1-like cells of experiments/regime.ini beside the measured tails
(tail_rate_per_epoch, SPEC 4: the last third of the checkpoints; median
over the file's seeds, each seed shown), as notes/refresh.md prints them.

usage: large_table.py PRED_DIR [--before=DIR] [--dataset=SPEC] results/regime.h5 [MORE.h5 ...]

--before=DIR adds a column from an earlier set of outputs (the mean part
alone, floored at the memory bound, before the variance part).
--dataset=SPEC takes another data set's cells (as predict_large.sh's
DATASET; default the rcv1-like set), e.g. experiments/regime-mini.ini's.
"""
import os
import sys

import numpy as np

from refresh_table import ds_text, load, median_interval

METHOD = {"none": "dsaga", "visited": "dsaga+refresh", "late": "dsaga+late"}
LAMBDA = {"default": "1/N", "1e-4": "0.0001", "1e-3": "0.001", "1e-2": "0.01"}


def predicted(path):
    """(predicted tail, seconds) from one `predict` output, NaN if absent."""
    out = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 2:
                out[parts[0]] = parts[1]
    return (float(out.get("predicted_tail_rate_per_epoch", "nan")),
            float(out.get("seconds", "nan")))


def main(pred_dir, paths):
    before = None
    dataset = "rcv1-like"
    while paths and paths[0].startswith("--"):
        opt, _, val = paths.pop(0).partition("=")
        if opt == "--before":
            before = val
        elif opt == "--dataset":
            dataset = ds_text(val)
        else:
            sys.exit("large_table.py: unknown option %s" % opt)
    cells = {}
    for path in paths:
        load(path, cells)
    print("| refresh | lambda | tau | predicted tail | median tail | 95 % interval | seeds "
          "| pred / median | predict s |" + (" before / median |" if before else ""))
    print("|---|---|---|---|---|---|---|---|---|" + ("---|" if before else ""))
    n_in = n_all = n_ci = 0
    for ref in ("none", "visited", "late"):
        for lam in ("default", "1e-4", "1e-3", "1e-2"):
            for per in ("0.1n", "1n"):
                pred, sec = predicted(os.path.join(pred_dir, "%s-%s-%s.txt" % (ref, per, lam)))
                runs = cells.get((dataset, LAMBDA[lam], METHOD[ref], per), [])
                tails = [r["tail"] for r in sorted(runs, key=lambda r: r["seed"])]
                if not np.isfinite(pred) or not tails:
                    continue
                med = float(np.median(tails))
                ratio = pred / med
                n_all += 1
                n_in += abs(ratio - 1) <= 0.1
                lo, hi = median_interval(tails)
                n_ci += abs(ratio - 1) > 0.1 and min(lo, hi) <= pred <= max(lo, hi)
                extra = ""
                if before:
                    old, _ = predicted(os.path.join(before, "%s-%s-%s.txt" % (ref, per, lam)))
                    extra = " %.3f |" % (old / med)
                print("| %s | %s | %s n_k | %.4f | %.4f | %.4f to %.4f | %s | %.3f | %.0f |%s" % (
                    ref, LAMBDA[lam], per[:-1], pred, med, lo, hi,
                    " ".join("%.4f" % t for t in tails), ratio, sec, extra))
    print()
    print("- predicted tail within 10 %% of the median tail in %d of %d cells; of the %d "
          "outside, %d inside the median's 95 %% interval" % (n_in, n_all, n_all - n_in, n_ci))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
