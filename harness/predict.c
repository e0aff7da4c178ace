/*
 * predict.c - the predicted asymptotic rate of SPEC 4.1 (issue 14).
 *
 * Linearise at w*: with alpha_i* = loss'(y_i, <x_i, w*>), h_i = loss''(y_i,
 * <x_i, w*>), e = w - w*, delta_i = alpha_i - alpha_i* and
 * B_k = (1/N) sum_{i in S_k} delta_i x_i, one SAGA step on node k with row i
 * is linear in (e_k, delta):
 *     a - alpha_i = h_i <x_i, e_k> - delta_i
 *     g_k + lambda w_k = c_k + B_k + lambda e_k    (g* + lambda w* = 0)
 *     e_k <- e_k - eta ((h_i x_i x_i^T e_k - delta_i x_i) + c_k + B_k + lambda e_k)
 *     delta_i <- h_i <x_i, e_k>
 * with c_k = sum_{j != k} B_j, the other nodes' memories as of the last
 * synchronisation (SPEC 3.2 step 1).  The rows are drawn independently of
 * the state, so the expected state follows the expected map, and because
 * (1/n_k) sum_{i in S_k} delta_i x_i = (N/n_k) B_k it closes on (e_k, B_k):
 *     e_k <- (I - eta (H_k + lambda I)) e_k + eta (N/n_k - 1) B_k - eta c_k
 *     B_k <- (1/N) H_k e_k + (1 - 1/n_k) B_k
 * H_k = (1/n_k) sum_{i in S_k} h_i x_i x_i^T.  On z = (e_k, B_k, c_k) that is
 * one 3d x 3d matrix T_k (c_k is constant within a round), so tau_k steps
 * are T_k^tau_k, by repeated squaring (O(log tau) products, not tau).  The
 * synchronisation (SPEC 3.2 step 2) gives M on (e, B_1..B_K):
 *     e   <- (1 - s K) e + s sum_k e_k(tau_k),   B_k <- B_k(tau_k).
 * saga is K = 1, s = 1; it has no synchronisation, so its round is only
 * the grain of the variance part's memory ages (below): N /
 * PREDICT_SAGA_ROUNDS_PER_EPOCH steps (the asymptotic rate does not
 * depend on it: the map of N/20 steps is the one-step map to that power).
 *
 * The rate.  M propagates the MEAN error state; subopt is quadratic in e,
 * so a mode of M with eigenvalue rho that moves E[e] makes subopt fall as
 * rho^2 per round: 2 log10 rho(M).  SPEC 4.1's literal log10 rho(M) is
 * half of that, and is off by a factor 2 against every bent dsaga cell
 * measured (issue 14: phishing K = 2, 0.5 n_k: literal -0.0029, measured
 * tail -0.0056, 2 log10 rho -0.0058).  The exception is the variance that
 * stale memories carry: E[e] does not see it (saga's step is unbiased, so
 * saga's memory modes have no e-component), but a memory not refreshed
 * keeps its square, so that part falls no faster than
 * (1 - 1/n_k)^tau_k per round, the chance of not being drawn (saga: (1 -
 * 1/N)^N per epoch, -0.434 decades).  Hence, per round,
 *     rate = max(2 log10 rho(M), max_k tau_k log10(1 - 1/n_k))
 * (gd: 2 log10 rho(M)), times rounds per epoch; log10_rho_per_epoch keeps
 * SPEC's literal value for comparison (README "What is computed").
 *
 * local-svrg (SPEC 3.8).  No memories: the state is the anchor's error e
 * (z = x at the round's start), node k's copy e_k starts at e and takes
 * tau_k expected steps e_k <- (I - eta (H_k + lambda I)) e_k - eta (H -
 * H_k) e (the anchor's full gradient replaces the shard's curvature by
 * the whole set's on e), then e <- mean_k e_k: M =
 * (1/K) sum_k (A_k^tau_k - eta S_k (H - H_k)) (predict_local_svrg_map).
 * Rounds per epoch N / (N + sum_k tau_k): the anchor's N gradients count.
 * Its tail is the mean error's, as gd's (no memory bound, no variance
 * part); where the steps' noise sets the pace instead (|e_k - e| large
 * within long, fast rounds) a run is slower than M says and the predicted
 * run ends within five checkpoints: NaN (README "Predicted rate").
 *
 * refresh = visited (SPEC 3.2b).  A row is drawn in a round of tau_k steps
 * with probability q_k = 1 - (1 - 1/n_k)^tau_k; at the next round's start
 * its memory is re-taken at the synchronised e, the others keep the value
 * they had at the previous round's start.  So node k's memory is carried
 * twice: Bs_k, as the round started (after its refresh), and Be_k, as the
 * round ended (what g_bar holds, what the other nodes see as c_k).  On the
 * state (e, Bs_1..Bs_K, Be_1..Be_K), with R_k = (n_k/N) H_k (the memory of
 * all of S_k taken at e):
 *     Bs_k' = (1 - q_k) Bs_k + q_k R_k e             (the refresh)
 *     (e_k, B_k)(tau_k) = T_k^tau_k (e, Bs_k', c_k),  c_k = sum_{j != k} Be_j
 *     e'  = (1 - s K) e + s sum_k e_k(tau_k),   Be_k' = B_k(tau_k).
 * Rounds per epoch count the refresh: N / sum_k (tau_k + n_k q_k).  The
 * memory bound is unchanged per round (a row not drawn is not refreshed).
 * refresh_fraction p (dsaga.c): a drawn row is re-taken with chance p and
 * else keeps the memory its draw took, which Be_k holds beside the rows
 * not drawn, so the round starts from
 *     p ((1 - q_k) Bs_k + q_k R_k e) + (1 - p) Be_k,
 * the refreshes are p n_k q_k, and in the variance part (below) the share
 * 1 - p of those draws keeps a memory taken at the node's own iterate.
 *
 * The tail a run shows (predicted_tail_rate_per_epoch, issue 21).  rho(M)
 * is where the rate ends, not always what a run of a few hundred epochs
 * shows: with the refresh the slowest modes of M are a dense band of
 * e-modes (a9a, lambda 1/N, tau 0.1 n_k: 0.997598, 0.997311, 0.996996, ...
 * per round), whose top takes about 700 epochs to separate from the rest,
 * so the tail of a 300-epoch run follows the band (measured -0.0158 against
 * 2 log10 rho -0.0107).  So the mean error is also taken through M from the
 * run's own start (e = -w*; every stored gradient 0, as saga_core starts:
 * B_k = -(1/N) sum_{i in S_k} alpha_i* x_i), subopt ~ (1/2) e^T (H +
 * lambda I) e read at the run's checkpoints until it would stop (tol f(0),
 * max_epochs), and fitted as SPEC 4 fits a run's tail.  This predicts
 * the variants' tails where the mean mode limits them (within 2 % on a9a at
 * lambda 1/N and 1e-4), and gives plain dsaga's tails as rho(M) does.
 *
 * The variance part (issue 21).  Where stale memories decide the tail
 * (a9a lambda >= 1e-3, phishing) the mean error is gone early and what is
 * left is the sampling noise of the stored gradients, which M (a mean)
 * does not carry; the memory bound above is its expectation, which rare
 * rows left undrawn for many rounds dominate.  A run seldom holds such
 * rows: the runs beat the bound by 10-35 %.  So the checkpoints' subopt
 * also carries, per round and node k, the noise power of a drawn row,
 *     V_k = (1/n_k) sum_i |x_i|^2 E[u_i^2],   u_i = h_i x_i^T e - delta_i,
 * over the memories' ages: a row last drawn a >= 1 rounds ago (weight
 * q_k (1 - q_k)^(a-1), q_k = 1 - (1 - 1/n_k)^tau_k) holds delta_i =
 * h_i x_i^T e_a (e at that synchronisation), so u_i = h_i x_i^T (e -
 * e_a), plus e_a's own variance in G_k's norm; a row never drawn (weight
 * (1 - q_k)^(round - 1)) holds 0, u_i = h_i x_i^T e + alpha_i* (below,
 * "Rows never drawn").  Only a row's first draw in a round reads a
 * memory taken before the round: its later draws read the one the first
 * took, whose error is the node's few steps since (left out; with it, as
 * the node's local noise over the gap, no a9a or phishing cell moved by
 * 0.5 %).  Of a round's tau_k draws n_k q_k are first draws, so every
 * term is weighted by the share f_k = n_k q_k / tau_k (0.95 at 0.1 n_k,
 * 0.63 at 1 n_k; predict_first_share, from the nodes' mean tau: exact
 * where every node has the same n_k and tau_k; label shards, whose sizes
 * differ, get the share at the mean tau).  With
 * G_k = (1/n_k) sum_i |x_i|^2 h_i^2 x_i x_i^T these are quadratic forms in
 * e and the e_a.  An age counts as far as a run holds a row that old:
 * the expected number of the run's rows at least a rounds old, over every
 * node, is mu_a = sum_k n_k (1 - q_k)^(a-1), a run holds one with chance
 * 1 - exp(-mu_a), and each node's term of that age is weighted by that
 * chance.  The chance is the run's, not the node's: the
 * synchronisation sums every node's noise into the one e, so what a run
 * carries is set by its oldest rows on any node.  Weighted by each node's
 * own chance (mu_a = n_k (1 - q_k)^(a-1), until 2026-12-07) the old ages
 * counted K times too little and the asymptotic tails came out up to
 * 1.13x fast at 0.1 n_k, more so with K (notes/refresh.md, "The run
 * holds a row, not the node").  The weight is smooth in a: a run
 * loses its oldest rows at random rounds, and a hard cut at mu_a = ln 2
 * (the median run's oldest row) made the predicted subopt fall in steps
 * that a short run's fit could catch (notes/refresh.md, "Each age
 * weighted by the chance a run holds it").  Each step adds eta^2 V_k
 * of noise to node k's error, spread over the eigendirections j of H +
 * lambda I (eigenvalue a_j) as G_k's diagonal there; a direction keeps
 * b_j^2 = (1 - eta a_j)^2 of it per step, so over a round of tau steps
 * P_j <- b_j^(2 tau) P_j + s^2 eta^2 sum_k V_k g_kj / tr G_k (1 -
 * b_j^(2 tau)) / (1 - b_j^2), s^2 from the synchronisation's weights (the
 * nodes' noises are independent), and the variance part of subopt is
 * (1/2) sum_j a_j P_j.  Its steady state is eta s^2 sum_k V_k / 4, the
 * SGD noise floor; with every age counted its tail is the memory bound.
 *
 * Rows never drawn.  A row not yet drawn holds 0 (saga_core starts every
 * stored gradient there), so its first draw puts in the whole alpha_i*
 * x_i, orders of magnitude above a stale memory's noise: few, large,
 * rare kicks, each felt in direction j only for the few steps that
 * direction remembers (1 / (1 - b_j^2) steps).  The expected noise counts
 * every such kick in every direction; a run that has not drawn one in
 * that window carries nothing of it there, and early in a run, while
 * thousands of rows are undrawn but a direction's window holds less than
 * one of their first draws, the median run holds none.  So this part is
 * kept apart: per round node k's never-drawn rows put in f_k never_k (eGe
 * + 2 ce + v0_k) per draw (never_k = (1 - q_k)^(round - 1)) into never_P_j
 * as above, and never_kicks_j <- b_j^(2 tau) never_kicks_j + sum_k f_k
 * never_k (1 - b_j^(2 tau)) / (1 - b_j^2) counts the first draws a
 * direction still holds, over every node; what a run holds in direction j
 * is P_j + (1 - exp(-never_kicks_j)) never_P_j (held_P), from which the
 * subopt, |grad f|^2 and e_a's own variance are read.  Weighted instead by
 * the chance that a run holds a never-drawn row at all, 1 - exp(-sum_k n_k
 * never_k) (as the ages are, until 2026-12-07), the never-drawn part held
 * at full strength while any row was undrawn, and the model's curve fell
 * at the undrawn fraction's rate, (1 - q_k) a round (-0.27 decades an
 * epoch at 1 n_k), for its first 15-20 epochs where the runs fell at -0.35
 * to -0.41: at lambda 1e-2 on the rcv1-like set, whose runs reach 1e-14 in
 * 21-30 epochs, SPEC 4's tail to 1e-14 came out 0.90x and 0.87x at 0.1
 * and 1 n_k (notes/refresh.md, "The rows never drawn, and a row's first
 * draw").  The simulated runs below draw each row one by one
 * and keep the run's count.
 *
 * Memories taken during a round.  A memory taken at the node's own
 * iterate (every draw without refresh, saga's included; the first half's
 * draws not drawn again under `late`; none under `visited` with
 * refresh_fraction 1, whose memories are re-taken at the synchronised w)
 * holds that node's own
 * noise since the round's start, which the synchronisation averages away
 * only in part: it keeps s of it in e, so e - e_loc carries (1 - s)^2 of
 * it where the steps have not yet forgotten it (the slow directions; in
 * the fast ones P already stands for the iterate's whole variance).  A
 * memory of age a adds phi_k (1 - s)^2 eta^2 V_k sum_j g_kj^2 / tr G_k
 * favg_j, with V_k of the round it was taken in (its first draws' part,
 * the never-drawn rows' rare ones left out) and favg_j = (1 -
 * b_j^(2t)) / (1 - b_j^2) averaged over the draw's step t in the round's
 * first tau (late: tau / 2) steps; phi_k is the share of a round's draws
 * that keep such a memory (1; q1 (1 - q2) / q for late, q1 and q2 the
 * chances of a draw in the first and second half; 0 for visited; plus
 * (1 - p) q2 / q with refresh_fraction p, those drawn after the record's
 * restart dated as if drawn over t1 + tau steps, which has their mean
 * draw step; so late at p = 0, plain dsaga's runs bit for bit, is dated
 * over a window a few per cent longer than plain dsaga's tau).  With
 * K = 1 (saga) s = 1 and the term vanishes: the memory and the iterate
 * are one chain.  Its mean error is its round's mean local iterate
 * (below, "Where a draw reads its memory"), as the steps that read it
 * are as spread over their own round, a rounds later (placing the draw
 * between e_a and e_(a+1) while e stays at its round's end would move
 * it half a round closer; tried, it fits saga's tails better, 8 of 8,
 * but it is one-sided, so it is not kept).
 *
 * Where a draw reads its memory.  A draw's noise u_i = h_i
 * x_i^T e_loc - delta_i is read at the node's local iterate e_loc, not at
 * the synchronised e.  The two differ little where the nodes' memories
 * agree (each local iterate then drifts from e by about e), but where they
 * disagree (the mode of SPEC 3.2b, which plain dsaga keeps and
 * refresh_fraction < 1 lets back in) each node's iterate runs, within a
 * few steps of the round's start, to a local optimum shifted by its
 * memories' disagreement and stays there: on a9a at lambda 1e-3, 0.1 n_k,
 * in M's slowest mode, e^T G_k e along a round is 140-1 300 times its
 * value at the synchronisation.  A memory re-taken at the synchronisation
 * then differs from what the next round's steps read by that shift.  So
 * the forms use u_k, node k's mean local iterate over the round
 * ((1/tau_k) sum_{t < tau_k} of the expected e_k(t), predict_dsaga_map's
 * Ebar applied to the round's starting state; on the matrix-free path the
 * mean of t^t per eigenvalue, a fourth output of the node's round): the
 * draws read at u_k; a memory holds the u_k of the round it was taken in
 * (the share phi_k taken at the local iterate) or the e of the
 * synchronisation it was re-taken at (the share 1 - phi_k).  Only the
 * means are used (the spread of e_k(t) around u_k is left out: with it,
 * e^T G_k e averaged over the round, the knee cells move by under
 * 1 %).  Reading the forms at e instead made the knee of
 * refresh_fraction up to 1.8x fast (notes/refresh.md, "Where a draw
 * reads its memory").
 *
 * saga's round.  saga has no synchronisation: a memory is taken at the
 * iterate of its own step, and a round is only the grain at which the
 * variance part dates it (its mean iterate over that round, "Where a
 * draw reads its memory").  A coarse grain makes every memory look staler
 * than it is (one round an epoch: saga's tails 11-15 % slow in 3 of 8
 * regime cells); the grain converges, and at
 * PREDICT_SAGA_ROUNDS_PER_EPOCH = 20 a finer one moves no a9a or
 * phishing cell by more than 1 %.  (dsaga's round is its real period: its
 * memories are dated at the synchronisation or the round they were
 * taken in, and what a node's own iterate adds is the local noise
 * above.)
 *
 * Wide data.  Everything above is dense in d (the row-space basis comes
 * from a d x d Gram matrix), so it stops at PREDICT_MAX_DIM.  For dsaga
 * on wider data (the rcv1-like set, d = 47 000) predict_large.c takes the
 * mean error through the same rounds matrix-free, each node's T_k^tau
 * applied in the eigenbasis of its n_k x n_k Gram matrix.  The variance
 * part needs only H's eigenvalues, each G_k's diagonal in its
 * eigenvectors and the forms e^T G_k e_a, c_k^T e (and the same at each
 * node's mean local iterate u_k): the first two come
 * from H's N x N Gram matrix (predict_large_spectrum: one N-square
 * eigendecomposition per data, lambda and shards, about 13 minutes at N =
 * 20 000 on two cores, cached), the forms from X e and X u_k, so predict_noise
 * carries the same variance part on both paths (they agree to 9 digits,
 * tests/test_predict.c).  Above PREDICT_LARGE_MAX_SAMPLES rows the tail is
 * the mean part's, not faster than the memory bound.
 *
 * Simulated runs (PREDICT_PER_ROW, `predict --per-row`).
 * Where the oldest memories a run holds set the tail (once the runs beat
 * the bound, a memory of age a weighs (1 - q)^a rho^-a, growing with a),
 * the tail is a property of a run, not of the expected run: a run holds a
 * few such rows and draws each at a random round, so their noise comes
 * in bursts.  With var->paths = S each of S runs (seeded 1..S) carries
 * per node how many rows hold a memory taken in each of the last `ages`
 * rounds, and how many were never drawn; in a round each row is drawn
 * with chance q_k (a binomial draw per age, rng_binomial), a drawn row's
 * first draw reads its memory (its later draws read the one just taken,
 * whose error is only the node's steps since: 0 here), so the round's
 * noise power is the sum of the drawn rows' terms above over the round's
 * tau_k steps, and every drawn row holds a new memory next round.  Each
 * run's P_j goes through the same rounds as the expected run's; the mean
 * part is the same for all; the predicted tail is the median of the
 * runs' SPEC 4 tails, the checkpoints handed back the median run's.
 * Measured (notes/refresh.md, "Simulated runs"; 2026-12-07, against the
 * expected run as it was before its weight became the run's), it traded
 * one miss of the expected run for two (it leans slow on a9a and
 * phishing, and sends the rcv1-like set at lambda 1e-2 to 1.12 and
 * 0.89), so it is opt-in.
 *
 * Accuracy.  The history of every piece above, with the cells each one
 * moved, is notes/refresh.md, section by section; in short, with the
 * expected run, on 2026-12-07: the 24 `visited` cells of a9a, phishing
 * and the rcv1-like set on 60 seeds, 24 of 24 within 10 % of the
 * asymptotic rate past the subopt floor (0.914-1.074;
 * notes/asymptote_table.py) and 24 of 24 of SPEC 4's tail to 1e-14
 * (0.982-1.081); to 1e-12, where a run stops at a low checkpoint, 22 of
 * 24 (phishing and the rcv1-like set at lambda 1e-2, 1 n_k, 0.89 and
 * 0.86, predicted slow: the runs' own median curve is 0.93 and 0.91 of
 * the median of their tails there, the model 0.95 of that curve; a
 * smooth curve has no low last checkpoint); the 48 dsaga cells of a9a
 * and phishing on the 20 seeds 11-30, which never shaped the model, 48
 * of 48 within 10 % of the median SPEC 4 tail to 1e-12
 * (notes/heldout_table.py --predict; saga 8 of 8).  Asymptotically it
 * is within 7 % on synth-sparse sets of any width and K = 2-8 but at
 * 1 n_k, K = 2 (0.92), and leans fast at 1 n_k on a9a (1.05-1.07; "The
 * rows never drawn, and a row's first draw").
 */
