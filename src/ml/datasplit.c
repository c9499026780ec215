/* datasplit.c - synthetic datasets, subsets, stratified splits, subsamples and folds, scaling. */

/*
 * Splits, folds and subsamples are stratified by class for classification: each class's rows
 * are shuffled with gsl_ran_shuffle from a stream seeded by the caller's seed, then cut by the
 * class's share.
 */
#include "ml/datasplit.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* Stream indices of the ATOLL_STREAM_OBJECTIVE family, one per use of a caller's seed, so that
 * a split and a subsample drawn from the same seed are unrelated. */
enum { STREAM_SYNTHETIC = 0, STREAM_SPLIT = 1, STREAM_SUBSAMPLE = 2, STREAM_FOLDS = 3 };

/* ---------------------------------------------------------------- subsets */

int atoll_data_subset(const atoll_dataset *src, const size_t *rows, size_t n, atoll_dataset *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= src->n)
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "subset: row %zu out of range (the dataset has %zu)", rows[i],
                               src->n);
    ATOLL_CALL(atoll_dataset_alloc(n, src->d, src->n_classes, out));
    for (size_t i = 0; i < n; i++) {
        memcpy(out->x + i * src->d, src->x + rows[i] * src->d, src->d * sizeof(float));
        out->y[i] = src->y[rows[i]];
    }
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- synthetic */

static int synthetic_check(const atoll_synthetic_spec *s, bool classification)
{
    if (s->task != ATOLL_TASK_AUTO && s->task != ATOLL_TASK_CLASSIFICATION &&
        s->task != ATOLL_TASK_REGRESSION)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "synthetic: unknown task %d", (int)s->task);
    if (s->samples < 2)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "synthetic: samples must be >= 2 (got %zu)",
                           s->samples);
    if (s->features < 1)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "synthetic: features must be >= 1 (got %zu)",
                           s->features);
    if (s->informative < 1 || s->informative > s->features)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "synthetic: informative must be in [1, features] (got %zu)",
                           s->informative);
    if (classification && (s->classes < 2 || (size_t)s->classes > s->samples))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "synthetic: classes must be in [2, samples] (got %d)",
                           s->classes);
    if (!(s->noise >= 0.0) || !isfinite(s->noise))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "synthetic: noise must be >= 0 (got %g)", s->noise);
    if (classification && s->noise > 1.0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "synthetic: noise must be in [0, 1] for classification (got %g)",
                           s->noise);
    return ATOLL_OK;
}

/*
 * The draws, in this order, all from one mt19937 stream of (seed, OBJECTIVE, 0).
 * Classification: K x informative centroid coordinates N(0, 1.5^2); the labels i mod K (so the
 * classes are balanced) shuffled; then row by row every feature N(centroid, 1) (centroid 0 for
 * the uninformative ones); then per row one uniform, and below `noise` a uniform other class.
 * Regression: the informative weights N(0, 1); every feature N(0, 1); then per row the target
 * w.x + 0.5 sin(2 x_0) + 0.25 x_{k-1}^2 + noise N(0, 1), k = informative.
 */
