/* check_command.c - the command objective: quoting, placeholders, scores, failures, timeouts. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "core/paramspec.h"
#include "core/space.h"
#include "objective/command_parse.h"
#include "objective/objective.h"
#include "support.h"

#define DATA "tests/data/"

/* A command objective built from "[objective] type = command" plus `ini`. */
typedef struct {
    atoll_config *cfg;
    atoll_space *space;
    const atoll_objective_type *type;
    void *params, *state;
    char dir[64]; /* a fresh output folder */
} cmd_fixture;

/* Configure only; returns configure's status (the space comes from the [param] sections). */
static int cmd_configure(cmd_fixture *f, const char *ini)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/atoll-cmd-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    char text[4096];
    snprintf(text, sizeof text, "[objective]\ntype = command\n%s", ini);
    ck_assert_int_eq(atoll_config_load_string(text, "cmd.ini", &f->cfg), ATOLL_OK);
    ck_assert_int_eq(atoll_space_create(&f->space), ATOLL_OK);
    ck_assert_msg(atoll_space_from_config(f->cfg, f->space) == ATOLL_OK, "space: %s",
                  atoll_error_message());
    f->type = atoll_objective_lookup("command");
    ck_assert_ptr_nonnull(f->type);
    const char *type = NULL;
    ck_assert_int_eq(atoll_config_get_string(f->cfg, "objective", "type", NULL, false, &type),
                     ATOLL_OK);
    return f->type->configure(f->cfg, f->space, &f->params);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove a fixture's temporary folder and everything the trials wrote into it. */
static void remove_tree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cmd_open(cmd_fixture *f, const char *ini, int local_rank)
{
    ck_assert_msg(cmd_configure(f, ini) == ATOLL_OK, "configure: %s", atoll_error_message());
    atoll_objective_env env = {.seed = 1, .rank = 2, .local_rank = local_rank, .out_dir = f->dir};
    ck_assert_msg(f->type->create(f->params, f->space, &env, &f->state) == ATOLL_OK,
                  "create: %s", atoll_error_message());
}

static void cmd_close(cmd_fixture *f)
{
    if (f->state)
        f->type->destroy(f->state);
    if (f->params)
        f->type->free_params(f->params);
    atoll_space_destroy(&f->space);
    atoll_config_destroy(&f->cfg);
    remove_tree(f->dir);
}

/* Evaluate as trial 7 (seed 99) the point whose parameters take `nums` (a choice's index). */
static atoll_eval cmd_eval(cmd_fixture *f, const double *nums)
{
    atoll_value v[8];
    point_values(f->space, nums, v);
    atoll_trial_ctx ctx = {.trial = 7, .seed = 99};
    atoll_eval ev = {.value = NAN, .status = ATOLL_STATUS_OK};
    ck_assert_msg(f->type->evaluate(f->state, v, &ctx, &ev) == ATOLL_OK, "evaluate: %s",
                  atoll_error_message());
    return ev;
}

/* The text of trial 7's .out or .err file, its last 16 KiB when longer (static buffer). */
static const char *trial_file(const cmd_fixture *f, const char *ext)
{
    static char text[16384];
    char path[128];
    snprintf(path, sizeof path, "%s/trials/7.%s", f->dir, ext);
    FILE *in = fopen(path, "r");
    ck_assert_msg(in != NULL, "%s missing", path);
    ck_assert_int_eq(fseek(in, 0, SEEK_END), 0);
    long size = ftell(in);
    ck_assert_int_eq(fseek(in, size > (long)sizeof text - 1 ? size - (long)sizeof text + 1 : 0,
                           SEEK_SET),
                     0);
    size_t n = fread(text, 1, sizeof text - 1, in);
    text[n] = '\0';
    fclose(in);
    return text;
}

static void assert_has(const char *text, const char *want)
{
    ck_assert_msg(strstr(text, want) != NULL, "expected '%s' in:\n%s", want, text);
}

/* Quoting: '...', "..." with escapes, backslash, an empty argument; one argv element each. */
START_TEST(test_command_split_quoting)
{
    cmd_fixture f;
    cmd_open(&f,
             "command = " DATA "command-echo-args.sh 'a b' \"c \\\"d\\\" $HOME\" e\\ f '' x{{y}}\n"
             "[param x]\ntype = real\nlow = 0\nhigh = 1\n",
             0);
    atoll_eval ev = cmd_eval(&f, (double[]){0.25});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.5);
    ck_assert_double_eq(ev.extra[0], 0.0); /* exit_code */
    assert_has(trial_file(&f, "out"),
               "argc=5\narg=a b\narg=c \"d\" $HOME\narg=e f\narg=\narg=x{y}\n");
    cmd_close(&f);
}
END_TEST

