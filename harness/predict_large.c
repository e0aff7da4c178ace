/*
 * predict_large.c - predict's mean-error tail for dsaga on wide data,
 * matrix-free in d (predict_large.h says how; predict.c says what).
 */
#include "harness/predict_large.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "harness/predict.h"

/* LAPACK (OpenBLAS): eigenvalues and vectors of a symmetric matrix,
 * divide and conquer. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                    double *w, double *work, const int *lwork, int *iwork, const int *liwork,
                    int *info);

/* The outputs of a node's round: the e and B rows of t^tau, and (late)
 * the B row of t^tau1, the memory at the record's restart. */
enum { OUT_E = 0, OUT_B = 1, OUT_MID = 2, N_OUT = 3 };

struct lnode {
    int64_t n;     /* rows */
    int64_t *rows; /* their indices in ds */
    double *sq;    /* sqrt(h_i / n_k): A's row scale */
    double *U;     /* n x n column-major: eigenvectors of A A^T */
    double *psi;   /* N_OUT x 3 x n: (phi_ob(sigma_j) - phi_ob(0)) / sigma_j */
    double phi0[N_OUT][3];
    double q;        /* the chance a row is re-taken (0 without refresh) */
    double *scratch; /* 3 n: Y, then 3 n: W */
};

/* out = t^p (row-major 3 x 3) by repeated squaring. */
static void mat3_pow(const double t[9], int64_t p, double out[9])
{
    double base[9], tmp[9];
    memcpy(base, t, sizeof base);
    for (int i = 0; i < 9; i++)
        out[i] = i % 4 == 0 ? 1.0 : 0.0;
    while (p > 0) {
        if (p & 1) {
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    tmp[3 * r + c] = out[3 * r] * base[c] + out[3 * r + 1] * base[3 + c] +
                                     out[3 * r + 2] * base[6 + c];
            memcpy(out, tmp, sizeof tmp);
        }
        p >>= 1;
        if (p > 0) {
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    tmp[3 * r + c] = base[3 * r] * base[c] + base[3 * r + 1] * base[3 + c] +
                                     base[3 * r + 2] * base[6 + c];
            memcpy(base, tmp, sizeof tmp);
        }
    }
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
    for (int64_t a = 0; a < nd->n; a++) {
        int64_t i = nd->rows[a];
        double z = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            z += ds->values[p] * v[ds->col_idx[p]];
        y[a] = nd->sq[a] * z;
    }
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
    double *work = NULL;
    int *iwork = NULL;
    nd->U = malloc((size_t)(n * n) * sizeof *nd->U);
    nd->psi = malloc((size_t)(N_OUT * 3 * n) * sizeof *nd->psi);
    nd->scratch = malloc((size_t)(6 * n) * sizeof *nd->scratch);
    if (!sig || !nd->U || !nd->psi || !nd->scratch)
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld eigenvectors of a node's Gram matrix",
                  (long long)n, (long long)n);
    for (int64_t a = 0; a < n; a++)
        nd->sq[a] = sqrt(h[nd->rows[a]] / (double)n);
    /* A A^T, both triangles: row a scattered into `dense`, dotted with
     * every row b >= a */
    memset(dense, 0, (size_t)d * sizeof *dense);
    for (int64_t a = 0; a < n; a++) {
        int64_t i = nd->rows[a];
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            dense[ds->col_idx[p]] = ds->values[p];
        for (int64_t b = a; b < n; b++) {
            int64_t ib = nd->rows[b];
            double z = 0.0;
            for (int64_t p = ds->row_ptr[ib]; p < ds->row_ptr[ib + 1]; p++)
                z += ds->values[p] * dense[ds->col_idx[p]];
            z *= nd->sq[a] * nd->sq[b];
            nd->U[a * n + b] = z;
            nd->U[b * n + a] = z;
        }
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            dense[ds->col_idx[p]] = 0.0;
    }
    int in = (int)n, info = 0, lwork = -1, liwork = -1, iq = 0;
    double query = 0.0;
    dsyevd_("V", "L", &in, nd->U, &in, sig, &query, &lwork, &iq, &liwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyevd workspace query: info %d", info);
    lwork = (int)query;
    liwork = iq;
    work = malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
    iwork = malloc((size_t)(liwork > 1 ? liwork : 1) * sizeof *iwork);
    if (!work || !iwork)
        FAIL_GOTO(ERR_NOMEM, "dsyevd workspace of %d doubles", lwork);
    dsyevd_("V", "L", &in, nd->U, &in, sig, work, &lwork, iwork, &liwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyevd on a node's %d x %d Gram matrix: info %d", in, in, info);
    /* t^p at 0 and at each eigenvalue; an eigenvalue at or below rounding
     * of the largest is the null space, which phi(0) already covers */
    double t[9], p0[9], p1[9], px[9], p1x[9];
    const double n_k = (double)n;
    step3(0.0, eta, lambda, N, n_k, t);
    mat3_pow(t, tau, p0);
    mat3_pow(t, tau1, p1);
    for (int b = 0; b < 3; b++) {
        nd->phi0[OUT_E][b] = p0[b];
        nd->phi0[OUT_B][b] = p0[3 + b];
        nd->phi0[OUT_MID][b] = p1[3 + b];
    }
    double top = n > 0 ? fabs(sig[n - 1]) : 0.0;
    for (int64_t j = 0; j < n; j++) {
        double x = sig[j];
        int live = x > 1e-14 * top;
        if (live) {
            step3(x, eta, lambda, N, n_k, t);
            mat3_pow(t, tau, px);
            mat3_pow(t, tau1, p1x);
        }
        for (int b = 0; b < 3; b++) {
            nd->psi[(OUT_E * 3 + b) * n + j] = live ? (px[b] - p0[b]) / x : 0.0;
            nd->psi[(OUT_B * 3 + b) * n + j] = live ? (px[3 + b] - p0[3 + b]) / x : 0.0;
            nd->psi[(OUT_MID * 3 + b) * n + j] = live ? (p1x[3 + b] - p1[3 + b]) / x : 0.0;
        }
    }
done:
    free(iwork);
    free(work);
    free(sig);
    return rc;
}

/* out[o] = row o of t(H_k)^p applied to (v[0], v[1], v[2]) for the first
 * n_out outputs (OUT_E, OUT_B, OUT_MID); out[o] overwritten. */
static void node_apply(struct lnode *nd, const struct dataset *ds, const double *const v[3],
                       double *const out[N_OUT], int n_out)
{
    const int64_t n = nd->n;
    const int64_t d = ds->n_features;
    double *Y = nd->scratch; /* n x 3 column-major */
    double *W = Y + 3 * n;   /* n x n_out */
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

int predict_large_tail(const struct dataset *ds, const double *h, const double *alpha,
                       const double *w, double lambda, const int *owner, int K, const int64_t *tau,
                       double eta, double s, int refresh, double rounds_per_epoch,
                       double eval_every, double max_epochs, double stop_rel, double *rate,
                       struct trace *out)
{
    int rc = 0;
    const int64_t N = ds->n_samples;
    const int64_t d = ds->n_features;
    const size_t vd = (size_t)d * sizeof(double);
    struct trace local = {0};
    struct trace *t = out ? out : &local;
    struct lnode *nodes = calloc((size_t)K, sizeof *nodes);
    /* e, e_next, c, Bs' and the round's three outputs, then K memories
     * (Be_k), and with refresh K more (Bs_k), and K new Be_k */
    const int n_vec = 7 + K * (refresh ? 3 : 2);
    double *vec = malloc((size_t)n_vec * vd);
    *rate = NAN;
    if (!nodes || !vec)
        FAIL_GOTO(ERR_NOMEM, "predict: %d state vectors of %lld", n_vec, (long long)d);
    double *e = vec, *e_next = e + d, *c = e_next + d, *bsp = c + d;
    double *o_e = bsp + d, *o_b = o_e + d, *o_m = o_b + d;
    double *be = o_m + d; /* K x d: the memories as the round ended */
    double *be_new = be + K * d;
    double *bs = refresh ? be_new + K * d : NULL; /* K x d: as the round started */
    for (int k = 0; k < K; k++) {
        int64_t n_k = predict_node_rows(owner, N, k);
        if (n_k == 0)
            FAIL_GOTO(ERR_INPUT, "predict: node %d holds no row", k);
        if (n_k > PREDICT_LARGE_MAX_ROWS)
            FAIL_GOTO(ERR_INPUT,
                      "predict: node %d holds %lld rows; the matrix-free path keeps an n_k x n_k "
                      "eigenbasis and stops at %d",
                      k, (long long)n_k, PREDICT_LARGE_MAX_ROWS);
        nodes[k].n = n_k;
    }
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
        int64_t tau1 = refresh == PREDICT_REFRESH_LATE ? tau[k] / 2 : 0;
        nd->q = refresh ? -expm1((double)(tau[k] - tau1) * log1p(-1.0 / (double)nd->n)) : 0.0;
        TRY_GOTO(node_setup(nd, ds, h, lambda, eta, tau[k], tau1, o_e)); /* o_e: d of scratch */
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

    struct predict_ckpt ck = {t, eval_every, max_epochs, stop_rel, 0.0, 0.0, 0};
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
                if (bs) { /* Bs' = (1 - q) Bs + q (n_k / N) H_k e */
                    double *y = nd->scratch;
                    node_mul(nd, ds, e, y);
                    for (int64_t j = 0; j < d; j++)
                        bsp[j] = (1.0 - nd->q) * own[j];
                    double f = nd->q * (double)nd->n / (double)N;
                    for (int64_t a = 0; a < nd->n; a++)
                        y[a] *= f;
                    node_mul_t(nd, ds, y, bsp);
                    start = bsp;
                }
                const double *in[3] = {e, start, c};
                double *outs[N_OUT] = {o_e, o_b, o_m};
                node_apply(nd, ds, in, outs, refresh == PREDICT_REFRESH_LATE ? 3 : 2);
                cblas_daxpy((int)d, s, o_e, 1, e_next, 1);
                memcpy(be_new + (size_t)k * (size_t)d, o_b, vd);
                if (bs) /* the memory the next round starts from, before its refresh */
                    memcpy(own, refresh == PREDICT_REFRESH_LATE ? o_m : bsp, vd);
            }
            memcpy(e, e_next, vd);
            memcpy(be, be_new, (size_t)K * vd);
        }
        double epoch = (double)round / rounds_per_epoch;
        if (!predict_ckpt_due(&ck, epoch))
            continue;
        /* subopt ~ (1/2) e^T (H + lambda I) e, H = (1/N) sum_i h_i x_i x_i^T */
        double q = 0.0;
        for (int64_t i = 0; i < N; i++) {
            double z = 0.0;
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                z += ds->values[p] * e[ds->col_idx[p]];
            q += h[i] * z * z;
        }
        double sub = 0.5 * (q / (double)N + lambda * cblas_ddot((int)d, e, 1, e, 1));
        int stop = 0;
        TRY_GOTO(predict_ckpt_add(&ck, epoch, sub, &stop));
        if (stop)
            break;
    }
    *rate = predict_ckpt_rate(&ck);
done:
    trace_clear(&local);
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
