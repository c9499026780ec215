/* plot_timeline.c - atoll plot's timeline.png: every trial as a bar on its rank's row over
 * wall time, ok and not ok apart, with each rank's utilisation when ranks.csv gave it. */
#include <math.h>

#include "cli/plot_impl.h"
#include "core/error.h"

/* How a data file of "start finish rank" rows is drawn: one bar per trial. */
static void bars(FILE *gp, const char *colour, const char *border, const char *title)
{
    fprintf(gp,
            " using (($1+$2)/2):3:1:2:($3-0.4):($3+0.4) with boxxyerror lc rgb '%s' "
            "fs solid 0.85 border lc rgb '%s' title \"%s\"",
            colour, border, title);
}

int atoll_plot_timeline(plot_run *run, const void *data, FILE *gp, const char *png)
{
    (void)data;
    char ok_path[PLOT_PATH_MAX], bad_path[PLOT_PATH_MAX];
    FILE *ok_f = NULL, *bad_f = NULL;
    ATOLL_CALL(atoll_plot_tmp_open2(run, "timeline-ok.dat", ok_path, &ok_f, "timeline-bad.dat",
                                    bad_path, &bad_f));
    size_t n_bad = 0;
    for (size_t i = 0; i < run->n_trials; i++) {
        const plot_trial *t = &run->trials[i];
        fprintf(t->ok ? ok_f : bad_f, "%.9g %.9g %ld\n", t->start, t->finish, t->rank);
        n_bad += !t->ok;
    }
    ATOLL_CALL(atoll_plot_tmp_close2(ok_path, ok_f, bad_path, bad_f));

    int height = 120 + 22 * (int)(run->n_ranks < 60 ? run->n_ranks : 60);
    atoll_plot_gp_begin(gp, 1400, height < 420 ? 420 : height, png);
    char title[PLOT_PATH_MAX + 256];
    snprintf(title, sizeof title,
             "Trials per rank over time: %s, %zu trials (%zu not ok) on %ld rank%s in %.3g s",
             run->dir, run->n_trials, n_bad, run->n_ranks, run->n_ranks == 1 ? "" : "s",
             run->wall_s);
    fputs("set title ", gp);
    atoll_plot_gp_title(gp, title);
    fprintf(gp,
            "set xlabel \"wall time since the run started (s)\"\n"
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
    atoll_plot_gp_quote(gp, ok_path);
    bars(gp, PLOT_OK_COLOUR, "#1f4e8c", "ok");
    if (n_bad > 0) {
        atoll_plot_gp_next(gp, bad_path);
        bars(gp, PLOT_BAD_COLOUR, "#7f1010", "not ok");
    }
    fputc('\n', gp);
    return ATOLL_OK;
}