int atoll_data_synthetic(const atoll_synthetic_spec *spec, atoll_dataset *out)
{
    memset(out, 0, sizeof *out);
    bool classification = spec->task != ATOLL_TASK_REGRESSION;
    ATOLL_CALL(synthetic_check(spec, classification));
    size_t n = spec->samples, d = spec->features, k = spec->informative;
    int n_classes = classification ? spec->classes : 0;
    size_t params = classification ? (size_t)n_classes * k : k;
    if (params > SIZE_MAX / sizeof(double))
        return ATOLL_NOMEM("the synthetic problem");
    double *centre = malloc(params * sizeof *centre);
    gsl_rng *rng = atoll_rng_stream(spec->seed, ATOLL_STREAM_OBJECTIVE, STREAM_SYNTHETIC);
    int rc = ATOLL_OK;
    if (!centre || !rng) {
        rc = ATOLL_NOMEM("the synthetic problem");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, atoll_dataset_alloc(n, d, n_classes, out));
    for (size_t i = 0; i < params; i++)
        centre[i] = gsl_ran_gaussian(rng, classification ? 1.5 : 1.0);
    if (classification) {
        for (size_t i = 0; i < n; i++)
            out->y[i] = (float)(i % (size_t)n_classes);
        gsl_ran_shuffle(rng, out->y, n, sizeof(float));
        for (size_t i = 0; i < n; i++) {
            const double *c = centre + (size_t)out->y[i] * k;
            for (size_t j = 0; j < d; j++)
                out->x[i * d + j] = (float)((j < k ? c[j] : 0.0) + gsl_ran_gaussian(rng, 1.0));
        }
        for (size_t i = 0; i < n; i++) {
            if (gsl_rng_uniform(rng) < spec->noise) {
                unsigned long other = gsl_rng_uniform_int(rng, (unsigned long)n_classes - 1);
                out->y[i] =
                    (float)(((unsigned long)out->y[i] + 1 + other) % (unsigned long)n_classes);
            }
        }
    } else {
        for (size_t i = 0; i < n * d; i++)
            out->x[i] = (float)gsl_ran_gaussian(rng, 1.0);
        for (size_t i = 0; i < n; i++) {
            const float *x = out->x + i * d;
            double y = 0.5 * sin(2.0 * x[0]) + 0.25 * (double)x[k - 1] * x[k - 1];
            for (size_t j = 0; j < k; j++)
                y += centre[j] * x[j];
            out->y[i] = (float)(y + spec->noise * gsl_ran_gaussian(rng, 1.0));
        }
    }
    free(centre);
    gsl_rng_free(rng);
    return ATOLL_OK;
fail:
    atoll_dataset_free(out);
    free(centre);
    if (rng)
        gsl_rng_free(rng);
    return rc;
}

/* ---------------------------------------------------------------- stratified shuffles */

/* The rows of `ds` grouped (one group per class; one group of all rows for regression), each
 * group shuffled by `rng`: group g is rows[start[g] .. start[g+1]). */
typedef struct {
    size_t *rows;
    size_t *start;
    size_t groups;
} grouping;

static void grouping_free(grouping *g)
{
    free(g->rows);
    free(g->start);
    memset(g, 0, sizeof *g);
}

static void shuffle_rows(gsl_rng *rng, size_t *rows, size_t n)
{
    if (n > 1)
        gsl_ran_shuffle(rng, rows, n, sizeof *rows);
}

static int group_rows(const atoll_dataset *ds, gsl_rng *rng, grouping *g)
{
    memset(g, 0, sizeof *g);
    g->groups = ds->n_classes >= 2 ? (size_t)ds->n_classes : 1;
    g->rows = malloc((ds->n ? ds->n : 1) * sizeof *g->rows);
    g->start = calloc(g->groups + 1, sizeof *g->start);
    if (!g->rows || !g->start) {
        grouping_free(g);
        return ATOLL_NOMEM("a row grouping");
    }
    for (size_t i = 0; i < ds->n; i++) {
        size_t c = 0;
        if (g->groups > 1) {
            float y = ds->y[i];
            if (!(y >= 0.0f && y < (float)ds->n_classes && y == floorf(y))) {
                grouping_free(g);
                return ATOLL_RAISE(ATOLL_ERR_USAGE,
                                   "dataset: the label of sample %zu (%g) is not a class in "
                                   "[0, %d)",
                                   i, (double)y, ds->n_classes);
            }
            c = (size_t)y;
        }
        g->start[c + 1]++;
    }
    for (size_t c = 0; c < g->groups; c++)
        g->start[c + 1] += g->start[c];
    size_t *next = malloc(g->groups * sizeof *next);
    if (!next) {
        grouping_free(g);
        return ATOLL_NOMEM("a row grouping");
    }
    memcpy(next, g->start, g->groups * sizeof *next);
    for (size_t i = 0; i < ds->n; i++)
        g->rows[next[g->groups > 1 ? (size_t)ds->y[i] : 0]++] = i;
    free(next);
    for (size_t c = 0; c < g->groups; c++)
        shuffle_rows(rng, g->rows + g->start[c], g->start[c + 1] - g->start[c]);
    return ATOLL_OK;
}

