/* check_linear.c - unit tests of the linear model (suite "linear"). */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "ml/linear.h"
#include "ml_support.h"

enum { L1, L2, LEARNING_RATE, EPOCHS, BATCH_SIZE, SOLVER, TOL, N_HP };

/* The defaults of the table, as numbers (solver = sgd). */
static void defaults(double *hp)
{
    static const double def[N_HP] = {0, 0.0001, 0.01, 100, 32, 0, 0.0001};
    memcpy(hp, def, sizeof def);
}

/* Gaussian blobs of unit spread around centres[c] (2-D), classes in turn. */
static atoll_dataset blobs(size_t n, int classes, const double (*centres)[2], unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    atoll_dataset ds = zeroed_dataset(n, 2, classes);
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i % (size_t)classes);
        ds.x[2 * i] = (float)(centres[c][0] + gsl_ran_gaussian(rng, 1.0));
        ds.x[2 * i + 1] = (float)(centres[c][1] + gsl_ran_gaussian(rng, 1.0));
        ds.y[i] = (float)c;
    }
    gsl_rng_free(rng);
    return ds;
}

/* y = x.beta + intercept + N(0, noise^2) with standard normal features. */
static atoll_dataset regression(size_t n, size_t d, const double *beta, double intercept,
                                double noise, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    atoll_dataset ds = zeroed_dataset(n, d, 0);
    for (size_t i = 0; i < n; i++) {
        double y = intercept + gsl_ran_gaussian(rng, noise);
        for (size_t j = 0; j < d; j++) {
            ds.x[i * d + j] = (float)gsl_ran_gaussian(rng, 1.0);
            y += beta[j] * ds.x[i * d + j];
        }
        ds.y[i] = (float)y;
    }
    gsl_rng_free(rng);
    return ds;
}

static void *fit_ok(const double *hp, const atoll_dataset *ds, uint64_t seed, atoll_fit_info *info)
{
    void *model = NULL;
    ck_assert_msg(atoll_model_linear.fit(hp, ds, seed, &model, info) == ATOLL_OK, "fit: %s",
                  atoll_error_message());
    ck_assert(!info->diverged);
    ck_assert_ptr_nonnull(model);
    return model;
}

/* Predict all of ds (newly allocated); classifier rows are checked to be distributions. */
static float *predict(const void *model, const atoll_dataset *ds)
{
    size_t k = ds->n_classes > 0 ? (size_t)ds->n_classes : 1;
    float *out = malloc(ds->n * k * sizeof *out);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(atoll_model_linear.predict(model, ds->x, ds->n, out), ATOLL_OK);
    for (size_t i = 0; i < ds->n && ds->n_classes > 0; i++) {
        double sum = 0.0;
        for (size_t c = 0; c < k; c++) {
            ck_assert(out[i * k + c] >= 0.0f && out[i * k + c] <= 1.0f);
            sum += out[i * k + c];
        }
        ck_assert_double_eq_tol(sum, 1.0, 1e-5);
    }
    return out;
}

/* The coefficients of a fitted regression (d weights, then the intercept). */
static void coefficients(const void *model, double *w, double *b)
{
    ck_assert_uint_eq(atoll_linear_outputs(model), 1);
    atoll_linear_coefficients(model, w, b);
}

/* Ridge regression in closed form: w = (Xc'Xc + n l2 I)^-1 Xc'yc on centred data,
 * b = mean(y) - mean(x).w. */
