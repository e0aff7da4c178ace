/*
 * test_objective.c - f, its gradient and Hessian-vector product (SPEC 1,
 * base/objective.c) against an independent dense evaluation and against
 * central finite differences, on sparse CSR data and on a dense block
 * (the OpenBLAS path), with and without the bias column.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/dataset.h"
#include "base/objective.h"
#include "base/rng.h"

/* A random n x d set; entries kept with probability `density` (dense:
 * all, is_dense = 1).  Labels -1/+1 for logistic, real for squared.
 * dense_copy (n x d, caller frees) receives X for the reference sums. */
static struct dataset *make_set(int64_t n, int64_t d, double density, int dense,
                                enum loss_kind loss, uint64_t seed, double **dense_copy)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    struct dataset *ds = dataset_alloc(n, n * d);
    cr_assert_not_null(ds);
    double *x = calloc((size_t)(n * d), sizeof *x);
    cr_assert_not_null(x);
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < d; j++) {
            if (!dense && rng_uniform(&r) >= density)
                continue;
            double v = rng_normal(&r);
            ds->col_idx[at] = (int32_t)j;
            ds->values[at] = v;
            x[i * d + j] = v;
            at++;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] =
            loss == LOSS_LOGISTIC ? (rng_uniform(&r) < 0.5 ? -1.0 : 1.0) : 2.0 * rng_normal(&r);
    }
    ds->nnz = at;
    ds->n_features = d;
    ds->is_dense = dense;
    *dense_copy = x;
    return ds;
}

/* Adds the bias column to the dense copy too (SPEC 1, liblinear's -B). */
static double *add_bias_copy(const double *x, int64_t n, int64_t d, double bias)
{
    double *xb = malloc((size_t)(n * (d + 1)) * sizeof *xb);
    cr_assert_not_null(xb);
    for (int64_t i = 0; i < n; i++) {
        memcpy(xb + i * (d + 1), x + i * d, (size_t)d * sizeof *x);
        xb[i * (d + 1) + d] = bias;
    }
    return xb;
}

static void random_vector(int64_t d, double scale, uint64_t seed, double *v)
{
    struct rng r;
    rng_seed(&r, seed, 1);
    for (int64_t j = 0; j < d; j++)
        v[j] = scale * rng_normal(&r);
}

static double vnorm(int64_t d, const double *v)
{
    double s = 0.0;
    for (int64_t j = 0; j < d; j++)
        s += v[j] * v[j];
    return sqrt(s);
}

/* Runs every check on one problem: value against a dense reference,
 * gradient and HVP against central differences. */
