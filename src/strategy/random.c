/* random.c - the "random" strategy: uniform, Latin hypercube, Sobol or Halton samples. */

/*
 * Sampling without looking at scores: the baseline every other strategy must beat. Each ask
 * hands out the next point of a sequence chosen by [random] sampler:
 *
 *   uniform  independent uniform draws from [0,1]^d, one mt19937 stream per island
 *            (J. Bergstra & Y. Bengio, "Random search for hyper-parameter optimization",
 *            JMLR 13:281-305, 2012).
 *   lhs      one Latin hypercube of [run] evaluations points for the whole run (M. D. McKay,
 *            R. J. Beckman & W. J. Conover, "A comparison of three methods for selecting values
 *            of input variables in the analysis of output from a computer code", Technometrics
 *            21(2):239-245, 1979): each axis is cut into `evaluations` equal strata and holds
 *            exactly one point per stratum. The stratum of point k on each axis comes from a
 *            permutation drawn from a stream that every island shares; its place inside the
 *            stratum from a hash of (seed, k, axis). The hypercube is held in memory, so
 *            evaluations x dimension may not exceed 5e7.
 *   sobol    the Sobol sequence (I. M. Sobol', "On the distribution of points in a cube and the
 *            approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7(4):86-112,
 *            1967), GSL's implementation of P. Bratley & B. L. Fox, "Algorithm 659:
 *            implementing Sobol's quasirandom sequence generator", ACM TOMS 14(1):88-100,
 *            1988. At most 40 parameters and 2^30 - 1 points (skipped ones included).
 *   halton   the Halton sequence (J. H. Halton, "On the efficiency of certain quasi-random
 *            sequences of points in evaluating multi-dimensional integrals", Numerische
 *            Mathematik 2:84-90, 1960), from GSL. At most 1229 parameters and 2^32 - 1 points.
 *
 * Islands split the run's sequence: island i hands out exactly the points with global indices
 * [budget_offset, budget_offset + budget), which are its trial ids. For lhs, sobol and halton
 * the union over islands is therefore the one-island sequence, with no duplicate and no gap
 * whatever the number of ranks; a quasi-random island generates and discards the points below
 * its slice when it starts. `skip = N` drops the first N points of the sobol or halton sequence
 * (common practice, since the first points of these sequences are the most regular; neither
 * sequence here starts at the origin). Every point is snapped to the space's grid, so with int
 * or choice parameters two points may decode to the same values.
 *
 * No sampler waits, has epochs or migrates; tell accepts any ticket it has issued.
 */
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "strategy/strategy.h"

#define RANDOM_SECTION "random"

/* lhs shuffles `evaluations` strata per axis and keeps its slice of them (4 bytes each). */
#define RANDOM_LHS_MAX 50000000.0
/* The sequences' lengths in GSL: a 30-bit Sobol counter, a 32-bit Halton counter. */
#define RANDOM_SOBOL_MAX_POINTS 1073741823L
#define RANDOM_HALTON_MAX_POINTS 4294967295L
#define RANDOM_SOBOL_MAX_DIM 40
#define RANDOM_HALTON_MAX_DIM 1229
/* A stream family of lhs's own, far from those of core/rng.h: index 0 draws the strata
 * permutations (the same on every island), index 1 + k*dim + axis the jitter of point k. */
#define RANDOM_STREAM_LHS 0x4cu
/* Jitter stays this far inside its stratum, so that rounding never moves a point across. */
#define RANDOM_LHS_MARGIN (1.0 / 1048576.0)

typedef enum {
    RANDOM_UNIFORM = 0,
    RANDOM_LHS = 1,
    RANDOM_SOBOL = 2,
    RANDOM_HALTON = 3
} random_sampler;

static const char *const sampler_names[] = {"uniform", "lhs", "sobol", "halton", NULL};

typedef struct {
    int sampler;
    long skip;
    /* "FILE:LINE: [random] sampler", for the errors only create can see (they need the
     * budget). */
    char where[512];
} random_params;

/* The [random] keys and their defaults. */
static const random_params random_defaults = {
    .sampler = RANDOM_UNIFORM, /* sampler: uniform | lhs | sobol | halton */
    .skip = 0,                 /* leading sobol / halton points dropped, >= 0 */
};

typedef struct {
    const random_params *par;
    const atoll_space *space;
    size_t dim;
    int island;
    uint64_t seed;
    long budget;      /* points this island hands out (lhs, sobol, halton) */
    long offset;      /* global index of its first point */
    uint32_t *strata; /* lhs: budget x dim strata of this island's slice, row-major */
    double total;     /* lhs: strata per axis */
    gsl_qrng *qrng;   /* sobol, halton */
    double *spare;    /* sobol, halton: a discarded point */
    long next_ticket;
} random_state;

