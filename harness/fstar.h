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

/* The cache directory (created if missing) into buf; 0 or ERR_IO. */
int fstar_cache_dir(char *buf, size_t size);

#endif
