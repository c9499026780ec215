/* check_config.c - unit tests of the config reader (suite "config") and [param] sections
 * (suite "paramspec"). */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "core/paramspec.h"
#include "core/space.h"
#include "run/desc.h"
#include "support.h"

#define NAME "t.ini"

static const char *const strategies[] = {"ga", "random", NULL};
static const char *const directions[] = {"minimize", "maximize", NULL};
static const char *const topologies[] = {"ring", "full", "random", NULL};

/* A stand-in for the modules that read a run description: [run], [ga], [objective], the
 * [param] sections, then the check for keys nobody read. */
static int read_schema(atoll_config *cfg)
{
    int rc = ATOLL_OK, strategy, direction, topology;
    long seed, evaluations, population;
    double time_limit, rate;
    bool resume;
    const char *out, *command;
    atoll_space *space = NULL;
    ATOLL_CALL(atoll_space_create(&space));
    ATOLL_CALL_GOTO(rc, atoll_config_require_enum(cfg, "run", "strategy", strategies, &strategy));
    ATOLL_CALL_GOTO(rc, atoll_config_get_long(cfg, "run", "seed", 0, 0, LONG_MAX, &seed));
    ATOLL_CALL_GOTO(rc, atoll_config_get_long(cfg, "run", "evaluations", 100, 1, LONG_MAX,
                                              &evaluations));
    ATOLL_CALL_GOTO(rc, atoll_config_get_double(cfg, "run", "time_limit", 0, 0, HUGE_VAL,
                                                &time_limit));
    ATOLL_CALL_GOTO(rc, atoll_config_get_enum(cfg, "run", "direction", "minimize", directions,
                                              &direction));
    ATOLL_CALL_GOTO(rc, atoll_config_get_bool(cfg, "run", "resume", false, &resume));
    ATOLL_CALL_GOTO(rc, atoll_config_get_string(cfg, "run", "out", "runs/x", false, &out));
    if (strategy == 0) {
        ATOLL_CALL_GOTO(rc, atoll_config_get_long(cfg, "ga", "population", 20, 2, LONG_MAX,
                                                  &population));
        ATOLL_CALL_GOTO(rc, atoll_config_get_double(cfg, "ga", "crossover_rate", 0.9, 0, 1,
                                                    &rate));
        ATOLL_CALL_GOTO(rc, atoll_config_get_enum(cfg, "ga", "topology", "ring", topologies,
                                                  &topology));
    }
    ATOLL_CALL_GOTO(rc, atoll_config_get_string(cfg, "objective", "command", NULL, true,
                                                &command));
    ATOLL_CALL_GOTO(rc, atoll_space_from_config(cfg, space));
    ATOLL_CALL_GOTO(rc, atoll_config_check_unused(cfg));
fail:
    atoll_space_destroy(&space);
    return rc;
}

