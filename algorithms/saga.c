/*
 * saga.c - centralized SAGA (SPEC 3.1): SPEC 2 on one node holding every
 * row; the reference every distributed method is compared with.
 *
 * Rounds: saga has no natural rounds; one call of round runs steps until
 * ctx->grads_total reaches ctx->grads_target (the runner's next checkpoint).
 * Counters (closed forms, checked by the MPI tests): saga makes no
 * collective, so rounds = 0 and bytes = 0 at every checkpoint; each step is
 * one component gradient, so grads_total advances by the steps made.
 */
#include <stdlib.h>

#include "base/error.h"
#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"

struct saga_state {
    struct saga_core *core;
};

/* SPEC 2: eta = 1 / (3 L_max). */
static int saga_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
    return 0;
}

/* The caller owns *state (saga_destroy); on failure *state is NULL. */
static int saga_create(const struct run_ctx *ctx, void **state)
{
    *state = NULL;
    struct saga_state *s = calloc(1, sizeof *s);
    if (!s)
        FAIL(ERR_NOMEM, "saga state");
    int rc = saga_core_create(ctx->shard, ctx->prob.loss, ctx->prob.lambda, ctx->n_total,
                              ctx->step_size, ctx->seed, ctx->comm->rank, &s->core);
    if (rc < 0) {
        free(s);
        TRY(rc);
    }
    *state = s;
    return 0;
}

/* Steps up to the next checkpoint (at least one step, so a round always
 * makes progress). */
static int saga_round(void *state, struct run_ctx *ctx)
{
    struct saga_state *s = state;
    int64_t n_steps = ctx->grads_target - ctx->grads_total;
    if (n_steps < 1)
        n_steps = 1;
    saga_core_steps(s->core, n_steps);
    ctx->grads_total += n_steps;
    comm_add_work(ctx->comm, (double)n_steps); /* network model: compute only */
    return 0;
}

/* Read-only materialisation: checkpoints never perturb the iterates. */
static int saga_get_w(const void *state, double *w)
{
    saga_core_get_w(((const struct saga_state *)state)->core, w);
    return 0;
}

static void saga_destroy(void *state)
{
    struct saga_state *s = state;
    if (!s)
        return;
    saga_core_destroy(s->core);
    free(s);
}

/* No declared keys: saga has no period, aggregate or batch (SPEC 3.1). */
static const struct param_def saga_params[] = {
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* No communication; a round runs to the next checkpoint, so its gradients
 * are not fixed (SPEC 4: steps up to the next checkpoint). */
static void saga_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                          const int64_t *n_k, struct round_counts *out)
{
    (void)p, (void)K, (void)d, (void)n_total, (void)n_k;
    out->rounds = 0;
    out->bytes = 0;
    out->grads = -1;
}

const algorithm algorithm_saga = {
    .name = "saga",
    .summary = "centralized SAGA on one node (SPEC 3.1), the reference",
    .centralized = 1,
    .params = saga_params,
    .color = "#000000",
    .step_rule = "constant",
    .counters = saga_counters,
    .check = NULL,
    .default_step = saga_default_step,
    .create = saga_create,
    .round = saga_round,
    .get_w = saga_get_w,
    .destroy = saga_destroy,
};
