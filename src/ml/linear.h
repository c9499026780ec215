/* linear.h - the linear model: logistic / softmax regression and elastic-net linear regression. */
#ifndef ATOLL_ML_LINEAR_H
#define ATOLL_ML_LINEAR_H

#include <stddef.h>

#include "ml/model.h"

/* The "linear" model table. */
extern const atoll_model_type atoll_model_linear;

/* The number of weight rows of a fitted linear model (borrowed): 1 for a regression and for
 * two classes (the weights of class 1), n_classes for a softmax model. */
size_t atoll_linear_outputs(const void *model);

/* Copy a fitted linear model's weights into w (outputs x d, row-major) and its intercepts
 * into b (outputs), in the units of the training data, a regression's target included. */
void atoll_linear_coefficients(const void *model, double *w, double *b);

#endif
