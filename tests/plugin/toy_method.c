/*
 * toy_method.c - a method that exists only in this test file (issue 15):
 * heavy-ball gradient descent, `sweeps` full-gradient steps per round, each
 * with one allreduce of d numbers:
 *     g = sum_k (1/N) sum_{i in S_k} loss'_i x_i + lambda w
 *     v = momentum v - eta g,   w = w + v
 * Its two keys (momentum, sweeps) exist nowhere else.  Linked after the
 * registry as `algorithm_extra` into build/tests/dsaga-bench-plugin, it must
 * run through `run`, a grid, HDF5 and a figure with no other file touched:
 * tests/mpi/test_plugin.sh checks that.
 */
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "base/error.h"

static const struct param_def toy_params[] = {
    {"momentum", PARAM_REAL, "0.5", 0, 0.99, NULL, "heavy-ball coefficient beta", 1},
    {"sweeps", PARAM_INT, "2", 1, 100, NULL, "full-gradient steps per round", 1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

struct toy_state {
    int64_t d;
    double beta;
    int sweeps;
    double *w; /* d */
    double *v; /* d: velocity */
    double *g; /* d: the allreduce buffer */
    double *z; /* n_k: margins scratch */
};

/* 1 / L_max: safe for every component, so for the mean. */
static int toy_default_step(const struct run_ctx *ctx, double *step)
{
    *step = 1.0 / ctx->l_max;
    return 0;
}

static void toy_destroy(void *state)
{
    free(state);
}

static int toy_create(const struct run_ctx *ctx, void **state)
{
    size_t d = (size_t)ctx->n_features;
    size_t n = (size_t)(ctx->shard->n_samples > 0 ? ctx->shard->n_samples : 1);
    struct toy_state *s = calloc(1, sizeof *s + (3 * d + n) * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "toy state");
    s->d = (int64_t)d;
    s->beta = params_real(ctx->params, "momentum");
    s->sweeps = (int)params_int(ctx->params, "sweeps");
    s->w = (double *)(s + 1);
    s->v = s->w + d;
    s->g = s->v + d;
    s->z = s->g + d;
    *state = s;
    return 0;
}

static int toy_round(void *state, struct run_ctx *ctx)
{
    struct toy_state *s = state;
    for (int k = 0; k < s->sweeps; k++) {
        objective_local(&ctx->prob, s->w, s->g, s->z);
        comm_add_work(ctx->comm, (double)ctx->shard->n_samples);
        TRY(comm_allreduce_sum(ctx->comm, s->g, s->d));
        for (int64_t j = 0; j < s->d; j++) {
            s->v[j] = s->beta * s->v[j] - ctx->step_size * (s->g[j] + ctx->prob.lambda * s->w[j]);
            s->w[j] += s->v[j];
        }
        ctx->grads_total += ctx->n_total;
    }
    return 0;
}

static int toy_get_w(const void *state, double *w)
{
    const struct toy_state *s = state;
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

static void toy_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                         const int64_t *n_k, struct round_counts *out)
{
    (void)n_k;
    double sweeps = (double)params_int(p, "sweeps");
    out->rounds = sweeps;
    out->bytes = K > 1 ? sweeps * 8.0 * (double)d * K : 0.0;
    out->grads = sweeps * (double)n_total;
}

const algorithm algorithm_toy = {
    .name = "toy-hb",
    .summary = "heavy-ball gradient descent, defined only in tests/plugin/toy_method.c",
    .centralized = 0,
    .params = toy_params,
    .color = "#bcbd22", /* not a registered method's colour */
    .step_rule = "constant",
    .check = NULL,
    .default_step = toy_default_step,
    .create = toy_create,
    .round = toy_round,
    .get_w = toy_get_w,
    .destroy = toy_destroy,
    .counters = toy_counters,
};

/* The registry's link-time extension point (algorithms/registry.c). */
const algorithm *const algorithm_extra[] = {&algorithm_toy, NULL};
