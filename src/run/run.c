/* run.c - one island per rank: ask, evaluate, tell, migrate, agree on stop, report. */
#include "run/run.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/trials.h"
#include "run/report.h"

/* Set by SIGUSR1: this rank asks for a checkpoint at the next stop-agreement round. */
static volatile sig_atomic_t checkpoint_signal;

static void on_checkpoint_signal(int sig)
{
    (void)sig;
    checkpoint_signal = 1;
}

/* Why a rank asked the run to stop (the largest reason over ranks wins the label). */
enum { STOP_BUDGET = 0, STOP_TARGET = 1, STOP_TIME = 2, STOP_FAILURES = 3 };
static const char *const stop_names[] = {"budget", "target", "time_limit", "max_failures"};

/* A leader's own evaluation, run on a helper thread so that its main thread keeps dispatching
 * to the workers meanwhile. The thread only runs the objective; every MPI call stays on the
 * main thread. */
typedef struct {
    pthread_t thread;
    bool running;
    atomic_bool done;
    double *x;
    long ticket, generation, trial;
    atoll_eval ev;
    double start, end;
    int rc;
} background_eval;

/* Everything one rank holds while its island searches. */
typedef struct {
    const atoll_run_desc *d;
    atoll_comm *comm;
    int rank, n_islands, island;
    bool leader;
    int n_workers;     /* the island's other ranks (leader only) */
    bool self_eval;    /* whether the leader evaluates too */
    background_eval bg; /* the leader's own evaluation while it has workers */
    atoll_strategy_env env;
    void *strategy;    /* leader only */
    void *objective;
    double *x, *row, *task;
    /* Migration: records packed as (x, score) to send and received, and the same unpacked
     * for the strategy, all sized once for islands x migrants. */
    double *out, *in, *mig_x, *mig_score;
    bool *busy;        /* leader: worker w (island rank) holds a task */
    atoll_value *values;
    size_t dim, n_extras, width, task_width;
    long accepted, evaluations, swaps;
    long checkpoints; /* agreed checkpoint points this rank has acted on */
    double busy_s;
    double t0;
} island_run;

/* A task from a leader to a worker: ticket, generation, trial id, then the point. */
enum { TASK_TICKET = 0, TASK_GENERATION, TASK_TRIAL, TASK_X };
/* A result back: ticket, then the row's status and value. */
enum { RESULT_TICKET = 0, RESULT_STATUS, RESULT_VALUE, RESULT_WIDTH };

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
        rc = atoll_trials_open(path, d->space,
                               atoll_objective_columns(d->objective, d->objective_params), log);
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
    r->n_islands = atoll_comm_n_islands(comm);
    r->island = atoll_comm_island(comm);
    r->leader = atoll_comm_island_rank(comm) == 0;
    r->n_workers = r->leader ? atoll_comm_island_size(comm) - 1 : 0;
    /* With workers the leader evaluates on a helper thread, which MPI must allow. */
    r->self_eval = (d->leader_evaluates != 0 && atoll_comm_threads_ok(comm)) || r->n_workers == 0;
    r->dim = d->space->n;
    r->n_extras = atoll_objective_n_columns(d->objective, d->objective_params);
    r->width = ATOLL_ROW_X + r->dim + r->n_extras;
    r->task_width = TASK_X + r->dim;
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
    r->task = malloc(r->task_width * sizeof *r->task);
    r->bg.x = malloc(r->dim * sizeof *r->bg.x);
    r->busy = calloc((size_t)r->n_workers + 1, sizeof *r->busy);
    r->values = calloc(r->dim, sizeof *r->values);
    r->out = malloc((m * (r->dim + 1) + 2) * sizeof *r->out);
    r->in = malloc((k * m * (r->dim + 1) + r->dim + 2) * sizeof *r->in);
    r->mig_x = malloc(k * m * r->dim * sizeof *r->mig_x);
    r->mig_score = malloc(k * m * sizeof *r->mig_score);
    if (!r->x || !r->row || !r->task || !r->bg.x || !r->busy || !r->values || !r->out ||
        !r->in || !r->mig_x || !r->mig_score)
        return ATOLL_NOMEM("island workspaces");
    if (r->leader)
        ATOLL_CALL(d->strategy->create(d->strategy_params, d->space, &r->env, &r->strategy));
    atoll_objective_env oenv = {.seed = d->seed,
                                .rank = r->rank,
                                .local_rank = atoll_comm_local_rank(comm),
                                .local_size = atoll_comm_local_size(comm),
                                .out_dir = d->out};
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
    free(r->task);
    free(r->bg.x);
    free(r->busy);
    free(r->values);
    free(r->out);
    free(r->in);
    free(r->mig_x);
    free(r->mig_score);
}

