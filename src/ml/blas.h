/* blas.h - what the models ask of the linked OpenBLAS beyond the CBLAS interface. */
#ifndef ATOLL_ML_BLAS_H
#define ATOLL_ML_BLAS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * OpenBLAS computes an sgemm of at most ATOLL_BLAS_SMALL_MNK multiply-adds (m n k) straight
 * from the operands, without first copying them into packed panels, on its SkylakeX,
 * Cooperlake and SapphireRapids targets from version 0.3.17 on ("small-matrix" kernels; for
 * C = A B^T only while C has at most ATOLL_BLAS_SMALL_NT_CELLS cells and k >= 32). Larger
 * products are packed first: every operand copied once per call.
 */
#define ATOLL_BLAS_SMALL_MNK 1000000.0
#define ATOLL_BLAS_SMALL_NT_CELLS 1200
#define ATOLL_BLAS_SMALL_NT_MIN_DEPTH 32

/*
 * Whether the linked OpenBLAS has those kernels for the processor it picked at load time.
 * Decided from its version and target name, never from a timing, so that the same run
 * computes the same bits every time on one machine. atoll_blas_force_small(1 or 0) replaces
 * the answer (tests exercise both ways of computing a product on any machine); -1 restores
 * it.
 */
bool atoll_blas_small(void);
void atoll_blas_force_small(int answer);

/*
 * Row-major C (m x n) = op(A) op(B), overwritten: op(A) m x k (A itself, row stride lda, or
 * with trans_a the transpose of a k x m A), op(B) k x n (B itself, row stride ldb, or with
 * trans_b the transpose of an n x k B). One cblas_sgemm, or, where atoll_blas_small() and the
 * whole product is over the small-product limit but a panel of 16 or more of C's columns is
 * not, one cblas_sgemm per panel of the widest such multiple of 16: each panel then runs
 * without packing. On Fashion-MNIST's 784-256 layer at batch 64 that is 16 panels, 10% faster
 * per training epoch than one packed product. The panels give the same bits on every run, but
 * other bits than one packed call (the sums run in another order).
 */
void atoll_blas_sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, const float *a,
                      size_t lda, const float *b, size_t ldb, float *c, size_t ldc);

/* The panel width atoll_blas_sgemm uses for such a product: n for one call. */
size_t atoll_blas_panel(bool trans_a, bool trans_b, size_t m, size_t n, size_t k);

#endif
