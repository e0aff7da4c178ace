#!/usr/bin/env python3
"""Convergence-rate regression check (issue 8).

    compare.py RESULTS.h5 BASELINE.tsv                     compare, exit 1 on a regression
    compare.py RESULTS.h5 BASELINE.tsv --update SPREAD.h5  rewrite the baseline
    compare.py SPREAD.h5 --spread                          seed-to-seed spread per config

A run is identified by (algorithm, dataset, nodes, period, aggregate,
step_scale, seed), "-" where the method does not declare the key (SPEC
3.10), followed by "|key=value" for each other key the method declares
(read from the results file's /algorithms table, so a new method needs no
edit here).  `--ignore KEY` leaves KEY out of the identity (the self-test
slows dsaga through its step_scale and must still find its runs).  For each it records rate_per_epoch (SPEC 4) and the
epochs to reach a relative suboptimality of 1e-8 (subopt / subopt at epoch
0), or, for a method that never gets there (sgd, local-sgd stall), its
final relative suboptimality.

A run regresses when
  - it reached 1e-8 in the baseline and no longer does, or needs more than
    (1 + tol) times the baseline's epochs, or
  - its rate is worse than the baseline's by more than tol (relative), or
  - for a method that does not reach 1e-8 (sgd and local-sgd stall, gd
    and the control-variate methods are slow on these sets), it loses more
    than TOL_PROGRESS of its decades of progress, -log10(final relative
    subopt), and never more than TOL_DECADES, or
  - its status changed from done to diverged/failed.
Improvements are reported and do not fail.

The tolerance is per run, from the seed-to-seed spread of its
configuration (SPREAD.h5: the same grid over 5 seeds, tests/regress/
spread.ini): tol = min(TOL_MAX, max(TOL_MIN, SPREAD_FACTOR * (max - min) / |median|))
over the seeds, for the rate and for the epochs to 1e-8 separately, and
at most TOL_MAX.  A configuration whose rate varies by 1 % from seed to
seed gets 5 %; one that varies by 30 % gets 45 %; one whose seeds
disagree more (a bent curve's window rate) is judged at 50 %, since a
tolerance above 1 would let a rate of the wrong sign pass.  The baseline itself uses one fixed seed,
so on an unchanged build the check reproduces it exactly.
"""
import math
import sys

import h5py
import numpy as np

TOL_MIN = 0.05        # relative, the least tolerance on rates and epochs-to-target
SPREAD_FACTOR = 1.5   # times the seed-to-seed relative spread (max - min) / median
TOL_MAX = 0.5         # the most tolerance a seed spread can buy
TOL_PROGRESS = 0.1    # of the decades of progress of a run that stops short of 1e-8
TOL_DECADES = 0.5     # ... and never more than this many decades
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


def run_key(a, declared, ignore=()):
    """The identity of a run: KEY_ATTRS ("-" when absent), then the other
    keys its method declares as key=value."""
    parts = []
    for k in KEY_ATTRS:
        if k in ignore or k not in a:
            parts.append("-")
        elif k in ("nodes", "period", "step_scale", "seed"):
            parts.append(fmt_num(a[k]))
        else:
            parts.append(text(a[k]))
    for k in declared:
        if k not in KEY_ATTRS and k not in ignore and k in a:
            v = a[k]
            parts.append("%s=%s" % (k, text(v) if isinstance(v, (bytes, str)) else fmt_num(v)))
    return "|".join(parts)


def load(path, ignore=()):
    rows = {}
    with h5py.File(path, "r") as f:
        tables = f["algorithms"] if "algorithms" in f else {}
        for name, g in sorted(f["runs"].items()):
            a = g.attrs
            alg = text(a["algorithm"])
            declared = [k for k in text(tables[alg].attrs["keys"]).split(",") if k] \
                if alg in tables else []
            key = run_key(a, declared, ignore)
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
            key, status, rate, ep, final, tol_rate, tol_ep = line.rstrip("\n").split("\t")
            base[key] = {"status": status, "rate": float(rate),
                         "epochs_to_target": float(ep), "final_rel": float(final),
                         "tol_rate": float(tol_rate), "tol_epochs": float(tol_ep)}
    return base


def rel_spread(values):
    v = np.asarray(values, dtype=float)
    if len(v) < 2 or not np.all(np.isfinite(v)):
        return float("nan")
    med = np.median(v)
    return float((v.max() - v.min()) / abs(med)) if med else float("nan")


def without_seed(key):
    """A run's identity without its seed (run_key: the seed is one of
    KEY_ATTRS, and the method's own keys follow it, so it need not be
    the last field)."""
    parts = key.split("|")
    at = KEY_ATTRS.index("seed")
    return "|".join(parts[:at] + parts[at + 1:])


def spread_groups(rows):
    groups = {}
    for key, r in rows.items():
        groups.setdefault(without_seed(key), []).append(r)
    return groups


