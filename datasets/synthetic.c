/*
 * synthetic.c - the built-in generators of dataset.h (SPEC 1: the data;
 * SPEC 7: a DATASET may be a synthetic spec).
 *
 *   synth-sparse:n=N,d=D,nnz=K,seed=S[,noise=F]
 *       rcv1-like text data.  Feature j has popularity p_j proportional to
 *       1/(rank_j + 10)^1.1 (a Zipf-Mandelbrot law; ranks are a seeded
 *       permutation of the columns, so popular columns are spread out).
 *       Each row draws exactly K distinct columns with these probabilities
 *       (Walker's alias method, rejection of repeats), holds tf-idf-like positive values
 *       (1 + log tf) * log(1/p_j), tf geometric, and is scaled to unit norm.
 *   synth-dense:n=N,d=D,cond=C,seed=S[,noise=F]
 *       x = Q diag(sqrt(lambda)) z, z ~ N(0, I), lambda_j = C^(-j/(D-1)) for
 *       j = 0..D-1 (geometric from 1 to 1/C), Q a product of three random
 *       Householder reflections: the covariance is Q diag(lambda) Q^T with
 *       condition number C.  Stored as a fully populated CSR (is_dense).
 *
 * Labels in both: y_i = sign(<x_i, w_star>) (0 counts as +1), w_star ~
 * N(0, I), then each label flipped with probability `noise` (default 0).
 * Everything is drawn from rng stream RNG_STREAM_SYNTH of `seed`, in a
 * fixed order and without BLAS, so the bytes are the same everywhere.
 */
#include "datasets/dataset.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"

enum synth_kind { SYNTH_SPARSE, SYNTH_DENSE };

struct synth_params {
    enum synth_kind kind;
    int64_t n;     /* rows */
    int64_t d;     /* columns */
    int64_t nnz;   /* stored entries per row (sparse) */
    double cond;   /* covariance condition number (dense) */
    uint64_t seed; /* rng seed */
    double noise;  /* label flip probability */
};

static const char sparse_prefix[] = "synth-sparse:";
static const char dense_prefix[] = "synth-dense:";

int synth_is_spec(const char *spec)
{
    return strncmp(spec, sparse_prefix, sizeof sparse_prefix - 1) == 0 ||
           strncmp(spec, dense_prefix, sizeof dense_prefix - 1) == 0;
}

static int parse_int(const char *spec, const char *key, const char *text, int64_t lo, int64_t hi,
                     int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || text[0] == '-' || text[0] == '+' || text[0] == ' ' ||
        v < lo || v > hi)
        INPUT_FAIL("%s: parameter \"%s\" expects an integer in [%lld, %lld], got \"%s\"", spec, key,
                   (long long)lo, (long long)hi, text);
    *out = v;
    return 0;
}

static int parse_real(const char *spec, const char *key, const char *text, double lo, double hi,
                      double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || text[0] == ' ' || !isfinite(v) || v < lo || v > hi)
        INPUT_FAIL("%s: parameter \"%s\" expects a number in [%g, %g], got \"%s\"", spec, key, lo,
                   hi, text);
    *out = v;
    return 0;
}