START_TEST(test_command_config_errors)
{
    static const struct {
        const char *ini, *message;
    } cases[] = {
        {"command = " DATA "command-echo-args.sh 'a b\n",
         "cmd.ini:3: [objective] command: unbalanced single quote"},
        {"command = " DATA "command-echo-args.sh \"a\n",
         "cmd.ini:3: [objective] command: unbalanced double quote"},
        {"command = '' \n", "cmd.ini:3: [objective] command: empty command"},
        {"command = atoll-no-such-program-x1 --lr 1\n",
         "cmd.ini:3: [objective] command: atoll-no-such-program-x1: not found on PATH"},
        {"command = " DATA "command-echo-args.sh {lr}\n",
         "cmd.ini:3: [objective] command: unknown placeholder {lr}"},
        {"command = " DATA "command-echo-args.sh {\n",
         "cmd.ini:3: [objective] command: a lone '{' (write '{{' for a literal brace)"},
        {"command = /bin/true\nmetric_regex = ([0-9]\n",
         "cmd.ini:4: [objective] metric_regex: does not compile: "},
        {"command = /bin/true\nmetric_regex = loss\n",
         "cmd.ini:4: [objective] metric_regex: needs a parenthesised group around the number"},
        {"command = /bin/true\nworkdir = w/{workdir}\n",
         "cmd.ini:4: [objective] workdir: unknown placeholder {workdir}"},
        {"command = /bin/true\nextra_metrics = a, b, c, d, e, f, g, h\n",
         "cmd.ini:4: [objective] extra_metrics: at most 7 names (exit_code is logged too; got 8)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cmd_fixture f;
        ck_assert_int_eq(cmd_configure(&f, cases[i].ini), ATOLL_ERR_USAGE);
        ck_assert_msg(strncmp(atoll_error_message(), cases[i].message,
                              strlen(cases[i].message)) == 0,
                      "case %zu: got '%s'", i, atoll_error_message());
        cmd_close(&f);
    }
}
END_TEST

/* {NAME} per kind, {trial} {seed} {rank} {workdir}, literal braces; the environment too. */
START_TEST(test_command_placeholders_and_env)
{
    cmd_fixture f;
    char ini[1024];
    char wd[64];
    snprintf(wd, sizeof wd, "/tmp/atoll-cmd-wd-%ld", (long)getpid());
    snprintf(ini, sizeof ini,
             "command = " DATA "command-echo-args.sh --lr={lr} {units} {act} t{trial} s{seed} "
             "r{rank} {{x}} {workdir}\n"
             "workdir = %s/trial-{trial}\n"
             "gpus_per_node = 2\n"
             "[param lr]\ntype = real\nlow = 0\nhigh = 1\n"
             "[param units]\ntype = int\nlow = 1\nhigh = 100\n"
             "[param act]\ntype = choice\nvalues = relu, tanh\n"
             "[param x]\ntype = real\nlow = 0\nhigh = 1\n",
             wd);
    cmd_open(&f, ini, 3);
    atoll_eval ev = cmd_eval(&f, (double[]){0.1, 42, 1, 0.75});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    const char *out = trial_file(&f, "out");
    char want[512];
    snprintf(want, sizeof want,
             "argc=8\narg=--lr=0.10000000000000001\narg=42\narg=tanh\narg=t7\narg=s99\narg=r2\n"
             "arg={x}\narg=%s/trial-7\n",
             wd);
    assert_has(out, want);
    assert_has(out, "trial_env=7\nparam_x_env=0.75\nrank_env=2\nseed_env=99\ncuda_env=1\n");
    snprintf(want, sizeof want, "pwd=%s/trial-7\n", wd);
    assert_has(out, want);
    struct stat st;
    snprintf(want, sizeof want, "%s/trial-7", wd);
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    cmd_close(&f);
    remove_tree(wd);
}
END_TEST

/* Values reach the program as one argument each and never run as commands. */
START_TEST(test_command_no_injection)
{
    char pwned[64], ini[1024];
    snprintf(pwned, sizeof pwned, "/tmp/atoll-pwned-%ld", (long)getpid());
    unlink(pwned);
    snprintf(ini, sizeof ini,
             "command = " DATA "command-echo-args.sh {v}\n"
             "[param v]\ntype = choice\nvalues = x; touch %s, $(touch %s), `touch %s`\n",
             pwned, pwned, pwned);
    cmd_fixture f;
    cmd_open(&f, ini, 0);
    for (int i = 0; i < 3; i++) {
        atoll_eval ev = cmd_eval(&f, (double[]){i});
        ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
        const char *out = trial_file(&f, "out");
        assert_has(out, "argc=1\n");
        char want[128];
        snprintf(want, sizeof want, "arg=%s\n", f.space->params[0].choices[i]);
        assert_has(out, want);
    }
    ck_assert_int_eq(access(pwned, F_OK), -1);
    cmd_close(&f);
}
END_TEST

/* Evaluate a program printing `text` (printf format; braces doubled) and exiting with `code`, under extra
 * [objective] keys `keys`. */
static atoll_eval print_eval(cmd_fixture *f, const char *text, int code, const char *keys)
{
    char ini[2048];
    snprintf(ini, sizeof ini,
             "command = " DATA "command-print.sh '%s' %d\n%s"
             "[param x]\ntype = real\nlow = 0\nhigh = 1\n",
             text, code, keys);
    cmd_open(f, ini, 0);
    return cmd_eval(f, (double[]){0.5});
}

START_TEST(test_command_scores)
{
    cmd_fixture f;
    /* default: the last line that is a finite number */
    atoll_eval ev = print_eval(&f, "epoch 1\\n0.7\\n  0.25  \\nnan\\ndone 3\\n", 0, "");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.25);
    cmd_close(&f);
    /* metric_regex: the first group of the last matching line */
    ev = print_eval(&f, "val_loss=0.9\\nval_loss=0.31 ok\\nloss=0.1\\n", 0,
                    "metric_regex = ^val_loss=([-0-9.eE+]+)\n");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.31);
    cmd_close(&f);
    /* metric_json + extra_metrics from the same line; an absent one is NaN */
    ev = print_eval(&f,
                    "{{\"val_acc\": 0.5, \"loss\": 2}}\\n"
                    "{{\"val_acc\": 0.93, \"tag\": \"a,}}\", \"h\": [1, {{\"x\": 2}}], "
                    "\"loss\": 0.21}}\\n"
                    "{{\"other\": 1, \"loss\": 7}}\\nnot json 0.1\\n",
                    0, "metric_json = val_acc\nextra_metrics = loss, absent\ndirection = maximize\n");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.93);
    ck_assert_double_eq(ev.extra[0], 0.0);
    ck_assert_double_eq(ev.extra[1], 0.21);
    ck_assert(isnan(ev.extra[2]));
    ck_assert_int_eq(f.type->direction(f.params), ATOLL_MAXIMIZE);
    const char *const *cols = f.type->columns(f.params);
    ck_assert_str_eq(cols[0], "exit_code");
    ck_assert_str_eq(cols[1], "loss");
    ck_assert_str_eq(cols[2], "absent");
    ck_assert_ptr_null(cols[3]);
    cmd_close(&f);
    /* extra_metrics from `name = number` / `name: number` lines */
    ev = print_eval(&f, "loss = 0.3\\nacc: 0.9\\nloss = 0.2\\n0.1\\n", 0,
                    "extra_metrics = loss, acc\n");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.1);
    ck_assert_double_eq(ev.extra[1], 0.2);
    ck_assert_double_eq(ev.extra[2], 0.9);
    ck_assert_int_eq(f.type->direction(f.params), ATOLL_MINIMIZE);
    cmd_close(&f);
}
END_TEST

