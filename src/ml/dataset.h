/* dataset.h - in-memory datasets for the model objectives: load, split, subsample, scale, fold. */
#ifndef ATOLL_ML_DATASET_H
#define ATOLL_ML_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A table of samples. Classification labels are class indices 0..n_classes-1 stored exactly
 * as floats; regression targets are the values. */
typedef struct {
    size_t n;      /* samples */
    size_t d;      /* features */
    int n_classes; /* >= 2: classification; 0: regression */
    float *x;      /* n x d, row-major, owned */
    float *y;      /* n targets, owned */
} atoll_dataset;

/* What the label column holds. AUTO: classification when every label is an integer or not a
 * number at all (class names), regression otherwise. */
typedef enum {
    ATOLL_TASK_AUTO = 0,
    ATOLL_TASK_CLASSIFICATION = 1,
    ATOLL_TASK_REGRESSION = 2
} atoll_task;

/* Free a dataset's arrays (NULL-safe) and zero it. */
void atoll_dataset_free(atoll_dataset *ds);

/*
 * Load a CSV file (plain or .gz, read through zlib) whose first line is a header of column
 * names. `label` names the target column (NULL: the last column); every other column is a
 * numeric feature. Class labels (integers or names) are mapped to 0..K-1 in sorted order
 * (numeric order when all are numbers). Errors are ATOLL_ERR_USAGE (bad content) or
 * ATOLL_ERR_IO (cannot open/read), one line naming the file and, for a bad row, its line:
 * "PATH:LINE: 5 fields, the header has 4", "PATH:LINE: column 'x3': not a number (got 'abc')",
 * "PATH: no column 'label' in the header", "PATH: empty file", "PATH: no data rows".
 */
int atoll_data_load_csv(const char *path, const char *label, atoll_task task,
                        atoll_dataset *out);

/* Load IDX files (MNIST layout; plain or .gz): images of magic 0x00000803 (n x rows x cols
 * unsigned bytes, scaled to [0,1]) and labels of magic 0x00000801 (n bytes). The counts must
 * agree. Classification with n_classes = largest label + 1. */
int atoll_data_load_idx(const char *images, const char *labels, atoll_dataset *out);

/*
 * Load a dataset known by name: "digits", "iris", "wine", "breast_cancer" (the CSV files of
 * Debian's python3-sklearn, in `dir`, NULL for ATOLL_SKLEARN_DATA_DIR), "diabetes"
 * (regression), "fashion-mnist" and "fashion-mnist-test" (IDX, in `dir`, NULL for
 * ATOLL_FASHION_MNIST_DIR). A missing file is ATOLL_ERR_IO naming the path and the Debian
 * package that installs it. An unknown name is ATOLL_ERR_USAGE.
 */
int atoll_data_load_named(const char *name, const char *dir, atoll_dataset *out);

/* Whether `name` is one of atoll_data_load_named's names. */
bool atoll_data_is_named(const char *name);

/* The names atoll_data_load_named knows, NULL-terminated (for messages and the README). */
extern const char *const atoll_data_names[];

#define ATOLL_SKLEARN_DATA_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"
#define ATOLL_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

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
