/*
 * main.c - the dsaga-bench command (SPEC 7): info, fstar, run, grid.
 *
 * Only main exits.  Exit status: 0 success (a diverged run is a result,
 * not an error), 2 bad input (one line on stderr naming the option, file:line
 * or config key, SPEC 7), 1 any other failure; with more than one rank an
 * internal failure calls MPI_Abort so that no rank waits forever.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "datasets/dataset.h"
#include "base/error.h"
#include "harness/fstar.h"
#include "harness/grid.h"
#include "harness/h5out.h"
#include "base/loss.h"
#include "base/objective.h"
#include "harness/runner.h"

/* OpenBLAS: one thread per rank (STYLE 6); the Makefile also exports
 * OPENBLAS_NUM_THREADS=1 for runs started outside make. */
void openblas_set_num_threads(int num_threads);

#define MAIN_EXIT_INPUT 2

static const char main_usage[] =
    "usage: dsaga-bench COMMAND [ARGS]\n"
    "\n"
    "commands (SPEC 7):\n"
    "  info  DATASET                 rows, features, nnz, label counts, L_max\n"
    "  fstar DATASET [--loss logistic|squared] [--lambda X] [--bias B]\n"
    "                                the optimum f* (cached), 17 digits\n"
    "  run   --algorithm NAME --dataset DATASET [options]\n"
    "                                one run, checkpoint table on stdout\n"
    "  grid  CONFIG [--out FILE.h5] [--dry-run] [--quiet]\n"
    "                                every cell of an experiment grid\n"
    "\n"
    "DATASET: a manifest name (a9a), a LIBSVM file (plain or .xz), or a\n"
    "synthetic spec such as synth-sparse:n=20000,d=47000,nnz=75,seed=1.\n"
    "\n"
    "run options:\n"
    "  --algorithm NAME      see the list below\n"
    "  --dataset DATASET\n"
    "  --nodes K             ranks used (default: all ranks of mpirun)\n"
    "  --period P            local steps per round: 100, or 0.5n = half a local epoch\n"
    "  --aggregate mean|sum  dsaga's parameter aggregation (default mean)\n"
    "  --sync auto|dense|sparse  dsaga's synchronisation (default auto)\n"
    "  --partition random|label   how rows are split over nodes (default random)\n"
    "  --batch B             rows per SGD step per node\n"
    "  --step-scale S        multiply the method's default step (default 1)\n"
    "  --step ETA            use this step instead (not with --step-scale)\n"
    "  --constant-step       sgd, local-sgd: constant step instead of decaying\n"
    "  --loss L              logistic (default) or squared\n"
    "  --lambda X            l2 regularisation (default 1/N)\n"
    "  --bias B              append a constant feature B (default none)\n"
    "  --max-epochs E        stop after E epochs\n"
    "  --tol T               stop when subopt <= T f(0) (default 1e-10)\n"
    "  --eval-every X        epochs between checkpoints (default 0.5)\n"
    "  --seed S              random seed (sampling and sharding)\n"
    "  --out FILE.h5         also write the run as /runs/000000 of FILE.h5\n"
    "  --quiet               no checkpoint table\n"
    "\n"
    "Exit status: 0 done or diverged, 2 bad input, 1 other failure.\n";

static void main_print_help(void)
{
    fputs(main_usage, stdout);
    fputs("\nalgorithms:\n", stdout);
    for (int i = 0; algorithm_at(i); i++) {
        const algorithm *a = algorithm_at(i);
        printf("  %-10s %s\n", a->name, a->summary ? a->summary : "");
    }
}

/* ---- option values ------------------------------------------------------ */

/* Each parser returns 0 or ERR_INPUT after one line naming the option. */

static int parse_double(const char *opt, const char *text, double lo, int lo_open, double *out,
                        const char *expected)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo ||
        (lo_open && v == lo))
        INPUT_FAIL("%s: expected %s, got \"%s\"", opt, expected, text);
    *out = v;
    return 0;
}

static int parse_int(const char *opt, const char *text, long lo, long hi, long *out,
                     const char *expected)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        INPUT_FAIL("%s: expected %s, got \"%s\"", opt, expected, text);
    *out = v;
    return 0;
}

