/* check_plot.c - atoll plot: the PNGs of a run folder and of a scaling study, a missing
 * gnuplot, a missing folder, bad arguments, no temporary files left (through the real
 * binary); its CSV reader and gnuplot string quoting (directly). */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/plot_impl.h"

static const char *bin(void)
{
    const char *b = getenv("ATOLL_BIN");
    return b ? b : "build/atoll";
}

/* A fresh private folder under /tmp; the caller removes it with remove_tree. */
static void make_tmp(char *path, size_t size)
{
    snprintf(path, size, "/tmp/atoll-check-plot-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
}

/* Remove a folder and the plain files in it (the tests create no deeper trees). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ck_assert_int_eq(unlink(path), 0);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

/*
 * Run `atoll plot ARGS...` (NULL-terminated) in a child with stdout and stderr captured through
 * files in `scratch` (removed again); with `path` set the child's PATH is that, and its TMPDIR
 * is `tmpdir` when set. Returns the exit code.
 */
static int run_plot(const char *scratch, const char *path, const char *tmpdir, char *out,
                    size_t out_size, char *err, size_t err_size, const char *const *args)
{
    char out_path[1024], err_path[1024];
    snprintf(out_path, sizeof out_path, "%s/stdout", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr", scratch);
    char *argv[16] = {(char *)bin(), "plot"};
    size_t n = 2;
    for (; args[n - 2] && n < 15; n++)
        argv[n] = (char *)args[n - 2];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd_out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fd_err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd_out < 0 || fd_err < 0 || dup2(fd_out, 1) < 0 || dup2(fd_err, 2) < 0)
            _exit(126);
        if ((path && setenv("PATH", path, 1) != 0) || (tmpdir && setenv("TMPDIR", tmpdir, 1) != 0))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    read_text(out_path, out, out_size);
    read_text(err_path, err, err_size);
    unlink(out_path);
    unlink(err_path);
    ck_assert_msg(WIFEXITED(status), "atoll plot did not exit normally");
    ck_assert_msg(WEXITSTATUS(status) != 127, "cannot run %s (set ATOLL_BIN)", argv[0]);
    return WEXITSTATUS(status);
}

/* Whether gnuplot is on PATH: the drawing tests need it (package gnuplot-nox). */
static bool have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        char file[4200];
        snprintf(file, sizeof file, "%s/gnuplot", dir);
        if (access(file, X_OK) == 0)
            return true;
    }
    fprintf(stderr, "check_plot: gnuplot not on PATH (install gnuplot-nox): drawing test "
                    "skipped\n");
    return false;
}

/* `dir/name` is a PNG file (its signature) of more than 1 KB. */
static void assert_png(const char *dir, const char *name)
{
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s: not written", name);
    ck_assert_msg(st.st_size > 1024, "%s: only %lld bytes", name, (long long)st.st_size);
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    ck_assert_msg(memcmp(head, magic, sizeof magic) == 0, "%s: no PNG signature", name);
}

static bool exists(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

START_TEST(test_plot_run_folder)
{
    if (!have_gnuplot())
        return;
    char scratch[64], pngs[64], tmp[64], out[4096], err[4096];
    make_tmp(scratch, sizeof scratch);
    make_tmp(pngs, sizeof pngs);
    make_tmp(tmp, sizeof tmp);
    const char *args[] = {"tests/data/plot-run", "--out", pngs, NULL};
    int code = run_plot(scratch, NULL, tmp, out, sizeof out, err, sizeof err, args);
    ck_assert_msg(code == 0, "exit %d: %s", code, err);
    assert_png(pngs, "convergence.png");
    assert_png(pngs, "timeline.png");
    assert_png(pngs, "params.png");
    ck_assert(!exists(pngs, "speedup.png"));
    ck_assert_uint_eq(count_entries(pngs), 3);
    /* One line per picture, naming it. */
    ck_assert_ptr_nonnull(strstr(out, "/convergence.png\n"));
    ck_assert_ptr_nonnull(strstr(out, "/timeline.png\n"));
    ck_assert_ptr_nonnull(strstr(out, "/params.png\n"));
    size_t lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, 3);
    /* The data files and scripts are gone, and nothing was written into the run folder. */
    ck_assert_uint_eq(count_entries(tmp), 0);
    ck_assert(!exists("tests/data/plot-run", "convergence.png"));
    remove_tree(tmp);
    remove_tree(pngs);
    remove_tree(scratch);
}
END_TEST

START_TEST(test_plot_scaling)
{
    if (!have_gnuplot())
        return;
    char scratch[64], pngs[64], out[4096], err[4096];
    make_tmp(scratch, sizeof scratch);
    make_tmp(pngs, sizeof pngs);
    const char *args[] = {"tests/data/plot-scaling", "--out", pngs, NULL};
    int code = run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, args);
    ck_assert_msg(code == 0, "exit %d: %s", code, err);
    assert_png(pngs, "speedup.png");
    assert_png(pngs, "efficiency.png");
    ck_assert(!exists(pngs, "timeline.png"));
    ck_assert_uint_eq(count_entries(pngs), 2);
    remove_tree(pngs);
    remove_tree(scratch);
}
END_TEST

