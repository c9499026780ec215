/* mlp.c - the "mlp" model: a multilayer perceptron trained by mini-batch gradient descent. */

/*
 * Fully connected hidden layers (relu, tanh or sigmoid) and a softmax output with
 * cross-entropy loss for classification, or one linear output with half the squared error of
 * the standardised target for regression, trained by backpropagation (D. E. Rumelhart,
 * G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
 * Nature 323, 1986). Initialisation after K. He et al., "Delving deep into rectifiers",
 * ICCV 2015 (relu) and X. Glorot, Y. Bengio, AISTATS 2010 (tanh, sigmoid); Adam after
 * D. P. Kingma, J. Ba, ICLR 2015; Nesterov momentum in the form of I. Sutskever et al.,
 * ICML 2013; batch normalisation after S. Ioffe, C. Szegedy, ICML 2015; inverted dropout
 * after N. Srivastava et al., JMLR 15, 2014.
 *
 * Everything is float32 and row-major. Each mini-batch is gathered contiguously from a
 * shuffled index; every matrix product is one cblas_sgemm (the input layer's gradient with
 * respect to its input is never formed) and every column sum one cblas_sgemv; the element-wise
 * work is fused into single passes (bias and activation; softmax, loss and its gradient;
 * dropout and the activation's derivative). Parameters, gradients and optimiser state are
 * flat arrays holding every weight matrix first, so that an optimiser step is two passes:
 * the weights with decay, then biases and batch-norm parameters without. Element-wise loops
 * run over fixed chunks of MLP_LANES floats, which compilers vectorise without special flags.
 * All workspaces are allocated once per fit.
 */
#include "ml/mlp.h"

#include <gsl/gsl_cblas.h> /* the CBLAS interface; OpenBLAS implements it at link time (GSL's
                              * randist.h pulls this header in, and it clashes with cblas.h) */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "core/error.h"
#include "core/rng.h"

#define MLP_MAX_HIDDEN 4
#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)
#define MLP_MAX_UNITS 8192
#define MLP_EVAL_ROWS 256 /* rows per forward pass when predicting or scoring held-out data */
#define MLP_BN_EPS 1e-5f
#define MLP_BN_MOMENTUM 0.1f
/* Element-wise loops run over chunks of this many floats: fixed-length loops, which compilers
 * turn into SIMD code. */
#define MLP_LANES 16
#define MLP_PI 3.14159265358979323846

/* The random streams of a fit, as indices of atoll_rng_stream(seed, OBJECTIVE, index). */
enum { STREAM_INIT = 0, STREAM_SHUFFLE = 1, STREAM_DROPOUT = 2, STREAM_SPLIT = 3 };

/* Positions in the hyperparameter table. */
enum {
    HP_LAYERS,
    HP_UNITS,
    HP_UNITS1,
    HP_ACTIVATION = HP_UNITS1 + MLP_MAX_HIDDEN,
    HP_OPTIMIZER,
    HP_LEARNING_RATE,
    HP_MOMENTUM,
    HP_RHO,
    HP_BETA1,
    HP_BETA2,
    HP_EPSILON,
    HP_LR_SCHEDULE,
    HP_LR_DECAY,
    HP_LR_STEP,
    HP_LR_GAMMA,
    HP_LR_MIN,
    HP_BATCH_SIZE,
    HP_EPOCHS,
    HP_WEIGHT_DECAY,
    HP_DROPOUT,
    HP_BATCH_NORM,
    HP_EARLY_STOPPING,
    HP_VALIDATION_FRACTION,
    HP_TOL
};

enum { ACT_RELU, ACT_TANH, ACT_SIGMOID };
enum { OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM, OPT_RMSPROP };
enum { SCHED_CONSTANT, SCHED_STEP, SCHED_EXPONENTIAL, SCHED_COSINE };

