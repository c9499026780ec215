/* grid.h - the size of the grid that the "grid" strategy lays over a space. */
#ifndef ATOLL_STRATEGY_GRID_H
#define ATOLL_STRATEGY_GRID_H

#include "core/space.h"

/* The largest grid the strategy accepts. */
#define ATOLL_GRID_MAX 1e15

/*
 * Number of points of the grid that `params` (the [grid] settings returned by the grid type's
 * configure) lays over `space`: the product over parameters of their levels, written to *size
 * (exact up to ATOLL_GRID_MAX; +INFINITY when the product overflows a double). Returns
 * ATOLL_ERR_USAGE, with *size still written, when the grid holds more than ATOLL_GRID_MAX
 * points (configure refuses such settings, so never for params it accepted). Both arguments
 * are borrowed.
 */
int atoll_grid_size(const void *params, const atoll_space *space, double *size);

#endif
