#!/bin/bash
# run_all.sh - runs every tests/mpi/test_*.sh (real mpirun, -np 1, 2, 4),
# reports pass/fail and seconds per script, and fails if any failed.  A
# script that prints a line starting with SKIP was skipped as a whole; one
# that prints PARTIAL ran, but left a part out (data missing): both say why.
# Environment: EXE, MPIRUN, PYTHON (see lib.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${EXE:?EXE must point at bin/dsaga-bench}"
export EXE MPIRUN="${MPIRUN:-mpirun --oversubscribe}" PYTHON="${PYTHON:-/usr/bin/python3}"
failed=()
n=0
for t in "$here"/test_*.sh; do
    [ -e "$t" ] || continue
    n=$((n + 1))
    name=$(basename "$t")
    start=$(date +%s%N)
    bash "$t" >"${TMPDIR:-/tmp}/mpitest-$name.log" 2>&1
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    secs=$((ms / 1000)).$(((ms % 1000) / 100))
    if [ $rc -eq 0 ]; then
        why=$(grep -m1 -E '^(SKIP|PARTIAL)' "${TMPDIR:-/tmp}/mpitest-$name.log")
        verdict=pass
        [ "${why%% *}" = SKIP ] && verdict=skip
        printf '%-4s  %-28s %6s s  %s\n' "$verdict" "$name" "$secs" "$why"
    else
        printf 'FAIL  %-28s %6s s\n' "$name" "$secs"
        sed 's/^/      | /' "${TMPDIR:-/tmp}/mpitest-$name.log" | tail -30
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "mpi tests: ${#failed[@]} of $n failed: ${failed[*]}"
    exit 1
fi
echo "mpi tests: all $n passed (or skipped with a reason)"
