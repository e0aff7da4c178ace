/*
 * runner.c - one run from start to finish (SPEC 4): resolve the method and
 * K, scan the data set (or reuse its scan), read this rank's shard only,
 * f* over the shards, the step, then rounds with checkpoints at a fixed
 * spacing in epochs until the stopping rule.
 *
 * Setup (scan, shard, f*, create) is untimed; only the algorithm's
 * round() is timed (STYLE 1, benchopt's set_objective vs run).  Evaluation
 * traffic uses comm_allreduce_uncounted so that rounds and bytes are the
 * algorithm's own (SPEC 4).  Every rank of the run takes the same decisions
 * because they are taken on reduced (hence identical) numbers.
 */
#include "harness/runner.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "harness/cfgcheck.h"
#include "harness/fstar.h"
#include "base/netmodel.h"
#include "base/objective.h"
#include "base/version.h"

/* ---- the data-set cache ------------------------------------------------- */

/* Issue 18: a rank holds its shard, never the whole set.  Across the runs
 * of a grid the cache keeps, per (spec, labels), the scan of the set (its
 * O(N) labels and row offsets: dataset_scan), and the last shard made, so
 * that runs on the same cells' rows (every method and step of one data
 * set, K, partition and seed) read the file once.  A new shard replaces
 * the old one: the cache never holds more rows than one shard. */

struct scan_entry {
    char spec[512];
    enum label_mode labels;
    struct dataset *scan; /* owned */
};

struct shard_key {
    char spec[512];
    enum label_mode labels;
    double bias;
    int nodes;
    int part;
    enum partition how;
    uint64_t seed; /* 0 where the parts do not depend on it */
};

struct dataset_cache {
    struct scan_entry *scans;
    int n;
    int cap;
    struct shard_key key; /* of shard */
    struct dataset *shard;
};

/* Caller owns the result (dataset_cache_destroy); NULL on no memory. */
struct dataset_cache *dataset_cache_create(void)
{
    return calloc(1, sizeof(struct dataset_cache));
}

void dataset_cache_destroy(struct dataset_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        dataset_destroy(c->scans[i].scan);
    free(c->scans);
    dataset_destroy(c->shard);
    free(c);
}

/* The scan of (spec, labels), from the cache or made.  *owned is set when
 * the caller must free it (no cache). */
static int runner_scan(struct dataset_cache *cache, const char *spec, enum label_mode labels,
                       struct dataset **scan, struct dataset **owned)
{
    struct dataset *fresh = NULL;
    *scan = NULL;
    *owned = NULL;
    if (cache)
        for (int i = 0; i < cache->n; i++)
            if (cache->scans[i].labels == labels && strcmp(cache->scans[i].spec, spec) == 0) {
                *scan = cache->scans[i].scan;
                return 0;
            }
    TRY(dataset_scan(spec, labels, &fresh));
    if (!cache) {
        *scan = *owned = fresh;
        return 0;
    }
    if (cache->n == cache->cap) {
        int cap = cache->cap ? 2 * cache->cap : 4;
        struct scan_entry *p = realloc(cache->scans, (size_t)cap * sizeof *p);
        if (!p) {
            dataset_destroy(fresh);
            FAIL(ERR_NOMEM, "no memory for the data-set cache");
        }
        cache->scans = p;
        cache->cap = cap;
    }
    struct scan_entry *e = &cache->scans[cache->n++];
    snprintf(e->spec, sizeof e->spec, "%s", spec);
    e->labels = labels;
    e->scan = fresh;
    *scan = fresh;
    return 0;
}

/* Part `part` of K of the scanned set (shard_assign, then only those rows
 * read), with the bias column; from the cache when it holds that very
 * shard.  *owned is set when the caller must free it. */