static void ridge_closed_form(const atoll_dataset *ds, double l2, double *w, double *b)
{
    size_t n = ds->n, d = ds->d;
    double *mean = calloc(d + 1, sizeof *mean); /* the features' means, then y's */
    ck_assert_ptr_nonnull(mean);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            mean[j] += ds->x[i * d + j] / (double)n;
        mean[d] += ds->y[i] / (double)n;
    }
    gsl_matrix *a = gsl_matrix_calloc(d, d);
    gsl_vector *rhs = gsl_vector_calloc(d), *sol = gsl_vector_alloc(d);
    ck_assert(a && rhs && sol);
    for (size_t i = 0; i < n; i++) {
        const float *row = ds->x + i * d;
        for (size_t j = 0; j < d; j++) {
            double xj = row[j] - mean[j];
            *gsl_vector_ptr(rhs, j) += xj * (ds->y[i] - mean[d]);
            for (size_t k = 0; k < d; k++)
                *gsl_matrix_ptr(a, j, k) += xj * (row[k] - mean[k]);
        }
    }
    for (size_t j = 0; j < d; j++)
        *gsl_matrix_ptr(a, j, j) += (double)n * l2;
    ck_assert_int_eq(gsl_linalg_cholesky_decomp1(a), GSL_SUCCESS);
    ck_assert_int_eq(gsl_linalg_cholesky_solve(a, rhs, sol), GSL_SUCCESS);
    *b = mean[d];
    for (size_t j = 0; j < d; j++) {
        w[j] = gsl_vector_get(sol, j);
        *b -= mean[j] * w[j];
    }
    gsl_vector_free(sol);
    gsl_vector_free(rhs);
    gsl_matrix_free(a);
    free(mean);
}

START_TEST(test_linear_table)
{
    static const char *const names[] = {"l1",     "l2", "learning_rate", "epochs", "batch_size",
                                        "solver", "tol"};
    static const char *const defs[] = {"0", "0.0001", "0.01", "100", "32", "sgd", "0.0001"};
    const atoll_hparam *hp = atoll_model_linear.hparams;
    for (size_t i = 0; i < N_HP; i++) {
        ck_assert_str_eq(hp[i].name, names[i]);
        ck_assert_str_eq(hp[i].def, defs[i]);
        ck_assert_ptr_nonnull(hp[i].doc);
    }
    ck_assert_ptr_null(hp[N_HP].name);
    ck_assert_str_eq(atoll_model_linear.name, "linear");
    ck_assert(atoll_model_linear.classifies && atoll_model_linear.regresses);
    ck_assert_int_eq(hp[SOLVER].kind, ATOLL_HP_CHOICE);
    ck_assert_str_eq(hp[SOLVER].choices, "sgd|cd");
    ck_assert(hp[LEARNING_RATE].low == 1e-7 && hp[LEARNING_RATE].high == 10);
    ck_assert_int_eq(hp[EPOCHS].kind, ATOLL_HP_INT);
    ck_assert_int_eq(hp[BATCH_SIZE].kind, ATOLL_HP_INT);
}
END_TEST

