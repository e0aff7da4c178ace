/*
 * fuzz_libsvm_xz.c - libFuzzer target for the LIBSVM file reader
 * (libsvm_read: magic bytes, the streaming .xz decoder, plain reads; issue
 * 9).  The fuzz build reads and decodes in chunks of a few bytes, so every
 * input crosses many chunk boundaries.  The first input byte picks a mode;
 * the rest is the payload:
 *   0  the payload is the file itself (raw .xz seeds, or plain text);
 *   1  the payload is text, written as a valid .xz file (stored in LZMA2
 *      uncompressed chunks: an LZ encoder per execution allocates
 *      megabytes and ran ~85 executions per second);
 *   2  as 1, then truncated (bytes 1-2 pick where): must be refused;
 *   3  as 1, then one byte flipped (bytes 1-2 pick which).
 * Oracle: whenever the file's decoded text is the payload (modes 0 plain
 * and 1), the result must equal libsvm_parse of the same text in memory,
 * array for array and checksum included; any success must be a consistent
 * CSR; any failure must be ERR_INPUT.  Shard-only reading (issue 18):
 * libsvm_scan must succeed or fail as libsvm_read does and agree on labels,
 * row offsets and checksum; every part of a K = 1-3 split (partition, seed
 * and bias picked by the input) read by libsvm_read_rows must equal
 * shard_extract of the whole set with dataset_add_bias, array for array.
 */
#include <lzma.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/dataset.h"
#include "base/error.h"
#include "fuzz/csr_check.h"
#include "fuzz/fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_file_create("libsvm", "");
    return 0;
}

/* The file's result against the in-memory parser's on the same text. */
static void same(int rc_file, const struct dataset *f, int rc_mem, const struct dataset *m)
{
    if (rc_file != rc_mem)
        abort();
    if (rc_file != 0)
        return;
    size_t nz = (size_t)f->nnz;
    size_t n = (size_t)f->n_samples;
    if (f->n_samples != m->n_samples || f->n_features != m->n_features || f->nnz != m->nnz ||
        strcmp(f->checksum, m->checksum) != 0 ||
        memcmp(f->row_ptr, m->row_ptr, (n + 1) * sizeof *f->row_ptr) != 0 ||
        memcmp(f->y, m->y, n * sizeof *f->y) != 0 ||
        (nz && (memcmp(f->col_idx, m->col_idx, nz * sizeof *f->col_idx) != 0 ||
                memcmp(f->values, m->values, nz * sizeof *f->values) != 0)))
        abort();
}

/* TEXT as one .xz stream (CRC64) of one block of uncompressed LZMA2
 * chunks, into a malloc'd *out: liblzma's single-call encoders, no heap. */
