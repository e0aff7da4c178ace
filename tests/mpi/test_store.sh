#!/bin/bash
# test_store.sh - issue 17, the data-loss items of the results store (SPEC 5),
# each under real mpirun and each failing on the store before issue 17:
#   (1) two grids on one --out: the second is refused in one line naming the
#       holder (host, pid), exit 2, and the first finishes with every run;
#       the lock dies with a SIGKILLed launch (an immediate restart works);
#   (2) a grid without a `nodes` key killed under -np 1 and resumed under
#       -np 2 is refused in one line naming the `nodes` key (no mixed K);
#   (3) runs failed for a reason outside their cell (an unusable f* cache:
#       I/O error) are run again when the grid is started again (that a
#       run failed on its own input is kept: tests/test_h5out.c);
#   (4) a cell that runs out of memory (a 3-line file with feature index
#       268435456, the largest the reader takes, under ulimit -v) is stored
#       failed with the reason and the grid goes on, on every resume;
#   (5) a planted R.h5.tmp -> victim is never written through;
#   (6) a killed writer's temporary in R.h5.d goes, and R.h5.d with it;
#   (7) a pending file that is no run of the grid (junk bytes, or HDF5 of
#       another config) is moved aside with one warning each and its cell
#       run again; a genuine pending run beside them is merged, not redone.
. "$(dirname "$0")/lib.sh"

export DSAGA_CACHE="$TMP/cache" # f* cache private to this test
mkdir -p "$DSAGA_CACHE"

# runs_of FILE.h5 : number of /runs/* in FILE (0 when missing).
runs_of() {
    [ -e "$1" ] || { echo 0; return; }
    h5ls "$1/runs" 2>/dev/null | grep -c 'Group'
}

alive() { ps -o stat= -s "$1" 2>/dev/null | grep -qv '^Z'; }

killsession() {
    pkill -KILL -s "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    for _ in $(seq 1 50); do
        alive "$1" || return 0
        pkill -KILL -s "$1" 2>/dev/null
        sleep 0.1
    done
    fail "processes of session $1 survived SIGKILL"
}

# ---- (1) two grids on one --out -----------------------------------------
# Runs that sleep for real in every round (network model), ~0.3 s each, so
# the first grid is still running when the second starts.
cat >"$TMP/slow.ini" <<'INI'
[grid]
datasets   = synth-dense:n=400,d=10,cond=10,seed=3
algorithms = dsaga
nodes      = 2
seeds      = 1..40
max_epochs = 3
period     = 20
net_alpha_s       = 0
compute_s         = 1e-9
straggler_delay_s = 0.005
straggler_sleep   = 1
INI
setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/slow.ini" --out "$TMP/R.h5" >/dev/null 2>"$TMP/A.err" &
pa=$!
for _ in $(seq 1 600); do
    grep -q '^\[2/' "$TMP/A.err" && break
    sleep 0.05
done
grep -q '^\[2/' "$TMP/A.err" || { cat "$TMP/A.err" >&2; fail "(1) the first grid did not start"; }
rc=0
$MPIRUN -q -np 2 "$EXE" grid "$TMP/slow.ini" --quiet --out "$TMP/R.h5" >/dev/null 2>"$TMP/B.err" || rc=$?
kill -0 "$pa" 2>/dev/null || fail "(1) the first grid ended before the second was refused (too fast?)"
[ "$rc" = 2 ] || { cat "$TMP/B.err" >&2; fail "(1) second writer: exit $rc (expected 2)"; }
[ "$(wc -l <"$TMP/B.err")" = 1 ] || { cat "$TMP/B.err" >&2; fail "(1) expected one stderr line"; }
grep -Eq "^dsaga-bench: $TMP/R.h5: in use by host $(hostname) pid [0-9]+$" "$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(1) the message does not name the holder"; }
ok 1 "second writer refused: $(cat "$TMP/B.err")"
wait "$pa" || { cat "$TMP/A.err" >&2; fail "(1) the first grid failed"; }
[ "$(runs_of "$TMP/R.h5")" = 40 ] || fail "(1) $(runs_of "$TMP/R.h5") runs (expected 40)"
[ ! -e "$TMP/R.h5.lock" ] && [ ! -e "$TMP/R.h5.d" ] || fail "(1) lock or pending runs left"
ok 1 "first grid finished with 40 runs, no lock or pending directory left"

# The lock dies with its holder: the whole launch SIGKILLed, then an
# immediate restart takes the file (after waiting for the dying rank 0).
rm -f "$TMP/R.h5"
setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/slow.ini" --out "$TMP/R.h5" >/dev/null 2>"$TMP/A.err" &
pa=$!
for _ in $(seq 1 600); do
    grep -q '^\[3/' "$TMP/A.err" && break
    sleep 0.05
