/* run.c - one island per rank: ask, evaluate, tell, migrate, agree on stop, report. */
#include "run/run.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/rng.h"
#include "core/trials.h"
#include "run/island.h"
#include "run/report.h"

/* Why a rank asked the run to stop (the largest reason over ranks wins the label). */
enum { STOP_BUDGET = 0, STOP_TARGET = 1, STOP_TIME = 2, STOP_FAILURES = 3, STOP_SIGNAL = 4 };
static const char *const stop_names[] = {"budget", "target", "time_limit", "max_failures",
                                         "signal"};

/* A result whose evaluation was abandoned at a stop signal: no row, told on resume. */
#define RESULT_ABANDONED (-1.0)

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

/* Whether two resolved configs say the same, the output folder aside (a run resumed from
 * another working directory names it differently). */
static bool same_config(const char *a, const char *b)
{
    for (;;) {
        while (strncmp(a, "out = ", 6) == 0)
            a = strchr(a, '\n') ? strchr(a, '\n') + 1 : a + strlen(a);
        while (strncmp(b, "out = ", 6) == 0)
            b = strchr(b, '\n') ? strchr(b, '\n') + 1 : b + strlen(b);
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0)
            return false;
        if (!ea || !eb)
            return !ea && !eb;
        a = ea + 1;
        b = eb + 1;
    }
}

/* Rank 0, resuming: check the config against the run's own and open its trial log. */
static int open_resumed(const atoll_run_desc *d, atoll_trials **log)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/config.ini", d->out);
    char *now = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&now, &len);
    if (!f)
        return ATOLL_NOMEM("the resolved config");
    int rc = atoll_config_write(d->cfg, f);
    fclose(f);
    unsigned char *then = NULL;
    size_t then_len = 0;
    if (rc == ATOLL_OK && atoll_read_file(path, (size_t)1 << 26, &then, &then_len) != ATOLL_OK) {
        char why[1024];
        snprintf(why, sizeof why, "%s", atoll_error_message());
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s (is %s a run folder?)", why, d->out);
    }
    if (rc == ATOLL_OK && !same_config(now, (const char *)then))
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "%s: the run was started with another config; resume it with its "
                         "own (atoll resume %s)",
                         path, d->out);
    free(now);
    free(then);
    ATOLL_CALL(rc);
    snprintf(path, sizeof path, "%s/trials.csv", d->out);
    size_t cut = 0;
    ATOLL_CALL(atoll_trials_resume(path, d->space,
                                   atoll_objective_columns(d->objective, d->objective_params), log,
                                   &cut));
    if (cut > 0)
        fprintf(stderr, "atoll: %s: cut a torn last record (%zu bytes) from the trial journal\n",
                d->out, cut);
    return ATOLL_OK;
}

/* Whether DIR holds a run that ended on its own (not stopped by a signal). */
static bool run_complete(const atoll_run_desc *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/best.json", d->out);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "\"stopped_by\"") && !strstr(buf, "\"stopped_by\": \"signal\"");
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
    r->flight = calloc((size_t)r->n_workers + 1, sizeof *r->flight);
    r->values = calloc(r->dim, sizeof *r->values);
    r->out = malloc((m * (r->dim + 1) + 2) * sizeof *r->out);
    r->in = malloc((k * m * (r->dim + 1) + r->dim + 2) * sizeof *r->in);
    r->mig_x = malloc(k * m * r->dim * sizeof *r->mig_x);
    r->mig_score = malloc(k * m * sizeof *r->mig_score);
    if (!r->x || !r->row || !r->task || !r->bg.x || !r->flight || !r->values || !r->out ||
        !r->in || !r->mig_x || !r->mig_score)
        return ATOLL_NOMEM("island workspaces");
    for (int w = 0; w <= r->n_workers; w++)
        if (!(r->flight[w].x = malloc(r->dim * sizeof *r->flight[w].x)))
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
    for (int w = 0; r->flight && w <= r->n_workers; w++)
        free(r->flight[w].x);
    for (size_t k = 0; k < r->queue_cap; k++)
        free(r->queue[k].x);
    for (size_t k = 0; k < ISLAND_PACKETS; k++)
        free(r->packets[k].data);
    free(r->flight);
    free(r->queue);
    free(r->replay);
    free(r->x);
    free(r->row);
    free(r->task);
    free(r->bg.x);
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
    if (mig->async) {
        ATOLL_CALL(atoll_comm_migrate_async(r->comm, mig->topology, r->d->seed, epoch, r->out,
                                            n_out, w, r->in, cap, &n_in));
    } else {
        ATOLL_CALL(island_keep_packet(r, epoch, PACKET_MIGRANTS, r->out, n_out, w));
        ATOLL_CALL(atoll_comm_migrate(r->comm, mig->topology, r->d->seed, epoch, r->out, n_out,
                                      w, r->in, cap, &n_in, st));
    }
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
    ATOLL_CALL(island_keep_packet(r, epoch, PACKET_SWAP, r->out, 1, w));
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

