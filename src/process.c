/* SPDX-License-Identifier: MIT */
/*
 * process.c: fork/exec with an error pipe (a close-on-exec pipe the child
 * writes errno to when exec fails, so "command not found" is an error here
 * and not a mysterious exit 127), process groups, and orderly stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "buf.h"
#include "lua_host.h"
#include "process.h"
#include "xalloc.h"

struct ys_proc {
  pid_t pid;
  int running;
  int status;      /* wait status once reaped */
  int in, out, err; /* our ends of the pipes, or -1 */
  int errfile;     /* the unlinked stderr file, or -1 */
};

static int cloexec_nonblock(int fd, int nonblock)
{
  int fl = fcntl(fd, F_GETFD);
  if(fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
    return -1;
  if(nonblock) {
    fl = fcntl(fd, F_GETFL);
    if(fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
      return -1;
  }
  return 0;
}

static void close_fd(int *fd)
{
  if(*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* A temp file already unlinked: only our descriptors reach it. */
static int temp_file(void)
{
  const char *dir = getenv("TMPDIR");
  char *path = ys_xasprintf("%s/yardstick-stderr-XXXXXX",
                            dir && dir[0] ? dir : "/tmp");
  int fd = mkstemp(path);
  if(fd >= 0)
    unlink(path);
  free(path);
  return fd;
}

ys_err ys_proc_spawn(const ys_proc_opts *opts, ys_proc **out, ys_diag *diag)
{
  *out = NULL;
  int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
  int report[2] = { -1, -1 };
  int errfile = -1;
  ys_err err = YS_OK;
  if(pipe(report) || cloexec_nonblock(report[0], 0) ||
     cloexec_nonblock(report[1], 0))
    err = YS_ERR_MODEL;
  if(!err && opts->pipes && (pipe(in) || pipe(outp)))
    err = YS_ERR_MODEL;
  if(!err && opts->err == YS_PROC_STDERR_PIPE && pipe(errp))
    err = YS_ERR_MODEL;
  if(!err && opts->err == YS_PROC_STDERR_FILE && (errfile = temp_file()) < 0)
    err = YS_ERR_MODEL;
  pid_t pid = -1;
  if(!err) {
    fflush(NULL);
    pid = fork();
    if(pid < 0)
      err = YS_ERR_MODEL;
  }
  if(pid == 0) {
    /* The child: only simple calls until exec. */
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int devnull = open("/dev/null", O_RDWR);
    dup2(opts->pipes ? in[0] : devnull, 0);
    dup2(opts->pipes ? outp[1] : (errfile >= 0 ? errfile : devnull), 1);
    dup2(opts->err == YS_PROC_STDERR_PIPE ? errp[1] : errfile, 2);
    execvp(opts->argv[0], opts->argv);
    int e = errno;
    if(write(report[1], &e, sizeof(e)) < 0)
      e = 0;
    _exit(127);
  }
  close_fd(&report[1]);
  close_fd(&in[0]);
  close_fd(&outp[1]);
  close_fd(&errp[1]);
  if(!err) {
    int e = 0;
    ssize_t n;
    while((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
      ;
    if(n == (ssize_t)sizeof(e)) {
      waitpid(pid, NULL, 0);
      ys_fail(diag, YS_ERR_MODEL, NULL, 0, "cannot run '%s': %s",
              opts->argv[0], strerror(e));
      err = YS_ERR_MODEL;
      pid = -1;
    }
  }
  else
    ys_fail(diag, err, NULL, 0, "cannot start '%s': %s", opts->argv[0],
            strerror(errno));
  close_fd(&report[0]);
  if(err) {
    close_fd(&in[1]);
    close_fd(&outp[0]);
    close_fd(&errp[0]);
    close_fd(&errfile);
    return err;
  }
  ys_proc *p = ys_xcalloc(1, sizeof(*p));
  p->pid = pid;
  p->running = 1;
  p->in = in[1];
  p->out = outp[0];
  p->err = errp[0];
  p->errfile = errfile;
  if(p->in >= 0)
    cloexec_nonblock(p->in, 1);
  if(p->out >= 0)
    cloexec_nonblock(p->out, 1);
  if(p->err >= 0)
    cloexec_nonblock(p->err, 1);
  if(p->errfile >= 0)
    cloexec_nonblock(p->errfile, 0);
  *out = p;
  return YS_OK;
}

pid_t ys_proc_pid(const ys_proc *p) { return p->pid; }
int ys_proc_stdin_fd(const ys_proc *p) { return p->in; }
int ys_proc_stdout_fd(const ys_proc *p) { return p->out; }
int ys_proc_stderr_fd(const ys_proc *p) { return p->err; }

int ys_proc_alive(ys_proc *p)
{
  if(!p->running)
    return 0;
  int st;
  pid_t r = waitpid(p->pid, &st, WNOHANG);
  if(r == p->pid) {
    p->running = 0;
    p->status = st;
  }
  return p->running;
}

int ys_proc_wait(ys_proc *p, double ms, int *status)
{
  double end = ys_lua_clock_ms() + ms;
  for(;;) {
    if(!ys_proc_alive(p)) {
      if(status)
        *status = p->status;
      return 1;
    }
    double left = end - ys_lua_clock_ms();
    if(left <= 0)
      return 0;
    struct timespec ts = { 0, (long)(left < 10 ? left : 10) * 1000000L };
    nanosleep(&ts, NULL);
  }
}

void ys_proc_describe_exit(const ys_proc *p, char *buf, size_t len)
{
  if(p->running)
    snprintf(buf, len, "is still running");
  else if(WIFEXITED(p->status))
    snprintf(buf, len, "exited with code %d", WEXITSTATUS(p->status));
  else if(WIFSIGNALED(p->status))
    snprintf(buf, len, "was killed by signal %d", WTERMSIG(p->status));
  else
    snprintf(buf, len, "ended");
}

char *ys_proc_stderr_tail(ys_proc *p, int n)
{
  if(p->errfile < 0 || n < 1)
    return ys_xstrdup("");
  struct stat st;
  if(fstat(p->errfile, &st) != 0)
    return ys_xstrdup("");
  off_t from = st.st_size > 8192 ? st.st_size - 8192 : 0;
  size_t len = (size_t)(st.st_size - from);
  char *buf = ys_xmalloc(len + 1);
  ssize_t got = pread(p->errfile, buf, len, from);
  buf[got > 0 ? got : 0] = '\0';
  /* Split into lines, keep the last n that are not blank. */
  char **lines = ys_xcalloc((size_t)n, sizeof(char *));
  int k = 0;
  for(char *line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n")) {
    if(!line[strspn(line, " \t")])
      continue;
    if(k == n) {
      memmove(lines, lines + 1, (size_t)(n - 1) * sizeof(char *));
      k--;
    }
    lines[k++] = line;
  }
  ys_buf out;
  ys_buf_init(&out, 16384);
  for(int i = 0; i < k; i++)
    if((i && ys_buf_adds(&out, " | ")) || ys_buf_adds(&out, lines[i]))
      break;
  free(lines);
  free(buf);
  return ys_buf_take(&out, NULL);
}

void ys_proc_stop(ys_proc *p, double grace_ms)
{
  if(!ys_proc_alive(p))
    return;
  kill(-p->pid, SIGTERM);
  kill(p->pid, SIGTERM);
  if(ys_proc_wait(p, grace_ms, NULL))
    return;
  kill(-p->pid, SIGKILL);
  kill(p->pid, SIGKILL);
  ys_proc_wait(p, 5000, NULL);
}

void ys_proc_free(ys_proc *p)
{
  if(!p)
    return;
  if(p->in >= 0) {
    /* A worker reading stdin sees end of file: let it finish by itself
     * for a moment before asking it to. */
    close_fd(&p->in);
    ys_proc_wait(p, 1000, NULL);
  }
  ys_proc_stop(p, 5000);
  close_fd(&p->out);
  close_fd(&p->err);
  close_fd(&p->errfile);
  free(p);
}

int ys_proc_free_port(void)
{
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if(s < 0)
    return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = -1;
  if(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
     getsockname(s, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}