done
grep -q '^\[3/' "$TMP/A.err" || { killsession "$pa"; cat "$TMP/A.err" >&2; fail "(1) the grid never reached its third run"; }
killsession "$pa"
kept=$(runs_of "$TMP/R.h5")
[ "$kept" -lt 40 ] || fail "(1) the SIGKILL came after the grid's end: nothing left to restart"
setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/slow.ini" --quiet --out "$TMP/R.h5" 2>"$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(1) restart after SIGKILL refused"; }
[ "$(runs_of "$TMP/R.h5")" = 40 ] || fail "(1) restart: $(runs_of "$TMP/R.h5") runs (expected 40)"
ok 1 "lock released by SIGKILL ($kept of 40 runs kept): the immediate restart completed 40 runs"

# ---- (2) resume under another -np -----------------------------------------
cat >"$TMP/k.ini" <<'INI'
[grid]
datasets   = synth-dense:n=400,d=10,cond=10,seed=3
algorithms = dsaga
seeds      = 1..6
max_epochs = 3
net_alpha_s       = 0
compute_s         = 1e-9
straggler_delay_s = 0.005
straggler_sleep   = 1
INI
setsid $MPIRUN -q -np 1 "$EXE" grid "$TMP/k.ini" --out "$TMP/K.h5" >/dev/null 2>"$TMP/A.err" &
pa=$!
for _ in $(seq 1 600); do
    grep -q '^\[2/' "$TMP/A.err" && break
    sleep 0.05
done
killsession "$pa"
rc=0
$MPIRUN -q -np 2 "$EXE" grid "$TMP/k.ini" --quiet --out "$TMP/K.h5" >/dev/null 2>"$TMP/B.err" || rc=$?
[ "$rc" = 2 ] || { cat "$TMP/B.err" >&2; fail "(2) resume under -np 2: exit $rc (expected 2)"; }
[ "$(wc -l <"$TMP/B.err")" = 1 ] && grep -q 'nodes = 1 in \[grid\]' "$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(2) expected one line naming the nodes key"; }
ok 2 "$(cat "$TMP/B.err")"
$MPIRUN -q -np 1 "$EXE" grid "$TMP/k.ini" --quiet --out "$TMP/K.h5" 2>"$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(2) resume under -np 1 failed"; }
py 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
ks = sorted(set(int(g.attrs["nodes"]) for g in f["runs"].values()))
assert len(f["runs"]) == 6 and ks == [1], (len(f["runs"]), ks)' "$TMP/K.h5" || fail "(2) mixed K"
ok 2 "resume under the same -np: 6 runs, all K = 1"

# ---- (3) failed runs retried when the cause was outside the cell ----------
cat >"$TMP/f.ini" <<'INI'
[grid]
datasets   = synth-dense:n=200,d=5,cond=10,seed=1  tiny.txt
algorithms = saga dsaga
nodes      = 2
max_epochs = 2
INI
printf '1 1:1\n-1 2:1\n' >"$TMP/tiny.txt"
sed -i "s|tiny.txt|$TMP/tiny.txt|" "$TMP/f.ini"
: >"$TMP/notadir" # the f* cache under a regular file: every f* is an I/O error
DSAGA_CACHE="$TMP/notadir/cache" $MPIRUN -q -np 2 "$EXE" grid "$TMP/f.ini" --quiet \
    --out "$TMP/F.h5" 2>"$TMP/A.err" || true
py 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
st = {k: (g.attrs["status"], g.attrs.get("failure", "")) for k, g in f["runs"].items()}
assert len(st) == 4 and all(s == "failed" for s, _ in st.values()), st
print(st)' "$TMP/F.h5" >"$TMP/st1" || { cat "$TMP/A.err" >&2; fail "(3) expected 4 failed runs"; }
$MPIRUN -q -np 2 "$EXE" grid "$TMP/f.ini" --out "$TMP/F.h5" 2>"$TMP/B.err" >/dev/null ||
    { cat "$TMP/B.err" >&2; fail "(3) the rerun failed"; }
grep -q '4 runs, 4 to do' "$TMP/B.err" || { cat "$TMP/B.err" >&2; fail "(3) expected 4 runs to redo"; }
py 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
st = sorted((k, g.attrs["status"]) for k, g in f["runs"].items())
assert st == [("%06d" % i, "done") for i in range(4)], st' "$TMP/F.h5" ||
    fail "(3) wrong statuses after the rerun"
