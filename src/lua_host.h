/* SPDX-License-Identifier: MIT */
/*
 * lua_host.h: creating, sandboxing and calling Lua states. Every state gets
 * a byte budget (its allocator fails past it), only the base, string,
 * table, math and utf8 libraries (base without dofile, loadfile, load,
 * require, collectgarbage; print goes to the log), and text-only loading.
 * Each loaded chunk gets a fresh _ENV over a read-only view of the globals
 * in which reading an undefined name raises. C -> Lua calls go only through
 * ys_lua_call. Uses Lua 5.4.
 */
#ifndef YS_LUA_HOST_H
#define YS_LUA_HOST_H

#include <lua.h>

#include "buf.h"
#include "err.h"

/* Log sink for print() and warnings: one line, no newline. */
typedef void (*ys_lua_log_fn)(void *ud, const char *line);

/* Creates a sandboxed state with a memory budget of mem_cap bytes. Returns
 * NULL when the state cannot be created. */
lua_State *ys_lua_new(size_t mem_cap, ys_lua_log_fn log, void *log_ud);

/* Closes L; NULL is a no-op. */
void ys_lua_close(lua_State *L);

/* Bytes in use by L's allocator. */
size_t ys_lua_mem_used(lua_State *L);

/* [-(nargs+1), +nresults|0, -] Calls the function below nargs arguments
 * with lua_pcall and a handler that keeps the message to one line (and
 * adds a traceback when YARDSTICK_DEBUG is set in the environment). On error
 * the message goes to diag, the stack is left as it was minus the function
 * and arguments, and the result is YS_ERR_LUA (YS_ERR_NOMEM when the budget
 * ran out, YS_ERR_TIMEOUT-like deadline errors also map to YS_ERR_LUA). */
ys_err ys_lua_call(lua_State *L, int nargs, int nresults, ys_diag *diag)
  YS_WARN_UNUSED;

/* [-nargs, +nresults|0, -] Calls the C function f through ys_lua_call
 * with ud (a light userdata) as argument 1 and the nargs values on top of
 * the stack as arguments 2.., so anything f pushes or allocates is
 * protected. */
ys_err ys_lua_pcall_c(lua_State *L, lua_CFunction f, void *ud, int nargs,
                      int nresults, ys_diag *diag) YS_WARN_UNUSED;

/* [-0, +1, -] Loads the text file at path as a chunk named "@display" with
 * a fresh _ENV (see above), leaving the function on the stack. Errors:
 * YS_ERR_IO (cannot read), YS_ERR_SUITE (syntax error, message with
 * display:line). */
ys_err ys_lua_load_file(lua_State *L, const char *path, const char *display,
                        ys_diag *diag) YS_WARN_UNUSED;

/* [-0, +1, m] Pushes a new environment table for a chunk: writes stay in it,
 * reads fall back to the read-only globals, unknown names raise. */
void ys_lua_push_env(lua_State *L);

/* [-1, +0, m] Registers the table on top as the module `require(name)`
 * returns in L (the sandbox's require knows nothing else). */
void ys_lua_register_module(lua_State *L, const char *name);

/* [-0, +1, m] Pushes a userdata holding an empty ys_buf capped at max and
 * returns it. Its __gc frees the bytes, so C code can fill it and then
 * push from it without leaking if a push raises. */
ys_buf *ys_lua_newbuf(lua_State *L, size_t max);

/* The state's reusable buffer, emptied and capped at max, for a C
 * function that fills it and copies it out before returning: no
 * allocation and no finaliser per call, which ys_lua_newbuf costs. NULL
 * when it is taken already (use ys_lua_newbuf then). Give it back with
 * ys_lua_scratch_give; if a Lua error jumps past that, later takers just
 * get NULL until the state closes, which frees it. */
ys_buf *ys_lua_scratch_take(lua_State *L, size_t max);
void ys_lua_scratch_give(lua_State *L, ys_buf *b);

/* Resumes coroutine co of state L with nargs values on its stack, under
 * L's time limit (for this slice). Returns LUA_OK (results on co), LUA_YIELD
 * (yielded values on co), or an error status with the message in diag
 * (YS_ERR_NOMEM's text for a memory error). *nres as for lua_resume. */
int ys_lua_resume(lua_State *L, lua_State *co, int nargs, int *nres,
                  ys_diag *diag);

/* Limits every following ys_lua_call on L to roughly budget_ms of run time
 * (0 removes the limit). Exceeding it raises "time limit exceeded" in the
 * running code, and keeps raising so a pcall in the code cannot swallow it. */
void ys_lua_set_time_limit(lua_State *L, double budget_ms);

/* Limits every following ys_lua_call / ys_lua_resume slice on L to about
 * n Lua VM instructions (0 removes the limit). A deterministic limit, where
 * the time limit depends on the machine's load. Raised like the time
 * limit. */
void ys_lua_set_instruction_limit(lua_State *L, long long n);

/* The instruction limit to use where the default is dflt: millions from
 * YARDSTICK_INSTRUCTION_LIMIT when set (a suite that trains a large
 * model at load may need more; tests use less), else dflt. */
long long ys_instruction_limit(long long dflt);

/* Monotonic clock in milliseconds. */
double ys_lua_clock_ms(void);

#endif
