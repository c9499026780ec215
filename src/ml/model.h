/* model.h - the model table: hyperparameters, fit, predict. One file per model. */
#ifndef ATOLL_ML_MODEL_H
#define ATOLL_ML_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ml/dataset.h"

/* Kinds of hyperparameter. Every value travels as a double: an int is integral, a choice is
 * its index in `choices`. */
typedef enum { ATOLL_HP_INT = 0, ATOLL_HP_REAL = 1, ATOLL_HP_CHOICE = 2 } atoll_hp_kind;

/* One hyperparameter of a model: its name in [model] and in [param NAME], its type, its
 * valid range and its default. The table of a model doubles as its documentation. */
typedef struct {
    const char *name;
    atoll_hp_kind kind;
    double low, high;    /* INT and REAL: the inclusive valid range */
    const char *choices; /* CHOICE: "relu|tanh|sigmoid" (value = index). INT and REAL: named
                          * values outside [low, high] such as "sqrt=-1|log2=-2", or NULL */
    const char *def;     /* the default as a config would write it */
    const char *doc;     /* one line for the README */
} atoll_hparam;

/* What a fit reports besides the model. */
typedef struct {
    double epochs;  /* epochs actually run (early stopping may end sooner); 0 when the model
                     * has no epochs */
    bool diverged;  /* the loss became NaN or infinite: no usable model */
} atoll_fit_info;

typedef struct atoll_model_type {
    const char *name;    /* as written in [objective] model */
    const char *summary; /* one line for the README */
    const atoll_hparam *hparams; /* terminated by an entry whose name is NULL */
    bool classifies, regresses;  /* the tasks it supports */
    /*
     * Train on `train` (n_classes >= 2: classification, 0: regression) with hp[i] the value
     * of hparams[i] (already validated against the table). Every random draw comes from
     * `seed`, so the same call gives the same model. A diverging fit is not an error: it sets
     * info->diverged, may leave *model NULL and returns ATOLL_OK. Non-zero only for a fatal
     * error (out of memory). *model is owned by the caller (destroy).
     */
    int (*fit)(const double *hp, const atoll_dataset *train, uint64_t seed, void **model,
               atoll_fit_info *info);
    /* Predict n rows of x (n x d, d as in training) into out: n x n_classes probabilities for
     * a classifier, n values for a regressor. */
    int (*predict)(const void *model, const float *x, size_t n, float *out);
    /* Free a model (NULL-safe). */
    void (*destroy)(void *model);
} atoll_model_type;

/* Every model, NULL-terminated. */
extern const atoll_model_type *const atoll_models[];

/* The model called `name`, or NULL. */
const atoll_model_type *atoll_model_lookup(const char *name);

/* The number of hyperparameters in a model's table. */
size_t atoll_model_n_hparams(const atoll_model_type *model);

/* The index of hyperparameter `name` in the model's table, or -1. */
long atoll_model_hparam_find(const atoll_model_type *model, const char *name);

/*
 * Parse `text` as a value of hyperparameter `hp`: a choice by name, a named value, or a
 * number in range (an INT must be integral). On error returns ATOLL_ERR_USAGE with a message
 * without location, e.g. "must be one of relu|tanh|sigmoid (got 'elu')" or
 * "must be in [1, 4] (got 7)"; callers prefix the file, line and key.
 */
int atoll_hparam_parse(const atoll_hparam *hp, const char *text, double *out);

/* Fill hp[0..n) with the model's defaults. */
int atoll_model_defaults(const atoll_model_type *model, double *hp);

#endif
