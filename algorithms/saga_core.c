/*
 * saga_core.c - the SAGA step of SPEC 2 on one shard (also dsaga's local
 * phase, SPEC 3.2 step 1).
 *
 * One step, step size eta, beta = 1 - eta lambda (SPEC 2 rewritten):
 *
 *     a       = loss'(y_i, <x_i, w>)
 *     w       = beta w - eta ((a - alpha_i) x_i + g)
 *     g      += (a - alpha_i) x_i / N
 *     alpha_i = a
 *
 * Lazy ("just in time") form for sparse rows, O(nnz(x_i)) per step:
 *   - w = scale * v; the shrinkage is scale *= beta.
 *   - g_j only changes when a row touching j is sampled, so between two
 *     touches coordinate j follows w_j <- beta w_j - eta g_j with g_j fixed,
 *     i.e. v_j <- v_j - g_j eta / scale_t.  The running sum
 *     cum = sum_t eta / scale_t and last[j] = cum when j was last brought up
 *     to date give the pending part: v_j -= g_j (cum - last[j]).
 *   - The touched coordinates of the step get the step's g term at once,
 *     with g_j before its update, then last[j] = cum.
 *   - When scale drops below SAGA_CORE_MIN_SCALE every coordinate is
 *     brought up to date and scale = 1 ("flush"), before it can underflow.
 * scikit-learn's _sag_fast.pyx.tp and lightning's sag_fast.pyx use the same
 * idea with per-epoch arrays of cumulative sums; this keeps one running sum
 * per coordinate instead, so no array grows with the number of steps.
 *
 * The eager form (dense data through BLAS, or a step so large that
 * beta < 1/2, where the scale would underflow every few steps) updates the
 * whole w each step, O(d).
 */
#include "algorithms/saga_core.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"

struct saga_core {
    const struct dataset *ds; /* this node's rows */
    enum loss_kind loss;
    double eta;       /* step size (SPEC 2) */
    double beta;      /* 1 - eta lambda: shrinkage per step */
    double inv_n;     /* 1 / N, N = all rows of all nodes (SPEC 3.2) */
    int lazy;         /* 1: scale/cum representation (sparse rows) */
    int unit;         /* lazy: every stored value is 1 (binary features, as
                       * a9a and w8a): the steps skip the value loads, the
                       * same bits (x * 1 = x) */
    double scale;     /* lazy: w = scale * v */
    double inv_scale; /* lazy: 1 / scale as a running product of 1 / beta
                       * (a multiply per step, not a division); reset
                       * with scale */
    double cum;       /* lazy: sum over steps of eta / scale */
    double *coord;    /* lazy: COORD_STRIDE doubles per coordinate j:
                       * v_j (w / scale, pending g terms aside), g_j
                       * (SPEC 2's g_bar, g_k in dsaga, exact) and
                       * last_j (cum when j was last brought up to
                       * date); together so that a row's random
                       * accesses touch one cache line per entry */
    double *w;        /* eager: w (d) */
    double *g;        /* eager: g (d) */
    double *alpha;    /* SPEC 2: loss' at the last visit, per local row */
    int64_t n_steps;
    int64_t n_rescales;
    int64_t next_i;  /* lazy: the next three samples, drawn ahead so that */
    int64_t next2_i; /* their row pointers, rows and records can be */
    int64_t next3_i; /* prefetched; -1: none yet */
    struct rng rng;  /* sample picks, (seed, RNG_STREAM_SAMPLING + rank) */
    /* sparse synchronisation (saga_core_sync_enable; NULL/0 otherwise) */
    double stamp;      /* round number, kept in STAMP(j) of the
                        * coordinates this round touched */
    int32_t *touched;  /* this round's touched coordinates, each once */
    int64_t n_touched; /* entries of touched */
    int flushed;       /* a lazy flush happened this round */
    double *saved;     /* the record (v, g, last) of each touched coordinate
                        * as the round started, 3 doubles per entry of
                        * touched: with the untouched records, the
                        * synchronised (w, g_bar) */
    double mscale;     /* synchronised w = mscale * (v - g (mcum - last)) */
    double mcum;
    int32_t *uni; /* scratch: union of the nodes' touched sets */
    /* rows visited this round (saga_core_track_visits; NULL/0 otherwise),
     * for dsaga's refresh = visited (SPEC 3.2b) */
    int64_t *visited;    /* distinct local rows, in order of first visit */
    int64_t n_visited;   /* entries of visited */
    uint32_t *row_stamp; /* per local row: vstamp when last visited */
    uint32_t vstamp;     /* this round's visit stamp (starts at 1) */
};

/* Coordinate records beyond this many bytes are prefetched a step ahead. */
#define SAGA_CORE_PREFETCH_BYTES (32 * 1024)
#define COORD_STRIDE             4 /* v, g, last, padding: 32 bytes, two per cache line */
#define V(j)                     coord[COORD_STRIDE * (size_t)(j)]
#define G(j)                     coord[COORD_STRIDE * (size_t)(j) + 1]
#define LAST(j)                  coord[COORD_STRIDE * (size_t)(j) + 2]
#define STAMP(j)                 coord[COORD_STRIDE * (size_t)(j) + 3] /* sparse sync: round of last touch */

