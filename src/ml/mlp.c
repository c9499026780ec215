/* mlp.c - the "mlp" model: a multilayer perceptron trained by mini-batch gradient descent. */

/*
 * Fully connected hidden layers (relu, tanh or sigmoid) and a softmax output with
 * cross-entropy loss for classification, or one linear output with half the squared error of
 * the standardised target for regression, trained by backpropagation with one of five
 * optimisers and four learning-rate schedules, optionally with batch normalisation, dropout,
 * weight decay and early stopping on a held-out share of the training data.
 *
 * This file reads the hyperparameters, prepares the data (targets, held-out split) and runs
 * the training loop; mlp_layers.c holds the network and its passes, mlp_optim.c the
 * optimisers, mlp_check.c the gradient check (see mlp_impl.h).
 *
 * Everything is float32 and row-major. Each mini-batch is gathered contiguously from a
 * shuffled index. Parameters, gradients and optimiser state are flat arrays holding every
 * weight matrix first, so that an optimiser step is two passes: the weights with decay, then
 * biases and batch-norm parameters without. All workspaces are allocated once per fit.
 */
#include "ml/mlp.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "ml/mlp_impl.h"

#define MLP_MAX_UNITS 8192
#define MLP_EVAL_ROWS 256 /* rows per forward pass when predicting or scoring held-out data */
#define MLP_BN_MOMENTUM 0.1f

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

/* Read a fit's configuration from hp (values of the hyperparameter table). */
void atoll_mlp_config_read(const double *hp, mlp_config *c)
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

void atoll_mlp_trainer_close(mlp_trainer *t)
{
    atoll_mlp_model_destroy(t->model);
    atoll_mlp_work_free(&t->work);
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
int atoll_mlp_trainer_open(mlp_trainer *t, const mlp_config *c, const atoll_dataset *data,
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
    ATOLL_CALL_GOTO(rc, atoll_mlp_model_create(&t->c, data->d, data->n_classes, &t->model));
    gsl_rng *init = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_INIT);
    t->shuffle_rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_SHUFFLE);
    t->dropout_rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, STREAM_DROPOUT);
    if (!init || !t->shuffle_rng || !t->dropout_rng) {
        gsl_rng_free(init);
        rc = ATOLL_NOMEM("mlp random streams");
        goto fail;
    }
    atoll_mlp_model_init(t->model, init);
    gsl_rng_free(init);
    if (t->targets)
        standardise_targets(t);

    size_t batch = t->c.batch_size < t->n_fit ? t->c.batch_size : t->n_fit;
    size_t eval = t->n_held < MLP_EVAL_ROWS ? t->n_held : MLP_EVAL_ROWS;
    t->c.batch_size = batch;
    ATOLL_CALL_GOTO(rc, atoll_mlp_work_alloc(t->model, batch > eval ? batch : eval, true,
                                             t->c.dropout > 0.0, &t->work));
    size_t n_params = t->model->n_params;
    bool velocity = t->c.optimizer == OPT_MOMENTUM || t->c.optimizer == OPT_NESTEROV ||
                    t->c.optimizer == OPT_ADAM;
    bool squares = t->c.optimizer == OPT_ADAM || t->c.optimizer == OPT_RMSPROP;
    t->state1 = velocity ? atoll_mlp_floats(n_params, true) : NULL;
    t->state2 = squares ? atoll_mlp_floats(n_params, true) : NULL;
    if ((velocity && !t->state1) || (squares && !t->state2)) {
        rc = ATOLL_NOMEM("mlp optimiser state");
        goto fail;
    }
    if (t->c.patience > 0) {
        size_t n_stats = t->model->n_stats;
        t->best_params = atoll_mlp_floats(n_params, false);
        t->best_stats = n_stats ? malloc(n_stats * sizeof *t->best_stats) : NULL;
        if (!t->best_params || (n_stats && !t->best_stats)) {
            rc = ATOLL_NOMEM("mlp best parameters");
            goto fail;
        }
        ATOLL_CALL_GOTO(rc, gather_held(t));
    }
    return ATOLL_OK;
