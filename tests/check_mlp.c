/* check_mlp.c - unit tests of the multilayer perceptron model (suite "mlp"). */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ml/blas.h"
#include "ml/dataset.h"
#include "ml/mlp.h"
#include "ml/model.h"
#include "ml_support.h"

#define MAX_HP 64

/*
 * The gradient check's bound on max |analytic - numeric| / max |analytic| per tensor. The
 * check perturbs each parameter by 1e-2 * max(1, |p|) in float (skipping a relu kink).
 * Measured over the cases below: at most 2.4e-3 (tanh, 3 layers, batch norm). Broken
 * backward passes measured against it: dropping the activation's derivative gives 0.41 and
 * more in every case, a doubled weight-decay term 0.042 and more wherever decay is on,
 * dropping the xhat term of the batch-norm backward pass 0.13 and more wherever it is on.
 */
#define GRADIENT_TOL 1e-2

static const atoll_model_type *const mlp = &atoll_model_mlp;

/* ---- hyperparameters ---------------------------------------------------------------------- */

static long hp_index(const char *name)
{
    for (long i = 0; mlp->hparams[i].name; i++)
        if (strcmp(mlp->hparams[i].name, name) == 0)
            return i;
    ck_abort_msg("no hyperparameter %s", name);
    return -1;
}

/* The position of `name` in a '|'-separated list, or -1. */
static long choice_index(const char *choices, const char *name)
{
    size_t len = strlen(name);
    long k = 0;
    for (const char *p = choices; p; k++) {
        if (strncmp(p, name, len) == 0 && (p[len] == '|' || p[len] == '\0'))
            return k;
        p = strchr(p, '|');
        p = p ? p + 1 : NULL;
    }
    return -1;
}

/* Fill hp with the table's defaults, parsed here (model.c is not linked into this test). */
static void hp_defaults(double *hp)
{
    for (long i = 0; mlp->hparams[i].name; i++) {
        const atoll_hparam *h = &mlp->hparams[i];
        if (h->kind == ATOLL_HP_CHOICE) {
            hp[i] = (double)choice_index(h->choices, h->def);
        } else {
            char *end = NULL;
            hp[i] = strtod(h->def, &end);
            ck_assert_msg(*end == '\0', "default of %s: '%s'", h->name, h->def);
        }
    }
}

static void hp_set(double *hp, const char *name, double value)
{
    hp[hp_index(name)] = value;
}

static void hp_choose(double *hp, const char *name, const char *choice)
{
    long i = hp_index(name), k = choice_index(mlp->hparams[i].choices, choice);
    ck_assert_msg(k >= 0, "%s: no choice %s", name, choice);
    hp[i] = (double)k;
}

/* ---- data ----------------------------------------------------------------------------------- */

/* k Gaussian blobs in d dimensions: centroids N(0, spread^2), unit-variance samples around
 * them, classes taking turns. */
static atoll_dataset blobs(size_t n, size_t d, int k, double spread, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double *centre = malloc((size_t)k * d * sizeof *centre);
    ck_assert_ptr_nonnull(centre);
    for (size_t i = 0; i < (size_t)k * d; i++)
        centre[i] = gsl_ran_gaussian(rng, spread);
    atoll_dataset ds = zeroed_dataset(n, d, k);
    for (size_t i = 0; i < n; i++) {
        size_t c = i % (size_t)k;
        ds.y[i] = (float)c;
        for (size_t j = 0; j < d; j++)
            ds.x[i * d + j] = (float)(centre[c * d + j] + gsl_ran_gaussian(rng, 1.0));
    }
    free(centre);
    gsl_rng_free(rng);
    return ds;
}

/* y = 3 + 2 x.w + N(0, noise^2) with x ~ N(0, scale^2) and w ~ N(0, 1), the same w for every
 * seed. */
