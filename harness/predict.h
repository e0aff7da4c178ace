/*
 * predict.h - the predicted asymptotic rate of SPEC 4.1 (saga, dsaga, gd,
 * local-svrg): one round of a
 * method linearised at w* and averaged over the sampled rows is a fixed
 * matrix M acting on the expected error state; the rate is
 *     SPEC:  log10(rho(M)) * rounds per epoch   (log10_rho_per_epoch)
 *     here:  max(2 log10 rho(M), memory refresh) * rounds per epoch
 * (predicted_rate_per_epoch; subopt is quadratic in the mean error, see
 * predict.c for the measurements behind the factor 2).
 *
 * The dense path: M and the per-node step maps are stored as dense
 * row-major matrices and rho(M) comes from LAPACK's dgeev (OpenBLAS), so
 * sizes above PREDICT_MAX_DIM states are refused in one sentence.  For
 * dsaga on wider data, predict_run_with(PREDICT_MATRIX_FREE) takes the
 * predicted tail, mean and variance parts, through the same rounds
 * without a d x d matrix (predict_large.h); rho(M) is not computed
 * there.
 */
#ifndef DSAGA_PREDICT_H
#define DSAGA_PREDICT_H

#include <stdint.h>

#include "base/rng.h"
#include "harness/run_cfg.h"
#include "harness/trace.h"

/* The largest dense matrix predict builds (rows), r the rank of X: (K + 1) r
 * for M ((2K + 1) r with a refresh), 3 r for a node's step map (dsaga,
 * saga), 2 r for local-svrg's, r for gd; d itself (the d x d Hessian) stops
 * here too.  dgeev at this size takes about a minute on one core. */
#define PREDICT_MAX_DIM 4096

struct predict_result {
    double predicted_rate_per_epoch; /* SPEC 4.1, as predict.c argues */
    /* the tail (SPEC 4) a run of this configuration would show: the mean
     * error from the run's start through M plus the stale memories'
     * variance part, fitted over the run's own checkpoints
     * (predict_tail_rate, predict.c) */
    double predicted_tail_rate_per_epoch;
    double log10_rho_per_epoch; /* SPEC 4.1's literal log10 rho(M) per epoch */
    double rounds_per_epoch;    /* N / the gradients of a round (sum_k tau_k,
                                 * plus the refresh's re-takes); saga's
                                 * rounds are PREDICT_SAGA_ROUNDS_PER_EPOCH
                                 * (predict.c); 1 for gd, N / (N + sum_k
                                 * tau_k) for local-svrg */
    double spectral_radius;     /* rho(M), per round */
    int64_t state_dim;          /* rows of M */
    double step_size;           /* the step in force (as a run would use) */
    double seconds;             /* wall time of predict_run */
    int matrix_free; /* predict_large_tail: 1 its mean part, 2 with the variance part (no rho) */
    char why[1024];  /* ERR_INPUT: the refusal, one sentence */
};

/* dsaga's refresh key (SPEC 3.2b) as predict_dsaga_map takes it. */
enum predict_refresh {
    PREDICT_REFRESH_NONE = 0,
    PREDICT_REFRESH_VISITED = 1,
    PREDICT_REFRESH_LATE = 2
};

/* The rows of node k: how many i have owner[i] == k among the N. */
int64_t predict_node_rows(const int *owner, int64_t N, int k);

/* The refresh's split of a round of tau steps on n_k rows (dsaga.c): the
 * steps before the record of draws restarts (*tau1: tau/2 for late, else
 * 0) and the chance q that a row is drawn in the tau - tau1 after it, so
 * re-taken at the next round's start (0 without refresh); refresh is an
 * enum predict_refresh.  Both paths take q from here. */
double predict_refresh_q(int refresh, int64_t tau, int64_t n_k, int64_t *tau1);

