"""common.py - shared loading, grouping and styling for the paper figures (SPEC 5, 6).

Every figure script reads results/*.h5 only (never reruns anything) through
load_runs(), groups repeated seeds with group_seeds(), draws with the styles
below (one colour and one marker per algorithm, the same in every figure) and
saves with save_figure(), which writes PNG + PDF and the caption both into the
PDF metadata and into a sidecar OUT_DIR/figN_<topic>.txt.

A figure whose runs are not in the results raises MissingRuns with a one-line
reason; make_all.py prints it and goes on with the other figures.
"""

import glob
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# the suite's reader of results files (python/dsaga_results, needs h5py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
try:
    import dsaga_results as R  # noqa: E402
except ImportError:  # pragma: no cover - Debian's python3-h5py is a dependency
    sys.stderr.write("paper-figures: h5py is missing (apt install python3-h5py); "
                     "run with /usr/bin/python3\n")
    raise

# ---------------------------------------------------------------------------
# styles: one colour and one marker per algorithm, in every figure (STYLE 9)
# ---------------------------------------------------------------------------

# Methods are not listed here: their names, order, colours and legend keys
# come from the results (register_methods(), called by load_runs()).  Each
# file may describe its methods in /algorithms/<name> (attrs summary, color,
# keys, legend_keys); a method it does not describe takes the next colour of
# this palette and the next marker, by order of first appearance in the
# runs (the grid's order).  Black first: a grid's first method is usually
# its centralized reference.
PALETTE = ["#000000", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
           "#e377c2", "#17becf", "#bcbd22"]
MARKER_CYCLE = ["o", "s", "^", "v", "D", "P", "X", "*", "<", ">"]
LINESTYLES = ["-", "--", ":", "-."]
METHODS = []        # method names in order of first appearance
_META = {}          # name -> {"color", "summary", "keys", "legend_keys"} from the files
_STYLE = {}         # name -> (colour, marker)
_CENTRAL = set()    # methods whose every run is on one node (no K in labels)
DS_LABELS = {}      # dataset spec -> short label (ds_label)

# Figures start at these relative suboptimalities (subopt / subopt at epoch 0).
THRESHOLDS = (1e-4, 1e-8)
# log plots cannot show subopt <= 0 (f* is only accurate to ~1e-12 relative
# gradient norm, SPEC 1): such values are drawn at this floor.
SUBOPT_FLOOR = 1e-16

plt.rcParams.update({
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 9,
    "legend.fontsize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.4,
    "lines.markersize": 4,
})


def _register_algorithms(meta):
    """Merges one file's /algorithms descriptions (dsaga_results.algorithms)."""
    for name, d in meta.items():
        _META.setdefault(name, d)


def register_methods(runs):
    """Fixes, for every method in runs, its colour and marker (from the
    files' /algorithms groups, else the palette by first appearance), and
    the short labels of the data sets (ds_label)."""
    for r in runs:
        a = r.algorithm
        if a not in METHODS:
            METHODS.append(a)
    # the suite's own order (/algorithms/<name>/order, the registry's) when
    # the files give it; first appearance otherwise
    # (a copy for the tie-break: a list being sorted reads as empty)
    first = list(METHODS)
    METHODS.sort(key=lambda a: (_num((_META.get(a) or {}).get("order"), 1e9),
                                first.index(a)))
    for i, a in enumerate(METHODS):
        c = (_META.get(a) or {}).get("color")
        try:
            matplotlib.colors.to_rgb(c)
        except (ValueError, TypeError):
            c = PALETTE[i % len(PALETTE)]
        _STYLE[a] = (c, MARKER_CYCLE[i % len(MARKER_CYCLE)])
    nodes = {}
    for r in runs:
        nodes.setdefault(r.algorithm, set()).add(r.get("nodes", 1.0))
    _CENTRAL.clear()
    for a, ks in nodes.items():  # declared by the file, else: every run on one node
        declared = (_META.get(a) or {}).get("centralized")
        if (declared == 1) if declared is not None else ks <= {1.0}:
            _CENTRAL.add(a)
    _register_datasets(sorted({r.dataset for r in runs}))


def _num(v, default):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def color(alg):
    return _STYLE.get(alg, ("#7f7f7f", "P"))[0]


def marker(alg):
    return _STYLE.get(alg, ("#7f7f7f", "P"))[1]


def method_keys(alg):
    """The method's own parameters (from /algorithms/<alg>/keys), or None."""
    m = _META.get(alg)
    return list(m["keys"]) if m and m.get("keys") else None


def legend_keys(alg):
    """The keys that tell the method's runs apart in a legend
    (/algorithms/<alg>/legend_keys); without a description, every
    configuration attribute that may vary (the labels then keep only those
    that do vary among the plotted runs)."""
    m = _META.get(alg)
    if m and m.get("legend_keys"):
        return list(m["legend_keys"])
    return list(FALLBACK_LEGEND_KEYS)


def shade(alg, i, n):
    """Shade i of n of the algorithm's colour (darkest first), so variants
    of one algorithm (several K, periods) keep its hue: from the colour
    darkened by 45 % to the colour lightened by 55 %."""
    base = np.array(matplotlib.colors.to_rgb(color(alg)))
    if n <= 1:
        return tuple(base)
    t = i / (n - 1)  # 0 darkest .. 1 lightest
    if base.sum() < 0.3:  # black: greys
        return tuple(base + (np.array([0.7, 0.7, 0.7]) - base) * t)
    dark = base * 0.55
    light = base + (1.0 - base) * 0.55
    return tuple(dark + (light - dark) * t)


class MissingRuns(Exception):
    """The runs a figure needs are not in the results (one-line reason)."""


# ---------------------------------------------------------------------------
# loading (SPEC 5)
# ---------------------------------------------------------------------------

SERIES = ["epoch", "rounds", "bytes", "wall_s", "comm_s", "objective", "subopt", "grad_norm"]
NUMERIC_ATTRS = ["step_requested", "lambda", "bias", "nodes", "period", "batch", "step_scale", "step_size",
                 "seed", "eval_every", "max_epochs", "tol", "fstar", "rate_per_epoch",
                 "tail_rate_per_epoch", "bent", "n_samples", "n_features"]


def to_str(v):
    """h5py hands string attributes back as str, bytes or 0-d/1-element arrays."""
    if isinstance(v, np.ndarray):
        v = v.item() if v.size == 1 else v.tolist()
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace").rstrip("\0")
    return str(v)


def to_num(v):
    if isinstance(v, np.ndarray):
        v = v.item() if v.size == 1 else float("nan")
    if isinstance(v, (bytes, np.bytes_, str)):
        try:
            return float(to_str(v))
        except ValueError:
            return float("nan")
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


