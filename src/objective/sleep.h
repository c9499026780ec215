/* sleep.h - the duration model of the "sleep" objective, exposed for tests and studies. */
#ifndef ATOLL_OBJECTIVE_SLEEP_H
#define ATOLL_OBJECTIVE_SLEEP_H

#include <gsl/gsl_rng.h>

#include "objective/objective.h"

/* Duration laws, in the order of the names [objective] duration accepts. */
typedef enum {
    ATOLL_SLEEP_FIXED = 0,   /* always mean_s */
    ATOLL_SLEEP_UNIFORM = 1, /* U(mean (1 - sqrt3 cv), mean (1 + sqrt3 cv)), cut at 0 */
    ATOLL_SLEEP_LOGNORMAL = 2 /* lognormal with that mean and coefficient of variation */
} atoll_sleep_law;

/*
 * One duration in seconds (>= 0) drawn from `law` with mean `mean_s` >= 0 and coefficient of
 * variation `cv` >= 0. Uniform has that mean and cv while sqrt3 cv <= 1; above, the draws below
 * 0 become 0 (so the mean grows). Lognormal: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2/2.
 * A zero mean gives 0 and a zero cv gives mean_s, whatever the law; fixed draws nothing.
 */
double atoll_sleep_draw(atoll_sleep_law law, double mean_s, double cv, gsl_rng *rng);

/* The factor 0.1 + 1.9 u that `depends_on` applies for a parameter at unit coordinate u. */
double atoll_sleep_factor(double unit);

/*
 * The duration that atoll_objective_sleep's evaluate sleeps for one trial, without sleeping:
 * a draw from a stream seeded by ctx->seed alone (so a trial takes as long on any rank), times
 * the depends_on factor of `values`. `state` is a sleep objective state; values are borrowed.
 */
double atoll_sleep_duration(void *state, const atoll_value *values, const atoll_trial_ctx *ctx);

/* The sleep objective's type table. */
extern const atoll_objective_type atoll_objective_sleep;

#endif
