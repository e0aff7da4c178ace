/*
 * registry.c - the one table of algorithms (STYLE 1), the run defaults of
 * SPEC 1, 3 and 4, and the aggregate names of SPEC 3.2.
 *
 * Adding a baseline = one new .c file defining `const algorithm
 * algorithm_<name>` + one line in the table below.
 */
#include <string.h>

#include "algorithms/algorithm.h"

extern const algorithm algorithm_saga;
extern const algorithm algorithm_dsaga;
extern const algorithm algorithm_sgd;
extern const algorithm algorithm_local_sgd;
extern const algorithm algorithm_gd;

static const algorithm *const registry[] = {
    &algorithm_saga, &algorithm_dsaga, &algorithm_sgd, &algorithm_local_sgd, &algorithm_gd,
};

#define REGISTRY_SIZE ((int)(sizeof registry / sizeof registry[0]))

const algorithm *algorithm_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < REGISTRY_SIZE; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const algorithm *algorithm_at(int i)
{
    return i >= 0 && i < REGISTRY_SIZE ? registry[i] : NULL;
}

/* SPEC defaults: logistic, lambda = 1/N, every rank, period half a local
 * epoch, mean aggregation, random shards, batch 1, the default step rule,
 * seed 1, a checkpoint every half epoch, 50 epochs, tol 1e-10, no network
 * model. */
void run_cfg_defaults(struct run_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->loss = LOSS_LOGISTIC;
    cfg->lambda = 0.0; /* <= 0: 1/N (SPEC 1) */
    cfg->bias = 0.0;
    cfg->nodes = 0; /* every rank of the launch (SPEC 7) */
    cfg->period = 0.5;
    cfg->period_is_fraction = 1;
    cfg->aggregate = AGG_MEAN;
    cfg->sync = SYNC_AUTO; /* ISSUE-18 */
    cfg->partition = PARTITION_RANDOM;
    cfg->batch = 1;
    cfg->step_scale = 1.0;
    cfg->step = 0.0;
    cfg->step_constant = 0;
    cfg->seed = 1;
    cfg->eval_every = 0.5;
    cfg->max_epochs = 50.0;
    cfg->tol = 1e-10;
    cfg->net_alpha_s = -1.0; /* no network model */
    cfg->net_beta_s = 0.0;
    cfg->compute_s = 0.0;
    cfg->straggler_factor = 1.0;
    cfg->straggler_nodes = 0;
    cfg->straggler_delay_s = 0.0;
    cfg->straggler_sleep = 0;
}

int aggregate_parse(const char *name, enum aggregate *out)
{
    if (name && strcmp(name, "mean") == 0) {
        *out = AGG_MEAN;
        return 0;
    }
    if (name && strcmp(name, "sum") == 0) {
        *out = AGG_SUM;
        return 0;
    }
    return -1;
}

const char *aggregate_name(enum aggregate agg)
{
    return agg == AGG_SUM ? "sum" : "mean";
}

/* ISSUE-18: dsaga's `sync` key. */
int sync_parse(const char *name, enum sync_mode *out)
{
    static const char *const names[] = {"auto", "dense", "sparse"};
    for (int i = 0; i < 3; i++) {
        if (name && strcmp(name, names[i]) == 0) {
            *out = (enum sync_mode)i;
            return 0;
        }
    }
    return -1;
}

const char *sync_name(enum sync_mode mode)
{
    return mode == SYNC_DENSE ? "dense" : mode == SYNC_SPARSE ? "sparse" : "auto";
}
