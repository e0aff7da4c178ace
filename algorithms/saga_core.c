/*
 * saga_core.c - the SAGA step of SPEC 2 on one shard (also dsaga's local
 * phase, SPEC 3.2 step 1).
 *
 * One step, step size eta, beta = 1 - eta lambda (SPEC 2 rewritten):
 *
 *     a       = loss'(y_i, <x_i, w>)
 *     w       = beta w - eta ((a - alpha_i) x_i + g)
 *     g      += (a - alpha_i) x_i / N
 *     alpha_i = a
 *
 * Lazy ("just in time") form for sparse rows, O(nnz(x_i)) per step:
 *   - w = scale * v; the shrinkage is scale *= beta.
 *   - g_j only changes when a row touching j is sampled, so between two
 *     touches coordinate j follows w_j <- beta w_j - eta g_j with g_j fixed,
 *     i.e. v_j <- v_j - g_j eta / scale_t.  The running sum
 *     cum = sum_t eta / scale_t and last[j] = cum when j was last brought up
 *     to date give the pending part: v_j -= g_j (cum - last[j]).
 *   - The touched coordinates of the step get the step's g term at once,
 *     with g_j before its update, then last[j] = cum.
 *   - When scale drops below SAGA_CORE_MIN_SCALE every coordinate is
 *     brought up to date and scale = 1 ("flush"), before it can underflow.
 * scikit-learn's _sag_fast.pyx.tp and lightning's sag_fast.pyx use the same
 * idea with per-epoch arrays of cumulative sums; this keeps one running sum
 * per coordinate instead, so no array grows with the number of steps.
 *
 * The eager form (dense data through BLAS, or a step so large that
 * beta < 1/2, where the scale would underflow every few steps) updates the
 * whole w each step, O(d).
 */
#include "saga_core.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "../src/error.h"
#include "../src/rng.h"

struct saga_core {
    const struct dataset *ds; /* this node's rows */
    enum loss_kind loss;
    double eta;              /* step size (SPEC 2) */
    double beta;             /* 1 - eta lambda: shrinkage per step */
    double inv_n;            /* 1 / N, N = all rows of all nodes (SPEC 3.2) */
    int lazy;                /* 1: scale/cum representation (sparse rows) */
    double scale;            /* lazy: w = scale * v */
    double cum;              /* lazy: sum over steps of eta / scale */
    double *v;               /* lazy: w / scale (pending g terms aside); eager: w */
    double *last;            /* lazy: cum when coordinate j was last updated */
    double *g;               /* SPEC 2's g_bar (g_k in dsaga), exact */
    double *alpha;           /* SPEC 2: loss' at the last visit, per local row */
    int64_t n_steps;
    int64_t n_rescales;
    struct rng rng;          /* sample picks, (seed, RNG_STREAM_SAMPLING + rank) */
};

/* The caller owns *out; on failure nothing is left allocated. */
int saga_core_create(const struct dataset *shard, enum loss_kind loss, double lambda,
                     int64_t n_total, double eta, uint64_t seed, int rank,
                     struct saga_core **out)
{
    *out = NULL;
    if (shard->n_samples < 1)
        FAIL(ERR_INPUT, "saga: this node holds no rows (more nodes than samples?)");
    if (!(eta > 0) || !(lambda >= 0) || n_total < 1)
        FAIL(ERR_INTERNAL, "bad SAGA setup: eta %g, lambda %g, N %lld", eta, lambda,
             (long long)n_total);
    size_t d = (size_t)shard->n_features;
    size_t n = (size_t)shard->n_samples;
    /* STYLE 4: the state and its vectors in one block */
    struct saga_core *c = calloc(1, sizeof *c + (3 * d + n) * sizeof(double));
    if (!c)
        FAIL(ERR_NOMEM, "SAGA state for %zu features, %zu rows", d, n);
    double *block = (double *)(c + 1);
    c->v = block;
    c->last = block + d;
    c->g = block + 2 * d;
    c->alpha = block + 3 * d;
    c->ds = shard;
    c->loss = loss;
    c->eta = eta;
    c->beta = 1.0 - eta * lambda;
    c->inv_n = 1.0 / (double)n_total;
    c->lazy = !shard->is_dense && c->beta >= 0.5;
    c->scale = 1.0;
    c->cum = 0.0;
    rng_seed(&c->rng, seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)rank);
    *out = c;
    return 0;
}

void saga_core_destroy(struct saga_core *c) { free(c); }

/* Brings every coordinate up to date and restarts the scale at 1.  The
 * expression is the one saga_core_get_w evaluates, so a flush never moves w. */
static void lazy_flush(struct saga_core *c)
{
    int64_t d = c->ds->n_features;
    double scale = c->scale;
    double cum = c->cum;
    for (int64_t j = 0; j < d; j++) {
        c->v[j] = scale * (c->v[j] - c->g[j] * (cum - c->last[j]));
        c->last[j] = 0.0;
    }
    c->scale = 1.0;
    c->cum = 0.0;
    c->n_rescales++;
}

/* n_steps lazy steps; `loss` is a compile-time constant at each call site so
 * the compiler specialises the loop (no branch or indirect call per step). */
