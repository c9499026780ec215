/* check_api.c - the C API without MPI: atoll_register_objective's errors, the registry that
 * sees registered objectives, a config made of overrides alone, and the atoll_params view a
 * registered function gets. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atoll.h"
#include "core/error.h"
#include "objective/objective.h"
#include "run/desc.h"

/* What the function under test saw on its last call. */
typedef struct {
    int calls;
    size_t count;
    char names[4][32];
    double x, n, c, missing;
    const char *c_str, *x_str;
    long trial;
    unsigned long long seed;
    int rank;
    int fail_with; /* what to return */
} seen;

static int record(const atoll_params *params, atoll_result *result, void *ctx)
{
    seen *s = ctx;
    s->calls++;
    s->count = atoll_params_count(params);
    for (size_t i = 0; i < s->count && i < 4; i++)
        snprintf(s->names[i], sizeof s->names[i], "%s", atoll_params_name(params, i));
    ck_assert_ptr_null(atoll_params_name(params, s->count));
    s->x = atoll_params_get(params, "x");
    s->n = atoll_params_get(params, "n");
    s->c = atoll_params_get(params, "c");
    s->missing = atoll_params_get(params, "nope");
    s->c_str = atoll_params_get_str(params, "c");
    s->x_str = atoll_params_get_str(params, "x");
    s->trial = atoll_params_trial(params);
    s->seed = atoll_params_seed(params);
    s->rank = atoll_params_rank(params);
    ck_assert(isnan(result->value));
    ck_assert_int_eq(result->status, ATOLL_STATUS_OK);
    result->value = s->x + s->n;
    result->status = s->n > 2 ? ATOLL_STATUS_FAILED : ATOLL_STATUS_OK;
    return s->fail_with;
}

static int other(const atoll_params *params, atoll_result *result, void *ctx)
{
    (void)params, (void)ctx;
    result->value = 0;
    return 0;
}

START_TEST(test_api_register_errors)
{
    size_t builtin = atoll_objective_count();
    ck_assert_int_eq(atoll_register_objective("mine", other, NULL), ATOLL_OK);
    ck_assert_uint_eq(atoll_objective_count(), builtin + 1);
    ck_assert_str_eq(atoll_objective_at(builtin)->name, "mine");
    ck_assert_ptr_null(atoll_objective_at(builtin + 1));
    ck_assert_ptr_eq(atoll_objective_lookup("mine"), atoll_objective_at(builtin));
    ck_assert_ptr_nonnull(atoll_objective_lookup("bench"));

    ck_assert_int_eq(atoll_register_objective("mine", other, NULL), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "atoll_register_objective: 'mine' is already registered");
    ck_assert_int_eq(atoll_register_objective("bench", other, NULL), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "atoll_register_objective: 'bench' is already a built-in objective");
    ck_assert_int_eq(atoll_register_objective("x", NULL, NULL), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "atoll_register_objective: 'x': no function");
    const char *bad[] = {"", "1abc", "a-b", "a b", "abcdefghijklmnopqrstuvwxyz012345", NULL};
    for (size_t i = 0; bad[i]; i++) {
        ck_assert_int_eq(atoll_register_objective(bad[i], other, NULL), ATOLL_ERR_USAGE);
        ck_assert_ptr_nonnull(strstr(atoll_error_message(), "bad name"));
    }
    ck_assert_int_eq(atoll_register_objective(NULL, other, NULL), ATOLL_ERR_USAGE);
    /* 31 characters fit; 16 in all. */
    ck_assert_int_eq(atoll_register_objective("abcdefghijklmnopqrstuvwxyz01234", other, NULL),
                     ATOLL_OK);
    for (int i = 2; i < 16; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        ck_assert_int_eq(atoll_register_objective(name, other, NULL), ATOLL_OK);
    }
    ck_assert_int_eq(atoll_register_objective("one_more", other, NULL), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "atoll_register_objective: 'one_more': at most 16 objectives can be "
                     "registered");
    ck_assert_uint_eq(atoll_objective_count(), builtin + 16);
}
END_TEST

static const char *const space_sets[] = {
    "objective.type=mine",  "param x.type=real",   "param x.low=-1",
    "param x.high=1",       "param n.type=int",    "param n.low=0",
    "param n.high=4",       "param c.type=choice", "param c.values=a, b, c",
};
#define N_SPACE_SETS (sizeof space_sets / sizeof space_sets[0])

