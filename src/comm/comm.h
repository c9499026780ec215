/* comm.h - the communication layer: every MPI call atoll makes lives behind these verbs. */
#ifndef ATOLL_COMM_H
#define ATOLL_COMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/topology.h"

/*
 * Islands are groups of ranks (one per rank unless split). Independent channels (duplicated
 * communicators) keep traffic apart: trial rows flow to rank 0, tasks and results flow within
 * an island, migrants flow between island leaders, and a rolling non-blocking reduction agrees
 * on stopping. Waits never spin hot: they yield, then poll with a short sleep, so
 * oversubscribed ranks leave the cores to the ranks that compute.
 *
 * "Collective" below means every rank must call it, in the same order.
 */
typedef struct atoll_comm atoll_comm;

/* Receives each trial row on rank 0, in arrival order. */
typedef int (*atoll_row_fn)(const double *row, void *ctx);

/* Start MPI (collective) unless the program already did; MPI already finalized is
 * ATOLL_ERR_MPI. */
int atoll_comm_init(int *argc, char ***argv, atoll_comm **out);
/* Free *pc (NULL-safe) and stop MPI (collective) if atoll_comm_init started it (or if *pc is
 * NULL: an init that failed). */
void atoll_comm_finalize(atoll_comm **pc);
/* End every rank at once after a fatal error on this one (never returns). */
void atoll_comm_abort(atoll_comm *comm, int code);

int atoll_comm_rank(const atoll_comm *comm);
int atoll_comm_size(const atoll_comm *comm);
/* This rank's index among the ranks of its node (those that share memory), and their number:
 * what spreads GPUs over a node's ranks. */
int atoll_comm_local_rank(const atoll_comm *comm);
int atoll_comm_local_size(const atoll_comm *comm);

/* Collective: the largest of every rank's `local` status, so all ranks take the same exit. */
int atoll_comm_agree_status(atoll_comm *comm, int local, int *global);
/* Collective: rank 0's value of *value on every rank. */
int atoll_comm_bcast_double(atoll_comm *comm, double *value);
/* Collective: sums and maxima over ranks of `n` values, result on every rank. */
int atoll_comm_sum_long(atoll_comm *comm, const long *local, long *global, size_t n);
int atoll_comm_max_double(atoll_comm *comm, const double *local, double *global, size_t n);
/* Collective: rank 0 receives `n` doubles from every rank into all (size*n); others pass
 * all = NULL. */
int atoll_comm_gather_double(atoll_comm *comm, const double *local, double *all, size_t n);

/* Collective: set the row width (doubles) and, on rank 0, where rows go. Call once before
 * atoll_comm_row. */
int atoll_comm_rows_open(atoll_comm *comm, size_t width, atoll_row_fn fn, void *ctx);
/* Hand one trial row to rank 0: rank 0 calls the sink at once, others send without blocking
 * (the row is copied). */
int atoll_comm_row(atoll_comm *comm, const double *row);

/* Make progress without blocking: rank 0 sinks every row that has arrived; every rank
 * retires completed sends. Call between evaluations. */
int atoll_comm_poll(atoll_comm *comm);

/* The stop agreement as last completed: stop = some rank asked to stop (target or time
 * limit); all_done = every island has finished its budget; checkpoints = how many rounds so
 * far carried a checkpoint request (every rank counts the same rounds, so a rank that sees
 * the count grow knows that all ranks agree on that checkpoint point). */
typedef struct {
    bool stop;
    bool all_done;
    long checkpoints;
} atoll_stop_state;

/* Ask for a checkpoint: the request rides on the next round of the stop agreement, and every
 * rank then sees atoll_stop_state.checkpoints grow on the same round. Requests made before
 * that round is posted merge into one. */
void atoll_comm_request_checkpoint(atoll_comm *comm);

/*
 * Non-blocking stop agreement. Contributes this rank's flags to the current round of a
 * rolling MPI_Iallreduce and, when a round completes, updates *state (the same on every rank
 * for the same round) and starts the next. Call between evaluations, often.
 */
int atoll_comm_stop_poll(atoll_comm *comm, bool want_stop, bool done, atoll_stop_state *state);

/*
 * Block (politely) until the agreement says stop or all done, contributing `want_stop` and
 * done = true. Rank 0 keeps sinking rows meanwhile.
 */
int atoll_comm_stop_wait(atoll_comm *comm, bool want_stop, atoll_stop_state *state);

/*
 * Synchronous migration at `epoch`: send `n_out` migrants of `width` doubles each to this
 * island's neighbours under `topology`, then wait for the neighbours' migrants of the same
 * epoch (only neighbours wait for each other). A neighbour that has finished before this
 * epoch is skipped. Received migrants go to `in` (capacity `in_cap` migrants); *n_in says
 * how many. If the stop agreement says stop while waiting, returns with *state->stop set.
 */
