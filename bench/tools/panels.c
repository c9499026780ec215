/* panels.c - GFLOP/s of the MLP's two large products (784-256 layer, batch 64) as one
 * cblas_sgemm and as 2, 4, 8, 16 and 32 column panels, raw (each panel one cblas_sgemm) and
 * through atoll_blas_sgemm (what the MLP runs). Best of 5 runs of 1,000 calls, one thread.
 *   panels [--rows 64] [--inputs 784] [--units 256]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ml/blas.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *floats(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n * sizeof(float)) != 0) {
        fprintf(stderr, "panels: out of memory\n");
        exit(1);
    }
    float *f = p;
    for (size_t i = 0; i < n; i++)
        f[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    return f;
}

enum { REPS = 1000, RUNS = 5 };

/* forward: H (rows x units) = X (rows x inputs) W (inputs x units); gradient: G (inputs x units)
 * = X^T D (D rows x units); `panels` column panels each, or atoll_blas_sgemm with panels 0 */
static double rate(bool gradient, size_t panels, size_t rows, size_t inputs, size_t units,
                   const float *x, const float *w, float *out)
{
    double best = 0.0, flops = 2.0 * (double)rows * (double)inputs * (double)units * REPS;
    for (int run = 0; run < RUNS; run++) {
        double t = now();
        for (int r = 0; r < REPS; r++) {
            if (panels == 0) {
                if (gradient)
                    atoll_blas_sgemm(true, false, inputs, units, rows, x, inputs, w, units, out,
                                     units);
                else
                    atoll_blas_sgemm(false, false, rows, units, inputs, x, inputs, w, units, out,
                                     units);
                continue;
            }
            size_t width = units / panels;
            for (size_t j = 0; j < units; j += width) {
                if (gradient)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)inputs, (int)width,
                                (int)rows, 1.0f, x, (int)inputs, w + j, (int)units, 0.0f,
                                out + j, (int)units);
                else
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)width,
                                (int)inputs, 1.0f, x, (int)inputs, w + j, (int)units, 0.0f,
                                out + j, (int)units);
            }
        }
        t = now() - t;
        if (flops / t / 1e9 > best)
            best = flops / t / 1e9;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t rows = 64, inputs = 784, units = 256;
    for (int i = 1; i + 1 < argc; i += 2) {
        size_t v = strtoul(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--rows") == 0)
            rows = v;
        else if (strcmp(argv[i], "--inputs") == 0)
            inputs = v;
        else if (strcmp(argv[i], "--units") == 0)
            units = v;
    }
    if (!rows || !inputs || !units || units % 32) {
        fprintf(stderr, "panels: --rows, --inputs, --units > 0, units a multiple of 32\n");
        return 2;
    }
    float *x = floats(rows * inputs), *w = floats(inputs * units), *d = floats(rows * units);
    float *h = floats(rows * units), *g = floats(inputs * units);
    printf("OpenBLAS: %s; core %s; small-matrix kernels: %s\n", openblas_get_config(),
           openblas_get_corename(), atoll_blas_small() ? "yes" : "no");
    printf("rows %zu, inputs %zu, units %zu; GFLOP/s, best of %d x %d calls\n\n", rows, inputs,
           units, RUNS, REPS);
    printf("| product | 1 call | 2 panels | 4 | 8 | 16 | 32 | atoll_blas_sgemm (panel width) |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int gradient = 0; gradient <= 1; gradient++) {
        printf("| %s |", gradient ? "weight gradient X^T D" : "forward X W");
        for (size_t panels = 1; panels <= 32; panels *= 2)
            printf(" %.1f |", rate(gradient, panels, rows, inputs, units, x, gradient ? d : w,
                                   gradient ? g : h));
        size_t width = gradient ? atoll_blas_panel(true, false, inputs, units, rows)
                                : atoll_blas_panel(false, false, rows, units, inputs);
        printf(" %.1f (%zu) |\n",
               rate(gradient, 0, rows, inputs, units, x, gradient ? d : w, gradient ? g : h),
               width);
    }
    free(x);
    free(w);
    free(d);
    free(h);
    free(g);
    return 0;
}
