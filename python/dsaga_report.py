#!/usr/bin/python3
"""dsaga_report.py - one self-contained HTML page for a results file (SPEC 6:
`bin/dsaga-bench report RESULTS.h5 [--out DIR]` runs this script).

usage: dsaga_report.py RESULTS.h5 [--out DIR]

Writes DIR/<name>.html (DIR defaults to the results file's directory, so
results/default.h5 gives results/default.html) and prints its path.  The
page holds: the provenance (commit, suite version, creation time, host, CPU,
cores, MPI library, compiler, BLAS, the config text); every paper figure the
file supports, as inline base64 PNG with its caption, and one line for each
figure it does not support; the figure-6 table; the run list (one row per
run: its configuration columns where they differ between runs: lambda, K,
period, the methods' own keys from /algorithms/<name> `keys`, the network
and straggler keys; the values all runs share on one line above), filterable
by method and data set (a few lines of vanilla JavaScript; the filter can also
be set in the URL: page.html#algorithm=dsaga&dataset=a9a).  No file beside
it, no network access: it opens from a mail attachment.

When the page has loaded, its <body> carries data-images-total,
data-images-decoded (images whose naturalWidth > 0) and data-rows-visible,
so that a headless browser (tests/report/test_report.sh) can check that
every figure decoded and that the filter works.

Exit status: 0 written, 2 bad input (one line on stderr), 1 a failure.
Reads HDF5 only (dsaga_results and paper-figures); reruns nothing.
"""

import base64
import html
import io
import numbers
import os
import sys
import tempfile
import traceback
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "paper-figures"))

import dsaga_results as R  # noqa: E402

# The run list: the columns that name a run (always), the configuration
# columns that tell runs apart (shown only where their value varies among
# the file's runs; the method keys of /algorithms/<name> `keys` and the
# network keys come after CONFIG_COLUMNS), and the outcome (always, where
# the file has it).  A configuration value that every run shares is listed
# once above the table.
ID_COLUMNS = ["file", "run", "algorithm", "dataset"]
CONFIG_COLUMNS = ["loss", "lambda", "bias", "nodes", "period_text", "aggregate", "partition",
                  "batch", "step_scale", "step_rule"]
NETWORK_PREFIXES = ("net_", "straggler_", "compute_")
RESULT_COLUMNS = ["seed", "status", "rate_per_epoch", "tail_rate_per_epoch", "checkpoints",
                  "final_epoch", "final_subopt", "final_rounds", "final_bytes", "final_wall_s",
                  "final_model_s"]
# counts, written with thousands separators
COUNT_COLUMNS = ("checkpoints", "final_rounds", "final_bytes", "n_samples", "n_features")
PROVENANCE = ["git_commit", "suite_version", "created", "host", "cpu_model", "cores",
              "mpi_library", "compiler", "blas"]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
 max-width:1200px;padding:1em 2em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
 margin-top:1.6em} nav a{margin-right:1em}