static atoll_config *load_ok(const char *text)
{
    atoll_config *cfg = NULL;
    int rc = atoll_config_load_string(text, NAME, &cfg);
    ck_assert_msg(rc == ATOLL_OK, "load failed: %s", atoll_error_message());
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

/* Load `text`, apply the overrides, read it through the schema; expect `message`. */
static void expect_error(const char *text, const char *const *overrides, const char *message)
{
    atoll_config *cfg = NULL;
    atoll_error_clear();
    int rc = atoll_config_load_string(text, NAME, &cfg);
    for (size_t i = 0; rc == ATOLL_OK && overrides && overrides[i]; i++)
        rc = atoll_config_set(cfg, overrides[i]);
    if (rc == ATOLL_OK)
        rc = read_schema(cfg);
    ck_assert_msg(rc == ATOLL_ERR_USAGE, "expected usage error '%s' for:\n%s\ngot rc %d", message,
                  text, rc);
    ck_assert_str_eq(atoll_error_message(), message);
    atoll_config_destroy(&cfg);
}

/* ---- malformed input: one case a line, message exact ------------------------------------ */

typedef struct {
    const char *text;
    const char *message;
} error_case;

static const error_case error_cases[] = {
    /* parse errors */
    {"[run]\nstrategy = ga\nstrategy = random\n",
     NAME ":3: [run] strategy: duplicate key (first at line 2)"},
    {"[run]\nstrategy = ga\n\n[ga]\npopulation = 4\n[ga]\n",
     NAME ":6: [ga]: duplicate section (first at line 4)"},
    {"[ga]\n[ run ]\n[ga ]\n", NAME ":3: [ga]: duplicate section (first at line 1)"},
    {"; comment\nstrategy = ga\n[run]\n", NAME ":2: key 'strategy' outside any section"},
    {"[run]\nstrategy ga\n", NAME ":2: not a 'key = value' line"},
    {"[run]\n= ga\n", NAME ":2: not a 'key = value' line"},
    {"[run]\nstrategy ; = ga\n", NAME ":2: not a 'key = value' line"},
    {"[run\nstrategy = ga\n", NAME ":1: unclosed section header (missing ']')"},
    {"[run ;]\n", NAME ":1: unclosed section header (missing ']')"},
    {"[run] strategy = ga\n", NAME ":1: text after section header"},
    {"[]\n", NAME ":1: empty section name"},
    {"[  ]\n", NAME ":1: empty section name"},
    {"", NAME ": no sections (is this an atoll config?)"},
    {"; only a comment\n\n   \n# another\n", NAME ": no sections (is this an atoll config?)"},
    /* getters */
    {"[run]\nstrategy = ga\nseed = abc\n", NAME ":3: [run] seed: not an integer (got 'abc')"},
    {"[run]\nstrategy = ga\nseed = 1.5\n", NAME ":3: [run] seed: not an integer (got '1.5')"},
    {"[run]\nstrategy = ga\nseed = 12x\n", NAME ":3: [run] seed: not an integer (got '12x')"},
    {"[run]\nstrategy = ga\nseed = 99999999999999999999999\n",
     NAME ":3: [run] seed: out of range (got '99999999999999999999999')"},
    {"[run]\nstrategy = ga\nseed = -1\n", NAME ":3: [run] seed: must be >= 0 (got -1)"},
    {"[run]\nstrategy = ga\nevaluations = 0\n",
     NAME ":3: [run] evaluations: must be >= 1 (got 0)"},
    {"[run]\nstrategy = ga\nseed =\n", NAME ":3: [run] seed: empty value"},
    {"[run]\nstrategy = ga\ntime_limit = soon\n",
     NAME ":3: [run] time_limit: not a number (got 'soon')"},
    {"[run]\nstrategy = ga\ntime_limit = nan\n",
     NAME ":3: [run] time_limit: not a number (got 'nan')"},
    {"[run]\nstrategy = ga\ntime_limit = inf\n",
     NAME ":3: [run] time_limit: not a number (got 'inf')"},
    {"[run]\nstrategy = ga\ntime_limit = 1e999\n",
     NAME ":3: [run] time_limit: out of range (got '1e999')"},
    {"[run]\nstrategy = ga\ntime_limit = -0.5\n",
     NAME ":3: [run] time_limit: must be >= 0 (got -0.5)"},
    {"[run]\nstrategy = ga\n[ga]\ncrossover_rate = 1.5\n",
     NAME ":4: [ga] crossover_rate: must be <= 1 (got 1.5)"},
    {"[run]\nstrategy = ga\n[ga]\npopulation = 1\n",
     NAME ":4: [ga] population: must be >= 2 (got 1)"},
    {"[run]\nstrategy = ga\nresume = maybe\n",
     NAME ":3: [run] resume: not a boolean (got 'maybe'; use true or false)"},
    {"[run]\nstrategy = ga\nresume = True\n",
     NAME ":3: [run] resume: not a boolean (got 'True'; use true or false)"},
    {"[run]\nstrategy = ga\ndirection = up\n",
     NAME ":3: [run] direction: must be one of: minimize, maximize (got 'up')"},
    {"[run]\nstrategy = ga\n[ga]\ntopology = star\n",
     NAME ":4: [ga] topology: must be one of: ring, full, random (got 'star')"},
    {"[run]\nstrategy = GA\n", NAME ":2: [run] strategy: must be one of: ga, random (got 'GA')"},
    {"[run]\nstrategy =\n", NAME ":2: [run] strategy: empty value"},
    {"[run]\nseed = 1\n", NAME ":1: [run] strategy: missing (required)"},
    {"; header\n[ga]\npopulation = 2\n", NAME ": [run] strategy: missing (required)"},
    {"[run]\nstrategy = ga\nseed = 1\n  2\n",
     NAME ":3: [run] seed: does not take continuation lines"},
    {"[run]\nstrategy = ga\nout = a\n  b\n",
     NAME ":3: [run] out: does not take continuation lines"},
    {"[run]\nstrategy = ga\n[objective]\ncommand =\n", NAME ":4: [objective] command: empty value"},
    {"[run]\nstrategy = ga\nstratgy = random\n", NAME ":3: [run] stratgy: unknown key"},
    {"[run]\nstrategy = ga\n[ga]\npopulaton = 5\n", NAME ":4: [ga] populaton: unknown key"},
    {"[run]\nstrategy = random\n[ga]\npopulation = 5\n", NAME ":3: [ga]: unknown section"},
    {"[run]\nstrategy = ga\n[gaa]\n", NAME ":3: [gaa]: unknown section"},
    {"[run]\nstrategy = ga\n[Run]\nseed = 1\n", NAME ":3: [Run]: unknown section"},
    {"[run]\nStrategy = ga\n", NAME ":1: [run] strategy: missing (required)"},
    {"[run]\nstrategy = ga\nseed = \x01x\n", NAME ":3: [run] seed: not an integer (got '\\x01x')"},
};

START_TEST(test_config_rejects_malformed_input)
{
    expect_error(error_cases[_i].text, NULL, error_cases[_i].message);
}
END_TEST

/* ---- overrides -------------------------------------------------------------------------- */

START_TEST(test_config_override_malformed)
{
    static const char *const bad[][2] = {
        {"ga.population", "--set ga.population: expected section.key=value"},
        {"population=3", "--set population=3: expected section.key=value"},
        {".population=3", "--set .population=3: expected section.key=value"},
        {"ga.=3", "--set ga.=3: expected section.key=value"},
        {" .x=3", "--set  .x=3: expected section.key=value"},
        {"ga.pop ulation=3", "--set ga.pop ulation=3: expected section.key=value"},
        {"ga.pop:x=3", "--set ga.pop:x=3: expected section.key=value"},
        {"g]a.population=3", "--set g]a.population=3: expected section.key=value"},
        {"=3", "--set =3: expected section.key=value"},
        {"", "--set : expected section.key=value"},
        {"objective.command=a\nb",
         "--set objective.command=a\\x0ab: value must be one line"},
        {"objective.command=run ; rm",
         "--set objective.command=run ; rm: value may not contain ' ;' (it starts a comment in "
         "a config file)"},
    };
    atoll_config *cfg = load_ok("[run]\nstrategy = ga\n");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(atoll_config_set(cfg, bad[i][0]), ATOLL_ERR_USAGE);
        ck_assert_str_eq(atoll_error_message(), bad[i][1]);
    }
    ck_assert(!atoll_config_has_section(cfg, "ga"));
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_override_located_errors)
{
    const char *text = "[run]\nstrategy = ga\n[ga]\npopulation = 20\n";
    const char *const pop[] = {"ga.population=1", NULL};
    expect_error(text, pop, "--set ga.population=1: [ga] population: must be >= 2 (got 1)");
    const char *const spaced[] = {" ga . population = x ", NULL};
    expect_error(text, spaced, "--set  ga . population = x : [ga] population: not an integer "
                               "(got 'x')");
    const char *const unknown[] = {"ga.populaton=5", NULL};
    expect_error(text, unknown, "--set ga.populaton=5: [ga] populaton: unknown key");
    const char *const section[] = {"sa.steps=5", NULL};
    expect_error(text, section, "--set sa.steps=5: [sa]: unknown section");
    const char *const param[] = {"param lr.low=1", NULL};
    expect_error(text, param, "--set param lr.low=1: [param lr] type: missing (required)");
    const char *const last[] = {"ga.population=3", "ga.population=0", NULL};
    expect_error(text, last, "--set ga.population=0: [ga] population: must be >= 2 (got 0)");
}
END_TEST

