/* ga.c - the "ga" strategy: an island-model real-coded genetic algorithm on the unit cube. */

/*
 * A real-coded GA that minimises. Parents are picked by tournament; children come from
 * bounded simulated binary crossover (K. Deb & R. B. Agrawal, "Simulated binary crossover for
 * continuous search space", Complex Systems 9:115-148, 1995) or BLX-alpha blend crossover
 * (L. J. Eshelman & J. D. Schaffer, "Real-coded genetic algorithms and interval-schemata",
 * FOGA 2, 1993), then bounded polynomial mutation (K. Deb & M. Goyal, "A combined genetic
 * adaptive search (GeneAS) for engineering design", Computer Science and Informatics
 * 26(4):30-45, 1996) or a reflected Gaussian step. The bounded forms of SBX and polynomial
 * mutation follow the NSGA-II reference code (Deb, Pratap, Agarwal & Meyarivan, IEEE TEC 6(2),
 * 2002), so children never leave [0,1]. Every child is snapped to the space's grid (ints and
 * choices at cell centres).
 *
 * Generational schedule: a generation is handed out point by point and waits at a barrier
 * until every result is in; the next one keeps the `elitism` best and breeds the rest.
 * Steady-state schedule (Whitley's GENITOR, 1989): each ask breeds one child and each tell
 * replaces the worst member when the child is better; at most `population` children are in
 * flight (ask waits beyond that). It is asynchronous from the start: the initial points sit in
 * the population as unscored (+inf) members, which lose every tournament, and each initial
 * result takes its place as it lands, so breeding begins once two results are in instead of
 * waiting for the slowest initial evaluation. Immigrants replace the worst.
 */
#include <float.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "strategy/ga_ops.h"
#include "strategy/strategy.h"

#define GA_SECTION "ga"
#define GA_MAX_POPULATION 1000000L

typedef enum { GA_SBX = 0, GA_BLEND = 1 } ga_crossover;
typedef enum { GA_POLYNOMIAL = 0, GA_GAUSSIAN = 1 } ga_mutation;
typedef enum { GA_UNIFORM = 0, GA_LHS = 1 } ga_init;
typedef enum { GA_GENERATIONAL = 0, GA_STEADY = 1 } ga_schedule;

static const char *const crossover_names[] = {"sbx", "blend", NULL};
static const char *const mutation_names[] = {"polynomial", "gaussian", NULL};
static const char *const init_names[] = {"uniform", "lhs", NULL};
static const char *const schedule_names[] = {"generational", "steady", NULL};

typedef struct {
    long population;
    long tournament;
    long elitism;
    int crossover;
    double crossover_rate;
    double eta_c;
    double blend_alpha;
    int mutation;
    double mutation_rate;
    double eta_m;
    double sigma;
    int init;
    int schedule;
    bool move; /* migrant_policy = move */
} ga_params;

/* The [ga] keys and their defaults (plus topology, migrants, migration_interval). */
static const ga_params ga_defaults = {
    .population = 50,            /* individuals per island, 2..1000000 */
    .tournament = 3,             /* tournament size, 1..population (default capped at population) */
    .elitism = 2,                /* best kept per generation, 0..population-1 (capped likewise) */
    .crossover = GA_SBX,         /* sbx | blend */
    .crossover_rate = 0.9,       /* probability that a pair of parents is crossed, 0..1 */
    .eta_c = 15.0,               /* SBX distribution index, > 0 */
    .blend_alpha = 0.5,          /* BLX-alpha widening, >= 0 */
    .mutation = GA_POLYNOMIAL,   /* polynomial | gaussian */
    .mutation_rate = 0.0,        /* per-gene probability, 0..1; 0 here stands for 1/dimension */
    .eta_m = 20.0,               /* polynomial mutation distribution index, > 0 */
    .sigma = 0.1,                /* gaussian step in the unit cube, > 0 */
    .init = GA_LHS,              /* uniform | lhs (Latin hypercube) */
    .schedule = GA_GENERATIONAL, /* generational | steady */
};

