/* report.c - rank 0's sink for trial rows: the log, the best so far, progress, best.json. */
#define _DEFAULT_SOURCE
#include "run/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"

double atoll_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double atoll_row_score(const atoll_run_desc *desc, const double *row)
{
    double value = row[ATOLL_ROW_VALUE];
    if ((atoll_status)row[ATOLL_ROW_STATUS] != ATOLL_STATUS_OK || !isfinite(value))
        return INFINITY;
    return desc->direction == ATOLL_MAXIMIZE ? -value : value;
}

int atoll_report_init(atoll_report *rep, const atoll_run_desc *desc, atoll_trials *log,
                      double t0, bool quiet)
{
    memset(rep, 0, sizeof *rep);
    rep->desc = desc;
    rep->log = log;
    rep->width = ATOLL_ROW_X + desc->space->n + atoll_objective_n_columns(desc->objective, desc->objective_params);
    rep->best_row = calloc(rep->width, sizeof *rep->best_row);
    if (!rep->best_row)
        return ATOLL_NOMEM("the best row");
    rep->best_score = INFINITY;
    rep->t0 = t0;
    rep->tty = isatty(STDERR_FILENO);
    rep->quiet = quiet;
    return ATOLL_OK;
}

void atoll_report_free(atoll_report *rep)
{
    free(rep->best_row);
    rep->best_row = NULL;
}

int atoll_report_row(const double *row, void *ctx)
{
    atoll_report *rep = ctx;
    ATOLL_CALL(atoll_trials_append(rep->log, row));
    atoll_report_count(rep, row);
    return ATOLL_OK;
}

void atoll_report_count(atoll_report *rep, const double *row)
{
    rep->count++;
    double score = atoll_row_score(rep->desc, row);
    if (!isfinite(score)) {
        rep->failed++;
        return;
    }
    /* Ties go to the lower trial id, so the best does not depend on arrival order. */
    if (!rep->have_best || score < rep->best_score ||
        (score == rep->best_score && row[ATOLL_ROW_TRIAL] < rep->best_row[ATOLL_ROW_TRIAL])) {
        rep->have_best = true;
        rep->best_score = score;
        memcpy(rep->best_row, row, rep->width * sizeof *row);
    }
}

void atoll_report_progress(atoll_report *rep, bool final)
{
    if (rep->quiet)
        return;
    double t = atoll_now() - rep->t0;
    double every = rep->tty ? 0.25 : rep->desc->progress_s;
    if (!final && t - rep->last_progress < every)
        return;
    rep->last_progress = t;
    char best[64] = "-";
    if (rep->have_best)
        snprintf(best, sizeof best, "%.6g", rep->best_row[ATOLL_ROW_VALUE]);
    fprintf(stderr, "%s[%8.1fs] %ld/%ld evaluations  best %s  %.1f eval/s%s",
            rep->tty ? "\r" : "", t, rep->count, rep->desc->evaluations, best,
            t > 0 ? (double)rep->count / t : 0.0, rep->tty && !final ? "" : "\n");
    fflush(stderr);
}

