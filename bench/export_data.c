/*
 * export_data.c - writes a DATASET (SPEC 7: name, path or synthetic spec)
 * as LIBSVM text, so that another solver (scikit-learn in bench_saga.py)
 * reads exactly the rows this suite trains on.
 *
 *     export_data DATASET OUT.svm
 */
#include <stdio.h>

#include "datasets/dataset.h"
#include "base/error.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: export_data DATASET OUT.svm\n");
        return 2;
    }
    struct dataset *ds = NULL;
    int rc = dataset_load(argv[1], LABELS_BINARY, &ds);
    if (rc == 0)
        rc = libsvm_write(argv[2], ds);
    if (rc == 0)
        printf("rows %lld\nfeatures %lld\nnnz %lld\n", (long long)ds->n_samples,
               (long long)ds->n_features, (long long)ds->nnz);
    dataset_destroy(ds);
    return rc == 0 ? 0 : (rc == ERR_INPUT ? 2 : 1);
}
