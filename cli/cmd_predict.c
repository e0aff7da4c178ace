/*
 * cmd_predict.c - `dsaga-bench predict` (SPEC 7, SPEC 4.1): the predicted
 * asymptotic rate of saga, dsaga or gd for the run the options describe.
 *
 *     dsaga-bench predict --algorithm NAME --dataset DATASET [run options]
 *
 * Prints `predicted_rate_per_epoch <value>`, then the rounds per epoch it
 * assumed, rho(M), the size of M, the step and the seconds it took.  A
 * method or a size it cannot predict is refused in one line (exit 2).
 * Under mpirun only rank 0 computes; --nodes defaults to the launch's ranks
 * as for `run`.
 */
#include "cli/cmd_predict.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "base/error.h"
#include "datasets/dataset.h"
#include "harness/predict.h"

static const char predict_usage[] =
    "usage: dsaga-bench predict --algorithm saga|dsaga|gd --dataset DATASET [options]\n"
    "\n"
    "The expected linearised round map M at w* (SPEC 4.1), dense, and\n"
    "predicted_rate_per_epoch = max(2 log10 rho(M), memory refresh) * rounds per\n"
    "epoch (harness/predict.c says why; SPEC's log10 rho(M) is printed too).\n"
    "\n"
    "options (as for run; the others of run are accepted and ignored):\n"
    "  --nodes K             nodes (default: the ranks of mpirun)\n"
    "  --period P            local steps per round: 100, or 0.5n (default 0.5n)\n"
    "  --aggregate mean|sum  (default mean)\n"
    "  --partition random|label   (default random)\n"
    "  --seed S              the run's seed: the same shards\n"
    "  --step-scale S | --step ETA\n"
    "  --loss logistic|squared, --lambda X, --bias B\n"
    "\n"
    "Refused in one line: other methods, d above 4096, and maps above 4096\n"
    "rows ((K + 1) r and 3 r for dsaga, r = rank of the data).\n";

/* Each parser: 0, or ERR_INPUT after one line naming the option. */
static int predict_parse_double(const char *opt, const char *text, double lo, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v) || !(v > lo))
        INPUT_FAIL("--%s: expected a number > %g, got \"%s\"", opt, lo, text);
    *out = v;
    return 0;
}

/* SPEC 7: "100" = 100 local steps, "0.5n" = half a local epoch. */
static int predict_parse_period(const char *text, struct run_cfg *cfg)
{
    size_t len = strlen(text);
    char *end = NULL;
    errno = 0;
    if (len > 1 && text[len - 1] == 'n') {
        double v = strtod(text, &end);
        if (end == text + len - 1 && errno != ERANGE && isfinite(v) && v > 0) {
            cfg->period = v;
            cfg->period_is_fraction = 1;
            return 0;
        }
    } else if (len > 0) {
        long long v = strtoll(text, &end, 10);
        if (*end == '\0' && errno != ERANGE && v >= 1) {
            cfg->period = (double)v;
            cfg->period_is_fraction = 0;
            return 0;
        }
    }
    INPUT_FAIL("--period: expected a number of steps or a fraction like 0.5n, got \"%s\"", text);
}

enum {
    OPT_ALGORITHM = 1,
    OPT_DATASET,
    OPT_NODES,
    OPT_PERIOD,
    OPT_AGGREGATE,
    OPT_PARTITION,
    OPT_SEED,
    OPT_STEP_SCALE,
    OPT_STEP,
    OPT_LOSS,
    OPT_LAMBDA,
    OPT_BIAS,
    OPT_IGNORED,
    OPT_HELP
};

