/* config.c - INI files read through libinih, --set overrides, typed getters with locations. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* The longest line libinih (INI_MAX_LINE 200) reads whole: 199 characters and the NUL. */
#define CONFIG_MAX_LINE 199
/* Width of the indent that write puts before a continuation line. */
#define CONFIG_INDENT "    "
/* Room for one message; the error slot holds 1024 bytes. */
#define CONFIG_MSG_MAX 1024
/* Room for a value or a name quoted in a message. */
#define CONFIG_QUOTE_MAX 256
/* The largest config file read: far above any real config (10,000 [param] sections take about
 * 0.5 MiB), low enough that a stream with no end (a device, a pipe) ends in an error soon. */
#define CONFIG_MAX_BYTES (4L << 20)
/* The most sections and keys a file may hold, which bounds the memory a config takes on every
 * rank (10,000 [param] sections hold about 50,000). */
#define CONFIG_MAX_ENTRIES 200000L

/* An open-addressing hash of names to item indices, so that a file of many sections or keys
 * loads in linear time. A slot holds an index + 1; 0 is empty. Both item types start with their
 * `char *name`, which is how the index reads a name back. */
typedef struct {
    size_t *slots;
    size_t cap; /* 0 or a power of two, at least twice the item count */
} name_index;

typedef struct {
    char *name; /* first: see name_index */
    char *value;
    char *origin;   /* "--set ARG" for an override, NULL for a file key or a default */
    int line;       /* line in the file, 0 for an override or a default */
    bool used;      /* read by a getter */
    bool defaulted; /* absent from the input; a getter recorded its default */
    bool continued; /* the value was joined from continuation lines */
} config_key;

typedef struct {
    char *name;   /* first: see name_index */
    char *origin; /* "--set ARG" when an override created the section */
    int line;     /* header line, 0 when the section is not from the file */
    bool given;   /* in the file or an override, not only made to hold defaults */
    bool used;    /* marked with atoll_config_use_section */
    config_key *keys;
    size_t n_keys, cap_keys;
    name_index key_index;
} config_section;

struct atoll_config {
    char *path;
    config_section *sections;
    size_t n_sections, cap_sections;
    name_index section_index;
};

/* State of one parse: the line reader and what the handler needs to know about the line. */
typedef struct {
    atoll_config *cfg;
    FILE *file;        /* NULL when parsing a string */
    const char *text;  /* rest of the string being parsed */
    char *buf;         /* the line last read */
    size_t buf_size;
    long bytes;        /* bytes read from the file so far */
    long entries;      /* sections and keys read so far */
    bool line_cut;     /* the file ended in the middle of an over-long line */
    int line;          /* number of the line last read */
    int rc;            /* first error raised, ATOLL_OK while none */
    bool in_section;   /* a section header has been read */
    size_t section;    /* index of the current section */
    bool have_key;     /* a key line since the header (libinih's "prev_name") */
    size_t last_key;   /* index of that key in the current section */
    bool continuation; /* the line handed to libinih continues last_key */
} config_parse;

/* ---- small helpers ---------------------------------------------------------------------- */

/* Make room for `need` elements of `size` bytes in a growing array. */
static int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return ATOLL_OK;
    size_t new_cap = *cap ? *cap * 2 : 8;
    while (new_cap < need)
        new_cap *= 2;
    void *grown = realloc(*items, new_cap * size);
    if (!grown)
        return ATOLL_NOMEM("config entries");
    *items = grown;
    *cap = new_cap;
    return ATOLL_OK;
}

/* ---- the name index -------------------------------------------------------------------- */

/* FNV-1a: names are short and few collide. */
static size_t hash_name(const char *name)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = (h ^ *c) * 1099511628211ULL;
    return (size_t)h;
}

/* The name of item `i` of an array of `size`-byte items that start with `char *name`. */
static const char *item_name(const void *items, size_t size, size_t i)
{
    return *(char *const *)((const char *)items + i * size);
}

/* Index of the item called `name`, or -1. */
static long index_find(const name_index *ix, const void *items, size_t size, const char *name)
{
    if (ix->cap == 0)
        return -1;
    for (size_t h = hash_name(name) & (ix->cap - 1);; h = (h + 1) & (ix->cap - 1)) {
        size_t slot = ix->slots[h];
        if (slot == 0)
            return -1;
        if (strcmp(item_name(items, size, slot - 1), name) == 0)
            return (long)(slot - 1);
    }
}

static void index_put(name_index *ix, const void *items, size_t size, size_t i)
{
    size_t h = hash_name(item_name(items, size, i)) & (ix->cap - 1);
    while (ix->slots[h] != 0)
        h = (h + 1) & (ix->cap - 1);
    ix->slots[h] = i + 1;
}

/* Index the last of `n` items (all earlier ones are indexed), rebuilding when half full. */
static int index_add(name_index *ix, const void *items, size_t size, size_t n)
{
    if (2 * n <= ix->cap) {
        index_put(ix, items, size, n - 1);
        return ATOLL_OK;
    }
    size_t cap = ix->cap ? ix->cap : 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return ATOLL_NOMEM("a config index");
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    for (size_t i = 0; i < n; i++)
        index_put(ix, items, size, i);
    return ATOLL_OK;
}

