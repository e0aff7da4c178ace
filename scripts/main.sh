#!/usr/bin/env bash
# The README's first command: the main job.  Installs what is missing
# (apt-get as root; otherwise prints the apt-get line and stops), builds,
# runs the default experiment grid under MPI, then draws its figures.
#   NP=4 bash scripts/main.sh     # ranks for the grid (default 4, oversubscribed)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh run
exec make run NP="${NP:-4}"
