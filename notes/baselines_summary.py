#!/usr/bin/python3
"""baselines_summary.py - issue 16's tables from results/baselines.h5
(experiments/baselines.ini): per data set and split, each method's epochs,
rounds and bytes to 1e-4 and 1e-8 relative suboptimality (subopt / f(0),
SPEC 4's tol), at its best step_scale (fewest epochs to 1e-8, then the lowest final
subopt), and the winners.

    notes/baselines_summary.py results/baselines.h5
"""
import sys

import h5py
import numpy as np


def s(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def first(ep, rel, x, target):
    hit = np.nonzero(rel <= target)[0]
    return float(x[hit[0]]) if len(hit) else float('inf')


def main(path):
    rows = {}
    with h5py.File(path, 'r') as f:
        for name, r in f['runs'].items():
            a = r.attrs
            if s(a['status']) == 'failed':
                continue
            sub = r['subopt'][()]
            rel = sub / r['objective'][0]
            ep, rd, by = r['epoch'][()], r['rounds'][()], r['bytes'][()]
            row = dict(alg=s(a['algorithm']), data=s(a['dataset']).split(':')[0],
                       part=s(a['partition']) if 'partition' in a else '-',
                       scale=float(a['step_scale']), status=s(a['status']),
                       final=float(rel[-1]), last_ep=float(ep[-1]))
            for t in (1e-4, 1e-8):
                row[t] = (first(ep, rel, ep, t), first(ep, rel, rd, t), first(ep, rel, by, t))
            key = (row['data'], row['part'] if row['alg'] != 'saga' else 'random', row['alg'])
            rows.setdefault(key, []).append(row)
    best = {k: min(v, key=lambda r: (r[1e-8][0], r['final'], r[1e-4][0]))
            for k, v in rows.items()}
    fmt = lambda x, b=False: '-' if x == float('inf') else (f'{x / 1e6:.1f}M' if b else f'{x:g}')
    for part in ('random', 'label'):
        print(f'\n### {part} shards\n')
        print('| data | method | step_scale | epochs 1e-4 | rounds 1e-4 | bytes 1e-4 | '
              'epochs 1e-8 | rounds 1e-8 | bytes 1e-8 | final rel (epoch) |')
        print('|---|---|---|---|---|---|---|---|---|---|')
        for data in ('a9a', 'phishing', 'synth-sparse'):
            ks = [k for k in best if k[0] == data and k[1] == part]
            for k in sorted(ks, key=lambda k: ['saga', 'dsaga', 'scaffold', 'scaffnew',
                                               'local-svrg', 'local-sgd'].index(k[2])):
                r = best[k]
                scales = ' '.join(f'{x["scale"]:g}' for x in sorted(rows[k], key=lambda x: x['scale']))
                e4, r4, b4 = r[1e-4]
                e8, r8, b8 = r[1e-8]
                print(f'| {data} | {k[2]} | {r["scale"]:g} (of {scales}) | {fmt(e4)} | {fmt(r4)} | '
                      f'{fmt(b4, True)} | {fmt(e8)} | {fmt(r8)} | {fmt(b8, True)} | '
                      f'{r["final"]:.1e} ({r["last_ep"]:g}, {r["status"]}) |')
            dist = [k for k in ks if k[2] != 'saga']
            if dist:
                fr = min(dist, key=lambda k: (best[k][1e-8][1], best[k][1e-8][0]))
                fe = min(ks, key=lambda k: (best[k][1e-8][0], best[k][1e-8][1]))
                fe_d = min(dist, key=lambda k: (best[k][1e-8][0], best[k][1e-8][1]))
                print(f'| {data} | fewest rounds to 1e-8: **{fr[2]}** '
                      f'({fmt(best[fr][1e-8][1])}); fewest epochs: **{fe[2]}** '
                      f'({fmt(best[fe][1e-8][0])}), distributed: **{fe_d[2]}** '
                      f'({fmt(best[fe_d][1e-8][0])}) |||||||||')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