/* ---- small helpers, continued ----------------------------------------------------------- */

/* A copy of s[0..n) with leading and trailing white space removed and every inner run of
 * white space made one space (how section names are compared). NULL when out of memory. */
static char *normalise_name(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    size_t len = 0;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)s[i])) {
            space = len > 0;
            continue;
        }
        if (space)
            copy[len++] = ' ';
        space = false;
        copy[len++] = s[i];
    }
    copy[len] = '\0';
    return copy;
}

/* A copy of s[0..n) without leading and trailing white space; NULL when out of memory. */
static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

/* Copy s into buf for a message: control bytes become \xNN, and a text too long for buf is
 * cut with "...". Returns buf. */
static const char *quote(const char *s, char *buf, size_t size)
{
    size_t len = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool control = c < 0x20 || c == 0x7f;
        size_t piece = control ? 4 : 1;
        if (len + piece + 4 > size) {
            memcpy(buf + len, "...", 3);
            len += 3;
            break;
        }
        if (control)
            snprintf(buf + len, 5, "\\x%02x", c);
        else
            buf[len] = (char)c;
        len += piece;
    }
    buf[len] = '\0';
    return buf;
}

/* The first character of s that is one of `chars` or starts an inline comment (a ';' after
 * white space), or its NUL: the scan libinih does. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
    bool was_space = false;
    while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* ---- sections and keys ------------------------------------------------------------------ */

static config_section *find_section(const atoll_config *cfg, const char *name)
{
    if (!cfg || !name)
        return NULL;
    long i = index_find(&cfg->section_index, cfg->sections, sizeof *cfg->sections, name);
    return i < 0 ? NULL : &cfg->sections[i];
}

static config_key *find_key(const config_section *sec, const char *name)
{
    if (!sec || !name)
        return NULL;
    long i = index_find(&sec->key_index, sec->keys, sizeof *sec->keys, name);
    return i < 0 ? NULL : &sec->keys[i];
}

/* The key as the input gave it: NULL when absent or only holding a recorded default. */
static config_key *given_key(const atoll_config *cfg, const char *section, const char *key)
{
    config_key *k = find_key(find_section(cfg, section), key);
    return k && !k->defaulted ? k : NULL;
}

/* Append a section; takes ownership of `name` (freed on failure). */
static int add_section(atoll_config *cfg, char *name, int line, const char *origin,
                       config_section **out)
{
    int rc = grow((void **)&cfg->sections, &cfg->cap_sections, cfg->n_sections + 1,
                  sizeof *cfg->sections);
    if (rc != ATOLL_OK) {
        free(name);
        return rc;
    }
    config_section *sec = &cfg->sections[cfg->n_sections];
    memset(sec, 0, sizeof *sec);
    sec->name = name;
    sec->line = line;
    if (origin) {
        sec->origin = strdup(origin);
        if (!sec->origin) {
            free(name);
            return ATOLL_NOMEM("a config origin");
        }
    }
    rc = index_add(&cfg->section_index, cfg->sections, sizeof *cfg->sections,
                   cfg->n_sections + 1);
    if (rc != ATOLL_OK) {
        free(sec->origin);
        free(name);
        return rc;
    }
    cfg->n_sections++;
    *out = sec;
    return ATOLL_OK;
}

/* Append a key with copies of `name` and `value`. */
static int add_key(config_section *sec, const char *name, const char *value, config_key **out)
{
    ATOLL_CALL(grow((void **)&sec->keys, &sec->cap_keys, sec->n_keys + 1, sizeof *sec->keys));
    config_key *k = &sec->keys[sec->n_keys];
    memset(k, 0, sizeof *k);
    k->name = strdup(name);
    k->value = strdup(value);
    if (!k->name || !k->value) {
        free(k->name);
        free(k->value);
        return ATOLL_NOMEM("a config key");
    }
    int rc = index_add(&sec->key_index, sec->keys, sizeof *sec->keys, sec->n_keys + 1);
    if (rc != ATOLL_OK) {
        free(k->name);
        free(k->value);
        return rc;
    }
    sec->n_keys++;
    *out = k;
    return ATOLL_OK;
}

/* Replace a key's value with a copy of `value`. */
static int set_value(config_key *k, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return ATOLL_NOMEM("a config value");
    free(k->value);
    k->value = copy;
    return ATOLL_OK;
}

/* Write where a key (or, with key NULL or absent, its section) came from, then " [sec] key"
 * or " [sec]": the prefix of every located message. */