static const atoll_hparam mlp_hparams[] = {
    {"layers", ATOLL_HP_INT, 1, MLP_MAX_HIDDEN, NULL, "1", "number of hidden layers"},
    {"units", ATOLL_HP_INT, 1, MLP_MAX_UNITS, NULL, "64",
     "width of every hidden layer whose unitsK is 0"},
    {"units1", ATOLL_HP_INT, 0, MLP_MAX_UNITS, NULL, "0", "width of hidden layer 1 (0: units)"},
    {"units2", ATOLL_HP_INT, 0, MLP_MAX_UNITS, NULL, "0", "width of hidden layer 2 (0: units)"},
    {"units3", ATOLL_HP_INT, 0, MLP_MAX_UNITS, NULL, "0", "width of hidden layer 3 (0: units)"},
    {"units4", ATOLL_HP_INT, 0, MLP_MAX_UNITS, NULL, "0", "width of hidden layer 4 (0: units)"},
    {"activation", ATOLL_HP_CHOICE, 0, 0, "relu|tanh|sigmoid", "relu",
     "hidden activation (He-normal initialisation for relu, Glorot-uniform otherwise)"},
    {"optimizer", ATOLL_HP_CHOICE, 0, 0, "sgd|momentum|nesterov|adam|rmsprop", "adam",
     "the gradient step rule"},
    {"learning_rate", ATOLL_HP_REAL, 1e-7, 10, NULL, "0.001",
     "initial step size (the schedule scales it per epoch)"},
    {"momentum", ATOLL_HP_REAL, 0, 0.999, NULL, "0.9", "momentum, nesterov: velocity decay"},
    {"rho", ATOLL_HP_REAL, 0, 0.9999, NULL, "0.9", "rmsprop: decay of the mean squared gradient"},
    {"beta1", ATOLL_HP_REAL, 0, 0.9999, NULL, "0.9", "adam: decay of the mean gradient"},
    {"beta2", ATOLL_HP_REAL, 0, 0.99999, NULL, "0.999", "adam: decay of the mean squared gradient"},
    {"epsilon", ATOLL_HP_REAL, 1e-12, 1, NULL, "1e-8",
     "adam, rmsprop: added to the root mean square gradient"},
    {"lr_schedule", ATOLL_HP_CHOICE, 0, 0, "constant|step|exponential|cosine", "constant",
     "learning rate over the epochs"},
    {"lr_decay", ATOLL_HP_REAL, 0, 1, NULL, "0.5",
     "step schedule: factor applied every lr_step epochs"},
    {"lr_step", ATOLL_HP_INT, 1, 100000, NULL, "10", "step schedule: epochs between decays"},
    {"lr_gamma", ATOLL_HP_REAL, 0, 1, NULL, "0.95",
     "exponential schedule: factor applied each epoch"},
    {"lr_min", ATOLL_HP_REAL, 0, 10, NULL, "0",
     "cosine schedule: floor, lr(e) = lr_min + (lr - lr_min)(1 + cos(pi e / epochs)) / 2"},
    {"batch_size", ATOLL_HP_INT, 1, 1000000, NULL, "32",
     "samples per gradient step (capped at the sample count)"},
    {"epochs", ATOLL_HP_INT, 1, 100000, NULL, "20", "passes over the training data"},
    {"weight_decay", ATOLL_HP_REAL, 0, 10, NULL, "0",
     "L2 penalty on weights, not biases: adds weight_decay * W to the gradient"},
    {"dropout", ATOLL_HP_REAL, 0, 0.95, NULL, "0",
     "probability of zeroing a hidden activation in training (inverted dropout)"},
    {"batch_norm", ATOLL_HP_CHOICE, 0, 0, "off|on", "off",
     "batch normalisation of every hidden layer before its activation"},
    {"early_stopping", ATOLL_HP_INT, 0, 100000, NULL, "0",
     "patience: stop after this many epochs without a better held-out loss (0: off)"},
    {"validation_fraction", ATOLL_HP_REAL, 0.01, 0.5, NULL, "0.1",
     "early stopping: share of the training data held out (stratified by class)"},
    {"tol", ATOLL_HP_REAL, 0, 1, NULL, "0",
     "early stopping: a held-out loss must improve by more than this"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

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
    size_t w_off[MLP_MAX_LAYERS];     /* width[l] x width[l + 1], row-major */
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

static void config_read(const double *hp, mlp_config *c)
{
    c->n_hidden = (int)hp[HP_LAYERS];
    for (int l = 0; l < MLP_MAX_HIDDEN; l++) {
        double own = hp[HP_UNITS1 + l];
        c->units[l] = (size_t)(own > 0 ? own : hp[HP_UNITS]);
    }
    c->activation = (int)hp[HP_ACTIVATION];
    c->optimizer = (int)hp[HP_OPTIMIZER];
    c->learning_rate = hp[HP_LEARNING_RATE];
    c->momentum = hp[HP_MOMENTUM];
    c->rho = hp[HP_RHO];
    c->beta1 = hp[HP_BETA1];
    c->beta2 = hp[HP_BETA2];
    c->epsilon = hp[HP_EPSILON];
    c->schedule = (int)hp[HP_LR_SCHEDULE];
    c->lr_decay = hp[HP_LR_DECAY];
    c->lr_step = (long)hp[HP_LR_STEP];
    c->lr_gamma = hp[HP_LR_GAMMA];
    c->lr_min = hp[HP_LR_MIN];
    c->batch_size = (size_t)hp[HP_BATCH_SIZE];
    c->epochs = (long)hp[HP_EPOCHS];
    c->weight_decay = hp[HP_WEIGHT_DECAY];
    c->dropout = hp[HP_DROPOUT];
    c->batch_norm = hp[HP_BATCH_NORM] != 0.0;
    c->patience = (long)hp[HP_EARLY_STOPPING];
    c->validation_fraction = hp[HP_VALIDATION_FRACTION];
    c->tol = hp[HP_TOL];
}

/* The learning rate of epoch `epoch` (from 0). */
static double schedule_rate(const mlp_config *c, long epoch)
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

/* n rounded up to whole MLP_LANES. */
static size_t lanes(size_t n)
{
    return (n + MLP_LANES - 1) / MLP_LANES * MLP_LANES;
}

/* ---- the network ---------------------------------------------------------------------- */

static void model_destroy(mlp_model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->stats);
    free(m);
}

/* Lay out and allocate an untrained network for d features and n_classes (0: one output). */
static int model_create(const mlp_config *c, size_t d, int n_classes, mlp_model **out)
{
    mlp_model *m = calloc(1, sizeof *m);
    if (!m)
        return ATOLL_NOMEM("an mlp model");
    m->n_layers = c->n_hidden + 1;
    m->activation = c->activation;
    m->batch_norm = c->batch_norm;
    m->n_classes = n_classes;
    m->y_mean = 0.0f;
    m->y_sd = 1.0f;
    m->width[0] = d;
    for (int l = 0; l < c->n_hidden; l++)
        m->width[l + 1] = c->units[l];
    m->width[m->n_layers] = n_classes >= 2 ? (size_t)n_classes : 1;

    size_t off = 0;
    for (int l = 0; l < m->n_layers; l++) {
        m->w_off[l] = off;
        off += m->width[l] * m->width[l + 1];
    }
    off = lanes(off);
    m->n_weights = off;
    for (int l = 0; l < m->n_layers; l++) {
        m->b_off[l] = off;
        off += m->width[l + 1];
    }
    size_t stat = 0;
    for (int l = 0; m->batch_norm && l < c->n_hidden; l++) {
        m->gamma_off[l] = off;
        m->beta_off[l] = off + m->width[l + 1];
        off += 2 * m->width[l + 1];
        m->mean_off[l] = stat;
        m->var_off[l] = stat + m->width[l + 1];
        stat += 2 * m->width[l + 1];
    }
    m->n_params = lanes(off);
    m->n_stats = stat;
    m->params = malloc(m->n_params * sizeof *m->params);
    m->stats = stat ? malloc(stat * sizeof *m->stats) : NULL;
    if (!m->params || (stat && !m->stats)) {
        model_destroy(m);
        return ATOLL_NOMEM("mlp parameters");
    }
    *out = m;
    return ATOLL_OK;
}

/* Draw the initial weights (He-normal for relu, Glorot-uniform for tanh and sigmoid); biases
 * and batch-norm shifts 0, scales 1; running means 0 and variances 1. */
static void model_init(mlp_model *m, gsl_rng *rng)
{
    memset(m->params, 0, m->n_params * sizeof *m->params);
    for (int l = 0; l < m->n_layers; l++) {
        double fan_in = (double)m->width[l], fan_out = (double)m->width[l + 1];
        float *w = m->params + m->w_off[l];
        size_t count = m->width[l] * m->width[l + 1];
        if (m->activation == ACT_RELU) {
            double sd = sqrt(2.0 / fan_in);
            for (size_t i = 0; i < count; i++)
                w[i] = (float)gsl_ran_gaussian_ziggurat(rng, sd);
        } else {
            double limit = sqrt(6.0 / (fan_in + fan_out));
            for (size_t i = 0; i < count; i++)
                w[i] = (float)((2.0 * gsl_rng_uniform(rng) - 1.0) * limit);
        }
    }
    for (int l = 0; m->batch_norm && l + 1 < m->n_layers; l++) {
        for (size_t j = 0; j < m->width[l + 1]; j++) {
            m->params[m->gamma_off[l] + j] = 1.0f;
            m->stats[m->mean_off[l] + j] = 0.0f;
            m->stats[m->var_off[l] + j] = 1.0f;
        }
    }
}

/* Whether every parameter and running statistic is finite. */
static bool model_finite(const mlp_model *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i]))
            return false;
    for (size_t i = 0; i < m->n_stats; i++)
        if (!isfinite(m->stats[i]))
            return false;
    return true;
}