typedef struct {
    const ga_params *par;
    const atoll_space *space;
    size_t dim;
    size_t size;    /* population size */
    size_t n_elite; /* generational only */
    gsl_rng *rng;

    /* The population, best first; meaningful once have_population. */
    double *pop_x, *pop_score;
    bool have_population;

    /* The batch: the initial population, then (generational) each generation's children. */
    double *batch_x, *batch_score;
    bool *batch_told;
    size_t batch_n, batch_asked, batch_done;
    long batch_ticket; /* ticket of batch slot 0; slots are asked in order */
    long generation;   /* generation of the batch's points = completed generations */
    bool breed_pending;

    /* Steady-state children in flight: `size` slots, ticket -1 when free. */
    double *flight_x;
    long *flight_ticket;
    long steady_told;
    size_t n_scored; /* steady: initial results in the population so far */

    /* Workspaces: merge input, sort permutation, a spare child. */
    double *merge_x, *merge_score;
    size_t *order, *order_tmp;
    double *spare;

    /* migrant_policy = move: copies of the emigrants that left at the last migration. */
    double *departed_x;
    size_t n_departed;

    long next_ticket;
    long immigrants_accepted;
} ga_state;

/* ---------------------------------------------------------------- operators */

static double clamp01(double u)
{
    if (!(u >= 0.0)) /* also NaN */
        return 0.0;
    return u > 1.0 ? 1.0 : u;
}

/* The spread factor of bounded SBX for a uniform draw u, where beta measures the room between
 * the parents and the nearer bound; the result never exceeds beta, so the child stays inside. */
static double sbx_spread(double u, double beta, double eta)
{
    double alpha = 2.0 - pow(beta, -(eta + 1.0));
    if (u <= 1.0 / alpha)
        return pow(u * alpha, 1.0 / (eta + 1.0));
    return pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

/* Bounded SBX gene by gene; children in [0,1] (contract in ga_ops.h). */
void atoll_ga_sbx(const double *parent1, const double *parent2, double *child1, double *child2,
                  size_t n, double eta, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        double y1 = clamp01(parent1[i]), y2 = clamp01(parent2[i]);
        if (gsl_rng_uniform(rng) >= 0.5 || fabs(y1 - y2) <= 1e-14) {
            child1[i] = y1;
            child2[i] = y2;
            continue;
        }
        double lo = fmin(y1, y2), hi = fmax(y1, y2), span = hi - lo;
        double u = gsl_rng_uniform(rng);
        double c1 = 0.5 * (lo + hi - sbx_spread(u, 1.0 + 2.0 * lo / span, eta) * span);
        double c2 = 0.5 * (lo + hi + sbx_spread(u, 1.0 + 2.0 * (1.0 - hi) / span, eta) * span);
        c1 = clamp01(c1);
        c2 = clamp01(c2);
        if (gsl_rng_uniform(rng) < 0.5) {
            child1[i] = c2;
            child2[i] = c1;
        } else {
            child1[i] = c1;
            child2[i] = c2;
        }
    }
}

/* BLX-alpha cut to [0,1] (contract in ga_ops.h). */
void atoll_ga_blend(const double *parent1, const double *parent2, double *child1,
                    double *child2, size_t n, double alpha, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        double y1 = clamp01(parent1[i]), y2 = clamp01(parent2[i]);
        double lo = fmin(y1, y2), hi = fmax(y1, y2), widen = alpha * (hi - lo);
        double a = fmax(0.0, lo - widen), b = fmin(1.0, hi + widen);
        child1[i] = clamp01(a + (b - a) * gsl_rng_uniform(rng));
        child2[i] = clamp01(a + (b - a) * gsl_rng_uniform(rng));
    }
}

