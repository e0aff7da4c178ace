#!/usr/bin/python3
"""loop_surrogate.py - the loop of predict's variance part alone, for
`refresh = visited`: a memory re-taken at a synchronisation holds that
synchronisation's noise, and the next rounds' draws read it
(notes/refresh.md, "The 24th cell: its curve, and what does not explain it").
It compares predict's held weights with runs whose rows are carried one
by one, in seconds.

Per round and node k, V_k is the noise power of the round's draws; the
error's variance per eigendirection j of H + lambda I evolves as predict's
does (harness/predict.c, predict_noise_round):
    P_j <- b_j^(2 tau) P_j + s^2 eta^2 sum_k V_k g_kj / tr G_k (1 - b_j^(2 tau)) / (1 - b_j^2)
and a memory taken at round t holds old_k(t) = sum_j g_kj P_j(t).
  held   predict's expectation: V_k = sum_a (1 - exp(-mu_a)) q (1 - q)^(a-1)
         old_k(r - a), plus the never-drawn rows' (1 - exp(-n_k never))
         never v0_k (mu_a = n_k (1 - q)^(a-1), never = (1 - q)^(r-1)).
  ages   each simulated run draws tau rows of n_k per round; V_k is the
         mean over those draws of each row's memory (old_k of its last
         round, v0_k if never drawn); every drawn row is re-taken at the
         synchronisation.
  chi2   the same, each re-taken memory holding old_k times a chi-square
         draw (one Gaussian's square), not its expected power.
  --fresh: a row drawn again within a round reads the memory its first
         draw took (0 here), not the stale one.
Left out: the mean error and its forms (they fade by the tail), the
local noise of memories taken at the local iterate (none under visited).
Everything is linear in v0, so only slopes are compared: the least-squares
slope of log10(subopt) per epoch where subopt lies between 10^HI and 10^LO
of the first round's.

usage: loop_surrogate.py SPECTRUM N_K TAU ETA ROUNDS_PER_EPOCH [options]
  SPECTRUM  predict's cached spectrum ($DSAGA_CACHE/spectrum-KEY.bin, the
            matrix-free path's: eigenvalues a_j and each node's G_k
            diagonal), or DATA.xz@LAMBDA: a narrow LIBSVM set (a9a), its
            spectrum computed here (logistic, w* by Newton, a random
            4-way split rather than the suite's shards)
  N_K TAU   rows a node and local steps a round; ETA the step (predict
            prints step_size and rounds_per_epoch)
  --rounds=R (300) --runs=S (12) --window=LO:HI (-6:-12) --s=S (1/K) --fresh
"""
import struct
import sys

import numpy as np


def spectrum_from_libsvm(path, lam, K=4):
    from noise_alignment import load
    X, y = load(path)
    N, d = X.shape
    w = np.zeros(d)
    for _ in range(50):
        sg = 1 / (1 + np.exp(y * (X @ w)))
        g = -(X.T @ (y * sg)) / N + lam * w
        if np.linalg.norm(g) < 1e-13:
            break
        w -= np.linalg.solve((X.T * (sg * (1 - sg) / N)) @ X + lam * np.eye(d), g)
    sg = 1 / (1 + np.exp(y * (X @ w)))
    h = sg * (1 - sg)
    ev, U = np.linalg.eigh((X.T * (h / N)) @ X)
    keep = ev > 1e-12 * ev[-1]
    ev, U = ev[keep], U[:, keep]
    own = np.random.default_rng(1).permutation(N) % K
    n2 = (X ** 2).sum(1)
    gd = []
    for k in range(K):
        i = own == k
        G = (X[i].T * (n2[i] * h[i] ** 2 / i.sum())) @ X[i]
        gd.append(np.einsum("ij,ik,kj->j", U, G, U))
    return ev + lam, np.array(gd)


def load_spectrum(path):
    if "@" in path:
        data, lam = path.rsplit("@", 1)
        return spectrum_from_libsvm(data, float(lam))
    raw = open(path, "rb").read()
    _, _, _, K, r = struct.unpack("5Q", raw[:40])
    x = np.frombuffer(raw[40:], dtype=np.float64)
    return x[:r].copy(), x[r:r + K * r].reshape(K, r).copy()


