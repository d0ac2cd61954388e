/* SPDX-License-Identifier: MIT */
/*
 * check_sched.c: unit tests for src/sched.h, the event loop. Tasks are Lua
 * chunks run in a luaL_newstate with all libraries (coroutine included);
 * the C globals sleep(ms) and block() register a wake-up and yield, as
 * model.c and ys.sleep do. A done callback records each task's end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <lauxlib.h>
#include <lualib.h>

#include "lua_host.h"
#include "sched.h"

/* {====== fixture ====== */

#define MAX_DONE 128

/* What the done callback saw, in completion order. */
typedef struct done_log {
  int n;
  const char *label[MAX_DONE]; /* the task's ud */
  int status[MAX_DONE];
  int nres[MAX_DONE];
  char text[MAX_DONE][256];    /* results joined by ",", or the error */
  double at[MAX_DONE];         /* ys_lua_clock_ms() at completion */
} done_log;

/* A completion source standing in for curl: block() parks the task here
 * and the source's wait() wakes it with two values. */
typedef struct fake_source {
  ys_task *held;
  int nwaits;
  int last_events;
  int cancelled;
} fake_source;

static lua_State *L;
static ys_sched *sched;
static done_log dlog;
static fake_source src;

static void on_done(void *ud, ys_task *t, int status, int nres)
{
  done_log *d = ud;
  ck_assert_int_lt(d->n, MAX_DONE);
  int i = d->n++;
  d->label[i] = t->ud;
  d->status[i] = status;
  d->nres[i] = nres;
  d->at[i] = ys_lua_clock_ms();
  d->text[i][0] = '\0';
  ck_assert_ptr_eq(t->sched, sched);
  ck_assert_int_eq(t->state, YS_TASK_DONE);
  if(status != LUA_OK) {
    const char *msg = lua_tostring(t->co, -1);
    snprintf(d->text[i], sizeof(d->text[i]), "%s", msg ? msg : "(none)");
    return;
  }
  size_t len = 0;
  for(int k = 0; k < nres; k++) {
    const char *s = luaL_tolstring(t->co, -nres + k, NULL);
    len += (size_t)snprintf(d->text[i] + len, sizeof(d->text[i]) - len,
                            "%s%s", k ? "," : "", s);
    lua_pop(t->co, 1);
    ck_assert_uint_lt(len, sizeof(d->text[i]));
  }
}

/* sleep(ms): waits ms milliseconds inside a task. */
static int l_sleep(lua_State *co)
{
  double ms = luaL_checknumber(co, 1);
  ys_task *t = ys_sched_current(co);
  if(!t)
    return luaL_error(co, "sleep outside a task");
  ys_sched_sleep(t, ms);
  return lua_yield(co, 0);
}

/* sleep_until(ms): waits until ys_lua_clock_ms() reaches ms, so tasks that
 * start at slightly different times can share one time base. */
static int l_sleep_until(lua_State *co)
{
  double at = luaL_checknumber(co, 1);
  ys_task *t = ys_sched_current(co);
  if(!t)
    return luaL_error(co, "sleep_until outside a task");
  ys_sched_sleep(t, at - ys_lua_clock_ms());
  return lua_yield(co, 0);
}

/* block(): waits until the fake source wakes the task. */
static int l_block(lua_State *co)
{
  ys_task *t = ys_sched_current(co);
  if(!t)
    return luaL_error(co, "block outside a task");
  src.held = t;
  ys_sched_block(t);
  return lua_yield(co, 0);
}

/* current(): the running task as a light userdata (nil outside one). */
static int l_current(lua_State *co)
{
  ys_task *t = ys_sched_current(co);
  if(t)
    lua_pushlightuserdata(co, t);
  else
    lua_pushnil(co);
  return 1;
}

static double now_ms(void)
{
  return ys_lua_clock_ms();
}

/* The fake transport: a pipe. When it is readable, the blocked task is
 * woken with (42, "reply"). */
static void on_readable(void *ud, int fd, int events)
{
  fake_source *f = ud;
  char c;
  f->nwaits++;
  f->last_events = events;
  if(read(fd, &c, 1) != 1 || !f->held)
    return;
  ys_task *t = f->held;
  f->held = NULL;
  lua_pushinteger(t->co, 42);
  lua_pushliteral(t->co, "reply");
  ys_sched_wake(t, 2);
}

static void on_cancel(ys_task *t)
{
  (void)t;
  src.cancelled++;
}

