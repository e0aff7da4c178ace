#!/usr/bin/env bash
# bench_read.sh - reading and memory on a large LIBSVM file (issue 18, items
# 2 and 3): `info` in MB/s of text on the plain file and its .xz, against
# scikit-learn's load_svmlight_file on the plain one, and the peak RSS per
# rank of a K = 2 dsaga run and of a two-cell grid (sync dense, sparse)
# against the CSR of the whole set and of one shard.
#
# The file is SPEC exported as LIBSVM text (bench/export_data; default
# 500 000 x 1 000 000, 50 non-zeros a row: 682 MB, 25e6 non-zeros) and
# compressed with `xz -T2 -1`, both kept in DATA_DIR for the next run.
# `info` parses, hashes (sha256) and computes L_max: not the parser alone.
# The three readers alternate, REPEATS times; medians (min-max).
#
# Peak RSS (`mpirun -np 2 /usr/bin/time -f %M -o FILE`, each launch's two
# ranks sorted): a run (dsaga, 0.1 n_k, half an epoch), the grid, and the same
# run on the file's first 2 000 rows (same d: what does not depend on the
# rows, the process and dsaga's O(d) state).  "rows add" = (peak - that) /
# shard CSR, the quantity of the target (<= 1.3x).  The first launch also
# pays for f* (then cached in $DSAGA_CACHE).
#
#   EXE=bin/dsaga-bench BENCH_DIR=build/bench bash bench/bench_read.sh
#   SPEC=... REPEATS=3 DATA_DIR=build/bench-data TSV=FILE (appends rows;
#   the caller writes the provenance header)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXE:=bin/dsaga-bench}" "${BENCH_DIR:=build/bench}" "${PYTHON:=/usr/bin/python3}"
: "${MPIRUN:=mpirun --oversubscribe}" "${REPEATS:=3}" "${TSV:=}" "${DATA_DIR:=build/bench-data}"
: "${SPEC:=synth-sparse:n=500000,d=1000000,nnz=50,seed=1}"
. bench/lib.sh
EXE=$(cd "$(dirname "$EXE")" && pwd)/$(basename "$EXE")
[ -x /usr/bin/time ] || { echo "bench_read.sh: /usr/bin/time missing (make deps-bench)" >&2; exit 1; }

mkdir -p "$DATA_DIR"
name=$(echo "$SPEC" | tr -c 'A-Za-z0-9=.,\n-' _)
svm="$DATA_DIR/$name.svm"
if [ ! -s "$svm" ]; then
  "$BENCH_DIR/export_data" "$SPEC" "$svm.part" >/dev/null && mv "$svm.part" "$svm"
fi
if [ ! -s "$svm.xz" ]; then
  rm -f "$svm.part.xz"
  xz -T2 -1 -c "$svm" >"$svm.part.xz" && mv "$svm.part.xz" "$svm.xz"
fi
head -n 2000 "$svm" >"$tmp/head.svm"
bytes=$(stat -c %s "$svm")
read -r rows nnz < <("$EXE" info "$svm" | awk '/^rows/ {r = $2} /^nnz/ {z = $2} END {print r, z}')
# CSR: 12 bytes a non-zero (double + int32 index), two (N + 1) offset arrays
csr_mib=$(awk -v z="$nnz" -v n="$rows" 'BEGIN { printf "%.1f", (12 * z + 16 * (n + 1)) / 1048576 }')
shard_mib=$(awk -v c="$csr_mib" 'BEGIN { printf "%.1f", c / 2 }')

