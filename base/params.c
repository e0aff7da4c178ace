/*
 * params.c - a method's declared keys and their values (SPEC 3.10; see
 * params.h).
 */
#include "base/params.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int params_count(const struct param_def *defs)
{
    int n = 0;
    while (defs && defs[n].name)
        n++;
    return n;
}

const struct param_def *params_def(const struct param_def *defs, const char *name)
{
    for (int i = 0; defs && defs[i].name; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

/* A whole finite number (strtod's syntax), nothing after it. */
static int params_number(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* The index of `text` in "a|b|c", or -1. */
static int params_choice(const char *choices, const char *text)
{
    size_t len = strlen(text);
    int i = 0;
    for (const char *c = choices; c && *c; i++) {
        size_t n = strcspn(c, "|");
        if (n == len && strncmp(c, text, n) == 0)
            return i;
        c += n + (c[n] == '|');
    }
    return -1;
}

const char *params_parse(const struct param_def *def, const char *text, struct param_value *out)
{
    static _Thread_local char why[160];
    double v = 0.0;
    memset(out, 0, sizeof *out);
    if (strlen(text) >= PARAM_TEXT_MAX)
        return "a value shorter than 32 characters";
    snprintf(out->text, sizeof out->text, "%s", text);
    switch (def->type) {
    case PARAM_INT:
        if (params_number(text, &v) != 0 || v != floor(v) || v < def->min || v > def->max) {
            snprintf(why, sizeof why, "an integer in [%.15g, %.15g]", def->min, def->max);
            return why;
        }
        out->num = v;
        return NULL;
    case PARAM_REAL:
        if (params_number(text, &v) != 0 || v < def->min || v > def->max) {
            snprintf(why, sizeof why, "a number in [%.15g, %.15g]", def->min, def->max);
            return why;
        }
        out->num = v;
        return NULL;
    case PARAM_ENUM: {
        int i = params_choice(def->choices, text);
        if (i < 0) {
            snprintf(why, sizeof why, "one of %s", def->choices);
            for (char *c = why; *c; c++)
                if (*c == '|')
                    *c = ',';
            return why;
        }
        out->num = i;
        return NULL;
    }
    case PARAM_PERIOD: {
        size_t len = strlen(text);
        snprintf(why, sizeof why,
                 "local steps (an integer in [%.15g, %.15g]) or a fraction of the local epoch "
                 "in (0, %g] (e.g. 0.5n)",
                 def->min, def->max, PARAM_FRACTION_MAX);
        if (len > 0 && text[len - 1] == 'n') {
            char num[PARAM_TEXT_MAX];
            if (len == 1) {
                v = 1.0; /* "n": one local epoch */
            } else {
                snprintf(num, sizeof num, "%.*s", (int)(len - 1), text);
                if (params_number(num, &v) != 0)
                    return why;
            }
            if (!(v > 0) || v > PARAM_FRACTION_MAX)
                return why;
            out->num = v;
            out->is_fraction = 1;
            return NULL;
        }
        if (params_number(text, &v) != 0 || v != floor(v) || v < def->min || v > def->max)
            return why;
        out->num = v;
        return NULL;
    }
    }
    return "a value of a known type";
}

int params_init(struct params *p, const struct param_def *defs)
{
    memset(p, 0, sizeof *p);
    p->defs = defs;
    p->n = params_count(defs);
    if (p->n > PARAMS_MAX)
        FAIL(ERR_INTERNAL, "a method declares %d keys (at most %d)", p->n, PARAMS_MAX);
    for (int i = 0; i < p->n; i++) {
        const char *why = params_parse(&defs[i], defs[i].def, &p->v[i]);
        if (why)
            FAIL(ERR_INTERNAL, "key %s: default \"%s\" is not %s", defs[i].name, defs[i].def, why);
    }
    return 0;
}

const char *params_set(struct params *p, const char *name, const char *text)
{
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->defs[i].name, name) != 0)
            continue;
        struct param_value v;
        const char *why = params_parse(&p->defs[i], text, &v);
        if (why)
            return why;
        v.given = 1;
        p->v[i] = v;
        return NULL;
    }
    return "not declared";
}

/* The value of a declared key of type `type` (a bug otherwise). */
static const struct param_value *params_get(const struct params *p, const char *name,
                                            enum param_type type)
{
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->defs[i].name, name) == 0) {
            assert(p->defs[i].type == type && "a key read with another type than declared");
            return &p->v[i];
        }
    }
    fprintf(stderr, "dsaga-bench: internal: key %s read but not declared\n", name);
    abort();
}

int64_t params_int(const struct params *p, const char *name)
{
    return (int64_t)params_get(p, name, PARAM_INT)->num;
}

double params_real(const struct params *p, const char *name)
{
    return params_get(p, name, PARAM_REAL)->num;
}

int params_enum(const struct params *p, const char *name)
{
    return (int)params_get(p, name, PARAM_ENUM)->num;
}

struct period params_period(const struct params *p, const char *name)
{
    const struct param_value *v = params_get(p, name, PARAM_PERIOD);
    return (struct period){v->num, v->is_fraction};
}

const char *params_text(const struct params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->defs[i].name, name) == 0)
            return p->v[i].text;
    return NULL;
}

int params_given(const struct params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->defs[i].name, name) == 0)
            return p->v[i].given;
    return 0;
}

int64_t period_steps(struct period per, int64_t n_k)
{
    double tau = per.is_fraction ? per.value * (double)n_k : per.value;
    int64_t t = llround(tau);
    return t < 1 ? 1 : t;
}
