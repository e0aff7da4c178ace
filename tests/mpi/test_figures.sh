#!/bin/sh
# test_figures.sh - the paper-figures test (no MPI needed), run by
# tests/mpi/run_all.sh with PYTHON set; see tests/figures/test_figures.sh.
exec "$(dirname "$0")/../figures/test_figures.sh" "$@"
