/*
 * h5out.c - results on disk in the layout of SPEC 5 (HDF5 C API, serial).
 *
 *     /              attrs: suite_version, git_commit, created, config, host,
 *                           cpu_model, cores, mpi_library, compiler, blas
 *     /runs/NNNNNN   attrs of the run (SPEC 5), 1-D float64 datasets
 *                    epoch rounds bytes wall_s comm_s objective subopt grad_norm
 *                    (+ model_s when a network model is configured; + the
 *                    method's extra_series, [checkpoints x width] when
 *                    width > 1, e.g. dsaga-async's worker_updates)
 *     /algorithms/NAME  attrs: summary, color, keys, legend_keys,
 *                    centralized, server_ranks, order (SPEC 3.10)
 *
 * Strings are variable-length UTF-8 scalars (h5py reads them as str, h5dump
 * prints them).  `period` is stored as its number with `period_unit`
 * "steps" or "n_k fraction", plus `period_text` ("100", "0.5n").
 *
 * Crash safety (SPEC 5, STYLE 9; issue 17).  Every file we write is built
 * in memory (HDF5 core driver, no backing store), closed (file image
 * callbacks keep its bytes), written with write(2) to a fresh temporary
 * (O_CREAT | O_EXCL | O_NOFOLLOW, a name unique to the writer), fsync'ed
 * and renamed into place, and the directory fsync'ed.  rename(2) is atomic,
 * so a reader, or a restart after SIGKILL at any moment, sees each file
 * whole, old or new.  HDF5 never writes to disk itself, so a full disk is a
 * failed write(2) we report (the temporary removed, the target untouched).
 *
 * Scale.  Rewriting PATH for every run cost O(file) per run (48 ms at run
 * 1000, issue 17).  Now a run is stored as its own small file
 * PATH.d/NNNNNN.h5 (the same /runs/NNNNNN group, and the config), at a
 * cost independent of PATH's size; merges copy the pending runs into PATH
 * (H5Ocopy into the in-memory image of PATH, then one atomic replacement)
 * when they are as many as PATH's runs or when merging takes under 1/20 of
 * the time, and when the grid ends, which removes PATH.d.  The doubling
 * keeps the bytes copied by all merges below about twice the final file
 * and the time rule keeps merges under 5 % of the time, so the cost per
 * run stays constant.  A run is "present" when in PATH or in PATH.d; a kill
 * between a merge's rename and its removal of PATH.d's files leaves runs in
 * both, and the next merge skips them.
 *
 * Damage.  A run enters PATH.d only whole and fsync'ed, so a pending file
 * that is no run of this grid (not readable HDF5, no or another grid's
 * config, no /runs/NNNNNN with a status) is disk damage or a foreign file,
 * never a finished result.  Merging would fail on it at every start; the
 * merge moves it aside instead, to PATH.d/NNNNNN.h5.corrupt.TIME.PID (never
 * removed: PATH.d then outlives the grid, for a person to look at), says so
 * in one warning line, and the cell counts as not done: it is run again.
 *
 * One writer (SPEC 5): PATH.lock is flock'ed for the store's life (the
 * kernel drops it when the holder dies) and holds "host pid" for the
 * refusal message.  Only rank 0 of the launch writes.
 */
#include "harness/h5out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/version.h"

/* OpenBLAS (cblas.h declares it too, but which cblas.h is installed varies). */
char *openblas_get_config(void);

/* Silences HDF5's automatic error-stack printing for the life of one call:
 * we report failures ourselves, naming the path. */
struct h5_quiet {
    H5E_auto2_t func;
    void *data;
};

static void quiet_begin(struct h5_quiet *q)
{
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const struct h5_quiet *q)
{
    H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

/* ---- small attribute writers ---------------------------------------------- */

static int attr_str(hid_t obj, const char *name, const char *value)
{
    int rc = 0;
    hid_t type = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    hid_t attr = H5I_INVALID_HID;
    const char *v = value ? value : "";
    type = H5Tcopy(H5T_C_S1);
    if (type < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0)
        FAIL_GOTO(ERR_IO, "string type for attribute %s", name);
    space = H5Screate(H5S_SCALAR);
    if (space < 0)
        FAIL_GOTO(ERR_IO, "dataspace for attribute %s", name);
    attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, type, &v) < 0)
        FAIL_GOTO(ERR_IO, "cannot write attribute %s", name);
done:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

/* A numeric attribute: a scalar (n = 0) or a 1-D array of n values. */
static int attr_num(hid_t obj, const char *name, hid_t mem_type, hid_t file_type, const void *value,
                    hsize_t n)
{
    int rc = 0;
    hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    hid_t attr = H5I_INVALID_HID;
    if (space < 0)
        FAIL_GOTO(ERR_IO, "dataspace for attribute %s", name);
    attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mem_type, value) < 0)
        FAIL_GOTO(ERR_IO, "cannot write attribute %s", name);
done:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

static int attr_f64(hid_t obj, const char *name, double v)
{
    return attr_num(obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &v, 0);
}

static int attr_i64(hid_t obj, const char *name, int64_t v)
{
    return attr_num(obj, name, H5T_NATIVE_INT64, H5T_STD_I64LE, &v, 0);
}

static int attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return attr_num(obj, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, &v, 0);
}

/* A 1-D float64 attribute of n values. */
static int attr_vec(hid_t obj, const char *name, const double *v, hsize_t n)
{
    return attr_num(obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, n);
}

/* Reads a string attribute (fixed or variable length) into a malloc'ed
 * buffer the caller frees; *out = NULL when absent. */
static int attr_read_str(hid_t obj, const char *name, char **out)
{
    int rc = 0;
    hid_t attr = H5I_INVALID_HID;
    hid_t ftype = H5I_INVALID_HID;
    hid_t mtype = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    *out = NULL;
    if (H5Aexists(obj, name) <= 0)
        return 0;
    attr = H5Aopen(obj, name, H5P_DEFAULT);
    ftype = attr >= 0 ? H5Aget_type(attr) : H5I_INVALID_HID;
    if (ftype < 0 || H5Tget_class(ftype) != H5T_STRING)
        FAIL_GOTO(ERR_IO, "attribute %s is not a string", name);
    space = H5Aget_space(attr);
    mtype = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(ftype) > 0) {
        char *v = NULL;
        H5Tset_size(mtype, H5T_VARIABLE);
        H5Tset_cset(mtype, H5Tget_cset(ftype));
        if (H5Aread(attr, mtype, &v) < 0)
            FAIL_GOTO(ERR_IO, "cannot read attribute %s", name);
        *out = strdup(v ? v : "");
        H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, &v);
    } else {
        size_t n = H5Tget_size(ftype);
        H5Tset_size(mtype, n + 1);
        *out = calloc(n + 2, 1);
        if (*out && H5Aread(attr, mtype, *out) < 0) {
            free(*out);
            *out = NULL;
            FAIL_GOTO(ERR_IO, "cannot read attribute %s", name);
        }
    }
    if (!*out)
        FAIL_GOTO(ERR_NOMEM, "attribute %s", name);
done:
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (attr >= 0)
        H5Aclose(attr);
    return rc;
}