static void check_problem(const struct dataset *ds, const double *x, enum loss_kind loss,
                          double lambda)
{
    const int64_t n = ds->n_samples;
    const int64_t d = ds->n_features;
    struct problem p = {.data = ds, .loss = loss, .lambda = lambda, .n_total = n};
    double *w = malloc((size_t)d * sizeof *w);
    double *v = malloc((size_t)d * sizeof *v);
    double *g = malloc((size_t)d * sizeof *g);
    double *wp = malloc((size_t)d * sizeof *wp);
    double *gp = malloc((size_t)d * sizeof *gp);
    double *gm = malloc((size_t)d * sizeof *gm);
    double *hv = malloc((size_t)d * sizeof *hv);
    double *z = malloc((size_t)n * sizeof *z);
    double *tmp = malloc((size_t)n * sizeof *tmp);
    random_vector(d, 0.5, 11, w);
    random_vector(d, 1.0, 12, v);

    /* Independent reference: f from the dense copy, term by term. */
    double ref = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double zi = 0.0;
        for (int64_t j = 0; j < d; j++)
            zi += x[i * d + j] * w[j];
        double m = ds->y[i] * zi;
        ref += loss == LOSS_LOGISTIC ? log(1.0 + exp(-m)) : 0.5 * (zi - ds->y[i]) * (zi - ds->y[i]);
    }
    ref /= (double)n;
    ref += 0.5 * lambda * vnorm(d, w) * vnorm(d, w);
    double f = objective_value(&p, w, g);
    /* Same sums in another order and without log1p: ~1e-15 relative. */
    cr_assert(fabs(f - ref) <= 1e-13 * fabs(ref), "f %.17g vs reference %.17g", f, ref);

    /* Gradient: central differences, h = 1e-6.  Truncation h^2 f''' ~ 1e-12
     * and cancellation eps |f| / h ~ 1e-10 per coordinate: 1e-6 relative
     * (the brief's bound) leaves a wide margin. */
    const double h = 1e-6;
    double *fd = malloc((size_t)d * sizeof *fd);
    for (int64_t j = 0; j < d; j++) {
        memcpy(wp, w, (size_t)d * sizeof *w);
        wp[j] = w[j] + h;
        double fp = objective_value(&p, wp, NULL);
        wp[j] = w[j] - h;
        double fm = objective_value(&p, wp, NULL);
        fd[j] = (fp - fm) / (2 * h);
    }
    double err = 0.0;
    for (int64_t j = 0; j < d; j++)
        err += (fd[j] - g[j]) * (fd[j] - g[j]);
    cr_assert(sqrt(err) <= 1e-6 * vnorm(d, g), "gradient rel err %g", sqrt(err) / vnorm(d, g));

    /* HVP: central differences of the gradient along v, same h.  Linear
     * in v for the squared loss (then exact up to cancellation ~1e-10). */
    for (int64_t j = 0; j < d; j++)
        wp[j] = w[j] + h * v[j];
    objective_value(&p, wp, gp);
    for (int64_t j = 0; j < d; j++)
        wp[j] = w[j] - h * v[j];
    objective_value(&p, wp, gm);
    objective_margins(&p, w, z);
    objective_hvp(&p, z, v, hv, tmp);
    err = 0.0;
    for (int64_t j = 0; j < d; j++) {
        double fdj = (gp[j] - gm[j]) / (2 * h);
        err += (fdj - hv[j]) * (fdj - hv[j]);
    }
    cr_assert(sqrt(err) <= 1e-6 * vnorm(d, hv), "HVP rel err %g", sqrt(err) / vnorm(d, hv));

    /* Margins against the dense reference: same products, other order. */
    for (int64_t i = 0; i < n; i++) {
        double zi = 0.0;
        double za = 0.0;
        for (int64_t j = 0; j < d; j++) {
            zi += x[i * d + j] * w[j];
            za += fabs(x[i * d + j] * w[j]);
        }
        /* summation-order round-off: d ulps of sum |x_ij w_j| */
        cr_assert(fabs(z[i] - zi) <= 1e-15 * (double)d * za, "margin %lld", (long long)i);
    }

    /* The BLAS path (z scratch given) and the row path (z = NULL) agree. */
    double fl1 = objective_local(&p, w, gp, z);
    double fl2 = objective_local(&p, w, gm, NULL);
    /* two summation orders of n terms: 1e-14 relative */
    cr_assert(fabs(fl1 - fl2) <= 1e-14 * fabs(fl1));
    err = 0.0;
    for (int64_t j = 0; j < d; j++)
        err += (gp[j] - gm[j]) * (gp[j] - gm[j]);
    /* same gradient in two orders (BLAS vs compensated scatter): 1e-13 */
    cr_assert(sqrt(err) <= 1e-13 * vnorm(d, gp));

    free(fd);
    free(w);
    free(v);
    free(g);
    free(wp);
    free(gp);
    free(gm);
    free(hv);
    free(z);
    free(tmp);
}

static void run_case(int dense, enum loss_kind loss, double bias)
{
    const int64_t n = 60;
    const int64_t d = 9;
    double *x = NULL;
    struct dataset *ds = make_set(n, d, 0.35, dense, loss, 5 + (uint64_t)dense, &x);
    int64_t dd = d;
    if (bias > 0) {
        cr_assert_eq(dataset_add_bias(ds, bias), 0);
        double *xb = add_bias_copy(x, n, d, bias);
        free(x);
        x = xb;
        dd = d + 1;
    }
    cr_assert_eq(ds->n_features, dd);
    check_problem(ds, x, loss, 0.05);
    free(x);
    dataset_destroy(ds);
}

Test(objective, logistic_sparse)
{
    run_case(0, LOSS_LOGISTIC, 0.0);
}
Test(objective, logistic_sparse_bias)
{
    run_case(0, LOSS_LOGISTIC, 1.0);
}
Test(objective, logistic_dense)
{
    run_case(1, LOSS_LOGISTIC, 0.0);
}
Test(objective, logistic_dense_bias)
{
    run_case(1, LOSS_LOGISTIC, 2.0);
}
Test(objective, squared_sparse)
{
    run_case(0, LOSS_SQUARED, 0.0);
}
Test(objective, squared_sparse_bias)
{
    run_case(0, LOSS_SQUARED, 1.0);
}
Test(objective, squared_dense)
{
    run_case(1, LOSS_SQUARED, 0.0);
}
Test(objective, squared_dense_bias)
{
    run_case(1, LOSS_SQUARED, 1.0);
}

