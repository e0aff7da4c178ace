/*
 * test_shard.c - rows over K nodes (datasets/shard.c; SPEC 3 shards).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "tests/stderr_capture.h"
#include "base/error.h"

/* n rows, row i = (i+1) at column i % 5 plus a second entry on odd rows;
 * labels: the first n_pos rows +1, the rest -1, interleaved when mix. */
static struct dataset *toy(int64_t n, int64_t n_pos, int mix)
{
    struct dataset *ds = dataset_alloc(n, 2 * n);
    cr_assert_not_null(ds);
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        ds->col_idx[at] = (int32_t)(i % 5);
        ds->values[at++] = (double)(i + 1);
        if (i % 2) {
            ds->col_idx[at] = 6;
            ds->values[at++] = -(double)i;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] = (mix ? (i * 7) % n < n_pos : i < n_pos) ? 1.0 : -1.0;
    }
    ds->nnz = at;
    ds->n_features = 7;
    strcpy(ds->name, "toy");
    return ds;
}

Test(shard, covers_every_row_once_balanced)
{
    const int64_t n = 103;
    struct dataset *ds = toy(n, 40, 1);
    for (int how = 0; how < 2; how++)
        for (int K = 1; K <= 7; K++) {
            int *owner = malloc(n * sizeof *owner);
            cr_assert_eq(shard_assign(ds, K, (enum partition)how, 11, owner), 0);
            int64_t size[8] = {0};
            for (int64_t i = 0; i < n; i++) {
                cr_assert(owner[i] >= 0 && owner[i] < K);
                size[owner[i]]++;
            }
            int64_t lo = n, hi = 0;
            for (int k = 0; k < K; k++) {
                lo = size[k] < lo ? size[k] : lo;
                hi = size[k] > hi ? size[k] : hi;
            }
            cr_assert(hi - lo <= 1, "K=%d how=%d sizes %lld..%lld", K, how, (long long)lo,
                      (long long)hi);
            /* the extracted shards: increasing global rows, exact row copies,
             * each global row exactly once over all shards */
            int *seen = calloc(n, sizeof *seen);
            for (int k = 0; k < K; k++) {
                struct dataset *s = NULL;
                cr_assert_eq(shard_extract(ds, K, k, (enum partition)how, 11, &s), 0);
                cr_assert_eq(s->n_samples, size[k]);
                cr_assert_eq(s->n_features, ds->n_features);
                for (int64_t r = 0; r < s->n_samples; r++) {
                    int64_t g = s->global_row[r];
                    if (r > 0)
                        cr_assert(g > s->global_row[r - 1], "increasing global order");
                    cr_assert_eq(owner[g], k);
                    seen[g]++;
                    int64_t len = ds->row_ptr[g + 1] - ds->row_ptr[g];
                    cr_assert_eq(s->row_ptr[r + 1] - s->row_ptr[r], len);
                    cr_assert_eq(memcmp(s->values + s->row_ptr[r], ds->values + ds->row_ptr[g],
                                        (size_t)len * 8),
                                 0);
                    cr_assert_eq(memcmp(s->col_idx + s->row_ptr[r], ds->col_idx + ds->row_ptr[g],
                                        (size_t)len * 4),
                                 0);
                    cr_assert(s->y[r] == ds->y[g]);
                }
                dataset_destroy(s);
            }
            for (int64_t i = 0; i < n; i++)
                cr_assert_eq(seen[i], 1, "row %lld", (long long)i);
            free(seen);
            free(owner);
        }
    dataset_destroy(ds);
}

Test(shard, one_node_is_identity)
{
    struct dataset *ds = toy(50, 20, 1);
    for (int how = 0; how < 2; how++) {
        struct dataset *s = NULL;
        cr_assert_eq(shard_extract(ds, 1, 0, (enum partition)how, 3, &s), 0);
        cr_assert_eq(s->n_samples, ds->n_samples);
        cr_assert_eq(s->nnz, ds->nnz);
        cr_assert_eq(memcmp(s->row_ptr, ds->row_ptr, 51 * 8), 0);
        cr_assert_eq(memcmp(s->col_idx, ds->col_idx, (size_t)ds->nnz * 4), 0);
        cr_assert_eq(memcmp(s->values, ds->values, (size_t)ds->nnz * 8), 0);
        cr_assert_eq(memcmp(s->y, ds->y, 50 * 8), 0);
        for (int64_t i = 0; i < 50; i++)
            cr_assert_eq(s->global_row[i], i);
        cr_assert_str_eq(s->checksum, ds->checksum);
        dataset_destroy(s);
    }
    dataset_destroy(ds);
}

