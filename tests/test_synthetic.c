/*
 * test_synthetic.c - the built-in generators (datasets/synthetic.c).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "tests/stderr_capture.h"
#include "base/error.h"

static struct dataset *gen(const char *spec)
{
    struct dataset *ds = NULL;
    int rc = synth_generate(spec, &ds);
    cr_assert_eq(rc, 0, "%s: rc %d", spec, rc);
    return ds;
}

static int same_bytes(const struct dataset *a, const struct dataset *b)
{
    return a->n_samples == b->n_samples && a->nnz == b->nnz &&
           memcmp(a->row_ptr, b->row_ptr, (size_t)(a->n_samples + 1) * 8) == 0 &&
           memcmp(a->col_idx, b->col_idx, (size_t)a->nnz * 4) == 0 &&
           memcmp(a->values, b->values, (size_t)a->nnz * 8) == 0 &&
           memcmp(a->y, b->y, (size_t)a->n_samples * 8) == 0;
}

Test(synthetic, is_spec)
{
    cr_assert(synth_is_spec("synth-sparse:n=1,d=1,nnz=1,seed=1"));
    cr_assert(synth_is_spec("synth-dense:n=1"));
    cr_assert(!synth_is_spec("a9a"));
    cr_assert(!synth_is_spec("synth-foo:n=1"));
}

Test(synthetic, sparse_deterministic_and_seed_dependent)
{
    const char *s1 = "synth-sparse:n=500,d=3000,nnz=20,seed=7";
    struct dataset *a = gen(s1);
    struct dataset *b = gen(s1);
    struct dataset *c = gen("synth-sparse:n=500,d=3000,nnz=20,seed=8");
    cr_assert(same_bytes(a, b), "same seed, same bytes");
    cr_assert(!same_bytes(a, c), "another seed, other data");
    cr_assert_str_eq(a->checksum, b->checksum);
    cr_assert_str_neq(a->checksum, c->checksum);
    cr_assert_eq(strncmp(a->checksum, "synth:", 6), 0);
    cr_assert_eq(strlen(a->checksum), 6 + 64);
    cr_assert_str_eq(a->name, s1);
    /* key order and spelling do not change the identity of the data */
    struct dataset *d = gen("synth-sparse:seed=7,nnz=20,d=3000,n=500,noise=0.0");
    cr_assert(same_bytes(a, d));
    cr_assert_str_eq(a->checksum, d->checksum);
    dataset_destroy(a);
    dataset_destroy(b);
    dataset_destroy(c);
    dataset_destroy(d);
}

Test(synthetic, sparse_shape_norms_and_popularity)
{
    const int64_t n = 2000, d = 5000, k = 30;
    struct dataset *ds = gen("synth-sparse:n=2000,d=5000,nnz=30,seed=1");
    cr_assert_eq(ds->n_samples, n);
    cr_assert_eq(ds->n_features, d);
    cr_assert_eq(ds->nnz, n * k);
    cr_assert_eq(ds->is_dense, 0);
    int64_t *freq = calloc((size_t)d, sizeof *freq);
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) {
        cr_assert_eq(ds->row_ptr[i + 1] - ds->row_ptr[i], k, "exactly nnz per row");
        double norm2 = 0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++) {
            cr_assert(ds->col_idx[p] >= 0 && ds->col_idx[p] < d);
            if (p > ds->row_ptr[i])
                cr_assert(ds->col_idx[p] > ds->col_idx[p - 1], "distinct, sorted");
            cr_assert(ds->values[p] > 0, "tf-idf values are positive");
            norm2 += ds->values[p] * ds->values[p];
            freq[ds->col_idx[p]]++;
        }
        /* unit norm up to the rounding of 30 products and one sqrt */
        cr_assert_float_eq(norm2, 1.0, 1e-13);
        cr_assert(ds->y[i] == 1 || ds->y[i] == -1);
        pos += ds->y[i] == 1;
    }
    /* a planted Gaussian separator splits the classes near evenly: 20..80 % */
    cr_assert(pos > n / 5 && pos < 4 * n / 5, "pos = %lld", (long long)pos);
    /* power law: the most popular column is far above the median one */
    int64_t maxf = 0;
    for (int64_t j = 0; j < d; j++)
        maxf = freq[j] > maxf ? freq[j] : maxf;
    int cmp_count = 0;
    for (int64_t j = 0; j < d; j++)
        cmp_count += freq[j] * 20 < maxf;
    cr_assert(cmp_count > d / 2, "over half the columns are 20x rarer than the top one");
    free(freq);
    dataset_destroy(ds);
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* With one entry per row each row is one draw of the popularity law
 * p_rank = (rank + 10)^-1.1 / sum: the sorted column frequencies match it. */
