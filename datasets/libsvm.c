/*
 * libsvm.c - the LIBSVM text reader and writer (SPEC 1: the data; SPEC 7:
 * bad input names path:line).
 *
 * One streaming parser serves every source: plain files, .xz files (liblzma
 * stream decoder), .bz2 files (through `bzip2 -dc`, as the LIBSVM origin
 * ships them) and buffers in memory.  Bytes arrive in chunks into one
 * working buffer; each complete line is parsed in place and the rest moved
 * to the front, so the decompressed text is never held in memory whole.
 * The SHA-256 of the decompressed text is taken on the way (ds->checksum).
 *
 * Grammar of a line (liblinear's read_problem, made strict):
 *   [blanks] label ( blanks index:value )* [blanks] [\r]
 * with blanks = spaces or tabs, index a decimal integer in
 * 1..LIBSVM_MAX_INDEX strictly increasing along the line, label and value
 * finite decimal numbers in the C locale (no hexadecimal, inf or nan).  A
 * line with a label and no pairs is a row of zeros (w8a has 4203 of them),
 * but a file with no pair at all is refused.  Anything else is ERR_INPUT
 * with one line naming path:line and what was expected: no line is ever
 * skipped.
 */
#include "datasets/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <lzma.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"

/* Read / decode granularity.  The fuzz build (fuzz/run.sh) makes it a few
 * bytes, so that lines, tokens and .xz blocks straddle chunk boundaries in
 * inputs of fuzzer size. */
#ifndef LIBSVM_CHUNK_BYTES
#define LIBSVM_CHUNK_BYTES (1 << 20)
#endif
enum { CHUNK_BYTES = LIBSVM_CHUNK_BYTES };

/* The longest line accepted, in bytes (issue 17: a file without newlines,
 * such as 10 GB of NULs in an .xz, grew one buffer until memory ran out).
 * The widest LIBSVM set in use (rcv1, real-sim) has lines below 100 KB; a
 * dense row of 500 000 features fits. */
#ifndef LIBSVM_MAX_LINE
#define LIBSVM_MAX_LINE (16 << 20)
#endif

/* The largest feature index accepted.  Every method keeps vectors of d
 * doubles (w, gradients, tables), so an index of 2e9 passed the reader and
 * made f* run out of memory with an internal trace; 2^28 features are 2 GiB
 * a vector, far above the widest LIBSVM sets (kdd2012: 5.4e7, url: 3.2e6,
 * rcv1/news20: 1.4e6). */
#define LIBSVM_MAX_INDEX (1 << 28)

struct parser {
    const char *name;       /* path or buffer name, for messages */
    enum label_mode labels; /* binary mapping or raw */
    int64_t line_no;        /* 1-based number of the line being parsed */
    int64_t n_rows;         /* rows parsed so far */
    int64_t rows_cap;       /* capacity of row_ptr (minus one) and y */
    int64_t nnz;            /* pairs parsed so far */
    int64_t nnz_cap;        /* capacity of col_idx and values */
    int64_t *row_ptr;       /* n_rows + 1 offsets */
    int32_t *col_idx;       /* 0-based indices */
    double *values;         /* stored values */
    double *y;              /* labels as read */
    int64_t max_index;      /* largest 1-based index seen */
    double label_seen[2];   /* the distinct labels met (binary, auto mode) */
    int n_labels;           /* how many of label_seen are set; 3 in auto
                             * mode once a third value was met */
    EVP_MD_CTX *sha;        /* running SHA-256 of the text */
    char *buf;              /* working buffer: pending bytes of a line */
    size_t len;             /* bytes in buf */
    size_t cap;             /* size of buf */
    int64_t total_bytes;    /* bytes of text seen */
    /* Shard-only reading (issue 18), two passes over one file: */
    int scan;                   /* pass 1: pairs checked and counted, not stored */
    int64_t bad_norm_row;       /* pass 1: first row whose squared norm overflows, or -1 */
    const struct dataset *plan; /* pass 2: the scan of the file, or NULL */
    const int *owner;           /* pass 2: each file row's part */
    int part;                   /* pass 2: the part kept */
    double bias;                /* pass 2: > 0 appends column plan->n_features */
    int64_t file_row;           /* pass 2: rows seen, kept or not */
    int64_t *global_row;        /* pass 2: each kept row's file row */
};