#include "harness/predict.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/csr.h"
#include "datasets/dataset.h"
#include "harness/fstar.h"
#include "harness/predict_large.h"
#include "harness/trace.h"

/* The variance part stops at the memory age that fewer than this many of
 * a node's rows are expected to reach: a run holds one with chance 1e-6. */
#define PREDICT_AGE_MIN_ROWS 1e-6

/* ... and follows at most this many ages: it keeps the error of every one
 * (ages x N doubles on the matrix-free path, ages x r on the dense one)
 * and reads each back every round, so a period of a few steps, whose
 * memories reach hundreds of thousands of rounds, is refused up front
 * with the smallest period it accepts (12 steps on 5 000 rows a node). */
#define PREDICT_MAX_AGES 10000

/* saga's rounds per epoch in the map: the grain of its memories' ages
 * (file comment, "saga's round") */
#define PREDICT_SAGA_ROUNDS_PER_EPOCH 20

/* LAPACK (OpenBLAS): eigenvalues of a symmetric matrix (with vectors). */
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                   double *w, double *work, const int *lwork, int *info);
/* LAPACK (OpenBLAS): eigenvalues of a general matrix. */
extern void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
                   double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
                   double *work, const int *lwork, int *info);

/* H += (scale h_i) x_i x_i^T for the rows i with owner[i] == k (owner NULL:
 * every row); H is d x d row-major, zeroed by the caller. */
static void predict_add_hessian(const struct dataset *ds, const double *h, const int *owner, int k,
                                double scale, double *H)
{
    int64_t d = ds->n_features;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        if (owner && owner[i] != k)
            continue;
        double hi = scale * h[i];
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++) {
            double vp = hi * ds->values[p];
            double *row = H + (int64_t)ds->col_idx[p] * d;
            for (int64_t q = ds->row_ptr[i]; q < ds->row_ptr[i + 1]; q++)
                row[ds->col_idx[q]] += vp * ds->values[q];
        }
    }
}

/* The memory ages the variance part follows on a node of n_k rows, each
 * drawn in a round with chance q: a >= 1 rounds while the expected number
 * of rows at least that old, n_k (1 - q)^(a-1), is at least
 * PREDICT_AGE_MIN_ROWS (file comment, "The variance part"). */
static double predict_age_count(double q, double n_k)
{
    return q < 1.0 ? 1.0 + log(n_k / PREDICT_AGE_MIN_ROWS) / -log1p(-q) : 1.0;
}

/* The chance that a row is not drawn in `rounds` rounds, (1 - q)^rounds;
 * 1 at 0 rounds even where q = 1 (one row a node, or tau >= 37 n_k),
 * where the logarithm would give 0 x -inf. */
static double predict_undrawn(double q, double rounds)
{
    if (rounds <= 0.0)
        return 1.0;
    return q >= 1.0 ? 0.0 : exp(rounds * log1p(-q));
}

/* The chance that a run still holds a row left undrawn for `rounds`
 * rounds on any node, 1 - exp(-sum_k n_k (1 - q_k)^rounds) (file comment,
 * "The variance part"): the weight of a memory age a (rounds = a - 1);
 * the never-drawn rows have their own (file comment, "Rows never
 * drawn"). */
static double predict_run_held(const struct predict_var *var, double rounds)
{
    double rows = 0.0;
    for (int k = 0; k < var->K; k++)
        rows += var->n[k] * predict_undrawn(var->q[k], rounds);
    return -expm1(-rows);
}

/* Its inverse at PREDICT_MAX_AGES: the fewest uniform steps a round of
 * n_k rows takes for predict_age_count to stay within it (q = 1 - (1 -
 * 1/n_k)^steps). */
static double predict_min_period(double n_k)
{
    return ceil(log(n_k / PREDICT_AGE_MIN_ROWS) / ((PREDICT_MAX_AGES - 1.0) * -log1p(-1.0 / n_k)));
}

/* The chance that a given one of n_k rows is drawn in `steps` uniform draws. */
static double predict_draw_chance(double steps, double n_k)
{
    return -expm1(steps * log1p(-1.0 / n_k));
}

/* The share of a round's tau uniform draws from n_k rows that are a row's
 * first in the round, n_k (1 - (1 - 1/n_k)^tau) / tau: the draws that read
 * a memory taken before the round (file comment, "Rows never drawn"). */
static double predict_first_share(double tau, double n_k)
{
    if (!(tau > 1.0) || !(n_k > 0.0))
        return 1.0;
    double f = n_k * predict_draw_chance(tau, n_k) / tau;
    return f < 1.0 ? f : 1.0;
}