def write_baseline(path, rows, spread_rows):
    groups = spread_groups(spread_rows)

    def tol(cfg, field):
        sp = rel_spread([r[field] for r in groups.get(cfg, [])])
        return min(TOL_MAX, max(TOL_MIN, SPREAD_FACTOR * sp)) if math.isfinite(sp) else TOL_MIN

    with open(path, "w") as fh:
        fh.write("# convergence baseline, written by `make regress-update`\n")
        fh.write("# key = " + "|".join(KEY_ATTRS) + "\n")
        fh.write("# tol = min(%g, max(%g, %g x seed-to-seed (max-min)/median over the seeds of "
                 "tests/regress/spread.ini))\n" % (TOL_MAX, TOL_MIN, SPREAD_FACTOR))
        fh.write("# key\tstatus\trate_per_epoch\tepochs_to_1e-8\tfinal_rel_subopt\t"
                 "tol_rate\ttol_epochs\n")
        for key in sorted(rows):
            r = rows[key]
            cfg = without_seed(key)
            fh.write("%s\t%s\t%.6g\t%.6g\t%.6g\t%.3f\t%.3f\n" % (
                key, r["status"], r["rate"], r["epochs_to_target"], r["final_rel"],
                tol(cfg, "rate"), tol(cfg, "epochs_to_target")))


def judge(b, n):
    """(verdict, reason): verdict in {ok, better, WORSE}."""
    if b["status"] == "done" and n["status"] != "done":
        return "WORSE", "status %s -> %s" % (b["status"], n["status"])
    if math.isfinite(b["epochs_to_target"]):
        if not math.isfinite(n["epochs_to_target"]):
            return "WORSE", "no longer reaches 1e-8"
        if n["epochs_to_target"] > (1 + b["tol_epochs"]) * b["epochs_to_target"]:
            return "WORSE", "epochs to 1e-8 +%.0f%%" % (
                100 * (n["epochs_to_target"] / b["epochs_to_target"] - 1))
    elif math.isfinite(b["final_rel"]) and b["final_rel"] > 0:
        progress = -math.log10(b["final_rel"])  # decades gained, as the baseline
        allowed = min(TOL_DECADES, TOL_PROGRESS * abs(progress))
        if not (n["final_rel"] <= b["final_rel"] * 10 ** allowed):
            return "WORSE", "final subopt x%.2g (%.2f of %.2f decades lost, tol %.2f)" % (
                n["final_rel"] / b["final_rel"], math.log10(n["final_rel"] / b["final_rel"])
                if n["final_rel"] > 0 else float("inf"), progress, allowed)
    tol_rate = b["tol_rate"]
    if math.isfinite(b["rate"]) and b["rate"] < 0:
        if not math.isfinite(n["rate"]) or n["rate"] > b["rate"] * (1 - tol_rate):
            return "WORSE", "rate %.0f%% slower (tol %.0f%%)" % (
                100 * (1 - n["rate"] / b["rate"]), 100 * tol_rate)
        if n["rate"] < b["rate"] * (1 + tol_rate):
            return "better", "rate %.0f%% faster" % (100 * (n["rate"] / b["rate"] - 1))
    return "ok", ""


def compare(results, baseline, ignore=()):
    rows = load(results, ignore)
    base = read_baseline(baseline)
    if ignore:  # the same identity on both sides
        idx = [i for i, k in enumerate(KEY_ATTRS) if k in ignore]
        base = {"|".join("-" if i in idx else p for i, p in enumerate(key.split("|"))): v
                for key, v in base.items()}
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
    print("# %d of %d runs regressed (per-run tolerance from the seed spread, %.0f-%.0f%%; "
          "short of 1e-8: %.0f%% of the decades gained, at most %.1f)" % (
              worse, len(base), 100 * TOL_MIN, 100 * TOL_MAX, 100 * TOL_PROGRESS, TOL_DECADES))
    return 1 if worse else 0


def spread(results):
    groups = spread_groups(load(results))
    print("%-52s %5s %12s %10s %12s %10s" % ("config", "seeds", "median rate", "rel spread",
                                             "median ep", "rel spread"))
    worst = 0.0
    for cfg in sorted(groups):
        rs = np.array([r["rate"] for r in groups[cfg]])
        es = np.array([r["epochs_to_target"] for r in groups[cfg]])
        med = np.median(rs)
        rsp = rel_spread(rs)
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
    if len(argv) == 5 and argv[3] == "--update":
        write_baseline(argv[2], load(argv[1]), load(argv[4]))
        print("baseline written: %s" % argv[2])
        return 0
    if len(argv) == 3:
        return compare(argv[1], argv[2])
    if len(argv) == 5 and argv[3] == "--ignore":
        return compare(argv[1], argv[2], (argv[4],))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
