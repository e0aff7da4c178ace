/*
 * predict_large.h - the mean part of predict's tail (predict.c) for data
 * too wide for the dense path (d above PREDICT_MAX_DIM: the rcv1-like
 * set's 47 000), dsaga only, without ever forming a d x d matrix.
 *
 * Every block of a node's expected step map T_k is a function of
 * H_k = (1/n_k) sum_{i in S_k} h_i x_i x_i^T alone (predict.c), so
 * T_k^p = t(H_k)^p with t(x) the 3 x 3 matrix of one step on one
 * eigendirection of H_k (eigenvalue x).  With A = D^(1/2) X_k / sqrt(n_k)
 * (n_k x d, H_k = A^T A) and A A^T = U diag(sigma) U^T (n_k x n_k, dsyevd),
 *     phi(H_k) v = phi(0) v + A^T U diag((phi(sigma) - phi(0)) / sigma) U^T A v
 * for each entry phi of t^p: two sparse products and two passes over U per
 * vector block, per node and round.  The divided difference is exact to
 * rounding even as sigma -> 0 (its error eps / sigma meets the two factors
 * A^T u_j, u_j^T A v of size sqrt(sigma) each).  The state (e, B_1..B_K),
 * or (e, Bs_1..Bs_K, Be_1..Be_K) with refresh, is taken through the same
 * round as predict_dsaga_map builds densely, from the run's start (e =
 * -w*, B_k = -(1/N) sum_{i in S_k} alpha_i* x_i), and subopt = (1/2) e^T
 * (H + lambda I) e is read at the run's checkpoints and fitted as SPEC 4
 * fits a tail: predict_tail_rate with var = NULL, on the same map.
 *
 * Cost per node: the n_k x n_k Gram matrix (n_k^2 / 2 sparse dots),
 * dsyevd (about 15 s at n_k = 5 000 on two cores), 8 n_k^2 bytes of U,
 * and per round two passes over U (memory-bound: ~40 ms at n_k = 5 000).
 */
#ifndef DSAGA_PREDICT_LARGE_H
#define DSAGA_PREDICT_LARGE_H

#include <stdint.h>

#include "datasets/dataset.h"
#include "harness/trace.h"

/* The most rows a node may hold on this path (U is n_k^2 doubles). */
#define PREDICT_LARGE_MAX_ROWS 8192

/* The mean-error tail of dsaga (predict.c, "The tail a run shows", without
 * the variance part) on ds, matrix-free in d.  h[i] = loss''(y_i, <x_i,
 * w*>), alpha[i] = loss'(y_i, <x_i, w*>), w the d-vector w*; owner[i] row
 * i's node; tau[k] node k's steps per round; eta the step; s the
 * aggregation's weight; refresh as enum predict_refresh; the checkpoints
 * as predict_tail_rate's (rounds_per_epoch, eval_every, max_epochs,
 * stop_rel).  *rate as predict_tail_rate's; the checkpoints themselves
 * into *out when it is not NULL (caller clears).  ERR_INPUT when a node
 * holds no row or more than PREDICT_LARGE_MAX_ROWS; ERR_NOMEM;
 * ERR_NUMERIC when dsyevd fails. */
int predict_large_tail(const struct dataset *ds, const double *h, const double *alpha,
                       const double *w, double lambda, const int *owner, int K, const int64_t *tau,
                       double eta, double s, int refresh, double rounds_per_epoch,
                       double eval_every, double max_epochs, double stop_rel, double *rate,
                       struct trace *out);

#endif
