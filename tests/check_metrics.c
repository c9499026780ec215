/* check_metrics.c - unit tests of the classification and regression metrics (suite "metrics"). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "ml/metrics.h"

/* Expected values below were computed with scikit-learn 1.2 (sklearn.metrics) on the same
 * inputs; log_loss with eps=1e-15. */

/* Three classes, six samples: row 1 ties classes 0 and 1 (argmax 0), row 3 ties all three
 * (argmax 0, and the row sums to 0.9), row 4 holds an exact 0 and 1 (clipped). */
static const float y_a[6] = {0, 1, 2, 2, 1, 0};
static const float pred_a[6 * 3] = {0.5f, 0.3f, 0.2f, 0.4f, 0.4f, 0.2f, 0.1f, 0.2f, 0.7f,
                                    0.3f, 0.3f, 0.3f, 0.0f, 1.0f, 0.0f, 0.2f, 0.5f, 0.3f};

/* One-hot rows of n_classes columns for predicted classes `cls`. */
static float *one_hot(const int *cls, size_t n, int n_classes)
{
    float *p = calloc(n * (size_t)n_classes, sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i * (size_t)n_classes + (size_t)cls[i]] = 1.0f;
    return p;
}

START_TEST(test_metrics_names)
{
    for (int m = 0; m < ATOLL_METRIC_COUNT; m++)
        ck_assert_int_eq(atoll_metric_lookup(atoll_metric_names[m]), m);
    ck_assert_ptr_null(atoll_metric_names[ATOLL_METRIC_COUNT]);
    ck_assert_int_eq(atoll_metric_lookup("auc"), -1);
    ck_assert_int_eq(atoll_metric_lookup(NULL), -1);
    ck_assert_int_eq(atoll_metric_lookup("r2"), ATOLL_METRIC_R2);
    ck_assert(atoll_metric_for_classification(ATOLL_METRIC_ACCURACY));
    ck_assert(atoll_metric_for_classification(ATOLL_METRIC_BALANCED_ACCURACY));
    ck_assert(atoll_metric_for_classification(ATOLL_METRIC_LOG_LOSS));
    ck_assert(atoll_metric_for_classification(ATOLL_METRIC_F1_MACRO));
    ck_assert(!atoll_metric_for_classification(ATOLL_METRIC_RMSE));
    ck_assert(!atoll_metric_for_classification(ATOLL_METRIC_MAE));
    ck_assert(!atoll_metric_for_classification(ATOLL_METRIC_R2));
    ck_assert(atoll_metric_maximize(ATOLL_METRIC_ACCURACY));
    ck_assert(atoll_metric_maximize(ATOLL_METRIC_BALANCED_ACCURACY));
    ck_assert(atoll_metric_maximize(ATOLL_METRIC_F1_MACRO));
    ck_assert(atoll_metric_maximize(ATOLL_METRIC_R2));
    ck_assert(!atoll_metric_maximize(ATOLL_METRIC_LOG_LOSS));
    ck_assert(!atoll_metric_maximize(ATOLL_METRIC_RMSE));
    ck_assert(!atoll_metric_maximize(ATOLL_METRIC_MAE));
}
END_TEST

START_TEST(test_metrics_probabilities)
{
    /* Predicted classes 0, 0 (tie), 2, 0 (tie), 1, 1: three right. */
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_a, 6, 3, pred_a), 0.5,
                            1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_BALANCED_ACCURACY, y_a, 6, 3, pred_a),
                            0.5, 1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_F1_MACRO, y_a, 6, 3, pred_a),
                            0.5222222222222223, 1e-12);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y_a, 6, 3, pred_a),
                            0.7790271803259207, 1e-7);

    /* A tie between a wrong and the right class goes to the lower index. */
    const float y_tie[2] = {1, 0};
    const float tie[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    ck_assert_double_eq(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_tie, 2, 2, tie), 0.5);
}
END_TEST

START_TEST(test_metrics_absent_classes)
{
    /* Class 2 is never predicted: its recall and F1 count as 0. */
    const float y_b[6] = {0, 0, 1, 1, 2, 2};
    const int guess_b[6] = {0, 1, 1, 1, 0, 1};
    float *p = one_hot(guess_b, 6, 3);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_b, 6, 3, p), 0.5, 1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_BALANCED_ACCURACY, y_b, 6, 3, p), 0.5,
                            1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_F1_MACRO, y_b, 6, 3, p),
                            0.38888888888888884, 1e-12);
    free(p);

    /* Class 2 is predicted but absent from y (it counts for F1, not for balanced accuracy);
     * class 3 is neither true nor predicted (skipped by both). */
    const float y_c[4] = {0, 0, 1, 1};
    const int guess_c[4] = {0, 2, 1, 1};
    p = one_hot(guess_c, 4, 4);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_BALANCED_ACCURACY, y_c, 4, 4, p), 0.75,
                            1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_F1_MACRO, y_c, 4, 4, p),
                            0.5555555555555555, 1e-12);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_c, 4, 4, p), 0.75, 1e-15);
    free(p);
}
END_TEST

