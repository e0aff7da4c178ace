/*
 * scaffold.c - SCAFFOLD with full participation and the control variates
 * of its option II (SPEC 3.6; Karimireddy et al., arXiv 1910.06378).
 *
 * Server state x, c; node k holds c_k (all d-vectors, from 0).  One round:
 *     y = x; tau times: draw `batch` rows of S_k (uniform, with replacement),
 *         y = y - eta (g_B(y) - c_k + c),  g_B: their mean loss gradient
 *                                                + lambda y
 *     c_k+ = c_k - c + (x - y) / (tau eta)
 *     one allreduce of 2d numbers: sum_k (y - x), sum_k (c_k+ - c_k)
 *     x += server_step mean_k (y - x);  c += mean_k (c_k+ - c_k);  c_k = c_k+
 * The local steps run through drift_core (O(batch nnz) per step): the dense
 * term c - c_k is fixed for the round and lambda y is the shrinkage.
 *
 * tau = period steps, or round(fraction n_k / batch) (at least 1) when the
 * period is a fraction of the local epoch, as for local-sgd: a fraction
 * counts component gradients.
 *
 * Counters (closed forms, checked by the tests), per round:
 *     rounds += 1,  bytes += 16 d K (0 for K = 1),
 *     grads_total += batch sum_k tau_k.
 */
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/drift_core.h"
#include "base/error.h"
#include "base/rng.h"

struct scaffold_state {
    const struct dataset *ds;
    enum loss_kind loss;
    int64_t d;
    int batch;          /* rows per local step */
    int n_nodes;        /* K */
    int64_t tau;        /* local steps per round on this node */
    int64_t tau_sum;    /* sum over nodes of tau_k */
    double eta;         /* local step */
    double server_step; /* eta_g */
    struct drift_core core;
    struct rng rng; /* (seed, RNG_STREAM_SAMPLING + rank) */
    double *x;      /* d: server parameters (same on every node) */
    double *c;      /* d: server control variate */
    double *c_k;    /* d: this node's control variate */
    double *drift;  /* d: c - c_k, the round's fixed dense term */
    double *v;      /* d: drift_core storage */
    double *buf;    /* 2d: (y - x, c_k+ - c_k), the one allreduce */
    double *coef;   /* batch: loss' / batch of the step's rows */
    int64_t *rows;  /* batch */
};

