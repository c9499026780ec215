/* model.c - the objectives that train a model ("mlp", "forest", "linear") and score it.
 *
 * [data] says what to learn from (a named set, a CSV or IDX file, or synthetic data) and how
 * to split it; [model] fixes hyperparameters; every [param NAME] searches one hyperparameter
 * of the model's table (src/ml/model.h). Each rank loads and splits its data once, in
 * create; an evaluation trains on the training part (or on each fold's) and scores the
 * validation part with [objective] metric.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "ml/dataset.h"
#include "ml/datasplit.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "objective/objective.h"
#include "run/report.h"

#define OBJ "objective"
#define DATA "data"
#define MODEL "model"

/* Where the data comes from. */
enum { SOURCE_NAMED = 0, SOURCE_SYNTHETIC, SOURCE_CSV, SOURCE_IDX };

static const char *const task_names[] = {"auto", "classification", "regression", NULL};

typedef struct {
    const atoll_model_type *model;
    size_t n_hp;
    double *fixed;         /* n_hp: defaults, then [model] */
    size_t n_params;       /* the space's */
    long *hp_of;           /* n_params: which hyperparameter parameter i sets */
    double **choice_value; /* n_params: per choice of a choice parameter, its hp value */
    atoll_metric metric;
    long threads;
    /* data */
    int source;
    char *name, *dir, *path, *label, *images, *labels;
    atoll_task task; /* known after configure: CLASSIFICATION or REGRESSION */
    atoll_synthetic_spec synthetic;
    long samples, train_samples, valid_samples, folds, split_seed;
    double valid_fraction;
    bool standardize;
} model_params;

typedef struct {
    const model_params *par;
    size_t n_splits;
    atoll_dataset *train, *valid; /* n_splits each */
    float *pred;
    double *hp;
} model_state;

static const char *const *model_columns(const void *params)
{
    (void)params;
    static const char *const columns[] = {"train_s", "epochs", NULL};
    return columns;
}

static void model_free_params(void *params)
{
    model_params *p = params;
    if (!p)
        return;
    free(p->fixed);
    free(p->hp_of);
    if (p->choice_value)
        for (size_t i = 0; i < p->n_params; i++)
            free(p->choice_value[i]);
    free(p->choice_value);
    free(p->name);
    free(p->dir);
    free(p->path);
    free(p->label);
    free(p->images);
    free(p->labels);
    free(p);
}

/* strdup that accepts NULL. */
static int dup_opt(const char *s, char **out)
{
    *out = NULL;
    if (s && !(*out = strdup(s)))
        return ATOLL_NOMEM("a config string");
    return ATOLL_OK;
}

/* Re-raise the current error at a config key: "FILE:LINE: [section] key: MESSAGE". */
static int at_key(const atoll_config *cfg, const char *section, const char *key)
{
    char why[512];
    snprintf(why, sizeof why, "%s", atoll_error_message());
    return atoll_config_error(cfg, section, key, "%s", why);
}

/* The model's hyperparameter names joined by ", " (for messages). */
static void hp_names(const atoll_model_type *m, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; m->hparams[i].name && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 m->hparams[i].name);
}

/* Edit distance between two short names (insertions, deletions, substitutions). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The model's hyperparameter within two edits of `name` (the nearest), or NULL. */
static const char *nearest_hp(const atoll_model_type *m, const char *name)
{
    const char *near = NULL;
    size_t best = 3;
    for (size_t i = 0; m->hparams[i].name; i++) {
        size_t d = edit_distance(name, m->hparams[i].name);
        if (d < best) {
            best = d;
            near = m->hparams[i].name;
        }
    }
    return near;
}

/* [model]: a fixed value for any hyperparameter; the rest keep the model's defaults. The
 * resolved config records those defaults, except for a hyperparameter that a [param] searches:
 * it would read back as fixed and searched at once. */
