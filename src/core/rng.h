/* rng.h - independent, reproducible GSL random streams derived from one run seed. */
#ifndef ATOLL_CORE_RNG_H
#define ATOLL_CORE_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Stream families, so that e.g. island 3's GA and the shared topology never collide. */
enum {
    ATOLL_STREAM_STRATEGY = 1, /* one per island */
    ATOLL_STREAM_TOPOLOGY = 2, /* the same on every rank */
    ATOLL_STREAM_OBJECTIVE = 3, /* one per trial (model init, data shuffles) */
    ATOLL_STREAM_EXCHANGE = 4   /* one uniform per replica-exchange pair and epoch */
};

/* A uniform in [0,1) that is a pure function of (seed, family, index): what two ranks draw
 * when they must reach the same random decision without talking. */
double atoll_rng_uniform_at(uint64_t seed, unsigned family, uint64_t index);

/* A mt19937 stream seeded from (seed, family, index) through a splitmix64 mix, so streams of
 * neighbouring indices are unrelated. Returns NULL when out of memory. */
gsl_rng *atoll_rng_stream(uint64_t seed, unsigned family, uint64_t index);

/* The 64-bit seed of that stream (exposed for objectives that seed their own generators). */
uint64_t atoll_rng_seed(uint64_t seed, unsigned family, uint64_t index);

#endif
