#!/bin/bash
# test_bounded_input.sh - issue 17, bounded and honest input handling: each
# hostile input below ends within seconds, in bounded memory, with exit
# status 2 and one stderr line holding the expected words (printed, for the
# record); a failed `run --out` leaves no file behind.
. "$(dirname "$0")/lib.sh"

export DSAGA_CACHE="$TMP/cache" DSAGA_OFFLINE=1
mkdir -p "$DSAGA_CACHE"
cd "$TMP" || fail "cd"
checks=0
D=synth-dense:n=200,d=5,cond=10,seed=1

# refused WHAT EXPECTED-TEXT CMD... : CMD exits 2 within 60 s and 2 GB,
# with exactly one stderr line containing EXPECTED-TEXT.
refused() {
    local what=$1 want=$2
    shift 2
    local rc=0
    # 2 GB of address space, except under AddressSanitizer (make sanitize),
    # whose shadow memory alone reserves terabytes of it
    local vlimit=2000000
    [ -n "${ASAN_OPTIONS:-}" ] && vlimit=unlimited
    (ulimit -v "$vlimit" && timeout 60 "$@") >/dev/null 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] || { cat "$TMP/err" >&2; fail "$what: exit $rc (expected 2)"; }
    [ "$(wc -l <"$TMP/err")" = 1 ] || { cat "$TMP/err" >&2; fail "$what: expected one line"; }
    grep -qF -- "$want" "$TMP/err" || { cat "$TMP/err" >&2; fail "$what: expected \"$want\""; }
    checks=$((checks + 1))
    echo "ok $what: $(cat "$TMP/err")"
}