/* ---- workspaces --------------------------------------------------------------------------- */

/* The next `count` floats of a block (NULL while only measuring, base NULL). */
static float *take(float *base, size_t *off, size_t count)
{
    float *p = base ? base + *off : NULL;
    *off += lanes(count);
    return p;
}

/* Point a workspace's arrays into `base` and return the floats they need (base NULL: only
 * count). train adds what backpropagation needs; dropout the masks. */
static size_t work_layout(const mlp_model *m, mlp_work *w, size_t cap, bool train, bool dropout,
                          float *base)
{
    size_t off = 0, widest = 1;
    for (int l = 0; l + 1 < m->n_layers; l++) {
        size_t n = m->width[l + 1];
        widest = n > widest ? n : widest;
        w->act[l] = take(base, &off, cap * n);
        if (train && dropout) {
            w->dropped[l] = take(base, &off, cap * n);
            w->mask[l] = take(base, &off, cap * n);
        }
        if (train && m->batch_norm) {
            w->xhat[l] = take(base, &off, cap * n);
            w->bn_mean[l] = take(base, &off, n);
            w->bn_var[l] = take(base, &off, n);
            w->inv_std[l] = take(base, &off, n);
        }
    }
    w->z = take(base, &off, cap * m->width[m->n_layers]);
    w->n_ones = cap > widest ? cap : widest;
    w->ones = take(base, &off, w->n_ones);
    w->scale = take(base, &off, widest);
    w->shift = take(base, &off, widest);
    if (train) {
        w->x = take(base, &off, cap * m->width[0]);
        w->target = take(base, &off, cap);
        w->delta[0] = take(base, &off, cap * widest);
        w->delta[1] = take(base, &off, cap * widest);
        w->grad = take(base, &off, m->n_params);
    }
    return off;
}

static void work_free(mlp_work *w)
{
    free(w->block);
    free(w->label);
    memset(w, 0, sizeof *w);
}

/* Allocate the buffers of passes over up to `cap` rows (see work_layout). */
static int work_alloc(const mlp_model *m, size_t cap, bool train, bool dropout, mlp_work *w)
{
    memset(w, 0, sizeof *w);
    w->cap = cap;
    size_t floats = work_layout(m, w, cap, train, dropout, NULL);
    w->block = aligned_alloc(MLP_LANES * sizeof(float), floats * sizeof(float));
    w->label = train ? malloc(cap * sizeof *w->label) : NULL;
    if (!w->block || (train && !w->label)) {
        work_free(w);
        return ATOLL_NOMEM("an mlp workspace");
    }
    work_layout(m, w, cap, train, dropout, w->block);
    for (size_t i = 0; i < w->n_ones; i++)
        w->ones[i] = 1.0f;
    if (train)
        memset(w->grad, 0, m->n_params * sizeof *w->grad);
    return ATOLL_OK;
}

/* ---- forward ------------------------------------------------------------------------------ */

/* a = activation(a * scale + shift) for len <= MLP_LANES units of one row. */
static inline void activate_chunk(float *a, const float *restrict scale,
                                  const float *restrict shift, int activation, size_t len)
{
    switch (activation) {
    case ACT_RELU:
        for (size_t j = 0; j < len; j++) {
            float v = a[j] * scale[j] + shift[j];
            a[j] = v > 0.0f ? v : 0.0f;
        }
        break;
    case ACT_TANH:
        for (size_t j = 0; j < len; j++)
            a[j] = tanhf(a[j] * scale[j] + shift[j]);
        break;
    default:
        for (size_t j = 0; j < len; j++)
            a[j] = 1.0f / (1.0f + expf(-(a[j] * scale[j] + shift[j])));
        break;
    }
}

/* a = activation(a * scale + shift), per unit (column) of rows x n, in place. */
static void activate(float *a, size_t rows, size_t n, const float *scale, const float *shift,
                     int activation)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = a + r * n;
        size_t j = 0;
        for (; j + MLP_LANES <= n; j += MLP_LANES)
            activate_chunk(row + j, scale + j, shift + j, activation, MLP_LANES);
        activate_chunk(row + j, scale + j, shift + j, activation, n - j);
    }
}

/* Batch statistics of z (rows x n): mean, biased variance and 1 / sqrt(var + eps); the
 * normalised values go to xhat and z. */
static void batch_normalise(float *z, size_t rows, size_t n, const float *ones, float *mean,
                            float *var, float *inv_std, float *xhat)
{
    cblas_sgemv(CblasRowMajor, CblasTrans, (int)rows, (int)n, 1.0f / (float)rows, z, (int)n, ones,
                1, 0.0f, mean, 1);
    memset(var, 0, n * sizeof *var);
    for (size_t r = 0; r < rows; r++) {
        const float *zr = z + r * n;
        float *xr = xhat + r * n;
        for (size_t j = 0; j < n; j++) {
            float centred = zr[j] - mean[j];
            xr[j] = centred;
            var[j] += centred * centred;
        }
    }
    for (size_t j = 0; j < n; j++) {
        var[j] /= (float)rows;
        inv_std[j] = 1.0f / sqrtf(var[j] + MLP_BN_EPS);
    }
    for (size_t r = 0; r < rows; r++) {
        float *xr = xhat + r * n, *zr = z + r * n;
        for (size_t j = 0; j < n; j++) {
            xr[j] *= inv_std[j];
            zr[j] = xr[j];
        }
    }
}

/* Finish hidden layer l, whose linear part is in w->act[l]: bias (or batch norm) and the
 * activation, in place. train: batch statistics; otherwise the running ones. */
