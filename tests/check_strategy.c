/* check_strategy.c - every registered strategy on the bench functions (suite "strategy"). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "objective/bench.h"
#include "objective/objective.h"
#include "strategy/strategy.h"

#define GENERIC_DIMENSION 5
#define GENERIC_BUDGET 3000
#define GENERIC_SEED 20240601u

/* The outcome of one serial run. */
typedef struct {
    long evaluations;
    double best;
} run_result;

/*
 * Run `type` with its default settings on the bench function named in `cfg`'s [objective]
 * over `space`, one point at a time: ask -> evaluate -> tell. A serial caller always has
 * every result in, so a strategy that is not ready has a bug.
 */
static run_result serial_run(const atoll_strategy_type *type, atoll_config *cfg,
                             const atoll_space *space, int function)
{
    void *params = NULL, *state = NULL;
    atoll_migration migration;
    ck_assert_msg(type->configure(cfg, space, &params, &migration) == ATOLL_OK, "%s: %s",
                  type->name, atoll_error_message());
    atoll_strategy_env env = {.seed = GENERIC_SEED, .island = 0, .n_islands = 1,
                              .budget = GENERIC_BUDGET, .budget_offset = 0,
                              .total_budget = GENERIC_BUDGET};
    ck_assert_msg(type->create(params, space, &env, &state) == ATOLL_OK, "%s: %s", type->name,
                  atoll_error_message());
    run_result result = {0, INFINITY};
    double unit[GENERIC_DIMENSION], x[GENERIC_DIMENSION];
    atoll_value values[GENERIC_DIMENSION];
    long last_epoch = 0;
    while (result.evaluations < env.budget) {
        long ticket = -1, generation = -1;
        bool ready = false;
        ck_assert_int_eq(type->ask(state, unit, &ticket, &generation, &ready), ATOLL_OK);
        ck_assert_msg(ready, "%s: ask not ready in a serial loop after %ld evaluations",
                      type->name, result.evaluations);
        ck_assert_int_ge(generation, 0);
        for (size_t i = 0; i < space->n; i++)
            ck_assert_msg(unit[i] >= 0.0 && unit[i] <= 1.0, "%s: coordinate %zu = %g",
                          type->name, i, unit[i]);
        atoll_space_decode(space, unit, values);
        for (size_t i = 0; i < space->n; i++)
            x[i] = values[i].num;
        double score = atoll_bench_eval(function, x, space->n);
        result.evaluations++;
        if (score < result.best)
            result.best = score;
        ck_assert_msg(type->tell(state, ticket, score) == ATOLL_OK, "%s: %s", type->name,
                      atoll_error_message());
        long epoch = type->epoch(state);
        ck_assert_int_ge(epoch, last_epoch);
        last_epoch = epoch;
    }
    type->destroy(state);
    type->free_params(params);
    return result;
}

/* Whether `type` searches (uses the scores it is told), so that it must beat random search at
 * the same budget. Samplers (random, grid) are held to an exact budget with every trial
 * told. */
static bool searches(const atoll_strategy_type *type)
{
    static const char *const searchers[] = {"ga", "sa"};
    for (size_t i = 0; i < sizeof searchers / sizeof searchers[0]; i++)
        if (strcmp(type->name, searchers[i]) == 0)
            return true;
    return false;
}

