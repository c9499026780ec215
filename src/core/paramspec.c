/* paramspec.c - read [param NAME] sections into a search space, with located errors. */
#include "core/paramspec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define PARAM_PREFIX "param "
/* Largest magnitude of an int bound (what atoll_space_add_int accepts). */
#define PARAM_INT_MAX 1e12
/* The most [param] sections a config may hold: far above any search a strategy can make
 * sense of, and it keeps start-up (which checks names pairwise) under a second. */
#define PARAM_MAX_COUNT 10000

enum { TYPE_REAL = 0, TYPE_INT = 1, TYPE_CHOICE = 2 };

static const char *const type_names[] = {"real", "int", "choice", NULL};
static const char *const scale_names[] = {"linear", "log", NULL};

/* Re-raise an error of atoll_space_add_* (one we did not foresee) at the section. */
static int relocate(atoll_config *cfg, const char *section, int rc)
{
    if (rc != ATOLL_ERR_USAGE)
        return rc;
    char message[1024];
    snprintf(message, sizeof message, "%s", atoll_error_message());
    return atoll_config_error(cfg, section, NULL, "%s", message);
}

/* Check that an int bound is a whole number the space can hold. */
static int check_int_bound(atoll_config *cfg, const char *section, const char *key, double v)
{
    if (v != floor(v))
        return atoll_config_error(cfg, section, key, "int bounds must be integers (got %g)", v);
    if (fabs(v) > PARAM_INT_MAX)
        return atoll_config_error(cfg, section, key,
                                  "int bounds must be at most %g in size (got %g)", PARAM_INT_MAX,
                                  v);
    return ATOLL_OK;
}

/* A real or int parameter from its section. */
static int add_numeric(atoll_config *cfg, atoll_space *space, const char *section,
                       const char *name, int type)
{
    double low, high;
    int scale;
    ATOLL_CALL(atoll_config_require_double(cfg, section, "low", &low));
    ATOLL_CALL(atoll_config_require_double(cfg, section, "high", &high));
    ATOLL_CALL(atoll_config_get_enum(cfg, section, "scale", "linear", scale_names, &scale));
    if (type == TYPE_INT) {
        ATOLL_CALL(check_int_bound(cfg, section, "low", low));
        ATOLL_CALL(check_int_bound(cfg, section, "high", high));
    }
    if (!(low < high))
        return atoll_config_error(cfg, section, "high", "must be > low (got %g <= %g)", high,
                                  low);
    if (!isfinite(high - low)) /* a linear draw would overflow to inf */
        return atoll_config_error(cfg, section, "high",
                                  "high - low must be a finite number (got %g - %g)", high, low);
    if (scale == ATOLL_SCALE_LOG && !(low > 0))
        return atoll_config_error(cfg, section, "low", "log scale needs low > 0 (got %g)", low);
    int rc = type == TYPE_INT ? atoll_space_add_int(space, name, low, high, (atoll_scale)scale)
                              : atoll_space_add_real(space, name, low, high, (atoll_scale)scale);
    return rc == ATOLL_OK ? ATOLL_OK : relocate(cfg, section, rc);
}

/* A choice parameter from its section. */
static int add_choice(atoll_config *cfg, atoll_space *space, const char *section,
                      const char *name)
{
    int rc = ATOLL_OK;
    char **values = NULL;
    size_t n_values = 0;
    ATOLL_CALL(atoll_config_get_list(cfg, section, "values", &values, &n_values));
    for (size_t i = 0; i < n_values; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(values[i], values[j]) == 0) {
                rc = atoll_config_error(cfg, section, "values", "value '%s' is listed twice",
                                        values[i]);
                goto fail;
            }
        }
    }
    rc = atoll_space_add_choice(space, name, n_values, (const char *const *)values);
    if (rc != ATOLL_OK)
        rc = relocate(cfg, section, rc);
fail:
    atoll_config_free_list(values, n_values);
    return rc;
}

/* One [param NAME] section. */
static int add_param(atoll_config *cfg, atoll_space *space, const char *section)
{
    const char *name = section + strlen(PARAM_PREFIX);
    if (!atoll_space_name_ok(name))
        return atoll_config_error(cfg, section, NULL,
                                  "invalid parameter name '%s' (letters, digits, '_'; not a log "
                                  "column)",
                                  name);
    if (atoll_space_find(space, name) >= 0)
        return atoll_config_error(cfg, section, NULL, "parameter '%s' is already defined", name);
    int type;
    ATOLL_CALL(atoll_config_require_enum(cfg, section, "type", type_names, &type));
    if (type == TYPE_CHOICE)
        return add_choice(cfg, space, section, name);
    return add_numeric(cfg, space, section, name, type);
}

int atoll_space_from_config(atoll_config *cfg, atoll_space *space)
{
    int rc = ATOLL_OK;
    size_t n = atoll_config_sections(cfg, PARAM_PREFIX, NULL, 0);
    if (n == 0)
        return ATOLL_OK;
    if (n > PARAM_MAX_COUNT) {
        const char **first = calloc(PARAM_MAX_COUNT + 1, sizeof *first);
        if (!first)
            return ATOLL_NOMEM("the list of parameter sections");
        atoll_config_sections(cfg, PARAM_PREFIX, first, PARAM_MAX_COUNT + 1);
        rc = atoll_config_error(cfg, first[PARAM_MAX_COUNT], NULL,
                                "too many parameters: at most %d [param] sections (got %zu)",
                                PARAM_MAX_COUNT, n);
        free(first);
        return rc;
    }
    const char **sections = calloc(n, sizeof *sections);
    if (!sections)
        return ATOLL_NOMEM("the list of parameter sections");
    atoll_config_sections(cfg, PARAM_PREFIX, sections, n);
    for (size_t i = 0; i < n; i++)
        ATOLL_CALL_GOTO(rc, add_param(cfg, space, sections[i]));
fail:
    free(sections);
    return rc;
}
