/* dataset.h - in-memory datasets for the model objectives: the type, CSV/IDX/named loaders. */
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

/* Allocate an n x d dataset of n_classes classes, x and y left uninitialised (arrays of at least
 * one element, so that an empty one still owns its pointers). ATOLL_ERR_NOMEM on failure, with
 * *out zeroed. Pair with atoll_dataset_free. */
int atoll_dataset_alloc(size_t n, size_t d, int n_classes, atoll_dataset *out);

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

#endif
