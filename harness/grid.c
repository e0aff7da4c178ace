/*
 * grid.c - experiment grids (SPEC 5, 6; issue 6): an INI file read with
 * libinih, expanded into run_cfg cells, run in order under MPI into one HDF5
 * file (h5out.c) that survives being killed at any moment (resume).
 *
 * Format (also in experiments/README.md):
 *
 *     ; comments start with ';' or '#' (inline comments with ';' only)
 *     [grid]
 *     datasets   = synth-dense:n=2000,d=50,cond=100,seed=1  a9a
 *     optional_datasets = w8a mushrooms   ; skipped, with a note, when they
 *                                         ; cannot be resolved offline
 *     algorithms = saga dsaga sgd local-sgd gd
 *     nodes      = 2 4           ; integers; a..b is a range (1..4)
 *     seeds      = 1..3
 *     period     = 100 0.5n 1n   ; steps, or a fraction of n_k ("0.5n")
 *     step_scale = 0.5, 1, 2     ; other lists: comma and/or whitespace
 *
 *     [dsaga]                    ; overrides, for dsaga only
 *     aggregate  = mean sum
 *
 * Lists.  datasets and optional_datasets are whitespace-separated (synthetic
 * specs contain commas); every other list is separated by commas and/or
 * whitespace.  A value may continue on indented lines (INI multi-line).
 *
 * Keys (default in brackets, SPEC 1-4):
 *     datasets optional_datasets        names, LIBSVM paths, synth specs
 *     algorithms                        [grid] only; registered names
 *     predict     yes|no                [grid] only, not crossed [no]: store
 *                                       SPEC 4.1's predicted rate with each run
 *     loss        logistic|squared      [logistic]
 *     lambda      number > 0 | default  [default = 1/N]
 *     bias        number >= 0           [0: none]
 *     nodes       integers >= 1         [every rank of the launch]
 *     partition   random|label          [random]
 *     a method's own keys (SPEC 3.10: declared in its file, listed by
 *     `run --algorithm NAME --help`), e.g.
 *     period      N (steps) | Xn        [0.5n]
 *     aggregate   mean|sum              [mean]
 *     batch       integers >= 1         [1]
 *     step_rule   decaying|constant     [decaying] (sgd, local-sgd)
 *     and sync, refresh, server_step, comm_prob, estimator, refresh_prob
 *     step_scale  number > 0            [1]
 *     step        number > 0 | default  [default: the method's rule]
 *     max_epochs  number > 0            [50]
 *     eval_every  number > 0            [0.5]
 *     tol         number >= 0           [1e-10, relative to f(0); 0: to max_epochs]
 *     seeds       integers >= 0         [1]
 *     network model (issue 10): network (datacenter|wan|none: a preset of
 *     base/netmodel.h, setting net_alpha_s and net_beta_s, which override it
 *     when given too), net_alpha_s (>= 0 | none), net_beta_s,
 *     compute_s (>= 0 | auto), straggler_factor (>= 1), straggler_nodes,
 *     straggler_delay_s, straggler_sleep (0|1|2: 1 sleeps the stragglers'
 *     extra time, 2 every node's whole modelled compute; base/netmodel.h).
 *
 * Sections: [grid], and one per registered algorithm ([dsaga], [sgd], ...)
 * whose lists replace [grid]'s for that algorithm only.  A key an algorithm
 * ignores (saga: nodes, partition, period, aggregate, batch, step_rule; dsaga:
 * batch, step_rule; sgd: period, aggregate; local-sgd: aggregate; gd: period,
 * aggregate, batch, step_rule) does not multiply that algorithm's cells: they
 * take the default, and setting it in the algorithm's own section is an error.
 * saga runs on one node (SPEC 3.1): its cells have nodes = 1.
 *
 * Variants: `algorithms = dsaga dsaga:steps` runs dsaga twice, the second
 * time with the lists of section [dsaga:steps] (for a sweep that should not
 * be crossed with another one).  Identical cells of two variants are run
 * twice.  A variant needs its section, a variant's section its variant in
 * `algorithms`; a value listed twice in one list is refused.
 *
 * Order: datasets x algorithms x (loss lambda bias nodes partition, the
 * method keys in the order the registry declares them, step_scale step
 * max_epochs eval_every tol, network keys) x seeds, the last varying
 * fastest (key_order); the index of a cell is
 * its /runs/NNNNNN.  Cells of optional data sets keep their index whether or
 * not the data are present, so a results file stays resumable.
 *
 * Every problem is reported before anything runs, as one line
 * "path:line: key: what was expected" (STYLE 3, SPEC 7).
 */
#include "harness/grid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "harness/cfgcheck.h"
#include "harness/predict.h"
#include "base/netmodel.h"
#include "base/suggest.h"
#include "harness/h5out.h"
#include "harness/runner.h"

/* /runs/NNNNNN has six digits.  The fuzz build (fuzz/run.sh) lowers the
 * cap so that one execution stays near a millisecond: a fuzzed grid of a
 * million 700-byte cells would cost a second each, and the cap's error
 * path is the same code either way. */
#ifndef GRID_MAX_RUNS
#define GRID_MAX_RUNS 1000000
#endif
#define GRID_MAX_LINE  65536     /* longest config line, in bytes (libinih's limit) */
#define GRID_MAX_BYTES (1 << 20) /* largest config file (issue 17: grid /dev/zero) */

/* ---- bad-input messages ------------------------------------------------- */

/* Length of the UTF-8 sequence at s that may be printed as it is, or 0
 * when s starts a byte to escape: invalid UTF-8, or a C1 control (U+0080 to
 * U+009F, which terminals may take as escape sequences). */
