/* check_sleep.c - unit tests of the sleep objective and its durations (suite "sleep"). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/space.h"
#include "objective/bench.h"
#include "objective/objective.h"
#include "objective/sleep.h"

#define DRAWS 200000

/* A configured and created sleep objective. */
typedef struct {
    atoll_config *cfg;
    atoll_space *space;
    void *params;
    void *state;
} sleep_fixture;

/* Configure the sleep objective from `ini` over `space` (taken over; NULL for an empty one)
 * and create it for `rank`. */
static void sleep_open(sleep_fixture *f, const char *ini, atoll_space *space, int rank)
{
    memset(f, 0, sizeof *f);
    if (!space)
        ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    f->space = space;
    ck_assert_int_eq(atoll_config_load_string(ini, "test.ini", &f->cfg), ATOLL_OK);
    ck_assert_msg(atoll_objective_sleep.configure(f->cfg, f->space, &f->params) == ATOLL_OK,
                  "configure: %s", atoll_error_message());
    atoll_objective_env env = {.seed = 1, .rank = rank, .out_dir = "/tmp"};
    ck_assert_msg(atoll_objective_sleep.create(f->params, f->space, &env, &f->state) == ATOLL_OK,
                  "create: %s", atoll_error_message());
}

static void sleep_close(sleep_fixture *f)
{
    atoll_objective_sleep.destroy(f->state);
    atoll_objective_sleep.free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
}

/* Configure from `ini` over an empty space, expecting a usage error; returns its message. */
static const char *configure_error(const char *ini)
{
    atoll_config *cfg = NULL;
    atoll_space *space = NULL;
    void *params = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_config_load_string(ini, "bad.ini", &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_objective_sleep.configure(cfg, space, &params), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(params);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
    return atoll_error_message();
}

/* Sample mean and coefficient of variation of n durations. */
static void moments(const double *d, size_t n, double *mean, double *cv)
{
    double sum = 0.0, sq = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += d[i];
    *mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        sq += (d[i] - *mean) * (d[i] - *mean);
    *cv = sqrt(sq / (double)(n - 1)) / *mean;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

START_TEST(test_sleep_distributions)
{
    static double d[DRAWS];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2024);
    static const struct {
        atoll_sleep_law law;
        double mean, cv, tol_mean, tol_cv;
    } cases[] = {
        {ATOLL_SLEEP_UNIFORM, 0.05, 0.3, 0.01, 0.02},
        {ATOLL_SLEEP_UNIFORM, 2.0, 0.5, 0.01, 0.02},
        {ATOLL_SLEEP_LOGNORMAL, 0.05, 1.0, 0.02, 0.05},
        {ATOLL_SLEEP_LOGNORMAL, 0.05, 0.25, 0.01, 0.02},
        {ATOLL_SLEEP_LOGNORMAL, 3.0, 2.0, 0.05, 0.15},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t i = 0; i < DRAWS; i++) {
            d[i] = atoll_sleep_draw(cases[c].law, cases[c].mean, cases[c].cv, rng);
            ck_assert(d[i] >= 0.0 && isfinite(d[i]));
        }
        double mean, cv;
        moments(d, DRAWS, &mean, &cv);
        ck_assert_msg(fabs(mean / cases[c].mean - 1.0) < cases[c].tol_mean &&
                          fabs(cv / cases[c].cv - 1.0) < cases[c].tol_cv,
                      "case %zu: mean %g (want %g), cv %g (want %g)", c, mean, cases[c].mean, cv,
                      cases[c].cv);
    }
    /* Uniform keeps to its interval; a wide one is cut at 0. */
    double low = 1.0 - sqrt(3.0) * 0.5, high = 1.0 + sqrt(3.0) * 0.5, zeros = 0;
    for (size_t i = 0; i < 10000; i++) {
        double u = atoll_sleep_draw(ATOLL_SLEEP_UNIFORM, 1.0, 0.5, rng);
        ck_assert(u >= low - 1e-12 && u <= high + 1e-12);
        double w = atoll_sleep_draw(ATOLL_SLEEP_UNIFORM, 1.0, 1.0, rng);
        ck_assert(w >= 0.0);
        zeros += w == 0.0;
    }
    ck_assert(zeros > 1500 && zeros < 2700); /* (sqrt3 - 1) / (2 sqrt3) = 21% */
    /* Fixed is exact; a zero mean or a zero cv leaves nothing random. */
    for (int law = 0; law < 3; law++) {
        ck_assert(atoll_sleep_draw((atoll_sleep_law)law, 0.0, 1.0, rng) == 0.0);
        ck_assert(atoll_sleep_draw((atoll_sleep_law)law, 0.07, 0.0, rng) == 0.07);
    }
    for (int i = 0; i < 100; i++)
        ck_assert(atoll_sleep_draw(ATOLL_SLEEP_FIXED, 0.125, 3.0, rng) == 0.125);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_sleep_trial_seed)
{
    /* The duration of a trial depends on its seed only, not on the rank that runs it. */
    sleep_fixture a, b;
    sleep_open(&a, "[objective]\ntype = sleep\ndimension = 2\n", NULL, 0);
    sleep_open(&b, "[objective]\ntype = sleep\ndimension = 2\n", NULL, 7);
    atoll_value values[2] = {{.num = 0.5}, {.num = -1.0}};
    static double d[20000];
    for (long t = 0; t < 20000; t++) {
        atoll_trial_ctx ctx = {.trial = t, .seed = atoll_rng_seed(99, ATOLL_STREAM_OBJECTIVE,
                                                                  (uint64_t)t)};
        d[t] = atoll_sleep_duration(a.state, values, &ctx);
        ck_assert(d[t] == atoll_sleep_duration(b.state, values, &ctx));
        ck_assert(d[t] == atoll_sleep_duration(a.state, values, &ctx));
        if (t > 0)
            ck_assert(d[t] != d[t - 1]);
    }
    double mean, cv; /* the defaults: lognormal, mean 0.05 s, cv 1 */
    moments(d, 20000, &mean, &cv);
    ck_assert_msg(fabs(mean / 0.05 - 1.0) < 0.05 && fabs(cv - 1.0) < 0.15, "mean %g, cv %g",
                  mean, cv);
    sleep_close(&a);
    sleep_close(&b);
}
END_TEST

