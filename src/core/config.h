/* config.h - an INI file (libinih) plus --set overrides, with the origin of every key. */
#ifndef ATOLL_CORE_CONFIG_H
#define ATOLL_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A config is the raw material of a run description: sections and keys in file order, each
 * remembering where it came from (FILE:LINE, or the --set argument). Modules read their own
 * section through the typed getters below, which validate, apply defaults and mark the key
 * used; after every module has read its keys, atoll_config_check_unused() reports the first
 * key or section nobody read. Every error is ATOLL_ERR_USAGE with a one-line message such as
 *
 *     configs/x.ini:14: [ga] population: must be >= 2 (got 1)
 *     --set ga.population=1: [ga] population: must be >= 2 (got 1)
 *     configs/x.ini: [run] strategy: missing (required)
 */
typedef struct atoll_config atoll_config;

/*
 * Parse an INI file with libinih. Lines longer than 199 characters, a key outside any section,
 * a duplicated section or key, a malformed line, a NUL byte (a binary file), an unreadable
 * file or a folder, an empty file (no section at all), a file larger than 4 MiB or holding
 * more than 200,000 sections and keys are errors naming FILE:LINE where there is one. A line
 * is never held whole in memory past its first 201 bytes, and sections and keys are found by
 * hash, so a hostile file costs time and memory in proportion to those limits. An indented
 * line continues the previous key's value (joined with one space); only keys that a module
 * reads with atoll_config_get_string(..., allow_continuation=true) accept it.
 */
int atoll_config_load(const char *path, atoll_config **out);

/* Parse INI text held in memory; `name` stands in for the file name in messages. */
int atoll_config_load_string(const char *text, const char *name, atoll_config **out);

/* Free a config (NULL-safe) and set *pc to NULL. */
void atoll_config_destroy(atoll_config **pc);

/*
 * Apply one override "section.key=value" (the section is everything before the last '.' that
 * precedes '='; so "param lr.high=0.1" works). It replaces the key's value or adds the key,
 * creating the section if needed. Its origin becomes "--set ARG". A malformed argument is an
 * error naming it.
 */
int atoll_config_set(atoll_config *cfg, const char *assignment);

/* The file name given to atoll_config_load (or the name given to _load_string). */
const char *atoll_config_path(const atoll_config *cfg);

/* Whether a section / a key is present (reading does not mark it used). */
bool atoll_config_has_section(const atoll_config *cfg, const char *section);
bool atoll_config_has(const atoll_config *cfg, const char *section, const char *key);

/* Mark a whole section as known even if some of its keys are never read (rarely needed). */
void atoll_config_use_section(atoll_config *cfg, const char *section);

/*
 * Typed getters. If the key is absent the default is used (and recorded, so the resolved
 * config shows it); `required` getters have no default and fail when the key is missing.
 * Numbers must parse whole (strtol/strtod, no trailing characters, no overflow, finite).
 * Ranges are inclusive: "must be >= MIN (got X)", "must be <= MAX (got X)".
 */
int atoll_config_get_long(atoll_config *cfg, const char *section, const char *key, long def,
                          long min, long max, long *out);
int atoll_config_require_long(atoll_config *cfg, const char *section, const char *key, long min,
                              long max, long *out);
int atoll_config_get_double(atoll_config *cfg, const char *section, const char *key, double def,
                            double min, double max, double *out);
int atoll_config_require_double(atoll_config *cfg, const char *section, const char *key,
                                double *out);
/* true/false, yes/no, on/off, 1/0 */
int atoll_config_get_bool(atoll_config *cfg, const char *section, const char *key, bool def,
                          bool *out);
/* One of the NULL-terminated `choices`; *out is its index. def may be NULL only via _require. */
int atoll_config_get_enum(atoll_config *cfg, const char *section, const char *key,
                          const char *def, const char *const *choices, int *out);
int atoll_config_require_enum(atoll_config *cfg, const char *section, const char *key,
                              const char *const *choices, int *out);
/* A string borrowed from the config (valid until it is destroyed). def may be NULL: then
 * *out is NULL when the key is absent. Empty values are errors unless allow_empty. */
int atoll_config_get_string(atoll_config *cfg, const char *section, const char *key,
                            const char *def, bool allow_continuation, const char **out);
/* A comma-separated list, items trimmed; *items is an owned array of owned strings. Empty
 * items are errors. A long list may go on over indented continuation lines. Free with
 * atoll_config_free_list. */
int atoll_config_get_list(atoll_config *cfg, const char *section, const char *key,
                          char ***items, size_t *n_items);
void atoll_config_free_list(char **items, size_t n_items);

/* Raise an ATOLL_ERR_USAGE error located at a key ("FILE:LINE: [section] key: MESSAGE"), or at
 * the section header when key is NULL ("FILE:LINE: [section]: MESSAGE"). */
int atoll_config_error(const atoll_config *cfg, const char *section, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The names of sections that start with `prefix` (e.g. "param "), in file order; returns the
 * count and fills at most `max` borrowed names. */
size_t atoll_config_sections(const atoll_config *cfg, const char *prefix, const char **names,
                             size_t max);

/* The first section or key that no getter read, in file order: "FILE:LINE: [sec] key: unknown
 * key" / "FILE:LINE: [sec]: unknown section" (a section none of whose keys was read and that
 * was not marked with atoll_config_use_section). */
int atoll_config_check_unused(const atoll_config *cfg);

/* Write the resolved config (every section, every key read or defaulted, values as used)
 * as INI text. */
int atoll_config_write(const atoll_config *cfg, FILE *out);

/* Whether `path` has a ".." component (one that climbs to a parent folder): refused in
 * output and working folders, so that no config or value can send files elsewhere. */
bool atoll_path_climbs(const char *path);

#endif
