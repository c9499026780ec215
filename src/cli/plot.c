/* plot.c - atoll plot DIR: pictures of a run (convergence, timeline, parameters) and of a
 * scaling study (speedup, efficiency), drawn by gnuplot from temporary data files. */

/*
 * The run folder is read as the run left it: trials.csv (header-driven, so the objective's
 * extra columns and any parameter set work), ranks.csv for per-rank utilisation, config.ini
 * for choice values and log scales, best.json for the direction. Every picture is one
 * gnuplot script and a few data files in a private temporary folder (mkdtemp), started with
 * posix_spawnp through the objective layer's spawner and removed afterwards. The scripts use
 * pngcairo when gnuplot has it and the plain png terminal otherwise.
 */
#include "cli/plot.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "core/trials.h"
#include "objective/spawn.h"

extern char **environ;

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define PLOT_PATH_MAX 4096
typedef char plot_path[PLOT_PATH_MAX];
#define PLOT_MAX_PANELS 24      /* parameters drawn in params.png */
#define PLOT_MAX_ISLAND_LINES 8 /* more islands are drawn as one grey family */
#define PLOT_MAX_RANK_LABELS 40 /* more ranks get plain numeric tics */
#define PLOT_MAX_DISCRETE 12    /* whole-number parameters spanning this get one tic each */
#define PLOT_MAX_RANK 1000000   /* larger rank or island ids are a damaged log */
#define PLOT_GNUPLOT_TIMEOUT_S 300.0
#define PLOT_MAX_PICTURES 5

