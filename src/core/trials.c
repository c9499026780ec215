/* trials.c - the CSV trial log, live while the run goes and sorted when it ends. */
#include "core/trials.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"

struct atoll_trials {
    char *path;
    FILE *file;
    char *journal_path;
    FILE *journal; /* every row in binary, checksummed: what resume reads back */
    const atoll_space *space;
    const char *const *extras;
    size_t n_extras;
    size_t width;
    double *rows; /* a resumed log's rows until atoll_trials_take_rows takes them */
    size_t n_rows; /* rows in the journal; the rows themselves stay on disk */
    atoll_value *values; /* decode workspace */
};

static int write_header(atoll_trials *log, FILE *f)
{
    fputs("trial,rank,island,generation", f);
    for (size_t i = 0; i < log->space->n; i++)
        fprintf(f, ",%s", log->space->params[i].name);
    fputs(",value,status,start_s,duration_s", f);
    for (size_t j = 0; j < log->n_extras; j++)
        fprintf(f, ",%s", log->extras[j]);
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

/* Write one CSV field, quoted when it holds a comma, a quote or a line break. */
static void write_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_row(atoll_trials *log, FILE *f, const double *row)
{
    char buf[64];
    fprintf(f, "%.0f,%.0f,%.0f,%.0f", row[ATOLL_ROW_TRIAL], row[ATOLL_ROW_RANK],
            row[ATOLL_ROW_ISLAND], row[ATOLL_ROW_GENERATION]);
    atoll_space_decode(log->space, row + ATOLL_ROW_X, log->values);
    for (size_t i = 0; i < log->space->n; i++) {
        fputc(',', f);
        if (log->space->params[i].kind == ATOLL_PARAM_CHOICE) {
            write_field(f, log->values[i].str);
        } else {
            atoll_space_format(log->space, i, &log->values[i], buf, sizeof buf);
            fputs(buf, f);
        }
    }
    atoll_status status = (atoll_status)row[ATOLL_ROW_STATUS];
    if (status == ATOLL_STATUS_OK && isfinite(row[ATOLL_ROW_VALUE]))
        fprintf(f, ",%.17g", row[ATOLL_ROW_VALUE]);
    else
        fputc(',', f);
    fprintf(f, ",%s,%.6f,%.6f", atoll_status_name(status), row[ATOLL_ROW_START],
            row[ATOLL_ROW_DURATION]);
    const double *extra = row + ATOLL_ROW_X + log->space->n;
    for (size_t j = 0; j < log->n_extras; j++) {
        if (isfinite(extra[j]))
            fprintf(f, ",%.9g", extra[j]);
        else
            fputc(',', f);
    }
    fputc('\n', f);
}

/* ---------------------------------------------------------------- the journal
 *
 * trials.journal holds every row as it landed, exactly (the unit-cube coordinates the CSV
 * only shows decoded): a header "ATOLLTJ1", u32 version, u32 row width; then one record per
 * row: `width` doubles and the CRC-32 of their bytes. A record is written before its CSV
 * line, so the journal never lacks a row the CSV has. Resume reads it back, cuts a torn
 * last record, and rewrites trials.csv from it.
 */
static const char journal_magic[8] = {'A', 'T', 'O', 'L', 'L', 'T', 'J', '1'};
enum { JOURNAL_HEADER = 16, JOURNAL_VERSION = 1 };

static int journal_path(atoll_trials *log)
{
    const char *p = log->path;
    size_t n = strlen(p);
    if (n >= 4 && strcmp(p + n - 4, ".csv") == 0)
        n -= 4;
    log->journal_path = malloc(n + 9);
    if (!log->journal_path)
        return ATOLL_NOMEM("a file name");
    snprintf(log->journal_path, n + 9, "%.*s.journal", (int)n, p);
    return ATOLL_OK;
}

static int journal_create(atoll_trials *log)
{
    ATOLL_CALL(journal_path(log));
    log->journal = fopen(log->journal_path, "wb");
    if (!log->journal)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", log->journal_path,
                           strerror(errno));
    uint32_t head[2] = {JOURNAL_VERSION, (uint32_t)log->width};
    if (fwrite(journal_magic, 1, sizeof journal_magic, log->journal) != sizeof journal_magic ||
        fwrite(head, sizeof *head, 2, log->journal) != 2 || fflush(log->journal) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write: %s", log->journal_path,
                           strerror(errno));
    return ATOLL_OK;
}

