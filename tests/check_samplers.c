/* check_samplers.c - the random samplers and the grid split over islands (suite "samplers"). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "strategy/grid.h"
#include "strategy/strategy.h"
#include "support.h"

#define SAMPLERS_SEED 424242u
#define SAMPLERS_BUDGET 97L

static const char *const quasi_samplers[] = {"lhs", "sobol", "halton"};
static const long island_counts[] = {1, 3, 4};

/* A strategy configured from INI text over a space (both owned by the fixture). */
typedef struct {
    const atoll_strategy_type *type;
    atoll_config *cfg;
    atoll_space *space;
    void *params;
    atoll_migration migration;
} sampler_fixture;


/* Configure strategy `name` from `ini` over `space` (taken over); returns the configure
 * status and leaves the fixture ready for sampler_close either way. */
static int sampler_try(sampler_fixture *f, const char *name, const char *ini, atoll_space *space)
{
    memset(f, 0, sizeof *f);
    f->type = atoll_strategy_lookup(name);
    ck_assert_ptr_nonnull(f->type);
    f->space = space;
    f->migration =
        (atoll_migration){.topology = ATOLL_TOPOLOGY_FULL, .interval = 7, .migrants = 7};
    ck_assert_int_eq(atoll_config_load_string(ini, "s.ini", &f->cfg), ATOLL_OK);
    return f->type->configure(f->cfg, f->space, &f->params, &f->migration);
}

static void sampler_open(sampler_fixture *f, const char *name, const char *ini,
                         atoll_space *space)
{
    ck_assert_msg(sampler_try(f, name, ini, space) == ATOLL_OK, "configure %s: %s", name,
                  atoll_error_message());
    ck_assert_int_eq(f->migration.interval, 0);
}

static void sampler_close(sampler_fixture *f)
{
    if (f->params)
        f->type->free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
}

/* Island `island`'s slice of a run of `total` evaluations over n_islands, as the run splits
 * it: equal shares, remainders to the lowest islands. */
static atoll_strategy_env island_env(long total, long n_islands, long island)
{
    long base = total / n_islands, extra = total % n_islands;
    atoll_strategy_env env = {.seed = SAMPLERS_SEED, .island = (int)island,
                              .n_islands = (int)n_islands, .total_budget = total};
    env.budget = base + (island < extra ? 1 : 0);
    env.budget_offset = island * base + (island < extra ? island : extra);
    return env;
}

/* Create the strategy with `env`, expecting success. */
static void *create_ok(sampler_fixture *f, const atoll_strategy_env *env)
{
    void *state = NULL;
    ck_assert_msg(f->type->create(f->params, f->space, env, &state) == ATOLL_OK, "create: %s",
                  atoll_error_message());
    return state;
}

