/*
 * csr.c - what base/ computes from the rows alone.
 */
#include "base/csr.h"

double csr_max_row_norm2(const struct dataset *ds)
{
    double best = 0.0;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double s = 0.0;
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            s += ds->values[p] * ds->values[p];
        if (s > best)
            best = s;
    }
    return best;
}
