/* forest.c - the "forest" model: a random forest of CART trees (classification or regression). */

/*
 * L. Breiman, "Random Forests", Machine Learning 45 (2001) 5-32, with CART trees (Breiman,
 * Friedman, Olshen, Stone, "Classification and Regression Trees", 1984), grown the way
 * scikit-learn's RandomForestClassifier / RandomForestRegressor grow them: each tree sees a
 * bootstrap sample (drawn with replacement, kept as per-sample weights), every node draws
 * max_features candidate features without replacement (drawing on while all drawn so far
 * are constant in the node), sorts the node's samples by each candidate and takes the
 * threshold, a midpoint between distinct consecutive values, that most reduces the Gini
 * impurity (classification) or the variance (regression). Nodes are split until they are
 * pure, smaller than min_samples_split, at max_depth, or have no split leaving
 * min_samples_leaf distinct samples on both sides. A classification leaf keeps its class
 * distribution and the forest averages the trees' distributions; a regression leaf keeps
 * its mean. Tree t draws from stream (seed, ATOLL_STREAM_OBJECTIVE, t), so a fit is a pure
 * function of the data, the hyperparameters and the seed. Trees are flat node arrays
 * walked iteratively.
 */
#include "ml/forest.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* The named values of max_features. */
#define FOREST_SQRT (-1.0)
#define FOREST_LOG2 (-2.0)
#define FOREST_AUTO (-3.0)

/* Below this many elements a sort finishes by insertion. */
#define SORT_SMALL 16

enum {
    HP_N_ESTIMATORS,
    HP_MAX_DEPTH,
    HP_MIN_SPLIT,
    HP_MIN_LEAF,
    HP_MAX_FEATURES,
    HP_BOOTSTRAP,
    HP_MAX_SAMPLES
};

