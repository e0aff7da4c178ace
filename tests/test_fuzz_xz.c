/*
 * test_fuzz_xz.c - issue 9: the .xz path of the LIBSVM file reader.  This
 * file includes the libFuzzer target fuzz/fuzz_libsvm_xz.c, so the seeds
 * and every crash the fuzzer ever kept (fuzz/regressions/libsvm_xz/) are
 * replayed through the very code and oracle the fuzzer ran, and checks the
 * target's .xz writer and the reader against each other exhaustively on
 * one seed: the stored stream loads equal to the text parsed in memory,
 * every proper prefix of it is refused, and so is every one-bit flip.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>

#include "../fuzz/fuzz_libsvm_xz.c"

static char root[4096]; /* the repository root, from this file's path */

static void setup(void)
{
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    snprintf(root, sizeof root, "%.*s/..", slash ? (int)(slash - file) : 1, slash ? file : ".");
    cr_assert_eq(LLVMFuzzerInitialize(NULL, NULL), 0);
    /* each refused input prints its one "dsaga-bench: " line */
    cr_assert_not_null(freopen("/dev/null", "w", stderr));
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Runs every regular file of root/sub through the fuzz target; returns how
 * many (a missing folder has none). */
static int replay(const char *sub)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, sub);
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    int count = 0;
    for (int i = 0; i < n; i++) {
        char path[8400];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
        if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t len = 0;
            uint8_t *data = read_all(path, &len);
            cr_log_info("libsvm_xz: %s (%zu bytes)", path, len);
            LLVMFuzzerTestOneInput(data, len); /* aborts on a wrong result */
            free(data);
            count++;
        }
        free(ents[i]);
    }
    free(ents);
    return count;
}

Test(fuzz_xz, seeds_and_kept_crashes_replay_clean, .init = setup, .timeout = 120)
{
    cr_assert_geq(replay("fuzz/corpus/libsvm_xz"), 10, "the committed seeds are missing");
    replay("fuzz/regressions/libsvm_xz");
}

static const char text[] = "+1 3:1 11:0.5 14:1\n-1 5:1 7:2.5e-3\n+1 1:1 123:1\n";

static int load(const uint8_t *z, size_t zlen, struct dataset **ds)
{
    put_file(z, zlen);
    *ds = NULL;
    return libsvm_read(fuzz_path, LABELS_BINARY, 0, ds);
}

Test(fuzz_xz, stored_stream_loads_as_the_text, .init = setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)text, strlen(text), &z);
    struct dataset *f = NULL;
    struct dataset *m = NULL;
    cr_assert_eq(load(z, zlen, &f), 0);
    cr_assert_eq(libsvm_parse("mem", text, strlen(text), LABELS_BINARY, 0, &m), 0);
    cr_assert_eq(f->n_samples, 3);
    cr_assert_eq(f->n_features, 123);
    cr_assert_eq(f->nnz, 7);
    same(0, f, 0, m); /* aborts unless arrays and checksum agree */
    dataset_destroy(f);
    dataset_destroy(m);
    free(z);
}

Test(fuzz_xz, every_proper_prefix_is_refused, .init = setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)text, strlen(text), &z);
    for (size_t cut = 0; cut < zlen; cut++) {
        struct dataset *ds = NULL;
        int rc = load(z, cut, &ds);
        cr_assert_eq(rc, ERR_INPUT, "prefix of %zu of %zu bytes: rc %d", cut, zlen, rc);
        cr_assert_null(ds);
    }
    free(z);
}

/* CRC32 guards the headers, index and footer, CRC64 the text: no single
 * bit flip anywhere may load. */
Test(fuzz_xz, every_bit_flip_is_refused, .init = setup)
{
    uint8_t *z = NULL;
    size_t zlen = xz_store((const uint8_t *)text, strlen(text), &z);
    for (size_t at = 0; at < zlen; at++)
        for (int bit = 0; bit < 8; bit++) {
            z[at] ^= (uint8_t)(1u << bit);
            struct dataset *ds = NULL;
            int rc = load(z, zlen, &ds);
            cr_assert_eq(rc, ERR_INPUT, "bit %d of byte %zu of %zu: rc %d", bit, at, zlen, rc);
            cr_assert_null(ds);
            z[at] ^= (uint8_t)(1u << bit);
        }
    free(z);
}