int atoll_comm_migrate(atoll_comm *comm, atoll_topology topology, uint64_t seed, long epoch,
                       const double *out, size_t n_out, size_t width, double *in, size_t in_cap,
                       size_t *n_in, atoll_stop_state *state);

/* Asynchronous migration at `epoch`: send like atoll_comm_migrate, then take every migrant
 * that has already arrived from any island (of any earlier epoch) and return at once. No
 * island ever waits for another; which migrants arrive when depends on timing. */
int atoll_comm_migrate_async(atoll_comm *comm, atoll_topology topology, uint64_t seed,
                             long epoch, const double *out, size_t n_out, size_t width,
                             double *in, size_t in_cap, size_t *n_in);

/* Trade one record of `width` doubles with island `partner` at `epoch` (the same
 * synchronous rules as atoll_comm_migrate: send, then wait for the partner's record of this
 * epoch unless it has finished). *got says whether the partner's record arrived. */
int atoll_comm_swap(atoll_comm *comm, int partner, long epoch, const double *out, size_t width,
                    double *in, bool *got, atoll_stop_state *state);

/* Tell every other island that this one has finished after `last_epoch` epochs, so nobody
 * waits for its migrants any longer. Call once per island. */
int atoll_comm_island_done(atoll_comm *comm, long last_epoch);

/* Collective, after the stop agreement has ended the run: receive every message still in
 * flight (rows are sunk on rank 0) and complete every send, so nothing is lost. */
int atoll_comm_drain(atoll_comm *comm);

/* Collective: rank 0's *len bytes at *buf to every rank (others get a malloc'ed copy). */
int atoll_comm_bcast_bytes(atoll_comm *comm, void **buf, size_t *len);
/* Send a checkpoint blob to rank 0 without blocking (the bytes are copied). Not on rank 0. */
int atoll_comm_ckpt_send(atoll_comm *comm, const void *blob, size_t len);
/* Rank 0: take one checkpoint blob that has arrived (*got; *blob malloc'ed), or with `wait`
 * wait politely for one, sinking rows meanwhile. */
int atoll_comm_ckpt_poll(atoll_comm *comm, bool wait, void **blob, size_t *len, bool *got);
/* Leader: send `n_out` migrants of `width` doubles, as of `epoch`, to island `island` alone,
 * without waiting (what a resumed island owes a neighbour that restarts behind it). */
int atoll_comm_migrate_send(atoll_comm *comm, int island, long epoch, const double *out,
                            size_t n_out, size_t width);
/* Collective: split the ranks into `n_islands` contiguous groups (sizes differ by at most
 * one). Each group's lowest rank is its leader: it runs the strategy, farms evaluations to the
 * group's other ranks (its workers) and migrates with the other leaders. Without a split,
 * every rank is an island of one. A bad count is ATOLL_ERR_USAGE. */
int atoll_comm_split(atoll_comm *comm, int n_islands);
int atoll_comm_island(const atoll_comm *comm);      /* this rank's island id */
int atoll_comm_n_islands(const atoll_comm *comm);
int atoll_comm_island_rank(const atoll_comm *comm); /* 0 = the leader */
int atoll_comm_island_size(const atoll_comm *comm);

/* Leader: send a task of n doubles to worker `worker` (its island rank), without blocking. */
int atoll_comm_task_send(atoll_comm *comm, int worker, const double *task, size_t n);
/* Leader: take one result if one has arrived (*got), from island rank *worker. */
int atoll_comm_result_poll(atoll_comm *comm, double *result, size_t cap, int *worker,
                           bool *got);
/* Leader: tell every worker that no more tasks will come. */
int atoll_comm_workers_quit(atoll_comm *comm);
/* Worker: wait politely for the next task, keeping the stop agreement and rank 0's rows going;
 * *quit when the leader has no more work or the run is stopping. */
int atoll_comm_task_wait(atoll_comm *comm, double *task, size_t cap, bool *quit,
                         atoll_stop_state *state);
/* Worker: send a result of n doubles to the leader, without blocking. */
int atoll_comm_result_send(atoll_comm *comm, const double *result, size_t n);

/* Wait a little while nothing happens: yield the core a few hundred times, then sleep from
 * 20 us doubling up to about 2.5 ms; reset *ns to 0 after progress. */
void atoll_comm_pause(atoll_comm *comm, long *ns);

/* Whether MPI was started with thread support for helper threads that make no MPI calls. */
bool atoll_comm_threads_ok(const atoll_comm *comm);

/* Seconds this rank has spent inside communication calls (sleeps excluded). */
double atoll_comm_seconds(const atoll_comm *comm);

/* Counters of this rank's migration traffic. */
typedef struct {
    long sent;     /* migrants sent */
    long received; /* migrants received */
    long messages; /* migration messages received */
} atoll_comm_stats;
void atoll_comm_get_stats(const atoll_comm *comm, atoll_comm_stats *stats);

#endif
