/* grid.c - the "grid" strategy: every combination of a few values per parameter. */

/*
 * Grid search: the Cartesian product of a handful of values per parameter, evaluated in a
 * fixed order (the exhaustive baseline that J. Bergstra & Y. Bengio, "Random search for
 * hyper-parameter optimization", JMLR 13:281-305, 2012, compare random search against). With
 * N = [grid] points, each parameter gets these levels:
 *
 *   real    N values at the unit coordinates k/(N-1), k = 0..N-1: evenly spaced from low to
 *           high, both included; on a log scale the same coordinates space them evenly in log.
 *   int     min(N, cardinality) distinct values, low and high included, spread evenly over
 *           its values (linear) or in log space (log), each at the centre of its cell; where
 *           rounding would repeat a value the next one up is taken.
 *   choice  every value, in declaration order.
 *
 * The grid's size is the product of the level counts; more than 1e15 points is refused.
 * Enumeration order: a mixed-radix counter over the levels with the LAST parameter varying
 * fastest, as nested loops in declaration order would go. Grid point g is the run's trial g:
 * island i hands out points [budget_offset, budget_offset + budget), so islands split the grid
 * with no duplicate and no gap. When [run] evaluations is smaller than the grid, the run covers
 * only the first `evaluations` points in that order (the first parameters never reach their
 * upper levels); a budget larger than the grid is refused when the run starts.
 *
 * The grid never waits, has no epochs and takes part in no migration; tell accepts any ticket
 * it has issued.
 */
#include "strategy/grid.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "strategy/strategy.h"

#define GRID_SECTION "grid"

typedef struct {
    long points;
} grid_params;

/* The [grid] keys and their defaults. */
static const grid_params grid_defaults = {
    .points = 5, /* levels of each real (and at most of each int) parameter, >= 2 */
};

typedef struct {
    const grid_params *par;
    const atoll_space *space;
    size_t dim;
    int island;
    uint64_t *levels;    /* level count of each parameter */
    uint64_t *digits;    /* workspace: the level of each parameter */
    atoll_value *values; /* workspace: the point's values, for encoding */
    uint64_t first;      /* grid index of this island's first point */
    long budget;         /* points this island hands out */
    long next_ticket;
} grid_state;

/* ---------------------------------------------------------------- levels */

/* Number of levels of parameter i. */
static uint64_t level_count(const grid_params *par, const atoll_space *space, size_t i)
{
    const atoll_param *p = &space->params[i];
    uint64_t points = (uint64_t)par->points;
    switch (p->kind) {
    case ATOLL_PARAM_CHOICE:
        return p->n_choices;
    case ATOLL_PARAM_INT: {
        uint64_t cardinality = atoll_space_cardinality(space, i);
        return cardinality < points ? cardinality : points;
    }
    case ATOLL_PARAM_REAL:
        break;
    }
    return points;
}

/* Value of level k of m (m >= 2, m <= cardinality) of an int parameter: the rounded even
 * spacing, pushed up to low + k and down to high - (m-1-k) so that the m values are distinct
 * and increasing. */
static double int_level(const atoll_param *p, uint64_t k, uint64_t m)
{
    double t = (double)k / (double)(m - 1), target;
    if (p->scale == ATOLL_SCALE_LOG)
        target = exp(log(p->low) + t * (log(p->high) - log(p->low)));
    else
        target = p->low + t * (p->high - p->low);
    double v = fmax(round(target), p->low + (double)k);
    return fmin(v, p->high - (double)(m - 1 - k));
}

/* The grid size in a double (exact while at most ATOLL_GRID_MAX). */
static double grid_size(const grid_params *par, const atoll_space *space)
{
    double size = 1.0;
    for (size_t i = 0; i < space->n; i++)
        size *= (double)level_count(par, space, i);
    return size;
}

int atoll_grid_size(const void *params, const atoll_space *space, double *size)
{
    *size = grid_size(params, space);
    if (!(*size <= ATOLL_GRID_MAX))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "grid: %.6g points, more than %g", *size,
                           ATOLL_GRID_MAX);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- configuration */

static int grid_configure(atoll_config *cfg, const atoll_space *space, void **params,
                          atoll_migration *migration)
{
    grid_params p;
    ATOLL_CALL(atoll_config_get_long(cfg, GRID_SECTION, "points", grid_defaults.points, 2, LONG_MAX,
                                     &p.points));
    double size = grid_size(&p, space);
    if (!(size <= ATOLL_GRID_MAX))
        return atoll_config_error(cfg, GRID_SECTION, "points",
                                  "the grid has %.6g points, more than %g: lower points or "
                                  "narrow the space",
                                  size, ATOLL_GRID_MAX);
    grid_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the grid parameters");
    *out = p;
    migration->topology = ATOLL_TOPOLOGY_RING;
    migration->migrants = 0;
    migration->interval = 0;
    *params = out;
    return ATOLL_OK;
}

static void grid_free_params(void *params)
{
    free(params);
}

/* ---------------------------------------------------------------- the strategy */

static void grid_destroy(void *state)
{
    grid_state *st = state;
    if (!st)
        return;
    free(st->levels);
    free(st->digits);
    free(st->values);
    free(st);
}

