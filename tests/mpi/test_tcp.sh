#!/bin/bash
# test_tcp.sh - the transport does not change the result: a dsaga run on 2
# ranks over TCP only (--mca btl tcp,self: no shared memory) gives the same
# checkpoints, to the last bit, as the default transport.  With 2 ranks an
# allreduce adds two numbers, which is commutative, so bitwise equality is
# the right expectation; the counters must agree exactly as well.
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=1000,d=300,nnz=12,seed=4
args=(run --algorithm dsaga --dataset "$S" --nodes 2 --period 0.5n --max-epochs 4 --seed 9
      --quiet)
rm -f "$TMP/default.h5" "$TMP/tcp.h5"
$MPIRUN -q -np 2 "$EXE" "${args[@]}" --out "$TMP/default.h5" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; fail "default transport run failed"; }
$MPIRUN -q -np 2 --mca btl tcp,self "$EXE" "${args[@]}" --out "$TMP/tcp.h5" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; fail "TCP run failed"; }
py '
import sys, h5py
with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
    a, b = fa["runs/000000"], fb["runs/000000"]
    for col in ("epoch", "rounds", "bytes", "objective", "subopt", "grad_norm"):
        xa, xb = list(a[col][()]), list(b[col][()])
        if [float(v).hex() for v in xa] != [float(v).hex() for v in xb]:
            sys.exit(f"{col} differs between transports:\n  {xa}\n  {xb}")
    n = len(a["objective"])
    if n < 5:
        sys.exit(f"only {n} checkpoints")
    last = float(a["subopt"][-1])
    print(f"{n} checkpoints identical over shared memory and TCP, last subopt {last:.3e}")
' "$TMP/default.h5" "$TMP/tcp.h5" || fail "TCP and default transport disagree"
echo "ok"
