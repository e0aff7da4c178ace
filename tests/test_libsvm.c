/*
 * test_libsvm.c - the LIBSVM reader and writer (datasets/libsvm.c; SPEC 1
 * label mapping, SPEC 7 one-line path:line errors).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "tests/stderr_capture.h"
#include "base/error.h"

/* Runs libsvm_parse on text (path NULL) or libsvm_read on path with
 * stderr captured into msg. */
static int capture(const char *path, const char *text, enum label_mode mode, char *msg, size_t size,
                   struct dataset **out)
{
    struct stderr_capture cap;
    stderr_capture_begin(&cap);
    int rc = path ? libsvm_read(path, mode, 0, out)
                  : libsvm_parse("data.txt", text, strlen(text), mode, 0, out);
    stderr_capture_end(&cap, msg, size);
    return rc;
}

static int parse_capture(const char *text, enum label_mode mode, char *msg, size_t size,
                         struct dataset **out)
{
    return capture(NULL, text, mode, msg, size, out);
}

static void assert_same(const struct dataset *a, const struct dataset *b)
{
    cr_assert_eq(a->n_samples, b->n_samples);
    cr_assert_eq(a->n_features, b->n_features);
    cr_assert_eq(a->nnz, b->nnz);
    cr_assert_eq(memcmp(a->row_ptr, b->row_ptr, (size_t)(a->n_samples + 1) * 8), 0);
    cr_assert_eq(memcmp(a->col_idx, b->col_idx, (size_t)a->nnz * 4), 0);
    /* exact: %.17g then strtod restores every double bit for bit */
    cr_assert_eq(memcmp(a->values, b->values, (size_t)a->nnz * 8), 0);
    cr_assert_eq(memcmp(a->y, b->y, (size_t)a->n_samples * 8), 0);
}

/* A small set with awkward doubles, empty rows and a wide index range. */
static struct dataset *awkward_set(void)
{
    const int64_t n = 200;
    struct dataset *ds = dataset_alloc(n, n * 6);
    cr_assert_not_null(ds);
    uint64_t s = 12345;
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t len = (i % 7 == 3) ? 0 : 1 + (int64_t)(i % 6);
        int32_t col = 0;
        for (int64_t k = 0; k < len; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            col += 1 + (int32_t)((s >> 33) % 100000);
            ds->col_idx[at] = col;
            double mant = (double)(s >> 11) * 0x1.0p-53 - 0.5;
            double scales[] = {1.0, 1e-300, 1e300, 1.0 / 3.0, 4.9e-324, -0.0};
            ds->values[at] = k == 5 ? scales[i % 6] : mant * scales[k];
            at++;
        }
        ds->row_ptr[i + 1] = at;
        ds->y[i] = (i % 3 == 0) ? -1.5 : 0.1 * (double)i;
    }
    ds->nnz = at;
    int32_t maxc = 0;
    for (int64_t p = 0; p < at; p++)
        maxc = ds->col_idx[p] > maxc ? ds->col_idx[p] : maxc;
    ds->n_features = maxc + 1;
    return ds;
}