Test(synthetic, sparse_popularity_law)
{
    const int64_t n = 200000, d = 40;
    struct dataset *ds = gen("synth-sparse:n=200000,d=40,nnz=1,seed=4");
    double freq[40] = {0}, law[40], total = 0;
    for (int64_t i = 0; i < n; i++)
        freq[ds->col_idx[i]] += 1.0 / (double)n;
    for (int j = 0; j < d; j++)
        total += law[j] = pow(j + 10.0, -1.1);
    for (int j = 0; j < d; j++)
        law[j] /= total;
    qsort(freq, d, sizeof *freq, cmp_desc);
    for (int j = 0; j < d; j++) {
        /* binomial sd sqrt(p (1-p) / n) <= 0.0004 here; 5 sd, plus the small
         * shuffle that sorting the frequencies of near-equal ranks causes */
        double sd = sqrt(law[j] * (1 - law[j]) / (double)n);
        cr_assert_float_eq(freq[j], law[j], 5 * sd + 1e-4, "rank %d: %g vs %g", j, freq[j], law[j]);
    }
    dataset_destroy(ds);
}

Test(synthetic, noise_flips_that_fraction)
{
    struct dataset *a = gen("synth-sparse:n=20000,d=2000,nnz=10,seed=3");
    struct dataset *b = gen("synth-sparse:n=20000,d=2000,nnz=10,seed=3,noise=0.2");
    cr_assert_eq(memcmp(a->values, b->values, (size_t)a->nnz * 8), 0, "same rows");
    int64_t flipped = 0;
    for (int64_t i = 0; i < a->n_samples; i++)
        flipped += a->y[i] != b->y[i];
    double frac = (double)flipped / (double)a->n_samples;
    /* binomial sd sqrt(0.2 * 0.8 / 20000) = 0.0028: 0.015 is over 5 sd */
    cr_assert_float_eq(frac, 0.2, 0.015);
    dataset_destroy(a);
    dataset_destroy(b);
}

Test(synthetic, sparse_nnz_equal_d_terminates)
{
    struct dataset *ds = gen("synth-sparse:n=50,d=40,nnz=40,seed=2");
    for (int64_t i = 0; i < 50; i++)
        for (int64_t p = 0; p < 40; p++)
            cr_assert_eq(ds->col_idx[i * 40 + p], p, "every column once");
    dataset_destroy(ds);
}

/* Eigenvalues of the symmetric m x m matrix a (destroyed) by cyclic Jacobi. */
static void jacobi_eigen(double *a, int m, double *eig)
{
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int p = 0; p < m; p++)
            for (int q = p + 1; q < m; q++)
                off += a[p * m + q] * a[p * m + q];
        if (off < 1e-30)
            break;
        for (int p = 0; p < m; p++)
            for (int q = p + 1; q < m; q++) {
                double apq = a[p * m + q];
                if (fabs(apq) < 1e-300)
                    continue;
                double theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < m; k++) { /* columns p, q */
                    double akp = a[k * m + p], akq = a[k * m + q];
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for (int k = 0; k < m; k++) { /* rows p, q */
                    double apk = a[p * m + k], aqk = a[q * m + k];
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
            }
    }
    for (int i = 0; i < m; i++)
        eig[i] = a[i * m + i];
}

