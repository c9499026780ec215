/* check_space.c - unit tests of the typed search space and its unit-cube encoding (suite
 * "space"). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/space.h"

/* A space with one parameter made by `add`, asserted to succeed. */
static atoll_space *one_param(atoll_param_kind kind, double low, double high, atoll_scale scale)
{
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    int rc = kind == ATOLL_PARAM_INT ? atoll_space_add_int(space, "p", low, high, scale)
                                     : atoll_space_add_real(space, "p", low, high, scale);
    ck_assert_msg(rc == ATOLL_OK, "%s", atoll_error_message());
    return space;
}

/* decode(encode(v)) for one parameter. */
static atoll_value round_trip(const atoll_space *space, atoll_value v, double *unit)
{
    atoll_value back;
    atoll_space_encode(space, &v, unit);
    ck_assert(*unit >= 0.0 && *unit <= 1.0);
    atoll_space_decode(space, unit, &back);
    return back;
}

/* A reproducible uniform number in [0,1) (splitmix64). */
static double next_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

START_TEST(test_space_real_linear_round_trip)
{
    atoll_space *space = one_param(ATOLL_PARAM_REAL, -5, 5, ATOLL_SCALE_LINEAR);
    const double values[] = {-5, -4.25, -1e-9, 0, 0.1, 3.3333, 5};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        double u;
        atoll_value v = {.num = values[i]};
        atoll_value back = round_trip(space, v, &u);
        ck_assert_double_eq_tol(back.num, values[i], 1e-12);
    }
    double u = 0.5;
    atoll_value mid;
    atoll_space_decode(space, &u, &mid);
    ck_assert_double_eq_tol(mid.num, 0, 1e-15);
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_space_real_log_round_trip)
{
    atoll_space *space = one_param(ATOLL_PARAM_REAL, 1e-5, 10, ATOLL_SCALE_LOG);
    const double values[] = {1e-5, 3e-5, 1e-3, 0.0999, 1, 7.5, 10};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        double u;
        atoll_value v = {.num = values[i]};
        atoll_value back = round_trip(space, v, &u);
        ck_assert_double_eq_tol(back.num, values[i], values[i] * 1e-12);
    }
    /* the middle of the cube is the geometric mean */
    double u = 0.5;
    atoll_value mid;
    atoll_space_decode(space, &u, &mid);
    ck_assert_double_eq_tol(mid.num, sqrt(1e-5 * 10), 1e-12);
    atoll_space_destroy(&space);
}
END_TEST

/* Every value of [low, high] survives encode then decode, and lands in its own cell. */
static void check_every_int(double low, double high, atoll_scale scale)
{
    atoll_space *space = one_param(ATOLL_PARAM_INT, low, high, scale);
    ck_assert_uint_eq(atoll_space_cardinality(space, 0), (size_t)(high - low) + 1);
    double previous = -1;
    for (double x = low; x <= high; x++) {
        double u;
        atoll_value v = {.num = x};
        atoll_value back = round_trip(space, v, &u);
        ck_assert_msg(back.num == x, "int [%g, %g] %s: %g came back as %g", low, high,
                      scale == ATOLL_SCALE_LOG ? "log" : "linear", x, back.num);
        ck_assert(u > previous); /* order kept */
        previous = u;
    }
    atoll_space_destroy(&space);
}

START_TEST(test_space_int_linear_every_value)
{
    check_every_int(-3, 7, ATOLL_SCALE_LINEAR);
    check_every_int(0, 1, ATOLL_SCALE_LINEAR);
    check_every_int(-1000, 1000, ATOLL_SCALE_LINEAR);
}
END_TEST

START_TEST(test_space_int_log_every_value)
{
    check_every_int(1, 10, ATOLL_SCALE_LOG);
    check_every_int(8, 512, ATOLL_SCALE_LOG);
    check_every_int(1, 5000, ATOLL_SCALE_LOG);
}
END_TEST

/* Sampled values of a large int range, both ends included. */
static void check_large_int(double low, double high, atoll_scale scale)
{
    atoll_space *space = one_param(ATOLL_PARAM_INT, low, high, scale);
    uint64_t state = 42;
    for (int i = 0; i < 2000; i++) {
        double x, r = next_uniform(&state);
        if (i < 2)
            x = i == 0 ? low : high;
        else if (scale == ATOLL_SCALE_LOG)
            x = floor(exp(log(low) + r * (log(high) - log(low))));
        else
            x = floor(low + r * (high - low));
        x = fmin(fmax(x, low), high);
        double u;
        atoll_value v = {.num = x};
        atoll_value back = round_trip(space, v, &u);
        ck_assert_msg(back.num == x, "int [%g, %g]: %.17g came back as %.17g", low, high, x,
                      back.num);
    }
    atoll_space_destroy(&space);
}

