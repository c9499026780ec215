/* support.h - small helpers shared by the Check suites (header-only, static). */
#ifndef ATOLL_TESTS_SUPPORT_H
#define ATOLL_TESTS_SUPPORT_H

#include <check.h>
#include <stdio.h>

#include "core/space.h"

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

#endif
