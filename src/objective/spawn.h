/* spawn.h - run one external program without a shell: own process group, timeout, output files. */
#ifndef ATOLL_OBJECTIVE_SPAWN_H
#define ATOLL_OBJECTIVE_SPAWN_H

#include <stdbool.h>

/* What to run. Every pointer is borrowed for the call. */
typedef struct {
    const char *path;         /* the program: a path (with '/') or a bare name searched on PATH */
    char *const *argv;        /* NULL-terminated; argv[0] as the program will see it */
    char *const *envp;        /* NULL-terminated environment */
    const char *workdir;      /* the child's working directory, or NULL for the current one */
    const char *stdout_path;  /* created or truncated; the child's stdout */
    const char *stderr_path;  /* created or truncated; the child's stderr */
    double timeout_s;         /* 0: none */
    double kill_grace_s;      /* seconds between SIGTERM and SIGKILL on a timeout */
    long long max_output;     /* bytes each output file may hold; 0: no limit */
} atoll_spawn_spec;

/* How the program ended. */
typedef enum {
    ATOLL_SPAWN_EXITED = 0,   /* code = its exit status */
    ATOLL_SPAWN_SIGNALED = 1, /* code = the signal that killed it */
    ATOLL_SPAWN_TIMEOUT = 2,  /* its process group was terminated after timeout_s */
    ATOLL_SPAWN_NOSTART = 3,  /* code = the errno of the failed start (e.g. ENOENT) */
    ATOLL_SPAWN_OUTPUT = 4    /* code = 1 (stdout) or 2 (stderr) passed max_output */
} atoll_spawn_end;

typedef struct {
    atoll_spawn_end end;
    int code;
    double seconds; /* wall time from start to reaping */
    bool leftovers; /* it exited leaving processes in its group, which were then ended */
} atoll_spawn_result;

/*
 * Start spec->argv with posix_spawn (posix_spawnp for a bare name) as the leader of a new
 * process group, with default signal dispositions and an empty signal mask, stdin from
 * /dev/null and stdout/stderr into the two files; wait for it by polling waitpid with short
 * sleeps (no SIGCHLD handler) and always reap it. On a timeout the whole group gets SIGTERM,
 * then SIGKILL after kill_grace_s, and no member of the group survives the call. When the
 * program exits, processes it left in its group get the same (result.leftovers says so);
 * processes that left the group (setsid, setpgid) are out of reach. When an output file grows
 * past max_output bytes (checked between polls, so it may overshoot by what the program
 * writes in 20 ms), the group gets SIGTERM and SIGKILL at once, the file is cut to max_output
 * bytes and the result is ATOLL_SPAWN_OUTPUT; a program that exits having written more than
 * max_output ends the same way, so the verdict does not depend on timing. A program
 * that cannot be started is a result (ATOLL_SPAWN_NOSTART), not an error; the return is
 * non-zero (ATOLL_ERR_IO / ATOLL_ERR_RUNTIME) only when the output files cannot be opened or
 * the wait itself fails. Not thread-hostile: no global state is touched besides the child.
 */
int atoll_spawn_run(const atoll_spawn_spec *spec, atoll_spawn_result *out);

#endif