Test(shard, by_label_parts_are_homogeneous)
{
    /* 60 rows, 30 per label, interleaved */
    struct dataset *ds = toy(60, 30, 1);
    int owner[60];
    for (int K = 2; K <= 6; K += 2) { /* K even: every part fits inside one label */
        cr_assert_eq(shard_assign(ds, K, PARTITION_LABEL, 0, owner), 0);
        for (int k = 0; k < K; k++) {
            int pos = 0, neg = 0;
            for (int i = 0; i < 60; i++)
                if (owner[i] == k)
                    pos += ds->y[i] > 0, neg += ds->y[i] < 0;
            cr_assert(pos == 0 || neg == 0, "K=%d part %d mixes labels", K, k);
            /* -1 sorts first: the first half of the parts hold -1 */
            cr_assert(k < K / 2 ? neg > 0 : pos > 0);
        }
    }
    /* K = 3: sizes 20; only the middle part can mix */
    cr_assert_eq(shard_assign(ds, 3, PARTITION_LABEL, 0, owner), 0);
    int mixed = 0;
    for (int k = 0; k < 3; k++) {
        int pos = 0, neg = 0;
        for (int i = 0; i < 60; i++)
            if (owner[i] == k)
                pos += ds->y[i] > 0, neg += ds->y[i] < 0;
        mixed += pos > 0 && neg > 0;
        if (k != 1)
            cr_assert(pos == 0 || neg == 0);
    }
    cr_assert_eq(mixed, 1);
    /* stable: within one label, rows keep their order along the parts */
    cr_assert_eq(shard_assign(ds, 6, PARTITION_LABEL, 99, owner), 0);
    int last = -1;
    for (int i = 0; i < 60; i++)
        if (ds->y[i] < 0) {
            cr_assert(owner[i] >= last);
            last = owner[i];
        }
    dataset_destroy(ds);
}

Test(shard, random_is_seeded)
{
    struct dataset *ds = toy(200, 100, 0);
    int a[200], b[200], c[200];
    cr_assert_eq(shard_assign(ds, 4, PARTITION_RANDOM, 5, a), 0);
    cr_assert_eq(shard_assign(ds, 4, PARTITION_RANDOM, 5, b), 0);
    cr_assert_eq(shard_assign(ds, 4, PARTITION_RANDOM, 6, c), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    cr_assert_neq(memcmp(a, c, sizeof a), 0);
    /* not a contiguous cut of the original order: part 0 is not rows 0..49 */
    int contiguous = 1;
    for (int i = 0; i < 50; i++)
        contiguous &= a[i] == a[0];
    cr_assert(!contiguous);
    /* labels sorted in the input (100 +1 then 100 -1): a random part sees both */
    for (int k = 0; k < 4; k++) {
        int pos = 0, neg = 0;
        for (int i = 0; i < 200; i++)
            if (a[i] == k)
                pos += ds->y[i] > 0, neg += ds->y[i] < 0;
        cr_assert(pos > 0 && neg > 0);
    }
    dataset_destroy(ds);
}

Test(shard, bad_node_counts)
{
    struct dataset *ds = toy(5, 2, 0);
    int owner[5];
    struct stderr_capture cap;
    stderr_capture_begin(&cap);
    int too_many = shard_assign(ds, 6, PARTITION_RANDOM, 0, owner);
    int zero = shard_assign(ds, 0, PARTITION_LABEL, 0, owner);
    struct dataset *s = (struct dataset *)1;
    int ext = shard_extract(ds, 6, 0, PARTITION_RANDOM, 0, &s);
    char msg[1024];
    stderr_capture_end(&cap, msg, sizeof msg);
    cr_assert_eq(too_many, ERR_INPUT);
    cr_assert_eq(zero, ERR_INPUT);
    cr_assert_eq(ext, ERR_INPUT);
    cr_assert_null(s);
    cr_assert(strstr(msg, "nodes = 6"), "%s", msg);
    cr_assert_eq(shard_assign(ds, 5, PARTITION_RANDOM, 0, owner), 0, "K = N is fine");
    dataset_destroy(ds);
}

Test(shard, partition_names)
{
    enum partition p;
    cr_assert_eq(partition_parse("random", &p), 0);
    cr_assert_eq(p, PARTITION_RANDOM);
    cr_assert_eq(partition_parse("label", &p), 0);
    cr_assert_eq(p, PARTITION_LABEL);
    cr_assert_eq(partition_parse("labels", &p), -1);
    cr_assert_str_eq(partition_name(PARTITION_RANDOM), "random");
    cr_assert_str_eq(partition_name(PARTITION_LABEL), "label");
}