START_TEST(test_strategy_generic)
{
    static const char *const functions[] = {"sphere", "rosenbrock", "rastrigin"};
    const atoll_strategy_type *baseline = atoll_strategy_lookup("random");
    ck_assert_ptr_nonnull(baseline);
    for (size_t f = 0; f < sizeof functions / sizeof functions[0]; f++) {
        char ini[256];
        snprintf(ini, sizeof ini, "[objective]\ntype = bench\nfunction = %s\ndimension = %d\n",
                 functions[f], GENERIC_DIMENSION);
        atoll_config *cfg = NULL;
        atoll_space *space = NULL;
        void *objective_params = NULL;
        ck_assert_int_eq(atoll_config_load_string(ini, "generic.ini", &cfg), ATOLL_OK);
        ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
        const atoll_objective_type *bench = atoll_objective_lookup("bench");
        ck_assert_int_eq(bench->configure(cfg, space, &objective_params), ATOLL_OK);
        ck_assert_uint_eq(space->n, GENERIC_DIMENSION);
        int function = atoll_bench_lookup(functions[f]);

        run_result random = serial_run(baseline, cfg, space, function);
        ck_assert_int_eq(random.evaluations, GENERIC_BUDGET);
        for (size_t s = 0; atoll_strategies[s]; s++) {
            const atoll_strategy_type *type = atoll_strategies[s];
            run_result r = serial_run(type, cfg, space, function);
            ck_assert_int_eq(r.evaluations, GENERIC_BUDGET);
            ck_assert_msg(isfinite(r.best), "%s on %s: no finite score", type->name,
                          functions[f]);
            if (searches(type))
                ck_assert_msg(r.best < random.best, "%s on %s: best %g does not beat random's %g",
                              type->name, functions[f], r.best, random.best);
        }
        bench->free_params(objective_params);
        atoll_space_destroy(&space);
        atoll_config_destroy(&cfg);
    }
}
END_TEST

START_TEST(test_strategy_lookup)
{
    size_t n = 0;
    for (; atoll_strategies[n]; n++) {
        const atoll_strategy_type *type = atoll_strategies[n];
        ck_assert_ptr_eq(atoll_strategy_lookup(type->name), type);
        ck_assert(type->summary && type->summary[0]);
        ck_assert(type->configure && type->free_params && type->create && type->ask &&
                  type->tell && type->epoch && type->emigrants && type->immigrate &&
                  type->destroy);
        for (size_t m = 0; m < n; m++)
            ck_assert_str_ne(atoll_strategies[m]->name, type->name);
    }
    ck_assert_uint_ge(n, 2);
    ck_assert_ptr_nonnull(atoll_strategy_lookup("ga"));
    ck_assert_ptr_nonnull(atoll_strategy_lookup("random"));
    ck_assert_ptr_null(atoll_strategy_lookup("GA"));
    ck_assert_ptr_null(atoll_strategy_lookup(NULL));
}
END_TEST

