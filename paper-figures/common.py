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

try:
    import h5py
except ImportError:  # pragma: no cover - Debian's python3-h5py is a dependency
    sys.stderr.write("paper-figures: h5py is missing (apt install python3-h5py); "
                     "run with /usr/bin/python3\n")
    raise

# ---------------------------------------------------------------------------
# styles: one colour and one marker per algorithm, in every figure (STYLE 9)
# ---------------------------------------------------------------------------

ALGORITHMS = ["saga", "dsaga", "sgd", "local-sgd", "gd"]
COLORS = {
    "saga": "#000000",       # black: the centralized reference
    "dsaga": "#d62728",      # red
    "sgd": "#1f77b4",        # blue
    "local-sgd": "#2ca02c",  # green
    "gd": "#9467bd",         # purple
}
MARKERS = {"saga": "o", "dsaga": "s", "sgd": "^", "local-sgd": "v", "gd": "D"}
OTHER_COLOR = "#7f7f7f"
OTHER_MARKER = "P"
LINESTYLES = ["-", "--", ":", "-."]

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


def color(alg):
    return COLORS.get(alg, OTHER_COLOR)


def marker(alg):
    return MARKERS.get(alg, OTHER_MARKER)


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


def plain_log_ticks(axis, span=10.0):
    """Plain numbers ('0.3', '1') on a log axis spanning few decades; with a
    span (hi/lo) under 10 every minor tick is labelled, else 2, 3, 5."""
    from matplotlib.ticker import FuncFormatter
    f = FuncFormatter(lambda v, _: "%g" % v)
    axis.set_major_formatter(f)
    def minor(v, _):
        if not v > 0:
            return ""
        lead = int(round(v / 10 ** math.floor(math.log10(v) + 1e-9)))
        return ("%g" % v) if lead in (2, 3, 5) or span < 10 else ""
    axis.set_minor_formatter(FuncFormatter(minor))


class MissingRuns(Exception):
    """The runs a figure needs are not in the results (one-line reason)."""


# ---------------------------------------------------------------------------
# loading (SPEC 5)
# ---------------------------------------------------------------------------

SERIES = ["epoch", "rounds", "bytes", "wall_s", "comm_s", "objective", "subopt", "grad_norm"]
NUMERIC_ATTRS = ["step_requested", "lambda", "bias", "nodes", "period", "batch", "step_scale", "step_size",
                 "seed", "eval_every", "max_epochs", "tol", "fstar", "rate_per_epoch",
                 "n_samples", "n_features"]


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
    if isinstance(v, (str, bytes, np.bytes_)):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind in "SOU"


def _read_file(path, warn):
    runs = []
    with h5py.File(path, "r") as f:
        info = {k: to_str(v) for k, v in f.attrs.items()}
        info["file"] = os.path.basename(path)
        grp = f.get("runs")
        if grp is None:
            return runs
        for name in sorted(grp.keys()):
            g = grp[name]
            if not isinstance(g, h5py.Group):
                continue
            attrs = {}
            for k, v in g.attrs.items():
                if k == "period" and _is_text(v):
                    attrs[k] = to_str(v)  # "0.5n" (CLI spelling), parsed below
                elif k in NUMERIC_ATTRS or k.startswith(("net_", "straggler_", "compute_")):
                    attrs[k] = to_num(v)
                elif _is_text(v):
                    attrs[k] = to_str(v)
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
            series = {}
            for k in SERIES + ["model_s"]:
                if k in g:
                    series[k] = np.asarray(g[k][()], dtype=float).reshape(-1)
            missing = [k for k in ("epoch", "subopt") if k not in series]
            if missing and attrs["status"] != "failed":
                warn("%s: /runs/%s lacks %s; skipped" % (path, name, ", ".join(missing)))
                continue
            n = len(series.get("epoch", []))
            for k in SERIES:
                series.setdefault(k, np.full(n, np.nan))
            runs.append(Run(path, name, attrs, series, info))
    return runs


def load_runs(results, warn=None):
    """All runs of RESULTS (a directory of *.h5, or one .h5 file).

    Unreadable files are reported through warn and skipped."""
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
    """Everything that defines a configuration except the seed."""
    return tuple((k, _norm(run.get(k))) for k in CONFIG_ATTRS if k not in ignore)


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


