/*
 * cmd_grid.c - `grid CONFIG [--out FILE.h5] [--dry-run] [--quiet]` (SPEC
 * 7): every cell of an experiment grid (harness/grid.c), resumable.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "harness/grid.h"

struct grid_args {
    const char *config;
    const char *out_path;
    int dry_run;
    int quiet;
};

static const struct option grid_opts[] = {
    {"out", required_argument, NULL, 'o'},
    {"dry-run", no_argument, NULL, 'n'},
    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

static int grid_opt(int index, int c, const char *v, void *user)
{
    (void)index;
    struct grid_args *a = user;
    switch (c) {
    case 'o':
        a->out_path = v;
        return 0;
    case 'n':
        a->dry_run = 1;
        return 0;
    case 'q':
        a->quiet = 1;
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
    struct grid_args a = {NULL, NULL, 0, 0};
    (void)status;
    if (cli_wants_help(argc, argv)) {
        if (error_rank() == 0)
            printf("usage: dsaga-bench grid CONFIG [--out FILE.h5] [--dry-run|-n] [--quiet|-q]\n"
                   "  CONFIG       an INI grid (experiments/README.md)\n"
                   "  --out FILE   results file (default results/<CONFIG name>.h5)\n"
                   "  --dry-run    list the cells and exit (no data, no MPI ranks needed)\n"
                   "  --quiet      no progress lines\n");
        return 0;
    }
    TRY(cli_parse("grid", argc, argv, grid_opts, "nq", grid_opt, grid_arg, &a));
    if (!a.config)
        INPUT_FAIL("grid: expected a CONFIG file (for example experiments/default.ini)");
    TRY(grid_main(a.config, a.out_path, a.dry_run, a.quiet, MPI_COMM_WORLD));
    return 0;
}
