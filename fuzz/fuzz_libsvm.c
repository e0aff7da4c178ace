/*
 * fuzz_libsvm.c - libFuzzer target for the LIBSVM parser (datasets/libsvm.c,
 * SPEC 7: malformed input is one ERR_INPUT line, never a crash).  Every
 * input goes through both label modes; a success must give a consistent
 * CSR (csr_check.h: the fuzzer finds wrong results as well as crashes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "datasets/dataset.h"
#include "base/error.h"
#include "fuzz/csr_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        struct dataset *ds = NULL;
        int rc = libsvm_parse("fuzz", (const char *)data, size, (enum label_mode)mode, 0, &ds);
        if (rc == 0)
            csr_check(ds);
        else if (rc != ERR_INPUT || ds != NULL)
            abort();
        dataset_destroy(ds);
    }
    return 0;
}