static gsl_rng *stream(uint64_t seed, unsigned index)
{
    return atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, index);
}

/*
 * Each class (all rows for regression) of n_c samples sends round(n_c * f) of its shuffled rows
 * to valid, rounding halves up; a class of two or more keeps between 1 and n_c - 1 there, and a
 * single sample stays in train. If that leaves valid empty (every class a singleton), the
 * first train row moves over. Both sides are shuffled again, so classes interleave.
 */
int atoll_data_split(const atoll_dataset *ds, double valid_fraction, uint64_t seed,
                     atoll_dataset *train, atoll_dataset *valid)
{
    memset(train, 0, sizeof *train);
    memset(valid, 0, sizeof *valid);
    if (!(valid_fraction > 0.0 && valid_fraction < 1.0))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "valid_fraction must be in (0, 1) (got %g)",
                           valid_fraction);
    if (ds->n < 2)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "cannot split %zu sample%s in two", ds->n,
                           ds->n == 1 ? "" : "s");
    int rc = ATOLL_OK;
    grouping g = {0};
    size_t *parts = NULL;
    gsl_rng *rng = stream(seed, STREAM_SPLIT);
    if (!rng)
        return ATOLL_NOMEM("a random stream");
    ATOLL_CALL_GOTO(rc, group_rows(ds, rng, &g));
    parts = malloc(ds->n * sizeof *parts);
    if (!parts) {
        rc = ATOLL_NOMEM("a split");
        goto fail;
    }
    /* parts[0 .. n_valid) is valid, parts[n_valid .. n) train (filled from the end). */
    size_t n_valid = 0, n_train = 0;
    for (size_t c = 0; c < g.groups; c++) {
        size_t size = g.start[c + 1] - g.start[c];
        const size_t *rows = g.rows + g.start[c];
        size_t take = (size_t)floor((double)size * valid_fraction + 0.5);
        if (size < 2)
            take = 0;
        else if (take < 1)
            take = 1;
        else if (take > size - 1)
            take = size - 1;
        for (size_t j = 0; j < size; j++) {
            if (j < take)
                parts[n_valid++] = rows[j];
            else
                parts[ds->n - 1 - n_train++] = rows[j];
        }
    }
    if (n_valid == 0) {
        n_valid = 1;
        n_train--;
    }
    shuffle_rows(rng, parts, n_valid);
    shuffle_rows(rng, parts + n_valid, n_train);
    ATOLL_CALL_GOTO(rc, atoll_data_subset(ds, parts + n_valid, n_train, train));
    ATOLL_CALL_GOTO(rc, atoll_data_subset(ds, parts, n_valid, valid));
    free(parts);
    grouping_free(&g);
    gsl_rng_free(rng);
    return ATOLL_OK;
fail:
    atoll_dataset_free(train);
    atoll_dataset_free(valid);
    free(parts);
    grouping_free(&g);
    gsl_rng_free(rng);
    return rc;
}

typedef struct {
    double fraction;
    size_t group;
} remainder_key;

static int compare_remainders(const void *a, const void *b)
{
    const remainder_key *x = a, *y = b;
    if (x->fraction != y->fraction)
        return x->fraction < y->fraction ? 1 : -1;
    return (x->group > y->group) - (x->group < y->group);
}