/* Bounded polynomial mutation in place (contract in ga_ops.h). */
void atoll_ga_polynomial(double *x, size_t n, double rate, double eta, gsl_rng *rng)
{
    double power = 1.0 / (eta + 1.0);
    for (size_t i = 0; i < n; i++) {
        if (gsl_rng_uniform(rng) >= rate)
            continue;
        double y = clamp01(x[i]);
        double u = gsl_rng_uniform(rng), step;
        if (u < 0.5) {
            double v = 2.0 * u + (1.0 - 2.0 * u) * pow(1.0 - y, eta + 1.0);
            step = pow(v, power) - 1.0; /* in [-y, 0] */
        } else {
            double v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow(y, eta + 1.0);
            step = 1.0 - pow(v, power); /* in [0, 1 - y] */
        }
        x[i] = clamp01(y + step);
    }
}

/* Fold any real into [0,1] by reflecting at 0 and 1. */
static double reflect01(double y)
{
    if (!isfinite(y))
        return 0.5;
    y = fabs(fmod(y, 2.0));
    return y <= 1.0 ? y : 2.0 - y;
}

/* Reflected Gaussian mutation in place (contract in ga_ops.h). */
void atoll_ga_gaussian(double *x, size_t n, double rate, double sigma, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        if (gsl_rng_uniform(rng) >= rate)
            continue;
        x[i] = clamp01(reflect01(clamp01(x[i]) + gsl_ran_gaussian(rng, sigma)));
    }
}

/* Index of the best of k uniform draws, ties to the lower index (contract in ga_ops.h). */
size_t atoll_ga_tournament(const double *score, size_t n, size_t k, gsl_rng *rng)
{
    size_t best = gsl_rng_uniform_int(rng, n);
    for (size_t j = 1; j < k; j++) {
        size_t c = gsl_rng_uniform_int(rng, n);
        if (score[c] < score[best] || (score[c] == score[best] && c < best))
            best = c;
    }
    return best;
}

/* ---------------------------------------------------------------- configuration */

static long min_long(long a, long b)
{
    return a < b ? a : b;
}

/* Read a distribution index or step that must be strictly positive. */
static int get_positive(atoll_config *cfg, const char *key, double def, double *out)
{
    ATOLL_CALL(atoll_config_get_double(cfg, GA_SECTION, key, def, 0.0, DBL_MAX, out));
    if (!(*out > 0.0))
        return atoll_config_error(cfg, GA_SECTION, key, "must be > 0 (got %g)", *out);
    return ATOLL_OK;
}

static int ga_configure(atoll_config *cfg, const atoll_space *space, void **params,
                        atoll_migration *migration)
{
    const ga_params *d = &ga_defaults;
    ga_params p;
    const char *S = GA_SECTION;

    ATOLL_CALL(atoll_config_get_long(cfg, S, "population", d->population, 2, GA_MAX_POPULATION,
                                     &p.population));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "tournament", min_long(d->tournament, p.population),
                                     1, LONG_MAX, &p.tournament));
    if (p.tournament > p.population)
        return atoll_config_error(cfg, S, "tournament", "must be <= population (%ld) (got %ld)",
                                  p.population, p.tournament);
    ATOLL_CALL(atoll_config_get_long(cfg, S, "elitism", min_long(d->elitism, p.population - 1),
                                     0, LONG_MAX, &p.elitism));
    if (p.elitism >= p.population)
        return atoll_config_error(cfg, S, "elitism", "must be < population (%ld) (got %ld)",
                                  p.population, p.elitism);

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "crossover", crossover_names[d->crossover],
                                     crossover_names, &p.crossover));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "crossover_rate", d->crossover_rate, 0.0, 1.0,
                                       &p.crossover_rate));
    ATOLL_CALL(get_positive(cfg, "eta_c", d->eta_c, &p.eta_c));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "blend_alpha", d->blend_alpha, 0.0, DBL_MAX,
                                       &p.blend_alpha));

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "mutation", mutation_names[d->mutation],
                                     mutation_names, &p.mutation));
    double per_gene = 1.0 / (double)(space->n > 0 ? space->n : 1);
    ATOLL_CALL(atoll_config_get_double(cfg, S, "mutation_rate", per_gene, 0.0, 1.0,
                                       &p.mutation_rate));
    ATOLL_CALL(get_positive(cfg, "eta_m", d->eta_m, &p.eta_m));
    ATOLL_CALL(get_positive(cfg, "sigma", d->sigma, &p.sigma));

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "init", init_names[d->init], init_names, &p.init));
    ATOLL_CALL(atoll_config_get_enum(cfg, S, "schedule", schedule_names[d->schedule],
                                     schedule_names, &p.schedule));
    ATOLL_CALL(atoll_migration_configure(cfg, S, migration));
    p.move = migration->move;

    ga_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the ga parameters");
    *out = p;
    *params = out;
    return ATOLL_OK;
}

