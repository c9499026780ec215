/* check_mlp_optim.c - unit tests of the MLP's adaptive optimiser steps (suite "mlp_optim"):
 * Adam and RMSProp, whichever code runs them on this processor (atoll_mlp_have_avx2), against
 * the same step in double precision. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/mlp_impl.h"
#include "support.h"

/* One Adam or RMSProp step on n parameters against the same step in double precision, from
 * the same state: the change of every parameter within a relative 1e-5. */
static void check_adaptive(int optimizer, float decay)
{
    size_t n = 1000; /* a multiple of MLP_LANES */
    mlp_config c = {.optimizer = optimizer,
                    .beta1 = 0.9,
                    .beta2 = 0.999,
                    .rho = 0.9,
                    .epsilon = 1e-8};
    uint64_t state = 3;
    float *p = atoll_mlp_floats(n, false), *g = atoll_mlp_floats(n, false);
    float *s1 = atoll_mlp_floats(n, false), *s2 = atoll_mlp_floats(n, false);
    float *p0 = malloc(n * sizeof *p0), *m0 = malloc(n * sizeof *m0), *v0 = malloc(n * sizeof *v0);
    ck_assert(p && g && s1 && s2 && p0 && m0 && v0);
    fill_uniform(p, n, &state);
    fill_uniform(g, n, &state);
    fill_uniform(s1, n, &state);
    fill_uniform(s2, n, &state);
    for (size_t i = 0; i < n; i++) {
        g[i] *= powf(10.0f, -(float)(i % 9)); /* gradients from 1 down to 1e-8 */
        s2[i] = s2[i] * s2[i] * powf(10.0f, -(float)(i % 7) * 2.0f);
        if (i % 50 == 0)
            g[i] = s1[i] = s2[i] = 0.0f; /* never any gradient */
    }
    memcpy(p0, p, n * sizeof *p);
    memcpy(m0, s1, n * sizeof *s1);
    memcpy(v0, s2, n * sizeof *s2);
    double t = 5.0, lr = 1e-3;
    atoll_mlp_optimizer_step(&c, p, g, s1, s2, n, (float)lr, decay, t);
    bool adam = optimizer == OPT_ADAM;
    double c1 = 1.0 - pow(c.beta1, t), c2 = 1.0 - pow(c.beta2, t);
    for (size_t i = 0; i < n; i++) {
        double gi = (double)g[i] + (double)decay * p0[i];
        double g_size = fabs(g[i]) + fabs((double)decay * p0[i]); /* scale of rounding errors */
        /* the decay rates as the step takes them: 1 - beta in float */
        double keep = 1.0 - (double)(1.0f - (float)(adam ? c.beta2 : c.rho));
        double keep1 = 1.0 - (double)(1.0f - (float)c.beta1);
        double v = keep * v0[i] + (1.0 - keep) * gi * gi, m = gi, m_size = g_size, change, size;
        if (adam) {
            m = keep1 * m0[i] + (1.0 - keep1) * gi;
            m_size = keep1 * fabs(m0[i]) + (1.0 - keep1) * g_size;
            change = lr * (m / c1) / (sqrt(v / c2) + c.epsilon);
            size = lr * (m_size / c1) / (sqrt(v / c2) + c.epsilon);
        } else {
            change = lr * gi / (sqrt(v) + c.epsilon);
            size = lr * m_size / (sqrt(v) + c.epsilon);
        }
        double got = (double)p0[i] - p[i];
        ck_assert_msg(fabs(got - change) <= 1e-5 * size + 1e-7 * fabs(p0[i]) + 1e-30,
                      "optimizer %d, parameter %zu: moved %g, expected %g", optimizer, i, got,
                      change);
        ck_assert(fabs(s2[i] - v) <= 1e-5 * (keep * v0[i] + (1.0 - keep) * g_size * g_size));
    }
    free(p);
    free(g);
    free(s1);
    free(s2);
    free(p0);
    free(m0);
    free(v0);
}

START_TEST(test_mlp_optim_adaptive)
{
    check_adaptive(OPT_ADAM, 0.0f);
    check_adaptive(OPT_ADAM, 0.01f);
    check_adaptive(OPT_RMSPROP, 0.0f);
    check_adaptive(OPT_RMSPROP, 0.01f);
}
END_TEST

static Suite *mlp_optim_suite(void)
{
    Suite *s = suite_create("mlp_optim");
    TCase *tc = tcase_create("mlp_optim");
    tcase_add_test(tc, test_mlp_optim_adaptive);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    printf("mlp optimiser steps: %s code\n", atoll_mlp_have_avx2() ? "AVX2 and FMA" : "portable");
    SRunner *runner = srunner_create(mlp_optim_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
