/* mlp_optim.c - the multilayer perceptron's learning-rate schedules and optimisers. */

/*
 * Plain gradient descent, momentum, Nesterov momentum in the form of I. Sutskever et al.,
 * ICML 2013, RMSProp (T. Tieleman, G. Hinton, Coursera lecture 6.5, 2012) and Adam after
 * D. P. Kingma, J. Ba, ICLR 2015, each one pass over a flat parameter array in fixed chunks
 * of MLP_LANES floats.
 *
 * The loops are built for AVX2 too (MLP_CLONES). This file is compiled with -fno-math-errno: a
 * sqrtf that may set errno is not vectorised, one that may not is a plain square root. Adam
 * and RMSProp divide by a root mean square per parameter; the square root and the division
 * share one unit and bound those loops, so where the processor has AVX2 and FMA they run as
 * hand-written code that takes the reciprocal from the processor's estimate and one
 * Newton-Raphson step instead (within about one unit in the last place of the division; the
 * same bits on every run on one processor type, but other bits than the portable loops).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "ml/mlp_impl.h"

#define MLP_PI 3.14159265358979323846

/* The learning rate of epoch `epoch` (from 0). */
double atoll_mlp_schedule_rate(const mlp_config *c, long epoch)
{
    double lr = c->learning_rate, e = (double)epoch;
    switch (c->schedule) {
    case SCHED_STEP:
        return lr * pow(c->lr_decay, (double)(epoch / c->lr_step));
    case SCHED_EXPONENTIAL:
        return lr * pow(c->lr_gamma, e);
    case SCHED_COSINE:
        return c->lr_min + (lr - c->lr_min) * (1.0 + cos(MLP_PI * e / (double)c->epochs)) / 2.0;
    default:
        return lr;
    }
}

/* ---- optimisers --------------------------------------------------------------------------- */

/* The scalars of one optimiser step. */
typedef struct {
    int optimizer;
    float lr, decay, mu, eps; /* eps: rmsprop's */
    float step, eps_hat;      /* adam: the bias-corrected step size and epsilon */
    float beta1, beta2, rho;
} step_coef;

/* The update of n parameters (n a multiple of MLP_LANES) under coefficients k; see
 * atoll_mlp_optimizer_step. */
MLP_CLONES static void step_loops(const step_coef *k, float *restrict p, const float *restrict g,
                                  float *restrict state1, float *restrict state2, size_t n)
{
    float lr = k->lr, decay = k->decay, mu = k->mu, eps = k->eps;
    switch (k->optimizer) {
    case OPT_SGD:
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++)
                p[b + i] -= lr * (g[b + i] + decay * p[b + i]);
        break;
    case OPT_MOMENTUM:
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++) {
                state1[b + i] = mu * state1[b + i] + g[b + i] + decay * p[b + i];
                p[b + i] -= lr * state1[b + i];
            }
        break;
    case OPT_NESTEROV:
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++) {
                float gi = g[b + i] + decay * p[b + i];
                state1[b + i] = mu * state1[b + i] + gi;
                p[b + i] -= lr * (gi + mu * state1[b + i]);
            }
        break;
    case OPT_ADAM: {
        float step = k->step, eps_hat = k->eps_hat, b1 = k->beta1, b2 = k->beta2;
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++) {
                float gi = g[b + i] + decay * p[b + i];
                float m = state1[b + i] + (1.0f - b1) * (gi - state1[b + i]);
                float v = state2[b + i] + (1.0f - b2) * (gi * gi - state2[b + i]);
                state1[b + i] = m;
                state2[b + i] = v;
                p[b + i] -= m * (step / (sqrtf(v) + eps_hat));
            }
        break;
    }
    default: {
        float rho = k->rho;
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++) {
                float gi = g[b + i] + decay * p[b + i];
                float v = state2[b + i] + (1.0f - rho) * (gi * gi - state2[b + i]);
                state2[b + i] = v;
                p[b + i] -= gi * (lr / (sqrtf(v) + eps));
            }
        break;
    }
    }
}

#if MLP_AVX2
#include <immintrin.h>

/* Adam (rmsprop: `adam` false, no first moment) on n parameters, n a multiple of 8:
 * g' = g + decay p; m += (1 - beta1)(g' - m); v += (1 - beta2)(g'^2 - v);
 * p -= step m / (sqrt(v) + eps), where rmsprop takes g' for m, 1 - rho for 1 - beta2 and lr for
 * step. The square root is exact; the reciprocal of the sum is the processor's estimate (12
 * bits) after one Newton-Raphson step r (2 - d r), within about one unit in the last place.
 * `adam` and `decayed` are constants once inlined. */
