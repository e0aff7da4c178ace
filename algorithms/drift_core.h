/*
 * drift_core.h - local steps with a fixed dense "drift" term, written once
 * for the control-variate methods: scaffold (SPEC 3.6), scaffnew's lsvrg
 * estimator (SPEC 3.7) and local-svrg (SPEC 3.8).
 *
 * Each of their local steps, for a linear model, has the form
 *
 *     w = beta w - eta c - eta sum_b coef_b x_{i_b},    beta = 1 - eta lambda
 *
 * with c a d-vector that stays fixed for a whole phase (scaffold: c - c_k;
 * scaffnew: grad F_k(z_k) - h_k, loss part; local-svrg: grad F(z), loss
 * part) and coef_b scalars (a loss derivative, or a difference of two).
 * Lazy form, O(nnz) per step, no per-coordinate timestamps because c does
 * not change during a phase:
 *
 *     w = scale (v - q c);  a step sets scale *= beta, q += eta / scale,
 *                           v -= (eta / scale) coef_b x_{i_b}
 *
 * and before scale can underflow (below DRIFT_MIN_SCALE) v = w, scale = 1,
 * q = 0 (one O(d) pass).  A step with beta < 1/2 is applied eagerly.
 *
 * Not an algorithm of the registry: no MPI, no counters, no allocation (the
 * arrays belong to the caller's state, STYLE 4).
 */
#ifndef DSAGA_DRIFT_CORE_H
#define DSAGA_DRIFT_CORE_H

#include <stdint.h>

#include "base/csr.h"

struct drift_core {
    const struct dataset *ds; /* the rows steps are drawn from */
    int64_t d;                /* n_features */
    double eta;               /* step size */
    double beta;              /* 1 - eta lambda */
    double scale;             /* w = scale (v - q c) */
    double q;                 /* sum over the phase's steps of eta / scale */
    double *v;                /* d, owned by the caller */
    const double *c;          /* d: the phase's drift, owned by the caller */
    int64_t n_renormalised;   /* renormalisations since init (the tests' count) */
};

/* Binds the core to its rows, step and lambda, with v (d doubles) as its
 * storage; no phase started. */
void drift_core_init(struct drift_core *s, const struct dataset *ds, double eta, double lambda,
                     double *v);

/* Starts a phase at w with drift c: v = w, scale = 1, q = 0.  c must not
 * change until the next drift_core_start (w may alias nothing of the core). */
void drift_core_start(struct drift_core *s, const double *w, const double *c);

/* <x_i, w> for row i of the core's rows, O(nnz(x_i)). */
double drift_core_margin(const struct drift_core *s, int64_t i);

/* One step: w = beta w - eta c - eta sum_{b < n} coef[b] x_{rows[b]}. */
void drift_core_step(struct drift_core *s, int n, const int64_t *rows, const double *coef);

/* Writes w (d doubles); read-only, the phase goes on unchanged. */
void drift_core_get_w(const struct drift_core *s, double *w);

#endif
