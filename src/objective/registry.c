/* registry.c - the table of every objective, those registered at run time, lookup by name. */
#include <ctype.h>
#include <string.h>

#include "core/error.h"
#include "objective/callback.h"
#include "objective/objective.h"

extern const atoll_objective_type atoll_objective_bench;
extern const atoll_objective_type atoll_objective_sleep;
extern const atoll_objective_type atoll_objective_mlp;
extern const atoll_objective_type atoll_objective_forest;
extern const atoll_objective_type atoll_objective_linear;
extern const atoll_objective_type atoll_objective_command;

/* Every objective, NULL-terminated; a new objective is one more row. */
const atoll_objective_type *const atoll_objectives[] = {
    &atoll_objective_bench, &atoll_objective_sleep,  &atoll_objective_mlp,
    &atoll_objective_command,
    &atoll_objective_forest, &atoll_objective_linear, NULL};

const char *const *atoll_objective_columns(const atoll_objective_type *type, const void *params)
{
    return type->columns ? type->columns(params) : NULL;
}

size_t atoll_objective_n_columns(const atoll_objective_type *type, const void *params)
{
    const char *const *names = atoll_objective_columns(type, params);
    size_t n = 0;
    while (names && names[n])
        n++;
    return n;
}

/* The most objectives a program may register (atoll_register_objective). */
#define ATOLL_REGISTERED_MAX 16

/* Objectives registered at run time, searched after the built-in table. Registration happens
 * on the main thread before any run, so no lock. */
static atoll_callback_entry registered[ATOLL_REGISTERED_MAX];
static size_t n_registered;

static size_t n_builtin(void)
{
    size_t n = 0;
    while (atoll_objectives[n])
        n++;
    return n;
}

size_t atoll_objective_count(void)
{
    return n_builtin() + n_registered;
}

const atoll_objective_type *atoll_objective_at(size_t i)
{
    size_t n = n_builtin();
    if (i < n)
        return atoll_objectives[i];
    return i - n < n_registered ? &registered[i - n].type : NULL;
}

/* The objective whose name is `name` (exact match), or NULL. */
const atoll_objective_type *atoll_objective_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < atoll_objective_count(); i++)
        if (strcmp(atoll_objective_at(i)->name, name) == 0)
            return atoll_objective_at(i);
    return NULL;
}

const atoll_callback_entry *atoll_objective_registered(const atoll_objective_type *type)
{
    for (size_t i = 0; i < n_registered; i++)
        if (type == &registered[i].type)
            return &registered[i];
    return NULL;
}

/* Whether `name` is [A-Za-z_][A-Za-z0-9_]* and fits an entry. */
static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= ATOLL_CALLBACK_NAME_MAX || isdigit((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}

int atoll_register_objective(const char *name, atoll_objective_fn fn, void *ctx)
{
    if (!name || !name_ok(name))
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "atoll_register_objective: bad name '%s' (want [A-Za-z_][A-Za-z0-9_]*, "
                           "at most %d characters)",
                           name ? name : "(null)", ATOLL_CALLBACK_NAME_MAX - 1);
    if (!fn)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll_register_objective: '%s': no function", name);
    const atoll_objective_type *known = atoll_objective_lookup(name);
    if (known)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll_register_objective: '%s' is already %s", name,
                           atoll_objective_registered(known) ? "registered" : "a built-in objective");
    if (n_registered == ATOLL_REGISTERED_MAX)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "atoll_register_objective: '%s': at most %d objectives can be registered",
                           name, ATOLL_REGISTERED_MAX);
    atoll_callback_init(&registered[n_registered], name, fn, ctx);
    n_registered++;
    return ATOLL_OK;
}