static int read_fixed(atoll_config *cfg, const atoll_space *space, model_params *p)
{
    ATOLL_CALL(atoll_model_defaults(p->model, p->fixed));
    atoll_config_use_section(cfg, MODEL);
    for (size_t i = 0; i < p->n_hp; i++) {
        const atoll_hparam *h = &p->model->hparams[i];
        const char *text = NULL, *def = atoll_space_find(space, h->name) >= 0 ? NULL : h->def;
        ATOLL_CALL(atoll_config_get_string(cfg, MODEL, h->name, def, false, &text));
        if (text && atoll_hparam_parse(h, text, &p->fixed[i]) != ATOLL_OK)
            return at_key(cfg, MODEL, h->name);
    }
    return ATOLL_OK;
}

/* Map every [param NAME] onto the model hyperparameter of that name, checking that the
 * parameter's type and range fit the hyperparameter's. */
static int map_params(atoll_config *cfg, const atoll_space *space, model_params *p)
{
    char section[256];
    for (size_t i = 0; i < space->n; i++) {
        const atoll_param *sp = &space->params[i];
        snprintf(section, sizeof section, "param %s", sp->name);
        long k = atoll_model_hparam_find(p->model, sp->name);
        if (k < 0) {
            const char *near = nearest_hp(p->model, sp->name);
            if (near)
                return atoll_config_error(cfg, section, NULL,
                                          "not a hyperparameter of %s (did you mean %s?)",
                                          p->model->name, near);
            char names[1024];
            hp_names(p->model, names, sizeof names);
            return atoll_config_error(cfg, section, NULL,
                                      "not a hyperparameter of %s (known: %s)", p->model->name,
                                      names);
        }
        if (atoll_config_has(cfg, MODEL, sp->name))
            return atoll_config_error(cfg, MODEL, sp->name,
                                      "fixed here and searched by [param %s]: keep one",
                                      sp->name);
        const atoll_hparam *h = &p->model->hparams[k];
        p->hp_of[i] = k;
        if (sp->kind == ATOLL_PARAM_CHOICE) {
            p->choice_value[i] = malloc(sp->n_choices * sizeof *p->choice_value[i]);
            if (!p->choice_value[i])
                return ATOLL_NOMEM("choice values");
            for (size_t c = 0; c < sp->n_choices; c++)
                if (atoll_hparam_parse(h, sp->choices[c], &p->choice_value[i][c]) != ATOLL_OK)
                    return at_key(cfg, section, "values");
            continue;
        }
        if (h->kind == ATOLL_HP_CHOICE)
            return atoll_config_error(cfg, section, "type",
                                      "%s's %s is a choice of %s: declare type = choice",
                                      p->model->name, h->name, h->choices);
        if (h->kind == ATOLL_HP_INT && sp->kind != ATOLL_PARAM_INT)
            return atoll_config_error(cfg, section, "type",
                                      "%s's %s is an integer: declare type = int",
                                      p->model->name, h->name);
        if (sp->low < h->low || sp->high > h->high)
            return atoll_config_error(cfg, section, sp->low < h->low ? "low" : "high",
                                      "%s's %s must stay in [%g, %g] (got [%g, %g])",
                                      p->model->name, h->name, h->low, h->high, sp->low,
                                      sp->high);
    }
    return ATOLL_OK;
}

/* [data] keys of the chosen source. Files are opened here once, so that a missing or
 * malformed file is reported by `atoll check` and before any rank starts. */
