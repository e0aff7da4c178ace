/*
 * dsaga.c - distributed SAGA with limited communication (SPEC 3.2).
 *
 * Each round: tau local SAGA steps on a private copy (w_k, g_k) started at
 * the synchronised (w, g_bar) (saga_core), then ONE counted allreduce of a
 * single buffer of 2d doubles holding (w_k - w, g_k - g_bar), then
 *     g_bar += sum_k (g_k - g_bar)          (SPEC 3.2 step 2: exact again)
 *     w     += s sum_k (w_k - w),  s = 1 (sum) or 1/K (mean).
 * With K = 1 the synchronisation is an exact copy w = w_k, g_bar = g_k and
 * the lazy state is left untouched, so dsaga K = 1 makes the very steps of
 * saga with the same seed (STYLE 6: w + (w_k - w) need not equal w_k).
 *
 * tau = period steps, or round(period * n_k) (at least 1) when the period
 * is a fraction of the local epoch.
 *
 * Counters (closed forms, checked by the MPI tests), per round:
 *     rounds += 1,  bytes += 16 d K  (2d doubles, 8 bytes each, K nodes;
 *                                    0 for K = 1: one node sends nothing),
 *     grads_total += sum_k tau_k.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"
#include "base/error.h"

struct dsaga_state {
    struct saga_core *core; /* w_k, g_k, this node's alpha_i */
    int64_t d;
    int64_t tau;     /* SPEC 3.2: local steps per round on this node */
    int64_t tau_sum; /* sum over nodes of tau_k: grads per round */
    double s;        /* 1 (sum) or 1/K (mean) */
    double *w;       /* synchronised w (same on every node) */
    double *g_bar;   /* synchronised, exact g_bar */
    double *buf;     /* 2d: (w_k - w, g_k - g_bar), the one allreduce */
};

/* SPEC 3.10: dsaga's own keys. */
static const struct param_def dsaga_params[] = {
    {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL,
     "tau: local steps per round (100), or a fraction of the local epoch (0.5n)", 1},
    {"aggregate", PARAM_ENUM, "mean", 0, 0, "mean|sum",
     "w += s sum_k (w_k - w) with s = 1/K (mean) or 1 (sum)", 1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

enum { DSAGA_MEAN = 0, DSAGA_SUM = 1 }; /* index in "mean|sum" */

/* SPEC 3.2: the step of saga, eta = 1 / (3 L_max) (times step_scale). */
static int dsaga_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
    return 0;
}

static void dsaga_destroy(void *state)
{
    struct dsaga_state *s = state;
    if (!s)
        return;
    saga_core_destroy(s->core);
    free(s);
}

/* Collective over ctx->comm (one uncounted allreduce for sum_k tau_k).
 * The caller owns *state (dsaga_destroy); on failure *state is NULL. */
static int dsaga_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    /* STYLE 4: state and its 4d doubles in one block */
    struct dsaga_state *s = calloc(1, sizeof *s + 4 * d * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "dsaga state for %zu features", d);
    s->w = (double *)(s + 1);
    s->g_bar = s->w + d;
    s->buf = s->w + 2 * d;
    s->d = (int64_t)d;
    s->tau = period_steps(params_period(ctx->params, "period"), ctx->shard->n_samples);
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
    s->s = params_enum(ctx->params, "aggregate") == DSAGA_SUM ? 1.0 : 1.0 / (double)ctx->comm->size;
    TRY_GOTO(saga_core_create(ctx->shard, ctx->prob.loss, ctx->prob.lambda, ctx->n_total,
                              ctx->step_size, ctx->seed, ctx->comm->rank, &s->core));
done:
    if (rc < 0) {
        dsaga_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int dsaga_round(void *state, struct run_ctx *ctx)
{
    struct dsaga_state *s = state;
    int64_t d = s->d;
    /* SPEC 3.2 step 1: tau local SAGA steps from (w, g_bar) */
    saga_core_steps(s->core, s->tau);
    comm_add_work(ctx->comm, (double)s->tau);
    /* step 2: one allreduce of (w_k - w, g_k - g_bar) */
    saga_core_delta(s->core, s->w, s->g_bar, s->buf); /* one pass over the state */
    TRY(comm_allreduce_sum(ctx->comm, s->buf, 2 * d));
    if (ctx->comm->size == 1) {
        /* exact copy, lazy state untouched: K = 1 is saga bit for bit */
        saga_core_get_w(s->core, s->w);
        saga_core_get_g(s->core, s->g_bar);
    } else {
        /* g_bar += sum_k (g_k - g_bar), w += s sum_k (w_k - w), restart */
        saga_core_apply(s->core, s->w, s->g_bar, s->buf, s->s);
    }
    ctx->grads_total += s->tau_sum;
    return 0;
}

static int dsaga_get_w(const void *state, double *w)
{
    const struct dsaga_state *s = state;
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: one allreduce of 2d doubles from K nodes (16 d K bytes; a single
 * node sends nothing), sum_k tau_k component gradients. */
static void dsaga_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                           const int64_t *n_k, struct round_counts *out)
{
    (void)n_total;
    struct period per = params_period(p, "period");
    double grads = 0.0;
    for (int k = 0; k < K; k++)
        grads += (double)period_steps(per, n_k[k]);
    out->rounds = 1;
    out->bytes = K > 1 ? 16.0 * (double)d * K : 0.0;
    out->grads = grads;
}

const algorithm algorithm_dsaga = {
    .name = "dsaga",
    .summary = "distributed SAGA: tau local steps, one allreduce of (w, g_bar) (SPEC 3.2)",
    .centralized = 0,
    .params = dsaga_params,
    .color = "#d62728",
    .step_rule = "constant",
    .counters = dsaga_counters,
    .check = NULL,
    .default_step = dsaga_default_step,
    .create = dsaga_create,
    .round = dsaga_round,
    .get_w = dsaga_get_w,
    .destroy = dsaga_destroy,
};
