#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...] - build the libFuzzer targets with clang
# (ASan + UBSan) and run each for SECONDS (default 60).  Targets: every
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
make -s BUILD=build-fuzz BIN=build-fuzz/bin \
  OPT="-O1 -g -fsanitize=fuzzer-no-link $san -Wno-unused-command-line-argument" \
  build-fuzz/libdsaga.a
libs="$(pkg-config --libs hdf5) -linih -llzma -lcrypto -lopenblas -lm"
mkdir -p fuzz/crashes
for t in "${targets[@]}"; do
  mpicc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fsanitize=fuzzer $san \
    $(pkg-config --cflags hdf5) -I. -o build-fuzz/fuzz_$t fuzz/fuzz_$t.c build-fuzz/libdsaga.a $libs
  mkdir -p fuzz/corpus-work/$t fuzz/corpus/$t
  echo "== fuzz_$t for ${secs}s"
  ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz_$t -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix=fuzz/crashes/$t- fuzz/corpus-work/$t fuzz/corpus/$t 2>&1 |
    grep -E '^(stat::number_of_executed_units|stat::peak_rss|Done|==[0-9]+==ERROR|SUMMARY)' || true
done
ls fuzz/crashes 2>/dev/null | sed 's/^/crash: /' || true