/* The caller owns *out; on failure nothing is left allocated. */
int saga_core_create(const struct dataset *shard, enum loss_kind loss, double lambda,
                     int64_t n_total, double eta, uint64_t seed, int rank, struct saga_core **out)
{
    *out = NULL;
    if (shard->n_samples < 1)
        FAIL(ERR_INPUT, "saga: this node holds no rows (more nodes than samples?)");
    if (!(eta > 0) || !(lambda >= 0) || n_total < 1)
        FAIL(ERR_INTERNAL, "bad SAGA setup: eta %g, lambda %g, N %lld", eta, lambda,
             (long long)n_total);
    size_t d = (size_t)shard->n_features;
    size_t n = (size_t)shard->n_samples;
    /* STYLE 4: the state and its vectors in one block, the coordinate
     * records 64-byte aligned */
    size_t head = (sizeof(struct saga_core) + 63) / 64 * 64;
    size_t bytes = head + (COORD_STRIDE * d + n) * sizeof(double);
    struct saga_core *c = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!c)
        FAIL(ERR_NOMEM, "SAGA state for %zu features, %zu rows", d, n);
    memset(c, 0, bytes);
    double *block = (double *)((char *)c + head);
    c->coord = block;
    c->w = block; /* eager mode uses the first 2d doubles as w, g */
    c->g = block + d;
    c->alpha = block + COORD_STRIDE * d;
    c->ds = shard;
    c->loss = loss;
    c->eta = eta;
    c->beta = 1.0 - eta * lambda;
    c->inv_n = 1.0 / (double)n_total;
    c->lazy = !shard->is_dense && c->beta >= 0.5;
    if (c->lazy && shard->values) {
        int64_t nnz = shard->row_ptr[shard->n_samples], p = 0;
        while (p < nnz && shard->values[p] == 1.0)
            p++;
        c->unit = p == nnz;
    }
    c->scale = 1.0;
    c->inv_scale = 1.0;
    c->cum = 0.0;
    c->next_i = -1;
    c->next2_i = -1;
    c->next3_i = -1;
    rng_seed(&c->rng, seed, (uint64_t)RNG_STREAM_SAMPLING + (uint64_t)rank);
    *out = c;
    return 0;
}

void saga_core_destroy(struct saga_core *c)
{
    if (!c)
        return;
    free(c->saved);
    free(c->touched);
    free(c->uni);
    free(c->visited);
    free(c->row_stamp);
    free(c);
}

/* Brings every coordinate up to date and restarts the scale at 1.  The
 * expression is the one saga_core_get_w evaluates, so a flush never moves w. */
