/* SPDX-License-Identifier: MIT */
/*
 * sched.h: the event loop. A task is a Lua coroutine; code running in it
 * that must wait (a model call in flight, a timer) registers what it waits
 * for here and yields; the loop resumes it when that completes. The loop
 * knows nothing about samples or models: the runner decides what to spawn
 * and gets each task back through a callback when it ends. Transports
 * (curl's sockets, worker pipes) watch file descriptors and set timers on
 * the same loop, which waits for all of them at once with epoll(7).
 * Uses Lua.
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
  long cache_hits;   /* calls answered from the response cache */
  int estimated;     /* some token counts were estimated, not reported */
  double latency_ms; /* summed over calls */
  double cost;       /* in the price unit of the model (USD) */
} ys_usage;

/* Calls a task made to models other than its own (a judge, a model it
 * asked through ctx.models), by model: what a run journal records so a
 * resumed run can count them again. model is a ys_model. */
typedef struct ys_model_usage {
  void *model;
  ys_usage usage;
} ys_model_usage;

typedef struct ys_usage_list {
  ys_model_usage *v;
  size_t n, cap;
} ys_usage_list;

/* Adds u to model's entry in list (made if new). */
void ys_usage_list_add(ys_usage_list *list, void *model, const ys_usage *u);
void ys_usage_list_free(ys_usage_list *list);

/* Adds b into a. */
void ys_usage_add(ys_usage *a, const ys_usage *b);

/* A timer: embed one, set cb, then start it. The callback runs from the
 * loop (never from inside a task). */
typedef struct ys_timer {
  void (*cb)(struct ys_timer *t);
  double at;         /* monotonic ms */
  unsigned long seq; /* keeps equal deadlines in start order */
  size_t slot;       /* heap index + 1; 0 when not running */
} ys_timer;

typedef enum {
  YS_TASK_READY,   /* to be resumed */
  YS_TASK_WAITING, /* yielded, waiting for a timer or a transport */
  YS_TASK_DONE
} ys_task_state;

typedef struct ys_task ys_task;

struct ys_task {
  ys_sched *sched;
  lua_State *co;    /* the coroutine */
  int ref;          /* keeps co alive in the owning state's registry */
  lua_State *L;     /* owning state */
  ys_task_state state;
  int nargs;        /* values on co's stack to pass to the next resume */
  void *ud;         /* the spawner's data */
  void *own_model;  /* the model under test in this task (for usage), or
                     * YS_TASK_ANY_MODEL: every call counts here */
  int ctx_ref;      /* the task's ctx table in L's registry, or LUA_NOREF */
  int repeat;       /* repeat index (0-based), part of cache keys */
  int call_cached;  /* the current model call was answered from cache */
  ys_usage usage;   /* calls to own_model */
  ys_usage_list *others; /* calls to other models, or NULL: not kept */
  ys_task *next_ready;
  ys_timer sleep;   /* ys_sched_sleep */
  int armed;        /* a wake-up is registered for the current yield */
  size_t live_index; /* position in the loop's list of live tasks */
  /* Set by a transport that made the task wait, called if the task is
   * abandoned while waiting so the transport forgets it. */
  void (*cancel)(ys_task *t);
  void *cancel_ud;
  /* Called by model.c when a model call ends, ok or not (the response
   * cache commits what the call staged only when it was ok). */
  void (*settle)(ys_task *t, int ok);
  void *settle_ud;
};

#define YS_TASK_ANY_MODEL ((void *)1)

/* Called when a task ends. status is LUA_OK (results on task->co's stack,
 * nres of them) or an error status (message on top of task->co). The task
 * is freed after the callback returns. */
typedef void (*ys_sched_done_fn)(void *ud, ys_task *task, int status,
                                 int nres);

ys_sched *ys_sched_new(ys_sched_done_fn done, void *ud);
/* Frees the loop; tasks still alive are abandoned (their cancel hooks run,
 * their threads are released, their done callback is not called). */
void ys_sched_free(ys_sched *s);

/* [-(nargs+1), +0, -] Spawns a task running the function below nargs
 * arguments on L's stack. It first runs at the next ys_sched_step. */
ys_task *ys_sched_spawn(ys_sched *s, lua_State *L, int nargs, void *ud);

/* Runs the tasks ready now and returns if there were any; otherwise, when
 * block is set, waits for the next timer or watched descriptor (or a
 * signal, or a second at most), runs what that made due, and returns.
 * Returns the number of tasks still alive. */
size_t ys_sched_step(ys_sched *s, int block);

size_t ys_sched_alive(const ys_sched *s);

/* The task running in coroutine co, or NULL outside a task. The state
 * must come from ys_lua_new (which zeroes the main thread's extra space,
 * copied into every new thread); Lua itself leaves it uninitialised. */
ys_task *ys_sched_current(lua_State *co);

/* Makes the current task wait ms milliseconds; the caller then yields
 * with lua_yield(co, 0). */
void ys_sched_sleep(ys_task *t, double ms);

/* Marks the current task as waiting on a transport, which will call
 * ys_sched_wake; the caller then yields. */
void ys_sched_block(ys_task *t);

/* Marks a waiting task ready, with nres values already pushed on its
 * coroutine to be returned from the yield. */
void ys_sched_wake(ys_task *t, int nres);

/* {====== for transports ====== */

/* Starts (or restarts) t to fire in ms milliseconds; stops it. */
void ys_sched_timer_start(ys_sched *s, ys_timer *t, double ms);
void ys_sched_timer_stop(ys_sched *s, ys_timer *t);

enum { YS_IO_READ = 1u << 0, YS_IO_WRITE = 1u << 1, YS_IO_ERROR = 1u << 2 };
typedef void (*ys_io_fn)(void *ud, int fd, int events);
/* Watches fd for events (YS_IO_READ | YS_IO_WRITE), replacing an earlier
 * watch of fd; cb gets what happened (errors and hang-ups as YS_IO_ERROR,
 * with READ). Errors: YS_ERR_IO. */
ys_err ys_sched_watch(ys_sched *s, int fd, int events, ys_io_fn cb,
                      void *ud) YS_WARN_UNUSED;
void ys_sched_unwatch(ys_sched *s, int fd);

/* Calls fn(ud) when the loop is freed, after abandoned tasks were
 * cancelled: a transport holding descriptors or timers on this loop lets
 * go of them there. */
void ys_sched_on_free(ys_sched *s, void (*fn)(void *ud), void *ud);

/* Records a failure that must stop the whole run (a rejected API key, a
 * host that cannot be resolved): the first message wins. */
void ys_sched_fail(ys_sched *s, ys_err err, const char *fmt, ...)
  YS_PRINTF(3, 4);
/* The recorded failure (YS_OK when none) and its message. */
ys_err ys_sched_failure(const ys_sched *s, const char **msg);

/* The loop a task runs on, for transports that keep one state per loop. */
#define ys_task_sched(t) ((t)->sched)

/* }====== */

#endif