/* Whether an evaluation was cut short by a stop signal: it gets no row and runs again when
 * the run resumes. A trial that finished before the signal counts as it is. */
static bool abandoned(const atoll_eval *ev)
{
    return ev->status != ATOLL_STATUS_OK && atoll_interrupted();
}

/* Evaluate the point in `x` as trial `trial_id` and hand its row to rank 0 (*dropped: it was
 * abandoned instead). */
static int evaluate(island_run *r, const double *x, long generation, long trial_id,
                    bool *dropped)
{
    atoll_eval ev;
    double start, end;
    ATOLL_CALL(run_objective(r, x, trial_id, &ev, &start, &end));
    *dropped = abandoned(&ev);
    if (*dropped) {
        r->row[ATOLL_ROW_STATUS] = RESULT_ABANDONED;
        return ATOLL_OK;
    }
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
 * row and say whether one was collected (*dropped: abandoned at a stop signal, no row). */
static int background_collect(island_run *r, bool wait, bool *collected, bool *dropped)
{
    background_eval *bg = &r->bg;
    *collected = *dropped = false;
    if (!bg->running || (!wait && !atomic_load(&bg->done)))
        return ATOLL_OK;
    pthread_join(bg->thread, NULL);
    bg->running = false;
    ATOLL_CALL(bg->rc);
    *collected = true;
    *dropped = abandoned(&bg->ev);
    if (*dropped)
        return ATOLL_OK;
    return finish_row(r, bg->x, bg->generation, bg->trial, bg->ev, bg->start, bg->end);
}

static bool hits_target(const atoll_run_desc *d, atoll_status status, double value)
{
    return d->has_target && status == ATOLL_STATUS_OK &&
           (d->direction == ATOLL_MAXIMIZE ? value >= d->target : value <= d->target);
}

/* Leader: ask for a checkpoint (merged into the next agreement round). */
static void request_checkpoint(island_run *r)
{
    atoll_comm_request_checkpoint(r->comm);
}

/* Leader: migrate and exchange when the strategy has completed a migration epoch. The epoch
 * counts as seen only once both are complete, so a checkpoint never records half of one. */
static int epoch_step(island_run *r, atoll_stop_state *st)
{
    const atoll_run_desc *d = r->d;
    const atoll_migration *mig = &d->migration;
    long epoch = d->strategy->epoch(r->strategy);
    if (epoch <= r->epoch_seen)
        return ATOLL_OK;
    bool due = mig->interval > 0 && r->n_islands > 1 && epoch % mig->interval == 0;
    if (due && d->strategy->exchanges && d->strategy->exchanges(r->strategy))
        ATOLL_CALL(exchange(r, epoch, st));
    if (due && mig->migrants > 0 && !st->stop)
        ATOLL_CALL(migrate(r, epoch, st));
    if (st->stop)
        return ATOLL_OK;
    r->epoch_seen = epoch;
    if (due && d->checkpoint_migrations > 0 && ++r->migrations % d->checkpoint_migrations == 0 &&
        r->island == 0)
        request_checkpoint(r);
    return ATOLL_OK;
}

/* Leader: book one result; migrate when it completes a migration epoch. */
static int take_result(island_run *r, long ticket, atoll_status status, double value,
                       int *reason, atoll_stop_state *st)
{
    const atoll_run_desc *d = r->d;
    double score = INFINITY;
    if (status == ATOLL_STATUS_OK && isfinite(value))
        score = d->direction == ATOLL_MAXIMIZE ? -value : value;
    ATOLL_CALL(d->strategy->tell(r->strategy, ticket, score));
    if (hits_target(d, status, value))
        *reason = STOP_TARGET;
    return epoch_step(r, st);
}

/* Leader: the next task to hand out: one waiting in the queue, else the strategy's next point
 * as the island's next trial id. *ready = false when the strategy must wait. */
static int next_task(island_run *r, double *x, long *ticket, long *generation, long *trial,
                     bool *ready)
{
    if (r->queue_next < r->n_queue) {
        island_task *t = &r->queue[r->queue_next++];
        memcpy(x, t->x, r->dim * sizeof *x);
        *ticket = t->ticket;
        *generation = t->generation;
        *trial = t->trial;
        *ready = true;
        if (r->queue_next == r->n_queue)
            r->queue_next = r->n_queue = 0;
        return ATOLL_OK;
    }
    *ready = false;
    if (r->issued >= r->env.budget)
        return ATOLL_OK;
    ATOLL_CALL(r->d->strategy->ask(r->strategy, x, ticket, generation, ready));
    if (*ready)
        *trial = r->env.budget_offset + r->issued++;
    return ATOLL_OK;
}

/* Whether a task is left to hand out. */
static bool work_left(const island_run *r)
{
    return r->issued < r->env.budget || r->queue_next < r->n_queue;
}

/* Leader, resuming: when the log already holds trial `trial`, tell the strategy its result
 * instead of evaluating it again (*done). A logged point that differs from the one asked (a
 * schedule whose order depends on timing) is told as not evaluated and offered to the
 * strategy as an immigrant, so nothing logged is lost and nothing runs twice. */
static int try_replay(island_run *r, const double *x, long ticket, long trial, int *reason,
                      atoll_stop_state *st, bool *done)
{
    *done = false;
    long k = trial - r->env.budget_offset;
    if (!r->replay || k < 0 || k >= r->env.budget || r->replay[k] < 0)
        return ATOLL_OK;
    const double *row = r->replay_rows + (size_t)r->replay[k] * r->width;
    atoll_status status = (atoll_status)row[ATOLL_ROW_STATUS];
    double value = row[ATOLL_ROW_VALUE];
    *done = true;
    r->replayed++;
    if (memcmp(x, row + ATOLL_ROW_X, r->dim * sizeof *x) == 0)
        return take_result(r, ticket, status, value, reason, st);
    r->mismatched++;
    ATOLL_CALL(take_result(r, ticket, ATOLL_STATUS_FAILED, NAN, reason, st));
    if (status != ATOLL_STATUS_OK || !isfinite(value))
        return ATOLL_OK;
    double score = r->d->direction == ATOLL_MAXIMIZE ? -value : value;
    size_t accepted = 0;
    if (hits_target(r->d, status, value))
        *reason = STOP_TARGET;
    return r->d->strategy->immigrate(r->strategy, 1, row + ATOLL_ROW_X, &score, &accepted);
}

/* Leader: put an abandoned task back in the queue (a checkpoint records it as pending). */
static int requeue(island_run *r, island_task *t)
{
    t->used = false;
    return island_queue_task(r, t->ticket, t->generation, t->trial, t->x);
}

/* Leader: snapshot the island for checkpoint `seq` and hand it to rank 0. */
static int send_snapshot(island_run *r, ckpt_collector *col, long seq)
{
    atoll_wbuf b = {0};
    bool final = !work_left(r) && r->in_flight == 0 && !r->bg.running;
    int rc = island_snapshot(r, seq, final, &b);
    if (rc == ATOLL_OK && col) {
        rc = ckpt_collector_take(col, b.data, b.len);
        b.data = NULL;
    } else if (rc == ATOLL_OK) {
        rc = atoll_comm_ckpt_send(r->comm, b.data, b.len);
        r->blobs_sent++;
    }
    atoll_wbuf_free(&b);
    return rc;
}

/* Rank 0: take the states that have arrived and write what is complete. */
static int collect(island_run *r, ckpt_collector *col, atoll_trials *log, bool wait)
{
    for (;;) {
        void *blob = NULL;
        size_t len = 0;
        bool got = false;
        ATOLL_CALL(atoll_comm_ckpt_poll(r->comm, wait, &blob, &len, &got));
        if (!got)
            break;
        r->blobs_in++;
        ATOLL_CALL(ckpt_collector_take(col, blob, len));
        wait = false;
    }
    return ckpt_collector_flush(col, log);
}

/* Leader: turn signals into requests and act on every newly agreed checkpoint point. */
static int checkpoint_hook(island_run *r, const atoll_stop_state *st, ckpt_collector *col)
{
    if (atoll_checkpoint_signalled())
        request_checkpoint(r);
    if (r->island == 0 && r->d->checkpoint_every > 0 &&
        atoll_now() - r->last_ckpt >= r->d->checkpoint_every) {
        r->last_ckpt = atoll_now();
        request_checkpoint(r);
    }
    if (st->checkpoints > r->checkpoints) {
        r->checkpoints = st->checkpoints;
        ATOLL_CALL(send_snapshot(r, col, r->checkpoints));
    }
    return ATOLL_OK;
}

/* Leader: hand out tasks to idle workers, its own thread, or itself; replayed trials are
 * told at once. Returns with *stop when a result ended the island's search. */
static int dispatch(island_run *r, int *reason, atoll_stop_state *st, bool *progress,
                    bool *stop)
{
    const atoll_run_desc *d = r->d;
    *stop = false;
    if (atoll_interrupted())
        return ATOLL_OK; /* stopping: nothing new starts */
    for (int w = 1; w <= r->n_workers && work_left(r);) {
        island_task *t = &r->flight[w];
        if (t->used) {
            w++;
            continue;
        }
        bool ready = false, done = false;
        ATOLL_CALL(next_task(r, t->x, &t->ticket, &t->generation, &t->trial, &ready));
        if (!ready)
            break;
        *progress = true;
        ATOLL_CALL(try_replay(r, t->x, t->ticket, t->trial, reason, st, &done));
        if (done) {
            if ((*stop = st->stop || *reason != STOP_BUDGET))
                return ATOLL_OK;
            continue;
        }
        r->task[TASK_TICKET] = (double)t->ticket;
        r->task[TASK_GENERATION] = (double)t->generation;
        r->task[TASK_TRIAL] = (double)t->trial;
        memcpy(r->task + TASK_X, t->x, r->dim * sizeof *t->x);
        ATOLL_CALL(atoll_comm_task_send(r->comm, w, r->task, r->task_width));
        t->used = true;
        r->in_flight++;
    }
    /* The leader evaluates too when that is on and work is left: on the helper thread when it
     * has workers to keep busy, inline when it has none. */
    while (r->self_eval && !r->bg.running && work_left(r)) {
        island_task *t = &r->flight[0];
        bool ready = false, done = false;
        ATOLL_CALL(next_task(r, t->x, &t->ticket, &t->generation, &t->trial, &ready));
        if (!ready) {
            if (r->in_flight == 0)
                return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                                   d->strategy->name);
            break;
        }
        *progress = true;
        ATOLL_CALL(try_replay(r, t->x, t->ticket, t->trial, reason, st, &done));
        if (done) {
            if ((*stop = st->stop || *reason != STOP_BUDGET))
                return ATOLL_OK;
            continue;
        }
        if (r->n_workers > 0) {
            memcpy(r->bg.x, t->x, r->dim * sizeof *t->x);
            t->used = true;
            ATOLL_CALL(background_start(r, t->ticket, t->generation, t->trial));
            break;
        }
        bool dropped = false;
        t->used = true;
        ATOLL_CALL(evaluate(r, t->x, t->generation, t->trial, &dropped));
        if (dropped) {
            ATOLL_CALL(requeue(r, t));
            return ATOLL_OK;
        }
        t->used = false;
        ATOLL_CALL(take_result(r, t->ticket, (atoll_status)r->row[ATOLL_ROW_STATUS],
                               r->row[ATOLL_ROW_VALUE], reason, st));
        /* Inline: one evaluation per pass, so the stop agreement and checkpoints keep up. */
        *stop = st->stop || *reason != STOP_BUDGET;
        return ATOLL_OK;
    }
    if (!r->self_eval && work_left(r) && r->in_flight == 0 && !r->bg.running &&
        r->queue_next == r->n_queue)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "strategy %s waits with no trial in flight",
                           d->strategy->name);
    return ATOLL_OK;
}