static size_t utf8_printable(const unsigned char *s)
{
    unsigned char lo = 0x80; /* range of the second byte */
    unsigned char hi = 0xBF;
    size_t n = 0;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
        if (s[0] == 0xC2)
            lo = 0xA0;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        if (s[0] == 0xE0)
            lo = 0xA0;
        if (s[0] == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        if (s[0] == 0xF0)
            lo = 0x90;
        if (s[0] == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Reports bad input (error_input, one line) whose text may echo the config
 * (keys, values, section names, paths): every byte that is not printable
 * ASCII or valid UTF-8 is written as \xHH, so that a binary or hostile file
 * can neither put control sequences on the terminal nor break the one-line
 * rule (STYLE 3). */
static void grid_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void grid_input(const char *fmt, ...)
{
    va_list ap;
    char *raw = NULL;
    char *esc = NULL;
    if (error_rank() != 0)
        return; /* error_input prints on rank 0 only */
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0)
        raw = malloc((size_t)n + 1);
    if (raw) {
        va_start(ap, fmt);
        vsnprintf(raw, (size_t)n + 1, fmt, ap);
        va_end(ap);
        esc = malloc(4 * (size_t)n + 1);
    }
    if (!esc) {
        error_input("bad input in a grid config (no memory to say more)");
        free(raw);
        return;
    }
    size_t out = 0;
    for (const unsigned char *s = (const unsigned char *)raw; *s;) {
        size_t keep = *s >= 0x20 && *s < 0x7F ? 1 : utf8_printable(s);
        if (keep) {
            memcpy(esc + out, s, keep);
            out += keep;
            s += keep;
        } else {
            out += (size_t)sprintf(esc + out, "\\x%02X", *s);
            s++;
        }
    }
    esc[out] = '\0';
    error_input("%s", esc);
    free(esc);
    free(raw);
}

/* INPUT_FAIL and INPUT_FAIL_GOTO (error.h), through grid_input. */
#define GRID_INPUT_FAIL(...)                                                                       \
    do {                                                                                           \
        grid_input(__VA_ARGS__);                                                                   \
        return ERR_INPUT;                                                                          \
    } while (0)

#define GRID_INPUT_FAIL_GOTO(...)                                                                  \
    do {                                                                                           \
        grid_input(__VA_ARGS__);                                                                   \
        rc = ERR_INPUT;                                                                            \
        goto done;                                                                                 \
    } while (0)

/* The keys every run has (harness/run_cfg.h).  A method's own keys (SPEC
 * 3.10) follow them at N_COMMON + j, j indexing the union of the registry's
 * declared keys in registry order (struct parser: method_keys). */
enum key_id {
    K_DATASETS,
    K_OPTIONAL,
    K_ALGORITHMS,
    K_LOSS, /* first key of "the rest" (expansion order from here) */
    K_LAMBDA,
    K_BIAS,
    K_NODES,
    K_PARTITION, /* the method's own keys are crossed after this one */
    K_STEP_SCALE,
    K_STEP,
    K_MAX_EPOCHS,
    K_EVAL_EVERY,
    K_TOL,
    K_NETWORK, /* a preset: sets net_alpha_s and net_beta_s (explicit ones override) */
    K_NET_ALPHA,
    K_NET_BETA,
    K_COMPUTE,
    K_STRAG_FACTOR,
    K_STRAG_NODES,
    K_STRAG_DELAY,
    K_STRAG_SLEEP,
    K_SEEDS, /* innermost */
    N_COMMON
};

#define MAX_METHOD_KEYS 48
#define N_KEYS          (N_COMMON + MAX_METHOD_KEYS)

static const char *const key_names[N_COMMON] = {"datasets",
                                                "optional_datasets",
                                                "algorithms",
                                                "loss",
                                                "lambda",
                                                "bias",
                                                "nodes",
                                                "partition",
                                                "step_scale",
                                                "step",
                                                "max_epochs",
                                                "eval_every",
                                                "tol",
                                                "network",
                                                "net_alpha_s",
                                                "net_beta_s",
                                                "compute_s",
                                                "straggler_factor",
                                                "straggler_nodes",
                                                "straggler_delay_s",
                                                "straggler_sleep",
                                                "seeds"};

/* One list item.  Strings (datasets, algorithms, a method key's value as
 * written) in str; common numbers in num (enums as their value), seeds in
 * u64. */
struct item {
    char *str;
    double num;
    double num2; /* network: beta (num is alpha) */
    uint64_t u64;
};

struct list {
    int set;   /* given in this section */
    int line;  /* of the key */
    char *raw; /* the text, continuation lines joined by ' ' */
    int n;
    int cap; /* allocated items: grows geometrically (a range a..b may
              * expand to a million seeds) */
    struct item *v;
};

struct section {
    char name[64]; /* "grid" or an algorithm */
    int line;
    struct list keys[N_KEYS];
};

/* Per cell, private to this file (grid.h: struct grid_cell_info). */
struct grid_cell_info {
    int optional;     /* dataset from an optional_datasets list */
    int dataset_line; /* of the list naming the data set */
    int nodes_line;   /* of the list giving K (0: default) */
};

struct parser {
    const char *path;
    const char *text;
    const char *cursor; /* next unread line of text */
    int line;           /* number of the line at cursor */
    int have_prev;      /* a key was seen since the last section header */
    struct section *sections;
    int n_sections;
    struct list *prev;                        /* the list of the previous key (continuations) */
    const char *method_keys[MAX_METHOD_KEYS]; /* the registry's declared keys */
    int n_method_keys;
    int err_line; /* first error found by the handler (0: none) */
    char err[768];
    int nomem;
    int predict; /* [grid] predict = yes (issue 14) */
};

/* ---- small helpers ------------------------------------------------------ */

/* The name of key k. */
static const char *key_name(const struct parser *p, int k)
{
    return k < N_COMMON ? key_names[k] : p->method_keys[k - N_COMMON];
}

/* Every key name, common and declared, in key order (for suggestions). */
static int key_all_names(const struct parser *p, const char **names)
{
    int n = 0;
    for (int k = 0; k < N_COMMON; k++)
        names[n++] = key_names[k];
    for (int j = 0; j < p->n_method_keys; j++)
        names[n++] = p->method_keys[j];
    return n;
}

/* The union of the registry's declared keys, first appearance first. */
static int key_collect(struct parser *p)
{
    for (int i = 0; algorithm_at(i); i++) {
        const struct param_def *defs = algorithm_at(i)->params;
        for (int j = 0; defs && defs[j].name; j++) {
            int seen = 0;
            for (int k = 0; k < N_COMMON && !seen; k++)
                seen = strcmp(key_names[k], defs[j].name) == 0;
            if (seen)
                FAIL(ERR_INTERNAL, "%s declares key %s, which every run has", algorithm_at(i)->name,
                     defs[j].name);
            for (int k = 0; k < p->n_method_keys && !seen; k++)
                seen = strcmp(p->method_keys[k], defs[j].name) == 0;
            if (seen)
                continue;
            if (p->n_method_keys == MAX_METHOD_KEYS)
                FAIL(ERR_INTERNAL, "more than %d distinct method keys", MAX_METHOD_KEYS);
            p->method_keys[p->n_method_keys++] = defs[j].name;
        }
    }
    return 0;
}

static int key_find(const struct parser *p, const char *name)
{
    for (int k = 0; k < N_COMMON; k++)
        if (strcmp(key_names[k], name) == 0)
            return k;
    for (int j = 0; j < p->n_method_keys; j++)
        if (strcmp(p->method_keys[j], name) == 0)
            return N_COMMON + j;
    return -1;
}

/* "dsaga:steps" -> "dsaga" (a variant: the algorithm with its own section). */
static void base_name(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)strcspn(name, ":"), name);
}

static const algorithm *variant_find(const char *name)
{
    char base[64];
    base_name(name, base, sizeof base);
    return algorithm_find(base);
}

/* The declaration of method key k by the algorithm of `variant`, or NULL. */
static const struct param_def *key_def(const struct parser *p, const char *variant, int k)
{
    const algorithm *a = variant_find(variant);
    return a && k >= N_COMMON ? params_def(a->params, key_name(p, k)) : NULL;
}

/* Which keys change what an algorithm computes (see the file comment): a
 * method's own keys only for the methods that declare them (SPEC 3.10);
 * nodes and partition not for a centralized method. */
static int key_relevant(const struct parser *p, const char *variant, int key)
{
    const algorithm *a = variant_find(variant);
    if (key >= N_COMMON)
        return key_def(p, variant, key) != NULL;
    if (key == K_NODES || key == K_PARTITION)
        return !(a && a->centralized);
    return 1;
}

/* "period, aggregate" : the keys `a` declares, for messages. */
static void key_declared(const algorithm *a, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; a->params && a->params[j].name && used < size; j++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", j ? ", " : "", a->params[j].name);
    if (!buf[0])
        snprintf(buf, size, "none");
}

static void list_free(struct list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].str);
    free(l->v);
    free(l->raw);
    memset(l, 0, sizeof *l);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Registered algorithm names, for messages. */
static void algorithm_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; algorithm_at(i) && used < size; i++)
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", algorithm_at(i)->name);
}

/* ---- line tracking ------------------------------------------------------ */

/* Reads the next line of the text at p->cursor into buf (no newline);
 * returns 0 at the end. */
static int next_line(struct parser *p, char *buf, size_t size, int *lineno)
{
    if (!*p->cursor)
        return 0;
    const char *end = strchr(p->cursor, '\n');
    size_t len = end ? (size_t)(end - p->cursor) : strlen(p->cursor);
    size_t copy = len < size - 1 ? len : size - 1;
    memcpy(buf, p->cursor, copy);
    buf[copy] = '\0';
    if (copy && buf[copy - 1] == '\r')
        buf[copy - 1] = '\0';
    *lineno = p->line;
    p->cursor += len + (end ? 1 : 0);
    p->line++;
    return 1;
}

/* inih calls the handler once per key line or continuation line, in text
 * order, and for no other line (except lines it rejects, which end the
 * load anyway).  So the line of a call is the next line that is not blank,
 * a comment or a section header.  *continuation: inih's rule, an indented
 * line after a key of the same section. */
static int locate(struct parser *p, int *lineno, int *continuation)
{
    while (*p->cursor) {
        const char *s = p->cursor;
        const char *end = strchr(s, '\n');
        *lineno = p->line;
        p->cursor = end ? end + 1 : s + strlen(s);
        p->line++;
        if (*lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* UTF-8 BOM */
        const char *t = s;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t == '\n' || *t == '\r' || *t == '\0' || *t == ';' || *t == '#')
            continue;
        if (*t == '[') {
            p->have_prev = 0;
            continue;
        }
        *continuation = p->have_prev && t > s;
        p->have_prev = 1;
        return 1;
    }
    *lineno = p->line;
    *continuation = 0;
    return 0;
}

static struct section *section_get(struct parser *p, const char *name)
{
    for (int i = 0; i < p->n_sections; i++)
        if (strcmp(p->sections[i].name, name) == 0)
            return &p->sections[i];
    return NULL;
}

