/*
 * cmd_export.c - `dsaga-bench export RESULTS.h5 [--format csv|tsv] [--out FILE]`
 * (SPEC 7): one tidy table of a results file (SPEC 5), readable by
 * pandas.read_csv as it is.
 *
 * A row per checkpoint; columns: `run` (the NNNNNN of /runs/NNNNNN), one per
 * run attribute, one per series (1-D dataset).  The column set is the union
 * over the file's runs (a column only some runs carry is empty elsewhere) and
 * its order is the one python/dsaga_results/load() uses: the attributes SPEC 5
 * names in export_attr_order, then the others alphabetically; the series in
 * export_series_order, then the others alphabetically.  A run without
 * checkpoints (a failed run) still gives one row, its series empty.
 *
 * Values: strings as they are (quoted as RFC 4180 says when they hold the
 * separator, a quote, CR or LF); integers in decimal; doubles in the
 * shortest of %.15g..%.17g that reads back to the same double; NaN as
 * `nan`, infinities as `inf` / `-inf` (pandas reads all three).  Attributes
 * that are not strings, integers or floats are left out; a 1-D integer or
 * float attribute of 2 to 10 elements gives one column per element, NAME_0
 * .. NAME_9, and longer arrays are left out (as by dsaga_results).
 *
 * Only a results file is read (SPEC 5): a file without /runs, or a run
 * without its status attribute or its epoch and subopt series, or with a
 * series that is not 1-D numeric or not one value per checkpoint, is
 * refused in one line (status 2) before anything is written.  --out never
 * replaces a directory, the input file or any HDF5 file.
 *
 * Reads HDF5 only; runs on rank 0 of any launch (the other ranks return).
 */
#include "cli/cli.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

/* SPEC 5's run attributes and SPEC 4's checkpoint fields, in their order;
 * python/dsaga_results uses the same two lists (ATTR_ORDER, SERIES_ORDER). */
static const char *const export_attr_order[] = {
    "algorithm",   "dataset",     "loss",           "labels",
    "lambda",      "bias",        "nodes",          "period",
    "period_unit", "period_text", "aggregate",      "partition",
    "batch",       "step_scale",  "step_size",      "step_rule",
    "seed",        "eval_every",  "max_epochs",     "tol",
    "status",      "fstar",       "rate_per_epoch", "tail_rate_per_epoch",
    "bent",        "n_samples",   "n_features",     NULL};
static const char *const export_series_order[] = {"epoch",   "rounds",    "bytes",  "wall_s",
                                                  "comm_s",  "objective", "subopt", "grad_norm",
                                                  "model_s", NULL};
/* The series every run has, even one without checkpoints (SPEC 5; the
 * suite writes all of export_series_order but model_s, empty when the run
 * made no checkpoint). */
static const char *const export_required_series[] = {"epoch", "subopt", NULL};

static const char export_usage[] =
    "usage: dsaga-bench export RESULTS.h5 [--format csv|tsv] [--out FILE]\n"
    "\n"
    "One tidy table of a results file (SPEC 7): a row per checkpoint, a column\n"
    "`run` (the index of /runs/NNNNNN), one per run attribute and one per series\n"
    "(epoch, rounds, bytes, wall_s, comm_s, objective, subopt, grad_norm, ...).\n"
    "pandas.read_csv reads it as it is (sep=\"\\t\" for tsv); the same table in\n"
    "Python: python/dsaga_results, load(\"RESULTS.h5\").\n"
    "\n"
    "  --format csv|tsv   separator: comma (default) or tab\n"
    "  --out FILE         write FILE (atomically) instead of stdout; never a\n"
    "                     directory, the input or another HDF5 file\n"
    "  --help             this text\n";

struct export_out {
    FILE *f;
    char sep; /* ',' or '\t' */
};

static void export_field_double(const struct export_out *o, double v);

/* ---- columns ---------------------------------------------------------------- */

struct export_cols {
    char **attr; /* attribute names, sorted into export order */
    size_t n_attr;
    char **series; /* series names, sorted into export order */
    size_t n_series;
    size_t cap_attr;
    size_t cap_series;
};

static int export_add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return 0;
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 32;
        char **p = realloc(*names, c * sizeof *p);
        if (!p)
            FAIL(ERR_NOMEM, "no memory for %zu column names", c);
        *names = p;
        *cap = c;
    }
    (*names)[*n] = strdup(name);
    if (!(*names)[*n])
        FAIL(ERR_NOMEM, "no memory for a column name");
    (*n)++;
    return 0;
}

