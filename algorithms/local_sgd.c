/*
 * local_sgd.c - local SGD with model averaging (SPEC 3.4).
 *
 * Each round every node makes tau local SGD steps on its own shard
 * (`batch` rows each, drawn uniformly with replacement):
 *     w_k = w_k - eta_t (mean gradient of the batch + lambda w_k),
 *     eta_t = eta0 / (1 + eta0 lambda t)  (t = local steps so far, from 0),
 *             or eta0 when step_rule = constant; eta0 = 1 / L_max as in sgd.c,
 * then one counted allreduce of d numbers averages the parameters:
 *     w = (1/K) sum_k w_k.
 * tau = period steps, or round(period * n_k / batch) (at least 1) when the
 * period is a fraction of the local epoch: a fraction 0.5 is half of this
 * node's rows in component gradients, as in dsaga.
 *
 * Sparse steps cost O(batch nnz): w_k = scale * v with the shrinkage in
 * scale, renormalised before it falls under 1e-9 (as in saga_core.c).
 *
 * Counters (closed forms, checked by the MPI tests), per round:
 *     rounds += 1,  bytes += 8 d K,  grads_total += batch sum_k tau_k.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "algorithms/algorithm.h"

#define LOCAL_SGD_MIN_SCALE 1e-9

struct local_sgd_state {
    const struct dataset *ds;
    enum loss_kind loss;
    int64_t d;
    int batch;       /* rows per local step (SPEC 3.4) */
    int n_nodes;     /* K */
    int64_t tau;     /* local steps per round on this node */
    int64_t tau_sum; /* sum over nodes of tau_k */
    double eta0;
    double lambda;
    int constant;   /* 1: eta_t = eta0 */
    int64_t t;      /* local steps so far */
    struct rng rng; /* (seed, RNG_STREAM_SAMPLING + rank) */
    double *w;      /* d: synchronised parameters; the allreduce buffer */
    double *v;      /* d: w_k / scale during the local phase */
    double *a;      /* batch: loss' of the rows of the current step */
    int64_t *rows;  /* batch: the rows of the current step */
};

