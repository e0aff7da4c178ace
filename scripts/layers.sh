#!/usr/bin/env bash
# layers.sh - the include graph between the source folders, and a check that
# no include points up a layer (issue 15).  Layers, bottom up:
#   0 base/        error, rng, loss, csr, objective, comm, netmodel, params
#   1 datasets/    data sets and shards        1 algorithms/  methods
#   2 harness/     run_cfg, runner, grid, results (h5out), fstar, trace
#   3 cli/         main and one file per command
# datasets/ and algorithms/ share a layer and must not include each other.
# Prints every folder -> folder edge with its count; exits 1 on a bad edge.
set -euo pipefail
cd "$(dirname "$0")/.."
rank() {
  case $1 in
    base) echo 0 ;; datasets | algorithms) echo 1 ;; harness) echo 2 ;; cli) echo 3 ;;
    *) echo -1 ;;
  esac
}
bad=0
edges=$(grep -HE '^#include "' base/*.[ch] datasets/*.[ch] algorithms/*.[ch] harness/*.[ch] cli/*.[ch] |
  sed -E 's#^([a-z]+)/[^:]*:\#include "([a-z]+)/.*#\1 \2#' | sort | uniq -c)
echo "# include edges between folders (count from -> to)"
while read -r n from to; do
  rf=$(rank "$from"); rt=$(rank "$to")
  verdict=ok
  if [ "$rt" -lt 0 ]; then verdict="BAD: not a project folder"
  elif [ "$rt" -gt "$rf" ]; then verdict="BAD: points up"
  elif [ "$rt" -eq "$rf" ] && [ "$from" != "$to" ]; then verdict="BAD: across a layer"
  fi
  printf '%5d  %-10s -> %-10s %s\n' "$n" "$from" "$to" "$verdict"
  [ "$verdict" = ok ] || bad=1
done <<<"$edges"
# one include style: project headers by their path from the root
if grep -nE '^#include "\.\./|^#include "[a-z_]+\.h"' base/*.[ch] datasets/*.[ch] algorithms/*.[ch] \
     harness/*.[ch] cli/*.[ch]; then
  echo "layers: includes above are relative; write them from the project root" >&2
  bad=1
fi
[ "$bad" = 0 ] && echo "layers: no include points up a layer"
exit "$bad"
