/* desc.c - read [run], the space, the objective and the strategy into a run description. */
#include "run/desc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/paramspec.h"

static const char *const direction_names[] = {"minimize", "maximize", NULL};

/* Names of the registered entries of a NULL-terminated table, for enum getters. */
static int names_of(const void *const *table, size_t name_offset, const char ***out)
{
    size_t n = 0;
    while (table[n])
        n++;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names)
        return ATOLL_NOMEM("a name table");
    for (size_t i = 0; i < n; i++)
        names[i] = *(const char *const *)((const char *)table[i] + name_offset);
    *out = names;
    return ATOLL_OK;
}

static int read_run(atoll_run_desc *d, int *strategy_index)
{
    atoll_config *cfg = d->cfg;
    const char **names = NULL;
    ATOLL_CALL(names_of((const void *const *)atoll_strategies,
                        offsetof(atoll_strategy_type, name), &names));
    int rc = atoll_config_get_enum(cfg, "run", "strategy", "ga", names, strategy_index);
    free(names);
    ATOLL_CALL(rc);
    long seed;
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "seed", 1, 0, 0x7fffffffffffffffL, &seed));
    d->seed = (uint64_t)seed;
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "evaluations", 1000, 1, 1000000000000L,
                                     &d->evaluations));
    ATOLL_CALL(atoll_config_get_double(cfg, "run", "time_limit", 0, 0, 1e9, &d->time_limit));
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "max_failures", 0, 0, 1000000000000L,
                                     &d->max_failures));
    ATOLL_CALL(atoll_config_get_double(cfg, "run", "checkpoint_every", 300, 0, 1e9,
                                       &d->checkpoint_every));
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "checkpoint_migrations", 0, 0, 1000000000L,
                                     &d->checkpoint_migrations));
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "checkpoint_keep", 3, 2, 1000,
                                     &d->checkpoint_keep));
    d->has_target = atoll_config_has(cfg, "run", "target");
    if (d->has_target)
        ATOLL_CALL(atoll_config_require_double(cfg, "run", "target", &d->target));
    ATOLL_CALL(atoll_config_get_string(cfg, "run", "out", "runs/atoll", true, &d->out));
    if (atoll_path_climbs(d->out))
        return atoll_config_error(cfg, "run", "out",
                                  "a '..' component is not allowed (got '%.120s'); give an "
                                  "absolute path or one below the current folder",
                                  d->out);
    ATOLL_CALL(atoll_config_get_double(cfg, "run", "progress", 5, 0.1, 86400, &d->progress_s));
    ATOLL_CALL(atoll_config_get_long(cfg, "run", "islands", 0, 0, 1000000, &d->islands));
    static const char *const leader_modes[] = {"no", "yes", "auto", NULL};
    ATOLL_CALL(atoll_config_get_enum(cfg, "run", "leader_evaluates", "auto", leader_modes,
                                     &d->leader_evaluates));
    return ATOLL_OK;
}

