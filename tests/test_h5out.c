/*
 * test_h5out.c - the HDF5 layout of SPEC 5 read back through the HDF5 API,
 * the crash-safety rules of h5out.h (stale PATH.tmp, one grid per file) and
 * the I/O errors.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "harness/h5out.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/dsaga-h5out-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.h5", dir);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A result with n checkpoints whose values are distinct, known functions of
 * the index (so a swapped or shifted column is caught). */
static void make_result(struct run_result *r, const char *alg, int n, double base)
{
    memset(r, 0, sizeof *r);
    cr_assert_eq(run_cfg_init(&r->cfg, alg), 0);
    snprintf(r->cfg.dataset, sizeof r->cfg.dataset, "synth-dense:n=50,d=5,cond=10,seed=1");
    r->cfg.lambda = 0.02;
    r->cfg.nodes = 4;
    if (params_def(r->cfg.params.defs, "aggregate"))
        cr_assert_null(params_set(&r->cfg.params, "aggregate", "sum"));
    r->cfg.seed = 7;
    r->status = "done";
    r->step_size = 0.125;
    r->fstar = 0.3;
    r->rate_per_epoch = -1.5;
    r->tail_rate_per_epoch = -0.25;
    r->bent = 1;
    r->labels_pm1 = 1;
    r->has_predicted = 1;
    r->predicted_rate_per_epoch = -0.375;
    r->predicted_tail_rate_per_epoch = -0.5;
    r->n_samples = 50;
    r->n_features = 5;
    r->trace.n = n;
    r->trace.cap = n;
    double **cols[] = {&r->trace.epoch,  &r->trace.rounds,    &r->trace.bytes,
                       &r->trace.wall_s, &r->trace.comm_s,    &r->trace.objective,
                       &r->trace.subopt, &r->trace.grad_norm, &r->trace.model_s};
    for (int c = 0; c < 9; c++) {
        *cols[c] = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
        for (int i = 0; i < n; i++)
            (*cols[c])[i] = base + 100.0 * c + i + 1.0 / 3.0;
    }
}

static void free_result(struct run_result *r)
{
    free(r->trace.epoch);
    free(r->trace.rounds);
    free(r->trace.bytes);
    free(r->trace.wall_s);
    free(r->trace.comm_s);
    free(r->trace.objective);
    free(r->trace.subopt);
    free(r->trace.grad_norm);
    free(r->trace.model_s);
}