def simulate(a, gd, nk, tau, eta, s, rounds, mode, rng=None, fresh=False):
    K, _ = gd.shape
    ea = eta * a
    x = ea * (2 - ea)
    f2 = np.exp(2 * tau * np.log(np.abs(1 - ea)))
    fac = -np.expm1(tau * np.log1p(-x)) / x
    inj = gd / gd.sum(1)[:, None] * fac * (s * eta) ** 2  # per unit of V_k
    q = 1 - (1 - 1 / nk) ** tau
    P = np.zeros(len(a))
    old = np.zeros((rounds + 1, K))
    sub = np.zeros(rounds + 1)
    mem = [np.full(nk, np.nan) for _ in range(K)]  # nan: never drawn
    for rd in range(1, rounds + 1):
        V = np.zeros(K)
        drawn = []
        for k in range(K):
            if mode == "held":
                age = np.arange(1, rd)
                share = (1 - q) ** (age - 1)
                V[k] = (-np.expm1(-nk * share) * q * share * old[rd - age, k]).sum()
                never = (1 - q) ** (rd - 1)
                V[k] += -np.expm1(-nk * never) * never  # v0 = 1: all is linear in it
                continue
            idx = rng.integers(0, nk, int(tau))
            power = mem[k][idx]
            power = np.where(np.isnan(power), 1.0, power)
            if fresh:
                _, first = np.unique(idx, return_index=True)
                again = np.ones(len(idx), bool)
                again[first] = False
                power = np.where(again, 0.0, power)
            V[k] = power.mean()
            drawn.append(np.unique(idx))
        P = f2 * P + V @ inj
        old[rd] = gd @ P
        for k, rows in enumerate(drawn):
            fresh_power = old[rd, k]
            if mode == "chi2":
                fresh_power = fresh_power * rng.standard_normal(len(rows)) ** 2
            mem[k][rows] = fresh_power
        sub[rd] = 0.5 * (a * P).sum()
    return sub


def slope(sub, rpe, lo, hi):
    rel = np.log10(sub[1:] / sub[1])
    ep = np.arange(1, len(sub)) / rpe
    m = (rel <= lo) & (rel >= hi)
    return np.polyfit(ep[m], rel[m], 1)[0] if m.sum() > 3 else float("nan")


def main(argv):
    opts = {"rounds": "300", "runs": "12", "window": "-6:-12", "s": None}
    fresh = False
    pos = []
    for v in argv:
        if v == "--fresh":
            fresh = True
        elif v.startswith("--") and "=" in v:
            key, val = v[2:].split("=", 1)
            if key not in opts:
                sys.exit("loop_surrogate.py: unknown option --%s" % key)
            opts[key] = val
        else:
            pos.append(v)
    if len(pos) != 5:
        sys.exit(__doc__)
    a, gd = load_spectrum(pos[0])
    nk, tau, eta, rpe = int(pos[1]), int(pos[2]), float(pos[3]), float(pos[4])
    s = float(opts["s"]) if opts["s"] else 1.0 / gd.shape[0]
    rounds, runs = int(opts["rounds"]), int(opts["runs"])
    lo, hi = (float(v) for v in opts["window"].split(":"))
    held = slope(simulate(a, gd, nk, tau, eta, s, rounds, "held"), rpe, lo, hi)
    print("held weights: slope %.4f per epoch (10^%g to 10^%g of round 1)" % (held, lo, hi))
    for mode in ("ages", "chi2"):
        got = sorted(slope(simulate(a, gd, nk, tau, eta, s, rounds, mode, np.random.default_rng(i),
                                    fresh), rpe, lo, hi) for i in range(runs))
        med = float(np.median(got))
        print("%s%s: median slope %.4f over %d runs (%.3f of held), quartiles %.4f to %.4f"
              % (mode, " --fresh" if fresh else "", med, runs, med / held,
                 np.percentile(got, 25), np.percentile(got, 75)))


if __name__ == "__main__":
    main(sys.argv[1:])
