/* check_forest.c - unit tests of the random forest model (suite "forest"). */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "ml/forest.h"
#include "ml_support.h"

enum { N_ESTIMATORS, MAX_DEPTH, MIN_SPLIT, MIN_LEAF, MAX_FEATURES, BOOTSTRAP, MAX_SAMPLES, N_HP };

/* The defaults of the table, as numbers (max_features = auto). */
static void defaults(double *hp)
{
    static const double def[N_HP] = {100, 0, 2, 1, -3, 1, 1};
    memcpy(hp, def, sizeof def);
}

/* XOR of the signs of two uniform features in [-1, 1], plus `noise` uniform features. */
static atoll_dataset xor_data(size_t n, size_t noise, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    atoll_dataset ds = zeroed_dataset(n, 2 + noise, 2);
    for (size_t i = 0; i < n; i++) {
        float *row = ds.x + i * ds.d;
        for (size_t f = 0; f < ds.d; f++)
            row[f] = (float)gsl_ran_flat(rng, -1.0, 1.0);
        ds.y[i] = (float)((row[0] > 0.0f) != (row[1] > 0.0f));
    }
    gsl_rng_free(rng);
    return ds;
}

static void *fit_ok(const double *hp, const atoll_dataset *ds, uint64_t seed)
{
    void *model = NULL;
    atoll_fit_info info = {.epochs = -1.0, .diverged = true};
    ck_assert_msg(atoll_model_forest.fit(hp, ds, seed, &model, &info) == ATOLL_OK, "fit: %s",
                  atoll_error_message());
    ck_assert_ptr_nonnull(model);
    ck_assert(info.epochs == 0.0 && !info.diverged);
    return model;
}

/* Predictions of `model` on all of ds, newly allocated. */
static float *predict(const void *model, const atoll_dataset *ds)
{
    size_t k = ds->n_classes > 0 ? (size_t)ds->n_classes : 1;
    float *out = malloc(ds->n * k * sizeof *out);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(atoll_model_forest.predict(model, ds->x, ds->n, out), ATOLL_OK);
    return out;
}

START_TEST(test_forest_table)
{
    static const char *const names[] = {"n_estimators",     "max_depth",    "min_samples_split",
                                        "min_samples_leaf", "max_features", "bootstrap",
                                        "max_samples"};
    static const char *const defs[] = {"100", "0", "2", "1", "auto", "on", "1"};
    const atoll_hparam *hp = atoll_model_forest.hparams;
    for (size_t i = 0; i < N_HP; i++) {
        ck_assert_str_eq(hp[i].name, names[i]);
        ck_assert_str_eq(hp[i].def, defs[i]);
        ck_assert_ptr_nonnull(hp[i].doc);
    }
    ck_assert_ptr_null(hp[N_HP].name);
    ck_assert_str_eq(atoll_model_forest.name, "forest");
    ck_assert(atoll_model_forest.classifies && atoll_model_forest.regresses);
    ck_assert_int_eq(hp[MAX_FEATURES].kind, ATOLL_HP_REAL);
    ck_assert_str_eq(hp[MAX_FEATURES].choices, "sqrt=-1|log2=-2|auto=-3");
    ck_assert_int_eq(hp[BOOTSTRAP].kind, ATOLL_HP_CHOICE);
    ck_assert_str_eq(hp[BOOTSTRAP].choices, "off|on");
    ck_assert(hp[MIN_SPLIT].low == 2 && hp[MIN_LEAF].low == 1 && hp[MAX_SAMPLES].low == 0.01);
}
END_TEST

