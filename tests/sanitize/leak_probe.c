/*
 * leak_probe.c - the control for `make sanitize` (issue 9): an MPI program
 * that loses one allocation of its own on every rank.  Run under the same
 * mpirun, LD_PRELOAD and suppressions as the MPI tests, LeakSanitizer must
 * report it, naming leak_probe_lose; if it does not, the MPI tests' clean
 * leak reports prove nothing and the target fails.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

__attribute__((noinline)) static void leak_probe_lose(int rank)
{
    char *p = malloc(4242);
    if (p)
        snprintf(p, 4242, "rank %d", rank);
    sink = p;
    sink = NULL; /* the only pointer is gone: a direct leak */
}

int main(int argc, char **argv)
{
    int rank = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    leak_probe_lose(rank);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
