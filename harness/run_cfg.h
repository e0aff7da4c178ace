/*
 * run_cfg.h - one run as the user asked for it (a command line or one grid
 * cell): what every run has, plus the method's own keys (SPEC 3.10) in a
 * key/value set read through base/params.h's typed getters.
 */
#ifndef DSAGA_RUN_CFG_H
#define DSAGA_RUN_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/algorithm.h"
#include "base/loss.h"
#include "base/netmodel.h"
#include "base/params.h"
#include "datasets/dataset.h"

struct run_cfg {
    char algorithm[32];
    char dataset[512];
    enum loss_kind loss;
    double lambda; /* <= 0: the default 1/N (SPEC 1) */
    double bias;   /* > 0: constant feature appended (SPEC 1) */
    int nodes;     /* K; 0 = every rank of the launch */
    enum partition partition;
    double step_scale; /* multiplies the default step (SPEC 4); NaN when a step is given */
    double step;       /* > 0: this step, ignoring the rule and scale */
    uint64_t seed;
    double eval_every; /* epochs between checkpoints */
    double max_epochs;
    double tol;              /* relative: stop when subopt <= tol f(0) */
    struct netmodel_cfg net; /* network model (issue 10); net.alpha_s < 0: none */
    struct params params;    /* the algorithm's own keys (SPEC 3.10) */
};

/* Fills cfg with SPEC's defaults for `method` (logistic, lambda 1/N,
 * random shards, step_scale 1, seed 1, eval_every 0.5, 50 epochs, tol
 * 1e-10, no network model) and the method's declared defaults.  ERR_INPUT
 * for an unknown method (nothing printed); NULL method: common
 * defaults only, no method keys. */
int run_cfg_init(struct run_cfg *cfg, const char *method);

/* The common keys' bounds that need more than one key (NULL, or a sentence
 * naming the key and bound). */
const char *run_cfg_check(const struct run_cfg *cfg);

/* "period=0.5n aggregate=mean step_scale=2 seed=1": what tells this run
 * apart from its neighbours in a grid (the method's keys as written, the
 * step and the seed), for progress lines and --dry-run. */
void run_cfg_describe(const struct run_cfg *cfg, char *buf, size_t size);

#endif
