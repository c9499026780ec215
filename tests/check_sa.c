/* check_sa.c - unit tests of the sa strategy and its pure pieces (suite "sa"). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "objective/bench.h"
#include "strategy/sa.h"
#include "strategy/sa_ops.h"
#include "strategy/strategy.h"
#include "support.h"

#define MAX_DIM 8

/* One configured and created sa instance. */
typedef struct {
    const atoll_strategy_type *type;
    atoll_config *cfg;
    atoll_space *space;
    void *params;
    void *state;
    atoll_migration migration;
} sa_fixture;


/* Configure sa from `ini` and create island `island` of n_islands over `space` (taken over by
 * the fixture) with `budget` evaluations. */
static void sa_open_island(sa_fixture *f, const char *ini, atoll_space *space, uint64_t seed,
                           long budget, int island, int n_islands)
{
    memset(f, 0, sizeof *f);
    f->type = atoll_strategy_lookup("sa");
    ck_assert_ptr_nonnull(f->type);
    ck_assert_ptr_eq(f->type, &atoll_strategy_sa);
    f->space = space;
    ck_assert_int_eq(atoll_config_load_string(ini, "test.ini", &f->cfg), ATOLL_OK);
    ck_assert_msg(f->type->configure(f->cfg, f->space, &f->params, &f->migration) == ATOLL_OK,
                  "configure: %s", atoll_error_message());
    atoll_strategy_env env = {.seed = seed, .island = island, .n_islands = n_islands,
                              .budget = budget, .budget_offset = 0, .total_budget = budget};
    ck_assert_msg(f->type->create(f->params, f->space, &env, &f->state) == ATOLL_OK,
                  "create: %s", atoll_error_message());
}

static void sa_open(sa_fixture *f, const char *ini, size_t dim, uint64_t seed, long budget)
{
    sa_open_island(f, ini, real_space(dim), seed, budget, 0, 1);
}

static void sa_close(sa_fixture *f)
{
    f->type->destroy(f->state);
    f->type->free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
}

/* Configure sa from `ini` over a 2-D space, expecting a usage error; returns its message. */
static const char *configure_error(const char *ini)
{
    return strategy_configure_error("sa", ini);
}

/* Ask, expecting a point; returns its ticket. */
static long ask_ok(sa_fixture *f, double *x, long *generation)
{
    long ticket = -1, gen = -1;
    bool ready = false;
    ck_assert_int_eq(f->type->ask(f->state, x, &ticket, &gen, &ready), ATOLL_OK);
    ck_assert_msg(ready, "ask was not ready");
    if (generation)
        *generation = gen;
    return ticket;
}

/* Ask and tell a fixed `score`; the asked point goes to x. */
static void step(sa_fixture *f, double *x, double score)
{
    long ticket = ask_ok(f, x, NULL);
    ck_assert_msg(f->type->tell(f->state, ticket, score) == ATOLL_OK, "tell: %s",
                  atoll_error_message());
}

/* Ask and tell the asked point's score under `score_fn`; the point goes to x. */
static void step_fn(sa_fixture *f, double *x, double (*score_fn)(const double *, size_t))
{
    long ticket = ask_ok(f, x, NULL);
    ck_assert_msg(f->type->tell(f->state, ticket, score_fn(x, f->space->n)) == ATOLL_OK,
                  "tell: %s", atoll_error_message());
}

/* The chain's current score and temperature (x into `x` when not NULL). */
static double current(sa_fixture *f, double *x, double *temperature)
{
    double buf[MAX_DIM], score, t;
    ck_assert_int_eq(atoll_sa_exchange_state(f->state, x ? x : buf, &score, &t), ATOLL_OK);
    if (temperature)
        *temperature = t;
    return score;
}

static double temperature(sa_fixture *f)
{
    double t;
    current(f, NULL, &t);
    return t;
}

static double shifted_sphere(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (x[i] - 0.3) * (x[i] - 0.3);
    return sum;
}

/* ---------------------------------------------------------------- pure pieces */

START_TEST(test_sa_schedules)
{
    const double t0 = 10.0, ratio = 1e-4, t_min = t0 * ratio;
    const long n = 1000;
    for (int c = ATOLL_SA_GEOMETRIC; c <= ATOLL_SA_LINEAR; c++) {
        double alpha = c == ATOLL_SA_GEOMETRIC ? 0.99 : 0.5; /* 0.99^1000 < 1e-4 */
        double previous = atoll_sa_schedule((atoll_sa_cooling)c, t0, ratio, alpha, 0, n);
        ck_assert(previous == t0);
        for (long k = 1; k <= n + 10; k++) {
            double t = atoll_sa_schedule((atoll_sa_cooling)c, t0, ratio, alpha, k, n);
            ck_assert_msg(t <= previous && t >= t_min, "cooling %d, k %ld: %g after %g", c, k,
                          t, previous);
            previous = t;
        }
        ck_assert_double_eq_tol(atoll_sa_schedule((atoll_sa_cooling)c, t0, ratio, alpha, n, n),
                                t_min, 1e-12);
    }
    /* The closed forms in the middle of the run. */
    ck_assert_double_eq_tol(atoll_sa_schedule(ATOLL_SA_GEOMETRIC, t0, ratio, 0.995, 100, n),
                            t0 * pow(0.995, 100), 1e-12);
    ck_assert_double_eq_tol(atoll_sa_schedule(ATOLL_SA_EXPONENTIAL, t0, ratio, 0, 500, n),
                            t0 * 1e-2, 1e-12);
    ck_assert_double_eq_tol(atoll_sa_schedule(ATOLL_SA_LINEAR, t0, ratio, 0, 500, n),
                            t0 * (1.0 - 0.5 * (1.0 - ratio)), 1e-12);
    /* Geometric with a slow alpha stays above t_min at the end of a short run. */
    ck_assert(atoll_sa_schedule(ATOLL_SA_GEOMETRIC, t0, ratio, 0.995, 100, 100) > 5.0);

    /* Adaptive: pace 1 is the exponential schedule; hot reaches t_min, cold ends near it. */
    static const double paces[] = {1.0, 2.0, 0.5};
    const long steps = 3000;
    for (size_t p = 0; p < 3; p++) {
        double t = t0;
        for (long k = 1; k <= steps; k++) {
            double next = atoll_sa_adaptive(t, t_min, steps - k + 1, paces[p]);
            ck_assert(next <= t && next >= t_min);
            if (paces[p] == 1.0)
                ck_assert_double_eq_tol(
                    next, atoll_sa_schedule(ATOLL_SA_EXPONENTIAL, t0, ratio, 0, k, steps),
                    1e-9 * t0);
            t = next;
        }
        if (paces[p] >= 1.0)
            ck_assert(t == t_min);
        else
            ck_assert_msg(t > t_min && t < 1.25 * t_min, "cold pace ends at %g", t);
    }
    ck_assert(atoll_sa_adaptive(5.0, 1.0, 0, 1.0) == 1.0);
    ck_assert(atoll_sa_adaptive(1.0, 1.0, 10, 2.0) == 1.0);
}
END_TEST

