/*
 * csr.h - the rows of SPEC 1 in memory: struct dataset, the one type every
 * layer shares (datasets/ produces it, algorithms/ and base/objective.c read
 * it).  Functions that make or change it are in datasets/dataset.h.
 */
#ifndef DSAGA_CSR_H
#define DSAGA_CSR_H

#include <stdint.h>

/* Compressed sparse rows.  One object owns all its arrays. */
struct dataset {
    int64_t n_samples;   /* rows */
    int64_t n_features;  /* columns, the bias column included once added */
    int64_t nnz;         /* stored entries */
    int64_t *row_ptr;    /* n_samples + 1 offsets into col_idx / values */
    int32_t *col_idx;    /* 0-based, strictly increasing within a row */
    double *values;      /* finite */
    double *y;           /* labels; -1/+1 after binary mapping (SPEC 1) */
    int64_t *global_row; /* NULL, or (for a shard) each row's index in the full set */
    int is_dense;        /* every row stores all n_features columns in order, so
                          * values is the row-major n_samples x n_features matrix */
    char name[512];      /* the spec it was loaded from */
    char checksum[80];   /* sha256 of the LIBSVM text, or "synth:" + spec digest:
                          * the identity of the data in the f* cache key */
    int labels_pm1;      /* 1: y is -1/+1 by SPEC 1's mapping (or generated so),
                          * 0: raw regression targets; stored as `labels` */
};

/* ||x_i||^2 of row i. */
double csr_row_norm2(const struct dataset *ds, int64_t i);

/* <x_i, v> for a dense v of n_features entries (inline: callers loop over
 * every row, often every round). */
static inline double csr_row_dot(const struct dataset *ds, int64_t i, const double *v)
{
    double z = 0.0;
    for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
        z += ds->values[p] * v[ds->col_idx[p]];
    return z;
}

/* max_i ||x_i||^2 over the rows (SPEC 1's L_max is c times this + lambda). */
double csr_max_row_norm2(const struct dataset *ds);
/* out = X^T u: u has n_samples entries, out n_features (overwritten); BLAS
 * for dense rows. */
void csr_xt(const struct dataset *ds, const double *u, double *out);

#endif
