/*
 * objective.c - f(w) = (1/N) sum_i loss(y_i, <x_i, w>) + (lambda/2) ||w||^2
 * (SPEC 1): value, gradient, Hessian-vector product and L_max.
 *
 * Sparse rows are walked in CSR order; a dense data set (is_dense: values is
 * the row-major n_samples x n_features matrix) goes through OpenBLAS dgemv.
 *
 * Accuracy.  fstar drives the gradient norm down to 1e-12 of its value at
 * w = 0 (SPEC 1), where the gradient is the small difference of sums of
 * N terms.  The loss sum and, on sparse data, the per-coordinate gradient
 * sums therefore use Neumaier's compensated summation (one extra d-vector
 * of corrections), so their round-off stays at a few ulps whatever N.
 * Without that memory (allocation failure) we fall back to plain sums.
 */
#include "base/objective.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Neumaier's compensated addition: sum + comp carries s + x exactly up to
 * the rounding of the final sum + comp. */
static inline void neumaier_add(double *sum, double *comp, double x)
{
    double s = *sum;
    double t = s + x;
    if (fabs(s) >= fabs(x))
        *comp += (s - t) + x;
    else
        *comp += (x - t) + s;
    *sum = t;
}

/* N of SPEC 1: n_total, or the rows held when the caller left it unset. */
static double problem_n(const struct problem *p)
{
    return (double)(p->n_total > 0 ? p->n_total : p->data->n_samples);
}

/* <x_i, w> for one CSR row. */
static inline double row_dot(const struct dataset *ds, int64_t i, const double *w)
{
    double s = 0.0;
    for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++)
        s += ds->values[k] * w[ds->col_idx[k]];
    return s;
}

void objective_margins(const struct problem *p, const double *w, double *z)
{
    const struct dataset *ds = p->data;
    if (ds->n_samples == 0)
        return;
    if (ds->is_dense && ds->n_features > 0) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)ds->n_samples, (int)ds->n_features, 1.0,
                    ds->values, (int)ds->n_features, w, 1, 0.0, z, 1);
        return;
    }
    for (int64_t i = 0; i < ds->n_samples; i++)
        z[i] = row_dot(ds, i, w);
}

/* SPEC 1: this node's (1/N) sum_i loss_i and (1/N) sum_i loss'_i x_i. */
double objective_local(const struct problem *p, const double *w, double *grad, double *z)
{
    const struct dataset *ds = p->data;
    const int64_t n = ds->n_samples;
    const int64_t d = ds->n_features;
    const double inv_n = 1.0 / problem_n(p);
    double loss_sum = 0.0;
    double loss_comp = 0.0;

    if (grad)
        memset(grad, 0, (size_t)d * sizeof *grad);

    if (ds->is_dense && z && d > 0 && n > 0) {
        /* z = X w, then z_i <- loss'_i / N and grad = X^T z (BLAS). */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, ds->values, (int)d, w, 1, 0.0,
                    z, 1);
        for (int64_t i = 0; i < n; i++) {
            neumaier_add(&loss_sum, &loss_comp, loss_value(p->loss, ds->y[i], z[i]));
            z[i] = loss_deriv(p->loss, ds->y[i], z[i]) * inv_n;
        }
        if (grad)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, ds->values, (int)d, z, 1,
                        0.0, grad, 1);
        return (loss_sum + loss_comp) * inv_n;
    }

    /* Sparse rows (or a dense set without scratch): one row at a time, the
     * gradient scattered with a compensation term per coordinate. */
    double *comp = grad && d > 0 ? calloc((size_t)d, sizeof *comp) : NULL;
    for (int64_t i = 0; i < n; i++) {
        double zi = row_dot(ds, i, w);
        if (z)
            z[i] = zi;
        neumaier_add(&loss_sum, &loss_comp, loss_value(p->loss, ds->y[i], zi));
        if (!grad)
            continue;
        double a = loss_deriv(p->loss, ds->y[i], zi) * inv_n;
        if (a == 0.0)
            continue;
        if (comp) {
            for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++) {
                int32_t j = ds->col_idx[k];
                neumaier_add(&grad[j], &comp[j], a * ds->values[k]);
            }
        } else {
            for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++)
                grad[ds->col_idx[k]] += a * ds->values[k];
        }
    }
    if (comp) {
        for (int64_t j = 0; j < d; j++)
            grad[j] += comp[j];
        free(comp);
    }
    return (loss_sum + loss_comp) * inv_n;
}

double objective_regularise(const struct problem *p, const double *w, double loss_part,
                            double *grad)
{
    const int64_t d = p->data->n_features;
    double w2 = 0.0;
    for (int64_t j = 0; j < d; j++)
        w2 += w[j] * w[j];
    if (grad)
        for (int64_t j = 0; j < d; j++)
            grad[j] += p->lambda * w[j];
    return loss_part + 0.5 * p->lambda * w2;
}

/* SPEC 1 over the rows held, N = n_samples. */
double objective_value(const struct problem *p, const double *w, double *grad)
{
    struct problem whole = *p;
    whole.n_total = p->data->n_samples;
    return objective_regularise(p, w, objective_local(&whole, w, grad, NULL), grad);
}

/* out = (1/N) X^T D X v + lambda v, D_i = loss''(y_i, z_i); N as in
 * objective_local (fstar passes a problem with n_total = n_samples). */
void objective_hvp(const struct problem *p, const double *z, const double *v, double *out,
                   double *tmp)
{
    const struct dataset *ds = p->data;
    const int64_t n = ds->n_samples;
    const int64_t d = ds->n_features;
    const double inv_n = 1.0 / problem_n(p);

    if (ds->is_dense && n > 0 && d > 0) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, ds->values, (int)d, v, 1, 0.0,
                    tmp, 1);
        for (int64_t i = 0; i < n; i++)
            tmp[i] *= loss_deriv2(p->loss, ds->y[i], z[i]) * inv_n;
        for (int64_t j = 0; j < d; j++)
            out[j] = p->lambda * v[j];
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, ds->values, (int)d, tmp, 1, 1.0,
                    out, 1);
        return;
    }
    for (int64_t j = 0; j < d; j++)
        out[j] = p->lambda * v[j];
    for (int64_t i = 0; i < n; i++) {
        double s = row_dot(ds, i, v) * loss_deriv2(p->loss, ds->y[i], z[i]) * inv_n;
        tmp[i] = s;
        if (s == 0.0)
            continue;
        for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++)
            out[ds->col_idx[k]] += s * ds->values[k];
    }
}

/* SPEC 1: L_max = c max_i ||x_i||^2 + lambda. */
double objective_lmax(const struct problem *p)
{
    return loss_curvature(p->loss) * csr_max_row_norm2(p->data) + p->lambda;
}