START_TEST(test_forest_xor)
{
    atoll_dataset ds = xor_data(600, 2, 11);
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 30;
    void *model = fit_ok(hp, &ds, 5);
    float *prob = predict(model, &ds);
    double acc = ml_accuracy(prob, &ds);
    ck_assert_msg(acc > 0.95, "train accuracy %g", acc);
    /* Every row is a distribution. */
    for (size_t i = 0; i < ds.n; i++) {
        ck_assert(prob[2 * i] >= 0.0f && prob[2 * i + 1] >= 0.0f);
        ck_assert_float_eq_tol(prob[2 * i] + prob[2 * i + 1], 1.0f, 1e-5f);
    }
    free(prob);
    atoll_model_forest.destroy(model);

    /* Held-out points from the same law are classified well too. */
    atoll_dataset test = xor_data(400, 2, 12);
    model = fit_ok(hp, &ds, 5);
    prob = predict(model, &test);
    acc = ml_accuracy(prob, &test);
    ck_assert_msg(acc > 0.9, "test accuracy %g", acc);
    free(prob);
    atoll_model_forest.destroy(model);
    atoll_model_forest.destroy(NULL);
    atoll_dataset_free(&test);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_forest_deterministic)
{
    atoll_dataset ds = xor_data(300, 3, 21);
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 10;
    void *a = fit_ok(hp, &ds, 42), *b = fit_ok(hp, &ds, 42), *c = fit_ok(hp, &ds, 43);
    atoll_dataset probe = xor_data(200, 3, 22);
    float *pa = predict(a, &probe), *pb = predict(b, &probe), *pc = predict(c, &probe);
    ck_assert(memcmp(pa, pb, probe.n * 2 * sizeof *pa) == 0);
    ck_assert(memcmp(pa, pc, probe.n * 2 * sizeof *pa) != 0);
    free(pa);
    free(pb);
    free(pc);
    atoll_model_forest.destroy(a);
    atoll_model_forest.destroy(b);
    atoll_model_forest.destroy(c);
    atoll_dataset_free(&probe);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_forest_stumps)
{
    /* Four classes on a line: a depth-1 tree gives at most two distinct distributions. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    atoll_dataset ds = zeroed_dataset(400, 3, 4);
    for (size_t i = 0; i < ds.n; i++) {
        for (size_t f = 0; f < ds.d; f++)
            ds.x[i * ds.d + f] = (float)gsl_rng_uniform(rng);
        ds.y[i] = floorf(ds.x[i * ds.d] * 4.0f);
    }
    gsl_rng_free(rng);
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 1;
    hp[MAX_DEPTH] = 1;
    hp[MAX_FEATURES] = 1.0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        void *model = fit_ok(hp, &ds, seed);
        float *prob = predict(model, &ds);
        size_t distinct = 1;
        const float *other = NULL;
        for (size_t i = 1; i < ds.n; i++) {
            const float *row = prob + 4 * i;
            if (memcmp(row, prob, 4 * sizeof *row) == 0)
                continue;
            if (other && memcmp(row, other, 4 * sizeof *row) == 0)
                continue;
            ck_assert_ptr_null(other);
            other = row;
            distinct++;
        }
        ck_assert_uint_eq(distinct, 2);
        free(prob);
        atoll_model_forest.destroy(model);
    }
    atoll_dataset_free(&ds);
}
END_TEST

/* The number of rows sharing each distinct prediction is at least `least`. */
static void assert_groups(const float *pred, size_t n, size_t least)
{
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++)
            same += pred[j] == pred[i];
        ck_assert_msg(same >= least, "a leaf of %zu samples (min_samples_leaf %zu)", same, least);
    }
}

