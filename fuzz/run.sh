#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...] - build the libFuzzer targets with clang
# (ASan + UBSan) and run each for SECONDS (default 60), on FUZZ_JOBS
# processes (default 1) sharing one corpus.  Targets: every
# fuzz/fuzz_<name>.c; seeds in fuzz/corpus/<name>/, the growing corpus in
# fuzz/corpus-work/<name>/ (not committed), crashes in fuzz/crashes/.
# A crash found is minimised, then kept in fuzz/regressions/<name>/ where
# tests/test_fuzz_regressions.c replays it in every `make test`; the
# script then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; targets+=("${n%.c}"); done
fi
san="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer"
export OMPI_CC=clang
# Fuzz-only limits (see grid.c and libsvm.c): grids of at most 4096 cells,
# files read and decoded 61 bytes at a time.  make does not track flags, so
# a build made with other flags is thrown away.
opt="-O1 -g -fsanitize=fuzzer-no-link $san -Wno-unused-command-line-argument"
extra="-DGRID_MAX_RUNS=4096 -DLIBSVM_CHUNK_BYTES=61"
if [ "$(cat build-fuzz/flags 2>/dev/null)" != "$opt $extra" ]; then
  rm -rf build-fuzz && mkdir -p build-fuzz && echo "$opt $extra" >build-fuzz/flags
fi
make -s BUILD=build-fuzz BIN=build-fuzz/bin OPT="$opt" EXTRA_CFLAGS="$extra" build-fuzz/libdsaga.a
libs="$(pkg-config --libs hdf5) -linih -llzma -lcrypto -lopenblas -lm"
mkdir -p fuzz/crashes
jobs=${FUZZ_JOBS:-1}
# fuzz_config rewrites one temporary file per execution: keep it in memory.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
status=0
for t in "${targets[@]}"; do
  mpicc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fsanitize=fuzzer $san \
    $(pkg-config --cflags hdf5) -I. -o build-fuzz/fuzz_$t fuzz/fuzz_$t.c build-fuzz/libdsaga.a $libs
  mkdir -p fuzz/corpus-work/$t fuzz/corpus/$t fuzz/regressions/$t
  log=build-fuzz/fuzz_$t.log
  echo "== fuzz_$t for ${secs}s (log: $log)"
  before=$(ls fuzz/crashes | grep -c "^$t-" || true)
  if [ "$jobs" -gt 1 ]; then
    # -fork: one supervisor, $jobs children sharing the corpus
    mode=(-fork="$jobs")
  else
    mode=(-print_final_stats=1)
  fi
  rc=0
  # -close_fd_mask=2: the targets' one-line input errors (every execution)
  # are not logged; libFuzzer and sanitizer reports still are.
  ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz_$t "${mode[@]}" -max_total_time="$secs" -close_fd_mask=2 \
    -artifact_prefix=fuzz/crashes/$t- fuzz/corpus-work/$t fuzz/corpus/$t >"$log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss|Done|INFO: fuzzed for|==[0-9]+==ERROR|SUMMARY)' "$log" || true
  if [ "$jobs" -gt 1 ]; then grep -E '^#[0-9]+: cov' "$log" | tail -1 || true; fi
  after=$(ls fuzz/crashes | grep -c "^$t-" || true)
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz_$t: stopped with status $rc, $((after - before)) new crash file(s)" >&2
    status=1
  fi
  # Every crash file: minimised into fuzz/regressions/$t/, replayed by
  # `make test` (tests/test_fuzz_regressions.c).
  for c in fuzz/crashes/$t-*; do
    [ -e "$c" ] || continue
    keep=fuzz/regressions/$t/$(basename "$c" | sed "s/^$t-//")
    [ -e "$keep" ] && continue
    ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz_$t -minimize_crash=1 -runs=20000 \
      -exact_artifact_path="$keep" "$c" >>"$log" 2>&1 || true
    [ -e "$keep" ] || cp "$c" "$keep"
    echo "fuzz_$t: kept $keep: fix the bug, then commit it" >&2
  done
done
exit $status
