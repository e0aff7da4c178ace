#!/usr/bin/python3
"""naive_dsaga.py - an independent, literal, dense reference for SPEC 2 (saga),
SPEC 3.2 (dsaga) and SPEC 3.2b (dsaga with refresh = visited), written from
SPEC.md only (not from the C code).

Everything is dense numpy, one step at a time, exactly as SPEC writes it:
no lazy updates, no tricks.  Only for small problems (n x d dense in memory,
~10 us per step).

    naive_dsaga.py FILE.svm --algorithm dsaga --nodes 4 --period 0.1n \
        --aggregate mean --step-scale 1 --max-epochs 60 --eval-every 1 --seed 1 \
        [--refresh visited]

prints the checkpoints, the status and rate_per_epoch (SPEC 4).  With
--refresh visited (dsaga only), each round but the first starts with every
node re-evaluating alpha_i at the synchronised w for each distinct row it
drew in the previous round, adding (a - alpha_i) x_i / N to its g_k (w does
not move); those gradients count in the epochs.  The refresh draws no random
numbers, so --refresh none is the plain SPEC 3.2 stream.  The functions are
importable (check_rates.py, check_refresh.py use them).
"""
import argparse
import math
import sys

import numpy as np


# ---- data (SPEC 1) ---------------------------------------------------------

def read_libsvm(path):
    """Dense X (n x d) and y in {-1,+1} (the larger label is +1, SPEC 1)."""
    rows, labels, d = [], [], 0
    with open(path) as fh:
        for line in fh:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            labels.append(float(parts[0]))
            ent = []
            for tok in parts[1:]:
                j, v = tok.split(':')
                j = int(j)
                d = max(d, j)
                ent.append((j - 1, float(v)))
            rows.append(ent)
    X = np.zeros((len(rows), d))
    for i, ent in enumerate(rows):
        for j, v in ent:
            X[i, j] = v
    labels = np.array(labels)
    top = labels.max()
    y = np.where(labels == top, 1.0, -1.0)
    return X, y


# ---- logistic loss (SPEC 1), stable ---------------------------------------

def loss_vec(y, z):
    m = -y * z  # log(1 + exp(m))
    return np.logaddexp(0.0, m)


def dloss(y, z):
    """-y / (1 + exp(y z)) = -y * sigmoid(-y z), stable for any z."""
    m = -y * z
    if m >= 0:
        e = math.exp(-m)
        return -y / (1.0 + e)
    e = math.exp(m)
    return -y * e / (1.0 + e)


def dloss_vec(y, z):
    m = -y * z
    s = np.where(m >= 0, 1.0 / (1.0 + np.exp(-np.abs(m))),
                 np.exp(-np.abs(m)) / (1.0 + np.exp(-np.abs(m))))
    return -y * s


def objective(X, y, lam, w):
    z = X @ w
    return float(np.mean(loss_vec(y, z)) + 0.5 * lam * w @ w)


def gradient(X, y, lam, w):
    z = X @ w
    return X.T @ dloss_vec(y, z) / X.shape[0] + lam * w


def fstar(X, y, lam):
    """Newton's method with a dense Hessian and backtracking: f* to machine
    precision (d is small here)."""
    n, d = X.shape
    w = np.zeros(d)
    g0 = np.linalg.norm(gradient(X, y, lam, w))
    for _ in range(100):
        g = gradient(X, y, lam, w)
        if np.linalg.norm(g) <= 1e-13 * g0:
            break
        z = X @ w
        p = 1.0 / (1.0 + np.exp(-np.abs(z)))
        s = p * (1.0 - p)  # sigma'(z), symmetric in z
        H = (X.T * s) @ X / n + lam * np.eye(d)
        step = np.linalg.solve(H, g)
        t, f0 = 1.0, objective(X, y, lam, w)
        while objective(X, y, lam, w - t * step) > f0 - 0.25 * t * g @ step and t > 1e-12:
            t *= 0.5
        w = w - t * step
    return objective(X, y, lam, w)


# ---- SPEC 4 rate fit --------------------------------------------------------

def fit_rate(epochs, subopts):
    """Least-squares slope of log10(subopt) vs epoch over the checkpoints with
    subopt/subopt0 in [1e-9, 1e-2] (subopt0: the first checkpoint, w = 0)."""
    e = np.asarray(epochs, float)
    s = np.asarray(subopts, float)
    if len(s) == 0 or not s[0] > 0:
        return float('nan')
    r = s / s[0]
    m = (r >= 1e-9) & (r <= 1e-2) & np.isfinite(r) & (s > 0)
    if m.sum() < 2:
        return float('nan')
    return float(np.polyfit(e[m], np.log10(s[m]), 1)[0])


# ---- the algorithms ---------------------------------------------------------