static void ga_free_params(void *params)
{
    free(params);
}

/* ---------------------------------------------------------------- population bookkeeping */

/* Stable ascending sort of score[0..n) as a permutation in order[] (tmp: n scratch slots). */
static void sort_order(const double *score, size_t n, size_t *order, size_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = score[order[b]] < score[order[a]] ? order[b++] : order[a++];
            while (a < mid)
                tmp[k++] = order[a++];
            while (b < hi)
                tmp[k++] = order[b++];
        }
        memcpy(order, tmp, n * sizeof *order);
    }
}

/* Put (x, score) in place of the worst member and move it up to keep the population sorted
 * (after any members with an equal score). `x` must not point into the population. */
static void replace_worst(ga_state *st, const double *x, double score)
{
    size_t dim = st->dim, pos = st->size - 1;
    while (pos > 0 && score < st->pop_score[pos - 1])
        pos--;
    size_t moved = st->size - 1 - pos;
    memmove(st->pop_x + (pos + 1) * dim, st->pop_x + pos * dim, moved * dim * sizeof(double));
    memmove(st->pop_score + pos + 1, st->pop_score + pos, moved * sizeof(double));
    memcpy(st->pop_x + pos * dim, x, dim * sizeof(double));
    st->pop_score[pos] = score;
}

static void start_batch(ga_state *st, size_t n)
{
    st->batch_n = n;
    st->batch_asked = 0;
    st->batch_done = 0;
    st->batch_ticket = st->next_ticket;
    memset(st->batch_told, 0, st->size * sizeof *st->batch_told);
}

/* The first generation: a Latin hypercube (one point per stratum of every axis) or uniform. */
static void initial_population(ga_state *st)
{
    size_t n = st->size, dim = st->dim;
    if (st->par->init == GA_LHS) {
        for (size_t d = 0; d < dim; d++) {
            for (size_t i = 0; i < n; i++)
                st->order[i] = i;
            gsl_ran_shuffle(st->rng, st->order, n, sizeof *st->order);
            for (size_t i = 0; i < n; i++)
                st->batch_x[i * dim + d] =
                    ((double)st->order[i] + gsl_rng_uniform(st->rng)) / (double)n;
        }
    } else {
        for (size_t i = 0; i < n * dim; i++)
            st->batch_x[i] = gsl_rng_uniform(st->rng);
    }
    for (size_t i = 0; i < n; i++)
        atoll_space_snap(st->space, st->batch_x + i * dim);
    start_batch(st, n);
}

static void mutate(ga_state *st, double *x)
{
    const ga_params *p = st->par;
    if (p->mutation == GA_GAUSSIAN)
        atoll_ga_gaussian(x, st->dim, p->mutation_rate, p->sigma, st->rng);
    else
        atoll_ga_polynomial(x, st->dim, p->mutation_rate, p->eta_m, st->rng);
}

/* Two children of two tournament winners: crossover (or copies), mutation, snap. */
static void breed_pair(ga_state *st, double *child1, double *child2)
{
    const ga_params *p = st->par;
    size_t k = (size_t)p->tournament, dim = st->dim;
    const double *a = st->pop_x + atoll_ga_tournament(st->pop_score, st->size, k, st->rng) * dim;
    const double *b = st->pop_x + atoll_ga_tournament(st->pop_score, st->size, k, st->rng) * dim;
    if (gsl_rng_uniform(st->rng) < p->crossover_rate) {
        if (p->crossover == GA_BLEND)
            atoll_ga_blend(a, b, child1, child2, dim, p->blend_alpha, st->rng);
        else
            atoll_ga_sbx(a, b, child1, child2, dim, p->eta_c, st->rng);
    } else {
        memcpy(child1, a, dim * sizeof(double));
        memcpy(child2, b, dim * sizeof(double));
    }
    mutate(st, child1);
    mutate(st, child2);
    atoll_space_snap(st->space, child1);
    atoll_space_snap(st->space, child2);
}

