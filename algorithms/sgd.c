/*
 * sgd.c - synchronous mini-batch SGD (SPEC 3.3).
 *
 * Each step (= one round) every node draws `batch` rows of its shard
 * uniformly with replacement and computes their mean gradient; one counted
 * allreduce of d numbers sums them; then
 *     w = w - eta_t (mean over nodes + lambda w),
 *     eta_t = eta0 / (1 + eta0 lambda t)   (t = step, from 0), or eta0 when
 *                                           step_rule = constant.
 * Default eta0 = 1 / L_max (times step_scale): the largest step that is safe
 * for any single component, and with it eta_t = 1 / (L_max + lambda t) =
 * 1 / (lambda (t + t0)), t0 = L_max / lambda, which is Bottou's "optimal"
 * schedule for a lambda-strongly convex objective.
 *
 * Counters (closed forms, checked by the MPI tests), per round:
 *     rounds += 1,  bytes += 8 d K,  grads_total += K batch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "algorithms/algorithm.h"

struct sgd_state {
    const struct dataset *ds;
    enum loss_kind loss;
    int64_t d;
    int batch;   /* rows per step per node (SPEC 3.3) */
    int n_nodes; /* K */
    double eta0; /* SPEC 3.3 */
    double lambda;
    int constant;   /* 1: eta_t = eta0 */
    int64_t t;      /* steps so far */
    struct rng rng; /* (seed, RNG_STREAM_SAMPLING + rank) */
    double *w;      /* synchronised parameters */
    double *buf;    /* d: the mean gradient, the one allreduce */
};

/* SPEC 3.10: sgd's own keys. */
static const struct param_def sgd_params[] = {
    {"batch", PARAM_INT, "1", 1, 1 << 30, NULL, "rows per step per node (SPEC 3.3)", 1},
    {"step_rule", PARAM_ENUM, "decaying", 0, 0, "decaying|constant",
     "eta_t = eta0 / (1 + eta0 lambda t), or eta0 throughout", 1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* eta0 = 1 / L_max (see the file comment). */
static int sgd_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / ctx->l_max;
    return 0;
}

/* The caller owns *state (free via sgd_destroy); on failure *state is NULL. */
static int sgd_create(const struct run_ctx *ctx, void **state)
{
    *state = NULL;
    if (ctx->shard->n_samples < 1)
        FAIL(ERR_INPUT, "sgd: node %d holds no rows (more nodes than samples?)", ctx->comm->rank);
    size_t d = (size_t)ctx->n_features;
    struct sgd_state *s = calloc(1, sizeof *s + 2 * d * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "sgd state for %zu features", d);
    s->w = (double *)(s + 1);
    s->buf = s->w + d;
    s->ds = ctx->shard;
    s->loss = ctx->prob.loss;
    s->d = (int64_t)d;
    s->batch = (int)params_int(ctx->params, "batch");
    s->n_nodes = ctx->comm->size;
    s->eta0 = ctx->step_size;
    s->lambda = ctx->prob.lambda;
    s->constant = params_enum(ctx->params, "step_rule") == 1; /* constant */
    rng_seed(&s->rng, ctx->seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)ctx->comm->rank);
    *state = s;
    return 0;
}

static int sgd_round(void *state, struct run_ctx *ctx)
{
    struct sgd_state *s = state;
    const struct dataset *ds = s->ds;
    memset(s->buf, 0, (size_t)s->d * sizeof *s->buf);
    double inv_b = 1.0 / s->batch;
    for (int b = 0; b < s->batch; b++) {
        int64_t i = (int64_t)rng_below(&s->rng, (uint64_t)ds->n_samples);
        double z = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            z += ds->values[p] * s->w[ds->col_idx[p]];
        double a = loss_deriv(s->loss, ds->y[i], z) * inv_b;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            s->buf[ds->col_idx[p]] += a * ds->values[p];
    }
    comm_add_work(ctx->comm, (double)s->batch);
    TRY(comm_allreduce_sum(ctx->comm, s->buf, s->d));
    /* SPEC 3.3: w = w - eta_t (mean over nodes + lambda w) */
    double eta = s->constant ? s->eta0 : s->eta0 / (1.0 + s->eta0 * s->lambda * (double)s->t);
    double inv_k = 1.0 / s->n_nodes;
    for (int64_t j = 0; j < s->d; j++)
        s->w[j] -= eta * (s->buf[j] * inv_k + s->lambda * s->w[j]);
    s->t++;
    ctx->grads_total += (int64_t)s->n_nodes * s->batch;
    return 0;
}

static int sgd_get_w(const void *state, double *w)
{
    const struct sgd_state *s = state;
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

static void sgd_destroy(void *state)
{
    free(state);
}

/* Per round (one step): one allreduce of d doubles, K batch gradients. */
static void sgd_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                         const int64_t *n_k, struct round_counts *out)
{
    (void)n_total, (void)n_k;
    out->rounds = 1;
    out->bytes = K > 1 ? 8.0 * (double)d * K : 0.0;
    out->grads = (double)K * (double)params_int(p, "batch");
}

const algorithm algorithm_sgd = {
    .name = "sgd",
    .summary = "synchronous mini-batch SGD, one allreduce per step (SPEC 3.3)",
    .centralized = 0,
    .params = sgd_params,
    .color = "#1f77b4",
    .step_rule = NULL, /* its key step_rule says */
    .counters = sgd_counters,
    .check = NULL,
    .default_step = sgd_default_step,
    .create = sgd_create,
    .round = sgd_round,
    .get_w = sgd_get_w,
    .destroy = sgd_destroy,
};
