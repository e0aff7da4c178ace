# lib.sh - shared set-up of the MPI tests (sourced, not run).
#
# Environment (set by `make mpitest` through run_all.sh):
#   EXE     path to bin/dsaga-bench
#   MPIRUN  "mpirun --oversubscribe" (we add -q: mpirun's own banners would
#           otherwise be mixed into the stderr we check)
#   PYTHON  /usr/bin/python3 with h5py
set -u
: "${EXE:?EXE must point at bin/dsaga-bench}"
: "${MPIRUN:=mpirun --oversubscribe}"
: "${PYTHON:=/usr/bin/python3}"
export OPENBLAS_NUM_THREADS=1
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
if [ -z "${DSAGA_DATA_MIRROR:-}" ] && [ -f "$(dirname "$0")/../../../shared/datasets/MANIFEST.tsv" ]; then
    DSAGA_DATA_MIRROR=$(cd "$(dirname "$0")/../../../shared/datasets" && pwd)
    export DSAGA_DATA_MIRROR
fi

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dsaga-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Under make sanitize, LeakSanitizer's stop-the-world crashes ("Tracer caught
# signal 11") in some Open MPI singletons (a process started without
# mpirun): there EXE becomes a wrapper that starts it under `mpirun -np 1`,
# and runs it directly when it is already inside an mpirun launch.
if [ -n "${ASAN_OPTIONS:-}" ] && [ -z "${DSAGA_SAN_WRAPPED:-}" ]; then
    printf '#!/bin/sh
if [ -n "${OMPI_COMM_WORLD_SIZE:-}" ]; then exec "%s" "$@"; fi
exec %s -q -np 1 "%s" "$@"
' \
        "$EXE" "$MPIRUN" "$EXE" >"$TMP/dsaga-bench"
    chmod +x "$TMP/dsaga-bench"
    EXE=$TMP/dsaga-bench
    DSAGA_SAN_WRAPPED=1
fi

fail() {
    echo "FAIL $TEST_NAME: $*" >&2
    exit 1
}

# ok TAG TEXT : one passed check, counted in $checks (the test prints the total)
checks=0
ok() {
    checks=$((checks + 1))
    echo "ok ($1): $2"
}

skip() {
    echo "SKIP $TEST_NAME: $*"
    exit 0
}

# partial TEXT : the script goes on but leaves a part out (run_all.sh shows
# the first such line beside "pass")
partial() {
    echo "PARTIAL $TEST_NAME: $*"
}

# mpirun_np NP ARGS... : runs the executable on NP ranks; output to stdout.
mpirun_np() {
    local np=$1
    shift
    $MPIRUN -q -np "$np" "$EXE" "$@"
}

# run_h5 NP OUT.h5 ARGS... : one run written to OUT.h5; fails the test on a
# non-zero exit status, showing the run's stderr.
run_h5() {
    local np=$1 out=$2
    shift 2
    rm -f "$out"
    if ! mpirun_np "$np" run "$@" --quiet --out "$out" >"$TMP/last.out" 2>"$TMP/last.err"; then
        cat "$TMP/last.err" >&2
        fail "run failed: -np $np $*"
    fi
}

# py SCRIPT ARGS... : runs Python code (h5py) given on stdin-free argv.
py() {
    local code=$1
    shift
    "$PYTHON" -c "$code" "$@"
}

# same_objective A.h5 B.h5 LABEL [WHY] : the first run of A and of B have
# epoch, objective and grad_norm sequences identical to the last bit
# (compared as hex floats), at least 5 checkpoints; fails the test with
# "LABEL: WHY" otherwise.
same_objective() {
    py '
import sys, h5py
a, b, label = sys.argv[1], sys.argv[2], sys.argv[3]
with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
    ra, rb = fa["runs/000000"], fb["runs/000000"]
    for col in ("epoch", "objective", "grad_norm"):
        xa = [float(v).hex() for v in ra[col][()]]
        xb = [float(v).hex() for v in rb[col][()]]
        if len(xa) != len(xb):
            sys.exit(f"{label}: {col}: {len(xa)} vs {len(xb)} checkpoints")
        for i, (u, v) in enumerate(zip(xa, xb)):
            if u != v:
                sys.exit(f"{label}: {col}[{i}] differs: {u} vs {v}")
    n = len(ra["objective"])
    if n < 5:
        sys.exit(f"{label}: only {n} checkpoints")
    last = ra["subopt"][-1]
    print(f"{label}: {n} checkpoints identical, last subopt {last:.3e}")
' "$1" "$2" "$3" || fail "$3: ${4:-the runs differ}"
}

# have_a9a : 0 when the a9a data set can be loaded without a download.
have_a9a() {
    if [ -n "${DSAGA_DATA_MIRROR:-}" ] && [ -f "$DSAGA_DATA_MIRROR/a9a.xz" ]; then
        return 0
    fi
    local cache=${DSAGA_CACHE:-$HOME/.cache/dsaga-bench}
    ls "$cache"/a9a* >/dev/null 2>&1
}
