/*
 * test_algorithms.c - every registry entry (STYLE 8: registering a method
 * tests it) run for one epoch on a tiny problem with a serial communicator:
 * the objective falls below f(0) and the counters follow the closed form
 * each method declares (SPEC 4), from its parameter table alone (SPEC
 * 3.10): nothing here names a method except the tests of one method's
 * behaviour (gd's monotone descent with the step of a power iteration
 * checked against an independent one; dsaga's period syntax).  Declared
 * keys refuse values outside their bounds; the registry's lookups.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "algorithms/algorithm.h"
#include "base/comm.h"
#include "base/error.h"
#include "base/rng.h"
#include "datasets/dataset.h"
#include "harness/run_cfg.h"

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

static void make_ctx(struct run_ctx *ctx, const struct params *params, enum loss_kind loss,
                     struct comm *comm, const struct dataset *ds)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->params = params;
    ctx->seed = 1;
    ctx->shard = ds;
    ctx->prob.data = ds;
    ctx->prob.loss = loss;
    ctx->prob.lambda = 1.0 / (double)ds->n_samples; /* SPEC 1's default 1/N */
    ctx->prob.n_total = ds->n_samples;
    ctx->n_total = ds->n_samples;
    ctx->n_features = ds->n_features;
    ctx->l_max = loss_curvature(loss) * csr_max_row_norm2(ds) + ctx->prob.lambda;
    ctx->comm = comm;
}

/* Every registry entry, with nothing but its own table: one epoch on the
 * tiny problem from its declared defaults descends, and the counters equal
 * the closed form the method declares (SPEC 4), round for round. */
Test(algorithms, every_entry_one_epoch_descends_and_counts)
{
    int n_algs = 0;
    for (int loss = 0; loss < 2; loss++) {
        struct dataset *ds = make_set((enum loss_kind)loss);
        int64_t n = ds->n_samples, d = ds->n_features;
        for (int a = 0; algorithm_at(a); a++) {
            const algorithm *alg = algorithm_at(a);
            n_algs = a + 1;
            if (alg->server_ranks > 0)
                continue; /* K + 1 MPI ranks: tests/mpi/test_async.sh runs it */
            struct params params;
            cr_assert_eq(params_init(&params, alg->params), 0, "%s: a default does not parse",
                         alg->name);
            cr_assert(!alg->check || !alg->check(&params), "%s rejects its defaults", alg->name);
            struct comm comm;
            cr_assert_eq(comm_init(&comm, MPI_COMM_NULL), 0);
            struct run_ctx ctx;
            make_ctx(&ctx, &params, (enum loss_kind)loss, &comm, ds);
            double step = 0.0;
            cr_assert_eq(alg->default_step(&ctx, &step), 0, "%s default_step", alg->name);
            cr_assert(step > 0 && isfinite(step), "%s: step %g", alg->name, step);
            ctx.step_size = step;
            void *state = NULL;
            cr_assert_eq(alg->create(&ctx, &state), 0, "%s create", alg->name);
            double *w = calloc((size_t)d, sizeof *w);
            cr_assert_not_null(w);
            double f0 = f_ref(ds, (enum loss_kind)loss, ctx.prob.lambda, w);
            ctx.grads_target = n; /* one epoch: N component gradients */
            struct round_counts per;
            alg->counters(&params, 1, d, n, &n, &per);
            int64_t n_rounds = 0;
            while (ctx.grads_total < n) {
                int64_t grads_before = ctx.grads_total;
                int64_t rounds_before = comm.stats.rounds;
                cr_assert_eq(alg->round(state, &ctx), 0, "%s round", alg->name);
                n_rounds++;
                /* the declared closed form, this round (< 0: not fixed) */
                if (per.grads >= 0)
                    cr_assert_eq(ctx.grads_total - grads_before, (int64_t)per.grads,
                                 "%s: round %lld evaluated %lld gradients, declared %g", alg->name,
                                 (long long)n_rounds, (long long)(ctx.grads_total - grads_before),
                                 per.grads);
                if (per.rounds >= 0)
                    cr_assert_eq(comm.stats.rounds - rounds_before, (int64_t)per.rounds,
                                 "%s: collective calls per round", alg->name);
            }
            cr_assert_geq(n_rounds, 1);
            /* K = 1: bytes follow the declared form too (a single node sends
             * nothing: 0, SPEC 4) */
            cr_assert_eq(comm.stats.bytes, (int64_t)(per.bytes * (double)n_rounds), "%s bytes",
                         alg->name);
            cr_assert_eq(alg->get_w(state, w), 0);
            double f1 = f_ref(ds, (enum loss_kind)loss, ctx.prob.lambda, w);
            cr_assert(isfinite(f1) && f1 < f0, "%s (loss %d): f(0) %.6g -> %.6g", alg->name, loss,
                      f0, f1);
            free(w);
            alg->destroy(state);
            alg->destroy(NULL); /* STYLE 2: destroy(NULL) does nothing */
        }
        dataset_destroy(ds);
    }
    /* the nine of registry.c and toy-hb, linked in from tests/plugin/ */
    cr_assert_geq(n_algs, 10, "the registry holds %d entries", n_algs);
    cr_assert_not_null(algorithm_find("toy-hb"), "the test-only method is not registered");
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
        struct params params;
        cr_assert_eq(params_init(&params, gd->params), 0);
        struct comm comm;
        cr_assert_eq(comm_init(&comm, MPI_COMM_NULL), 0);
        struct run_ctx ctx;
        make_ctx(&ctx, &params, (enum loss_kind)loss, &comm, ds);
        double step = 0.0;
        cr_assert_eq(gd->default_step(&ctx, &step), 0);
        /* SPEC 3.5: L = c lambda_max / N + lambda; gd inflates its estimate
         * by 1 %, so 1/step lies in [L, 1.0101 L] (0.01 % slack for the
         * power iteration's own convergence) */
        double l_ref =
            loss_curvature((enum loss_kind)loss) * lambda_max_ref(ds) / (double)ds->n_samples +
            ctx.prob.lambda;
        cr_assert(1.0 / step >= l_ref * (1 - 1e-4) && 1.0 / step <= l_ref * 1.0101,
                  "1/step %.10g vs L %.10g", 1.0 / step, l_ref);
        ctx.step_size = step;
        void *state = NULL;
        cr_assert_eq(gd->create(&ctx, &state), 0);
        double w[N_COLS + 1] = {0};
        double f_prev = f_ref(ds, (enum loss_kind)loss, ctx.prob.lambda, w);
        for (int r = 0; r < 20; r++) {
            cr_assert_eq(gd->round(state, &ctx), 0);
            cr_assert_eq(gd->get_w(state, w), 0);
            double f = f_ref(ds, (enum loss_kind)loss, ctx.prob.lambda, w);
            /* with a step of at most 1/L gradient descent decreases f by at
             * least ||grad||^2 / (2L) > 0: strict, no tolerance needed */
            cr_assert_lt(f, f_prev, "round %d: %.17g after %.17g", r, f, f_prev);
            f_prev = f;
        }
        cr_assert_eq(comm.stats.rounds, 20);
        cr_assert_eq(comm.stats.bytes, 0); /* K = 1: one node sends nothing */
        gd->destroy(state);
        dataset_destroy(ds);
    }
}

