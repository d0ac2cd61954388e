/* SPDX-License-Identifier: MIT */
/*
 * sched.c: the event loop. Ready tasks form a FIFO; timers (task sleeps
 * and transport timers alike) a binary heap ordered by (deadline, start
 * sequence) so equal deadlines keep their order; descriptors an epoll set.
 * Each task's coroutine stores its ys_task in the thread's extra space,
 * which is how C functions called from Lua find their task.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lua_host.h"
#include "sched.h"
#include "xalloc.h"

typedef struct watch {
  ys_io_fn cb;
  void *ud;
  int events;
} watch;

struct ys_sched {
  ys_sched_done_fn done;
  void *ud;
  ys_task *ready_head, *ready_tail;
  ys_timer **timers; /* heap */
  size_t ntimers, atimers;
  unsigned long seq;
  size_t alive;
  ys_task **all; /* every live task, for ys_sched_free */
  size_t nall, aall;
  int epfd;
  watch *watches; /* indexed by fd */
  size_t nwatches, awatches; /* nwatches: how many fds are watched */
  ys_err failure;
  char failure_msg[1024];
  struct on_free {
    void (*fn)(void *);
    void *ud;
  } *hooks;
  size_t nhooks;
};

ys_sched *ys_sched_new(ys_sched_done_fn done, void *ud)
{
  ys_sched *s = ys_xcalloc(1, sizeof(*s));
  s->done = done;
  s->ud = ud;
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  return s;
}

/* {====== timer heap ====== */

static int earlier(const ys_timer *a, const ys_timer *b)
{
  if(a->at != b->at)
    return a->at < b->at;
  return a->seq < b->seq;
}

static void heap_set(ys_sched *s, size_t i, ys_timer *t)
{
  s->timers[i] = t;
  t->slot = i + 1;
}

static void heap_up(ys_sched *s, size_t i)
{
  ys_timer *t = s->timers[i];
  while(i > 0) {
    size_t p = (i - 1) / 2;
    if(!earlier(t, s->timers[p]))
      break;
    heap_set(s, i, s->timers[p]);
    i = p;
  }
  heap_set(s, i, t);
}

static void heap_down(ys_sched *s, size_t i)
{
  ys_timer *t = s->timers[i];
  for(;;) {
    size_t c = 2 * i + 1;
    if(c >= s->ntimers)
      break;
    if(c + 1 < s->ntimers && earlier(s->timers[c + 1], s->timers[c]))
      c++;
    if(!earlier(s->timers[c], t))
      break;
    heap_set(s, i, s->timers[c]);
    i = c;
  }
  heap_set(s, i, t);
}

void ys_sched_timer_stop(ys_sched *s, ys_timer *t)
{
  if(!t->slot)
    return;
  size_t i = t->slot - 1;
  t->slot = 0;
  if(--s->ntimers == i)
    return;
  s->timers[i] = s->timers[s->ntimers];
  s->timers[i]->slot = i + 1;
  heap_down(s, i);
  heap_up(s, s->timers[i]->slot - 1);
}

void ys_sched_timer_start(ys_sched *s, ys_timer *t, double ms)
{
  ys_sched_timer_stop(s, t);
  t->at = ys_lua_clock_ms() + (ms > 0 ? ms : 0);
  t->seq = s->seq++;
  if(s->ntimers == s->atimers) {
    s->atimers = s->atimers ? s->atimers * 2 : 64;
    s->timers = ys_xrealloc(s->timers, s->atimers * sizeof(ys_timer *));
  }
  s->timers[s->ntimers] = t;
  heap_up(s, s->ntimers++);
}

/* Fires every due timer; returns how many fired. */
static size_t fire_timers(ys_sched *s)
{
  size_t n = 0;
  if(!s->ntimers)
    return 0;
  double now = ys_lua_clock_ms();
  while(s->ntimers && s->timers[0]->at <= now) {
    ys_timer *t = s->timers[0];
    ys_sched_timer_stop(s, t);
    t->cb(t);
    n++;
  }
  return n;
}

/* }====== */

/* {====== tasks ====== */

static void task_release(ys_sched *s, ys_task *t)
{
  ys_sched_timer_stop(s, &t->sleep);
  ys_task *last = s->all[--s->nall];
  s->all[t->live_index] = last;
  last->live_index = t->live_index;
  *(ys_task **)lua_getextraspace(t->co) = NULL;
  luaL_unref(t->L, LUA_REGISTRYINDEX, t->ref);
  s->alive--;
  free(t);
}