static int append_raw(struct list *l, const char *value)
{
    size_t old = l->raw ? strlen(l->raw) : 0;
    char *r = realloc(l->raw, old + strlen(value) + 2);
    if (!r)
        return -1;
    if (old)
        r[old++] = ' ';
    strcpy(r + old, value);
    l->raw = r;
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parser *p = user;
    int lineno = 0;
    int continuation = 0;
    locate(p, &lineno, &continuation);
    if (p->err_line || p->nomem)
        return 1;
#define HERR(...)                                                                                  \
    do {                                                                                           \
        p->err_line = lineno;                                                                      \
        snprintf(p->err, sizeof p->err, __VA_ARGS__);                                              \
        return 1;                                                                                  \
    } while (0)
    if (continuation && p->prev) {
        if (append_raw(p->prev, value) != 0)
            p->nomem = 1;
        return 1;
    }
    /* issue 14: `predict = yes|no` in [grid] stores predicted_rate_per_epoch
     * (SPEC 4.1) with every run; a setting of the grid, not crossed */
    if (strcmp(name, "predict") == 0) {
        if (strcmp(section, "grid") != 0 || continuation)
            HERR("%s:%d: predict: expected one value, yes or no, in [grid]", p->path, lineno);
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            HERR("%s:%d: predict: expected yes or no, got \"%s\"", p->path, lineno, value);
        p->predict = strcmp(value, "yes") == 0;
        p->prev = NULL;
        return 1;
    }
    struct section *sec = section_get(p, section);
    if (!sec) /* only keys before the first header: sections were checked */
        HERR("%s:%d: %s: key outside a section (expected it under [grid] or an "
             "algorithm's section)",
             p->path, lineno, name);
    int k = key_find(p, name);
    if (k < 0) {
        const char *names[N_KEYS];
        int n = key_all_names(p, names);
        const char *close = suggest_closest(name, names, n);
        if (close)
            HERR("%s:%d: %s: unknown key (did you mean %s?)", p->path, lineno, name, close);
        char all[600];
        size_t used = 0;
        for (int i = 0; i < n && used < sizeof all; i++)
            used +=
                (size_t)snprintf(all + used, sizeof all - used, "%s%s", i ? ", " : "", names[i]);
        HERR("%s:%d: %s: unknown key (expected one of %s)", p->path, lineno, name, all);
    }
    int is_grid = strcmp(section, "grid") == 0;
    if (k == K_ALGORITHMS && !is_grid)
        HERR("%s:%d: algorithms: allowed in [grid] only", p->path, lineno);
    if (!is_grid && k >= N_COMMON && !key_relevant(p, section, k)) {
        char keys[512];
        key_declared(variant_find(section), keys, sizeof keys);
        HERR("%s:%d: %s: not a key of %s (its keys: %s; remove it from [%s])", p->path, lineno,
             name, section, keys, section);
    }
    if (!is_grid && !key_relevant(p, section, k))
        HERR("%s:%d: %s: not used by %s (remove it from [%s])", p->path, lineno, name, section,
             section);
    struct list *l = &sec->keys[k];
    if (l->set)
        HERR("%s:%d: %s: set twice in [%s] (first at line %d); give one list", p->path, lineno,
             name, section, l->line);
    l->set = 1;
    l->line = lineno;
    if (append_raw(l, value) != 0)
        p->nomem = 1;
    p->prev = l;
    return 1;
#undef HERR
}

/* Checks every section header (also of empty sections, which inih does not
 * report) and records the sections in order. */
static int scan_sections(struct parser *p)
{
    char buf[1 << 12];
    int lineno = 0;
    struct parser scan = *p;
    char names[512];
    while (next_line(&scan, buf, sizeof buf, &lineno)) {
        char *t = trim(buf);
        if (lineno == 1 && (unsigned char)t[0] == 0xEF)
            t = trim(t + 3);
        if (*t != '[')
            continue;
        char *close = strchr(t, ']');
        if (!close)
            GRID_INPUT_FAIL("%s:%d: expected a section header [name]", p->path, lineno);
        *close = '\0';
        char *name = trim(t + 1);
        if (strcmp(name, "grid") != 0 && !variant_find(name)) {
            algorithm_names(names, sizeof names);
            GRID_INPUT_FAIL("%s:%d: [%s]: unknown section (expected [grid] or an algorithm: %s)",
                            p->path, lineno, name, names);
        }
        if (section_get(p, name))
            GRID_INPUT_FAIL("%s:%d: [%s]: section given twice", p->path, lineno, name);
        struct section *s = realloc(p->sections, (size_t)(p->n_sections + 1) * sizeof *s);
        if (!s)
            FAIL(ERR_NOMEM, "sections");
        p->sections = s;
        memset(&s[p->n_sections], 0, sizeof *s);
        snprintf(s[p->n_sections].name, sizeof s->name, "%s", name);
        s[p->n_sections].line = lineno;
        p->n_sections++;
    }
    return 0;
}

/* ---- values ------------------------------------------------------------- */

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_int(const char *s, long lo, long *out)
{
    uint64_t v = 0;
    if (parse_u64(s, &v) != 0 || v > 1000000000u || (long)v < lo)
        return -1;
    *out = (long)v;
    return 0;
}

/* Parses one token of key k into it; NULL, or what was expected. */
static const char *parse_token(int k, const char *tok, struct item *it)
{
    long n = 0;
    switch (k) {
    case K_DATASETS:
    case K_OPTIONAL:
        if (strlen(tok) >= sizeof(((struct run_cfg *)0)->dataset))
            return "a data set name, path or spec shorter than 512 characters";
        return (it->str = strdup(tok)) ? NULL : "memory";
    case K_ALGORITHMS:
        if (!variant_find(tok))
            return "registered algorithm names (or name:variant)";
        return (it->str = strdup(tok)) ? NULL : "memory";
    case K_LOSS:
        if (strcmp(tok, "logistic") == 0)
            it->num = LOSS_LOGISTIC;
        else if (strcmp(tok, "squared") == 0)
            it->num = LOSS_SQUARED;
        else
            return "logistic or squared";
        return NULL;
    case K_LAMBDA:
        if (strcmp(tok, "default") == 0) {
            it->num = 0; /* run_cfg: <= 0 means 1/N */
            return NULL;
        }
        return parse_double(tok, &it->num) == 0 && it->num > 0 ? NULL
                                                               : "numbers > 0 or default (1/N)";
    case K_BIAS:
    case K_NET_BETA:
    case K_STRAG_DELAY:
    case K_TOL:
        return parse_double(tok, &it->num) == 0 && it->num >= 0 ? NULL : "numbers >= 0";
    case K_STEP_SCALE:
    case K_MAX_EPOCHS:
    case K_EVAL_EVERY:
        return parse_double(tok, &it->num) == 0 && it->num > 0 ? NULL : "numbers > 0";
    case K_STEP:
        if (strcmp(tok, "default") == 0) {
            it->num = 0;
            return NULL;
        }
        return parse_double(tok, &it->num) == 0 && it->num > 0
                   ? NULL
                   : "numbers > 0 or default (the method's rule times step_scale)";
    case K_NODES:
        if (parse_int(tok, 1, &n) != 0)
            return "integers >= 1 (a..b for a range)";
        it->num = (double)n;
        return NULL;
    case K_STRAG_NODES:
        if (parse_int(tok, 0, &n) != 0)
            return "integers >= 0";
        it->num = (double)n;
        return NULL;
    case K_STRAG_SLEEP:
        if (strcmp(tok, "0") == 0 || strcmp(tok, "no") == 0)
            it->num = 0;
        else if (strcmp(tok, "1") == 0 || strcmp(tok, "yes") == 0)
            it->num = 1;
        else if (strcmp(tok, "2") == 0 || strcmp(tok, "emulate") == 0)
            it->num = 2; /* issue 19: sleep the whole modelled compute */
        else
            return "0, 1 or 2";
        return NULL;
    case K_SEEDS:
        return parse_u64(tok, &it->u64) == 0 ? NULL : "integers >= 0 (a..b for a range)";
    case K_PARTITION: {
        enum partition pa;
        if (partition_parse(tok, &pa) != 0)
            return "random or label";
        it->num = pa;
        return NULL;
    }
    case K_NETWORK:
        if (strcmp(tok, "none") == 0) {
            it->num = -1; /* run_cfg: < 0 means no network model */
            it->num2 = 0;
            return NULL;
        }
        return netmodel_preset(tok, &it->num, &it->num2) == 0
                   ? NULL
                   : "a network preset: datacenter, wan or none";
    case K_NET_ALPHA:
        if (strcmp(tok, "none") == 0) {
            it->num = -1; /* run_cfg: < 0 means no network model */
            return NULL;
        }
        return parse_double(tok, &it->num) == 0 && it->num >= 0 ? NULL : "numbers >= 0 or none";
    case K_COMPUTE:
        if (strcmp(tok, "auto") == 0) {
            it->num = 0; /* run_cfg: <= 0 means calibrated */
            return NULL;
        }
        return parse_double(tok, &it->num) == 0 && it->num >= 0 ? NULL : "numbers >= 0 or auto";
    case K_STRAG_FACTOR:
        return parse_double(tok, &it->num) == 0 && it->num >= 1 ? NULL : "numbers >= 1";
    default:
        return "nothing (internal: unhandled key)";
    }
}

