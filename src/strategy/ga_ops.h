/* ga_ops.h - the genetic operators of the ga strategy on plain unit-interval arrays. */
#ifndef ATOLL_STRATEGY_GA_OPS_H
#define ATOLL_STRATEGY_GA_OPS_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

/*
 * Internal to src/strategy (and its tests). Every operator works gene by gene on vectors of
 * n genes in [0,1], writes children that stay in [0,1] by construction (a final clamp only
 * absorbs rounding), and draws its randomness from `rng`. Parents and children may not
 * overlap.
 */

/* Bounded simulated binary crossover (Deb & Agrawal 1995, with the bounds of Deb's NSGA-II
 * code): each gene crosses with probability 1/2 when the parents differ, with distribution
 * index eta > 0 (large eta: children near their parents). */
void atoll_ga_sbx(const double *parent1, const double *parent2, double *child1, double *child2,
                  size_t n, double eta, gsl_rng *rng);

/* Blend crossover BLX-alpha (Eshelman & Schaffer 1993): each child gene is uniform over the
 * parents' interval widened by alpha times its length on both sides, cut to [0,1]. */
void atoll_ga_blend(const double *parent1, const double *parent2, double *child1,
                    double *child2, size_t n, double alpha, gsl_rng *rng);

/* Bounded polynomial mutation (Deb & Goyal 1996): each gene mutates with probability `rate`,
 * with distribution index eta > 0, in place. */
void atoll_ga_polynomial(double *x, size_t n, double rate, double eta, gsl_rng *rng);

/* Gaussian mutation: each gene, with probability `rate`, moves by N(0, sigma^2) and is
 * reflected at 0 and 1, in place. */
void atoll_ga_gaussian(double *x, size_t n, double rate, double sigma, gsl_rng *rng);

/* Tournament selection: the index of the lowest of `k` scores drawn uniformly (with
 * replacement) from score[0..n); ties go to the lower index. n >= 1, k >= 1. */
size_t atoll_ga_tournament(const double *score, size_t n, size_t k, gsl_rng *rng);

#endif
