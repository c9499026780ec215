/* dataset.c - datasets for the model objectives: the CSV and IDX readers and the named sets. */

/*
 * Every text file goes through one line reader (zlib's gzgets, so a .gz file and a plain one
 * take the same path; lines of any length) and one table reader that splits rows into fields,
 * parses features with strtod and keeps the label column apart. The generic CSV loader and the
 * named sklearn sets are thin layers over that table reader.
 */
#include "ml/dataset.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/error.h"

#define READER_INITIAL_LINE 4096
#define READER_GZ_BUFFER (1u << 17)
#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_CHUNK 65536
/* Deflate never turns one byte of input into more than 1032 bytes of output. */
#define IDX_GZIP_MAX_RATIO 1032u
#define TABLE_INITIAL_ROWS 256

/* ---------------------------------------------------------------- datasets */

void atoll_dataset_free(atoll_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

int atoll_dataset_alloc(size_t n, size_t d, int n_classes, atoll_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (d != 0 && n > SIZE_MAX / sizeof(float) / d)
        return ATOLL_NOMEM("a dataset");
    size_t cells = n * d;
    out->x = malloc((cells ? cells : 1) * sizeof(float));
    out->y = malloc((n ? n : 1) * sizeof(float));
    if (!out->x || !out->y) {
        atoll_dataset_free(out);
        return ATOLL_NOMEM("a dataset");
    }
    out->n = n;
    out->d = d;
    out->n_classes = n_classes;
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- lines */

/* Reads a text file (plain or gzip) line by line through one growing buffer. */
typedef struct {
    const char *path;
    gzFile gz;
    char *buf;
    size_t cap;
    long line; /* number of the line last read, counting blank ones */
} line_reader;

static void reader_close(line_reader *r)
{
    if (r->gz)
        gzclose(r->gz);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

static int reader_open(line_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    errno = 0;
    r->gz = gzopen(path, "rb");
    if (!r->gz)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", path,
                           errno ? strerror(errno) : "out of memory");
    gzbuffer(r->gz, READER_GZ_BUFFER);
    r->cap = READER_INITIAL_LINE;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        reader_close(r);
        return ATOLL_NOMEM("a line buffer");
    }
    return ATOLL_OK;
}

/* A read error of `gz`, or NULL when there is none. */
static const char *gz_failure(gzFile gz)
{
    int code = Z_OK;
    const char *message = gzerror(gz, &code);
    return code == Z_OK || code == Z_STREAM_END ? NULL : message;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Read the next line that is not blank into r->buf, without its line end (LF or CRLF); *line is
 * NULL at the end of the file. */
static int reader_next(line_reader *r, char **line)
{
    *line = NULL;
    for (;;) {
        size_t used = 0;
        bool any = false;
        for (;;) {
            if (r->cap - used < 2) {
                if (r->cap > SIZE_MAX / 2)
                    return ATOLL_NOMEM("a line buffer");
                char *grown = realloc(r->buf, r->cap * 2);
                if (!grown)
                    return ATOLL_NOMEM("a line buffer");
                r->buf = grown;
                r->cap *= 2;
            }
            size_t room = r->cap - used;
            int chunk = room > INT_MAX ? INT_MAX : (int)room;
            if (!gzgets(r->gz, r->buf + used, chunk))
                break;
            any = true;
            size_t got = strlen(r->buf + used);
            used += got;
            if (used > 0 && r->buf[used - 1] == '\n')
                break;
            if (got + 1 < (size_t)chunk) { /* short of the room: end of file, or a NUL byte */
                if (!gzeof(r->gz))
                    return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%ld: a NUL byte (not a text file?)",
                                       r->path, r->line + 1);
                break;
            }
        }
        const char *failure = gz_failure(r->gz);
        if (failure)
            return ATOLL_RAISE(ATOLL_ERR_IO, "%s: read error: %s", r->path, failure);
        if (!any)
            return ATOLL_OK;
        r->line++;
        while (used > 0 && (r->buf[used - 1] == '\n' || r->buf[used - 1] == '\r'))
            r->buf[--used] = '\0';
        size_t i = 0;
        while (i < used && is_blank(r->buf[i]))
            i++;
        if (i < used) {
            *line = r->buf;
            return ATOLL_OK;
        }
    }
}

/* Open `path` and read its first line that is not blank into *line, as reader_next; a file
 * without one is "PATH: empty file". On an error the reader is left closed. */
static int reader_open_first(line_reader *r, const char *path, char **line)
{
    ATOLL_CALL(reader_open(r, path));
    int rc = reader_next(r, line);
    if (rc != ATOLL_OK)
        atoll_error_trace(rc, __FILE__, __LINE__);
    else if (!*line)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: empty file", path);
    if (rc != ATOLL_OK)
        reader_close(r);
    return rc;
}

/* ---------------------------------------------------------------- fields and numbers */

typedef struct {
    char **at;
    size_t n, cap;
} field_list;

static int fields_push(field_list *f, char *field)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        char **grown = realloc(f->at, cap * sizeof *grown);
        if (!grown)
            return ATOLL_NOMEM("a field list");
        f->at = grown;
        f->cap = cap;
    }
    f->at[f->n++] = field;
    return ATOLL_OK;
}

