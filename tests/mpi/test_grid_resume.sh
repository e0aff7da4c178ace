#!/bin/bash
# test_grid_resume.sh - SPEC 5: a grid killed (SIGKILL to every process of
# its session, mpirun and the ranks, or to mpirun alone with an immediate
# restart: issue 17) at random moments keeps every finished run, stays readable
# (h5dump -H) after every kill, and once restarted to the end holds exactly
# the runs of an uninterrupted grid with identical traces (all but the
# timings, which are measured and differ from run to run).
. "$(dirname "$0")/lib.sh"

KILLS=${GRID_RESUME_KILLS:-20}
export DSAGA_CACHE="$TMP/cache" # f* cache private to this test
mkdir -p "$DSAGA_CACHE"

# 20 short runs: 2 data sets x (saga + 4 dsaga + sgd + local-sgd + gd + 2 dsaga:sum).
cat >"$TMP/g.ini" <<'INI'
[grid]
datasets   = synth-dense:n=8000,d=40,cond=50,seed=3
             synth-sparse:n=10000,d=2000,nnz=20,seed=4
algorithms = saga dsaga dsaga:sum sgd local-sgd gd
nodes      = 2
max_epochs = 10
eval_every = 0.5
[dsaga]
period     = 10 0.5n
partition  = random label
[dsaga:sum]
aggregate  = sum
period     = 1n
step_scale = 1 3
[sgd]
batch      = 4
INI

grid() { # OUT.h5 : the grid on 2 ranks in its own session
    setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/g.ini" --quiet --out "$1"
}

# Open MPI gives each rank a process group of its own, so a signal to
# mpirun's group (kill -- -PID) or pgrep -g reach mpirun only, and ranks
# left running would go on writing B.h5 beside the next attempt.  setsid
# makes mpirun the leader of a new session (its pid is the session id, as
# a background job of a script is no group leader and setsid does not
# fork); every rank stays in that session.
# alive SID: true while a process of session SID is not a zombie (a killed
# rank may linger as a zombie of init until it is reaped).
alive() {
    ps -o stat= -s "$1" 2>/dev/null | grep -qv '^Z'
}

start=$(date +%s%N)
grid "$TMP/A.h5" 2>"$TMP/A.err" || { cat "$TMP/A.err" >&2; fail "uninterrupted grid failed"; }
ms_a=$((($(date +%s%N) - start) / 1000000))
n_a=$(py 'import h5py,sys; print(len(h5py.File(sys.argv[1])["runs"]))' "$TMP/A.h5")
[ "$n_a" = 20 ] || fail "A.h5 has $n_a runs (expected 20)"
echo "uninterrupted: $n_a runs in $ms_a ms"

