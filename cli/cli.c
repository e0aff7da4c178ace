/*
 * cli.c - option parsing shared by the commands (see cli.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/suggest.h"

#define CLI_MAX_OPTS 128

/* "--name" of the option argv[optind - 1] (without "=value"). */
static void cli_option_text(const char *arg, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)strcspn(arg, "="), arg);
}

int cli_parse(const char *cmd, int argc, char **argv, const struct option *opts, const char *shorts,
              int (*on_opt)(int index, int c, const char *value, void *user),
              int (*on_arg)(const char *text, void *user), void *user)
{
    int seen[CLI_MAX_OPTS] = {0};
    char spec[64];
    int n_opts = 0;
    while (opts[n_opts].name)
        n_opts++;
    if (n_opts > CLI_MAX_OPTS)
        FAIL(ERR_INTERNAL, "%s: %d options (at most %d)", cmd, n_opts, CLI_MAX_OPTS);
    /* '-': operands in order, ':' first: a missing value is reported as ':' */
    snprintf(spec, sizeof spec, "-:%s", shorts ? shorts : "");
    opterr = 0;
    optind = 0; /* GNU: a full re-initialisation (a second command in a test) */
    for (;;) {
        int index = -1;
        int c = getopt_long(argc, argv, spec, opts, &index);
        if (c == -1)
            break;
        if (c == 1) { /* an operand */
            TRY(on_arg(optarg, user));
            continue;
        }
        const char *arg = argv[optind - 1];
        char name[128];
        cli_option_text(arg, name, sizeof name);
        if (c == '?') {
            if (optopt && optopt != '-' && arg[1] != '-')
                INPUT_FAIL("%s: unknown option -%c (see dsaga-bench %s --help)", cmd, optopt, cmd);
            const char *names[CLI_MAX_OPTS];
            for (int i = 0; i < n_opts; i++)
                names[i] = opts[i].name;
            const char *close = suggest_closest(name + 2, names, n_opts);
            if (close)
                INPUT_FAIL("%s: unknown option %s (did you mean --%s?)", cmd, name, close);
            INPUT_FAIL("%s: unknown option %s (see dsaga-bench %s --help)", cmd, name, cmd);
        }
        if (c == ':')
            INPUT_FAIL("%s: expected a value after it", name);
        if (index < 0) { /* a short option: find its long twin */
            for (int i = 0; i < n_opts; i++)
                if (opts[i].val == c && !opts[i].flag)
                    index = i;
        }
        /* `--dataset --max-epochs 3`: getopt takes the next option as the
         * missing value; say so rather than report the "3" left over */
        if (index >= 0 && opts[index].has_arg == required_argument && optarg &&
            strncmp(optarg, "--", 2) == 0 && !strchr(arg, '=')) {
            char next[128];
            cli_option_text(optarg, next, sizeof next);
            for (int i = 0; i < n_opts; i++)
                if (strcmp(next + 2, opts[i].name) == 0)
                    INPUT_FAIL("--%s: expected a value after it, got the option %s",
                               opts[index].name, next);
        }
        if (index >= 0) {
            if (seen[index]++)
                INPUT_FAIL("--%s: given twice (give it once)", opts[index].name);
        }
        TRY(on_opt(index, c, optarg, user));
    }
    return 0;
}

int cli_double(const char *opt, const char *text, double lo, int lo_open, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo ||
        (lo_open && v == lo) || v > hi) {
        if (hi < INFINITY)
            INPUT_FAIL("%s: expected a number in %s%g, %g], got \"%s\"", opt, lo_open ? "(" : "[",
                       lo, hi, text);
        INPUT_FAIL("%s: expected a number %s %g, got \"%s\"", opt, lo_open ? ">" : ">=", lo, text);
    }
    *out = v;
    return 0;
}

int cli_long(const char *opt, const char *text, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        INPUT_FAIL("%s: expected an integer in [%ld, %ld], got \"%s\"", opt, lo, hi, text);
    *out = v;
    return 0;
}

int cli_u64(const char *opt, const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (text[0] < '0' || text[0] > '9')
        INPUT_FAIL("%s: expected a non-negative integer, got \"%s\"", opt, text);
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        INPUT_FAIL("%s: expected a non-negative integer, got \"%s\"", opt, text);
    *out = (uint64_t)v;
    return 0;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

int cli_atomic_open(struct cli_atomic *a, const char *path)
{
    int rc = 0;
    memset(a, 0, sizeof *a);
    a->path = path;
    size_t n = strlen(path) + 12;
    a->tmp = malloc(n);
    if (!a->tmp)
        FAIL(ERR_NOMEM, "no memory for a file name");
    snprintf(a->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp); /* never an existing file (an input may be OUT.tmp) */
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        INPUT_FAIL("--out %s: cannot create a file there: %s", path, strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(a->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        FAIL_GOTO(ERR_IO, "%s: cannot open it: %s", a->tmp, strerror(e));
    }
done:
    if (rc)
        cli_atomic_abort(a);
    return rc;
}

int cli_atomic_commit(struct cli_atomic *a)
{
    if (fflush(a->f) != 0 || ferror(a->f))
        FAIL(ERR_IO, "%s: write failed: %s", a->tmp, strerror(errno));
    int closed = fclose(a->f);
    a->f = NULL;
    if (closed != 0)
        FAIL(ERR_IO, "%s: write failed: %s", a->tmp, strerror(errno));
    if (rename(a->tmp, a->path) != 0)
        FAIL(ERR_IO, "cannot rename %s to %s: %s", a->tmp, a->path, strerror(errno));
    free(a->tmp);
    a->tmp = NULL;
    return 0;
}

void cli_atomic_abort(struct cli_atomic *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        remove(a->tmp);
    free(a->tmp);
    a->f = NULL;
    a->tmp = NULL;
}

int cli_check_out(const char *cmd, const char *in, const char *in_what, const char *out)
{
    struct stat so;
    struct stat si;
    if (stat(out, &so) != 0) { /* a new file: its directory must take it */
        char dir[4096];
        const char *slash = strrchr(out, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == out)
            snprintf(dir, sizeof dir, "/");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
        if (stat(dir, &si) != 0 || !S_ISDIR(si.st_mode))
            INPUT_FAIL("--out %s: no directory %s to write it in", out, dir);
        if (access(dir, W_OK | X_OK) != 0)
            INPUT_FAIL("--out %s: cannot write in %s: %s", out, dir, strerror(errno));
        return 0;
    }
    if (S_ISDIR(so.st_mode))
        INPUT_FAIL("--out %s: is a directory (expected the path of the table file to write)", out);
    if (in && stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
        INPUT_FAIL("--out %s: is the input %s %s (expected another file; %s never "
                   "overwrites its input)",
                   out, in_what ? in_what : "file", in, cmd); /* by name or through a link */
    if (!S_ISREG(so.st_mode))
        INPUT_FAIL("--out %s: not a regular file (expected the path of the table file to write)",
                   out);
    if (access(out, R_OK) != 0)
        INPUT_FAIL("--out %s: cannot read it to check that it is not a results file: %s", out,
                   strerror(errno));
    H5E_auto2_t efunc = NULL;
    void *edata = NULL;
    H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    htri_t hdf5 = H5Fis_hdf5(out); /* the signature, user block offsets too */
    H5Eset_auto2(H5E_DEFAULT, efunc, edata);
    if (hdf5 > 0)
        INPUT_FAIL("--out %s: is an HDF5 file (expected a new or a CSV/TSV file; %s never "
                   "overwrites an HDF5 file)",
                   out, cmd);
    return 0;
}