table{border-collapse:collapse;font-size:.82em} th,td{border:1px solid #ddd;padding:2px 6px}
th{background:#f4f4f4;position:sticky;top:0} td.num{text-align:right;
 font-variant-numeric:tabular-nums} tr.diverged td{background:#fff3f0}
 tr.failed td{background:#fde}
figure{margin:1.2em 0} figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444;max-width:70em} pre{background:#f7f7f7;padding:.6em;
 overflow:auto;font-size:.8em;max-height:30em} .skip{color:#777}
dl.prov{display:grid;grid-template-columns:max-content auto;gap:2px 1em;font-size:.9em}
dl.prov dt{font-weight:600} dl.prov dd{margin:0;word-break:break-all}
#filters select{margin-right:1em} .runs{max-height:40em;overflow:auto}
"""

JS = """
(function(){
  var rows=[].slice.call(document.querySelectorAll('#runs tbody tr'));
  var alg=document.getElementById('f-algorithm'), ds=document.getElementById('f-dataset');
  var shown=document.getElementById('shown');
  function apply(){
    var n=0;
    rows.forEach(function(r){
      var ok=(!alg.value||r.dataset.algorithm===alg.value)&&(!ds.value||r.dataset.dataset===ds.value);
      r.style.display=ok?'':'none'; if(ok) n++;
    });
    shown.textContent=n; document.body.dataset.rowsVisible=n;
  }
  function fromHash(){
    location.hash.replace(/^#/,'').split('&').forEach(function(kv){
      var i=kv.indexOf('='); if(i<0) return;
      var k=kv.slice(0,i), v=decodeURIComponent(kv.slice(i+1));
      if(k==='algorithm') alg.value=v; if(k==='dataset') ds.value=v;
    });
  }
  alg.addEventListener('change',apply); ds.addEventListener('change',apply);
  window.addEventListener('hashchange',function(){fromHash();apply();});
  fromHash(); apply();
  function count(){
    var imgs=[].slice.call(document.images);
    document.body.dataset.imagesTotal=imgs.length;
    document.body.dataset.imagesDecoded=imgs.filter(function(i){
      return i.complete&&i.naturalWidth>0;}).length;
  }
  if(document.readyState==='complete') count(); else window.addEventListener('load',count);
})();
"""


def esc(v):
    return html.escape("" if v is None else str(v), quote=True)


def missing(v):
    """None, NaN or pandas' <NA> (an attribute the run lacks)."""
    if v is None:
        return True
    try:
        return bool(v != v)
    except TypeError:  # pd.NA: its comparisons are NA
        return True


def fmt(v, count=False):
    """A cell: empty when missing; an integer (int, or a float holding an
    integer: rounds, epochs) as an integer, with thousands separators for a
    count; other floats to 4 significant digits."""
    if missing(v):
        return ""
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return "{:,}".format(int(v)) if count else "%d" % int(v)
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        v = float(v)
        if v.is_integer() and abs(v) < 1e15:
            return "{:,}".format(int(v)) if count else "%d" % int(v)
        return "%.4g" % v
    return str(v)


def run_columns(df, algorithms):
    """(columns of the run list, {column: value} shared by every run).
    Configuration columns (CONFIG_COLUMNS, then every method key that the
    file's /algorithms/<name> `keys` list for the methods it ran, then the
    network keys net_*, straggler_*, compute_* when any run has them) are
    shown only where their value differs between runs."""
    keys = list(CONFIG_COLUMNS)
    for alg in dict.fromkeys(df["algorithm"]):
        for k in (algorithms.get(alg) or {}).get("keys", []):
            k = "period_text" if k == "period" and "period_text" in df.columns else k
            if k not in keys:
                keys.append(k)
    keys += sorted(c for c in df.columns if c.startswith(NETWORK_PREFIXES)
                   and c not in keys and df[c].notna().any())
    shown, same = [], {}
    for k in keys:
        if k not in df.columns:
            continue
        col = df[k].astype(object).where(df[k].notna(), None)
        vals = set(col)
        if len(vals) > 1:
            shown.append(k)
        elif vals != {None}:
            same[k] = next(iter(vals))
    cols = [c for c in ID_COLUMNS if c in df.columns] + shown
    cols += [c for c in RESULT_COLUMNS if c in df.columns and df[c].notna().any()]
    return cols, same


def figures(results, work):
    """Runs every paper figure into work; returns [(stem, png or None,
    title, caption or skip reason)] and the fig-6 table rows."""
    import importlib
    import make_all
    import common as C
    out, table = [], None
    with redirect_stdout(io.StringIO()):
        runs = C.load_runs(results)
    for name in make_all.FIGURES:
        mod = importlib.import_module(name)
        try:
            with redirect_stdout(io.StringIO()):
                paths = mod.make(runs, work)
        except C.MissingRuns as e:
            out.append((name, None, name, "skipped: %s" % e))
            continue
        except Exception:  # one figure's error must not lose the page
            out.append((name, None, name, "failed: %s" % traceback.format_exc(limit=2)))
            continue
        txt = [p for p in paths if p.endswith(".txt")]
        title, caption = name, ""
        if txt:
            with open(txt[0], encoding="utf-8") as f:
                title, _, caption = f.read().partition("\n\n")
        png = [p for p in paths if p.endswith(".png")]
        if name == "fig6_table":
            rows = mod.rows(runs)
            table = (rows, mod.header_cols(rows), title.strip(), caption.strip())
            continue
        out.append((name, png[0] if png else None, title.strip(), caption.strip()))
    return out, table


def table_html(table):
    rows, cols, title, caption = table
    h = ["<table><thead><tr><th>dataset</th><th>method</th><th>seeds</th>"]
    h += ["<th>%s (&times; %s)</th>" % (esc(c), esc(ref)) if ref else "<th>%s</th>" % esc(c)
          for c, ref in cols]
    h.append("</tr></thead><tbody>")
    for ds, label, n_seeds, entries, _ in rows:
        cells = "".join('<td class="num">%s%s</td>' % (
            esc(t), (" (%.2g&times;)" % r) if r == r else "") for t, r in entries)
        h.append("<tr><td>%s</td><td>%s</td><td class=\"num\">%d</td>%s</tr>"
                 % (esc(ds), esc(label), n_seeds, cells))
    h.append("</tbody></table><p><small>%s</small></p>" % esc(caption))
    return "\n".join(h)


def runs_html(df, short, algorithms=None):
    cols, same = run_columns(df, algorithms or {})
    h = ['<div id="filters">method <select id="f-algorithm"><option value="">all</option>']
    for a in dict.fromkeys(df["algorithm"]):
        h.append('<option value="%s">%s</option>' % (esc(a), esc(a)))
    h.append('</select> data set <select id="f-dataset"><option value="">all</option>')
    for d in dict.fromkeys(df["dataset"]):
        h.append('<option value="%s">%s</option>' % (esc(d), esc(short(d))))
    h.append('</select> <span id="shown">%d</span> of %d runs shown</div>' % (len(df), len(df)))
    if same:
        h.append("<p><small>The same in every run: %s. Columns: the configuration keys "
                 "whose value differs between runs (the methods' own keys and the network "
                 "keys included).</small></p>" % esc(", ".join(
                     "%s = %s" % (k, short(v) if k == "dataset" else fmt(v))
                     for k, v in same.items())))
    h.append('<div class="runs"><table id="runs"><thead><tr>%s</tr></thead><tbody>'
             % "".join("<th>%s</th>" % esc(c) for c in cols))
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c == "dataset":
                cells.append('<td title="%s">%s</td>' % (esc(v), esc(short(v))))
            elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                cells.append('<td class="num">%s</td>' % esc(fmt(v, c in COUNT_COLUMNS)))
            else:
                cells.append("<td>%s</td>" % esc(fmt(v)))
        h.append('<tr class="%s" data-algorithm="%s" data-dataset="%s">%s</tr>' % (
            esc(r.get("status", "")), esc(r["algorithm"]), esc(r["dataset"]), "".join(cells)))
    h.append("</tbody></table></div>")
    return "\n".join(h)


def page(results):
    import common as C
    info = R.file_info(results)
    df = R.runs(results)
    name = os.path.splitext(os.path.basename(results))[0]
    with tempfile.TemporaryDirectory() as work:
        figs, table = figures(results, work)
        imgs = {}
        for stem, png, _, _ in figs:
            if png:
                with open(png, "rb") as f:
                    imgs[stem] = base64.b64encode(f.read()).decode("ascii")
    counts = df["status"].value_counts().to_dict() if len(df) else {}
    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         "<title>dsaga-bench report: %s</title>" % esc(name),
         "<style>%s</style></head><body>" % CSS,
         "<h1>dsaga-bench report: %s</h1>" % esc(name),
         "<p>%s: %d runs (%s), %d data set(s), %d method(s). Commit %s, created %s.</p>" % (
             esc(os.path.abspath(results)), len(df),
             esc(", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))),
             df["dataset"].nunique() if len(df) else 0,
             df["algorithm"].nunique() if len(df) else 0,
             esc(info.get("git_commit", "?")), esc(info.get("created", "?"))),
         '<nav><a href="#figures">Figures</a><a href="#table">Table</a>'
         '<a href="#runs-list">Runs</a><a href="#provenance">Provenance</a></nav>',
         '<h2 id="figures">Figures</h2>']
    for stem, png, title, caption in figs:
        if stem in imgs:
            h.append('<figure id="%s"><img alt="%s" src="data:image/png;base64,%s">'
                     "<figcaption><b>%s.</b> %s</figcaption></figure>"
                     % (esc(stem), esc(title), imgs[stem], esc(title), esc(caption)))
        else:
            h.append('<p class="skip"><b>%s</b>: %s</p>' % (esc(stem), esc(caption)))
    h.append('<h2 id="table">Time to reach 1e-4 and 1e-8 (figure 6)</h2>')
    h.append(table_html(table) if table else '<p class="skip">No runs to tabulate.</p>')
    h.append('<h2 id="runs-list">Runs</h2>')
    h.append(runs_html(df, C.ds_name, R.algorithms(results)) if len(df) else "<p>No runs.</p>")
    h.append('<h2 id="provenance">Provenance</h2><dl class="prov">')
    for k in PROVENANCE:
        h.append("<dt>%s</dt><dd>%s</dd>" % (esc(k), esc(info.get(k, "unknown"))))
    h.append("</dl><h3>Config</h3><pre>%s</pre>" % esc(info.get("config", "")))
    h.append("<p><small>Written by python/dsaga_report.py from the HDF5 file only. "
             "Data set labels: %s</small></p>" % esc(C.datasets_note(set(df.get(
                 "dataset", []))) or "as named"))
    h.append("<script>%s</script></body></html>" % JS)
    return name, "\n".join(h)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="dsaga-bench report",
                                 description="One self-contained HTML page for a results file.")
    ap.add_argument("results", metavar="RESULTS.h5")
    ap.add_argument("--out", metavar="DIR", help="directory of the page (default: the "
                    "results file's directory)")
    a = ap.parse_args(argv)

    def refuse(text):
        sys.stderr.write("dsaga-bench: %s\n" % " ".join(text.split()))
        return 2

    # `dsaga-bench report` (cli/cmd_report.c) has refused what is not a
    # results file and a --out that is not a directory
    out = a.out or os.path.dirname(os.path.abspath(a.results))
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        return refuse("--out %s: cannot make the directory (%s)" % (out, e.strerror or e))
    try:
        name, text = page(a.results)
    except OSError as e:
        return refuse("report: %s: cannot read it as results (%s)" % (a.results, e))
    path = os.path.join(out, name + ".html")
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        return refuse("--out %s: cannot write %s (%s)" % (out, path, e.strerror or e))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
