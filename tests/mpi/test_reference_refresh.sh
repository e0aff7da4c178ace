#!/bin/bash
# test_reference_refresh.sh - dsaga with refresh = visited (SPEC 3.2b),
# late and visited with refresh_fraction = 0.5 against the independent
# dense numpy reference tests/reference/naive_dsaga.py on a9a (first 16000
# rows) and phishing, lambda = 1e-3, K = 2 and 4 (late, the half and plain
# dsaga: 4; real mpirun): each cell's median rate over 5 seeds is within
# 10 % of the reference's (plain dsaga's 25 %), and at K = 4 the variant is
# at least 1.5x faster than plain dsaga, so that a key that does nothing
# fails (tests/reference/check_refresh.py states the rules).  About 3-5
# minutes.
. "$(dirname "$0")/lib.sh"
"$PYTHON" -c 'import numpy, h5py' 2>/dev/null || { echo "SKIP numpy or h5py missing"; exit 0; }
"$PYTHON" "$(dirname "$0")/../reference/check_refresh.py" ||
    fail "dsaga refresh = visited differs from the reference, or does not pay"
echo "ok"