int atoll_desc_create(const char *path, const char *const *sets, size_t n_sets,
                      atoll_run_desc **out)
{
    int rc = ATOLL_OK;
    atoll_run_desc *d = calloc(1, sizeof *d);
    if (!d)
        return ATOLL_NOMEM("a run description");
    /* Without a file the overrides make the whole config: start from an empty [run]. */
    if (path)
        ATOLL_CALL_GOTO(rc, atoll_config_load(path, &d->cfg));
    else
        ATOLL_CALL_GOTO(rc, atoll_config_load_string("[run]\n", "--set", &d->cfg));
    for (size_t i = 0; i < n_sets; i++)
        ATOLL_CALL_GOTO(rc, atoll_config_set(d->cfg, sets[i]));

    int strategy_index = 0;
    ATOLL_CALL_GOTO(rc, read_run(d, &strategy_index));
    d->strategy = atoll_strategies[strategy_index];

    ATOLL_CALL_GOTO(rc, atoll_space_create(&d->space));
    ATOLL_CALL_GOTO(rc, atoll_space_from_config(d->cfg, d->space));

    /* The built-in objectives, then those registered by a program (atoll_register_objective). */
    size_t n_objectives = atoll_objective_count();
    const char **names = calloc(n_objectives + 1, sizeof *names);
    if (!names) {
        rc = ATOLL_NOMEM("a name table");
        goto fail;
    }
    for (size_t i = 0; i < n_objectives; i++)
        names[i] = atoll_objective_at(i)->name;
    int objective_index = 0;
    rc = atoll_config_require_enum(d->cfg, "objective", "type", names, &objective_index);
    free(names);
    if (rc != ATOLL_OK)
        goto fail;
    d->objective = atoll_objective_at((size_t)objective_index);
    ATOLL_CALL_GOTO(rc, d->objective->configure(d->cfg, d->space, &d->objective_params));
    if (d->space->n == 0) {
        rc = atoll_config_error(d->cfg, "objective", "type",
                                "the search space is empty: add [param NAME] sections");
        goto fail;
    }

    ATOLL_CALL_GOTO(rc, d->strategy->configure(d->cfg, d->space, &d->strategy_params,
                                               &d->migration));

    /* Sections of the other strategies may stay in the file (so `--set run.strategy=...`
     * switches without editing it); they are still validated, so typos never hide. */
    for (size_t i = 0; atoll_strategies[i]; i++) {
        const atoll_strategy_type *other = atoll_strategies[i];
        if (other == d->strategy || !atoll_config_has_section(d->cfg, other->name))
            continue;
        void *params = NULL;
        atoll_migration unused;
        ATOLL_CALL_GOTO(rc, other->configure(d->cfg, d->space, &params, &unused));
        other->free_params(params);
    }

    int direction = (int)d->objective->direction(d->objective_params);
    ATOLL_CALL_GOTO(rc, atoll_config_get_enum(d->cfg, "run", "direction",
                                              direction_names[direction], direction_names,
                                              &direction));
    d->direction = (atoll_direction)direction;
    ATOLL_CALL_GOTO(rc, atoll_config_check_unused(d->cfg));
    *out = d;
    return ATOLL_OK;
fail:
    atoll_desc_destroy(&d);
    return rc;
}

void atoll_desc_destroy(atoll_run_desc **pd)
{
    if (!pd || !*pd)
        return;
    atoll_run_desc *d = *pd;
    if (d->strategy && d->strategy_params)
        d->strategy->free_params(d->strategy_params);
    if (d->objective && d->objective_params)
        d->objective->free_params(d->objective_params);
    atoll_space_destroy(&d->space);
    atoll_config_destroy(&d->cfg);
    free(d);
    *pd = NULL;
}

void atoll_desc_print(const atoll_run_desc *d, FILE *out)
{
    fprintf(out, "config: %s\n", atoll_config_path(d->cfg));
    fprintf(out, "strategy: %s\n", d->strategy->name);
    fprintf(out, "objective: %s\n", d->objective->name);
    fprintf(out, "evaluations: %ld\n", d->evaluations);
    fprintf(out, "seed: %llu\n", (unsigned long long)d->seed);
    fprintf(out, "direction: %s\n", direction_names[d->direction]);
    if (d->time_limit > 0)
        fprintf(out, "time_limit: %g s\n", d->time_limit);
    if (d->max_failures > 0)
        fprintf(out, "max_failures: %ld\n", d->max_failures);
    fprintf(out, "checkpoints: every %g s (0: on signals only), every %ld migrations (0: "
            "never), keep %ld\n",
            d->checkpoint_every, d->checkpoint_migrations, d->checkpoint_keep);
    if (d->has_target)
        fprintf(out, "target: %.17g\n", d->target);
    if (d->migration.interval > 0 && d->migration.migrants > 0)
        fprintf(out, "migration: %ld migrants every %ld epochs, %s topology\n",
                d->migration.migrants, d->migration.interval,
                atoll_topology_names[d->migration.topology]);
    else
        fprintf(out, "migration: none\n");
    if (d->islands > 0)
        fprintf(out, "islands: %ld\n", d->islands);
    else
        fprintf(out, "islands: one per rank\n");
    fprintf(out, "out: %s\n", d->out);
    if (d->strategy->describe)
        d->strategy->describe(d->strategy_params, d->space, out);
    atoll_space_print(d->space, out);
}