/* Line colours, colour-blind friendly (Okabe-Ito), then the fixed roles. */
static const char *const palette[PLOT_MAX_ISLAND_LINES] = {
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"};
#define PLOT_OK_COLOUR "#3b7dd8"
#define PLOT_BAD_COLOUR "#d62728"

/* ---------------------------------------------------------------- CSV, quotes removed */

/* A CSV file split into rows of fields; every field points into `text`. */
typedef struct {
    char *text;
    char **cells;
    size_t n_cells, cap_cells;
    size_t *rows; /* rows[r]: index of row r's first cell; rows[n_rows] == n_cells */
    size_t n_rows, cap_rows;
} csv_table;

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

static int csv_push_cell(csv_table *t, char *cell)
{
    ATOLL_CALL(
        grow((void **)&t->cells, &t->cap_cells, t->n_cells + 1, sizeof *t->cells, "a CSV row"));
    t->cells[t->n_cells++] = cell;
    return ATOLL_OK;
}

static int csv_push_row(csv_table *t, size_t first)
{
    ATOLL_CALL(
        grow((void **)&t->rows, &t->cap_rows, t->n_rows + 2, sizeof *t->rows, "a CSV table"));
    t->rows[t->n_rows++] = first;
    t->rows[t->n_rows] = t->n_cells;
    return ATOLL_OK;
}

/* Split t->text (len bytes, one spare byte after them) in place: quoted fields lose their
 * quotes and "" becomes ", each field is NUL-terminated. Blank lines are skipped. */
static int csv_split(csv_table *t, size_t len)
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

static void csv_free(csv_table *t)
{
    free(t->text);
    free(t->cells);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

/* Read the whole file at `path` into an owned, NUL-terminated *text of *len bytes; an
 * unreadable file is ATOLL_ERR_IO naming it. */
static int read_file(const char *path, char **text, size_t *len)
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

/* Read and split the CSV file at `path`. */
static int csv_read(const char *path, csv_table *t)
{
    size_t len;
    memset(t, 0, sizeof *t);
    ATOLL_CALL(read_file(path, &t->text, &len));
    int rc = csv_split(t, len);
    if (rc != ATOLL_OK)
        csv_free(t);
    return rc;
}

static size_t csv_width(const csv_table *t, size_t row)
{
    return t->rows[row + 1] - t->rows[row];
}

static const char *csv_cell(const csv_table *t, size_t row, size_t col)
{
    return t->cells[t->rows[row] + col];
}

/* The header column called `name`, or -1. */
static long csv_column(const csv_table *t, const char *name)
{
    if (t->n_rows == 0)
        return -1;
    for (size_t c = 0; c < csv_width(t, 0); c++)
        if (strcmp(csv_cell(t, 0, c), name) == 0)
            return (long)c;
    return -1;
}

/* A whole field as a finite number; false for an empty or partly numeric field. */
static bool parse_number(const char *s, double *out)
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

/* ---------------------------------------------------------------- the run folder */

typedef struct {
    const char *name; /* borrowed from the trials table */
    bool choice, log_scale;
    bool discrete; /* whole numbers only, a span of at most PLOT_MAX_DISCRETE */
    double low, high;
    char **levels; /* choice: owned category names, declared order first */
    size_t n_levels;
} plot_param;

typedef struct {
    long trial;
    long rank, island;
    bool ok; /* status ok with a value */
    double value, start, finish;
} plot_trial;

typedef struct {
    const char *dir, *out_dir;
    char tmp_dir[PLOT_PATH_MAX];
    csv_table table;
    plot_param *params;
    size_t n_params;
    plot_trial *trials;
    size_t n_trials, n_ok, best; /* best: index of the best ok trial when n_ok > 0 */
    double *x;                   /* n_trials x n_params: numbers or category indices, or NAN */
    bool maximize;
    long n_ranks;
    double *utilisation; /* per rank from ranks.csv, NAN where unknown */
    double wall_s;
    plot_path written[PLOT_MAX_PICTURES]; /* reported once the temporary folder is gone */
    size_t n_written;
} plot_run;

static int join(char *buf, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    int len = snprintf(buf, PLOT_PATH_MAX, "%.*s/%s", (int)n, dir, name);
    if (len < 0 || len >= PLOT_PATH_MAX)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: path too long: %s/%s", dir, name);
    return ATOLL_OK;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool better(const plot_run *run, double a, double b)
{
    return run->maximize ? a > b : a < b;
}

/* Make room for rank `rank` (0 <= rank <= PLOT_MAX_RANK) in the per-rank arrays. */
static int ensure_rank(plot_run *run, long rank)
{
    if (rank < run->n_ranks)
        return ATOLL_OK;
    double *bigger = realloc(run->utilisation, (size_t)(rank + 1) * sizeof *bigger);
    if (!bigger)
        return ATOLL_NOMEM("the ranks");
    for (long i = run->n_ranks; i <= rank; i++)
        bigger[i] = NAN;
    run->utilisation = bigger;
    run->n_ranks = rank + 1;
    return ATOLL_OK;
}

/* A choice parameter's index for `s`, adding it as a new level when unseen. */
static int level_index(plot_param *p, const char *s, double *out)
{
    for (size_t i = 0; i < p->n_levels; i++)
        if (strcmp(p->levels[i], s) == 0) {
            *out = (double)i;
            return ATOLL_OK;
        }
    char **bigger = realloc(p->levels, (p->n_levels + 1) * sizeof *bigger);
    if (!bigger)
        return ATOLL_NOMEM("a category");
    p->levels = bigger;
    if (!(p->levels[p->n_levels] = strdup(s)))
        return ATOLL_NOMEM("a category");
    *out = (double)p->n_levels++;
    return ATOLL_OK;
}

/* What DIR/config.ini says about the parameters (choice values in declared order, log
 * scales) and the direction. A missing or unreadable config leaves the defaults. */
static int read_config(plot_run *run)
{
    char path[PLOT_PATH_MAX];
    ATOLL_CALL(join(path, run->dir, "config.ini"));
    atoll_config *cfg = NULL;
    if (!is_file(path) || atoll_config_load(path, &cfg) != ATOLL_OK)
        return ATOLL_OK;
    int rc = ATOLL_OK;
    const char *s = NULL;
    if (atoll_config_get_string(cfg, "run", "direction", "minimize", false, &s) == ATOLL_OK)
        run->maximize = strcmp(s, "maximize") == 0;
    for (size_t i = 0; i < run->n_params && rc == ATOLL_OK; i++) {
        plot_param *p = &run->params[i];
        char section[256];
        snprintf(section, sizeof section, "param %s", p->name);
        if (!atoll_config_has_section(cfg, section))
            continue;
        if (atoll_config_get_string(cfg, section, "scale", "linear", false, &s) == ATOLL_OK)
            p->log_scale = strcmp(s, "log") == 0;
        if (atoll_config_get_string(cfg, section, "type", "real", false, &s) != ATOLL_OK ||
            strcmp(s, "choice") != 0)
            continue;
        char **values = NULL;
        size_t n_values = 0;
        if (atoll_config_get_list(cfg, section, "values", &values, &n_values) != ATOLL_OK)
            continue;
        p->choice = true;
        double index;
        for (size_t v = 0; v < n_values && rc == ATOLL_OK; v++)
            rc = level_index(p, values[v], &index);
        atoll_config_free_list(values, n_values);
    }
    atoll_config_destroy(&cfg);
    return rc;
}

/* best.json's top-level "direction" (its last "direction" key: "params" come before it),
 * which wins over config.ini when present. */
static int read_best_direction(plot_run *run)
{
    char path[PLOT_PATH_MAX], *text = NULL;
    size_t len;
    ATOLL_CALL(join(path, run->dir, "best.json"));
    if (!is_file(path))
        return ATOLL_OK;
    ATOLL_CALL(read_file(path, &text, &len));
    const char *key = NULL;
    for (const char *k = text; (k = strstr(k, "\"direction\"")); k++)
        key = k;
    const char *colon = key ? strchr(key, ':') : NULL;
    const char *quote = colon ? colon + strspn(colon + 1, " \t\r\n") + 1 : NULL;
    if (quote && strncmp(quote, "\"maximize\"", 10) == 0)
        run->maximize = true;
    else if (quote && strncmp(quote, "\"minimize\"", 10) == 0)
        run->maximize = false;
    free(text);
    return ATOLL_OK;
}

/* Per-rank utilisation and the wall time from DIR/ranks.csv, when present. */
static int read_ranks(plot_run *run)
{
    char path[PLOT_PATH_MAX];
    ATOLL_CALL(join(path, run->dir, "ranks.csv"));
    if (!is_file(path))
        return ATOLL_OK;
    csv_table t;
    ATOLL_CALL(csv_read(path, &t));
    long c_rank = csv_column(&t, "rank"), c_util = csv_column(&t, "utilisation"),
         c_wall = csv_column(&t, "wall_s");
    int rc = ATOLL_OK;
    for (size_t r = 1; r < t.n_rows && c_rank >= 0 && rc == ATOLL_OK; r++) {
        double rank, v;
        if (csv_width(&t, r) != csv_width(&t, 0) ||
            !parse_number(csv_cell(&t, r, (size_t)c_rank), &rank) || rank < 0 ||
            rank > PLOT_MAX_RANK || rank != floor(rank) ||
            (rc = ensure_rank(run, (long)rank)) != ATOLL_OK)
            continue;
        if (c_util >= 0 && parse_number(csv_cell(&t, r, (size_t)c_util), &v))
            run->utilisation[(long)rank] = v;
        if (c_wall >= 0 && parse_number(csv_cell(&t, r, (size_t)c_wall), &v) && v > run->wall_s)
            run->wall_s = v;
    }
    csv_free(&t);
    return rc;
}

/* Read DIR/trials.csv (and what the folder's other files add) into `run`. */
static int read_run(plot_run *run)
{
    char path[PLOT_PATH_MAX];
    ATOLL_CALL(join(path, run->dir, "trials.csv"));
    ATOLL_CALL(csv_read(path, &run->table));
    const csv_table *t = &run->table;
    static const char *const required[] = {"trial", "rank",   "island",  "generation",
                                           "value", "status", "start_s", "duration_s"};
    long col[8];
    for (size_t i = 0; i < 8; i++)
        if ((col[i] = csv_column(t, required[i])) < 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "atoll plot: %s: not an atoll trial log (no '%s' column)", path,
                               required[i]);
    enum { TRIAL, RANK, ISLAND, GENERATION, VALUE, STATUS, START, DURATION };
    if (col[VALUE] <= col[GENERATION])
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: 'value' before 'generation'", path);
    run->n_params = (size_t)(col[VALUE] - col[GENERATION] - 1);
    size_t first_param = (size_t)col[GENERATION] + 1, width = csv_width(t, 0);
    run->params = calloc(run->n_params ? run->n_params : 1, sizeof *run->params);
    run->trials = calloc(t->n_rows ? t->n_rows : 1, sizeof *run->trials);
    run->x = calloc(t->n_rows * (run->n_params ? run->n_params : 1), sizeof *run->x);
    if (!run->params || !run->trials || !run->x)
        return ATOLL_NOMEM("the trials");
    for (size_t i = 0; i < run->n_params; i++)
        run->params[i].name = csv_cell(t, 0, first_param + i);
    ATOLL_CALL(read_config(run));
    ATOLL_CALL(read_best_direction(run));
    ATOLL_CALL(read_ranks(run));
    /* A parameter with any non-numeric value is drawn as categories. */
    for (size_t r = 1; r < t->n_rows; r++) {
        if (csv_width(t, r) != width)
            continue;
        for (size_t i = 0; i < run->n_params; i++) {
            const char *s = csv_cell(t, r, first_param + i);
            double v;
            if (*s && !parse_number(s, &v))
                run->params[i].choice = true;
        }
    }
    for (size_t r = 1; r < t->n_rows; r++) {
        double nums[DURATION + 1], duration;
        bool good = csv_width(t, r) == width; /* a cut last row of a killed run is skipped */
        for (int k = TRIAL; good && k <= ISLAND; k++)
            good = parse_number(csv_cell(t, r, (size_t)col[k]), &nums[k]);
        if (!good || !parse_number(csv_cell(t, r, (size_t)col[START]), &nums[START]) ||
            !parse_number(csv_cell(t, r, (size_t)col[DURATION]), &duration))
            continue;
        for (int k = RANK; k <= ISLAND; k++)
            if (nums[k] < 0 || nums[k] > PLOT_MAX_RANK || nums[k] != floor(nums[k]))
                return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s:%zu: bad %s '%s'", path, r + 1,
                                   required[k], csv_cell(t, r, (size_t)col[k]));
        plot_trial *tr = &run->trials[run->n_trials];
        double *x = run->x + run->n_trials * run->n_params;
        tr->trial = fabs(nums[TRIAL]) < 1e15 ? (long)nums[TRIAL] : 0;
        tr->rank = (long)nums[RANK];
        tr->island = (long)nums[ISLAND];
        tr->start = nums[START];
        tr->finish = nums[START] + (duration > 0 ? duration : 0);
        tr->ok = strcmp(csv_cell(t, r, (size_t)col[STATUS]), "ok") == 0 &&
                 parse_number(csv_cell(t, r, (size_t)col[VALUE]), &tr->value);
        for (size_t i = 0; i < run->n_params; i++) {
            const char *s = csv_cell(t, r, first_param + i);
            x[i] = NAN;
            if (run->params[i].choice)
                ATOLL_CALL(level_index(&run->params[i], s, &x[i]));
            else
                parse_number(s, &x[i]);
        }
        if (tr->ok && (run->n_ok == 0 || better(run, tr->value, run->trials[run->best].value) ||
                       (tr->value == run->trials[run->best].value &&
                        tr->trial < run->trials[run->best].trial)))
            run->best = run->n_trials;
        run->n_ok += tr->ok;
        if (tr->finish > run->wall_s)
            run->wall_s = tr->finish;
        ATOLL_CALL(ensure_rank(run, tr->rank));
        run->n_trials++;
    }
    for (size_t i = 0; i < run->n_params; i++) {
        plot_param *p = &run->params[i];
        p->low = INFINITY;
        p->high = -INFINITY;
        p->discrete = !p->choice;
        for (size_t k = 0; k < run->n_trials && p->discrete; k++) {
            double v = run->x[k * run->n_params + i];
            if (isnan(v))
                continue;
            p->discrete = v == floor(v);
            p->low = fmin(p->low, v);
            p->high = fmax(p->high, v);
        }
        p->discrete = p->discrete && p->high - p->low <= PLOT_MAX_DISCRETE;
    }
    if (run->n_trials == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no trials to plot", path);
    return ATOLL_OK;
}

static void run_free(plot_run *run)
{
    for (size_t i = 0; run->params && i < run->n_params; i++) {
        for (size_t l = 0; l < run->params[i].n_levels; l++)
            free(run->params[i].levels[l]);
        free(run->params[i].levels);
    }
    free(run->params);
    free(run->trials);
    free(run->x);
    free(run->utilisation);
    csv_free(&run->table);
}

/* ---------------------------------------------------------------- gnuplot */

/* Write `s` as a gnuplot double-quoted string (backslash, quote and line break escaped); a tic
 * label is a format too, so `tic` doubles its percent signs. */
static void gp_string(FILE *f, const char *s, bool tic)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '%' && tic)
            fputs("%%", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void gp_quote(FILE *f, const char *s)
{
    gp_string(f, s, false);
}

/* Create `name` in the temporary folder; its path goes into `path`. */
static int tmp_open(const plot_run *run, const char *name, char *path, FILE **out)
{
    ATOLL_CALL(join(path, run->tmp_dir, name));
    if (!(*out = fopen(path, "w")))
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot create: %s", path,
                           strerror(errno));
    return ATOLL_OK;
}

static int tmp_close(const char *path, FILE *f)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad)
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot write", path);
    return ATOLL_OK;
}

