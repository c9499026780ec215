/* command.c - the "command" objective: the user's own program, started per trial, is the fitness. */

/*
 * `command` is split into an argv once, at configure, with POSIX-shell-like quoting ('...',
 * "...", backslash) and no expansion. Each trial substitutes its values into {NAME}
 * placeholders and starts the program directly (spawn.c: no shell, so a value is always one
 * argument and never a command), in its own process group, with the parameters also in the
 * environment (ATOLL_PARAM_<NAME>, ATOLL_TRIAL, ATOLL_RANK, ATOLL_SEED). Its stdout and
 * stderr go to <out>/trials/<trial>.out and .err; the score is read from the stdout file: the
 * last line that is a number, or the first group of the last line matching metric_regex, or
 * the key metric_json of the last JSON-object line having it. A non-zero exit, a signal, a
 * missing or non-finite score, an output file past max_output, a workdir that would climb out
 * through '..' make the trial FAILED (the reason is appended to its .err file); a timeout ends
 * the whole process group and makes it TIMEOUT. Processes a program leaves running in its
 * group are ended when it exits. The state holds one text arena reused by every trial, so
 * evaluate allocates only while buffers grow, and the score is read from the last 16 MiB of
 * stdout at most, so a program's output never costs more memory than that.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/trials.h"
#include "objective/command_parse.h"
#include "objective/objective.h"
#include "objective/spawn.h"

#define S "objective"
#define CMD_MAX_TIMEOUT_S 1e9
#define CMD_MAX_GRACE_S 3600.0
#define CMD_MAX_GPUS 4096L
#define CMD_MAX_OUTPUT_MIB 1e9
#define CMD_TAIL_BYTES (16L << 20) /* the score is looked for in the last 16 MiB of stdout */
#define CMD_NUMBER_MAX 128

extern char **environ;

static const char *const direction_names[] = {"minimize", "maximize", NULL};

enum { PARSE_LAST_NUMBER = 0, PARSE_REGEX, PARSE_JSON };

typedef struct {
    char **argv; /* templates, owned, argc + 1 (NULL-terminated) */
    size_t argc;
    char *workdir; /* template or NULL */
    double timeout_s, kill_grace_s;
    double max_output_mib; /* 0: no limit */
    long gpus_per_node;
    int direction;
    int parse;
    bool have_regex;
    regex_t regex;
    char *json_key;
    char **extras;
    size_t n_extras;
    const char *columns[ATOLL_EVAL_EXTRA_MAX + 1]; /* exit_code, extras, NULL */
} command_params;

/* The [objective] keys of type = command and their defaults (command is required; workdir,
 * metric_regex, metric_json and extra_metrics have none). */
static const command_params command_defaults = {
    /* command: the program and its arguments, quoted like a shell; {NAME} placeholders */
    /* workdir: the trial's working directory, created per trial; {NAME} placeholders */
    .timeout_s = 0.0,    /* timeout: seconds before the process group is ended, 0 = none */
    .kill_grace_s = 5.0, /* kill_grace: seconds from SIGTERM to SIGKILL after a timeout */
    .max_output_mib = 1024.0, /* max_output: MiB stdout or stderr may reach, 0 = no limit */
    .gpus_per_node = 0,  /* gpus_per_node: G > 0 sets CUDA_VISIBLE_DEVICES = local_rank % G */
    .direction = 0,      /* direction: minimize | maximize, the score's natural direction */
    .parse = PARSE_LAST_NUMBER,
    /* metric_regex: POSIX extended regex; its first group on the last matching line */
    /* metric_json: KEY of the last stdout line that is a JSON object with "KEY": number */
    /* extra_metrics: up to 7 names logged as columns after exit_code */
};

/* A growable text buffer; strings are appended NUL-terminated and found again by offset. */
typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

typedef struct {
    const command_params *par;
    const atoll_space *space;
    int rank;
    char *cwd;         /* absolute, for relative programs and workdirs */
    char *trials_dir;  /* <out>/trials */
    char **base_env;   /* the parent's environment less the variables set per trial, owned */
    size_t n_base_env;
    char **argv;       /* argc + 1 pointers into arena */
    char **envp;       /* n_base_env + n_params + 3 + 1 */
    size_t *offsets;   /* argc + n_params + 3 + 4 */
    strbuf arena;      /* every string of one trial */
    strbuf text;       /* the stdout file's tail */
} command_state;

/* ---------------------------------------------------------------- small helpers */

static int sb_reserve(strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return ATOLL_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        return ATOLL_NOMEM("a command buffer");
    b->s = s;
    b->cap = cap;
    return ATOLL_OK;
}

