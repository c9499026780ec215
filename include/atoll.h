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

#ifdef __cplusplus
}
#endif

#endif
