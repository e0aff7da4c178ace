/*
 * test_shard_read.c - shard-only reading (issue 18): dataset_scan, then
 * dataset_load_rows of one part, must give the very rows that loading the
 * whole set, adding the bias column and shard_extract give (bit for bit),
 * for files (plain and .xz) and synthetic specs, both partitions, K = 1-4;
 * a file that changes between the two passes is refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "datasets/dataset.h"

static char dir[] = "/tmp/dsaga-shard-read.XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A LIBSVM file of n rows with labels 3 / 7 (mapped to -1 / +1), an empty
 * row, values with many digits, written as text. */
static void write_file(const char *path, int n, int salt)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%d", (i * 7 + salt) % 3 ? 3 : 7);
        if (i % 11 != 4)
            for (int j = 1; j <= 40; j += 1 + (i + j) % 5)
                fprintf(f, " %d:%.17g", j, (double)(i + 1) / (double)(j + 3) - 0.25);
        fputc('\n', f);
    }
    fclose(f);
}

static void assert_same_rows(const struct dataset *a, const struct dataset *b)
{
    cr_assert_eq(a->n_samples, b->n_samples);
    cr_assert_eq(a->n_features, b->n_features);
    cr_assert_eq(a->nnz, b->nnz);
    cr_assert_eq(a->labels_pm1, b->labels_pm1);
    cr_assert_str_eq(a->checksum, b->checksum);
    cr_assert_eq(memcmp(a->row_ptr, b->row_ptr, (size_t)(a->n_samples + 1) * sizeof *a->row_ptr),
                 0);
    cr_assert_eq(memcmp(a->col_idx, b->col_idx, (size_t)a->nnz * sizeof *a->col_idx), 0);
    cr_assert_eq(memcmp(a->values, b->values, (size_t)a->nnz * sizeof *a->values), 0);
    cr_assert_eq(memcmp(a->y, b->y, (size_t)a->n_samples * sizeof *a->y), 0);
    cr_assert_not_null(b->global_row);
    for (int64_t i = 0; i < a->n_samples; i++)
        cr_assert_eq(a->global_row ? a->global_row[i] : i, b->global_row[i]);
}

/* Every part of every K and partition of spec, both ways. */
static void check_spec(const char *spec, double bias)
{
    struct dataset *whole = NULL;
    struct dataset *scan = NULL;
    cr_assert_eq(dataset_load(spec, LABELS_BINARY, &whole), 0);
    cr_assert_eq(dataset_add_bias(whole, bias), 0);
    cr_assert_eq(dataset_scan(spec, LABELS_BINARY, &scan), 0);
    cr_assert_eq(scan->n_samples, whole->n_samples);
    cr_assert_null(scan->values, "a scan keeps no pair");
    int *owner = malloc((size_t)scan->n_samples * sizeof *owner);
    for (int K = 1; K <= 4; K++)
        for (int how = 0; how < 2; how++) {
            cr_assert_eq(shard_assign(scan, K, (enum partition)how, 17, owner), 0);
            for (int k = 0; k < K; k++) {
                struct dataset *want = NULL;
                struct dataset *got = NULL;
                cr_assert_eq(shard_extract(whole, K, k, (enum partition)how, 17, &want), 0);
                cr_assert_eq(dataset_load_rows(spec, scan, owner, k, bias, &got), 0);
                assert_same_rows(want, got);
                dataset_destroy(want);
                dataset_destroy(got);
            }
        }
    free(owner);
    dataset_destroy(scan);
    dataset_destroy(whole);
}

Test(shard_read, plain_file_equals_whole_then_extract, .init = setup, .fini = teardown)
{
    char path[200];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    write_file(path, 97, 0);
    check_spec(path, 0.0);
    check_spec(path, 1.0);
}

Test(shard_read, xz_file_equals_whole_then_extract, .init = setup, .fini = teardown)
{
    char path[200];
    char cmd[300];
    snprintf(path, sizeof path, "%s/b.txt", dir);
    write_file(path, 61, 1);
    snprintf(cmd, sizeof cmd, "xz -z %s", path);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/b.txt.xz", dir);
    check_spec(path, 0.5);
}

Test(shard_read, synthetic_equals_whole_then_extract, .init = setup, .fini = teardown)
{
    check_spec("synth-sparse:n=300,d=500,nnz=7,seed=3", 1.0);
    check_spec("synth-dense:n=120,d=6,cond=10,seed=2", 0.0);
}

Test(shard_read, a_file_changed_between_passes_is_refused, .init = setup, .fini = teardown)
{
    char path[200];
    snprintf(path, sizeof path, "%s/c.txt", dir);
    write_file(path, 40, 0);
    struct dataset *scan = NULL;
    struct dataset *got = NULL;
    cr_assert_eq(dataset_scan(path, LABELS_BINARY, &scan), 0);
    int owner[40];
    cr_assert_eq(shard_assign(scan, 2, PARTITION_RANDOM, 1, owner), 0);
    write_file(path, 40, 1); /* same rows, other labels */
    cr_assert_eq(dataset_load_rows(path, scan, owner, 0, 0.0, &got), ERR_IO);
    cr_assert_null(got);
    write_file(path, 41, 0); /* one row more */
    cr_assert_eq(dataset_load_rows(path, scan, owner, 1, 0.0, &got), ERR_IO);
    cr_assert_null(got);
    dataset_destroy(scan);
}

Test(shard_read, scan_reports_bad_input_like_load, .init = setup, .fini = teardown)
{
    char path[200];
    snprintf(path, sizeof path, "%s/d.txt", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "1 1:2\n-1 1:1e200 2:1e200\n");
    fclose(f);
    struct dataset *scan = NULL;
    cr_assert_eq(dataset_scan(path, LABELS_BINARY, &scan), ERR_INPUT, "an overflowing norm");
    f = fopen(path, "w");
    fprintf(f, "1 1:2\n-1 2:1 1:1\n");
    fclose(f);
    cr_assert_eq(dataset_scan(path, LABELS_BINARY, &scan), ERR_INPUT, "decreasing indices");
    cr_assert_null(scan);
}
