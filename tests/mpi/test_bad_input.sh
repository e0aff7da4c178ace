#!/bin/bash
# test_bad_input.sh - SPEC 7: bad input exits with status 2 and exactly one
# line on stderr that names the option (or path:line) and what was expected.
. "$(dirname "$0")/lib.sh"

S=synth-sparse:n=200,d=40,nnz=5,seed=1

# expect_bad NP PATTERN ARGS... : status 2, one stderr line matching PATTERN
# (an extended regular expression), nothing from a crash or traceback.
expect_bad() {
    local np=$1 pattern=$2
    shift 2
    local rc=0
    if [ "$np" = 0 ]; then
        "$EXE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    else
        $MPIRUN -q -np "$np" "$EXE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    fi
    local lines
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" != 2 ]; then
        cat "$TMP/err" >&2
        fail "exit status $rc (expected 2) for: $*"
    fi
    if [ "$lines" != 1 ]; then
        cat "$TMP/err" >&2
        fail "$lines stderr lines (expected 1) for: $*"
    fi
    grep -Eq "^dsaga-bench: .*$pattern" "$TMP/err" ||
        fail "stderr \"$(cat "$TMP/err")\" does not match /$pattern/ for: $*"
    echo "ok (np ${np/#0/singleton}): $(cat "$TMP/err")"
}

# malformed option values and unknown names
expect_bad 0 '--period: expected local steps \(an integer in \[1, 1000000000\]\) or a fraction .*, got "x"' \
    run --algorithm dsaga --dataset "$S" --period x
expect_bad 0 '--period: expected .* in \(0, 1000\] .*got "1e308n"' \
    run --algorithm dsaga --dataset "$S" --period 1e308n
expect_bad 2 '--period: expected .*got "0\.5m"' \
    run --algorithm dsaga --dataset "$S" --period 0.5m
expect_bad 0 '--step-scale: expected a number in \(0, 1e\+300\], got "-1"' \
    run --algorithm dsaga --dataset "$S" --step-scale -1
expect_bad 0 'run: unknown option --frobnicate \(see dsaga-bench run --help\)' \
    run --algorithm dsaga --dataset "$S" --frobnicate 3
expect_bad 0 'fstar: unknown option --frobnicate \(see dsaga-bench fstar --help\)' \
    fstar "$S" --frobnicate 3
# ... and the help those messages point to exists for every command the
# global --help lists: exit 0, its usage line first, nothing on stderr
n_help=0
for cmd in $("$EXE" --help | awk '/^commands/ { on = 1; next } on && NF == 0 { exit } on { print $1 }'); do
    rc=0
    "$EXE" "$cmd" --help >"$TMP/out" 2>"$TMP/err" || rc=$?
    if [ "$rc" != 0 ] || [ -s "$TMP/err" ] || ! head -1 "$TMP/out" | grep -q "^usage: dsaga-bench $cmd "; then
        fail "$cmd --help: exit $rc, stderr \"$(cat "$TMP/err")\", first line \"$(head -1 "$TMP/out")\""
    fi
    n_help=$((n_help + 1))
done
[ "$n_help" -ge 7 ] || fail "the global --help lists $n_help commands, expected 7"
# GNU conventions: a misspelt option gets the closest name, a repeated one
# is refused, a key the method does not declare names the method's keys
expect_bad 0 'run: unknown option --peroid \(did you mean --period\?\)' \
    run --algorithm dsaga --dataset "$S" --peroid 3
expect_bad 0 '--period: given twice' \
    run --algorithm dsaga --dataset "$S" --period 3 --period=4
expect_bad 0 '--dataset: expected a value after it, got the option --max-epochs' \
    run --algorithm saga --dataset --max-epochs 3
expect_bad 0 '--batch: not a key of dsaga \(its keys: --period, --aggregate, .*--refresh-fraction;' \
    run --algorithm dsaga --dataset "$S" --batch 4
expect_bad 0 '--period: not a key of saga \(its keys: none' \
    run --algorithm saga --dataset "$S" --period 4
expect_bad 0 '--step: cannot be combined with --step-scale' \
    run --algorithm saga --dataset "$S" --step 0.1 --step-scale 2
expect_bad 0 'unknown command "frob"' frob
expect_bad 0 'unknown command "gird" \(did you mean grid\?\)' gird
expect_bad 2 '--algorithm: expected one of .*dsaga.*got "nope"' \
    run --algorithm nope --dataset "$S"
# more nodes than the launch has ranks
expect_bad 0 '--nodes 2 exceeds the 1 rank' run --algorithm dsaga --dataset "$S" --nodes 2
expect_bad 2 '--nodes 4 exceeds the 2 rank' run --algorithm dsaga --dataset "$S" --nodes 4
# more nodes than samples: found only once the data are loaded, by the runner
expect_bad 4 '--nodes 4 exceeds the 3 rows' \
    run --algorithm dsaga --dataset synth-sparse:n=3,d=10,nnz=2,seed=1 --nodes 4
# a malformed data file: path:line and what was expected
printf '+1 1:0.5 3:1\n-1 2:0.25\n+1 4:x\n' >"$TMP/bad.svm"
expect_bad 0 "$TMP/bad.svm:3:" run --algorithm saga --dataset "$TMP/bad.svm"
expect_bad 2 "$TMP/bad.svm:3:" run --algorithm dsaga --dataset "$TMP/bad.svm"
printf '+1 1:0.5 3:1\n-1 3:0.25 2:1\n' >"$TMP/order.svm"
expect_bad 0 "$TMP/order.svm:2:" info "$TMP/order.svm"
echo "ok"
