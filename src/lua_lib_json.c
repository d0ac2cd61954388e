/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_json.c: converting between cJSON trees and Lua values, and the
 * Lua-facing ys.json.encode / ys.json.decode.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "buf.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"

static const char ARRAY_MT[] = "ys.json.array";

static int box_gc(lua_State *L)
{
  cJSON **box = lua_touserdata(L, 1);
  if(box && *box) {
    cJSON_Delete(*box);
    *box = NULL;
  }
  return 0;
}

cJSON **ys_lua_json_box(lua_State *L)
{
  cJSON **box = lua_newuserdatauv(L, sizeof(cJSON *), 0);
  *box = NULL;
  if(luaL_newmetatable(L, "ys.json.box")) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return box;
}

static void push_array_mt(lua_State *L)
{
  if(luaL_newmetatable(L, ARRAY_MT)) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "__jsonarray");
  }
}

static void push_value(lua_State *L, const cJSON *v, int depth)
{
  if(depth > YS_JSON_MAX_DEPTH)
    luaL_error(L, "JSON nested deeper than %d levels", YS_JSON_MAX_DEPTH);
  luaL_checkstack(L, 4, "JSON conversion");
  if(cJSON_IsString(v))
    lua_pushstring(L, v->valuestring);
  else if(cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    if(d == floor(d) && fabs(d) < 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
  }
  else if(cJSON_IsBool(v))
    lua_pushboolean(L, cJSON_IsTrue(v));
  else if(cJSON_IsArray(v)) {
    int n = 0;
    for(const cJSON *c = v->child; c; c = c->next)
      n++;
    lua_createtable(L, n, 0);
    lua_Integer i = 1;
    for(const cJSON *c = v->child; c; c = c->next) {
      push_value(L, c, depth + 1);
      lua_rawseti(L, -2, i++);
    }
    push_array_mt(L);
    lua_setmetatable(L, -2);
  }
  else if(cJSON_IsObject(v)) {
    int n = 0;
    for(const cJSON *c = v->child; c; c = c->next)
      n++;
    lua_createtable(L, 0, n);
    for(const cJSON *c = v->child; c; c = c->next) {
      push_value(L, c, depth + 1);
      lua_setfield(L, -2, c->string);
    }
  }
  else
    lua_pushlightuserdata(L, NULL); /* null */
}

void ys_lua_push_json(lua_State *L, const cJSON *v)
{
  push_value(L, v, 0);
}

/* {====== Lua -> JSON ====== */

/* Conversion may raise (a memory error while reading a long key), so
 * every node is attached to the tree as soon as it exists and the root
 * lives in a box (see ys_lua_json_box): a raise leaks nothing. Keys are
 * sorted in a userdata array for the same reason. */

typedef struct enc {
  lua_State *L;
  ys_diag *diag;
  char path[256]; /* where in the value, for messages */
} enc;

static ys_err fail(enc *e, const char *what)
{
  return ys_fail(e->diag, YS_ERR_DATA, NULL, 0, "cannot encode %s as JSON%s%s",
                 what, e->path[0] ? " at " : "", e->path);
}

static int cmp_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Attaches item under parent (an array or, with key, an object); with no
 * parent, item becomes the root in *root. */
static void attach(cJSON **root, cJSON *parent, const char *key, cJSON *item)
{
  if(!parent)
    *root = item;
  else if(key)
    cJSON_AddItemToObject(parent, key, item);
  else
    cJSON_AddItemToArray(parent, item);
}

static ys_err to_json(enc *e, int idx, int depth, cJSON **root,
                      cJSON *parent, const char *key);

/* Classifies the table at idx: 1 array (keys 1..n), 0 object (string keys),
 * -1 neither. Sets *n to the array length or key count. */
static int table_shape(lua_State *L, int idx, size_t *n)
{
  size_t count = 0, strings = 0;
  lua_Integer maxi = 0;
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
    if(lua_type(L, -1) == LUA_TSTRING)
      strings++;
    else if(lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0) {
      lua_Integer i = lua_tointeger(L, -1);
      if(i > maxi)
        maxi = i;
    }
    else {
      lua_pop(L, 1);
      return -1;
    }
  }
  *n = count;
  if(strings == count)
    return 0;
  if(strings == 0 && (size_t)maxi == count)
    return 1;
  return -1;
}