static int sb_add(strbuf *b, const char *s, size_t n)
{
    ATOLL_CALL(sb_reserve(b, n));
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return ATOLL_OK;
}

static int sb_str(strbuf *b, const char *s)
{
    return sb_add(b, s, strlen(s));
}

/* End the current string (keep its NUL) so the next one starts after it. */
static int sb_end(strbuf *b)
{
    ATOLL_CALL(sb_reserve(b, 1));
    b->s[b->len++] = '\0';
    b->s[b->len] = '\0';
    return ATOLL_OK;
}

static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Parse [b, e) whole as a number, surrounding white space allowed (may be NaN or inf). */
static bool parse_number(const char *b, const char *e, double *out)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    size_t n = (size_t)(e - b);
    if (n == 0 || n >= CMD_NUMBER_MAX)
        return false;
    char buf[CMD_NUMBER_MAX], *end;
    memcpy(buf, b, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || (errno == ERANGE && isfinite(v) && v != 0.0))
        return false;
    *out = v;
    return true;
}

/* ---------------------------------------------------------------- argv splitting */

/* Split `line` like a POSIX shell splits words, without any expansion: '...' literal,
 * "..." with \ escaping $ ` " \ and newline, a bare \ quoting the next character. On error
 * *why names it and the return is ATOLL_ERR_USAGE (not raised). */
static int split_command(const char *line, char ***argv_out, size_t *argc_out, char *why,
                        size_t why_size)
{
    strbuf word = {0};
    char **argv = NULL;
    size_t argc = 0;
    const char *p = line;
    int rc = ATOLL_OK;
    *argv_out = NULL;
    *argc_out = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        word.len = 0;
        if (sb_reserve(&word, 0) != ATOLL_OK)
            goto nomem;
        word.s[0] = '\0';
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *close = strchr(p + 1, '\'');
                if (!close) {
                    snprintf(why, why_size, "unbalanced single quote");
                    rc = ATOLL_ERR_USAGE;
                    goto out;
                }
                if (sb_add(&word, p + 1, (size_t)(close - p - 1)) != ATOLL_OK)
                    goto nomem;
                p = close + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1]))
                        p++;
                    if (sb_add(&word, p, 1) != ATOLL_OK)
                        goto nomem;
                    p++;
                }
                if (*p != '"') {
                    snprintf(why, why_size, "unbalanced double quote");
                    rc = ATOLL_ERR_USAGE;
                    goto out;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    snprintf(why, why_size, "a backslash ends the command");
                    rc = ATOLL_ERR_USAGE;
                    goto out;
                }
                if (sb_add(&word, p + 1, 1) != ATOLL_OK)
                    goto nomem;
                p += 2;
            } else {
                if (sb_add(&word, p, 1) != ATOLL_OK)
                    goto nomem;
                p++;
            }
        }
        char **grown = realloc(argv, (argc + 2) * sizeof *argv);
        if (!grown)
            goto nomem;
        argv = grown;
        argv[argc] = strdup(word.s);
        if (!argv[argc])
            goto nomem;
        argv[++argc] = NULL;
    }
    if (argc == 0 || !argv[0][0]) {
        snprintf(why, why_size, "empty command");
        rc = ATOLL_ERR_USAGE;
        goto out;
    }
    free(word.s);
    *argv_out = argv;
    *argc_out = argc;
    return ATOLL_OK;
nomem:
    rc = ATOLL_NOMEM("the command's arguments");
out:
    free(word.s);
    free_strings(argv, argc);
    return rc;
}

/* ---------------------------------------------------------------- placeholders */

/* What a template's placeholders are replaced with (values NULL: only check names). */
typedef struct {
    const atoll_space *space;
    const atoll_value *values;
    long trial;
    uint64_t seed;
    int rank;
    const char *workdir; /* NULL: {workdir} is not allowed here */
} expand_ctx;

/* Append template `t` with its placeholders replaced to `b` (values given), or only check
 * it. Errors (unknown name, lone brace) go to *why as ATOLL_ERR_USAGE, not raised. */
