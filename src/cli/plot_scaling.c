/* plot_scaling.c - atoll plot's pictures of a scaling study (bench/scaling's scaling.csv):
 * speedup.png and efficiency.png, one line per mode (strong, weak) against the rank count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plot_impl.h"
#include "core/error.h"

typedef struct {
    double ranks, speedup, efficiency, utilisation;
} scaling_point;

static int by_ranks(const void *a, const void *b)
{
    const scaling_point *x = a, *y = b;
    return (x->ranks > y->ranks) - (x->ranks < y->ranks);
}

typedef struct {
    plot_csv table;
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
    ATOLL_CALL(atoll_plot_join(path, run->dir, "scaling.csv"));
    ATOLL_CALL(atoll_plot_csv_read(path, &s->table));
    const plot_csv *t = &s->table;
    static const char *const names[] = {"mode", "ranks", "speedup", "efficiency", "utilisation"};
    long col[5];
    for (size_t i = 0; i < 5; i++)
        if ((col[i] = atoll_plot_csv_column(t, names[i])) < 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no '%s' column", path, names[i]);
    scaling_point *points = calloc(t->n_rows + 1, sizeof *points);
    if (!points)
        return ATOLL_NOMEM("the scaling points");
    s->min_ranks = s->min_speedup = INFINITY;
    s->max_ranks = s->max_speedup = s->max_efficiency = 0;
    int rc = ATOLL_OK;
    for (size_t r = 1; r < t->n_rows && rc == ATOLL_OK; r++) {
        if (!plot_csv_complete(t, r))
            continue;
        const char *mode = plot_csv_cell(t, r, (size_t)col[0]);
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
            if (!plot_csv_complete(t, r) ||
                strcmp(plot_csv_cell(t, r, (size_t)col[0]), s->modes[m]) != 0 ||
                !atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[1]), &pt->ranks) ||
                pt->ranks <= 0 ||
                !atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[2]), &pt->speedup) ||
                !atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[3]), &pt->efficiency))
                continue;
            if (!atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[4]), &pt->utilisation))
                pt->utilisation = NAN;
            n++;
        }
        qsort(points, n, sizeof *points, by_ranks);
        char name[64];
        FILE *f;
        snprintf(name, sizeof name, "scaling-%zu.dat", m);
        rc = atoll_plot_tmp_open(run, name, s->paths[m], &f);
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
            rc = atoll_plot_tmp_close(s->paths[m], f);
    }
    free(points);
    if (rc == ATOLL_OK && s->n_points == 0)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no complete scaling point", path);
    return rc;
}

/* The opening both scaling pictures share: the PNG, the title, and ranks on a log2 axis
 * with a tic at each power of 2. */
static void scaling_begin(FILE *gp, const scaling_data *s, const char *png, const char *title)
{
    atoll_plot_gp_begin(gp, 900, 640, png);
    fputs("set title ", gp);
    atoll_plot_gp_title(gp, title);
    fprintf(gp,
            "set xlabel \"MPI ranks\"\nset logscale x 2\nset xrange [%.9g:%.9g]\nset xtics 2\n"
            "set key top left box opaque\n",
            s->min_ranks / 1.3, s->max_ranks * 1.3);
}

/* Mode m's line from its data file: `using` columns, `style` points and line, `title`. */
static void mode_line(FILE *gp, const scaling_data *s, size_t m, const char *using,
                      const char *style, const char *title)
{
    atoll_plot_gp_next(gp, s->paths[m]);
    fprintf(gp, " using 1:%s with linespoints %s lc rgb '%s' title ", using, style,
            atoll_plot_palette[m % PLOT_MAX_ISLAND_LINES]);
    atoll_plot_gp_quote(gp, title);
}

/* Mode m's values of data column `column` printed at its points, `digits` decimals. */
static void mode_labels(FILE *gp, const scaling_data *s, size_t m, int column, int digits)
{
    atoll_plot_gp_next(gp, s->paths[m]);
    fprintf(gp,
            " using 1:%d:(sprintf('%%.%df', $%d)) with labels offset char %s tc rgb '%s' "
            "notitle",
            column, digits, column, m % 2 ? "1.5,-0.9" : "-1.5,0.9",
            atoll_plot_palette[m % PLOT_MAX_ISLAND_LINES]);
}

static int draw_speedup(plot_run *run, const void *data, FILE *gp, const char *png)
{
    const scaling_data *s = data;
    char title[PLOT_PATH_MAX + 128];
    snprintf(title, sizeof title,
             "Speedup against ranks: %s\n"
             "strong: fixed budget, from wall time; weak: budget x ranks, "
             "from eval/s",
             run->dir);
    scaling_begin(gp, s, png, title);
    double low = fmin(s->min_speedup, s->min_ranks) / 1.3;
    fprintf(gp,
            "set ylabel \"speedup\"\nset logscale y 2\nset yrange [%.9g:%.9g]\n"
            "set ytics (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)\n"
            "plot x with lines dt 2 lw 1.5 lc rgb '#666666' title \"ideal\"",
            low > 0 ? low : 0.5, fmax(s->max_speedup, s->max_ranks) * 1.3);
    for (size_t m = 0; m < s->n_modes; m++) {
        mode_line(gp, s, m, "2", "pt 7 ps 1.2 lw 2", s->modes[m]);
        mode_labels(gp, s, m, 2, 1);
    }
    fputc('\n', gp);
    return ATOLL_OK;
}

static int draw_efficiency(plot_run *run, const void *data, FILE *gp, const char *png)
{
    const scaling_data *s = data;
    char title[PLOT_PATH_MAX + 128];
    snprintf(title, sizeof title,
             "Parallel efficiency (speedup / ranks) and utilisation (busy / wall): %s", run->dir);
    scaling_begin(gp, s, png, title);
    fprintf(gp,
            "set key bottom left\nset ylabel \"efficiency, utilisation\"\n"
            "set yrange [0:%.9g]\nset ytics 0.1\n"
            "plot 1 with lines dt 2 lw 1.5 lc rgb '#666666' title \"ideal\"",
            fmax(1.1, s->max_efficiency * 1.1));
    for (size_t m = 0; m < s->n_modes; m++) {
        char label[128];
        snprintf(label, sizeof label, "%s: efficiency", s->modes[m]);
        mode_line(gp, s, m, "3", "pt 7 ps 1.2 lw 2", label);
        snprintf(label, sizeof label, "%s: utilisation", s->modes[m]);
        mode_line(gp, s, m, "4", "pt 6 ps 1.0 lw 1.5 dt 3", label);
        mode_labels(gp, s, m, 3, 2);
    }
    fputc('\n', gp);
    return ATOLL_OK;
}

int atoll_plot_scaling(plot_run *run)
{
    scaling_data scaling = {0};
    int rc = read_scaling(run, &scaling);
    if (rc == ATOLL_OK)
        rc = atoll_plot_draw(run, "speedup.png", draw_speedup, &scaling);
    if (rc == ATOLL_OK)
        rc = atoll_plot_draw(run, "efficiency.png", draw_efficiency, &scaling);
    atoll_plot_csv_free(&scaling.table);
    return rc;
}
