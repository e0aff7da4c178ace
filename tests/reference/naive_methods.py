#!/usr/bin/python3
"""naive_methods.py - an independent, literal, dense reference for SPEC 3.3
(sgd), 3.4 (local-sgd), 3.6 (scaffold), 3.7 (scaffnew, estimators lsvrg and
full) and 3.8 (local-svrg), written from SPEC.md only (not from the C code;
sgd's and local-sgd's eta0 = 1 / L_max is the suite's documented default).

Dense numpy, one step at a time, every vector update written as SPEC writes
it: no lazy updates, no stored per-row derivatives, no tricks.  Only for
small problems.  Epochs count component gradients as SPEC 4 says (for the
SVRG-type estimators one per sampled row plus n_k per anchor: the anchor's
gradients are stored, as a practical implementation does).

    naive_methods.py FILE.svm --algorithm scaffold --nodes 2 --period 0.1n \
        --batch 1 --partition random --lambda 0.01 --max-epochs 30 --seed 1

prints the checkpoints, the status and rate_per_epoch (SPEC 4).  run() is
importable (check_methods.py uses it).  Data reading, f* and the rate fit
come from naive_dsaga.py (also independent of the C code).
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import naive_dsaga as nd  # noqa: E402


def shards_of(y, K, partition, rng):
    """SPEC 3 shards: disjoint, sizes within one; `label`: sorted by label
    (stable), then cut into K contiguous parts (the first N mod K get one
    row more)."""
    n = len(y)
    order = rng.permutation(n) if partition == 'random' else np.argsort(y, kind='stable')
    sizes = [n // K + (1 if k < n % K else 0) for k in range(K)]
    out, at = [], 0
    for k in range(K):
        out.append(np.sort(order[at:at + sizes[k]]))
        at += sizes[k]
    return out


def steps_of(period, n_k, batch=1):
    """tau: steps, or round(fraction n_k / batch), at least 1."""
    if isinstance(period, str) and period.endswith('n'):
        return max(1, int(round(float(period[:-1] or 1) * n_k / batch)))
    return int(period)


def grad_rows(X, y, lam, w, rows):
    """Mean gradient of loss_i + (lam/2)||w||^2 over `rows` (repeats count)."""
    Xr = X[rows]
    return Xr.T @ nd.dloss_vec(y[rows], Xr @ w) / len(rows) + lam * w


def smoothness(X, lam):
    """SPEC 3.5: L = lambda_max(X^T X) / (4 N) + lambda (logistic)."""
    return np.linalg.eigvalsh(X.T @ X / X.shape[0]).max() / 4.0 + lam


def run(X, y, algorithm, nodes=2, period='0.5n', batch=1, server_step=1.0, comm_prob=0.0,
        estimator='lsvrg', refresh_prob=0.0, step_rule='decaying', partition='random',
        step_scale=1.0, lam=None,
        max_epochs=30.0, eval_every=1.0, tol=1e-10, seed=1, f_star=None):
    """Returns dict(epochs, subopts, rounds, status, rate_per_epoch, step_size)."""
    n, d = X.shape
    lam = 1.0 / n if lam is None else lam
    f_star = nd.fstar(X, y, lam) if f_star is None else f_star
    L_max = 0.25 * np.max(np.sum(X * X, axis=1)) + lam  # SPEC 1, logistic
    K = nodes
    rng = np.random.default_rng(seed)
    S = shards_of(y, K, partition, rng)
    nk = [len(s) for s in S]
    f0 = nd.objective(X, y, lam, np.zeros(d))
    state = dict(grads=0, next_eval=eval_every, status='done', stop=False, rounds=0)
    epochs, subopts, rounds = [0.0], [f0 - f_star], [0]

    def checkpoint(w):
        """After a synchronisation: record when an eval_every boundary passed."""
        if state['grads'] < state['next_eval'] * n - 1e-9:
            return
        while state['next_eval'] * n <= state['grads'] + 1e-9:
            state['next_eval'] += eval_every
        f = nd.objective(X, y, lam, w) if np.all(np.isfinite(w)) else float('nan')
        epochs.append(state['grads'] / n)
        subopts.append(f - f_star)
        rounds.append(state['rounds'])
        if not math.isfinite(f) or f > 10 * f0:
            state['status'], state['stop'] = 'diverged', True
        elif f - f_star <= tol * f0 or state['grads'] / n >= max_epochs - 1e-12:
            state['stop'] = True

    def sgd_step(t):
        """eta_t of SPEC 3.3 / 3.4: eta0 / (1 + eta0 lambda t), or eta0."""
        eta0 = step_scale / L_max
        return eta0 if step_rule == 'constant' else eta0 / (1.0 + eta0 * lam * t)

    if algorithm == 'sgd':  # SPEC 3.3: one step = one round
        w, t = np.zeros(d), 0
        while not state['stop']:
            eta = sgd_step(t)
            g = sum(grad_rows(X, y, lam, w, S[k][rng.integers(nk[k], size=batch)])
                    for k in range(K)) / K  # mean over nodes (each + lambda w)
            w = w - eta * g
            t += 1
            state['grads'] += K * batch
            state['rounds'] += 1
            checkpoint(w)
        step = sgd_step(0)
    elif algorithm == 'local-sgd':  # SPEC 3.4
        w = np.zeros(d)
        taus = [steps_of(period, m, batch) for m in nk]
        t = [0] * K  # local steps so far, per node
        while not state['stop']:
            ws = []
            for k in range(K):
                wk = w.copy()
                for _ in range(taus[k]):
                    B = S[k][rng.integers(nk[k], size=batch)]
                    wk = wk - sgd_step(t[k]) * grad_rows(X, y, lam, wk, B)
                    t[k] += 1
                ws.append(wk)
            w = sum(ws) / K
            state['grads'] += batch * sum(taus)
            state['rounds'] += 1
            checkpoint(w)
        step = sgd_step(0)
    elif algorithm == 'scaffold':  # SPEC 3.6
        eta = step_scale / (3.0 * L_max)
        x, c = np.zeros(d), np.zeros(d)
        ck = [np.zeros(d) for _ in range(K)]
        taus = [steps_of(period, m, batch) for m in nk]
        while not state['stop']:
            dy, dc = [], []
            for k in range(K):
                yk = x.copy()
                for _ in range(taus[k]):
                    B = S[k][rng.integers(nk[k], size=batch)]
                    yk = yk - eta * (grad_rows(X, y, lam, yk, B) - ck[k] + c)
                ck_new = ck[k] - c + (x - yk) / (taus[k] * eta)
                dy.append(yk - x)
                dc.append(ck_new - ck[k])
                ck[k] = ck_new
            x = x + server_step * sum(dy) / K
            c = c + sum(dc) / K
            state['grads'] += batch * sum(taus)
            state['rounds'] += 1
            checkpoint(x)
        step = eta
    elif algorithm == 'local-svrg':  # SPEC 3.8
        eta = step_scale / (3.0 * L_max)
        x = np.zeros(d)
        taus = [steps_of(period, m) for m in nk]
        while not state['stop']:
            z = x.copy()
            gF = sum(nk[k] / n * grad_rows(X, y, lam, z, S[k]) for k in range(K))
            xs = []
            for k in range(K):
                xk = x.copy()
                for _ in range(taus[k]):
                    i = S[k][rng.integers(nk[k])]
                    xk = xk - eta * (grad_rows(X, y, lam, xk, [i]) -
                                     grad_rows(X, y, lam, z, [i]) + gF)
                xs.append(xk)
            x = sum(xs) / K
            state['grads'] += n + sum(taus)
            state['rounds'] += 2
            checkpoint(x)
        step = eta
    elif algorithm == 'scaffnew':  # SPEC 3.7
        L = smoothness(X, lam)
        gamma = step_scale * (1.0 / L if estimator == 'full' else 1.0 / (6.0 * L_max))
        p = comm_prob if comm_prob > 0 else min(1.0, max(1.0 / math.sqrt(L / lam),
                                                          1.0 / min(nk)))
        q = [refresh_prob if refresh_prob > 0 else 1.0 / m for m in nk]
        coin = np.random.default_rng([seed, 7])  # one coin, shared by all nodes
        xk = [np.zeros(d) for _ in range(K)]
        hk = [np.zeros(d) for _ in range(K)]
        zk = [np.zeros(d) for _ in range(K)]
        gz = [grad_rows(X, y, lam, zk[k], S[k]) for k in range(K)]  # grad F_k(z_k)
        if estimator == 'lsvrg':
            state['grads'] += n
        while not state['stop']:
            xh = []
            for k in range(K):
                if estimator == 'full':
                    G = grad_rows(X, y, lam, xk[k], S[k])
                    state['grads'] += nk[k]
                else:
                    if rng.random() < q[k]:  # a new anchor before the step
                        zk[k] = xk[k].copy()
                        gz[k] = grad_rows(X, y, lam, zk[k], S[k])
                        state['grads'] += nk[k]
                    i = S[k][rng.integers(nk[k])]
                    G = grad_rows(X, y, lam, xk[k], [i]) - grad_rows(X, y, lam, zk[k], [i]) + gz[k]
                    state['grads'] += 1
                xh.append(xk[k] - gamma * (G - hk[k]))
            if coin.random() < p:
                mean = sum(xh) / K
                for k in range(K):
                    xk[k] = mean.copy()
                    hk[k] = hk[k] + (p / gamma) * (xk[k] - xh[k])
                state['rounds'] += 1
                checkpoint(xk[0])
            else:
                xk = xh  # h_k unchanged: x_k - xh_k = 0
        step = gamma
    else:
        raise ValueError(algorithm)
    return dict(epochs=epochs, subopts=subopts, rounds=rounds, status=state['status'],
                rate_per_epoch=nd.fit_rate(epochs, subopts), step_size=step)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('data')
    ap.add_argument('--algorithm', required=True, choices=['sgd', 'local-sgd', 'scaffold', 'scaffnew',
                                                             'local-svrg'])
    ap.add_argument('--nodes', type=int, default=2)
    ap.add_argument('--period', default='0.5n')
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--server-step', type=float, default=1.0)
    ap.add_argument('--comm-prob', type=float, default=0.0)
    ap.add_argument('--estimator', default='lsvrg', choices=['lsvrg', 'full'])
    ap.add_argument('--refresh-prob', type=float, default=0.0)
    ap.add_argument('--step-rule', default='decaying', choices=['decaying', 'constant'])
    ap.add_argument('--partition', default='random', choices=['random', 'label'])
    ap.add_argument('--step-scale', type=float, default=1.0)
    ap.add_argument('--lambda', dest='lam', type=float, default=None)
    ap.add_argument('--max-epochs', type=float, default=30)
    ap.add_argument('--eval-every', type=float, default=1.0)
    ap.add_argument('--tol', type=float, default=1e-10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args(argv)
    X, y = nd.read_libsvm(a.data)
    r = run(X, y, a.algorithm, a.nodes, a.period, a.batch, a.server_step, a.comm_prob,
            a.estimator, a.refresh_prob, a.step_rule, a.partition, a.step_scale, a.lam,
            a.max_epochs, a.eval_every, a.tol, a.seed)
    if not a.quiet:
        for e, rr, s in zip(r['epochs'], r['rounds'], r['subopts']):
            print(f'{e:10.3f} {rr:8d} {s:14.6e}')
    print(f"status {r['status']}\nrate_per_epoch {r['rate_per_epoch']:.6f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
