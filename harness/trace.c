/*
 * trace.c - the checkpoint columns of one run (SPEC 4) and the linear-rate
 * fit stored as rate_per_epoch (SPEC 4, last paragraph).
 */
#include "harness/trace.h"

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

/* SPEC 4: ordinary least squares of log10(subopt_j) on epoch_j over the
 * checkpoints with 1e-9 s0 <= subopt_j <= 1e-2 s0, s0 = subopt at the first
 * checkpoint.  Sums are centred (two passes) so that large epochs do not
 * cancel.  NaN when fewer than two points qualify or all share one epoch. */
double trace_fit_rate(const struct trace *t)
{
    if (!t || t->n < 2)
        return NAN;
    double s0 = t->subopt[0];
    if (!(s0 > 0) || !isfinite(s0))
        return NAN;
    double lo = 1e-9 * s0;
    double hi = 1e-2 * s0;
    int64_t count = 0;
    double mean_x = 0.0;
    double mean_y = 0.0;
    for (int64_t j = 0; j < t->n; j++) {
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
    for (int64_t j = 0; j < t->n; j++) {
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