START_TEST(test_config_override_replaces_and_adds)
{
    atoll_config *cfg = load_ok("[run]\nstrategy = ga\nseed = 1\n"
                                "[param lr]\ntype = real\nlow = 0.001\nhigh = 1\n");
    ck_assert_int_eq(atoll_config_set(cfg, "run.seed=7"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "run.evaluations = 50"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "param lr.high=0.1"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "param  lr .scale=log"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "ga.population=8"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "objective.command=python3 train.py --x=1"), ATOLL_OK);
    long seed, evaluations, population;
    double high;
    const char *command;
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 100, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 7);
    ck_assert(atoll_config_has(cfg, "run", "evaluations"));
    ck_assert_int_eq(atoll_config_require_long(cfg, "run", "evaluations", 1, 100, &evaluations),
                     ATOLL_OK);
    ck_assert_int_eq(evaluations, 50);
    ck_assert_int_eq(atoll_config_require_double(cfg, "param lr", "high", &high), ATOLL_OK);
    ck_assert_double_eq(high, 0.1);
    ck_assert(atoll_config_has_section(cfg, "ga"));
    ck_assert_int_eq(atoll_config_get_long(cfg, "ga", "population", 2, 2, 100, &population),
                     ATOLL_OK);
    ck_assert_int_eq(population, 8);
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "command", NULL, false, &command),
                     ATOLL_OK);
    ck_assert_str_eq(command, "python3 train.py --x=1");
    /* the section created by --set is located at the override */
    ck_assert_int_eq(atoll_config_error(cfg, "ga", NULL, "boom"), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "--set ga.population=8: [ga]: boom");
    /* a file section keeps its header line; the replaced key points at the override */
    atoll_config_error(cfg, "param lr", NULL, "boom");
    ck_assert_str_eq(atoll_error_message(), NAME ":4: [param lr]: boom");
    atoll_config_error(cfg, "param lr", "high", "boom");
    ck_assert_str_eq(atoll_error_message(), "--set param lr.high=0.1: [param lr] high: boom");
    atoll_config_error(cfg, "param lr", "low", "boom");
    ck_assert_str_eq(atoll_error_message(), NAME ":6: [param lr] low: boom");
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_override_clears_continuation)
{
    atoll_config *cfg = load_ok("[run]\nseed = 1\n  2\n");
    long seed;
    ck_assert_int_eq(atoll_config_set(cfg, "run.seed=3"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 9, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 3);
    atoll_config_destroy(&cfg);
}
END_TEST

/* ---- typed getters ---------------------------------------------------------------------- */

START_TEST(test_config_reads_typed_values)
{
    atoll_config *cfg = load_ok("[run]\nseed = 42\ntarget = -1.5e-3\nresume = yes\n"
                                "direction = maximize\nout = runs/a b\nneg = -7\nplus = +3\n");
    long seed, neg, plus;
    double target;
    bool resume;
    int direction;
    const char *out;
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 100, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 42);
    ck_assert_int_eq(atoll_config_require_long(cfg, "run", "neg", -7, -7, &neg), ATOLL_OK);
    ck_assert_int_eq(neg, -7);
    ck_assert_int_eq(atoll_config_require_long(cfg, "run", "plus", 3, 3, &plus), ATOLL_OK);
    ck_assert_int_eq(plus, 3);
    ck_assert_int_eq(atoll_config_require_double(cfg, "run", "target", &target), ATOLL_OK);
    ck_assert_double_eq(target, -1.5e-3);
    ck_assert_int_eq(atoll_config_get_bool(cfg, "run", "resume", false, &resume), ATOLL_OK);
    ck_assert(resume);
    ck_assert_int_eq(atoll_config_get_enum(cfg, "run", "direction", "minimize", directions,
                                           &direction),
                     ATOLL_OK);
    ck_assert_int_eq(direction, 1);
    ck_assert_int_eq(atoll_config_get_string(cfg, "run", "out", NULL, false, &out), ATOLL_OK);
    ck_assert_str_eq(out, "runs/a b");
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_OK);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_bool_spellings)
{
    static const char *const truths[] = {"true", "yes", "on", "1"};
    static const char *const falsehoods[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        char text[64];
        bool flag = false;
        snprintf(text, sizeof text, "[a]\nt = %s\nf = %s\n", truths[i], falsehoods[i]);
        atoll_config *cfg = load_ok(text);
        ck_assert_int_eq(atoll_config_get_bool(cfg, "a", "t", false, &flag), ATOLL_OK);
        ck_assert(flag);
        ck_assert_int_eq(atoll_config_get_bool(cfg, "a", "f", true, &flag), ATOLL_OK);
        ck_assert(!flag);
        atoll_config_destroy(&cfg);
    }
}
END_TEST