typedef struct fired {
  ys_timer timer;
  int n;
} fired;

static void on_timer(ys_timer *t)
{
  ((fired *)t)->n++;
}

static void setup(void)
{
  memset(&dlog, 0, sizeof(dlog));
  memset(&src, 0, sizeof(src));
  L = luaL_newstate();
  ck_assert_ptr_nonnull(L);
  /* sched.h: the main thread's extra space must start zeroed, as
   * ys_lua_new leaves it; Lua itself leaves it uninitialised. */
  memset(lua_getextraspace(L), 0, LUA_EXTRASPACE);
  luaL_openlibs(L);
  lua_register(L, "sleep", l_sleep);
  lua_register(L, "sleep_until", l_sleep_until);
  lua_register(L, "block", l_block);
  lua_register(L, "current", l_current);
  sched = ys_sched_new(on_done, &dlog);
  ck_assert_ptr_nonnull(sched);
}

static void teardown(void)
{
  ys_sched_free(sched);
  sched = NULL;
  lua_close(L);
  L = NULL;
}

/* Spawns the chunk code with nargs integer arguments; label is the
 * task's ud. */
static ys_task *spawn(const char *code, const char *label, int nargs, ...)
{
  int top = lua_gettop(L);
  ck_assert_msg(luaL_loadstring(L, code) == LUA_OK, "load: %s",
                lua_tostring(L, -1));
  va_list ap;
  va_start(ap, nargs);
  for(int i = 0; i < nargs; i++)
    lua_pushinteger(L, va_arg(ap, int));
  va_end(ap);
  ys_task *t = ys_sched_spawn(sched, L, nargs, (void *)label);
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(lua_gettop(L), top); /* [-(nargs+1), +0] */
  return t;
}

/* Steps (blocking) until no task is alive; returns the number of steps. */
static int run_all(int max_steps)
{
  int steps = 0;
  while(ys_sched_alive(sched) && steps < max_steps) {
    ys_sched_step(sched, 1);
    steps++;
  }
  ck_assert_msg(ys_sched_alive(sched) == 0, "%zu tasks still alive after "
                "%d steps", ys_sched_alive(sched), steps);
  return steps;
}

/* The global Lua table name as its values joined by " ". */
static void expect_trace(const char *name, const char *want)
{
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "concat");
  lua_getglobal(L, name);
  lua_pushliteral(L, " ");
  ck_assert_int_eq(lua_pcall(L, 2, 1, 0), LUA_OK);
  ck_assert_str_eq(lua_tostring(L, -1), want);
  lua_pop(L, 2);
}

/* }====== */

/* {====== spawn and done ====== */

START_TEST(test_task_completes_with_its_results)
{
  spawn("local a, b = ...; return a + b, 'x', true", "sum", 2, 2, 3);
  run_all(10);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_str_eq(dlog.label[0], "sum");
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_int_eq(dlog.nres[0], 3);
  ck_assert_str_eq(dlog.text[0], "5,x,true");
}
END_TEST

START_TEST(test_task_returning_nothing_has_no_results)
{
  spawn("local x = 1", "empty", 0);
  run_all(10);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_int_eq(dlog.nres[0], 0);
}
END_TEST

START_TEST(test_spawned_task_runs_at_next_step)
{
  spawn("ran = true", "t", 0);
  lua_getglobal(L, "ran");
  ck_assert(lua_isnil(L, -1)); /* not run by spawn itself */
  lua_pop(L, 1);
  ck_assert_int_eq(dlog.n, 0);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 0);
  lua_getglobal(L, "ran");
  ck_assert(lua_toboolean(L, -1));
  lua_pop(L, 1);
  ck_assert_int_eq(dlog.n, 1);
}
END_TEST

START_TEST(test_task_error_gives_status_and_message)
{
  spawn("error('boom in task')", "bad", 0);
  spawn("return 1", "good", 0);
  run_all(10);
  ck_assert_int_eq(dlog.n, 2);
  ck_assert_str_eq(dlog.label[0], "bad");
  ck_assert_int_eq(dlog.status[0], LUA_ERRRUN);
  ck_assert_msg(strstr(dlog.text[0], "boom in task") != NULL,
                "message: %s", dlog.text[0]);
  ck_assert_str_eq(dlog.label[1], "good"); /* others are not affected */
  ck_assert_int_eq(dlog.status[1], LUA_OK);
  ck_assert_str_eq(dlog.text[1], "1");
}
END_TEST

