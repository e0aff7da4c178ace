/*
 * dsaga.c - distributed SAGA with limited communication (SPEC 3.2).
 *
 * Each round: tau local SAGA steps on a private copy (w_k, g_k) started at
 * the synchronised (w, g_bar) (saga_core), then ONE counted allreduce of a
 * single buffer of 2d doubles holding (w_k - w, g_k - g_bar), then
 *     g_bar += sum_k (g_k - g_bar)          (SPEC 3.2 step 2: exact again)
 *     w     += s sum_k (w_k - w),  s = 1 (sum) or 1/K (mean).
 * With K = 1 the synchronisation is a counted round that sends and changes
 * nothing (w is read from the core itself): the lazy state is left
 * untouched, so dsaga K = 1 makes the very steps of saga with the same
 * seed (STYLE 6: w + (w_k - w) need not equal w_k).
 *
 * tau = period steps, or round(period * n_k) (at least 1) when the period
 * is a fraction of the local epoch.
 *
 * Sparse synchronisation (issue 18, `sync = sparse`, or `auto` when the
 * expected touched coordinates make it cheaper): a coordinate that no row
 * of node k touched in the round moved by the closed-form shrink-and-drift
 * of the lazy step, the same map on every coordinate, so node k sends only
 * its touched coordinates (j, e_k[j], g_k[j] - g_bar[j]) plus two scalars
 * (saga_core.c derives e_k and the update; the result equals the dense
 * synchronisation to rounding).  Two collectives per round: an allgather
 * of each node's header {m_k, A_k, B_k} (3 doubles), then an allgatherv of
 * the m_k triples, which every node applies in rank order, so the
 * synchronised state is identical everywhere.  Chosen over an allreduce on
 * the union of touched indices (which needs the index sets exchanged
 * first, then 16 bytes per union coordinate per node): one data collective,
 * 24 bytes per touched coordinate and node, and no reliance on a reduction
 * giving the same bits on every rank.  A round falls back to the dense
 * allreduce (after the header) when a node flushed its lazy state, when
 * the sparse payload would exceed the dense one (auto: a fraction of it,
 * SYNC_AUTO_FRACTION, the measured crossover), or when the untouched map has
 * no lazy form (aggregate = sum with a large K tau).
 *
 * refresh = late (the suite's cheaper variant of it): the record of rows
 * restarts after tau/2 steps, so only the rows drawn in the round's second
 * half are refreshed, at about half the extra gradients (notes/refresh.md;
 * chosen because those memories were taken at the iterates that drifted
 * furthest, but a random half of the visited rows does as well: below).
 *
 * refresh_fraction = p < 1 (the suite's, issue 21): each recorded row is
 * refreshed with chance p, independently (saga_core_visits_thin, a stream
 * of its own per node, RNG_STREAM_THIN + rank, so the steps' draws are
 * those of p = 1); the others keep the memory their draw took at the
 * node's iterate, as without refresh.  p = 1 is visited (or late) bit for
 * bit, p = 0 plain dsaga.  Measured (notes/refresh.md, "How many rows,
 * not which"): at equal extra gradients a random fraction of the visited
 * rows and late's second half give the same tails, so what sets the tail
 * is how many memories are re-taken, not which.
 *
 * refresh = visited (SPEC 3.2b): each round starts by re-evaluating, at the
 * synchronised w, the stored gradients of the distinct rows the node drew
 * in the previous round (saga_core_refresh; O(nnz) each on sparse rows, the
 * lazy state brought up to date only there); the deltas enter g_k as a
 * step's do, so the synchronisation sends them with the round's own.  With
 * K = 1 it is no longer saga: every tau steps, the rows drawn in the last
 * tau steps have their stored gradients re-taken at the current iterate
 * (a SAGA whose memory is partly reset to a snapshot, as SVRG's is wholly;
 * it costs up to tau more gradients per tau steps).
 *
 * Counters (closed forms, checked by the MPI tests), per round:
 *     dense:  rounds += 1,  bytes += 16 d K  (2d doubles, 8 bytes each, K nodes;
 *                                    0 for K = 1: one node sends nothing),
 *     sparse: rounds += 2,  bytes += 24 K + 24 sum_k m_k  (header, triples);
 *             where the headers decide dense (a node flushed, too many
 *             triples, a <= 0) the triples are not sent: rounds += 2,
 *             bytes += 24 K + 16 d K (header, dense allreduce); where
 *             applying the triples falls back, all three: rounds += 3,
 *             bytes += 24 K + 24 sum_k m_k + 16 d K,
 *     grads_total += sum_k tau_k  (refresh = visited | late: + sum_k of the
 *                                  rows refreshed, counted by an uncounted
 *                                  allreduce of one number; no closed form;
 *                                  refresh_fraction = 0: none).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"
#include "base/error.h"
#include "base/rng.h"

/* auto: sparse when the (expected) sparse payload, 3 doubles per touched
 * coordinate and node, is below this fraction of the dense 2d per node
 * (the crossover measured by bench/bench_sync, notes/speed.md). */
