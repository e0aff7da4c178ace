#!/usr/bin/python3
"""make_test_h5.py - synthetic results files in the SPEC 5 layout, for the
paper-figures tests (the curves are plausible, not computed).

usage: make_test_h5.py OUT_DIR [--drop NAME ...] [--seeds S] [--no-tail]

Writes OUT_DIR/{convergence,period,nodes,split,step,network}.h5, one file per
experiment family (SPEC 6); --drop NAME leaves that file out, so a figure's
runs go missing; --no-tail writes no tail_rate_per_epoch and no bent (results
from before SPEC 4's tail fit).  Shapes:
  saga      linear, -0.9 decades/epoch
  dsaga     linear, slower with larger tau/n_k and K*tau*step; aggregate=sum
            diverges for K >= 4 once tau >= 50 steps; step_scale too large
            diverges; with mean, K >= 4 and tau >= 0.5 n_k it bends below
            1e-7 of the start into a mode 10x slower (bent, SPEC 4);
            refresh=visited (period file, K = 4) loses less to tau; every
            dsaga run has a refresh attribute, and the period file describes
            dsaga in /algorithms/dsaga (keys, legend_keys), as the suite
            does
  sgd       ~ 1/(1 + 3 epoch), stalls near 1e-3
  local-sgd like sgd, plateau growing with tau, much higher with label shards
  gd        linear, -0.2 decades/epoch (one round per epoch)
The convergence grid's first dsaga configuration is its base (K = 4,
0.25 n_k), the other methods' K; with dsaga at K = 1, 2, 4, 8 it has more
configurations than figures 1, 2, 6 draw.  The nodes grid has K = 3 (not
a geometric series).
The convergence and split files also hold a regime slice at lambda 1e-2 (saga and
dsaga at 0.5 n_k; local-sgd on both splits), next to lambda = 1/N, as
default.ini's saga:regime and dsaga:regime: figures 1, 2, 5, 6 draw 1/N only.
Root attributes are written as bytes in some files and str in others, and
period both as steps and as an n_k fraction, as a reader meets both.
"""

import argparse
import math
import os
import zlib

import h5py
import numpy as np

FILES = ["convergence", "period", "nodes", "split", "step", "network"]
DATASETS = {"synthA": (4000, 101), "synthB": (8000, 301)}  # N, d (bias included)
SAGA_RATE = -0.9
TOL = 1e-10


def fit_rate(epoch, subopt):
    """SPEC 4 rule, as trace_fit_rate."""
    if len(subopt) < 2 or not subopt[0] > 0:
        return float("nan")
    rel = subopt / subopt[0]
    ok = np.isfinite(rel) & (rel <= 1e-2) & (rel >= 1e-9)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(epoch[ok], np.log10(subopt[ok]), 1)[0])


