/* fuzz_ckpt.c - a checkpoint file read back as `atoll resume` reads it: the file's framing, the
 * payload's checks against the run, and every island restored into a fresh strategy. */

/*
 * Input: one mode byte, then the checkpoint file. Mode bits 0-2 pick the run that reads it
 * back (RUNS below, configs in tests/fuzz/resume/; 6 and 7 wrap around); bits 3-4 the job's
 * island count (2, 1, 3, 4: the seeds come from runs on 2 ranks); bit 5 seals the file first,
 * writing its length field and CRC-32 afresh, so that a mutated payload gets past the checksum
 * and reaches the decoders.
 *
 * The path is resume's, less MPI: atoll_ckpt_parse (what atoll_ckpt_read does after reading
 * the file), ckpt_payload_fits (what ckpt_select asks of it), then for each island a fresh
 * island and strategy, as the run creates them, restored by island_load (island_restore less
 * its sends). A restored island then goes on as a resumed run would: its pending tasks are
 * told, it asks and tells up to 64 more points (each must lie in the unit cube), migrates its
 * emigrants back into itself and, for sa, exchanges with itself. Last, its state must survive
 * a checkpoint: what `save` writes loads into another fresh strategy and saves the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "run/island.h"
#include "support.h"

static const char *const RUNS[] = {"ga", "ga-steady", "sa", "random-sobol", "random-halton",
                                   "grid"};
#define N_RUNS (sizeof RUNS / sizeof RUNS[0])
/* The checkpoint file's framing (core/ckpt.h): 24 header bytes, the payload, a CRC-32. */
enum { CKPT_HEADER = 24, CKPT_TRAILER = 4, MAX_STEPS = 64 };

static atoll_run_desc *descs[N_RUNS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    for (size_t k = 0; k < N_RUNS; k++)
        descs[k] = fuzz_run_desc(RUNS[k]);
    return 0;
}

/* The run's split of the budget (run.c): equal shares, remainders to the lowest islands. */
static void split_budget(long total, int n_islands, int island, long *share, long *offset)
{
    long base = total / n_islands, extra = total % n_islands;
    *share = base + (island < extra ? 1 : 0);
    *offset = base * island + (island < extra ? island : extra);
}

/* A score for point x: a failed trial (+inf) now and then, else a smooth bowl. */
static double score_of(const double *x, size_t dim)
{
    if (x[0] < 0.05)
        return INFINITY;
    double s = 0;
    for (size_t i = 0; i < dim; i++)
        s += (x[i] - 0.3) * (x[i] - 0.3);
    return s;
}

/* Abort unless x[0..dim) lies in the unit cube, as every strategy promises. */
static void check_unit(const double *x, size_t dim)
{
    for (size_t i = 0; i < dim; i++)
        if (!(x[i] >= 0.0 && x[i] <= 1.0)) {
            fprintf(stderr, "fuzz: a point leaves the unit cube (x[%zu] = %g)\n", i, x[i]);
            abort();
        }
}

/* Go on from a restored state as a resumed run does; stops at the first error, which the run
 * would report. */
static void carry_on(const atoll_run_desc *d, island_run *r)
{
    const atoll_strategy_type *type = d->strategy;
    int rc = ATOLL_OK;
    for (size_t k = r->queue_next; k < r->n_queue && rc == ATOLL_OK; k++)
        rc = type->tell(r->strategy, r->queue[k].ticket, score_of(r->queue[k].x, r->dim));
    long left = r->env.budget - r->issued;
    for (long k = 0; k < left && k < MAX_STEPS && rc == ATOLL_OK; k++) {
        long ticket = -1, generation = 0;
        bool ready = false;
        rc = type->ask(r->strategy, r->x, &ticket, &generation, &ready);
        if (rc != ATOLL_OK || !ready)
            break;
        check_unit(r->x, r->dim);
        rc = type->tell(r->strategy, ticket, score_of(r->x, r->dim));
    }
    if (rc != ATOLL_OK)
        return;
    type->epoch(r->strategy);
    enum { MIGRANTS = 4 };
    double x[MIGRANTS * 8], score[MIGRANTS];
    if (r->dim <= 8) {
        size_t n = type->emigrants(r->strategy, MIGRANTS, x, score), accepted = 0;
        for (size_t i = 0; i < n; i++) {
            check_unit(x + i * r->dim, r->dim);
            score[i] -= 0.5; /* better than they were: worth taking back */
        }
        if (type->immigrate(r->strategy, n, x, score, &accepted) != ATOLL_OK)
            return;
    }
    if (type->exchanges && type->exchanges(r->strategy) && r->dim <= 8) {
        double t = 0, s = 0;
        bool swapped = false;
        if (type->exchange_state(r->strategy, x, &s, &t) == ATOLL_OK) {
            check_unit(x, r->dim);
            type->exchange_accept(r->strategy, x, s - 1.0, t * 2.0, 0.5, &swapped);
        }
    }
}