int atoll_journal_parse(const unsigned char *bytes, size_t n, size_t width, const char *name,
                        double **rows, size_t *n_rows, size_t *valid)
{
    *rows = NULL;
    *n_rows = 0;
    *valid = 0;
    uint32_t head[2];
    if (n < JOURNAL_HEADER || memcmp(bytes, journal_magic, sizeof journal_magic) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: not an atoll trial journal", name);
    memcpy(head, bytes + sizeof journal_magic, sizeof head);
    if (head[0] != JOURNAL_VERSION)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: journal format version %u, this atoll reads %d",
                           name, head[0], JOURNAL_VERSION);
    if (head[1] != width)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "%s: rows of %u values, this run's have %zu (was the search space "
                           "or the objective changed?)",
                           name, head[1], width);
    size_t record = width * sizeof(double) + sizeof(uint32_t);
    size_t count = (n - JOURNAL_HEADER) / record;
    double *out = malloc((count ? count : 1) * width * sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the trial journal");
    size_t k = 0;
    for (; k < count; k++) {
        const unsigned char *rec = bytes + JOURNAL_HEADER + k * record;
        uint32_t crc;
        memcpy(&crc, rec + width * sizeof(double), sizeof crc);
        if ((uint32_t)crc32(0L, rec, (uInt)(width * sizeof(double))) != crc)
            break;
        double *row = out + k * width;
        memcpy(row, rec, width * sizeof(double));
        /* A record that passes its checksum but makes no sense is corruption too. */
        double id = row[ATOLL_ROW_TRIAL], status = row[ATOLL_ROW_STATUS];
        if (!(id >= 0 && id < 9e15 && id == floor(id)) || !(status >= 0 && status <= 3))
            break;
    }
    *rows = out;
    *n_rows = k;
    *valid = JOURNAL_HEADER + k * record;
    return ATOLL_OK;
}

static atoll_trials *log_alloc(const char *path, const atoll_space *space,
                               const char *const *extras)
{
    atoll_trials *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->space = space;
    log->extras = extras;
    while (extras && extras[log->n_extras])
        log->n_extras++;
    log->width = ATOLL_ROW_X + space->n + log->n_extras;
    log->path = strdup(path);
    log->values = calloc(space->n ? space->n : 1, sizeof *log->values);
    if (!log->path || !log->values)
        atoll_trials_close(&log);
    return log;
}

int atoll_trials_open(const char *path, const atoll_space *space, const char *const *extras,
                      atoll_trials **out)
{
    int rc = ATOLL_OK;
    atoll_trials *log = log_alloc(path, space, extras);
    if (!log)
        return ATOLL_NOMEM("the trial log");
    log->file = fopen(path, "w");
    if (!log->file) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        goto fail;
    }
    if (write_header(log, log->file) != 0 || fflush(log->file) != 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        goto fail;
    }
    rc = journal_create(log);
    if (rc != ATOLL_OK)
        goto fail;
    *out = log;
    return ATOLL_OK;
fail:
    atoll_trials_close(&log);
    return rc;
}

