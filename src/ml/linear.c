/* linear.c - the "linear" model: logistic, softmax and elastic-net linear regression. */

/*
 * Two classes: logistic regression (one weight vector, sigmoid); more: softmax (multinomial
 * logistic) regression; regression: least squares. All minimise
 *     mean loss + l1 ||w||_1 + l2/2 ||w||^2
 * (the intercepts are not penalised), with the cross-entropy loss for classes and
 * 1/2 (y - x.w - b)^2 for regression, i.e. scikit-learn's ElasticNet objective
 * 1/(2n) ||y - Xw - b||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2 with
 * alpha l1_ratio = l1 and alpha (1 - l1_ratio) = l2.
 *
 * Solver sgd: shuffled mini-batch gradient descent at a constant learning rate (the batch
 * products through CBLAS sgemm / sgemv), the L1 term applied after every step as the
 * proximal soft threshold w <- sign(w) max(|w| - lr l1, 0) (J. Langford, L. Li, T. Zhang,
 * "Sparse Online Learning via Truncated Gradient", JMLR 10 (2009) 777-801). The objective is
 * evaluated over the whole set after every epoch: a NaN or infinite value stops the fit as
 * diverged, and a relative improvement in [0, tol) ends it early (a rising loss does not:
 * it is either noise or a step too large, which shows as divergence a few epochs later).
 *
 * Solver cd (regression only; a classifier falls back to sgd): cyclic coordinate descent on
 * centred features with soft thresholding, as sklearn.linear_model.ElasticNet does
 * (J. Friedman, T. Hastie, R. Tibshirani, "Regularization Paths for Generalized Linear
 * Models via Coordinate Descent", J. Stat. Softw. 33 (2010)); it stops when the largest
 * coefficient change of a pass falls below tol times the largest coefficient.
 *
 * A regression target is standardised before the fit and the model maps back. The
 * objective in standard units is the original one divided by the target's variance when l1
 * is divided by its standard deviation, so both solvers minimise the objective above in the
 * data's own units.
 */
#include "ml/linear.h"

#include <gsl/gsl_cblas.h> /* the CBLAS interface, implemented by OpenBLAS at link time */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* Rows per block when the objective is evaluated over the whole set. */
#define LINEAR_CHUNK 1024

enum { HP_L1, HP_L2, HP_LEARNING_RATE, HP_EPOCHS, HP_BATCH_SIZE, HP_SOLVER, HP_TOL };
enum { SOLVER_SGD = 0, SOLVER_CD = 1 };