static int expand(const char *t, const expand_ctx *x, bool allow_workdir, strbuf *b, char *why,
                  size_t why_size)
{
    for (const char *p = t; *p;) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            if (b)
                ATOLL_CALL(sb_add(b, p, 1));
            p += 2;
            continue;
        }
        if (*p == '}') {
            snprintf(why, why_size, "a lone '}' (write '}}' for a literal brace)");
            return ATOLL_ERR_USAGE;
        }
        if (*p != '{') {
            const char *q = p;
            while (*q && *q != '{' && *q != '}')
                q++;
            if (b)
                ATOLL_CALL(sb_add(b, p, (size_t)(q - p)));
            p = q;
            continue;
        }
        const char *close = strchr(p + 1, '}');
        if (!close) {
            snprintf(why, why_size, "a lone '{' (write '{{' for a literal brace)");
            return ATOLL_ERR_USAGE;
        }
        char name[128];
        size_t n = (size_t)(close - p - 1);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, p + 1, n);
        name[n] = '\0';
        long param = atoll_space_find(x->space, name);
        char num[64];
        if (param >= 0) {
            if (b) {
                char small[64];
                int len = atoll_space_format(x->space, (size_t)param, &x->values[param], small,
                                             sizeof small);
                if (len >= (int)sizeof small) /* a long choice */
                    ATOLL_CALL(sb_str(b, x->values[param].str));
                else
                    ATOLL_CALL(sb_str(b, small));
            }
        } else if (strcmp(name, "trial") == 0 || strcmp(name, "seed") == 0 ||
                   strcmp(name, "rank") == 0) {
            if (b) {
                if (name[0] == 't')
                    snprintf(num, sizeof num, "%ld", x->trial);
                else if (name[0] == 's')
                    snprintf(num, sizeof num, "%llu", (unsigned long long)x->seed);
                else
                    snprintf(num, sizeof num, "%d", x->rank);
                ATOLL_CALL(sb_str(b, num));
            }
        } else if (strcmp(name, "workdir") == 0 && allow_workdir) {
            if (b)
                ATOLL_CALL(sb_str(b, x->workdir ? x->workdir : "."));
        } else {
            snprintf(why, why_size, "unknown placeholder {%s}", name);
            return ATOLL_ERR_USAGE;
        }
        p = close + 1;
    }
    return ATOLL_OK;
}

/* ---------------------------------------------------------------- configure */

static void command_free_params(void *params)
{
    command_params *p = params;
    if (!p)
        return;
    free_strings(p->argv, p->argc);
    free(p->workdir);
    if (p->have_regex)
        regfree(&p->regex);
    free(p->json_key);
    free_strings(p->extras, p->n_extras);
    free(p);
}

/* Whether `name` is an executable found on PATH. */
static bool on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char buf[PATH_MAX];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        int len = snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? path : ".", name);
        struct stat st;
        if (len < (int)sizeof buf && access(buf, X_OK) == 0 && stat(buf, &st) == 0 &&
            S_ISREG(st.st_mode))
            return true;
        if (!colon)
            break;
        path = colon + 1;
    }
    return false;
}

static int read_command(atoll_config *cfg, const atoll_space *space, command_params *p)
{
    const char *line = NULL;
    char why[256];
    ATOLL_CALL(atoll_config_get_string(cfg, S, "command", NULL, true, &line));
    if (!line)
        return atoll_config_error(cfg, S, "command", "missing (required)");
    int rc = split_command(line, &p->argv, &p->argc, why, sizeof why);
    if (rc == ATOLL_ERR_USAGE)
        return atoll_config_error(cfg, S, "command", "%s", why);
    ATOLL_CALL(rc);
    expand_ctx check = {.space = space};
    for (size_t i = 0; i < p->argc; i++)
        if (expand(p->argv[i], &check, true, NULL, why, sizeof why) != ATOLL_OK)
            return atoll_config_error(cfg, S, "command", "%s", why);
    const char *prog = p->argv[0];
    if (strchr(prog, '{') || strchr(prog, '}'))
        return ATOLL_OK; /* known per trial only */
    if (strchr(prog, '/')) {
        if (access(prog, X_OK) != 0)
            return atoll_config_error(cfg, S, "command", "%s: not an executable file (%s)", prog,
                                      strerror(errno));
    } else if (!on_path(prog)) {
        return atoll_config_error(cfg, S, "command", "%s: not found on PATH", prog);
    }
    return ATOLL_OK;
}

