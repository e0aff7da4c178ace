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
 *     0 when K = 1: one node sends nothing, base/comm.c),
 *     grads_total += sum_k tau_k.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"

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

static const char *dsaga_check(const struct run_cfg *cfg)
{
    if (!(cfg->period > 0) || !isfinite(cfg->period))
        return "period must be > 0: local steps per round (e.g. 100) or a fraction "
               "of the local epoch (e.g. 0.5n)";
    if (!cfg->period_is_fraction && cfg->period < 0.5)
        return "period in steps must be at least 1 (write a fraction of the local "
               "epoch as 0.5n)";
    if (cfg->aggregate != AGG_MEAN && cfg->aggregate != AGG_SUM)
        return "aggregate must be mean or sum";
    if (!(cfg->step_scale > 0) || !isfinite(cfg->step_scale))
        return "step_scale must be a finite number > 0";
    return NULL;
}

/* SPEC 3.2: the step of saga, eta = 1 / (3 L_max) (times step_scale). */
static int dsaga_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
#ifdef DSAGA_REGRESS_SELFTEST
    /* `make regress-selftest` only: a deliberately slower dsaga (half the
     * step), which `make regress` must catch (issue 8). */
    *step *= 0.5;
#endif
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
    const struct run_cfg *cfg = ctx->cfg;
    double tau =
        cfg->period_is_fraction ? cfg->period * (double)ctx->shard->n_samples : cfg->period;
    s->tau = llround(tau);
    if (s->tau < 1)
        s->tau = 1;
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
    s->s = cfg->aggregate == AGG_SUM ? 1.0 : 1.0 / (double)ctx->comm->size;
    TRY_GOTO(saga_core_create(ctx->shard, ctx->prob.loss, ctx->prob.lambda, ctx->n_total,
                              ctx->step_size, cfg->seed, ctx->comm->rank, &s->core));
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

const algorithm algorithm_dsaga = {
    .name = "dsaga",
    .summary = "distributed SAGA: tau local steps, one allreduce of (w, g_bar) (SPEC 3.2)",
    .centralized = 0,
    .check = dsaga_check,
    .default_step = dsaga_default_step,
    .create = dsaga_create,
    .round = dsaga_round,
    .get_w = dsaga_get_w,
    .destroy = dsaga_destroy,
};