fail:
    atoll_mlp_trainer_close(t);
    return rc;
}

/* Copy rows[0..count) of the data into the batch buffers, and start fetching next[0..ahead),
 * the rows of the batch after: the first and the last cache line of each, which also starts the
 * address translation of every page it spans. The rows of a batch are scattered over the data
 * set, and gathering them stalls on memory once per row unless they are on their way while the
 * batch before trains. (The prefetches stay beside the copies: GCC takes a function that only
 * prefetches for one without side effects and drops the calls to it.) */
static void gather_batch(mlp_trainer *t, const size_t *rows, size_t count, const size_t *next,
                         size_t ahead)
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
#if defined(__GNUC__)
    for (size_t i = 0; i < ahead; i++) {
        const float *row = t->data->x + next[i] * d;
        __builtin_prefetch(row, 0, 3);
        __builtin_prefetch(row + d - 1, 0, 3);
    }
#else
    (void)next;
    (void)ahead;
#endif
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
        size_t next = start + rows, ahead = t->n_fit - next;
        gather_batch(t, t->rows + start, rows, t->rows + next,
                     ahead < t->c.batch_size ? ahead : t->c.batch_size);
        atoll_mlp_forward(m, w, w->x, rows, true, t->c.dropout, t->dropout_rng);
        double loss = atoll_mlp_output_loss(m, w->z, rows, w->label, w->target, 1.0f / (float)rows);
        if (!isfinite(loss))
            return loss;
        total += loss;
        if (m->batch_norm)
            track_batch_norm(m, w, rows);
        atoll_mlp_backward(m, w, w->x, rows, dropped);
        t->step += 1.0;
        atoll_mlp_optimizer_step(&t->c, m->params, w->grad, t->state1, t->state2, m->n_weights, lr,
                                 decay, t->step);
        atoll_mlp_optimizer_step(&t->c, m->params + m->n_weights, w->grad + m->n_weights,
                                 t->state1 ? t->state1 + m->n_weights : NULL,
                                 t->state2 ? t->state2 + m->n_weights : NULL,
                                 m->n_params - m->n_weights, lr, 0.0f, t->step);
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
        atoll_mlp_forward(t->model, w, t->held_x + start * d, rows, false, 0.0, NULL);
        total += atoll_mlp_output_loss(t->model, w->z, rows, t->held_labels + start,
                                       t->held_targets + start, 0.0f);
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
    atoll_mlp_config_read(hp, &c);
    mlp_trainer t;
    ATOLL_CALL(atoll_mlp_trainer_open(&t, &c, train, seed));
    mlp_model *m = t.model;
    double best = INFINITY;
    long waited = 0;
    bool diverged = false, saved = false;
    for (long epoch = 0; epoch < t.c.epochs; epoch++) {
        double loss = train_epoch(&t, (float)atoll_mlp_schedule_rate(&t.c, epoch));
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
    info->diverged = diverged || !atoll_mlp_model_finite(m);
    if (!info->diverged) {
        *model = m;
        t.model = NULL;
    }
    atoll_mlp_trainer_close(&t);
    return ATOLL_OK;
}

static int mlp_predict(const void *model, const float *x, size_t n, float *out)
{
    const mlp_model *m = model;
    if (n == 0)
        return ATOLL_OK;
    mlp_work w;
    ATOLL_CALL(atoll_mlp_work_alloc(m, n < MLP_EVAL_ROWS ? n : MLP_EVAL_ROWS, false, false, &w));
    size_t d = m->width[0], k = m->width[m->n_layers];
    for (size_t start = 0; start < n; start += w.cap) {
        size_t rows = n - start < w.cap ? n - start : w.cap;
        atoll_mlp_forward(m, &w, x + start * d, rows, false, 0.0, NULL);
        atoll_mlp_output_predict(m, w.z, rows, out + start * k);
    }
    atoll_mlp_work_free(&w);
    return ATOLL_OK;
}

static void mlp_destroy(void *model)
{
    atoll_mlp_model_destroy(model);
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
