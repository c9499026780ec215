/* modelbench.c - the atoll side of bench/models and bench/search-vs-optuna.
 *
 *   modelbench speed DATASET MODEL DUMP_DIR [key=value ...]
 *       Load DATASET by name (digits, fashion-mnist, ...), take a stratified 80/20 split
 *       (seed 1), optionally subsample (train=N, valid=N), standardise on the training part,
 *       write the four arrays as raw float32 to DUMP_DIR (so the peer trains on the very same
 *       numbers), train MODEL (mlp or forest) with the given hyperparameters and fit seed
 *       seed=N (1 by default; the split does not depend on it), and print one JSON line: fit
 *       seconds, seconds per epoch, validation accuracy, achieved GFLOP/s of the MLP's matrix
 *       work, and the single-core sgemm rate measured in the same process.
 *   modelbench eval CONFIG [trial=N] name=value ...
 *       Score one point of CONFIG's search space with its objective, exactly as a run would
 *       (same data, same split, same trainer; trial N's seed, 0 by default), and print the
 *       value and the status.
 */
#include <cblas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/rng.h"
#include "ml/dataset.h"
#include "ml/datasplit.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "run/desc.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *what)
{
    fprintf(stderr, "modelbench: %s: %s\n", what, atoll_error_message());
    return 1;
}

/* Best-of-5 single-core SGEMM rate in GFLOP/s for an m x k times k x n product, on
 * cache-line aligned matrices (m, n, k multiples of 16) as the MLP's are. */
