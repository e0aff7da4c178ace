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
 *
 * The .xz path of the file reader: this file includes the target
 * fuzz/fuzz_libsvm_xz.c itself, so its seeds and fuzz/regressions/libsvm_xz/
 * replay through the very code and oracle the fuzzer ran, and checks the
 * target's .xz writer and the reader against each other exhaustively on one
 * small stream: it loads equal to the text parsed in memory, every proper
 * prefix of it is refused, and so is every one-bit flip.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "base/error.h"
#include "harness/grid.h"

#include "fuzz/fuzz_libsvm_xz.c"

/* fuzz/SUB/TARGET from this file's path (compiled as
 * tests/test_fuzz_regressions.c from the root, or with an absolute path). */
static void fuzz_dir(const char *sub, const char *target, char *buf, size_t size)
{
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    if (slash)
        snprintf(buf, size, "%.*s/../fuzz/%s/%s", (int)(slash - file), file, sub, target);
    else
        snprintf(buf, size, "../fuzz/%s/%s", sub, target);
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
 * 100 kB token): stderr goes to a temporary file, out of the test log,
 * emptied before each input and read back after it (stderr_take). */
static void quiet_stderr(void)
{
    char path[] = "/tmp/dsaga-fuzz-stderr-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_not_null(freopen(path, "w+", stderr));
    unlink(path);
}

static void stderr_clear(void)
{
    fflush(stderr);
    cr_assert_eq(ftruncate(fileno(stderr), 0), 0);
    rewind(stderr);
}

/* 1 when what was written to stderr since stderr_clear holds a line
 * starting "dsaga-bench: " (error.h's error_input, SPEC 7). */
static int stderr_has_input_error(void)
{
    fflush(stderr);
    rewind(stderr);
    char line[256];
    int found = 0;
    while (fgets(line, sizeof line, stderr))
        found |= strncmp(line, "dsaga-bench: ", 13) == 0;
    return found;
}

Test(fuzz_regressions, libsvm_inputs_are_data_or_one_input_error, .init = quiet_stderr,
     .timeout = 120)
{
    char dir[4096];
    char **files = NULL;
    fuzz_dir("regressions", "libsvm", dir, sizeof dir);
    int n = list_files(dir, &files);
    /* the committed inputs (fuzz/regressions/libsvm): a wrong path must not
     * pass as an empty list */
    cr_assert_geq(n, 11, "%s: %d inputs, expected the 11 committed ones", dir, n);
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        char *text = read_all(files[i], &len);
        cr_log_info("libsvm: %s (%zu bytes)", files[i], len);
        for (int mode = 0; mode < 2; mode++) {
            struct dataset *ds = NULL;
            stderr_clear();
            int rc = libsvm_parse(files[i], text, len, (enum label_mode)mode, 0, &ds);
            cr_assert(rc == 0 || rc == ERR_INPUT, "%s (labels %d): rc %d (%s)", files[i], mode, rc,
                      error_name(rc));
            if (rc == 0) {
                cr_assert_not_null(ds, "%s: success without a dataset", files[i]);
                check_dataset(files[i], ds);
            } else {
                cr_assert_null(ds, "%s: a dataset left on error", files[i]);
                cr_assert(stderr_has_input_error(), "%s (labels %d): refused without a message",
                          files[i], mode);
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
    fuzz_dir("regressions", "config", dir, sizeof dir);
    int n = list_files(dir, &files);
    cr_assert_geq(n, 14, "%s: %d inputs, expected the 14 committed ones", dir, n);
    for (int i = 0; i < n; i++) {
        cr_log_info("config: %s", files[i]);
        struct grid *g = (struct grid *)1; /* must be overwritten */
        stderr_clear();
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
            cr_assert(stderr_has_input_error(), "%s: refused without a message", files[i]);
        }
        grid_destroy(g);
        free(files[i]);
    }
    free(files);
}

/* ---- the .xz path (fuzz/fuzz_libsvm_xz.c) ------------------------------- */

static void xz_setup(void)
{
    cr_assert_eq(LLVMFuzzerInitialize(NULL, NULL), 0);
    quiet_stderr();
}

/* Every file of fuzz/SUB/libsvm_xz through the fuzz target, which aborts
 * on a wrong result; returns how many. */
static int xz_replay(const char *sub)
{
    char dir[4096];
    char **files = NULL;
    fuzz_dir(sub, "libsvm_xz", dir, sizeof dir);
    int n = list_files(dir, &files);
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        char *data = read_all(files[i], &len);
        cr_log_info("libsvm_xz: %s (%zu bytes)", files[i], len);
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
        free(files[i]);
    }
    free(files);
    return n;
}

Test(fuzz_xz, seeds_and_kept_crashes_replay_clean, .init = xz_setup, .timeout = 120)
{
    cr_assert_geq(xz_replay("corpus"), 10, "the committed seeds are missing");
    xz_replay("regressions");
}

static const char xz_text[] = "+1 3:1 11:0.5 14:1\n-1 5:1 7:2.5e-3\n+1 1:1 123:1\n";

static int xz_load(const uint8_t *z, size_t zlen, struct dataset **ds)
{
    fuzz_file_put(z, zlen);
    *ds = NULL;
    return libsvm_read(fuzz_path, LABELS_BINARY, 0, ds);
}

Test(fuzz_xz, stored_stream_loads_as_the_text, .init = xz_setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)xz_text, strlen(xz_text), &z);
    struct dataset *f = NULL;
    struct dataset *m = NULL;
    cr_assert_eq(xz_load(z, zlen, &f), 0);
    cr_assert_eq(libsvm_parse("mem", xz_text, strlen(xz_text), LABELS_BINARY, 0, &m), 0);
    cr_assert_eq(f->n_samples, 3);
    cr_assert_eq(f->n_features, 123);
    cr_assert_eq(f->nnz, 7);
    same(0, f, 0, m); /* aborts unless arrays and checksum agree */
    dataset_destroy(f);
    dataset_destroy(m);
    free(z);
}

Test(fuzz_xz, every_proper_prefix_is_refused, .init = xz_setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)xz_text, strlen(xz_text), &z);
    for (size_t cut = 0; cut < zlen; cut++) {
        struct dataset *ds = NULL;
        int rc = xz_load(z, cut, &ds);
        cr_assert_eq(rc, ERR_INPUT, "prefix of %zu of %zu bytes: rc %d", cut, zlen, rc);
        cr_assert_null(ds);
    }
    free(z);
}

/* CRC32 guards the headers, index and footer, CRC64 the text: no single
 * bit flip anywhere may load. */
Test(fuzz_xz, every_bit_flip_is_refused, .init = xz_setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)xz_text, strlen(xz_text), &z);
    for (size_t at = 0; at < zlen; at++)
        for (int bit = 0; bit < 8; bit++) {
            z[at] ^= (uint8_t)(1u << bit);
            struct dataset *ds = NULL;
            int rc = xz_load(z, zlen, &ds);
            cr_assert_eq(rc, ERR_INPUT, "bit %d of byte %zu of %zu: rc %d", bit, at, zlen, rc);
            cr_assert_null(ds);
            z[at] ^= (uint8_t)(1u << bit);
        }
    free(z);
}