static const atoll_hparam forest_hparams[] = {
    {"n_estimators", ATOLL_HP_INT, 1, 100000, NULL, "100", "number of trees"},
    {"max_depth", ATOLL_HP_INT, 0, 10000, NULL, "0", "deepest level of a tree (0: unlimited)"},
    {"min_samples_split", ATOLL_HP_INT, 2, 1e9, NULL, "2",
     "fewest distinct samples a node needs to be split"},
    {"min_samples_leaf", ATOLL_HP_INT, 1, 1e9, NULL, "1",
     "fewest distinct samples on each side of a split"},
    {"max_features", ATOLL_HP_REAL, 0, 1, "sqrt=-1|log2=-2|auto=-3", "auto",
     "features tried per split: a fraction f of d (max(1, round(f d))), sqrt, log2, or auto "
     "(sqrt to classify, all to regress)"},
    {"bootstrap", ATOLL_HP_CHOICE, 0, 1, "off|on", "on",
     "train each tree on a bootstrap sample (off: on every sample)"},
    {"max_samples", ATOLL_HP_REAL, 0.01, 1, NULL, "1",
     "bootstrap sample size as a fraction of the samples (with bootstrap = on)"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* One node. A leaf has feature -1 and `left` is the offset of its value(s). */
typedef struct {
    int32_t feature;
    float threshold; /* go left when x[feature] <= threshold */
    int32_t left, right;
} forest_node;

typedef struct {
    forest_node *nodes; /* nodes[0] is the root */
    float *values;      /* leaf values: n_outputs per leaf */
    size_t n_nodes;
} forest_tree;

typedef struct {
    size_t d;
    int n_classes;    /* 0: regression */
    size_t n_outputs; /* n_classes, or 1 */
    size_t n_trees;
    forest_tree *trees;
} forest_model;

/* The hyperparameters, decoded for one training set. */
typedef struct {
    size_t n_trees;
    size_t max_depth; /* SIZE_MAX: unlimited */
    size_t min_split, min_leaf, max_features;
    bool bootstrap;
    size_t n_draws; /* bootstrap draws per tree */
} forest_params;

/* A node waiting to be grown: its samples are samples[start, end). */
typedef struct {
    size_t start, end, depth;
    int32_t parent; /* -1 for the root */
    bool is_left;
} forest_pending;

/* The best split found in a node. */
typedef struct {
    int32_t feature; /* -1: none */
    float threshold;
    size_t pos; /* samples going left */
    double proxy;
} forest_split;

/* Everything one fit needs, allocated once and shared by its trees. */
typedef struct {
    const forest_params *par;
    size_t n, d, k;     /* samples, features, outputs */
    int n_classes;      /* 0: regression */
    float *xt;          /* d x n, the features column by column */
    int32_t *label;     /* classification: each sample's class */
    double *target;     /* regression: each sample's value */
    uint32_t *count;    /* each sample's draws into the current tree */
    uint32_t *samples;  /* the current tree's distinct samples, grouped by node */
    float *vals;        /* one feature's values in a node, sorted with ... */
    uint32_t *order;    /* ... their samples */
    size_t *features;   /* a permutation of the features, for the draws */
    double *total;      /* a node's class weights */
    double *left;       /* the class weights left of a candidate threshold */
    forest_node *nodes; /* the tree being grown: at most 2 n - 1 nodes ... */
    float *values;      /* ... and n leaves */
    size_t n_nodes, n_values;
    forest_pending *stack; /* at most n pending nodes */
    gsl_rng *rng;
} forest_work;

/* ---------------------------------------------------------------- sorting */

static inline void swap_pair(float *v, uint32_t *ix, size_t a, size_t b)
{
    float t = v[a];
    v[a] = v[b];
    v[b] = t;
    uint32_t u = ix[a];
    ix[a] = ix[b];
    ix[b] = u;
}

static float median3(const float *v, size_t n)
{
    float a = v[0], b = v[n / 2], c = v[n - 1];
    if (a < b)
        return b < c ? b : (a < c ? c : a);
    return a < c ? a : (b < c ? c : b);
}

static void sift_down(float *v, uint32_t *ix, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (!(v[child] > v[root]))
            return;
        swap_pair(v, ix, root, child);
        root = child;
    }
}

static void heap_sort(float *v, uint32_t *ix, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, ix, i, n);
    for (size_t end = n; end-- > 1;) {
        swap_pair(v, ix, 0, end);
        sift_down(v, ix, 0, end);
    }
}

/*
 * Sort v[0..n) ascending, moving ix along: introsort with a median-of-three pivot and a
 * three-way partition (feature values repeat a lot), heap sort past `budget` levels, and
 * insertion sort for small runs. A NaN compares equal to everything, which cannot loop.
 */
static void sort_pairs(float *v, uint32_t *ix, size_t n, int budget)
{
    while (n > SORT_SMALL) {
        if (budget-- == 0) {
            heap_sort(v, ix, n);
            return;
        }
        float pivot = median3(v, n);
        size_t lt = 0, i = 0, gt = n; /* [0,lt) < pivot, [lt,i) == pivot, [gt,n) > pivot */
        while (i < gt) {
            if (v[i] < pivot)
                swap_pair(v, ix, lt++, i++);
            else if (v[i] > pivot)
                swap_pair(v, ix, i, --gt);
            else
                i++;
        }
        if (lt < n - gt) {
            sort_pairs(v, ix, lt, budget);
            v += gt;
            ix += gt;
            n -= gt;
        } else {
            sort_pairs(v + gt, ix + gt, n - gt, budget);
            n = lt;
        }
    }
    for (size_t i = 1; i < n; i++) {
        float key = v[i];
        uint32_t who = ix[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > key; j--) {
            v[j] = v[j - 1];
            ix[j] = ix[j - 1];
        }
        v[j] = key;
        ix[j] = who;
    }
}

/* ---------------------------------------------------------------- growing a tree */

/* A threshold strictly between a < b, as close to their midpoint as a float gets. */
static float midpoint(float a, float b)
{
    float mid = (float)(0.5 * ((double)a + (double)b));
    return mid < b ? mid : a;
}

