/* topology.c - neighbour sets of the migration topologies. */
#include "core/topology.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/rng.h"

const char *const atoll_topology_names[] = {"ring", "full", "random", "torus", NULL};

/* Add island j to a neighbour list unless it is `self` or already there. */
static void add_unique(int *list, size_t *n, int j, int self)
{
    if (j == self)
        return;
    for (size_t k = 0; k < *n; k++)
        if (list[k] == j)
            return;
    list[(*n)++] = j;
}

int atoll_topology_neighbours(atoll_topology topology, int n_islands, int island, long epoch,
                              uint64_t seed, int *to, size_t *n_to, int *from, size_t *n_from)
{
    *n_to = *n_from = 0;
    if (n_islands < 2)
        return ATOLL_OK;
    switch (topology) {
    case ATOLL_TOPOLOGY_RING:
        to[(*n_to)++] = (island + 1) % n_islands;
        from[(*n_from)++] = (island + n_islands - 1) % n_islands;
        break;
    case ATOLL_TOPOLOGY_FULL:
        for (int j = 0; j < n_islands; j++)
            if (j != island) {
                to[(*n_to)++] = j;
                from[(*n_from)++] = j;
            }
        break;
    case ATOLL_TOPOLOGY_TORUS: {
        int cols = 1;
        for (int c = 1; (long)c * c <= n_islands; c++)
            if (n_islands % c == 0)
                cols = c;
        int rows = n_islands / cols, r = island / cols, c = island % cols;
        int around[4] = {r * cols + (c + 1) % cols, r * cols + (c + cols - 1) % cols,
                         ((r + 1) % rows) * cols + c, ((r + rows - 1) % rows) * cols + c};
        for (int k = 0; k < 4; k++) {
            add_unique(to, n_to, around[k], island);
            add_unique(from, n_from, around[k], island);
        }
        break;
    }
    case ATOLL_TOPOLOGY_PAIRS: {
        int partner = ((island + epoch) % 2 == 0) ? island + 1 : island - 1;
        if (partner >= 0 && partner < n_islands) {
            to[(*n_to)++] = partner;
            from[(*n_from)++] = partner;
        }
        break;
    }
    case ATOLL_TOPOLOGY_RANDOM: {
        gsl_rng *rng = atoll_rng_stream(seed, ATOLL_STREAM_TOPOLOGY, (uint64_t)epoch);
        int *cycle = malloc((size_t)n_islands * sizeof *cycle);
        if (!rng || !cycle) {
            gsl_rng_free(rng);
            free(cycle);
            return ATOLL_NOMEM("a migration cycle");
        }
        for (int j = 0; j < n_islands; j++)
            cycle[j] = j;
        gsl_ran_shuffle(rng, cycle, (size_t)n_islands, sizeof *cycle);
        for (int p = 0; p < n_islands; p++)
            if (cycle[p] == island) {
                to[(*n_to)++] = cycle[(p + 1) % n_islands];
                from[(*n_from)++] = cycle[(p + n_islands - 1) % n_islands];
            }
        gsl_rng_free(rng);
        free(cycle);
        break;
    }
    }
    return ATOLL_OK;
}