static int parse_seed(const char *opt, const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (text[0] == '-')
        INPUT_FAIL("%s: expected a non-negative integer, got \"%s\"", opt, text);
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        INPUT_FAIL("%s: expected a non-negative integer, got \"%s\"", opt, text);
    *out = (uint64_t)v;
    return 0;
}

/* SPEC 7: "100" = 100 local steps, "0.5n" = half a local epoch (tau = 0.5 n_k). */
static int parse_period(const char *opt, const char *text, struct run_cfg *cfg)
{
    size_t len = strlen(text);
    char buf[64];
    if (len > 0 && len < sizeof buf && text[len - 1] == 'n') {
        memcpy(buf, text, len - 1);
        buf[len - 1] = '\0';
        char *end = NULL;
        double v = strtod(buf, &end);
        if (end != buf && *end == '\0' && isfinite(v) && v > 0) {
            cfg->period = v;
            cfg->period_is_fraction = 1;
            return 0;
        }
    } else if (len > 0) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end != text && *end == '\0' && errno != ERANGE && v >= 1) {
            cfg->period = (double)v;
            cfg->period_is_fraction = 0;
            return 0;
        }
    }
    INPUT_FAIL("%s: expected a number of steps or a fraction like 0.5n, got \"%s\"", opt, text);
}

/* ---- the command line --------------------------------------------------- */

/* Splits "--opt=value" or "--opt value"; *value NULL for a missing value. */
struct main_args {
    int argc;
    char **argv;
    int i; /* next argument */
};

/* The option name (without "=value") of argv[i] into name; the value, from
 * "=value" or the next argument, into *value (NULL when there is none). */
static void main_next(struct main_args *a, char *name, size_t size, const char **value,
                      int takes_value)
{
    const char *arg = a->argv[a->i++];
    const char *eq = strchr(arg, '=');
    size_t n = eq && arg[0] == '-' ? (size_t)(eq - arg) : strlen(arg);
    if (n >= size)
        n = size - 1;
    memcpy(name, arg, n);
    name[n] = '\0';
    *value = NULL;
    if (eq && arg[0] == '-')
        *value = eq + 1;
    else if (takes_value && a->i < a->argc)
        *value = a->argv[a->i++];
}

static int main_need(const char *name, const char *value, const char *expected)
{
    if (!value)
        INPUT_FAIL("%s: expected %s after it", name, expected);
    return 0;
}

static int main_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; algorithm_at(i); i++)
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s", i ? ", " : "",
                                 algorithm_at(i)->name);
    return 0;
}

/* ---- info and fstar ----------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
    int rc = 0;
    struct dataset *ds = NULL;
    if (argc < 3)
        INPUT_FAIL("info: expected a DATASET (name, LIBSVM path or synthetic spec)");
    if (argc > 3)
        INPUT_FAIL("info: unexpected argument \"%s\"", argv[3]);
    TRY_GOTO(dataset_load(argv[2], LABELS_RAW, &ds));
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

static int cmd_fstar(int argc, char **argv)
{
    int rc = 0;
    struct dataset *ds = NULL;
    const char *spec = NULL;
    enum loss_kind loss = LOSS_LOGISTIC;
    double lambda = 0.0;
    double bias = 0.0;
    struct main_args a = {argc, argv, 2};
    while (a.i < argc) {
        char name[64];
        const char *value = NULL;
        if (argv[a.i][0] != '-' || argv[a.i][1] != '-') {
            if (spec)
                INPUT_FAIL("fstar: unexpected argument \"%s\"", argv[a.i]);
            spec = argv[a.i++];
            continue;
        }
        main_next(&a, name, sizeof name, &value, 1);
        if (strcmp(name, "--loss") == 0) {
            TRY(main_need(name, value, "logistic or squared"));
            if (loss_parse(value, &loss) != 0)
                INPUT_FAIL("--loss: expected logistic or squared, got \"%s\"", value);
        } else if (strcmp(name, "--lambda") == 0) {
            TRY(main_need(name, value, "a positive number"));
            TRY(parse_double(name, value, 0.0, 1, &lambda, "a positive number"));
        } else if (strcmp(name, "--bias") == 0) {
            TRY(main_need(name, value, "a non-negative number"));
            TRY(parse_double(name, value, 0.0, 0, &bias, "a non-negative number"));
        } else {
            INPUT_FAIL("fstar: unknown option \"%s\" (expected --loss, --lambda, --bias)", name);
        }
    }
    if (!spec)
        INPUT_FAIL("fstar: expected a DATASET (name, LIBSVM path or synthetic spec)");
    TRY_GOTO(dataset_load(spec, loss == LOSS_LOGISTIC ? LABELS_BINARY : LABELS_RAW, &ds));
    TRY_GOTO(dataset_add_bias(ds, bias));
    if (!(lambda > 0))
        lambda = 1.0 / (double)ds->n_samples; /* SPEC 1 default */
    struct problem p = {ds, loss, lambda, ds->n_samples};
    struct fstar_result fr;
    TRY_GOTO(fstar_cached(&p, bias, &fr));
    if (error_rank() == 0) {
        printf("fstar %.17g\n", fr.fstar);
        printf("grad_norm %.6e\n", fr.grad_norm);
    }
