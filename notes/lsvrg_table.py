#!/usr/bin/python3
"""lsvrg_table.py - local-svrg's predicted tail (SPEC 4.1, harness/predict.c
"local-svrg") against its measured tail, per data set, lambda and period,
from a results file of experiments/regime.ini's local-svrg cells run with
`predict = yes` (notes/refresh.md "local-svrg's predicted tail"):

    mpirun --oversubscribe -np 4 bin/dsaga-bench grid experiments/regime.ini \\
        --only algorithm=local-svrg,dataset=a9a --seeds 5 --out results/regime-lsvrg.h5
    (the same with dataset=phishing)
    notes/lsvrg_table.py results/regime-lsvrg.h5

Medians over seeds of tail_rate_per_epoch and predicted_tail_rate_per_epoch
(the shards, and so the prediction, follow the seed), their ratio, SPEC's
asymptote 2 log10 rho(M) per epoch and the runs' checkpoints.
"""
import math
import statistics
import sys
from collections import defaultdict

import h5py


def main(paths):
    cells = defaultdict(list)
    for path in paths:
        with h5py.File(path, "r") as f:
            for g in f["runs"].values():
                a = g.attrs
                if a["algorithm"] != "local-svrg" or a["status"] != "done":
                    continue
                key = (a["dataset"], float(a["lambda"]), float(a["n_samples"]), a["period_text"])
                cells[key].append((float(a["tail_rate_per_epoch"]),
                                   float(a["predicted_tail_rate_per_epoch"]),
                                   float(a["predicted_rate_per_epoch"]), len(g["epoch"])))
    print("| data | lambda | tau | measured tail, median (min to max) | predicted tail | "
          "pred / measured | 2 log10 rho per epoch | checkpoints |")
    print("|---|---|---|---|---|---|---|---|")
    within = defined = 0
    for (ds, lam, n, per), r in sorted(cells.items()):
        m = statistics.median(x[0] for x in r)
        p = statistics.median(x[1] for x in r)
        ratio = p / m
        if not math.isnan(ratio):
            defined += 1
            within += abs(ratio - 1) <= 0.10
        lam_text = "1/N" if abs(lam * n - 1) < 1e-9 else "%g" % lam
        print("| %s | %s | %s | %.4f (%.4f to %.4f) | %.4f | %.3f | %.4f | %d |"
              % (ds, lam_text, per.replace("n", " n_k"), m, min(x[0] for x in r),
                 max(x[0] for x in r), p, ratio, statistics.median(x[2] for x in r),
                 statistics.median(x[3] for x in r)))
    print("\nwithin 10 %%: %d of the %d cells with a prediction; %d cells NaN"
          % (within, defined, len(cells) - defined))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
