/*
 * error.h - error codes and the FAIL / TRY / MPI_TRY reporting macros
 * (STYLE 3).
 *
 * A function that can fail returns int: 0 on success, one of the negative
 * ERR_* codes otherwise.  Two kinds of failure are reported differently:
 *
 *   - bad user input (ERR_INPUT): one line on stderr, printed by rank 0
 *     only, that names the file:line, option or config key (SPEC 7).  TRY
 *     propagates it silently, so the user sees exactly one line.
 *   - internal failures (out of memory, I/O, MPI): "[rank r] file:line
 *     func: message", and every TRY on the way up adds a traceback line,
 *     as PetscCall does.
 *
 * Functions with resources use the *_GOTO forms: they set a local `rc`
 * and jump to the function's single `done:` exit (STYLE 4).
 */
#ifndef DSAGA_ERROR_H
#define DSAGA_ERROR_H

#include <stddef.h>

enum {
    ERR_OK = 0,
    ERR_INPUT = -2,   /* bad user input: data file, option, config key */
    ERR_NOMEM = -3,   /* allocation failed */
    ERR_IO = -4,      /* file system or HDF5 failure */
    ERR_MPI = -5,     /* an MPI call failed */
    ERR_NUMERIC = -6, /* a solver did not reach its tolerance */
    ERR_INTERNAL = -7 /* anything else */
};

/* Prints "[rank r] file:line func: message" (internal failures). */
void error_report(const char *file, int line, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints "[rank r] file:line func" under a failure already reported. */
void error_trace(const char *file, int line, const char *func, int code);
/* Prints "dsaga-bench: message" on rank 0 only (bad input, SPEC 7). */
void error_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The MPI rank of this process in MPI_COMM_WORLD, 0 before MPI_Init. */
int error_rank(void);
/* Text for an ERR_* code. */
const char *error_name(int code);
/* A child program's complaint folded into one message: the first line of
 * text that says something, printable (others become '?'), without a
 * leading "dsaga-bench: " or trailing ' ', ';', '.', ':', into out (""
 * when there is none). */
void error_first_line(const char *text, char *out, size_t size);
/* Reads fd to its end (a child's stderr: draining it lets the child
 * finish), keeping the first size - 1 bytes as a string in buf. */
void error_read_fd(int fd, char *buf, size_t size);

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        error_report(__FILE__, __LINE__, __func__, __VA_ARGS__);                                   \
        return (code);                                                                             \
    } while (0)

#define FAIL_GOTO(code, ...)                                                                       \
    do {                                                                                           \
        error_report(__FILE__, __LINE__, __func__, __VA_ARGS__);                                   \
        rc = (code);                                                                               \
        goto done;                                                                                 \
    } while (0)

/* Bad input: one line, no traceback. */
#define INPUT_FAIL(...)                                                                            \
    do {                                                                                           \
        error_input(__VA_ARGS__);                                                                  \
        return ERR_INPUT;                                                                          \
    } while (0)

#define INPUT_FAIL_GOTO(...)                                                                       \
    do {                                                                                           \
        error_input(__VA_ARGS__);                                                                  \
        rc = ERR_INPUT;                                                                            \
        goto done;                                                                                 \
    } while (0)

#define TRY(call)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (call);                                                                      \
        if (try_rc_ < 0) {                                                                         \
            error_trace(__FILE__, __LINE__, __func__, try_rc_);                                    \
            return try_rc_;                                                                        \
        }                                                                                          \
    } while (0)

#define TRY_GOTO(call)                                                                             \
    do {                                                                                           \
        rc = (call);                                                                               \
        if (rc < 0) {                                                                              \
            error_trace(__FILE__, __LINE__, __func__, rc);                                         \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* Every MPI call goes through MPI_TRY (PetscCallMPI), or calls error_mpi
 * itself where it must free before returning (netmodel.c); only teardown
 * that cannot report goes unchecked (dsaga-async's destroy cancelling a
 * receive).  The communicators we create carry MPI_ERRORS_RETURN so that
 * we get here instead of aborting. */
void error_mpi(const char *file, int line, const char *func, const char *call, int mpi_rc);

#define MPI_TRY(call)                                                                              \
    do {                                                                                           \
        int mpi_rc_ = (call);                                                                      \
        if (mpi_rc_ != 0) {                                                                        \
            error_mpi(__FILE__, __LINE__, __func__, #call, mpi_rc_);                               \
            return ERR_MPI;                                                                        \
        }                                                                                          \
    } while (0)

#define MPI_TRY_GOTO(call)                                                                         \
    do {                                                                                           \
        int mpi_rc_ = (call);                                                                      \
        if (mpi_rc_ != 0) {                                                                        \
            error_mpi(__FILE__, __LINE__, __func__, #call, mpi_rc_);                               \
            rc = ERR_MPI;                                                                          \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

#endif
