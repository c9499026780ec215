/* support.c - start-up, scratch files and state reset shared by the fuzz harnesses. */
#include "support.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"

/* The longest line libinih reads whole (config.c's CONFIG_MAX_LINE). */
#define FUZZ_CONFIG_MAX_LINE 199

static char scratch_dir[256];
static char scratch_files[FUZZ_MAX_FILES][320];
static size_t n_scratch_files;

static void remove_scratch(void)
{
    for (size_t i = 0; i < n_scratch_files; i++)
        unlink(scratch_files[i]);
    if (scratch_dir[0])
        rmdir(scratch_dir);
}

void fuzz_init(void)
{
    gsl_set_error_handler_off();
    atoll_error_clear();
}

const char *fuzz_dir(void)
{
    if (scratch_dir[0])
        return scratch_dir;
    /* tmpfs when there is one: every input is written to a file and read back */
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/atoll-fuzz-XXXXXX", tmp);
    if (!mkdtemp(scratch_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    return scratch_dir;
}

const char *fuzz_file(const char *name)
{
    const char *dir = fuzz_dir();
    for (size_t i = 0; i < n_scratch_files; i++) {
        const char *slash = strrchr(scratch_files[i], '/');
        if (strcmp(slash + 1, name) == 0)
            return scratch_files[i];
    }
    if (n_scratch_files == FUZZ_MAX_FILES) {
        fprintf(stderr, "fuzz: more than %d scratch files\n", FUZZ_MAX_FILES);
        abort();
    }
    char *path = scratch_files[n_scratch_files++];
    snprintf(path, sizeof scratch_files[0], "%s/%s", dir, name);
    return path;
}

void fuzz_write(const char *path, const uint8_t *data, size_t size, bool gzip)
{
    if (gzip) {
        gzFile gz = gzopen(path, "wb1");
        if (!gz || (size > 0 && gzwrite(gz, data, (unsigned)size) != (int)size) ||
            gzclose(gz) != Z_OK) {
            fprintf(stderr, "fuzz: cannot write %s\n", path);
            abort();
        }
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

bool fuzz_names_big_dataset(const uint8_t *data, size_t size)
{
    static const char big[] = "fashion-mnist";
    for (size_t i = 0; i + sizeof big - 1 <= size; i++)
        if (memcmp(data + i, big, sizeof big - 1) == 0)
            return true;
    return false;
}

/* What `atoll check` prints for `desc` without its first line (the config's file name), as a
 * string to free. */
static char *printed(const atoll_run_desc *desc)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        abort();
    atoll_desc_print(desc, out);
    if (fclose(out) != 0)
        abort();
    char *nl = strchr(text, '\n');
    memmove(text, nl ? nl + 1 : text, strlen(nl ? nl + 1 : text) + 1);
    return text;
}

/* Whether the resolved config `text` has a line longer than a config line may be: a value
 * with a word too long for any line (from --set, or one that filled a whole file line before
 * " = " was added around its '='). atoll_config_write cannot split such a value, so it cannot
 * read back; tests/fuzz/README.md lists this known limit. */
static bool has_overlong_line(const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > FUZZ_CONFIG_MAX_LINE)
            return true;
        line += len + (nl != NULL);
    }
    return false;
}

void fuzz_check_round_trip(const atoll_run_desc *desc)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out || atoll_config_write(desc->cfg, out) != ATOLL_OK || fclose(out) != 0)
        abort();
    if (has_overlong_line(text)) {
        free(text);
        return;
    }
    const char *path = fuzz_file("resolved.ini");
    fuzz_write(path, (const uint8_t *)text, size, false);
    atoll_run_desc *back = NULL;
    if (atoll_desc_create(path, NULL, 0, &back) != ATOLL_OK) {
        /* the same limit for a key that takes no continuation line: its long value was split */
        if (strstr(atoll_error_message(), "does not take continuation lines")) {
            free(text);
            return;
        }
        fprintf(stderr, "fuzz: the resolved config does not read back: %s\n%s",
                atoll_error_message(), text);
        abort();
    }
    char *want = printed(desc), *got = printed(back);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "fuzz: the resolved config reads back as another run:\n%s\n---\n%s\n",
                want, got);
        abort();
    }
    free(want);
    free(got);
    free(text);
    atoll_desc_destroy(&back);
}

atoll_run_desc *fuzz_run_desc(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/resume/%s.ini", name);
    atoll_run_desc *desc = NULL;
    if (atoll_desc_create(path, NULL, 0, &desc) != ATOLL_OK) {
        fprintf(stderr, "fuzz: %s (run the harness from the repository root)\n",
                atoll_error_message());
        abort();
    }
    return desc;
}

void fuzz_reset(void)
{
    atoll_error_clear();
}