/* Leader: run the island's search, farming to workers; *reason says why it ended early. */
static int lead(island_run *r, atoll_report *rep, ckpt_collector *col, atoll_trials *log,
                int *reason)
{
    const atoll_run_desc *d = r->d;
    long backoff_ns = 0;
    atoll_stop_state st = {0};
    double result[RESULT_WIDTH], last_collect = 0;
    *reason = STOP_BUDGET;
    r->last_ckpt = atoll_now();
    /* A resumed island may stand at an epoch whose migration the stop cut short. */
    ATOLL_CALL(epoch_step(r, &st));
    for (;;) {
        bool progress = false, stop = false;
        ATOLL_CALL(atoll_comm_poll(r->comm));
        if (rep)
            atoll_report_progress(rep, false);
        ATOLL_CALL(atoll_comm_stop_poll(r->comm, false, false, &st));
        ATOLL_CALL(checkpoint_hook(r, &st, col));
        if (col && atoll_now() - last_collect > 0.05) {
            last_collect = atoll_now();
            ATOLL_CALL(collect(r, col, log, false));
        }
        if (st.stop)
            break;
        if (atoll_interrupted()) {
            *reason = STOP_SIGNAL;
            break;
        }
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
            island_task *t = &r->flight[worker];
            r->in_flight--;
            progress = true;
            if (result[RESULT_STATUS] == RESULT_ABANDONED) {
                ATOLL_CALL(requeue(r, t));
                continue;
            }
            t->used = false;
            ATOLL_CALL(take_result(r, (long)result[RESULT_TICKET],
                                   (atoll_status)result[RESULT_STATUS], result[RESULT_VALUE],
                                   reason, &st));
            if (st.stop || *reason != STOP_BUDGET)
                goto out;
        }
        bool collected = false, dropped = false;
        ATOLL_CALL(background_collect(r, false, &collected, &dropped));
        if (collected) {
            progress = true;
            if (dropped) {
                ATOLL_CALL(requeue(r, &r->flight[0]));
            } else {
                r->flight[0].used = false;
                ATOLL_CALL(take_result(r, r->bg.ticket, (atoll_status)r->row[ATOLL_ROW_STATUS],
                                       r->row[ATOLL_ROW_VALUE], reason, &st));
                if (st.stop || *reason != STOP_BUDGET)
                    goto out;
            }
        }
        if (!work_left(r) && r->in_flight == 0 && !r->bg.running)
            break;
        ATOLL_CALL(dispatch(r, reason, &st, &progress, &stop));
        if (stop)
            break;
        if (progress)
            backoff_ns = 0;
        else
            atoll_comm_pause(r->comm, &backoff_ns);
    }
