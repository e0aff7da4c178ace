#!/usr/bin/python3
"""fig6_table.py - SPEC 6.6: epochs, rounds and bytes to reach 1e-4 and 1e-8
per method and dataset, as Markdown (fig6_table.md) and LaTeX (fig6_table.tex).

The thresholds are relative: the first checkpoint where subopt / subopt at
epoch 0 <= 1e-4 (1e-8).  Entries are the median over seeds with the spread
[min-max] (5-95 % with 20 seeds or more); "k/n" when only k of n seeds got
there; ratios are to saga for epochs and to gd for rounds and bytes (STYLE 9),
where that reference ran and reached the threshold: a header says "(x gd)"
only when some data set has such a ratio, and the caption says why the
others have none.

usage: fig6_table.py RESULTS_DIR|FILE.h5 OUT_DIR
"""

import math
import os
import sys

import common as C

STEM = "fig6_table"
KEYS = [("epoch", "epochs", "saga"), ("rounds", "rounds", "gd"), ("bytes", "bytes", "gd")]


def fmt(v, key):
    if v is None or not math.isfinite(v):
        return "?"
    if key == "bytes" and v >= 1e4:
        e = int(math.floor(math.log10(v)))
        return "%.2ge%d" % (v / 10 ** e, e)
    if key == "rounds":
        return "%d" % round(v)
    return "%.3g" % v


def cell(group, thr, key):
    """(median, text, text with spread) for one table entry."""
    vals = [C.first_reach(r, thr, key) for r in group]
    got = [v for v in vals if math.isfinite(v)]
    if not got:
        return float("nan"), "not reached"
    med, lo, hi = C.band(got)
    text = fmt(med, key)
    if len(got) > 1 and hi > lo:
        text += " [%s-%s]" % (fmt(lo, key), fmt(hi, key))
    if len(got) < len(group):
        text += " (%d/%d)" % (len(got), len(group))
    return med, text


def rows(runs):
    sel = C.convergence_selection(runs)
    label = C.Labeller([r for gs in sel.values() for g in gs for r in g])
    out = []
    for ds, groups in sorted(sel.items(), key=lambda kv: C.ds_name(kv[0])):
        meds = {}
        cells = []
        for g in groups:
            row = {}
            for thr in C.THRESHOLDS:
                for key, _, _ in KEYS:
                    row[(thr, key)] = cell(g, thr, key)
            cells.append((g, row))
            alg = g[0].algorithm
            for thr in C.THRESHOLDS:
                for key, _, ref in KEYS:
                    if alg == ref and (thr, key) not in meds:
                        meds[(thr, key)] = row[(thr, key)][0]
        for g, row in cells:
            entries = []
            for thr in C.THRESHOLDS:
                for key, _, ref in KEYS:
                    med, text = row[(thr, key)]
                    r = meds.get((thr, key), float("nan"))
                    ratio = med / r if math.isfinite(med) and math.isfinite(r) and r > 0 \
                        else float("nan")
                    entries.append((text, ratio))
            out.append((C.ds_name(ds), label(g[0]), len(g), entries, g))
    return out


def columns():
    """(threshold, key, name, reference method) of each table column, in order."""
    return [(thr, key, name, ref) for thr in C.THRESHOLDS for key, name, ref in KEYS]


def references(table):
    """{(dataset, column index): 'ok' | 'absent' | 'not reached'}: whether the
    column's reference method (saga for epochs, gd for rounds and bytes) ran
    on that data set and reached the threshold, so that a ratio exists."""
    out = {}
    for i, (_thr, _key, _name, ref) in enumerate(columns()):
        for ds in dict.fromkeys(row[0] for row in table):
            ref_rows = [row for row in table if row[0] == ds and row[4][0].algorithm == ref]
            if not ref_rows:
                out[(ds, i)] = "absent"
            else:
                out[(ds, i)] = ("ok" if math.isfinite(ref_rows[0][3][i][1])
                                else "not reached")
    return out


def header_cols(table=None):
    """[(column name, reference method or None)]: the reference only where
    some data set of table has a ratio to it in that column (every column
    without a table)."""
    refs = references(table) if table is not None else None
    cols = []
    for i, (thr, _key, name, ref) in enumerate(columns()):
        has = refs is None or any(v == "ok" for (ds, j), v in refs.items() if j == i)
        cols.append(("%s to 1e%d" % (name, round(math.log10(thr))), ref if has else None))
    return cols


