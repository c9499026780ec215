/* plot_read.c - atoll plot: a run folder read as the run left it, into a plot_run. */

/*
 * trials.csv is read by its header, so the objective's extra columns and any parameter set
 * work: the parameters are the columns between "generation" and "value". ranks.csv adds
 * per-rank utilisation, config.ini the choice values and log scales, best.json the
 * direction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plot_impl.h"
#include "core/config.h"
#include "core/error.h"

/* Whether `v` can be a rank or island id (larger ones are a damaged log). */
static bool is_id(double v)
{
    return v >= 0 && v <= PLOT_MAX_RANK && v == floor(v);
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
    ATOLL_CALL(atoll_plot_join(path, run->dir, "config.ini"));
    atoll_config *cfg = NULL;
    if (!atoll_plot_is_file(path) || atoll_config_load(path, &cfg) != ATOLL_OK)
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
    ATOLL_CALL(atoll_plot_join(path, run->dir, "best.json"));
    if (!atoll_plot_is_file(path))
        return ATOLL_OK;
    ATOLL_CALL(atoll_plot_read_file(path, &text, &len));
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
    ATOLL_CALL(atoll_plot_join(path, run->dir, "ranks.csv"));
    if (!atoll_plot_is_file(path))
        return ATOLL_OK;
    plot_csv t;
    ATOLL_CALL(atoll_plot_csv_read(path, &t));
    long c_rank = atoll_plot_csv_column(&t, "rank"),
         c_util = atoll_plot_csv_column(&t, "utilisation"),
         c_wall = atoll_plot_csv_column(&t, "wall_s");
    int rc = ATOLL_OK;
    for (size_t r = 1; r < t.n_rows && c_rank >= 0 && rc == ATOLL_OK; r++) {
        double rank, v;
        if (!plot_csv_complete(&t, r) ||
            !atoll_plot_parse_number(plot_csv_cell(&t, r, (size_t)c_rank), &rank) || !is_id(rank) ||
            (rc = ensure_rank(run, (long)rank)) != ATOLL_OK)
            continue;
        if (c_util >= 0 && atoll_plot_parse_number(plot_csv_cell(&t, r, (size_t)c_util), &v))
            run->utilisation[(long)rank] = v;
        if (c_wall >= 0 && atoll_plot_parse_number(plot_csv_cell(&t, r, (size_t)c_wall), &v) &&
            v > run->wall_s)
            run->wall_s = v;
    }
    atoll_plot_csv_free(&t);
    return rc;
}

/* Each parameter's range over the trials, and whether it takes few whole numbers. */
static void param_ranges(plot_run *run)
{
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
}

int atoll_plot_run_read(plot_run *run)
{
    char path[PLOT_PATH_MAX];
    ATOLL_CALL(atoll_plot_join(path, run->dir, "trials.csv"));
    ATOLL_CALL(atoll_plot_csv_read(path, &run->table));
    const plot_csv *t = &run->table;
    static const char *const required[] = {"trial", "rank",   "island",  "generation",
                                           "value", "status", "start_s", "duration_s"};
    long col[8];
    for (size_t i = 0; i < 8; i++)
        if ((col[i] = atoll_plot_csv_column(t, required[i])) < 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "atoll plot: %s: not an atoll trial log (no '%s' column)", path,
                               required[i]);
    enum { TRIAL, RANK, ISLAND, GENERATION, VALUE, STATUS, START, DURATION };
    if (col[VALUE] <= col[GENERATION])
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: 'value' before 'generation'", path);
    run->n_params = (size_t)(col[VALUE] - col[GENERATION] - 1);
    size_t first_param = (size_t)col[GENERATION] + 1;
    run->params = calloc(run->n_params ? run->n_params : 1, sizeof *run->params);
    run->trials = calloc(t->n_rows ? t->n_rows : 1, sizeof *run->trials);
    run->x = calloc(t->n_rows * (run->n_params ? run->n_params : 1), sizeof *run->x);
    if (!run->params || !run->trials || !run->x)
        return ATOLL_NOMEM("the trials");
    for (size_t i = 0; i < run->n_params; i++)
        run->params[i].name = plot_csv_cell(t, 0, first_param + i);
    ATOLL_CALL(read_config(run));
    ATOLL_CALL(read_best_direction(run));
    ATOLL_CALL(read_ranks(run));
    /* A parameter with any non-numeric value is drawn as categories. */
    for (size_t r = 1; r < t->n_rows; r++) {
        if (!plot_csv_complete(t, r))
            continue;
        for (size_t i = 0; i < run->n_params; i++) {
            const char *s = plot_csv_cell(t, r, first_param + i);
            double v;
            if (*s && !atoll_plot_parse_number(s, &v))
                run->params[i].choice = true;
        }
    }
    for (size_t r = 1; r < t->n_rows; r++) {
        double nums[DURATION + 1], duration;
        bool good = plot_csv_complete(t, r); /* a cut last row of a killed run is skipped */
        for (int k = TRIAL; good && k <= ISLAND; k++)
            good = atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[k]), &nums[k]);
        if (!good ||
            !atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[START]), &nums[START]) ||
            !atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[DURATION]), &duration))
            continue;
        for (int k = RANK; k <= ISLAND; k++)
            if (!is_id(nums[k]))
                return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s:%zu: bad %s '%s'", path, r + 1,
                                   required[k], plot_csv_cell(t, r, (size_t)col[k]));
        plot_trial *tr = &run->trials[run->n_trials];
        double *x = run->x + run->n_trials * run->n_params;
        tr->trial = fabs(nums[TRIAL]) < 1e15 ? (long)nums[TRIAL] : 0;
        tr->rank = (long)nums[RANK];
        tr->island = (long)nums[ISLAND];
        tr->start = nums[START];
        tr->finish = nums[START] + (duration > 0 ? duration : 0);
        tr->ok = strcmp(plot_csv_cell(t, r, (size_t)col[STATUS]), "ok") == 0 &&
                 atoll_plot_parse_number(plot_csv_cell(t, r, (size_t)col[VALUE]), &tr->value);
        for (size_t i = 0; i < run->n_params; i++) {
            const char *s = plot_csv_cell(t, r, first_param + i);
            x[i] = NAN;
            if (run->params[i].choice)
                ATOLL_CALL(level_index(&run->params[i], s, &x[i]));
            else
                atoll_plot_parse_number(s, &x[i]);
        }
        if (tr->ok &&
            (run->n_ok == 0 || plot_better(run, tr->value, run->trials[run->best].value) ||
             (tr->value == run->trials[run->best].value &&
              tr->trial < run->trials[run->best].trial)))
            run->best = run->n_trials;
        run->n_ok += tr->ok;
        if (tr->finish > run->wall_s)
            run->wall_s = tr->finish;
        ATOLL_CALL(ensure_rank(run, tr->rank));
        run->n_trials++;
    }
    param_ranges(run);
    if (run->n_trials == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll plot: %s: no trials to plot", path);
    return ATOLL_OK;
}

void atoll_plot_run_free(plot_run *run)
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
    atoll_plot_csv_free(&run->table);
}
