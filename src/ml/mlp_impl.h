/* mlp_impl.h - the multilayer perceptron's network, passes and optimisers, shared by mlp*.c. */
#ifndef ATOLL_ML_MLP_IMPL_H
#define ATOLL_ML_MLP_IMPL_H

/*
 * Internal to src/ml/mlp*.c: mlp.c reads the hyperparameters and runs the training loop,
 * mlp_layers.c lays out the network and runs its forward and backward passes, mlp_optim.c
 * holds the learning-rate schedules and the optimisers, mlp_check.c the gradient check.
 */

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ml/dataset.h"

#define MLP_MAX_HIDDEN 4
#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)
/* Element-wise loops run over chunks of this many floats: fixed-length loops, which compilers
 * turn into SIMD code. */
#define MLP_LANES 16

/* The hot element-wise loops are built twice, for the baseline x86-64 instruction set and for
 * AVX2, and the loader picks the build the processor runs (function multiversioning): eight
 * floats per instruction instead of four. Both builds do the same IEEE operations in the same
 * order (AVX2 brings no fused multiply-add), so they give the same bits. Elsewhere: one build. */
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define MLP_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef MLP_CLONES
#define MLP_CLONES
#endif

/* Hand-written AVX2 and FMA code for the adaptive optimisers' steps (mlp_optim.c; the matrix
 * products are all CBLAS): compiled on x86-64 with GCC or Clang, run where the processor has
 * the instructions (atoll_mlp_have_avx2), portable C elsewhere. Built with -DMLP_PORTABLE, the
 * portable loops run everywhere. A fit gives the same bits on every run on one kind of
 * processor; the two paths, like two BLAS builds, round differently. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MLP_PORTABLE)
#define MLP_AVX2 1
#define MLP_AVX2_FN __attribute__((target("avx2,fma")))
#else
#define MLP_AVX2 0
#endif

/* The choices of the hyperparameter table, by index. */
enum { ACT_RELU, ACT_TANH, ACT_SIGMOID };
enum { OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM, OPT_RMSPROP };
enum { SCHED_CONSTANT, SCHED_STEP, SCHED_EXPONENTIAL, SCHED_COSINE };

/* The hyperparameters of one fit, read from the hp array. */
typedef struct {
    int n_hidden;
    size_t units[MLP_MAX_HIDDEN];
    int activation, optimizer, schedule;
    double learning_rate, momentum, rho, beta1, beta2, epsilon;
    double lr_decay, lr_gamma, lr_min;
    long lr_step;
    size_t batch_size;
    long epochs;
    double weight_decay, dropout;
    bool batch_norm;
    long patience;
    double validation_fraction, tol;
} mlp_config;

/* A trained network. Layer l maps width[l] inputs to width[l + 1] outputs; the last layer is
 * the output layer, the others are hidden. */
typedef struct {
    int n_layers;                     /* weight layers: the hidden ones and the output one */
    size_t width[MLP_MAX_LAYERS + 1]; /* width[0]: features; width[n_layers]: outputs */
    int activation;
    bool batch_norm;
    int n_classes;                    /* 0: regression */
    float y_mean, y_sd;               /* regression: prediction = output * y_sd + y_mean */
    size_t n_params, n_weights;       /* params: every weight matrix in [0, n_weights), then the
                                       * rest; both parts padded with zeros to whole MLP_LANES */
    size_t w_off[MLP_MAX_LAYERS];     /* hidden layers: width[l] x width[l + 1], row-major, a
                                       * row per input; the output layer: width[l + 1] x
                                       * width[l], a row per output */
    size_t b_off[MLP_MAX_LAYERS];     /* width[l + 1]; unused by batch-normalised layers */
    size_t gamma_off[MLP_MAX_HIDDEN]; /* batch norm scale */
    size_t beta_off[MLP_MAX_HIDDEN];  /* batch norm shift */
    size_t n_stats, mean_off[MLP_MAX_HIDDEN], var_off[MLP_MAX_HIDDEN];
    float *params; /* n_params */
    float *stats;  /* batch norm running means and variances, n_stats (NULL without) */
} mlp_model;

/* Buffers for forward and backward passes over up to `cap` rows. */
typedef struct {
    size_t cap;
    float *x;                       /* cap x width[0]: a gathered batch (training) */
    int *label;                     /* cap: the batch's classes */
    float *target;                  /* cap: the batch's standardised targets */
    float *act[MLP_MAX_HIDDEN];     /* cap x width[l + 1]: hidden outputs after the activation */
    float *dropped[MLP_MAX_HIDDEN]; /* the same after dropout (training with dropout only) */
    float *mask[MLP_MAX_HIDDEN];    /* dropout factors: 0 or 1 / (1 - dropout) */
    float *xhat[MLP_MAX_HIDDEN];    /* batch norm: normalised pre-activations */
    float *bn_mean[MLP_MAX_HIDDEN]; /* batch norm: the batch's mean per unit */
    float *bn_var[MLP_MAX_HIDDEN];  /* batch norm: the batch's (biased) variance per unit */
    float *inv_std[MLP_MAX_HIDDEN]; /* batch norm: 1 / sqrt(bn_var + eps) */
    float *z;                       /* cap x outputs: output layer, then its gradient */
    float *delta[2];                /* cap x widest hidden layer: backpropagated gradients */
    float *ones;                    /* n_ones ones: column sums, unit scales */
    size_t n_ones;                  /* max(cap, widest hidden layer) */
    float *scale, *shift;           /* widest hidden layer: per-unit affine map */
    float *grad;                    /* n_params, laid out as the model's params */
    float *block;                   /* the allocation all the float arrays above live in */
} mlp_work;

