/*
 * dsaga_async.c - asynchronous dSAGA: K workers and one server, no worker
 * waits for another (SPEC 3.9, issue 19).
 *
 * Ranks 0..K-1 are workers (the data nodes, so worker 0 samples with the
 * stream of saga's rank 0); rank K is the server (server_ranks = 1, an
 * empty shard).  A worker runs dsaga's local phase (SPEC 3.2 step 1: tau
 * SAGA steps on its private (w_k, g_k) started at its last read (w_seen,
 * g_seen)), sends (w_k - w_seen, g_k - g_seen) to the server and waits for
 * the reply only.  The server applies each update as it arrives,
 *     g_bar += g_k - g_seen,   w += s (w_k - w_seen)    (s = 1/K or 1)
 * and replies with the current (w, g_bar), which the worker restarts from.
 * With K = 1 the worker sends (w_k, g_k) itself and the server copies it
 * (STYLE 6: w + (w_k - w) need not equal w_k), and the worker's lazy
 * state is left untouched: K = 1 makes the very steps of saga.
 *
 * Checkpoints.  The harness calls round() on every rank and evaluates
 * between rounds on get_w.  A round runs until the component gradients of
 * the applied updates (summed over workers) reach ctx->grads_target.  The
 * server then replies STOP to the worker whose update got there and sends
 * a STOP message to every other worker; a worker checks for it every
 * ASYNC_CHUNK steps (and every millisecond of straggler sleep), answers
 * with an ACK and returns at once, keeping the steps (and the sleep) it
 * owes for its current update: it resumes them in the next round.  An
 * update that crosses the STOP on the wire is applied and answered
 * STOP_PENDING (the worker then consumes the STOP message).  So a worker
 * stops for at most one chunk plus the evaluation.  Then the server
 * broadcasts (uncounted) its w, the gradients applied and its series, so
 * that get_w is the same on every rank.  STOP, ACK and the broadcast are
 * checkpoint machinery, not counted (SPEC 4).
 *
 * Counters (SPEC 3.9): rounds = server updates (the server counts them,
 * comm_count_p2p); bytes = 2 * 16 d per update (the 2d doubles each way,
 * counted by comm_send on the sending rank); grads_total += tau_k per
 * applied update.
 *
 * Series (extra_series, stored per checkpoint): staleness (the mean, over
 * the updates applied since the last checkpoint, of the other workers'
 * updates applied between the worker's read and its write), server_busy_s
 * (seconds the server spent applying and replying, cumulative) and
 * worker_updates (K numbers: updates applied per worker, cumulative) and
 * worker_staleness (K numbers: each worker's mean staleness since the
 * start).  In a steady state where every worker always has one update
 * under way, every applied update falls inside the read-to-write window of
 * each of the K - 1 other workers once, so the mean over all updates is
 * close to K - 1 whatever the speeds: the per-worker means show who is
 * stale (a worker f times slower sees about f (K - 1) updates).
 *
 * Stragglers (base/netmodel.h, straggler_sleep): a worker sleeps what the
 * model owes for its steps, in slices, still answering a STOP.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"
#include "base/error.h"
#include "base/netmodel.h"

#define ASYNC_CHUNK   256  /* steps between two checks for a STOP */
#define ASYNC_SLICE_S 1e-3 /* longest sleep between two checks */
#define ASYNC_SERIES  4    /* staleness, server_busy_s, worker_updates, worker_staleness */

enum {
    TAG_UPDATE = 1,       /* worker -> server: 2d doubles */
    TAG_ACK = 2,          /* worker -> server: paused on a STOP (uncounted) */
    TAG_GO = 3,           /* server -> worker: reply, go on */
    TAG_STOP = 4,         /* server -> worker: reply, the round is over */
    TAG_STOP_PENDING = 5, /* reply, over, and a STOP message is on its way */
    TAG_STOP_MSG = 6,     /* server -> computing worker (uncounted) */
};

struct async_state {
    struct saga_core *core; /* workers: w_k, g_k, this node's alpha_i */
    int64_t d;
    int K;      /* workers */
    int server; /* the server's rank (K) */
    int is_server;
    int64_t tau;    /* this worker's local steps per update (SPEC 3.2) */
    int64_t *tau_k; /* every worker's tau: gradients per update */
    double s;       /* 1/K (mean) or 1 (sum) */
    double *w;      /* server: w; worker: w_seen (its last read) */
    double *g_bar;  /* server: g_bar; worker: g_seen */
    double *msg;    /* 2d: an update or a reply */
    double *bcast;  /* d + 3 + 2K: w, grads_total, staleness, busy,
                     * updates, each worker's mean staleness */
    /* worker */
    int64_t left;        /* steps owed for the current update */
    double sleep_left_s; /* straggler sleep owed for it */
    int in_update;       /* an update is under way (its delay drawn) */
    MPI_Request stop_req;
    double stop_buf;
    /* server */
    int64_t version;       /* updates applied so far */
    int64_t *read_version; /* per worker: version of its last read */
    double busy_s;         /* applying and replying, cumulative */
    double stale_sum;      /* staleness summed since the last checkpoint */
    double stale_n;        /* updates since the last checkpoint */
    double *updates;       /* per worker, cumulative */
    double *stale_k;       /* per worker: staleness summed, cumulative */
};

