/* plot_gnuplot.c - atoll plot's drawing: the temporary folder, gnuplot script text, and
 * gnuplot run on one script per picture. */

/*
 * Every picture is one gnuplot script and a few data files in a private temporary folder
 * (mkdtemp), started with posix_spawnp through the objective layer's spawner; the folder is
 * removed afterwards. The scripts use pngcairo when gnuplot has it and the plain png
 * terminal otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/plot_impl.h"
#include "core/error.h"
#include "objective/spawn.h"

extern char **environ;

const char *const atoll_plot_palette[PLOT_MAX_ISLAND_LINES] = {
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"};

/* ---------------------------------------------------------------- the temporary folder */

int atoll_plot_tmp_create(plot_run *run)
{
    const char *tmp = getenv("TMPDIR");
    int len = snprintf(run->tmp_dir, sizeof run->tmp_dir, "%s/atoll-plot-XXXXXX",
                       tmp && *tmp ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= sizeof run->tmp_dir || !mkdtemp(run->tmp_dir)) {
        int err = errno;
        run->tmp_dir[0] = '\0';
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: cannot create a temporary folder: %s",
                           strerror(err));
    }
    return ATOLL_OK;
}

void atoll_plot_tmp_remove(plot_run *run)
{
    if (!run->tmp_dir[0])
        return;
    DIR *d = opendir(run->tmp_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[PLOT_PATH_MAX];
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            atoll_plot_join(path, run->tmp_dir, e->d_name) == ATOLL_OK)
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(run->tmp_dir);
    run->tmp_dir[0] = '\0';
}

int atoll_plot_tmp_open(const plot_run *run, const char *name, char *path, FILE **out)
{
    ATOLL_CALL(atoll_plot_join(path, run->tmp_dir, name));
    if (!(*out = fopen(path, "w")))
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot create: %s", path,
                           strerror(errno));
    return ATOLL_OK;
}

int atoll_plot_tmp_close(const char *path, FILE *f)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad)
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s: cannot write", path);
    return ATOLL_OK;
}

int atoll_plot_tmp_open2(const plot_run *run, const char *name1, char *path1, FILE **out1,
                         const char *name2, char *path2, FILE **out2)
{
    ATOLL_CALL(atoll_plot_tmp_open(run, name1, path1, out1));
    int rc = atoll_plot_tmp_open(run, name2, path2, out2);
    if (rc != ATOLL_OK)
        fclose(*out1);
    return rc;
}

int atoll_plot_tmp_close2(const char *path1, FILE *f1, const char *path2, FILE *f2)
{
    int rc1 = atoll_plot_tmp_close(path1, f1);
    int rc2 = atoll_plot_tmp_close(path2, f2);
    return rc1 != ATOLL_OK ? rc1 : rc2;
}

/* ---------------------------------------------------------------- script text */

void atoll_plot_gp_string(FILE *gp, const char *s, bool tic)
{
    fputc('"', gp);
    for (; *s; s++) {
        if (*s == '%' && tic)
            fputs("%%", gp);
        else if (*s == '\n')
            fputs("\\n", gp);
        else if (*s == '"' || *s == '\\')
            fprintf(gp, "\\%c", *s);
        else
            fputc(*s, gp);
    }
    fputc('"', gp);
}

void atoll_plot_gp_quote(FILE *gp, const char *s)
{
    atoll_plot_gp_string(gp, s, false);
}

void atoll_plot_gp_title(FILE *gp, const char *title)
{
    atoll_plot_gp_quote(gp, title);
    fputs(" font \",12\"\n", gp);
}

void atoll_plot_gp_next(FILE *gp, const char *path)
{
    fputs(", \\\n  ", gp);
    atoll_plot_gp_quote(gp, path);
}

void atoll_plot_gp_begin(FILE *gp, int width, int height, const char *png)
{
    fprintf(gp,
            "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "  set terminal pngcairo noenhanced size %d,%d font \"Sans,10\"\n"
            "} else {\n"
            "  set terminal png noenhanced size %d,%d\n"
            "}\n"
            "set output ",
            width, height, width, height);
    atoll_plot_gp_quote(gp, png);
    fputs("\nset datafile missing '?'\n"
          "set grid lc rgb '#dddddd' lt 1\n"
          "set border lc rgb '#444444'\n"
          "set offsets 0, 0, graph 0.04, graph 0.04\n",
          gp);
}

/* ---------------------------------------------------------------- running gnuplot */

/* The first line of gnuplot's error output, for the one-line message. */
static void first_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(buf, (int)size, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[strspn(buf, " \t^")] != '\0')
            break;
        buf[0] = '\0';
    }
    fclose(f);
}

/* Run gnuplot on `script`; a missing gnuplot or a failure is ATOLL_ERR_RUNTIME. */
static int gp_run(const plot_run *run, const char *script, const char *png)
{
    char out_path[PLOT_PATH_MAX], err_path[PLOT_PATH_MAX];
    ATOLL_CALL(atoll_plot_join(out_path, run->tmp_dir, "gnuplot.out"));
    ATOLL_CALL(atoll_plot_join(err_path, run->tmp_dir, "gnuplot.err"));
    char *argv[] = {"gnuplot", (char *)script, NULL};
    atoll_spawn_spec spec = {.path = "gnuplot",
                             .argv = argv,
                             .envp = environ,
                             .stdout_path = out_path,
                             .stderr_path = err_path,
                             .timeout_s = PLOT_GNUPLOT_TIMEOUT_S,
                             .kill_grace_s = 1.0};
    atoll_spawn_result res;
    ATOLL_CALL(atoll_spawn_run(&spec, &res));
    if (res.end == ATOLL_SPAWN_NOSTART && res.code == ENOENT)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: gnuplot not found on PATH; install it "
                                              "(Debian/Ubuntu: apt-get install gnuplot-nox)");
    if (res.end == ATOLL_SPAWN_NOSTART)
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: cannot start gnuplot: %s",
                           strerror(res.code));
    if (res.end != ATOLL_SPAWN_EXITED || res.code != 0) {
        char line[512];
        first_line(err_path, line, sizeof line);
        return ATOLL_RAISE(ATOLL_ERR_RUNTIME, "atoll plot: gnuplot failed drawing %s%s%s", png,
                           line[0] ? ": " : "", line);
    }
    return ATOLL_OK;
}

int atoll_plot_draw(plot_run *run, const char *name, plot_draw_fn draw_fn, const void *data)
{
    char png[PLOT_PATH_MAX], script_path[PLOT_PATH_MAX];
    FILE *script = NULL;
    ATOLL_CALL(atoll_plot_join(png, run->out_dir, name));
    ATOLL_CALL(atoll_plot_tmp_open(run, "script.gp", script_path, &script));
    int rc = draw_fn(run, data, script, png);
    int rc_close = atoll_plot_tmp_close(script_path, script);
    if (rc == ATOLL_OK)
        rc = rc_close;
    if (rc == ATOLL_OK)
        rc = gp_run(run, script_path, png);
    if (rc != ATOLL_OK)
        return atoll_error_trace(rc, __FILE__, __LINE__);
    memcpy(run->written[run->n_written++], png, sizeof png);
    return ATOLL_OK;
}
