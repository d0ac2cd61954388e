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
#include "utf8.h"

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
  /* lua_pushlstring: lua_pushstring looks every string up in Lua's
   * cache of C strings by address first, which never hits here. */
  if(cJSON_IsString(v))
    lua_pushlstring(L, v->valuestring, strlen(v->valuestring));
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
      lua_pushlstring(L, c->string, strlen(c->string));
      push_value(L, c, depth + 1);
      lua_rawset(L, -3);
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
  const char *what; /* set by fail(): what could not be encoded */
  char path[256];   /* where, built on the way out of a failure */
  const void *open[YS_JSON_MAX_DEPTH + 2]; /* the tables being encoded */
} enc;

/* Whether the table at idx is one of those being encoded (a cycle);
 * else notes it at depth. */
static int in_cycle(enc *e, int idx, int depth)
{
  const void *t = lua_topointer(e->L, idx);
  for(int i = 0; i < depth && i <= YS_JSON_MAX_DEPTH; i++)
    if(e->open[i] == t)
      return 1;
  if(depth <= YS_JSON_MAX_DEPTH)
    e->open[depth] = t;
  return 0;
}

/* Notes the failure; each enclosing table adds its step to the path as
 * the error comes back up (no work at all while nothing fails), and
 * finish() writes the message. */
static ys_err fail(enc *e, const char *what)
{
  e->what = what;
  e->path[0] = '\0';
  return YS_ERR_DATA;
}

/* Prepends ".key" or "[i]" to the failure's path. */
static void step_out(enc *e, const char *key, size_t index)
{
  if(!e->what)
    return;
  char seg[128];
  if(key)
    snprintf(seg, sizeof(seg), ".%s", key);
  else
    snprintf(seg, sizeof(seg), "[%zu]", index);
  size_t sl = strlen(seg), pl = strlen(e->path);
  if(sl + pl >= sizeof(e->path))
    return;
  memmove(e->path + sl, e->path, pl + 1);
  memcpy(e->path, seg, sl);
}

static ys_err finish(enc *e, ys_err err)
{
  if(err && e->what)
    ys_fail(e->diag, err, NULL, 0, "cannot encode %s as JSON%s%s", e->what,
            e->path[0] ? " at " : "", e->path);
  return err;
}

static int cmp_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define KEYS_ON_STACK 32

/* Sorts an object's keys: insertion sort for the few keys most objects
 * have (qsort's set-up costs more than the sort), qsort past that. */
static void sort_keys(const char **keys, size_t n)
{
  if(n > 16) {
    qsort(keys, n, sizeof(char *), cmp_keys);
    return;
  }
  for(size_t i = 1; i < n; i++) {
    const char *k = keys[i];
    size_t j = i;
    for(; j > 0 && strcmp(keys[j - 1], k) > 0; j--)
      keys[j] = keys[j - 1];
    keys[j] = k;
  }
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
  if(in_cycle(e, idx, depth))
    return fail(e, "a table that contains itself");
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
  if(shape == 1 || (is_array && n == 0)) {
    cJSON *arr = cJSON_CreateArray();
    attach(root, parent, key, arr);
    for(size_t i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i);
      ys_err err = to_json(e, lua_gettop(L), depth + 1, root, arr, NULL);
      lua_pop(L, 1);
      if(err) {
        step_out(e, NULL, i);
        return err;
      }
    }
    return YS_OK;
  }
  /* An object: sort the keys for a stable output. The key strings stay
   * anchored by the table; the array of pointers sits on the C stack, or
   * for many keys in a userdata (a raise leaks nothing either way). */
  const char *few[KEYS_ON_STACK];
  const char **keys = few;
  int keys_idx = 0;
  if(n > KEYS_ON_STACK) {
    keys = lua_newuserdatauv(L, n * sizeof(char *), 0);
    keys_idx = lua_gettop(L);
  }
  size_t k = 0;
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    size_t klen;
    keys[k] = lua_tolstring(L, -1, &klen);
    if(strlen(keys[k]) != klen) {
      lua_pop(L, keys_idx ? 2 : 1);
      return fail(e, "a key with a NUL byte");
    }
    k++;
  }
  sort_keys(keys, k);
  cJSON *obj = cJSON_CreateObject();
  attach(root, parent, key, obj);
  ys_err err = YS_OK;
  for(size_t i = 0; i < k && !err; i++) {
    lua_getfield(L, idx, keys[i]);
    err = to_json(e, lua_gettop(L), depth + 1, root, obj, keys[i]);
    lua_pop(L, 1);
    if(err)
      step_out(e, keys[i], 0);
  }
  if(keys_idx)
    lua_remove(L, keys_idx);
  return err;
}

