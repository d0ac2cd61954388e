/* SPDX-License-Identifier: MIT */
/*
 * sched.h: the event loop. A task is a Lua coroutine; code running in it
 * that must wait (a model call in flight, a timer) registers what it waits
 * for here and yields; the loop resumes it when that completes. The loop
 * knows nothing about samples or models: the runner decides what to spawn
 * and gets each task back through a callback when it ends. Waiting sources
 * (the curl multi handle, worker pipes) plug in as ys_sched_source. Uses Lua.
 */
#ifndef YS_SCHED_H
#define YS_SCHED_H

#include <lua.h>

#include "err.h"

typedef struct ys_sched ys_sched;

/* What a task spent on model calls; filled by model.c. */
typedef struct ys_usage {
  long calls;
  long input_tokens, output_tokens;
  double latency_ms; /* summed over calls */
  double cost;       /* in the price unit of the model (USD) */
} ys_usage;

typedef enum {
  YS_TASK_READY,   /* to be resumed */
  YS_TASK_WAITING, /* yielded, waiting for a timer or a source */
  YS_TASK_DONE
} ys_task_state;

typedef struct ys_task {
  ys_sched *sched;
  lua_State *co;    /* the coroutine */
  int ref;          /* keeps co alive in the owning state's registry */
  lua_State *L;     /* owning state */
  ys_task_state state;
  int nargs;        /* values on co's stack to pass to the next resume */
  void *ud;         /* the spawner's data */
  void *own_model;  /* the model under test in this task (for usage) */
  int ctx_ref;      /* the task's ctx table in L's registry, or LUA_NOREF */
  ys_usage usage;   /* calls to own_model */
  struct ys_task *next_ready;
  size_t timer_slot; /* index in the timer heap + 1; 0 when none */
  double wake_at;
  unsigned long seq;
  int armed;        /* a wake-up is registered for the current yield */
  size_t live_index; /* position in the loop's list of live tasks */
} ys_task;

/* Called when a task ends. status is LUA_OK (results on task->co's stack,
 * nres of them) or an error status (message on top of task->co). The task
 * is freed after the callback returns. */
typedef void (*ys_sched_done_fn)(void *ud, ys_task *task, int status,
                                 int nres);

/* A source of completions other than timers (curl, pipes). wait() blocks at
 * most timeout_ms (-1: until something happens) and then wakes whatever
 * tasks completed with ys_sched_wake; pending() says whether it has work
 * in flight. */
typedef struct ys_sched_source {
  int (*pending)(void *ud);
  void (*wait)(void *ud, int timeout_ms);
  void *ud;
} ys_sched_source;

ys_sched *ys_sched_new(ys_sched_done_fn done, void *ud);
/* Frees the loop; tasks still alive are abandoned (their threads are
 * released, their done callback is not called). */
void ys_sched_free(ys_sched *s);

/* [-(nargs+1), +0, -] Spawns a task running the function below nargs
 * arguments on L's stack. It first runs at the next ys_sched_step. */
ys_task *ys_sched_spawn(ys_sched *s, lua_State *L, int nargs, void *ud);

/* Runs ready tasks, fires due timers, and when block is set and nothing is
 * ready, waits for the next timer or source event. Returns the number of
 * tasks still alive. */
size_t ys_sched_step(ys_sched *s, int block);

size_t ys_sched_alive(const ys_sched *s);

void ys_sched_add_source(ys_sched *s, const ys_sched_source *src);

/* The task running in coroutine co, or NULL outside a task. The state
 * must come from ys_lua_new (which zeroes the main thread's extra space,
 * copied into every new thread); Lua itself leaves it uninitialised. */
ys_task *ys_sched_current(lua_State *co);

/* Makes the current task wait ms milliseconds; the caller then yields
 * with lua_yield(co, 0). */
void ys_sched_sleep(ys_task *t, double ms);

/* Marks the current task as waiting on a source, which will call
 * ys_sched_wake; the caller then yields. */
void ys_sched_block(ys_task *t);

/* Marks a waiting task ready, with nres values already pushed on its
 * coroutine to be returned from the yield. */
void ys_sched_wake(ys_task *t, int nres);

#endif
