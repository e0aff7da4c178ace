/*
 * manifest.c - data sets by name (SPEC 7: DATASET is a manifest name, a
 * path or a synthetic spec) and the checks that make a name mean the same
 * bytes everywhere (the checksum is the data's identity in the f* cache).
 *
 * The manifest is the table below, copied from the shared mirror's
 * MANIFEST.tsv (name, file, rows, features, text_sha256, origin_url), plus
 * real-sim and rcv1.binary, which only the LIBSVM origin serves (.bz2; text
 * checksum unknown: loaded with a warning).  One deliberate difference:
 * a9a.t's features is 123, not the 122 it uses, so that it loads in the
 * dimension of a9a (the published one); `features` is the minimum dimension.
 *
 * Lookup order for a name: the cache directory $DSAGA_CACHE/data (default
 * ~/.cache/dsaga-bench/data), then $DSAGA_DATA_MIRROR/<file>, then a
 * download from origin_url into the cache with the curl program (skipped
 * when DSAGA_OFFLINE is set).
 */
#include "datasets/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"

static const struct manifest_entry manifest[] = {
    {"a9a", "a9a.xz", "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/a9a",
     "f5d5ffd8d865ff41328e7ee043e4b020816914ff6843ff15b98905ddbedce906", 32561, 123},
    {"a9a.t", "a9a.t.xz", "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/a9a.t",
     "1f448a153f0320399a7e40836eb207655b0bde0f21fc941cc472193daa9f5de9", 16281,
     123 /* 122 used; 123 to pair with a9a */},
    {"w8a", "w8a.xz", "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/w8a",
     "6a9fa8fd5f524303240a5db07d4b3d4a51e8b7b4b20a914105d8e3e8c81640f2", 49749, 300},
    {"mushrooms", "mushrooms.xz",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/mushrooms",
     "f39a4eb628dc61a7d43760815b061c9e497aa728ce1ad8bde57a09ef6043b538", 8124, 112},
    {"phishing", "phishing.xz",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/phishing",
     "0cf66ef36604c393da9359b2e5d894a2df8aee31fd184633cefa138add2ef08a", 11055, 68},
    {"real-sim", "real-sim.bz2",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/real-sim.bz2", "", 72309,
     20958},
    {"rcv1.binary", "rcv1_train.binary.bz2",
     "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/rcv1_train.binary.bz2", "",
     20242, 47236},
    {NULL, NULL, NULL, NULL, 0, 0},
};

const struct manifest_entry *manifest_entries(void)
{
    return manifest;
}

