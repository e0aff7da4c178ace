/* error.c - the reporters behind error.h (STYLE 3). */
#include "base/error.h"

#include <mpi.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

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

void error_first_line(const char *text, char *out, size_t size)
{
    out[0] = '\0';
    while (*text) {
        size_t n = strcspn(text, "\n");
        size_t a = 0;
        while (a < n && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        if (n - a >= 13 && strncmp(text + a, "dsaga-bench: ", 13) == 0)
            a += 13;
        size_t b = n;
        while (b > a && strchr(" \t\r;.:", text[b - 1]))
            b--;
        if (b > a) {
            size_t k = 0;
            for (size_t i = a; i < b && k + 1 < size; i++) {
                unsigned char c = (unsigned char)text[i];
                out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
            }
            out[k] = '\0';
            return;
        }
        text += n + (text[n] == '\n');
    }
}

void error_read_fd(int fd, char *buf, size_t size)
{
    size_t len = 0;
    char sink[4096];
    for (;;) {
        char *at = len + 1 < size ? buf + len : sink;
        size_t room = len + 1 < size ? size - 1 - len : sizeof sink;
        ssize_t got = read(fd, at, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (at != sink)
            len += (size_t)got;
    }
    buf[len] = '\0';
}