ok 3 "4 runs failed on an I/O error ($(sed 's/.*"f\*/f*/; s/).*/)/' "$TMP/st1" | head -c 80)...) were run again: all done"

# ---- (4) a cell out of memory ---------------------------------------------
printf '1 1:1\n-1 268435456:1\n1 3:0.5\n' >"$TMP/huge.txt"
cat >"$TMP/m.ini" <<INI
[grid]
datasets   = $TMP/huge.txt synth-dense:n=200,d=5,cond=10,seed=1
algorithms = saga
max_epochs = 2
INI
# Under AddressSanitizer (make sanitize) ulimit -v cannot be used (its shadow
# memory reserves terabytes of address space): the section runs in make test.
attempts="1 2"
[ -n "${ASAN_OPTIONS:-}" ] && attempts=""
for attempt in $attempts; do
    rc=0
    (ulimit -v 3000000 && $MPIRUN -q -np 1 "$EXE" grid "$TMP/m.ini" --out "$TMP/M.h5") \
        >/dev/null 2>"$TMP/M.err" || rc=$?
    [ "$rc" = 0 ] || { cat "$TMP/M.err" >&2; fail "(4) attempt $attempt: grid exit $rc"; }
    py 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
a, b = f["runs"]["000000"].attrs, f["runs"]["000001"].attrs
assert a["status"] == "failed" and "out of memory" in a["message"], dict(a)
assert b["status"] == "done", dict(b)' "$TMP/M.h5" || fail "(4) attempt $attempt: wrong runs"
done
if [ -n "$attempts" ]; then
    ok 4 "out-of-memory cell stored failed ($(py 'import h5py,sys; print(h5py.File(sys.argv[1])["runs/000000"].attrs["message"])' "$TMP/M.h5")), the grid went on, twice"
else
    partial "(4) not run under AddressSanitizer (ulimit -v); make test runs it"
fi

# ---- (5) a planted temporary symlink ---------------------------------------
cat >"$TMP/s.ini" <<'INI'
[grid]
datasets   = synth-dense:n=200,d=5,cond=10,seed=1
algorithms = saga dsaga
seeds      = 1 2
nodes      = 2
max_epochs = 2
INI
echo precious >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/S.h5.tmp"
$MPIRUN -q -np 2 "$EXE" grid "$TMP/s.ini" --quiet --out "$TMP/S.h5" 2>/dev/null || true
[ "$(cat "$TMP/victim")" = precious ] || fail "(5) the victim was overwritten"
[ ! -L "$TMP/S.h5" ] && [ "$(runs_of "$TMP/S.h5")" = 4 ] || fail "(5) S.h5 is not a file of 4 runs"
ok 5 "planted S.h5.tmp -> victim: victim untouched, S.h5 written"

# ---- (6) a temporary of a writer killed mid-commit, inside S.h5.d ----------
# (the fresh-clone CI of 2026-12-03 found S.h5.d left after a clean finish:
# stale temporaries in PATH.d were not matched, so PATH.d stayed non-empty)
mkdir -p "$TMP/S.h5.d"
echo partial >"$TMP/S.h5.d/000009.h5.tmp.4242.0"
$MPIRUN -q -np 2 "$EXE" grid "$TMP/s.ini" --quiet --out "$TMP/S.h5" 2>/dev/null ||
    fail "(6) the resumed grid failed"
[ "$(runs_of "$TMP/S.h5")" = 4 ] || fail "(6) S.h5 does not hold its 4 runs"
left=$(ls -a "$TMP" | grep -E '^S\.h5\.(tmp|lock|d)' || true)
[ -z "$left" ] || fail "(6) left after a clean finish: $left"
ok 6 "stale S.h5.d/000009.h5.tmp.4242.0 removed under the lock; nothing left after the finish"

# ---- (7) pending files that are no run of this grid -------------------------
# A partial grid (--only seed=1: cells 0 and 3 of 6 stored), then in T.h5.d:
# junk bytes as cell 1 (disk damage), an HDF5 run of another config as
# cell 2, and a genuine pending run of this grid as cell 4 (copied from a
# full reference grid, as the store writes it).  Before the fix the restart
# failed on the junk (I/O error, exit 1) at every start.
sed 's/^seeds .*/seeds      = 1 2 3/' "$TMP/s.ini" >"$TMP/t.ini"
$MPIRUN -q -np 2 "$EXE" grid "$TMP/t.ini" --quiet --out "$TMP/Tref.h5" 2>"$TMP/A.err" ||
    { cat "$TMP/A.err" >&2; fail "(7) the reference grid failed"; }