START_TEST(test_sa_initial_temperature)
{
    /* Positive consecutive differences: 3, 4, 4, 4 -> mean 3.75. */
    const double scores[] = {3, 1, 4, 1, 5, 9, 2, 6};
    double expect = -3.75 / log(0.8);
    ck_assert_double_eq_tol(atoll_sa_initial_temperature(scores, 8, 0.8), expect, 1e-12);
    ck_assert_double_eq_tol(atoll_sa_initial_temperature(scores, 8, 0.5), 3.75 / log(2.0),
                            1e-12);
    /* Pairs with a failure are skipped: 1 -> INF -> 4 -> 6 leaves only 4 -> 6. */
    const double failed[] = {1, INFINITY, 4, 6};
    ck_assert_double_eq_tol(atoll_sa_initial_temperature(failed, 4, 0.8), -2.0 / log(0.8),
                            1e-12);
    const double flat[] = {2, 2, 2, 1};
    ck_assert(atoll_sa_initial_temperature(flat, 4, 0.8) == 0.0);
    ck_assert(atoll_sa_initial_temperature(scores, 1, 0.8) == 0.0);
}
END_TEST

START_TEST(test_sa_step_rule)
{
    ck_assert_double_eq_tol(atoll_sa_adapt_step(0.1, 0.9, 0.44), 0.11, 1e-15);
    ck_assert_double_eq_tol(atoll_sa_adapt_step(0.1, 0.1, 0.44), 0.09, 1e-15);
    ck_assert(atoll_sa_adapt_step(0.1, 0.44, 0.44) == 0.1);
    ck_assert(atoll_sa_adapt_step(0.49, 1.0, 0.44) == ATOLL_SA_STEP_MAX);
    ck_assert(atoll_sa_adapt_step(1.05e-4, 0.0, 0.44) == ATOLL_SA_STEP_MIN);
}
END_TEST

START_TEST(test_sa_metropolis_rule)
{
    ck_assert(atoll_sa_metropolis(1.0, 0.5, 1.0, 0.999));      /* better */
    ck_assert(atoll_sa_metropolis(1.0, 1.0, 1e-300, 0.999));   /* equal */
    ck_assert(atoll_sa_metropolis(1.0, 2.0, 1.0, 0.3));        /* 0.3 < e^-1 */
    ck_assert(!atoll_sa_metropolis(1.0, 2.0, 1.0, 0.4));       /* 0.4 > e^-1 */
    ck_assert(atoll_sa_metropolis(INFINITY, 7.0, 1.0, 0.999)); /* out of a failed state */
    /* A failure is never accepted, at any temperature, whatever u. */
    ck_assert(!atoll_sa_metropolis(1.0, INFINITY, 1e300, 0.0));
    ck_assert(!atoll_sa_metropolis(1.0, NAN, 1e300, 0.0));
    ck_assert(!atoll_sa_metropolis(INFINITY, INFINITY, 1e300, 0.0));
}
END_TEST