/* Writes at most 40 bytes of [s, s+n) into out as a printable token. */
static void quote_token(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    size_t limit = n < 40 ? n : 40;
    for (size_t i = 0; i < limit && k + 5 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"')
            out[k++] = (char)c;
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", c);
    }
    if (n > limit && k + 4 < size) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Room for one more row; ERR_NOMEM if none. */
static int parser_grow_rows(struct parser *p)
{
    if (p->n_rows < p->rows_cap)
        return 0;
    if (p->plan)
        FAIL(ERR_IO, "%s: more rows than when first read (the file changed while being read)",
             p->name);
    int64_t cap = p->rows_cap ? 2 * p->rows_cap : 256;
    int64_t *rp = realloc(p->row_ptr, (size_t)(cap + 1) * sizeof *rp);
    if (!rp)
        FAIL(ERR_NOMEM, "%lld rows of %s", (long long)cap, p->name);
    p->row_ptr = rp;
    double *y = realloc(p->y, (size_t)cap * sizeof *y);
    if (!y)
        FAIL(ERR_NOMEM, "%lld labels of %s", (long long)cap, p->name);
    p->y = y;
    p->rows_cap = cap;
    return 0;
}

static int parser_grow_nnz(struct parser *p)
{
    if (p->nnz < p->nnz_cap)
        return 0;
    if (p->plan)
        FAIL(ERR_IO, "%s: more pairs than when first read (the file changed while being read)",
             p->name);
    int64_t cap = p->nnz_cap ? 2 * p->nnz_cap : 1024;
    int32_t *c = realloc(p->col_idx, (size_t)cap * sizeof *c);
    if (!c)
        FAIL(ERR_NOMEM, "%lld entries of %s", (long long)cap, p->name);
    p->col_idx = c;
    double *v = realloc(p->values, (size_t)cap * sizeof *v);
    if (!v)
        FAIL(ERR_NOMEM, "%lld entries of %s", (long long)cap, p->name);
    p->values = v;
    p->nnz_cap = cap;
    return 0;
}

/* Binary mode: remembers the label, ERR_INPUT on a third distinct value.
 * Auto mode: a third value marks the file as regression (n_labels = 3). */
static int parser_note_label(struct parser *p, double label)
{
    if (p->n_labels > 2)
        return 0;
    for (int k = 0; k < p->n_labels; k++)
        if (p->label_seen[k] == label)
            return 0;
    if (p->n_labels == 2 && p->labels == LABELS_AUTO) {
        p->n_labels = 3;
        return 0;
    }
    if (p->n_labels == 2)
        INPUT_FAIL("%s:%lld: expected at most two label values for binary "
                   "classification, got a third: %.17g (already seen %.17g and %.17g)",
                   p->name, (long long)p->line_no, label, p->label_seen[0], p->label_seen[1]);
    p->label_seen[p->n_labels++] = label;
    return 0;
}

/* Parses one line [s, s+n) whose byte s[n] is writable and set to NUL. */
/* strtod's result and end pointer, faster on the numbers LIBSVM files hold
 * (issue 18: strtod was half of `info`).  Clinger's fast path (Clinger,
 * "How to read floating point numbers accurately", PLDI 1990): a decimal
 * [sign] digits [. digits] [e [sign] digits] whose significand m has at most
 * 19 significant digits with m <= 2^53, and whose decimal exponent e has
 * |e| <= 22, is m * 10^e or m / 10^-e, where m and 10^|e| are exact doubles,
 * so the one IEEE operation rounds correctly, as strtod does.  Everything
 * else (more digits, larger exponents, hex, inf, nan, leading blanks, a
 * dangling exponent marker) goes to strtod itself, so the results are
 * strtod's on every input (tests/test_libsvm.c compares them on random
 * strings). */
double libsvm_strtod(const char *s, char **end)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *c = s;
    int neg = 0;
    if (*c == '-' || *c == '+')
        neg = *c++ == '-';
    uint64_t m = 0;   /* significand, significant digits only */
    int n_sig = 0;    /* significant digits in m */
    int n_digits = 0; /* all digits seen */
    int exp10 = 0;    /* value = m * 10^exp10 */
    while (*c >= '0' && *c <= '9') {
        if (m || *c != '0') {
            if (++n_sig > 19)
                return strtod(s, end);
            m = m * 10 + (uint64_t)(*c - '0');
        }
        n_digits++;
        c++;
    }
    if ((*c == 'x' || *c == 'X') && n_digits == 1 && c[-1] == '0')
        return strtod(s, end); /* hexadecimal */
    if (*c == '.') {
        c++;
        while (*c >= '0' && *c <= '9') {
            if (m || *c != '0') {
                if (++n_sig > 19)
                    return strtod(s, end);
                m = m * 10 + (uint64_t)(*c - '0');
            }
            exp10--;
            n_digits++;
            c++;
        }
    }
    if (n_digits == 0)
        return strtod(s, end); /* inf, nan, ".", blanks, garbage: strtod decides */
    if (*c == 'e' || *c == 'E') {
        const char *e = c + 1;
        int eneg = 0;
        if (*e == '-' || *e == '+')
            eneg = *e++ == '-';
        if (*e < '0' || *e > '9')
            return strtod(s, end); /* "1e", "1e+": strtod stops before the e */
        int ev = 0;
        while (*e >= '0' && *e <= '9') {
            if (ev > 1000)
                return strtod(s, end);
            ev = ev * 10 + (*e - '0');
            e++;
        }
        exp10 += eneg ? -ev : ev;
        c = e;
    }
    if (m > (UINT64_C(1) << 53) || exp10 < -22 || exp10 > 22)
        return strtod(s, end);
    double v = (double)m;
    v = exp10 < 0 ? v / pow10[-exp10] : v * pow10[exp10];
    *end = (char *)c;
    return neg ? -v : v;
}

