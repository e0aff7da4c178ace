/*
 * h5out.h - results on disk in the layout of SPEC 5.
 *
 *     /              attrs: suite_version, git_commit, created, config, host,
 *                           cpu_model, cores, mpi_library, compiler, blas
 *     /runs/NNNNNN   attrs of the run, float64 datasets per checkpoint (1-D;
 *                    a method's extra series of width > 1: 2-D)
 *     /algorithms/NAME  what the registry says of each method (h5out.c)
 *
 * Crash safety: every file is built in memory (HDF5 core driver), then
 * written with write() to a fresh temporary (O_EXCL | O_NOFOLLOW, a unique
 * name), fsync'ed and renamed into place.  A reader, or a restart after
 * SIGKILL at any moment, sees a file with or without the whole run, never
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
    /* issue 14 (SPEC 1, 4, 4.1) */
    double tail_rate_per_epoch;           /* trace_fit_tail_rate, NaN when not defined */
    int bent;                             /* trace_bent(rate, tail rate) */
    int labels_pm1;                       /* 1: labels mapped to -1/+1 ("pm1"), 0: "raw" */
    int has_predicted;                    /* a grid asked for predict (predict = yes) */
    double predicted_rate_per_epoch;      /* SPEC 4.1, NaN when not predictable */
    double predicted_tail_rate_per_epoch; /* predict.h: the tail such a run shows */
    int64_t n_samples;
    int64_t n_features;         /* bias column included */
    int has_model;              /* write model_s */
    struct round_counts counts; /* the method's closed form per round, for
                                 * these shards (SPEC 4; tests compare) */
    struct trace trace;
};

/* ---- one writer's handle on a results file (SPEC 5) ----------------------
 *
 * PATH is rewritten only by merges; a run is first stored whole, as its own
 * small HDF5 file PATH.d/NNNNNN.h5 (built in memory, written to a fresh
 * temporary, fsync'ed, renamed), so an append costs the same at run 10 and
 * run 10 000.  Merges copy the pending runs into PATH with one atomic
 * replacement of PATH; they run when the pending runs are as many as the
 * merged ones (so the copying stays within a constant factor of the data),
 * when the last merge took under 1/20 of the time since, and at
 * h5out_close.  README "Results on disk (HDF5)" justifies
 * the scheme.  One writer at a time: PATH.lock is held with flock(2) for
 * the handle's life and names the holder (host, pid). */
struct h5out_store;

/* Opens PATH for writing: checks the location (bad --out is ERR_INPUT, one
 * line), takes the lock (held by another process: ERR_INPUT "PATH: in use
 * by host H pid P", after waiting up to 5 s for a dying holder), removes
 * temporaries left by killed writers, checks that an existing PATH is this
 * suite's file for config_text (NULL: any config), merges runs left in
 * PATH.d (a file there that is no run of this grid, e.g. damaged, is moved
 * aside to PATH.d/NNNNNN.h5.corrupt.*, with one warning line on stderr, and
 * its cell counts as not done), and indexes the runs present.  create: make PATH now if it does
 * not exist (else at the first merge).  Rank 0 only.  *out: free with
 * h5out_close. */
int h5out_open(const char *path, const char *config_text, int create, struct h5out_store **out);
/* 1 when run `index` is stored and is to be kept (done, diverged, or failed
 * on its own input); 0 when absent or failed for a reason outside its cell
 * (I/O, memory, ...: to be run again).  *nodes: the stored run's nodes
 * (0 when absent). */
int h5out_store_has(const struct h5out_store *s, int64_t index, int *nodes);
/* Stores run `index` whole (see above); refused when it is present and
 * kept.  May merge. */
int h5out_store_append(struct h5out_store *s, int64_t index, const struct run_result *r);
/* merge != 0: merges the pending runs into PATH (creating it when the
 * store was opened with create or holds runs), then removes PATH.d.
 * Always releases the lock and frees s; NULL does nothing.  Returns the
 * merge's status. */
int h5out_close(struct h5out_store *s, int merge);
/* "input" when a failed run failed on its own cell (bad input, a solver
 * that cannot converge on it: kept on resume), else "environment" (I/O, no
 * memory, MPI: retried).  Stored as the run's `failure` attr. */
const char *h5out_failure_kind(const struct run_result *r);

/* Single-call forms (tests, tools): each opens, acts and closes (merging). */
int h5out_create(const char *path, const char *config_text);
/* *exists = 1 if run `index` is stored in PATH or pending in PATH.d. */
int h5out_run_exists(const char *path, int64_t index, int *exists);
int h5out_append_run(const char *path, int64_t index, const struct run_result *r);

#endif
