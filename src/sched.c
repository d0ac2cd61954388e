/* SPDX-License-Identifier: MIT */
/*
 * sched.c: the event loop. Ready tasks form a FIFO; timers a binary heap
 * ordered by (wake time, spawn sequence) so equal deadlines keep their
 * order. Each task's coroutine stores its ys_task in the thread's extra
 * space, which is how C functions called from Lua find their task.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "lua_host.h"
#include "sched.h"
#include "xalloc.h"

#define MAX_SOURCES 4

struct ys_sched {
  ys_sched_done_fn done;
  void *ud;
  ys_task *ready_head, *ready_tail;
  ys_task **timers; /* heap */
  size_t ntimers, atimers;
  size_t alive;
  unsigned long seq;
  ys_sched_source sources[MAX_SOURCES];
  size_t nsources;
  ys_task **all; /* every live task, for ys_sched_free */
  size_t nall, aall;
};

ys_sched *ys_sched_new(ys_sched_done_fn done, void *ud)
{
  ys_sched *s = ys_xcalloc(1, sizeof(*s));
  s->done = done;
  s->ud = ud;
  return s;
}

static void heap_remove(ys_sched *s, ys_task *t);

static void task_release(ys_sched *s, ys_task *t)
{
  /* A task can end with a timer still set (a C function registered a
   * sleep and then raised instead of yielding): take it out. */
  if(t->timer_slot)
    heap_remove(s, t);
  /* Swap-remove from the live list. */
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
  while(s->nall)
    task_release(s, s->all[s->nall - 1]);
  free(s->all);
  free(s->timers);
  free(s);
}

void ys_sched_add_source(ys_sched *s, const ys_sched_source *src)
{
  if(s->nsources < MAX_SOURCES)
    s->sources[s->nsources++] = *src;
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

ys_task *ys_sched_spawn(ys_sched *s, lua_State *L, int nargs, void *ud)
{
  ys_task *t = ys_xcalloc(1, sizeof(*t));
  t->sched = s;
  t->L = L;
  t->co = lua_newthread(L);
  t->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  t->ctx_ref = LUA_NOREF;
  *(ys_task **)lua_getextraspace(t->co) = t;
  lua_xmove(L, t->co, nargs + 1);
  t->nargs = nargs;
  t->ud = ud;
  t->seq = s->seq++;
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

/* {====== timer heap ====== */

static int earlier(const ys_task *a, const ys_task *b)
{
  if(a->wake_at != b->wake_at)
    return a->wake_at < b->wake_at;
  return a->seq < b->seq;
}

static void heap_set(ys_sched *s, size_t i, ys_task *t)
{
  s->timers[i] = t;
  t->timer_slot = i + 1;
}

static void heap_up(ys_sched *s, size_t i)
{
  ys_task *t = s->timers[i];
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
  ys_task *t = s->timers[i];
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

static ys_task *heap_pop(ys_sched *s)
{
  ys_task *top = s->timers[0];
  top->timer_slot = 0;
  if(--s->ntimers) {
    s->timers[0] = s->timers[s->ntimers];
    heap_down(s, 0);
  }
  return top;
}

static void heap_remove(ys_sched *s, ys_task *t)
{
  size_t i = t->timer_slot - 1;
  t->timer_slot = 0;
  if(--s->ntimers == i)
    return;
  s->timers[i] = s->timers[s->ntimers];
  s->timers[i]->timer_slot = i + 1;
  heap_down(s, i);
  heap_up(s, s->timers[i]->timer_slot - 1);
}

void ys_sched_sleep(ys_task *t, double ms)
{
  ys_sched *s = t->sched;
  t->state = YS_TASK_WAITING;
  t->armed = 1;
  t->wake_at = ys_lua_clock_ms() + (ms > 0 ? ms : 0);
  if(s->ntimers == s->atimers) {
    s->atimers = s->atimers ? s->atimers * 2 : 64;
    s->timers = ys_xrealloc(s->timers, s->atimers * sizeof(ys_task *));
  }
  s->timers[s->ntimers] = t;
  heap_up(s, s->ntimers++);
}

/* }====== */

void ys_sched_block(ys_task *t)
{
  t->state = YS_TASK_WAITING;
  t->armed = 1;
}

void ys_sched_wake(ys_task *t, int nres)
{
  t->armed = 1;
  t->nargs = nres;
  push_ready(t->sched, t);
}

static void fire_timers(ys_sched *s)
{
  if(!s->ntimers)
    return;
  double now = ys_lua_clock_ms();
  while(s->ntimers && s->timers[0]->wake_at <= now) {
    ys_task *t = heap_pop(s);
    ys_sched_wake(t, 0);
  }
}

static void resume(ys_sched *s, ys_task *t)
{
  int nres = 0;
  t->armed = 0;
  int status = lua_resume(t->co, t->L, t->nargs, &nres);
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
  if(!block || !s->alive)
    return s->alive;
  /* Nothing ready: wait for the earliest timer or a source event. */
  int timeout = -1;
  if(s->ntimers) {
    double dt = s->timers[0]->wake_at - ys_lua_clock_ms();
    timeout = dt <= 0 ? 0 : (int)(dt + 0.999);
  }
  int waited = 0;
  for(size_t i = 0; i < s->nsources; i++) {
    if(s->sources[i].pending(s->sources[i].ud)) {
      s->sources[i].wait(s->sources[i].ud, timeout);
      waited = 1;
      break;
    }
  }
  if(!waited && timeout > 0) {
    /* A signal cuts the wait short; the caller loops (and so notices an
     * interrupt at once). */
    struct timespec ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };
    nanosleep(&ts, NULL);
  }
  fire_timers(s);
  return s->alive;
}
