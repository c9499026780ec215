/* comm.c - MPI behind atoll's verbs: rows to rank 0, migration, stop agreement, drain. */
#include "comm/comm.h"

#include <limits.h>
#include <mpi.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"

enum { TAG_ROW = 1, TAG_CKPT = 2, TAG_MIGRANTS = 10, TAG_DONE = 11, TAG_TASK = 20, TAG_RESULT = 21,
       TAG_QUIT = 22 };

/* A send in flight and the buffer it reads. */
typedef struct {
    double *buf;
    size_t cap;
} send_buf;

enum { ROW_SYNC_EVERY = 32, ROW_SYNC_DEPTH = 8 };

struct atoll_comm {
    int local_rank, local_size; /* on this node (ranks sharing memory) */
    MPI_Comm rows, migr, stop, island;
    int rank, size;

    /* islands: groups of ranks; migration runs among their leaders (rank 0 of each group) */
    int island_id, n_islands, island_rank, island_size;
    int migr_rank, migr_size; /* rank and size in `migr` (the leaders); -1 off the leaders */
    long *island_sent_to, *island_received_from;

    bool threads_ok; /* MPI allows helper threads (that make no MPI calls) */
    bool owns_mpi;   /* atoll_comm_init started MPI, so atoll_comm_finalize stops it */

    /* accounting: seconds spent in MPI calls other than polite sleeps */
    double comm_s;

    /* rows */
    size_t row_width;
    atoll_row_fn sink;
    void *sink_ctx;
    double *row_in;
    long rows_sent;      /* by this rank to rank 0 */
    long *rows_received; /* rank 0: per source */
    /* Flow control: every ROW_SYNC_EVERY-th row goes as a synchronous send, which completes
     * once rank 0 has received it, and with it (messages do not overtake) every row before.
     * At most ROW_SYNC_DEPTH of them are open, so a rank is never more than
     * ROW_SYNC_EVERY * ROW_SYNC_DEPTH rows ahead of rank 0, and rank 0 never holds more than
     * that many unread rows from each rank, however long the run. */
    MPI_Request row_sync_req[ROW_SYNC_DEPTH];
    double *row_sync_buf; /* ROW_SYNC_DEPTH rows */
    int row_sync_next;

    /* sends in flight: requests kept contiguous for MPI_Testsome */
    MPI_Request *reqs;
    send_buf *bufs;
    size_t n_slots;
    int *done_idx;

    /* migration */
    long *migr_sent_to;       /* messages sent to each rank */
    long *migr_received_from; /* messages received from each rank */
    long *done_epoch;         /* -1 while running, else the island's last epoch */
    int *to, *from;
    double *msg_in;
    size_t msg_in_cap;
    atoll_comm_stats stats;
    bool sent_done;

    /* stop agreement */
    MPI_Request stop_req;
    bool stop_active;
    bool stop_final;
    int stop_send[3], stop_recv[3];
    bool checkpoint_pending;
    atoll_stop_state stop_state;
};

/* Raise an MPI failure with the library's own message. */
static int mpi_fail(int rc, const char *what, const char *file, int line)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return atoll_error_raise(ATOLL_ERR_MPI, file, line, "MPI: %s failed: %s", what, msg);
}