static atoll_dataset linear(size_t n, size_t d, double scale, double noise, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 99);
    double w[16];
    ck_assert(d <= 16);
    for (size_t j = 0; j < d; j++)
        w[j] = gsl_ran_gaussian(rng, 1.0);
    gsl_rng_set(rng, seed);
    atoll_dataset ds = zeroed_dataset(n, d, 0);
    for (size_t i = 0; i < n; i++) {
        double y = 3.0;
        for (size_t j = 0; j < d; j++) {
            double x = gsl_ran_gaussian(rng, scale);
            ds.x[i * d + j] = (float)x;
            y += 2.0 * x * w[j];
        }
        ds.y[i] = (float)(y + gsl_ran_gaussian(rng, noise));
    }
    gsl_rng_free(rng);
    return ds;
}

/* ---- fitting and scoring -------------------------------------------------------------------- */

/* Fit, expecting success without divergence. */
static void *fit_ok(const double *hp, const atoll_dataset *ds, uint64_t seed, atoll_fit_info *info)
{
    void *model = NULL;
    atoll_fit_info local;
    info = info ? info : &local;
    int rc = mlp->fit(hp, ds, seed, &model, info);
    ck_assert_msg(rc == ATOLL_OK, "fit: %s", atoll_error_message());
    ck_assert_msg(!info->diverged, "fit diverged");
    ck_assert_ptr_nonnull(model);
    return model;
}

/* Predictions for every row of ds (n x n_classes, or n values); free them. */
static float *predict_all(const void *model, const atoll_dataset *ds)
{
    size_t k = ds->n_classes > 0 ? (size_t)ds->n_classes : 1;
    float *out = malloc(ds->n * k * sizeof *out);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(mlp->predict(model, ds->x, ds->n, out), ATOLL_OK);
    return out;
}

static double accuracy(const void *model, const atoll_dataset *ds)
{
    float *p = predict_all(model, ds);
    size_t k = (size_t)ds->n_classes, right = 0;
    for (size_t i = 0; i < ds->n; i++) {
        size_t best = 0;
        double total = 0.0;
        for (size_t j = 0; j < k; j++) {
            ck_assert(p[i * k + j] >= 0.0f && p[i * k + j] <= 1.0f);
            total += p[i * k + j];
            best = p[i * k + j] > p[i * k + best] ? j : best;
        }
        ck_assert_msg(fabs(total - 1.0) < 1e-4, "row %zu: probabilities sum to %g", i, total);
        right += best == (size_t)ds->y[i];
    }
    free(p);
    return (double)right / (double)ds->n;
}

static double log_loss(const void *model, const atoll_dataset *ds)
{
    float *p = predict_all(model, ds);
    size_t k = (size_t)ds->n_classes;
    double loss = 0.0;
    for (size_t i = 0; i < ds->n; i++)
        loss -= log(fmax(p[i * k + (size_t)ds->y[i]], 1e-15));
    free(p);
    return loss / (double)ds->n;
}

static double r_squared(const void *model, const atoll_dataset *ds)
{
    float *p = predict_all(model, ds);
    double mean = 0.0, residual = 0.0, total = 0.0;
    for (size_t i = 0; i < ds->n; i++)
        mean += ds->y[i] / (double)ds->n;
    for (size_t i = 0; i < ds->n; i++) {
        residual += pow(ds->y[i] - p[i], 2);
        total += pow(ds->y[i] - mean, 2);
    }
    free(p);
    return 1.0 - residual / total;
}

/* ---- tests ---------------------------------------------------------------------------------- */