/* SPEC 4.1 for dsaga (saga is K = 1, s = 1): M on the state
 * (e, B_1, ..., B_K), blocks of d rows in that order, row-major, written to
 * M ((K + 1) d squared, caller-allocated).  Rows are ds's; owner[i] in
 * 0..K-1 is row i's node; h[i] = loss''(y_i, <x_i, w*>); tau[k] local steps
 * on node k; eta the step; s the aggregation factor (1/K mean, 1 sum).
 * Within a round node k follows, per expected SAGA step (H_k = (1/n_k)
 * sum_{i in S_k} h_i x_i x_i^T, c_k = sum_{j != k} B_j frozen):
 *     e_k <- (I - eta (H_k + lambda I)) e_k + eta (N/n_k - 1) B_k - eta c_k
 *     B_k <- (1/N) H_k e_k + (1 - 1/n_k) B_k
 * taken tau_k times by repeated squaring; then e <- e + s sum_k (e_k - e).
 * Q (d x r row-major, orthonormal columns) restricts every block to the
 * span of Q (H_k -> Q^T H_k Q, blocks of r rows, M of (K + 1) r); NULL
 * keeps all d coordinates (r ignored).  PREDICT_REFRESH_VISITED: dsaga refresh =
 * visited (SPEC 3.2b) on the state (e, Bs_1..Bs_K, Be_1..Be_K), (2K + 1) d
 * rows (predict.c); PREDICT_REFRESH_LATE: refresh = late (only the rows drawn in the
 * last tau_k - tau_k/2 steps; Bs_k then holds the memory at step tau_k/2).
 * frac (refresh_fraction, 1 without refresh): the chance a row the refresh
 * would re-take is re-taken; the others keep their memory as drawn, so the
 * round starts from frac ((1 - q_k) Bs_k + q_k R_k e) + (1 - frac) Be_k.
 * Ebar (K r x dim, row-major; NULL: not wanted): block k maps the state at
 * a round's start to node k's mean local iterate over the round,
 * (1/tau_k) sum_{t < tau_k} e_k(t), where the round's draws read the
 * memories (predict.c, "Where a draw reads its memory").
 * ERR_INPUT when a node holds no row; ERR_NOMEM. */
int predict_dsaga_map(const struct dataset *ds, const double *h, double lambda, const int *owner,
                      int K, const int64_t *tau, double eta, double s, int refresh, double frac,
                      const double *Q, int64_t r, double *M, double *Ebar);

/* SPEC 4.1 for gd: M = I - eta (H + lambda I), H = (1/N) sum_i h_i x_i x_i^T,
 * d x d row-major into M (caller-allocated), or r x r restricted to Q. */
int predict_gd_map(const struct dataset *ds, const double *h, double lambda, double eta,
                   const double *Q, int64_t r, double *M);

/* SPEC 4.1 for local-svrg (SPEC 3.8): a round from the anchor z = x, with
 * e = x - w* (z's error, fixed within the round), e_k node k's, and per
 * expected local step (the direction h_i x_i x_i^T (e_k - e) + lambda e_k
 * + (H + lambda I) e - lambda e, linearised; H_k as for dsaga)
 *     e_k <- (I - eta (H_k + lambda I)) e_k - eta (H - H_k) e,
 * taken tau_k times from e_k = e; then e <- mean_k e_k:
 *     M = (1/K) sum_k (A_k^tau_k - eta S_k (H - H_k)),
 *     A_k = I - eta (H_k + lambda I),  S_k = sum_{t < tau_k} A_k^t,
 * d x d (or r x r restricted to Q) into M, caller-allocated.  K = 1 is
 * A^tau: SVRG's mean error is gd's with the step's tau powers.
 * ERR_INPUT when a node holds no row; ERR_NOMEM. */
int predict_local_svrg_map(const struct dataset *ds, const double *h, double lambda,
                           const int *owner, int K, const int64_t *tau, double eta, const double *Q,
                           int64_t r, double *M);

/* The memories' second moment, for predict_tail_rate (predict.c, "the
 * variance part"): per node k, in the basis of M's error block (r),
 *   G_k  = (1/n_k) sum_i |x_i|^2 h_i^2 x_i x_i^T        (K blocks of r x r)
 *   c_k  = (1/n_k) sum_i |x_i|^2 h_i alpha_i* x_i        (K blocks of r)
 *   v0_k = (1/n_k) sum_i |x_i|^2 alpha_i*^2              (K)
 *   q_k  = 1 - (1 - 1/n_k)^tau_k, the chance a row is drawn in a round,
 * n_k, the eigenvalues a_j of Hf and the diagonal of each G_k in Hf's
 * eigenvectors (K x r), the step eta, the aggregation's weight s and the
 * mean local steps per round tau.  On the matrix-free path G and c are
 * NULL (its forms come from X e) and the r directions are those of
 * range(X^T) where H is not 0 (predict_large_spectrum). */