/* Two shards with N = the whole set add up to the whole (SPEC 1, the
 * runner's allreduce of objective_local). */
static void split_case(int dense)
{
    const int64_t n = 50;
    const int64_t d = 7;
    double *x = NULL;
    struct dataset *ds = make_set(n, d, 0.4, dense, LOSS_LOGISTIC, 21, &x);
    int64_t even[25];
    int64_t odd[25];
    for (int64_t k = 0; k < 25; k++) {
        even[k] = 2 * k;
        odd[k] = 2 * k + 1;
    }
    struct dataset *a = NULL;
    struct dataset *b = NULL;
    cr_assert_eq(dataset_subset(ds, even, 25, &a), 0);
    cr_assert_eq(dataset_subset(ds, odd, 25, &b), 0);
    double w[7];
    random_vector(d, 0.7, 3, w);
    double g[7];
    double ga[7];
    double gb[7];
    double z[50];
    struct problem p = {.data = ds, .loss = LOSS_LOGISTIC, .lambda = 0.1, .n_total = n};
    struct problem pa = p;
    struct problem pb = p;
    pa.data = a;
    pb.data = b;
    double f = objective_local(&p, w, g, z);
    double fa = objective_local(&pa, w, ga, z);
    double fb = objective_local(&pb, w, gb, NULL);
    /* the same 50 terms summed in two groups: a few ulps */
    cr_assert_float_eq(fa + fb, f, 1e-15 * fabs(f) * 4);
    for (int j = 0; j < d; j++)
        /* same: a few ulps of the larger partial sums */
        cr_assert(fabs(ga[j] + gb[j] - g[j]) <= 1e-15 * (fabs(ga[j]) + fabs(gb[j]) + 1e-300) * 8,
                  "coordinate %d: %g + %g vs %g", j, ga[j], gb[j], g[j]);
    /* objective_value = local part (N = n) + lambda/2 ||w||^2 */
    double f_full = objective_value(&p, w, NULL);
    double w2 = 0.0;
    for (int j = 0; j < d; j++)
        w2 += w[j] * w[j];
    /* one addition apart: 1 ulp */
    cr_assert_float_eq(f_full, f + 0.05 * w2, 4e-16 * f_full);
    free(x);
    dataset_destroy(a);
    dataset_destroy(b);
    dataset_destroy(ds);
}

Test(objective, local_parts_sum_to_whole_sparse)
{
    split_case(0);
}
Test(objective, local_parts_sum_to_whole_dense)
{
    split_case(1);
}

Test(objective, lmax_direct)
{
    const int64_t n = 30;
    const int64_t d = 6;
    double *x = NULL;
    struct dataset *ds = make_set(n, d, 0.5, 0, LOSS_LOGISTIC, 8, &x);
    double best = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int64_t j = 0; j < d; j++)
            s += x[i * d + j] * x[i * d + j];
        best = fmax(best, s);
    }
    struct problem p = {.data = ds, .loss = LOSS_LOGISTIC, .lambda = 0.01, .n_total = n};
    /* SPEC 1: c = 1/4; the same squares summed in the same order: 1e-15 */
    cr_assert_float_eq(objective_lmax(&p), 0.25 * best + 0.01, 1e-15 * best);
    p.loss = LOSS_SQUARED;
    /* c = 1 */
    cr_assert_float_eq(objective_lmax(&p), best + 0.01, 1e-15 * best);
    free(x);
    dataset_destroy(ds);
}

/* At |margins| ~ 1e300 the value stays finite (SPEC 1: no overflow). */
Test(objective, logistic_finite_for_huge_margins)
{
    double *x = NULL;
    struct dataset *ds = make_set(20, 4, 1.0, 0, LOSS_LOGISTIC, 9, &x);
    for (int64_t k = 0; k < ds->nnz; k++)
        ds->values[k] *= 1e299; /* margins ~1e299..1e300; ||w||^2 stays small */
    struct problem p = {.data = ds, .loss = LOSS_LOGISTIC, .lambda = 0.01, .n_total = 20};
    double w[4] = {1.0, -1.0, 1.0, 1.0};
    double g[4];
    double f = objective_value(&p, w, g);
    cr_assert(isfinite(f) && f > 0.0);
    for (int j = 0; j < 4; j++)
        cr_assert(isfinite(g[j]));
    free(x);
    dataset_destroy(ds);
}