static void hidden_activate(const mlp_model *m, mlp_work *w, int l, size_t rows, bool train)
{
    size_t n = m->width[l + 1];
    float *a = w->act[l];
    const float *scale = w->ones, *shift = m->params + m->b_off[l];
    if (m->batch_norm) {
        const float *gamma = m->params + m->gamma_off[l], *beta = m->params + m->beta_off[l];
        if (train) {
            batch_normalise(a, rows, n, w->ones, w->bn_mean[l], w->bn_var[l], w->inv_std[l],
                            w->xhat[l]);
            scale = gamma;
            shift = beta;
        } else {
            const float *mean = m->stats + m->mean_off[l], *var = m->stats + m->var_off[l];
            for (size_t j = 0; j < n; j++) {
                w->scale[j] = gamma[j] / sqrtf(var[j] + MLP_BN_EPS);
                w->shift[j] = beta[j] - mean[j] * w->scale[j];
            }
            scale = w->scale;
            shift = w->shift;
        }
    }
    activate(a, rows, n, scale, shift, m->activation);
}

/* Inverted dropout: each of `count` activations is kept with probability 1 - rate and scaled
 * by 1 / (1 - rate); the factors go to mask. */
static void dropout_apply(const float *a, float *out, float *mask, size_t count, double rate,
                          gsl_rng *rng)
{
    float kept = (float)(1.0 / (1.0 - rate));
    for (size_t i = 0; i < count; i++) {
        mask[i] = gsl_rng_uniform(rng) < rate ? 0.0f : kept;
        out[i] = a[i] * mask[i];
    }
}

/* The input of layer l + 1 in the last forward pass. */
static const float *hidden_output(const mlp_work *w, int l, bool dropped)
{
    return dropped ? w->dropped[l] : w->act[l];
}

/*
 * Run `rows` rows of x (contiguous, width[0] each) through the network, leaving hidden outputs
 * in w->act (and w->dropped) and the output layer's linear part, without its bias, in w->z.
 * train: batch-norm batch statistics and dropout masks drawn from rng (dropout > 0);
 * otherwise running statistics and no dropout.
 */
static void forward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool train,
                    double dropout, gsl_rng *rng)
{
    const float *in = x;
    bool dropped = train && dropout > 0.0;
    for (int l = 0; l < m->n_layers; l++) {
        size_t n_in = m->width[l], n_out = m->width[l + 1];
        bool hidden = l + 1 < m->n_layers;
        float *out = hidden ? w->act[l] : w->z;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)n_out, (int)n_in,
                    1.0f, in, (int)n_in, m->params + m->w_off[l], (int)n_out, 0.0f, out,
                    (int)n_out);
        if (!hidden)
            break;
        hidden_activate(m, w, l, rows, train);
        if (dropped)
            dropout_apply(w->act[l], w->dropped[l], w->mask[l], rows * n_out, dropout, rng);
        in = hidden_output(w, l, dropped);
    }
}

/*
 * The summed loss of `rows` outputs z (linear part without bias) against label (classes) or
 * target (standardised values). With grad_scale > 0, z is replaced by grad_scale times the
 * gradient of the loss with respect to the outputs: softmax minus one-hot, or the residual.
 */
static double output_loss(const mlp_model *m, float *z, size_t rows, const int *label,
                          const float *target, float grad_scale)
{
    const float *bias = m->params + m->b_off[m->n_layers - 1];
    double loss = 0.0;
    if (m->n_classes == 0) {
        for (size_t r = 0; r < rows; r++) {
            float residual = z[r] + bias[0] - target[r];
            loss += 0.5 * (double)residual * (double)residual;
            if (grad_scale > 0.0f)
                z[r] = residual * grad_scale;
        }
        return loss;
    }
    size_t k = (size_t)m->n_classes;
    for (size_t r = 0; r < rows; r++) {
        float *row = z + r * k;
        float top = -INFINITY;
        for (size_t j = 0; j < k; j++) {
            row[j] += bias[j];
            top = row[j] > top ? row[j] : top;
        }
        float own = row[label[r]] - top, sum = 0.0f;
        for (size_t j = 0; j < k; j++) {
            row[j] = expf(row[j] - top);
            sum += row[j];
        }
        loss += (double)logf(sum) - (double)own;
        if (grad_scale > 0.0f) {
            float inv = grad_scale / sum;
            for (size_t j = 0; j < k; j++)
                row[j] *= inv;
            row[label[r]] -= grad_scale;
        }
    }
    return loss;
}

/* Turn `rows` outputs z (linear part without bias) into predictions: class probabilities
 * (rows x n_classes) or values on the target's own scale. */
static void output_predict(const mlp_model *m, const float *z, size_t rows, float *out)
{
    const float *bias = m->params + m->b_off[m->n_layers - 1];
    if (m->n_classes == 0) {
        for (size_t r = 0; r < rows; r++)
            out[r] = (z[r] + bias[0]) * m->y_sd + m->y_mean;
        return;
    }
    size_t k = (size_t)m->n_classes;
    for (size_t r = 0; r < rows; r++) {
        const float *zr = z + r * k;
        float *row = out + r * k, top = -INFINITY, sum = 0.0f;
        for (size_t j = 0; j < k; j++) {
            row[j] = zr[j] + bias[j];
            top = row[j] > top ? row[j] : top;
        }
        for (size_t j = 0; j < k; j++) {
            row[j] = expf(row[j] - top);
            sum += row[j];
        }
        for (size_t j = 0; j < k; j++)
            row[j] /= sum;
    }
}

/* ---- backward ----------------------------------------------------------------------------- */

/* Batch norm backward for one layer: d holds the gradient with respect to its output y =
 * gamma * xhat + beta; leaves the gradient with respect to its input there and writes the
 * gradients of gamma and beta. */
static void batch_norm_backward(float *d, size_t rows, size_t n, const float *xhat,
                                const float *inv_std, const float *gamma, const float *ones,
                                float *coef, float *dgamma, float *dbeta)
{
    cblas_sgemv(CblasRowMajor, CblasTrans, (int)rows, (int)n, 1.0f, d, (int)n, ones, 1, 0.0f, dbeta,
                1);
    memset(dgamma, 0, n * sizeof *dgamma);
    for (size_t r = 0; r < rows; r++) {
        const float *dr = d + r * n, *xr = xhat + r * n;
        for (size_t j = 0; j < n; j++)
            dgamma[j] += dr[j] * xr[j];
    }
    float batch = (float)rows;
    for (size_t j = 0; j < n; j++)
        coef[j] = gamma[j] * inv_std[j] / batch;
    for (size_t r = 0; r < rows; r++) {
        float *dr = d + r * n;
        const float *xr = xhat + r * n;
        for (size_t j = 0; j < n; j++)
            dr[j] = coef[j] * (batch * dr[j] - dbeta[j] - xr[j] * dgamma[j]);
    }
}