static int read_source(atoll_config *cfg, model_params *p)
{
    const char *dataset = NULL, *s = NULL;
    ATOLL_CALL(atoll_config_get_string(cfg, DATA, "dataset", "synthetic", false, &dataset));
    int task = 0;
    if (strcmp(dataset, "synthetic") == 0) {
        p->source = SOURCE_SYNTHETIC;
        atoll_synthetic_spec *sy = &p->synthetic;
        long samples, features, informative, classes, seed;
        ATOLL_CALL(atoll_config_get_enum(cfg, DATA, "task", "classification", task_names,
                                         &task));
        sy->task = task == ATOLL_TASK_REGRESSION ? ATOLL_TASK_REGRESSION
                                                 : ATOLL_TASK_CLASSIFICATION;
        ATOLL_CALL(atoll_config_get_long(cfg, DATA, "n_samples", 2000, 2, 100000000, &samples));
        ATOLL_CALL(atoll_config_get_long(cfg, DATA, "features", 20, 1, 1000000, &features));
        ATOLL_CALL(atoll_config_get_long(cfg, DATA, "informative", features < 10 ? features : 10,
                                         1, features, &informative));
        classes = 0;
        if (sy->task == ATOLL_TASK_CLASSIFICATION)
            ATOLL_CALL(atoll_config_get_long(cfg, DATA, "classes", 3, 2, 100000, &classes));
        ATOLL_CALL(atoll_config_get_double(cfg, DATA, "noise",
                                           sy->task == ATOLL_TASK_CLASSIFICATION ? 0.05 : 0.1,
                                           0.0, sy->task == ATOLL_TASK_CLASSIFICATION ? 1.0 : 1e6,
                                           &sy->noise));
        ATOLL_CALL(atoll_config_get_long(cfg, DATA, "data_seed", 1, 0, 0x7fffffffL, &seed));
        sy->samples = (size_t)samples;
        sy->features = (size_t)features;
        sy->informative = (size_t)informative;
        sy->classes = (int)classes;
        sy->seed = (uint64_t)seed;
        p->task = sy->task;
        return ATOLL_OK;
    }

    atoll_dataset probe = {0};
    int rc;
    if (strcmp(dataset, "csv") == 0) {
        p->source = SOURCE_CSV;
        ATOLL_CALL(atoll_config_get_string(cfg, DATA, "path", NULL, false, &s));
        if (!s)
            return atoll_config_error(cfg, DATA, "dataset", "dataset = csv needs a path key");
        ATOLL_CALL(dup_opt(s, &p->path));
        ATOLL_CALL(atoll_config_get_string(cfg, DATA, "label", NULL, false, &s));
        ATOLL_CALL(dup_opt(s, &p->label));
        ATOLL_CALL(atoll_config_get_enum(cfg, DATA, "task", "auto", task_names, &task));
        rc = atoll_data_load_csv(p->path, p->label, (atoll_task)task, &probe);
        if (rc != ATOLL_OK)
            return at_key(cfg, DATA, "path");
    } else if (strcmp(dataset, "idx") == 0) {
        p->source = SOURCE_IDX;
        const char *images = NULL, *labels = NULL;
        ATOLL_CALL(atoll_config_get_string(cfg, DATA, "images", NULL, false, &images));
        ATOLL_CALL(atoll_config_get_string(cfg, DATA, "labels", NULL, false, &labels));
        if (!images || !labels)
            return atoll_config_error(cfg, DATA, "dataset",
                                      "dataset = idx needs images and labels keys");
        ATOLL_CALL(dup_opt(images, &p->images));
        ATOLL_CALL(dup_opt(labels, &p->labels));
        rc = atoll_data_load_idx(p->images, p->labels, &probe);
        if (rc != ATOLL_OK)
            return at_key(cfg, DATA, "images");
    } else if (atoll_data_is_named(dataset)) {
        p->source = SOURCE_NAMED;
        ATOLL_CALL(dup_opt(dataset, &p->name));
        ATOLL_CALL(atoll_config_get_string(cfg, DATA, "dir", NULL, false, &s));
        ATOLL_CALL(dup_opt(s, &p->dir));
        rc = atoll_data_load_named(p->name, p->dir, &probe);
        if (rc != ATOLL_OK)
            return at_key(cfg, DATA, p->dir ? "dir" : "dataset");
    } else {
        char known[512] = "";
        size_t used = 0;
        for (size_t i = 0; atoll_data_names[i] && used < sizeof known; i++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s, ",
                                     atoll_data_names[i]);
        return atoll_config_error(cfg, DATA, "dataset",
                                  "unknown dataset '%s' (known: %ssynthetic, csv, idx)",
                                  dataset, known);
    }
    p->task = probe.n_classes >= 2 ? ATOLL_TASK_CLASSIFICATION : ATOLL_TASK_REGRESSION;
    atoll_dataset_free(&probe);
    return ATOLL_OK;
}