static size_t xz_store(const uint8_t *text, size_t len, uint8_t **out)
{
    size_t cap = 12 + lzma_block_buffer_bound(len) + 64 + 12;
    uint8_t *z = malloc(cap);
    lzma_stream_flags flags = {.version = 0, .check = LZMA_CHECK_CRC64};
    lzma_filter filters[2] = {{.id = LZMA_FILTER_LZMA2, .options = NULL},
                              {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
    lzma_block block = {.version = 0, .check = LZMA_CHECK_CRC64, .filters = filters};
    size_t pos = 12;
    lzma_index *idx = lzma_index_init(NULL);
    if (!z || !idx || lzma_stream_header_encode(&flags, z) != LZMA_OK ||
        lzma_block_uncomp_encode(&block, text, len, z, &pos, cap) != LZMA_OK ||
        lzma_index_append(idx, NULL, lzma_block_unpadded_size(&block), block.uncompressed_size) !=
            LZMA_OK ||
        lzma_index_buffer_encode(idx, z, &pos, cap) != LZMA_OK)
        abort();
    flags.backward_size = lzma_index_size(idx);
    if (pos + 12 > cap || lzma_stream_footer_encode(&flags, z + pos) != LZMA_OK)
        abort();
    lzma_index_end(idx, NULL);
    *out = z;
    return pos + 12;
}

/* libsvm_scan and libsvm_read_rows against the whole read f (rc its rc). */
static void shard_only(int rc, struct dataset *f, uint8_t pick)
{
    struct dataset *scan = NULL;
    int64_t bad = -1;
    int rc_scan = libsvm_scan(fuzz_path, LABELS_BINARY, 0, &scan, &bad);
    if (rc_scan != rc || (rc_scan != 0) != (scan == NULL))
        abort();
    if (rc != 0)
        return;
    size_t n = (size_t)f->n_samples;
    if (scan->n_samples != f->n_samples || scan->n_features != f->n_features ||
        scan->nnz != f->nnz || scan->values || strcmp(scan->checksum, f->checksum) != 0 ||
        scan->labels_pm1 != f->labels_pm1 ||
        memcmp(scan->row_ptr, f->row_ptr, (n + 1) * sizeof *f->row_ptr) != 0 ||
        memcmp(scan->y, f->y, n * sizeof *f->y) != 0)
        abort();
    int K = 1 + pick % 3;
    enum partition how = (pick >> 2 & 1) ? PARTITION_LABEL : PARTITION_RANDOM;
    double bias = (pick >> 3 & 1) ? 0.5 : 0.0;
    int *owner = malloc(n * sizeof *owner);
    if (!owner)
        abort();
    if (dataset_add_bias(f, bias) != 0)
        abort();
    if (shard_assign(scan, K, how, pick >> 4, owner) != 0) {
        if ((int64_t)K <= f->n_samples)
            abort();
    } else {
        for (int k = 0; k < K; k++) {
            struct dataset *want = NULL;
            struct dataset *got = NULL;
            if (shard_extract(f, K, k, how, pick >> 4, &want) != 0 ||
                libsvm_read_rows(fuzz_path, scan, owner, k, bias, &got) != 0)
                abort();
            size_t m = (size_t)want->n_samples;
            size_t nz = (size_t)want->nnz;
            if (got->n_samples != want->n_samples || got->n_features != want->n_features ||
                got->nnz != want->nnz ||
                memcmp(got->row_ptr, want->row_ptr, (m + 1) * sizeof *got->row_ptr) != 0 ||
                memcmp(got->y, want->y, m * sizeof *got->y) != 0 ||
                memcmp(got->global_row, want->global_row, m * sizeof *got->global_row) != 0 ||
                (nz && (memcmp(got->col_idx, want->col_idx, nz * sizeof *got->col_idx) != 0 ||
                        memcmp(got->values, want->values, nz * sizeof *got->values) != 0)))
                abort();
            dataset_destroy(want);
            dataset_destroy(got);
        }
    }
    free(owner);
    dataset_destroy(scan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int mode = data[0] & 3;
    size_t where = (size_t)data[1] << 8 | data[2];
    const uint8_t *text = data + 3;
    size_t len = size - 3;
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    int is_xz = len >= 6 && memcmp(text, xz_magic, 6) == 0;
    if (mode == 0 && len >= 3 && memcmp(text, "BZh", 3) == 0)
        return 0; /* .bz2 forks bzip2: not for a fuzzer's loop */

    uint8_t *z = NULL;
    size_t zlen = 0;
    if (mode == 0) {
        fuzz_file_put(text, len);
    } else {
        zlen = xz_store(text, len, &z);
        if (mode == 2)
            zlen = where % zlen; /* a proper prefix */
        if (mode == 3)
            z[where % zlen] ^= (uint8_t)(1u << (data[0] >> 2 & 7));
        fuzz_file_put(z, zlen);
    }

    struct dataset *f = NULL;
    int rc = libsvm_read(fuzz_path, LABELS_BINARY, 0, &f);
    if (rc != 0 && (rc != ERR_INPUT || f))
        abort();
    if (rc == 0)
        csr_check(f);
    if (mode == 2 && rc != ERR_INPUT)
        abort(); /* a truncated file must never load */
    if (mode == 1 || (mode == 0 && !is_xz)) {
        struct dataset *m = NULL;
        int rc_mem = libsvm_parse(fuzz_path, (const char *)text, len, LABELS_BINARY, 0, &m);
        same(rc, f, rc_mem, m);
        dataset_destroy(m);
    }
    shard_only(rc, f, data[1]);
    dataset_destroy(f);
    free(z);
    return 0;
}