/* predict.h */
double predict_refresh_q(int refresh, int64_t tau, int64_t n_k, int64_t *tau1)
{
    *tau1 = refresh == PREDICT_REFRESH_LATE ? tau / 2 : 0;
    if (refresh == PREDICT_REFRESH_NONE)
        return 0.0;
    return predict_draw_chance((double)(tau - *tau1), (double)n_k);
}

/* out = T^power (n x n row-major) by repeated squaring; work holds n^2
 * doubles (its first n^2 only: callers park data past them); T is
 * overwritten (it ends as T^(2^floor(log2 power))).  With esum (else
 * NULL: er and ework unused) also the first er rows of sum_{t < power}
 * T^t into esum (er x n), from the same squarings: with A = T^(2^b) and
 * S_b = sum_{t < 2^b} T^t, S_(b+1) = S_b (I + A), and the sum gains S_b
 * T^(lower set bits) at each set bit b; ework holds 2 er n doubles. */
static void predict_matrix_power(double *T, int64_t n, int64_t power, double *out, double *work,
                                 int64_t er, double *esum, double *ework)
{
    double *tmp = work;
    double *acc = out;
    int have = 0; /* acc holds a product yet (else it stands for I) */
    size_t bytes = (size_t)(n * n) * sizeof(double);
    int in = (int)n, ie = (int)er;
    double *es = ework, *et = esum ? ework + er * n : NULL; /* E S_b, scratch */
    if (esum) {
        memset(es, 0, (size_t)(er * n) * sizeof *es);
        memset(esum, 0, (size_t)(er * n) * sizeof *esum);
        for (int64_t j = 0; j < er; j++)
            es[j * n + j] = 1.0;
    }
    while (power > 0) {
        if (power & 1) {
            if (esum && have) /* the sum gains S_b T^(lower set bits) */
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ie, in, in, 1.0, es, in, acc,
                            in, 1.0, esum, in);
            else if (esum) /* ... which are none yet: I */
                cblas_daxpy(ie * in, 1.0, es, 1, esum, 1);
            if (!have) {
                memcpy(acc, T, bytes);
                have = 1;
            } else {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in, in, in, 1.0, acc, in, T,
                            in, 0.0, tmp, in);
                memcpy(acc, tmp, bytes);
            }
        }
        power >>= 1;
        if (power > 0) {
            if (esum) { /* S_(b+1) = S_b + S_b A */
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ie, in, in, 1.0, es, in, T,
                            in, 0.0, et, in);
                cblas_daxpy(ie * in, 1.0, et, 1, es, 1);
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in, in, in, 1.0, T, in, T, in,
                        0.0, tmp, in);
            memcpy(T, tmp, bytes);
        }
    }
    if (!have) { /* power 0: the identity */
        memset(acc, 0, bytes);
        for (int64_t j = 0; j < n; j++)
            acc[j * n + j] = 1.0;
    }
}

/* Hr = Q^T H Q (r x r) for the basis Q (d x r, row-major), or H itself
 * when Q is NULL (r = d); work holds d r doubles. */
static void predict_project(const double *H, int64_t d, const double *Q, int64_t r, double *Hr,
                            double *work)
{
    if (!Q) {
        memcpy(Hr, H, (size_t)(d * d) * sizeof *Hr);
        return;
    }
    int id = (int)d;
    int ir = (int)r;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, id, ir, id, 1.0, H, id, Q, ir, 0.0, work,
                ir);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ir, ir, id, 1.0, Q, ir, work, ir, 0.0, Hr,
                ir);
}

int64_t predict_node_rows(const int *owner, int64_t N, int k)
{
    int64_t n_k = 0;
    for (int64_t i = 0; i < N; i++)
        n_k += owner[i] == k;
    return n_k;
}

int predict_dsaga_map(const struct dataset *ds, const double *h, double lambda, const int *owner,
                      int K, const int64_t *tau, double eta, double s, int refresh, double frac,
                      const double *Q, int64_t r_q, double *M, double *Ebar)
{
    int rc = 0;
    const int64_t d = Q ? r_q : ds->n_features; /* the state's coordinates */
    const int64_t d_full = ds->n_features;
    double *H = NULL; /* d_full x d_full, then projected */
    const int64_t N = ds->n_samples;
    const int64_t m = 3 * d; /* rows of T_k: (e_k, B_k, c_k) */
    /* rows of M: (e, B_1..B_K), or (e, Bs_1..Bs_K, Be_1..Be_K) with refresh */
    const int64_t dim = (refresh ? 2 * K + 1 : K + 1) * d;
    const int be0 = refresh ? 1 + K : 1; /* block of Be_1 (= B_1 without refresh) */
    double *T = NULL;                    /* m x m: one expected step, then its powers */
    double *P = NULL;                    /* m x m: T^tau_k */
    double *work = NULL;                 /* 2 m^2: squaring scratch, then H_k */
    double *PR = NULL;                   /* 2 d^2: P_01 R_k and P_11 R_k (refresh) */
    double *T0 = NULL;                   /* late: m x m, T kept, then T^tau2 */
    double *P1 = NULL;                   /* late: m x m, T^tau1 */
    double *Tb = NULL; /* Ebar: d x m, the e rows of the mean of T^t, then 3 d m of work */
    T = malloc((size_t)(m * m) * sizeof *T);
    P = malloc((size_t)(m * m) * sizeof *P);
    work = malloc((size_t)(2 * m * m + d_full * d) * sizeof *work);
    H = malloc((size_t)(d_full * d_full) * sizeof *H);
    PR = malloc((size_t)(2 * d * d + 1) * sizeof *PR);
    if (refresh == PREDICT_REFRESH_LATE) {
        T0 = malloc((size_t)(m * m) * sizeof *T0);
        P1 = malloc((size_t)(m * m) * sizeof *P1);
    }
    if (Ebar) {
        Tb = malloc((size_t)(4 * d * m) * sizeof *Tb);
        if (Tb)
            memset(Ebar, 0, (size_t)(K * d * dim) * sizeof *Ebar);
    }
    if (!T || !P || !work || !H || !PR || (refresh == PREDICT_REFRESH_LATE && (!T0 || !P1)) ||
        (Ebar && !Tb))
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld step maps", (long long)m, (long long)m);
    memset(M, 0, (size_t)(dim * dim) * sizeof *M);
#define M_AT(bi, bj, r, c) M[((bi)*d + (r)) * dim + (bj)*d + (c)]
#define T_AT(bi, bj, r, c) T[((bi)*d + (r)) * m + (bj)*d + (c)]
#define P_AT(bi, bj, r, c) P[((bi)*d + (r)) * m + (bj)*d + (c)]
    for (int64_t r = 0; r < d; r++) /* SPEC 3.2 step 2: (1 - s K) e */
        M_AT(0, 0, r, r) = 1.0 - s * (double)K;
    for (int k = 0; k < K; k++) {
        int64_t n_k = predict_node_rows(owner, N, k);
        if (n_k == 0)
            FAIL_GOTO(ERR_INPUT, "predict: node %d holds no row", k);
        /* H_k = (1/n_k) sum_{i in S_k} h_i x_i x_i^T, then Q^T H_k Q into
         * the first d^2 of work (its tail is the projection's scratch) */
        memset(H, 0, (size_t)(d_full * d_full) * sizeof *H);
        predict_add_hessian(ds, h, owner, k, 1.0 / (double)n_k, H);
        predict_project(H, d_full, Q, d, work, work + 2 * m * m);
        /* moved to the tail of the squaring scratch, which only uses its
         * first m^2: kept for the refresh's R_k */
        double *Hk = work + 2 * m * m - d * d;
        memmove(Hk, work, (size_t)(d * d) * sizeof *Hk);
        /* T_k: one expected local step on (e_k, B_k, c_k) (file comment) */
        memset(T, 0, (size_t)(m * m) * sizeof *T);
        double r_k = (double)N / (double)n_k;
        for (int64_t r = 0; r < d; r++) {
            for (int64_t c = 0; c < d; c++) {
                T_AT(0, 0, r, c) = -eta * Hk[r * d + c];
                T_AT(1, 0, r, c) = Hk[r * d + c] / (double)N;
            }
            T_AT(0, 0, r, r) += 1.0 - eta * lambda;
            T_AT(0, 1, r, r) = eta * (r_k - 1.0);
            T_AT(0, 2, r, r) = -eta;
            T_AT(1, 1, r, r) = 1.0 - 1.0 / (double)n_k;
            T_AT(2, 2, r, r) = 1.0;
        }
        /* refresh (file comment): q_k, the chance a row was drawn in a
         * round, and R_k = (n_k / N) H_k, the memory of all of S_k
         * re-taken at e */
        /* late: the record of visits restarts after tau1
         * steps, so only rows drawn in the last tau2 are re-taken, and the
         * others keep their memory as of step tau1: P = T^tau2 T^tau1 */
        int64_t tau1 = 0;
        double q = predict_refresh_q(refresh, tau[k], n_k, &tau1);
        int64_t tau2 = tau[k] - tau1;
        /* refresh_fraction (file comment): the round starts from
         * a Bs_k + b R_k e + c Be_k, a drawn row re-taken with chance frac
         * and else keeping the memory its draw took (in Be_k); frac = 1:
         * a = 1 - q, b = q, c = 0, exactly */
        const double fa = refresh ? frac * (1.0 - q) : 1.0;
        const double fb = refresh ? frac * q : 0.0;
        const double fc = refresh ? 1.0 - frac : 0.0;
        /* Ebar: Tb = the e rows of sum_{t < tau} T^t (late: the first tau1
         * steps' sum plus the last tau2's after T^tau1) */
        double *es1 = Tb ? Tb + d * m : NULL, *ew = Tb ? es1 + d * m : NULL;
        const int64_t er = Tb ? d : 0;
        if (tau1 > 0) {
            size_t bytes = (size_t)(m * m) * sizeof *T;
            memcpy(T0, T, bytes);
            predict_matrix_power(T, m, tau1, P1, work, er, es1, ew);
            memcpy(T, T0, bytes);
            predict_matrix_power(T, m, tau2, T0, work, er, Tb, ew);
            int im = (int)m;
            if (Tb) { /* the last tau2 steps' sum after T^tau1 */
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d, im, im, 1.0, Tb, im,
                            P1, im, 0.0, ew, im);
                for (int64_t j = 0; j < d * m; j++)
                    Tb[j] = es1[j] + ew[j];
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, im, im, im, 1.0, T0, im, P1, im,
                        0.0, P, im);
        } else {
            predict_matrix_power(T, m, tau[k], P, work, er, Tb, ew);
        }
        if (Ebar) {
            /* node k's mean local iterate over the round, from the round's
             * start (e, its starting memory, c_k) as M's rows below:
             * Tb_00 e + Tb_01 (fa Bs_k + fb R_k e + fc Be_k) + Tb_02 c_k */
            cblas_dscal((int)(d * m), 1.0 / (double)tau[k], Tb, 1);
#define EB_AT(bj, r, c) Ebar[(k * d + (r)) * dim + (bj)*d + (c)]
#define TB_AT(bj, r, c) Tb[(r)*m + (bj)*d + (c)] /* the e rows of Tb */
            for (int64_t r = 0; r < d; r++) {
                for (int64_t c = 0; c < d; c++) {
                    double tb01 = TB_AT(1, r, c);
                    EB_AT(0, r, c) = TB_AT(0, r, c);
                    EB_AT(1 + k, r, c) = fa * tb01;
                    if (fc > 0.0)
                        EB_AT(be0 + k, r, c) = fc * tb01;
                    for (int j = 0; j < K; j++)
                        if (j != k)
                            EB_AT(be0 + j, r, c) = TB_AT(2, r, c);
                }
            }
            if (fb > 0.0) {     /* + fb Tb_01 R_k on e, R_k = Hk / r_k */
                double *R = ew; /* d x d, then Tb_01 in the next d^2 */
                double *T01 = R + d * d;
                for (int64_t r = 0; r < d; r++)
                    for (int64_t c = 0; c < d; c++) {
                        R[r * d + c] = Hk[r * d + c] / r_k;
                        T01[r * d + c] = TB_AT(1, r, c);
                    }
                int id = (int)d;
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, id, id, id, fb, T01, id, R,
                            id, 1.0, &EB_AT(0, 0, 0), (int)dim);
            }
#undef EB_AT
#undef TB_AT
        }
        if (refresh) {
            /* PR[0] = P_01 R_k, PR[1] = P_11 R_k, with R_k = (n_k / N) H_k */
            double *R = T; /* T is free after the power: R_k in its head */
            for (int64_t j = 0; j < d * d; j++)
                R[j] = Hk[j] / r_k;
            double *P01 = work;
            double *P11 = work + d * d;
            for (int64_t r = 0; r < d; r++) {
                for (int64_t c = 0; c < d; c++) {
                    P01[r * d + c] = P_AT(0, 1, r, c);
                    P11[r * d + c] = P_AT(1, 1, r, c);
                }
            }
            int id = (int)d;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, id, id, id, 1.0, P01, id, R, id,
                        0.0, PR, id);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, id, id, id, 1.0, P11, id, R, id,
                        0.0, PR + d * d, id);
            /* Bs_k <- (1 - q) Bs_k + q R_k e, kept for the next refresh;
             * late: the memory at step tau1 of the round that starts from
             * it, Bm_k = P1_10 e + P1_11 Bs_k' + P1_12 c_k */
            for (int64_t r = 0; r < d; r++) {
                for (int64_t c = 0; c < d; c++)
                    M_AT(1 + k, 0, r, c) = fb * R[r * d + c];
                M_AT(1 + k, 1 + k, r, r) = fa;
                if (fc > 0.0)
                    M_AT(1 + k, be0 + k, r, r) = fc;
            }
            if (tau1 > 0) {
#define P1_AT(bi, bj, r, c) P1[((bi)*d + (r)) * m + (bj)*d + (c)]
                for (int64_t r = 0; r < d; r++)
                    for (int64_t c = 0; c < d; c++)
                        P11[r * d + c] = P1_AT(1, 1, r, c);
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, id, id, id, 1.0, P11, id, R,
                            id, 0.0, P01, id); /* P1_11 R_k, in P01's place */
                for (int64_t r = 0; r < d; r++) {
                    for (int64_t c = 0; c < d; c++) {
                        M_AT(1 + k, 0, r, c) = P1_AT(1, 0, r, c) + fb * P01[r * d + c];
                        M_AT(1 + k, 1 + k, r, c) = fa * P1_AT(1, 1, r, c);
                        for (int j = 0; j < K; j++)
                            if (j != k)
                                M_AT(1 + k, be0 + j, r, c) = P1_AT(1, 2, r, c);
                        if (fc > 0.0)
                            M_AT(1 + k, be0 + k, r, c) = fc * P1_AT(1, 1, r, c);
                    }
                }
