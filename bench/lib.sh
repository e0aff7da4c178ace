# lib.sh - what the benchmark scripts share (sourced, not run): the
# environment of a timed run (one BLAS thread; root allowed to run Open MPI;
# the shared data mirror beside the project when there is one), a scratch
# folder removed on exit, and med.
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ -z "${DSAGA_DATA_MIRROR:-}" ] && [ -f ../shared/datasets/MANIFEST.tsv ]; then
  DSAGA_DATA_MIRROR=$(cd ../shared/datasets && pwd); export DSAGA_DATA_MIRROR
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# med: "median (min-max)" of the numbers on stdin, one a line; "nan" lines
# (a run that never reached its target) are counted, not ranked.
med() {
  awk '$1 == "nan" {miss++; next} {v[++n]=$1} END {
    if (!n) { printf "not reached (%d/%d)", miss, miss; exit }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t=v[i]; v[i]=v[j]; v[j]=t }
    m = n%2 ? v[(n+1)/2] : (v[n/2]+v[n/2+1])/2
    printf "%.3f (%.3f-%.3f)", m, v[1], v[n]; if (miss) printf " [%d/%d reached]", n, n+miss }'; }