START_TEST(test_plot_without_gnuplot)
{
    char scratch[64], pngs[64], empty[64], out[4096], err[4096];
    make_tmp(scratch, sizeof scratch);
    make_tmp(pngs, sizeof pngs);
    make_tmp(empty, sizeof empty);
    const char *args[] = {"tests/data/plot-run", "--out", pngs, NULL};
    int code = run_plot(scratch, empty, NULL, out, sizeof out, err, sizeof err, args);
    ck_assert_int_eq(code, 1);
    ck_assert_ptr_nonnull(strstr(err, "gnuplot"));
    ck_assert_ptr_nonnull(strstr(err, "gnuplot-nox"));
    ck_assert_ptr_eq(strchr(err, '\n'), err + strlen(err) - 1); /* one line */
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(count_entries(pngs), 0);
    remove_tree(empty);
    remove_tree(pngs);
    remove_tree(scratch);
}
END_TEST

START_TEST(test_plot_missing_inputs)
{
    char scratch[64], empty[64], out[4096], err[4096], want[256];
    make_tmp(scratch, sizeof scratch);
    make_tmp(empty, sizeof empty);
    const char *missing[] = {"/nonexistent/run", NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, missing), 2);
    ck_assert_str_eq(err, "atoll plot: /nonexistent/run: No such file or directory\n");
    /* A folder without trials.csv or scaling.csv names the file it looked for. */
    const char *no_trials[] = {empty, NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, no_trials), 2);
    snprintf(want, sizeof want,
             "atoll plot: %s/trials.csv: no such file (and no scaling.csv): not a run folder\n",
             empty);
    ck_assert_str_eq(err, want);
    ck_assert_uint_eq(count_entries(empty), 0);
    remove_tree(empty);
    remove_tree(scratch);
}
END_TEST

START_TEST(test_plot_arguments)
{
    char scratch[64], out[4096], err[4096];
    make_tmp(scratch, sizeof scratch);
    const char *none[] = {NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, none), 2);
    ck_assert_str_eq(err, "atoll plot: no DIR given (see atoll plot --help)\n");
    const char *bogus[] = {"tests/data/plot-run", "--bogus", NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, bogus), 2);
    ck_assert_str_eq(err, "atoll plot: unknown option '--bogus' (see atoll plot --help)\n");
    const char *no_value[] = {"tests/data/plot-run", "--out", NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, no_value), 2);
    ck_assert_str_eq(err, "atoll plot: --out needs a value\n");
    const char *help[] = {"--help", NULL};
    ck_assert_int_eq(run_plot(scratch, NULL, NULL, out, sizeof out, err, sizeof err, help), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: atoll plot DIR [--out PNGDIR]"));
    remove_tree(scratch);
}
END_TEST

START_TEST(test_plot_csv_read)
{
    char dir[64], path[128];
    make_tmp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    /* Quotes removed, "" kept as one quote, CRLF and blank lines, a cut last row. */
    fputs("a,\"b c\",d\r\n\r\n1,\"x,\"\"y\"\"\",\n\n2,3", f);
    ck_assert_int_eq(fclose(f), 0);
    plot_csv t;
    ck_assert_int_eq(atoll_plot_csv_read(path, &t), 0);
    ck_assert_uint_eq(t.n_rows, 3);
    ck_assert_uint_eq(plot_csv_width(&t, 0), 3);
    ck_assert_str_eq(plot_csv_cell(&t, 0, 1), "b c");
    ck_assert_str_eq(plot_csv_cell(&t, 1, 1), "x,\"y\"");
    ck_assert_str_eq(plot_csv_cell(&t, 1, 2), "");
    ck_assert(plot_csv_complete(&t, 1));
    ck_assert(!plot_csv_complete(&t, 2));
    ck_assert_int_eq(atoll_plot_csv_column(&t, "d"), 2);
    ck_assert_int_eq(atoll_plot_csv_column(&t, "e"), -1);
    atoll_plot_csv_free(&t);
    ck_assert_ptr_null(t.text);
    unlink(path);
    ck_assert_int_ne(atoll_plot_csv_read(path, &t), 0); /* gone: an I/O error */
    ck_assert_uint_eq(t.n_rows, 0);
    remove_tree(dir);
}
END_TEST

START_TEST(test_plot_parse_number)
{
    double v = 0;
    ck_assert(atoll_plot_parse_number("2.5e-3", &v));
    ck_assert(v == 2.5e-3);
    static const char *const bad[] = {"", "1x", "nan", "inf", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!atoll_plot_parse_number(bad[i], &v), "'%s' read as a number", bad[i]);
    ck_assert(!atoll_plot_parse_number(NULL, &v));
}
END_TEST

START_TEST(test_plot_gp_string)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    atoll_plot_gp_quote(f, "a\"b\\c\nd%");
    fputc(' ', f);
    atoll_plot_gp_string(f, "50%", true);
    fputc(' ', f);
    atoll_plot_gp_next(f, "x.dat");
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(text, "\"a\\\"b\\\\c\\nd%\" \"50%%\" , \\\n  \"x.dat\"");
    free(text);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_plot_run_folder);
    tcase_add_test(tc, test_plot_scaling);
    tcase_add_test(tc, test_plot_without_gnuplot);
    tcase_add_test(tc, test_plot_missing_inputs);
    tcase_add_test(tc, test_plot_arguments);
    tcase_add_test(tc, test_plot_csv_read);
    tcase_add_test(tc, test_plot_parse_number);
    tcase_add_test(tc, test_plot_gp_string);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
