/* plot_convergence.c - atoll plot's convergence.png: the best value so far, against
 * evaluations and against wall time, for the whole run and for each island. */
#include <math.h>
#include <stdlib.h>

#include "cli/plot_impl.h"
#include "core/error.h"

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
        if (!t->ok || (have && !plot_better(run, t->value, best)))
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
    return atoll_plot_tmp_close(path, f);
}

int atoll_plot_convergence(plot_run *run, const void *data, FILE *gp, const char *png)
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
        rc = atoll_plot_tmp_open(run, name, paths[i], &f);
        if (rc == ATOLL_OK)
            rc = write_best_line(run, order, i < n_islands ? islands[i] : -1, paths[i], f, &points,
                                 &low, &high);
        drawn[i] = points > 0;
    }
    if (rc != ATOLL_OK)
        goto done;

    size_t n_failed = run->n_trials - run->n_ok;
    bool many = n_islands > PLOT_MAX_ISLAND_LINES, islands_too = n_islands > 1;
    atoll_plot_gp_begin(gp, 1400, 560, png);
    char title[PLOT_PATH_MAX + 256];
    snprintf(title, sizeof title,
             "Convergence of %s: best value so far (%s), %zu evaluations (%zu not ok), "
             "%zu island%s, best %.6g",
             run->dir, run->maximize ? "maximize" : "minimize", run->n_trials, n_failed, n_islands,
             n_islands == 1 ? "" : "s", run->trials[run->best].value);
    fputs("set multiplot layout 1,2 title ", gp);
    atoll_plot_gp_title(gp, title);
    fprintf(gp,
            "set ylabel \"best value so far\"\n"
            "set key %s right box opaque samplen 2\n%s",
            run->maximize ? "bottom" : "top", plot_wants_log(low, high) ? "set logscale y\n" : "");
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
            atoll_plot_gp_quote(gp, paths[line]);
            if (line == n_islands)
                fprintf(gp, " using %s with steps lw 3 lc rgb 'black' title \"whole run\"", using);
            else if (many)
                fprintf(gp, " using %s with steps lw 1 lc rgb '#a0a0a0' %s", using,
                        grey_titled ? "notitle" : "title \"each island\"");
            else
                fprintf(gp, " using %s with steps lw 1.5 lc rgb '%s' title \"island %ld\"", using,
                        atoll_plot_palette[line], islands[line]);
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
