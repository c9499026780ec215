/* strategy.h - the search-algorithm interface: a const type table, one per algorithm. */
#ifndef ATOLL_STRATEGY_H
#define ATOLL_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ckpt.h"
#include "core/config.h"
#include "core/space.h"
#include "core/topology.h"

/* Read `topology`, `migrants`, `migration_interval`, `migration_mode` and `migrant_policy`
 * from [section] (shared by every strategy that migrates). */
int atoll_migration_configure(atoll_config *cfg, const char *section, atoll_migration *out);

/* What a strategy instance knows of its place in the run. It never knows ranks or MPI. */
typedef struct {
    uint64_t seed;
    int island;
    int n_islands;
    long budget;        /* evaluations this island spends */
    long budget_offset; /* evaluations of the islands below: this island's first trial id */
    long total_budget;  /* evaluations of the whole run */
} atoll_strategy_env;

/*
 * A strategy works in the unit cube and minimises a score (the run turns maximisation into
 * minimisation and failures into +INFINITY). The caller owns the loop:
 *
 *     ask -> evaluate -> tell, and at each epoch boundary: emigrants -> (comm) -> immigrate
 *
 * Tickets tie a tell to its ask; results may come back in any order.
 */
typedef struct atoll_strategy_type {
    const char *name;    /* as written in [run] strategy */
    const char *summary; /* one line for --help and the README */
    /* Read and validate the strategy's own section; *params is owned by the caller and freed
     * with free_params. *migration gets the migration settings (interval 0: never). */
    int (*configure)(atoll_config *cfg, const atoll_space *space, void **params,
                     atoll_migration *migration);
    void (*free_params)(void *params);
    /* Make one island's state. `space` and `params` are borrowed for the state's life. */
    int (*create)(const void *params, const atoll_space *space, const atoll_strategy_env *env,
                  void **state);
    /* Propose the next point into x[0..dim). *ready = false (and nothing else written) when it
     * must wait for outstanding results first, e.g. at a generation barrier. */
    int (*ask)(void *state, double *x, long *ticket, long *generation, bool *ready);
    /* Report the score of ticket's point (lower is better; +INFINITY for a failed trial). */
    int (*tell)(void *state, long ticket, double score);
    /* Completed epochs (generations) so far; migration happens when this advances. */
    long (*epoch)(const void *state);
    /* Copy up to `max` of its best individuals (never a failed one) into x (max*dim) and
     * score; returns how many. With migrant_policy = move they are marked as leaving: the
     * next immigrate puts immigrants in their places. */
    size_t (*emigrants)(void *state, size_t max, double *x, double *score);
    /* Offer n immigrants; the strategy replaces its worst with the better ones (move: first
     * the individuals that left, whatever the immigrants' scores) and says how many it took. */
    int (*immigrate)(void *state, size_t n, const double *x, const double *score,
                     size_t *accepted);
    void (*destroy)(void *state);
    /* Optional state exchange between partner islands (replica exchange / parallel
     * tempering). `exchanges` says whether this island takes part; exchange_state gives the
     * current state (x, score, temperature); exchange_accept applies the swap rule to the
     * partner's state with a uniform u that both partners share, and says if they swapped. */
    bool (*exchanges)(const void *state);
    int (*exchange_state)(void *state, double *x, double *score, double *temperature);
    int (*exchange_accept)(void *state, const double *x, double score, double temperature,
                           double u, bool *swapped);
    /* Optional: print facts about these settings for `atoll check` (e.g. the grid size). */
    void (*describe)(const void *params, const atoll_space *space, FILE *out);
    /* Checkpoints: append the island's whole state (random streams included, workspaces
     * not) to `b`; restore it into a state fresh from create with the same params, space and
     * env. Outstanding tickets are part of the state: their results are told after load.
     * A state that does not fit (another population size, a corrupt value) is
     * ATOLL_ERR_IO and leaves the state unusable. */
    int (*save)(const void *state, atoll_wbuf *b);
    int (*load)(void *state, atoll_rbuf *r);
} atoll_strategy_type;

/* NULL-terminated table of every strategy. */
extern const atoll_strategy_type *const atoll_strategies[];

/* Look a strategy up by name, or NULL. */
const atoll_strategy_type *atoll_strategy_lookup(const char *name);

#endif
