/* plot_params.c - atoll plot's params.png: one panel per parameter, the value of every ok
 * trial against it, the best trial in red. */
#include <math.h>

#include "cli/plot_impl.h"
#include "core/error.h"

/* A small deterministic spread around a category's index, so equal choices do not hide
 * each other. */
static double jitter(long trial)
{
    unsigned long h = (unsigned long)trial * 2654435761UL;
    return ((double)(h % 1000) / 1000.0 - 0.5) * 0.36;
}

/* Trial i's first n_params parameters and its value, as one data row. */
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

/* The x axis of one parameter's panel: categories, whole numbers, or a real (log) axis. */
static void param_axis(FILE *gp, const plot_param *param)
{
    bool log_axis = param->log_scale && !param->choice && !param->discrete;
    char label[300];
    snprintf(label, sizeof label, "%s%s", param->name, log_axis ? " (log scale)" : "");
    fputs("set xlabel ", gp);
    atoll_plot_gp_quote(gp, label);
    fprintf(gp, "\n%s", log_axis ? "set logscale x\n" : "unset logscale x\n");
    if (param->choice) {
        fputs("set xtics (", gp);
        for (size_t l = 0; l < param->n_levels; l++) {
            fputs(l ? ", " : "", gp);
            atoll_plot_gp_string(gp, param->levels[l], true);
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
}

int atoll_plot_params(plot_run *run, const void *data, FILE *gp, const char *png)
{
    (void)data;
    size_t n = run->n_params < PLOT_MAX_PANELS ? run->n_params : PLOT_MAX_PANELS;
    char all_path[PLOT_PATH_MAX], best_path[PLOT_PATH_MAX];
    FILE *all_f = NULL, *best_f = NULL;
    ATOLL_CALL(atoll_plot_tmp_open2(run, "params.dat", all_path, &all_f, "params-best.dat",
                                    best_path, &best_f));
    double low = INFINITY, high = -INFINITY;
    for (size_t i = 0; i < run->n_trials; i++) {
        if (!run->trials[i].ok)
            continue;
        write_param_row(run, i, all_f, n);
        low = fmin(low, run->trials[i].value);
        high = fmax(high, run->trials[i].value);
    }
    write_param_row(run, run->best, best_f, n);
    ATOLL_CALL(atoll_plot_tmp_close2(all_path, all_f, best_path, best_f));

    size_t cols = 1;
    while (cols * cols < n && cols < 4)
        cols++;
    size_t rows = (n + cols - 1) / cols;
    atoll_plot_gp_begin(gp, (int)(cols * 420 + 20), (int)(rows * 330 + 60), png);
    char title[PLOT_PATH_MAX + 256];
    int len =
        snprintf(title, sizeof title,
                 "Parameters against value: %s, %zu ok trials, best (red) %.6g at trial %ld",
                 run->dir, run->n_ok, run->trials[run->best].value, run->trials[run->best].trial);
    if (n < run->n_params && len > 0 && (size_t)len < sizeof title)
        snprintf(title + len, sizeof title - (size_t)len, " (first %zu of %zu parameters)", n,
                 run->n_params);
    fprintf(gp, "set multiplot layout %zu,%zu title ", rows, cols);
    atoll_plot_gp_title(gp, title);
    fprintf(gp, "set ylabel \"value\"\nunset key\n%s",
            plot_wants_log(low, high) ? "set logscale y\n" : "");
    for (size_t p = 0; p < n; p++) {
        param_axis(gp, &run->params[p]);
        fputs("plot ", gp);
        atoll_plot_gp_quote(gp, all_path);
        /* The ok colour with alpha 0x50 in front (#AARRGGBB): see-through points. */
        fprintf(gp, " using %zu:%zu with points pt 7 ps 0.6 lc rgb '#50%s', ", p + 1, n + 1,
                &PLOT_OK_COLOUR[1]);
        atoll_plot_gp_quote(gp, best_path);
        fprintf(gp, " using %zu:%zu with points pt 7 ps 1.6 lc rgb '%s'\n", p + 1, n + 1,
                PLOT_BAD_COLOUR);
    }
    fputs("unset multiplot\n", gp);
    return ATOLL_OK;
}