/*
 * How many rows each group keeps so that they sum to n: the quota n_c * n / N rounded down,
 * then one more for the groups with the largest remainders (largest remainder method, ties to
 * the lower class). When n allows, every class keeps at least one row, taken from the group
 * that keeps most.
 */
static int subsample_counts(const grouping *g, size_t total, size_t n, size_t *keep)
{
    remainder_key *keys = malloc(g->groups * sizeof *keys);
    if (!keys)
        return ATOLL_NOMEM("a subsample");
    size_t kept = 0, present = 0;
    for (size_t c = 0; c < g->groups; c++) {
        size_t size = g->start[c + 1] - g->start[c];
        double quota = (double)size * (double)n / (double)total;
        keep[c] = (size_t)floor(quota);
        if (keep[c] > size)
            keep[c] = size;
        kept += keep[c];
        present += size > 0;
        keys[c] = (remainder_key){quota - floor(quota), c};
    }
    qsort(keys, g->groups, sizeof *keys, compare_remainders);
    while (kept < n) {
        for (size_t i = 0; i < g->groups && kept < n; i++) {
            size_t c = keys[i].group;
            if (keep[c] < g->start[c + 1] - g->start[c]) {
                keep[c]++;
                kept++;
            }
        }
    }
    free(keys);
    if (n < present)
        return ATOLL_OK;
    for (size_t c = 0; c < g->groups; c++) {
        if (keep[c] > 0 || g->start[c + 1] == g->start[c])
            continue;
        size_t donor = 0;
        for (size_t e = 1; e < g->groups; e++)
            if (keep[e] > keep[donor])
                donor = e;
        keep[donor]--;
        keep[c] = 1;
    }
    return ATOLL_OK;
}

int atoll_data_subsample(atoll_dataset *ds, size_t n, uint64_t seed)
{
    if (n == 0 || n >= ds->n)
        return ATOLL_OK;
    int rc = ATOLL_OK;
    grouping g = {0};
    size_t *keep = NULL, *rows = NULL;
    atoll_dataset kept = {0};
    gsl_rng *rng = stream(seed, STREAM_SUBSAMPLE);
    if (!rng)
        return ATOLL_NOMEM("a random stream");
    ATOLL_CALL_GOTO(rc, group_rows(ds, rng, &g));
    keep = malloc(g.groups * sizeof *keep);
    rows = malloc(n * sizeof *rows);
    if (!keep || !rows) {
        rc = ATOLL_NOMEM("a subsample");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, subsample_counts(&g, ds->n, n, keep));
    size_t m = 0;
    for (size_t c = 0; c < g.groups; c++)
        for (size_t j = 0; j < keep[c]; j++)
            rows[m++] = g.rows[g.start[c] + j];
    shuffle_rows(rng, rows, m);
    ATOLL_CALL_GOTO(rc, atoll_data_subset(ds, rows, m, &kept));
    atoll_dataset_free(ds);
    *ds = kept;
    free(keep);
    free(rows);
    grouping_free(&g);
    gsl_rng_free(rng);
    return ATOLL_OK;
fail:
    free(keep);
    free(rows);
    grouping_free(&g);
    gsl_rng_free(rng);
    return rc;
}

/* Deal each class's shuffled rows round-robin over the folds, the next class starting at the
 * fold after the one where the previous class stopped: fold sizes then differ by at most one
 * within every class and overall. */
int atoll_data_folds(const atoll_dataset *ds, int k, uint64_t seed, int *fold)
{
    if (k < 2 || (size_t)k > ds->n)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "folds must be in [2, %zu] (got %d)", ds->n, k);
    grouping g = {0};
    gsl_rng *rng = stream(seed, STREAM_FOLDS);
    if (!rng)
        return ATOLL_NOMEM("a random stream");
    int rc = group_rows(ds, rng, &g);
    gsl_rng_free(rng);
    if (rc != ATOLL_OK)
        return atoll_error_trace(rc, __FILE__, __LINE__);
    size_t next = 0;
    for (size_t i = 0; i < ds->n; i++) {
        fold[g.rows[i]] = (int)next;
        next = (next + 1) % (size_t)k;
    }
    grouping_free(&g);
    return ATOLL_OK;
}