START_TEST(test_config_range_messages)
{
    atoll_config *cfg = load_ok("[a]\nn = 11\nx = 0.25\ny = 1e-999\n");
    long n = -1;
    double x = -1, y = -1;
    ck_assert_int_eq(atoll_config_get_long(cfg, "a", "n", 0, 0, 10, &n), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":2: [a] n: must be <= 10 (got 11)");
    ck_assert_int_eq(n, -1); /* untouched on error */
    ck_assert_int_eq(atoll_config_get_double(cfg, "a", "x", 0, 0.5, 1, &x), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":3: [a] x: must be >= 0.5 (got 0.25)");
    ck_assert_int_eq(atoll_config_get_double(cfg, "a", "x", 0, 0, 0.125, &x), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":3: [a] x: must be <= 0.125 (got 0.25)");
    /* underflow is not an error: the value is (nearly) zero */
    ck_assert_int_eq(atoll_config_get_double(cfg, "a", "y", 1, 0, 1, &y), ATOLL_OK);
    ck_assert(y >= 0 && y < 1e-300);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_defaults_recorded)
{
    atoll_config *cfg = load_ok("[run]\nstrategy = ga\n");
    long seed;
    double rate;
    bool flag;
    int topology;
    const char *out, *absent = "sentinel";
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 5, 0, 9, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 5);
    ck_assert_int_eq(atoll_config_get_double(cfg, "ga", "rate", 0.1, 0, 1, &rate), ATOLL_OK);
    ck_assert_double_eq(rate, 0.1);
    ck_assert_int_eq(atoll_config_get_bool(cfg, "ga", "flag", true, &flag), ATOLL_OK);
    ck_assert(flag);
    ck_assert_int_eq(atoll_config_get_enum(cfg, "ga", "topology", "full", topologies, &topology),
                     ATOLL_OK);
    ck_assert_int_eq(topology, 1);
    ck_assert_int_eq(atoll_config_get_string(cfg, "run", "out", "runs/x", false, &out), ATOLL_OK);
    ck_assert_str_eq(out, "runs/x");
    double target = 0;
    ck_assert_int_eq(atoll_config_get_double(cfg, "run", "target", NAN, -HUGE_VAL, HUGE_VAL,
                                             &target),
                     ATOLL_OK);
    ck_assert(isnan(target)); /* a non-finite default is returned but not recorded */
    ck_assert_int_eq(atoll_config_get_string(cfg, "run", "note", NULL, true, &absent), ATOLL_OK);
    ck_assert_ptr_null(absent);
    /* defaults are not input: has() and has_section() still say absent */
    ck_assert(!atoll_config_has(cfg, "run", "seed"));
    ck_assert(!atoll_config_has_section(cfg, "ga"));
    ck_assert_uint_eq(atoll_config_sections(cfg, NULL, NULL, 0), 1);
    /* a missing key of a defaulted-only section is located at the file */
    ck_assert_int_eq(atoll_config_error(cfg, "ga", "rate", "boom"), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ": [ga] rate: boom");
    /* ...while a default in a file section falls back to the header line */
    atoll_config_error(cfg, "run", "seed", "boom");
    ck_assert_str_eq(atoll_error_message(), NAME ":1: [run] seed: boom");
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":2: [run] strategy: unknown key");
    int strategy;
    ck_assert_int_eq(atoll_config_require_enum(cfg, "run", "strategy", strategies, &strategy),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_OK);

    char *text = NULL;
    size_t size = 0;
    FILE *out_file = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(out_file);
    ck_assert_int_eq(atoll_config_write(cfg, out_file), ATOLL_OK);
    fclose(out_file);
    ck_assert_str_eq(text, "[run]\nstrategy = ga\nseed = 5\nout = runs/x\n\n"
                           "[ga]\nrate = 0.1\nflag = true\ntopology = full\n");
    free(text);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_string_values_kept_whole)
{
    atoll_config *cfg = load_ok("[a]\nurl = http://x:8080/a=b;c\ncmd = echo 'a # b'\n"
                                "tail = x ; a comment\nweird = \xff\xfe caf\xc3\xa9\n");
    const char *s;
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "url", NULL, false, &s), ATOLL_OK);
    ck_assert_str_eq(s, "http://x:8080/a=b;c");
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "cmd", NULL, false, &s), ATOLL_OK);
    ck_assert_str_eq(s, "echo 'a # b'");
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "tail", NULL, false, &s), ATOLL_OK);
    ck_assert_str_eq(s, "x");
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "weird", NULL, false, &s), ATOLL_OK);
    ck_assert_str_eq(s, "\xff\xfe caf\xc3\xa9");
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_list_over_continuation_lines)
{
    atoll_config *cfg = load_ok("[param act]\ntype = choice\nvalues = relu, tanh,\n"
                                "    sigmoid, gelu\n");
    char **items = NULL;
    size_t n = 0;
    ck_assert_int_eq(atoll_config_get_list(cfg, "param act", "values", &items, &n), ATOLL_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(items[2], "sigmoid");
    ck_assert_str_eq(items[3], "gelu");
    atoll_config_free_list(items, n);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_continuation_joined)
{
    atoll_config *cfg = load_ok("[objective]\ncommand = python3 train.py\n"
                                "    --lr {lr}   ; the rate\n"
                                "\n"
                                "    ; an indented comment is a comment\n"
                                "\t--epochs 3\n"
                                "next = 1\n");
    const char *command;
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "command", NULL, true, &command),
                     ATOLL_OK);
    ck_assert_str_eq(command, "python3 train.py --lr {lr} --epochs 3");
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "command", NULL, false, &command),
                     ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     NAME ":2: [objective] command: does not take continuation lines");
    long next;
    ck_assert_int_eq(atoll_config_require_long(cfg, "objective", "next", 0, 9, &next), ATOLL_OK);
    ck_assert_int_eq(next, 1);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_continuation_of_empty_value)
{
    atoll_config *cfg = load_ok("[objective]\ncommand =\n    python3 t.py\n    --x 1\n");
    const char *command;
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "command", NULL, true, &command),
                     ATOLL_OK);
    ck_assert_str_eq(command, "python3 t.py --x 1");
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_indented_key_after_header)
{
    /* no key yet in the section: an indented line is a key of its own */
    atoll_config *cfg = load_ok("[a]\n  x = 1\n  y = 2\n[b]\n  z = 3\n");
    ck_assert(atoll_config_has(cfg, "a", "x"));
    ck_assert(!atoll_config_has(cfg, "a", "y"));
    const char *x;
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "x", NULL, true, &x), ATOLL_OK);
    ck_assert_str_eq(x, "1 y = 2");
    ck_assert(atoll_config_has(cfg, "b", "z"));
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_list_parsing)
{
    atoll_config *cfg = load_ok("[a]\nv = relu, tanh ,sigmoid\none = x\nbad = a,,b\n"
                                "trail = a, b,\nempty =\nlong = a\n  b\n");
    char **items = NULL;
    size_t n = 0;
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "v", &items, &n), ATOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(items[0], "relu");
    ck_assert_str_eq(items[1], "tanh");
    ck_assert_str_eq(items[2], "sigmoid");
    atoll_config_free_list(items, n);
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "one", &items, &n), ATOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(items[0], "x");
    atoll_config_free_list(items, n);
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "bad", &items, &n), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":4: [a] bad: empty item in list (got 'a,,b')");
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "trail", &items, &n), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     NAME ":5: [a] trail: empty item in list (got 'a, b,')");
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "empty", &items, &n), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":6: [a] empty: empty value");
    /* a list may go on over continuation lines */
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "long", &items, &n), ATOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(items[0], "a b");
    atoll_config_free_list(items, n);
    ck_assert_int_eq(atoll_config_get_list(cfg, "a", "none", &items, &n), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":1: [a] none: missing (required)");
    atoll_config_free_list(NULL, 0);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_section_names_normalised)
{
    atoll_config *cfg = load_ok("[ param \t lr ]\ntype = real\n[param lr2] ; comment\nx = 1\n");
    const char *names[4];
    ck_assert_uint_eq(atoll_config_sections(cfg, "param ", names, 4), 2);
    ck_assert_str_eq(names[0], "param lr");
    ck_assert_str_eq(names[1], "param lr2");
    ck_assert(atoll_config_has_section(cfg, "param lr"));
    ck_assert(atoll_config_has(cfg, "param lr", "type"));
    /* a count larger than max still comes back, names fill at most max */
    ck_assert_uint_eq(atoll_config_sections(cfg, "param ", names, 1), 2);
    ck_assert_uint_eq(atoll_config_sections(cfg, "ga", NULL, 0), 0);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_keys_case_sensitive)
{
    atoll_config *cfg = load_ok("[a]\nKey = 1\nkey = 2\n");
    long v;
    ck_assert_int_eq(atoll_config_require_long(cfg, "a", "key", 0, 9, &v), ATOLL_OK);
    ck_assert_int_eq(v, 2);
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":2: [a] Key: unknown key");
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_check_unused)
{
    atoll_config *cfg = load_ok("[run]\nstrategy = ga\n[ga]\npopulation = 4\nsize = 3\n"
                                "[extra]\nk = v\n[free]\na = 1\n");
    long population;
    int strategy;
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":1: [run]: unknown section");
    ck_assert_int_eq(atoll_config_require_enum(cfg, "run", "strategy", strategies, &strategy),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":3: [ga]: unknown section");
    ck_assert_int_eq(atoll_config_get_long(cfg, "ga", "population", 2, 2, 9, &population),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":5: [ga] size: unknown key");
    atoll_config_use_section(cfg, "ga");
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":6: [extra]: unknown section");
    atoll_config_use_section(cfg, "extra");
    atoll_config_use_section(cfg, "nonexistent");
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":8: [free]: unknown section");
    ck_assert(atoll_config_has(cfg, "free", "a")); /* has() does not mark it read */
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_ERR_USAGE);
    atoll_config_use_section(cfg, "free");
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_OK);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_error_locations)
{
    atoll_config *cfg = load_ok("\n[run]\n\nseed = 1\n");
    ck_assert_int_eq(atoll_config_error(cfg, "run", "seed", "bad %s %d", "x", 3),
                     ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), NAME ":4: [run] seed: bad x 3");
    atoll_config_error(cfg, "run", "other", "bad");
    ck_assert_str_eq(atoll_error_message(), NAME ":2: [run] other: bad");
    atoll_config_error(cfg, "run", NULL, "bad");
    ck_assert_str_eq(atoll_error_message(), NAME ":2: [run]: bad");
    atoll_config_error(cfg, "ga", "population", "bad");
    ck_assert_str_eq(atoll_error_message(), NAME ": [ga] population: bad");
    atoll_config_error(cfg, "ga", NULL, "bad");
    ck_assert_str_eq(atoll_error_message(), NAME ": [ga]: bad");
    ck_assert_str_eq(atoll_config_path(cfg), NAME);
    atoll_config_destroy(&cfg);
    atoll_config_destroy(&cfg); /* NULL-safe */
    atoll_config_destroy(NULL);
}
END_TEST