/* Generational: the children of the next generation, into the batch. */
static void breed_generation(ga_state *st)
{
    size_t n = st->size - st->n_elite, dim = st->dim;
    for (size_t k = 0; k < n; k += 2) {
        double *child1 = st->batch_x + k * dim;
        double *child2 = k + 1 < n ? child1 + dim : st->spare;
        breed_pair(st, child1, child2);
    }
    start_batch(st, n);
}

/* Every result of the batch is in: the elites and the batch become the sorted population. */
static void complete_batch(ga_state *st)
{
    size_t dim = st->dim, m = 0;
    if (st->have_population) {
        m = st->n_elite;
        memcpy(st->merge_x, st->pop_x, m * dim * sizeof(double));
        memcpy(st->merge_score, st->pop_score, m * sizeof(double));
    }
    memcpy(st->merge_x + m * dim, st->batch_x, st->batch_n * dim * sizeof(double));
    memcpy(st->merge_score + m, st->batch_score, st->batch_n * sizeof(double));
    m += st->batch_n;
    sort_order(st->merge_score, m, st->order, st->order_tmp);
    for (size_t r = 0; r < m; r++) {
        memcpy(st->pop_x + r * dim, st->merge_x + st->order[r] * dim, dim * sizeof(double));
        st->pop_score[r] = st->merge_score[st->order[r]];
    }
    st->have_population = true;
    st->generation++;
    if (st->par->schedule == GA_GENERATIONAL)
        st->breed_pending = true; /* at the next ask, after any immigrants */
}

/* ---------------------------------------------------------------- the strategy */

static void ga_destroy(void *state)
{
    ga_state *st = state;
    if (!st)
        return;
    gsl_rng_free(st->rng);
    free(st->pop_x);
    free(st->pop_score);
    free(st->batch_x);
    free(st->batch_score);
    free(st->batch_told);
    free(st->flight_x);
    free(st->flight_ticket);
    free(st->merge_x);
    free(st->merge_score);
    free(st->order);
    free(st->order_tmp);
    free(st->spare);
    free(st->departed_x);
    free(st);
}