secs() { # secs CMD...: wall seconds of one command
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
sklearn() { "$PYTHON" -c 'import sys; from sklearn.datasets import load_svmlight_file; load_svmlight_file(sys.argv[1])' "$1"; }
: >"$tmp/plain" && : >"$tmp/xz" && : >"$tmp/skl"
for _ in $(seq "$REPEATS"); do
  secs "$EXE" info "$svm" >>"$tmp/plain"
  secs "$EXE" info "$svm.xz" >>"$tmp/xz"
  secs sklearn "$svm" >>"$tmp/skl"
done
mbs() { awk -v b="$bytes" '{ printf "%.1f\n", b / $1 / 1e6 }' "$1" | med; }

cat >"$tmp/grid.ini" <<INI
[grid]
datasets   = $svm
algorithms = dsaga
nodes      = 2
max_epochs = 0.5
[dsaga]
period     = 0.1n
sync       = dense sparse
INI
rss() { # rss OUT CMD...: appends "lower higher" peak RSS (MiB) of the two ranks
  # each rank's /usr/bin/time writes a file of its own: its line on stderr
  # comes after the rank's MPI_Finalize and mpirun may not forward it
  local out=$1
  shift
  rm -f "$tmp"/peak.*
  # shellcheck disable=SC2016 # $0, $@ and the rank are the rank's shell's
  $MPIRUN -np 2 sh -c 'exec /usr/bin/time -o "$0.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}" -f %M "$@"' \
    "$tmp/peak" "$@" >/dev/null
  cat "$tmp"/peak.* | awk '{ v[++n] = $1 } END { if (n != 2) exit 1
      if (v[1] > v[2]) { t = v[1]; v[1] = v[2]; v[2] = t }
      printf "%.1f %.1f\n", v[1] / 1024, v[2] / 1024 }' >>"$out" ||
    { echo "bench_read.sh: no peak RSS from both ranks of: $*" >&2; exit 1; }
}
: >"$tmp/run" && : >"$tmp/grid" && : >"$tmp/head"
for _ in $(seq "$REPEATS"); do
  rss "$tmp/run" "$EXE" run --algorithm dsaga --dataset "$svm" --nodes 2 --period 0.1n --max-epochs 0.5 --quiet
  rm -f "$tmp/g.h5"
  rss "$tmp/grid" "$EXE" grid "$tmp/grid.ini" --out "$tmp/g.h5" --quiet
  rss "$tmp/head" "$EXE" run --algorithm dsaga --dataset "$tmp/head.svm" --nodes 2 --period 0.1n --max-epochs 0.5 --quiet
done
# each quantity's "median (min-max)" once, for the table and the TSV
med_of() { awk -v k="$2" '{ print $k }' "$1" | med; }
plain=$(mbs "$tmp/plain") xzr=$(mbs "$tmp/xz") skl=$(mbs "$tmp/skl")
declare -A rss_med
for k in run grid head; do
  rss_med[${k}_lower]=$(med_of "$tmp/$k" 1) rss_med[${k}_higher]=$(med_of "$tmp/$k" 2)
done
v() { echo "${rss_med[$1]%% *}"; } # the median alone
adds() { # adds KIND: rows' share over the shard CSR, lower and higher rank
  awk -v a="$(v "$1_lower")" -v b="$(v "$1_higher")" -v x="$(v head_lower)" -v y="$(v head_higher)" \
    -v s="$shard_mib" 'BEGIN { printf "%.2f / %.2f", (a - x) / s, (b - y) / s }'
}

printf '# %s: %s bytes of text (.xz %s), %s rows, %s non-zeros; CSR %s MiB, shard (K = 2) %s MiB\n' \
  "$SPEC" "$bytes" "$(stat -c %s "$svm.xz")" "$rows" "$nnz" "$csr_mib" "$shard_mib"
printf '# host %s, %s cores; load average at start: %s; %s repeats, medians (min-max)\n' \
  "$(hostname)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$REPEATS"
printf '%-40s %s\n' "info, plain (MB/s of text)" "$plain" "info, .xz (MB/s of text)" "$xzr" \
  "sklearn load_svmlight_file (MB/s)" "$skl"
printf '%-40s %s / %s MiB, rows add %s x shard CSR\n' \
  "peak RSS per rank, run" "$(v run_lower)" "$(v run_higher)" "$(adds run)" \
  "peak RSS per rank, grid (2 cells)" "$(v grid_lower)" "$(v grid_higher)" "$(adds grid)"
printf '%-40s %s / %s MiB\n' "peak RSS per rank, first 2 000 rows" "$(v head_lower)" "$(v head_higher)"
if [ -n "$TSV" ]; then
  printf 'dataset\tquantity\tmedian\tmin\tmax\tunit\n' >>"$TSV"
  row() { # row QUANTITY UNIT "m (min-max)"
    local r=${3#*(}
    r=${r%)}
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SPEC" "$1" "${3%% *}" "${r%-*}" "${r#*-}" "$2" >>"$TSV"
  }
  row info_plain MB/s "$plain"
  row info_xz MB/s "$xzr"
  row sklearn_load MB/s "$skl"
  for k in run grid head; do
    row "rss_${k}_lower_rank" MiB "${rss_med[${k}_lower]}"
    row "rss_${k}_higher_rank" MiB "${rss_med[${k}_higher]}"
  done
  row csr_whole MiB "$csr_mib ($csr_mib-$csr_mib)"
  row csr_shard MiB "$shard_mib ($shard_mib-$shard_mib)"
fi
