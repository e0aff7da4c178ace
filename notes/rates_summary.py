#!/usr/bin/python3
"""rates_summary.py OUTDIR - the markdown tables of notes/rates.md from the
per-run HDF5 files written by notes/rates_table.sh (SPEC 5 attributes)."""
import glob
import os
import sys

import h5py

PERIODS = ['10', '100', '0.1n', '0.5n', '1n', '2n']
SCALES = ['0.5', '1', '2', '4', '8', '16']


def attrs(path):
    if not os.path.exists(path):
        return None
    with h5py.File(path, 'r') as f:
        g = f['runs/000000']
        a = dict(g.attrs)
        a['last_epoch'] = float(g['epoch'][-1])
        st = a['status']
        a['status'] = st.decode() if isinstance(st, bytes) else str(st)
        return a


def cell(a):
    if a is None:
        return 'n/a'
    if a['status'] == 'diverged':
        return f"**div** (ep {a['last_epoch']:g})"
    if a['status'] != 'done':
        return a['status']
    r = a['rate_per_epoch']
    return 'nan' if r != r else f'{r:.4f}'


def main(d):
    for tag, name in (('a9a', 'a9a'), ('syn', 'synth-sparse:n=20000,d=47000,nnz=75,seed=1')):
        saga = attrs(f'{d}/{tag}_saga.h5')
        if saga is None:
            continue
        print(f'\n### {name}: rate_per_epoch (log10 subopt per epoch; more negative = faster)\n')
        print(f"saga: {cell(saga)} (step {saga['step_size']:.4g}, "
              f"max_epochs {saga['max_epochs']:g}, stopped at epoch {saga['last_epoch']:g})\n")
        print('| K | aggregate | ' + ' | '.join(f'tau={p}' for p in PERIODS) + ' |')
        print('|---|---|' + '---|' * len(PERIODS))
        for K in (2, 4, 8):
            for agg in ('mean', 'sum'):
                row = [cell(attrs(f'{d}/{tag}_dsaga_K{K}_p{p}_{agg}_s1.h5')) for p in PERIODS]
                print(f'| {K} | {agg} | ' + ' | '.join(row) + ' |')
        print(f'\n{name}: dsaga (mean, tau = 0.1 n_k, 10 synchronisations per epoch) '
              'against step_scale\n')
        print('| K | ' + ' | '.join(f's={s}' for s in SCALES) + ' | best |')
        print('|---|' + '---|' * (len(SCALES) + 1))
        for K in (2, 4, 8):
            runs = [attrs(f'{d}/{tag}_dsaga_K{K}_p0.1n_mean_s{s}.h5') for s in SCALES]
            ok = [(a['rate_per_epoch'], s) for a, s in zip(runs, SCALES)
                  if a is not None and a['status'] == 'done' and a['rate_per_epoch'] == a['rate_per_epoch']]
            best = min(ok)[1] if ok else 'n/a'
            print(f'| {K} | ' + ' | '.join(cell(a) for a in runs) + f' | {best} |')


if __name__ == '__main__':
    main(sys.argv[1])