int atoll_read_file(const char *path, size_t max, unsigned char **bytes, size_t *n)
{
    *bytes = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 0;
    int rc = ATOLL_OK;
    for (;;) {
        if (*n == cap) {
            if (cap >= max) {
                rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: larger than %zu bytes", path, max);
                break;
            }
            cap = cap ? 2 * cap : 65536;
            unsigned char *grown = realloc(*bytes, cap + 1);
            if (!grown) {
                rc = ATOLL_NOMEM(path);
                break;
            }
            *bytes = grown;
        }
        size_t got = fread(*bytes + *n, 1, cap - *n, f);
        *n += got;
        if (got == 0)
            break;
    }
    if (rc == ATOLL_OK && ferror(f))
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    if (rc != ATOLL_OK) {
        free(*bytes);
        *bytes = NULL;
        *n = 0;
    } else {
        (*bytes)[*n] = '\0'; /* room was kept: text files read as strings */
    }
    return rc;
}

int atoll_trials_resume(const char *path, const atoll_space *space, const char *const *extras,
                        atoll_trials **out, size_t *cut)
{
    *cut = 0;
    atoll_trials *log = log_alloc(path, space, extras);
    if (!log)
        return ATOLL_NOMEM("the trial log");
    unsigned char *bytes = NULL;
    size_t n = 0, valid = 0;
    int rc = journal_path(log);
    if (rc == ATOLL_OK)
        rc = atoll_read_file(log->journal_path, SIZE_MAX / 2, &bytes, &n);
    if (rc == ATOLL_OK)
        rc = atoll_journal_parse(bytes, n, log->width, log->journal_path, &log->rows,
                                 &log->n_rows, &valid);
    free(bytes);
    if (rc != ATOLL_OK)
        goto fail;
    *cut = n - valid;
    /* Cut a torn last record, then append after the good ones. */
    if (*cut > 0 && truncate(log->journal_path, (off_t)valid) != 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot repair: %s", log->journal_path,
                         strerror(errno));
        goto fail;
    }
    log->journal = fopen(log->journal_path, "ab");
    if (!log->journal) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", log->journal_path,
                         strerror(errno));
        goto fail;
    }
    /* trials.csv again from the journal: a torn last line is gone, no row is lost. */
    rc = atoll_trials_finish(log);
    if (rc != ATOLL_OK)
        goto fail;
    *out = log;
    return ATOLL_OK;
fail:
    atoll_trials_close(&log);
    return rc;
}

double *atoll_trials_take_rows(atoll_trials *log, size_t *n_rows)
{
    double *rows = log->rows;
    *n_rows = rows ? log->n_rows : 0;
    log->rows = NULL;
    return rows;
}

int atoll_trials_append(atoll_trials *log, const double *row)
{
    uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)row,
                                   (uInt)(log->width * sizeof *row));
    if (fwrite(row, sizeof *row, log->width, log->journal) != log->width ||
        fwrite(&crc, sizeof crc, 1, log->journal) != 1 || fflush(log->journal) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write a trial: %s", log->journal_path,
                           strerror(errno));
    log->n_rows++;
    write_row(log, log->file, row);
    if (ferror(log->file) || fflush(log->file) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write a trial: %s", log->path,
                           strerror(errno));
    return ATOLL_OK;
}

int atoll_trials_sync(atoll_trials *log)
{
    if (fflush(log->journal) != 0 || fsync(fileno(log->journal)) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot sync: %s", log->journal_path,
                           strerror(errno));
    return ATOLL_OK;
}

size_t atoll_trials_width(const atoll_trials *log)
{
    return log->width;
}

size_t atoll_trials_count(const atoll_trials *log)
{
    return log->n_rows;
}

/* One journal record in the sorted rewrite's index: its trial id and its place. */
typedef struct {
    double trial;
    size_t record;
} trial_ref;

static int by_trial(const void *a, const void *b)
{
    const trial_ref *x = a, *y = b;
    if (x->trial != y->trial)
        return (x->trial > y->trial) - (x->trial < y->trial);
    return (x->record > y->record) - (x->record < y->record);
}

/* The rows of the journal in trial order (records in journal order for equal ids), read back
 * from disk: the index is 16 bytes a row, so memory does not grow with the rows themselves. */
