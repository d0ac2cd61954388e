/* SPDX-License-Identifier: MIT */
/*
 * backend_exec.c: the worker pool. Requests wait in a FIFO until a worker
 * is idle; pipes are non-blocking and watched by the event loop, so a
 * thousand queued samples cost no threads. A request lives in a Lua
 * userdata box on its coroutine's stack: the pool only points at it while
 * the task waits, and forgets it when the task is abandoned.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>

#include "backend_exec.h"
#include "buf.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "lua_lib_ys.h"
#include "process.h"
#include "sched.h"
#include "xalloc.h"

#define LINE_MAX_BYTES ((size_t)32 << 20)
#define EARLY_DEATHS_TO_GIVE_UP 3

static const char POOL_MT[] = "ys.ExecPool";
static const char XREQ_MT[] = "ys.ExecRequest";

typedef struct pool pool;
typedef struct worker worker;
typedef struct xreq xreq;

struct xreq {
  pool *p;          /* NULL once forgotten */
  ys_task *task;
  char *line;       /* request JSON with its newline */
  size_t len;
  int attempts;     /* worker deaths or timeouts while handling it */
  xreq *next;       /* in the queue */
  int queued;
  worker *w;        /* handling it */
  char *reply;      /* the worker's line */
  char *error;
  int done;
  ys_timer timeout;
};

struct worker {
  pool *p;
  int index;        /* 1-based, for messages */
  ys_proc *proc;
  ys_buf wbuf;      /* bytes still to write to stdin */
  size_t woff;
  ys_buf rbuf;      /* stdout not yet ending in a newline */
  int discarding;   /* skipping the rest of an answer over the cap */
  ys_buf ebuf;      /* stderr not yet ending in a newline */
  xreq *cur;        /* NULL when idle, or when its task was abandoned */
  int busy;
  long answered;    /* by this process */
};

struct pool {
  char **argv;
  int nworkers;
  double timeout_ms;
  worker *workers;
  ys_sched *sched;  /* bound on first use, NULL after the run */
  xreq *qhead, *qtail;
  int early_deaths; /* deaths in a row before any answer */
  char last_err[256]; /* the last line a worker wrote on stderr */
  ys_loader *ld;    /* for the log */
};

static void logf_(pool *p, const char *fmt, ...) YS_PRINTF(2, 3);

static void logf_(pool *p, const char *fmt, ...)
{
  if(!p->ld || !p->ld->log)
    return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  p->ld->log(p->ld->log_ud, msg);
}

/* {====== requests ====== */

static void queue_remove(pool *p, xreq *r)
{
  if(!r->queued)
    return;
  xreq **pp = &p->qhead;
  xreq *prev = NULL;
  while(*pp && *pp != r) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  if(*pp) {
    *pp = r->next;
    if(p->qtail == r)
      p->qtail = prev;
  }
  r->next = NULL;
  r->queued = 0;
}

static void queue_push(pool *p, xreq *r, int front)
{
  r->queued = 1;
  if(front) {
    r->next = p->qhead;
    p->qhead = r;
    if(!p->qtail)
      p->qtail = r;
    return;
  }
  r->next = NULL;
  if(p->qtail)
    p->qtail->next = r;
  else
    p->qhead = r;
  p->qtail = r;
}

/* Takes r away from the pool (queue, worker, timer). */
static void forget(xreq *r)
{
  pool *p = r->p;
  if(!p)
    return;
  queue_remove(p, r);
  if(r->w) {
    r->w->cur = NULL; /* the worker stays busy until it answers */
    r->w = NULL;
  }
  if(p->sched)
    ys_sched_timer_stop(p->sched, &r->timeout);
  r->p = NULL;
}

static void complete(xreq *r, char *reply, const char *error)
{
  r->reply = reply;
  r->error = error ? ys_xstrdup(error) : NULL;
  r->done = 1;
  ys_task *t = r->task;
  forget(r);
  if(t)
    ys_sched_wake(t, 0);
}

static int xreq_gc(lua_State *L)
{
  xreq **box = luaL_checkudata(L, 1, XREQ_MT);
  xreq *r = *box;
  if(r) {
    forget(r);
    free(r->line);
    free(r->reply);
    free(r->error);
    free(r);
    *box = NULL;
  }
  return 0;
}

