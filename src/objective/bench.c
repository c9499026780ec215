/* bench.c - the "bench" objective: sphere, rastrigin, rosenbrock and other test functions. */

/*
 * The standard continuous test functions of the optimisation literature, with their usual
 * domains (definitions as in M. Jamil & X.-S. Yang, "A literature survey of benchmark
 * functions for global optimization problems", IJMMNO 4(2), 2013, and the Virtual Library of
 * Simulation Experiments by S. Surjanovic & D. Bingham). They cost microseconds, so they
 * measure a strategy's search quality and the framework's own overhead.
 */
#include "objective/bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "objective/objective.h"

#define BENCH_SECTION "objective"
#define BENCH_MAX_DIMENSION 10000L
#define BENCH_PI 3.14159265358979323846
#define BENCH_E 2.71828182845904523536

static const char *const function_names[] = {"sphere",   "rastrigin", "rosenbrock",
                                             "ackley",   "griewank",  "schwefel",
                                             "styblinski_tang", NULL};

/* Per function: the domain of every coordinate and the minimiser's coordinate. */
static const struct {
    double low, high, argmin;
} bench_info[ATOLL_BENCH_COUNT] = {
    [ATOLL_BENCH_SPHERE] = {-5.12, 5.12, 0.0},
    [ATOLL_BENCH_RASTRIGIN] = {-5.12, 5.12, 0.0},
    [ATOLL_BENCH_ROSENBROCK] = {-5.0, 10.0, 1.0},
    [ATOLL_BENCH_ACKLEY] = {-32.768, 32.768, 0.0},
    [ATOLL_BENCH_GRIEWANK] = {-600.0, 600.0, 0.0},
    [ATOLL_BENCH_SCHWEFEL] = {-500.0, 500.0, 420.9687},
    [ATOLL_BENCH_STYBLINSKI_TANG] = {-5.0, 5.0, -2.903534},
};

/* The minimum of 0.5 * (x^4 - 16 x^2 + 5 x), at x = -2.903534027771178. */
#define STYBLINSKI_TANG_MIN (-39.16616570377142)

/* Index of `name` among the function names, or -1. */
int atoll_bench_lookup(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; function_names[i]; i++)
        if (strcmp(function_names[i], name) == 0)
            return i;
    return -1;
}

/* The function's name, or NULL. */
const char *atoll_bench_name(int function)
{
    if (function < 0 || function >= ATOLL_BENCH_COUNT)
        return NULL;
    return function_names[function];
}

static double sphere(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i] * x[i];
    return sum;
}

static double rastrigin(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i] * x[i] + 10.0 * (1.0 - cos(2.0 * BENCH_PI * x[i]));
    return sum;
}

static double rosenbrock(const double *x, size_t n)
{
    if (n == 1)
        return (1.0 - x[0]) * (1.0 - x[0]);
    double sum = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        sum += 100.0 * a * a + b * b;
    }
    return sum;
}

static double ackley(const double *x, size_t n)
{
    double squares = 0.0, cosines = 0.0;
    for (size_t i = 0; i < n; i++) {
        squares += x[i] * x[i];
        cosines += cos(2.0 * BENCH_PI * x[i]);
    }
    /* Grouped so that the minimum is exactly 0. */
    return (20.0 - 20.0 * exp(-0.2 * sqrt(squares / (double)n))) +
           (BENCH_E - exp(cosines / (double)n));
}

static double griewank(const double *x, size_t n)
{
    double sum = 0.0, product = 1.0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i] * x[i];
        product *= cos(x[i] / sqrt((double)(i + 1)));
    }
    return sum / 4000.0 + (1.0 - product);
}

static double schwefel(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i] * sin(sqrt(fabs(x[i])));
    return 418.9829 * (double)n - sum;
}

static double styblinski_tang(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x2 = x[i] * x[i];
        sum += x2 * x2 - 16.0 * x2 + 5.0 * x[i];
    }
    return 0.5 * sum;
}

/* The function at x[0..n); NaN for an unknown function. */
double atoll_bench_eval(int function, const double *x, size_t n)
{
    switch (function) {
    case ATOLL_BENCH_SPHERE:
        return sphere(x, n);
    case ATOLL_BENCH_RASTRIGIN:
        return rastrigin(x, n);
    case ATOLL_BENCH_ROSENBROCK:
        return rosenbrock(x, n);
    case ATOLL_BENCH_ACKLEY:
        return ackley(x, n);
    case ATOLL_BENCH_GRIEWANK:
        return griewank(x, n);
    case ATOLL_BENCH_SCHWEFEL:
        return schwefel(x, n);
    case ATOLL_BENCH_STYBLINSKI_TANG:
        return styblinski_tang(x, n);
    }
    return NAN;
}