struct predict_var {
    int K;
    const double *G, *c, *v0, *q, *n;
    const double *a;  /* r */
    const double *gd; /* K x r */
    double eta, s, tau;
    /* memories taken at a node's local iterate (predict.c, "Memories taken
     * during a round"):
     * per node the fraction phi_k of a round's draws that keep such a
     * memory (NULL: none), drawn over the round's first tau_draw steps */
    const double *phi;
    double tau_draw;
    /* where a round's draws read the memories (predict.c, "Where a draw
     * reads its memory"): on the dense path, predict_dsaga_map's Ebar (K r
     * x dim), node k's mean local iterate from the round's starting state;
     * NULL reads them at the synchronised e (the matrix-free path computes
     * its own) */
    const double *ebar;
    /* 0: the expected run, each memory age weighted by the chance that a
     * run holds it; S > 0: S simulated runs, each carrying its rows' ages
     * one by one (predict.c, "Simulated runs"), seeded 1..S */
    int paths;
};

/* The variance part from round to round (predict.c, "The variance
 * part"), shared by the dense tail (predict_tail_rate) and the
 * matrix-free one (predict_large_tail); var->G and var->c are the dense
 * caller's, which supplies the quadratic forms in each G_k itself.  Per
 * round, with u the point where node k's draws of the round read their
 * memories (its mean local iterate, or e) and m_a what a memory taken a
 * rounds back holds: eGe[k] = u^T G_k u, ce[k] = c_k^T u, cross[k * ages
 * + a - 1] = u^T G_k m_a, 1 <= a <= min(ages, round - 1) (the caller keeps
 * the last `ages` rounds in a ring indexed round % ages, and reads a slot
 * before this round's overwrites it), and taken[k] = E m^T G_k m over the
 * memories taken in this round, the two kinds weighted by their shares
 * (NULL: eGe, every memory at u). */
struct predict_noise {
    const struct predict_var *var;
    int64_t r;                 /* directions: the entries of var->a, of each row of var->gd */
    int64_t ages;              /* the oldest memory a run may hold, in rounds */
    double *held;              /* ages + 1: [a] the chance that a run holds a row at
                                * least a rounds old on any node (the expected run) */
    double *ring;              /* ages x 3K: per round and node its memories' mean
                                * part in G_k's norm (taken), e's own variance in
                                * G_k's norm, its memories' local noise */
    double *P;                 /* r: the variance part per direction, less the never-drawn
                                * rows' (the expected run) */
    double *f2, *fac, *favg;   /* r each: a round's decay, its noise gain, the gain at a draw */
    double *inv_tr, *loc_gain; /* K each: 1 / tr G_k, the local noise per unit of V_k */
    /* the expected run (NULL with simulated runs, which count draws one by
     * one): per node the share of a round's draws that are a row's first
     * in the round, and the never-drawn rows' noise of this round, per draw,
     * and their first draws per step (predict.c, "Rows never drawn") */
    double *first, *never_v, *never_rate;
    /* r each: the never-drawn rows' variance part, their expected first
     * draws within each direction's memory, and the variance part a run
     * holds (P plus the never-drawn part weighted by the chance that a
     * run holds such a draw) */
    double *never_P, *never_kicks, *held_P;
    /* simulated runs (var->paths = S > 0; else one path, the expected run):
     * ring and P above are path 0's, path p's lie p (ages 3K) and p r
     * further on */
    int np;          /* paths: max(1, S) */
    double *sv;      /* np: each path's variance part after the last round */
    double *gv;      /* np: the same part of |grad f|^2, sum_j a_j^2 P_j (the
                      * expected run: held_P_j) */
    int64_t *cnt;    /* np x K x (ages + 1): rows per round taken, ring as
                      * ring's, then the never drawn */
    double *steps;   /* K: the steps of node k's round, from q_k and n_k */
    struct rng *rng; /* np */
};