/* Create the strategy with `env`, expecting a usage error; returns its message. */
static const char *create_error(sampler_fixture *f, const atoll_strategy_env *env)
{
    void *state = NULL;
    ck_assert_int_eq(f->type->create(f->params, f->space, env, &state), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(state);
    return atoll_error_message();
}

/* Ask for the next point, expecting one, into x; returns its ticket. */
static long ask_ok(sampler_fixture *f, void *state, double *x)
{
    long ticket = -1, generation = -1;
    bool ready = false;
    ck_assert_msg(f->type->ask(state, x, &ticket, &generation, &ready) == ATOLL_OK, "ask: %s",
                  atoll_error_message());
    ck_assert(ready);
    ck_assert_int_eq(generation, 0);
    return ticket;
}

/*
 * Run `total` evaluations split over n_islands islands, each its own instance, and write every
 * point (unit coordinates, total x dim) at its global index: island i's k-th point is trial
 * budget_offset + k. Every point must already be snapped and every ticket told.
 */
static void run_islands(sampler_fixture *f, long total, long n_islands, double *points)
{
    size_t dim = f->space->n;
    double *snapped = malloc(dim * sizeof *snapped);
    ck_assert_ptr_nonnull(snapped);
    for (long island = 0; island < n_islands; island++) {
        atoll_strategy_env env = island_env(total, n_islands, island);
        void *state = create_ok(f, &env);
        for (long k = 0; k < env.budget; k++) {
            double *x = points + (size_t)(env.budget_offset + k) * dim;
            ck_assert_int_eq(ask_ok(f, state, x), k);
            memcpy(snapped, x, dim * sizeof *x);
            atoll_space_snap(f->space, snapped);
            ck_assert(memcmp(snapped, x, dim * sizeof *x) == 0);
        }
        for (long k = env.budget - 1; k >= 0; k--)
            ck_assert_int_eq(f->type->tell(state, k, (double)k), ATOLL_OK);
        f->type->destroy(state);
    }
    free(snapped);
}

/* Row width for compare_rows (qsort passes no context). */
static size_t row_dim;

/* Lexicographic order of two rows of row_dim doubles. */
static int compare_rows(const void *a, const void *b)
{
    const double *x = a, *y = b;
    for (size_t i = 0; i < row_dim; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Number of rows of `points` (n x dim) equal to an earlier one. */
static size_t duplicate_rows(const double *points, size_t n, size_t dim)
{
    double *copy = malloc(n * dim * sizeof *copy);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, points, n * dim * sizeof *copy);
    row_dim = dim;
    qsort(copy, n, dim * sizeof *copy, compare_rows);
    size_t duplicates = 0;
    for (size_t i = 1; i < n; i++)
        if (compare_rows(copy + (i - 1) * dim, copy + i * dim) == 0)
            duplicates++;
    free(copy);
    return duplicates;
}

/* ---------------------------------------------------------------- random */

START_TEST(test_samplers_union_matches_one_island)
{
    static const char *const skips[] = {"", "skip = 5\n"};
    size_t dim = 3;
    for (size_t s = 0; s < sizeof quasi_samplers / sizeof quasi_samplers[0]; s++) {
        for (size_t k = 0; k < 2; k++) {
            if (k == 1 && strcmp(quasi_samplers[s], "lhs") == 0)
                continue;
            char ini[128];
            snprintf(ini, sizeof ini, "[random]\nsampler = %s\n%s", quasi_samplers[s], skips[k]);
            sampler_fixture f;
            sampler_open(&f, "random", ini, real_space(dim));
            double *one = malloc(SAMPLERS_BUDGET * dim * sizeof *one);
            double *many = malloc(SAMPLERS_BUDGET * dim * sizeof *many);
            ck_assert(one && many);
            run_islands(&f, SAMPLERS_BUDGET, 1, one);
            for (size_t c = 1; c < sizeof island_counts / sizeof island_counts[0]; c++) {
                memset(many, 0xff, SAMPLERS_BUDGET * dim * sizeof *many);
                run_islands(&f, SAMPLERS_BUDGET, island_counts[c], many);
                ck_assert_msg(memcmp(one, many, SAMPLERS_BUDGET * dim * sizeof *one) == 0,
                              "%s: %ld islands differ from one", ini, island_counts[c]);
            }
            free(one);
            free(many);
            sampler_close(&f);
        }
    }
}
END_TEST

START_TEST(test_samplers_union_mixed_space)
{
    static const char *const letters[] = {"a", "b", "c"};
    for (size_t s = 0; s < sizeof quasi_samplers / sizeof quasi_samplers[0]; s++) {
        atoll_space *space = NULL;
        ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
        ck_assert_int_eq(atoll_space_add_real(space, "r", 1e-4, 1, ATOLL_SCALE_LOG), ATOLL_OK);
        ck_assert_int_eq(atoll_space_add_int(space, "n", 1, 64, ATOLL_SCALE_LOG), ATOLL_OK);
        ck_assert_int_eq(atoll_space_add_choice(space, "c", 3, letters), ATOLL_OK);
        char ini[64];
        snprintf(ini, sizeof ini, "[random]\nsampler = %s\n", quasi_samplers[s]);
        sampler_fixture f;
        sampler_open(&f, "random", ini, space);
        double one[SAMPLERS_BUDGET * 3], many[SAMPLERS_BUDGET * 3];
        run_islands(&f, SAMPLERS_BUDGET, 1, one);
        run_islands(&f, SAMPLERS_BUDGET, 4, many);
        ck_assert(memcmp(one, many, sizeof one) == 0);
        sampler_close(&f);
    }
}
END_TEST

/* Check that each axis of n points holds exactly one point per stratum of n. */
static void assert_latin(const double *points, size_t n, size_t dim)
{
    unsigned char *seen = malloc(n);
    ck_assert_ptr_nonnull(seen);
    for (size_t axis = 0; axis < dim; axis++) {
        memset(seen, 0, n);
        for (size_t i = 0; i < n; i++) {
            double u = points[i * dim + axis];
            ck_assert(u > 0.0 && u < 1.0);
            size_t stratum = (size_t)floor(u * (double)n);
            ck_assert_uint_lt(stratum, n);
            ck_assert_msg(!seen[stratum], "axis %zu: stratum %zu twice", axis, stratum);
            seen[stratum] = 1;
        }
    }
    free(seen);
}

START_TEST(test_samplers_lhs_one_point_per_stratum)
{
    static const long totals[] = {1, 2, 97, 1000};
    size_t dim = 4;
    for (size_t t = 0; t < sizeof totals / sizeof totals[0]; t++) {
        for (size_t c = 0; c < sizeof island_counts / sizeof island_counts[0]; c++) {
            sampler_fixture f;
            sampler_open(&f, "random", "[random]\nsampler = lhs\n", real_space(dim));
            double *points = malloc((size_t)totals[t] * dim * sizeof *points);
            ck_assert_ptr_nonnull(points);
            run_islands(&f, totals[t], island_counts[c], points);
            assert_latin(points, (size_t)totals[t], dim);
            if (totals[t] > 2)
                ck_assert_uint_eq(duplicate_rows(points, (size_t)totals[t], dim), 0);
            free(points);
            sampler_close(&f);
        }
    }
}
END_TEST

START_TEST(test_samplers_lhs_depends_on_seed)
{
    size_t dim = 2;
    sampler_fixture f;
    sampler_open(&f, "random", "[random]\nsampler = lhs\n", real_space(dim));
    double a[2], b[2];
    atoll_strategy_env env = island_env(50, 1, 0);
    void *state = create_ok(&f, &env);
    ask_ok(&f, state, a);
    f.type->destroy(state);
    env.seed++;
    state = create_ok(&f, &env);
    ask_ok(&f, state, b);
    f.type->destroy(state);
    ck_assert(a[0] != b[0] || a[1] != b[1]);
    sampler_close(&f);
}
END_TEST

START_TEST(test_samplers_quasi_distinct_and_skip)
{
    static const char *const quasi[] = {"sobol", "halton"};
    size_t dim = 5, n = 600, skip = 37;
    for (size_t s = 0; s < 2; s++) {
        char ini[64];
        snprintf(ini, sizeof ini, "[random]\nsampler = %s\n", quasi[s]);
        sampler_fixture f;
        sampler_open(&f, "random", ini, real_space(dim));
        double *plain = malloc(n * dim * sizeof *plain);
        double *skipped = malloc((n - skip) * dim * sizeof *skipped);
        ck_assert(plain && skipped);
        run_islands(&f, (long)n, 3, plain);
        ck_assert_uint_eq(duplicate_rows(plain, n, dim), 0);
        /* Neither sequence starts at the origin: the first point is all halves in base 2. */
        ck_assert(plain[0] == 0.5);
        sampler_close(&f);

        snprintf(ini, sizeof ini, "[random]\nsampler = %s\nskip = %zu\n", quasi[s], skip);
        sampler_open(&f, "random", ini, real_space(dim));
        run_islands(&f, (long)(n - skip), 4, skipped);
        ck_assert(memcmp(skipped, plain + skip * dim, (n - skip) * dim * sizeof *plain) == 0);
        free(plain);
        free(skipped);
        sampler_close(&f);
    }
}
END_TEST

START_TEST(test_samplers_config_errors)
{
    static const struct {
        const char *ini;
        size_t dim;
        const char *where, *what;
    } cases[] = {
        {"[random]\nsampler = sobol\n", 41, "s.ini:2: [random] sampler", "at most 40"},
        {"[random]\nsampler = halton\n", 1230, "s.ini:2: [random] sampler", "at most 1229"},
        {"[random]\nsampler = lhs\nskip = 3\n", 2, "s.ini:3: [random] skip", "only sobol"},
        {"[random]\nskip = 3\n", 2, "s.ini:2: [random] skip", "sampler = uniform"},
        {"[random]\nsampler = sobol\nskip = -1\n", 2, "[random] skip", ">= 0"},
        {"[random]\nsampler = sobol\nskip = 1073741823\n", 2, "[random] skip", "<= 1073741822"},
        {"[random]\nsampler = uniformly\n", 2, "[random] sampler", "uniform"},
        {"[grid]\npoints = 1\n", 2, "s.ini:2: [grid] points", ">= 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sampler_fixture f;
        const char *name = strncmp(cases[i].ini, "[grid]", 6) == 0 ? "grid" : "random";
        ck_assert_int_eq(sampler_try(&f, name, cases[i].ini, real_space(cases[i].dim)),
                         ATOLL_ERR_USAGE);
        ck_assert_ptr_null(f.params);
        const char *message = atoll_error_message();
        ck_assert_msg(strstr(message, cases[i].where) && strstr(message, cases[i].what),
                      "case %zu: %s", i, message);
        sampler_close(&f);
    }
    /* The largest spaces each sequence supports. */
    sampler_fixture f;
    sampler_open(&f, "random", "[random]\nsampler = sobol\n", real_space(40));
    sampler_close(&f);
    sampler_open(&f, "random", "[random]\nsampler = halton\n", real_space(1229));
    double *points = malloc(3 * 1229 * sizeof *points);
    ck_assert_ptr_nonnull(points);
    run_islands(&f, 3, 2, points);
    free(points);
    sampler_close(&f);
}
END_TEST

START_TEST(test_samplers_budget_limits)
{
    sampler_fixture f;
    double x[10];
    /* lhs: evaluations x dimension at most 5e7, located at the sampler key. */
    sampler_open(&f, "random", "[random]\nsampler = lhs\n", real_space(10));
    atoll_strategy_env env = island_env(5000001, 1, 0);
    const char *message = create_error(&f, &env);
    ck_assert_msg(strstr(message, "s.ini:2: [random] sampler: lhs needs total_budget x "
                                  "dimension <= 5e7"),
                  "%s", message);
    env = island_env(3000000000L, 4, 3); /* above 2^31 */
    message = create_error(&f, &env);
    ck_assert_ptr_nonnull(strstr(message, "3000000000 x 10"));
    env = island_env(5000000, 1, 0);
    env.total_budget = 9000000000000000000L; /* no overflow in the check either */
    create_error(&f, &env);
    sampler_close(&f);

    /* sobol: 2^30 - 1 points including the skipped ones; the edge itself is fine. */
    sampler_open(&f, "random", "[random]\nsampler = sobol\nskip = 10\n", real_space(2));
    env = island_env(1073741823L - 9, 1, 0);
    message = create_error(&f, &env);
    ck_assert_msg(strstr(message, "[random] sampler: sobol gives at most 1073741823 points"), "%s",
                  message);
    env = island_env(1073741823L - 10, 1, 0);
    void *state = create_ok(&f, &env);
    ask_ok(&f, state, x);
    f.type->destroy(state);
    sampler_close(&f);

    /* halton: 2^32 - 1 points; a budget above 2^31 is fine. */
    sampler_open(&f, "random", "[random]\nsampler = halton\n", real_space(2));
    env = island_env(4294967296L, 1, 0);
    message = create_error(&f, &env);
    ck_assert_ptr_nonnull(strstr(message, "halton gives at most 4294967295 points"));
    env = island_env(3000000000L, 1, 0);
    state = create_ok(&f, &env);
    ask_ok(&f, state, x);
    f.type->destroy(state);
    sampler_close(&f);

    /* uniform: any budget. */
    sampler_open(&f, "random", "[random]\nsampler = uniform\n", real_space(2));
    env = island_env(1000000000000L, 7, 6);
    state = create_ok(&f, &env);
    ask_ok(&f, state, x);
    f.type->destroy(state);
    sampler_close(&f);
}
END_TEST

START_TEST(test_samplers_table_behaviour)
{
    static const char *const all[] = {"uniform", "lhs", "sobol", "halton", "grid"};
    for (size_t s = 0; s < sizeof all / sizeof all[0]; s++) {
        bool grid = strcmp(all[s], "grid") == 0;
        char ini[64];
        snprintf(ini, sizeof ini, grid ? "[grid]\npoints = 3\n" : "[random]\nsampler = %s\n",
                 all[s]);
        sampler_fixture f;
        sampler_open(&f, grid ? "grid" : "random", ini, real_space(3));
        /* An island with nothing to do (3 evaluations over 4 islands) starts and stops. */
        atoll_strategy_env env = island_env(3, 4, 3);
        ck_assert_int_eq(env.budget, 0);
        void *state = create_ok(&f, &env);
        f.type->destroy(state);

        env = island_env(20, 2, 1);
        state = create_ok(&f, &env);
        double x[3 * 4], score[4] = {-1, -2, -3, -4};
        for (long k = 0; k < env.budget; k++)
            ck_assert_int_eq(ask_ok(&f, state, x), k);
        long ticket, generation;
        bool ready;
        int rc = f.type->ask(state, x, &ticket, &generation, &ready);
        if (strcmp(all[s], "uniform") == 0)
            ck_assert_int_eq(rc, ATOLL_OK); /* an endless stream */
        else
            ck_assert_int_eq(rc, ATOLL_ERR_RUNTIME); /* its share is spent */
        for (long k = 0; k < env.budget; k++) {
            ck_assert_int_eq(f.type->tell(state, k, INFINITY), ATOLL_OK); /* failed trials */
            ck_assert_int_eq(f.type->tell(state, k, 1.0), ATOLL_OK);
        }
        ck_assert_int_eq(f.type->tell(state, 1000, 0.0), ATOLL_ERR_RUNTIME);
        ck_assert_int_eq(f.type->tell(state, -1, 0.0), ATOLL_ERR_RUNTIME);
        ck_assert_int_eq(f.type->epoch(state), 0);
        ck_assert_uint_eq(f.type->emigrants(state, 4, x, score), 0);
        size_t accepted = 9;
        ck_assert_int_eq(f.type->immigrate(state, 4, x, score, &accepted), ATOLL_OK);
        ck_assert_uint_eq(accepted, 0);
        f.type->destroy(state);
        sampler_close(&f);
    }
}
END_TEST

/* ---------------------------------------------------------------- grid */

/* A mixed space: a in [-1,1], b in [1e-3,10] (log), n in 0..9, m in 1..3, c in {x,y,z}; with
 * points = 4 its grid is 4 x 4 x 4 x 3 x 3 = 576 points. */
#define GRID_DIM 5
#define GRID_SIZE 576L

static atoll_space *grid_space(void)
{
    static const char *const letters[] = {"x", "y", "z"};
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "a", -1, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "b", 1e-3, 10, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 0, 9, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "m", 1, 3, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "c", 3, letters), ATOLL_OK);
    return space;
}

/* The grid of grid_space() by nested loops in declaration order: values[g * GRID_DIM + i]. */
static void grid_expected(double *values)
{
    static const double a[] = {-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0};
    static const double n[] = {0, 3, 6, 9}, m[] = {1, 2, 3};
    size_t g = 0;
    for (size_t ia = 0; ia < 4; ia++)
        for (size_t ib = 0; ib < 4; ib++)
            for (size_t in = 0; in < 4; in++)
                for (size_t im = 0; im < 3; im++)
                    for (size_t ic = 0; ic < 3; ic++, g++) {
                        double *v = values + g * GRID_DIM;
                        v[0] = a[ia];
                        v[1] = 1e-3 * pow(10.0, (double)ib * 4.0 / 3.0);
                        v[2] = n[in];
                        v[3] = m[im];
                        v[4] = (double)ic;
                    }
    ck_assert_uint_eq(g, GRID_SIZE);
}

/* Decode n unit points of `space` into their numbers (choice: the index). */
static void decode_points(const atoll_space *space, const double *points, size_t n,
                          double *values)
{
    atoll_value *v = malloc(space->n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t g = 0; g < n; g++) {
        atoll_space_decode(space, points + g * space->n, v);
        for (size_t i = 0; i < space->n; i++)
            values[g * space->n + i] = v[i].num;
    }
    free(v);
}

static void assert_values_eq(const double *got, const double *want, size_t n, size_t dim)
{
    for (size_t g = 0; g < n; g++)
        for (size_t i = 0; i < dim; i++) {
            double a = got[g * dim + i], b = want[g * dim + i];
            ck_assert_msg(fabs(a - b) <= 1e-12 * fmax(1.0, fabs(b)),
                          "grid point %zu, parameter %zu: got %.17g, want %.17g", g, i, a, b);
        }
}

START_TEST(test_samplers_grid_covers_every_point_once)
{
    double *want = malloc(GRID_SIZE * GRID_DIM * sizeof *want);
    double *points = malloc(GRID_SIZE * GRID_DIM * sizeof *points);
    double *got = malloc(GRID_SIZE * GRID_DIM * sizeof *got);
    ck_assert(want && points && got);
    grid_expected(want);
    ck_assert_uint_eq(duplicate_rows(want, GRID_SIZE, GRID_DIM), 0);
    for (size_t c = 0; c < sizeof island_counts / sizeof island_counts[0]; c++) {
        sampler_fixture f;
        sampler_open(&f, "grid", "[grid]\npoints = 4\n", grid_space());
        double size = 0;
        ck_assert_int_eq(atoll_grid_size(f.params, f.space, &size), ATOLL_OK);
        ck_assert(size == (double)GRID_SIZE);
        run_islands(&f, GRID_SIZE, island_counts[c], points);
        ck_assert_uint_eq(duplicate_rows(points, GRID_SIZE, GRID_DIM), 0);
        decode_points(f.space, points, GRID_SIZE, got);
        assert_values_eq(got, want, GRID_SIZE, GRID_DIM);
        sampler_close(&f);
    }
    free(want);
    free(points);
    free(got);
}
END_TEST

START_TEST(test_samplers_grid_truncates_in_order)
{
    double *want = malloc(GRID_SIZE * GRID_DIM * sizeof *want);
    double points[100 * GRID_DIM], got[100 * GRID_DIM];
    ck_assert_ptr_nonnull(want);
    grid_expected(want);
    sampler_fixture f;
    sampler_open(&f, "grid", "[grid]\npoints = 4\n", grid_space());
    run_islands(&f, 100, 3, points);
    decode_points(f.space, points, 100, got);
    assert_values_eq(got, want, 100, GRID_DIM);
    /* The first parameter never left its lowest level. */
    for (size_t g = 0; g < 100; g++)
        ck_assert(got[g * GRID_DIM] == -1.0);

    atoll_strategy_env env = island_env(GRID_SIZE + 1, 4, 0);
    const char *message = create_error(&f, &env);
    ck_assert_str_eq(message,
                     "grid has 576 points but [run] evaluations is 577: lower evaluations to "
                     "at most 576");
    env = island_env(GRID_SIZE, 4, 3);
    void *state = create_ok(&f, &env);
    f.type->destroy(state);
    sampler_close(&f);
    free(want);
}
END_TEST

/* The values of the only parameter of `space` over its whole grid with `ini`. */
static size_t grid_levels(const char *ini, atoll_space *space, double *values, size_t max)
{
    sampler_fixture f;
    sampler_open(&f, "grid", ini, space);
    double size = 0;
    ck_assert_int_eq(atoll_grid_size(f.params, f.space, &size), ATOLL_OK);
    ck_assert(size <= (double)max);
    double points[64];
    run_islands(&f, (long)size, 2, points);
    decode_points(f.space, points, (size_t)size, values);
    sampler_close(&f);
    return (size_t)size;
}

START_TEST(test_samplers_grid_levels)
{
    double v[64];
    atoll_space *space = NULL;

    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 1, 1000, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\npoints = 4\n", space, v, 64), 4);
    ck_assert(v[0] == 1 && v[1] == 10 && v[2] == 100 && v[3] == 1000);

    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 0, 100, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\n", space, v, 64), 5); /* points = 5 by default */
    ck_assert(v[0] == 0 && v[1] == 25 && v[2] == 50 && v[3] == 75 && v[4] == 100);

    /* A log int whose low values crowd: still distinct, increasing, both ends included. */
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 1, 10, ATOLL_SCALE_LOG), ATOLL_OK);
    size_t n = grid_levels("[grid]\npoints = 7\n", space, v, 64);
    ck_assert_uint_eq(n, 7);
    ck_assert(v[0] == 1 && v[n - 1] == 10);
    for (size_t i = 1; i < n; i++)
        ck_assert(v[i] > v[i - 1]);

    /* Fewer values than points: every value once. */
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", -2, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\npoints = 9\n", space, v, 64), 4);
    ck_assert(v[0] == -2 && v[1] == -1 && v[2] == 0 && v[3] == 1);

    /* A choice gets all its values whatever points says. */
    static const char *const letters[] = {"p", "q", "r", "s", "t"};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "c", 5, letters), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\npoints = 2\n", space, v, 64), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert(v[i] == (double)i);

    /* Reals: both bounds, evenly spaced (in log space for a log scale). */
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", 1e-4, 1, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\npoints = 5\n", space, v, 64), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(fabs(v[i] - pow(10.0, (double)i - 4.0)) <= 1e-15 * pow(10.0, (double)i),
                      "level %zu = %.17g", i, v[i]);
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", -3, 5, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_uint_eq(grid_levels("[grid]\npoints = 2\n", space, v, 64), 2);
    ck_assert(v[0] == -3 && v[1] == 5);
}
END_TEST

