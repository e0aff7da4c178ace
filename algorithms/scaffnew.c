/*
 * scaffnew.c - Scaffnew: ProxSkip for consensus (SPEC 3.7; Mishchenko et
 * al., arXiv 2202.09357), with the lsvrg estimator of VR-ProxSkip (arXiv
 * 2207.04338) or the full local gradient.
 *
 * Node k holds x_k and h_k (from 0; sum_k h_k = 0 stays true).  Every step,
 * on every node:
 *     xh_k = x_k - gamma (G_k(x_k) - h_k)
 *     with probability p (ONE coin, drawn alike on every node):
 *         x_k = mean_j xh_j   (one allreduce of d numbers)
 *     otherwise x_k = xh_k
 *     h_k += (p / gamma) (x_k - xh_k)       (changes only when communicating)
 * G_k estimates grad F_k, F_k(x) = (1/n_k) sum_{i in S_k} loss_i + (lambda/2) ||x||^2:
 *   lsvrg: G_k = grad f_i(x_k) - grad f_i(z_k) + grad F_k(z_k), i uniform in
 *          S_k.  Before each step z_k = x_k with probability refresh_prob
 *          (and at the very first step): a refresh costs n_k gradients and
 *          keeps loss'_i(z_k) per local row, so a step costs one.  Linear
 *          model: G_k - h_k = (loss'_i(x_k) - loss'_i(z_k)) x_i + lambda x_k
 *          + (g_k(z_k) - h_k), g_k the loss part of grad F_k; the last term
 *          is fixed between refreshes and communications, so the steps run
 *          lazily through drift_core (O(nnz(x_i)) per step).
 *   full:  G_k = grad F_k(x_k), n_k gradients a step (O(nnz_k + d)).
 * Step gamma: 1/(6 L_max) (lsvrg), 1/L with L of SPEC 3.5 (full).
 * p = comm_prob, or (comm_prob = 0) max(1/sqrt(kappa), 1/min_k n_k),
 * kappa = L / lambda with L of SPEC 3.5; refresh_prob = 0 means 1/n_k.
 *
 * A round is the local steps up to and including the next communication,
 * so the harness's checkpoints see the synchronised x (every x_k equal) and
 * a round always evaluates at least one gradient.  The coin comes from
 * (seed, RNG_STREAM_COIN), the same stream on every node; the sample picks
 * and the refresh draws from per-rank streams.
 *
 * Counters per round: rounds += 1, bytes += 8 d K (0 for K = 1); the
 * gradients are random (geometric number of steps, random refreshes): not
 * declared (< 0), summed over nodes at the end of each round instead.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/drift_core.h"
#include "algorithms/smoothness.h"
#include "base/error.h"
#include "base/rng.h"

enum { SCAFFNEW_LSVRG = 0, SCAFFNEW_FULL = 1 }; /* index in "lsvrg|full" */

struct scaffnew_state {
    const struct dataset *ds;
    enum loss_kind loss;
    int64_t d;
    int n_nodes;         /* K */
    int estimator;       /* SCAFFNEW_LSVRG or SCAFFNEW_FULL */
    double gamma;        /* step */
    double lambda;       /* SPEC 1 */
    double p;            /* communication probability, the same on every node */
    double refresh_prob; /* lsvrg: probability of z_k = x_k before a step */
    double inv_nk;       /* 1 / n_k */
    int anchored;        /* lsvrg: z_k set at least once */
    struct drift_core core;
    struct rng coin;    /* (seed, RNG_STREAM_COIN): identical on every node */
    struct rng rng;     /* (seed, RNG_STREAM_SAMPLING + rank): sample picks */
    struct rng refresh; /* (seed, RNG_STREAM_REFRESH + rank) */
    double *x;          /* d: x_k; synchronised after each round */
    double *h;          /* d: h_k */
    double *g;          /* d: lsvrg g_k(z_k); full: g_k(x_k) */
    double *drift;      /* d: lsvrg: g_k(z_k) - h_k */
    double *v;          /* d: drift_core storage */
    double *a;          /* n_k: lsvrg loss'_i(z_k); full: scratch */
    double grads;       /* this node's gradients in the current round */
};

