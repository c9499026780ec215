/* cli.c - the atoll command as library functions: atoll_main (arguments, subcommands,
 * messages, exit codes) and atoll_search (one run from code). */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atoll.h"
#include "cli/plot.h"
#include "comm/comm.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "ml/dataset.h"
#include "ml/model.h"
#include "objective/objective.h"
#include "run/desc.h"
#include "run/run.h"
#include "strategy/strategy.h"

/* Exit codes: documented in the README. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_CHECKPOINTED = 3 };

/* The range column of a hyperparameter: its choices, or [low, high] plus named values. */
static void hparam_range(const atoll_hparam *h, char *buf, size_t size)
{
    if (h->kind == ATOLL_HP_CHOICE)
        snprintf(buf, size, "%s", h->choices);
    else if (h->choices)
        snprintf(buf, size, "%.15g .. %.15g or %s", h->low, h->high, h->choices);
    else
        snprintf(buf, size, "%.15g .. %.15g", h->low, h->high);
    if (!h->choices || h->kind == ATOLL_HP_CHOICE)
        return;
    /* named values print as their names only: "sqrt=-1|log2=-2" -> "sqrt|log2" */
    char *w = strstr(buf, " or ") + 4;
    for (const char *r = w; *r;) {
        if (*r == '=')
            while (*r && *r != '|')
                r++;
        else
            *w++ = *r++;
    }
    *w = '\0';
}