START_TEST(test_sa_swap_rule)
{
    /* Cold chain (T 1) worse than the hot one (T 2): exponent (1 - 1/2)(5 - 1) = 2, always. */
    ck_assert(atoll_sa_swap_rule(5.0, 1.0, 1.0, 2.0, 0.999));
    ck_assert(atoll_sa_swap_rule(1.0, 2.0, 5.0, 1.0, 0.999));
    /* Cold chain better: exponent -2, swap iff u < e^-2 = 0.1353. */
    ck_assert(atoll_sa_swap_rule(1.0, 1.0, 5.0, 2.0, 0.13));
    ck_assert(atoll_sa_swap_rule(5.0, 2.0, 1.0, 1.0, 0.13));
    ck_assert(!atoll_sa_swap_rule(1.0, 1.0, 5.0, 2.0, 0.14));
    ck_assert(!atoll_sa_swap_rule(5.0, 2.0, 1.0, 1.0, 0.14));
    ck_assert(!atoll_sa_swap_rule(INFINITY, 1.0, 5.0, 2.0, 0.0));
    ck_assert(!atoll_sa_swap_rule(1.0, INFINITY, 5.0, 2.0, 0.0));
    ck_assert(!atoll_sa_swap_rule(1.0, 0.0, 5.0, 2.0, 0.0));
    /* Both partners always decide alike. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    int swaps = 0;
    for (int i = 0; i < 100000; i++) {
        double e_i = 10.0 * gsl_rng_uniform(rng) - 3.0, e_j = 10.0 * gsl_rng_uniform(rng);
        double t_i = exp(4.0 * gsl_rng_uniform(rng) - 2.0), t_j = exp(gsl_rng_uniform(rng));
        double u = gsl_rng_uniform(rng);
        bool a = atoll_sa_swap_rule(e_i, t_i, e_j, t_j, u);
        ck_assert(a == atoll_sa_swap_rule(e_j, t_j, e_i, t_i, u));
        swaps += a;
    }
    ck_assert(swaps > 1000 && swaps < 99000);
    gsl_rng_free(rng);
}
END_TEST

/* A score over the mixed space of test_sa_cells: the real near 0.2 and the low choices. */
static double mixed_score(const double *x, size_t n)
{
    (void)n;
    return fabs(x[0] - 0.2) + (x[2] > 0.5 ? 1.0 : 0.0);
}

/* A space with every kind of parameter. */
static atoll_space *mixed_space(void)
{
    static const char *const letters[] = {"a", "b", "c", "d", "e"};
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", -1.0, 1.0, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 1, 6, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "l", 5, letters), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "lr", 1e-5, 1.0, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "w", 1, 1024, ATOLL_SCALE_LOG), ATOLL_OK);
    return space;
}

START_TEST(test_sa_cells)
{
    static const char *const letters[] = {"a", "b", "c", "d", "e"};
    static const char *const inis[] = {"[sa]\nt0_samples = 10\n",
                                       "[sa]\nt0_samples = 10\nmove = one\n"};
    for (int m = 0; m < 2; m++) {
        sa_fixture f;
        sa_open_island(&f, inis[m], mixed_space(), 3, 3000, 0, 1);
        bool choice_moved = false, int_moved = false;
        double previous[5] = {0};
        for (int i = 0; i < 3000; i++) {
            double x[5], snapped[5], before[5];
            current(&f, before, NULL);
            step_fn(&f, x, mixed_score);
            memcpy(snapped, x, sizeof x);
            atoll_space_snap(f.space, snapped);
            int moved = 0;
            for (int d = 0; d < 5; d++) {
                ck_assert_msg(x[d] >= 0.0 && x[d] <= 1.0 && x[d] == snapped[d],
                              "%s ask %d, coordinate %d: %.17g (snapped %.17g)", inis[m], i, d,
                              x[d], snapped[d]);
                moved += x[d] != before[d];
            }
            if (m == 1 && i >= 10) /* after the T0 samples, one coordinate a move */
                ck_assert_int_le(moved, 1);
            if (i > 10) {
                choice_moved |= x[2] != previous[2];
                int_moved |= x[1] != previous[1];
            }
            memcpy(previous, x, sizeof x);
        }
        ck_assert(choice_moved && int_moved);
        sa_close(&f);
    }

    /* The move itself: flip 0 never touches a choice, flip 1 (or move one) re-draws it. */
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "l", 5, letters), ATOLL_OK);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double from = 0.5, to = 0.0;
    int changed = 0;
    for (int i = 0; i < 1000; i++) {
        atoll_sa_move(space, ATOLL_SA_MOVE_ALL, &from, &to, 0.5, 0.0, rng);
        ck_assert(to == from);
        atoll_sa_move(space, ATOLL_SA_MOVE_ALL, &from, &to, 0.5, 1.0, rng);
        changed += to != from;
        atoll_sa_move(space, ATOLL_SA_MOVE_ONE, &from, &to, 0.5, 0.0, rng);
        changed += to != from;
    }
    ck_assert_msg(changed > 1400 && changed < 1800, "%d of 2000 re-draws changed", changed);
    gsl_rng_free(rng);
    atoll_space_destroy(&space);
}
END_TEST

/* ---------------------------------------------------------------- the strategy */

START_TEST(test_sa_sequential)
{
    sa_fixture f;
    sa_open(&f, "[sa]\nt0 = 1\nepoch_steps = 4\n", 2, 1, 100);
    double x[2];
    long gen, ticket = ask_ok(&f, x, &gen);
    ck_assert_int_eq(ticket, 0);
    ck_assert_int_eq(gen, 0);
    long other, g2;
    bool ready = true;
    ck_assert_int_eq(f.type->ask(f.state, x, &other, &g2, &ready), ATOLL_OK);
    ck_assert(!ready); /* one proposal at a time */
    ck_assert_int_eq(f.type->tell(f.state, 5, 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "unknown ticket 5"));
    ck_assert_int_eq(f.type->tell(f.state, ticket, 1.0), ATOLL_OK);
    ck_assert_int_eq(f.type->tell(f.state, ticket, 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "ticket 0 was already told"));
    for (int i = 1; i < 10; i++) {
        ticket = ask_ok(&f, x, &gen);
        ck_assert_int_eq(ticket, i);
        ck_assert_int_eq(gen, i / 4);
        ck_assert_int_eq(f.type->tell(f.state, ticket, shifted_sphere(x, 2)), ATOLL_OK);
        ck_assert_int_eq(f.type->epoch(f.state), (i + 1) / 4);
    }
    ck_assert(!atoll_sa_replica_exchange(f.state));
    sa_close(&f);
}
END_TEST

START_TEST(test_sa_cooling_path)
{
    static const char *const coolings[] = {"geometric", "exponential", "linear", "adaptive"};
    const long budget = 2000;
    for (int c = 0; c < 4; c++) {
        char ini[128];
        snprintf(ini, sizeof ini, "[sa]\ncooling = %s\nt0 = 5\n", coolings[c]);
        sa_fixture f;
        sa_open(&f, ini, 3, 11, budget);
        double x[3], previous = temperature(&f);
        ck_assert(previous == INFINITY); /* before the start point is in */
        step_fn(&f, x, shifted_sphere);
        previous = temperature(&f);
        ck_assert(previous == 5.0);
        for (long k = 1; k < budget; k++) {
            step_fn(&f, x, shifted_sphere);
            double t = temperature(&f);
            ck_assert_msg(t <= previous, "%s: step %ld warms %g -> %g", coolings[c], k,
                          previous, t);
            previous = t;
        }
        double t_min = 5.0 * 1e-4;
        ck_assert_msg(previous >= t_min * (1 - 1e-12) && previous <= 1.25 * t_min,
                      "%s ends at %g", coolings[c], previous);
        sa_close(&f);
    }
}
END_TEST

