/*
 * test_saga.c - the SAGA core (algorithms/saga_core.c, SPEC 2) against a
 * naive dense implementation written literally from SPEC 2, on small sparse
 * data with empty rows and never-touched columns, for both losses, with and
 * without the bias column, past renormalisations of the lazy scale; the
 * dense (BLAS) and eager paths likewise; the read-only materialisation; and
 * dsaga with K = 1 against saga, bit for bit (SPEC 3.2); the refresh of
 * the visited rows (SPEC 3.2b) against the same naive code.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "algorithms/saga_core.h"
#include "datasets/dataset.h"
#include "base/comm.h"
#include "base/objective.h"
#include "base/rng.h"

#define N_ROWS 30
#define N_COLS 12
#define N_USED 9 /* columns 9..11 never appear in a row */

/* A 30 x 12 set: every 7th row (3, 10, 17, 24) empty, columns >= N_USED
 * never touched, the rest kept with probability 0.35 (dense = 1: every
 * column, is_dense = 1; dense = SET_BINARY: sparse with every value 1, the
 * core's binary-feature loop).  Labels -1/+1. */
#define SET_BINARY 2
static struct dataset *make_set(int kind, uint64_t seed)
{
    int dense = kind == 1;
    struct rng r;
    rng_seed(&r, seed, 7);
    struct dataset *ds = dataset_alloc(N_ROWS, N_ROWS * N_COLS);
    cr_assert_not_null(ds);
    int64_t at = 0;
    for (int64_t i = 0; i < N_ROWS; i++) {
        for (int64_t j = 0; j < N_COLS; j++) {
            int keep = dense || (i % 7 != 3 && j < N_USED && rng_uniform(&r) < 0.35);
            if (!keep)
                continue;
            ds->col_idx[at] = (int32_t)j;
            ds->values[at] = kind == SET_BINARY ? 1.0 : 0.6 * rng_normal(&r);
            at++;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] = rng_uniform(&r) < 0.5 ? -1.0 : 1.0;
    }
    ds->nnz = at;
    ds->n_features = N_COLS;
    ds->is_dense = dense;
    return ds;
}

/* SPEC 2 literally, on a dense copy of ds, with the same sample sequence
 * as the core on rank 0 (same seed and stream). */
struct naive {
    const struct dataset *ds;
    double *x; /* n x d, dense */
    double *w, *g, *alpha, *v;
    enum loss_kind loss;
    double lambda, eta;
    int64_t n_total;
    struct rng r;
    int64_t *visited; /* refresh: distinct rows drawn since the last one */
    int64_t n_visited;
};

static void naive_init(struct naive *nv, const struct dataset *ds, enum loss_kind loss,
                       double lambda, double eta, uint64_t seed)
{
    int64_t n = ds->n_samples, d = ds->n_features;
    nv->ds = ds;
    nv->x = calloc((size_t)(n * d), sizeof(double));
    nv->w = calloc((size_t)d, sizeof(double));
    nv->g = calloc((size_t)d, sizeof(double));
    nv->v = calloc((size_t)d, sizeof(double));
    nv->alpha = calloc((size_t)n, sizeof(double));
    nv->visited = calloc((size_t)n, sizeof(int64_t));
    nv->n_visited = 0;
    cr_assert(nv->x && nv->w && nv->g && nv->v && nv->alpha && nv->visited);
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            nv->x[i * d + ds->col_idx[p]] = ds->values[p];
    nv->loss = loss;
    nv->lambda = lambda;
    nv->eta = eta;
    nv->n_total = n;
    rng_seed(&nv->r, seed, RNG_STREAM_SAMPLING + 0);
}

