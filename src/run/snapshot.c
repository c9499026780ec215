/* snapshot.c - checkpoints of a run: each island's state, gathered and written by rank 0,
 * and read back to resume. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/topology.h"
#include "run/island.h"
#include "run/report.h"

/*
 * One island's state (the bytes a leader sends to rank 0):
 *
 *   i64 seq, island, final, budget_offset, budget, issued, epoch_seen, accepted, swaps
 *   i64 n_pending, then each: i64 ticket, generation, trial; f64 x[dim]
 *   i64 n_packets, then each: i64 epoch, kind, n, width; f64 data[n * width]
 *   bytes: the strategy's own state
 *
 * A checkpoint file's payload:
 *
 *   i64 seq, seed, islands; bytes strategy name; i64 dim, row width, evaluations, rows logged
 *   then one length-prefixed island state per island, in island order.
 */

/* The parts of an island state that resuming and the collector look at. */
typedef struct {
    long seq, island, final, offset, budget, issued, epoch_seen, accepted, swaps;
    size_t n_pending;
    const unsigned char *pending; /* n_pending records */
    size_t n_packets;
    const unsigned char *packets;
    const void *strategy;
    size_t strategy_len;
} island_view;

/* Parse an island state of dimension `dim`; ATOLL_ERR_IO when malformed. */
static int island_parse(const unsigned char *p, size_t len, size_t dim, island_view *v)
{
    atoll_rbuf r;
    atoll_rbuf_init(&r, p, len);
    const int64_t big = LONG_MAX / 4;
    v->seq = atoll_rbuf_range(&r, 0, big);
    v->island = atoll_rbuf_range(&r, 0, INT_MAX);
    v->final = atoll_rbuf_range(&r, 0, 1);
    v->offset = atoll_rbuf_range(&r, 0, big);
    v->budget = atoll_rbuf_range(&r, 0, big);
    v->issued = atoll_rbuf_range(&r, 0, v->budget);
    v->epoch_seen = atoll_rbuf_range(&r, 0, big);
    v->accepted = atoll_rbuf_range(&r, 0, big);
    v->swaps = atoll_rbuf_range(&r, 0, big);
    v->n_pending = (size_t)atoll_rbuf_range(&r, 0, v->issued);
    v->pending = r.data + r.pos;
    double *x = malloc((dim ? dim : 1) * sizeof *x);
    if (!x)
        return ATOLL_NOMEM("a checkpoint point");
    for (size_t k = 0; k < v->n_pending && !r.failed; k++) {
        atoll_rbuf_range(&r, 0, big);
        atoll_rbuf_range(&r, 0, big);
        atoll_rbuf_range(&r, v->offset, v->offset + v->issued - 1);
        atoll_rbuf_unit(&r, x, dim);
    }
    free(x);
    v->n_packets = (size_t)atoll_rbuf_range(&r, 0, ISLAND_PACKETS);
    v->packets = r.data + r.pos;
    for (size_t k = 0; k < v->n_packets && !r.failed; k++) {
        atoll_rbuf_range(&r, 0, big);
        atoll_rbuf_range(&r, PACKET_MIGRANTS, PACKET_SWAP);
        int64_t n = atoll_rbuf_range(&r, 0, 1 << 20), w = atoll_rbuf_range(&r, 1, 1 << 20);
        if (!r.failed && (uint64_t)(n * w) > (r.len - r.pos) / sizeof(double))
            r.failed = true;
        else
            r.pos += (size_t)(n * w) * sizeof(double);
    }
    v->strategy = atoll_rbuf_bytes(&r, &v->strategy_len);
    if (!r.failed && r.pos != r.len)
        r.failed = true;
    return atoll_rbuf_status(&r, "island state");
}

/* ---------------------------------------------------------------- an island's side */

int island_keep_packet(island_run *r, long epoch, int kind, const double *data, size_t n,
                       size_t width)
{
    island_packet *p = &r->packets[r->n_packets % ISLAND_PACKETS];
    double *copy = malloc((n * width + 1) * sizeof *copy);
    if (!copy)
        return ATOLL_NOMEM("a migration record");
    memcpy(copy, data, n * width * sizeof *copy);
    free(p->data);
    p->data = copy;
    p->epoch = epoch;
    p->kind = kind;
    p->n = n;
    p->width = width;
    r->n_packets++;
    return ATOLL_OK;
}

