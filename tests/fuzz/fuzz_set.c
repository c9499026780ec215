/* fuzz_set.c - `--set SECTION.KEY=VALUE` overrides (one a line) on top of a fixed valid config. */

/*
 * The input is cut at its line breaks into overrides, applied in order over base_config below
 * as `atoll check base.ini --set ...` would. An input whose first line is empty makes the
 * config from the overrides alone, as atoll_search(NULL, sets, ...) does. A config that
 * validates must read back from its resolved config.ini as the same run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/desc.h"
#include "support.h"

/* The most overrides one input is split into. */
#define MAX_SETS 64

/* A valid config that touches [run], a strategy's section, an objective and both numeric
 * parameter kinds; the overrides change it, add to it or break it. */
static const char base_config[] = "[run]\n"
                                  "strategy = ga\n"
                                  "seed = 7\n"
                                  "evaluations = 400\n"
                                  "out = runs/fuzz\n"
                                  "[ga]\n"
                                  "population = 20\n"
                                  "migrants = 2\n"
                                  "migration_interval = 5\n"
                                  "[objective]\n"
                                  "type = bench\n"
                                  "function = rastrigin\n"
                                  "[param x1]\n"
                                  "type = real\n"
                                  "low = -5\n"
                                  "high = 5\n"
                                  "[param x2]\n"
                                  "type = int\n"
                                  "low = 1\n"
                                  "high = 100\n"
                                  "scale = log\n";

static const char *config_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    config_path = fuzz_file("base.ini");
    fuzz_write(config_path, (const uint8_t *)base_config, sizeof base_config - 1, false);
    atoll_run_desc *desc = NULL;
    if (atoll_desc_create(config_path, NULL, 0, &desc) != ATOLL_OK) {
        fprintf(stderr, "fuzz_set: the base config is not valid: %s\n", atoll_error_message());
        abort();
    }
    atoll_desc_destroy(&desc);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_names_big_dataset(data, size))
        return -1;
    /* One NUL-terminated copy of the input, cut at its line breaks: a NUL byte ends an
     * override early, as it would end a command-line argument. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *path = config_path;
    char *line = text;
    if (size > 0 && text[0] == '\n') {
        path = NULL;
        line++;
    }
    const char *sets[MAX_SETS];
    size_t n_sets = 0;
    while (n_sets < MAX_SETS) {
        char *nl = memchr(line, '\n', (size_t)(text + size - line));
        if (nl)
            *nl = '\0';
        sets[n_sets++] = line;
        if (!nl)
            break;
        line = nl + 1;
    }
    atoll_run_desc *desc = NULL;
    if (atoll_desc_create(path, sets, n_sets, &desc) == ATOLL_OK)
        fuzz_check_round_trip(desc);
    atoll_desc_destroy(&desc);
    free(text);
    fuzz_reset();
    return 0;
}