static ys_err table_to_json(enc *e, int idx, int depth, cJSON **root,
                            cJSON *parent, const char *key)
{
  lua_State *L = e->L;
  size_t n;
  int is_array = 0;
  if(lua_getmetatable(L, idx)) {
    lua_getfield(L, -1, "__jsonarray");
    is_array = lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  int shape = table_shape(L, idx, &n);
  if(shape < 0)
    return fail(e, "a table mixing string and number keys (or a sparse "
                "array)");
  size_t plen = strlen(e->path);
  if(shape == 1 || (is_array && n == 0)) {
    cJSON *arr = cJSON_CreateArray();
    attach(root, parent, key, arr);
    for(size_t i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i);
      snprintf(e->path + plen, sizeof(e->path) - plen, "[%zu]", i);
      ys_err err = to_json(e, lua_gettop(L), depth + 1, root, arr, NULL);
      lua_pop(L, 1);
      if(err)
        return err;
    }
    e->path[plen] = '\0';
    return YS_OK;
  }
  /* An object: sort the keys for a stable output. The key strings stay
   * anchored by the table; the array of pointers lives in a userdata. */
  const char **keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof(char *), 0);
  int keys_idx = lua_gettop(L);
  size_t k = 0;
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    size_t klen;
    keys[k] = lua_tolstring(L, -1, &klen);
    if(strlen(keys[k]) != klen) {
      lua_pop(L, 2);
      return fail(e, "a key with a NUL byte");
    }
    k++;
  }
  if(k > 1)
    qsort(keys, k, sizeof(char *), cmp_keys);
  cJSON *obj = cJSON_CreateObject();
  attach(root, parent, key, obj);
  ys_err err = YS_OK;
  for(size_t i = 0; i < k && !err; i++) {
    lua_getfield(L, idx, keys[i]);
    snprintf(e->path + plen, sizeof(e->path) - plen, ".%s", keys[i]);
    err = to_json(e, lua_gettop(L), depth + 1, root, obj, keys[i]);
    lua_pop(L, 1);
  }
  lua_remove(L, keys_idx);
  if(!err)
    e->path[plen] = '\0';
  return err;
}

static ys_err to_json(enc *e, int idx, int depth, cJSON **root,
                      cJSON *parent, const char *key)
{
  lua_State *L = e->L;
  if(depth > YS_JSON_MAX_DEPTH)
    return fail(e, "a value nested too deeply (or a table that contains "
                "itself)");
  if(!lua_checkstack(L, 6))
    return fail(e, "a value nested too deeply");
  cJSON *item = NULL;
  switch(lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if(memchr(s, '\0', len))
      return fail(e, "a string with a NUL byte");
    item = cJSON_CreateString(s);
    break;
  }
  case LUA_TNUMBER: {
    double d = lua_tonumber(L, idx);
    if(isnan(d) || isinf(d))
      return fail(e, "NaN or infinity");
    item = cJSON_CreateNumber(d);
    break;
  }
  case LUA_TBOOLEAN:
    item = cJSON_CreateBool(lua_toboolean(L, idx));
    break;
  case LUA_TNIL:
    item = cJSON_CreateNull();
    break;
  case LUA_TLIGHTUSERDATA:
    if(lua_touserdata(L, idx))
      return fail(e, "a light userdata");
    item = cJSON_CreateNull();
    break;
  case LUA_TTABLE:
    return table_to_json(e, idx, depth, root, parent, key);
  default:
    return fail(e, luaL_typename(L, idx));
  }
  attach(root, parent, key, item);
  return YS_OK;
}

ys_err ys_lua_to_json(lua_State *L, int idx, cJSON **out, ys_diag *diag)
{
  *out = NULL;
  idx = lua_absindex(L, idx);
  cJSON **box = ys_lua_json_box(L);
  enc e = { L, diag, "" };
  ys_err err = to_json(&e, idx, 0, box, NULL, NULL);
  if(!err) {
    *out = *box;
    *box = NULL; /* now the caller's */
  }
  lua_pop(L, 1); /* the box; __gc frees a partial tree */
  return err;
}

/* }====== */

/* {====== Lua -> JSON text, directly ====== */

static ys_err encode(enc *e, int idx, int depth, ys_buf *out);