START_TEST(test_mlp_table)
{
    /* The table as specified: name, kind, range or choices, default. */
    static const struct {
        const char *name;
        atoll_hp_kind kind;
        double low, high;
        const char *choices, *def;
    } want[] = {
        {"layers", ATOLL_HP_INT, 1, 4, NULL, "1"},
        {"units", ATOLL_HP_INT, 1, 8192, NULL, "64"},
        {"units1", ATOLL_HP_INT, 0, 8192, NULL, "0"},
        {"units2", ATOLL_HP_INT, 0, 8192, NULL, "0"},
        {"units3", ATOLL_HP_INT, 0, 8192, NULL, "0"},
        {"units4", ATOLL_HP_INT, 0, 8192, NULL, "0"},
        {"activation", ATOLL_HP_CHOICE, 0, 0, "relu|tanh|sigmoid", "relu"},
        {"optimizer", ATOLL_HP_CHOICE, 0, 0, "sgd|momentum|nesterov|adam|rmsprop", "adam"},
        {"learning_rate", ATOLL_HP_REAL, 1e-7, 10, NULL, "0.001"},
        {"momentum", ATOLL_HP_REAL, 0, 0.999, NULL, "0.9"},
        {"rho", ATOLL_HP_REAL, 0, 0.9999, NULL, "0.9"},
        {"beta1", ATOLL_HP_REAL, 0, 0.9999, NULL, "0.9"},
        {"beta2", ATOLL_HP_REAL, 0, 0.99999, NULL, "0.999"},
        {"epsilon", ATOLL_HP_REAL, 1e-12, 1, NULL, "1e-8"},
        {"lr_schedule", ATOLL_HP_CHOICE, 0, 0, "constant|step|exponential|cosine", "constant"},
        {"lr_decay", ATOLL_HP_REAL, 0, 1, NULL, "0.5"},
        {"lr_step", ATOLL_HP_INT, 1, 100000, NULL, "10"},
        {"lr_gamma", ATOLL_HP_REAL, 0, 1, NULL, "0.95"},
        {"lr_min", ATOLL_HP_REAL, 0, 10, NULL, "0"},
        {"batch_size", ATOLL_HP_INT, 1, 1000000, NULL, "32"},
        {"epochs", ATOLL_HP_INT, 1, 100000, NULL, "20"},
        {"weight_decay", ATOLL_HP_REAL, 0, 10, NULL, "0"},
        {"dropout", ATOLL_HP_REAL, 0, 0.95, NULL, "0"},
        {"batch_norm", ATOLL_HP_CHOICE, 0, 0, "off|on", "off"},
        {"early_stopping", ATOLL_HP_INT, 0, 100000, NULL, "0"},
        {"validation_fraction", ATOLL_HP_REAL, 0.01, 0.5, NULL, "0.1"},
        {"tol", ATOLL_HP_REAL, 0, 1, NULL, "0"},
    };
    size_t n = sizeof want / sizeof want[0];
    ck_assert_str_eq(mlp->name, "mlp");
    ck_assert(mlp->classifies && mlp->regresses);
    ck_assert(mlp->summary && *mlp->summary);
    for (size_t i = 0; i < n; i++) {
        const atoll_hparam *h = &mlp->hparams[i];
        ck_assert_ptr_nonnull(h->name);
        ck_assert_str_eq(h->name, want[i].name);
        ck_assert_msg(h->kind == want[i].kind, "%s: kind", h->name);
        ck_assert_str_eq(h->def, want[i].def);
        ck_assert_msg(h->doc && *h->doc, "%s: no doc", h->name);
        if (h->kind == ATOLL_HP_CHOICE) {
            ck_assert_str_eq(h->choices, want[i].choices);
        } else {
            ck_assert_msg(h->low == want[i].low && h->high == want[i].high && !h->choices,
                          "%s: range [%g, %g]", h->name, h->low, h->high);
            double v = strtod(h->def, NULL);
            ck_assert(v >= h->low && v <= h->high);
        }
    }
    ck_assert_ptr_null(mlp->hparams[n].name);
    mlp->destroy(NULL);
}
END_TEST

