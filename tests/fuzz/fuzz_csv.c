/* fuzz_csv.c - the text dataset loaders: a CSV file with a header (plain or .gz) and the
 * headerless and sklearn-header layouts of the named sets, read from a folder of our own. */

/*
 * Input: one mode byte, then the file's bytes. Mode bits 0-1: the task (auto, classification,
 * regression, auto); bit 2: the label column is "label" rather than the last one; bit 3: gzip
 * the file first (a body that is itself gzip data is read as such in any mode); bits 4-6: the
 * loader: 4 the sklearn header layout (as iris.csv), 5 digits.csv.gz, 6 diabetes (the body is
 * cut at its first NUL byte into the data and the target files), any other the CSV reader.
 * A dataset that loads must keep the loader's promises: classes are 0..K-1, values finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* Abort (a finding) when a loaded dataset breaks what dataset.h promises. */
static void check_dataset(const atoll_dataset *ds)
{
    if (ds->n == 0 || ds->d == 0 || !ds->x || !ds->y || ds->n_classes == 1 || ds->n_classes < 0)
        abort();
    for (size_t i = 0; i < ds->n * ds->d; i++)
        if (!isfinite(ds->x[i]))
            abort();
    for (size_t i = 0; i < ds->n; i++) {
        float y = ds->y[i];
        if (!isfinite(y))
            abort();
        if (ds->n_classes >= 2 && (y < 0 || y >= (float)ds->n_classes || y != floorf(y)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    atoll_task task = (mode & 3) == 3 ? ATOLL_TASK_AUTO : (atoll_task)(mode & 3);
    const char *label = mode & 4 ? "label" : NULL;
    bool gzip = mode & 8;
    int loader = (mode >> 4) & 7;
    atoll_dataset ds;
    int rc;
    if (loader == 4) {
        fuzz_write(fuzz_file("iris.csv"), data, size, gzip);
        rc = atoll_data_load_named("iris", fuzz_dir(), &ds);
    } else if (loader == 5) {
        fuzz_write(fuzz_file("digits.csv.gz"), data, size, gzip);
        rc = atoll_data_load_named("digits", fuzz_dir(), &ds);
    } else if (loader == 6) {
        const uint8_t *nul = memchr(data, 0, size);
        size_t first = nul ? (size_t)(nul - data) : size;
        size_t rest = nul ? size - first - 1 : 0;
        fuzz_write(fuzz_file("diabetes_data_raw.csv.gz"), data, first, gzip);
        fuzz_write(fuzz_file("diabetes_target.csv.gz"), nul ? nul + 1 : data, rest, gzip);
        rc = atoll_data_load_named("diabetes", fuzz_dir(), &ds);
    } else {
        const char *path = fuzz_file("data.csv");
        fuzz_write(path, data, size, gzip);
        rc = atoll_data_load_csv(path, label, task, &ds);
    }
    if (rc == ATOLL_OK)
        check_dataset(&ds);
    else if (ds.x || ds.y || ds.n)
        abort(); /* a failed load leaves *out empty */
    atoll_dataset_free(&ds);
    fuzz_reset();
    return 0;
}
