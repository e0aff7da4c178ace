#!/bin/bash
# test_faults.sh - issue 9, reliability: the suite is pointed at data and
# configs it did not write, on clusters where ranks die; it must never
# crash, hang or lose a finished result.  One check per fault:
#   (a) one rank SIGKILLed in the middle of a grid: the launch ends (no
#       hang), every finished run is intact (h5dump reads the file, each
#       run has full traces equal to an uninterrupted grid's), and a restart
#       completes the grid with the same runs as the uninterrupted one;
#   (b) an unwritable results path (its "directory" is a regular file: we
#       may run as root, so chmod would not bite) is one clear stderr line
#       and no file; a full disk (a 64 KiB tmpfs, skipped where mount is not
#       allowed) is an error naming the file, not a crash, and leaves a
#       readable file and no temporary (PATH.tmp*, PATH.d/*.tmp*);
#   (c) a diverging configuration (dsaga, aggregate sum, K=4, period 0.1n,
#       large step) is recorded as `diverged` and the grid goes on;
#   (d) NaN or inf in a data file is refused at load with path:line;
#   (e) more ranks than rows (3 rows, --nodes 4) is a clear error.
. "$(dirname "$0")/lib.sh"

export DSAGA_CACHE="$TMP/cache" # f* cache private to this test
mkdir -p "$DSAGA_CACHE"

# crashed RC ERRFILE: true when the status or stderr says a process died of
# a signal or a sanitizer (rather than returning an error).
crashed() {
    [ "$1" -ge 128 ] || grep -Eq 'Segmentation|Signal:|signal [0-9]|ERROR: (Address|Leak)Sanitizer|runtime error:|core dumped' "$2"
}

# runs_of FILE.h5 : number of /runs/* (0 when the file is missing).
runs_of() {
    [ -e "$1" ] || { echo 0; return; }
    h5ls "$1/runs" 2>/dev/null | grep -c 'Group'
}

# temporaries FILE.h5 : the store's temporaries left beside FILE.h5
# (FILE.h5.tmp.PID.N) or in its run directory (FILE.h5.d/NNNNNN.h5.tmp.PID.N)
temporaries() {
    compgen -G "$1.tmp*"
    compgen -G "$1.d/*.tmp*"
    true
}

# check_intact FILE.h5 [REFERENCE.h5]: h5dump reads FILE; every run has a
# status and full, equal-length traces; with REFERENCE, each run's exact
# columns and attributes (but timings) equal the reference's same run.
check_intact() {
    h5dump -H "$1" >/dev/null 2>"$TMP/h5dump.err" || { cat "$TMP/h5dump.err" >&2; return 1; }
    py '
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
ref = h5py.File(sys.argv[2], "r") if len(sys.argv) > 2 else None
bad = [k for k in f if k not in ("runs", "algorithms")]
assert not bad, "stray objects at the root: %s" % bad
exact = ["epoch", "rounds", "bytes", "objective", "subopt", "grad_norm"]
for k in f["runs"]:
    g = f["runs"][k]
    assert g.attrs["status"] in ("done", "diverged", "failed"), (k, g.attrs["status"])
    n = {name: g[name].shape[0] for name in g}
    assert len(set(n.values())) == 1 and min(n.values()) > 0, "%s: trace lengths %s" % (k, n)
    if ref is not None:
        r = ref["runs"][k]
        for name in exact:
            assert np.array_equal(g[name][:], r[name][:], equal_nan=True), "%s/%s differs" % (k, name)
        for name in r.attrs:
            va, vb = g.attrs[name], r.attrs[name]
            x, y = np.asarray(va), np.asarray(vb)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), \
                "%s attr %s: %r vs %r" % (k, name, va, vb)
' "$@"
}