static void lazy_flush(struct saga_core *c)
{
    int64_t d = c->ds->n_features;
    double *coord = c->coord;
    double scale = c->scale;
    double cum = c->cum;
    for (int64_t j = 0; j < d; j++) {
        V(j) = scale * (V(j) - G(j) * (cum - LAST(j)));
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->inv_scale = 1.0;
    c->cum = 0.0;
    c->n_rescales++;
    c->flushed = 1; /* sparse sync: every coordinate moved, this round is dense */
}

/* Sparse synchronisation: the first time a round touches coordinate j
 * (record r), branch-free, j joins the touched list and its record as the
 * round started is saved beside it; later touches write the next free slot
 * and do not advance.  Call before the record changes. */
static inline __attribute__((always_inline)) void
track_touch(double *restrict r, int32_t j, double stamp, int32_t *restrict touched,
            double *restrict saved, int64_t *n_touched)
{
    int64_t n = *n_touched;
    saved[3 * n] = r[0];
    saved[3 * n + 1] = r[1];
    saved[3 * n + 2] = r[2];
    touched[n] = j;
    *n_touched = n + (r[3] != stamp);
    r[3] = stamp;
}

/* Every coordinate not yet touched this round joins the touched list (before
 * a flush moves them all). */
static void track_all(struct saga_core *c)
{
    int64_t d = c->ds->n_features;
    for (int64_t j = 0; j < d; j++)
        track_touch(c->coord + COORD_STRIDE * (size_t)j, (int32_t)j, c->stamp, c->touched, c->saved,
                    &c->n_touched);
}

/* The stages of the steps' and the refresh's prefetch pipeline: a row's
 * pointers, label and stored derivative; its indices and (unless binary)
 * values; then its coordinate records (once the indices are in), which
 * pay only beyond SAGA_CORE_PREFETCH_BYTES of records. */
static inline __attribute__((always_inline)) void prefetch_row_head(const int64_t *restrict row_ptr,
                                                                    const double *restrict alpha,
                                                                    const double *restrict y,
                                                                    int64_t i)
{
    __builtin_prefetch(row_ptr + i);
    __builtin_prefetch(alpha + i, 1);
    __builtin_prefetch(y + i);
}

static inline __attribute__((always_inline)) void prefetch_row(const int64_t *restrict row_ptr,
                                                               const int32_t *restrict col,
                                                               const double *restrict x, int64_t i,
                                                               const int unit)
{
    const char *a = (const char *)(col + row_ptr[i]);
    const char *e = (const char *)(col + row_ptr[i + 1]);
    for (a -= (uintptr_t)a % 64; a < e; a += 64)
        __builtin_prefetch(a);
    if (!unit) {
        a = (const char *)(x + row_ptr[i]);
        e = (const char *)(x + row_ptr[i + 1]);
        for (a -= (uintptr_t)a % 64; a < e; a += 64)
            __builtin_prefetch(a);
    }
}

static inline int records_prefetched(const struct dataset *ds)
{
    return ds->n_features * COORD_STRIDE * (int64_t)sizeof(double) > SAGA_CORE_PREFETCH_BYTES;
}

static inline __attribute__((always_inline)) void
prefetch_row_records(const double *coord, const int64_t *restrict row_ptr,
                     const int32_t *restrict col, int64_t i)
{
    int64_t q1 = row_ptr[i + 1];
    for (int64_t q = row_ptr[i]; q < q1; q++)
        __builtin_prefetch(coord + COORD_STRIDE * (size_t)col[q], 1);
}

/* n_steps lazy steps; `loss` is a compile-time constant at each call site so
 * the compiler specialises the loop (no branch or indirect call per step). */
static inline __attribute__((always_inline)) void lazy_steps(struct saga_core *c, int64_t n_steps,
                                                             const enum loss_kind loss,
                                                             const int track, const int visits,
                                                             const int unit)
{
    int32_t *restrict touched = c->touched; /* track: this round's coordinates */
    double *restrict saved = c->saved;      /* track: their records at round start */
    int64_t n_touched = c->n_touched;
    const double stamp = c->stamp;
    int64_t *restrict visited = c->visited; /* visits: this round's rows */
    uint32_t *restrict row_stamp = c->row_stamp;
    int64_t n_visited = c->n_visited;
    const uint32_t vstamp = c->vstamp;
    const int64_t *restrict row_ptr = c->ds->row_ptr;
    const int32_t *restrict col = c->ds->col_idx;
    const double *restrict x = c->ds->values;
    const double *restrict y = c->ds->y;
    double *restrict coord = c->coord;
    double *restrict alpha = c->alpha;
#define XV(p) (unit ? 1.0 : x[p]) /* the row's value; 1 on binary data */
    const uint64_t n_rows = (uint64_t)c->ds->n_samples;
    const double eta = c->eta;
    const double beta = c->beta;
    const double inv_beta = 1.0 / c->beta;
    const double inv_n = c->inv_n;
    /* records that stay in L1 need no prefetch: on a9a (d = 123) the loop
     * that issues them was a third of a step's instructions */
    const int prefetch_records = records_prefetched(c->ds);
    double scale = c->scale;
    double inv_scale = c->inv_scale;
    double cum = c->cum;
    /* The k-th draw is the k-th sample whatever the chunking of calls: the
     * draws for the next three steps are kept in c->next_i .. next3_i. */
    int64_t next = c->next_i >= 0 ? c->next_i : (int64_t)rng_below(&c->rng, n_rows);
    int64_t next2 = c->next2_i >= 0 ? c->next2_i : (int64_t)rng_below(&c->rng, n_rows);
    int64_t next3 = c->next3_i >= 0 ? c->next3_i : (int64_t)rng_below(&c->rng, n_rows);
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = next;
        int64_t p0 = row_ptr[i];
        int64_t p1 = row_ptr[i + 1];
        next = next2;
        next2 = next3;
        next3 = (int64_t)rng_below(&c->rng, n_rows);
        /* Three stages, each waiting on the one before: three steps ahead
         * the row's pointers, label and stored derivative (random in N);
         * two steps ahead the whole row (indices and values: a step of the
         * rcv1-like set waited a quarter of its time on the values past the
         * first two lines); one step ahead its coordinate records. */
        prefetch_row_head(row_ptr, alpha, y, next3);
        prefetch_row(row_ptr, col, x, next2, unit);
        if (prefetch_records)
            prefetch_row_records(coord, row_ptr, col, next);
        /* bring the row's coordinates up to date, v_j -= g_j (cum -
         * last_j), and <x_i, v>.  Binary rows do not store v_j here: the
         * update below takes it again from the same record (the same bits)
         * and writes it once (a9a -5 %, w8a -3 %; on valued rows, the
         * rcv1-like set, the second evaluation cost 4 %).  Both rely on a
         * row naming each column once (base/csr.h: strictly increasing) */
        double dot = 0.0;
        for (int64_t p = p0; p < p1; p++) {
            double *r = coord + COORD_STRIDE * (size_t)col[p];
            if (track)
                track_touch(r, col[p], stamp, touched, saved, &n_touched);
            double vj = r[0] - r[1] * (cum - r[2]);
            if (!unit)
                r[0] = vj;
            dot += XV(p) * vj;
        }
        double a = loss_deriv(loss, y[i], scale * dot);
        double delta = a - alpha[i]; /* a - alpha_i */
        alpha[i] = a;
        if (visits) {
            /* branch-free append of the row's first visit this round */
            visited[n_visited] = i;
            n_visited += row_stamp[i] != vstamp;
            row_stamp[i] = vstamp;
        }
        scale *= beta;                 /* w = beta w ... */
        inv_scale *= inv_beta;         /* 1 / scale, without a division */
        double step = eta * inv_scale; /* ... - eta (...), in units of v */
        const double cum0 = cum;
        cum += step;
        double dn = delta * inv_n;
        for (int64_t p = p0; p < p1; p++) {
            double *r = coord + COORD_STRIDE * (size_t)col[p];
            double vj = unit ? r[0] - r[1] * (cum0 - r[2]) : r[0]; /* as in the dot */
            r[0] = vj - step * (delta * XV(p) + r[1]);             /* g before its update */
            r[1] += dn * XV(p);                                    /* g += (a - alpha_i) x_i / N */
            r[2] = cum;
        }
        if (scale < SAGA_CORE_MIN_SCALE) {
            c->scale = scale;
            c->cum = cum;
            if (track) {
                /* every coordinate moves: all of them count as touched,
                 * their round-start records saved (the round goes dense) */
                c->n_touched = n_touched;
                track_all(c);
                n_touched = c->n_touched;
            }
            lazy_flush(c);
            scale = 1.0;
            inv_scale = 1.0;
            cum = 0.0;
        }
    }
    c->next_i = next;
    c->next2_i = next2;
    c->next3_i = next3;
    c->scale = scale;
    c->inv_scale = inv_scale;
    c->cum = cum;
    if (track)
        c->n_touched = n_touched;
    if (visits)
        c->n_visited = n_visited;
#undef XV
}

