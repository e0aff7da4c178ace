#!/usr/bin/python3
"""network_study.py - issue 10 study tables from results/network/*.h5.

The network model never changes the iterates (nothing is slept unless
straggler_sleep), so one run per configuration gives its trace; the modelled
time under any (alpha, beta, straggler factor) follows from the stored rounds
and epochs by the closed form of base/netmodel.h (checked to 1e-12 by
tests/mpi/test_netmodel.sh):

    model_s = rounds * (max_k work_k * compute_s * slow_k + T_allreduce(n))

work per round: dsaga tau, gd n_k, sgd batch, local-sgd tau * batch, taken on
the largest shard (n_k = ceil(N/K)); with one slow node the maximum is the
slow node's, also taken as ceil(N/K) (an upper bound, at most 1/n_k off).
This script first recomputes every stored model_s (with and without
stragglers) and reports the largest relative difference.

Time to the target (relative subopt 1e-8): the modelled time at the first
checkpoint that reaches it, else (a linear method still converging)
extrapolated with the rate of its last checkpoints, else 'stalls'.

usage: network_study.py RESULTS.h5... [--derived OUT.h5]
  --derived writes copies of the runs with model_s recomputed for the
  datacenter and wan presets, with and without one node 4x slower, and for
  dsaga an alpha sweep (beta of datacenter), for paper-figures/fig8.
"""

import math
import sys

import h5py
import numpy as np

PRESETS = {"datacenter": (5e-6, 1e-10), "wan": (5e-2, 8e-8)}
ALPHAS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
TARGET = 1e-8
STRAG = 4.0


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def t_allreduce(alpha, beta, k, n):
    if k <= 1:
        return 0.0
    return 2 * math.ceil(math.log2(k)) * alpha + 2 * (k - 1) / k * 8 * n * beta