Test(libsvm, round_trip_plain_exact)
{
    struct dataset *a = awkward_set();
    char path[] = "/tmp/test_libsvm_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(libsvm_write(path, a), 0);
    struct dataset *b = NULL;
    cr_assert_eq(libsvm_read(path, LABELS_RAW, 0, &b), 0);
    assert_same(a, b);
    /* checksum: the sha256 of the text, against the sha256sum program */
    char cmd[256];
    char want[80] = "";
    snprintf(cmd, sizeof cmd, "sha256sum %s", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%64s", want), 1);
    pclose(p);
    cr_assert_str_eq(b->checksum, want);
    unlink(path);
    dataset_destroy(a);
    dataset_destroy(b);
}

Test(libsvm, round_trip_xz_both_ways)
{
    struct dataset *a = awkward_set();
    char dir[] = "/tmp/test_libsvm_dir_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char plain[128], ours[128], cmd[512];
    snprintf(plain, sizeof plain, "%s/set.txt", dir);
    snprintf(ours, sizeof ours, "%s/ours.xz", dir);
    cr_assert_eq(libsvm_write(plain, a), 0);
    cr_assert_eq(libsvm_write(ours, a), 0);          /* liblzma encoder */
    snprintf(cmd, sizeof cmd, "xz -k -9 %s", plain); /* the xz program */
    cr_assert_eq(system(cmd), 0);
    char theirs[160];
    snprintf(theirs, sizeof theirs, "%s.xz", plain);
    struct dataset *b = NULL, *c = NULL, *d = NULL;
    cr_assert_eq(libsvm_read(plain, LABELS_RAW, 0, &b), 0);
    cr_assert_eq(libsvm_read(ours, LABELS_RAW, 0, &c), 0);
    cr_assert_eq(libsvm_read(theirs, LABELS_RAW, 0, &d), 0);
    assert_same(a, c);
    assert_same(a, d);
    /* the checksum is of the decompressed text, so compression does not change it */
    cr_assert_str_eq(b->checksum, c->checksum);
    cr_assert_str_eq(b->checksum, d->checksum);
    snprintf(cmd, sizeof cmd, "xz -dc %s | cmp -s - %s", ours, plain);
    cr_assert_eq(system(cmd), 0, "xz -dc of our .xz equals the plain text");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    dataset_destroy(a);
    dataset_destroy(b);
    dataset_destroy(c);
    dataset_destroy(d);
}

Test(libsvm, round_trip_bz2)
{
    /* the LIBSVM origin ships .bz2 (real-sim, rcv1): decoded through bzip2 -dc */
    if (system("command -v bzip2 >/dev/null") != 0)
        cr_skip_test("no bzip2 program");
    struct dataset *a = awkward_set();
    char dir[] = "/tmp/test_libsvm_dir_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char plain[128], cmd[512], bz[160];
    snprintf(plain, sizeof plain, "%s/set", dir);
    snprintf(bz, sizeof bz, "%s.bz2", plain);
    cr_assert_eq(libsvm_write(plain, a), 0);
    snprintf(cmd, sizeof cmd, "bzip2 -k %s", plain);
    cr_assert_eq(system(cmd), 0);
    struct dataset *b = NULL, *c = NULL;
    cr_assert_eq(libsvm_read(plain, LABELS_RAW, 0, &b), 0);
    cr_assert_eq(libsvm_read(bz, LABELS_RAW, 0, &c), 0);
    assert_same(a, c);
    cr_assert_str_eq(b->checksum, c->checksum);
    /* a parse error inside a .bz2 still names the line */
    snprintf(cmd, sizeof cmd, "printf '1 1:1\\n1 2:x\\n' | bzip2 > %s/bad.bz2", dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(bz, sizeof bz, "%s/bad.bz2", dir);
    struct dataset *d = NULL;
    char msg[512], want[200];
    cr_assert_eq(capture(bz, NULL, LABELS_RAW, msg, sizeof msg, &d), ERR_INPUT, "%s", msg);
    cr_assert_null(d);
    snprintf(want, sizeof want, "%s:2:", bz);
    cr_assert(strstr(msg, want), "the message does not name %s line 2: %s", bz, msg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    dataset_destroy(a);
    dataset_destroy(b);
    dataset_destroy(c);
}

Test(libsvm, truncated_xz_is_input_error)
{
    char dir[] = "/tmp/test_libsvm_dir_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[512], path[160];
    snprintf(path, sizeof path, "%s/t.xz", dir);
    snprintf(cmd, sizeof cmd, "seq 1 20000 | sed 's/$/ 1:0.5 7:2/' | xz -c | head -c 2000 > %s",
             path);
    cr_assert_eq(system(cmd), 0);
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_read(path, LABELS_RAW, 0, &ds), ERR_INPUT);
    cr_assert_null(ds);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(libsvm, tolerated_layouts)
{
    /* trailing spaces, CRLF, tabs, leading blanks, an empty row, no final newline */
    const char *text = "+1 1:0.5 3:2 \n-1\t2:1e-3\r\n  -1 \n+1 1:1 10:-4";
    char msg[1024];
    struct dataset *ds = NULL;
    cr_assert_eq(parse_capture(text, LABELS_BINARY, msg, sizeof msg, &ds), 0, "%s", msg);
    cr_assert_eq(ds->n_samples, 4);
    cr_assert_eq(ds->n_features, 10);
    cr_assert_eq(ds->nnz, 5);
    int64_t rp[] = {0, 2, 3, 3, 5};
    int32_t ci[] = {0, 2, 1, 0, 9};
    double v[] = {0.5, 2, 1e-3, 1, -4};
    double y[] = {1, -1, -1, 1};
    cr_assert_eq(memcmp(ds->row_ptr, rp, sizeof rp), 0);
    cr_assert_eq(memcmp(ds->col_idx, ci, sizeof ci), 0);
    cr_assert_eq(memcmp(ds->values, v, sizeof v), 0); /* exact: same decimal strings */
    cr_assert_eq(memcmp(ds->y, y, sizeof y), 0);
    cr_assert_eq(msg[0], '\0', "no message on good input");
    dataset_destroy(ds);
}

Test(libsvm, min_features_and_index_limit)
{
    struct dataset *ds = NULL;
    const char *t = "1 2:1\n-1 5:1\n";
    cr_assert_eq(libsvm_parse("m", t, strlen(t), LABELS_BINARY, 123, &ds), 0);
    cr_assert_eq(ds->n_features, 123);
    dataset_destroy(ds);
    cr_assert_eq(libsvm_parse("m", t, strlen(t), LABELS_BINARY, 3, &ds), 0);
    cr_assert_eq(ds->n_features, 5, "the largest index wins over a smaller minimum");
    dataset_destroy(ds);
    const char *big = "1 268435456:1\n"; /* 2^28: the largest index held */
    cr_assert_eq(libsvm_parse("m", big, strlen(big), LABELS_BINARY, 0, &ds), 0);
    cr_assert_eq(ds->n_features, 268435456);
    cr_assert_eq(ds->col_idx[0], 268435455);
    dataset_destroy(ds);
}

Test(libsvm, binary_label_mapping)
{
    struct dataset *ds = NULL;
    const char *t12 = "2 1:1\n1 1:1\n2\n";
    cr_assert_eq(libsvm_parse("m", t12, strlen(t12), LABELS_BINARY, 0, &ds), 0);
    double want12[] = {1, -1, 1}; /* SPEC 1: the larger value is +1 */
    cr_assert_eq(memcmp(ds->y, want12, sizeof want12), 0);
    dataset_destroy(ds);
    const char *t01 = "0 1:1\n1 1:1\n";
    cr_assert_eq(libsvm_parse("m", t01, strlen(t01), LABELS_BINARY, 0, &ds), 0);
    cr_assert(ds->y[0] == -1 && ds->y[1] == 1);
    dataset_destroy(ds);
    const char *one = "0 1:1\n0 2:1\n"; /* a single value keeps its sign: 0 -> -1 */
    cr_assert_eq(libsvm_parse("m", one, strlen(one), LABELS_BINARY, 0, &ds), 0);
    cr_assert(ds->y[0] == -1 && ds->y[1] == -1);
    dataset_destroy(ds);
    const char *raw = "3.5 1:1\n-2 1:1\n7 1:1\n";
    cr_assert_eq(libsvm_parse("m", raw, strlen(raw), LABELS_RAW, 0, &ds), 0);
    cr_assert(ds->y[0] == 3.5 && ds->y[1] == -2 && ds->y[2] == 7);
    cr_assert_eq(ds->labels_pm1, 0);
    dataset_destroy(ds);
}

/* SPEC 1 (issue 14): LABELS_AUTO, the squared loss's mode, maps a set with
 * at most two label values as LABELS_BINARY does, and keeps more raw. */
Test(libsvm, auto_labels_map_binary_sets_only)
{
    struct dataset *ds = NULL;
    const char *t01 = "0 1:1\n1 1:1\n0 2:1\n"; /* phishing's {0, 1} */
    cr_assert_eq(libsvm_parse("m", t01, strlen(t01), LABELS_AUTO, 0, &ds), 0);
    double want01[] = {-1, 1, -1};
    cr_assert_eq(memcmp(ds->y, want01, sizeof want01), 0);
    cr_assert_eq(ds->labels_pm1, 1);
    dataset_destroy(ds);
    const char *t12 = "1 1:1\n2 1:1\n"; /* mushrooms' {1, 2} */
    cr_assert_eq(libsvm_parse("m", t12, strlen(t12), LABELS_AUTO, 0, &ds), 0);
    cr_assert(ds->y[0] == -1 && ds->y[1] == 1 && ds->labels_pm1 == 1);
    dataset_destroy(ds);
    /* a third value, even on the last line: regression, raw as read */
    const char *t3 = "1 1:1\n2 1:1\n1 1:1\n0.5 2:1\n";
    cr_assert_eq(libsvm_parse("m", t3, strlen(t3), LABELS_AUTO, 0, &ds), 0);
    double want3[] = {1, 2, 1, 0.5};
    cr_assert_eq(memcmp(ds->y, want3, sizeof want3), 0);
    cr_assert_eq(ds->labels_pm1, 0);
    dataset_destroy(ds);
    /* LABELS_BINARY sets the flag too; the subset of a shard keeps it */
    cr_assert_eq(libsvm_parse("m", t01, strlen(t01), LABELS_BINARY, 0, &ds), 0);
    cr_assert_eq(ds->labels_pm1, 1);
    struct dataset *sub = NULL;
    int64_t rows[] = {2, 0};
    cr_assert_eq(dataset_subset(ds, rows, 2, &sub), 0);
    cr_assert_eq(sub->labels_pm1, 1);
    dataset_destroy(sub);
    dataset_destroy(ds);
}

struct bad_case {
    const char *text;
    const char *where; /* "data.txt:LINE:" */
    const char *what;  /* a piece of the message */
};

Test(libsvm, malformed_input_names_path_and_line)
{
    static const struct bad_case cases[] = {
        {"1 1:0.5\n-1 3x\n", "data.txt:2:", "expected \"index:value\" after the label, got \"3x\""},
        {"1 1:0.5\n-1 3:0.5x\n", "data.txt:2:", "expected a number after \"3:\""},
        {"1 1:abc\n", "data.txt:1:", "got \"1:abc\""},
        {"1 1:\n", "data.txt:1:", "expected a number after \"1:\""},
        {"1 1:1\n1 1:1\n1 0:1\n", "data.txt:3:", "positive integer index"},
        {"1 1:1\n1 -2:1\n", "data.txt:2:", "positive integer index"},
        {"1 :1\n", "data.txt:1:", "positive integer index"},
        {"1 3:1 2:1\n", "data.txt:1:", "increasing order, got 2 after 3"},
        {"1 3:1 3:1\n", "data.txt:1:", "increasing order, got 3 after 3"},
        {"1 1:1\n\n1 2:1\n", "data.txt:2:", "empty line"},
        {"1 1:1\n-1 2:1 junk\n", "data.txt:2:", "got \"junk\""},
        {"1 1:nan\n", "data.txt:1:", "finite value"},
        {"1 1:inf\n", "data.txt:1:", "finite value"},
        {"1 1:1e999\n", "data.txt:1:", "finite value"},
        {"nan 1:1\n", "data.txt:1:", "finite label"},
        {"-inf 1:1\n", "data.txt:1:", "finite label"},
        {"1 1:1\nyes 1:1\n", "data.txt:2:", "numeric label"},
        {"1x 1:1\n", "data.txt:1:", "numeric label"},
        {"1 1:1\n2 1:1\n3 1:1\n", "data.txt:3:", "a third: 3"},
        {"", "data.txt:1:", "empty file"},
        {"1 2147483648:1\n",
         "data.txt:1:", "feature index 2147483648 exceeds the 268435456 this tool can hold"},
        {"1 99999999999999999999:1\n",
         "data.txt:1:", "feature index 99999999999999999999 exceeds the 268435456"},
        {"1 1:1\n1 1: 2\n", "data.txt:2:", "expected a number after \"1:\""},
        {"1 1:1\n\n", "data.txt:2:", "empty line"},
        {"1 1:1\n2 2:1\n1 1:1\n-1", "data.txt:4:", "a third: -1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[2048];
        struct dataset *ds = (struct dataset *)1;
        int rc = parse_capture(cases[i].text, LABELS_BINARY, msg, sizeof msg, &ds);
        cr_assert_eq(rc, ERR_INPUT, "case %zu: rc %d", i, rc);
        cr_assert_null(ds, "case %zu: no data on failure", i);
        cr_assert(strstr(msg, cases[i].where), "case %zu: %s", i, msg);
        cr_assert(strstr(msg, cases[i].what), "case %zu: %s", i, msg);
        /* exactly one line */
        char *nl = strchr(msg, '\n');
        cr_assert(nl && nl[1] == '\0', "case %zu: one line, got %s", i, msg);
    }
}

Test(libsvm, nul_byte_is_an_error)
{
    const char text[] = "1 1:1\n1 2:\0x\n";
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_parse("n", text, sizeof text - 1, LABELS_RAW, 0, &ds), ERR_INPUT);
}

Test(libsvm, raw_mode_allows_many_labels)
{
    const char *t = "1 1:1\n2 1:1\n3 1:1\n";
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_parse("r", t, strlen(t), LABELS_RAW, 0, &ds), 0);
    cr_assert_eq(ds->n_samples, 3);
    dataset_destroy(ds);
}

Test(libsvm, unreadable_file_is_input_error)
{
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_read("/nonexistent/dir/file.txt", LABELS_BINARY, 0, &ds), ERR_INPUT);
    cr_assert_null(ds);
}

/* Writes text to a new file under /tmp; its path into path. */
static void temp_file(const char *text, char *path, size_t size)
{
    snprintf(path, size, "/tmp/test_libsvm_in_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* libsvm_scan (the first pass of a shard-only read) with stderr in msg. */
static int scan_capture(const char *path, char *msg, size_t size)
{
    struct stderr_capture cap;
    stderr_capture_begin(&cap);
    struct dataset *ds = (struct dataset *)1;
    int64_t bad = -1;
    int rc = libsvm_scan(path, LABELS_BINARY, 0, &ds, &bad);
    stderr_capture_end(&cap, msg, size);
    if (rc == 0)
        dataset_destroy(ds);
    else
        cr_assert_null(ds);
    return rc;
}

static void assert_one_line(const char *msg, const char *what)
{
    const char *nl = strchr(msg, '\n');
    cr_assert(nl && nl[1] == '\0', "%s: one line, got: %s", what, msg);
    cr_assert_eq(strncmp(msg, "dsaga-bench: ", 13), 0, "%s: %s", what, msg);
}

/* Bad input the reader once let through (hexadecimal numbers, indices
 * whose d doubles cannot be allocated, no feature at all), refused in one
 * line by libsvm_parse, libsvm_read and libsvm_scan alike. */
static const struct bad_case let_through[] = {
    {"+1 1:0x10 2:0.3\n-1 1:1\n",
     "data.txt:1:", "expected a decimal value after \"1:\", got hexadecimal \"1:0x10\""},
    {"+1 1:1\n-1 2:-0X1P3\n", "data.txt:2:", "got hexadecimal \"2:-0X1P3\""},
    {"+1 1:1\n-1 2:0x1.8000000000000000000001p1\n", "data.txt:2:", "hexadecimal"},
    {"+1 1:1\n0x1 1:1\n", "data.txt:2:", "expected a decimal label, got hexadecimal \"0x1\""},
    {"+1 1:\v5\n", "data.txt:1:", "expected a decimal value after \"1:\""},
    {"+1 1:0.5 2000000000:0.3\n-1 1:1\n",
     "data.txt:1:", "feature index 2000000000 exceeds the 268435456 this tool can hold"},
    {"+1 1:1\n-1 268435457:1\n", "data.txt:2:", "feature index 268435457 exceeds"},
    {"+1 99999999999:1\n", "data.txt:1:", "feature index 99999999999 exceeds"},
    {"+1\n-1\n+1\n", "data.txt: ", "no row has a feature"},
};

Test(libsvm, hex_huge_index_and_no_feature_are_refused)
{
    for (size_t i = 0; i < sizeof let_through / sizeof let_through[0]; i++) {
        const struct bad_case *c = &let_through[i];
        char msg[2048], path[64], where[128];
        struct dataset *ds = (struct dataset *)1;
        cr_assert_eq(parse_capture(c->text, LABELS_BINARY, msg, sizeof msg, &ds), ERR_INPUT,
                     "case %zu parse: %s", i, msg);
        cr_assert_null(ds);
        cr_assert(strstr(msg, c->where) && strstr(msg, c->what), "case %zu parse: %s", i, msg);
        assert_one_line(msg, "parse");
        /* the file reader and the scan: the same checks, naming the file */
        temp_file(c->text, path, sizeof path);
        snprintf(where, sizeof where, "%s%s", path, c->where + strlen("data.txt"));
        cr_assert_eq(capture(path, NULL, LABELS_BINARY, msg, sizeof msg, &ds), ERR_INPUT,
                     "case %zu read: %s", i, msg);
        cr_assert(strstr(msg, where) && strstr(msg, c->what), "case %zu read: %s", i, msg);
        assert_one_line(msg, "read");
        cr_assert_eq(scan_capture(path, msg, sizeof msg), ERR_INPUT, "case %zu scan: %s", i, msg);
        cr_assert(strstr(msg, where) && strstr(msg, c->what), "case %zu scan: %s", i, msg);
        assert_one_line(msg, "scan");
        unlink(path);
    }
    /* still read: decimal values, the largest index held, rows of zeros
     * beside rows with features */
    const char *good = "+1\n-1 3:+.5 268435456:-1e-3\n+1\n";
    char msg[2048], path[64];
    struct dataset *ds = NULL;
    cr_assert_eq(parse_capture(good, LABELS_BINARY, msg, sizeof msg, &ds), 0, "%s", msg);
    cr_assert_eq(ds->n_samples, 3);
    cr_assert_eq(ds->nnz, 2);
    cr_assert_eq(ds->n_features, 268435456);
    dataset_destroy(ds);
    temp_file(good, path, sizeof path);
    cr_assert_eq(scan_capture(path, msg, sizeof msg), 0, "%s", msg);
    unlink(path);
}

/* A broken .bz2: bzip2's own dozen-line complaint stays off the terminal;
 * its first line is folded into the reader's one line. */
Test(libsvm, truncated_bz2_is_one_line)
{
    if (system("command -v bzip2 >/dev/null") != 0)
        cr_skip_test("no bzip2 program");
    char dir[] = "/tmp/test_libsvm_dir_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[512], path[160], msg[4096];
    snprintf(path, sizeof path, "%s/trunc.bz2", dir);
    snprintf(cmd, sizeof cmd, "seq 1 20000 | sed 's/$/ 1:0.5 7:2/' | bzip2 -c | head -c 100 > %s",
             path);
    cr_assert_eq(system(cmd), 0);
    struct dataset *ds = (struct dataset *)1;
    cr_assert_eq(capture(path, NULL, LABELS_RAW, msg, sizeof msg, &ds), ERR_INPUT, "%s", msg);
    cr_assert_null(ds);
    assert_one_line(msg, "truncated .bz2");
    cr_assert(strstr(msg, path) && strstr(msg, "expected a .bz2 file"), "%s", msg);
    cr_assert(strstr(msg, "bzip2: Compressed file ends unexpectedly"), "bzip2's reason: %s", msg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- the real data sets of the shared mirror --------------------------- */

static int mirror_path(const char *file, char *path, size_t size)
{
    const char *m = getenv("DSAGA_DATA_MIRROR");
    if (!m || !*m)
        return 0;
    snprintf(path, size, "%s/%s", m, file);
    return access(path, R_OK) == 0;
}

Test(libsvm, a9a_from_mirror)
{
    char path[1024];
    if (!mirror_path("a9a.xz", path, sizeof path))
        cr_skip_test("DSAGA_DATA_MIRROR/a9a.xz absent");
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_read(path, LABELS_BINARY, 0, &ds), 0);
    cr_assert_eq(ds->n_samples, 32561);
    cr_assert_eq(ds->n_features, 123);
    cr_assert_eq(ds->nnz, 451592);
    int64_t pos = 0, neg = 0;
    for (int64_t i = 0; i < ds->n_samples; i++)
        pos += ds->y[i] == 1, neg += ds->y[i] == -1;
    cr_assert_eq(pos, 7841); /* xz -dc a9a.xz | cut -d' ' -f1 | sort | uniq -c */
    cr_assert_eq(neg, 24720);
    cr_assert_str_eq(ds->checksum,
                     "f5d5ffd8d865ff41328e7ee043e4b020816914ff6843ff15b98905ddbedce906");
    /* a9a is one-hot: every stored value is 1 */
    for (int64_t p = 0; p < ds->nnz; p++)
        cr_assert(ds->values[p] == 1.0);
    dataset_destroy(ds);
}

Test(libsvm, w8a_empty_rows)
{
    char path[1024];
    if (!mirror_path("w8a.xz", path, sizeof path))
        cr_skip_test("DSAGA_DATA_MIRROR/w8a.xz absent");
    struct dataset *ds = NULL;
    cr_assert_eq(libsvm_read(path, LABELS_BINARY, 0, &ds), 0);
    cr_assert_eq(ds->n_samples, 49749);
    cr_assert_eq(ds->n_features, 300);
    cr_assert_eq(ds->nnz, 579586);
    int64_t empty = 0;
    for (int64_t i = 0; i < ds->n_samples; i++)
        empty += ds->row_ptr[i + 1] == ds->row_ptr[i];
    cr_assert_eq(empty, 4203); /* the mirror's README */
    cr_assert_str_eq(ds->checksum,
                     "6a9fa8fd5f524303240a5db07d4b3d4a51e8b7b4b20a914105d8e3e8c81640f2");
    dataset_destroy(ds);
}

Test(libsvm, mushrooms_labels_1_2)
{
    char path[1024];
    if (!mirror_path("mushrooms.xz", path, sizeof path))
        cr_skip_test("DSAGA_DATA_MIRROR/mushrooms.xz absent");
    struct dataset *raw = NULL, *bin = NULL;
    cr_assert_eq(libsvm_read(path, LABELS_RAW, 0, &raw), 0);
    cr_assert_eq(libsvm_read(path, LABELS_BINARY, 0, &bin), 0);
    int64_t twos = 0;
    for (int64_t i = 0; i < raw->n_samples; i++) {
        cr_assert(raw->y[i] == 1 || raw->y[i] == 2);
        cr_assert(bin->y[i] == (raw->y[i] == 2 ? 1.0 : -1.0), "row %lld", (long long)i);
        twos += raw->y[i] == 2;
    }
    cr_assert_eq(twos, 4208);
    cr_assert_eq(raw->n_samples, 8124);
    dataset_destroy(raw);
    dataset_destroy(bin);
}

/* issue 18: libsvm_strtod gives strtod's value (to the bit) and end pointer
 * on every input: 400000 random strings over the characters numbers are
 * made of (digits, '.', signs, e/E, x, letters of inf/nan, blanks), and
 * 200000 doubles printed the ways LIBSVM writers print them. */
static uint64_t test_xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void same_as_strtod(const char *str)
{
    char *e1 = NULL, *e2 = NULL;
    double a = libsvm_strtod(str, &e1);
    double b = strtod(str, &e2);
    cr_assert(e1 == e2, "\"%s\": end at %td, strtod's at %td", str, e1 - str, e2 - str);
    cr_assert(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)), "\"%s\": %a vs strtod %a",
              str, a, b);
}

Test(libsvm, strtod_fast_path_equals_strtod)
{
    static const char alphabet[] = "0123456789000111..--++eEexXinfaNy  \t";
    uint64_t s = 0x2545f4914f6cdd1du;
    char buf[64];
    for (int k = 0; k < 400000; k++) {
        int len = (int)(test_xorshift(&s) % 30);
        for (int i = 0; i < len; i++)
            buf[i] = alphabet[test_xorshift(&s) % (sizeof alphabet - 1)];
        buf[len] = '\0';
        same_as_strtod(buf);
    }
    static const char *const formats[] = {"%.17g", "%g", "%.6f", "%.3e", "%.10g", "%.0f", "%.22f"};
    for (int k = 0; k < 200000; k++) {
        uint64_t bits = test_xorshift(&s);
        double v;
        if (k % 2) {
            memcpy(&v, &bits, sizeof v); /* any double, NaN and inf included */
        } else {
            v = (double)(bits >> 11) / 9007199254740992.0; /* [0, 1), like LIBSVM values */
            v = ldexp(v, (int)(test_xorshift(&s) % 40) - 20) * ((bits & 1) ? -1 : 1);
        }
        snprintf(buf, sizeof buf, formats[test_xorshift(&s) % 7], v);
        same_as_strtod(buf);
    }
    const char *edge[] = {"0",
                          "-0",
                          "+0.0",
                          "9007199254740992",
                          "9007199254740993",
                          "1e22",
                          "1e23",
                          "1e-22",
                          "1e-23",
                          "1234567890123456789",
                          "12345678901234567890",
                          "0.1",
                          "4.35",
                          "0x1p3",
                          "00x1",
                          "1e",
                          "1e+",
                          ".5",
                          "5.",
                          ".",
                          "-.e1",
                          "1.5e-3x",
                          "inf",
                          "-nan",
                          " 1",
                          "1e400",
                          "1e-400"};
    for (size_t k = 0; k < sizeof edge / sizeof edge[0]; k++)
        same_as_strtod(edge[k]);
}
