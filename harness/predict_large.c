/*
 * predict_large.c - predict's tail for dsaga on wide data (mean and
 * variance parts), matrix-free in d (predict_large.h says how; predict.c says what).
 */
#include "harness/predict_large.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/csr.h"
#include "harness/fstar.h"
#include "harness/predict.h"

/* LAPACK (OpenBLAS): eigenvalues and vectors of a symmetric matrix,
 * divide and conquer. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                    double *w, double *work, const int *lwork, int *iwork, const int *liwork,
                    int *info);

/* The outputs of a node's round: the e and B rows of t^tau, (late) the B
 * row of t^tau1, the memory at the record's restart, and the e row of
 * (1/tau) sum_{t<tau} t^t, the node's mean local iterate over the round
 * (where its draws read their memories, predict.c). */
enum { OUT_E = 0, OUT_B = 1, OUT_MID = 2, OUT_AVG = 3, N_OUT = 4 };

struct lnode {
    int64_t n;     /* rows */
    int64_t *rows; /* their indices in ds */
    double *sq;    /* sqrt(h_i / n_k): A's row scale */
    double *U;     /* n x n column-major: eigenvectors of A A^T */
    double *psi;   /* N_OUT x 3 x n: (phi_ob(sigma_j) - phi_ob(0)) / sigma_j */
    double phi0[N_OUT][3];
    double q;        /* the chance a row is re-taken (0 without refresh) */
    double *scratch; /* 4 n: Y, then 4 n: W */
};

/* out = a b (row-major 3 x 3); out may not alias a or b. */
static void mat3_mul(const double a[9], const double b[9], double out[9])
{
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
}

/* out = t^p (row-major 3 x 3) by repeated squaring. */
static void mat3_pow(const double t[9], int64_t p, double out[9])
{
    double base[9], tmp[9];
    memcpy(base, t, sizeof base);
    for (int i = 0; i < 9; i++)
        out[i] = i % 4 == 0 ? 1.0 : 0.0;
    while (p > 0) {
        if (p & 1) {
            mat3_mul(out, base, tmp);
            memcpy(out, tmp, sizeof tmp);
        }
        p >>= 1;
        if (p > 0) {
            mat3_mul(base, base, tmp);
            memcpy(base, tmp, sizeof tmp);
        }
    }
}

/* out = (1/p) sum_{t<p} t^t (row-major 3 x 3), by doubling: S_2l = S_l +
 * t^l S_l, S_(l+1) = I + t S_l. */