#define SYNC_AUTO_FRACTION 0.25

struct dsaga_state {
    struct saga_core *core; /* w_k, g_k, this node's alpha_i */
    int sparse;             /* 1: sparse synchronisation (K > 1, sparse data) */
    double sparse_limit;    /* sparse rounds only while 3 sum_k m_k <= this */
    double *sbuf;           /* sparse: this node's triples (<= 2d doubles) */
    double *hdrs;           /* sparse: 3 K doubles, every node's header */
    int *counts;            /* sparse: K, 3 m_k */
    int *displs;            /* sparse: K */
    int64_t d;
    int single;      /* K = 1: no synchronisation state, w read from the core */
    int refresh;     /* SPEC 3.2b: REFRESH_NONE, _VISITED or _LATE */
    double fraction; /* refresh_fraction: the chance a recorded row is refreshed */
    struct rng thin; /* (seed, RNG_STREAM_THIN + rank): which rows, p < 1 */
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
    {"sync", PARAM_ENUM, "dense", 0, 0, "auto|dense|sparse",
     "synchronise all 2d numbers, only the coordinates the round touched, or "
     "choose from the data (issue 18)",
     0},
    {"refresh", PARAM_ENUM, "none", 0, 0, "none|visited|late",
     "re-evaluate, at the synchronised w, the stored gradients of the rows "
     "drawn in the previous round (visited, SPEC 3.2b) or in its second half (late)",
     1},
    {"refresh_fraction", PARAM_REAL, "1", 0, 1, NULL,
     "the chance each row the refresh would re-take is re-taken (at random, per row and round; "
     "1 all of them, 0 none); read only with refresh = visited or late",
     1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

enum { DSAGA_MEAN = 0, DSAGA_SUM = 1 };                           /* index in "mean|sum" */
enum { SYNC_AUTO = 0, SYNC_DENSE = 1, SYNC_SPARSE = 2 };          /* in "auto|dense|sparse" */
enum { REFRESH_NONE = 0, REFRESH_VISITED = 1, REFRESH_LATE = 2 }; /* "none|visited|late" */

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
    free(s->sbuf);
    free(s);
}

/* Chooses the synchronisation (issue 18) and allocates its buffers.
 * Collective over ctx->comm under `auto` (one uncounted allreduce of the
 * expected touched coordinates).  Dense data, or K = 1 (an exact copy,
 * SPEC 3.2), are always dense. */
static int dsaga_sync_setup(struct dsaga_state *s, const struct run_ctx *ctx, int mode)
{
    int K = ctx->comm->size;
    double two_d = 2.0 * (double)s->d;
    if (K == 1 || mode == SYNC_DENSE || !saga_core_is_lazy(s->core))
        return 0;
    if (mode == SYNC_AUTO) {
        /* setup traffic: not counted (SPEC 4) */
        double expect = (double)saga_core_sync_expected_touched(s->core, s->tau);
        TRY(comm_allreduce_uncounted(ctx->comm, &expect, 1, MPI_SUM));
        if (3.0 * expect > SYNC_AUTO_FRACTION * two_d)
            return 0;
        s->sparse_limit = SYNC_AUTO_FRACTION * two_d;
    } else {
        s->sparse_limit = two_d; /* what the buffers hold */
    }
    size_t d = (size_t)s->d;
    s->sbuf = malloc(2 * d * sizeof(double) + 3 * (size_t)K * sizeof(double) +
                     2 * (size_t)K * sizeof(int));
    if (!s->sbuf)
        FAIL(ERR_NOMEM, "sparse synchronisation buffers for %zu features", d);
    s->hdrs = s->sbuf + 2 * d;
    s->counts = (int *)(s->hdrs + 3 * (size_t)K);
    s->displs = s->counts + K;
    TRY(saga_core_sync_enable(s->core));
    s->sparse = 1;
    return 0;
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
    s->single = ctx->comm->size == 1;
    s->tau = period_steps(params_period(ctx->params, "period"), ctx->shard->n_samples);
    double tau_sum = (double)s->tau; /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &tau_sum, 1, MPI_SUM));
    s->tau_sum = (int64_t)tau_sum;
    s->s = params_enum(ctx->params, "aggregate") == DSAGA_SUM ? 1.0 : 1.0 / (double)ctx->comm->size;
    TRY_GOTO(saga_core_create(ctx->shard, ctx->prob.loss, ctx->prob.lambda, ctx->n_total,
                              ctx->step_size, ctx->seed, ctx->comm->rank, &s->core));
    TRY_GOTO(dsaga_sync_setup(s, ctx, params_enum(ctx->params, "sync")));
    s->refresh = params_enum(ctx->params, "refresh");
    s->fraction = params_real(ctx->params, "refresh_fraction");
    rng_seed(&s->thin, ctx->seed, (uint64_t)RNG_STREAM_THIN + (uint64_t)ctx->comm->rank);
    if (s->refresh)
        TRY_GOTO(saga_core_track_visits(s->core));