static int write_column(hid_t group, const char *name, const double *v, int64_t n)
{
    int rc = 0;
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5I_INVALID_HID;
    hid_t dset = H5I_INVALID_HID;
    space = H5Screate_simple(1, dims, NULL);
    if (space < 0)
        FAIL_GOTO(ERR_IO, "dataspace for %s", name);
    dset = H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (dset < 0)
        FAIL_GOTO(ERR_IO, "cannot create dataset %s", name);
    if (n > 0 && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        FAIL_GOTO(ERR_IO, "cannot write dataset %s", name);
done:
    if (dset >= 0)
        H5Dclose(dset);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

/* A method's own series (issue 19): 1-D when width is 1, else a
 * [checkpoints x width] dataset. */
static int write_series(hid_t group, const struct trace_series *ts, int64_t n)
{
    if (ts->width == 1)
        return write_column(group, ts->name, ts->v, n);
    int rc = 0;
    hsize_t dims[2] = {(hsize_t)n, (hsize_t)ts->width};
    hid_t space = H5I_INVALID_HID;
    hid_t dset = H5I_INVALID_HID;
    space = H5Screate_simple(2, dims, NULL);
    if (space < 0)
        FAIL_GOTO(ERR_IO, "dataspace for %s", ts->name);
    dset =
        H5Dcreate2(group, ts->name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (dset < 0)
        FAIL_GOTO(ERR_IO, "cannot create dataset %s", ts->name);
    if (n > 0 && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ts->v) < 0)
        FAIL_GOTO(ERR_IO, "cannot write dataset %s", ts->name);
done:
    if (dset >= 0)
        H5Dclose(dset);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

/* ---- file-level helpers -------------------------------------------------- */

/* The directory part of path ("." when none), for fsync and messages. */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* path + suffix into buf; ERR_INPUT when it does not fit. */
static int path_with(const char *path, const char *suffix, char *buf, size_t size)
{
    if ((size_t)snprintf(buf, size, "%s%s", path, suffix) >= size)
        INPUT_FAIL("--out %.200s...: path too long", path);
    return 0;
}

/* Checks that the directory of path exists and is writable.  A results
 * location that cannot hold a file is bad input (SPEC 7): one line naming
 * the path, exit status 2, not an I/O traceback. */
static int check_dir(const char *path)
{
    char dir[1100];
    struct stat st;
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        INPUT_FAIL("--out %s: %s: %s", path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        INPUT_FAIL("--out %s: %s is not a directory", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        INPUT_FAIL("--out %s: %s is not writable: %s", path, dir, strerror(errno));
    return 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        FAIL(ERR_IO, "%s: open for fsync: %s", dir, strerror(errno));
    /* some file systems cannot fsync a directory: that is no error */
    if (fsync(fd) != 0 && errno != EINVAL && errno != EBADF) {
        int e = errno;
        close(fd);
        FAIL(ERR_IO, "%s: fsync: %s", dir, strerror(e));
    }
    close(fd);
    return 0;
}

/* Reads all of path into *bytes (malloc'ed, the caller frees; NULL and 0 on
 * error). */
static int read_file(const char *path, unsigned char **bytes, size_t *size)
{
    int rc = 0;
    int fd = -1;
    unsigned char *buf = NULL;
    size_t len = 0;
    struct stat st;
    *bytes = NULL;
    *size = 0;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        FAIL_GOTO(ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        FAIL_GOTO(ERR_IO, "%s: stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        FAIL_GOTO(ERR_IO, "%s: is not a regular file", path);
    if (st.st_size <= 0)
        FAIL_GOTO(ERR_IO, "%s: empty, not an HDF5 file", path);
    buf = malloc((size_t)st.st_size);
    if (!buf)
        FAIL_GOTO(ERR_NOMEM, "%s: %lld bytes", path, (long long)st.st_size);
    while (len < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            FAIL_GOTO(ERR_IO, "%s: read: %s", path, strerror(errno));
        if (got == 0)
            FAIL_GOTO(ERR_IO, "%s: shrank while being read", path);
        len += (size_t)got;
    }
    *bytes = buf;
    *size = len;
    buf = NULL;
done:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Creates a fresh temporary beside target: "TARGET.tmp.PID.N", opened with
 * O_CREAT | O_EXCL | O_NOFOLLOW (issue 17: a planted PATH.tmp -> victim
 * must never be written through, and two writers never share a name).
 * Returns the descriptor, its name in tmp; < 0 on error (reported). */
static int tmp_create(const char *target, char *tmp, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long salt = (unsigned long)ts.tv_nsec;
    for (int attempt = 0; attempt < 100; attempt++) {
        if ((size_t)snprintf(tmp, size, "%s.tmp.%ld.%lu", target, (long)getpid(),
                             salt + (unsigned long)attempt) >= size)
            FAIL(ERR_IO, "%s: path too long for a temporary", target);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            FAIL(ERR_IO, "%s: cannot create %s: %s (%s unchanged)", target, tmp, strerror(errno),
                 target);
    }
    FAIL(ERR_IO, "%s: no free temporary name", target);
}

/* Replaces TARGET by the bytes of image, atomically (SPEC 5): written with
 * write(2) to a fresh temporary (every return checked: a full disk is
 * ENOSPC here), fsync'ed, renamed over TARGET, then the directory
 * fsync'ed.  On any error the temporary is removed and TARGET is untouched;
 * the message names TARGET. */
static int commit_image(const char *path, const unsigned char *image, size_t size)
{
    int rc = 0;
    char tmp[1200];
    char dir[1100];
    int fd = -1;
    int made = 0;
    int renamed = 0;
    fd = tmp_create(path, tmp, sizeof tmp);
    if (fd < 0)
        return fd;
    made = 1;
    for (size_t off = 0; off < size;) {
        ssize_t put = write(fd, image + off, size - off);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0) /* 0: nothing written, no errno; do not spin */
            FAIL_GOTO(ERR_IO, "%s: writing %s: %s (%s unchanged)", path, tmp,
                      strerror(put < 0 ? errno : EIO), path);
        off += (size_t)put;
    }
    if (fsync(fd) != 0)
        FAIL_GOTO(ERR_IO, "%s: fsync %s: %s (%s unchanged)", path, tmp, strerror(errno), path);
    if (close(fd) != 0) {
        fd = -1;
        FAIL_GOTO(ERR_IO, "%s: close %s: %s (%s unchanged)", path, tmp, strerror(errno), path);
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        FAIL_GOTO(ERR_IO, "%s: rename %s -> %s: %s (%s unchanged)", path, tmp, path,
                  strerror(errno), path);
    renamed = 1;
    dir_of(path, dir, sizeof dir);
    TRY_GOTO(fsync_dir(dir));
done:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && made && !renamed)
        unlink(tmp);
    return rc;
}

/* ---- the in-memory file ------------------------------------------------ */

/* The core driver's buffer, kept when HDF5 closes the file.  H5Fclose
 * leaves a complete, consistent image (superblock rewritten with its status
 * flags cleared and its checksum), exactly the bytes a sec2 close would
 * write.  (H5Fget_file_image on a file open for writing is no substitute in
 * HDF5 1.10: it zeroes the superblock status flags of its copy without
 * recomputing the v2 superblock checksum, and the result is unreadable.) */
struct mem_image {
    unsigned char *buf; /* the driver's buffer (NULL until it allocates) */
    size_t size;        /* its size: the driver's end of file, >= the EOA */
    int closed;         /* 1 once the driver has let go of buf: ours now */
};

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    struct mem_image *m = udata;
    void *p = malloc(size ? size : 1);
    if (p && op == H5FD_FILE_IMAGE_OP_FILE_OPEN) {
        m->buf = p;
        m->size = size;
    }
    return p;
}

static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op,
                          void *udata)
{
    (void)op;
    (void)udata;
    return memcpy(dest, src, size);
}

static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    struct mem_image *m = udata;
    void *p = realloc(ptr, size ? size : 1);
    if (p && op == H5FD_FILE_IMAGE_OP_FILE_RESIZE && ptr == m->buf) {
        m->buf = p;
        m->size = size;
    }
    return p;
}

static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    struct mem_image *m = udata;
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && ptr && ptr == m->buf) {
        m->closed = 1; /* the caller takes the buffer */
        return 0;
    }
    free(ptr);
    return 0;
}

/* Property lists copy the callbacks: all copies share the one record. */
static void *image_udata_copy(void *udata)
{
    return udata;
}

static herr_t image_udata_free(void *udata)
{
    (void)udata;
    return 0;
}

/* File access: the 1.8 format (readable by every h5py and h5dump in use),
 * which also stores a large `config` attribute densely; the core driver
 * without backing store, so that HDF5 works on memory only, and m receives
 * the image at close.  bytes: an existing file to open (copied), or NULL to
 * create.  H5I_INVALID_HID on error. */
static hid_t fapl_create(struct mem_image *m, const unsigned char *bytes, size_t size)
{
    H5FD_file_image_callbacks_t cb = {image_malloc,
                                      image_memcpy,
                                      image_realloc,
                                      image_free,
                                      image_udata_copy,
                                      image_udata_free,
                                      m};
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return fapl;
    /* a small increment: the image carries at most 4 KiB past its EOA */
    if (H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0 ||
        H5Pset_fapl_core(fapl, 4096, 0) < 0 || H5Pset_file_image_callbacks(fapl, &cb) < 0 ||
        (bytes && H5Pset_file_image(fapl, (void *)bytes, size) < 0)) {
        H5Pclose(fapl);
        return H5I_INVALID_HID;
    }
    return fapl;
}

/* The name under which HDF5 knows an in-memory file.  The core driver opens
 * a file image only if no file of that name exists, and with no backing
 * store never touches it otherwise: a name below the regular file PATH
 * cannot exist (ENOTDIR). */
static void image_name(const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s/in-memory", path);
}

/* Closes the in-memory file (*file is invalid afterwards, whatever
 * happened) and commits its image to PATH (commit_image). */
/* Closes the in-memory file (*file is invalid afterwards, whatever
 * happened) and commits its image to PATH (commit_image). */
static int close_and_commit(hid_t *file, struct mem_image *m, const char *path)
{
    herr_t closed = H5Fclose(*file);
    *file = H5I_INVALID_HID;
    if (closed < 0 || !m->closed || !m->buf)
        FAIL(ERR_IO, "%s: closing the in-memory HDF5 file failed (%s unchanged)", path, path);
    TRY(commit_image(path, m->buf, m->size));
    return 0;
}

/* ---- root attributes ------------------------------------------------------ */

static void cpu_model(char *buf, size_t size)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(buf, size, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ' || *colon == '\t')
                    colon++;
                colon[strcspn(colon, "\n")] = '\0';
                snprintf(buf, size, "%s", colon);
            }
            break;
        }
    }
    fclose(f);
}