static inline __attribute__((always_inline)) void lazy_steps(struct saga_core *c,
                                                             int64_t n_steps,
                                                             const enum loss_kind loss)
{
    const int64_t *restrict row_ptr = c->ds->row_ptr;
    const int32_t *restrict col = c->ds->col_idx;
    const double *restrict x = c->ds->values;
    const double *restrict y = c->ds->y;
    double *restrict v = c->v;
    double *restrict last = c->last;
    double *restrict g = c->g;
    double *restrict alpha = c->alpha;
    const uint64_t n_rows = (uint64_t)c->ds->n_samples;
    const double eta = c->eta;
    const double beta = c->beta;
    const double inv_n = c->inv_n;
    double scale = c->scale;
    double cum = c->cum;
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = (int64_t)rng_below(&c->rng, n_rows);
        int64_t p0 = row_ptr[i];
        int64_t p1 = row_ptr[i + 1];
        /* bring the row's coordinates up to date, and <x_i, v> */
        double dot = 0.0;
        for (int64_t p = p0; p < p1; p++) {
            int32_t j = col[p];
            double vj = v[j] - g[j] * (cum - last[j]);
            v[j] = vj;
            dot += x[p] * vj;
        }
        double a = loss_deriv(loss, y[i], scale * dot);
        double delta = a - alpha[i]; /* a - alpha_i */
        alpha[i] = a;
        scale *= beta;               /* w = beta w ... */
        double step = eta / scale;   /* ... - eta (...), in units of v */
        cum += step;
        double dn = delta * inv_n;
        for (int64_t p = p0; p < p1; p++) {
            int32_t j = col[p];
            v[j] -= step * (delta * x[p] + g[j]); /* g before its update */
            g[j] += dn * x[p];                    /* g += (a - alpha_i) x_i / N */
            last[j] = cum;
        }
        if (scale < SAGA_CORE_MIN_SCALE) {
            c->scale = scale;
            c->cum = cum;
            lazy_flush(c);
            scale = 1.0;
            cum = 0.0;
        }
    }
    c->scale = scale;
    c->cum = cum;
}

/* Eager steps, O(d) each: dense rows through BLAS, or sparse rows with a
 * step too large for the lazy scale. */
static void eager_steps(struct saga_core *c, int64_t n_steps)
{
    const struct dataset *ds = c->ds;
    int64_t d = ds->n_features;
    double *w = c->v;
    double *g = c->g;
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = (int64_t)rng_below(&c->rng, (uint64_t)ds->n_samples);
        int64_t p0 = ds->row_ptr[i];
        int64_t p1 = ds->row_ptr[i + 1];
        const double *xi = ds->values + p0;
        if (ds->is_dense) {
            double z = cblas_ddot((int)d, xi, 1, w, 1);
            double a = loss_deriv(c->loss, ds->y[i], z);
            double delta = a - c->alpha[i];
            c->alpha[i] = a;
            cblas_dscal((int)d, c->beta, w, 1);             /* w = beta w */
            cblas_daxpy((int)d, -c->eta * delta, xi, 1, w, 1); /* - eta delta x_i */
            cblas_daxpy((int)d, -c->eta, g, 1, w, 1);          /* - eta g */
            cblas_daxpy((int)d, delta * c->inv_n, xi, 1, g, 1);
        } else {
            double z = 0.0;
            for (int64_t p = p0; p < p1; p++)
                z += ds->values[p] * w[ds->col_idx[p]];
            double a = loss_deriv(c->loss, ds->y[i], z);
            double delta = a - c->alpha[i];
            c->alpha[i] = a;
            for (int64_t j = 0; j < d; j++)
                w[j] = c->beta * w[j] - c->eta * g[j];
            for (int64_t p = p0; p < p1; p++) {
                int32_t j = ds->col_idx[p];
                w[j] -= c->eta * delta * ds->values[p];
                g[j] += delta * c->inv_n * ds->values[p];
            }
        }
    }
}

void saga_core_steps(struct saga_core *c, int64_t n_steps)
{
    if (n_steps <= 0)
        return;
    if (!c->lazy)
        eager_steps(c, n_steps);
    else if (c->loss == LOSS_LOGISTIC)
        lazy_steps(c, n_steps, LOSS_LOGISTIC);
    else
        lazy_steps(c, n_steps, LOSS_SQUARED);
    c->n_steps += n_steps;
}

void saga_core_get_w(const struct saga_core *c, double *w)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(w, c->v, (size_t)d * sizeof *w);
        return;
    }
    for (int64_t j = 0; j < d; j++)
        w[j] = c->scale * (c->v[j] - c->g[j] * (c->cum - c->last[j]));
}

const double *saga_core_g(const struct saga_core *c) { return c->g; }

void saga_core_reset(struct saga_core *c, const double *w, const double *g)
{
    size_t d = (size_t)c->ds->n_features;
    memcpy(c->v, w, d * sizeof *w);
    memcpy(c->g, g, d * sizeof *g);
    memset(c->last, 0, d * sizeof *c->last);
    c->scale = 1.0;
    c->cum = 0.0;
}

int64_t saga_core_n_steps(const struct saga_core *c) { return c->n_steps; }
int64_t saga_core_n_rescales(const struct saga_core *c) { return c->n_rescales; }
