/*
 * cmd_run.c - `run --algorithm NAME --dataset DATASET [options]` (SPEC 7):
 * one run under mpirun, its checkpoint table on stdout, optionally stored
 * as /runs/000000 of a results file.
 *
 * The options are the keys every run has plus, generated from the registry,
 * each method's own keys (SPEC 3.10: `--period` exists because dsaga and
 * local-sgd declare period).  A key the chosen method does not declare is
 * refused naming the method's keys; `run --algorithm X --help` lists X's.
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "base/error.h"
#include "base/params.h"
#include "cli/cli.h"
#include "harness/h5out.h"
#include "harness/run_cfg.h"
#include "harness/runner.h"

/* The options every run has; the method keys follow at RUN_N_COMMON. */
enum {
    O_ALGORITHM,
    O_DATASET,
    O_NODES,
    O_PARTITION,
    O_STEP_SCALE,
    O_STEP,
    O_LOSS,
    O_LAMBDA,
    O_BIAS,
    O_MAX_EPOCHS,
    O_TOL,
    O_EVAL_EVERY,
    O_SEED,
    O_OUT,
    O_QUIET,
    RUN_N_COMMON
};

static const struct {
    const char *name;
    int has_arg;
    const char *help;
} run_common[RUN_N_COMMON] = {
    {"algorithm", required_argument, "NAME: a registered method (below)"},
    {"dataset", required_argument, "DATASET: manifest name, LIBSVM path or synth spec"},
    {"nodes", required_argument, "K: ranks used (default: every rank of mpirun)"},
    {"partition", required_argument, "random|label: how rows are split over nodes (random)"},
    {"step-scale", required_argument, "S: multiply the method's default step (1)"},
    {"step", required_argument, "ETA: use this step instead (not with --step-scale)"},
    {"loss", required_argument, "logistic|squared (logistic)"},
    {"lambda", required_argument, "X: l2 regularisation (1/N)"},
    {"bias", required_argument, "B: append a constant feature B (none)"},
    {"max-epochs", required_argument, "E: stop after E epochs (50)"},
    {"tol", required_argument, "T: stop when subopt <= T f(0) (1e-10; 0: run to --max-epochs)"},
    {"eval-every", required_argument, "X: epochs between checkpoints (0.5)"},
    {"seed", required_argument, "S: random seed, sampling and sharding (1)"},
    {"out", required_argument, "FILE.h5: also store the run as /runs/000000"},
    {"quiet", no_argument, "no checkpoint table (-q)"},
};

#define RUN_MAX_KEYS 64

/* Every registered method key as an option: "period", "step-rule". */
struct run_keys {
    char names[RUN_MAX_KEYS][40]; /* option spelling ('_' as '-') */
    const char *keys[RUN_MAX_KEYS];
    int n;
};

/* A method key as its option is spelt: '_' as '-' ("step_rule" ->
 * "step-rule"). */
static void run_option_name(const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s", key);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = '-';
}

static int run_keys_collect(struct run_keys *k)
{
    k->n = 0;
    for (int i = 0; algorithm_at(i); i++) {
        const struct param_def *defs = algorithm_at(i)->params;
        for (int j = 0; defs && defs[j].name; j++) {
            int seen = 0;
            for (int m = 0; m < k->n && !seen; m++)
                seen = strcmp(k->keys[m], defs[j].name) == 0;
            if (seen)
                continue;
            if (k->n == RUN_MAX_KEYS)
                FAIL(ERR_INTERNAL, "more than %d method keys", RUN_MAX_KEYS);
            k->keys[k->n] = defs[j].name;
            run_option_name(defs[j].name, k->names[k->n], sizeof k->names[0]);
            k->n++;
        }
    }
    return 0;
}

struct run_args {
    struct run_cfg cfg;
    const char *algorithm;
    const char *dataset;
    const char *out_path;
    int quiet;
    int have_step_scale;
    const char *method_value[RUN_MAX_KEYS]; /* as given, by run_keys index */
    const struct run_keys *keys;
};