/* Records row i as visited this round (refresh = visited; eager path). */
static inline void eager_visit(struct saga_core *c, int64_t i)
{
    if (c->visited && c->row_stamp[i] != c->vstamp) {
        c->row_stamp[i] = c->vstamp;
        c->visited[c->n_visited++] = i;
    }
}

/* Eager steps, O(d) each: dense rows through BLAS, or sparse rows with a
 * step too large for the lazy scale. */
static void eager_steps(struct saga_core *c, int64_t n_steps)
{
    const struct dataset *ds = c->ds;
    int64_t d = ds->n_features;
    double *w = c->w;
    double *g = c->g;
    for (int64_t t = 0; t < n_steps; t++) {
        int64_t i = (int64_t)rng_below(&c->rng, (uint64_t)ds->n_samples);
        int64_t p0 = ds->row_ptr[i];
        int64_t p1 = ds->row_ptr[i + 1];
        const double *xi = ds->values + p0;
        if (ds->is_dense) {
            double z = cblas_ddot((int)d, xi, 1, w, 1);
            double a = loss_deriv(c->loss, ds->y[i], z);
            double delta = a - c->alpha[i];
            c->alpha[i] = a;
            eager_visit(c, i);
            cblas_dscal((int)d, c->beta, w, 1);                /* w = beta w */
            cblas_daxpy((int)d, -c->eta * delta, xi, 1, w, 1); /* - eta delta x_i */
            cblas_daxpy((int)d, -c->eta, g, 1, w, 1);          /* - eta g */
            cblas_daxpy((int)d, delta * c->inv_n, xi, 1, g, 1);
        } else {
            double z = 0.0;
            for (int64_t p = p0; p < p1; p++)
                z += ds->values[p] * w[ds->col_idx[p]];
            double a = loss_deriv(c->loss, ds->y[i], z);
            double delta = a - c->alpha[i];
            c->alpha[i] = a;
            eager_visit(c, i);
            for (int64_t j = 0; j < d; j++)
                w[j] = c->beta * w[j] - c->eta * g[j];
            for (int64_t p = p0; p < p1; p++) {
                int32_t j = ds->col_idx[p];
                w[j] -= c->eta * delta * ds->values[p];
                g[j] += delta * c->inv_n * ds->values[p];
            }
        }
    }
}

void saga_core_steps(struct saga_core *c, int64_t n_steps)
{
    if (n_steps <= 0)
        return;
    /* one specialised loop per (loss, sparse sync, visit tracking, binary
     * values): each flag a compile-time constant of its copy */
    int logistic = c->loss == LOSS_LOGISTIC;
    int track = c->touched != NULL;
    int visits = c->visited != NULL;
#define LAZY(T, V, U)                                                                              \
    (logistic ? lazy_steps(c, n_steps, LOSS_LOGISTIC, T, V, U)                                     \
              : lazy_steps(c, n_steps, LOSS_SQUARED, T, V, U))
#define LAZY_TV(U)                                                                                 \
    (track ? (visits ? LAZY(1, 1, U) : LAZY(1, 0, U)) : (visits ? LAZY(0, 1, U) : LAZY(0, 0, U)))
    if (!c->lazy)
        eager_steps(c, n_steps);
    else if (c->unit)
        LAZY_TV(1);
    else
        LAZY_TV(0);
#undef LAZY_TV
#undef LAZY
    c->n_steps += n_steps;
}

