/* space.c - typed parameters encoded in the unit cube: decode, encode, snap. */
#include "core/space.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Columns of the trial log that a parameter may not shadow. */
static const char *const reserved_names[] = {"trial",    "rank",    "island",     "generation",
                                             "value",    "status",  "start_s",    "duration_s",
                                             "origin",   "seed",    NULL};

int atoll_space_create(atoll_space **out)
{
    atoll_space *space = calloc(1, sizeof *space);
    if (!space)
        return ATOLL_NOMEM("a space");
    *out = space;
    return ATOLL_OK;
}

void atoll_space_destroy(atoll_space **ps)
{
    if (!ps || !*ps)
        return;
    atoll_space *space = *ps;
    for (size_t i = 0; i < space->n; i++) {
        atoll_param *p = &space->params[i];
        free(p->name);
        for (size_t c = 0; c < p->n_choices; c++)
            free(p->choices[c]);
        free(p->choices);
    }
    free(space->params);
    free(space);
    *ps = NULL;
}

bool atoll_space_name_ok(const char *name)
{
    if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return false;
    for (const char *c = name; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return false;
    if (strlen(name) > 64)
        return false;
    for (size_t i = 0; reserved_names[i]; i++)
        if (strcmp(name, reserved_names[i]) == 0)
            return false;
    return true;
}

long atoll_space_find(const atoll_space *space, const char *name)
{
    for (size_t i = 0; i < space->n; i++)
        if (strcmp(space->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Append a zeroed parameter named `name`, after checking the name. */
static int add_param(atoll_space *space, const char *name, atoll_param **out)
{
    if (!atoll_space_name_ok(name))
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "parameter '%s': names are letters, digits and '_' (at most 64, "
                           "not starting with a digit) and not a trial log column",
                           name ? name : "");
    if (atoll_space_find(space, name) >= 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s' is defined twice", name);
    atoll_param *grown = realloc(space->params, (space->n + 1) * sizeof *grown);
    if (!grown)
        return ATOLL_NOMEM("a parameter");
    space->params = grown;
    atoll_param *p = &space->params[space->n];
    memset(p, 0, sizeof *p);
    p->name = strdup(name);
    if (!p->name)
        return ATOLL_NOMEM("a parameter name");
    space->n++;
    *out = p;
    return ATOLL_OK;
}

static int check_bounds(const char *name, double low, double high, atoll_scale scale)
{
    if (!isfinite(low) || !isfinite(high))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s': bounds must be finite", name);
    if (!(low < high))
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s': low must be < high (got %g >= %g)",
                           name, low, high);
    if (scale == ATOLL_SCALE_LOG && !(low > 0))
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "parameter '%s': log scale needs low > 0 (got %g)", name, low);
    return ATOLL_OK;
}

int atoll_space_add_real(atoll_space *space, const char *name, double low, double high,
                         atoll_scale scale)
{
    ATOLL_CALL(check_bounds(name, low, high, scale));
    atoll_param *p;
    ATOLL_CALL(add_param(space, name, &p));
    p->kind = ATOLL_PARAM_REAL;
    p->scale = scale;
    p->low = low;
    p->high = high;
    return ATOLL_OK;
}

int atoll_space_add_int(atoll_space *space, const char *name, double low, double high,
                        atoll_scale scale)
{
    ATOLL_CALL(check_bounds(name, low, high, scale));
    if (low != floor(low) || high != floor(high) || fabs(low) > 1e12 || fabs(high) > 1e12)
        return ATOLL_RAISE(ATOLL_ERR_USAGE,
                           "parameter '%s': int bounds must be integers of at most 1e12", name);
    atoll_param *p;
    ATOLL_CALL(add_param(space, name, &p));
    p->kind = ATOLL_PARAM_INT;
    p->scale = scale;
    p->low = low;
    p->high = high;
    return ATOLL_OK;
}

int atoll_space_add_choice(atoll_space *space, const char *name, size_t n_values,
                           const char *const *values)
{
    if (n_values == 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s': a choice needs at least one value",
                           name);
    for (size_t i = 0; i < n_values; i++) {
        if (!values[i] || !values[i][0])
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s': empty choice value", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(values[i], values[j]) == 0)
                return ATOLL_RAISE(ATOLL_ERR_USAGE, "parameter '%s': value '%s' is listed twice",
                                   name, values[i]);
    }
    atoll_param *p;
    ATOLL_CALL(add_param(space, name, &p));
    p->kind = ATOLL_PARAM_CHOICE;
    p->scale = ATOLL_SCALE_LINEAR;
    p->choices = calloc(n_values, sizeof *p->choices);
    if (!p->choices)
        return ATOLL_NOMEM("choice values");
    p->n_choices = n_values;
    for (size_t i = 0; i < n_values; i++) {
        p->choices[i] = strdup(values[i]);
        if (!p->choices[i])
            return ATOLL_NOMEM("a choice value");
    }
    p->low = 0;
    p->high = (double)(n_values - 1);
    return ATOLL_OK;
}

static double clamp01(double u)
{
    if (!(u >= 0.0)) /* also catches NaN */
        return 0.0;
    return u > 1.0 ? 1.0 : u;
}

/* Index of the cell of u among n equal cells. */
static size_t cell_of(double u, size_t n)
{
    size_t k = (size_t)(clamp01(u) * (double)n);
    return k >= n ? n - 1 : k;
}

size_t atoll_space_cardinality(const atoll_space *space, size_t i)
{
    const atoll_param *p = &space->params[i];
    switch (p->kind) {
    case ATOLL_PARAM_CHOICE:
        return p->n_choices;
    case ATOLL_PARAM_INT:
        return (size_t)(p->high - p->low) + 1;
    case ATOLL_PARAM_REAL:
        break;
    }
    return 0;
}

/* Decode one coordinate of an int parameter. Linear: n equal cells. Log: cells equal in
 * log space, value v owning [log v, log(v+1)). */
static double decode_int(const atoll_param *p, double u)
{
    u = clamp01(u);
    double v;
    if (p->scale == ATOLL_SCALE_LOG) {
        double a = log(p->low), b = log(p->high + 1.0);
        v = floor(exp(a + u * (b - a)));
    } else {
        v = p->low + (double)cell_of(u, (size_t)(p->high - p->low) + 1);
    }
    if (v < p->low)
        v = p->low;
    if (v > p->high)
        v = p->high;
    return v;
}

static double encode_int(const atoll_param *p, double v)
{
    if (p->scale == ATOLL_SCALE_LOG) {
        double a = log(p->low), b = log(p->high + 1.0);
        return clamp01((0.5 * (log(v) + log(v + 1.0)) - a) / (b - a));
    }
    double n = p->high - p->low + 1.0;
    return clamp01((v - p->low + 0.5) / n);
}

void atoll_space_decode(const atoll_space *space, const double *unit, atoll_value *values)
{
    for (size_t i = 0; i < space->n; i++) {
        const atoll_param *p = &space->params[i];
        atoll_value *v = &values[i];
        double u = clamp01(unit[i]);
        v->str = NULL;
        v->index = 0;
        switch (p->kind) {
        case ATOLL_PARAM_REAL:
            if (p->scale == ATOLL_SCALE_LOG)
                v->num = exp(log(p->low) + u * (log(p->high) - log(p->low)));
            else
                v->num = p->low + u * (p->high - p->low);
            if (v->num < p->low)
                v->num = p->low;
            if (v->num > p->high)
                v->num = p->high;
            break;
        case ATOLL_PARAM_INT:
            v->num = decode_int(p, u);
            break;
        case ATOLL_PARAM_CHOICE:
            v->index = cell_of(u, p->n_choices);
            v->num = (double)v->index;
            v->str = p->choices[v->index];
            break;
        }
    }
}

void atoll_space_encode(const atoll_space *space, const atoll_value *values, double *unit)
{
    for (size_t i = 0; i < space->n; i++) {
        const atoll_param *p = &space->params[i];
        double v = values[i].num;
        switch (p->kind) {
        case ATOLL_PARAM_REAL:
            if (p->scale == ATOLL_SCALE_LOG)
                unit[i] = (log(v) - log(p->low)) / (log(p->high) - log(p->low));
            else
                unit[i] = (v - p->low) / (p->high - p->low);
            unit[i] = clamp01(unit[i]);
            break;
        case ATOLL_PARAM_INT:
            unit[i] = encode_int(p, v);
            break;
        case ATOLL_PARAM_CHOICE:
            unit[i] = ((double)values[i].index + 0.5) / (double)p->n_choices;
            break;
        }
    }
}

void atoll_space_snap(const atoll_space *space, double *unit)
{
    for (size_t i = 0; i < space->n; i++) {
        const atoll_param *p = &space->params[i];
        double u = clamp01(unit[i]);
        if (p->kind == ATOLL_PARAM_INT)
            u = encode_int(p, decode_int(p, u));
        else if (p->kind == ATOLL_PARAM_CHOICE)
            u = ((double)cell_of(u, p->n_choices) + 0.5) / (double)p->n_choices;
        unit[i] = u;
    }
}

int atoll_space_format(const atoll_space *space, size_t i, const atoll_value *v, char *buf,
                       size_t size)
{
    const atoll_param *p = &space->params[i];
    switch (p->kind) {
    case ATOLL_PARAM_REAL:
        return snprintf(buf, size, "%.17g", v->num);
    case ATOLL_PARAM_INT:
        return snprintf(buf, size, "%.0f", v->num);
    case ATOLL_PARAM_CHOICE:
        return snprintf(buf, size, "%s", v->str ? v->str : p->choices[v->index]);
    }
    return snprintf(buf, size, "?");
}

void atoll_space_print(const atoll_space *space, FILE *out)
{
    static const char *const kind_names[] = {"real", "int", "choice"};
    fprintf(out, "space: %zu parameter%s\n", space->n, space->n == 1 ? "" : "s");
    for (size_t i = 0; i < space->n; i++) {
        const atoll_param *p = &space->params[i];
        fprintf(out, "  %-20s %-6s ", p->name, kind_names[p->kind]);
        if (p->kind == ATOLL_PARAM_CHOICE) {
            fprintf(out, "{");
            for (size_t c = 0; c < p->n_choices; c++)
                fprintf(out, "%s%s", c ? ", " : "", p->choices[c]);
            fprintf(out, "}\n");
        } else {
            fprintf(out, "[%.10g, %.10g] %s\n", p->low, p->high,
                    p->scale == ATOLL_SCALE_LOG ? "log" : "linear");
        }
    }
}
