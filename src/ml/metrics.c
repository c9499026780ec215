/* metrics.c - classification and regression scores of predictions against targets. */

/*
 * The definitions follow scikit-learn's (sklearn.metrics: accuracy_score,
 * balanced_accuracy_score, log_loss, f1_score(average="macro"), mean_squared_error,
 * mean_absolute_error, r2_score), computed in double precision. A score that cannot be
 * computed (no samples, a NaN prediction, a label that is not a class index) is NaN, which
 * the caller treats as a failed evaluation.
 */
#include "ml/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_LOSS_EPS 1e-15

const char *const atoll_metric_names[] = {
    "accuracy", "balanced_accuracy", "log_loss", "f1_macro", "rmse", "mae", "r2", NULL};

int atoll_metric_lookup(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; atoll_metric_names[i]; i++)
        if (strcmp(atoll_metric_names[i], name) == 0)
            return i;
    return -1;
}

bool atoll_metric_for_classification(atoll_metric metric)
{
    return metric == ATOLL_METRIC_ACCURACY || metric == ATOLL_METRIC_BALANCED_ACCURACY ||
           metric == ATOLL_METRIC_LOG_LOSS || metric == ATOLL_METRIC_F1_MACRO;
}

bool atoll_metric_maximize(atoll_metric metric)
{
    return metric == ATOLL_METRIC_ACCURACY || metric == ATOLL_METRIC_BALANCED_ACCURACY ||
           metric == ATOLL_METRIC_F1_MACRO || metric == ATOLL_METRIC_R2;
}

/* ---------------------------------------------------------------- classification */

/* The class index of label `y`, or -1 when it is not one of 0..n_classes-1. */
static int class_of(float y, int n_classes)
{
    if (!(y >= 0.0f) || y >= (float)n_classes || y != floorf(y))
        return -1;
    return (int)y;
}

/* The argmax of a row of probabilities, ties to the lowest index; -1 when a value is NaN. */
static int argmax(const float *row, int n_classes)
{
    int best = 0;
    for (int c = 0; c < n_classes; c++) {
        if (isnan(row[c]))
            return -1;
        if (row[c] > row[best])
            best = c;
    }
    return best;
}

/* Mean negative log-likelihood of the true classes, rows clipped and renormalised. */
static double log_loss(const float *y, size_t n, int n_classes, const float *pred)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *row = pred + i * (size_t)n_classes;
        int truth = class_of(y[i], n_classes);
        if (truth < 0)
            return NAN;
        double total = 0.0, mine = 0.0;
        for (int c = 0; c < n_classes; c++) {
            double p = row[c];
            if (isnan(p))
                return NAN;
            p = p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1.0 - LOG_LOSS_EPS ? 1.0 - LOG_LOSS_EPS : p;
            total += p;
            if (c == truth)
                mine = p;
        }
        sum -= log(mine / total);
    }
    return sum / (double)n;
}

/* Accuracy, balanced accuracy or macro F1 from the confusion counts. */
static double count_score(atoll_metric metric, const float *y, size_t n, int n_classes,
                          const float *pred)
{
    size_t k = (size_t)n_classes;
    /* per class: true samples, predicted samples, true positives */
    size_t *counts = calloc(3 * k, sizeof *counts);
    if (!counts)
        return NAN;
    size_t *truths = counts, *predicted = counts + k, *hits = counts + 2 * k;
    size_t correct = 0;
    double score = NAN;
    for (size_t i = 0; i < n; i++) {
        int truth = class_of(y[i], n_classes);
        int guess = argmax(pred + i * k, n_classes);
        if (truth < 0 || guess < 0)
            goto done;
        truths[truth]++;
        predicted[guess]++;
        if (truth == guess) {
            hits[truth]++;
            correct++;
        }
    }
    if (metric == ATOLL_METRIC_ACCURACY) {
        score = (double)correct / (double)n;
        goto done;
    }
    double sum = 0.0;
    size_t classes = 0;
    for (size_t c = 0; c < k; c++) {
        if (metric == ATOLL_METRIC_BALANCED_ACCURACY) {
            if (truths[c] == 0)
                continue;
            sum += (double)hits[c] / (double)truths[c];
        } else {
            if (truths[c] == 0 && predicted[c] == 0)
                continue;
            sum += 2.0 * (double)hits[c] / (double)(truths[c] + predicted[c]);
        }
        classes++;
    }
    score = sum / (double)classes;
done:
    free(counts);
    return score;
}

/* ---------------------------------------------------------------- regression */

static double regression_score(atoll_metric metric, const float *y, size_t n, const float *pred)
{
    double abs_sum = 0.0, sq_sum = 0.0, y_mean = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(pred[i]) || isnan(y[i]))
            return NAN;
        double r = (double)y[i] - (double)pred[i];
        abs_sum += fabs(r);
        sq_sum += r * r;
        y_mean += y[i];
    }
    if (metric == ATOLL_METRIC_MAE)
        return abs_sum / (double)n;
    if (metric == ATOLL_METRIC_RMSE)
        return sqrt(sq_sum / (double)n);
    y_mean /= (double)n;
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        total += ((double)y[i] - y_mean) * ((double)y[i] - y_mean);
    if (total == 0.0)
        return sq_sum == 0.0 ? 1.0 : 0.0;
    return 1.0 - sq_sum / total;
}

double atoll_metric_score(atoll_metric metric, const float *y, size_t n, int n_classes,
                          const float *pred)
{
    if (n == 0 || (int)metric < 0 || metric >= ATOLL_METRIC_COUNT)
        return NAN;
    if (atoll_metric_for_classification(metric)) {
        if (n_classes < 1)
            return NAN;
        if (metric == ATOLL_METRIC_LOG_LOSS)
            return log_loss(y, n, n_classes, pred);
        return count_score(metric, y, n, n_classes, pred);
    }
    return regression_score(metric, y, n, pred);
}
