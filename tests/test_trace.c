/*
 * test_trace.c - the checkpoint columns and the rate fit of SPEC 4.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "harness/trace.h"

static void push(struct trace *t, double epoch, double subopt)
{
    struct checkpoint c = {.epoch = epoch,
                           .rounds = 2 * epoch,
                           .bytes = 16 * epoch,
                           .subopt = subopt,
                           .objective = 1.0 + subopt};
    cr_assert_eq(trace_append(t, &c), 0);
}

Test(trace, append_grows_and_keeps_every_column)
{
    struct trace t = {0};
    for (int i = 0; i < 1000; i++) /* past the first capacity (64) several times */
        push(&t, i, 1.0 / (i + 1));
    cr_assert_eq(t.n, 1000);
    cr_assert(t.cap >= 1000);
    for (int i = 0; i < 1000; i += 97) {
        /* values are copied, not computed: exact equality */
        cr_assert_eq(t.epoch[i], (double)i);
        cr_assert_eq(t.rounds[i], 2.0 * i);
        cr_assert_eq(t.bytes[i], 16.0 * i);
        cr_assert_eq(t.subopt[i], 1.0 / (i + 1));
    }
    trace_clear(&t);
    cr_assert_eq(t.n, 0);
    cr_assert_null(t.epoch);
    trace_clear(&t); /* twice is harmless */
    trace_clear(NULL);
}

Test(trace, rate_of_exact_geometric_decay)
{
    /* subopt = 10^(-0.5 epoch): the slope is exactly -0.5 decades/epoch */
    struct trace t = {0};
    for (int i = 0; i <= 40; i++)
        push(&t, 0.5 * i, pow(10.0, -0.25 * i));
    double r = trace_fit_rate(&t);
    /* log10 of pow(10, x) is x to a few ulps; 1e-12 leaves room for the sums */
    cr_assert_float_eq(r, -0.5, 1e-12, "rate %.17g", r);
    trace_clear(&t);
}

Test(trace, rate_uses_only_the_window)
{
    /* Flat at the start (1 -> 0.5, outside the window), then slope -1 inside
     * [1e-9, 1e-2], then a floor at 1e-12 (below the window): only the middle
     * part may enter the fit, so the slope is exactly -1. */
    struct trace t = {0};
    push(&t, 0, 1.0);
    push(&t, 1, 0.5);
    push(&t, 2, 0.2);
    for (int e = 3; e <= 8; e++) /* 1e-2 at epoch 3 ... 1e-7 at epoch 8 */
        push(&t, e, pow(10.0, -(e - 1)));
    for (int e = 9; e <= 20; e++)
        push(&t, e, 1e-12);
    double r = trace_fit_rate(&t);
    /* the six window points lie on a line; rounding of pow/log10 only */
    cr_assert_float_eq(r, -1.0, 1e-12, "rate %.17g", r);
    trace_clear(&t);
}

Test(trace, rate_matches_independent_least_squares)
{
    /* noisy points: compare with the normal equations solved by hand */
    static const double ep[] = {0, 1, 2, 3, 4, 5};
    static const double lg[] = {0, -2.1, -2.9, -4.2, -4.8, -6.3};
    struct trace t = {0};
    for (int i = 0; i < 6; i++)
        push(&t, ep[i], pow(10.0, lg[i]));
    /* window: lg in [-9, -2] -> points 1..5: x = 1..5, y = lg[1..5] */
    double sx = 15, sy = -2.1 - 2.9 - 4.2 - 4.8 - 6.3;
    double sxx = 55, sxy = -2.1 - 2 * 2.9 - 3 * 4.2 - 4 * 4.8 - 5 * 6.3;
    double want = (5 * sxy - sx * sy) / (5 * sxx - sx * sx);
    double r = trace_fit_rate(&t);
    /* two algebraically equal formulas on O(10) numbers: 1e-12 absolute */
    cr_assert_float_eq(r, want, 1e-12, "rate %.17g want %.17g", r, want);
    trace_clear(&t);
}

Test(trace, rate_undefined_cases_are_nan)
{
    struct trace t = {0};
    cr_assert(isnan(trace_fit_rate(&t)));
    push(&t, 0, 1.0);
    push(&t, 1, 1e-3); /* one point in the window */
    cr_assert(isnan(trace_fit_rate(&t)));
    push(&t, 2, 0.9); /* still one */
    cr_assert(isnan(trace_fit_rate(&t)));
    trace_clear(&t);
    push(&t, 0, 0.0); /* s0 = 0: no window at all */
    push(&t, 1, 0.0);
    cr_assert(isnan(trace_fit_rate(&t)));
    trace_clear(&t);
}

/* A method's own series (issue 19): 1-D and [checkpoints x width] columns
 * grow with the trace; a series first seen after checkpoint 0, or whose
 * width changes, is refused. */
Test(trace, method_series_follow_the_checkpoints)
{
    struct trace t = {0};
    struct checkpoint c = {0};
    for (int i = 0; i < 100; i++) { /* past the first growth (64) */
        c.epoch = i;
        cr_assert_eq(trace_append(&t, &c), 0);
        double one = i * 0.5;
        double three[3] = {i, 2.0 * i, 3.0 * i};
        struct series_out s = {0};
        s.n = 2;
        s.col[0].name = "staleness";
        s.col[0].width = 1;
        s.col[0].values = &one;
        s.col[1].name = "worker_updates";
        s.col[1].width = 3;
        s.col[1].values = three;
        cr_assert_eq(trace_append_series(&t, &s), 0);
    }
    cr_assert_eq(t.n_series, 2);
    cr_assert_str_eq(t.series[1].name, "worker_updates");
    cr_assert_eq(t.series[0].v[99], 49.5);
    cr_assert_eq(t.series[1].v[99 * 3 + 2], 297.0);
    double bad[4] = {0};
    struct series_out s = {0};
    s.n = 1;
    s.col[0].name = "worker_updates";
    s.col[0].width = 4;
    s.col[0].values = bad;
    cr_assert_lt(trace_append_series(&t, &s), 0, "a width change is refused");
    s.col[0].name = "late";
    s.col[0].width = 1;
    cr_assert_lt(trace_append_series(&t, &s), 0, "a series new after checkpoint 0 is refused");
    trace_clear(&t);
    cr_assert_eq(t.n_series, 0);
}