START_TEST(test_mlp_gradient)
{
    static const char *const activations[] = {"relu", "tanh", "sigmoid"};
    atoll_dataset classes = blobs(24, 5, 3, 1.0, 11);
    atoll_dataset values = linear(24, 5, 1.0, 0.5, 12);
    double hp[MAX_HP], worst = 0.0;
    for (size_t a = 0; a < 3; a++)
        for (int layers = 1; layers <= 3; layers++)
            for (int task = 0; task < 2; task++)
                for (int variant = 0; variant < 3; variant++) {
                    /* 0: plain, 1: weight decay, 2: weight decay and batch norm */
                    hp_defaults(hp);
                    hp_choose(hp, "activation", activations[a]);
                    hp_set(hp, "layers", layers);
                    hp_set(hp, "units", 6);
                    hp_set(hp, "units2", 4);
                    hp_set(hp, "weight_decay", variant > 0 ? 0.05 : 0.0);
                    hp_choose(hp, "batch_norm", variant == 2 ? "on" : "off");
                    double error = -1.0;
                    const atoll_dataset *ds = task ? &values : &classes;
                    uint64_t seed = (uint64_t)(100 * a + 10 * layers + 3 * task + variant);
                    ck_assert_int_eq(atoll_mlp_gradient_check(hp, ds, seed, &error), ATOLL_OK);
                    ck_assert_msg(error >= 0.0 && error < GRADIENT_TOL,
                                  "%s, %d layers, %s, variant %d: relative error %g",
                                  activations[a], layers, task ? "regression" : "classification",
                                  variant, error);
                    worst = fmax(worst, error);
                }
    printf("mlp gradient check: worst relative error %.3g (bound %g)\n", worst, GRADIENT_TOL);

    /* Dropout is random: outside the check. */
    double error;
    hp_defaults(hp);
    hp_set(hp, "dropout", 0.5);
    ck_assert_int_eq(atoll_mlp_gradient_check(hp, &classes, 1, &error), ATOLL_ERR_USAGE);
    atoll_dataset_free(&classes);
    atoll_dataset_free(&values);
}
END_TEST

START_TEST(test_mlp_seed)
{
    atoll_dataset ds = blobs(300, 6, 3, 1.5, 5);
    double hp[MAX_HP];
    for (int variant = 0; variant < 2; variant++) {
        hp_defaults(hp);
        hp_set(hp, "epochs", 8);
        if (variant) { /* every random stream: init, shuffle, dropout, held-out split */
            hp_set(hp, "layers", 2);
            hp_set(hp, "dropout", 0.2);
            hp_choose(hp, "batch_norm", "on");
            hp_set(hp, "early_stopping", 3);
        }
        void *a = fit_ok(hp, &ds, 7, NULL), *b = fit_ok(hp, &ds, 7, NULL);
        void *c = fit_ok(hp, &ds, 8, NULL);
        float *pa = predict_all(a, &ds), *pb = predict_all(b, &ds), *pc = predict_all(c, &ds);
        size_t bytes = ds.n * 3 * sizeof *pa;
        ck_assert_msg(memcmp(pa, pb, bytes) == 0, "variant %d: same seed, other model", variant);
        ck_assert_msg(memcmp(pa, pc, bytes) != 0, "variant %d: other seed, same model", variant);
        free(pa);
        free(pb);
        free(pc);
        mlp->destroy(a);
        mlp->destroy(b);
        mlp->destroy(c);
    }
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_mlp_separable)
{
    atoll_dataset ds = blobs(400, 4, 2, 4.0, 3);
    double hp[MAX_HP];
    hp_defaults(hp);
    atoll_fit_info info;
    void *model = fit_ok(hp, &ds, 1, &info);
    ck_assert(info.epochs == 20.0);
    double acc = accuracy(model, &ds);
    ck_assert_msg(acc > 0.95, "training accuracy %g", acc);
    mlp->destroy(model);

    /* Wider and deeper, each layer its own width; batch larger than the data. */
    hp_set(hp, "layers", 4);
    hp_set(hp, "units1", 3);
    hp_set(hp, "units3", 9);
    hp_set(hp, "units4", 2);
    hp_set(hp, "units", 17);
    hp_set(hp, "batch_size", 100000);
    hp_set(hp, "learning_rate", 0.03);
    hp_set(hp, "epochs", 200);
    model = fit_ok(hp, &ds, 2, &info);
    acc = accuracy(model, &ds);
    ck_assert_msg(acc > 0.95, "4 layers: training accuracy %g", acc);
    mlp->destroy(model);
    atoll_dataset_free(&ds);
}
END_TEST

