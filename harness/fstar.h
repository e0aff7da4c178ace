/*
 * fstar.h - the exact optimum f* of SPEC 1: a deterministic Newton-CG
 * (truncated Newton with line search, OpenBLAS for dense blocks) run to
 * ||grad f(w)|| <= rel_tol * ||grad f(0)||, and a disk cache keyed by
 * (dataset checksum, loss (squared: with the label mode, "squared:pm1"), lambda,
 * bias) so that a grid computes it once.
 */
#ifndef DSAGA_FSTAR_H
#define DSAGA_FSTAR_H

#include <stddef.h>

#include <mpi.h>

#include "base/objective.h"

struct fstar_result {
    double fstar;      /* f(w*) */
    double grad_norm;  /* ||grad f(w*)|| reached */
    double grad_norm0; /* ||grad f(0)|| */
    int iterations;    /* Newton iterations (0 when read from the cache) */
    int from_cache;    /* 1 when the value came from the cache */
};

/* Solves min f over the rows of p (all of them: N = n_samples).  w (d
 * entries, may be NULL) receives the minimiser.  ERR_NUMERIC if rel_tol
 * is not reached. */
int fstar_solve(const struct problem *p, double rel_tol, double *w, struct fstar_result *out);

/* f* from the cache directory ($DSAGA_CACHE, default ~/.cache/dsaga-bench,
 * file fstar.tsv) or, when missing, fstar_solve with rel_tol 1e-12 and an
 * atomic append to the cache.  `bias` is part of the key only (the data
 * already carries the bias column). */
int fstar_cached(const struct problem *p, double bias, struct fstar_result *out);

/* The same over the rows held by the ranks of comm (issue 18: each rank
 * holds only its shard; p->n_total = N, the rows of all ranks together):
 * every sum over rows is summed over the ranks (reduce and broadcast, so
 * every rank takes the same decisions on the same bits).  Every rank of
 * comm calls it and gets the same result.  MPI_COMM_NULL or a single rank:
 * exactly fstar_solve / fstar_cached.  The cache is read and written by
 * rank 0 only. */
int fstar_solve_mpi(const struct problem *p, MPI_Comm comm, double rel_tol, double *w,
                    struct fstar_result *out);
int fstar_cached_mpi(const struct problem *p, double bias, MPI_Comm comm, struct fstar_result *out);

/* The cache directory (created if missing) into buf; 0 or ERR_IO. */
int fstar_cache_dir(char *buf, size_t size);

#endif