static void mat3_mean_pow(const double t[9], int64_t p, double out[9])
{
    double S[9] = {0}, tl[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, x[9];
    int top = 62;
    while (top >= 0 && !((p >> top) & 1))
        top--;
    for (int b = top; b >= 0; b--) {
        mat3_mul(tl, S, x);
        for (int i = 0; i < 9; i++)
            S[i] += x[i];
        mat3_mul(tl, tl, x);
        memcpy(tl, x, sizeof x);
        if ((p >> b) & 1) {
            mat3_mul(t, S, x);
            for (int i = 0; i < 9; i++)
                S[i] = x[i] + (i % 4 == 0 ? 1.0 : 0.0);
            mat3_mul(t, tl, x);
            memcpy(tl, x, sizeof x);
        }
    }
    for (int i = 0; i < 9; i++)
        out[i] = p > 0 ? S[i] / (double)p : 0.0;
}

/* One expected step on an eigendirection of H_k with eigenvalue x
 * (predict.c's T_k, one coordinate of each block). */
static void step3(double x, double eta, double lambda, double N, double n_k, double t[9])
{
    t[0] = 1.0 - eta * (x + lambda);
    t[1] = eta * (N / n_k - 1.0);
    t[2] = -eta;
    t[3] = x / N;
    t[4] = 1.0 - 1.0 / n_k;
    t[5] = 0.0;
    t[6] = 0.0;
    t[7] = 0.0;
    t[8] = 1.0;
}

/* y = A v on the node's rows: y_a = sq_a <x_a, v>. */
static void node_mul(const struct lnode *nd, const struct dataset *ds, const double *v, double *y)
{
    for (int64_t a = 0; a < nd->n; a++)
        y[a] = nd->sq[a] * csr_row_dot(ds, nd->rows[a], v);
}

/* out += A^T y. */
static void node_mul_t(const struct lnode *nd, const struct dataset *ds, const double *y,
                       double *out)
{
    for (int64_t a = 0; a < nd->n; a++) {
        int64_t i = nd->rows[a];
        double f = nd->sq[a] * y[a];
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            out[ds->col_idx[p]] += f * ds->values[p];
    }
}

/* The n x n Gram matrix of the rows rows[0..n) scaled by sq: U[a n + b]
 * = sq_a sq_b <x_a, x_b>, both triangles; row a scattered into `dense` (d,
 * zero on entry and on return), dotted with every row b >= a. */
static void gram(const struct dataset *ds, const int64_t *rows, const double *sq, int64_t n,
                 double *dense, double *U)
{
    for (int64_t a = 0; a < n; a++) {
        int64_t i = rows ? rows[a] : a;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            dense[ds->col_idx[p]] = ds->values[p];
        for (int64_t b = a; b < n; b++) {
            double z = csr_row_dot(ds, rows ? rows[b] : b, dense) * sq[a] * sq[b];
            U[a * n + b] = z;
            U[b * n + a] = z;
        }
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            dense[ds->col_idx[p]] = 0.0;
    }
}

/* The eigenvalues (ascending, into sig) and eigenvectors (U's columns,
 * column-major, in place) of the symmetric n x n U: dsyevd.  ERR_NOMEM,
 * ERR_NUMERIC. */
static int eigh(int64_t n, double *U, double *sig)
{
    int rc = 0;
    double *work = NULL;
    int *iwork = NULL;
    int in = (int)n, info = 0, lwork = -1, liwork = -1, iq = 0;
    double query = 0.0;
    dsyevd_("V", "L", &in, U, &in, sig, &query, &lwork, &iq, &liwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyevd workspace query: info %d", info);
    lwork = (int)query;
    liwork = iq;
    work = malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
    iwork = malloc((size_t)(liwork > 1 ? liwork : 1) * sizeof *iwork);
    if (!work || !iwork)
        FAIL_GOTO(ERR_NOMEM, "dsyevd workspace of %d doubles", lwork);
    dsyevd_("V", "L", &in, U, &in, sig, work, &lwork, iwork, &liwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyevd on a %d x %d Gram matrix: info %d", in, in, info);
done:
    free(iwork);
    free(work);
    return rc;
}

/* The node's Gram matrix A A^T, its eigenvectors and the divided
 * differences of t^tau (and t^tau1) at its eigenvalues. */
static int node_setup(struct lnode *nd, const struct dataset *ds, const double *h, double lambda,
                      double eta, int64_t tau, int64_t tau1, double *dense)
{
    int rc = 0;
    const int64_t n = nd->n;
    const int64_t d = ds->n_features;
    const double N = (double)ds->n_samples;
    double *sig = malloc((size_t)n * sizeof *sig);
    nd->U = malloc((size_t)(n * n) * sizeof *nd->U);
    nd->psi = malloc((size_t)(N_OUT * 3 * n) * sizeof *nd->psi);
    nd->scratch = malloc((size_t)(8 * n) * sizeof *nd->scratch);
    if (!sig || !nd->U || !nd->psi || !nd->scratch)
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld eigenvectors of a node's Gram matrix",
                  (long long)n, (long long)n);
    for (int64_t a = 0; a < n; a++)
        nd->sq[a] = sqrt(h[nd->rows[a]] / (double)n);
    memset(dense, 0, (size_t)d * sizeof *dense);
    gram(ds, nd->rows, nd->sq, n, dense, nd->U);
    TRY_GOTO(eigh(n, nd->U, sig));
    /* t^p at 0 and at each eigenvalue; an eigenvalue at or below rounding
     * of the largest is the null space, which phi(0) already covers */
    double t[9], p0[9], p1[9], m0[9], px[9], p1x[9], mx[9];
    const double n_k = (double)n;
    step3(0.0, eta, lambda, N, n_k, t);
    mat3_pow(t, tau, p0);
    mat3_pow(t, tau1, p1);
    mat3_mean_pow(t, tau, m0);
    for (int b = 0; b < 3; b++) {
        nd->phi0[OUT_E][b] = p0[b];
        nd->phi0[OUT_B][b] = p0[3 + b];
        nd->phi0[OUT_MID][b] = p1[3 + b];
        nd->phi0[OUT_AVG][b] = m0[b];
    }
    double top = n > 0 ? fabs(sig[n - 1]) : 0.0;
    for (int64_t j = 0; j < n; j++) {
        double x = sig[j];
        int live = x > 1e-14 * top;
        if (live) {
            step3(x, eta, lambda, N, n_k, t);
            mat3_pow(t, tau, px);
            mat3_pow(t, tau1, p1x);
            mat3_mean_pow(t, tau, mx);
        }
        for (int b = 0; b < 3; b++) {
            nd->psi[(OUT_E * 3 + b) * n + j] = live ? (px[b] - p0[b]) / x : 0.0;
            nd->psi[(OUT_B * 3 + b) * n + j] = live ? (px[3 + b] - p0[3 + b]) / x : 0.0;
            nd->psi[(OUT_MID * 3 + b) * n + j] = live ? (p1x[3 + b] - p1[3 + b]) / x : 0.0;
            nd->psi[(OUT_AVG * 3 + b) * n + j] = live ? (mx[b] - m0[b]) / x : 0.0;
        }
    }
done:
    free(sig);
    return rc;
}

/* FNV-1a, 64 bits, over n bytes, continuing from hash. */
static uint64_t fnv1a(uint64_t hash, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        hash ^= b[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

/* The spectrum's cache file (fstar_cache_dir()/spectrum-KEY.bin): magic,
 * key, N, K, r, then a (r) and gd (K x r), native doubles.  The magic is
 * the format's and the formula's version ("dagspcv1" in little-endian
 * bytes): change it with either, and old files stop matching (the
 * loader checks it with the key, N and K). */
#define SPECTRUM_MAGIC 0x3176637073676164ull

/* dsyevd's workspace, 1 + 6 N + 2 N^2 doubles, is counted in an int */
_Static_assert(1LL + 6LL * PREDICT_LARGE_MAX_SAMPLES +
                       2LL * PREDICT_LARGE_MAX_SAMPLES * PREDICT_LARGE_MAX_SAMPLES <
                   2147483647LL,
               "PREDICT_LARGE_MAX_SAMPLES overflows dsyevd's int workspace size");

static int spectrum_path(uint64_t key, char *buf, size_t size)
{
    char dir[4096];
    TRY(fstar_cache_dir(dir, sizeof dir));
    if ((size_t)snprintf(buf, size, "%s/spectrum-%016llx.bin", dir, (unsigned long long)key) >=
        size)
        FAIL(ERR_IO, "spectrum cache path too long");
    return 0;
}

/* 1 when the cache holds key's spectrum (into *a, *gd, *r). */
static int spectrum_load(const char *path, uint64_t key, int64_t N, int K, double **a, double **gd,
                         int64_t *r)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t head[5];
    int hit = 0;
    if (fread(head, sizeof head, 1, f) == 1 && head[0] == SPECTRUM_MAGIC && head[1] == key &&
        head[2] == (uint64_t)N && head[3] == (uint64_t)K && head[4] <= (uint64_t)N) {
        size_t n = (size_t)head[4];
        *a = malloc((n + 1) * sizeof **a);
        *gd = malloc(((size_t)K * n + 1) * sizeof **gd);
        if (*a && *gd && fread(*a, sizeof **a, n, f) == n &&
            fread(*gd, sizeof **gd, (size_t)K * n, f) == (size_t)K * n) {
            *r = (int64_t)n;
            hit = 1;
        } else {
            free(*a);
            free(*gd);
            *a = *gd = NULL;
        }
    }
    fclose(f);
    return hit;
}

/* Writes the spectrum through a temporary file and a rename; a cache that
 * cannot be written costs the eigendecomposition next time, not this run. */
static void spectrum_save(const char *path, uint64_t key, int64_t N, int K, const double *a,
                          const double *gd, int64_t r)
{
    char tmp[4300];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof tmp)
        return;
    FILE *f = fopen(tmp, "wb");
    uint64_t head[5] = {SPECTRUM_MAGIC, key, (uint64_t)N, (uint64_t)K, (uint64_t)r};
    int ok = f && fwrite(head, sizeof head, 1, f) == 1 &&
             fwrite(a, sizeof *a, (size_t)r, f) == (size_t)r &&
             fwrite(gd, sizeof *gd, (size_t)(K * r), f) == (size_t)(K * r);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        error_report(__FILE__, __LINE__, __func__, "spectrum not cached: cannot write %s", path);
    }
}

int predict_large_spectrum(const struct dataset *ds, const double *h, int loss, double lambda,
                           double bias, const int *owner, int K, double **a_out, double **gd_out,
                           int64_t *r_out)
{
    int rc = 0;
    const int64_t N = ds->n_samples;
    const int64_t d = ds->n_features;
    double *U = NULL, *sig = NULL, *sq = NULL, *a = NULL, *gd = NULL, *n_k = NULL;
    *a_out = *gd_out = NULL;
    *r_out = 0;
    if (N > PREDICT_LARGE_MAX_SAMPLES)
        FAIL_GOTO(ERR_INPUT,
                  "predict: the variance part keeps an N x N eigenbasis; %lld rows exceed %d",
                  (long long)N, PREDICT_LARGE_MAX_SAMPLES);
    /* the key: the problem (the data's identity, as the f* cache keys it,
     * its loss, lambda, the bias column's value: d only says there is one)
     * and the shards.  Without a bias column the key is what it was before
     * the bias joined it, so spectra cached then still count.  Not h's
     * bits: w* to 1e-12 differs in its last bits with OpenBLAS's thread
     * count, and so would the key */
    uint64_t key = 14695981039346656037ull;
    int64_t dims[4] = {N, d, K, loss};
    key = fnv1a(key, dims, sizeof dims);
    key = fnv1a(key, &lambda, sizeof lambda);
    if (bias > 0)
        key = fnv1a(key, &bias, sizeof bias);
    key = fnv1a(key, ds->checksum, strlen(ds->checksum));
    key = fnv1a(key, owner, (size_t)N * sizeof *owner);
    char path[4200];
    int cached = spectrum_path(key, path, sizeof path) == 0;
    if (cached && spectrum_load(path, key, N, K, a_out, gd_out, r_out))
        return 0;

    U = malloc((size_t)(N * N) * sizeof *U);
    sig = malloc((size_t)N * sizeof *sig);
    sq = calloc((size_t)(N + d), sizeof *sq); /* N, then d of scratch */
    n_k = calloc((size_t)K, sizeof *n_k);
    if (!U || !sig || !sq || !n_k)
        FAIL_GOTO(ERR_NOMEM, "predict: the %lld x %lld Gram matrix of H", (long long)N,
                  (long long)N);
    /* H = B^T B, B's rows sqrt(h_i / N) x_i; B B^T = V diag(sigma) V^T */
    for (int64_t i = 0; i < N; i++)
        sq[i] = sqrt(h[i] / (double)N);
    gram(ds, NULL, sq, N, sq + N, U);
    TRY_GOTO(eigh(N, U, sig));
    /* H's eigenvector u_j = B^T v_j / sqrt(sigma_j) has x_i^T u_j =
     * sqrt(sigma_j N / h_i) v_ij, so G_k's diagonal there is
     * g_kj = (N sigma_j / n_k) sum_{i in S_k} |x_i|^2 h_i v_ij^2; on the
     * directions outside range(X^T) every G_k is 0 */
    double top = N > 0 ? sig[N - 1] : 0.0;
    int64_t r = 0;
    for (int64_t j = 0; j < N; j++)
        r += sig[j] > 1e-12 * top;
    a = malloc((size_t)(r + 1) * sizeof *a);
    gd = calloc((size_t)(K * r + 1), sizeof *gd);
    if (!a || !gd)
        FAIL_GOTO(ERR_NOMEM, "predict: %lld directions", (long long)r);
    for (int64_t i = 0; i < N; i++) {
        double n2 = csr_row_norm2(ds, i);
        sq[i] = n2 * h[i]; /* |x_i|^2 h_i */
        n_k[owner[i]] += 1.0;
    }
    for (int64_t j = N - r, jj = 0; j < N; j++, jj++) {
        const double *v = U + (size_t)j * (size_t)N;
        a[jj] = sig[j] + lambda;
        for (int64_t i = 0; i < N; i++)
            gd[(int64_t)owner[i] * r + jj] += sq[i] * v[i] * v[i];
        for (int k = 0; k < K; k++)
            gd[k * r + jj] *= (double)N * sig[j] / n_k[k];
    }
    if (cached)
        spectrum_save(path, key, N, K, a, gd, r);
    *a_out = a;
    *gd_out = gd;
    *r_out = r;
    a = gd = NULL;
done:
    free(gd);
    free(a);
    free(n_k);
    free(sq);
    free(sig);
    free(U);
    return rc;
}

/* out[o] = row o of t(H_k)^p applied to (v[0], v[1], v[2]) for the first
 * n_out outputs (OUT_E, OUT_B, OUT_MID, OUT_AVG); out[o] overwritten. */
static void node_apply(struct lnode *nd, const struct dataset *ds, const double *const v[3],
                       double *const out[N_OUT], int n_out)
{
    const int64_t n = nd->n;
    const int64_t d = ds->n_features;
    double *Y = nd->scratch; /* n x 3, then n x n_out, column-major */
    double *W = Y + 4 * n;   /* n x n_out */
    int in = (int)n;
    for (int b = 0; b < 3; b++)
        node_mul(nd, ds, v[b], Y + b * n);
    /* Z = U^T Y into W's place, then the divided differences, then U W */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, in, 3, in, 1.0, nd->U, in, Y, in, 0.0, W,
                in);
    for (int o = 0; o < n_out; o++) {
        const double *p0 = nd->psi + (o * 3) * n;
        const double *p1 = p0 + n;
        const double *p2 = p1 + n;
        for (int64_t j = 0; j < n; j++)
            Y[o * n + j] = p0[j] * W[j] + p1[j] * W[n + j] + p2[j] * W[2 * n + j];
    }
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, in, n_out, in, 1.0, nd->U, in, Y, in,
                0.0, W, in);
    for (int o = 0; o < n_out; o++) {
        const double *f = nd->phi0[o];
        double *dst = out[o];
        for (int64_t c = 0; c < d; c++)
            dst[c] = f[0] * v[0][c] + f[1] * v[1][c] + f[2] * v[2][c];
        node_mul_t(nd, ds, W + o * n, dst);
    }
}