const struct manifest_entry *manifest_find(const char *name)
{
    for (const struct manifest_entry *e = manifest; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* mkdir -p; 0 or -1 with errno. */
static int make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* The data cache directory: $DSAGA_CACHE/data, default ~/.cache/dsaga-bench/data
 * (the f* cache of fstar.h lives in the same root). */
static void cache_dir(char *buf, size_t size)
{
    const char *root = getenv("DSAGA_CACHE");
    const char *home = getenv("HOME");
    if (root && *root)
        snprintf(buf, size, "%s/data", root);
    else
        snprintf(buf, size, "%s/.cache/dsaga-bench/data", home && *home ? home : ".");
}

/* Runs curl (no shell) to fetch url into path; 0 when the file arrived,
 * else -1 and curl's reason in why.  https only, redirects included (issue
 * 17: a redirect must not fall back to http).  curl's stderr goes to a pipe,
 * not the terminal: its complaint becomes part of the caller's one line. */
static int download(const char *url, const char *path, char *why, size_t size)
{
    int errfds[2];
    if (pipe(errfds) != 0) {
        snprintf(why, size, "pipe: %s", strerror(errno));
        return -1;
    }
    fcntl(errfds[0], F_SETFD, FD_CLOEXEC);
    fcntl(errfds[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, size, "fork: %s", strerror(errno));
        close(errfds[0]);
        close(errfds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(errfds[1], 2); /* clears close-on-exec on 2 */
        execlp("curl", "curl", "--proto", "=https", "--proto-redir", "=https", "--fail", "--silent",
               "--show-error", "--location", "--connect-timeout", "20", "--output", path, "--", url,
               (char *)NULL);
        _exit(127);
    }
    close(errfds[1]);
    /* to its end while curl runs (then a chatty curl cannot block) */
    char err[1024];
    error_read_fd(errfds[0], err, sizeof err);
    close(errfds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(why, size, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    error_first_line(err, why, size);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !why[0])
        snprintf(why, size, "the curl program was not found");
    else if (!why[0] && WIFEXITED(status))
        snprintf(why, size, "curl exit status %d", WEXITSTATUS(status));
    else if (!why[0])
        snprintf(why, size, "curl killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}

/* 0 when the file at path holds entry e's data (text sha256 when the
 * manifest has one, and the row count); else -1 with why in why.  Used on
 * a download before it enters the cache (issue 17: a bad download poisoned
 * the cache and shadowed a good mirror).  The reader's own message (say, an
 * HTML page's first line) is caught and put in why: the caller's line is
 * the only one. */
static int verify(const struct manifest_entry *e, const char *path, char *why, size_t size)
{
    struct dataset *ds = NULL;
    int64_t bad_norm = -1; /* the scan (issue 18): O(N), not the whole set */
    fflush(stderr);
    int saved = dup(2);
    FILE *said = saved >= 0 ? tmpfile() : NULL;
    if (said)
        dup2(fileno(said), 2);
    int scanned = libsvm_scan(path, LABELS_RAW, e->features, &ds, &bad_norm);
    fflush(stderr);
    char text[1024] = "";
    if (said) {
        dup2(saved, 2);
        rewind(said);
        text[fread(text, 1, sizeof text - 1, said)] = '\0';
        fclose(said);
    }
    if (saved >= 0)
        close(saved);
    if (scanned != 0) {
        char reason[600];
        error_first_line(text, reason, sizeof reason);
        snprintf(why, size, "not a readable LIBSVM file%s%s", reason[0] ? ": " : "", reason);
        return -1;
    }
    int rc = 0;
    if (e->text_sha256[0] && strcmp(e->text_sha256, ds->checksum) != 0) {
        snprintf(why, size, "text sha256 %s, the manifest's is %s", ds->checksum, e->text_sha256);
        rc = -1;
    } else if (ds->n_samples != e->rows) {
        snprintf(why, size, "%lld rows, the manifest's %lld", (long long)ds->n_samples,
                 (long long)e->rows);
        rc = -1;
    }
    dataset_destroy(ds);
    return rc;
}

/* The file of entry e in the cache or the mirror, without a download: 1
 * and its path into path, or 0 and the places it looked appended to
 * looked[*at..]. */
static int find_local(const struct manifest_entry *e, char *path, size_t size, char *looked,
                      size_t looked_size, size_t *at)
{
    char dir[1024];
    cache_dir(dir, sizeof dir);
    const char *url_base = strrchr(e->origin_url, '/');
    url_base = url_base ? url_base + 1 : e->file;
    /* the mirror's compressed name, then the origin's own name */
    const char *cache_names[2] = {e->file, url_base};
    for (int i = 0; i < 2; i++) {
        if (i == 1 && strcmp(cache_names[1], cache_names[0]) == 0)
            break;
        snprintf(path, size, "%s/%s", dir, cache_names[i]);
        if (is_file(path))
            return 1;
        *at += (size_t)snprintf(looked + *at, looked_size - *at, "%s%s", *at ? ", " : "", path);
    }
    const char *mirror = getenv("DSAGA_DATA_MIRROR");
    if (mirror && *mirror) {
        snprintf(path, size, "%s/%s", mirror, e->file);
        if (is_file(path))
            return 1;
        *at += (size_t)snprintf(looked + *at, looked_size - *at, ", %s", path);
    } else {
        *at += (size_t)snprintf(looked + *at, looked_size - *at, ", $DSAGA_DATA_MIRROR (not set)");
    }
    return 0;
}

/* Finds (or fetches) the file of entry e; its path into path, or ERR_INPUT
 * with the places it looked. */
static int locate(const struct manifest_entry *e, char *path, size_t size)
{
    char dir[1024];
    char looked[4096];
    size_t at = 0;
    if (find_local(e, path, size, looked, sizeof looked, &at))
        return 0;
    cache_dir(dir, sizeof dir);
    const char *url_base = strrchr(e->origin_url, '/');
    url_base = url_base ? url_base + 1 : e->file;
    const char *offline = getenv("DSAGA_OFFLINE");
    if (offline && *offline && strcmp(offline, "0") != 0) {
        snprintf(looked + at, sizeof looked - at, "; no download (DSAGA_OFFLINE is set)");
    } else if (make_dirs(dir) != 0) {
        snprintf(looked + at, sizeof looked - at, "; cannot create %s: %s", dir, strerror(errno));
    } else {
        /* One process downloads, the others (ranks of this host, or of
         * hosts sharing the cache) wait on the lock and then find the file
         * in the cache. */
        char part[1200];
        char lock[1200];
        char why[700] = "";
        snprintf(lock, sizeof lock, "%s/%s.lock", dir, e->name);
        int lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (lfd >= 0)
            while (flock(lfd, LOCK_EX) != 0 && errno == EINTR)
                ;
        snprintf(path, size, "%s/%s", dir, url_base);
        if (is_file(path)) { /* another process fetched it meanwhile */
            if (lfd >= 0)
                close(lfd);
            return 0;
        }
        snprintf(part, sizeof part, "%s.part.%ld", path, (long)getpid());
        unlink(part);
        /* no "downloading" line before: a failure is one line, the last */
        int got = download(e->origin_url, part, why, sizeof why) == 0;
        if (got && verify(e, part, why, sizeof why) == 0 && rename(part, path) == 0) {
            if (lfd >= 0)
                close(lfd);
            fprintf(stderr, "dsaga-bench: [pid %ld] downloaded %s from %s into %s\n",
                    (long)getpid(), e->name, e->origin_url, path);
            return 0;
        }
        if (got && !why[0])
            snprintf(why, sizeof why, "cannot rename it into %.400s: %s", path, strerror(errno));
        unlink(part);
        if (lfd >= 0)
            close(lfd);
        snprintf(looked + at, sizeof looked - at, "; download from %s %s%s", e->origin_url,
                 got ? "refused: " : "failed: ", why);
    }
    INPUT_FAIL("data set \"%s\" could not be found: looked in %s; set DSAGA_DATA_MIRROR to a "
               "folder holding %s (or DSAGA_CACHE)",
               e->name, looked, e->file);
}

/* Every row's squared norm must be finite: L_max, the steps and f* are
 * built from it (SPEC 1), and a value such as 1e308 made f* fail as a
 * "numerical failure" with a traceback (issue 17).  Bad input, one line
 * naming row (0-based) as its line. */
static int norm_fail(const char *path, int64_t row)
{
    INPUT_FAIL("%s:%lld: the squared norm of the row's values overflows (expected "
               "values whose squares sum below 1.8e308, e.g. |value| < 1e150)",
               path, (long long)row + 1); /* rows are lines: none is skipped */
}

/* check_norms on a loaded set: *out is freed on failure. */
static int check_norms(const char *path, struct dataset **out)
{
    const struct dataset *ds = *out;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double sq = 0.0;
        for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++)
            sq += ds->values[k] * ds->values[k];
        if (!isfinite(sq)) {
            dataset_destroy(*out);
            *out = NULL;
            return norm_fail(path, i);
        }
    }
    return 0;
}

/* A spec that is no manifest name and not a path: a path has a slash or
 * an extension (issue 17), so a bare word is a name or nothing. */
static int bare_word(const char *spec)
{
    return !strchr(spec, '/') && !strchr(spec, '.');
}

/* The file a DATASET that is not a synthetic spec names: a manifest name
 * (located, *e its row) or a path (*e NULL).  A name of the manifest always
 * means the manifest's data (issue 17: a file "a9a" in the working
 * directory must not replace it); anything else is a path. */
static int resolve(const char *spec, char *path, size_t size, const struct manifest_entry **e)
{
    *e = manifest_find(spec);
    if (*e)
        return locate(*e, path, size);
    struct stat st;
    if (stat(spec, &st) == 0) {
        snprintf(path, size, "%s", spec);
        return 0;
    }
    char names[512];
    size_t at = 0;
    for (const struct manifest_entry *m = manifest; m->name; m++)
        at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", at ? ", " : "", m->name);
    if (!bare_word(spec))
        INPUT_FAIL("%s: %s (expected a LIBSVM file, a manifest name or a synthetic spec)", spec,
                   strerror(errno));
    INPUT_FAIL("data set \"%s\": not a known name (known: %s; a path has a slash or an "
               "extension, such as ./%s; or a synthetic spec such as "
               "synth-sparse:n=20000,d=47000,nnz=75,seed=1)",
               spec, names, spec);
}

/* A manifest set read from path must be the manifest's (sha256, rows). */
static int check_manifest(const struct manifest_entry *e, const char *path, struct dataset *ds)
{
    if (e->text_sha256[0] == '\0') {
        if (error_rank() == 0)
            fprintf(stderr,
                    "dsaga-bench: warning: %s: no checksum in the manifest, text sha256 %s not "
                    "verified\n",
                    path, ds->checksum);
    } else if (strcmp(e->text_sha256, ds->checksum) != 0) {
        INPUT_FAIL("%s: text sha256 %s does not match the manifest's %s for \"%s\"", path,
                   ds->checksum, e->text_sha256, e->name);
    }
    if (ds->n_samples != e->rows)
        INPUT_FAIL("%s: expected %lld rows for \"%s\", got %lld", path, (long long)e->rows, e->name,
                   (long long)ds->n_samples);
    snprintf(ds->name, sizeof ds->name, "%s", e->name);
    return 0;
}

int dataset_present(const char *spec)
{
    if (synth_is_spec(spec))
        return 1;
    const struct manifest_entry *e = manifest_find(spec);
    if (!e) {
        struct stat st;
        return stat(spec, &st) == 0 ? 1 : bare_word(spec) ? -1 : 0;
    }
    char path[1100], looked[4096];
    size_t at = 0;
    return find_local(e, path, sizeof path, looked, sizeof looked, &at);
}

int dataset_load(const char *spec, enum label_mode labels, struct dataset **out)
{
    int rc = 0;
    struct dataset *ds = NULL;
    const struct manifest_entry *e = NULL;
    char path[1100];
    *out = NULL;
    if (synth_is_spec(spec))
        return synth_generate(spec, out);
    TRY(resolve(spec, path, sizeof path, &e));
    if (!e) {
        TRY(libsvm_read(path, labels, 0, out)); /* says "is a directory" etc. */
        return check_norms(path, out);
    }
    TRY_GOTO(libsvm_read(path, labels, e->features, &ds));
    TRY_GOTO(check_manifest(e, path, ds));
    *out = ds;
    ds = NULL;
done:
    dataset_destroy(ds);
    return rc;
}

int dataset_scan(const char *spec, enum label_mode labels, struct dataset **out)
{
    int rc = 0;
    struct dataset *ds = NULL;
    const struct manifest_entry *e = NULL;
    char path[1100];
    int64_t bad = -1;
    *out = NULL;
    if (synth_is_spec(spec)) {
        /* generated whole (every label depends on the draws before it),
         * then stripped to the scan's O(N) */
        TRY(synth_generate(spec, &ds));
        free(ds->col_idx);
        free(ds->values);
        ds->col_idx = NULL;
        ds->values = NULL;
        *out = ds;
        return 0;
    }
    TRY(resolve(spec, path, sizeof path, &e));
    TRY_GOTO(libsvm_scan(path, labels, e ? e->features : 0, &ds, &bad));
    if (bad >= 0)
        TRY_GOTO(norm_fail(path, bad));
    if (e)
        TRY_GOTO(check_manifest(e, path, ds));
    *out = ds;
    ds = NULL;
done:
    dataset_destroy(ds);
    return rc;
}

int dataset_load_rows(const char *spec, const struct dataset *scan, const int *owner, int part,
                      double bias, struct dataset **out)
{
    int rc = 0;
    struct dataset *whole = NULL;
    int64_t *rows = NULL;
    const struct manifest_entry *e = NULL;
    char path[1100];
    *out = NULL;
    if (synth_is_spec(spec)) { /* generated whole again, then cut */
        TRY_GOTO(synth_generate(spec, &whole));
        rows = malloc((size_t)(whole->n_samples > 0 ? whole->n_samples : 1) * sizeof *rows);
        if (!rows)
            FAIL_GOTO(ERR_NOMEM, "rows of part %d of %s", part, spec);
        int64_t n = 0;
        for (int64_t i = 0; i < whole->n_samples; i++)
            if (owner[i] == part)
                rows[n++] = i;
        if (n == whole->n_samples) {  /* every row (K = 1): no copy */
            whole->global_row = rows; /* 0..n-1, in order */
            rows = NULL;
            *out = whole;
        } else {
            TRY_GOTO(dataset_subset(whole, rows, n, out));
            dataset_destroy(whole);
        }
        whole = NULL;
        rc = dataset_add_bias(*out, bias);
        if (rc < 0) {
            dataset_destroy(*out);
            *out = NULL;
        }
        goto done;
    }
    TRY_GOTO(resolve(spec, path, sizeof path, &e));
    TRY_GOTO(libsvm_read_rows(path, scan, owner, part, bias, out));
    snprintf((*out)->name, sizeof(*out)->name, "%s", scan->name);
done:
    dataset_destroy(whole);
    free(rows);
    return rc;
}
