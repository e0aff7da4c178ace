/*
 * comm.h - the run's communicator and the counters of SPEC 4.
 *
 * Every collective an algorithm makes goes through comm_allreduce_sum,
 * comm_allgather or comm_allgatherv, each of which counts one round, the
 * bytes this node sends (8 n for an allreduce of n doubles), and the
 * seconds spent in it (comm_s).  Evaluation traffic (f(w), gradient norm) uses
 * comm_allreduce_uncounted and is not counted.  When a network model is
 * configured (netmodel.h) every counted collective also advances the
 * modelled time model_s.
 *
 * Point-to-point traffic (dsaga-async, SPEC 3.9) goes through comm_send /
 * comm_recv: each rank counts what it sent itself (bytes) and the rounds
 * it is responsible for (comm_count_p2p: the server counts one round per
 * update it applies), and comm_totals sums those over the ranks at a
 * checkpoint (uncounted), so that every rank reports the same totals.
 */
#ifndef DSAGA_COMM_H
#define DSAGA_COMM_H

#include <mpi.h>
#include <stdint.h>

struct netmodel;

struct comm_stats {
    int64_t rounds; /* collective calls of the algorithm so far */
    int64_t bytes;  /* payload bytes sent by all nodes so far */
    double comm_s;  /* seconds inside the algorithm's collectives */
    double model_s; /* modelled time so far (0 without a model) */
    /* this rank's own point-to-point share, summed over ranks by
     * comm_totals (SPEC 3.9: rounds = server updates, bytes sent) */
    int64_t p2p_rounds;
    int64_t p2p_bytes;
    /* seconds in the synchronisation step, collectives and the work around
     * them (pack, apply), for the methods that time it (dsaga); benchmarks
     * read it, the runner does not store it */
    double sync_s;
};

struct comm {
    MPI_Comm mpi; /* the run's K ranks, MPI_ERRORS_RETURN set */
    int rank;     /* in mpi */
    int size;     /* ranks of the run: K, plus server ranks (SPEC 3.9) */
    int servers;  /* ranks after the K data nodes (SPEC 3.9: dsaga-async's
                   * server); 0 for most methods, set by the runner */
    struct comm_stats stats;
    struct netmodel *model; /* NULL, or the network/straggler model */
    double pending_work;    /* model: work units since the last collective */
};

/* K: the data nodes, ranks 0..K-1 (the run's ranks minus its servers). */
static inline int comm_nodes(const struct comm *c)
{
    return c->size - c->servers;
}

/* Wraps an existing communicator (not freed by comm).  MPI_COMM_NULL gives
 * a serial communicator of size 1 that never calls MPI (unit tests run
 * algorithms this way: Criterion forks, so they cannot MPI_Init). */
int comm_init(struct comm *c, MPI_Comm mpi);

/* In-place sum over the run's ranks of buf[0..n-1]; counted and timed
 * (SPEC 4: rounds += 1, bytes += 8 n K, 0 when K = 1: one node sends
 * nothing; K is c->size, the server ranks included where a method has
 * them). */
int comm_allreduce_sum(struct comm *c, double *buf, int64_t n);

/* Every rank's n doubles into recv (n K, rank order); counted and timed
 * (rounds += 1, bytes += 8 n K: each node's payload, as for the allreduce). */
int comm_allgather(struct comm *c, const double *send, int64_t n, double *recv);

/* Rank k's counts[k] doubles into recv at displs[k]; counted and timed
 * (rounds += 1, bytes += 8 sum_k counts[k]: what the nodes contributed). */
int comm_allgatherv(struct comm *c, const double *send, const int *counts, const int *displs,
                    double *recv);

/* The same reduction, not counted (evaluation, setup). */
int comm_allreduce_uncounted(struct comm *c, double *buf, int64_t n, MPI_Op op);

/* Counted point-to-point (SPEC 3.9).  comm_send sends n doubles to `dest`
 * (blocking) and counts 8 n bytes on this rank; comm_recv receives up to n
 * doubles from `source` (MPI_ANY_SOURCE allowed) with `tag` (MPI_ANY_TAG
 * allowed) into *status (may be NULL), waiting without holding a core.
 * Both add their seconds to comm_s. */
int comm_send(struct comm *c, const double *buf, int64_t n, int dest, int tag);
int comm_recv(struct comm *c, double *buf, int64_t n, int source, int tag, MPI_Status *status);

/* Completes req (MPI_Wait) without holding a core: spins 50 us, then
 * tests every 50 us. */
int comm_wait(MPI_Request *req, MPI_Status *st);

/* Adds `rounds` to this rank's share of point-to-point rounds (the server
 * calls it once per update it applies, SPEC 3.9). */
static inline void comm_count_p2p(struct comm *c, int64_t rounds)
{
    c->stats.p2p_rounds += rounds;
}

/* The run's counters as SPEC 4 defines them: this rank's collective
 * counters (the same on every rank) plus the point-to-point shares summed
 * over the ranks (one uncounted reduction, always; collective
 * over c, call at checkpoints).  comm_s and model_s are this rank's. */
int comm_totals(struct comm *c, struct comm_stats *out);

/* Folds the network model's logged rounds into stats.model_s (collective,
 * uncounted; call at checkpoints, outside the timed region).  No-op
 * without a model. */
int comm_model_flush(struct comm *c);

/* Records `units` of compute work (component gradients, weighted as the
 * model says) done by this rank since the last collective (model only). */
static inline void comm_add_work(struct comm *c, double units)
{
    c->pending_work += units;
}

#endif
