/* metrics.h - how a trained model is scored: classification and regression metrics. */
#ifndef ATOLL_ML_METRICS_H
#define ATOLL_ML_METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* The metrics, in the order of atoll_metric_names. */
typedef enum {
    ATOLL_METRIC_ACCURACY = 0,
    ATOLL_METRIC_BALANCED_ACCURACY,
    ATOLL_METRIC_LOG_LOSS,
    ATOLL_METRIC_F1_MACRO,
    ATOLL_METRIC_RMSE,
    ATOLL_METRIC_MAE,
    ATOLL_METRIC_R2,
    ATOLL_METRIC_COUNT
} atoll_metric;

/* "accuracy", "balanced_accuracy", "log_loss", "f1_macro", "rmse", "mae", "r2"; NULL-terminated. */
extern const char *const atoll_metric_names[];

/* The metric called `name`, or -1. */
int atoll_metric_lookup(const char *name);

/* Whether a metric scores classifiers (else regressors). */
bool atoll_metric_for_classification(atoll_metric metric);

/* Whether larger is better (accuracy, balanced accuracy, F1, R^2) or smaller (log loss,
 * RMSE, MAE). */
bool atoll_metric_maximize(atoll_metric metric);

/*
 * Score predictions against targets y[0..n). Classification: `pred` is n x n_classes class
 * probabilities (a row's argmax is the predicted class, ties to the lowest index; log loss
 * clips probabilities to [1e-15, 1 - 1e-15] and renormalises each row). Regression: `pred`
 * is n values and n_classes is 0. Balanced accuracy averages recall over the classes present
 * in y; F1 macro averages over classes present in y or predicted (a class with no true and no
 * predicted sample is skipped). R^2 is 1 - SSres/SStot; with a constant y (SStot = 0) it is
 * 1 for an exact fit and 0 otherwise, as scikit-learn does. A NaN prediction gives NaN.
 */
double atoll_metric_score(atoll_metric metric, const float *y, size_t n, int n_classes,
                          const float *pred);

#endif