/* Exchange migrants at `epoch` and hand the immigrants to the strategy. */
static int migrate(island_run *r, long epoch, atoll_stop_state *st)
{
    const atoll_migration *mig = &r->d->migration;
    size_t w = r->dim + 1, m = (size_t)mig->migrants;
    size_t n_out = r->d->strategy->emigrants(r->strategy, m, r->mig_x, r->mig_score);
    for (size_t i = 0; i < n_out; i++) {
        memcpy(r->out + i * w, r->mig_x + i * r->dim, r->dim * sizeof *r->out);
        r->out[i * w + r->dim] = r->mig_score[i];
    }
    size_t cap = (size_t)r->n_islands * m, n_in = 0;
    if (mig->async)
        ATOLL_CALL(atoll_comm_migrate_async(r->comm, mig->topology, r->d->seed, epoch, r->out,
                                            n_out, w, r->in, cap, &n_in));
    else
        ATOLL_CALL(atoll_comm_migrate(r->comm, mig->topology, r->d->seed, epoch, r->out, n_out,
                                      w, r->in, cap, &n_in, st));
    for (size_t i = 0; i < n_in; i++) {
        memcpy(r->mig_x + i * r->dim, r->in + i * w, r->dim * sizeof *r->mig_x);
        r->mig_score[i] = r->in[i * w + r->dim];
    }
    size_t accepted = 0;
    if (n_in > 0)
        ATOLL_CALL(r->d->strategy->immigrate(r->strategy, n_in, r->mig_x, r->mig_score,
                                             &accepted));
    r->accepted += (long)accepted;
    return ATOLL_OK;
}

/* Replica exchange at `epoch`: trade (x, score, temperature) with this epoch's ladder partner
 * and let the strategy apply the swap rule with a uniform both partners draw alike. */
static int exchange(island_run *r, long epoch, atoll_stop_state *st)
{
    const atoll_strategy_type *type = r->d->strategy;
    size_t w = r->dim + 2;
    double temperature = 0;
    ATOLL_CALL(type->exchange_state(r->strategy, r->out, &r->out[r->dim], &temperature));
    r->out[r->dim + 1] = temperature;
    /* Partners alternate along the ladder from one exchange round to the next (0-1, 2-3,
     * then 1-2, 3-4), whatever the migration interval. */
    long round = epoch / r->d->migration.interval;
    int to[2], from[2];
    size_t n_to = 0, n_from = 0;
    ATOLL_CALL(atoll_topology_neighbours(ATOLL_TOPOLOGY_PAIRS, r->n_islands, r->island, round,
                                         r->d->seed, to, &n_to, from, &n_from));
    if (n_to == 0)
        return ATOLL_OK;
    bool got = false;
    ATOLL_CALL(atoll_comm_swap(r->comm, to[0], epoch, r->out, w, r->in, &got, st));
    if (!got)
        return ATOLL_OK;
    int low = to[0] < r->island ? to[0] : r->island;
    double u = atoll_rng_uniform_at(r->d->seed, ATOLL_STREAM_EXCHANGE,
                                    (uint64_t)round * (uint64_t)r->n_islands + (uint64_t)low);
    bool swapped = false;
    ATOLL_CALL(type->exchange_accept(r->strategy, r->in, r->in[r->dim], r->in[r->dim + 1], u,
                                     &swapped));
    r->swaps += swapped ? 1 : 0;
    return ATOLL_OK;
}