/* How [data] splits: one stratified train/validation split, or k folds. */
static int read_split(atoll_config *cfg, model_params *p)
{
    ATOLL_CALL(atoll_config_get_long(cfg, DATA, "samples", 0, 0, 1000000000L, &p->samples));
    ATOLL_CALL(atoll_config_get_long(cfg, DATA, "folds", 1, 1, 1000, &p->folds));
    ATOLL_CALL(atoll_config_get_long(cfg, DATA, "split_seed", 1, 0, 0x7fffffffL,
                                     &p->split_seed));
    ATOLL_CALL(atoll_config_get_bool(cfg, DATA, "standardize", true, &p->standardize));
    if (p->folds >= 2) {
        static const char *const single[] = {"valid_fraction", "train_samples",
                                             "valid_samples"};
        for (size_t i = 0; i < sizeof single / sizeof *single; i++)
            if (atoll_config_has(cfg, DATA, single[i]))
                return atoll_config_error(cfg, DATA, single[i],
                                          "not used with folds = %ld (each fold validates "
                                          "on its own part)",
                                          p->folds);
        return ATOLL_OK;
    }
    ATOLL_CALL(atoll_config_get_double(cfg, DATA, "valid_fraction", 0.2, 1e-6, 1.0 - 1e-6,
                                       &p->valid_fraction));
    ATOLL_CALL(atoll_config_get_long(cfg, DATA, "train_samples", 0, 0, 1000000000L,
                                     &p->train_samples));
    ATOLL_CALL(atoll_config_get_long(cfg, DATA, "valid_samples", 0, 0, 1000000000L,
                                     &p->valid_samples));
    return ATOLL_OK;
}

/* [objective] metric and threads; the metric must fit the task. */
static int read_objective(atoll_config *cfg, model_params *p)
{
    bool classify = p->task == ATOLL_TASK_CLASSIFICATION;
    int metric = 0;
    ATOLL_CALL(atoll_config_get_enum(cfg, OBJ, "metric", classify ? "accuracy" : "rmse",
                                     atoll_metric_names, &metric));
    p->metric = (atoll_metric)metric;
    if (atoll_metric_for_classification(p->metric) != classify)
        return atoll_config_error(cfg, OBJ, "metric", "%s scores %s, but the data is a %s task",
                                  atoll_metric_names[metric],
                                  classify ? "regressors" : "classifiers",
                                  classify ? "classification" : "regression");
    if ((classify && !p->model->classifies) || (!classify && !p->model->regresses))
        return atoll_config_error(cfg, OBJ, "type", "%s does not do %s", p->model->name,
                                  classify ? "classification" : "regression");
    ATOLL_CALL(atoll_config_get_long(cfg, OBJ, "threads", 1, 1, 1024, &p->threads));
    return ATOLL_OK;
}

static int configure_model(const atoll_model_type *model, atoll_config *cfg,
                           atoll_space *space, void **params)
{
    int rc = ATOLL_OK;
    model_params *p = calloc(1, sizeof *p);
    if (!p)
        return ATOLL_NOMEM("model objective parameters");
    p->model = model;
    p->n_hp = atoll_model_n_hparams(model);
    p->n_params = space->n;
    p->fixed = calloc(p->n_hp, sizeof *p->fixed);
    p->hp_of = calloc(space->n ? space->n : 1, sizeof *p->hp_of);
    p->choice_value = calloc(space->n ? space->n : 1, sizeof *p->choice_value);
    if (!p->fixed || !p->hp_of || !p->choice_value) {
        rc = ATOLL_NOMEM("model objective parameters");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, read_source(cfg, p));
    ATOLL_CALL_GOTO(rc, read_split(cfg, p));
    ATOLL_CALL_GOTO(rc, read_objective(cfg, p));
    ATOLL_CALL_GOTO(rc, read_fixed(cfg, space, p));
    ATOLL_CALL_GOTO(rc, map_params(cfg, space, p));
    *params = p;
    return ATOLL_OK;
fail:
    model_free_params(p);
    return rc;
}

