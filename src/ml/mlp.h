/* mlp.h - the multilayer perceptron model ("mlp") and a check of its backward pass. */
#ifndef ATOLL_ML_MLP_H
#define ATOLL_ML_MLP_H

#include <stdint.h>

#include "ml/dataset.h"
#include "ml/model.h"

/* The model table of the multilayer perceptron: classification and regression. */
extern const atoll_model_type atoll_model_mlp;

/*
 * Compare the backward pass with central finite differences. Builds the network that
 * atoll_model_mlp.fit would start from for (hp, data, seed), without training it, and takes
 * the loss of all of `data` as one training batch (batch norm on batch statistics): the mean
 * data loss (cross-entropy, or half the squared error of the standardised target) plus
 * 0.5 * weight_decay * |W|^2. Every parameter is perturbed in turn by 1e-2 * max(1, |p|), in
 * float as in training; one that moves a relu unit across its kink is skipped.
 * *max_rel_error gets, over every weight matrix, bias vector and batch-norm scale and shift,
 * the largest |analytic - numeric| divided by the tensor's largest |analytic| component.
 * Requires dropout 0 (else ATOLL_ERR_USAGE); `data` and `hp` are borrowed. Non-zero for bad
 * data or out of memory.
 */
int atoll_mlp_gradient_check(const double *hp, const atoll_dataset *data, uint64_t seed,
                             double *max_rel_error);

#endif