int predict_large_refuses(const int *owner, int64_t N, int K, char *why, size_t size)
{
    for (int k = 0; k < K; k++) {
        int64_t n_k = predict_node_rows(owner, N, k);
        if (n_k == 0) {
            snprintf(why, size, "predict: node %d holds no row", k);
            return 1;
        }
        if (n_k > PREDICT_LARGE_MAX_ROWS) {
            snprintf(why, size,
                     "predict: node %d holds %lld rows; the matrix-free path keeps an n_k x n_k "
                     "eigenbasis and stops at %d",
                     k, (long long)n_k, PREDICT_LARGE_MAX_ROWS);
            return 1;
        }
    }
    return 0;
}

int predict_large_tail(const struct dataset *ds, const double *h, const double *alpha,
                       const double *w, double lambda, const int *owner, int K, const int64_t *tau,
                       double eta, double s, int refresh, double frac,
                       const struct predict_var *var, int64_t var_r, double rounds_per_epoch,
                       double eval_every, double max_epochs, double stop_rel, double *rate,
                       struct trace *out)
{
    int rc = 0;
    struct predict_noise nz = {0};
    double *xe = NULL; /* N: X e, then (var) N: |x_i|^2 h_i^2, N: |x_i|^2 h_i alpha_i, N: scratch */
    double *mring = NULL; /* var: X m of the last nz.ages rounds, round % ages, m what
                           * each row's memory of that round holds in the mean (u_k of
                           * its node or e); then this round's X m and X u_k (N each) */
    double *forms = NULL; /* var: K u^T G_k u, K c_k^T u, K x ages u^T G_k m_a, K taken */
    const int64_t N = ds->n_samples;
    const int64_t d = ds->n_features;
    const size_t vd = (size_t)d * sizeof(double);
    struct predict_track tr = {0};
    struct lnode *nodes = calloc((size_t)K, sizeof *nodes);
    /* e, e_next, c, Bs' and the round's four outputs, then K memories
     * (Be_k), and with refresh K more (Bs_k), and K new Be_k */
    const int n_vec = 8 + K * (refresh ? 3 : 2);
    double *vec = malloc((size_t)n_vec * vd);
    *rate = NAN;
    if (!nodes || !vec)
        FAIL_GOTO(ERR_NOMEM, "predict: %d state vectors of %lld", n_vec, (long long)d);
    double *e = vec, *e_next = e + d, *c = e_next + d, *bsp = c + d;
    double *o_e = bsp + d, *o_b = o_e + d, *o_m = o_b + d, *o_u = o_m + d;
    double *be = o_u + d; /* K x d: the memories as the round ended */
    double *be_new = be + K * d;
    double *bs = refresh ? be_new + K * d : NULL; /* K x d: as the round started */
    char why[256];
    if (predict_large_refuses(owner, N, K, why, sizeof why))
        FAIL_GOTO(ERR_INPUT, "%s", why);
    for (int k = 0; k < K; k++)
        nodes[k].n = predict_node_rows(owner, N, k);
    for (int k = 0; k < K; k++) {
        struct lnode *nd = &nodes[k];
        nd->rows = malloc((size_t)nd->n * sizeof *nd->rows);
        nd->sq = malloc((size_t)nd->n * sizeof *nd->sq);
        if (!nd->rows || !nd->sq)
            FAIL_GOTO(ERR_NOMEM, "predict: node %d's %lld rows", k, (long long)nd->n);
        int64_t a = 0;
        for (int64_t i = 0; i < N; i++)
            if (owner[i] == k)
                nd->rows[a++] = i;
        /* late re-takes only the rows drawn after tau/2 steps (dsaga.c) */
        int64_t tau1 = 0;
        nd->q = predict_refresh_q(refresh, tau[k], nd->n, &tau1);
        TRY_GOTO(node_setup(nd, ds, h, lambda, eta, tau[k], tau1, o_e)); /* o_e: d of scratch */
    }
    xe = malloc((size_t)(4 * N) * sizeof *xe);
    if (!xe)
        FAIL_GOTO(ERR_NOMEM, "predict: 4 x %lld row values", (long long)N);
    double *hv = xe + N, *cw = hv + N, *gx = cw + N; /* gx: hv X e */
    if (var) {
        /* the variance part (predict.c): G_k = (1/n_k) sum_{i in S_k}
         * |x_i|^2 h_i^2 x_i x_i^T and c_k are read through X e and X u_k */
        TRY_GOTO(predict_noise_init(&nz, var, var_r));
        mring = malloc((size_t)((nz.ages + 2) * N) * sizeof *mring);
        forms = malloc((size_t)((3 + nz.ages) * K) * sizeof *forms);
        if (!mring || !forms)
            FAIL_GOTO(ERR_NOMEM, "predict: the last %lld rounds' X m", (long long)nz.ages);
        for (int64_t i = 0; i < N; i++) {
            double n2 = csr_row_norm2(ds, i);
            hv[i] = n2 * h[i] * h[i];
            cw[i] = n2 * h[i] * alpha[i];
        }
    }
    /* the run's start: w = 0, every stored gradient 0 */
    for (int64_t c0 = 0; c0 < d; c0++)
        e[c0] = -w[c0];
    memset(be, 0, (size_t)K * vd);
    for (int64_t i = 0; i < N; i++) {
        double f = -alpha[i] / (double)N;
        double *bk = be + (size_t)owner[i] * (size_t)d;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            bk[ds->col_idx[p]] += f * ds->values[p];
    }
    if (bs)
        memcpy(bs, be, (size_t)K * vd);

