/*
 * h5out.h - results on disk in the layout of SPEC 5.
 *
 *     /              attrs: suite_version, git_commit, created, config, host,
 *                           cpu_model, cores, mpi_library, compiler, blas
 *     /runs/NNNNNN   attrs of the run, 1-D float64 datasets per checkpoint
 *
 * Crash safety: the new file is built in memory (HDF5 core driver: the old
 * file's bytes plus the run, written under a temporary group name and
 * H5Lmove'd to /runs/NNNNNN), then written with write() to PATH.tmp,
 * fsync'ed and renamed over PATH.  A reader, or a restart after SIGKILL at
 * any moment, sees the file with or without the whole run, never
 * half of it.  Called on one rank only (rank 0 of the launch).
 */
#ifndef DSAGA_H5OUT_H
#define DSAGA_H5OUT_H

#include <stdint.h>

#include "algorithms/algorithm.h"
#include "harness/run_cfg.h"
#include "harness/trace.h"

/* What one finished (or failed) run leaves. */
struct run_result {
    struct run_cfg cfg; /* as run: lambda and nodes resolved */
    const char *status; /* "done" | "diverged" | "failed" */
    char message[256];  /* why, for failed runs ("" otherwise) */
    int error_code;     /* failed runs: the ERR_* code (ERR_INPUT: bad
                         * input, already reported on stderr); else 0 */
    double step_size;   /* the step in force */
    double fstar;
    double rate_per_epoch; /* trace_fit_rate, NaN when not defined */
    int64_t n_samples;
    int64_t n_features;         /* bias column included */
    int has_model;              /* write model_s */
    struct round_counts counts; /* the method's closed form per round, for
                                 * these shards (SPEC 4; tests compare) */
    struct trace trace;
};

/* Creates PATH with the root attributes if it does not exist; if it exists
 * and its config attribute differs from config_text, ERR_INPUT (a results
 * file belongs to one grid).  config_text may be a generated description
 * for a single `run`. */
int h5out_create(const char *path, const char *config_text);
/* *exists = 1 if /runs/NNNNNN (index) is in PATH. */
int h5out_run_exists(const char *path, int64_t index, int *exists);
/* Appends the run atomically as described above. */
int h5out_append_run(const char *path, int64_t index, const struct run_result *r);

#endif
