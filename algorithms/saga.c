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

static const char *saga_check(const struct run_cfg *cfg)
{
    if (!(cfg->step_scale > 0) || cfg->step_scale > 1e300)
        return "step_scale must be a finite number > 0";
    return NULL;
}

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
                              ctx->step_size, ctx->cfg->seed, ctx->comm->rank, &s->core);
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

const algorithm algorithm_saga = {
    .name = "saga",
    .summary = "centralized SAGA on one node (SPEC 3.1), the reference",
    .centralized = 1,
    .check = saga_check,
    .default_step = saga_default_step,
    .create = saga_create,
    .round = saga_round,
    .get_w = saga_get_w,
    .destroy = saga_destroy,
};