/* strtod also reads hexadecimal ("0x10" is 16) and skips leading \v and
 * \f; LIBSVM numbers are decimal.  For a token strtod read whole and found
 * finite: NULL when it is written as [sign] digits or ".", else what it is. */
static const char *not_decimal(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return "hexadecimal ";
    if ((*s >= '0' && *s <= '9') || *s == '.')
        return NULL;
    return "";
}

static int parser_line(struct parser *p, char *s, size_t n)
{
    char tok[200];
    const char *name = p->name;
    long long ln = (long long)p->line_no;
    if (memchr(s, '\0', n))
        INPUT_FAIL("%s:%lld: expected LIBSVM text, got a NUL byte", name, ln);
    if (p->plan) {
        /* pass 2: a row of another part is skipped unread (pass 1 checked
         * it; the checksum at the end proves the text is the same) */
        int64_t row = p->file_row++;
        if (row >= p->plan->n_samples)
            FAIL(ERR_IO, "%s: more rows than when first read (the file changed while being read)",
                 name);
        if (p->owner[row] != p->part)
            return 0;
    }
    char *end = s + n;
    while (end > s && is_blank(end[-1]))
        end--;
    *end = '\0';
    char *q = s;
    while (q < end && is_blank(*q))
        q++;
    if (q == end)
        INPUT_FAIL("%s:%lld: expected a line \"label index:value ...\", got an empty line", name,
                   ln);

    /* the label */
    char *tok_end = q;
    while (tok_end < end && !is_blank(*tok_end))
        tok_end++;
    char *num_end = NULL;
    double label = libsvm_strtod(q, &num_end);
    if (num_end != tok_end) {
        quote_token(q, (size_t)(tok_end - q), tok, sizeof tok);
        INPUT_FAIL("%s:%lld: expected a numeric label at the start of the line, got \"%s\"", name,
                   ln, tok);
    }
    if (!isfinite(label)) {
        quote_token(q, (size_t)(tok_end - q), tok, sizeof tok);
        INPUT_FAIL("%s:%lld: expected a finite label, got \"%s\"", name, ln, tok);
    }
    const char *what = not_decimal(q);
    if (what) {
        quote_token(q, (size_t)(tok_end - q), tok, sizeof tok);
        INPUT_FAIL("%s:%lld: expected a decimal label, got %s\"%s\"", name, ln, what, tok);
    }
    if (p->labels != LABELS_RAW && !p->plan)
        TRY(parser_note_label(p, label));
    TRY(parser_grow_rows(p));
    if (p->plan) { /* the label as mapped over the whole file */
        p->y[p->n_rows] = p->plan->y[p->file_row - 1];
        p->global_row[p->n_rows] = p->file_row - 1;
    } else {
        p->y[p->n_rows] = label;
    }
    double norm2 = 0.0; /* pass 1: the row's squared norm */

    /* the index:value pairs */
    int64_t prev = 0;
    q = tok_end;
    for (;;) {
        while (q < end && is_blank(*q))
            q++;
        if (q == end)
            break;
        tok_end = q;
        while (tok_end < end && !is_blank(*tok_end))
            tok_end++;
        size_t tok_len = (size_t)(tok_end - q);
        char *colon = memchr(q, ':', tok_len);
        if (!colon) {
            quote_token(q, tok_len, tok, sizeof tok);
            INPUT_FAIL("%s:%lld: expected \"index:value\" after the label, got \"%s\"", name, ln,
                       tok);
        }
        int64_t index = 0;
        int ok = colon > q;
        for (char *c = q; c < colon && ok; c++) {
            if (*c < '0' || *c > '9')
                ok = 0;
            else if ((index = index * 10 + (*c - '0')) > LIBSVM_MAX_INDEX) {
                for (char *d = c + 1; d < colon; d++)
                    ok &= *d >= '0' && *d <= '9';
                if (!ok) /* not a number at all: said below */
                    break;
                quote_token(q, (size_t)(colon - q), tok, sizeof tok);
                INPUT_FAIL("%s:%lld: feature index %s exceeds the %d this tool can hold (d "
                           "doubles per vector; expected an index at most %d)",
                           name, ln, tok, LIBSVM_MAX_INDEX, LIBSVM_MAX_INDEX);
            }
        }
        if (!ok || index < 1) {
            quote_token(q, tok_len, tok, sizeof tok);
            INPUT_FAIL("%s:%lld: expected a positive integer index in \"index:value\", got "
                       "\"%s\"",
                       name, ln, tok);
        }
        if (index <= prev)
            INPUT_FAIL("%s:%lld: expected indices in increasing order, got %lld after %lld", name,
                       ln, (long long)index, (long long)prev);
        /* colon + 1 is not blank (tokens end at blanks), so nothing is skipped */
        double value = libsvm_strtod(colon + 1, &num_end);
        if (colon + 1 == tok_end || num_end != tok_end) {
            quote_token(q, tok_len, tok, sizeof tok);
            INPUT_FAIL("%s:%lld: expected a number after \"%lld:\", got \"%s\"", name, ln,
                       (long long)index, tok);
        }
        if (!isfinite(value)) {
            quote_token(q, tok_len, tok, sizeof tok);
            INPUT_FAIL("%s:%lld: expected a finite value, got \"%s\"", name, ln, tok);
        }
        if ((what = not_decimal(colon + 1))) {
            quote_token(q, tok_len, tok, sizeof tok);
            INPUT_FAIL("%s:%lld: expected a decimal value after \"%lld:\", got %s\"%s\"", name, ln,
                       (long long)index, what, tok);
        }
        if (p->scan) {
            norm2 += value * value;
        } else {
            TRY(parser_grow_nnz(p));
            p->col_idx[p->nnz] = (int32_t)(index - 1);
            p->values[p->nnz] = value;
        }
        p->nnz++;
        prev = index;
        q = tok_end;
    }
    if (p->scan && !isfinite(norm2) && p->bad_norm_row < 0)
        p->bad_norm_row = p->n_rows;
    if (p->plan && p->bias > 0) { /* dataset_add_bias's column, without its copy */
        TRY(parser_grow_nnz(p));
        p->col_idx[p->nnz] = (int32_t)p->plan->n_features;
        p->values[p->nnz] = p->bias;
        p->nnz++;
    }
    if (prev > p->max_index)
        p->max_index = prev;
    p->n_rows++;
    p->row_ptr[p->n_rows] = p->nnz;
    return 0;
}