static int runner_shard(struct dataset_cache *cache, const struct run_cfg *cfg,
                        enum label_mode labels, const struct dataset *scan, int K, int part,
                        struct dataset **shard, struct dataset **owned)
{
    int rc = 0;
    int *owner = NULL;
    struct dataset *fresh = NULL;
    struct shard_key key;
    memset(&key, 0, sizeof key);
    snprintf(key.spec, sizeof key.spec, "%s", cfg->dataset);
    key.labels = labels;
    key.bias = cfg->bias;
    key.nodes = K;
    key.part = part;
    key.how = K > 1 ? cfg->partition : PARTITION_RANDOM;
    key.seed = K > 1 && cfg->partition == PARTITION_RANDOM ? cfg->seed : 0;
    *shard = NULL;
    *owned = NULL;
    if (cache && cache->shard && memcmp(&key, &cache->key, sizeof key) == 0) {
        *shard = cache->shard;
        return 0;
    }
    if (cache) { /* the old shard goes before the new one is read */
        dataset_destroy(cache->shard);
        cache->shard = NULL;
    }
    int64_t n = scan->n_samples;
    owner = malloc((size_t)(n > 0 ? n : 1) * sizeof *owner);
    if (!owner)
        FAIL_GOTO(ERR_NOMEM, "shard map of %lld rows", (long long)n);
    TRY_GOTO(shard_assign(scan, K, cfg->partition, cfg->seed, owner));
    TRY_GOTO(dataset_load_rows(cfg->dataset, scan, owner, part, cfg->bias, &fresh));
    if (cache) {
        cache->key = key;
        cache->shard = fresh;
    } else {
        *owned = fresh;
    }
    *shard = fresh;
    fresh = NULL;
done:
    free(owner);
    dataset_destroy(fresh);
    return rc;
}

/* ---- results ------------------------------------------------------------ */

void run_result_clear(struct run_result *r)
{
    if (r)
        trace_clear(&r->trace);
}

static const char *const runner_status_names[] = {"done", "diverged", "failed"};

/* Marks the run failed with a message.  `report`: print it too, as the one
 * line on stderr of SPEC 7, for ERR_INPUT (rank 0 of the world prints it);
 * 0 when the callee has already said it (the data loader names path:line). */
static void runner_vfail(struct run_result *out, int code, int report, const char *fmt, va_list ap)
{
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    out->status = "failed";
    out->error_code = code;
    if (report && code == ERR_INPUT)
        error_input("%s", out->message);
}