static void put_task(atoll_wbuf *b, const island_task *t, size_t dim)
{
    atoll_wbuf_i64(b, t->ticket);
    atoll_wbuf_i64(b, t->generation);
    atoll_wbuf_i64(b, t->trial);
    atoll_wbuf_f64s(b, t->x, dim);
}

int island_snapshot(island_run *r, long seq, bool final, atoll_wbuf *b)
{
    atoll_wbuf_i64(b, seq);
    atoll_wbuf_i64(b, r->island);
    atoll_wbuf_i64(b, final);
    atoll_wbuf_i64(b, r->env.budget_offset);
    atoll_wbuf_i64(b, r->env.budget);
    atoll_wbuf_i64(b, r->issued);
    atoll_wbuf_i64(b, r->epoch_seen);
    atoll_wbuf_i64(b, r->accepted);
    atoll_wbuf_i64(b, r->swaps);
    size_t n_pending = r->n_queue - r->queue_next;
    for (int w = 0; w <= r->n_workers; w++)
        n_pending += r->flight[w].used;
    atoll_wbuf_i64(b, (int64_t)n_pending);
    for (int w = 0; w <= r->n_workers; w++)
        if (r->flight[w].used)
            put_task(b, &r->flight[w], r->dim);
    for (size_t k = r->queue_next; k < r->n_queue; k++)
        put_task(b, &r->queue[k], r->dim);
    size_t kept = r->n_packets < ISLAND_PACKETS ? r->n_packets : ISLAND_PACKETS;
    atoll_wbuf_i64(b, (int64_t)kept);
    for (size_t k = r->n_packets - kept; k < r->n_packets; k++) {
        const island_packet *p = &r->packets[k % ISLAND_PACKETS];
        atoll_wbuf_i64(b, p->epoch);
        atoll_wbuf_i64(b, p->kind);
        atoll_wbuf_i64(b, (int64_t)p->n);
        atoll_wbuf_i64(b, (int64_t)p->width);
        atoll_wbuf_f64s(b, p->data, p->n * p->width);
    }
    atoll_wbuf strat = {0};
    int rc = r->d->strategy->save(r->strategy, &strat);
    if (rc == ATOLL_OK)
        atoll_wbuf_bytes(b, strat.data, strat.len);
    atoll_wbuf_free(&strat);
    ATOLL_CALL(rc);
    return atoll_wbuf_status(b, "an island checkpoint");
}

int island_queue_task(island_run *r, long ticket, long generation, long trial, const double *x)
{
    if (r->n_queue == r->queue_cap) {
        size_t cap = r->queue_cap ? 2 * r->queue_cap : 8;
        island_task *grown = realloc(r->queue, cap * sizeof *grown);
        if (!grown)
            return ATOLL_NOMEM("the task queue");
        memset(grown + r->queue_cap, 0, (cap - r->queue_cap) * sizeof *grown);
        r->queue = grown;
        r->queue_cap = cap;
    }
    island_task *t = &r->queue[r->n_queue];
    if (!t->x && !(t->x = malloc(r->dim * sizeof *t->x)))
        return ATOLL_NOMEM("the task queue");
    t->used = true;
    t->ticket = ticket;
    t->generation = generation;
    t->trial = trial;
    memcpy(t->x, x, r->dim * sizeof *x);
    r->n_queue++;
    return ATOLL_OK;
}

/* The replay table of this island's id range from the journal's rows. */
static int build_replay(island_run *r, const double *rows, size_t n_rows)
{
    size_t budget = (size_t)r->env.budget;
    r->replay = malloc((budget ? budget : 1) * sizeof *r->replay);
    if (!r->replay)
        return ATOLL_NOMEM("the replay table");
    for (size_t k = 0; k < budget; k++)
        r->replay[k] = -1;
    r->replay_rows = rows;
    for (size_t k = 0; k < n_rows; k++) {
        double id = rows[k * r->width + ATOLL_ROW_TRIAL] - (double)r->env.budget_offset;
        if (id >= 0 && id < (double)budget && r->replay[(size_t)id] < 0)
            r->replay[(size_t)id] = (long)k;
    }
    return ATOLL_OK;
}

