/* error.c - the process-wide error slot: one user message plus a traceback. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ATOLL_ERROR_MESSAGE_MAX 1024
#define ATOLL_ERROR_TRACE_MAX 2048

static char error_message[ATOLL_ERROR_MESSAGE_MAX];
static char error_trace[ATOLL_ERROR_TRACE_MAX];

static void trace_append(const char *file, int line)
{
    size_t used = strlen(error_trace);
    if (used + 1 < sizeof error_trace)
        snprintf(error_trace + used, sizeof error_trace - used, "  at %s:%d\n", file, line);
}

int atoll_error_raise(int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_message, sizeof error_message, fmt, ap);
    va_end(ap);
    error_trace[0] = '\0';
    trace_append(file, line);
    return code;
}

int atoll_error_trace(int code, const char *file, int line)
{
    trace_append(file, line);
    return code;
}

const char *atoll_error_message(void)
{
    return error_message[0] ? error_message : "unknown error";
}

const char *atoll_error_traceback(void)
{
    return error_trace;
}

void atoll_error_clear(void)
{
    error_message[0] = '\0';
    error_trace[0] = '\0';
}

const char *atoll_status_name(atoll_status status)
{
    switch (status) {
    case ATOLL_STATUS_OK:
        return "ok";
    case ATOLL_STATUS_FAILED:
        return "failed";
    case ATOLL_STATUS_TIMEOUT:
        return "timeout";
    case ATOLL_STATUS_DIVERGED:
        return "diverged";
    }
    return "failed";
}