static char *read_str(hid_t obj, const char *name)
{
    cr_assert(H5Aexists(obj, name) > 0, "attribute %s missing", name);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL;
    cr_assert(H5Aread(a, t, &v) >= 0, "attribute %s not a vlen string", name);
    char *copy = strdup(v);
    H5free_memory(v);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static double read_f64(hid_t obj, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    cr_assert(a >= 0, "attribute %s missing", name);
    cr_assert(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

static int64_t read_i64(hid_t obj, const char *name)
{
    int64_t v = -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    cr_assert(a >= 0, "attribute %s missing", name);
    cr_assert(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
    return v;
}

static void check_column(hid_t g, const char *name, const double *want, int n)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    cr_assert(d >= 0, "dataset %s missing", name);
    hid_t s = H5Dget_space(d);
    hsize_t dims[1] = {0};
    cr_assert_eq(H5Sget_simple_extent_ndims(s), 1);
    H5Sget_simple_extent_dims(s, dims, NULL);
    cr_assert_eq((int)dims[0], n, "%s has %d values", name, (int)dims[0]);
    hid_t t = H5Dget_type(d);
    cr_assert(H5Tequal(t, H5T_IEEE_F64LE) > 0, "%s is not float64", name);
    double got[64];
    if (n > 0)
        cr_assert(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
    for (int i = 0; i < n; i++)
        /* exact: float64 in, float64 out, no arithmetic in between */
        cr_assert(got[i] == want[i], "%s[%d] = %.17g, wrote %.17g", name, i, got[i], want[i]);
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
}

TestSuite(h5out, .init = setup, .fini = teardown);

Test(h5out, two_runs_read_back)
{
    const char *config = "[grid]\ndatasets = a b\n";
    struct run_result r0, r1;
    make_result(&r0, "dsaga", 5, 0.0);
    make_result(&r1, "local-sgd", 3, 1000.0);
    r1.has_model = 1;
    r1.cfg.net.alpha_s = 1e-5;
    cr_assert_null(params_set(&r1.cfg.params, "period", "100"));
    r1.status = "diverged";
    r1.rate_per_epoch = NAN;
    r1.tail_rate_per_epoch = NAN;
    r1.bent = 0;
    r1.labels_pm1 = 0;
    r1.has_predicted = 0;

    cr_assert_eq(h5out_create(path, config), 0);
    int exists = 1;
    cr_assert_eq(h5out_run_exists(path, 0, &exists), 0);
    cr_assert_eq(exists, 0);
    cr_assert_eq(h5out_append_run(path, 0, &r0), 0);
    cr_assert_eq(h5out_append_run(path, 17, &r1), 0);
    cr_assert_eq(h5out_run_exists(path, 17, &exists), 0);
    cr_assert_eq(exists, 1);
    cr_assert_eq(h5out_run_exists(path, 1, &exists), 0);
    cr_assert_eq(exists, 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    char *s = read_str(f, "suite_version");
    cr_assert_str_eq(s, "0.1.0");
    free(s);
    s = read_str(f, "config");
    cr_assert_str_eq(s, config);
    free(s);
    s = read_str(f, "created"); /* ISO 8601 UTC: 2024-01-02T03:04:05Z */
    cr_assert_eq(strlen(s), 20u);
    cr_assert(s[4] == '-' && s[10] == 'T' && s[19] == 'Z', "created = %s", s);
    free(s);
    const char *root_strings[] = {"git_commit",  "host",     "cpu_model",
                                  "mpi_library", "compiler", "blas"};
    for (int i = 0; i < 6; i++) {
        s = read_str(f, root_strings[i]);
        cr_assert(strlen(s) > 0, "%s is empty", root_strings[i]);
        free(s);
    }
    cr_assert_geq(read_i64(f, "cores"), 1);

    hid_t g = H5Gopen2(f, "/runs/000000", H5P_DEFAULT);
    cr_assert(g >= 0);
    s = read_str(g, "algorithm");
    cr_assert_str_eq(s, "dsaga");
    free(s);
    s = read_str(g, "aggregate");
    cr_assert_str_eq(s, "sum");
    free(s);
    s = read_str(g, "period_unit");
    cr_assert_str_eq(s, "n_k fraction");
    free(s);
    s = read_str(g, "status");
    cr_assert_str_eq(s, "done");
    free(s);
    cr_assert_eq(H5Aexists(g, "message"), 0, "message only for failed runs");
    cr_assert_eq(H5Aexists(g, "net_alpha_s"), 0, "no network model configured");
    /* SPEC 3.10: only the keys dsaga declares, the period as written */
    cr_assert_eq(H5Aexists(g, "batch"), 0, "dsaga does not declare batch");
    s = read_str(g, "period_text");
    cr_assert_str_eq(s, "0.5n");
    free(s);
    s = read_str(g, "step_rule");
    cr_assert_str_eq(s, "constant");
    free(s);
    /* exact: stored and read as float64 */
    cr_assert(read_f64(g, "lambda") == 0.02);
    cr_assert(read_f64(g, "period") == 0.5);
    cr_assert(read_f64(g, "step_size") == 0.125);
    cr_assert(read_f64(g, "rate_per_epoch") == -1.5);
    /* issue 14: tail fit, bent, labels, the predicted rate (SPEC 1, 4, 4.1) */
    cr_assert(read_f64(g, "tail_rate_per_epoch") == -0.25);
    cr_assert_eq(read_i64(g, "bent"), 1);
    cr_assert(read_f64(g, "predicted_rate_per_epoch") == -0.375);
    cr_assert(read_f64(g, "predicted_tail_rate_per_epoch") == -0.5);
    s = read_str(g, "labels");
    cr_assert_str_eq(s, "pm1");
    free(s);
    cr_assert_eq(read_i64(g, "nodes"), 4);
    cr_assert_eq(read_i64(g, "seed"), 7);
    cr_assert_eq(read_i64(g, "n_samples"), 50);
    check_column(g, "epoch", r0.trace.epoch, 5);
    check_column(g, "rounds", r0.trace.rounds, 5);
    check_column(g, "bytes", r0.trace.bytes, 5);
    check_column(g, "wall_s", r0.trace.wall_s, 5);
    check_column(g, "comm_s", r0.trace.comm_s, 5);
    check_column(g, "objective", r0.trace.objective, 5);
    check_column(g, "subopt", r0.trace.subopt, 5);
    check_column(g, "grad_norm", r0.trace.grad_norm, 5);
    cr_assert_eq(H5Lexists(g, "model_s", H5P_DEFAULT), 0);
    H5Gclose(g);

    g = H5Gopen2(f, "/runs/000017", H5P_DEFAULT);
    cr_assert(g >= 0);
    s = read_str(g, "status");
    cr_assert_str_eq(s, "diverged");
    free(s);
    s = read_str(g, "period_unit");
    cr_assert_str_eq(s, "steps");
    free(s);
    cr_assert(read_f64(g, "period") == 100.0); /* exact: an integer in float64 */
    cr_assert_eq(H5Aexists(g, "aggregate"), 0, "local-sgd does not declare aggregate");
    cr_assert_eq(read_i64(g, "batch"), 1);
    s = read_str(g, "step_rule");
    cr_assert_str_eq(s, "decaying");
    free(s);
    cr_assert(isnan(read_f64(g, "rate_per_epoch")));
    cr_assert(isnan(read_f64(g, "tail_rate_per_epoch")));
    cr_assert_eq(read_i64(g, "bent"), 0);
    s = read_str(g, "labels");
    cr_assert_str_eq(s, "raw");
    free(s);
    cr_assert_eq(H5Aexists(g, "predicted_rate_per_epoch"), 0, "not asked for");
    cr_assert_eq(H5Aexists(g, "predicted_tail_rate_per_epoch"), 0, "not asked for");
    cr_assert(read_f64(g, "net_alpha_s") == 1e-5); /* exact round trip */
    check_column(g, "objective", r1.trace.objective, 3);
    check_column(g, "model_s", r1.trace.model_s, 3);
    H5Gclose(g);

    /* Exactly the two runs, no temporary group left behind. */
    H5G_info_t info;
    cr_assert(H5Gget_info_by_name(f, "/runs", &info, H5P_DEFAULT) >= 0);
    cr_assert_eq((int)info.nlinks, 2);
    cr_assert(H5Gget_info(f, &info) >= 0);
    cr_assert_eq((int)info.nlinks, 2, "root holds only /runs and /algorithms");
    /* SPEC 3.10: the method table, for figures: every registered method with
     * its colour and keys */
    for (int a = 0; algorithm_at(a); a++) {
        char name[96];
        snprintf(name, sizeof name, "/algorithms/%s", algorithm_at(a)->name);
        hid_t ag = H5Gopen2(f, name, H5P_DEFAULT);
        cr_assert(ag >= 0, "%s missing", name);
        s = read_str(ag, "color");
        cr_assert_str_eq(s, algorithm_at(a)->color);
        free(s);
        s = read_str(ag, "keys");
        cr_assert_eq(strlen(s) > 0, params_count(algorithm_at(a)->params) > 0, "%s keys", name);
        free(s);
        H5Gclose(ag);
    }
    H5Fclose(f);
    free_result(&r0);
    free_result(&r1);
}

Test(h5out, failed_run_keeps_message)
{
    struct run_result r;
    make_result(&r, "gd", 0, 0.0);
    r.status = "failed";
    snprintf(r.message, sizeof r.message, "period: must be >= 1");
    r.fstar = NAN;
    cr_assert_eq(h5out_create(path, "x"), 0);
    cr_assert_eq(h5out_append_run(path, 3, &r), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "/runs/000003", H5P_DEFAULT);
    cr_assert(g >= 0);
    char *s = read_str(g, "status");
    cr_assert_str_eq(s, "failed");
    free(s);
    s = read_str(g, "message");
    cr_assert_str_eq(s, "period: must be >= 1");
    free(s);
    check_column(g, "subopt", NULL, 0);
    H5Gclose(g);
    H5Fclose(f);
    free_result(&r);
}

/* Reads the one stderr line of a bad-input error; fails on a second line. */
static void one_stderr_line(char *line, size_t size)
{
    fflush(stderr);
    FILE *err = cr_get_redirected_stderr();
    char extra[512];
    line[0] = '\0';
    cr_assert_not_null(fgets(line, (int)size, err), "nothing on stderr");
    cr_assert_null(fgets(extra, sizeof extra, err), "a second stderr line: %s", extra);
}

/* An --out location that cannot hold a file is bad input (SPEC 7): one
 * line naming the path, ERR_INPUT (exit status 2), no file. */
Test(h5out, missing_directory_is_bad_input)
{
    char bad[256];
    char want[512];
    char line[512];
    snprintf(bad, sizeof bad, "%s/no/such/dir/r.h5", dir);
    cr_redirect_stderr();
    cr_assert_eq(h5out_create(bad, "x"), ERR_INPUT);
    cr_assert_neq(access(bad, F_OK), 0);
    one_stderr_line(line, sizeof line);
    snprintf(want, sizeof want, "dsaga-bench: --out %s: %s/no/such/dir: No such file", bad, dir);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "got \"%s\", expected \"%s\"", line, want);
}

Test(h5out, regular_file_as_directory_is_bad_input)
{
    char bad[256];
    char want[512];
    char line[512];
    FILE *f = fopen(path, "w"); /* a regular file where the directory should be */
    fclose(f);
    snprintf(bad, sizeof bad, "%s/r.h5", path);
    cr_redirect_stderr();
    cr_assert_eq(h5out_create(bad, "x"), ERR_INPUT);
    cr_assert_neq(access(bad, F_OK), 0);
    one_stderr_line(line, sizeof line);
    snprintf(want, sizeof want, "dsaga-bench: --out %s: %s is not a directory\n", bad, path);
    cr_assert_str_eq(line, want);
}

/* The whole file, for "PATH untouched" checks. */
static char *slurp(const char *p, long *size)
{
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "%s", p);
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)*size + 1);
    cr_assert_eq(fread(buf, 1, (size_t)*size, f), (size_t)*size);
    fclose(f);
    return buf;
}

/* 1 when dir or dir/r.h5.d holds a name with ".tmp" in it. */
static int tmp_left(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -a %s %s.d 2>/dev/null | grep -q '\\.tmp'", dir, path);
    return system(cmd) == 0;
}

/* After a failed append: PATH byte for byte as before, no temporary left,
 * the run absent, the HDF5 library shuts down cleanly (the old writer left
 * a half-closed file that crashed H5close at exit), and the next append
 * works.  err_want: text the first stderr line must hold besides PATH. */
static void check_failed_append(int rc, const char *before, long before_size, const char *err_want,
                                struct run_result *r)
{
    char line[512] = "";
    long after_size = 0;
    int exists = 1;
    cr_assert_eq(rc, ERR_IO);
    cr_assert_not(tmp_left(), "a temporary left behind");
    char *after = slurp(path, &after_size);
    cr_assert(after_size == before_size && memcmp(after, before, (size_t)before_size) == 0,
              "%s changed by a failed append", path);
    free(after);
    H5close(); /* crashed here (or at exit) before the fix */
    cr_assert_eq(h5out_run_exists(path, 1, &exists), 0);
    cr_assert_eq(exists, 0);
    fflush(stderr);
    cr_assert_not_null(fgets(line, sizeof line, cr_get_redirected_stderr()));
    cr_assert(strstr(line, path) && strstr(line, err_want), "message: %s", line);
    cr_assert_eq(h5out_append_run(path, 1, r), 0);
    cr_assert_eq(h5out_run_exists(path, 1, &exists), 0);
    cr_assert_eq(exists, 1);
}

/* A file-size limit below the run's own file (as on a disk that fills up
 * during the append): the write fails with EFBIG, PATH is untouched. */
Test(h5out, file_size_limit_keeps_file)
{
    struct run_result r;
    struct rlimit old_lim;
    struct rlimit lim;
    long size = 0;
    make_result(&r, "saga", 40, 5.0);
    cr_assert_eq(h5out_create(path, "cfg"), 0);
    cr_assert_eq(h5out_append_run(path, 0, &r), 0);
    char *before = slurp(path, &size);
    signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    lim = old_lim;
    lim.rlim_cur = 1024; /* a run with 40 checkpoints is larger */
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    cr_redirect_stderr();
    int rc = h5out_append_run(path, 1, &r);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
    check_failed_append(rc, before, size, "File too large", &r);
    free(before);
    free_result(&r);
}

/* Issue 17, item 5: a planted PATH.tmp -> victim was written through (the
 * old writer opened PATH.tmp with O_TRUNC).  Temporaries are now created
 * with O_EXCL | O_NOFOLLOW under a unique name: the victim is untouched,
 * and the planted name is removed (only the link) as a stale temporary. */
Test(h5out, planted_tmp_symlink_is_not_followed)
{
    struct run_result r;
    char victim[160];
    char tmp[160];
    char buf[64] = "";
    make_result(&r, "saga", 2, 5.0);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_assert_eq(symlink(victim, tmp), 0);
    cr_assert_eq(h5out_create(path, "cfg"), 0);
    cr_assert_eq(symlink(victim, tmp), 0); /* planted again between calls */
    cr_assert_eq(h5out_append_run(path, 0, &r), 0);
    f = fopen(victim, "r");
    cr_assert_not_null(fgets(buf, sizeof buf, f));
    fclose(f);
    cr_assert_str_eq(buf, "precious", "the victim was overwritten");
    cr_assert_eq(H5Fis_hdf5(path), 1);
    int exists = 0;
    cr_assert_eq(h5out_run_exists(path, 0, &exists), 0);
    cr_assert_eq(exists, 1);
    free_result(&r);
}

Test(h5out, stale_tmp_is_removed)
{
    struct run_result r;
    make_result(&r, "saga", 2, 5.0);
    cr_assert_eq(h5out_create(path, "cfg"), 0);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp.123.456", path);
    FILE *f = fopen(tmp, "w"); /* what a writer killed mid-copy leaves */
    fputs("half a file", f);
    fclose(f);
    cr_assert_eq(h5out_append_run(path, 0, &r), 0);
    cr_assert_neq(access(tmp, F_OK), 0, "the stale temporary was removed under the lock");
    int exists = 0;
    cr_assert_eq(h5out_run_exists(path, 0, &exists), 0);
    cr_assert_eq(exists, 1);
    free_result(&r);
}

/* Issue 17, item 1: a second writer is refused, in one line naming the
 * holder (host, pid), after the wait for a dying holder; the lock dies with
 * its holder (a child killed with SIGKILL while holding it). */
Test(h5out, second_writer_is_refused, .timeout = 30)
{
    struct h5out_store *s1 = NULL;
    struct h5out_store *s2 = NULL;
    char line[512];
    char want[512];
    char host[256];
    cr_assert_eq(h5out_open(path, "cfg", 1, &s1), 0);
    cr_redirect_stderr();
    cr_assert_eq(h5out_open(path, "cfg", 1, &s2), ERR_INPUT); /* flock: per open file */
    cr_assert_null(s2);
    one_stderr_line(line, sizeof line);
    gethostname(host, sizeof host);
    snprintf(want, sizeof want, "dsaga-bench: %s: in use by host %s pid %ld\n", path, host,
             (long)getpid());
    cr_assert_str_eq(line, want);
    cr_assert_eq(h5out_close(s1, 1), 0);
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", path);
    cr_assert_neq(access(lock, F_OK), 0, "the lock file is removed on release");

    pid_t child = fork();
    if (child == 0) {
        struct h5out_store *s = NULL;
        if (h5out_open(path, "cfg", 1, &s) == 0)
            raise(SIGKILL); /* dies holding the lock */
        _exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    cr_assert(WIFSIGNALED(status), "the child did not die holding the lock");
    double t0 = (double)time(NULL);
    cr_assert_eq(h5out_open(path, "cfg", 1, &s2), 0, "the lock outlived its holder");
    cr_assert_lt((double)time(NULL) - t0, 3.0, "waited for a dead holder");
    cr_assert_eq(h5out_close(s2, 1), 0);
}

Test(h5out, one_grid_per_file)
{
    struct run_result r;
    make_result(&r, "saga", 2, 5.0);
    cr_assert_eq(h5out_create(path, "cfg A"), 0);
    cr_assert_eq(h5out_append_run(path, 0, &r), 0);
    /* Resume with the same config keeps the runs. */
    cr_assert_eq(h5out_create(path, "cfg A"), 0);
    int exists = 0;
    cr_assert_eq(h5out_run_exists(path, 0, &exists), 0);
    cr_assert_eq(exists, 1);
    cr_redirect_stderr();
    cr_assert_eq(h5out_create(path, "cfg B"), ERR_INPUT);
    /* Appending the same index twice is refused and leaves the file. */
    cr_assert_lt(h5out_append_run(path, 0, &r), 0);
    cr_assert_eq(h5out_run_exists(path, 0, &exists), 0);
    cr_assert_eq(exists, 1);
    free_result(&r);
}

/* Issue 17, item 3 (SPEC 5): a run failed for a reason outside its cell
 * (I/O, no memory) is to be run again; one failed on its own input is kept. */
Test(h5out, failed_outside_cell_is_retried)
{
    struct run_result r;
    struct h5out_store *s = NULL;
    int nodes = 0;
    make_result(&r, "dsaga", 0, 0.0);
    r.status = "failed";
    cr_assert_eq(h5out_open(path, "cfg", 1, &s), 0);
    r.error_code = ERR_IO;
    snprintf(r.message, sizeof r.message, "f* could not be computed (I/O error)");
    cr_assert_eq(h5out_store_append(s, 0, &r), 0);
    r.error_code = ERR_NOMEM;
    cr_assert_eq(h5out_store_append(s, 1, &r), 0);
    r.error_code = ERR_INPUT;
    cr_assert_eq(h5out_store_append(s, 2, &r), 0);
    cr_assert_eq(h5out_store_has(s, 0, &nodes), 0);
    cr_assert_eq(h5out_store_has(s, 2, &nodes), 1);
    cr_assert_eq(h5out_close(s, 1), 0);
    /* read back from the file by a new writer */
    cr_assert_eq(h5out_open(path, "cfg", 1, &s), 0);
    cr_assert_eq(h5out_store_has(s, 0, &nodes), 0, "I/O failure: to be run again");
    cr_assert_eq(nodes, 4);
    cr_assert_eq(h5out_store_has(s, 1, &nodes), 0, "no memory: to be run again");
    cr_assert_eq(h5out_store_has(s, 2, &nodes), 1, "bad input: kept");
    cr_assert_eq(h5out_store_has(s, 3, &nodes), 0);
    /* the retry replaces the failed run */
    struct run_result ok;
    make_result(&ok, "dsaga", 3, 1.0);
    cr_assert_eq(h5out_store_append(s, 0, &ok), 0);
    cr_assert_eq(h5out_store_has(s, 0, &nodes), 1);
    cr_assert_lt(h5out_store_append(s, 2, &ok), 0, "a kept run is never replaced");
    cr_assert_eq(h5out_close(s, 1), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "/runs/000000", H5P_DEFAULT);
    char *st = read_str(g, "status");
    cr_assert_str_eq(st, "done");
    free(st);
    H5Gclose(g);
    g = H5Gopen2(f, "/runs/000002", H5P_DEFAULT);
    st = read_str(g, "failure");
    cr_assert_str_eq(st, "input");
    free(st);
    H5Gclose(g);
    H5Fclose(f);
    free_result(&ok);
    free_result(&r);
}