static void on_cancel(ys_task *t)
{
  xreq *r = t->cancel_ud;
  r->task = NULL;
  forget(r);
}

/* }====== */

/* {====== workers ====== */

static void dispatch(pool *p);
static void worker_died(worker *w);

/* Writes to a pipe without SIGPIPE killing the process when the reader
 * is gone (EPIPE is handled as the worker's death instead). */
static ssize_t write_nosig(int fd, const void *buf, size_t len)
{
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = write(fd, buf, len);
  int e = errno;
  if(n < 0 && e == EPIPE) {
    struct timespec zero = { 0, 0 };
    while(sigtimedwait(&pipe_set, NULL, &zero) > 0)
      ;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return n;
}

static void watch_worker(worker *w);

static void flush_stdin(worker *w)
{
  while(w->woff < w->wbuf.len) {
    ssize_t n = write_nosig(ys_proc_stdin_fd(w->proc),
                            w->wbuf.data + w->woff, w->wbuf.len - w->woff);
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0 && errno == EAGAIN)
      break;
    if(n <= 0) {
      worker_died(w);
      return;
    }
    w->woff += (size_t)n;
  }
  if(w->woff >= w->wbuf.len) {
    ys_buf_reset(&w->wbuf);
    w->woff = 0;
  }
  watch_worker(w);
}

static void handle_line(worker *w, char *line)
{
  pool *p = w->p;
  if(!w->busy) {
    logf_(p, "exec worker %d: output while idle, ignored: %.200s", w->index,
          line);
    return;
  }
  xreq *r = w->cur;
  w->busy = 0;
  w->cur = NULL;
  w->answered++;
  p->early_deaths = 0;
  if(r) {
    r->w = NULL;
    complete(r, ys_xstrdup(line), NULL);
  }
  dispatch(p);
}

/* Splits buf at newlines, calling fn on each whole line; keeps the rest. */
static void take_lines(ys_buf *buf, worker *w,
                       void (*fn)(worker *, char *))
{
  size_t start = 0;
  for(size_t i = 0; i < buf->len; i++) {
    if(buf->data[i] != '\n')
      continue;
    buf->data[i] = '\0';
    char *line = buf->data + start;
    size_t n = i - start;
    if(n && line[n - 1] == '\r')
      line[n - 1] = '\0';
    fn(w, line);
    start = i + 1;
    if(!w->proc)
      return; /* the worker went away in fn */
  }
  if(start) {
    memmove(buf->data, buf->data + start, buf->len - start);
    buf->len -= start;
    buf->data[buf->len] = '\0';
  }
}

static void log_line(worker *w, char *line)
{
  if(line[0]) {
    logf_(w->p, "exec worker %d: %s", w->index, line);
    snprintf(w->p->last_err, sizeof(w->p->last_err), "%s", line);
  }
}

/* Reads what fd has into buf; returns 0 at end of file or on error. */
static int drain(int fd, ys_buf *buf)
{
  char chunk[65536];
  for(;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if(n > 0) {
      if(ys_buf_add(buf, chunk, (size_t)n))
        return 0; /* a line over the cap: treat the worker as broken */
      continue;
    }
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0 && errno == EAGAIN)
      return 1;
    return 0;
  }
}

/* An answer over the cap fails its request; the rest of that line is
 * skipped and the worker goes on with the next one. */
static void answer_too_long(worker *w)
{
  xreq *r = w->cur;
  w->busy = 0;
  w->cur = NULL;
  w->answered++;
  w->p->early_deaths = 0;
  if(r) {
    r->w = NULL;
    char msg[96];
    snprintf(msg, sizeof(msg), "exec: the worker's answer is longer than "
             "%zu MiB", LINE_MAX_BYTES >> 20);
    complete(r, NULL, msg);
  }
}