static int list_push(struct list *l, struct item *it)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        struct item *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) {
            free(it->str);
            FAIL(ERR_NOMEM, "list");
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *it;
    return 0;
}

/* A method key's value (SPEC 3.10), kept as written in it->str and checked
 * against the declaration of every algorithm it applies to: the section's
 * own, or in [grid] each listed algorithm that declares the key (`algs`,
 * parsed first).  NULL, or what was expected (in why). */
static const char *method_token(const struct parser *p, const char *section,
                                const struct list *algs, int k, const char *tok, struct item *it,
                                char *why, size_t size)
{
    int checked = 0;
    int is_grid = strcmp(section, "grid") == 0;
    for (int i = 0; i < (is_grid ? algs->n : 1); i++) {
        const char *variant = is_grid ? algs->v[i].str : section;
        const struct param_def *def = key_def(p, variant, k);
        if (!def)
            continue;
        struct param_value v;
        const char *bad = params_parse(def, tok, &v);
        if (bad) {
            snprintf(why, size, "%s (for %s)", bad, variant);
            return why;
        }
        checked = 1;
    }
    if (!checked) {
        snprintf(why, size,
                 "a key of one of this grid's algorithms (no listed algorithm "
                 "declares it)");
        return why;
    }
    return (it->str = strdup(tok)) ? NULL : "memory";
}

/* 1 if some registered method declares key k as an integer (a..b ranges). */
static int key_is_int(const struct parser *p, int k)
{
    if (k == K_SEEDS || k == K_NODES || k == K_STRAG_NODES)
        return 1;
    for (int i = 0; k >= N_COMMON && algorithm_at(i); i++) {
        const struct param_def *def = params_def(algorithm_at(i)->params, key_name(p, k));
        if (def && def->type == PARAM_INT)
            return 1;
    }
    return 0;
}

/* One token of key k: a common key's parse_token, or method_token. */
static const char *token(const struct parser *p, const char *section, const struct list *algs,
                         int k, const char *tok, struct item *it, char *why, size_t size)
{
    return k < N_COMMON ? parse_token(k, tok, it)
                        : method_token(p, section, algs, k, tok, it, why, size);
}

/* Splits l->raw and parses every token; errors name path:line and key. */
static int item_cmp(const void *pa, const void *pb)
{
    const struct item *a = *(const struct item *const *)pa;
    const struct item *b = *(const struct item *const *)pb;
    if (a->str || b->str)
        return a->str && b->str ? strcmp(a->str, b->str) : (a->str != NULL) - (b->str != NULL);
    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    if (a->num2 != b->num2)
        return a->num2 < b->num2 ? -1 : 1;
    return (a->u64 > b->u64) - (a->u64 < b->u64);
}

/* The index of a value listed twice in l (the same text, or the same
 * number: "1" and "1.0"), or -1. */
static int list_duplicate(const struct list *l)
{
    if (l->n < 2)
        return -1;
    const struct item **v = malloc((size_t)l->n * sizeof *v);
    if (!v)
        return -1; /* no memory for the check: the list stands */
    for (int i = 0; i < l->n; i++)
        v[i] = &l->v[i];
    qsort(v, (size_t)l->n, sizeof *v, item_cmp);
    int dup = -1;
    for (int i = 1; i < l->n && dup < 0; i++)
        if (item_cmp(&v[i - 1], &v[i]) == 0)
            dup = (int)(v[i] - l->v);
    free(v);
    return dup;
}