static int ga_create(const void *params, const atoll_space *space, const atoll_strategy_env *env,
                     void **state)
{
    const ga_params *par = params;
    if (space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "ga: the search space has no parameters");
    ga_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the ga state");
    int rc = ATOLL_OK;
    size_t n = (size_t)par->population, dim = space->n;
    st->par = par;
    st->space = space;
    st->dim = dim;
    st->size = n;
    st->n_elite = (size_t)par->elitism;
    st->rng = atoll_rng_stream(env->seed, ATOLL_STREAM_STRATEGY, (uint64_t)env->island);
    if (!st->rng) {
        rc = ATOLL_NOMEM("the ga random stream");
        goto fail;
    }
    st->pop_x = calloc(n * dim, sizeof *st->pop_x);
    st->pop_score = calloc(n, sizeof *st->pop_score);
    st->batch_x = calloc(n * dim, sizeof *st->batch_x);
    st->batch_score = calloc(n, sizeof *st->batch_score);
    st->batch_told = calloc(n, sizeof *st->batch_told);
    st->flight_x = calloc(n * dim, sizeof *st->flight_x);
    st->flight_ticket = calloc(n, sizeof *st->flight_ticket);
    st->merge_x = calloc(n * dim, sizeof *st->merge_x);
    st->merge_score = calloc(n, sizeof *st->merge_score);
    st->order = calloc(n, sizeof *st->order);
    st->order_tmp = calloc(n, sizeof *st->order_tmp);
    st->spare = calloc(dim, sizeof *st->spare);
    st->departed_x = calloc(n * dim, sizeof *st->departed_x);
    if (!st->pop_x || !st->pop_score || !st->batch_x || !st->batch_score || !st->batch_told ||
        !st->flight_x || !st->flight_ticket || !st->merge_x || !st->merge_score || !st->order ||
        !st->order_tmp || !st->spare || !st->departed_x) {
        rc = ATOLL_NOMEM("the ga population");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        st->flight_ticket[i] = -1;
    initial_population(st);
    if (par->schedule == GA_STEADY) {
        memcpy(st->pop_x, st->batch_x, n * dim * sizeof(double));
        for (size_t i = 0; i < n; i++)
            st->pop_score[i] = INFINITY;
    }
    *state = st;
    return ATOLL_OK;
fail:
    ga_destroy(st);
    return rc;
}

static int ga_ask(void *state, double *x, long *ticket, long *generation, bool *ready)
{
    ga_state *st = state;
    size_t dim = st->dim;
    if (st->breed_pending) {
        breed_generation(st);
        st->breed_pending = false;
    }
    if (st->batch_asked < st->batch_n) {
        memcpy(x, st->batch_x + st->batch_asked * dim, dim * sizeof(double));
        st->batch_asked++;
        *ticket = st->next_ticket++;
        *generation = st->generation;
        *ready = true;
        return ATOLL_OK;
    }
    if (st->par->schedule == GA_STEADY && (st->have_population || st->n_scored >= 2)) {
        for (size_t slot = 0; slot < st->size; slot++) {
            if (st->flight_ticket[slot] >= 0)
                continue;
            double *child = st->flight_x + slot * dim;
            breed_pair(st, child, st->spare);
            memcpy(x, child, dim * sizeof(double));
            st->flight_ticket[slot] = st->next_ticket;
            *ticket = st->next_ticket++;
            *generation = 1 + st->steady_told / (long)st->size;
            *ready = true;
            return ATOLL_OK;
        }
    }
    *ready = false;
    return ATOLL_OK;
}

static int ga_tell(void *state, long ticket, double score)
{
    ga_state *st = state;
    if (isnan(score))
        score = INFINITY;
    if (ticket >= st->batch_ticket && ticket < st->batch_ticket + (long)st->batch_asked) {
        size_t slot = (size_t)(ticket - st->batch_ticket);
        if (st->batch_told[slot])
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "ga: ticket %ld was already told", ticket);
        st->batch_told[slot] = true;
        st->batch_score[slot] = score;
        if (st->par->schedule == GA_STEADY && !st->have_population) {
            /* An initial result takes the place of an unscored member. */
            double worst = st->pop_score[st->size - 1];
            if (score < worst || isinf(worst))
                replace_worst(st, st->batch_x + slot * st->dim, score);
            st->n_scored++;
            if (++st->batch_done == st->batch_n) {
                st->have_population = true;
                st->generation++;
            }
            return ATOLL_OK;
        }
        if (++st->batch_done == st->batch_n)
            complete_batch(st);
        return ATOLL_OK;
    }
    for (size_t slot = 0; slot < st->size; slot++) {
        if (st->flight_ticket[slot] != ticket || ticket < 0)
            continue;
        if (score < st->pop_score[st->size - 1])
            replace_worst(st, st->flight_x + slot * st->dim, score);
        st->flight_ticket[slot] = -1;
        st->steady_told++;
        return ATOLL_OK;
    }
    if (ticket >= 0 && ticket < st->next_ticket)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "ga: ticket %ld was already told", ticket);
    return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "ga: unknown ticket %ld (never asked)", ticket);
}

static long ga_epoch(const void *state)
{
    const ga_state *st = state;
    if (st->par->schedule == GA_STEADY)
        return st->have_population ? st->steady_told / (long)st->size : 0;
    return st->generation;
}