done:
    if (rc < 0) {
        dsaga_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* SPEC 3.2 step 2 over the touched coordinates (issue 18; see the file
 * comment).  Falls back to the dense allreduce when told so by a header. */
static int dsaga_sync_sparse(struct dsaga_state *s, struct run_ctx *ctx)
{
    int K = ctx->comm->size;
    double hdr[3];
    saga_core_sync_header(s->core, hdr);
    TRY(comm_allgather(ctx->comm, hdr, 3, s->hdrs));
    int dense = 0;
    double total = 0.0;
    double sum_a = 0.0; /* sum_k A_k, in rank order: the same on every node */
    double sum_b = 0.0; /* sum_k B_k */
    for (int k = 0; k < K; k++) {
        double m = s->hdrs[3 * k];
        dense |= m < 0; /* node k flushed: its untouched coordinates moved too */
        s->counts[k] = m < 0 ? 0 : 3 * (int)m;
        s->displs[k] = (int)(3.0 * total);
        total += m < 0 ? 0.0 : m;
        sum_a += s->hdrs[3 * k + 1];
        sum_b += s->hdrs[3 * k + 2];
    }
    dense |= 3.0 * total > s->sparse_limit;
    /* the untouched map w' = a w - s SB g needs a > 0 for its lazy form */
    dense |= !(1.0 + s->s * (sum_a - (double)K) > 0);
    if (!dense) {
        saga_core_sync_pack(s->core, s->sbuf);
        TRY(comm_allgatherv(ctx->comm, s->sbuf, s->counts, s->displs, s->buf));
        dense = saga_core_sync_apply(s->core, s->buf, (int64_t)total, sum_a, sum_b, K, s->s);
        if (!dense)
            return 0;
    }
    int64_t d = s->d;
    saga_core_sync_get(s->core, s->w, s->g_bar); /* O(d): the fallback only */
    saga_core_delta(s->core, s->w, s->g_bar, s->buf);
    TRY(comm_allreduce_sum(ctx->comm, s->buf, 2 * d));
    saga_core_apply(s->core, s->w, s->g_bar, s->buf, s->s);
    saga_core_sync_from_core(s->core);
    return 0;
}

/* SPEC 3.2b: the component gradients of every node's refresh this round
 * (a count, not the algorithm's traffic: uncounted, SPEC 4). */
static int dsaga_count_refresh(struct run_ctx *ctx, int64_t n_refreshed)
{
    double sum = (double)n_refreshed;
    if (ctx->comm->size > 1)
        TRY(comm_allreduce_uncounted(ctx->comm, &sum, 1, MPI_SUM));
    ctx->grads_total += (int64_t)sum;
    return 0;
}

/* SPEC 3.2 step 2. */
static int dsaga_sync(struct dsaga_state *s, struct run_ctx *ctx)
{
    if (s->sparse)
        return dsaga_sync_sparse(s, ctx);
    /* K = 1: the collective is counted (SPEC 4: a round, no bytes) but there
     * is nothing to send; the lazy state is untouched, so K = 1 is saga bit
     * for bit, and no O(d) pass is made per round (they made tau = 100 on
     * the rcv1-like set 7x slower than saga) */
    if (!s->single)
        saga_core_delta(s->core, s->w, s->g_bar, s->buf); /* (w_k - w, g_k - g_bar) */
    TRY(comm_allreduce_sum(ctx->comm, s->buf, 2 * s->d));
    if (!s->single) /* g_bar += sum_k (g_k - g_bar), w += s sum_k (w_k - w), restart */
        saga_core_apply(s->core, s->w, s->g_bar, s->buf, s->s);
    return 0;
}

static int dsaga_round(void *state, struct run_ctx *ctx)
{
    struct dsaga_state *s = state;
    /* SPEC 3.2b: the rows visited last round re-evaluated at the
     * synchronised w (none in the first round) */
    int64_t n_refreshed = 0;
    if (s->refresh) { /* refresh_fraction < 1: a random share of them */
        saga_core_visits_thin(s->core, s->fraction, &s->thin); /* p = 1: nothing */
        n_refreshed = saga_core_refresh(s->core);
    }
    /* SPEC 3.2 step 1: tau local SAGA steps from (w, g_bar); late: the
     * record of visits restarts half way */
    if (s->refresh == REFRESH_LATE) {
        saga_core_steps(s->core, s->tau / 2);
        saga_core_visits_restart(s->core);
        saga_core_steps(s->core, s->tau - s->tau / 2);
    } else {
        saga_core_steps(s->core, s->tau);
    }
    comm_add_work(ctx->comm, (double)(s->tau + n_refreshed));
    if (s->refresh)
        TRY(dsaga_count_refresh(ctx, n_refreshed));
    double t_sync = MPI_Wtime(); /* the synchronisation, for bench_sync */
    TRY(dsaga_sync(s, ctx));
    ctx->comm->stats.sync_s += MPI_Wtime() - t_sync;
    ctx->grads_total += s->tau_sum;
    return 0;
}

static int dsaga_get_w(const void *state, double *w)
{
    const struct dsaga_state *s = state;
    if (s->sparse) {
        saga_core_sync_get(s->core, w, NULL); /* the synchronised w, lazily kept */
        return 0;
    }
    if (s->single) {
        saga_core_get_w(s->core, w); /* K = 1: the core's w is the synchronised one */
        return 0;
    }
    memcpy(w, s->w, (size_t)s->d * sizeof *w);
    return 0;
}

/* Per round: one allreduce of 2d doubles from K nodes (16 d K bytes; a single
 * node sends nothing), sum_k tau_k component gradients.  Sparse
 * synchronisation (sync = sparse, or auto when it chooses it) makes two
 * collectives whose bytes depend on the coordinates the round touched: no
 * closed form, -1 (auto: rounds -1 too, the choice depends on the data). */
static void dsaga_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                           const int64_t *n_k, struct round_counts *out)
{
    (void)n_total;
    struct period per = params_period(p, "period");
    double grads = 0.0;
    for (int k = 0; k < K; k++)
        grads += (double)period_steps(per, n_k[k]);
    int sync = params_enum(p, "sync");
    out->rounds = 1;
    out->bytes = K > 1 ? 16.0 * (double)d * K : 0.0;
    /* a refresh adds the distinct rows drawn last round: random */
    out->grads = params_enum(p, "refresh") != REFRESH_NONE ? -1.0 : grads;
    if (K > 1 && sync != SYNC_DENSE) {
        out->rounds = sync == SYNC_SPARSE ? 2.0 : -1.0;
        out->bytes = -1.0;
    }
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
