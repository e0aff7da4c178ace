#!/bin/bash
# test_plugin.sh - issue 15: a method defined only in a test file
# (tests/plugin/toy_method.c, keys momentum and sweeps that no other method
# has), linked after the registry into build/tests/dsaga-bench-plugin, runs
# through `run`, a grid (crossed over its own keys only), HDF5 (its keys
# stored, no others) and a figure (its colour and keys from /algorithms),
# with no other file of the suite knowing it.
. "$(dirname "$0")/lib.sh"
: "${PLUGIN_EXE:?PLUGIN_EXE must point at build/tests/dsaga-bench-plugin}"
EXE=$PLUGIN_EXE
S=synth-dense:n=400,d=12,cond=10,seed=3

# run --help lists its keys with defaults
mpirun_np 1 run --algorithm toy-hb --help >"$TMP/help" || fail "run --help"
grep -q -- '--momentum .*default 0.5' "$TMP/help" || { cat "$TMP/help"; fail "momentum not listed"; }
grep -q -- '--sweeps .*default 2' "$TMP/help" || fail "sweeps not listed"

# run: its keys accepted and stored; another method's key refused
run_h5 2 "$TMP/run.h5" --algorithm toy-hb --dataset "$S" --momentum 0.8 --sweeps 3 \
    --max-epochs 30 --lambda 0.05 --tol 0
if mpirun_np 1 run --algorithm toy-hb --dataset "$S" --period 3 2>"$TMP/err"; then
    fail "--period accepted for toy-hb"
fi
grep -q -- '--period: not a key of toy-hb (its keys: --momentum, --sweeps' "$TMP/err" ||
    { cat "$TMP/err"; fail "wrong message for a key toy-hb does not declare"; }
py '
import sys, h5py
f = h5py.File(sys.argv[1], "r")
r = f["runs/000000"].attrs
assert r["algorithm"] == "toy-hb" and r["momentum"] == 0.8 and r["sweeps"] == 3, dict(r)
for k in ("period", "aggregate", "batch"):
    assert k not in r, "toy-hb run stores " + k
a = f["algorithms/toy-hb"].attrs
assert a["keys"] == "momentum,sweeps" and a["legend_keys"] == "momentum,sweeps", dict(a)
assert a["color"] == "#bcbd22"
sub = f["runs/000000/subopt"][:]
assert sub[-1] < 1e-3 * sub[0], "toy-hb did not converge: %s of %s" % (sub[-1], sub[0])
print("run: stored", {k: r[k] for k in ("momentum", "sweeps", "status")})
' "$TMP/run.h5" || fail "toy-hb run attrs"

# a grid: [grid] period applies to dsaga only; toy-hb crossed over its keys
cat >"$TMP/plug.ini" <<INI
[grid]
datasets   = $S
algorithms = dsaga toy-hb
nodes      = 2
period     = 10 0.5n
max_epochs = 4
[toy-hb]
momentum   = 0 0.9
sweeps     = 1 2 3
INI
(cd "$TMP" && mpirun_np 2 grid plug.ini --dry-run) >"$TMP/dry" 2>"$TMP/err" ||
    { cat "$TMP/err"; fail "--dry-run"; }
cells=$(grep -vc '^#' "$TMP/dry")
[ "$cells" = 8 ] || { cat "$TMP/dry"; fail "$cells cells, expected 2 (dsaga) + 2 x 3 (toy-hb)"; }
grep -Eq '^000007 +toy-hb .*momentum=0\.9 sweeps=3 ' "$TMP/dry" || { cat "$TMP/dry"; fail "last cell"; }
mkdir -p "$TMP/results" && (cd "$TMP" && mpirun_np 2 grid plug.ini --out "$TMP/results/plug.h5" --quiet) 2>"$TMP/err" ||
    { cat "$TMP/err"; fail "grid"; }

# a figure: fig 1 from this file alone, with toy-hb in its legend
"$PYTHON" "$(dirname "$0")/../../paper-figures/make_all.py" "$TMP/results" "$TMP/out" \
    >"$TMP/fig.log" 2>&1 || { cat "$TMP/fig.log"; fail "figures"; }
ls "$TMP"/out/fig1*.png >/dev/null 2>&1 || { cat "$TMP/fig.log"; fail "no fig 1"; }
grep -q 'toy-hb K=2 momentum=0.9 sweeps=3' "$TMP"/out/fig1*.txt ||
    { cat "$TMP"/out/fig1*.txt; fail "fig 1 does not name toy-hb by its keys"; }
echo "ok: toy-hb ran through run, a grid of $cells cells, HDF5 and fig 1"