static ys_err to_json(enc *e, int idx, int depth, cJSON **root,
                      cJSON *parent, const char *key)
{
  lua_State *L = e->L;
  if(depth > YS_JSON_MAX_DEPTH)
    return fail(e, "a value nested too deeply");
  if(!lua_checkstack(L, 6))
    return fail(e, "a value nested too deeply");
  cJSON *item = NULL;
  switch(lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    size_t bad;
    if(memchr(s, '\0', len))
      return fail(e, "a string with a NUL byte");
    if(!ys_utf8_valid(s, len, &bad))
      return fail(e, "a string that is not valid UTF-8");
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
  enc e = { L, diag, NULL, "", { NULL } };
  ys_err err = finish(&e, to_json(&e, idx, 0, box, NULL, NULL));
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
  if(in_cycle(e, idx, depth))
    return fail(e, "a table that contains itself");
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
  ys_err err;
  if(shape == 1 || (is_array && n == 0)) {
    err = ys_buf_addc(out, '[');
    for(size_t i = 1; i <= n && !err; i++) {
      if(i > 1)
        err = ys_buf_addc(out, ',');
      lua_rawgeti(L, idx, (lua_Integer)i);
      if(!err) {
        err = encode(e, lua_gettop(L), depth + 1, out);
        if(err)
          step_out(e, NULL, i);
      }
      lua_pop(L, 1);
    }
    if(!err)
      err = ys_buf_addc(out, ']');
    return err;
  }
  /* The keys: on the C stack, or for many in a userdata. */
  const char *few[KEYS_ON_STACK];
  const char **keys = few;
  int keys_idx = 0;
  if(n > KEYS_ON_STACK) {
    keys = lua_newuserdatauv(L, n * sizeof(char *), 0);
    keys_idx = lua_gettop(L);
  }
  size_t k = 0;
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    size_t klen;
    keys[k] = lua_tolstring(L, -1, &klen);
    if(strlen(keys[k]) != klen) {
      lua_pop(L, keys_idx ? 2 : 1);
      return fail(e, "a key with a NUL byte");
    }
    k++;
  }
  sort_keys(keys, k);
  err = ys_buf_addc(out, '{');
  for(size_t i = 0; i < k && !err; i++) {
    if(i)
      err = ys_buf_addc(out, ',');
    if(!err)
      err = ys_json_append_string(out, keys[i], strlen(keys[i]));
    if(!err)
      err = ys_buf_addc(out, ':');
    lua_getfield(L, idx, keys[i]);
    if(!err) {
      err = encode(e, lua_gettop(L), depth + 1, out);
      if(err)
        step_out(e, keys[i], 0);
    }
    lua_pop(L, 1);
  }
  if(keys_idx)
    lua_remove(L, keys_idx);
  if(!err)
    err = ys_buf_addc(out, '}');
  return err;
}

static ys_err encode(enc *e, int idx, int depth, ys_buf *out)
{
  lua_State *L = e->L;
  char num[32];
  if(depth > YS_JSON_MAX_DEPTH)
    return fail(e, "a value nested too deeply");
  if(!lua_checkstack(L, 6))
    return fail(e, "a value nested too deeply");
  switch(lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    size_t bad;
    if(memchr(s, '\0', len))
      return fail(e, "a string with a NUL byte");
    if(!ys_utf8_valid(s, len, &bad))
      return fail(e, "a string that is not valid UTF-8");
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
  enc e = { L, diag, NULL, "", { NULL } };
  ys_err err = finish(&e, encode(&e, lua_absindex(L, idx), 0, out));
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
  /* Every model call encodes its request: reuse the state's buffer. */
  ys_buf *b = ys_lua_scratch_take(L, (size_t)1 << 30);
  if(!b)
    b = ys_lua_newbuf(L, (size_t)1 << 30); /* freed by __gc */
  ys_diag diag;
  ys_err err = ys_lua_encode_json(L, 1, b, &diag);
  if(!err)
    lua_pushlstring(L, ys_buf_str(b), b->len);
  ys_lua_scratch_give(L, b);
  if(err)
    return luaL_error(L, "%s", diag.msg);
  return 1;
}

/* {====== JSON text -> Lua, directly ======
 * json.decode runs on every model reply, so it parses straight into Lua
 * values instead of building a cJSON tree and converting it. RFC 8259,
 * strict: no comments, no trailing commas, no leading zeros, \u escapes
 * with surrogate pairs, invalid UTF-8 refused, NUL (\u0000) refused as in
 * strings elsewhere. Errors return through longjmp-free status codes. */

typedef struct dec {
  lua_State *L;
  const char *s, *p, *end;
  const char *err;    /* what went wrong, or NULL */
  const char *where;  /* where */
} dec;

static int dfail(dec *d, const char *what)
{
  if(!d->err) {
    d->err = what;
    d->where = d->p;
  }
  return 0;
}

static void skip_ws(dec *d)
{
  while(d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' ||
                          *d->p == '\r'))
    d->p++;
}

