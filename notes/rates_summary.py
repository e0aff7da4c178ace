#!/usr/bin/python3
"""rates_summary.py OUTDIR - the markdown tables of notes/rates.md from the
per-run HDF5 files written by notes/rates_table.sh (SPEC 5 attributes).

    rates_summary.py OUTDIR              tables
    rates_summary.py --shape FILE...     per-run (HDF5, or naive_dsaga.py output) curve shape: rate (SPEC 4 fit),
                                         slopes over epochs 0-30 and 30-60, and
                                         R^2 of log10 subopt vs epoch over the
                                         last 30 epochs (K = 2 finding)
"""
import os
import statistics
import sys

import h5py
import numpy as np

PERIODS = ['10', '100', '0.1n', '0.5n', '1n', '2n']
SCALES = ['0.125', '0.25', '0.5', '1', '2', '4', '8', '16']
SYN = 'synth-sparse:n=20000,d=47000,nnz=75,seed=1'


def attrs(path):
    if not os.path.exists(path):
        return None
    with h5py.File(path, 'r') as f:
        g = f['runs/000000']
        a = dict(g.attrs)
        a['last_epoch'] = float(g['epoch'][-1])
        s = g['subopt'][:]
        a['rel_final'] = float(s[-1] / s[0])
        st = a['status']
        a['status'] = st.decode() if isinstance(st, bytes) else str(st)
        return a


def ok_rate(a):
    if a is None or a['status'] != 'done':
        return None
    r = float(a['rate_per_epoch'])
    return r if r == r else None


def cell(a, epochs=60):
    """One table entry: the rate, or what happened instead (SPEC 4)."""
    if a is None:
        return 'n/a'
    # a capped cell is marked only where the cap, not tol, ended it
    capped = a['max_epochs'] < epochs and a['last_epoch'] >= a['max_epochs'] - 1e-9
    cap = f" [{a['max_epochs']:g} ep]" if capped else ''
    if a['status'] == 'diverged':
        return f"div (ep {a['last_epoch']:.3g})"
    if a['status'] != 'done':
        return a['status']
    r = ok_rate(a)
    if r is None:
        return f"stalls ({a['rel_final']:.1e}){cap}"
    return f'{r:.4f}{cap}'


def seeds_cell(paths):
    """Median (min..max) of the rates over the seeds that exist."""
    runs = [attrs(p) for p in paths]
    runs = [a for a in runs if a is not None]
    if len(runs) < 2:
        return cell(runs[0]) if runs else 'n/a'
    rates = [ok_rate(a) for a in runs]
    good = [r for r in rates if r is not None]
    bad = len(runs) - len(good)
    if not good:
        return ' / '.join(cell(a) for a in runs)
    txt = f'{statistics.median(good):.4f} ({min(good):.4f}..{max(good):.4f})'
    return txt + (f', {bad}/{len(runs)} no rate' if bad else '') + f' [{len(runs)} seeds]'


def main(d):
    for tag, name in (('a9a', 'a9a'), ('syn', SYN)):
        saga = attrs(f'{d}/{tag}_saga.h5')
        if saga is None:
            continue
        print(f'\n### {name}: rate_per_epoch (log10 subopt per epoch; more negative = faster)\n')
        saga_seeds = seeds_cell([f'{d}/{tag}_saga.h5'] + [f'{d}/{tag}_saga_seed{s}.h5' for s in (2, 3)])
        print(f"saga: {cell(saga)} seed 1; {saga_seeds} (step {saga['step_size']:.4g}, "
              f"seed 1 stopped at epoch {saga['last_epoch']:g})\n")
        print('| K | agg | ' + ' | '.join(f'tau={p}' for p in PERIODS) + ' |')
        print('|---|---|' + '---|' * len(PERIODS))
        for K in (2, 4, 8):
            for agg in ('mean', 'sum'):
                row = [cell(attrs(f'{d}/{tag}_dsaga_K{K}_p{p}_{agg}_s1.h5')) for p in PERIODS]
                print(f'| {K} | {agg} | ' + ' | '.join(row) + ' |')
        row = [seeds_cell([f'{d}/{tag}_dsaga_K2_p{p}_mean_s1.h5'] +
                          [f'{d}/{tag}_dsaga_K2_p{p}_mean_s1_seed{s}.h5' for s in (2, 3)])
               for p in PERIODS]
        print('\nK = 2 mean over seeds 1-3, median (min..max):\n')
        print('| ' + ' | '.join(f'tau={p}' for p in PERIODS) + ' |')
        print('|' + '---|' * len(PERIODS))
        print('| ' + ' | '.join(row) + ' |')
        print(f'\n{name}: dsaga (mean, tau = 0.1 n_k, 10 synchronisations per epoch) '
              'against step_scale, seed 1\n')
        print('| K | ' + ' | '.join(f's={s}' for s in SCALES) + ' | best |')
        print('|---|' + '---|' * (len(SCALES) + 1))
        for K in (2, 4, 8):
            runs = [attrs(f'{d}/{tag}_dsaga_K{K}_p0.1n_mean_s{s}.h5') for s in SCALES]
            ok = [(ok_rate(a), s) for a, s in zip(runs, SCALES) if ok_rate(a) is not None]
            best = min(ok)[1] if ok else 'n/a'
            print(f'| {K} | ' + ' | '.join(cell(a) for a in runs) + f' | {best} |')


def shape(paths):
    print('| file | rate | slope ep 0-30 | slope ep 30-60 | R^2 last 30 | final rel subopt |')
    print('|---|---|---|---|---|---|')
    for p in paths:
        if p.endswith('.h5'):
            with h5py.File(p, 'r') as f:
                g = f['runs/000000']
                e, s = g['epoch'][:], g['subopt'][:]
                r = float(g.attrs['rate_per_epoch'])
        else:  # naive_dsaga.py's output: "epoch subopt" lines, then status, rate
            rows = [ln.split() for ln in open(p)]
            pts = [(float(a), float(b)) for a, b in (x for x in rows if len(x) == 2)
                   if a[0].isdigit()]
            e, s = np.array([x[0] for x in pts]), np.array([x[1] for x in pts])
            r = float([x[1] for x in rows if x and x[0] == 'rate_per_epoch'][0])
        y = np.log10(np.maximum(s / s[0], 1e-300))
        emax = e[-1]

        def fit(lo, hi):
            m = (e >= lo) & (e <= hi)
            if m.sum() < 3:
                return float('nan'), float('nan')
            A = np.vstack([e[m], np.ones(m.sum())]).T
            coef, *_ = np.linalg.lstsq(A, y[m], rcond=None)
            res = y[m] - A @ coef
            ss = ((y[m] - y[m].mean()) ** 2).sum()
            return coef[0], 1 - (res ** 2).sum() / ss if ss > 0 else float('nan')
        s1, _ = fit(0, min(30, emax))
        s2, r2 = fit(max(emax - 30, 0), emax)
        print(f'| {os.path.basename(p)} | {r:.4f} | {s1:.4f} | {s2:.4f} | {r2:.3f} | {s[-1] / s[0]:.2e} |')


if __name__ == '__main__':
    if sys.argv[1] == '--shape':
        shape(sys.argv[2:])
    else:
        main(sys.argv[1])
