/* SPDX-License-Identifier: MIT */
/*
 * process.h: child processes that yardstick runs (a local model server, a
 * pool of worker commands). Each child gets its own process group and,
 * on Linux, dies with yardstick (PR_SET_PDEATHSIG), so a killed run never
 * leaves a GPU server behind. Its stderr goes to an unlinked temporary
 * file (whose tail explains a failed start) or to a pipe. Uses libc.
 */
#ifndef YS_PROCESS_H
#define YS_PROCESS_H

#include <sys/types.h>

#include "err.h"

typedef struct ys_proc ys_proc;

typedef enum {
  YS_PROC_STDERR_FILE, /* keep it in a temp file: ys_proc_stderr_tail */
  YS_PROC_STDERR_PIPE  /* a pipe for the caller: ys_proc_stderr_fd */
} ys_proc_stderr;

typedef struct ys_proc_opts {
  char *const *argv;   /* argv[0] is looked up in PATH */
  int pipes;           /* give the caller pipes to stdin and stdout */
  ys_proc_stderr err;
} ys_proc_opts;

/* Starts the command. A command that cannot be executed (not found, not
 * executable) is reported here with the reason, not as an exit status.
 * Errors: YS_ERR_MODEL. */
ys_err ys_proc_spawn(const ys_proc_opts *opts, ys_proc **out, ys_diag *diag)
  YS_WARN_UNUSED;

pid_t ys_proc_pid(const ys_proc *p);
/* Non-blocking, close-on-exec descriptors (-1 when not piped). */
int ys_proc_stdin_fd(const ys_proc *p);
int ys_proc_stdout_fd(const ys_proc *p);
int ys_proc_stderr_fd(const ys_proc *p);

/* Whether it still runs (reaps it when not). */
int ys_proc_alive(ys_proc *p);

/* Waits up to ms for it to exit; returns 1 when it has (then *status is
 * its wait status, when status is not NULL), else 0. */
int ys_proc_wait(ys_proc *p, double ms, int *status);

/* Describes how it ended ("exited with code 1", "killed by signal 9"). */
void ys_proc_describe_exit(const ys_proc *p, char *buf, size_t len);

/* The last n lines of its stderr (temp-file mode), joined with " | ".
 * Returns owned (free with free()). */
char *ys_proc_stderr_tail(ys_proc *p, int n);

/* SIGTERM to its process group, then SIGKILL after grace_ms. */
void ys_proc_stop(ys_proc *p, double grace_ms);

/* Stops it (grace 5 s) if running, closes everything; NULL is a no-op. */
void ys_proc_free(ys_proc *p);

/* A free TCP port on 127.0.0.1, or -1. */
int ys_proc_free_port(void);

#endif
