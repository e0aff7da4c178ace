/*
 * test_manifest.c - data sets by name (datasets/manifest.c; SPEC 7 DATASET).
 *
 * Criterion forks every test, so setenv here changes only that test.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "tests/stderr_capture.h"
#include "base/error.h"

/* dataset_load with stderr captured into msg. */
static int load_capture(const char *spec, char *msg, size_t size, struct dataset **out)
{
    struct stderr_capture cap;
    stderr_capture_begin(&cap);
    int rc = dataset_load(spec, LABELS_BINARY, out);
    stderr_capture_end(&cap, msg, size);
    return rc;
}

static char *temp_dir(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/test_manifest_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *mirror(void)
{
    const char *m = getenv("DSAGA_DATA_MIRROR");
    static char path[1024];
    if (!m || !*m)
        return NULL;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", m);
    return access(path, R_OK) == 0 ? m : NULL;
}

Test(manifest, entries)
{
    const char *names[] = {"a9a",      "a9a.t",    "w8a",        "mushrooms",
                           "phishing", "real-sim", "rcv1.binary"};
    int count = 0;
    for (const struct manifest_entry *e = manifest_entries(); e->name; e++)
        count++;
    cr_assert_eq(count, 7);
    for (int i = 0; i < 7; i++) {
        const struct manifest_entry *e = manifest_find(names[i]);
        cr_assert_not_null(e, "%s", names[i]);
        cr_assert_str_eq(e->name, names[i]);
        cr_assert(strncmp(e->origin_url, "https://www.csie.ntu.edu.tw/~cjlin/", 35) == 0);
        cr_assert(strlen(e->text_sha256) == 64 || e->text_sha256[0] == '\0');
    }
    cr_assert_eq(manifest_find("a9a.t")->features, 123, "pairs with a9a");
    cr_assert_eq(manifest_find("w8a")->rows, 49749);
    cr_assert_str_eq(manifest_find("real-sim")->text_sha256, "");
    cr_assert_str_eq(manifest_find("rcv1.binary")->origin_url,
                     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/"
                     "rcv1_train.binary.bz2");
    cr_assert_null(manifest_find("a9"));
}

/* The table agrees with the mirror's MANIFEST.tsv (a9a.t's features aside). */
Test(manifest, matches_mirror_tsv)
{
    const char *m = mirror();
    if (!m)
        cr_skip_test("DSAGA_DATA_MIRROR/MANIFEST.tsv absent");
    char path[1100];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", m);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[4096];
    int rows = 0;
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *col[11] = {0};
        int k = 0;
        for (char *t = strtok_r(line, "\t\n", &save); t && k < 11;
             t = strtok_r(NULL, "\t\n", &save))
            col[k++] = t;
        cr_assert_geq(k, 10);
        const struct manifest_entry *e = manifest_find(col[0]);
        cr_assert_not_null(e, "%s", col[0]);
        cr_assert_str_eq(e->file, col[1]);
        cr_assert_eq(e->rows, atoll(col[2]));
        if (strcmp(col[0], "a9a.t") != 0)
            cr_assert_eq(e->features, atoll(col[3]), "%s", col[0]);
        cr_assert_str_eq(e->text_sha256, col[6]);
        cr_assert_str_eq(e->origin_url, col[9]);
        rows++;
    }
    fclose(f);
    cr_assert_eq(rows, 5);
}

Test(manifest, unknown_name_lists_known)
{
    char msg[2048];
    struct dataset *ds = (struct dataset *)1;
    cr_assert_eq(load_capture("no-such-set", msg, sizeof msg, &ds), ERR_INPUT);
    cr_assert_null(ds);
    cr_assert(strstr(msg, "no-such-set") && strstr(msg, "a9a, a9a.t, w8a"), "%s", msg);
}

Test(manifest, loads_by_name_from_mirror)
{
    if (!mirror())
        cr_skip_test("DSAGA_DATA_MIRROR absent");
    char *cache = temp_dir();
    setenv("DSAGA_CACHE", cache, 1);
    setenv("DSAGA_OFFLINE", "1", 1);
    struct dataset *ds = NULL;
    cr_assert_eq(dataset_load("a9a.t", LABELS_BINARY, &ds), 0);
    cr_assert_eq(ds->n_samples, 16281);
    cr_assert_eq(ds->n_features, 123, "a9a.t loads in a9a's dimension");
    cr_assert_eq(ds->nnz, 225731);
    cr_assert_str_eq(ds->name, "a9a.t");
    cr_assert_str_eq(ds->checksum, manifest_find("a9a.t")->text_sha256);
    dataset_destroy(ds);
    cr_assert_eq(dataset_load("phishing", LABELS_BINARY, &ds), 0);
    /* phishing: labels {0, 1} -> {-1, +1}; every value 0.18257, 30 per row */
    for (int64_t i = 0; i < ds->n_samples; i++) {
        cr_assert(ds->y[i] == 1 || ds->y[i] == -1);
        cr_assert_eq(ds->row_ptr[i + 1] - ds->row_ptr[i], 30);
    }
    cr_assert(ds->values[0] == 0.18257); /* exact: the same decimal string */
    dataset_destroy(ds);
    remove_dir(cache);
}

