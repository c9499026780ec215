/* check_bench.c - unit tests of the benchmark functions and the bench objective (suite "bench"). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "objective/bench.h"
#include "objective/objective.h"

#define MAX_DIM 64

static const size_t dimensions[] = {1, 2, 3, 5, 10, 30, 64};
#define N_DIMENSIONS (sizeof dimensions / sizeof dimensions[0])

/* The function's value with every coordinate set to v. */
static double at_constant(int function, double v, size_t n)
{
    double x[MAX_DIM];
    for (size_t i = 0; i < n; i++)
        x[i] = v;
    return atoll_bench_eval(function, x, n);
}

START_TEST(test_bench_lookup)
{
    static const char *const names[] = {"sphere",   "rastrigin", "rosenbrock",     "ackley",
                                        "griewank", "schwefel",  "styblinski_tang"};
    for (int i = 0; i < ATOLL_BENCH_COUNT; i++) {
        ck_assert_int_eq(atoll_bench_lookup(names[i]), i);
        ck_assert_str_eq(atoll_bench_name(i), names[i]);
    }
    ck_assert_int_eq(atoll_bench_lookup("Sphere"), -1);
    ck_assert_int_eq(atoll_bench_lookup("beale"), -1);
    ck_assert_int_eq(atoll_bench_lookup(NULL), -1);
    ck_assert_ptr_null(atoll_bench_name(ATOLL_BENCH_COUNT));
    ck_assert_ptr_null(atoll_bench_name(-1));
    double x[2] = {0, 0};
    ck_assert(isnan(atoll_bench_eval(-1, x, 2)));
}
END_TEST

START_TEST(test_bench_domains)
{
    static const double expect[ATOLL_BENCH_COUNT][2] = {
        {-5.12, 5.12}, {-5.12, 5.12}, {-5, 10}, {-32.768, 32.768}, {-600, 600}, {-500, 500},
        {-5, 5}};
    for (int f = 0; f < ATOLL_BENCH_COUNT; f++) {
        double low, high;
        atoll_bench_domain(f, &low, &high);
        ck_assert(low == expect[f][0] && high == expect[f][1]);
        double a = atoll_bench_argmin(f);
        ck_assert(a >= low && a <= high);
    }
}
END_TEST

START_TEST(test_bench_optima)
{
    for (int f = 0; f < ATOLL_BENCH_COUNT; f++) {
        for (size_t k = 0; k < N_DIMENSIONS; k++) {
            size_t n = dimensions[k];
            double value = at_constant(f, atoll_bench_argmin(f), n);
            double optimum = atoll_bench_optimum(f, n);
            double tolerance = 0.0; /* exact for the functions with an exact minimiser */
            if (f == ATOLL_BENCH_SCHWEFEL)
                tolerance = 2e-5 * (double)n; /* 418.9829 and 420.9687 are rounded */
            else if (f == ATOLL_BENCH_STYBLINSKI_TANG)
                tolerance = 1e-9 * (double)n;
            ck_assert_msg(fabs(value - optimum) <= tolerance, "%s(%zu-D) at its minimiser: %.17g",
                          atoll_bench_name(f), n, value);
        }
    }
    ck_assert_double_eq_tol(atoll_bench_optimum(ATOLL_BENCH_STYBLINSKI_TANG, 10),
                            -391.6616570377142, 1e-9);
    ck_assert(atoll_bench_optimum(ATOLL_BENCH_RASTRIGIN, 10) == 0.0);
}
END_TEST

