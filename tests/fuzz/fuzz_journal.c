/* fuzz_journal.c - a trial journal read back as `atoll resume` reads it: the records up to the
 * first torn or corrupt one, and trials.csv written again from them. */

/*
 * Input: one mode byte, then the journal file (trials.journal). Mode bits 0-2 pick the run
 * whose rows it holds (RUNS below, configs in tests/fuzz/resume/; 7 wraps around), which sets the
 * row width and the space and extra columns trials.csv is written with: 10 to 13 doubles a row,
 * real, log, int and choice parameters, a command's extra metrics. Bit 3 seals the journal
 * first: its header takes this run's width and every whole record its CRC-32 afresh, so that
 * mutated rows get past the checksums and reach the checks and the CSV writer. Bit 4 resumes a
 * log from the file as well.
 *
 * atoll_journal_parse must keep a prefix of whole records, each with a whole trial id >= 0
 * and a status of 0..3. With bit 4, atoll_trials_resume (what rank 0 does on resume) reads the
 * file, cuts what the parse refused, writes trials.csv again with one line per kept row, then
 * takes one more row and sorts the log as a run's end does.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/error.h"
#include "core/trials.h"
#include "support.h"

static const char *const RUNS[] = {"ga",           "ga-steady", "sa",     "random-sobol",
                                   "random-halton", "grid",      "command"};
#define N_RUNS (sizeof RUNS / sizeof RUNS[0])
/* The journal's header (core/trials.c): "ATOLLTJ1", u32 version, u32 row width. */
enum { JOURNAL_HEADER = 16 };

static atoll_run_desc *descs[N_RUNS];
static const char *csv_path, *journal_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    for (size_t k = 0; k < N_RUNS; k++)
        descs[k] = fuzz_run_desc(RUNS[k]);
    csv_path = fuzz_file("trials.csv");
    journal_path = fuzz_file("trials.journal");
    return 0;
}

/* Abort unless the parse kept a prefix of whole, sane records of `n` bytes. */
static void check_parse(const double *rows, size_t n_rows, size_t valid, size_t n, size_t width)
{
    size_t record = width * sizeof(double) + sizeof(uint32_t);
    if (valid != JOURNAL_HEADER + n_rows * record || valid > n || !rows)
        abort();
    for (size_t k = 0; k < n_rows; k++) {
        const double *row = rows + k * width;
        double id = row[ATOLL_ROW_TRIAL], status = row[ATOLL_ROW_STATUS];
        if (!(id >= 0 && id == floor(id)) || !(status >= 0 && status <= 3))
            abort();
    }
}

/* Lines in the file at `path`, or aborts when it cannot be read. */
static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        abort();
    size_t lines = 0;
    for (int c; (c = getc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    return lines;
}

/* Resume a log from the journal as rank 0 does, append one row and finish it. */
static void resume(const atoll_run_desc *d, size_t width, size_t n, size_t valid,
                   size_t n_rows)
{
    const char *const *extras = atoll_objective_columns(d->objective, d->objective_params);
    atoll_trials *log = NULL;
    size_t cut = 0;
    if (atoll_trials_resume(csv_path, d->space, extras, &log, &cut) != ATOLL_OK) {
        fprintf(stderr, "fuzz: a journal that parses does not resume: %s\n",
                atoll_error_message());
        abort();
    }
    struct stat st;
    if (cut != n - valid || stat(journal_path, &st) != 0 || (size_t)st.st_size != valid ||
        atoll_trials_width(log) != width || atoll_trials_count(log) != n_rows ||
        count_lines(csv_path) != 1 + n_rows)
        abort();
    double *row = calloc(width, sizeof *row);
    if (!row)
        abort();
    row[ATOLL_ROW_TRIAL] = (double)n_rows;
    for (size_t i = ATOLL_ROW_X; i < width; i++)
        row[i] = 0.5;
    if (atoll_trials_append(log, row) != ATOLL_OK || atoll_trials_finish(log) != ATOLL_OK ||
        count_lines(csv_path) != 2 + n_rows)
        abort();
    free(row);
    atoll_trials_close(&log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const atoll_run_desc *d = descs[(mode & 7) % N_RUNS];
    bool seal = mode & 8, through_files = mode & 16;
    size_t width = ATOLL_ROW_X + d->space->n +
                   atoll_objective_n_columns(d->objective, d->objective_params);
    size_t n = size - 1;
    unsigned char *bytes = malloc(n ? n : 1);
    if (!bytes)
        abort();
    memcpy(bytes, data + 1, n);
    if (seal && n >= JOURNAL_HEADER) {
        uint32_t head_width = (uint32_t)width;
        memcpy(bytes + 12, &head_width, sizeof head_width);
        size_t record = width * sizeof(double) + sizeof(uint32_t);
        for (size_t at = JOURNAL_HEADER; at + record <= n; at += record) {
            uint32_t crc = (uint32_t)crc32(0L, bytes + at, (uInt)(width * sizeof(double)));
            memcpy(bytes + at + width * sizeof(double), &crc, sizeof crc);
        }
    }
    double *rows = NULL;
    size_t n_rows = 0, valid = 0;
    int rc = atoll_journal_parse(bytes, n, width, "trials.journal", &rows, &n_rows, &valid);
    if (rc == ATOLL_OK)
        check_parse(rows, n_rows, valid, n, width);
    else if (rows || n_rows || valid)
        abort(); /* a refused journal leaves nothing */
    free(rows);
    if (through_files) {
        fuzz_write(journal_path, bytes, n, false);
        if (rc == ATOLL_OK) {
            resume(d, width, n, valid, n_rows);
        } else {
            atoll_trials *log = NULL;
            size_t cut = 0;
            const char *const *extras =
                atoll_objective_columns(d->objective, d->objective_params);
            if (atoll_trials_resume(csv_path, d->space, extras, &log, &cut) == ATOLL_OK)
                abort(); /* the file that did not parse must not resume either */
        }
    }
    free(bytes);
    fuzz_reset();
    return 0;
}