#define MPI_CHECK(call)                                                                            \
    do {                                                                                           \
        int mpi_rc_ = (call);                                                                      \
        if (mpi_rc_ != MPI_SUCCESS)                                                                \
            return mpi_fail(mpi_rc_, #call, __FILE__, __LINE__);                                   \
    } while (0)

/* Wait a little while nothing happens: first yield the core a few hundred times (a reply
 * usually comes within microseconds, and yielding lets oversubscribed ranks run), then sleep
 * from 20 us growing to 2 ms. *ns is the caller's state: 0 after progress. */
#define BACKOFF_SPINS 400
static void backoff(long *ns)
{
    if (*ns <= 0 && *ns > -BACKOFF_SPINS) {
        sched_yield();
        (*ns)--;
        return;
    }
    if (*ns < 20000)
        *ns = 20000;
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    if (*ns < 2000000)
        *ns *= 2;
}

/* Monotonic seconds, for accounting. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int atoll_comm_init(int *argc, char ***argv, atoll_comm **out)
{
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (finalized)
        return ATOLL_RAISE(ATOLL_ERR_MPI, "MPI was already finalized: it cannot start again "
                                          "(initialise MPI yourself to run several searches)");
    /* A leader may run its own evaluation on a helper thread; MPI stays on this one. */
    int provided = MPI_THREAD_SINGLE;
    if (!initialized)
        MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
    else
        MPI_CHECK(MPI_Query_thread(&provided));
    atoll_comm *comm = calloc(1, sizeof *comm);
    if (!comm)
        return ATOLL_NOMEM("the communicator");
    comm->threads_ok = provided >= MPI_THREAD_FUNNELED;
    comm->owns_mpi = !initialized;
    comm->stop_req = MPI_REQUEST_NULL;
    for (int k = 0; k < ROW_SYNC_DEPTH; k++)
        comm->row_sync_req[k] = MPI_REQUEST_NULL;
    MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &comm->rank));
    MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &comm->size));
    MPI_Comm node;
    MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, comm->rank,
                                  MPI_INFO_NULL, &node));
    MPI_CHECK(MPI_Comm_rank(node, &comm->local_rank));
    MPI_CHECK(MPI_Comm_size(node, &comm->local_size));
    MPI_CHECK(MPI_Comm_free(&node));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->rows));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->migr));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->stop));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->island));
    comm->island_id = comm->rank;
    comm->n_islands = comm->size;
    comm->island_rank = 0;
    comm->island_size = 1;
    MPI_CHECK(MPI_Comm_rank(comm->migr, &comm->migr_rank));
    MPI_CHECK(MPI_Comm_size(comm->migr, &comm->migr_size));
    size_t n = (size_t)comm->size;
    comm->rows_received = calloc(n, sizeof *comm->rows_received);
    comm->migr_sent_to = calloc(n, sizeof *comm->migr_sent_to);
    comm->migr_received_from = calloc(n, sizeof *comm->migr_received_from);
    comm->done_epoch = malloc(n * sizeof *comm->done_epoch);
    comm->to = malloc(n * sizeof *comm->to);
    comm->from = malloc(n * sizeof *comm->from);
    comm->island_sent_to = calloc(n, sizeof *comm->island_sent_to);
    comm->island_received_from = calloc(n, sizeof *comm->island_received_from);
    if (!comm->island_sent_to || !comm->island_received_from || !comm->rows_received ||
        !comm->migr_sent_to || !comm->migr_received_from ||
        !comm->done_epoch || !comm->to || !comm->from) {
        *out = comm;
        return ATOLL_NOMEM("communication tables");
    }
    for (size_t i = 0; i < n; i++)
        comm->done_epoch[i] = -1;
    comm->stop_req = MPI_REQUEST_NULL;
    *out = comm;
    return ATOLL_OK;
}