START_TEST(test_linear_logistic)
{
    static const double centres[2][2] = {{-2.0, -1.5}, {2.0, 1.5}};
    atoll_dataset ds = blobs(400, 2, centres, 1);
    double hp[N_HP];
    defaults(hp);
    atoll_fit_info info;
    void *model = fit_ok(hp, &ds, 7, &info);
    ck_assert(info.epochs >= 1.0 && info.epochs <= 100.0);
    float *prob = predict(model, &ds);
    double acc = ml_accuracy(prob, &ds);
    ck_assert_msg(acc > 0.95, "logistic accuracy %g", acc);
    /* One weight row: class 1's, pointing from centre 0 to centre 1. */
    ck_assert_uint_eq(atoll_linear_outputs(model), 1);
    double w[2], b;
    atoll_linear_coefficients(model, w, &b);
    ck_assert(w[0] > 0.0 && w[1] > 0.0);
    free(prob);
    atoll_model_linear.destroy(model);

    /* The same seed gives the same model; cd falls back to sgd for a classifier. */
    void *a = fit_ok(hp, &ds, 3, &info);
    hp[SOLVER] = 1;
    void *c = fit_ok(hp, &ds, 3, &info);
    float *pa = predict(a, &ds), *pc = predict(c, &ds);
    ck_assert(memcmp(pa, pc, ds.n * 2 * sizeof *pa) == 0);
    free(pa);
    free(pc);
    atoll_model_linear.destroy(a);
    atoll_model_linear.destroy(c);
    atoll_model_linear.destroy(NULL);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_linear_softmax)
{
    static const double centres[3][2] = {{0.0, 3.0}, {3.0, -2.0}, {-3.0, -2.0}};
    atoll_dataset ds = blobs(600, 3, centres, 2);
    atoll_dataset test = blobs(300, 3, centres, 3);
    double hp[N_HP];
    defaults(hp);
    hp[EPOCHS] = 50;
    atoll_fit_info info;
    void *model = fit_ok(hp, &ds, 1, &info);
    ck_assert_uint_eq(atoll_linear_outputs(model), 3);
    float *prob = predict(model, &test);
    double acc = ml_accuracy(prob, &test);
    ck_assert_msg(acc > 0.9, "softmax accuracy %g", acc);
    free(prob);
    atoll_model_linear.destroy(model);

    /* Another seed shuffles otherwise: a different, as good model. */
    void *other = fit_ok(hp, &ds, 2, &info);
    prob = predict(other, &test);
    ck_assert(ml_accuracy(prob, &test) > 0.9);
    free(prob);
    atoll_model_linear.destroy(other);

    /* A label that is not a class index is a usage error. */
    ds.y[10] = 1.5f;
    void *bad = NULL;
    ck_assert_int_eq(atoll_model_linear.fit(hp, &ds, 1, &bad, &info), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(bad);
    ck_assert_str_eq(atoll_error_message(),
                     "linear: label 1.5 of sample 11 is not a class index in [0, 3)");
    atoll_dataset_free(&test);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_linear_ridge_closed_form)
{
    static const double beta[5] = {1.5, -2.0, 0.0, 0.5, 3.0};
    atoll_dataset ds = regression(300, 5, beta, 10.0, 0.5, 4);
    /* Targets far from standard units, to exercise the standardisation. */
    for (size_t i = 0; i < ds.n; i++)
        ds.y[i] *= 20.0f;
    double hp[N_HP];
    defaults(hp);
    hp[SOLVER] = 1;
    hp[EPOCHS] = 1000;
    hp[TOL] = 0;
    static const double l2s[] = {0.0001, 0.5, 5.0};
    for (size_t l = 0; l < 3; l++) {
        hp[L2] = l2s[l];
        double want[5], want_b, got[5], got_b;
        ridge_closed_form(&ds, l2s[l], want, &want_b);
        atoll_fit_info info;
        void *model = fit_ok(hp, &ds, 1, &info);
        ck_assert(info.epochs == 1000.0);
        coefficients(model, got, &got_b);
        for (size_t j = 0; j < 5; j++)
            ck_assert_msg(fabs(got[j] - want[j]) < 1e-4 * (1.0 + fabs(want[j])),
                          "l2 %g, w[%zu] = %.8g, closed form %.8g", l2s[l], j, got[j], want[j]);
        ck_assert_double_eq_tol(got_b, want_b, 1e-4 * (1.0 + fabs(want_b)));
        atoll_model_linear.destroy(model);
    }

    /* With a tolerance, cd stops early at the same solution. */
    hp[L2] = 0.5;
    hp[TOL] = 1e-6;
    double want[5], want_b, got[5], got_b;
    ridge_closed_form(&ds, 0.5, want, &want_b);
    atoll_fit_info info;
    void *model = fit_ok(hp, &ds, 1, &info);
    ck_assert_msg(info.epochs < 100.0, "cd ran %g epochs", info.epochs);
    coefficients(model, got, &got_b);
    for (size_t j = 0; j < 5; j++)
        ck_assert(fabs(got[j] - want[j]) < 1e-3 * (1.0 + fabs(want[j])));
    /* Predictions are x.w + b in the target's units. */
    float *pred = predict(model, &ds);
    for (size_t i = 0; i < 10; i++) {
        double y = got_b;
        for (size_t j = 0; j < 5; j++)
            y += got[j] * ds.x[i * 5 + j];
        ck_assert_double_eq_tol(pred[i], y, 1e-3 * (1.0 + fabs(y)));
    }
    free(pred);
    atoll_model_linear.destroy(model);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_linear_sgd_matches_cd)
{
    static const double beta[4] = {2.0, -1.0, 0.5, 0.0};
    atoll_dataset ds = regression(400, 4, beta, -3.0, 0.3, 5);
    double hp[N_HP];
    defaults(hp);
    hp[L2] = 0.1;
    hp[TOL] = 0;
    double want[4], want_b;
    ridge_closed_form(&ds, 0.1, want, &want_b);

    hp[SOLVER] = 1;
    hp[EPOCHS] = 200;
    atoll_fit_info info;
    void *cd = fit_ok(hp, &ds, 1, &info);
    double w_cd[4], b_cd;
    coefficients(cd, w_cd, &b_cd);

    /* Full-batch gradient descent converges to the same point ... */
    hp[SOLVER] = 0;
    hp[BATCH_SIZE] = 400;
    hp[LEARNING_RATE] = 0.3;
    hp[EPOCHS] = 2000;
    void *gd = fit_ok(hp, &ds, 1, &info);
    ck_assert(info.epochs == 2000.0);
    double w_gd[4], b_gd;
    coefficients(gd, w_gd, &b_gd);

    /* ... and mini-batch sgd near it. */
    hp[BATCH_SIZE] = 16;
    hp[LEARNING_RATE] = 0.005;
    hp[EPOCHS] = 100;
    void *sgd = fit_ok(hp, &ds, 1, &info);
    double w_sgd[4], b_sgd;
    coefficients(sgd, w_sgd, &b_sgd);
    for (size_t j = 0; j < 4; j++) {
        ck_assert_msg(fabs(w_cd[j] - want[j]) < 1e-4, "cd w[%zu] %g vs %g", j, w_cd[j], want[j]);
        ck_assert_msg(fabs(w_gd[j] - want[j]) < 1e-3, "gd w[%zu] %g vs %g", j, w_gd[j], want[j]);
        ck_assert_msg(fabs(w_sgd[j] - want[j]) < 0.01, "sgd w[%zu] %g vs %g", j, w_sgd[j], want[j]);
    }
    ck_assert(fabs(b_cd - want_b) < 1e-4 && fabs(b_gd - want_b) < 1e-3 &&
              fabs(b_sgd - want_b) < 0.01);
    atoll_model_linear.destroy(cd);
    atoll_model_linear.destroy(gd);
    atoll_model_linear.destroy(sgd);

    /* A tolerance stops sgd once an epoch gains little. */
    hp[TOL] = 1e-3;
    hp[EPOCHS] = 1000;
    void *early = fit_ok(hp, &ds, 1, &info);
    ck_assert_msg(info.epochs >= 2.0 && info.epochs < 1000.0, "sgd ran %g epochs", info.epochs);
    atoll_model_linear.destroy(early);
    atoll_dataset_free(&ds);
}
END_TEST

/* The elastic-net optimality conditions at (w, b): with r = y - Xw - b, g_j = x_j.r / n - l2
 * w_j equals l1 sign(w_j) where w_j != 0 and lies in [-l1, l1] where w_j = 0. */
static void assert_kkt(const atoll_dataset *ds, double l1, double l2, const double *w, double b,
                       double tol)
{
    size_t n = ds->n, d = ds->d;
    double sum_r = 0.0;
    for (size_t j = 0; j < d; j++) {
        double g = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = ds->y[i] - b;
            for (size_t k = 0; k < d; k++)
                r -= w[k] * ds->x[i * d + k];
            g += ds->x[i * d + j] * r;
            if (j == 0)
                sum_r += r;
        }
        g = g / (double)n - l2 * w[j];
        if (w[j] != 0.0)
            ck_assert_msg(fabs(g - copysign(l1, w[j])) < tol, "w[%zu] = %g: gradient %g", j, w[j],
                          g);
        else
            ck_assert_msg(fabs(g) <= l1 + tol, "w[%zu] = 0: gradient %g > %g", j, g, l1);
    }
    ck_assert_msg(fabs(sum_r / (double)n) < tol, "mean residual %g", sum_r / (double)n);
}

