/*
 * cmd_data.c - `info DATASET` and `fstar DATASET` (SPEC 7): what a data set
 * holds, and the exact optimum of its problem (SPEC 1).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/loss.h"
#include "base/objective.h"
#include "cli/cli.h"
#include "datasets/dataset.h"
#include "harness/fstar.h"

static const char info_usage[] =
    "usage: dsaga-bench info DATASET\n"
    "  DATASET: a manifest name (a9a), a LIBSVM file (plain, .xz, .bz2), or a\n"
    "  synthetic spec such as synth-sparse:n=20000,d=47000,nnz=75,seed=1.\n"
    "Prints rows, features, nnz, the label counts (as the logistic loss maps\n"
    "them; regression targets: how many distinct values), l_max of the\n"
    "logistic loss at lambda = 1/N, and the data's checksum.\n";

static const char fstar_usage[] =
    "usage: dsaga-bench fstar DATASET [--loss logistic|squared] [--lambda X] [--bias B]\n"
    "  --loss    logistic (default) or squared\n"
    "  --lambda  l2 regularisation (default 1/N)\n"
    "  --bias    append a constant feature B (default none)\n"
    "Prints f* (17 digits) of SPEC 1's problem, cached by the data's checksum.\n";

int cmd_info(int argc, char **argv, int *status)
{
    (void)status;
    int rc = 0;
    struct dataset *ds = NULL;
    if (cli_wants_help(argc, argv)) {
        if (error_rank() == 0)
            fputs(info_usage, stdout);
        return 0;
    }
    if (argc < 2)
        INPUT_FAIL("info: expected a DATASET (name, LIBSVM path or synthetic spec)");
    if (argc > 2)
        INPUT_FAIL("info: unexpected argument \"%s\"", argv[2]);
    TRY_GOTO(dataset_load(argv[1], LABELS_RAW, &ds));
    /* label counts: with at most two values, mapped as the logistic loss
     * sees them (SPEC 1: the larger value is +1) */
    double lab[2] = {0, 0};
    int n_lab = 0;
    int more = 0;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double y = ds->y[i];
        if ((n_lab >= 1 && y == lab[0]) || (n_lab == 2 && y == lab[1]))
            continue;
        if (n_lab < 2)
            lab[n_lab++] = y;
        else
            more = 1;
    }
    double c = loss_curvature(LOSS_LOGISTIC);
    double l_max = c * csr_max_row_norm2(ds) + 1.0 / (double)ds->n_samples;
    if (error_rank() == 0) {
        printf("rows %" PRId64 "\n", ds->n_samples);
        printf("features %" PRId64 "\n", ds->n_features);
        printf("nnz %" PRId64 "\n", ds->nnz);
        if (!more && n_lab > 0) {
            double hi = n_lab == 2 && lab[1] > lab[0] ? lab[1] : lab[0];
            int64_t n_pos = 0;
            for (int64_t i = 0; i < ds->n_samples; i++)
                n_pos += ds->y[i] == hi && (n_lab == 2 || hi > 0);
            printf("label_-1 %" PRId64 "\n", ds->n_samples - n_pos);
            printf("label_+1 %" PRId64 "\n", n_pos);
        } else if (more) {
            int64_t distinct = 0; /* regression targets: how many values */
            double *y = malloc((size_t)ds->n_samples * sizeof(double));
            if (!y)
                FAIL_GOTO(ERR_NOMEM, "no memory for %lld labels", (long long)ds->n_samples);
            memcpy(y, ds->y, (size_t)ds->n_samples * sizeof(double));
            for (int64_t i = 0; i < ds->n_samples; i++) { /* insertion-free count */
                int seen = 0;
                for (int64_t j = 0; j < distinct && !seen; j++)
                    seen = y[j] == ds->y[i];
                if (!seen)
                    y[distinct++] = ds->y[i];
                if (distinct > 1000)
                    break;
            }
            free(y);
            printf("labels_distinct %s%" PRId64 "\n", distinct > 1000 ? ">" : "",
                   distinct > 1000 ? 1000 : distinct);
        }
        printf("l_max %.17g\n", l_max);
        printf("checksum %s\n", ds->checksum);
    }
done:
    dataset_destroy(ds);
    return rc;
}

struct fstar_args {
    const char *spec;
    enum loss_kind loss;
    double lambda;
    double bias;
};

static const struct option fstar_opts[] = {
    {"loss", required_argument, NULL, 'L'},
    {"lambda", required_argument, NULL, 'l'},
    {"bias", required_argument, NULL, 'B'},
    {NULL, 0, NULL, 0},
};

static int fstar_opt(int index, int c, const char *v, void *user)
{
    (void)index;
    struct fstar_args *a = user;
    switch (c) {
    case 'L':
        if (loss_parse(v, &a->loss) != 0)
            INPUT_FAIL("--loss: expected logistic or squared, got \"%s\"", v);
        return 0;
    case 'l':
        return cli_double("--lambda", v, 0.0, 1, INFINITY, &a->lambda);
    case 'B':
        return cli_double("--bias", v, 0.0, 0, INFINITY, &a->bias);
    default:
        INPUT_FAIL("fstar: unexpected option (see dsaga-bench fstar --help)");
    }
}

static int fstar_arg(const char *text, void *user)
{
    struct fstar_args *a = user;
    if (a->spec)
        INPUT_FAIL("fstar: unexpected argument \"%s\"", text);
    a->spec = text;
    return 0;
}

int cmd_fstar(int argc, char **argv, int *status)
{
    int rc = 0;
    struct dataset *ds = NULL;
    struct fstar_args a = {NULL, LOSS_LOGISTIC, 0.0, 0.0};
    (void)status;
    if (cli_wants_help(argc, argv)) {
        if (error_rank() == 0)
            fputs(fstar_usage, stdout);
        return 0;
    }
    TRY(cli_parse("fstar", argc, argv, fstar_opts, "", fstar_opt, fstar_arg, &a));
    if (!a.spec)
        INPUT_FAIL("fstar: expected a DATASET (name, LIBSVM path or synthetic spec)");
    TRY_GOTO(dataset_load(a.spec, a.loss == LOSS_LOGISTIC ? LABELS_BINARY : LABELS_AUTO, &ds));
    TRY_GOTO(dataset_add_bias(ds, a.bias));
    if (!(a.lambda > 0))
        a.lambda = 1.0 / (double)ds->n_samples; /* SPEC 1 default */
    struct problem p = {ds, a.loss, a.lambda, ds->n_samples};
    struct fstar_result fr;
    TRY_GOTO(fstar_cached(&p, a.bias, &fr));
    if (error_rank() == 0) {
        printf("fstar %.17g\n", fr.fstar);
        printf("grad_norm %.6e\n", fr.grad_norm);
    }
done:
    dataset_destroy(ds);
    return rc;
}