/* atoll models [MODEL] [--markdown]: every model's hyperparameter table. */
static int cmd_models(int argc, char **argv)
{
    bool markdown = false;
    const char *only = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            markdown = true;
        else if (!only && atoll_model_lookup(argv[i]))
            only = argv[i];
        else {
            fprintf(stderr, "atoll models: unknown model or option '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    static const char *const kinds[] = {"int", "real", "choice"};
    for (size_t m = 0; atoll_models[m]; m++) {
        const atoll_model_type *model = atoll_models[m];
        if (only && strcmp(only, model->name) != 0)
            continue;
        if (markdown)
            printf("%s| Key | Type | Default | Allowed | Meaning |\n|---|---|---|---|---|\n",
                   m && !only ? "\n" : "");
        else
            printf("%s%s: %s\n", m && !only ? "\n" : "", model->name, model->summary);
        for (size_t i = 0; model->hparams[i].name; i++) {
            const atoll_hparam *h = &model->hparams[i];
            char range[256];
            hparam_range(h, range, sizeof range);
            if (markdown)
                printf("| `%s` | %s | `%s` | %s | %s |\n", h->name, kinds[h->kind], h->def,
                       range, h->doc);
            else
                printf("  %-20s %-6s %-10s %-28s %s\n", h->name, kinds[h->kind], h->def, range,
                       h->doc);
        }
    }
    return EXIT_OK;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: atoll run CONFIG [--set SECTION.KEY=VALUE]... [--out DIR] [--force] "
            "[--resume] [--quiet]\n"
            "       atoll resume DIR [--set SECTION.KEY=VALUE]... [--quiet]\n"
            "       atoll check CONFIG [--set SECTION.KEY=VALUE]...\n"
            "       atoll models [MODEL] [--markdown]\n"
            "       atoll plot DIR [--out PNGDIR]\n"
            "       atoll --help | --version\n"
            "\n"
            "  run     search the space of CONFIG; launch with mpirun -np N (one island per rank\n"
            "          unless [run] islands groups them)\n"
            "  resume  continue the run in DIR (stopped by a signal, a time limit or a crash)\n"
            "          from its newest valid checkpoint and its trial log\n"
            "  check   validate CONFIG and print the resolved run and search space\n"
            "  models  list the models' hyperparameters: type, default, range, meaning\n"
            "  plot    draw PNGs of a run folder or a bench/scaling study with gnuplot\n"
            "\n"
            "  --set SECTION.KEY=VALUE  override a config key (repeatable), e.g.\n"
            "                           --set ga.population=80 --set 'param lr.high=0.1'\n"
            "  --out DIR                output folder (same as --set run.out=DIR)\n"
            "  --force                  overwrite a folder that already holds a run\n"
            "  --resume                 continue the run in the output folder if it holds one\n"
            "  --quiet                  no progress lines and no summary\n"
            "\n"
            "strategies:");
    for (size_t i = 0; atoll_strategies[i]; i++)
        fprintf(out, " %s", atoll_strategies[i]->name);
    fprintf(out, "\nobjectives:");
    for (size_t i = 0; i < atoll_objective_count(); i++)
        fprintf(out, " %s", atoll_objective_at(i)->name);
    fprintf(out, "\ndatasets:");
    for (size_t i = 0; atoll_data_names[i]; i++)
        fprintf(out, " %s", atoll_data_names[i]);
    fprintf(out, " synthetic csv idx");
    fprintf(out, "\n\nexit status: 0 done, 1 runtime failure, 2 bad config or arguments\n");
}

typedef struct {
    const char *command;
    const char *config;
    const char **sets; /* argv strings, plus one owned "run.out=..." */
    size_t n_sets;
    char *out_set;
    char *config_path; /* resume: DIR/config.ini */
    bool force, quiet, resume;
} cli_args;

/* Parse argv; on error raise ATOLL_ERR_USAGE naming the argument. */
static int parse_args(int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    if (!a->sets)
        return ATOLL_NOMEM("arguments");
    if (argc < 2)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll: no command (see atoll --help)");
    a->command = argv[1];
    if (strcmp(a->command, "--help") == 0 || strcmp(a->command, "-h") == 0 ||
        strcmp(a->command, "--version") == 0)
        return ATOLL_OK;
    if (strcmp(a->command, "run") != 0 && strcmp(a->command, "check") != 0 &&
        strcmp(a->command, "resume") != 0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll: unknown command '%s' (see atoll --help)",
                           a->command);
    bool is_run = strcmp(a->command, "run") == 0;
    bool is_resume = strcmp(a->command, "resume") == 0;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool takes_value = strcmp(arg, "--set") == 0 || strcmp(arg, "--out") == 0;
        if (takes_value && i + 1 >= argc)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll: %s needs a value", arg);
        if (strcmp(arg, "--set") == 0) {
            a->sets[a->n_sets++] = argv[++i];
        } else if (strncmp(arg, "--set=", 6) == 0) {
            a->sets[a->n_sets++] = arg + 6;
        } else if (is_run && strcmp(arg, "--out") == 0) {
            const char *dir = argv[++i];
            free(a->out_set);
            a->out_set = malloc(strlen(dir) + 9);
            if (!a->out_set)
                return ATOLL_NOMEM("arguments");
            sprintf(a->out_set, "run.out=%s", dir);
        } else if (is_run && strcmp(arg, "--force") == 0) {
            a->force = true;
        } else if ((is_run || is_resume) && strcmp(arg, "--quiet") == 0) {
            a->quiet = true;
        } else if (is_run && strcmp(arg, "--resume") == 0) {
            a->resume = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll %s: unknown option '%s' (see atoll --help)",
                               a->command, arg);
        } else if (!a->config) {
            a->config = arg;
        } else {
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll %s: unexpected argument '%s'", a->command,
                               arg);
        }
    }
    if (!a->config)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll %s: no %s given", a->command,
                           is_resume ? "run folder DIR" : "CONFIG file");
    if (is_resume) {
        /* The run's own resolved config, its folder as the output. */
        const char *dir = a->config;
        a->config_path = malloc(strlen(dir) + 12);
        a->out_set = malloc(strlen(dir) + 9);
        if (!a->config_path || !a->out_set)
            return ATOLL_NOMEM("arguments");
        sprintf(a->config_path, "%s/config.ini", dir);
        sprintf(a->out_set, "run.out=%s", dir);
        if (access(a->config_path, R_OK) != 0)
            return ATOLL_RAISE(ATOLL_ERR_USAGE, "atoll resume: %s: no run there (%s: %s)", dir,
                               a->config_path, strerror(errno));
        a->config = a->config_path;
        a->resume = true;
    }
    if (a->out_set)
        a->sets[a->n_sets++] = a->out_set;
    return ATOLL_OK;
}

static int exit_code(int status)
{
    if (status == ATOLL_OK)
        return EXIT_OK;
    return status == ATOLL_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
}

/* Print the current error (one line) and, with ATOLL_DEBUG set, its traceback. */
static void report_error(void)
{
    fprintf(stderr, "%s\n", atoll_error_message());
    if (getenv("ATOLL_DEBUG"))
        fputs(atoll_error_traceback(), stderr);
}

static int cmd_check(const cli_args *a)
{
    atoll_run_desc *desc = NULL;
    int rc = atoll_desc_create(a->config, a->sets, a->n_sets, &desc);
    if (rc != ATOLL_OK) {
        report_error();
        return exit_code(rc);
    }
    atoll_desc_print(desc, stdout);
    atoll_desc_destroy(&desc);
    return EXIT_OK;
}

