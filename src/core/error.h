/* error.h - status codes and the one error slot every fallible function reports through. */
#ifndef ATOLL_CORE_ERROR_H
#define ATOLL_CORE_ERROR_H

#include "atoll.h"

/*
 * Raise an error: format the user-facing message into the process's error slot and return
 * `code`, so that a function can `return ATOLL_RAISE(ATOLL_ERR_USAGE, "...", ...)`. The
 * message is one line, written for the user (no C source locations); the source location is
 * kept apart as the first line of the trace.
 */
int atoll_error_raise(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append one traceback line (source location) to the error slot and return `code`. */
int atoll_error_trace(int code, const char *file, int line);

#define ATOLL_RAISE(code, ...) atoll_error_raise((code), __FILE__, __LINE__, __VA_ARGS__)

/* Evaluate a fallible call; on failure add a traceback line and return its status. */
#define ATOLL_CALL(expr)                                                                           \
    do {                                                                                           \
        int atoll_rc_ = (expr);                                                                    \
        if (atoll_rc_ != ATOLL_OK)                                                                 \
            return atoll_error_trace(atoll_rc_, __FILE__, __LINE__);                               \
    } while (0)

/* Same, for constructors that unwind through a `fail:` label with `rc` in scope. */
#define ATOLL_CALL_GOTO(rc, expr)                                                                  \
    do {                                                                                           \
        (rc) = (expr);                                                                             \
        if ((rc) != ATOLL_OK) {                                                                    \
            atoll_error_trace((rc), __FILE__, __LINE__);                                           \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* Raise ATOLL_ERR_NOMEM naming what could not be allocated. */
#define ATOLL_NOMEM(what) ATOLL_RAISE(ATOLL_ERR_NOMEM, "out of memory allocating %s", (what))

#endif