static void runner_fail(struct run_result *out, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void runner_fail(struct run_result *out, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    runner_vfail(out, code, 1, fmt, ap);
    va_end(ap);
}

static void runner_fail_reported(struct run_result *out, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void runner_fail_reported(struct run_result *out, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    runner_vfail(out, code, 0, fmt, ap);
    va_end(ap);
}

/* The worst of the run's ranks' rc (uncounted), or ERR_MPI when the
 * reduction itself fails.  A set-up step that can fail on one rank only
 * (loading, sharding, create) must fail on all, or the others would wait
 * forever in the next collective. */
static int runner_agree(struct comm *comm, int rc)
{
    double worst = rc;
    TRY(comm_allreduce_uncounted(comm, &worst, 1, MPI_MIN));
    return (int)worst;
}

/* An error from a setup call that every rank of the run agreed on: only MPI
 * is passed up (the launch is unusable); anything else, out of memory
 * included, becomes a failed run and the grid goes on (issue 17: a cell too
 * big for the machine aborted the grid on every resume).  Whether the grid
 * runs it again on resume is h5out_failure_kind's decision. */
static int runner_fatal(int rc)
{
    return rc == ERR_MPI;
}

/* ---- evaluation --------------------------------------------------------- */

/* Buffers of one run, allocated once (STYLE 4). */
struct runner_bufs {
    double *w;   /* d: the synchronised parameters */
    double *buf; /* d + 1: local gradient part and loss part, then reduced */
    double *z;   /* n_k: margins scratch */
};

/* f(w) and ||grad f(w)|| at the algorithm's synchronised point, across the
 * run's ranks with one uncounted allreduce of d + 1 numbers (SPEC 4). */
static int runner_evaluate(const algorithm *alg, const void *state, struct run_ctx *ctx,
                           struct runner_bufs *b, double *f, double *grad_norm)
{
    int64_t d = ctx->n_features;
    TRY(alg->get_w(state, b->w));
    b->buf[d] = objective_local(&ctx->prob, b->w, b->buf, b->z);
    TRY(comm_allreduce_uncounted(ctx->comm, b->buf, d + 1, MPI_SUM));
    *f = objective_regularise(&ctx->prob, b->w, b->buf[d], b->buf); /* SPEC 1: + lambda w */
    double g2 = 0.0;
    for (int64_t j = 0; j < d; j++)
        g2 += b->buf[j] * b->buf[j];
    *grad_norm = sqrt(g2);
    return 0;
}

/* ---- progress table ----------------------------------------------------- */

static void runner_print_header(const struct run_result *out, int K)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (MPI_Get_library_version(lib, &len) != MPI_SUCCESS)
        snprintf(lib, sizeof lib, "unknown");
    lib[strcspn(lib, "\r\n")] = '\0'; /* the first line only */
    const struct run_cfg *c = &out->cfg;
    printf("# dsaga-bench %s, commit %s\n", DSAGA_SUITE_VERSION, dsaga_git_commit);
    printf("# MPI: %s\n", lib);
    printf("# algorithm %s, dataset %s, nodes %d, n_samples %lld, n_features %lld\n", c->algorithm,
           c->dataset, K, (long long)out->n_samples, (long long)out->n_features);
    printf("# loss %s, lambda %.6g, partition %s, seed %llu", loss_name(c->loss), c->lambda,
           partition_name(c->partition), (unsigned long long)c->seed);
    for (int i = 0; i < c->params.n; i++) /* the method's own keys, as written */
        printf(", %s %s", c->params.defs[i].name, c->params.v[i].text);
    printf("\n");
    if (c->step > 0)
        printf("# step_size %.6g (given), fstar %.17g\n", out->step_size, out->fstar);
    else
        printf("# step_size %.6g (step_scale %g), fstar %.17g\n", out->step_size, c->step_scale,
               out->fstar);
    printf("# %10s %10s %14s %10s %13s %13s\n", "epoch(-)", "rounds(-)", "bytes(B)", "wall(s)",
           "subopt(-)", "grad_norm(-)");
    fflush(stdout);
}

static void runner_print_row(const struct checkpoint *c)
{
    printf("  %10.3f %10.0f %14.0f %10.4f %13.6e %13.6e\n", c->epoch, c->rounds, c->bytes,
           c->wall_s, c->subopt, c->grad_norm);
    fflush(stdout);
}

/* ---- one run on the run's ranks ---------------------------------------- */

/* The method's closed-form counters per round (SPEC 4) for these shards:
 * every node's n_k, gathered with one uncounted reduction. */
static int runner_counts(const algorithm *alg, const struct run_ctx *ctx, struct round_counts *out)
{
    int rc = 0;
    int K = comm_nodes(ctx->comm); /* data nodes only (a server holds no rows) */
    double *n_k = calloc((size_t)ctx->comm->size, sizeof *n_k);
    int64_t *n_k_int = calloc((size_t)K, sizeof *n_k_int);
    if (!n_k || !n_k_int)
        FAIL_GOTO(ERR_NOMEM, "no memory for %d shard sizes", K);
    n_k[ctx->comm->rank] = (double)ctx->shard->n_samples;
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, n_k, ctx->comm->size, MPI_SUM));
    for (int k = 0; k < K; k++)
        n_k_int[k] = (int64_t)n_k[k];
    alg->counters(ctx->params, K, ctx->n_features, ctx->n_total, n_k_int, out);
done:
    free(n_k);
    free(n_k_int);
    return rc;
}

/* Everything after the split, on the K ranks of `sub`.  Returns < 0 only for
 * failures that leave the launch unusable (MPI, memory); a run that cannot
 * proceed returns 0 with out->status "failed". */
