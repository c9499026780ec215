/* sa.h - what the run layer reaches of an sa island beyond the strategy table: replica exchange. */
#ifndef ATOLL_STRATEGY_SA_H
#define ATOLL_STRATEGY_SA_H

#include <stdbool.h>

#include "strategy/strategy.h"

/* The sa strategy's type table; the functions below take states it created, and only those. */
extern const atoll_strategy_type atoll_strategy_sa;

/*
 * Replica exchange (parallel tempering: R. H. Swendsen & J.-S. Wang, "Replica Monte Carlo
 * simulation of spin-glasses", PRL 57:2607-2609, 1986; C. J. Geyer, "Markov chain Monte Carlo
 * maximum likelihood", Computing Science and Statistics: Proc. 23rd Symposium on the
 * Interface, 156-163, 1991; D. J. Earl & M. W. Deem, "Parallel tempering: theory,
 * applications, and new perspectives", PCCP 7:3910-3916, 2005). With `replica_exchange = true`
 * island i anneals at `ladder`^i times the schedule's temperature, so the islands form a
 * temperature ladder. At an epoch two partner islands i and j each call
 * atoll_sa_exchange_state, trade what it returns, and each call atoll_sa_exchange_accept with
 * the partner's values and one uniform u that both draw from the same seeded stream. The swap
 * is accepted with probability min(1, exp((1/T_i - 1/T_j) * (E_i - E_j))); both partners
 * compute the same exponent from the same four numbers and u, so both reach the same decision,
 * and on a swap each adopts the other's state (temperatures stay with the islands). A chain
 * that is still drawing its T0 samples reports temperature +INFINITY, and a failed state
 * reports score +INFINITY: neither ever swaps. None of these calls MPI. The sa table's
 * optional entries exchanges, exchange_state and exchange_accept are the first three below.
 */

/* Whether the island was configured with replica_exchange = true. */
bool atoll_sa_replica_exchange(const void *state);

/* The chain's current state (dim coordinates into x_out), its score and its temperature.
 * Returns ATOLL_OK. */
int atoll_sa_exchange_state(void *state, double *x_out, double *score_out,
                            double *temperature_out);

/* Apply the swap rule against the partner's state, score and temperature with the shared
 * uniform u in [0,1); on a swap adopt the partner's state. *swapped says which. x_in is
 * borrowed. Returns ATOLL_OK. */
int atoll_sa_exchange_accept(void *state, const double *x_in, double score_in,
                             double temperature_in, double u, bool *swapped);

/* Swaps accepted so far. */
long atoll_sa_swaps(const void *state);

/* Restarts so far (jumps back to the chain's best after `restart_after` steps without
 * improving it). */
long atoll_sa_restarts(const void *state);

#endif
