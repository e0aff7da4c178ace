/*
 * fuzz_file.h - for fuzz targets whose code under test reads a path: one
 * private temporary file per fuzz process (in $TMPDIR, which fuzz/run.sh
 * points at /dev/shm), rewritten in place for every input rather than
 * re-created, and removed at exit.
 */
#ifndef DSAGA_FUZZ_FILE_H
#define DSAGA_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_path[256]; /* the temporary file */
static int fuzz_fd = -1;    /* open on fuzz_path for the process's life */

static void fuzz_file_remove(void)
{
    if (fuzz_path[0])
        unlink(fuzz_path);
}

/* Creates $TMPDIR/dsaga-fuzz-STEM.XXXXXXSUFFIX (SUFFIX may be ""). */
static void fuzz_file_create(const char *stem, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_path, sizeof fuzz_path, "%s/dsaga-fuzz-%s.XXXXXX%s", dir && *dir ? dir : "/tmp",
             stem, suffix);
    fuzz_fd = mkstemps(fuzz_path, (int)strlen(suffix));
    if (fuzz_fd < 0) {
        perror("fuzz: mkstemps");
        abort();
    }
    atexit(fuzz_file_remove);
}

/* The file's whole content becomes data[0..size). */
static void fuzz_file_put(const uint8_t *data, size_t size)
{
    if (ftruncate(fuzz_fd, 0) != 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz: write");
        abort();
    }
}

#endif