int island_replay_only(island_run *r, const double *rows, size_t n_rows)
{
    return build_replay(r, rows, n_rows);
}

/* Every island's epoch_seen, from a checkpoint payload positioned at its island states. */
static int payload_islands(const unsigned char *p, size_t len, size_t dim, int n_islands,
                           island_view *views)
{
    atoll_rbuf r;
    atoll_rbuf_init(&r, p, len);
    atoll_rbuf_i64(&r); /* seq */
    atoll_rbuf_i64(&r); /* seed */
    atoll_rbuf_i64(&r); /* islands */
    size_t n = 0;
    atoll_rbuf_bytes(&r, &n); /* strategy */
    for (int k = 0; k < 4; k++)
        atoll_rbuf_i64(&r);
    ATOLL_CALL(atoll_rbuf_status(&r, "checkpoint"));
    for (int k = 0; k < n_islands; k++) {
        const unsigned char *blob = atoll_rbuf_bytes(&r, &n);
        ATOLL_CALL(atoll_rbuf_status(&r, "checkpoint"));
        ATOLL_CALL(island_parse(blob, n, dim, &views[k]));
        if (views[k].island != k)
            return ATOLL_RAISE(ATOLL_ERR_IO, "checkpoint: island states out of order");
    }
    return ATOLL_OK;
}

/* The islands this one sends to at `epoch` (kind: migrants by the topology, or the
 * replica-exchange partner of that round). */
static int packet_targets(const atoll_run_desc *d, int n_islands, int island, long epoch,
                          int kind, int *to, size_t *n_to)
{
    /* a run keeps messages only at migration epochs, migrants only when it sends some */
    if (d->migration.interval <= 0 || (kind == PACKET_MIGRANTS && d->migration.migrants <= 0))
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "checkpoint: island %d kept a message of a kind this run never sends",
                           island);
    int *from = malloc((size_t)n_islands * sizeof *from);
    size_t n_from = 0;
    if (!from)
        return ATOLL_NOMEM("neighbour lists");
    int rc;
    if (kind == PACKET_MIGRANTS)
        rc = atoll_topology_neighbours(d->migration.topology, n_islands, island, epoch, d->seed,
                                       to, n_to, from, &n_from);
    else
        rc = atoll_topology_neighbours(ATOLL_TOPOLOGY_PAIRS, n_islands, island,
                                       epoch / d->migration.interval, d->seed, to, n_to, from,
                                       &n_from);
    free(from);
    return rc;
}

/* Island r's side of restoring from payload `p` (every island's state in *views): its
 * counters, pending tasks, strategy state, replay table and kept messages, and the messages
 * that neighbours behind it are owed, as (kept packet, island) pairs in owed[2 * k],
 * owed[2 * k + 1] (room for ISLAND_PACKETS * n_islands pairs). Sends nothing. */
