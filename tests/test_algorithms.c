/*
 * test_algorithms.c - every registry entry (STYLE 8: registering a method
 * tests it) run for one epoch on a tiny problem with a serial communicator:
 * the objective falls below f(0) and the counters follow the closed forms
 * stated in each algorithm's file (SPEC 4); gd decreases f monotonically
 * with the step of a power iteration checked against an independent one;
 * check() rejects bad values naming the key; the registry's lookups,
 * defaults and aggregate names.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "datasets/dataset.h"
#include "base/comm.h"
#include "base/rng.h"

#define N_ROWS 60
#define N_COLS 8

/* A 60 x 8 sparse set (density 0.5) with labels from a planted separator,
 * plus a bias column: d = 9. */
static struct dataset *make_set(enum loss_kind loss)
{
    struct rng r;
    rng_seed(&r, 77, 1);
    struct dataset *ds = dataset_alloc(N_ROWS, N_ROWS * N_COLS);
    cr_assert_not_null(ds);
    int64_t at = 0;
    for (int64_t i = 0; i < N_ROWS; i++) {
        double m = 0.0;
        for (int64_t j = 0; j < N_COLS; j++) {
            if (rng_uniform(&r) >= 0.5)
                continue;
            double v = rng_normal(&r);
            ds->col_idx[at] = (int32_t)j;
            ds->values[at] = v;
            m += v * (j % 2 ? 1.0 : -0.5);
            at++;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] = loss == LOSS_LOGISTIC ? (m + 0.3 * rng_normal(&r) >= 0 ? 1.0 : -1.0) : m;
    }
    ds->nnz = at;
    ds->n_features = N_COLS;
    cr_assert_eq(dataset_add_bias(ds, 1.0), 0);
    return ds;
}

/* f(w) of SPEC 1 written out here, independent of base/objective.c. */
static double f_ref(const struct dataset *ds, enum loss_kind loss, double lambda, const double *w)
{
    double s = 0.0;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double z = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            z += ds->values[p] * w[ds->col_idx[p]];
        s += loss == LOSS_SQUARED ? 0.5 * (z - ds->y[i]) * (z - ds->y[i])
                                  : log1p(exp(-ds->y[i] * z)); /* |z| small here */
    }
    double w2 = 0.0;
    for (int64_t j = 0; j < ds->n_features; j++)
        w2 += w[j] * w[j];
    return s / (double)ds->n_samples + 0.5 * lambda * w2;
}

static void make_ctx(struct run_ctx *ctx, const struct run_cfg *cfg, struct comm *comm,
                     const struct dataset *ds)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = cfg;
    ctx->shard = ds;
    ctx->prob.data = ds;
    ctx->prob.loss = cfg->loss;
    ctx->prob.lambda = 1.0 / (double)ds->n_samples; /* cfg->lambda <= 0: 1/N */
    ctx->prob.n_total = ds->n_samples;
    ctx->n_total = ds->n_samples;
    ctx->n_features = ds->n_features;
    ctx->l_max = loss_curvature(cfg->loss) * csr_max_row_norm2(ds) + ctx->prob.lambda;
    ctx->comm = comm;
}

