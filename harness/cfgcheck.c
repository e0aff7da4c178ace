/*
 * cfgcheck.c - the bounds of the common run configuration (issue 17).
 *
 * Each bound keeps the runner's arithmetic exact and finite (SPEC 4): the
 * gradient counts max_epochs N and the checkpoint targets k eval_every N
 * are doubles that are converted to int64_t, so they must stay integers a
 * double holds exactly (at most 2^53); a checkpoint spacing below one
 * component gradient (eval_every N < 1) made the search for the next
 * checkpoint spin for ~1/(eval_every N) steps; a period is rounded to an
 * integer tau with llround, which is undefined beyond 2^63 (1e308n became
 * tau = 1), and a round longer than the whole run (3e9n) overran
 * max_epochs by that round.
 */
#include "harness/cfgcheck.h"

#include <math.h>
#include <stdio.h>

#define CFG_MAX_EPOCHS 1e9                /* a billion epochs: far beyond any run */
#define CFG_EXACT      9007199254740992.0 /* 2^53: the largest exact integer double */

const char *cfgcheck_run(const struct run_cfg *c, int64_t n_samples, char *buf, size_t size)
{
    double n = (double)n_samples;
    if (!(c->max_epochs > 0) || !(c->max_epochs <= CFG_MAX_EPOCHS)) {
        snprintf(buf, size,
                 "max_epochs (--max-epochs) %g: expected a number of epochs > 0 and at most %g",
                 c->max_epochs, CFG_MAX_EPOCHS);
        return buf;
    }
    if (!(c->eval_every > 0) || !(c->eval_every <= CFG_MAX_EPOCHS)) {
        snprintf(buf, size,
                 "eval_every (--eval-every) %g: expected a number of epochs > 0 and at most %g",
                 c->eval_every, CFG_MAX_EPOCHS);
        return buf;
    }
    if (!(c->tol >= 0) || !isfinite(c->tol)) {
        snprintf(buf, size, "tol (--tol) %g: expected a finite number >= 0", c->tol);
        return buf;
    }
    /* every period the method declares (SPEC 3.10: a PARAM_PERIOD key) */
    for (int i = 0; i < c->params.n; i++) {
        const struct param_def *def = &c->params.defs[i];
        const struct param_value *v = &c->params.v[i];
        if (def->type != PARAM_PERIOD)
            continue;
        if (v->is_fraction && !(v->num <= c->max_epochs)) {
            snprintf(buf, size,
                     "%s (--%s) %s: one round of %g local epochs is longer than the whole run "
                     "(expected a period of at most max_epochs = %gn)",
                     def->name, def->name, v->text, v->num, c->max_epochs);
            return buf;
        }
        if (!v->is_fraction && !(v->num <= CFG_EXACT)) {
            snprintf(buf, size, "%s (--%s) %s: expected at most %.0f local steps", def->name,
                     def->name, v->text, CFG_EXACT);
            return buf;
        }
    }
    if (n_samples <= 0)
        return NULL;
    if (!(c->max_epochs * n <= CFG_EXACT)) {
        snprintf(buf, size,
                 "max_epochs (--max-epochs) %g: %g epochs of %lld samples exceed 2^53 component "
                 "gradients (expected max_epochs <= %g)",
                 c->max_epochs, c->max_epochs, (long long)n_samples, CFG_EXACT / n);
        return buf;
    }
    if (!(c->eval_every * n >= 1)) {
        snprintf(buf, size,
                 "eval_every (--eval-every) %g: below one component gradient of %lld samples "
                 "(expected eval_every >= 1/N = %g epochs)",
                 c->eval_every, (long long)n_samples, 1.0 / n);
        return buf;
    }
    for (int i = 0; i < c->params.n; i++) {
        const struct param_def *def = &c->params.defs[i];
        const struct param_value *v = &c->params.v[i];
        if (def->type == PARAM_PERIOD && !v->is_fraction && !(v->num <= c->max_epochs * n)) {
            snprintf(buf, size,
                     "%s (--%s) %s: one round of %g local steps is longer than the whole run "
                     "(expected at most max_epochs N = %g steps)",
                     def->name, def->name, v->text, v->num, c->max_epochs * n);
            return buf;
        }
    }
    return NULL;
}
