/* support.h - what every fuzz harness shares: start-up, scratch files, resetting atoll's state. */
#ifndef ATOLL_FUZZ_SUPPORT_H
#define ATOLL_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/desc.h"

/* The most scratch files one harness may ask for. */
#define FUZZ_MAX_FILES 8

/*
 * Call once from LLVMFuzzerInitialize: turns GSL's aborting error handler off (as the atoll
 * command does) and forgets any earlier atoll error.
 */
void fuzz_init(void);

/*
 * A scratch file of this process, named `name` (e.g. "iris.csv") inside a private folder
 * under $TMPDIR (else /dev/shm, else /tmp) made on the first call; the folder and every file
 * in it are removed at exit. Returns the path (static storage), or aborts when the folder
 * cannot be made: a harness that cannot write its input has nothing to test.
 */
const char *fuzz_file(const char *name);

/* The private folder itself (made on demand), for loaders that take a directory. */
const char *fuzz_dir(void);

/* Replace the contents of `path` with `size` bytes of `data`, plain or gzip-compressed.
 * Aborts on an I/O error (the machine's fault, not atoll's). */
void fuzz_write(const char *path, const uint8_t *data, size_t size, bool gzip);

/* Whether the input names a dataset too big to load at every execution (Fashion-MNIST's
 * 60,000 images take a second and 200 MB to load): harnesses that reach the dataset loaders
 * through a config skip such an input and return -1, which keeps it out of the corpus. */
bool fuzz_names_big_dataset(const uint8_t *data, size_t size);

/*
 * The promise of a run folder's config.ini: the resolved config of `desc` (what
 * atoll_config_write gives) reads back as a valid run description that `atoll check` prints
 * the same. Aborts (a finding) when it does not, after printing both sides.
 */
void fuzz_check_round_trip(const atoll_run_desc *desc);

/* The run description of tests/fuzz/resume/NAME.ini (the configs of the runs whose checkpoints
 * and journals seed fuzz_ckpt and fuzz_journal), read relative to the working directory, the
 * repository root. Aborts when it does not load: those harnesses have nothing to test. */
atoll_run_desc *fuzz_run_desc(const char *name);

/* Call after every input: clears atoll's process-wide error slot, so no input sees the
 * message of the one before. */
void fuzz_reset(void);

#endif
