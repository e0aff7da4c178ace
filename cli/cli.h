/*
 * cli.h - what the commands of dsaga-bench share (SPEC 7): GNU-style option
 * parsing with getopt_long (--opt=value and --opt value, short -q, a
 * repeated option refused, "did you mean --period?" for a misspelt one),
 * typed option values that name the option when they are bad, and the
 * command table of main.c.
 *
 * Every command is `int cmd_NAME(int argc, char **argv, int *status)` with
 * argv[0] the command's name; it returns 0, ERR_INPUT after one line on
 * stderr (exit status 2), or another negative code (status 1).  A command
 * that ran but whose result is a failure (a failed run) sets *status.
 */
#ifndef DSAGA_CLI_H
#define DSAGA_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/* One command of the table in main.c. */
struct cli_command {
    const char *name;
    const char *synopsis; /* "run --algorithm NAME --dataset DATASET [options]" */
    const char *summary;  /* one line */
    int (*handler)(int argc, char **argv, int *status);
};

/* getopt_long over argv with `opts` (NULL-name terminated) and the short
 * options `shorts`.  Calls on_opt(index in opts, or the short character
 * when index < 0, value, user) for each option in order, and
 * on_arg(text, user) for each operand.  Bad usage is ERR_INPUT after one
 * line naming the option: unknown (with the closest known name), missing
 * value, given twice. */
int cli_parse(const char *cmd, int argc, char **argv, const struct option *opts, const char *shorts,
              int (*on_opt)(int index, int c, const char *value, void *user),
              int (*on_arg)(const char *text, void *user), void *user);

/* Values: 0, or ERR_INPUT after "--opt: expected ..., got "text"". */
int cli_double(const char *opt, const char *text, double lo, int lo_open, double hi, double *out);
int cli_long(const char *opt, const char *text, long lo, long hi, long *out);
int cli_u64(const char *opt, const char *text, uint64_t *out);

/* 1 if argv holds --help or -h. */
int cli_wants_help(int argc, char **argv);

/* --out OUT of command cmd (export, predict), whose input is the file `in`
 * (`in_what` names it in the message: "results file", "data file"; NULL
 * or a name that is no file: none): a new file in a directory that exists
 * and can be written, or an existing regular file that is neither `in`
 * (by name or through a link) nor an HDF5 file (a results file is never
 * replaced by a table).  ERR_INPUT after one line naming OUT; called
 * before anything is computed. */
int cli_check_out(const char *cmd, const char *in, const char *in_what, const char *out);

/* A text file written whole or not at all (export --out, predict --out):
 * cli_atomic_open creates PATH.tmp.XXXXXX (never an existing file; mode
 * 0666 less the umask) and opens it as a->f; cli_atomic_commit flushes,
 * closes and renames it over PATH; cli_atomic_abort (also after a failed
 * commit; a zeroed struct does nothing) removes it.  The open names PATH
 * in its ERR_INPUT, the others name the file in their ERR_IO. */
struct cli_atomic {
    FILE *f;
    char *tmp;
    const char *path;
};
int cli_atomic_open(struct cli_atomic *a, const char *path);
int cli_atomic_commit(struct cli_atomic *a);
void cli_atomic_abort(struct cli_atomic *a);

/* The options of `run` (also `predict`'s): the keys every run has and the
 * chosen method's own keys, into *cfg (made for that method).  `cmd` names
 * the command in messages.  *help = 1 when --help was given (printed on
 * rank 0; nothing else done).  ERR_INPUT after one line. */
struct run_cfg;
int run_parse(const char *cmd, int argc, char **argv, struct run_cfg *cfg, const char **out_path,
              int *quiet, int *help);

/* Commands (each in its own file). */
int cmd_info(int argc, char **argv, int *status);
int cmd_fstar(int argc, char **argv, int *status);
int cmd_run(int argc, char **argv, int *status);
int cmd_grid(int argc, char **argv, int *status);
int cmd_predict(int argc, char **argv, int *status);
int cmd_export(int argc, char **argv, int *status);
/* 0 when PATH is a results file as SPEC 5 has it (/runs, every run a group
 * with a status string and 1-D numeric epoch, subopt and other series of
 * one length); else ERR_INPUT after one line "CMD: PATH: ..." (export and
 * report refuse the same files; cmd_export.c). */
int results_check(const char *cmd, const char *path); /* cmd_export.c */
int cmd_report(int argc, char **argv, int *status);   /* cmd_report.c */

#endif