/* Split `line` in place. sep ',': comma-separated fields with surrounding blanks trimmed
 * (an empty field stays a field); sep ' ': fields separated by runs of blanks. */
static int split_fields(char *line, char sep, field_list *f)
{
    f->n = 0;
    char *p = line;
    if (sep == ' ') {
        for (;;) {
            while (is_blank(*p))
                p++;
            if (!*p)
                return ATOLL_OK;
            ATOLL_CALL(fields_push(f, p));
            while (*p && !is_blank(*p))
                p++;
            if (*p)
                *p++ = '\0';
        }
    }
    for (;;) {
        while (is_blank(*p))
            p++;
        char *start = p;
        while (*p && *p != sep)
            p++;
        char *end = p;
        bool last = *p == '\0';
        while (end > start && is_blank(end[-1]))
            end--;
        *end = '\0';
        ATOLL_CALL(fields_push(f, start));
        if (last)
            return ATOLL_OK;
        p++;
    }
}

/* A whole field as a finite number. */
static bool parse_number(const char *s, double *out)
{
    char *end = NULL;
    if (!*s)
        return false;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* ---------------------------------------------------------------- tables */

/* How the rows of a text table look. */
typedef struct {
    char sep;                 /* ',' or ' ' (see split_fields) */
    size_t columns;           /* fields per row */
    const char *const *names; /* column names for messages, or NULL ("column 3") */
    bool header;              /* the column count came from a header line */
    long label;               /* the label column, or -1 for none */
    bool label_text;          /* labels may be class names (else they must be numbers) */
} table_layout;

/* The rows read: features as floats, the label as a number and, with label_text, as text. */
typedef struct {
    size_t n, d, cap;
    float *x;        /* n x d */
    double *label;   /* n values; NaN where the label is not a number */
    size_t *text_at; /* label_text: n offsets into text */
    char *text;
    size_t text_used, text_cap;
    bool all_numbers, all_integers;
} table;

static void table_free(table *t)
{
    free(t->x);
    free(t->label);
    free(t->text_at);
    free(t->text);
    memset(t, 0, sizeof *t);
}

static int table_grow(table *t, bool text)
{
    size_t cap = t->cap ? 2 * t->cap : TABLE_INITIAL_ROWS;
    if (cap > SIZE_MAX / sizeof(double) || (t->d && cap > SIZE_MAX / sizeof(float) / t->d))
        return ATOLL_NOMEM("a table");
    float *x = realloc(t->x, (t->d ? cap * t->d : 1) * sizeof *x);
    if (!x)
        return ATOLL_NOMEM("a table");
    t->x = x;
    double *label = realloc(t->label, cap * sizeof *label);
    if (!label)
        return ATOLL_NOMEM("a table");
    t->label = label;
    if (text) {
        size_t *at = realloc(t->text_at, cap * sizeof *at);
        if (!at)
            return ATOLL_NOMEM("a table");
        t->text_at = at;
    }
    t->cap = cap;
    return ATOLL_OK;
}

static int table_keep_text(table *t, const char *s)
{
    size_t len = strlen(s) + 1;
    if (t->text_cap - t->text_used < len) {
        size_t cap = t->text_cap ? t->text_cap : 4096;
        while (cap - t->text_used < len) {
            if (cap > SIZE_MAX / 2)
                return ATOLL_NOMEM("the labels");
            cap *= 2;
        }
        char *grown = realloc(t->text, cap);
        if (!grown)
            return ATOLL_NOMEM("the labels");
        t->text = grown;
        t->text_cap = cap;
    }
    t->text_at[t->n] = t->text_used;
    memcpy(t->text + t->text_used, s, len);
    t->text_used += len;
    return ATOLL_OK;
}

/* "column 'x3'" or "column 4" into buf. */
static const char *column_name(const table_layout *layout, size_t j, char *buf, size_t size)
{
    if (layout->names)
        snprintf(buf, size, "column '%s'", layout->names[j]);
    else
        snprintf(buf, size, "column %zu", j + 1);
    return buf;
}

static int not_a_number(const line_reader *r, const table_layout *layout, size_t j,
                        const char *field)
{
    char name[256];
    return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%ld: %s: not a number (got '%s')", r->path, r->line,
                       column_name(layout, j, name, sizeof name), field);
}