#undef P1_AT
            }
        }
        /* e += s (e_k(tau) - e); B_k = B_k(tau); c_k = sum_{j != k} B_j.
         * With refresh the round starts from Bs_k' = fa Bs_k + fb R_k e +
         * fc Be_k (above; (1 - q) Bs_k + q R_k e at frac = 1) and c_k
         * sums the other nodes' Be_j (their memories as sent at the last
         * synchronisation, before their own refresh). */
        for (int64_t r = 0; r < d; r++) {
            for (int64_t c = 0; c < d; c++) {
                double p01r = refresh ? fb * PR[r * d + c] : 0.0;
                double p11r = refresh ? fb * PR[d * d + r * d + c] : 0.0;
                M_AT(0, 0, r, c) += s * (P_AT(0, 0, r, c) + p01r);
                M_AT(be0 + k, 0, r, c) = P_AT(1, 0, r, c) + p11r;
                /* own memory: from Bs_k (refresh) or B_k */
                M_AT(0, 1 + k, r, c) += s * fa * P_AT(0, 1, r, c);
                M_AT(be0 + k, 1 + k, r, c) = fa * P_AT(1, 1, r, c);
                if (fc > 0.0) { /* the drawn rows not re-taken, from Be_k */
                    M_AT(0, be0 + k, r, c) += s * fc * P_AT(0, 1, r, c);
                    M_AT(be0 + k, be0 + k, r, c) = fc * P_AT(1, 1, r, c);
                }
                /* the other nodes' memories as of the synchronisation */
                for (int j = 0; j < K; j++) {
                    if (j == k)
                        continue;
                    M_AT(0, be0 + j, r, c) += s * P_AT(0, 2, r, c);
                    M_AT(be0 + k, be0 + j, r, c) = P_AT(1, 2, r, c);
                }
            }
        }
    }
#undef M_AT
#undef T_AT
#undef P_AT
done:
    free(Tb);
    free(P1);
    free(T0);
    free(PR);
    free(H);
    free(work);
    free(P);
    free(T);
    return rc;
}

int predict_gd_map(const struct dataset *ds, const double *h, double lambda, double eta,
                   const double *Q, int64_t r_q, double *M)
{
    int rc = 0;
    int64_t d_full = ds->n_features;
    int64_t d = Q ? r_q : d_full;
    int64_t N = ds->n_samples;
    double *H = calloc((size_t)(d_full * d_full), sizeof *H);
    double *work = malloc((size_t)(d_full * d + 1) * sizeof *work);
    if (!H || !work)
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld Hessian", (long long)d_full, (long long)d_full);
    /* M = I - eta (H + lambda I), H = (1/N) sum_i h_i x_i x_i^T (SPEC 3.5) */
    predict_add_hessian(ds, h, NULL, 0, -eta / (double)N, H);
    predict_project(H, d_full, Q, d, M, work);
    for (int64_t r = 0; r < d; r++)
        M[r * d + r] += 1.0 - eta * lambda;
done:
    free(work);
    free(H);
    return rc;
}

int predict_local_svrg_map(const struct dataset *ds, const double *h, double lambda,
                           const int *owner, int K, const int64_t *tau, double eta, const double *Q,
                           int64_t r_q, double *M)
{
    int rc = 0;
    const int64_t d_full = ds->n_features;
    const int64_t d = Q ? r_q : d_full; /* the state's coordinates */
    const int64_t N = ds->n_samples;
    const int64_t n2 = 2 * d;
    double *H = calloc((size_t)(d_full * d_full), sizeof *H); /* per node, then full */
    double *Hr = malloc((size_t)(d * d) * sizeof *Hr);        /* Q^T H Q */
    double *Hk = malloc((size_t)(d * d) * sizeof *Hk);        /* Q^T H_k Q */
    double *T = malloc((size_t)(n2 * n2) * sizeof *T);        /* [[A_k, I], [0, I]] */
    double *P = malloc((size_t)(n2 * n2) * sizeof *P);        /* T^tau_k */
    /* the squarings' n2^2, or the projection's d_full d: one at a time */
    double *work = malloc((size_t)(n2 * n2 + d_full * d) * sizeof *work);
    if (!H || !Hr || !Hk || !T || !P || !work)
        FAIL_GOTO(ERR_NOMEM, "predict: local-svrg's %lld x %lld maps", (long long)n2,
                  (long long)n2);
    predict_add_hessian(ds, h, NULL, 0, 1.0 / (double)N, H);
    predict_project(H, d_full, Q, d, Hr, work);
    memset(M, 0, (size_t)(d * d) * sizeof *M);
    for (int k = 0; k < K; k++) {
        int64_t n_k = predict_node_rows(owner, N, k);
        if (n_k < 1)
            FAIL_GOTO(ERR_INPUT, "predict: node %d holds no row", k);
        memset(H, 0, (size_t)(d_full * d_full) * sizeof *H);
        predict_add_hessian(ds, h, owner, k, 1.0 / (double)n_k, H);
        predict_project(H, d_full, Q, d, Hk, work);
        /* T = [[A_k, I], [0, I]], A_k = I - eta (H_k + lambda I): its
         * power tau holds A_k^tau and sum_{t < tau} A_k^t side by side */
        memset(T, 0, (size_t)(n2 * n2) * sizeof *T);
        for (int64_t a = 0; a < d; a++) {
            for (int64_t b = 0; b < d; b++)
                T[a * n2 + b] = -eta * Hk[a * d + b];
            T[a * n2 + a] += 1.0 - eta * lambda;
            T[a * n2 + d + a] = 1.0;
            T[(d + a) * n2 + d + a] = 1.0;
        }
        predict_matrix_power(T, n2, tau[k], P, work, 0, NULL, NULL);
        /* M += (1/K) (A_k^tau - eta S_k (H - H_k)), S_k = sum_{t < tau} A_k^t */
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = 0; b < d; b++)
                Hk[a * d + b] = Hr[a * d + b] - Hk[a * d + b];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d, (int)d, (int)d,
                    -eta / (double)K, P + d, (int)n2, Hk, (int)d, 1.0, M, (int)d);
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = 0; b < d; b++)
                M[a * d + b] += P[a * n2 + b] / (double)K;
    }
done:
    free(work);
    free(P);
    free(T);
    free(Hk);
    free(Hr);
    free(H);
    return rc;
}

/* The eigenvalues (ascending, into ev) and eigenvectors of the symmetric
 * n x n matrix a (row-major; row j of a becomes eigenvector j: row-major
 * symmetric is column-major symmetric, dsyev's vectors are its columns).
 * ERR_NOMEM, ERR_NUMERIC. */