static int runner_execute(const algorithm *alg, MPI_Comm sub, struct dataset_cache *cache,
                          int progress, struct run_result *out)
{
    int rc = 0;
    struct run_cfg *cfg = &out->cfg;
    struct comm comm;
    struct dataset *scan_owned = NULL;  /* the scan when there is no cache */
    struct dataset *shard_owned = NULL; /* the shard when there is no cache */
    struct dataset *shard = NULL;       /* this rank's rows */
    void *state = NULL;                 /* the algorithm's */
    struct runner_bufs b = {NULL, NULL, NULL};
    int state_made = 0;

    comm.model = NULL;
    TRY_GOTO(comm_init(&comm, sub));
    comm.servers = alg->server_ranks; /* SPEC 3.9: servers follow the K nodes */
    int K = comm_nodes(&comm);
    int rank = comm.rank;

    /* Data (issue 18): every rank of the run scans the set (labels and row
     * offsets only; deterministic, so every rank agrees on success), then
     * reads its own rows; no rank ever holds the whole set. */
    struct dataset *scan = NULL;
    /* SPEC 1: -1/+1 for both losses on a set with at most two label values;
     * the squared loss keeps raw targets only on a regression set */
    enum label_mode labels = cfg->loss == LOSS_LOGISTIC ? LABELS_BINARY : LABELS_AUTO;
    rc = runner_scan(cache, cfg->dataset, labels, &scan, &scan_owned);
    rc = runner_agree(&comm, rc); /* ERR_MPI is fatal below */
    if (rc < 0) {
        if (runner_fatal(rc))
            goto done;
        /* dataset_scan has printed its one line (path:line, SPEC 7) */
        runner_fail_reported(out, rc, "--dataset %.200s: could not be loaded (%s)", cfg->dataset,
                             error_name(rc));
        rc = 0;
        goto done;
    }
    int64_t N = scan->n_samples;
    int64_t d = scan->n_features + (cfg->bias > 0); /* the bias column (SPEC 1) */
    out->labels_pm1 = scan->labels_pm1;             /* stored as `labels` (SPEC 1) */
    out->n_samples = N;
    out->n_features = d;
    if (!(cfg->lambda > 0))
        cfg->lambda = 1.0 / (double)N; /* SPEC 1: default lambda = 1/N */
    if (K > N) {
        runner_fail(out, ERR_INPUT, "--nodes %d exceeds the %lld rows of %s", K, (long long)N,
                    cfg->dataset);
        goto done;
    }
    char bound[400]; /* the common keys' bounds that need N (issue 17) */
    if (cfgcheck_run(cfg, N, bound, sizeof bound)) {
        runner_fail(out, ERR_INPUT, "%s", bound);
        goto done;
    }

    /* This rank's rows only (SPEC 3: node k holds S_k), in increasing
     * global order (with K = 1 the set row for row: the bitwise K = 1 tests
     * see what saga sees). */
    if (rank < K) {
        rc = runner_shard(cache, cfg, labels, scan, K, rank, &shard, &shard_owned);
    } else {
        /* a server rank (SPEC 3.9) holds no rows: an empty shard in the
         * full feature space, so evaluation, f* and L_max add nothing */
        shard = shard_owned = dataset_alloc(0, 0);
        rc = shard ? 0 : ERR_NOMEM;
        if (shard) {
            shard->n_features = d;
            shard->labels_pm1 = scan->labels_pm1;
            memcpy(shard->checksum, scan->checksum, sizeof shard->checksum);
        }
    }
    rc = runner_agree(&comm, rc); /* ERR_MPI is fatal below */
    if (rc < 0) {
        if (runner_fatal(rc))
            goto done;
        runner_fail_reported(out, rc, "sharding %.200s over %d nodes failed (%s)", cfg->dataset, K,
                             error_name(rc));
        rc = 0;
        goto done;
    }
    dataset_destroy(scan_owned); /* without a cache, keep only the shard */
    scan_owned = NULL;
    scan = NULL;

    /* f*: over the shards by every rank of the run (issue 18: Newton-CG
     * with its row sums summed over the ranks), or from the cache, which
     * makes repeats free; not counted (setup). */
    {
        struct problem rows = {shard, cfg->loss, cfg->lambda, N};
        struct fstar_result fr;
        rc = fstar_cached_mpi(&rows, cfg->bias, comm.mpi, &fr);
        if (rc < 0) {
            if (runner_fatal(rc))
                goto done;
            runner_fail(out, rc, "f* of %s could not be computed (%s)", cfg->dataset,
                        error_name(rc));
            rc = 0;
            goto done;
        }
        out->fstar = fr.fstar;
    }

    struct run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.params = &cfg->params;
    ctx.seed = cfg->seed;
    ctx.shard = shard;
    ctx.prob = (struct problem){shard, cfg->loss, cfg->lambda, N};
    ctx.n_total = N;
    ctx.n_features = d;
    ctx.comm = &comm;
    /* SPEC 1: L_max over all rows = max over the shards */
    ctx.l_max = objective_lmax(&ctx.prob);
    TRY_GOTO(comm_allreduce_uncounted(&comm, &ctx.l_max, 1, MPI_MAX));

    /* SPEC 4: the method's default rule times step_scale, or the given step */
    double step = 0.0;
    rc = alg->default_step(&ctx, &step);
    if (rc < 0) {
        if (runner_fatal(rc))
            goto done;
        runner_fail(out, rc, "%s: no default step (%s)", alg->name, error_name(rc));
        rc = 0;
        goto done;
    }
    step = cfg->step > 0 ? cfg->step : step * cfg->step_scale;
    ctx.step_size = step;
    out->step_size = step;

    TRY_GOTO(netmodel_create(&cfg->net, cfg->seed, &ctx.prob, &comm, &comm.model));
    out->has_model = comm.model != NULL;
    if (comm.model) /* store the rate in force, calibrated or given */
        cfg->net.compute_s = netmodel_compute_s(comm.model);
    TRY_GOTO(runner_counts(alg, &ctx, &out->counts));
    /* a round longer than the whole run (sgd's batch of more rows than the
     * data: one step was 500 epochs of a 1-epoch run) cannot stop at
     * max_epochs; K gradients of slack for each node's rounding of a
     * fractional period (0.5n on shards of odd sizes); every rank has the
     * same counts */
    if (out->counts.grads > cfg->max_epochs * (double)N + (double)K) {
        runner_fail(out, ERR_INPUT,
                    "%s: one round takes %.0f component gradients, %g epochs, more than the "
                    "whole run (max_epochs %g; expected a shorter round: batch, period)",
                    alg->name, out->counts.grads, out->counts.grads / (double)N, cfg->max_epochs);
        goto done;
    }

    b.w = malloc((size_t)d * sizeof(double));
    b.buf = malloc((size_t)(d + 1) * sizeof(double));
    b.z = malloc((size_t)(shard->n_samples > 0 ? shard->n_samples : 1) * sizeof(double));
    rc = runner_agree(&comm, !b.w || !b.buf || !b.z ? ERR_NOMEM : 0);
    if (rc < 0) {
        if (runner_fatal(rc))
            goto done;
        runner_fail(out, rc, "no memory for the evaluation buffers (d = %lld)", (long long)d);
        rc = 0;
        goto done;
    }

    rc = alg->create(&ctx, &state);
    state_made = rc == 0;         /* this rank's own outcome: destroy what it made */
    rc = runner_agree(&comm, rc); /* ERR_MPI is fatal below */
    if (rc < 0) {
        if (runner_fatal(rc))
            goto done;
        runner_fail(out, rc, "%s: set-up failed (%s)", alg->name, error_name(rc));
        rc = 0;
        goto done;
    }

    /* ---- rounds and checkpoints (SPEC 4) ---- */
    const double grads_end = ceil(cfg->max_epochs * (double)N); /* max_epochs, in gradients */
    double wall_local = 0.0; /* this rank's seconds inside round() */
    int64_t next_index = 0;  /* the next checkpoint is at next_index * eval_every */
    double f0 = NAN;         /* f(0): the first checkpoint's objective */
    out->status = "done";
    if (progress && rank == 0)
        runner_print_header(out, K);
    for (;;) {
        int checkpoint_now = next_index == 0 || (double)ctx.grads_total >= grads_end ||
                             (double)ctx.grads_total >= (double)ctx.grads_target;
        if (checkpoint_now) {
            double f = 0.0;
            double gnorm = 0.0;
            TRY_GOTO(runner_evaluate(alg, state, &ctx, &b, &f, &gnorm));
            /* wall time is the slowest rank's (STYLE 9, OSU's max) */
            /* fold the network model's logged rounds into model_s (uncounted) */
            TRY_GOTO(comm_model_flush(&comm));
            struct comm_stats totals; /* point-to-point shares summed (SPEC 3.9) */
            TRY_GOTO(comm_totals(&comm, &totals));
            double times[3] = {wall_local, comm.stats.comm_s, comm.stats.model_s};
            TRY_GOTO(comm_allreduce_uncounted(&comm, times, 3, MPI_MAX));
            if (next_index == 0)
                f0 = f;
            struct checkpoint c = {
                .epoch = (double)ctx.grads_total / (double)N,
                .rounds = (double)totals.rounds,
                .bytes = (double)totals.bytes,
                .wall_s = times[0],
                .comm_s = times[1],
                .objective = f,
                .subopt = f - out->fstar,
                .grad_norm = gnorm,
                .model_s = times[2],
            };
            /* SPEC 4: a non-finite objective, or one above 10 f(0), is a
             * divergence.  The file must hold finite numbers, so non-finite
             * values are stored as DBL_MAX (the largest finite double). */
            int diverged = !isfinite(f) || f > 10.0 * f0;
            if (diverged) {
                if (!isfinite(c.objective))
                    c.objective = DBL_MAX;
                if (!isfinite(c.subopt))
                    c.subopt = DBL_MAX;
                if (!isfinite(c.grad_norm))
                    c.grad_norm = DBL_MAX;
                out->status = "diverged";
            }
            TRY_GOTO(trace_append(&out->trace, &c));
            if (alg->extra_series) { /* the method's own series (issue 19) */
                struct series_out series = {0};
                TRY_GOTO(alg->extra_series(state, &series));
                TRY_GOTO(trace_append_series(&out->trace, &series));
            }
            if (progress && rank == 0)
                runner_print_row(&c);
            /* The stopping rule, on reduced numbers: the same on every rank.
             * tol is relative to f(0) as SPEC 4 words it: subopt <= tol f(0).
             * tol = 0 never stops on subopt: f > f* off the optimum, so
             * subopt <= 0 is only f's round-off, and past it grad_norm
             * still measures the rate (notes/refresh.md, "The asymptotic
             * rate, past the floor"). */
            if (diverged || (cfg->tol > 0 && c.subopt <= cfg->tol * f0) ||
                (double)ctx.grads_total >= grads_end)
                break;
            /* the next checkpoint strictly after the gradients done so far */
            do
                next_index++;
            while (ceil((double)next_index * cfg->eval_every * (double)N) <=
                   (double)ctx.grads_total);
        }
        double target = ceil((double)next_index * cfg->eval_every * (double)N);
        ctx.grads_target = (int64_t)(target < grads_end ? target : grads_end);
        int64_t before = ctx.grads_total;
        double t0 = MPI_Wtime();
        rc = alg->round(state, &ctx);
        wall_local += MPI_Wtime() - t0;
        if (rc < 0) {
            /* Other ranks may be inside a collective: only a single-rank run
             * can record the failure and go on. */
            if (K > 1 || runner_fatal(rc))
                goto done;
            runner_fail(out, rc, "%s: round failed (%s)", alg->name, error_name(rc));
            rc = 0;
            goto done;
        }
        if (ctx.grads_total <= before)
            FAIL_GOTO(ERR_INTERNAL, "%s: a round evaluated no component gradient", alg->name);
    }
    out->rate_per_epoch = trace_fit_rate(&out->trace);
    out->tail_rate_per_epoch = trace_fit_tail_rate(&out->trace); /* SPEC 4 */
    out->bent = trace_bent(out->rate_per_epoch, out->tail_rate_per_epoch);

done:
    if (state_made)
        alg->destroy(state);
    free(b.z);
    free(b.buf);
    free(b.w);
    netmodel_destroy(comm.model);
    dataset_destroy(shard_owned);
    dataset_destroy(scan_owned);
    return rc;
}