START_TEST(test_config_crlf_bom_and_comments)
{
    atoll_config *cfg = load_ok("\xEF\xBB\xBF[run]\r\n# hash comment\r\n; semicolon\r\n"
                                "seed: 3 ; inline\r\nout = a;b\r\n");
    long seed;
    const char *out;
    ck_assert_int_eq(atoll_config_require_long(cfg, "run", "seed", 0, 9, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 3);
    ck_assert_int_eq(atoll_config_get_string(cfg, "run", "out", NULL, false, &out), ATOLL_OK);
    ck_assert_str_eq(out, "a;b");
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_long_lines)
{
    char text[600];
    /* 199 characters is the most a line may hold */
    int n = snprintf(text, sizeof text, "[a]\nk = ");
    memset(text + n, 'v', 199 - 4);
    strcpy(text + n + 199 - 4, "\n");
    atoll_config *cfg = load_ok(text);
    const char *v;
    ck_assert_int_eq(atoll_config_get_string(cfg, "a", "k", NULL, false, &v), ATOLL_OK);
    ck_assert_uint_eq(strlen(v), 195);
    atoll_config_destroy(&cfg);
    /* one more is refused, also for a comment, and a CR does not count */
    n = snprintf(text, sizeof text, "[a]\n;");
    memset(text + n, 'c', 199);
    strcpy(text + n + 199, "\r\n");
    ck_assert_int_eq(atoll_config_load_string(text, NAME, &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     NAME ":2: line is 200 characters long (at most 199); split a long value "
                          "over indented continuation lines");
    ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(test_config_no_fixed_limits)
{
    size_t size = 1 << 20, len = 0;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    for (int s = 0; s < 500; s++) {
        len += (size_t)snprintf(text + len, size - len, "[section_%d]\n", s);
        for (int k = 0; k < 20; k++)
            len += (size_t)snprintf(text + len, size - len, "key_%d = %d\n", k, s * 100 + k);
    }
    /* a section name longer than libinih's 50-character buffer */
    len += (size_t)snprintf(text + len, size - len,
                            "[param a_rather_long_parameter_name_that_goes_past_fifty_chars]\n"
                            "type = real\n");
    atoll_config *cfg = load_ok(text);
    free(text);
    ck_assert_uint_eq(atoll_config_sections(cfg, "section_", NULL, 0), 500);
    long v;
    ck_assert_int_eq(atoll_config_require_long(cfg, "section_499", "key_19", 0, LONG_MAX, &v),
                     ATOLL_OK);
    ck_assert_int_eq(v, 49919);
    ck_assert(atoll_config_has(cfg,
                               "param a_rather_long_parameter_name_that_goes_past_fifty_chars",
                               "type"));
    for (int k = 0; k < 1000; k++) {
        char arg[64];
        snprintf(arg, sizeof arg, "more.k%d=%d", k, k);
        ck_assert_int_eq(atoll_config_set(cfg, arg), ATOLL_OK);
    }
    ck_assert_int_eq(atoll_config_require_long(cfg, "more", "k999", 0, LONG_MAX, &v), ATOLL_OK);
    ck_assert_int_eq(v, 999);
    atoll_config_destroy(&cfg);
}
END_TEST

/* Write the resolved config to a string (owned). */
static char *write_to_string(const atoll_config *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(atoll_config_write(cfg, out), ATOLL_OK);
    fclose(out);
    return text;
}

START_TEST(test_config_write_round_trip)
{
    char long_command[400];
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(long_command + len, sizeof long_command - len, "%s--opt%d",
                                i ? " " : "", i);
    atoll_config *cfg = load_ok("[run]\nstrategy = ga\nseed = 3\nunread = 1\n"
                                "[param  lr]\ntype = real\nlow = 1e-5\nhigh = 0.1\n"
                                "[objective]\ncommand = python3 t.py\n    --lr {lr}\n"
                                "semi =;starts with a semicolon\nhash = #x\n");
    char arg[512];
    snprintf(arg, sizeof arg, "objective.long=%s", long_command);
    ck_assert_int_eq(atoll_config_set(cfg, arg), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "objective.unicode=caf\xc3\xa9 \x7f"), ATOLL_OK);
    int strategy;
    long seed, evaluations;
    double low, high;
    const char *command, *semi, *hash, *long_value, *unicode;
    ck_assert_int_eq(atoll_config_require_enum(cfg, "run", "strategy", strategies, &strategy),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 9, &seed), ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "evaluations", 77, 1, 99, &evaluations),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_require_double(cfg, "param lr", "low", &low), ATOLL_OK);
    ck_assert_int_eq(atoll_config_require_double(cfg, "param lr", "high", &high), ATOLL_OK);
    atoll_config_use_section(cfg, "param lr"); /* "type" goes out too */
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "command", NULL, true, &command),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "semi", NULL, false, &semi),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "hash", NULL, false, &hash),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "long", NULL, true, &long_value),
                     ATOLL_OK);
    ck_assert_int_eq(atoll_config_get_string(cfg, "objective", "unicode", NULL, false,
                                             &unicode),
                     ATOLL_OK);
    char *text = write_to_string(cfg);
    ck_assert_ptr_null(strstr(text, "unread"));
    ck_assert_ptr_nonnull(strstr(text, "[param lr]\ntype = real\nlow = 1e-5\nhigh = 0.1\n"));
    ck_assert_ptr_nonnull(strstr(text, "command = python3 t.py --lr {lr}\n"));
    ck_assert_ptr_nonnull(strstr(text, "semi =;starts with a semicolon\n"));
    ck_assert_ptr_nonnull(strstr(text, "evaluations = 77\n"));
    /* the long value is split over continuation lines, none longer than 199 */
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_int_le(nl - line, 199);
        line = nl + 1;
    }

    atoll_config *back = NULL;
    ck_assert_msg(atoll_config_load_string(text, "back.ini", &back) == ATOLL_OK, "%s\n%s",
                  atoll_error_message(), text);
    const char *s;
    ck_assert_int_eq(atoll_config_get_string(back, "objective", "long", NULL, true, &s), ATOLL_OK);
    ck_assert_str_eq(s, long_command);
    ck_assert_int_eq(atoll_config_get_string(back, "objective", "command", NULL, false, &s),
                     ATOLL_OK);
    ck_assert_str_eq(s, command);
    ck_assert_int_eq(atoll_config_get_string(back, "objective", "semi", NULL, false, &s),
                     ATOLL_OK);
    ck_assert_str_eq(s, semi);
    ck_assert_int_eq(atoll_config_get_string(back, "objective", "hash", NULL, false, &s),
                     ATOLL_OK);
    ck_assert_str_eq(s, hash);
    ck_assert_int_eq(atoll_config_get_string(back, "objective", "unicode", NULL, false, &s),
                     ATOLL_OK);
    ck_assert_str_eq(s, unicode);
    ck_assert_int_eq(atoll_config_require_long(back, "run", "evaluations", 1, 99, &evaluations),
                     ATOLL_OK);
    ck_assert_int_eq(evaluations, 77);
    double back_low;
    ck_assert_int_eq(atoll_config_require_double(back, "param lr", "low", &back_low), ATOLL_OK);
    ck_assert_double_eq(back_low, low);
    /* writing what was read back gives the same text */
    atoll_config_use_section(back, "run");
    atoll_config_use_section(back, "param lr");
    atoll_config_use_section(back, "objective");
    char *again = write_to_string(back);
    ck_assert_str_eq(again, text);
    free(again);
    free(text);
    atoll_config_destroy(&back);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_config_nul_byte_in_string_ends_text)
{
    /* a C string ends at its NUL: what follows is never seen */
    atoll_config *cfg = load_ok("[a]\nk = v\0junk = [\n");
    ck_assert(atoll_config_has(cfg, "a", "k"));
    ck_assert(!atoll_config_has(cfg, "a", "junk"));
    atoll_config_destroy(&cfg);
}
END_TEST