void atoll_comm_finalize(atoll_comm **pc)
{
    if (pc && *pc) {
        atoll_comm *comm = *pc;
        for (size_t i = 0; i < comm->n_slots; i++) {
            if (comm->reqs[i] != MPI_REQUEST_NULL)
                MPI_Wait(&comm->reqs[i], MPI_STATUS_IGNORE);
            free(comm->bufs[i].buf);
        }
        if (comm->stop_req != MPI_REQUEST_NULL)
            MPI_Wait(&comm->stop_req, MPI_STATUS_IGNORE);
        MPI_Waitall(ROW_SYNC_DEPTH, comm->row_sync_req, MPI_STATUSES_IGNORE);
        if (comm->rows != MPI_COMM_NULL && comm->rows)
            MPI_Comm_free(&comm->rows);
        if (comm->migr != MPI_COMM_NULL && comm->migr)
            MPI_Comm_free(&comm->migr);
        if (comm->stop != MPI_COMM_NULL && comm->stop)
            MPI_Comm_free(&comm->stop);
        if (comm->island != MPI_COMM_NULL && comm->island)
            MPI_Comm_free(&comm->island);
        free(comm->island_sent_to);
        free(comm->island_received_from);
        free(comm->reqs);
        free(comm->bufs);
        free(comm->done_idx);
        free(comm->row_in);
        free(comm->row_sync_buf);
        free(comm->rows_received);
        free(comm->migr_sent_to);
        free(comm->migr_received_from);
        free(comm->done_epoch);
        free(comm->to);
        free(comm->from);
        bool owns_mpi = comm->owns_mpi;
        free(comm->msg_in);
        free(comm);
        *pc = NULL;
        if (!owns_mpi)
            return;
    }
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

void atoll_comm_abort(atoll_comm *comm, int code)
{
    (void)comm;
    MPI_Abort(MPI_COMM_WORLD, code);
}

int atoll_comm_rank(const atoll_comm *comm)
{
    return comm->rank;
}

int atoll_comm_local_rank(const atoll_comm *comm)
{
    return comm->local_rank;
}

int atoll_comm_local_size(const atoll_comm *comm)
{
    return comm->local_size;
}

int atoll_comm_size(const atoll_comm *comm)
{
    return comm->size;
}

int atoll_comm_agree_status(atoll_comm *comm, int local, int *global)
{
    MPI_CHECK(MPI_Allreduce(&local, global, 1, MPI_INT, MPI_MAX, comm->stop));
    return ATOLL_OK;
}

int atoll_comm_bcast_double(atoll_comm *comm, double *value)
{
    MPI_CHECK(MPI_Bcast(value, 1, MPI_DOUBLE, 0, comm->stop));
    return ATOLL_OK;
}

int atoll_comm_sum_long(atoll_comm *comm, const long *local, long *global, size_t n)
{
    MPI_CHECK(MPI_Allreduce(local, global, (int)n, MPI_LONG, MPI_SUM, comm->stop));
    return ATOLL_OK;
}

int atoll_comm_max_double(atoll_comm *comm, const double *local, double *global, size_t n)
{
    MPI_CHECK(MPI_Allreduce(local, global, (int)n, MPI_DOUBLE, MPI_MAX, comm->stop));
    return ATOLL_OK;
}

int atoll_comm_gather_double(atoll_comm *comm, const double *local, double *all, size_t n)
{
    MPI_CHECK(MPI_Gather(local, (int)n, MPI_DOUBLE, all, (int)n, MPI_DOUBLE, 0, comm->stop));
    return ATOLL_OK;
}

/* ---- sends in flight ---------------------------------------------------------------- */

/* Retire completed sends (their buffers become free for reuse). */
static int retire_sends(atoll_comm *comm)
{
    if (comm->n_slots == 0)
        return ATOLL_OK;
    int n_done = 0;
    MPI_CHECK(MPI_Testsome((int)comm->n_slots, comm->reqs, &n_done, comm->done_idx,
                           MPI_STATUSES_IGNORE));
    return ATOLL_OK;
}

/* A free send buffer of at least n doubles: a retired one if possible, else a new slot. */
static int take_slot(atoll_comm *comm, size_t n, size_t *slot)
{
    for (size_t i = 0; i < comm->n_slots; i++)
        if (comm->reqs[i] == MPI_REQUEST_NULL && comm->bufs[i].cap >= n) {
            *slot = i;
            return ATOLL_OK;
        }
    for (size_t i = 0; i < comm->n_slots; i++)
        if (comm->reqs[i] == MPI_REQUEST_NULL) {
            double *grown = realloc(comm->bufs[i].buf, n * sizeof *grown);
            if (!grown)
                return ATOLL_NOMEM("a send buffer");
            comm->bufs[i].buf = grown;
            comm->bufs[i].cap = n;
            *slot = i;
            return ATOLL_OK;
        }
    size_t k = comm->n_slots + 1;
    MPI_Request *reqs = realloc(comm->reqs, k * sizeof *reqs);
    if (!reqs)
        return ATOLL_NOMEM("send requests");
    comm->reqs = reqs;
    send_buf *bufs = realloc(comm->bufs, k * sizeof *bufs);
    if (!bufs)
        return ATOLL_NOMEM("send buffers");
    comm->bufs = bufs;
    int *idx = realloc(comm->done_idx, k * sizeof *idx);
    if (!idx)
        return ATOLL_NOMEM("send indices");
    comm->done_idx = idx;
    comm->reqs[k - 1] = MPI_REQUEST_NULL;
    comm->bufs[k - 1].buf = malloc(n * sizeof(double));
    comm->bufs[k - 1].cap = n;
    if (!comm->bufs[k - 1].buf)
        return ATOLL_NOMEM("a send buffer");
    comm->n_slots = k;
    *slot = k - 1;
    return ATOLL_OK;
}

/* Copy n doubles and send them without blocking. */
static int send_copy(atoll_comm *comm, MPI_Comm channel, int dest, int tag, const double *data,
                     size_t n)
{
    size_t slot = 0;
    ATOLL_CALL(retire_sends(comm));
    ATOLL_CALL(take_slot(comm, n, &slot));
    memcpy(comm->bufs[slot].buf, data, n * sizeof *data);
    MPI_CHECK(MPI_Isend(comm->bufs[slot].buf, (int)n, MPI_DOUBLE, dest, tag, channel,
                        &comm->reqs[slot]));
    return ATOLL_OK;
}

/* ---- rows --------------------------------------------------------------------------- */

int atoll_comm_rows_open(atoll_comm *comm, size_t width, atoll_row_fn fn, void *ctx)
{
    comm->row_width = width;
    comm->sink = fn;
    comm->sink_ctx = ctx;
    comm->row_in = malloc(width * sizeof *comm->row_in);
    comm->row_sync_buf = malloc(ROW_SYNC_DEPTH * width * sizeof *comm->row_sync_buf);
    if (!comm->row_in || !comm->row_sync_buf)
        return ATOLL_NOMEM("a row buffer");
    return ATOLL_OK;
}

/* Send one row as a synchronous send (see ROW_SYNC_EVERY), first waiting for the oldest open
 * one to complete, politely, while rank 0 catches up. */
static int send_row_synced(atoll_comm *comm, const double *row)
{
    int k = comm->row_sync_next;
    long ns = 0;
    for (;;) {
        int flag = 0;
        MPI_CHECK(MPI_Test(&comm->row_sync_req[k], &flag, MPI_STATUS_IGNORE));
        if (flag)
            break;
        ATOLL_CALL(retire_sends(comm));
        backoff(&ns);
    }
    double *buf = comm->row_sync_buf + (size_t)k * comm->row_width;
    memcpy(buf, row, comm->row_width * sizeof *row);
    MPI_CHECK(MPI_Issend(buf, (int)comm->row_width, MPI_DOUBLE, 0, TAG_ROW, comm->rows,
                         &comm->row_sync_req[k]));
    comm->row_sync_next = (k + 1) % ROW_SYNC_DEPTH;
    return ATOLL_OK;
}

int atoll_comm_row(atoll_comm *comm, const double *row)
{
    if (comm->rank == 0)
        return comm->sink(row, comm->sink_ctx);
    double t = now_s();
    if ((comm->rows_sent + 1) % ROW_SYNC_EVERY == 0)
        ATOLL_CALL(send_row_synced(comm, row));
    else
        ATOLL_CALL(send_copy(comm, comm->rows, 0, TAG_ROW, row, comm->row_width));
    comm->rows_sent++;
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

/* Rank 0: receive one row from `source` and sink it. */
static int sink_one(atoll_comm *comm, int source)
{
    MPI_CHECK(MPI_Recv(comm->row_in, (int)comm->row_width, MPI_DOUBLE, source, TAG_ROW,
                       comm->rows, MPI_STATUS_IGNORE));
    comm->rows_received[source]++;
    return comm->sink(comm->row_in, comm->sink_ctx);
}

/* Rank 0: sink every row that has arrived; *any says whether there was one. */
static int sink_rows(atoll_comm *comm, bool *any)
{
    if (comm->rank != 0 || !comm->sink)
        return ATOLL_OK;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, TAG_ROW, comm->rows, &flag, &st));
        if (!flag)
            return ATOLL_OK;
        ATOLL_CALL(sink_one(comm, st.MPI_SOURCE));
        if (any)
            *any = true;
    }
}

