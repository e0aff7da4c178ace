/*
 * test_rng.c - base/rng.h's binomial deviate (predict's simulated runs,
 * harness/predict.c): exact counts at the edges, the binomial pmf on a
 * small n, and the mean and variance of n p and n p (1 - p) on large n at
 * chances below and above 1/2 (the rarer outcome is the one counted).
 * Seeded: the draws are the same on every run.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "base/rng.h"

Test(rng, binomial_edges_are_exact)
{
    struct rng r;
    rng_seed(&r, 7, RNG_STREAM_PREDICT);
    cr_assert_eq(rng_binomial(&r, 0, 0.5), 0);
    cr_assert_eq(rng_binomial(&r, -3, 0.5), 0);
    cr_assert_eq(rng_binomial(&r, 100, 0.0), 0);
    cr_assert_eq(rng_binomial(&r, 100, 1.0), 100);
    for (int i = 0; i < 1000; i++) {
        int64_t k = rng_binomial(&r, 5, 0.7);
        cr_assert(k >= 0 && k <= 5, "%lld of 5", (long long)k);
    }
}

/* n = 4, p = 0.3: each count's frequency over 200 000 draws within 5
 * standard errors of C(4, k) p^k (1 - p)^(4 - k); the same at p = 0.7,
 * counted from the other side. */
Test(rng, binomial_follows_its_pmf_on_a_small_n)
{
    const int draws = 200000;
    for (int side = 0; side < 2; side++) {
        const double p = side ? 0.7 : 0.3;
        struct rng r;
        rng_seed(&r, 11 + (uint64_t)side, RNG_STREAM_PREDICT);
        int freq[5] = {0};
        for (int i = 0; i < draws; i++)
            freq[rng_binomial(&r, 4, p)]++;
        const double choose[5] = {1, 4, 6, 4, 1};
        for (int k = 0; k <= 4; k++) {
            double pk = choose[k] * pow(p, k) * pow(1.0 - p, 4 - k);
            double se = sqrt(pk * (1.0 - pk) / draws);
            double got = (double)freq[k] / draws;
            cr_assert(fabs(got - pk) <= 5.0 * se, "p %g, k %d: %.5f vs %.5f", p, k, got, pk);
        }
    }
}

/* Large n: the sample mean within 5 standard errors of n p, the sample
 * variance within 3 % of n p (1 - p) (its own standard error is about
 * sqrt(2 / draws) = 1 % here). */
Test(rng, binomial_mean_and_variance_on_large_n)
{
    const int draws = 20000;
    const struct {
        int64_t n;
        double p;
    } cases[] = {{1000, 0.05}, {5000, 0.095}, {8140, 0.632}, {300, 0.999}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct rng r;
        rng_seed(&r, 100 + c, RNG_STREAM_PREDICT);
        double s1 = 0.0, s2 = 0.0;
        for (int i = 0; i < draws; i++) {
            double k = (double)rng_binomial(&r, cases[c].n, cases[c].p);
            s1 += k;
            s2 += k * k;
        }
        double n = (double)cases[c].n, p = cases[c].p;
        double mean = s1 / draws, var = s2 / draws - mean * mean;
        double want_var = n * p * (1.0 - p);
        cr_assert(fabs(mean - n * p) <= 5.0 * sqrt(want_var / draws),
                  "n %g p %g: mean %.3f vs %.3f", n, p, mean, n * p);
        cr_assert(fabs(var / want_var - 1.0) <= 0.03, "n %g p %g: variance %.3f vs %.3f", n, p, var,
                  want_var);
    }
}