/* d *= mask (when given) and the activation's derivative, written in terms of its output a,
 * for len <= MLP_LANES values. */
static inline void derivative_chunk(float *restrict d, const float *restrict a,
                                    const float *restrict mask, int activation, size_t len)
{
    if (mask)
        for (size_t i = 0; i < len; i++)
            d[i] *= mask[i];
    switch (activation) {
    case ACT_RELU:
        for (size_t i = 0; i < len; i++)
            d[i] = a[i] > 0.0f ? d[i] : 0.0f;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < len; i++)
            d[i] *= 1.0f - a[i] * a[i];
        break;
    default:
        for (size_t i = 0; i < len; i++)
            d[i] *= a[i] * (1.0f - a[i]);
        break;
    }
}

/* d holds the gradient with respect to hidden layer l's output; take it back through dropout,
 * the activation and batch norm to the layer's linear part. */
static void hidden_backward(const mlp_model *m, mlp_work *w, int l, float *d, size_t rows,
                            bool dropped)
{
    size_t n = m->width[l + 1], count = rows * n, i = 0;
    const float *a = w->act[l], *mask = dropped ? w->mask[l] : NULL;
    for (; i + MLP_LANES <= count; i += MLP_LANES)
        derivative_chunk(d + i, a + i, mask ? mask + i : NULL, m->activation, MLP_LANES);
    derivative_chunk(d + i, a + i, mask ? mask + i : NULL, m->activation, count - i);
    if (m->batch_norm)
        batch_norm_backward(d, rows, n, w->xhat[l], w->inv_std[l], m->params + m->gamma_off[l],
                            w->ones, w->scale, w->grad + m->gamma_off[l], w->grad + m->beta_off[l]);
}

/* Backpropagate the output gradient in w->z through the last forward pass over `rows` rows
 * of x, writing every parameter's gradient to w->grad (weight decay not included). */
static void backward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool dropped)
{
    float *delta = w->z;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        size_t n_in = m->width[l], n_out = m->width[l + 1];
        const float *in = l > 0 ? hidden_output(w, l - 1, dropped) : x;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n_in, (int)n_out, (int)rows, 1.0f,
                    in, (int)n_in, delta, (int)n_out, 0.0f, w->grad + m->w_off[l], (int)n_out);
        if (!m->batch_norm || l + 1 == m->n_layers)
            cblas_sgemv(CblasRowMajor, CblasTrans, (int)rows, (int)n_out, 1.0f, delta, (int)n_out,
                        w->ones, 1, 0.0f, w->grad + m->b_off[l], 1);
        if (l == 0)
            break;
        float *next = delta == w->delta[0] ? w->delta[1] : w->delta[0];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n_in, (int)n_out, 1.0f,
                    delta, (int)n_out, m->params + m->w_off[l], (int)n_out, 0.0f, next, (int)n_in);
        hidden_backward(m, w, l - 1, next, rows, dropped);
        delta = next;
    }
}

/* ---- optimisers --------------------------------------------------------------------------- */

/* out = sqrt(in) for MLP_LANES values. sqrtf may set errno, which keeps compilers from
 * vectorising it; SSE's packed square root does not. */
static inline void sqrt_lanes(const float *restrict in, float *restrict out)
{
#if defined(__SSE__)
    for (size_t i = 0; i < MLP_LANES; i += 4)
        _mm_storeu_ps(out + i, _mm_sqrt_ps(_mm_loadu_ps(in + i)));
#else
    for (size_t i = 0; i < MLP_LANES; i++)
        out[i] = sqrtf(in[i]);
#endif
}

/*
 * One step of the configured optimiser, the t-th in all, on n parameters p (n a multiple of
 * MLP_LANES, so that every loop runs over whole chunks) with gradients g plus decay * p.
 * state1 holds the velocity (momentum, nesterov) or first moment (adam), state2 the mean
 * squared gradient (adam, rmsprop); NULL where the optimiser has none.
 */
static void optimizer_step(const mlp_config *c, float *restrict p, const float *restrict g,
                           float *restrict state1, float *restrict state2, size_t n, float lr,
                           float decay, double t)
{
    float mu = (float)c->momentum, eps = (float)c->epsilon;
    float root[MLP_LANES], gd[MLP_LANES];
    switch (c->optimizer) {
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
        /* mhat / (sqrt(vhat) + eps) = sqrt(c2) / c1 * m / (sqrt(v) + eps * sqrt(c2)) */
        double c1 = 1.0 - pow(c->beta1, t), c2 = 1.0 - pow(c->beta2, t);
        float step = (float)(lr * sqrt(c2) / c1), eps_hat = (float)(c->epsilon * sqrt(c2));
        float b1 = (float)c->beta1, b2 = (float)c->beta2;
        for (size_t b = 0; b < n; b += MLP_LANES) {
            for (size_t i = 0; i < MLP_LANES; i++) {
                float gi = g[b + i] + decay * p[b + i];
                state1[b + i] = b1 * state1[b + i] + (1.0f - b1) * gi;
                state2[b + i] = b2 * state2[b + i] + (1.0f - b2) * gi * gi;
            }
            sqrt_lanes(state2 + b, root);
            for (size_t i = 0; i < MLP_LANES; i++)
                p[b + i] -= step * state1[b + i] / (root[i] + eps_hat);
        }
        break;
    }
    default: {
        float rho = (float)c->rho;
        for (size_t b = 0; b < n; b += MLP_LANES) {
            for (size_t i = 0; i < MLP_LANES; i++) {
                gd[i] = g[b + i] + decay * p[b + i];
                state2[b + i] = rho * state2[b + i] + (1.0f - rho) * gd[i] * gd[i];
            }
            sqrt_lanes(state2 + b, root);
            for (size_t i = 0; i < MLP_LANES; i++)
                p[b + i] -= lr * gd[i] / (root[i] + eps);
        }
        break;
    }
    }
}

/* ---- fitting ------------------------------------------------------------------------------ */

/* Whether `data` is something a fit can learn from. */
static int data_check(const atoll_dataset *data)
{
    if (!data || data->n == 0 || data->d == 0 || !data->x || !data->y)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "mlp: empty training data");
    if (data->n_classes == 1 || data->n_classes < 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "mlp: %d classes (need at least 2, or 0 for regression)",
                           data->n_classes);
    if (data->d > INT_MAX || data->n > INT_MAX)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "mlp: too many features (%zu)", data->d);
    return ATOLL_OK;
}