START_TEST(test_task_error_after_sleep_gives_status_and_message)
{
  spawn("sleep(5); error('late failure')", "late", 0);
  run_all(50);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_ERRRUN);
  ck_assert_msg(strstr(dlog.text[0], "late failure") != NULL,
                "message: %s", dlog.text[0]);
}
END_TEST

START_TEST(test_sleep_returns_to_the_task)
{
  spawn("local t = {}; for i = 1, 3 do sleep(1); t[#t + 1] = i end; "
        "return table.concat(t, '-')", "loop", 0);
  run_all(50);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_str_eq(dlog.text[0], "1-2-3");
}
END_TEST

/* }====== */

/* {====== timers ====== */

START_TEST(test_sleeping_tasks_finish_in_deadline_order)
{
  double t0 = ys_lua_clock_ms();
  spawn("sleep(30); return 30", "a30", 0);
  spawn("sleep(10); return 10", "b10", 0);
  spawn("sleep(20); return 20", "c20", 0);
  run_all(100);
  ck_assert_int_eq(dlog.n, 3);
  ck_assert_str_eq(dlog.label[0], "b10");
  ck_assert_str_eq(dlog.label[1], "c20");
  ck_assert_str_eq(dlog.label[2], "a30");
  /* Nobody wakes before its time. */
  ck_assert_double_ge(dlog.at[0] - t0, 10.0);
  ck_assert_double_ge(dlog.at[1] - t0, 20.0);
  ck_assert_double_ge(dlog.at[2] - t0, 30.0);
}
END_TEST

START_TEST(test_equal_deadlines_keep_spawn_order)
{
  static const char *const names[] = { "t0", "t1", "t2", "t3", "t4", "t5" };
  for(int i = 0; i < 6; i++)
    spawn("sleep(15)", names[i], 0);
  run_all(100);
  ck_assert_int_eq(dlog.n, 6);
  for(int i = 0; i < 6; i++)
    ck_assert_str_eq(dlog.label[i], names[i]);
}
END_TEST

START_TEST(test_many_timers_come_out_sorted)
{
  /* Enough timers to grow the heap past its first allocation (64). The
   * deadlines are absolute, 1 ms apart from 200 ms on, so how long the
   * first step takes to start them all (valgrind) cannot reorder them. */
  static char labels[100][8];
  lua_pushnumber(L, ys_lua_clock_ms() + 200);
  lua_setglobal(L, "base");
  for(int i = 0; i < 100; i++) {
    int k = (i * 37) % 100; /* a permutation of 0..99 */
    snprintf(labels[i], sizeof(labels[i]), "%d", k);
    spawn("local k = ...; sleep_until(base + k); trace[#trace + 1] = k",
          labels[i], 1, k);
  }
  ck_assert_int_eq(luaL_dostring(L, "trace = {}"), LUA_OK);
  run_all(1000);
  lua_getglobal(L, "trace");
  ck_assert_int_eq((int)luaL_len(L, -1), 100);
  for(int i = 1; i <= 100; i++) {
    lua_rawgeti(L, -1, i);
    ck_assert_int_eq((int)lua_tointeger(L, -1), i - 1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}
END_TEST

START_TEST(test_sleep_zero_lets_other_tasks_run)
{
  ck_assert_int_eq(luaL_dostring(L, "trace = {}"), LUA_OK);
  spawn("for i = 1, 3 do trace[#trace + 1] = 'A' .. i; sleep(0) end", "A",
        0);
  spawn("for i = 1, 3 do trace[#trace + 1] = 'B' .. i; sleep(0) end", "B",
        0);
  run_all(50);
  expect_trace("trace", "A1 B1 A2 B2 A3 B3");
}
END_TEST

START_TEST(test_nonblocking_step_does_not_wait)
{
  spawn("sleep(300)", "slow", 0);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 1); /* runs it to its sleep */
  double t0 = ys_lua_clock_ms();
  ck_assert_uint_eq(ys_sched_step(sched, 0), 1);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 1);
  ck_assert_double_lt(ys_lua_clock_ms() - t0, 100.0);
  ck_assert_int_eq(dlog.n, 0);
}
END_TEST

