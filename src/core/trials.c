/* trials.c - the CSV trial log, live while the run goes and sorted when it ends. */
#include "core/trials.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

struct atoll_trials {
    char *path;
    FILE *file;
    const atoll_space *space;
    const char *const *extras;
    size_t n_extras;
    size_t width;
    double *rows; /* every row, for the sorted rewrite */
    size_t n_rows, cap_rows;
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

int atoll_trials_open(const char *path, const atoll_space *space, const char *const *extras,
                      atoll_trials **out)
{
    int rc = ATOLL_OK;
    atoll_trials *log = calloc(1, sizeof *log);
    if (!log)
        return ATOLL_NOMEM("the trial log");
    log->space = space;
    log->extras = extras;
    while (extras && extras[log->n_extras])
        log->n_extras++;
    log->width = ATOLL_ROW_X + space->n + log->n_extras;
    log->path = strdup(path);
    log->values = calloc(space->n ? space->n : 1, sizeof *log->values);
    if (!log->path || !log->values) {
        rc = ATOLL_NOMEM("the trial log");
        goto fail;
    }
    log->file = fopen(path, "w");
    if (!log->file) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        goto fail;
    }
    if (write_header(log, log->file) != 0 || fflush(log->file) != 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        goto fail;
    }
    *out = log;
    return ATOLL_OK;
fail:
    atoll_trials_close(&log);
    return rc;
}

int atoll_trials_append(atoll_trials *log, const double *row)
{
    if (log->n_rows == log->cap_rows) {
        size_t cap = log->cap_rows ? 2 * log->cap_rows : 1024;
        double *grown = realloc(log->rows, cap * log->width * sizeof *grown);
        if (!grown)
            return ATOLL_NOMEM("trial rows");
        log->rows = grown;
        log->cap_rows = cap;
    }
    memcpy(log->rows + log->n_rows * log->width, row, log->width * sizeof *row);
    log->n_rows++;
    write_row(log, log->file, row);
    if (ferror(log->file) || fflush(log->file) != 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write a trial: %s", log->path,
                           strerror(errno));
    return ATOLL_OK;
}

size_t atoll_trials_count(const atoll_trials *log)
{
    return log->n_rows;
}

static int by_trial(const void *a, const void *b)
{
    double x = ((const double *)a)[ATOLL_ROW_TRIAL], y = ((const double *)b)[ATOLL_ROW_TRIAL];
    return (x > y) - (x < y);
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
    qsort(log->rows, log->n_rows, log->width * sizeof *log->rows, by_trial);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    write_header(log, f);
    for (size_t r = 0; r < log->n_rows; r++)
        write_row(log, f, log->rows + r * log->width);
    if (close_synced(f) != 0 || rename(tmp, log->path) != 0) {
        int rc = ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot write the sorted log: %s", tmp,
                             strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    /* The live stream now points at the replaced file; reopen for any later appends. */
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
