#!/bin/bash
# test_reference_methods.sh - scaffold, scaffnew (lsvrg and full) and
# local-svrg (SPEC 3.6-3.8) against the independent dense numpy reference
# tests/reference/naive_methods.py: on a small problem split at random and
# by label (K = 2, real mpirun), each method's median rate over 3 seeds is
# within 10 % of the reference's, or both stall at the same level
# (tests/reference/check_methods.py states the rules).  About 40 s.
. "$(dirname "$0")/lib.sh"
"$PYTHON" -c 'import numpy, h5py' 2>/dev/null || { echo "SKIP numpy or h5py missing"; exit 0; }
"$PYTHON" "$(dirname "$0")/../reference/check_methods.py" ||
    fail "a method's rate differs from the reference"
echo "ok"
