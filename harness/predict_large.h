/*
 * predict_large.h - predict's tail (predict.c) for data too wide for the
 * dense path (d above PREDICT_MAX_DIM: the rcv1-like set's 47 000), dsaga
 * only, without ever forming a d x d matrix.
 *
 * The mean part.  Every block of a node's expected step map T_k is a
 * function of H_k = (1/n_k) sum_{i in S_k} h_i x_i x_i^T alone
 * (predict.c), so T_k^p = t(H_k)^p with t(x) the 3 x 3 matrix of one step
 * on one eigendirection of H_k (eigenvalue x).  With A = D^(1/2) X_k /
 * sqrt(n_k) (n_k x d, H_k = A^T A) and A A^T = U diag(sigma) U^T (n_k x
 * n_k, dsyevd),
 *     phi(H_k) v = phi(0) v + A^T U diag((phi(sigma) - phi(0)) / sigma) U^T A v
 * for each entry phi of t^p: two sparse products and two passes over U per
 * vector block, per node and round.  The divided difference is exact to
 * rounding even as sigma -> 0 (its error eps / sigma meets the two factors
 * A^T u_j, u_j^T A v of size sqrt(sigma) each).  The state (e, B_1..B_K),
 * or (e, Bs_1..Bs_K, Be_1..Be_K) with refresh, is taken through the same
 * round as predict_dsaga_map builds densely, from the run's start (e =
 * -w*, B_k = -(1/N) sum_{i in S_k} alpha_i* x_i), and subopt = (1/2) e^T
 * (H + lambda I) e is read at the run's checkpoints and fitted as SPEC 4
 * fits a tail.
 *
 * The variance part (predict.c) is predict_noise, as on the dense path.
 * Its forms need only products with X: e^T G_k e_a = (1/n_k) sum_{i in
 * S_k} |x_i|^2 h_i^2 (x_i^T e)(x_i^T e_a).  The draws read at node k's
 * mean local iterate u_k over the round (the mean of t^t per eigenvalue, a
 * fourth output of the node's round), so X u_k on its rows stands in for
 * it, and the last rounds' X m (N each) for what each row's memory holds
 * (its node's u_k or e).  Its spectrum, H's eigenvalues and each G_k's
 * diagonal in H's eigenvectors, comes from the N x N Gram matrix B B^T =
 * V diag(sigma) V^T of B = D^(1/2) X / sqrt(N) (H = B^T B): u_j = B^T v_j / sqrt(sigma_j),
 * so x_i^T u_j = sqrt(sigma_j N / h_i) v_ij and
 *     g_kj = (N sigma_j / n_k) sum_{i in S_k} |x_i|^2 h_i v_ij^2,
 * and outside range(X^T) every G_k vanishes.
 *
 * Cost per node: the n_k x n_k Gram matrix (n_k^2 / 2 sparse dots),
 * dsyevd (about 11 s at n_k = 5 000 on two cores), 8 n_k^2 bytes of U,
 * and per round two passes over U (memory-bound: ~40 ms at n_k = 5 000).
 * The spectrum: one N x N dsyevd (about 13 minutes and 24 N^2 = 9.6 GB at
 * N = 20 000 on two cores; 11 s at 5 000, 95 s at 10 000), cached per
 * data, curvature, lambda and shards, so the six cells of one lambda
 * share it.
 */
#ifndef DSAGA_PREDICT_LARGE_H
#define DSAGA_PREDICT_LARGE_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "harness/predict.h"
#include "harness/trace.h"

/* The most rows a node may hold on this path (U is n_k^2 doubles). */
#define PREDICT_LARGE_MAX_ROWS 8192

/* The most rows of the whole set for the variance part, whose N x N
 * eigendecomposition keeps about 24 N^2 bytes (9.6 GB at N = 20 000). */
#define PREDICT_LARGE_MAX_SAMPLES 25000

/* 1 and one sentence in why when the shards owner[0..N) (K nodes) are
 * refused by this path (a node with no row or above
 * PREDICT_LARGE_MAX_ROWS), else 0. */
int predict_large_refuses(const int *owner, int64_t N, int K, char *why, size_t size);

/* The tail of dsaga (predict.c, "The tail a run shows") on ds,
 * matrix-free in d: the mean error, plus the variance part when var is
 * not NULL (var_r directions; its G and c unused).  h[i] = loss''(y_i, <x_i,
 * w*>), alpha[i] = loss'(y_i, <x_i, w*>), w the d-vector w*; owner[i] row
 * i's node; tau[k] node k's steps per round; eta the step; s the
 * aggregation's weight; refresh as enum predict_refresh, frac its
 * refresh_fraction (predict_dsaga_map); the checkpoints
 * as predict_tail_rate's (rounds_per_epoch, eval_every, max_epochs,
 * stop_rel).  *rate as predict_tail_rate's; the checkpoints themselves
 * into *out when it is not NULL (an empty trace; caller clears), with the
 * series "mean_part" as predict_tail_rate's.  ERR_INPUT when a node
 * holds no row or more than PREDICT_LARGE_MAX_ROWS; ERR_NOMEM;
 * ERR_NUMERIC when dsyevd fails. */
int predict_large_tail(const struct dataset *ds, const double *h, const double *alpha,
                       const double *w, double lambda, const int *owner, int K, const int64_t *tau,
                       double eta, double s, int refresh, double frac,
                       const struct predict_var *var, int64_t var_r, double rounds_per_epoch,
                       double eval_every, double max_epochs, double stop_rel, double *rate,
                       struct trace *out);

/* The spectrum the variance part needs (struct predict_var's a and gd,
 * over *r directions): the eigenvalues a_j of H + lambda I on range(X^T)
 * and each G_k's diagonal in their eigenvectors, from the N x N Gram
 * matrix of H's rows (file comment), cached by (the data's identity, loss,
 * lambda, bias, shards) as fstar_cache_dir()/spectrum-KEY.bin.  loss is an
 * enum loss, for the key.  *a (r) and *gd (K x r) are the
 * caller's to free.  ERR_INPUT above PREDICT_LARGE_MAX_SAMPLES rows;
 * ERR_NOMEM; ERR_NUMERIC when dsyevd fails. */
int predict_large_spectrum(const struct dataset *ds, const double *h, int loss, double lambda,
                           double bias, const int *owner, int K, double **a, double **gd,
                           int64_t *r);

#endif
