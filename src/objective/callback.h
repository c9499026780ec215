/* callback.h - the objective that calls a user's C function (atoll_register_objective). */
#ifndef ATOLL_OBJECTIVE_CALLBACK_H
#define ATOLL_OBJECTIVE_CALLBACK_H

#include "atoll.h"
#include "objective/objective.h"

/* The longest registered name, with its terminating NUL. */
#define ATOLL_CALLBACK_NAME_MAX 32

/* One registered objective: a type whose functions are the callback wrapper's, plus the
 * user's function. `type` comes first so a registered type's address is its entry's. */
typedef struct {
    atoll_objective_type type;
    char name[ATOLL_CALLBACK_NAME_MAX];
    atoll_objective_fn fn;
    void *ctx; /* the user's, borrowed */
} atoll_callback_entry;

/* Fill `entry` (type, name, fn, ctx) for a registered objective; `name` fits. */
void atoll_callback_init(atoll_callback_entry *entry, const char *name, atoll_objective_fn fn,
                         void *ctx);

/* The registered entry whose type is `type`, or NULL (a built-in objective). Lives in
 * registry.c, which owns the entries. */
const atoll_callback_entry *atoll_objective_registered(const atoll_objective_type *type);

#endif