/* ---------------------------------------------------------------- configuration */

/* Keep the location of `key` ("FILE:LINE: [random] key") in `where`. The config has no getter
 * for a key's origin, so the prefix is cut from a located message that is raised and cleared
 * here ("LOCATION: MESSAGE", see config.h). */
static void remember_location(atoll_config *cfg, const char *key, char *where, size_t size)
{
    static const char marker[] = ": #";
    atoll_config_error(cfg, RANDOM_SECTION, key, "#");
    const char *message = atoll_error_message();
    size_t n = strlen(message);
    if (n >= sizeof marker - 1 && strcmp(message + n - (sizeof marker - 1), marker) == 0)
        n -= sizeof marker - 1;
    snprintf(where, size, "%.*s", (int)n, message);
    atoll_error_clear();
}

static int random_configure(atoll_config *cfg, const atoll_space *space, void **params,
                            atoll_migration *migration)
{
    const random_params *d = &random_defaults;
    const char *S = RANDOM_SECTION;
    random_params p;
    memset(&p, 0, sizeof p);
    ATOLL_CALL(atoll_config_get_enum(cfg, S, "sampler", sampler_names[d->sampler], sampler_names,
                                     &p.sampler));
    long max_skip =
        p.sampler == RANDOM_SOBOL ? RANDOM_SOBOL_MAX_POINTS - 1 : RANDOM_HALTON_MAX_POINTS - 1;
    ATOLL_CALL(atoll_config_get_long(cfg, S, "skip", d->skip, 0, max_skip, &p.skip));
    bool quasi = p.sampler == RANDOM_SOBOL || p.sampler == RANDOM_HALTON;
    if (p.skip > 0 && !quasi)
        return atoll_config_error(cfg, S, "skip",
                                  "only sobol and halton skip points (sampler = %s)",
                                  sampler_names[p.sampler]);
    if (p.sampler == RANDOM_SOBOL && space->n > RANDOM_SOBOL_MAX_DIM)
        return atoll_config_error(cfg, S, "sampler",
                                  "sobol supports at most %d parameters (the space has %zu): "
                                  "use halton or lhs",
                                  RANDOM_SOBOL_MAX_DIM, space->n);
    if (p.sampler == RANDOM_HALTON && space->n > RANDOM_HALTON_MAX_DIM)
        return atoll_config_error(cfg, S, "sampler",
                                  "halton supports at most %d parameters (the space has %zu): "
                                  "use lhs or uniform",
                                  RANDOM_HALTON_MAX_DIM, space->n);
    remember_location(cfg, "sampler", p.where, sizeof p.where);

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

/* ---------------------------------------------------------------- samplers */

/* lhs: this island's slice of the run's strata. Every island draws the same permutation of
 * the run's strata per axis from the shared stream and keeps its part. */
static int lhs_start(random_state *st, const atoll_strategy_env *env)
{
    size_t dim = st->dim, total = (size_t)env->total_budget, n = (size_t)env->budget;
    if ((double)env->total_budget > RANDOM_LHS_MAX / (double)dim)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "%s: lhs needs total_budget x dimension <= 5e7 (got %ld x %zu): "
                           "lower [run] evaluations or use sobol or halton",
                           st->par->where, env->total_budget, dim);
    st->total = (double)total;
    st->strata = malloc((n > 0 ? n : 1) * dim * sizeof *st->strata);
    uint32_t *perm = malloc(total * sizeof *perm);
    gsl_rng *shared = atoll_rng_stream(env->seed, RANDOM_STREAM_LHS, 0);
    int rc = ATOLL_OK;
    if (!st->strata || !perm || !shared) {
        rc = ATOLL_NOMEM("the Latin hypercube");
        goto done;
    }
    for (size_t axis = 0; axis < dim; axis++) {
        for (size_t i = 0; i < total; i++)
            perm[i] = (uint32_t)i;
        gsl_ran_shuffle(shared, perm, total, sizeof *perm);
        for (size_t i = 0; i < n; i++)
            st->strata[i * dim + axis] = perm[(size_t)env->budget_offset + i];
    }
done:
    gsl_rng_free(shared);
    free(perm);
    return rc;
}

/* lhs: the place of global point k inside its stratum on `axis`, in [margin, 1 - margin]. */
static double lhs_jitter(const random_state *st, uint64_t k, size_t axis)
{
    uint64_t h = atoll_rng_seed(st->seed, RANDOM_STREAM_LHS, 1 + k * st->dim + axis);
    double u = (double)(h >> 11) * (1.0 / 9007199254740992.0); /* [0, 1), 53 bits */
    return RANDOM_LHS_MARGIN + (1.0 - 2.0 * RANDOM_LHS_MARGIN) * u;
}