# ---- (a) a rank killed in the middle of a grid ------------------------------
# The runs take ~15 ms of compute each on a fast machine, less than one
# poll of the file: the network model sleeps a random delay (mean 5 ms) in
# every round for real, so that each run lasts ~0.1-0.2 s on any machine and
# the kill lands inside the grid.  compute_s is given (not calibrated), so
# the stored attributes of two grids are equal.
cat >"$TMP/a.ini" <<'INI'
[grid]
datasets   = synth-dense:n=3000,d=40,cond=50,seed=3
algorithms = dsaga local-sgd gd
nodes      = 2
seeds      = 1..4
max_epochs = 8
eval_every = 0.5
net_alpha_s       = 0
compute_s         = 1e-9
straggler_delay_s = 0.005
straggler_sleep   = 1
INI
start=$(date +%s%N)
setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/a.ini" --quiet --out "$TMP/A.h5" 2>"$TMP/A.err" ||
    { cat "$TMP/A.err" >&2; fail "(a) uninterrupted grid failed"; }
ms_a=$((($(date +%s%N) - start) / 1000000))
n_a=$(runs_of "$TMP/A.h5")
[ "$n_a" = 12 ] || fail "(a) A.h5 has $n_a runs (expected 12)"

setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/a.ini" --quiet --out "$TMP/B.h5" >/dev/null 2>"$TMP/B.err" &
pid=$!
# wait for 3 finished runs (a quarter of the grid), then kill one rank
for _ in $(seq 1 300); do
    [ "$(runs_of "$TMP/B.h5")" -ge 3 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
# Open MPI puts each rank in its own process group: find them as mpirun's
# children, and survivors by session (setsid made mpirun a session leader)
ranks=$(pgrep -P "$pid" -x dsaga-bench | sort -n)
victim=$(echo "$ranks" | tail -1)
[ -n "$victim" ] || fail "(a) no dsaga-bench rank found under mpirun $pid (grid too fast? ${ms_a} ms)"
kill -KILL "$victim"
before=$(runs_of "$TMP/B.h5")
# the launch must end by itself: mpirun notices the dead rank and aborts
waited=0
while kill -0 "$pid" 2>/dev/null && [ $waited -lt 300 ]; do
    sleep 0.1
    waited=$((waited + 1))
done
if kill -0 "$pid" 2>/dev/null; then
    pkill -KILL -s "$pid" 2>/dev/null
    fail "(a) the launch hung for 30 s after rank $victim was killed"
fi
rc=0
wait "$pid" || rc=$?
[ "$rc" != 0 ] || fail "(a) mpirun exited 0 although a rank was killed"
sleep 0.2
# (a killed rank may linger as a zombie of init: not a survivor)
if ps -o stat= -s "$pid" | grep -qv '^Z'; then
    ps -o pid,ppid,stat,etime,args -s "$pid" >&2
    pkill -KILL -s "$pid"
    fail "(a) ranks survived the abort"
fi
kept=$(runs_of "$TMP/B.h5")
[ "$kept" -ge "$before" ] && [ "$kept" -ge 3 ] && [ "$kept" -lt 12 ] ||
    fail "(a) $kept runs kept (>= $before finished before the kill, < 12 expected)"
check_intact "$TMP/B.h5" "$TMP/A.h5" || fail "(a) finished runs damaged after the kill"
ok a "rank $victim killed with $before runs written: launch ended in $((waited / 10)).$((waited % 10)) s (status $rc), $kept runs intact"
setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/a.ini" --quiet --out "$TMP/B.h5" 2>"$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(a) restart failed"; }
[ "$(runs_of "$TMP/B.h5")" = 12 ] || fail "(a) restart left $(runs_of "$TMP/B.h5") runs (expected 12)"
check_intact "$TMP/B.h5" "$TMP/A.h5" || fail "(a) restarted grid differs from the uninterrupted one"
left=$(temporaries "$TMP/B.h5")
[ -z "$left" ] || fail "(a) temporaries left after the restart finished: $left"
ok a "restart completed the grid: 12 runs identical to the uninterrupted grid"

# ---- (b) results that cannot be written -------------------------------------
S=synth-dense:n=200,d=5,cond=10,seed=1
printf '[grid]\ndatasets = %s\nalgorithms = gd saga\nmax_epochs = 2\n' "$S" >"$TMP/b.ini"
: >"$TMP/notadir"
for np in 0 2; do
    rc=0
    if [ $np = 0 ]; then
        "$EXE" grid "$TMP/b.ini" --quiet --out "$TMP/notadir/r.h5" >/dev/null 2>"$TMP/err" || rc=$?
    else
        mpirun_np 2 grid "$TMP/b.ini" --quiet --out "$TMP/notadir/r.h5" >/dev/null 2>"$TMP/err" || rc=$?
    fi
    crashed "$rc" "$TMP/err" && { cat "$TMP/err" >&2; fail "(b) crash on an unwritable --out (status $rc)"; }
    [ "$rc" != 0 ] || fail "(b) status 0 for an unwritable --out"
    lines=$(wc -l <"$TMP/err")
    [ "$lines" = 1 ] && grep -q "notadir" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "(b) unwritable --out (np $np): $lines stderr lines (expected one naming the path)"; }
    ok b "unwritable --out (np ${np/#0/singleton}), status $rc: $(cat "$TMP/err")"
