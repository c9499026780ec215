/* sa.c - the "sa" strategy: simulated annealing, one Metropolis chain per island. */

/*
 * Simulated annealing (S. Kirkpatrick, C. D. Gelatt & M. P. Vecchi, "Optimization by simulated
 * annealing", Science 220:671-680, 1983) in the unit cube. The chain proposes a move from its
 * current state and accepts it by the Metropolis rule (N. Metropolis, A. W. Rosenbluth,
 * M. N. Rosenbluth, A. H. Teller & E. Teller, "Equation of state calculations by fast computing
 * machines", J. Chem. Phys. 21:1087-1092, 1953): always when it is no worse, with probability
 * exp(-delta / T) otherwise; a failed trial is never accepted.
 *
 * Start: with `t0 = auto` the chain first evaluates `t0_samples` uniform points and sets
 * T0 = -mean / ln(t0_accept) from the mean positive difference between consecutive samples, so
 * that an average uphill move starts out accepted with probability t0_accept (the initial
 * acceptance rule of D. S. Johnson, C. R. Aragon, L. A. McGeoch & C. Schevon, "Optimization by
 * simulated annealing: an experimental evaluation; part I", Oper. Res. 37(6):865-892, 1989).
 * The samples are ordinary trials; the chain starts from the best of them. With a given t0 it
 * starts from one uniform point. The schedules then run over the rest of the island's budget.
 * A farmed chain (in_flight > 1) does not idle at that start barrier: its free slots sample
 * further uniform points, which count towards the start (and are adopted later if better).
 *
 * Moves: a Gaussian step of every numeric coordinate, reflected at the bounds and snapped; a
 * choice parameter is re-drawn uniformly with probability `choice_flip`. With `move = one` a
 * move changes one coordinate drawn at random instead (a Gaussian step, or a re-drawn choice),
 * as in the coordinate-wise annealing of A. Corana, M. Marchesi, C. Martini & S. Ridella,
 * "Minimizing multimodal functions of continuous variables with the simulated annealing
 * algorithm", ACM TOMS 13(3):262-280, 1987; it is much stronger on nearly separable
 * functions such as Rastrigin's. Every `adapt_window`
 * steps the step size is multiplied by 1.1 or 0.9 to steer the acceptance rate toward
 * `accept_target`, 0.44 by default, the optimal rate of a one-dimensional random-walk
 * Metropolis sampler (A. Gelman, G. O. Roberts & W. R. Gilks, "Efficient Metropolis jumping
 * rules", Bayesian Statistics 5:599-607, 1996).
 *
 * Cooling: geometric T0 * alpha^k (floored at T_min = T0 * t_final_ratio), exponential
 * T0 * ratio^(k/n) and linear T0 * (1 - k/n * (1 - ratio)) over the chain's n steps, and
 * adaptive: a simple acceptance-driven rule, not Lam-Delosme. Each step takes the share
 * pace / (steps left) of the remaining log-distance to T_min, with pace 2 while the last
 * window's acceptance rate was above accept_target (hot: cool faster), 0.5 while below (cold:
 * cool slower), 1 before the first window. T falls monotonically, reaches T_min early when the
 * chain stays hot, and otherwise ends within a small factor of it (about 1.1 T_min after 3000
 * steps that were all cold).
 *
 * Islands: epochs are every `epoch_steps` evaluations; the best state emigrates, and an
 * immigrant better than the current state replaces it. `restart_after` steps without a new
 * chain best send the chain back to its best state. Replica exchange (sa.h) multiplies island
 * i's temperatures by ladder^i and swaps states between partners by the Metropolis swap rule.
 */
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "strategy/sa.h"
#include "strategy/sa_ops.h"
#include "strategy/strategy.h"

#define SA_SECTION "sa"
#define SA_MAX_SAMPLES 1000000L

static const char *const cooling_names[] = {"geometric", "exponential", "linear", "adaptive",
                                            NULL};
static const char *const move_names[] = {"all", "one", NULL};

