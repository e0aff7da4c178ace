#!/bin/bash
# check_probe.sh PROBE - runs tests/sanitize/leak_probe on 2 ranks under the
# environment `make sanitize` gives the MPI tests (ASAN_OPTIONS,
# LSAN_OPTIONS, LD_PRELOAD inherited) and fails unless LeakSanitizer
# reported the probe's own leak by name.  Environment: MPIRUN.
set -u
probe=${1:?usage: check_probe.sh PROBE}
: "${MPIRUN:=mpirun --oversubscribe}"
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
log=$(mktemp "${TMPDIR:-/tmp}/dsaga-leak-probe.XXXXXX")
trap 'rm -f "$log"' EXIT
$MPIRUN -q -np 2 "$probe" >"$log" 2>&1
rc=$?
reports=$(grep -c 'in leak_probe_lose' "$log")
others=$(grep -c '^Direct leak\|^Indirect leak' "$log")
if [ "$rc" -eq 0 ] || [ "$reports" -lt 2 ] || [ "$others" -ne 2 ]; then
    echo "leak probe: exit $rc, $reports of 2 ranks named leak_probe_lose, $others leak" \
        "reports in all (expected exactly the 2): LeakSanitizer cannot be trusted here" >&2
    cat "$log" >&2
    exit 1
fi
echo "leak probe: both ranks' lost 4242 bytes reported by name, nothing else (exit $rc)"