/* No sampled point of the domain is below the optimum. */
START_TEST(test_bench_optimum_is_a_lower_bound)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int f = 0; f < ATOLL_BENCH_COUNT; f++) {
        double low, high, x[5];
        atoll_bench_domain(f, &low, &high);
        for (int trial = 0; trial < 20000; trial++) {
            for (size_t i = 0; i < 5; i++)
                x[i] = low + (high - low) * gsl_rng_uniform(rng);
            double v = atoll_bench_eval(f, x, 5);
            ck_assert(isfinite(v));
            ck_assert_msg(v >= atoll_bench_optimum(f, 5) - 1e-4, "%s below its optimum: %g",
                          atoll_bench_name(f), v);
        }
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_bench_known_values)
{
    const double x123[3] = {1, 2, 3};
    ck_assert_double_eq_tol(atoll_bench_eval(ATOLL_BENCH_SPHERE, x123, 3), 14.0, 1e-12);
    /* rastrigin: 10 n + sum x^2 - 10 cos(2 pi x); integers make the cosines 1. */
    ck_assert_double_eq_tol(atoll_bench_eval(ATOLL_BENCH_RASTRIGIN, x123, 3), 14.0, 1e-9);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_RASTRIGIN, 0.5, 2), 40.5, 1e-9);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_ROSENBROCK, 0.0, 2), 1.0, 1e-12);
    const double classic[2] = {-1.2, 1.0};
    ck_assert_double_eq_tol(atoll_bench_eval(ATOLL_BENCH_ROSENBROCK, classic, 2), 24.2, 1e-9);
    ck_assert_double_eq_tol(atoll_bench_eval(ATOLL_BENCH_ROSENBROCK, x123, 3), 201.0, 1e-9);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_ROSENBROCK, 3.0, 1), 4.0, 1e-12);
    /* ackley at (1, 1): 20 - 20 exp(-0.2). */
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_ACKLEY, 1.0, 2), 3.6253849384403622, 1e-12);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_GRIEWANK, 1.0, 1), 0.4599476941318603,
                            1e-12);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_SCHWEFEL, 0.0, 4), 4 * 418.9829, 1e-9);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_STYBLINSKI_TANG, 1.0, 3), -15.0, 1e-12);
    ck_assert_double_eq_tol(at_constant(ATOLL_BENCH_STYBLINSKI_TANG, 0.0, 3), 0.0, 1e-12);
}
END_TEST

/* Configure the bench objective from `ini` over `space`; returns configure's status. */
static int configure(const char *ini, atoll_space *space, void **params)
{
    atoll_config *cfg = NULL;
    ck_assert_int_eq(atoll_config_load_string(ini, "bench.ini", &cfg), ATOLL_OK);
    *params = NULL;
    int rc = atoll_objective_lookup("bench")->configure(cfg, space, params);
    atoll_config_destroy(&cfg);
    return rc;
}