START_TEST(test_command_failures)
{
    cmd_fixture f;
    atoll_eval ev = print_eval(&f, "0.5\\n", 3, "");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    ck_assert_double_eq(ev.extra[0], 3.0);
    assert_has(trial_file(&f, "err"), "atoll: trial 7 failed: exit status 3\n");
    cmd_close(&f);

    ev = print_eval(&f, "no number here\\n", 0, "");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    assert_has(trial_file(&f, "err"), "no score in stdout");
    cmd_close(&f);

    /* nan, inf and -inf are numbers but no score: said so, the trial fails */
    static const char *const non_finite[][2] = {
        {"nan\\n", "failed: the score is not finite (nan)"},
        {"epoch 3\\ninf\\n", "failed: the score is not finite (inf)"},
        {"done\\n-inf\\n", "failed: the score is not finite (-inf)"},
        {"1e999\\n", "failed: the score is not finite (inf)"},
    };
    for (size_t i = 0; i < sizeof non_finite / sizeof *non_finite; i++) {
        ev = print_eval(&f, non_finite[i][0], 0, "");
        ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
        ck_assert(isnan(ev.value));
        assert_has(trial_file(&f, "err"), non_finite[i][1]);
        cmd_close(&f);
    }

    ev = print_eval(&f, "", 0, "");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    assert_has(trial_file(&f, "err"), "failed: no score in stdout (it is empty)");
    cmd_close(&f);

    ev = print_eval(&f, "{{\"m\": NaN}}\\n", 0, "metric_json = m\n");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    assert_has(trial_file(&f, "err"), "the score is not finite");
    cmd_close(&f);

    cmd_open(&f, "command = " DATA "command-kill-self.sh\n[param x]\ntype = real\nlow = 0\nhigh = 1\n",
             0);
    ev = cmd_eval(&f, (double[]){0.5});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    ck_assert_double_eq(ev.extra[0], -9.0);
    assert_has(trial_file(&f, "err"), "killed by signal 9");
    cmd_close(&f);
}
END_TEST

