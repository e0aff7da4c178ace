#!/usr/bin/env bash
# make regress / make regress-update: rerun experiments/regress.ini under
# 4 ranks and compare each run's rate and epochs-to-1e-8 with the committed
# baseline tests/regress/baseline.tsv (rules in compare.py).  --update also
# runs tests/regress/spread.ini (5 seeds) to set each run's tolerance.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${EXE:=bin/dsaga-bench}" "${MPIRUN:=mpirun --oversubscribe}" "${PYTHON:=/usr/bin/python3}"
out=build/regress.h5
mkdir -p build
rm -f "$out"
# REGRESS_CONFIG: another grid with the same cells (the self-test's slowed
# dsaga); REGRESS_IGNORE: a key left out of the runs' identity.
$MPIRUN -np 4 "$EXE" grid "${REGRESS_CONFIG:-experiments/regress.ini}" --out "$out" --quiet
if [ "${1:-}" = "--update" ]; then
  rm -f build/regress-spread.h5
  $MPIRUN -np 4 "$EXE" grid tests/regress/spread.ini --out build/regress-spread.h5 --quiet
  "$PYTHON" tests/regress/compare.py build/regress-spread.h5 --spread
  exec "$PYTHON" tests/regress/compare.py "$out" tests/regress/baseline.tsv --update \
    build/regress-spread.h5
fi
if [ -n "${REGRESS_IGNORE:-}" ]; then
  exec "$PYTHON" tests/regress/compare.py "$out" tests/regress/baseline.tsv --ignore "$REGRESS_IGNORE"
fi
exec "$PYTHON" tests/regress/compare.py "$out" tests/regress/baseline.tsv