typedef struct {
    int cooling;
    bool t0_auto;
    double t0;
    long t0_samples;
    double t0_accept;
    double t_final_ratio;
    double alpha;
    int move;
    double step;
    long adapt_window;
    double accept_target;
    double choice_flip;
    long restart_after;
    long epoch_steps;
    long in_flight;
    bool replica_exchange;
    double ladder;
} sa_params;

/* The [sa] keys and their defaults (plus topology, migrants, migration_interval). */
static const sa_params sa_defaults = {
    .cooling = ATOLL_SA_GEOMETRIC, /* geometric | exponential | linear | adaptive */
    .t0_auto = true,               /* t0: auto, or an initial temperature > 0 */
    .t0 = 0.0,
    .t0_samples = 20,          /* uniform samples that set an automatic t0, >= 2 */
    .t0_accept = 0.8,          /* acceptance of a mean uphill move at t0, in (0,1) */
    .t_final_ratio = 1e-4,     /* T_min = t0 * t_final_ratio, in (0,1] */
    .alpha = 0.995,            /* geometric factor per step, in (0,1] */
    .move = ATOLL_SA_MOVE_ALL, /* all: every coordinate moves | one: one coordinate a move */
    .step = 0.1,               /* initial Gaussian step in the unit cube, [1e-4, 0.5] */
    .adapt_window = 50,        /* steps per step-size adaptation; 0 keeps the step fixed */
    .accept_target = 0.44,     /* acceptance rate the step (and adaptive cooling) aims at */
    .choice_flip = 0.0,        /* re-draw probability of a choice; 0 here stands for 1/dim */
    .restart_after = 0,        /* steps without a new best before a jump back to it; 0 never */
    .epoch_steps = 100,        /* evaluations per epoch (migration happens at epochs) */
    .in_flight = 1,            /* proposals evaluated at once (farmed islands); 1: classic */
    .replica_exchange = false, /* island i anneals at ladder^i times the schedule */
    .ladder = 1.5,             /* temperature ratio between neighbouring islands, >= 1 */
};

typedef struct {
    const sa_params *par;
    const atoll_space *space;
    size_t dim;
    gsl_rng *rng;

    double *cur_x, cur_score;   /* the chain's state */
    double *best_x, best_score; /* the best state it has seen */
    /* Proposals in flight, at most `in_flight`: each is a neighbour of the state when it was
     * asked, and takes its Metropolis step against the current state when its result lands
     * (asynchronous parallel annealing; in_flight = 1 is the classic chain). */
    double *prop_x;     /* in_flight x dim */
    long *prop_ticket;  /* in_flight; -1 when the slot is free */
    bool *prop_start;   /* in_flight; the slot holds a uniform start point, not a move */
    long start_asked;   /* start points handed out */
    long next_ticket;
    long told;
    long budget; /* the island's evaluations */

    /* Start: uniform points before the chain moves (T0 samples, or one start point). */
    long n_start, start_done;
    double *start_score;

    /* The chain: temperature, progress and adaptation. */
    bool started;
    double ladder_factor;
    double t0, t_min, t;
    long chain_steps, chain_budget;
    double step, pace;
    long window_steps, window_accepts;
    long since_improve;

    long restarts, swaps, immigrants_accepted;
} sa_state;

/* ---------------------------------------------------------------- pure pieces */

double atoll_sa_schedule(atoll_sa_cooling cooling, double t0, double ratio, double alpha, long k,
                         long n)
{
    double t_min = t0 * ratio, t;
    if (k <= 0)
        return t0;
    switch (cooling) {
    case ATOLL_SA_GEOMETRIC:
        t = t0 * pow(alpha, (double)k);
        break;
    case ATOLL_SA_EXPONENTIAL:
        t = k >= n ? t_min : t0 * pow(ratio, (double)k / (double)n);
        break;
    case ATOLL_SA_LINEAR:
        t = k >= n ? t_min : t0 * (1.0 - (double)k / (double)n * (1.0 - ratio));
        break;
    default:
        t = t_min;
        break;
    }
    return t > t_min ? t : t_min;
}

