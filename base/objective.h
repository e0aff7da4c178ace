/*
 * objective.h - f(w) = (1/N) sum_i loss(y_i, <x_i, w>) + (lambda/2) ||w||^2
 * (SPEC 1): value, gradient, Hessian-vector product and L_max.
 *
 * A problem may hold only some of the rows (one node's shard) while N is the
 * size of the whole set: the *_local functions then return this node's part
 * of the sums, and the caller adds the parts over nodes (MPI lives in the
 * runner, not here).  Dense row blocks go through OpenBLAS.
 */
#ifndef DSAGA_OBJECTIVE_H
#define DSAGA_OBJECTIVE_H

#include "base/csr.h"
#include "base/loss.h"

struct problem {
    const struct dataset *data; /* rows held here (all, or a shard) */
    enum loss_kind loss;
    double lambda;   /* SPEC 1; mu = lambda */
    int64_t n_total; /* N: the rows of the whole set */
};

/* Margins z_i = <x_i, w> for every row held, into z (n_samples). */
void objective_margins(const struct problem *p, const double *w, double *z);

/* This node's part of f without the regulariser: (1/N) sum_i loss_i, and,
 * when grad != NULL, its gradient (1/N) sum_i loss'_i x_i written to grad
 * (d entries, overwritten).  `z` is scratch of n_samples doubles or NULL. */
double objective_local(const struct problem *p, const double *w, double *grad, double *z);

/* SPEC 1's regulariser on a loss part already summed over every row:
 * returns loss_part + (lambda/2) ||w||^2 and, when grad != NULL, adds
 * lambda w to grad (d entries).  The one place f and its gradient are
 * finished (objective_value, fstar over shards, the runner's evaluation). */
double objective_regularise(const struct problem *p, const double *w, double loss_part,
                            double *grad);

/* Full f(w) and, when grad != NULL, its gradient, over the rows held, as if
 * they were the whole set (single process: fstar, tests). */
double objective_value(const struct problem *p, const double *w, double *grad);

/* Hessian-vector product H v at the point whose margins are z:
 * out = (1/N) sum_i loss''(y_i, z_i) <x_i, v> x_i + lambda v.
 * `tmp` is scratch of n_samples doubles. */
void objective_hvp(const struct problem *p, const double *z, const double *v, double *out,
                   double *tmp);

/* L_max = c max_i ||x_i||^2 + lambda over the rows held (SPEC 1). */
double objective_lmax(const struct problem *p);

#endif