/* Free space of at least `want` bytes at buf + len. */
static int parser_reserve(struct parser *p, size_t want)
{
    if (p->cap - p->len >= want)
        return 0;
    size_t cap = p->cap ? p->cap : 4096;
    while (cap - p->len < want)
        cap *= 2;
    char *b = realloc(p->buf, cap);
    if (!b)
        FAIL(ERR_NOMEM, "line buffer of %zu bytes for %s", cap, p->name);
    p->buf = b;
    p->cap = cap;
    return 0;
}

/* Takes the n bytes just written at buf + len: hashes them and parses
 * every complete line. */
static int parser_commit(struct parser *p, size_t n)
{
    if (n == 0)
        return 0;
    if (EVP_DigestUpdate(p->sha, p->buf + p->len, n) != 1)
        FAIL(ERR_INTERNAL, "SHA-256 update");
    size_t scan = p->len; /* bytes before it hold no newline */
    /* A NUL is reported at once, with its line (issue 17): binary input
     * would otherwise be read to its end, or to the line cap. */
    const char *nul = memchr(p->buf + p->len, '\0', n);
    if (nul) {
        int64_t ln = p->line_no + 1;
        for (const char *c = p->buf; c < nul; c++)
            ln += *c == '\n';
        INPUT_FAIL("%s:%lld: expected LIBSVM text, got a NUL byte", p->name, (long long)ln);
    }
    p->len += n;
    p->total_bytes += (int64_t)n;
    size_t start = 0;
    char *nl;
    while ((nl = memchr(p->buf + scan, '\n', p->len - scan))) {
        size_t at = (size_t)(nl - p->buf);
        p->line_no++;
        *nl = '\0';
        TRY(parser_line(p, p->buf + start, at - start));
        start = at + 1;
        scan = start;
    }
    if (start > 0) {
        memmove(p->buf, p->buf + start, p->len - start);
        p->len -= start;
    }
    if (p->len > LIBSVM_MAX_LINE)
        INPUT_FAIL("%s:%lld: line longer than %d bytes (expected LIBSVM text, one row per line)",
                   p->name, (long long)p->line_no + 1, LIBSVM_MAX_LINE);
    return 0;
}

/* Copies n bytes of text in (buffers, fuzzing). */
static int parser_feed(struct parser *p, const char *text, size_t n)
{
    while (n > 0) {
        size_t part = n < CHUNK_BYTES ? n : CHUNK_BYTES;
        TRY(parser_reserve(p, part + 1)); /* + 1: room for the last line's NUL */
        memcpy(p->buf + p->len, text, part);
        TRY(parser_commit(p, part));
        text += part;
        n -= part;
    }
    return 0;
}

/* The last line (no final newline) and the end-of-text checks. */
static int parser_finish(struct parser *p)
{
    if (p->len > 0) {
        TRY(parser_reserve(p, 1));
        p->line_no++;
        p->buf[p->len] = '\0';
        TRY(parser_line(p, p->buf, p->len));
        p->len = 0;
    }
    if ((p->plan ? p->file_row : p->n_rows) == 0)
        INPUT_FAIL("%s:1: expected a line \"label index:value ...\", got an empty file", p->name);
    /* rows of labels only: d = 0, which fstar and the methods cannot use
     * (pass 2 keeps some rows only, so it may rightly hold no pair) */
    if (!p->plan && p->nnz == 0)
        INPUT_FAIL("%s: no row has a feature (expected \"label index:value ...\" on some line; "
                   "all %lld lines hold a label only)",
                   p->name, (long long)p->n_rows);
    return 0;
}

