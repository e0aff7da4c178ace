/*
 * cmd_predict.h - `dsaga-bench predict` (SPEC 7, SPEC 4.1), cli/cmd_predict.c.
 */
#ifndef DSAGA_CMD_PREDICT_H
#define DSAGA_CMD_PREDICT_H

/* argv[0] = "predict"; options as `run` (getopt_long).  Returns 0, or
 * ERR_INPUT after one line on stderr (exit status 2), or another < 0 code. */
int cmd_predict(int argc, char **argv);

#endif