def ratio_note(table):
    """The caption's sentence on the ratios: to which method, and for each
    reference why a data set or threshold has none."""
    refs = references(table)
    cols = columns()
    dss = list(dict.fromkeys(ds for ds, _ in refs))
    parts = []
    for ref in dict.fromkeys(c[3] for c in cols):
        idx = [i for i, c in enumerate(cols) if c[3] == ref]
        what = " and ".join(dict.fromkeys(cols[i][2] for i in idx))
        no_runs = [C.ds_name(ds) for ds in dss if refs[(ds, idx[0])] == "absent"]
        gaps = ["no %s runs on %s" % (ref, ", ".join(no_runs))] if no_runs else []
        miss = {}  # data sets -> thresholds the reference did not reach there
        for thr in C.THRESHOLDS:
            i = [j for j in idx if cols[j][0] == thr][0]
            m = tuple(C.ds_name(ds) for ds in dss if refs[(ds, i)] == "not reached")
            if m:
                miss.setdefault(m, []).append("1e%d" % round(math.log10(thr)))
        for m, thrs in miss.items():
            gaps.append("%s %s on %s" % (
                ref, "reached neither " + " nor ".join(thrs) if len(thrs) > 1
                else "did not reach " + thrs[0],
                "any data set" if len(m) == len(dss) else ", ".join(m)))
        if any(refs[(ds, i)] == "ok" for ds in dss for i in idx):
            parts.append("%s to %s%s" % (what, ref, " (no ratio: %s)" % "; ".join(gaps)
                                         if gaps else ""))
        elif len(no_runs) == len(dss):
            parts.append("none for %s: the comparison grid has no %s runs" % (what, ref))
        else:
            parts.append("none for %s (x %s): %s" % (what, ref, "; ".join(gaps)))
    return "Ratios (in parentheses): " + "; ".join(parts) + "."


def markdown(table):
    cols = header_cols(table)
    lines = ["| dataset | method | seeds | " +
             " | ".join("%s (x %s)" % (c, ref) if ref else c for c, ref in cols) + " |",
             "|---|---|---:|" + "---:|" * len(cols)]
    for ds, label, n, entries, _ in table:
        cells = ["%s (%s)" % (t, "%.2gx" % r) if math.isfinite(r) else t
                 for t, r in entries]
        lines.append("| %s | %s | %d | %s |" % (ds, label, n, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def tex_escape(s):
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"),
                 ("#", r"\#"), ("\u03c4", r"$\tau$"), ("\u00d7", r"$\times$")):
        s = s.replace(a, b)
    return s


def latex(table, caption):
    n = len(KEYS)
    lines = [r"% generated by paper-figures/fig6_table.py; needs \usepackage{booktabs}",
             r"\begin{table}[t]", r"\centering", r"\footnotesize",
             r"\begin{tabular}{ll r " + " ".join(["r" * n] * len(C.THRESHOLDS)) + "}",
             r"\toprule",
             " & & & " + " & ".join(r"\multicolumn{%d}{c}{to $10^{%d}$}" % (
                 n, round(math.log10(t))) for t in C.THRESHOLDS) + r" \\",
             " ".join(r"\cmidrule(lr){%d-%d}" % (4 + i * n, 3 + (i + 1) * n)
                      for i in range(len(C.THRESHOLDS))),
             "dataset & method & seeds & " + " & ".join(
                 "%s ($\\times$%s)" % (c.split(" to ")[0], ref) if ref else c.split(" to ")[0]
                 for c, ref in header_cols(table)) + r" \\", r"\midrule"]
    prev = None
    for ds, label, n_seeds, entries, _ in table:
        cells = [tex_escape(t) + (" (%.2g$\\times$)" % r if math.isfinite(r) else "")
                 for t, r in entries]
        lines.append("%s & %s & %d & %s \\\\" % (tex_escape(ds) if ds != prev else "",
                                                tex_escape(label), n_seeds, " & ".join(cells)))
        prev = ds
    lines += [r"\bottomrule", r"\end{tabular}",
              r"\caption{%s}" % tex_escape(caption), r"\label{tab:reach}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def make(runs, out_dir):
    table = rows(runs)
    if not table:
        raise C.MissingRuns("no runs at the default step on random shards to tabulate")
    used = [r for row in table for r in row[4]]
    sel = C.convergence_selection(runs)  # as rows() chose: what it left out
    left_out = C.selection_note(
        sel, labeller=C.Labeller([r for gs in sel.values() for g in gs for r in g]))
    caption = ("Table (figure 6). Epochs, communication rounds and payload bytes (all nodes) "
               "until the relative suboptimality subopt/subopt(epoch 0) first reaches 1e-4 and "
               "1e-8 (at the first checkpoint below, so to the resolution of eval_every), per "
               "method configuration and dataset of the comparison grid. Entries: median over "
               "seeds [min-max, or 5-95 % with 20 seeds or more]; 'k/n' when only k of n seeds "
               "got there; 'not reached' when none did (diverged runs never count). " +
               ratio_note(table) + " " + left_out +
               C.problem_note([r for r in C.plain(runs)
                               if r.dataset in {q.dataset for row in table for q in row[4]}])
               + " " + C.datasets_note({r.dataset for row in table for r in row[4]}))
    full = caption + " " + C.provenance(used)
    os.makedirs(out_dir, exist_ok=True)
    md = os.path.join(out_dir, STEM + ".md")
    tex = os.path.join(out_dir, STEM + ".tex")
    txt = os.path.join(out_dir, STEM + ".txt")
    with open(md, "w", encoding="utf-8") as f:
        f.write("# Time to reach 1e-4 and 1e-8 (relative suboptimality)\n\n" + markdown(table)
                + "\n" + full + "\n")
    with open(tex, "w", encoding="utf-8") as f:
        f.write(latex(table, full))
    C.write_caption(txt, "Time to reach 1e-4 and 1e-8", full)
    return [md, tex, txt]


if __name__ == "__main__":
    sys.exit(C.main_for(make))