static void naive_steps(struct naive *nv, int64_t n_steps)
{
    int64_t n = nv->ds->n_samples, d = nv->ds->n_features;
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = (int64_t)rng_below(&nv->r, (uint64_t)n); /* pick i uniformly */
        const double *xi = nv->x + i * d;
        double z = 0.0;
        for (int64_t j = 0; j < d; j++)
            z += xi[j] * nv->w[j];
        double a = loss_deriv(nv->loss, nv->ds->y[i], z); /* a = loss'(y_i, <x_i, w>) */
        for (int64_t j = 0; j < d; j++) /* v = (a - alpha_i) x_i + g_bar + lambda w */
            nv->v[j] = (a - nv->alpha[i]) * xi[j] + nv->g[j] + nv->lambda * nv->w[j];
        for (int64_t j = 0; j < d; j++) /* w = w - eta v */
            nv->w[j] -= nv->eta * nv->v[j];
        for (int64_t j = 0; j < d; j++) /* g_bar += (a - alpha_i) x_i / N */
            nv->g[j] += (a - nv->alpha[i]) * xi[j] / (double)nv->n_total;
        nv->alpha[i] = a; /* alpha_i = a */
        int seen = 0;
        for (int64_t q = 0; q < nv->n_visited; q++)
            seen |= nv->visited[q] == i;
        if (!seen)
            nv->visited[nv->n_visited++] = i;
    }
}

/* SPEC 3.2b's refresh literally: each row drawn since the last refresh,
 * in order of first draw, gets alpha_i = loss'(y_i, <x_i, w>) and
 * g += (a - alpha_i) x_i / N; w does not move.  Returns how many. */
static int64_t naive_refresh(struct naive *nv)
{
    int64_t d = nv->ds->n_features;
    for (int64_t q = 0; q < nv->n_visited; q++) {
        int64_t i = nv->visited[q];
        const double *xi = nv->x + i * d;
        double z = 0.0;
        for (int64_t j = 0; j < d; j++)
            z += xi[j] * nv->w[j];
        double a = loss_deriv(nv->loss, nv->ds->y[i], z);
        for (int64_t j = 0; j < d; j++)
            nv->g[j] += (a - nv->alpha[i]) * xi[j] / (double)nv->n_total;
        nv->alpha[i] = a;
    }
    int64_t n = nv->n_visited;
    nv->n_visited = 0;
    return n;
}

static void naive_free(struct naive *nv)
{
    free(nv->x);
    free(nv->w);
    free(nv->g);
    free(nv->v);
    free(nv->alpha);
    free(nv->visited);
}

/* Runs core and naive side by side for `chunks` x `per_chunk` steps and
 * compares w and g after every chunk; `refresh`: every chunk after the
 * first starts with the refresh of the rows drawn in the chunk before
 * (SPEC 3.2b), compared too.  Returns the core's rescale count. */