Test(algorithms, every_entry_one_epoch_descends_and_counts)
{
    int n_algs = 0;
    for (int loss = 0; loss < 2; loss++) {
        struct dataset *ds = make_set((enum loss_kind)loss);
        int64_t n = ds->n_samples, d = ds->n_features;
        for (int a = 0; algorithm_at(a); a++) {
            const algorithm *alg = algorithm_at(a);
            n_algs = a + 1;
            struct run_cfg cfg;
            run_cfg_defaults(&cfg);
            cfg.loss = (enum loss_kind)loss;
            snprintf(cfg.algorithm, sizeof cfg.algorithm, "%s", alg->name);
            cr_assert_null(alg->check(&cfg), "%s rejects the defaults", alg->name);
            struct comm comm;
            cr_assert_eq(comm_init(&comm, MPI_COMM_NULL), 0);
            struct run_ctx ctx;
            make_ctx(&ctx, &cfg, &comm, ds);
            double step = 0.0;
            cr_assert_eq(alg->default_step(&ctx, &step), 0, "%s default_step", alg->name);
            cr_assert(step > 0 && isfinite(step), "%s: step %g", alg->name, step);
            ctx.step_size = step * cfg.step_scale;
            void *state = NULL;
            cr_assert_eq(alg->create(&ctx, &state), 0, "%s create", alg->name);
            double *w = calloc((size_t)d, sizeof *w);
            cr_assert_not_null(w);
            double f0 = f_ref(ds, cfg.loss, ctx.prob.lambda, w);
            ctx.grads_target = n; /* one epoch: N component gradients */
            int64_t n_rounds = 0;
            while (ctx.grads_total < n) {
                cr_assert_eq(alg->round(state, &ctx), 0, "%s round", alg->name);
                n_rounds++;
            }
            cr_assert_eq(alg->get_w(state, w), 0);
            double f1 = f_ref(ds, cfg.loss, ctx.prob.lambda, w);
            cr_assert(isfinite(f1) && f1 < f0, "%s (loss %d): f(0) %.6g -> %.6g", alg->name, loss,
                      f0, f1);
            /* closed forms (K = 1), as stated in each algorithm's file; one
             * node sends nothing, so bytes stay 0 whatever the rounds */
            int64_t tau = llround(cfg.period * (double)n); /* period 0.5n */
            if (strcmp(alg->name, "saga") == 0) {
                cr_assert_eq(comm.stats.rounds, 0);
                cr_assert_eq(comm.stats.bytes, 0);
                cr_assert_eq(ctx.grads_total, n); /* runs exactly to the target */
            } else if (strcmp(alg->name, "dsaga") == 0) {
                cr_assert_eq(comm.stats.rounds, n_rounds);
                cr_assert_eq(comm.stats.bytes, 0); /* 16 d K for K > 1 */
                cr_assert_eq(ctx.grads_total, n_rounds * tau);
                cr_assert_eq(n_rounds, 2); /* tau = n/2 */
            } else if (strcmp(alg->name, "sgd") == 0) {
                cr_assert_eq(comm.stats.rounds, n_rounds);
                cr_assert_eq(comm.stats.bytes, 0); /* 8 d K for K > 1 */
                cr_assert_eq(ctx.grads_total, n_rounds * cfg.batch);
                cr_assert_eq(n_rounds, n);
            } else if (strcmp(alg->name, "local-sgd") == 0) {
                cr_assert_eq(comm.stats.rounds, n_rounds);
                cr_assert_eq(comm.stats.bytes, 0);
                cr_assert_eq(ctx.grads_total, n_rounds * tau * cfg.batch);
            } else if (strcmp(alg->name, "gd") == 0) {
                cr_assert_eq(comm.stats.rounds, n_rounds);
                cr_assert_eq(comm.stats.bytes, 0);
                cr_assert_eq(ctx.grads_total, n_rounds * n);
                cr_assert_eq(n_rounds, 1);
            } else {
                cr_assert_fail("no closed form written for %s: add one here", alg->name);
            }
            free(w);
            alg->destroy(state);
            alg->destroy(NULL); /* STYLE 2: destroy(NULL) does nothing */
        }
        dataset_destroy(ds);
    }
    cr_assert_eq(n_algs, 5, "the registry holds %d entries", n_algs);
}

/* lambda_max(X^T X) by plain power iteration on the explicit d x d matrix:
 * the reference for gd's estimate. */
static double lambda_max_ref(const struct dataset *ds)
{
    int64_t d = ds->n_features;
    double *a = calloc((size_t)(d * d), sizeof *a);
    double *v = malloc((size_t)d * sizeof *v);
    double *u = malloc((size_t)d * sizeof *u);
    cr_assert(a && v && u);
    for (int64_t i = 0; i < ds->n_samples; i++)
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            for (int64_t q = ds->row_ptr[i]; q < ds->row_ptr[i + 1]; q++)
                a[ds->col_idx[p] * d + ds->col_idx[q]] += ds->values[p] * ds->values[q];
    for (int64_t j = 0; j < d; j++)
        v[j] = 1.0 + 0.1 * (double)j;
    double lam = 0.0;
    for (int it = 0; it < 20000; it++) {
        double nv = 0.0;
        for (int64_t j = 0; j < d; j++)
            nv += v[j] * v[j];
        nv = sqrt(nv);
        for (int64_t j = 0; j < d; j++)
            v[j] /= nv;
        lam = 0.0;
        for (int64_t j = 0; j < d; j++) {
            u[j] = 0.0;
            for (int64_t k = 0; k < d; k++)
                u[j] += a[j * d + k] * v[k];
            lam += v[j] * u[j];
        }
        memcpy(v, u, (size_t)d * sizeof *v);
    }
    free(a);
    free(v);
    free(u);
    return lam;
}

Test(algorithms, gd_decreases_monotonically_with_step_one_over_l)
{
    const algorithm *gd = algorithm_find("gd");
    cr_assert_not_null(gd);
    for (int loss = 0; loss < 2; loss++) {
        struct dataset *ds = make_set((enum loss_kind)loss);
        struct run_cfg cfg;
        run_cfg_defaults(&cfg);
        cfg.loss = (enum loss_kind)loss;
        struct comm comm;
        cr_assert_eq(comm_init(&comm, MPI_COMM_NULL), 0);
        struct run_ctx ctx;
        make_ctx(&ctx, &cfg, &comm, ds);
        double step = 0.0;
        cr_assert_eq(gd->default_step(&ctx, &step), 0);
        /* SPEC 3.5: L = c lambda_max / N + lambda; gd inflates its estimate
         * by 1 %, so 1/step lies in [L, 1.0101 L] (0.01 % slack for the
         * power iteration's own convergence) */
        double l_ref =
            loss_curvature(cfg.loss) * lambda_max_ref(ds) / (double)ds->n_samples + ctx.prob.lambda;
        cr_assert(1.0 / step >= l_ref * (1 - 1e-4) && 1.0 / step <= l_ref * 1.0101,
                  "1/step %.10g vs L %.10g", 1.0 / step, l_ref);
        ctx.step_size = step;
        void *state = NULL;
        cr_assert_eq(gd->create(&ctx, &state), 0);
        double w[N_COLS + 1] = {0};
        double f_prev = f_ref(ds, cfg.loss, ctx.prob.lambda, w);
        for (int r = 0; r < 20; r++) {
            cr_assert_eq(gd->round(state, &ctx), 0);
            cr_assert_eq(gd->get_w(state, w), 0);
            double f = f_ref(ds, cfg.loss, ctx.prob.lambda, w);
            /* with a step of at most 1/L gradient descent decreases f by at
             * least ||grad||^2 / (2L) > 0: strict, no tolerance needed */
            cr_assert_lt(f, f_prev, "round %d: %.17g after %.17g", r, f, f_prev);
            f_prev = f;
        }
        cr_assert_eq(comm.stats.rounds, 20);
        cr_assert_eq(comm.stats.bytes, 0); /* K = 1 sends nothing */
        gd->destroy(state);
        dataset_destroy(ds);
    }
}