done
rc=0
"$EXE" run --algorithm gd --dataset "$S" --max-epochs 1 --quiet --out "$TMP/notadir/r.h5" \
    >/dev/null 2>"$TMP/err" || rc=$?
crashed "$rc" "$TMP/err" && fail "(b) run --out: crash (status $rc)"
[ "$rc" != 0 ] && [ "$(wc -l <"$TMP/err")" = 1 ] ||
    { cat "$TMP/err" >&2; fail "(b) run --out unwritable: status $rc, $(wc -l <"$TMP/err") lines (expected one)"; }
ok b "run --out unwritable, status $rc: $(cat "$TMP/err")"

mkdir -p "$TMP/full"
if mount -t tmpfs -o size=64k tmpfs "$TMP/full" 2>/dev/null; then
    trap 'umount "$TMP/full" 2>/dev/null; rm -rf "$TMP"' EXIT
    printf '[grid]\ndatasets = synth-dense:n=300,d=5,cond=10,seed=1\nalgorithms = gd saga dsaga sgd local-sgd\nseeds = 1..3\nmax_epochs = 3\n' >"$TMP/full.ini"
    rc=0
    "$EXE" grid "$TMP/full.ini" --quiet --out "$TMP/full/r.h5" >/dev/null 2>"$TMP/err" || rc=$?
    crashed "$rc" "$TMP/err" && { head -8 "$TMP/err" >&2; fail "(b) full disk: crash (status $rc)"; }
    [ "$rc" != 0 ] || fail "(b) full disk: status 0 although the 15 runs cannot fit in 64 KiB"
    # the first run fits in 64 KiB: a finished run must never be lost
    [ -e "$TMP/full/r.h5" ] || fail "(b) full disk: r.h5 is gone (the first run fits)"
    check_intact "$TMP/full/r.h5" || fail "(b) full disk: r.h5 is not readable"
    [ "$(runs_of "$TMP/full/r.h5")" -ge 1 ] || fail "(b) full disk: no finished run kept"
    left=$(temporaries "$TMP/full/r.h5")
    [ -z "$left" ] || fail "(b) full disk: temporaries left behind: $left"
    head -1 "$TMP/err" | grep -q "$TMP/full/r.h5: .*No space left on device" ||
        { cat "$TMP/err" >&2; fail "(b) full disk: the first stderr line does not name r.h5 and ENOSPC"; }
    ok b "full disk (64 KiB tmpfs): status $rc, $(runs_of "$TMP/full/r.h5") runs kept readable: $(head -1 "$TMP/err")"
    umount "$TMP/full"
else
    partial "(b) full disk not run: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
fi