/* Write s as a JSON string. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

int atoll_report_write_best(const atoll_report *rep, const char *dir, const atoll_run_facts *fa)
{
    const atoll_run_desc *d = rep->desc;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return ATOLL_NOMEM("best.json");
    const double *b = rep->best_row;
    fputs("{\n  \"value\": ", f);
    json_number(f, rep->have_best ? b[ATOLL_ROW_VALUE] : NAN);
    if (rep->have_best) {
        fprintf(f, ",\n  \"trial\": %.0f,\n  \"rank\": %.0f,\n  \"island\": %.0f,\n"
                   "  \"generation\": %.0f",
                b[ATOLL_ROW_TRIAL], b[ATOLL_ROW_RANK], b[ATOLL_ROW_ISLAND],
                b[ATOLL_ROW_GENERATION]);
        atoll_value *values = calloc(d->space->n, sizeof *values);
        if (!values) {
            fclose(f);
            free(text);
            return ATOLL_NOMEM("decoded values");
        }
        atoll_space_decode(d->space, b + ATOLL_ROW_X, values);
        fputs(",\n  \"params\": {", f);
        for (size_t i = 0; i < d->space->n; i++) {
            fprintf(f, "%s\n    ", i ? "," : "");
            json_string(f, d->space->params[i].name);
            fputs(": ", f);
            if (d->space->params[i].kind == ATOLL_PARAM_CHOICE) {
                json_string(f, values[i].str);
            } else {
                char buf[64];
                atoll_space_format(d->space, i, &values[i], buf, sizeof buf);
                fputs(buf, f);
            }
        }
        fputs("\n  }", f);
        free(values);
    }
    fprintf(f, ",\n  \"evaluations\": %ld,\n  \"budget\": %ld,\n  \"failed\": %ld", rep->count,
            d->evaluations, rep->failed);
    fputs(",\n  \"wall_s\": ", f);
    json_number(f, fa->wall_s);
    fputs(",\n  \"evals_per_s\": ", f);
    json_number(f, fa->wall_s > 0 ? (double)rep->count / fa->wall_s : NAN);
    fputs(",\n  \"utilisation\": ", f);
    json_number(f, fa->utilisation);
    fprintf(f, ",\n  \"ranks\": %d,\n  \"islands\": %d,\n  \"seed\": %llu", fa->ranks,
            fa->islands, (unsigned long long)d->seed);
    fputs(",\n  \"strategy\": ", f);
    json_string(f, d->strategy->name);
    fputs(",\n  \"objective\": ", f);
    json_string(f, d->objective->name);
    fprintf(f, ",\n  \"direction\": \"%s\"",
            d->direction == ATOLL_MAXIMIZE ? "maximize" : "minimize");
    fputs(",\n  \"stopped_by\": ", f);
    json_string(f, fa->stopped_by);
    fprintf(f,
            ",\n  \"migration\": {\"topology\": \"%s\", \"interval\": %ld, \"migrants\": %ld, "
            "\"sent\": %ld, \"received\": %ld, \"accepted\": %ld},\n  \"replica_swaps\": %ld,\n  \"checkpoints\": %ld,\n  "
            "\"checkpoint_write_s\": %.6f,\n  \"checkpoint_bytes\": %ld\n}\n",
            atoll_topology_names[d->migration.topology], d->migration.interval,
            d->migration.migrants, fa->migrants_sent, fa->migrants_received,
            fa->immigrants_accepted, fa->replica_swaps, fa->checkpoints, fa->checkpoint_s,
            fa->checkpoint_bytes);
    if (fclose(f) != 0) {
        free(text);
        return ATOLL_NOMEM("best.json");
    }
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    if (!path) {
        free(text);
        return ATOLL_NOMEM("a file name");
    }
    snprintf(path, n, "%s/best.json", dir);
    int rc = atoll_write_atomic(path, text, len);
    free(path);
    free(text);
    return rc;
}

void atoll_report_summary(const atoll_report *rep, const atoll_run_facts *fa, FILE *out)
{
    const atoll_run_desc *d = rep->desc;
    if (rep->have_best) {
        atoll_value *values = calloc(d->space->n, sizeof *values);
        fprintf(out, "best %.10g at trial %.0f", rep->best_row[ATOLL_ROW_VALUE],
                rep->best_row[ATOLL_ROW_TRIAL]);
        if (values) {
            atoll_space_decode(d->space, rep->best_row + ATOLL_ROW_X, values);
            for (size_t i = 0; i < d->space->n && i < 8; i++) {
                char buf[64];
                atoll_space_format(d->space, i, &values[i], buf, sizeof buf);
                fprintf(out, "%s%s=%s", i ? ", " : " (", d->space->params[i].name, buf);
            }
            fprintf(out, "%s)", d->space->n > 8 ? ", ..." : "");
            free(values);
        }
        fputc('\n', out);
    } else {
        fprintf(out, "no successful trial\n");
    }
    fprintf(out, "%ld evaluations (%ld failed) in %.2f s, %.1f eval/s, %d ranks, %d islands, "
                 "utilisation %.3f; stopped by %s\n",
            rep->count, rep->failed, fa->wall_s,
            fa->wall_s > 0 ? (double)rep->count / fa->wall_s : 0.0, fa->ranks, fa->islands,
            fa->utilisation, fa->stopped_by);
}
