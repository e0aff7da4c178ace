/*
 * registry.c - the one table of algorithms (STYLE 1), read once at start-up
 * as Redis builds every command from one table row.
 *
 * Adding a baseline = one new .c file defining `const algorithm
 * algorithm_<name>` (its keys, colour and closed-form counters included) +
 * one X(<name>) line in REGISTRY_TABLE below.  Nothing else names a method,
 * except harness/predict.c, whose rate models (SPEC 4.1) exist for gd,
 * saga, dsaga and local-svrg only.
 */
#include <stddef.h>
#include <string.h>

#include "algorithms/algorithm.h"

/* The one table: one line per method, in the order of --help and figures.
 * X(name) declares `extern const algorithm algorithm_name` and registers it. */
#define REGISTRY_TABLE(X)                                                                          \
    X(saga)                                                                                        \
    X(dsaga)                                                                                       \
    X(sgd)                                                                                         \
    X(local_sgd)                                                                                   \
    X(gd)                                                                                          \
    X(scaffold)                                                                                    \
    X(scaffnew)                                                                                    \
    X(local_svrg)                                                                                  \
    X(dsaga_async)                                                                                 \
    /* one X(name) line per method, above this line */

#define REGISTRY_DECLARE(name) extern const algorithm algorithm_##name;
#define REGISTRY_ENTRY(name)   &algorithm_##name,
REGISTRY_TABLE(REGISTRY_DECLARE)
static const algorithm *const registry[] = {REGISTRY_TABLE(REGISTRY_ENTRY)};

#define REGISTRY_SIZE ((int)(sizeof registry / sizeof registry[0]))

/* Methods a program adds at link time after the table (NULL-terminated):
 * tests/plugin/ links a binary whose method exists only in a test file, to
 * prove that a method needs nothing but its own file.  The production binary
 * defines none (a weak symbol resolves to NULL). */
extern const algorithm *const algorithm_extra[] __attribute__((weak));

const algorithm *algorithm_at(int i)
{
    if (i < 0)
        return NULL;
    if (i < REGISTRY_SIZE)
        return registry[i];
    if (!algorithm_extra)
        return NULL;
    for (int j = 0; algorithm_extra[j]; j++)
        if (j == i - REGISTRY_SIZE)
            return algorithm_extra[j];
    return NULL;
}

const algorithm *algorithm_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; algorithm_at(i); i++)
        if (strcmp(algorithm_at(i)->name, name) == 0)
            return algorithm_at(i);
    return NULL;
}