/* sobol, halton: a generator positioned at global point `budget_offset` (after `skip`). */
static int quasi_start(random_state *st, const atoll_strategy_env *env)
{
    bool sobol = st->par->sampler == RANDOM_SOBOL;
    long max = sobol ? RANDOM_SOBOL_MAX_POINTS : RANDOM_HALTON_MAX_POINTS;
    const char *name = sampler_names[st->par->sampler];
    if (env->total_budget > max - st->par->skip)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "%s: %s gives at most %ld points (got skip %ld + evaluations %ld): "
                           "lower skip or [run] evaluations, or use lhs or uniform",
                           st->par->where, name, max, st->par->skip, env->total_budget);
    st->qrng = gsl_qrng_alloc(sobol ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)st->dim);
    st->spare = malloc(st->dim * sizeof *st->spare);
    if (!st->qrng || !st->spare)
        return ATOLL_NOMEM("the quasi-random sequence");
    long discard = st->par->skip + env->budget_offset;
    for (long i = 0; i < discard; i++)
        if (gsl_qrng_get(st->qrng, st->spare) != 0)
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "random: the %s sequence ended after %ld points",
                               name, i);
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- the strategy */

static void random_destroy(void *state)
{
    random_state *st = state;
    if (!st)
        return;
    free(st->strata);
    if (st->qrng)
        gsl_qrng_free(st->qrng);
    free(st->spare);
    free(st);
}

static int random_create(const void *params, const atoll_space *space,
                         const atoll_strategy_env *env, void **state)
{
    const random_params *par = params;
    if (space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "random: the search space has no parameters");
    random_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the random state");
    int rc = ATOLL_OK;
    st->par = par;
    st->space = space;
    st->dim = space->n;
    st->island = env->island;
    st->seed = env->seed;
    st->budget = env->budget;
    st->offset = env->budget_offset;
    switch (par->sampler) {
    case RANDOM_LHS:
        ATOLL_CALL_GOTO(rc, lhs_start(st, env));
        break;
    case RANDOM_SOBOL:
    case RANDOM_HALTON:
        ATOLL_CALL_GOTO(rc, quasi_start(st, env));
        break;
    default:
        break;
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
    long t = st->next_ticket;
    if (st->par->sampler == RANDOM_UNIFORM) {
        /* A pure function of the global point index: the same trials whatever the rank
         * count, which is what lets a resumed run use another one. */
        uint64_t k = (uint64_t)(st->offset + t);
        for (size_t i = 0; i < st->dim; i++)
            x[i] = atoll_rng_uniform_at(st->seed, ATOLL_STREAM_STRATEGY, k * st->dim + i);
    } else if (t >= st->budget) {
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME,
                           "random: island %d has handed out all %ld points of its share",
                           st->island, st->budget);
    } else if (st->par->sampler == RANDOM_LHS) {
        uint64_t k = (uint64_t)(st->offset + t);
        const uint32_t *strata = st->strata + (size_t)t * st->dim;
        for (size_t i = 0; i < st->dim; i++)
            x[i] = ((double)strata[i] + lhs_jitter(st, k, i)) / st->total;
    } else if (gsl_qrng_get(st->qrng, x) != 0) {
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "random: the %s sequence ended at point %ld",
                           sampler_names[st->par->sampler], st->offset + t);
    }
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
/* ---------------------------------------------------------------- checkpoints */

static int random_save(const void *state, atoll_wbuf *b)
{
    const random_state *st = state;
    atoll_wbuf_i64(b, st->par->sampler);
    atoll_wbuf_i64(b, st->offset);
    atoll_wbuf_i64(b, st->next_ticket);
    if (st->qrng)
        atoll_wbuf_qrng(b, st->qrng);
    return atoll_wbuf_status(b, "the random checkpoint");
}

static int random_load(void *state, atoll_rbuf *r)
{
    random_state *st = state;
    if (atoll_rbuf_i64(r) != st->par->sampler || atoll_rbuf_i64(r) != st->offset)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "random: the checkpoint holds another sampler or island share");
    st->next_ticket = atoll_rbuf_range(r, 0, st->budget);
    if (st->qrng)
        atoll_rbuf_qrng(r, st->qrng);
    return atoll_rbuf_status(r, "random checkpoint");
}

const atoll_strategy_type atoll_strategy_random = {
    .name = "random",
    .summary = "random search: uniform, Latin hypercube, Sobol or Halton samples (the baseline)",
    .configure = random_configure,
    .free_params = random_free_params,
    .create = random_create,
    .ask = random_ask,
    .tell = random_tell,
    .epoch = random_epoch,
    .emigrants = random_emigrants,
    .immigrate = random_immigrate,
    .destroy = random_destroy,
    .save = random_save,
    .load = random_load,
};