void saga_core_get_w(const struct saga_core *c, double *w)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(w, c->w, (size_t)d * sizeof *w);
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++)
        w[j] = c->scale * (V(j) - G(j) * (c->cum - LAST(j)));
}

void saga_core_get_g(const struct saga_core *c, double *g)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(g, c->g, (size_t)d * sizeof *g);
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++)
        g[j] = G(j);
}

void saga_core_reset(struct saga_core *c, const double *w, const double *g)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        memcpy(c->w, w, (size_t)d * sizeof *w);
        memcpy(c->g, g, (size_t)d * sizeof *g);
        return;
    }
    double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        V(j) = w[j];
        G(j) = g[j];
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->inv_scale = 1.0;
    c->cum = 0.0;
}

void saga_core_delta(const struct saga_core *c, const double *w, const double *g, double *buf)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        for (int64_t j = 0; j < d; j++) {
            buf[j] = c->w[j] - w[j];
            buf[d + j] = c->g[j] - g[j];
        }
        return;
    }
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        buf[j] = c->scale * (V(j) - G(j) * (c->cum - LAST(j))) - w[j]; /* as get_w */
        buf[d + j] = G(j) - g[j];
    }
}

void saga_core_apply(struct saga_core *c, double *w, double *g, const double *buf, double s)
{
    int64_t d = c->ds->n_features;
    if (!c->lazy) {
        for (int64_t j = 0; j < d; j++) {
            g[j] += buf[d + j]; /* g_bar += sum_k (g_k - g_bar) */
            w[j] += s * buf[j]; /* w += s sum_k (w_k - w) */
            c->g[j] = g[j];
            c->w[j] = w[j];
        }
        return;
    }
    double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        g[j] += buf[d + j]; /* g_bar += sum_k (g_k - g_bar) */
        w[j] += s * buf[j]; /* w += s sum_k (w_k - w) */
        V(j) = w[j];        /* and restart the lazy state there */
        G(j) = g[j];
        LAST(j) = 0.0;
    }
    c->scale = 1.0;
    c->inv_scale = 1.0;
    c->cum = 0.0;
}

int64_t saga_core_n_steps(const struct saga_core *c)
{
    return c->n_steps;
}
int64_t saga_core_n_rescales(const struct saga_core *c)
{
    return c->n_rescales;
}

/* ---- sparse synchronisation (dsaga, issue 18) ------------------------------
 *
 * Node k starts a round at the synchronised state, in its own lazy
 * records: w = S0 (v - g (C0 - last)), g exact, at (scale, cum) = (S0, C0)
 * (mscale, mcum).  The first time a round touches a coordinate, its record
 * as the round started is saved beside the touched list (3 doubles), so
 * the synchronised state stays known without a second copy of the records:
 * a second O(d) array doubled the working set the random accesses of the
 * steps and of the synchronisation run over.  After tau_k local steps
 * the core is at (S_k, C_k).  On a coordinate j that no row of node k
 * touched, v_j, g_j and last_j did not move, so
 *     w_k[j] = A_k w[j] - B_k g[j],   A_k = S_k / S0,  B_k = S_k (C_k - C0),
 *     g_k[j] = g[j]
 * (SPEC 2's shrink-and-drift in closed form).  Writing
 *     e_k[j] = w_k[j] - A_k w[j] + B_k g[j]      (0 where k did not touch j)
 * the dense synchronisation of SPEC 3.2 step 2 becomes
 *     w'[j] = w[j] + s (U[j] + sum_{k touched j} e_k[j]),
 *     U[j]  = (sum_k A_k - K) w[j] - (sum_k B_k) g[j],
 *     g'[j] = g[j] + sum_{k touched j} (g_k[j] - g[j]).
 * So node k sends (j, e_k[j], g_k[j] - g[j]) for its touched coordinates
 * and the two scalars A_k, B_k; no per-coordinate count of touching nodes
 * is needed, because the untouched nodes' part is U[j], the same linear
 * map on every coordinate.  On coordinates no node touched, w' = a w -
 * s SB g with a = 1 + s (SA - K): the lazy scale absorbs it in closed form,
 *     S' = a S0,   C' = C0 + s SB / S',
 * and only the union of touched coordinates is rewritten (v = w' / S',
 * last = C').  Every node applies the same triples in the same (rank)
 * order, so the synchronised state stays identical on every node; it
 * equals the dense synchronisation up to rounding. */

/* How many records ahead the synchronisation's loops prefetch. */
#define SYNC_PREFETCH 16
/* How many of the received records the apply asks for before its first loop. */
#define SYNC_PREFETCH_FIRST 256

/* The synchronised w at coordinate j of a lazy record r at (scale, cum). */
static inline double lazy_value(const double *r, double scale, double cum)
{
    return scale * (r[0] - r[1] * (cum - r[2]));
}

