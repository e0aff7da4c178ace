/*
 * test_loss.c - the losses of SPEC 1 (base/loss.h): closed forms, finite
 * differences, and finiteness at |z| = 1e300 (STYLE 6).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/loss.h"

Test(loss, logistic_closed_forms_at_zero)
{
    for (double y = -1.0; y <= 1.0; y += 2.0) {
        /* loss(y, 0) = log 2 exactly in one rounding: log1p(1). 1 ulp. */
        cr_assert_float_eq(loss_value(LOSS_LOGISTIC, y, 0.0), log(2.0), 2e-16);
        /* loss'(y, 0) = -y / 2: exact in binary. */
        cr_assert_eq(loss_deriv(LOSS_LOGISTIC, y, 0.0), -y / 2.0);
        /* loss''(y, 0) = 1/4: exact in binary. */
        cr_assert_eq(loss_deriv2(LOSS_LOGISTIC, y, 0.0), 0.25);
    }
}

Test(loss, logistic_known_values)
{
    /* loss(1, 1) = log(1 + e^-1) = 0.31326168751822283 (closed form);
     * tolerance: a few ulps of a value ~0.3. */
    cr_assert_float_eq(loss_value(LOSS_LOGISTIC, 1.0, 1.0), 0.31326168751822283, 1e-16);
    /* loss(-1, 1) = log(1 + e) = 1.3132616875182228; a few ulps of ~1.3. */
    cr_assert_float_eq(loss_value(LOSS_LOGISTIC, -1.0, 1.0), 1.3132616875182228, 4e-16);
    /* loss'(1, 1) = -1/(1 + e) = -0.2689414213699951; a few ulps. */
    cr_assert_float_eq(loss_deriv(LOSS_LOGISTIC, 1.0, 1.0), -0.2689414213699951, 1e-16);
    /* loss'(1, -1) = -1/(1 + e^-1) = -0.7310585786300049; a few ulps. */
    cr_assert_float_eq(loss_deriv(LOSS_LOGISTIC, 1.0, -1.0), -0.7310585786300049, 2e-16);
    /* loss(1, 40) = log1p(e^-40) = e^-40 to 1e-17 relative: must not lose it
     * to 1 + tiny; 1e-15 relative is far tighter than log(1 + e^-40). */
    double e40 = exp(-40.0);
    cr_assert_float_eq(loss_value(LOSS_LOGISTIC, 1.0, 40.0), e40, 1e-15 * e40);
}

Test(loss, logistic_finite_at_1e300)
{
    const double big = 1e300;
    for (double y = -1.0; y <= 1.0; y += 2.0) {
        /* Wrong side, margin y z = -1e300: loss = 1e300 + log1p(e^-1e300)
         * = 1e300 to the last bit; derivative -y / (1 + e^-1e300) = -y. */
        cr_assert_eq(loss_value(LOSS_LOGISTIC, y, -y * big), big);
        cr_assert_eq(loss_deriv(LOSS_LOGISTIC, y, -y * big), -y);
        cr_assert_eq(loss_deriv2(LOSS_LOGISTIC, y, -y * big), 0.0);
        /* Right side, margin +1e300: loss = log1p(e^-1e300) = 0 (underflow,
         * not NaN), derivative -0. */
        cr_assert_eq(loss_value(LOSS_LOGISTIC, y, y * big), 0.0);
        cr_assert_eq(loss_deriv(LOSS_LOGISTIC, y, y * big), 0.0);
        cr_assert_eq(loss_deriv2(LOSS_LOGISTIC, y, y * big), 0.0);
        cr_assert(isfinite(loss_value(LOSS_LOGISTIC, y, DBL_MAX)));
        cr_assert(isfinite(loss_value(LOSS_LOGISTIC, y, -DBL_MAX)));
    }
}