START_TEST(test_samplers_grid_size_limit)
{
    sampler_fixture f;
    double size = 0;
    /* Three parameters of 1e5 levels: exactly 1e15 points, the largest grid. */
    sampler_open(&f, "grid", "[grid]\npoints = 100000\n", real_space(3));
    ck_assert_int_eq(atoll_grid_size(f.params, f.space, &size), ATOLL_OK);
    ck_assert(size == 1e15);
    /* The same settings over a bigger space: too many points, and no overflow. */
    atoll_space *big = real_space(400);
    ck_assert_int_eq(atoll_grid_size(f.params, big, &size), ATOLL_ERR_USAGE);
    ck_assert(size > 1e15);
    atoll_space_destroy(&big);
    sampler_close(&f);

    ck_assert_int_eq(sampler_try(&f, "grid", "[grid]\npoints = 100001\n", real_space(3)),
                     ATOLL_ERR_USAGE);
    const char *message = atoll_error_message();
    ck_assert_msg(strstr(message, "s.ini:2: [grid] points: the grid has 1.00003e+15 points"), "%s",
                  message);
    sampler_close(&f);
    ck_assert_int_eq(sampler_try(&f, "grid", "[grid]\n", real_space(30)), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[grid] points"));
    sampler_close(&f);
    ck_assert_int_eq(
        sampler_try(&f, "grid", "[grid]\npoints = 9223372036854775807\n", real_space(2)),
        ATOLL_ERR_USAGE);
    sampler_close(&f);

    /* A huge int counts min(points, cardinality) levels. */
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 0, 1e12, ATOLL_SCALE_LINEAR), ATOLL_OK);
    sampler_open(&f, "grid", "[grid]\npoints = 1000000000000000\n", space);
    ck_assert_int_eq(atoll_grid_size(f.params, f.space, &size), ATOLL_OK);
    ck_assert(size == 1e12 + 1);
    sampler_close(&f);
}
END_TEST