START_TEST(test_sleep_depends_on)
{
    static const char *const sizes[] = {"32", "64", "128", "256"};
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "lr", 1e-4, 1e-1, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "epochs", 1, 100, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "batch", 4, sizes), ATOLL_OK);
    sleep_fixture f;
    /* A real parameter: 0.1x at its low end, 2x at its high end (log scale here). */
    sleep_open(&f, "[objective]\ntype = sleep\nduration = fixed\nmean_s = 0.01\n"
                   "depends_on = lr\n",
               space, 0);
    atoll_trial_ctx ctx = {.trial = 3, .seed = 12345};
    atoll_value values[3];
    static const double ends[][2] = {{0.0, 0.1}, {1.0, 2.0}, {0.5, 1.05}};
    for (size_t k = 0; k < 3; k++) {
        double unit[3] = {ends[k][0], 0.5, 0.5};
        atoll_space_decode(f.space, unit, values);
        ck_assert_double_eq_tol(atoll_sleep_duration(f.state, values, &ctx), 0.01 * ends[k][1],
                                1e-12);
    }
    sleep_close(&f);

    /* An int parameter scales by the centre of its value's cell: (v - low + 1/2) / 100. */
    space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "epochs", 1, 100, ATOLL_SCALE_LINEAR), ATOLL_OK);
    sleep_open(&f, "[objective]\ntype = sleep\nduration = fixed\nmean_s = 0.01\n"
                   "depends_on = epochs\n",
               space, 0);
    static const double epochs[] = {1.0, 50.0, 100.0};
    for (size_t k = 0; k < 3; k++) {
        atoll_value v = {.num = epochs[k]};
        double u = (epochs[k] - 1.0 + 0.5) / 100.0;
        ck_assert_double_eq_tol(atoll_sleep_duration(f.state, &v, &ctx),
                                0.01 * (0.1 + 1.9 * u), 1e-12);
    }
    sleep_close(&f);

    /* A choice scales by its cell centre: (k + 1/2) / 4. */
    space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "batch", 4, sizes), ATOLL_OK);
    sleep_open(&f, "[objective]\ntype = sleep\nduration = fixed\nmean_s = 1\ndepends_on = batch\n",
               space, 0);
    for (size_t k = 0; k < 4; k++) {
        atoll_value v = {.num = (double)k, .index = k, .str = sizes[k]};
        ck_assert_double_eq_tol(atoll_sleep_duration(f.state, &v, &ctx),
                                0.1 + 1.9 * ((double)k + 0.5) / 4.0, 1e-12);
    }
    sleep_close(&f);

    ck_assert(atoll_sleep_factor(0.0) == 0.1);
    ck_assert(atoll_sleep_factor(1.0) == 2.0);
    ck_assert(atoll_sleep_factor(-3.0) == 0.1 && atoll_sleep_factor(7.0) == 2.0);
    ck_assert_double_eq_tol(atoll_sleep_factor(0.5), 1.05, 1e-15);
}
END_TEST

