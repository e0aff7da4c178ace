#!/usr/bin/python3
"""damaged_h5.py SRC.h5 OUTDIR - damaged and foreign copies of a results
file for test_export.sh and test_report.sh (both refuse each): foreign.h5
(no /runs), empty.h5 (/runs, no run: valid), and copies of SRC whose run
000001 lacks epoch, subopt or status, has a series one value short, or
subopt as strings."""
import shutil
import sys

import h5py
import numpy as np

src, out = sys.argv[1], sys.argv[2]


def copy(name, edit):
    shutil.copy(src, "%s/%s.h5" % (out, name))
    with h5py.File("%s/%s.h5" % (out, name), "a") as f:
        edit(f["runs/000001"])


def shorter(g):
    v = g["rounds"][()]
    del g["rounds"]
    g["rounds"] = v[:-1]


def strings(g):
    v = g["subopt"][()]
    del g["subopt"]
    g["subopt"] = np.array([b"%g" % x for x in v])


with h5py.File(out + "/foreign.h5", "w") as f:
    f["x"] = np.arange(3.0)
with h5py.File(out + "/empty.h5", "w") as f:
    f.create_group("runs")
copy("noepoch", lambda g: g.__delitem__("epoch"))
copy("nosubopt", lambda g: g.__delitem__("subopt"))
copy("nostatus", lambda g: g.attrs.__delitem__("status"))
copy("short", shorter)
copy("strings", strings)
