/*
 * saga_core.h - the SAGA step of SPEC 2 on one shard, written once and used
 * by saga.c (all the data), dsaga.c (its local phase, SPEC 3.2) and
 * dsaga_async.c (its workers' steps, SPEC 3.9).
 *
 * The core holds this node's alpha_i (one double per local row), a private
 * w_k and a g_k (SPEC 3.2's names; g_k = g_bar for saga) and the sampling
 * RNG.  On sparse data a step costs O(nnz(x_i)): w is kept as
 * scale * v, the l2 shrinkage multiplies scale, and the g term is applied
 * lazily through a running cumulative sum (see saga_core.c).  Dense data
 * (dataset.is_dense) takes a plain BLAS path with no lazy state.
 *
 * Not an algorithm of the registry: no MPI, no counters.
 */
#ifndef DSAGA_SAGA_CORE_H
#define DSAGA_SAGA_CORE_H

#include <stdint.h>

#include "base/csr.h"
#include "base/loss.h"

struct saga_core;

/* Sets up SAGA on `shard` (rows held here, n_features columns) for the
 * problem (loss, lambda) whose g_bar divides by n_total (SPEC 3.2: N, the
 * whole set), with step eta, from w = 0, alpha = 0, g = 0 (SPEC 2).  Samples
 * are drawn uniformly with replacement from the shard's rows by an RNG
 * seeded (seed, RNG_STREAM_SAMPLING + rank).  `shard` must outlive the
 * core.  The caller owns *out (saga_core_destroy); on failure *out is NULL
 * and nothing is left allocated.  A shard without rows is ERR_INPUT. */
int saga_core_create(const struct dataset *shard, enum loss_kind loss, double lambda,
                     int64_t n_total, double eta, uint64_t seed, int rank, struct saga_core **out);

/* Frees the core; NULL does nothing. */
void saga_core_destroy(struct saga_core *c);

/* Makes n_steps SAGA steps (SPEC 2 / SPEC 3.2 step 1). */
void saga_core_steps(struct saga_core *c, int64_t n_steps);

/* Writes the current w (n_features entries) to w.  Read-only: the lazy
 * state is not touched, so calling it never changes later iterates. */
void saga_core_get_w(const struct saga_core *c, double *w);

/* Writes the current g (SPEC 2's g_bar on one node, g_k in dsaga;
 * n_features entries) to g.  g is exact at all times (never lazy). */
void saga_core_get_g(const struct saga_core *c, double *g);

/* Restarts the lazy state at (w, g) (dsaga after a K > 1 synchronisation,
 * SPEC 3.2 step 2); the alpha_i and the RNG are kept. */
void saga_core_reset(struct saga_core *c, const double *w, const double *g);

/* dsaga's synchronisation in two passes over the state instead of five
 * (SPEC 3.2 step 2):
 *   saga_core_delta: buf[j] = w_k[j] - w[j], buf[d + j] = g_k[j] - g[j],
 *                    read-only, the same values get_w / get_g give;
 *   saga_core_apply: g += buf[d..2d), w += s buf[0..d), then restart the
 *                    lazy state at (w, g) as saga_core_reset does. */
void saga_core_delta(const struct saga_core *c, const double *w, const double *g, double *buf);
void saga_core_apply(struct saga_core *c, double *w, double *g, const double *buf, double s);