static int read_metrics(atoll_config *cfg, const atoll_space *space, command_params *p)
{
    const char *regex = NULL, *key = NULL;
    ATOLL_CALL(atoll_config_get_string(cfg, S, "metric_regex", NULL, false, &regex));
    ATOLL_CALL(atoll_config_get_string(cfg, S, "metric_json", NULL, false, &key));
    if (regex && key)
        return atoll_config_error(cfg, S, "metric_json", "not together with metric_regex");
    if (regex) {
        int err = regcomp(&p->regex, regex, REG_EXTENDED);
        if (err != 0) {
            char why[256];
            regerror(err, &p->regex, why, sizeof why);
            return atoll_config_error(cfg, S, "metric_regex", "does not compile: %s", why);
        }
        p->have_regex = true;
        if (p->regex.re_nsub < 1)
            return atoll_config_error(cfg, S, "metric_regex",
                                      "needs a parenthesised group around the number");
        p->parse = PARSE_REGEX;
    }
    if (key) {
        if (!(p->json_key = strdup(key)))
            return ATOLL_NOMEM("metric_json");
        p->parse = PARSE_JSON;
    }
    p->columns[0] = "exit_code";
    if (atoll_config_has(cfg, S, "extra_metrics")) {
        ATOLL_CALL(atoll_config_get_list(cfg, S, "extra_metrics", &p->extras, &p->n_extras));
        if (p->n_extras > ATOLL_EVAL_EXTRA_MAX - 1)
            return atoll_config_error(cfg, S, "extra_metrics",
                                      "at most %d names (exit_code is logged too; got %zu)",
                                      ATOLL_EVAL_EXTRA_MAX - 1, p->n_extras);
        for (size_t i = 0; i < p->n_extras; i++) {
            const char *name = p->extras[i];
            if (!atoll_space_name_ok(name) || strcmp(name, "exit_code") == 0)
                return atoll_config_error(cfg, S, "extra_metrics",
                                          "'%s' is not a usable column name", name);
            if (atoll_space_find(space, name) >= 0)
                return atoll_config_error(cfg, S, "extra_metrics",
                                          "'%s' is also a parameter", name);
            for (size_t j = 0; j < i; j++)
                if (strcmp(p->extras[j], name) == 0)
                    return atoll_config_error(cfg, S, "extra_metrics", "'%s' is repeated",
                                              name);
            p->columns[i + 1] = name;
        }
    }
    return ATOLL_OK;
}

/* A workdir is the trial's own folder: no '..' component may lead out of it, neither in the
 * template nor in a choice value that a placeholder puts into it. */
static int check_workdir(atoll_config *cfg, const atoll_space *space, const char *workdir)
{
    char quoted[160];
    if (atoll_path_climbs(workdir))
        return atoll_config_error(cfg, S, "workdir",
                                  "a '..' component is not allowed (got '%.120s'); give an "
                                  "absolute path or one below the current folder",
                                  workdir);
    for (const char *p = workdir; (p = strchr(p, '{'));) {
        const char *close = strchr(p + 1, '}');
        if (p[1] == '{' || !close) {
            p += 2;
            continue;
        }
        snprintf(quoted, sizeof quoted, "%.*s", (int)(close - p - 1), p + 1);
        long i = atoll_space_find(space, quoted);
        const atoll_param *param = i >= 0 ? &space->params[i] : NULL;
        for (size_t c = 0; param && param->kind == ATOLL_PARAM_CHOICE && c < param->n_choices;
             c++)
            if (atoll_path_climbs(param->choices[c]))
                return atoll_config_error(cfg, S, "workdir",
                                          "{%s} can be '%.60s', whose '..' component would "
                                          "lead out of the trial's folder",
                                          quoted, param->choices[c]);
        p = close + 1;
    }
    return ATOLL_OK;
}

static int command_configure(atoll_config *cfg, atoll_space *space, void **params)
{
    const command_params *d = &command_defaults;
    int rc = ATOLL_OK;
    command_params *p = calloc(1, sizeof *p);
    if (!p)
        return ATOLL_NOMEM("the command parameters");
    *p = *d;
    ATOLL_CALL_GOTO(rc, read_command(cfg, space, p));
    const char *workdir = NULL;
    ATOLL_CALL_GOTO(rc, atoll_config_get_string(cfg, S, "workdir", NULL, false, &workdir));
    if (workdir) {
        char why[256];
        expand_ctx check = {.space = space};
        if (expand(workdir, &check, false, NULL, why, sizeof why) != ATOLL_OK) {
            rc = atoll_config_error(cfg, S, "workdir", "%s", why);
            goto fail;
        }
        ATOLL_CALL_GOTO(rc, check_workdir(cfg, space, workdir));
        if (!(p->workdir = strdup(workdir))) {
            rc = ATOLL_NOMEM("workdir");
            goto fail;
        }
    }
    ATOLL_CALL_GOTO(rc, read_metrics(cfg, space, p));
    ATOLL_CALL_GOTO(rc, atoll_config_get_double(cfg, S, "timeout", d->timeout_s, 0.0,
                                                CMD_MAX_TIMEOUT_S, &p->timeout_s));
    ATOLL_CALL_GOTO(rc, atoll_config_get_double(cfg, S, "kill_grace", d->kill_grace_s, 0.0,
                                                CMD_MAX_GRACE_S, &p->kill_grace_s));
    ATOLL_CALL_GOTO(rc, atoll_config_get_double(cfg, S, "max_output", d->max_output_mib, 0.0,
                                                CMD_MAX_OUTPUT_MIB, &p->max_output_mib));
    ATOLL_CALL_GOTO(rc, atoll_config_get_long(cfg, S, "gpus_per_node", d->gpus_per_node, 0,
                                              CMD_MAX_GPUS, &p->gpus_per_node));
    ATOLL_CALL_GOTO(rc, atoll_config_get_enum(cfg, S, "direction", direction_names[d->direction],
                                              direction_names, &p->direction));
    *params = p;
    return ATOLL_OK;
fail:
    command_free_params(p);
    return rc;
}

