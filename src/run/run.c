/* run.c - one island per rank: ask, evaluate, tell, migrate, agree on stop, report. */
#include "run/run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/trials.h"
#include "run/report.h"

/* Why a rank asked the run to stop (the largest reason over ranks wins the label). */
enum { STOP_BUDGET = 0, STOP_TARGET = 1, STOP_TIME = 2 };
static const char *const stop_names[] = {"budget", "target", "time_limit"};

/* Everything one rank holds while its island searches. */
typedef struct {
    const atoll_run_desc *d;
    atoll_comm *comm;
    int rank, n_islands, island;
    atoll_strategy_env env;
    void *strategy;
    void *objective;
    double *x, *row, *out, *out_score, *in;
    atoll_value *values;
    size_t dim, width;
    long accepted;
    double t0;
} island_run;

/* Split the budget: equal shares, remainders to the lowest islands. */
static void split_budget(long total, int n_islands, int island, long *share, long *offset)
{
    long base = total / n_islands, extra = total % n_islands;
    *share = base + (island < extra ? 1 : 0);
    *offset = base * island + (island < extra ? island : extra);
}

/* Rank 0: make the output folder and the files that open the run. */
static int open_outputs(const atoll_run_desc *d, const atoll_run_options *opt,
                        atoll_trials **log)
{
    ATOLL_CALL(atoll_mkdirs(d->out));
    size_t n = strlen(d->out) + 32;
    char *path = malloc(n);
    if (!path)
        return ATOLL_NOMEM("a file name");
    int rc = ATOLL_OK;
    struct stat st;
    snprintf(path, n, "%s/trials.csv", d->out);
    if (!opt->force && stat(path, &st) == 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "%s: already holds a run (trials.csv); choose another --out or add "
                         "--force to overwrite it",
                         d->out);
        goto done;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        rc = ATOLL_NOMEM("the resolved config");
        goto done;
    }
    rc = atoll_config_write(d->cfg, f);
    fclose(f);
    if (rc == ATOLL_OK) {
        snprintf(path, n, "%s/config.ini", d->out);
        rc = atoll_write_atomic(path, text, len);
    }
    free(text);
    if (rc == ATOLL_OK) {
        snprintf(path, n, "%s/trials.csv", d->out);
        rc = atoll_trials_open(path, d->space, log);
    }
done:
    free(path);
    return rc;
}

static int island_create(island_run *r, const atoll_run_desc *d, atoll_comm *comm, double t0)
{
    memset(r, 0, sizeof *r);
    r->d = d;
    r->comm = comm;
    r->t0 = t0;
    r->rank = atoll_comm_rank(comm);
    r->n_islands = atoll_comm_size(comm);
    r->island = r->rank;
    r->dim = d->space->n;
    r->width = ATOLL_ROW_X + r->dim;
    r->env.seed = d->seed;
    r->env.island = r->island;
    r->env.n_islands = r->n_islands;
    r->env.total_budget = d->evaluations;
    split_budget(d->evaluations, r->n_islands, r->island, &r->env.budget,
                 &r->env.budget_offset);
    size_t m = d->migration.migrants > 0 ? (size_t)d->migration.migrants : 1;
    size_t k = (size_t)r->n_islands;
    r->x = malloc(r->dim * sizeof *r->x);
    r->row = malloc(r->width * sizeof *r->row);
    r->values = calloc(r->dim, sizeof *r->values);
    r->out = malloc(m * (r->dim + 1) * sizeof *r->out);
    r->out_score = malloc(m * sizeof *r->out_score);
    r->in = malloc(k * m * (r->dim + 1) * sizeof *r->in);
    if (!r->x || !r->row || !r->values || !r->out || !r->out_score || !r->in)
        return ATOLL_NOMEM("island workspaces");
    ATOLL_CALL(d->strategy->create(d->strategy_params, d->space, &r->env, &r->strategy));
    atoll_objective_env oenv = {.seed = d->seed, .rank = r->rank, .out_dir = d->out};
    ATOLL_CALL(d->objective->create(d->objective_params, d->space, &oenv, &r->objective));
    return ATOLL_OK;
}

static void island_destroy(island_run *r)
{
    if (r->strategy)
        r->d->strategy->destroy(r->strategy);
    if (r->objective)
        r->d->objective->destroy(r->objective);
    free(r->x);
    free(r->row);
    free(r->values);
    free(r->out);
    free(r->out_score);
    free(r->in);
}

