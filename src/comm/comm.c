/* comm.c - MPI behind atoll's verbs: rows to rank 0, migration, stop agreement, drain. */
#include "comm/comm.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"

enum { TAG_ROW = 1, TAG_MIGRANTS = 10, TAG_DONE = 11 };

/* A send in flight and the buffer it reads. */
typedef struct {
    double *buf;
    size_t cap;
} send_buf;

struct atoll_comm {
    MPI_Comm rows, migr, stop;
    int rank, size;

    /* rows */
    size_t row_width;
    atoll_row_fn sink;
    void *sink_ctx;
    double *row_in;
    long rows_sent;      /* by this rank to rank 0 */
    long *rows_received; /* rank 0: per source */

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
    int stop_send[2], stop_recv[2];
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

/* Sleep a little, growing from 20 us to 2 ms while nothing happens. */
static void backoff(long *ns)
{
    if (*ns < 20000)
        *ns = 20000;
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    if (*ns < 2000000)
        *ns *= 2;
}

int atoll_comm_init(int *argc, char ***argv, atoll_comm **out)
{
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized)
        MPI_CHECK(MPI_Init(argc, argv));
    atoll_comm *comm = calloc(1, sizeof *comm);
    if (!comm)
        return ATOLL_NOMEM("the communicator");
    MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &comm->rank));
    MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &comm->size));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->rows));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->migr));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm->stop));
    size_t n = (size_t)comm->size;
    comm->rows_received = calloc(n, sizeof *comm->rows_received);
    comm->migr_sent_to = calloc(n, sizeof *comm->migr_sent_to);
    comm->migr_received_from = calloc(n, sizeof *comm->migr_received_from);
    comm->done_epoch = malloc(n * sizeof *comm->done_epoch);
    comm->to = malloc(n * sizeof *comm->to);
    comm->from = malloc(n * sizeof *comm->from);
    if (!comm->rows_received || !comm->migr_sent_to || !comm->migr_received_from ||
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
        if (comm->rows != MPI_COMM_NULL && comm->rows)
            MPI_Comm_free(&comm->rows);
        if (comm->migr != MPI_COMM_NULL && comm->migr)
            MPI_Comm_free(&comm->migr);
        if (comm->stop != MPI_COMM_NULL && comm->stop)
            MPI_Comm_free(&comm->stop);
        free(comm->reqs);
        free(comm->bufs);
        free(comm->done_idx);
        free(comm->row_in);
        free(comm->rows_received);
        free(comm->migr_sent_to);
        free(comm->migr_received_from);
        free(comm->done_epoch);
        free(comm->to);
        free(comm->from);
        free(comm->msg_in);
        free(comm);
        *pc = NULL;
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
    if (!comm->row_in)
        return ATOLL_NOMEM("a row buffer");
    return ATOLL_OK;
}

int atoll_comm_row(atoll_comm *comm, const double *row)
{
    if (comm->rank == 0)
        return comm->sink(row, comm->sink_ctx);
    ATOLL_CALL(send_copy(comm, comm->rows, 0, TAG_ROW, row, comm->row_width));
    comm->rows_sent++;
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
    ATOLL_CALL(sink_rows(comm, NULL));
    return retire_sends(comm);
}

/* ---- stop agreement ----------------------------------------------------------------- */

