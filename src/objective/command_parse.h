/* command_parse.h - the command objective's reading of a trial's stdout, for tests and fuzzing. */
#ifndef ATOLL_OBJECTIVE_COMMAND_PARSE_H
#define ATOLL_OBJECTIVE_COMMAND_PARSE_H

#include <stdbool.h>

/*
 * Read a finished trial's score from its stdout file `path` exactly as an evaluation does:
 * the last CMD_TAIL_BYTES of the file, then the last number line, the metric_regex group or
 * the metric_json key, and the extra metrics. `params` are the command objective's (borrowed,
 * from atoll_objective_command.configure). *have tells whether a score was found (then in
 * *score, possibly not finite); extra[j] (room for ATOLL_EVAL_EXTRA_MAX - 1 values) takes
 * extra metric j when found and is left alone otherwise. Errors: ATOLL_ERR_IO (cannot open),
 * ATOLL_ERR_NOMEM.
 */
int atoll_command_read_score(const void *params, const char *path, bool *have, double *score,
                             double *extra);

#endif