/* Read every remaining row of `r` into `t`. */
static int table_read(line_reader *r, const table_layout *layout, table *t)
{
    int rc = ATOLL_OK;
    field_list fields = {0};
    memset(t, 0, sizeof *t);
    t->d = layout->columns - (layout->label >= 0 ? 1 : 0);
    t->all_numbers = t->all_integers = true;
    for (;;) {
        char *line = NULL;
        ATOLL_CALL_GOTO(rc, reader_next(r, &line));
        if (!line)
            break;
        ATOLL_CALL_GOTO(rc, split_fields(line, layout->sep, &fields));
        if (fields.n != layout->columns) {
            rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%ld: %zu field%s, %s %zu", r->path, r->line,
                             fields.n, fields.n == 1 ? "" : "s",
                             layout->header ? "the header has" : "expected", layout->columns);
            goto fail;
        }
        if (t->n == t->cap)
            ATOLL_CALL_GOTO(rc, table_grow(t, layout->label_text));
        float *row = t->x + t->n * t->d;
        for (size_t j = 0; j < fields.n; j++) {
            double v;
            bool number = parse_number(fields.at[j], &v);
            if ((long)j == layout->label) {
                if (!number && !layout->label_text) {
                    rc = not_a_number(r, layout, j, fields.at[j]);
                    goto fail;
                }
                if (layout->label_text)
                    ATOLL_CALL_GOTO(rc, table_keep_text(t, fields.at[j]));
                t->label[t->n] = number ? v : NAN;
                t->all_numbers = t->all_numbers && number;
                t->all_integers = t->all_integers && number && v == floor(v);
                continue;
            }
            if (!number || !isfinite((float)v)) {
                rc = not_a_number(r, layout, j, fields.at[j]);
                goto fail;
            }
            *row++ = (float)v;
        }
        t->n++;
    }
    free(fields.at);
    return ATOLL_OK;
fail:
    free(fields.at);
    table_free(t);
    return rc;
}

/* Move a table's features into a dataset (labels are set by the caller). */
static int table_to_dataset(table *t, int n_classes, atoll_dataset *out)
{
    memset(out, 0, sizeof *out);
    out->y = malloc((t->n ? t->n : 1) * sizeof(float));
    if (!out->y)
        return ATOLL_NOMEM("a dataset");
    if (t->n * t->d > 0) { /* give back the unused capacity */
        float *x = realloc(t->x, t->n * t->d * sizeof *x);
        if (x)
            t->x = x;
    }
    out->x = t->x;
    t->x = NULL;
    out->n = t->n;
    out->d = t->d;
    out->n_classes = n_classes;
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- labels */

typedef struct {
    double value;
    const char *name;
    size_t row;
} label_key;

static int compare_values(const void *a, const void *b)
{
    double x = ((const label_key *)a)->value, y = ((const label_key *)b)->value;
    return (x > y) - (x < y);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const label_key *)a)->name, ((const label_key *)b)->name);
}

