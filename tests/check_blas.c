/* check_blas.c - unit tests of the products through OpenBLAS in column panels (suite "blas"):
 * atoll_blas_sgemm against double precision with panels forced on and off, the panel widths
 * that follow from OpenBLAS's small-product limits, and the same bits on every call. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/blas.h"
#include "support.h"

/* atoll_blas_sgemm on an m x n result with depth k, every operand in the layout its flags
 * name (row strides padded by 3 to catch a stride taken for a width), against the sum in
 * double precision: each cell within float rounding of the sum of its terms' sizes. C's
 * padding columns must stay untouched. */
static void check_product(bool ta, bool tb, size_t m, size_t n, size_t k)
{
    size_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 3, ldc = n + 3;
    size_t a_rows = ta ? k : m, b_rows = tb ? n : k;
    float *a = malloc(a_rows * lda * sizeof *a), *b = malloc(b_rows * ldb * sizeof *b);
    float *c = malloc(m * ldc * sizeof *c);
    ck_assert(a && b && c);
    uint64_t state = m * 131 + n * 17 + k;
    fill_uniform(a, a_rows * lda, &state);
    fill_uniform(b, b_rows * ldb, &state);
    for (size_t i = 0; i < m * ldc; i++)
        c[i] = 7.0f;
    atoll_blas_sgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0, size = 0.0;
            for (size_t p = 0; p < k; p++) {
                double x = ta ? a[p * lda + i] : a[i * lda + p];
                double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                sum += x * y;
                size += fabs(x * y);
            }
            ck_assert_msg(fabs(c[i * ldc + j] - sum) <= 1e-6 * (double)k * size + 1e-30,
                          "%s%s %zux%zux%zu: c[%zu][%zu] = %g, expected %g", ta ? "T" : "N",
                          tb ? "T" : "N", m, n, k, i, j, c[i * ldc + j], sum);
        }
        for (size_t j = n; j < ldc; j++)
            ck_assert(c[i * ldc + j] == 7.0f);
    }
    free(a);
    free(b);
    free(c);
}

START_TEST(test_blas_products)
{
    /* Shapes of an MLP's products (784 inputs, 256 units, batch 64, a last batch of 16, a
     * prediction over 500 rows), a panel width that leaves a remainder (100 columns), and
     * tiny ones; each with panels forced on and off. */
    static const size_t shapes[][3] = {{64, 256, 784}, {16, 100, 784}, {64, 256, 256},
                                       {500, 256, 784}, {5, 7, 3},     {64, 40, 32}};
    for (int forced = 0; forced <= 1; forced++) {
        atoll_blas_force_small(forced);
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (int t = 0; t < 4; t++)
                check_product(t & 1, t & 2, shapes[s][0], shapes[s][1], shapes[s][2]);
    }
    atoll_blas_force_small(-1);
}
END_TEST

START_TEST(test_blas_panels)
{
    atoll_blas_force_small(1);
    /* forward of a 784-256 layer at batch 64: 64 x 16 x 784 = 802,816 <= 10^6 */
    ck_assert_uint_eq(atoll_blas_panel(false, false, 64, 256, 784), 16);
    /* its weight gradient, 784 x 256 over the 64 rows of the batch */
    ck_assert_uint_eq(atoll_blas_panel(true, false, 784, 256, 64), 16);
    /* a last batch of 16 rows: 16 x 64 x 784 = 802,816 */
    ck_assert_uint_eq(atoll_blas_panel(false, false, 16, 256, 784), 64);
    /* A B^T: at most 1,200 cells per panel, so 16 columns of 64 rows */
    ck_assert_uint_eq(atoll_blas_panel(false, true, 64, 256, 256), 16);
    /* ... and none when the depth is under 32 */
    ck_assert_uint_eq(atoll_blas_panel(false, true, 64, 256, 16), 256);
    /* small enough as a whole: one call */
    ck_assert_uint_eq(atoll_blas_panel(false, false, 32, 64, 64), 64);
    /* too large even at 16 columns (a prediction over 2,000 rows): one packed call */
    ck_assert_uint_eq(atoll_blas_panel(false, false, 2000, 256, 784), 256);
    /* both operands transposed: OpenBLAS has no such small kernel */
    ck_assert_uint_eq(atoll_blas_panel(true, true, 64, 256, 784), 256);
    atoll_blas_force_small(0);
    ck_assert_uint_eq(atoll_blas_panel(false, false, 64, 256, 784), 256);
    atoll_blas_force_small(-1);
    printf("blas: OpenBLAS %s small-matrix kernels here; panels of %zu columns for 64x256x784\n",
           atoll_blas_small() ? "has" : "has no", atoll_blas_panel(false, false, 64, 256, 784));
}
END_TEST

START_TEST(test_blas_same_bits)
{
    size_t m = 64, n = 256, k = 784;
    uint64_t state = 9;
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
    float *c1 = malloc(m * n * sizeof *c1), *c2 = malloc(m * n * sizeof *c2);
    ck_assert(a && b && c1 && c2);
    fill_uniform(a, m * k, &state);
    fill_uniform(b, k * n, &state);
    for (int forced = 0; forced <= 1; forced++) {
        atoll_blas_force_small(forced);
        atoll_blas_sgemm(false, false, m, n, k, a, k, b, n, c1, n);
        atoll_blas_sgemm(false, false, m, n, k, a, k, b, n, c2, n);
        ck_assert(memcmp(c1, c2, m * n * sizeof *c1) == 0);
    }
    atoll_blas_force_small(-1);
    free(a);
    free(b);
    free(c1);
    free(c2);
}
END_TEST

static Suite *blas_suite(void)
{
    Suite *s = suite_create("blas");
    TCase *tc = tcase_create("blas");
    tcase_add_test(tc, test_blas_products);
    tcase_add_test(tc, test_blas_panels);
    tcase_add_test(tc, test_blas_same_bits);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(blas_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