/* Sparse synchronisation (dsaga, issue 18; the algebra is in saga_core.c).
 * The node records the coordinates each round touches, each with its
 * record as the round started (so the synchronised (w, g_bar) stays known
 * from its own lazy records, no copy of them), so a round's
 * synchronisation costs O(touched coordinates), not O(d).  Sparse data
 * (the lazy path) only; saga never enables it, so its steps are unchanged.
 *
 *   saga_core_sync_enable   allocates the touched lists (O(d)); the
 *                           current state is the synchronised one; ERR_NOMEM, or
 *                           ERR_INTERNAL on the eager path (dense data, or
 *                           beta < 1/2); idempotent.
 *   saga_core_sync_header   hdr = {m_k touched coordinates (-1: the round
 *                           flushed the lazy state, synchronise densely),
 *                           A_k, B_k}.
 *   saga_core_sync_pack     buf = m_k triples (j, e_k[j], g_k[j] - g[j]).
 *   saga_core_sync_apply    applies every node's triples (n_triples, in
 *                           rank order) and the sums over nodes of A_k and
 *                           B_k; restarts the core at the result.
 *                           Returns 1 (nothing changed) when the untouched
 *                           coordinates' map has no lazy form (a <= 0,
 *                           aggregate = sum with large K tau): the caller
 *                           then synchronises densely.
 *   saga_core_sync_get      the synchronised w and/or g (NULL: skipped), O(d).
 *   saga_core_sync_from_core  after a dense synchronisation (saga_core_apply
 *                           restarted the core at (w, g)): a new round
 *                           begins there.
 *   saga_core_sync_expected_touched  sum_j 1 - (1 - p_j)^tau over this
 *                           shard's column frequencies p_j: the expected
 *                           m_k of a round of tau steps (auto's estimate). */
int saga_core_sync_enable(struct saga_core *c);
/* 1 when the core takes the lazy path (sparse rows, beta >= 1/2). */
int saga_core_is_lazy(const struct saga_core *c);
void saga_core_sync_header(const struct saga_core *c, double hdr[3]);
void saga_core_sync_pack(const struct saga_core *c, double *buf);
int saga_core_sync_apply(struct saga_core *c, const double *all, int64_t n_triples, double sum_a,
                         double sum_b, int n_nodes, double s);
void saga_core_sync_get(const struct saga_core *c, double *w, double *g);
void saga_core_sync_from_core(struct saga_core *c);
int64_t saga_core_sync_expected_touched(const struct saga_core *c, int64_t tau);

/* Refresh of the visited rows (dsaga refresh = visited | late, SPEC 3.2b).
 *   saga_core_track_visits  from now on the steps record each distinct row
 *                           they draw (O(n) memory); ERR_NOMEM; idempotent.
 *   saga_core_refresh       re-evaluates alpha_i at the current w for every
 *                           row recorded since the last refresh (one
 *                           component gradient each, O(nnz(x_i)) on sparse
 *                           rows), g += (a - alpha_i) x_i / N, w unchanged;
 *                           returns how many, and starts a new record. */
int saga_core_track_visits(struct saga_core *c);
int64_t saga_core_refresh(struct saga_core *c);
/* Forgets the rows recorded so far (the next refresh takes only rows drawn
 * from now on). */
void saga_core_visits_restart(struct saga_core *c);
/* Keeps each row recorded so far with chance p, independently (one draw
 * of r per recorded row, in the record's order), so that the next refresh
 * re-takes only those; p >= 1 keeps all and draws nothing, p <= 0 keeps
 * none.  Returns how many are kept.  Call it right before
 * saga_core_refresh: a dropped row stays marked as recorded until the
 * refresh starts a new record, so steps in between would not record it
 * again. */
struct rng;
int64_t saga_core_visits_thin(struct saga_core *c, double p, struct rng *r);

/* Steps made so far and lazy renormalisations of the scale (tests). */
int64_t saga_core_n_steps(const struct saga_core *c);
int64_t saga_core_n_rescales(const struct saga_core *c);

/* The scale below which the lazy state is flushed (all coordinates brought
 * up to date, scale reset to 1) before it can underflow. */
#define SAGA_CORE_MIN_SCALE 1e-9
/* Sparse sync renormalises when the synchronised scale drops below this,
 * far enough above SAGA_CORE_MIN_SCALE that a round of up to a local epoch
 * at the default step does not flush (beta^{n_k} >= e^{-4/3}). */
#define SAGA_CORE_SYNC_RESCALE 1e-6

#endif
