#!/usr/bin/env bash
# The README's second command: every test.  Installs what is missing
# (apt-get as root; otherwise prints the apt-get line and stops), builds,
# runs the Criterion unit tests, then the MPI tests under real mpirun.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
exec make test