double atoll_sa_adaptive(double t, double t_min, long steps_left, double pace)
{
    if (steps_left <= 0 || t <= t_min)
        return t_min;
    double share = pace / (double)steps_left;
    if (share >= 1.0)
        return t_min;
    double next = t * pow(t_min / t, share);
    if (next > t)
        return t;
    return next > t_min ? next : t_min;
}

double atoll_sa_initial_temperature(const double *scores, size_t n, double accept)
{
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 1; i < n; i++) {
        if (!isfinite(scores[i]) || !isfinite(scores[i - 1]))
            continue;
        double delta = scores[i] - scores[i - 1];
        if (delta > 0.0) {
            sum += delta;
            count++;
        }
    }
    if (count == 0)
        return 0.0;
    return -(sum / (double)count) / log(accept);
}

double atoll_sa_adapt_step(double step, double rate, double target)
{
    if (rate > target)
        step *= 1.1;
    else if (rate < target)
        step *= 0.9;
    if (step < ATOLL_SA_STEP_MIN)
        return ATOLL_SA_STEP_MIN;
    return step > ATOLL_SA_STEP_MAX ? ATOLL_SA_STEP_MAX : step;
}

bool atoll_sa_metropolis(double current, double proposed, double t, double u)
{
    if (isnan(proposed) || proposed == INFINITY)
        return false;
    if (proposed <= current)
        return true;
    if (!(t > 0.0))
        return false;
    return u < exp(-(proposed - current) / t);
}

/* Fold any real into [0,1] by reflecting at 0 and 1. */
static double reflect01(double y)
{
    if (!isfinite(y))
        return 0.5;
    y = fabs(fmod(y, 2.0));
    return y <= 1.0 ? y : 2.0 - y;
}

void atoll_sa_move(const atoll_space *space, atoll_sa_move_kind kind, const double *from,
                   double *to, double step, double flip, gsl_rng *rng)
{
    if (kind == ATOLL_SA_MOVE_ONE) {
        size_t j = (size_t)gsl_rng_uniform_int(rng, space->n);
        memcpy(to, from, space->n * sizeof *to);
        if (space->params[j].kind == ATOLL_PARAM_CHOICE)
            to[j] = gsl_rng_uniform(rng);
        else
            to[j] = reflect01(from[j] + gsl_ran_gaussian(rng, step));
    } else {
        for (size_t i = 0; i < space->n; i++) {
            if (space->params[i].kind == ATOLL_PARAM_CHOICE)
                to[i] = gsl_rng_uniform(rng) < flip ? gsl_rng_uniform(rng) : from[i];
            else
                to[i] = reflect01(from[i] + gsl_ran_gaussian(rng, step));
        }
    }
    atoll_space_snap(space, to);
}

bool atoll_sa_swap_rule(double e_i, double t_i, double e_j, double t_j, double u)
{
    if (!isfinite(e_i) || !isfinite(e_j) || !isfinite(t_i) || !isfinite(t_j) || !(t_i > 0.0) ||
        !(t_j > 0.0))
        return false;
    double exponent = (1.0 / t_i - 1.0 / t_j) * (e_i - e_j);
    return exponent >= 0.0 || u < exp(exponent);
}

/* ---------------------------------------------------------------- configuration */

/* Read a double that must lie strictly between lo and hi (hi_open: hi excluded too). */
static int get_open(atoll_config *cfg, const char *key, double def, double lo, double hi,
                    bool hi_open, double *out)
{
    ATOLL_CALL(atoll_config_get_double(cfg, SA_SECTION, key, def, lo, hi, out));
    if (!(*out > lo))
        return atoll_config_error(cfg, SA_SECTION, key, "must be > %g (got %g)", lo, *out);
    if (hi_open && !(*out < hi))
        return atoll_config_error(cfg, SA_SECTION, key, "must be < %g (got %g)", hi, *out);
    return ATOLL_OK;
}

