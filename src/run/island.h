/* island.h - private to src/run: one rank's island while it searches, and its checkpoints. */
#ifndef ATOLL_RUN_ISLAND_H
#define ATOLL_RUN_ISLAND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "comm/comm.h"
#include "core/ckpt.h"
#include "core/trials.h"
#include "run/desc.h"

/* A point handed out and not yet told: to a worker, to the leader's own thread, or waiting
 * (restored from a checkpoint, or abandoned at a stop signal) to be handed out again. */
typedef struct {
    bool used;
    long ticket, generation, trial;
    double *x;
} island_task;

/* A migration or replica-exchange message this island sent: kept so that a resumed island
 * can send again what a neighbour that restarts behind it never received. */
enum { PACKET_MIGRANTS = 0, PACKET_SWAP = 1, ISLAND_PACKETS = 64 };
typedef struct {
    long epoch;
    int kind;
    size_t n, width;
    double *data;
} island_packet;

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
    int n_workers;      /* the island's other ranks (leader only) */
    bool self_eval;     /* whether the leader evaluates too */
    background_eval bg; /* the leader's own evaluation while it has workers */
    atoll_strategy_env env;
    void *strategy; /* leader only */
    void *objective;
    double *x, *row, *task;
    /* Migration: records packed as (x, score) to send and received, and the same unpacked
     * for the strategy, all sized once for islands x migrants. */
    double *out, *in, *mig_x, *mig_score;
    atoll_value *values;
    size_t dim, n_extras, width, task_width;
    long accepted, evaluations, swaps;
    double busy_s;
    double t0;

    /* Progress of the leader's loop (what a checkpoint records). */
    long issued;     /* trial ids handed out: this island's next is budget_offset + issued */
    long in_flight;  /* tasks with workers */
    long epoch_seen; /* the last epoch whose migration and exchange completed */
    island_task *flight; /* [n_workers + 1]: worker w's task; slot 0 the leader's own */
    island_task *queue;  /* tasks to hand out again before asking the strategy */
    size_t n_queue, queue_next, queue_cap;
    /* Trials a resumed run already has rows for: replay[id - budget_offset] indexes
     * replay_rows (rows of `width` doubles), or -1. */
    const double *replay_rows;
    long *replay;
    long replayed, mismatched;
    island_packet packets[ISLAND_PACKETS];
    size_t n_packets; /* packets kept, oldest overwritten first */
    long migrations;  /* migration epochs completed (for checkpoint_migrations) */

    /* Checkpoints. */
    long checkpoints;   /* agreed checkpoint points acted on */
    long blobs_sent;    /* island states sent to rank 0 */
    long blobs_in;      /* rank 0: island states received */
    long ckpt_base;     /* file sequence of this job's checkpoint 0 */
    double last_ckpt;   /* when the leader of island 0 last asked for one */
} island_run;

/* A checkpoint being assembled on rank 0 from every island's state. */
typedef struct {
    const atoll_run_desc *d;
    int n_islands;
    long ckpt_base;
    unsigned char **blob; /* each island's newest state, or its final one */
    size_t *len;
    long *seq;      /* sequence of blob[k]; -1 none */
    bool *final;    /* island k has finished: its state holds for every later checkpoint */
    bool *have_row; /* rows received, by trial id */
    long written;   /* newest sequence written, -1 none */
    double write_s; /* seconds spent writing checkpoints */
    size_t bytes;   /* size of the last one */
} ckpt_collector;

/* Append island r's state (its strategy's included) for checkpoint `seq` to `b`. */
int island_snapshot(island_run *r, long seq, bool final, atoll_wbuf *b);

/* Restore island r (a fresh one) from checkpoint payload `p` (every island's state) and the
 * rows of the journal; resend what neighbours behind it are owed. */
int island_restore(island_run *r, const unsigned char *p, size_t len, const double *rows,
                   size_t n_rows);

/* What island_restore does short of sending: island r (a fresh one, as run.c's island_create
 * makes it: d, n_islands, island, dim, width, x, env and its strategy) takes its counters,
 * pending tasks, strategy state, replay table and kept messages from payload `p`, and works
 * out which messages it owes. Resume's decoding without MPI, for tests and fuzzing. */
int island_load(island_run *r, const unsigned char *p, size_t len, const double *rows,
                size_t n_rows);

/* Queue a task to hand out again before asking the strategy (a restored task in flight, or
 * one abandoned at a stop signal: a checkpoint records it as pending). */
int island_queue_task(island_run *r, long ticket, long generation, long trial, const double *x);

/* Without a checkpoint: replay the journal's rows into a fresh island. */
int island_replay_only(island_run *r, const double *rows, size_t n_rows);

/* Remember a migration or exchange message this island sent at `epoch`. */
int island_keep_packet(island_run *r, long epoch, int kind, const double *data, size_t n,
                       size_t width);

/* Rank 0: the collector (NULL-safe free). */
int ckpt_collector_init(ckpt_collector *c, const atoll_run_desc *d, int n_islands,
                        long ckpt_base);
void ckpt_collector_free(ckpt_collector *c);
/* Rank 0: note a trial row that reached the log. */
void ckpt_collector_row(ckpt_collector *c, const double *row);
/* Rank 0: take a state (its bytes are owned by the collector from now on). */
int ckpt_collector_take(ckpt_collector *c, unsigned char *blob, size_t len);
/* Rank 0: write the newest checkpoint that every island's state and every told trial's row
 * make complete, if newer than the last written; prune old files. */
int ckpt_collector_flush(ckpt_collector *c, atoll_trials *log);

/*
 * Rank 0, resuming in d->out: the newest checkpoint that reads back whole and fits this run
 * (*payload malloc'ed, NULL when there is none: the run replays its journal from the start);
 * *seq its sequence (-1 none), *base the first free sequence. Torn or corrupt files are
 * skipped with a warning. A run with another island count is ATOLL_ERR_USAGE for ga and sa.
 */
int ckpt_select(const atoll_run_desc *d, int n_islands, unsigned char **payload, size_t *len,
                long *seq, long *base);

/* Check checkpoint payload `p` (from the file `name`) against run d on n_islands islands, as
 * ckpt_select does: the seed, strategy, space and budget it was written for (else
 * ATOLL_ERR_USAGE), every island's state, and that every migration message an island behind
 * is owed is still kept. *islands_differ, and ATOLL_OK, when only the island count differs. */
int ckpt_payload_fits(const atoll_run_desc *d, int n_islands, const unsigned char *p, size_t len,
                      const char *name, bool *islands_differ);

/* Delete all but the newest `keep` checkpoint files of the run in d->out. */
void ckpt_prune(const atoll_run_desc *d, long keep);

/* The folder of checkpoint files of a run. */
void ckpt_dir(const atoll_run_desc *d, char *buf, size_t size);

#endif
