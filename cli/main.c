/*
 * main.c - the dsaga-bench command (SPEC 7): the command table, --version
 * and --help; each command lives in its own cli/cmd_*.c.
 *
 * Only main exits.  Exit status: 0 success (a diverged run is a result,
 * not an error), 2 bad input (one line on stderr naming the option, file:line
 * or config key, SPEC 7), 1 any other failure; with more than one rank an
 * internal failure calls MPI_Abort so that no rank waits forever.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "algorithms/algorithm.h"
#include "base/error.h"
#include "base/suggest.h"
#include "base/version.h"
#include "cli/cli.h"

/* OpenBLAS: one thread per rank (STYLE 6); the Makefile also exports
 * OPENBLAS_NUM_THREADS=1 for runs started outside make. */
void openblas_set_num_threads(int num_threads);

#define MAIN_EXIT_INPUT 2

/* The one table of commands. */
static const struct cli_command main_commands[] = {
    {"info", "info DATASET", "rows, features, nnz, label counts, L_max", cmd_info},
    {"fstar", "fstar DATASET [--loss L] [--lambda X] [--bias B]",
     "the optimum f* (cached), 17 digits", cmd_fstar},
    {"run", "run --algorithm NAME --dataset DATASET [options]",
     "one run, checkpoint table on stdout", cmd_run},
    {"grid", "grid CONFIG [--out FILE.h5] [options]", "every cell of an experiment grid, resumable",
     cmd_grid},
    {"predict", "predict --algorithm NAME --dataset D [options]",
     "predicted rate and tail; --out: its curve (SPEC 4.1)", cmd_predict},
    {"export", "export RESULTS.h5 [--format csv|tsv] [--out FILE]",
     "a row per checkpoint, for pandas.read_csv", cmd_export},
    {"report", "report RESULTS.h5 [--out DIR]", "one HTML page: figures, table, runs", cmd_report},
};

#define MAIN_N_COMMANDS ((int)(sizeof main_commands / sizeof main_commands[0]))

static void main_print_help(void)
{
    printf("usage: dsaga-bench COMMAND [ARGS]   (COMMAND --help for its options)\n"
           "       dsaga-bench --version\n\ncommands (SPEC 7):\n");
    for (int i = 0; i < MAIN_N_COMMANDS; i++)
        printf("  %-52s %s\n", main_commands[i].synopsis, main_commands[i].summary);
    printf("\nDATASET: a manifest name (a9a), a LIBSVM file (plain, .xz, .bz2), or a\n"
           "synthetic spec such as synth-sparse:n=20000,d=47000,nnz=75,seed=1.\n"
           "\nalgorithms (`run --algorithm NAME --help` lists a method's keys):\n");
    for (int i = 0; algorithm_at(i); i++)
        printf("  %-10s %s\n", algorithm_at(i)->name, algorithm_at(i)->summary);
    printf("\nExit status: 0 done or diverged, 2 bad input, 1 other failure.\n");
}

/* --version: the suite, the commit it was built from, the MPI library. */
static void main_print_version(void)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (MPI_Get_library_version(lib, &len) != MPI_SUCCESS)
        snprintf(lib, sizeof lib, "unknown");
    lib[strcspn(lib, "\r\n,")] = '\0';
    printf("dsaga-bench %s (commit %s)\nMPI: %s\n", DSAGA_SUITE_VERSION, dsaga_git_commit, lib);
}

static int main_dispatch(int argc, char **argv, int *status)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    const char *names[MAIN_N_COMMANDS];
    if (!cmd)
        INPUT_FAIL("expected a command: info, fstar, run, grid, predict, export or report "
                   "(see dsaga-bench --help)");
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (error_rank() == 0)
            main_print_help();
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        if (error_rank() == 0)
            main_print_version();
        return 0;
    }
    for (int i = 0; i < MAIN_N_COMMANDS; i++) {
        names[i] = main_commands[i].name;
        if (strcmp(cmd, main_commands[i].name) == 0)
            return main_commands[i].handler(argc - 1, argv + 1, status);
    }
    const char *close = suggest_closest(cmd, names, MAIN_N_COMMANDS);
    if (close)
        INPUT_FAIL("unknown command \"%s\" (did you mean %s?)", cmd, close);
    INPUT_FAIL("unknown command \"%s\" (see dsaga-bench --help)", cmd);
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

    rc = main_dispatch(argc, argv, &status_code);

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
