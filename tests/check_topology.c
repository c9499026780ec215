/* check_topology.c - migration topologies: who sends to whom is consistent on both ends. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "atoll.h"
#include "core/rng.h"
#include "core/topology.h"

enum { MAX_ISLANDS = 12 };

/* sends[i][j]: island i sends to j at this epoch; recvs[j][i]: j expects from i. */
static void neighbour_tables(atoll_topology t, int n, long epoch, bool sends[][MAX_ISLANDS],
                             bool recvs[][MAX_ISLANDS], size_t *n_to)
{
    for (int i = 0; i < n; i++) {
        int to[MAX_ISLANDS], from[MAX_ISLANDS];
        size_t nt = 0, nf = 0;
        ck_assert_int_eq(atoll_topology_neighbours(t, n, i, epoch, 7, to, &nt, from, &nf),
                         ATOLL_OK);
        n_to[i] = nt;
        for (int j = 0; j < n; j++)
            sends[i][j] = recvs[i][j] = false;
        for (size_t k = 0; k < nt; k++)
            sends[i][to[k]] = true;
        for (size_t k = 0; k < nf; k++)
            recvs[i][from[k]] = true;
    }
}

START_TEST(test_topology_sends_match_receives)
{
    const atoll_topology all[] = {ATOLL_TOPOLOGY_RING, ATOLL_TOPOLOGY_FULL,
                                  ATOLL_TOPOLOGY_RANDOM, ATOLL_TOPOLOGY_PAIRS,
                                  ATOLL_TOPOLOGY_TORUS};
    bool sends[MAX_ISLANDS][MAX_ISLANDS], recvs[MAX_ISLANDS][MAX_ISLANDS];
    size_t n_to[MAX_ISLANDS];
    for (size_t t = 0; t < 5; t++)
        for (int n = 1; n <= 9; n++)
            for (long epoch = 0; epoch < 6; epoch++) {
                neighbour_tables(all[t], n, epoch, sends, recvs, n_to);
                for (int i = 0; i < n; i++) {
                    ck_assert(!sends[i][i]);
                    for (int j = 0; j < n; j++)
                        ck_assert_msg(sends[i][j] == recvs[j][i],
                                      "topology %zu n=%d epoch %ld: %d->%d", t, n, epoch, i, j);
                    size_t want = n == 1                          ? 0
                                  : all[t] == ATOLL_TOPOLOGY_FULL ? (size_t)n - 1
                                  : all[t] == ATOLL_TOPOLOGY_PAIRS ? n_to[i]
                                  : all[t] == ATOLL_TOPOLOGY_TORUS ? n_to[i]
                                                                   : 1;
                    ck_assert_uint_eq(n_to[i], want);
                }
            }
}
END_TEST

START_TEST(test_topology_pairs_alternate_along_the_ladder)
{
    bool sends[MAX_ISLANDS][MAX_ISLANDS], recvs[MAX_ISLANDS][MAX_ISLANDS];
    size_t n_to[MAX_ISLANDS];
    neighbour_tables(ATOLL_TOPOLOGY_PAIRS, 5, 0, sends, recvs, n_to);
    ck_assert(sends[0][1] && sends[1][0] && sends[2][3] && sends[3][2]);
    ck_assert_uint_eq(n_to[4], 0); /* odd one out */
    neighbour_tables(ATOLL_TOPOLOGY_PAIRS, 5, 1, sends, recvs, n_to);
    ck_assert(sends[1][2] && sends[2][1] && sends[3][4] && sends[4][3]);
    ck_assert_uint_eq(n_to[0], 0);
}
END_TEST

START_TEST(test_topology_random_redraws_each_epoch_alike_everywhere)
{
    bool a[MAX_ISLANDS][MAX_ISLANDS], b[MAX_ISLANDS][MAX_ISLANDS], r[MAX_ISLANDS][MAX_ISLANDS];
    size_t n_to[MAX_ISLANDS];
    int differs = 0;
    for (long epoch = 0; epoch < 10; epoch++) {
        neighbour_tables(ATOLL_TOPOLOGY_RANDOM, 8, epoch, a, r, n_to);
        neighbour_tables(ATOLL_TOPOLOGY_RANDOM, 8, epoch + 1, b, r, n_to);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
                differs += a[i][j] != b[i][j];
    }
    ck_assert_int_gt(differs, 0);
}
END_TEST

START_TEST(test_topology_torus_grid)
{
    bool sends[MAX_ISLANDS][MAX_ISLANDS], recvs[MAX_ISLANDS][MAX_ISLANDS];
    size_t n_to[MAX_ISLANDS];
    /* 12 islands: 4 x 3; island 4 = (1, 1) has 3, 5, 1, 7 around it. */
    neighbour_tables(ATOLL_TOPOLOGY_TORUS, 12, 0, sends, recvs, n_to);
    ck_assert_uint_eq(n_to[4], 4);
    ck_assert(sends[4][3] && sends[4][5] && sends[4][1] && sends[4][7]);
    /* wrap-around: island 0 = (0, 0) reaches 2 and 9 */
    ck_assert(sends[0][2] && sends[0][9] && sends[0][1] && sends[0][3]);
    /* 9 islands: 3 x 3, everyone has four distinct neighbours */
    neighbour_tables(ATOLL_TOPOLOGY_TORUS, 9, 0, sends, recvs, n_to);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(n_to[i], 4);
    /* 7 islands (prime): a 7 x 1 ring, two neighbours each */
    neighbour_tables(ATOLL_TOPOLOGY_TORUS, 7, 0, sends, recvs, n_to);
    for (int i = 0; i < 7; i++)
        ck_assert_uint_eq(n_to[i], 2);
}
END_TEST

START_TEST(test_topology_shared_uniform)
{
    double u = atoll_rng_uniform_at(3, ATOLL_STREAM_EXCHANGE, 17);
    ck_assert(u >= 0 && u < 1);
    ck_assert(u == atoll_rng_uniform_at(3, ATOLL_STREAM_EXCHANGE, 17));
    ck_assert(u != atoll_rng_uniform_at(3, ATOLL_STREAM_EXCHANGE, 18));
    double sum = 0;
    for (int k = 0; k < 10000; k++)
        sum += atoll_rng_uniform_at(9, ATOLL_STREAM_EXCHANGE, (uint64_t)k);
    ck_assert_double_eq_tol(sum / 10000, 0.5, 0.02);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("topology");
    TCase *tc = tcase_create("topology");
    tcase_add_test(tc, test_topology_sends_match_receives);
    tcase_add_test(tc, test_topology_pairs_alternate_along_the_ladder);
    tcase_add_test(tc, test_topology_random_redraws_each_epoch_alike_everywhere);
    tcase_add_test(tc, test_topology_torus_grid);
    tcase_add_test(tc, test_topology_shared_uniform);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