static void locate(const atoll_config *cfg, const char *section, const char *key, char *buf,
                   size_t size)
{
    const char *path = cfg && cfg->path ? cfg->path : "config";
    const config_section *sec = find_section(cfg, section);
    const config_key *k = key ? given_key(cfg, section, key) : NULL;
    char where[CONFIG_MSG_MAX / 2], sec_name[CONFIG_QUOTE_MAX], key_name[CONFIG_QUOTE_MAX];

    if (k && k->origin)
        quote(k->origin, where, sizeof where);
    else if (k && k->line > 0)
        snprintf(where, sizeof where, "%s:%d", path, k->line);
    else if (sec && sec->origin)
        quote(sec->origin, where, sizeof where);
    else if (sec && sec->line > 0)
        snprintf(where, sizeof where, "%s:%d", path, sec->line);
    else
        snprintf(where, sizeof where, "%s", path);
    quote(section ? section : "", sec_name, sizeof sec_name);
    if (key)
        snprintf(buf, size, "%s: [%s] %s", where, sec_name, quote(key, key_name, sizeof key_name));
    else
        snprintf(buf, size, "%s: [%s]", where, sec_name);
}

int atoll_config_error(const atoll_config *cfg, const char *section, const char *key,
                       const char *fmt, ...)
{
    char where[CONFIG_MSG_MAX], message[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    locate(cfg, section, key, where, sizeof where);
    return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: %s", where, message);
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* Raise a parse error at the current line and remember it, so the reader stops. */
static int parse_error(config_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int parse_error(config_parse *p, const char *fmt, ...)
{
    char message[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    p->rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%d: %s", p->cfg->path, p->line, message);
    return p->rc;
}

/* Count one more section or key; an error past CONFIG_MAX_ENTRIES. */
static int count_entry(config_parse *p)
{
    if (++p->entries > CONFIG_MAX_ENTRIES)
        return parse_error(p, "more than %ld sections and keys (is this an atoll config?)",
                           CONFIG_MAX_ENTRIES);
    return ATOLL_OK;
}

/* A NUL byte after the first `len` bytes of the line in p->buf: name the key when those bytes
 * start a "key = value" line of a section. */
static void nul_error(config_parse *p, size_t len)
{
    const char *line = p->buf, *end = p->buf + len;
    while (line < end && isspace((unsigned char)*line))
        line++;
    const char *eq = line;
    while (eq < end && *eq != '=' && *eq != ':' && *eq != '[' && *eq != ';' && *eq != '#')
        eq++;
    const char *name_end = eq;
    while (name_end > line && isspace((unsigned char)name_end[-1]))
        name_end--;
    bool continuation = p->have_key && line > p->buf; /* as scan_line would see it */
    if (p->in_section && !continuation && eq < end && (*eq == '=' || *eq == ':') &&
        name_end > line) {
        char name[CONFIG_QUOTE_MAX], sec[CONFIG_QUOTE_MAX];
        char *copy = strndup(line, (size_t)(name_end - line));
        if (copy) {
            parse_error(p, "[%s] %s: NUL byte in the value (is this a text file?)",
                        quote(p->cfg->sections[p->section].name, sec, sizeof sec),
                        quote(copy, name, sizeof name));
            free(copy);
            return;
        }
    }
    parse_error(p, "NUL byte in line (is this a text file?)");
}

/* Read the next physical line of the file into p->buf, keeping at most CONFIG_MAX_LINE + 2
 * bytes of it (enough to tell an over-long line) but counting all of them, so that a huge line
 * or a stream without line breaks costs no memory. Returns the whole line's length (without
 * its line break and a CR before it), or -1 at the end of the file or on an error (then p->rc
 * is set): a NUL byte, a read error, more than CONFIG_MAX_BYTES in all. An over-long line that
 * reaches CONFIG_MAX_BYTES stops there with p->line_cut set, so it is reported as a line. */
static long read_file_line(config_parse *p)
{
    const size_t keep = CONFIG_MAX_LINE + 2;
    if (!p->buf && grow((void **)&p->buf, &p->buf_size, keep + 1, 1) != ATOLL_OK) {
        p->rc = ATOLL_ERR_NOMEM;
        return -1;
    }
    size_t len = 0;
    int c, last = '\n';
    errno = 0;
    p->line++; /* taken back at the end of the file */
    while ((c = getc_unlocked(p->file)) != EOF) {
        if (++p->bytes > CONFIG_MAX_BYTES) {
            if (len > CONFIG_MAX_LINE) { /* say what is wrong with the line itself */
                p->line_cut = true;
                break;
            }
            parse_error(p, "the file is larger than %ld MiB (is this an atoll config?)",
                        CONFIG_MAX_BYTES >> 20);
            return -1;
        }
        if (c == '\n')
            break;
        if (c == '\0') {
            nul_error(p, len < keep ? len : keep);
            return -1;
        }
        if (len < keep)
            p->buf[len] = (char)c;
        len++;
        last = c;
    }
    if (!p->line_cut && c == EOF && ferror(p->file)) {
        p->rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: cannot read: %s", p->cfg->path,
                            strerror(errno ? errno : EIO));
        return -1;
    }
    if (!p->line_cut && c == EOF && len == 0) {
        p->line--;
        return -1;
    }
    if (last == '\r' && !p->line_cut)
        len--;
    p->buf[len < keep ? len : keep] = '\0';
    return (long)len;
}

/* Read the next physical line into p->buf (without its line break). Returns its length, or
 * -1 at the end of the input or on an error (then p->rc is set). */
static long read_line(config_parse *p)
{
    if (p->file)
        return read_file_line(p);
    if (!*p->text)
        return -1;
    const char *nl = strchr(p->text, '\n');
    size_t len = nl ? (size_t)(nl - p->text) + 1 : strlen(p->text);
    if (grow((void **)&p->buf, &p->buf_size, len + 1, 1) != ATOLL_OK) {
        p->rc = ATOLL_ERR_NOMEM;
        return -1;
    }
    memcpy(p->buf, p->text, len);
    p->buf[len] = '\0';
    p->text += len;
    p->line++;
    if (len > 0 && p->buf[len - 1] == '\n')
        len--;
    if (len > 0 && p->buf[len - 1] == '\r')
        len--;
    p->buf[len] = '\0';
    return (long)len;
}

/* A "[name]" line (start points at the '['): check it and open the section. */
static int open_section(config_parse *p, const char *start)
{
    const char *end = find_chars_or_comment(start + 1, "]");
    if (*end != ']')
        return parse_error(p, "unclosed section header (missing ']')");
    const char *rest = end + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest && *rest != ';')
        return parse_error(p, "text after section header");
    char *name = normalise_name(start + 1, (size_t)(end - start - 1));
    if (!name)
        return p->rc = ATOLL_NOMEM("a section name");
    if (!name[0]) {
        free(name);
        return parse_error(p, "empty section name");
    }
    config_section *sec = find_section(p->cfg, name);
    if (sec) {
        char quoted[CONFIG_QUOTE_MAX];
        parse_error(p, "[%s]: duplicate section (first at line %d)",
                    quote(name, quoted, sizeof quoted), sec->line);
        free(name);
        return p->rc;
    }
    if (count_entry(p) != ATOLL_OK) {
        free(name);
        return p->rc;
    }
    int rc = add_section(p->cfg, name, p->line, NULL, &sec);
    if (rc != ATOLL_OK)
        return p->rc = rc;
    sec->given = true;
    p->in_section = true;
    p->section = (size_t)(sec - p->cfg->sections);
    p->have_key = false;
    return ATOLL_OK;
}

/* Classify a line the way libinih will (comment, continuation, section header, key line)
 * and do the checks that need the line itself. */
static int scan_line(config_parse *p, const char *line)
{
    const char *start = line;
    while (isspace((unsigned char)*start))
        start++;
    p->continuation = false;
    if (*start == '\0' || *start == ';' || *start == '#')
        return ATOLL_OK;
    if (p->have_key && start > line) {
        p->continuation = true;
        return ATOLL_OK;
    }
    if (*start == '[')
        return open_section(p, start);
    const char *end = find_chars_or_comment(start, "=:");
    const char *name_end = end;
    while (name_end > start && isspace((unsigned char)name_end[-1]))
        name_end--;
    if ((*end != '=' && *end != ':') || name_end == start)
        return parse_error(p, "not a 'key = value' line");
    p->have_key = true;
    return ATOLL_OK;
}

/* libinih's reader: hand over the next line once it has passed our own checks. */
static char *parse_reader(char *str, int num, void *stream)
{
    config_parse *p = stream;
    if (p->rc != ATOLL_OK)
        return NULL;
    long len = read_line(p);
    if (len < 0)
        return NULL;
    long limit = num - 1 < CONFIG_MAX_LINE ? num - 1 : CONFIG_MAX_LINE;
    if (len > limit) {
        parse_error(p,
                    "line is %s%ld characters long (at most %ld); split a long value over "
                    "indented continuation lines",
                    p->line_cut ? "more than " : "", len, limit);
        return NULL;
    }
    char *line = p->buf;
    if (p->line == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3;
    if (scan_line(p, line) != ATOLL_OK)
        return NULL;
    memcpy(str, line, strlen(line) + 1);
    return str;
}

/* libinih's handler: store a key, or join a continuation line to the previous key. */
static int parse_handler(void *user, const char *section, const char *name, const char *value)
{
    config_parse *p = user;
    (void)section; /* libinih truncates long names; the reader keeps the full one */
    if (p->rc != ATOLL_OK)
        return 0;
    char quoted[CONFIG_QUOTE_MAX];
    if (!p->in_section) {
        parse_error(p, "key '%s' outside any section", quote(name, quoted, sizeof quoted));
        return 0;
    }
    config_section *sec = &p->cfg->sections[p->section];
    if (p->continuation) {
        config_key *k = &sec->keys[p->last_key];
        /* some libinih releases keep an inline comment on a continuation line: cut it */
        const char *end = find_chars_or_comment(value, NULL);
        while (end > value && isspace((unsigned char)end[-1]))
            end--;
        size_t old = strlen(k->value), add = (size_t)(end - value);
        size_t gap = old > 0; /* one space between pieces, none after an empty value */
        char *joined = realloc(k->value, old + gap + add + 1);
        if (!joined) {
            p->rc = ATOLL_NOMEM("a config value");
            return 0;
        }
        if (gap)
            joined[old] = ' ';
        memcpy(joined + old + gap, value, add);
        joined[old + gap + add] = '\0';
        k->value = joined;
        k->continued = true;
        return 1;
    }
    config_key *k = find_key(sec, name);
    if (k) {
        char sec_name[CONFIG_QUOTE_MAX];
        parse_error(p, "[%s] %s: duplicate key (first at line %d)",
                    quote(sec->name, sec_name, sizeof sec_name),
                    quote(name, quoted, sizeof quoted), k->line);
        return 0;
    }
    if (count_entry(p) != ATOLL_OK)
        return 0;
    int rc = add_key(sec, name, value, &k);
    if (rc != ATOLL_OK) {
        p->rc = rc;
        return 0;
    }
    k->line = p->line;
    p->last_key = sec->n_keys - 1;
    return 1;
}

/* Parse from a file or a string into a new config named `name`. */
static int parse(FILE *file, const char *text, const char *name, atoll_config **out)
{
    int rc = ATOLL_OK;
    config_parse p = {.file = file, .text = text};
    atoll_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return ATOLL_NOMEM("a config");
    p.cfg = cfg;
    cfg->path = strdup(name);
    if (!cfg->path) {
        rc = ATOLL_NOMEM("a config path");
        goto fail;
    }
    int line = ini_parse_stream(parse_reader, &p, parse_handler, &p);
    if (p.rc != ATOLL_OK) {
        rc = p.rc;
        goto fail;
    }
    if (line == -2) {
        rc = ATOLL_NOMEM("libinih's line buffer");
        goto fail;
    }
    if (line != 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s:%d: not a 'key = value' line", cfg->path, line);
        goto fail;
    }
    if (cfg->n_sections == 0) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: no sections (is this an atoll config?)",
                         cfg->path);
        goto fail;
    }
    free(p.buf);
    *out = cfg;
    return ATOLL_OK;
fail:
    free(p.buf);
    atoll_config_destroy(&cfg);
    return rc;
}

int atoll_config_load(const char *path, atoll_config **out)
{
    if (!path)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "config: no file name given");
    FILE *file = fopen(path, "r");
    if (!file)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "%s: cannot open: %s", path, strerror(errno));
    int rc = parse(file, NULL, path, out);
    fclose(file);
    return rc;
}

