/*
 * trace.c - the checkpoint columns of one run (SPEC 4) and the linear-rate
 * fits stored as rate_per_epoch and tail_rate_per_epoch, and `bent` (SPEC 4).
 */
#include "harness/trace.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* Grows every column to `cap` entries; on failure the trace is unchanged
 * (columns already grown keep their old content, n is untouched). */
static int trace_grow(struct trace *t, int64_t cap)
{
    double **cols[] = {&t->epoch,     &t->rounds, &t->bytes,     &t->wall_s, &t->comm_s,
                       &t->objective, &t->subopt, &t->grad_norm, &t->model_s};
    for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
        double *p = realloc(*cols[j], (size_t)cap * sizeof(double));
        if (!p)
            FAIL(ERR_NOMEM, "no memory for %lld checkpoints", (long long)cap);
        *cols[j] = p;
    }
    t->cap = cap;
    return 0;
}

int trace_append(struct trace *t, const struct checkpoint *c)
{
    if (t->n == t->cap)
        TRY(trace_grow(t, t->cap ? 2 * t->cap : 64));
    int64_t i = t->n;
    t->epoch[i] = c->epoch;
    t->rounds[i] = c->rounds;
    t->bytes[i] = c->bytes;
    t->wall_s[i] = c->wall_s;
    t->comm_s[i] = c->comm_s;
    t->objective[i] = c->objective;
    t->subopt[i] = c->subopt;
    t->grad_norm[i] = c->grad_norm;
    t->model_s[i] = c->model_s;
    t->n = i + 1;
    return 0;
}

int trace_append_series(struct trace *t, const struct series_out *s)
{
    int64_t row = t->n - 1;
    if (row < 0)
        FAIL(ERR_INTERNAL, "series before any checkpoint");
    for (int j = 0; j < s->n; j++) {
        struct trace_series *ts = NULL;
        for (int i = 0; i < t->n_series; i++)
            if (strcmp(t->series[i].name, s->col[j].name) == 0)
                ts = &t->series[i];
        if (!ts) {
            if (row != 0 || t->n_series == SERIES_MAX || s->col[j].width < 1)
                FAIL(ERR_INTERNAL, "series %s: new after checkpoint 0, too many or empty",
                     s->col[j].name);
            ts = &t->series[t->n_series++];
            snprintf(ts->name, sizeof ts->name, "%s", s->col[j].name);
            ts->width = s->col[j].width;
            ts->v = NULL;
        }
        if (ts->width != s->col[j].width)
            FAIL(ERR_INTERNAL, "series %s: width %d, then %d", ts->name, ts->width,
                 s->col[j].width);
        /* grown with the columns: cap rows */
        double *p = realloc(ts->v, (size_t)t->cap * (size_t)ts->width * sizeof *p);
        if (!p)
            FAIL(ERR_NOMEM, "series %s: %lld checkpoints", ts->name, (long long)t->cap);
        ts->v = p;
        memcpy(ts->v + row * ts->width, s->col[j].values, (size_t)ts->width * sizeof *p);
    }
    return 0;
}

void trace_clear(struct trace *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_series; i++)
        free(t->series[i].v);
    free(t->epoch);
    free(t->rounds);
    free(t->bytes);
    free(t->wall_s);
    free(t->comm_s);
    free(t->objective);
    free(t->subopt);
    free(t->grad_norm);
    free(t->model_s);
    *t = (struct trace){0};
}

/* Ordinary least squares of log10(subopt_j) on epoch_j over the checkpoints
 * j in [from, t->n) with lo <= subopt_j <= hi.  Sums are centred (two
 * passes) so that large epochs do not cancel.  NaN when fewer than two
 * points qualify or all share one epoch. */
static double trace_slope(const struct trace *t, int64_t from, double lo, double hi)
{
    int64_t count = 0;
    double mean_x = 0.0;
    double mean_y = 0.0;
    for (int64_t j = from; j < t->n; j++) {
        double s = t->subopt[j];
        if (s >= lo && s <= hi) {
            count++;
            mean_x += t->epoch[j];
            mean_y += log10(s);
        }
    }
    if (count < 2)
        return NAN;
    mean_x /= (double)count;
    mean_y /= (double)count;
    double sxx = 0.0;
    double sxy = 0.0;
    for (int64_t j = from; j < t->n; j++) {
        double s = t->subopt[j];
        if (s >= lo && s <= hi) {
            double dx = t->epoch[j] - mean_x;
            sxx += dx * dx;
            sxy += dx * (log10(s) - mean_y);
        }
    }
    if (!(sxx > 0))
        return NAN;
    return sxy / sxx;
}

/* SPEC 4: the window [1e-9 s0, 1e-2 s0], s0 = subopt at the first
 * checkpoint. */
double trace_fit_rate(const struct trace *t)
{
    if (!t || t->n < 2)
        return NAN;
    double s0 = t->subopt[0];
    if (!(s0 > 0) || !isfinite(s0))
        return NAN;
    return trace_slope(t, 0, 1e-9 * s0, 1e-2 * s0);
}

/* SPEC 4: the checkpoints that can enter the tail fit are those with
 * TRACE_TAIL_FLOOR s0 < subopt < DBL_MAX (the divergence sentinel); of
 * those, the last third (rounded up), at least TRACE_TAIL_MIN_POINTS. */
double trace_fit_tail_rate(const struct trace *t)
{
    if (!t || t->n < 2)
        return NAN;
    double s0 = t->subopt[0];
    if (!(s0 > 0) || !isfinite(s0) || s0 == DBL_MAX)
        return NAN;
    /* the open lower bound, as the smallest double above the floor */
    double lo = nextafter(TRACE_TAIL_FLOOR * s0, INFINITY);
    double hi = nextafter(DBL_MAX, 0.0);
    int64_t qualifying = 0;
    for (int64_t j = 0; j < t->n; j++)
        qualifying += t->subopt[j] >= lo && t->subopt[j] <= hi;
    if (qualifying < TRACE_TAIL_MIN_POINTS)
        return NAN;
    int64_t keep = (qualifying + 2) / 3; /* ceil(qualifying / 3) */
    if (keep < TRACE_TAIL_MIN_POINTS)
        keep = TRACE_TAIL_MIN_POINTS;
    /* walk back to the first of the last `keep` qualifying checkpoints */
    int64_t from = t->n;
    for (int64_t seen = 0; from > 0 && seen < keep;) {
        from--;
        seen += t->subopt[from] >= lo && t->subopt[from] <= hi;
    }
    return trace_slope(t, from, lo, hi);
}

/* SPEC 4: bent when the tail rate is less than half the window rate (a
 * decrease slower than half as fast, a stall or a rise).  Undefined rates
 * (NaN) never make a curve bent: there is nothing to compare. */
int trace_bent(double rate_per_epoch, double tail_rate_per_epoch)
{
    return rate_per_epoch < 0 && isfinite(tail_rate_per_epoch) &&
           tail_rate_per_epoch > 0.5 * rate_per_epoch;
}