/* SPEC 3.10: scaffold's own keys. */
static const struct param_def scaffold_params[] = {
    {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL,
     "tau: local steps per round (100), or gradients per round as a fraction of n_k (0.1n: "
     "tau = 0.1 n_k / batch)",
     1},
    {"batch", PARAM_INT, "1", 1, 1 << 30, NULL, "rows per local step per node", 1},
    {"server_step", PARAM_REAL, "1", 1e-6, 1e3, NULL, "eta_g: x += server_step mean_k (y_k - x)",
     1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* tau on a node of n_k rows: steps, or round(fraction n_k / batch), >= 1. */
static int64_t scaffold_tau(const struct params *p, int64_t n_k)
{
    struct period per = params_period(p, "period");
    if (per.is_fraction)
        per.value /= (double)params_int(p, "batch");
    return period_steps(per, n_k);
}

/* SPEC 3.6: eta = 1 / (3 L_max), constant. */
static int scaffold_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
    return 0;
}

static void scaffold_destroy(void *state)
{
    free(state);
}

/* Collective over ctx->comm (one uncounted allreduce for sum_k tau_k).
 * The caller owns *state (scaffold_destroy); on failure *state is NULL. */
static int scaffold_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    size_t b = (size_t)params_int(ctx->params, "batch");
    /* STYLE 4: the state, its 7d + batch doubles and batch rows in one block */
    struct scaffold_state *s =
        calloc(1, sizeof *s + (7 * d + b) * sizeof(double) + b * sizeof(int64_t));
    if (!s)
        FAIL(ERR_NOMEM, "scaffold state for %zu features", d);
    s->x = (double *)(s + 1);
    s->c = s->x + d;
    s->c_k = s->x + 2 * d;
    s->drift = s->x + 3 * d;
    s->v = s->x + 4 * d;
    s->buf = s->x + 5 * d;
    s->coef = s->x + 7 * d;
    s->rows = (int64_t *)(s->coef + b);
    s->ds = ctx->shard;
    s->loss = ctx->prob.loss;
    s->d = (int64_t)d;
    s->batch = (int)b;
    s->n_nodes = ctx->comm->size;
    s->eta = ctx->step_size;
    s->server_step = params_real(ctx->params, "server_step");
    rng_seed(&s->rng, ctx->seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)ctx->comm->rank);
    drift_core_init(&s->core, ctx->shard, s->eta, ctx->prob.lambda, s->v);
    if (ctx->shard->n_samples < 1)
        FAIL_GOTO(ERR_INPUT, "scaffold: node %d holds no rows", ctx->comm->rank);
    s->tau = scaffold_tau(ctx->params, ctx->shard->n_samples);
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
done:
    if (rc < 0) {
        scaffold_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int scaffold_round(void *state, struct run_ctx *ctx)
{
    struct scaffold_state *s = state;
    const struct dataset *ds = s->ds;
    int64_t d = s->d;
    /* SPEC 3.6: y = x; the fixed dense term of the local steps is c - c_k */
    for (int64_t j = 0; j < d; j++)
        s->drift[j] = s->c[j] - s->c_k[j];
    drift_core_start(&s->core, s->x, s->drift);
    double inv_b = 1.0 / s->batch;
    for (int64_t step = 0; step < s->tau; step++) {
        /* y = y - eta (g_B(y) - c_k + c): every row's loss' at the same y */
        for (int b = 0; b < s->batch; b++) {
            int64_t i = (int64_t)rng_below(&s->rng, (uint64_t)ds->n_samples);
            s->rows[b] = i;
            s->coef[b] = loss_deriv(s->loss, ds->y[i], drift_core_margin(&s->core, i)) * inv_b;
        }
        drift_core_step(&s->core, s->batch, s->rows, s->coef);
    }
    comm_add_work(ctx->comm, (double)(s->tau * s->batch));
    /* buf = (y - x, c_k+ - c_k), c_k+ - c_k = -c + (x - y) / (tau eta) */
    double *dy = s->buf, *dc = s->buf + d;
    drift_core_get_w(&s->core, dy);
    double inv_te = 1.0 / ((double)s->tau * s->eta);
    for (int64_t j = 0; j < d; j++) {
        dy[j] -= s->x[j];
        dc[j] = -s->c[j] - dy[j] * inv_te;
        s->c_k[j] += dc[j]; /* c_k = c_k+ */
    }
    /* one allreduce of 2d numbers */
    TRY(comm_allreduce_sum(ctx->comm, s->buf, 2 * d));
    /* x += server_step mean_k (y - x);  c += mean_k (c_k+ - c_k) */
    double inv_k = 1.0 / s->n_nodes;
    for (int64_t j = 0; j < d; j++) {
        s->x[j] += s->server_step * inv_k * dy[j];
        s->c[j] += inv_k * dc[j];
    }
    ctx->grads_total += s->tau_sum * s->batch;
    return 0;
}

static int scaffold_get_w(const void *state, double *w)
{
    const struct scaffold_state *s = state;
    memcpy(w, s->x, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: one allreduce of 2d doubles (16 d K bytes; a single node sends
 * nothing), batch sum_k tau_k gradients. */
static void scaffold_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                              const int64_t *n_k, struct round_counts *out)
{
    (void)n_total;
    double grads = 0.0;
    for (int k = 0; k < K; k++)
        grads += (double)scaffold_tau(p, n_k[k]);
    out->rounds = 1;
    out->bytes = K > 1 ? 16.0 * (double)d * K : 0.0;
    out->grads = grads * (double)params_int(p, "batch");
}

const algorithm algorithm_scaffold = {
    .name = "scaffold",
    .summary = "SCAFFOLD (option II): tau local steps corrected by c - c_k, one allreduce of "
               "(y - x, c_k+ - c_k) (SPEC 3.6)",
    .centralized = 0,
    .params = scaffold_params,
    .color = "#ff7f0e",
    .step_rule = "constant",
    .counters = scaffold_counters,
    .check = NULL,
    .default_step = scaffold_default_step,
    .create = scaffold_create,
    .round = scaffold_round,
    .get_w = scaffold_get_w,
    .destroy = scaffold_destroy,
};