/* Run the objective on `x` as trial `trial_id` (no MPI: safe on the helper thread). */
static int run_objective(island_run *r, const double *x, long trial_id, atoll_eval *ev,
                         double *start, double *end)
{
    const atoll_run_desc *d = r->d;
    atoll_space_decode(d->space, x, r->values);
    atoll_trial_ctx ctx = {.trial = trial_id,
                           .seed = atoll_rng_seed(d->seed, ATOLL_STREAM_OBJECTIVE,
                                                  (uint64_t)trial_id)};
    ev->value = NAN;
    ev->status = ATOLL_STATUS_FAILED;
    for (size_t j = 0; j < ATOLL_EVAL_EXTRA_MAX; j++)
        ev->extra[j] = NAN;
    *start = atoll_now();
    int rc = d->objective->evaluate(r->objective, r->values, &ctx, ev);
    *end = atoll_now();
    if (ev->status == ATOLL_STATUS_OK && !isfinite(ev->value))
        ev->status = ATOLL_STATUS_FAILED;
    return rc;
}

/* Make the row of a finished evaluation and hand it to rank 0. */
static int finish_row(island_run *r, const double *x, long generation, long trial_id,
                      atoll_eval ev, double start, double end)
{
    r->evaluations++;
    r->busy_s += end - start;
    r->row[ATOLL_ROW_TRIAL] = (double)trial_id;
    r->row[ATOLL_ROW_RANK] = r->rank;
    r->row[ATOLL_ROW_ISLAND] = r->island;
    r->row[ATOLL_ROW_GENERATION] = (double)generation;
    r->row[ATOLL_ROW_STATUS] = ev.status;
    r->row[ATOLL_ROW_VALUE] = ev.status == ATOLL_STATUS_OK ? ev.value : NAN;
    r->row[ATOLL_ROW_START] = start - r->t0;
    r->row[ATOLL_ROW_DURATION] = end - start;
    memcpy(r->row + ATOLL_ROW_X, x, r->dim * sizeof *x);
    memcpy(r->row + ATOLL_ROW_X + r->dim, ev.extra, r->n_extras * sizeof *ev.extra);
    return atoll_comm_row(r->comm, r->row);
}

/* Evaluate the point in `x` as trial `trial_id` and hand its row to rank 0. */
static int evaluate(island_run *r, const double *x, long generation, long trial_id)
{
    atoll_eval ev;
    double start, end;
    ATOLL_CALL(run_objective(r, x, trial_id, &ev, &start, &end));
    return finish_row(r, x, generation, trial_id, ev, start, end);
}

static void *background_main(void *arg)
{
    island_run *r = arg;
    background_eval *bg = &r->bg;
    bg->rc = run_objective(r, bg->x, bg->trial, &bg->ev, &bg->start, &bg->end);
    atomic_store(&bg->done, true);
    return NULL;
}

/* Leader: start its own evaluation of bg.x on the helper thread. */
static int background_start(island_run *r, long ticket, long generation, long trial)
{
    background_eval *bg = &r->bg;
    bg->ticket = ticket;
    bg->generation = generation;
    bg->trial = trial;
    atomic_store(&bg->done, false);
    if (pthread_create(&bg->thread, NULL, background_main, r) != 0)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "cannot start an evaluation thread");
    bg->running = true;
    return ATOLL_OK;
}

/* Leader: collect its own evaluation if it has finished (or wait for it when `wait`), log its
 * row and say whether one was collected. */
static int background_collect(island_run *r, bool wait, bool *collected)
{
    background_eval *bg = &r->bg;
    *collected = false;
    if (!bg->running || (!wait && !atomic_load(&bg->done)))
        return ATOLL_OK;
    pthread_join(bg->thread, NULL);
    bg->running = false;
    ATOLL_CALL(bg->rc);
    ATOLL_CALL(finish_row(r, bg->x, bg->generation, bg->trial, bg->ev, bg->start, bg->end));
    *collected = true;
    return ATOLL_OK;
}

static bool hits_target(const atoll_run_desc *d, atoll_status status, double value)
{
    return d->has_target && status == ATOLL_STATUS_OK &&
           (d->direction == ATOLL_MAXIMIZE ? value >= d->target : value <= d->target);
}

