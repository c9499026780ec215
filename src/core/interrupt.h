/* interrupt.h - the signals that end or checkpoint a run: handlers that only set flags. */
#ifndef ATOLL_CORE_INTERRUPT_H
#define ATOLL_CORE_INTERRUPT_H

#include <stdbool.h>

/*
 * SIGTERM, SIGINT and SIGUSR1 (what SLURM sends before a time limit) ask the run to stop:
 * every rank abandons its evaluation, a checkpoint is written and atoll exits with status 3.
 * SIGUSR2 asks for a checkpoint and the run goes on. The handlers set flags and nothing else.
 */

/* Install the handlers (saving the previous ones); atoll_signals_restore puts those back. */
void atoll_signals_install(void);
void atoll_signals_restore(void);

/* The stop signal received (SIGTERM, SIGINT, SIGUSR1), or 0. Evaluations that can be cut
 * short poll this (a user command is killed, a model stops between epochs). */
int atoll_interrupted(void);

/* Whether SIGUSR2 arrived since the last call (the flag is cleared). */
bool atoll_checkpoint_signalled(void);

/* Forget a stop signal (tests, and programs that run several searches). */
void atoll_interrupt_clear(void);

#endif