START_TEST(test_api_params_view)
{
    seen s = {0};
    ck_assert_int_eq(atoll_register_objective("mine", record, &s), ATOLL_OK);
    atoll_run_desc *d = NULL;
    ck_assert_int_eq(atoll_desc_create(NULL, space_sets, N_SPACE_SETS, &d), ATOLL_OK);
    ck_assert_str_eq(d->objective->name, "mine");
    ck_assert_int_eq(d->direction, ATOLL_MINIMIZE);
    ck_assert_uint_eq(d->space->n, 3);

    atoll_objective_env env = {.seed = 1, .rank = 3, .local_size = 1, .out_dir = "."};
    void *state = NULL;
    ck_assert_int_eq(d->objective->create(d->objective_params, d->space, &env, &state), ATOLL_OK);
    atoll_value values[3];
    atoll_space_decode(d->space, (const double[]){0.75, 0.5, 0.9}, values);
    atoll_trial_ctx ctx = {.trial = 42, .seed = 0x123456789abcULL};
    atoll_eval ev;
    ck_assert_int_eq(d->objective->evaluate(state, values, &ctx, &ev), ATOLL_OK);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_uint_eq(s.count, 3);
    ck_assert_str_eq(s.names[0], "x");
    ck_assert_str_eq(s.names[1], "n");
    ck_assert_str_eq(s.names[2], "c");
    ck_assert_double_eq_tol(s.x, 0.5, 1e-12);
    ck_assert_double_eq(s.n, 2);
    ck_assert_double_eq(s.c, 2);
    ck_assert(isnan(s.missing));
    ck_assert_str_eq(s.c_str, "c");
    ck_assert_ptr_null(s.x_str);
    ck_assert_int_eq(s.trial, 42);
    ck_assert(s.seed == 0x123456789abcULL);
    ck_assert_int_eq(s.rank, 3);
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq_tol(ev.value, 2.5, 1e-12);
    ck_assert(isnan(ev.extra[0]));

    /* A failed training is a status; a non-zero return is a fatal error. */
    atoll_space_decode(d->space, (const double[]){0.75, 0.9, 0.1}, values);
    ck_assert_int_eq(d->objective->evaluate(state, values, &ctx, &ev), ATOLL_OK);
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    s.fail_with = 7;
    ck_assert_int_eq(d->objective->evaluate(state, values, &ctx, &ev), ATOLL_ERR_RUNTIME);
    ck_assert_str_eq(atoll_error_message(), "objective 'mine': trial 42: the function returned 7");
    d->objective->destroy(state);
    atoll_desc_destroy(&d);
}
END_TEST

START_TEST(test_api_config_errors)
{
    ck_assert_int_eq(atoll_register_objective("mine", other, NULL), ATOLL_OK);
    atoll_run_desc *d = NULL;
    /* No other [objective] key than type. */
    const char *extra[N_SPACE_SETS + 1];
    memcpy(extra, space_sets, sizeof space_sets);
    extra[N_SPACE_SETS] = "objective.dimension=3";
    ck_assert_int_eq(atoll_desc_create(NULL, extra, N_SPACE_SETS + 1, &d), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "--set objective.dimension=3: [objective] dimension: unknown key");
    /* [param] sections are needed. */
    const char *bare[] = {"objective.type=mine"};
    ck_assert_int_eq(atoll_desc_create(NULL, bare, 1, &d), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "the search space is empty"));
    /* [run] direction overrides minimize. */
    const char *max[N_SPACE_SETS + 1];
    memcpy(max, space_sets, sizeof space_sets);
    max[N_SPACE_SETS] = "run.direction=maximize";
    ck_assert_int_eq(atoll_desc_create(NULL, max, N_SPACE_SETS + 1, &d), ATOLL_OK);
    ck_assert_int_eq(d->direction, ATOLL_MAXIMIZE);
    atoll_desc_destroy(&d);
    /* An unregistered name is an enum error that lists the registered ones. */
    const char *unknown[] = {"objective.type=theirs", "param x.type=real", "param x.low=0",
                             "param x.high=1"};
    ck_assert_int_eq(atoll_desc_create(NULL, unknown, 4, &d), ATOLL_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(atoll_error_message(), "mine"));
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, test_api_register_errors);
    tcase_add_test(tc, test_api_params_view);
    tcase_add_test(tc, test_api_config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(api_suite());
    /* Registrations are process-wide and the table is full after the first test: every
     * test runs in its own process, even where CK_FORK=no (make check-asan). */
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