/* Leader: book one result; migrate when it completes a migration epoch. */
static int take_result(island_run *r, long ticket, atoll_status status, double value,
                       long *epoch_seen, int *reason, atoll_stop_state *st)
{
    const atoll_run_desc *d = r->d;
    double score = INFINITY;
    if (status == ATOLL_STATUS_OK && isfinite(value))
        score = d->direction == ATOLL_MAXIMIZE ? -value : value;
    ATOLL_CALL(d->strategy->tell(r->strategy, ticket, score));
    if (hits_target(d, status, value))
        *reason = STOP_TARGET;
    const atoll_migration *mig = &d->migration;
    long epoch = d->strategy->epoch(r->strategy);
    if (epoch > *epoch_seen) {
        *epoch_seen = epoch;
        bool due = mig->interval > 0 && r->n_islands > 1 && epoch % mig->interval == 0;
        if (due && d->strategy->exchanges && d->strategy->exchanges(r->strategy))
            ATOLL_CALL(exchange(r, epoch, st));
        if (due && mig->migrants > 0 && !st->stop)
            ATOLL_CALL(migrate(r, epoch, st));
    }
    return ATOLL_OK;
}

/* Leader: pass a pending SIGUSR1 on to the agreement, and act on every newly agreed
 * checkpoint point. Every rank sees the same rounds carry a checkpoint, so this is where a
 * consistent snapshot of the island's state plugs in. */
static int checkpoint_hook(island_run *r, const atoll_stop_state *st)
{
    if (checkpoint_signal) {
        checkpoint_signal = 0;
        atoll_comm_request_checkpoint(r->comm);
    }
    r->checkpoints = st->checkpoints;
    return ATOLL_OK;
}

/* Leader: run the island's search, farming to workers; *reason says why it ended early. */
static int lead(island_run *r, atoll_report *rep, int *reason)
{
    const atoll_run_desc *d = r->d;
    long issued = 0, in_flight = 0, epoch_seen = 0, backoff_ns = 0;
    atoll_stop_state st = {0};
    double result[RESULT_WIDTH];
    *reason = STOP_BUDGET;
    for (;;) {
        bool progress = false;
        ATOLL_CALL(atoll_comm_poll(r->comm));
        if (rep)
            atoll_report_progress(rep, false);
        ATOLL_CALL(atoll_comm_stop_poll(r->comm, false, false, &st));
        if (st.stop)
            break;
        ATOLL_CALL(checkpoint_hook(r, &st));
        /* Rank 0 sees every row: it stops a run whose trials keep failing. */
        if (rep && d->max_failures > 0 && rep->failed >= d->max_failures) {
            *reason = STOP_FAILURES;
            break;
        }
        if (d->time_limit > 0 && atoll_now() - r->t0 >= d->time_limit) {
            *reason = STOP_TIME;
            break;
        }
        /* Book every result that has come back. */
        for (;;) {
            int worker = 0;
            bool got = false;
            ATOLL_CALL(atoll_comm_result_poll(r->comm, result, RESULT_WIDTH, &worker, &got));
            if (!got)
                break;
            r->busy[worker] = false;
            in_flight--;
            progress = true;
            ATOLL_CALL(take_result(r, (long)result[RESULT_TICKET],
                                   (atoll_status)result[RESULT_STATUS], result[RESULT_VALUE],
                                   &epoch_seen, reason, &st));
            if (st.stop || *reason != STOP_BUDGET)
                goto out;
        }
        bool collected = false;
        ATOLL_CALL(background_collect(r, false, &collected));
        if (collected) {
            progress = true;
            ATOLL_CALL(take_result(r, r->bg.ticket, (atoll_status)r->row[ATOLL_ROW_STATUS],
                                   r->row[ATOLL_ROW_VALUE], &epoch_seen, reason, &st));
            if (st.stop || *reason != STOP_BUDGET)
                goto out;
        }
        if (issued == r->env.budget && in_flight == 0 && !r->bg.running)
            break;
        /* Keep every idle worker busy. */
        for (int w = 1; w <= r->n_workers && issued < r->env.budget; w++) {
            if (r->busy[w])
                continue;
            long ticket = 0, generation = 0;
            bool ready = false;
            ATOLL_CALL(d->strategy->ask(r->strategy, r->task + TASK_X, &ticket, &generation,
                                        &ready));
            if (!ready)
                break;
            r->task[TASK_TICKET] = (double)ticket;
            r->task[TASK_GENERATION] = (double)generation;
            r->task[TASK_TRIAL] = (double)(r->env.budget_offset + issued);
            ATOLL_CALL(atoll_comm_task_send(r->comm, w, r->task, r->task_width));
            r->busy[w] = true;
            in_flight++;
            issued++;
            progress = true;
        }
        /* The leader evaluates too when that is on and work is left: on the helper thread
         * when it has workers to keep busy, inline when it has none. */
        if (r->self_eval && r->n_workers > 0 && !r->bg.running && issued < r->env.budget) {
            long ticket = 0, generation = 0;
            bool ready = false;
            ATOLL_CALL(d->strategy->ask(r->strategy, r->bg.x, &ticket, &generation, &ready));
            if (ready) {
                ATOLL_CALL(background_start(r, ticket, generation,
                                            r->env.budget_offset + issued));
                issued++;
                progress = true;
            } else if (in_flight == 0) {
                return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                                   d->strategy->name);
            }
        } else if (r->self_eval && r->n_workers == 0 && issued < r->env.budget) {
            long ticket = 0, generation = 0;
            bool ready = false;
            ATOLL_CALL(d->strategy->ask(r->strategy, r->x, &ticket, &generation, &ready));
            if (ready) {
                ATOLL_CALL(evaluate(r, r->x, generation, r->env.budget_offset + issued));
                issued++;
                progress = true;
                ATOLL_CALL(take_result(r, ticket, (atoll_status)r->row[ATOLL_ROW_STATUS],
                                       r->row[ATOLL_ROW_VALUE], &epoch_seen, reason, &st));
                if (st.stop || *reason != STOP_BUDGET)
                    break;
            } else if (in_flight == 0) {
                return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                                   d->strategy->name);
            }
        } else if (issued < r->env.budget && in_flight == 0 && !r->bg.running) {
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                               d->strategy->name);
        }
        if (progress)
            backoff_ns = 0;
        else
            atoll_comm_pause(r->comm, &backoff_ns);
    }
