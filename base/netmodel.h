/*
 * netmodel.h - modelled time next to the measured one (issue 10; HDF5
 * dataset model_s, SPEC 5).
 *
 * The model, per round r of a synchronous method on K nodes:
 *
 *     model_s += max_k [ work_k(r) * compute_s * slow_k + delay_k(r) ]
 *              + T_allreduce(n)
 *     T_allreduce(n) = 2 ceil(log2 K) alpha + 2 (K - 1)/K * 8 n * beta
 *
 * work_k(r) is the component gradients node k evaluated since the last
 * collective (comm_add_work), compute_s the seconds one costs (given, or
 * calibrated at start on rank 0: a timed pass of loss derivatives over its
 * rows), slow_k = straggler_factor on `straggler_nodes` nodes chosen by a
 * seeded permutation and 1 elsewhere, delay_k(r) an exponential random
 * delay of mean straggler_delay_s drawn per node and round.  T_allreduce is
 * Rabenseifner's reduce-scatter + allgather cost (Thakur, Rabenseifner &
 * Gropp 2005) without the reduction's arithmetic.  K = 1 has no network
 * cost.  A synchronous collective waits for the slowest node, hence max_k.
 *
 * To keep measured time free of the model, nothing is communicated during
 * rounds: each rank logs its own compute per round, and netmodel_flush
 * (called at checkpoints, outside the timed region) takes the maxima over
 * nodes with one uncounted MAX reduction.
 *
 * Asynchronous methods (a server rank, SPEC 3.9; issue 19) wait for no
 * other worker, so there is no max over nodes.  Worker k's updates each
 * cost C_k = mean over its updates of (work * compute_s * slow_k + delay)
 * and carry W_k component gradients; the server's link carries both
 * messages of an update, one after the other (its queue):
 *
 *     arrive  = t_k + alpha                    (worker k finished at t_k)
 *     done    = max(arrive, server_free) + 2 * 8 n beta,  server_free = done
 *     t_k     = done + alpha + C_k             (reply, then the next update)
 *
 * simulated from 0 in arrival order until the gradients summed over the
 * applied updates reach those really applied; model_s is that update's
 * `done`.  The server's apply (2d flops) is not modelled.
 *
 * Real stragglers (straggler_sleep): 1 sleeps the extra time of the slow
 * nodes (work * compute_s * (slow_k - 1) + delay); 2 ("emulate") sleeps
 * every node's whole modelled compute (work * compute_s * slow_k + delay),
 * so that with a given compute_s well above the real cost of a gradient
 * the sleeps dominate the measured time (oversubscribed launches, issue
 * 19).  Slow nodes are drawn among the K data nodes, never a server.
 */
#ifndef DSAGA_NETMODEL_H
#define DSAGA_NETMODEL_H

#include <stdint.h>

struct comm;
struct problem;
struct netmodel;

/* The model's keys (grid keys of the same names; alpha_s < 0: no model). */
struct netmodel_cfg {
    double alpha_s;           /* latency per message */
    double beta_s;            /* seconds per byte */
    double compute_s;         /* seconds per unit of work; <= 0: calibrated */
    double straggler_factor;  /* slow nodes run this many times slower */
    int straggler_nodes;      /* how many nodes are slow */
    double straggler_delay_s; /* mean random extra delay per round (exponential) */
    int straggler_sleep;      /* also really sleep in measured runs */
};

/* Named network presets: "datacenter" (alpha 5 us, 10 GB/s) and "wan"
 * (alpha 50 ms, 100 Mbit/s).  0 and the two numbers, or -1 if unknown. */
int netmodel_preset(const char *name, double *alpha_s, double *beta_s);

/* Creates the model of a run (collective over c: rank 0 calibrates
 * compute_s when cfg->compute_s <= 0 and broadcasts it), or sets *out to
 * NULL when cfg->alpha_s < 0 (no model).  `seed` picks the slow nodes and
 * the delays.  The caller owns *out and attaches it as c->model. */
int netmodel_create(const struct netmodel_cfg *cfg, uint64_t seed, const struct problem *local,
                    struct comm *c, struct netmodel **out);
void netmodel_destroy(struct netmodel *m);
/* comm_allreduce_sum calls this before a counted collective of n doubles:
 * logs this rank's compute for the round (and sleeps it off for real when
 * cfg->straggler_sleep) and clears c->pending_work. */
int netmodel_before_collective(struct netmodel *m, struct comm *c, int64_t n);
/* Asynchronous workers (SPEC 3.9).  netmodel_sleep_owed: the seconds this
 * rank should really sleep for `units` of work just done (0 unless
 * straggler_sleep).  netmodel_update_start: draws this update's random
 * delay and returns the seconds to sleep for it (0 unless straggler_sleep).
 * netmodel_before_send: logs the update's modelled compute (c->pending_work
 * and the delay drawn) before a point-to-point send of n doubles, clears
 * c->pending_work. */
double netmodel_sleep_owed(const struct netmodel *m, double units);
double netmodel_update_start(struct netmodel *m);
void netmodel_before_send(struct netmodel *m, struct comm *c, int64_t n);
/* The same before a counted allgather(v) of n_total doubles in all (the
 * sum of every node's part; sparse synchronisation, issue 18). */
int netmodel_before_allgather(struct netmodel *m, struct comm *c, int64_t n_total);
/* Folds the logged rounds into c->stats.model_s (collective, uncounted). */
int netmodel_flush(struct netmodel *m, struct comm *c);
/* The compute_s in force (calibrated or given). */
double netmodel_compute_s(const struct netmodel *m);
/* T_allreduce above, for tests and the README. */
double netmodel_allreduce_s(double alpha_s, double beta_s, int nodes, int64_t n_doubles);

/* T_allgather = ceil(log2 K) alpha + (K - 1)/K * 8 n beta: recursive
 * doubling / ring allgather of n doubles in all (Thakur, Rabenseifner &
 * Gropp 2005). */
double netmodel_allgather_s(double alpha_s, double beta_s, int nodes, int64_t n_doubles);

#endif
