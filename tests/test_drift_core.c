/*
 * test_drift_core.c - the lazy local step of drift_core (the local phase of
 * scaffold, scaffnew/lsvrg and local-svrg, SPEC 3.6-3.8) equals the dense
 * step w = beta w - eta c - eta sum_b coef_b x_b written out here, through
 * renormalisations and the eager path of a huge step.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "algorithms/drift_core.h"
#include "base/rng.h"
#include "datasets/dataset.h"

#define ROWS 5
#define COLS 4

/* A 5 x 4 sparse set (some entries zero) */
static struct dataset *make_set(void)
{
    struct rng r;
    rng_seed(&r, 5, 9);
    struct dataset *ds = dataset_alloc(ROWS, ROWS * COLS);
    cr_assert_not_null(ds);
    int64_t at = 0;
    for (int64_t i = 0; i < ROWS; i++) {
        for (int64_t j = 0; j < COLS; j++) {
            if ((i + j) % 3 == 0)
                continue;
            ds->col_idx[at] = (int32_t)j;
            ds->values[at] = rng_normal(&r);
            at++;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] = 1.0;
    }
    ds->nnz = at;
    ds->n_features = COLS;
    return ds;
}

/* Runs n_steps of the core against the dense step; returns how many
 * times the core renormalised. */
static int64_t check_against_dense(double eta, double lambda, int n_steps)
{
    struct dataset *ds = make_set();
    struct rng r;
    rng_seed(&r, 11, 3);
    double w[COLS], c[COLS], v[COLS], lazy[COLS];
    for (int j = 0; j < COLS; j++) {
        w[j] = rng_normal(&r);
        c[j] = rng_normal(&r);
    }
    struct drift_core core;
    drift_core_init(&core, ds, eta, lambda, v);
    drift_core_start(&core, w, c);
    double beta = 1.0 - eta * lambda;
    for (int t = 0; t < n_steps; t++) {
        int64_t rows[2] = {(int64_t)rng_below(&r, ROWS), (int64_t)rng_below(&r, ROWS)};
        double coef[2] = {rng_normal(&r), rng_normal(&r)};
        /* the margin the lazy form reports is <x_i, w> of the dense w */
        double m = 0.0;
        for (int64_t p = ds->row_ptr[rows[0]]; p < ds->row_ptr[rows[0] + 1]; p++)
            m += ds->values[p] * w[ds->col_idx[p]];
        /* tolerance: a few ulps of the terms, relative to |w| ~ 1 */
        cr_assert_float_eq(drift_core_margin(&core, rows[0]), m, 1e-9 * (1 + fabs(m)));
        drift_core_step(&core, 2, rows, coef);
        for (int j = 0; j < COLS; j++)
            w[j] = beta * w[j] - eta * c[j];
        for (int b = 0; b < 2; b++)
            for (int64_t p = ds->row_ptr[rows[b]]; p < ds->row_ptr[rows[b] + 1]; p++)
                w[ds->col_idx[p]] -= eta * coef[b] * ds->values[p];
    }
    drift_core_get_w(&core, lazy);
    for (int j = 0; j < COLS; j++)
        /* rounding of up to n_steps updates, each O(1): 1e-9 relative */
        cr_assert_float_eq(lazy[j], w[j], 1e-9 * (1 + fabs(w[j])), "coordinate %d: %.17g vs %.17g",
                           j, lazy[j], w[j]);
    dataset_destroy(ds);
    return core.n_renormalised;
}

Test(drift_core, lazy_equals_dense_step)
{
    check_against_dense(0.05, 0.1, 200);
}

/* Steps between renormalisations: the first k with beta^k < 1e-9
 * (DRIFT_MIN_SCALE), in closed form. */
static int64_t steps_per_renormalisation(double beta)
{
    return (int64_t)floor(log(1e-9) / log(beta)) + 1;
}

Test(drift_core, renormalises_before_the_scale_underflows)
{
    /* beta = 0.9: scale passes 1e-9 at step 197, so 600 steps renormalise
     * three times */
    cr_assert_eq(steps_per_renormalisation(0.9), 197);
    cr_assert_eq(check_against_dense(0.1, 1.0, 600), 3);
    /* beta = 0.6 (still lazy): every 41 steps, 48 times in 2000; without
     * them eta / scale would overflow near step 1 400 and w turn NaN */
    cr_assert_eq(steps_per_renormalisation(0.6), 41);
    cr_assert_eq(check_against_dense(0.4, 1.0, 2000), 2000 / 41);
}

Test(drift_core, huge_steps_take_the_eager_path)
{
    check_against_dense(0.8, 1.0, 30); /* beta = 0.2 < 1/2 */
}
