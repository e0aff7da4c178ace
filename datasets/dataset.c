/*
 * dataset.c - CSR helpers shared by the reader, the generators and the
 * sharding (SPEC 1: the data; the bias column of liblinear's -B).
 */
#include "datasets/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* The caller owns the result (dataset_destroy); NULL on no memory. */
struct dataset *dataset_alloc(int64_t n_samples, int64_t nnz)
{
    struct dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->n_samples = n_samples;
    ds->nnz = nnz;
    ds->row_ptr = calloc((size_t)n_samples + 1, sizeof *ds->row_ptr);
    ds->col_idx = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *ds->col_idx);
    ds->values = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *ds->values);
    ds->y = malloc((size_t)(n_samples > 0 ? n_samples : 1) * sizeof *ds->y);
    if (!ds->row_ptr || !ds->col_idx || !ds->values || !ds->y) {
        dataset_destroy(ds);
        return NULL;
    }
    return ds;
}

void dataset_destroy(struct dataset *ds)
{
    if (!ds)
        return;
    free(ds->row_ptr);
    free(ds->col_idx);
    free(ds->values);
    free(ds->y);
    free(ds->global_row);
    free(ds);
}

int dataset_add_bias(struct dataset *ds, double bias)
{
    if (bias <= 0)
        return 0;
    int64_t n = ds->n_samples;
    int64_t nnz = ds->nnz + n;
    int32_t *col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *col);
    double *val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *val);
    if (!col || !val) {
        free(col);
        free(val);
        FAIL(ERR_NOMEM, "bias column for %lld rows", (long long)n);
    }
    /* Walk rows from the front; row_ptr is rewritten in place. */
    int64_t out = 0;
    int64_t start = ds->row_ptr[0];
    for (int64_t i = 0; i < n; i++) {
        int64_t end = ds->row_ptr[i + 1];
        for (int64_t p = start; p < end; p++) {
            col[out] = ds->col_idx[p];
            val[out] = ds->values[p];
            out++;
        }
        col[out] = (int32_t)ds->n_features;
        val[out] = bias;
        out++;
        start = end;
        ds->row_ptr[i + 1] = out;
    }
    free(ds->col_idx);
    free(ds->values);
    ds->col_idx = col;
    ds->values = val;
    ds->nnz = nnz;
    ds->n_features += 1;
    /* a dense matrix stays dense: the bias is its last column */
    return 0;
}

int dataset_subset(const struct dataset *ds, const int64_t *rows, int64_t n_rows,
                   struct dataset **out)
{
    *out = NULL;
    int64_t nnz = 0;
    for (int64_t r = 0; r < n_rows; r++)
        nnz += ds->row_ptr[rows[r] + 1] - ds->row_ptr[rows[r]];
    struct dataset *sub = dataset_alloc(n_rows, nnz);
    if (!sub)
        FAIL(ERR_NOMEM, "subset of %lld rows", (long long)n_rows);
    sub->global_row = malloc((size_t)(n_rows > 0 ? n_rows : 1) * sizeof *sub->global_row);
    if (!sub->global_row) {
        dataset_destroy(sub);
        FAIL(ERR_NOMEM, "subset of %lld rows", (long long)n_rows);
    }
    sub->n_features = ds->n_features;
    sub->is_dense = ds->is_dense;
    sub->labels_pm1 = ds->labels_pm1;
    memcpy(sub->name, ds->name, sizeof sub->name);
    memcpy(sub->checksum, ds->checksum, sizeof sub->checksum);
    int64_t at = 0;
    for (int64_t r = 0; r < n_rows; r++) {
        int64_t i = rows[r];
        int64_t len = ds->row_ptr[i + 1] - ds->row_ptr[i];
        memcpy(sub->col_idx + at, ds->col_idx + ds->row_ptr[i], (size_t)len * sizeof(int32_t));
        memcpy(sub->values + at, ds->values + ds->row_ptr[i], (size_t)len * sizeof(double));
        at += len;
        sub->row_ptr[r + 1] = at;
        sub->y[r] = ds->y[i];
        sub->global_row[r] = ds->global_row ? ds->global_row[i] : i;
    }
    *out = sub;
    return 0;
}