class Run:
    """One /runs/NNNNNN group: attrs in .a (str or float), series as arrays."""

    def __init__(self, path, name, attrs, series, file_info):
        self.path = path
        self.file = os.path.basename(path)
        self.name = name
        self.a = attrs
        self.s = series
        self.file_info = file_info

    def __getattr__(self, key):  # run.algorithm, run.nodes ...
        a = self.__dict__.get("a", {})
        if key in a:
            return a[key]
        raise AttributeError(key)

    def get(self, key, default=None):
        return self.a.get(key, default)

    @property
    def has_model(self):
        m = self.s.get("model_s")
        return m is not None and len(m) > 0 and np.any(np.isfinite(m) & (m > 0))

    @property
    def period_is_fraction(self):
        unit = self.a.get("period_unit", "steps").lower()
        return "frac" in unit or unit.startswith("n")

    @property
    def tau_fraction(self):
        """tau as a fraction of n_k = n_samples / nodes (SPEC 3.2)."""
        p = self.a.get("period", float("nan"))
        if self.period_is_fraction:
            return p
        n_k = self.a.get("n_samples", float("nan")) / max(self.a.get("nodes", 1.0), 1.0)
        return p / n_k

    @property
    def tau_steps(self):
        p = self.a.get("period", float("nan"))
        if not self.period_is_fraction:
            return p
        return p * self.a.get("n_samples", float("nan")) / max(self.a.get("nodes", 1.0), 1.0)

    def rel_subopt(self):
        """subopt / subopt at the first checkpoint (epoch 0)."""
        s = np.asarray(self.s["subopt"], dtype=float)
        if len(s) == 0 or not np.isfinite(s[0]) or s[0] <= 0:
            return np.full_like(s, np.nan)
        return s / s[0]

    @property
    def rate(self):
        """rate_per_epoch as stored; recomputed by the SPEC 4 rule when the
        attribute is absent."""
        r = self.a.get("rate_per_epoch")
        if r is None:
            r = fit_rate(self.s["epoch"], self.s["subopt"])
        return r

    @property
    def has_tail(self):
        """Whether the file stores tail_rate_per_epoch for this run (SPEC 4;
        results written before issue 14 do not)."""
        return "tail_rate_per_epoch" in self.a

    @property
    def tail_rate(self):
        """tail_rate_per_epoch as stored (NaN: no tail fit); the window rate
        when the file predates the attribute."""
        return self.a["tail_rate_per_epoch"] if self.has_tail else self.rate

    @property
    def bent(self):
        """SPEC 4's bent: the stored flag; without it, the rule (tail rate
        less than half the window rate); never for a file without tail."""
        b = self.a.get("bent")
        if b is not None and np.isfinite(b):
            return b == 1
        if not self.has_tail:
            return False
        w, t = self.rate, self.tail_rate
        return bool(w is not None and w < 0 and np.isfinite(t) and t > 0.5 * w)


def fit_rate(epoch, subopt):
    """SPEC 4: slope of log10(subopt) vs epoch over the checkpoints with
    subopt in [1e-9, 1e-2] times its first value; NaN below 2 points."""
    epoch = np.asarray(epoch, float)
    s = np.asarray(subopt, float)
    if len(s) < 2 or not (s[0] > 0):
        return float("nan")
    rel = s / s[0]
    ok = np.isfinite(rel) & (rel <= 1e-2) & (rel >= 1e-9)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(epoch[ok], np.log10(s[ok]), 1)[0])


def _is_text(v):
    return isinstance(v, str)


def _read_file(path, warn):
    """The runs of one file as Run objects, read through dsaga_results (the
    suite's one reader, python/dsaga_results); numeric attributes become
    float, a `period` stored as text ("0.5n") is parsed."""
    runs = []
    info = {k: to_str(v) for k, v in R.file_info(path).items()}
    info["file"] = os.path.basename(path)
    _register_algorithms(R.algorithms(path))
    for rec in R.iter_runs(path):
        attrs = {}
        for k, v in rec.attrs.items():
            if k == "period" and _is_text(v):
                attrs[k] = v  # "0.5n" (CLI spelling), parsed below
            elif k in NUMERIC_ATTRS or k.startswith(("net_", "straggler_", "compute_")):
                attrs[k] = to_num(v)
            elif _is_text(v):
                attrs[k] = v
            else:
                attrs[k] = to_num(v)
        # SPEC 5 spells a period given as a fraction in several ways; the
        # writer stores period_unit ("steps" | "n_k fraction").
        if isinstance(attrs.get("period"), str):
            p = attrs["period"].strip()
            if p.endswith("n"):
                attrs["period"] = to_num(p[:-1])
                attrs.setdefault("period_unit", "n_k fraction")
            else:
                attrs["period"] = to_num(p)
        attrs.setdefault("period_unit", "steps")
        for k in ("algorithm", "dataset", "aggregate", "partition", "status", "loss"):
            attrs[k] = to_str(attrs.get(k, "")).strip()
        attrs.setdefault("step_scale", 1.0)
        attrs.setdefault("seed", 0.0)
        series = {k: v for k, v in rec.series.items() if k in SERIES or k == "model_s"}
        missing = [k for k in ("epoch", "subopt") if k not in series]
        if missing and attrs["status"] != "failed":
            warn("%s: /runs/%s lacks %s; skipped" % (path, rec.name, ", ".join(missing)))
            continue
        n = len(series.get("epoch", []))
        for k in SERIES:
            series.setdefault(k, np.full(n, np.nan))
        runs.append(Run(path, rec.name, attrs, series, info))
    return runs


def load_runs(results, warn=None):
    """All runs of RESULTS (a directory of *.h5, or one .h5 file), as Run
    objects; also records each method's colour and legend keys
    (register_methods).  Unreadable files are reported through warn and
    skipped."""
    warn = warn or (lambda m: sys.stderr.write("warning: " + m + "\n"))
    if os.path.isdir(results):
        paths = sorted(glob.glob(os.path.join(results, "*.h5")))
    elif os.path.isfile(results):
        paths = [results]
    else:
        raise FileNotFoundError("results not found: %s" % results)
    runs = []
    for p in paths:
        try:
            runs.extend(_read_file(p, warn))
        except (OSError, KeyError, ValueError) as e:
            warn("%s: unreadable (%s); skipped" % (p, e))
    register_methods(runs)
    return runs


# ---------------------------------------------------------------------------
# grouping
# ---------------------------------------------------------------------------

CONFIG_ATTRS = ["dataset", "loss", "lambda", "bias", "algorithm", "nodes", "period",
                "period_unit", "aggregate", "partition", "batch", "step_scale",
                "net_alpha_s", "net_beta_s", "compute_s", "straggler_factor",
                "straggler_nodes", "straggler_delay_s", "net_preset", "step_rule", "step_requested"]


