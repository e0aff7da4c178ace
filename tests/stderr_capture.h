/*
 * stderr_capture.h - the unit tests' way to read what a call printed on
 * stderr (its one "dsaga-bench: " line, SPEC 7):
 *
 *     struct stderr_capture cap;
 *     stderr_capture_begin(&cap);
 *     int rc = call(...);
 *     stderr_capture_end(&cap, msg, sizeof msg);
 */
#ifndef DSAGA_TESTS_STDERR_CAPTURE_H
#define DSAGA_TESTS_STDERR_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

struct stderr_capture {
    FILE *tmp; /* what stderr wrote meanwhile */
    int saved; /* the real stderr */
};

static inline void stderr_capture_begin(struct stderr_capture *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    cr_assert_not_null(c->tmp);
    c->saved = dup(2);
    dup2(fileno(c->tmp), 2);
}

/* Restores stderr and puts what was written (at most size - 1 bytes) in msg. */
static inline void stderr_capture_end(struct stderr_capture *c, char *msg, size_t size)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    rewind(c->tmp);
    msg[fread(msg, 1, size - 1, c->tmp)] = '\0';
    fclose(c->tmp);
}

#endif