/* Map a table's labels to classes 0..K-1 in sorted order (numeric when all are numbers, else
 * strcmp order of their text) into y. */
static int map_classes(const table *t, float *y, size_t *n_classes)
{
    label_key *keys = malloc((t->n ? t->n : 1) * sizeof *keys);
    if (!keys)
        return ATOLL_NOMEM("the class labels");
    for (size_t i = 0; i < t->n; i++)
        keys[i] = (label_key){t->label[i], t->text + t->text_at[i], i};
    int (*compare)(const void *, const void *) = t->all_numbers ? compare_values : compare_names;
    qsort(keys, t->n, sizeof *keys, compare);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i == 0 || compare(&keys[i - 1], &keys[i]) != 0)
            k++;
        y[keys[i].row] = (float)(k - 1);
    }
    free(keys);
    *n_classes = k;
    return ATOLL_OK;
}

/* Labels that are class indices already: integers in [0, declared) (declared 0: any, and the
 * class count is the largest + 1). */
static int index_classes(const char *path, const double *label, size_t n, int declared, float *y,
                         int *n_classes)
{
    double limit = declared > 0 ? (double)declared : (double)INT_MAX;
    double largest = -1.0;
    for (size_t i = 0; i < n; i++) {
        double v = label[i];
        if (!(v >= 0.0 && v < limit && v == floor(v)))
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "%s: data row %zu: label %g is not a class number in [0, %.0f)",
                               path, i + 1, v, limit);
        y[i] = (float)v;
        if (v > largest)
            largest = v;
    }
    *n_classes = declared > 0 ? declared : (int)largest + 1;
    if (*n_classes < 2)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: the labels hold only one class", path);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- CSV */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check a header's names: none empty, none twice. */
static int check_header(const line_reader *r, const field_list *names)
{
    for (size_t j = 0; j < names->n; j++)
        if (!names->at[j][0])
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%ld: column %zu has no name", r->path, r->line,
                               j + 1);
    char **sorted = malloc(names->n * sizeof *sorted);
    if (!sorted)
        return ATOLL_NOMEM("the header");
    memcpy(sorted, names->at, names->n * sizeof *sorted);
    qsort(sorted, names->n, sizeof *sorted, compare_strings);
    for (size_t j = 1; j < names->n; j++) {
        if (strcmp(sorted[j - 1], sorted[j]) == 0) {
            int rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%ld: duplicate column '%s'", r->path, r->line,
                                 sorted[j]);
            free(sorted);
            return rc;
        }
    }
    free(sorted);
    return ATOLL_OK;
}

