/*
 * grid.h - experiment grids (SPEC 5, 6; issue 6): an INI file (libinih)
 * describing the cross product of lists, expanded into run_cfg cells,
 * run in order under MPI into one HDF5 file, resumable.
 */
#ifndef DSAGA_GRID_H
#define DSAGA_GRID_H

#include <mpi.h>
#include <stdint.h>

#include "harness/run_cfg.h"

struct grid {
    char path[1024];      /* the config file */
    char *config_text;    /* its text, stored in the results' root attrs */
    struct run_cfg *runs; /* the cells, in run order; index = /runs/NNNNNN */
    int64_t n_runs;
    int max_nodes;               /* the most ranks a cell needs (K + server ranks) */
    char out_path[1024];         /* results/NAME.h5 unless overridden */
    struct grid_cell_info *info; /* per cell (optional data set, config lines);
                                  * private to grid.c */
    int predict;                 /* [grid] predict = yes: store predicted_rate_per_epoch */
};

/* Parses and expands PATH.  Every problem (unknown key, bad value, empty
 * list, more nodes than launch_ranks) is ERR_INPUT with "path:line: key:
 * what was expected", before anything runs.  The caller owns *out. */
int grid_load(const char *path, int launch_ranks, struct grid **out);
/* The same with every seeds list replaced by 1..seeds (seeds > 0; 0: as
 * written).  The override is part of the grid's identity: its config text
 * ends with a line saying so, and the default results file is
 * results/<name>-seedsN.h5. */
int grid_load_seeds(const char *path, int launch_ranks, int seeds, struct grid **out);

/* Cells to run: selected[i] = 1 when cell i matches every KEY=VALUE of
 * `only` ("algorithm=dsaga,dataset=a9a"; keys: algorithm, dataset, nodes,
 * seed, partition, loss, lambda, step_scale and any key a method
 * declares).  NULL or "" selects all.  An unknown key or a pair without
 * '=' is ERR_INPUT naming it.  Cell indices are unchanged, so selected
 * runs land in the same results file under the same /runs/NNNNNN. */
int grid_select(const struct grid *g, const char *only, unsigned char *selected);
void grid_destroy(struct grid *g);

/* `grid` subcommand: load, validate against the data (nodes <= samples),
 * then run every missing cell, appending to out_path (NULL: the default).
 * dry_run lists the cells and exits; quiet silences progress. */
struct grid_options {
    const char *out_path; /* NULL: results/<config name>.h5 */
    const char *only;     /* grid_select's filter, or NULL */
    int seeds;            /* > 0: every seeds list becomes 1..seeds */
    int dry_run;          /* list the cells and exit */
    int quiet;            /* no progress lines */
};

int grid_main(const char *config_path, const struct grid_options *opt, MPI_Comm launch);

#endif
