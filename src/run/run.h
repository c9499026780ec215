/* run.h - one run wired together: description -> strategy <-> comm <-> objective -> trials. */
#ifndef ATOLL_RUN_H
#define ATOLL_RUN_H

#include <stdbool.h>

#include "comm/comm.h"
#include "run/desc.h"

typedef struct {
    bool force;  /* overwrite an output folder that already holds a run */
    bool quiet;  /* no progress lines */
    bool resume; /* continue the run in the output folder (a fresh run if it holds none) */
    bool *stopped_by_signal; /* if not NULL: set when a stop signal ended the run after a
                                checkpoint (resumable) */
    bool *resumable;         /* if not NULL: set when the run failed after its search started
                                (its trials and checkpoints are on disk: it can be resumed) */
} atoll_run_options;

/*
 * Run the search described by `desc` on every rank of `comm` (collective). Rank 0 writes
 * DIR/trials.csv (and its journal), DIR/best.json, DIR/config.ini and DIR/checkpoints/, and
 * prints progress and a summary. With options->resume it continues the run in DIR from its
 * newest valid checkpoint and its trial journal. On
 * error returns its status on the rank(s) where it happened; every rank returns the same
 * status class for errors found before the search starts.
 */
int atoll_run(atoll_comm *comm, const atoll_run_desc *desc, const atoll_run_options *options);

/* Say the current error as this rank's runtime failure ("atoll: rank N: ..."), with how to
 * continue when the run is `resumable` (its search had started). */
void atoll_run_say_failure(const atoll_run_desc *desc, int rank, bool resumable);

#endif
