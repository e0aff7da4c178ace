/*
 * dataset.h - the data of SPEC 1 in memory, and everything that produces it:
 * the LIBSVM reader (libsvm.c), data sets by name (manifest.c), built-in
 * synthetic generators (synthetic.c) and sharding over K nodes (shard.c).
 *
 * Data flows one way: a DATASET spec -> dataset_load -> struct dataset
 * (CSR) -> shard_extract -> one node's struct dataset -> algorithm.  A
 * distributed run reads only its own rows (issue 18): dataset_scan (a first
 * pass that keeps O(N): labels and row lengths) -> shard_assign ->
 * dataset_load_rows (a second pass keeping the node's rows only).
 */
#ifndef DSAGA_DATASET_H
#define DSAGA_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "base/csr.h"

enum label_mode {
    LABELS_BINARY = 0, /* exactly two label values, mapped to -1/+1 (larger = +1);
                        * one value is allowed and kept as +1 if > 0 else -1;
                        * more than two is an error */
    LABELS_RAW = 1,    /* keep the labels as read (regression) */
    LABELS_AUTO = 2    /* SPEC 1 for the squared loss: at most two label values
                        * are mapped as LABELS_BINARY, more are kept raw */
};

enum partition { PARTITION_RANDOM = 0, PARTITION_LABEL = 1 };

/* ---- datasets/dataset.c: CSR helpers ------------------------------------ */

/* Allocates an empty dataset with room for n_samples rows and nnz entries;
 * the caller fills it and owns it (dataset_destroy).  NULL on no memory. */
struct dataset *dataset_alloc(int64_t n_samples, int64_t nnz);
/* Frees everything; NULL does nothing. */
void dataset_destroy(struct dataset *ds);
/* Appends a constant feature of value `bias` as column n_features (SPEC 1,
 * liblinear's -B).  bias <= 0 leaves the data unchanged.  Reallocates in
 * place; on failure the dataset is unchanged. */
int dataset_add_bias(struct dataset *ds, double bias);
/* The rows `rows[0..n_rows-1]` (global indices, any order) as a new
 * dataset with global_row set; the caller owns *out. */
int dataset_subset(const struct dataset *ds, const int64_t *rows, int64_t n_rows,
                   struct dataset **out);

/* ---- datasets/libsvm.c: the LIBSVM text reader --------------------------- */

/* Reads a LIBSVM file, plain, .xz (liblzma) or .bz2 (`bzip2 -dc`), into CSR.  Malformed input
 * (bad number, index 0 or not increasing, missing colon, trailing garbage,
 * NaN/inf, non-numeric label, > 2 labels under LABELS_BINARY, empty file) is
 * ERR_INPUT with one line naming path:line and what was expected.
 * labels_pm1 is set when the labels were mapped to -1/+1 (LABELS_BINARY, or
 * LABELS_AUTO on a file with at most two label values).
 * n_features is the largest index seen, or min_features if larger.
 * checksum is set to the sha256 of the decompressed text.  The caller owns
 * *out; on failure *out is NULL. */
int libsvm_read(const char *path, enum label_mode labels, int64_t min_features,
                struct dataset **out);
/* The two passes of a shard-only read (issue 18).  libsvm_scan parses and
 * checks every line as libsvm_read does and maps the labels, but stores no
 * pair: *out has n_samples, n_features, nnz, y, checksum, name, and row_ptr
 * (so each row's pair count), with col_idx and values NULL.  The first row
 * whose squared norm overflows goes to *bad_norm_row (-1: none).
 * libsvm_read_rows then reads the same file again and keeps the rows i with
 * owner[i] == part only, in file order, with global_row set, the labels of
 * `scan` (mapped over the whole file), and, when bias > 0, a constant
 * column n_features of value bias appended to each row (dataset_add_bias,
 * without its copy); every array is allocated once at its exact size.  A
 * file that no longer matches the scan (rows, sha256) is ERR_IO. */
int libsvm_scan(const char *path, enum label_mode labels, int64_t min_features,
                struct dataset **out, int64_t *bad_norm_row);
int libsvm_read_rows(const char *path, const struct dataset *scan, const int *owner, int part,
                     double bias, struct dataset **out);
/* The same parser over a buffer in memory (fuzzing, tests); `name` is used
 * in messages.  The buffer need not be NUL-terminated. */
int libsvm_parse(const char *name, const char *text, size_t len, enum label_mode labels,
                 int64_t min_features, struct dataset **out);