# ---- LIBSVM files ----------------------------------------------------------
head -c 200000000 /dev/zero | xz -0 -T1 >nul.xz
refused "xz of NULs" "nul.xz:1: expected LIBSVM text, got a NUL byte" "$EXE" info nul.xz
head -c 20000000 /dev/zero | tr '\0' '1' >long.txt
refused "a 20 MB line" "long.txt:1: line longer than 16777216 bytes" "$EXE" info long.txt
printf '1 1:1\n-1 2:1\n' | xz >good.xz
"$PYTHON" -c "
b = bytearray(open('good.xz', 'rb').read()); b[len(b) // 2] ^= 0x55
open('corrupt.xz', 'wb').write(b)"
refused "corrupt .xz" "corrupt.xz: corrupt .xz data" "$EXE" info corrupt.xz
mkfifo fifo
refused "FIFO as data" "fifo: is not a regular file" "$EXE" info fifo
mkdir adir
refused "directory as data" "adir: is a directory" "$EXE" info adir
refused "/dev/zero as data" "/dev/zero: is not a regular file" "$EXE" info /dev/zero
refused "unknown bare name" "a path has a slash or an extension, such as ./mydata" \
    "$EXE" info mydata
printf '1 1:1e308\n-1 2:1\n' >huge_value.txt
refused "a value of 1e308" "huge_value.txt:1: the squared norm of the row's values overflows" \
    "$EXE" fstar huge_value.txt
refused "missing path" "./mydata.txt: No such file or directory" "$EXE" info ./mydata.txt
# A file named like a manifest entry does not replace the manifest's data.
printf '1 1:1\n-1 2:1\n' >a9a
if [ -n "${DSAGA_DATA_MIRROR:-}" ] && [ -f "$DSAGA_DATA_MIRROR/a9a.xz" ]; then
    "$EXE" info a9a | grep -qx 'rows 32561' || fail "a9a resolved to ./a9a"
    "$EXE" info ./a9a | grep -qx 'rows 2' || fail "./a9a is not the local file"
    checks=$((checks + 1))
    echo "ok a9a is the manifest's (32561 rows), ./a9a the local file"
else
    refused "manifest name offline" 'data set "a9a" could not be found' "$EXE" info a9a
fi

# ---- grid configs ----------------------------------------------------------
refused "grid /dev/zero" "/dev/zero: is not a regular file" "$EXE" grid /dev/zero --dry-run
refused "grid FIFO" "fifo: is not a regular file" "$EXE" grid fifo --dry-run
refused "grid directory" "adir: is a directory" "$EXE" grid adir --dry-run
head -c 2000000 /dev/zero | tr '\0' ';' >big.ini
refused "2 MB config" "big.ini: 2000000 bytes, larger than the 1048576" "$EXE" grid big.ini --dry-run
"$PYTHON" -c "
print('[grid]\ndatasets = $D\nalgorithms = saga\nseeds = ' + ' '.join(['0..999999'] * 300))" >ranges.ini
refused "300 ranges" 'ranges.ini:4: seeds: "0..999999": the list would exceed 1000000 values' \
    "$EXE" grid ranges.ini --dry-run
printf '[grid]\ndatasets = %s\nalgorithms = saga\nmax_epochs = 1e300\n' "$D" >epochs.ini
refused "grid max_epochs 1e300" "max_epochs (--max-epochs) 1e+300: expected a number of epochs > 0 and at most 1e+09" \
    "$EXE" grid epochs.ini --dry-run

# ---- run options -----------------------------------------------------------
read -r -a mpirun_words <<<"$MPIRUN"
run=("${mpirun_words[@]}" -q -np 2 "$EXE" run --algorithm dsaga --dataset "$D" --quiet)
refused "--eval-every 1e-12" "eval_every (--eval-every) 1e-12: below one component gradient" \
    "${run[@]}" --eval-every 1e-12
refused "--max-epochs 1e300 --eval-every 1e20" "max_epochs (--max-epochs) 1e+300" \
    "${run[@]}" --max-epochs 1e300 --eval-every 1e20
refused "--period 1e308n" "--period: expected local steps (an integer in [1, 1000000000]) or a fraction of the local epoch in (0, 1000]" \
    "${run[@]}" --period 1e308n
refused "--period 3e9n" "--period: expected local steps" "${run[@]}" --period 3e9n
# within the key's bounds but longer than the run: cfgcheck's bound
refused "--period 20n" "period (--period) 20n: one round of 20 local epochs is longer than the whole run" \
    "${run[@]}" --period 20n --max-epochs 10
# a round longer than the run from another key (sgd's batch, K batch rows a
# step): it used to run one step of 500 epochs in a 1-epoch run
refused "sgd --batch 100000" "sgd: one round takes 200000 component gradients, 1000 epochs, more than the whole run" \
    "${mpirun_words[@]}" -q -np 2 "$EXE" run --algorithm sgd --dataset "$D" --batch 100000 --max-epochs 1 --quiet

# ---- bad --out ---------------------------------------------------------------
printf '1 1:1\n-1 2:1\n1 3:1\n' >data.txt
printf '[grid]\ndatasets = %s\nalgorithms = saga\nmax_epochs = 1\n' "$D" >cfg.ini
"$PYTHON" -c "import h5py; f = h5py.File('foreign.h5', 'w'); f['x'] = 1"
printf '\211HDF\r\n\032\n' >corrupt.h5
head -c 2000 /dev/urandom >>corrupt.h5
$MPIRUN -q -np 1 "$EXE" grid cfg.ini --quiet --out other.h5 2>/dev/null || fail "other.h5"
refused "--out a directory" "--out adir: is a directory" "${run[@]}" --out adir
refused "--out the data set" "--out data.txt: exists and is not an HDF5 file" "${run[@]}" --out data.txt
refused "--out the config" "--out cfg.ini: exists and is not an HDF5 file" "${run[@]}" --out cfg.ini
refused "--out empty" "--out: empty file name" "${run[@]}" --out ""
refused "--out foreign HDF5" "--out foreign.h5: an HDF5 file not written by dsaga-bench" \
    "${run[@]}" --out foreign.h5
refused "--out corrupt HDF5" "--out corrupt.h5: a corrupt HDF5 file" "${run[@]}" --out corrupt.h5
refused "--out another config's results" "--out other.h5: results file of another configuration" \
    "${run[@]}" --out other.h5
refused "grid --out the data set" "--out data.txt: exists and is not an HDF5 file" \
    $MPIRUN -q -np 2 "$EXE" grid cfg.ini --quiet --out data.txt
refused "failed run --out" "period (--period) 20n" "${run[@]}" --period 20n --max-epochs 10 --out new.h5
left=$(ls -a | grep '^new\.h5' || true)
[ -z "$left" ] || fail "a failed run --out left: $left"
echo "ok no file left by the failed run --out"
printf '1 1:1\n-1 2:1\n' >two.txt
printf '[grid]\ndatasets = two.txt\nalgorithms = dsaga\n' >n0.ini
refused "implicit nodes > rows" "n0.ini: nodes: not set, so every one of the 3 ranks" \
    "${mpirun_words[@]}" -q -np 3 "$EXE" grid n0.ini --quiet --out n0.h5
echo "bounded input: $checks checks passed"