/* nz for var over r directions.  ERR_NOMEM (nz cleared). */
int predict_noise_init(struct predict_noise *nz, const struct predict_var *var, int64_t r);

/* One round (0 first): the noise each node's memories put into its steps,
 * decayed and summed per direction; returns the variance part of subopt,
 * (1/2) sum_j a_j P_j (the expected run: held_P_j), of path 0, and each
 * path's into nz->sv (its part of |grad f|^2, sum_j a_j^2 P_j, into
 * nz->gv).  eGe, ce,
 * taken (K) and cross (K x ages) as above; at round 0 none is read. */
double predict_noise_round(struct predict_noise *nz, int64_t round, const double *eGe,
                           const double *ce, const double *cross, const double *taken);

void predict_noise_clear(struct predict_noise *nz);

/* The expected state z0 (dim, its first r entries the error e) taken
 * through M round by round; at checkpoints every eval_every epochs
 * (rounds / rounds_per_epoch), subopt = (1/2) e^T Hf e (Hf r x r,
 * symmetric, row-major), plus, when var is not NULL, the part the
 * sampling noise of stale memories keeps in the error (predict.c), until
 * subopt <= stop_rel subopt(0) or max_epochs; *rate = trace_fit_tail_rate
 * (SPEC 4) of those checkpoints: what the tail of a run shows when its
 * slowest modes have not yet taken over; -inf when it stopped before 5
 * checkpoints (faster than they resolve), NaN on a non-finite subopt or
 * too few usable checkpoints otherwise.  The checkpoints themselves go
 * into *out when it is not NULL (an empty trace; caller clears): epoch,
 * subopt, grad_norm (sqrt of |Hf e|^2 plus the variance part's sum_j
 * a_j^2 P_j), and the series "mean_part" (the mean error's share of
 * subopt; the rest is the variance part).  ERR_NOMEM. */
int predict_tail_rate(const double *M, int64_t dim, const double *z0, const double *Hf, int64_t r,
                      const struct predict_var *var, double rounds_per_epoch, double eval_every,
                      double max_epochs, double stop_rel, double *rate, struct trace *out);

/* The checkpoints of a predicted tail (predict_tail_rate,
 * predict_large_tail), as a run takes them: every eval_every epochs from
 * epoch 0 until subopt <= stop_rel subopt(0) or max_epochs. */
struct predict_ckpt {
    struct trace *t; /* the checkpoints (caller clears) */
    double eval_every, max_epochs, stop_rel;
    double next; /* the next checkpoint's epoch (0 to start) */
    double sub0; /* subopt at the first checkpoint */
    int bad;     /* a non-finite subopt was seen: the rate is NaN */
};

/* 1 when a checkpoint falls at `epoch` (the first round at or after it). */
int predict_ckpt_due(struct predict_ckpt *c, double epoch);

/* Records subopt at epoch, of which `mean` is the mean error's part (the
 * trace's series "mean_part"), and grad_norm = sqrt(grad2); *stop = 1
 * where the run would stop (or subopt is not finite).  ERR_NOMEM. */
int predict_ckpt_add(struct predict_ckpt *c, double epoch, double sub, double mean, double grad2,
                     int *stop);

/* SPEC 4's tail fit (trace_fit_tail_rate) of the checkpoints; -inf when
 * the run stopped before 5 (faster than they resolve), NaN after a
 * non-finite subopt or on too few usable checkpoints otherwise. */
double predict_ckpt_rate(const struct predict_ckpt *c);

/* The checkpoints of np paths of one predicted run (the expected run: np
 * = 1), taken at the same epochs, each path until it stops; the predicted
 * tail is the median of the paths' (predict.c, "Simulated runs"). */
struct predict_track {
    int np, left;            /* paths, paths not yet stopped */
    struct predict_ckpt *ck; /* np */
    struct trace *t;         /* np: each path's checkpoints; predict_track_rate
                              * moves the median path's into out */
    int *stopped;            /* np */
    struct trace *out;
};