int atoll_config_load_string(const char *text, const char *name, atoll_config **out)
{
    return parse(NULL, text ? text : "", name ? name : "<string>", out);
}

void atoll_config_destroy(atoll_config **pc)
{
    if (!pc || !*pc)
        return;
    atoll_config *cfg = *pc;
    for (size_t i = 0; i < cfg->n_sections; i++) {
        config_section *sec = &cfg->sections[i];
        for (size_t j = 0; j < sec->n_keys; j++) {
            free(sec->keys[j].name);
            free(sec->keys[j].value);
            free(sec->keys[j].origin);
        }
        free(sec->keys);
        free(sec->key_index.slots);
        free(sec->name);
        free(sec->origin);
    }
    free(cfg->sections);
    free(cfg->section_index.slots);
    free(cfg->path);
    free(cfg);
    *pc = NULL;
}

/* ---- overrides -------------------------------------------------------------------------- */

/* Whether a --set section or key name could be written back into an INI file. */
static bool name_writable(const char *name, const char *forbidden)
{
    if (!name[0])
        return false;
    for (const char *c = name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr(forbidden, *c))
            return false;
    return true;
}

/* Whether a value can be written back on an INI line: no line break, no inline comment. */
static const char *value_problem(const char *value)
{
    for (const char *c = value; *c; c++) {
        if (*c == '\n' || *c == '\r')
            return "value must be one line";
        if (*c == ';' && c > value && isspace((unsigned char)c[-1]))
            return "value may not contain ' ;' (it starts a comment in a config file)";
    }
    return NULL;
}