START_TEST(test_sa_auto_t0)
{
    const double scores[] = {3, 1, 4, 1, 5, 9, 2, 6};
    sa_fixture f;
    sa_open(&f, "[sa]\nt0_samples = 8\nt0_accept = 0.8\n", 2, 5, 1000);
    double x[2], best_x[2] = {0};
    long gen;
    for (int i = 0; i < 8; i++) {
        ck_assert(temperature(&f) == INFINITY);
        long ticket = ask_ok(&f, x, &gen);
        ck_assert_int_eq(ticket, i); /* the samples are ordinary trials */
        if (i == 1)
            memcpy(best_x, x, sizeof x);
        ck_assert_int_eq(f.type->tell(f.state, ticket, scores[i]), ATOLL_OK);
    }
    double now[2], t;
    double score = current(&f, now, &t);
    ck_assert_double_eq_tol(t, -3.75 / log(0.8), 1e-12);
    ck_assert(score == 1.0); /* the best sample (the first of the two 1s) */
    ck_assert(memcmp(now, best_x, sizeof now) == 0);
    sa_close(&f);

    /* Flat samples carry no scale: T0 falls back to 1. */
    sa_open(&f, "[sa]\nt0_samples = 3\n", 2, 5, 1000);
    for (int i = 0; i < 3; i++)
        step(&f, x, 2.0);
    ck_assert(temperature(&f) == 1.0);
    sa_close(&f);

    /* A budget smaller than t0_samples is all samples. */
    sa_open(&f, "[sa]\n", 2, 5, 4);
    for (int i = 0; i < 4; i++)
        step(&f, x, (double)(i % 2));
    ck_assert_double_eq_tol(temperature(&f), -1.0 / log(0.8), 1e-12);
    sa_close(&f);
}
END_TEST

/* Mean distance between each proposal and the chain's state before it, over `n` steps that
 * score with `score_fn`. */
static double mean_move(sa_fixture *f, int n, double (*score_fn)(const double *, size_t))
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double before[2], x[2];
        current(f, before, NULL);
        step_fn(f, x, score_fn);
        sum += fabs(x[0] - before[0]) + fabs(x[1] - before[1]);
    }
    return sum / n;
}

/* A score that grows with every call, so that every proposal is worse than the chain. */
static double uphill(const double *x, size_t n)
{
    (void)x, (void)n;
    static double calls = 0.0;
    calls += 1.0;
    return 1e6 * calls;
}

/* A score that never changes, so that every proposal is accepted. */
static double flat(const double *x, size_t n)
{
    (void)x, (void)n;
    return 0.0;
}

START_TEST(test_sa_step_adaptation)
{
    /* Everything accepted at a huge temperature: the step grows toward the 0.5 cap. */
    sa_fixture f;
    sa_open(&f, "[sa]\nt0 = 1e12\nt_final_ratio = 1\n", 2, 9, 5000);
    double x[2];
    step(&f, x, 0.0);
    double early = mean_move(&f, 50, shifted_sphere);
    for (int i = 0; i < 1000; i++)
        step_fn(&f, x, shifted_sphere);
    double late = mean_move(&f, 200, shifted_sphere);
    ck_assert_msg(late > 2.0 * early, "accept-all: early %g, late %g", early, late);
    sa_close(&f);

    /* Nothing accepted (every proposal worse, tiny temperature): the step shrinks. */
    sa_open(&f, "[sa]\nt0 = 1e-300\nt_final_ratio = 1\n", 2, 9, 5000);
    step(&f, x, 0.0);
    early = mean_move(&f, 50, uphill);
    for (int i = 0; i < 2000; i++)
        step_fn(&f, x, uphill);
    late = mean_move(&f, 200, uphill);
    ck_assert_msg(late < 0.1 * early, "reject-all: early %g, late %g", early, late);
    sa_close(&f);
}
END_TEST

START_TEST(test_sa_adaptive_pace)
{
    /* Halfway through 1000 chain steps the exponential schedule is at t0 * ratio^(1/2). */
    const double midway = 1e-2;
    sa_fixture f;
    double x[2];
    sa_open(&f, "[sa]\ncooling = adaptive\nt0 = 1\n", 2, 12, 1001);
    for (int i = 0; i <= 500; i++)
        step_fn(&f, x, flat); /* acceptance 1: hot, cool faster */
    double hot = temperature(&f);
    sa_close(&f);
    sa_open(&f, "[sa]\ncooling = adaptive\nt0 = 1\n", 2, 12, 1001);
    for (int i = 0; i <= 500; i++)
        step_fn(&f, x, uphill); /* acceptance 0: cold, cool slower */
    double cold = temperature(&f);
    sa_close(&f);
    ck_assert_msg(hot < 0.5 * midway && cold > 2.0 * midway, "hot %g, cold %g", hot, cold);
}
END_TEST

START_TEST(test_sa_failures)
{
    sa_fixture f;
    double x[2], start[2], now[2], ex[2], es[1];
    sa_open(&f, "[sa]\nt0 = 1e300\n", 2, 2, 1000);
    step(&f, start, 4.0);
    for (int i = 0; i < 200; i++) {
        step(&f, x, i % 2 ? INFINITY : NAN);
        ck_assert(current(&f, now, NULL) == 4.0);
        ck_assert(memcmp(now, start, sizeof now) == 0);
    }
    ck_assert_uint_eq(f.type->emigrants(f.state, 3, ex, es), 1);
    ck_assert(es[0] == 4.0);
    sa_close(&f);

    /* A chain whose every trial failed has nothing to emigrate. */
    sa_open(&f, "[sa]\nt0_samples = 4\n", 2, 2, 1000);
    for (int i = 0; i < 30; i++)
        step(&f, x, INFINITY);
    ck_assert_uint_eq(f.type->emigrants(f.state, 3, ex, es), 0);
    ck_assert(current(&f, NULL, NULL) == INFINITY);
    step(&f, x, 2.5); /* the first finite score is always taken */
    ck_assert(current(&f, now, NULL) == 2.5);
    ck_assert(memcmp(now, x, sizeof now) == 0);
    sa_close(&f);
}
END_TEST

