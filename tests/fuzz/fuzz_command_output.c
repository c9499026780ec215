/* fuzz_command_output.c - reading the score of a command trial from what the program printed. */

/*
 * Input: one byte that picks one of the [objective] settings below (the last number line,
 * metric_regex or metric_json, with or without extra_metrics), then the bytes the program
 * wrote to stdout. The settings go through the command objective's real configure; the output
 * goes through the reader an evaluation uses (src/objective/command_parse.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/space.h"
#include "objective/command_parse.h"
#include "objective/objective.h"
#include "support.h"

static const char *const settings[] = {
    "",
    "extra_metrics = acc, f1\n",
    "metric_regex = loss[=:] *([^ ]*)\nextra_metrics = acc\n",
    "metric_regex = ^ *([-+0-9.eEinfa]+) *$\n",
    "metric_regex = (val_)?(loss|acc)=([0-9.]+)\n",
    "metric_json = loss\nextra_metrics = acc, epoch\n",
    "metric_json = val/acc\n",
    "metric_json = a b\nextra_metrics = loss, x1, y_2\n",
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

static const atoll_objective_type *command;
static atoll_space *space;
static void *params[N_SETTINGS];
static const char *out_path;

static void free_params(void)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        command->free_params(params[i]);
    atoll_space_destroy(&space);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    out_path = fuzz_file("7.out");
    command = atoll_objective_lookup("command");
    if (!command || atoll_space_create(&space) != ATOLL_OK)
        abort();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char text[512];
        snprintf(text, sizeof text, "[objective]\ntype = command\ncommand = true\n%s",
                 settings[i]);
        atoll_config *cfg = NULL;
        if (atoll_config_load_string(text, "fuzz.ini", &cfg) != ATOLL_OK ||
            command->configure(cfg, space, &params[i]) != ATOLL_OK) {
            fprintf(stderr, "fuzz_command_output: setting %zu: %s\n", i, atoll_error_message());
            abort();
        }
        atoll_config_destroy(&cfg);
    }
    atexit(free_params);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    void *par = params[data[0] % N_SETTINGS];
    fuzz_write(out_path, data + 1, size - 1, false);
    bool have = false;
    double score = 0.0, extra[ATOLL_EVAL_EXTRA_MAX];
    if (atoll_command_read_score(par, out_path, &have, &score, extra) != ATOLL_OK)
        abort(); /* the file is there: reading it must not fail */
    fuzz_reset();
    return 0;
}