int atoll_comm_poll(atoll_comm *comm)
{
    double t = now_s();
    ATOLL_CALL(sink_rows(comm, NULL));
    int rc = retire_sends(comm);
    comm->comm_s += now_s() - t;
    return rc;
}

/* ---- stop agreement ----------------------------------------------------------------- */

int atoll_comm_stop_poll(atoll_comm *comm, bool want_stop, bool done, atoll_stop_state *state)
{
    if (!comm->stop_final) {
        if (!comm->stop_active) {
            comm->stop_send[0] = want_stop ? 1 : 0;
            comm->stop_send[1] = done ? 0 : 1;
            comm->stop_send[2] = comm->checkpoint_pending ? 1 : 0;
            comm->checkpoint_pending = false;
            MPI_CHECK(MPI_Iallreduce(comm->stop_send, comm->stop_recv, 3, MPI_INT, MPI_MAX,
                                     comm->stop, &comm->stop_req));
            comm->stop_active = true;
        }
        int flag = 0;
        MPI_CHECK(MPI_Test(&comm->stop_req, &flag, MPI_STATUS_IGNORE));
        if (flag) {
            comm->stop_active = false;
            comm->stop_state.stop = comm->stop_recv[0] != 0;
            comm->stop_state.all_done = comm->stop_recv[1] == 0;
            comm->stop_state.checkpoints += comm->stop_recv[2] != 0;
            /* Every rank sees the same completed round, so all leave on it together and no
             * rank posts a round the others would never join. */
            comm->stop_final = comm->stop_state.stop || comm->stop_state.all_done;
        }
    }
    *state = comm->stop_state;
    return ATOLL_OK;
}

void atoll_comm_request_checkpoint(atoll_comm *comm)
{
    comm->checkpoint_pending = true;
}

int atoll_comm_stop_wait(atoll_comm *comm, bool want_stop, atoll_stop_state *state)
{
    long ns = 0;
    for (;;) {
        bool any = false;
        ATOLL_CALL(sink_rows(comm, &any));
        ATOLL_CALL(retire_sends(comm));
        ATOLL_CALL(atoll_comm_stop_poll(comm, want_stop, true, state));
        if (state->stop || state->all_done)
            return ATOLL_OK;
        if (any)
            ns = 0;
        else
            backoff(&ns);
    }
}

/* ---- migration ---------------------------------------------------------------------- */

static int ensure_msg_in(atoll_comm *comm, size_t n)
{
    if (n <= comm->msg_in_cap)
        return ATOLL_OK;
    double *grown = realloc(comm->msg_in, n * sizeof *grown);
    if (!grown)
        return ATOLL_NOMEM("a migration buffer");
    comm->msg_in = grown;
    comm->msg_in_cap = n;
    return ATOLL_OK;
}

/* Receive the pending migration message from `source` (already probed) into msg_in. */
static int recv_migration(atoll_comm *comm, MPI_Status *probed, int *count)
{
    MPI_CHECK(MPI_Get_count(probed, MPI_DOUBLE, count));
    ATOLL_CALL(ensure_msg_in(comm, (size_t)*count + 1));
    MPI_CHECK(MPI_Recv(comm->msg_in, *count, MPI_DOUBLE, probed->MPI_SOURCE, probed->MPI_TAG,
                       comm->migr, MPI_STATUS_IGNORE));
    comm->migr_received_from[probed->MPI_SOURCE]++;
    if (probed->MPI_TAG == TAG_DONE && *count >= 1)
        comm->done_epoch[probed->MPI_SOURCE] = (long)comm->msg_in[0];
    return ATOLL_OK;
}