/* Parses "synth-KIND:key=value,..." into *sp. */
static int synth_parse(const char *spec, struct synth_params *sp)
{
    char buf[512];
    memset(sp, 0, sizeof *sp);
    const char *body;
    const char *known;
    if (strncmp(spec, sparse_prefix, sizeof sparse_prefix - 1) == 0) {
        sp->kind = SYNTH_SPARSE;
        body = spec + sizeof sparse_prefix - 1;
        known = "n, d, nnz, seed, noise";
    } else if (strncmp(spec, dense_prefix, sizeof dense_prefix - 1) == 0) {
        sp->kind = SYNTH_DENSE;
        body = spec + sizeof dense_prefix - 1;
        known = "n, d, cond, seed, noise";
    } else {
        INPUT_FAIL("%s: expected \"synth-sparse:...\" or \"synth-dense:...\"", spec);
    }
    if (strlen(body) >= sizeof buf)
        INPUT_FAIL("%s: spec too long", spec);
    strcpy(buf, body);
    int seen_n = 0, seen_d = 0, seen_k = 0, seen_c = 0, seen_s = 0, seen_z = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            INPUT_FAIL("%s: expected \"key=value\", got \"%s\" (known keys: %s)", spec, item,
                       known);
        *eq = '\0';
        const char *key = item;
        const char *val = eq + 1;
        int *seen = NULL;
        if (strcmp(key, "n") == 0) {
            seen = &seen_n;
            TRY(parse_int(spec, key, val, 1, INT64_C(1) << 40, &sp->n));
        } else if (strcmp(key, "d") == 0) {
            seen = &seen_d;
            TRY(parse_int(spec, key, val, 1, INT32_MAX, &sp->d));
        } else if (strcmp(key, "nnz") == 0 && sp->kind == SYNTH_SPARSE) {
            seen = &seen_k;
            TRY(parse_int(spec, key, val, 1, INT32_MAX, &sp->nnz));
        } else if (strcmp(key, "cond") == 0 && sp->kind == SYNTH_DENSE) {
            seen = &seen_c;
            TRY(parse_real(spec, key, val, 1.0, 1e12, &sp->cond));
        } else if (strcmp(key, "seed") == 0) {
            seen = &seen_s;
            int64_t s = 0;
            TRY(parse_int(spec, key, val, 0, INT64_MAX, &s));
            sp->seed = (uint64_t)s;
        } else if (strcmp(key, "noise") == 0) {
            seen = &seen_z;
            TRY(parse_real(spec, key, val, 0.0, 0.5, &sp->noise));
        } else {
            INPUT_FAIL("%s: unknown parameter \"%s\" (known keys: %s)", spec, key, known);
        }
        if (++*seen > 1)
            INPUT_FAIL("%s: parameter \"%s\" given twice", spec, key);
    }
    const char *missing = !seen_n                               ? "n"
                          : !seen_d                             ? "d"
                          : sp->kind == SYNTH_SPARSE && !seen_k ? "nnz"
                          : sp->kind == SYNTH_DENSE && !seen_c  ? "cond"
                          : !seen_s                             ? "seed"
                                                                : NULL;
    if (missing)
        INPUT_FAIL("%s: missing parameter \"%s\" (keys: %s; noise is optional)", spec, missing,
                   known);
    if (sp->kind == SYNTH_SPARSE && sp->nnz > sp->d)
        INPUT_FAIL("%s: parameter \"nnz\" expects at most d = %lld non-zeros per row, got %lld",
                   spec, (long long)sp->d, (long long)sp->nnz);
    if (sp->kind == SYNTH_DENSE && sp->n * sp->d > (INT64_C(1) << 34))
        INPUT_FAIL("%s: parameters \"n\" x \"d\" = %lld exceed the dense limit 2^34 entries", spec,
                   (long long)(sp->n * sp->d));
    if (sp->kind == SYNTH_SPARSE && sp->n * sp->nnz > (INT64_C(1) << 34))
        INPUT_FAIL("%s: parameters \"n\" x \"nnz\" = %lld exceed the limit 2^34 entries", spec,
                   (long long)(sp->n * sp->nnz));
    return 0;
}

/* "synth:" + sha256 of the generated data (row offsets, columns, values,
 * labels).  The identity keys the f* cache: a digest of the data, not of the
 * spec, so that a change to a generator can never reuse a stale f*. */
static int synth_checksum(const struct dataset *ds, char *out, size_t size)
{
    int rc = 0;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        FAIL(ERR_NOMEM, "SHA-256 context");
    size_t n = (size_t)ds->n_samples;
    size_t nnz = (size_t)ds->nnz;
    int64_t shape[3] = {ds->n_samples, ds->n_features, ds->nnz};
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, shape, sizeof shape) != 1 ||
        EVP_DigestUpdate(md, ds->row_ptr, (n + 1) * sizeof *ds->row_ptr) != 1 ||
        EVP_DigestUpdate(md, ds->col_idx, nnz * sizeof *ds->col_idx) != 1 ||
        EVP_DigestUpdate(md, ds->values, nnz * sizeof *ds->values) != 1 ||
        EVP_DigestUpdate(md, ds->y, n * sizeof *ds->y) != 1 ||
        EVP_DigestFinal_ex(md, digest, &len) != 1)
        FAIL_GOTO(ERR_INTERNAL, "SHA-256 of %s", ds->name);
    size_t at = (size_t)snprintf(out, size, "synth:");
    for (unsigned int i = 0; i < len && at + 3 <= size; i++)
        at += (size_t)snprintf(out + at, size - at, "%02x", digest[i]);
done:
    EVP_MD_CTX_free(md);
    return rc;
}

/* y_i = sign(<x_i, w_star>), then flipped with probability noise. */
static void plant_labels(struct dataset *ds, const double *w_star, double noise, struct rng *r)
{
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double m = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            m += ds->values[p] * w_star[ds->col_idx[p]];
        double y = m >= 0 ? 1.0 : -1.0;
        double u = rng_uniform(r); /* drawn always: the stream does not depend on noise */
        if (u < noise)
            y = -y;
        ds->y[i] = y;
    }
    ds->labels_pm1 = 1; /* SPEC 1: classification labels, -1/+1 */
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a;
    int32_t y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a short row of column indices (insertion sort: rows are short). */