START_TEST(test_forest_min_samples_leaf)
{
    /* One tree on every sample: each leaf's mean is shared by the samples of that leaf. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 8);
    atoll_dataset ds = zeroed_dataset(300, 2, 0);
    for (size_t i = 0; i < ds.n; i++) {
        ds.x[2 * i] = (float)gsl_rng_uniform(rng);
        ds.x[2 * i + 1] = (float)gsl_rng_uniform(rng);
        ds.y[i] = (float)(sin(6.0 * ds.x[2 * i]) + 0.1 * gsl_ran_gaussian(rng, 1.0));
    }
    gsl_rng_free(rng);
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 1;
    hp[BOOTSTRAP] = 0;
    static const size_t leaves[] = {1, 7, 30};
    size_t prev_distinct = ds.n + 1;
    for (size_t l = 0; l < 3; l++) {
        hp[MIN_LEAF] = (double)leaves[l];
        void *model = fit_ok(hp, &ds, 1);
        float *pred = predict(model, &ds);
        assert_groups(pred, ds.n, leaves[l]);
        size_t distinct = 0;
        for (size_t i = 0; i < ds.n; i++) {
            size_t j = 0;
            while (j < i && pred[j] != pred[i])
                j++;
            distinct += j == i;
        }
        ck_assert_uint_le(distinct, ds.n / leaves[l]);
        ck_assert_uint_lt(distinct, prev_distinct);
        prev_distinct = distinct;
        if (leaves[l] == 1) /* grown to purity: the tree reproduces its training targets */
            for (size_t i = 0; i < ds.n; i++)
                ck_assert_float_eq_tol(pred[i], ds.y[i], 1e-6f);
        free(pred);
        atoll_model_forest.destroy(model);
    }
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_forest_step_regression)
{
    /* y = 1 below 0.3, 4 up to 0.7, 2 above; one noise feature. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    atoll_dataset ds = zeroed_dataset(500, 2, 0);
    for (size_t i = 0; i < ds.n; i++) {
        float x = (float)gsl_rng_uniform(rng);
        ds.x[2 * i] = x;
        ds.x[2 * i + 1] = (float)gsl_rng_uniform(rng);
        ds.y[i] = x < 0.3f ? 1.0f : x < 0.7f ? 4.0f : 2.0f;
    }
    gsl_rng_free(rng);
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 20;
    void *model = fit_ok(hp, &ds, 9);
    static const float probe_x[] = {0.05f, 0.5f, 0.1f,  0.5f, 0.25f, 0.9f, 0.35f, 0.2f,
                                    0.5f,  0.5f, 0.65f, 0.1f, 0.75f, 0.3f, 0.99f, 0.7f};
    static const float want[] = {1.0f, 1.0f, 1.0f, 4.0f, 4.0f, 4.0f, 2.0f, 2.0f};
    float got[8];
    ck_assert_int_eq(atoll_model_forest.predict(model, probe_x, 8, got), ATOLL_OK);
    for (size_t i = 0; i < 8; i++)
        ck_assert_msg(fabsf(got[i] - want[i]) < 0.05f, "x = %g: %g, want %g",
                      (double)probe_x[2 * i], (double)got[i], (double)want[i]);
    atoll_model_forest.destroy(model);

    /* Without bootstrap and with every feature, each tree is the same exact fit. */
    hp[BOOTSTRAP] = 0;
    hp[N_ESTIMATORS] = 3;
    model = fit_ok(hp, &ds, 9);
    float *pred = predict(model, &ds);
    for (size_t i = 0; i < ds.n; i++)
        ck_assert_float_eq(pred[i], ds.y[i]);
    free(pred);
    atoll_model_forest.destroy(model);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_forest_probabilities)
{
    /* Five overlapping classes, features of varied kinds (one constant), named and fractional
     * max_features, subsampled bootstraps. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    atoll_dataset ds = zeroed_dataset(250, 6, 5);
    for (size_t i = 0; i < ds.n; i++) {
        int c = (int)gsl_rng_uniform_int(rng, 5);
        float *row = ds.x + i * ds.d;
        row[0] = (float)(c + gsl_ran_gaussian(rng, 1.0));
        row[1] = (float)gsl_rng_uniform_int(rng, 3);
        row[2] = 7.0f;
        row[3] = (float)gsl_ran_gaussian(rng, 1.0);
        row[4] = (float)(0.5 * c + gsl_ran_gaussian(rng, 1.0));
        row[5] = (float)gsl_rng_uniform(rng);
        ds.y[i] = (float)c;
    }
    gsl_rng_free(rng);
    static const double max_features[] = {-1, -2, -3, 0.0, 0.5, 1.0};
    double hp[N_HP];
    defaults(hp);
    hp[N_ESTIMATORS] = 15;
    hp[MAX_SAMPLES] = 0.5;
    for (size_t m = 0; m < 6; m++) {
        hp[MAX_FEATURES] = max_features[m];
        void *model = fit_ok(hp, &ds, m);
        float *prob = predict(model, &ds);
        for (size_t i = 0; i < ds.n; i++) {
            double sum = 0.0;
            for (size_t c = 0; c < 5; c++) {
                ck_assert(prob[5 * i + c] >= 0.0f && prob[5 * i + c] <= 1.0f);
                sum += prob[5 * i + c];
            }
            ck_assert_double_eq_tol(sum, 1.0, 1e-5);
        }
        ck_assert_msg(ml_accuracy(prob, &ds) > 0.6, "max_features %g: train accuracy %g",
                      max_features[m], ml_accuracy(prob, &ds));
        free(prob);
        atoll_model_forest.destroy(model);
    }

    /* A label that is not a class index is a usage error. */
    ds.y[3] = 5.0f;
    void *model = NULL;
    atoll_fit_info info;
    ck_assert_int_eq(atoll_model_forest.fit(hp, &ds, 1, &model, &info), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(atoll_error_message(),
                     "forest: label 5 of sample 4 is not a class index in [0, 5)");
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_forest_digits)
{
    atoll_dataset train, valid;
    digits_split(2024, &train, &valid);
    double hp[N_HP];
    defaults(hp);
    void *model = fit_ok(hp, &train, 1);
    float *prob = predict(model, &valid);
    double acc = ml_accuracy(prob, &valid);
    ck_assert_msg(acc >= 0.95, "digits validation accuracy %g", acc);
    free(prob);
    atoll_model_forest.destroy(model);
    atoll_dataset_free(&train);
    atoll_dataset_free(&valid);
}
END_TEST

static Suite *forest_suite(void)
{
    Suite *s = suite_create("forest");
    TCase *tc = tcase_create("forest");
    tcase_add_test(tc, test_forest_table);
    tcase_add_test(tc, test_forest_xor);
    tcase_add_test(tc, test_forest_deterministic);
    tcase_add_test(tc, test_forest_stumps);
    tcase_add_test(tc, test_forest_min_samples_leaf);
    tcase_add_test(tc, test_forest_step_regression);
    tcase_add_test(tc, test_forest_probabilities);
    tcase_add_test(tc, test_forest_digits);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *runner = srunner_create(forest_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