START_TEST(test_blocking_step_sleeps_until_the_timer)
{
  spawn("sleep(40)", "t", 0);
  double t0 = ys_lua_clock_ms();
  int steps = run_all(100);
  double dt = ys_lua_clock_ms() - t0;
  ck_assert_double_ge(dt, 40.0);
  ck_assert_double_lt(dt, 2000.0);
  /* Waiting is one nanosleep, not a busy loop of steps. */
  ck_assert_int_le(steps, 5);
}
END_TEST

/* }====== */

/* {====== alive ====== */

START_TEST(test_alive_counts_live_tasks)
{
  ck_assert_uint_eq(ys_sched_alive(sched), 0);
  spawn("sleep(1)", "a", 0);
  spawn("sleep(30)", "b", 0);
  spawn("return 1", "c", 0);
  ck_assert_uint_eq(ys_sched_alive(sched), 3);
  /* The first step ends c and leaves a and b sleeping. */
  ck_assert_uint_eq(ys_sched_step(sched, 0), 2);
  ck_assert_uint_eq(ys_sched_alive(sched), 2);
  while(dlog.n < 2)
    ys_sched_step(sched, 1);
  ck_assert_str_eq(dlog.label[1], "a");
  ck_assert_uint_eq(ys_sched_alive(sched), 1);
  run_all(50);
  ck_assert_uint_eq(ys_sched_alive(sched), 0);
  ck_assert_uint_eq(ys_sched_step(sched, 1), 0); /* nothing left: returns */
}
END_TEST

START_TEST(test_errored_task_is_no_longer_alive)
{
  spawn("error('x')", "e", 0);
  ck_assert_uint_eq(ys_sched_alive(sched), 1);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 0);
  ck_assert_uint_eq(ys_sched_alive(sched), 0);
}
END_TEST

/* }====== */

/* {====== bare yields ====== */

START_TEST(test_bare_yield_ends_task_with_error)
{
  spawn("coroutine.yield()", "y", 0);
  run_all(10);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_ne(dlog.status[0], LUA_OK);
  ck_assert_int_ne(dlog.status[0], LUA_YIELD);
  ck_assert_msg(strstr(dlog.text[0], "yield") != NULL, "message: %s",
                dlog.text[0]);
  ck_assert_uint_eq(ys_sched_alive(sched), 0);
}
END_TEST

START_TEST(test_bare_yield_with_values_ends_task_with_error)
{
  spawn("sleep(1); coroutine.yield(1, 2, 3); return 'not reached'", "y", 0);
  run_all(50);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_ERRRUN);
  ck_assert_msg(strstr(dlog.text[0], "yield") != NULL, "message: %s",
                dlog.text[0]);
}
END_TEST

START_TEST(test_inner_coroutine_yield_is_not_a_task_yield)
{
  /* A coroutine the task makes itself yields to the task, not the loop. */
  spawn("local co = coroutine.wrap(function() coroutine.yield(7) end); "
        "return co()", "inner", 0);
  run_all(10);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_str_eq(dlog.text[0], "7");
}
END_TEST

/* }====== */

/* {====== current ====== */