int atoll_data_load_csv(const char *path, const char *label, atoll_task task, atoll_dataset *out)
{
    int rc = ATOLL_OK;
    line_reader r = {0};
    field_list names = {0};
    char *header = NULL;
    table t = {0};
    memset(out, 0, sizeof *out);
    if (task != ATOLL_TASK_AUTO && task != ATOLL_TASK_CLASSIFICATION &&
        task != ATOLL_TASK_REGRESSION)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: unknown task %d", path, (int)task);

    char *line = NULL;
    ATOLL_CALL(reader_open_first(&r, path, &line));
    header = strdup(line);
    if (!header) {
        rc = ATOLL_NOMEM("the header");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, split_fields(header, ',', &names));
    ATOLL_CALL_GOTO(rc, check_header(&r, &names));
    long label_column = label ? -1 : (long)names.n - 1;
    for (size_t j = 0; label && j < names.n; j++)
        if (strcmp(names.at[j], label) == 0)
            label_column = (long)j;
    if (label_column < 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no column '%s' in the header", path, label);
        goto fail;
    }
    if (names.n < 2) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no feature columns (the header has only '%s')", path,
                         names.at[0]);
        goto fail;
    }
    const char *label_name = names.at[label_column];

    table_layout layout = {.sep = ',',
                           .columns = names.n,
                           .names = (const char *const *)names.at,
                           .header = true,
                           .label = label_column,
                           .label_text = task != ATOLL_TASK_REGRESSION};
    ATOLL_CALL_GOTO(rc, table_read(&r, &layout, &t));
    if (t.n == 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no data rows", path);
        goto fail;
    }
    bool regression = task == ATOLL_TASK_REGRESSION ||
                      (task == ATOLL_TASK_AUTO && t.all_numbers && !t.all_integers);
    ATOLL_CALL_GOTO(rc, table_to_dataset(&t, 0, out));
    if (regression) {
        for (size_t i = 0; i < t.n; i++) {
            out->y[i] = (float)t.label[i];
            if (!isfinite(out->y[i])) { /* a double beyond a float's range */
                rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                                 "%s: data row %zu: column '%s': %g is out of range (a float "
                                 "holds at most %g)",
                                 path, i + 1, label_name, t.label[i], FLT_MAX);
                goto fail;
            }
        }
    } else {
        size_t k = 0;
        ATOLL_CALL_GOTO(rc, map_classes(&t, out->y, &k));
        if (k < 2) {
            rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: the label column '%s' has only one class", path,
                             label_name);
            goto fail;
        }
        if (k > INT_MAX) {
            rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: the label column '%s' has too many classes",
                             path, label_name);
            goto fail;
        }
        out->n_classes = (int)k;
    }
    table_free(&t);
    free(names.at);
    free(header);
    reader_close(&r);
    return ATOLL_OK;
fail:
    atoll_dataset_free(out);
    table_free(&t);
    free(names.at);
    free(header);
    reader_close(&r);
    return rc;
}

/* ---------------------------------------------------------------- IDX */

/* Read exactly `size` bytes; a short read is a truncated file. */
static int gz_read_exact(gzFile gz, const char *path, void *buf, size_t size, const char *what)
{
    unsigned char *p = buf;
    while (size > 0) {
        unsigned chunk = size > (1u << 30) ? (1u << 30) : (unsigned)size;
        int got = gzread(gz, p, chunk);
        if (got <= 0 || (unsigned)got < chunk) {
            int code = Z_OK;
            const char *message = gzerror(gz, &code);
            if (code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR)
                return ATOLL_RAISE(ATOLL_ERR_IO, "%s: read error: %s", path, message);
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: truncated file (%s incomplete)", path, what);
        }
        p += got;
        size -= (size_t)got;
    }
    return ATOLL_OK;
}

static uint32_t big_endian32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Open an IDX file and read its header: magic `magic` and `n_dims` big-endian sizes. */
static int idx_open(const char *path, uint32_t magic, int n_dims, uint32_t *dims, gzFile *out)
{
    *out = NULL;
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", path,
                           errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, READER_GZ_BUFFER);
    /* The magic first, so that a wrong file is named as such even when it is short. */
    unsigned char head[4 * 4];
    int rc = gz_read_exact(gz, path, head, 4, "the header is");
    if (rc == ATOLL_OK && big_endian32(head) != magic)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: not an IDX %s file (magic 0x%08x, expected 0x%08x)",
                         path, magic == IDX_IMAGES_MAGIC ? "image" : "label", big_endian32(head),
                         magic);
    if (rc == ATOLL_OK)
        rc = gz_read_exact(gz, path, head + 4, 4 * (size_t)n_dims, "the header is");
    if (rc != ATOLL_OK) {
        gzclose(gz);
        return atoll_error_trace(rc, __FILE__, __LINE__);
    }
    for (int i = 0; i < n_dims; i++)
        dims[i] = big_endian32(head + 4 * (i + 1));
    *out = gz;
    return ATOLL_OK;
}