static const atoll_hparam linear_hparams[] = {
    {"l1", ATOLL_HP_REAL, 0, 100, NULL, "0", "L1 penalty l1 ||w||_1 (lasso; with l2: elastic net)"},
    {"l2", ATOLL_HP_REAL, 0, 100, NULL, "0.0001", "L2 penalty l2/2 ||w||^2 (ridge)"},
    {"learning_rate", ATOLL_HP_REAL, 1e-7, 10, NULL, "0.01", "sgd step size"},
    {"epochs", ATOLL_HP_INT, 1, 100000, NULL, "100", "most passes over the data"},
    {"batch_size", ATOLL_HP_INT, 1, 1000000, NULL, "32", "sgd mini-batch size"},
    {"solver", ATOLL_HP_CHOICE, 0, 1, "sgd|cd", "sgd",
     "sgd: shuffled mini-batch gradient descent; cd: coordinate descent (regression only, "
     "a classifier uses sgd)"},
    {"tol", ATOLL_HP_REAL, 0, 1, NULL, "0.0001",
     "stop when an epoch improves the loss (sgd) or moves the coefficients (cd) by less, "
     "relatively; 0: run every epoch"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct {
    size_t d, k;   /* features; outputs: 1 (regression, two classes) or n_classes */
    int n_classes; /* 0: regression */
    float *w;      /* k x d */
    float *b;      /* k */
    double y_mean; /* regression: y = y_mean + y_scale (x.w + b) */
    double y_scale;
} linear_model;

/* The hyperparameters of one fit, the penalties in the units the fit works in. */
typedef struct {
    double l1, l2, learning_rate, tol;
    size_t epochs, batch;
} linear_params;

/* ---------------------------------------------------------------- the model */

static void linear_destroy(void *model)
{
    linear_model *lm = model;
    if (!lm)
        return;
    free(lm->w);
    free(lm->b);
    free(lm);
}

static int model_create(const atoll_dataset *train, linear_model **out)
{
    linear_model *lm = calloc(1, sizeof *lm);
    if (!lm)
        return ATOLL_NOMEM("a linear model");
    lm->d = train->d;
    lm->n_classes = train->n_classes;
    lm->k = train->n_classes > 2 ? (size_t)train->n_classes : 1;
    lm->w = calloc(lm->k * lm->d, sizeof *lm->w);
    lm->b = calloc(lm->k, sizeof *lm->b);
    lm->y_scale = 1.0;
    if (!lm->w || !lm->b) {
        linear_destroy(lm);
        return ATOLL_NOMEM("a linear model");
    }
    *out = lm;
    return ATOLL_OK;
}

size_t atoll_linear_outputs(const void *model)
{
    return ((const linear_model *)model)->k;
}

void atoll_linear_coefficients(const void *model, double *w, double *b)
{
    const linear_model *lm = model;
    for (size_t i = 0; i < lm->k * lm->d; i++)
        w[i] = lm->y_scale * (double)lm->w[i];
    for (size_t c = 0; c < lm->k; c++)
        b[c] = lm->y_mean + lm->y_scale * (double)lm->b[c];
}

/* z (rows x k) = x (rows x d) w^T + b. */
static void forward(const linear_model *lm, const float *x, size_t rows, float *z)
{
    int r = (int)rows, d = (int)lm->d, k = (int)lm->k;
    if (lm->k == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, r, d, 1.0f, x, d, lm->w, 1, 0.0f, z, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, k, d, 1.0f, x, d, lm->w, d, 0.0f, z,
                    k);
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < lm->k; c++)
            z[i * lm->k + c] += lm->b[c];
}

static float sigmoid(float z)
{
    if (z >= 0.0f)
        return 1.0f / (1.0f + expf(-z));
    float e = expf(z);
    return e / (1.0f + e);
}

/* Turn a row of k scores into softmax probabilities in place. */
static void softmax(float *z, size_t k)
{
    float top = z[0];
    for (size_t c = 1; c < k; c++)
        top = z[c] > top ? z[c] : top;
    float sum = 0.0f;
    for (size_t c = 0; c < k; c++) {
        z[c] = expf(z[c] - top);
        sum += z[c];
    }
    for (size_t c = 0; c < k; c++)
        z[c] /= sum;
}

static int linear_predict(const void *model, const float *x, size_t n, float *out)
{
    const linear_model *lm = model;
    forward(lm, x, n, out);
    if (lm->n_classes == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = (float)(lm->y_mean + lm->y_scale * (double)out[i]);
    } else if (lm->k == 1) {
        /* Spread one score per row into two probabilities, from the last row back. */
        for (size_t i = n; i-- > 0;) {
            float p = sigmoid(out[i]);
            out[2 * i] = 1.0f - p;
            out[2 * i + 1] = p;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            softmax(out + i * lm->k, lm->k);
    }
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- sgd */

/* What sgd works on: the targets, the batch buffers and the shuffled order. */
typedef struct {
    const atoll_dataset *train;
    const linear_params *par;
    int32_t *label; /* classification: each sample's class */
    float *target;  /* regression: each sample's standardised value */
    size_t *order;  /* the samples in this epoch's order */
    float *xb;      /* batch rows, batch x d */
    float *z;       /* scores, then loss gradients: max(batch, LINEAR_CHUNK) x k */
    gsl_rng *rng;
} sgd_work;

/* Sample i's loss from its scores z[0..k) and, when grad is not NULL, the loss gradient with
 * respect to the scores, written over z. */
static double sample_loss(const linear_model *lm, const sgd_work *w, size_t i, float *z, bool grad)
{
    if (lm->n_classes == 0) {
        double r = (double)z[0] - (double)w->target[i];
        if (grad)
            z[0] = (float)r;
        return 0.5 * r * r;
    }
    int32_t y = w->label[i];
    if (lm->k == 1) {
        double s = z[0];
        double loss = (s > 0.0 ? s : 0.0) - (double)y * s + log1p(exp(-fabs(s)));
        if (grad)
            z[0] = sigmoid(z[0]) - (float)y;
        return loss;
    }
    double top = z[0];
    for (size_t c = 1; c < lm->k; c++)
        top = z[c] > top ? z[c] : top;
    double sum = 0.0;
    for (size_t c = 0; c < lm->k; c++)
        sum += exp((double)z[c] - top);
    double loss = top + log(sum) - (double)z[y];
    if (grad) {
        softmax(z, lm->k);
        z[y] -= 1.0f;
    }
    return loss;
}

/* The penalised objective over the whole training set (NaN or infinite when diverged). */
static double objective(const linear_model *lm, sgd_work *w)
{
    const atoll_dataset *train = w->train;
    double loss = 0.0;
    for (size_t start = 0; start < train->n; start += LINEAR_CHUNK) {
        size_t rows = train->n - start < LINEAR_CHUNK ? train->n - start : LINEAR_CHUNK;
        forward(lm, train->x + start * train->d, rows, w->z);
        for (size_t i = 0; i < rows; i++)
            loss += sample_loss(lm, w, start + i, w->z + i * lm->k, false);
    }
    double l1 = 0.0, l2 = 0.0;
    for (size_t j = 0; j < lm->k * lm->d; j++) {
        l1 += fabs((double)lm->w[j]);
        l2 += (double)lm->w[j] * (double)lm->w[j];
    }
    return loss / (double)train->n + w->par->l1 * l1 + 0.5 * w->par->l2 * l2;
}

/* One gradient step on the rows order[0..rows). */
static void sgd_step(linear_model *lm, sgd_work *w, const size_t *order, size_t rows)
{
    size_t d = lm->d, k = lm->k;
    for (size_t i = 0; i < rows; i++)
        memcpy(w->xb + i * d, w->train->x + order[i] * d, d * sizeof *w->xb);
    forward(lm, w->xb, rows, w->z);
    for (size_t i = 0; i < rows; i++)
        sample_loss(lm, w, order[i], w->z + i * k, true);

    float lr = (float)w->par->learning_rate;
    float decay = (float)(1.0 - w->par->learning_rate * w->par->l2);
    float alpha = -lr / (float)rows;
    int r = (int)rows, di = (int)d, ki = (int)k;
    if (k == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, r, di, alpha, w->xb, di, w->z, 1, decay, lm->w, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ki, di, r, alpha, w->z, ki, w->xb, di,
                    decay, lm->w, di);
    for (size_t c = 0; c < k; c++) {
        double g = 0.0;
        for (size_t i = 0; i < rows; i++)
            g += w->z[i * k + c];
        lm->b[c] -= (float)(w->par->learning_rate * g / (double)rows);
    }
    if (w->par->l1 > 0.0) {
        float cut = (float)(w->par->learning_rate * w->par->l1);
        for (size_t j = 0; j < k * d; j++) {
            float v = lm->w[j];
            lm->w[j] = v > cut ? v - cut : v < -cut ? v + cut : 0.0f;
        }
    }
}

static void sgd_free(sgd_work *w)
{
    free(w->label);
    free(w->target);
    free(w->order);
    free(w->xb);
    free(w->z);
    gsl_rng_free(w->rng);
}

/* Run sgd on lm (zero-initialised); *epochs gets the epochs run, *diverged whether the
 * objective became NaN or infinite. `target` holds standardised regression targets. */
static int fit_sgd(linear_model *lm, const atoll_dataset *train, const linear_params *par,
                   const float *target, uint64_t seed, double *epochs, bool *diverged)
{
    size_t n = train->n, batch = par->batch < n ? par->batch : n;
    size_t zrows = batch > LINEAR_CHUNK ? batch : LINEAR_CHUNK;
    int rc = ATOLL_OK;
    sgd_work w = {.train = train, .par = par};
    w.order = malloc(n * sizeof *w.order);
    w.xb = malloc(batch * train->d * sizeof *w.xb);
    w.z = malloc(zrows * lm->k * sizeof *w.z);
    w.rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, 0);
    if (lm->n_classes > 0)
        w.label = malloc(n * sizeof *w.label);
    else
        w.target = malloc(n * sizeof *w.target);
    if (!w.order || !w.xb || !w.z || !w.rng || (!w.label && !w.target)) {
        rc = ATOLL_NOMEM("the linear model workspace");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        w.order[i] = i;
        if (lm->n_classes > 0)
            w.label[i] = (int32_t)train->y[i];
        else
            w.target[i] = target[i];
    }

    double last = objective(lm, &w);
    *epochs = 0.0;
    *diverged = false;
    for (size_t epoch = 0; epoch < par->epochs; epoch++) {
        gsl_ran_shuffle(w.rng, w.order, n, sizeof *w.order);
        for (size_t start = 0; start < n; start += batch)
            sgd_step(lm, &w, w.order + start, n - start < batch ? n - start : batch);
        double now = objective(lm, &w);
        *epochs = (double)(epoch + 1);
        if (!isfinite(now)) {
            *diverged = true;
            break;
        }
        /* A rising loss is no convergence: too large a step, or noise; go on. */
        double gain = last - now;
        if (par->tol > 0.0 && gain >= 0.0 && gain < par->tol * fabs(last))
            break;
        last = now;
    }
done:
    sgd_free(&w);
    return rc;
}

/* ---------------------------------------------------------------- coordinate descent */

/* Run cyclic coordinate descent on a regression; see the file comment. */
static int fit_cd(linear_model *lm, const atoll_dataset *train, const linear_params *par,
                  const float *target, double *epochs, bool *diverged)
{
    size_t n = train->n, d = train->d;
    int rc = ATOLL_OK;
    double *xc = malloc(n * d * sizeof *xc); /* centred features, column by column */
    double *mean = calloc(d, sizeof *mean);
    double *norm = malloc(d * sizeof *norm);
    double *coef = calloc(d, sizeof *coef);
    double *resid = malloc(n * sizeof *resid);
    if (!xc || !mean || !norm || !coef || !resid) {
        rc = ATOLL_NOMEM("the coordinate descent workspace");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += train->x[i * d + j];
    for (size_t j = 0; j < d; j++) {
        mean[j] /= (double)n;
        for (size_t i = 0; i < n; i++)
            xc[j * n + i] = (double)train->x[i * d + j] - mean[j];
        norm[j] = cblas_ddot((int)n, xc + j * n, 1, xc + j * n, 1);
    }
    double y_mean = 0.0; /* 0 but for rounding: the targets are standardised */
    for (size_t i = 0; i < n; i++)
        y_mean += target[i];
    y_mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        resid[i] = (double)target[i] - y_mean; /* the coefficients start at 0 */

    double l1 = par->l1 * (double)n, l2 = par->l2 * (double)n;
    *epochs = 0.0;
    for (size_t epoch = 0; epoch < par->epochs; epoch++) {
        double step = 0.0, largest = 0.0;
        for (size_t j = 0; j < d; j++) {
            const double *col = xc + j * n;
            if (norm[j] == 0.0)
                continue;
            double rho = cblas_ddot((int)n, col, 1, resid, 1) + coef[j] * norm[j];
            double next = rho > l1 ? rho - l1 : rho < -l1 ? rho + l1 : 0.0;
            next /= norm[j] + l2;
            double change = next - coef[j];
            if (change != 0.0)
                cblas_daxpy((int)n, -change, col, 1, resid, 1);
            coef[j] = next;
            step = fabs(change) > step ? fabs(change) : step;
            largest = fabs(next) > largest ? fabs(next) : largest;
        }
        *epochs = (double)(epoch + 1);
        if (!isfinite(step) || !isfinite(largest)) {
            *diverged = true;
            break;
        }
        if (par->tol > 0.0 && step <= par->tol * largest)
            break;
    }
    double intercept = y_mean;
    for (size_t j = 0; j < d; j++) {
        lm->w[j] = (float)coef[j];
        intercept -= mean[j] * coef[j];
    }
    lm->b[0] = (float)intercept;
    *diverged = *diverged || !isfinite(intercept);
done:
    free(xc);
    free(mean);
    free(norm);
    free(coef);
    free(resid);
    return rc;
}

/* ---------------------------------------------------------------- fit */

static int linear_fit(const double *hp, const atoll_dataset *train, uint64_t seed, void **model,
                      atoll_fit_info *info)
{
    *model = NULL;
    info->epochs = 0.0;
    info->diverged = false;
    if (train->n == 0 || train->d == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "linear: the training set has %zu samples of %zu features", train->n,
                           train->d);
    if (train->n > INT32_MAX || train->d > INT32_MAX / 2)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "linear: the training set is too large (%zu x %zu)",
                           train->n, train->d);
    for (size_t i = 0; i < train->n && train->n_classes > 0; i++) {
        float y = train->y[i];
        if (!(y >= 0.0f && y < (float)train->n_classes && y == floorf(y)))
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "linear: label %g of sample %zu is not a class index in [0, %d)",
                               (double)y, i + 1, train->n_classes);
    }
    linear_params par = {
        .l1 = hp[HP_L1],
        .l2 = hp[HP_L2],
        .learning_rate = hp[HP_LEARNING_RATE],
        .tol = hp[HP_TOL],
        .epochs = (size_t)hp[HP_EPOCHS],
        .batch = (size_t)hp[HP_BATCH_SIZE],
    };
    linear_model *lm = NULL;
    float *target = NULL;
    int rc = ATOLL_OK;
    ATOLL_CALL_GOTO(rc, model_create(train, &lm));
    if (train->n_classes == 0) {
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < train->n; i++)
            mean += train->y[i];
        mean /= (double)train->n;
        for (size_t i = 0; i < train->n; i++)
            var += ((double)train->y[i] - mean) * ((double)train->y[i] - mean);
        double sd = sqrt(var / (double)train->n);
        lm->y_mean = mean;
        lm->y_scale = sd > 0.0 && isfinite(sd) ? sd : 1.0;
        par.l1 /= lm->y_scale;
        target = malloc(train->n * sizeof *target);
        if (!target) {
            rc = ATOLL_NOMEM("the standardised targets");
            goto fail;
        }
        for (size_t i = 0; i < train->n; i++)
            target[i] = (float)(((double)train->y[i] - mean) / lm->y_scale);
    }
    bool diverged = false;
    if (hp[HP_SOLVER] == SOLVER_CD && train->n_classes == 0)
        ATOLL_CALL_GOTO(rc, fit_cd(lm, train, &par, target, &info->epochs, &diverged));
    else
        ATOLL_CALL_GOTO(rc, fit_sgd(lm, train, &par, target, seed, &info->epochs, &diverged));
    free(target);
    if (diverged) {
        info->diverged = true;
        linear_destroy(lm);
        return ATOLL_OK;
    }
    *model = lm;
    return ATOLL_OK;
fail:
    free(target);
    linear_destroy(lm);
    return rc;
}

/* The linear model's type table, registered in model.c. */
const atoll_model_type atoll_model_linear = {
    .name = "linear",
    .summary = "logistic / softmax regression and elastic-net linear regression (sgd or cd)",
    .hparams = linear_hparams,
    .classifies = true,
    .regresses = true,
    .fit = linear_fit,
    .predict = linear_predict,
    .destroy = linear_destroy,
};