done:
    dataset_destroy(ds);
    return rc;
}

/* ---- run ---------------------------------------------------------------- */

/* The command line, as the config text of a single-run results file. */
static char *main_describe(int argc, char **argv)
{
    size_t len = 64;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 3;
    char *s = malloc(len);
    if (!s)
        return NULL;
    size_t used = (size_t)snprintf(s, len, "# dsaga-bench single run\n");
    for (int i = 0; i < argc; i++)
        used += (size_t)snprintf(s + used, len - used, "%s%s", i ? " " : "", argv[i]);
    snprintf(s + used, len - used, "\n");
    return s;
}

/* This process's peak resident set (VmHWM of /proc/self/status, KiB), -1
 * where unknown.  Unlike getrusage's ru_maxrss it excludes whatever the
 * parent held before exec, so a benchmark can read the suite's own peak. */
static long long main_peak_rss_kib(void)
{
    long long kib = -1;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int cmd_run(int argc, char **argv, MPI_Comm launch, int *status_code)
{
    int rc = 0;
    struct run_cfg cfg;
    struct run_result res;
    char *description = NULL;
    const char *out_path = NULL;
    int quiet = 0;
    int have_step_scale = 0;
    int have_alg = 0;
    int have_data = 0;
    int launch_rank = 0;
    int launch_size = 1;
    memset(&res, 0, sizeof res);
    *status_code = 0;

    run_cfg_defaults(&cfg);
    MPI_TRY(MPI_Comm_rank(launch, &launch_rank));
    MPI_TRY(MPI_Comm_size(launch, &launch_size));
    struct main_args a = {argc, argv, 2};
    while (a.i < argc) {
        char name[64];
        const char *v = NULL;
        const char *arg = argv[a.i];
        if (arg[0] != '-' || arg[1] != '-')
            INPUT_FAIL("run: unexpected argument \"%s\" (options start with --)", arg);
        int flag = strcmp(arg, "--constant-step") == 0 || strcmp(arg, "--quiet") == 0;
        main_next(&a, name, sizeof name, &v, !flag);
        if (flag) {
            if (strcmp(name, "--quiet") == 0)
                quiet = 1;
            else
                cfg.step_constant = 1;
            continue;
        }
        long iv = 0;
        if (strcmp(name, "--algorithm") == 0) {
            char names[256];
            main_names(names, sizeof names);
            TRY(main_need(name, v, "an algorithm name"));
            if (!algorithm_find(v))
                INPUT_FAIL("--algorithm: expected one of %s, got \"%s\"", names, v);
            snprintf(cfg.algorithm, sizeof cfg.algorithm, "%s", v);
            have_alg = 1;
        } else if (strcmp(name, "--dataset") == 0) {
            TRY(main_need(name, v, "a data set name, LIBSVM path or synthetic spec"));
            if (strlen(v) >= sizeof cfg.dataset)
                INPUT_FAIL("--dataset: expected at most %zu characters", sizeof cfg.dataset - 1);
            snprintf(cfg.dataset, sizeof cfg.dataset, "%s", v);
            have_data = 1;
        } else if (strcmp(name, "--nodes") == 0) {
            TRY(main_need(name, v, "a positive integer"));
            TRY(parse_int(name, v, 1, 1 << 20, &iv, "a positive integer"));
            cfg.nodes = (int)iv;
        } else if (strcmp(name, "--period") == 0) {
            TRY(main_need(name, v, "a number of steps or a fraction like 0.5n"));
            TRY(parse_period(name, v, &cfg));
        } else if (strcmp(name, "--aggregate") == 0) {
            TRY(main_need(name, v, "mean or sum"));
            if (aggregate_parse(v, &cfg.aggregate) != 0)
                INPUT_FAIL("--aggregate: expected mean or sum, got \"%s\"", v);
        } else if (strcmp(name, "--sync") == 0) { /* ISSUE-18 */
            TRY(main_need(name, v, "auto, dense or sparse"));
            if (sync_parse(v, &cfg.sync) != 0)
                INPUT_FAIL("--sync: expected auto, dense or sparse, got \"%s\"", v);
        } else if (strcmp(name, "--partition") == 0) {
            TRY(main_need(name, v, "random or label"));
            if (partition_parse(v, &cfg.partition) != 0)
                INPUT_FAIL("--partition: expected random or label, got \"%s\"", v);
        } else if (strcmp(name, "--batch") == 0) {
            TRY(main_need(name, v, "a positive integer"));
            TRY(parse_int(name, v, 1, 1L << 30, &iv, "a positive integer"));
            cfg.batch = (int)iv;
        } else if (strcmp(name, "--step-scale") == 0) {
            TRY(main_need(name, v, "a positive number"));
            TRY(parse_double(name, v, 0.0, 1, &cfg.step_scale, "a positive number"));
            have_step_scale = 1;
        } else if (strcmp(name, "--step") == 0) {
            TRY(main_need(name, v, "a positive number"));
            TRY(parse_double(name, v, 0.0, 1, &cfg.step, "a positive number"));
        } else if (strcmp(name, "--loss") == 0) {
            TRY(main_need(name, v, "logistic or squared"));
            if (loss_parse(v, &cfg.loss) != 0)
                INPUT_FAIL("--loss: expected logistic or squared, got \"%s\"", v);
        } else if (strcmp(name, "--lambda") == 0) {
            TRY(main_need(name, v, "a positive number"));
            TRY(parse_double(name, v, 0.0, 1, &cfg.lambda, "a positive number"));
        } else if (strcmp(name, "--bias") == 0) {
            TRY(main_need(name, v, "a non-negative number"));
            TRY(parse_double(name, v, 0.0, 0, &cfg.bias, "a non-negative number"));
        } else if (strcmp(name, "--max-epochs") == 0) {
            TRY(main_need(name, v, "a positive number of epochs"));
            TRY(parse_double(name, v, 0.0, 1, &cfg.max_epochs, "a positive number of epochs"));
        } else if (strcmp(name, "--tol") == 0) {
            TRY(main_need(name, v, "a non-negative number"));
            TRY(parse_double(name, v, 0.0, 0, &cfg.tol, "a non-negative number"));
        } else if (strcmp(name, "--eval-every") == 0) {
            TRY(main_need(name, v, "a positive number of epochs"));
            TRY(parse_double(name, v, 0.0, 1, &cfg.eval_every, "a positive number of epochs"));
        } else if (strcmp(name, "--seed") == 0) {
            TRY(main_need(name, v, "a non-negative integer"));
            TRY(parse_seed(name, v, &cfg.seed));
        } else if (strcmp(name, "--out") == 0) {
            TRY(main_need(name, v, "a file name such as results/run.h5"));
            out_path = v;
        } else {
            INPUT_FAIL("run: unknown option \"%s\" (see dsaga-bench --help)", name);
        }
    }
    if (!have_alg)
        INPUT_FAIL("run: --algorithm is required (see dsaga-bench --help)");
    if (!have_data)
        INPUT_FAIL("run: --dataset is required (see dsaga-bench --help)");
    if (have_step_scale && cfg.step > 0)
        INPUT_FAIL("--step: cannot be combined with --step-scale (give one of them)");
    if (cfg.nodes > launch_size)
        INPUT_FAIL("--nodes %d exceeds the %d rank(s) of the launch", cfg.nodes, launch_size);

    /* The results file is checked before the run, on rank 0: a file of
     * another grid or one that already holds a run is bad input. */
    if (out_path) {
        int frc = 0;
        if (launch_rank == 0) {
            description = main_describe(argc, argv);
            if (!description)
                frc = ERR_NOMEM;
            else
                frc = h5out_create(out_path, description);
            int exists = 0;
            if (frc == 0)
                frc = h5out_run_exists(out_path, 0, &exists);
            if (frc == 0 && exists) {
                error_input("--out %s: already holds /runs/000000; remove it or choose another "
                            "file",
                            out_path);
                frc = ERR_INPUT;
            }
        }
        MPI_TRY_GOTO(MPI_Bcast(&frc, 1, MPI_INT, 0, launch));
        if (frc < 0) {
            rc = frc;
            goto done;
        }
    }

    /* one run: no cache, so that each rank keeps only its shard's rows */
    TRY_GOTO(runner_run(&cfg, launch, NULL, !quiet, &res));
    if (strcmp(res.status, "failed") == 0) {
        if (res.error_code == ERR_INPUT) {
            rc = ERR_INPUT; /* its line is already on stderr */
            goto done;
        }
        if (launch_rank == 0)
            fprintf(stderr, "dsaga-bench: run failed: %s\n", res.message);
        *status_code = 1;
    }
    if (out_path && launch_rank == 0)
        TRY_GOTO(h5out_append_run(out_path, 0, &res));
    if (launch_rank == 0 && !quiet) {
        printf("# status %s, rate_per_epoch %.6g%s%s\n", res.status, res.rate_per_epoch,
               out_path ? ", written to " : "", out_path ? out_path : "");
        printf("# peak_rss_kib %lld (rank 0)\n", main_peak_rss_kib());
        fflush(stdout);
    }
done:
    run_result_clear(&res);
    free(description);
    return rc;
}

/* ---- grid --------------------------------------------------------------- */

static int cmd_grid(int argc, char **argv, MPI_Comm launch)
{
    const char *config = NULL;
    const char *out_path = NULL;
    int dry_run = 0;
    int quiet = 0;
    struct main_args a = {argc, argv, 2};
    while (a.i < argc) {
        char name[64];
        const char *v = NULL;
        const char *arg = argv[a.i];
        if (arg[0] != '-' || arg[1] != '-') {
            if (config)
                INPUT_FAIL("grid: unexpected argument \"%s\"", arg);
            config = argv[a.i++];
            continue;
        }
        int flag = strcmp(arg, "--dry-run") == 0 || strcmp(arg, "--quiet") == 0;
        main_next(&a, name, sizeof name, &v, !flag);
        if (strcmp(name, "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(name, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(name, "--out") == 0) {
            TRY(main_need(name, v, "a file name such as results/grid.h5"));
            out_path = v;
        } else {
            INPUT_FAIL("grid: unknown option \"%s\" (expected --out, --dry-run, --quiet)", name);
        }
    }
    if (!config)
        INPUT_FAIL("grid: expected a CONFIG file (for example experiments/default.ini)");
    TRY(grid_main(config, out_path, dry_run, quiet, launch));
    return 0;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    int rc = 0;
    int status_code = 0;
    int size = 1;
    openblas_set_num_threads(1);
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "dsaga-bench: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm launch = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(launch, MPI_ERRORS_RETURN);
    MPI_Comm_size(launch, &size);

    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd) {
        error_input("expected a command: info, fstar, run or grid (see dsaga-bench --help)");
        rc = ERR_INPUT;
    } else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (error_rank() == 0)
            main_print_help();
    } else if (strcmp(cmd, "info") == 0) {
        rc = cmd_info(argc, argv);
    } else if (strcmp(cmd, "fstar") == 0) {
        rc = cmd_fstar(argc, argv);
    } else if (strcmp(cmd, "run") == 0) {
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                cmd = "help";
        if (strcmp(cmd, "help") == 0) {
            if (error_rank() == 0)
                main_print_help();
        } else {
            rc = cmd_run(argc, argv, launch, &status_code);
        }
    } else if (strcmp(cmd, "grid") == 0) {
        rc = cmd_grid(argc, argv, launch);
    } else {
        error_input("unknown command \"%s\" (expected info, fstar, run or grid)", cmd);
        rc = ERR_INPUT;
    }

    int code = status_code;
    if (rc == ERR_INPUT) {
        code = MAIN_EXIT_INPUT;
    } else if (rc < 0) {
        error_report(__FILE__, __LINE__, __func__, "%s", error_name(rc));
        if (size > 1)
            MPI_Abort(MPI_COMM_WORLD, 1); /* no rank may wait forever */
        code = 1;
    }
    fflush(stdout);
    MPI_Finalize();
    return code;
}