static int load_island(island_run *r, const unsigned char *p, size_t len, const double *rows,
                       size_t n_rows, island_view *views, int *owed, size_t *n_owed)
{
    *n_owed = 0;
    ATOLL_CALL(payload_islands(p, len, r->dim, r->n_islands, views));
    const island_view *v = &views[r->island];
    if (v->offset != r->env.budget_offset || v->budget != r->env.budget)
        return ATOLL_RAISE(ATOLL_ERR_IO, "checkpoint: island %d's share of the budget differs",
                           r->island);
    r->issued = v->issued;
    r->epoch_seen = v->epoch_seen;
    r->accepted = v->accepted;
    r->swaps = v->swaps;
    atoll_rbuf rb;
    atoll_rbuf_init(&rb, v->pending, (size_t)(v->packets - v->pending));
    for (size_t k = 0; k < v->n_pending; k++) {
        long ticket = atoll_rbuf_i64(&rb), generation = atoll_rbuf_i64(&rb);
        long trial = atoll_rbuf_i64(&rb);
        atoll_rbuf_unit(&rb, r->x, r->dim);
        ATOLL_CALL(island_queue_task(r, ticket, generation, trial, r->x));
    }
    atoll_rbuf sb;
    atoll_rbuf_init(&sb, v->strategy, v->strategy_len);
    ATOLL_CALL(r->d->strategy->load(r->strategy, &sb));
    if (sb.pos != sb.len)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "checkpoint: island %d's strategy state has extra bytes", r->island);
    ATOLL_CALL(build_replay(r, rows, n_rows));
    /* What a neighbour that restarts behind this island is owed: the messages of the epochs
     * it had not completed, up to this island's own. */
    int *to = malloc((size_t)r->n_islands * sizeof *to);
    if (!to)
        return ATOLL_NOMEM("neighbour lists");
    int rc = ATOLL_OK;
    atoll_rbuf pb;
    atoll_rbuf_init(&pb, v->packets, (size_t)-1 / 2);
    for (size_t k = 0; k < v->n_packets && rc == ATOLL_OK; k++) {
        long epoch = atoll_rbuf_i64(&pb);
        int kind = (int)atoll_rbuf_i64(&pb);
        size_t n = (size_t)atoll_rbuf_i64(&pb), width = (size_t)atoll_rbuf_i64(&pb);
        rc = island_keep_packet(r, epoch, kind, (const double *)(pb.data + pb.pos), n, width);
        pb.pos += n * width * sizeof(double);
        size_t n_to = 0;
        if (rc == ATOLL_OK && epoch <= r->epoch_seen)
            rc = packet_targets(r->d, r->n_islands, r->island, epoch, kind, to, &n_to);
        for (size_t j = 0; j < n_to && rc == ATOLL_OK; j++)
            if (views[to[j]].epoch_seen < epoch) {
                owed[2 * *n_owed] = (int)k;
                owed[2 * *n_owed + 1] = to[j];
                (*n_owed)++;
            }
    }
    free(to);
    return rc;
}

/* island_restore, or with `send` false island_load. */
static int restore(island_run *r, const unsigned char *p, size_t len, const double *rows,
                   size_t n_rows, bool send)
{
    island_view *views = calloc((size_t)r->n_islands, sizeof *views);
    int *owed = malloc(2 * ISLAND_PACKETS * (size_t)r->n_islands * sizeof *owed);
    size_t n_owed = 0;
    int rc = views && owed ? load_island(r, p, len, rows, n_rows, views, owed, &n_owed)
                           : ATOLL_NOMEM("checkpoint views");
    /* Send again what those neighbours are owed (the packets kept are r->packets[0..n)). */
    for (size_t k = 0; send && k < n_owed && rc == ATOLL_OK; k++) {
        const island_packet *pk = &r->packets[owed[2 * k]];
        rc = atoll_comm_migrate_send(r->comm, owed[2 * k + 1], pk->epoch, pk->data,
                                     pk->kind == PACKET_SWAP ? 1 : pk->n, pk->width);
    }
    free(views);
    free(owed);
    return rc;
}

int island_load(island_run *r, const unsigned char *p, size_t len, const double *rows,
                size_t n_rows)
{
    return restore(r, p, len, rows, n_rows, false);
}

int island_restore(island_run *r, const unsigned char *p, size_t len, const double *rows,
                   size_t n_rows)
{
    return restore(r, p, len, rows, n_rows, true);
}

/* Whether every message some island is owed by a neighbour ahead of it is in that
 * neighbour's kept packets (else the checkpoint cannot resume: the island would wait). */
