/*
 * commands.h - the dsaga-bench commands that live in their own files
 * (SPEC 7).  Each takes the command's own argv (argv[0] is the command
 * name), parses it with getopt_long, and returns 0, ERR_INPUT after one
 * line on stderr, or another negative ERR_* code (base/error.h).
 */
#ifndef DSAGA_CLI_COMMANDS_H
#define DSAGA_CLI_COMMANDS_H

/* export RESULTS.h5 [--format csv|tsv] [--out FILE]: the tidy table. */
int cmd_export(int argc, char **argv);

/* report RESULTS.h5 [--out DIR]: one self-contained HTML page. */
int cmd_report(int argc, char **argv);

#endif
