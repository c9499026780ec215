/* mlp_layers.c - the multilayer perceptron's network: layout, forward and backward passes. */

/*
 * Fully connected hidden layers (relu, tanh or sigmoid) and a softmax output with
 * cross-entropy loss, or one linear output with half the squared error, differentiated by
 * backpropagation (D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by
 * back-propagating errors", Nature 323, 1986). Initialisation after K. He et al., "Delving deep
 * into rectifiers", ICCV 2015 (relu) and X. Glorot, Y. Bengio, AISTATS 2010 (tanh, sigmoid);
 * batch normalisation after S. Ioffe, C. Szegedy, ICML 2015; inverted dropout after
 * N. Srivastava et al., JMLR 15, 2014.
 *
 * Every matrix product goes to OpenBLAS through atoll_blas_sgemm (ml/blas.h: one cblas_sgemm,
 * or one per panel of columns where that lets OpenBLAS skip packing its operands); the input
 * layer's gradient with respect to its input is never formed. Hidden layers store their weights a row per input, the output layer
 * a row per output: OpenBLAS runs the narrow output layer's three products (10 outputs for
 * 256 inputs) a third faster that way round. The element-wise work is fused into single
 * passes (bias and activation; softmax, loss and its gradient; dropout, the activation's
 * derivative and the bias gradient), over fixed chunks of MLP_LANES floats;
 * the passes over every hidden unit of a batch are built for AVX2 too (MLP_CLONES).
 */
#include <gsl/gsl_cblas.h> /* the CBLAS interface; OpenBLAS implements it at link time (GSL's
                              * randist.h pulls this header in, and it clashes with cblas.h) */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ml/blas.h"
#include "ml/mlp_impl.h"

#define MLP_BN_EPS 1e-5f

/* n rounded up to whole MLP_LANES. */
static size_t lanes(size_t n)
{
    return (n + MLP_LANES - 1) / MLP_LANES * MLP_LANES;
}

/* ---- the network ---------------------------------------------------------------------- */

/* count floats (rounded up to whole MLP_LANES) aligned to MLP_LANES floats, which is a cache
 * line on x86-64: matrix products and vector loops run faster on aligned arrays. Zeroed when
 * `zero`. NULL when out of memory. */
float *atoll_mlp_floats(size_t count, bool zero)
{
    size_t bytes = lanes(count ? count : 1) * sizeof(float);
    float *p = aligned_alloc(MLP_LANES * sizeof(float), bytes);
    if (p && zero)
        memset(p, 0, bytes);
    return p;
}

void atoll_mlp_model_destroy(mlp_model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->stats);
    free(m);
}

/* Lay out and allocate an untrained network for d features and n_classes (0: one output). */
int atoll_mlp_model_create(const mlp_config *c, size_t d, int n_classes, mlp_model **out)
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
    m->params = atoll_mlp_floats(m->n_params, false);
    m->stats = stat ? malloc(stat * sizeof *m->stats) : NULL;
    if (!m->params || (stat && !m->stats)) {
        atoll_mlp_model_destroy(m);
        return ATOLL_NOMEM("mlp parameters");
    }
    *out = m;
    return ATOLL_OK;
}

/* Draw the initial weights (He-normal for relu, Glorot-uniform for tanh and sigmoid); biases
 * and batch-norm shifts 0, scales 1; running means 0 and variances 1. */