static int run_opt(int index, int c, const char *v, void *user)
{
    struct run_args *a = user;
    struct run_cfg *cfg = &a->cfg;
    long iv = 0;
    if (c == 'q')
        index = O_QUIET;
    if (index >= RUN_N_COMMON) {
        a->method_value[index - RUN_N_COMMON] = v;
        return 0;
    }
    switch (index) {
    case O_ALGORITHM:
        a->algorithm = v;
        return 0;
    case O_DATASET:
        if (strlen(v) >= sizeof cfg->dataset)
            INPUT_FAIL("--dataset: expected at most %zu characters", sizeof cfg->dataset - 1);
        a->dataset = v;
        return 0;
    case O_NODES:
        TRY(cli_long("--nodes", v, 1, 1 << 20, &iv));
        cfg->nodes = (int)iv;
        return 0;
    case O_PARTITION:
        if (partition_parse(v, &cfg->partition) != 0)
            INPUT_FAIL("--partition: expected random or label, got \"%s\"", v);
        return 0;
    case O_STEP_SCALE:
        a->have_step_scale = 1;
        return cli_double("--step-scale", v, 0.0, 1, 1e300, &cfg->step_scale);
    case O_STEP:
        return cli_double("--step", v, 0.0, 1, 1e300, &cfg->step);
    case O_LOSS:
        if (loss_parse(v, &cfg->loss) != 0)
            INPUT_FAIL("--loss: expected logistic or squared, got \"%s\"", v);
        return 0;
    case O_LAMBDA:
        return cli_double("--lambda", v, 0.0, 1, 1e300, &cfg->lambda);
    case O_BIAS:
        return cli_double("--bias", v, 0.0, 0, 1e300, &cfg->bias);
    case O_MAX_EPOCHS:
        return cli_double("--max-epochs", v, 0.0, 1, 1e300, &cfg->max_epochs);
    case O_TOL:
        return cli_double("--tol", v, 0.0, 0, 1e300, &cfg->tol);
    case O_EVAL_EVERY:
        return cli_double("--eval-every", v, 0.0, 1, 1e300, &cfg->eval_every);
    case O_SEED:
        return cli_u64("--seed", v, &cfg->seed);
    case O_OUT:
        a->out_path = v;
        return 0;
    case O_QUIET:
        a->quiet = 1;
        return 0;
    default:
        INPUT_FAIL("run: unexpected option (see dsaga-bench run --help)");
    }
}

static int run_arg(const char *text, void *user)
{
    (void)user;
    INPUT_FAIL("run: unexpected argument \"%s\" (options start with --)", text);
}

/* `run --help`, and with --algorithm X the keys of X. */
static void run_help(const char *cmd, const char *alg_name, const struct run_keys *keys)
{
    const algorithm *alg = alg_name ? algorithm_find(alg_name) : NULL;
    printf("usage: dsaga-bench %s --algorithm NAME --dataset DATASET [options]\n\n"
           "options every run has:\n",
           cmd);
    for (int i = 0; i < RUN_N_COMMON; i++)
        printf("  --%-14s %s\n", run_common[i].name, run_common[i].help);
    if (alg) {
        printf("\n%s: %s\nits keys (SPEC 3.10), with defaults:\n", alg->name, alg->summary);
        if (!alg->params || !alg->params[0].name)
            printf("  (none)\n");
        for (int j = 0; alg->params && alg->params[j].name; j++) {
            const struct param_def *d = &alg->params[j];
            char opt[48];
            run_option_name(d->name, opt, sizeof opt);
            char range[96] = "";
            if (d->type == PARAM_ENUM)
                snprintf(range, sizeof range, "%s", d->choices);
            else if (d->type == PARAM_PERIOD)
                snprintf(range, sizeof range, "steps in [%g, %g] or Xn", d->min, d->max);
            else
                snprintf(range, sizeof range, "[%g, %g]", d->min, d->max);
            printf("  --%-14s %s (default %s; %s)\n", opt, d->help, d->def, range);
        }
    } else {
        printf("\nmethod keys (each accepted only by the methods that declare it; "
               "`run --algorithm NAME --help` lists them):\n  ");
        for (int m = 0; m < keys->n; m++)
            printf("--%s%s", keys->names[m], m + 1 < keys->n ? " " : "\n");
        printf("\nalgorithms:\n");
        for (int i = 0; algorithm_at(i); i++)
            printf("  %-10s %s\n", algorithm_at(i)->name, algorithm_at(i)->summary);
    }
    printf("\nExit status: 0 done or diverged, 2 bad input, 1 other failure.\n");
}

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

