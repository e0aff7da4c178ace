/*
 * runner.h - one run from start to finish (SPEC 4): load and shard the data,
 * f*, the step, the rounds, checkpoints and the stopping rule.
 */
#ifndef DSAGA_RUNNER_H
#define DSAGA_RUNNER_H

#include <mpi.h>

#include "harness/h5out.h"

struct dataset_cache; /* scans and the last shard, kept across the runs of a grid */

/* Runs cfg on the first cfg->nodes ranks of `launch` (a sub-communicator when
 * K is smaller than the launch); the other ranks wait.  Collective over
 * `launch`.  Every rank returns; the result (status, trace, attrs) is
 * complete on rank 0 of launch.  A run that fails (bad value found late,
 * numerical trouble) returns 0 with status "failed" and a message; only
 * errors that make the launch unusable (MPI, no memory) return < 0.
 * `progress` != 0 prints the checkpoint table on stdout (rank 0). */
int runner_run(const struct run_cfg *cfg, MPI_Comm launch, struct dataset_cache *cache,
               int progress, struct run_result *out);

/* What runs of a grid share of the data: per (spec, labels) the set's
 * scan, and the last shard made, keyed by (spec, labels, bias, K, part,
 * partition, seed).  NULL is a valid cache that keeps nothing. */
struct dataset_cache *dataset_cache_create(void);
void dataset_cache_destroy(struct dataset_cache *c);

/* Frees what runner_run allocated in *r (its trace). */
void run_result_clear(struct run_result *r);

#endif