Test(loss, logistic_derivatives_match_finite_differences)
{
    const double zs[] = {-30.0, -3.0, -0.7, -1e-3, 0.0, 0.4, 2.5, 20.0};
    for (int s = 0; s < 2; s++) {
        double y = s ? 1.0 : -1.0;
        for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
            double z = zs[k];
            double h = 1e-5;
            double fd1 =
                (loss_value(LOSS_LOGISTIC, y, z + h) - loss_value(LOSS_LOGISTIC, y, z - h)) /
                (2 * h);
            double fd2 =
                (loss_deriv(LOSS_LOGISTIC, y, z + h) - loss_deriv(LOSS_LOGISTIC, y, z - h)) /
                (2 * h);
            double d1 = loss_deriv(LOSS_LOGISTIC, y, z);
            double d2 = loss_deriv2(LOSS_LOGISTIC, y, z);
            /* central differences, h = 1e-5: truncation h^2 |f'''| / 6 < 1e-11
             * plus cancellation eps |f| / h < 1e-9 (|f| <= 31) */
            cr_assert(fabs(fd1 - d1) <= 1e-8 * (1.0 + fabs(d1)), "y %g z %g: %g vs %g", y, z, fd1,
                      d1);
            cr_assert(fabs(fd2 - d2) <= 1e-8 * (1.0 + fabs(d2)), "y %g z %g: %g vs %g", y, z, fd2,
                      d2);
        }
    }
}

Test(loss, squared_closed_forms)
{
    /* 0.5 (z - y)^2, z - y and 1: small integers and halves, exact. */
    cr_assert_eq(loss_value(LOSS_SQUARED, 1.0, 3.0), 2.0);
    cr_assert_eq(loss_value(LOSS_SQUARED, -1.0, 0.0), 0.5);
    cr_assert_eq(loss_value(LOSS_SQUARED, 2.5, 2.5), 0.0);
    cr_assert_eq(loss_deriv(LOSS_SQUARED, 1.0, 3.0), 2.0);
    cr_assert_eq(loss_deriv(LOSS_SQUARED, -1.0, -4.0), -3.0);
    cr_assert_eq(loss_deriv2(LOSS_SQUARED, 7.0, -2.0), 1.0);
}

Test(loss, curvature_and_names)
{
    /* SPEC 1: c = 1/4 (logistic), 1 (squared); exact. */
    cr_assert_eq(loss_curvature(LOSS_LOGISTIC), 0.25);
    cr_assert_eq(loss_curvature(LOSS_SQUARED), 1.0);
    enum loss_kind k;
    cr_assert_eq(loss_parse("logistic", &k), 0);
    cr_assert_eq(k, LOSS_LOGISTIC);
    cr_assert_eq(loss_parse("squared", &k), 0);
    cr_assert_eq(k, LOSS_SQUARED);
    cr_assert_eq(loss_parse("hinge", &k), -1);
    cr_assert_str_eq(loss_name(LOSS_SQUARED), "squared");
    cr_assert_str_eq(loss_name(LOSS_LOGISTIC), "logistic");
}

/* issue 18: the select form of loss' equals liblinear's two-branch form
 * (SPEC 1, STYLE 6) to the last bit, over random margins of every
 * magnitude and both signs, and at the extremes. */
static double two_branch_deriv(double y, double z)
{
    double m = y * z;
    if (m >= 0) {
        double e = exp(-m);
        return -y * e / (1.0 + e);
    }
    return -y / (1.0 + exp(m));
}

Test(loss, logistic_deriv_select_equals_two_branches)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int k = 0; k < 200000; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double mag = ldexp((double)(s >> 11) / 9007199254740992.0, (int)(s % 80) - 40);
        double z = (s & 1) ? mag : -mag;
        double y = (s & 2) ? 1.0 : -1.0;
        double a = loss_deriv(LOSS_LOGISTIC, y, z);
        double b = two_branch_deriv(y, z);
        cr_assert(memcmp(&a, &b, sizeof a) == 0, "z = %a, y = %g: %a vs %a", z, y, a, b);
    }
    const double ext[] = {0.0, -0.0, 1e300, -1e300, 745.2, -745.2, 1e-300, -1e-300};
    for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
        for (int sy = -1; sy <= 1; sy += 2) {
            double a = loss_deriv(LOSS_LOGISTIC, sy, ext[k]);
            double b = two_branch_deriv(sy, ext[k]);
            cr_assert(isfinite(a) && memcmp(&a, &b, sizeof a) == 0, "z = %g: %a vs %a", ext[k], a,
                      b);
        }
    }
}