int run_parse(const char *cmd, int argc, char **argv, struct run_cfg *cfg, const char **out_path,
              int *quiet, int *help)
{
    struct run_keys keys;
    struct option opts[RUN_N_COMMON + RUN_MAX_KEYS + 1];
    struct run_args a;
    int launch_rank = 0;
    int launch_size = 1;
    memset(&a, 0, sizeof a);
    *help = 0;

    TRY(run_keys_collect(&keys));
    a.keys = &keys;
    int n = 0;
    for (int i = 0; i < RUN_N_COMMON; i++)
        opts[n++] = (struct option){run_common[i].name, run_common[i].has_arg, NULL, 0};
    for (int m = 0; m < keys.n; m++)
        opts[n++] = (struct option){keys.names[m], required_argument, NULL, 0};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    opts[O_QUIET].val = 'q';

    MPI_TRY(MPI_Comm_rank(MPI_COMM_WORLD, &launch_rank));
    MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &launch_size));
    TRY(run_cfg_init(&a.cfg, NULL));
    if (cli_wants_help(argc, argv)) {
        /* --algorithm X --help: X's keys */
        const char *alg = NULL;
        for (int i = 1; i + 1 < argc; i++)
            if (strcmp(argv[i], "--algorithm") == 0)
                alg = argv[i + 1];
            else if (strncmp(argv[i], "--algorithm=", 12) == 0)
                alg = argv[i] + 12;
        if (launch_rank == 0)
            run_help(cmd, alg, &keys);
        *help = 1;
        return 0;
    }
    TRY(cli_parse(cmd, argc, argv, opts, "q", run_opt, run_arg, &a));
    if (!a.algorithm)
        INPUT_FAIL("%s: --algorithm is required (see dsaga-bench %s --help)", cmd, cmd);
    const algorithm *alg = algorithm_find(a.algorithm);
    if (!alg) {
        char names[256];
        size_t used = 0;
        for (int i = 0; algorithm_at(i) && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                     algorithm_at(i)->name);
        INPUT_FAIL("--algorithm: expected one of %s, got \"%s\"", names, a.algorithm);
    }
    if (!a.dataset)
        INPUT_FAIL("%s: --dataset is required (see dsaga-bench %s --help)", cmd, cmd);
    /* the common keys as parsed, then the method's table and its keys */
    struct run_cfg common = a.cfg;
    TRY(run_cfg_init(&a.cfg, alg->name));
    struct params own = a.cfg.params;
    a.cfg = common;
    a.cfg.params = own;
    snprintf(a.cfg.algorithm, sizeof a.cfg.algorithm, "%s", alg->name);
    snprintf(a.cfg.dataset, sizeof a.cfg.dataset, "%s", a.dataset);
    for (int m = 0; m < keys.n; m++) {
        if (!a.method_value[m])
            continue;
        const char *why = params_set(&a.cfg.params, keys.keys[m], a.method_value[m]);
        if (why && strcmp(why, "not declared") == 0) {
            char own_keys[256] = "";
            size_t used = 0;
            for (int j = 0; alg->params && alg->params[j].name && used < sizeof own_keys; j++) {
                char opt[40];
                run_option_name(alg->params[j].name, opt, sizeof opt);
                used += (size_t)snprintf(own_keys + used, sizeof own_keys - used, "%s--%s",
                                         j ? ", " : "", opt);
            }
            INPUT_FAIL("--%s: not a key of %s (its keys: %s; see dsaga-bench run --algorithm %s "
                       "--help)",
                       keys.names[m], alg->name, own_keys[0] ? own_keys : "none", alg->name);
        }
        if (why)
            INPUT_FAIL("--%s: expected %s, got \"%s\"", keys.names[m], why, a.method_value[m]);
    }
    if (a.have_step_scale && a.cfg.step > 0)
        INPUT_FAIL("--step: cannot be combined with --step-scale (give one of them)");
    if (a.cfg.step > 0)
        a.cfg.step_scale = NAN; /* SPEC 5: store what was asked, a step and no scale */
    if (alg->centralized && a.cfg.nodes > 1)
        INPUT_FAIL("--nodes: %s runs on one node (SPEC 3.1); leave --nodes out", alg->name);
    if (alg->centralized && a.cfg.partition != PARTITION_RANDOM)
        INPUT_FAIL("--partition: %s holds all the data on one node; leave --partition out",
                   alg->name);
    if (a.cfg.nodes > launch_size && strcmp(cmd, "run") == 0) /* predict: theory, any K */
        INPUT_FAIL("--nodes %d exceeds the %d rank(s) of the launch", a.cfg.nodes, launch_size);
    if (alg->server_ranks > 0 && strcmp(cmd, "run") == 0) { /* SPEC 3.9: K + servers */
        int K = a.cfg.nodes > 0 ? a.cfg.nodes : launch_size - alg->server_ranks;
        if (K < 1)
            K = 1;
        if (K + alg->server_ranks > launch_size)
            INPUT_FAIL("%s: %d worker(s) need %d ranks (K + %d server), the launch has %d "
                       "(mpirun -np %d)",
                       alg->name, K, K + alg->server_ranks, alg->server_ranks, launch_size,
                       K + alg->server_ranks);
    }
    *cfg = a.cfg;
    *out_path = a.out_path;
    *quiet = a.quiet;
    return 0;
}