/* Scan the sorted values of one feature for the best Gini threshold; update *best. */
static void scan_gini(forest_work *w, size_t m, double weight, int32_t feature, forest_split *best)
{
    size_t k = w->k, min_leaf = w->par->min_leaf;
    double sq_left = 0.0, sq_right = 0.0, w_left = 0.0;
    for (size_t c = 0; c < k; c++) {
        w->left[c] = 0.0;
        sq_right += w->total[c] * w->total[c];
    }
    size_t last = m - min_leaf; /* the last left-side size allowed */
    for (size_t p = 0; p + 1 < m && p + 1 <= last; p++) {
        uint32_t s = w->order[p];
        int32_t c = w->label[s];
        double cw = (double)w->count[s];
        double l = w->left[c], r = w->total[c] - l;
        sq_left += cw * (2.0 * l + cw);
        sq_right += cw * (cw - 2.0 * r);
        w->left[c] = l + cw;
        w_left += cw;
        if (p + 1 < min_leaf || !(w->vals[p + 1] > w->vals[p]))
            continue;
        double proxy = sq_left / w_left + sq_right / (weight - w_left);
        if (proxy > best->proxy) {
            best->proxy = proxy;
            best->feature = feature;
            best->pos = p + 1;
            best->threshold = midpoint(w->vals[p], w->vals[p + 1]);
        }
    }
}

/* Scan the sorted values of one feature for the best variance threshold; update *best. */
static void scan_variance(forest_work *w, size_t m, double weight, double sum, int32_t feature,
                          forest_split *best)
{
    size_t min_leaf = w->par->min_leaf;
    double s_left = 0.0, w_left = 0.0;
    size_t last = m - min_leaf;
    for (size_t p = 0; p + 1 < m && p + 1 <= last; p++) {
        uint32_t s = w->order[p];
        double cw = (double)w->count[s];
        s_left += cw * w->target[s];
        w_left += cw;
        if (p + 1 < min_leaf || !(w->vals[p + 1] > w->vals[p]))
            continue;
        double s_right = sum - s_left;
        double proxy = s_left * s_left / w_left + s_right * s_right / (weight - w_left);
        if (proxy > best->proxy) {
            best->proxy = proxy;
            best->feature = feature;
            best->pos = p + 1;
            best->threshold = midpoint(w->vals[p], w->vals[p + 1]);
        }
    }
}

/*
 * Find the best split of samples[start, end) (total weight `weight`, target sum `sum` for
 * regression). Features are drawn without replacement until max_features have been
 * visited and one of them was not constant in the node, or none is left.
 */