START_TEST(test_samplers_grid_large_offset)
{
    /* Four parameters of 1000 levels: 1e12 points; an island starting past 2^32. */
    sampler_fixture f;
    sampler_open(&f, "grid", "[grid]\npoints = 1000\n", real_space(4));
    atoll_strategy_env env = {.seed = 1, .island = 5, .n_islands = 100, .budget = 3,
                              .budget_offset = 5000000123L, .total_budget = 1000000000000L};
    void *state = create_ok(&f, &env);
    for (long k = 0; k < env.budget; k++) {
        double x[4];
        ask_ok(&f, state, x);
        long g = env.budget_offset + k;
        for (size_t i = 4; i-- > 0; g /= 1000)
            ck_assert(x[i] == (double)(g % 1000) / 999.0);
    }
    f.type->destroy(state);
    env.total_budget = 1000000000001L;
    ck_assert_ptr_nonnull(strstr(create_error(&f, &env), "grid has 1000000000000 points"));
    sampler_close(&f);
}
END_TEST

static Suite *samplers_suite(void)
{
    Suite *s = suite_create("samplers");
    TCase *random = tcase_create("random");
    tcase_add_test(random, test_samplers_union_matches_one_island);
    tcase_add_test(random, test_samplers_union_mixed_space);
    tcase_add_test(random, test_samplers_lhs_one_point_per_stratum);
    tcase_add_test(random, test_samplers_lhs_depends_on_seed);
    tcase_add_test(random, test_samplers_quasi_distinct_and_skip);
    tcase_add_test(random, test_samplers_config_errors);
    tcase_add_test(random, test_samplers_budget_limits);
    tcase_add_test(random, test_samplers_table_behaviour);
    tcase_set_timeout(random, 120);
    suite_add_tcase(s, random);
    TCase *grid = tcase_create("grid");
    tcase_add_test(grid, test_samplers_grid_covers_every_point_once);
    tcase_add_test(grid, test_samplers_grid_truncates_in_order);
    tcase_add_test(grid, test_samplers_grid_levels);
    tcase_add_test(grid, test_samplers_grid_size_limit);
    tcase_add_test(grid, test_samplers_grid_large_offset);
    tcase_set_timeout(grid, 120);
    suite_add_tcase(s, grid);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(samplers_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
