/* plot_csv.c - atoll plot's reading: whole files, CSV tables with quotes removed, numbers,
 * paths. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/plot_impl.h"
#include "core/error.h"

static int grow(void **items, size_t *cap, size_t need, size_t size, const char *what)
{
    if (need <= *cap)
        return ATOLL_OK;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *bigger = realloc(*items, cap2 * size);
    if (!bigger)
        return ATOLL_NOMEM(what);
    *items = bigger;
    *cap = cap2;
    return ATOLL_OK;
}

static int csv_push_cell(plot_csv *t, char *cell)
{
    ATOLL_CALL(
        grow((void **)&t->cells, &t->cap_cells, t->n_cells + 1, sizeof *t->cells, "a CSV row"));
    t->cells[t->n_cells++] = cell;
    return ATOLL_OK;
}

static int csv_push_row(plot_csv *t, size_t first)
{
    ATOLL_CALL(
        grow((void **)&t->rows, &t->cap_rows, t->n_rows + 2, sizeof *t->rows, "a CSV table"));
    t->rows[t->n_rows++] = first;
    t->rows[t->n_rows] = t->n_cells;
    return ATOLL_OK;
}

/* Split t->text (len bytes, one spare byte after them) in place: quoted fields lose their
 * quotes and "" becomes ", each field is NUL-terminated. Blank lines are skipped. */
static int csv_split(plot_csv *t, size_t len)
{
    char *p = t->text, *end = t->text + len;
    while (p < end) {
        size_t first = t->n_cells;
        for (;;) {
            char *field = p, *w = p;
            if (p < end && *p == '"') {
                p++;
                while (p < end && !(*p == '"' && (p + 1 >= end || p[1] != '"'))) {
                    if (*p == '"')
                        p++;
                    *w++ = *p++;
                }
                if (p < end)
                    p++;
            }
            while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                *w++ = *p++;
            char delim = p < end ? *p : '\n';
            *w = '\0';
            ATOLL_CALL(csv_push_cell(t, field));
            if (p < end)
                p++;
            if (delim == ',')
                continue;
            if (delim == '\r' && p < end && *p == '\n')
                p++;
            break;
        }
        if (t->n_cells == first + 1 && t->cells[first][0] == '\0')
            t->n_cells = first; /* a blank line */
        else
            ATOLL_CALL(csv_push_row(t, first));
    }
    return ATOLL_OK;
}

void atoll_plot_csv_free(plot_csv *t)
{
    free(t->text);
    free(t->cells);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

int atoll_plot_read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot open: %s", path, strerror(errno));
    size_t cap = 0;
    int rc = ATOLL_OK;
    *text = NULL;
    *len = 0;
    for (size_t got = 1; got > 0 && rc == ATOLL_OK;) {
        rc = grow((void **)text, &cap, *len + 65536 + 1, 1, "a file's text");
        got = rc == ATOLL_OK ? fread(*text + *len, 1, cap - *len - 1, f) : 0;
        *len += got;
    }
    if (rc == ATOLL_OK && ferror(f))
        rc = ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot read: %s", path, strerror(errno));
    fclose(f);
    if (rc == ATOLL_OK) {
        (*text)[*len] = '\0';
    } else {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int atoll_plot_csv_read(const char *path, plot_csv *t)
{
    size_t len;
    memset(t, 0, sizeof *t);
    ATOLL_CALL(atoll_plot_read_file(path, &t->text, &len));
    int rc = csv_split(t, len);
    if (rc != ATOLL_OK)
        atoll_plot_csv_free(t);
    return rc;
}

long atoll_plot_csv_column(const plot_csv *t, const char *name)
{
    if (t->n_rows == 0)
        return -1;
    for (size_t c = 0; c < plot_csv_width(t, 0); c++)
        if (strcmp(plot_csv_cell(t, 0, c), name) == 0)
            return (long)c;
    return -1;
}

bool atoll_plot_parse_number(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

int atoll_plot_join(char *buf, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    int len = snprintf(buf, PLOT_PATH_MAX, "%.*s/%s", (int)n, dir, name);
    if (len < 0 || len >= PLOT_PATH_MAX)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: path too long: %s/%s", dir, name);
    return ATOLL_OK;
}

bool atoll_plot_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