/* The validation accuracy of an MLP with hyperparameters hp trained (fit seed 1) on the digits
 * split of seed 2025. */
static double digits_accuracy(const double *hp)
{
    atoll_dataset train, valid;
    digits_split(2025, &train, &valid);
    atoll_fit_info info;
    void *model = fit_ok(hp, &train, 1, &info);
    double acc = accuracy(model, &valid);
    mlp->destroy(model);
    atoll_dataset_free(&train);
    atoll_dataset_free(&valid);
    return acc;
}

START_TEST(test_mlp_digits)
{
    double hp[MAX_HP];
    hp_defaults(hp);
    hp_set(hp, "units", 128);
    hp_set(hp, "epochs", 30);
    double acc = digits_accuracy(hp);
    printf("mlp digits: 64-128-10 relu adam, 30 epochs: validation accuracy %.4f\n", acc);
    /* 0.961 to 0.986 over four splits and eight seeds, with 64 or 128 units. */
    ck_assert_msg(acc >= 0.96, "digits validation accuracy %g", acc);
}
END_TEST

START_TEST(test_mlp_panels)
{
    /* Training with every product that can go in column panels going in them, wherever this
     * runs (ml/blas.h): a 64-256-256-10 network at batch 32 splits its second layer's
     * forward product and weight gradient into panels of 112 columns and its gradient with
     * respect to the first layer's output into panels of 32. */
    atoll_blas_force_small(1);
    ck_assert_uint_eq(atoll_blas_panel(false, false, 32, 256, 256), 112);
    ck_assert_uint_eq(atoll_blas_panel(true, false, 256, 256, 32), 112);
    ck_assert_uint_eq(atoll_blas_panel(false, true, 32, 256, 256), 32);
    double hp[MAX_HP];
    hp_defaults(hp);
    hp_set(hp, "layers", 2);
    hp_set(hp, "units", 256);
    hp_set(hp, "units2", 256);
    hp_set(hp, "epochs", 20);
    double acc = digits_accuracy(hp);
    atoll_blas_force_small(-1);
    printf("mlp digits, products in column panels: 64-256-256-10, validation accuracy %.4f\n", acc);
    ck_assert_msg(acc >= 0.96, "digits validation accuracy %g", acc);
}
END_TEST

