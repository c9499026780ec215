/* plot_impl.h - what the files of atoll plot share: the tables read, the run, the drawing. */
#ifndef ATOLL_CLI_PLOT_IMPL_H
#define ATOLL_CLI_PLOT_IMPL_H

/*
 * Internal to src/cli/plot*.c (and tests/check_plot.c). plot.c is the command (arguments,
 * what to draw); plot_csv.c reads files, CSV tables and numbers; plot_read.c reads a run
 * folder into a plot_run; plot_gnuplot.c owns the temporary folder and runs gnuplot on one
 * script per picture; plot_convergence.c, plot_timeline.c, plot_params.c and plot_scaling.c
 * each write one kind of picture's data files and script. Functions that link across files
 * are named atoll_plot_*; the static inline helpers here are named plot_*.
 */

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
extern const char *const atoll_plot_palette[PLOT_MAX_ISLAND_LINES];
#define PLOT_OK_COLOUR "#3b7dd8"
#define PLOT_BAD_COLOUR "#d62728"

/* ---------------------------------------------------------------- files and CSV tables */

/* A CSV file split into rows of fields, quotes removed; every field points into `text`. */
typedef struct {
    char *text;
    char **cells;
    size_t n_cells, cap_cells;
    size_t *rows; /* rows[r]: index of row r's first cell; rows[n_rows] == n_cells */
    size_t n_rows, cap_rows;
} plot_csv;

/* Read and split the CSV file at `path` into *t, which the caller frees with
 * atoll_plot_csv_free (on failure *t is left empty). Blank lines are skipped; quoted fields
 * lose their quotes and "" becomes ". An unreadable file is ATOLL_ERR_IO naming it. */
int atoll_plot_csv_read(const char *path, plot_csv *t);

/* Free what *t holds and zero it; a zeroed table is fine. */
void atoll_plot_csv_free(plot_csv *t);

/* The header column called `name`, or -1. */
long atoll_plot_csv_column(const plot_csv *t, const char *name);

static inline size_t plot_csv_width(const plot_csv *t, size_t row)
{
    return t->rows[row + 1] - t->rows[row];
}

static inline const char *plot_csv_cell(const plot_csv *t, size_t row, size_t col)
{
    return t->cells[t->rows[row] + col];
}

/* Whether row `row` has as many fields as the header (a cut last row of a killed run has
 * fewer). */
static inline bool plot_csv_complete(const plot_csv *t, size_t row)
{
    return plot_csv_width(t, row) == plot_csv_width(t, 0);
}

/* Read the whole file at `path` into an owned, NUL-terminated *text of *len bytes; an
 * unreadable file is ATOLL_ERR_IO naming it. */
int atoll_plot_read_file(const char *path, char **text, size_t *len);

/* A whole field as a finite number; false for an empty or partly numeric field. */
bool atoll_plot_parse_number(const char *s, double *out);

/* `dir`/`name` into buf (PLOT_PATH_MAX bytes), trailing slashes of dir dropped; a path too
 * long is ATOLL_ERR_USAGE. */
int atoll_plot_join(char *buf, const char *dir, const char *name);

/* Whether `path` is a regular file. */
bool atoll_plot_is_file(const char *path);

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

/* One `atoll plot DIR`: what was read from DIR, the temporary folder, the PNGs written. */
typedef struct {
    const char *dir, *out_dir;
    char tmp_dir[PLOT_PATH_MAX];
    plot_csv table;
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

/* Read DIR/trials.csv (with config.ini, best.json and ranks.csv when present) into `run`,
 * whose dir is set. A log that is not atoll's, a bad rank or island id, or no trial at all
 * is ATOLL_ERR_USAGE. What was read stays in `run` on failure too: atoll_plot_run_free. */
int atoll_plot_run_read(plot_run *run);

/* Free what atoll_plot_run_read left in `run`. */
void atoll_plot_run_free(plot_run *run);

/* Whether value a is better than b in the run's direction. */
static inline bool plot_better(const plot_run *run, double a, double b)
{
    return run->maximize ? a > b : a < b;
}

/* ---------------------------------------------------------------- gnuplot */

/* Make run->tmp_dir, a private folder under $TMPDIR (default /tmp); ATOLL_ERR_IO if not. */
int atoll_plot_tmp_create(plot_run *run);

/* Remove the temporary folder and everything in it; nothing when there is none. */
void atoll_plot_tmp_remove(plot_run *run);

/* Create `name` in the temporary folder for writing; its path goes into `path`
 * (PLOT_PATH_MAX bytes). */
int atoll_plot_tmp_open(const plot_run *run, const char *name, char *path, FILE **out);

/* Close `f` (created as `path`); a write or close error is ATOLL_ERR_IO. */
int atoll_plot_tmp_close(const char *path, FILE *f);

/* Two data files at once, both open or neither; then both closed, the first error wins. */
int atoll_plot_tmp_open2(const plot_run *run, const char *name1, char *path1, FILE **out1,
                         const char *name2, char *path2, FILE **out2);
int atoll_plot_tmp_close2(const char *path1, FILE *f1, const char *path2, FILE *f2);

/* Write `s` as a gnuplot double-quoted string (backslash, quote and line break escaped); a
 * tic label is a format too, so `tic` doubles its percent signs. */
void atoll_plot_gp_string(FILE *gp, const char *s, bool tic);

/* atoll_plot_gp_string, not a tic label. */
void atoll_plot_gp_quote(FILE *gp, const char *s);

/* A title after the command that takes it ("set title ", "set multiplot ... title "): the
 * quoted text in the larger font, then a line break. */
void atoll_plot_gp_title(FILE *gp, const char *title);

/* The next element of a plot command: the separator, then the quoted data file `path`. */
void atoll_plot_gp_next(FILE *gp, const char *path);

/* The script's opening: a W x H PNG at `png`, pngcairo when available, no enhanced text
 * (so names like learning_rate print as they are). */
void atoll_plot_gp_begin(FILE *gp, int width, int height, const char *png);

/* Writes one picture's data files and script; `data` is the picture's own input or NULL. */
typedef int (*plot_draw_fn)(plot_run *run, const void *data, FILE *script, const char *png);

/* Draw out_dir/`name`: `draw_fn` writes its data files and script into the temporary
 * folder, gnuplot renders it, and the PNG joins run->written. A missing gnuplot or a
 * failure is ATOLL_ERR_RUNTIME. */
int atoll_plot_draw(plot_run *run, const char *name, plot_draw_fn draw_fn, const void *data);

/* Whether values spanning [low, high] read better on a log axis. */
static inline bool plot_wants_log(double low, double high)
{
    return low > 0 && isfinite(high) && high / low >= 30;
}

/* ---------------------------------------------------------------- the pictures */

/* convergence.png: best value so far against evaluations and wall time (needs n_ok > 0). */
int atoll_plot_convergence(plot_run *run, const void *data, FILE *gp, const char *png);

/* timeline.png: every trial as a bar on its rank's row over wall time. */
int atoll_plot_timeline(plot_run *run, const void *data, FILE *gp, const char *png);

/* params.png: one panel per parameter (the first PLOT_MAX_PANELS), value against it, the
 * best trial in red (needs n_ok > 0 and n_params > 0). */
int atoll_plot_params(plot_run *run, const void *data, FILE *gp, const char *png);

/* speedup.png and efficiency.png from DIR/scaling.csv (written by bench/scaling). */
int atoll_plot_scaling(plot_run *run);

#endif
