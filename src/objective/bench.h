/* bench.h - the classic benchmark functions behind the "bench" objective. */
#ifndef ATOLL_OBJECTIVE_BENCH_H
#define ATOLL_OBJECTIVE_BENCH_H

#include <stddef.h>

#include "core/config.h"
#include "core/space.h"

/* The functions, in the order of the names `function` accepts. */
enum {
    ATOLL_BENCH_SPHERE = 0,
    ATOLL_BENCH_RASTRIGIN,
    ATOLL_BENCH_ROSENBROCK,
    ATOLL_BENCH_ACKLEY,
    ATOLL_BENCH_GRIEWANK,
    ATOLL_BENCH_SCHWEFEL,
    ATOLL_BENCH_STYBLINSKI_TANG,
    ATOLL_BENCH_COUNT
};

/* The function called `name` (e.g. "rastrigin"), or -1. */
int atoll_bench_lookup(const char *name);

/* The name of a function, or NULL for an unknown one. */
const char *atoll_bench_name(int function);

/* The function's value at x[0..n), n >= 1; NaN for an unknown function. Rosenbrock in one
 * dimension is (1 - x)^2. */
double atoll_bench_eval(int function, const double *x, size_t n);

/* The usual search domain [low, high] of every coordinate (e.g. [-5.12, 5.12] for
 * rastrigin); [0, 0] for an unknown function. */
void atoll_bench_domain(int function, double *low, double *high);

/* The `dimension` key of [section], shared by the objectives built on a bench function: with
 * an empty space it is required and creates x1..xN over the function's domain; with a
 * declared space it is optional and must equal the number of parameters. */
int atoll_bench_space(atoll_config *cfg, const char *section, int function,
                      atoll_space *space);

/* The global minimum value in n dimensions: 0, or -39.16616570377142 * n for
 * styblinski_tang (schwefel's is 0 up to its constant's rounding, about 1.3e-5 * n). */
double atoll_bench_optimum(int function, size_t n);

/* The coordinate of the global minimiser, the same on every axis (0, 1 for rosenbrock,
 * 420.9687 for schwefel, -2.903534 for styblinski_tang). */
double atoll_bench_argmin(int function);

#endif