def median_curve(runs, xkey, ykey="subopt", relative=False):
    """Median over seeds of log10(y) on the x grid of the longest run, with
    its band (band()).  A run contributes up to its last checkpoint; the
    curve stops where fewer than half of the seeds still have data.
    Returns x, median, lo, hi (y values, not logs)."""
    longest = max(runs, key=lambda r: len(r.s[xkey]))
    x = np.asarray(longest.s[xkey], float)
    cols = []
    for r in runs:
        rx = np.asarray(r.s[xkey], float)
        ry = r.rel_subopt() if relative else np.asarray(r.s[ykey], float)
        ok = np.isfinite(rx)
        rx, ry = rx[ok], ry[ok]
        ly = np.log10(np.clip(np.where(np.isfinite(ry), ry, np.nan), SUBOPT_FLOOR, None))
        col = np.full(len(x), np.nan)
        if len(rx) >= 1:
            inside = (x >= rx[0]) & (x <= rx[-1])
            if len(rx) == 1:
                col[inside] = ly[0]
            else:
                order = np.argsort(rx, kind="stable")
                col[inside] = np.interp(x[inside], rx[order], ly[order])
        cols.append(col)
    m = np.vstack(cols)
    have = np.isfinite(m).sum(axis=0)
    keep = have * 2 >= len(runs)
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


def method_label(run, with_k=True, with_period=True, with_agg=True, extra=()):
    """'dsaga K=4 τ=100 mean' style legend label (names K, period and
    aggregation where they apply)."""
    alg = run.algorithm
    parts = [alg]
    if with_k and alg != "saga":
        parts.append("K=%s" % fmt_num(run.get("nodes")))
    if with_period and alg in ("dsaga", "local-sgd"):
        parts.append(period_label(run))
    if with_agg and alg == "dsaga":
        parts.append(run.get("aggregate", "?"))
    if alg in ("sgd", "local-sgd") and "batch" in extra:
        parts.append("b=%s" % fmt_num(run.get("batch")))
    if "step_scale" in extra and run.get("step_scale", 1.0) != 1.0:
        parts.append("step\u00d7%s" % fmt_num(run.get("step_scale")))
    if "partition" in extra:
        parts.append(run.get("partition", "?"))
    return " ".join(parts)


def sort_key(run):
    a = run.algorithm
    return (ALGORITHMS.index(a) if a in ALGORITHMS else len(ALGORITHMS), a,
            run.get("nodes", 0), run.get("aggregate", ""), run.tau_fraction
            if a in ("dsaga", "local-sgd") else 0.0, run.get("step_scale", 1.0))


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
    plt.close(fig)
    write_caption(txt, title, full)
    return [png, pdf, txt]


