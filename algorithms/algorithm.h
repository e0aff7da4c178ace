/*
 * algorithm.h - the one interface every method implements (STYLE 1), and the
 * run configuration it reads.
 *
 * The runner (harness/runner.c) loads and shards the data, computes f*, picks the
 * step and then calls, on every rank of the run's communicator:
 *
 *     check(cfg)            NULL, or a sentence naming the key and bound
 *     default_step(ctx)     the method's default step rule (SPEC 3); the
 *                           runner multiplies it by step_scale, or uses
 *                           cfg->step when given, and stores both
 *     create(ctx, &state)   set up on this rank's shard (untimed)
 *     round(state, ctx)     local phase + one synchronisation (timed); adds
 *                           the component gradients evaluated, summed over
 *                           all nodes, to ctx->grads_total
 *     get_w(state, w)       the synchronised parameters (same on every rank)
 *     destroy(state)        accepts NULL
 *
 * Checkpoints (SPEC 4) are taken by the runner between rounds, so always at
 * a synchronisation point.  Adding a baseline = one file + one line in
 * registry.c.
 */
#ifndef DSAGA_ALGORITHM_H
#define DSAGA_ALGORITHM_H

#include <stdint.h>

#include "datasets/dataset.h"
#include "base/comm.h"
#include "base/loss.h"
#include "base/objective.h"

enum aggregate { AGG_MEAN = 0, AGG_SUM = 1 };
/* dsaga's synchronisation (issue 18): dense allreduce of 2d doubles, the
 * touched coordinates only, or chosen from the data (auto). */
enum sync_mode { SYNC_AUTO = 0, SYNC_DENSE = 1, SYNC_SPARSE = 2 };

/* One run, as the user asked for it (command line or one grid cell). */
struct run_cfg {
    char algorithm[32];
    char dataset[512];
    enum loss_kind loss;
    double lambda; /* <= 0: the default 1/N (SPEC 1) */
    double bias;   /* > 0: constant feature appended (SPEC 1) */
    int nodes;     /* K; 0 = every rank of the launch */
    double period; /* tau: local steps per round, or a fraction of
                    * n_k when period_is_fraction (SPEC 3.2) */
    int period_is_fraction;
    enum aggregate aggregate;
    enum sync_mode sync; /* ISSUE-18 (lead: move to dsaga's param table):
                          * key `sync = auto|dense|sparse`, --sync */
    enum partition partition;
    int batch;         /* rows per SGD step per node (SPEC 3.3) */
    double step_scale; /* multiplies the default step (SPEC 4) */
    double step;       /* > 0: this step, ignoring the rule and scale */
    int step_constant; /* sgd, local-sgd: constant eta0, not decaying */
    uint64_t seed;
    double eval_every; /* epochs between checkpoints */
    double max_epochs;
    double tol; /* relative: stop when subopt <= tol f(0) */
    /* network model (issue 10); alpha_s < 0 means no model */
    double net_alpha_s;       /* latency per message */
    double net_beta_s;        /* seconds per byte */
    double compute_s;         /* seconds per unit of work; <= 0: calibrated */
    double straggler_factor;  /* slow nodes run this many times slower */
    int straggler_nodes;      /* how many nodes are slow */
    double straggler_delay_s; /* mean random extra delay per round (exponential) */
    int straggler_sleep;      /* also really sleep in measured runs */
};

/* Fills cfg with SPEC's defaults (logistic, lambda 1/N, mean, random, ...). */
void run_cfg_defaults(struct run_cfg *cfg);

/* What an algorithm sees of the run (set up by the runner). */
struct run_ctx {
    const struct run_cfg *cfg;
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

typedef struct algorithm {
    const char *name;    /* SPEC name: "local-sgd" */
    const char *summary; /* one line for --help */
    int centralized;     /* 1: runs on one node holding all data (saga) */
    const char *(*check)(const struct run_cfg *);
    int (*default_step)(const struct run_ctx *, double *step);
    int (*create)(const struct run_ctx *, void **state);
    int (*round)(void *state, struct run_ctx *);
    int (*get_w)(const void *state, double *w);
    void (*destroy)(void *state);
} algorithm;

/* registry.c: the one table. */
const algorithm *algorithm_find(const char *name);
/* The i-th entry, NULL past the end. */
const algorithm *algorithm_at(int i);

int aggregate_parse(const char *name, enum aggregate *out);
const char *aggregate_name(enum aggregate agg);
/* ISSUE-18: "auto" | "dense" | "sparse"; 0, or -1 for another name. */
int sync_parse(const char *name, enum sync_mode *out);
const char *sync_name(enum sync_mode mode);

#endif
