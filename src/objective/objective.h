/* objective.h - the fitness interface: decoded parameters in, a score and a status out. */
#ifndef ATOLL_OBJECTIVE_H
#define ATOLL_OBJECTIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/space.h"

/* Which way a score is better. */
typedef enum { ATOLL_MINIMIZE = 0, ATOLL_MAXIMIZE = 1 } atoll_direction;

/* What an objective instance knows of the run (per rank; it never knows MPI). */
typedef struct {
    uint64_t seed;       /* the run seed */
    int rank;            /* for seeding per-rank streams and naming per-rank files only */
    int local_rank;      /* the rank's index on its node (e.g. to pick a GPU) */
    int local_size;      /* ranks on this node */
    const char *out_dir; /* the run's output folder */
} atoll_objective_env;

/* One evaluation's context. */
typedef struct {
    long trial;    /* the trial id as logged */
    uint64_t seed; /* a seed derived from the run seed and the trial id */
} atoll_trial_ctx;

/* The most extra trial-log columns an objective may report. */
#define ATOLL_EVAL_EXTRA_MAX 8

/* One evaluation's outcome. `value` is meaningful only when status is OK; extra[j] is the
 * value of the objective's j-th extra column (NaN: not known, logged empty). */
typedef struct {
    double value;
    atoll_status status;
    double extra[ATOLL_EVAL_EXTRA_MAX];
} atoll_eval;

typedef struct atoll_objective_type {
    const char *name;    /* as written in [objective] type */
    const char *summary; /* one line for --help and the README */
    /* Optional: the extra trial-log columns of these params (e.g. "train_s", "epochs"),
     * NULL-terminated, at most ATOLL_EVAL_EXTRA_MAX, borrowed for the params' life; NULL
     * (or no function) for none. Each evaluation fills atoll_eval.extra in that order. */
    const char *const *(*columns)(const void *params);
    /* Read and validate [objective]; may add parameters to an empty space (e.g. bench's
     * `dimension`) and must check the space it will be given. */
    int (*configure)(atoll_config *cfg, atoll_space *space, void **params);
    void (*free_params)(void *params);
    /* The natural direction of this objective's score with these params. */
    atoll_direction (*direction)(const void *params);
    /* Make the per-rank state (load data once here, never per evaluation). */
    int (*create)(const void *params, const atoll_space *space, const atoll_objective_env *env,
                  void **state);
    /* Score one point. A non-zero return is a fatal error that ends the run; a model that
     * fails or diverges is a status in *out, not an error. */
    int (*evaluate)(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                    atoll_eval *out);
    void (*destroy)(void *state);
} atoll_objective_type;

/* NULL-terminated table of every objective. */
extern const atoll_objective_type *const atoll_objectives[];

/* The extra columns of an objective with these params (NULL-terminated, or NULL), and their
 * number. */
const char *const *atoll_objective_columns(const atoll_objective_type *type, const void *params);
size_t atoll_objective_n_columns(const atoll_objective_type *type, const void *params);

/* Look an objective up by name (built-in or registered at run time), or NULL. */
const atoll_objective_type *atoll_objective_lookup(const char *name);

/* The number of objectives: the built-in table's, then those registered at run time
 * (atoll_register_objective), in registration order. */
size_t atoll_objective_count(void);
/* The i-th objective in that order, or NULL when i >= atoll_objective_count(). */
const atoll_objective_type *atoll_objective_at(size_t i);

#endif