static const char *const *command_columns(const void *params)
{
    const command_params *p = params;
    return p->columns;
}

static atoll_direction command_direction(const void *params)
{
    const command_params *p = params;
    return p->direction == 1 ? ATOLL_MAXIMIZE : ATOLL_MINIMIZE;
}

/* ---------------------------------------------------------------- create / destroy */

static void command_destroy(void *state)
{
    command_state *st = state;
    if (!st)
        return;
    free(st->cwd);
    free(st->trials_dir);
    free_strings(st->base_env, st->n_base_env);
    free(st->argv);
    free(st->envp);
    free(st->offsets);
    free(st->arena.s);
    free(st->text.s);
    free(st);
}

/* Whether environment entry `e` is one that each trial sets itself. */
static bool set_per_trial(const char *e, bool gpus)
{
    return strncmp(e, "ATOLL_PARAM_", 12) == 0 || strncmp(e, "ATOLL_TRIAL=", 12) == 0 ||
           strncmp(e, "ATOLL_RANK=", 11) == 0 || strncmp(e, "ATOLL_SEED=", 11) == 0 ||
           (gpus && strncmp(e, "CUDA_VISIBLE_DEVICES=", 21) == 0);
}

static int command_create(const void *params, const atoll_space *space,
                          const atoll_objective_env *env, void **state)
{
    const command_params *par = params;
    int rc = ATOLL_OK;
    command_state *st = calloc(1, sizeof *st);
    if (!st)
        return ATOLL_NOMEM("the command state");
    st->par = par;
    st->space = space;
    st->rank = env->rank;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME, "command: getcwd failed: %s", strerror(errno));
        goto fail;
    }
    size_t n_env = 0;
    for (char **e = environ; e && *e; e++)
        n_env++;
    size_t n_trial_env = space->n + 3;
    st->cwd = strdup(cwd);
    st->base_env = calloc(n_env + 1, sizeof *st->base_env);
    st->argv = calloc(par->argc + 1, sizeof *st->argv);
    st->envp = calloc(n_env + 1 + n_trial_env + 1, sizeof *st->envp);
    st->offsets = calloc(par->argc + n_trial_env + 4, sizeof *st->offsets);
    if (!st->cwd || !st->base_env || !st->argv || !st->envp || !st->offsets) {
        rc = ATOLL_NOMEM("the command state");
        goto fail;
    }
    bool gpus = par->gpus_per_node > 0;
    for (char **e = environ; e && *e; e++) {
        if (set_per_trial(*e, gpus))
            continue;
        if (!(st->base_env[st->n_base_env] = strdup(*e))) {
            rc = ATOLL_NOMEM("the command environment");
            goto fail;
        }
        st->n_base_env++;
    }
    if (gpus) {
        char var[64];
        snprintf(var, sizeof var, "CUDA_VISIBLE_DEVICES=%ld",
                 (long)env->local_rank % par->gpus_per_node);
        if (!(st->base_env[st->n_base_env] = strdup(var))) {
            rc = ATOLL_NOMEM("the command environment");
            goto fail;
        }
        st->n_base_env++;
    }
    strbuf dir = {0};
    ATOLL_CALL_GOTO(rc, sb_str(&dir, env->out_dir ? env->out_dir : "."));
    ATOLL_CALL_GOTO(rc, sb_str(&dir, "/trials"));
    st->trials_dir = dir.s;
    ATOLL_CALL_GOTO(rc, atoll_mkdirs(st->trials_dir));
    *state = st;
    return ATOLL_OK;
fail:
    command_destroy(st);
    return rc;
}

/* ---------------------------------------------------------------- reading the score */

/* Read the last CMD_TAIL_BYTES of `path` into st->text, with every line NUL-terminated. At
 * most that many bytes are read, even from a file that something still writes to, and the
 * buffer is sized once for them. */