/* Remove the temporary folder and everything in it. */
static void tmp_remove(plot_run *run)
{
    if (!run->tmp_dir[0])
        return;
    DIR *d = opendir(run->tmp_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[PLOT_PATH_MAX];
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            join(path, run->tmp_dir, e->d_name) == ATOLL_OK)
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(run->tmp_dir);
    run->tmp_dir[0] = '\0';
}

/* The script's opening: a W x H PNG at `png`, pngcairo when available, no enhanced text (so
 * names like learning_rate print as they are). */
static void gp_begin(FILE *f, int width, int height, const char *png)
{
    fprintf(f,
            "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "  set terminal pngcairo noenhanced size %d,%d font \"Sans,10\"\n"
            "} else {\n"
            "  set terminal png noenhanced size %d,%d\n"
            "}\n"
            "set output ",
            width, height, width, height);
    gp_quote(f, png);
    fputs("\nset datafile missing '?'\n"
          "set grid lc rgb '#dddddd' lt 1\n"
          "set border lc rgb '#444444'\n"
          "set offsets 0, 0, graph 0.04, graph 0.04\n",
          f);
}

/* The first line of gnuplot's error output, for the one-line message. */
static void first_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(buf, (int)size, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[strspn(buf, " \t^")] != '\0')
            break;
        buf[0] = '\0';
    }
    fclose(f);
}