# Kill moments, placed in progress rather than in seconds (the machine may
# be busy): every 5th uniform in the first 0.5 s after launch (start-up,
# data validation, file creation); the others once the attempt has started
# its runs (its first stderr line), plus a delay uniform within one average
# run, so the kills fall throughout the grid, inside runs and inside HDF5
# appends.  The schedule is seeded; process timing is not.
RANDOM=12345
prev=0
mid=0 # kills that left part of the grid stored: a resume had work to do
orphans=""
ms_per_run=$((ms_a / n_a + 1))
for k in $(seq 1 "$KILLS"); do
    : >"$TMP/B.err"
    setsid $MPIRUN -q -np 2 "$EXE" grid "$TMP/g.ini" --out "$TMP/B.h5" \
        >/dev/null 2>"$TMP/B.err" &
    pid=$!
    if [ $((k % 5)) = 0 ]; then
        delay_ms=$((RANDOM % 500))
        where="after launch"
    else
        want=0
        for _ in $(seq 1 3000); do # at most 30 s
            [ "$(grep -c '^\[' "$TMP/B.err")" -ge "$want" ] &&
                grep -q ' to do -> ' "$TMP/B.err" && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        delay_ms=$((RANDOM % ms_per_run))
        where="into the runs"
    fi
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if [ $((k % 2)) = 0 ]; then
        # mpirun alone (issue 17): its ranks may go on writing for a while;
        # the next attempt starts at once and must wait for them (the
        # results file's lock) or be refused, never interleave
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        orphans="$orphans $pid"
        where="$where, mpirun alone"
    else
        pkill -KILL -s "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        # mpirun and both ranks: make sure nothing of the session survived
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            alive "$pid" || break
            pkill -KILL -s "$pid" 2>/dev/null
            sleep 0.1
        done
        if alive "$pid"; then
            ps -o pid,ppid,pgid,stat,args -s "$pid" >&2
            fail "kill $k: processes of session $pid survived SIGKILL"
        fi
    fi
    now=0
    if [ -e "$TMP/B.h5" ]; then
        h5dump -H "$TMP/B.h5" >/dev/null 2>"$TMP/h5dump.err" ||
            { cat "$TMP/h5dump.err" >&2; fail "kill $k: h5dump cannot read B.h5"; }
        now=$(py 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
bad = [k for k in f if k not in ("runs", "algorithms")]
assert not bad, "stray objects at the root: %s" % bad
print(len(f["runs"]))' "$TMP/B.h5") || fail "kill $k: h5py cannot read B.h5"
    fi
    [ "$now" -ge "$prev" ] || fail "kill $k: runs went from $prev to $now"
    [ "$now" -gt 0 ] && [ "$now" -lt "$n_a" ] && mid=$((mid + 1))
    echo "kill $k $delay_ms ms $where: $now runs kept"
    prev=$now
done

[ "$mid" -ge 1 ] || fail "no kill fell inside the grid (0 < runs kept < $n_a): resume untested"
echo "$mid of $KILLS kills left a partial grid"

# ranks orphaned by the mpirun-alone kills: they must end by themselves
for sid in $orphans; do
    for _ in $(seq 1 100); do
        alive "$sid" || break
        sleep 0.1
    done
    if alive "$sid"; then
        ps -o pid,ppid,stat,etime,args -s "$sid" >&2
        pkill -KILL -s "$sid"
        fail "ranks of session $sid outlived their mpirun by 10 s"
    fi
done
grid "$TMP/B.h5" 2>"$TMP/B.err" || { cat "$TMP/B.err" >&2; fail "final restart failed"; }

py '
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
ka, kb = sorted(a["runs"]), sorted(b["runs"])
assert ka == kb, "runs differ: %s vs %s" % (ka, kb)
assert a.attrs["config"] == b.attrs["config"]
exact = ["epoch", "rounds", "bytes", "objective", "subopt", "grad_norm"]
statuses = {}
for k in ka:
    ga, gb = a["runs"][k], b["runs"][k]
    assert set(ga.attrs) == set(gb.attrs), k
    for name in ga.attrs:
        va, vb = ga.attrs[name], gb.attrs[name]
        x, y = np.asarray(va), np.asarray(vb)
        same = np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        assert same, "%s attr %s: %r vs %r" % (k, name, va, vb)
    assert set(ga) == set(gb), k
    for name in exact:
        x, y = ga[name][:], gb[name][:]
        assert x.shape == y.shape and x.size > 0, "%s/%s: shapes %s %s" % (k, name, x.shape, y.shape)
        # bit for bit: same seed, same order of operations
        assert np.array_equal(x, y, equal_nan=True), "%s/%s differs" % (k, name)
    s = ga.attrs["status"]
    statuses[s] = statuses.get(s, 0) + 1
print("A and B: %d identical runs, statuses %s" % (len(ka), statuses))
' "$TMP/A.h5" "$TMP/B.h5" || fail "B.h5 differs from A.h5"
left=$(ls -a "$TMP" | grep -E '^B\.h5\.(tmp|lock|d)' || true)
[ -z "$left" ] || fail "left after a clean finish: $left"
total_ms=$((($(date +%s%N) - start) / 1000000))
echo "resume test: $KILLS kills, ${total_ms} ms in all"