static int check_owed(const atoll_run_desc *d, int n_islands, const island_view *views)
{
    long interval = d->migration.interval;
    if (interval <= 0 || n_islands < 2 || d->migration.async)
        return ATOLL_OK;
    long low = LONG_MAX;
    for (int i = 0; i < n_islands; i++)
        low = views[i].epoch_seen < low ? views[i].epoch_seen : low;
    int rc = ATOLL_OK;
    for (int i = 0; i < n_islands && rc == ATOLL_OK; i++) {
        const island_view *v = &views[i];
        long *have = calloc(2 * ISLAND_PACKETS, sizeof *have);
        int *to = malloc((size_t)n_islands * sizeof *to);
        if (!have || !to) {
            free(have);
            free(to);
            return ATOLL_NOMEM("checkpoint checks");
        }
        bool kinds[2] = {d->migration.migrants > 0, false};
        atoll_rbuf pb;
        atoll_rbuf_init(&pb, v->packets, (size_t)-1 / 2);
        for (size_t k = 0; k < v->n_packets; k++) {
            have[2 * k] = atoll_rbuf_i64(&pb);
            have[2 * k + 1] = atoll_rbuf_i64(&pb);
            size_t n = (size_t)atoll_rbuf_i64(&pb), width = (size_t)atoll_rbuf_i64(&pb);
            pb.pos += n * width * sizeof(double);
            if (have[2 * k + 1] == PACKET_SWAP)
                kinds[PACKET_SWAP] = true;
        }
        for (int kind = 0; kind < 2 && rc == ATOLL_OK; kind++) {
            if (!kinds[kind])
                continue;
            for (long e = v->epoch_seen - v->epoch_seen % interval; e > low && rc == ATOLL_OK;
                 e -= interval) {
                size_t n_to = 0;
                rc = packet_targets(d, n_islands, i, e, kind, to, &n_to);
                bool owed = false;
                for (size_t j = 0; j < n_to; j++)
                    owed = owed || views[to[j]].epoch_seen < e;
                bool kept = false;
                for (size_t k = 0; k < v->n_packets; k++)
                    kept = kept || (have[2 * k] == e && have[2 * k + 1] == kind);
                if (rc == ATOLL_OK && owed && !kept)
                    rc = ATOLL_RAISE(ATOLL_ERR_IO,
                                     "checkpoint: island %d is too far ahead of a neighbour "
                                     "(its migration of epoch %ld is no longer kept)",
                                     i, e);
            }
        }
        free(have);
        free(to);
    }
    return rc;
}

/* ---------------------------------------------------------------- rank 0's side */

void ckpt_dir(const atoll_run_desc *d, char *buf, size_t size)
{
    snprintf(buf, size, "%s/checkpoints", d->out);
}

int ckpt_collector_init(ckpt_collector *c, const atoll_run_desc *d, int n_islands,
                        long ckpt_base)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->n_islands = n_islands;
    c->ckpt_base = ckpt_base;
    c->written = -1;
    size_t k = (size_t)n_islands;
    c->blob = calloc(k, sizeof *c->blob);
    c->len = calloc(k, sizeof *c->len);
    c->seq = malloc(k * sizeof *c->seq);
    c->final = calloc(k, sizeof *c->final);
    c->have_row = calloc(d->evaluations > 0 ? (size_t)d->evaluations : 1, sizeof *c->have_row);
    if (!c->blob || !c->len || !c->seq || !c->final || !c->have_row)
        return ATOLL_NOMEM("the checkpoint collector");
    for (size_t i = 0; i < k; i++)
        c->seq[i] = -1;
    char dir[4096];
    ckpt_dir(d, dir, sizeof dir);
    return atoll_mkdirs(dir);
}

void ckpt_collector_free(ckpt_collector *c)
{
    if (!c->d)
        return;
    for (int k = 0; c->blob && k < c->n_islands; k++)
        free(c->blob[k]);
    free(c->blob);
    free(c->len);
    free(c->seq);
    free(c->final);
    free(c->have_row);
    memset(c, 0, sizeof *c);
}

void ckpt_collector_row(ckpt_collector *c, const double *row)
{
    double id = row[ATOLL_ROW_TRIAL];
    if (id >= 0 && id < (double)c->d->evaluations)
        c->have_row[(size_t)id] = true;
}

