/*
 * test_cfgcheck.c - the bounds of the common run configuration (issue 17):
 * each refusal names the key and its bound; the defaults pass.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness/cfgcheck.h"

static const char *check(const char *key, double v, int fraction, int64_t n)
{
    static char buf[400];
    struct run_cfg c;
    cr_assert_eq(run_cfg_init(&c, "dsaga"), 0);
    if (strcmp(key, "eval_every") == 0)
        c.eval_every = v;
    else if (strcmp(key, "max_epochs") == 0)
        c.max_epochs = v;
    else if (strcmp(key, "period") == 0) {
        /* set behind the parser's back: cfgcheck must hold on its own */
        for (int i = 0; i < c.params.n; i++) {
            if (strcmp(c.params.defs[i].name, "period") != 0)
                continue;
            c.params.v[i].num = v;
            c.params.v[i].is_fraction = fraction;
            snprintf(c.params.v[i].text, sizeof c.params.v[i].text, fraction ? "%gn" : "%g", v);
        }
    }
    return cfgcheck_run(&c, n, buf, sizeof buf);
}

static void refused(const char *why, const char *key, const char *bound)
{
    cr_assert_not_null(why, "%s accepted", key);
    cr_assert(strstr(why, key) && strstr(why, bound), "message: %s", why);
}

Test(cfgcheck, defaults_pass)
{
    cr_assert_null(check("", 0, 0, 0));
    cr_assert_null(check("", 0, 0, 1000));
}

/* --eval-every 1e-12 spun forever in runner.c */
Test(cfgcheck, eval_every_below_one_gradient)
{
    refused(check("eval_every", 1e-12, 0, 1000), "--eval-every", "1/N = 0.001");
    cr_assert_null(check("eval_every", 1e-3, 0, 1000));
}

/* --max-epochs 1e300 --eval-every 1e20: float-to-int64 overflow */
Test(cfgcheck, huge_epochs)
{
    refused(check("max_epochs", 1e300, 0, 0), "--max-epochs", "at most 1e+09");
    refused(check("eval_every", 1e20, 0, 0), "--eval-every", "at most 1e+09");
    refused(check("max_epochs", 1e9, 0, 100000000), "--max-epochs", "2^53");
}

/* --period 1e308n became tau = 1; 3e9n ran one round past max_epochs */
Test(cfgcheck, periods)
{
    refused(check("period", 1e308, 1, 0), "--period", "at most max_epochs = 50n");
    refused(check("period", 3e9, 1, 0), "--period", "at most max_epochs = 50n");
    refused(check("period", 1e300, 0, 0), "--period", "local steps");
    refused(check("period", 1e6, 0, 1000), "--period", "max_epochs N = 50000");
    cr_assert_null(check("period", 0.5, 1, 1000));
    cr_assert_null(check("period", 100, 0, 1000));
}