Test(manifest, cache_comes_first_and_checksum_is_verified)
{
    char *cache = temp_dir();
    char data[128], path[256], msg[2048];
    snprintf(data, sizeof data, "%s/data", cache);
    cr_assert_eq(mkdir(data, 0777), 0);
    snprintf(path, sizeof path, "%s/a9a.xz", data);
    FILE *f = fopen(path, "w"); /* not xz at all: plain text under the name */
    cr_assert_not_null(f);
    fputs("+1 1:1\n-1 2:1\n", f);
    fclose(f);
    setenv("DSAGA_CACHE", cache, 1);
    setenv("DSAGA_OFFLINE", "1", 1);
    struct dataset *ds = (struct dataset *)1;
    cr_assert_eq(load_capture("a9a", msg, sizeof msg, &ds), ERR_INPUT);
    cr_assert_null(ds);
    cr_assert(strstr(msg, path), "names the file: %s", msg);
    cr_assert(strstr(msg, manifest_find("a9a")->text_sha256), "the manifest's sum: %s", msg);
    /* and the file's own sum (sha256 of "+1 1:1\n-1 2:1\n") */
    FILE *p = popen("printf '+1 1:1\\n-1 2:1\\n' | sha256sum", "r");
    char sum[80];
    cr_assert_eq(fscanf(p, "%64s", sum), 1);
    pclose(p);
    cr_assert(strstr(msg, sum), "the file's sum %s: %s", sum, msg);
    remove_dir(cache);
}

Test(manifest, offline_and_absent_says_where_it_looked)
{
    char *cache = temp_dir();
    setenv("DSAGA_CACHE", cache, 1);
    setenv("DSAGA_OFFLINE", "1", 1);
    unsetenv("DSAGA_DATA_MIRROR");
    char msg[4096];
    struct dataset *ds = (struct dataset *)1;
    cr_assert_eq(load_capture("w8a", msg, sizeof msg, &ds), ERR_INPUT);
    cr_assert_null(ds);
    cr_assert(strstr(msg, "could not be found"), "%s", msg);
    cr_assert(strstr(msg, cache), "lists the cache: %s", msg);
    cr_assert(strstr(msg, "DSAGA_DATA_MIRROR"), "names the variable: %s", msg);
    char *nl = strchr(msg, '\n');
    cr_assert(nl && nl[1] == '\0', "one line: %s", msg);
    remove_dir(cache);
}

/* Puts a stand-in curl first on PATH (Criterion forks every test, so only
 * this test sees it): the script body runs with "$out" the --output file. */
static void fake_curl(const char *dir, const char *body)
{
    char path[256], newpath[8192];
    snprintf(path, sizeof path, "%s/curl", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "#!/bin/sh\nout=\"\"\nprev=\"\"\nfor a in \"$@\"; do\n"
            "    [ \"$prev\" = \"--output\" ] && out=$a\n    prev=$a\ndone\n%s\n",
            body);
    fclose(f);
    cr_assert_eq(chmod(path, 0755), 0);
    const char *old = getenv("PATH");
    snprintf(newpath, sizeof newpath, "%s:%s", dir, old ? old : "/usr/bin:/bin");
    setenv("PATH", newpath, 1);
}

/* A failed download is one line, the last: curl's own complaint is not let
 * through but is the line's reason; so is the reader's on a download that
 * is no LIBSVM text (an HTML page). */
Test(manifest, failed_download_is_one_line_with_the_reason)
{
    char *dir = temp_dir();
    char bin[128], cache[128], msg[8192];
    snprintf(bin, sizeof bin, "%s/bin", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    cr_assert_eq(mkdir(bin, 0777), 0);
    setenv("DSAGA_CACHE", cache, 1);
    unsetenv("DSAGA_OFFLINE");
    unsetenv("DSAGA_DATA_MIRROR");
    fake_curl(bin, "echo 'curl: (6) Could not resolve host: www.csie.ntu.edu.tw' >&2\nexit 6");
    struct dataset *ds = (struct dataset *)1;
    cr_assert_eq(load_capture("w8a", msg, sizeof msg, &ds), ERR_INPUT, "%s", msg);
    cr_assert_null(ds);
    char *nl = strchr(msg, '\n');
    cr_assert(nl && nl[1] == '\0', "one line: %s", msg);
    cr_assert(strstr(msg, "could not be found"), "%s", msg);
    cr_assert(strstr(msg, "failed: curl: (6) Could not resolve host: www.csie.ntu.edu.tw"),
              "curl's reason: %s", msg);
    /* a page instead of the data: refused, the reader's reason in the line */
    fake_curl(bin, "printf '<html>\\n<body>sign in</body>\\n' > \"$out\"");
    ds = (struct dataset *)1;
    cr_assert_eq(load_capture("w8a", msg, sizeof msg, &ds), ERR_INPUT, "%s", msg);
    cr_assert_null(ds);
    nl = strchr(msg, '\n');
    cr_assert(nl && nl[1] == '\0', "one line: %s", msg);
    cr_assert(strstr(msg, "refused: not a readable LIBSVM file: "), "%s", msg);
    cr_assert(strstr(msg, ":1: expected a numeric label at the start of the line, got \"<html>\""),
              "the reader's reason: %s", msg);
    remove_dir(dir);
}

Test(manifest, path_and_synthetic_specs)
{
    char *dir = temp_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/x.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("2 1:0.5\n1 4:1\n", f);
    fclose(f);
    struct dataset *ds = NULL;
    cr_assert_eq(dataset_load(path, LABELS_BINARY, &ds), 0);
    cr_assert_eq(ds->n_samples, 2);
    cr_assert_eq(ds->n_features, 4);
    cr_assert(ds->y[0] == 1 && ds->y[1] == -1);
    dataset_destroy(ds);
    cr_assert_eq(dataset_load("synth-sparse:n=10,d=20,nnz=3,seed=1", LABELS_BINARY, &ds), 0);
    cr_assert_eq(ds->nnz, 30);
    cr_assert_eq(strncmp(ds->checksum, "synth:", 6), 0);
    dataset_destroy(ds);
    remove_dir(dir);
}