int ckpt_collector_take(ckpt_collector *c, unsigned char *blob, size_t len)
{
    island_view v;
    int rc = island_parse(blob, len, c->d->space->n, &v);
    if (rc == ATOLL_OK && v.island >= c->n_islands)
        rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME, "a checkpoint state names island %ld of %d",
                         v.island, c->n_islands);
    if (rc != ATOLL_OK) {
        free(blob);
        return rc;
    }
    int k = (int)v.island;
    /* A finished island's state stands for every later checkpoint. */
    if (c->final[k] || (c->seq[k] > v.seq && !v.final)) {
        free(blob);
        return ATOLL_OK;
    }
    free(c->blob[k]);
    c->blob[k] = blob;
    c->len[k] = len;
    c->seq[k] = v.seq;
    c->final[k] = v.final != 0;
    return ATOLL_OK;
}

/* Whether every trial an island state counts as told has its row in the log. */
static bool rows_complete(const ckpt_collector *c, const island_view *v)
{
    size_t dim = c->d->space->n;
    size_t record = 3 * sizeof(int64_t) + dim * sizeof(double);
    for (long id = v->offset; id < v->offset + v->issued; id++) {
        if (c->have_row[id])
            continue;
        bool pending = false;
        for (size_t k = 0; k < v->n_pending && !pending; k++) {
            int64_t trial;
            memcpy(&trial, v->pending + k * record + 2 * sizeof(int64_t), sizeof trial);
            pending = trial == id;
        }
        if (!pending)
            return false;
    }
    return true;
}

void ckpt_prune(const atoll_run_desc *d, long keep)
{
    char dir[4096], path[4200];
    ckpt_dir(d, dir, sizeof dir);
    long *seqs = NULL;
    size_t n = 0;
    if (atoll_ckpt_list(dir, &seqs, &n) != ATOLL_OK) {
        atoll_error_clear();
        return;
    }
    for (size_t k = (size_t)keep; k < n; k++) {
        atoll_ckpt_path(dir, seqs[k], path, sizeof path);
        unlink(path);
    }
    free(seqs);
}

int ckpt_collector_flush(ckpt_collector *c, atoll_trials *log)
{
    /* The newest sequence every island has reached (a finished island fits any). */
    long seq = LONG_MAX;
    bool any = false;
    for (int k = 0; k < c->n_islands; k++) {
        if (c->seq[k] < 0)
            return ATOLL_OK;
        if (!c->final[k]) {
            seq = c->seq[k] < seq ? c->seq[k] : seq;
            any = true;
        }
    }
    if (!any) {
        seq = 0;
        for (int k = 0; k < c->n_islands; k++)
            seq = c->seq[k] > seq ? c->seq[k] : seq;
    }
    for (int k = 0; k < c->n_islands; k++)
        if (!c->final[k] && c->seq[k] != seq)
            return ATOLL_OK;
    if (seq <= c->written)
        return ATOLL_OK;
    size_t dim = c->d->space->n;
    for (int k = 0; k < c->n_islands; k++) {
        island_view v;
        ATOLL_CALL(island_parse(c->blob[k], c->len[k], dim, &v));
        if (!rows_complete(c, &v))
            return ATOLL_OK; /* a row is still on its way: try again later */
    }
    double t = atoll_now();
    size_t n_rows = atoll_trials_count(log);
    atoll_wbuf b = {0};
    atoll_wbuf_i64(&b, c->ckpt_base + seq);
    atoll_wbuf_i64(&b, (int64_t)c->d->seed);
    atoll_wbuf_i64(&b, c->n_islands);
    atoll_wbuf_bytes(&b, c->d->strategy->name, strlen(c->d->strategy->name));
    atoll_wbuf_i64(&b, (int64_t)dim);
    atoll_wbuf_i64(&b, (int64_t)atoll_trials_width(log));
    atoll_wbuf_i64(&b, c->d->evaluations);
    atoll_wbuf_i64(&b, (int64_t)n_rows);
    for (int k = 0; k < c->n_islands; k++)
        atoll_wbuf_bytes(&b, c->blob[k], c->len[k]);
    int rc = atoll_wbuf_status(&b, "a checkpoint");
    /* The rows a checkpoint counts on reach the disk before the checkpoint does. */
    if (rc == ATOLL_OK)
        rc = atoll_trials_sync(log);
    char dir[4096], path[4200];
    ckpt_dir(c->d, dir, sizeof dir);
    atoll_ckpt_path(dir, c->ckpt_base + seq, path, sizeof path);
    if (rc == ATOLL_OK)
        rc = atoll_ckpt_write(path, b.data, b.len);
    c->bytes = b.len;
    atoll_wbuf_free(&b);
    ATOLL_CALL(rc);
    c->written = seq;
    ckpt_prune(c->d, c->d->checkpoint_keep);
    c->write_s += atoll_now() - t;
    return ATOLL_OK;
}

