/* random.c - the "random" strategy: independent uniform samples of the unit cube. */

/*
 * Pure random search (J. Bergstra & Y. Bengio, "Random search for hyper-parameter
 * optimization", JMLR 13, 2012): every point is drawn uniformly from [0,1]^d and snapped to
 * the space's grid. It never waits, has no epochs and takes part in no migration; it is the
 * baseline every other strategy must beat.
 */
#include <stdlib.h>

#include "core/error.h"
#include "core/rng.h"
#include "strategy/strategy.h"

#define RANDOM_SECTION "random"

typedef enum { RANDOM_UNIFORM = 0 } random_sampler;

static const char *const sampler_names[] = {"uniform", NULL};

typedef struct {
    int sampler;
} random_params;

/* The [random] keys and their defaults. */
static const random_params random_defaults = {
    .sampler = RANDOM_UNIFORM, /* sampler: uniform */
};

typedef struct {
    const random_params *par;
    const atoll_space *space;
    gsl_rng *rng;
    long next_ticket;
} random_state;

static int random_configure(atoll_config *cfg, const atoll_space *space, void **params,
                            atoll_migration *migration)
{
    (void)space;
    random_params p;
    ATOLL_CALL(atoll_config_get_enum(cfg, RANDOM_SECTION, "sampler",
                                     sampler_names[random_defaults.sampler], sampler_names,
                                     &p.sampler));
    random_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the random parameters");
    *out = p;
    migration->topology = ATOLL_TOPOLOGY_RING;
    migration->migrants = 0;
    migration->interval = 0;
    *params = out;
    return ATOLL_OK;
}

static void random_free_params(void *params)
{
    free(params);
}

static void random_destroy(void *state)
{
    random_state *st = state;
    if (!st)
        return;
    gsl_rng_free(st->rng);
    free(st);
}

static int random_create(const void *params, const atoll_space *space,
                         const atoll_strategy_env *env, void **state)
{
    if (space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "random: the search space has no parameters");
    random_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the random state");
    int rc = ATOLL_OK;
    st->par = params;
    st->space = space;
    st->rng = atoll_rng_stream(env->seed, ATOLL_STREAM_STRATEGY, (uint64_t)env->island);
    if (!st->rng) {
        rc = ATOLL_NOMEM("the random stream");
        goto fail;
    }
    *state = st;
    return ATOLL_OK;
fail:
    random_destroy(st);
    return rc;
}

static int random_ask(void *state, double *x, long *ticket, long *generation, bool *ready)
{
    random_state *st = state;
    for (size_t i = 0; i < st->space->n; i++)
        x[i] = gsl_rng_uniform(st->rng);
    atoll_space_snap(st->space, x);
    *ticket = st->next_ticket++;
    *generation = 0;
    *ready = true;
    return ATOLL_OK;
}

static int random_tell(void *state, long ticket, double score)
{
    random_state *st = state;
    (void)score;
    if (ticket < 0 || ticket >= st->next_ticket)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "random: unknown ticket %ld (never asked)", ticket);
    return ATOLL_OK;
}

static long random_epoch(const void *state)
{
    (void)state;
    return 0;
}

static size_t random_emigrants(void *state, size_t max, double *x, double *score)
{
    (void)state, (void)max, (void)x, (void)score;
    return 0;
}

static int random_immigrate(void *state, size_t n, const double *x, const double *score,
                            size_t *accepted)
{
    (void)state, (void)n, (void)x, (void)score;
    *accepted = 0;
    return ATOLL_OK;
}

/* The random strategy's type table, registered in registry.c. */
const atoll_strategy_type atoll_strategy_random = {
    .name = "random",
    .summary = "uniform random search of the unit cube (the baseline)",
    .configure = random_configure,
    .free_params = random_free_params,
    .create = random_create,
    .ask = random_ask,
    .tell = random_tell,
    .epoch = random_epoch,
    .emigrants = random_emigrants,
    .immigrate = random_immigrate,
    .destroy = random_destroy,
};
