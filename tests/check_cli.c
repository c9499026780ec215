/* check_cli.c - the atoll command itself: every bad config fixture gives its exact one-line
 * error and exit code 2; help, version and argument errors. Runs the real binary. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *bin(void)
{
    const char *b = getenv("ATOLL_BIN");
    return b ? b : "build/atoll";
}

/* Run `atoll ARGS` with stdout and stderr captured; returns the exit code. */
static int run_atoll(const char *args, char *out, size_t out_size, char *err, size_t err_size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s >/tmp/atoll-cli.out 2>/tmp/atoll-cli.err", bin(), args);
    int status = system(cmd);
    FILE *f = fopen("/tmp/atoll-cli.out", "r");
    size_t n = f ? fread(out, 1, out_size - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
    f = fopen("/tmp/atoll-cli.err", "r");
    n = f ? fread(err, 1, err_size - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Replace every "{FILE}" in `pattern` by `file`. */
static void expand(const char *pattern, const char *file, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = pattern; *p && used + 1 < size;) {
        if (strncmp(p, "{FILE}", 6) == 0) {
            used += (size_t)snprintf(out + used, size - used, "%s", file);
            p += 6;
        } else {
            out[used++] = *p++;
        }
    }
    out[used < size ? used : size - 1] = '\0';
}

START_TEST(test_cli_bad_configs)
{
    DIR *dir = opendir("tests/configs/bad");
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    int checked = 0;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char path[512], first[1024], want[2048], out[4096], err[4096];
        snprintf(path, sizeof path, "tests/configs/bad/%s", e->d_name);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(first, sizeof first, f));
        fclose(f);
        first[strcspn(first, "\r\n")] = '\0';
        ck_assert_msg(strncmp(first, "; expect: ", 10) == 0, "%s: no expect line", path);
        expand(first + 10, path, want, sizeof want);
        char args[600];
        snprintf(args, sizeof args, "check %s", path);
        int code = run_atoll(args, out, sizeof out, err, sizeof err);
        err[strcspn(err, "\n")] = '\0';
        ck_assert_msg(code == 2, "%s: exit %d, want 2", path, code);
        ck_assert_msg(strcmp(err, want) == 0, "%s:\n got: %s\nwant: %s", path, err, want);
        checked++;
    }
    closedir(dir);
    ck_assert_int_ge(checked, 15);
}
END_TEST

START_TEST(test_cli_good_config)
{
    char out[8192], err[4096];
    int code = run_atoll("check tests/configs/good/basic.ini", out, sizeof out, err, sizeof err);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(out, "strategy: ga"));
    ck_assert_ptr_nonnull(strstr(out, "space: 2 parameters"));
    ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_cli_overrides_in_check)
{
    char out[8192], err[4096];
    int code = run_atoll("check tests/configs/good/basic.ini --set run.evaluations=77 "
                         "--set 'param x1.high=2'",
                         out, sizeof out, err, sizeof err);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(out, "evaluations: 77"));
    ck_assert_ptr_nonnull(strstr(out, "[-5, 2]"));
    code = run_atoll("check tests/configs/good/basic.ini --set ga.population", out, sizeof out,
                     err, sizeof err);
    ck_assert_int_eq(code, 2);
    ck_assert_str_eq(err, "--set ga.population: expected section.key=value\n");
}
END_TEST

START_TEST(test_cli_arguments)
{
    char out[8192], err[4096];
    ck_assert_int_eq(run_atoll("--version", out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "atoll "));
    ck_assert_int_eq(run_atoll("--help", out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: atoll run CONFIG"));
    ck_assert_int_eq(run_atoll("", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "atoll: no command (see atoll --help)\n");
    ck_assert_int_eq(run_atoll("frobnicate x.ini", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "atoll: unknown command 'frobnicate' (see atoll --help)\n");
    ck_assert_int_eq(run_atoll("check", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "atoll check: no CONFIG file given\n");
    ck_assert_int_eq(run_atoll("check a.ini --bogus", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "atoll check: unknown option '--bogus' (see atoll --help)\n");
    ck_assert_int_eq(run_atoll("check a.ini --set", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "atoll: --set needs a value\n");
    ck_assert_int_eq(run_atoll("check /nonexistent/x.ini", out, sizeof out, err, sizeof err), 2);
    ck_assert_str_eq(err, "/nonexistent/x.ini: cannot open: No such file or directory\n");
}
END_TEST

START_TEST(test_cli_strategy_switch_keeps_other_sections_valid)
{
    char out[8192], err[4096];
    /* A [ga] section may stay when --set picks another strategy ... */
    int code = run_atoll("check tests/configs/good/basic.ini --set run.strategy=random", out,
                         sizeof out, err, sizeof err);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(out, "strategy: random"));
    /* ... but it is still validated. */
    code = run_atoll("check tests/configs/good/basic.ini --set run.strategy=random "
                     "--set ga.population=1",
                     out, sizeof out, err, sizeof err);
    ck_assert_int_eq(code, 2);
    ck_assert_str_eq(err, "--set ga.population=1: [ga] population: must be >= 2 (got 1)\n");
}
END_TEST

START_TEST(test_cli_check_prints_grid_size)
{
    char out[8192], err[4096];
    int code = run_atoll("check configs/grid.ini --set grid.points=3", out, sizeof out, err,
                         sizeof err);
    ck_assert_int_eq(code, 0);
    ck_assert_ptr_nonnull(strstr(out, "grid: 27 points (3 x 3 x 3), last parameter fastest"));
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cli_bad_configs);
    tcase_add_test(tc, test_cli_good_config);
    tcase_add_test(tc, test_cli_check_prints_grid_size);
    tcase_add_test(tc, test_cli_overrides_in_check);
    tcase_add_test(tc, test_cli_arguments);
    tcase_add_test(tc, test_cli_strategy_switch_keeps_other_sections_valid);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