START_TEST(test_mlp_early_stopping)
{
    /* Two close blobs, a fifth of the labels flipped, a wide network: the held-out loss falls
     * for a few epochs, then rises as the noise is memorised. */
    atoll_dataset ds = blobs(200, 10, 2, 0.7, 4);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 4357);
    for (size_t i = 0; i < ds.n; i++)
        if (gsl_rng_uniform(rng) < 0.2)
            ds.y[i] = 1.0f - ds.y[i];
    gsl_rng_free(rng);

    double hp[MAX_HP];
    hp_defaults(hp);
    hp_set(hp, "units", 256);
    hp_set(hp, "learning_rate", 0.003);
    hp_set(hp, "epochs", 300);
    hp_set(hp, "early_stopping", 5);
    hp_set(hp, "validation_fraction", 0.25);
    atoll_fit_info info;
    void *stopped = fit_ok(hp, &ds, 1, &info);
    ck_assert_msg(info.epochs > 6.0 && info.epochs < 300.0, "ran %g epochs", info.epochs);

    /* The weights kept are those of the best epoch, 5 before the last: a fit that ends
     * there gives the same model. */
    double best_epoch = info.epochs - 5.0;
    hp_set(hp, "epochs", best_epoch);
    void *shorter = fit_ok(hp, &ds, 1, &info);
    ck_assert(info.epochs == best_epoch);
    float *p = predict_all(stopped, &ds), *q = predict_all(shorter, &ds);
    ck_assert(memcmp(p, q, ds.n * 2 * sizeof *p) == 0);
    free(p);
    free(q);
    mlp->destroy(stopped);
    mlp->destroy(shorter);

    /* With tol 1 nothing after the first epoch counts as better: 1 + patience epochs. */
    hp_set(hp, "epochs", 300);
    hp_set(hp, "early_stopping", 3);
    hp_set(hp, "tol", 1.0);
    mlp->destroy(fit_ok(hp, &ds, 1, &info));
    ck_assert(info.epochs == 4.0);

    /* Without early stopping every epoch runs. */
    hp_set(hp, "early_stopping", 0);
    hp_set(hp, "epochs", 12);
    mlp->destroy(fit_ok(hp, &ds, 1, &info));
    ck_assert(info.epochs == 12.0);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_mlp_optimizers)
{
    static const struct {
        const char *name;
        double learning_rate;
    } optimizers[] = {
        {"sgd", 0.05}, {"momentum", 0.01}, {"nesterov", 0.01}, {"adam", 0.003}, {"rmsprop", 0.002}};
    static const char *const schedules[] = {"constant", "step", "exponential", "cosine"};
    atoll_dataset ds = blobs(150, 5, 3, 1.5, 21);
    double hp[MAX_HP];
    for (size_t o = 0; o < 5; o++)
        for (size_t s = 0; s < 4; s++) {
            hp_defaults(hp);
            hp_choose(hp, "optimizer", optimizers[o].name);
            hp_set(hp, "learning_rate", optimizers[o].learning_rate);
            hp_choose(hp, "lr_schedule", schedules[s]);
            hp_set(hp, "lr_step", 4);
            hp_set(hp, "lr_gamma", 0.9);
            hp_set(hp, "lr_min", 1e-4);
            hp_set(hp, "weight_decay", 1e-4);
            hp_set(hp, "units", 16);
            hp_set(hp, "batch_size", 16);
            hp_set(hp, "epochs", 1);
            void *early = fit_ok(hp, &ds, 9, NULL);
            hp_set(hp, "epochs", 15);
            void *late = fit_ok(hp, &ds, 9, NULL);
            double before = log_loss(early, &ds), after = log_loss(late, &ds);
            ck_assert_msg(after < 0.9 * before, "%s, %s: loss %g after 1 epoch, %g after 15",
                          optimizers[o].name, schedules[s], before, after);
            mlp->destroy(early);
            mlp->destroy(late);
        }
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_mlp_batch_norm_dropout)
{
    atoll_dataset ds = blobs(400, 8, 4, 1.0, 31); /* plain relu: 0.97 */
    static const struct {
        const char *activation;
        int layers;
        bool batch_norm;
        double dropout;
    } cases[] = {{"relu", 1, true, 0.0},
                 {"relu", 2, false, 0.3},
                 {"relu", 2, true, 0.2},
                 {"tanh", 2, true, 0.0},
                 {"sigmoid", 1, true, 0.1}};
    double hp[MAX_HP];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hp_defaults(hp);
        hp_choose(hp, "activation", cases[c].activation);
        hp_set(hp, "layers", cases[c].layers);
        hp_choose(hp, "batch_norm", cases[c].batch_norm ? "on" : "off");
        hp_set(hp, "dropout", cases[c].dropout);
        hp_set(hp, "learning_rate", 0.005);
        void *model = fit_ok(hp, &ds, 5, NULL);
        double acc = accuracy(model, &ds);
        ck_assert_msg(acc > 0.9, "case %zu: training accuracy %g", c, acc);
        mlp->destroy(model);
    }
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_mlp_divergence)
{
    /* Unscaled inputs of size ~100 and plain sgd at learning rate 10. */
    atoll_dataset values = linear(200, 4, 100.0, 1.0, 41);
    atoll_dataset classes = blobs(200, 4, 3, 300.0, 42);
    const atoll_dataset *sets[] = {&values, &classes};
    double hp[MAX_HP];
    for (size_t s = 0; s < 2; s++) {
        hp_defaults(hp);
        hp_choose(hp, "optimizer", "sgd");
        hp_set(hp, "learning_rate", 10.0);
        hp_set(hp, "epochs", 50);
        void *model = (void *)&model;
        atoll_fit_info info = {.epochs = -1.0};
        ck_assert_int_eq(mlp->fit(hp, sets[s], 1, &model, &info), ATOLL_OK);
        ck_assert_msg(info.diverged, "set %zu did not diverge", s);
        ck_assert_ptr_null(model);
        ck_assert(info.epochs >= 1.0 && info.epochs <= 50.0);
    }
    atoll_dataset_free(&values);
    atoll_dataset_free(&classes);
}
END_TEST