/* Refuse a header that promises `n` items of `size` bytes (after its `header` bytes) that the
 * file cannot hold, before anything is allocated for them: a plain file holds its size, a gzip
 * one at most IDX_GZIP_MAX_RATIO times its size. Not a regular file: the reads will tell. */
static int idx_check_room(const char *path, gzFile gz, size_t header, size_t n, size_t size,
                          const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return ATOLL_OK;
    uint64_t bytes = (uint64_t)st.st_size, room;
    if (gzdirect(gz))
        room = bytes > header ? bytes - header : 0;
    else
        room = bytes > UINT64_MAX / IDX_GZIP_MAX_RATIO ? UINT64_MAX : bytes * IDX_GZIP_MAX_RATIO;
    if (size != 0 && n > room / size)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: truncated file (%s incomplete)", path, what);
    return ATOLL_OK;
}

int atoll_data_load_idx(const char *images, const char *labels, atoll_dataset *out)
{
    int rc = ATOLL_OK;
    gzFile gi = NULL, gl = NULL;
    unsigned char *chunk = NULL;
    uint32_t idims[3], ldims[1];
    memset(out, 0, sizeof *out);

    ATOLL_CALL(idx_open(images, IDX_IMAGES_MAGIC, 3, idims, &gi));
    ATOLL_CALL_GOTO(rc, idx_open(labels, IDX_LABELS_MAGIC, 1, ldims, &gl));
    if (idims[0] != ldims[0]) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s has %u images, %s has %u labels", images, idims[0],
                         labels, ldims[0]);
        goto fail;
    }
    if (idims[0] == 0 || idims[1] == 0 || idims[2] == 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no images (%u of %ux%u)", images, idims[0], idims[1],
                         idims[2]);
        goto fail;
    }
    size_t n = idims[0], d = (size_t)idims[1] * idims[2];
    ATOLL_CALL_GOTO(rc, idx_check_room(images, gi, 16, n, d, "the pixels are"));
    ATOLL_CALL_GOTO(rc, idx_check_room(labels, gl, 8, n, 1, "the labels are"));
    ATOLL_CALL_GOTO(rc, atoll_dataset_alloc(n, d, 0, out));
    chunk = malloc(IDX_CHUNK);
    if (!chunk) {
        rc = ATOLL_NOMEM("a read buffer");
        goto fail;
    }
    size_t total = n * d;
    for (size_t done = 0; done < total;) {
        size_t size = total - done < IDX_CHUNK ? total - done : IDX_CHUNK;
        ATOLL_CALL_GOTO(rc, gz_read_exact(gi, images, chunk, size, "the pixels are"));
        for (size_t i = 0; i < size; i++)
            out->x[done + i] = (float)chunk[i] / 255.0f;
        done += size;
    }
    double *values = malloc(n * sizeof *values);
    if (!values) {
        rc = ATOLL_NOMEM("the labels");
        goto fail;
    }
    for (size_t done = 0; done < n;) {
        size_t size = n - done < IDX_CHUNK ? n - done : IDX_CHUNK;
        rc = gz_read_exact(gl, labels, chunk, size, "the labels are");
        if (rc != ATOLL_OK) {
            free(values);
            atoll_error_trace(rc, __FILE__, __LINE__);
            goto fail;
        }
        for (size_t i = 0; i < size; i++)
            values[done + i] = chunk[i];
        done += size;
    }
    rc = index_classes(labels, values, n, 0, out->y, &out->n_classes);
    free(values);
    if (rc != ATOLL_OK) {
        atoll_error_trace(rc, __FILE__, __LINE__);
        goto fail;
    }
    free(chunk);
    gzclose(gi);
    gzclose(gl);
    return ATOLL_OK;
fail:
    atoll_dataset_free(out);
    free(chunk);
    if (gi)
        gzclose(gi);
    if (gl)
        gzclose(gl);
    return rc;
}

/* ---------------------------------------------------------------- named datasets */

/* The remaining rows of `r`, numbers only: `columns` fields per row (sep as in split_fields),
 * the last one a class index when `classes` (in [0, declared) when declared > 0), else every
 * column a feature; expect_rows >= 0 is the row count a header announced. */