static int list_parse(const struct parser *p, const char *section, const struct list *algs, int k,
                      int launch_ranks, struct list *l)
{
    const char *path = p->path;
    const char *name = key_name(p, k);
    char why_buf[256];
    const char *seps = (k == K_DATASETS || k == K_OPTIONAL) ? " \t\r\n" : " \t\r\n,";
    char *text = strdup(l->raw ? l->raw : "");
    char *save = NULL;
    int rc = 0;
    if (!text)
        FAIL(ERR_NOMEM, "list");
    for (char *tok = strtok_r(text, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
        char *dots = strstr(tok, "..");
        if (dots && key_is_int(p, k)) {
            /* a..b, inclusive */
            *dots = '\0';
            uint64_t a = 0;
            uint64_t b = 0;
            if (parse_u64(tok, &a) != 0 || parse_u64(dots + 2, &b) != 0 || b < a)
                GRID_INPUT_FAIL_GOTO("%s:%d: %s: \"%s..%s\": expected a range a..b of integers "
                                     "with a <= b",
                                     path, l->line, name, tok, dots + 2);
            /* the list's length against the cell cap before expanding
             * (issue 17: 300 ranges 0..999999 took 12 GB per rank first) */
            if (b - a >= (uint64_t)GRID_MAX_RUNS - (uint64_t)l->n)
                GRID_INPUT_FAIL_GOTO("%s:%d: %s: \"%s..%s\": the list would exceed %d values "
                                     "(expected a grid of at most %d cells)",
                                     path, l->line, name, tok, dots + 2, GRID_MAX_RUNS,
                                     GRID_MAX_RUNS);
            for (uint64_t x = a; x <= b; x++) {
                char num[32];
                struct item it = {0};
                snprintf(num, sizeof num, "%llu", (unsigned long long)x);
                const char *why = token(p, section, algs, k, num, &it, why_buf, sizeof why_buf);
                if (why)
                    GRID_INPUT_FAIL_GOTO("%s:%d: %s: \"%s\": expected %s", path, l->line, name, num,
                                         why);
                TRY_GOTO(list_push(l, &it));
            }
            continue;
        }
        struct item it = {0};
        const char *why = token(p, section, algs, k, tok, &it, why_buf, sizeof why_buf);
        if (why)
            GRID_INPUT_FAIL_GOTO("%s:%d: %s: \"%s\": expected %s", path, l->line, name, tok, why);
        TRY_GOTO(list_push(l, &it));
    }
    if (l->n == 0)
        GRID_INPUT_FAIL_GOTO("%s:%d: %s: empty list in [%s] (expected at least one value)", path,
                             l->line, name, section);
    int dup = list_duplicate(l);
    if (dup >= 0) {
        char shown[64];
        if (l->v[dup].str)
            snprintf(shown, sizeof shown, "%.60s", l->v[dup].str);
        else if (k == K_SEEDS)
            snprintf(shown, sizeof shown, "%llu", (unsigned long long)l->v[dup].u64);
        else
            snprintf(shown, sizeof shown, "%.17g", l->v[dup].num);
        GRID_INPUT_FAIL_GOTO("%s:%d: %s: %s listed twice (expected each value once: a repeated "
                             "value runs identical cells)",
                             path, l->line, name, shown);
    }
    if (k == K_NODES && launch_ranks > 0)
        for (int i = 0; i < l->n; i++)
            if (l->v[i].num > launch_ranks)
                GRID_INPUT_FAIL_GOTO("%s:%d: nodes: %g exceeds the %d ranks of the launch "
                                     "(expected nodes <= %d, or mpirun -np %g)",
                                     path, l->line, l->v[i].num, launch_ranks, launch_ranks,
                                     l->v[i].num);
done:
    free(text);
    return rc;
}

/* ---- expansion ---------------------------------------------------------- */

/* The list of key k in force for algorithm alg: its own section's, else
 * [grid]'s, else NULL (the default). */
static const struct list *effective(struct section *grid, struct section *own, int k)
{
    if (own && own->keys[k].set)
        return &own->keys[k];
    if (grid && grid->keys[k].set)
        return &grid->keys[k];
    return NULL;
}

static void apply(const struct parser *p, struct run_cfg *c, int k, const struct item *it)
{
    if (k >= N_COMMON) { /* checked against this method's table (list_parse) */
        const char *why = params_set(&c->params, key_name(p, k), it->str);
        (void)why;
        return;
    }
    switch (k) {
    case K_LOSS:
        c->loss = (enum loss_kind)it->num;
        break;
    case K_LAMBDA:
        c->lambda = it->num;
        break;
    case K_BIAS:
        c->bias = it->num;
        break;
    case K_NODES:
        c->nodes = (int)it->num;
        break;
    case K_PARTITION:
        c->partition = (enum partition)it->num;
        break;
    case K_STEP_SCALE:
        c->step_scale = it->num;
        break;
    case K_STEP:
        c->step = it->num;
        break;
    case K_MAX_EPOCHS:
        c->max_epochs = it->num;
        break;
    case K_EVAL_EVERY:
        c->eval_every = it->num;
        break;
    case K_TOL:
        c->tol = it->num;
        break;
    case K_NETWORK:
        c->net.alpha_s = it->num;
        c->net.beta_s = it->num2;
        break;
    case K_NET_ALPHA:
        c->net.alpha_s = it->num;
        break;
    case K_NET_BETA:
        c->net.beta_s = it->num;
        break;
    case K_COMPUTE:
        c->net.compute_s = it->num;
        break;
    case K_STRAG_FACTOR:
        c->net.straggler_factor = it->num;
        break;
    case K_STRAG_NODES:
        c->net.straggler_nodes = (int)it->num;
        break;
    case K_STRAG_DELAY:
        c->net.straggler_delay_s = it->num;
        break;
    case K_STRAG_SLEEP:
        c->net.straggler_sleep = (int)it->num;
        break;
    case K_SEEDS:
        c->seed = it->u64;
        break;
    default:
        break;
    }
}

static int in_list(const struct list *l, const char *s)
{
    for (int i = 0; l && i < l->n; i++)
        if (strcmp(l->v[i].str, s) == 0)
            return 1;
    return 0;
}

struct names {
    const char **v;
    int n;
};

static int names_add(struct names *ns, const struct list *l)
{
    for (int i = 0; l && i < l->n; i++) {
        int seen = 0;
        for (int j = 0; j < ns->n && !seen; j++)
            seen = strcmp(ns->v[j], l->v[i].str) == 0;
        if (seen)
            continue;
        const char **v = realloc(ns->v, (size_t)(ns->n + 1) * sizeof *v);
        if (!v)
            FAIL(ERR_NOMEM, "names");
        ns->v = v;
        ns->v[ns->n++] = l->v[i].str;
    }
    return 0;
}

/* Appends every cell of (dataset, alg), or only counts them when g->runs
 * is NULL. */
/* The crossing order of the keys after the data set and the algorithm:
 * loss .. partition, the method's own keys, then step_scale .. seeds (seeds
 * fastest).  Returns the number of keys in order[]. */
static int key_order(const struct parser *p, int *order)
{
    int n = 0;
    for (int k = K_LOSS; k <= K_PARTITION; k++)
        order[n++] = k;
    for (int j = 0; j < p->n_method_keys; j++)
        order[n++] = N_COMMON + j;
    for (int k = K_STEP_SCALE; k < N_COMMON; k++)
        order[n++] = k;
    return n;
}

static int expand_one(struct grid *g, const struct parser *p, struct section *grid,
                      struct section *own, const char *dataset, const char *alg, int optional,
                      int dataset_line, int64_t *count)
{
    const struct list *lists[N_KEYS] = {0};
    int idx[N_KEYS] = {0};
    int order[N_KEYS];
    int n_order = key_order(p, order);
    int64_t cells = 1;
    for (int o = 0; o < n_order; o++) {
        int k = order[o];
        lists[k] = key_relevant(p, alg, k) ? effective(grid, own, k) : NULL;
        if (lists[k])
            cells *= lists[k]->n;
        if (cells + *count > GRID_MAX_RUNS)
            GRID_INPUT_FAIL("%s: the grid has more than %d cells (expected fewer: /runs/NNNNNN "
                            "has six digits)",
                            g->path, GRID_MAX_RUNS);
    }
    if (!g->runs) {
        *count += cells;
        return 0;
    }
    char base[64];
    base_name(alg, base, sizeof base);
    for (int64_t c = 0; c < cells; c++) {
        struct run_cfg *cfg = &g->runs[*count];
        struct grid_cell_info *info = &g->info[*count];
        TRY(run_cfg_init(cfg, base));
        snprintf(cfg->dataset, sizeof cfg->dataset, "%s", dataset);
        for (int o = 0; o < n_order; o++)
            if (lists[order[o]])
                apply(p, cfg, order[o], &lists[order[o]]->v[idx[order[o]]]);
        if (!key_relevant(p, alg, K_NODES))
            cfg->nodes = 1; /* SPEC 3.1: saga runs on one node */
        info->optional = optional;
        info->dataset_line = dataset_line;
        info->nodes_line = lists[K_NODES] ? lists[K_NODES]->line : 0;
        (*count)++;
        /* odometer, seeds fastest */
        for (int o = n_order - 1; o >= 0; o--) {
            int k = order[o];
            if (!lists[k])
                continue;
            if (++idx[k] < lists[k]->n)
                break;
            idx[k] = 0;
        }
    }
    return 0;
}

static int expand(struct grid *g, struct section *grid, struct parser *p, int64_t *count)
{
    int rc = 0;
    struct names datasets = {0};
    const struct list *algs = &grid->keys[K_ALGORITHMS];
    /* Data sets in first-appearance order: [grid], then the sections. */
    TRY_GOTO(names_add(&datasets, effective(grid, NULL, K_DATASETS)));
    TRY_GOTO(names_add(&datasets, effective(grid, NULL, K_OPTIONAL)));
    for (int s = 0; s < p->n_sections; s++) {
        TRY_GOTO(names_add(&datasets, &p->sections[s].keys[K_DATASETS]));
        TRY_GOTO(names_add(&datasets, &p->sections[s].keys[K_OPTIONAL]));
    }
    *count = 0;
    for (int d = 0; d < datasets.n; d++) {
        for (int a = 0; a < algs->n; a++) {
            const char *alg = algs->v[a].str;
            struct section *own = section_get(p, alg);
            const struct list *req = effective(grid, own, K_DATASETS);
            const struct list *opt = effective(grid, own, K_OPTIONAL);
            int optional = !in_list(req, datasets.v[d]) && in_list(opt, datasets.v[d]);
            if (!in_list(req, datasets.v[d]) && !optional)
                continue;
            int line = optional ? opt->line : req->line;
            TRY_GOTO(expand_one(g, p, grid, own, datasets.v[d], alg, optional, line, count));
        }
    }
done:
    free(datasets.v);
    return rc;
}

/* ---- grid_load ---------------------------------------------------------- */

/* libinih reads a line longer than its buffer in pieces and parses each
 * piece as a line of its own, so the error would blame a wrong key (or
 * none): such lines are refused first, naming their number.  The length is
 * in bytes, without the line end ("\n" or "\r\n"). */
static int check_line_lengths(const char *path, const char *text)
{
    int lineno = 1;
    for (const char *s = text; *s; lineno++) {
        const char *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > 0 && s[len - 1] == '\r')
            len--;
        if (len > GRID_MAX_LINE)
            GRID_INPUT_FAIL("%s:%d: line longer than %d characters", path, lineno, GRID_MAX_LINE);
        if (!end)
            break;
        s = end + 1;
    }
    return 0;
}

/* Reads the config into *out (malloc'ed, NUL-terminated).  Refused in one
 * line (issue 17): a directory, a FIFO or device (O_NONBLOCK: a FIFO
 * without a writer must not block), a file over GRID_MAX_BYTES (read no
 * further than that), a NUL byte. */
