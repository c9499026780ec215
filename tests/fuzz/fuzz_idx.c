/* fuzz_idx.c - the IDX loader (MNIST layout, plain or .gz): an images file and a labels file. */

/*
 * Input: one mode byte (bit 0: gzip the images file, bit 1: gzip the labels file), two bytes
 * (little-endian) giving the length of the images file, its bytes, then the labels file's
 * bytes. A dataset that loads must keep the loader's promises: pixels in [0, 1], classes
 * 0..K-1 with K >= 2.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "support.h"

static const char *images_path, *labels_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    images_path = fuzz_file("images-idx3-ubyte");
    labels_path = fuzz_file("labels-idx1-ubyte");
    return 0;
}

static void check_dataset(const atoll_dataset *ds)
{
    if (ds->n == 0 || ds->d == 0 || ds->n_classes < 2)
        abort();
    for (size_t i = 0; i < ds->n * ds->d; i++)
        if (!(ds->x[i] >= 0.0f && ds->x[i] <= 1.0f))
            abort();
    for (size_t i = 0; i < ds->n; i++)
        if (!(ds->y[i] >= 0.0f && ds->y[i] < (float)ds->n_classes && ds->y[i] == floorf(ds->y[i])))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint8_t mode = data[0];
    size_t images_size = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (images_size > size)
        images_size = size;
    fuzz_write(images_path, data, images_size, mode & 1);
    fuzz_write(labels_path, data + images_size, size - images_size, mode & 2);
    atoll_dataset ds;
    int rc = atoll_data_load_idx(images_path, labels_path, &ds);
    if (rc == ATOLL_OK)
        check_dataset(&ds);
    else if (ds.x || ds.y || ds.n)
        abort(); /* a failed load leaves *out empty */
    atoll_dataset_free(&ds);
    fuzz_reset();
    return 0;
}
