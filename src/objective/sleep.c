/* sleep.c - the "sleep" objective: a bench function that takes simulated training time. */

/*
 * For scaling studies of the run itself: each evaluation sleeps for a random duration, then
 * returns a benchmark function's value, so a run behaves like a hyperparameter search whose
 * trials take seconds while the machine stays idle. Durations are fixed, uniform, or lognormal
 * (right-skewed, the usual model of job and task run times: D. G. Feitelson, "Workload
 * Modeling for Computer Systems Performance Evaluation", Cambridge University Press, 2015,
 * ch. 4), given by their mean and coefficient of variation. With `depends_on = NAME` the
 * duration also grows with one parameter (0.1x at the low end of its range, 2x at the high
 * end), as training time grows with a batch count or a model width. A trial's duration is
 * drawn from a stream seeded by the trial's own seed, so it is the same on any rank. Over
 * [param] sections of any kind the function sees each value's number (a choice's index).
 */
#include "objective/sleep.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "objective/bench.h"

#define SLEEP_SECTION "objective"
#define SLEEP_MAX_MEAN_S 86400.0
#define SLEEP_MAX_CV 100.0
#define SLEEP_SQRT3 1.7320508075688772

static const char *const law_names[] = {"fixed", "uniform", "lognormal", NULL};

typedef struct {
    int function;
    size_t dimension;
    int law;
    double mean_s;
    double cv;
    long depends_on; /* parameter index, or -1 */
} sleep_params;

/* The [objective] keys of type = sleep and their defaults (dimension is required when there
 * is no [param] section; depends_on has none). */
static const sleep_params sleep_defaults = {
    .function = ATOLL_BENCH_SPHERE, /* function: a bench function's name */
    .law = ATOLL_SLEEP_LOGNORMAL,   /* duration: fixed | uniform | lognormal */
    .mean_s = 0.05,                 /* mean_s: mean duration in seconds, 0..86400 */
    .cv = 1.0,                      /* cv: coefficient of variation, 0..100 */
    .depends_on = -1,               /* depends_on: a parameter that scales the duration */
};

typedef struct {
    const sleep_params *par;
    const atoll_space *space;
    gsl_rng *rng;  /* re-seeded for every trial */
    double *x;     /* decoded coordinates for the bench function */
    double *unit;  /* the point re-encoded, for depends_on */
} sleep_state;

/* ---------------------------------------------------------------- durations */

double atoll_sleep_draw(atoll_sleep_law law, double mean_s, double cv, gsl_rng *rng)
{
    if (!(mean_s > 0.0))
        return 0.0;
    if (law == ATOLL_SLEEP_FIXED || !(cv > 0.0))
        return mean_s;
    if (law == ATOLL_SLEEP_UNIFORM) {
        double half = SLEEP_SQRT3 * cv * mean_s;
        double d = mean_s - half + 2.0 * half * gsl_rng_uniform(rng);
        return d > 0.0 ? d : 0.0;
    }
    double sigma2 = log1p(cv * cv);
    return gsl_ran_lognormal(rng, log(mean_s) - 0.5 * sigma2, sqrt(sigma2));
}

double atoll_sleep_factor(double unit)
{
    if (!(unit >= 0.0)) /* also NaN */
        unit = 0.0;
    return 0.1 + 1.9 * (unit > 1.0 ? 1.0 : unit);
}

double atoll_sleep_duration(void *state, const atoll_value *values, const atoll_trial_ctx *ctx)
{
    sleep_state *st = state;
    const sleep_params *par = st->par;
    /* mt19937 keeps 32 bits of its seed: fold the trial seed's 64 into them. */
    gsl_rng_set(st->rng, (unsigned long)((ctx->seed ^ (ctx->seed >> 32)) & 0xffffffffu));
    double seconds = atoll_sleep_draw((atoll_sleep_law)par->law, par->mean_s, par->cv, st->rng);
    if (par->depends_on >= 0) {
        atoll_space_encode(st->space, values, st->unit);
        seconds *= atoll_sleep_factor(st->unit[par->depends_on]);
    }
    return seconds;
}