static int64_t compare_with_naive_r(int dense, enum loss_kind loss, double bias, double lambda,
                                    double eta, int chunks, int per_chunk, int refresh)
{
    struct dataset *ds = make_set(dense, 11);
    cr_assert_eq(dataset_add_bias(ds, bias), 0);
    int64_t d = ds->n_features;
    struct saga_core *core = NULL;
    cr_assert_eq(saga_core_create(ds, loss, lambda, ds->n_samples, eta, 42, 0, &core), 0);
    struct naive nv;
    naive_init(&nv, ds, loss, lambda, eta, 42);
    double *w = calloc((size_t)d, sizeof *w);
    double *g = calloc((size_t)d, sizeof *g);
    double *w0 = calloc((size_t)d, sizeof *w0);
    cr_assert(w && g && w0);
    if (refresh)
        cr_assert_eq(saga_core_track_visits(core), 0);
    int64_t refreshed = 0;
    for (int c = 0; c < chunks; c++) {
        if (refresh) {
            saga_core_get_w(core, w0);
            int64_t n_core = saga_core_refresh(core);
            int64_t n_naive = naive_refresh(&nv);
            cr_assert_eq(n_core, n_naive, "chunk %d: refreshed %lld rows, naive %lld", c,
                         (long long)n_core, (long long)n_naive);
            cr_assert(c == 0 ? n_core == 0 : n_core > 0, "chunk %d: %lld refreshed", c,
                      (long long)n_core);
            refreshed += n_core;
            saga_core_get_w(core, w);
            /* the refresh re-takes memories, it never moves w */
            cr_assert(memcmp(w, w0, (size_t)d * sizeof *w) == 0, "chunk %d: refresh moved w", c);
        }
        saga_core_steps(core, per_chunk);
        naive_steps(&nv, per_chunk);
        saga_core_get_w(core, w);
        saga_core_get_g(core, g);
        for (int64_t j = 0; j < d; j++) {
            /* 1e-12 relative (absolute below 1): the lazy form reorders a few
             * roundings per step (shrink via scale, g via running sums), an
             * error of a few ulps times the steps since the last flush; the
             * brief asks for 1e-12. */
            double tol = 1e-12 * fmax(1.0, fabs(nv.w[j]));
            cr_assert(fabs(w[j] - nv.w[j]) <= tol,
                      "chunk %d w[%lld]: core %.17g naive %.17g (dense %d loss %d bias %g)", c,
                      (long long)j, w[j], nv.w[j], dense, (int)loss, bias);
            /* g is updated with the same products in both, so only the
             * summation order of x_i/N terms can differ: 1e-13. */
            cr_assert(fabs(g[j] - nv.g[j]) <= 1e-13 * fmax(1.0, fabs(nv.g[j])),
                      "chunk %d g[%lld]: core %.17g naive %.17g", c, (long long)j, g[j], nv.g[j]);
        }
        /* columns never touched (no bias) stay exactly 0 in both: w = 0 *
         * scale, g = 0, nothing pending */
        if (dense != 1 && bias <= 0)
            for (int64_t j = N_USED; j < N_COLS; j++)
                cr_assert(w[j] == 0.0 && nv.w[j] == 0.0, "untouched column %lld moved",
                          (long long)j);
    }
    int64_t rescales = saga_core_n_rescales(core);
    cr_assert_eq(saga_core_n_steps(core), (int64_t)chunks * per_chunk);
    if (refresh)
        cr_assert(refreshed >= chunks - 1, "only %lld rows refreshed", (long long)refreshed);
    free(w0);
    free(w);
    free(g);
    naive_free(&nv);
    saga_core_destroy(core);
    dataset_destroy(ds);
    return rescales;
}

static int64_t compare_with_naive(int dense, enum loss_kind loss, double bias, double lambda,
                                  double eta, int chunks, int per_chunk)
{
    return compare_with_naive_r(dense, loss, bias, lambda, eta, chunks, per_chunk, 0);
}

/* eta = 1 / (3 L_max) as SPEC 2, on the set the comparisons use. */
static double default_eta(enum loss_kind loss, double bias, double lambda)
{
    struct dataset *ds = make_set(0, 11);
    cr_assert_eq(dataset_add_bias(ds, bias), 0);
    double l_max = loss_curvature(loss) * csr_max_row_norm2(ds) + lambda;
    dataset_destroy(ds);
    return 1.0 / (3.0 * l_max);
}

Test(saga_core, lazy_equals_naive_both_losses_and_bias)
{
    for (int loss = 0; loss < 2; loss++) {
        for (int b = 0; b < 2; b++) {
            double bias = b ? 1.0 : 0.0;
            double lambda = 1.0 / N_ROWS; /* SPEC 1 default */
            double eta = default_eta((enum loss_kind)loss, bias, lambda);
            compare_with_naive(0, (enum loss_kind)loss, bias, lambda, eta, 40, 25);
        }
    }
}

Test(saga_core, lazy_equals_naive_past_renormalisation)
{
    /* lambda eta = 0.3: the scale falls by 0.7 per step, under 1e-9 after
     * 59 steps, so 1000 steps flush it about 17 times */
    for (int loss = 0; loss < 2; loss++) {
        for (int b = 0; b < 2; b++) {
            int64_t rescales =
                compare_with_naive(0, (enum loss_kind)loss, b ? 1.0 : 0.0, 10.0, 0.03, 100, 10);
            cr_assert_geq(rescales, 10, "only %lld renormalisations", (long long)rescales);
        }
    }
}