static void sort_cols(int32_t *c, int64_t k)
{
    if (k > 64) {
        qsort(c, (size_t)k, sizeof *c, cmp_int32);
        return;
    }
    for (int64_t i = 1; i < k; i++) {
        int32_t v = c[i];
        int64_t j = i;
        while (j > 0 && c[j - 1] > v) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = v;
    }
}

static int gen_sparse(const struct synth_params *sp, struct rng *r, struct dataset *ds)
{
    int rc = 0;
    int64_t d = sp->d;
    int64_t k = sp->nnz;
    double *weight = NULL;  /* popularity by rank, then Walker's acceptance */
    int32_t *alias = NULL;  /* Walker's alias table (Vose's construction) */
    int32_t *work = NULL;   /* small / large stacks of the construction */
    int32_t *col_of = NULL; /* column of each rank */
    double *idf = NULL;     /* log(1/p_j) per column */
    int64_t *mark = NULL;   /* last row that took column j, -1 none */
    double *w_star = NULL;  /* the planted separator */
    weight = malloc((size_t)d * sizeof *weight);
    alias = malloc((size_t)d * sizeof *alias);
    work = malloc((size_t)d * sizeof *work);
    col_of = malloc((size_t)d * sizeof *col_of);
    idf = malloc((size_t)d * sizeof *idf);
    mark = malloc((size_t)d * sizeof *mark);
    w_star = malloc((size_t)d * sizeof *w_star);
    if (!weight || !alias || !work || !col_of || !idf || !mark || !w_star)
        FAIL_GOTO(ERR_NOMEM, "synthetic tables for d = %lld", (long long)d);
    double total = 0.0;
    for (int64_t j = 0; j < d; j++) {
        weight[j] = pow((double)j + 10.0, -1.1);
        total += weight[j];
    }
    for (int64_t j = 0; j < d; j++) {
        col_of[j] = (int32_t)j;
        mark[j] = -1;
    }
    for (int64_t j = d - 1; j > 0; j--) { /* Fisher-Yates: rank -> column */
        int64_t t = (int64_t)rng_below(r, (uint64_t)j + 1);
        int32_t tmp = col_of[j];
        col_of[j] = col_of[t];
        col_of[t] = tmp;
    }
    for (int64_t j = 0; j < d; j++)
        idf[col_of[j]] = log(total / weight[j]);
    /* Vose's alias method: O(1) per draw.  Scaled weights d p_j; "small"
     * ranks (< 1) are pushed from the front of work, "large" from the back. */
    int64_t n_small = 0, n_large = 0;
    for (int64_t j = 0; j < d; j++) {
        weight[j] *= (double)d / total;
        alias[j] = (int32_t)j;
        if (weight[j] < 1.0)
            work[n_small++] = (int32_t)j;
        else
            work[d - 1 - n_large++] = (int32_t)j;
    }
    while (n_small > 0 && n_large > 0) {
        int32_t s = work[--n_small];
        int32_t l = work[d - n_large]; /* top of the large stack */
        alias[s] = l;
        weight[l] -= 1.0 - weight[s];
        if (weight[l] < 1.0) { /* l moves to the small stack */
            n_large--;
            work[n_small++] = l;
        }
    }
    for (int64_t t = 0; t < n_small; t++) /* rounding leftovers accept always */
        weight[work[t]] = 1.0;
    for (int64_t t = 0; t < n_large; t++)
        weight[work[d - 1 - t]] = 1.0;
    for (int64_t j = 0; j < d; j++)
        w_star[j] = rng_normal(r);

    for (int64_t i = 0; i < sp->n; i++) {
        int64_t stamp = i;
        int64_t base = i * k;
        int32_t *cols = ds->col_idx + base;
        int64_t got = 0;
        int64_t tries = 0;
        while (got < k && tries < 32 * k + 64) {
            tries++;
            /* one 64-bit draw: the high part picks the rank, the low part
             * is the uniform that accepts it or takes its alias */
            __uint128_t m = (__uint128_t)rng_next(r) * (uint64_t)d;
            int64_t rank = (int64_t)(m >> 64);
            double u = (double)((uint64_t)m >> 11) * 0x1.0p-53;
            if (u >= weight[rank])
                rank = alias[rank];
            int32_t c = col_of[rank];
            if (mark[c] == stamp)
                continue;
            mark[c] = stamp;
            cols[got++] = c;
        }
        if (got < k) { /* nnz close to d: fill from a random start, in order */
            int64_t j = (int64_t)rng_below(r, (uint64_t)d);
            while (got < k) {
                if (mark[j] != stamp) {
                    mark[j] = stamp;
                    cols[got++] = (int32_t)j;
                }
                j = j + 1 == d ? 0 : j + 1;
            }
        }
        sort_cols(cols, k);
        double norm2 = 0.0;
        double *vals = ds->values + base;
        for (int64_t p = 0; p < k; p++) {
            /* term frequency: geometric on {1, 2, ...} with mean 2, from the
             * trailing ones of one draw (at most 63) */
            uint64_t bits = rng_next(r);
            int tf = 1;
            while (tf < 64 && (bits & 1)) {
                bits >>= 1;
                tf++;
            }
            vals[p] = (1.0 + log((double)tf)) * idf[cols[p]];
            norm2 += vals[p] * vals[p];
        }
        double inv = 1.0 / sqrt(norm2);
        for (int64_t p = 0; p < k; p++)
            vals[p] *= inv;
        ds->row_ptr[i + 1] = base + k;
    }
    plant_labels(ds, w_star, sp->noise, r);
done:
    free(weight);
    free(alias);
    free(work);
    free(col_of);
    free(idf);
    free(mark);
    free(w_star);
    return rc;
}

