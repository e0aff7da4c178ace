/*
 * run_cfg.c - the defaults of SPEC 1, 3 and 4 for one run, and the checks
 * of the keys every run has.
 */
#include "harness/run_cfg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

int run_cfg_init(struct run_cfg *cfg, const char *method)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->loss = LOSS_LOGISTIC;
    cfg->lambda = 0.0; /* <= 0: 1/N (SPEC 1) */
    cfg->bias = 0.0;
    cfg->nodes = 0; /* every rank of the launch (SPEC 7) */
    cfg->partition = PARTITION_RANDOM;
    cfg->step_scale = 1.0;
    cfg->step = 0.0;
    cfg->seed = 1;
    cfg->eval_every = 0.5;
    cfg->max_epochs = 50.0;
    cfg->tol = 1e-10;
    cfg->net.alpha_s = -1.0; /* no network model */
    cfg->net.straggler_factor = 1.0;
    if (!method)
        return 0;
    const algorithm *alg = algorithm_find(method);
    if (!alg)
        return ERR_INPUT;
    snprintf(cfg->algorithm, sizeof cfg->algorithm, "%s", method);
    TRY(params_init(&cfg->params, alg->params));
    return 0;
}

const char *run_cfg_check(const struct run_cfg *cfg)
{
    if (cfg->step > 0 && !isnan(cfg->step_scale) && cfg->step_scale != 1.0)
        return "step: cannot be combined with step_scale (give one of them)";
    if (!(cfg->step > 0) && (!(cfg->step_scale > 0) || !isfinite(cfg->step_scale)))
        return "step_scale must be a finite number > 0";
    return NULL;
}

void run_cfg_describe(const struct run_cfg *cfg, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
#define DESCRIBE(...)                                                                              \
    used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__)
    for (int i = 0; i < cfg->params.n; i++)
        DESCRIBE("%s=%s ", cfg->params.defs[i].name, cfg->params.v[i].text);
    if (cfg->step > 0)
        DESCRIBE("step=%g ", cfg->step);
    else
        DESCRIBE("step_scale=%g ", cfg->step_scale);
    DESCRIBE("seed=%llu", (unsigned long long)cfg->seed);
#undef DESCRIBE
}
