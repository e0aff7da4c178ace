#!/bin/bash
# memcheck.sh - issue 9: valgrind memcheck over one small grid (tiny.ini:
# every algorithm, dense and sparse data, HDF5 output), first as a
# singleton, then on 2 ranks under mpirun.  Any memcheck error (invalid
# read/write, uninitialised value in a branch or syscall, mismatched free)
# or definitely-lost block outside Open MPI's own start-up and shutdown
# fails it (--error-exitcode).  Suppressions: Debian's Open MPI file plus
# openmpi-extra.supp (Open MPI / PMIx / hwloc / libevent internals only).
#
#   EXE=bin/dsaga-bench tests/valgrind/memcheck.sh [NP]   (NP default 2; 0: singleton only)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${EXE:?EXE must point at bin/dsaga-bench}"
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
NP=${1:-2}
export OPENBLAS_NUM_THREADS=1
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
command -v valgrind >/dev/null || { echo "SKIP memcheck: valgrind not installed"; exit 0; }
supp=(--suppressions="$here/openmpi-extra.supp")
for f in /usr/share/openmpi/openmpi-valgrind.supp /usr/share/openmpi/openmpi-valgrind.supp.gz; do
    [ -f "$f" ] && supp+=(--suppressions="$f") && break
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dsaga-memcheck.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export DSAGA_CACHE="$TMP/cache"
vg=(valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --num-callers=40 "${supp[@]}")
status=0

# summary LOGS...: errors and definitely lost bytes per log
summary() {
    for log in "$@"; do
        printf '  %s: %s; %s\n' "$(basename "$log" .log)" \
            "$(grep -ho 'ERROR SUMMARY: [0-9,]* errors from [0-9,]* contexts' "$log" | head -1)" \
            "$(grep -ho 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' "$log" | head -1 || echo 'no leaks')"
    done
}

echo "== singleton: valgrind $EXE grid tiny.ini"
"${vg[@]}" --log-file="$TMP/singleton.log" "$EXE" grid "$here/tiny.ini" --quiet \
    --out "$TMP/single.h5" >/dev/null 2>"$TMP/singleton.err" || status=1
summary "$TMP/singleton.log"
if [ "$NP" -gt 0 ]; then
    echo "== $NP ranks: $MPIRUN -np $NP valgrind $EXE grid tiny.ini"
    $MPIRUN -q -np "$NP" "${vg[@]}" --log-file="$TMP/rank%q{OMPI_COMM_WORLD_RANK}.log" \
        "$EXE" grid "$here/tiny.ini" --quiet --out "$TMP/np.h5" >/dev/null 2>"$TMP/np.err" ||
        status=1
    summary "$TMP"/rank*.log
fi
if [ $status != 0 ]; then
    for log in "$TMP"/*.log; do
        grep -q 'ERROR SUMMARY: 0 errors' "$log" && continue
        echo "---- $log" && grep -v '^==[0-9]*== *$' "$log" | tail -60
    done
    cat "$TMP"/*.err
    echo "memcheck: FAILED"
    exit 1
fi
echo "memcheck: clean"