static int write_root_attrs(hid_t file, const char *config_text)
{
    char created[32];
    char host[256];
    char cpu[256];
    char mpi_lib[MPI_MAX_LIBRARY_VERSION_STRING];
    char compiler[2048];
    int len = 0;
    time_t now = time(NULL);
    struct tm tm_utc;
    const char *blas = openblas_get_config();

    gmtime_r(&now, &tm_utc);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    cpu_model(cpu, sizeof cpu);
    /* MPI_Get_library_version may be called before MPI_Init (MPI 3.0, 8.1.2). */
    if (MPI_Get_library_version(mpi_lib, &len) != MPI_SUCCESS)
        snprintf(mpi_lib, sizeof mpi_lib, "unknown");
    while (len > 0 && (mpi_lib[len - 1] == '\n' || mpi_lib[len - 1] == ' '))
        mpi_lib[--len] = '\0';
#if defined(__clang__)
    snprintf(compiler, sizeof compiler, "clang %s; flags: %s", __clang_version__, dsaga_cflags);
#elif defined(__GNUC__)
    snprintf(compiler, sizeof compiler, "gcc %s; flags: %s", __VERSION__, dsaga_cflags);
#else
    snprintf(compiler, sizeof compiler, "unknown; flags: %s", dsaga_cflags);
#endif
    TRY(attr_str(file, "suite_version", DSAGA_SUITE_VERSION));
    TRY(attr_str(file, "git_commit", dsaga_git_commit));
    TRY(attr_str(file, "created", created));
    TRY(attr_str(file, "config", config_text));
    TRY(attr_str(file, "host", host));
    TRY(attr_str(file, "cpu_model", cpu));
    TRY(attr_i64(file, "cores", (int64_t)sysconf(_SC_NPROCESSORS_ONLN)));
    TRY(attr_str(file, "mpi_library", mpi_lib));
    TRY(attr_str(file, "compiler", compiler));
    TRY(attr_str(file, "blas", blas ? blas : "unknown"));
    return 0;
}

/* /algorithms/<name> for every registered method (SPEC 3.10): its summary,
 * colour, keys and the keys that tell its runs apart in a legend, so that
 * figures take names, colours and labels from the results file alone. */
