#!/usr/bin/python3
"""predict_table.py - `predict` as the binary computes it now, against the
tails of results files already run (notes/refresh.md): the grid stores each
run's prediction when it runs, so a change to the model leaves the stored
ones stale; this reruns `dsaga-bench predict` once per cell instead of the
grids.

Per cell of the files (data set, lambda, method, period; dsaga's three
refresh values and saga, on data the dense path takes: d <= 4 096), with
the grid's nodes, max_epochs, eval_every and tol and seed 1's shards: the
predicted tail (predicted_tail_rate_per_epoch), the median measured tail
over every seed of every file (tail_rate_per_epoch, SPEC 4: the last third
of the checkpoints), their ratio and the 95 % bootstrap interval of that
ratio (the median resampled over the seeds); then per method how many
cells are within 10 %.  About one second a cell.

usage: predict_table.py [--exe=bin/dsaga-bench] FILE.h5 [MORE.h5 ...]
"""
import os
import subprocess
import sys

import h5py
import numpy as np

from refresh_table import load, median_interval, s

ORDER = {"saga": 0, "dsaga": 1, "dsaga+refresh": 2, "dsaga+late": 3}
REFRESH = {"dsaga": "none", "dsaga+refresh": "visited", "dsaga+late": "late"}
MAX_DIM = 4096  # harness/predict.c: PREDICT_MAX_DIM, the dense path's limit


def settings(paths):
    """(dataset, lambda text) -> the grid's keys of one of its runs."""
    out = {}
    for path in paths:
        with h5py.File(path, "r") as f:
            for k in f["runs"]:
                a = f["runs"][k].attrs
                if int(a["n_features"]) > MAX_DIM:
                    continue
                lam = float(a["lambda"])
                dflt = abs(lam * int(a["n_samples"]) - 1.0) < 1e-9
                out.setdefault(s(a["dataset"]), {})[lam] = dict(
                    lam=None if dflt else "%.17g" % lam, max_epochs=float(a["max_epochs"]),
                    eval_every=float(a["eval_every"]), tol=float(a["tol"]),
                    nodes=int(a["nodes"]) if s(a["algorithm"]) != "saga" else None)
    return out


def predict(exe, ds, method, period, cfg, nodes):
    args = [exe, "predict", "--dataset", ds, "--seed", "1",
            "--max-epochs", "%g" % cfg["max_epochs"], "--eval-every", "%g" % cfg["eval_every"],
            "--tol", "%g" % cfg["tol"]]
    if method == "saga":
        args += ["--algorithm", "saga"]
    else:
        args += ["--algorithm", "dsaga", "--nodes", str(nodes), "--period", period,
                 "--refresh", REFRESH[method]]
    if cfg["lam"]:
        args += ["--lambda", cfg["lam"]]
    res = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ))
    for line in res.stdout.splitlines():
        if line.startswith("predicted_tail_rate_per_epoch"):
            return float(line.split()[1])
    sys.exit("predict failed: %s\n%s" % (" ".join(args), res.stderr))


def main(argv):
    exe = "bin/dsaga-bench"
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt.startswith("--exe="):
            exe = opt[len("--exe="):]
        else:
            sys.exit(__doc__)
    if not argv:
        sys.exit(__doc__)
    cells = {}
    for path in argv:
        load(path, cells)
    keys = settings(argv)
    nodes = {}
    for ds in keys:
        for cfg in keys[ds].values():
            if cfg["nodes"]:
                nodes[ds] = cfg["nodes"]
    print("| data | lambda | tau | method | seeds | predicted tail | median tail | "
          "pred / median | 95 % interval |")
    print("|---|---|---|---|---|---|---|---|---|")
    within = {}
    for key in sorted(cells, key=lambda k: (k[0], k[1] != "1/N", k[1], ORDER.get(k[2], 9), k[3])):
        ds, lam, method, period = key
        full = [d for d in keys if d == ds or (ds == "rcv1-like" and d.startswith("synth"))]
        if method not in ORDER or not full:
            continue
        cfg = [c for lv, c in keys[full[0]].items()
               if ("%g" % lv == lam) or (lam == "1/N" and c["lam"] is None)]
        if not cfg:
            continue
        tails = np.array([c["tail"] for c in cells[key]])
        pred = predict(exe, full[0], method, period, cfg[0], nodes.get(full[0], 1))
        ratio = pred / np.median(tails)
        lo, hi = median_interval(tails)
        n = within.setdefault(method, [0, 0])
        n[0] += abs(ratio - 1) <= 0.1
        n[1] += 1
        print("| %s | %s | %s | %s | %d | %.4f | %.4f | %s%.3f%s | %.2f-%.2f |" % (
            ds, lam, period.replace("n", " n_k") if period != "-" else "-", method, len(tails),
            pred, np.median(tails), "" if abs(ratio - 1) <= 0.1 else "**", ratio,
            "" if abs(ratio - 1) <= 0.1 else "**", pred / lo, pred / hi), flush=True)
    print()
    for m in sorted(within, key=lambda m: ORDER.get(m, 9)):
        print("- %s: predicted tail within 10 %% of the median tail in %d of %d cells"
              % (m, within[m][0], within[m][1]))


if __name__ == "__main__":
    main(sys.argv[1:])