static int parser_init(struct parser *p, const char *name, enum label_mode labels)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->labels = labels;
    p->sha = EVP_MD_CTX_new();
    if (!p->sha)
        FAIL(ERR_NOMEM, "SHA-256 context");
    if (EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL) != 1)
        FAIL(ERR_INTERNAL, "SHA-256 init");
    TRY(parser_grow_rows(p));
    p->row_ptr[0] = 0;
    return 0;
}

static void parser_free(struct parser *p)
{
    free(p->row_ptr);
    free(p->col_idx);
    free(p->values);
    free(p->y);
    free(p->global_row);
    free(p->buf);
    EVP_MD_CTX_free(p->sha);
    memset(p, 0, sizeof *p);
}

/* Moves the parsed arrays into a new dataset (SPEC 1 label mapping). */
static int parser_build(struct parser *p, int64_t min_features, struct dataset **out)
{
    struct dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        FAIL(ERR_NOMEM, "dataset");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(p->sha, digest, &digest_len) != 1) {
        free(ds);
        FAIL(ERR_INTERNAL, "SHA-256 final");
    }
    for (unsigned int i = 0; i < digest_len && 2 * i + 2 < sizeof ds->checksum; i++)
        snprintf(ds->checksum + 2 * i, 3, "%02x", digest[i]);
    /* SPEC 1: the larger of two label values is +1; a single value keeps
     * its sign (dataset.h); for both losses whenever there are at most two
     * values (LABELS_AUTO: the squared loss on a binary set) */
    ds->labels_pm1 = p->labels == LABELS_BINARY || (p->labels == LABELS_AUTO && p->n_labels <= 2);
    if (p->plan) { /* pass 2: labels mapped by pass 1, the same text or nothing */
        ds->labels_pm1 = p->plan->labels_pm1;
        if (strcmp(ds->checksum, p->plan->checksum) != 0 || p->file_row != p->plan->n_samples) {
            char now[sizeof ds->checksum];
            memcpy(now, ds->checksum, sizeof now);
            free(ds);
            FAIL(ERR_IO,
                 "%s: not the text first read (sha256 %s, %lld rows; first %s, %lld rows): the "
                 "file changed while being read",
                 p->name, now, (long long)p->file_row, p->plan->checksum,
                 (long long)p->plan->n_samples);
        }
    } else if (ds->labels_pm1) {
        double hi = p->label_seen[0];
        if (p->n_labels == 2 && p->label_seen[1] > hi)
            hi = p->label_seen[1];
        for (int64_t i = 0; i < p->n_rows; i++) {
            if (p->n_labels == 2)
                p->y[i] = p->y[i] == hi ? 1.0 : -1.0;
            else
                p->y[i] = p->y[i] > 0 ? 1.0 : -1.0;
        }
    }
    ds->n_samples = p->n_rows;
    ds->n_features = p->max_index > min_features ? p->max_index : min_features;
    if (p->plan) /* the whole file's, and the bias column */
        ds->n_features = p->plan->n_features + (p->bias > 0);
    ds->nnz = p->nnz;
    if (p->scan) { /* pass 1 keeps no pair: row_ptr and y only */
        ds->row_ptr = p->row_ptr;
        ds->y = p->y;
        snprintf(ds->name, sizeof ds->name, "%s", p->name);
        p->row_ptr = NULL;
        p->y = NULL;
        *out = ds;
        return 0;
    }
    /* shrink to fit; a failed shrink keeps the larger block */
    size_t nz = (size_t)(p->nnz > 0 ? p->nnz : 1);
    int32_t *c = realloc(p->col_idx, nz * sizeof *c);
    double *v = NULL;
    if (c)
        p->col_idx = c;
    v = realloc(p->values, nz * sizeof *v);
    if (v)
        p->values = v;
    ds->row_ptr = p->row_ptr;
    ds->col_idx = p->col_idx;
    ds->values = p->values;
    ds->y = p->y;
    ds->global_row = p->global_row;
    p->global_row = NULL;
    if (!ds->col_idx) { /* empty set of pairs: keep a valid pointer */
        ds->col_idx = malloc(sizeof *ds->col_idx);
        ds->values = malloc(sizeof *ds->values);
        if (!ds->col_idx || !ds->values) {
            free(ds->col_idx);
            free(ds->values);
            free(ds);
            FAIL(ERR_NOMEM, "dataset");
        }
    }
    snprintf(ds->name, sizeof ds->name, "%s", p->name);
    p->row_ptr = NULL;
    p->col_idx = NULL;
    p->values = NULL;
    p->y = NULL;
    *out = ds;
    return 0;
}

/* Parsing happens in the C locale whatever the program set (strtod's
 * decimal point); the previous per-thread locale comes back after. */
struct c_locale {
    locale_t c;
    locale_t old;
};

static void c_locale_enter(struct c_locale *l)
{
    l->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    l->old = l->c ? uselocale(l->c) : (locale_t)0;
}

static void c_locale_leave(struct c_locale *l)
{
    if (l->c) {
        uselocale(l->old);
        freelocale(l->c);
    }
}

