/* fuzz_config.c - a whole INI config file into a validated run description (atoll check's path). */

/*
 * The input is the config file. A config that validates must also survive the trip through
 * its run folder: its resolved config.ini reads back as the same run (fuzz_check_round_trip).
 */
#include <stdint.h>

#include "run/desc.h"
#include "support.h"

static const char *config_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    config_path = fuzz_file("config.ini");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_names_big_dataset(data, size))
        return -1;
    fuzz_write(config_path, data, size, false);
    atoll_run_desc *desc = NULL;
    if (atoll_desc_create(config_path, NULL, 0, &desc) == ATOLL_OK)
        fuzz_check_round_trip(desc);
    atoll_desc_destroy(&desc);
    fuzz_reset();
    return 0;
}
