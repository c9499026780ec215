/* registry.c - the table of every objective, and lookup by name. */
#include <string.h>

#include "objective/objective.h"

extern const atoll_objective_type atoll_objective_bench;
extern const atoll_objective_type atoll_objective_sleep;
extern const atoll_objective_type atoll_objective_mlp;
extern const atoll_objective_type atoll_objective_forest;
extern const atoll_objective_type atoll_objective_linear;

/* Every objective, NULL-terminated; a new objective is one more row. */
const atoll_objective_type *const atoll_objectives[] = {
    &atoll_objective_bench, &atoll_objective_sleep,  &atoll_objective_mlp,
    &atoll_objective_forest, &atoll_objective_linear, NULL};

const char *const *atoll_objective_columns(const atoll_objective_type *type, const void *params)
{
    return type->columns ? type->columns(params) : NULL;
}

size_t atoll_objective_n_columns(const atoll_objective_type *type, const void *params)
{
    const char *const *names = atoll_objective_columns(type, params);
    size_t n = 0;
    while (names && names[n])
        n++;
    return n;
}

/* The objective whose name is `name` (exact match), or NULL. */
const atoll_objective_type *atoll_objective_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; atoll_objectives[i]; i++)
        if (strcmp(atoll_objectives[i]->name, name) == 0)
            return atoll_objectives[i];
    return NULL;
}