static void find_split(forest_work *w, size_t start, size_t end, double weight, double sum,
                       forest_split *best)
{
    size_t m = end - start, remaining = w->d, visited = 0, varying = 0;
    const uint32_t *samples = w->samples + start;
    int budget = 2;
    for (size_t s = m; s > 1; s >>= 1)
        budget += 2;
    best->feature = -1;
    best->proxy = -INFINITY;
    while (remaining > 0 && (visited < w->par->max_features || varying == 0)) {
        size_t j = (size_t)gsl_rng_uniform_int(w->rng, (unsigned long)remaining);
        remaining--;
        size_t f = w->features[j];
        w->features[j] = w->features[remaining];
        w->features[remaining] = f;
        visited++;

        const float *col = w->xt + f * w->n;
        float lo = col[samples[0]], hi = lo;
        for (size_t i = 0; i < m; i++) {
            float v = col[samples[i]];
            w->vals[i] = v;
            w->order[i] = samples[i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (!(hi > lo))
            continue;
        varying++;
        sort_pairs(w->vals, w->order, m, budget);
        if (w->n_classes > 0)
            scan_gini(w, m, weight, (int32_t)f, best);
        else
            scan_variance(w, m, weight, sum, (int32_t)f, best);
    }
}

/* Move the samples of [start, end) with x[feature] <= threshold to the front. */
static void partition(forest_work *w, size_t start, size_t end, const forest_split *split)
{
    const float *col = w->xt + (size_t)split->feature * w->n;
    uint32_t *s = w->samples;
    size_t i = start, j = end;
    while (i < j) {
        if (col[s[i]] <= split->threshold) {
            i++;
        } else {
            uint32_t t = s[i];
            s[i] = s[--j];
            s[j] = t;
        }
    }
}

/* Grow one node from `job`: make it a leaf or split it and queue its children. */
static void grow_node(forest_work *w, const forest_pending *job, size_t *n_pending)
{
    int32_t id = (int32_t)w->n_nodes++;
    forest_node *node = &w->nodes[id];
    if (job->parent >= 0) {
        if (job->is_left)
            w->nodes[job->parent].left = id;
        else
            w->nodes[job->parent].right = id;
    }
    size_t start = job->start, end = job->end, m = end - start;
    double weight = 0.0, sum = 0.0;
    bool pure = true;
    if (w->n_classes > 0) {
        memset(w->total, 0, w->k * sizeof *w->total);
        int32_t first = w->label[w->samples[start]];
        for (size_t i = start; i < end; i++) {
            uint32_t s = w->samples[i];
            w->total[w->label[s]] += (double)w->count[s];
            pure = pure && w->label[s] == first;
        }
        for (size_t c = 0; c < w->k; c++)
            weight += w->total[c];
    } else {
        double first = w->target[w->samples[start]];
        for (size_t i = start; i < end; i++) {
            uint32_t s = w->samples[i];
            weight += (double)w->count[s];
            sum += (double)w->count[s] * w->target[s];
            pure = pure && w->target[s] == first;
        }
    }

    forest_split split = {.feature = -1};
    bool leaf = pure || m < w->par->min_split || m < 2 * w->par->min_leaf ||
                job->depth >= w->par->max_depth;
    if (!leaf) {
        find_split(w, start, end, weight, sum, &split);
        leaf = split.feature < 0;
    }
    if (leaf) {
        node->feature = -1;
        node->threshold = 0.0f;
        node->left = (int32_t)w->n_values;
        node->right = -1;
        float *value = w->values + w->n_values;
        if (w->n_classes > 0)
            for (size_t c = 0; c < w->k; c++)
                value[c] = (float)(w->total[c] / weight);
        else
            value[0] = (float)(sum / weight);
        w->n_values += w->k;
        return;
    }
    partition(w, start, end, &split);
    node->feature = split.feature;
    node->threshold = split.threshold;
    node->left = node->right = -1;
    size_t mid = start + split.pos;
    w->stack[(*n_pending)++] = (forest_pending){mid, end, job->depth + 1, id, false};
    w->stack[(*n_pending)++] = (forest_pending){start, mid, job->depth + 1, id, true};
}

/* Grow tree `t` of the forest into out (its arrays newly allocated). */
static int grow_tree(forest_work *w, uint64_t seed, size_t t, forest_tree *out)
{
    w->rng = atoll_rng_stream(seed, ATOLL_STREAM_OBJECTIVE, (uint64_t)t);
    if (!w->rng)
        return ATOLL_NOMEM("a forest random stream");
    if (w->par->bootstrap) {
        memset(w->count, 0, w->n * sizeof *w->count);
        for (size_t i = 0; i < w->par->n_draws; i++)
            w->count[gsl_rng_uniform_int(w->rng, (unsigned long)w->n)]++;
    } else {
        for (size_t i = 0; i < w->n; i++)
            w->count[i] = 1;
    }
    size_t m = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->count[i] > 0)
            w->samples[m++] = (uint32_t)i;
    for (size_t f = 0; f < w->d; f++)
        w->features[f] = f;

    w->n_nodes = w->n_values = 0;
    size_t n_pending = 0;
    w->stack[n_pending++] = (forest_pending){0, m, 0, -1, false};
    while (n_pending > 0) {
        forest_pending job = w->stack[--n_pending];
        grow_node(w, &job, &n_pending);
    }
    gsl_rng_free(w->rng);
    w->rng = NULL;

    out->n_nodes = w->n_nodes;
    out->nodes = malloc(w->n_nodes * sizeof *out->nodes);
    out->values = malloc(w->n_values * sizeof *out->values);
    if (!out->nodes || !out->values)
        return ATOLL_NOMEM("a forest tree");
    memcpy(out->nodes, w->nodes, w->n_nodes * sizeof *out->nodes);
    memcpy(out->values, w->values, w->n_values * sizeof *out->values);
    return ATOLL_OK;
}

static void work_free(forest_work *w)
{
    free(w->xt);
    free(w->label);
    free(w->target);
    free(w->count);
    free(w->samples);
    free(w->vals);
    free(w->order);
    free(w->features);
    free(w->total);
    free(w->left);
    free(w->nodes);
    free(w->values);
    free(w->stack);
    gsl_rng_free(w->rng);
}

/* Allocate the workspace and copy the training set into it. */
static int work_init(forest_work *w, const forest_params *par, const atoll_dataset *train)
{
    size_t n = train->n, d = train->d;
    memset(w, 0, sizeof *w);
    w->par = par;
    w->n = n;
    w->d = d;
    w->n_classes = train->n_classes;
    w->k = train->n_classes > 0 ? (size_t)train->n_classes : 1;
    w->xt = malloc(n * d * sizeof *w->xt);
    w->count = malloc(n * sizeof *w->count);
    w->samples = malloc(n * sizeof *w->samples);
    w->vals = malloc(n * sizeof *w->vals);
    w->order = malloc(n * sizeof *w->order);
    w->features = malloc(d * sizeof *w->features);
    w->total = malloc(w->k * sizeof *w->total);
    w->left = malloc(w->k * sizeof *w->left);
    w->nodes = malloc((2 * n) * sizeof *w->nodes);
    w->values = malloc(n * w->k * sizeof *w->values);
    w->stack = malloc(n * sizeof *w->stack);
    if (w->n_classes > 0)
        w->label = malloc(n * sizeof *w->label);
    else
        w->target = malloc(n * sizeof *w->target);
    if (!w->xt || !w->count || !w->samples || !w->vals || !w->order || !w->features || !w->total ||
        !w->left || !w->nodes || !w->values || !w->stack || (!w->label && !w->target))
        return ATOLL_NOMEM("the forest workspace");
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < d; f++)
            w->xt[f * n + i] = train->x[i * d + f];
    for (size_t i = 0; i < n; i++) {
        float y = train->y[i];
        if (w->n_classes == 0) {
            w->target[i] = y;
            continue;
        }
        if (!(y >= 0.0f && y < (float)w->n_classes && y == floorf(y)))
            return ATOLL_RAISE(ATOLL_ERR_USAGE,
                               "forest: label %g of sample %zu is not a class index in [0, %d)",
                               (double)y, i + 1, w->n_classes);
        w->label[i] = (int32_t)y;
    }
    return ATOLL_OK;
}