/* The caller keeps owning c; on failure nothing changed. */
int saga_core_sync_enable(struct saga_core *c)
{
    if (!c->lazy)
        FAIL(ERR_INTERNAL, "sparse synchronisation needs the lazy (sparse) SAGA path");
    if (c->touched)
        return 0;
    size_t d = (size_t)c->ds->n_features;
    /* +1 entry each: the branch-free append writes one slot past the list */
    double *saved = malloc(3 * (d + 1) * sizeof *saved);
    int32_t *touched = malloc((d + 1) * sizeof *touched);
    int32_t *uni = malloc((d + 1) * sizeof *uni);
    if (!saved || !touched || !uni) {
        free(saved);
        free(touched);
        free(uni);
        FAIL(ERR_NOMEM, "sparse synchronisation state for %zu features", d);
    }
    c->saved = saved;
    c->touched = touched;
    c->uni = uni;
    c->mscale = c->scale;
    c->mcum = c->cum;
    c->stamp = 1.0; /* the records start at stamp 0: nothing touched yet */
    c->n_touched = 0;
    c->flushed = 0;
    return 0;
}

void saga_core_sync_header(const struct saga_core *c, double hdr[3])
{
    hdr[0] = c->flushed ? -1.0 : (double)c->n_touched;
    hdr[1] = c->scale / c->mscale;          /* A_k */
    hdr[2] = c->scale * (c->cum - c->mcum); /* B_k */
}

void saga_core_sync_pack(const struct saga_core *c, double *buf)
{
    const double *coord = c->coord;
    double a_k = c->scale / c->mscale;
    double b_k = c->scale * (c->cum - c->mcum);
    for (int64_t t = 0; t < c->n_touched; t++) {
        int32_t j = c->touched[t];
        const double *m = c->saved + 3 * t; /* the record as the round started */
        const double *r = coord + COORD_STRIDE * (size_t)j;
        double w0 = lazy_value(m, c->mscale, c->mcum); /* synchronised w[j] */
        double wk = lazy_value(r, c->scale, c->cum);   /* w_k[j], as get_w */
        buf[3 * t] = (double)j;
        buf[3 * t + 1] = wk - a_k * w0 + b_k * m[1]; /* e_k[j] */
        buf[3 * t + 2] = r[1] - m[1];                /* g_k[j] - g[j] */
    }
}

/* The round is over: the next one starts a new stamp and an empty list. */
static void next_round(struct saga_core *c)
{
    c->stamp += 1.0;
    c->n_touched = 0;
    c->flushed = 0;
}

/* Coordinate j joins the union of a synchronisation: its record m is set to
 * (w[j], g[j], U[j], mark) from `start`, its (v, g, last) as the round
 * started (m itself, or this node's saved copy of it). */
static inline void union_join(double *m, const double *start, double s0, double c0, double u_w,
                              double sum_b, double mark)
{
    double w0 = lazy_value(start, s0, c0);
    double g0 = start[1];
    m[0] = w0;
    m[1] = g0;
    m[2] = u_w * w0 - sum_b * g0; /* U[j] */
    m[3] = mark;
}

int saga_core_sync_apply(struct saga_core *c, const double *all, int64_t n_triples, double sum_a,
                         double sum_b, int n_nodes, double s)
{
    double s0 = c->mscale;
    double c0 = c->mcum;
    double a = 1.0 + s * (sum_a - (double)n_nodes); /* untouched: w' = a w - s SB g */
    double s1 = a * s0;
    if (!(s1 > 0) || !isfinite(s1))
        return 1; /* not representable lazily: the caller synchronises densely */
    double c1 = c0 + s * sum_b / s1;
    double u_w = sum_a - (double)n_nodes; /* U[j] = u_w w[j] - sum_b g[j] */
    double *coord = c->coord;
    int32_t *uni = c->uni;
    int64_t n_uni = 0;
    /* accumulate per coordinate, in the nodes' order: the record holds
     * (w[j], g, U[j] + sum e) until the union is finalised; `mark` (never a
     * round's stamp) tells a coordinate already in the union.  This node's
     * coordinates join first, from their records as the round started (the
     * saved copies: no restore pass), so that the loop over the triples
     * starts each other coordinate from its record, which no step of this
     * node moved; the sums keep the nodes' order either way. */
    const double mark = c->stamp + 0.5;
    /* the other nodes' coordinates are cold: ask for the first of them
     * now, so that they arrive while this node's own (warm) ones join */
    for (int64_t t = 0; t < n_triples && t < SYNC_PREFETCH_FIRST; t++)
        __builtin_prefetch(coord + COORD_STRIDE * (size_t)all[3 * t], 1);
    for (int64_t t = 0; t < c->n_touched; t++) {
        int32_t j = c->touched[t];
        union_join(coord + COORD_STRIDE * (size_t)j, c->saved + 3 * t, s0, c0, u_w, sum_b, mark);
        uni[n_uni++] = j;
    }
    for (int64_t t = 0; t < n_triples; t++) {
        int32_t j = (int32_t)all[3 * t];
        int64_t ahead = t + SYNC_PREFETCH; /* the first SYNC_PREFETCH_FIRST are asked for */
        if (ahead >= SYNC_PREFETCH_FIRST && ahead < n_triples)
            __builtin_prefetch(coord + COORD_STRIDE * (size_t)all[3 * ahead], 1);
        double *m = coord + COORD_STRIDE * (size_t)j;
        if (m[3] != mark) {
            union_join(m, m, s0, c0, u_w, sum_b, mark);
            uni[n_uni++] = j;
        }
        m[2] += all[3 * t + 1]; /* + e_k[j] */
        m[1] += all[3 * t + 2]; /* g_bar += sum_k (g_k - g_bar), SPEC 3.2 step 2 */
    }
    double inv_s1 = 1.0 / s1;
    for (int64_t t = 0; t < n_uni; t++) {
        double *m = coord + COORD_STRIDE * (size_t)uni[t];
        double w1 = m[0] + s * m[2]; /* w += s sum_k (w_k - w), SPEC 3.2 step 2 */
        m[0] = w1 * inv_s1;
        m[2] = c1;
    }
    c->mscale = s1;
    c->mcum = c1;
    c->scale = s1;
    c->inv_scale = inv_s1;
    c->cum = c1;
    if (s1 < SAGA_CORE_SYNC_RESCALE) {
        /* renormalise now rather than inside the next round (which would make
         * that round dense); the same arithmetic on every node */
        lazy_flush(c);
        c->mscale = c->scale;
        c->mcum = c->cum;
    }
    next_round(c);
    return 0;
}