/* The message of check() on cfg must mention `key`. */
static void expect_reject(const char *alg_name, const struct run_cfg *cfg, const char *key)
{
    const algorithm *alg = algorithm_find(alg_name);
    cr_assert_not_null(alg, "%s not registered", alg_name);
    const char *why = alg->check(cfg);
    cr_assert_not_null(why, "%s accepted a bad %s", alg_name, key);
    cr_assert_not_null(strstr(why, key), "%s: message '%s' does not name %s", alg_name, why, key);
}

Test(algorithms, check_rejects_bad_values_naming_the_key)
{
    struct run_cfg cfg;
    run_cfg_defaults(&cfg);
    for (int a = 0; algorithm_at(a); a++) {
        struct run_cfg bad = cfg;
        bad.step_scale = -1.0;
        expect_reject(algorithm_at(a)->name, &bad, "step_scale");
        bad.step_scale = NAN;
        expect_reject(algorithm_at(a)->name, &bad, "step_scale");
    }
    struct run_cfg bad = cfg;
    bad.period = 0.0;
    expect_reject("dsaga", &bad, "period");
    expect_reject("local-sgd", &bad, "period");
    bad.period = 0.3; /* steps: rounds to 0 */
    bad.period_is_fraction = 0;
    expect_reject("dsaga", &bad, "period");
    bad = cfg;
    bad.batch = 0;
    expect_reject("sgd", &bad, "batch");
    expect_reject("local-sgd", &bad, "batch");
    bad = cfg;
    bad.aggregate = (enum aggregate)7;
    expect_reject("dsaga", &bad, "aggregate");
    /* the same values in range are accepted */
    struct run_cfg ok = cfg;
    ok.period = 100;
    ok.period_is_fraction = 0;
    ok.aggregate = AGG_SUM;
    ok.batch = 16;
    for (int a = 0; algorithm_at(a); a++)
        cr_assert_null(algorithm_at(a)->check(&ok), "%s", algorithm_at(a)->name);
}

Test(algorithms, registry_lookups_and_defaults)
{
    const char *names[] = {"saga", "dsaga", "sgd", "local-sgd", "gd"};
    for (int i = 0; i < 5; i++) {
        const algorithm *alg = algorithm_find(names[i]);
        cr_assert_not_null(alg, "%s", names[i]);
        cr_assert_str_eq(alg->name, names[i]);
        cr_assert_eq(alg->centralized, i == 0);
        cr_assert(alg->summary && alg->check && alg->default_step && alg->create && alg->round &&
                  alg->get_w && alg->destroy);
    }
    cr_assert_null(algorithm_find("nope"));
    cr_assert_null(algorithm_find(NULL));
    cr_assert_null(algorithm_at(5));
    cr_assert_null(algorithm_at(-1));
    struct run_cfg cfg;
    run_cfg_defaults(&cfg);
    cr_assert_eq(cfg.loss, LOSS_LOGISTIC);
    cr_assert(cfg.lambda <= 0); /* 1/N */
    cr_assert(cfg.period == 0.5 && cfg.period_is_fraction);
    cr_assert_eq(cfg.aggregate, AGG_MEAN);
    cr_assert_eq(cfg.partition, PARTITION_RANDOM);
    cr_assert(cfg.batch == 1 && cfg.step_scale == 1.0 && cfg.step == 0.0 && cfg.seed == 1);
    cr_assert(cfg.eval_every == 0.5 && cfg.max_epochs == 50 && cfg.tol == 1e-10);
    cr_assert(cfg.net_alpha_s < 0 && cfg.straggler_factor == 1.0 && cfg.nodes == 0);
    enum aggregate agg;
    cr_assert_eq(aggregate_parse("sum", &agg), 0);
    cr_assert_eq(agg, AGG_SUM);
    cr_assert_str_eq(aggregate_name(agg), "sum");
    cr_assert_eq(aggregate_parse("mean", &agg), 0);
    cr_assert_eq(agg, AGG_MEAN);
    cr_assert_str_eq(aggregate_name(agg), "mean");
    cr_assert_eq(aggregate_parse("median", &agg), -1);
}