# ---- (c) a diverging configuration ------------------------------------------
cat >"$TMP/c.ini" <<'INI'
[grid]
datasets   = synth-dense:n=400,d=10,cond=100,seed=2
algorithms = dsaga gd
nodes      = 4
max_epochs = 4
[dsaga]
aggregate  = sum
period     = 0.1n
step_scale = 64
INI
mpirun_np 4 grid "$TMP/c.ini" --quiet --out "$TMP/C.h5" >/dev/null 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; fail "(c) the grid with a diverging cell failed"; }
statuses=$(py 'import sys, h5py
f = h5py.File(sys.argv[1], "r")
print(" ".join(f["runs"][k].attrs["status"] for k in sorted(f["runs"])))' "$TMP/C.h5")
[ "$statuses" = "diverged done" ] || fail "(c) statuses \"$statuses\" (expected \"diverged done\")"
check_intact "$TMP/C.h5" || fail "(c) C.h5 damaged"
ok c "dsaga sum K=4 period 0.1n step x64: statuses $statuses"

# ---- (d) NaN or inf in a data file ------------------------------------------
for bad in nan inf -inf NaN 1e999; do
    printf '+1 1:0.5 3:1\n-1 2:0.25\n+1 1:1 4:%s\n-1 3:2\n' "$bad" >"$TMP/bad.svm"
    for np in 0 2; do
        rc=0
        if [ $np = 0 ]; then
            "$EXE" run --algorithm saga --dataset "$TMP/bad.svm" --quiet >/dev/null 2>"$TMP/err" || rc=$?
        else
            mpirun_np 2 run --algorithm dsaga --dataset "$TMP/bad.svm" --quiet >/dev/null 2>"$TMP/err" || rc=$?
        fi
        [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^dsaga-bench: $TMP/bad.svm:3:" "$TMP/err" ||
            { cat "$TMP/err" >&2; fail "(d) value $bad (np $np): status $rc, expected 2 and one line naming bad.svm:3"; }
    done
done
printf '[grid]\ndatasets = %s\nalgorithms = gd\n' "$TMP/bad.svm" >"$TMP/d.ini"
rc=0
mpirun_np 2 grid "$TMP/d.ini" --quiet --out "$TMP/D.h5" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "$TMP/bad.svm:3:" "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "(d) grid with a NaN data set: status $rc"; }
[ ! -e "$TMP/D.h5" ] || fail "(d) a results file was written for a bad data set"
printf '+1 1:0.5\nnan 2:1\n' >"$TMP/badlabel.svm"
rc=0
"$EXE" info "$TMP/badlabel.svm" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "^dsaga-bench: $TMP/badlabel.svm:2:" "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "(d) NaN label: status $rc"; }
ok d "nan, inf, -inf, NaN, 1e999 values and a NaN label refused at load: $(cat "$TMP/err")"

# ---- (e) more ranks than rows -----------------------------------------------
printf '+1 1:1\n-1 2:1\n+1 1:1 2:1\n' >"$TMP/three.svm"
rc=0
mpirun_np 4 run --algorithm dsaga --dataset "$TMP/three.svm" --nodes 4 --quiet >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -Eq '^dsaga-bench: .*(4|nodes).*3' "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "(e) run: 3 rows on 4 nodes: status $rc (expected 2, one line)"; }
ok e "run, 3 rows on --nodes 4: $(cat "$TMP/err")"
printf '[grid]\ndatasets = %s\nalgorithms = dsaga\nnodes = 4\n' "$TMP/three.svm" >"$TMP/e.ini"
rc=0
mpirun_np 4 grid "$TMP/e.ini" --quiet --out "$TMP/E.h5" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "e.ini:4: nodes: 4 exceeds the 3" "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "(e) grid: 3 rows on 4 nodes: status $rc"; }
[ ! -e "$TMP/E.h5" ] || fail "(e) a results file was written"
ok e "grid, 3 rows on nodes = 4: $(cat "$TMP/err")"
echo "faults: $checks checks passed"
