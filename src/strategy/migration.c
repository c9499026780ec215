/* migration.c - the migration keys shared by every strategy that exchanges individuals. */
#include <limits.h>

#include "core/error.h"
#include "strategy/strategy.h"


/* The migration keys and their defaults. */
static const atoll_migration migration_defaults = {
    .topology = ATOLL_TOPOLOGY_RING, /* topology: ring | full | random | torus */
    .migrants = 2,                   /* migrants: individuals sent to each neighbour, >= 0 */
    .interval = 10,                  /* migration_interval: epochs between migrations; 0 never */
    .async = false,                  /* migration_mode: sync | async */
    .move = false,                   /* migrant_policy: copy | move */
};

static const char *const mode_names[] = {"sync", "async", NULL};
static const char *const policy_names[] = {"copy", "move", NULL};

/* Read topology, migrants, migration_interval, migration_mode and migrant_policy from
 * [section], with the defaults above; errors are usage errors located at the key. */
int atoll_migration_configure(atoll_config *cfg, const char *section, atoll_migration *out)
{
    const atoll_migration *d = &migration_defaults;
    int topology;
    long migrants, interval;
    ATOLL_CALL(atoll_config_get_enum(cfg, section, "topology", atoll_topology_names[d->topology],
                                     atoll_topology_names, &topology));
    ATOLL_CALL(atoll_config_get_long(cfg, section, "migrants", d->migrants, 0, 1000000,
                                     &migrants));
    ATOLL_CALL(atoll_config_get_long(cfg, section, "migration_interval", d->interval, 0, LONG_MAX,
                                     &interval));
    int mode;
    ATOLL_CALL(atoll_config_get_enum(cfg, section, "migration_mode", mode_names[d->async],
                                     mode_names, &mode));
    out->async = mode == 1;
    int policy;
    ATOLL_CALL(atoll_config_get_enum(cfg, section, "migrant_policy", policy_names[d->move],
                                     policy_names, &policy));
    out->move = policy == 1;
    out->topology = (atoll_topology)topology;
    out->migrants = migrants;
    out->interval = interval;
    return ATOLL_OK;
}
