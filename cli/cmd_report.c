/*
 * cmd_report.c - `dsaga-bench report RESULTS.h5 [--out DIR]` (SPEC 6, 7):
 * one self-contained HTML page with every figure the file supports, the
 * figure-6 table, the run list and the provenance.
 *
 * Drawing needs matplotlib, so the page is made by python/dsaga_report.py
 * (Debian's /usr/bin/python3, or $DSAGA_PYTHON), which this command runs
 * and waits for; it checks its own options first, so that bad input gets
 * the suite's one-line message and status 2.  The script is found in the
 * tree the executable was built in: $DSAGA_ROOT, else the first of
 * EXE_DIR/.., EXE_DIR/../.. and the working directory that holds
 * python/dsaga_report.py.  A RESULTS.h5 that is a directory or not a results
 * file (SPEC 5: results_check, the checks of `dsaga-bench export`), or a
 * --out that exists and is not a directory, is refused here, before Python
 * starts.  Runs on rank 0 of any launch.
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"

extern char **environ;

#define REPORT_SCRIPT "python/dsaga_report.py"

static const char report_usage[] =
    "usage: dsaga-bench report RESULTS.h5 [--out DIR]\n"
    "\n"
    "One self-contained HTML page, DIR/NAME.html (DIR: the results file's\n"
    "directory by default): every paper figure the file supports (inline PNG,\n"
    "with captions), the figure-6 table, the run list filterable by method and\n"
    "data set, and the provenance (commit, machine, MPI library, config text).\n"
    "Prints the page's path.  Needs /usr/bin/python3 with matplotlib, h5py and\n"
    "pandas (scripts/deps.sh run).\n"
    "\n"
    "  --out DIR    where to write the page\n"
    "  --help       this text\n";

/* The tree holding python/dsaga_report.py, into root (PATH_MAX bytes). */
static int report_find_root(char *root, size_t size)
{
    char exe[PATH_MAX];
    char cand[PATH_MAX + 64];
    const char *env = getenv("DSAGA_ROOT");
    if (env && env[0]) {
        snprintf(root, size, "%s", env);
        return 0;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0'; /* EXE_DIR */
        for (int up = 1; up <= 2; up++) {
            char *s = strrchr(exe, '/');
            if (!s)
                break;
            *s = '\0';
            snprintf(cand, sizeof cand, "%s/" REPORT_SCRIPT, exe);
            if (access(cand, R_OK) == 0) {
                snprintf(root, size, "%s", exe);
                return 0;
            }
        }
    }
    if (access(REPORT_SCRIPT, R_OK) == 0) {
        snprintf(root, size, ".");
        return 0;
    }
    INPUT_FAIL("report: cannot find " REPORT_SCRIPT " (set DSAGA_ROOT to the dsaga-bench tree)");
}

/* The command line of report: RESULTS.h5 and its options (cli_parse). */
struct report_args {
    const char *results;
    const char *out_dir;
    int help;
};

static const struct option report_opts[] = {
    {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

static int report_opt(int index, int c, const char *v, void *user)
{
    (void)index;
    struct report_args *a = user;
    switch (c) {
    case 'o':
        a->out_dir = v;
        return 0;
    case 'h':
        a->help = 1;
        return 0;
    default:
        INPUT_FAIL("report: unexpected option (see dsaga-bench report --help)");
    }
}

static int report_arg(const char *text, void *user)
{
    struct report_args *a = user;
    if (a->results)
        INPUT_FAIL("report: unexpected argument \"%s\" (one RESULTS.h5 file)", text);
    a->results = text;
    return 0;
}

int cmd_report(int argc, char **argv, int *status)
{
    (void)status;
    struct report_args a = {NULL, NULL, 0};
    /* --help wins over everything else; a.help: an abbreviation (--he) */
    if (!cli_wants_help(argc, argv))
        TRY(cli_parse("report", argc, argv, report_opts, "o:h", report_opt, report_arg, &a));
    if (cli_wants_help(argc, argv) || a.help) {
        if (error_rank() == 0)
            fputs(report_usage, stdout);
        return 0;
    }
    if (!a.results)
        INPUT_FAIL("report: expected a RESULTS.h5 file (see dsaga-bench report --help)");
    const char *results = a.results;
    const char *out_dir = a.out_dir;
    struct stat st;
    if (stat(results, &st) == 0 && S_ISDIR(st.st_mode))
        INPUT_FAIL("report: %s: is a directory (expected a RESULTS.h5 file)", results);
    TRY(results_check("report", results)); /* export's checks: the same files refused */
    if (out_dir && stat(out_dir, &st) == 0 && !S_ISDIR(st.st_mode))
        INPUT_FAIL("--out %s: exists and is not a directory (expected the directory to write "
                   "the page in)",
                   out_dir);
    if (error_rank() != 0)
        return 0;

    char root[PATH_MAX];
    char script[PATH_MAX + 64];
    TRY(report_find_root(root, sizeof root));
    snprintf(script, sizeof script, "%s/" REPORT_SCRIPT, root);
    const char *python = getenv("DSAGA_PYTHON");
    if (!python || !python[0])
        python = "/usr/bin/python3";
    char *args[6];
    int n = 0;
    args[n++] = (char *)python;
    args[n++] = script;
    args[n++] = (char *)results;
    if (out_dir) {
        args[n++] = "--out";
        args[n++] = (char *)out_dir;
    }
    args[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid;
    int err = posix_spawn(&pid, python, NULL, NULL, args, environ);
    if (err != 0)
        INPUT_FAIL("report: cannot run %s: %s (apt-get install python3-matplotlib "
                   "python3-h5py python3-pandas)",
                   python, strerror(err));
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0)
        if (errno != EINTR)
            FAIL(ERR_INTERNAL, "waitpid for %s: %s", script, strerror(errno));
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return 0;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 2)
        return ERR_INPUT; /* the script printed its one line */
    FAIL(ERR_INTERNAL, "%s failed (%s %d)", script, WIFEXITED(wstatus) ? "exit status" : "signal",
         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
}