out:;
    /* An evaluation the leader started still finishes and is logged: nothing is lost. */
    bool collected = false, dropped = false;
    ATOLL_CALL(background_collect(r, true, &collected, &dropped));
    if (collected && !dropped)
        r->flight[0].used = false; /* logged: a resume tells it from the log */
    ATOLL_CALL(atoll_comm_workers_quit(r->comm));
    /* An island that used up its budget tells the others not to wait for its migrants. One
     * that stops early (a signal, a time limit, a target, failures) says nothing: neighbours
     * waiting for its migrants leave when the stop agreement reaches them, so none records an
     * epoch as migrated without the migrants it would have had (a resume redoes that epoch). */
    if (st.stop || *reason != STOP_BUDGET)
        return ATOLL_OK;
    return atoll_comm_island_done(r->comm, r->epoch_seen);
}

/* Worker: evaluate what the leader sends until it says quit. */
static int work(island_run *r)
{
    double result[RESULT_WIDTH];
    for (;;) {
        bool quit = false, dropped = false;
        atoll_stop_state st;
        ATOLL_CALL(atoll_comm_task_wait(r->comm, r->task, r->task_width, &quit, &st));
        if (quit)
            return ATOLL_OK;
        ATOLL_CALL(evaluate(r, r->task + TASK_X, (long)r->task[TASK_GENERATION],
                            (long)r->task[TASK_TRIAL], &dropped));
        result[RESULT_TICKET] = r->task[TASK_TICKET];
        result[RESULT_STATUS] = r->row[ATOLL_ROW_STATUS];
        result[RESULT_VALUE] = r->row[ATOLL_ROW_VALUE];
        ATOLL_CALL(atoll_comm_result_send(r->comm, result, RESULT_WIDTH));
    }
}

