#!/usr/bin/python3
"""noise_alignment.py - is predict's variance part right to spread a
node's noise over H's eigendirections by G_k's diagonal alone?
(notes/refresh.md, "The 24th cell: its curve, and what does not explain it")

A node's injected noise has the covariance shape of G_k = (1/n_k) sum_{i
in S_k} |x_i|^2 h_i^2 x_i x_i^T, and node m reads it through G_m.  Kept
with all its terms, the reading in H's eigenbasis is sum_jl G^m_jl
G^k_jl S_jl, where S_jl = sum_t (b_j b_l)^t is the steps' decay (b = 1 -
eta a, a the eigenvalues of H + lambda I).  predict keeps only the
diagonal, sum_j G^m_jj G^k_jj S_jj.  This prints the ratio of the two per
pair of nodes and summed over all pairs, with S taken over one round of
tau steps and over all time.  It is dense: N x N in sample space, so it
suits the small copy (N 2000), not the rcv1-like set itself.

usage: noise_alignment.py DATA.svm LAMBDA ETA TAU_FRACTION [K]
  DATA.svm  LIBSVM text, e.g. from bench/export_data:
              build/bench/export_data synth-sparse:n=2000,d=4700,nnz=75,seed=1 mini.svm
  ETA       the step predict prints (step_size); TAU_FRACTION as --period
            (0.1 for 0.1n).  The shards are a random K-way split (seed 1),
            not the suite's own, which changes nothing here but the draw.
"""
import sys

import numpy as np


def load(path):
    """X (dense) and labels +-1 of a LIBSVM text file, plain or .xz."""
    import lzma
    rows, ys, d = [], [], 0
    for line in (lzma.open if path.endswith(".xz") else open)(path, "rt"):
        p = line.split()
        ys.append(1.0 if float(p[0]) > 0 else -1.0)
        r = [(int(t.split(":")[0]) - 1, float(t.split(":")[1])) for t in p[1:]]
        d = max([d] + [c + 1 for c, _ in r])
        rows.append(r)
    X = np.zeros((len(rows), d))
    for i, r in enumerate(rows):
        for c, v in r:
            X[i, c] = v
    return X, np.array(ys)


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    X, y = load(argv[0])
    lam, eta, frac = float(argv[1]), float(argv[2]), float(argv[3])
    K = int(argv[4]) if len(argv) == 5 else 4
    N, d = X.shape
    # w* of (1/N) sum log(1 + exp(-y x^T w)) + lam/2 |w|^2: Newton in the
    # sample space (w = X^T c, so d may exceed N)
    c = np.zeros(N)
    Gram = X @ X.T
    for _ in range(50):
        z = Gram @ c
        s = 1 / (1 + np.exp(y * z))
        g = -y * s / N + lam * c  # the gradient's coefficients on X's rows
        if np.linalg.norm(X.T @ g) < 1e-12:
            break
        Hs = Gram * (s * (1 - s) / N)[None, :] + lam * np.eye(N)
        c -= np.linalg.solve(Hs, g)
    z = Gram @ c
    s = 1 / (1 + np.exp(y * z))
    h = s * (1 - s)
    own = np.random.default_rng(1).permutation(N) % K
    B = X * np.sqrt(h / N)[:, None]  # H = B^T B
    sig, V = np.linalg.eigh(B @ B.T)
    keep = sig > 1e-12 * sig[-1]
    sig, V = sig[keep], V[:, keep]
    U = (B.T @ V) / np.sqrt(sig)  # H's eigenvectors on range(X^T)
    b = 1 - eta * (sig + lam)
    tau = max(1, int(round(frac * N / K)))
    n2 = (X ** 2).sum(1)
    G = []
    for k in range(K):
        idx = own == k
        w = n2[idx] * h[idx] ** 2 / idx.sum()
        A = (U.T @ X[idx].T) * np.sqrt(w)
        G.append(A @ A.T)  # u_j^T G_k u_l
    bb = np.outer(b, b)
    for name, S in (("one round", (1 - bb ** tau) / (1 - bb)), ("all time", 1 / (1 - bb))):
        full = diag = 0.0
        for m in range(K):
            for k in range(K):
                t = (G[m] * G[k] * S).sum()
                o = (np.diag(G[m]) * np.diag(G[k]) * np.diag(S)).sum()
                full += t / np.trace(G[k])
                diag += o / np.trace(G[k])
                print("%s: node %d reads node %d: full / diagonal %.3f" % (name, m, k, t / o))
        print("%s: summed over the %d pairs: full / diagonal %.3f" % (name, K * K, full / diag))


if __name__ == "__main__":
    main(sys.argv[1:])
