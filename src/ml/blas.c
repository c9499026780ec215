/* blas.c - products through OpenBLAS, in column panels where its small-matrix kernels apply. */
#include "ml/blas.h"

#include <cblas.h> /* OpenBLAS's own header: openblas_get_config, openblas_get_corename */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static bool detected;
static int forced = -1;

/* The targets whose small-matrix sgemm kernels OpenBLAS builds (they share SkylakeX's). */
static const char *const small_targets[] = {"skylakex", "cooperlake", "sapphirerapids", NULL};

static void detect(void)
{
    int major = 0, minor = 0, patch = 0;
    const char *config = openblas_get_config(), *core = openblas_get_corename();
    if (!config || !core || sscanf(config, "OpenBLAS %d.%d.%d", &major, &minor, &patch) != 3)
        return;
    if (major == 0 && (minor < 3 || (minor == 3 && patch < 17)))
        return;
    char name[32];
    size_t i = 0;
    for (; core[i] && i + 1 < sizeof name; i++)
        name[i] = (char)(core[i] >= 'A' && core[i] <= 'Z' ? core[i] - 'A' + 'a' : core[i]);
    name[i] = '\0';
    for (const char *const *t = small_targets; *t; t++)
        if (strcmp(name, *t) == 0)
            detected = true;
}

bool atoll_blas_small(void)
{
    if (forced >= 0)
        return forced == 1;
    pthread_once(&detect_once, detect);
    return detected;
}

void atoll_blas_force_small(int answer)
{
    forced = answer < 0 ? -1 : answer > 0;
}

/* Whether OpenBLAS runs C (m x n) = op(A) op(B) without packing. It is column-major inside:
 * the row-major call is C^T = op(B)^T op(A)^T, an (n x m) product whose A-side operand is
 * transposed when trans_b is. */
static bool direct(bool trans_a, bool trans_b, size_t m, size_t n, size_t k)
{
    if ((double)m * (double)n * (double)k > ATOLL_BLAS_SMALL_MNK)
        return false;
    if (trans_b && trans_a)
        return false;
    if (trans_b && (m * n > ATOLL_BLAS_SMALL_NT_CELLS || k < ATOLL_BLAS_SMALL_NT_MIN_DEPTH))
        return false;
    return true;
}

size_t atoll_blas_panel(bool trans_a, bool trans_b, size_t m, size_t n, size_t k)
{
    if (!atoll_blas_small() || n <= 16 || direct(trans_a, trans_b, m, n, k))
        return n;
    size_t width = 0;
    for (size_t w = 16; w < n && direct(trans_a, trans_b, m, w, k); w += 16)
        width = w;
    return width ? width : n;
}

void atoll_blas_sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, const float *a,
                      size_t lda, const float *b, size_t ldb, float *c, size_t ldc)
{
    size_t width = atoll_blas_panel(trans_a, trans_b, m, n, k);
    for (size_t j = 0; j < n; j += width) {
        size_t cols = n - j < width ? n - j : width;
        /* columns j.. of op(B): columns of B, or rows of B when it is transposed */
        const float *panel = trans_b ? b + j * ldb : b + j;
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)cols, (int)k, 1.0f, a,
                    (int)lda, panel, (int)ldb, 0.0f, c + j, (int)ldc);
    }
}
