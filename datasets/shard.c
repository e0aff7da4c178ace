/*
 * shard.c - rows over K nodes (SPEC 3: node k holds shard S_k, n_k = |S_k|;
 * SPEC 6 figure 5: random vs by-label shards).
 *
 * Both partitions order the rows (a seeded Fisher-Yates permutation from
 * rng stream RNG_STREAM_SHARD, or a stable sort by label) and cut that
 * order into K contiguous parts whose sizes differ by at most one: the
 * first N mod K parts get one row more.  A shard keeps its rows in
 * increasing global order, so with K = 1 it is the data set row for row.
 */
#include "datasets/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"

struct label_key {
    double y;    /* label */
    int64_t row; /* global row: the tie-break that makes qsort stable */
};

static int cmp_label_key(const void *a, const void *b)
{
    const struct label_key *x = a;
    const struct label_key *y = b;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

int shard_assign(const struct dataset *ds, int nodes, enum partition how, uint64_t seed, int *owner)
{
    int rc = 0;
    int64_t n = ds->n_samples;
    int64_t *order = NULL;         /* rows in the order that is cut */
    struct label_key *keys = NULL; /* by-label sort keys */
    if (nodes < 1 || nodes > n)
        INPUT_FAIL("%s: expected 1 <= nodes <= %lld rows, got nodes = %d", ds->name, (long long)n,
                   nodes);
    if (how != PARTITION_RANDOM && how != PARTITION_LABEL)
        FAIL(ERR_INTERNAL, "unknown partition %d", (int)how);
    order = malloc((size_t)n * sizeof *order);
    if (!order)
        FAIL_GOTO(ERR_NOMEM, "shard order of %lld rows", (long long)n);
    if (how == PARTITION_RANDOM) {
        struct rng r;
        rng_seed(&r, seed, RNG_STREAM_SHARD);
        for (int64_t i = 0; i < n; i++)
            order[i] = i;
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t j = (int64_t)rng_below(&r, (uint64_t)i + 1);
            int64_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    } else {
        keys = malloc((size_t)n * sizeof *keys);
        if (!keys)
            FAIL_GOTO(ERR_NOMEM, "label keys of %lld rows", (long long)n);
        for (int64_t i = 0; i < n; i++) {
            keys[i].y = ds->y[i];
            keys[i].row = i;
        }
        qsort(keys, (size_t)n, sizeof *keys, cmp_label_key);
        for (int64_t i = 0; i < n; i++)
            order[i] = keys[i].row;
    }
    /* contiguous cut: part k has base + (k < extra) rows */
    int64_t base = n / nodes;
    int64_t extra = n % nodes;
    int64_t at = 0;
    for (int k = 0; k < nodes; k++) {
        int64_t size = base + (k < extra ? 1 : 0);
        for (int64_t t = 0; t < size; t++)
            owner[order[at++]] = k;
    }
done:
    free(order);
    free(keys);
    return rc;
}

int shard_extract(const struct dataset *ds, int nodes, int k, enum partition how, uint64_t seed,
                  struct dataset **out)
{
    int rc = 0;
    int *owner = NULL;    /* part of each row */
    int64_t *rows = NULL; /* rows of part k, increasing */
    *out = NULL;
    if (k < 0 || k >= nodes)
        FAIL(ERR_INTERNAL, "shard %d of %d", k, nodes);
    int64_t n = ds->n_samples;
    owner = malloc((size_t)(n > 0 ? n : 1) * sizeof *owner);
    rows = malloc((size_t)(n > 0 ? n : 1) * sizeof *rows);
    if (!owner || !rows)
        FAIL_GOTO(ERR_NOMEM, "shard of %lld rows", (long long)n);
    TRY_GOTO(shard_assign(ds, nodes, how, seed, owner));
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++)
        if (owner[i] == k)
            rows[count++] = i;
    TRY_GOTO(dataset_subset(ds, rows, count, out));
done:
    free(owner);
    free(rows);
    return rc;
}

int partition_parse(const char *name, enum partition *out)
{
    if (strcmp(name, "random") == 0) {
        *out = PARTITION_RANDOM;
        return 0;
    }
    if (strcmp(name, "label") == 0) {
        *out = PARTITION_LABEL;
        return 0;
    }
    return -1;
}

const char *partition_name(enum partition how)
{
    switch (how) {
    case PARTITION_RANDOM:
        return "random";
    case PARTITION_LABEL:
        return "label";
    }
    return "unknown";
}