Test(saga_core, lazy_equals_naive_with_odd_chunks)
{
    /* chunks that do not divide the flush period: the read between chunks
     * falls at every phase of the lazy state */
    int64_t rescales = compare_with_naive(0, LOSS_LOGISTIC, 1.0, 5.0, 0.05, 97, 7);
    cr_assert_gt(rescales, 0);
}

/* Every value 1 (a9a, w8a): the core skips the value loads, same bits */
Test(saga_core, binary_values_path_equals_naive)
{
    for (int loss = 0; loss < 2; loss++) {
        for (int b = 0; b < 2; b++) {
            double bias = b ? 1.0 : 0.0;
            compare_with_naive(SET_BINARY, (enum loss_kind)loss, bias, 1.0 / N_ROWS,
                               default_eta((enum loss_kind)loss, bias, 1.0 / N_ROWS), 40, 25);
            cr_assert_gt(
                compare_with_naive(SET_BINARY, (enum loss_kind)loss, bias, 10.0, 0.03, 100, 10),
                0); /* past renormalisations */
        }
        compare_with_naive_r(SET_BINARY, (enum loss_kind)loss, 1.0, 1.0 / N_ROWS, 0.05, 30, 7, 1);
    }
}

Test(saga_core, dense_path_equals_naive)
{
    for (int loss = 0; loss < 2; loss++)
        for (int b = 0; b < 2; b++)
            compare_with_naive(1, (enum loss_kind)loss, b ? 1.0 : 0.0, 1.0 / N_ROWS, 0.05, 40, 25);
}

Test(saga_core, eager_sparse_path_for_huge_steps_equals_naive)
{
    /* lambda eta = 0.6 > 1/2: the core updates w eagerly (O(d)) */
    compare_with_naive(0, LOSS_SQUARED, 1.0, 10.0, 0.06, 20, 10);
    compare_with_naive(0, LOSS_LOGISTIC, 0.0, 10.0, 0.06, 20, 10);
}

/* SPEC 3.2b's refresh of the visited rows, on every path: the lazy one
 * (both losses, with the bias, past renormalisations), the dense (BLAS) one
 * and the eager sparse one; chunks of 7 and 40 steps on 30 rows (rows drawn
 * twice in a chunk are refreshed once). */
Test(saga_core, refresh_visited_equals_naive)
{
    for (int loss = 0; loss < 2; loss++) {
        double eta = default_eta((enum loss_kind)loss, 1.0, 1.0 / N_ROWS);
        compare_with_naive_r(0, (enum loss_kind)loss, 1.0, 1.0 / N_ROWS, eta, 30, 7, 1);
        compare_with_naive_r(0, (enum loss_kind)loss, 0.0, 1.0 / N_ROWS, eta, 10, 40, 1);
        cr_assert_gt(compare_with_naive_r(0, (enum loss_kind)loss, 1.0, 5.0, 0.05, 60, 7, 1), 0);
        compare_with_naive_r(1, (enum loss_kind)loss, 1.0, 1.0 / N_ROWS, 0.05, 20, 25, 1);
        compare_with_naive_r(0, (enum loss_kind)loss, 0.0, 10.0, 0.08, 20, 9, 1); /* eager */
    }
}

Test(saga_core, materialisation_is_read_only)
{
    struct dataset *ds = make_set(0, 5);
    int64_t d = ds->n_features;
    struct saga_core *a = NULL, *b = NULL;
    /* lambda eta = 0.2: flushes happen within the run */
    cr_assert_eq(saga_core_create(ds, LOSS_LOGISTIC, 4.0, N_ROWS, 0.05, 3, 0, &a), 0);
    cr_assert_eq(saga_core_create(ds, LOSS_LOGISTIC, 4.0, N_ROWS, 0.05, 3, 0, &b), 0);
    double wa[N_COLS], wb[N_COLS];
    for (int t = 0; t < 500; t++) {
        saga_core_steps(a, 1);
        saga_core_get_w(a, wa); /* read after every step */
    }
    saga_core_steps(b, 500); /* never read */
    saga_core_get_w(a, wa);
    saga_core_get_w(b, wb);
    cr_assert_gt(saga_core_n_rescales(a), 0);
    cr_assert_eq(memcmp(wa, wb, (size_t)d * sizeof(double)), 0, "reading w changed the iterates");
    saga_core_get_g(a, wa);
    saga_core_get_g(b, wb);
    cr_assert_eq(memcmp(wa, wb, (size_t)d * sizeof(double)), 0);
    saga_core_destroy(a);
    saga_core_destroy(b);
    dataset_destroy(ds);
}

