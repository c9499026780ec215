/* space.h - a typed search space whose points live in the unit cube [0,1]^d. */
#ifndef ATOLL_CORE_SPACE_H
#define ATOLL_CORE_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "atoll.h"

/* One parameter. Numeric bounds are inclusive; an int's bounds are integral. */
typedef struct {
    char *name;
    atoll_param_kind kind;
    atoll_scale scale;
    double low, high;
    size_t n_choices; /* choice only */
    char **choices;   /* choice only, owned */
} atoll_param;

/* A space: parameters in declaration order. Strategies see only unit-cube vectors. */
typedef struct atoll_space {
    size_t n;
    atoll_param *params;
} atoll_space;

/* Make an empty space. */
int atoll_space_create(atoll_space **out);
/* Free a space (NULL-safe) and set *ps to NULL. */
void atoll_space_destroy(atoll_space **ps);

/*
 * Add parameters. Names must match [A-Za-z_][A-Za-z0-9_]*, be unique and not be one of the
 * trial log's own columns. Real: low < high, both finite; log scale needs low > 0. Int: same,
 * integral bounds. Choice: at least one value, values unique and non-empty. Errors are
 * ATOLL_ERR_USAGE with a message that names the parameter (callers add file:line).
 */
int atoll_space_add_real(atoll_space *space, const char *name, double low, double high,
                         atoll_scale scale);
int atoll_space_add_int(atoll_space *space, const char *name, double low, double high,
                        atoll_scale scale);
int atoll_space_add_choice(atoll_space *space, const char *name, size_t n_values,
                           const char *const *values);

/* Index of the parameter called `name`, or -1. */
long atoll_space_find(const atoll_space *space, const char *name);

/* Whether `name` is a valid new parameter name (syntax and reserved words only). */
bool atoll_space_name_ok(const char *name);

/* Decode a unit-cube point (values outside [0,1] are clamped) into typed values. */
void atoll_space_decode(const atoll_space *space, const double *unit, atoll_value *values);
/* Encode typed values into the unit cube; ints and choices land at the centre of their cell,
 * so decode(encode(v)) == v for every valid v. */
void atoll_space_encode(const atoll_space *space, const atoll_value *values, double *unit);
/* Clamp a point into [0,1]^d and move int and choice coordinates to the centre of their cell
 * (encode(decode(u))): what operators call after they move a point. */
void atoll_space_snap(const atoll_space *space, double *unit);

/* Number of distinct values of parameter i (0 for a real parameter). */
size_t atoll_space_cardinality(const atoll_space *space, size_t i);

/* Print value `v` of parameter i as the trial log writes it: %.17g for reals, an integer for
 * ints, the string for choices. Returns what snprintf returns. */
int atoll_space_format(const atoll_space *space, size_t i, const atoll_value *v, char *buf,
                       size_t size);

/* Print the resolved space, one parameter a line, for `atoll check`. */
void atoll_space_print(const atoll_space *space, FILE *out);

#endif