    TRY_GOTO(predict_track_init(&tr, var ? nz.np : 1, eval_every, max_epochs, stop_rel, out));
    const int64_t max_rounds = (int64_t)ceil(max_epochs * rounds_per_epoch) + 1;
    for (int64_t round = 0; round <= max_rounds; round++) {
        if (round > 0) {
            /* one round (predict_dsaga_map's M, applied) */
            for (int64_t j = 0; j < d; j++)
                e_next[j] = (1.0 - s * (double)K) * e[j];
            for (int k = 0; k < K; k++) {
                struct lnode *nd = &nodes[k];
                double *own = bs ? bs + (size_t)k * (size_t)d : be + (size_t)k * (size_t)d;
                memset(c, 0, vd);
                for (int j = 0; j < K; j++)
                    if (j != k)
                        cblas_daxpy((int)d, 1.0, be + (size_t)j * (size_t)d, 1, c, 1);
                const double *start = own;
                if (bs) { /* Bs' = frac ((1 - q) Bs + q (n_k / N) H_k e) + (1 - frac) Be */
                    double *y = nd->scratch;
                    node_mul(nd, ds, e, y);
                    const double keep = frac * (1.0 - nd->q); /* 1 - q exactly at frac = 1 */
                    for (int64_t j = 0; j < d; j++)
                        bsp[j] = keep * own[j];
                    if (frac < 1.0) /* the drawn rows not re-taken, from Be_k */
                        cblas_daxpy((int)d, 1.0 - frac, be + (size_t)k * (size_t)d, 1, bsp, 1);
                    double f = frac * nd->q * (double)nd->n / (double)N;
                    for (int64_t a = 0; a < nd->n; a++)
                        y[a] *= f;
                    node_mul_t(nd, ds, y, bsp);
                    start = bsp;
                }
                const double *in[3] = {e, start, c};
                double *outs[N_OUT] = {o_e, o_b, o_m, o_u};
                node_apply(nd, ds, in, outs, var ? 4 : refresh == PREDICT_REFRESH_LATE ? 3 : 2);
                if (var) { /* X u_k on the node's rows */
                    double *xu = mring + (size_t)(nz.ages + 1) * (size_t)N;
                    for (int64_t a = 0; a < nd->n; a++)
                        xu[nd->rows[a]] = csr_row_dot(ds, nd->rows[a], o_u);
                }
                cblas_daxpy((int)d, s, o_e, 1, e_next, 1);
                memcpy(be_new + (size_t)k * (size_t)d, o_b, vd);
                if (bs) /* the memory the next round starts from, before its refresh */
                    memcpy(own, refresh == PREDICT_REFRESH_LATE ? o_m : bsp, vd);
            }
            memcpy(e, e_next, vd);
            memcpy(be, be_new, (size_t)K * vd);
        }
        double epoch = (double)round / rounds_per_epoch;
        int due = predict_track_due(&tr, epoch);
        if (!due && !var)
            continue;
        for (int64_t i = 0; i < N; i++)
            xe[i] = csr_row_dot(ds, i, e);
        if (var) {
            const int64_t ages = nz.ages;
            double *eGe = forms, *ce = eGe + K, *cross = ce + K, *taken = cross + ages * K;
            /* the draws read at each node's mean local iterate u_k; a
             * memory holds its round's u_k (the share phi_k) or e
             * (predict.c, "Where a draw reads its memory") */
            double *xm = mring + (size_t)ages * (size_t)N;
            const double *xu = xm + N;
            for (int64_t i = 0; i < N && round > 0; i++)
                gx[i] = hv[i] * xu[i];
            for (int k = 0; k < K && round > 0; k++) {
                const struct lnode *nd = &nodes[k];
                const double phi = var->phi ? var->phi[k] : 0.0;
                double g = 0.0, c0 = 0.0, ge = 0.0;
                for (int64_t a = 0; a < nd->n; a++) {
                    int64_t i = nd->rows[a];
                    g += gx[i] * xu[i];
                    c0 += cw[i] * xu[i];
                    ge += hv[i] * xe[i] * xe[i];
                    xm[i] = phi * xu[i] + (1.0 - phi) * xe[i];
                }
                eGe[k] = g / (double)nd->n;
                ce[k] = c0 / (double)nd->n;
                taken[k] = phi * eGe[k] + (1.0 - phi) * ge / (double)nd->n;
                for (int64_t age = 1; age <= ages && age < round; age++) {
                    const double *old = mring + (size_t)((round - age) % ages) * (size_t)N;
                    double x = 0.0;
                    for (int64_t a = 0; a < nd->n; a++) {
                        int64_t i = nd->rows[a];
                        x += gx[i] * old[i];
                    }
                    cross[k * ages + age - 1] = x / (double)nd->n;
                }
            }
            /* the variance part, into nz.sv */
            predict_noise_round(&nz, round, eGe, ce, cross, taken);
            if (round > 0)
                memcpy(mring + (size_t)(round % ages) * (size_t)N, xm, (size_t)N * sizeof *xm);
        }
        if (!due)
            continue;
        /* subopt ~ (1/2) e^T (H + lambda I) e, H = (1/N) sum_i h_i x_i x_i^T,
         * plus the variance part */
        double q = 0.0;
        for (int64_t i = 0; i < N; i++)
            q += h[i] * xe[i] * xe[i];
        double mean = 0.5 * (q / (double)N + lambda * cblas_ddot((int)d, e, 1, e, 1));
        /* grad f = X^T (h X e) / N + lambda e, into e_next (the next
         * round starts it afresh) through gx (the next round's too) */
        for (int64_t i = 0; i < N; i++)
            gx[i] = h[i] * xe[i] / (double)N;
        csr_xt(ds, gx, e_next);
        cblas_daxpy((int)d, lambda, e, 1, e_next, 1);
        double mean_g2 = cblas_ddot((int)d, e_next, 1, e_next, 1);
        int stop = 0;
        TRY_GOTO(predict_track_add(&tr, epoch, mean, mean_g2, var ? nz.sv : NULL,
                                   var ? nz.gv : NULL, &stop));
        if (stop)
            break;
    }
    TRY_GOTO(predict_track_rate(&tr, rate));
done:
    predict_track_clear(&tr);
    predict_noise_clear(&nz);
    free(forms);
    free(mring);
    free(xe);
    for (int k = 0; nodes && k < K; k++) {
        free(nodes[k].rows);
        free(nodes[k].sq);
        free(nodes[k].U);
        free(nodes[k].psi);
        free(nodes[k].scratch);
    }
    free(nodes);
    free(vec);
    return rc;
}