START_TEST(test_space_int_large_ranges)
{
    check_large_int(-1e9, 1e9, ATOLL_SCALE_LINEAR);
    check_large_int(0, 1e12, ATOLL_SCALE_LINEAR);
    check_large_int(1, 1e9, ATOLL_SCALE_LOG);
    check_large_int(1, 1e12, ATOLL_SCALE_LOG);
}
END_TEST

START_TEST(test_space_choice_round_trip)
{
    atoll_space *space = NULL;
    const char *const values[] = {"relu", "tanh", "sigmoid", "gelu"};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "act", 4, values), ATOLL_OK);
    ck_assert_uint_eq(atoll_space_cardinality(space, 0), 4);
    for (size_t i = 0; i < 4; i++) {
        double u;
        atoll_value v = {.num = (double)i, .index = i};
        atoll_value back = round_trip(space, v, &u);
        ck_assert_double_eq_tol(u, ((double)i + 0.5) / 4, 1e-15);
        ck_assert_uint_eq(back.index, i);
        ck_assert_double_eq(back.num, (double)i);
        ck_assert_str_eq(back.str, values[i]);
    }
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_space_decode_stays_in_bounds)
{
    atoll_space *space = NULL;
    const char *const values[] = {"a", "b", "c"};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", -2, 3, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "g", 1e-4, 1, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", 1, 9, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "m", 2, 300, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "c", 3, values), ATOLL_OK);
    const double probes[] = {0.0, 1.0, -0.5, 1.5, -INFINITY, INFINITY, NAN, 1e-300, 1 - 1e-16};
    for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
        double unit[5];
        atoll_value v[5];
        for (size_t i = 0; i < 5; i++)
            unit[i] = probes[k];
        atoll_space_decode(space, unit, v);
        for (size_t i = 0; i < 4; i++) {
            const atoll_param *p = &space->params[i];
            ck_assert_msg(v[i].num >= p->low && v[i].num <= p->high,
                          "%s decoded %g from %g, outside [%g, %g]", p->name, v[i].num,
                          probes[k], p->low, p->high);
            if (p->kind == ATOLL_PARAM_INT)
                ck_assert_double_eq(v[i].num, floor(v[i].num));
        }
        ck_assert_uint_lt(v[4].index, 3);
        ck_assert_ptr_nonnull(v[4].str);
    }
    /* the ends of the cube are the ends of the ranges */
    double zeros[5] = {0, 0, 0, 0, 0}, ones[5] = {1, 1, 1, 1, 1};
    atoll_value v[5];
    atoll_space_decode(space, zeros, v);
    ck_assert_double_eq(v[0].num, -2);
    ck_assert_double_eq_tol(v[1].num, 1e-4, 1e-16);
    ck_assert_double_eq(v[2].num, 1);
    ck_assert_double_eq(v[3].num, 2);
    ck_assert_str_eq(v[4].str, "a");
    atoll_space_decode(space, ones, v);
    ck_assert_double_eq(v[0].num, 3);
    ck_assert_double_eq_tol(v[1].num, 1, 1e-12);
    ck_assert_double_eq(v[2].num, 9);
    ck_assert_double_eq(v[3].num, 300);
    ck_assert_str_eq(v[4].str, "c");
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_space_snap_idempotent)
{
    atoll_space *space = NULL;
    const char *const values[] = {"x", "y", "z", "w", "v"};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "r", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", -4, 4, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "m", 1, 1000, ATOLL_SCALE_LOG), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "c", 5, values), ATOLL_OK);
    uint64_t state = 7;
    for (int trial = 0; trial < 5000; trial++) {
        double unit[4], once[4], twice[4];
        for (size_t i = 0; i < 4; i++)
            unit[i] = next_uniform(&state) * 1.4 - 0.2; /* some outside [0,1] */
        if (trial == 0)
            unit[1] = NAN;
        memcpy(once, unit, sizeof once);
        atoll_space_snap(space, once);
        memcpy(twice, once, sizeof twice);
        atoll_space_snap(space, twice);
        for (size_t i = 0; i < 4; i++) {
            ck_assert(once[i] >= 0.0 && once[i] <= 1.0);
            ck_assert_msg(once[i] == twice[i], "snap moved %s from %.17g to %.17g",
                          space->params[i].name, once[i], twice[i]);
        }
        /* snapping does not change what a point means */
        atoll_value before[4], after[4];
        atoll_space_decode(space, unit, before);
        atoll_space_decode(space, once, after);
        for (size_t i = 0; i < 4; i++)
            ck_assert_double_eq(before[i].num, after[i].num);
    }
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_space_format)
{
    atoll_space *space = NULL;
    const char *const values[] = {"adam", "sgd"};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "lr", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "n", -10, 10, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_choice(space, "opt", 2, values), ATOLL_OK);
    char buf[64];
    atoll_value real = {.num = 0.1};
    ck_assert_int_eq(atoll_space_format(space, 0, &real, buf, sizeof buf), 19);
    ck_assert_str_eq(buf, "0.10000000000000001");
    ck_assert_double_eq(strtod(buf, NULL), 0.1);
    atoll_value integer = {.num = -7};
    atoll_space_format(space, 1, &integer, buf, sizeof buf);
    ck_assert_str_eq(buf, "-7");
    atoll_value choice = {.num = 1, .index = 1, .str = NULL};
    atoll_space_format(space, 2, &choice, buf, sizeof buf);
    ck_assert_str_eq(buf, "sgd");
    choice.str = "adam";
    atoll_space_format(space, 2, &choice, buf, sizeof buf);
    ck_assert_str_eq(buf, "adam");
    /* a short buffer is cut but the full length comes back */
    ck_assert_int_eq(atoll_space_format(space, 0, &real, buf, 4), 19);
    ck_assert_str_eq(buf, "0.1");

    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(out);
    atoll_space_print(space, out);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "space: 3 parameters\n"));
    ck_assert_ptr_nonnull(strstr(text, "[0, 1] linear"));
    ck_assert_ptr_nonnull(strstr(text, "{adam, sgd}"));
    free(text);
    atoll_space_destroy(&space);
}
END_TEST

