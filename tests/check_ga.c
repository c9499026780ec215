/* check_ga.c - unit tests of the ga strategy and its operators (suite "ga"). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "strategy/ga_ops.h"
#include "strategy/strategy.h"
#include "support.h"

#define MAX_DIM 8
#define MAX_POP 64

/* One configured and created ga instance. */
typedef struct {
    const atoll_strategy_type *type;
    atoll_config *cfg;
    atoll_space *space;
    void *params;
    void *state;
    atoll_migration migration;
} ga_fixture;


/* Configure ga from `ini` and create it over `space` (taken over by the fixture). */
static void ga_open_space(ga_fixture *f, const char *ini, atoll_space *space, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->type = atoll_strategy_lookup("ga");
    ck_assert_ptr_nonnull(f->type);
    f->space = space;
    ck_assert_int_eq(atoll_config_load_string(ini, "test.ini", &f->cfg), ATOLL_OK);
    ck_assert_msg(f->type->configure(f->cfg, f->space, &f->params, &f->migration) == ATOLL_OK,
                  "configure: %s", atoll_error_message());
    atoll_strategy_env env = {.seed = seed, .island = 0, .n_islands = 1, .budget = 100000,
                              .budget_offset = 0, .total_budget = 100000};
    ck_assert_msg(f->type->create(f->params, f->space, &env, &f->state) == ATOLL_OK,
                  "create: %s", atoll_error_message());
}

static void ga_open(ga_fixture *f, const char *ini, size_t dim, uint64_t seed)
{
    ga_open_space(f, ini, real_space(dim), seed);
}

static void ga_close(ga_fixture *f)
{
    f->type->destroy(f->state);
    f->type->free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
}

/* Configure ga from `ini` over a 2-D space, expecting a usage error; returns its message. */
static const char *configure_error(const char *ini)
{
    return strategy_configure_error("ga", ini);
}

/* Ask, expecting a point. */
static long ask_ok(ga_fixture *f, double *x, long *generation)
{
    long ticket = -1, gen = -1;
    bool ready = false;
    ck_assert_int_eq(f->type->ask(f->state, x, &ticket, &gen, &ready), ATOLL_OK);
    ck_assert_msg(ready, "ask was not ready");
    if (generation)
        *generation = gen;
    return ticket;
}

/* Ask; returns whether a point came, with its ticket. */
static bool ask_ticket(ga_fixture *f, double *x, long *ticket)
{
    long gen;
    bool ready = true;
    ck_assert_int_eq(f->type->ask(f->state, x, ticket, &gen, &ready), ATOLL_OK);
    return ready;
}

static bool ask_ready(ga_fixture *f, double *x)
{
    long ticket;
    return ask_ticket(f, x, &ticket);
}

static double shifted_sphere(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (x[i] - 0.3) * (x[i] - 0.3);
    return sum;
}

/* A parent gene biased towards the bounds and their neighbourhoods. */
static double edge_gene(gsl_rng *rng)
{
    switch (gsl_rng_uniform_int(rng, 6)) {
    case 0:
        return 0.0;
    case 1:
        return 1.0;
    case 2:
        return 1e-12;
    case 3:
        return 1.0 - 1e-12;
    default:
        return gsl_rng_uniform(rng);
    }
}

static void assert_unit(const double *x, size_t n, const char *what, double param)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(isfinite(x[i]) && x[i] >= 0.0 && x[i] <= 1.0,
                      "%s(%g) left [0,1]: gene %zu = %.17g", what, param, i, x[i]);
}

static const double extreme_etas[] = {1e-9, 1e-3, 0.5, 1.0, 15.0, 100.0, 1e6, 1e12, 1e300};
#define N_ETAS (sizeof extreme_etas / sizeof extreme_etas[0])