/* SPEC 3.10: every declared key refuses a value outside its bounds with
 * a phrase that states them, accepts its bounds and its default, and the
 * getters return what was set. */
Test(algorithms, declared_keys_refuse_out_of_bounds_values)
{
    for (int a = 0; algorithm_at(a); a++) {
        const algorithm *alg = algorithm_at(a);
        struct params p;
        cr_assert_eq(params_init(&p, alg->params), 0);
        cr_assert_eq(p.n, params_count(alg->params));
        for (int j = 0; j < p.n; j++) {
            const struct param_def *def = &alg->params[j];
            char text[64];
            const char *why = NULL;
            cr_assert(def->help && def->help[0], "%s.%s: no help line", alg->name, def->name);
            cr_assert_not_null(params_set(&p, def->name, "nonsense"), "%s.%s accepted nonsense",
                               alg->name, def->name);
            switch (def->type) {
            case PARAM_INT:
            case PARAM_REAL:
            case PARAM_PERIOD:
                snprintf(text, sizeof text, "%.17g", def->min - 1.0);
                why = params_set(&p, def->name, text);
                cr_assert_not_null(why, "%s.%s accepted %s below its bound", alg->name, def->name,
                                   text);
                cr_assert(strchr(why, '['), "%s.%s: '%s' does not state the bounds", alg->name,
                          def->name, why);
                snprintf(text, sizeof text, "%.17g", def->max * 2.0 + 1.0);
                cr_assert_not_null(params_set(&p, def->name, text), "%s.%s accepted %s", alg->name,
                                   def->name, text);
                snprintf(text, sizeof text, "%.17g", def->min);
                cr_assert_null(params_set(&p, def->name, text), "%s.%s refused its minimum",
                               alg->name, def->name);
                cr_assert(p.v[j].num == def->min && p.v[j].given);
                break;
            case PARAM_ENUM:
                cr_assert_not_null(strstr(params_set(&p, def->name, "nonsense"), "one of"));
                break;
            }
            cr_assert_null(params_set(&p, def->name, def->def), "%s.%s refused its default",
                           alg->name, def->name);
        }
        cr_assert_str_eq(params_set(&p, "no_such_key", "1"), "not declared");
    }
    /* a period: steps, a fraction, and both bounds of the fraction */
    const algorithm *dsaga = algorithm_find("dsaga");
    struct params p;
    cr_assert_eq(params_init(&p, dsaga->params), 0);
    cr_assert_null(params_set(&p, "period", "0.1n"));
    struct period per = params_period(&p, "period");
    cr_assert(per.is_fraction && per.value == 0.1);
    cr_assert_str_eq(params_text(&p, "period"), "0.1n", "the text as written");
    cr_assert_eq(period_steps(per, 1000), 100);
    cr_assert_eq(period_steps(per, 4), 1, "at least one step");
    cr_assert_not_null(params_set(&p, "period", "1e308n"));
    cr_assert_not_null(params_set(&p, "period", "3e9"));
    cr_assert_not_null(params_set(&p, "period", "0n"));
    cr_assert_not_null(params_set(&p, "period", "2.5"), "steps are whole");
    cr_assert_null(params_set(&p, "period", "n"));
    cr_assert(params_period(&p, "period").value == 1.0);
    cr_assert_null(params_set(&p, "aggregate", "sum"));
    cr_assert_eq(params_enum(&p, "aggregate"), 1);
}