START_TEST(test_bench_objective_makes_space)
{
    const atoll_objective_type *bench = atoll_objective_lookup("bench");
    ck_assert_ptr_nonnull(bench);
    ck_assert_str_eq(bench->name, "bench");
    atoll_space *space = NULL;
    void *params = NULL, *state = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(configure("[objective]\ntype = bench\nfunction = ackley\ndimension = 3\n",
                               space, &params),
                     ATOLL_OK);
    ck_assert_int_eq(bench->direction(params), ATOLL_MINIMIZE);
    ck_assert_uint_eq(space->n, 3);
    for (size_t i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%zu", i + 1);
        ck_assert_str_eq(space->params[i].name, name);
        ck_assert_int_eq(space->params[i].kind, ATOLL_PARAM_REAL);
        ck_assert(space->params[i].low == -32.768 && space->params[i].high == 32.768);
    }
    atoll_objective_env env = {.seed = 1, .rank = 0, .out_dir = "."};
    ck_assert_int_eq(bench->create(params, space, &env, &state), ATOLL_OK);
    double unit[3] = {0.5, 0.5, 0.5};
    atoll_value values[3];
    atoll_space_decode(space, unit, values);
    atoll_trial_ctx ctx = {.trial = 0, .seed = 7};
    atoll_eval out = {.value = -1, .status = ATOLL_STATUS_FAILED};
    ck_assert_int_eq(bench->evaluate(state, values, &ctx, &out), ATOLL_OK);
    ck_assert_int_eq(out.status, ATOLL_STATUS_OK);
    ck_assert_double_eq_tol(out.value, 0.0, 1e-12);
    unit[0] = 1.0;
    atoll_space_decode(space, unit, values);
    ck_assert_int_eq(bench->evaluate(state, values, &ctx, &out), ATOLL_OK);
    double x[3] = {32.768, 0, 0};
    ck_assert_double_eq_tol(out.value, atoll_bench_eval(ATOLL_BENCH_ACKLEY, x, 3), 1e-12);
    bench->destroy(state);
    bench->free_params(params);
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_bench_objective_given_space)
{
    const atoll_objective_type *bench = atoll_objective_lookup("bench");
    atoll_space *space = NULL;
    void *params = NULL, *state = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "a", -3, 3, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "b", 0.5, 8, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(configure("[objective]\nfunction = sphere\n", space, &params), ATOLL_OK);
    bench->free_params(params);
    ck_assert_int_eq(configure("[objective]\nfunction = sphere\ndimension = 2\n", space, &params),
                     ATOLL_OK);
    ck_assert_uint_eq(space->n, 2);
    atoll_objective_env env = {.seed = 1, .rank = 0, .out_dir = "."};
    ck_assert_int_eq(bench->create(params, space, &env, &state), ATOLL_OK);
    atoll_value values[2] = {{.num = -2}, {.num = 4}};
    atoll_trial_ctx ctx = {.trial = 3, .seed = 9};
    atoll_eval out;
    ck_assert_int_eq(bench->evaluate(state, values, &ctx, &out), ATOLL_OK);
    ck_assert_int_eq(out.status, ATOLL_STATUS_OK);
    ck_assert_double_eq_tol(out.value, 20.0, 1e-12);
    bench->destroy(state);
    bench->free_params(params);

    ck_assert_int_eq(configure("[objective]\nfunction = sphere\ndimension = 3\n", space, &params),
                     ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[objective] dimension"));
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "(2) (got 3)"));
    ck_assert_ptr_null(params);

    static const char *const values_c[] = {"x", "y"};
    ck_assert_int_eq(atoll_space_add_choice(space, "c", 2, values_c), ATOLL_OK);
    ck_assert_int_eq(configure("[objective]\nfunction = rastrigin\n", space, &params),
                     ATOLL_ERR_USAGE);
    ck_assert_msg(strstr(atoll_error_message(),
                         "[objective] function: bench functions need numeric parameters ('c' is "
                         "a choice)"),
                  "%s", atoll_error_message());
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_bench_objective_errors)
{
    atoll_space *space = NULL;
    void *params = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(configure("[objective]\nfunction = sphere\n", space, &params),
                     ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[objective] dimension"));
    ck_assert_int_eq(configure("[objective]\nfunction = sphere\ndimension = 0\n", space, &params),
                     ATOLL_ERR_USAGE);
    ck_assert_int_eq(
        configure("[objective]\nfunction = sphere\ndimension = 10001\n", space, &params),
        ATOLL_ERR_USAGE);
    ck_assert_int_eq(configure("[objective]\nfunction = beale\ndimension = 2\n", space, &params),
                     ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[objective] function"));
    ck_assert_int_eq(configure("[objective]\ndimension = 2\n", space, &params), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "[objective] function"));
    ck_assert_uint_eq(space->n, 0);
    ck_assert_ptr_null(params);
    ck_assert_ptr_null(atoll_objective_lookup("nope"));
    atoll_space_destroy(&space);
}
END_TEST

static Suite *bench_suite(void)
{
    Suite *s = suite_create("bench");
    TCase *functions = tcase_create("functions");
    tcase_add_test(functions, test_bench_lookup);
    tcase_add_test(functions, test_bench_domains);
    tcase_add_test(functions, test_bench_optima);
    tcase_add_test(functions, test_bench_optimum_is_a_lower_bound);
    tcase_add_test(functions, test_bench_known_values);
    tcase_set_timeout(functions, 60);
    suite_add_tcase(s, functions);
    TCase *objective = tcase_create("objective");
    tcase_add_test(objective, test_bench_objective_makes_space);
    tcase_add_test(objective, test_bench_objective_given_space);
    tcase_add_test(objective, test_bench_objective_errors);
    suite_add_tcase(s, objective);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(bench_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