/* SPEC 3.10: the keys of dsaga, meaning the same. */
static const struct param_def async_params[] = {
    {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL,
     "tau: local steps per update (100), or a fraction of the local epoch (0.5n)", 1},
    {"aggregate", PARAM_ENUM, "mean", 0, 0, "mean|sum",
     "w += s (w_k - w_seen) with s = 1/K (mean) or 1 (sum)", 1},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

enum { ASYNC_MEAN = 0, ASYNC_SUM = 1 }; /* index in "mean|sum" */

/* SPEC 3.9: dsaga's step, eta = 1 / (3 L_max) (times step_scale). */
static int async_default_step(const struct run_ctx *ctx, double *step)
{
    if (!(ctx->l_max > 0))
        FAIL(ERR_INTERNAL, "L_max = %g is not positive", ctx->l_max);
    *step = 1.0 / (3.0 * ctx->l_max);
    return 0;
}

static void async_destroy(void *state)
{
    struct async_state *s = state;
    if (!s)
        return;
    if (s->stop_req != MPI_REQUEST_NULL) { /* the STOP that never came */
        MPI_Cancel(&s->stop_req);
        MPI_Wait(&s->stop_req, MPI_STATUS_IGNORE);
    }
    saga_core_destroy(s->core);
    free(s->tau_k);
    free(s->read_version);
    free(s);
}

/* Collective over ctx->comm (one uncounted allreduce of every tau_k).  The
 * caller owns *state (async_destroy); on failure *state is NULL. */
static int async_create(const struct run_ctx *ctx, void **state)
{
    int rc = 0;
    *state = NULL;
    const struct comm *c = ctx->comm;
    int K = comm_nodes(c);
    size_t d = (size_t)ctx->n_features;
    if (c->size != K + 1)
        FAIL(ERR_INTERNAL, "dsaga-async: %d ranks for %d workers", c->size, K);
    /* STYLE 4: the state, its 5d + 3 + 4K doubles in one block */
    struct async_state *s = calloc(1, sizeof *s + (5 * d + 3 + 4 * (size_t)K) * sizeof(double));
    if (!s)
        FAIL(ERR_NOMEM, "dsaga-async state for %zu features", d);
    s->stop_req = MPI_REQUEST_NULL;
    s->w = (double *)(s + 1);
    s->g_bar = s->w + d;
    s->msg = s->w + 2 * d;
    s->bcast = s->w + 4 * d;
    s->updates = s->bcast + d + 3 + 2 * (size_t)K; /* after bcast's d + 3 + 2K */
    s->stale_k = s->updates + K;
    s->d = (int64_t)d;
    s->K = K;
    s->server = K;
    s->is_server = c->rank == K;
    s->s = params_enum(ctx->params, "aggregate") == ASYNC_SUM ? 1.0 : 1.0 / (double)K;
    s->tau_k = calloc((size_t)c->size, sizeof *s->tau_k);
    s->read_version = calloc((size_t)K, sizeof *s->read_version);
    double *taus = calloc((size_t)c->size, sizeof *taus);
    if (!s->tau_k || !s->read_version || !taus)
        FAIL_GOTO(ERR_NOMEM, "dsaga-async: %d workers", K);
    if (!s->is_server) {
        s->tau = period_steps(params_period(ctx->params, "period"), ctx->shard->n_samples);
        taus[c->rank] = (double)s->tau;
    }
    /* setup traffic: not counted (SPEC 4) */
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, taus, c->size, MPI_SUM));
    for (int k = 0; k < c->size; k++)
        s->tau_k[k] = (int64_t)taus[k];
    if (!s->is_server) {
        TRY_GOTO(saga_core_create(ctx->shard, ctx->prob.loss, ctx->prob.lambda, ctx->n_total,
                                  ctx->step_size, ctx->seed, c->rank, &s->core));
        MPI_TRY_GOTO(
            MPI_Irecv(&s->stop_buf, 1, MPI_DOUBLE, s->server, TAG_STOP_MSG, c->mpi, &s->stop_req));
    }