/* Per-rank accounting gathered on rank 0: DIR/ranks.csv; returns total busy seconds. */
enum { ACCT_ISLAND = 0, ACCT_LEADER, ACCT_EVALS, ACCT_BUSY, ACCT_COMM, ACCT_WALL, ACCT_RSS,
       ACCT_ANON, ACCT_WIDTH };

static int write_ranks(const atoll_run_desc *d, const double *all, int n_ranks, double *busy)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return ATOLL_NOMEM("ranks.csv");
    fputs("rank,island,role,evaluations,busy_s,idle_s,comm_s,wall_s,utilisation,peak_rss_mb,"
          "private_mb\n",
          f);
    *busy = 0;
    for (int k = 0; k < n_ranks; k++) {
        const double *a = all + (size_t)k * ACCT_WIDTH;
        double idle = a[ACCT_WALL] - a[ACCT_BUSY] - a[ACCT_COMM];
        fprintf(f, "%d,%.0f,%s,%.0f,%.6f,%.6f,%.6f,%.6f,%.4f,%.1f,%.1f\n", k, a[ACCT_ISLAND],
                a[ACCT_LEADER] != 0 ? "leader" : "worker", a[ACCT_EVALS], a[ACCT_BUSY],
                idle > 0 ? idle : 0, a[ACCT_COMM], a[ACCT_WALL],
                a[ACCT_WALL] > 0 ? a[ACCT_BUSY] / a[ACCT_WALL] : 0, a[ACCT_RSS], a[ACCT_ANON]);
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

/* Rank 0's row sink: the log and the report, and the collector's count of rows in. */
typedef struct {
    atoll_report *rep;
    ckpt_collector *col;
} row_sink_ctx;

static int row_sink(const double *row, void *ctx)
{
    row_sink_ctx *c = ctx;
    ATOLL_CALL(atoll_report_row(row, c->rep));
    ckpt_collector_row(c->col, row);
    return ATOLL_OK;
}

/* What rank 0 learns when resuming and every rank needs: the journal's rows and the
 * checkpoint to start from. */
typedef struct {
    double *rows;
    size_t n_rows;
    unsigned char *payload;
    size_t len;
    long base; /* first free checkpoint sequence */
} resume_state;

/* Rank 0: open the outputs of a fresh or resumed run. */
static int rank0_start(const atoll_run_desc *d, const atoll_run_options *opt, bool resuming,
                       int n_islands, atoll_trials **log, resume_state *rs, double *t0)
{
    if (!resuming) {
        ATOLL_CALL(open_outputs(d, opt, log));
        ckpt_prune(d, 0); /* a folder reused with --force: no stale checkpoint */
        return ATOLL_OK;
    }
    ATOLL_CALL(open_resumed(d, log));
    size_t n_rows = 0;
    const double *rows = rs->rows = atoll_trials_take_rows(*log, &n_rows);
    size_t width = atoll_trials_width(*log);
    if (!rs->rows)
        return ATOLL_NOMEM("the resumed rows");
    rs->n_rows = n_rows;
    /* The clock goes on from where the last trial ended, so timelines do not overlap. */
    double end = 0;
    for (size_t k = 0; k < n_rows; k++) {
        const double *row = rows + k * width;
        if (row[ATOLL_ROW_START] + row[ATOLL_ROW_DURATION] > end)
            end = row[ATOLL_ROW_START] + row[ATOLL_ROW_DURATION];
    }
    *t0 -= end;
    long seq = -1;
    ATOLL_CALL(ckpt_select(d, n_islands, &rs->payload, &rs->len, &seq, &rs->base));
    if (!opt->quiet)
        fprintf(stderr, "atoll: resuming %s: %zu trials logged, %s\n", d->out, n_rows,
                seq >= 0 ? "from its newest valid checkpoint" : "replaying its trial log");
    return ATOLL_OK;
}

static const char *signal_name(int sig)
{
    return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : sig == SIGUSR1 ? "SIGUSR1"
                                                                                  : "a signal";
}

/* This process's private resident memory in MiB (RssAnon in /proc/self/status), or 0 where
 * the system does not say. */
static double private_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    double kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "RssAnon: %lf kB", &kb) == 1)
            break;
    fclose(f);
    return kb / 1024.0;
}