void atoll_mlp_model_init(mlp_model *m, gsl_rng *rng)
{
    memset(m->params, 0, m->n_params * sizeof *m->params);
    for (int l = 0; l < m->n_layers; l++) {
        size_t n_in = m->width[l], n_out = m->width[l + 1];
        double fan_in = (double)n_in, fan_out = (double)n_out;
        double sd = sqrt(2.0 / fan_in), limit = sqrt(6.0 / (fan_in + fan_out));
        float *w = m->params + m->w_off[l];
        bool output = l + 1 == m->n_layers;
        /* drawn input by input, output by output, whichever way the matrix is stored */
        for (size_t i = 0; i < n_in; i++)
            for (size_t j = 0; j < n_out; j++)
                w[output ? j * n_in + i : i * n_out + j] =
                    m->activation == ACT_RELU
                        ? (float)gsl_ran_gaussian_ziggurat(rng, sd)
                        : (float)((2.0 * gsl_rng_uniform(rng) - 1.0) * limit);
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
bool atoll_mlp_model_finite(const mlp_model *m)
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

void atoll_mlp_work_free(mlp_work *w)
{
    free(w->block);
    free(w->label);
    memset(w, 0, sizeof *w);
}

/* Allocate the buffers of passes over up to `cap` rows (see work_layout). */
int atoll_mlp_work_alloc(const mlp_model *m, size_t cap, bool train, bool dropout, mlp_work *w)
{
    memset(w, 0, sizeof *w);
    w->cap = cap;
    size_t floats = work_layout(m, w, cap, train, dropout, NULL);
    w->block = atoll_mlp_floats(floats, false);
    w->label = train ? malloc(cap * sizeof *w->label) : NULL;
    if (!w->block || (train && !w->label)) {
        atoll_mlp_work_free(w);
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
MLP_CLONES static void activate(float *a, size_t rows, size_t n, const float *scale,
                                const float *shift, int activation)
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
void atoll_mlp_forward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool train,
                       double dropout, gsl_rng *rng)
{
    const float *in = x;
    bool dropped = train && dropout > 0.0;
    for (int l = 0; l < m->n_layers; l++) {
        size_t n_in = m->width[l], n_out = m->width[l + 1];
        const float *weights = m->params + m->w_off[l];
        if (l + 1 == m->n_layers) { /* z = in W^T, W stored a row per output */
            atoll_blas_sgemm(false, true, rows, n_out, n_in, in, n_in, weights, n_in, w->z, n_out);
            break;
        }
        atoll_blas_sgemm(false, false, rows, n_out, n_in, in, n_in, weights, n_out, w->act[l], n_out);
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
double atoll_mlp_output_loss(const mlp_model *m, float *z, size_t rows, const int *label,
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
void atoll_mlp_output_predict(const mlp_model *m, const float *z, size_t rows, float *out)
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

/* d *= mask (when given) and the activation's derivative at outputs a, for count values. */
MLP_CLONES static void derivative(float *d, const float *a, const float *mask, int activation,
                                  size_t count)
{
    size_t i = 0;
    for (; i + MLP_LANES <= count; i += MLP_LANES)
        derivative_chunk(d + i, a + i, mask ? mask + i : NULL, activation, MLP_LANES);
    derivative_chunk(d + i, a + i, mask ? mask + i : NULL, activation, count - i);
}

/* derivative() over rows x n values, adding up each column of the result into sums[0..n) in
 * the same pass (the gradient of the layer's bias). */
MLP_CLONES static void derivative_sums(float *d, const float *a, const float *mask, int activation,
                                       size_t rows, size_t n, float *restrict sums)
{
    memset(sums, 0, n * sizeof *sums);
    for (size_t r = 0; r < rows; r++) {
        float *dr = d + r * n;
        const float *ar = a + r * n, *mr = mask ? mask + r * n : NULL;
        size_t j = 0;
        for (; j + MLP_LANES <= n; j += MLP_LANES) {
            derivative_chunk(dr + j, ar + j, mr ? mr + j : NULL, activation, MLP_LANES);
            for (size_t i = 0; i < MLP_LANES; i++)
                sums[j + i] += dr[j + i];
        }
        derivative_chunk(dr + j, ar + j, mr ? mr + j : NULL, activation, n - j);
        for (; j < n; j++)
            sums[j] += dr[j];
    }
}

/* d holds the gradient with respect to hidden layer l's output; take it back through dropout,
 * the activation and batch norm to the layer's linear part, writing the gradients of the
 * layer's bias (or batch-norm scale and shift). */
static void hidden_backward(const mlp_model *m, mlp_work *w, int l, float *d, size_t rows,
                            bool dropped)
{
    size_t n = m->width[l + 1];
    const float *mask = dropped ? w->mask[l] : NULL;
    if (!m->batch_norm) { /* and the bias gradient */
        derivative_sums(d, w->act[l], mask, m->activation, rows, n, w->grad + m->b_off[l]);
        return;
    }
    derivative(d, w->act[l], mask, m->activation, rows * n);
    batch_norm_backward(d, rows, n, w->xhat[l], w->inv_std[l], m->params + m->gamma_off[l],
                        w->ones, w->scale, w->grad + m->gamma_off[l], w->grad + m->beta_off[l]);
}

/* Backpropagate the output gradient in w->z through the last forward pass over `rows` rows
 * of x, writing every parameter's gradient to w->grad (weight decay not included). */
void atoll_mlp_backward(const mlp_model *m, mlp_work *w, const float *x, size_t rows, bool dropped)
{
    float *delta = w->z;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        size_t n_in = m->width[l], n_out = m->width[l + 1];
        const float *in = l > 0 ? hidden_output(w, l - 1, dropped) : x;
        const float *weights = m->params + m->w_off[l];
        bool output = l + 1 == m->n_layers;
        if (output) /* stored a row per output: dW = delta^T in */
            atoll_blas_sgemm(true, false, n_out, n_in, rows, delta, n_out, in, n_in,
                             w->grad + m->w_off[l], n_in);
        else /* stored a row per input: dW = in^T delta */
            atoll_blas_sgemm(true, false, n_in, n_out, rows, in, n_in, delta, n_out,
                             w->grad + m->w_off[l], n_out);
        if (output) /* a hidden layer's bias gradient comes with its derivative */
            cblas_sgemv(CblasRowMajor, CblasTrans, (int)rows, (int)n_out, 1.0f, delta, (int)n_out,
                        w->ones, 1, 0.0f, w->grad + m->b_off[l], 1);
        if (l == 0)
            break;
        float *next = delta == w->delta[0] ? w->delta[1] : w->delta[0];
        /* d in = delta W (W n_out x n_in) for the output layer, delta W^T (W n_in x n_out) for
         * a hidden one */
        atoll_blas_sgemm(false, !output, rows, n_in, n_out, delta, n_out, weights,
                         output ? n_in : n_out, next, n_in);
        hidden_backward(m, w, l - 1, next, rows, dropped);
        delta = next;
    }
}