/* Everything one fit needs besides the data. */
typedef struct {
    mlp_config c;
    const atoll_dataset *data;
    mlp_model *model;
    mlp_work work;
    int *labels;                     /* n: every sample's class (classification) */
    float *targets;                  /* n: every sample's standardised target (regression) */
    size_t *rows, n_fit;             /* rows[0..n_fit): samples trained on, shuffled every epoch */
    size_t n_held;                   /* rows[n_fit..n_fit + n_held): held out for early stopping */
    float *held_x;                   /* n_held x d */
    int *held_labels;                /* n_held */
    float *held_targets;             /* n_held */
    float *state1, *state2;          /* optimiser state: velocity or first moment; second moment */
    float *best_params, *best_stats; /* the parameters of the best held-out epoch */
    gsl_rng *shuffle_rng, *dropout_rng;
    double step; /* optimiser steps taken */
} mlp_trainer;

/* ---- mlp.c: configuration and training ------------------------------------------------- */

/* Read a fit's configuration from hp (values of the model's hyperparameter table). */
void atoll_mlp_config_read(const double *hp, mlp_config *c);

/* Prepare a fit of `data` (borrowed) under config c: targets, held-out split, the initialised
 * network, workspaces, optimiser state and random streams, all drawn from `seed`. Closes what
 * it opened on error. */
int atoll_mlp_trainer_open(mlp_trainer *t, const mlp_config *c, const atoll_dataset *data,
                           uint64_t seed);

/* Free everything a trainer holds, the model included. */
void atoll_mlp_trainer_close(mlp_trainer *t);

/* ---- mlp_layers.c: the network and its passes ------------------------------------------ */

/* count floats (rounded up to whole MLP_LANES), aligned to MLP_LANES floats and zeroed when
 * `zero`; free() them. NULL when out of memory. */
float *atoll_mlp_floats(size_t count, bool zero);

/* Lay out and allocate an untrained network for d features and n_classes (0: one output). */
int atoll_mlp_model_create(const mlp_config *c, size_t d, int n_classes, mlp_model **out);

/* Free a network (NULL-safe). */
void atoll_mlp_model_destroy(mlp_model *m);

/* Draw the initial weights (He-normal for relu, Glorot-uniform for tanh and sigmoid); biases
 * and batch-norm shifts 0, scales 1; running means 0 and variances 1. */
void atoll_mlp_model_init(mlp_model *m, gsl_rng *rng);

/* Whether every parameter and running statistic is finite. */
bool atoll_mlp_model_finite(const mlp_model *m);

/* Allocate the buffers of passes over up to `cap` rows; train adds what backpropagation
 * needs, dropout the masks. */
int atoll_mlp_work_alloc(const mlp_model *m, size_t cap, bool train, bool dropout, mlp_work *w);

/* Free a workspace's buffers and zero it. */
void atoll_mlp_work_free(mlp_work *w);

/*
 * Run `rows` rows of x (contiguous, width[0] each) through the network, leaving hidden outputs
 * in w->act (and w->dropped) and the output layer's linear part, without its bias, in w->z.
 * train: batch-norm batch statistics and dropout masks drawn from rng (dropout > 0);
 * otherwise running statistics and no dropout.
 */
void atoll_mlp_forward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool train,
                       double dropout, gsl_rng *rng);

/*
 * The summed loss of `rows` outputs z (linear part without bias) against label (classes) or
 * target (standardised values). With grad_scale > 0, z is replaced by grad_scale times the
 * gradient of the loss with respect to the outputs: softmax minus one-hot, or the residual.
 */
double atoll_mlp_output_loss(const mlp_model *m, float *z, size_t rows, const int *label,
                             const float *target, float grad_scale);

/* Turn `rows` outputs z (linear part without bias) into predictions: class probabilities
 * (rows x n_classes) or values on the target's own scale. */
void atoll_mlp_output_predict(const mlp_model *m, const float *z, size_t rows, float *out);

/* Backpropagate the output gradient in w->z through the last forward pass over `rows` rows
 * of x, writing every parameter's gradient to w->grad (weight decay not included). */
void atoll_mlp_backward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool dropped);

/* ---- mlp_optim.c: learning-rate schedules and optimisers ------------------------------- */

/* Whether this processor runs the AVX2 and FMA code (false where it is not compiled). */
bool atoll_mlp_have_avx2(void);

/* The learning rate of epoch `epoch` (from 0). */
double atoll_mlp_schedule_rate(const mlp_config *c, long epoch);

/*
 * One step of the configured optimiser, the t-th in all, on n parameters p (n a multiple of
 * MLP_LANES, so that every loop runs over whole chunks) with gradients g plus decay * p.
 * state1 holds the velocity (momentum, nesterov) or first moment (adam), state2 the mean
 * squared gradient (adam, rmsprop); NULL where the optimiser has none.
 */
void atoll_mlp_optimizer_step(const mlp_config *c, float *restrict p, const float *restrict g,
                              float *restrict state1, float *restrict state2, size_t n, float lr,
                              float decay, double t);

#endif
