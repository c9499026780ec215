/* ckpt.c - checkpoint files: bounds-checked state codec, magic, version, CRC, atomic write. */
#include "core/ckpt.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "core/trials.h"

static const char magic[8] = {'A', 'T', 'O', 'L', 'L', 'C', 'K', 'P'};
enum { HEADER = 8 + 4 + 4 + 8, TRAILER = 4, BOM = 0x01020304 };
/* Larger files are refused rather than read: no state of ours comes near it. */
#define CKPT_MAX_BYTES ((size_t)1 << 31)

/* ---------------------------------------------------------------- writing */

void atoll_wbuf_put(atoll_wbuf *b, const void *p, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void atoll_wbuf_i64(atoll_wbuf *b, int64_t v)
{
    atoll_wbuf_put(b, &v, sizeof v);
}

void atoll_wbuf_f64(atoll_wbuf *b, double v)
{
    atoll_wbuf_put(b, &v, sizeof v);
}

void atoll_wbuf_f64s(atoll_wbuf *b, const double *v, size_t n)
{
    atoll_wbuf_put(b, v, n * sizeof *v);
}

void atoll_wbuf_bytes(atoll_wbuf *b, const void *p, size_t n)
{
    atoll_wbuf_i64(b, (int64_t)n);
    atoll_wbuf_put(b, p, n);
}

void atoll_wbuf_rng(atoll_wbuf *b, const gsl_rng *r)
{
    const char *name = gsl_rng_name(r);
    atoll_wbuf_bytes(b, name, strlen(name));
    atoll_wbuf_bytes(b, gsl_rng_state(r), gsl_rng_size(r));
}

void atoll_wbuf_qrng(atoll_wbuf *b, const gsl_qrng *q)
{
    const char *name = gsl_qrng_name(q);
    atoll_wbuf_bytes(b, name, strlen(name));
    atoll_wbuf_bytes(b, gsl_qrng_state(q), gsl_qrng_size(q));
}

int atoll_wbuf_status(const atoll_wbuf *b, const char *what)
{
    return b->failed ? ATOLL_NOMEM(what) : ATOLL_OK;
}

void atoll_wbuf_free(atoll_wbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- reading */

void atoll_rbuf_init(atoll_rbuf *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->failed = false;
}

static bool take(atoll_rbuf *r, void *out, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = true;
        memset(out, 0, n);
        return false;
    }
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
    return true;
}

int64_t atoll_rbuf_i64(atoll_rbuf *r)
{
    int64_t v = 0;
    take(r, &v, sizeof v);
    return v;
}

int64_t atoll_rbuf_range(atoll_rbuf *r, int64_t lo, int64_t hi)
{
    int64_t v = atoll_rbuf_i64(r);
    if (v < lo || v > hi) {
        r->failed = true;
        return lo;
    }
    return v;
}

double atoll_rbuf_f64(atoll_rbuf *r)
{
    double v = 0;
    take(r, &v, sizeof v);
    return v;
}

void atoll_rbuf_f64s(atoll_rbuf *r, double *v, size_t n)
{
    if (n > (r->len - r->pos) / sizeof *v) {
        r->failed = true;
        memset(v, 0, n * sizeof *v);
        return;
    }
    take(r, v, n * sizeof *v);
}

void atoll_rbuf_unit(atoll_rbuf *r, double *v, size_t n)
{
    atoll_rbuf_f64s(r, v, n);
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0.0 && v[i] <= 1.0)) {
            r->failed = true;
            v[i] = 0.0;
        }
}

const void *atoll_rbuf_bytes(atoll_rbuf *r, size_t *n)
{
    int64_t len = atoll_rbuf_i64(r);
    if (r->failed || len < 0 || (uint64_t)len > r->len - r->pos) {
        r->failed = true;
        *n = 0;
        return NULL;
    }
    const void *p = r->data + r->pos;
    r->pos += (size_t)len;
    *n = (size_t)len;
    return p;
}

/* Read a name and a state blob and check them against what `dst` expects. */
static const void *state_blob(atoll_rbuf *r, const char *name, size_t size)
{
    size_t n_name = 0, n_state = 0;
    const char *got = atoll_rbuf_bytes(r, &n_name);
    const void *state = atoll_rbuf_bytes(r, &n_state);
    if (r->failed || n_name != strlen(name) || memcmp(got, name, n_name) != 0 ||
        n_state != size) {
        r->failed = true;
        return NULL;
    }
    return state;
}

/* Whether a generator state is one that mt19937 can reach, the only generator atoll makes
 * (core/rng.c); other types are taken as they are. GSL keeps 624 words of 32 bits in unsigned
 * longs, then the index of the next word to use, in [0, 624], and trusts all of it: an index
 * out of range reads outside the state, and a word with higher bits set, or a state whose
 * next words are all zero (the top bit of the first word and the other 623), yields numbers
 * that GSL's rejection loops (gsl_rng_uniform_int, gsl_rng_uniform_pos) never accept. */
static bool rng_state_ok(const gsl_rng *dst, const void *state)
{
    enum { MT_WORDS = 624 };
    if (strcmp(gsl_rng_name(dst), "mt19937") != 0)
        return true;
    unsigned long words[MT_WORDS];
    int next = -1;
    if (gsl_rng_size(dst) < sizeof words + sizeof next)
        return false;
    memcpy(words, state, sizeof words);
    memcpy(&next, (const unsigned char *)state + sizeof words, sizeof next);
    unsigned long any = words[0] & 0x80000000UL;
    for (size_t i = 0; i < MT_WORDS; i++) {
        if (words[i] > 0xffffffffUL)
            return false;
        any |= i > 0 ? words[i] : 0;
    }
    return next >= 0 && next <= MT_WORDS && any != 0;
}