/* Reads what stdout has: answers, one per line, none over the cap. */
static int drain_answers(worker *w, int fd)
{
  char chunk[65536];
  for(;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0 && errno == EAGAIN)
      return 1;
    if(n <= 0)
      return 0;
    const char *p = chunk;
    size_t len = (size_t)n;
    if(w->discarding) {
      const char *nl = memchr(p, '\n', len);
      if(!nl)
        continue;
      w->discarding = 0;
      len -= (size_t)(nl + 1 - p);
      p = nl + 1;
    }
    if(ys_buf_add(&w->rbuf, p, len)) {
      /* The buffer is gone with the long line's start; whether the line
       * ends in this chunk decides what follows. */
      const char *nl = memchr(p, '\n', len);
      ys_buf_init(&w->rbuf, LINE_MAX_BYTES);
      answer_too_long(w);
      if(nl) {
        if(ys_buf_add(&w->rbuf, nl + 1, len - (size_t)(nl + 1 - p)))
          w->discarding = 1;
      }
      else
        w->discarding = 1;
      dispatch(w->p);
    }
    take_lines(&w->rbuf, w, handle_line);
    if(!w->proc)
      return 1;
  }
}

static void on_stdout(void *ud, int fd, int events)
{
  worker *w = ud;
  (void)events;
  int open = drain_answers(w, fd);
  if(!open && w->proc)
    worker_died(w);
}

static void on_stderr(void *ud, int fd, int events)
{
  worker *w = ud;
  (void)events;
  int open = drain(fd, &w->ebuf);
  take_lines(&w->ebuf, w, log_line);
  if(!open && w->proc)
    ys_sched_unwatch(w->p->sched, fd);
}

static void on_stdin(void *ud, int fd, int events)
{
  (void)fd;
  (void)events;
  flush_stdin(ud);
}

static void watch_worker(worker *w)
{
  if(!w->proc || !w->p->sched)
    return;
  int want_write = w->woff < w->wbuf.len;
  if(ys_sched_watch(w->p->sched, ys_proc_stdin_fd(w->proc),
                    want_write ? YS_IO_WRITE : 0, on_stdin, w))
    worker_died(w);
}

static ys_err start_worker(worker *w, ys_diag *diag)
{
  pool *p = w->p;
  ys_proc_opts o = { p->argv, 1, YS_PROC_STDERR_PIPE };
  ys_err err = ys_proc_spawn(&o, &w->proc, diag);
  if(err)
    return err;
  w->busy = 0;
  w->cur = NULL;
  w->answered = 0;
  ys_buf_reset(&w->wbuf);
  ys_buf_reset(&w->rbuf);
  ys_buf_reset(&w->ebuf);
  w->woff = 0;
  if(ys_sched_watch(p->sched, ys_proc_stdout_fd(w->proc), YS_IO_READ,
                    on_stdout, w) ||
     ys_sched_watch(p->sched, ys_proc_stderr_fd(w->proc), YS_IO_READ,
                    on_stderr, w) ||
     ys_sched_watch(p->sched, ys_proc_stdin_fd(w->proc), 0, on_stdin, w))
    return ys_fail(diag, YS_ERR_MODEL, NULL, 0, "cannot watch the pipes of "
                   "'%s'", p->argv[0]);
  return YS_OK;
}

static void stop_worker(worker *w)
{
  if(!w->proc)
    return;
  ys_sched *s = w->p->sched;
  if(s) {
    ys_sched_unwatch(s, ys_proc_stdin_fd(w->proc));
    ys_sched_unwatch(s, ys_proc_stdout_fd(w->proc));
    ys_sched_unwatch(s, ys_proc_stderr_fd(w->proc));
  }
  ys_proc_free(w->proc);
  w->proc = NULL;
}

static void worker_died(worker *w)
{
  pool *p = w->p;
  if(!w->proc)
    return;
  char how[128];
  ys_proc *proc = w->proc;
  /* Kill it for good (a timeout lands here while it still runs). */
  ys_proc_stop(proc, 1000);
  ys_proc_describe_exit(proc, how, sizeof(how));
  /* What it wrote to stderr last is worth showing. */
  drain(ys_proc_stderr_fd(proc), &w->ebuf);
  take_lines(&w->ebuf, w, log_line);
  stop_worker(w);
  xreq *r = w->cur;
  int was_busy = w->busy;
  w->cur = NULL;
  w->busy = 0;
  if(w->answered == 0)
    p->early_deaths++;
  if(r) {
    r->w = NULL;
    ys_sched_timer_stop(p->sched, &r->timeout);
    if(++r->attempts <= 1)
      queue_push(p, r, 1);
    else {
      char msg[512];
      snprintf(msg, sizeof(msg), "exec worker %s twice while handling "
               "this sample", how);
      complete(r, NULL, msg);
    }
  }
  (void)was_busy;
  if(p->early_deaths >= EARLY_DEATHS_TO_GIVE_UP) {
    /* Its own words, which -q would otherwise hide. */
    if(p->last_err[0])
      ys_sched_fail(p->sched, YS_ERR_MODEL, "exec: '%s' keeps exiting "
                    "before it answers (it %s); it said: %s", p->argv[0],
                    how, p->last_err);
    else
      ys_sched_fail(p->sched, YS_ERR_MODEL, "exec: '%s' keeps exiting "
                    "before it answers (it %s) without a word on stderr",
                    p->argv[0], how);
    return;
  }
  ys_diag d;
  if(start_worker(w, &d)) {
    ys_sched_fail(p->sched, YS_ERR_MODEL, "exec: cannot restart worker "
                  "%d: %s", w->index, d.msg);
    return;
  }
  dispatch(p);
}

