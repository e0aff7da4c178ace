/*
 * test_fuzz_regressions.c - issue 9: every input that ever crashed a fuzzer
 * (fuzz/regressions/<target>/, minimised by fuzz/run.sh) and the hand-made
 * nasty inputs kept beside them (huge indices, 1e400, NUL bytes, very long
 * lines) are replayed on every `make test`: fuzz/regressions/libsvm/
 * through libsvm_parse (both label modes, as fuzz/fuzz_libsvm.c does) and
 * fuzz/regressions/config/ through grid_load (4 launch ranks, as
 * fuzz/fuzz_config.c does).  Each must return 0 (with a consistent result)
 * or ERR_INPUT (with no result and a "dsaga-bench: " line), never crash
 * (ASan/UBSan under `make sanitize`) or return another code.  Empty or
 * missing folders pass: a clean fuzzer finds nothing to keep.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../datasets/dataset.h"
#include "../src/error.h"
#include "../src/grid.h"

/* The repository root from this file's path (compiled as
 * tests/test_fuzz_regressions.c from the root, or with an absolute path). */
static void regressions_dir(const char *target, char *buf, size_t size)
{
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    if (slash)
        snprintf(buf, size, "%.*s/../fuzz/regressions/%s", (int)(slash - file), file, target);
    else
        snprintf(buf, size, "../fuzz/regressions/%s", target);
}

/* Sorted regular files of dir into *names (the caller frees each and the
 * array); 0 files when dir is missing. */
static int list_files(const char *dir, char ***names)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    int count = 0;
    *names = NULL;
    if (n < 0)
        return 0;
    *names = calloc((size_t)n + 1, sizeof **names);
    cr_assert_not_null(*names);
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
        if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            (*names)[count++] = strdup(path);
        free(ents[i]);
    }
    free(ents);
    return count;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* The CSR invariants of dataset.h (what fuzz_libsvm.c checks). */
static void check_dataset(const char *path, const struct dataset *ds)
{
    cr_assert_geq(ds->n_samples, 1, "%s: no rows on success", path);
    cr_assert_eq(ds->row_ptr[0], 0, "%s", path);
    cr_assert_eq(ds->row_ptr[ds->n_samples], ds->nnz, "%s", path);
    for (int64_t i = 0; i < ds->n_samples; i++) {
        cr_assert(isfinite(ds->y[i]), "%s: row %lld: label not finite", path, (long long)i);
        for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++) {
            cr_assert(ds->col_idx[p] >= 0 && ds->col_idx[p] < ds->n_features, "%s", path);
            cr_assert(p == ds->row_ptr[i] || ds->col_idx[p] > ds->col_idx[p - 1], "%s", path);
            cr_assert(isfinite(ds->values[p]), "%s: a stored value is not finite", path);
        }
    }
}

/* Each rejected input prints its one "dsaga-bench: " line (some quote a
 * 100 kB token): keep them out of the test log. */
static void quiet_stderr(void)
{
    cr_assert_not_null(freopen("/dev/null", "w", stderr));
}

Test(fuzz_regressions, libsvm_inputs_are_data_or_one_input_error, .init = quiet_stderr,
     .timeout = 120)
{
    char dir[4096];
    char **files = NULL;
    regressions_dir("libsvm", dir, sizeof dir);
    int n = list_files(dir, &files);
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        char *text = read_all(files[i], &len);
        cr_log_info("libsvm: %s (%zu bytes)", files[i], len);
        for (int mode = 0; mode < 2; mode++) {
            struct dataset *ds = NULL;
            int rc = libsvm_parse(files[i], text, len, (enum label_mode)mode, 0, &ds);
            cr_assert(rc == 0 || rc == ERR_INPUT, "%s (labels %d): rc %d (%s)", files[i], mode, rc,
                      error_name(rc));
            if (rc == 0) {
                cr_assert_not_null(ds, "%s: success without a dataset", files[i]);
                check_dataset(files[i], ds);
            } else {
                cr_assert_null(ds, "%s: a dataset left on error", files[i]);
            }
            dataset_destroy(ds);
        }
        free(text);
        free(files[i]);
    }
    free(files);
}

Test(fuzz_regressions, config_inputs_are_grids_or_one_input_error, .init = quiet_stderr,
     .timeout = 120)
{
    char dir[4096];
    char **files = NULL;
    regressions_dir("config", dir, sizeof dir);
    int n = list_files(dir, &files);
    for (int i = 0; i < n; i++) {
        cr_log_info("config: %s", files[i]);
        struct grid *g = (struct grid *)1; /* must be overwritten */
        int rc = grid_load(files[i], 4, &g);
        cr_assert(rc == 0 || rc == ERR_INPUT, "%s: rc %d (%s)", files[i], rc, error_name(rc));
        if (rc == 0) {
            cr_assert_not_null(g, "%s", files[i]);
            cr_assert_geq(g->n_runs, 1, "%s", files[i]);
            cr_assert(g->max_nodes >= 1 && g->max_nodes <= 4, "%s: max_nodes %d", files[i],
                      g->max_nodes);
            for (int64_t c = 0; c < g->n_runs; c++)
                cr_assert(g->runs[c].nodes >= 1 && g->runs[c].nodes <= 4, "%s", files[i]);
        } else {
            cr_assert_null(g, "%s: a grid left on error", files[i]);
        }
        grid_destroy(g);
        free(files[i]);
    }
    free(files);
}
