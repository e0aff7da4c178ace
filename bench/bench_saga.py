#!/usr/bin/env python3
"""SAGA against scikit-learn's SAGA, side by side in one run (issue 4).

    bench_saga.py EXE EXPORT [--epochs E] [--repeats R] [--tsv FILE] [DATASET ...]

Options and data sets may come in any order (parse_intermixed_args).
--tsv also writes the table as tab-separated values (one row per data set,
the caller writes the provenance header first).

For each data set: both solvers make E epochs from w = 0 with the same step
(scikit-learn's rule 1/(2L + min(2 N lambda, L)), L = max_i ||x_i||^2 / 4 +
lambda, passed to this suite with --step), logistic loss, lambda = 1/N, no
intercept, tol = 0.  Prints OSU-style columns: median seconds per epoch over
R repeats with the 20-80 % band, nnz processed per second, the ratio (the
median over repeats of each repeat's suite / scikit-learn, the two run back
to back), the
suboptimality each reaches, and this suite's peak RSS against the CSR size.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression


def objective(X, y, w, lam):
    z = y * (X @ w)
    loss = np.where(z >= 0, np.log1p(np.exp(-np.abs(z))), -z + np.log1p(np.exp(-np.abs(z))))
    return loss.mean() + 0.5 * lam * (w @ w)


def fstar(exe, spec, env):
    out = subprocess.run([exe, "fstar", spec], check=True, capture_output=True, text=True,
                         env=env).stdout
    return float(out.split("fstar")[1].split()[0])


def run_rss(argv, env):
    """Runs argv (a `run` without --quiet); returns the peak RSS in KiB that
    the suite reports for itself (VmHWM: ru_maxrss of a child would include
    this Python process, copied at fork)."""
    out = subprocess.run(argv, check=True, capture_output=True, text=True, env=env).stdout
    for line in out.splitlines():
        if line.startswith("# peak_rss_kib"):
            return int(line.split()[2])
    raise RuntimeError("no peak_rss_kib line from %s" % " ".join(argv))


def run_suite(exe, spec, step, epochs, env, tmp):
    out = os.path.join(tmp, "suite.h5")
    if os.path.exists(out):
        os.remove(out)
    rss_kb = run_rss([exe, "run", "--algorithm", "saga", "--dataset", spec, "--step", repr(step),
                      "--max-epochs", str(epochs), "--eval-every", str(epochs), "--tol", "0",
                      "--out", out], env)
    with h5py.File(out, "r") as f:
        g = f["runs/000000"]
        wall = float(g["wall_s"][-1])
        ep = float(g["epoch"][-1])
        sub = float(g["subopt"][-1])
    return wall / ep, sub, rss_kb


def q(values, p):
    return float(np.percentile(values, p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("export")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tsv", default=None)
    ap.add_argument("datasets", nargs="*",
                    default=["synth-sparse:n=20000,d=47000,nnz=75,seed=1"])
    # data sets may follow the options (bench/run_all.sh passes them last)
    a = ap.parse_intermixed_args()
    tsv = open(a.tsv, "a") if a.tsv else None
    if tsv:
        tsv.write("dataset\tsuite_s_per_epoch\tsuite_p20\tsuite_p80\tsklearn_s_per_epoch\t"
                  "sklearn_p20\tsklearn_p80\tratio\tsuite_subopt\tsklearn_subopt\t"
                  "peak_rss_mib\tcsr_mib\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    print("# SAGA: dsaga-bench vs scikit-learn (same data, step, lambda = 1/N, epochs = %d, "
          "tol = 0), %d repeats, medians [20-80 %%]" % (a.epochs, a.repeats))
    import sklearn
    print("# scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__))
    print("%-44s %22s %22s %8s %12s %12s %11s %11s %9s" % (
        "dataset", "suite s/epoch", "sklearn s/epoch", "ratio", "suite nnz/s", "skl nnz/s",
        "suite sub", "skl sub", "RSS/CSR"))
    with tempfile.TemporaryDirectory() as tmp:
        # The process's fixed cost (MPI, OpenBLAS, HDF5 runtimes): a run on a
        # tiny set.  Peak RSS minus this is what the data and state cost.
        tiny = "synth-sparse:n=100,d=100,nnz=5,seed=1"
        subprocess.run([a.exe, "fstar", tiny], check=True, capture_output=True, env=env)
        _, _, base_kb = run_suite(a.exe, tiny, 0.1, 1, env, tmp)
        print("# process baseline (MPI + OpenBLAS + HDF5 runtimes, tiny data): %.1f MiB"
              % (base_kb / 1024))
        for spec in a.datasets:
            svm = os.path.join(tmp, "data.svm")
            info = subprocess.run([a.export, spec, svm], capture_output=True, text=True, env=env)
            if info.returncode != 0:
                print("%-44s skipped: %s" % (spec[:44], info.stderr.strip()[:80]))
                continue
            meta = dict(l.split() for l in info.stdout.splitlines())
            n, d, nnz = int(meta["rows"]), int(meta["features"]), int(meta["nnz"])
            X, y = load_svmlight_file(svm, n_features=d)
            X = X.tocsr()
            lam = 1.0 / n
            L = 0.25 * float(X.multiply(X).sum(axis=1).max()) + lam
            step = 1.0 / (2 * L + min(2 * n * lam, L))
            fs = fstar(a.exe, spec, env)
            suite_t, skl_t, suite_sub, skl_sub, rss = [], [], [], [], []
            for _ in range(a.repeats):
                t, sub, r = run_suite(a.exe, spec, step, a.epochs, env, tmp)
                suite_t.append(t)
                suite_sub.append(sub)
                rss.append(r)
                clf = LogisticRegression(solver="saga", C=1.0 / (lam * n), fit_intercept=False,
                                         tol=0.0, max_iter=a.epochs)
                t0 = time.perf_counter()
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    clf.fit(X, y)
                skl_t.append((time.perf_counter() - t0) / a.epochs)
                skl_sub.append(objective(X, y, clf.coef_.ravel(), lam) - fs)
            csr_kb = (nnz * 12 + (n + 1) * 8 + n * 8) / 1024.0
            ms, mk = np.median(suite_t), np.median(skl_t)
            # the ratio: the median of the repeats' own ratios (each pair ran
            # back to back, so a slow spell of the shared host hits both
            # sides of a pair; the ratio of medians can pair a fast suite
            # run with a slow scikit-learn one)
            ratio = float(np.median(np.array(suite_t) / np.array(skl_t)))
            print("%-44s %8.4f [%.4f-%.4f] %8.4f [%.4f-%.4f] %8.3f %12.3g %12.3g %11.3g %11.3g %9.2f" % (
                spec[:44], ms, q(suite_t, 20), q(suite_t, 80), mk, q(skl_t, 20), q(skl_t, 80),
                ratio, nnz / ms, nnz / mk, np.median(suite_sub), np.median(skl_sub),
                (max(rss) - base_kb) / csr_kb))
            if tsv:
                tsv.write("%s\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.4f\t%.3g\t%.3g\t%.1f\t%.1f\n" % (
                    spec, ms, q(suite_t, 20), q(suite_t, 80), mk, q(skl_t, 20), q(skl_t, 80),
                    ratio, np.median(suite_sub), np.median(skl_sub), max(rss) / 1024,
                    csr_kb / 1024))
                tsv.flush()
            print("#   peak RSS %.1f MiB = baseline %.1f + %.1f MiB for data and state; CSR %.1f MiB,"
                  " N + d doubles %.2f MiB; RSS/CSR column = (peak - baseline) / CSR" % (
                      max(rss) / 1024, base_kb / 1024, (max(rss) - base_kb) / 1024, csr_kb / 1024,
                      (n + d) * 8 / 2**20))
    if tsv:
        tsv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