/* Sleep for `seconds`, resuming with the time left when a signal interrupts. */
static int sleep_for(double seconds)
{
    if (!(seconds > 0.0))
        return ATOLL_OK;
    struct timespec left;
    left.tv_sec = (time_t)seconds;
    left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);
    if (left.tv_nsec >= 1000000000L) {
        left.tv_sec++;
        left.tv_nsec -= 1000000000L;
    }
    while (nanosleep(&left, &left) != 0) {
        if (errno != EINTR)
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "sleep: nanosleep failed: %s", strerror(errno));
    }
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- the objective */

static int sleep_configure(atoll_config *cfg, atoll_space *space, void **params)
{
    const sleep_params *d = &sleep_defaults;
    const char *S = SLEEP_SECTION;
    sleep_params p;
    const char *names[ATOLL_BENCH_COUNT + 1];
    for (int i = 0; i < ATOLL_BENCH_COUNT; i++)
        names[i] = atoll_bench_name(i);
    names[ATOLL_BENCH_COUNT] = NULL;

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "function", names[d->function], names,
                                     &p.function));
    ATOLL_CALL(atoll_bench_space(cfg, S, p.function, space));
    p.dimension = space->n;

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "duration", law_names[d->law], law_names, &p.law));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "mean_s", d->mean_s, 0.0, SLEEP_MAX_MEAN_S,
                                       &p.mean_s));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "cv", d->cv, 0.0, SLEEP_MAX_CV, &p.cv));
    const char *depends_on = NULL;
    ATOLL_CALL(atoll_config_get_string(cfg, S, "depends_on", NULL, false, &depends_on));
    p.depends_on = d->depends_on;
    if (depends_on) {
        p.depends_on = atoll_space_find(space, depends_on);
        if (p.depends_on < 0)
            return atoll_config_error(cfg, S, "depends_on", "no parameter named '%s'",
                                      depends_on);
    }

    sleep_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the sleep parameters");
    *out = p;
    *params = out;
    return ATOLL_OK;
}

static void sleep_free_params(void *params)
{
    free(params);
}

static atoll_direction sleep_direction(const void *params)
{
    (void)params;
    return ATOLL_MINIMIZE;
}

static void sleep_destroy(void *state)
{
    sleep_state *st = state;
    if (!st)
        return;
    gsl_rng_free(st->rng);
    free(st->x);
    free(st->unit);
    free(st);
}

static int sleep_create(const void *params, const atoll_space *space,
                        const atoll_objective_env *env, void **state)
{
    (void)env;
    const sleep_params *par = params;
    if (space->n != par->dimension || space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "sleep: the space has %zu parameters, expected %zu",
                           space->n, par->dimension);
    sleep_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the sleep state");
    int rc = ATOLL_OK;
    st->par = par;
    st->space = space;
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    st->x = calloc(space->n, sizeof *st->x);
    st->unit = calloc(space->n, sizeof *st->unit);
    if (!st->rng || !st->x || !st->unit) {
        rc = ATOLL_NOMEM("the sleep state");
        goto fail;
    }
    *state = st;
    return ATOLL_OK;
fail:
    sleep_destroy(st);
    return rc;
}

static int sleep_evaluate(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                          atoll_eval *out)
{
    sleep_state *st = state;
    size_t n = st->par->dimension;
    ATOLL_CALL(sleep_for(atoll_sleep_duration(st, values, ctx)));
    for (size_t i = 0; i < n; i++)
        st->x[i] = values[i].num;
    out->value = atoll_bench_eval(st->par->function, st->x, n);
    out->status = isfinite(out->value) ? ATOLL_STATUS_OK : ATOLL_STATUS_DIVERGED;
    return ATOLL_OK;
}

/* The sleep objective's type table, registered in registry.c. */
const atoll_objective_type atoll_objective_sleep = {
    .name = "sleep",
    .summary = "a bench function that sleeps a fixed/uniform/lognormal time (scaling studies)",
    .configure = sleep_configure,
    .free_params = sleep_free_params,
    .direction = sleep_direction,
    .create = sleep_create,
    .evaluate = sleep_evaluate,
    .destroy = sleep_destroy,
};