int cmd_predict(int argc, char **argv)
{
    static const struct option options[] = {
        {"algorithm", required_argument, NULL, OPT_ALGORITHM},
        {"dataset", required_argument, NULL, OPT_DATASET},
        {"nodes", required_argument, NULL, OPT_NODES},
        {"period", required_argument, NULL, OPT_PERIOD},
        {"aggregate", required_argument, NULL, OPT_AGGREGATE},
        {"partition", required_argument, NULL, OPT_PARTITION},
        {"seed", required_argument, NULL, OPT_SEED},
        {"step-scale", required_argument, NULL, OPT_STEP_SCALE},
        {"step", required_argument, NULL, OPT_STEP},
        {"loss", required_argument, NULL, OPT_LOSS},
        {"lambda", required_argument, NULL, OPT_LAMBDA},
        {"bias", required_argument, NULL, OPT_BIAS},
        /* run options that do not change the map */
        {"batch", required_argument, NULL, OPT_IGNORED},
        {"max-epochs", required_argument, NULL, OPT_IGNORED},
        {"tol", required_argument, NULL, OPT_IGNORED},
        {"eval-every", required_argument, NULL, OPT_IGNORED},
        {"out", required_argument, NULL, OPT_IGNORED},
        {"constant-step", no_argument, NULL, OPT_IGNORED},
        {"quiet", no_argument, NULL, OPT_IGNORED},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct run_cfg cfg;
    struct predict_result res;
    int have_alg = 0;
    int have_data = 0;
    int have_scale = 0;
    run_cfg_defaults(&cfg);
    opterr = 0; /* our own one-line messages */
    optind = 1;
    for (;;) {
        int longindex = -1;
        int c = getopt_long(argc, argv, ":h", options, &longindex);
        if (c == -1)
            break;
        const char *v = optarg;
        char *end = NULL;
        switch (c) {
        case OPT_ALGORITHM:
            snprintf(cfg.algorithm, sizeof cfg.algorithm, "%s", v);
            have_alg = 1;
            break;
        case OPT_DATASET:
            if (strlen(v) >= sizeof cfg.dataset)
                INPUT_FAIL("--dataset: expected at most %zu characters", sizeof cfg.dataset - 1);
            snprintf(cfg.dataset, sizeof cfg.dataset, "%s", v);
            have_data = 1;
            break;
        case OPT_NODES: {
            errno = 0;
            long k = strtol(v, &end, 10);
            if (end == v || *end != '\0' || errno == ERANGE || k < 1 || k > (1 << 20))
                INPUT_FAIL("--nodes: expected a positive integer, got \"%s\"", v);
            cfg.nodes = (int)k;
            break;
        }
        case OPT_PERIOD:
            TRY(predict_parse_period(v, &cfg));
            break;
        case OPT_AGGREGATE:
            if (aggregate_parse(v, &cfg.aggregate) != 0)
                INPUT_FAIL("--aggregate: expected mean or sum, got \"%s\"", v);
            break;
        case OPT_PARTITION:
            if (partition_parse(v, &cfg.partition) != 0)
                INPUT_FAIL("--partition: expected random or label, got \"%s\"", v);
            break;
        case OPT_SEED: {
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (v[0] == '-' || end == v || *end != '\0' || errno == ERANGE)
                INPUT_FAIL("--seed: expected a non-negative integer, got \"%s\"", v);
            cfg.seed = (uint64_t)s;
            break;
        }
        case OPT_STEP_SCALE:
            TRY(predict_parse_double("step-scale", v, 0.0, &cfg.step_scale));
            have_scale = 1;
            break;
        case OPT_STEP:
            TRY(predict_parse_double("step", v, 0.0, &cfg.step));
            break;
        case OPT_LOSS:
            if (loss_parse(v, &cfg.loss) != 0)
                INPUT_FAIL("--loss: expected logistic or squared, got \"%s\"", v);
            break;
        case OPT_LAMBDA:
            TRY(predict_parse_double("lambda", v, 0.0, &cfg.lambda));
            break;
        case OPT_BIAS:
            errno = 0;
            cfg.bias = strtod(v, &end);
            if (end == v || *end != '\0' || errno == ERANGE || !isfinite(cfg.bias) || cfg.bias < 0)
                INPUT_FAIL("--bias: expected a non-negative number, got \"%s\"", v);
            break;
        case OPT_IGNORED:
            break;
        case 'h':
        case OPT_HELP:
            if (error_rank() == 0)
                fputs(predict_usage, stdout);
            return 0;
        case ':':
            INPUT_FAIL("predict: option \"%s\" expects a value", argv[optind - 1]);
        default:
            INPUT_FAIL("predict: unknown option \"%s\" (see dsaga-bench predict --help)",
                       argv[optind - 1]);
        }
    }
    if (optind < argc)
        INPUT_FAIL("predict: unexpected argument \"%s\" (options start with --)", argv[optind]);
    if (!have_alg)
        INPUT_FAIL("predict: --algorithm is required (saga, dsaga or gd)");
    if (!have_data)
        INPUT_FAIL("predict: --dataset is required (see dsaga-bench predict --help)");
    if (have_scale && cfg.step > 0)
        INPUT_FAIL("--step: cannot be combined with --step-scale (give one of them)");
    if (cfg.nodes == 0) { /* as for run: every rank of the launch */
        int size = 1;
        MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &size));
        cfg.nodes = size;
    }
    if (error_rank() != 0)
        return 0; /* one computation per launch */
    int rc = predict_run(&cfg, &res);
    if (rc == ERR_INPUT && res.why[0])
        INPUT_FAIL("%s", res.why);
    TRY(rc);
    printf("predicted_rate_per_epoch %.6g\n", res.predicted_rate_per_epoch);
    printf("rounds_per_epoch %.6g\n", res.rounds_per_epoch);
    printf("log10_rho_per_epoch %.6g\n", res.log10_rho_per_epoch);
    printf("spectral_radius %.17g\n", res.spectral_radius);
    printf("state_dim %lld\n", (long long)res.state_dim);
    printf("step_size %.6g\n", res.step_size);
    printf("seconds %.3f\n", res.seconds);
    return 0;
}