/* ERR_NOMEM (tr cleared). */
int predict_track_init(struct predict_track *tr, int np, double eval_every, double max_epochs,
                       double stop_rel, struct trace *out);
/* 1 when a checkpoint falls at `epoch` (predict_ckpt_due). */
int predict_track_due(struct predict_track *tr, double epoch);
/* Records path p's subopt mean + sv[p] and |grad f|^2 mean_g2 + gv[p]
 * at epoch for every path still going (sv, gv NULL: no variance part);
 * *all_stopped once none is.  ERR_NOMEM. */
int predict_track_add(struct predict_track *tr, double epoch, double mean, double mean_g2,
                      const double *sv, const double *gv, int *all_stopped);
/* The median of the paths' rates into *rate (predict_ckpt_rate; NaN sorts
 * last, so a NaN median means half the paths or more have none), and the
 * median path's checkpoints moved into out.  ERR_NOMEM. */
int predict_track_rate(struct predict_track *tr, double *rate);
void predict_track_clear(struct predict_track *tr);

/* rho(M): the largest eigenvalue modulus of the n x n matrix M (dgeev; M
 * is not modified).  ERR_NUMERIC when LAPACK fails. */
int predict_spectral_radius(const double *M, int64_t n, double *rho);

/* The whole computation for one run configuration (cfg->nodes resolved,
 * > 0): loads the data set as a run would (labels, bias, lambda = 1/N by
 * default), w* by fstar_solve (1e-12), the shards of shard_assign with the
 * run's seed and partition, the method's own default step times
 * step_scale (or cfg->step), then M restricted to range(X^T) (where the
 * iterates live) and its spectral radius.  A method
 * without a map (anything but saga, dsaga, gd, local-svrg), a size above
 * PREDICT_MAX_DIM, --nodes above N, or a period whose memories outlive
 * PREDICT_MAX_AGES rounds is ERR_INPUT with out->why set and nothing
 * printed. */
int predict_run(const struct run_cfg *cfg, struct predict_result *out);

/* predict_run_with's flags. */
enum {
    /* dsaga on data wider than PREDICT_MAX_DIM: the tail matrix-free
     * (predict_large.h), its variance part up to PREDICT_LARGE_MAX_SAMPLES
     * rows (above, the mean part, not faster than the memory bound);
     * rho(M) and predicted_rate_per_epoch stay NaN.  Minutes, not
     * milliseconds (`predict` asks for it; a grid does not). */
    PREDICT_MATRIX_FREE = 1u,
    /* dsaga on the matrix-free path at any width: the cross-check of the
     * two paths (tests/test_predict.c) */
    PREDICT_MATRIX_FREE_ALWAYS = 2u,
    /* the variance part from PREDICT_PATHS simulated runs, the predicted
     * tail their median (predict.c, "Simulated runs"), not from the
     * expected run */
    PREDICT_PER_ROW = 4u
};

/* The simulated runs of PREDICT_PER_ROW: odd, so that the median is one
 * of them. */
#define PREDICT_PATHS 31

/* predict_run with flags (PREDICT_MATRIX_FREE); predict_run is flags 0. */
int predict_run_with(const struct run_cfg *cfg, unsigned flags, struct predict_result *out);

/* predict_run_with, and the predicted checkpoints behind
 * predicted_tail_rate_per_epoch into *curve (an empty trace, or NULL: not
 * wanted; caller clears): per checkpoint the epoch and subopt (f - f*, as
 * a run stores it) and the series "mean_part", the mean error's share of
 * it (the rest is the variance part: 0 where none is modelled, as for gd,
 * local-svrg and the matrix-free path above PREDICT_LARGE_MAX_SAMPLES
 * rows).  The printed tail is the curve's SPEC 4 fit, except where the
 * predicted run stops within five checkpoints (then the memory bound, or
 * NaN) or the fit is not finite (NaN); the checkpoints are kept either way.
 * Empty where nothing was predicted (a refused configuration). */
int predict_run_curve(const struct run_cfg *cfg, unsigned flags, struct predict_result *out,
                      struct trace *curve);

#endif