static int read_numeric(line_reader *r, char sep, size_t columns, bool classes, int declared,
                        long expect_rows, atoll_dataset *out)
{
    int rc = ATOLL_OK;
    table t = {0};
    table_layout layout = {.sep = sep,
                           .columns = columns,
                           .header = false,
                           .label = classes ? (long)columns - 1 : -1,
                           .label_text = false};
    ATOLL_CALL(table_read(r, &layout, &t));
    if (t.n == 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no data rows", r->path);
        goto fail;
    }
    if (expect_rows >= 0 && t.n != (size_t)expect_rows) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: %zu data rows, the header says %ld", r->path, t.n,
                         expect_rows);
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, table_to_dataset(&t, 0, out));
    if (classes)
        ATOLL_CALL_GOTO(rc,
                        index_classes(r->path, t.label, t.n, declared, out->y, &out->n_classes));
    table_free(&t);
    return ATOLL_OK;
fail:
    atoll_dataset_free(out);
    table_free(&t);
    return rc;
}

/* read_numeric over a whole headerless file. */
static int load_numeric(const char *path, char sep, size_t columns, bool classes,
                        atoll_dataset *out)
{
    line_reader r;
    ATOLL_CALL(reader_open(&r, path));
    int rc = read_numeric(&r, sep, columns, classes, 0, -1, out);
    reader_close(&r);
    return rc == ATOLL_OK ? ATOLL_OK : atoll_error_trace(rc, __FILE__, __LINE__);
}

/* A count from a header field: an integer >= 1. */
static bool parse_count(const char *field, long *out)
{
    double v;
    if (!parse_number(field, &v) || v < 1.0 || v > (double)LONG_MAX || v != floor(v))
        return false;
    *out = (long)v;
    return true;
}

/* sklearn's iris.csv, wine_data.csv, breast_cancer.csv: a first line
 * "n_samples,n_features,class0,class1,...", then rows of the features and a class index. */
static int load_sklearn_csv(const char *path, const char *unused, atoll_dataset *out)
{
    (void)unused;
    int rc = ATOLL_OK;
    line_reader r = {0};
    field_list fields = {0};
    char *line = NULL;
    ATOLL_CALL(reader_open_first(&r, path, &line));
    ATOLL_CALL_GOTO(rc, split_fields(line, ',', &fields));
    long samples = 0, features = 0;
    if (fields.n < 4 || !parse_count(fields.at[0], &samples) ||
        !parse_count(fields.at[1], &features) || fields.n - 2 > INT_MAX) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "%s:%ld: expected 'n_samples,n_features,class names...' in the header",
                         path, r.line);
        goto fail;
    }
    int declared = (int)(fields.n - 2);
    ATOLL_CALL_GOTO(rc, read_numeric(&r, ',', (size_t)features + 1, true, declared, samples, out));
fail: /* success too: the cleanup is the same */
    free(fields.at);
    reader_close(&r);
    return rc;
}

/* sklearn's digits.csv.gz: no header, 64 pixel columns then the digit. */
static int load_digits(const char *path, const char *unused, atoll_dataset *out)
{
    (void)unused;
    ATOLL_CALL(load_numeric(path, ',', 65, true, out));
    return ATOLL_OK;
}

/* sklearn's diabetes: blank-separated features without a header, the targets one per line in a
 * second file. */
static int load_diabetes(const char *data, const char *target, atoll_dataset *out)
{
    atoll_dataset y = {0};
    ATOLL_CALL(load_numeric(data, ' ', 10, false, out));
    int rc = load_numeric(target, ' ', 1, false, &y);
    if (rc == ATOLL_OK && y.n != out->n)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s has %zu rows, %s has %zu", data, out->n, target, y.n);
    if (rc != ATOLL_OK) {
        atoll_dataset_free(&y);
        atoll_dataset_free(out);
        return atoll_error_trace(rc, __FILE__, __LINE__);
    }
    memcpy(out->y, y.x, out->n * sizeof(float));
    atoll_dataset_free(&y);
    return ATOLL_OK;
}

