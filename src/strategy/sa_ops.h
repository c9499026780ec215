/* sa_ops.h - the pure pieces of the sa strategy: cooling, initial temperature, moves, rules. */
#ifndef ATOLL_STRATEGY_SA_OPS_H
#define ATOLL_STRATEGY_SA_OPS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/space.h"

/*
 * Internal to src/strategy (and its tests). Nothing here allocates or keeps state; the sa
 * strategy in sa.c is these pieces plus bookkeeping. Temperatures are > 0; a score is lower
 * when better and +INFINITY (or NaN) for a failed trial.
 */

/* Cooling schedules, in the order of the names [sa] cooling accepts. */
typedef enum {
    ATOLL_SA_GEOMETRIC = 0, /* t0 * alpha^k */
    ATOLL_SA_EXPONENTIAL,   /* t0 * ratio^(k/n): reaches t0 * ratio after the n steps */
    ATOLL_SA_LINEAR,        /* t0 * (1 - k/n * (1 - ratio)) */
    ATOLL_SA_ADAPTIVE       /* paced by the acceptance rate; see atoll_sa_adaptive */
} atoll_sa_cooling;

/*
 * The temperature after k of a chain's n steps under a fixed schedule that starts at t0 and
 * never goes below t_min = t0 * ratio: geometric t0 * alpha^k, exponential t0 * ratio^(k/n),
 * linear t0 * (1 - k/n * (1 - ratio)). Exponential and linear give exactly t_min for k >= n;
 * geometric reaches it once alpha^k <= ratio. Non-increasing in k. The adaptive schedule has
 * no closed form: for it this returns t0 at k = 0 and t_min otherwise.
 */
double atoll_sa_schedule(atoll_sa_cooling cooling, double t0, double ratio, double alpha, long k,
                         long n);

/*
 * One step of the adaptive schedule: move log(t) toward log(t_min) by the share
 * pace / steps_left of the remaining distance (capped at all of it), where steps_left counts
 * this step too. With pace 1 throughout this is the exponential schedule; pace 2 (the chain is
 * hot) cools faster, pace 0.5 (cold) slower. The result lies in [t_min, t]; steps_left <= 0
 * gives t_min.
 */
double atoll_sa_adaptive(double t, double t_min, long steps_left, double pace);

/*
 * The automatic initial temperature: T0 = -mean / ln(accept), where mean is the mean of the
 * positive differences scores[i] - scores[i-1] between consecutive finite scores, so that an
 * average uphill move is accepted with probability `accept` (0 < accept < 1). Returns 0 when
 * there is no positive difference (fewer than two finite scores, or a flat sequence).
 */
double atoll_sa_initial_temperature(const double *scores, size_t n, double accept);

/* The step size after a window whose acceptance rate was `rate`: times 1.1 above `target`,
 * times 0.9 below, unchanged at it; clamped to [ATOLL_SA_STEP_MIN, ATOLL_SA_STEP_MAX]. */
#define ATOLL_SA_STEP_MIN 1e-4
#define ATOLL_SA_STEP_MAX 0.5
double atoll_sa_adapt_step(double step, double rate, double target);

/*
 * The Metropolis rule: whether a chain at `current` moves to `proposed` at temperature t with
 * the uniform draw u in [0,1): always when proposed <= current, else when
 * u < exp(-(proposed - current) / t). A failed proposal (+INFINITY or NaN) is never accepted.
 */
bool atoll_sa_metropolis(double current, double proposed, double t, double u);

/* What one move changes, in the order of the names [sa] move accepts. */
typedef enum { ATOLL_SA_MOVE_ALL = 0, ATOLL_SA_MOVE_ONE = 1 } atoll_sa_move_kind;

/*
 * A move from `from` into `to` (dim = space->n, no overlap). ALL: a choice parameter is
 * re-drawn uniformly with probability `flip` and kept otherwise; every other coordinate takes a
 * N(0, step^2) step, folded back into [0,1] by reflection at the bounds. ONE: a single
 * coordinate drawn uniformly moves that way (a choice is then always re-drawn; `flip` is
 * unused); the others are copied. The result is snapped (ints and choices at the centre of
 * their cell).
 */
void atoll_sa_move(const atoll_space *space, atoll_sa_move_kind kind, const double *from,
                   double *to, double step, double flip, gsl_rng *rng);

/*
 * The replica-exchange rule for chains i and j with energies (scores) e and temperatures t:
 * swap with probability min(1, exp((1/t_i - 1/t_j) * (e_i - e_j))), i.e. when
 * u < exp(...) for the uniform u both partners share. The exponent is bitwise the same with
 * i and j exchanged, so both partners reach the same decision. Never swaps when a score is not
 * finite or a temperature is not finite and > 0.
 */
bool atoll_sa_swap_rule(double e_i, double t_i, double e_j, double t_j, double u);

#endif