static size_t ga_emigrants(void *state, size_t max, double *x, double *score)
{
    ga_state *st = state;
    size_t n = 0;
    if (!st->have_population)
        return 0;
    for (size_t i = 0; i < st->size && n < max; i++) {
        if (!isfinite(st->pop_score[i]))
            continue;
        memcpy(x + n * st->dim, st->pop_x + i * st->dim, st->dim * sizeof(double));
        score[n++] = st->pop_score[i];
    }
    if (st->par->move) {
        st->n_departed = n < st->size ? n : st->size;
        memcpy(st->departed_x, x, st->n_departed * st->dim * sizeof(double));
    }
    return n;
}

/* migrant_policy = move: take the first departed individual still in the population out of
 * it (the last slot becomes free, scored +inf). Returns whether one was found: results told
 * since the migration may already have pushed it out. */
static bool remove_departed(ga_state *st)
{
    size_t dim = st->dim;
    while (st->n_departed > 0) {
        const double *gone = st->departed_x + --st->n_departed * dim;
        for (size_t i = 0; i < st->size; i++) {
            if (memcmp(st->pop_x + i * dim, gone, dim * sizeof(double)) != 0)
                continue;
            size_t after = st->size - 1 - i;
            memmove(st->pop_x + i * dim, st->pop_x + (i + 1) * dim, after * dim * sizeof(double));
            memmove(st->pop_score + i, st->pop_score + i + 1, after * sizeof(double));
            st->pop_score[st->size - 1] = INFINITY;
            return true;
        }
    }
    return false;
}

static int ga_immigrate(void *state, size_t n, const double *x, const double *score,
                        size_t *accepted)
{
    ga_state *st = state;
    *accepted = 0;
    if (!st->have_population)
        return ATOLL_OK;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(score[i]))
            continue;
        if (!remove_departed(st) && !(score[i] < st->pop_score[st->size - 1]))
            continue;
        memcpy(st->spare, x + i * st->dim, st->dim * sizeof(double));
        atoll_space_snap(st->space, st->spare);
        replace_worst(st, st->spare, score[i]);
        (*accepted)++;
    }
    /* Emigrants for whom no immigrant came stay: an island never shrinks. */
    st->n_departed = 0;
    st->immigrants_accepted += (long)*accepted;
    return ATOLL_OK;
}

/* The ga strategy's type table, registered in registry.c. */
/* ---------------------------------------------------------------- checkpoints */

static int ga_save(const void *state, atoll_wbuf *b)
{
    const ga_state *st = state;
    size_t n = st->size, dim = st->dim;
    atoll_wbuf_i64(b, (int64_t)n);
    atoll_wbuf_i64(b, (int64_t)dim);
    atoll_wbuf_rng(b, st->rng);
    atoll_wbuf_i64(b, st->have_population);
    atoll_wbuf_f64s(b, st->pop_x, n * dim);
    atoll_wbuf_f64s(b, st->pop_score, n);
    atoll_wbuf_i64(b, (int64_t)st->batch_n);
    atoll_wbuf_i64(b, (int64_t)st->batch_asked);
    atoll_wbuf_i64(b, (int64_t)st->batch_done);
    atoll_wbuf_i64(b, st->batch_ticket);
    atoll_wbuf_i64(b, st->generation);
    atoll_wbuf_i64(b, st->breed_pending);
    atoll_wbuf_f64s(b, st->batch_x, n * dim);
    atoll_wbuf_f64s(b, st->batch_score, n);
    for (size_t i = 0; i < n; i++)
        atoll_wbuf_i64(b, st->batch_told[i]);
    atoll_wbuf_f64s(b, st->flight_x, n * dim);
    for (size_t i = 0; i < n; i++)
        atoll_wbuf_i64(b, st->flight_ticket[i]);
    atoll_wbuf_i64(b, st->steady_told);
    atoll_wbuf_i64(b, (int64_t)st->n_scored);
    atoll_wbuf_f64s(b, st->departed_x, n * dim);
    atoll_wbuf_i64(b, (int64_t)st->n_departed);
    atoll_wbuf_i64(b, st->next_ticket);
    atoll_wbuf_i64(b, st->immigrants_accepted);
    return atoll_wbuf_status(b, "the ga checkpoint");
}

