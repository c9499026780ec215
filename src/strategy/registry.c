/* registry.c - the table of every strategy, and lookup by name. */
#include <string.h>

#include "strategy/strategy.h"

extern const atoll_strategy_type atoll_strategy_ga, atoll_strategy_random, atoll_strategy_grid;
extern const atoll_strategy_type atoll_strategy_sa;

/* Every strategy, NULL-terminated; a new strategy is one more row. */
const atoll_strategy_type *const atoll_strategies[] = {&atoll_strategy_ga, &atoll_strategy_random,
                                                       &atoll_strategy_grid, &atoll_strategy_sa,
                                                       NULL};

/* The strategy whose name is `name` (exact match), or NULL. */
const atoll_strategy_type *atoll_strategy_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; atoll_strategies[i]; i++)
        if (strcmp(atoll_strategies[i]->name, name) == 0)
            return atoll_strategies[i];
    return NULL;
}