/* Waits on the other ranks of the launch without spinning a core: the
 * machine may be oversubscribed, and idle ranks must not slow the run. */
static int runner_wait_all(MPI_Comm launch)
{
    MPI_Request req;
    int flag = 0;
    MPI_TRY(MPI_Ibarrier(launch, &req));
    for (;;) {
        MPI_TRY(MPI_Test(&req, &flag, MPI_STATUS_IGNORE));
        if (flag)
            break;
        struct timespec ts = {0, 1000000}; /* 1 ms */
        nanosleep(&ts, NULL);
    }
    return 0;
}

int runner_run(const struct run_cfg *cfg, MPI_Comm launch, struct dataset_cache *cache,
               int progress, struct run_result *out)
{
    int rc = 0;
    MPI_Comm sub = MPI_COMM_NULL;
    int launch_rank = 0;
    int launch_size = 1;

    memset(out, 0, sizeof *out);
    out->cfg = *cfg;
    out->status = "failed";
    out->fstar = NAN;
    out->rate_per_epoch = NAN;
    out->tail_rate_per_epoch = NAN;
    out->predicted_rate_per_epoch = NAN;
    out->predicted_tail_rate_per_epoch = NAN;
    MPI_TRY(MPI_Comm_set_errhandler(launch, MPI_ERRORS_RETURN));
    MPI_TRY(MPI_Comm_rank(launch, &launch_rank));
    MPI_TRY(MPI_Comm_size(launch, &launch_size));

    /* Checks that need no data: the same outcome on every rank. */
    const algorithm *alg = algorithm_find(cfg->algorithm);
    int extra = alg ? alg->server_ranks : 0; /* SPEC 3.9: ranks beyond the K nodes */
    int K = cfg->nodes > 0 ? cfg->nodes : launch_size - extra;
    const char *why = NULL;
    if (!alg) {
        runner_fail(out, ERR_INPUT, "--algorithm: unknown algorithm \"%s\"", cfg->algorithm);
    } else if (cfg->params.defs != alg->params) {
        runner_fail(out, ERR_INTERNAL, "%s: run configuration made for another method", alg->name);
    } else if (cfg->nodes > launch_size) {
        runner_fail(out, ERR_INPUT, "--nodes %d exceeds the %d rank(s) of the launch", cfg->nodes,
                    launch_size);
    } else if (K < 1 || K + extra > launch_size) {
        runner_fail(out, ERR_INPUT,
                    "%s: %d node(s) need %d ranks (%d more for the server), the launch has %d",
                    alg->name, K, K + extra, extra, launch_size);
    } else if ((why = run_cfg_check(cfg)) != NULL) {
        runner_fail(out, ERR_INPUT, "%s", why);
    } else if ((why = alg->check ? alg->check(&cfg->params) : NULL) != NULL) {
        runner_fail(out, ERR_INPUT, "%s: %s", alg->name, why);
    } else {
        if (alg->centralized)
            K = 1; /* SPEC 3.1: on launch rank 0 only, the others idle */
        out->cfg.nodes = K;
        int in_run = launch_rank < K + extra;
        MPI_TRY(MPI_Comm_split(launch, in_run ? 0 : MPI_UNDEFINED, launch_rank, &sub));
        if (in_run) {
            MPI_TRY_GOTO(MPI_Comm_set_errhandler(sub, MPI_ERRORS_RETURN));
            TRY_GOTO(runner_execute(alg, sub, cache, progress, out));
        }
    }

    /* Every rank leaves with rank 0's status, so that all exit alike. */
    TRY_GOTO(runner_wait_all(launch));
    int shared[2] = {0, out->error_code};
    for (int i = 0; i < 3; i++)
        if (strcmp(out->status, runner_status_names[i]) == 0)
            shared[0] = i;
    MPI_TRY_GOTO(MPI_Bcast(shared, 2, MPI_INT, 0, launch));
    out->status = runner_status_names[shared[0]];
    out->error_code = shared[1];
done:
    if (sub != MPI_COMM_NULL)
        MPI_Comm_free(&sub);
    return rc;
}