START_TEST(test_sa_restart)
{
    sa_fixture f;
    double x[2], start[2], now[2];
    sa_open(&f, "[sa]\nt0 = 1e12\nt_final_ratio = 1\nrestart_after = 5\n", 2, 4, 1000);
    step(&f, start, 0.0);
    for (int i = 1; i <= 4; i++) {
        step(&f, x, (double)i); /* accepted (huge T), no new best */
        ck_assert(current(&f, now, NULL) == (double)i);
        ck_assert(memcmp(now, x, sizeof now) == 0);
    }
    ck_assert_int_eq(atoll_sa_restarts(f.state), 0);
    step(&f, x, 5.0); /* the fifth step without a new best: back to the best */
    ck_assert_int_eq(atoll_sa_restarts(f.state), 1);
    ck_assert(current(&f, now, NULL) == 0.0);
    ck_assert(memcmp(now, start, sizeof now) == 0);
    step(&f, x, -1.0); /* a new best resets the count */
    for (int i = 0; i < 4; i++)
        step(&f, x, 10.0 + i);
    ck_assert_int_eq(atoll_sa_restarts(f.state), 1);
    step(&f, x, 20.0);
    ck_assert_int_eq(atoll_sa_restarts(f.state), 2);
    ck_assert(current(&f, NULL, NULL) == -1.0);
    sa_close(&f);

    /* restart_after = 0: never. */
    sa_open(&f, "[sa]\nt0 = 1e12\nt_final_ratio = 1\n", 2, 4, 1000);
    step(&f, x, 0.0);
    for (int i = 1; i <= 100; i++)
        step(&f, x, (double)i);
    ck_assert_int_eq(atoll_sa_restarts(f.state), 0);
    ck_assert(current(&f, NULL, NULL) == 100.0);
    sa_close(&f);
}
END_TEST

