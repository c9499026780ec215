/* topology.h - who sends migrants to whom at each epoch: ring, full, random, torus. */
#ifndef ATOLL_CORE_TOPOLOGY_H
#define ATOLL_CORE_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How islands exchange individuals. */
typedef enum {
    ATOLL_TOPOLOGY_RING = 0,
    ATOLL_TOPOLOGY_FULL = 1,
    ATOLL_TOPOLOGY_RANDOM = 2,
    ATOLL_TOPOLOGY_TORUS = 3,
    ATOLL_TOPOLOGY_PAIRS = 4 /* not a migration choice: replica-exchange partners */
} atoll_topology;

/* Names as written in a config, NULL-terminated, in enum order. */
extern const char *const atoll_topology_names[];

/* Migration settings of a strategy that migrates. */
typedef struct {
    atoll_topology topology;
    long interval; /* epochs between migrations; 0 = never */
    long migrants; /* individuals sent to each neighbour */
    bool async;    /* send and take whatever has arrived, never wait (not reproducible) */
    bool move;     /* emigrants leave their island (immigrants take their places); else copies */
} atoll_migration;

/*
 * The neighbours of `island` among `n_islands` at migration `epoch`: the islands it sends to
 * (`to`) and receives from (`from`), each array of capacity n_islands, counts in *n_to and
 * *n_from. ring: i -> i+1. full: everyone else. random: a fresh random cycle through all
 * islands each epoch, drawn from (seed, epoch) only, so every island computes the same cycle
 * without talking. torus: islands on a rows x cols grid (cols the largest divisor of n_islands
 * not above its square root) wrapping at the edges; each exchanges with its four neighbours
 * (fewer when the grid is thin). pairs: neighbours on the ladder of islands, alternating by
 * round (the epoch argument): in even rounds 0-1, 2-3, ..., in odd rounds 1-2, 3-4, ... (an
 * island left without a partner has none). A single island has no neighbours. Returns
 * ATOLL_ERR_NOMEM or ATOLL_OK.
 */
int atoll_topology_neighbours(atoll_topology topology, int n_islands, int island, long epoch,
                              uint64_t seed, int *to, size_t *n_to, int *from, size_t *n_from);

#endif