/* t0 is "auto" or a finite number > 0. */
static int get_t0(atoll_config *cfg, bool *is_auto, double *t0)
{
    const char *text = NULL;
    ATOLL_CALL(atoll_config_get_string(cfg, SA_SECTION, "t0", "auto", false, &text));
    *is_auto = strcmp(text, "auto") == 0;
    *t0 = 0.0;
    if (*is_auto)
        return ATOLL_OK;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v) || !(v > 0.0))
        return atoll_config_error(cfg, SA_SECTION, "t0", "must be auto or a number > 0 (got '%s')",
                                  text);
    *t0 = v;
    return ATOLL_OK;
}

static int sa_configure(atoll_config *cfg, const atoll_space *space, void **params,
                        atoll_migration *migration)
{
    const sa_params *d = &sa_defaults;
    const char *S = SA_SECTION;
    sa_params p;

    ATOLL_CALL(atoll_config_get_enum(cfg, S, "cooling", cooling_names[d->cooling], cooling_names,
                                     &p.cooling));
    ATOLL_CALL(get_t0(cfg, &p.t0_auto, &p.t0));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "t0_samples", d->t0_samples, 2, SA_MAX_SAMPLES,
                                     &p.t0_samples));
    ATOLL_CALL(get_open(cfg, "t0_accept", d->t0_accept, 0.0, 1.0, true, &p.t0_accept));
    ATOLL_CALL(get_open(cfg, "t_final_ratio", d->t_final_ratio, 0.0, 1.0, false,
                        &p.t_final_ratio));
    ATOLL_CALL(get_open(cfg, "alpha", d->alpha, 0.0, 1.0, false, &p.alpha));
    ATOLL_CALL(atoll_config_get_enum(cfg, S, "move", move_names[d->move], move_names, &p.move));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "step", d->step, ATOLL_SA_STEP_MIN,
                                       ATOLL_SA_STEP_MAX, &p.step));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "adapt_window", d->adapt_window, 0, LONG_MAX,
                                     &p.adapt_window));
    if (p.cooling == ATOLL_SA_ADAPTIVE && p.adapt_window == 0)
        return atoll_config_error(cfg, S, "adapt_window",
                                  "must be >= 1 with cooling = adaptive (got 0)");
    ATOLL_CALL(get_open(cfg, "accept_target", d->accept_target, 0.0, 1.0, true,
                        &p.accept_target));
    double per_choice = 1.0 / (double)(space->n > 0 ? space->n : 1);
    ATOLL_CALL(atoll_config_get_double(cfg, S, "choice_flip", per_choice, 0.0, 1.0,
                                       &p.choice_flip));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "restart_after", d->restart_after, 0, LONG_MAX,
                                     &p.restart_after));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "epoch_steps", d->epoch_steps, 1, LONG_MAX,
                                     &p.epoch_steps));
    ATOLL_CALL(atoll_config_get_long(cfg, S, "in_flight", d->in_flight, 1, 100000,
                                     &p.in_flight));
    ATOLL_CALL(atoll_config_get_bool(cfg, S, "replica_exchange", d->replica_exchange,
                                     &p.replica_exchange));
    ATOLL_CALL(atoll_config_get_double(cfg, S, "ladder", d->ladder, 1.0, 1e6, &p.ladder));
    ATOLL_CALL(atoll_migration_configure(cfg, S, migration));
    if (migration->move)
        return atoll_config_error(cfg, S, "migrant_policy",
                                  "move needs a population (ga); a chain adopts copies");

    sa_params *out = malloc(sizeof *out);
    if (!out)
        return ATOLL_NOMEM("the sa parameters");
    *out = p;
    *params = out;
    return ATOLL_OK;
}

static void sa_free_params(void *params)
{
    free(params);
}

/* ---------------------------------------------------------------- the chain */

static void copy_point(const sa_state *st, double *to, const double *from)
{
    memcpy(to, from, st->dim * sizeof *to);
}

/* Make (x, score) the chain's state (snapped: it may come from another island), and its best
 * when it beats the best. `x` must not be cur_x. */