/* name's place in order (NULL-terminated); after every listed name */
static int export_rank(const char *const *order, const char *name)
{
    for (int i = 0; order[i]; i++)
        if (strcmp(order[i], name) == 0)
            return i;
    return 1 << 20;
}

/* Sorts the n column names: those in order first, in its order, then the
 * rest by name.  An insertion sort (a file has tens of columns), because
 * qsort's comparator could only learn the order through a global. */
static void export_sort(char **names, size_t n, const char *const *order)
{
    for (size_t i = 1; i < n; i++) {
        char *x = names[i];
        int rx = export_rank(order, x);
        size_t j = i;
        for (; j > 0; j--) {
            int ry = export_rank(order, names[j - 1]);
            if (ry < rx || (ry == rx && strcmp(names[j - 1], x) <= 0))
                break;
            names[j] = names[j - 1];
        }
        names[j] = x;
    }
}

static void export_cols_clear(struct export_cols *c)
{
    for (size_t i = 0; i < c->n_attr; i++)
        free(c->attr[i]);
    for (size_t i = 0; i < c->n_series; i++)
        free(c->series[i]);
    free(c->attr);
    free(c->series);
    memset(c, 0, sizeof *c);
}

/* The attribute kinds the export writes: 0 = left out. */
enum { KIND_SKIP = 0, KIND_STR, KIND_INT, KIND_UINT, KIND_FLOAT };

static int export_attr_kind(hid_t attr)
{
    int kind = KIND_SKIP;
    hid_t type = H5Aget_type(attr);
    hid_t space = H5Aget_space(attr);
    if (type < 0 || space < 0)
        goto done;
    if (H5Sget_simple_extent_npoints(space) != 1)
        goto done;
    switch (H5Tget_class(type)) {
    case H5T_STRING:
        kind = KIND_STR;
        break;
    case H5T_INTEGER:
        kind = H5Tget_sign(type) == H5T_SGN_NONE ? KIND_UINT : KIND_INT;
        break;
    case H5T_FLOAT:
        kind = KIND_FLOAT;
        break;
    default:
        break;
    }
done:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return kind;
}

/* The length of a 1-D integer or float attribute of 2 to EXPORT_MAX_ARRAY
 * elements (exported as NAME_0 .. NAME_{n-1}); 0 for anything else. */
#define EXPORT_MAX_ARRAY 10

static int export_array_len(hid_t attr)
{
    int n = 0;
    hid_t type = H5Aget_type(attr);
    hid_t space = H5Aget_space(attr);
    if (type >= 0 && space >= 0 && H5Sget_simple_extent_ndims(space) == 1) {
        H5T_class_t cls = H5Tget_class(type);
        hssize_t np = H5Sget_simple_extent_npoints(space);
        if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && np >= 2 && np <= EXPORT_MAX_ARRAY)
            n = (int)np;
    }
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return n;
}

/* Element i of a short numeric array attribute (see export_array_len). */
static int export_field_element(const struct export_out *o, hid_t run, const char *base, int i)
{
    int rc = 0;
    double v[EXPORT_MAX_ARRAY];
    hid_t attr = H5Aopen(run, base, H5P_DEFAULT);
    if (attr < 0)
        FAIL(ERR_IO, "cannot open attribute %s", base);
    int n = export_array_len(attr);
    if (i < n) {
        hid_t type = H5Aget_type(attr);
        int is_int = H5Tget_class(type) == H5T_INTEGER;
        int is_unsigned = is_int && H5Tget_sign(type) == H5T_SGN_NONE;
        H5Tclose(type);
        if (is_int) {
            long long iv[EXPORT_MAX_ARRAY];
            if (H5Aread(attr, is_unsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, iv) < 0)
                FAIL_GOTO(ERR_IO, "cannot read attribute %s", base);
            if (is_unsigned)
                fprintf(o->f, "%llu", (unsigned long long)iv[i]);
            else
                fprintf(o->f, "%lld", iv[i]);
        } else {
            if (H5Aread(attr, H5T_NATIVE_DOUBLE, v) < 0)
                FAIL_GOTO(ERR_IO, "cannot read attribute %s", base);
            export_field_double(o, v[i]);
        }
    }
done:
    H5Aclose(attr);
    return rc;
}

