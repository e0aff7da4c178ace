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
#include "algorithms/saga_core.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"

struct saga_core {
    const struct dataset *ds; /* this node's rows */
    enum loss_kind loss;
    double eta;    /* step size (SPEC 2) */
    double beta;   /* 1 - eta lambda: shrinkage per step */
    double inv_n;  /* 1 / N, N = all rows of all nodes (SPEC 3.2) */
    int lazy;      /* 1: scale/cum representation (sparse rows) */
    double scale;  /* lazy: w = scale * v */
    double cum;    /* lazy: sum over steps of eta / scale */
    double *coord; /* lazy: COORD_STRIDE doubles per coordinate j:
                    * v_j (w / scale, pending g terms aside), g_j
                    * (SPEC 2's g_bar, g_k in dsaga, exact) and
                    * last_j (cum when j was last brought up to
                    * date); together so that a row's random
                    * accesses touch one cache line per entry */
    double *w;     /* eager: w (d) */
    double *g;     /* eager: g (d) */
    double *alpha; /* SPEC 2: loss' at the last visit, per local row */
    int64_t n_steps;
    int64_t n_rescales;
    int64_t next_i; /* lazy: the next sample, drawn one step ahead so
                     * that its row can be prefetched; -1: none yet */
    struct rng rng; /* sample picks, (seed, RNG_STREAM_SAMPLING + rank) */
};

#define COORD_STRIDE 4 /* v, g, last, padding: 32 bytes, two per cache line */
#define V(j)         coord[COORD_STRIDE * (size_t)(j)]
#define G(j)         coord[COORD_STRIDE * (size_t)(j) + 1]
#define LAST(j)      coord[COORD_STRIDE * (size_t)(j) + 2]

/* The caller owns *out; on failure nothing is left allocated. */
int saga_core_create(const struct dataset *shard, enum loss_kind loss, double lambda,
                     int64_t n_total, double eta, uint64_t seed, int rank, struct saga_core **out)
{
    *out = NULL;
    if (shard->n_samples < 1)
        FAIL(ERR_INPUT, "saga: this node holds no rows (more nodes than samples?)");
    if (!(eta > 0) || !(lambda >= 0) || n_total < 1)
        FAIL(ERR_INTERNAL, "bad SAGA setup: eta %g, lambda %g, N %lld", eta, lambda,
             (long long)n_total);
    size_t d = (size_t)shard->n_features;
    size_t n = (size_t)shard->n_samples;
    /* STYLE 4: the state and its vectors in one block, the coordinate
     * records 64-byte aligned */
    size_t head = (sizeof(struct saga_core) + 63) / 64 * 64;
    size_t bytes = head + (COORD_STRIDE * d + n) * sizeof(double);
    struct saga_core *c = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!c)
        FAIL(ERR_NOMEM, "SAGA state for %zu features, %zu rows", d, n);
    memset(c, 0, bytes);
    double *block = (double *)((char *)c + head);
    c->coord = block;
    c->w = block; /* eager mode uses the first 2d doubles as w, g */
    c->g = block + d;
    c->alpha = block + COORD_STRIDE * d;
    c->ds = shard;
    c->loss = loss;
    c->eta = eta;
    c->beta = 1.0 - eta * lambda;
    c->inv_n = 1.0 / (double)n_total;
    c->lazy = !shard->is_dense && c->beta >= 0.5;
    c->scale = 1.0;
    c->cum = 0.0;
    c->next_i = -1;
    rng_seed(&c->rng, seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)rank);
    *out = c;
    return 0;
}

void saga_core_destroy(struct saga_core *c)
{
    free(c);
}

/* Brings every coordinate up to date and restarts the scale at 1.  The
 * expression is the one saga_core_get_w evaluates, so a flush never moves w. */
