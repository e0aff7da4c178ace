/*
 * bench_sync.c - what one dsaga round costs (issue 5), split into
 *   sync     the synchronisation (SPEC 3.2 step 2) as dsaga times it inside
 *            its rounds (comm stats sync_s: pack, collectives, apply),
 *   local    the rest of the round: tau SAGA steps on the shard (step 1),
 *   catchup  bringing the lazy coordinates up to date: materialising w_k and
 *            g_k for the allreduce and restarting the lazy state (SPEC 2's
 *            "at every synchronisation"),
 *   allreduce  the counted collective of 2d doubles (comm_s of ctx.comm),
 * next to a bare MPI_Allreduce of the same 2d-double buffer (OSU style:
 * warm-up, barrier, MPI_Wtime, repeats).  With --sync sparse (issue 18) the
 * bare reference is the same payload sent the same way: an MPI_Allgather of
 * the 3-double headers and an MPI_Allgatherv of the round's mean number of
 * triples per node (from the byte counter).
 *
 *     mpirun -np 2 build/bench/bench_sync DATASET [--period 0.1n] [--rounds 50]
 *                                                 [--repeats 7] [--sync dense|sparse|auto]
 *
 * Only public interfaces: the registry's dsaga (create/round/get_w) gives
 * round, sync and allreduce (comm stats); saga_core (saga_core.h) on the
 * same shard gives the dense catch-up on its own; get_w of the algorithm
 * (a copy of the synchronised w) is timed on its own.  Every quantity: per
 * round, the median over repeats on each rank, then min / median / max
 * over ranks.  sync is compared with the bare collectives.
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "harness/run_cfg.h"
#include "algorithms/saga_core.h"
#include "datasets/dataset.h"
#include "base/comm.h"
#include "base/error.h"
#include "base/objective.h"

enum { Q_ROUND, Q_LOCAL, Q_CATCHUP, Q_ALLREDUCE, Q_SYNC, Q_GETW, Q_BARE, Q_COUNT };
static const char *const q_names[Q_COUNT] = {
    "round (dsaga)",       "local = round-sync", "catch-up (lazy w,g)", "allreduce (comm_s)",
    "sync (in the round)", "get_w (copy)",       "bare collectives"};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int bench(const char *spec, double period, int is_fraction, int rounds, int repeats,
                 const char *sync)
{
    int rc = 0, rank = 0, K = 1;
    struct dataset *ds = NULL, *shard = NULL;
    struct saga_core *core = NULL;
    void *state = NULL;
    double *buf = NULL, *wk = NULL, *samples = NULL;
    const algorithm *alg = algorithm_find("dsaga");
    struct comm comm;
    MPI_TRY(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &K));
    if (!alg)
        FAIL(ERR_INTERNAL, "dsaga is not in the registry");
    TRY(comm_init(&comm, MPI_COMM_WORLD));

    struct run_cfg cfg;
    char period_text[40];
    TRY(run_cfg_init(&cfg, "dsaga"));
    snprintf(cfg.dataset, sizeof cfg.dataset, "%s", spec);
    cfg.nodes = K;
    snprintf(period_text, sizeof period_text, is_fraction ? "%.17gn" : "%.17g", period);
    if (params_set(&cfg.params, "period", period_text))
        FAIL(ERR_INPUT, "period %s: not a period", period_text);
    cfg.seed = 1;
    if (params_set(&cfg.params, "sync", sync))
        FAIL(ERR_INPUT, "sync %s: expected auto, dense or sparse", sync);

    TRY_GOTO(dataset_load(spec, LABELS_BINARY, &ds));
    int64_t N = ds->n_samples, d = ds->n_features;
    cfg.lambda = 1.0 / (double)N; /* SPEC 1 default */
    TRY_GOTO(shard_extract(ds, K, rank, cfg.partition, cfg.seed, &shard));

    struct run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.params = &cfg.params;
    ctx.seed = cfg.seed;
    ctx.shard = shard;
    ctx.prob = (struct problem){shard, cfg.loss, cfg.lambda, N};
    ctx.n_total = N;
    ctx.n_features = d;
    ctx.comm = &comm;
    ctx.l_max = objective_lmax(&ctx.prob);
    TRY_GOTO(comm_allreduce_uncounted(&comm, &ctx.l_max, 1, MPI_MAX));
    TRY_GOTO(alg->default_step(&ctx, &ctx.step_size));
    TRY_GOTO(alg->create(&ctx, &state));
    TRY_GOTO(saga_core_create(shard, cfg.loss, cfg.lambda, N, ctx.step_size, cfg.seed + 1000, rank,
                              &core));
    int64_t tau = is_fraction ? llround(period * (double)shard->n_samples) : llround(period);
    if (tau < 1)
        tau = 1;

    buf = malloc((size_t)(2 * d) * sizeof *buf);
    wk = malloc((size_t)(2 * d + 3 * K) * sizeof *wk);
    samples = malloc((size_t)(Q_COUNT * repeats) * sizeof *samples);
    if (!buf || !wk || !samples)
        FAIL_GOTO(ERR_NOMEM, "buffers of %lld doubles", (long long)(2 * d));
    for (int64_t j = 0; j < 2 * d; j++)
        buf[j] = 1.0 / (double)(j + 1);

    /* warm-up: a few rounds of each (caches, MPI shared-memory paths) */
    for (int r = 0; r < 5; r++) {
        TRY_GOTO(alg->round(state, &ctx));
        saga_core_steps(core, tau);
        MPI_TRY_GOTO(
            MPI_Allreduce(MPI_IN_PLACE, buf, (int)(2 * d), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD));
    }

    int counts[256], displs[256]; /* bare allgatherv; K <= 256 checked below */
    if (K > 256)
        FAIL_GOTO(ERR_INPUT, "bench_sync: at most 256 ranks");
    double bytes_per_round = 0.0, colls_per_round = 0.0;
    for (int rep = 0; rep < repeats; rep++) {
        double *s = samples + (size_t)rep * Q_COUNT;
        /* the algorithm's round, and its allreduce time from the counters */
        MPI_TRY_GOTO(MPI_Barrier(MPI_COMM_WORLD));
        double comm0 = comm.stats.comm_s, sync0 = comm.stats.sync_s, t0 = MPI_Wtime();
        int64_t bytes0 = comm.stats.bytes, rounds0 = comm.stats.rounds;
        for (int r = 0; r < rounds; r++)
            TRY_GOTO(alg->round(state, &ctx));
        double t1 = MPI_Wtime();
        s[Q_ROUND] = (t1 - t0) / rounds;
        s[Q_ALLREDUCE] = (comm.stats.comm_s - comm0) / rounds;
        /* the synchronisation as dsaga times it inside its rounds; local =
         * the rest.  (Timing tau steps on a separate core instead misjudged
         * them by their caches: at d = 1e6 such steps, each after an O(d)
         * catch-up, took longer than a whole round.) */
        s[Q_SYNC] = (comm.stats.sync_s - sync0) / rounds;
        s[Q_LOCAL] = s[Q_ROUND] - s[Q_SYNC];
        bytes_per_round = (double)(comm.stats.bytes - bytes0) / rounds;
        colls_per_round = (double)(comm.stats.rounds - rounds0) / rounds;
        /* get_w: the synchronised w, as the runner reads it at checkpoints */
        t0 = MPI_Wtime();
        for (int r = 0; r < rounds; r++)
            TRY_GOTO(alg->get_w(state, wk));
        s[Q_GETW] = (MPI_Wtime() - t0) / rounds;
        /* the dense catch-up on saga_core on its own (materialise w_k, g_k;
         * restart) */
        t0 = MPI_Wtime();
        for (int r = 0; r < rounds; r++) {
            saga_core_get_w(core, wk);
            saga_core_get_g(core, wk + d);
            saga_core_reset(core, wk, wk + d);
        }
        s[Q_CATCHUP] = (MPI_Wtime() - t0) / rounds;
        /* bare collectives of the same payload: 2d doubles (dense), or
         * the headers and the mean triples per node (sparse: two rounds) */
        int sparse = colls_per_round > 1.5;
        int m = (int)llround((bytes_per_round - 24.0 * K) / (24.0 * K));
        if (m < 0 || 3 * (int64_t)m * K > 2 * d)
            m = 0;
        for (int k = 0; k < K; k++) {
            counts[k] = 3 * m;
            displs[k] = 3 * m * k;
        }
        MPI_TRY_GOTO(MPI_Barrier(MPI_COMM_WORLD));
        t0 = MPI_Wtime();
        for (int r = 0; r < rounds; r++) {
            if (sparse) {
                MPI_TRY_GOTO(
                    MPI_Allgather(wk, 3, MPI_DOUBLE, wk + 2 * d, 3, MPI_DOUBLE, MPI_COMM_WORLD));
                MPI_TRY_GOTO(MPI_Allgatherv(wk, 3 * m, MPI_DOUBLE, buf, counts, displs, MPI_DOUBLE,
                                            MPI_COMM_WORLD));
            } else {
                MPI_TRY_GOTO(MPI_Allreduce(MPI_IN_PLACE, buf, (int)(2 * d), MPI_DOUBLE, MPI_SUM,
                                           MPI_COMM_WORLD));
            }
        }
        s[Q_BARE] = (MPI_Wtime() - t0) / rounds;
    }

    /* median over repeats on this rank, then min/median/max over ranks */
    double mine[Q_COUNT], *all = NULL;
    for (int q = 0; q < Q_COUNT; q++) {
        double v[repeats];
        for (int rep = 0; rep < repeats; rep++)
            v[rep] = samples[(size_t)rep * Q_COUNT + q];
        mine[q] = median(v, repeats);
    }
    if (rank == 0 && !(all = malloc((size_t)(K * Q_COUNT) * sizeof *all)))
        FAIL_GOTO(ERR_NOMEM, "gather buffer");
    MPI_TRY_GOTO(
        MPI_Gather(mine, Q_COUNT, MPI_DOUBLE, all, Q_COUNT, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    if (rank == 0) {
        printf("# bench_sync: dsaga round split (issue 5)\n");
        printf("# dataset %s: N %lld, d %lld; K %d ranks; tau %lld local steps (%s%g); "
               "allreduce of 2d = %lld doubles (%lld bytes)\n",
               spec, (long long)N, (long long)d, K, (long long)tau, is_fraction ? "n_k x " : "",
               period, (long long)(2 * d), (long long)(16 * d));
        printf("# %d rounds per repeat, %d repeats; per round: median over repeats, then "
               "min/median/max over ranks\n",
               rounds, repeats);
        printf("# sync %s: %.1f collectives and %.0f bytes per round (dense: 1 and %lld, "
               "ratio %.4f)\n",
               sync, colls_per_round, bytes_per_round, (long long)(16 * d * K),
               bytes_per_round / (double)(16 * d * K));
        printf("%-24s%14s%14s%14s\n", "# quantity", "min(us)", "median(us)", "max(us)");
        double med[Q_COUNT];
        for (int q = 0; q < Q_COUNT; q++) {
            double v[K];
            for (int k = 0; k < K; k++)
                v[k] = all[k * Q_COUNT + q];
            med[q] = median(v, K); /* sorts v */
            printf("%-24s%14.2f%14.2f%14.2f\n", q_names[q], 1e6 * v[0], 1e6 * med[q],
                   1e6 * v[K - 1]);
        }
        printf("# sync / bare collectives = %.2f (target <= 1.5); comm_s / bare = %.2f\n",
               med[Q_SYNC] / med[Q_BARE], med[Q_ALLREDUCE] / med[Q_BARE]);
        fflush(stdout);
    }
    free(all);
done:
    free(samples);
    free(wk);
    free(buf);
    saga_core_destroy(core);
    if (alg)
        alg->destroy(state);
    dataset_destroy(shard);
    dataset_destroy(ds);
    return rc;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    const char *spec = NULL;
    double period = 0.1;
    int is_fraction = 1, rounds = 50, repeats = 7, rc = 0;
    const char *sync = "dense";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--period") && i + 1 < argc) {
            char *end;
            period = strtod(argv[++i], &end);
            is_fraction = *end == 'n';
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--sync") && i + 1 < argc) {
            sync = argv[++i]; /* checked by params_set */
        } else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) {
            repeats = atoi(argv[++i]);
        } else if (!spec && argv[i][0] != '-') {
            spec = argv[i];
        } else {
            spec = NULL;
            break;
        }
    }
    if (!spec || !(period > 0) || rounds < 1 || repeats < 5) {
        fprintf(stderr, "usage: bench_sync DATASET [--period P|Fn] [--rounds R] "
                        "[--repeats N>=5] [--sync dense|sparse|auto]\n");
        MPI_Finalize();
        return 2;
    }
    rc = bench(spec, period, is_fraction, rounds, repeats, sync);
    if (rc < 0 && rc != ERR_INPUT)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Finalize();
    return rc == 0 ? 0 : 2;
}