int atoll_config_set(atoll_config *cfg, const char *assignment)
{
    int rc = ATOLL_OK;
    char *section = NULL, *key = NULL, *value = NULL, *origin = NULL;
    char quoted[CONFIG_MSG_MAX / 2];
    const char *arg = assignment ? assignment : "";
    if (!cfg)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "--set %s: no config to apply it to",
                           quote(arg, quoted, sizeof quoted));
    const char *eq = strchr(arg, '=');
    const char *dot = NULL;
    for (const char *c = arg; eq && c < eq; c++)
        if (*c == '.')
            dot = c;
    if (!eq || !dot) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "--set %s: expected section.key=value",
                         quote(arg, quoted, sizeof quoted));
        goto fail;
    }
    section = normalise_name(arg, (size_t)(dot - arg));
    key = trimmed_copy(dot + 1, (size_t)(eq - dot - 1));
    value = trimmed_copy(eq + 1, strlen(eq + 1));
    origin = malloc(strlen(arg) + sizeof "--set ");
    if (!section || !key || !value || !origin) {
        rc = ATOLL_NOMEM("an override");
        goto fail;
    }
    sprintf(origin, "--set %s", arg);
    if (!name_writable(section, "[];") || !name_writable(key, " \t\v\f=:;#[]")) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "--set %s: expected section.key=value",
                         quote(arg, quoted, sizeof quoted));
        goto fail;
    }
    const char *problem = value_problem(value);
    if (problem) {
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE, "--set %s: %s", quote(arg, quoted, sizeof quoted),
                         problem);
        goto fail;
    }
    config_section *sec = find_section(cfg, section);
    if (!sec) {
        ATOLL_CALL_GOTO(rc, add_section(cfg, section, 0, origin, &sec));
        section = NULL; /* now owned by the config */
    } else if (!sec->given && !sec->origin) {
        sec->origin = strdup(origin);
        if (!sec->origin) {
            rc = ATOLL_NOMEM("a config origin");
            goto fail;
        }
    }
    sec->given = true;
    config_key *k = find_key(sec, key);
    if (k)
        ATOLL_CALL_GOTO(rc, set_value(k, value));
    else
        ATOLL_CALL_GOTO(rc, add_key(sec, key, value, &k));
    free(k->origin);
    k->origin = origin;
    origin = NULL;
    k->line = 0;
    k->defaulted = false;
    k->continued = false;