static int hex4(const char *p, unsigned *out)
{
  unsigned v = 0;
  for(int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if(c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if(c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if(c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return 0;
  }
  *out = v;
  return 1;
}

/* [-0, +1, m] A string at d->p (on the opening quote). */
static int dec_string(dec *d)
{
  const char *p = ++d->p;
  /* Fast path: no escapes. */
  while(p < d->end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
    p++;
  if(p < d->end && *p == '"') {
    size_t bad;
    if(!ys_utf8_valid(d->p, (size_t)(p - d->p), &bad)) {
      d->p += bad;
      return dfail(d, "invalid UTF-8 in a string");
    }
    lua_pushlstring(d->L, d->p, (size_t)(p - d->p));
    d->p = p + 1;
    return 1;
  }
  luaL_Buffer b;
  luaL_buffinit(d->L, &b);
  p = d->p;
  while(p < d->end && *p != '"') {
    unsigned char c = (unsigned char)*p;
    if(c < 0x20) {
      d->p = p;
      return dfail(d, "a control character in a string");
    }
    if(c != '\\') {
      const char *q = p;
      while(q < d->end && *q != '"' && *q != '\\' &&
            (unsigned char)*q >= 0x20)
        q++;
      size_t bad;
      if(!ys_utf8_valid(p, (size_t)(q - p), &bad)) {
        d->p = p + bad;
        return dfail(d, "invalid UTF-8 in a string");
      }
      luaL_addlstring(&b, p, (size_t)(q - p));
      p = q;
      continue;
    }
    if(p + 1 >= d->end) {
      d->p = p;
      return dfail(d, "an unfinished escape");
    }
    char e = p[1];
    p += 2;
    switch(e) {
    case '"': luaL_addchar(&b, '"'); break;
    case '\\': luaL_addchar(&b, '\\'); break;
    case '/': luaL_addchar(&b, '/'); break;
    case 'b': luaL_addchar(&b, '\b'); break;
    case 'f': luaL_addchar(&b, '\f'); break;
    case 'n': luaL_addchar(&b, '\n'); break;
    case 'r': luaL_addchar(&b, '\r'); break;
    case 't': luaL_addchar(&b, '\t'); break;
    case 'u': {
      unsigned cp;
      if(p + 4 > d->end || !hex4(p, &cp)) {
        d->p = p;
        return dfail(d, "a bad \\u escape");
      }
      p += 4;
      if(cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if(p + 6 > d->end || p[0] != '\\' || p[1] != 'u' ||
           !hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
          d->p = p;
          return dfail(d, "an unpaired surrogate");
        }
        p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      }
      else if(cp >= 0xDC00 && cp <= 0xDFFF) {
        d->p = p;
        return dfail(d, "an unpaired surrogate");
      }
      if(cp == 0) {
        d->p = p;
        return dfail(d, "\\u0000 (NUL is not supported)");
      }
      char u[4];
      int n;
      if(cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
      }
      else if(cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
      }
      else if(cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
      }
      else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
      }
      luaL_addlstring(&b, u, (size_t)n);
      break;
    }
    default:
      d->p = p - 1;
      return dfail(d, "an unknown escape");
    }
  }
  if(p >= d->end) {
    d->p = p;
    return dfail(d, "an unterminated string");
  }
  d->p = p + 1;
  luaL_pushresult(&b);
  return 1;
}

static int dec_number(dec *d)
{
  const char *p = d->p, *start = p;
  int is_int = 1;
  if(p < d->end && *p == '-')
    p++;
  if(p >= d->end || !(*p >= '0' && *p <= '9'))
    return dfail(d, "a bad number");
  if(*p == '0')
    p++;
  else
    while(p < d->end && *p >= '0' && *p <= '9')
      p++;
  if(p < d->end && *p == '.') {
    is_int = 0;
    p++;
    if(p >= d->end || !(*p >= '0' && *p <= '9'))
      return dfail(d, "a bad number");
    while(p < d->end && *p >= '0' && *p <= '9')
      p++;
  }
  if(p < d->end && (*p == 'e' || *p == 'E')) {
    is_int = 0;
    p++;
    if(p < d->end && (*p == '+' || *p == '-'))
      p++;
    if(p >= d->end || !(*p >= '0' && *p <= '9'))
      return dfail(d, "a bad number");
    while(p < d->end && *p >= '0' && *p <= '9')
      p++;
  }
  size_t n = (size_t)(p - start);
  if(is_int && n <= 18) {
    /* Whole numbers of up to 18 characters fit in 63 bits exactly:
     * no strtod. */
    const char *q = start;
    int neg = *q == '-';
    lua_Integer v = 0;
    for(q += neg; q < p; q++)
      v = v * 10 + (*q - '0');
    lua_pushinteger(d->L, neg ? -v : v);
    d->p = p;
    return 1;
  }
  char buf[64];
  if(n >= sizeof(buf))
    return dfail(d, "a number too long");
  memcpy(buf, start, n);
  buf[n] = '\0';
  double v = strtod(buf, NULL);
  /* Integers within 2^53 become Lua integers, as from cJSON before. */
  if(is_int && fabs(v) < 9007199254740992.0)
    lua_pushinteger(d->L, (lua_Integer)v);
  else
    lua_pushnumber(d->L, v);
  d->p = p;
  return 1;
}

static int dec_value(dec *d, int depth);

static int dec_array(dec *d, int depth)
{
  lua_State *L = d->L;
  d->p++;
  lua_newtable(L);
  push_array_mt(L);
  lua_setmetatable(L, -2);
  skip_ws(d);
  if(d->p < d->end && *d->p == ']') {
    d->p++;
    return 1;
  }
  for(lua_Integer i = 1;; i++) {
    if(!dec_value(d, depth + 1))
      return 0;
    lua_rawseti(L, -2, i);
    skip_ws(d);
    if(d->p < d->end && *d->p == ',') {
      d->p++;
      continue;
    }
    if(d->p < d->end && *d->p == ']') {
      d->p++;
      return 1;
    }
    return dfail(d, "expected ',' or ']'");
  }
}

static int dec_object(dec *d, int depth)
{
  lua_State *L = d->L;
  d->p++;
  /* Room for the keys of a typical API object: growing a table past its
   * size rehashes it. */
  lua_createtable(L, 0, 8);
  skip_ws(d);
  if(d->p < d->end && *d->p == '}') {
    d->p++;
    return 1;
  }
  for(;;) {
    skip_ws(d);
    if(d->p >= d->end || *d->p != '"')
      return dfail(d, "expected a string key");
    if(!dec_string(d))
      return 0;
    skip_ws(d);
    if(d->p >= d->end || *d->p != ':')
      return dfail(d, "expected ':'");
    d->p++;
    if(!dec_value(d, depth + 1))
      return 0;
    lua_rawset(L, -3);
    skip_ws(d);
    if(d->p < d->end && *d->p == ',') {
      d->p++;
      continue;
    }
    if(d->p < d->end && *d->p == '}') {
      d->p++;
      return 1;
    }
    return dfail(d, "expected ',' or '}'");
  }
}

static int literal(dec *d, const char *word)
{
  size_t n = strlen(word);
  if((size_t)(d->end - d->p) < n || memcmp(d->p, word, n))
    return dfail(d, "an unexpected character");
  d->p += n;
  return 1;
}

static int dec_value(dec *d, int depth)
{
  if(depth > YS_JSON_MAX_DEPTH)
    return dfail(d, "nesting deeper than the limit");
  if(!lua_checkstack(d->L, 4))
    return dfail(d, "nesting too deep");
  skip_ws(d);
  if(d->p >= d->end)
    return dfail(d, "unexpected end of text");
  switch(*d->p) {
  case '{': return dec_object(d, depth);
  case '[': return dec_array(d, depth);
  case '"': return dec_string(d);
  case 't':
    if(!literal(d, "true"))
      return 0;
    lua_pushboolean(d->L, 1);
    return 1;
  case 'f':
    if(!literal(d, "false"))
      return 0;
    lua_pushboolean(d->L, 0);
    return 1;
  case 'n':
    if(!literal(d, "null"))
      return 0;
    lua_pushlightuserdata(d->L, NULL);
    return 1;
  default:
    if(*d->p == '-' || (*d->p >= '0' && *d->p <= '9'))
      return dec_number(d);
    return dfail(d, "an unexpected character");
  }
}

/* }====== */

int ys_lua_decode_json(lua_State *L, const char *s, size_t len)
{
  int top = lua_gettop(L);
  dec d = { L, s, s, s + len, NULL, NULL };
  int ok = dec_value(&d, 0);
  if(ok) {
    skip_ws(&d);
    ok = d.p >= d.end;
  }
  if(!ok)
    lua_settop(L, top);
  return ok;
}

/* json.decode(text) -> value, or nil and a message for text that is not
 * JSON (a runtime failure, not a contract violation). */
static int json_decode(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_settop(L, 1);
  dec d = { L, s, s, s + len, NULL, NULL };
  int ok = dec_value(&d, 0);
  if(ok) {
    skip_ws(&d);
    if(d.p < d.end)
      ok = dfail(&d, "text after the value");
  }
  if(!ok) {
    lua_settop(L, 1);
    luaL_pushfail(L);
    lua_pushfstring(L, "invalid JSON at offset %d: %s",
                    (int)(d.where - s), d.err);
    return 2;
  }
  return 1;
}

/* The end of the balanced {...} or [...] starting at p, or NULL. Strings
 * are skipped so braces inside them do not count. */
static const char *balanced(const char *p, const char *end)
{
  int depth = 0, in_str = 0;
  for(; p < end; p++) {
    char c = *p;
    if(in_str) {
      if(c == '\\')
        p++;
      else if(c == '"')
        in_str = 0;
      continue;
    }
    if(c == '"')
      in_str = 1;
    else if(c == '{' || c == '[')
      depth++;
    else if(c == '}' || c == ']') {
      if(--depth == 0)
        return p + 1;
    }
  }
  return NULL;
}

/* What the decoded value at the top of the stack is, for messages. */
static const char *value_kind(lua_State *L)
{
  switch(lua_type(L, -1)) {
  case LUA_TLIGHTUSERDATA: return "null";
  case LUA_TSTRING: return "a string";
  case LUA_TNUMBER: return "a number";
  case LUA_TBOOLEAN: return "a boolean";
  case LUA_TTABLE:
    if(lua_getmetatable(L, -1)) {
      lua_pop(L, 1);
      return "an array";
    }
    return "an object";
  default: return luaL_typename(L, -1);
  }
}

/* Whether a value just decoded is what the caller wants: anything, or
 * (objects only) an object. Else it is popped, and the first such kind
 * noted in *other. */
static int wanted(lua_State *L, int objects, const char **other)
{
  const char *k = value_kind(L);
  if(!objects || !strcmp(k, "an object"))
    return 1;
  if(!*other)
    *other = k; /* a literal: outlives the value */
  lua_pop(L, 1);
  return 0;
}

/* json.extract(text [, "object"]) -> value | nil, message. For chatty
 * model output: the whole text if it is JSON; else the first ``` fenced
 * block that is; else the first balanced {...} or [...] that is. With
 * "object", only an object will do: whole text that is other JSON is an
 * error, and other values are passed over (skipped whole, so an object
 * inside a list is not taken). */
static int json_extract(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int objects = 0;
  if(!lua_isnoneornil(L, 2)) {
    if(strcmp(luaL_checkstring(L, 2), "object"))
      return luaL_argerror(L, 2, "expected \"object\" or nothing");
    objects = 1;
  }
  lua_settop(L, 1);
  const char *other = NULL;
  if(ys_lua_decode_json(L, s, len)) {
    if(wanted(L, objects, &other))
      return 1;
    luaL_pushfail(L);
    lua_pushfstring(L, "expected a JSON object, got %s", other);
    return 2;
  }
  const char *end = s + len;
  /* Fenced blocks: ```json ... ``` or ``` ... ```. */
  for(const char *p = s; p < end;) {
    const char *open = strstr(p, "```");
    if(!open || open >= end)
      break;
    const char *body = strchr(open + 3, '\n');
    if(!body)
      break;
    body++;
    const char *close = strstr(body, "```");
    if(!close)
      break;
    if(ys_lua_decode_json(L, body, (size_t)(close - body)) &&
       wanted(L, objects, &other))
      return 1;
    p = close + 3;
  }
  int tries = 0;
  for(const char *p = s; p < end && tries < 64; p++) {
    if(*p != '{' && *p != '[')
      continue;
    tries++; /* bounded: each try scans to the end of the text */
    const char *e = balanced(p, end);
    if(e && ys_lua_decode_json(L, p, (size_t)(e - p))) {
      if(wanted(L, objects, &other))
        return 1;
      p = e - 1; /* past the whole value */
    }
  }
  luaL_pushfail(L);
  if(other)
    lua_pushfstring(L, "expected a JSON object, got %s", other);
  else
    lua_pushliteral(L, "no JSON value found in the text");
  return 2;
}

static const luaL_Reg json_funcs[] = {
  { "encode", json_encode },
  { "decode", json_decode },
  { "extract", json_extract },
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