static int gen_dense(const struct synth_params *sp, struct rng *r, struct dataset *ds)
{
    int rc = 0;
    int64_t d = sp->d;
    double *scale = NULL;  /* sqrt(lambda_j) */
    double *house = NULL;  /* three unit vectors v: H = I - 2 v v^T */
    double *w_star = NULL; /* the planted separator */
    scale = malloc((size_t)d * sizeof *scale);
    house = malloc((size_t)(3 * d) * sizeof *house);
    w_star = malloc((size_t)d * sizeof *w_star);
    if (!scale || !house || !w_star)
        FAIL_GOTO(ERR_NOMEM, "synthetic tables for d = %lld", (long long)d);
    for (int64_t j = 0; j < d; j++) {
        double t = d > 1 ? (double)j / (double)(d - 1) : 0.0;
        scale[j] = sqrt(pow(sp->cond, -t));
    }
    for (int h = 0; h < 3; h++) {
        double *v = house + h * d;
        double n2 = 0.0;
        for (int64_t j = 0; j < d; j++) {
            v[j] = rng_normal(r);
            n2 += v[j] * v[j];
        }
        double inv = n2 > 0 ? 1.0 / sqrt(n2) : 0.0;
        for (int64_t j = 0; j < d; j++)
            v[j] *= inv;
    }
    for (int64_t j = 0; j < d; j++)
        w_star[j] = rng_normal(r);
    for (int64_t i = 0; i < sp->n; i++) {
        double *x = ds->values + i * d;
        for (int64_t j = 0; j < d; j++) {
            x[j] = scale[j] * rng_normal(r);
            ds->col_idx[i * d + j] = (int32_t)j;
        }
        for (int h = 0; h < 3; h++) { /* x = H x: orthogonal, keeps the spectrum */
            const double *v = house + h * d;
            double dot = 0.0;
            for (int64_t j = 0; j < d; j++)
                dot += v[j] * x[j];
            for (int64_t j = 0; j < d; j++)
                x[j] -= 2.0 * dot * v[j];
        }
        ds->row_ptr[i + 1] = (i + 1) * d;
    }
    ds->is_dense = 1;
    plant_labels(ds, w_star, sp->noise, r);
done:
    free(scale);
    free(house);
    free(w_star);
    return rc;
}

int synth_generate(const char *spec, struct dataset **out)
{
    int rc = 0;
    struct synth_params sp;
    struct dataset *ds = NULL;
    struct rng r;
    *out = NULL;
    TRY(synth_parse(spec, &sp));
    int64_t nnz = sp.kind == SYNTH_SPARSE ? sp.n * sp.nnz : sp.n * sp.d;
    ds = dataset_alloc(sp.n, nnz);
    if (!ds)
        FAIL(ERR_NOMEM, "%s: %lld entries", spec, (long long)nnz);
    ds->n_features = sp.d;
    snprintf(ds->name, sizeof ds->name, "%s", spec);
    rng_seed(&r, sp.seed, RNG_STREAM_SYNTH);
    if (sp.kind == SYNTH_SPARSE)
        TRY_GOTO(gen_sparse(&sp, &r, ds));
    else
        TRY_GOTO(gen_dense(&sp, &r, ds));
    TRY_GOTO(synth_checksum(ds, ds->checksum, sizeof ds->checksum));
    *out = ds;
    ds = NULL;
done:
    dataset_destroy(ds);
    return rc;
}