START_TEST(test_sa_migration)
{
    sa_fixture f;
    double x[2], start[2], ex[2 * 2], es[2];
    sa_open(&f, "[sa]\nt0 = 1e-9\n", 2, 6, 1000);
    ck_assert_uint_eq(f.type->emigrants(f.state, 2, ex, es), 0); /* nothing yet */
    step(&f, start, 3.0);
    ck_assert_uint_eq(f.type->emigrants(f.state, 2, ex, es), 1);
    ck_assert(es[0] == 3.0 && memcmp(ex, start, sizeof start) == 0);
    ck_assert_uint_eq(f.type->emigrants(f.state, 0, ex, es), 0);

    size_t accepted = 9;
    const double worse[2 * 2] = {0.1, 0.1, 0.2, 0.2}, worse_score[2] = {5.0, INFINITY};
    ck_assert_int_eq(f.type->immigrate(f.state, 2, worse, worse_score, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 0);
    const double better[2 * 2] = {0.7, 0.7, 0.9, 0.9}, better_score[2] = {2.0, 1.0};
    ck_assert_int_eq(f.type->immigrate(f.state, 2, better, better_score, &accepted), ATOLL_OK);
    ck_assert_uint_eq(accepted, 1);
    double now[2];
    ck_assert(current(&f, now, NULL) == 1.0);
    ck_assert(now[0] == 0.9 && now[1] == 0.9);
    ck_assert_uint_eq(f.type->emigrants(f.state, 2, ex, es), 1);
    ck_assert(es[0] == 1.0 && ex[0] == 0.9);
    /* The chain moves on from the immigrant. */
    step(&f, x, 0.5);
    ck_assert(current(&f, now, NULL) == 0.5 && memcmp(now, x, sizeof x) == 0);
    ck_assert_int_eq(f.migration.topology, ATOLL_TOPOLOGY_RING);
    ck_assert_int_eq(f.migration.migrants, 2);
    ck_assert_int_eq(f.migration.interval, 10);
    sa_close(&f);
}
END_TEST

START_TEST(test_sa_exchange)
{
    const char *ini = "[sa]\nt0 = 1\nreplica_exchange = true\nladder = 2\n";
    sa_fixture cold, hot;
    sa_open_island(&cold, ini, real_space(2), 8, 1000, 0, 2);
    sa_open_island(&hot, ini, real_space(2), 8, 1000, 1, 2);
    ck_assert(atoll_sa_replica_exchange(cold.state) && atoll_sa_replica_exchange(hot.state));
    ck_assert(atoll_strategy_sa.exchanges == atoll_sa_replica_exchange);
    ck_assert(atoll_strategy_sa.exchange_state == atoll_sa_exchange_state);
    ck_assert(atoll_strategy_sa.exchange_accept == atoll_sa_exchange_accept);

    /* Not started: temperature +INF, and no swap on either side. */
    double xc[2], xh[2], ec, eh, tc, th;
    bool swap_c = true, swap_h = true;
    ck_assert_int_eq(atoll_sa_exchange_state(cold.state, xc, &ec, &tc), ATOLL_OK);
    ck_assert(tc == INFINITY && ec == INFINITY);
    ck_assert_int_eq(atoll_sa_exchange_accept(cold.state, xc, 1.0, 2.0, 0.0, &swap_c), ATOLL_OK);
    ck_assert(!swap_c);

    double start_c[2], start_h[2];
    step(&cold, start_c, 5.0);
    step(&hot, start_h, 1.0);
    atoll_sa_exchange_state(cold.state, xc, &ec, &tc);
    atoll_sa_exchange_state(hot.state, xh, &eh, &th);
    ck_assert(tc == 1.0 && th == 2.0); /* the ladder: island i at 2^i */
    ck_assert(ec == 5.0 && eh == 1.0);

    /* Exponent (1/1 - 1/2)(5 - 1) = 2 > 0: both swap whatever u. */
    ck_assert_int_eq(atoll_sa_exchange_accept(cold.state, xh, eh, th, 0.999, &swap_c), ATOLL_OK);
    ck_assert_int_eq(atoll_sa_exchange_accept(hot.state, xc, ec, tc, 0.999, &swap_h), ATOLL_OK);
    ck_assert(swap_c && swap_h);
    double now[2], t;
    ck_assert(current(&cold, now, &t) == 1.0 && t == 1.0);
    ck_assert(memcmp(now, start_h, sizeof now) == 0);
    ck_assert(current(&hot, now, &t) == 5.0 && t == 2.0);
    ck_assert(memcmp(now, start_c, sizeof now) == 0);
    ck_assert_int_eq(atoll_sa_swaps(cold.state), 1);
    ck_assert_int_eq(atoll_sa_swaps(hot.state), 1);

    /* Now the cold chain is better: exponent -2, swap iff u < e^-2, and both agree. */
    static const double us[] = {0.2, 0.1};
    for (int k = 0; k < 2; k++) {
        atoll_sa_exchange_state(cold.state, xc, &ec, &tc);
        atoll_sa_exchange_state(hot.state, xh, &eh, &th);
        atoll_sa_exchange_accept(cold.state, xh, eh, th, us[k], &swap_c);
        atoll_sa_exchange_accept(hot.state, xc, ec, tc, us[k], &swap_h);
        ck_assert(swap_c == swap_h);
        ck_assert(swap_c == (us[k] < exp(-2.0)));
    }
    ck_assert(current(&cold, now, NULL) == 5.0 && memcmp(now, start_c, sizeof now) == 0);
    ck_assert(current(&hot, now, NULL) == 1.0 && memcmp(now, start_h, sizeof now) == 0);
    ck_assert_int_eq(atoll_sa_swaps(cold.state), 2);
    /* The swap kept each island's best. */
    double ex[2], es[1];
    ck_assert_uint_eq(cold.type->emigrants(cold.state, 1, ex, es), 1);
    ck_assert(es[0] == 1.0);
    /* A failed state never swaps. */
    atoll_sa_exchange_accept(cold.state, xh, INFINITY, th, 0.0, &swap_c);
    ck_assert(!swap_c);
    sa_close(&cold);
    sa_close(&hot);

    /* Without replica exchange the islands share one temperature. */
    sa_open_island(&hot, "[sa]\nt0 = 3\n", real_space(2), 8, 1000, 3, 4);
    step(&hot, xh, 1.0);
    ck_assert(temperature(&hot) == 3.0);
    ck_assert(!atoll_sa_replica_exchange(hot.state));
    sa_close(&hot);
}
END_TEST

/* The points a fresh chain asks over `n` steps of the shifted sphere. */
static void run_chain(uint64_t seed, const char *ini, int n, double *out)
{
    sa_fixture f;
    sa_open(&f, ini, 3, seed, n);
    for (int i = 0; i < n; i++)
        step_fn(&f, out + 3 * i, shifted_sphere);
    sa_close(&f);
}

START_TEST(test_sa_determinism)
{
    enum { N = 400 };
    static double a[3 * N], b[3 * N], c[3 * N];
    static const char *const inis[] = {"[sa]\n", "[sa]\ncooling = adaptive\nrestart_after = 20\n"};
    for (int k = 0; k < 2; k++) {
        run_chain(42, inis[k], N, a);
        run_chain(42, inis[k], N, b);
        run_chain(43, inis[k], N, c);
        ck_assert(memcmp(a, b, sizeof a) == 0);
        ck_assert(memcmp(a, c, sizeof a) != 0);
    }
}
END_TEST

/* Best score of a serial run of sa (or random) with the defaults plus `extra` on a 5-D bench
 * function, as the generic strategy test runs it. */
static double serial_best(const char *strategy, const char *extra, const char *function)
{
    char ini[256];
    snprintf(ini, sizeof ini, "%s", extra);
    atoll_config *cfg = NULL;
    atoll_space *space = NULL;
    void *params = NULL, *state = NULL;
    atoll_migration migration;
    int fn = atoll_bench_lookup(function);
    double low, high;
    atoll_bench_domain(fn, &low, &high);
    ck_assert_int_eq(atoll_config_load_string(ini, "b.ini", &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i + 1);
        ck_assert_int_eq(atoll_space_add_real(space, name, low, high, ATOLL_SCALE_LINEAR),
                         ATOLL_OK);
    }
    const atoll_strategy_type *type = atoll_strategy_lookup(strategy);
    ck_assert_int_eq(type->configure(cfg, space, &params, &migration), ATOLL_OK);
    atoll_strategy_env env = {.seed = 20240601u, .n_islands = 1, .budget = 3000,
                              .total_budget = 3000};
    ck_assert_int_eq(type->create(params, space, &env, &state), ATOLL_OK);
    double best = INFINITY, unit[5], x[5];
    atoll_value values[5];
    for (int e = 0; e < 3000; e++) {
        long ticket, generation;
        bool ready = false;
        ck_assert_int_eq(type->ask(state, unit, &ticket, &generation, &ready), ATOLL_OK);
        ck_assert(ready);
        atoll_space_decode(space, unit, values);
        for (int i = 0; i < 5; i++)
            x[i] = values[i].num;
        double score = atoll_bench_eval(fn, x, 5);
        best = score < best ? score : best;
        ck_assert_int_eq(type->tell(state, ticket, score), ATOLL_OK);
    }
    type->destroy(state);
    type->free_params(params);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
    return best;
}

START_TEST(test_sa_beats_random)
{
    static const char *const functions[] = {"sphere", "rastrigin"};
    static const char *const coolings[] = {"[sa]\n", "[sa]\ncooling = exponential\n",
                                           "[sa]\ncooling = adaptive\n", "[sa]\nmove = one\n"};
    for (int f = 0; f < 2; f++) {
        double random = serial_best("random", "[random]\n", functions[f]);
        for (int c = 0; c < 4; c++) {
            double sa = serial_best("sa", coolings[c], functions[f]);
            ck_assert_msg(sa < random, "%s with %s: %g vs random %g", functions[f], coolings[c],
                          sa, random);
        }
    }
}
END_TEST

START_TEST(test_sa_config)
{
    sa_fixture f;
    sa_open(&f, "[run]\nseed = 1\n", 2, 1, 100); /* every key defaulted */
    ck_assert_int_eq(f.migration.interval, 10);
    sa_close(&f);
    sa_open(&f,
            "[sa]\ncooling = linear\nt0 = 2.5\nt0_samples = 2\nt0_accept = 0.5\n"
            "t_final_ratio = 1\nalpha = 1\nmove = one\nstep = 0.5\nadapt_window = 0\n"
            "accept_target = 0.2\n"
            "choice_flip = 0\nrestart_after = 3\nepoch_steps = 1\nreplica_exchange = false\n"
            "ladder = 1\ntopology = full\nmigrants = 1\nmigration_interval = 0\n",
            2, 1, 100);
    ck_assert_int_eq(f.migration.topology, ATOLL_TOPOLOGY_FULL);
    ck_assert_int_eq(f.migration.interval, 0);
    double x[2];
    step(&f, x, 1.0);
    ck_assert(temperature(&f) == 2.5);
    ck_assert_int_eq(f.type->epoch(f.state), 1);
    ck_assert_int_eq(atoll_config_check_unused(f.cfg), ATOLL_OK);
    sa_close(&f);

    const char *msg = configure_error("[sa]\ncooling = quench\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] cooling: must be one of: geometric, exponential, "
                          "linear, adaptive (got 'quench')");
    msg = configure_error("[sa]\nt0 = -1\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] t0: must be auto or a number > 0 (got '-1')");
    msg = configure_error("[sa]\nt0 = hot\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] t0: must be auto or a number > 0 (got 'hot')");
    msg = configure_error("[sa]\nt0_samples = 1\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] t0_samples: must be >= 2 (got 1)");
    msg = configure_error("[sa]\nt0_accept = 1\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] t0_accept: must be < 1 (got 1)");
    msg = configure_error("[sa]\nt_final_ratio = 0\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] t_final_ratio: must be > 0 (got 0)");
    msg = configure_error("[sa]\nalpha = 1.5\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] alpha: must be <= 1 (got 1.5)");
    msg = configure_error("[sa]\nmove = some\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] move: must be one of: all, one (got 'some')");
    msg = configure_error("[sa]\nstep = 0.9\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] step: must be <= 0.5 (got 0.9)");
    msg = configure_error("[sa]\ncooling = adaptive\nadapt_window = 0\n");
    ck_assert_str_eq(msg,
                     "bad.ini:3: [sa] adapt_window: must be >= 1 with cooling = adaptive (got 0)");
    msg = configure_error("[sa]\naccept_target = 0\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] accept_target: must be > 0 (got 0)");
    msg = configure_error("[sa]\nepoch_steps = 0\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] epoch_steps: must be >= 1 (got 0)");
    msg = configure_error("[sa]\nladder = 0.5\n");
    ck_assert_str_eq(msg, "bad.ini:2: [sa] ladder: must be >= 1 (got 0.5)");
    msg = configure_error("[sa]\nreplica_exchange = maybe\n");
    ck_assert_ptr_nonnull(strstr(msg, "[sa] replica_exchange: not a boolean"));
    msg = configure_error("[sa]\nmigrants = -1\n");
    ck_assert_ptr_nonnull(strstr(msg, "[sa] migrants"));

    /* An empty space cannot anneal. */
    atoll_space *space = real_space(0);
    void *params = NULL, *state = NULL;
    atoll_config *cfg = NULL;
    atoll_migration migration;
    ck_assert_int_eq(atoll_config_load_string("[sa]\n", "e.ini", &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_strategy_sa.configure(cfg, space, &params, &migration), ATOLL_OK);
    atoll_strategy_env env = {.seed = 1, .n_islands = 1, .budget = 10};
    ck_assert_int_eq(atoll_strategy_sa.create(params, space, &env, &state), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "sa: the search space has no parameters");
    atoll_strategy_sa.free_params(params);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_sa_in_flight_proposals)
{
    atoll_config *cfg = NULL;
    atoll_space *space = real_space(3);
    void *params = NULL, *state = NULL;
    atoll_migration migration;
    const atoll_strategy_type *type = atoll_strategy_lookup("sa");
    ck_assert_int_eq(atoll_config_load_string("[sa]\nt0 = 1.0\nin_flight = 3\n", "f.ini", &cfg),
                     ATOLL_OK);
    ck_assert_int_eq(type->configure(cfg, space, &params, &migration), ATOLL_OK);
    atoll_strategy_env env = {.seed = 3, .island = 0, .n_islands = 1, .budget = 100,
                              .budget_offset = 0, .total_budget = 100};
    ck_assert_int_eq(type->create(params, space, &env, &state), ATOLL_OK);
    double x[3];
    long t[4], gen;
    bool ready = false;
    /* one start point (t0 given); while it is out, the free slots sample further start
     * points instead of idling; the first one back starts the chain, a later better one is
     * adopted, a later worse one is not */
    long s[3];
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(type->ask(state, x, &s[k], &gen, &ready), ATOLL_OK);
        ck_assert(ready);
    }
    ck_assert_int_eq(type->ask(state, x, &t[0], &gen, &ready), ATOLL_OK);
    ck_assert(!ready);
    ck_assert_int_eq(type->tell(state, s[1], 5.0), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, s[0], 6.0), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, s[2], 4.0), ATOLL_OK);
    double start_x[3], start;
    ck_assert_uint_eq(type->emigrants(state, 1, start_x, &start), 1);
    ck_assert_double_eq(start, 4.0);
    /* three proposals in flight, not four */
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(type->ask(state, x, &t[k], &gen, &ready), ATOLL_OK);
        ck_assert(ready);
        for (int i = 0; i < 3; i++)
            ck_assert(x[i] >= 0.0 && x[i] <= 1.0);
    }
    ck_assert_int_eq(type->ask(state, x, &t[3], &gen, &ready), ATOLL_OK);
    ck_assert(!ready);
    /* results land in any order; each frees its slot at once */
    ck_assert_int_eq(type->tell(state, t[1], 1.0), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, t[1], 1.0), ATOLL_ERR_RUNTIME);
    ck_assert_int_eq(type->ask(state, x, &t[3], &gen, &ready), ATOLL_OK);
    ck_assert(ready);
    ck_assert_int_eq(type->tell(state, t[2], INFINITY), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, t[0], 7.0), ATOLL_OK);
    ck_assert_int_eq(type->tell(state, t[3], 9.0), ATOLL_OK);
    /* the better result (1.0) was taken: it is the best state, and failures never are */
    double best_x[3], best;
    ck_assert_uint_eq(type->emigrants(state, 1, best_x, &best), 1);
    ck_assert_double_eq(best, 1.0);
    type->destroy(state);
    type->free_params(params);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
}
END_TEST

