/* model.c - the table of every model, lookup by name, and hyperparameter parsing. */
#include "ml/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

extern const atoll_model_type atoll_model_mlp;
extern const atoll_model_type atoll_model_forest;
extern const atoll_model_type atoll_model_linear;

/* Every model, NULL-terminated; a new model is one more row. */
const atoll_model_type *const atoll_models[] = {&atoll_model_mlp, &atoll_model_forest,
                                                &atoll_model_linear, NULL};

const atoll_model_type *atoll_model_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; atoll_models[i]; i++)
        if (strcmp(atoll_models[i]->name, name) == 0)
            return atoll_models[i];
    return NULL;
}

size_t atoll_model_n_hparams(const atoll_model_type *model)
{
    size_t n = 0;
    while (model->hparams[n].name)
        n++;
    return n;
}

long atoll_model_hparam_find(const atoll_model_type *model, const char *name)
{
    for (size_t i = 0; model->hparams[i].name; i++)
        if (strcmp(model->hparams[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Look `text` up in a '|'-separated list of names, each optionally "name=number". Returns the
 * position, or -1; *number gets the number after '=' (or the position). */
static long find_name(const char *list, const char *text, double *number)
{
    size_t len = strlen(text);
    long pos = 0;
    for (const char *p = list; p && *p; pos++) {
        const char *end = strchr(p, '|');
        size_t item = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', item);
        size_t name_len = eq ? (size_t)(eq - p) : item;
        if (name_len == len && strncmp(p, text, len) == 0) {
            *number = eq ? strtod(eq + 1, NULL) : (double)pos;
            return pos;
        }
        p = end ? end + 1 : NULL;
    }
    return -1;
}

int atoll_hparam_parse(const atoll_hparam *hp, const char *text, double *out)
{
    double v;
    if (hp->kind == ATOLL_HP_CHOICE) {
        if (find_name(hp->choices, text, &v) < 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "must be one of %s (got '%s')", hp->choices,
                               text);
        *out = v;
        return ATOLL_OK;
    }
    if (hp->choices && find_name(hp->choices, text, &v) >= 0) {
        *out = v;
        return ATOLL_OK;
    }
    char *end = NULL;
    errno = 0;
    v = strtod(text, &end);
    bool number = end != text && *end == '\0' && errno == 0 && isfinite(v);
    const char *what = hp->kind == ATOLL_HP_INT ? "an integer" : "a number";
    if (!number || (hp->kind == ATOLL_HP_INT && v != floor(v))) {
        if (hp->choices)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "must be %s in [%g, %g] or one of %s (got '%s')",
                               what, hp->low, hp->high, hp->choices, text);
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "must be %s (got '%s')", what, text);
    }
    if (v < hp->low || v > hp->high)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "must be in [%g, %g] (got %s)", hp->low, hp->high,
                           text);
    *out = v;
    return ATOLL_OK;
}

int atoll_model_defaults(const atoll_model_type *model, double *hp)
{
    for (size_t i = 0; model->hparams[i].name; i++) {
        if (atoll_hparam_parse(&model->hparams[i], model->hparams[i].def, &hp[i]) != ATOLL_OK) {
            char why[256];
            snprintf(why, sizeof why, "%s", atoll_error_message());
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "model %s: default of %s: %s", model->name,
                               model->hparams[i].name, why);
        }
    }
    return ATOLL_OK;
}