/* Send `n_out` records to comm->to[0..n_to) and wait for this epoch's records from
 * comm->from[0..n_from), skipping islands that finished before `epoch`. */
static int trade(atoll_comm *comm, size_t n_to, size_t n_from, long epoch, const double *out,
                 size_t n_out, size_t width, double *in, size_t in_cap, size_t *n_in,
                 atoll_stop_state *state)
{
    double t = now_s();
    *n_in = 0;
    /* Send first, so that neighbours waiting on each other never deadlock. */
    ATOLL_CALL(ensure_msg_in(comm, 2 + n_out * width));
    double *msg = comm->msg_in;
    msg[0] = (double)epoch;
    msg[1] = (double)n_out;
    memcpy(msg + 2, out, n_out * width * sizeof *out);
    for (size_t k = 0; k < n_to; k++) {
        int dest = comm->to[k];
        if (comm->done_epoch[dest] >= 0 && comm->done_epoch[dest] < epoch)
            continue; /* finished before this epoch: it will not read them */
        ATOLL_CALL(send_copy(comm, comm->migr, dest, TAG_MIGRANTS, msg, 2 + n_out * width));
        comm->migr_sent_to[dest]++;
        comm->stats.sent += (long)n_out;
    }
    for (size_t f = 0; f < n_from; f++) {
        int source = comm->from[f];
        long ns = 0;
        for (;;) {
            if (comm->done_epoch[source] >= 0 && comm->done_epoch[source] < epoch)
                break;
            int flag = 0;
            MPI_Status st;
            MPI_CHECK(MPI_Iprobe(source, MPI_ANY_TAG, comm->migr, &flag, &st));
            if (flag) {
                int count = 0;
                ATOLL_CALL(recv_migration(comm, &st, &count));
                if (st.MPI_TAG == TAG_DONE)
                    continue;
                comm->stats.messages++;
                if (count < 2 || (long)comm->msg_in[0] != epoch)
                    continue; /* not this epoch's: cannot happen in a synchronous schedule */
                size_t k = (size_t)comm->msg_in[1];
                if (2 + k * width > (size_t)count)
                    return ATOLL_RAISE(ATOLL_ERR_MPI, "malformed migration message from rank %d",
                                       source);
                for (size_t m = 0; m < k && *n_in < in_cap; m++, (*n_in)++)
                    memcpy(in + *n_in * width, comm->msg_in + 2 + m * width,
                           width * sizeof *in);
                comm->stats.received += (long)k;
                break;
            }
            bool any = false;
            ATOLL_CALL(sink_rows(comm, &any));
            ATOLL_CALL(retire_sends(comm));
            ATOLL_CALL(atoll_comm_stop_poll(comm, false, false, state));
            if (state->stop) {
                comm->comm_s += now_s() - t;
                return ATOLL_OK;
            }
            comm->comm_s += now_s() - t;
            if (any)
                ns = 0;
            else
                backoff(&ns);
            t = now_s();
        }
    }
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_migrate(atoll_comm *comm, atoll_topology topology, uint64_t seed, long epoch,
                       const double *out, size_t n_out, size_t width, double *in, size_t in_cap,
                       size_t *n_in, atoll_stop_state *state)
{
    size_t n_to = 0, n_from = 0;
    *n_in = 0;
    if (comm->migr == MPI_COMM_NULL)
        return ATOLL_OK;
    ATOLL_CALL(atoll_topology_neighbours(topology, comm->migr_size, comm->migr_rank, epoch, seed,
                                         comm->to, &n_to, comm->from, &n_from));
    return trade(comm, n_to, n_from, epoch, out, n_out, width, in, in_cap, n_in, state);
}

int atoll_comm_migrate_async(atoll_comm *comm, atoll_topology topology, uint64_t seed,
                             long epoch, const double *out, size_t n_out, size_t width,
                             double *in, size_t in_cap, size_t *n_in)
{
    size_t n_to = 0, n_from = 0;
    atoll_stop_state unused;
    *n_in = 0;
    if (comm->migr == MPI_COMM_NULL)
        return ATOLL_OK;
    ATOLL_CALL(atoll_topology_neighbours(topology, comm->migr_size, comm->migr_rank, epoch, seed,
                                         comm->to, &n_to, comm->from, &n_from));
    /* Send to this epoch's neighbours and wait for nobody. */
    ATOLL_CALL(trade(comm, n_to, 0, epoch, out, n_out, width, in, in_cap, n_in, &unused));
    double t = now_s();
    for (;;) {
        int flag = 0, count = 0;
        MPI_Status st;
        MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm->migr, &flag, &st));
        if (!flag)
            break;
        ATOLL_CALL(recv_migration(comm, &st, &count));
        if (st.MPI_TAG != TAG_MIGRANTS || count < 2)
            continue;
        comm->stats.messages++;
        size_t k = (size_t)comm->msg_in[1];
        if (2 + k * width > (size_t)count)
            return ATOLL_RAISE(ATOLL_ERR_MPI, "malformed migration message from rank %d",
                               st.MPI_SOURCE);
        for (size_t m = 0; m < k && *n_in < in_cap; m++, (*n_in)++)
            memcpy(in + *n_in * width, comm->msg_in + 2 + m * width, width * sizeof *in);
        comm->stats.received += (long)k;
    }
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_swap(atoll_comm *comm, int partner, long epoch, const double *out, size_t width,
                    double *in, bool *got, atoll_stop_state *state)
{
    size_t n_in = 0;
    *got = false;
    if (comm->migr == MPI_COMM_NULL || partner < 0 || partner >= comm->migr_size ||
        partner == comm->migr_rank)
        return ATOLL_OK;
    comm->to[0] = comm->from[0] = partner;
    ATOLL_CALL(trade(comm, 1, 1, epoch, out, 1, width, in, 1, &n_in, state));
    *got = n_in == 1;
    return ATOLL_OK;
}