static int cmd_run(int argc, char **argv, const cli_args *a)
{
    /* From the start: a stop signal during start-up ends the run at its first checkpoint
     * (exit 3) instead of killing the rank. */
    atoll_signals_install();
    atoll_comm *comm = NULL;
    int rc = atoll_comm_init(&argc, &argv, &comm);
    if (rc != ATOLL_OK) {
        report_error();
        atoll_comm_finalize(&comm);
        atoll_signals_restore();
        return EXIT_RUNTIME;
    }
    int rank = atoll_comm_rank(comm);
    atoll_run_desc *desc = NULL;
    bool checkpointed = false, resumable = false;
    /* Every rank reads the same config and reaches the same verdict; rank 0 speaks. */
    rc = atoll_desc_create(a->config, a->sets, a->n_sets, &desc);
    if (rc == ATOLL_OK) {
        atoll_run_options opt = {.force = a->force,
                                 .quiet = a->quiet,
                                 .resume = a->resume,
                                 .stopped_by_signal = &checkpointed,
                                 .resumable = &resumable};
        rc = atoll_run(comm, desc, &opt);
        if (rc == ATOLL_OK && checkpointed && rank == 0)
            fprintf(stderr, "atoll: stopped by a signal after a checkpoint; continue with: "
                            "atoll resume %s\n",
                    desc->out);
        /* A user error is the same on every rank: rank 0 says it. A runtime failure is
         * said by the rank it happened on. */
        if (rc != ATOLL_OK && atoll_error_traceback()[0] != '\0') {
            if (rc != ATOLL_ERR_USAGE)
                atoll_run_say_failure(desc, rank, resumable);
            else if (rank == 0)
                fprintf(stderr, "%s\n", atoll_error_message());
        }
    } else if (rank == 0) {
        report_error();
    }
    atoll_desc_destroy(&desc);
    atoll_comm_finalize(&comm);
    atoll_signals_restore();
    return rc == ATOLL_OK && checkpointed ? EXIT_CHECKPOINTED : exit_code(rc);
}

int atoll_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    /* A file-size limit (ulimit -f, a quota) ends a write with EFBIG and a message naming the
     * file, instead of killing the rank mid-row. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "models") == 0)
        return cmd_models(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "plot") == 0)
        return atoll_cli_plot(argc, argv);
    cli_args a;
    int rc = parse_args(argc, argv, &a);
    int code;
    if (rc != ATOLL_OK) {
        report_error();
        code = exit_code(rc);
    } else if (strcmp(a.command, "--version") == 0) {
        printf("atoll %s\n", ATOLL_VERSION);
        code = EXIT_OK;
    } else if (strcmp(a.command, "--help") == 0 || strcmp(a.command, "-h") == 0) {
        usage(stdout);
        code = EXIT_OK;
    } else if (strcmp(a.command, "check") == 0) {
        code = cmd_check(&a);
    } else {
        code = cmd_run(argc, argv, &a);
    }
    free(a.sets);
    free(a.out_set);
    free(a.config_path);
    return code;
}

int atoll_search(const char *config, const char *const *sets, size_t n_sets,
                 const char *out_dir, int quiet)
{
    gsl_set_error_handler_off();
    atoll_comm *comm = NULL;
    atoll_run_desc *desc = NULL;
    const char **all = NULL;
    char *out_set = NULL;
    int rc = atoll_comm_init(NULL, NULL, &comm);
    if (rc != ATOLL_OK)
        goto done;
    all = calloc(n_sets + 1, sizeof *all);
    if (!all) {
        rc = ATOLL_NOMEM("the overrides");
        goto done;
    }
    for (size_t i = 0; i < n_sets; i++)
        all[i] = sets[i];
    size_t n_all = n_sets;
    if (out_dir) {
        out_set = malloc(strlen(out_dir) + 9);
        if (!out_set) {
            rc = ATOLL_NOMEM("the overrides");
            goto done;
        }
        sprintf(out_set, "run.out=%s", out_dir);
        all[n_all++] = out_set;
    }
    rc = atoll_desc_create(config, all, n_all, &desc);
    if (rc == ATOLL_OK) {
        atoll_run_options opt = {.force = true, .quiet = quiet != 0};
        rc = atoll_run(comm, desc, &opt);
    }
done:
    free(all);
    free(out_set);
    atoll_desc_destroy(&desc);
    atoll_comm_finalize(&comm);
    return rc;
}