static void on_timeout(ys_timer *t)
{
  xreq *r = (xreq *)((char *)t - offsetof(xreq, timeout));
  worker *w = r->w;
  if(w) {
    logf_(r->p, "exec worker %d: no answer within %.0f s, restarting it",
          w->index, r->p->timeout_ms / 1000);
    worker_died(w);
  }
}

static void dispatch(pool *p)
{
  if(!p->sched)
    return;
  for(int i = 0; i < p->nworkers && p->qhead; i++) {
    worker *w = &p->workers[i];
    if(!w->proc || w->busy)
      continue;
    xreq *r = p->qhead;
    queue_remove(p, r);
    w->busy = 1;
    w->cur = r;
    r->w = w;
    if(ys_buf_add(&w->wbuf, r->line, r->len)) {
      complete(r, NULL, "exec: request too large");
      w->busy = 0;
      w->cur = NULL;
      continue;
    }
    if(p->timeout_ms > 0)
      ys_sched_timer_start(p->sched, &r->timeout, p->timeout_ms);
    flush_stdin(w);
  }
}

/* The run is over: stop every worker, let go of the loop. */
static void on_sched_free(void *ud)
{
  pool *p = ud;
  for(int i = 0; i < p->nworkers; i++)
    stop_worker(&p->workers[i]);
  while(p->qhead) {
    xreq *r = p->qhead;
    queue_remove(p, r);
    r->p = NULL;
  }
  p->sched = NULL;
}

static ys_err bind_pool(pool *p, ys_sched *s, ys_diag *diag)
{
  p->sched = s;
  p->early_deaths = 0;
  ys_sched_on_free(s, on_sched_free, p);
  for(int i = 0; i < p->nworkers; i++) {
    ys_err err = start_worker(&p->workers[i], diag);
    if(err)
      return err;
  }
  return YS_OK;
}

/* }====== */

/* {====== Lua ====== */

static int pool_gc(lua_State *L)
{
  pool **box = luaL_checkudata(L, 1, POOL_MT);
  pool *p = *box;
  if(!p)
    return 0;
  for(int i = 0; i < p->nworkers; i++) {
    stop_worker(&p->workers[i]);
    ys_buf_free(&p->workers[i].wbuf);
    ys_buf_free(&p->workers[i].rbuf);
    ys_buf_free(&p->workers[i].ebuf);
  }
  free(p->workers);
  for(char **a = p->argv; a && *a; a++)
    free(*a);
  free(p->argv);
  free(p);
  *box = NULL;
  return 0;
}

static int exec_k(lua_State *L, int status, lua_KContext ctx);

