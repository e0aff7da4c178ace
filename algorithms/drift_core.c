/*
 * drift_core.c - lazy local steps with a fixed drift (see drift_core.h):
 * the local phase of scaffold (SPEC 3.6), scaffnew/lsvrg (SPEC 3.7) and
 * local-svrg (SPEC 3.8).
 *
 * Why w = scale (v - q c) holds: if w_t = s_t (v_t - q_t c) and
 * s_{t+1} = beta s_t, then
 *     beta w_t - eta c - eta u = s_{t+1} (v_t - q_t c - (eta / s_{t+1}) c
 *                                         - (eta / s_{t+1}) u),
 * so q_{t+1} = q_t + eta / s_{t+1} and v_{t+1} = v_t - (eta / s_{t+1}) u,
 * where u = sum_b coef_b x_{i_b} touches only the rows' nonzeros.
 */
#include "algorithms/drift_core.h"

#include <string.h>

#define DRIFT_MIN_SCALE 1e-9 /* renormalise before scale can underflow */

void drift_core_init(struct drift_core *s, const struct dataset *ds, double eta, double lambda,
                     double *v)
{
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->d = ds->n_features;
    s->eta = eta;
    s->beta = 1.0 - eta * lambda;
    s->scale = 1.0;
    s->v = v;
}

void drift_core_start(struct drift_core *s, const double *w, const double *c)
{
    memcpy(s->v, w, (size_t)s->d * sizeof *s->v);
    s->c = c;
    s->scale = 1.0;
    s->q = 0.0;
}

double drift_core_margin(const struct drift_core *s, int64_t i)
{
    const struct dataset *ds = s->ds;
    double dv = 0.0; /* <x_i, v> */
    double dc = 0.0; /* <x_i, c> */
    for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++) {
        int32_t j = ds->col_idx[p];
        dv += ds->values[p] * s->v[j];
        dc += ds->values[p] * s->c[j];
    }
    return s->scale * (dv - s->q * dc);
}

/* v = w, scale = 1, q = 0: one O(d) pass. */
static void drift_core_renormalise(struct drift_core *s)
{
    for (int64_t j = 0; j < s->d; j++)
        s->v[j] = s->scale * (s->v[j] - s->q * s->c[j]);
    s->scale = 1.0;
    s->q = 0.0;
}

void drift_core_step(struct drift_core *s, int n, const int64_t *rows, const double *coef)
{
    const struct dataset *ds = s->ds;
    double f; /* eta / scale after the shrinkage */
    if (s->beta >= 0.5) {
        s->scale *= s->beta;
        s->q += s->eta / s->scale;
        f = s->eta / s->scale;
    } else { /* a huge step: eager, w = beta w - eta c, then the rows */
        drift_core_renormalise(s);
        for (int64_t j = 0; j < s->d; j++)
            s->v[j] = s->beta * s->v[j] - s->eta * s->c[j];
        f = s->eta;
    }
    for (int b = 0; b < n; b++) {
        int64_t i = rows[b];
        double cf = f * coef[b];
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
            s->v[ds->col_idx[p]] -= cf * ds->values[p];
    }
    if (s->scale < DRIFT_MIN_SCALE) {
        drift_core_renormalise(s);
        s->n_renormalised++;
    }
}

void drift_core_get_w(const struct drift_core *s, double *w)
{
    for (int64_t j = 0; j < s->d; j++)
        w[j] = s->scale * (s->v[j] - s->q * s->c[j]);
}
