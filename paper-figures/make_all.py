#!/usr/bin/python3
"""make_all.py - every paper figure from results/*.h5 (SPEC 6).

usage: make_all.py RESULTS_DIR|FILE.h5 OUT_DIR

Loads the results once and runs each figure script's make().  A figure whose
runs are missing prints one line "figN_...: skipped: <why>" and the others are
still made.  Exit status: 0 when every figure whose runs exist was made; 1
when a figure failed with an error (traceback printed, the others still
made); 2 on bad usage, a missing RESULTS_DIR, or no readable run at all.
Never reruns anything: it reads HDF5 only.
"""

import importlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common as C  # noqa: E402

FIGURES = ["fig1_convergence_epochs", "fig2_convergence_comm", "fig3_period", "fig4_nodes",
           "fig5_split", "fig6_table", "fig7_step", "fig8_network", "fig9_regime",
           "fig10_stragglers"]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_all.py RESULTS_DIR|FILE.h5 OUT_DIR\n")
        return 2
    results, out_dir = argv
    try:
        runs = C.load_runs(results)
    except FileNotFoundError as e:
        sys.stderr.write("make_all.py: %s\n" % e)
        return 2
    if not runs:
        sys.stderr.write("make_all.py: no runs in %s (expected results/*.h5 written by "
                         "`dsaga-bench grid`)\n" % results)
        return 2
    made, skipped, failed = [], [], []
    for name in FIGURES:
        try:
            mod = importlib.import_module(name)
            paths = mod.make(runs, out_dir)
            made.append(name)
            print("%s: made %s" % (name, ", ".join(os.path.basename(p) for p in paths)))
        except C.MissingRuns as e:
            skipped.append(name)
            print("%s: skipped: %s" % (name, e))
        except Exception:  # a real error: report it, make the other figures
            failed.append(name)
            sys.stderr.write("%s: FAILED\n" % name)
            traceback.print_exc()
        sys.stdout.flush()
    print("make_all.py: %d made, %d skipped (runs missing), %d failed; output in %s"
          % (len(made), len(skipped), len(failed), out_dir))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
