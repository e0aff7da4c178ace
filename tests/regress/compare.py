#!/usr/bin/env python3
"""Convergence-rate regression check (issue 8).

    compare.py RESULTS.h5 BASELINE.tsv            compare, exit 1 on a regression
    compare.py RESULTS.h5 BASELINE.tsv --update   rewrite the baseline
    compare.py RESULTS.h5 --spread                seed-to-seed spread per config

A run is identified by (algorithm, dataset, nodes, period, aggregate,
step_scale, seed).  For each it records rate_per_epoch (SPEC 4) and the
epochs to reach a relative suboptimality of 1e-8 (subopt / subopt at epoch
0), or, for a method that never gets there (sgd, local-sgd stall), its
final relative suboptimality.

A run regresses when
  - it reached 1e-8 in the baseline and no longer does, or needs more than
    (1 + TOL) times the baseline's epochs, or
  - its rate is worse than the baseline's by more than TOL (relative), or
  - for a stalling method, its final relative subopt is more than
    10**(TOL_DECADES) times the baseline's, or
  - its status changed from done to diverged/failed.
Improvements are reported and do not fail.  TOL is justified in README
("Convergence regressions") from the seed-to-seed spread measured with
--spread.
"""
import math
import sys

import h5py
import numpy as np

TOL = 0.10          # relative, on rates and epochs-to-target
TOL_DECADES = 0.5   # on the final subopt of methods that stall
TARGET = 1e-8

KEY_ATTRS = ("algorithm", "dataset", "nodes", "period", "aggregate", "step_scale", "seed")


def text(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return str(v)


def fmt_num(v):
    v = float(v)
    return "%g" % v


def load(path):
    rows = {}
    with h5py.File(path, "r") as f:
        for name, g in sorted(f["runs"].items()):
            a = g.attrs
            key = "|".join(fmt_num(a[k]) if k in ("nodes", "period", "step_scale", "seed")
                           else text(a[k]) for k in KEY_ATTRS)
            sub = np.asarray(g["subopt"][:], dtype=float)
            ep = np.asarray(g["epoch"][:], dtype=float)
            s0 = sub[0] if len(sub) and sub[0] > 0 else float("nan")
            rel = sub / s0
            hit = np.nonzero(rel <= TARGET)[0]
            rows[key] = {
                "status": text(a["status"]),
                "rate": float(a["rate_per_epoch"]),
                "epochs_to_target": float(ep[hit[0]]) if len(hit) else float("inf"),
                "final_rel": float(rel[-1]) if len(rel) else float("nan"),
            }
    return rows


def read_baseline(path):
    base = {}
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            key, status, rate, ep, final = line.rstrip("\n").split("\t")
            base[key] = {"status": status, "rate": float(rate),
                         "epochs_to_target": float(ep), "final_rel": float(final)}
    return base


def write_baseline(path, rows):
    with open(path, "w") as fh:
        fh.write("# convergence baseline, written by `make regress-update`\n")
        fh.write("# key = " + "|".join(KEY_ATTRS) + "\n")
        fh.write("# key\tstatus\trate_per_epoch\tepochs_to_1e-8\tfinal_rel_subopt\n")
        for key in sorted(rows):
            r = rows[key]
            fh.write("%s\t%s\t%.6g\t%.6g\t%.6g\n" % (key, r["status"], r["rate"],
                                                     r["epochs_to_target"], r["final_rel"]))


def judge(b, n):
    """(verdict, reason): verdict in {ok, better, WORSE}."""
    if b["status"] == "done" and n["status"] != "done":
        return "WORSE", "status %s -> %s" % (b["status"], n["status"])
    if math.isfinite(b["epochs_to_target"]):
        if not math.isfinite(n["epochs_to_target"]):
            return "WORSE", "no longer reaches 1e-8"
        if n["epochs_to_target"] > (1 + TOL) * b["epochs_to_target"]:
            return "WORSE", "epochs to 1e-8 +%.0f%%" % (
                100 * (n["epochs_to_target"] / b["epochs_to_target"] - 1))
    elif math.isfinite(b["final_rel"]) and b["final_rel"] > 0:
        if not (n["final_rel"] <= b["final_rel"] * 10 ** TOL_DECADES):
            return "WORSE", "final subopt x%.2g" % (n["final_rel"] / b["final_rel"])
    if math.isfinite(b["rate"]) and b["rate"] < 0:
        if not math.isfinite(n["rate"]) or n["rate"] > b["rate"] * (1 - TOL):
            return "WORSE", "rate %.0f%% slower" % (100 * (1 - n["rate"] / b["rate"]))
        if n["rate"] < b["rate"] * (1 + TOL):
            return "better", "rate %.0f%% faster" % (100 * (n["rate"] / b["rate"] - 1))
    return "ok", ""


def compare(results, baseline):
    rows = load(results)
    base = read_baseline(baseline)
    worse = 0
    print("%-58s %-8s %12s %12s %10s %10s  %s" % ("run (algorithm|dataset|K|period|agg|step_scale|seed)",
          "verdict", "rate base", "rate now", "ep base", "ep now", "why"))
    for key in sorted(base):
        b = base[key]
        n = rows.get(key)
        if n is None:
            print("%-58s %-8s  missing from the results" % (key[:58], "WORSE"))
            worse += 1
            continue
        verdict, why = judge(b, n)
        worse += verdict == "WORSE"
        print("%-58s %-8s %12.4g %12.4g %10.3g %10.3g  %s" % (
            key[:58], verdict, b["rate"], n["rate"], b["epochs_to_target"],
            n["epochs_to_target"], why))
    for key in sorted(set(rows) - set(base)):
        print("%-58s %-8s  not in the baseline (make regress-update adds it)" % (key[:58], "new"))
    print("# %d of %d runs regressed (tolerance %.0f%% on rates and epochs, %.1f decades "
          "on stalled subopt)" % (worse, len(base), 100 * TOL, TOL_DECADES))
    return 1 if worse else 0


def spread(results):
    rows = load(results)
    groups = {}
    for key, r in rows.items():
        cfg = key.rsplit("|", 1)[0]
        groups.setdefault(cfg, []).append(r)
    print("%-52s %5s %12s %10s %12s %10s" % ("config", "seeds", "median rate", "rel spread",
                                             "median ep", "rel spread"))
    worst = 0.0
    for cfg in sorted(groups):
        rs = np.array([r["rate"] for r in groups[cfg]])
        es = np.array([r["epochs_to_target"] for r in groups[cfg]])
        med = np.median(rs)
        rsp = (rs.max() - rs.min()) / abs(med) if np.all(np.isfinite(rs)) and med else float("nan")
        if np.all(np.isfinite(es)):
            emed = np.median(es)
            esp = (es.max() - es.min()) / emed
        else:
            emed, esp = float("inf"), float("nan")
        for v in (rsp, esp):
            if math.isfinite(v):
                worst = max(worst, v)
        print("%-52s %5d %12.4g %10.3f %12.3g %10.3f" % (cfg[:52], len(rs), med, rsp, emed, esp))
    print("# largest relative seed-to-seed spread (max-min)/median: %.3f" % worst)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[2] == "--spread":
        return spread(argv[1])
    if len(argv) == 4 and argv[3] == "--update":
        write_baseline(argv[2], load(argv[1]))
        print("baseline written: %s" % argv[2])
        return 0
    if len(argv) == 3:
        return compare(argv[1], argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