/* ---- real files ------------------------------------------------------------------------- */

/* Write `len` bytes to a new temporary file; its name goes into path. */
static void temp_file(char *path, size_t size, const char *data, size_t len)
{
    snprintf(path, size, "/tmp/check_config_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

START_TEST(test_config_file_load)
{
    const char text[] = "[run]\nstrategy = random\nseed = 9\n";
    char path[64], expected[256];
    temp_file(path, sizeof path, text, sizeof text - 1);
    atoll_config *cfg = NULL;
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_OK);
    ck_assert_str_eq(atoll_config_path(cfg), path);
    long seed;
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 5, &seed), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s:3: [run] seed: must be <= 5 (got 9)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    atoll_config_destroy(&cfg);
    unlink(path);
}
END_TEST

START_TEST(test_config_file_errors)
{
    char path[64], expected[512];
    atoll_config *cfg = NULL;

    ck_assert_int_eq(atoll_config_load("/nonexistent/x.ini", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "/nonexistent/x.ini: cannot open: No such file or directory");
    ck_assert_int_eq(atoll_config_load("/tmp", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "/tmp: cannot read: Is a directory");
    ck_assert_ptr_null(cfg);

    const char nul[] = "[run]\nstrategy = ga\nseed = 1\0 2\n";
    temp_file(path, sizeof path, nul, sizeof nul - 1);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s:3: [run] seed: NUL byte in the value (is this a text "
             "file?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);

    char text[1024];
    int n = snprintf(text, sizeof text, "[run]\nstrategy = ga\n[objective]\ncommand = ");
    memset(text + n, 'x', 300);
    n += 300;
    n += snprintf(text + n, sizeof text - (size_t)n, "\nnext = 1\n");
    temp_file(path, sizeof path, text, (size_t)n);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:4: line is 310 characters long (at most 199); split a long value over indented "
             "continuation lines",
             path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);

    temp_file(path, sizeof path, "", 0);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s: no sections (is this an atoll config?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    ck_assert_ptr_null(cfg);
}
END_TEST

/* A temporary file of `lines` copies of `line` (written in pieces), after `head`. */
static void temp_repeat(char *path, size_t size, const char *head, const char *line, long lines)
{
    snprintf(path, size, "/tmp/check_config_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *out = fdopen(fd, "w");
    ck_assert_ptr_nonnull(out);
    fputs(head, out);
    for (long i = 0; i < lines; i++)
        fprintf(out, line, i);
    ck_assert_int_eq(fclose(out), 0);
}

/* Files from hostile hands: each is one located error, and none costs memory in proportion to
 * its size. */
START_TEST(test_config_hostile_files)
{
    char path[64], expected[512];
    atoll_config *cfg = NULL;
    long before = peak_rss_kib();

    /* a 10 MB line: counted up to the 4 MiB a file may hold, never held */
    temp_repeat(path, sizeof path, "[run]\nstrategy = ", "x", 10000000);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:2: line is more than 4194298 characters long (at most 199); split a long value "
             "over indented continuation lines",
             path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    temp_repeat(path, sizeof path, "[run]\nstrategy = ", "x", 1000000);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:2: line is 1000011 characters long (at most 199); split a long value over "
             "indented continuation lines",
             path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);

    /* 10 MB of comments: more than a config may be */
    temp_repeat(path, sizeof path, "[run]\n", "; comment %09ld\n", 500000);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:209716: the file is larger than 4 MiB (is this an atoll config?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    long after = peak_rss_kib();
    if (before > 0)
        ck_assert_msg(after - before < 2048, "peak memory grew by %ld KiB", after - before);

    /* many keys, many sections: found by hash (a pairwise search would take minutes) */
    temp_repeat(path, sizeof path, "[run]\n", "key_%ld = 1\n", 250000);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:200001: more than 200000 sections and keys (is this an atoll config?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    temp_repeat(path, sizeof path, "", "[s%ld]\n", 199999);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_OK);
    ck_assert_uint_eq(atoll_config_sections(cfg, "s", NULL, 0), 199999);
    ck_assert(atoll_config_has_section(cfg, "s123456"));
    ck_assert(!atoll_config_has_section(cfg, "s199999"));
    atoll_config_destroy(&cfg);
    unlink(path);
    temp_repeat(path, sizeof path, "[a]\nk = 1\n", "[s%ld]\n", 10);
    FILE *out = fopen(path, "a");
    ck_assert_ptr_nonnull(out);
    fputs("[s3]\n", out);
    fclose(out);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s:13: [s3]: duplicate section (first at line 6)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);

    /* a binary file, a stream of NULs, a folder, an empty file */
    ck_assert_int_eq(atoll_config_load("/bin/sh", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "/bin/sh:1: NUL byte in line (is this a text file?)");
    ck_assert_int_eq(atoll_config_load("/dev/zero", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "/dev/zero:1: NUL byte in line (is this a text file?)");
    ck_assert_int_eq(atoll_config_load("/", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "/: cannot read: Is a directory");
    ck_assert_int_eq(atoll_config_load("/dev/null", &cfg), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "/dev/null: no sections (is this an atoll config?)");
    ck_assert_ptr_null(cfg);

    /* NUL bytes: named by key where the line has one */
    static const char nul_key[] = "[run]\nstrategy = ga\n\tseed: 1\0 2\n";
    temp_file(path, sizeof path, nul_key, sizeof nul_key - 1);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected,
             "%s:3: NUL byte in line (is this a text file?)", path); /* a continuation */
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    static const char nul_header[] = "[ru\0n]\n";
    temp_file(path, sizeof path, nul_header, sizeof nul_header - 1);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s:1: NUL byte in line (is this a text file?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    static const char nul_name[] = "[run]\nstr\0ategy = ga\n";
    temp_file(path, sizeof path, nul_name, sizeof nul_name - 1);
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_ERR_USAGE);
    snprintf(expected, sizeof expected, "%s:2: NUL byte in line (is this a text file?)", path);
    ck_assert_str_eq(atoll_error_message(), expected);
    unlink(path);
    ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(test_config_file_without_final_newline)
{
    const char text[] = "[run]\nstrategy = ga\nseed = 4";
    char path[64];
    temp_file(path, sizeof path, text, sizeof text - 1);
    atoll_config *cfg = NULL;
    ck_assert_int_eq(atoll_config_load(path, &cfg), ATOLL_OK);
    long seed;
    ck_assert_int_eq(atoll_config_get_long(cfg, "run", "seed", 0, 0, 9, &seed), ATOLL_OK);
    ck_assert_int_eq(seed, 4);
    atoll_config_destroy(&cfg);
    unlink(path);
}
END_TEST

/* ---- paramspec -------------------------------------------------------------------------- */

START_TEST(test_paramspec_builds_space)
{
    atoll_config *cfg = load_ok("[param lr]\ntype = real\nlow = 1e-4\nhigh = 0.1\nscale = log\n"
                                "[param layers]\ntype = int\nlow = 1\nhigh = 4\n"
                                "[param act]\ntype = choice\nvalues = relu, tanh\n"
                                "[param x]\ntype = real\nlow = -5\nhigh = 5\n"
                                "[param units]\ntype = int\nlow = 8\nhigh = 512\nscale = log\n");
    ck_assert_int_eq(atoll_config_set(cfg, "param z.type=choice"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "param z.values=a,b,c"), ATOLL_OK);
    ck_assert_int_eq(atoll_config_set(cfg, "param lr.high=0.5"), ATOLL_OK);
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_msg(atoll_space_from_config(cfg, space) == ATOLL_OK, "%s", atoll_error_message());
    ck_assert_int_eq(atoll_config_check_unused(cfg), ATOLL_OK);
    ck_assert_uint_eq(space->n, 6);
    const atoll_param *p = space->params;
    ck_assert_str_eq(p[0].name, "lr");
    ck_assert_int_eq(p[0].kind, ATOLL_PARAM_REAL);
    ck_assert_int_eq(p[0].scale, ATOLL_SCALE_LOG);
    ck_assert_double_eq(p[0].low, 1e-4);
    ck_assert_double_eq(p[0].high, 0.5);
    ck_assert_str_eq(p[1].name, "layers");
    ck_assert_int_eq(p[1].kind, ATOLL_PARAM_INT);
    ck_assert_int_eq(p[1].scale, ATOLL_SCALE_LINEAR);
    ck_assert_str_eq(p[2].name, "act");
    ck_assert_int_eq(p[2].kind, ATOLL_PARAM_CHOICE);
    ck_assert_uint_eq(p[2].n_choices, 2);
    ck_assert_str_eq(p[2].choices[1], "tanh");
    ck_assert_str_eq(p[3].name, "x");
    ck_assert_str_eq(p[4].name, "units");
    ck_assert_int_eq(p[4].scale, ATOLL_SCALE_LOG);
    ck_assert_str_eq(p[5].name, "z");
    ck_assert_uint_eq(p[5].n_choices, 3);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
}
END_TEST

START_TEST(test_paramspec_no_params)
{
    atoll_config *cfg = load_ok("[run]\nseed = 1\n");
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_from_config(cfg, space), ATOLL_OK);
    ck_assert_uint_eq(space->n, 0);
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
}
END_TEST

#define RUN "[run]\nstrategy = random\n"

static const error_case param_cases[] = {
    {RUN "[param lr]\ntype = real\nlow = 1\nhigh = 0.5\n",
     NAME ":6: [param lr] high: must be > low (got 0.5 <= 1)"},
    {RUN "[param lr]\ntype = real\nlow = 1\nhigh = 1\n",
     NAME ":6: [param lr] high: must be > low (got 1 <= 1)"},
    {RUN "[param lr]\ntype = real\nlow = 0\nhigh = 1\nscale = log\n",
     NAME ":5: [param lr] low: log scale needs low > 0 (got 0)"},
    {RUN "[param n]\ntype = int\nlow = -2\nhigh = 10\nscale = log\n",
     NAME ":5: [param n] low: log scale needs low > 0 (got -2)"},
    {RUN "[param n]\ntype = int\nlow = 1.5\nhigh = 10\n",
     NAME ":5: [param n] low: int bounds must be integers (got 1.5)"},
    {RUN "[param n]\ntype = int\nlow = 1\nhigh = 10.25\n",
     NAME ":6: [param n] high: int bounds must be integers (got 10.25)"},
    {RUN "[param n]\ntype = int\nlow = 1\nhigh = 1e16\n",
     NAME ":6: [param n] high: int bounds must be at most 1e+12 in size (got 1e+16)"},
    {RUN "[param 2x]\ntype = real\nlow = 0\nhigh = 1\n",
     NAME ":3: [param 2x]: invalid parameter name '2x' (letters, digits, '_'; not a log column)"},
    {RUN "[param seed]\ntype = real\nlow = 0\nhigh = 1\n",
     NAME ":3: [param seed]: invalid parameter name 'seed' (letters, digits, '_'; not a log "
          "column)"},
    {RUN "[param a b]\ntype = real\nlow = 0\nhigh = 1\n",
     NAME ":3: [param a b]: invalid parameter name 'a b' (letters, digits, '_'; not a log "
          "column)"},
    {RUN "[param c]\ntype = choice\nvalues = a, b, a\n",
     NAME ":5: [param c] values: value 'a' is listed twice"},
    {RUN "[param c]\ntype = choice\nvalues = a, , b\n",
     NAME ":5: [param c] values: empty item in list (got 'a, , b')"},
    {RUN "[param c]\ntype = choice\n", NAME ":3: [param c] values: missing (required)"},
    {RUN "[param c]\nlow = 1\n", NAME ":3: [param c] type: missing (required)"},
    {RUN "[param c]\ntype = float\n",
     NAME ":4: [param c] type: must be one of: real, int, choice (got 'float')"},
    {RUN "[param c]\ntype = real\nhigh = 1\n", NAME ":3: [param c] low: missing (required)"},
    {RUN "[param c]\ntype = real\nlow = 0\n", NAME ":3: [param c] high: missing (required)"},
    {RUN "[param c]\ntype = real\nlow = zero\nhigh = 1\n",
     NAME ":5: [param c] low: not a number (got 'zero')"},
    {RUN "[param c]\ntype = real\nlow = -inf\nhigh = 1\n",
     NAME ":5: [param c] low: not a number (got '-inf')"},
    {RUN "[param c]\ntype = real\nlow = 0\nhigh = 1e999\n",
     NAME ":6: [param c] high: out of range (got '1e999')"},
    {RUN "[param c]\ntype = real\nlow = -1e400\nhigh = 0\n",
     NAME ":5: [param c] low: out of range (got '-1e400')"},
    {RUN "[param c]\ntype = real\nlow = -1e308\nhigh = 1e308\n",
     NAME ":6: [param c] high: high - low must be a finite number (got 1e+308 - -1e+308)"},
    {RUN "[param c]\ntype = int\nlow = 0\nhigh = 99999999999999999999999\n",
     NAME ":6: [param c] high: int bounds must be at most 1e+12 in size (got 1e+23)"},
    {RUN "[param c]\ntype = real\nlow = 0\nhigh = 1\nscale = exp\n",
     NAME ":7: [param c] scale: must be one of: linear, log (got 'exp')"},
    {RUN "[param c]\ntype = real\nlow = 0\nhigh = 1\nvalues = a\n",
     NAME ":7: [param c] values: unknown key"},
    {RUN "[param c]\ntype = choice\nvalues = a\nlow = 0\n", NAME ":6: [param c] low: unknown key"},
    {RUN "[param c]\ntype = choice\nvalues = a\nscale = log\n",
     NAME ":6: [param c] scale: unknown key"},
    {RUN "[param c]\ntype = real\n  int\nlow = 0\nhigh = 1\n",
     NAME ":4: [param c] type: does not take continuation lines"},
    {RUN "[param]\ntype = real\n", NAME ":3: [param]: unknown section"},
    {RUN "[params x]\ntype = real\n", NAME ":3: [params x]: unknown section"},
};

START_TEST(test_paramspec_rejects_malformed_input)
{
    expect_error(param_cases[_i].text, NULL, param_cases[_i].message);
}
END_TEST

START_TEST(test_paramspec_override_located)
{
    const char *const name[] = {"param 9.type=real", NULL};
    expect_error(RUN, name,
                 "--set param 9.type=real: [param 9]: invalid parameter name '9' (letters, "
                 "digits, '_'; not a log column)");
    const char *const high[] = {"param x.high=-1", NULL};
    expect_error(RUN "[param x]\ntype = real\nlow = 0\nhigh = 1\n", high,
                 "--set param x.high=-1: [param x] high: must be > low (got -1 <= 0)");
}
END_TEST

/* The resolved config of a model objective reads back as the same run: the defaults recorded
 * in [model] leave out the hyperparameters a [param] searches (they made `atoll check
 * DIR/config.ini` fail with "fixed here and searched by [param ...]"). */
START_TEST(test_config_resolved_model_config_reads_back)
{
    const char text[] = "[run]\nstrategy = random\nevaluations = 6\n[objective]\ntype = mlp\n"
                        "[data]\nn_samples = 50\n[model]\nepochs = 3\n"
                        "[param learning_rate]\ntype = real\nlow = 0.001\nhigh = 0.1\n";
    char path[64];
    temp_file(path, sizeof path, text, sizeof text - 1);
    atoll_run_desc *desc = NULL, *back = NULL;
    ck_assert_msg(atoll_desc_create(path, NULL, 0, &desc) == ATOLL_OK, "%s",
                  atoll_error_message());
    unlink(path);
    char *resolved = write_to_string(desc->cfg);
    const char *model = strstr(resolved, "[model]\n");
    ck_assert_ptr_nonnull(model);
    const char *model_end = strchr(model + 1, '[');
    ck_assert_ptr_nonnull(strstr(model, "epochs = 3\n"));
    ck_assert_ptr_nonnull(strstr(model, "optimizer = adam\n")); /* other defaults stay */
    const char *searched = strstr(model, "learning_rate = ");
    ck_assert_msg(!searched || (model_end && searched > model_end), "%s", resolved);

    temp_file(path, sizeof path, resolved, strlen(resolved));
    ck_assert_msg(atoll_desc_create(path, NULL, 0, &back) == ATOLL_OK, "%s\n%s",
                  atoll_error_message(), resolved);
    unlink(path);
    ck_assert_uint_eq(back->space->n, 1);
    ck_assert_str_eq(back->space->params[0].name, "learning_rate");
    ck_assert_str_eq(back->objective->name, "mlp");
    free(resolved);
    atoll_desc_destroy(&back);
    atoll_desc_destroy(&desc);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_config_rejects_malformed_input, 0,
                        (int)(sizeof error_cases / sizeof *error_cases));
    tcase_add_test(tc, test_config_override_malformed);
    tcase_add_test(tc, test_config_override_located_errors);
    tcase_add_test(tc, test_config_override_replaces_and_adds);
    tcase_add_test(tc, test_config_override_clears_continuation);
    tcase_add_test(tc, test_config_reads_typed_values);
    tcase_add_test(tc, test_config_bool_spellings);
    tcase_add_test(tc, test_config_range_messages);
    tcase_add_test(tc, test_config_defaults_recorded);
    tcase_add_test(tc, test_config_string_values_kept_whole);
    tcase_add_test(tc, test_config_continuation_joined);
    tcase_add_test(tc, test_config_list_over_continuation_lines);
    tcase_add_test(tc, test_config_continuation_of_empty_value);
    tcase_add_test(tc, test_config_indented_key_after_header);
    tcase_add_test(tc, test_config_list_parsing);
    tcase_add_test(tc, test_config_section_names_normalised);
    tcase_add_test(tc, test_config_keys_case_sensitive);
    tcase_add_test(tc, test_config_check_unused);
    tcase_add_test(tc, test_config_error_locations);
    tcase_add_test(tc, test_config_crlf_bom_and_comments);
    tcase_add_test(tc, test_config_long_lines);
    tcase_add_test(tc, test_config_no_fixed_limits);
    tcase_add_test(tc, test_config_write_round_trip);
    tcase_add_test(tc, test_config_nul_byte_in_string_ends_text);
    tcase_add_test(tc, test_config_file_load);
    tcase_add_test(tc, test_config_file_errors);
    tcase_add_test(tc, test_config_file_without_final_newline);
    tcase_add_test(tc, test_config_hostile_files);
    tcase_add_test(tc, test_config_resolved_model_config_reads_back);
    tcase_set_timeout(tc, 30); /* the hostile files are megabytes */
    suite_add_tcase(s, tc);
    return s;
}

/* Up to 10,000 parameters are a space; one more is refused at its section. Wide real ranges
 * that still have a finite width are fine. */
START_TEST(test_paramspec_parameter_limit)
{
    size_t size = 600000, len = 0;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    for (int i = 0; i < 10001; i++)
        len += (size_t)snprintf(text + len, size - len,
                                "[param p%d]\ntype = real\nlow = -1e307\nhigh = 1e307\n", i);
    atoll_config *cfg = NULL;
    atoll_space *space = NULL;
    ck_assert_int_eq(atoll_config_load_string(text, NAME, &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_int_eq(atoll_space_from_config(cfg, space), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     NAME ":40001: [param p10000]: too many parameters: at most 10000 [param] "
                          "sections (got 10001)");
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
    text[len - strlen("[param p10000]\ntype = real\nlow = -1e307\nhigh = 1e307\n")] = '\0';
    ck_assert_int_eq(atoll_config_load_string(text, NAME, &cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&space), ATOLL_OK);
    ck_assert_msg(atoll_space_from_config(cfg, space) == ATOLL_OK, "%s", atoll_error_message());
    ck_assert_uint_eq(space->n, 10000);
    ck_assert_str_eq(space->params[9999].name, "p9999");
    atoll_space_destroy(&space);
    atoll_config_destroy(&cfg);
    free(text);
}
END_TEST

static Suite *paramspec_suite(void)
{
    Suite *s = suite_create("paramspec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_paramspec_builds_space);
    tcase_add_test(tc, test_paramspec_no_params);
    tcase_add_loop_test(tc, test_paramspec_rejects_malformed_input, 0,
                        (int)(sizeof param_cases / sizeof *param_cases));
    tcase_add_test(tc, test_paramspec_override_located);
    tcase_add_test(tc, test_paramspec_parameter_limit);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(config_suite());
    srunner_add_suite(runner, paramspec_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures ? 1 : 0;
}