int libsvm_parse(const char *name, const char *text, size_t len, enum label_mode labels,
                 int64_t min_features, struct dataset **out)
{
    int rc = 0;
    struct parser p;
    struct c_locale loc;
    *out = NULL;
    c_locale_enter(&loc);
    TRY_GOTO(parser_init(&p, name, labels));
    TRY_GOTO(parser_feed(&p, text, len));
    TRY_GOTO(parser_finish(&p));
    TRY_GOTO(parser_build(&p, min_features, out));
done:
    parser_free(&p);
    c_locale_leave(&loc);
    return rc;
}

/* ---- reading files ---------------------------------------------------- */

static int read_plain(struct parser *p, int fd)
{
    for (;;) {
        TRY(parser_reserve(p, CHUNK_BYTES));
        ssize_t got = read(fd, p->buf + p->len, CHUNK_BYTES);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            FAIL(ERR_IO, "reading %s: %s", p->name, strerror(errno));
        if (got == 0)
            return 0;
        TRY(parser_commit(p, (size_t)got));
    }
}

/* liblzma's multi-threaded decoder (issue 18: 82 % of reading an .xz was
 * single-threaded decompression): one thread per online CPU, at most 8.
 * It decodes the blocks of a multi-block file (xz -T0, or --block-size) in
 * parallel and a single-block file as the plain decoder would; the output
 * is the same bytes either way.  Falls back to the single-threaded decoder
 * where the MT one cannot be set up. */
