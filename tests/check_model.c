/* check_model.c - the model objectives end to end: config, data, split, training, score. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "core/config.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/space.h"
#include "core/paramspec.h"
#include "objective/objective.h"
#include "support.h"

/* One objective built from an INI text whose [param] sections make the space. */
typedef struct {
    atoll_config *cfg;
    atoll_space *space;
    const atoll_objective_type *type;
    void *params, *state;
} model_fixture;

static void open_ini(model_fixture *f, const char *ini)
{
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(atoll_config_load_string(ini, "model.ini", &f->cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&f->space), ATOLL_OK);
    ck_assert_msg(atoll_space_from_config(f->cfg, f->space) == ATOLL_OK, "space: %s",
                  atoll_error_message());
    const char *type = NULL;
    ck_assert_int_eq(atoll_config_get_string(f->cfg, "objective", "type", NULL, false, &type),
                     ATOLL_OK);
    f->type = atoll_objective_lookup(type);
    ck_assert_ptr_nonnull(f->type);
    ck_assert_msg(f->type->configure(f->cfg, f->space, &f->params) == ATOLL_OK, "configure: %s",
                  atoll_error_message());
    atoll_objective_env env = {.seed = 1, .rank = 0, .out_dir = "/tmp"};
    ck_assert_msg(f->type->create(f->params, f->space, &env, &f->state) == ATOLL_OK,
                  "create: %s", atoll_error_message());
}

static void close_ini(model_fixture *f)
{
    f->type->destroy(f->state);
    f->type->free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
}

/* Evaluate the point whose parameters take `nums` (numbers; a choice's index), as trial 7. */
static atoll_eval eval_at(model_fixture *f, const double *nums)
{
    atoll_value v[8];
    point_values(f->space, nums, v);
    atoll_trial_ctx ctx = {.trial = 7, .seed = atoll_rng_seed(1, ATOLL_STREAM_OBJECTIVE, 7)};
    atoll_eval ev = {.value = NAN, .status = ATOLL_STATUS_FAILED};
    ck_assert_msg(f->type->evaluate(f->state, v, &ctx, &ev) == ATOLL_OK, "evaluate: %s",
                  atoll_error_message());
    return ev;
}

/* The digits through the named loader, the stratified split and standardisation: a plain
 * MLP reaches 0.96 validation accuracy, twice the same score, and logs its training time
 * and epochs. */
START_TEST(test_model_digits_mlp)
{
    model_fixture f;
    open_ini(&f, "[objective]\ntype = mlp\n[data]\ndataset = digits\n"
                 "[model]\nepochs = 30\nbatch_size = 32\noptimizer = adam\n"
                 "[param units]\ntype = int\nlow = 16\nhigh = 256\n"
                 "[param learning_rate]\ntype = real\nlow = 1e-4\nhigh = 1e-2\nscale = log\n");
    ck_assert_int_eq(f.type->direction(f.params), ATOLL_MAXIMIZE);
    const double point[] = {128, 1e-3};
    atoll_eval a = eval_at(&f, point), b = eval_at(&f, point);
    ck_assert_int_eq(a.status, ATOLL_STATUS_OK);
    ck_assert_msg(a.value >= 0.96, "digits mlp accuracy %g", a.value);
    ck_assert(a.value == b.value);
    ck_assert(a.extra[0] > 0.0);
    ck_assert_double_eq(a.extra[1], 30.0);
    ck_assert_uint_eq(atoll_objective_n_columns(f.type, f.params), 2);
    close_ini(&f);
}
END_TEST

START_TEST(test_model_digits_forest)
{
    model_fixture f;
    open_ini(&f, "[objective]\ntype = forest\n[data]\ndataset = digits\n"
                 "[param n_estimators]\ntype = int\nlow = 10\nhigh = 200\n"
                 "[param max_features]\ntype = choice\nvalues = sqrt, 0.5\n");
    const double point[] = {100, 0};
    atoll_eval a = eval_at(&f, point);
    ck_assert_int_eq(a.status, ATOLL_STATUS_OK);
    ck_assert_msg(a.value >= 0.95, "digits forest accuracy %g", a.value);
    ck_assert(isnan(a.extra[1])); /* a forest has no epochs: logged empty */
    close_ini(&f);
}
END_TEST

/* 5-fold cross-validation: the score is the mean over folds, each standardised on its own
 * training part; log loss is minimised. */
START_TEST(test_model_folds)
{
    model_fixture f;
    open_ini(&f, "[objective]\ntype = linear\nmetric = accuracy\n"
                 "[data]\ndataset = breast_cancer\nfolds = 5\n"
                 "[model]\nepochs = 100\n"
                 "[param l2]\ntype = real\nlow = 1e-6\nhigh = 1\nscale = log\n");
    const double point[] = {1e-4};
    atoll_eval a = eval_at(&f, point);
    ck_assert_int_eq(a.status, ATOLL_STATUS_OK);
    ck_assert_msg(a.value >= 0.95 && a.value <= 1.0, "breast cancer 5-fold accuracy %g",
                  a.value);
    close_ini(&f);
    open_ini(&f, "[objective]\ntype = linear\nmetric = log_loss\n"
                 "[data]\ndataset = breast_cancer\nfolds = 5\n"
                 "[param l2]\ntype = real\nlow = 1e-6\nhigh = 1\nscale = log\n");
    ck_assert_int_eq(f.type->direction(f.params), ATOLL_MINIMIZE);
    atoll_eval l = eval_at(&f, point);
    ck_assert(l.status == ATOLL_STATUS_OK && l.value > 0.0 && l.value < 0.3);
    close_ini(&f);
}
END_TEST

/* A training that blows up is a diverged trial, never a crash and never a score. */
START_TEST(test_model_diverged)
{
    model_fixture f;
    open_ini(&f, "[objective]\ntype = mlp\nmetric = rmse\n"
                 "[data]\ndataset = diabetes\nstandardize = no\n"
                 "[model]\noptimizer = sgd\nepochs = 20\n"
                 "[param learning_rate]\ntype = real\nlow = 1e-4\nhigh = 10\nscale = log\n");
    const double point[] = {10};
    atoll_eval a = eval_at(&f, point);
    ck_assert_int_eq(a.status, ATOLL_STATUS_DIVERGED);
    ck_assert(isnan(a.value));
    close_ini(&f);
}
END_TEST

/* Synthetic data need nothing installed; a regressor is scored by R^2 (maximised). */
START_TEST(test_model_synthetic_regression)
{
    model_fixture f;
    open_ini(&f, "[objective]\ntype = mlp\nmetric = r2\n"
                 "[data]\ndataset = synthetic\ntask = regression\nn_samples = 1500\n"
                 "features = 8\ninformative = 4\nnoise = 0.05\n"
                 "[model]\nepochs = 60\n"
                 "[param units]\ntype = choice\nvalues = 16, 64\n");
    ck_assert_int_eq(f.type->direction(f.params), ATOLL_MAXIMIZE);
    const double point[] = {1}; /* units = 64 */
    atoll_eval a = eval_at(&f, point);
    ck_assert_int_eq(a.status, ATOLL_STATUS_OK);
    ck_assert_msg(a.value > 0.8, "synthetic regression r2 %g", a.value);
    close_ini(&f);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("objectives");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_model_digits_mlp);
    tcase_add_test(tc, test_model_digits_forest);
    tcase_add_test(tc, test_model_folds);
    tcase_add_test(tc, test_model_diverged);
    tcase_add_test(tc, test_model_synthetic_regression);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(model_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
