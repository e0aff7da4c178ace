/*
 * test_trace.c - the checkpoint columns and the rate fit of SPEC 4.
 */
#include <criterion/criterion.h>
#include <float.h>
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

/* ---- the tail fit and `bent` (SPEC 4) ---------------------------------- */

/* A two-slope curve: log10 subopt = -0.15 e up to epoch 40 (6 decades),
 * then -6 - 0.005 (e - 40) to epoch 100, checkpoints every 0.5 epoch (201).
 * The shape of dsaga's fast start and slow mode on phishing (issue 14:
 * about -0.04 over the window, -0.0056 in the tail). */
static void push_two_slopes(struct trace *t)
{
    for (int i = 0; i <= 200; i++) {
        double e = 0.5 * i;
        double lg = e <= 40 ? -0.15 * e : -6.0 - 0.005 * (e - 40.0);
        push(t, e, pow(10.0, lg));
    }
}

Test(trace, tail_rate_of_two_slopes_is_the_second_slope)
{
    struct trace t = {0};
    push_two_slopes(&t);
    /* 201 checkpoints above the floor; the last third, ceil(201/3) = 67,
     * runs from epoch 67 to 100, all on the second line: exactly -0.005 */
    double tail = trace_fit_tail_rate(&t);
    /* a line through 201 points: rounding of pow/log10 only */
    cr_assert_float_eq(tail, -0.005, 1e-12, "tail %.17g", tail);

    /* The window rate, closed form: the window [1e-9, 1e-2] holds the first
     * line's epochs 13.5 .. 40 (54 points) and the second line's 40.5 ..
     * 100 (120 points); the normal equations over those points, summed
     * here in a different order and without centring (numpy's polyfit
     * gives -0.0376928). */
    long double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 200; i >= 27; i--) {
        long double e = 0.5L * i;
        long double lg = e <= 40 ? -0.15L * e : -6.0L - 0.005L * (e - 40.0L);
        n += 1;
        sx += e;
        sy += lg;
        sxx += e * e;
        sxy += e * lg;
    }
    double want = (double)((n * sxy - sx * sy) / (n * sxx - sx * sx));
    double rate = trace_fit_rate(&t);
    /* the same fit by two formulas on O(1e6) sums: 1e-10 absolute */
    cr_assert_float_eq(rate, want, 1e-10, "rate %.17g want %.17g", rate, want);
    /* polyfit's value to its printed digits */
    cr_assert_float_eq(rate, -0.0376928, 1e-7, "rate %.17g", rate);
    cr_assert_eq(trace_bent(rate, tail), 1, "rate %g tail %g", rate, tail);
    trace_clear(&t);
}

Test(trace, straight_line_is_not_bent)
{
    /* one slope throughout: tail = window = -0.25 */
    struct trace t = {0};
    for (int i = 0; i <= 80; i++)
        push(&t, 0.5 * i, pow(10.0, -0.125 * i));
    double rate = trace_fit_rate(&t);
    double tail = trace_fit_tail_rate(&t);
    /* rounding of pow/log10 only */
    cr_assert_float_eq(rate, -0.25, 1e-12, "rate %.17g", rate);
    cr_assert_float_eq(tail, -0.25, 1e-12, "tail %.17g", tail);
    cr_assert_eq(trace_bent(rate, tail), 0);
    trace_clear(&t);
}

Test(trace, tail_ignores_the_noise_floor_and_keeps_five_points)
{
    /* slope -1 from 1 to 1e-12 (13 checkpoints), then 40 checkpoints of
     * floating-point noise at 1e-15 and 5e-16 relative: only the 13 above
     * 1e-13 qualify, ceil(13/3) = 5 < 5 -> the last five, epochs 8..12 */
    struct trace t = {0};
    for (int e = 0; e <= 12; e++)
        push(&t, e, pow(10.0, -e));
    for (int e = 13; e < 53; e++)
        push(&t, e, e % 2 ? 1e-15 : 5e-16);
    double tail = trace_fit_tail_rate(&t);
    /* five points on one line: rounding only */
    cr_assert_float_eq(tail, -1.0, 1e-12, "tail %.17g", tail);
    /* a point exactly at the floor does not qualify (SPEC: above 1e-13) */
    trace_clear(&t);
    for (int e = 0; e <= 3; e++)
        push(&t, e, pow(10.0, -e));
    push(&t, 4, 1e-13);
    cr_assert(isnan(trace_fit_tail_rate(&t)), "4 qualifying points: NaN");
    push(&t, 5, 1e-4);
    /* now 5 points (0,1,2,3 and 5): slope of an independent 5-point fit */
    double x[] = {0, 1, 2, 3, 5}, y[] = {0, -1, -2, -3, -4};
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < 5; k++) {
        sx += x[k];
        sy += y[k];
        sxx += x[k] * x[k];
        sxy += x[k] * y[k];
    }
    double want = (5 * sxy - sx * sy) / (5 * sxx - sx * sx);
    tail = trace_fit_tail_rate(&t);
    /* two formulas on O(10) numbers */
    cr_assert_float_eq(tail, want, 1e-12, "tail %.17g want %.17g", tail, want);
    trace_clear(&t);
}

Test(trace, tail_skips_divergence_sentinels_and_bent_handles_nan)
{
    /* a run stored as diverged ends on DBL_MAX (runner.c): not a point */
    struct trace t = {0};
    for (int e = 0; e <= 9; e++)
        push(&t, e, pow(10.0, -0.5 * e));
    push(&t, 10, DBL_MAX);
    double tail = trace_fit_tail_rate(&t);
    /* 10 points qualify, the last 5 (epochs 5..9) lie on slope -0.5 */
    cr_assert_float_eq(tail, -0.5, 1e-12, "tail %.17g", tail);
    trace_clear(&t);
    /* bent: rising or flat tails are bent; NaN on either side never is */
    cr_assert_eq(trace_bent(-0.1, 0.01), 1);
    cr_assert_eq(trace_bent(-0.1, -0.049), 1);
    cr_assert_eq(trace_bent(-0.1, -0.05), 0); /* exactly half: not less */
    cr_assert_eq(trace_bent(-0.1, -0.2), 0);  /* faster tail */
    cr_assert_eq(trace_bent(NAN, -0.01), 0);
    cr_assert_eq(trace_bent(-0.1, NAN), 0);
    cr_assert_eq(trace_bent(0.01, 0.5), 0); /* no decrease to compare with */
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