START_TEST(test_current_is_null_on_main_thread)
{
  /* A state as the project makes them (ys_lua_new), not the fixture's. */
  lua_State *S = ys_lua_new((size_t)1 << 20, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  ys_task *t = ys_sched_current(S);
  ys_lua_close(S);
  ck_assert_ptr_null(t);
  ck_assert_ptr_null(ys_sched_current(L));
}
END_TEST

START_TEST(test_current_is_null_in_a_thread_outside_the_loop)
{
  lua_State *S = ys_lua_new((size_t)1 << 20, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  ys_task *t = ys_sched_current(lua_newthread(S));
  ys_lua_close(S);
  ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_current_is_null_after_the_task_ended)
{
  ck_assert_int_eq(luaL_dostring(L, "seen = {}"), LUA_OK);
  spawn("seen.co = coroutine.running()", "t", 0);
  run_all(10);
  lua_getglobal(L, "seen");
  lua_getfield(L, -1, "co");
  lua_State *co = lua_tothread(L, -1);
  ck_assert_ptr_nonnull(co);
  ck_assert_ptr_null(ys_sched_current(co));
  lua_pop(L, 2);
}
END_TEST

START_TEST(test_current_is_the_running_task)
{
  ck_assert_int_eq(luaL_dostring(L, "seen = {}"), LUA_OK);
  ys_task *a = spawn("seen.a = current(); sleep(1); seen.a2 = current()",
                     "a", 0);
  ys_task *b = spawn("seen.b = current()", "b", 0);
  run_all(50);
  lua_getglobal(L, "seen");
  lua_getfield(L, -1, "a");
  ck_assert_ptr_eq(lua_touserdata(L, -1), a);
  lua_getfield(L, -2, "a2");
  ck_assert_ptr_eq(lua_touserdata(L, -1), a);
  lua_getfield(L, -3, "b");
  ck_assert_ptr_eq(lua_touserdata(L, -1), b);
  lua_pop(L, 4);
}
END_TEST

START_TEST(test_current_is_null_in_coroutine_made_by_task)
{
  /* A coroutine the task makes itself is not a task: a wait registered
   * from there would resume the wrong thread, so current() must be nil. */
  spawn("local co = coroutine.wrap(function() return current() end); "
        "return co() == nil", "inner", 0);
  run_all(10);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_str_eq(dlog.text[0], "true");
}
END_TEST

/* }====== */

/* {====== descriptors, transport timers, failures ====== */

START_TEST(test_watch_wakes_blocked_task_with_values)
{
  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(ys_sched_watch(sched, p[0], YS_IO_READ, on_readable,
                                  &src), YS_OK);
  spawn("local n, s = block(); return n + 1, s", "net", 0);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 1); /* now blocked */
  ck_assert_ptr_nonnull(src.held);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  run_all(10);
  ck_assert_int_eq(src.nwaits, 1);
  ck_assert_int_eq(src.last_events & YS_IO_READ, YS_IO_READ);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_int_eq(dlog.status[0], LUA_OK);
  ck_assert_str_eq(dlog.text[0], "43,reply");
  ys_sched_unwatch(sched, p[0]);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(test_wait_with_idle_watch_ends_at_next_timer)
{
  /* A watched descriptor that never becomes ready must not hold up a
   * timer that is due. */
  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(ys_sched_watch(sched, p[0], YS_IO_READ, on_readable,
                                  &src), YS_OK);
  spawn("sleep(40)", "timer", 0);
  double t0 = now_ms();
  run_all(100);
  ck_assert_int_eq(dlog.n, 1);
  ck_assert_double_ge(now_ms() - t0, 39);
  ck_assert_double_lt(now_ms() - t0, 1000);
  ck_assert_int_eq(src.nwaits, 0);
  ys_sched_unwatch(sched, p[0]);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(test_unwatched_descriptor_gets_no_callback)
{
  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(ys_sched_watch(sched, p[0], YS_IO_READ, on_readable,
                                  &src), YS_OK);
  ys_sched_unwatch(sched, p[0]);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  spawn("sleep(5)", "timer", 0);
  run_all(20);
  ck_assert_int_eq(src.nwaits, 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(test_watch_rejects_bad_descriptor)
{
  ck_assert_int_eq(ys_sched_watch(sched, -1, YS_IO_READ, on_readable, &src),
                   YS_ERR_IO);
}
END_TEST

START_TEST(test_transport_timer_fires_once_and_can_be_stopped)
{
  fired a = { { on_timer, 0, 0, 0 }, 0 };
  fired b = { { on_timer, 0, 0, 0 }, 0 };
  ys_sched_timer_start(sched, &a.timer, 5);
  ys_sched_timer_start(sched, &b.timer, 5);
  ys_sched_timer_stop(sched, &b.timer);
  spawn("sleep(20)", "timer", 0);
  run_all(50);
  ck_assert_int_eq(a.n, 1);
  ck_assert_int_eq(b.n, 0);
  ck_assert_uint_eq(a.timer.slot, 0);
}
END_TEST

START_TEST(test_first_failure_wins)
{
  const char *msg = NULL;
  ck_assert_int_eq(ys_sched_failure(sched, &msg), YS_OK);
  ys_sched_fail(sched, YS_ERR_MODEL, "401 from %s", "http://x");
  ys_sched_fail(sched, YS_ERR_IO, "later");
  ck_assert_int_eq(ys_sched_failure(sched, &msg), YS_ERR_MODEL);
  ck_assert_str_eq(msg, "401 from http://x");
}
END_TEST

START_TEST(test_free_cancels_blocked_tasks)
{
  spawn("block()", "net", 0);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 1);
  src.held->cancel = on_cancel;
  ys_sched_free(sched);
  sched = NULL;
  ck_assert_int_eq(src.cancelled, 1);
  ck_assert_int_eq(dlog.n, 0);
}
END_TEST

/* }====== */

/* {====== free ====== */

START_TEST(test_free_abandons_waiting_tasks)
{
  /* Each task notes its thread in a weak table; once the loop is freed
   * nothing may keep those threads alive, and no callback runs. */
  ck_assert_int_eq(luaL_dostring(L, "threads = setmetatable({}, "
                                 "{__mode = 'k'})"), LUA_OK);
  for(int i = 0; i < 3; i++)
    spawn("threads[coroutine.running()] = true; sleep(60000)", "w", 0);
  spawn("threads[coroutine.running()] = true; block()", "b", 0);
  spawn("threads[coroutine.running()] = true", "ready", 0);
  ck_assert_uint_eq(ys_sched_step(sched, 0), 4);
  spawn("never = true", "never", 0); /* ready, never run */
  ck_assert_uint_eq(ys_sched_alive(sched), 5);
  int done_before = dlog.n;
  ys_sched_free(sched);
  sched = NULL;
  ck_assert_int_eq(dlog.n, done_before);
  ck_assert_int_eq(luaL_dostring(L, "collectgarbage('collect'); "
                                 "local n = 0; for _ in pairs(threads) do "
                                 "n = n + 1 end; return n"), LUA_OK);
  ck_assert_int_eq((int)lua_tointeger(L, -1), 0);
  lua_pop(L, 1);
  lua_getglobal(L, "never");
  ck_assert(lua_isnil(L, -1));
  lua_pop(L, 1);
}
END_TEST

START_TEST(test_free_null_is_noop)
{
  ys_sched_free(NULL);
}
END_TEST

/* }====== */

static TCase *new_case(Suite *s, const char *name)
{
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30); /* a lost wake-up would hang */
  suite_add_tcase(s, tc);
  return tc;
}

static Suite *sched_suite(void)
{
  Suite *s = suite_create("sched");

  TCase *tc = new_case(s, "spawn");
  tcase_add_test(tc, test_task_completes_with_its_results);
  tcase_add_test(tc, test_task_returning_nothing_has_no_results);
  tcase_add_test(tc, test_spawned_task_runs_at_next_step);
  tcase_add_test(tc, test_task_error_gives_status_and_message);
  tcase_add_test(tc, test_task_error_after_sleep_gives_status_and_message);
  tcase_add_test(tc, test_sleep_returns_to_the_task);

  tc = new_case(s, "timers");
  tcase_add_test(tc, test_sleeping_tasks_finish_in_deadline_order);
  tcase_add_test(tc, test_equal_deadlines_keep_spawn_order);
  tcase_add_test(tc, test_many_timers_come_out_sorted);
  tcase_add_test(tc, test_sleep_zero_lets_other_tasks_run);
  tcase_add_test(tc, test_nonblocking_step_does_not_wait);
  tcase_add_test(tc, test_blocking_step_sleeps_until_the_timer);

  tc = new_case(s, "alive");
  tcase_add_test(tc, test_alive_counts_live_tasks);
  tcase_add_test(tc, test_errored_task_is_no_longer_alive);

  tc = new_case(s, "yield");
  tcase_add_test(tc, test_bare_yield_ends_task_with_error);
  tcase_add_test(tc, test_bare_yield_with_values_ends_task_with_error);
  tcase_add_test(tc, test_inner_coroutine_yield_is_not_a_task_yield);

  tc = new_case(s, "current");
  tcase_add_test(tc, test_current_is_null_on_main_thread);
  tcase_add_test(tc, test_current_is_null_in_a_thread_outside_the_loop);
  tcase_add_test(tc, test_current_is_null_after_the_task_ended);
  tcase_add_test(tc, test_current_is_the_running_task);
  tcase_add_test(tc, test_current_is_null_in_coroutine_made_by_task);

  tc = new_case(s, "source");
  tcase_add_test(tc, test_watch_wakes_blocked_task_with_values);
  tcase_add_test(tc, test_wait_with_idle_watch_ends_at_next_timer);
  tcase_add_test(tc, test_unwatched_descriptor_gets_no_callback);
  tcase_add_test(tc, test_watch_rejects_bad_descriptor);
  tcase_add_test(tc, test_transport_timer_fires_once_and_can_be_stopped);
  tcase_add_test(tc, test_first_failure_wins);
  tcase_add_test(tc, test_free_cancels_blocked_tasks);

  tc = new_case(s, "free");
  tcase_add_test(tc, test_free_abandons_waiting_tasks);
  tcase_add_test(tc, test_free_null_is_noop);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(sched_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