int atoll_comm_island_done(atoll_comm *comm, long last_epoch)
{
    if (comm->sent_done)
        return ATOLL_OK;
    comm->sent_done = true;
    double msg = (double)last_epoch;
    if (comm->migr == MPI_COMM_NULL)
        return ATOLL_OK;
    for (int dest = 0; dest < comm->migr_size; dest++) {
        if (dest == comm->migr_rank)
            continue;
        ATOLL_CALL(send_copy(comm, comm->migr, dest, TAG_DONE, &msg, 1));
        comm->migr_sent_to[dest]++;
    }
    return ATOLL_OK;
}

/* Receive every message still owed on `channel` (peers' sent counts against our received
 * counts); `migration` says whether they are migration messages (else island traffic). */
static int drain_channel(atoll_comm *comm, MPI_Comm channel, int size, const long *sent_to,
                         long *received_from, bool migration)
{
    long *expect = malloc((size_t)size * sizeof *expect);
    if (!expect)
        return ATOLL_NOMEM("drain counters");
    int rc = ATOLL_OK;
    int mrc = MPI_Alltoall(sent_to, 1, MPI_LONG, expect, 1, MPI_LONG, channel);
    if (mrc != MPI_SUCCESS)
        rc = mpi_fail(mrc, "MPI_Alltoall", __FILE__, __LINE__);
    for (int source = 0; source < size && rc == ATOLL_OK; source++) {
        while (rc == ATOLL_OK && received_from[source] < expect[source]) {
            MPI_Status st;
            int count = 0;
            mrc = MPI_Probe(source, MPI_ANY_TAG, channel, &st);
            if (mrc != MPI_SUCCESS) {
                rc = mpi_fail(mrc, "MPI_Probe", __FILE__, __LINE__);
                break;
            }
            if (migration) {
                rc = recv_migration(comm, &st, &count);
                continue;
            }
            MPI_Get_count(&st, MPI_DOUBLE, &count);
            rc = ensure_msg_in(comm, (size_t)count + 1);
            if (rc == ATOLL_OK &&
                MPI_Recv(comm->msg_in, count, MPI_DOUBLE, source, st.MPI_TAG, channel,
                         MPI_STATUS_IGNORE) != MPI_SUCCESS)
                rc = ATOLL_RAISE(ATOLL_ERR_MPI, "MPI: receiving island traffic failed");
            received_from[source]++;
        }
    }
    free(expect);
    return rc;
}