$MPIRUN -q -np 2 "$EXE" grid "$TMP/t.ini" --quiet --only seed=1 --out "$TMP/T.h5" 2>"$TMP/A.err" ||
    { cat "$TMP/A.err" >&2; fail "(7) the partial grid failed"; }
[ "$(runs_of "$TMP/T.h5")" = 2 ] || fail "(7) the partial grid stored $(runs_of "$TMP/T.h5") runs (expected 2)"
mkdir -p "$TMP/T.h5.d"
printf junk >"$TMP/T.h5.d/000001.h5"
py 'import h5py,sys
ref = h5py.File(sys.argv[1], "r")
with h5py.File(sys.argv[2] + "/000002.h5", "w") as f:
    f.attrs["config"] = "[grid]\nalgorithms = saga\n"
    ref.copy(ref["runs/000002"], f.create_group("runs"), name="000002")
with h5py.File(sys.argv[2] + "/000004.h5", "w") as f:
    f.attrs["config"] = ref.attrs["config"]
    ref.copy(ref["runs/000004"], f.create_group("runs"), name="000004")' "$TMP/Tref.h5" "$TMP/T.h5.d" ||
    fail "(7) cannot plant the pending files"
rc=0
$MPIRUN -q -np 2 "$EXE" grid "$TMP/t.ini" --out "$TMP/T.h5" >/dev/null 2>"$TMP/B.err" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/B.err" >&2; fail "(7) restart with a junk pending file: exit $rc (expected 0)"; }
d="$TMP/T.h5.d"
for bad in 000001 000002; do
    [ "$(grep -c "^dsaga-bench: warning: $d/$bad\.h5 is not a readable run" "$TMP/B.err")" = 1 ] &&
        grep -Eq "^dsaga-bench: warning: $d/$bad\.h5 is not a readable run \((.*; )?moved to $d/$bad\.h5\.corrupt\.[^ ]+\); the run will be redone$" "$TMP/B.err" ||
        { cat "$TMP/B.err" >&2; fail "(7) expected one warning line for $bad.h5"; }
done
[ "$(grep -c 'warning' "$TMP/B.err")" = 2 ] || { cat "$TMP/B.err" >&2; fail "(7) expected exactly two warnings"; }
grep -q 'is not a readable run (the config of another grid; ' "$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(7) the warning for 000002.h5 does not say: another grid"; }
! grep -q 'rank\|ORTE' "$TMP/B.err" || { cat "$TMP/B.err" >&2; fail "(7) traceback on restart"; }
grep -q '6 runs, 3 to do' "$TMP/B.err" ||
    { cat "$TMP/B.err" >&2; fail "(7) expected cells 1, 2, 5 to do (4 merged from T.h5.d)"; }
junk=$(find "$d" -maxdepth 1 -name '000001.h5.corrupt.*' -printf '%f\n')
foreign=$(find "$d" -maxdepth 1 -name '000002.h5.corrupt.*' -printf '%f\n')
[ -n "$junk" ] && [ "$(cat "$d/$junk")" = junk ] && [ -n "$foreign" ] ||
    fail "(7) the moved-aside files are not kept: $(ls "$d")"
[ -z "$(find "$d" -maxdepth 1 -regex '.*/[0-9]\{6\}\.h5' -printf '%f\n')" ] || fail "(7) pending runs left: $(ls "$d")"
py 'import h5py,sys
import numpy as np
f, ref = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
st = sorted((k, g.attrs["status"]) for k, g in f["runs"].items())
assert st == [("%06d" % i, "done") for i in range(6)], st
# cell 4 is the planted pending run, merged (its wall clock is the reference run'"'"'s)
assert np.array_equal(f["runs/000004/wall_s"][()], ref["runs/000004/wall_s"][()])
g = h5py.File(sys.argv[3], "r")
assert g.attrs["config"] != f.attrs["config"] and "000002" in g["runs"]' \
    "$TMP/T.h5" "$TMP/Tref.h5" "$d/$foreign" || fail "(7) wrong runs in T.h5 or the foreign file changed"
$MPIRUN -q -np 2 "$EXE" grid "$TMP/t.ini" --out "$TMP/T.h5" >/dev/null 2>"$TMP/B2.err" ||
    { cat "$TMP/B2.err" >&2; fail "(7) the second restart failed"; }
grep -q '6 runs, 0 to do' "$TMP/B2.err" && ! grep -q warning "$TMP/B2.err" ||
    { cat "$TMP/B2.err" >&2; fail "(7) second restart: expected nothing to do, no warning"; }
ok 7 "junk and foreign pending files moved aside ($junk, $foreign), cells redone; the genuine pending run merged; 6 runs done"

echo "store test: $checks checks passed"