/* backend.chat(self, request) for exec models: upvalue 1 is the pool. */
static int exec_chat(lua_State *L)
{
  pool **pbox = luaL_checkudata(L, lua_upvalueindex(1), POOL_MT);
  pool *p = *pbox;
  luaL_checktype(L, 2, LUA_TTABLE);
  ys_task *t = ys_sched_current(L);
  if(!p || !t || !lua_isyieldable(L))
    return luaL_error(L, "exec: can only be called while a sample is being "
                      "evaluated");
  /* The line: {id, messages, options, repeat, sample}. */
  lua_settop(L, 2);
  lua_createtable(L, 0, 5);
  static const char *const fields[] = { "id", "messages", "options",
                                        "repeat", "sample" };
  for(int i = 0; i < 5; i++) {
    lua_getfield(L, 2, fields[i]);
    lua_setfield(L, 3, fields[i]);
  }
  ys_buf *line = ys_lua_newbuf(L, LINE_MAX_BYTES); /* 4: freed by __gc */
  ys_diag d;
  if(ys_lua_encode_json(L, 3, line, &d))
    return luaL_error(L, "exec: the request cannot be sent: %s", d.msg);
  if(ys_buf_addc(line, '\n'))
    return luaL_error(L, "exec: request too large");
  xreq **box = lua_newuserdatauv(L, sizeof(xreq *), 0); /* 5 */
  *box = NULL;
  luaL_setmetatable(L, XREQ_MT);
  /* From here nothing raises before the yield. */
  xreq *r = *box = ys_xcalloc(1, sizeof(xreq));
  r->line = ys_xstrndup(ys_buf_str(line), line->len);
  r->len = line->len;
  r->task = t;
  r->timeout.cb = on_timeout;
  if(!p->sched) {
    if(bind_pool(p, t->sched, &d)) {
      ys_sched_fail(t->sched, YS_ERR_MODEL, "exec: %s", d.msg);
      r->error = ys_xasprintf("exec: %s", d.msg);
      r->done = 1;
      return exec_k(L, LUA_OK, 0);
    }
  }
  else if(p->sched != t->sched) {
    r->error = ys_xstrdup("exec: this model belongs to another run");
    r->done = 1;
    return exec_k(L, LUA_OK, 0);
  }
  r->p = p;
  queue_push(p, r, 0);
  ys_sched_block(t);
  t->cancel = on_cancel;
  t->cancel_ud = r;
  dispatch(p);
  return lua_yieldk(L, 0, 0, exec_k);
}

static long opt_count(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (long)v->valuedouble
                                                  : -1;
}

/* Whether JSON text s holds the escape \u0000 (outside an escaped
 * backslash). */
static int has_escaped_nul(const char *s)
{
  for(; *s; s++)
    if(*s == '\\') {
      if(s[1] == 'u' && !strncmp(s + 2, "0000", 4))
        return 1;
      if(s[1])
        s++; /* the escaped character, whatever it is */
    }
  return 0;
}

/* Continuation: the request's box is on top. */
static int exec_k(lua_State *L, int status, lua_KContext ctx)
{
  (void)status;
  (void)ctx;
  xreq **box = luaL_checkudata(L, -1, XREQ_MT);
  xreq *r = *box;
  if(r->error) {
    lua_pushstring(L, r->error);
    return lua_error(L);
  }
  cJSON **doc = ys_lua_json_box(L); /* freed by __gc whatever happens */
  const char *reply = r->reply ? r->reply : "";
  *doc = cJSON_Parse(reply);
  if(!cJSON_IsObject(*doc)) {
    /* lua_pushfstring has no precision: cut the line by hand. */
    char cut[124];
    snprintf(cut, sizeof(cut), "%s", reply);
    return luaL_error(L, "exec: the worker answered with a line that is "
                      "not a JSON object: %s%s", cut,
                      strlen(reply) >= sizeof(cut) ? "..." : "");
  }
  /* cJSON would cut a string at an escaped NUL without a word. */
  if(has_escaped_nul(reply))
    return luaL_error(L, "exec: the worker's answer holds \\u0000 (NUL "
                      "characters are not supported)");
  const cJSON *err = cJSON_GetObjectItemCaseSensitive(*doc, "error");
  if(err && !cJSON_IsNull(err)) {
    lua_pushfstring(L, "exec: %s", cJSON_IsString(err) ? err->valuestring
                    : "the worker reported an error");
    return lua_error(L);
  }
  const cJSON *text = cJSON_GetObjectItemCaseSensitive(*doc, "text");
  if(!cJSON_IsString(text))
    return luaL_error(L, "exec: the worker's answer has no string 'text'");
  lua_createtable(L, 0, 3);
  lua_pushstring(L, text->valuestring);
  lua_setfield(L, -2, "text");
  long in = opt_count(*doc, "input_tokens");
  long out = opt_count(*doc, "output_tokens");
  if(in >= 0) {
    lua_pushinteger(L, in);
    lua_setfield(L, -2, "input_tokens");
  }
  if(out >= 0) {
    lua_pushinteger(L, out);
    lua_setfield(L, -2, "output_tokens");
  }
  return 1;
}