/* Rank 0 says at once that a stop signal came and how the run continues: the line is in the
 * job's log even when the stop never completes (a rank killed, the job killed after the
 * signal), since the main thread may be waiting on a neighbour when it comes. */
typedef struct {
    pthread_t thread;
    const char *out;
    atomic_bool done;
} signal_watch;

static void *watch_signals(void *arg)
{
    signal_watch *w = arg;
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    while (!atomic_load(&w->done)) {
        int sig = atoll_interrupted();
        if (sig != 0) {
            fprintf(stderr,
                    "atoll: %s: writing a checkpoint and stopping; continue with: "
                    "atoll resume %s\n",
                    signal_name(sig), w->out);
            break;
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

/* A failure once the search has started: say it, and how the run continues (its trials and
 * checkpoints are on disk), then end every rank. */
static void abort_resumable(atoll_comm *comm, const atoll_run_desc *d, int rank)
{
    atoll_run_say_failure(d, rank, true);
    atoll_comm_abort(comm, 1);
}

void atoll_run_say_failure(const atoll_run_desc *d, int rank, bool resumable)
{
    if (resumable)
        fprintf(stderr, "atoll: rank %d: %s (once fixed, continue with: atoll resume %s)\n",
                rank, atoll_error_message(), d->out);
    else
        fprintf(stderr, "atoll: rank %d: %s\n", rank, atoll_error_message());
}

int atoll_run(atoll_comm *comm, const atoll_run_desc *d, const atoll_run_options *opt)
{
    int rank = atoll_comm_rank(comm);
    atoll_trials *log = NULL;
    atoll_report rep;
    ckpt_collector col;
    memset(&col, 0, sizeof col);
    resume_state rs;
    memset(&rs, 0, sizeof rs);
    bool have_rep = false;
    island_run r;
    memset(&r, 0, sizeof r);
    double t0 = atoll_now();
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

    /* Resuming: a folder that holds a finished run has nothing left to do. */
    double flags[2] = {0, 0}; /* resuming, complete */
    if (rank == 0 && opt->resume) {
        char path[4200];
        struct stat sb;
        snprintf(path, sizeof path, "%s/trials.csv", d->out);
        flags[0] = stat(path, &sb) == 0;
        flags[1] = flags[0] && run_complete(d);
    }
    ATOLL_CALL(atoll_comm_bcast_double(comm, &flags[0]));
    ATOLL_CALL(atoll_comm_bcast_double(comm, &flags[1]));
    if (flags[1] != 0) {
        if (rank == 0 && !opt->quiet)
            printf("atoll: %s: the run is already complete (see best.json)\n", d->out);
        return ATOLL_OK;
    }
    bool resuming = flags[0] != 0;

    /* Start-up: any rank's failure ends every rank the same way. */
    int local = ATOLL_OK, global = ATOLL_OK;
    if (rank == 0) {
        local = rank0_start(d, opt, resuming, n_islands, &log, &rs, &t0);
        if (local == ATOLL_OK) {
            local = atoll_report_init(&rep, d, log, t0, opt->quiet);
            have_rep = local == ATOLL_OK;
        }
        if (local == ATOLL_OK)
            local = ckpt_collector_init(&col, d, n_islands, rs.base);
    }
    int rc = atoll_comm_agree_status(comm, local, &global);
    if (rc == ATOLL_OK && global != ATOLL_OK)
        rc = local != ATOLL_OK ? local : global;
    if (rc == ATOLL_OK)
        rc = atoll_comm_bcast_double(comm, &t0);
    /* Every rank gets the journal's rows and the checkpoint. */
    if (rc == ATOLL_OK && resuming) {
        void *buf = rs.rows;
        size_t bytes = rank == 0 ? rs.n_rows * atoll_trials_width(log) * sizeof(double) : 0;
        rc = atoll_comm_bcast_bytes(comm, &buf, &bytes);
        rs.rows = buf;
        if (rc == ATOLL_OK) {
            void *p = rs.payload;
            size_t len = rs.len;
            rc = atoll_comm_bcast_bytes(comm, &p, &len);
            rs.payload = p;
            rs.len = len;
        }
        if (rc == ATOLL_OK && rank != 0)
            rs.n_rows = bytes / sizeof(double); /* divided by the row width below */
    }
    if (rc == ATOLL_OK) {
        local = island_create(&r, d, comm, t0);
        if (local == ATOLL_OK && resuming && rank != 0)
            rs.n_rows /= r.width;
        if (local == ATOLL_OK && resuming && r.leader)
            local = rs.payload ? island_restore(&r, rs.payload, rs.len, rs.rows, rs.n_rows)
                               : island_replay_only(&r, rs.rows, rs.n_rows);
        rc = atoll_comm_agree_status(comm, local, &global);
        if (rc == ATOLL_OK && global != ATOLL_OK)
            rc = local != ATOLL_OK ? local : global;
    }
    row_sink_ctx sink = {.rep = &rep, .col = &col};
    if (rc == ATOLL_OK)
        rc = atoll_comm_rows_open(comm, r.width, row_sink, have_rep ? &sink : NULL);
    if (rc == ATOLL_OK && rank == 0)
        for (size_t k = 0; k < rs.n_rows; k++) {
            atoll_report_count(&rep, rs.rows + k * r.width);
            ckpt_collector_row(&col, rs.rows + k * r.width);
        }
    if (rc != ATOLL_OK) {
        island_destroy(&r);
        if (have_rep)
            atoll_report_free(&rep);
        ckpt_collector_free(&col);
        atoll_trials_close(&log);
        free(rs.rows);
        free(rs.payload);
        /* A rank that did not fail itself reports nothing: the failing rank speaks. */
        if (local == ATOLL_OK)
            atoll_error_clear();
        return local != ATOLL_OK ? local : global;
    }

    atoll_signals_install();
    signal_watch watch = {.out = d->out};
    bool watching = rank == 0 && pthread_create(&watch.thread, NULL, watch_signals, &watch) == 0;
    int reason = STOP_BUDGET;
    /* Checkpoint 0: where this job starts (a fresh run, or the resumed state). */
    if (r.leader)
        rc = send_snapshot(&r, rank == 0 ? &col : NULL, 0);
    if (rc == ATOLL_OK)
        rc = r.leader ? lead(&r, have_rep ? &rep : NULL, rank == 0 ? &col : NULL, log, &reason)
                      : work(&r);
    if (rc != ATOLL_OK)
        abort_resumable(comm, d, rank);
    atoll_stop_state st;
    ATOLL_CALL(atoll_comm_stop_wait(comm, reason != STOP_BUDGET, &st));
    double why = reason, why_all = 0;
    ATOLL_CALL(atoll_comm_max_double(comm, &why, &why_all, 1));
    bool by_signal = (int)why_all == STOP_SIGNAL;
    /* Stopped by a signal: every island's state at the stop, tasks in flight as pending. */
    if (by_signal && r.leader) {
        long seq = st.checkpoints + 1;
        rc = send_snapshot(&r, rank == 0 ? &col : NULL, seq);
        if (rc != ATOLL_OK)
            abort_resumable(comm, d, rank);
    }
    if (watching) {
        atomic_store(&watch.done, true);
        pthread_join(watch.thread, NULL);
    }
    atoll_signals_restore();
    /* Rank 0 takes every island state still on its way, so that no send is left open. */
    long blobs = 0;
    ATOLL_CALL(atoll_comm_sum_long(comm, &r.blobs_sent, &blobs, 1));
    while (rank == 0 && r.blobs_in < blobs) {
        void *blob = NULL;
        size_t len = 0;
        bool got = false;
        rc = atoll_comm_ckpt_poll(comm, true, &blob, &len, &got);
        if (rc == ATOLL_OK)
            rc = ckpt_collector_take(&col, blob, len);
        if (rc != ATOLL_OK)
            abort_resumable(comm, d, rank);
        r.blobs_in++;
    }
    ATOLL_CALL(atoll_comm_drain(comm));
    double wall = atoll_now() - t0;
    /* Peak resident memory of this rank (ru_maxrss is in KiB on Linux), which counts the
     * pages of other ranks' shared-memory segments that MPI has touched, and this rank's own
     * resident memory now. */
    struct rusage ru;
    double rss_mb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024.0 : 0;
    double acct[ACCT_WIDTH] = {r.island, r.leader, (double)r.evaluations, r.busy_s,
                               atoll_comm_seconds(comm), wall, rss_mb, private_mb()};
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
    island_destroy(&r);
    free(rs.rows);
    free(rs.payload);

    if (rank == 0) {
        /* Every state of the final checkpoint is in: (rows all in after the drain) write it. */
        rc = ATOLL_OK;
        if (rc == ATOLL_OK && by_signal)
            rc = ckpt_collector_flush(&col, log);
        double busy_total = 0;
        if (rc == ATOLL_OK)
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
                                 .checkpoints = st.checkpoints,
                                 .checkpoint_s = col.write_s,
                                 .checkpoint_bytes = (long)col.bytes};
        atoll_report_progress(&rep, true);
        if (rc == ATOLL_OK)
            rc = atoll_trials_finish(log);
        if (rc == ATOLL_OK)
            rc = atoll_report_write_best(&rep, d->out, &facts);
        if (rc == ATOLL_OK && !opt->quiet)
            atoll_report_summary(&rep, &facts, stdout);
        long failed = rep.failed;
        atoll_report_free(&rep);
        ckpt_collector_free(&col);
        atoll_trials_close(&log);
        /* Everything that finished is written; the run still failed, and says why. */
        if (rc == ATOLL_OK && (int)why_all == STOP_FAILURES)
            rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME,
                             "%s: stopped after %ld failed trials ([run] max_failures = %ld); "
                             "their status is in trials.csv",
                             d->out, failed, d->max_failures);
    }
    if (opt->stopped_by_signal)
        *opt->stopped_by_signal = by_signal;
    if (opt->resumable)
        *opt->resumable = rc != ATOLL_OK;
    return rc;
}
