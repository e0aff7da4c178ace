/*
 * params.h - a method's own keys (SPEC 3.10): the table each algorithm file
 * declares, and the small key/value set a run carries for them.
 *
 * As a benchopt solver declares its `parameters` and a Redis command row
 * carries its arity and flags, every algorithm lists its keys once:
 *
 *     static const struct param_def dsaga_params[] = {
 *         {"period", PARAM_PERIOD, "0.5n", 1, 1e9, NULL, "local steps per round ...", 1},
 *         {"aggregate", PARAM_ENUM, "mean", 0, 0, "mean|sum", "...", 1},
 *         {NULL},
 *     };
 *
 * From that table alone the command line builds `--period`, the grid
 * crosses `period` for dsaga only, the results store `period` with dsaga's
 * runs and the figures name runs by the keys flagged `legend`.  The method
 * reads its values through the typed getters below; asking for a key it did
 * not declare is a programming error (the typed getters print it and abort;
 * params_text and params_given answer NULL and 0), never input.
 */
#ifndef DSAGA_PARAMS_H
#define DSAGA_PARAMS_H

#include <stddef.h>
#include <stdint.h>

enum param_type {
    PARAM_INT,   /* an integer in [min, max] */
    PARAM_REAL,  /* a finite number in [min, max] */
    PARAM_ENUM,  /* one of `choices`, "a|b|c" */
    PARAM_PERIOD /* local steps, an integer in [min, max], or a fraction of
                  * the local epoch written "0.5n" (SPEC 3.2), in (0, 1000] */
};

struct param_def {
    const char *name; /* config key; on the command line --name, '_' as '-' */
    enum param_type type;
    const char *def; /* the default, written as a user would: "0.5n", "mean" */
    double min;      /* bounds of int, real and period-in-steps values */
    double max;
    const char *choices; /* enum: "mean|sum"; NULL otherwise */
    const char *help;    /* one line, for `run --algorithm X --help` */
    int legend;          /* 1: the key tells runs apart in figure legends */
};

#define PARAMS_MAX         8      /* keys one method may declare */
#define PARAM_TEXT_MAX     32     /* a value as written */
#define PARAM_FRACTION_MAX 1000.0 /* longest period: 1000 local epochs */

struct param_value {
    double num;                /* int, real, period: the number; enum: the choice's index */
    int is_fraction;           /* period: a fraction of the local epoch */
    int given;                 /* set by the user, not the default */
    char text[PARAM_TEXT_MAX]; /* as written: "0.1n", "mean", "100" */
};

/* The values of one run for one method's table (no allocation: copyable). */
struct params {
    const struct param_def *defs; /* the method's table, {NULL}-terminated */
    int n;
    struct param_value v[PARAMS_MAX];
};

/* Number of entries of a {NULL}-terminated table. */
int params_count(const struct param_def *defs);
/* The entry named `name`, or NULL. */
const struct param_def *params_def(const struct param_def *defs, const char *name);
/* Fills p with the table's defaults.  A default that does not parse is a
 * bug in the table: ERR_INTERNAL naming it. */
int params_init(struct params *p, const struct param_def *defs);
/* Parses `text` for key `name` into p.  NULL on success, else what was
 * expected (a phrase naming the bound: "an integer >= 1", "mean or sum"),
 * or "not declared" when the table has no such key.  The phrase may live
 * in a thread-local buffer of params_parse's, valid until the thread's
 * next call (as strerror's): the one piece of static state here. */
const char *params_set(struct params *p, const char *name, const char *text);
/* Parses one value of def without storing it (grids check lists early). */
const char *params_parse(const struct param_def *def, const char *text, struct param_value *out);

/* Typed getters (assert that the key is declared with that type). */
int64_t params_int(const struct params *p, const char *name);
double params_real(const struct params *p, const char *name);
int params_enum(const struct params *p, const char *name); /* index in choices */
const char *params_text(const struct params *p, const char *name);
/* A period: steps, or a fraction of the local epoch. */
struct period {
    double value;
    int is_fraction;
};
struct period params_period(const struct params *p, const char *name);
/* tau on a node of n_k rows: the steps, or round(fraction n_k), at least 1
 * (SPEC 3.2). */
int64_t period_steps(struct period per, int64_t n_k);
/* 1 if the user set key `name` (rather than leaving its default). */
int params_given(const struct params *p, const char *name);

#endif
