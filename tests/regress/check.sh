#!/usr/bin/env bash
# make regress / make regress-update: rerun experiments/regress.ini under
# 4 ranks and compare each run's rate and epochs-to-1e-8 with the committed
# baseline tests/regress/baseline.tsv (see compare.py for the rules).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${EXE:=bin/dsaga-bench}" "${MPIRUN:=mpirun --oversubscribe}" "${PYTHON:=/usr/bin/python3}"
out=build/regress.h5
mkdir -p build
rm -f "$out"
$MPIRUN -np 4 "$EXE" grid experiments/regress.ini --out "$out" --quiet
if [ "${1:-}" = "--update" ]; then
  exec "$PYTHON" tests/regress/compare.py "$out" tests/regress/baseline.tsv --update
fi
exec "$PYTHON" tests/regress/compare.py "$out" tests/regress/baseline.tsv
