/*
 * trace.h - the checkpoints of one run (SPEC 4) and the linear-rate fit.
 */
#ifndef DSAGA_TRACE_H
#define DSAGA_TRACE_H

#include <stdint.h>

#include "algorithms/algorithm.h"

struct checkpoint {
    double epoch;     /* component gradients evaluated, all nodes, / N */
    double rounds;    /* communication rounds of the algorithm so far */
    double bytes;     /* payload bytes sent by all nodes so far */
    double wall_s;    /* algorithm seconds so far, evaluation excluded */
    double comm_s;    /* of which in the algorithm's communication */
    double objective; /* f(w) */
    double subopt;    /* f(w) - f* */
    double grad_norm; /* ||grad f(w)|| */
    double model_s;   /* modelled time (0 without a network model) */
};

/* A method's own series (algorithm.h, extra_series): width numbers per
 * checkpoint, row-major. */
struct trace_series {
    char name[48];
    int width;
    double *v; /* n x width */
};

/* Growable columns, one value per checkpoint (the HDF5 datasets of SPEC 5). */
struct trace {
    int64_t n;   /* checkpoints stored */
    int64_t cap; /* allocated */
    double *epoch, *rounds, *bytes, *wall_s, *comm_s, *objective, *subopt, *grad_norm, *model_s;
    int n_series; /* the method's own series (0 for most methods) */
    struct trace_series series[SERIES_MAX];
};

/* Appends one checkpoint; ERR_NOMEM leaves the trace unchanged. */
int trace_append(struct trace *t, const struct checkpoint *c);
/* Stores the method's series for the last appended checkpoint (call right
 * after trace_append).  A series first seen at a later checkpoint, or one
 * whose width changes, is ERR_INTERNAL; ERR_NOMEM on no memory. */
int trace_append_series(struct trace *t, const struct series_out *s);
/* Frees the columns and zeroes the struct; NULL does nothing. */
void trace_clear(struct trace *t);
/* SPEC 4: least-squares slope of log10(subopt) against epoch over the
 * checkpoints with subopt in [1e-9, 1e-2] times subopt at the first
 * checkpoint.  NaN when fewer than 2 checkpoints qualify. */
double trace_fit_rate(const struct trace *t);

/* SPEC 4: the tail fit, below which a checkpoint is floating-point noise
 * (relative to the first checkpoint's subopt), and its minimum size. */
#define TRACE_TAIL_FLOOR      1e-13
#define TRACE_TAIL_MIN_POINTS 5

/* SPEC 4: the same least-squares slope over the last third (rounded up, at
 * least TRACE_TAIL_MIN_POINTS) of the checkpoints whose subopt lies above
 * TRACE_TAIL_FLOOR times subopt at the first checkpoint (divergence
 * sentinels, DBL_MAX, excluded).  The floor is applied first, so that a run
 * ending on a noise floor still fits its last measured third.  NaN when
 * fewer than TRACE_TAIL_MIN_POINTS checkpoints qualify. */
double trace_fit_tail_rate(const struct trace *t);

/* SPEC 4: 1 when the tail rate is less than half the window rate, i.e.
 * tail > rate / 2 with rate < 0 (the curve slows down, stalls or rises);
 * 0 otherwise, and 0 when either rate is NaN. */
int trace_bent(double rate_per_epoch, double tail_rate_per_epoch);

#endif