static void trainer_close(mlp_trainer *t)
{
    model_destroy(t->model);
    work_free(&t->work);
    free(t->labels);
    free(t->targets);
    free(t->rows);
    free(t->held_x);
    free(t->held_labels);
    free(t->held_targets);
    free(t->state1);
    free(t->state2);
    free(t->best_params);
    free(t->best_stats);
    gsl_rng_free(t->shuffle_rng);
    gsl_rng_free(t->dropout_rng);
    memset(t, 0, sizeof *t);
}

/* Every sample's class, checked, or its target. */
static int read_targets(mlp_trainer *t)
{
    const atoll_dataset *data = t->data;
    if (data->n_classes == 0) {
        t->targets = malloc(data->n * sizeof *t->targets);
        if (!t->targets)
            return ATOLL_NOMEM("mlp targets");
        return ATOLL_OK;
    }
    t->labels = malloc(data->n * sizeof *t->labels);
    if (!t->labels)
        return ATOLL_NOMEM("mlp labels");
    for (size_t i = 0; i < data->n; i++) {
        float y = data->y[i];
        if (!(y >= 0.0f && y < (float)data->n_classes) || y != floorf(y))
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "mlp: sample %zu: class %g is not in 0..%d", i,
                               (double)y, data->n_classes - 1);
        t->labels[i] = (int)y;
    }
    return ATOLL_OK;
}

/* Order t->rows as the training samples, then the held-out ones: about validation_fraction
 * of the samples, drawn at random, stratified by class (a class keeps at least one sample on
 * each side when it has two). No held-out samples leave early stopping off. */
static int split_rows(mlp_trainer *t, uint64_t seed)
{
    size_t n = t->data->n;
    for (size_t i = 0; i < n; i++)
        t->rows[i] = i;
    t->n_fit = n;
    t->n_held = 0;
    if (n < 2)
        t->c.patience = 0;
    if (t->c.patience == 0)
        return ATOLL_OK;
    gsl_rng *rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_SPLIT);
    size_t *order = malloc(n * sizeof *order);
    int k = t->data->n_classes > 0 ? t->data->n_classes : 1;
    size_t *quota = calloc((size_t)k, sizeof *quota), *count = calloc((size_t)k, sizeof *count);
    if (!rng || !order || !quota || !count) {
        gsl_rng_free(rng);
        free(order);
        free(quota);
        free(count);
        return ATOLL_NOMEM("an mlp held-out split");
    }
    memcpy(order, t->rows, n * sizeof *order);
    gsl_ran_shuffle(rng, order, n, sizeof *order);
    for (size_t i = 0; i < n; i++)
        count[t->labels ? t->labels[i] : 0]++;
    for (int c = 0; c < k; c++) {
        double want = round(t->c.validation_fraction * (double)count[c]);
        quota[c] = count[c] < 2 ? 0 : want < 1.0 ? 1 : (size_t)want;
        quota[c] = quota[c] >= count[c] ? count[c] - 1 : quota[c];
    }
    size_t fit = 0, held = n;
    for (size_t i = 0; i < n; i++) {
        size_t row = order[i];
        size_t *left = &quota[t->labels ? t->labels[row] : 0];
        if (*left > 0) {
            (*left)--;
            t->rows[--held] = row;
        } else {
            t->rows[fit++] = row;
        }
    }
    t->n_fit = fit;
    t->n_held = n - fit;
    if (t->n_held == 0)
        t->c.patience = 0;
    gsl_rng_free(rng);
    free(order);
    free(quota);
    free(count);
    return ATOLL_OK;
}

/* Regression: standardise every target by the mean and deviation of the training samples. */
static void standardise_targets(mlp_trainer *t)
{
    const float *y = t->data->y;
    double sum = 0.0, squares = 0.0;
    for (size_t i = 0; i < t->n_fit; i++)
        sum += y[t->rows[i]];
    double mean = sum / (double)t->n_fit;
    for (size_t i = 0; i < t->n_fit; i++) {
        double centred = y[t->rows[i]] - mean;
        squares += centred * centred;
    }
    double sd = sqrt(squares / (double)t->n_fit);
    if (!(sd > 0.0) || !isfinite(sd))
        sd = 1.0;
    t->model->y_mean = (float)mean;
    t->model->y_sd = (float)sd;
    for (size_t i = 0; i < t->data->n; i++)
        t->targets[i] = (float)((y[i] - mean) / sd);
}

/* Copy the held-out samples contiguously. */
static int gather_held(mlp_trainer *t)
{
    size_t d = t->data->d, n = t->n_held;
    t->held_x = malloc(n * d * sizeof *t->held_x);
    t->held_labels = malloc(n * sizeof *t->held_labels);
    t->held_targets = malloc(n * sizeof *t->held_targets);
    if (!t->held_x || !t->held_labels || !t->held_targets)
        return ATOLL_NOMEM("mlp held-out samples");
    for (size_t i = 0; i < n; i++) {
        size_t row = t->rows[t->n_fit + i];
        memcpy(t->held_x + i * d, t->data->x + row * d, d * sizeof *t->held_x);
        t->held_labels[i] = t->labels ? t->labels[row] : 0;
        t->held_targets[i] = t->targets ? t->targets[row] : 0.0f;
    }
    return ATOLL_OK;
}

/* Prepare a fit of `data` under config c: targets, held-out split, the initialised network,
 * workspaces, optimiser state and random streams. */
