#!/usr/bin/env bash
# deps.sh - check (and as root, install) the Debian packages a target needs.
#   scripts/deps.sh build|run|test|fuzz
# Missing packages are installed with apt-get when running as root;
# otherwise the exact apt-get line is printed and the script exits 1.
set -euo pipefail
what=${1:-test}

build_pkgs="build-essential libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-dev hdf5-tools libinih-dev liblzma-dev libssl-dev xz-utils"
case "$what" in
  build) pkgs="$build_pkgs" ;;
  run)   pkgs="$build_pkgs python3-matplotlib python3-h5py python3-numpy python3-pandas" ;;
  test)  pkgs="$build_pkgs libcriterion-dev liblinear-tools python3-matplotlib python3-h5py python3-numpy python3-pandas chromium valgrind clang-format" ;;
  bench) pkgs="$build_pkgs python3-sklearn python3-numpy python3-scipy time" ;;
  fuzz)  pkgs="$build_pkgs clang libclang-rt-14-dev" ;;
  *) echo "deps.sh: unknown target '$what' (expected build, run, test, bench or fuzz)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
  echo "deps.sh: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || true
  apt-get install -y -q --no-install-recommends $missing >/dev/null
else
  echo "deps.sh: missing Debian packages:$missing" >&2
  echo "deps.sh: run as root:  sudo $line" >&2
  exit 1
fi
