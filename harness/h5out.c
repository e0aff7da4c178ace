/*
 * h5out.c - results on disk in the layout of SPEC 5 (HDF5 C API, serial).
 *
 *     /              attrs: suite_version, git_commit, created, config, host,
 *                           cpu_model, cores, mpi_library, compiler, blas
 *     /runs/NNNNNN   attrs of the run (SPEC 5), 1-D float64 datasets
 *                    epoch rounds bytes wall_s comm_s objective subopt grad_norm
 *                    (+ model_s when a network model is configured)
 *
 * Strings are variable-length UTF-8 scalars (h5py reads them as str, h5dump
 * prints them).  `period` is stored as its number with `period_unit`
 * "steps" or "n_k fraction", plus `period_text` ("100", "0.5n").
 *
 * Crash safety (SPEC 5, STYLE 9): PATH itself is never modified.  Every
 * change is made to an in-memory image of the file (HDF5 core driver, no
 * backing store): the existing bytes are read, a run is written under a
 * temporary group name and H5Lmove'd to /runs/NNNNNN, and the file is
 * closed, its image kept (file image callbacks).  Only then are the bytes
 * written with write(2) to PATH.tmp, fsync'ed and renamed over PATH, and the
 * directory is fsync'ed.
 * rename(2) is atomic, so a reader or a restart after SIGKILL sees PATH with
 * or without the whole run.  HDF5 never writes to disk, so a full disk is a
 * failed write(2) we report (PATH.tmp is removed, PATH untouched), never an
 * HDF5 file left half-closed (which crashed the library at exit).  A stale
 * PATH.tmp left by a killed writer is simply overwritten (O_TRUNC).
 * Only one process (rank 0 of the launch) writes a given PATH.
 */
#include "harness/h5out.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int attr_num(hid_t obj, const char *name, hid_t mem_type, hid_t file_type, const void *value)
{
    int rc = 0;
    hid_t space = H5I_INVALID_HID;
    hid_t attr = H5I_INVALID_HID;
    space = H5Screate(H5S_SCALAR);
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
    return attr_num(obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &v);
}

static int attr_i64(hid_t obj, const char *name, int64_t v)
{
    return attr_num(obj, name, H5T_NATIVE_INT64, H5T_STD_I64LE, &v);
}

static int attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return attr_num(obj, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, &v);
}

/* A 1-D float64 attribute of n values. */
static int attr_vec(hid_t obj, const char *name, const double *v, hsize_t n)
{
    int rc = 0;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t attr = H5I_INVALID_HID;
    if (space < 0)
        FAIL_GOTO(ERR_IO, "dataspace for attribute %s", name);
    attr = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, H5T_NATIVE_DOUBLE, v) < 0)
        FAIL_GOTO(ERR_IO, "cannot write attribute %s", name);
done:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    return rc;
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