static void adopt(sa_state *st, const double *x, double score)
{
    copy_point(st, st->cur_x, x);
    atoll_space_snap(st->space, st->cur_x);
    st->cur_score = score;
    if (score < st->best_score) {
        copy_point(st, st->best_x, st->cur_x);
        st->best_score = score;
        st->since_improve = 0;
    }
}

/* The start points are in: fix the temperatures and let the chain move. */
static void start_chain(sa_state *st)
{
    const sa_params *p = st->par;
    double t0 = p->t0;
    if (p->t0_auto) {
        t0 = atoll_sa_initial_temperature(st->start_score, (size_t)st->n_start, p->t0_accept);
        if (!(t0 > 0.0) || !isfinite(t0))
            t0 = 1.0; /* flat or failed samples carry no scale */
    }
    st->t0 = t0 * st->ladder_factor;
    st->t_min = st->t0 * p->t_final_ratio;
    st->t = st->t0;
    st->chain_budget = st->budget - st->n_start > 0 ? st->budget - st->n_start : 1;
    st->started = true;
}

/* After a chain step: the next temperature. */
static void cool(sa_state *st)
{
    const sa_params *p = st->par;
    if (p->cooling == ATOLL_SA_ADAPTIVE)
        st->t = atoll_sa_adaptive(st->t, st->t_min, st->chain_budget - st->chain_steps + 1,
                                  st->pace);
    else
        st->t = atoll_sa_schedule((atoll_sa_cooling)p->cooling, st->t0, p->t_final_ratio,
                                  p->alpha, st->chain_steps, st->chain_budget);
}

/* One Metropolis step to proposal `x` with its score. */
static void chain_step(sa_state *st, const double *x, double score)
{
    const sa_params *p = st->par;
    double u = gsl_rng_uniform(st->rng);
    double before = st->best_score;
    if (atoll_sa_metropolis(st->cur_score, score, st->t, u)) {
        adopt(st, x, score);
        st->window_accepts++;
    }
    if (!(st->best_score < before))
        st->since_improve++;
    st->chain_steps++;
    st->window_steps++;
    if (p->adapt_window > 0 && st->window_steps >= p->adapt_window) {
        double rate = (double)st->window_accepts / (double)st->window_steps;
        st->step = atoll_sa_adapt_step(st->step, rate, p->accept_target);
        st->pace = rate > p->accept_target ? 2.0 : rate < p->accept_target ? 0.5 : 1.0;
        st->window_steps = 0;
        st->window_accepts = 0;
    }
    cool(st);
    if (p->restart_after > 0 && st->since_improve >= p->restart_after &&
        isfinite(st->best_score)) {
        copy_point(st, st->cur_x, st->best_x);
        st->cur_score = st->best_score;
        st->since_improve = 0;
        st->restarts++;
    }
}

/* ---------------------------------------------------------------- the strategy */

static void sa_destroy(void *state)
{
    sa_state *st = state;
    if (!st)
        return;
    gsl_rng_free(st->rng);
    free(st->cur_x);
    free(st->best_x);
    free(st->prop_x);
    free(st->prop_ticket);
    free(st->prop_start);
    free(st->start_score);
    free(st);
}