static int grid_create(const void *params, const atoll_space *space, const atoll_strategy_env *env,
                       void **state)
{
    const grid_params *par = params;
    if (space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "grid: the search space has no parameters");
    double size = grid_size(par, space);
    if (!(size <= ATOLL_GRID_MAX))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "grid: %.6g points, more than %g", size,
                           ATOLL_GRID_MAX);
    if ((double)env->total_budget > size)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "grid has %.0f points but [run] evaluations is %ld: lower evaluations "
                           "to at most %.0f",
                           size, env->total_budget, size);
    grid_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the grid state");
    int rc = ATOLL_OK;
    st->par = par;
    st->space = space;
    st->dim = space->n;
    st->island = env->island;
    st->first = (uint64_t)env->budget_offset;
    st->budget = env->budget;
    st->levels = calloc(st->dim, sizeof *st->levels);
    st->digits = calloc(st->dim, sizeof *st->digits);
    st->values = calloc(st->dim, sizeof *st->values);
    if (!st->levels || !st->digits || !st->values) {
        rc = ATOLL_NOMEM("the grid state");
        goto fail;
    }
    for (size_t i = 0; i < st->dim; i++)
        st->levels[i] = level_count(par, space, i);
    *state = st;
    return ATOLL_OK;
fail:
    grid_destroy(st);
    return rc;
}

static int grid_ask(void *state, double *x, long *ticket, long *generation, bool *ready)
{
    grid_state *st = state;
    const atoll_space *space = st->space;
    if (st->next_ticket >= st->budget)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME,
                           "grid: island %d has handed out all %ld points of its share", st->island,
                           st->budget);
    uint64_t g = st->first + (uint64_t)st->next_ticket;
    for (size_t i = st->dim; i-- > 0;) {
        st->digits[i] = g % st->levels[i];
        g /= st->levels[i];
    }
    for (size_t i = 0; i < st->dim; i++) {
        const atoll_param *p = &space->params[i];
        atoll_value *v = &st->values[i];
        uint64_t k = st->digits[i];
        v->index = 0;
        v->str = NULL;
        v->num = p->low;
        if (p->kind == ATOLL_PARAM_INT) {
            v->num = int_level(p, k, st->levels[i]);
        } else if (p->kind == ATOLL_PARAM_CHOICE) {
            v->index = (size_t)k;
            v->num = (double)k;
            v->str = p->choices[k];
        }
    }
    atoll_space_encode(space, st->values, x);
    for (size_t i = 0; i < st->dim; i++)
        if (space->params[i].kind == ATOLL_PARAM_REAL)
            x[i] = (double)st->digits[i] / (double)(st->levels[i] - 1);
    atoll_space_snap(space, x);
    *ticket = st->next_ticket++;
    *generation = 0;
    *ready = true;
    return ATOLL_OK;
}

static int grid_tell(void *state, long ticket, double score)
{
    grid_state *st = state;
    (void)score;
    if (ticket < 0 || ticket >= st->next_ticket)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "grid: unknown ticket %ld (never asked)", ticket);
    return ATOLL_OK;
}

static long grid_epoch(const void *state)
{
    (void)state;
    return 0;
}

static size_t grid_emigrants(void *state, size_t max, double *x, double *score)
{
    (void)state, (void)max, (void)x, (void)score;
    return 0;
}

static int grid_immigrate(void *state, size_t n, const double *x, const double *score,
                          size_t *accepted)
{
    (void)state, (void)n, (void)x, (void)score;
    *accepted = 0;
    return ATOLL_OK;
}

/* The grid strategy's type table, registered in registry.c. */
static void grid_describe(const void *params, const atoll_space *space, FILE *out)
{
    double size = grid_size(params, space);
    fprintf(out, "grid: %.0f points (", size);
    for (size_t i = 0; i < space->n; i++) {
        fprintf(out, "%s%llu", i ? " x " : "",
                (unsigned long long)level_count(params, space, i));
    }
    fprintf(out, "), last parameter fastest\n");
}

/* ---------------------------------------------------------------- checkpoints */

static int grid_save(const void *state, atoll_wbuf *b)
{
    const grid_state *st = state;
    atoll_wbuf_i64(b, (int64_t)st->first);
    atoll_wbuf_i64(b, st->next_ticket);
    return atoll_wbuf_status(b, "the grid checkpoint");
}

static int grid_load(void *state, atoll_rbuf *r)
{
    grid_state *st = state;
    if (atoll_rbuf_i64(r) != (int64_t)st->first)
        return ATOLL_RAISE(ATOLL_ERR_IO, "grid: the checkpoint holds another island share");
    st->next_ticket = atoll_rbuf_range(r, 0, st->budget);
    return atoll_rbuf_status(r, "grid checkpoint");
}

const atoll_strategy_type atoll_strategy_grid = {
    .name = "grid",
    .summary = "grid search: every combination of [grid] points levels per parameter, in order",
    .configure = grid_configure,
    .free_params = grid_free_params,
    .create = grid_create,
    .ask = grid_ask,
    .tell = grid_tell,
    .epoch = grid_epoch,
    .emigrants = grid_emigrants,
    .immigrate = grid_immigrate,
    .destroy = grid_destroy,
    .describe = grid_describe,
    .save = grid_save,
    .load = grid_load,
};