START_TEST(test_metrics_log_loss_clipping)
{
    const float y[2] = {0, 1};
    const float right[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    const float wrong[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    double best = atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y, 2, 2, right);
    ck_assert(isfinite(best) && best >= 0.0 && best < 1e-14);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y, 2, 2, wrong),
                            34.538776394910684, 1e-9);
    /* Rows are renormalised: halving both probabilities changes nothing. */
    const float half[4] = {0.4f, 0.1f, 0.15f, 0.35f};
    const float full[4] = {0.8f, 0.2f, 0.3f, 0.7f};
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y, 2, 2, half),
                            atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y, 2, 2, full), 1e-7);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y, 2, 2, full),
                            -0.5 * (log(0.8) + log(0.7)), 1e-7);
}
END_TEST

START_TEST(test_metrics_regression)
{
    const float y[4] = {3.0f, -0.5f, 2.0f, 7.0f};
    const float pred[4] = {2.5f, 0.0f, 2.0f, 8.0f};
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_RMSE, y, 4, 0, pred),
                            0.6123724356957945, 1e-12);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_MAE, y, 4, 0, pred), 0.5, 1e-15);
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_R2, y, 4, 0, pred), 0.9486081370449679,
                            1e-12);
    ck_assert_double_eq(atoll_metric_score(ATOLL_METRIC_RMSE, y, 4, 0, y), 0.0);
    ck_assert_double_eq(atoll_metric_score(ATOLL_METRIC_R2, y, 4, 0, y), 1.0);

    /* A constant target: 1 for an exact fit, 0 otherwise. */
    const float flat[3] = {2.0f, 2.0f, 2.0f};
    const float off[3] = {2.0f, 2.0f, 3.0f};
    ck_assert_double_eq(atoll_metric_score(ATOLL_METRIC_R2, flat, 3, 0, flat), 1.0);
    ck_assert_double_eq(atoll_metric_score(ATOLL_METRIC_R2, flat, 3, 0, off), 0.0);
    /* Predicting the mean scores 0; worse than that is negative. */
    const float mean[4] = {2.875f, 2.875f, 2.875f, 2.875f};
    ck_assert_double_eq_tol(atoll_metric_score(ATOLL_METRIC_R2, y, 4, 0, mean), 0.0, 1e-12);
    const float bad[4] = {-3.0f, 9.0f, 0.0f, 0.0f};
    ck_assert(atoll_metric_score(ATOLL_METRIC_R2, y, 4, 0, bad) < 0.0);
}
END_TEST

START_TEST(test_metrics_nan)
{
    const float y[4] = {3.0f, -0.5f, 2.0f, 7.0f};
    const float pred[4] = {2.5f, NAN, 2.0f, 8.0f};
    for (int m = ATOLL_METRIC_RMSE; m <= ATOLL_METRIC_R2; m++)
        ck_assert(isnan(atoll_metric_score((atoll_metric)m, y, 4, 0, pred)));
    float p[6 * 3];
    for (size_t i = 0; i < 18; i++)
        p[i] = pred_a[i];
    p[7] = NAN; /* row 2, class 1 */
    for (int m = ATOLL_METRIC_ACCURACY; m <= ATOLL_METRIC_F1_MACRO; m++)
        ck_assert(isnan(atoll_metric_score((atoll_metric)m, y_a, 6, 3, p)));
    /* No samples, or a label that is not a class index. */
    ck_assert(isnan(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_a, 0, 3, pred_a)));
    ck_assert(isnan(atoll_metric_score(ATOLL_METRIC_R2, y, 0, 0, pred)));
    const float y_bad[2] = {0.0f, 3.0f};
    ck_assert(isnan(atoll_metric_score(ATOLL_METRIC_ACCURACY, y_bad, 2, 3, pred_a)));
    ck_assert(isnan(atoll_metric_score(ATOLL_METRIC_LOG_LOSS, y_bad, 2, 3, pred_a)));
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_metrics_names);
    tcase_add_test(tc, test_metrics_probabilities);
    tcase_add_test(tc, test_metrics_absent_classes);
    tcase_add_test(tc, test_metrics_log_loss_clipping);
    tcase_add_test(tc, test_metrics_regression);
    tcase_add_test(tc, test_metrics_nan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(metrics_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