static int sa_create(const void *params, const atoll_space *space, const atoll_strategy_env *env,
                     void **state)
{
    const sa_params *par = params;
    if (space->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "sa: the search space has no parameters");
    sa_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the sa state");
    int rc = ATOLL_OK;
    size_t dim = space->n;
    st->budget = env->budget;
    st->par = par;
    st->space = space;
    st->dim = dim;
    st->n_start = 1;
    if (par->t0_auto)
        st->n_start = env->budget < par->t0_samples ? (env->budget > 1 ? env->budget : 1)
                                                    : par->t0_samples;
    st->rng = atoll_rng_stream(env->seed, ATOLL_STREAM_STRATEGY, (uint64_t)env->island);
    if (!st->rng) {
        rc = ATOLL_NOMEM("the sa random stream");
        goto fail;
    }
    st->cur_x = calloc(dim, sizeof *st->cur_x);
    st->best_x = calloc(dim, sizeof *st->best_x);
    size_t slots = (size_t)par->in_flight;
    st->prop_x = calloc(slots * dim, sizeof *st->prop_x);
    st->prop_ticket = malloc(slots * sizeof *st->prop_ticket);
    st->prop_start = calloc(slots, sizeof *st->prop_start);
    st->start_score = calloc((size_t)st->n_start, sizeof *st->start_score);
    for (size_t k = 0; st->prop_ticket && k < slots; k++)
        st->prop_ticket[k] = -1;
    if (!st->cur_x || !st->best_x || !st->prop_x || !st->prop_ticket || !st->prop_start ||
        !st->start_score) {
        rc = ATOLL_NOMEM("the sa chain");
        goto fail;
    }
    st->cur_score = st->best_score = INFINITY;
    st->ladder_factor = par->replica_exchange ? pow(par->ladder, (double)env->island) : 1.0;
    if (!isfinite(st->ladder_factor)) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "sa: ladder %g over %d islands overflows the temperature", par->ladder,
                         env->n_islands);
        goto fail;
    }
    st->step = par->step;
    st->pace = 1.0;
    *state = st;
    return ATOLL_OK;
fail:
    sa_destroy(st);
    return rc;
}

static int sa_ask(void *state, double *x, long *ticket, long *generation, bool *ready)
{
    sa_state *st = state;
    *ready = false;
    /* A classic chain waits for all its start points before it moves. With several proposals
     * in flight, a free slot meanwhile samples one more uniform start point rather than
     * leave a worker idle at that barrier. */
    if (!st->started && st->start_asked >= st->n_start && st->par->in_flight == 1)
        return ATOLL_OK;
    long slot = -1;
    for (long k = 0; k < st->par->in_flight && slot < 0; k++)
        if (st->prop_ticket[k] < 0)
            slot = k;
    if (slot < 0)
        return ATOLL_OK; /* `in_flight` proposals are out */
    double *prop = st->prop_x + (size_t)slot * st->dim;
    st->prop_start[slot] = !st->started;
    if (!st->started) {
        for (size_t i = 0; i < st->dim; i++)
            prop[i] = gsl_rng_uniform(st->rng);
        atoll_space_snap(st->space, prop);
        st->start_asked++;
    } else {
        atoll_sa_move(st->space, (atoll_sa_move_kind)st->par->move, st->cur_x, prop, st->step,
                      st->par->choice_flip, st->rng);
    }
    copy_point(st, x, prop);
    st->prop_ticket[slot] = st->next_ticket;
    *ticket = st->next_ticket++;
    *generation = st->told / st->par->epoch_steps;
    *ready = true;
    return ATOLL_OK;
}

static int sa_tell(void *state, long ticket, double score)
{
    sa_state *st = state;
    long slot = -1;
    for (long k = 0; k < st->par->in_flight && ticket >= 0; k++)
        if (st->prop_ticket[k] == ticket)
            slot = k;
    if (slot < 0) {
        if (ticket >= 0 && ticket < st->next_ticket)
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "sa: ticket %ld was already told", ticket);
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "sa: unknown ticket %ld (never asked)", ticket);
    }
    st->prop_ticket[slot] = -1;
    st->told++;
    if (isnan(score))
        score = INFINITY;
    const double *prop = st->prop_x + (size_t)slot * st->dim;
    if (st->prop_start[slot]) {
        /* The chain starts from the best start point; one that comes back after the start
         * (an extra sample of a farmed chain) is adopted only if it is better. */
        if (!st->started) {
            st->start_score[st->start_done] = score;
            if (st->start_done++ == 0 || score < st->cur_score)
                adopt(st, prop, score);
            if (st->start_done >= st->n_start)
                start_chain(st);
        } else if (score < st->cur_score) {
            adopt(st, prop, score);
        }
        return ATOLL_OK;
    }
    chain_step(st, prop, score);
    return ATOLL_OK;
}