static int write_algorithms(hid_t file)
{
    int rc = 0;
    hid_t top = H5Gcreate2(file, "algorithms", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5I_INVALID_HID;
    if (top < 0)
        FAIL_GOTO(ERR_IO, "cannot create /algorithms");
    for (int i = 0; algorithm_at(i); i++) {
        const algorithm *a = algorithm_at(i);
        char keys[512] = "";
        char legend[512] = "";
        size_t nk = 0;
        size_t nl = 0;
        for (int j = 0; a->params && a->params[j].name; j++) {
            const struct param_def *def = &a->params[j];
            nk += (size_t)snprintf(keys + nk, nk < sizeof keys ? sizeof keys - nk : 0, "%s%s",
                                   nk ? "," : "", def->name);
            if (def->legend)
                nl += (size_t)snprintf(legend + nl, nl < sizeof legend ? sizeof legend - nl : 0,
                                       "%s%s%s", nl ? "," : "", def->name,
                                       def->type == PARAM_PERIOD ? "_text" : "");
        }
        g = H5Gcreate2(top, a->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            FAIL_GOTO(ERR_IO, "cannot create /algorithms/%s", a->name);
        TRY_GOTO(attr_str(g, "summary", a->summary ? a->summary : ""));
        TRY_GOTO(attr_str(g, "color", a->color ? a->color : ""));
        TRY_GOTO(attr_str(g, "keys", keys));
        TRY_GOTO(attr_str(g, "legend_keys", legend));
        TRY_GOTO(attr_i64(g, "centralized", a->centralized));
        TRY_GOTO(attr_i64(g, "server_ranks", a->server_ranks)); /* SPEC 3.9 */
        TRY_GOTO(attr_i64(g, "order", i));
        H5Gclose(g);
        g = H5I_INVALID_HID;
    }
done:
    if (g >= 0)
        H5Gclose(g);
    if (top >= 0)
        H5Gclose(top);
    return rc;
}

/* The method's own keys (SPEC 3.10), as their types say: numbers as float64
 * (int64 for integers), choices as strings; a period also keeps its unit
 * and its text as written ("0.1n"). */
static int write_params(hid_t g, const struct params *p)
{
    char name[96];
    for (int i = 0; i < p->n; i++) {
        const struct param_def *def = &p->defs[i];
        const struct param_value *v = &p->v[i];
        if (H5Aexists(g, def->name) > 0)
            continue; /* a common attr says it already (step_rule) */
        switch (def->type) {
        case PARAM_INT:
            TRY(attr_i64(g, def->name, (int64_t)v->num));
            break;
        case PARAM_REAL:
            TRY(attr_f64(g, def->name, v->num));
            break;
        case PARAM_ENUM:
            TRY(attr_str(g, def->name, v->text));
            break;
        case PARAM_PERIOD:
            TRY(attr_f64(g, def->name, v->num));
            snprintf(name, sizeof name, "%s_unit", def->name);
            TRY(attr_str(g, name, v->is_fraction ? "n_k fraction" : "steps"));
            snprintf(name, sizeof name, "%s_text", def->name);
            TRY(attr_str(g, name, v->text));
            break;
        }
    }
    return 0;
}

/* Writes everything of r into the (new, empty) group g: the common attrs
 * of SPEC 5, the keys the method declares and no others, the series. */
static int write_run(hid_t g, const struct run_result *r)
{
    const struct run_cfg *c = &r->cfg;
    const struct trace *t = &r->trace;
    const algorithm *alg = algorithm_find(c->algorithm);
    /* SPEC 5: what the method really did; a method with a choice declares
     * the key step_rule */
    const char *step_rule =
        alg && alg->step_rule ? alg->step_rule : params_text(&c->params, "step_rule");

    TRY(attr_str(g, "algorithm", c->algorithm));
    TRY(attr_str(g, "dataset", c->dataset));
    TRY(attr_str(g, "loss", c->loss == LOSS_SQUARED ? "squared" : "logistic"));
    TRY(attr_f64(g, "lambda", c->lambda));
    TRY(attr_f64(g, "bias", c->bias));
    TRY(attr_i64(g, "nodes", c->nodes));
    TRY(attr_str(g, "partition", c->partition == PARTITION_LABEL ? "label" : "random"));
    /* what was asked: a given step and no scale (NaN), or the scale */
    TRY(attr_f64(g, "step_scale", c->step > 0 ? NAN : c->step_scale));
    TRY(attr_f64(g, "step_size", r->step_size));
    if (c->step > 0)
        TRY(attr_f64(g, "step_requested", c->step));
    TRY(attr_str(g, "step_rule", step_rule ? step_rule : "constant"));
    TRY(attr_u64(g, "seed", c->seed));
    TRY(attr_f64(g, "eval_every", c->eval_every));
    TRY(attr_f64(g, "max_epochs", c->max_epochs));
    TRY(attr_f64(g, "tol", c->tol));
    TRY(attr_str(g, "status", r->status ? r->status : "failed"));
    if (r->message[0] || (r->status && strcmp(r->status, "failed") == 0))
        TRY(attr_str(g, "message", r->message));
    TRY(attr_f64(g, "fstar", r->fstar));
    TRY(attr_f64(g, "rate_per_epoch", r->rate_per_epoch));
    TRY(attr_i64(g, "n_samples", r->n_samples));
    TRY(attr_i64(g, "n_features", r->n_features));
    TRY(write_params(g, &c->params));
    /* the method's closed-form counters per round (SPEC 4), read by the
     * counter tests: rounds, bytes, gradients (< 0: not fixed per round) */
    double counts[3] = {r->counts.rounds, r->counts.bytes, r->counts.grads};
    TRY(attr_vec(g, "counters_per_round", counts, 3));
    if (c->net.alpha_s >= 0) { /* network model configured (issue 10) */
        TRY(attr_f64(g, "net_alpha_s", c->net.alpha_s));
        TRY(attr_f64(g, "net_beta_s", c->net.beta_s));
        TRY(attr_f64(g, "compute_s", c->net.compute_s));
        TRY(attr_f64(g, "straggler_factor", c->net.straggler_factor));
        TRY(attr_i64(g, "straggler_nodes", c->net.straggler_nodes));
        TRY(attr_f64(g, "straggler_delay_s", c->net.straggler_delay_s));
        TRY(attr_i64(g, "straggler_sleep", c->net.straggler_sleep));
    }
    /* issue 14: the tail fit and bent (SPEC 4), the labels used (SPEC 1),
     * the predicted rate when the grid asked for it (SPEC 4.1) */
    TRY(attr_str(g, "labels", r->labels_pm1 ? "pm1" : "raw"));
    TRY(attr_f64(g, "tail_rate_per_epoch", r->tail_rate_per_epoch));
    TRY(attr_i64(g, "bent", r->bent));
    if (r->has_predicted) {
        TRY(attr_f64(g, "predicted_rate_per_epoch", r->predicted_rate_per_epoch));
        TRY(attr_f64(g, "predicted_tail_rate_per_epoch", r->predicted_tail_rate_per_epoch));
    }
    TRY(write_column(g, "epoch", t->epoch, t->n));
    TRY(write_column(g, "rounds", t->rounds, t->n));
    TRY(write_column(g, "bytes", t->bytes, t->n));
    TRY(write_column(g, "wall_s", t->wall_s, t->n));
    TRY(write_column(g, "comm_s", t->comm_s, t->n));
    TRY(write_column(g, "objective", t->objective, t->n));
    TRY(write_column(g, "subopt", t->subopt, t->n));
    TRY(write_column(g, "grad_norm", t->grad_norm, t->n));
    if (r->has_model)
        TRY(write_column(g, "model_s", t->model_s, t->n));
    for (int i = 0; i < t->n_series; i++) /* the method's own (extra_series) */
        TRY(write_series(g, &t->series[i], t->n));
    return 0;
}

/* ---- the store: one writer, per-run files, merges (SPEC 5, issue 17) ----- */

/* What the index knows of run i. */
enum { RUN_ABSENT = 0, RUN_KEEP = 1, RUN_RETRY = 2 };

#define STORE_MAX_RUNS    1000000 /* /runs/NNNNNN has six digits */
#define STORE_LOCK_WAIT_S 5.0     /* a killed launch's rank 0 may live on ~1 s */
#define STORE_MERGE_SHARE 20.0    /* merges take at most 1/20 of the time */

struct h5out_store {
    char path[1100];
    char dir_d[1110];     /* PATH.d: the pending runs */
    char lock[1110];      /* PATH.lock */
    char *config;         /* config text for a new PATH (NULL: none checked) */
    int lock_fd;          /* flock'ed for the store's life */
    int create;           /* make PATH at close even without runs */
    unsigned char *state; /* RUN_* per index */
    int *nodes;           /* the stored run's nodes, per index */
    int64_t n_merged;     /* runs in PATH */
    int64_t n_pending;    /* runs in PATH.d */
    double last_merge_s;  /* CLOCK_MONOTONIC at the end of the last merge */
    double merge_cost_s;  /* how long the last merge took */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *h5out_failure_kind(const struct run_result *r)
{
    /* A cell's own input fails the same way every time: keep it.  I/O, no
     * memory (set-up on a busy node), MPI and the rest depend on where and
     * when the cell ran: run it again (SPEC 5). */
    return r->error_code == ERR_INPUT || r->error_code == ERR_NUMERIC ? "input" : "environment";
}

/* ---- the lock ---- */

/* The holder written in PATH.lock ("host pid"), for the refusal message. */
static void lock_holder(int fd, char *buf, size_t size)
{
    char raw[300];
    ssize_t got = pread(fd, raw, sizeof raw - 1, 0);
    char host[256] = "?";
    long pid = 0;
    raw[got > 0 ? got : 0] = '\0';
    if (sscanf(raw, "%255s %ld", host, &pid) == 2)
        snprintf(buf, size, "host %s pid %ld", host, pid);
    else
        snprintf(buf, size, "host ? pid ? (the holder has not written its name yet)");
}

/* Takes PATH.lock with flock(2), which the kernel releases when the holder
 * dies, SIGKILL included.  A holder still alive after STORE_LOCK_WAIT_S
 * (the rank 0 of a killed mpirun may go on writing for about a second) is
 * bad input: one line "PATH: in use by host H pid P".  The lock file is
 * removed by its holder on release; so after locking we check that the
 * name still points to the file we locked, else try again. */
static int lock_take(struct h5out_store *s)
{
    double start = now_s();
    char holder[320] = "";
    for (;;) {
        int fd = open(s->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
            INPUT_FAIL("%s: cannot open the lock file %s: %s", s->path, s->lock, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            struct stat a;
            struct stat b;
            if (fstat(fd, &a) == 0 && lstat(s->lock, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino) {
                char me[300];
                char host[256];
                if (gethostname(host, sizeof host) != 0)
                    snprintf(host, sizeof host, "unknown");
                host[sizeof host - 1] = '\0';
                int n = snprintf(me, sizeof me, "%s %ld\n", host, (long)getpid());
                if (ftruncate(fd, 0) != 0 || pwrite(fd, me, (size_t)n, 0) != n) {
                    int e = errno;
                    close(fd);
                    FAIL(ERR_IO, "%s: writing %s: %s", s->path, s->lock, strerror(e));
                }
                s->lock_fd = fd;
                return 0;
            }
            close(fd); /* released and removed under us: take the new one */
            continue;
        }
        int e = errno;
        if (e != EWOULDBLOCK && e != EAGAIN) {
            close(fd);
            FAIL(ERR_IO, "%s: flock %s: %s", s->path, s->lock, strerror(e));
        }
        lock_holder(fd, holder, sizeof holder);
        close(fd);
        if (now_s() - start > STORE_LOCK_WAIT_S)
            INPUT_FAIL("%s: in use by %s", s->path, holder);
        struct timespec ts = {0, 50000000}; /* 50 ms */
        nanosleep(&ts, NULL);
    }
}

static void lock_release(struct h5out_store *s)
{
    if (s->lock_fd < 0)
        return;
    unlink(s->lock); /* while still held: see lock_take */
    close(s->lock_fd);
    s->lock_fd = -1;
}

/* ---- temporaries left by killed writers ---- */

/* Removes, in dir, every entry whose name is prefix followed by ".tmp..."
 * (our temporaries, and the fixed PATH.tmp of older versions) or, with an
 * empty prefix (PATH.d, which holds nothing but ours), every name holding
 * ".tmp" ("NNNNNN.h5.tmp.PID.N" of a writer killed mid-commit: left there,
 * PATH.d could never be removed at a clean finish).  Only names are
 * removed: a planted symbolic link goes, its target stays.  Called under
 * the lock, so no live writer owns them. */
static void remove_stale(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    size_t n = strlen(prefix);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        if (n ? strncmp(e->d_name + n, ".tmp", 4) != 0 : strstr(e->d_name, ".tmp") == NULL)
            continue;
        char full[2400];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        if (lstat(full, &st) == 0 && !S_ISDIR(st.st_mode))
            unlink(full);
    }
    closedir(d);
}

/* ---- reading what is stored ---- */

/* 1 when the group's stored run is to be kept, 0 when to be run again
 * (failed for a reason outside its cell, or failed in a version that did
 * not say why). */
static int run_kept(hid_t g)
{
    char *status = NULL;
    char *failure = NULL;
    int keep = 1;
    if (attr_read_str(g, "status", &status) == 0 && status && strcmp(status, "failed") == 0)
        keep =
            attr_read_str(g, "failure", &failure) == 0 && failure && strcmp(failure, "input") == 0;
    free(status);
    free(failure);
    return keep;
}

static int run_nodes(hid_t g)
{
    int64_t v = 0;
    if (H5Aexists(g, "nodes") <= 0)
        return 0;
    hid_t a = H5Aopen(g, "nodes", H5P_DEFAULT);
    if (a < 0)
        return 0;
    if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
        v = 0;
    H5Aclose(a);
    return (int)v;
}

/* "NNNNNN" -> index, -1 when the name is not six digits. */
static int64_t run_index(const char *name)
{
    int64_t v = 0;
    for (int i = 0; i < 6; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = 10 * v + (name[i] - '0');
    }
    return name[6] == '\0' ? v : -1;
}

static herr_t index_one(hid_t runs, const char *name, const H5L_info_t *info, void *udata)
{
    struct h5out_store *s = udata;
    (void)info;
    int64_t i = run_index(name);
    if (i < 0)
        return 0;
    hid_t g = H5Gopen2(runs, name, H5P_DEFAULT);
    if (g < 0)
        return -1;
    s->state[i] = run_kept(g) ? RUN_KEEP : RUN_RETRY;
    s->nodes[i] = run_nodes(g);
    s->n_merged++;
    H5Gclose(g);
    return 0;
}

/* The index of the runs in PATH (PATH.d is empty after the opening merge). */
static int store_index(struct h5out_store *s)
{
    int rc = 0;
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    s->n_merged = 0;
    if (access(s->path, F_OK) != 0)
        return 0;
    file = H5Fopen(s->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        FAIL_GOTO(ERR_IO, "%s: not a readable HDF5 file", s->path);
    runs = H5Gopen2(file, "runs", H5P_DEFAULT);
    if (runs < 0)
        FAIL_GOTO(ERR_IO, "%s: no /runs group", s->path);
    if (H5Literate(runs, H5_INDEX_NAME, H5_ITER_INC, NULL, index_one, s) < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot read /runs", s->path);
done:
    if (runs >= 0)
        H5Gclose(runs);
    if (file >= 0)
        H5Fclose(file);
    return rc;
}

/* An existing PATH must be this suite's results file of config (SPEC 5:
 * one grid per file); anything else is bad input, one line, untouched. */
static int check_existing(const struct h5out_store *s)
{
    int rc = 0;
    hid_t file = H5I_INVALID_HID;
    char *old_config = NULL;
    if (H5Fis_hdf5(s->path) <= 0)
        INPUT_FAIL("--out %s: exists and is not an HDF5 file (expected a results file of "
                   "dsaga-bench; it is left as it is)",
                   s->path);
    file = H5Fopen(s->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        INPUT_FAIL("--out %s: a corrupt HDF5 file (cannot be opened; it is left as it is)",
                   s->path);
    if (H5Lexists(file, "runs", H5P_DEFAULT) <= 0 || H5Aexists(file, "config") <= 0)
        INPUT_FAIL_GOTO("--out %s: an HDF5 file not written by dsaga-bench (no /runs group or "
                        "config attribute; it is left as it is)",
                        s->path);
    TRY_GOTO(attr_read_str(file, "config", &old_config));
    if (s->config && (!old_config || strcmp(old_config, s->config) != 0))
        INPUT_FAIL_GOTO("--out %s: results file of another configuration (its config "
                        "attribute differs); remove it or choose another file",
                        s->path);
done:
    free(old_config);
    if (file >= 0)
        H5Fclose(file);
    return rc;
}

/* ---- merging PATH.d into PATH ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The indices of PATH.d/NNNNNN.h5, ascending (malloc'ed, *n of them). */
static int pending_list(const struct h5out_store *s, int64_t **out, int64_t *n)
{
    DIR *d = opendir(s->dir_d);
    int64_t *v = NULL;
    int64_t cap = 0;
    *out = NULL;
    *n = 0;
    if (!d)
        return 0; /* no PATH.d: nothing pending */
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char name[8];
        if (strlen(e->d_name) != 9 || strcmp(e->d_name + 6, ".h5") != 0)
            continue;
        snprintf(name, sizeof name, "%.6s", e->d_name);
        int64_t i = run_index(name);
        if (i < 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            int64_t *t = realloc(v, (size_t)cap * sizeof *v);
            if (!t) {
                free(v);
                closedir(d);
                FAIL(ERR_NOMEM, "%s: list of pending runs", s->dir_d);
            }
            v = t;
        }
        v[(*n)++] = i;
    }
    closedir(d);
    if (*n > 1) /* v is NULL when nothing is pending: qsort(NULL, 0) is undefined */
        qsort(v, (size_t)*n, sizeof *v, cmp_i64);
    *out = v;
    return 0;
}

/* Opens the pending run file name (index run, "NNNNNN") into *src and
 * returns 0, or returns 1 when it is no run of this store: not a readable
 * HDF5 file, the config of another grid (s->config set), or no
 * /runs/NNNNNN group with a status; then why (size bytes) says which, as
 * "" or "REASON; ".  A run is renamed into PATH.d only whole and fsync'ed,
 * so such a file is disk damage or a foreign file, never a finished
 * result of this grid: the caller moves it aside (pending_aside) and the
 * cell counts as not done.  < 0: an error that is not the file's (it
 * cannot be opened at all, no memory); nothing is decided. */
static int pending_check(const struct h5out_store *s, hid_t src_fapl, const char *name,
                         const char *run, hid_t *src, char *why, size_t size)
{
    char from[24];
    hid_t g = H5I_INVALID_HID;
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    why[0] = '\0';
    *src = H5I_INVALID_HID;
    if (fd < 0) /* permissions, no descriptors: not the file's fault */
        FAIL(ERR_IO, "%s: pending run %s: %s", s->path, name, strerror(errno));
    close(fd);
    *src = H5Fopen(name, H5F_ACC_RDONLY, src_fapl);
    if (*src < 0)
        return 1;
    if (s->config) {
        char *cfg = NULL;
        hid_t a = H5Aexists(*src, "config") > 0 ? H5Aopen(*src, "config", H5P_DEFAULT) : -1;
        hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
        int is_str = t >= 0 && H5Tget_class(t) == H5T_STRING;
        if (t >= 0)
            H5Tclose(t);
        if (a >= 0)
            H5Aclose(a);
        int rc = is_str ? attr_read_str(*src, "config", &cfg) : 0;
        if (rc == ERR_NOMEM) {
            H5Fclose(*src);
            *src = H5I_INVALID_HID;
            return rc;
        }
        if (rc < 0)
            snprintf(why, size, "its config attribute is unreadable; ");
        else if (!cfg)
            snprintf(why, size, "no config attribute; ");
        else if (strcmp(cfg, s->config) != 0)
            snprintf(why, size, "the config of another grid; ");
        free(cfg);
        if (why[0]) {
            H5Fclose(*src);
            *src = H5I_INVALID_HID;
            return 1;
        }
    }
    snprintf(from, sizeof from, "runs/%s", run);
    int is_run = H5Lexists(*src, "runs", H5P_DEFAULT) > 0 &&
                 H5Lexists(*src, from, H5P_DEFAULT) > 0 &&
                 (g = H5Gopen2(*src, from, H5P_DEFAULT)) >= 0 && H5Aexists(g, "status") > 0;
    if (g >= 0)
        H5Gclose(g);
    if (is_run)
        return 0;
    snprintf(why, size, "no /%s group with a status; ", from);
    H5Fclose(*src);
    *src = H5I_INVALID_HID;
    return 1;
}

/* Moves the pending file name (run "NNNNNN") aside, under the name
 * PATH.d/NNNNNN.h5.corrupt.TIME.PID (fresh: one run, one process, one
 * second; nothing is overwritten or removed), which pending_list,
 * remove_stale and merges ignore; the new name in aside. */
static int pending_aside(const struct h5out_store *s, const char *name, const char *run,
                         char *aside, size_t size)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm_utc;
    struct stat st;
    gmtime_r(&now, &tm_utc);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm_utc);
    int len =
        snprintf(aside, size, "%s/%s.h5.corrupt.%s.%ld", s->dir_d, run, stamp, (long)getpid());
    if (len < 0 || (size_t)len >= size)
        FAIL(ERR_IO, "%s: path too long to move %s aside", s->path, name);
    if (lstat(aside, &st) == 0) /* under the lock: nobody else makes names in PATH.d */
        FAIL(ERR_IO, "%s: cannot move %s aside: %s exists", s->path, name, aside);
    if (rename(name, aside) != 0)
        FAIL(ERR_IO, "%s: pending run %s is unreadable and cannot be moved aside to %s: %s",
             s->path, name, aside, strerror(errno));
    return fsync_dir(s->dir_d);
}

/* Copies every pending run into PATH with one atomic replacement of PATH
 * (the in-memory image, as before issue 17), then removes the pending
 * files.  A kill between the two leaves runs both in PATH and in PATH.d:
 * the next merge skips those PATH keeps, so merging twice is harmless.  A
 * pending run replaces a stored one only when that one is to be run again
 * (RUN_RETRY). */
static int store_merge(struct h5out_store *s)
{
    int rc = 0;
    int64_t *pending = NULL;
    int64_t n = 0;
    int64_t n_aside = 0;  /* pending files moved aside (pending_check) */
    int64_t n_copied = 0; /* pending runs copied into PATH */
    char name[1200];
    struct h5_quiet q;
    hid_t fapl = H5I_INVALID_HID;
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    hid_t src = H5I_INVALID_HID;
    hid_t src_fapl = H5I_INVALID_HID;
    unsigned char *old = NULL;
    size_t old_size = 0;
    struct mem_image m = {NULL, 0, 0};
    int exists = access(s->path, F_OK) == 0;
    double t0 = now_s();

    quiet_begin(&q);
    TRY_GOTO(pending_list(s, &pending, &n));
    if (n == 0 && (exists || !s->create))
        goto done;
    if (exists) {
        TRY_GOTO(read_file(s->path, &old, &old_size));
        fapl = fapl_create(&m, old, old_size);
    } else {
        fapl = fapl_create(&m, NULL, 0);
    }
    if (fapl < 0)
        FAIL_GOTO(ERR_IO, "%s: file access properties", s->path);
    free(old); /* H5Pset_file_image copied it */
    old = NULL;
    image_name(s->path, name, sizeof name);
    if (exists) {
        file = H5Fopen(name, H5F_ACC_RDWR, fapl);
        if (file < 0)
            FAIL_GOTO(ERR_IO, "%s: not a readable HDF5 file", s->path);
        runs = H5Gopen2(file, "runs", H5P_DEFAULT);
    } else {
        file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (file < 0)
            FAIL_GOTO(ERR_IO, "%s: cannot create the HDF5 file in memory", s->path);
        TRY_GOTO(write_root_attrs(file, s->config ? s->config : ""));
        TRY_GOTO(write_algorithms(file)); /* SPEC 3.10: the method table */
        runs = H5Gcreate2(file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    }
    if (runs < 0)
        FAIL_GOTO(ERR_IO, "%s: no /runs group", s->path);
    /* a pending file is read whole into memory (core driver): one read(2)
     * instead of HDF5's many small ones */
    src_fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (src_fapl < 0 || H5Pset_fapl_core(src_fapl, 65536, 0) < 0)
        FAIL_GOTO(ERR_IO, "%s: file access properties", s->path);
    for (int64_t k = 0; k < n; k++) {
        char run[16];
        char from[24];
        snprintf(run, sizeof run, "%06lld", (long long)pending[k]);
        snprintf(from, sizeof from, "runs/%s", run);
        snprintf(name, sizeof name, "%s/%s.h5", s->dir_d, run);
        int in_path = H5Lexists(runs, run, H5P_DEFAULT) > 0;
        int keep = 0;
        if (in_path) {
            hid_t g = H5Gopen2(runs, run, H5P_DEFAULT);
            keep = g >= 0 && run_kept(g);
            if (g >= 0)
                H5Gclose(g);
        }
        char why[64];
        int bad = pending_check(s, src_fapl, name, run, &src, why, sizeof why);
        if (bad < 0)
            TRY_GOTO(bad);
        if (bad) { /* damaged or foreign: aside, and the cell is not done */
            char aside[1300];
            TRY_GOTO(pending_aside(s, name, run, aside, sizeof aside));
            fprintf(stderr, "dsaga-bench: warning: %s is not a readable run (%smoved to %s); %s\n",
                    name, why, aside,
                    keep ? "the run already merged is kept" : "the run will be redone");
            if (!keep) {
                s->state[pending[k]] = in_path ? RUN_RETRY : RUN_ABSENT;
                s->nodes[pending[k]] = 0;
            }
            pending[k] = -1; /* not ours to remove: it is no longer there */
            n_aside++;
            continue;
        }
        if (in_path) {
            if (keep) { /* merged before a kill: already in PATH */
                H5Fclose(src);
                src = H5I_INVALID_HID;
                continue;
            }
            if (H5Ldelete(runs, run, H5P_DEFAULT) < 0)
                FAIL_GOTO(ERR_IO, "%s: cannot replace /runs/%s", s->path, run);
        }
        if (H5Ocopy(src, from, runs, run, H5P_DEFAULT, H5P_DEFAULT) < 0)
            FAIL_GOTO(ERR_IO, "%s: cannot copy %s into /runs/%s", s->path, name, run);
        n_copied++;
        H5Fclose(src);
        src = H5I_INVALID_HID;
    }
    H5Gclose(runs);
    runs = H5I_INVALID_HID;
    /* nothing new (every pending file merged before, or moved aside): PATH
     * stays as it is, and is not made empty unless asked (create) */
    if (n_copied > 0 || (!exists && s->create))
        TRY_GOTO(close_and_commit(&file, &m, s->path));
    for (int64_t k = 0; k < n; k++) {
        if (pending[k] < 0)
            continue;
        snprintf(name, sizeof name, "%s/%06lld.h5", s->dir_d, (long long)pending[k]);
        unlink(name);
    }
    if (n > 0)
        TRY_GOTO(fsync_dir(s->dir_d));
    s->n_merged += s->n_pending > n_aside ? s->n_pending - n_aside : 0;
    s->n_pending = 0;
    s->last_merge_s = now_s();
    s->merge_cost_s = s->last_merge_s - t0;
done:
    free(pending);
    free(old);
    if (src >= 0)
        H5Fclose(src);
    if (src_fapl >= 0)
        H5Pclose(src_fapl);
    if (runs >= 0)
        H5Gclose(runs);
    if (file >= 0)
        H5Fclose(file);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (m.closed)
        free(m.buf);
    quiet_end(&q);
    return rc;
}

/* ---- public ------------------------------------------------------------- */

int h5out_open(const char *path, const char *config_text, int create, struct h5out_store **out)
{
    int rc = 0;
    struct h5out_store *s = NULL;
    struct stat st;
    char dir[1100];
    const char *base = NULL;
    struct h5_quiet q;

    quiet_begin(&q);
    *out = NULL;
    if (!path || !path[0])
        INPUT_FAIL_GOTO("--out: empty file name (expected a results file such as "
                        "results/run.h5)");
    s = calloc(1, sizeof *s);
    if (!s)
        FAIL_GOTO(ERR_NOMEM, "results store");
    s->lock_fd = -1;
    s->create = create;
    TRY_GOTO(path_with(path, "", s->path, sizeof s->path));
    TRY_GOTO(path_with(path, ".d", s->dir_d, sizeof s->dir_d));
    TRY_GOTO(path_with(path, ".lock", s->lock, sizeof s->lock));
    if (config_text && !(s->config = strdup(config_text)))
        FAIL_GOTO(ERR_NOMEM, "results store");
    TRY_GOTO(check_dir(path));
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            INPUT_FAIL_GOTO("--out %s: is a symbolic link (expected a regular file; give the "
                            "file it points to)",
                            path);
        if (S_ISDIR(st.st_mode))
            INPUT_FAIL_GOTO("--out %s: is a directory (expected an HDF5 results file)", path);
        if (!S_ISREG(st.st_mode))
            INPUT_FAIL_GOTO("--out %s: is not a regular file (expected an HDF5 results file)",
                            path);
    }
    s->state = calloc(STORE_MAX_RUNS, 1);
    s->nodes = calloc(STORE_MAX_RUNS, sizeof *s->nodes);
    if (!s->state || !s->nodes)
        FAIL_GOTO(ERR_NOMEM, "results index");
    TRY_GOTO(lock_take(s));
    /* Under the lock, every temporary belongs to a dead writer. */
    dir_of(path, dir, sizeof dir);
    base = strrchr(path, '/');
    remove_stale(dir, base ? base + 1 : path);
    remove_stale(s->dir_d, "");
    if (lstat(s->dir_d, &st) == 0 && !S_ISDIR(st.st_mode))
        INPUT_FAIL_GOTO("--out %s: %s is in the way (expected the directory of pending runs, or "
                        "nothing)",
                        path, s->dir_d);
    if (access(path, F_OK) == 0)
        TRY_GOTO(check_existing(s));
    TRY_GOTO(store_merge(s)); /* runs left by a killed writer */
    TRY_GOTO(store_index(s));
    s->last_merge_s = now_s();
    *out = s;
    s = NULL;
done:
    if (s) {
        lock_release(s);
        free(s->state);
        free(s->nodes);
        free(s->config);
        free(s);
    }
    quiet_end(&q);
    return rc;
}

int h5out_store_has(const struct h5out_store *s, int64_t index, int *nodes)
{
    *nodes = 0;
    if (index < 0 || index >= STORE_MAX_RUNS || s->state[index] == RUN_ABSENT)
        return 0;
    *nodes = s->nodes[index];
    return s->state[index] == RUN_KEEP;
}

int h5out_store_append(struct h5out_store *s, int64_t index, const struct run_result *r)
{
    int rc = 0;
    char name[1200];
    char file_name[1200];
    char group[32];
    struct h5_quiet q;
    hid_t fapl = H5I_INVALID_HID;
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    hid_t g = H5I_INVALID_HID;
    hid_t gcpl = H5I_INVALID_HID;
    struct mem_image m = {NULL, 0, 0};
    struct stat st;
    int failed = !r->status || strcmp(r->status, "failed") == 0;

    quiet_begin(&q);
    if (index < 0 || index >= STORE_MAX_RUNS)
        FAIL_GOTO(ERR_INTERNAL, "run index %lld outside 0..999999", (long long)index);
    if (r->trace.n > 0 && (!r->trace.epoch || !r->trace.objective))
        FAIL_GOTO(ERR_INTERNAL, "trace with %lld checkpoints has no columns",
                  (long long)r->trace.n);
    if (s->state[index] == RUN_KEEP)
        FAIL_GOTO(ERR_INTERNAL, "%s: /runs/%06lld already exists", s->path, (long long)index);
    /* The run as a small file of its own, built in memory. */
    fapl = fapl_create(&m, NULL, 0);
    if (fapl < 0)
        FAIL_GOTO(ERR_IO, "%s: file access properties", s->path);
    snprintf(name, sizeof name, "%s/in-memory", s->dir_d);
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (file < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create an HDF5 file in memory", s->path);
    if (s->config)
        TRY_GOTO(attr_str(file, "config", s->config));
    runs = H5Gcreate2(file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    snprintf(group, sizeof group, "%06lld", (long long)index);
    /* Attributes in the object header (compact), not dense storage: HDF5
     * 1.10's H5Ocopy crashes copying dense variable-length string
     * attributes (H5A__dense_post_copy_file_all), and a run has ~30. */
    gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0 || H5Pset_attr_phase_change(gcpl, 1000, 900) < 0)
        FAIL_GOTO(ERR_IO, "%s: group properties", s->path);
    g = runs >= 0 ? H5Gcreate2(runs, group, H5P_DEFAULT, gcpl, H5P_DEFAULT) : H5I_INVALID_HID;
    if (g < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create group /runs/%s", s->path, group);
    TRY_GOTO(write_run(g, r));
    if (failed) /* SPEC 5: kept, or run again when the grid restarts */
        TRY_GOTO(attr_str(g, "failure", h5out_failure_kind(r)));
    H5Gclose(g);
    g = H5I_INVALID_HID;
    H5Gclose(runs);
    runs = H5I_INVALID_HID;
    /* PATH.d, then the file: one atomic rename (SPEC 5). */
    if (mkdir(s->dir_d, 0755) == 0) {
        char dir[1100];
        dir_of(s->path, dir, sizeof dir);
        TRY_GOTO(fsync_dir(dir));
    } else if (errno != EEXIST) {
        FAIL_GOTO(ERR_IO, "%s: cannot create %s: %s", s->path, s->dir_d, strerror(errno));
    }
    if (lstat(s->dir_d, &st) != 0 || !S_ISDIR(st.st_mode))
        FAIL_GOTO(ERR_IO, "%s: %s is not a directory", s->path, s->dir_d);
    snprintf(file_name, sizeof file_name, "%s/%s.h5", s->dir_d, group);
    TRY_GOTO(close_and_commit(&file, &m, file_name));
    s->state[index] = failed && strcmp(h5out_failure_kind(r), "input") != 0 ? RUN_RETRY : RUN_KEEP;
    s->nodes[index] = r->cfg.nodes;
    s->n_pending++;
    /* Merges: when the pending runs are as many as the merged ones (all
     * merges together then copy less than about twice the final file, so
     * the cost per run does not grow with the file), or when the last merge
     * took less than 1/20 of the time since it (PATH stays current while a
     * merge is cheap next to the runs: at most 5 % of the time). */
    if (s->n_pending >= s->n_merged ||
        now_s() - s->last_merge_s >= STORE_MERGE_SHARE * s->merge_cost_s)
        TRY_GOTO(store_merge(s));
done:
    if (gcpl >= 0)
        H5Pclose(gcpl);
    if (g >= 0)
        H5Gclose(g);
    if (runs >= 0)
        H5Gclose(runs);
    if (file >= 0)
        H5Fclose(file);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (m.closed)
        free(m.buf);
    quiet_end(&q);
    return rc;
}

int h5out_close(struct h5out_store *s, int merge)
{
    int rc = 0;
    if (!s)
        return 0;
    if (merge) {
        rc = store_merge(s);
        if (rc == 0 && rmdir(s->dir_d) == 0) {
            char dir[1100];
            dir_of(s->path, dir, sizeof dir);
            rc = fsync_dir(dir);
        }
    }
    lock_release(s);
    free(s->state);
    free(s->nodes);
    free(s->config);
    free(s);
    return rc;
}

int h5out_create(const char *path, const char *config_text)
{
    struct h5out_store *s = NULL;
    TRY(h5out_open(path, config_text, 1, &s));
    TRY(h5out_close(s, 1));
    return 0;
}

int h5out_run_exists(const char *path, int64_t index, int *exists)
{
    char name[1200];
    struct h5_quiet q;
    hid_t file;
    *exists = 0;
    snprintf(name, sizeof name, "%s.d/%06lld.h5", path, (long long)index);
    if (access(name, F_OK) == 0) {
        *exists = 1;
        return 0;
    }
    if (access(path, F_OK) != 0)
        return 0;
    quiet_begin(&q);
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        quiet_end(&q);
        FAIL(ERR_IO, "%s: not a readable HDF5 file", path);
    }
    snprintf(name, sizeof name, "runs/%06lld", (long long)index);
    *exists = H5Lexists(file, "runs", H5P_DEFAULT) > 0 && H5Lexists(file, name, H5P_DEFAULT) > 0;
    H5Fclose(file);
    quiet_end(&q);
    return 0;
}

int h5out_append_run(const char *path, int64_t index, const struct run_result *r)
{
    int rc = 0;
    struct h5out_store *s = NULL;
    if (access(path, F_OK) != 0)
        FAIL(ERR_IO, "%s: results file missing (h5out_create first)", path);
    TRY(h5out_open(path, NULL, 0, &s));
    rc = h5out_store_append(s, index, r);
    int mrc = h5out_close(s, 1);
    TRY(rc);
    TRY(mrc);
    return 0;
}
