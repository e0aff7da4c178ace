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
    int max_nodes;               /* the largest K of any cell */
    char out_path[1024];         /* results/NAME.h5 unless overridden */
    struct grid_cell_info *info; /* per cell (optional data set, config lines);
                                  * private to grid.c */
    int predict;                 /* [grid] predict = yes: store predicted_rate_per_epoch */
};

/* Parses and expands PATH.  Every problem (unknown key, bad value, empty
 * list, more nodes than launch_ranks) is ERR_INPUT with "path:line: key:
 * what was expected", before anything runs.  The caller owns *out. */
int grid_load(const char *path, int launch_ranks, struct grid **out);
void grid_destroy(struct grid *g);

/* `grid` subcommand: load, validate against the data (nodes <= samples),
 * then run every missing cell, appending to out_path (NULL: the default).
 * dry_run lists the cells and exits; quiet silences progress. */
int grid_main(const char *config_path, const char *out_path, int dry_run, int quiet,
              MPI_Comm launch);

#endif