/* Whether `pid` is alive (a zombie waiting for its reaper counts as dead). */
static int alive(long pid)
{
    if (kill((pid_t)pid, 0) != 0)
        return 0;
    char path[64], stat_line[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *in = fopen(path, "r");
    if (!in)
        return 0;
    size_t n = fread(stat_line, 1, sizeof stat_line - 1, in);
    fclose(in);
    stat_line[n] = '\0';
    const char *close = strrchr(stat_line, ')');
    return !(close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X'));
}

START_TEST(test_command_timeout_kills_group)
{
    cmd_fixture f;
    char ini[1024], pidfile[128], piddir[] = "/tmp/atoll-cmd-pid-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(piddir));
    snprintf(pidfile, sizeof pidfile, "%s/child.pid", piddir);
    snprintf(ini, sizeof ini,
             "command = " DATA "command-fork-sleep.sh %s\ntimeout = 1\nkill_grace = 1\n"
             "[param x]\ntype = real\nlow = 0\nhigh = 1\n",
             pidfile);
    cmd_open(&f, ini, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atoll_eval ev = cmd_eval(&f, (double[]){0.5});
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    ck_assert_int_eq(ev.status, ATOLL_STATUS_TIMEOUT);
    ck_assert(isnan(ev.extra[0]));
    ck_assert_msg(took >= 0.9 && took < 4.0, "took %g s", took);
    assert_has(trial_file(&f, "err"), "timed out");
    FILE *in = fopen(pidfile, "r");
    ck_assert_ptr_nonnull(in);
    long child = 0;
    ck_assert_int_eq(fscanf(in, "%ld", &child), 1);
    fclose(in);
    ck_assert(child > 1);
    for (int i = 0; i < 100 && alive(child); i++)
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    ck_assert_msg(!alive(child), "the grandchild %ld survived the timeout", child);
    cmd_close(&f);
    remove_tree(piddir);
}
END_TEST

/* Size of trial 7's .out file in bytes. */
static long long out_size(const cmd_fixture *f)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/trials/7.out", f->dir);
    ck_assert_int_eq(stat(path, &st), 0);
    return (long long)st.st_size;
}

#define ONE_PARAM "[param x]\ntype = real\nlow = 0\nhigh = 1\n"

/* A program that prints without end is stopped at max_output, its file cut there; one that
 * printed too much before it exited fails the same way. */
START_TEST(test_command_max_output)
{
    cmd_fixture f;
    cmd_open(&f, "command = yes\nmax_output = 1\n" ONE_PARAM, 0);
    atoll_eval ev = cmd_eval(&f, (double[]){0.5});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    ck_assert(isnan(ev.extra[0]));
    ck_assert_int_eq(out_size(&f), 1 << 20);
    assert_has(trial_file(&f, "err"),
               "atoll: trial 7 failed: its stdout passed max_output (1 MiB): its process group "
               "was ended and the file cut there\n");
    cmd_close(&f);

    cmd_open(&f, "command = sh -c 'head -c 3000000 /dev/zero; echo; echo 0.5'\n"
                 "max_output = 2\n" ONE_PARAM,
             0);
    ev = cmd_eval(&f, (double[]){0.5});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    ck_assert_int_eq(out_size(&f), 2 << 20);
    cmd_close(&f);

    cmd_open(&f, "command = sh -c 'echo 0.5; yes >&2'\nmax_output = 2\n" ONE_PARAM, 0);
    ev = cmd_eval(&f, (double[]){0.5});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    assert_has(trial_file(&f, "err"), "failed: its stderr passed max_output (2 MiB)");
    cmd_close(&f);

    /* 0: no limit */
    cmd_open(&f, "command = sh -c 'head -c 3000000 /dev/zero; echo; echo 0.5'\n"
                 "max_output = 0\n" ONE_PARAM,
             0);
    ev = cmd_eval(&f, (double[]){0.5});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.5);
    cmd_close(&f);
}
END_TEST

/* The score of a program that printed 128 MiB is read from the file's tail: memory does not
 * grow with what a program prints. */
START_TEST(test_command_output_memory_bounded)
{
    const long bound_kib = 24 * 1024; /* the tail (16 MiB) and some slack */
    cmd_fixture f;
    cmd_open(&f, "command = sh -c 'head -c 134217728 /dev/zero | tr \"\\\\000\" x; echo; "
                 "echo 0.25'\n" ONE_PARAM,
             0);
    long before = peak_rss_kib();
    atoll_eval ev = cmd_eval(&f, (double[]){0.5});
    long after = peak_rss_kib();
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_double_eq(ev.value, 0.25);
    ck_assert_int_eq(out_size(&f), 134217728 + 6);
    if (before > 0)
        ck_assert_msg(after - before < bound_kib, "peak memory grew by %ld KiB",
                      after - before);
    cmd_close(&f);
}
END_TEST

/* Read the pids a program wrote to `path`, one a line; returns the count. */
static int read_pids(const char *path, long *pids, int max)
{
    FILE *in = fopen(path, "r");
    ck_assert_ptr_nonnull(in);
    int n = 0;
    while (n < max && fscanf(in, "%ld", &pids[n]) == 1)
        n++;
    fclose(in);
    return n;
}

/* Children a program leaves running in its group are ended when it exits, also those that
 * ignore SIGTERM (after kill_grace); the trial keeps its score. */
START_TEST(test_command_leftovers_ended)
{
    static const char *const programs[] = {
        "sh -c 'sleep 30 & echo $! >%s; sleep 30 & echo $! >>%s; echo 0.5'",
        "sh -c 'trap \"\" TERM; sleep 30 & echo $! >%s; (sleep 30; true) & echo $! >>%s; "
        "echo 0.5'",
    };
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) {
        char dir[] = "/tmp/atoll-cmd-left-XXXXXX", pidfile[128], command[512], ini[1024];
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(pidfile, sizeof pidfile, "%s/pids", dir);
        snprintf(command, sizeof command, programs[i], pidfile, pidfile);
        snprintf(ini, sizeof ini, "command = %s\nkill_grace = 1\n" ONE_PARAM, command);
        cmd_fixture f;
        cmd_open(&f, ini, 0);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        atoll_eval ev = cmd_eval(&f, (double[]){0.5});
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
        ck_assert_double_eq(ev.value, 0.5);
        ck_assert_msg(took < (i == 0 ? 0.9 : 2.5), "program %zu: took %g s", i, took);
        assert_has(trial_file(&f, "err"),
                   "atoll: trial 7 exited leaving processes in its process group: they were "
                   "ended\n");
        long pids[2];
        ck_assert_int_eq(read_pids(pidfile, pids, 2), 2);
        for (int k = 0; k < 2; k++) {
            for (int w = 0; w < 100 && alive(pids[k]); w++)
                nanosleep(&(struct timespec){0, 20000000L}, NULL);
            ck_assert_msg(!alive(pids[k]), "program %zu: child %ld survived", i, pids[k]);
        }
        cmd_close(&f);
        remove_tree(dir);
    }
    /* a program that leaves nothing behind gets no such note */
    cmd_fixture f;
    atoll_eval ev = print_eval(&f, "0.5\\n", 0, "");
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ck_assert_ptr_null(strstr(trial_file(&f, "err"), "leaving processes"));
    cmd_close(&f);
}
END_TEST