Test(algorithms, common_keys_checked_once)
{
    struct run_cfg cfg;
    cr_assert_eq(run_cfg_init(&cfg, "dsaga"), 0);
    cr_assert_null(run_cfg_check(&cfg));
    cfg.step_scale = -1.0;
    cr_assert_not_null(strstr(run_cfg_check(&cfg), "step_scale"));
    cfg.step_scale = NAN;
    cr_assert_not_null(strstr(run_cfg_check(&cfg), "step_scale"));
    cfg.step_scale = 2.0;
    cfg.step = 0.1;
    cr_assert_not_null(strstr(run_cfg_check(&cfg), "step"));
    cr_assert_eq(run_cfg_init(&cfg, "no-such-method"), ERR_INPUT);
}

Test(algorithms, registry_lookups_and_tables)
{
    int n = 0;
    for (; algorithm_at(n); n++) {
        const algorithm *alg = algorithm_at(n);
        cr_assert(alg->name && alg->summary && alg->params && alg->color && alg->default_step &&
                      alg->create && alg->round && alg->get_w && alg->destroy && alg->counters,
                  "%s: an interface entry is missing", alg->name);
        cr_assert_eq(algorithm_find(alg->name), alg);
        cr_assert(alg->color[0] == '#' && strlen(alg->color) == 7, "%s colour", alg->name);
        cr_assert(alg->step_rule || params_def(alg->params, "step_rule"),
                  "%s: says neither its step rule nor declares step_rule", alg->name);
        for (int m = 0; m < n; m++) {
            cr_assert(strcmp(algorithm_at(m)->name, alg->name) != 0, "%s twice", alg->name);
            /* the figures tell methods apart by colour */
            cr_assert(strcasecmp(algorithm_at(m)->color, alg->color) != 0, "%s has %s's colour %s",
                      alg->name, algorithm_at(m)->name, alg->color);
        }
    }
    cr_assert_eq(algorithm_find("saga")->centralized, 1);
    cr_assert_eq(algorithm_find("dsaga")->centralized, 0);
    cr_assert_null(algorithm_find("nope"));
    cr_assert_null(algorithm_find(NULL));
    cr_assert_null(algorithm_at(n));
    cr_assert_null(algorithm_at(-1));
    struct run_cfg cfg;
    cr_assert_eq(run_cfg_init(&cfg, "saga"), 0);
    cr_assert_eq(cfg.loss, LOSS_LOGISTIC);
    cr_assert(cfg.lambda <= 0); /* 1/N */
    cr_assert_eq(cfg.partition, PARTITION_RANDOM);
    cr_assert(cfg.step_scale == 1.0 && cfg.step == 0.0 && cfg.seed == 1);
    cr_assert(cfg.eval_every == 0.5 && cfg.max_epochs == 50 && cfg.tol == 1e-10);
    cr_assert(cfg.net.alpha_s < 0 && cfg.net.straggler_factor == 1.0 && cfg.nodes == 0);
    cr_assert_eq(cfg.params.n, 0, "saga declares no keys");
}
