/*
 * netmodel.c - placeholder until the network model lands (issue 10):
 * no model is ever created, so comm never calls into it.
 */
#include "netmodel.h"

#include <stddef.h>

int netmodel_create(const struct run_cfg *cfg, int rank, int size, struct netmodel **out)
{
    (void)cfg;
    (void)rank;
    (void)size;
    *out = NULL;
    return 0;
}

void netmodel_destroy(struct netmodel *m) { (void)m; }

int netmodel_before_collective(struct netmodel *m, struct comm *c, int64_t n)
{
    (void)m;
    (void)c;
    (void)n;
    return 0;
}