static int write_sorted(atoll_trials *log, FILE *out)
{
    size_t width = log->width, record = width * sizeof(double) + sizeof(uint32_t);
    if (fflush(log->journal) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write: %s", log->journal_path,
                           strerror(errno));
    int fd = open(log->journal_path, O_RDONLY);
    if (fd < 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", log->journal_path,
                           strerror(errno));
    trial_ref *index = malloc((log->n_rows ? log->n_rows : 1) * sizeof *index);
    double *row = malloc(record);
    int rc = index && row ? ATOLL_OK : ATOLL_NOMEM("the sorted log's index");
    for (size_t k = 0; rc == ATOLL_OK && k < log->n_rows; k++) {
        off_t at = (off_t)(JOURNAL_HEADER + k * record + ATOLL_ROW_TRIAL * sizeof(double));
        if (pread(fd, &index[k].trial, sizeof index[k].trial, at) != sizeof index[k].trial)
            rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot read record %zu back", log->journal_path,
                             k);
        index[k].record = k;
    }
    if (rc == ATOLL_OK)
        qsort(index, log->n_rows, sizeof *index, by_trial);
    for (size_t k = 0; rc == ATOLL_OK && k < log->n_rows; k++) {
        off_t at = (off_t)(JOURNAL_HEADER + index[k].record * record);
        if (pread(fd, row, width * sizeof *row, at) != (ssize_t)(width * sizeof *row))
            rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot read record %zu back", log->journal_path,
                             index[k].record);
        else
            write_row(log, out, row);
    }
    free(row);
    free(index);
    close(fd);
    return rc;
}

/* fsync the folder that holds `path`, so that a rename in it survives a crash. */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* fsync and close a stream, reporting the first failure. */
static int close_synced(FILE *f)
{
    int bad = fflush(f) != 0 || ferror(f);
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

int atoll_trials_finish(atoll_trials *log)
{
    size_t len = strlen(log->path) + 8;
    char *tmp = malloc(len);
    if (!tmp)
        return ATOLL_NOMEM("a file name");
    snprintf(tmp, len, "%s.tmp", log->path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    write_header(log, f);
    int sorted = write_sorted(log, f);
    if (sorted != ATOLL_OK) {
        fclose(f);
        unlink(tmp);
        free(tmp);
        return sorted;
    }
    if (close_synced(f) != 0 || rename(tmp, log->path) != 0) {
        int rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write the sorted log: %s", tmp,
                             strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    /* The live stream now points at the replaced file; reopen for any later appends. */
    if (log->file)
        fclose(log->file);
    log->file = fopen(log->path, "a");
    if (!log->file)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot reopen: %s", log->path, strerror(errno));
    return ATOLL_OK;
}

void atoll_trials_close(atoll_trials **plog)
{
    if (!plog || !*plog)
        return;
    atoll_trials *log = *plog;
    if (log->file)
        fclose(log->file);
    if (log->journal)
        fclose(log->journal);
    free(log->journal_path);
    free(log->path);
    free(log->rows);
    free(log->values);
    free(log);
    *plog = NULL;
}

int atoll_write_atomic(const char *path, const char *text, size_t len)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return ATOLL_NOMEM("a file name");
    snprintf(tmp, n, "%s.tmp", path);
    int rc = ATOLL_OK;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        goto done;
    }
    size_t wrote = fwrite(text, 1, len, f);
    if (close_synced(f) != 0 || wrote != len || rename(tmp, path) != 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    } else {
        sync_folder(path);
    }
done:
    free(tmp);
    return rc;
}

int atoll_mkdirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return ATOLL_NOMEM("a folder name");
    int rc = ATOLL_OK;
    for (char *p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
                rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create folder: %s", copy,
                                 strerror(errno));
                break;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    struct stat st;
    if (rc == ATOLL_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: not a folder", path);
    free(copy);
    return rc;
}
