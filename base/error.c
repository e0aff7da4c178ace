/* error.c - the reporters behind error.h (STYLE 3). */
#include "base/error.h"

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>

int error_rank(void)
{
    int initialized = 0;
    int finalized = 0;
    int rank = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

const char *error_name(int code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_INPUT:
        return "bad input";
    case ERR_NOMEM:
        return "out of memory";
    case ERR_IO:
        return "I/O error";
    case ERR_MPI:
        return "MPI error";
    case ERR_NUMERIC:
        return "numerical failure";
    default:
        return "internal error";
    }
}

void error_report(const char *file, int line, const char *func, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[rank %d] %s:%d %s: ", error_rank(), file, line, func);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void error_trace(const char *file, int line, const char *func, int code)
{
    if (code == ERR_INPUT)
        return; /* already said in one line by error_input */
    fprintf(stderr, "[rank %d] %s:%d %s\n", error_rank(), file, line, func);
}

void error_input(const char *fmt, ...)
{
    va_list ap;
    if (error_rank() != 0)
        return;
    fputs("dsaga-bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void error_mpi(const char *file, int line, const char *func, const char *call, int mpi_rc)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(mpi_rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", mpi_rc);
    error_report(file, line, func, "%s failed: %s", call, text);
}
