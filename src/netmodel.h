/*
 * netmodel.h - modelled time (issue 10): per node, compute work at a
 * calibrated rate times a straggler factor; per collective, the slowest
 * node's compute plus an allreduce cost in latency alpha and per-byte beta.
 */
#ifndef DSAGA_NETMODEL_H
#define DSAGA_NETMODEL_H

#include <stdint.h>

struct comm;
struct run_cfg;
struct netmodel;

/* Creates the model for a run, or sets *out = NULL when cfg has none.
 * The caller owns *out (netmodel_destroy). */
int netmodel_create(const struct run_cfg *cfg, int rank, int size, struct netmodel **out);
void netmodel_destroy(struct netmodel *m);
/* Called by comm_allreduce_sum before a counted collective of n doubles:
 * advances c->stats.model_s and clears c->pending_work. */
int netmodel_before_collective(struct netmodel *m, struct comm *c, int64_t n);

#endif