/* workdir is the trial's own folder: '..' may not lead out of it, from the template or from a
 * value; absolute paths are fine. */
START_TEST(test_command_workdir_dotdot)
{
    static const struct {
        const char *ini, *message;
    } cases[] = {
        {"command = /bin/true\nworkdir = /tmp/{trial}/../../..\n",
         "cmd.ini:4: [objective] workdir: a '..' component is not allowed (got "
         "'/tmp/{trial}/../../..'); give an absolute path or one below the current folder"},
        {"command = /bin/true\nworkdir = ../w/{trial}\n",
         "cmd.ini:4: [objective] workdir: a '..' component is not allowed (got "
         "'../w/{trial}'); give an absolute path or one below the current folder"},
        {"command = /bin/true\nworkdir = w/{p}\n[param p]\ntype = choice\nvalues = a, ../../x\n",
         "cmd.ini:4: [objective] workdir: {p} can be '../../x', whose '..' component would lead "
         "out of the trial's folder"},
        {"command = /bin/true\nworkdir = w/{p}\n[param p]\ntype = choice\nvalues = a, ..\n",
         "cmd.ini:4: [objective] workdir: {p} can be '..', whose '..' component would lead out "
         "of the trial's folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cmd_fixture f;
        ck_assert_int_eq(cmd_configure(&f, cases[i].ini), ATOLL_ERR_USAGE);
        ck_assert_str_eq(atoll_error_message(), cases[i].message);
        cmd_close(&f);
    }
    /* names with dots are fine; a '..' that only values joined make fails the trial */
    char ini[512], wd[64];
    snprintf(wd, sizeof wd, "/tmp/atoll-cmd-dots-%ld", (long)getpid());
    snprintf(ini, sizeof ini,
             "command = " DATA "command-print.sh 0.5\nworkdir = %s/...x/.{p}\n"
             "[param p]\ntype = choice\nvalues = a, .\n",
             wd);
    cmd_fixture f;
    cmd_open(&f, ini, 0);
    atoll_eval ev = cmd_eval(&f, (double[]){0});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_OK);
    ev = cmd_eval(&f, (double[]){1});
    ck_assert_int_eq(ev.status, ATOLL_STATUS_FAILED);
    char want[256];
    snprintf(want, sizeof want,
             "atoll: trial 7 failed: the workdir %s/...x/.. has a '..' component\n", wd);
    assert_has(trial_file(&f, "err"), want);
    cmd_close(&f);
    remove_tree(wd);
}
END_TEST

