/* check_dataset.c - tests of the dataset module: readers, named sets, synthetic, splits, scaler. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "ml/dataset.h"
#include "ml/datasplit.h"

#define MAX_FILES 64

/* A fresh temporary folder per test, with the files written into it. */
static char tmp_dir[] = "/tmp/atoll-dataset-XXXXXX";
static char *tmp_files[MAX_FILES];
static size_t tmp_count;

static void tmp_setup(void)
{
    gsl_set_error_handler_off();
    strcpy(tmp_dir, "/tmp/atoll-dataset-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
    tmp_count = 0;
}

static void tmp_teardown(void)
{
    for (size_t i = 0; i < tmp_count; i++) {
        unlink(tmp_files[i]);
        free(tmp_files[i]);
    }
    tmp_count = 0;
    rmdir(tmp_dir);
}

/* The path of `name` in the temporary folder (owned by the fixture). */
static const char *tmp_path(const char *name)
{
    ck_assert_uint_lt(tmp_count, MAX_FILES);
    size_t size = strlen(tmp_dir) + strlen(name) + 2;
    char *path = malloc(size);
    ck_assert_ptr_nonnull(path);
    snprintf(path, size, "%s/%s", tmp_dir, name);
    tmp_files[tmp_count++] = path;
    return path;
}

static const char *write_file(const char *name, const void *bytes, size_t size)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static const char *write_gz(const char *name, const void *bytes, size_t size)
{
    const char *path = tmp_path(name);
    gzFile gz = gzopen(path, "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, bytes, (unsigned)size), (int)size);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    return path;
}

/* Load `text` as a CSV, expecting error `code` whose message is the file's path + `suffix`. */
static void expect_csv_error(const char *text, const char *label, atoll_task task, int code,
                             const char *suffix)
{
    const char *path = write_text("bad.csv", text);
    atoll_dataset ds;
    ck_assert_int_eq(atoll_data_load_csv(path, label, task, &ds), code);
    ck_assert_ptr_null(ds.x);
    char want[1024];
    snprintf(want, sizeof want, "%s%s", path, suffix);
    ck_assert_str_eq(atoll_error_message(), want);
    atoll_dataset_free(&ds);
}

static atoll_dataset load_csv_text(const char *text, const char *label, atoll_task task)
{
    const char *path = write_text("good.csv", text);
    atoll_dataset ds;
    ck_assert_msg(atoll_data_load_csv(path, label, task, &ds) == ATOLL_OK, "%s",
                  atoll_error_message());
    return ds;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* ---------------------------------------------------------------- CSV */

START_TEST(test_dataset_csv_class_names)
{
    /* Spaces around fields, CRLF line ends, blank lines and a blank last line. */
    atoll_dataset ds = load_csv_text(" a , b ,kind\r\n1, 2 ,cat\r\n\r\n"
                                     "3,4.5, ant \r\n-1e-3,0,bee\r\n6,7,cat\r\n\r\n",
                                     NULL, ATOLL_TASK_AUTO);
    ck_assert_uint_eq(ds.n, 4);
    ck_assert_uint_eq(ds.d, 2);
    ck_assert_int_eq(ds.n_classes, 3);
    static const float x[] = {1, 2, 3, 4.5f, -1e-3f, 0, 6, 7};
    ck_assert_mem_eq(ds.x, x, sizeof x);
    static const float y[] = {2, 0, 1, 2}; /* ant, bee, cat */
    ck_assert_mem_eq(ds.y, y, sizeof y);
    atoll_dataset_free(&ds);
    ck_assert_ptr_null(ds.x);

    /* The label column by name, in the middle; a mixture of names and numbers sorts as text. */
    ds = load_csv_text("a,y,b\n1,10,2\n3,b,4\n5,9,6\n", "y", ATOLL_TASK_AUTO);
    ck_assert_uint_eq(ds.d, 2);
    static const float x2[] = {1, 2, 3, 4, 5, 6};
    ck_assert_mem_eq(ds.x, x2, sizeof x2);
    static const float y2[] = {0, 2, 1}; /* "10" < "9" < "b" */
    ck_assert_mem_eq(ds.y, y2, sizeof y2);
    atoll_dataset_free(&ds);
    atoll_dataset_free(&ds); /* freeing twice is harmless */
}
END_TEST

START_TEST(test_dataset_csv_numeric_labels)
{
    /* Numeric order, not text order; 1 and 1.0 are one class. */
    atoll_dataset ds =
        load_csv_text("x,label\n0,10\n1,2\n2,1\n3,1.0\n4,-3\n", NULL, ATOLL_TASK_AUTO);
    ck_assert_int_eq(ds.n_classes, 4);
    static const float y[] = {3, 2, 1, 1, 0};
    ck_assert_mem_eq(ds.y, y, sizeof y);
    atoll_dataset_free(&ds);

    /* Forced classification of non-integer numbers: numeric order too. */
    ds = load_csv_text("x,label\n0,0.5\n1,2.25\n2,0.5\n3,-1.5\n", NULL, ATOLL_TASK_CLASSIFICATION);
    ck_assert_int_eq(ds.n_classes, 3);
    static const float y2[] = {1, 2, 1, 0};
    ck_assert_mem_eq(ds.y, y2, sizeof y2);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_csv_regression)
{
    /* Automatic: numbers, some not integers. */
    atoll_dataset ds = load_csv_text("x1,x2,t\n1,2,0.5\n3,4,1\n5,6,-2.25\n", NULL, ATOLL_TASK_AUTO);
    ck_assert_int_eq(ds.n_classes, 0);
    static const float y[] = {0.5f, 1.0f, -2.25f};
    ck_assert_mem_eq(ds.y, y, sizeof y);
    atoll_dataset_free(&ds);

    /* Integer targets are classes unless regression is asked for. */
    ds = load_csv_text("x,t\n1,7\n2,3\n3,7\n", NULL, ATOLL_TASK_AUTO);
    ck_assert_int_eq(ds.n_classes, 2);
    atoll_dataset_free(&ds);
    ds = load_csv_text("x,t\n1,7\n2,3\n3,7\n", NULL, ATOLL_TASK_REGRESSION);
    ck_assert_int_eq(ds.n_classes, 0);
    static const float y2[] = {7, 3, 7};
    ck_assert_mem_eq(ds.y, y2, sizeof y2);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_csv_gz_and_long_lines)
{
    /* 3000 features: lines far longer than any first buffer. */
    enum { D = 3000, N = 5 };
    size_t cap = (size_t)N * D * 16 + 65536, used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (int j = 0; j < D; j++)
        used += (size_t)snprintf(text + used, cap - used, "f%d,", j);
    used += (size_t)snprintf(text + used, cap - used, "label\n");
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++)
            used += (size_t)snprintf(text + used, cap - used, "%d.%d,", i, j);
        used += (size_t)snprintf(text + used, cap - used, "%s\n", i % 2 ? "odd" : "even");
    }
    const char *plain = write_file("long.csv", text, used);
    const char *packed = write_gz("long.csv.gz", text, used);
    atoll_dataset a, b;
    ck_assert_int_eq(atoll_data_load_csv(plain, NULL, ATOLL_TASK_AUTO, &a), ATOLL_OK);
    ck_assert_int_eq(atoll_data_load_csv(packed, NULL, ATOLL_TASK_AUTO, &b), ATOLL_OK);
    ck_assert_uint_eq(a.n, N);
    ck_assert_uint_eq(a.d, D);
    ck_assert_int_eq(a.n_classes, 2);
    ck_assert(a.x[4 * D + 2999] == strtof("4.2999", NULL));
    ck_assert(a.n == b.n && a.d == b.d && a.n_classes == b.n_classes);
    ck_assert_mem_eq(a.x, b.x, (size_t)N * D * sizeof(float));
    ck_assert_mem_eq(a.y, b.y, N * sizeof(float));
    atoll_dataset_free(&a);
    atoll_dataset_free(&b);

    /* A last line without a line end still counts. */
    atoll_dataset c = load_csv_text("x,y\n1,a\n2,b", NULL, ATOLL_TASK_AUTO);
    ck_assert_uint_eq(c.n, 2);
    atoll_dataset_free(&c);
    free(text);
}
END_TEST

START_TEST(test_dataset_csv_errors)
{
    expect_csv_error("x1,x2,x3,y\n1,2,3,a\n1,2,3,4,b\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":3: 5 fields, the header has 4");
    /* Blank lines count in line numbers. */
    expect_csv_error("x1,x2,x3,y\n\n1,2,3,a\r\n\r\n1,2,abc,b\n", NULL, ATOLL_TASK_AUTO,
                     ATOLL_ERR_USAGE, ":5: column 'x3': not a number (got 'abc')");
    expect_csv_error("x1,x2,x3,y\n1,2,,a\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":2: column 'x3': not a number (got '')");
    expect_csv_error("x1,x2,x3,y\n1,2,inf,a\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":2: column 'x3': not a number (got 'inf')");
    expect_csv_error("x1,x2,x3,y\n1,2,3 4,a\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":2: column 'x3': not a number (got '3 4')");
    expect_csv_error("a,b\n1,2\n", "label", ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ": no column 'label' in the header");
    expect_csv_error("", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE, ": empty file");
    expect_csv_error("\n  \r\n\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE, ": empty file");
    expect_csv_error("a,b\n\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE, ": no data rows");
    expect_csv_error("a,b,a\n1,2,3\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":1: duplicate column 'a'");
    expect_csv_error("a,,b\n1,2,3\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ":1: column 2 has no name");
    expect_csv_error("a,y\n1,cat\n2,cat\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ": the label column 'y' has only one class");
    expect_csv_error("a,y\n1,3\n2,3.0\n", NULL, ATOLL_TASK_CLASSIFICATION, ATOLL_ERR_USAGE,
                     ": the label column 'y' has only one class");
    expect_csv_error("a,y,b\n1,2.5,3\n4,cat,6\n", "y", ATOLL_TASK_REGRESSION, ATOLL_ERR_USAGE,
                     ":3: column 'y': not a number (got 'cat')");
    expect_csv_error("y\n1\n2\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE,
                     ": no feature columns (the header has only 'y')");

    const char *missing = tmp_path("missing.csv");
    atoll_dataset ds;
    ck_assert_int_eq(atoll_data_load_csv(missing, NULL, ATOLL_TASK_AUTO, &ds), ATOLL_ERR_IO);
    char want[512];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    ck_assert_str_eq(atoll_error_message(), want);
}
END_TEST

/* ---------------------------------------------------------------- IDX */

/* An IDX header: magic then big-endian sizes. */
static size_t idx_header(unsigned char *out, unsigned magic, const unsigned *dims, int n_dims)
{
    unsigned values[4] = {magic, 0, 0, 0};
    for (int i = 0; i < n_dims; i++)
        values[i + 1] = dims[i];
    for (int i = 0; i <= n_dims; i++) {
        out[4 * i] = (unsigned char)(values[i] >> 24);
        out[4 * i + 1] = (unsigned char)(values[i] >> 16);
        out[4 * i + 2] = (unsigned char)(values[i] >> 8);
        out[4 * i + 3] = (unsigned char)values[i];
    }
    return 4 * (size_t)(n_dims + 1);
}

START_TEST(test_dataset_idx)
{
    enum { N = 5, R = 2, C = 3 };
    unsigned char images[16 + N * R * C], labels[8 + N];
    size_t hi = idx_header(images, 0x803, (const unsigned[]){N, R, C}, 3);
    size_t hl = idx_header(labels, 0x801, (const unsigned[]){N}, 1);
    for (size_t i = 0; i < N * R * C; i++)
        images[hi + i] = (unsigned char)(i * 8);
    static const unsigned char y[N] = {0, 3, 1, 3, 2};
    memcpy(labels + hl, y, N);
    const char *gi = write_gz("images.gz", images, hi + N * R * C);
    const char *gl = write_gz("labels.gz", labels, hl + N);
    atoll_dataset ds;
    ck_assert_msg(atoll_data_load_idx(gi, gl, &ds) == ATOLL_OK, "%s", atoll_error_message());
    ck_assert_uint_eq(ds.n, N);
    ck_assert_uint_eq(ds.d, R * C);
    ck_assert_int_eq(ds.n_classes, 4);
    for (size_t i = 0; i < N * R * C; i++)
        ck_assert(ds.x[i] == (float)(i * 8) / 255.0f);
    for (size_t i = 0; i < N; i++)
        ck_assert(ds.y[i] == y[i]);
    atoll_dataset_free(&ds);

    /* Plain (not compressed) files read the same. */
    const char *pi = write_file("images", images, hi + N * R * C);
    const char *pl = write_file("labels", labels, hl + N);
    ck_assert_int_eq(atoll_data_load_idx(pi, pl, &ds), ATOLL_OK);
    ck_assert(ds.n == N && ds.x[7] == 56.0f / 255.0f);
    atoll_dataset_free(&ds);

    /* Truncated pixels, plain and compressed. */
    char want[512];
    const char *cut = write_file("cut", images, hi + N * R * C - 4);
    ck_assert_int_eq(atoll_data_load_idx(cut, pl, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the pixels are incomplete)", cut);
    ck_assert_str_eq(atoll_error_message(), want);
    ck_assert_ptr_null(ds.x);
    const char *cut_gz = write_gz("cut.gz", images, hi + N * R * C - 4);
    ck_assert_int_eq(atoll_data_load_idx(cut_gz, gl, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the pixels are incomplete)", cut_gz);
    ck_assert_str_eq(atoll_error_message(), want);
    const char *short_head = write_file("head", images, 7);
    ck_assert_int_eq(atoll_data_load_idx(short_head, gl, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the header is incomplete)", short_head);
    ck_assert_str_eq(atoll_error_message(), want);
    const char *cut_labels = write_file("cut-labels", labels, hl + N - 1);
    ck_assert_int_eq(atoll_data_load_idx(gi, cut_labels, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the labels are incomplete)", cut_labels);
    ck_assert_str_eq(atoll_error_message(), want);

    /* Files swapped: wrong magic. */
    ck_assert_int_eq(atoll_data_load_idx(gl, gi, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: not an IDX image file (magic 0x00000801, expected 0x00000803)",
             gl);
    ck_assert_str_eq(atoll_error_message(), want);

    /* Counts that disagree. */
    unsigned char more[8 + N + 1];
    idx_header(more, 0x801, (const unsigned[]){N + 1}, 1);
    memcpy(more + 8, y, N);
    more[8 + N] = 1;
    const char *ml = write_file("more", more, sizeof more);
    ck_assert_int_eq(atoll_data_load_idx(gi, ml, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s has 5 images, %s has 6 labels", gi, ml);
    ck_assert_str_eq(atoll_error_message(), want);

    /* One class only. */
    memset(labels + hl, 0, N);
    const char *zeros = write_file("zeros", labels, hl + N);
    ck_assert_int_eq(atoll_data_load_idx(gi, zeros, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: the labels hold only one class", zeros);
    ck_assert_str_eq(atoll_error_message(), want);

    const char *none = tmp_path("none");
    ck_assert_int_eq(atoll_data_load_idx(none, gl, &ds), ATOLL_ERR_IO);
}
END_TEST

/* ---------------------------------------------------------------- named sets */

static atoll_dataset load_named(const char *name, double *seconds)
{
    atoll_dataset ds;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    ck_assert_msg(atoll_data_load_named(name, NULL, &ds) == ATOLL_OK, "%s", atoll_error_message());
    if (seconds)
        *seconds = seconds_since(&start);
    return ds;
}

START_TEST(test_dataset_named_sklearn)
{
    double seconds = 0.0;
    atoll_dataset ds = load_named("digits", &seconds);
    printf("digits: %zu x %zu loaded in %.4f s\n", ds.n, ds.d, seconds);
    ck_assert_uint_eq(ds.n, 1797);
    ck_assert_uint_eq(ds.d, 64);
    ck_assert_int_eq(ds.n_classes, 10);
    static const float first[16] = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0};
    ck_assert_mem_eq(ds.x, first, sizeof first);
    ck_assert(ds.x[63] == 0.0f && ds.y[0] == 0.0f && ds.y[1] == 1.0f);
    for (size_t i = 0; i < ds.n * ds.d; i++)
        ck_assert(ds.x[i] >= 0.0f && ds.x[i] <= 16.0f);
    atoll_dataset_free(&ds);

    ds = load_named("iris", NULL);
    ck_assert(ds.n == 150 && ds.d == 4 && ds.n_classes == 3);
    static const float iris0[4] = {5.1f, 3.5f, 1.4f, 0.2f};
    ck_assert_mem_eq(ds.x, iris0, sizeof iris0);
    ck_assert(ds.y[0] == 0.0f && ds.y[149] == 2.0f);
    atoll_dataset_free(&ds);

    ds = load_named("wine", NULL);
    ck_assert(ds.n == 178 && ds.d == 13 && ds.n_classes == 3);
    ck_assert(ds.x[0] == 14.23f && ds.x[12] == 1065.0f);
    atoll_dataset_free(&ds);

    ds = load_named("breast_cancer", NULL);
    ck_assert(ds.n == 569 && ds.d == 30 && ds.n_classes == 2);
    ck_assert(ds.x[0] == 17.99f && ds.y[0] == 0.0f);
    atoll_dataset_free(&ds);

    ds = load_named("diabetes", NULL);
    ck_assert(ds.n == 442 && ds.d == 10 && ds.n_classes == 0);
    static const float diabetes0[10] = {59, 2, 32.1f, 101, 157, 93.2f, 38, 4, 4.8598f, 87};
    ck_assert_mem_eq(ds.x, diabetes0, sizeof diabetes0);
    ck_assert(ds.y[0] == 151.0f && ds.y[1] == 75.0f);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_named_fashion)
{
    double seconds = 0.0;
    atoll_dataset ds = load_named("fashion-mnist", &seconds);
    printf("fashion-mnist: %zu x %zu loaded in %.3f s\n", ds.n, ds.d, seconds);
    ck_assert(ds.n == 60000 && ds.d == 784 && ds.n_classes == 10);
    float low = 1.0f, high = 0.0f;
    for (size_t i = 0; i < ds.n * ds.d; i++) {
        low = fminf(low, ds.x[i]);
        high = fmaxf(high, ds.x[i]);
    }
    ck_assert(low == 0.0f && high == 1.0f);
    size_t counts[10] = {0};
    for (size_t i = 0; i < ds.n; i++) {
        ck_assert(ds.y[i] >= 0.0f && ds.y[i] <= 9.0f && ds.y[i] == floorf(ds.y[i]));
        counts[(size_t)ds.y[i]]++;
    }
    for (int c = 0; c < 10; c++)
        ck_assert_uint_eq(counts[c], 6000);
    atoll_dataset_free(&ds);

    ds = load_named("fashion-mnist-test", NULL);
    ck_assert(ds.n == 10000 && ds.d == 784 && ds.n_classes == 10);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_named_errors)
{
    atoll_dataset ds;
    ck_assert_int_eq(atoll_data_load_named("mnist", NULL, &ds), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(),
                     "unknown dataset 'mnist' (known: digits, iris, wine, breast_cancer, "
                     "diabetes, fashion-mnist, fashion-mnist-test)");
    ck_assert(!atoll_data_is_named("mnist") && !atoll_data_is_named(NULL));
    size_t count = 0;
    for (; atoll_data_names[count]; count++)
        ck_assert(atoll_data_is_named(atoll_data_names[count]));
    ck_assert_uint_eq(count, 7);

    /* Missing files name the path and the package. */
    char want[1024];
    ck_assert_int_eq(atoll_data_load_named("digits", tmp_dir, &ds), ATOLL_ERR_IO);
    snprintf(want, sizeof want,
             "digits: %s/digits.csv.gz not found (Debian package python3-sklearn; `make deps` "
             "installs it)",
             tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);
    ck_assert_int_eq(atoll_data_load_named("fashion-mnist-test", tmp_dir, &ds), ATOLL_ERR_IO);
    snprintf(want, sizeof want,
             "fashion-mnist-test: %s/t10k-images-idx3-ubyte.gz not found (Debian package "
             "dataset-fashion-mnist; `make deps` installs it)",
             tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);

    /* Files in a folder of one's own, read by the same parsers. */
    write_text("iris.csv", "3,2,a,b\n1,2,0\n3,4,1\n");
    ck_assert_int_eq(atoll_data_load_named("iris", tmp_dir, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s/iris.csv: 2 data rows, the header says 3", tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);
    write_text("wine_data.csv", "2,2,a,b\n1,2,0\n3,x,1\n");
    ck_assert_int_eq(atoll_data_load_named("wine", tmp_dir, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s/wine_data.csv:3: column 2: not a number (got 'x')", tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);
    write_text("breast_cancer.csv", "2,2,a,b\n1,2,0\n3,4,2\n");
    ck_assert_int_eq(atoll_data_load_named("breast_cancer", tmp_dir, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want,
             "%s/breast_cancer.csv: data row 2: label 2 is not a class number in [0, 2)", tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);
    write_text("diabetes_data_raw.csv.gz", "1 2 3 4 5 6 7 8 9 10\n1 2 3 4 5 6 7 8 9 10\n");
    write_text("diabetes_target.csv.gz", "1.5e+02\n");
    ck_assert_int_eq(atoll_data_load_named("diabetes", tmp_dir, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want,
             "%s/diabetes_data_raw.csv.gz has 2 rows, %s/diabetes_target.csv.gz has 1", tmp_dir,
             tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);
    write_text("digits.csv.gz", "1,2,3\n");
    ck_assert_int_eq(atoll_data_load_named("digits", tmp_dir, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s/digits.csv.gz:1: 3 fields, expected 65", tmp_dir);
    ck_assert_str_eq(atoll_error_message(), want);

    write_text("iris.csv", "2,2,a,b\n1,2,0\n3,4,1\n");
    ck_assert_int_eq(atoll_data_load_named("iris", tmp_dir, &ds), ATOLL_OK);
    ck_assert(ds.n == 2 && ds.d == 2 && ds.n_classes == 2 && ds.x[3] == 4.0f && ds.y[1] == 1.0f);
    atoll_dataset_free(&ds);
}
END_TEST

/* ---------------------------------------------------------------- synthetic */

static const char *synthetic_error(atoll_synthetic_spec spec)
{
    atoll_dataset ds;
    ck_assert_int_eq(atoll_data_synthetic(&spec, &ds), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(ds.x);
    return atoll_error_message();
}

/* Accuracy of the nearest class mean (fitted on the data itself). */
static double centroid_accuracy(const atoll_dataset *ds)
{
    size_t k = (size_t)ds->n_classes, d = ds->d;
    double *mean = calloc(k * d, sizeof *mean);
    size_t *count = calloc(k, sizeof *count);
    ck_assert(mean && count);
    for (size_t i = 0; i < ds->n; i++) {
        size_t c = (size_t)ds->y[i];
        count[c]++;
        for (size_t j = 0; j < d; j++)
            mean[c * d + j] += ds->x[i * d + j];
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < d; j++)
            mean[c * d + j] /= (double)count[c];
    size_t right = 0;
    for (size_t i = 0; i < ds->n; i++) {
        size_t best = 0;
        double best_dist = INFINITY;
        for (size_t c = 0; c < k; c++) {
            double dist = 0.0;
            for (size_t j = 0; j < d; j++)
                dist += pow(ds->x[i * d + j] - mean[c * d + j], 2);
            if (dist < best_dist) {
                best_dist = dist;
                best = c;
            }
        }
        right += best == (size_t)ds->y[i];
    }
    free(mean);
    free(count);
    return (double)right / (double)ds->n;
}

START_TEST(test_dataset_synthetic)
{
    atoll_synthetic_spec spec = {.task = ATOLL_TASK_CLASSIFICATION,
                                 .samples = 600,
                                 .features = 12,
                                 .informative = 4,
                                 .classes = 3,
                                 .noise = 0.05,
                                 .seed = 7};
    atoll_dataset a, b, c;
    ck_assert_int_eq(atoll_data_synthetic(&spec, &a), ATOLL_OK);
    ck_assert_int_eq(atoll_data_synthetic(&spec, &b), ATOLL_OK);
    ck_assert(a.n == 600 && a.d == 12 && a.n_classes == 3);
    ck_assert_mem_eq(a.x, b.x, 600 * 12 * sizeof(float));
    ck_assert_mem_eq(a.y, b.y, 600 * sizeof(float));
    spec.seed = 8;
    ck_assert_int_eq(atoll_data_synthetic(&spec, &c), ATOLL_OK);
    ck_assert(memcmp(a.x, c.x, 600 * 12 * sizeof(float)) != 0);
    ck_assert(memcmp(a.y, c.y, 600 * sizeof(float)) != 0);
    /* Classes about balanced, learnable but not perfectly. */
    size_t counts[3] = {0};
    for (size_t i = 0; i < a.n; i++) {
        ck_assert(a.y[i] == 0.0f || a.y[i] == 1.0f || a.y[i] == 2.0f);
        counts[(size_t)a.y[i]]++;
    }
    for (int k = 0; k < 3; k++)
        ck_assert(counts[k] > 170 && counts[k] < 230);
    double accuracy = centroid_accuracy(&a);
    ck_assert_msg(accuracy > 0.6 && accuracy < 0.99, "nearest-mean accuracy %g", accuracy);
    atoll_dataset_free(&a);
    atoll_dataset_free(&b);
    atoll_dataset_free(&c);

    /* Regression: deterministic, and the target follows the informative features. */
    atoll_synthetic_spec reg = {.task = ATOLL_TASK_REGRESSION,
                                .samples = 300,
                                .features = 5,
                                .informative = 2,
                                .noise = 0.1,
                                .seed = 3};
    ck_assert_int_eq(atoll_data_synthetic(&reg, &a), ATOLL_OK);
    ck_assert_int_eq(atoll_data_synthetic(&reg, &b), ATOLL_OK);
    ck_assert(a.n == 300 && a.d == 5 && a.n_classes == 0);
    ck_assert_mem_eq(a.x, b.x, 300 * 5 * sizeof(float));
    ck_assert_mem_eq(a.y, b.y, 300 * sizeof(float));
    double spread = 0.0, mean = 0.0;
    for (size_t i = 0; i < a.n; i++)
        mean += a.y[i] / 300.0;
    for (size_t i = 0; i < a.n; i++)
        spread += pow(a.y[i] - mean, 2) / 300.0;
    ck_assert_msg(spread > 0.1, "target variance %g", spread);
    atoll_dataset_free(&a);
    atoll_dataset_free(&b);

    atoll_synthetic_spec bad = spec;
    bad.informative = 13;
    ck_assert_str_eq(synthetic_error(bad),
                     "synthetic: informative must be in [1, features] (got 13)");
    bad.informative = 0;
    ck_assert_str_eq(synthetic_error(bad),
                     "synthetic: informative must be in [1, features] (got 0)");
    bad = spec;
    bad.samples = 1;
    ck_assert_str_eq(synthetic_error(bad), "synthetic: samples must be >= 2 (got 1)");
    bad = spec;
    bad.features = 0;
    ck_assert_str_eq(synthetic_error(bad), "synthetic: features must be >= 1 (got 0)");
    bad = spec;
    bad.classes = 1;
    ck_assert_str_eq(synthetic_error(bad), "synthetic: classes must be in [2, samples] (got 1)");
    bad = spec;
    bad.noise = -0.5;
    ck_assert_str_eq(synthetic_error(bad), "synthetic: noise must be >= 0 (got -0.5)");
    bad.noise = 1.5;
    ck_assert_str_eq(synthetic_error(bad),
                     "synthetic: noise must be in [0, 1] for classification (got 1.5)");
    reg.noise = 1.5; /* fine for regression, and classes is not looked at */
    ck_assert_int_eq(atoll_data_synthetic(&reg, &a), ATOLL_OK);
    atoll_dataset_free(&a);
}
END_TEST

/* ---------------------------------------------------------------- splits */

/* A classification dataset with `sizes[c]` samples of class c, interleaved, whose feature 0 is
 * the row number (unique per row). */
static atoll_dataset class_dataset(const size_t *sizes, int k)
{
    size_t n = 0, left[16];
    for (int c = 0; c < k; c++)
        n += left[c] = sizes[c];
    atoll_dataset ds = {.n = n, .d = 2, .n_classes = k};
    ds.x = malloc(n * 2 * sizeof(float));
    ds.y = malloc(n * sizeof(float));
    ck_assert(ds.x && ds.y);
    int c = 0;
    for (size_t i = 0; i < n; i++) {
        while (left[c] == 0)
            c = (c + 1) % k;
        left[c]--;
        ds.x[2 * i] = (float)i;
        ds.x[2 * i + 1] = (float)(c * 10);
        ds.y[i] = (float)c;
        c = (c + 1) % k;
    }
    return ds;
}

static void count_classes(const atoll_dataset *ds, size_t *counts)
{
    memset(counts, 0, (size_t)ds->n_classes * sizeof *counts);
    for (size_t i = 0; i < ds->n; i++) {
        counts[(size_t)ds->y[i]]++;
        ck_assert(ds->x[2 * i + 1] == ds->y[i] * 10.0f); /* rows stay whole */
    }
}

/* Every row of `ds` appears exactly once in the parts, by its unique feature 0. */
static void check_permutation(const atoll_dataset *ds, const atoll_dataset *parts, int n_parts)
{
    char *seen = calloc(ds->n, 1);
    ck_assert_ptr_nonnull(seen);
    size_t total = 0;
    for (int p = 0; p < n_parts; p++) {
        ck_assert(parts[p].d == ds->d && parts[p].n_classes == ds->n_classes);
        for (size_t i = 0; i < parts[p].n; i++) {
            size_t row = (size_t)parts[p].x[i * ds->d];
            ck_assert(row < ds->n && !seen[row]);
            ck_assert(parts[p].y[i] == ds->y[row]);
            seen[row] = 1;
        }
        total += parts[p].n;
    }
    ck_assert_uint_eq(total, ds->n);
    free(seen);
}

START_TEST(test_dataset_split)
{
    static const size_t sizes[] = {50, 31, 17, 2};
    atoll_dataset ds = class_dataset(sizes, 4);
    atoll_dataset parts[2], again[2];
    ck_assert_int_eq(atoll_data_split(&ds, 0.25, 11, &parts[0], &parts[1]), ATOLL_OK);
    check_permutation(&ds, parts, 2);
    size_t train[4], valid[4];
    count_classes(&parts[0], train);
    count_classes(&parts[1], valid);
    for (int c = 0; c < 4; c++) {
        ck_assert_msg(fabs((double)valid[c] - 0.25 * (double)sizes[c]) <= 1.0,
                      "class %d: %zu of %zu in valid", c, valid[c], sizes[c]);
        ck_assert(train[c] >= 1 && valid[c] >= 1);
    }
    /* Shuffled: the rows are not in their input order. */
    bool sorted = true;
    for (size_t i = 1; i < parts[0].n; i++)
        sorted = sorted && parts[0].x[2 * i] > parts[0].x[2 * (i - 1)];
    ck_assert(!sorted);
    /* Same seed, same split; another seed, another one. */
    ck_assert_int_eq(atoll_data_split(&ds, 0.25, 11, &again[0], &again[1]), ATOLL_OK);
    ck_assert(again[1].n == parts[1].n);
    ck_assert_mem_eq(again[1].x, parts[1].x, parts[1].n * 2 * sizeof(float));
    atoll_dataset_free(&again[0]);
    atoll_dataset_free(&again[1]);
    ck_assert_int_eq(atoll_data_split(&ds, 0.25, 12, &again[0], &again[1]), ATOLL_OK);
    ck_assert(memcmp(again[1].x, parts[1].x, parts[1].n * 2 * sizeof(float)) != 0);
    for (int p = 0; p < 2; p++) {
        atoll_dataset_free(&parts[p]);
        atoll_dataset_free(&again[p]);
    }

    /* Extreme fractions keep a sample on each side. */
    ck_assert_int_eq(atoll_data_split(&ds, 0.999, 1, &parts[0], &parts[1]), ATOLL_OK);
    count_classes(&parts[0], train);
    for (int c = 0; c < 4; c++)
        ck_assert_uint_eq(train[c], 1);
    atoll_dataset_free(&parts[0]);
    atoll_dataset_free(&parts[1]);

    /* Regression: a plain shuffle cut at round(n f). */
    ds.n_classes = 0;
    ck_assert_int_eq(atoll_data_split(&ds, 0.2, 5, &parts[0], &parts[1]), ATOLL_OK);
    ck_assert_uint_eq(parts[1].n, 20);
    check_permutation(&ds, parts, 2);
    atoll_dataset_free(&parts[0]);
    atoll_dataset_free(&parts[1]);

    ck_assert_int_eq(atoll_data_split(&ds, 1.5, 1, &parts[0], &parts[1]), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "valid_fraction must be in (0, 1) (got 1.5)");
    ck_assert_int_eq(atoll_data_split(&ds, 0.0, 1, &parts[0], &parts[1]), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "valid_fraction must be in (0, 1) (got 0)");
    ck_assert_int_eq(atoll_data_split(&ds, NAN, 1, &parts[0], &parts[1]), ATOLL_ERR_USAGE);
    ck_assert_ptr_null(parts[0].x);
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_folds)
{
    static const size_t sizes[] = {40, 23, 9};
    atoll_dataset ds = class_dataset(sizes, 3);
    enum { K = 5 };
    int fold[72], fold2[72];
    ck_assert_int_eq(atoll_data_folds(&ds, K, 4, fold), ATOLL_OK);
    ck_assert_int_eq(atoll_data_folds(&ds, K, 4, fold2), ATOLL_OK);
    ck_assert_mem_eq(fold, fold2, sizeof fold);
    size_t per[K][3] = {{0}}, total[K] = {0};
    for (size_t i = 0; i < ds.n; i++) {
        ck_assert(fold[i] >= 0 && fold[i] < K);
        per[fold[i]][(size_t)ds.y[i]]++;
        total[fold[i]]++;
    }
    for (int c = 0; c < 3; c++) {
        size_t low = SIZE_MAX, high = 0;
        for (int f = 0; f < K; f++) {
            low = per[f][c] < low ? per[f][c] : low;
            high = per[f][c] > high ? per[f][c] : high;
        }
        ck_assert_msg(high - low <= 1, "class %d: folds of %zu to %zu", c, low, high);
    }
    for (int f = 0; f < K; f++)
        ck_assert(total[f] == 14 || total[f] == 15);

    /* Each fold held out once: the valid parts cover every row once. */
    atoll_dataset valid[K];
    for (int f = 0; f < K; f++) {
        atoll_dataset train;
        ck_assert_int_eq(atoll_data_fold_split(&ds, fold, f, &train, &valid[f]), ATOLL_OK);
        ck_assert_uint_eq(valid[f].n, total[f]);
        ck_assert_uint_eq(train.n + valid[f].n, ds.n);
        for (size_t i = 1; i < train.n; i++) /* in their order */
            ck_assert(train.x[2 * i] > train.x[2 * (i - 1)]);
        for (size_t i = 0; i < train.n; i++)
            ck_assert_int_ne(fold[(size_t)train.x[2 * i]], f);
        atoll_dataset_free(&train);
    }
    check_permutation(&ds, valid, K);
    for (int f = 0; f < K; f++)
        atoll_dataset_free(&valid[f]);

    /* Regression folds: sizes differ by at most one. */
    ds.n_classes = 0;
    ck_assert_int_eq(atoll_data_folds(&ds, 7, 4, fold), ATOLL_OK);
    size_t sizes7[7] = {0};
    for (size_t i = 0; i < ds.n; i++)
        sizes7[fold[i]]++;
    for (int f = 0; f < 7; f++)
        ck_assert(sizes7[f] == 10 || sizes7[f] == 11);

    ck_assert_int_eq(atoll_data_folds(&ds, 1, 4, fold), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "folds must be in [2, 72] (got 1)");
    ck_assert_int_eq(atoll_data_folds(&ds, 73, 4, fold), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "folds must be in [2, 72] (got 73)");
    atoll_dataset train, v;
    ck_assert_int_eq(atoll_data_fold_split(&ds, fold, 9, &train, &v), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "fold 9 holds no samples");
    atoll_dataset_free(&ds);
}
END_TEST

START_TEST(test_dataset_subsample)
{
    static const size_t sizes[] = {60, 30, 10};
    atoll_dataset ds = class_dataset(sizes, 3), copy = class_dataset(sizes, 3);
    ck_assert_int_eq(atoll_data_subsample(&ds, 45, 2), ATOLL_OK);
    ck_assert_uint_eq(ds.n, 45);
    ck_assert(ds.d == 2 && ds.n_classes == 3);
    size_t counts[3];
    count_classes(&ds, counts);
    for (int c = 0; c < 3; c++)
        ck_assert_msg(fabs((double)counts[c] - 0.45 * (double)sizes[c]) < 1.0, "class %d: %zu", c,
                      counts[c]);
    char seen[100] = {0};
    for (size_t i = 0; i < ds.n; i++) {
        size_t row = (size_t)ds.x[2 * i];
        ck_assert(row < 100 && !seen[row] && copy.y[row] == ds.y[i]);
        seen[row] = 1;
    }
    atoll_dataset_free(&ds);

    /* Every class keeps one sample when there is room. */
    ds = class_dataset(sizes, 3);
    ck_assert_int_eq(atoll_data_subsample(&ds, 4, 2), ATOLL_OK);
    count_classes(&ds, counts);
    ck_assert(ds.n == 4 && counts[0] >= 1 && counts[1] >= 1 && counts[2] >= 1);
    atoll_dataset_free(&ds);

    /* 0 or more than n keeps everything as it was. */
    ds = class_dataset(sizes, 3);
    ck_assert_int_eq(atoll_data_subsample(&ds, 0, 2), ATOLL_OK);
    ck_assert_int_eq(atoll_data_subsample(&ds, 100, 2), ATOLL_OK);
    ck_assert_int_eq(atoll_data_subsample(&ds, 1000, 2), ATOLL_OK);
    ck_assert_uint_eq(ds.n, 100);
    ck_assert_mem_eq(ds.x, copy.x, 200 * sizeof(float));

    /* Regression: exactly n distinct rows. */
    ds.n_classes = 0;
    ck_assert_int_eq(atoll_data_subsample(&ds, 33, 9), ATOLL_OK);
    ck_assert_uint_eq(ds.n, 33);
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < ds.n; i++) {
        size_t row = (size_t)ds.x[2 * i];
        ck_assert(!seen[row]);
        seen[row] = 1;
    }
    atoll_dataset_free(&ds);
    atoll_dataset_free(&copy);
}
END_TEST

START_TEST(test_dataset_subset)
{
    static const size_t sizes[] = {3, 3};
    atoll_dataset ds = class_dataset(sizes, 2), sub;
    static const size_t rows[] = {4, 0, 4};
    ck_assert_int_eq(atoll_data_subset(&ds, rows, 3, &sub), ATOLL_OK);
    ck_assert(sub.n == 3 && sub.d == 2 && sub.n_classes == 2);
    ck_assert(sub.x[0] == 4.0f && sub.x[2] == 0.0f && sub.x[4] == 4.0f);
    ck_assert(sub.y[0] == ds.y[4] && sub.y[1] == ds.y[0]);
    atoll_dataset_free(&sub);
    static const size_t bad[] = {1, 6};
    ck_assert_int_eq(atoll_data_subset(&ds, bad, 2, &sub), ATOLL_ERR_USAGE);
    ck_assert_str_eq(atoll_error_message(), "subset: row 6 out of range (the dataset has 6)");
    atoll_dataset_free(&ds);
}
END_TEST

/* ---------------------------------------------------------------- scaling */

START_TEST(test_dataset_scaler)
{
    atoll_synthetic_spec spec = {.task = ATOLL_TASK_REGRESSION,
                                 .samples = 400,
                                 .features = 4,
                                 .informative = 2,
                                 .noise = 0.1,
                                 .seed = 5};
    atoll_dataset ds, train, valid;
    ck_assert_int_eq(atoll_data_synthetic(&spec, &ds), ATOLL_OK);
    for (size_t i = 0; i < ds.n; i++) {
        ds.x[i * 4 + 1] = 100.0f + 7.0f * ds.x[i * 4 + 1]; /* shifted and stretched */
        ds.x[i * 4 + 3] = 2.5f;                            /* constant */
    }
    ck_assert_int_eq(atoll_data_split(&ds, 0.3, 1, &train, &valid), ATOLL_OK);
    atoll_scaler s;
    ck_assert_int_eq(atoll_scaler_fit(&train, &s), ATOLL_OK);
    ck_assert_uint_eq(s.d, 4);
    ck_assert(s.mean[3] == 2.5f && s.scale[3] == 1.0f);
    ck_assert(s.scale[1] > 5.0f && s.scale[1] < 9.0f);
    float before = valid.x[1];
    atoll_scaler_apply(&s, &train);
    atoll_scaler_apply(&s, &valid);
    ck_assert_float_eq_tol(valid.x[1], (before - s.mean[1]) / s.scale[1], 1e-5f);
    for (size_t j = 0; j < 3; j++) {
        double sum = 0.0, sq = 0.0;
        for (size_t i = 0; i < train.n; i++)
            sum += train.x[i * 4 + j];
        double mean = sum / (double)train.n;
        for (size_t i = 0; i < train.n; i++)
            sq += pow(train.x[i * 4 + j] - mean, 2);
        ck_assert_double_eq_tol(mean, 0.0, 1e-5);
        ck_assert_double_eq_tol(sqrt(sq / (double)train.n), 1.0, 1e-5);
    }
    for (size_t i = 0; i < train.n; i++)
        ck_assert(train.x[i * 4 + 3] == 0.0f);
    /* The validation part is not standardised by its own statistics. */
    double vsum = 0.0;
    for (size_t i = 0; i < valid.n; i++)
        vsum += valid.x[i * 4 + 1];
    ck_assert(fabs(vsum / (double)valid.n) > 1e-6);

    atoll_scaler_free(&s);
    atoll_scaler_free(&s);
    ck_assert_ptr_null(s.mean);
    atoll_dataset_free(&ds);
    atoll_dataset_free(&train);
    atoll_dataset_free(&valid);
}
END_TEST

/* A header that promises more than its file holds fails as a truncated file before anything is
 * allocated for it (it used to ask for terabytes and fail as out of memory, or abort under
 * AddressSanitizer); a gzip file may still hold far more than its own size. */
START_TEST(test_dataset_idx_header_beyond_file)
{
    unsigned char images[16 + 4], labels[8 + 4];
    size_t hi = idx_header(images, 0x803, (const unsigned[]){0xffffffffu, 0xffff, 0xff}, 3);
    size_t hl = idx_header(labels, 0x801, (const unsigned[]){0xffffffffu}, 1);
    memset(images + hi, 7, 4);
    memset(labels + hl, 1, 4);
    const char *pi = write_file("huge-images", images, sizeof images);
    const char *pl = write_file("huge-labels", labels, sizeof labels);
    atoll_dataset ds;
    char want[512];
    ck_assert_int_eq(atoll_data_load_idx(pi, pl, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the pixels are incomplete)", pi);
    ck_assert_str_eq(atoll_error_message(), want);
    ck_assert_ptr_null(ds.x);

    idx_header(images, 0x803, (const unsigned[]){0x10000000u, 16, 16}, 3);
    idx_header(labels, 0x801, (const unsigned[]){0x10000000u}, 1);
    const char *gi = write_gz("huge-images.gz", images, sizeof images);
    const char *gl = write_gz("huge-labels.gz", labels, sizeof labels);
    ck_assert_int_eq(atoll_data_load_idx(gi, gl, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the pixels are incomplete)", gi);
    ck_assert_str_eq(atoll_error_message(), want);

    /* The pixels fit, the labels do not. */
    idx_header(images, 0x803, (const unsigned[]){2, 1, 2}, 3);
    idx_header(labels, 0x801, (const unsigned[]){2}, 1);
    const char *small = write_file("small-images", images, 16 + 4);
    const char *one = write_file("one-label", labels, 8 + 1);
    ck_assert_int_eq(atoll_data_load_idx(small, one, &ds), ATOLL_ERR_USAGE);
    snprintf(want, sizeof want, "%s: truncated file (the labels are incomplete)", one);
    ck_assert_str_eq(atoll_error_message(), want);

    /* 64 blank 32 x 32 images compress about 650 to 1 and still load. */
    enum { N = 64, SIDE = 32 };
    unsigned char *blank = calloc(16 + N * SIDE * SIDE, 1), two[8 + N];
    ck_assert_ptr_nonnull(blank);
    idx_header(blank, 0x803, (const unsigned[]){N, SIDE, SIDE}, 3);
    idx_header(two, 0x801, (const unsigned[]){N}, 1);
    for (size_t i = 0; i < N; i++)
        two[8 + i] = (unsigned char)(i % 2);
    const char *bi = write_gz("blank.gz", blank, 16 + N * SIDE * SIDE);
    const char *bl = write_gz("two.gz", two, sizeof two);
    free(blank);
    ck_assert_msg(atoll_data_load_idx(bi, bl, &ds) == ATOLL_OK, "%s", atoll_error_message());
    ck_assert_uint_eq(ds.n, N);
    ck_assert_uint_eq(ds.d, SIDE * SIDE);
    ck_assert_int_eq(ds.n_classes, 2);
    atoll_dataset_free(&ds);
}
END_TEST

/* A regression target that is a number, but beyond a float's range, is refused: it used to load
 * as an infinite target. (Features were already checked the same way.) */
START_TEST(test_dataset_csv_target_beyond_float)
{
    const char *suffix = ": data row 2: column 'y': 1e+39 is out of range (a float holds at most "
                         "3.40282e+38)";
    expect_csv_error("x,y\n1,0.5\n2,1e39\n", NULL, ATOLL_TASK_REGRESSION, ATOLL_ERR_USAGE, suffix);
    expect_csv_error("x,y\n1,0.5\n2,1e39\n", NULL, ATOLL_TASK_AUTO, ATOLL_ERR_USAGE, suffix);
    /* as a class label it is only a name for a class */
    atoll_dataset ds = load_csv_text("x,y\n1,0\n2,1e39\n", NULL, ATOLL_TASK_AUTO);
    ck_assert_int_eq(ds.n_classes, 2);
    ck_assert(ds.y[0] == 0.0f && ds.y[1] == 1.0f);
    atoll_dataset_free(&ds);
    ds = load_csv_text("x,y\n1,0.5\n2,-3.4e38\n", NULL, ATOLL_TASK_REGRESSION);
    ck_assert(isfinite(ds.y[1]) && ds.y[1] < -3e38f);
    atoll_dataset_free(&ds);
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("dataset");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_dataset_csv_class_names);
    tcase_add_test(tc, test_dataset_csv_numeric_labels);
    tcase_add_test(tc, test_dataset_csv_regression);
    tcase_add_test(tc, test_dataset_csv_gz_and_long_lines);
    tcase_add_test(tc, test_dataset_csv_errors);
    tcase_add_test(tc, test_dataset_idx);
    tcase_add_test(tc, test_dataset_named_sklearn);
    tcase_add_test(tc, test_dataset_named_fashion);
    tcase_add_test(tc, test_dataset_named_errors);
    tcase_add_test(tc, test_dataset_synthetic);
    tcase_add_test(tc, test_dataset_split);
    tcase_add_test(tc, test_dataset_folds);
    tcase_add_test(tc, test_dataset_subsample);
    tcase_add_test(tc, test_dataset_subset);
    tcase_add_test(tc, test_dataset_scaler);
    tcase_add_test(tc, test_dataset_idx_header_beyond_file);
    tcase_add_test(tc, test_dataset_csv_target_beyond_float);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(dataset_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