START_TEST(test_linear_elastic_net)
{
    static const double beta[6] = {3.0, -2.0, 0.0, 0.0, 0.0, 0.0};
    atoll_dataset ds = regression(300, 6, beta, 1.0, 0.5, 6);
    double hp[N_HP];
    defaults(hp);
    hp[SOLVER] = 1;
    hp[EPOCHS] = 2000;
    hp[TOL] = 0;
    hp[L1] = 0.3;
    hp[L2] = 0.1;
    atoll_fit_info info;
    void *model = fit_ok(hp, &ds, 1, &info);
    double w[6], b;
    coefficients(model, w, &b);
    ck_assert_msg(w[0] > 2.0 && w[1] < -1.2, "w = %g %g", w[0], w[1]);
    for (size_t j = 2; j < 6; j++)
        ck_assert_msg(w[j] == 0.0, "noise coefficient %zu = %g", j, w[j]);
    assert_kkt(&ds, 0.3, 0.1, w, b, 1e-4);
    atoll_model_linear.destroy(model);

    /* A large l1 zeroes every coefficient, leaving the mean as intercept; sgd's soft
     * threshold does the same. */
    double mean = 0.0;
    for (size_t i = 0; i < ds.n; i++)
        mean += ds.y[i] / (double)ds.n;
    hp[L1] = 50.0;
    for (int solver = 1; solver >= 0; solver--) {
        hp[SOLVER] = solver;
        model = fit_ok(hp, &ds, 1, &info);
        if (solver == 1)
            ck_assert(info.epochs == 2000.0); /* tol 0: every epoch ran */
        coefficients(model, w, &b);
        for (size_t j = 0; j < 6; j++)
            ck_assert_msg(w[j] == 0.0, "solver %d: w[%zu] = %g", solver, j, w[j]);
        ck_assert_double_eq_tol(b, mean, 0.05);
        atoll_model_linear.destroy(model);
    }
    /* With a tolerance, cd sees nothing move and stops after one pass. */
    hp[SOLVER] = 1;
    hp[TOL] = 1e-4;
    model = fit_ok(hp, &ds, 1, &info);
    ck_assert(info.epochs == 1.0);
    atoll_model_linear.destroy(model);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_linear_divergence)
{
    static const double beta[3] = {1.0, 2.0, 3.0};
    atoll_dataset ds = regression(200, 3, beta, 0.0, 0.1, 7);
    for (size_t i = 0; i < ds.n * ds.d; i++)
        ds.x[i] *= 30.0f;
    double hp[N_HP];
    defaults(hp);
    hp[LEARNING_RATE] = 10.0;
    void *model = (void *)&ds;
    atoll_fit_info info = {0};
    ck_assert_int_eq(atoll_model_linear.fit(hp, &ds, 1, &model, &info), ATOLL_OK);
    ck_assert(info.diverged);
    ck_assert_ptr_null(model);
    ck_assert(info.epochs >= 1.0 && info.epochs < 100.0);

    /* The same problem at a sane rate converges. */
    hp[LEARNING_RATE] = 1e-4;
    model = fit_ok(hp, &ds, 1, &info);
    double w[3], b;
    coefficients(model, w, &b);
    for (size_t j = 0; j < 3; j++)
        ck_assert_double_eq_tol(w[j], beta[j] / 30.0, 0.01);
    atoll_model_linear.destroy(model);
    atoll_dataset_free(&ds);
}
END_TEST

static Suite *linear_suite(void)
{
    Suite *s = suite_create("linear");
    TCase *tc = tcase_create("linear");
    tcase_add_test(tc, test_linear_table);
    tcase_add_test(tc, test_linear_logistic);
    tcase_add_test(tc, test_linear_softmax);
    tcase_add_test(tc, test_linear_ridge_closed_form);
    tcase_add_test(tc, test_linear_sgd_matches_cd);
    tcase_add_test(tc, test_linear_elastic_net);
    tcase_add_test(tc, test_linear_divergence);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *runner = srunner_create(linear_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