/* Abort unless the strategy's state loads into a fresh one that saves the same bytes. */
static void check_save_load(const atoll_run_desc *d, const island_run *r)
{
    const atoll_strategy_type *type = d->strategy;
    atoll_wbuf first = {0}, second = {0};
    void *fresh = NULL;
    if (type->save(r->strategy, &first) != ATOLL_OK) {
        fprintf(stderr, "fuzz: save failed: %s\n", atoll_error_message());
        abort();
    }
    if (type->create(d->strategy_params, d->space, &r->env, &fresh) != ATOLL_OK)
        abort();
    atoll_rbuf rb;
    atoll_rbuf_init(&rb, first.data, first.len);
    if (type->load(fresh, &rb) != ATOLL_OK || rb.pos != rb.len) {
        fprintf(stderr, "fuzz: a saved %s state does not load back: %s\n", type->name,
                atoll_error_message());
        abort();
    }
    if (type->save(fresh, &second) != ATOLL_OK || second.len != first.len ||
        memcmp(first.data, second.data, first.len) != 0) {
        fprintf(stderr, "fuzz: a %s state saves differently once loaded\n", type->name);
        abort();
    }
    type->destroy(fresh);
    atoll_wbuf_free(&first);
    atoll_wbuf_free(&second);
}

/* Restore island `island` of `n_islands` from payload p and carry on; frees what it made. */
static void restore_island(const atoll_run_desc *d, int n_islands, int island,
                           const unsigned char *p, size_t len)
{
    island_run r;
    memset(&r, 0, sizeof r);
    r.d = d;
    r.n_islands = n_islands;
    r.island = island;
    r.leader = true;
    r.dim = d->space->n;
    r.n_extras = atoll_objective_n_columns(d->objective, d->objective_params);
    r.width = ATOLL_ROW_X + r.dim + r.n_extras;
    r.env.seed = d->seed;
    r.env.island = island;
    r.env.n_islands = n_islands;
    r.env.total_budget = d->evaluations;
    split_budget(d->evaluations, n_islands, island, &r.env.budget, &r.env.budget_offset);
    r.x = malloc(r.dim * sizeof *r.x);
    if (!r.x || d->strategy->create(d->strategy_params, d->space, &r.env, &r.strategy) != ATOLL_OK)
        abort(); /* the seeds' runs create these islands */
    if (island_load(&r, p, len, NULL, 0) == ATOLL_OK) {
        carry_on(d, &r);
        atoll_error_clear();
        check_save_load(d, &r);
    }
    d->strategy->destroy(r.strategy);
    for (size_t k = 0; k < r.queue_cap; k++)
        free(r.queue[k].x);
    for (size_t k = 0; k < ISLAND_PACKETS; k++)
        free(r.packets[k].data);
    free(r.queue);
    free(r.replay);
    free(r.x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const atoll_run_desc *d = descs[(mode & 7) % N_RUNS];
    static const int island_counts[] = {2, 1, 3, 4};
    int n_islands = island_counts[(mode >> 3) & 3];
    bool seal = mode & 0x20;
    size_t n = size - 1;
    unsigned char *bytes = malloc(n ? n : 1);
    if (!bytes)
        abort();
    memcpy(bytes, data + 1, n);
    if (seal && n >= CKPT_HEADER + CKPT_TRAILER) {
        uint64_t payload = n - CKPT_HEADER - CKPT_TRAILER;
        memcpy(bytes + 16, &payload, sizeof payload);
        uint32_t crc = (uint32_t)crc32(0L, bytes, (uInt)(n - CKPT_TRAILER));
        memcpy(bytes + n - CKPT_TRAILER, &crc, sizeof crc);
    }
    const unsigned char *payload = NULL;
    size_t len = 0;
    if (atoll_ckpt_parse(bytes, n, "ckpt-000001.bin", &payload, &len) == ATOLL_OK) {
        if (len != n - CKPT_HEADER - CKPT_TRAILER)
            abort();
        /* the payload alone, as atoll_ckpt_read hands it over */
        unsigned char *p = malloc(len ? len : 1);
        if (!p)
            abort();
        memcpy(p, payload, len);
        bool islands_differ = false;
        if (ckpt_payload_fits(d, n_islands, p, len, "ckpt-000001.bin", &islands_differ) ==
                ATOLL_OK &&
            !islands_differ)
            for (int island = 0; island < n_islands; island++) {
                restore_island(d, n_islands, island, p, len);
                atoll_error_clear();
            }
        free(p);
    }
    free(bytes);
    fuzz_reset();
    return 0;
}
