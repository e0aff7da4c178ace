"""dsaga_results - dsaga-bench results files (SPEC 5) as pandas DataFrames.

From a checkout, with Debian's /usr/bin/python3 (python3-h5py, python3-pandas)::

    import sys; sys.path.insert(0, "python")        # or PYTHONPATH=python
    from dsaga_results import load, runs
    df = load("results/default.h5")   # one row per checkpoint (tidy)
    rs = runs("results/default.h5")   # one row per run

The table of load() is the table `bin/dsaga-bench export` writes
(tests/mpi/test_export.sh, through tests/python/check_export.py, checks
that they agree): a column `run` (the index NNNNNN of /runs/NNNNNN, as an
integer), then one column per run
attribute, then one column per series (1-D dataset), one row per checkpoint.
A run without checkpoints (a failed run) still gives one row, its series
empty (NaN), so that no run is silently dropped.

Column order (shared with the C export): `run`; the attributes that SPEC 5
names, in ATTR_ORDER; the other attributes alphabetically; the series in
SERIES_ORDER; the other series alphabetically.  A column that only some runs
carry (a method's own keys, `message`, the network keys) is empty (NaN)
elsewhere.

Values: string attributes are str; integer attributes int (an int64
column; pandas' nullable Int64, <NA> where a run lacks the attribute, when
only some runs carry it: `batch`, `straggler_nodes`); floating point ones
float; a column whose runs store ints in some and floats in others is
float64.  A 1-D integer or float attribute of 2 to 10 elements gives one
column per element (NAME_0, NAME_1, ...); attributes of other kinds (enums,
compound, longer arrays) are left out, as by the C export.  Series are
float64.

Nothing here draws or computes results: it only reads HDF5 (h5py).
"""

import glob
import os

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover
    raise ImportError("dsaga_results needs h5py: apt-get install python3-h5py "
                      "(and run with /usr/bin/python3)")

__all__ = ["load", "runs", "iter_runs", "file_info", "algorithms", "Record",
           "ATTR_ORDER", "SERIES_ORDER"]

# SPEC 5's run attributes, in its order; the C export (cli/cmd_export.c)
# uses the same list.
ATTR_ORDER = ("algorithm", "dataset", "loss", "labels", "lambda", "bias", "nodes", "period",
              "period_unit", "period_text", "aggregate", "partition", "batch", "step_scale",
              "step_size", "step_rule", "seed", "eval_every", "max_epochs", "tol", "status",
              "fstar", "rate_per_epoch", "tail_rate_per_epoch", "bent", "n_samples",
              "n_features")
# SPEC 4's checkpoint fields, then the modelled time.
SERIES_ORDER = ("epoch", "rounds", "bytes", "wall_s", "comm_s", "objective", "subopt",
                "grad_norm", "model_s")


class Record:
    """One /runs/NNNNNN group: .name ("000000"), .attrs (dict of str, int,
    float), .series (dict of 1-D float64 arrays), .path (the file)."""

    __slots__ = ("path", "name", "attrs", "series")

    def __init__(self, path, name, attrs, series):
        self.path = path
        self.name = name
        self.attrs = attrs
        self.series = series

    @property
    def index(self):
        """The run's index in the grid (int), or its group name."""
        return int(self.name) if self.name.isdigit() else self.name

    def __repr__(self):
        return "Record(%r, %s %s, %d checkpoints)" % (
            self.name, self.attrs.get("algorithm", "?"), self.attrs.get("dataset", "?"),
            n_checkpoints(self))