int cmd_run(int argc, char **argv, int *status_code)
{
    int rc = 0;
    struct run_cfg cfg;
    struct run_result res;
    char *description = NULL;
    struct h5out_store *store = NULL; /* rank 0, with --out */
    const char *out_path = NULL;
    int quiet = 0;
    int help = 0;
    int launch_rank = 0;
    MPI_Comm launch = MPI_COMM_WORLD;
    memset(&res, 0, sizeof res);
    *status_code = 0;
    MPI_TRY(MPI_Comm_rank(launch, &launch_rank));
    TRY(run_parse("run", argc, argv, &cfg, &out_path, &quiet, &help));
    if (help)
        return 0;

    /* The results file is checked (and locked) before the run, on rank 0:
     * a file of another grid or one that already holds a run is bad input.
     * The file is made only when the run is written (issue 17: a failed
     * run leaves no empty file). */
    if (out_path) {
        int frc = 0;
        if (launch_rank == 0) {
            description = main_describe(argc, argv);
            if (!description)
                frc = ERR_NOMEM;
            else
                frc = h5out_open(out_path, description, 0, &store);
            int nodes = 0;
            if (frc == 0 && h5out_store_has(store, 0, &nodes)) {
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
    if (store) {
        TRY_GOTO(h5out_store_append(store, 0, &res));
        rc = h5out_close(store, 1);
        store = NULL;
        TRY_GOTO(rc);
    }
    if (launch_rank == 0 && !quiet) {
        printf("# status %s, rate_per_epoch %.6g%s%s\n", res.status, res.rate_per_epoch,
               out_path ? ", written to " : "", out_path ? out_path : "");
        printf("# peak_rss_kib %lld (rank 0)\n", main_peak_rss_kib());
        fflush(stdout);
    }
done:
    h5out_close(store, 0); /* after an error: no file made */
    run_result_clear(&res);
    free(description);
    return rc;
}
