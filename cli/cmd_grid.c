/*
 * cmd_grid.c - `grid CONFIG [--out FILE.h5] [--only K=V,...] [--seeds N]
 * [--dry-run] [--quiet]` (SPEC 7): every cell of an experiment grid
 * (harness/grid.c), resumable; a selection or a seed count from the command
 * line without copying the INI.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "harness/grid.h"

struct grid_args {
    const char *config;
    struct grid_options opt;
};

static const struct option grid_opts[] = {
    {"out", required_argument, NULL, 'o'},   {"dry-run", no_argument, NULL, 'n'},
    {"quiet", no_argument, NULL, 'q'},       {"only", required_argument, NULL, 's'},
    {"seeds", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0},
};

static int grid_opt(int index, int c, const char *v, void *user)
{
    (void)index;
    struct grid_args *a = user;
    long seeds = 0;
    switch (c) {
    case 'o':
        a->opt.out_path = v;
        return 0;
    case 'n':
        a->opt.dry_run = 1;
        return 0;
    case 'q':
        a->opt.quiet = 1;
        return 0;
    case 's':
        a->opt.only = v;
        return 0;
    case 'S':
        TRY(cli_long("--seeds", v, 1, 10000, &seeds));
        a->opt.seeds = (int)seeds;
        return 0;
    default:
        INPUT_FAIL("grid: unexpected option (see dsaga-bench grid --help)");
    }
}

static int grid_arg(const char *text, void *user)
{
    struct grid_args *a = user;
    if (a->config)
        INPUT_FAIL("grid: unexpected argument \"%s\" (one CONFIG file)", text);
    a->config = text;
    return 0;
}

int cmd_grid(int argc, char **argv, int *status)
{
    struct grid_args a;
    memset(&a, 0, sizeof a);
    (void)status;
    if (cli_wants_help(argc, argv)) {
        if (error_rank() == 0)
            printf("usage: dsaga-bench grid CONFIG [--out FILE.h5] [--only KEY=VALUE,...]\n"
                   "                        [--seeds N] [--dry-run|-n] [--quiet|-q]\n"
                   "  CONFIG       an INI grid (experiments/README.md)\n"
                   "  --out FILE   results file (default results/<CONFIG name>.h5)\n"
                   "  --only K=V,..  run only the cells with these values (algorithm, dataset,\n"
                   "               nodes, seed, partition, loss, lambda, step_scale or a\n"
                   "               method's key); same results file, same cell indices\n"
                   "  --seeds N    every seeds list becomes 1..N (another grid: default file\n"
                   "               results/<CONFIG name>-seedsN.h5)\n"
                   "  --dry-run    list the cells and exit (no data read; runs without mpirun)\n"
                   "  --quiet      no progress lines\n");
        return 0;
    }
    TRY(cli_parse("grid", argc, argv, grid_opts, "nq", grid_opt, grid_arg, &a));
    if (!a.config)
        INPUT_FAIL("grid: expected a CONFIG file (for example experiments/default.ini)");
    TRY(grid_main(a.config, &a.opt, MPI_COMM_WORLD));
    return 0;
}