int ckpt_payload_fits(const atoll_run_desc *d, int n_islands, const unsigned char *p, size_t len,
                      const char *name, bool *islands_differ)
{
    atoll_rbuf r;
    atoll_rbuf_init(&r, p, len);
    *islands_differ = false;
    atoll_rbuf_i64(&r);
    int64_t seed = atoll_rbuf_i64(&r), islands = atoll_rbuf_range(&r, 1, INT_MAX);
    size_t n = 0;
    const char *strategy = atoll_rbuf_bytes(&r, &n);
    int64_t dim = atoll_rbuf_i64(&r);
    atoll_rbuf_i64(&r);
    int64_t evaluations = atoll_rbuf_i64(&r);
    ATOLL_CALL(atoll_rbuf_status(&r, name));
    if ((uint64_t)seed != d->seed || n != strlen(d->strategy->name) ||
        memcmp(strategy, d->strategy->name, n) != 0 || dim != (int64_t)d->space->n ||
        evaluations != d->evaluations)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "%s: written by a run with another seed, strategy, search space or "
                           "budget; resume with the run's own config (atoll resume %s)",
                           name, d->out);
    if (islands != n_islands) {
        *islands_differ = true;
        return ATOLL_OK;
    }
    island_view *views = calloc((size_t)n_islands, sizeof *views);
    if (!views)
        return ATOLL_NOMEM("checkpoint views");
    int rc = payload_islands(p, len, d->space->n, n_islands, views);
    if (rc == ATOLL_OK)
        rc = check_owed(d, n_islands, views);
    free(views);
    return rc;
}

int ckpt_select(const atoll_run_desc *d, int n_islands, unsigned char **payload, size_t *len,
                long *seq, long *base)
{
    *payload = NULL;
    *len = 0;
    *seq = -1;
    *base = 0;
    char dir[4096], path[4200];
    ckpt_dir(d, dir, sizeof dir);
    long *seqs = NULL;
    size_t n = 0;
    ATOLL_CALL(atoll_ckpt_list(dir, &seqs, &n));
    if (n > 0)
        *base = seqs[0] + 1;
    int rc = ATOLL_OK;
    for (size_t k = 0; k < n && rc == ATOLL_OK; k++) {
        atoll_ckpt_path(dir, seqs[k], path, sizeof path);
        unsigned char *p = NULL;
        size_t plen = 0;
        bool islands_differ = false;
        rc = atoll_ckpt_read(path, &p, &plen);
        if (rc == ATOLL_OK)
            rc = ckpt_payload_fits(d, n_islands, p, plen, path, &islands_differ);
        if (rc == ATOLL_OK && islands_differ) {
            free(p);
            if (strcmp(d->strategy->name, "ga") == 0 || strcmp(d->strategy->name, "sa") == 0) {
                rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                                 "%s: the run has another number of islands than this job; "
                                 "resume a %s run with as many islands as it started with "
                                 "(mpirun -np N, or [run] islands = N)",
                                 path, d->strategy->name);
                break;
            }
            /* random and grid: every trial is a function of its id, so the journal alone
             * says what is left, whatever the island count. */
            fprintf(stderr, "atoll: %s: %s run resumed on another island count: replaying its "
                            "trial log instead\n",
                    path, d->strategy->name);
            break;
        }
        if (rc == ATOLL_OK) {
            *payload = p;
            *len = plen;
            *seq = seqs[k];
            break;
        }
        free(p);
        if (rc == ATOLL_ERR_USAGE)
            break;
        fprintf(stderr, "atoll: warning: %s; trying the previous checkpoint\n",
                atoll_error_message());
        atoll_error_clear();
        rc = ATOLL_OK;
    }
    free(seqs);
    return rc;
}