MLP_AVX2_FN static inline __attribute__((always_inline)) void
adaptive_loop(const step_coef *k, bool adam, bool decayed, float *restrict p,
              const float *restrict g, float *restrict state1, float *restrict state2, size_t n)
{
    __m256 decay = _mm256_set1_ps(k->decay), c1 = _mm256_set1_ps(1.0f - k->beta1);
    __m256 c2 = _mm256_set1_ps(adam ? 1.0f - k->beta2 : 1.0f - k->rho);
    __m256 eps = _mm256_set1_ps(adam ? k->eps_hat : k->eps);
    __m256 step = _mm256_set1_ps(adam ? k->step : k->lr), one = _mm256_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 8) {
        __m256 pi = _mm256_loadu_ps(p + i), gi = _mm256_loadu_ps(g + i);
        if (decayed)
            gi = _mm256_fmadd_ps(decay, pi, gi);
        __m256 v = _mm256_loadu_ps(state2 + i);
        v = _mm256_fmadd_ps(c2, _mm256_fmsub_ps(gi, gi, v), v);
        _mm256_storeu_ps(state2 + i, v);
        __m256 m = gi;
        if (adam) {
            m = _mm256_loadu_ps(state1 + i);
            m = _mm256_fmadd_ps(c1, _mm256_sub_ps(gi, m), m);
            _mm256_storeu_ps(state1 + i, m);
        }
        __m256 d = _mm256_add_ps(_mm256_sqrt_ps(v), eps);
        __m256 r = _mm256_rcp_ps(d);
        r = _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, one), r);
        _mm256_storeu_ps(p + i, _mm256_fnmadd_ps(_mm256_mul_ps(step, m), r, pi));
    }
}

/* adaptive_loop for the rule (adam or rmsprop) and with or without weight decay. */
MLP_AVX2_FN static void adaptive_avx2(const step_coef *k, bool adam, float *restrict p,
                                      const float *restrict g, float *restrict state1,
                                      float *restrict state2, size_t n)
{
    bool decayed = k->decay != 0.0f;
    if (adam && decayed)
        adaptive_loop(k, true, true, p, g, state1, state2, n);
    else if (adam)
        adaptive_loop(k, true, false, p, g, state1, state2, n);
    else if (decayed)
        adaptive_loop(k, false, true, p, g, state1, state2, n);
    else
        adaptive_loop(k, false, false, p, g, state1, state2, n);
}
#endif

bool atoll_mlp_have_avx2(void)
{
#if MLP_AVX2
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

/*
 * One step of the configured optimiser, the t-th in all, on n parameters p (n a multiple of
 * MLP_LANES, so that every loop runs over whole chunks) with gradients g plus decay * p.
 * state1 holds the velocity (momentum, nesterov) or first moment (adam), state2 the mean
 * squared gradient (adam, rmsprop); NULL where the optimiser has none.
 */
void atoll_mlp_optimizer_step(const mlp_config *c, float *restrict p, const float *restrict g,
                              float *restrict state1, float *restrict state2, size_t n, float lr,
                              float decay, double t)
{
    step_coef k = {.optimizer = c->optimizer,
                   .lr = lr,
                   .decay = decay,
                   .mu = (float)c->momentum,
                   .eps = (float)c->epsilon,
                   .beta1 = (float)c->beta1,
                   .beta2 = (float)c->beta2,
                   .rho = (float)c->rho};
    if (c->optimizer == OPT_ADAM) {
        /* mhat / (sqrt(vhat) + eps) = sqrt(c2) / c1 * m / (sqrt(v) + eps * sqrt(c2)) */
        double c1 = 1.0 - pow(c->beta1, t), c2 = 1.0 - pow(c->beta2, t);
        k.step = (float)(lr * sqrt(c2) / c1);
        k.eps_hat = (float)(c->epsilon * sqrt(c2));
    }
#if MLP_AVX2
    if ((c->optimizer == OPT_ADAM || c->optimizer == OPT_RMSPROP) && atoll_mlp_have_avx2()) {
        adaptive_avx2(&k, c->optimizer == OPT_ADAM, p, g, state1, state2, n);
        return;
    }
#endif
    step_loops(&k, p, g, state1, state2, n);
}