static int xz_decoder_init(lzma_stream *strm, const char *name)
{
    uint32_t threads = lzma_cputhreads();
    if (threads > 8)
        threads = 8;
    if (threads > 1) {
        lzma_mt mt;
        memset(&mt, 0, sizeof mt);
        mt.flags = LZMA_CONCATENATED;
        mt.threads = threads;
        mt.memlimit_threading = UINT64_C(1) << 30; /* beyond it, one thread */
        mt.memlimit_stop = UINT64_MAX;
        if (lzma_stream_decoder_mt(strm, &mt) == LZMA_OK)
            return 0;
    }
    if (lzma_stream_decoder(strm, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
        FAIL(ERR_INTERNAL, "lzma_stream_decoder for %s", name);
    return 0;
}

/* Decodes .xz with liblzma straight into the parser's buffer. */
static int read_xz(struct parser *p, int fd, const uint8_t *head, size_t head_len)
{
    int rc = 0;
    lzma_stream strm = LZMA_STREAM_INIT;
    uint8_t *in = NULL;
    int eof = 0;
    TRY(xz_decoder_init(&strm, p->name));
    in = malloc(CHUNK_BYTES);
    if (!in)
        FAIL_GOTO(ERR_NOMEM, "xz input buffer");
    memcpy(in, head, head_len);
    strm.next_in = in;
    strm.avail_in = head_len;
    for (;;) {
        if (strm.avail_in == 0 && !eof) {
            ssize_t got = read(fd, in, CHUNK_BYTES);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                FAIL_GOTO(ERR_IO, "reading %s: %s", p->name, strerror(errno));
            if (got == 0)
                eof = 1;
            strm.next_in = in;
            strm.avail_in = (size_t)got;
        }
        TRY_GOTO(parser_reserve(p, CHUNK_BYTES));
        strm.next_out = (uint8_t *)p->buf + p->len;
        strm.avail_out = CHUNK_BYTES;
        lzma_ret ret = lzma_code(&strm, eof ? LZMA_FINISH : LZMA_RUN);
        size_t made = CHUNK_BYTES - strm.avail_out;
        /* a corrupt stream is an .xz error, not a LIBSVM one at some line */
        if (ret == LZMA_OK || ret == LZMA_STREAM_END)
            TRY_GOTO(parser_commit(p, made));
        if (ret == LZMA_STREAM_END)
            break;
        if (ret == LZMA_DATA_ERROR || ret == LZMA_FORMAT_ERROR)
            INPUT_FAIL_GOTO("%s: corrupt .xz data after %lld bytes of text (expected a valid .xz "
                            "file)",
                            p->name, (long long)p->total_bytes);
        if (ret == LZMA_BUF_ERROR && eof)
            INPUT_FAIL_GOTO("%s: expected a complete .xz stream, got a truncated file", p->name);
        if (ret != LZMA_OK)
            INPUT_FAIL_GOTO("%s: expected a valid .xz file, got liblzma error %d after "
                            "%lld bytes of text",
                            p->name, (int)ret, (long long)p->total_bytes);
    }
done:
    lzma_end(&strm);
    free(in);
    return rc;
}

/* .bz2 (the LIBSVM origin's format): decoded by `bzip2 -dc` in a child.
 * Its stderr goes to a pipe, not the terminal: on failure its first line
 * becomes part of the one message (bzip2's own complaint is a dozen lines);
 * its messages are short, so reading them after its stdout cannot block. */
static int read_bz2(struct parser *p, const char *path)
{
    int rc = 0;
    int fds[2] = {-1, -1};
    int errfds[2] = {-1, -1};
    pid_t pid = -1;
    if (pipe(fds) != 0)
        FAIL(ERR_IO, "pipe: %s", strerror(errno));
    if (pipe(errfds) != 0) {
        close(fds[0]);
        close(fds[1]);
        FAIL(ERR_IO, "pipe: %s", strerror(errno));
    }
    for (int i = 0; i < 2; i++) { /* no other child may hold them open */
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
        fcntl(errfds[i], F_SETFD, FD_CLOEXEC);
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        close(errfds[0]);
        close(errfds[1]);
        FAIL(ERR_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fds[1], 1); /* dup2 clears close-on-exec on 1 and 2 */
        dup2(errfds[1], 2);
        execlp("bzip2", "bzip2", "-dc", "--", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    fds[1] = -1;
    close(errfds[1]);
    errfds[1] = -1;
    TRY_GOTO(read_plain(p, fds[0]));
done:
    if (fds[0] >= 0)
        close(fds[0]);
    char err[1024];
    error_read_fd(errfds[0], err, sizeof err);
    close(errfds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        char why[300] = " (bzip2 not found)";
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != 127) {
            why[0] = ':';
            why[1] = ' ';
            error_first_line(err, why + 2, sizeof why - 2);
            if (why[2] == '\0')
                why[0] = '\0';
        }
        error_input("%s: expected a .bz2 file that `bzip2 -dc` decodes, got exit status %d%s", path,
                    code, why);
        rc = ERR_INPUT;
    }
    return rc;
}

/* Opens path and feeds its text (plain, .xz or .bz2, by magic bytes) to a
 * parser set up by the caller, then ends it (parser_finish). */
static int read_source(struct parser *p, const char *path)
{
    int rc = 0;
    uint8_t head[6];
    size_t head_len = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (issue 17) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        INPUT_FAIL_GOTO("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0)
        INPUT_FAIL_GOTO("%s: cannot stat: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        INPUT_FAIL_GOTO("%s: is a directory (expected a LIBSVM file)", path);
    if (!S_ISREG(st.st_mode))
        INPUT_FAIL_GOTO("%s: is not a regular file (expected a LIBSVM file)", path);
    if (fcntl(fd, F_SETFL, 0) != 0)
        FAIL_GOTO(ERR_IO, "%s: fcntl: %s", path, strerror(errno));
    /* the format by its magic bytes, not its name */
    while (head_len < sizeof head) {
        ssize_t got = read(fd, head + head_len, sizeof head - head_len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            INPUT_FAIL_GOTO("%s: cannot read: %s", path, strerror(errno));
        if (got == 0)
            break;
        head_len += (size_t)got;
    }
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    if (head_len == 6 && memcmp(head, xz_magic, 6) == 0) {
        TRY_GOTO(read_xz(p, fd, head, head_len));
    } else if (head_len >= 4 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h' &&
               head[3] >= '1' && head[3] <= '9') {
        TRY_GOTO(read_bz2(p, path));
    } else {
        TRY_GOTO(parser_feed(p, (const char *)head, head_len));
        TRY_GOTO(read_plain(p, fd));
    }
    TRY_GOTO(parser_finish(p));
done:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The file through a parser that parser_init and the caller's mode set up,
 * in the C locale, into *out; the caller frees the parser. */
static int read_with(struct parser *p, const char *path, int64_t min_features, struct dataset **out)
{
    int rc = 0;
    struct c_locale loc;
    c_locale_enter(&loc);
    TRY_GOTO(read_source(p, path));
    TRY_GOTO(parser_build(p, min_features, out));
done:
    c_locale_leave(&loc);
    return rc;
}

int libsvm_read(const char *path, enum label_mode labels, int64_t min_features,
                struct dataset **out)
{
    struct parser p;
    *out = NULL;
    int rc = parser_init(&p, path, labels);
    if (rc == 0)
        rc = read_with(&p, path, min_features, out);
    parser_free(&p);
    return rc;
}

int libsvm_scan(const char *path, enum label_mode labels, int64_t min_features,
                struct dataset **out, int64_t *bad_norm_row)
{
    struct parser p;
    *out = NULL;
    int rc = parser_init(&p, path, labels);
    p.scan = 1;
    p.bad_norm_row = -1;
    if (rc == 0)
        rc = read_with(&p, path, min_features, out);
    *bad_norm_row = p.bad_norm_row;
    parser_free(&p);
    return rc;
}

/* Pass 2's mode: every array at its final size, once (no doubling, no
 * shrinking copy); a need to grow means the file changed. */
static int parser_plan(struct parser *p, const struct dataset *scan, const int *owner, int part,
                       double bias)
{
    int64_t rows = 0;
    int64_t nnz = 0;
    for (int64_t i = 0; i < scan->n_samples; i++)
        if (owner[i] == part) {
            rows++;
            nnz += scan->row_ptr[i + 1] - scan->row_ptr[i] + (bias > 0);
        }
    free(p->row_ptr);
    free(p->y);
    p->row_ptr = malloc((size_t)(rows + 1) * sizeof *p->row_ptr);
    p->y = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *p->y);
    p->global_row = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *p->global_row);
    p->col_idx = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *p->col_idx);
    p->values = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *p->values);
    if (!p->row_ptr || !p->y || !p->global_row || !p->col_idx || !p->values)
        FAIL(ERR_NOMEM, "%s: part %d: %lld rows, %lld entries", p->name, part, (long long)rows,
             (long long)nnz);
    p->row_ptr[0] = 0;
    p->rows_cap = rows;
    p->nnz_cap = nnz;
    p->plan = scan;
    p->owner = owner;
    p->part = part;
    p->bias = bias;
    return 0;
}

int libsvm_read_rows(const char *path, const struct dataset *scan, const int *owner, int part,
                     double bias, struct dataset **out)
{
    struct parser p;
    *out = NULL;
    /* labels: the scan's, mapped over the whole file (parser_line) */
    int rc = parser_init(&p, path, LABELS_RAW);
    if (rc == 0)
        rc = parser_plan(&p, scan, owner, part, bias);
    if (rc == 0)
        rc = read_with(&p, path, 0, out);
    parser_free(&p);
    return rc;
}

/* ---- writing ---------------------------------------------------------- */

struct writer {
    FILE *f;          /* the output file */
    lzma_stream xz;   /* encoder when the path ends in .xz */
    int use_xz;       /* 1 when xz is active */
    char *buf;        /* pending text */
    size_t len;       /* bytes in buf */
    uint8_t *zbuf;    /* compressed bytes */
    const char *path; /* for messages */
};

static int writer_flush(struct writer *w, int finish)
{
    if (!w->use_xz) {
        if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
            FAIL(ERR_IO, "writing %s: %s", w->path, strerror(errno));
        w->len = 0;
        return 0;
    }
    w->xz.next_in = (const uint8_t *)w->buf;
    w->xz.avail_in = w->len;
    for (;;) {
        w->xz.next_out = w->zbuf;
        w->xz.avail_out = CHUNK_BYTES;
        lzma_ret ret = lzma_code(&w->xz, finish ? LZMA_FINISH : LZMA_RUN);
        size_t made = CHUNK_BYTES - w->xz.avail_out;
        if (made && fwrite(w->zbuf, 1, made, w->f) != made)
            FAIL(ERR_IO, "writing %s: %s", w->path, strerror(errno));
        if (ret == LZMA_STREAM_END)
            break;
        if (ret != LZMA_OK)
            FAIL(ERR_INTERNAL, "lzma_code %d writing %s", (int)ret, w->path);
        if (!finish && w->xz.avail_in == 0)
            break;
    }
    w->len = 0;
    return 0;
}

int libsvm_write(const char *path, const struct dataset *ds)
{
    int rc = 0;
    struct writer w;
    struct c_locale loc;
    memset(&w, 0, sizeof w);
    w.path = path;
    c_locale_enter(&loc);
    size_t plen = strlen(path);
    w.use_xz = plen > 3 && strcmp(path + plen - 3, ".xz") == 0;
    w.buf = malloc(CHUNK_BYTES + 256);
    if (!w.buf)
        FAIL_GOTO(ERR_NOMEM, "write buffer");
    if (w.use_xz) {
        w.zbuf = malloc(CHUNK_BYTES);
        if (!w.zbuf)
            FAIL_GOTO(ERR_NOMEM, "xz buffer");
        lzma_stream init = LZMA_STREAM_INIT;
        w.xz = init;
        if (lzma_easy_encoder(&w.xz, 6, LZMA_CHECK_CRC64) != LZMA_OK) {
            w.use_xz = 0; /* nothing to lzma_end */
            FAIL_GOTO(ERR_INTERNAL, "lzma_easy_encoder");
        }
    }
    w.f = fopen(path, "wb");
    if (!w.f)
        FAIL_GOTO(ERR_IO, "cannot create %s: %s", path, strerror(errno));
    for (int64_t i = 0; i < ds->n_samples; i++) {
        w.len += (size_t)snprintf(w.buf + w.len, 32, "%.17g", ds->y[i]);
        for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++) {
            w.len +=
                (size_t)snprintf(w.buf + w.len, 48, " %d:%.17g", ds->col_idx[k] + 1, ds->values[k]);
            if (w.len >= CHUNK_BYTES)
                TRY_GOTO(writer_flush(&w, 0));
        }
        w.buf[w.len++] = '\n';
        if (w.len >= CHUNK_BYTES)
            TRY_GOTO(writer_flush(&w, 0));
    }
    TRY_GOTO(writer_flush(&w, 1));
    if (fclose(w.f) != 0) {
        w.f = NULL;
        FAIL_GOTO(ERR_IO, "closing %s: %s", path, strerror(errno));
    }
    w.f = NULL;
done:
    if (w.f)
        fclose(w.f);
    if (w.use_xz)
        lzma_end(&w.xz);
    free(w.buf);
    free(w.zbuf);
    c_locale_leave(&loc);
    return rc;
}