/* The bytes of sa's checkpoint before start_done (the layout of sa_save): dimension, slots and
 * start points; the generator (its name and state, length-prefixed); the chain state and the
 * best one, each with its score; the proposals with a ticket and a start flag each; then
 * start_asked, next_ticket and told. */
static size_t sa_start_done_at(size_t dim, size_t slots)
{
    gsl_rng *probe = gsl_rng_alloc(gsl_rng_mt19937);
    size_t rng = 16 + strlen(gsl_rng_name(probe)) + gsl_rng_size(probe);
    gsl_rng_free(probe);
    return 24 + rng + 2 * (dim + 1) * sizeof(double) + slots * dim * sizeof(double) +
           slots * 16 + 3 * 8;
}

START_TEST(test_sa_load_refuses_start_points_told_but_no_chain)
{
    /* Two start points, one told, the other out: the chain starts when it comes back. A
     * checkpoint that counts both told but has not started the chain once wrote the second
     * result past the start scores. */
    sa_fixture f;
    sa_open(&f, "[sa]\nt0_samples = 2\n", 2, 3, 100);
    double x[2];
    step(&f, x, 1.0);
    ask_ok(&f, x, NULL);
    atoll_wbuf b = {0};
    ck_assert_int_eq(f.type->save(f.state, &b), ATOLL_OK);
    atoll_strategy_env env = {.seed = 3, .island = 0, .n_islands = 1, .budget = 100,
                              .budget_offset = 0, .total_budget = 100};
    void *fresh = NULL;
    ck_assert_int_eq(f.type->create(f.params, f.space, &env, &fresh), ATOLL_OK);
    atoll_rbuf r;
    atoll_rbuf_init(&r, b.data, b.len);
    ck_assert_int_eq(f.type->load(fresh, &r), ATOLL_OK);
    f.type->destroy(fresh);

    size_t at = sa_start_done_at(2, 1);
    int64_t start_done;
    memcpy(&start_done, b.data + at, sizeof start_done);
    ck_assert_int_eq(start_done, 1);
    start_done = 2;
    memcpy(b.data + at, &start_done, sizeof start_done);
    ck_assert_int_eq(f.type->create(f.params, f.space, &env, &fresh), ATOLL_OK);
    atoll_rbuf_init(&r, b.data, b.len);
    ck_assert_int_eq(f.type->load(fresh, &r), ATOLL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "sa checkpoint"));
    f.type->destroy(fresh);
    atoll_wbuf_free(&b);
    sa_close(&f);
}
END_TEST