def _value(v):
    """An HDF5 attribute as str, int or float; None for what the export
    leaves out (enums such as h5py's bools, compounds, arrays of > 1)."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            return None
        v = v.reshape(-1)[0]
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace").rstrip("\0")
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    return None


MAX_ARRAY = 10  # longer array attributes are left out, as by the C export


def _elements(v):
    """The elements of a 1-D integer or float attribute of 2..MAX_ARRAY
    values (one column each, NAME_0, NAME_1, ...); [] for anything else."""
    if not isinstance(v, np.ndarray) or v.ndim != 1 or not 2 <= v.size <= MAX_ARRAY:
        return []
    if v.dtype.kind in "iu":
        return [int(x) for x in v]
    if v.dtype.kind == "f":
        return [float(x) for x in v]
    return []


def _paths(path):
    if isinstance(path, (list, tuple)):
        out = []
        for p in path:
            out += _paths(p)
        return out
    path = os.fspath(path)
    if os.path.isdir(path):
        return sorted(glob.glob(os.path.join(path, "*.h5")))
    if not os.path.isfile(path):
        raise FileNotFoundError("results not found: %s" % path)
    return [path]


def file_info(path):
    """The root attributes of one results file (SPEC 5 provenance: git_commit,
    created, config, host, mpi_library, ...) as a dict of str/int/float."""
    with h5py.File(path, "r") as f:
        out = {}
        for k, v in f.attrs.items():
            val = _value(v)
            if val is not None:
                out[k] = val
        return out


def algorithms(path):
    """{name: {"summary", "color", "keys", "legend_keys"}} from the file's
    /algorithms/<name> groups (written by the suite for each method it ran);
    "keys" and "legend_keys" are lists of parameter names.  Empty when the
    file has no /algorithms group (older files)."""
    out = {}
    with h5py.File(path, "r") as f:
        grp = f.get("algorithms")
        if not isinstance(grp, h5py.Group):
            return out
        for name in grp:
            g = grp[name]
            d = {k: _value(v) for k, v in g.attrs.items()}
            for k in ("keys", "legend_keys"):
                text = d.get(k) if isinstance(d.get(k), str) else ""
                d[k] = [s.strip() for s in text.split(",") if s.strip()]
            out[name] = d
    return out


def iter_runs(path):
    """Yields a Record per run of PATH (a results file, a directory of *.h5,
    or a list of them), files in order, runs in name order.  Raises OSError
    for a file h5py cannot open."""
    for p in _paths(path):
        with h5py.File(p, "r") as f:
            grp = f.get("runs")
            if not isinstance(grp, h5py.Group):
                continue
            for name in sorted(grp):
                g = grp[name]
                if not isinstance(g, h5py.Group):
                    continue
                attrs = {}
                for k, v in g.attrs.items():
                    val = _value(v)
                    if val is not None:
                        attrs[k] = val
                    else:
                        for i, x in enumerate(_elements(v)):
                            attrs["%s_%d" % (k, i)] = x
                series = {}
                for k in g:
                    d = g[k]
                    if (isinstance(d, h5py.Dataset) and d.ndim == 1
                            and d.dtype.kind in "iuf"):
                        series[k] = np.asarray(d[()], dtype=np.float64)
                yield Record(p, name, attrs, series)


def n_checkpoints(rec):
    return max((len(v) for v in rec.series.values()), default=0)


def _ordered(names, order):
    first = [n for n in order if n in names]
    return first + sorted(n for n in names if n not in order)


def attr_columns(records):
    """The attribute columns of these records, in the export's order."""
    names = set()
    for r in records:
        names.update(r.attrs)
    return _ordered(names, ATTR_ORDER)


def series_columns(records):
    """The series columns of these records, in the export's order."""
    names = set()
    for r in records:
        names.update(r.series)
    return _ordered(names, SERIES_ORDER)


def _frame(rows, columns):
    import pandas as pd
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def int_columns(records, columns):
    """The attribute columns whose every stored value is an integer (no
    float, no string) in the runs that carry them."""
    out = []
    for k in columns:
        vals = [r.attrs[k] for r in records if k in r.attrs]
        if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            out.append(k)
    return out


def _int_dtypes(df, columns):
    """Integer attribute columns as int64, or as pandas' nullable Int64 when
    some runs lack the attribute (pandas would make them float64 with NaN,
    and batch 16 would read 16.0)."""
    for k in columns:
        if k in df.columns:
            df[k] = df[k].astype("Int64" if df[k].isna().any() else "int64")
    return df


def load(path):
    """The tidy table of a results file (or a directory / list of them): one
    row per checkpoint; columns `run`, every run attribute, every series
    (see the module docstring for order and types).  With several files a
    first column `file` (base name) tells them apart.

    >>> df = load("results/default.h5")
    >>> df[df.algorithm == "dsaga"].groupby("nodes").subopt.min()
    """
    import pandas as pd
    recs = list(iter_runs(path))
    files = sorted({r.path for r in recs})
    acols, scols = attr_columns(recs), series_columns(recs)
    frames = []
    for r in recs:
        n = max(n_checkpoints(r), 1)  # a run without checkpoints: one row
        cols = {}
        if len(files) > 1:
            cols["file"] = os.path.basename(r.path)
        cols["run"] = r.index
        for k in acols:
            if k in r.attrs:
                cols[k] = r.attrs[k]
        for k in scols:
            col = np.full(n, np.nan)
            v = r.series.get(k)
            if v is not None:
                col[:len(v)] = v
            cols[k] = col
        frames.append(pd.DataFrame(cols, index=range(n)))
    columns = (["file"] if len(files) > 1 else []) + ["run"] + acols + scols
    if not frames:
        return _frame([], columns)
    df = pd.concat(frames, ignore_index=True, sort=False)
    return _int_dtypes(df.reindex(columns=columns), int_columns(recs, acols))


def runs(path):
    """One row per run: `run`, every run attribute, then `checkpoints` (how
    many) and `final_<series>` (each series' last value, NaN when empty);
    with several files a first column `file`."""
    recs = list(iter_runs(path))
    files = sorted({r.path for r in recs})
    acols, scols = attr_columns(recs), series_columns(recs)
    rows = []
    for r in recs:
        row = {}
        if len(files) > 1:
            row["file"] = os.path.basename(r.path)
        row["run"] = r.index
        row.update({k: r.attrs[k] for k in acols if k in r.attrs})
        row["checkpoints"] = n_checkpoints(r)
        for k in scols:
            v = r.series.get(k)
            row["final_" + k] = float(v[-1]) if v is not None and len(v) else float("nan")
        rows.append(row)
    columns = ((["file"] if len(files) > 1 else []) + ["run"] + acols + ["checkpoints"]
               + ["final_" + k for k in scols])
    return _int_dtypes(_frame(rows, columns), int_columns(recs, acols))
