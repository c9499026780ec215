/* plot.c - atoll plot DIR: pictures of a run (convergence, timeline, parameters) and of a
 * scaling study (speedup, efficiency), drawn by gnuplot from temporary data files. */

/*
 * The command reads its arguments, decides what DIR holds (trials.csv, scaling.csv or
 * both) and draws each picture in turn; reading the folder, talking to gnuplot and each
 * picture live in the other plot*.c files (see plot_impl.h). The temporary folder is gone
 * before the written PNGs are listed on stdout.
 */
#include "cli/plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/plot_impl.h"
#include "core/error.h"
#include "core/trials.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Draw everything DIR holds into out_dir; `run` owns what was read. */
static int plot_folder(plot_run *run, bool has_trials, bool has_scaling)
{
    if (atoll_mkdirs(run->out_dir) != ATOLL_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", atoll_error_message());
        return ATOLL_RAISE(ATOLL_ERR_IO, "atoll plot: %s", why);
    }
    ATOLL_CALL(atoll_plot_tmp_create(run));
    if (has_trials) {
        ATOLL_CALL(atoll_plot_run_read(run));
        if (run->n_ok > 0)
            ATOLL_CALL(atoll_plot_draw(run, "convergence.png", atoll_plot_convergence, NULL));
        ATOLL_CALL(atoll_plot_draw(run, "timeline.png", atoll_plot_timeline, NULL));
        if (run->n_ok > 0 && run->n_params > 0)
            ATOLL_CALL(atoll_plot_draw(run, "params.png", atoll_plot_params, NULL));
        if (run->n_ok == 0)
            fprintf(stderr,
                    "atoll plot: no successful trial in %s/trials.csv: "
                    "convergence.png and params.png not drawn\n",
                    run->dir);
    }
    if (has_scaling)
        ATOLL_CALL(atoll_plot_scaling(run));
    return ATOLL_OK;
}

static int plot_usage(FILE *out, int code)
{
    fputs("usage: atoll plot DIR [--out PNGDIR]\n"
          "  DIR with trials.csv: convergence.png, timeline.png, params.png\n"
          "  DIR with scaling.csv (bench/scaling): speedup.png, efficiency.png\n"
          "  --out PNGDIR  write the PNGs there instead of into DIR\n",
          out);
    return code;
}

int atoll_cli_plot(int argc, char **argv)
{
    plot_run run = {0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return plot_usage(stdout, EXIT_OK);
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            run.out_dir = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0) {
            fprintf(stderr, "atoll plot: --out needs a value\n");
            return EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "atoll plot: unknown option '%s' (see atoll plot --help)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!run.dir) {
            run.dir = argv[i];
        } else {
            fprintf(stderr, "atoll plot: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!run.dir) {
        fprintf(stderr, "atoll plot: no DIR given (see atoll plot --help)\n");
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(run.dir, &st) != 0) {
        fprintf(stderr, "atoll plot: %s: %s\n", run.dir, strerror(errno));
        return EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "atoll plot: %s: not a folder\n", run.dir);
        return EXIT_USAGE;
    }
    if (!run.out_dir)
        run.out_dir = run.dir;
    char trials[PLOT_PATH_MAX], scaling[PLOT_PATH_MAX];
    int rc = atoll_plot_join(trials, run.dir, "trials.csv");
    if (rc == ATOLL_OK)
        rc = atoll_plot_join(scaling, run.dir, "scaling.csv");
    bool has_trials = rc == ATOLL_OK && atoll_plot_is_file(trials),
         has_scaling = rc == ATOLL_OK && atoll_plot_is_file(scaling);
    if (rc == ATOLL_OK && !has_trials && !has_scaling)
        rc = ATOLL_RAISE(ATOLL_ERR_USAGE,
                         "atoll plot: %s: no such file (and no scaling.csv): not a run folder",
                         trials);
    if (rc == ATOLL_OK)
        rc = plot_folder(&run, has_trials, has_scaling);
    /* The temporary folder goes first, so that a reader closing stdout early (SIGPIPE) cannot
     * leave it behind. */
    atoll_plot_tmp_remove(&run);
    for (size_t i = 0; i < run.n_written; i++)
        printf("wrote %s\n", run.written[i]);
    fflush(stdout);
    atoll_plot_run_free(&run);
    if (rc == ATOLL_OK)
        return EXIT_OK;
    fprintf(stderr, "%s\n", atoll_error_message());
    if (getenv("ATOLL_DEBUG"))
        fputs(atoll_error_traceback(), stderr);
    return rc == ATOLL_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
}
