/*
 * fuzz_libsvm.c - libFuzzer target for the LIBSVM parser (datasets/libsvm.c,
 * SPEC 7: malformed input is one ERR_INPUT line, never a crash).  Every
 * input goes through both label modes; a success must give a consistent
 * CSR (checked here, so the fuzzer finds wrong results as well as crashes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../datasets/dataset.h"
#include "../src/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct dataset *ds)
{
    if (ds->n_samples < 1 || ds->row_ptr[0] != 0 || ds->row_ptr[ds->n_samples] != ds->nnz)
        abort();
    for (int64_t i = 0; i < ds->n_samples; i++)
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++) {
            if (ds->col_idx[p] < 0 || ds->col_idx[p] >= ds->n_features)
                abort();
            if (p > ds->row_ptr[i] && ds->col_idx[p] <= ds->col_idx[p - 1])
                abort();
            if (ds->values[p] - ds->values[p] != 0) /* NaN or inf */
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        struct dataset *ds = NULL;
        int rc = libsvm_parse("fuzz", (const char *)data, size, (enum label_mode)mode, 0, &ds);
        if (rc == 0)
            check(ds);
        else if (rc != ERR_INPUT || ds != NULL)
            abort();
        dataset_destroy(ds);
    }
    return 0;
}
