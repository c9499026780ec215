/* mlp_optim.c - the multilayer perceptron's learning-rate schedules and optimisers. */

/*
 * Plain gradient descent, momentum, Nesterov momentum in the form of I. Sutskever et al.,
 * ICML 2013, RMSProp (T. Tieleman, G. Hinton, Coursera lecture 6.5, 2012) and Adam after
 * D. P. Kingma, J. Ba, ICLR 2015, each one pass over a flat parameter array in fixed chunks
 * of MLP_LANES floats.
 *
 * The loops are built for AVX2 too (MLP_CLONES). This file is compiled with -fno-math-errno: a
 * sqrtf that may set errno is not vectorised, one that may not is a plain square root.
 */
#include <math.h>
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
                float m = b1 * state1[b + i] + (1.0f - b1) * gi;
                float v = b2 * state2[b + i] + (1.0f - b2) * gi * gi;
                state1[b + i] = m;
                state2[b + i] = v;
                p[b + i] -= step * m / (sqrtf(v) + eps_hat);
            }
        break;
    }
    default: {
        float rho = k->rho;
        for (size_t b = 0; b < n; b += MLP_LANES)
            for (size_t i = 0; i < MLP_LANES; i++) {
                float gi = g[b + i] + decay * p[b + i];
                float v = rho * state2[b + i] + (1.0f - rho) * gi * gi;
                state2[b + i] = v;
                p[b + i] -= lr * gi / (sqrtf(v) + eps);
            }
        break;
    }
    }
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
    step_loops(&k, p, g, state1, state2, n);
}