static ys_err encode_table(enc *e, int idx, int depth, ys_buf *out)
{
  lua_State *L = e->L;
  size_t n;
  int is_array = 0;
  if(lua_getmetatable(L, idx)) {
    lua_getfield(L, -1, "__jsonarray");
    is_array = lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  int shape = table_shape(L, idx, &n);
  if(shape < 0)
    return fail(e, "a table mixing string and number keys (or a sparse "
                "array)");
  size_t plen = strlen(e->path);
  ys_err err;
  if(shape == 1 || (is_array && n == 0)) {
    err = ys_buf_addc(out, '[');
    for(size_t i = 1; i <= n && !err; i++) {
      if(i > 1)
        err = ys_buf_addc(out, ',');
      lua_rawgeti(L, idx, (lua_Integer)i);
      snprintf(e->path + plen, sizeof(e->path) - plen, "[%zu]", i);
      if(!err)
        err = encode(e, lua_gettop(L), depth + 1, out);
      lua_pop(L, 1);
    }
    if(!err) {
      e->path[plen] = '\0';
      err = ys_buf_addc(out, ']');
    }
    return err;
  }
  const char **keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof(char *), 0);
  int keys_idx = lua_gettop(L);
  size_t k = 0;
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    size_t klen;
    keys[k] = lua_tolstring(L, -1, &klen);
    if(strlen(keys[k]) != klen) {
      lua_pop(L, 2);
      return fail(e, "a key with a NUL byte");
    }
    k++;
  }
  if(k > 1)
    qsort(keys, k, sizeof(char *), cmp_keys);
  err = ys_buf_addc(out, '{');
  for(size_t i = 0; i < k && !err; i++) {
    if(i)
      err = ys_buf_addc(out, ',');
    if(!err)
      err = ys_json_append_string(out, keys[i], strlen(keys[i]));
    if(!err)
      err = ys_buf_addc(out, ':');
    lua_getfield(L, idx, keys[i]);
    snprintf(e->path + plen, sizeof(e->path) - plen, ".%s", keys[i]);
    if(!err)
      err = encode(e, lua_gettop(L), depth + 1, out);
    lua_pop(L, 1);
  }
  lua_remove(L, keys_idx);
  if(!err) {
    e->path[plen] = '\0';
    err = ys_buf_addc(out, '}');
  }
  return err;
}

static ys_err encode(enc *e, int idx, int depth, ys_buf *out)
{
  lua_State *L = e->L;
  char num[32];
  if(depth > YS_JSON_MAX_DEPTH)
    return fail(e, "a value nested too deeply (or a table that contains "
                "itself)");
  if(!lua_checkstack(L, 6))
    return fail(e, "a value nested too deeply");
  switch(lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if(memchr(s, '\0', len))
      return fail(e, "a string with a NUL byte");
    return ys_json_append_string(out, s, len);
  }
  case LUA_TNUMBER: {
    double d = lua_tonumber(L, idx);
    if(isnan(d) || isinf(d))
      return fail(e, "NaN or infinity");
    return ys_buf_adds(out, ys_json_fmt_number(d, num));
  }
  case LUA_TBOOLEAN:
    return ys_buf_adds(out, lua_toboolean(L, idx) ? "true" : "false");
  case LUA_TNIL:
    return ys_buf_adds(out, "null");
  case LUA_TLIGHTUSERDATA:
    if(lua_touserdata(L, idx))
      return fail(e, "a light userdata");
    return ys_buf_adds(out, "null");
  case LUA_TTABLE:
    return encode_table(e, idx, depth, out);
  default:
    return fail(e, luaL_typename(L, idx));
  }
}

ys_err ys_lua_encode_json(lua_State *L, int idx, ys_buf *out, ys_diag *diag)
{
  enc e = { L, diag, "" };
  ys_err err = encode(&e, lua_absindex(L, idx), 0, out);
  if(err == YS_ERR_TOOBIG || err == YS_ERR_NOMEM)
    ys_fail(diag, err, NULL, 0, "JSON text too large");
  return err;
}

/* }====== */

/* {====== the ys.json library ====== */

/* json.encode(value) -> string; raises on values JSON cannot hold. */
static int json_encode(lua_State *L)
{
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  ys_buf *b = ys_lua_newbuf(L, (size_t)1 << 30); /* freed by __gc */
  ys_diag diag;
  if(ys_lua_encode_json(L, 1, b, &diag))
    return luaL_error(L, "%s", diag.msg);
  lua_pushlstring(L, ys_buf_str(b), b->len);
  return 1;
}

/* json.decode(text) -> value, or nil and a message for text that is not
 * JSON (a runtime failure, not a contract violation). */
static int json_decode(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  /* Pushing can raise (depth, memory): the tree lives in a box with a
   * __gc from before it exists, so it is freed even then (lauxlib's UBox
   * idea). */
  cJSON **box = ys_lua_json_box(L);
  const char *end = NULL;
  *box = cJSON_ParseWithLengthOpts(s, len, &end, 0);
  if(*box) {
    while(end < s + len && (*end == ' ' || *end == '\t' || *end == '\n' ||
                            *end == '\r'))
      end++;
    if(end < s + len) { /* text after the value */
      cJSON_Delete(*box);
      *box = NULL;
    }
  }
  if(!*box) {
    luaL_pushfail(L);
    lua_pushfstring(L, "invalid JSON at offset %d",
                    end ? (int)(end - s) : 0);
    return 2;
  }
  ys_lua_push_json(L, *box);
  cJSON_Delete(*box);
  *box = NULL;
  return 1;
}

static const luaL_Reg json_funcs[] = {
  { "encode", json_encode },
  { "decode", json_decode },
  { NULL, NULL }
};

int luaopen_ys_json(lua_State *L)
{
  luaL_newlib(L, json_funcs);
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "null");
  return 1;
}

/* }====== */