/* The stdout reader on its own (what the fuzz harness drives): CRLF lines, a JSON score line
 * with its extra metrics, no score at all, and a missing file. */
START_TEST(test_command_read_score)
{
    cmd_fixture f;
    int rc = cmd_configure(&f, "command = true\nmetric_json = loss\nextra_metrics = acc\n");
    ck_assert_msg(rc == ATOLL_OK, "configure: %s", atoll_error_message());
    char path[128];
    snprintf(path, sizeof path, "%s/7.out", f.dir);
    FILE *out = fopen(path, "w");
    ck_assert_ptr_nonnull(out);
    fputs("{\"loss\": 0.5, \"acc\": 0.1}\r\nnoise\r\n"
          "{\"loss\": 0.25, \"acc\": 0.75}\r\n0.9\r\n",
          out);
    ck_assert_int_eq(fclose(out), 0);
    bool have = false;
    double score = NAN, extra[ATOLL_EVAL_EXTRA_MAX] = {NAN};
    ck_assert_int_eq(atoll_command_read_score(f.params, path, &have, &score, extra), ATOLL_OK);
    ck_assert(have);
    ck_assert_double_eq(score, 0.25);
    ck_assert_double_eq(extra[0], 0.75);

    out = fopen(path, "w");
    ck_assert_ptr_nonnull(out);
    fputs("{\"acc\": 1}\n", out);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(atoll_command_read_score(f.params, path, &have, &score, extra), ATOLL_OK);
    ck_assert(!have);

    snprintf(path, sizeof path, "%s/missing.out", f.dir);
    ck_assert_int_eq(atoll_command_read_score(f.params, path, &have, &score, extra),
                     ATOLL_ERR_IO);
    cmd_close(&f);
}
END_TEST

static Suite *command_suite(void)
{
    Suite *s = suite_create("command");
    TCase *tc = tcase_create("command");
    tcase_add_test(tc, test_command_split_quoting);
    tcase_add_test(tc, test_command_config_errors);
    tcase_add_test(tc, test_command_placeholders_and_env);
    tcase_add_test(tc, test_command_no_injection);
    tcase_add_test(tc, test_command_scores);
    tcase_add_test(tc, test_command_failures);
    tcase_add_test(tc, test_command_timeout_kills_group);
    tcase_add_test(tc, test_command_read_score);
    tcase_add_test(tc, test_command_max_output);
    tcase_add_test(tc, test_command_output_memory_bounded);
    tcase_add_test(tc, test_command_leftovers_ended);
    tcase_add_test(tc, test_command_workdir_dotdot);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(command_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