/* Run gnuplot on `script`; a missing gnuplot or a failure is ATOLL_ERR_RUNTIME. */
static int gp_run(const plot_run *run, const char *script, const char *png)
{
    char out_path[PLOT_PATH_MAX], err_path[PLOT_PATH_MAX];
    ATOLL_CALL(join(out_path, run->tmp_dir, "gnuplot.out"));
    ATOLL_CALL(join(err_path, run->tmp_dir, "gnuplot.err"));
    char *argv[] = {"gnuplot", (char *)script, NULL};
    atoll_spawn_spec spec = {.path = "gnuplot",
                             .argv = argv,
                             .envp = environ,
                             .stdout_path = out_path,
                             .stderr_path = err_path,
                             .timeout_s = PLOT_GNUPLOT_TIMEOUT_S,
                             .kill_grace_s = 1.0};
    atoll_spawn_result res;
    ATOLL_CALL(atoll_spawn_run(&spec, &res));
    if (res.end == ATOLL_SPAWN_NOSTART && res.code == ENOENT)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: gnuplot not found on PATH; install it "
                                              "(Debian/Ubuntu: apt-get install gnuplot-nox)");
    if (res.end == ATOLL_SPAWN_NOSTART)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: cannot start gnuplot: %s",
                           strerror(res.code));
    if (res.end != ATOLL_SPAWN_EXITED || res.code != 0) {
        char line[512];
        first_line(err_path, line, sizeof line);
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: gnuplot failed drawing %s%s%s", png,
                           line[0] ? ": " : "", line);
    }
    return ATOLL_OK;
}

/* Writes one picture's data files and script; `data` is the picture's own input or NULL. */
typedef int (*plot_draw_fn)(plot_run *run, const void *data, FILE *script, const char *png);

/* Draw one picture: `draw_fn` writes its data files and script, gnuplot renders it. */
static int draw(plot_run *run, const char *name, plot_draw_fn draw_fn, const void *data)
{
    char png[PLOT_PATH_MAX], script_path[PLOT_PATH_MAX];
    FILE *script = NULL;
    ATOLL_CALL(join(png, run->out_dir, name));
    ATOLL_CALL(tmp_open(run, "script.gp", script_path, &script));
    int rc = draw_fn(run, data, script, png);
    int rc_close = tmp_close(script_path, script);
    if (rc == ATOLL_OK)
        rc = rc_close;
    if (rc == ATOLL_OK)
        rc = gp_run(run, script_path, png);
    if (rc != ATOLL_OK)
        return atoll_error_trace(rc, __FILE__, __LINE__);
    memcpy(run->written[run->n_written++], png, sizeof png);
    return ATOLL_OK;
}

/* Whether values spanning [low, high] read better on a log axis. */
static bool wants_log(double low, double high)
{
    return low > 0 && isfinite(high) && high / low >= 30;
}

/* ---------------------------------------------------------------- convergence.png */

typedef struct {
    double finish;
    long trial;
    size_t index;
} finish_order;

static int by_finish(const void *a, const void *b)
{
    const finish_order *x = a, *y = b;
    if (x->finish != y->finish)
        return x->finish < y->finish ? -1 : 1;
    return (x->trial > y->trial) - (x->trial < y->trial);
}

static int by_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The distinct island ids, sorted; an owned array. */
static int island_ids(const plot_run *run, long **out, size_t *n_out)
{
    long *ids = malloc(run->n_trials * sizeof *ids);
    if (!ids)
        return ATOLL_NOMEM("the islands");
    for (size_t i = 0; i < run->n_trials; i++)
        ids[i] = run->trials[i].island;
    qsort(ids, run->n_trials, sizeof *ids, by_long);
    size_t n = 0;
    for (size_t i = 0; i < run->n_trials; i++)
        if (n == 0 || ids[n - 1] != ids[i])
            ids[n++] = ids[i];
    *out = ids;
    *n_out = n;
    return ATOLL_OK;
}

/* One step line of best-so-far values: rows "evaluations finish best". `island` < 0 is the
 * whole run. Returns in *points how many rows were written (0: no ok trial). */
static int write_best_line(const plot_run *run, const finish_order *order, long island,
                           const char *path, FILE *f, size_t *points, double *low, double *high)
{
    bool have = false;
    double best = 0;
    size_t last = 0;
    *points = 0;
    for (size_t k = 0; k < run->n_trials; k++) {
        const plot_trial *t = &run->trials[order[k].index];
        if (island >= 0 && t->island != island)
            continue;
        last = k;
        if (!t->ok || (have && !better(run, t->value, best)))
            continue;
        best = t->value;
        have = true;
        fprintf(f, "%zu %.9g %.17g\n", k + 1, t->finish, best);
        (*points)++;
        *low = fmin(*low, best);
        *high = fmax(*high, best);
    }
    if (have) {
        fprintf(f, "%zu %.9g %.17g\n", last + 1, run->trials[order[last].index].finish, best);
        (*points)++;
    }
    return tmp_close(path, f);
}