static int read_text(const char *path, char **out)
{
    int rc = 0;
    int fd = -1;
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    *out = NULL;
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        GRID_INPUT_FAIL_GOTO("%s: cannot open the grid config: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        GRID_INPUT_FAIL_GOTO("%s: cannot stat the grid config: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        GRID_INPUT_FAIL_GOTO("%s: is a directory (expected a grid config, an INI file)", path);
    if (!S_ISREG(st.st_mode))
        GRID_INPUT_FAIL_GOTO("%s: is not a regular file (expected a grid config, an INI file)",
                             path);
    if (st.st_size > GRID_MAX_BYTES)
        GRID_INPUT_FAIL_GOTO("%s: %lld bytes, larger than the %d a grid config may have", path,
                             (long long)st.st_size, GRID_MAX_BYTES);
    /* the file's size (+ 1 to see the end, + 1 for the NUL), grown should
     * the file grow meanwhile: a megabyte per call would slow the config
     * fuzzer (fuzz/run.sh) for nothing */
    size_t cap = (size_t)st.st_size + 2;
    text = malloc(cap);
    if (!text)
        FAIL_GOTO(ERR_NOMEM, "%s", path);
    /* to the end, or one byte past the cap */
    while (len <= GRID_MAX_BYTES) {
        if (len + 1 >= cap) {
            size_t bigger = 2 * cap < GRID_MAX_BYTES + 2 ? 2 * cap : GRID_MAX_BYTES + 2;
            char *t = realloc(text, bigger);
            if (!t)
                FAIL_GOTO(ERR_NOMEM, "%s", path);
            text = t;
            cap = bigger;
        }
        ssize_t got = read(fd, text + len, cap - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            GRID_INPUT_FAIL_GOTO("%s: read error: %s", path, strerror(errno));
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len > GRID_MAX_BYTES)
        GRID_INPUT_FAIL_GOTO("%s: larger than the %d bytes a grid config may have", path,
                             GRID_MAX_BYTES);
    text[len] = '\0';
    if (strlen(text) != len)
        GRID_INPUT_FAIL_GOTO("%s: contains a NUL byte (expected a text INI file)", path);
    *out = text;
    text = NULL;
done:
    free(text);
    if (fd >= 0)
        close(fd);
    return rc;
}

int grid_load(const char *path, int launch_ranks, struct grid **out)
{
    return grid_load_seeds(path, launch_ranks, 0, out);
}

int grid_load_seeds(const char *path, int launch_ranks, int seeds, struct grid **out)
{
    int rc = 0;
    struct grid *g = NULL;
    struct parser p = {0};
    int64_t count = 0;
    *out = NULL;

    g = calloc(1, sizeof *g);
    if (!g)
        FAIL_GOTO(ERR_NOMEM, "grid");
    if (strlen(path) >= sizeof g->path)
        GRID_INPUT_FAIL_GOTO("%s: path too long", path);
    snprintf(g->path, sizeof g->path, "%s", path);
    TRY_GOTO(read_text(path, &g->config_text));
    TRY_GOTO(check_line_lengths(path, g->config_text));

    p.path = path;
    p.text = g->config_text;
    p.cursor = g->config_text;
    p.line = 1;
    TRY_GOTO(key_collect(&p));
    TRY_GOTO(scan_sections(&p));

    /* Long lines (many synthetic specs on one line): a heap buffer that may
     * grow, instead of inih's 200-byte stack line.  Debian's libinih makes
     * these run-time settings. */
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_max_line = GRID_MAX_LINE + 3; /* the line, "\r\n" and a NUL */
    ini_allow_multiline = true;
    int ini_rc = ini_parse_string(g->config_text, handler, &p);
    if (p.nomem)
        FAIL_GOTO(ERR_NOMEM, "%s", path);
    if (ini_rc == -2)
        FAIL_GOTO(ERR_NOMEM, "%s: inih", path);
    /* A line inih rejects gets no handler call, so a handler error on the
     * same line number belongs to a later line (locate): inih's is first. */
    if (ini_rc > 0 && (!p.err_line || ini_rc <= p.err_line))
        GRID_INPUT_FAIL_GOTO("%s:%d: expected key = value, a [section] or a comment", path, ini_rc);
    if (p.err_line)
        GRID_INPUT_FAIL_GOTO("%s", p.err);

    g->predict = p.predict;
    struct section *grid = section_get(&p, "grid");
    if (!grid)
        GRID_INPUT_FAIL_GOTO("%s: no [grid] section (expected [grid] with datasets and algorithms)",
                             path);
    /* the common keys first: [grid]'s algorithms decide which methods a
     * method key of [grid] is checked for */
    for (int s = 0; s < p.n_sections; s++)
        for (int k = 0; k < N_COMMON + p.n_method_keys; k++)
            if (p.sections[s].keys[k].set && k < N_COMMON)
                TRY_GOTO(list_parse(&p, p.sections[s].name, &grid->keys[K_ALGORITHMS], k,
                                    launch_ranks, &p.sections[s].keys[k]));
    for (int s = 0; s < p.n_sections; s++)
        for (int k = N_COMMON; k < N_COMMON + p.n_method_keys; k++)
            if (p.sections[s].keys[k].set)
                TRY_GOTO(list_parse(&p, p.sections[s].name, &grid->keys[K_ALGORITHMS], k,
                                    launch_ranks, &p.sections[s].keys[k]));
    if (seeds > 0) { /* grid --seeds N: every seeds list becomes 1..N */
        for (int s = 0; s < p.n_sections; s++)
            list_free(&p.sections[s].keys[K_SEEDS]);
        struct list *l = &grid->keys[K_SEEDS];
        l->set = 1;
        l->line = grid->line;
        for (int x = 1; x <= seeds; x++) {
            struct item it = {0};
            it.u64 = (uint64_t)x;
            TRY_GOTO(list_push(l, &it));
        }
    }
    if (!grid->keys[K_ALGORITHMS].set)
        GRID_INPUT_FAIL_GOTO("%s:%d: algorithms: missing in [grid] (expected a list of registered "
                             "algorithms)",
                             path, grid->line);
    if (!grid->keys[K_DATASETS].set && !grid->keys[K_OPTIONAL].set)
        GRID_INPUT_FAIL_GOTO("%s:%d: datasets: missing in [grid] (expected a list of data set "
                             "names, paths or synthetic specs)",
                             path, grid->line);

    /* a variant runs with its own section's lists: a variant without one
     * (a misspelt name) would run the plain method, and a variant section
     * no algorithms list names would be ignored: both refused */
    const struct list *algs = &grid->keys[K_ALGORITHMS];
    for (int a = 0; a < algs->n; a++)
        if (strchr(algs->v[a].str, ':') && !section_get(&p, algs->v[a].str))
            GRID_INPUT_FAIL_GOTO("%s:%d: algorithms: \"%s\": a variant needs its section [%s] "
                                 "(expected a section of that name, or the method without "
                                 "\":%s\")",
                                 path, algs->line, algs->v[a].str, algs->v[a].str,
                                 strchr(algs->v[a].str, ':') + 1);
    for (int s = 0; s < p.n_sections; s++)
        if (strchr(p.sections[s].name, ':') && !in_list(algs, p.sections[s].name))
            GRID_INPUT_FAIL_GOTO("%s:%d: [%s]: a variant's section that algorithms does not list "
                                 "(expected algorithms = ... %s, or remove the section)",
                                 path, p.sections[s].line, p.sections[s].name, p.sections[s].name);

    TRY_GOTO(expand(g, grid, &p, &count));
    if (count == 0)
        GRID_INPUT_FAIL_GOTO("%s: the grid has no cells (expected a data set that some algorithm "
                             "runs on)",
                             path);
    g->runs = calloc((size_t)count, sizeof *g->runs);
    g->info = calloc((size_t)count, sizeof *g->info);
    if (!g->runs || !g->info)
        FAIL_GOTO(ERR_NOMEM, "%lld cells", (long long)count);
    TRY_GOTO(expand(g, grid, &p, &count));
    g->n_runs = count;

    for (int64_t i = 0; i < count; i++) {
        struct run_cfg *c = &g->runs[i];
        const algorithm *a = algorithm_find(c->algorithm);
        /* a method with server ranks (SPEC 3.9) leaves them out of K */
        int extra = a ? a->server_ranks : 0;
        if (c->nodes <= 0)
            c->nodes = launch_ranks > extra ? launch_ranks - extra : 1;
        if (c->nodes + extra > g->max_nodes)
            g->max_nodes = c->nodes + extra;
        if (extra > 0 && launch_ranks > 0 && c->nodes + extra > launch_ranks)
            GRID_INPUT_FAIL_GOTO(
                "%s:%d: nodes: %s at nodes = %d needs %d ranks (%d more for its "
                "server), the launch has %d (expected nodes <= %d, or mpirun -np "
                "%d)",
                path, g->info[i].nodes_line ? g->info[i].nodes_line : grid->keys[K_ALGORITHMS].line,
                c->algorithm, c->nodes, c->nodes + extra, extra, launch_ranks, launch_ranks - extra,
                c->nodes + extra);
        char bound[400];
        const char *why = run_cfg_check(c);
        if (!why)
            why = cfgcheck_run(c, 0, bound, sizeof bound); /* issue 17 */
        if (!why && a && a->check)
            why = a->check(&c->params);
        if (c->step > 0)
            c->step_scale = NAN; /* a given step: no scale (SPEC 5 stores what was asked) */
        if (why) {
            struct section *own = section_get(&p, c->algorithm);
            GRID_INPUT_FAIL_GOTO("%s:%d: %s: cell %06lld: %s", path,
                                 own ? own->line : grid->keys[K_ALGORITHMS].line, c->algorithm,
                                 (long long)i, why);
        }
    }

    /* results/<config basename without .ini>.h5 */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 4 && strcmp(base + blen - 4, ".ini") == 0)
        blen -= 4;
    char suffix[32] = "";
    if (seeds > 0) { /* another grid: its own file, its own identity */
        snprintf(suffix, sizeof suffix, "-seeds%d", seeds);
        size_t tlen = strlen(g->config_text);
        char *t = realloc(g->config_text, tlen + 64);
        if (!t)
            FAIL_GOTO(ERR_NOMEM, "%s", path);
        snprintf(t + tlen, 64, "\n; dsaga-bench grid --seeds %d\n", seeds);
        g->config_text = t;
    }
    if (snprintf(g->out_path, sizeof g->out_path, "results/%.*s%s.h5", (int)blen, base, suffix) >=
        (int)sizeof g->out_path)
        GRID_INPUT_FAIL_GOTO("%s: name too long for a results file", path);
    *out = g;
    g = NULL;
done:
    for (int s = 0; s < p.n_sections; s++)
        for (int k = 0; k < N_KEYS; k++)
            list_free(&p.sections[s].keys[k]);
    free(p.sections);
    grid_destroy(g);
    return rc;
}

/* 1 if cell c has `value` for `key` (see grid_select); -1 for an unknown key. */
static int cell_has(const struct run_cfg *c, const char *key, const char *value)
{
    double v = 0.0;
    char *end = NULL;
    double num = strtod(value, &end);
    int is_num = end != value && *end == '\0';
    if (strcmp(key, "algorithm") == 0)
        return strcmp(c->algorithm, value) == 0;
    if (strcmp(key, "dataset") == 0)
        return strcmp(c->dataset, value) == 0;
    if (strcmp(key, "partition") == 0)
        return strcmp(partition_name(c->partition), value) == 0;
    if (strcmp(key, "loss") == 0)
        return strcmp(loss_name(c->loss), value) == 0;
    if (strcmp(key, "nodes") == 0)
        v = c->nodes;
    else if (strcmp(key, "seed") == 0 || strcmp(key, "seeds") == 0)
        v = (double)c->seed;
    else if (strcmp(key, "lambda") == 0)
        v = c->lambda;
    else if (strcmp(key, "step_scale") == 0)
        v = c->step_scale;
    else if (params_def(c->params.defs, key))
        return strcmp(params_text(&c->params, key), value) == 0 ||
               (is_num && strtod(params_text(&c->params, key), NULL) == num);
    else {
        for (int i = 0; algorithm_at(i); i++)
            if (params_def(algorithm_at(i)->params, key))
                return 0; /* another method's key: this cell does not have it */
        return -1;
    }
    return is_num && v == num;
}

int grid_select(const struct grid *g, const char *only, unsigned char *selected)
{
    int rc = 0;
    char *text = only ? strdup(only) : NULL;
    if (only && !text)
        FAIL(ERR_NOMEM, "--only");
    for (int64_t i = 0; i < g->n_runs; i++)
        selected[i] = 1;
    char *save = NULL;
    for (char *pair = text ? strtok_r(text, ",", &save) : NULL; pair;
         pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq || eq == pair || !eq[1])
            INPUT_FAIL_GOTO("--only: \"%s\": expected KEY=VALUE (e.g. algorithm=dsaga)", pair);
        *eq = '\0';
        int64_t any = 0; /* cells with this value, whatever the other pairs */
        for (int64_t i = 0; i < g->n_runs; i++) {
            int has = cell_has(&g->runs[i], pair, eq + 1);
            if (has < 0) {
                const char *known[64] = {"algorithm", "dataset", "nodes",  "seed",
                                         "partition", "loss",    "lambda", "step_scale"};
                int n_known = 8;
                for (int m = 0; algorithm_at(m); m++)
                    for (int j = 0; algorithm_at(m)->params[j].name && n_known < 64; j++)
                        known[n_known++] = algorithm_at(m)->params[j].name;
                const char *close = suggest_closest(pair, known, n_known);
                INPUT_FAIL_GOTO(
                    "--only: %s: unknown key (expected algorithm, dataset, nodes, "
                    "seed, partition, loss, lambda, step_scale or a method's key%s%s%s)",
                    pair, close ? "; did you mean " : "", close ? close : "", close ? "?" : "");
            }
            any += has > 0;
            if (!has)
                selected[i] = 0;
        }
        if (!any)
            INPUT_FAIL_GOTO("--only: %s=%s: no cell of %s has it (expected a value the grid "
                            "lists: grid %s --dry-run shows them)",
                            pair, eq + 1, g->path, g->path);
    }
done:
    free(text);
    return rc;
}

