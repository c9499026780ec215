/* ckpt.h - the checkpoint format: a byte codec for state, and versioned, checksummed files. */
#ifndef ATOLL_CORE_CKPT_H
#define ATOLL_CORE_CKPT_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_qrng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A checkpoint file is
 *
 *     "ATOLLCKP"  magic, 8 bytes
 *     u32         format version (ATOLL_CKPT_VERSION)
 *     u32         byte-order mark 0x01020304 (files move between machines of one kind)
 *     u64         payload length
 *     payload
 *     u32         CRC-32 (zlib) of everything before it
 *
 * written atomically (temporary file, fsync, rename, fsync of the folder). The payload is
 * whatever the writer packed with atoll_wbuf; readers unpack it with atoll_rbuf, whose every
 * read is bounds-checked, so a torn or hostile file can only end in a clean error.
 */
#define ATOLL_CKPT_VERSION 1u

/* A growing byte buffer. A failed allocation sets `failed`; later puts do nothing. */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    bool failed;
} atoll_wbuf;

void atoll_wbuf_put(atoll_wbuf *b, const void *p, size_t n);
void atoll_wbuf_i64(atoll_wbuf *b, int64_t v);
void atoll_wbuf_f64(atoll_wbuf *b, double v);
void atoll_wbuf_f64s(atoll_wbuf *b, const double *v, size_t n);
/* A length-prefixed byte string. */
void atoll_wbuf_bytes(atoll_wbuf *b, const void *p, size_t n);
/* A GSL generator: its type name and its whole state (what gsl_rng_fwrite writes). */
void atoll_wbuf_rng(atoll_wbuf *b, const gsl_rng *r);
/* A GSL quasi-random generator: its type name and state. */
void atoll_wbuf_qrng(atoll_wbuf *b, const gsl_qrng *q);
/* ATOLL_OK, or ATOLL_ERR_NOMEM naming `what` if an allocation failed. */
int atoll_wbuf_status(const atoll_wbuf *b, const char *what);
void atoll_wbuf_free(atoll_wbuf *b);

/* A reader over bytes it does not own. A read past the end, or a value out of its stated
 * range, sets `failed` and returns zeros; check atoll_rbuf_status once at the end. */
typedef struct {
    const unsigned char *data;
    size_t len, pos;
    bool failed;
} atoll_rbuf;

void atoll_rbuf_init(atoll_rbuf *r, const void *data, size_t len);
int64_t atoll_rbuf_i64(atoll_rbuf *r);
/* An integer that must lie in [lo, hi]. */
int64_t atoll_rbuf_range(atoll_rbuf *r, int64_t lo, int64_t hi);
double atoll_rbuf_f64(atoll_rbuf *r);
void atoll_rbuf_f64s(atoll_rbuf *r, double *v, size_t n);
/* Unit-cube coordinates: each must be finite and in [0, 1]. */
void atoll_rbuf_unit(atoll_rbuf *r, double *v, size_t n);
/* A length-prefixed byte string (a pointer into the buffer), or NULL. */
const void *atoll_rbuf_bytes(atoll_rbuf *r, size_t *n);
/* Restore a generator written by atoll_wbuf_rng into `dst` (same type and state size). A
 * state GSL could not draw from (an mt19937 index outside 0..624, words wider than 32 bits,
 * an all-zero round) fails the read. */
void atoll_rbuf_rng(atoll_rbuf *r, gsl_rng *dst);
void atoll_rbuf_qrng(atoll_rbuf *r, gsl_qrng *dst);
/* ATOLL_OK, or ATOLL_ERR_IO "`what`: truncated or malformed state" when a read failed. */
int atoll_rbuf_status(const atoll_rbuf *r, const char *what);

/* Write `payload` as a checkpoint file at `path`, atomically. */
int atoll_ckpt_write(const char *path, const void *payload, size_t len);

/* Read and verify the checkpoint at `path` (magic, version, byte order, length, checksum);
 * *payload is malloc'ed. A bad file is ATOLL_ERR_IO with a one-line reason. */
int atoll_ckpt_read(const char *path, unsigned char **payload, size_t *len);

/* Verify a checkpoint held in memory; *payload points into `bytes`. */
int atoll_ckpt_parse(const unsigned char *bytes, size_t n, const char *name,
                     const unsigned char **payload, size_t *len);

/* The sequence numbers of DIR/ckpt-NNNNNN.bin files, newest first (*seqs malloc'ed, NULL
 * when none; a missing DIR holds none). */
int atoll_ckpt_list(const char *dir, long **seqs, size_t *n);

/* DIR/ckpt-NNNNNN.bin into buf. */
void atoll_ckpt_path(const char *dir, long seq, char *buf, size_t size);

#endif