void saga_core_sync_get(const struct saga_core *c, double *w, double *g)
{
    int64_t d = c->ds->n_features;
    const double *coord = c->coord;
    for (int64_t j = 0; j < d; j++) {
        if (w)
            w[j] = c->mscale * (V(j) - G(j) * (c->mcum - LAST(j)));
        if (g)
            g[j] = G(j);
    }
    /* inside a round: the touched coordinates as the round started */
    for (int64_t t = 0; t < c->n_touched; t++) {
        int32_t j = c->touched[t];
        const double *m = c->saved + 3 * t;
        if (w)
            w[j] = lazy_value(m, c->mscale, c->mcum);
        if (g)
            g[j] = m[1];
    }
}

void saga_core_sync_from_core(struct saga_core *c)
{
    c->mscale = c->scale;
    c->mcum = c->cum;
    next_round(c);
}

int64_t saga_core_sync_expected_touched(const struct saga_core *c, int64_t tau)
{
    /* sum_j 1 - (1 - p_j)^tau, p_j = (rows holding j) / n_k: the expected
     * number of distinct coordinates tau uniform draws touch */
    const struct dataset *ds = c->ds;
    int64_t d = ds->n_features;
    int64_t nnz = ds->row_ptr[ds->n_samples];
    int32_t *cnt = calloc((size_t)d, sizeof *cnt);
    if (!cnt)
        return d; /* no memory for an estimate: assume dense */
    for (int64_t p = 0; p < nnz; p++)
        cnt[ds->col_idx[p]]++;
    double expect = 0.0;
    double inv_n = 1.0 / (double)ds->n_samples;
    for (int64_t j = 0; j < d; j++)
        if (cnt[j])
            expect += -expm1((double)tau * log1p(-(double)cnt[j] * inv_n));
    free(cnt);
    return (int64_t)ceil(expect);
}

int saga_core_is_lazy(const struct saga_core *c)
{
    return c->lazy;
}

/* ---- refresh of the visited rows (dsaga refresh = visited, SPEC 3.2b) ------
 *
 * The steps record each distinct row they draw; saga_core_refresh then
 * re-evaluates alpha_i at the current w for those rows, as a step without
 * the move of w would: a = loss'(y_i, <x_i, w>), g += (a - alpha_i) x_i / N,
 * alpha_i = a.  On the lazy path the row's coordinates are brought up to
 * date first (their pending drift uses g before the change), O(nnz(x_i))
 * per row; w itself does not move, so scale and cum are unchanged.  Under
 * sparse synchronisation the coordinates join this round's touched list
 * (g_k moved there). */

int saga_core_track_visits(struct saga_core *c)
{
    if (c->visited)
        return 0;
    size_t n = (size_t)c->ds->n_samples;
    int64_t *visited = malloc((n + 1) * sizeof *visited); /* +1: the branch-free append */
    uint32_t *row_stamp = calloc(n, sizeof *row_stamp);
    if (!visited || !row_stamp) {
        free(visited);
        free(row_stamp);
        FAIL(ERR_NOMEM, "visited-row lists for %zu rows", n);
    }
    c->visited = visited;
    c->row_stamp = row_stamp;
    c->n_visited = 0;
    c->vstamp = 1; /* the rows start at stamp 0: none visited yet */
    return 0;
}