int atoll_data_fold_split(const atoll_dataset *ds, const int *fold, int held, atoll_dataset *train,
                          atoll_dataset *valid)
{
    memset(train, 0, sizeof *train);
    memset(valid, 0, sizeof *valid);
    size_t held_n = 0;
    for (size_t i = 0; i < ds->n; i++)
        held_n += fold[i] == held;
    if (held_n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "fold %d holds no samples", held);
    if (held_n == ds->n)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "fold %d holds every sample", held);
    size_t *rows = malloc(ds->n * sizeof *rows);
    if (!rows)
        return ATOLL_NOMEM("a fold split");
    size_t v = 0, t = held_n;
    for (size_t i = 0; i < ds->n; i++)
        rows[fold[i] == held ? v++ : t++] = i;
    int rc = atoll_data_subset(ds, rows + held_n, ds->n - held_n, train);
    if (rc == ATOLL_OK)
        rc = atoll_data_subset(ds, rows, held_n, valid);
    free(rows);
    if (rc != ATOLL_OK) {
        atoll_dataset_free(train);
        atoll_dataset_free(valid);
        return atoll_error_trace(rc, __FILE__, __LINE__);
    }
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- scaling */

int atoll_scaler_fit(const atoll_dataset *train, atoll_scaler *out)
{
    memset(out, 0, sizeof *out);
    if (train->n == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "scaler: the training set is empty");
    size_t d = train->d;
    out->mean = malloc((d ? d : 1) * sizeof(float));
    out->scale = malloc((d ? d : 1) * sizeof(float));
    if (!out->mean || !out->scale) {
        atoll_scaler_free(out);
        return ATOLL_NOMEM("a scaler");
    }
    out->d = d;
    /* Two passes over the rows in row order, accumulating in double: GSL's strided
     * gsl_stats_float_mean / _sd_with_fixed_mean give the same figures but walk the matrix one
     * column at a time, ten times slower on a 60000 x 784 set. The sd is the population one. */
    double *sum = calloc(d ? d : 1, sizeof *sum), *sq = calloc(d ? d : 1, sizeof *sq);
    if (!sum || !sq) {
        free(sum);
        free(sq);
        atoll_scaler_free(out);
        return ATOLL_NOMEM("a scaler");
    }
    for (size_t i = 0; i < train->n; i++)
        for (size_t j = 0; j < d; j++)
            sum[j] += train->x[i * d + j];
    for (size_t j = 0; j < d; j++)
        sum[j] /= (double)train->n;
    for (size_t i = 0; i < train->n; i++) {
        for (size_t j = 0; j < d; j++) {
            double dev = train->x[i * d + j] - sum[j];
            sq[j] += dev * dev;
        }
    }
    for (size_t j = 0; j < d; j++) {
        /* Constant: no spread beyond the rounding of the mean (far below float resolution). */
        double sd = sqrt(sq[j] / (double)train->n);
        bool constant = !(sd > 1e-9 * fabs(sum[j])) || !isfinite(sd);
        out->mean[j] = (float)sum[j];
        out->scale[j] = constant ? 1.0f : (float)sd;
    }
    free(sum);
    free(sq);
    return ATOLL_OK;
}

void atoll_scaler_apply(const atoll_scaler *s, atoll_dataset *ds)
{
    if (!s || !ds || s->d != ds->d)
        return;
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * ds->d;
        for (size_t j = 0; j < ds->d; j++)
            row[j] = (float)(((double)row[j] - s->mean[j]) / s->scale[j]);
    }
}

void atoll_scaler_free(atoll_scaler *s)
{
    if (!s)
        return;
    free(s->mean);
    free(s->scale);
    memset(s, 0, sizeof *s);
}