Test(saga_core, reset_restarts_from_given_point)
{
    struct dataset *ds = make_set(0, 9);
    struct saga_core *c = NULL;
    cr_assert_eq(saga_core_create(ds, LOSS_SQUARED, 0.1, N_ROWS, 0.05, 3, 0, &c), 0);
    saga_core_steps(c, 37);
    double w[N_COLS], g[N_COLS], out[N_COLS];
    for (int j = 0; j < N_COLS; j++) {
        w[j] = 0.25 * j - 1.0;
        g[j] = 0.01 * j;
    }
    saga_core_reset(c, w, g);
    saga_core_get_w(c, out);
    cr_assert_eq(memcmp(out, w, sizeof w), 0, "reset then read must give w exactly");
    saga_core_get_g(c, out);
    cr_assert_eq(memcmp(out, g, sizeof g), 0);
    saga_core_destroy(c);
    dataset_destroy(ds);
}

/* f(w) over the whole set (serial): the objective the runner records. */
static double full_objective(const struct problem *p, const double *w)
{
    return objective_value(p, w, NULL);
}

static void make_ctx(struct run_ctx *ctx, const struct params *params, struct comm *comm,
                     const struct dataset *ds, enum loss_kind loss)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->params = params;
    ctx->seed = 1;
    ctx->shard = ds;
    ctx->prob.data = ds;
    ctx->prob.loss = loss;
    ctx->prob.lambda = 1.0 / (double)ds->n_samples;
    ctx->prob.n_total = ds->n_samples;
    ctx->n_total = ds->n_samples;
    ctx->n_features = ds->n_features;
    ctx->l_max = loss_curvature(loss) * csr_max_row_norm2(ds) + ctx->prob.lambda;
    ctx->comm = comm;
}

Test(dsaga, k1_reproduces_saga_bit_for_bit)
{
    const algorithm *saga = algorithm_find("saga");
    const algorithm *dsaga = algorithm_find("dsaga");
    cr_assert(saga && dsaga);
    for (int loss = 0; loss < 2; loss++) {
        struct dataset *ds = make_set(0, 21);
        cr_assert_eq(dataset_add_bias(ds, 1.0), 0);
        int64_t d = ds->n_features;
        struct params pa, pb;
        cr_assert_eq(params_init(&pa, saga->params), 0);
        cr_assert_eq(params_init(&pb, dsaga->params), 0);
        /* 10 steps: divides the checkpoint spacing of 30 grads */
        cr_assert_null(params_set(&pb, "period", "10"));
        struct comm ca, cb;
        cr_assert_eq(comm_init(&ca, MPI_COMM_NULL), 0);
        cr_assert_eq(comm_init(&cb, MPI_COMM_NULL), 0);
        struct run_ctx xa, xb;
        make_ctx(&xa, &pa, &ca, ds, (enum loss_kind)loss);
        make_ctx(&xb, &pb, &cb, ds, (enum loss_kind)loss);
        double step_a, step_b;
        cr_assert_eq(saga->default_step(&xa, &step_a), 0);
        cr_assert_eq(dsaga->default_step(&xb, &step_b), 0);
        cr_assert_eq(step_a, step_b); /* same rule, SPEC 3.2 */
        xa.step_size = xb.step_size = step_a;
        void *sa = NULL, *sb = NULL;
        cr_assert_eq(saga->create(&xa, &sa), 0);
        cr_assert_eq(dsaga->create(&xb, &sb), 0);
        double wa[N_COLS + 1], wb[N_COLS + 1];
        for (int chk = 1; chk <= 40; chk++) {
            int64_t target = 30 * chk;
            xa.grads_target = xb.grads_target = target;
            while (xa.grads_total < target)
                cr_assert_eq(saga->round(sa, &xa), 0);
            while (xb.grads_total < target)
                cr_assert_eq(dsaga->round(sb, &xb), 0);
            cr_assert_eq(xa.grads_total, xb.grads_total);
            cr_assert_eq(saga->get_w(sa, wa), 0);
            cr_assert_eq(dsaga->get_w(sb, wb), 0);
            cr_assert_eq(memcmp(wa, wb, (size_t)d * sizeof(double)), 0, "checkpoint %d: w differs",
                         chk);
            double fa = full_objective(&xa.prob, wa);
            double fb = full_objective(&xb.prob, wb);
            cr_assert(fa == fb, "checkpoint %d: f %.17g vs %.17g", chk, fa, fb);
        }
        /* the run went somewhere: below f(0) = log 2 or 1/2 mean y^2 */
        cr_assert_lt(full_objective(&xa.prob, wa),
                     full_objective(&xa.prob, (double[N_COLS + 1]){0}));
        /* counters: saga none; dsaga one round per 10 steps, and a single
         * node sends nothing (SPEC 4: 0 bytes at K = 1) */
        cr_assert_eq(ca.stats.rounds, 0);
        cr_assert_eq(ca.stats.bytes, 0);
        cr_assert_eq(cb.stats.rounds, 120);
        cr_assert_eq(cb.stats.bytes, 0);
        saga->destroy(sa);
        dsaga->destroy(sb);
        dataset_destroy(ds);
    }
}