static Suite *sa_suite(void)
{
    Suite *s = suite_create("sa");
    TCase *ops = tcase_create("pieces");
    tcase_add_test(ops, test_sa_schedules);
    tcase_add_test(ops, test_sa_in_flight_proposals);
    tcase_add_test(ops, test_sa_initial_temperature);
    tcase_add_test(ops, test_sa_step_rule);
    tcase_add_test(ops, test_sa_metropolis_rule);
    tcase_add_test(ops, test_sa_swap_rule);
    tcase_add_test(ops, test_sa_cells);
    tcase_set_timeout(ops, 60);
    suite_add_tcase(s, ops);
    TCase *run = tcase_create("strategy");
    tcase_add_test(run, test_sa_sequential);
    tcase_add_test(run, test_sa_cooling_path);
    tcase_add_test(run, test_sa_auto_t0);
    tcase_add_test(run, test_sa_step_adaptation);
    tcase_add_test(run, test_sa_adaptive_pace);
    tcase_add_test(run, test_sa_failures);
    tcase_add_test(run, test_sa_restart);
    tcase_add_test(run, test_sa_migration);
    tcase_add_test(run, test_sa_exchange);
    tcase_add_test(run, test_sa_determinism);
    tcase_add_test(run, test_sa_beats_random);
    tcase_add_test(run, test_sa_config);
    tcase_add_test(run, test_sa_load_refuses_start_points_told_but_no_chain);
    tcase_set_timeout(run, 60);
    suite_add_tcase(s, run);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(sa_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
