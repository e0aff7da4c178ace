#!/usr/bin/python3
"""check_export.py - `dsaga-bench export` against dsaga_results.load().

usage: check_export.py RESULTS.h5 EXPORT.csv EXPORT.tsv

Reads both exports with plain pandas.read_csv (only the separator given) and
checks, against load() of the same file: the same columns in the same order,
the same number of rows, every numeric column equal (NaN where NaN; to
1e-12 relative with read_csv's default float parser, bit for bit with
float_precision="round_trip"), every text column equal (read as text for
the exact check: a column of "100"s is text in HDF5).
Also checks the table's shape against the file itself (h5py): one row per
checkpoint of every run (one row for a run without any) and one column per
attribute and series.  Prints one line per check; exits 1 on any failure.
"""

import os
import sys

import h5py
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
from dsaga_results import load, runs  # noqa: E402

fails = 0


def check(ok, what):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        fails += 1


def compare(df, csv, name, rtol):
    check(list(csv.columns) == list(df.columns), "%s: columns equal load()'s (%d)"
          % (name, len(df.columns)))
    check(csv.shape == df.shape, "%s: shape %s equals load()'s %s" % (name, csv.shape, df.shape))
    if list(csv.columns) != list(df.columns) or csv.shape != df.shape:
        return
    bad = []
    for c in df.columns:
        a, b = df[c], csv[c]
        if pd.api.types.is_numeric_dtype(a):
            if not pd.api.types.is_numeric_dtype(b):
                bad.append("%s (numeric in load, %s in the export)" % (c, b.dtype))
                continue
            # an integer attribute some runs lack is pandas' nullable Int64
            # in load() (<NA>): NaN here, an empty field in the export
            x, y = a.to_numpy(float, na_value=np.nan), b.to_numpy(float, na_value=np.nan)
            same = (np.isnan(x) == np.isnan(y)).all() and np.allclose(
                x[~np.isnan(x)], y[~np.isnan(y)], rtol=rtol, atol=0)
            if not same:
                bad.append(c)
        else:
            # absent (NaN) and empty text are both an empty field in CSV
            x = a.where(a.notna(), "").astype(str).to_numpy()
            y = b.where(b.notna(), "")
            y = y.map(lambda v: v if isinstance(v, str) else repr(v)).to_numpy()
            if not (x == y).all():
                i = int(np.nonzero(x != y)[0][0])
                bad.append("%s (row %d: %r vs %r)" % (c, i, x[i], y[i]))
    check(not bad, "%s: every value equals load()'s%s" % (name, "" if not bad else
                                                           ": differs in " + ", ".join(bad)))


def main(h5, csv_path, tsv_path):
    df = load(h5)
    rs = runs(h5)
    with h5py.File(h5, "r") as f:
        groups = [f["runs"][k] for k in sorted(f["runs"])]
        n_rows = sum(max(max((len(g[k]) for k in g), default=0), 1) for g in groups)
        attrs = set()
        for g in groups:  # scalars by name; short numeric arrays by element
            for k, v in g.attrs.items():
                a = np.asarray(v)
                if a.ndim == 1 and 2 <= a.size <= 10 and a.dtype.kind in "iuf":
                    attrs |= {"%s_%d" % (k, i) for i in range(a.size)}
                elif a.size == 1 and a.dtype.kind != "b":
                    attrs.add(k)
        # scalar attributes stored as integers in every run that has them
        kinds = {}
        for g in groups:
            for k, v in g.attrs.items():
                a = np.asarray(v)
                if a.size == 1 and a.dtype.kind in "iuf":
                    kinds.setdefault(k, set()).add(a.dtype.kind in "iu")
        ints = sorted(k for k, v in kinds.items() if v == {True})
        partial = [k for k in ints if sum(k in g.attrs for g in groups) < len(groups)]
        # series: the 1-D numeric datasets (a method's 2-D extras, such as
        # dsaga-async's worker_updates, are left out by load() and export)
        series = {k for g in groups for k in g
                  if isinstance(g[k], h5py.Dataset) and g[k].ndim == 1
                  and g[k].dtype.kind in "iuf"}
        statuses = sorted({str(g.attrs["status"]) for g in groups})
    check(len(df) == n_rows, "load(): %d rows, one per checkpoint (%d runs)" % (len(df),
                                                                             len(groups)))
    check(set(df.columns) == {"run"} | attrs | series,
          "load(): columns are run + %d attrs + %d series" % (len(attrs), len(series)))
    check(len(rs) == len(groups) and (rs["checkpoints"] >= 0).all(),
          "runs(): one row per run (%d)" % len(rs))
    check(df["run"].nunique() == len(groups), "load(): every run present")
    for name, t in (("load()", df), ("runs()", rs)):
        bad = ["%s %s" % (k, t[k].dtype) for k in ints
               if not pd.api.types.is_integer_dtype(t[k].dtype)]
        check(not bad, "%s: integer attributes are integer columns (%d, %d of them only in "
              "some runs: Int64)%s" % (name, len(ints), len(partial),
                                        ": " + ", ".join(bad) if bad else ""))
    print("# statuses in the file: %s" % ", ".join(statuses))
    for path, sep, name in ((csv_path, ",", "csv"), (tsv_path, "\t", "tsv")):
        raw = pd.read_csv(path, sep=sep)  # as it is
        # pandas' default float parser is within ~1e-12 of the exact value
        compare(df, raw, name + " (read_csv as is, to 1e-12)", 1e-12)
        if list(raw.columns) == list(df.columns):  # the text columns read as text
            text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
            typed = pd.read_csv(path, sep=sep, dtype={c: str for c in text},
                                float_precision="round_trip")
            compare(df, typed, name + " (text as str, round_trip floats: exact)", 0.0)
    return 1 if fails else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