def fit_tail_rate(epoch, subopt):
    """SPEC 4 tail rule, as trace_fit_tail_rate: the last third (>= 5) of
    the checkpoints with subopt above 1e-13 of its first value."""
    if len(subopt) < 2 or not subopt[0] > 0:
        return float("nan")
    ok = np.nonzero(np.isfinite(subopt) & (subopt > 1e-13 * subopt[0]))[0]
    if len(ok) < 5:
        return float("nan")
    ok = ok[-max(5, (len(ok) + 2) // 3):]
    return float(np.polyfit(epoch[ok], np.log10(subopt[ok]), 1)[0])


class Grid:
    def __init__(self, path, name, as_bytes, tail=True):
        self.f = h5py.File(path, "w")
        self.as_bytes = as_bytes
        self.tail = tail
        self.n = 0
        root = {
            "suite_version": "0.1.0-test",
            "git_commit": "deadbeef0001",
            "created": "2024-01-01T00:00:00Z",
            "config": "[grid]\nname = %s\n# synthetic test data (tests/figures)\n" % name,
            "host": "testhost", "cpu_model": "test cpu", "cores": "2",
            "mpi_library": "Open MPI (test)", "compiler": "gcc test -O2",
            "blas": "OpenBLAS test",
        }
        for k, v in root.items():
            self.f.attrs[k] = self.s(v)
        self.f.create_group("runs")

    def s(self, v):
        return np.bytes_(v.encode()) if self.as_bytes else v

    def add(self, alg, dataset, nodes=1, period=0.0, period_unit="steps", aggregate="mean",
            partition="random", batch=1, step_scale=1.0, seed=1, net=None, status=None,
            lam=None, refresh="none"):
        N, d = DATASETS[dataset]
        key = (alg, dataset, nodes, period, aggregate, partition, step_scale, seed, net) + (
            (refresh,) if refresh != "none" else ())
        rng = np.random.default_rng(zlib.crc32(repr(key + ((lam,) if lam else ())).encode()))
        n_k = N / nodes
        tau = period * n_k if period_unit != "steps" else period
        tau_frac = tau / n_k if tau else 0.0
        eval_every, max_epochs = 0.5, 30.0
        epoch = np.arange(0.0, max_epochs + 1e-9, eval_every)
        s0 = 0.45
        jitter = 1.0 + 0.04 * rng.standard_normal()
        diverged = False
        if alg == "saga":
            rel = 10 ** (SAGA_RATE * jitter * epoch)
        elif alg == "dsaga":
            lose = 0.9 if refresh == "none" else 0.2
            eff = min(step_scale, 1.5) / (1.0 + lose * tau_frac) / (1.0 + 0.01 * nodes * tau_frac)
            rate = SAGA_RATE * eff * jitter
            rel = 10 ** (rate * epoch)
            if aggregate == "mean" and nodes >= 4 and tau_frac >= 0.5:
                e_b = -7.0 / rate  # the bend, at 1e-7 of the start
                rel = np.where(epoch <= e_b, rel, 10 ** (-7.0 + rate / 10 * (epoch - e_b)))
            if aggregate == "sum" and nodes >= 4 and tau >= 50:
                diverged = True
            if step_scale * (1.0 + 0.05 * nodes * min(tau_frac, 1.0)) > 3.2:
                diverged = True
        elif alg == "gd":
            rel = 10 ** (-0.2 * epoch)
        else:
            floor = 1e-3 * jitter
            if alg == "local-sgd":
                floor *= 1.0 + 20.0 * tau_frac
                if partition == "label":
                    floor *= 30.0
            rel = 1.0 / (1.0 + 3.0 * epoch) + floor * (1 - np.exp(-epoch))
            rel *= np.exp(0.05 * rng.standard_normal(len(epoch)))
            rel[0] = 1.0
        if diverged:
            k = int(rng.integers(3, 8))
            rel = 10 ** (0.9 * epoch[:k])
            rel = np.append(rel, np.inf)
            epoch = epoch[:k + 1]
        else:
            hit = np.nonzero(rel <= TOL)[0]
            if len(hit):
                rel, epoch = rel[:hit[0] + 1], epoch[:hit[0] + 1]
        subopt = rel * s0
        fstar = 0.25 + 0.01 * (dataset == "synthB")
        if alg == "saga":
            rounds = np.zeros_like(epoch)
            per_round = 0.0
        elif alg == "gd":
            rounds = np.floor(epoch + 1e-9)
            per_round = 8.0 * d * nodes
        elif alg == "dsaga":
            rounds = np.floor(epoch * N / (nodes * tau) + 1e-9)
            per_round = 16.0 * d * nodes
        elif alg == "sgd":
            rounds = np.floor(epoch * N / (nodes * batch) + 1e-9)
            per_round = 8.0 * d * nodes
        else:
            rounds = np.floor(epoch * N / (nodes * batch * tau) + 1e-9)
            per_round = 8.0 * d * nodes
        bytes_ = rounds * per_round
        comm_s = rounds * (2e-5 + per_round / nodes / 1e9)
        wall_s = epoch * N * 2e-7 / nodes + comm_s
        objective = subopt + fstar
        grad_norm = np.sqrt(2 * np.abs(subopt) * 0.01)
        status = status or ("diverged" if diverged else "done")
        g = self.f.create_group("runs/%06d" % self.n)
        self.n += 1
        a = g.attrs
        a["algorithm"] = self.s(alg)
        a["dataset"] = self.s(dataset)
        a["loss"] = self.s("logistic")
        a["lambda"] = lam or 1.0 / N
        a["bias"] = 1.0
        a["nodes"] = np.int64(nodes)
        a["period"] = float(period)
        a["period_unit"] = self.s(period_unit)
        a["aggregate"] = self.s(aggregate)
        if alg == "dsaga":
            a["refresh"] = self.s(refresh)
        a["partition"] = self.s(partition)
        a["batch"] = np.int64(batch)
        a["step_scale"] = float(step_scale)
        a["step_size"] = 1.0 / (3 * 0.25 * 50) * step_scale
        a["seed"] = np.int64(seed)
        a["eval_every"] = eval_every
        a["max_epochs"] = max_epochs
        a["tol"] = TOL
        a["status"] = self.s(status)
        a["fstar"] = fstar
        a["rate_per_epoch"] = fit_rate(epoch, subopt)
        if self.tail:
            t = fit_tail_rate(epoch, subopt)
            a["tail_rate_per_epoch"] = t
            w = a["rate_per_epoch"]
            a["bent"] = np.int64(w < 0 and np.isfinite(t) and t > 0.5 * w)
        a["n_samples"] = np.int64(N)
        a["n_features"] = np.int64(d)
        cols = dict(epoch=epoch, rounds=rounds, bytes=bytes_, wall_s=wall_s, comm_s=comm_s,
                    objective=objective, subopt=subopt, grad_norm=grad_norm)
        if net is not None:
            alpha, beta, strag = net
            a["net_alpha_s"] = alpha
            a["net_beta_s"] = beta
            a["straggler_factor"] = strag
            a["straggler_nodes"] = np.int64(1 if strag > 1 else 0)
            a["straggler_delay_s"] = 0.0
            compute = epoch * N * 1e-6 / nodes * strag
            lat = alpha * 2 * math.log2(max(nodes, 2))
            cols["model_s"] = compute + rounds * (lat + beta * per_round / nodes)
        for k, v in cols.items():
            g.create_dataset(k, data=np.asarray(v, dtype=np.float64))

    def describe(self, alg, keys, legend_keys):
        """/algorithms/<alg> as the suite writes it (comma-separated keys)."""
        g = self.f.require_group("algorithms/" + alg)
        g.attrs["keys"] = self.s(keys)
        g.attrs["legend_keys"] = self.s(legend_keys)

    def close(self):
        self.f.close()


def make(out_dir, drop=(), seeds=3, tail=True):
    os.makedirs(out_dir, exist_ok=True)
    S = range(1, seeds + 1)
    made = []
    for i, name in enumerate(FILES):
        if name in drop:
            continue
        g = Grid(os.path.join(out_dir, name + ".h5"), name, as_bytes=(i % 2 == 0),
                 tail=tail)
        if name == "convergence":
            for ds in DATASETS:
                for s in S:
                    g.add("saga", ds, seed=s)
                    # the base configuration first (K = 4 as the others), then
                    # more than figures 1, 2, 6 draw: the base must stay
                    g.add("dsaga", ds, nodes=4, period=0.25, period_unit="n_k fraction", seed=s)
                    g.add("dsaga", ds, nodes=4, period=1.0, period_unit="n_k fraction", seed=s)
                    for K in (1, 2, 8):
                        g.add("dsaga", ds, nodes=K, period=0.5, period_unit="n_k fraction",
                              seed=s)
                    g.add("sgd", ds, nodes=4, batch=16, seed=s)
                    g.add("local-sgd", ds, nodes=4, period=50, batch=1, seed=s)
                    g.add("gd", ds, nodes=4, seed=s)
                    # a regime slice at another lambda (default.ini's saga:regime,
                    # dsaga:regime): figure 9's, not figures 1, 2 and 6's
                    g.add("saga", ds, seed=s, lam=1e-2)
                    g.add("dsaga", ds, nodes=4, period=0.5, period_unit="n_k fraction", seed=s,
                          lam=1e-2)
        elif name == "period":
            N = DATASETS["synthA"][0]
            g.describe("dsaga", "period,aggregate,sync,refresh", "period_text,aggregate,refresh")
            for s in S:
                for frac in (0.1, 0.5, 1.0):  # a second variant at K = 4: its own curve
                    g.add("dsaga", "synthA", nodes=4, period=round(frac * N / 4), seed=s,
                          refresh="visited")
                g.add("saga", "synthA", seed=s)
                for K in (2, 4, 8):
                    for frac in (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0):
                        for agg in ("mean", "sum"):
                            g.add("dsaga", "synthA", nodes=K, period=round(frac * N / K),
                                  aggregate=agg, seed=s)
        elif name == "nodes":
            for s in range(1, 21):  # 20 seeds: the 5-95 % band
                g.add("saga", "synthA", seed=s)
                for K in (1, 2, 3, 4, 8, 16):
                    g.add("dsaga", "synthA", nodes=K, period=0.5, period_unit="n_k fraction",
                          seed=s)
            for s in S:
                for K in (2, 4, 8, 16):
                    g.add("local-sgd", "synthA", nodes=K, period=50, seed=s)
        elif name == "split":
            for ds in DATASETS:
                for s in S:
                    for part in ("random", "label"):
                        g.add("dsaga", ds, nodes=4, period=0.5, period_unit="n_k fraction",
                              partition=part, seed=s)
                        g.add("local-sgd", ds, nodes=4, period=50, partition=part, seed=s)
                        # another lambda (a regime slice): not figure 5's
                        g.add("local-sgd", ds, nodes=4, period=50, partition=part, seed=s,
                              lam=1e-2)
        elif name == "step":
            for s in S:
                for K in (2, 4, 8):
                    for sc in (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 8.0):
                        g.add("dsaga", "synthA", nodes=K, period=0.5,
                              period_unit="n_k fraction", step_scale=sc, seed=s)
            g.add("dsaga", "synthA", nodes=4, period=0.5, period_unit="n_k fraction",
                  step_scale=16.0, seed=1, status="failed")
        elif name == "network":
            for s in (1, 2):
                for alpha in (1e-6, 1e-4, 1e-2):
                    for strag in (1.0, 4.0):
                        net = (alpha, 1e-9, strag)
                        for frac in (0.01, 0.05, 0.25, 1.0, 2.0):
                            g.add("dsaga", "synthA", nodes=8, period=frac,
                                  period_unit="n_k fraction", seed=s, net=net)
                        g.add("gd", "synthA", nodes=8, seed=s, net=net)
                        g.add("sgd", "synthA", nodes=8, batch=16, seed=s, net=net)
        g.close()
        made.append(name)
    return made


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out_dir")
    p.add_argument("--drop", action="append", default=[], choices=FILES)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--no-tail", action="store_true",
                   help="no tail_rate_per_epoch, no bent (older results)")
    args = p.parse_args()
    for name in make(args.out_dir, args.drop, args.seeds, not args.no_tail):
        print(os.path.join(args.out_dir, name + ".h5"))


if __name__ == "__main__":
    main()