START_TEST(test_ga_sbx_bounds)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double p1[MAX_DIM], p2[MAX_DIM], c1[MAX_DIM], c2[MAX_DIM];
    for (size_t e = 0; e < N_ETAS; e++) {
        size_t moved = 0;
        for (int trial = 0; trial < 20000; trial++) {
            for (size_t i = 0; i < MAX_DIM; i++) {
                p1[i] = edge_gene(rng);
                p2[i] = edge_gene(rng);
            }
            atoll_ga_sbx(p1, p2, c1, c2, MAX_DIM, extreme_etas[e], rng);
            assert_unit(c1, MAX_DIM, "sbx", extreme_etas[e]);
            assert_unit(c2, MAX_DIM, "sbx", extreme_etas[e]);
            for (size_t i = 0; i < MAX_DIM; i++)
                moved += c1[i] != p1[i] && c1[i] != p2[i];
        }
        ck_assert_msg(moved > 0, "sbx(%g) never produced a new gene", extreme_etas[e]);
    }
    /* A very large index keeps children at their parents. */
    for (int trial = 0; trial < 1000; trial++) {
        for (size_t i = 0; i < MAX_DIM; i++) {
            p1[i] = gsl_rng_uniform(rng);
            p2[i] = gsl_rng_uniform(rng);
        }
        atoll_ga_sbx(p1, p2, c1, c2, MAX_DIM, 1e12, rng);
        for (size_t i = 0; i < MAX_DIM; i++)
            ck_assert(fabs(fmin(c1[i], c2[i]) - fmin(p1[i], p2[i])) < 1e-6 &&
                      fabs(fmax(c1[i], c2[i]) - fmax(p1[i], p2[i])) < 1e-6);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_ga_blend_bounds)
{
    static const double alphas[] = {0.0, 0.1, 0.5, 1.0, 10.0, 1e6, 1e300};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double p1[MAX_DIM], p2[MAX_DIM], c1[MAX_DIM], c2[MAX_DIM];
    for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
        for (int trial = 0; trial < 20000; trial++) {
            for (size_t i = 0; i < MAX_DIM; i++) {
                p1[i] = edge_gene(rng);
                p2[i] = edge_gene(rng);
            }
            atoll_ga_blend(p1, p2, c1, c2, MAX_DIM, alphas[a], rng);
            assert_unit(c1, MAX_DIM, "blend", alphas[a]);
            assert_unit(c2, MAX_DIM, "blend", alphas[a]);
            if (alphas[a] == 0.0)
                for (size_t i = 0; i < MAX_DIM; i++)
                    ck_assert(c1[i] >= fmin(p1[i], p2[i]) && c1[i] <= fmax(p1[i], p2[i]));
        }
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_ga_polynomial_bounds)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double x[MAX_DIM], before[MAX_DIM];
    for (size_t e = 0; e < N_ETAS; e++) {
        size_t moved = 0;
        for (int trial = 0; trial < 20000; trial++) {
            for (size_t i = 0; i < MAX_DIM; i++)
                x[i] = before[i] = edge_gene(rng);
            atoll_ga_polynomial(x, MAX_DIM, 1.0, extreme_etas[e], rng);
            assert_unit(x, MAX_DIM, "polynomial", extreme_etas[e]);
            for (size_t i = 0; i < MAX_DIM; i++)
                moved += x[i] != before[i];
        }
        if (extreme_etas[e] < 1e100) /* beyond, every step rounds to 0 */
            ck_assert_msg(moved > 0, "polynomial(%g) never moved a gene", extreme_etas[e]);
    }
    /* Rate 0 leaves every gene alone. */
    for (size_t i = 0; i < MAX_DIM; i++)
        x[i] = before[i] = gsl_rng_uniform(rng);
    atoll_ga_polynomial(x, MAX_DIM, 0.0, 20.0, rng);
    ck_assert_mem_eq(x, before, sizeof x);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_ga_gaussian_bounds)
{
    static const double sigmas[] = {1e-12, 0.01, 0.1, 1.0, 100.0, 1e9, 1e300};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double x[MAX_DIM], before[MAX_DIM];
    for (size_t s = 0; s < sizeof sigmas / sizeof sigmas[0]; s++) {
        for (int trial = 0; trial < 20000; trial++) {
            for (size_t i = 0; i < MAX_DIM; i++)
                x[i] = edge_gene(rng);
            atoll_ga_gaussian(x, MAX_DIM, 1.0, sigmas[s], rng);
            assert_unit(x, MAX_DIM, "gaussian", sigmas[s]);
        }
    }
    for (size_t i = 0; i < MAX_DIM; i++)
        x[i] = before[i] = gsl_rng_uniform(rng);
    atoll_ga_gaussian(x, MAX_DIM, 0.0, 0.5, rng);
    ck_assert_mem_eq(x, before, sizeof x);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_ga_tournament)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const double scores[5] = {4.0, 2.0, 9.0, 0.5, 7.0};
    size_t seen[5] = {0};
    for (int i = 0; i < 5000; i++) {
        size_t w = atoll_ga_tournament(scores, 5, 1, rng);
        ck_assert_uint_lt(w, 5);
        seen[w]++;
    }
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_gt(seen[i], 800); /* size 1: uniform */
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(atoll_ga_tournament(scores, 5, 300, rng), 3);
    const double failed[4] = {INFINITY, INFINITY, 3.0, INFINITY};
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(atoll_ga_tournament(failed, 4, 100, rng), 2);
    /* Ties go to the lower index. */
    const double ties[3] = {1.0, 1.0, 1.0};
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(atoll_ga_tournament(ties, 3, 200, rng), 0);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_ga_cells)
{
    static const char *const colours[] = {"red", "green", "blue"};
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "layers", 1, 10, ATOLL_SCALE_LINEAR), 0);
    ck_assert_int_eq(atoll_space_add_int(space, "units", 1, 1000, ATOLL_SCALE_LOG), 0);
    ck_assert_int_eq(atoll_space_add_choice(space, "colour", 3, colours), 0);
    ck_assert_int_eq(atoll_space_add_real(space, "lr", 1e-5, 1.0, ATOLL_SCALE_LOG), 0);
    static const char *const inis[] = {
        "[ga]\npopulation = 12\n",
        "[ga]\npopulation = 12\ncrossover = blend\nblend_alpha = 3\nmutation = gaussian\n"
        "sigma = 0.7\nmutation_rate = 1\ninit = uniform\n",
        "[ga]\npopulation = 12\nschedule = steady\neta_c = 0.01\neta_m = 0.01\n"
        "mutation_rate = 1\n",
    };
    for (size_t c = 0; c < sizeof inis / sizeof inis[0]; c++) {
        ga_fixture f;
        atoll_space *copy = NULL;
        ck_assert_int_eq(atoll_space_create(&copy), ATOLL_OK);
        ck_assert_int_eq(atoll_space_add_int(copy, "layers", 1, 10, ATOLL_SCALE_LINEAR), 0);
        ck_assert_int_eq(atoll_space_add_int(copy, "units", 1, 1000, ATOLL_SCALE_LOG), 0);
        ck_assert_int_eq(atoll_space_add_choice(copy, "colour", 3, colours), 0);
        ck_assert_int_eq(atoll_space_add_real(copy, "lr", 1e-5, 1.0, ATOLL_SCALE_LOG), 0);
        ga_open_space(&f, inis[c], copy, 11);
        for (int i = 0; i < 12 * 15; i++) {
            double x[4], snapped[4];
            long ticket = ask_ok(&f, x, NULL);
            assert_unit(x, 4, "ask", (double)c);
            memcpy(snapped, x, sizeof x);
            atoll_space_snap(space, snapped);
            ck_assert_msg(memcmp(x, snapped, sizeof x) == 0,
                          "config %zu point %d is off its cell centres", c, i);
            atoll_value v[4];
            atoll_space_decode(space, x, v);
            double score = fabs(v[0].num - 3) + fabs(log(v[1].num / 40)) + (double)v[2].index;
            ck_assert_int_eq(f.type->tell(f.state, ticket, score), ATOLL_OK);
        }
        ck_assert_int_gt(f.type->epoch(f.state), 1);
        ga_close(&f);
    }
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_ga_lhs)
{
    ga_fixture f;
    enum { P = 16, D = 5 };
    ga_open(&f, "[ga]\npopulation = 16\ninit = lhs\n", D, 3);
    int stratum[D][P] = {{0}};
    for (int i = 0; i < P; i++) {
        double x[D];
        long gen;
        ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 0);
        for (int d = 0; d < D; d++) {
            int k = (int)(x[d] * P);
            ck_assert(k >= 0 && k < P);
            stratum[d][k]++;
        }
    }
    for (int d = 0; d < D; d++)
        for (int k = 0; k < P; k++)
            ck_assert_int_eq(stratum[d][k], 1);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_generation_barrier)
{
    ga_fixture f;
    ga_open(&f, "[ga]\npopulation = 4\nelitism = 1\n", 2, 5);
    long tickets[4], gen;
    double x[2];
    for (int i = 0; i < 4; i++) {
        tickets[i] = ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 0);
    }
    ck_assert_int_eq(f.type->epoch(f.state), 0);
    x[0] = x[1] = -7.0;
    ck_assert(!ask_ready(&f, x));
    ck_assert(x[0] == -7.0 && x[1] == -7.0); /* nothing written while waiting */
    for (int i = 3; i >= 1; i--) {
        ck_assert_int_eq(f.type->tell(f.state, tickets[i], (double)i), ATOLL_OK);
        ck_assert(!ask_ready(&f, x));
        ck_assert_int_eq(f.type->epoch(f.state), 0);
    }
    ck_assert_int_eq(f.type->tell(f.state, tickets[0], 10.0), ATOLL_OK);
    ck_assert_int_eq(f.type->epoch(f.state), 1);
    /* Generation 1: only the population - elitism children are evaluated. */
    for (int i = 0; i < 3; i++) {
        tickets[i] = ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 1);
    }
    ck_assert(!ask_ready(&f, x));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(f.type->tell(f.state, tickets[i], 5.0), ATOLL_OK);
    ck_assert_int_eq(f.type->epoch(f.state), 2);
    ask_ok(&f, x, &gen);
    ck_assert_int_eq(gen, 2);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_bad_ticket)
{
    ga_fixture f;
    ga_open(&f, "[ga]\npopulation = 3\nelitism = 0\n", 2, 5);
    double x[2];
    long t[3];
    for (int i = 0; i < 3; i++)
        t[i] = ask_ok(&f, x, NULL);
    ck_assert_int_eq(f.type->tell(f.state, 12345, 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "12345"));
    ck_assert_int_eq(f.type->tell(f.state, -1, 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(f.type->tell(f.state, t[0], 1.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[0], 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "already"));
    ck_assert_int_eq(f.type->tell(f.state, t[1], 2.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[2], 3.0), ATOLL_OK);
    /* The generation is over: its tickets are spent, the next one's are not yet asked. */
    ck_assert_int_eq(f.type->tell(f.state, t[1], 2.0), ATOLL_ERR_RUNTIME);
    long next = ask_ok(&f, x, NULL);
    ck_assert_int_eq(f.type->tell(f.state, next + 1, 2.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(f.type->tell(f.state, t[2], 2.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(f.type->tell(f.state, next, 2.0), ATOLL_OK);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_elitism_keeps_best)
{
    ga_fixture f;
    enum { P = 10, D = 3 };
    ga_open(&f, "[ga]\npopulation = 10\nelitism = 2\nmutation_rate = 1\neta_m = 1\n", D, 9);
    double best = INFINITY, prev[2] = {INFINITY, INFINITY};
    long epoch = 0;
    for (int i = 0; i < 400; i++) {
        double x[D];
        long ticket = ask_ok(&f, x, NULL);
        double score = shifted_sphere(x, D);
        best = fmin(best, score);
        ck_assert_int_eq(f.type->tell(f.state, ticket, score), ATOLL_OK);
        if (f.type->epoch(f.state) == epoch)
            continue;
        epoch = f.type->epoch(f.state);
        double ex[2 * D], es[2];
        ck_assert_uint_eq(f.type->emigrants(f.state, 2, ex, es), 2);
        ck_assert_msg(es[0] == best, "generation %ld lost the best (%g, best %g)", epoch, es[0],
                      best);
        ck_assert(es[0] <= es[1]);
        ck_assert(es[0] <= prev[0] && es[1] <= prev[1]);
        ck_assert(shifted_sphere(ex, D) == es[0]);
        prev[0] = es[0];
        prev[1] = es[1];
    }
    ck_assert_int_ge(epoch, 40);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_failures_never_emigrate)
{
    ga_fixture f;
    enum { P = 6, D = 2 };
    ga_open(&f, "[ga]\npopulation = 6\nelitism = 2\n", D, 13);
    double x[D], ex[P * D], es[P];
    long t[P];
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), 0); /* no population yet */
    for (int i = 0; i < P; i++)
        t[i] = ask_ok(&f, x, NULL);
    for (int i = 0; i < P; i++) {
        double score = i == 2 ? 4.0 : i == 4 ? 3.0 : i == 5 ? NAN : INFINITY;
        ck_assert_int_eq(f.type->tell(f.state, t[i], score), ATOLL_OK);
    }
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), 2);
    ck_assert(es[0] == 3.0 && es[1] == 4.0);
    /* A generation of failed children: the finite elites stay, nothing failed emigrates. */
    for (int i = 0; i < P - 2; i++)
        t[i] = ask_ok(&f, x, NULL);
    for (int i = 0; i < P - 2; i++)
        ck_assert_int_eq(f.type->tell(f.state, t[i], INFINITY), ATOLL_OK);
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), 2);
    ck_assert(es[0] == 3.0 && es[1] == 4.0);
    ck_assert_uint_eq(f.type->emigrants(f.state, 1, ex, es), 1);
    ck_assert(es[0] == 3.0);
    ga_close(&f);

    ga_open(&f, "[ga]\npopulation = 6\n", D, 13);
    for (int i = 0; i < P; i++)
        t[i] = ask_ok(&f, x, NULL);
    for (int i = 0; i < P; i++)
        ck_assert_int_eq(f.type->tell(f.state, t[i], INFINITY), ATOLL_OK);
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), 0);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_immigrate)
{
    ga_fixture f;
    enum { P = 5, D = 2, N = 13 };
    ga_open(&f, "[ga]\npopulation = 5\n", D, 17);
    double x[D], ix[N * D], is[N], ex[P * D], es[P];
    size_t accepted = 99;
    for (int i = 0; i < N; i++) {
        ix[i * D] = ix[i * D + 1] = (double)i / 20.0;
        is[i] = (double)(i - 2); /* 1 .. 10 after the two below */
    }
    is[0] = INFINITY;
    is[1] = 20.0;
    ck_assert_int_eq(f.type->immigrate(f.state, N, ix, is, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 0); /* no population yet */
    long t[P];
    for (int i = 0; i < P; i++)
        t[i] = ask_ok(&f, x, NULL);
    for (int i = 0; i < P; i++)
        ck_assert_int_eq(f.type->tell(f.state, t[i], 10.0 + i), ATOLL_OK); /* 10 .. 14 */
    is[2] = NAN;
    /* Offered: inf, 20, nan, 1, 2, 3, ..., 10 - more than the population. */
    ck_assert_int_eq(f.type->immigrate(f.state, N, ix, is, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 5);
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
    for (int i = 0; i < P; i++) {
        ck_assert(es[i] == (double)(i + 1));
        ck_assert(ex[i * D] == ix[(i + 3) * D] && ex[i * D + 1] == ix[(i + 3) * D + 1]);
    }
    /* Nothing better than the worst: nothing taken. */
    ck_assert_int_eq(f.type->immigrate(f.state, 3, ix + 8 * D, is + 8, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 0);
    /* One better than the worst replaces it and keeps the order. */
    double one_x[D] = {0.9, 0.9}, one_s = 2.5;
    ck_assert_int_eq(f.type->immigrate(f.state, 1, one_x, &one_s, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 1);
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
    const double expect[P] = {1, 2, 2.5, 3, 4};
    for (int i = 0; i < P; i++)
        ck_assert(es[i] == expect[i]);
    ck_assert(ex[2 * D] == 0.9);
    ga_close(&f);
}
END_TEST

/* migrant_policy = move: the emigrants leave, and immigrants take their places whatever
 * their scores; with copy the same immigrants are refused. */
START_TEST(test_ga_migrants_move)
{
    enum { P = 4, D = 2 };
    for (int move = 0; move <= 1; move++) {
        ga_fixture f;
        ga_open(&f, move ? "[ga]\npopulation = 4\nmigrant_policy = move\n"
                         : "[ga]\npopulation = 4\n",
                D, 5);
        ck_assert(f.migration.move == (move == 1));
        double x[D], ex[P * D], es[P];
        long t[P];
        for (int i = 0; i < P; i++)
            t[i] = ask_ok(&f, x, NULL);
        for (int i = 0; i < P; i++)
            ck_assert_int_eq(f.type->tell(f.state, t[i], 1.0 + i), ATOLL_OK); /* 1 .. 4 */
        ck_assert_uint_eq(f.type->emigrants(f.state, 2, ex, es), 2);
        ck_assert(es[0] == 1.0 && es[1] == 2.0);
        double ix[2 * D] = {0.25, 0.25, 0.75, 0.75}, is[2] = {8.0, 9.0};
        size_t accepted = 99;
        ck_assert_int_eq(f.type->immigrate(f.state, 2, ix, is, &accepted), ATOLL_OK);
        ck_assert_uint_eq(accepted, move ? 2 : 0);
        ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
        const double moved[P] = {3, 4, 8, 9}, copied[P] = {1, 2, 3, 4};
        for (int i = 0; i < P; i++)
            ck_assert(es[i] == (move ? moved[i] : copied[i]));
        ga_close(&f);
    }
}
END_TEST

/* Run `generations` generations, telling each one forwards or backwards, and record every
 * asked point in `points`. */
static void run_generations(ga_fixture *f, int generations, bool reverse, double *points)
{
    enum { D = 3 };
    size_t k = 0;
    for (int g = 0; g < generations; g++) {
        long tickets[MAX_POP];
        double scores[MAX_POP], x[D];
        int n = 0;
        while (n < MAX_POP && ask_ticket(f, x, &tickets[n])) {
            memcpy(points + k++ * D, x, sizeof x);
            scores[n++] = shifted_sphere(x, D);
        }
        ck_assert_int_gt(n, 0);
        for (int i = 0; i < n; i++) {
            int j = reverse ? n - 1 - i : i;
            ck_assert_int_eq(f->type->tell(f->state, tickets[j], scores[j]), ATOLL_OK);
        }
        ck_assert_int_eq(f->type->epoch(f->state), g + 1);
    }
}

START_TEST(test_ga_determinism)
{
    enum { D = 3, G = 6, P = 20 };
    static double a[G * P * D], b[G * P * D], c[G * P * D];
    const char *ini = "[ga]\npopulation = 20\nelitism = 3\n";
    ga_fixture f;
    ga_open(&f, ini, D, 42);
    run_generations(&f, G, false, a);
    ga_close(&f);
    ga_open(&f, ini, D, 42);
    run_generations(&f, G, true, b);
    ga_close(&f);
    size_t n = (size_t)(P + (G - 1) * (P - 3)) * D;
    ck_assert_msg(memcmp(a, b, n * sizeof(double)) == 0,
                  "tell order within a generation changed the next generations");
    ga_open(&f, ini, D, 43);
    run_generations(&f, G, false, c);
    ga_close(&f);
    ck_assert(memcmp(a, c, n * sizeof(double)) != 0);
}
END_TEST

START_TEST(test_ga_steady)
{
    ga_fixture f;
    enum { P = 4, D = 2 };
    ga_open(&f, "[ga]\npopulation = 4\nschedule = steady\n", D, 21);
    double x[D], ex[P * D], es[P];
    long t[P], gen;
    for (int i = 0; i < P; i++) {
        t[i] = ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 0);
    }
    ck_assert(!ask_ready(&f, x)); /* the initial population is a barrier */
    for (int i = 0; i < P; i++)
        ck_assert_int_eq(f.type->tell(f.state, t[i], 10.0 + i), ATOLL_OK);
    ck_assert_int_eq(f.type->epoch(f.state), 0);
    /* From now on ask never waits while fewer than `population` children are in flight. */
    for (int i = 0; i < P; i++) {
        t[i] = ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 1);
    }
    ck_assert(!ask_ready(&f, x));
    ck_assert_int_eq(f.type->tell(f.state, t[2], 20.0), ATOLL_OK); /* worse: dropped */
    ck_assert_int_eq(f.type->tell(f.state, t[2], 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(f.type->tell(f.state, t[0], 1.0), ATOLL_OK);  /* replaces 13 */
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
    ck_assert(es[0] == 1.0 && es[1] == 10.0 && es[2] == 11.0 && es[3] == 12.0);
    ck_assert_int_eq(f.type->tell(f.state, t[3], INFINITY), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[1], 11.5), ATOLL_OK); /* replaces 12 */
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
    ck_assert(es[2] == 11.0 && es[3] == 11.5);
    ck_assert_int_eq(f.type->epoch(f.state), 1);
    for (int i = 0; i < 4 * P; i++) {
        long ticket = ask_ok(&f, x, &gen);
        ck_assert_int_eq(gen, 2 + i / P);
        ck_assert_int_eq(f.type->tell(f.state, ticket, shifted_sphere(x, D)), ATOLL_OK);
    }
    ck_assert_int_eq(f.type->epoch(f.state), 5);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_steady_starts_before_the_initial_population_is_in)
{
    ga_fixture f;
    enum { P = 6, D = 3 };
    ga_open(&f, "[ga]\npopulation = 6\nschedule = steady\n", D, 5);
    double x[D], ex[P * D], es[P];
    long t[P], child[2];
    for (int i = 0; i < P; i++)
        t[i] = ask_ok(&f, x, NULL);
    ck_assert(!ask_ready(&f, x)); /* nothing scored yet: nothing to breed from */
    ck_assert_int_eq(f.type->tell(f.state, t[4], 3.0), ATOLL_OK);
    ck_assert(!ask_ready(&f, x)); /* one parent is not enough */
    ck_assert_int_eq(f.type->tell(f.state, t[1], 2.0), ATOLL_OK);
    /* Two results in: breeding starts while four initial evaluations are still running. */
    for (int i = 0; i < 2; i++) {
        ck_assert(ask_ticket(&f, x, &child[i]));
        assert_unit(x, D, "early child", 0);
    }
    ck_assert_int_eq(f.type->tell(f.state, child[0], 0.5), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, child[1], INFINITY), ATOLL_OK);
    /* The slow initial results still land in the population. */
    ck_assert_int_eq(f.type->tell(f.state, t[0], 1.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[2], 9.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[3], 4.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, t[5], 5.0), ATOLL_OK);
    ck_assert_uint_eq(f.type->emigrants(f.state, P, ex, es), P);
    const double want[P] = {0.5, 1.0, 2.0, 3.0, 4.0, 5.0}; /* 9 lost to better members */
    for (int i = 0; i < P; i++)
        ck_assert_double_eq(es[i], want[i]);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_config)
{
    ga_fixture f;
    ga_open(&f, "[run]\nseed = 1\n", 2, 1); /* every key defaulted */
    ck_assert_int_eq(f.migration.topology, ATOLL_TOPOLOGY_RING);
    ck_assert_int_eq(f.migration.migrants, 2);
    ck_assert_int_eq(f.migration.interval, 10);
    ga_close(&f);
    /* Defaults of tournament and elitism follow a small population. */
    ga_open(&f, "[ga]\npopulation = 2\ntopology = full\nmigrants = 5\nmigration_interval = 0\n",
            2, 1);
    ck_assert_int_eq(f.migration.topology, ATOLL_TOPOLOGY_FULL);
    ck_assert_int_eq(f.migration.migrants, 5);
    ck_assert_int_eq(f.migration.interval, 0);
    double x[2];
    for (int i = 0; i < 20; i++) {
        long ticket = ask_ok(&f, x, NULL);
        ck_assert_int_eq(f.type->tell(f.state, ticket, x[0]), ATOLL_OK);
    }
    ga_close(&f);

    const char *msg = configure_error("[ga]\npopulation = 4\ntournament = 5\n");
    ck_assert_msg(strstr(msg, "bad.ini:3") && strstr(msg, "[ga] tournament") &&
                      strstr(msg, "must be <= population (4) (got 5)"),
                  "%s", msg);
    msg = configure_error("[ga]\npopulation = 4\nelitism = 4\n");
    ck_assert_msg(strstr(msg, "[ga] elitism") && strstr(msg, "must be < population (4)"), "%s",
                  msg);
    msg = configure_error("[ga]\npopulation = 1\n");
    ck_assert_msg(strstr(msg, "[ga] population"), "%s", msg);
    msg = configure_error("[ga]\ncrossover = uniform\n");
    ck_assert_msg(strstr(msg, "[ga] crossover"), "%s", msg);
    msg = configure_error("[ga]\neta_c = 0\n");
    ck_assert_msg(strstr(msg, "[ga] eta_c") && strstr(msg, "must be > 0"), "%s", msg);
    msg = configure_error("[ga]\nsigma = 0\n");
    ck_assert_msg(strstr(msg, "[ga] sigma"), "%s", msg);
    msg = configure_error("[ga]\nmutation_rate = 1.5\n");
    ck_assert_msg(strstr(msg, "[ga] mutation_rate"), "%s", msg);
    msg = configure_error("[ga]\nschedule = async\n");
    ck_assert_msg(strstr(msg, "[ga] schedule"), "%s", msg);
    msg = configure_error("[ga]\ntopology = star\n");
    ck_assert_str_eq(msg, "bad.ini:2: [ga] topology: must be one of: ring, full, random, torus "
                          "(got 'star')");
    msg = configure_error("[ga]\nmigrants = -1\n");
    ck_assert_msg(strstr(msg, "[ga] migrants"), "%s", msg);
}
END_TEST

/* A generational ga of 4 (1 elite) over 2 parameters, one child of its second generation
 * asked: saved into *b. */
static void ga_saved_mid_generation(ga_fixture *f, atoll_wbuf *b)
{
    ga_open(f, "[ga]\npopulation = 4\nelitism = 1\ntournament = 2\n", 2, 11);
    double x[2];
    long tickets[4];
    for (int i = 0; i < 4; i++)
        tickets[i] = ask_ok(f, x, NULL);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(f->type->tell(f->state, tickets[i], (double)i), ATOLL_OK);
    ask_ok(f, x, NULL);
    memset(b, 0, sizeof *b);
    ck_assert_int_eq(f->type->save(f->state, b), ATOLL_OK);
}

/* Load `bytes` into a fresh instance of f's ga; returns load's status. */
static int ga_load_fresh(ga_fixture *f, const atoll_wbuf *b)
{
    atoll_strategy_env env = {.seed = 11, .island = 0, .n_islands = 1, .budget = 100000,
                              .budget_offset = 0, .total_budget = 100000};
    void *fresh = NULL;
    ck_assert_int_eq(f->type->create(f->params, f->space, &env, &fresh), ATOLL_OK);
    atoll_rbuf r;
    atoll_rbuf_init(&r, b->data, b->len);
    int rc = f->type->load(fresh, &r);
    f->type->destroy(fresh);
    return rc;
}

/* Where ga_save puts batch field k (0 batch_n, 1 batch_asked, 2 batch_done) for a population
 * of n over dim parameters: after the sizes, the generator (its name and state,
 * length-prefixed), have_population, the population and its scores. */
static size_t ga_batch_field_at(size_t n, size_t dim, int k)
{
    gsl_rng *probe = gsl_rng_alloc(gsl_rng_mt19937);
    size_t rng = 16 + strlen(gsl_rng_name(probe)) + gsl_rng_size(probe);
    gsl_rng_free(probe);
    return 16 + rng + 8 + n * dim * sizeof(double) + n * sizeof(double) + (size_t)k * 8;
}

static void set_field(atoll_wbuf *b, size_t at, int64_t expect, int64_t value)
{
    int64_t was;
    memcpy(&was, b->data + at, sizeof was);
    ck_assert_int_eq(was, expect);
    memcpy(b->data + at, &value, sizeof value);
}

START_TEST(test_ga_load_refuses_batch_counts_against_flags)
{
    /* One child asked and none told: a checkpoint that counts it told without its flag let
     * the count run past the batch as results came in. */
    ga_fixture f;
    atoll_wbuf b;
    ga_saved_mid_generation(&f, &b);
    ck_assert_int_eq(ga_load_fresh(&f, &b), ATOLL_OK);
    set_field(&b, ga_batch_field_at(4, 2, 2), 0, 1);
    ck_assert_int_eq(ga_load_fresh(&f, &b), ATOLL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "ga checkpoint"));
    atoll_wbuf_free(&b);
    ga_close(&f);
}
END_TEST

START_TEST(test_ga_load_refuses_batch_beyond_population)
{
    /* A second generation breeds population - elitism = 3 children; a batch of 4 would be
     * merged with the elite into 5 places of a population of 4 when its last result came. */
    ga_fixture f;
    atoll_wbuf b;
    ga_saved_mid_generation(&f, &b);
    set_field(&b, ga_batch_field_at(4, 2, 0), 3, 4);
    ck_assert_int_eq(ga_load_fresh(&f, &b), ATOLL_ERR_IO);
    atoll_wbuf_free(&b);
    ga_close(&f);
}
END_TEST

static Suite *ga_suite(void)
{
    Suite *s = suite_create("ga");
    TCase *ops = tcase_create("operators");
    tcase_add_test(ops, test_ga_sbx_bounds);
    tcase_add_test(ops, test_ga_blend_bounds);
    tcase_add_test(ops, test_ga_polynomial_bounds);
    tcase_add_test(ops, test_ga_gaussian_bounds);
    tcase_add_test(ops, test_ga_tournament);
    tcase_set_timeout(ops, 60);
    suite_add_tcase(s, ops);
    TCase *run = tcase_create("strategy");
    tcase_add_test(run, test_ga_cells);
    tcase_add_test(run, test_ga_lhs);
    tcase_add_test(run, test_ga_generation_barrier);
    tcase_add_test(run, test_ga_bad_ticket);
    tcase_add_test(run, test_ga_elitism_keeps_best);
    tcase_add_test(run, test_ga_failures_never_emigrate);
    tcase_add_test(run, test_ga_immigrate);
    tcase_add_test(run, test_ga_migrants_move);
    tcase_add_test(run, test_ga_determinism);
    tcase_add_test(run, test_ga_steady);
    tcase_add_test(run, test_ga_steady_starts_before_the_initial_population_is_in);
    tcase_add_test(run, test_ga_config);
    tcase_add_test(run, test_ga_load_refuses_batch_counts_against_flags);
    tcase_add_test(run, test_ga_load_refuses_batch_beyond_population);
    tcase_set_timeout(run, 60);
    suite_add_tcase(s, run);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(ga_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