static int trainer_open(mlp_trainer *t, const mlp_config *c, const atoll_dataset *data,
                        uint64_t seed)
{
    int rc = ATOLL_OK;
    memset(t, 0, sizeof *t);
    t->c = *c;
    t->data = data;
    ATOLL_CALL_GOTO(rc, data_check(data));
    ATOLL_CALL_GOTO(rc, read_targets(t));
    t->rows = malloc(data->n * sizeof *t->rows);
    if (!t->rows) {
        rc = ATOLL_NOMEM("mlp sample order");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, split_rows(t, seed));
    ATOLL_CALL_GOTO(rc, model_create(&t->c, data->d, data->n_classes, &t->model));
    gsl_rng *init = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_INIT);
    t->shuffle_rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_SHUFFLE);
    t->dropout_rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_DROPOUT);
    if (!init || !t->shuffle_rng || !t->dropout_rng) {
        gsl_rng_free(init);
        rc = ATOLL_NOMEM("mlp random streams");
        goto fail;
    }
    model_init(t->model, init);
    gsl_rng_free(init);
    if (t->targets)
        standardise_targets(t);

    size_t batch = t->c.batch_size < t->n_fit ? t->c.batch_size : t->n_fit;
    size_t eval = t->n_held < MLP_EVAL_ROWS ? t->n_held : MLP_EVAL_ROWS;
    t->c.batch_size = batch;
    ATOLL_CALL_GOTO(
        rc, work_alloc(t->model, batch > eval ? batch : eval, true, t->c.dropout > 0.0, &t->work));
    size_t n_params = t->model->n_params;
    bool velocity = t->c.optimizer == OPT_MOMENTUM || t->c.optimizer == OPT_NESTEROV ||
                    t->c.optimizer == OPT_ADAM;
    bool squares = t->c.optimizer == OPT_ADAM || t->c.optimizer == OPT_RMSPROP;
    t->state1 = velocity ? calloc(n_params, sizeof *t->state1) : NULL;
    t->state2 = squares ? calloc(n_params, sizeof *t->state2) : NULL;
    if ((velocity && !t->state1) || (squares && !t->state2)) {
        rc = ATOLL_NOMEM("mlp optimiser state");
        goto fail;
    }
    if (t->c.patience > 0) {
        size_t n_stats = t->model->n_stats;
        t->best_params = malloc(n_params * sizeof *t->best_params);
        t->best_stats = n_stats ? malloc(n_stats * sizeof *t->best_stats) : NULL;
        if (!t->best_params || (n_stats && !t->best_stats)) {
            rc = ATOLL_NOMEM("mlp best parameters");
            goto fail;
        }
        ATOLL_CALL_GOTO(rc, gather_held(t));
    }
    return ATOLL_OK;
fail:
    trainer_close(t);
    return rc;
}

/* Copy rows[0..count) of the data into the batch buffers. */
static void gather_batch(mlp_trainer *t, const size_t *rows, size_t count)
{
    size_t d = t->data->d;
    mlp_work *w = &t->work;
    for (size_t i = 0; i < count; i++) {
        memcpy(w->x + i * d, t->data->x + rows[i] * d, d * sizeof *w->x);
        if (t->labels)
            w->label[i] = t->labels[rows[i]];
        else
            w->target[i] = t->targets[rows[i]];
    }
}

/* Fold a training batch's statistics into the running means and (unbiased) variances. */
static void track_batch_norm(mlp_model *m, const mlp_work *w, size_t rows)
{
    float unbias = rows > 1 ? (float)rows / (float)(rows - 1) : 1.0f;
    for (int l = 0; l + 1 < m->n_layers; l++) {
        float *mean = m->stats + m->mean_off[l], *var = m->stats + m->var_off[l];
        for (size_t j = 0; j < m->width[l + 1]; j++) {
            mean[j] += MLP_BN_MOMENTUM * (w->bn_mean[l][j] - mean[j]);
            var[j] += MLP_BN_MOMENTUM * (w->bn_var[l][j] * unbias - var[j]);
        }
    }
}

/* One pass over the training samples in a fresh random order at learning rate lr; returns
 * the mean training loss, stopping at the first batch whose loss is not finite. */
static double train_epoch(mlp_trainer *t, float lr)
{
    mlp_model *m = t->model;
    mlp_work *w = &t->work;
    bool dropped = t->c.dropout > 0.0;
    float decay = (float)t->c.weight_decay;
    double total = 0.0;
    gsl_ran_shuffle(t->shuffle_rng, t->rows, t->n_fit, sizeof *t->rows);
    for (size_t start = 0; start < t->n_fit; start += t->c.batch_size) {
        size_t rows = t->n_fit - start < t->c.batch_size ? t->n_fit - start : t->c.batch_size;
        gather_batch(t, t->rows + start, rows);
        forward(m, w, w->x, rows, true, t->c.dropout, t->dropout_rng);
        double loss = output_loss(m, w->z, rows, w->label, w->target, 1.0f / (float)rows);
        if (!isfinite(loss))
            return loss;
        total += loss;
        if (m->batch_norm)
            track_batch_norm(m, w, rows);
        backward(m, w, w->x, rows, dropped);
        t->step += 1.0;
        optimizer_step(&t->c, m->params, w->grad, t->state1, t->state2, m->n_weights, lr, decay,
                       t->step);
        optimizer_step(&t->c, m->params + m->n_weights, w->grad + m->n_weights,
                       t->state1 ? t->state1 + m->n_weights : NULL,
                       t->state2 ? t->state2 + m->n_weights : NULL, m->n_params - m->n_weights, lr,
                       0.0f, t->step);
    }
    return total / (double)t->n_fit;
}

/* The mean loss of the held-out samples under the current network (inference mode). */
static double held_loss(mlp_trainer *t)
{
    mlp_work *w = &t->work;
    size_t d = t->data->d;
    double total = 0.0;
    for (size_t start = 0; start < t->n_held; start += w->cap) {
        size_t rows = t->n_held - start < w->cap ? t->n_held - start : w->cap;
        forward(t->model, w, t->held_x + start * d, rows, false, 0.0, NULL);
        total += output_loss(t->model, w->z, rows, t->held_labels + start, t->held_targets + start,
                             0.0f);
    }
    return total / (double)t->n_held;
}

static int mlp_fit(const double *hp, const atoll_dataset *train, uint64_t seed, void **model,
                   atoll_fit_info *info)
{
    *model = NULL;
    info->epochs = 0.0;
    info->diverged = false;
    mlp_config c;
    config_read(hp, &c);
    mlp_trainer t;
    ATOLL_CALL(trainer_open(&t, &c, train, seed));
    mlp_model *m = t.model;
    double best = INFINITY;
    long waited = 0;
    bool diverged = false, saved = false;
    for (long epoch = 0; epoch < t.c.epochs; epoch++) {
        double loss = train_epoch(&t, (float)schedule_rate(&t.c, epoch));
        info->epochs = (double)(epoch + 1);
        if (!isfinite(loss)) {
            diverged = true;
            break;
        }
        if (t.c.patience == 0)
            continue;
        double held = held_loss(&t);
        if (!isfinite(held)) {
            diverged = true;
            break;
        }
        if (held < best - t.c.tol) {
            best = held;
            waited = 0;
            saved = true;
            memcpy(t.best_params, m->params, m->n_params * sizeof *m->params);
            if (m->n_stats)
                memcpy(t.best_stats, m->stats, m->n_stats * sizeof *m->stats);
        } else if (++waited >= t.c.patience) {
            break;
        }
    }
    if (!diverged && saved) {
        memcpy(m->params, t.best_params, m->n_params * sizeof *m->params);
        if (m->n_stats)
            memcpy(m->stats, t.best_stats, m->n_stats * sizeof *m->stats);
    }
    info->diverged = diverged || !model_finite(m);
    if (!info->diverged) {
        *model = m;
        t.model = NULL;
    }
    trainer_close(&t);
    return ATOLL_OK;
}