int atoll_comm_drain(atoll_comm *comm)
{
    double t = now_s();
    int rc = ATOLL_OK;
    if (comm->migr != MPI_COMM_NULL)
        rc = drain_channel(comm, comm->migr, comm->migr_size, comm->migr_sent_to,
                           comm->migr_received_from, true);
    if (rc == ATOLL_OK)
        rc = drain_channel(comm, comm->island, comm->island_size, comm->island_sent_to,
                           comm->island_received_from, false);
    long *rows_expect = malloc((size_t)comm->size * sizeof *rows_expect);
    if (!rows_expect)
        return ATOLL_NOMEM("drain counters");
    if (rc == ATOLL_OK && MPI_Gather(&comm->rows_sent, 1, MPI_LONG, rows_expect, 1, MPI_LONG, 0,
                                     comm->rows) != MPI_SUCCESS)
        rc = ATOLL_RAISE(ATOLL_ERR_MPI, "MPI: gathering row counts failed");
    if (comm->rank == 0 && comm->sink)
        for (int source = 1; source < comm->size && rc == ATOLL_OK; source++)
            while (rc == ATOLL_OK && comm->rows_received[source] < rows_expect[source])
                rc = sink_one(comm, source);
    free(rows_expect);
    for (size_t i = 0; i < comm->n_slots && rc == ATOLL_OK; i++)
        if (MPI_Wait(&comm->reqs[i], MPI_STATUS_IGNORE) != MPI_SUCCESS)
            rc = ATOLL_RAISE(ATOLL_ERR_MPI, "MPI: completing a send failed");
    if (rc == ATOLL_OK &&
        MPI_Waitall(ROW_SYNC_DEPTH, comm->row_sync_req, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
        rc = ATOLL_RAISE(ATOLL_ERR_MPI, "MPI: completing a row send failed");
    comm->comm_s += now_s() - t;
    return rc;
}

/* ---- checkpoints ---------------------------------------------------------------------- */

int atoll_comm_bcast_bytes(atoll_comm *comm, void **buf, size_t *len)
{
    double t = now_s();
    long n = comm->rank == 0 ? (long)*len : 0;
    MPI_CHECK(MPI_Bcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD));
    if (n < 0 || n > INT_MAX)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "%ld bytes are too many to broadcast", n);
    if (comm->rank != 0) {
        *len = (size_t)n;
        *buf = n > 0 ? malloc((size_t)n) : NULL;
    }
    if (n == 0) {
        comm->comm_s += now_s() - t;
        return ATOLL_OK;
    }
    /* Every rank takes part even when one is out of memory: say so after the broadcast. */
    int ok = *buf != NULL, all_ok = 0;
    MPI_CHECK(MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD));
    if (!all_ok)
        return *buf ? ATOLL_RAISE(ATOLL_ERR_NOMEM, "another rank is out of memory")
                    : ATOLL_NOMEM("a broadcast buffer");
    if (n > 0)
        MPI_CHECK(MPI_Bcast(*buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD));
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_ckpt_send(atoll_comm *comm, const void *blob, size_t len)
{
    double t = now_s();
    size_t n = 1 + (len + sizeof(double) - 1) / sizeof(double);
    double *msg = calloc(n, sizeof *msg);
    if (!msg)
        return ATOLL_NOMEM("a checkpoint message");
    msg[0] = (double)len;
    memcpy(msg + 1, blob, len);
    int rc = send_copy(comm, comm->rows, 0, TAG_CKPT, msg, n);
    free(msg);
    comm->comm_s += now_s() - t;
    return rc;
}

int atoll_comm_ckpt_poll(atoll_comm *comm, bool wait, void **blob, size_t *len, bool *got)
{
    *got = false;
    *blob = NULL;
    *len = 0;
    long ns = 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, TAG_CKPT, comm->rows, &flag, &st));
        if (flag) {
            int count = 0;
            MPI_CHECK(MPI_Get_count(&st, MPI_DOUBLE, &count));
            double *msg = malloc((count > 0 ? (size_t)count : 1) * sizeof *msg);
            if (!msg)
                return ATOLL_NOMEM("a checkpoint message");
            int rc = MPI_Recv(msg, count, MPI_DOUBLE, st.MPI_SOURCE, TAG_CKPT, comm->rows,
                              MPI_STATUS_IGNORE);
            size_t bytes = count >= 1 && msg[0] >= 0 ? (size_t)msg[0] : SIZE_MAX;
            if (rc != MPI_SUCCESS || bytes > ((size_t)count - 1) * sizeof(double)) {
                free(msg);
                return ATOLL_RAISE(ATOLL_ERR_MPI, "malformed checkpoint message from rank %d",
                                   st.MPI_SOURCE);
            }
            memmove(msg, msg + 1, bytes);
            *blob = msg;
            *len = bytes;
            *got = true;
            return ATOLL_OK;
        }
        if (!wait)
            return ATOLL_OK;
        bool any = false;
        ATOLL_CALL(sink_rows(comm, &any));
        ATOLL_CALL(retire_sends(comm));
        if (any)
            ns = 0;
        else
            backoff(&ns);
    }
}

int atoll_comm_migrate_send(atoll_comm *comm, int island, long epoch, const double *out,
                            size_t n_out, size_t width)
{
    if (comm->migr == MPI_COMM_NULL || island < 0 || island >= comm->migr_size ||
        island == comm->migr_rank)
        return ATOLL_OK;
    ATOLL_CALL(ensure_msg_in(comm, 2 + n_out * width));
    double *msg = comm->msg_in;
    msg[0] = (double)epoch;
    msg[1] = (double)n_out;
    memcpy(msg + 2, out, n_out * width * sizeof *out);
    ATOLL_CALL(send_copy(comm, comm->migr, island, TAG_MIGRANTS, msg, 2 + n_out * width));
    comm->migr_sent_to[island]++;
    return ATOLL_OK;
}

/* ---- islands and farming ------------------------------------------------------------- */

int atoll_comm_split(atoll_comm *comm, int n_islands)
{
    if (n_islands < 1 || n_islands > comm->size)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "cannot split %d ranks into %d islands", comm->size,
                           n_islands);
    /* Contiguous groups whose sizes differ by at most one. */
    int island = (int)(((long)comm->rank * n_islands) / comm->size);
    MPI_CHECK(MPI_Comm_free(&comm->island));
    MPI_CHECK(MPI_Comm_split(MPI_COMM_WORLD, island, comm->rank, &comm->island));
    MPI_CHECK(MPI_Comm_rank(comm->island, &comm->island_rank));
    MPI_CHECK(MPI_Comm_size(comm->island, &comm->island_size));
    comm->island_id = island;
    comm->n_islands = n_islands;
    MPI_CHECK(MPI_Comm_free(&comm->migr));
    MPI_CHECK(MPI_Comm_split(MPI_COMM_WORLD, comm->island_rank == 0 ? 0 : MPI_UNDEFINED,
                             comm->rank, &comm->migr));
    comm->migr_rank = comm->migr_size = -1;
    if (comm->migr != MPI_COMM_NULL) {
        MPI_CHECK(MPI_Comm_rank(comm->migr, &comm->migr_rank));
        MPI_CHECK(MPI_Comm_size(comm->migr, &comm->migr_size));
    }
    return ATOLL_OK;
}