START_TEST(test_strategy_random)
{
    const atoll_strategy_type *type = atoll_strategy_lookup("random");
    atoll_config *cfg = NULL;
    atoll_space *space = NULL;
    void *params = NULL, *state = NULL;
    atoll_migration migration = {
        .topology = ATOLL_TOPOLOGY_FULL, .interval = 7, .migrants = 7};
    static const char *const letters[] = {"a", "b", "c", "d"};
    ck_assert_int_eq(atoll_config_load_string("[random]\nsampler = uniform\n", "r.ini", &cfg),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 0, 4, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "l", 4, letters), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", -1, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(type->configure(cfg, space, &params, &migration), ATOLL_OK);
    ck_assert_int_eq(migration.interval, 0);
    atoll_strategy_env env = {.seed = 5, .island = 2, .n_islands = 4, .budget = 100};
    ck_assert_int_eq(type->create(params, space, &env, &state), ATOLL_OK);
    long tickets[50];
    for (int i = 0; i < 50; i++) {
        double x[3], snapped[3];
        long generation;
        bool ready = false;
        ck_assert_int_eq(type->ask(state, x, &tickets[i], &generation, &ready), ATOLL_OK);
        ck_assert(ready); /* never waits, even with everything outstanding */
        ck_assert_int_eq(generation, 0);
        memcpy(snapped, x, sizeof x);
        atoll_space_snap(space, snapped);
        ck_assert(memcmp(x, snapped, sizeof x) == 0);
    }
    for (int i = 49; i >= 0; i--)
        ck_assert_int_eq(type->tell(state, tickets[i], (double)i), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, 1000, 0.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(type->epoch(state), 0);
    double x[3 * 4], score[4] = {-1, -2, -3, -4};
    ck_assert_uint_eq(type->emigrants(state, 4, x, score), 0);
    size_t accepted = 9;
    ck_assert_int_eq(type->immigrate(state, 4, x, score, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 0);
    type->destroy(state);
    type->free_params(params);
    atoll_config_destroy(&cfg);

    ck_assert_int_eq(atoll_config_load_string("[random]\nsampler = sobolev\n", "r.ini", &cfg),
                     ATOLL_OK);
    ck_assert_int_eq(type->configure(cfg, space, &params, &migration), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[random] sampler"));
    atoll_config_destroy(&cfg);
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_strategy_migration_keys)
{
    atoll_config *cfg = NULL;
    atoll_migration m;
    ck_assert_int_eq(atoll_config_load_string("[sa]\nseed = 1\n", "m.ini", &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_migration_configure(cfg, "sa", &m), ATOLL_OK);
    ck_assert_int_eq(m.topology, ATOLL_TOPOLOGY_RING);
    ck_assert_int_eq(m.migrants, 2);
    ck_assert_int_eq(m.interval, 10);
    atoll_config_destroy(&cfg);
    ck_assert_int_eq(atoll_config_load_string(
                         "[sa]\ntopology = random\nmigrants = 0\nmigration_interval = 3\n",
                         "m.ini", &cfg),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_migration_configure(cfg, "sa", &m), ATOLL_OK);
    ck_assert_int_eq(m.topology, ATOLL_TOPOLOGY_RANDOM);
    ck_assert_int_eq(m.migrants, 0);
    ck_assert_int_eq(m.interval, 3);
    atoll_config_destroy(&cfg);
    ck_assert_int_eq(atoll_config_load_string("[sa]\nmigration_interval = -1\n", "m.ini", &cfg),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_migration_configure(cfg, "sa", &m), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[sa] migration_interval"));
    atoll_config_destroy(&cfg);
}
END_TEST

/* Ask a point from `state`, telling the oldest of the (at most 2) outstanding tickets first
 * whenever the strategy waits; returns the ticket, or -1 when it waits with nothing out. */
static long ask_keeping_two(const atoll_strategy_type *type, void *state, double *x,
                            long *out, size_t *n_out)
{
    for (;;) {
        long ticket = -1, generation = 0;
        bool ready = false;
        ck_assert_int_eq(type->ask(state, x, &ticket, &generation, &ready), ATOLL_OK);
        if (ready || *n_out == 0)
            return ready ? ticket : -1;
        ck_assert_int_eq(type->tell(state, out[0], (double)(out[0] % 7)), ATOLL_OK);
        out[0] = out[1];
        (*n_out)--;
    }
}

START_TEST(test_strategy_checkpoint_round_trip)
{
    /* Whatever point a strategy has reached, tickets outstanding included, its saved state
     * loads into a fresh instance, saves the same bytes and goes on the same way. */
    static const char *const settings[][2] = {
        {"ga", "[ga]\npopulation = 6\nelitism = 1\n"},
        {"ga", "[ga]\npopulation = 6\nschedule = steady\nmigrant_policy = move\n"},
        {"sa", "[sa]\nt0_samples = 4\nin_flight = 3\n"},
        {"sa", "[sa]\nt0 = 2\ncooling = adaptive\n"},
        {"random", "[random]\nsampler = uniform\n"},
        {"random", "[random]\nsampler = lhs\n"},
        {"random", "[random]\nsampler = sobol\n"},
        {"random", "[random]\nsampler = halton\n"},
        {"grid", "[grid]\npoints = 3\n"},
    };
    static const int steps[] = {0, 1, 5, 13, 21};
    enum { BUDGET = 27, DIM = 3 };
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    for (int i = 0; i < DIM; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        ck_assert_int_eq(atoll_space_add_real(space, name, 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    }
    atoll_strategy_env env = {.seed = 9, .island = 1, .n_islands = 2, .budget = BUDGET,
                              .budget_offset = 0, .total_budget = BUDGET};
    for (size_t c = 0; c < sizeof settings / sizeof settings[0]; c++) {
        const atoll_strategy_type *type = atoll_strategy_lookup(settings[c][0]);
        atoll_config *cfg = NULL;
        void *params = NULL;
        atoll_migration migration;
        ck_assert_int_eq(atoll_config_load_string(settings[c][1], "ckpt.ini", &cfg), ATOLL_OK);
        ck_assert_msg(type->configure(cfg, space, &params, &migration) == ATOLL_OK, "%s: %s",
                      settings[c][1], atoll_error_message());
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            void *state = NULL, *copy = NULL;
            ck_assert_int_eq(type->create(params, space, &env, &state), ATOLL_OK);
            ck_assert_int_eq(type->create(params, space, &env, &copy), ATOLL_OK);
            double x[DIM], y[DIM];
            long out[3];
            size_t n_out = 0;
            for (int i = 0; i < steps[k]; i++) {
                long ticket = ask_keeping_two(type, state, x, out, &n_out);
                if (ticket < 0)
                    break;
                out[n_out++] = ticket;
                if (n_out == 3) {
                    ck_assert_int_eq(type->tell(state, out[0], (double)(out[0] % 7)),
                                     ATOLL_OK);
                    out[0] = out[1];
                    out[1] = out[2];
                    n_out = 2;
                }
            }
            atoll_wbuf first = {0}, second = {0};
            ck_assert_int_eq(type->save(state, &first), ATOLL_OK);
            atoll_rbuf r;
            atoll_rbuf_init(&r, first.data, first.len);
            ck_assert_msg(type->load(copy, &r) == ATOLL_OK, "%s after %d steps: %s",
                          settings[c][1], steps[k], atoll_error_message());
            ck_assert_uint_eq(r.pos, r.len);
            ck_assert_int_eq(type->save(copy, &second), ATOLL_OK);
            ck_assert_uint_eq(second.len, first.len);
            ck_assert(memcmp(first.data, second.data, first.len) == 0);
            /* both go on alike: the outstanding results, then a few more points */
            long out_copy[3] = {out[0], out[1], out[2]};
            size_t n_copy = n_out;
            for (int i = 0; i < 4 && steps[k] + i < BUDGET - 3; i++) {
                long a = ask_keeping_two(type, state, x, out, &n_out);
                long b = ask_keeping_two(type, copy, y, out_copy, &n_copy);
                ck_assert_int_eq(a, b);
                if (a < 0)
                    break;
                ck_assert(memcmp(x, y, sizeof x) == 0);
                ck_assert_int_eq(type->tell(state, a, x[0]), ATOLL_OK);
                ck_assert_int_eq(type->tell(copy, b, y[0]), ATOLL_OK);
            }
            atoll_wbuf_free(&first);
            atoll_wbuf_free(&second);
            type->destroy(state);
            type->destroy(copy);
        }
        type->free_params(params);
        atoll_config_destroy(&cfg);
    }
    atoll_space_destroy(&space);
}
END_TEST

static Suite *strategy_suite(void)
{
    Suite *s = suite_create("strategy");
    TCase *generic = tcase_create("generic");
    tcase_add_test(generic, test_strategy_generic);
    tcase_set_timeout(generic, 120);
    suite_add_tcase(s, generic);
    TCase *table = tcase_create("table");
    tcase_add_test(table, test_strategy_lookup);
    tcase_add_test(table, test_strategy_random);
    tcase_add_test(table, test_strategy_migration_keys);
    tcase_add_test(table, test_strategy_checkpoint_round_trip);
    suite_add_tcase(s, table);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(strategy_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