static int draw_convergence(plot_run *run, const void *data, FILE *gp, const char *png)
{
    (void)data;
    finish_order *order = malloc(run->n_trials * sizeof *order);
    long *islands = NULL;
    size_t n_islands = 0;
    int rc = order ? island_ids(run, &islands, &n_islands) : ATOLL_NOMEM("the trial order");
    if (rc != ATOLL_OK) {
        free(order);
        return rc;
    }
    for (size_t i = 0; i < run->n_trials; i++)
        order[i] = (finish_order){run->trials[i].finish, run->trials[i].trial, i};
    qsort(order, run->n_trials, sizeof *order, by_finish);

    /* Data: one file per island with an ok trial, then the whole run (file "all"). */
    plot_path *paths = malloc((n_islands + 1) * sizeof *paths);
    bool *drawn = calloc(n_islands + 1, sizeof *drawn);
    double low = INFINITY, high = -INFINITY;
    if (!paths || !drawn)
        rc = ATOLL_NOMEM("the island lines");
    for (size_t i = 0; i <= n_islands && rc == ATOLL_OK; i++) {
        char name[64];
        snprintf(name, sizeof name, i < n_islands ? "best-island-%zu.dat" : "best-all.dat", i);
        FILE *f;
        size_t points = 0;
        rc = tmp_open(run, name, paths[i], &f);
        if (rc == ATOLL_OK)
            rc = write_best_line(run, order, i < n_islands ? islands[i] : -1, paths[i], f, &points,
                                 &low, &high);
        drawn[i] = points > 0;
    }
    if (rc != ATOLL_OK)
        goto done;

    size_t n_failed = run->n_trials - run->n_ok;
    bool many = n_islands > PLOT_MAX_ISLAND_LINES, islands_too = n_islands > 1;
    gp_begin(gp, 1400, 560, png);
    char title[PLOT_PATH_MAX + 256];
    snprintf(title, sizeof title,
             "Convergence of %s: best value so far (%s), %zu evaluations (%zu not ok), "
             "%zu island%s, best %.6g",
             run->dir, run->maximize ? "maximize" : "minimize", run->n_trials, n_failed, n_islands,
             n_islands == 1 ? "" : "s", run->trials[run->best].value);
    fputs("set multiplot layout 1,2 title ", gp);
    gp_quote(gp, title);
    fprintf(gp,
            " font \",12\"\nset ylabel \"best value so far\"\n"
            "set key %s right box opaque samplen 2\n%s",
            run->maximize ? "bottom" : "top", wants_log(low, high) ? "set logscale y\n" : "");
    /* A few coloured island lines lie on the whole run's thick black line; a grey family of
     * many islands lies under it. */
    for (int panel = 0; panel < 2; panel++) {
        const char *using = panel == 0 ? "1:3" : "2:3";
        fprintf(gp, "set xlabel \"%s\"\n%splot ",
                panel == 0 ? "evaluations (in order of finishing)" : "wall time (s)",
                panel == 0 ? "" : "unset key\n");
        const char *sep = "";
        bool grey_titled = false;
        for (size_t i = 0; i <= n_islands; i++) {
            size_t line = many ? i : (i + n_islands) % (n_islands + 1); /* whole run: n_islands */
            if (!drawn[line] || (line < n_islands && !islands_too))
                continue;
            fputs(sep, gp);
            sep = ", \\\n  ";
            gp_quote(gp, paths[line]);
            if (line == n_islands)
                fprintf(gp, " using %s with steps lw 3 lc rgb 'black' title \"whole run\"", using);
            else if (many)
                fprintf(gp, " using %s with steps lw 1 lc rgb '#a0a0a0' %s", using,
                        grey_titled ? "notitle" : "title \"each island\"");
            else
                fprintf(gp, " using %s with steps lw 1.5 lc rgb '%s' title \"island %ld\"", using,
                        palette[line], islands[line]);
            grey_titled |= many;
        }
        fputc('\n', gp);
    }
    fputs("unset multiplot\n", gp);
done:
    free(paths);
    free(drawn);
    free(islands);
    free(order);
    return rc;
}

/* ---------------------------------------------------------------- timeline.png */

