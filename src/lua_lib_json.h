/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_json.h: JSON <-> Lua conversion (the only place it happens) and
 * the `ys.json` library. Objects become tables, arrays become tables marked
 * with the "ys.json.array" metatable (so they encode back as arrays), null
 * becomes the light userdata ys.json.null. Encoding sorts object keys, so
 * the same table always gives the same text. Depth is limited to
 * YS_JSON_MAX_DEPTH. Uses cJSON and Lua.
 */
#ifndef YS_LUA_LIB_JSON_H
#define YS_LUA_LIB_JSON_H

#include <cjson/cJSON.h>
#include <lua.h>

#include "err.h"

#define YS_JSON_MAX_DEPTH 100

/* [-0, +1, m] Pushes v as a Lua value. */
void ys_lua_push_json(lua_State *L, const cJSON *v);

/* [-0, +1, m] Pushes an empty box for a cJSON tree: a userdata whose __gc
 * deletes the tree stored in it. Store a tree in *box only after the box
 * exists; it is then freed even if a later push raises. */
cJSON **ys_lua_json_box(lua_State *L);

/* [-0, +0, m] Converts the value at idx to a new cJSON tree (*out, owned by
 * the caller). Fails with YS_ERR_DATA and a reason in diag for values JSON
 * cannot hold (functions, NaN, mixed or sparse tables, cycles). */
ys_err ys_lua_to_json(lua_State *L, int idx, cJSON **out, ys_diag *diag)
  YS_WARN_UNUSED;

/* [-0, +0, m] Appends the JSON text of the value at idx to out (which
 * should live in a box from ys_lua_newbuf, as this may raise): the same
 * text as ys_lua_to_json then ys_json_append, without building a tree.
 * Fails like ys_lua_to_json; YS_ERR_TOOBIG past out's cap. */
ys_err ys_lua_encode_json(lua_State *L, int idx, ys_buf *out, ys_diag *diag)
  YS_WARN_UNUSED;

/* [-0, +1|0, m] Decodes JSON text s[0..len) into a Lua value and pushes
 * it; returns 1, or 0 (pushing nothing) when s is not JSON. */
int ys_lua_decode_json(lua_State *L, const char *s, size_t len);

/* [-0, +1, m] Opens the `json` library table (encode, decode, null). */
int luaopen_ys_json(lua_State *L);

#endif
