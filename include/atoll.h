/* atoll.h - the public API of libatoll: status codes, the parameter space, objective results. */
#ifndef ATOLL_H
#define ATOLL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATOLL_VERSION "0.1.0"

/* Status codes returned by every fallible function (0 = success). */
enum {
    ATOLL_OK = 0,
    ATOLL_ERR_RUNTIME = 1, /* a failure while running (I/O, a peer, an objective) */
    ATOLL_ERR_USAGE = 2,   /* bad input: config, override, argument; the process exits 2 */
    ATOLL_ERR_NOMEM = 3,
    ATOLL_ERR_IO = 4,
    ATOLL_ERR_MPI = 5
};

/* The message of the last error raised in this process (one line, for the user). */
const char *atoll_error_message(void);
/* The traceback of the last error (source locations, one per line; for debugging). */
const char *atoll_error_traceback(void);
/* Forget the last error. */
void atoll_error_clear(void);

/* Kinds of parameter in a search space. */
typedef enum { ATOLL_PARAM_REAL = 0, ATOLL_PARAM_INT = 1, ATOLL_PARAM_CHOICE = 2 } atoll_param_kind;

/* How a numeric parameter maps onto its unit interval. */
typedef enum { ATOLL_SCALE_LINEAR = 0, ATOLL_SCALE_LOG = 1 } atoll_scale;

/* One decoded parameter value: `num` for real and int (an integral double for int), `index`
 * and `str` for a choice (then `num` is the index too). `str` points into the space. */
typedef struct {
    double num;
    size_t index;
    const char *str;
} atoll_value;

/* How an evaluation ended. Anything but OK scores as the worst value and never migrates. */
typedef enum {
    ATOLL_STATUS_OK = 0,
    ATOLL_STATUS_FAILED = 1,
    ATOLL_STATUS_TIMEOUT = 2,
    ATOLL_STATUS_DIVERGED = 3
} atoll_status;

/* Name of a status as written in the trial log ("ok", "failed", "timeout", "diverged"). */
const char *atoll_status_name(atoll_status status);

/* ------------------------------------------------------------------ objectives in C */

/*
 * A trial's decoded point, as the objective function sees it: an opaque view, borrowed for
 * the duration of the call only (do not keep the pointer or the strings it returns).
 */
typedef struct atoll_params atoll_params;

/* Number of parameters, in the order of the [param NAME] sections. */
size_t atoll_params_count(const atoll_params *params);
/* Name of parameter i (i < count), or NULL. */
const char *atoll_params_name(const atoll_params *params, size_t i);
/* Value of parameter `name`: a real's or an int's value (an int is an integral double), a
 * choice's index; NaN if there is no such parameter. */
double atoll_params_get(const atoll_params *params, const char *name);
/* Text of choice parameter `name`; NULL if it is not a choice or does not exist. */
const char *atoll_params_get_str(const atoll_params *params, const char *name);
/* The trial id as trials.csv logs it. */
long atoll_params_trial(const atoll_params *params);
/* The trial's seed, derived from [run] seed and the trial id: the same on any rank. */
unsigned long long atoll_params_seed(const atoll_params *params);
/* The MPI rank evaluating this trial (for naming per-rank files; never call MPI with it). */
int atoll_params_rank(const atoll_params *params);

/* What an objective function reports. `value` counts only when status is ATOLL_STATUS_OK (a
 * non-finite value then counts as failed). */
typedef struct {
    double value;
    atoll_status status;
} atoll_result;

/*
 * A user objective: score the point in `params`, write *result and return 0. A failed
 * training is result->status = ATOLL_STATUS_FAILED (or TIMEOUT, DIVERGED) with return 0; a
 * non-zero return is a fatal error that ends the whole run. result starts as {NaN, OK}.
 *
 * Threads: each rank calls the function for its own trials, never two calls at once on one
 * rank. When an island has workers ([run] islands < ranks), its leader runs its own
 * evaluations on a helper thread, so the function may be called from a thread other than
 * main's: it must make no MPI calls and keep no thread-local state across calls.
 */
typedef int (*atoll_objective_fn)(const atoll_params *params, atoll_result *result, void *ctx);

/*
 * Register `fn` as `[objective] type = NAME`, with `ctx` (borrowed, may be NULL) passed to
 * every call. NAME is an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 31 characters) that is
 * neither a built-in objective nor already registered; at most 16 objectives can be
 * registered. Errors are ATOLL_ERR_USAGE with a message (atoll_error_message). The
 * objective minimizes unless [run] direction says otherwise, needs [param NAME] sections and
 * reads no [objective] key but `type`. Call it on every rank, from the main thread, before
 * atoll_main or atoll_search.
 */
int atoll_register_objective(const char *name, atoll_objective_fn fn, void *ctx);

/*
 * The whole `atoll` command as a function (run, check, models, --help, --version): a program
 * that registers objectives and returns atoll_main(argc, argv) is launched as
 * `mpirun -np 4 ./prog run config.ini`. Collective for `run`. Returns the exit code: 0 done,
 * 1 runtime failure, 2 bad config or arguments. Messages go to stderr.
 */
int atoll_main(int argc, char **argv);

/*
 * Run one search (collective: every rank calls it alike). `config` is an INI file, or NULL to
 * build the config from `sets` alone; `sets` are `n_sets` overrides "section.key=value"
 * applied in order (e.g. "param x.low=0"); `out_dir` (NULL: [run] out) is the output folder,
 * overwritten if it already holds a run; `quiet` silences progress lines. Initialises MPI if
 * it is not yet initialised and then finalizes it on return, so a program that runs several
 * searches must initialise MPI itself (MPI_Init_thread, MPI_THREAD_FUNNELED) and finalize it
 * at the end. Returns 0 or the error's status; the message is in atoll_error_message.
 */
int atoll_search(const char *config, const char *const *sets, size_t n_sets,
                 const char *out_dir, int quiet);

#ifdef __cplusplus
}
#endif

#endif