/* Exchange migrants at `epoch` and hand the immigrants to the strategy. */
static int migrate(island_run *r, long epoch, atoll_stop_state *st)
{
    const atoll_migration *mig = &r->d->migration;
    size_t w = r->dim + 1, m = (size_t)mig->migrants;
    double *xs = r->in; /* emigrants are packed into `out` as (x, score) records */
    size_t n_out = r->d->strategy->emigrants(r->strategy, m, xs, r->out_score);
    for (size_t i = 0; i < n_out; i++) {
        memcpy(r->out + i * w, xs + i * r->dim, r->dim * sizeof *xs);
        r->out[i * w + r->dim] = r->out_score[i];
    }
    size_t cap = (size_t)r->n_islands * m, n_in = 0;
    ATOLL_CALL(atoll_comm_migrate(r->comm, mig->topology, r->d->seed, epoch, r->out, n_out, w,
                                  r->in, cap, &n_in, st));
    if (n_in == 0)
        return ATOLL_OK;
    /* Unpack in place: coordinates first, then scores after them. */
    double *scores = malloc(n_in * sizeof *scores);
    double *coords = malloc(n_in * r->dim * sizeof *coords);
    if (!scores || !coords) {
        free(scores);
        free(coords);
        return ATOLL_NOMEM("immigrants");
    }
    for (size_t i = 0; i < n_in; i++) {
        memcpy(coords + i * r->dim, r->in + i * w, r->dim * sizeof *coords);
        scores[i] = r->in[i * w + r->dim];
    }
    size_t accepted = 0;
    int rc = r->d->strategy->immigrate(r->strategy, n_in, coords, scores, &accepted);
    r->accepted += (long)accepted;
    free(scores);
    free(coords);
    return rc;
}

/* Evaluate one asked point and hand its row to rank 0. */
static int evaluate(island_run *r, long ticket, long generation, long trial_id)
{
    const atoll_run_desc *d = r->d;
    atoll_space_decode(d->space, r->x, r->values);
    atoll_trial_ctx ctx = {.trial = trial_id,
                           .seed = atoll_rng_seed(d->seed, ATOLL_STREAM_OBJECTIVE,
                                                  (uint64_t)trial_id)};
    atoll_eval ev = {.value = NAN, .status = ATOLL_STATUS_FAILED};
    double start = atoll_now();
    ATOLL_CALL(d->objective->evaluate(r->objective, r->values, &ctx, &ev));
    double end = atoll_now();
    if (ev.status == ATOLL_STATUS_OK && !isfinite(ev.value))
        ev.status = ATOLL_STATUS_FAILED;
    r->row[ATOLL_ROW_TRIAL] = (double)trial_id;
    r->row[ATOLL_ROW_RANK] = r->rank;
    r->row[ATOLL_ROW_ISLAND] = r->island;
    r->row[ATOLL_ROW_GENERATION] = (double)generation;
    r->row[ATOLL_ROW_STATUS] = ev.status;
    r->row[ATOLL_ROW_VALUE] = ev.status == ATOLL_STATUS_OK ? ev.value : NAN;
    r->row[ATOLL_ROW_START] = start - r->t0;
    r->row[ATOLL_ROW_DURATION] = end - start;
    memcpy(r->row + ATOLL_ROW_X, r->x, r->dim * sizeof *r->x);
    ATOLL_CALL(atoll_comm_row(r->comm, r->row));
    return d->strategy->tell(r->strategy, ticket, atoll_row_score(d, r->row));
}

