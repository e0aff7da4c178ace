/*
 * csr_check.h - what every fuzz target asks of a data set it got back
 * (dataset.h's invariants): rows, row_ptr from 0 to nnz, column indices in
 * range and strictly increasing in a row, every value finite.  A breach
 * aborts, so the fuzzer reports a wrong result as it reports a crash.
 */
#ifndef DSAGA_FUZZ_CSR_CHECK_H
#define DSAGA_FUZZ_CSR_CHECK_H

#include <stdlib.h>

#include "datasets/dataset.h"

static void csr_check(const struct dataset *ds)
{
    if (ds->n_samples < 1 || ds->row_ptr[0] != 0 || ds->row_ptr[ds->n_samples] != ds->nnz)
        abort();
    for (int64_t i = 0; i < ds->n_samples; i++)
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            if (ds->col_idx[p] < 0 || ds->col_idx[p] >= ds->n_features ||
                (p > ds->row_ptr[i] && ds->col_idx[p] <= ds->col_idx[p - 1]) ||
                ds->values[p] - ds->values[p] != 0) /* NaN or inf */
                abort();
}

#endif