/* ys.exec { cmd = {...}, workers = N, timeout = seconds } -> model */
static int l_exec(lua_State *L)
{
  static const char *const known[] = { "cmd", "workers", "timeout",
                                       "concurrency", "price", "hosting",
                                       "rpm", "tpm", NULL };
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushnil(L);
  while(lua_next(L, 1)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                   : "?";
    int ok = 0;
    for(const char *const *o = known; *o; o++)
      ok |= !strcmp(*o, k);
    if(!ok)
      return luaL_error(L, "exec: unknown option '%s' (expected cmd, "
                        "workers, timeout, concurrency, price, hosting, "
                        "rpm, tpm)",
                        k);
  }
  if(lua_getfield(L, 1, "cmd") != LUA_TTABLE || luaL_len(L, -1) < 1)
    return luaL_error(L, "exec: cmd = { \"program\", \"arg\", ... } is "
                      "required");
  int cmd = lua_gettop(L);
  lua_Integer n = luaL_len(L, cmd);
  for(lua_Integer i = 1; i <= n; i++) {
    if(lua_geti(L, cmd, i) != LUA_TSTRING)
      return luaL_error(L, "exec: cmd[%d] must be a string", (int)i);
    lua_pop(L, 1);
  }
  lua_Integer workers = 1;
  if(lua_getfield(L, 1, "workers") != LUA_TNIL) {
    workers = lua_tointeger(L, -1);
    if(!lua_isinteger(L, -1) || workers < 1 || workers > 256)
      return luaL_error(L, "exec: workers must be a whole number from 1 "
                        "to 256");
  }
  lua_pop(L, 1);
  double timeout = 600;
  if(lua_getfield(L, 1, "timeout") != LUA_TNIL) {
    timeout = lua_tonumber(L, -1);
    if(lua_type(L, -1) != LUA_TNUMBER || timeout <= 0)
      return luaL_error(L, "exec: timeout must be a positive number of "
                        "seconds");
  }
  lua_pop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, "ys.loader");
  ys_loader *ld = lua_touserdata(L, -1);
  lua_pop(L, 1);
  pool **box = lua_newuserdatauv(L, sizeof(pool *), 0);
  *box = NULL;
  luaL_setmetatable(L, POOL_MT);
  int pbox = lua_gettop(L);
  pool *p = *box = ys_xcalloc(1, sizeof(pool));
  p->nworkers = (int)workers;
  p->timeout_ms = timeout * 1000;
  p->ld = ld;
  p->argv = ys_xcalloc((size_t)n + 1, sizeof(char *));
  for(lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, cmd, i);
    p->argv[i - 1] = ys_xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  p->workers = ys_xcalloc((size_t)workers, sizeof(worker));
  for(int i = 0; i < p->nworkers; i++) {
    worker *w = &p->workers[i];
    w->p = p;
    w->index = i + 1;
    ys_buf_init(&w->wbuf, LINE_MAX_BYTES);
    ys_buf_init(&w->rbuf, LINE_MAX_BYTES);
    ys_buf_init(&w->ebuf, 1 << 20);
  }
  lua_createtable(L, 0, 6);
  lua_pushliteral(L, "exec");
  lua_setfield(L, -2, "kind");
  lua_pushvalue(L, pbox);
  lua_pushcclosure(L, exec_chat, 1);
  lua_setfield(L, -2, "chat");
  /* Pass the concurrency (default: the number of workers) and the other
   * common options on for the suite check. */
  if(lua_getfield(L, 1, "concurrency") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushinteger(L, workers);
  }
  lua_setfield(L, -2, "concurrency");
  static const char *const pass[] = { "price", "hosting", "rpm", "tpm" };
  for(int i = 0; i < 4; i++) {
    lua_getfield(L, 1, pass[i]);
    lua_setfield(L, -2, pass[i]);
  }
  ys_lua_record_where(L, -1, 1);
  return 1;
}

void ys_lua_add_exec(lua_State *L)
{
  if(luaL_newmetatable(L, POOL_MT)) {
    lua_pushcfunction(L, pool_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  if(luaL_newmetatable(L, XREQ_MT)) {
    lua_pushcfunction(L, xreq_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_exec);
  lua_setfield(L, -2, "exec");
}

/* }====== */