static atoll_direction model_direction(const void *params)
{
    const model_params *p = params;
    return atoll_metric_maximize(p->metric) ? ATOLL_MAXIMIZE : ATOLL_MINIMIZE;
}

static void model_destroy(void *state)
{
    model_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->n_splits; i++) {
        if (st->train)
            atoll_dataset_free(&st->train[i]);
        if (st->valid)
            atoll_dataset_free(&st->valid[i]);
    }
    free(st->train);
    free(st->valid);
    free(st->pred);
    free(st->hp);
    free(st);
}

static int load(const model_params *p, atoll_dataset *all)
{
    switch (p->source) {
    case SOURCE_SYNTHETIC:
        return atoll_data_synthetic(&p->synthetic, all);
    case SOURCE_CSV:
        return atoll_data_load_csv(p->path, p->label,
                                   p->task == ATOLL_TASK_CLASSIFICATION
                                       ? ATOLL_TASK_CLASSIFICATION
                                       : ATOLL_TASK_REGRESSION,
                                   all);
    case SOURCE_IDX:
        return atoll_data_load_idx(p->images, p->labels, all);
    default:
        return atoll_data_load_named(p->name, p->dir, all);
    }
}

/* Standardise a split's two parts with statistics of its training part. */
static int scale(const model_params *p, atoll_dataset *train, atoll_dataset *valid)
{
    if (!p->standardize)
        return ATOLL_OK;
    atoll_scaler s = {0};
    ATOLL_CALL(atoll_scaler_fit(train, &s));
    atoll_scaler_apply(&s, train);
    atoll_scaler_apply(&s, valid);
    atoll_scaler_free(&s);
    return ATOLL_OK;
}

/* Make the splits: every rank gets the same ones, whatever the run seed, so that scores of
 * different runs compare. */
static int make_splits(const model_params *p, atoll_dataset *all, model_state *st)
{
    uint64_t seed = atoll_rng_seed((uint64_t)p->split_seed, ATOLL_STREAM_OBJECTIVE, 0);
    ATOLL_CALL(atoll_data_subsample(all, (size_t)p->samples, seed));
    if (p->folds < 2) {
        ATOLL_CALL(atoll_data_split(all, p->valid_fraction, seed + 1, &st->train[0],
                                    &st->valid[0]));
        st->n_splits = 1;
        ATOLL_CALL(atoll_data_subsample(&st->train[0], (size_t)p->train_samples, seed + 2));
        ATOLL_CALL(atoll_data_subsample(&st->valid[0], (size_t)p->valid_samples, seed + 3));
        return scale(p, &st->train[0], &st->valid[0]);
    }
    if ((size_t)p->folds > all->n)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "[data] folds: must be <= the %zu samples (got %ld)",
                           all->n, p->folds);
    int *fold = malloc(all->n * sizeof *fold);
    if (!fold)
        return ATOLL_NOMEM("fold assignment");
    int rc = atoll_data_folds(all, (int)p->folds, seed + 1, fold);
    for (long k = 0; rc == ATOLL_OK && k < p->folds; k++) {
        rc = atoll_data_fold_split(all, fold, (int)k, &st->train[k], &st->valid[k]);
        st->n_splits = (size_t)k + 1;
        if (rc == ATOLL_OK)
            rc = scale(p, &st->train[k], &st->valid[k]);
    }
    free(fold);
    return rc;
}