out:;
    /* An evaluation the leader started still finishes and is logged: nothing is lost. */
    bool collected = false;
    ATOLL_CALL(background_collect(r, true, &collected));
    ATOLL_CALL(atoll_comm_workers_quit(r->comm));
    return atoll_comm_island_done(r->comm, epoch_seen);
}

/* Worker: evaluate what the leader sends until it says quit. */
static int work(island_run *r)
{
    double result[RESULT_WIDTH];
    for (;;) {
        bool quit = false;
        atoll_stop_state st;
        ATOLL_CALL(atoll_comm_task_wait(r->comm, r->task, r->task_width, &quit, &st));
        if (quit)
            return ATOLL_OK;
        ATOLL_CALL(evaluate(r, r->task + TASK_X, (long)r->task[TASK_GENERATION],
                            (long)r->task[TASK_TRIAL]));
        result[RESULT_TICKET] = r->task[TASK_TICKET];
        result[RESULT_STATUS] = r->row[ATOLL_ROW_STATUS];
        result[RESULT_VALUE] = r->row[ATOLL_ROW_VALUE];
        ATOLL_CALL(atoll_comm_result_send(r->comm, result, RESULT_WIDTH));
    }
}

/* Per-rank accounting gathered on rank 0: DIR/ranks.csv; returns total busy seconds. */
enum { ACCT_ISLAND = 0, ACCT_LEADER, ACCT_EVALS, ACCT_BUSY, ACCT_COMM, ACCT_WALL, ACCT_WIDTH };