/* SPEC 3.10: local-sgd's own keys. */
static const struct param_def local_sgd_params[] = {
    {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL,
     "local steps per round (100), or gradients per round as a fraction of n_k (0.5n: "
     "tau = 0.5 n_k / batch)",
     1},
    {"batch", PARAM_INT, "1", 1, 1 << 30, NULL, "rows per local step per node", 1},
    {"step_rule", PARAM_ENUM, "decaying", 0, 0, "decaying|constant",
     "eta_t = eta0 / (1 + eta0 lambda t), or eta0 throughout", 1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* tau on a node of n_k rows: steps, or round(fraction n_k / batch), >= 1. */
static int64_t local_sgd_tau(const struct params *p, int64_t n_k)
{
    struct period per = params_period(p, "period");
    if (per.is_fraction)
        per.value /= (double)params_int(p, "batch");
    return period_steps(per, n_k);
}

/* eta0 = 1 / L_max (see sgd.c). */
static int local_sgd_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / ctx->l_max;
    return 0;
}

static void local_sgd_destroy(void *state)
{
    free(state);
}

/* Collective over ctx->comm (one uncounted allreduce for sum_k tau_k).
 * The caller owns *state; on failure *state is NULL. */
static int local_sgd_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    size_t b = (size_t)params_int(ctx->params, "batch");
    struct local_sgd_state *s =
        calloc(1, sizeof *s + (2 * d + b) * sizeof(double) + b * sizeof(int64_t));
    if (!s)
        FAIL(ERR_NOMEM, "local-sgd state for %zu features", d);
    s->w = (double *)(s + 1);
    s->v = s->w + d;
    s->a = s->w + 2 * d;
    s->rows = (int64_t *)(s->a + b);
    s->ds = ctx->shard;
    s->loss = ctx->prob.loss;
    s->d = (int64_t)d;
    s->batch = (int)b;
    s->n_nodes = ctx->comm->size;
    s->eta0 = ctx->step_size;
    s->lambda = ctx->prob.lambda;
    s->constant = params_enum(ctx->params, "step_rule") == 1; /* constant */
    rng_seed(&s->rng, ctx->seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)ctx->comm->rank);
    if (ctx->shard->n_samples < 1)
        FAIL_GOTO(ERR_INPUT, "local-sgd: node %d holds no rows", ctx->comm->rank);
    s->tau = local_sgd_tau(ctx->params, ctx->shard->n_samples);
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
done:
    if (rc < 0) {
        local_sgd_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int local_sgd_round(void *state, struct run_ctx *ctx)
{
    struct local_sgd_state *s = state;
    const struct dataset *ds = s->ds;
    int64_t d = s->d;
    memcpy(s->v, s->w, (size_t)d * sizeof *s->v);
    double scale = 1.0; /* w_k = scale * v */
    double inv_b = 1.0 / s->batch;
    for (int64_t step = 0; step < s->tau; step++) {
        /* gradients of the batch, all at the same w_k */
        for (int b = 0; b < s->batch; b++) {
            int64_t i = (int64_t)rng_below(&s->rng, (uint64_t)ds->n_samples);
            double dot = 0.0;
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                dot += ds->values[p] * s->v[ds->col_idx[p]];
            s->rows[b] = i;
            s->a[b] = loss_deriv(s->loss, ds->y[i], scale * dot) * inv_b;
        }
        double eta = s->constant ? s->eta0 : s->eta0 / (1.0 + s->eta0 * s->lambda * (double)s->t);
        double beta = 1.0 - eta * s->lambda; /* w_k = beta w_k - eta grad */
        if (beta >= 0.5) {
            scale *= beta;
        } else { /* a huge step: shrink eagerly rather than underflow scale */
            for (int64_t j = 0; j < d; j++)
                s->v[j] *= scale * beta;
            scale = 1.0;
        }
        double c = eta / scale;
        for (int b = 0; b < s->batch; b++) {
            int64_t i = s->rows[b];
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                s->v[ds->col_idx[p]] -= c * s->a[b] * ds->values[p];
        }
        if (scale < LOCAL_SGD_MIN_SCALE) {
            for (int64_t j = 0; j < d; j++)
                s->v[j] *= scale;
            scale = 1.0;
        }
        s->t++;
    }
    comm_add_work(ctx->comm, (double)(s->tau * s->batch));
    /* SPEC 3.4: one allreduce averages the parameters */
    for (int64_t j = 0; j < d; j++)
        s->w[j] = scale * s->v[j];
    TRY(comm_allreduce_sum(ctx->comm, s->w, d));
    if (s->n_nodes > 1) {
        double inv_k = 1.0 / s->n_nodes;
        for (int64_t j = 0; j < d; j++)
            s->w[j] *= inv_k;
    }
    ctx->grads_total += s->tau_sum * s->batch;
    return 0;
}

static int local_sgd_get_w(const void *state, double *w)
{
    const struct local_sgd_state *s = state;
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: one allreduce of d doubles, batch sum_k tau_k gradients. */
static void local_sgd_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                               const int64_t *n_k, struct round_counts *out)
{
    (void)n_total;
    double grads = 0.0;
    for (int k = 0; k < K; k++)
        grads += (double)local_sgd_tau(p, n_k[k]);
    out->rounds = 1;
    out->bytes = K > 1 ? 8.0 * (double)d * K : 0.0;
    out->grads = grads * (double)params_int(p, "batch");
}

const algorithm algorithm_local_sgd = {
    .name = "local-sgd",
    .summary = "local SGD: tau local steps, then one allreduce averages w (SPEC 3.4)",
    .centralized = 0,
    .params = local_sgd_params,
    .color = "#2ca02c",
    .step_rule = NULL, /* its key step_rule says */
    .counters = local_sgd_counters,
    .check = NULL,
    .default_step = local_sgd_default_step,
    .create = local_sgd_create,
    .round = local_sgd_round,
    .get_w = local_sgd_get_w,
    .destroy = local_sgd_destroy,
};
