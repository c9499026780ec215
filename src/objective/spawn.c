/* spawn.c - run one external program without a shell: own process group, timeout, output files. */

/*
 * posix_spawn starts the program directly (no /bin/sh, so no value can become a command) in a
 * process group of its own, which lets a timeout reach the program's own children too. The
 * parent runs under MPI and perhaps on a helper thread, so it installs no SIGCHLD handler and
 * changes no process-wide state: it polls waitpid(WNOHANG) with sleeps growing from 1 ms to
 * 20 ms and reaps the child on every path. Between polls it checks the sizes of the two output
 * files, so a program that prints without end is stopped near max_output and never costs
 * memory here (its output goes to files, not through atoll). When the program exits, what it
 * left running in its group is ended too; the group keeps its id (the leader's pid) while any
 * member lives, so a signal to the group reaches only those processes.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np (glibc 2.29+) */
#include "objective/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/interrupt.h"

#define SPAWN_POLL_MIN_NS 1000000L  /* 1 ms */
#define SPAWN_POLL_MAX_NS 20000000L /* 20 ms */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap(long *ns)
{
    struct timespec t = {0, *ns};
    nanosleep(&t, NULL); /* an interruption only shortens one poll */
    if (*ns < SPAWN_POLL_MAX_NS)
        *ns *= 2;
    if (*ns > SPAWN_POLL_MAX_NS)
        *ns = SPAWN_POLL_MAX_NS;
}