fail:
    free(section);
    free(key);
    free(value);
    free(origin);
    return rc;
}

/* ---- queries ---------------------------------------------------------------------------- */

const char *atoll_config_path(const atoll_config *cfg)
{
    return cfg ? cfg->path : NULL;
}

bool atoll_config_has_section(const atoll_config *cfg, const char *section)
{
    const config_section *sec = find_section(cfg, section);
    return sec && sec->given;
}

bool atoll_config_has(const atoll_config *cfg, const char *section, const char *key)
{
    return given_key(cfg, section, key) != NULL;
}

void atoll_config_use_section(atoll_config *cfg, const char *section)
{
    config_section *sec = find_section(cfg, section);
    if (sec)
        sec->used = true;
}

size_t atoll_config_sections(const atoll_config *cfg, const char *prefix, const char **names,
                             size_t max)
{
    size_t count = 0;
    size_t prefix_len = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; cfg && i < cfg->n_sections; i++) {
        const config_section *sec = &cfg->sections[i];
        if (!sec->given || strncmp(sec->name, prefix ? prefix : "", prefix_len) != 0)
            continue;
        if (names && count < max)
            names[count] = sec->name;
        count++;
    }
    return count;
}

/* ---- getters ---------------------------------------------------------------------------- */

/* Look up a key for a getter and mark it used. *out is NULL when the key is absent. A given
 * key whose value was continued is refused unless allow_continuation. */
static int fetch(atoll_config *cfg, const char *section, const char *key, bool allow_continuation,
                 config_key **out)
{
    config_key *k = given_key(cfg, section, key);
    *out = k;
    if (!k)
        return ATOLL_OK;
    k->used = true;
    if (k->continued && !allow_continuation)
        return atoll_config_error(cfg, section, key, "does not take continuation lines");
    return ATOLL_OK;
}

/* Fetch a key that must have a non-empty value, or fail with "missing" when `required`. */
static int fetch_value(atoll_config *cfg, const char *section, const char *key,
                       bool allow_continuation, bool required, config_key **out)
{
    ATOLL_CALL(fetch(cfg, section, key, allow_continuation, out));
    if (!*out && required)
        return atoll_config_error(cfg, section, key, "missing (required)");
    if (*out && !(*out)->value[0])
        return atoll_config_error(cfg, section, key, "empty value");
    return ATOLL_OK;
}

/* Record a getter's default for an absent key (creating a hidden section if needed), so the
 * resolved config shows it. *stored, if not NULL, receives the config's copy. */
static int record_default(atoll_config *cfg, const char *section, const char *key,
                          const char *value, const char **stored)
{
    if (!cfg || !section || !key)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "config: no section or key named");
    config_section *sec = find_section(cfg, section);
    if (!sec) {
        char *name = strdup(section);
        if (!name)
            return ATOLL_NOMEM("a section name");
        ATOLL_CALL(add_section(cfg, name, 0, NULL, &sec));
    }
    config_key *k = find_key(sec, key);
    if (k)
        ATOLL_CALL(set_value(k, value));
    else
        ATOLL_CALL(add_key(sec, key, value, &k));
    k->defaulted = true;
    k->used = true;
    if (stored)
        *stored = k->value;
    return ATOLL_OK;
}

static int parse_long(atoll_config *cfg, const char *section, const char *key, const char *text,
                      long min, long max, long *out)
{
    char quoted[CONFIG_QUOTE_MAX];
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end)
        return atoll_config_error(cfg, section, key, "not an integer (got '%s')",
                                  quote(text, quoted, sizeof quoted));
    if (errno == ERANGE)
        return atoll_config_error(cfg, section, key, "out of range (got '%s')",
                                  quote(text, quoted, sizeof quoted));
    if (v < min)
        return atoll_config_error(cfg, section, key, "must be >= %ld (got %ld)", min, v);
    if (v > max)
        return atoll_config_error(cfg, section, key, "must be <= %ld (got %ld)", max, v);
    *out = v;
    return ATOLL_OK;
}