static int predict_eigh(int64_t n, double *a, double *ev)
{
    int rc = 0;
    int in = (int)n, info = 0, lwork = -1;
    double query = 0.0;
    double *work = NULL;
    dsyev_("V", "U", &in, a, &in, ev, &query, &lwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyev workspace query: info %d", info);
    lwork = (int)query;
    work = malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
    if (!work)
        FAIL_GOTO(ERR_NOMEM, "dsyev workspace of %d doubles", lwork);
    dsyev_("V", "U", &in, a, &in, ev, work, &lwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dsyev: info %d", info);
done:
    free(work);
    return rc;
}

/* An orthonormal basis of range(X^T) (the span of the rows) into *Q (d x r
 * row-major, caller frees) and *r: the eigenvectors of X^T X whose
 * eigenvalue exceeds 1e-10 of the largest (dsyev).  Iterates from w = 0
 * never leave w* + range(X^T) (every update is a combination of rows and
 * of w, and w* = -(1/(lambda N)) sum_i alpha_i* x_i), so the map is
 * restricted to it: directions no row touches (a9a's absent feature, the
 * sums of its one-hot groups) decay at eta lambda but are never excited. */
static int predict_row_space(const struct dataset *ds, double **Q, int64_t *r)
{
    int rc = 0;
    int64_t d = ds->n_features;
    double *G = calloc((size_t)(d * d), sizeof *G);
    double *ev = malloc((size_t)d * sizeof *ev);
    double *out = NULL;
    double *ones = malloc((size_t)(ds->n_samples > 0 ? ds->n_samples : 1) * sizeof *ones);
    *Q = NULL;
    *r = 0;
    if (!G || !ev || !ones)
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld Gram matrix", (long long)d, (long long)d);
    for (int64_t i = 0; i < ds->n_samples; i++)
        ones[i] = 1.0;
    predict_add_hessian(ds, ones, NULL, 0, 1.0, G);
    TRY_GOTO(predict_eigh(d, G, ev)); /* eigenvector j: row j of G */
    double top = d > 0 ? ev[d - 1] : 0.0;
    int64_t first = 0; /* ascending: keep ev[first..d) */
    while (first < d && !(ev[first] > 1e-10 * top))
        first++;
    int64_t rank = d - first;
    if (rank < 1)
        FAIL_GOTO(ERR_INPUT, "predict: the data have no non-zero row");
    out = malloc((size_t)(d * rank) * sizeof *out);
    if (!out)
        FAIL_GOTO(ERR_NOMEM, "predict: basis of %lld x %lld", (long long)d, (long long)rank);
    for (int64_t j = 0; j < rank; j++)  /* eigenvector first + j ... */
        for (int64_t c = 0; c < d; c++) /* ... is row (first + j) of G */
            out[c * rank + j] = G[(first + j) * d + c];
    *Q = out;
    *r = rank;
    out = NULL;
done:
    free(out);
    free(ones);
    free(ev);
    free(G);
    return rc;
}

int predict_spectral_radius(const double *M, int64_t n, double *rho)
{
    int rc = 0;
    double *a = NULL;
    double *wr = NULL;
    double *work = NULL;
    int in = (int)n;
    int one = 1;
    int info = 0;
    int lwork = -1;
    double query = 0.0;
    if (n < 1 || n > PREDICT_MAX_DIM)
        FAIL(ERR_INTERNAL, "spectral radius of a %lld x %lld matrix", (long long)n, (long long)n);
    a = malloc((size_t)(n * n) * sizeof *a);
    wr = malloc((size_t)(2 * n) * sizeof *wr);
    if (!a || !wr)
        FAIL_GOTO(ERR_NOMEM, "dgeev on %lld x %lld", (long long)n, (long long)n);
    /* the eigenvalues of M^T are M's: the row-major array is passed as is */
    memcpy(a, M, (size_t)(n * n) * sizeof *a);
    dgeev_("N", "N", &in, a, &in, wr, wr + n, NULL, &one, NULL, &one, &query, &lwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dgeev workspace query: info %d", info);
    lwork = (int)query;
    work = malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof *work);
    if (!work)
        FAIL_GOTO(ERR_NOMEM, "dgeev workspace of %d doubles", lwork);
    dgeev_("N", "N", &in, a, &in, wr, wr + n, NULL, &one, NULL, &one, work, &lwork, &info);
    if (info != 0)
        FAIL_GOTO(ERR_NUMERIC, "dgeev: info %d (QR iteration did not converge)", info);
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double mod = hypot(wr[j], wr[n + j]);
        if (mod > best)
            best = mod;
    }
    *rho = best;
done:
    free(work);
    free(wr);
    free(a);
    return rc;
}

int predict_ckpt_due(struct predict_ckpt *c, double epoch)
{
    if (epoch < c->next)
        return 0;
    while (c->next <= epoch)
        c->next += c->eval_every;
    return 1;
}

int predict_ckpt_add(struct predict_ckpt *c, double epoch, double sub, double mean, double grad2,
                     int *stop)
{
    if (c->t->n == 0)
        c->sub0 = sub;
    *stop = 1;
    if (!isfinite(sub) || !(c->sub0 > 0)) {
        c->bad = 1; /* the rate stays NaN */
        return 0;
    }
    struct checkpoint cp = {.epoch = epoch, .subopt = sub, .grad_norm = sqrt(grad2)};
    TRY(trace_append(c->t, &cp));
    struct series_out part = {1, {{"mean_part", 1, &mean}}};
    TRY(trace_append_series(c->t, &part));
    *stop = sub <= c->stop_rel * c->sub0 || epoch >= c->max_epochs;
    return 0;
}

double predict_ckpt_rate(const struct predict_ckpt *c)
{
    const struct trace *t = c->t;
    if (c->bad)
        return NAN;
    double rate = trace_fit_tail_rate(t);
    /* stopped before 5 checkpoints: faster than the checkpoints resolve */
    if (isnan(rate) && t->n > 0 && t->n < 5 && t->subopt[t->n - 1] <= c->stop_rel * c->sub0)
        rate = -INFINITY;
    return rate;
}

int predict_track_init(struct predict_track *tr, int np, double eval_every, double max_epochs,
                       double stop_rel, struct trace *out)
{
    int rc = 0;
    memset(tr, 0, sizeof *tr);
    tr->ck = calloc((size_t)np, sizeof *tr->ck);
    tr->t = calloc((size_t)np, sizeof *tr->t);
    tr->stopped = calloc((size_t)np, sizeof *tr->stopped);
    if (!tr->ck || !tr->t || !tr->stopped)
        FAIL_GOTO(ERR_NOMEM, "predict: %d simulated runs", np);
    tr->np = tr->left = np;
    tr->out = out;
    for (int p = 0; p < np; p++)
        tr->ck[p] = (struct predict_ckpt){&tr->t[p], eval_every, max_epochs, stop_rel, 0.0, 0.0, 0};
done:
    if (rc)
        predict_track_clear(tr);
    return rc;
}

int predict_track_due(struct predict_track *tr, double epoch)
{
    return predict_ckpt_due(&tr->ck[0], epoch); /* one schedule: path 0's */
}

int predict_track_add(struct predict_track *tr, double epoch, double mean, double mean_g2,
                      const double *sv, const double *gv, int *all_stopped)
{
    for (int p = 0; p < tr->np; p++) {
        if (tr->stopped[p])
            continue;
        int stop = 0;
        TRY(predict_ckpt_add(&tr->ck[p], epoch, mean + (sv ? sv[p] : 0.0), mean,
                             mean_g2 + (gv ? gv[p] : 0.0), &stop));
        if (stop) {
            tr->stopped[p] = 1;
            tr->left--;
        }
    }
    *all_stopped = tr->left == 0;
    return 0;
}

static int predict_cmp_rate(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

int predict_track_rate(struct predict_track *tr, double *rate_out)
{
    double *rates = malloc((size_t)tr->np * 2 * sizeof *rates);
    if (!rates)
        FAIL(ERR_NOMEM, "predict: the rates of %d simulated runs", tr->np);
    for (int p = 0; p < tr->np; p++) {
        rates[2 * p] = predict_ckpt_rate(&tr->ck[p]);
        rates[2 * p + 1] = p;
    }
    qsort(rates, (size_t)tr->np, 2 * sizeof *rates, predict_cmp_rate);
    double rate = rates[2 * (tr->np / 2)];
    int mid = (int)rates[2 * (tr->np / 2) + 1];
    free(rates);
    if (tr->out) {
        trace_clear(tr->out);
        *tr->out = tr->t[mid];
        memset(&tr->t[mid], 0, sizeof tr->t[mid]);
    }
    *rate_out = rate;
    return 0;
}

void predict_track_clear(struct predict_track *tr)
{
    for (int p = 0; tr->t && p < tr->np; p++)
        trace_clear(&tr->t[p]);
    free(tr->t);
    free(tr->ck);
    free(tr->stopped);
    memset(tr, 0, sizeof *tr);
}

int predict_noise_init(struct predict_noise *nz, const struct predict_var *var, int64_t r)
{
    int rc = 0;
    const int K = var->K;
    memset(nz, 0, sizeof *nz);
    nz->var = var;
    nz->r = r;
    /* the ages a run may hold (predict_age_count); predict_run_with
     * refuses the periods that need more than PREDICT_MAX_AGES */
    nz->ages = 1;
    for (int k = 0; k < K; k++) {
        double a = predict_age_count(var->q[k], var->n[k]);
        if (!(a <= PREDICT_MAX_AGES))
            FAIL(ERR_INTERNAL, "predict: node %d's memories reach %.3g rounds (at most %d)", k, a,
                 PREDICT_MAX_AGES);
        if (a > (double)nz->ages)
            nz->ages = (int64_t)a;
    }
    nz->np = var->paths > 0 ? var->paths : 1;
    const size_t np = (size_t)nz->np;
    /* per path, round and node: e^T G_k e, e_a's own variance in G_k's
     * norm and the local noise of the memories taken in the round */
    nz->ring = calloc(np * (size_t)(nz->ages * 3 * K) + 1, sizeof *nz->ring);
    /* per eigendirection j: the variance part P_j (per path), its decay
     * over a round f2_j = b_j^(2 tau) and the round's noise gain (1 -
     * f2_j) / (1 - b_j^2) */
    nz->P = calloc((np + 3) * (size_t)r + (size_t)(3 * K) + 2 * np + 1, sizeof *nz->P);
    /* per age a: the chance that a run holds a row at least a rounds old
     * on any node (predict_run_held) */
    nz->held = calloc((size_t)nz->ages + 1, sizeof *nz->held);
    if (var->paths > 0) {
        nz->cnt = calloc(np * (size_t)K * (size_t)(nz->ages + 1), sizeof *nz->cnt);
        nz->rng = malloc(np * sizeof *nz->rng);
    } else {
        /* first, never_v, never_rate (K each); never_P, never_kicks,
         * held_P (r each) */
        nz->first = calloc(3 * (size_t)K + 3 * (size_t)r, sizeof *nz->first);
    }
    if (!nz->ring || !nz->P || !nz->held || (var->paths > 0 && (!nz->cnt || !nz->rng)) ||
        (var->paths == 0 && !nz->first))
        FAIL_GOTO(ERR_NOMEM, "predict: the variance part of %lld directions", (long long)r);
    nz->f2 = nz->P + np * (size_t)r;
    nz->fac = nz->f2 + r;
    nz->favg = nz->fac + r;        /* fac averaged over draws in the first tau_draw steps */
    nz->inv_tr = nz->favg + r;     /* K: 1 / tr G_k (0 for G_k = 0) */
    nz->loc_gain = nz->inv_tr + K; /* K: a memory's local noise per unit of V_k (file comment) */
    nz->steps = nz->loc_gain + K;  /* K: tau_k, from q_k = 1 - (1 - 1/n_k)^tau_k */
    nz->sv = nz->steps + K;        /* np */
    nz->gv = nz->sv + np;          /* np */
    for (int k = 0; k < K; k++) {
        double q = var->q[k], n = var->n[k];
        nz->steps[k] = q >= 1.0 || n <= 1.0 ? var->tau : log1p(-q) / log1p(-1.0 / n);
    }
    for (int64_t a = 1; a <= nz->ages; a++)
        nz->held[a] = predict_run_held(var, (double)(a - 1));
    if (nz->first) {
        nz->never_v = nz->first + K;
        nz->never_rate = nz->never_v + K;
        nz->never_P = nz->never_rate + K;
        nz->never_kicks = nz->never_P + r;
        nz->held_P = nz->never_kicks + r;
        for (int k = 0; k < K; k++)
            nz->first[k] = predict_first_share(var->tau, var->n[k]);
    }
    /* each simulated run starts with every row never drawn */
    for (int p = 0; nz->cnt && p < nz->np; p++) {
        rng_seed(&nz->rng[p], (uint64_t)p + 1, RNG_STREAM_PREDICT);
        for (int k = 0; k < K; k++)
            nz->cnt[((size_t)p * (size_t)K + (size_t)k) * (size_t)(nz->ages + 1) +
                    (size_t)nz->ages] = (int64_t)llround(var->n[k]);
    }
    for (int64_t j = 0; j < r; j++) {
        double ea = var->eta * var->a[j];
        double b = 1.0 - ea;        /* one step's contraction */
        double x = ea * (2.0 - ea); /* 1 - b^2, without its cancellation */
        nz->f2[j] = exp(2.0 * var->tau * log(fabs(b)));
        nz->fac[j] = x > 0 ? -expm1(var->tau * log1p(-x)) / x : var->tau;
        /* favg: (1/T) sum_{t<T} (1 - b^(2t)) / (1 - b^2); its closed form
         * cancels when T x is small, where three terms of its series are
         * exact to 1e-8 */
        double T = var->tau_draw > 1.0 ? var->tau_draw : 1.0;
        if (!(x > 0))
            nz->favg[j] = 0.5 * (T - 1.0);
        else if (T * x > 1e-2)
            nz->favg[j] = (T + expm1(T * log1p(-x)) / x) / (T * x);
        else
            nz->favg[j] = (T - 1.0) / 2.0 - x * (T - 1.0) * (T - 2.0) / 6.0 +
                          x * x * (T - 1.0) * (T - 2.0) * (T - 3.0) / 24.0;
    }
    for (int k = 0; k < K; k++) {
        const double *gd = var->gd + (size_t)k * (size_t)r;
        double tr = 0.0;
        for (int64_t j = 0; j < r; j++)
            tr += gd[j];
        nz->inv_tr[k] = tr > 0 ? 1.0 / tr : 0.0;
        double lsig = 0.0; /* sum_j g_kj^2 favg_j */
        for (int64_t j = 0; j < r; j++)
            lsig += gd[j] * gd[j] * nz->favg[j];
        nz->loc_gain[k] =
            (1.0 - var->s) * (1.0 - var->s) * var->eta * var->eta * nz->inv_tr[k] * lsig;
    }
done:
    if (rc)
        predict_noise_clear(nz);
    return rc;
}

void predict_noise_clear(struct predict_noise *nz)
{
    free(nz->ring);
    free(nz->P);
    free(nz->held);
    free(nz->first);
    free(nz->cnt);
    free(nz->rng);
    memset(nz, 0, sizeof *nz);
}

/* The noise power of one draw of a node-k memory of age a (1 <= a <
 * round, taken at m_a: u_i = h_i x_i^T (u_k - m_a), plus e_a's own
 * variance; taken at the node's iterate, a share phi, it also holds the
 * node's local noise of the round it was taken in, file comment), and of
 * one draw of a row never drawn (u_i = h_i x_i^T u_k + alpha_i*). */
static double predict_age_power(const struct predict_noise *nz, const double *ring, int k,
                                int64_t round, int64_t a, const double *eGe, const double *cross)
{
    const struct predict_var *var = nz->var;
    const int K = var->K;
    const double *old = ring + (size_t)((round - a) % nz->ages) * (size_t)(3 * K);
    double loc = var->phi ? var->phi[k] * old[2 * K + k] : 0.0;
    return eGe[k] - 2.0 * cross[k * nz->ages + a - 1] + old[k] + old[K + k] + loc;
}

static double predict_never_power(const struct predict_var *var, int k, const double *eGe,
                                  const double *ce)
{
    return eGe[k] + 2.0 * ce[k] + var->v0[k];
}

/* The noise power of node k's draws in a round of path p (the expected run
 * when nz->cnt is NULL; file comment, "Simulated runs"), per draw.  Both
 * count a row's first draw in the round only (its later draws read the
 * memory the first took, ~0): the expected run weighs each age by the
 * share of first draws f_k = n_k q / tau (0.63 at tau = n_k) and hands its
 * never-drawn rows' noise to nz->never_v (file comment, "Rows never
 * drawn"); a simulated run draws its rows and divides by the round's
 * draws. */
static double predict_noise_power(struct predict_noise *nz, int p, int k, int64_t round,
                                  const double *eGe, const double *ce, const double *cross)
{
    const struct predict_var *var = nz->var;
    const int K = var->K;
    const int64_t amax = nz->ages;
    const double *ring = nz->ring + (size_t)p * (size_t)(amax * 3 * K);
    double q = var->q[k];
    double v = 0.0;
    if (!nz->cnt) {
        double w = q;
        for (int64_t a = 1; a <= amax && a < round; a++, w *= 1.0 - q) {
            if (var->n[k] * w / q < PREDICT_AGE_MIN_ROWS) /* node k's rows this old */
                break;
            /* weighted by the chance that the run holds a row this old */
            v += nz->held[a] * w * predict_age_power(nz, ring, k, round, a, eGe, cross);
        }
        /* a row's later draws in the round read the memory its first took
         * (their noise, the node's steps since, is left out); the
         * never-drawn rows' first draws go to their own part */
        double f = nz->first[k], never = predict_undrawn(q, (double)(round - 1));
        nz->never_rate[k] = f * never;
        nz->never_v[k] = f * never * predict_never_power(var, k, eGe, ce);
        return f * v;
    }
    /* this run's rows: drawn in the round with chance q each, a row's
     * first draw reads its memory and takes a new one (its later draws
     * in the round read that, ~0); the drawn rows are the round's takes */
    struct rng *rg = &nz->rng[p];
    int64_t *cnt = nz->cnt + ((size_t)p * (size_t)K + (size_t)k) * (size_t)(amax + 1);
    int64_t taken = 0;
    for (int64_t a = 1; a <= amax && a < round; a++) {
        int64_t *c = &cnt[(round - a) % amax];
        int64_t drawn = rng_binomial(rg, *c, q);
        if (drawn == 0)
            continue;
        v += (double)drawn * predict_age_power(nz, ring, k, round, a, eGe, cross);
        *c -= drawn;
        taken += drawn;
    }
    int64_t drawn = rng_binomial(rg, cnt[amax], q);
    v += (double)drawn * predict_never_power(var, k, eGe, ce);
    cnt[amax] -= drawn;
    taken += drawn;
    /* the slot this round's takes go to held the oldest age: those left
     * join the next oldest (with one age, they stay beside the takes) */
    int64_t *slot = &cnt[round % amax];
    if (amax > 1)
        cnt[(round + 1) % amax] += *slot;
    else
        taken += *slot;
    *slot = taken;
    return v / nz->steps[k];
}

double predict_noise_round(struct predict_noise *nz, int64_t round, const double *eGe,
                           const double *ce, const double *cross, const double *taken)
{
    const struct predict_var *var = nz->var;
    const int K = var->K;
    const int64_t r = nz->r, amax = nz->ages;
    /* the variance part at this sync: the noise of the memories node k
     * held during the round, read at its mean local iterate u_k (the
     * caller's forms), memories taken a >= 1 rounds ago at m_a (u_k or
     * e_a: u_i = h_i x_i^T (u_k - m_a), plus e_a's own variance) and the
     * never taken (u_i = h_i x_i^T u_k + alpha_i*) */
    for (int p = 0; p < nz->np; p++) {
        double *P = nz->P + (size_t)p * (size_t)r;
        double *ring = nz->ring + (size_t)p * (size_t)(amax * 3 * K);
        double *slot = ring + (size_t)(round % amax) * (size_t)(3 * K);
        for (int64_t j = 0; j < r && round > 0; j++)
            P[j] *= nz->f2[j]; /* the round's decay, then each node's noise */
        double *never_P = nz->never_P, *kicks = nz->never_kicks; /* NULL: simulated runs */
        for (int64_t j = 0; never_P && j < r && round > 0; j++) {
            never_P[j] *= nz->f2[j];
            kicks[j] *= nz->f2[j];
        }
        for (int k = 0; k < K && round > 0; k++) {
            const double *gd = var->gd + (size_t)k * (size_t)r;
            double v = predict_noise_power(nz, p, k, round, eGe, ce, cross);
            slot[k] = taken ? taken[k] : eGe[k];
            /* the noise of node k's steps, v spread over the directions as
             * G_k's diagonal, accumulated over the round, weighted s^2 at
             * the synchronisation */
            double scale = var->s * var->s * var->eta * var->eta * v * nz->inv_tr[k];
            if (!never_P) {
                for (int64_t j = 0; j < r; j++)
                    P[j] += scale * gd[j] * nz->fac[j];
            } else {
                /* with the never-drawn rows' first draws, and how many of
                 * them each direction still holds (fac: its memory of the
                 * round's steps) */
                double sn = var->s * var->s * var->eta * var->eta * nz->never_v[k] * nz->inv_tr[k];
                for (int64_t j = 0; j < r; j++) {
                    P[j] += scale * gd[j] * nz->fac[j];
                    never_P[j] += sn * gd[j] * nz->fac[j];
                    kicks[j] += nz->never_rate[k] * nz->fac[j];
                }
            }
            /* the node's own noise at a draw in the round, in G_k's norm
             * (the never-drawn rows' rare first draws left out) */
            slot[2 * K + k] = nz->loc_gain[k] * v;
        }
        /* what a run holds: the never-drawn part as far as a run holds one
         * of their draws within the direction's memory */
        const double *Ph = P;
        if (never_P) {
            for (int64_t j = 0; j < r; j++)
                nz->held_P[j] = P[j] - expm1(-kicks[j]) * never_P[j];
            Ph = nz->held_P;
        }
        double sv = 0.0, gv = 0.0;
        for (int64_t j = 0; j < r; j++) {
            sv += 0.5 * var->a[j] * Ph[j];
            gv += var->a[j] * var->a[j] * Ph[j];
        }
        for (int k = 0; k < K; k++) {
            const double *gd = var->gd + (size_t)k * (size_t)r;
            double sig = 0.0;
            for (int64_t j = 0; j < r; j++)
                sig += gd[j] * Ph[j];
            slot[K + k] = sig;
            if (round == 0)
                slot[k] = slot[2 * K + k] = 0.0; /* unused: ages start at 1 */
        }
        nz->sv[p] = sv;
        nz->gv[p] = gv;
    }
    return nz->sv[0];
}

int predict_tail_rate(const double *M, int64_t dim, const double *z0, const double *Hf, int64_t r,
                      const struct predict_var *var, double rounds_per_epoch, double eval_every,
                      double max_epochs, double stop_rel, double *rate, struct trace *out)
{
    int rc = 0;
    struct predict_track tr = {0};
    struct predict_noise nz = {0};
    const int K = var ? var->K : 0;
    double *z = malloc((size_t)dim * sizeof *z);
    double *y = malloc((size_t)dim * sizeof *y);
    double *he = malloc((size_t)r * sizeof *he);
    double *forms = NULL; /* K: u^T G_k u, K: c_k^T u, K x ages: u^T G_k m_a, K: taken */
    double *mring = NULL; /* m_k, what node k's memories of a round hold in the mean:
                           * ages x K x r, round % ages, then this round's (K x r) */
    double *mcur = NULL;
    double *ucur = NULL; /* var->ebar: node k's mean local iterate u_k (r) */
    *rate = NAN;
    if (!z || !y || !he)
        FAIL_GOTO(ERR_NOMEM, "predict: a state of %lld", (long long)dim);
    if (!(rounds_per_epoch > 0) || !(eval_every > 0) || !(max_epochs > 0))
        FAIL_GOTO(ERR_INTERNAL, "predict_tail_rate: rounds/epoch %g, eval_every %g, epochs %g",
                  rounds_per_epoch, eval_every, max_epochs);
    if (var) {
        TRY_GOTO(predict_noise_init(&nz, var, r));
        forms = malloc((size_t)((3 + nz.ages) * K + 1) * sizeof *forms);
        mring = malloc((size_t)((nz.ages + 1) * K * r + r + 1) * sizeof *mring);
        mcur = mring ? mring + nz.ages * K * r : NULL;
        ucur = mring ? mcur + K * r : NULL;
        if (!forms || !mring)
            FAIL_GOTO(ERR_NOMEM, "predict: the last %lld rounds' errors", (long long)nz.ages);
    }
    memcpy(z, z0, (size_t)dim * sizeof *z);
    int id = (int)dim;
    int ir = (int)r;
    TRY_GOTO(predict_track_init(&tr, var ? nz.np : 1, eval_every, max_epochs, stop_rel, out));
    const int64_t max_rounds = (int64_t)ceil(max_epochs * rounds_per_epoch) + 1;
    for (int64_t round = 0; round <= max_rounds; round++) {
        if (round > 0) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, id, id, 1.0, M, id, z, 1, 0.0, y, 1);
            double *swap = z;
            z = y;
            y = swap;
        }
        if (var) {
            const int64_t ages = nz.ages;
            double *eGe = forms, *ce = eGe + K, *cross = ce + K, *taken = cross + ages * K;
            for (int k = 0; k < K && round > 0; k++) {
                /* the draws read at node k's mean local iterate u_k over the
                 * round that just ended, from its start y (without ebar, at
                 * e); a memory holds its round's u_k (the share phi_k taken
                 * at the local iterate) or its synchronisation's e (file
                 * comment, "Where a draw reads its memory") */
                const double *G = var->G + (size_t)k * (size_t)(r * r);
                double *m = mcur + (size_t)k * (size_t)r; /* into the ring after the round */
                cblas_dsymv(CblasRowMajor, CblasUpper, ir, 1.0, G, ir, z, 1, 0.0, he, 1);
                double zGz = cblas_ddot(ir, z, 1, he, 1);
                const double *u = z;
                memcpy(m, z, (size_t)r * sizeof *m);
                taken[k] = eGe[k] = zGz;
                if (var->ebar) {
                    u = ucur;
                    cblas_dgemv(CblasRowMajor, CblasNoTrans, ir, id, 1.0,
                                var->ebar + (size_t)k * (size_t)r * (size_t)dim, id, y, 1, 0.0,
                                ucur, 1);
                    const double phi = var->phi ? var->phi[k] : 0.0;
                    cblas_dsymv(CblasRowMajor, CblasUpper, ir, 1.0, G, ir, u, 1, 0.0, he, 1);
                    eGe[k] = cblas_ddot(ir, u, 1, he, 1);
                    taken[k] = phi * eGe[k] + (1.0 - phi) * zGz;
                    cblas_dscal(ir, 1.0 - phi, m, 1);
                    cblas_daxpy(ir, phi, u, 1, m, 1);
                }
                ce[k] = cblas_ddot(ir, u, 1, var->c + k * r, 1);
                for (int64_t a = 1; a <= ages && a < round; a++) {
                    size_t slot = (size_t)((round - a) % ages) * (size_t)K + (size_t)k;
                    cross[k * ages + a - 1] = cblas_ddot(ir, he, 1, mring + slot * (size_t)r, 1);
                }
            }
            /* the variance part, into nz.sv */
            predict_noise_round(&nz, round, eGe, ce, cross, var->ebar ? taken : NULL);
            if (round > 0)
                memcpy(mring + (size_t)(round % ages) * (size_t)(K * r), mcur,
                       (size_t)(K * r) * sizeof *mcur);
        }
        double epoch = (double)round / rounds_per_epoch;
        if (!predict_track_due(&tr, epoch))
            continue;
        /* subopt ~ (1/2) e^T (H + lambda I) e of the mean error e, plus the
         * variance part (0 at round 0) */
        cblas_dsymv(CblasRowMajor, CblasUpper, ir, 1.0, Hf, ir, z, 1, 0.0, he, 1);
        double mean = 0.5 * cblas_ddot(ir, z, 1, he, 1);
        /* |grad f|^2 = |(H + lambda I) e|^2: Q is orthonormal and e lies in its span */
        double mean_g2 = cblas_ddot(ir, he, 1, he, 1);
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
    free(mring);
    free(forms);
    free(he);
    free(y);
    free(z);
    return rc;
}

/* The run's starting state in the basis Q: e = -w* (w = 0), every stored
 * gradient 0 (saga_core's alpha starts at 0), so B_k = -(1/N) sum_{i in
 * S_k} alpha_i* x_i; with refresh both copies of it (Bs_k, Be_k).  z0 has
 * `blocks` blocks of r; for gd (blocks = 1) only e. */
static void predict_start(const struct dataset *ds, const double *w, const double *al,
                          const int *owner, int K, int blocks, const double *Q, int64_t r,
                          double *z0, double *bk)
{
    const int64_t d = ds->n_features;
    const int64_t N = ds->n_samples;
    memset(z0, 0, (size_t)(blocks * r) * sizeof *z0);
    for (int64_t j = 0; j < r; j++)
        for (int64_t c = 0; c < d; c++)
            z0[j] -= Q[c * r + j] * w[c];
    if (blocks == 1)
        return;
    for (int k = 0; k < K; k++) {
        memset(bk, 0, (size_t)d * sizeof *bk);
        for (int64_t i = 0; i < N; i++) {
            if (owner[i] != k)
                continue;
            double a = -al[i] / (double)N; /* (0 - alpha_i*) / N */
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                bk[ds->col_idx[p]] += a * ds->values[p];
        }
        for (int b = 1 + k; b < blocks; b += K) /* B_k, or Bs_k and Be_k */
            for (int64_t j = 0; j < r; j++)
                for (int64_t c = 0; c < d; c++)
                    z0[b * r + j] += Q[c * r + j] * bk[c];
    }
}

static double predict_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define PREDICT_REFUSE(out, ...)                                                                   \
    do {                                                                                           \
        snprintf((out)->why, sizeof(out)->why, __VA_ARGS__);                                       \
        rc = ERR_INPUT;                                                                            \
        goto done;                                                                                 \
    } while (0)

/* The variance part's per-node scalars (struct predict_var): v0_k (the
 * never-drawn memory's noise), q_k, n_k and phi_k into v0, q, n, phi (K
 * each); *tau_mean the mean steps per round, *draw_mean the steps local
 * memories are drawn over (file comment, "Memories taken during a
 * round"). */
static void predict_var_nodes(const struct dataset *ds, const double *alpha, const int *owner,
                              int K, const int64_t *tau, int refresh, double frac, double *v0,
                              double *q, double *n, double *phi, double *tau_mean,
                              double *draw_mean)
{
    const int64_t N = ds->n_samples;
    memset(v0, 0, (size_t)K * sizeof *v0);
    memset(n, 0, (size_t)K * sizeof *n);
    for (int64_t i = 0; i < N; i++) {
        double n2 = csr_row_norm2(ds, i), a = alpha[i]; /* |x_i|^2, alpha_i* */
        v0[owner[i]] += n2 * a * a;
        n[owner[i]] += 1.0;
    }
    *tau_mean = *draw_mean = 0.0;
    for (int k = 0; k < K; k++) {
        int64_t n_k = (int64_t)n[k];
        v0[k] /= n[k];
        q[k] = predict_draw_chance((double)tau[k], (double)n_k);
        /* the draws that keep a memory at the local iterate: every one
         * (none), the first half's not drawn again later (late), none
         * (visited: re-taken at the synchronised w); with refresh_fraction
         * < 1 also the share 1 - frac of those the refresh would re-take */
        int64_t t1 = 0;
        double q2 = predict_refresh_q(refresh, tau[k], n_k, &t1);
        double q1 = predict_draw_chance((double)t1, (double)n_k);
        double early = q1 * (1.0 - q2);  /* late: drawn before t1 only */
        double kept = (1.0 - frac) * q2; /* drawn after t1, not re-taken */
        /* its local memories come from the first t1 steps (late), else
         * all; the ones not re-taken from steps t1..tau, which a window of
         * t1 + tau steps matches in the mean draw step (a first-order
         * stand-in: favg is not linear in the window) */
        double window = (double)(t1 > 0 ? t1 : tau[k]);
        if (kept > 0.0) /* q2 = 0 without refresh */
            window = (early * (double)t1 + kept * (double)(t1 + tau[k])) / (early + kept);
        *draw_mean += window / (double)K;
        *tau_mean += (double)tau[k] / (double)K;
        phi[k] = refresh == PREDICT_REFRESH_NONE ? 1.0 : q[k] > 0 ? (early + kept) / q[k] : 0.0;
    }
}

int predict_run(const struct run_cfg *cfg, struct predict_result *out)
{
    return predict_run_with(cfg, 0, out);
}

int predict_run_with(const struct run_cfg *cfg, unsigned flags, struct predict_result *out)
{
    return predict_run_curve(cfg, flags, out, NULL);
}

int predict_run_curve(const struct run_cfg *cfg, unsigned flags, struct predict_result *out,
                      struct trace *curve)
{
    int rc = 0;
    struct dataset *ds = NULL;
    double *w = NULL;    /* d: w* */
    double *h = NULL;    /* N: loss'' at w*, then N: loss' at w* (alpha*) */
    int *owner = NULL;   /* N: each row's node */
    int64_t *tau = NULL; /* K: local steps per round */
    double *M = NULL;    /* dim x dim */
    double *Ebar = NULL; /* saga, dsaga: K r x dim, each node's mean local iterate */
    double *Q = NULL;    /* d x r: a basis of range(X^T) */
    double *z0 = NULL;   /* dim: the run's starting state in the basis Q */
    double *bk = NULL;   /* d: scratch */
    double *Hd = NULL;   /* d x d: (1/N) sum_i h_i x_i x_i^T */
    double *Hf = NULL;   /* r x r: Q^T Hd Q + lambda I, then d x r scratch */
    double *vG = NULL;   /* the memories' second moment (struct predict_var) */
    double *lvar = NULL; /* the matrix-free path's per-node scalars (4 K) */
    double *la = NULL;   /* its spectrum: a_j (r), G_k's diagonal (K x r) */
    double *lgd = NULL;
    int64_t r = 0;
    double t0 = predict_now_s();
    const int paths = flags & PREDICT_PER_ROW ? PREDICT_PATHS : 0;
    memset(out, 0, sizeof *out);
    out->predicted_rate_per_epoch = NAN;
    out->predicted_tail_rate_per_epoch = NAN;
    out->spectral_radius = NAN;

    const algorithm *alg = algorithm_find(cfg->algorithm);
    int is_gd = strcmp(cfg->algorithm, "gd") == 0;
    int is_saga = strcmp(cfg->algorithm, "saga") == 0;
    int is_dsaga = strcmp(cfg->algorithm, "dsaga") == 0;
    int is_lsvrg = strcmp(cfg->algorithm, "local-svrg") == 0;
    /* saga and dsaga keep stored gradients (the memory bound, the variance
     * part); gd and local-svrg keep none: their tail is the mean error's */
    int has_memory = is_saga || is_dsaga;
    if (!alg || !(has_memory || is_gd || is_lsvrg))
        PREDICT_REFUSE(out,
                       "predict: no linearised round map for \"%s\" (SPEC 4.1: saga, dsaga, gd, "
                       "local-svrg)",
                       cfg->algorithm);
    const char *why = run_cfg_check(cfg);
    if (!why && alg->check)
        why = alg->check(&cfg->params);
    if (why)
        PREDICT_REFUSE(out, "%s: %s", alg->name, why);
    int K = is_saga || is_gd ? 1 : cfg->nodes; /* gd's map does not depend on K */
    if (K < 1)
        FAIL_GOTO(ERR_INTERNAL, "predict: nodes %d not resolved", cfg->nodes);

    /* the data as a run loads it (SPEC 1 labels, bias, lambda) */
    TRY_GOTO(
        dataset_load(cfg->dataset, cfg->loss == LOSS_LOGISTIC ? LABELS_BINARY : LABELS_AUTO, &ds));
    TRY_GOTO(dataset_add_bias(ds, cfg->bias));
    const int64_t N = ds->n_samples;
    const int64_t d = ds->n_features;
    const double lambda = cfg->lambda > 0 ? cfg->lambda : 1.0 / (double)N;
    /* sizes: H is d x d, then the state lives in range(X^T) of rank r;
     * wider dsaga data may take the matrix-free path (predict_large.h) */
    const int large = ((d > PREDICT_MAX_DIM && (flags & PREDICT_MATRIX_FREE)) ||
                       (flags & PREDICT_MATRIX_FREE_ALWAYS)) &&
                      is_dsaga;
    if (d > PREDICT_MAX_DIM && !large)
        PREDICT_REFUSE(out,
                       "predict: %s on %.200s has d = %lld features; the dense path of SPEC 4.1 "
                       "stops at d = %d",
                       cfg->algorithm, cfg->dataset, (long long)d, PREDICT_MAX_DIM);
    if (K > N)
        PREDICT_REFUSE(out, "--nodes %d exceeds the %lld rows of %.200s", K, (long long)N,
                       cfg->dataset);
    if (!large)
        TRY_GOTO(predict_row_space(ds, &Q, &r));
    /* dsaga refresh = visited (SPEC 3.2b) keeps each node's memory twice */
    int refresh = PREDICT_REFRESH_NONE;
    double frac = 1.0; /* refresh_fraction: the chance a recorded row is re-taken */
    if (is_dsaga) {
        const char *rv = params_text(&cfg->params, "refresh");
        refresh = strcmp(rv, "visited") == 0 ? PREDICT_REFRESH_VISITED
                  : strcmp(rv, "late") == 0  ? PREDICT_REFRESH_LATE
                                             : PREDICT_REFRESH_NONE;
        frac = params_real(&cfg->params, "refresh_fraction");
    }
    /* the state's blocks, each r wide (the matrix-free path keeps all d) */
    /* local-svrg: e alone; its node maps (A_k and its power sums) 2 r wide */
    int64_t dim = is_gd || is_lsvrg ? r : (refresh ? 2 * K + 1 : K + 1) * (large ? d : r);
    int64_t biggest = is_gd ? r : is_lsvrg ? 2 * r : (dim > 3 * r ? dim : 3 * r);
    if (!large && biggest > PREDICT_MAX_DIM)
        PREDICT_REFUSE(out,
                       "predict: %s on %.200s (rank %lld of d = %lld, K = %d) needs dense %lld x "
                       "%lld matrices; the dense path of SPEC 4.1 stops at %d",
                       cfg->algorithm, cfg->dataset, (long long)r, (long long)d, K,
                       (long long)biggest, (long long)biggest, PREDICT_MAX_DIM);
    out->state_dim = dim;

    /* w* and the curvature at it (SPEC 4.1) */
    struct problem prob = {ds, cfg->loss, lambda, N};
    struct fstar_result fr;
    w = malloc((size_t)d * sizeof *w);
    h = malloc((size_t)(2 * N) * sizeof *h);
    owner = malloc((size_t)N * sizeof *owner);
    tau = malloc((size_t)K * sizeof *tau);
    M = large ? NULL : malloc((size_t)(dim * dim) * sizeof *M);
    bk = calloc((size_t)d, sizeof *bk); /* w = 0, then scratch */
    if (has_memory && !large)
        Ebar = malloc((size_t)(K * (int64_t)r * dim) * sizeof *Ebar);
    if (!w || !h || !owner || !tau || (!large && !M) || !bk || (has_memory && !large && !Ebar))
        FAIL_GOTO(ERR_NOMEM, "predict: %lld x %lld map", (long long)dim, (long long)dim);
    TRY_GOTO(fstar_solve(&prob, 1e-12, w, &fr));
    /* f(0): the run's tol is relative to it */
    const double f0 = objective_value(&prob, bk, NULL);
    const double stop_rel = f0 > fr.fstar ? cfg->tol * f0 / (f0 - fr.fstar) : 0.0;
    for (int64_t i = 0; i < N; i++) {
        double z = csr_row_dot(ds, i, w);
        h[i] = loss_deriv2(cfg->loss, ds->y[i], z);
        h[N + i] = loss_deriv(cfg->loss, ds->y[i], z); /* alpha_i* */
    }

    /* the method's own step rule, on one node holding every row (the
     * runner's L_max is the max over shards: the same number) */
    struct comm comm;
    TRY_GOTO(comm_init(&comm, MPI_COMM_NULL));
    struct run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.params = &cfg->params;
    ctx.seed = cfg->seed;
    ctx.shard = ds;
    ctx.prob = prob;
    ctx.n_total = N;
    ctx.n_features = d;
    ctx.comm = &comm;
    ctx.l_max = objective_lmax(&prob);
    double eta = 0.0;
    TRY_GOTO(alg->default_step(&ctx, &eta));
    eta = cfg->step > 0 ? cfg->step : eta * cfg->step_scale;
    out->step_size = eta;

    /* the memory-refresh bound (file comment): log10 of the largest
     * (1 - 1/n_k)^tau_k per round; none for gd */
    double log_mem = -INFINITY;
    double s_agg = 1.0; /* the aggregation's weight s (SPEC 3.2 step 2) */
    if (is_gd) {
        TRY_GOTO(predict_gd_map(ds, h, lambda, eta, Q, r, M));
        out->rounds_per_epoch = 1.0; /* one full gradient per round */
    } else {
        /* the run's shards (SPEC 3) and tau_k (dsaga.c) */
        if (K == 1) {
            memset(owner, 0, (size_t)N * sizeof *owner);
        } else {
            TRY_GOTO(shard_assign(ds, K, cfg->partition, cfg->seed, owner));
        }
        double grads_per_round = 0.0;
        for (int k = 0; k < K; k++) {
            int64_t n_k = predict_node_rows(owner, N, k);
            /* saga: a twentieth of an epoch per round (file comment);
             * dsaga: its declared period */
            tau[k] = is_saga
                         ? (N + PREDICT_SAGA_ROUNDS_PER_EPOCH - 1) / PREDICT_SAGA_ROUNDS_PER_EPOCH
                         : period_steps(params_period(&cfg->params, "period"), n_k);
            grads_per_round += (double)tau[k];
            if (is_lsvrg) {
                grads_per_round += (double)n_k; /* the anchor's full gradient */
                continue;                       /* no memories: no bound, no ages */
            }
            /* refresh: the distinct rows drawn last round (late: in its
             * second half), n_k q_k expected */
            int64_t tau1 = 0;
            grads_per_round += (double)n_k * frac * predict_refresh_q(refresh, tau[k], n_k, &tau1);
            double lm = (double)tau[k] * log1p(-1.0 / (double)n_k) / log(10.0);
            if (lm > log_mem)
                log_mem = lm;
            /* the variance part's ages (PREDICT_MAX_AGES), before any
             * spectrum is paid for: the smallest period within them */
            double ages =
                predict_age_count(predict_draw_chance((double)tau[k], (double)n_k), (double)n_k);
            if (!(ages <= PREDICT_MAX_AGES))
                PREDICT_REFUSE(out,
                               "predict: a period of %lld steps on node %d's %lld rows keeps "
                               "memories %.3g rounds old, more than the %d ages the variance "
                               "part follows; use --period %.0f or more (steps)",
                               (long long)tau[k], k, (long long)n_k, ages, PREDICT_MAX_AGES,
                               predict_min_period((double)n_k));
        }
        s_agg = is_saga || (is_dsaga && strcmp(params_text(&cfg->params, "aggregate"), "sum") == 0)
                    ? 1.0
                    : 1.0 / (double)K; /* local-svrg: x = mean_k x_k */
        out->rounds_per_epoch = (double)N / grads_per_round;
        if (large) {
            /* the mean part and, up to PREDICT_LARGE_MAX_SAMPLES rows, the
             * variance part (its spectrum from H's N x N Gram matrix);
             * without it, not faster than the memory bound: the variance
             * part's expectation (file comment), which a run beats by the
             * 10-35 % the ages' weights model */
            int with_var = N <= PREDICT_LARGE_MAX_SAMPLES;
            int64_t lr = 0;
            /* the nodes' sizes first: the spectrum costs minutes */
            char why_large[256];
            if (predict_large_refuses(owner, N, K, why_large, sizeof why_large))
                PREDICT_REFUSE(out, "%s", why_large);
            struct predict_var lv = {0};
            if (with_var) {
                lvar = calloc((size_t)(4 * K), sizeof *lvar);
                if (!lvar)
                    FAIL_GOTO(ERR_NOMEM, "predict: %d nodes' scalars", K);
                double *lv0 = lvar, *lq = lv0 + K, *ln = lq + K, *lphi = ln + K;
                double tau_mean = 0.0, draw_mean = 0.0;
                predict_var_nodes(ds, h + N, owner, K, tau, refresh, frac, lv0, lq, ln, lphi,
                                  &tau_mean, &draw_mean);
                TRY_GOTO(predict_large_spectrum(ds, h, (int)cfg->loss, lambda, cfg->bias, owner, K,
                                                &la, &lgd, &lr));
                lv = (struct predict_var){K,   NULL,  NULL,     lv0,  lq,        ln,   la,   lgd,
                                          eta, s_agg, tau_mean, lphi, draw_mean, NULL, paths};
            }
            double tail = NAN;
            TRY_GOTO(predict_large_tail(ds, h, h + N, w, lambda, owner, K, tau, eta, s_agg, refresh,
                                        frac, with_var ? &lv : NULL, lr, out->rounds_per_epoch,
                                        cfg->eval_every, cfg->max_epochs, stop_rel, &tail, curve));
            double floor_rate = log_mem * out->rounds_per_epoch;
            /* with the variance part as the dense path below (-inf, a run
             * over within five checkpoints, falls back to the bound);
             * without it, not faster than the bound */
            double pick = with_var ? (isinf(tail) && tail < 0 ? floor_rate : tail)
                                   : (tail > floor_rate ? tail : floor_rate);
            out->predicted_tail_rate_per_epoch = isnan(tail) || isinf(pick) ? NAN : pick;
            out->predicted_rate_per_epoch = NAN; /* rho(M) is not computed here */
            out->log10_rho_per_epoch = NAN;
            out->matrix_free = with_var ? 2 : 1;
            goto done;
        }
        if (is_lsvrg)
            TRY_GOTO(predict_local_svrg_map(ds, h, lambda, owner, K, tau, eta, Q, r, M));
        else
            TRY_GOTO(predict_dsaga_map(ds, h, lambda, owner, K, tau, eta, s_agg, refresh, frac, Q,
                                       r, M, Ebar));
    }
    TRY_GOTO(predict_spectral_radius(M, dim, &out->spectral_radius));
    double log_rho = log10(out->spectral_radius);
    out->log10_rho_per_epoch = log_rho * out->rounds_per_epoch;
    /* subopt ~ |E e|^2 falls as rho^2 per round, but never faster than
     * an unrefreshed memory's second moment (file comment) */
    double per_round = 2.0 * log_rho > log_mem ? 2.0 * log_rho : log_mem;
    out->predicted_rate_per_epoch = per_round * out->rounds_per_epoch;

    /* the tail a run of this configuration shows (SPEC 4's fit over the
     * last third of its checkpoints): the mean error from the run's start,
     * through M, at the run's checkpoints until it would stop (tol f(0), or
     * max_epochs), plus the stale memories' variance part (file comment) */
    int blocks = (int)(dim / r); /* gd, local-svrg: e only */
    z0 = malloc((size_t)dim * sizeof *z0);
    Hd = calloc((size_t)(d * d), sizeof *Hd);
    Hf = malloc((size_t)(r * r + d * r) * sizeof *Hf);
    if (!z0 || !Hd || !Hf)
        FAIL_GOTO(ERR_NOMEM, "predict: the starting state of %lld", (long long)dim);
    predict_start(ds, w, h + N, owner, K, blocks, Q, r, z0, bk);
    predict_add_hessian(ds, h, NULL, 0, 1.0 / (double)N, Hd);
    predict_project(Hd, d, Q, r, Hf, Hf + r * r);
    for (int64_t j = 0; j < r; j++)
        Hf[j * r + j] += lambda;
    struct predict_var var = {0};
    if (has_memory) {
        /* the memories' second moment (file comment, "the variance part") */
        vG = calloc((size_t)(K * r * r + K * r + 4 * K + d * r + N + 2 * r * r + r + K * r),
                    sizeof *vG);
        if (!vG)
            FAIL_GOTO(ERR_NOMEM, "predict: the memories' second moment (%d x %lld^2)", K,
                      (long long)r);
        double *vc = vG + K * r * r, *vv = vc + K * r, *vq = vv + K, *vn = vq + K;
        double *work = vn + K;
        double *hv = work + d * r;    /* N: |x_i|^2 h_i^2 */
        double *U = hv + N;           /* r x r: Hf's eigenvectors, one per row */
        double *T = U + r * r;        /* r x r: scratch */
        double *ev = T + r * r;       /* r: Hf's eigenvalues */
        double *gdiag = ev + r;       /* K x r */
        double *vphi = gdiag + K * r; /* K */
        double tau_mean = 0.0, draw_mean = 0.0;
        predict_var_nodes(ds, h + N, owner, K, tau, refresh, frac, vv, vq, vn, vphi, &tau_mean,
                          &draw_mean);
        memcpy(U, Hf, (size_t)(r * r) * sizeof *U);
        TRY_GOTO(predict_eigh(r, U, ev)); /* H + lambda I's eigenvectors */
        int ir = (int)r;
        for (int k = 0; k < K; k++) {
            double n_k = vn[k];
            memset(bk, 0, (size_t)d * sizeof *bk);
            for (int64_t i = 0; i < N; i++) {
                hv[i] = 0.0;
                if (owner[i] != k)
                    continue;
                double n2 = csr_row_norm2(ds, i), a = h[N + i]; /* |x_i|^2, alpha_i* */
                hv[i] = n2 * h[i] * h[i];
                for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                    bk[ds->col_idx[p]] += n2 * h[i] * a * ds->values[p];
            }
            memset(Hd, 0, (size_t)(d * d) * sizeof *Hd);
            predict_add_hessian(ds, hv, owner, k, 1.0 / n_k, Hd);
            predict_project(Hd, d, Q, r, vG + (size_t)k * (size_t)(r * r), work);
            for (int64_t j = 0; j < r; j++) {
                double cj = 0.0;
                for (int64_t c = 0; c < d; c++)
                    cj += Q[c * r + j] * bk[c];
                vc[k * r + j] = cj / n_k;
            }
            /* G_k's diagonal in Hf's eigenvectors: u_j^T G_k u_j */
            const double *Gk = vG + (size_t)k * (size_t)(r * r);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ir, ir, ir, 1.0, U, ir, Gk, ir,
                        0.0, T, ir);
            for (int64_t j = 0; j < r; j++)
                gdiag[k * r + j] = cblas_ddot(ir, T + j * r, 1, U + j * r, 1);
        }
        var = (struct predict_var){K,   vG,    vc,       vv,   vq,        vn,   ev,   gdiag,
                                   eta, s_agg, tau_mean, vphi, draw_mean, Ebar, paths};
    }
    double tail = NAN;
    TRY_GOTO(predict_tail_rate(M, dim, z0, Hf, r, has_memory ? &var : NULL, out->rounds_per_epoch,
                               cfg->eval_every, cfg->max_epochs, stop_rel, &tail, curve));
    double floor_rate = log_mem * out->rounds_per_epoch; /* -inf for gd */
    /* the variance part lets the tail beat the memory bound (a run seldom
     * holds a memory much older than its oldest row's age); a run over within
     * five checkpoints (-inf) falls back to the bound */
    out->predicted_tail_rate_per_epoch = isinf(tail) && tail < 0 ? floor_rate : tail;
    if (isnan(tail) || isinf(out->predicted_tail_rate_per_epoch))
        out->predicted_tail_rate_per_epoch = NAN;
done:
    free(lgd);
    free(la);
    free(lvar);
    free(vG);
    free(Hf);
    free(Hd);
    free(bk);
    free(z0);
    out->seconds = predict_now_s() - t0;
    free(Q);
    free(Ebar);
    free(M);
    free(tau);
    free(owner);
    free(h);
    free(w);
    dataset_destroy(ds);
    return rc;
}