/* The island's search loop; returns with *reason set when this rank wants the run stopped. */
static int search(island_run *r, atoll_report *rep, int *reason)
{
    const atoll_run_desc *d = r->d;
    const atoll_migration *mig = &d->migration;
    bool migrates = mig->interval > 0 && mig->migrants > 0 && r->n_islands > 1;
    long spent = 0, epoch_seen = 0;
    atoll_stop_state st = {0};
    *reason = STOP_BUDGET;
    while (spent < r->env.budget) {
        ATOLL_CALL(atoll_comm_poll(r->comm));
        if (rep)
            atoll_report_progress(rep, false);
        ATOLL_CALL(atoll_comm_stop_poll(r->comm, false, false, &st));
        if (st.stop)
            break;
        if (d->time_limit > 0 && atoll_now() - r->t0 >= d->time_limit) {
            *reason = STOP_TIME;
            break;
        }
        long ticket = 0, generation = 0;
        bool ready = false;
        ATOLL_CALL(d->strategy->ask(r->strategy, r->x, &ticket, &generation, &ready));
        if (!ready)
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                               d->strategy->name);
        ATOLL_CALL(evaluate(r, ticket, generation, r->env.budget_offset + spent));
        spent++;
        if (d->has_target && r->row[ATOLL_ROW_STATUS] == ATOLL_STATUS_OK &&
            (d->direction == ATOLL_MAXIMIZE ? r->row[ATOLL_ROW_VALUE] >= d->target
                                            : r->row[ATOLL_ROW_VALUE] <= d->target)) {
            *reason = STOP_TARGET;
            break;
        }
        long epoch = d->strategy->epoch(r->strategy);
        if (epoch > epoch_seen) {
            epoch_seen = epoch;
            if (migrates && epoch % mig->interval == 0) {
                ATOLL_CALL(migrate(r, epoch, &st));
                if (st.stop)
                    break;
            }
        }
    }
    return atoll_comm_island_done(r->comm, epoch_seen);
}

int atoll_run(atoll_comm *comm, const atoll_run_desc *d, const atoll_run_options *opt)
{
    int rank = atoll_comm_rank(comm);
    atoll_trials *log = NULL;
    atoll_report rep;
    bool have_rep = false;
    island_run r;
    memset(&r, 0, sizeof r);
    double t0 = atoll_now();
    ATOLL_CALL(atoll_comm_bcast_double(comm, &t0));

    /* Start-up: any rank's failure ends every rank the same way. */
    int local = ATOLL_OK, global = ATOLL_OK;
    if (rank == 0) {
        local = open_outputs(d, opt, &log);
        if (local == ATOLL_OK) {
            local = atoll_report_init(&rep, d, log, t0, opt->quiet);
            have_rep = local == ATOLL_OK;
        }
    }
    if (local == ATOLL_OK)
        local = island_create(&r, d, comm, t0);
    int rc = atoll_comm_agree_status(comm, local, &global);
    if (rc == ATOLL_OK && global != ATOLL_OK)
        rc = local != ATOLL_OK ? local : global;
    if (rc == ATOLL_OK)
        rc = atoll_comm_rows_open(comm, r.width, atoll_report_row, have_rep ? &rep : NULL);
    if (rc != ATOLL_OK) {
        island_destroy(&r);
        if (have_rep)
            atoll_report_free(&rep);
        atoll_trials_close(&log);
        /* A rank that did not fail itself reports nothing: the failing rank speaks. */
        if (local == ATOLL_OK)
            atoll_error_clear();
        return local != ATOLL_OK ? local : global;
    }

    int reason = STOP_BUDGET;
    rc = search(&r, have_rep ? &rep : NULL, &reason);
    if (rc != ATOLL_OK) {
        fprintf(stderr, "atoll: rank %d: %s\n", rank, atoll_error_message());
        atoll_comm_abort(comm, 1);
    }
    atoll_stop_state st;
    ATOLL_CALL(atoll_comm_stop_wait(comm, reason != STOP_BUDGET, &st));
    ATOLL_CALL(atoll_comm_drain(comm));
    double wall = atoll_now() - t0;

    atoll_comm_stats cs;
    atoll_comm_get_stats(comm, &cs);
    long counts[3] = {cs.sent, cs.received, r.accepted}, totals[3];
    ATOLL_CALL(atoll_comm_sum_long(comm, counts, totals, 3));
    double why = reason, why_all = 0;
    ATOLL_CALL(atoll_comm_max_double(comm, &why, &why_all, 1));
    island_destroy(&r);

    if (rank == 0) {
        atoll_run_facts facts = {.ranks = atoll_comm_size(comm),
                                 .islands = atoll_comm_size(comm),
                                 .wall_s = wall,
                                 .stopped_by = stop_names[(int)why_all],
                                 .migrants_sent = totals[0],
                                 .migrants_received = totals[1],
                                 .immigrants_accepted = totals[2]};
        atoll_report_progress(&rep, true);
        rc = atoll_trials_finish(log);
        if (rc == ATOLL_OK)
            rc = atoll_report_write_best(&rep, d->out, &facts);
        if (rc == ATOLL_OK && !opt->quiet)
            atoll_report_summary(&rep, &facts, stdout);
        atoll_report_free(&rep);
        atoll_trials_close(&log);
    }
    return rc;
}