/* SPEC 3.10: scaffnew's own keys. */
static const struct param_def scaffnew_params[] = {
    {"comm_prob", PARAM_REAL, "0", 0, 1, NULL,
     "p: probability that a step communicates; 0 = SPEC's default max(1/sqrt(L/lambda), "
     "1/min n_k)",
     1},
    {"estimator", PARAM_ENUM, "lsvrg", 0, 0, "lsvrg|full",
     "G_k: loopless SVRG (step 1/(6 L_max)) or the full local gradient (step 1/L)", 1},
    {"refresh_prob", PARAM_REAL, "0", 0, 1, NULL,
     "lsvrg: probability of a new anchor z_k = x_k before a step; 0 = 1/n_k", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* SPEC 3.7: gamma = 1/(6 L_max) for lsvrg, 1/L (SPEC 3.5) for full.
 * Collective over ctx->comm for full (the power iteration, uncounted). */
static int scaffnew_default_step(const struct run_ctx *ctx, double *step)
{
    if (params_enum(ctx->params, "estimator") == SCAFFNEW_FULL) {
        double L = 0.0;
        TRY(smoothness_l(ctx, &L));
        *step = 1.0 / L;
        return 0;
    }
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (6.0 * ctx->l_max);
    return 0;
}

static void scaffnew_destroy(void *state)
{
    free(state);
}

/* Collective over ctx->comm (uncounted: min n_k and, for the default p, the
 * power iteration of SPEC 3.5).  The caller owns *state (scaffnew_destroy);
 * on failure *state is NULL. */
static int scaffnew_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    size_t d = (size_t)ctx->n_features;
    size_t n = (size_t)ctx->shard->n_samples;
    /* STYLE 4: the state and its 5d + n_k doubles in one block */
    struct scaffnew_state *s = calloc(1, sizeof *s + (5 * d + n + 1) * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "scaffnew state for %zu features, %zu rows", d, n);
    s->x = (double *)(s + 1);
    s->h = s->x + d;
    s->g = s->x + 2 * d;
    s->drift = s->x + 3 * d;
    s->v = s->x + 4 * d;
    s->a = s->x + 5 * d;
    s->ds = ctx->shard;
    s->loss = ctx->prob.loss;
    s->d = (int64_t)d;
    s->n_nodes = ctx->comm->size;
    s->estimator = params_enum(ctx->params, "estimator");
    s->gamma = ctx->step_size;
    s->lambda = ctx->prob.lambda;
    rng_seed(&s->coin, ctx->seed, (uint64_t)RNG_STREAM_COIN);
    rng_seed(&s->rng, ctx->seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)ctx->comm->rank);
    rng_seed(&s->refresh, ctx->seed, (uint64_t)RNG_STREAM_REFRESH + (uint64_t)ctx->comm->rank);
    drift_core_init(&s->core, ctx->shard, s->gamma, s->lambda, s->v);
    if (n < 1)
        FAIL_GOTO(ERR_INPUT, "scaffnew: node %d holds no rows", ctx->comm->rank);
    s->inv_nk = 1.0 / (double)n;
    s->refresh_prob = params_real(ctx->params, "refresh_prob");
    if (s->refresh_prob <= 0) /* SPEC 3.7's default: 1 / n_k */
        s->refresh_prob = s->inv_nk;
    s->p = params_real(ctx->params, "comm_prob");
    if (s->p <= 0) {
        /* SPEC 3.7's default: 1/sqrt(kappa), kappa = L / lambda, at least
         * 1/n_k; the largest 1/n_k so that the floor holds on every node and
         * p is the same everywhere */
        double max_inv_nk = s->inv_nk; /* setup traffic: not counted (SPEC 4) */
        TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &max_inv_nk, 1, MPI_MAX));
        double p = max_inv_nk;
        if (s->lambda > 0) {
            double L = 0.0;
            TRY_GOTO(smoothness_l(ctx, &L));
            p = fmax(p, 1.0 / sqrt(L / s->lambda));
        }
        s->p = fmin(p, 1.0);
    }
done:
    if (rc < 0) {
        scaffnew_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* lsvrg: z_k = x_k (x_k given in x): a[i] = loss'_i(z_k), g = g_k(z_k),
 * drift = g - h, and a new drift_core phase at x_k.  n_k gradients. */
static void scaffnew_anchor(struct scaffnew_state *s)
{
    const struct dataset *ds = s->ds;
    memset(s->g, 0, (size_t)s->d * sizeof *s->g);
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double z = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            z += ds->values[p] * s->x[ds->col_idx[p]];
        s->a[i] = loss_deriv(s->loss, ds->y[i], z);
        double c = s->a[i] * s->inv_nk;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            s->g[ds->col_idx[p]] += c * ds->values[p];
    }
    for (int64_t j = 0; j < s->d; j++)
        s->drift[j] = s->g[j] - s->h[j];
    drift_core_start(&s->core, s->x, s->drift);
    s->grads += (double)ds->n_samples;
    s->anchored = 1;
}

/* lsvrg local steps until the coin says communicate; xh_k of the
 * communication step is left in s->x. */
