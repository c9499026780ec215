/* check_snapshot.c - an island restored from a checkpoint payload, without MPI (suite
 * "snapshot"). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/ckpt.h"
#include "core/error.h"
#include "run/island.h"
#include "support.h"

/* One grid island of a one-island run over two parameters: its run description and a fresh
 * island as the run makes one (what island_load reads). */
typedef struct {
    atoll_config *cfg;
    atoll_run_desc d;
    island_run r;
} grid_island;

enum { GRID_BUDGET = 9, GRID_SEED = 5 };

static void grid_open(grid_island *g)
{
    memset(g, 0, sizeof *g);
    ck_assert_int_eq(atoll_config_load_string("[grid]\npoints = 3\n", "grid.ini", &g->cfg),
                     ATOLL_OK);
    atoll_run_desc *d = &g->d;
    d->cfg = g->cfg;
    d->space = real_space(2);
    d->strategy = atoll_strategy_lookup("grid");
    ck_assert_int_eq(d->strategy->configure(g->cfg, d->space, &d->strategy_params,
                                            &d->migration),
                     ATOLL_OK);
    d->seed = GRID_SEED;
    d->evaluations = GRID_BUDGET;
    island_run *r = &g->r;
    r->d = d;
    r->n_islands = 1;
    r->leader = true;
    r->dim = d->space->n;
    r->width = ATOLL_ROW_X + r->dim;
    r->env = (atoll_strategy_env){.seed = GRID_SEED, .island = 0, .n_islands = 1,
                                  .budget = GRID_BUDGET, .budget_offset = 0,
                                  .total_budget = GRID_BUDGET};
    r->x = malloc(r->dim * sizeof *r->x);
    ck_assert_ptr_nonnull(r->x);
    ck_assert_int_eq(d->strategy->create(d->strategy_params, d->space, &r->env, &r->strategy),
                     ATOLL_OK);
}

static void grid_close(grid_island *g)
{
    island_run *r = &g->r;
    g->d.strategy->destroy(r->strategy);
    for (size_t k = 0; k < r->queue_cap; k++)
        free(r->queue[k].x);
    for (size_t k = 0; k < ISLAND_PACKETS; k++)
        free(r->packets[k].data);
    free(r->queue);
    free(r->replay);
    free(r->x);
    g->d.strategy->free_params(g->d.strategy_params);
    atoll_space_destroy(&g->d.space);
    atoll_config_destroy(&g->cfg);
}

/* A checkpoint payload of g's run (snapshot.c's layout) whose one island, at epoch 0, keeps
 * one message of `kind` from epoch 0 when `with_packet`. */
static atoll_wbuf grid_payload(const grid_island *g, bool with_packet, int kind)
{
    atoll_wbuf strategy = {0}, island = {0}, b = {0};
    ck_assert_int_eq(g->d.strategy->save(g->r.strategy, &strategy), ATOLL_OK);
    /* seq, island, final, budget offset, budget, issued, epoch_seen, accepted, swaps */
    const int64_t head[] = {1, 0, 0, 0, GRID_BUDGET, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        atoll_wbuf_i64(&island, head[i]);
    atoll_wbuf_i64(&island, 0); /* pending tasks */
    atoll_wbuf_i64(&island, with_packet);
    if (with_packet) {
        const double data[3] = {0.5, 0.5, 1.0}; /* one point and its score */
        atoll_wbuf_i64(&island, 0);             /* epoch */
        atoll_wbuf_i64(&island, kind);
        atoll_wbuf_i64(&island, 1); /* records */
        atoll_wbuf_i64(&island, 3); /* their width */
        atoll_wbuf_f64s(&island, data, 3);
    }
    atoll_wbuf_bytes(&island, strategy.data, strategy.len);
    atoll_wbuf_i64(&b, 1);
    atoll_wbuf_i64(&b, GRID_SEED);
    atoll_wbuf_i64(&b, 1);
    atoll_wbuf_bytes(&b, "grid", 4);
    atoll_wbuf_i64(&b, (int64_t)g->r.dim);
    atoll_wbuf_i64(&b, (int64_t)g->r.width);
    atoll_wbuf_i64(&b, GRID_BUDGET);
    atoll_wbuf_i64(&b, 0); /* rows logged */
    atoll_wbuf_bytes(&b, island.data, island.len);
    ck_assert_int_eq(atoll_wbuf_status(&b, "payload"), ATOLL_OK);
    atoll_wbuf_free(&strategy);
    atoll_wbuf_free(&island);
    return b;
}

START_TEST(test_snapshot_load_refuses_messages_the_run_never_sends)
{
    /* grid never migrates (no migration epochs): a replica exchange it kept in a checkpoint
     * sent island_restore to the exchange partner of round epoch / 0. */
    static const int kinds[] = {PACKET_SWAP, PACKET_MIGRANTS};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        grid_island g;
        grid_open(&g);
        atoll_wbuf b = grid_payload(&g, true, kinds[k]);
        bool islands_differ = true;
        ck_assert_int_eq(ckpt_payload_fits(&g.d, 1, b.data, b.len, "ckpt", &islands_differ),
                         ATOLL_OK);
        ck_assert(!islands_differ);
        ck_assert_int_eq(island_load(&g.r, b.data, b.len, NULL, 0), ATOLL_ERR_IO);
        ck_assert_str_eq(atoll_error_message(),
                         "checkpoint: island 0 kept a message of a kind this run never sends");
        atoll_wbuf_free(&b);
        grid_close(&g);
    }
    grid_island g;
    grid_open(&g);
    atoll_wbuf b = grid_payload(&g, false, 0);
    ck_assert_msg(island_load(&g.r, b.data, b.len, NULL, 0) == ATOLL_OK, "%s",
                  atoll_error_message());
    atoll_wbuf_free(&b);
    grid_close(&g);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *load = tcase_create("load");
    tcase_add_test(load, test_snapshot_load_refuses_messages_the_run_never_sends);
    suite_add_tcase(s, load);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(snapshot_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