void grid_destroy(struct grid *g)
{
    if (!g)
        return;
    free(g->config_text);
    free(g->runs);
    free(g->info);
    free(g);
}

/* ---- grid_main ---------------------------------------------------------- */

static void print_cells(const struct grid *g, const char *out_path, const unsigned char *skip)
{
    int64_t n = 0;
    for (int64_t i = 0; i < g->n_runs; i++)
        n += !skip[i];
    printf("# grid %s: %lld runs", g->path, (long long)g->n_runs);
    if (n < g->n_runs)
        printf(", %lld selected", (long long)n);
    printf(" -> %s\n", out_path);
    printf("# %-6s %-10s %-40s %3s %-9s %s\n", "index", "algorithm", "dataset", "K", "partition",
           "keys");
    for (int64_t i = 0; i < g->n_runs; i++) {
        const struct run_cfg *c = &g->runs[i];
        char keys[512];
        if (skip[i])
            continue;
        run_cfg_describe(c, keys, sizeof keys);
        const algorithm *a = algorithm_find(c->algorithm);
        printf("%06lld   %-10s %-40s %3d %-9s %s%s\n", (long long)i, c->algorithm, c->dataset,
               c->nodes, a && a->centralized ? "-" : partition_name(c->partition), keys,
               g->info[i].optional ? "  (optional)" : "");
    }
    fflush(stdout);
}

