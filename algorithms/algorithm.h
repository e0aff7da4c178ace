/*
 * algorithm.h - the one interface every method implements (STYLE 1).
 *
 * A method is one file defining `const algorithm algorithm_<name>` and one
 * line in registry.c.  It declares its own keys in a param_def table (SPEC
 * 3.10, base/params.h): the command line, grids, results attrs and figure
 * legends take them from that table alone.  The harness (harness/runner.c)
 * calls check first, before any data is read; then it loads and shards the
 * data, computes f*, picks the step and calls the rest, on every rank of
 * the run's communicator:
 *
 *     check(params)         NULL, or a sentence naming the key and bound, for
 *                           what the table's bounds cannot say (may be NULL)
 *     default_step(ctx)     the method's default step rule (SPEC 3); the
 *                           harness multiplies it by step_scale, or uses the
 *                           step given, and stores both
 *     create(ctx, &state)   set up on this rank's shard (untimed)
 *     round(state, ctx)     local phase + one synchronisation (timed); adds
 *                           the component gradients evaluated, summed over
 *                           all nodes, to ctx->grads_total
 *     get_w(state, w)       the synchronised parameters (same on every rank)
 *     destroy(state)        accepts NULL
 *     counters(...)         SPEC 4's counters of one round in closed form,
 *                           checked against the measured ones by the tests
 *
 * Checkpoints (SPEC 4) are taken by the harness between rounds, so always at
 * a synchronisation point.
 *
 * Rank layout: a run of K nodes has K + server_ranks ranks.  Ranks 0..K-1
 * are the data nodes (shards S_0..S_{K-1}); a method with server_ranks > 0
 * (dsaga-async, SPEC 3.9: one server) gets the extra ranks after them, each
 * holding an empty shard.  Every rank calls every function above.
 */
#ifndef DSAGA_ALGORITHM_H
#define DSAGA_ALGORITHM_H

#include <stdint.h>

#include "base/comm.h"
#include "base/csr.h"
#include "base/loss.h"
#include "base/objective.h"
#include "base/params.h"

/* What an algorithm sees of the run (set up by the harness). */
struct run_ctx {
    const struct params *params; /* the method's own keys (SPEC 3.10) */
    uint64_t seed;               /* sampling streams: rng_seed(seed, stream + rank) */
    const struct dataset *shard; /* this rank's rows, in the full feature space */
    struct problem prob;         /* loss, lambda, N over this shard */
    int64_t n_total;             /* N */
    int64_t n_features;          /* d */
    double l_max;                /* SPEC 1, max over all nodes */
    double step_size;            /* the step in force (set before create) */
    struct comm *comm;           /* rank, K, counters */
    int64_t grads_total;         /* component gradients so far, all nodes */
    int64_t grads_target;        /* hint: the next checkpoint, in component
                                  * gradients; a method without natural rounds
                                  * (saga) runs up to it */
};

/* A method's own per-checkpoint series (issue 19): up to SERIES_MAX named
 * columns of `width` numbers each (width 1: a 1-D dataset; width > 1: a
 * [checkpoints x width] dataset), written to HDF5 next to SPEC 5's
 * series.  Names and widths must not change during a run. */
#define SERIES_MAX 8
struct series_out {
    int n; /* columns filled */
    struct {
        const char *name;     /* HDF5 dataset name, static storage */
        int width;            /* numbers per checkpoint, >= 1 */
        const double *values; /* width numbers, valid until the next round */
    } col[SERIES_MAX];
};

/* SPEC 4's counters of one round, summed over all nodes.  A value < 0 means
 * "not fixed per round" (saga runs to the checkpoint; a random number of
 * local steps): the tests then check only what is fixed. */
struct round_counts {
    double rounds; /* collective calls */
    double bytes;  /* payload bytes, all nodes */
    double grads;  /* component gradients, all nodes */
};

typedef struct algorithm {
    const char *name;               /* SPEC name: "local-sgd" */
    const char *summary;            /* one line for --help */
    int centralized;                /* 1: runs on one node holding all data (saga) */
    const struct param_def *params; /* its own keys, {NULL}-terminated (SPEC 3.10) */
    const char *color;              /* "#rrggbb": the same in every figure */
    const char *step_rule;          /* "constant", or NULL when a declared key
                                     * `step_rule` says what the run did */
    const char *(*check)(const struct params *);
    int (*default_step)(const struct run_ctx *, double *step);
    int (*create)(const struct run_ctx *, void **state);
    int (*round)(void *state, struct run_ctx *);
    int (*get_w)(const void *state, double *w);
    void (*destroy)(void *state);
    int server_ranks; /* ranks beyond the K data nodes (0, or 1: dsaga-async) */
    /* NULL, or fills the method's own series at a checkpoint (called on
     * every rank, between rounds; rank 0's values are stored). */
    int (*extra_series)(const void *state, struct series_out *out);
    /* One round's counters for K nodes of n_k[k] rows, d features, N rows. */
    void (*counters)(const struct params *, int K, int64_t d, int64_t n_total, const int64_t *n_k,
                     struct round_counts *out);
} algorithm;

/* registry.c: the one table. */
const algorithm *algorithm_find(const char *name);
/* The i-th entry, NULL past the end. */
const algorithm *algorithm_at(int i);

#endif