static int parse_double(atoll_config *cfg, const char *section, const char *key,
                        const char *text, double min, double max, double *out)
{
    char quoted[CONFIG_QUOTE_MAX];
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    bool overflow = errno == ERANGE && isinf(v);
    if (end == text || *end || (!isfinite(v) && !overflow))
        return atoll_config_error(cfg, section, key, "not a number (got '%s')",
                                  quote(text, quoted, sizeof quoted));
    if (overflow)
        return atoll_config_error(cfg, section, key, "out of range (got '%s')",
                                  quote(text, quoted, sizeof quoted));
    if (v < min)
        return atoll_config_error(cfg, section, key, "must be >= %g (got %g)", min, v);
    if (v > max)
        return atoll_config_error(cfg, section, key, "must be <= %g (got %g)", max, v);
    *out = v;
    return ATOLL_OK;
}

int atoll_config_get_long(atoll_config *cfg, const char *section, const char *key, long def,
                          long min, long max, long *out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, false, &k));
    if (k)
        return parse_long(cfg, section, key, k->value, min, max, out);
    char text[32];
    snprintf(text, sizeof text, "%ld", def);
    ATOLL_CALL(record_default(cfg, section, key, text, NULL));
    *out = def;
    return ATOLL_OK;
}

int atoll_config_require_long(atoll_config *cfg, const char *section, const char *key, long min,
                              long max, long *out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, true, &k));
    return parse_long(cfg, section, key, k->value, min, max, out);
}

int atoll_config_get_double(atoll_config *cfg, const char *section, const char *key, double def,
                            double min, double max, double *out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, false, &k));
    if (k)
        return parse_double(cfg, section, key, k->value, min, max, out);
    *out = def;
    if (!isfinite(def)) /* "no value" markers such as NAN: nothing a config could say back */
        return ATOLL_OK;
    char text[40];
    for (int digits = 1; digits <= 17; digits++) { /* the shortest text that reads back */
        snprintf(text, sizeof text, "%.*g", digits, def);
        if (strtod(text, NULL) == def)
            break;
    }
    return record_default(cfg, section, key, text, NULL);
}

int atoll_config_require_double(atoll_config *cfg, const char *section, const char *key,
                                double *out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, true, &k));
    return parse_double(cfg, section, key, k->value, -INFINITY, INFINITY, out);
}

int atoll_config_get_bool(atoll_config *cfg, const char *section, const char *key, bool def,
                          bool *out)
{
    static const char *const truths[] = {"true", "yes", "on", "1"};
    static const char *const falsehoods[] = {"false", "no", "off", "0"};
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, false, &k));
    if (!k) {
        ATOLL_CALL(record_default(cfg, section, key, def ? "true" : "false", NULL));
        *out = def;
        return ATOLL_OK;
    }
    for (size_t i = 0; i < sizeof truths / sizeof *truths; i++) {
        if (strcmp(k->value, truths[i]) == 0) {
            *out = true;
            return ATOLL_OK;
        }
        if (strcmp(k->value, falsehoods[i]) == 0) {
            *out = false;
            return ATOLL_OK;
        }
    }
    char quoted[CONFIG_QUOTE_MAX];
    return atoll_config_error(cfg, section, key, "not a boolean (got '%s'; use true or false)",
                              quote(k->value, quoted, sizeof quoted));
}

/* Index of `value` among the NULL-terminated `choices`, or -1. */
static int choice_index(const char *const *choices, const char *value)
{
    for (int i = 0; choices && choices[i]; i++)
        if (strcmp(choices[i], value) == 0)
            return i;
    return -1;
}

/* The enum getters; def NULL makes the key required. */
static int get_enum(atoll_config *cfg, const char *section, const char *key, const char *def,
                    const char *const *choices, int *out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, false, def == NULL, &k));
    if (!k) {
        int index = choice_index(choices, def);
        if (index < 0)
            return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "[%s] %s: default '%s' is not a choice",
                               section ? section : "", key ? key : "", def);
        ATOLL_CALL(record_default(cfg, section, key, def, NULL));
        *out = index;
        return ATOLL_OK;
    }
    int index = choice_index(choices, k->value);
    if (index >= 0) {
        *out = index;
        return ATOLL_OK;
    }
    char list[CONFIG_MSG_MAX / 2], quoted[CONFIG_QUOTE_MAX];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; choices && choices[i] && len < sizeof list; i++) {
        int n = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", choices[i]);
        len += n > 0 ? (size_t)n : 0;
    }
    return atoll_config_error(cfg, section, key, "must be one of: %s (got '%s')", list,
                              quote(k->value, quoted, sizeof quoted));
}

int atoll_config_get_enum(atoll_config *cfg, const char *section, const char *key,
                          const char *def, const char *const *choices, int *out)
{
    return get_enum(cfg, section, key, def, choices, out);
}

int atoll_config_require_enum(atoll_config *cfg, const char *section, const char *key,
                              const char *const *choices, int *out)
{
    return get_enum(cfg, section, key, NULL, choices, out);
}