static void format_duration(double s, char *buf, size_t size)
{
    if (!(s >= 0) || s > 1e7)
        snprintf(buf, size, "?");
    else if (s < 60)
        snprintf(buf, size, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

/* mkdir -p of the directory part of path (the default results/). */
static int make_parent(const char *path)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    for (char *q = dir + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            FAIL(ERR_IO, "%s: cannot create directory %s: %s", path, dir, strerror(errno));
        *q = '/';
    }
    if (dir[0] && mkdir(dir, 0755) != 0 && errno != EEXIST)
        FAIL(ERR_IO, "%s: cannot create directory %s: %s", path, dir, strerror(errno));
    return 0;
}

/* Rank 0: scans every distinct data set once; skip[i] = 1 for cells whose
 * optional data set is not available; nodes > n_samples is an input error
 * naming the config line. */
static int validate_data(const struct grid *g, int quiet, unsigned char *skip)
{
    int rc = 0;
    unsigned char *seen = calloc((size_t)g->n_runs, 1);
    if (!seen)
        FAIL(ERR_NOMEM, "grid");
    for (int64_t i = 0; i < g->n_runs; i++) {
        if (seen[i])
            continue;
        const char *name = g->runs[i].dataset;
        int any_logistic = 0;
        int all_optional = 1;
        int max_nodes = 0;
        int64_t worst = i;
        for (int64_t j = i; j < g->n_runs; j++) {
            if (strcmp(g->runs[j].dataset, name) != 0)
                continue;
            seen[j] = 1;
            any_logistic |= g->runs[j].loss == LOSS_LOGISTIC;
            all_optional &= g->info[j].optional;
            if (g->runs[j].nodes > max_nodes) {
                max_nodes = g->runs[j].nodes;
                worst = j;
            }
        }
        struct dataset *ds = NULL;
        /* an optional set is used when present, never downloaded (the main
         * job needs no download) */
        int present = all_optional ? dataset_present(name) : 1;
        if (present <= 0) {
            /* a misspelt name is an error, not an absent set */
            if (present < 0) {
                char known[512];
                size_t at = 0;
                for (const struct manifest_entry *e = manifest_entries(); e->name; e++)
                    at += (size_t)snprintf(known + at, sizeof known - at, "%s%s", at ? ", " : "",
                                           e->name);
                GRID_INPUT_FAIL_GOTO("%s:%d: optional_datasets: \"%s\": not a known data set "
                                     "(known: %s; a path has a slash or an extension)",
                                     g->path, g->info[i].dataset_line, name, known);
            }
            if (!quiet)
                fprintf(stderr,
                        "grid: optional data set %s is not present (cache, $DSAGA_DATA_MIRROR; "
                        "not downloaded): its runs are skipped\n",
                        name);
            for (int64_t j = i; j < g->n_runs; j++)
                if (strcmp(g->runs[j].dataset, name) == 0)
                    skip[j] = 1;
            continue;
        }
        /* the scan (labels and row offsets, issue 18), not the whole set.
         * A set that is present but cannot be read (bad data, a checksum
         * that does not match) is an error, optional or not: the loader
         * has said what is wrong in one line naming it (SPEC 7), so it is
         * not reported twice. */
        TRY_GOTO(dataset_scan(name, any_logistic ? LABELS_BINARY : LABELS_RAW, &ds));
        int64_t n = ds->n_samples;
        dataset_destroy(ds);
        if (max_nodes > n && g->info[worst].nodes_line == 0) /* issue 17: not "line 0" */
            GRID_INPUT_FAIL_GOTO("%s: nodes: not set, so every one of the %d ranks of the launch, "
                                 "which exceeds the %lld samples of %s (expected nodes <= "
                                 "samples: set nodes or use fewer ranks)",
                                 g->path, max_nodes, (long long)n, name);
        if (max_nodes > n)
            GRID_INPUT_FAIL_GOTO("%s:%d: nodes: %d exceeds the %lld samples of %s (expected "
                                 "nodes <= samples)",
                                 g->path, g->info[worst].nodes_line, max_nodes, (long long)n, name);
    }
done:
    free(seen);
    return rc;
}

/* Rank 0: a run of the file that ran with another implicit K (issue 17).
 * A cell without a `nodes` key runs on every rank of the launch, so its
 * identity depends on -np: resuming under another -np would mix K in one
 * file.  Refused in one line naming the key to set. */
static int check_implicit_nodes(const struct grid *g, const struct h5out_store *store,
                                const char *out)
{
    for (int64_t i = 0; i < g->n_runs; i++) {
        int stored = 0;
        const struct run_cfg *c = &g->runs[i];
        const algorithm *alg = algorithm_find(c->algorithm);
        if (g->info[i].nodes_line != 0 || (alg && alg->centralized)) /* saga: always K = 1 */
            continue;
        h5out_store_has(store, i, &stored);
        if (stored > 0 && stored != c->nodes)
            GRID_INPUT_FAIL("%s: nodes: run %06lld of %s ran with nodes = %d, this launch gives "
                            "nodes = %d (the config sets no nodes, so K is the number of ranks); "
                            "set nodes = %d in [grid] or run mpirun -np %d",
                            g->path, (long long)i, out, stored, c->nodes, stored, stored);
    }
    return 0;
}

int grid_main(const char *config_path, const struct grid_options *opt, MPI_Comm launch)
{
    const char *out_path = opt->out_path;
    int dry_run = opt->dry_run;
    int quiet = opt->quiet;
    int rc = 0;
    int rank = 0;
    int size = 1;
    struct grid *g = NULL;
    struct dataset_cache *cache = NULL;
    struct h5out_store *store = NULL; /* rank 0 only */
    unsigned char *skip = NULL;
    char out[1100];
    int shared = 0;

    MPI_TRY(MPI_Comm_rank(launch, &rank));
    MPI_TRY(MPI_Comm_size(launch, &size));
    /* Every rank parses the same file to the same cells. */
    /* --dry-run on a singleton (no mpirun): list the cells without checking
     * nodes against the launch (an implicit nodes then shows as 1) */
    TRY_GOTO(grid_load_seeds(config_path, dry_run && size == 1 ? 0 : size, opt->seeds, &g));
    snprintf(out, sizeof out, "%s", out_path ? out_path : g->out_path);
    skip = calloc((size_t)g->n_runs, 1);
    if (!skip)
        FAIL_GOTO(ERR_NOMEM, "grid");
    TRY_GOTO(grid_select(g, opt->only, skip)); /* skip[i] = 1: selected */
    for (int64_t i = 0; i < g->n_runs; i++)
        skip[i] = !skip[i];
    if (dry_run) {
        if (rank == 0)
            print_cells(g, out, skip);
        goto done;
    }
    if (rank == 0) {
        shared = validate_data(g, quiet, skip);
        if (shared == 0 && !out_path)
            shared = make_parent(out);
        /* One writer per file (SPEC 5): the store holds its lock until the
         * grid ends. */
        if (shared == 0)
            shared = h5out_open(out, g->config_text, 1, &store);
        if (shared == 0)
            shared = check_implicit_nodes(g, store, out);
    }
    MPI_TRY_GOTO(MPI_Bcast(&shared, 1, MPI_INT, 0, launch));
    TRY_GOTO(shared);
    MPI_TRY_GOTO(MPI_Bcast(skip, (int)g->n_runs, MPI_UNSIGNED_CHAR, 0, launch));

    cache = dataset_cache_create();
    if (!cache)
        FAIL_GOTO(ERR_NOMEM, "dataset cache");

    int64_t n_run = 0;
    int64_t n_present = 0;
    int64_t n_skipped = 0;
    int64_t counts[3] = {0, 0, 0}; /* done, diverged, failed */
    int64_t to_run = 0;
    double run_time = 0; /* runs and their writes: the ETA's basis */
    char predict_why[sizeof((struct predict_result *)0)->why] = ""; /* the last one noted */
    /* How many cells are left (for the ETA), decided on rank 0.  A run
     * stored as failed for a reason outside its cell counts as left (SPEC
     * 5: it is run again). */
    if (rank == 0)
        for (int64_t i = 0; i < g->n_runs; i++) {
            int nodes = 0;
            if (!skip[i] && !h5out_store_has(store, i, &nodes))
                to_run++;
        }
    if (rank == 0 && !quiet)
        fprintf(stderr, "grid %s: %lld runs, %lld to do -> %s\n", g->path, (long long)g->n_runs,
                (long long)to_run, out);

    for (int64_t i = 0; i < g->n_runs; i++) {
        if (skip[i]) {
            n_skipped++;
            continue;
        }
        int nodes = 0;
        if (rank == 0)
            shared = h5out_store_has(store, i, &nodes);
        MPI_TRY_GOTO(MPI_Bcast(&shared, 1, MPI_INT, 0, launch));
        if (shared == 1) {
            n_present++;
            continue;
        }
        struct run_result res;
        double t0 = MPI_Wtime();
        TRY_GOTO(runner_run(&g->runs[i], launch, cache, 0, &res));
        double dt = MPI_Wtime() - t0;
        if (rank == 0) {
            if (!res.cfg.algorithm[0])
                res.cfg = g->runs[i];
            if (g->predict && strcmp(res.status, "failed") != 0) {
                /* SPEC 4.1 on rank 0 (issue 14); a refusal or failure is NaN */
                struct predict_result pr;
                res.has_predicted = 1;
                int prc = predict_run(&res.cfg, &pr);
                if (prc == 0) {
                    res.predicted_rate_per_epoch = pr.predicted_rate_per_epoch;
                    res.predicted_tail_rate_per_epoch = pr.predicted_tail_rate_per_epoch;
                } else if (prc == ERR_INPUT && pr.why[0] && strcmp(pr.why, predict_why) != 0) {
                    /* a refusal is not the run's failure: one note per reason */
                    snprintf(predict_why, sizeof predict_why, "%s", pr.why);
                    if (!quiet)
                        fprintf(stderr, "[%lld/%lld] predicted rates NaN: %s\n", (long long)(i + 1),
                                (long long)g->n_runs, pr.why);
                }
            }
            shared = h5out_store_append(store, i, &res);
        }
        MPI_TRY_GOTO(MPI_Bcast(&shared, 1, MPI_INT, 0, launch));
        if (shared < 0) {
            run_result_clear(&res);
            TRY_GOTO(shared);
        }
        n_run++;
        run_time += MPI_Wtime() - t0; /* the ETA includes the write (issue 17) */
        const char *status = res.status ? res.status : "failed";
        counts[strcmp(status, "done") == 0 ? 0 : strcmp(status, "diverged") == 0 ? 1 : 2]++;
        if (rank == 0 && !quiet) {
            char eta[32];
            double last = res.trace.n > 0 ? res.trace.subopt[res.trace.n - 1] : NAN;
            format_duration(run_time / (double)n_run * (double)(to_run - n_run), eta, sizeof eta);
            char keys[512];
            run_cfg_describe(&g->runs[i], keys, sizeof keys);
            fprintf(stderr, "[%lld/%lld] %s %s K=%d %s %s subopt=%.3g %.1fs  ETA %s%s%s\n",
                    (long long)(i + 1), (long long)g->n_runs, res.cfg.algorithm, res.cfg.dataset,
                    res.cfg.nodes, keys, status, last, dt, eta, res.message[0] ? "  " : "",
                    res.message);
        }
        run_result_clear(&res);
    }
    /* The pending runs into PATH, PATH.d removed, the lock released. */
    if (rank == 0) {
        shared = h5out_close(store, 1);
        store = NULL;
    }
    MPI_TRY_GOTO(MPI_Bcast(&shared, 1, MPI_INT, 0, launch));
    TRY_GOTO(shared);
    if (rank == 0 && !quiet)
        fprintf(stderr,
                "grid %s: %lld runs now (%lld done, %lld diverged, %lld failed), %lld "
                "already present, %lld skipped -> %s\n",
                g->path, (long long)n_run, (long long)counts[0], (long long)counts[1],
                (long long)counts[2], (long long)n_present, (long long)n_skipped, out);
done:
    /* on an error: runs already stored stay in PATH.d for the next start */
    h5out_close(store, 0);
    dataset_cache_destroy(cache);
    free(skip);
    grid_destroy(g);
    return rc;
}
