/*
 * loss.h - the two losses of SPEC 1 and their derivatives in the margin z.
 *
 *   logistic: loss(y, z) = log(1 + exp(-y z)),  loss' = -y / (1 + exp(y z))
 *   squared:  loss(y, z) = 0.5 (z - y)^2,        loss' = z - y
 *
 * The logistic forms branch on the sign of m = y z so that exp() never
 * overflows (liblinear's l2r_lr_fun); they stay finite for |z| up to 1e300.
 * Inline: these run in every SAGA step.
 */
#ifndef DSAGA_LOSS_H
#define DSAGA_LOSS_H

#include <math.h>

enum loss_kind { LOSS_LOGISTIC = 0, LOSS_SQUARED = 1 };

static inline double loss_value(enum loss_kind kind, double y, double z)
{
    if (kind == LOSS_SQUARED)
        return 0.5 * (z - y) * (z - y);
    double m = y * z;
    /* log(1 + e^-m) = -m + log(1 + e^m) for m < 0 */
    return m >= 0 ? log1p(exp(-m)) : -m + log1p(exp(m));
}

static inline double loss_deriv(enum loss_kind kind, double y, double z)
{
    if (kind == LOSS_SQUARED)
        return z - y;
    double m = y * z;
    /* -y / (1 + e^m) = -y e^-m / (1 + e^-m) for m >= 0: both forms as one,
     * e = e^-|m| <= 1 never overflows (finite at |z| = 1e300), and the
     * numerator is a select, not a branch (random signs in SAGA steps
     * mispredict); the same bits as the two-branch form */
    double e = exp(-fabs(m));
    double num = m >= 0 ? e : 1.0;
    return -y * num / (1.0 + e);
}

/* Second derivative in z (Hessian-vector products of f*). */
static inline double loss_deriv2(enum loss_kind kind, double y, double z)
{
    if (kind == LOSS_SQUARED)
        return 1.0;
    double e = exp(-fabs(y * z)); /* sigma(m)(1 - sigma(m)) = e^-|m| / (1 + e^-|m|)^2 */
    return y * y * e / ((1.0 + e) * (1.0 + e));
}

/* c in L_i = c ||x_i||^2 + lambda (SPEC 1). */
static inline double loss_curvature(enum loss_kind kind)
{
    return kind == LOSS_SQUARED ? 1.0 : 0.25;
}

/* "logistic" / "squared"; returns 0, or -1 for an unknown name. */
int loss_parse(const char *name, enum loss_kind *out);
const char *loss_name(enum loss_kind kind);

#endif
