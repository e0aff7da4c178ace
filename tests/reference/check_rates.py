#!/usr/bin/python3
"""check_rates.py - our C dsaga/saga against the independent dense reference
naive_dsaga.py (SPEC 2, 3.2), compared through rate_per_epoch (SPEC 4).

The random streams differ (sharding and sampling), so per cell we compare the
median rate over seeds: a relative difference above --tol-rel (default 10 %)
fails the cell; a cell where both implementations diverge or stall (median slower than 0.02
decades per epoch) agrees; only one of them converging fails.

    EXE=bin/dsaga-bench tests/reference/check_rates.py [--data FILE.svm]

Without --data, the first 2000 rows of a9a are used, exported by
build/bench/export_data (`make build/bench/export_data`) or $EXPORT.
Runtime: about 3-4 minutes on 2 cores (not part of `make test`).
"""
import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import naive_dsaga as nd  # noqa: E402
import suite_env  # noqa: E402
from suite_env import ROOT, summarise  # noqa: E402

STALL = 0.02  # decades per epoch: below this a cell has no usable rate


def c_run(exe, mpirun, data, tmp, algorithm, K, period, agg, seed, epochs, eval_every):
    out = os.path.join(tmp, f'{algorithm}_{K}_{period}_{agg}_{seed}.h5')
    cmd = [exe, 'run', '--algorithm', algorithm, '--dataset', data,
           '--max-epochs', str(epochs), '--eval-every', str(eval_every),
           '--seed', str(seed), '--quiet', '--out', out]
    if algorithm == 'dsaga':
        cmd = mpirun + ['-np', str(K)] + cmd + ['--nodes', str(K), '--period', period,
                                                '--aggregate', agg]
    return suite_env.run_rate(cmd, out)


def naive_run(args):
    X, y, fs, algorithm, K, period, agg, seed, epochs, eval_every = args
    r = nd.run(X, y, algorithm, K, period, agg, 1.0, None, epochs, eval_every,
               1e-10, seed, fs)
    return r['rate_per_epoch'], r['status']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=None)
    ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--epochs', type=float, default=50)
    ap.add_argument('--tol-rel', type=float, default=0.10)
    a = ap.parse_args()
    exe, mpirun = suite_env.setup()
    tmp = tempfile.mkdtemp(prefix='check_rates.')
    data = a.data
    if data is None:
        export = os.environ.get('EXPORT', os.path.join(ROOT, 'build', 'bench', 'export_data'))
        full = os.path.join(tmp, 'a9a.svm')
        subprocess.run([export, 'a9a', full], check=True, stdout=subprocess.DEVNULL)
        data = os.path.join(tmp, 'a9a2k.svm')
        with open(full) as fi, open(data, 'w') as fo:
            for _, line in zip(range(2000), fi):
                fo.write(line)
    X, y = nd.read_libsvm(data)
    fs = nd.fstar(X, y, 1.0 / X.shape[0])
    print(f'# data {data}: n {X.shape[0]}, d {X.shape[1]}, lambda 1/n, f* {fs:.17g}')
    print(f'# {a.seeds} seeds, {a.epochs:g} epochs, eval_every 1; rate = median over seeds '
          '(decades per epoch); div = diverged runs')

    cells = [('saga', 1, '-', '-')]
    for K in (2, 4):
        for period in ('10', '0.1n', '1n'):
            for agg in ('mean', 'sum'):
                cells.append(('dsaga', K, period, agg))
    seeds = range(1, a.seeds + 1)
    jobs = [(X, y, fs, alg, K, p, g, s, a.epochs, 1.0) for alg, K, p, g in cells for s in seeds]
    with ProcessPoolExecutor(max_workers=2) as pool:
        naive = list(pool.map(naive_run, jobs))
    print(f"{'# algorithm':<12}{'K':>3}{'period':>8}{'agg':>6}{'C rate':>11}{'div':>5}"
          f"{'naive rate':>12}{'div':>5}{'rel diff':>10}  verdict")
    bad = 0
    for ci, (alg, K, p, g) in enumerate(cells):
        cres = [c_run(exe, mpirun, data, tmp, alg, K, p, g, s, a.epochs, 1.0) for s in seeds]
        nres = naive[ci * a.seeds:(ci + 1) * a.seeds]
        cm, cd = summarise(cres)
        nm, ndv = summarise(nres)
        # a cell without a linear rate (most runs diverged, no fit, or a median
        # slower than STALL decades/epoch) is compared by that outcome only:
        # a relative difference of two slopes near zero means nothing
        c_conv = cd * 2 < a.seeds and cm == cm and cm < -STALL
        n_conv = ndv * 2 < a.seeds and nm == nm and nm < -STALL
        if not c_conv and not n_conv:
            rel, ok = float('nan'), True
        elif c_conv and n_conv:
            rel = abs(cm - nm) / abs(nm)
            ok = rel <= a.tol_rel
        else:
            rel, ok = float('nan'), False
        bad += not ok
        print(f'{alg:<12}{K:>3}{p:>8}{g:>6}{cm:>11.5f}{cd:>5}{nm:>12.5f}{ndv:>5}'
              f'{rel:>10.3f}  {"ok" if ok else "MISMATCH"}')
    print(f'# {len(cells) - bad}/{len(cells)} cells agree within {100 * a.tol_rel:g} %')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