static int model_create(const void *params, const atoll_space *space,
                        const atoll_objective_env *env, void **state)
{
    (void)space;
    (void)env;
    const model_params *p = params;
    int rc = ATOLL_OK;
    atoll_dataset all = {0};
    model_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("model objective state");
    st->par = p;
    size_t n_splits = p->folds < 2 ? 1 : (size_t)p->folds;
    st->train = calloc(n_splits, sizeof *st->train);
    st->valid = calloc(n_splits, sizeof *st->valid);
    st->hp = malloc(p->n_hp * sizeof *st->hp);
    if (!st->train || !st->valid || !st->hp) {
        rc = ATOLL_NOMEM("model objective state");
        goto fail;
    }
    openblas_set_num_threads((int)p->threads);
    ATOLL_CALL_GOTO(rc, load(p, &all));
    ATOLL_CALL_GOTO(rc, make_splits(p, &all, st));
    size_t most = 0;
    for (size_t k = 0; k < st->n_splits; k++)
        most = st->valid[k].n > most ? st->valid[k].n : most;
    size_t width = all.n_classes >= 2 ? (size_t)all.n_classes : 1;
    st->pred = malloc(most * width * sizeof *st->pred);
    if (!st->pred) {
        rc = ATOLL_NOMEM("predictions");
        goto fail;
    }
    atoll_dataset_free(&all);
    *state = st;
    return ATOLL_OK;
fail:
    atoll_dataset_free(&all);
    model_destroy(st);
    return rc;
}

/* The hyperparameters of one trial: the fixed ones, then the searched ones. */
static void trial_hparams(const model_params *p, const atoll_value *values, double *hp)
{
    memcpy(hp, p->fixed, p->n_hp * sizeof *hp);
    for (size_t i = 0; i < p->n_params; i++) {
        long k = p->hp_of[i];
        hp[k] = p->choice_value[i] ? p->choice_value[i][values[i].index] : values[i].num;
    }
}

static int model_evaluate(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                          atoll_eval *out)
{
    model_state *st = state;
    const model_params *p = st->par;
    const atoll_model_type *m = p->model;
    trial_hparams(p, values, st->hp);
    double score = 0, epochs = 0, train_s = 0;
    out->status = ATOLL_STATUS_OK;
    for (size_t k = 0; k < st->n_splits; k++) {
        const atoll_dataset *train = &st->train[k], *valid = &st->valid[k];
        void *model = NULL;
        atoll_fit_info info = {0};
        double t = atoll_now();
        ATOLL_CALL(m->fit(st->hp, train, ctx->seed, &model, &info));
        train_s += atoll_now() - t;
        epochs += info.epochs;
        if (info.diverged || !model) {
            m->destroy(model);
            out->status = ATOLL_STATUS_DIVERGED;
            break;
        }
        int rc = m->predict(model, valid->x, valid->n, st->pred);
        m->destroy(model);
        ATOLL_CALL(rc);
        double s = atoll_metric_score(p->metric, valid->y, valid->n, valid->n_classes, st->pred);
        if (!isfinite(s)) {
            out->status = ATOLL_STATUS_DIVERGED;
            break;
        }
        score += s;
    }
    out->value = out->status == ATOLL_STATUS_OK ? score / (double)st->n_splits : NAN;
    out->extra[0] = train_s;
    out->extra[1] = epochs > 0 ? epochs / (double)st->n_splits : NAN;
    return ATOLL_OK;
}

#define MODEL_OBJECTIVE(NAME, SUMMARY)                                                             \
    static int configure_##NAME(atoll_config *cfg, atoll_space *space, void **params)          \
    {                                                                                          \
        return configure_model(&atoll_model_##NAME, cfg, space, params);                       \
    }                                                                                          \
    const atoll_objective_type atoll_objective_##NAME = {                                      \
        .name = #NAME,                                                                         \
        .summary = SUMMARY,                                                                    \
        .columns = model_columns,                                                                  \
        .configure = configure_##NAME,                                                         \
        .free_params = model_free_params,                                                      \
        .direction = model_direction,                                                          \
        .create = model_create,                                                                \
        .evaluate = model_evaluate,                                                            \
        .destroy = model_destroy,                                                              \
    };

extern const atoll_model_type atoll_model_mlp, atoll_model_forest, atoll_model_linear;

MODEL_OBJECTIVE(mlp, "train a multilayer perceptron on [data]; score = [objective] metric")
MODEL_OBJECTIVE(forest, "train a random forest on [data]; score = [objective] metric")
MODEL_OBJECTIVE(linear, "train a logistic/softmax or ridge/elastic-net model on [data]")