/* Decode hp[] for a training set of n samples and d features. */
static void decode_params(const double *hp, size_t n, size_t d, bool classify, forest_params *p)
{
    p->n_trees = (size_t)hp[HP_N_ESTIMATORS];
    p->max_depth = hp[HP_MAX_DEPTH] > 0.0 ? (size_t)hp[HP_MAX_DEPTH] : SIZE_MAX;
    p->min_split = (size_t)hp[HP_MIN_SPLIT];
    p->min_leaf = (size_t)hp[HP_MIN_LEAF];
    double f = hp[HP_MAX_FEATURES];
    if (f == FOREST_AUTO)
        f = classify ? FOREST_SQRT : 1.0;
    double k;
    if (f == FOREST_SQRT)
        k = floor(sqrt((double)d));
    else if (f == FOREST_LOG2)
        k = floor(log2((double)d));
    else
        k = round(f * (double)d);
    p->max_features = k < 1.0 ? 1 : k > (double)d ? d : (size_t)k;
    p->bootstrap = hp[HP_BOOTSTRAP] != 0.0;
    double draws = round(hp[HP_MAX_SAMPLES] * (double)n);
    p->n_draws = draws < 1.0 ? 1 : (size_t)draws;
}

/* ---------------------------------------------------------------- the model */