Test(synthetic, dense_layout_and_condition_number)
{
    const int n = 8000, d = 20;
    struct dataset *ds = gen("synth-dense:n=8000,d=20,cond=100,seed=5");
    cr_assert_eq(ds->is_dense, 1);
    cr_assert_eq(ds->n_features, d);
    cr_assert_eq(ds->nnz, (int64_t)n * d);
    for (int i = 0; i <= n; i++)
        cr_assert_eq(ds->row_ptr[i], (int64_t)i * d);
    for (int64_t p = 0; p < ds->nnz; p++)
        cr_assert_eq(ds->col_idx[p], p % d);
    double cov[20 * 20] = {0};
    for (int i = 0; i < n; i++)
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                cov[a * d + b] += ds->values[i * d + a] * ds->values[i * d + b] / n;
    /* the rotation mixes coordinates: the covariance is not diagonal (an
     * axis-aligned set would give off-diagonals of sampling size ~ 1/sqrt(n) = 0.011) */
    double off = 0;
    for (int a = 0; a < d; a++)
        for (int b = a + 1; b < d; b++)
            off = fabs(cov[a * d + b]) > off ? fabs(cov[a * d + b]) : off;
    cr_assert(off > 0.05, "largest off-diagonal %g", off);
    double eig[20];
    jacobi_eigen(cov, d, eig);
    double lo = eig[0], hi = eig[0], tr = 0;
    for (int i = 0; i < d; i++) {
        lo = eig[i] < lo ? eig[i] : lo;
        hi = eig[i] > hi ? eig[i] : hi;
        tr += eig[i];
    }
    /* sample covariance of n = 400 d rows: eigenvalues within about
     * (1 +- 2 sqrt(2/n)) of the truth, so the ratio is within 15 % of 100 and
     * the largest near 1; 30 % and 20 % leave room */
    cr_assert(hi / lo > 70 && hi / lo < 130, "cond %g", hi / lo);
    cr_assert(hi > 0.8 && hi < 1.2, "largest eigenvalue %g", hi);
    /* trace = sum_j 100^(-j/19), j = 0..19 */
    double tr_true = 0;
    for (int j = 0; j < d; j++)
        tr_true += pow(100.0, -(double)j / (d - 1));
    cr_assert_float_eq(tr, tr_true, 0.1 * tr_true, "trace %g vs %g", tr, tr_true); /* 10 %: ~6 sd */
    dataset_destroy(ds);
}

Test(synthetic, dense_deterministic)
{
    struct dataset *a = gen("synth-dense:n=100,d=10,cond=10,seed=1");
    struct dataset *b = gen("synth-dense:n=100,d=10,cond=10,seed=1");
    struct dataset *c = gen("synth-dense:n=100,d=10,cond=10,seed=2");
    cr_assert(same_bytes(a, b));
    cr_assert(!same_bytes(a, c));
    dataset_destroy(a);
    dataset_destroy(b);
    dataset_destroy(c);
}

/* Runs synth_generate with stderr captured into msg. */
static int gen_capture(const char *spec, char *msg, size_t size)
{
    struct stderr_capture cap;
    stderr_capture_begin(&cap);
    struct dataset *ds = (struct dataset *)1;
    int rc = synth_generate(spec, &ds);
    stderr_capture_end(&cap, msg, size);
    cr_assert_null(ds);
    return rc;
}

Test(synthetic, bad_specs_name_the_parameter)
{
    struct {
        const char *spec;
        const char *what;
    } cases[] = {
        {"synth-sparse:n=10,d=10,nnz=2,seed=1,foo=3", "\"foo\""},
        {"synth-sparse:n=10,d=10,nnz=2,seed=1,cond=3", "\"cond\""},
        {"synth-dense:n=10,d=10,cond=2,seed=1,nnz=3", "\"nnz\""},
        {"synth-sparse:n=abc,d=10,nnz=2,seed=1", "\"n\""},
        {"synth-sparse:n=10,d=0,nnz=2,seed=1", "\"d\""},
        {"synth-sparse:n=10,d=10,nnz=11,seed=1", "\"nnz\""},
        {"synth-sparse:n=10,d=10,seed=1", "\"nnz\""},
        {"synth-sparse:n=10,d=10,nnz=2", "\"seed\""},
        {"synth-sparse:n=10,d=10,nnz=2,seed=-1", "\"seed\""},
        {"synth-sparse:n=10,d=10,nnz=2,seed=1,noise=0.7", "\"noise\""},
        {"synth-sparse:n=10,d=10,nnz=2,seed=1,noise=nan", "\"noise\""},
        {"synth-dense:n=10,d=10,cond=0.5,seed=1", "\"cond\""},
        {"synth-dense:n=10,d=10,cond=2,seed=1,n=4", "\"n\" given twice"},
        {"synth-dense:n=10,d=10,cond,seed=1", "key=value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[1024];
        cr_assert_eq(gen_capture(cases[i].spec, msg, sizeof msg), ERR_INPUT, "%s", cases[i].spec);
        cr_assert(strstr(msg, cases[i].what), "%s: %s", cases[i].spec, msg);
    }
}
