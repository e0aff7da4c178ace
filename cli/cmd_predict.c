/*
 * cmd_predict.c - `dsaga-bench predict` (SPEC 7, SPEC 4.1): the predicted
 * asymptotic rate of saga, dsaga, gd or local-svrg for the run the options
 * describe.
 *
 *     dsaga-bench predict --algorithm NAME --dataset DATASET [run options]
 *
 * Prints `predicted_rate_per_epoch <value>`, `predicted_tail_rate_per_epoch
 * <value>` (the tail a run of these options shows: predict.h), then
 * `rounds_per_epoch`, `log10_rho_per_epoch`, `spectral_radius` (rho(M)),
 * `state_dim`, `step_size` and `seconds`, one `name value` line each, and
 * on the matrix-free path a `path matrix-free (...)` line.  --out FILE
 * also writes the predicted checkpoints behind the tail, one tab-separated
 * row each (epoch, subopt, mean_part, variance_part, grad_norm;
 * pandas.read_csv(FILE, sep="\t")), atomically.  A method or a size it
 * cannot predict is refused in one line (exit 2).  Under mpirun only rank
 * 0 computes; --nodes defaults to the launch's ranks as for `run`.
 */
#include <cblas.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "harness/predict.h"
#include "harness/run_cfg.h"
#include "harness/trace.h"

/* --out: the predicted checkpoints, one row each (the variance part is
 * subopt less the mean part), written whole or not at all.  ERR_INPUT
 * when none were predicted. */
static int predict_write_curve(const char *path, const struct trace *t)
{
    int rc = 0;
    const double *mean = NULL;
    for (int i = 0; i < t->n_series; i++)
        if (strcmp(t->series[i].name, "mean_part") == 0)
            mean = t->series[i].v;
    if (t->n == 0 || !mean)
        INPUT_FAIL("--out %s: this configuration has no predicted checkpoints to write", path);
    struct cli_atomic out = {0};
    TRY(cli_atomic_open(&out, path));
    fputs("epoch\tsubopt\tmean_part\tvariance_part\tgrad_norm\n", out.f);
    for (int64_t j = 0; j < t->n; j++)
        fprintf(out.f, "%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", t->epoch[j], t->subopt[j], mean[j],
                t->subopt[j] - mean[j], t->grad_norm[j]);
    TRY_GOTO(cli_atomic_commit(&out));
done:
    cli_atomic_abort(&out);
    return rc;
}