/* Reap `pid` if it has ended: 1 and its wait status in *status, 0 if it still runs. */
static int try_reap(pid_t pid, int *status)
{
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return 1;
        if (got == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static int reap_blocking(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Whether a process of group `pgid` is still running. A member that has died but waits for
 * its new parent to reap it (an orphan's parent is init, which may take seconds) still
 * answers kill(); /proc tells such zombies apart where there is one. */
static bool group_alive(pid_t pgid)
{
    if (kill(-pgid, 0) != 0 && errno == ESRCH)
        return false;
    DIR *proc = opendir("/proc");
    if (!proc)
        return true;
    bool alive = false;
    struct dirent *e;
    while (!alive && (e = readdir(proc))) {
        char path[300], stat_line[512];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, stat_line, sizeof stat_line - 1);
        close(fd);
        if (n <= 0)
            continue;
        stat_line[n] = '\0';
        /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses */
        char *close_paren = strrchr(stat_line, ')');
        char state;
        long ppid, pgrp;
        if (close_paren && sscanf(close_paren + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
            pgrp == (long)pgid && state != 'Z' && state != 'X')
            alive = true;
    }
    closedir(proc);
    return alive;
}

/* Terminate the group led by `pid` (SIGTERM, then SIGKILL after `grace` seconds), reap the
 * leader unless `reaped` says it is already, and return once the group is gone or has been sent
 * SIGKILL. */
static int end_group(pid_t pid, double grace, int reaped, int *status)
{
    kill(-pid, SIGTERM);
    double deadline = now_s() + grace;
    long ns = SPAWN_POLL_MIN_NS;
    while (now_s() < deadline) {
        if (!reaped) {
            reaped = try_reap(pid, status);
            if (reaped < 0)
                return -1;
        }
        if (reaped && !group_alive(pid))
            return 0;
        nap(&ns);
    }
    kill(-pid, SIGKILL);
    if (!reaped && reap_blocking(pid, status) != 0)
        return -1;
    return 0;
}

/* Which output file (1: stdout, 2: stderr) holds more than `max` bytes; 0 when neither. */
static int output_over(int fd_out, int fd_err, long long max)
{
    struct stat st;
    if (max <= 0)
        return 0;
    if (fstat(fd_out, &st) == 0 && (long long)st.st_size > max)
        return 1;
    if (fstat(fd_err, &st) == 0 && (long long)st.st_size > max)
        return 2;
    return 0;
}

static int open_output(const char *path, int *fd)
{
    *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (*fd < 0)
        return ATOLL_RAISE(ATOLL_ERR_IO, "%s: cannot open for writing: %s", path,
                           strerror(errno));
    return ATOLL_OK;
}

int atoll_spawn_run(const atoll_spawn_spec *spec, atoll_spawn_result *out)
{
    int rc = ATOLL_OK, fd_out = -1, fd_err = -1, err;
    bool have_actions = false, have_attr = false;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    out->end = ATOLL_SPAWN_NOSTART;
    out->code = 0;
    out->seconds = 0.0;
    out->leftovers = false;

    ATOLL_CALL_GOTO(rc, open_output(spec->stdout_path, &fd_out));
    ATOLL_CALL_GOTO(rc, open_output(spec->stderr_path, &fd_err));
    if ((err = posix_spawn_file_actions_init(&actions)) != 0)
        goto spawn_setup;
    have_actions = true;
    if ((err = posix_spawnattr_init(&attr)) != 0)
        goto spawn_setup;
    have_attr = true;
    /* Opens first (relative to our directory), then the change of directory. */
    if ((err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) ||
        (err = posix_spawn_file_actions_adddup2(&actions, fd_out, 1)) ||
        (err = posix_spawn_file_actions_adddup2(&actions, fd_err, 2)))
        goto spawn_setup;
    if (spec->workdir && (err = posix_spawn_file_actions_addchdir_np(&actions, spec->workdir)))
        goto spawn_setup;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    if ((err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                   POSIX_SPAWN_SETSIGDEF)) ||
        (err = posix_spawnattr_setpgroup(&attr, 0)) ||
        (err = posix_spawnattr_setsigmask(&attr, &none)) ||
        (err = posix_spawnattr_setsigdefault(&attr, &all)))
        goto spawn_setup;

    pid_t pid;
    double start = now_s();
    if (strchr(spec->path, '/'))
        err = posix_spawn(&pid, spec->path, &actions, &attr, spec->argv, spec->envp);
    else
        err = posix_spawnp(&pid, spec->path, &actions, &attr, spec->argv, spec->envp);
    if (err != 0) {
        out->end = ATOLL_SPAWN_NOSTART;
        out->code = err;
        goto done;
    }
    /* The parent's copies of the output files stay open, to watch their sizes. */
    int status = 0, reaped, over = 0;
    long ns = SPAWN_POLL_MIN_NS;
    bool timed_out = false;
    while ((reaped = try_reap(pid, &status)) == 0) {
        /* A stop signal to atoll ends the program as a timeout would; the run then
         * abandons the trial (it is evaluated again on resume). */
        if ((spec->timeout_s > 0.0 && now_s() - start >= spec->timeout_s) ||
            atoll_interrupted())
            timed_out = true;
        else
            over = output_over(fd_out, fd_err, spec->max_output);
        if (timed_out || over) {
            /* printing without end is no state worth saving: no grace then */
            if (end_group(pid, over ? 0.0 : spec->kill_grace_s, 0, &status) != 0)
                reaped = -1;
            break;
        }
        nap(&ns);
    }
    if (reaped < 0) {
        kill(-pid, SIGKILL);
        reap_blocking(pid, &status);
        rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME, "%s: waitpid failed: %s", spec->path,
                         strerror(errno));
        goto done;
    }
    if (!timed_out && !over && group_alive(pid)) {
        /* The leader has exited and is reaped: whatever still answers to its group id is
         * something it left behind (background jobs, children it did not wait for). */
        out->leftovers = true;
        end_group(pid, spec->kill_grace_s, 1, &status);
    }
    out->seconds = now_s() - start;
    if (!timed_out && !over)
        over = output_over(fd_out, fd_err, spec->max_output);
    if (over) {
        /* keep the disk bound: cut the file to the limit (best effort: the trial fails
         * either way) */
        if (ftruncate(over == 1 ? fd_out : fd_err, (off_t)spec->max_output) != 0) {
        }
        out->end = ATOLL_SPAWN_OUTPUT;
        out->code = over;
    } else if (timed_out) {
        out->end = ATOLL_SPAWN_TIMEOUT;
        out->code = 0;
    } else if (WIFSIGNALED(status)) {
        out->end = ATOLL_SPAWN_SIGNALED;
        out->code = WTERMSIG(status);
    } else {
        out->end = ATOLL_SPAWN_EXITED;
        out->code = WEXITSTATUS(status);
    }
    goto done;

spawn_setup:
    rc = ATOLL_RAISE(ATOLL_ERR_RUNTIME, "%s: cannot prepare the start: %s", spec->path,
                     strerror(err));
done:
    if (have_attr)
        posix_spawnattr_destroy(&attr);
    if (have_actions)
        posix_spawn_file_actions_destroy(&actions);
    if (fd_out >= 0)
        close(fd_out);
    if (fd_err >= 0)
        close(fd_err);
    return rc;
fail:
    goto done;
}