static int load_idx_pair(const char *images, const char *labels, atoll_dataset *out)
{
    ATOLL_CALL(atoll_data_load_idx(images, labels, out));
    return ATOLL_OK;
}

/* A dataset known by name: its files in its default folder and its loader. */
typedef struct {
    const char *name;
    const char *file, *file2; /* file2: a second file, or NULL */
    const char *folder;
    const char *package; /* the Debian package that installs it */
    int (*load)(const char *path, const char *path2, atoll_dataset *out);
} named_set;

static const named_set named_sets[] = {
    {"digits", "digits.csv.gz", NULL, ATOLL_SKLEARN_DATA_DIR, "python3-sklearn", load_digits},
    {"iris", "iris.csv", NULL, ATOLL_SKLEARN_DATA_DIR, "python3-sklearn", load_sklearn_csv},
    {"wine", "wine_data.csv", NULL, ATOLL_SKLEARN_DATA_DIR, "python3-sklearn", load_sklearn_csv},
    {"breast_cancer", "breast_cancer.csv", NULL, ATOLL_SKLEARN_DATA_DIR, "python3-sklearn",
     load_sklearn_csv},
    {"diabetes", "diabetes_data_raw.csv.gz", "diabetes_target.csv.gz", ATOLL_SKLEARN_DATA_DIR,
     "python3-sklearn", load_diabetes},
    {"fashion-mnist", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
     ATOLL_FASHION_MNIST_DIR, "dataset-fashion-mnist", load_idx_pair},
    {"fashion-mnist-test", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
     ATOLL_FASHION_MNIST_DIR, "dataset-fashion-mnist", load_idx_pair},
};

#define NAMED_COUNT (sizeof named_sets / sizeof named_sets[0])

const char *const atoll_data_names[] = {
    "digits", "iris", "wine", "breast_cancer", "diabetes", "fashion-mnist", "fashion-mnist-test",
    NULL};

static const named_set *named_lookup(const char *name)
{
    for (size_t i = 0; name && i < NAMED_COUNT; i++)
        if (strcmp(named_sets[i].name, name) == 0)
            return &named_sets[i];
    return NULL;
}

bool atoll_data_is_named(const char *name)
{
    return named_lookup(name) != NULL;
}

/* dir + "/" + file into a new string; a missing file is an error naming its package. */
static int named_path(const named_set *set, const char *dir, const char *file, char **out)
{
    size_t size = strlen(dir) + strlen(file) + 2;
    *out = malloc(size);
    if (!*out)
        return ATOLL_NOMEM("a path");
    snprintf(*out, size, "%s/%s", dir, file);
    struct stat st;
    if (stat(*out, &st) != 0 && errno == ENOENT) {
        int rc = ATOLL_RAISE(ATOLL_ERR_IO,
                             "%s: %s not found (Debian package %s; `make deps` installs it)",
                             set->name, *out, set->package);
        free(*out);
        *out = NULL;
        return rc;
    }
    return ATOLL_OK;
}

int atoll_data_load_named(const char *name, const char *dir, atoll_dataset *out)
{
    memset(out, 0, sizeof *out);
    const named_set *set = named_lookup(name);
    if (!set) {
        char known[512] = "";
        for (size_t i = 0; atoll_data_names[i]; i++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", atoll_data_names[i]);
        }
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "unknown dataset '%s' (known: %s)",
                           name ? name : "(null)", known);
    }
    if (!dir)
        dir = set->folder;
    char *path = NULL, *path2 = NULL;
    int rc = named_path(set, dir, set->file, &path);
    if (rc == ATOLL_OK && set->file2)
        rc = named_path(set, dir, set->file2, &path2);
    if (rc == ATOLL_OK)
        rc = set->load(path, path2, out);
    free(path);
    free(path2);
    return rc == ATOLL_OK ? ATOLL_OK : atoll_error_trace(rc, __FILE__, __LINE__);
}