def run(X, y, algorithm='dsaga', nodes=1, period='0.5n', aggregate='mean',
        step_scale=1.0, lam=None, max_epochs=30.0, eval_every=1.0, tol=1e-10,
        seed=1, f_star=None, refresh='none', refresh_fraction=1.0):
    """Returns dict(epochs, subopts, status, rate_per_epoch, step_size).

    refresh: 'none' (SPEC 3.2), 'visited' (SPEC 3.2b, dsaga only) or 'late'
    (the suite's variant of it: only the rows drawn from step tau // 2 on).
    refresh_fraction: each of those rows is re-taken with this chance,
    independently (its own random stream); the others keep their memory."""
    if refresh not in ('none', 'visited', 'late'):
        raise ValueError(f'refresh must be none, visited or late, not {refresh!r}')
    if not 0.0 <= refresh_fraction <= 1.0:
        raise ValueError(f'refresh_fraction must be in [0, 1], not {refresh_fraction!r}')
    if refresh != 'none' and algorithm != 'dsaga':
        raise ValueError('refresh is a dsaga key (SPEC 3.2b)')
    n, d = X.shape
    lam = 1.0 / n if lam is None else lam
    f_star = fstar(X, y, lam) if f_star is None else f_star
    L_max = 0.25 * np.max(np.sum(X * X, axis=1)) + lam  # SPEC 1, logistic
    eta = step_scale / (3.0 * L_max)                     # SPEC 2 default
    rng = np.random.default_rng(seed)
    thin = np.random.default_rng([seed, 0x6000])  # refresh_fraction's draws
    K = 1 if algorithm == 'saga' else nodes
    # random shards (SPEC 3: disjoint, sizes within one)
    perm = rng.permutation(n)
    shards = [np.sort(perm[k::K]) for k in range(K)]
    taus = []
    for S in (shards if algorithm == 'dsaga' else []):
        if isinstance(period, str) and period.endswith('n'):
            taus.append(max(1, int(round(float(period[:-1]) * len(S)))))
        else:
            taus.append(int(period))
    if algorithm == 'saga':
        taus = [max(1, int(round(eval_every * n)))]  # one checkpoint per 'round'
    s_agg = 1.0 if aggregate == 'sum' else 1.0 / K
    do_refresh = refresh != 'none'
    visited = [set() for _ in range(K)]  # rows node k drew in the last round

    w = np.zeros(d)
    g_bar = np.zeros(d)
    alpha = np.zeros(n)
    f0 = objective(X, y, lam, w)
    epochs, subopts = [0.0], [f0 - f_star]
    grads, next_eval = 0, eval_every
    status = 'done'
    while True:
        w_new = []
        g_new = []
        for k in range(K):
            S = shards[k]
            wk = w.copy()
            gk = g_bar.copy()
            if do_refresh:
                # SPEC 3.2b: every row visited in the previous round, at the
                # synchronised w (= wk here), as a local step's memory update
                rows = [i for i in sorted(visited[k])
                        if refresh_fraction >= 1.0 or thin.random() < refresh_fraction]
                for i in rows:
                    a = dloss(y[i], X[i] @ w)
                    gk = gk + (a - alpha[i]) * X[i] / n
                    alpha[i] = a
                grads += len(rows)
                visited[k] = set()
            for t in range(taus[k]):
                if refresh == 'late' and t == taus[k] // 2:
                    # late: only the rows drawn from the middle of the round on
                    visited[k] = set()
                i = S[rng.integers(len(S))]
                if do_refresh:
                    visited[k].add(int(i))
                xi = X[i]
                a = dloss(y[i], xi @ wk)
                wk = wk - eta * ((a - alpha[i]) * xi + gk + lam * wk)
                gk = gk + (a - alpha[i]) * xi / n
                alpha[i] = a
            w_new.append(wk)
            g_new.append(gk)
        # synchronisation (SPEC 3.2 step 2)
        g_bar = g_bar + sum(gk - g_bar for gk in g_new)
        w = w + s_agg * sum(wk - w for wk in w_new)
        grads += sum(taus)
        if grads >= next_eval * n - 1e-9:
            while next_eval * n <= grads + 1e-9:
                next_eval += eval_every
            f = objective(X, y, lam, w) if np.all(np.isfinite(w)) else float('nan')
            epochs.append(grads / n)
            subopts.append(f - f_star)
            if not math.isfinite(f) or f > 10 * f0:
                status = 'diverged'
                break
            if f - f_star <= tol * f0:
                break
            if grads / n >= max_epochs - 1e-12:
                break
    return dict(epochs=epochs, subopts=subopts, status=status,
                rate_per_epoch=fit_rate(epochs, subopts), step_size=eta)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('data')
    ap.add_argument('--algorithm', default='dsaga', choices=['dsaga', 'saga'])
    ap.add_argument('--nodes', type=int, default=2)
    ap.add_argument('--period', default='0.5n')
    ap.add_argument('--aggregate', default='mean', choices=['mean', 'sum'])
    ap.add_argument('--step-scale', type=float, default=1.0)
    ap.add_argument('--lambda', dest='lam', type=float, default=None)
    ap.add_argument('--max-epochs', type=float, default=30)
    ap.add_argument('--eval-every', type=float, default=1.0)
    ap.add_argument('--tol', type=float, default=1e-10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--refresh', default='none', choices=['none', 'visited', 'late'],
                    help='dsaga: re-evaluate last round\'s rows at the synchronised w (SPEC 3.2b)')
    ap.add_argument('--refresh-fraction', type=float, default=1.0,
                    help='dsaga: the chance each of those rows is re-taken')
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args(argv)
    if a.refresh != 'none' and a.algorithm != 'dsaga':
        ap.error('--refresh is a dsaga key (SPEC 3.2b)')
    X, y = read_libsvm(a.data)
    r = run(X, y, a.algorithm, a.nodes, a.period, a.aggregate, a.step_scale, a.lam,
            a.max_epochs, a.eval_every, a.tol, a.seed, refresh=a.refresh,
            refresh_fraction=a.refresh_fraction)
    if not a.quiet:
        for e, s in zip(r['epochs'], r['subopts']):
            print(f'{e:10.3f} {s:14.6e}')
    print(f"status {r['status']}\nrate_per_epoch {r['rate_per_epoch']:.6f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