static long sa_epoch(const void *state)
{
    const sa_state *st = state;
    return st->told / st->par->epoch_steps;
}

static size_t sa_emigrants(void *state, size_t max, double *x, double *score)
{
    sa_state *st = state;
    if (max == 0 || !isfinite(st->best_score))
        return 0;
    copy_point(st, x, st->best_x);
    score[0] = st->best_score;
    return 1;
}

static int sa_immigrate(void *state, size_t n, const double *x, const double *score,
                        size_t *accepted)
{
    sa_state *st = state;
    *accepted = 0;
    size_t pick = n;
    for (size_t i = 0; i < n; i++)
        if (isfinite(score[i]) && score[i] < st->cur_score &&
            (pick == n || score[i] < score[pick]))
            pick = i;
    if (pick == n)
        return ATOLL_OK;
    adopt(st, x + pick * st->dim, score[pick]);
    *accepted = 1;
    st->immigrants_accepted++;
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- replica exchange (sa.h) */

bool atoll_sa_replica_exchange(const void *state)
{
    const sa_state *st = state;
    return st->par->replica_exchange;
}

int atoll_sa_exchange_state(void *state, double *x_out, double *score_out,
                            double *temperature_out)
{
    sa_state *st = state;
    copy_point(st, x_out, st->cur_x);
    *score_out = st->cur_score;
    *temperature_out = st->started ? st->t : INFINITY;
    return ATOLL_OK;
}

int atoll_sa_exchange_accept(void *state, const double *x_in, double score_in,
                             double temperature_in, double u, bool *swapped)
{
    sa_state *st = state;
    double t = st->started ? st->t : INFINITY;
    *swapped = atoll_sa_swap_rule(st->cur_score, t, score_in, temperature_in, u);
    if (!*swapped)
        return ATOLL_OK;
    adopt(st, x_in, score_in);
    st->swaps++;
    return ATOLL_OK;
}

long atoll_sa_swaps(const void *state)
{
    const sa_state *st = state;
    return st->swaps;
}

long atoll_sa_restarts(const void *state)
{
    const sa_state *st = state;
    return st->restarts;
}

/* The sa strategy's type table, registered in registry.c. */
/* ---------------------------------------------------------------- checkpoints */

static int sa_save(const void *state, atoll_wbuf *b)
{
    const sa_state *st = state;
    size_t dim = st->dim, slots = (size_t)st->par->in_flight;
    atoll_wbuf_i64(b, (int64_t)dim);
    atoll_wbuf_i64(b, (int64_t)slots);
    atoll_wbuf_i64(b, st->n_start);
    atoll_wbuf_rng(b, st->rng);
    atoll_wbuf_f64s(b, st->cur_x, dim);
    atoll_wbuf_f64(b, st->cur_score);
    atoll_wbuf_f64s(b, st->best_x, dim);
    atoll_wbuf_f64(b, st->best_score);
    atoll_wbuf_f64s(b, st->prop_x, slots * dim);
    for (size_t k = 0; k < slots; k++) {
        atoll_wbuf_i64(b, st->prop_ticket[k]);
        atoll_wbuf_i64(b, st->prop_start[k]);
    }
    atoll_wbuf_i64(b, st->start_asked);
    atoll_wbuf_i64(b, st->next_ticket);
    atoll_wbuf_i64(b, st->told);
    atoll_wbuf_i64(b, st->start_done);
    atoll_wbuf_f64s(b, st->start_score, (size_t)st->n_start);
    atoll_wbuf_i64(b, st->started);
    atoll_wbuf_f64(b, st->t0);
    atoll_wbuf_f64(b, st->t_min);
    atoll_wbuf_f64(b, st->t);
    atoll_wbuf_i64(b, st->chain_steps);
    atoll_wbuf_i64(b, st->chain_budget);
    atoll_wbuf_f64(b, st->step);
    atoll_wbuf_f64(b, st->pace);
    atoll_wbuf_i64(b, st->window_steps);
    atoll_wbuf_i64(b, st->window_accepts);
    atoll_wbuf_i64(b, st->since_improve);
    atoll_wbuf_i64(b, st->restarts);
    atoll_wbuf_i64(b, st->swaps);
    atoll_wbuf_i64(b, st->immigrants_accepted);
    return atoll_wbuf_status(b, "the sa checkpoint");
}

static int sa_load(void *state, atoll_rbuf *r)
{
    sa_state *st = state;
    size_t dim = st->dim, slots = (size_t)st->par->in_flight;
    const int64_t big = LONG_MAX / 2;
    if (atoll_rbuf_i64(r) != (int64_t)dim || atoll_rbuf_i64(r) != (int64_t)slots ||
        atoll_rbuf_i64(r) != st->n_start)
        return ATOLL_RAISE(ATOLL_ERR_IO,
                           "sa: the checkpoint holds another dimension, in_flight or t0_samples");
    atoll_rbuf_rng(r, st->rng);
    atoll_rbuf_unit(r, st->cur_x, dim);
    st->cur_score = atoll_rbuf_f64(r);
    atoll_rbuf_unit(r, st->best_x, dim);
    st->best_score = atoll_rbuf_f64(r);
    atoll_rbuf_unit(r, st->prop_x, slots * dim);
    for (size_t k = 0; k < slots; k++) {
        st->prop_ticket[k] = atoll_rbuf_range(r, -1, big);
        st->prop_start[k] = atoll_rbuf_range(r, 0, 1);
    }
    st->start_asked = atoll_rbuf_range(r, 0, big);
    st->next_ticket = atoll_rbuf_range(r, 0, big);
    st->told = atoll_rbuf_range(r, 0, st->next_ticket);
    st->start_done = atoll_rbuf_range(r, 0, st->n_start);
    atoll_rbuf_f64s(r, st->start_score, (size_t)st->n_start);
    st->started = atoll_rbuf_range(r, 0, 1);
    st->t0 = atoll_rbuf_f64(r);
    st->t_min = atoll_rbuf_f64(r);
    st->t = atoll_rbuf_f64(r);
    st->chain_steps = atoll_rbuf_range(r, 0, big);
    st->chain_budget = atoll_rbuf_range(r, 0, big);
    st->step = atoll_rbuf_f64(r);
    st->pace = atoll_rbuf_f64(r);
    st->window_steps = atoll_rbuf_range(r, 0, big);
    st->window_accepts = atoll_rbuf_range(r, 0, big);
    st->since_improve = atoll_rbuf_range(r, 0, big);
    st->restarts = atoll_rbuf_range(r, 0, big);
    st->swaps = atoll_rbuf_range(r, 0, big);
    st->immigrants_accepted = atoll_rbuf_range(r, 0, big);
    for (size_t k = 0; k < slots; k++)
        if (st->prop_ticket[k] >= st->next_ticket)
            r->failed = true;
    /* the chain starts as soon as its last start point is told */
    if (!st->started && st->start_done >= st->n_start)
        r->failed = true;
    if (!(st->step > 0 && st->step <= 1) || !isfinite(st->pace) || isnan(st->t) ||
        isnan(st->t0) || isnan(st->t_min))
        r->failed = true;
    return atoll_rbuf_status(r, "sa checkpoint");
}

const atoll_strategy_type atoll_strategy_sa = {
    .name = "sa",
    .summary = "simulated annealing, one chain per island: auto T0, 4 coolings, replica ladder",
    .configure = sa_configure,
    .free_params = sa_free_params,
    .create = sa_create,
    .ask = sa_ask,
    .tell = sa_tell,
    .epoch = sa_epoch,
    .emigrants = sa_emigrants,
    .immigrate = sa_immigrate,
    .destroy = sa_destroy,
    .exchanges = atoll_sa_replica_exchange,
    .exchange_state = atoll_sa_exchange_state,
    .exchange_accept = atoll_sa_exchange_accept,
    .save = sa_save,
    .load = sa_load,
};