def write_caption(path, title, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(title + "\n\n" + text + "\n")


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


def convergence_selection(runs, per_alg=4):
    """{dataset: [seed groups]} for the method comparison (figures 1, 2, 6).

    Per dataset, the results file holding the most distinct algorithms is
    taken as the comparison grid (period or step sweeps live in other
    files), or every file when none holds two algorithms; within it at most per_alg configurations per algorithm are
    drawn, preferring aggregate=mean and spreading over the periods."""
    out = {}
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
        groups = list(group_seeds(pick).values())
        chosen = []
        for alg in sorted({g[0].algorithm for g in groups},
                          key=lambda a: sort_key_alg(a)):
            gs = [g for g in groups if g[0].algorithm == alg]
            if len(gs) > per_alg:
                mean = [g for g in gs if g[0].get("aggregate") != "sum"]
                gs = mean if mean else gs
            if len(gs) > per_alg:
                gs.sort(key=lambda g: (g[0].get("nodes", 0), g[0].tau_fraction))
                idx = np.unique(np.round(np.linspace(0, len(gs) - 1, per_alg)).astype(int))
                gs = [gs[i] for i in idx]
            chosen.extend(sorted(gs, key=lambda g: sort_key(g[0])))
        out[ds] = chosen
    return out


def sort_key_alg(alg):
    return (ALGORITHMS.index(alg) if alg in ALGORITHMS else len(ALGORITHMS), alg)


def draw_groups(ax, groups, xkey, ykey="subopt", label_extra=(), style=None):
    """One median curve (with band) per seed group against xkey; variants of
    one algorithm get shades and line styles of its colour.  Diverged runs
    end in an 'x'.  Points with x <= 0 are dropped on a log x axis.
    Returns the number of curves drawn."""
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
            label = method_label(r0, extra=label_extra)
            if n_div:
                label += " (diverged %d/%d)" % (n_div, len(g)) if len(g) > 1 else " (diverged)"
            ax.plot(x, med, color=c, ls=ls, marker=marker(alg),
                    markevery=max(1, len(x) // 8), label=label)
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
            "min..max, or the 5-95 %% quantiles with 20 seeds or more." %
            ("%d" % big if len(n) == 1 else "%d-%d" % (n[0], big)))


# ---------------------------------------------------------------------------
# rates (figures 3, 4, 7) and thresholds (figures 6, 8)
# ---------------------------------------------------------------------------

RATE_YLABEL = "decades gained per epoch (\u2212rate_per_epoch)"


def rate_point(group):
    """Summary of one seed group's rate: (status, median, lo, hi) with
    status 'ok' (median of -rate_per_epoch over the seeds that have one),
    'diverged' (half of the seeds or more diverged) or 'norate' (no seed
    has a linear rate: too few checkpoints between 1e-2 and 1e-9, or no
    progress)."""
    g = [r for r in group if r.get("status") != "failed"]
    if not g:
        return "failed", float("nan"), float("nan"), float("nan")
    n_div = sum(r.get("status") == "diverged" for r in g)
    if n_div * 2 >= len(g):
        return "diverged", float("nan"), float("nan"), float("nan")
    vals = [-r.rate for r in g if r.get("status") != "diverged"
            and r.rate is not None and np.isfinite(r.rate) and r.rate < 0]
    if not vals:
        return "norate", float("nan"), float("nan"), float("nan")
    med, lo, hi = band(vals)
    return "ok", med, lo, hi


def draw_rate_curve(ax, xs, groups, c, mk, ls, label, edge_y=0.04):
    """-rate against x for seed groups at each x: the 'ok' points as a line
    with a min..max band; diverged points as an 'x' and runs without a rate
    as an open marker, both on the bottom edge of the axes (drawn, not
    dropped; edge_y, in axes fraction, staggers curves).  Returns the
    statuses seen."""
    pts = [(x,) + rate_point(g) for x, g in sorted(zip(xs, groups), key=lambda t: t[0])]
    ok = [(p[0], p[2], p[3], p[4]) for p in pts if p[1] == "ok"]
    if ok:
        x, m, lo, hi = map(np.array, zip(*ok))
        ax.plot(x, m, color=c, marker=mk, ls=ls, label=label)
        if any(len(g) > 1 for g in groups):
            ax.fill_between(x, lo, hi, color=c, alpha=0.18, lw=0)
    else:
        ax.plot([], [], color=c, marker=mk, ls=ls, label=label)
    edge = ax.get_xaxis_transform()  # x in data, y in axes fraction
    div = [p[0] for p in pts if p[1] == "diverged"]
    nor = [p[0] for p in pts if p[1] == "norate"]
    if div:
        ax.plot(div, [edge_y] * len(div), transform=edge, marker="x", ms=8, mew=2, color=c,
                ls="none", clip_on=False)
    if nor:
        ax.plot(nor, [edge_y] * len(nor), transform=edge, marker=mk, mfc="none", color=c,
                ls="none", clip_on=False)
    return {p[1] for p in pts}


def edge_legend(ax, statuses):
    """Legend entries for the bottom-edge markers."""
    from matplotlib.lines import Line2D
    h, l = ax.get_legend_handles_labels()
    if "diverged" in statuses:
        h.append(Line2D([], [], marker="x", ms=8, mew=2, color="k", ls="none"))
        l.append("diverged (on the bottom edge)")
    if "norate" in statuses:
        h.append(Line2D([], [], marker="o", mfc="none", color="k", ls="none"))
        l.append("no linear rate (bottom edge)")
    ax.legend(h, l, loc="best")
    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log" and hi / lo < 1e3:
        plain_log_ticks(ax.yaxis, hi / lo)


def saga_reference(ax, runs, dataset):
    """saga's median rate on dataset as a horizontal line (band: seeds);
    returns the saga runs used."""
    saga = [r for r in plain(runs) if r.algorithm == "saga" and r.dataset == dataset]
    if not saga:
        return []
    g = list(group_seeds(saga).values())
    g = max(g, key=len)
    st, m, lo, hi = rate_point(g)
    if st != "ok":
        return []
    ax.axhline(m, color=color("saga"), ls="--", lw=1.2, label="saga (reference)")
    if len(g) > 1:
        ax.axhspan(lo, hi, color=color("saga"), alpha=0.08, lw=0)
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


def ds_name(ds, width=42):
    """A dataset as a title: a path's file name without .xz/.bz2, long
    synthetic specs wrapped at commas."""
    import textwrap
    if "/" in ds:
        ds = os.path.basename(ds)
        for ext in (".xz", ".bz2", ".gz"):
            if ds.endswith(ext):
                ds = ds[: -len(ext)]
    if len(ds) <= width:
        return ds
    return "\n".join(textwrap.wrap(ds.replace(",", ", "), width)).replace(", ", ",")