static int mlp_predict(const void *model, const float *x, size_t n, float *out)
{
    const mlp_model *m = model;
    if (n == 0)
        return ATOLL_OK;
    mlp_work w;
    ATOLL_CALL(work_alloc(m, n < MLP_EVAL_ROWS ? n : MLP_EVAL_ROWS, false, false, &w));
    size_t d = m->width[0], k = m->width[m->n_layers];
    for (size_t start = 0; start < n; start += w.cap) {
        size_t rows = n - start < w.cap ? n - start : w.cap;
        forward(m, &w, x + start * d, rows, false, 0.0, NULL);
        output_predict(m, w.z, rows, out + start * k);
    }
    work_free(&w);
    return ATOLL_OK;
}

static void mlp_destroy(void *model)
{
    model_destroy(model);
}

/* ---- gradient check ----------------------------------------------------------------------- */

/* The full-batch loss of the check: mean data loss plus 0.5 * decay * |W|^2. */
static double check_loss(mlp_trainer *t)
{
    mlp_model *m = t->model;
    mlp_work *w = &t->work;
    size_t n = t->data->n;
    forward(m, w, t->data->x, n, true, 0.0, NULL);
    double loss = output_loss(m, w->z, n, t->labels, t->targets, 0.0f) / (double)n;
    double squares = 0.0;
    for (size_t i = 0; i < m->n_weights; i++)
        squares += (double)m->params[i] * (double)m->params[i];
    return loss + 0.5 * t->c.weight_decay * squares;
}

/* Record (record) or compare with `pattern` which relu units of the last forward pass over
 * `rows` rows are active; false when one has crossed its kink since. Other activations have
 * no kinks. */
static bool same_kinks(const mlp_model *m, const mlp_work *w, size_t rows, unsigned char *pattern,
                       bool record)
{
    if (m->activation != ACT_RELU)
        return true;
    bool same = true;
    size_t k = 0;
    for (int l = 0; l + 1 < m->n_layers; l++)
        for (size_t i = 0; i < rows * m->width[l + 1]; i++, k++) {
            unsigned char on = w->act[l][i] > 0.0f;
            if (record)
                pattern[k] = on;
            same = same && pattern[k] == on;
        }
    return same;
}

int atoll_mlp_gradient_check(const double *hp, const atoll_dataset *data, uint64_t seed,
                             double *max_rel_error)
{
    mlp_config c;
    config_read(hp, &c);
    if (c.dropout > 0.0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "mlp gradient check: needs dropout 0");
    c.patience = 0;
    c.batch_size = data ? data->n : 1;
    mlp_trainer t;
    ATOLL_CALL(trainer_open(&t, &c, data, seed));
    mlp_model *m = t.model;
    mlp_work *w = &t.work;
    size_t n = data->n, units = 0;
    for (int l = 0; l + 1 < m->n_layers; l++)
        units += m->width[l + 1];
    float *analytic = malloc(m->n_params * sizeof *analytic);
    unsigned char *pattern = malloc(n * units);
    if (!analytic || !pattern) {
        free(analytic);
        free(pattern);
        trainer_close(&t);
        return ATOLL_NOMEM("mlp gradient check");
    }
    forward(m, w, data->x, n, true, 0.0, NULL);
    same_kinks(m, w, n, pattern, true);
    output_loss(m, w->z, n, t.labels, t.targets, 1.0f / (float)n);
    backward(m, w, data->x, n, false);
    float decay = (float)c.weight_decay;
    for (size_t i = 0; i < m->n_params; i++)
        analytic[i] = w->grad[i] + (i < m->n_weights ? decay * m->params[i] : 0.0f);

    /* Tensors in parameter order: the weight matrices, the bias vectors, then each batch-norm
     * scale and shift. A parameter whose perturbation moves a relu unit across its kink is
     * skipped: the loss has no derivative in between. */
    size_t bounds[2 * MLP_MAX_LAYERS + 2 * MLP_MAX_HIDDEN + 1], n_tensors = 0;
    for (int l = 0; l < m->n_layers; l++)
        bounds[n_tensors++] = m->w_off[l];
    for (int l = 0; l < m->n_layers; l++)
        bounds[n_tensors++] = m->b_off[l];
    size_t end = m->b_off[m->n_layers - 1] + m->width[m->n_layers];
    for (int l = 0; m->batch_norm && l + 1 < m->n_layers; l++) {
        bounds[n_tensors++] = m->gamma_off[l];
        bounds[n_tensors++] = m->beta_off[l];
        end = m->beta_off[l] + m->width[l + 1];
    }
    bounds[n_tensors] = end;
    double worst = 0.0;
    for (size_t k = 0; k < n_tensors; k++) {
        double largest = 0.0, error = 0.0;
        for (size_t i = bounds[k]; i < bounds[k + 1]; i++) {
            float kept = m->params[i], h = 1e-2f * fmaxf(1.0f, fabsf(kept));
            m->params[i] = kept + h;
            float up = m->params[i];
            double loss_up = check_loss(&t);
            bool smooth = same_kinks(m, w, n, pattern, false);
            m->params[i] = kept - h;
            float down = m->params[i];
            double loss_down = check_loss(&t);
            smooth = smooth && same_kinks(m, w, n, pattern, false);
            m->params[i] = kept;
            largest = fmax(largest, fabs((double)analytic[i]));
            if (smooth) {
                double numeric = (loss_up - loss_down) / ((double)up - (double)down);
                error = fmax(error, fabs((double)analytic[i] - numeric));
            }
        }
        worst = fmax(worst, largest > 0.0 ? error / largest : error);
    }
    *max_rel_error = worst;
    free(analytic);
    free(pattern);
    trainer_close(&t);
    return ATOLL_OK;
}

const atoll_model_type atoll_model_mlp = {
    .name = "mlp",
    .summary = "multilayer perceptron: relu/tanh/sigmoid hidden layers, softmax or linear "
               "output, sgd/momentum/nesterov/adam/rmsprop",
    .hparams = mlp_hparams,
    .classifies = true,
    .regresses = true,
    .fit = mlp_fit,
    .predict = mlp_predict,
    .destroy = mlp_destroy,
};
