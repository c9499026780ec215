/* support.h - small helpers shared by the Check suites (header-only, static). */
#ifndef ATOLL_TESTS_SUPPORT_H
#define ATOLL_TESTS_SUPPORT_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/error.h"
#include "core/space.h"
#include "strategy/strategy.h"

/* n uniform values in [-1, 1) from a fixed linear congruential sequence (state advances). */
static inline void fill_uniform(float *v, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = (float)((double)(*state >> 40) / (double)(1ULL << 24) * 2.0 - 1.0);
    }
}

/* A space of n real parameters x1..xn over [0,1]. */
static inline atoll_space *real_space(size_t n)
{
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "x%zu", i + 1);
        ck_assert_int_eq(atoll_space_add_real(space, name, 0.0, 1.0, ATOLL_SCALE_LINEAR),
                         ATOLL_OK);
    }
    return space;
}

/* Decode a test point: parameter i takes nums[i] (a choice: the choice of that index). */
static inline void point_values(const atoll_space *space, const double *nums, atoll_value *v)
{
    for (size_t i = 0; i < space->n; i++) {
        v[i].num = nums[i];
        v[i].index = (size_t)nums[i];
        v[i].str = space->params[i].kind == ATOLL_PARAM_CHOICE
                       ? space->params[i].choices[(size_t)nums[i]]
                       : NULL;
    }
}

/* Configure strategy `name` from `ini` over a 2-D space, expecting a usage error; returns its
 * message. */
static inline const char *strategy_configure_error(const char *name, const char *ini)
{
    atoll_config *cfg = NULL;
    atoll_space *space = real_space(2);
    void *params = NULL;
    atoll_migration migration;
    ck_assert_int_eq(atoll_config_load_string(ini, "bad.ini", &cfg), ATOLL_OK);
    int rc = atoll_strategy_lookup(name)->configure(cfg, space, &params, &migration);
    ck_assert_int_eq(rc, ATOLL_ERR_USAGE);
    ck_assert_ptr_null(params);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
    return atoll_error_message();
}

/* The peak resident memory of this process so far, in KiB (VmHWM), or -1. */
static inline long peak_rss_kib(void)
{
    FILE *in = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (in && fgets(line, sizeof line, in))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (in)
        fclose(in);
    return kib;
}

#endif
