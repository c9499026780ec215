/* report.h - rank 0's view of the run: best so far, progress lines, best.json. */
#ifndef ATOLL_RUN_REPORT_H
#define ATOLL_RUN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/trials.h"
#include "run/desc.h"

typedef struct {
    const atoll_run_desc *desc;
    atoll_trials *log;
    size_t width;
    long count, failed;
    bool have_best;
    double best_score;
    double *best_row;
    double t0;           /* run start, CLOCK_REALTIME seconds */
    double last_progress; /* seconds since t0 */
    bool tty, quiet;
} atoll_report;

/* Seconds on the wall clock (CLOCK_REALTIME). */
double atoll_now(void);

/* The score a strategy minimises for a row: the value (negated to maximise), +INFINITY for a
 * failed trial. */
double atoll_row_score(const atoll_run_desc *desc, const double *row);

int atoll_report_init(atoll_report *rep, const atoll_run_desc *desc, atoll_trials *log,
                      double t0, bool quiet);
void atoll_report_free(atoll_report *rep);

/* Row sink for atoll_comm_rows_open: log the row, keep the best. */
int atoll_report_row(const double *row, void *ctx);
/* Count a row that is already in the log (a resumed run's earlier trials). */
void atoll_report_count(atoll_report *rep, const double *row);

/* Print a progress line if one is due (live on a terminal, every few seconds otherwise). */
void atoll_report_progress(atoll_report *rep, bool final);

/* Run-wide facts gathered at the end for best.json. */
typedef struct {
    int ranks, islands;
    double wall_s;
    double utilisation; /* busy seconds over ranks x wall */
    const char *stopped_by;
    long migrants_sent, migrants_received, immigrants_accepted;
    long replica_swaps; /* accepted replica-exchange swaps (pairs) */
    long checkpoints;   /* checkpoint points all ranks agreed on (SIGUSR2 requests one) */
    double checkpoint_s;    /* rank 0's time writing checkpoint files */
    long checkpoint_bytes;  /* size of the last one */
} atoll_run_facts;

/* Write DIR/best.json atomically. */
int atoll_report_write_best(const atoll_report *rep, const char *dir, const atoll_run_facts *f);

/* Print the closing summary to `out`. */
void atoll_report_summary(const atoll_report *rep, const atoll_run_facts *f, FILE *out);

#endif