static int read_tail(command_state *st, const char *path)
{
    st->text.len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    bool cut = false;
    size_t want = CMD_TAIL_BYTES;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        cut = size > CMD_TAIL_BYTES;
        if (size >= 0 && !cut)
            want = (size_t)size;
        fseek(f, cut ? size - CMD_TAIL_BYTES : 0, SEEK_SET);
    }
    char chunk[65536];
    size_t n;
    int rc = sb_reserve(&st->text, want + 1);
    while (rc == ATOLL_OK && st->text.len < want &&
           (n = fread(chunk, 1, want - st->text.len < sizeof chunk ? want - st->text.len
                                                                   : sizeof chunk,
                      f)) > 0)
        rc = sb_add(&st->text, chunk, n);
    fclose(f);
    ATOLL_CALL(rc);
    ATOLL_CALL(sb_reserve(&st->text, 1));
    st->text.s[st->text.len] = '\0';
    size_t start = 0;
    if (cut) /* drop the partial first line */
        while (start < st->text.len && st->text.s[start] != '\n')
            start++;
    for (size_t i = 0; i < st->text.len; i++)
        if (st->text.s[i] == '\n' || st->text.s[i] == '\r')
            st->text.s[i] = '\0';
    memset(st->text.s, ' ', start); /* the partial first line, now its own string */
    return ATOLL_OK;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Skip one JSON string starting at its quote; the character after it, or NULL. */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p == '"' ? p + 1 : NULL;
}