def _norm(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return float("%.10g" % v)
    return v


def config_key(run, ignore=()):
    """Everything that defines a configuration except the seed: CONFIG_ATTRS
    and the method's own keys where its file lists them."""
    keys = CONFIG_ATTRS + [k for k in (method_keys(run.algorithm) or [])
                           if k not in CONFIG_ATTRS]
    return tuple((k, _norm(run.get(k))) for k in keys if k not in ignore)


def group_seeds(runs, ignore=()):
    """{config key: [runs over seeds]} in first-seen order.  A seed repeated
    within a configuration (the same run in two results files, e.g. a shared
    saga baseline) is kept once, so it is not counted as two seeds."""
    out, seen = {}, set()
    for r in runs:
        key = config_key(r, ignore)
        if (key, r.get("seed")) in seen:
            continue
        seen.add((key, r.get("seed")))
        out.setdefault(key, []).append(r)
    return out


def band(values):
    """(median, lo, hi) over seeds: lo..hi is min..max, or the 5-95 %
    quantiles with 20 seeds or more (SPEC 6).  NaNs are ignored."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    if len(v) >= 20:
        lo, hi = np.quantile(v, [0.05, 0.95])
    else:
        lo, hi = v.min(), v.max()
    return float(np.median(v)), float(lo), float(hi)


def band_label(n_seeds):
    if n_seeds >= 20:
        return "median over %d seeds, band 5-95 %%" % n_seeds
    if n_seeds > 1:
        return "median over %d seeds, band min-max" % n_seeds
    return "one seed"


def stopped_at_tol(run):
    """Whether a run ended early because it reached tol (SPEC 2: a run ends at
    tol, at max_epochs or when it diverges): status done and its last
    checkpoint before max_epochs (less half a checkpoint interval).  Without
    max_epochs, any done run: seeds of one configuration share max_epochs,
    so a done seed shorter than the others stopped at tol."""
    if run.get("status") != "done":
        return False
    ep = np.asarray(run.s.get("epoch", []), float)
    ep = ep[np.isfinite(ep)]
    if len(ep) == 0:
        return False
    me = run.get("max_epochs")
    if me is None or not np.isfinite(me):
        return True
    ev = run.get("eval_every")
    slack = 0.5 * ev if ev is not None and np.isfinite(ev) and ev > 0 else 1e-9
    return bool(ep.max() < me - slack)


def median_curve(runs, xkey, ykey="subopt", relative=False):
    """Median over seeds of log10(y) on the x grid of the longest run, with
    its band (band()).  Returns x, median, lo, hi (y values, not logs).

    A run contributes up to its last checkpoint.  Past it:
    - a seed that stopped at tol (stopped_at_tol) is still there: it counts
      as its last value carried forward ("at or below its last value"), so
      the median never jumps up because a seed finished (a finished seed
      treated as missing would leave the median to the slower seeds);
    - a seed that diverged, failed or ran out of max_epochs has no data (it
      is excluded, as before).
    The curve stops where fewer than half of the seeds have data, and where
    more than half of them have finished (from there on the median is a
    finished seed's carried last value, a bound, not a measurement: the
    median seed has reached tol)."""
    longest = max(runs, key=lambda r: len(r.s[xkey]))
    x = np.asarray(longest.s[xkey], float)
    cols, fins = [], []
    for r in runs:
        rx = np.asarray(r.s[xkey], float)
        ry = r.rel_subopt() if relative else np.asarray(r.s[ykey], float)
        ok = np.isfinite(rx)
        rx, ry = rx[ok], ry[ok]
        ly = np.log10(np.clip(np.where(np.isfinite(ry), ry, np.nan), SUBOPT_FLOOR, None))
        col = np.full(len(x), np.nan)
        fin = np.zeros(len(x), bool)
        if len(rx) >= 1:
            inside = (x >= rx[0]) & (x <= rx[-1])
            order = np.argsort(rx, kind="stable")
            if len(rx) == 1:
                col[inside] = ly[0]
            else:
                col[inside] = np.interp(x[inside], rx[order], ly[order])
            if stopped_at_tol(r):  # carried forward past its end
                fin = x > rx[order][-1]
                col[fin] = ly[order][-1]
        cols.append(col)
        fins.append(fin)
    m = np.vstack(cols)
    have = np.isfinite(m).sum(axis=0)
    n_fin = np.vstack(fins).sum(axis=0)
    keep = (have * 2 >= len(runs)) & (n_fin * 2 <= len(runs))
    med = np.full(len(x), np.nan)
    lo = np.full(len(x), np.nan)
    hi = np.full(len(x), np.nan)
    for j in np.nonzero(keep & (have > 0))[0]:
        med[j], lo[j], hi[j] = band(m[:, j])
    keep &= np.isfinite(med)
    return x[keep], 10 ** med[keep], 10 ** lo[keep], 10 ** hi[keep]


def usable(runs):
    """Runs with data to draw (status done or diverged; failed runs have no
    trace worth drawing)."""
    return [r for r in runs if r.get("status") != "failed" and len(r.s["epoch"]) > 0]


def most_common(values):
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return None
    uniq = sorted(set(vals), key=lambda v: (-vals.count(v), str(v)))
    return uniq[0]


def one_problem(runs, keys=("loss", "lambda", "bias")):
    """The runs of one problem: for each key in turn, those with the value
    most of them share (a regime slice at another lambda must not join a
    sweep's points at the same x)."""
    for k in keys:
        v = most_common([_norm(r.get(k)) for r in runs])
        runs = [r for r in runs if v is None or _norm(r.get(k)) == v]
    return runs


def problem_note(runs, figure="figure 9"):
    """The caption's sentence on the problem drawn per data set (one_problem):
    'One problem per data set: logistic loss, lambda = 3.07e-05 (a9a), ...;
    n runs at another loss, lambda or bias (a regime slice) are left to
    figure 9.'  runs are the candidates before one_problem (to count those
    left out)."""
    per = {}
    left = 0
    for ds in datasets_of(runs):
        rs = [r for r in runs if r.dataset == ds]
        kept = one_problem(rs)
        left += len(group_seeds(rs)) - len(group_seeds(kept))
        if kept:
            per[ds] = kept[0]
    if not per:
        return ""
    losses = sorted({str(r.get("loss")) for r in per.values()})
    biases = sorted({fmt_num(r.get("bias")) for r in per.values()})
    lam = ", ".join("%s (%s)" % (fmt_num(r.get("lambda")), ds_name(ds))
                    for ds, r in sorted(per.items(), key=lambda kv: ds_name(kv[0])))
    text = "One problem per data set: %s loss, bias %s, lambda = %s." % (
        "/".join(losses), "/".join(biases), lam)
    if left:
        text += (" %d configuration%s at another loss, lambda or bias (a regime slice) %s "
                 "left to %s." % (left, "s" if left > 1 else "", "are" if left > 1 else "is",
                                  figure))
    return text


def datasets_of(runs):
    return sorted({r.dataset for r in runs})


# ---------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------

def fmt_num(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "?"
    if float(v).is_integer() and abs(v) < 1e7:
        return "%d" % int(v)
    return "%.3g" % v


def period_label(run):
    if run.period_is_fraction:
        return "\u03c4=%s n_k" % fmt_num(run.get("period"))
    return "\u03c4=%s" % fmt_num(run.get("period"))


# Attributes any method's runs may differ in (shown when they do), and the
# method keys assumed for a method that its file does not describe.
COMMON_LEGEND_KEYS = ["partition", "step_scale", "loss", "lambda", "bias"]
FALLBACK_LEGEND_KEYS = ["period", "aggregate", "batch", "step_rule"]


def key_text(run, key):
    """'period=0.5n', 'aggregate=sum', 'batch=16' (period as written in the
    config when the file has period_text)."""
    if key == "period_text":  # the suite's legend key for the period
        key = "period"
    v = run.get(key)
    if key == "period":
        t = run.get("period_text")
        v = t if isinstance(t, str) and t else (
            "%sn" % fmt_num(v) if run.period_is_fraction else fmt_num(v))
    elif isinstance(v, float):
        v = fmt_num(v)
    return "%s=%s" % (key, v)


def _label_candidates(alg):
    """The keys a label of alg may show, in order: its legend keys, then its
    other declared keys (a method key that varies must tell curves apart
    even when the file does not list it as a legend key), then
    COMMON_LEGEND_KEYS."""
    keys = list(legend_keys(alg))
    for k in (method_keys(alg) or []):
        if k == "period" and "period_text" in keys:
            continue
        if k not in keys:
            keys.append(k)
    return keys + [k for k in COMMON_LEGEND_KEYS if k not in keys]


def _excluded(k, exclude):
    return k in exclude or (k == "period_text" and "period" in exclude)


class Labeller:
    """Legend labels for the runs plotted in one figure:
    '<algorithm> K=<nodes> <key>=<value> ...' with the method's legend keys
    (legend_keys()), its other declared keys and COMMON_LEGEND_KEYS,
    keeping only the keys whose value differs among the plotted runs of
    that method on one data set (lambda = 1/N differs between data sets,
    not within) and not in exclude (the figure's x axis, say; 'period'
    excludes 'period_text' too); keys in always are shown whenever the run
    has them; K is always shown, except for a centralized method.  One
    Labeller per figure, so that a configuration has the same label in
    every panel (one shared legend)."""

    def __init__(self, runs, exclude=(), always=()):
        by_alg = {}
        for r in runs:  # within a data set: lambda = 1/N differs between them
            by_alg.setdefault(r.algorithm, {}).setdefault(r.dataset, []).append(r)
        self.keys = {}
        for alg, per_ds in by_alg.items():
            keys = []
            for k in _label_candidates(alg) + [k for k in always
                                                if k not in _label_candidates(alg)]:
                if _excluded(k, exclude) or k in keys:
                    continue
                if k in always and any(_has_value(r, k) for rs in per_ds.values() for r in rs):
                    keys.append(k)
                elif any(len({key_text(r, k) for r in rs}) > 1 for rs in per_ds.values()):
                    keys.append(k)
            self.keys[alg] = keys
        self.exclude = set(exclude)

    def __call__(self, run):
        alg = run.algorithm
        parts = [alg]
        if alg not in _CENTRAL and "nodes" not in self.exclude:
            parts.append("K=%s" % fmt_num(run.get("nodes")))
        parts += [key_text(run, k) for k in self.keys.get(alg, [])]
        return " ".join(parts)


def _has_value(run, k):
    v = run.get("period" if k == "period_text" else k)
    return v is not None and v != "" and not (isinstance(v, float) and math.isnan(v))


# ---------------------------------------------------------------------------
# curves of the rate figures (3, 4, 7): one per method variant
# ---------------------------------------------------------------------------

# the attributes that say where a run sits on a rate figure's x axis
SWEPT_ATTRS = {"period": ("period", "period_unit", "period_text"),
               "nodes": ("nodes",),
               "step_scale": ("step_scale", "step_requested")}


PROBLEM_ATTRS = ("dataset", "loss", "lambda", "bias")


def curve_key(run, swept):
    """The variant a rate curve draws: everything that defines the run's
    configuration (config_key: CONFIG_ATTRS and every key the method
    declares in /algorithms/<name>/keys, e.g. dsaga's refresh and sync)
    except the swept attribute(s) (SWEPT_ATTRS) and the seed, and except the
    data set and its problem (loss, lambda, bias: one per panel,
    one_problem), so that a variant has one key, and one label, in every
    panel.  Two variants at one x (dsaga refresh=none and refresh=visited)
    are two curves, never one pooled point."""
    return config_key(run, ignore=SWEPT_ATTRS.get(swept, (swept,)) + PROBLEM_ATTRS)


def sweep_curves(groups, swept, xfun):
    """{curve key: {x: seed group}} for seed groups (group_seeds) of one
    data set, x = xfun(first run of the group).  A curve holds one seed
    group per x; two configurations that only spell x differently (tau in
    steps and as a fraction of n_k giving the same tau/n_k) are one."""
    curves = {}
    for g in groups:
        pts = curves.setdefault(curve_key(g[0], swept), {})
        x = xfun(g[0])
        pts[x] = pts.get(x, []) + list(g)
    return curves


def curve_sort_key(run, swept=None):
    """Curves of a rate figure in order: method, K, mean before sum, the
    period (all but the swept one); a stable sort leaves the rest in the
    results' order (a grid lists refresh=none before visited and late)."""
    tau = run.tau_fraction if np.isfinite(run.tau_fraction) else 0.0
    return sort_key_alg(run.algorithm) + (
        0 if swept == "nodes" else run.get("nodes", 0),
        str(run.get("aggregate", "")) == "sum",
        0 if swept == "period" else tau)


def curve_labels(reps, swept, always=("aggregate",)):
    """{curve key: label} for the curves of one figure, reps = {curve key:
    a run of that curve}: a Labeller over them (the swept attribute
    excluded, K and the keys in always shown, every other key that differs
    between curves shown), and where two curves would still read alike,
    the configuration attributes that tell them apart added."""
    excl = SWEPT_ATTRS.get(swept, (swept,))
    lab = Labeller(list(reps.values()), exclude=excl, always=always)
    out = {ck: lab(r) for ck, r in reps.items()}
    by_label = {}
    for ck, l in out.items():
        by_label.setdefault(l, []).append(ck)
    for l, cks in by_label.items():
        if len(cks) < 2:
            continue
        diff = [k for k, _ in cks[0] if len({dict(ck).get(k) for ck in cks}) > 1]
        for ck in cks:
            out[ck] = l + " " + " ".join(key_text(reps[ck], k) for k in diff)
    return out


def method_label(run, exclude=()):
    """The label of one run on its own (no other runs to compare with):
    algorithm, K and every legend key of the method."""
    lab = Labeller([run], exclude)
    lab.keys[run.algorithm] = [k for k in legend_keys(run.algorithm)
                               if not _excluded(k, exclude) and _has_value(run, k)]
    return lab(run)


def sort_key_alg(alg):
    return (METHODS.index(alg) if alg in METHODS else len(METHODS), alg)


def sort_key(run):
    return sort_key_alg(run.algorithm) + (
        run.get("nodes", 0), str(run.get("aggregate", "")), run.tau_fraction,
        run.get("step_scale", 1.0), str(run.get("partition", "")))


# ---------------------------------------------------------------------------
# provenance and saving
# ---------------------------------------------------------------------------

def provenance(runs):
    """'results file(s), git commit, suite version' for a caption."""
    files = {}
    for r in runs:
        files.setdefault(r.file, r.file_info)
    parts = []
    for name in sorted(files):
        info = files[name]
        parts.append("%s (git commit %s, suite %s, created %s)" % (
            name, info.get("git_commit", "unknown"), info.get("suite_version", "?"),
            info.get("created", "?")))
    return ("Results: " + "; ".join(parts) +
            ". The grid configuration is stored in each file's root attribute 'config'.")


def save_figure(fig, out_dir, stem, title, caption, runs):
    """Writes OUT_DIR/STEM.png, .pdf and the caption sidecar .txt; returns the
    paths written."""
    os.makedirs(out_dir, exist_ok=True)
    full = caption.strip() + " " + provenance(runs)
    png = os.path.join(out_dir, stem + ".png")
    pdf = os.path.join(out_dir, stem + ".pdf")
    txt = os.path.join(out_dir, stem + ".txt")
    fig.savefig(png, metadata={"Title": title, "Description": full, "Software": "dsaga-bench"
                               " paper-figures"})
    # no CreationDate: the same results give the same PDF bytes
    fig.savefig(pdf, metadata={"Title": title, "Subject": full,
                               "Creator": "dsaga-bench paper-figures", "CreationDate": None})
    # the legend entries, for readers and tests (which labels were drawn)
    labels = []
    for lg in list(fig.legends) + [ax.get_legend() for ax in fig.axes]:
        if lg is not None:
            labels += getattr(lg, "_dsaga_labels", None) or [
                t.get_text() for t in lg.get_texts() if t.get_text()]
    plt.close(fig)
    write_caption(txt, title, full, labels)
    return [png, pdf, txt]


def write_caption(path, title, text, legend=()):
    with open(path, "w", encoding="utf-8") as f:
        f.write(title + "\n\n" + text + "\n")
        if legend:
            f.write("\nLegend: " + "; ".join(dict.fromkeys(legend)) + "\n")


def panel_grid(n, width=4.2, height=3.2):
    """n panels in up to 3 columns; returns fig and the flat list of axes
    (surplus axes removed)."""
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.4),
                             squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.remove()
    return fig, flat[:n]


def main_for(make, argv=None):
    """CLI of a single figure script: SCRIPT RESULTS OUT_DIR.  Exit 0 when
    made, 3 when its runs are missing (message on stderr), 1 on error."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.stderr.write("usage: %s RESULTS_DIR|FILE.h5 OUT_DIR\n" % os.path.basename(sys.argv[0]))
        return 2
    runs = load_runs(argv[0])
    try:
        for p in make(runs, argv[1]):
            print(p)
    except MissingRuns as e:
        sys.stderr.write("%s: skipped: %s\n" % (make.__module__, e))
        return 3
    return 0


# ---------------------------------------------------------------------------
# selections shared by several figures
# ---------------------------------------------------------------------------

def has_net(run):
    """A run with a network model configured (issue 10)."""
    a = run.get("net_alpha_s")
    return (a is not None and np.isfinite(a) and a >= 0) or run.has_model


def plain(runs):
    """Measured runs at the default step, random shards, no network model:
    what figures 1, 2, 6 compare."""
    return [r for r in usable(runs)
            if r.get("partition", "random") in ("random", "")
            and abs(r.get("step_scale", 1.0) - 1.0) < 1e-12 and not has_net(r)]


class Selection(dict):
    """convergence_selection()'s {dataset: [seed groups]}, with left_out:
    {dataset: {algorithm: (configurations left out, configurations there,
    the base configuration kept)}}."""

    def __init__(self, *a, **k):
        dict.__init__(self, *a, **k)
        self.left_out = {}


def base_config(gs, others):
    """Of one method's seed groups gs (configurations), the one the method
    comparison is about: at the K most of the other distributed methods'
    configurations use (else the method's own most frequent K), matching
    the values they share for the method's keys (a period, say), with
    aggregate mean, and, among equals, the first in the results (a grid
    lists a method's base section before its sweeps: dsaga period=0.5n
    before dsaga:period and dsaga:nodes)."""
    dist = [g for g in others if g[0].algorithm not in _CENTRAL]
    k_ref = most_common([g[0].get("nodes") for g in dist]) if dist else None
    if k_ref is None:
        k_ref = most_common([g[0].get("nodes") for g in gs])
    alg = gs[0][0].algorithm
    shared = {}
    for k in (method_keys(alg) or []):
        vals = [key_text(g[0], k) for g in dist if k in (method_keys(g[0].algorithm) or [])]
        if vals:
            shared[k] = most_common(vals)

    def score(ig):
        i, g = ig
        r = g[0]
        return (_norm(r.get("nodes")) == _norm(k_ref),
                sum(key_text(r, k) == v for k, v in shared.items()),
                r.get("aggregate") != "sum", -i)
    return max(enumerate(gs), key=score)[1]


def convergence_selection(runs, per_alg=4):
    """{dataset: [seed groups]} for the method comparison (figures 1, 2, 6),
    a Selection (its left_out says what was left out, selection_note()).

    Per dataset, the results file holding the most distinct algorithms is
    taken as the comparison grid (period or step sweeps live in other
    files), or every file when none holds two algorithms; within it one
    problem (one_problem: the loss, lambda and bias most of its runs share,
    saga included), and at most per_alg configurations per algorithm:
    always its base configuration (base_config: the other methods' K and
    shared keys, first in the grid), then, preferring aggregate=mean, the
    others spread over K and period."""
    out = Selection()
    cand = plain(runs)
    for ds in datasets_of(cand):
        rs = [r for r in cand if r.dataset == ds]
        by_file = {}
        for r in rs:
            by_file.setdefault(r.file, []).append(r)
        best = max(sorted(by_file), key=lambda f: (len({r.algorithm for r in by_file[f]}),
                                                   len(by_file[f])))
        # single `run` outputs are one file per run: then compare across files
        pick = by_file[best] if len({r.algorithm for r in by_file[best]}) >= 2 else rs
        # one problem (loss, lambda, bias) per data set: a regime slice at
        # another lambda (saga:regime, local-svrg:regime) is figure 9's
        pick = one_problem(pick)
        groups = list(group_seeds(pick).values())  # in the results' order
        chosen = []
        for alg in sorted({g[0].algorithm for g in groups},
                          key=lambda a: sort_key_alg(a)):
            all_gs = [g for g in groups if g[0].algorithm == alg]
            gs = all_gs
            if len(gs) > per_alg:
                base = base_config(gs, [g for g in groups if g[0].algorithm != alg])
                rest = [g for g in gs if g is not base]
                mean = [g for g in rest if g[0].get("aggregate") != "sum"]
                rest = mean if mean else rest
                if len(rest) > per_alg - 1:
                    rest.sort(key=lambda g: (g[0].get("nodes", 0), g[0].tau_fraction,
                                             str(config_key(g[0]))))
                    idx = np.unique(np.round(np.linspace(0, len(rest) - 1,
                                                         per_alg - 1)).astype(int))
                    rest = [rest[i] for i in idx]
                gs = [base] + rest
                out.left_out.setdefault(ds, {})[alg] = (len(all_gs) - len(gs), len(all_gs),
                                                        base[0])
            chosen.extend(sorted(gs, key=lambda g: sort_key(g[0])))
        out[ds] = chosen
    return out


def selection_note(sel, datasets=None, labeller=None):
    """The caption's sentence on the configurations convergence_selection
    left out: 'At most 4 configurations per method are drawn ...: dsaga 6
    of 10 left out (a9a, ...), its base configuration dsaga K=4
    period=0.5n kept.'  Empty when nothing was left out."""
    left = getattr(sel, "left_out", {})
    per = {}
    for ds, algs in left.items():
        if datasets is not None and ds not in datasets:
            continue
        for alg, (n_left, n_all, base) in algs.items():
            lab = labeller(base) if labeller else method_label(base)
            per.setdefault((alg, n_left, n_all, lab), []).append(ds_name(ds))
    if not per:
        return ""
    parts = ["%s: %d of %d configurations left out (%s), the base configuration %s kept" % (
        alg, n_left, n_all, ", ".join(sorted(dss)), lab)
        for (alg, n_left, n_all, lab), dss in sorted(per.items(), key=lambda kv: (
            sort_key_alg(kv[0][0]), kv[0][1:]))]
    return ("At most 4 configurations per method are drawn (its base configuration, at the "
            "other methods' K and first in the grid, then aggregate mean first, spread over K "
            "and period): %s. " % "; ".join(parts))


def draw_groups(ax, groups, xkey, ykey="subopt", style=None, labeller=None):
    """One median curve (with band) per seed group against xkey; variants of
    one algorithm get shades and line styles of its colour.  Diverged runs
    end in an 'x'.  Points with x <= 0 are dropped on a log x axis.
    A centralized method (all its runs on one node: the reference) is drawn
    as a wide pale line under the others, so that a method that reproduces
    it exactly (dsaga with K = 1, SPEC 3.2) shows on top of it and both stay
    visible.  Returns the number of curves drawn."""
    labeller = labeller or Labeller([r for g in groups for r in g])
    per_alg = {}
    for g in groups:
        per_alg.setdefault(g[0].algorithm, []).append(g)
    drawn = 0
    logx = ax.get_xscale() == "log"
    for alg, gs in per_alg.items():
        for i, g in enumerate(gs):
            r0 = g[0]
            c, ls = (style(g, i, len(gs)) if style else
                     (shade(alg, i, len(gs)), LINESTYLES[i % len(LINESTYLES)]))
            ok_runs = [r for r in g if np.isfinite(np.asarray(r.s[xkey], float)).any()]
            if not ok_runs:
                continue
            x, med, lo, hi = median_curve(ok_runs, xkey, ykey)
            if logx:
                keep = x > 0
                x, med, lo, hi = x[keep], med[keep], lo[keep], hi[keep]
            if len(x) == 0:
                continue
            n_div = sum(r.get("status") == "diverged" for r in g)
            label = labeller(r0)
            if n_div:
                label += " (diverged %d/%d)" % (n_div, len(g)) if len(g) > 1 else " (diverged)"
            every = max(1, len(x) // 8)
            if alg in _CENTRAL and style is None:
                ax.plot(x, med, color=c, ls="-", lw=5, alpha=0.3, solid_capstyle="round",
                        marker=marker(alg), ms=7, mfc="none", markevery=(every // 2, every),
                        label=label, zorder=1.5)
            else:
                ax.plot(x, med, color=c, ls=ls, marker=marker(alg), markevery=every,
                        label=label, zorder=2)
            if len(g) > 1:
                ax.fill_between(x, lo, hi, color=c, alpha=0.18, lw=0)
            if n_div:
                ax.plot([x[-1]], [med[-1]], marker="x", color=c, ms=8, mew=2, ls="none")
            drawn += 1
    return drawn


def seeds_note(groups):
    n = sorted({len(g) for g in groups})
    if not n:
        return ""
    if n == [1]:
        return "One seed per configuration."
    big = max(n)
    return ("Curves are medians over seeds (%s per configuration); the shaded band spans "
            "min..max, or the 5-95 %% quantiles with 20 seeds or more. A seed that stopped at "
            "tol counts as its last value from there on (it is at or below it), so a median "
            "never rises because a seed finished; a curve ends where more than half of its "
            "seeds have finished, or fewer than half have data (diverged and failed seeds "
            "have none past their end)." %
            ("%d" % big if len(n) == 1 else "%d-%d" % (n[0], big)))


# ---------------------------------------------------------------------------
# rates (figures 3, 4, 7) and thresholds (figures 6, 8)
# ---------------------------------------------------------------------------

RATE_YLABEL = "decades gained / epoch"


def rate_of(run, kind):
    """run's rate of one kind: 'tail' (tail_rate_per_epoch, SPEC 4; the
    window rate when the file predates it) or 'window' (rate_per_epoch)."""
    return run.tail_rate if kind == "tail" else run.rate


def rate_ylabel(runs):
    """The y label of a rate axis: which rate the filled markers are."""
    return RATE_YLABEL + (" (tail)" if any(r.has_tail for r in runs) else " (window)")


def rate_summary(group, kind="tail"):
    """One seed group's rate of one kind (rate_of), as a dict: status,
    median, lo, hi (decades gained per epoch, i.e. -rate), n (seeds that
    ran: failed runs left out), n_rate (seeds with a negative rate, i.e. a
    decreasing tail), n_rising (finite rate >= 0: the tail did not
    decrease), n_nofit (no rate: too few checkpoints for the fit), n_div.

    status:
    - 'diverged': half of the seeds or more diverged;
    - 'norate': half of the seeds or more have no negative rate (rising or
      flat tail, no fit, or diverged): no rate is drawn;
    - 'ok': every seed has a negative rate, the median over them;
    - 'partial': more than half of the seeds have one, but not all: the
      median counts the others (rising, no fit or diverged) as slower than
      every seed with a rate (the honest median, not the median of the
      survivors); lo..hi spans the seeds with a rate.
    Seeds with a rising tail are never dropped silently: a point is 'ok'
    only when all its seeds converge."""
    g = [r for r in group if r.get("status") != "failed"]
    out = dict(status="failed", median=float("nan"), lo=float("nan"), hi=float("nan"),
               n=len(g), n_rate=0, n_rising=0, n_nofit=0, n_div=0)
    if not g:
        return out
    n_div = sum(r.get("status") == "diverged" for r in g)
    rates = [rate_of(r, kind) for r in g if r.get("status") != "diverged"]
    vals = [-v for v in rates if v is not None and np.isfinite(v) and v < 0]
    out.update(n_div=n_div, n_rate=len(vals),
               n_rising=sum(1 for v in rates if v is not None and np.isfinite(v) and v >= 0),
               n_nofit=sum(1 for v in rates if v is None or not np.isfinite(v)))
    if n_div * 2 >= len(g):
        out["status"] = "diverged"
        return out
    if len(vals) * 2 <= len(g):
        out["status"] = "norate"
        return out
    # the others count as slower than every seed with a rate (-inf): with a
    # strict majority of finite values the median is finite
    full = np.array(sorted(vals) + [-np.inf] * (len(g) - len(vals)))
    med = float(np.median(full))
    _, lo, hi = band(vals)
    if len(g) >= 20:
        q = np.quantile(full, [0.05, 0.95])
        lo = float(q[0]) if np.isfinite(q[0]) else min(vals)
        hi = float(q[1])
    out.update(status="ok" if len(vals) == len(g) else "partial", median=med, lo=lo, hi=hi)
    return out


def rate_point(group, kind="tail"):
    """(status, median, lo, hi) of rate_summary; status 'partial' (some
    seeds without a decreasing tail, a majority with one) is kept apart
    from 'ok' so that callers can mark it."""
    d = rate_summary(group, kind)
    return d["status"], d["median"], d["lo"], d["hi"]


def group_bent(group):
    """A seed group is bent (SPEC 4) when half of its seeds that ran or
    more (failed and diverged runs excluded) are bent."""
    g = [r for r in group if r.get("status") not in ("failed", "diverged")]
    return bool(g) and 2 * sum(r.bent for r in g) >= len(g)


WINDOW_STYLE = dict(ls=":", lw=1.1, mfc="white", ms=5.5)
PARTIAL_STYLE = dict(marker="o", ms=11, mfc="none", mew=1.0, ls="none")
STRIP_LABELS = {"diverged": "diverged", "norate": "no rate"}


def _ax_note(ax, name, items):
    """Appends to a per-axes list (values drawn, pending strip markers)."""
    ax.__dict__.setdefault(name, []).extend(items)


def draw_rate_curve(ax, xs, groups, c, mk, ls, label, row=0):
    """The tail rate (rate_of 'tail', rate_summary) against x for seed
    groups at each x: the 'ok' and 'partial' points as a line with filled
    markers and a band over the seeds with a rate, a 'partial' point (some
    seeds without a decreasing tail) ringed; diverged points ('x') and
    points without a rate (open marker) go to the strip below the rate
    axis that finish_rate_axes() draws, row `row` of it (one row per
    curve), never onto the rate scale.  Where a group is bent (group_bent)
    its window rate is drawn too, an open marker in the curve's colour,
    consecutive bent x joined by a dotted line, and a thin line down to its
    tail point.  Returns the statuses seen, plus 'window' when a window
    point was drawn."""
    xs_sorted = sorted(zip(xs, groups), key=lambda t: t[0])
    pts = [(x,) + rate_point(g, "tail") for x, g in xs_sorted]
    ok = [(p[0], p[2], p[3], p[4]) for p in pts if p[1] in ("ok", "partial")]
    if ok:
        x, m, lo, hi = map(np.array, zip(*ok))
        ax.plot(x, m, color=c, marker=mk, ls=ls, label=label, zorder=3)
        if any(len(g) > 1 for g in groups):
            ax.fill_between(x, lo, hi, color=c, alpha=0.18, lw=0)
        _ax_note(ax, "_rate_vals", list(m) + list(lo) + list(hi))
    else:
        ax.plot([], [], color=c, marker=mk, ls=ls, label=label)
    part = [(p[0], p[2]) for p in pts if p[1] == "partial"]
    if part:
        px, pm = zip(*part)
        ax.plot(px, pm, color=c, zorder=3.5, **PARTIAL_STYLE)
    _ax_note(ax, "_edge_marks", [(row, p[0], p[1], c, mk) for p in pts
                                 if p[1] in ("diverged", "norate")])
    statuses = {p[1] for p in pts}
    # the window rate where the curve bends: segments over consecutive bent x
    seg = []
    segments = [seg]
    for (x, g), p in zip(xs_sorted, pts):
        w = (rate_point(g, "window") if p[1] in ("ok", "partial", "norate") and group_bent(g)
             else None)
        if w is None or w[0] not in ("ok", "partial"):
            seg = []
            segments.append(seg)
            continue
        seg.append((x, w[1]))
        statuses.add("window")
        _ax_note(ax, "_rate_vals", [w[1]])
        if p[1] in ("ok", "partial"):  # from the window point down to its tail point
            ax.plot([x, x], [w[1], p[2]], color=c, lw=0.6, ls="-", alpha=0.6, zorder=2)
    for seg in segments:
        if seg:
            wx, wy = zip(*seg)
            ax.plot(wx, wy, color=c, marker=mk, zorder=3, **WINDOW_STYLE)
    return statuses


def finish_rate_axes(ax, pad=1.25, row_frac=0.05):
    """The y axis of a rate panel, once every curve is drawn: limits over
    the values drawn (points, bands, window rates, saga's line and band)
    with a margin, labelled ticks only there (nice_log_ticks), and, when a
    curve has diverged or rate-less points, a grey strip below the rate
    range holding them, one row per such curve, labelled 'diverged' / 'no
    rate' where the tick labels are: no rate tick falls in the strip, so
    those markers never read as measured rates."""
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FixedFormatter, FixedLocator
    vals = [v for v in getattr(ax, "_rate_vals", []) if v is not None and np.isfinite(v)
            and v > 0]
    lo, hi = (min(vals) / pad, max(vals) * pad) if vals else (0.01, 1.0)
    if not hi > lo * 1.5:  # one value: a decade around it
        lo, hi = lo / 3, hi * 3
    set_log_ticks(ax.yaxis, lim=(lo, hi))
    marks = getattr(ax, "_edge_marks", [])
    if not marks:
        ax.set_ylim(lo, hi)
        return
    rows = sorted({m[0] for m in marks})
    strip = 0.035 + row_frac * len(rows)
    span = math.log10(hi / lo)
    bottom = lo / 10 ** (strip * span / (1 - strip))
    ax.set_ylim(bottom, hi)
    ax.add_patch(Rectangle((0, 0), 1, strip, transform=ax.transAxes, facecolor="0.92",
                           edgecolor="none", zorder=0.2))
    ax.plot([0, 1], [strip, strip], transform=ax.transAxes, color="0.55", lw=0.8, zorder=2.5)
    edge = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for (row, x, st, c, mk) in marks:
        y = 0.012 + (strip - 0.024) * (rows.index(row) + 0.5) / len(rows)
        if st == "diverged":
            ax.plot([x], [y], transform=edge, marker="x", ms=7, mew=2, color=c, ls="none",
                    clip_on=False, zorder=4)
        else:
            ax.plot([x], [y], transform=edge, marker=mk, mfc="white", ms=6, mew=1.3, color=c,
                    ls="none", clip_on=False, zorder=4)
    # the strip's label, a minor tick label (counted in the layout like the
    # tick labels; no grid line: the grid is on major ticks)
    kinds = [STRIP_LABELS[k] for k in ("diverged", "norate") if any(m[2] == k for m in marks)]
    ax.yaxis.set_minor_locator(FixedLocator([bottom * 10 ** (0.5 * strip * span / (1 - strip))]))
    ax.yaxis.set_minor_formatter(FixedFormatter(["\n".join(kinds)]))
    ax.tick_params(axis="y", which="minor", length=0, labelsize=6.5, labelcolor="0.3")
    for t in ax.yaxis.get_minor_ticks():
        t.label1.set_fontstyle("italic")


def edge_handles(statuses, c, mk):
    """Legend entries for the tail/window styles, the ringed partial points
    and the strip markers, drawn exactly as draw_rate_curve draws them
    (colour c, marker mk)."""
    from matplotlib.lines import Line2D
    h, l = [], []
    if "window" in statuses:
        h.append(Line2D([], [], marker=mk, color=c, ls="-"))
        l.append("tail rate (filled marker)")
        h.append(Line2D([], [], marker=mk, color=c, **WINDOW_STYLE))
        l.append("window rate where bent (open marker, dotted)")
    if "partial" in statuses:
        h.append(Line2D([], [], color=c, **PARTIAL_STYLE))
        l.append("ringed: some seeds' tail did not decrease (median counts them slowest)")
    if "diverged" in statuses:
        h.append(Line2D([], [], marker="x", ms=7, mew=2, color=c, ls="none"))
        l.append("diverged (x in the grey strip below the rates)")
    if "norate" in statuses:
        h.append(Line2D([], [], marker=mk, mfc="white", ms=6, mew=1.3, color=c, ls="none"))
        l.append("no rate: half of the seeds or more without a decreasing tail (grey strip)")
    return h, l


def finish_rate_figure(fig, axes, statuses, used, groups):
    """Figures 3, 4 and 7 (rates against a swept key): the shared legend
    with the edge markers, and the caption's notes on the rates and on the
    points some of whose seeds did not converge."""
    n_partial = sum(rate_point(g)[0] == "partial" for g in groups)
    shared_legend(fig, axes, edge_handles(statuses, "0.35", marker("dsaga")))
    return rate_note(used, groups) + edge_note({"n_partial": n_partial})


def edge_note(statuses=None):
    """The caption's sentences on how points are summarised over seeds and
    where diverged and rate-less configurations are drawn."""
    return ("A point is the median over seeds of the decades gained per epoch, its band "
            "min..max (5-95 %% with 20 seeds or more) over the seeds with a rate. A seed whose "
            "tail did not decrease (tail rate >= 0, or no fit) is not dropped: it counts as "
            "slower than every other seed, so a point is drawn only when more than half of its "
            "seeds have a decreasing tail, and ringed when some do not%s. A configuration "
            "where half of the seeds or more diverged is an 'x', one where half or more have "
            "no decreasing tail an open marker, both in the grey strip below the rate axis "
            "(no rate scale there; one row per curve), drawn, not dropped. " % (
                " (%d such point%s here)" % (statuses["n_partial"],
                                            "s" if statuses["n_partial"] > 1 else "")
                if statuses and statuses.get("n_partial") else ""))


def rate_note(runs, groups=()):
    """The caption's sentence on which rate is drawn: the tail rate, the
    window rate where bent (how many of the groups drawn), or the window
    rate alone for results written before tail_rate_per_epoch existed."""
    rs = [r for r in runs if r.get("status") != "failed"]
    no_tail = [r for r in rs if not r.has_tail]
    window = ("the window rate rate_per_epoch (fitted between 1e-2 and 1e-9 of the initial "
              "suboptimality, SPEC 4)")
    if rs and len(no_tail) == len(rs):
        return ("These results predate tail_rate_per_epoch (SPEC 4): every rate drawn is %s, "
                "so a curve that bends into a slow mode shows its fast start. " % window)
    n_bent = sum(group_bent(g) for g in groups)
    text = ("Filled markers on the curves' lines are the tail rate (tail_rate_per_epoch, SPEC 4: "
            "the fit over the last third of a run's checkpoints, those above 1e-13 of the "
            "initial suboptimality). Where half of a configuration's seeds or more are bent "
            "(tail less than half the window rate, attribute bent = 1), %s is drawn too, an "
            "open marker in the curve's colour on a dotted line, with a thin line down to "
            "its tail point: %d of %d configurations drawn are bent. " % (
                window, n_bent, len(groups)))
    if no_tail:
        files = sorted({r.file for r in no_tail})
        text += ("%d of %d runs (%s) predate tail_rate_per_epoch: their window rate stands "
                 "in for the tail. " % (len(no_tail), len(rs), ", ".join(files)))
    return text


def nice_log_ticks(lo, hi, min_ticks=4):
    """Ticks evenly spread on a log axis over [lo, hi]: the coarsest of the
    per-decade series 1; 1 3; 1 2 5; 1 1.5 2 3 5 7; 1 1.25 1.6 2 2.5 3 4 5
    6 8 (each close to a geometric progression) giving >= min_ticks."""
    series = [(1,), (1, 3), (1, 2, 5), (1, 1.5, 2, 3, 5, 7),
              (1, 1.25, 1.6, 2, 2.5, 3, 4, 5, 6, 8)]
    if not (lo > 0 and hi > lo):
        return []
    ticks = []
    for sub in series:
        ticks = [m * 10.0 ** e for e in range(int(math.floor(math.log10(lo))) - 1,
                                              int(math.ceil(math.log10(hi))) + 1)
                 for m in sub]
        ticks = [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        if len(ticks) >= min_ticks:
            break
    if len(ticks) > 9:  # many decades: every k-th decade's 1
        ticks = [t for t in ticks if abs(math.log10(t) - round(math.log10(t))) < 1e-9]
        step = max(1, int(math.ceil(len(ticks) / 8)))
        ticks = ticks[::step]
    return ticks


def set_log_ticks(axis, ticks=None, lim=None):
    """Fixed, labelled ticks on a log axis ('%g'), no minor labels: the
    given ticks (the data's own x values, when they are evenly spread) or
    nice_log_ticks over the axis' limits."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator
    lo, hi = lim if lim else (axis.axes.get_ylim() if axis is axis.axes.yaxis
                              else axis.axes.get_xlim())
    if ticks is None:
        ticks = nice_log_ticks(lo, hi)
    axis.set_major_locator(FixedLocator(list(ticks)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % float("%.3g" % v)))
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def geometric(values):
    """The distinct positive values, sorted, when they form a geometric
    progression (evenly spread on a log axis) of 2 to 9 terms; else None."""
    v = sorted({float(x) for x in values if x is not None and x > 0})
    if not 2 <= len(v) <= 9:
        return None
    r = [math.log(b / a) for a, b in zip(v, v[1:])]
    return v if max(r) - min(r) <= 0.05 * max(r) else None


def pad_log_ylim(ax, values, factor=1.25):
    """y limits covering values (and the current limits) with a margin."""
    v = [x for x in values if x is not None and np.isfinite(x) and x > 0]
    lo, hi = ax.get_ylim()
    if v:
        lo, hi = min([lo] + v) / factor, max([hi] + v) * factor
    ax.set_ylim(lo, hi)


def saga_reference(ax, runs, dataset, label="saga (reference)", like=None):
    """saga's median tail rate (rate_of 'tail') on dataset as a horizontal
    dashed line (band: seeds), its value written at the line's right end;
    with like (a run), only saga runs of like's problem (loss, lambda,
    bias).  Returns the saga runs used (empty when there are none)."""
    saga = [r for r in plain(runs) if r.algorithm == "saga" and r.dataset == dataset]
    if like is not None:
        saga = [r for r in saga
                if all(_norm(r.get(k)) == _norm(like.get(k)) for k in ("loss", "lambda", "bias"))]
    if not saga:
        return []
    g = list(group_seeds(saga).values())
    g = max(g, key=len)
    st, m, lo, hi = rate_point(g)
    if st not in ("ok", "partial"):
        return []
    ax.axhline(m, color=color("saga"), ls="--", lw=1.2, label=label, zorder=1)
    if len(g) > 1:
        ax.axhspan(lo, hi, color=color("saga"), alpha=0.08, lw=0)
    ax.annotate("saga %.3g" % m, xy=(0.99, m), xycoords=("axes fraction", "data"),
                xytext=(0, 2), textcoords="offset points", ha="right", va="bottom",
                fontsize=7, color=color("saga"))
    ax._saga_rate = m
    _ax_note(ax, "_rate_vals", [m * 1.12, lo, hi])  # finish_rate_axes keeps them inside
    return g


def first_reach(run, thr, key):
    """run's key (epoch, rounds, bytes, model_s) at the first checkpoint
    where subopt / subopt[0] <= thr; NaN when never reached (diverged runs
    never count)."""
    if run.get("status") == "diverged":
        return float("nan")
    rel = run.rel_subopt()
    hit = np.nonzero(np.isfinite(rel) & (rel <= thr))[0]
    col = run.s.get(key)
    if len(hit) == 0 or col is None or len(col) <= hit[0]:
        return float("nan")
    return float(col[hit[0]])


def status_count(runs):
    from collections import Counter
    c = Counter(r.get("status", "?") for r in runs)
    return ", ".join("%d %s" % (c[k], k) for k in sorted(c))


def _register_datasets(specs):
    """Short labels for data sets: a path's file name without .xz/.bz2/.gz;
    a synthetic spec's kind (synth-dense), numbered when several specs share
    it.  The spec itself goes into the caption (datasets_note)."""
    by_short = {}
    for ds in specs:
        short = ds
        if "/" in short:
            short = os.path.basename(short)
            for ext in (".xz", ".bz2", ".gz"):
                if short.endswith(ext):
                    short = short[: -len(ext)]
        if ":" in short:
            short = short.split(":", 1)[0]
        by_short.setdefault(short, []).append(ds)
    for short, lst in by_short.items():
        for i, ds in enumerate(sorted(lst)):
            DS_LABELS.setdefault(ds, short if len(lst) == 1 else "%s-%d" % (short, i + 1))


def ds_name(ds, width=None):
    """A data set's short label (a panel title); the full spec is in the
    caption (datasets_note)."""
    if ds not in DS_LABELS:
        _register_datasets([ds])
    return DS_LABELS[ds]


def datasets_note(datasets):
    """'Data sets: synth-dense = synth-dense:n=...; ...' for the data sets
    whose short label is not their full name (synthetic specs, paths)."""
    parts = ["%s = %s" % (ds_name(d), d) for d in sorted(set(datasets), key=ds_name)
             if ds_name(d) != d]
    return ("Data sets: %s." % "; ".join(parts)) if parts else ""


def shared_legend(fig, axes, extra=(), ncol=None, title=None, top_in=0.3, grow=False,
                  min_row_in=2.9, min_axes_in=2.0):
    """One legend for the whole figure, below the panels: the handles of
    every panel (each label once, first panel first) plus extra (handles,
    labels); the per-panel legends are removed.  The legend is fitted to
    the figure's width, measured: as many columns as fit, fewer when it is
    wider than the figure, and with one column too wide its long labels
    wrapped.  Then the figure is laid out (tight_layout) leaving room for
    the suptitle (top_in inches) and the legend; with grow, the figure is
    made taller by the legend's height (a legend of many rows then leaves
    the panels their size), and in any case tall enough that each row of
    panels keeps min_row_in inches (title, axes and x labels) and each axes
    min_axes_in inches and its y label's height, so that a single panel is
    not squashed by its legend.  Returns the legend."""
    import textwrap
    handles, labels = [], []
    for ax in axes:
        if ax.get_legend():
            ax.get_legend().remove()
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels and not l.startswith("_"):
                handles.append(h)
                labels.append(l)
    for h, l in zip(*extra) if extra else []:
        if l not in labels:
            handles.append(h)
            labels.append(l)
    w, hgt = fig.get_size_inches()
    lg, leg_in = None, 0.0
    if labels:
        longest = max(len(l) for l in labels)
        nc = ncol or max(1, min(len(labels), int(w / (0.4 + 0.065 * longest))))
        renderer = fig.canvas.get_renderer()
        avail = 0.98 * w * fig.dpi

        def make(nc, texts):
            return fig.legend(handles, texts, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                              ncol=nc, frameon=False, title=title, fontsize=8)

        texts = list(labels)
        lg = make(nc, texts)
        while lg.get_window_extent(renderer).width > avail and nc > 1:
            lg.remove()
            nc -= 1
            lg = make(nc, texts)
        width = lg.get_window_extent(renderer).width
        if width > avail:  # one column, still too wide: wrap the long labels
            chars = max(20, int(longest * avail / width) - 2)
            texts = [textwrap.fill(l, chars, subsequent_indent="  ") for l in labels]
            lg.remove()
            lg = make(1, texts)
        lg._dsaga_labels = list(labels)  # the labels unwrapped (save_figure)
        leg_in = lg.get_window_extent(renderer).height / fig.dpi + 0.1
    if grow:
        hgt += leg_in
    try:
        nrows = axes[0].get_subplotspec().get_gridspec().nrows if axes else 1
    except AttributeError:
        nrows = 1
    hgt = max(hgt, top_in + leg_in + nrows * min_row_in)
    fig.set_size_inches(w, hgt)
    fig.tight_layout(rect=(0, leg_in / hgt, 1, 1 - top_in / hgt))
    # each axes at least min_axes_in tall, and no shorter than its y label
    # (a single panel above a legend of many rows is not squashed): the
    # figure grows by what the shortest row lacks, times the rows
    if axes:
        renderer = fig.canvas.get_renderer()
        for _ in range(2):
            short = 0.0
            for ax in axes:
                spec = getattr(ax, "get_subplotspec", lambda: None)()
                if spec is None:  # an inset (a strip): not a panel
                    continue
                ah = ax.get_window_extent(renderer).height / fig.dpi
                yl = (ax.yaxis.label.get_window_extent(renderer).height / fig.dpi
                      if ax.yaxis.label.get_text() else 0.0)
                short = max(short, max(min_axes_in, yl + 0.15) - ah)
            if short <= 0.01:
                break
            hgt += short * nrows
            fig.set_size_inches(w, hgt)
            fig.tight_layout(rect=(0, leg_in / hgt, 1, 1 - top_in / hgt))
    return lg
