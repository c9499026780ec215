/* rng.c - seed mixing for per-island and per-rank GSL streams. */
#include "core/rng.h"

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t atoll_rng_seed(uint64_t seed, unsigned family, uint64_t index)
{
    uint64_t state = seed;
    uint64_t a = splitmix64(&state);
    state = a ^ ((uint64_t)family << 56) ^ index;
    splitmix64(&state);
    return splitmix64(&state);
}

gsl_rng *atoll_rng_stream(uint64_t seed, unsigned family, uint64_t index)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return NULL;
    /* mt19937 takes an unsigned long seed; 0 is remapped by GSL, so avoid it ourselves. */
    uint64_t s = atoll_rng_seed(seed, family, index);
    unsigned long ul = (unsigned long)(s ^ (s >> 32));
    gsl_rng_set(rng, ul ? ul : 0x5eedUL);
    return rng;
}

double atoll_rng_uniform_at(uint64_t seed, unsigned family, uint64_t index)
{
    return (double)(atoll_rng_seed(seed, family, index) >> 11) * 0x1.0p-53;
}