static int draw_timeline(plot_run *run, const void *data, FILE *gp, const char *png)
{
    (void)data;
    char ok_path[PLOT_PATH_MAX], bad_path[PLOT_PATH_MAX];
    FILE *ok_f = NULL, *bad_f = NULL;
    ATOLL_CALL(tmp_open(run, "timeline-ok.dat", ok_path, &ok_f));
    int rc = tmp_open(run, "timeline-bad.dat", bad_path, &bad_f);
    if (rc != ATOLL_OK) {
        fclose(ok_f);
        return rc;
    }
    size_t n_bad = 0;
    for (size_t i = 0; i < run->n_trials; i++) {
        const plot_trial *t = &run->trials[i];
        fprintf(t->ok ? ok_f : bad_f, "%.9g %.9g %ld\n", t->start, t->finish, t->rank);
        n_bad += !t->ok;
    }
    rc = tmp_close(ok_path, ok_f);
    int rc_bad = tmp_close(bad_path, bad_f);
    ATOLL_CALL(rc != ATOLL_OK ? rc : rc_bad);

    int height = 120 + 22 * (int)(run->n_ranks < 60 ? run->n_ranks : 60);
    gp_begin(gp, 1400, height < 420 ? 420 : height, png);
    char title[PLOT_PATH_MAX + 256];
    snprintf(title, sizeof title,
             "Trials per rank over time: %s, %zu trials (%zu not ok) on %ld rank%s in %.3g s",
             run->dir, run->n_trials, n_bad, run->n_ranks, run->n_ranks == 1 ? "" : "s",
             run->wall_s);
    fputs("set title ", gp);
    gp_quote(gp, title);
    fprintf(gp,
            " font \",12\"\nset xlabel \"wall time since the run started (s)\"\n"
            "set xrange [0:%.9g]\nset yrange [%ld.6:-0.6]\nset key outside right top vertical\n"
            "set grid noytics\n",
            run->wall_s > 0 ? run->wall_s : 1.0, run->n_ranks - 1);
    bool have_util = false;
    for (long r = 0; r < run->n_ranks; r++)
        have_util |= !isnan(run->utilisation[r]);
    if (run->n_ranks <= PLOT_MAX_RANK_LABELS) {
        fputs("set ytics (", gp);
        for (long r = 0; r < run->n_ranks; r++) {
            if (have_util && !isnan(run->utilisation[r]))
                fprintf(gp, "%s\"%ld  (%.0f%%%%)\" %ld", r ? ", " : "", r,
                        100 * run->utilisation[r], r);
            else
                fprintf(gp, "%s\"%ld\" %ld", r ? ", " : "", r, r);
        }
        fputs(")\n", gp);
    }
    fprintf(gp, "set ylabel \"%s\"\nplot ",
            have_util && run->n_ranks <= PLOT_MAX_RANK_LABELS ? "rank  (utilisation)" : "rank");
    gp_quote(gp, ok_path);
    fprintf(gp,
            " using (($1+$2)/2):3:1:2:($3-0.4):($3+0.4) with boxxyerror lc rgb '%s' "
            "fs solid 0.85 border lc rgb '#1f4e8c' title \"ok\"",
            PLOT_OK_COLOUR);
    if (n_bad > 0) {
        fputs(", \\\n  ", gp);
        gp_quote(gp, bad_path);
        fprintf(gp,
                " using (($1+$2)/2):3:1:2:($3-0.4):($3+0.4) with boxxyerror lc rgb '%s' "
                "fs solid 0.85 border lc rgb '#7f1010' title \"not ok\"",
                PLOT_BAD_COLOUR);
    }
    fputc('\n', gp);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- params.png */

/* A small deterministic spread around a category's index, so equal choices do not hide
 * each other. */
static double jitter(long trial)
{
    unsigned long h = (unsigned long)trial * 2654435761UL;
    return ((double)(h % 1000) / 1000.0 - 0.5) * 0.36;
}

static void write_param_row(const plot_run *run, size_t i, FILE *f, size_t n_params)
{
    const plot_trial *t = &run->trials[i];
    const double *x = run->x + i * run->n_params;
    for (size_t p = 0; p < n_params; p++) {
        if (isnan(x[p]))
            fputs("? ", f);
        else
            fprintf(f, "%.17g ",
                    run->params[p].choice || run->params[p].discrete ? x[p] + jitter(t->trial)
                                                                     : x[p]);
    }
    fprintf(f, "%.17g\n", t->value);
}

static int draw_params(plot_run *run, const void *data, FILE *gp, const char *png)
{
    (void)data;
    size_t n = run->n_params < PLOT_MAX_PANELS ? run->n_params : PLOT_MAX_PANELS;
    char all_path[PLOT_PATH_MAX], best_path[PLOT_PATH_MAX];
    FILE *all_f = NULL, *best_f = NULL;
    ATOLL_CALL(tmp_open(run, "params.dat", all_path, &all_f));
    int rc = tmp_open(run, "params-best.dat", best_path, &best_f);
    if (rc != ATOLL_OK) {
        fclose(all_f);
        return rc;
    }
    double low = INFINITY, high = -INFINITY;
    for (size_t i = 0; i < run->n_trials; i++) {
        if (!run->trials[i].ok)
            continue;
        write_param_row(run, i, all_f, n);
        low = fmin(low, run->trials[i].value);
        high = fmax(high, run->trials[i].value);
    }
    write_param_row(run, run->best, best_f, n);
    rc = tmp_close(all_path, all_f);
    int rc_best = tmp_close(best_path, best_f);
    ATOLL_CALL(rc != ATOLL_OK ? rc : rc_best);

    size_t cols = 1;
    while (cols * cols < n && cols < 4)
        cols++;
    size_t rows = (n + cols - 1) / cols;
    gp_begin(gp, (int)(cols * 420 + 20), (int)(rows * 330 + 60), png);
    char title[PLOT_PATH_MAX + 256];
    int len =
        snprintf(title, sizeof title,
                 "Parameters against value: %s, %zu ok trials, best (red) %.6g at trial %ld",
                 run->dir, run->n_ok, run->trials[run->best].value, run->trials[run->best].trial);
    if (n < run->n_params && len > 0 && (size_t)len < sizeof title)
        snprintf(title + len, sizeof title - (size_t)len, " (first %zu of %zu parameters)", n,
                 run->n_params);
    fprintf(gp, "set multiplot layout %zu,%zu title ", rows, cols);
    gp_quote(gp, title);
    fprintf(gp, " font \",12\"\nset ylabel \"value\"\nunset key\n%s",
            wants_log(low, high) ? "set logscale y\n" : "");
    for (size_t p = 0; p < n; p++) {
        const plot_param *param = &run->params[p];
        char label[300];
        snprintf(label, sizeof label, "%s%s", param->name,
                 param->log_scale && !param->choice && !param->discrete ? " (log scale)" : "");
        fputs("set xlabel ", gp);
        gp_quote(gp, label);
        fprintf(gp, "\n%s",
                param->log_scale && !param->choice && !param->discrete ? "set logscale x\n"
                                                                       : "unset logscale x\n");
        if (param->choice) {
            fputs("set xtics (", gp);
            for (size_t l = 0; l < param->n_levels; l++) {
                fputs(l ? ", " : "", gp);
                gp_string(gp, param->levels[l], true);
                fprintf(gp, " %zu", l);
            }
            fprintf(gp, ")%s\nset xrange [-0.5:%zu.5]\n",
                    param->n_levels > 6 ? " rotate by 30 right" : " norotate",
                    param->n_levels ? param->n_levels - 1 : 0);
        } else if (param->discrete) {
            fprintf(gp, "set xtics 1 norotate\nset xrange [%.17g:%.17g]\n", param->low - 0.5,
                    param->high + 0.5);
        } else {
            fputs("set xtics autofreq norotate\nset xrange [*:*]\n", gp);
        }
        fputs("plot ", gp);
        gp_quote(gp, all_path);
        fprintf(gp, " using %zu:%zu with points pt 7 ps 0.6 lc rgb '#50%s', ", p + 1, n + 1,
                PLOT_OK_COLOUR + 1);
        gp_quote(gp, best_path);
        fprintf(gp, " using %zu:%zu with points pt 7 ps 1.6 lc rgb '%s'\n", p + 1, n + 1,
                PLOT_BAD_COLOUR);
    }
    fputs("unset multiplot\n", gp);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- scaling pictures */

typedef struct {
    double ranks, speedup, efficiency, utilisation;
} scaling_point;

static int by_ranks(const void *a, const void *b)
{
    const scaling_point *x = a, *y = b;
    return (x->ranks > y->ranks) - (x->ranks < y->ranks);
}

typedef struct {
    csv_table table;
    const char *modes[8];
    char paths[8][PLOT_PATH_MAX];
    size_t n_modes;
    size_t n_points;
    double min_ranks, max_ranks, max_speedup, min_speedup, max_efficiency;
} scaling_data;

/* Read DIR/scaling.csv into one data file per mode ("ranks speedup efficiency utilisation",
 * sorted by ranks). */
static int read_scaling(plot_run *run, scaling_data *s)
{
    char path[PLOT_PATH_MAX];
    ATOLL_CALL(join(path, run->dir, "scaling.csv"));
    ATOLL_CALL(csv_read(path, &s->table));
    const csv_table *t = &s->table;
    static const char *const names[] = {"mode", "ranks", "speedup", "efficiency", "utilisation"};
    long col[5];
    for (size_t i = 0; i < 5; i++)
        if ((col[i] = csv_column(t, names[i])) < 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no '%s' column", path, names[i]);
    scaling_point *points = calloc(t->n_rows + 1, sizeof *points);
    if (!points)
        return ATOLL_NOMEM("the scaling points");
    s->min_ranks = s->min_speedup = INFINITY;
    s->max_ranks = s->max_speedup = s->max_efficiency = 0;
    int rc = ATOLL_OK;
    for (size_t r = 1; r < t->n_rows && rc == ATOLL_OK; r++) {
        if (csv_width(t, r) != csv_width(t, 0))
            continue;
        const char *mode = csv_cell(t, r, (size_t)col[0]);
        bool seen = false;
        for (size_t m = 0; m < s->n_modes; m++)
            seen |= strcmp(s->modes[m], mode) == 0;
        if (!seen && s->n_modes < 8)
            s->modes[s->n_modes++] = mode;
    }
    for (size_t m = 0; m < s->n_modes && rc == ATOLL_OK; m++) {
        size_t n = 0;
        for (size_t r = 1; r < t->n_rows; r++) {
            scaling_point *pt = &points[n];
            if (csv_width(t, r) != csv_width(t, 0) ||
                strcmp(csv_cell(t, r, (size_t)col[0]), s->modes[m]) != 0 ||
                !parse_number(csv_cell(t, r, (size_t)col[1]), &pt->ranks) || pt->ranks <= 0 ||
                !parse_number(csv_cell(t, r, (size_t)col[2]), &pt->speedup) ||
                !parse_number(csv_cell(t, r, (size_t)col[3]), &pt->efficiency))
                continue;
            if (!parse_number(csv_cell(t, r, (size_t)col[4]), &pt->utilisation))
                pt->utilisation = NAN;
            n++;
        }
        qsort(points, n, sizeof *points, by_ranks);
        char name[64];
        FILE *f;
        snprintf(name, sizeof name, "scaling-%zu.dat", m);
        rc = tmp_open(run, name, s->paths[m], &f);
        for (size_t i = 0; i < n && rc == ATOLL_OK; i++) {
            scaling_point *pt = &points[i];
            if (isnan(pt->utilisation))
                fprintf(f, "%.9g %.9g %.9g ?\n", pt->ranks, pt->speedup, pt->efficiency);
            else
                fprintf(f, "%.9g %.9g %.9g %.9g\n", pt->ranks, pt->speedup, pt->efficiency,
                        pt->utilisation);
            s->min_ranks = fmin(s->min_ranks, pt->ranks);
            s->max_ranks = fmax(s->max_ranks, pt->ranks);
            s->min_speedup = fmin(s->min_speedup, pt->speedup);
            s->max_speedup = fmax(s->max_speedup, pt->speedup);
            s->max_efficiency = fmax(s->max_efficiency, pt->efficiency);
            s->n_points++;
        }
        if (rc == ATOLL_OK)
            rc = tmp_close(s->paths[m], f);
    }
    free(points);
    if (rc == ATOLL_OK && s->n_points == 0)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no complete scaling point", path);
    return rc;
}

/* Axes shared by both scaling pictures: ranks on a log2 axis, a tic at each power of 2. */
static void scaling_axes(FILE *gp, const scaling_data *s)
{
    fprintf(gp,
            "set xlabel \"MPI ranks\"\nset logscale x 2\nset xrange [%.9g:%.9g]\nset xtics 2\n"
            "set key top left box opaque\n",
            s->min_ranks / 1.3, s->max_ranks * 1.3);
}

static int draw_speedup(plot_run *run, const void *data, FILE *gp, const char *png)
{
    const scaling_data *s = data;
    gp_begin(gp, 900, 640, png);
    fputs("set title ", gp);
    char title[PLOT_PATH_MAX + 128];
    snprintf(title, sizeof title,
             "Speedup against ranks: %s\n"
             "strong: fixed budget, from wall time; weak: budget x ranks, "
             "from eval/s",
             run->dir);
    gp_quote(gp, title);
    fputs(" font \",12\"\n", gp);
    scaling_axes(gp, s);
    double low = fmin(s->min_speedup, s->min_ranks) / 1.3;
    fprintf(gp,
            "set ylabel \"speedup\"\nset logscale y 2\nset yrange [%.9g:%.9g]\n"
            "set ytics (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)\n"
            "plot x with lines dt 2 lw 1.5 lc rgb '#666666' title \"ideal\"",
            low > 0 ? low : 0.5, fmax(s->max_speedup, s->max_ranks) * 1.3);
    for (size_t m = 0; m < s->n_modes; m++) {
        fputs(", \\\n  ", gp);
        gp_quote(gp, s->paths[m]);
        fprintf(gp, " using 1:2 with linespoints pt 7 ps 1.2 lw 2 lc rgb '%s' title ",
                palette[m % PLOT_MAX_ISLAND_LINES]);
        gp_quote(gp, s->modes[m]);
        fputs(", \\\n  ", gp);
        gp_quote(gp, s->paths[m]);
        fprintf(gp,
                " using 1:2:(sprintf('%%.1f', $2)) with labels offset char %s tc rgb '%s' "
                "notitle",
                m % 2 ? "1.5,-0.9" : "-1.5,0.9", palette[m % PLOT_MAX_ISLAND_LINES]);
    }
    fputc('\n', gp);
    return ATOLL_OK;
}

static int draw_efficiency(plot_run *run, const void *data, FILE *gp, const char *png)
{
    const scaling_data *s = data;
    gp_begin(gp, 900, 640, png);
    fputs("set title ", gp);
    char title[PLOT_PATH_MAX + 128];
    snprintf(title, sizeof title,
             "Parallel efficiency (speedup / ranks) and utilisation (busy / wall): %s", run->dir);
    gp_quote(gp, title);
    fputs(" font \",12\"\n", gp);
    scaling_axes(gp, s);
    fprintf(gp,
            "set key bottom left\nset ylabel \"efficiency, utilisation\"\n"
            "set yrange [0:%.9g]\nset ytics 0.1\n"
            "plot 1 with lines dt 2 lw 1.5 lc rgb '#666666' title \"ideal\"",
            fmax(1.1, s->max_efficiency * 1.1));
    for (size_t m = 0; m < s->n_modes; m++) {
        const char *colour = palette[m % PLOT_MAX_ISLAND_LINES];
        char label[128];
        fputs(", \\\n  ", gp);
        gp_quote(gp, s->paths[m]);
        fprintf(gp, " using 1:3 with linespoints pt 7 ps 1.2 lw 2 lc rgb '%s' title ", colour);
        snprintf(label, sizeof label, "%s: efficiency", s->modes[m]);
        gp_quote(gp, label);
        fputs(", \\\n  ", gp);
        gp_quote(gp, s->paths[m]);
        fprintf(gp, " using 1:4 with linespoints pt 6 ps 1.0 lw 1.5 dt 3 lc rgb '%s' title ",
                colour);
        snprintf(label, sizeof label, "%s: utilisation", s->modes[m]);
        gp_quote(gp, label);
        fputs(", \\\n  ", gp);
        gp_quote(gp, s->paths[m]);
        fprintf(gp,
                " using 1:3:(sprintf('%%.2f', $3)) with labels offset char %s tc rgb '%s' "
                "notitle",
                m % 2 ? "1.5,-0.9" : "-1.5,0.9", colour);
    }
    fputc('\n', gp);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- the command */

/* Draw everything DIR holds into out_dir; `run` owns what was read. */
static int plot_folder(plot_run *run, bool has_trials, bool has_scaling)
{
    if (atoll_mkdirs(run->out_dir) != ATOLL_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", atoll_error_message());
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s", why);
    }
    const char *tmp = getenv("TMPDIR");
    int len = snprintf(run->tmp_dir, sizeof run->tmp_dir, "%s/atoll-plot-XXXXXX",
                       tmp && *tmp ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= sizeof run->tmp_dir || !mkdtemp(run->tmp_dir)) {
        int err = errno;
        run->tmp_dir[0] = '\0';
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: cannot create a temporary folder: %s",
                           strerror(err));
    }
    if (has_trials) {
        ATOLL_CALL(read_run(run));
        if (run->n_ok > 0)
            ATOLL_CALL(draw(run, "convergence.png", draw_convergence, NULL));
        ATOLL_CALL(draw(run, "timeline.png", draw_timeline, NULL));
        if (run->n_ok > 0 && run->n_params > 0)
            ATOLL_CALL(draw(run, "params.png", draw_params, NULL));
        if (run->n_ok == 0)
            fprintf(stderr,
                    "atoll plot: no successful trial in %s/trials.csv: "
                    "convergence.png and params.png not drawn\n",
                    run->dir);
    }
    if (has_scaling) {
        scaling_data scaling = {0};
        int rc = read_scaling(run, &scaling);
        if (rc == ATOLL_OK)
            rc = draw(run, "speedup.png", draw_speedup, &scaling);
        if (rc == ATOLL_OK)
            rc = draw(run, "efficiency.png", draw_efficiency, &scaling);
        csv_free(&scaling.table);
        ATOLL_CALL(rc);
    }
    return ATOLL_OK;
}

static int plot_usage(FILE *out, int code)
{
    fputs("usage: atoll plot DIR [--out PNGDIR]\n"
          "  DIR with trials.csv: convergence.png, timeline.png, params.png\n"
          "  DIR with scaling.csv (bench/scaling): speedup.png, efficiency.png\n"
          "  --out PNGDIR  write the PNGs there instead of into DIR\n",
          out);
    return code;
}

int atoll_cli_plot(int argc, char **argv)
{
    plot_run run = {0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return plot_usage(stdout, EXIT_OK);
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            run.out_dir = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0) {
            fprintf(stderr, "atoll plot: --out needs a value\n");
            return EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "atoll plot: unknown option '%s' (see atoll plot --help)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!run.dir) {
            run.dir = argv[i];
        } else {
            fprintf(stderr, "atoll plot: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!run.dir) {
        fprintf(stderr, "atoll plot: no DIR given (see atoll plot --help)\n");
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(run.dir, &st) != 0) {
        fprintf(stderr, "atoll plot: %s: %s\n", run.dir, strerror(errno));
        return EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "atoll plot: %s: not a folder\n", run.dir);
        return EXIT_USAGE;
    }
    if (!run.out_dir)
        run.out_dir = run.dir;
    char trials[PLOT_PATH_MAX], scaling[PLOT_PATH_MAX];
    int rc = join(trials, run.dir, "trials.csv");
    if (rc == ATOLL_OK)
        rc = join(scaling, run.dir, "scaling.csv");
    bool has_trials = rc == ATOLL_OK && is_file(trials),
         has_scaling = rc == ATOLL_OK && is_file(scaling);
    if (rc == ATOLL_OK && !has_trials && !has_scaling)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "atoll plot: %s: no such file (and no scaling.csv): not a run folder",
                         trials);
    if (rc == ATOLL_OK)
        rc = plot_folder(&run, has_trials, has_scaling);
    /* The temporary folder goes first, so that a reader closing stdout early (SIGPIPE) cannot
     * leave it behind. */
    tmp_remove(&run);
    for (size_t i = 0; i < run.n_written; i++)
        printf("wrote %s\n", run.written[i]);
    fflush(stdout);
    run_free(&run);
    if (rc == ATOLL_OK)
        return EXIT_OK;
    fprintf(stderr, "%s\n", atoll_error_message());
    if (getenv("ATOLL_DEBUG"))
        fputs(atoll_error_traceback(), stderr);
    return rc == ATOLL_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
}