/* refresh_fraction (dsaga.c): the record thinned to each row with chance
 * p.  p = 1 keeps the record and draws nothing, p = 0 empties it (the
 * refresh then re-takes nothing), and p = 0.3 keeps 0.3 of the recorded
 * rows over 400 rounds (within 5 binomial standard deviations); what the
 * refresh re-takes is what the thinning kept. */
Test(saga_core, visits_thin_keeps_each_row_with_its_chance)
{
    struct dataset *ds = make_set(0, 5);
    struct saga_core *c = NULL;
    cr_assert_eq(saga_core_create(ds, LOSS_LOGISTIC, 0.1, N_ROWS, 0.05, 3, 0, &c), 0);
    cr_assert_eq(saga_core_track_visits(c), 0);
    struct rng r, r0;
    rng_seed(&r, 9, RNG_STREAM_THIN);
    saga_core_steps(c, 12);
    r0 = r;
    int64_t all = saga_core_visits_thin(c, 1.0, &r);
    cr_assert(all > 0 && memcmp(&r, &r0, sizeof r) == 0, "p = 1: %lld kept, the stream moved",
              (long long)all);
    cr_assert_eq(saga_core_refresh(c), all, "p = 1: the refresh re-takes every recorded row");
    saga_core_steps(c, 12);
    cr_assert_eq(saga_core_visits_thin(c, 0.0, &r), 0);
    cr_assert_eq(saga_core_refresh(c), 0, "p = 0: nothing re-taken");
    double recorded = 0.0, kept = 0.0;
    for (int round = 0; round < 400; round++) {
        saga_core_steps(c, 12);
        int64_t before = saga_core_visits_thin(c, 1.0, &r);
        int64_t k = saga_core_visits_thin(c, 0.3, &r);
        cr_assert(k >= 0 && k <= before);
        cr_assert_eq(saga_core_refresh(c), k, "round %d: re-took other than the kept rows", round);
        recorded += (double)before;
        kept += (double)k;
    }
    double sd = sqrt(recorded * 0.3 * 0.7);
    cr_log_info("thinning at 0.3: %.0f of %.0f rows kept (%.4f)", kept, recorded, kept / recorded);
    cr_assert(fabs(kept - 0.3 * recorded) <= 5.0 * sd, "kept %.0f of %.0f, expected 0.3 +- %.0f",
              kept, recorded, 5.0 * sd);
    saga_core_destroy(c);
    dataset_destroy(ds);
}
