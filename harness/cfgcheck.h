/*
 * cfgcheck.h - the bounds of the common run configuration (SPEC 4, 7;
 * issue 17), checked in one place for `run`, `grid` and the runner.
 */
#ifndef DSAGA_CFGCHECK_H
#define DSAGA_CFGCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "harness/run_cfg.h"

/* NULL when cfg's common keys (max_epochs, eval_every, tol) and every
 * period the method declares are
 * within their bounds, else a sentence naming the key, as a config key and
 * as an option, and the bound, written into buf.  n_samples: N when the
 * data are loaded (the bounds that need N are then checked too), 0 before. */
const char *cfgcheck_run(const struct run_cfg *cfg, int64_t n_samples, char *buf, size_t size);

#endif