/* Skip a nested array or object (strings respected); the character after it, or NULL. */
static const char *skip_nested(const char *p)
{
    int depth = 0;
    do {
        if (*p == '"') {
            if (!(p = skip_string(p)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        else if (!*p)
            return NULL;
        p++;
    } while (depth > 0);
    return p;
}

/* Scan `line` as one JSON object: -1 if it is not one, else 1 when it has "key" with a
 * number value (stored in *value; the last such member wins), 0 when not. */
static int json_number(const char *line, const char *key, double *value)
{
    const char *p = skip_ws(line);
    size_t klen = strlen(key);
    int found = 0;
    if (*p++ != '{')
        return -1;
    p = skip_ws(p);
    if (*p == '}')
        return *skip_ws(p + 1) ? -1 : 0;
    for (;;) {
        if (*p != '"')
            return -1;
        const char *name = p + 1, *after = skip_string(p);
        if (!after)
            return -1;
        bool match = (size_t)(after - 1 - name) == klen && memcmp(name, key, klen) == 0;
        p = skip_ws(after);
        if (*p++ != ':')
            return -1;
        p = skip_ws(p);
        if (*p == '"') {
            if (!(p = skip_string(p)))
                return -1;
        } else if (*p == '{' || *p == '[') {
            if (!(p = skip_nested(p)))
                return -1;
        } else {
            const char *b = p;
            while (*p && *p != ',' && *p != '}' && *p != ' ' && *p != '\t')
                p++;
            if (p == b)
                return -1;
            double v;
            if (match && parse_number(b, p, &v)) {
                *value = v;
                found = 1;
            }
        }
        p = skip_ws(p);
        if (*p == ',') {
            p = skip_ws(p + 1);
            continue;
        }
        if (*p == '}')
            return *skip_ws(p + 1) ? -1 : found;
        return -1;
    }
}

/* A `name = number` or `name: number` line's number. */
static bool named_number(const char *line, const char *name, double *value)
{
    const char *p = skip_ws(line);
    size_t n = strlen(name);
    if (strncmp(p, name, n) != 0)
        return false;
    p = skip_ws(p + n);
    if (*p != '=' && *p != ':')
        return false;
    p++;
    return parse_number(p, p + strlen(p), value);
}

/* Find the score (and the extra metrics, out->extra[1..]) in st->text. By the last number
 * line, a score that is not finite is returned only when no line is a finite number. */
static bool find_score(command_state *st, double *score, double *extra)
{
    const command_params *par = st->par;
    const char *end = st->text.s + st->text.len, *score_line = NULL;
    bool have = false, finite = false;
    for (const char *line = st->text.s; line < end; line += strlen(line) + 1) {
        double v;
        if (par->parse == PARSE_LAST_NUMBER) {
            /* the last finite number line; failing that, the last nan or inf, so that the
             * trial can say why it has no score */
            if (parse_number(line, line + strlen(line), &v) && (isfinite(v) || !finite)) {
                *score = v;
                have = true;
                finite = isfinite(v);
            }
        } else if (par->parse == PARSE_REGEX) {
            regmatch_t m[2];
            if (regexec(&par->regex, line, 2, m, 0) == 0 && m[1].rm_so >= 0 &&
                parse_number(line + m[1].rm_so, line + m[1].rm_eo, &v)) {
                *score = v;
                have = true;
            }
        } else if (json_number(line, par->json_key, &v) == 1) {
            *score = v;
            have = true;
            score_line = line;
        }
        if (par->parse != PARSE_JSON)
            for (size_t j = 0; j < par->n_extras; j++)
                if (named_number(line, par->extras[j], &v))
                    extra[j] = v;
    }
    if (par->parse == PARSE_JSON && score_line)
        for (size_t j = 0; j < par->n_extras; j++) {
            double v;
            if (json_number(score_line, par->extras[j], &v) == 1)
                extra[j] = v;
        }
    return have;
}

int atoll_command_read_score(const void *params, const char *path, bool *have, double *score,
                             double *extra)
{
    command_state st = {.par = params};
    int rc = read_tail(&st, path);
    if (rc == ATOLL_OK)
        *have = find_score(&st, score, extra);
    free(st.text.s);
    return rc == ATOLL_OK ? ATOLL_OK : atoll_error_trace(rc, __FILE__, __LINE__);
}

/* ---------------------------------------------------------------- evaluate */

/* Append "atoll: trial T ..." to the trial's .err file (best effort). */
static void note(const char *err_path, long trial, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(const char *err_path, long trial, const char *fmt, ...)
{
    FILE *f = fopen(err_path, "a");
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(f, "atoll: trial %ld ", trial);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    va_end(ap);
    fclose(f);
}

/* Add the string that expand() / sb_str() just appended as string number `k`. */
static int mark(command_state *st, size_t *k, size_t begin)
{
    st->offsets[(*k)++] = begin;
    return sb_end(&st->arena);
}

static int command_evaluate(void *state, const atoll_value *values, const atoll_trial_ctx *ctx,
                            atoll_eval *out)
{
    command_state *st = state;
    const command_params *par = st->par;
    const atoll_space *space = st->space;
    strbuf *a = &st->arena;
    char why[256];
    size_t k = 0, begin;
    a->len = 0;
    expand_ctx x = {.space = space, .values = values, .trial = ctx->trial, .seed = ctx->seed,
                    .rank = st->rank};

    /* 0: stdout path, 1: stderr path, 2: workdir (or empty), then argv, then env */
    char name[64];
    snprintf(name, sizeof name, "/%ld.out", ctx->trial);
    begin = a->len;
    ATOLL_CALL(sb_str(a, st->trials_dir));
    ATOLL_CALL(sb_str(a, name));
    ATOLL_CALL(mark(st, &k, begin));
    name[strlen(name) - 3] = '\0';
    begin = a->len;
    ATOLL_CALL(sb_str(a, st->trials_dir));
    ATOLL_CALL(sb_str(a, name));
    ATOLL_CALL(sb_str(a, "err"));
    ATOLL_CALL(mark(st, &k, begin));
    begin = a->len;
    if (par->workdir) {
        if (par->workdir[0] != '/') {
            ATOLL_CALL(sb_str(a, st->cwd));
            ATOLL_CALL(sb_str(a, "/"));
        }
        if (expand(par->workdir, &x, false, a, why, sizeof why) != ATOLL_OK)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "command: workdir: %s", why);
    }
    ATOLL_CALL(mark(st, &k, begin));
    /* {workdir} needs the expanded text, which may move as the arena grows: copy it. */
    char workdir[PATH_MAX];
    snprintf(workdir, sizeof workdir, "%s", a->s + st->offsets[2]);
    x.workdir = par->workdir ? workdir : st->cwd;
    for (size_t i = 0; i < par->argc; i++) {
        begin = a->len;
        if (i == 0 && strchr(par->argv[0], '/') && par->argv[0][0] != '/') {
            ATOLL_CALL(sb_str(a, st->cwd));
            ATOLL_CALL(sb_str(a, "/"));
        }
        if (expand(par->argv[i], &x, true, a, why, sizeof why) != ATOLL_OK)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "command: %s", why);
        ATOLL_CALL(mark(st, &k, begin));
    }
    size_t env0 = k;
    for (size_t i = 0; i < space->n; i++) {
        begin = a->len;
        ATOLL_CALL(sb_str(a, "ATOLL_PARAM_"));
        for (const char *c = space->params[i].name; *c; c++) {
            char up = (char)toupper((unsigned char)*c);
            ATOLL_CALL(sb_add(a, &up, 1));
        }
        ATOLL_CALL(sb_str(a, "="));
        char tmpl[160];
        snprintf(tmpl, sizeof tmpl, "{%s}", space->params[i].name);
        ATOLL_CALL(expand(tmpl, &x, false, a, why, sizeof why));
        ATOLL_CALL(mark(st, &k, begin));
    }
    begin = a->len;
    snprintf(name, sizeof name, "ATOLL_TRIAL=%ld", ctx->trial);
    ATOLL_CALL(sb_str(a, name));
    ATOLL_CALL(mark(st, &k, begin));
    begin = a->len;
    snprintf(name, sizeof name, "ATOLL_RANK=%d", st->rank);
    ATOLL_CALL(sb_str(a, name));
    ATOLL_CALL(mark(st, &k, begin));
    begin = a->len;
    snprintf(name, sizeof name, "ATOLL_SEED=%llu", (unsigned long long)ctx->seed);
    ATOLL_CALL(sb_str(a, name));
    ATOLL_CALL(mark(st, &k, begin));

    /* The arena has stopped growing: turn offsets into pointers. */
    const char *out_path = a->s + st->offsets[0], *err_path = a->s + st->offsets[1];
    for (size_t i = 0; i < par->argc; i++)
        st->argv[i] = a->s + st->offsets[3 + i];
    st->argv[par->argc] = NULL;
    size_t e = 0;
    for (size_t i = 0; i < st->n_base_env; i++)
        st->envp[e++] = st->base_env[i];
    for (size_t i = env0; i < k; i++)
        st->envp[e++] = a->s + st->offsets[i];
    st->envp[e] = NULL;

    for (size_t j = 0; j < ATOLL_EVAL_EXTRA_MAX; j++)
        out->extra[j] = NAN;
    out->value = NAN;
    out->status = ATOLL_STATUS_FAILED;
    if (par->workdir && atoll_path_climbs(workdir)) { /* values joined into a '..': never run there */
        note(err_path, ctx->trial, "failed: the workdir %s has a '..' component", workdir);
        return ATOLL_OK;
    }
    if (par->workdir)
        ATOLL_CALL(atoll_mkdirs(workdir));
    atoll_spawn_spec spec = {.path = st->argv[0],
                             .argv = st->argv,
                             .envp = st->envp,
                             .workdir = par->workdir ? workdir : NULL,
                             .stdout_path = out_path,
                             .stderr_path = err_path,
                             .timeout_s = par->timeout_s,
                             .kill_grace_s = par->kill_grace_s,
                             .max_output = (long long)(par->max_output_mib * 1048576.0)};
    atoll_spawn_result res;
    ATOLL_CALL(atoll_spawn_run(&spec, &res));
    if (res.leftovers)
        note(err_path, ctx->trial,
             "exited leaving processes in its process group: they were ended");
    switch (res.end) {
    case ATOLL_SPAWN_OUTPUT:
        note(err_path, ctx->trial,
             "failed: its %s passed max_output (%g MiB): its process group was ended and the "
             "file cut there",
             res.code == 1 ? "stdout" : "stderr", par->max_output_mib);
        return ATOLL_OK;
    case ATOLL_SPAWN_NOSTART:
        out->extra[0] = 127.0;
        note(err_path, ctx->trial, "failed: cannot start %s: %s", st->argv[0],
             strerror(res.code));
        return ATOLL_OK;
    case ATOLL_SPAWN_TIMEOUT:
        out->status = ATOLL_STATUS_TIMEOUT;
        note(err_path, ctx->trial, "timed out after %g s: its process group was terminated",
             par->timeout_s);
        return ATOLL_OK;
    case ATOLL_SPAWN_SIGNALED:
        out->extra[0] = -(double)res.code;
        break;
    case ATOLL_SPAWN_EXITED:
        out->extra[0] = (double)res.code;
        break;
    }
    double score = NAN;
    ATOLL_CALL(read_tail(st, out_path));
    bool have = find_score(st, &score, out->extra + 1);
    if (res.end == ATOLL_SPAWN_SIGNALED)
        note(err_path, ctx->trial, "failed: killed by signal %d", res.code);
    else if (res.code != 0)
        note(err_path, ctx->trial, "failed: exit status %d", res.code);
    else if (!have)
        note(err_path, ctx->trial, "failed: no score in stdout%s",
             st->text.len == 0          ? " (it is empty)"
             : par->parse == PARSE_REGEX ? " (no line matches metric_regex)"
             : par->parse == PARSE_JSON  ? " (no JSON line with metric_json)"
                                         : " (no line is a number)");
    else if (!isfinite(score))
        note(err_path, ctx->trial, "failed: the score is not finite (%g)", score);
    else {
        out->value = score;
        out->status = ATOLL_STATUS_OK;
    }
    return ATOLL_OK;
}

/* The command objective's type table, registered in registry.c. */
const atoll_objective_type atoll_objective_command = {
    .name = "command",
    .summary = "the user's own program, started per trial without a shell; its stdout gives the score",
    .columns = command_columns,
    .configure = command_configure,
    .free_params = command_free_params,
    .direction = command_direction,
    .create = command_create,
    .evaluate = command_evaluate,
    .destroy = command_destroy,
};