void atoll_rbuf_rng(atoll_rbuf *r, gsl_rng *dst)
{
    const void *state = state_blob(r, gsl_rng_name(dst), gsl_rng_size(dst));
    if (state && !rng_state_ok(dst, state))
        r->failed = true;
    else if (state)
        memcpy(gsl_rng_state(dst), state, gsl_rng_size(dst));
}

void atoll_rbuf_qrng(atoll_rbuf *r, gsl_qrng *dst)
{
    const void *state = state_blob(r, gsl_qrng_name(dst), gsl_qrng_size(dst));
    if (state)
        memcpy(gsl_qrng_state(dst), state, gsl_qrng_size(dst));
}

int atoll_rbuf_status(const atoll_rbuf *r, const char *what)
{
    return r->failed ? ATOLL_RAISE(ATOLL_ERR_IO, "%s: truncated or malformed state", what)
                     : ATOLL_OK;
}

/* ---------------------------------------------------------------- files */

int atoll_ckpt_write(const char *path, const void *payload, size_t len)
{
    atoll_wbuf b = {0};
    uint32_t version = ATOLL_CKPT_VERSION, bom = BOM;
    uint64_t n = len;
    atoll_wbuf_put(&b, magic, sizeof magic);
    atoll_wbuf_put(&b, &version, sizeof version);
    atoll_wbuf_put(&b, &bom, sizeof bom);
    atoll_wbuf_put(&b, &n, sizeof n);
    atoll_wbuf_put(&b, payload, len);
    if (!b.failed) {
        uint32_t crc = (uint32_t)crc32(0L, b.data, (uInt)b.len);
        atoll_wbuf_put(&b, &crc, sizeof crc);
    }
    int rc = atoll_wbuf_status(&b, "a checkpoint");
    if (rc == ATOLL_OK)
        rc = atoll_write_atomic(path, (const char *)b.data, b.len);
    atoll_wbuf_free(&b);
    return rc;
}

int atoll_ckpt_parse(const unsigned char *bytes, size_t n, const char *name,
                     const unsigned char **payload, size_t *len)
{
    uint32_t version, bom, crc;
    uint64_t size;
    if (n < HEADER + TRAILER || memcmp(bytes, magic, sizeof magic) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: not an atoll checkpoint (bad magic or too short)",
                           name);
    memcpy(&version, bytes + 8, sizeof version);
    memcpy(&bom, bytes + 12, sizeof bom);
    memcpy(&size, bytes + 16, sizeof size);
    if (bom != BOM)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: written on a machine of another byte order", name);
    if (version != ATOLL_CKPT_VERSION)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "%s: checkpoint format version %u, this atoll reads version %u",
                           name, version, ATOLL_CKPT_VERSION);
    if (size != n - HEADER - TRAILER)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: torn checkpoint (%zu bytes, header says %llu)",
                           name, n, (unsigned long long)(size + HEADER + TRAILER));
    memcpy(&crc, bytes + n - TRAILER, sizeof crc);
    if ((uint32_t)crc32(0L, bytes, (uInt)(n - TRAILER)) != crc)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: checksum mismatch (corrupt checkpoint)", name);
    *payload = bytes + HEADER;
    *len = (size_t)size;
    return ATOLL_OK;
}

int atoll_ckpt_read(const char *path, unsigned char **payload, size_t *len)
{
    *payload = NULL;
    *len = 0;
    unsigned char *bytes = NULL;
    size_t n = 0;
    const unsigned char *p = NULL;
    int rc = atoll_read_file(path, CKPT_MAX_BYTES, &bytes, &n);
    if (rc == ATOLL_OK)
        rc = atoll_ckpt_parse(bytes, n, path, &p, len);
    if (rc == ATOLL_OK) {
        memmove(bytes, p, *len);
        *payload = bytes;
    } else {
        free(bytes);
        *len = 0;
    }
    return rc;
}

void atoll_ckpt_path(const char *dir, long seq, char *buf, size_t size)
{
    snprintf(buf, size, "%s/ckpt-%06ld.bin", dir, seq);
}

static int newest_first(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x < y) - (x > y);
}

int atoll_ckpt_list(const char *dir, long **seqs, size_t *n)
{
    *seqs = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? ATOLL_OK
                               : ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot list: %s", dir,
                                             strerror(errno));
    size_t cap = 0;
    int rc = ATOLL_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long seq = 0;
        int used = 0;
        if (sscanf(e->d_name, "ckpt-%ld.bin%n", &seq, &used) != 1 ||
            e->d_name[used] != '\0' || seq < 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            long *grown = realloc(*seqs, cap * sizeof *grown);
            if (!grown) {
                rc = ATOLL_NOMEM("the checkpoint list");
                break;
            }
            *seqs = grown;
        }
        (*seqs)[(*n)++] = seq;
    }
    closedir(d);
    if (rc == ATOLL_OK && *n > 1)
        qsort(*seqs, *n, sizeof **seqs, newest_first);
    if (rc != ATOLL_OK) {
        free(*seqs);
        *seqs = NULL;
        *n = 0;
    }
    return rc;
}