/* A 1-D numeric dataset: a series. */
static int export_is_series(hid_t group, const char *name)
{
    int yes = 0;
    H5O_info_t oi;
    if (H5Oget_info_by_name2(group, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        oi.type != H5O_TYPE_DATASET)
        return 0;
    hid_t d = H5Dopen2(group, name, H5P_DEFAULT);
    hid_t t = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
    hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    if (t >= 0 && s >= 0) {
        H5T_class_t cls = H5Tget_class(t);
        yes = (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Sget_simple_extent_ndims(s) == 1;
    }
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    if (d >= 0)
        H5Dclose(d);
    return yes;
}

/* ---- one pass over /runs ------------------------------------------------------ */

struct export_run_names {
    char **name; /* the run groups, in name order */
    size_t n;
    size_t cap;
};

/* Every link of /runs: export_check_run refuses one that is not a run group. */
static herr_t export_collect_run(hid_t group, const char *name, const H5L_info_t *info, void *op)
{
    (void)group;
    (void)info;
    struct export_run_names *r = op;
    return export_add_name(&r->name, &r->n, &r->cap, name) < 0 ? -1 : 0;
}

static herr_t export_collect_attr(hid_t obj, const char *name, const H5A_info_t *info, void *op)
{
    (void)info;
    struct export_cols *c = op;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0)
        return -1;
    int kind = export_attr_kind(attr);
    int n = export_array_len(attr);
    H5Aclose(attr);
    if (n > 0) { /* a short numeric array: one column per element */
        char col[512];
        for (int i = 0; i < n; i++) {
            snprintf(col, sizeof col, "%s_%d", name, i);
            if (export_add_name(&c->attr, &c->n_attr, &c->cap_attr, col) < 0)
                return -1;
        }
        return 0;
    }
    if (kind == KIND_SKIP)
        return 0;
    return export_add_name(&c->attr, &c->n_attr, &c->cap_attr, name) < 0 ? -1 : 0;
}

static herr_t export_collect_series(hid_t group, const char *name, const H5L_info_t *info, void *op)
{
    (void)info;
    struct export_cols *c = op;
    if (!export_is_series(group, name))
        return 0;
    return export_add_name(&c->series, &c->n_series, &c->cap_series, name) < 0 ? -1 : 0;
}

/* ---- checks: a results file, a run as SPEC 5 has it ------------------------ */

/* The number of values of a series (export_is_series). */
static hssize_t export_series_len(hid_t group, const char *name)
{
    hssize_t n = -1;
    hid_t d = H5Dopen2(group, name, H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    if (s >= 0)
        n = H5Sget_simple_extent_npoints(s);
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return n;
}

/* H5Literate over a run: the first series whose length is not want. */
struct export_len_check {
    hssize_t want;
    hssize_t got;
    char name[256];
};

static herr_t export_check_len(hid_t group, const char *name, const H5L_info_t *info, void *op)
{
    (void)info;
    struct export_len_check *c = op;
    if (!export_is_series(group, name))
        return 0;
    c->got = export_series_len(group, name);
    if (c->got == c->want)
        return 0;
    snprintf(c->name, sizeof c->name, "%s", name);
    return 1; /* stop: found one */
}

/* Refuses (status 2, one line naming PATH, the run and the item) a run that
 * is not a group, lacks the status attribute or a required series, has a
 * known series that is not 1-D numeric, or series of unequal lengths. */
static int export_check_run(const char *cmd, const char *path, hid_t runs, const char *name)
{
    int rc = 0;
    hid_t run = H5I_INVALID_HID;
    H5O_info_t oi;
    if (H5Oget_info_by_name2(runs, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        INPUT_FAIL("%s: %s: /runs/%s: cannot open it (a damaged results file)", cmd, path, name);
    if (oi.type != H5O_TYPE_GROUP)
        INPUT_FAIL("%s: %s: /runs/%s: not a group (expected one group per run, SPEC 5)", cmd, path,
                   name);
    run = H5Gopen2(runs, name, H5P_DEFAULT);
    if (run < 0)
        INPUT_FAIL("%s: %s: /runs/%s: cannot open it (a damaged results file)", cmd, path, name);
    if (H5Aexists(run, "status") <= 0)
        INPUT_FAIL_GOTO("%s: %s: run /runs/%s: no status attribute (expected done, "
                        "diverged or failed; SPEC 5)",
                        cmd, path, name);
    hid_t attr = H5Aopen(run, "status", H5P_DEFAULT);
    int kind = attr >= 0 ? export_attr_kind(attr) : KIND_SKIP;
    if (attr >= 0)
        H5Aclose(attr);
    if (kind != KIND_STR)
        INPUT_FAIL_GOTO("%s: %s: run /runs/%s: the status attribute is not a string "
                        "(expected done, diverged or failed; SPEC 5)",
                        cmd, path, name);
    for (int i = 0; export_required_series[i]; i++)
        if (H5Lexists(run, export_required_series[i], H5P_DEFAULT) <= 0)
            INPUT_FAIL_GOTO("%s: %s: run /runs/%s: no %s dataset (every run has epoch and "
                            "subopt, one value per checkpoint; SPEC 5)",
                            cmd, path, name, export_required_series[i]);
    for (int i = 0; export_series_order[i]; i++)
        if (H5Lexists(run, export_series_order[i], H5P_DEFAULT) > 0 &&
            !export_is_series(run, export_series_order[i]))
            INPUT_FAIL_GOTO("%s: %s: run /runs/%s: %s is not a 1-D numeric dataset "
                            "(expected float64, one value per checkpoint; SPEC 5)",
                            cmd, path, name, export_series_order[i]);
    struct export_len_check len = {export_series_len(run, "epoch"), 0, ""};
    if (len.want < 0)
        INPUT_FAIL_GOTO("%s: %s: run /runs/%s: cannot read the size of epoch", cmd, path, name);
    hsize_t idx = 0;
    herr_t found = H5Literate(run, H5_INDEX_NAME, H5_ITER_INC, &idx, export_check_len, &len);
    if (found < 0)
        INPUT_FAIL_GOTO("%s: %s: run /runs/%s: cannot list its datasets", cmd, path, name);
    if (found > 0)
        INPUT_FAIL_GOTO("%s: %s: run /runs/%s: %s has %lld values, epoch %lld (expected "
                        "one value per checkpoint in every series; SPEC 5)",
                        cmd, path, name, len.name, (long long)len.got, (long long)len.want);
done:
    if (run >= 0)
        H5Gclose(run);
    return rc;
}

/* Opens PATH as a results file (SPEC 5) for command CMD, with /runs and
 * the names of its runs, every run checked (export_check_run) before the
 * caller reads a value; refuses anything else in one line.  The caller
 * calls results_close, on failure too. */
static int results_open(const char *cmd, const char *path, hid_t *file, hid_t *runs,
                        struct export_run_names *names)
{
    if (access(path, R_OK) != 0)
        INPUT_FAIL("%s: %s: %s", cmd, path, strerror(errno));
    if (H5Fis_hdf5(path) <= 0)
        INPUT_FAIL("%s: %s: not an HDF5 file (expected results written by "
                   "`dsaga-bench grid` or `run --out`)",
                   cmd, path);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        INPUT_FAIL("%s: %s: cannot open it with HDF5", cmd, path);
    if (H5Lexists(*file, "runs", H5P_DEFAULT) <= 0)
        INPUT_FAIL("%s: %s: not a dsaga-bench results file (no /runs group)", cmd, path);
    H5O_info_t oi;
    if (H5Oget_info_by_name2(*file, "runs", &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        oi.type != H5O_TYPE_GROUP || (*runs = H5Gopen2(*file, "runs", H5P_DEFAULT)) < 0)
        INPUT_FAIL("%s: %s: not a dsaga-bench results file (/runs is not a group)", cmd, path);
    hsize_t ridx = 0;
    if (H5Literate(*runs, H5_INDEX_NAME, H5_ITER_INC, &ridx, export_collect_run, names) < 0)
        FAIL(ERR_IO, "%s: cannot list /runs", path);
    /* every run checked before a byte is written */
    for (size_t i = 0; i < names->n; i++)
        TRY(export_check_run(cmd, path, *runs, names->name[i]));
    return 0;
}

/* What results_open opened or listed, whether it succeeded or not. */
static void results_close(hid_t file, hid_t runs, struct export_run_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->name[i]);
    free(names->name);
    if (runs >= 0)
        H5Gclose(runs);
    if (file >= 0)
        H5Fclose(file);
}

int results_check(const char *cmd, const char *path)
{
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    struct export_run_names names = {NULL, 0, 0};
    H5E_auto2_t efunc = NULL;
    void *edata = NULL;
    H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int rc = results_open(cmd, path, &file, &runs, &names);
    results_close(file, runs, &names);
    H5Eset_auto2(H5E_DEFAULT, efunc, edata);
    return rc;
}

/* ---- writing -------------------------------------------------------------- */

static void export_field_str(const struct export_out *o, const char *s)
{
    int quote = s[0] == '\0' ? 0 : strpbrk(s, "\"\r\n") != NULL || strchr(s, o->sep) != NULL;
    if (!quote) {
        fputs(s, o->f);
        return;
    }
    fputc('"', o->f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', o->f);
        fputc(*p, o->f);
    }
    fputc('"', o->f);
}

/* The shortest of %.15g, %.16g, %.17g that reads back to v. */
static void export_field_double(const struct export_out *o, double v)
{
    char buf[40];
    if (isnan(v)) {
        fputs("nan", o->f);
        return;
    }
    if (isinf(v)) {
        fputs(v > 0 ? "inf" : "-inf", o->f);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, o->f);
}

/* Reads a scalar string attribute (fixed or variable length) into a
 * malloc'ed buffer the caller frees. */
static int export_read_str(hid_t attr, char **out)
{
    int rc = 0;
    hid_t ftype = H5Aget_type(attr);
    hid_t mtype = H5Tcopy(H5T_C_S1);
    *out = NULL;
    if (ftype < 0 || mtype < 0)
        FAIL_GOTO(ERR_IO, "cannot read a string attribute's type");
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    if (H5Tis_variable_str(ftype) > 0) {
        char *v = NULL;
        H5Tset_size(mtype, H5T_VARIABLE);
        if (H5Aread(attr, mtype, &v) < 0)
            FAIL_GOTO(ERR_IO, "cannot read a string attribute");
        *out = strdup(v ? v : "");
        H5free_memory(v);
    } else {
        size_t size = H5Tget_size(ftype);
        H5Tset_size(mtype, size + 1);
        H5Tset_strpad(mtype, H5T_STR_NULLTERM);
        *out = calloc(size + 2, 1);
        if (*out && H5Aread(attr, mtype, *out) < 0)
            FAIL_GOTO(ERR_IO, "cannot read a string attribute");
    }
    if (!*out)
        FAIL_GOTO(ERR_NOMEM, "no memory for a string attribute");
done:
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    return rc;
}

/* One attribute's field; nothing when the run lacks it or its kind is
 * left out. */
static int export_field_attr(const struct export_out *o, hid_t run, const char *name)
{
    int rc = 0;
    char *s = NULL;
    if (H5Aexists(run, name) <= 0) { /* NAME_i: element i of an array */
        const char *us = strrchr(name, '_');
        char base[512];
        if (!us || us == name || us[1] < '0' || us[1] > '9' || us[2] != '\0' ||
            (size_t)(us - name) >= sizeof base)
            return 0;
        memcpy(base, name, (size_t)(us - name));
        base[us - name] = '\0';
        if (H5Aexists(run, base) <= 0)
            return 0;
        return export_field_element(o, run, base, us[1] - '0');
    }
    hid_t attr = H5Aopen(run, name, H5P_DEFAULT);
    if (attr < 0)
        FAIL(ERR_IO, "cannot open attribute %s", name);
    switch (export_attr_kind(attr)) {
    case KIND_STR:
        TRY_GOTO(export_read_str(attr, &s));
        export_field_str(o, s);
        break;
    case KIND_INT: {
        long long v = 0;
        if (H5Aread(attr, H5T_NATIVE_LLONG, &v) < 0)
            FAIL_GOTO(ERR_IO, "cannot read attribute %s", name);
        fprintf(o->f, "%lld", v);
        break;
    }
    case KIND_UINT: {
        unsigned long long v = 0;
        if (H5Aread(attr, H5T_NATIVE_ULLONG, &v) < 0)
            FAIL_GOTO(ERR_IO, "cannot read attribute %s", name);
        fprintf(o->f, "%llu", v);
        break;
    }
    case KIND_FLOAT: {
        double v = 0;
        if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0)
            FAIL_GOTO(ERR_IO, "cannot read attribute %s", name);
        export_field_double(o, v);
        break;
    }
    default:
        break;
    }
done:
    free(s);
    H5Aclose(attr);
    return rc;
}

/* Reads a series into a malloc'ed array (*n values); *v NULL and *n 0 when
 * the run lacks it. */
static int export_read_series(hid_t run, const char *name, double **v, size_t *n)
{
    int rc = 0;
    hid_t d = H5I_INVALID_HID;
    hid_t s = H5I_INVALID_HID;
    *v = NULL;
    *n = 0;
    if (H5Lexists(run, name, H5P_DEFAULT) <= 0 || !export_is_series(run, name))
        return 0;
    d = H5Dopen2(run, name, H5P_DEFAULT);
    s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    if (s < 0)
        FAIL_GOTO(ERR_IO, "cannot open dataset %s", name);
    hssize_t np = H5Sget_simple_extent_npoints(s);
    if (np < 0)
        FAIL_GOTO(ERR_IO, "cannot size dataset %s", name);
    *n = (size_t)np;
    *v = malloc((*n ? *n : 1) * sizeof(double));
    if (!*v)
        FAIL_GOTO(ERR_NOMEM, "no memory for %zu values of %s", *n, name);
    if (*n && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v) < 0)
        FAIL_GOTO(ERR_IO, "cannot read dataset %s", name);
done:
    if (rc < 0) {
        free(*v);
        *v = NULL;
        *n = 0;
    }
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* The rows of one run.  Attribute fields are the same on every row: they
 * are written once into a memory stream and repeated. */
static int export_run(const struct export_out *o, hid_t runs, const char *name,
                      const struct export_cols *c)
{
    int rc = 0;
    hid_t run = H5I_INVALID_HID;
    double **val = NULL;
    size_t *len = NULL;
    char *prefix = NULL;
    size_t prefix_len = 0;
    FILE *mem = NULL;
    size_t rows = 0;

    run = H5Gopen2(runs, name, H5P_DEFAULT);
    if (run < 0)
        FAIL_GOTO(ERR_IO, "cannot open /runs/%s", name);
    val = calloc(c->n_series + 1, sizeof *val);
    len = calloc(c->n_series + 1, sizeof *len);
    mem = open_memstream(&prefix, &prefix_len);
    if (!val || !len || !mem)
        FAIL_GOTO(ERR_NOMEM, "no memory for run %s", name);
    struct export_out m = {mem, o->sep};
    /* the group name is the run's index; leading zeros dropped so that
     * readers see the same integer as dsaga_results */
    const char *digits = name;
    while (digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9')
        digits++;
    export_field_str(&m, name[strspn(name, "0123456789")] == '\0' ? digits : name);
    for (size_t j = 0; j < c->n_attr; j++) {
        fputc(o->sep, mem);
        TRY_GOTO(export_field_attr(&m, run, c->attr[j]));
    }
    if (fclose(mem) != 0) {
        mem = NULL;
        FAIL_GOTO(ERR_NOMEM, "no memory for run %s", name);
    }
    mem = NULL;
    for (size_t j = 0; j < c->n_series; j++) {
        TRY_GOTO(export_read_series(run, c->series[j], &val[j], &len[j]));
        if (len[j] > rows)
            rows = len[j];
    }
    for (size_t i = 0; i < (rows ? rows : 1); i++) { /* no checkpoint: one row */
        fwrite(prefix, 1, prefix_len, o->f);
        for (size_t j = 0; j < c->n_series; j++) {
            fputc(o->sep, o->f);
            if (i < len[j])
                export_field_double(o, val[j][i]);
        }
        fputc('\n', o->f);
    }
done:
    if (mem)
        fclose(mem);
    free(prefix);
    for (size_t j = 0; val && j < c->n_series; j++)
        free(val[j]);
    free(val);
    free(len);
    if (run >= 0)
        H5Gclose(run);
    return rc;
}

/* ---- the command ------------------------------------------------------------ */

static int export_write(const char *path, const struct export_out *o)
{
    int rc = 0;
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    struct export_run_names names = {NULL, 0, 0};
    struct export_cols cols;
    memset(&cols, 0, sizeof cols);
    H5E_auto2_t efunc = NULL;
    void *edata = NULL;
    H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we name the failures ourselves */

    TRY_GOTO(results_open("export", path, &file, &runs, &names));
    /* pass 1: the union of the columns */
    for (size_t i = 0; i < names.n; i++) {
        hid_t run = H5Gopen2(runs, names.name[i], H5P_DEFAULT);
        if (run < 0)
            FAIL_GOTO(ERR_IO, "%s: cannot open /runs/%s", path, names.name[i]);
        hsize_t idx = 0;
        herr_t a = H5Aiterate2(run, H5_INDEX_NAME, H5_ITER_INC, &idx, export_collect_attr, &cols);
        idx = 0;
        herr_t s = H5Literate(run, H5_INDEX_NAME, H5_ITER_INC, &idx, export_collect_series, &cols);
        H5Gclose(run);
        if (a < 0 || s < 0)
            FAIL_GOTO(ERR_IO, "%s: cannot list /runs/%s", path, names.name[i]);
    }
    export_sort(cols.attr, cols.n_attr, export_attr_order);
    export_sort(cols.series, cols.n_series, export_series_order);

    /* pass 2: the header, then the rows */
    export_field_str(o, "run");
    for (size_t j = 0; j < cols.n_attr; j++) {
        fputc(o->sep, o->f);
        export_field_str(o, cols.attr[j]);
    }
    for (size_t j = 0; j < cols.n_series; j++) {
        fputc(o->sep, o->f);
        export_field_str(o, cols.series[j]);
    }
    fputc('\n', o->f);
    for (size_t i = 0; i < names.n; i++)
        TRY_GOTO(export_run(o, runs, names.name[i], &cols));
done:
    export_cols_clear(&cols);
    results_close(file, runs, &names);
    H5Eset_auto2(H5E_DEFAULT, efunc, edata);
    return rc;
}

/* The command line of export: RESULTS.h5 and its options (cli_parse). */
struct export_args {
    const char *path;
    const char *format;
    const char *out_path;
    int help;
};

static const struct option export_opts[] = {{"format", required_argument, NULL, 'f'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};

static int export_opt(int index, int c, const char *v, void *user)
{
    (void)index;
    struct export_args *a = user;
    switch (c) {
    case 'f':
        a->format = v;
        return 0;
    case 'o':
        a->out_path = v;
        return 0;
    case 'h':
        a->help = 1;
        return 0;
    default:
        INPUT_FAIL("export: unexpected option (see dsaga-bench export --help)");
    }
}

static int export_arg(const char *text, void *user)
{
    struct export_args *a = user;
    if (a->path)
        INPUT_FAIL("export: unexpected argument \"%s\" (one RESULTS.h5 file)", text);
    a->path = text;
    return 0;
}

int cmd_export(int argc, char **argv, int *status)
{
    (void)status; /* reading a file has no result to fail */
    int rc = 0;
    struct export_args a = {NULL, "csv", NULL, 0};
    /* --help wins over everything else; a.help: an abbreviation (--he) */
    if (!cli_wants_help(argc, argv))
        TRY(cli_parse("export", argc, argv, export_opts, "f:o:h", export_opt, export_arg, &a));
    if (cli_wants_help(argc, argv) || a.help) {
        if (error_rank() == 0)
            fputs(export_usage, stdout);
        return 0;
    }
    if (!a.path)
        INPUT_FAIL("export: expected a RESULTS.h5 file (see dsaga-bench export --help)");
    const char *path = a.path;
    const char *format = a.format;
    const char *out_path = a.out_path;
    char sep = 0;
    if (strcmp(format, "csv") == 0)
        sep = ',';
    else if (strcmp(format, "tsv") == 0)
        sep = '\t';
    else
        INPUT_FAIL("--format: expected csv or tsv, got \"%s\"", format);
    if (out_path)
        TRY(cli_check_out("export", path, "results file", out_path));
    if (error_rank() != 0)
        return 0; /* rank 0 writes the table */

    struct cli_atomic out = {0};
    if (out_path) /* into a new OUT.tmp.XXXXXX, renamed over OUT once complete */
        TRY(cli_atomic_open(&out, out_path));
    struct export_out o = {out_path ? out.f : stdout, sep};
    TRY_GOTO(export_write(path, &o));
    if (out_path)
        TRY_GOTO(cli_atomic_commit(&out));
    else if (fflush(stdout) != 0 || ferror(stdout))
        FAIL_GOTO(ERR_IO, "stdout: write failed: %s", strerror(errno));
done:
    cli_atomic_abort(&out);
    return rc;
}