int atoll_comm_island(const atoll_comm *comm)
{
    return comm->island_id;
}

int atoll_comm_n_islands(const atoll_comm *comm)
{
    return comm->n_islands;
}

int atoll_comm_island_rank(const atoll_comm *comm)
{
    return comm->island_rank;
}

int atoll_comm_island_size(const atoll_comm *comm)
{
    return comm->island_size;
}

int atoll_comm_task_send(atoll_comm *comm, int worker, const double *task, size_t n)
{
    double t = now_s();
    ATOLL_CALL(send_copy(comm, comm->island, worker, TAG_TASK, task, n));
    comm->island_sent_to[worker]++;
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_result_send(atoll_comm *comm, const double *result, size_t n)
{
    double t = now_s();
    ATOLL_CALL(send_copy(comm, comm->island, 0, TAG_RESULT, result, n));
    comm->island_sent_to[0]++;
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_result_poll(atoll_comm *comm, double *result, size_t cap, int *worker, bool *got)
{
    double t = now_s();
    int flag = 0;
    MPI_Status st;
    *got = false;
    MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, comm->island, &flag, &st));
    if (flag) {
        int count = 0;
        MPI_CHECK(MPI_Get_count(&st, MPI_DOUBLE, &count));
        if ((size_t)count > cap)
            return ATOLL_RAISE(ATOLL_ERR_MPI, "a result of %d values from rank %d (at most %zu)",
                               count, st.MPI_SOURCE, cap);
        MPI_CHECK(MPI_Recv(result, count, MPI_DOUBLE, st.MPI_SOURCE, TAG_RESULT, comm->island,
                           MPI_STATUS_IGNORE));
        comm->island_received_from[st.MPI_SOURCE]++;
        *worker = st.MPI_SOURCE;
        *got = true;
    }
    comm->comm_s += now_s() - t;
    return ATOLL_OK;
}

int atoll_comm_workers_quit(atoll_comm *comm)
{
    double none = 0;
    for (int w = 1; w < comm->island_size; w++) {
        ATOLL_CALL(send_copy(comm, comm->island, w, TAG_QUIT, &none, 1));
        comm->island_sent_to[w]++;
    }
    return ATOLL_OK;
}

int atoll_comm_task_wait(atoll_comm *comm, double *task, size_t cap, bool *quit,
                         atoll_stop_state *state)
{
    long ns = 0;
    *quit = false;
    for (;;) {
        double t = now_s();
        int flag = 0;
        MPI_Status st;
        MPI_CHECK(MPI_Iprobe(0, MPI_ANY_TAG, comm->island, &flag, &st));
        if (flag) {
            int count = 0;
            MPI_CHECK(MPI_Get_count(&st, MPI_DOUBLE, &count));
            ATOLL_CALL(ensure_msg_in(comm, (size_t)count + 1));
            MPI_CHECK(MPI_Recv(comm->msg_in, count, MPI_DOUBLE, 0, st.MPI_TAG, comm->island,
                               MPI_STATUS_IGNORE));
            comm->island_received_from[0]++;
            comm->comm_s += now_s() - t;
            if (st.MPI_TAG == TAG_QUIT) {
                *quit = true;
                return ATOLL_OK;
            }
            if ((size_t)count > cap)
                return ATOLL_RAISE(ATOLL_ERR_MPI, "a task of %d values (at most %zu)", count,
                                   cap);
            memcpy(task, comm->msg_in, (size_t)count * sizeof *task);
            return ATOLL_OK;
        }
        bool any = false;
        ATOLL_CALL(sink_rows(comm, &any));
        ATOLL_CALL(retire_sends(comm));
        ATOLL_CALL(atoll_comm_stop_poll(comm, false, false, state));
        comm->comm_s += now_s() - t;
        if (state->stop) {
            *quit = true;
            return ATOLL_OK;
        }
        if (any)
            ns = 0;
        else
            backoff(&ns);
    }
}

void atoll_comm_pause(atoll_comm *comm, long *ns)
{
    (void)comm;
    backoff(ns);
}

bool atoll_comm_threads_ok(const atoll_comm *comm)
{
    return comm->threads_ok;
}

double atoll_comm_seconds(const atoll_comm *comm)
{
    return comm->comm_s;
}

void atoll_comm_get_stats(const atoll_comm *comm, atoll_comm_stats *stats)
{
    *stats = comm->stats;
}