/* The usual domain of every coordinate; [0, 0] for an unknown function. */
void atoll_bench_domain(int function, double *low, double *high)
{
    if (function < 0 || function >= ATOLL_BENCH_COUNT) {
        *low = *high = 0.0;
        return;
    }
    *low = bench_info[function].low;
    *high = bench_info[function].high;
}

/* The global minimum in n dimensions. */
double atoll_bench_optimum(int function, size_t n)
{
    if (function == ATOLL_BENCH_STYBLINSKI_TANG)
        return STYBLINSKI_TANG_MIN * (double)n;
    return 0.0;
}

/* The minimiser's coordinate, the same on every axis. */
double atoll_bench_argmin(int function)
{
    if (function < 0 || function >= ATOLL_BENCH_COUNT)
        return 0.0;
    return bench_info[function].argmin;
}

/* ---------------------------------------------------------------- the objective */

typedef struct {
    int function;
    size_t dimension;
} bench_params;

typedef struct {
    const bench_params *par;
    double *x; /* decoded coordinates */
} bench_state;

int atoll_bench_space(atoll_config *cfg, const char *section, int function,
                      atoll_space *space)
{
    long dimension;
    if (space->n == 0) {
        if (!atoll_config_has(cfg, section, "dimension"))
            return atoll_config_error(cfg, section, "dimension",
                                      "missing (required when no [param] section is given)");
        ATOLL_CALL(atoll_config_require_long(cfg, section, "dimension", 1, BENCH_MAX_DIMENSION,
                                             &dimension));
        double low = bench_info[function].low, high = bench_info[function].high;
        for (long i = 1; i <= dimension; i++) {
            char name[32];
            snprintf(name, sizeof name, "x%ld", i);
            ATOLL_CALL(atoll_space_add_real(space, name, low, high, ATOLL_SCALE_LINEAR));
        }
    } else if (atoll_config_has(cfg, section, "dimension")) {
        ATOLL_CALL(atoll_config_get_long(cfg, section, "dimension", (long)space->n, 1,
                                         BENCH_MAX_DIMENSION, &dimension));
        if (dimension != (long)space->n)
            return atoll_config_error(cfg, section, "dimension",
                                      "must equal the number of parameters (%zu) (got %ld)",
                                      space->n, dimension);
    }
    return ATOLL_OK;
}

static int bench_configure(atoll_config *cfg, atoll_space *space, void **params)
{
    const char *S = BENCH_SECTION;
    int function;
    ATOLL_CALL(atoll_config_require_enum(cfg, S, "function", function_names, &function));
    for (size_t i = 0; i < space->n; i++)
        if (space->params[i].kind == ATOLL_PARAM_CHOICE)
            return atoll_config_error(cfg, S, "function",
                                      "bench functions need numeric parameters ('%s' is a "
                                      "choice)",
                                      space->params[i].name);
    ATOLL_CALL(atoll_bench_space(cfg, S, function, space));
    bench_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the bench parameters");
    out->function = function;
    out->dimension = space->n;
    *params = out;
    return ATOLL_OK;
}

static void bench_free_params(void *params)
{
    free(params);
}

static atoll_direction bench_direction(const void *params)
{
    (void)params;
    return ATOLL_MINIMIZE;
}

static void bench_destroy(void *state)
{
    bench_state *st = state;
    if (!st)
        return;
    free(st->x);
    free(st);
}

static int bench_create(const void *params, const atoll_space *space,
                        const atoll_objective_env *env, void **state)
{
    (void)env;
    const bench_params *par = params;
    if (space->n != par->dimension || space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "bench: the space has %zu parameters, expected %zu",
                           space->n, par->dimension);
    bench_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the bench state");
    int rc = ATOLL_OK;
    st->par = par;
    st->x = calloc(space->n, sizeof *st->x);
    if (!st->x) {
        rc = ATOLL_NOMEM("the bench coordinates");
        goto fail;
    }
    *state = st;
    return ATOLL_OK;
fail:
    bench_destroy(st);
    return rc;
}

static int bench_evaluate(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                          atoll_eval *out)
{
    (void)ctx;
    bench_state *st = state;
    size_t n = st->par->dimension;
    for (size_t i = 0; i < n; i++)
        st->x[i] = values[i].num;
    out->value = atoll_bench_eval(st->par->function, st->x, n);
    out->status = isfinite(out->value) ? ATOLL_STATUS_OK : ATOLL_STATUS_DIVERGED;
    return ATOLL_OK;
}

/* The bench objective's type table, registered in registry.c. */
const atoll_objective_type atoll_objective_bench = {
    .name = "bench",
    .summary = "benchmark functions: sphere, rastrigin, rosenbrock, ackley, griewank, ...",
    .configure = bench_configure,
    .free_params = bench_free_params,
    .direction = bench_direction,
    .create = bench_create,
    .evaluate = bench_evaluate,
    .destroy = bench_destroy,
};