int cmd_predict(int argc, char **argv, int *status)
{
    struct run_cfg cfg;
    struct predict_result res;
    const char *out_path = NULL;
    int quiet = 0;
    int help = 0;
    unsigned flags = PREDICT_MATRIX_FREE;
    (void)status;
    /* predict's own option, taken out before run's parser sees the rest */
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--per-row") == 0)
            flags |= PREDICT_PER_ROW;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    /* the options of run, parsed by run's parser: the same keys, the same
     * messages (a key the method does not declare is refused alike) */
    TRY(run_parse("predict", argc, argv, &cfg, &out_path, &quiet, &help));
    if (help) {
        if (error_rank() == 0)
            printf("\npredict: the expected linearised round map M at w* (SPEC 4.1), dense;\n"
                   "predicted_rate_per_epoch = max(2 log10 rho(M), memory refresh) * rounds per\n"
                   "epoch (harness/predict.c says why; SPEC's log10 rho(M) is printed too).\n"
                   "predicted_tail_rate_per_epoch: SPEC 4's tail fit of the mean error taken\n"
                   "through M from the run's start (w = 0, memories 0), plus for saga and\n"
                   "dsaga the stale memories' variance part, at the run's checkpoints\n"
                   "(--eval-every) until it would stop (--tol, --max-epochs); the memory\n"
                   "bound where the predicted run ends within five checkpoints: what a run of\n"
                   "that length shows when its slowest modes have not taken over yet.\n"
                   "(--out and --quiet above are run's: predict's --out is the table below,\n"
                   "--quiet is ignored.)  Methods: saga, dsaga, gd, local-svrg (its mean\n"
                   "error only: no memories, no noise model).  dsaga on data wider\n"
                   "than d = 4096 takes the matrix-free path (harness/predict_large.h): the\n"
                   "mean part and the variance part, no rho(M); minutes at n_k = 5000, plus\n"
                   "an N x N eigendecomposition once per data set, lambda and shards (13 min\n"
                   "and 24 N^2 bytes, 9.6 GB, at N = 20000; cached in $DSAGA_CACHE, default\n"
                   "~/.cache/dsaga-bench; OPENBLAS_NUM_THREADS sets its cores); above\n"
                   "N = 25000 the mean part only, floored at the memory bound.\n"
                   "Refused in one line:\n"
                   "other methods, saga, gd or local-svrg above d = 4096, maps above 4096\n"
                   "rows (local-svrg: 2 x rank), --nodes above the rows, nodes above 8192\n"
                   "rows on the matrix-free path, periods whose memories outlive 10000\n"
                   "rounds (the message names the smallest --period).\n"
                   "--out FILE: the predicted checkpoints behind the tail, a tab-separated\n"
                   "table (epoch, subopt = f - f* as a run stores it, mean_part, variance_part,\n"
                   "grad_norm = |grad f| as a run stores it)\n"
                   "to set over a run's curve; written whole or not at all, after the\n"
                   "computation; never over a results file or the data file.\n"
                   "--per-row: the variance part from 31 simulated runs that carry their\n"
                   "rows' memory ages one by one (a row's first draw in a round reads its\n"
                   "memory), the predicted tail their median and --out the median run's\n"
                   "checkpoints; without it, the expected run, each age weighted by the\n"
                   "chance a run holds it (harness/predict.c, \"Simulated runs\").\n");
        return 0;
    }
    if (cfg.nodes == 0) { /* as for run: every rank of the launch */
        int size = 1;
        MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &size));
        cfg.nodes = size;
    }
    if (error_rank() != 0)
        return 0; /* one computation per launch */
    /* main() runs OpenBLAS on one thread (each rank of a run is one
     * core); predict is one computation per launch, so its LAPACK calls
     * take the threads OPENBLAS_NUM_THREADS asks for */
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    if (threads && atoi(threads) > 1)
        openblas_set_num_threads(atoi(threads));
    struct trace curve = {0};
    /* a bad --out is refused before minutes of computation; the file
     * itself is made after it, so an interrupted predict leaves none */
    if (out_path)
        TRY(cli_check_out("predict", cfg.dataset, "data file", out_path));
    int rc = predict_run_curve(&cfg, flags, &res, out_path ? &curve : NULL);
    if (rc == 0 && out_path)
        rc = predict_write_curve(out_path, &curve);
    trace_clear(&curve);
    if (rc == ERR_INPUT && res.why[0])
        INPUT_FAIL("%s", res.why);
    TRY(rc);
    printf("predicted_rate_per_epoch %.6g\n", res.predicted_rate_per_epoch);
    printf("predicted_tail_rate_per_epoch %.6g\n", res.predicted_tail_rate_per_epoch);
    printf("rounds_per_epoch %.6g\n", res.rounds_per_epoch);
    printf("log10_rho_per_epoch %.6g\n", res.log10_rho_per_epoch);
    printf("spectral_radius %.17g\n", res.spectral_radius);
    printf("state_dim %lld\n", (long long)res.state_dim);
    printf("step_size %.6g\n", res.step_size);
    printf("seconds %.3f\n", res.seconds);
    if (res.matrix_free == 2)
        printf("path matrix-free (mean and variance parts; rho(M) not computed)\n");
    else if (res.matrix_free)
        printf("path matrix-free (mean part; rho(M) and the variance part not computed)\n");
    return 0;
}
