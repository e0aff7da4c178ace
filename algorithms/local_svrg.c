/*
 * local_svrg.c - variance-reduced local steps around a synchronised anchor
 * (FedLin-type, SPEC 3.8; Mitra et al., arXiv 2102.07053).
 *
 * One round, from the synchronised anchor z = x:
 *     every node computes grad F_k(z) over its shard (n_k gradients);
 *     one allreduce (d numbers): grad F(z) = sum_k (n_k / N) grad F_k(z)
 *     tau local steps: x_k = x_k - eta (grad f_i(x_k) - grad f_i(z)
 *                                       + grad F(z)),  i uniform in S_k,
 *         f_i = loss_i + (lambda/2) ||x||^2
 *     one allreduce (d numbers): x = mean_k x_k
 * For a linear model the local direction is
 *     (loss'_i(x_k) - loss'_i(z)) x_i + lambda x_k + g(z),
 *     g(z) = (1/N) sum_i loss'_i(z) x_i   (the loss part of grad F(z)),
 * so the anchor's loss'_i(z) are kept, one scalar per local row (computed
 * with grad F_k(z), no extra gradient), and the steps run through
 * drift_core with the fixed dense term g(z): O(nnz(x_i)) per step, one
 * component gradient per step.
 *
 * tau = period steps, or round(fraction n_k) (at least 1).
 *
 * Counters (closed forms, checked by the tests), per round:
 *     rounds += 2 (both allreduces counted),  bytes += 16 d K (two of 8 d K;
 *     0 for K = 1),  grads_total += N + sum_k tau_k.
 */
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/drift_core.h"
#include "base/error.h"
#include "base/rng.h"

struct local_svrg_state {
    const struct dataset *ds;
    enum loss_kind loss;
    int64_t d;
    int n_nodes;     /* K */
    int64_t tau;     /* SPEC 3.8: local steps per round on this node */
    int64_t tau_sum; /* sum over nodes of tau_k */
    double inv_n;    /* 1 / N */
    struct drift_core core;
    struct rng rng; /* (seed, RNG_STREAM_SAMPLING + rank) */
    double *x;      /* d: synchronised parameters; the second allreduce */
    double *g;      /* d: g(z), the first allreduce; the steps' fixed term */
    double *v;      /* d: drift_core storage */
    double *a_z;    /* n_k: loss'_i(z) of the local rows */
};

/* SPEC 3.10: local-svrg's own keys. */
static const struct param_def local_svrg_params[] = {
    {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL,
     "tau: local steps per round after the anchor gradient (100), or a fraction of the local "
     "epoch (0.5n)",
     1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* SPEC 3.8: eta = 1 / (3 L_max) (times step_scale). */
static int local_svrg_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
    return 0;
}

static void local_svrg_destroy(void *state)
{
    free(state);
}

/* Collective over ctx->comm (one uncounted allreduce for sum_k tau_k).
 * The caller owns *state (local_svrg_destroy); on failure *state is NULL. */
static int local_svrg_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    size_t n = (size_t)ctx->shard->n_samples;
    /* STYLE 4: the state and its 3d + n_k doubles in one block */
    struct local_svrg_state *s = calloc(1, sizeof *s + (3 * d + n + 1) * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "local-svrg state for %zu features, %zu rows", d, n);
    s->x = (double *)(s + 1);
    s->g = s->x + d;
    s->v = s->x + 2 * d;
    s->a_z = s->x + 3 * d;
    s->ds = ctx->shard;
    s->loss = ctx->prob.loss;
    s->d = (int64_t)d;
    s->n_nodes = ctx->comm->size;
    s->inv_n = 1.0 / (double)ctx->n_total;
    rng_seed(&s->rng, ctx->seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)ctx->comm->rank);
    drift_core_init(&s->core, ctx->shard, ctx->step_size, ctx->prob.lambda, s->v);
    if (ctx->shard->n_samples < 1)
        FAIL_GOTO(ERR_INPUT, "local-svrg: node %d holds no rows", ctx->comm->rank);
    s->tau = period_steps(params_period(ctx->params, "period"), ctx->shard->n_samples);
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
done:
    if (rc < 0) {
        local_svrg_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int local_svrg_round(void *state, struct run_ctx *ctx)
{
    struct local_svrg_state *s = state;
    const struct dataset *ds = s->ds;
    int64_t d = s->d;
    /* SPEC 3.8: the anchor z = x; this node's (1/N) sum_{i in S_k} loss'_i(z) x_i
     * (the n_k / N weight of grad F_k(z), loss part) */
    memset(s->g, 0, (size_t)d * sizeof *s->g);
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double z = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            z += ds->values[p] * s->x[ds->col_idx[p]];
        s->a_z[i] = loss_deriv(s->loss, ds->y[i], z);
        double c = s->a_z[i] * s->inv_n;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            s->g[ds->col_idx[p]] += c * ds->values[p];
    }
    comm_add_work(ctx->comm, (double)ds->n_samples);
    /* first allreduce (d numbers): grad F(z) = sum_k (n_k / N) grad F_k(z) */
    TRY(comm_allreduce_sum(ctx->comm, s->g, d));
    /* tau local steps: x_k -= eta ((loss'_i(x_k) - loss'_i(z)) x_i + lambda x_k + g(z)) */
    drift_core_start(&s->core, s->x, s->g);
    for (int64_t step = 0; step < s->tau; step++) {
        int64_t i = (int64_t)rng_below(&s->rng, (uint64_t)ds->n_samples);
        double coef = loss_deriv(s->loss, ds->y[i], drift_core_margin(&s->core, i)) - s->a_z[i];
        drift_core_step(&s->core, 1, &i, &coef);
    }
    comm_add_work(ctx->comm, (double)s->tau);
    /* second allreduce (d numbers): x = mean_k x_k */
    drift_core_get_w(&s->core, s->x);
    TRY(comm_allreduce_sum(ctx->comm, s->x, d));
    if (s->n_nodes > 1) {
        double inv_k = 1.0 / s->n_nodes;
        for (int64_t j = 0; j < d; j++)
            s->x[j] *= inv_k;
    }
    ctx->grads_total += ctx->n_total + s->tau_sum;
    return 0;
}

static int local_svrg_get_w(const void *state, double *w)
{
    const struct local_svrg_state *s = state;
    memcpy(w, s->x, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: two allreduces of d doubles (16 d K bytes; a single node sends
 * nothing), N anchor gradients plus sum_k tau_k local ones. */
static void local_svrg_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                                const int64_t *n_k, struct round_counts *out)
{
    struct period per = params_period(p, "period");
    double grads = (double)n_total;
    for (int k = 0; k < K; k++)
        grads += (double)period_steps(per, n_k[k]);
    out->rounds = 2;
    out->bytes = K > 1 ? 16.0 * (double)d * K : 0.0;
    out->grads = grads;
}

const algorithm algorithm_local_svrg = {
    .name = "local-svrg",
    .summary = "local SVRG (FedLin-type): anchor gradient allreduce, tau corrected local steps, "
               "allreduce averages x (SPEC 3.8)",
    .centralized = 0,
    .params = local_svrg_params,
    .color = "#17becf",
    .step_rule = "constant",
    .counters = local_svrg_counters,
    .check = NULL,
    .default_step = local_svrg_default_step,
    .create = local_svrg_create,
    .round = local_svrg_round,
    .get_w = local_svrg_get_w,
    .destroy = local_svrg_destroy,
};