/* strtod (C locale) with a fast exact path for plain decimals: the same
 * value and end pointer as strtod on every input (libsvm.c, issue 18). */
double libsvm_strtod(const char *s, char **end);
/* Writes ds as LIBSVM text (labels as stored, values with %.17g). */
int libsvm_write(const char *path, const struct dataset *ds);

/* ---- datasets/synthetic.c: built-in generators --------------------------- */

/* 1 if spec names a generator ("synth-sparse:..." or "synth-dense:..."). */
int synth_is_spec(const char *spec);
/* Generates the set a spec describes, deterministic from its seed:
 *   synth-sparse:n=20000,d=47000,nnz=75,seed=1[,noise=0.05]
 *       rcv1-like: power-law feature frequencies, unit-norm rows, labels
 *       from a planted separator with a fraction `noise` flipped.
 *   synth-dense:n=5000,d=100,cond=100,seed=1[,noise=0.05]
 *       Gaussian rows whose covariance has condition number `cond`, labels
 *       from a planted separator (is_dense = 1).
 * Unknown or bad parameters are ERR_INPUT naming the parameter. */
int synth_generate(const char *spec, struct dataset **out);

/* ---- datasets/manifest.c: data sets by name ------------------------------ */

/* Resolves and loads DATASET (SPEC 7): a synthetic spec, a path to a LIBSVM
 * file (plain, .xz or .bz2), or a name from the project's manifest, looked up in
 * the local cache ($DSAGA_CACHE/data, default ~/.cache/dsaga-bench/data), then in the
 * mirror directory $DSAGA_DATA_MIRROR, then downloaded from the origin.
 * The decompressed text's sha256 is checked against the manifest; a
 * mismatch is ERR_INPUT naming the file and both sums.  `labels` as in
 * libsvm_read.  The caller owns *out. */
int dataset_load(const char *spec, enum label_mode labels, struct dataset **out);
/* 1 when DATASET can be read without a download: a synthetic spec, an
 * existing path, or a manifest name whose file is in the cache or the
 * mirror; -1 when it names no data set at all (a bare word that is no
 * manifest name: a path has a slash or an extension); 0 otherwise.  Reads
 * nothing, prints nothing (grids skip optional sets by it). */
int dataset_present(const char *spec);
/* The shard-only path (issue 18).  dataset_scan resolves and checks spec
 * as dataset_load does (manifest checksum and rows, row norms) and returns
 * its scan (libsvm_scan: N labels and row offsets, no pairs).  A synthetic
 * spec is generated whole, then stripped.  dataset_load_rows returns part
 * `part` of owner[] (shard_assign on the scan) with the bias column: from
 * a file by a second reading that keeps only those rows; from a synthetic
 * spec by generating it again and cutting (peak: the whole set). */
int dataset_scan(const char *spec, enum label_mode labels, struct dataset **out);
int dataset_load_rows(const char *spec, const struct dataset *scan, const int *owner, int part,
                      double bias, struct dataset **out);
/* 1 and the manifest row's fields if `name` is in the manifest, else 0. */
struct manifest_entry {
    const char *name;
    const char *file; /* file name in the mirror, e.g. a9a.xz */
    const char *origin_url;
    const char *text_sha256;
    int64_t rows;
    int64_t features;
};
const struct manifest_entry *manifest_find(const char *name);
/* The manifest's rows, NULL-name terminated. */
const struct manifest_entry *manifest_entries(void);

/* ---- datasets/shard.c: K parts ------------------------------------------- */

/* Assigns every row to one of `nodes` parts, deterministic from seed:
 *   PARTITION_RANDOM: a seeded permutation cut into parts whose sizes differ
 *                     by at most one;
 *   PARTITION_LABEL:  rows sorted by label (stable), cut into contiguous
 *                     equal parts, so parts see one label where possible.
 * owner[i] receives the part of row i (n_samples entries, caller-allocated).
 * nodes > n_samples is ERR_INPUT. */
int shard_assign(const struct dataset *ds, int nodes, enum partition how, uint64_t seed,
                 int *owner);
/* Part k of that assignment as its own dataset: rows in increasing global
 * order (so with nodes = 1 the shard is the data set, row for row), with
 * global_row set.  The caller owns *out. */
int shard_extract(const struct dataset *ds, int nodes, int k, enum partition how, uint64_t seed,
                  struct dataset **out);
/* "random" / "label"; 0, or -1 for an unknown name. */
int partition_parse(const char *name, enum partition *out);
const char *partition_name(enum partition how);

#endif