static int tmp_name(const char *path, char *buf, size_t size)
{
    if ((size_t)snprintf(buf, size, "%s.tmp", path) >= size)
        INPUT_FAIL("%s: path too long", path);
    return 0;
}

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
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
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
    fd = open(path, O_RDONLY);
    if (fd < 0)
        FAIL_GOTO(ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        FAIL_GOTO(ERR_IO, "%s: stat: %s", path, strerror(errno));
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

/* Replaces PATH by the bytes of image, atomically (SPEC 5): written with
 * write(2) to PATH.tmp (every return checked: a full disk is ENOSPC here),
 * fsync'ed, renamed over PATH, then the directory fsync'ed.  On any error
 * PATH.tmp is removed and PATH is untouched; the message names PATH. */
static int commit_image(const char *path, const unsigned char *image, size_t size)
{
    int rc = 0;
    char tmp[1100];
    char dir[1100];
    int fd = -1;
    int renamed = 0;
    TRY(tmp_name(path, tmp, sizeof tmp));
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create %s: %s (%s unchanged)", path, tmp, strerror(errno),
                  path);
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
    if (rc < 0 && !renamed)
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

/* ---- public ------------------------------------------------------------- */

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

int h5out_create(const char *path, const char *config_text)
{
    int rc = 0;
    char name[1120];
    struct h5_quiet q;
    hid_t fapl = H5I_INVALID_HID;
    hid_t file = H5I_INVALID_HID;
    hid_t runs = H5I_INVALID_HID;
    char *old_config = NULL;
    struct mem_image m = {NULL, 0, 0};

    quiet_begin(&q);
    if (access(path, F_OK) == 0) {
        /* An existing file must belong to the same grid (resume). */
        file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file < 0)
            FAIL_GOTO(ERR_IO, "%s: exists but is not a readable HDF5 file", path);
        TRY_GOTO(attr_read_str(file, "config", &old_config));
        if (!old_config || strcmp(old_config, config_text ? config_text : "") != 0)
            INPUT_FAIL_GOTO("%s: results file belongs to another configuration (its "
                            "config attribute differs); remove it or use --out",
                            path);
        goto done;
    }
    TRY_GOTO(check_dir(path));
    /* In memory first, then one atomic commit (SPEC 5).  PATH does not
     * exist and the core driver creates without backing store: the name
     * is never opened. */
    fapl = fapl_create(&m, NULL, 0);
    if (fapl < 0)
        FAIL_GOTO(ERR_IO, "%s: file access properties", path);
    image_name(path, name, sizeof name);
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (file < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create the HDF5 file in memory", path);
    TRY_GOTO(write_root_attrs(file, config_text));
    runs = H5Gcreate2(file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (runs < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create /runs", path);
    H5Gclose(runs);
    runs = H5I_INVALID_HID;
    TRY_GOTO(write_algorithms(file));
    TRY_GOTO(close_and_commit(&file, &m, path));
done:
    free(old_config);
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

int h5out_run_exists(const char *path, int64_t index, int *exists)
{
    char name[32];
    struct h5_quiet q;
    hid_t file;
    *exists = 0;
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

int h5out_append_run(const char *path, int64_t index, const struct run_result *r)
{
    int rc = 0;
    char name[1120];
    char final_name[32];
    char partial_name[40];
    struct h5_quiet q;
    hid_t fapl = H5I_INVALID_HID;
    hid_t file = H5I_INVALID_HID;
    hid_t g = H5I_INVALID_HID;
    unsigned char *old = NULL;
    size_t old_size = 0;
    struct mem_image m = {NULL, 0, 0};

    quiet_begin(&q);
    if (index < 0 || index > 999999)
        FAIL_GOTO(ERR_INTERNAL, "run index %lld outside 0..999999", (long long)index);
    if (r->trace.n > 0 && (!r->trace.epoch || !r->trace.objective))
        FAIL_GOTO(ERR_INTERNAL, "trace with %lld checkpoints has no columns",
                  (long long)r->trace.n);
    if (access(path, F_OK) != 0)
        FAIL_GOTO(ERR_IO, "%s: results file missing (h5out_create first)", path);
    TRY_GOTO(check_dir(path));
    /* The whole file in memory: PATH is only read, never written. */
    TRY_GOTO(read_file(path, &old, &old_size));
    fapl = fapl_create(&m, old, old_size);
    if (fapl < 0)
        FAIL_GOTO(ERR_IO, "%s: file access properties", path);
    free(old); /* H5Pset_file_image copied it */
    old = NULL;
    image_name(path, name, sizeof name);
    file = H5Fopen(name, H5F_ACC_RDWR, fapl);
    if (file < 0)
        FAIL_GOTO(ERR_IO, "%s: not a readable HDF5 file", path);
    snprintf(final_name, sizeof final_name, "runs/%06lld", (long long)index);
    snprintf(partial_name, sizeof partial_name, "partial_%06lld", (long long)index);
    if (H5Lexists(file, "runs", H5P_DEFAULT) <= 0)
        FAIL_GOTO(ERR_IO, "%s: no /runs group", path);
    if (H5Lexists(file, final_name, H5P_DEFAULT) > 0)
        FAIL_GOTO(ERR_INTERNAL, "%s: /%s already exists", path, final_name);
    /* SPEC 5 / STYLE 9: under a temporary name, then one link move. */
    g = H5Gcreate2(file, partial_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot create group %s", path, partial_name);
    TRY_GOTO(write_run(g, r));
    H5Gclose(g);
    g = H5I_INVALID_HID;
    if (H5Lmove(file, partial_name, file, final_name, H5P_DEFAULT, H5P_DEFAULT) < 0)
        FAIL_GOTO(ERR_IO, "%s: cannot move %s to /%s", path, partial_name, final_name);
    TRY_GOTO(close_and_commit(&file, &m, path));
done:
    free(old);
    if (g >= 0)
        H5Gclose(g);
    if (file >= 0)
        H5Fclose(file);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (m.closed)
        free(m.buf);
    quiet_end(&q);
    return rc;
}