done:
    free(taus);
    if (rc < 0) {
        async_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* Sleeps up to ASYNC_SLICE_S of what is owed and takes off the time that
 * really passed: a wake-up late on a loaded machine is paid back by the
 * next slices (owed may go negative: a credit for the next update). */
static void async_sleep_slice(double *owed_s)
{
    double t = *owed_s < ASYNC_SLICE_S ? *owed_s : ASYNC_SLICE_S;
    struct timespec ts = {0, (long)(t * 1e9)};
    double t0 = MPI_Wtime();
    nanosleep(&ts, NULL);
    *owed_s -= MPI_Wtime() - t0;
}

/* One worker's part of a round: updates until the server says STOP.
 * Returns with its current update paused when a STOP message comes. */
static int async_worker_round(struct async_state *s, struct run_ctx *ctx)
{
    struct comm *c = ctx->comm;
    int64_t d = s->d;
    for (;;) {
        if (!s->in_update) { /* a fresh update: tau steps and its delay */
            s->left = s->tau;
            s->sleep_left_s += netmodel_update_start(c->model); /* keeps a credit */
            s->in_update = 1;
        }
        /* SPEC 3.2 step 1, in chunks, answering a STOP between them */
        while (s->left > 0 || s->sleep_left_s > 1e-6) {
            if (s->left > 0) {
                int64_t chunk = s->left < ASYNC_CHUNK ? s->left : ASYNC_CHUNK;
                saga_core_steps(s->core, chunk);
                s->left -= chunk;
                comm_add_work(c, (double)chunk);
                s->sleep_left_s += netmodel_sleep_owed(c->model, (double)chunk);
            }
            if (s->sleep_left_s > 1e-6)
                async_sleep_slice(&s->sleep_left_s);
            int stopped = 0;
            MPI_TRY(MPI_Test(&s->stop_req, &stopped, MPI_STATUS_IGNORE));
            if (stopped) { /* pause: the rest of this update in the next round */
                MPI_TRY(MPI_Irecv(&s->stop_buf, 1, MPI_DOUBLE, s->server, TAG_STOP_MSG, c->mpi,
                                  &s->stop_req));
                double ack = 0.0;
                MPI_TRY(MPI_Send(&ack, 1, MPI_DOUBLE, s->server, TAG_ACK, c->mpi));
                return 0;
            }
        }
        /* SPEC 3.9: send (w_k - w_seen, g_k - g_seen); K = 1 sends (w_k, g_k) */
        if (c->model)
            netmodel_before_send(c->model, c, 2 * d);
        if (s->K == 1) {
            saga_core_get_w(s->core, s->msg);
            saga_core_get_g(s->core, s->msg + d);
        } else {
            saga_core_delta(s->core, s->w, s->g_bar, s->msg);
        }
        TRY(comm_send(c, s->msg, 2 * d, s->server, TAG_UPDATE));
        MPI_Status st;
        TRY(comm_recv(c, s->msg, 2 * d, s->server, MPI_ANY_TAG, &st));
        s->in_update = 0;
        if (s->K > 1) { /* restart from the server's (w, g_bar) */
            memcpy(s->w, s->msg, (size_t)d * sizeof *s->w);
            memcpy(s->g_bar, s->msg + d, (size_t)d * sizeof *s->g_bar);
            saga_core_reset(s->core, s->w, s->g_bar);
        } /* K = 1: the reply is the worker's own state, lazy state untouched */
        if (st.MPI_TAG == TAG_STOP_PENDING) { /* the STOP crossed our update */
            TRY(comm_wait(&s->stop_req, MPI_STATUS_IGNORE));
            MPI_TRY(MPI_Irecv(&s->stop_buf, 1, MPI_DOUBLE, s->server, TAG_STOP_MSG, c->mpi,
                              &s->stop_req));
        }
        if (st.MPI_TAG != TAG_GO)
            return 0;
    }
}

/* The server's part: apply updates as they arrive until the gradients
 * applied reach ctx->grads_target, then stop every worker. */
static int async_server_round(struct async_state *s, struct run_ctx *ctx)
{
    struct comm *c = ctx->comm;
    int64_t d = s->d;
    int64_t grads = ctx->grads_total;
    int stopping = 0; /* the target is reached */
    int pending = 0;  /* workers still to hear from after the STOP */
    for (;;) {
        MPI_Status st;
        TRY(comm_recv(c, s->msg, 2 * d, MPI_ANY_SOURCE, MPI_ANY_TAG, &st));
        double t0 = MPI_Wtime();
        int k = st.MPI_SOURCE;
        if (k < 0 || k >= s->K)
            FAIL(ERR_INTERNAL, "dsaga-async: message from rank %d", k);
        if (st.MPI_TAG == TAG_ACK) {
            pending--;
        } else if (st.MPI_TAG == TAG_UPDATE) {
            if (s->K == 1) { /* exact copy: K = 1 is saga bit for bit */
                memcpy(s->w, s->msg, (size_t)(2 * d) * sizeof *s->w);
            } else {
                /* SPEC 3.9: g_bar += g_k - g_seen, w += s (w_k - w_seen) */
                for (int64_t j = 0; j < d; j++) {
                    s->w[j] += s->s * s->msg[j];
                    s->g_bar[j] += s->msg[d + j];
                }
            }
            /* the other workers' updates applied since k read */
            s->stale_sum += (double)(s->version - s->read_version[k]);
            s->stale_k[k] += (double)(s->version - s->read_version[k]);
            s->stale_n += 1.0;
            s->version++;
            s->updates[k] += 1.0;
            grads += s->tau_k[k];
            comm_count_p2p(c, 1); /* SPEC 3.9: rounds = server updates */
            int tag = TAG_GO;
            if (stopping) {
                tag = TAG_STOP_PENDING; /* crossed the STOP sent to k */
                pending--;
            } else if (grads >= ctx->grads_target) {
                tag = TAG_STOP;
                stopping = 1;
                double nothing = 0.0;
                for (int j = 0; j < s->K; j++)
                    if (j != k)
                        MPI_TRY(MPI_Send(&nothing, 1, MPI_DOUBLE, j, TAG_STOP_MSG, c->mpi));
                pending = s->K - 1;
            }
            memcpy(s->msg, s->w, (size_t)(2 * d) * sizeof *s->w); /* (w, g_bar) */
            TRY(comm_send(c, s->msg, 2 * d, k, tag));
            s->read_version[k] = s->version;
        } else {
            FAIL(ERR_INTERNAL, "dsaga-async: unexpected tag %d from rank %d", st.MPI_TAG, k);
        }
        s->busy_s += MPI_Wtime() - t0;
        if (stopping && pending == 0)
            break;
    }
    s->bcast[d] = (double)grads;
    s->bcast[d + 1] = s->stale_n > 0 ? s->stale_sum / s->stale_n : 0.0;
    s->bcast[d + 2] = s->busy_s;
    s->stale_sum = 0.0;
    s->stale_n = 0.0;
    memcpy(s->bcast, s->w, (size_t)d * sizeof *s->w);
    memcpy(s->bcast + d + 3, s->updates, (size_t)s->K * sizeof *s->updates);
    for (int k = 0; k < s->K; k++) /* each worker's mean, since the start */
        s->bcast[d + 3 + s->K + k] = s->updates[k] > 0 ? s->stale_k[k] / s->updates[k] : 0.0;
    return 0;
}

static int async_round(void *state, struct run_ctx *ctx)
{
    struct async_state *s = state;
    if (s->is_server)
        TRY(async_server_round(s, ctx));
    else
        TRY(async_worker_round(s, ctx));
    /* checkpoint machinery (uncounted): the server's w, the gradients
     * applied and the series, so that every rank agrees */
    MPI_TRY(MPI_Bcast(s->bcast, (int)(s->d + 3 + 2 * s->K), MPI_DOUBLE, s->server, ctx->comm->mpi));
    ctx->grads_total = (int64_t)s->bcast[s->d];
    return 0;
}

static int async_get_w(const void *state, double *w)
{
    const struct async_state *s = state;
    memcpy(w, s->bcast, (size_t)s->d * sizeof *w);
    return 0;
}

static int async_extra_series(const void *state, struct series_out *out)
{
    const struct async_state *s = state;
    const double *b = s->bcast + s->d;
    out->n = ASYNC_SERIES;
    out->col[0].name = "staleness";
    out->col[0].width = 1;
    out->col[0].values = b + 1;
    out->col[1].name = "server_busy_s";
    out->col[1].width = 1;
    out->col[1].values = b + 2;
    out->col[2].name = "worker_updates";
    out->col[2].width = s->K;
    out->col[2].values = b + 3;
    out->col[3].name = "worker_staleness";
    out->col[3].width = s->K;
    out->col[3].values = b + 3 + s->K;
    return 0;
}

/* Per round, i.e. per server update (SPEC 3.9): one round, 2 * 16 d bytes
 * (the update and the reply); the gradients depend on which worker sent. */
static void async_counters(const struct params *p, int K, int64_t d, int64_t n_total,
                           const int64_t *n_k, struct round_counts *out)
{
    (void)p;
    (void)K;
    (void)n_total;
    (void)n_k;
    out->rounds = 1;
    out->bytes = 32.0 * (double)d;
    out->grads = -1;
}

const algorithm algorithm_dsaga_async = {
    .name = "dsaga-async",
    .summary = "asynchronous dSAGA: K workers and one server, no worker waits (SPEC 3.9)",
    .centralized = 0,
    .params = async_params,
    .color = "#8c564b",
    .step_rule = "constant",
    .counters = async_counters,
    .server_ranks = 1,
    .extra_series = async_extra_series,
    .check = NULL,
    .default_step = async_default_step,
    .create = async_create,
    .round = async_round,
    .get_w = async_get_w,
    .destroy = async_destroy,
};
