/* desc.h - the run description: a config file and overrides, validated once, read-only after. */
#ifndef ATOLL_RUN_DESC_H
#define ATOLL_RUN_DESC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/space.h"
#include "core/topology.h"
#include "objective/objective.h"
#include "strategy/strategy.h"

typedef struct {
    atoll_config *cfg; /* owned: the parsed file with its overrides */
    atoll_space *space;
    const atoll_strategy_type *strategy;
    void *strategy_params;
    atoll_migration migration;
    const atoll_objective_type *objective;
    void *objective_params;
    uint64_t seed;
    long evaluations;
    double time_limit; /* seconds; 0 = none */
    long max_failures; /* stop the run once this many trials did not succeed; 0 = never */
    double checkpoint_every;  /* seconds between periodic checkpoints; 0 = none */
    long checkpoint_migrations; /* also one every this many migration epochs; 0 = none */
    long checkpoint_keep;     /* checkpoint files kept (newest first), >= 2 */
    bool has_target;
    double target;
    atoll_direction direction;
    const char *out; /* borrowed from cfg */
    double progress_s;
    long islands;         /* 0 = one island per rank */
    int leader_evaluates; /* 0 no, 1 yes, 2 auto (= yes: on a helper thread when it has
                             workers, so dispatch never waits for it) */
} atoll_run_desc;

/*
 * Build the description of a run from the config file at `path` and `n_sets` overrides
 * "section.key=value" (applied in order); with path NULL the overrides alone make the config
 * (it is then named "--set" in messages). Reads [run], the [param NAME] sections, [objective]
 * and the strategy's own section; any error is ATOLL_ERR_USAGE with a FILE:LINE message.
 */
int atoll_desc_create(const char *path, const char *const *sets, size_t n_sets,
                      atoll_run_desc **out);

/* Free a description (NULL-safe) and set *pd to NULL. */
void atoll_desc_destroy(atoll_run_desc **pd);

/* Print what `atoll check` shows: the run settings and the resolved space. */
void atoll_desc_print(const atoll_run_desc *desc, FILE *out);

#endif