static void lazy_flush(struct saga_core *c)
{
    int64_t d = c->ds->n_features;
    double *coord = c->coord;
    double scale = c->scale;
    double cum = c->cum;
    for (int64_t j = 0; j < d; j++) {
        V(j) = scale * (V(j) - G(j) * (cum - LAST(j)));
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->cum = 0.0;
    c->n_rescales++;
}

/* n_steps lazy steps; `loss` is a compile-time constant at each call site so
 * the compiler specialises the loop (no branch or indirect call per step). */
static inline __attribute__((always_inline)) void lazy_steps(struct saga_core *c, int64_t n_steps,
                                                             const enum loss_kind loss)
{
    const int64_t *restrict row_ptr = c->ds->row_ptr;
    const int32_t *restrict col = c->ds->col_idx;
    const double *restrict x = c->ds->values;
    const double *restrict y = c->ds->y;
    double *restrict coord = c->coord;
    double *restrict alpha = c->alpha;
    const uint64_t n_rows = (uint64_t)c->ds->n_samples;
    const double eta = c->eta;
    const double beta = c->beta;
    const double inv_n = c->inv_n;
    double scale = c->scale;
    double cum = c->cum;
    /* The k-th draw is the k-th sample whatever the chunking of calls: the
     * draw for the step after this one is kept in c->next_i. */
    int64_t next = c->next_i >= 0 ? c->next_i : (int64_t)rng_below(&c->rng, n_rows);
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = next;
        int64_t p0 = row_ptr[i];
        int64_t p1 = row_ptr[i + 1];
        next = (int64_t)rng_below(&c->rng, n_rows);
        /* the next row's data comes from memory: ask for its first lines */
        int64_t q = row_ptr[next];
        __builtin_prefetch(col + q);
        __builtin_prefetch(x + q);
        __builtin_prefetch(x + q + 8);
        /* bring the row's coordinates up to date, and <x_i, v> */
        double dot = 0.0;
        for (int64_t p = p0; p < p1; p++) {
            double *r = coord + COORD_STRIDE * (size_t)col[p];
            double vj = r[0] - r[1] * (cum - r[2]); /* v_j -= g_j (cum - last_j) */
            r[0] = vj;
            dot += x[p] * vj;
        }
        double a = loss_deriv(loss, y[i], scale * dot);
        double delta = a - alpha[i]; /* a - alpha_i */
        alpha[i] = a;
        scale *= beta;             /* w = beta w ... */
        double step = eta / scale; /* ... - eta (...), in units of v */
        cum += step;
        double dn = delta * inv_n;
        for (int64_t p = p0; p < p1; p++) {
            double *r = coord + COORD_STRIDE * (size_t)col[p];
            r[0] -= step * (delta * x[p] + r[1]); /* g before its update */
            r[1] += dn * x[p];                    /* g += (a - alpha_i) x_i / N */
            r[2] = cum;
        }
        if (scale < SAGA_CORE_MIN_SCALE) {
            c->scale = scale;
            c->cum = cum;
            lazy_flush(c);
            scale = 1.0;
            cum = 0.0;
        }
    }
    c->next_i = next;
    c->scale = scale;
    c->cum = cum;
}

/* Eager steps, O(d) each: dense rows through BLAS, or sparse rows with a
 * step too large for the lazy scale. */
static void eager_steps(struct saga_core *c, int64_t n_steps)
{
    const struct dataset *ds = c->ds;
    int64_t d = ds->n_features;
    double *w = c->w;
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
            cblas_dscal((int)d, c->beta, w, 1);                /* w = beta w */
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
        memcpy(w, c->w, (size_t)d * sizeof *w);
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++)
        w[j] = c->scale * (V(j) - G(j) * (c->cum - LAST(j)));
}

void saga_core_get_g(const struct saga_core *c, double *g)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(g, c->g, (size_t)d * sizeof *g);
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++)
        g[j] = G(j);
}

void saga_core_reset(struct saga_core *c, const double *w, const double *g)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(c->w, w, (size_t)d * sizeof *w);
        memcpy(c->g, g, (size_t)d * sizeof *g);
        return;
    }
    double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        V(j) = w[j];
        G(j) = g[j];
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->cum = 0.0;
}

void saga_core_delta(const struct saga_core *c, const double *w, const double *g, double *buf)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        for (int64_t j = 0; j < d; j++) {
            buf[j] = c->w[j] - w[j];
            buf[d + j] = c->g[j] - g[j];
        }
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        buf[j] = c->scale * (V(j) - G(j) * (c->cum - LAST(j))) - w[j]; /* as get_w */
        buf[d + j] = G(j) - g[j];
    }
}

void saga_core_apply(struct saga_core *c, double *w, double *g, const double *buf, double s)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        for (int64_t j = 0; j < d; j++) {
            g[j] += buf[d + j]; /* g_bar += sum_k (g_k - g_bar) */
            w[j] += s * buf[j]; /* w += s sum_k (w_k - w) */
            c->g[j] = g[j];
            c->w[j] = w[j];
        }
        return;
    }
    double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        g[j] += buf[d + j]; /* g_bar += sum_k (g_k - g_bar) */
        w[j] += s * buf[j]; /* w += s sum_k (w_k - w) */
        V(j) = w[j];        /* and restart the lazy state there */
        G(j) = g[j];
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->cum = 0.0;
}

int64_t saga_core_n_steps(const struct saga_core *c)
{
    return c->n_steps;
}
int64_t saga_core_n_rescales(const struct saga_core *c)
{
    return c->n_rescales;
}
