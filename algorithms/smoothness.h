/*
 * smoothness.h - L of SPEC 3.5, the smoothness constant of the whole f,
 *     L = c * lambda_max(X^T X) / N + lambda    (c as in SPEC 1),
 * shared by gd (its step 1/L) and scaffnew (its `full` step 1/L and its
 * default comm_prob max(1/sqrt(L / lambda), 1/min_k n_k), SPEC 3.7).
 */
#ifndef DSAGA_SMOOTHNESS_H
#define DSAGA_SMOOTHNESS_H

#include "algorithms/algorithm.h"

/* L over every node's rows: a power iteration on sum_k X_k^T X_k from the
 * same start vector on every node (so every node gets the same L),
 * lambda_max inflated by 1 % and capped by the safe bound ||X||_F^2.
 * Collective over ctx->comm (uncounted: setup, SPEC 4).  0 or a negative
 * ERR_* code. */
int smoothness_l(const struct run_ctx *ctx, double *l_out);

#endif