void ys_sched_free(ys_sched *s)
{
  if(!s)
    return;
  while(s->nall) {
    ys_task *t = s->all[s->nall - 1];
    if(t->cancel)
      t->cancel(t);
    task_release(s, t);
  }
  for(size_t i = 0; i < s->nhooks; i++)
    s->hooks[i].fn(s->hooks[i].ud);
  free(s->hooks);
  if(s->epfd >= 0)
    close(s->epfd);
  free(s->watches);
  free(s->all);
  free(s->timers);
  free(s);
}

size_t ys_sched_alive(const ys_sched *s)
{
  return s->alive;
}

ys_task *ys_sched_current(lua_State *co)
{
  return *(ys_task **)lua_getextraspace(co);
}

static void push_ready(ys_sched *s, ys_task *t)
{
  t->state = YS_TASK_READY;
  t->next_ready = NULL;
  if(s->ready_tail)
    s->ready_tail->next_ready = t;
  else
    s->ready_head = t;
  s->ready_tail = t;
}

static void sleep_done(ys_timer *tm)
{
  ys_task *t = (ys_task *)((char *)tm - offsetof(ys_task, sleep));
  ys_sched_wake(t, 0);
}

ys_task *ys_sched_spawn(ys_sched *s, lua_State *L, int nargs, void *ud)
{
  ys_task *t = ys_xcalloc(1, sizeof(*t));
  t->sched = s;
  t->L = L;
  t->co = lua_newthread(L);
  t->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  t->ctx_ref = LUA_NOREF;
  t->sleep.cb = sleep_done;
  *(ys_task **)lua_getextraspace(t->co) = t;
  lua_xmove(L, t->co, nargs + 1);
  t->nargs = nargs;
  t->ud = ud;
  if(s->nall == s->aall) {
    s->aall = s->aall ? s->aall * 2 : 64;
    s->all = ys_xrealloc(s->all, s->aall * sizeof(ys_task *));
  }
  t->live_index = s->nall;
  s->all[s->nall++] = t;
  s->alive++;
  push_ready(s, t);
  return t;
}

void ys_sched_sleep(ys_task *t, double ms)
{
  t->state = YS_TASK_WAITING;
  t->armed = 1;
  ys_sched_timer_start(t->sched, &t->sleep, ms);
}

void ys_sched_block(ys_task *t)
{
  t->state = YS_TASK_WAITING;
  t->armed = 1;
}

void ys_sched_wake(ys_task *t, int nres)
{
  t->armed = 1;
  t->nargs = nres;
  t->cancel = NULL;
  t->cancel_ud = NULL;
  push_ready(t->sched, t);
}

static void resume(ys_sched *s, ys_task *t)
{
  int nres = 0;
  t->armed = 0;
  /* Under the state's instruction limit for this slice: code that never
   * reaches a model call or ys.sleep fails instead of hanging the run. */
  ys_diag ignore;
  int status = ys_lua_resume(t->L, t->co, t->nargs, &nres, &ignore);
  t->nargs = 0;
  if(status == LUA_YIELD) {
    /* Whoever made it yield registered a wake-up. A bare yield would
     * leave the task stuck forever: end it with an error instead. */
    if(t->armed)
      return;
    lua_settop(t->co, 0);
    lua_pushliteral(t->co, "yield outside a model call or ys.sleep");
    status = LUA_ERRRUN;
  }
  t->state = YS_TASK_DONE;
  if(s->done)
    s->done(s->ud, t, status, nres);
  task_release(s, t);
}

/* }====== */

/* {====== descriptors ====== */

ys_err ys_sched_watch(ys_sched *s, int fd, int events, ys_io_fn cb,
                      void *ud)
{
  if(fd < 0 || s->epfd < 0)
    return YS_ERR_IO;
  if((size_t)fd >= s->awatches) {
    size_t n = s->awatches ? s->awatches : 64;
    while(n <= (size_t)fd)
      n *= 2;
    s->watches = ys_xrealloc(s->watches, n * sizeof(watch));
    memset(s->watches + s->awatches, 0, (n - s->awatches) * sizeof(watch));
    s->awatches = n;
  }
  watch *w = &s->watches[fd];
  struct epoll_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.events = (events & YS_IO_READ ? EPOLLIN : 0) |
              (events & YS_IO_WRITE ? EPOLLOUT : 0);
  ev.data.fd = fd;
  int op = w->cb ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if(epoll_ctl(s->epfd, op, fd, &ev) != 0)
    return YS_ERR_IO;
  if(!w->cb)
    s->nwatches++;
  w->cb = cb;
  w->ud = ud;
  w->events = events;
  return YS_OK;
}