int atoll_comm_stop_poll(atoll_comm *comm, bool want_stop, bool done, atoll_stop_state *state)
{
    if (!comm->stop_final) {
        if (!comm->stop_active) {
            comm->stop_send[0] = want_stop ? 1 : 0;
            comm->stop_send[1] = done ? 0 : 1;
            MPI_CHECK(MPI_Iallreduce(comm->stop_send, comm->stop_recv, 2, MPI_INT, MPI_MAX,
                                     comm->stop, &comm->stop_req));
            comm->stop_active = true;
        }
        int flag = 0;
        MPI_CHECK(MPI_Test(&comm->stop_req, &flag, MPI_STATUS_IGNORE));
        if (flag) {
            comm->stop_active = false;
            comm->stop_state.stop = comm->stop_recv[0] != 0;
            comm->stop_state.all_done = comm->stop_recv[1] == 0;
            /* Every rank sees the same completed round, so all leave on it together and no
             * rank posts a round the others would never join. */
            comm->stop_final = comm->stop_state.stop || comm->stop_state.all_done;
        }
    }
    *state = comm->stop_state;
    return ATOLL_OK;
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

int atoll_comm_migrate(atoll_comm *comm, atoll_topology topology, uint64_t seed, long epoch,
                       const double *out, size_t n_out, size_t width, double *in, size_t in_cap,
                       size_t *n_in, atoll_stop_state *state)
{
    size_t n_to = 0, n_from = 0;
    *n_in = 0;
    ATOLL_CALL(atoll_topology_neighbours(topology, comm->size, comm->rank, epoch, seed, comm->to,
                                         &n_to, comm->from, &n_from));
    /* Send first, so that neighbours waiting on each other never deadlock. */
    ATOLL_CALL(ensure_msg_in(comm, 2 + n_out * width));
    double *msg = comm->msg_in;
    msg[0] = (double)epoch;
    msg[1] = (double)n_out;
    memcpy(msg + 2, out, n_out * width * sizeof *out);
    for (size_t t = 0; t < n_to; t++) {
        int dest = comm->to[t];
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
            if (state->stop)
                return ATOLL_OK;
            if (any)
                ns = 0;
            else
                backoff(&ns);
        }
    }
    return ATOLL_OK;
}

int atoll_comm_island_done(atoll_comm *comm, long last_epoch)
{
    if (comm->sent_done)
        return ATOLL_OK;
    comm->sent_done = true;
    double msg = (double)last_epoch;
    for (int dest = 0; dest < comm->size; dest++) {
        if (dest == comm->rank)
            continue;
        ATOLL_CALL(send_copy(comm, comm->migr, dest, TAG_DONE, &msg, 1));
        comm->migr_sent_to[dest]++;
    }
    return ATOLL_OK;
}

int atoll_comm_drain(atoll_comm *comm)
{
    size_t n = (size_t)comm->size;
    long *expect = malloc(n * sizeof *expect);
    long *rows_expect = malloc(n * sizeof *rows_expect);
    if (!expect || !rows_expect) {
        free(expect);
        free(rows_expect);
        return ATOLL_NOMEM("drain counters");
    }
    int rc = ATOLL_OK;
    int mrc = MPI_Alltoall(comm->migr_sent_to, 1, MPI_LONG, expect, 1, MPI_LONG, comm->migr);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Gather(&comm->rows_sent, 1, MPI_LONG, rows_expect, 1, MPI_LONG, 0, comm->rows);
    if (mrc != MPI_SUCCESS) {
        rc = mpi_fail(mrc, "drain counts", __FILE__, __LINE__);
        goto done;
    }
    for (int source = 0; source < comm->size && rc == ATOLL_OK; source++) {
        while (comm->migr_received_from[source] < expect[source]) {
            MPI_Status st;
            int count = 0;
            mrc = MPI_Probe(source, MPI_ANY_TAG, comm->migr, &st);
            if (mrc != MPI_SUCCESS) {
                rc = mpi_fail(mrc, "MPI_Probe", __FILE__, __LINE__);
                break;
            }
            rc = recv_migration(comm, &st, &count);
            if (rc != ATOLL_OK)
                break;
        }
        if (comm->rank == 0 && comm->sink)
            while (rc == ATOLL_OK && source != 0 &&
                   comm->rows_received[source] < rows_expect[source])
                rc = sink_one(comm, source);
    }
    for (size_t i = 0; i < comm->n_slots && rc == ATOLL_OK; i++) {
        mrc = MPI_Wait(&comm->reqs[i], MPI_STATUS_IGNORE);
        if (mrc != MPI_SUCCESS)
            rc = mpi_fail(mrc, "MPI_Wait", __FILE__, __LINE__);
    }
done:
    free(expect);
    free(rows_expect);
    return rc;
}

void atoll_comm_get_stats(const atoll_comm *comm, atoll_comm_stats *stats)
{
    *stats = comm->stats;
}
