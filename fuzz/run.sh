#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...] - build the libFuzzer targets with clang
# (ASan + UBSan) and run each for SECONDS (default 60), on FUZZ_JOBS
# processes (default 1) sharing one corpus.  Targets: every
# fuzz/fuzz_<name>.c; seeds in fuzz/corpus/<name>/, the growing corpus in
# fuzz/corpus-work/<name>/ (not committed), crashes in fuzz/crashes/.
# A crash found is minimised, then kept in fuzz/regressions/<name>/ where
# tests/test_fuzz_regressions.c replays it in every `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; targets+=("${n%.c}"); done
fi
san="-fsanitize=address,undefined -fno-omit-frame-pointer"
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
for t in "${targets[@]}"; do
  mpicc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fsanitize=fuzzer $san \
    $(pkg-config --cflags hdf5) -I. -o build-fuzz/fuzz_$t fuzz/fuzz_$t.c build-fuzz/libdsaga.a $libs
  mkdir -p fuzz/corpus-work/$t fuzz/corpus/$t
  echo "== fuzz_$t for ${secs}s"
  if [ "$jobs" -gt 1 ]; then
    # -fork: one supervisor, $jobs children; it prints a running total
    # ("#N ... exec/s") and the children's crash reports.
    ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz_$t -fork="$jobs" -max_total_time="$secs" \
      -artifact_prefix=fuzz/crashes/$t- fuzz/corpus-work/$t fuzz/corpus/$t 2>&1 |
      grep -E '^(#[0-9]+: cov|INFO: fuzzed for|==[0-9]+==ERROR|SUMMARY|.*[Cc]rash)' | tail -4 || true
  else
    ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz_$t -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix=fuzz/crashes/$t- fuzz/corpus-work/$t fuzz/corpus/$t 2>&1 |
      grep -E '^(stat::number_of_executed_units|stat::peak_rss|Done|==[0-9]+==ERROR|SUMMARY)' || true
  fi
done
ls fuzz/crashes 2>/dev/null | sed 's/^/crash: /' || true