void ys_sched_unwatch(ys_sched *s, int fd)
{
  if(fd < 0 || (size_t)fd >= s->awatches || !s->watches[fd].cb)
    return;
  /* The descriptor may be closed already; epoll forgets closed ones. */
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
  s->watches[fd].cb = NULL;
  s->nwatches--;
}

/* }====== */

void ys_sched_on_free(ys_sched *s, void (*fn)(void *ud), void *ud)
{
  s->hooks = ys_xrealloc(s->hooks, (s->nhooks + 1) * sizeof(*s->hooks));
  s->hooks[s->nhooks].fn = fn;
  s->hooks[s->nhooks].ud = ud;
  s->nhooks++;
}

void ys_sched_fail(ys_sched *s, ys_err err, const char *fmt, ...)
{
  if(s->failure)
    return;
  s->failure = err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->failure_msg, sizeof(s->failure_msg), fmt, ap);
  va_end(ap);
}

ys_err ys_sched_failure(const ys_sched *s, const char **msg)
{
  if(msg)
    *msg = s->failure_msg;
  return s->failure;
}

size_t ys_sched_step(ys_sched *s, int block)
{
  fire_timers(s);
  if(s->ready_head) {
    /* Resume only the tasks ready now; those woken meanwhile run next
     * step, so one step is bounded and the caller can start new tasks
     * as soon as some finished. */
    ys_task *tail = s->ready_tail;
    for(;;) {
      ys_task *t = s->ready_head;
      s->ready_head = t->next_ready;
      if(!s->ready_head)
        s->ready_tail = NULL;
      t->next_ready = NULL;
      t->state = YS_TASK_WAITING; /* until something wakes it */
      int last = t == tail;
      resume(s, t); /* may free t */
      if(last || !s->ready_head)
        break;
    }
    return s->alive;
  }
  if(!block)
    return s->alive;
  int timeout = -1;
  if(s->ntimers) {
    double dt = s->timers[0]->at - ys_lua_clock_ms();
    timeout = dt <= 0 ? 0 : (int)(dt + 0.999);
  }
  if(timeout < 0 && !s->nwatches)
    return s->alive; /* nothing could ever wake anyone: do not hang */
  /* Return at least every second, so the caller's periodic work (writing
   * finished results out) runs during long waits. */
  if(timeout < 0 || timeout > 1000)
    timeout = 1000;
  /* A signal cuts the wait short (EINTR); the caller loops, and so
   * notices an interrupt at once. */
  struct epoll_event evs[256];
  int n = epoll_wait(s->epfd, evs, 256, timeout);
  for(int i = 0; i < n; i++) {
    int fd = evs[i].data.fd;
    if((size_t)fd >= s->awatches || !s->watches[fd].cb)
      continue; /* unwatched by an earlier callback in this batch */
    int what = 0;
    if(evs[i].events & EPOLLIN)
      what |= YS_IO_READ;
    if(evs[i].events & EPOLLOUT)
      what |= YS_IO_WRITE;
    if(evs[i].events & (EPOLLERR | EPOLLHUP))
      what |= YS_IO_ERROR | YS_IO_READ;
    s->watches[fd].cb(s->watches[fd].ud, fd, what);
  }
  fire_timers(s);
  return s->alive;
}

/* {====== usage ====== */

void ys_usage_add(ys_usage *a, const ys_usage *b)
{
  a->calls += b->calls;
  a->input_tokens += b->input_tokens;
  a->output_tokens += b->output_tokens;
  a->cache_hits += b->cache_hits;
  a->latency_ms += b->latency_ms;
  a->cost += b->cost;
  if(b->estimated)
    a->estimated = 1;
}

void ys_usage_list_add(ys_usage_list *list, void *model, const ys_usage *u)
{
  size_t i = 0;
  while(i < list->n && list->v[i].model != model)
    i++;
  if(i == list->n) {
    if(list->n == list->cap) {
      list->cap = list->cap ? list->cap * 2 : 2;
      list->v = ys_xrealloc(list->v, list->cap * sizeof(*list->v));
    }
    memset(&list->v[i], 0, sizeof(list->v[i]));
    list->v[i].model = model;
    list->n++;
  }
  ys_usage_add(&list->v[i].usage, u);
}

void ys_usage_list_free(ys_usage_list *list)
{
  free(list->v);
  list->v = NULL;
  list->n = list->cap = 0;
}

/* }====== */
