/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_process.c: the Lua side of process.c.
 *   proc = ys.spawn { cmd = { "llama-server", "--port", "8080" } }
 *   proc.pid; proc:alive(); proc:wait(ms) -> exited, how;
 *   proc:stderr_tail(n) -> "line | line"; proc:stop()
 * ys.spawn raises when the command cannot be run.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_lib_process.h"
#include "process.h"
#include "xalloc.h"

static const char PROC_MT[] = "ys.Process";

typedef struct proc_box {
  ys_proc *p;
} proc_box;

static proc_box *check_proc(lua_State *L)
{
  proc_box *b = luaL_checkudata(L, 1, PROC_MT);
  if(!b->p)
    luaL_error(L, "the process was stopped");
  return b;
}

static int proc_gc(lua_State *L)
{
  proc_box *b = luaL_checkudata(L, 1, PROC_MT);
  ys_proc_free(b->p);
  b->p = NULL;
  return 0;
}

static int proc_alive(lua_State *L)
{
  lua_pushboolean(L, ys_proc_alive(check_proc(L)->p));
  return 1;
}

/* proc:wait(ms) -> true, "exited with code 1" | false */
static int proc_wait(lua_State *L)
{
  proc_box *b = check_proc(L);
  double ms = luaL_checknumber(L, 2);
  if(!ys_proc_wait(b->p, ms, NULL)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  char how[128];
  ys_proc_describe_exit(b->p, how, sizeof(how));
  lua_pushboolean(L, 1);
  lua_pushstring(L, how);
  return 2;
}

static int proc_stderr_tail(lua_State *L)
{
  proc_box *b = check_proc(L);
  lua_Integer n = luaL_optinteger(L, 2, 10);
  char *tail = ys_proc_stderr_tail(b->p, n < 1 ? 1 : n > 200 ? 200
                                   : (int)n);
  lua_pushstring(L, tail); /* may raise: tail must go first */
  free(tail);
  return 1;
}

static int proc_stop(lua_State *L)
{
  proc_box *b = luaL_checkudata(L, 1, PROC_MT);
  ys_proc_free(b->p);
  b->p = NULL;
  return 0;
}

static int proc_index(lua_State *L)
{
  proc_box *b = luaL_checkudata(L, 1, PROC_MT);
  const char *k = luaL_checkstring(L, 2);
  if(!strcmp(k, "pid")) {
    lua_pushinteger(L, b->p ? ys_proc_pid(b->p) : -1);
    return 1;
  }
  luaL_getmetatable(L, PROC_MT);
  lua_getfield(L, -1, "methods");
  lua_getfield(L, -1, k);
  return 1;
}

/* ys.spawn { cmd = {...} } -> process */
static int l_spawn(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  if(lua_getfield(L, 1, "cmd") != LUA_TTABLE)
    return luaL_error(L, "ys.spawn needs cmd = { \"program\", \"arg\", "
                      "... }");
  int cmd = lua_gettop(L);
  lua_Integer n = luaL_len(L, cmd);
  if(n < 1 || n > 4096)
    return luaL_error(L, "ys.spawn: cmd must list the program and its "
                      "arguments");
  for(lua_Integer i = 1; i <= n; i++) {
    if(lua_geti(L, cmd, i) != LUA_TSTRING)
      return luaL_error(L, "ys.spawn: cmd[%d] must be a string", (int)i);
    lua_pop(L, 1);
  }
  proc_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->p = NULL;
  luaL_setmetatable(L, PROC_MT);
  /* argv points into the cmd table's strings, alive for this call. */
  const char **argv = lua_newuserdatauv(L, (size_t)(n + 1) *
                                        sizeof(char *), 0);
  for(lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, cmd, i);
    argv[i - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  argv[n] = NULL;
  ys_proc_opts o = { (char *const *)argv, 0, YS_PROC_STDERR_FILE };
  ys_diag d;
  if(ys_proc_spawn(&o, &b->p, &d)) {
    lua_pushstring(L, d.msg); /* no position: the command is at fault */
    return lua_error(L);
  }
  lua_pop(L, 1); /* argv */
  return 1;
}

/* ys.free_port() -> a free TCP port on 127.0.0.1 */
static int l_free_port(lua_State *L)
{
  int port = ys_proc_free_port();
  if(port < 0)
    return luaL_error(L, "ys.free_port: no free port on 127.0.0.1");
  lua_pushinteger(L, port);
  return 1;
}

static const luaL_Reg methods[] = {
  { "alive", proc_alive },
  { "wait", proc_wait },
  { "stderr_tail", proc_stderr_tail },
  { "stop", proc_stop },
  { NULL, NULL }
};

void ys_lua_add_process(lua_State *L)
{
  if(luaL_newmetatable(L, PROC_MT)) {
    lua_pushcfunction(L, proc_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, proc_gc);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, proc_index);
    lua_setfield(L, -2, "__index");
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "methods");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_spawn);
  lua_setfield(L, -2, "spawn");
  lua_pushcfunction(L, l_free_port);
  lua_setfield(L, -2, "free_port");
}