static void scaffnew_steps_lsvrg(struct scaffnew_state *s)
{
    const struct dataset *ds = s->ds;
    /* before the round's first step, x_k synchronised: z_k = x_k with
     * probability refresh_prob (always the first time), else a new phase
     * with the new h_k */
    if (rng_uniform(&s->refresh) < s->refresh_prob || !s->anchored) {
        scaffnew_anchor(s);
    } else {
        for (int64_t j = 0; j < s->d; j++)
            s->drift[j] = s->g[j] - s->h[j];
        drift_core_start(&s->core, s->x, s->drift);
    }
    for (;;) {
        /* xh_k = x_k - gamma ((loss'_i(x_k) - loss'_i(z_k)) x_i + lambda x_k
         *                     + g_k(z_k) - h_k) */
        int64_t i = (int64_t)rng_below(&s->rng, (uint64_t)ds->n_samples);
        double coef = loss_deriv(s->loss, ds->y[i], drift_core_margin(&s->core, i)) - s->a[i];
        drift_core_step(&s->core, 1, &i, &coef);
        s->grads += 1.0;
        if (rng_uniform(&s->coin) < s->p)
            break;
        /* no communication: x_k = xh_k, h_k unchanged; before the next step
         * z_k = x_k with probability refresh_prob */
        if (rng_uniform(&s->refresh) < s->refresh_prob) {
            drift_core_get_w(&s->core, s->x);
            scaffnew_anchor(s);
        }
    }
    drift_core_get_w(&s->core, s->x);
}

/* full: local gradient steps until the coin says communicate; xh_k of the
 * communication step is left in s->x. */
static void scaffnew_steps_full(struct scaffnew_state *s)
{
    const struct dataset *ds = s->ds;
    for (;;) {
        /* xh_k = x_k - gamma (g_k(x_k) + lambda x_k - h_k) */
        memset(s->g, 0, (size_t)s->d * sizeof *s->g);
        for (int64_t i = 0; i < ds->n_samples; i++) {
            double z = 0.0;
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                z += ds->values[p] * s->x[ds->col_idx[p]];
            double c = loss_deriv(s->loss, ds->y[i], z) * s->inv_nk;
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                s->g[ds->col_idx[p]] += c * ds->values[p];
        }
        for (int64_t j = 0; j < s->d; j++)
            s->x[j] -= s->gamma * (s->g[j] + s->lambda * s->x[j] - s->h[j]);
        s->grads += (double)ds->n_samples;
        if (rng_uniform(&s->coin) < s->p)
            break;
    }
}

static int scaffnew_round(void *state, struct run_ctx *ctx)
{
    struct scaffnew_state *s = state;
    int64_t d = s->d;
    s->grads = 0.0;
    if (s->estimator == SCAFFNEW_FULL)
        scaffnew_steps_full(s);
    else
        scaffnew_steps_lsvrg(s);
    comm_add_work(ctx->comm, s->grads);
    /* the communication step: x_k = mean_j xh_j, h_k += (p / gamma)(x_k - xh_k);
     * xh_k is kept in drift (free until the next phase starts) */
    double *xh = s->drift;
    memcpy(xh, s->x, (size_t)d * sizeof *xh);
    TRY(comm_allreduce_sum(ctx->comm, s->x, d));
    double inv_k = 1.0 / s->n_nodes;
    double ratio = s->p / s->gamma;
    for (int64_t j = 0; j < d; j++) {
        s->x[j] = s->n_nodes > 1 ? s->x[j] * inv_k : xh[j];
        s->h[j] += ratio * (s->x[j] - xh[j]);
    }
    /* gradients of all nodes this round: uncounted (a count, not the
     * algorithm's traffic, SPEC 4) */
    double grads = s->grads;
    TRY(comm_allreduce_uncounted(ctx->comm, &grads, 1, MPI_SUM));
    ctx->grads_total += (int64_t)grads;
    return 0;
}

static int scaffnew_get_w(const void *state, double *w)
{
    const struct scaffnew_state *s = state;
    memcpy(w, s->x, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: one allreduce of d doubles (8 d K bytes; a single node sends
 * nothing); the gradients are random (not declared). */
static void scaffnew_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                              const int64_t *n_k, struct round_counts *out)
{
    (void)p, (void)n_total, (void)n_k;
    out->rounds = 1;
    out->bytes = K > 1 ? 8.0 * (double)d * K : 0.0;
    out->grads = -1;
}

const algorithm algorithm_scaffnew = {
    .name = "scaffnew",
    .summary = "Scaffnew / ProxSkip: local steps with control h_k, allreduce of x when a shared "
               "coin says so (SPEC 3.7)",
    .centralized = 0,
    .params = scaffnew_params,
    .color = "#e377c2",
    .step_rule = "constant",
    .counters = scaffnew_counters,
    .check = NULL,
    .default_step = scaffnew_default_step,
    .create = scaffnew_create,
    .round = scaffnew_round,
    .get_w = scaffnew_get_w,
    .destroy = scaffnew_destroy,
};