START_TEST(test_space_names_and_lookup)
{
    ck_assert(atoll_space_name_ok("lr"));
    ck_assert(atoll_space_name_ok("_x2"));
    ck_assert(!atoll_space_name_ok("2x"));
    ck_assert(!atoll_space_name_ok("a-b"));
    ck_assert(!atoll_space_name_ok(""));
    ck_assert(!atoll_space_name_ok(NULL));
    ck_assert(!atoll_space_name_ok("value"));
    ck_assert(!atoll_space_name_ok("seed"));
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "a", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "b", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_find(space, "b"), 1);
    ck_assert_int_eq(atoll_space_find(space, "c"), -1);
    ck_assert_uint_eq(atoll_space_cardinality(space, 0), 0);
    atoll_space_destroy(&space);
    ck_assert_ptr_null(space);
    atoll_space_destroy(&space);
    atoll_space_destroy(NULL);
}
END_TEST

START_TEST(test_space_rejects_bad_parameters)
{
    atoll_space *space = NULL;
    const char *const dup[] = {"a", "a"};
    const char *const empty[] = {"a", ""};
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_real(space, "x", 1, 1, ATOLL_SCALE_LINEAR), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_real(space, "x", 0, 1, ATOLL_SCALE_LOG), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_real(space, "x", 0, INFINITY, ATOLL_SCALE_LINEAR),
                     ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_real(space, "x", NAN, 1, ATOLL_SCALE_LINEAR),
                     ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_int(space, "x", 0.5, 3, ATOLL_SCALE_LINEAR), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_int(space, "x", 0, 1e16, ATOLL_SCALE_LINEAR),
                     ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_choice(space, "x", 0, NULL), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_choice(space, "x", 2, dup), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_choice(space, "x", 2, empty), ATOLL_ERR_USAGE);
    ck_assert_int_eq(atoll_space_add_real(space, "trial", 0, 1, ATOLL_SCALE_LINEAR),
                     ATOLL_ERR_USAGE);
    ck_assert_uint_eq(space->n, 0);
    ck_assert_int_eq(atoll_space_add_real(space, "x", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_OK);
    ck_assert_int_eq(atoll_space_add_int(space, "x", 0, 1, ATOLL_SCALE_LINEAR), ATOLL_ERR_USAGE);
    ck_assert_uint_eq(space->n, 1);
    atoll_space_destroy(&space);
}
END_TEST

static Suite *space_suite(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_space_real_linear_round_trip);
    tcase_add_test(tc, test_space_real_log_round_trip);
    tcase_add_test(tc, test_space_int_linear_every_value);
    tcase_add_test(tc, test_space_int_log_every_value);
    tcase_add_test(tc, test_space_int_large_ranges);
    tcase_add_test(tc, test_space_choice_round_trip);
    tcase_add_test(tc, test_space_decode_stays_in_bounds);
    tcase_add_test(tc, test_space_snap_idempotent);
    tcase_add_test(tc, test_space_format);
    tcase_add_test(tc, test_space_names_and_lookup);
    tcase_add_test(tc, test_space_rejects_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(space_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures ? 1 : 0;
}
