/* trials.h - the trial log: one CSV row per evaluation, flushed as it lands. */
#ifndef ATOLL_CORE_TRIALS_H
#define ATOLL_CORE_TRIALS_H

#include <stddef.h>

#include "core/space.h"

/* A trial travels as a flat row of doubles: these fields, then the point's unit-cube
 * coordinates, then the objective's extra columns. Decoded parameter values are derived from
 * the coordinates by the space. */
enum {
    ATOLL_ROW_TRIAL = 0,
    ATOLL_ROW_RANK,
    ATOLL_ROW_ISLAND,
    ATOLL_ROW_GENERATION,
    ATOLL_ROW_STATUS,
    ATOLL_ROW_VALUE,
    ATOLL_ROW_START,
    ATOLL_ROW_DURATION,
    ATOLL_ROW_X /* first coordinate; a row is ATOLL_ROW_X + dim doubles */
};

typedef struct atoll_trials atoll_trials;

/* Create (truncate) the log at `path` (and its binary journal beside it) and write its header:
 * trial,rank,island,generation,<parameter names>,value,status,start_s,duration_s,<extras>.
 * `space` and `extras` (NULL-terminated column names, or NULL) are borrowed for the log's
 * life; a row is ATOLL_ROW_X + space->n + (number of extras) doubles. */
int atoll_trials_open(const char *path, const atoll_space *space, const char *const *extras,
                      atoll_trials **out);

/* Append one row and flush it to the kernel, so a killed job keeps it. A write failure
 * (disk full, I/O error) is ATOLL_ERR_IO naming the file. */
int atoll_trials_append(atoll_trials *log, const double *row);

/* Continue the log of an earlier run at `path`: read its journal (beside it, .journal for
 * .csv), cut a torn last record (*cut says how many bytes went), rewrite trials.csv from the
 * journal's rows (so a torn last CSV line is repaired and no row is lost) and append after
 * them. The rows are available through atoll_trials_take_rows. */
int atoll_trials_resume(const char *path, const atoll_space *space, const char *const *extras,
                        atoll_trials **out, size_t *cut);

/* Parse a journal held in memory: rows of `width` doubles (*rows malloc'ed, *n_rows of them)
 * up to the first torn or corrupt record; *valid is the length of the good prefix. A bad
 * header (magic, version, width) is ATOLL_ERR_IO naming `name`. */
int atoll_journal_parse(const unsigned char *bytes, size_t n, size_t width, const char *name,
                        double **rows, size_t *n_rows, size_t *valid);

/* A resumed log's rows, read from its journal (ATOLL_ROW_X + dim + extras doubles each, in
 * journal order), handed over to the caller (free them); NULL with *n_rows = 0 after the
 * first call or for a new log. Rows appended later stay on disk only. */
double *atoll_trials_take_rows(atoll_trials *log, size_t *n_rows);

/* fsync the journal: every row appended so far survives a machine crash. */
int atoll_trials_sync(atoll_trials *log);

/* Doubles per row. */
size_t atoll_trials_width(const atoll_trials *log);

/* Rows appended so far. */
size_t atoll_trials_count(const atoll_trials *log);

/* Rewrite the log sorted by trial id (a temporary file, fsync, rename), so that runs with
 * the same seed and rank count give the same file apart from timing columns. */
int atoll_trials_finish(atoll_trials *log);

/* Close the log (NULL-safe) and set *plog to NULL. */
void atoll_trials_close(atoll_trials **plog);

/* Read the whole file at `path` (at most `max` bytes, else ATOLL_ERR_IO) into *bytes,
 * malloc'ed and followed by a '\0' that *n does not count. */
int atoll_read_file(const char *path, size_t max, unsigned char **bytes, size_t *n);

/* Write `text` to `path` atomically: a temporary file beside it, fsync, rename. */
int atoll_write_atomic(const char *path, const char *text, size_t len);

/* Create a folder and its parents (mode 0777 less umask); existing folders are fine. */
int atoll_mkdirs(const char *path);

#endif
