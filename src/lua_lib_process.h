/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_process.h: child processes for Lua plugins (a local model
 * server): ys.spawn { cmd = {...} } returns a process that is stopped when
 * it is collected or closed, ys.free_port() a free loopback port. Used at
 * suite load. Uses process.
 */
#ifndef YS_LUA_LIB_PROCESS_H
#define YS_LUA_LIB_PROCESS_H

#include <lua.h>

/* [-0, +0, m] Adds spawn and free_port to the table on top. */
void ys_lua_add_process(lua_State *L);

#endif