static double sgemm_rate(int m, int n, int k)
{
    float *a = aligned_alloc(64, (size_t)m * k * sizeof *a);
    float *b = aligned_alloc(64, (size_t)k * n * sizeof *b);
    float *c = aligned_alloc(64, (size_t)m * n * sizeof *c);
    if (!a || !b || !c)
        return NAN;
    for (size_t i = 0; i < (size_t)m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t = now_s();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f,
                    c, n);
        double rate = 2.0 * m * n * k / (now_s() - t) / 1e9;
        best = rate > best ? rate : best;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

static int dump(const char *dir, const char *name, const float *v, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.f32", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "modelbench: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

/* Floating-point operations of one MLP epoch: forward, weight gradients and the gradients of
 * every layer's input but the first, 2 flops per multiply-add. */
static double mlp_epoch_flops(const atoll_model_type *m, const double *hp, size_t n, size_t d,
                              int classes)
{
    long layers = (long)hp[atoll_model_hparam_find(m, "layers")];
    size_t widths[6], n_w = 0;
    widths[n_w++] = d;
    for (long l = 1; l <= layers; l++) {
        char key[16];
        snprintf(key, sizeof key, "units%ld", l);
        double own = hp[atoll_model_hparam_find(m, key)];
        widths[n_w++] = (size_t)(own > 0 ? own : hp[atoll_model_hparam_find(m, "units")]);
    }
    widths[n_w++] = (size_t)classes;
    double flops = 0;
    for (size_t l = 0; l + 1 < n_w; l++) {
        double mac = (double)n * (double)widths[l] * (double)widths[l + 1];
        flops += 2 * mac * (l == 0 ? 2 : 3);
    }
    return flops;
}

static int speed(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: modelbench speed DATASET MODEL DUMP_DIR [key=value ...]\n");
        return 2;
    }
    const atoll_model_type *m = atoll_model_lookup(argv[3]);
    if (!m) {
        fprintf(stderr, "modelbench: unknown model %s\n", argv[3]);
        return 2;
    }
    size_t n_hp = atoll_model_n_hparams(m), train_n = 0, valid_n = 0;
    uint64_t fit_seed = 1;
    double *hp = malloc(n_hp * sizeof *hp);
    if (!hp || atoll_model_defaults(m, hp) != ATOLL_OK)
        return die("defaults");
    for (int i = 5; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            return 2;
        *eq = '\0';
        if (strcmp(argv[i], "train") == 0) {
            train_n = strtoul(eq + 1, NULL, 10);
            continue;
        }
        if (strcmp(argv[i], "valid") == 0) {
            valid_n = strtoul(eq + 1, NULL, 10);
            continue;
        }
        if (strcmp(argv[i], "seed") == 0) {
            fit_seed = strtoull(eq + 1, NULL, 10);
            continue;
        }
        long k = atoll_model_hparam_find(m, argv[i]);
        if (k < 0 || atoll_hparam_parse(&m->hparams[k], eq + 1, &hp[k]) != ATOLL_OK) {
            fprintf(stderr, "modelbench: %s: bad hyperparameter\n", argv[i]);
            return 2;
        }
    }
    atoll_dataset all = {0}, train = {0}, valid = {0};
    double t = now_s();
    if (atoll_data_load_named(argv[2], NULL, &all) != ATOLL_OK)
        return die(argv[2]);
    double load_s = now_s() - t;
    uint64_t seed = atoll_rng_seed(1, ATOLL_STREAM_OBJECTIVE, 0);
    if (atoll_data_split(&all, 0.2, seed + 1, &train, &valid) != ATOLL_OK ||
        atoll_data_subsample(&train, train_n, seed + 2) != ATOLL_OK ||
        atoll_data_subsample(&valid, valid_n, seed + 3) != ATOLL_OK)
        return die("split");
    atoll_scaler sc = {0};
    if (atoll_scaler_fit(&train, &sc) != ATOLL_OK)
        return die("scaler");
    atoll_scaler_apply(&sc, &train);
    atoll_scaler_apply(&sc, &valid);
    atoll_scaler_free(&sc);
    if (dump(argv[4], "x_train", train.x, train.n * train.d) ||
        dump(argv[4], "y_train", train.y, train.n) ||
        dump(argv[4], "x_valid", valid.x, valid.n * valid.d) ||
        dump(argv[4], "y_valid", valid.y, valid.n))
        return 1;

    void *model = NULL;
    atoll_fit_info info = {0};
    t = now_s();
    if (m->fit(hp, &train, fit_seed, &model, &info) != ATOLL_OK)
        return die("fit");
    double fit_s = now_s() - t;
    if (info.diverged || !model) {
        fprintf(stderr, "modelbench: the fit diverged\n");
        return 1;
    }
    float *prob = malloc(valid.n * (size_t)valid.n_classes * sizeof *prob);
    if (!prob || m->predict(model, valid.x, valid.n, prob) != ATOLL_OK)
        return die("predict");
    double acc = atoll_metric_score(ATOLL_METRIC_ACCURACY, valid.y, valid.n, valid.n_classes, prob);
    double epochs = info.epochs > 0 ? info.epochs : 1;
    double gflops = NAN;
    if (strcmp(m->name, "mlp") == 0)
        gflops = mlp_epoch_flops(m, hp, train.n, train.d, train.n_classes) / (fit_s / epochs) /
                 1e9;
    char rate[32] = "null"; /* JSON has no NaN */
    if (isfinite(gflops))
        snprintf(rate, sizeof rate, "%.3f", gflops);
    printf("{\"dataset\": \"%s\", \"model\": \"%s\", \"n_train\": %zu, \"n_valid\": %zu, "
           "\"d\": %zu, \"classes\": %d, \"load_s\": %.4f, \"fit_s\": %.4f, \"epochs\": %g, "
           "\"epoch_s\": %.6f, \"accuracy\": %.4f, \"gflops\": %s, \"sgemm_gflops\": %.3f}\n",
           argv[2], m->name, train.n, valid.n, train.d, train.n_classes, load_s, fit_s,
           info.epochs, fit_s / epochs, acc, rate, sgemm_rate(1024, 1024, 1024));
    m->destroy(model);
    free(prob);
    free(hp);
    atoll_dataset_free(&all);
    atoll_dataset_free(&train);
    atoll_dataset_free(&valid);
    return 0;
}

static int eval(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: modelbench eval CONFIG name=value ...\n");
        return 2;
    }
    atoll_run_desc *d = NULL;
    if (atoll_desc_create(argv[2], NULL, 0, &d) != ATOLL_OK)
        return die("config");
    const atoll_space *space = d->space;
    atoll_value *values = calloc(space->n, sizeof *values);
    bool *given = calloc(space->n, sizeof *given);
    if (!values || !given)
        return 1;
    long trial = 0;
    for (int i = 3; i < argc; i++) {
        if (strncmp(argv[i], "trial=", 6) == 0) {
            trial = strtol(argv[i] + 6, NULL, 10);
            continue;
        }
        char *eq = strchr(argv[i], '=');
        long k = eq ? (*eq = '\0', atoll_space_find(space, argv[i])) : -1;
        if (k < 0) {
            fprintf(stderr, "modelbench: %s: not a parameter of %s\n", argv[i], argv[2]);
            return 2;
        }
        const atoll_param *p = &space->params[k];
        given[k] = true;
        if (p->kind == ATOLL_PARAM_CHOICE) {
            size_t c = 0;
            while (c < p->n_choices && strcmp(p->choices[c], eq + 1) != 0)
                c++;
            if (c == p->n_choices) {
                fprintf(stderr, "modelbench: %s: no choice %s\n", argv[i], eq + 1);
                return 2;
            }
            values[k] = (atoll_value){.num = (double)c, .index = c, .str = p->choices[c]};
        } else {
            values[k].num = strtod(eq + 1, NULL);
            if (p->kind == ATOLL_PARAM_INT)
                values[k].num = round(values[k].num);
        }
    }
    for (size_t k = 0; k < space->n; k++)
        if (!given[k]) {
            fprintf(stderr, "modelbench: no value for %s\n", space->params[k].name);
            return 2;
        }
    atoll_objective_env env = {.seed = d->seed, .rank = 0, .out_dir = "."};
    void *state = NULL;
    if (d->objective->create(d->objective_params, space, &env, &state) != ATOLL_OK)
        return die("objective");
    atoll_trial_ctx ctx = {.trial = trial,
                           .seed = atoll_rng_seed(d->seed, ATOLL_STREAM_OBJECTIVE,
                                                  (uint64_t)trial)};
    atoll_eval ev = {.value = NAN, .status = ATOLL_STATUS_FAILED};
    if (d->objective->evaluate(state, values, &ctx, &ev) != ATOLL_OK)
        return die("evaluate");
    printf("%.17g %s\n", ev.value, atoll_status_name(ev.status));
    d->objective->destroy(state);
    free(values);
    free(given);
    atoll_desc_destroy(&d);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc >= 2 && strcmp(argv[1], "speed") == 0)
        return speed(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "eval") == 0)
        return eval(argc, argv);
    fprintf(stderr, "usage: modelbench speed|eval ...\n");
    return 2;
}
