/* ml_support.h - dataset helpers shared by the model suites (header-only, static). */
#ifndef ATOLL_TESTS_ML_SUPPORT_H
#define ATOLL_TESTS_ML_SUPPORT_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "ml/datasplit.h"
#include "ml/metrics.h"

/* A dataset of n samples and d features (n_classes as in atoll_dataset) with zeroed arrays,
 * owned by the caller: free it with atoll_dataset_free. */
static inline atoll_dataset zeroed_dataset(size_t n, size_t d, int n_classes)
{
    atoll_dataset ds = {.n = n, .d = d, .n_classes = n_classes};
    ds.x = calloc(n * d, sizeof *ds.x);
    ds.y = calloc(n, sizeof *ds.y);
    ck_assert(ds.x && ds.y);
    return ds;
}

/* scikit-learn's digits split as a run splits it: 20% held out, stratified and shuffled by
 * `seed` (atoll_data_split), then both parts standardised by a scaler fitted on `train` only.
 * Fills `train` and `valid`, owned by the caller (atoll_dataset_free each). */
static inline void digits_split(uint64_t seed, atoll_dataset *train, atoll_dataset *valid)
{
    atoll_dataset all = {0};
    atoll_scaler scaler = {0};
    ck_assert_msg(atoll_data_load_named("digits", NULL, &all) == ATOLL_OK, "digits: %s",
                  atoll_error_message());
    ck_assert_msg(atoll_data_split(&all, 0.2, seed, train, valid) == ATOLL_OK, "split: %s",
                  atoll_error_message());
    ck_assert_msg(atoll_scaler_fit(train, &scaler) == ATOLL_OK, "scaler: %s",
                  atoll_error_message());
    atoll_scaler_apply(&scaler, train);
    atoll_scaler_apply(&scaler, valid);
    atoll_scaler_free(&scaler);
    atoll_dataset_free(&all);
}

/* The accuracy of class probabilities `prob` (ds->n x ds->n_classes) against ds's labels:
 * the share of rows whose argmax (ties to the lowest class) is the label. */
static inline double ml_accuracy(const float *prob, const atoll_dataset *ds)
{
    return atoll_metric_score(ATOLL_METRIC_ACCURACY, ds->y, ds->n, ds->n_classes, prob);
}

#endif