static int write_ranks(const atoll_run_desc *d, const double *all, int n_ranks, double *busy)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return ATOLL_NOMEM("ranks.csv");
    fputs("rank,island,role,evaluations,busy_s,idle_s,comm_s,wall_s,utilisation\n", f);
    *busy = 0;
    for (int k = 0; k < n_ranks; k++) {
        const double *a = all + (size_t)k * ACCT_WIDTH;
        double idle = a[ACCT_WALL] - a[ACCT_BUSY] - a[ACCT_COMM];
        fprintf(f, "%d,%.0f,%s,%.0f,%.6f,%.6f,%.6f,%.6f,%.4f\n", k, a[ACCT_ISLAND],
                a[ACCT_LEADER] != 0 ? "leader" : "worker", a[ACCT_EVALS], a[ACCT_BUSY],
                idle > 0 ? idle : 0, a[ACCT_COMM], a[ACCT_WALL],
                a[ACCT_WALL] > 0 ? a[ACCT_BUSY] / a[ACCT_WALL] : 0);
        *busy += a[ACCT_BUSY];
    }
    fclose(f);
    size_t n = strlen(d->out) + 16;
    char *path = malloc(n);
    int rc = path ? ATOLL_OK : ATOLL_NOMEM("a file name");
    if (path) {
        snprintf(path, n, "%s/ranks.csv", d->out);
        rc = atoll_write_atomic(path, text, len);
    }
    free(path);
    free(text);
    return rc;
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
    int n_islands = d->islands > 0 ? (int)d->islands : atoll_comm_size(comm);
    int split_rc = d->islands > atoll_comm_size(comm)
                       ? ATOLL_RAISE(ATOLL_ERR_USAGE,
                                     "%s: [run] islands: must be <= the %d ranks of this job "
                                     "(got %ld)",
                                     atoll_config_path(d->cfg), atoll_comm_size(comm),
                                     d->islands)
                       : atoll_comm_split(comm, n_islands);
    if (split_rc != ATOLL_OK)
        return split_rc;

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

    struct sigaction on_usr1 = {.sa_handler = on_checkpoint_signal, .sa_flags = SA_RESTART}, old_usr1;
    sigemptyset(&on_usr1.sa_mask);
    sigaction(SIGUSR1, &on_usr1, &old_usr1);
    int reason = STOP_BUDGET;
    rc = r.leader ? lead(&r, have_rep ? &rep : NULL, &reason) : work(&r);
    if (rc != ATOLL_OK) {
        fprintf(stderr, "atoll: rank %d: %s\n", rank, atoll_error_message());
        atoll_comm_abort(comm, 1);
    }
    atoll_stop_state st;
    ATOLL_CALL(atoll_comm_stop_wait(comm, reason != STOP_BUDGET, &st));
    sigaction(SIGUSR1, &old_usr1, NULL);
    ATOLL_CALL(atoll_comm_drain(comm));
    double wall = atoll_now() - t0;
    double acct[ACCT_WIDTH] = {r.island, r.leader, (double)r.evaluations, r.busy_s,
                               atoll_comm_seconds(comm), wall};
    double *acct_all = NULL;
    if (rank == 0) {
        acct_all = malloc((size_t)atoll_comm_size(comm) * ACCT_WIDTH * sizeof *acct_all);
        if (!acct_all)
            atoll_comm_abort(comm, 1);
    }
    ATOLL_CALL(atoll_comm_gather_double(comm, acct, acct_all, ACCT_WIDTH));

    atoll_comm_stats cs;
    atoll_comm_get_stats(comm, &cs);
    long counts[4] = {cs.sent, cs.received, r.accepted, r.swaps}, totals[4];
    ATOLL_CALL(atoll_comm_sum_long(comm, counts, totals, 4));
    double why = reason, why_all = 0;
    ATOLL_CALL(atoll_comm_max_double(comm, &why, &why_all, 1));
    island_destroy(&r);

    if (rank == 0) {
        double busy_total = 0;
        rc = write_ranks(d, acct_all, atoll_comm_size(comm), &busy_total);
        free(acct_all);
        atoll_run_facts facts = {.ranks = atoll_comm_size(comm),
                                 .islands = atoll_comm_n_islands(comm),
                                 .utilisation = busy_total / (atoll_comm_size(comm) * wall),
                                 .wall_s = wall,
                                 .stopped_by = stop_names[(int)why_all],
                                 .migrants_sent = totals[0],
                                 .migrants_received = totals[1],
                                 .immigrants_accepted = totals[2],
                                 .replica_swaps = totals[3] / 2,
                                 .checkpoints = st.checkpoints};
        atoll_report_progress(&rep, true);
        if (rc == ATOLL_OK)
            rc = atoll_trials_finish(log);
        if (rc == ATOLL_OK)
            rc = atoll_report_write_best(&rep, d->out, &facts);
        if (rc == ATOLL_OK && !opt->quiet)
            atoll_report_summary(&rep, &facts, stdout);
        long failed = rep.failed;
        atoll_report_free(&rep);
        atoll_trials_close(&log);
        /* Everything that finished is written; the run still failed, and says why. */
        if (rc == ATOLL_OK && (int)why_all == STOP_FAILURES)
            rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME,
                             "%s: stopped after %ld failed trials ([run] max_failures = %ld); "
                             "their status is in trials.csv",
                             d->out, failed, d->max_failures);
    }
    return rc;
}