static void forest_destroy(void *model)
{
    forest_model *fm = model;
    if (!fm)
        return;
    for (size_t t = 0; t < fm->n_trees; t++) {
        free(fm->trees[t].nodes);
        free(fm->trees[t].values);
    }
    free(fm->trees);
    free(fm);
}

static int forest_fit(const double *hp, const atoll_dataset *train, uint64_t seed, void **model,
                      atoll_fit_info *info)
{
    *model = NULL;
    info->epochs = 0.0;
    info->diverged = false;
    if (train->n == 0 || train->d == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "forest: the training set has %zu samples of %zu "
                           "features",
                           train->n, train->d);
    size_t k = train->n_classes > 0 ? (size_t)train->n_classes : 1;
    if (train->n > INT32_MAX / 2 || train->d > INT32_MAX || train->n * k > INT32_MAX)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "forest: the training set is too large (%zu x %zu)",
                           train->n, train->d);
    forest_params par;
    decode_params(hp, train->n, train->d, train->n_classes > 0, &par);
    int rc = ATOLL_OK;
    forest_work w;
    forest_model *fm = calloc(1, sizeof *fm);
    if (!fm) {
        memset(&w, 0, sizeof w);
        rc = ATOLL_NOMEM("a forest");
        goto fail;
    }
    ATOLL_CALL_GOTO(rc, work_init(&w, &par, train));
    fm->d = train->d;
    fm->n_classes = train->n_classes;
    fm->n_outputs = w.k;
    fm->trees = calloc(par.n_trees, sizeof *fm->trees);
    if (!fm->trees) {
        rc = ATOLL_NOMEM("the forest trees");
        goto fail;
    }
    for (size_t t = 0; t < par.n_trees; t++) {
        fm->n_trees = t + 1;
        ATOLL_CALL_GOTO(rc, grow_tree(&w, seed, t, &fm->trees[t]));
    }
    work_free(&w);
    *model = fm;
    return ATOLL_OK;
fail:
    work_free(&w);
    forest_destroy(fm);
    return rc;
}

static int forest_predict(const void *model, const float *x, size_t n, float *out)
{
    const forest_model *fm = model;
    size_t k = fm->n_outputs, d = fm->d;
    float scale = 1.0f / (float)fm->n_trees;
    memset(out, 0, n * k * sizeof *out);
    for (size_t t = 0; t < fm->n_trees; t++) {
        const forest_node *nodes = fm->trees[t].nodes;
        const float *values = fm->trees[t].values;
        for (size_t i = 0; i < n; i++) {
            const float *row = x + i * d;
            const forest_node *node = nodes;
            while (node->feature >= 0)
                node = nodes + (row[node->feature] <= node->threshold ? node->left : node->right);
            const float *value = values + node->left;
            float *dst = out + i * k;
            for (size_t c = 0; c < k; c++)
                dst[c] += value[c];
        }
    }
    for (size_t i = 0; i < n * k; i++)
        out[i] *= scale;
    return ATOLL_OK;
}

/* The forest model's type table, registered in model.c. */
const atoll_model_type atoll_model_forest = {
    .name = "forest",
    .summary = "random forest of CART trees (Gini / variance splits, bootstrap, feature bagging)",
    .hparams = forest_hparams,
    .classifies = true,
    .regresses = true,
    .fit = forest_fit,
    .predict = forest_predict,
    .destroy = forest_destroy,
};