int atoll_config_get_string(atoll_config *cfg, const char *section, const char *key,
                            const char *def, bool allow_continuation, const char **out)
{
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, allow_continuation, false, &k));
    if (k) {
        *out = k->value;
        return ATOLL_OK;
    }
    *out = NULL;
    if (def)
        ATOLL_CALL(record_default(cfg, section, key, def, out));
    return ATOLL_OK;
}

void atoll_config_free_list(char **items, size_t n_items)
{
    if (!items)
        return;
    for (size_t i = 0; i < n_items; i++)
        free(items[i]);
    free(items);
}

int atoll_config_get_list(atoll_config *cfg, const char *section, const char *key,
                          char ***items, size_t *n_items)
{
    int rc = ATOLL_OK;
    char **list = NULL;
    size_t n = 0, cap = 0;
    config_key *k;
    ATOLL_CALL(fetch_value(cfg, section, key, true, true, &k));
    const char *item = k->value;
    for (;;) {
        const char *comma = strchr(item, ',');
        size_t len = comma ? (size_t)(comma - item) : strlen(item);
        ATOLL_CALL_GOTO(rc, grow((void **)&list, &cap, n + 1, sizeof *list));
        list[n] = trimmed_copy(item, len);
        if (!list[n]) {
            rc = ATOLL_NOMEM("a list item");
            goto fail;
        }
        n++;
        if (!list[n - 1][0]) {
            char quoted[CONFIG_QUOTE_MAX];
            rc = atoll_config_error(cfg, section, key, "empty item in list (got '%s')",
                                    quote(k->value, quoted, sizeof quoted));
            goto fail;
        }
        if (!comma)
            break;
        item = comma + 1;
    }
    *items = list;
    *n_items = n;
    return ATOLL_OK;
fail:
    atoll_config_free_list(list, n);
    return rc;
}

/* ---- checking and writing --------------------------------------------------------------- */

int atoll_config_check_unused(const atoll_config *cfg)
{
    for (size_t i = 0; cfg && i < cfg->n_sections; i++) {
        const config_section *sec = &cfg->sections[i];
        bool any_used = sec->used;
        for (size_t j = 0; j < sec->n_keys && !any_used; j++)
            any_used = sec->keys[j].used;
        if (!any_used)
            return atoll_config_error(cfg, sec->name, NULL, "unknown section");
        for (size_t j = 0; j < sec->n_keys; j++)
            if (!sec->keys[j].used && !sec->used)
                return atoll_config_error(cfg, sec->name, sec->keys[j].name, "unknown key");
    }
    return ATOLL_OK;
}

/* Where to cut `value` so that at most `width` bytes stay on this line: a lone space between
 * two words, the next piece starting with neither ';' nor '#' (which would make its line a
 * comment). 0 when there is no such place. */
static size_t split_point(const char *value, size_t width)
{
    for (size_t i = width; i > 0; i--) {
        if (value[i] != ' ' || isspace((unsigned char)value[i - 1]))
            continue;
        char next = value[i + 1];
        if (next && !isspace((unsigned char)next) && next != ';' && next != '#')
            return i;
    }
    return 0;
}

/* Write "key = value", over continuation lines when it is longer than a line may be. */
static void write_key(const config_key *k, FILE *out)
{
    const char *rest = k->value;
    /* a value starting with ';' must follow '=' directly, or it reads as a comment */
    const char *sep = rest[0] == ';' || !rest[0] ? " =" : " = ";
    size_t used = strlen(k->name) + strlen(sep);
    fprintf(out, "%s%s", k->name, sep);
    for (;;) {
        size_t len = strlen(rest);
        size_t width = used < CONFIG_MAX_LINE ? CONFIG_MAX_LINE - used : 0;
        size_t cut = len > width ? split_point(rest, width) : 0;
        if (!cut) {
            fprintf(out, "%s\n", rest);
            return;
        }
        fprintf(out, "%.*s\n" CONFIG_INDENT, (int)cut, rest);
        rest += cut + 1;
        used = strlen(CONFIG_INDENT);
    }
}

int atoll_config_write(const atoll_config *cfg, FILE *out)
{
    bool first = true;
    for (size_t i = 0; cfg && i < cfg->n_sections; i++) {
        const config_section *sec = &cfg->sections[i];
        bool header = false;
        for (size_t j = 0; j < sec->n_keys; j++) {
            const config_key *k = &sec->keys[j];
            if (!k->used && !sec->used)
                continue;
            if (!header)
                fprintf(out, "%s[%s]\n", first ? "" : "\n", sec->name);
            header = true;
            first = false;
            write_key(k, out);
        }
    }
    if (fflush(out) != 0 || ferror(out))
        return ATOLL_RAISE(ATOLL_ERR_IO, "cannot write the config: %s", strerror(errno));
    return ATOLL_OK;
}

bool atoll_path_climbs(const char *path)
{
    for (const char *p = path;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        if (!slash)
            return false;
        p = slash + 1;
    }
}