START_TEST(test_sleep_evaluate)
{
    sleep_fixture f;
    sleep_open(&f,
               "[objective]\ntype = sleep\nfunction = rastrigin\ndimension = 3\n"
               "duration = fixed\nmean_s = 0.02\n",
               NULL, 0);
    ck_assert_uint_eq(f.space->n, 3);
    ck_assert_str_eq(f.space->params[2].name, "x3");
    ck_assert(f.space->params[0].low == -5.12 && f.space->params[0].high == 5.12);
    atoll_value values[3] = {{.num = 1.0}, {.num = 0.5}, {.num = 0.0}};
    double x[3] = {1.0, 0.5, 0.0};
    atoll_trial_ctx ctx = {.trial = 0, .seed = 1};
    atoll_eval ev = {.value = NAN, .status = ATOLL_STATUS_FAILED};
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    ck_assert_int_eq(atoll_objective_sleep.evaluate(f.state, values, &ctx, &ev), ATOLL_OK);
    double took = seconds_since(&start);
    ck_assert_msg(took >= 0.020 && took <= 0.060, "slept %g s", took);
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert(ev.value == atoll_bench_eval(ATOLL_BENCH_RASTRIGIN, x, 3));
    ck_assert_int_eq(atoll_objective_sleep.direction(f.params), ATOLL_MINIMIZE);
    sleep_close(&f);

    /* A zero mean does not sleep at all. */
    sleep_open(&f, "[objective]\ntype = sleep\ndimension = 2\nmean_s = 0\n", NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(atoll_objective_sleep.evaluate(f.state, values, &ctx, &ev), ATOLL_OK);
    ck_assert(seconds_since(&start) < 0.05);
    ck_assert(ev.value == 1.25); /* sphere by default */
    sleep_close(&f);
}
END_TEST

START_TEST(test_sleep_config)
{
    /* Defaults, as the resolved config shows them. */
    sleep_fixture f;
    sleep_open(&f, "[objective]\ntype = sleep\ndimension = 2\n", NULL, 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(atoll_config_write(f.cfg, out), ATOLL_OK);
    fclose(out);
    ck_assert_msg(strstr(text, "function = sphere") && strstr(text, "duration = lognormal") &&
                      strstr(text, "mean_s = 0.05") && strstr(text, "cv = 1"),
                  "%s", text);
    free(text);
    ck_assert(f.space->params[0].low == -5.12);
    sleep_close(&f);

    /* Given parameters: dimension is optional and must match. */
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "a", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    sleep_open(&f, "[objective]\ntype = sleep\nfunction = ackley\n", space, 0);
    sleep_close(&f);

    ck_assert_str_eq(
        configure_error("[objective]\ntype = sleep\nfunction = beale\ndimension = 2\n"),
        "bad.ini:3: [objective] function: must be one of: sphere, rastrigin, rosenbrock, ackley, "
        "griewank, schwefel, styblinski_tang (got 'beale')");
    ck_assert_str_eq(configure_error("[objective]\ntype = sleep\ndimension = 2\nmean_s = -1\n"),
                     "bad.ini:4: [objective] mean_s: must be >= 0 (got -1)");
    ck_assert_str_eq(configure_error("[objective]\ntype = sleep\ndimension = 2\ncv = -0.5\n"),
                     "bad.ini:4: [objective] cv: must be >= 0 (got -0.5)");
    ck_assert_str_eq(
        configure_error("[objective]\ntype = sleep\ndimension = 2\nduration = normal\n"),
        "bad.ini:4: [objective] duration: must be one of: fixed, uniform, lognormal "
        "(got 'normal')");
    ck_assert_str_eq(
        configure_error("[objective]\ntype = sleep\ndimension = 2\ndepends_on = batch\n"),
        "bad.ini:4: [objective] depends_on: no parameter named 'batch'");
    ck_assert_str_eq(configure_error("[objective]\ntype = sleep\n"),
                     "bad.ini:1: [objective] dimension: missing (required when no [param] "
                     "section is given)");
    ck_assert_str_eq(configure_error("[objective]\ntype = sleep\ndimension = 0\n"),
                     "bad.ini:3: [objective] dimension: must be >= 1 (got 0)");

    space = NULL;
    atoll_config *cfg = NULL;
    void *params = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "a", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(
        atoll_config_load_string("[objective]\ntype = sleep\ndimension = 3\n", "bad.ini", &cfg),
        ATOLL_OK);
    ck_assert_int_eq(atoll_objective_sleep.configure(cfg, space, &params), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "bad.ini:3: [objective] dimension: must equal the number of parameters (1) "
                     "(got 3)");
    atoll_config_destroy(&cfg);
    atoll_space_destroy(&space);

    ck_assert_ptr_eq(atoll_objective_lookup("sleep"), &atoll_objective_sleep);
}
END_TEST

static Suite *sleep_suite(void)
{
    Suite *s = suite_create("sleep");
    TCase *tc = tcase_create("sleep");
    tcase_add_test(tc, test_sleep_distributions);
    tcase_add_test(tc, test_sleep_trial_seed);
    tcase_add_test(tc, test_sleep_depends_on);
    tcase_add_test(tc, test_sleep_evaluate);
    tcase_add_test(tc, test_sleep_config);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(sleep_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