class Run:
    def __init__(self, path, name, g):
        a = g.attrs
        self.path, self.name = path, name
        self.alg = text(a["algorithm"])
        self.k = 1 if self.alg == "saga" else int(a["nodes"])
        self.N, self.d = int(a["n_samples"]), int(a["n_features"])
        self.period = float(a["period"])
        self.frac = text(a["period_unit"]) == "n_k fraction"
        self.ptext = ("%gn" % self.period) if self.frac else "%g" % self.period
        self.batch = int(a["batch"])
        self.cs = float(a["compute_s"])
        self.alpha, self.beta = float(a["net_alpha_s"]), float(a["net_beta_s"])
        self.slow = float(a["straggler_factor"]) if int(a["straggler_nodes"]) > 0 else 1.0
        self.epoch = g["epoch"][()]
        self.rounds = g["rounds"][()]
        self.subopt = g["subopt"][()]
        self.model = g["model_s"][()]
        self.status = text(a["status"])
        nk = -(-self.N // self.k)  # ceil: the largest shard
        if self.alg == "dsaga":
            tau = self.period * nk if self.frac else self.period
            self.work, self.n_msg = max(1, int(np.floor(tau + 0.5))), 2 * self.d
        elif self.alg == "local-sgd":
            tau = self.period * nk / self.batch if self.frac else self.period
            self.work, self.n_msg = max(1, int(np.floor(tau + 0.5))) * self.batch, self.d
        elif self.alg == "sgd":
            self.work, self.n_msg = self.batch, self.d
        elif self.alg == "gd":
            self.work, self.n_msg = nk, self.d
        else:
            self.work, self.n_msg = 0, 0

    def label(self):
        if self.alg == "dsaga":
            return "dsaga mean tau=%s" % self.ptext
        if self.alg == "sgd":
            return "sgd b=%d" % self.batch
        if self.alg == "local-sgd":
            return "local-sgd tau=%s" % self.ptext
        return self.alg

    def model_at(self, alpha, beta, slow):
        """model_s per checkpoint under (alpha, beta, one node `slow`x)."""
        if self.alg == "saga":  # one node, every step its own, no network
            return self.epoch * self.N * self.cs * slow
        per = self.work * self.cs * slow + t_allreduce(alpha, beta, self.k, self.n_msg)
        return self.rounds * per

    def rel(self):
        return self.subopt / self.subopt[0]

    def to_target(self, model):
        """(model_s at TARGET, how): reached, extrapolated or stalls."""
        rel = self.rel()
        hit = np.nonzero(rel <= TARGET)[0]
        if len(hit):
            return float(model[hit[0]]), "reached"
        if self.alg in ("sgd", "local-sgd"):  # sublinear: no rate to extrapolate
            return math.inf, "not reached: %.1e at %g ep (%.3g s)" % (
                rel[-1], self.epoch[-1], model[-1])
        if self.status != "done" or len(rel) < 3:
            return math.inf, self.status
        # the rate (decades per epoch) over the last half of the checkpoints
        m = max(2, len(rel) // 2)
        e, lr = self.epoch[-m:], np.log10(rel[-m:])
        slope = np.polyfit(e, lr, 1)[0]
        # linear convergence: the last half's rate matches the first half's
        # within a factor 2; sublinear (sgd, local-sgd) slows down
        e1, l1 = self.epoch[1:m + 1], np.log10(rel[1:m + 1])
        slope1 = np.polyfit(e1, l1, 1)[0] if len(e1) >= 2 else slope
        if not (slope < -1e-4) or slope > 0.5 * slope1:
            return math.inf, "stalls at %.1e after %g ep" % (rel[-1], self.epoch[-1])
        ep_needed = self.epoch[-1] + (np.log10(TARGET) - lr[-1]) / slope
        per_epoch = (model[-1] - model[0]) / (self.epoch[-1] - self.epoch[0])
        return float(model[-1] + (ep_needed - self.epoch[-1]) * per_epoch), \
            "extrap. %.0f ep" % ep_needed


def load(paths):
    runs = []
    for p in paths:
        with h5py.File(p, "r") as f:
            for name, g in f["runs"].items():
                if "model_s" in g:
                    runs.append(Run(p, name, g))
    return runs


def fmt(t):
    if not math.isfinite(t):
        return "-"
    return "%.3g" % t


def main(argv):
    derived = None
    if "--derived" in argv:
        i = argv.index("--derived")
        derived = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    runs = load(argv)
    # 1. the derivation reproduces every stored model_s
    worst = 0.0
    for r in runs:
        m = r.model_at(r.alpha, r.beta, r.slow)
        err = np.max(np.abs(m - r.model) / np.maximum(np.abs(r.model), 1e-300))
        worst = max(worst, err)
        if err > 1e-2:
            print("WARNING %s %s: recomputed model_s off by %.2g" % (r.path, r.label(), err))
    print("recomputed model_s vs stored, all %d runs: max rel. difference %.2g\n" % (
        len(runs), worst))
    base = [r for r in runs if r.slow == 1.0]
    cs = sorted({r.cs for r in runs})
    print("compute_s = %s s per component gradient\n" % ", ".join("%g" % c for c in cs))

    # 2. per method and preset: time to TARGET (model_s, s)
    print("## Modelled time to relative suboptimality 1e-8 (s)\n")
    print("| K | method | datacenter | wan | rounds/epoch | rel. subopt at budget |")
    print("|---|---|---|---|---|---|")
    for r in sorted(base, key=lambda r: (r.k, r.alg, r.period)):
        cells = []
        for p in ("datacenter", "wan"):
            t, how = r.to_target(r.model_at(*PRESETS[p], 1.0))
            cells.append("%s (%s)" % (fmt(t), how) if math.isfinite(t) else how)
        rpe = r.rounds[-1] / r.epoch[-1] if r.epoch[-1] > 0 else 0
        print("| %d | %s | %s | %s | %.3g | %.1e at %g ep |" % (
            r.k, r.label(), cells[0], cells[1], rpe, r.rel()[-1], r.epoch[-1]))

    # 3. best dsaga period per preset and K
    print("\n## dsaga (mean): the period that minimises modelled time to 1e-8\n")
    print("| K | preset | best tau | time (s) | runner-up | time (s) |")
    print("|---|---|---|---|---|---|")
    ks = sorted({r.k for r in base if r.alg == "dsaga"})
    for k in ks:
        ds = [r for r in base if r.alg == "dsaga" and r.k == k]
        for p in ("datacenter", "wan"):
            ts = sorted((r.to_target(r.model_at(*PRESETS[p], 1.0))[0], r.ptext) for r in ds)
            print("| %d | %s | %s | %s | %s | %s |" % (k, p, ts[0][1], fmt(ts[0][0]),
                                                       ts[1][1], fmt(ts[1][0])))

    # 4. best period against alpha (beta of datacenter)
    print("\n## dsaga: best period against latency alpha (beta = 1e-10 s/B)\n")
    print("| K | " + " | ".join("alpha=%g" % a for a in ALPHAS) + " |")
    print("|---|" + "---|" * len(ALPHAS))
    for k in ks:
        ds = [r for r in base if r.alg == "dsaga" and r.k == k]
        row = []
        for a in ALPHAS:
            t, p = min((r.to_target(r.model_at(a, 1e-10, 1.0))[0], r.ptext) for r in ds)
            row.append("%s (%s s)" % (p, fmt(t)))
        print("| %d | %s |" % (k, " | ".join(row)))

    # 5. straggler cost: same iterates, so the ratio of times to any target
    # is the ratio of modelled time per epoch
    print("\n## Straggler cost: one node %gx slower, ratio of modelled time per epoch\n" % STRAG)
    print("| K | method | datacenter | wan | checked by a real straggler run |")
    print("|---|---|---|---|---|")
    for r in sorted(base, key=lambda r: (r.k, r.alg, r.period)):
        if r.alg == "saga":
            continue
        ratios = []
        for p in ("datacenter", "wan"):
            m0 = r.model_at(*PRESETS[p], 1.0)[-1]
            m1 = r.model_at(*PRESETS[p], STRAG)[-1]
            ratios.append(m1 / m0)
        real = [s for s in runs if s.slow == STRAG and s.alg == r.alg and s.k == r.k
                and s.ptext == r.ptext and s.batch == r.batch]
        chk = ""
        if real:
            s = real[0]
            per_s = s.model[-1] / s.epoch[-1]
            per_b = r.model_at(s.alpha, s.beta, 1.0)[-1] / r.epoch[-1]
            chk = "stored %.4g (datacenter)" % (per_s / per_b)
        print("| %d | %s | %.3g | %.3g | %s |" % (r.k, r.label(), ratios[0], ratios[1], chk))

    if derived:
        write_derived(base, derived)


def write_derived(base, out):
    """Copies of the runs with model_s for each preset (+ straggler) and, for
    dsaga, each alpha of the sweep: input for paper-figures/fig8."""
    n = 0
    with h5py.File(out, "w") as fo:
        fo.attrs["note"] = ("model_s derived from stored rounds/epochs by notes/network_study.py "
                            "(closed form of base/netmodel.h); traces are real runs")
        runs_g = fo.create_group("runs")
        for r in base:
            settings = [(a, b, s) for (a, b) in PRESETS.values() for s in (1.0, STRAG)]
            if r.alg == "dsaga":
                settings += [(a, 1e-10, s) for a in ALPHAS for s in (1.0, STRAG)]
            if r.alg == "saga":
                settings = [(a, b, 1.0) for (a, b) in PRESETS.values()]
            for a, b, s in dict.fromkeys(settings):
                g = runs_g.create_group("%06d" % n)
                # attributes and columns one by one (h5py's cross-file copy
                # crashes on these files)
                with h5py.File(r.path, "r") as fi:
                    src = fi["runs"][r.name]
                    for k, v in src.attrs.items():
                        g.attrs[k] = v
                    for k in src:
                        g[k] = src[k][()]
                del g["model_s"]
                g["model_s"] = r.model_at(a, b, s)
                g.attrs["net_alpha_s"] = a
                g.attrs["net_beta_s"] = b
                g.attrs["straggler_factor"] = s
                g.attrs["straggler_nodes"] = 1 if s > 1 else 0
                g.attrs["model_derived_from"] = "%s:/runs/%s" % (r.path, r.name)
                n += 1
    print("\nwrote %d derived runs to %s" % (n, out))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
