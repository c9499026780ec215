/* interrupt.c - signal flags for stop-and-checkpoint (TERM, INT, USR1) and checkpoint (USR2). */
#include "core/interrupt.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t checkpoint_signal;

static const int stop_signals[] = {SIGTERM, SIGINT, SIGUSR1};
enum { N_STOP = sizeof stop_signals / sizeof stop_signals[0] };
static struct sigaction saved[N_STOP + 1];
static int installed;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void on_checkpoint(int sig)
{
    (void)sig;
    checkpoint_signal = 1;
}

void atoll_signals_install(void)
{
    if (installed++)
        return;
    struct sigaction sa = {.sa_handler = on_stop, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_STOP; i++)
        sigaction(stop_signals[i], &sa, &saved[i]);
    sa.sa_handler = on_checkpoint;
    sigaction(SIGUSR2, &sa, &saved[N_STOP]);
}

void atoll_signals_restore(void)
{
    if (installed == 0 || --installed > 0)
        return;
    for (size_t i = 0; i < N_STOP; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
    sigaction(SIGUSR2, &saved[N_STOP], NULL);
}

int atoll_interrupted(void)
{
    return (int)stop_signal;
}

bool atoll_checkpoint_signalled(void)
{
    if (!checkpoint_signal)
        return false;
    checkpoint_signal = 0;
    return true;
}

void atoll_interrupt_clear(void)
{
    stop_signal = 0;
    checkpoint_signal = 0;
}
