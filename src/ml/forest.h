/* forest.h - the random forest model (CART trees on bootstrap samples). */
#ifndef ATOLL_ML_FOREST_H
#define ATOLL_ML_FOREST_H

#include "ml/model.h"

/* The "forest" model table: a random forest classifier (Gini) or regressor (variance). */
extern const atoll_model_type atoll_model_forest;

#endif
