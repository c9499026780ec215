/* datasplit.h - synthetic datasets, subsets, stratified splits, subsamples and folds, scaling. */
#ifndef ATOLL_ML_DATASPLIT_H
#define ATOLL_ML_DATASPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "ml/dataset.h"

/* A deterministic synthetic problem. Classification: each class has a Gaussian centroid in
 * the first `informative` features (the others are pure noise), samples scatter around it
 * with unit variance; `noise` is the fraction of labels flipped at random. Regression: the
 * target is a fixed random linear function of the informative features plus a mild
 * non-linear term, plus Gaussian noise of standard deviation `noise`. */
typedef struct {
    atoll_task task; /* CLASSIFICATION or REGRESSION (AUTO means classification) */
    size_t samples, features, informative;
    int classes; /* classification only, >= 2 */
    double noise;
    uint64_t seed;
} atoll_synthetic_spec;

/* Generate `spec` (same spec, same data, on any machine). */
int atoll_data_synthetic(const atoll_synthetic_spec *spec, atoll_dataset *out);

/* Copy rows[0..n) of `src` (in that order) into a new dataset. */
int atoll_data_subset(const atoll_dataset *src, const size_t *rows, size_t n,
                      atoll_dataset *out);

/*
 * Split `ds` into train and validation parts, shuffled by `seed`: about valid_fraction of the
 * samples (0 < valid_fraction < 1; at least one sample on each side) go to `valid`,
 * stratified by class for classification (every class keeps its share on both sides, each
 * class with >= 2 samples on both sides). Both outputs are new datasets.
 */
int atoll_data_split(const atoll_dataset *ds, double valid_fraction, uint64_t seed,
                     atoll_dataset *train, atoll_dataset *valid);

/* Keep a random `n` samples of `ds` in place (stratified for classification, order
 * shuffled); n == 0 or n >= ds->n keeps all. */
int atoll_data_subsample(atoll_dataset *ds, size_t n, uint64_t seed);

/* Assign every sample a fold 0..k-1 (2 <= k <= n), stratified for classification, so that
 * fold sizes differ by at most one within each class. `fold` has ds->n entries. */
int atoll_data_folds(const atoll_dataset *ds, int k, uint64_t seed, int *fold);

/* The samples of fold `held` go to `valid`, all others to `train`, in their order. */
int atoll_data_fold_split(const atoll_dataset *ds, const int *fold, int held,
                          atoll_dataset *train, atoll_dataset *valid);

/* Per-feature standardisation: z = (x - mean) / sd, sd of a constant feature taken as 1. */
typedef struct {
    size_t d;
    float *mean, *scale; /* d each, owned */
} atoll_scaler;

/* Fit a scaler on `train` only. */
int atoll_scaler_fit(const atoll_dataset *train, atoll_scaler *out);
/* Standardise `ds` in place with a fitted scaler (ds->d must equal s->d). */
void atoll_scaler_apply(const atoll_scaler *s, atoll_dataset *ds);
/* Free a scaler's arrays (NULL-safe) and zero it. */
void atoll_scaler_free(atoll_scaler *s);

#endif
