/*
 * comm.h - the run's communicator and the counters of SPEC 4.
 *
 * Every collective an algorithm makes goes through comm_allreduce_sum,
 * which counts one round, 8 n bytes per node, and the seconds spent in it
 * (comm_s).  Evaluation traffic (f(w), gradient norm) uses
 * comm_allreduce_uncounted and is not counted.  When a network model is
 * configured (netmodel.h) every counted collective also advances the
 * modelled time model_s.
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
};

struct comm {
    MPI_Comm mpi; /* the run's K ranks, MPI_ERRORS_RETURN set */
    int rank;     /* in mpi */
    int size;     /* K */
    struct comm_stats stats;
    struct netmodel *model; /* NULL, or the network/straggler model */
    double pending_work;    /* model: work units since the last collective */
};

/* Wraps an existing communicator (not freed by comm).  MPI_COMM_NULL gives
 * a serial communicator of size 1 that never calls MPI (unit tests run
 * algorithms this way: Criterion forks, so they cannot MPI_Init). */
int comm_init(struct comm *c, MPI_Comm mpi);

/* In-place sum over the run's ranks of buf[0..n-1]; counted and timed
 * (SPEC 4: rounds += 1, bytes += 8 n K, 0 when K = 1: one node sends
 * nothing). */
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