static int ga_load(void *state, atoll_rbuf *r)
{
    ga_state *st = state;
    size_t n = st->size, dim = st->dim;
    if (atoll_rbuf_i64(r) != (int64_t)n || atoll_rbuf_i64(r) != (int64_t)dim)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "ga: the checkpoint holds another population size or dimension");
    atoll_rbuf_rng(r, st->rng);
    st->have_population = atoll_rbuf_range(r, 0, 1);
    atoll_rbuf_unit(r, st->pop_x, n * dim);
    atoll_rbuf_f64s(r, st->pop_score, n);
    st->batch_n = (size_t)atoll_rbuf_range(r, 0, (int64_t)n);
    st->batch_asked = (size_t)atoll_rbuf_range(r, 0, (int64_t)st->batch_n);
    st->batch_done = (size_t)atoll_rbuf_range(r, 0, (int64_t)st->batch_asked);
    st->batch_ticket = atoll_rbuf_range(r, 0, LONG_MAX / 2);
    st->generation = atoll_rbuf_range(r, 0, LONG_MAX / 2);
    st->breed_pending = atoll_rbuf_range(r, 0, 1);
    atoll_rbuf_unit(r, st->batch_x, n * dim);
    atoll_rbuf_f64s(r, st->batch_score, n);
    for (size_t i = 0; i < n; i++)
        st->batch_told[i] = atoll_rbuf_range(r, 0, 1);
    atoll_rbuf_unit(r, st->flight_x, n * dim);
    st->next_ticket = LONG_MAX / 2; /* bound for the tickets below, set for real after them */
    for (size_t i = 0; i < n; i++)
        st->flight_ticket[i] = atoll_rbuf_range(r, -1, LONG_MAX / 2);
    st->steady_told = atoll_rbuf_range(r, 0, LONG_MAX / 2);
    st->n_scored = (size_t)atoll_rbuf_range(r, 0, (int64_t)n);
    atoll_rbuf_unit(r, st->departed_x, n * dim);
    st->n_departed = (size_t)atoll_rbuf_range(r, 0, (int64_t)n);
    st->next_ticket = atoll_rbuf_range(r, 0, LONG_MAX / 2);
    st->immigrants_accepted = atoll_rbuf_range(r, 0, LONG_MAX / 2);
    for (size_t i = 0; i < n; i++)
        if (st->flight_ticket[i] >= st->next_ticket)
            r->failed = true;
    if (st->batch_ticket > st->next_ticket)
        r->failed = true;
    /* The batch's counts must agree with its flags: batch_done counts the slots told, only
     * asked slots are told, and steady initial results are counted in n_scored as they land. A
     * batch still waiting for results after the first generation is a generational one of
     * population - elitism children (the elites and the batch are merged into the population
     * when its last result lands); a steady batch is the initial population, complete once
     * the population exists. */
    size_t told = 0;
    for (size_t i = 0; i < n; i++) {
        if (st->batch_told[i] && i >= st->batch_asked)
            r->failed = true;
        told += st->batch_told[i];
    }
    bool waiting = st->batch_done < st->batch_n;
    if (told != st->batch_done || st->n_scored > st->batch_done)
        r->failed = true;
    if (st->par->schedule == GA_STEADY
            ? st->batch_n != n || (st->have_population && waiting)
            : st->have_population && waiting && st->batch_n > n - st->n_elite)
        r->failed = true;
    return atoll_rbuf_status(r, "ga checkpoint");
}

const atoll_strategy_type atoll_strategy_ga = {
    .name = "ga",
    .summary = "island-model genetic algorithm: tournament, SBX/blend, polynomial/gaussian",
    .configure = ga_configure,
    .free_params = ga_free_params,
    .create = ga_create,
    .ask = ga_ask,
    .tell = ga_tell,
    .epoch = ga_epoch,
    .emigrants = ga_emigrants,
    .immigrate = ga_immigrate,
    .destroy = ga_destroy,
    .save = ga_save,
    .load = ga_load,
};
