/*
 * gd.c - distributed full-gradient descent (SPEC 3.5), the communication
 * reference.
 *
 * Each round every node computes its part of the gradient,
 * (1/N) sum_{i in S_k} loss'(y_i, <x_i, w>) x_i, one counted allreduce of d
 * numbers sums the parts, and w = w - (1/L) (sum + lambda w) with
 *     L = c * lambda_max(X^T X) / N + lambda    (SPEC 3.5, c as in SPEC 1).
 * lambda_max comes from a power iteration in default_step (smoothness.c;
 * uncounted allreduces: setup, SPEC 4), inflated by 1 % and capped by the
 * safe bound ||X||_F^2 (the power iteration approaches lambda_max from
 * below; any step under 2 / L still decreases f monotonically).
 *
 * Counters (closed forms, checked by the MPI tests), per round:
 *     rounds += 1,  bytes += 8 d K,  grads_total += N (one epoch).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "algorithms/algorithm.h"
#include "algorithms/smoothness.h"

struct gd_state {
    int64_t d;
    double step;  /* 1 / L (times step_scale) */
    double *w;    /* d */
    double *grad; /* d: the gradient parts, the one allreduce */
    double *z;    /* n_k: margins, then loss' / N */
};

/* No declared keys (SPEC 3.5: one full gradient a round, step 1/L). */
static const struct param_def gd_params[] = {
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* SPEC 3.5: 1 / L (algorithms/smoothness.c: the power iteration, shared
 * with scaffnew).  Collective over ctx->comm (uncounted). */
static int gd_default_step(const struct run_ctx *ctx, double *step)
{
    double L = 0.0;
    TRY(smoothness_l(ctx, &L));
    *step = 1.0 / L;
    return 0;
}

/* The caller owns *state (gd_destroy); on failure *state is NULL. */
static int gd_create(const struct run_ctx *ctx, void **state)
{
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    size_t n = (size_t)ctx->shard->n_samples;
    struct gd_state *s = calloc(1, sizeof *s + (2 * d + n + 1) * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "gd state for %zu features, %zu rows", d, n);
    s->w = (double *)(s + 1);
    s->grad = s->w + d;
    s->z = s->w + 2 * d;
    s->d = (int64_t)d;
    s->step = ctx->step_size;
    *state = s;
    return 0;
}

static int gd_round(void *state, struct run_ctx *ctx)
{
    struct gd_state *s = state;
    const struct problem *p = &ctx->prob;
    const struct dataset *ds = ctx->shard;
    double inv_n = 1.0 / (double)ctx->n_total;
    objective_margins(p, s->w, s->z);
    for (int64_t i = 0; i < ds->n_samples; i++)
        s->z[i] = loss_deriv(p->loss, ds->y[i], s->z[i]) * inv_n;
    csr_xt(ds, s->z, s->grad); /* this node's (1/N) sum loss'_i x_i */
    comm_add_work(ctx->comm, (double)ds->n_samples);
    TRY(comm_allreduce_sum(ctx->comm, s->grad, s->d));
    /* SPEC 3.5: w = w - (1/L) (grad + lambda w) */
    for (int64_t j = 0; j < s->d; j++)
        s->w[j] -= s->step * (s->grad[j] + p->lambda * s->w[j]);
    ctx->grads_total += ctx->n_total;
    return 0;
}

static int gd_get_w(const void *state, double *w)
{
    const struct gd_state *s = state;
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

static void gd_destroy(void *state)
{
    free(state);
}

/* Per round: one allreduce of d doubles, every row's gradient (N). */
static void gd_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                        const int64_t *n_k, struct round_counts *out)
{
    (void)p, (void)n_k;
    out->rounds = 1;
    out->bytes = K > 1 ? 8.0 * (double)d * K : 0.0;
    out->grads = (double)n_total;
}

const algorithm algorithm_gd = {
    .name = "gd",
    .summary = "distributed full-gradient descent, step 1/L (SPEC 3.5)",
    .centralized = 0,
    .params = gd_params,
    .color = "#9467bd",
    .step_rule = "constant",
    .counters = gd_counters,
    .check = NULL,
    .default_step = gd_default_step,
    .create = gd_create,
    .round = gd_round,
    .get_w = gd_get_w,
    .destroy = gd_destroy,
};
