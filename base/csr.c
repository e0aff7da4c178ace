/*
 * csr.c - what base/ computes from the rows alone.
 */
#include "base/csr.h"

#include <cblas.h>
#include <string.h>

double csr_row_norm2(const struct dataset *ds, int64_t i)
{
    double s = 0.0;
    for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
        s += ds->values[p] * ds->values[p];
    return s;
}

double csr_max_row_norm2(const struct dataset *ds)
{
    double best = 0.0;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double s = csr_row_norm2(ds, i);
        if (s > best)
            best = s;
    }
    return best;
}

void csr_xt(const struct dataset *ds, const double *u, double *out)
{
    int64_t n = ds->n_samples;
    int64_t d = ds->n_features;
    if (ds->is_dense && n > 0 && d > 0) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, ds->values, (int)d, u, 1, 0.0,
                    out, 1);
        return;
    }
    memset(out, 0, (size_t)d * sizeof *out);
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            out[ds->col_idx[p]] += u[i] * ds->values[p];
}