/* The refresh on the lazy path, specialised as lazy_steps is (`loss`,
 * `track`: the refreshed coordinates join the touched list under sparse
 * synchronisation).  The rows are random in the shard, so the steps'
 * prefetch pipeline runs over the list of visits: three rows ahead the
 * row's pointers, label and stored derivative, two ahead its indices and
 * values, one ahead its coordinate records (the rcv1-like set: 215 ns a
 * row against 250 without, two processes side by side; notes/speed.md). */
static inline __attribute__((always_inline)) void
lazy_refresh(struct saga_core *c, const enum loss_kind loss, const int track)
{
    const struct dataset *ds = c->ds;
    const int64_t *restrict row_ptr = ds->row_ptr;
    const int32_t *restrict col = ds->col_idx;
    const double *restrict x = ds->values;
    const double *restrict y = ds->y;
    double *restrict alpha = c->alpha;
    double *restrict coord = c->coord;
    const int64_t *restrict rows = c->visited;
    const int64_t n = c->n_visited;
    const double cum = c->cum; /* w does not move: cum and scale are fixed */
    const double scale = c->scale;
    const double inv_n = c->inv_n;
    const int prefetch_records = records_prefetched(ds);
    for (int64_t t = 0; t < n; t++) {
        int64_t i = rows[t];
        if (t + 3 < n)
            prefetch_row_head(row_ptr, alpha, y, rows[t + 3]);
        if (t + 2 < n)
            prefetch_row(row_ptr, col, x, rows[t + 2], 0);
        if (prefetch_records && t + 1 < n)
            prefetch_row_records(coord, row_ptr, col, rows[t + 1]);
        int64_t p0 = row_ptr[i];
        int64_t p1 = row_ptr[i + 1];
        double dot = 0.0;
        for (int64_t p = p0; p < p1; p++) {
            double *r = coord + COORD_STRIDE * (size_t)col[p];
            if (track)
                track_touch(r, col[p], c->stamp, c->touched, c->saved, &c->n_touched);
            double vj = r[0] - r[1] * (cum - r[2]); /* up to date, as lazy_steps */
            r[0] = vj;
            r[2] = cum;
            dot += x[p] * vj;
        }
        double a = loss_deriv(loss, y[i], scale * dot);
        double dn = (a - alpha[i]) * inv_n;
        alpha[i] = a;
        for (int64_t p = p0; p < p1; p++)
            coord[COORD_STRIDE * (size_t)col[p] + 1] += dn * x[p]; /* g += (a - alpha_i) x_i / N */
    }
}

/* A new record of visits: a new stamp (wrapping to 0 would mark every row
 * visited, so the stamps restart then). */
void saga_core_visits_restart(struct saga_core *c)
{
    if (!c->visited)
        return;
    c->n_visited = 0;
    if (++c->vstamp == 0) {
        memset(c->row_stamp, 0, (size_t)c->ds->n_samples * sizeof *c->row_stamp);
        c->vstamp = 1;
    }
}

int64_t saga_core_visits_thin(struct saga_core *c, double p, struct rng *r)
{
    if (!c->visited)
        return 0;
    if (p >= 1.0)
        return c->n_visited;
    int64_t kept = 0;
    for (int64_t t = 0; t < c->n_visited; t++)
        if (rng_uniform(r) < p)
            c->visited[kept++] = c->visited[t];
    c->n_visited = kept;
    return kept;
}

int64_t saga_core_refresh(struct saga_core *c)
{
    const struct dataset *ds = c->ds;
    int64_t n = c->n_visited;
    if (!c->visited)
        return 0;
    if (c->lazy) {
        int logistic = c->loss == LOSS_LOGISTIC;
        if (c->touched)
            logistic ? lazy_refresh(c, LOSS_LOGISTIC, 1) : lazy_refresh(c, LOSS_SQUARED, 1);
        else
            logistic ? lazy_refresh(c, LOSS_LOGISTIC, 0) : lazy_refresh(c, LOSS_SQUARED, 0);
        saga_core_visits_restart(c);
        return n;
    }
    for (int64_t t = 0; t < n; t++) {
        int64_t i = c->visited[t];
        int64_t p0 = ds->row_ptr[i];
        int64_t p1 = ds->row_ptr[i + 1];
        double z = 0.0;
        if (ds->is_dense) {
            z = cblas_ddot((int)ds->n_features, ds->values + p0, 1, c->w, 1);
        } else {
            for (int64_t p = p0; p < p1; p++)
                z += ds->values[p] * c->w[ds->col_idx[p]];
        }
        double a = loss_deriv(c->loss, ds->y[i], z);
        double dn = (a - c->alpha[i]) * c->inv_n;
        c->alpha[i] = a;
        if (ds->is_dense) {
            cblas_daxpy((int)ds->n_features, dn, ds->values + p0, 1, c->g, 1);
        } else {
            for (int64_t p = p0; p < p1; p++)
                c->g[ds->col_idx[p]] += dn * ds->values[p];
        }
    }
    saga_core_visits_restart(c);
    return n;
}
