#!/usr/bin/python3
"""tails_table.py - the tail table of notes/rates.md section 6 (issue 14)
from a results file of experiments/tails.ini: per cell the window rate
(rate_per_epoch, SPEC 4 window), the tail rate (tail_rate_per_epoch), bent,
and predicted_rate_per_epoch (SPEC 4.1), per seed.

usage: tails_table.py results/tails.h5
"""
import sys

import h5py
import numpy as np


def s(v):
    return v.decode() if isinstance(v, bytes) else v


def main(path):
    rows = {}
    with h5py.File(path, "r") as f:
        for k in sorted(f["runs"]):
            a = f["runs"][k].attrs
            so = f["runs"][k]["subopt"][()]
            ep = f["runs"][k]["epoch"][()]
            per = "-" if s(a["algorithm"]) == "saga" else s(a["period_text"])
            per = per.replace("0.10000000000000001n", "0.1n")
            key = (s(a["dataset"]), s(a["algorithm"]), int(a["nodes"]), per)
            rows.setdefault(key, []).append(
                (float(a["rate_per_epoch"]), float(a["tail_rate_per_epoch"]), int(a["bent"]),
                 float(a.get("predicted_rate_per_epoch", np.nan)), ep[-1], so[-1] / so[0]))
    print("| data | method | K | period | window rate | tail rate | bent | predicted | "
          "pred/tail | epochs, final rel. subopt |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(rows, key=lambda t: (t[0], t[1] != "saga", t[2], t[3])):
        v = rows[key]
        f4 = lambda x: "%.4g" % x
        win = " / ".join(f4(t[0]) for t in v)
        tl = " / ".join(f4(t[1]) for t in v)
        bent = " / ".join(str(t[2]) for t in v)
        pr = f4(np.median([t[3] for t in v]))
        ratio = " / ".join("%.2f" % (t[3] / t[1]) for t in v)
        end = " / ".join("%d, %.1e" % (t[4], t[5]) for t in v)
        print("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            key[0], key[1], key[2], key[3], win, tl, bent, pr, ratio, end))


if __name__ == "__main__":
    main(sys.argv[1])
