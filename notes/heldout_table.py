#!/usr/bin/python3
"""heldout_table.py - predict (SPEC 4.1) against seeds it was not shaped on
(notes/refresh.md, "Held-out seeds"), from results files of
experiments/regime-heldout.ini (seeds 11-30; `predict`'s variance part and
saga's round were fitted while looking at seeds 1-10 of regime.ini), or
any regime grid's files.

Per cell (data, lambda, tau, method): the predicted tail
(predicted_tail_rate_per_epoch), the median measured tail over the seeds
(tail_rate_per_epoch, SPEC 4: the last third of the checkpoints), their
ratio with a 95 % bootstrap interval (resampling the seeds), and the same
ratio for each disjoint block of 5 seeds: how far a 5-seed median alone
would put a correct prediction.

--predict[=EXE] takes the predicted tail from `EXE predict` (default
bin/dsaga-bench) run once per cell with the grid's nodes, max_epochs,
eval_every and tol and seed 1's shards, instead of the one each run
stored: a grid stores the prediction of the binary that ran it, so a
change to the model leaves the stored ones stale.  Data the dense path
takes only (d <= 4 096); about a second a cell.

usage: heldout_table.py [--predict[=EXE]] FILE.h5 [MORE.h5 ...]
       (runs of all files pooled)
"""
import subprocess
import sys

import h5py
import numpy as np

from refresh_table import lam_text, load, median_interval, s

ORDER = {"saga": 0, "dsaga": 1, "dsaga+refresh": 2, "dsaga+late": 3}
REFRESH = {"dsaga": "none", "dsaga+refresh": "visited", "dsaga+late": "late"}
MAX_DIM = 4096  # harness/predict.c: PREDICT_MAX_DIM, the dense path's limit


def grid_keys(paths):
    """(dataset, lambda text) -> (the predict options every method of the
    cell's grid shares, dsaga's --nodes)."""
    out = {}
    for path in paths:
        with h5py.File(path, "r") as f:
            for k in f["runs"]:
                a = f["runs"][k].attrs
                if int(a["n_features"]) > MAX_DIM:
                    continue
                lam = lam_text(a)
                opts, nodes = out.get((s(a["dataset"]), lam), (None, None))
                if opts is None:
                    opts = ["--dataset", s(a["dataset"]), "--seed", "1",
                            "--max-epochs", "%g" % a["max_epochs"],
                            "--eval-every", "%g" % a["eval_every"], "--tol", "%g" % a["tol"]]
                    if lam != "1/N":
                        opts += ["--lambda", "%.17g" % a["lambda"]]
                if s(a["algorithm"]) != "saga":
                    nodes = str(int(a["nodes"]))
                out[(s(a["dataset"]), lam)] = (opts, nodes)
    return out


def rerun(exe, keys, key):
    """`exe predict` for cell key; NaN where the dense path cannot take it."""
    data, lam, method, period = key
    if (data, lam) not in keys or method not in ORDER:
        return float("nan")
    opts, nodes = keys[(data, lam)]
    if method == "saga":
        opts = opts + ["--algorithm", "saga"]
    else:
        opts = opts + ["--algorithm", "dsaga", "--nodes", nodes, "--period", period,
                       "--refresh", REFRESH[method]]
    res = subprocess.run([exe, "predict"] + opts, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        if line.startswith("predicted_tail_rate_per_epoch"):
            return float(line.split()[1])
    sys.exit("predict failed: %s\n%s" % (" ".join(opts), res.stderr))


def main(argv):
    exe = None
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--predict":
            exe = "bin/dsaga-bench"
        elif opt.startswith("--predict="):
            exe = opt[len("--predict="):]
        else:
            sys.exit(__doc__)
    if not argv:
        sys.exit(__doc__)
    cells = {}  # (data, lambda, method, tau) -> runs, refresh_table's load
    for path in argv:
        load(path, cells)
    keys = grid_keys(argv) if exe else None
    print("| data | lambda | tau | method | seeds | predicted tail | median tail | "
          "pred / median | 95 % interval | 5-seed blocks |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    within = {}
    for key in sorted(cells, key=lambda k: (k[0], k[1] != "1/N", k[1], ORDER.get(k[2], 9), k[3])):
        runs = sorted(cells[key], key=lambda c: c["seed"])
        tails = np.array([c["tail"] for c in runs])
        pred = rerun(exe, keys, key) if exe else runs[0]["ptail"]
        if np.isnan(pred):
            continue
        ratio = pred / np.median(tails)
        lo, hi = median_interval(tails)  # of the median tail; the ratio's bounds swap
        blocks = [pred / np.median(tails[i:i + 5]) for i in range(0, len(tails) - 4, 5)]
        n = within.setdefault(key[2], [0, 0])
        n[0] += abs(ratio - 1) <= 0.1
        n[1] += 1
        print("| %s | %s | %s | %s | %d | %.4f | %.4f | %.3f | %.2f-%.2f | %s |" % (
            key[0], key[1], key[3].replace("n", " n_k") if key[3] != "-" else "-", key[2],
            len(tails), pred, np.median(tails), ratio, pred / lo, pred / hi,
            " ".join("%.2f" % b for b in blocks)), flush=True)
    print()
    for m in sorted(within, key=lambda m: ORDER.get(m, 9)):
        print("- %s: predicted tail within 10 %% of the median tail in %d of %d cells"
              % (m, within[m][0], within[m][1]))


if __name__ == "__main__":
    main(sys.argv[1:])
