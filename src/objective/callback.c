/* callback.c - the objective behind atoll_register_objective: decoded values to a C function. */

/*
 * A registered objective is `[objective] type = NAME` with no other key: the space is the
 * [param NAME] sections, the direction is minimize unless [run] direction says otherwise.
 * Each evaluation fills an atoll_params view (names from the space, the decoded values, the
 * trial id, its seed and the rank) and calls the user's function; a non-zero return is a
 * fatal ATOLL_ERR_RUNTIME, a failed training is a status in the result.
 */
#include "objective/callback.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct atoll_params {
    const atoll_space *space;
    const atoll_value *values;
    long trial;
    unsigned long long seed;
    int rank;
};

/* ---------------------------------------------------------------- the params view */

size_t atoll_params_count(const atoll_params *params)
{
    return params ? params->space->n : 0;
}

const char *atoll_params_name(const atoll_params *params, size_t i)
{
    return params && i < params->space->n ? params->space->params[i].name : NULL;
}

double atoll_params_get(const atoll_params *params, const char *name)
{
    long i = params && name ? atoll_space_find(params->space, name) : -1;
    if (i < 0)
        return NAN;
    const atoll_value *v = &params->values[i];
    return params->space->params[i].kind == ATOLL_PARAM_CHOICE ? (double)v->index : v->num;
}

const char *atoll_params_get_str(const atoll_params *params, const char *name)
{
    long i = params && name ? atoll_space_find(params->space, name) : -1;
    if (i < 0 || params->space->params[i].kind != ATOLL_PARAM_CHOICE)
        return NULL;
    return params->values[i].str;
}

long atoll_params_trial(const atoll_params *params)
{
    return params ? params->trial : -1;
}

unsigned long long atoll_params_seed(const atoll_params *params)
{
    return params ? params->seed : 0;
}

int atoll_params_rank(const atoll_params *params)
{
    return params ? params->rank : -1;
}

/* ---------------------------------------------------------------- the objective */

typedef struct {
    const atoll_callback_entry *entry;
    atoll_params view;
} callback_state;

/* The params are the registered entry itself (borrowed: it lives as long as the program). */
static int callback_configure(atoll_config *cfg, atoll_space *space, void **params)
{
    (void)space;
    const char *name = NULL;
    ATOLL_CALL(atoll_config_get_string(cfg, "objective", "type", NULL, false, &name));
    const atoll_callback_entry *entry = atoll_objective_registered(atoll_objective_lookup(name));
    if (!entry)
        return atoll_config_error(cfg, "objective", "type", "'%s' is not a registered objective",
                                  name ? name : "");
    *params = (void *)entry;
    return ATOLL_OK;
}

static void callback_free_params(void *params)
{
    (void)params;
}

static atoll_direction callback_direction(const void *params)
{
    (void)params;
    return ATOLL_MINIMIZE;
}

static int callback_create(const void *params, const atoll_space *space,
                           const atoll_objective_env *env, void **state)
{
    callback_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the callback state");
    st->entry = params;
    st->view.space = space;
    st->view.rank = env ? env->rank : 0;
    *state = st;
    return ATOLL_OK;
}

static int callback_evaluate(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                             atoll_eval *out)
{
    callback_state *st = state;
    st->view.values = values;
    st->view.trial = ctx->trial;
    st->view.seed = (unsigned long long)ctx->seed;
    atoll_result result = {.value = NAN, .status = ATOLL_STATUS_OK};
    int rc = st->entry->fn(&st->view, &result, st->entry->ctx);
    st->view.values = NULL;
    if (rc != 0)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "objective '%s': trial %ld: the function returned %d",
                           st->entry->name, ctx->trial, rc);
    if ((int)result.status < ATOLL_STATUS_OK || (int)result.status > ATOLL_STATUS_DIVERGED)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "objective '%s': trial %ld: bad status %d",
                           st->entry->name, ctx->trial, (int)result.status);
    out->value = result.value;
    out->status = result.status;
    for (size_t j = 0; j < ATOLL_EVAL_EXTRA_MAX; j++)
        out->extra[j] = NAN;
    return ATOLL_OK;
}

static void callback_destroy(void *state)
{
    free(state);
}

void atoll_callback_init(atoll_callback_entry *entry, const char *name, atoll_objective_fn fn,
                         void *ctx)
{
    memset(entry, 0, sizeof *entry);
    snprintf(entry->name, sizeof entry->name, "%s", name);
    entry->fn = fn;
    entry->ctx = ctx;
    entry->type = (atoll_objective_type){
        .name = entry->name,
        .summary = "a C function registered with atoll_register_objective",
        .configure = callback_configure,
        .free_params = callback_free_params,
        .direction = callback_direction,
        .create = callback_create,
        .evaluate = callback_evaluate,
        .destroy = callback_destroy,
    };
}