START_TEST(test_mlp_regression)
{
    atoll_dataset train = linear(400, 5, 1.0, 0.3, 51), test = linear(200, 5, 1.0, 0.3, 52);
    double hp[MAX_HP];
    hp_defaults(hp);
    hp_set(hp, "units", 32);
    hp_set(hp, "learning_rate", 0.01);
    hp_set(hp, "epochs", 60);
    void *model = fit_ok(hp, &train, 1, NULL);
    double r2 = r_squared(model, &test);
    ck_assert_msg(r2 > 0.9, "R^2 %g", r2);
    mlp->destroy(model);

    /* A target far from 0 with a large spread: standardised inside, restored in predict. */
    for (size_t i = 0; i < train.n; i++)
        train.y[i] = 1000.0f + 50.0f * train.y[i];
    for (size_t i = 0; i < test.n; i++)
        test.y[i] = 1000.0f + 50.0f * test.y[i];
    hp_choose(hp, "activation", "tanh");
    model = fit_ok(hp, &train, 2, NULL);
    r2 = r_squared(model, &test);
    ck_assert_msg(r2 > 0.9, "shifted target: R^2 %g", r2);
    mlp->destroy(model);
    atoll_dataset_free(&train);
    atoll_dataset_free(&test);
}
END_TEST

START_TEST(test_mlp_bad_data)
{
    atoll_dataset ds = blobs(20, 3, 3, 1.0, 61);
    double hp[MAX_HP];
    hp_defaults(hp);
    void *model = NULL;
    atoll_fit_info info;
    ds.n_classes = 1;
    ck_assert_int_eq(mlp->fit(hp, &ds, 1, &model, &info), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(model);
    ds.n_classes = 3;
    ds.y[7] = 3.0f;
    ck_assert_int_eq(mlp->fit(hp, &ds, 1, &model, &info), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "mlp: sample 7: class 3 is not in 0..2");
    ds.y[7] = 0.5f;
    ck_assert_int_eq(mlp->fit(hp, &ds, 1, &model, &info), ATOLL_ERR_USAGE);
    ds.y[7] = 1.0f;
    size_t n = ds.n;
    ds.n = 0;
    ck_assert_int_eq(mlp->fit(hp, &ds, 1, &model, &info), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(model);

    /* One sample still fits (early stopping has nothing to hold out and stays off). */
    ds.n = 1;
    hp_set(hp, "early_stopping", 2);
    model = fit_ok(hp, &ds, 1, &info);
    ck_assert(info.epochs == 20.0);
    mlp->destroy(model);
    ds.n = n;
    atoll_dataset_free(&ds);
}
END_TEST

static Suite *mlp_suite(void)
{
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("mlp");
    tcase_add_test(tc, test_mlp_table);
    tcase_add_test(tc, test_mlp_gradient);
    tcase_add_test(tc, test_mlp_seed);
    tcase_add_test(tc, test_mlp_separable);
    tcase_add_test(tc, test_mlp_digits);
    tcase_add_test(tc, test_mlp_panels);
    tcase_add_test(tc, test_mlp_early_stopping);
    tcase_add_test(tc, test_mlp_optimizers);
    tcase_add_test(tc, test_mlp_batch_norm_dropout);
    tcase_add_test(tc, test_mlp_divergence);
    tcase_add_test(tc, test_mlp_regression);
    tcase_add_test(tc, test_mlp_bad_data);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *runner = srunner_create(mlp_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
