/* SPDX-License-Identifier: MIT */
/*
 * model.c: model:chat. The backend call is made with lua_callk so that a
 * backend may yield (an HTTP request in flight, a timer) and the
 * accounting still runs when it comes back.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_host.h"
#include "model.h"
#include "xalloc.h"

static const char MODEL_MT[] = "ys.Model";

typedef struct model_box {
  ys_model *m;
} model_box;

ys_model *ys_model_check(lua_State *L, int idx)
{
  model_box *b = luaL_testudata(L, idx, MODEL_MT);
  return b ? b->m : NULL;
}

/* [-0, +1, e] Pushes a normalised list of messages for the value at idx. */
static void push_messages(lua_State *L, int idx)
{
  if(lua_type(L, idx) == LUA_TSTRING) {
    lua_createtable(L, 1, 0);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "user");
    lua_setfield(L, -2, "role");
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "content");
    lua_rawseti(L, -2, 1);
    return;
  }
  if(!lua_istable(L, idx))
    luaL_error(L, "model:chat expects a string or a list of {role=, "
               "content=} messages, got %s", luaL_typename(L, idx));
  lua_Integer n = luaL_len(L, idx);
  if(n < 1)
    luaL_error(L, "model:chat: the message list is empty");
  lua_createtable(L, (int)n, 0);
  for(lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, idx, i);
    if(!lua_istable(L, -1))
      luaL_error(L, "model:chat: message %d is a %s, expected {role=, "
                 "content=}", (int)i, luaL_typename(L, -1));
    lua_getfield(L, -1, "role");
    lua_getfield(L, -2, "content");
    if(lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "model:chat: message %d needs string 'role' and "
                 "'content'", (int)i);
    lua_pop(L, 2);
    lua_rawseti(L, -2, i);
  }
}

/* The stages of a call, as continuation contexts. */
enum { STAGE_WAIT = 1, STAGE_CALL = 2 };

/* Stack of a call: 1 self, 2 input, 3 options, 4 start time, 5 request,
 * 6 estimated input tokens. */

static double count_chars(lua_State *L, int messages)
{
  double n = 0;
  lua_Integer len = (lua_Integer)lua_rawlen(L, messages);
  for(lua_Integer i = 1; i <= len; i++) {
    lua_rawgeti(L, messages, i);
    lua_getfield(L, -1, "content");
    n += (double)lua_rawlen(L, -1);
    lua_pop(L, 2);
  }
  return n;
}

static int chat_k(lua_State *L, int status, lua_KContext kctx);

/* Waits for the rate limit (yielding), then calls the backend. */
static int call_backend(lua_State *L, ys_model *m)
{
  ys_task *t = ys_sched_current(L);
  double wait = ys_limit_acquire(&m->limit, lua_tonumber(L, 6),
                                 ys_lua_clock_ms());
  if(wait > 0 && t && lua_isyieldable(L)) {
    ys_sched_sleep(t, wait);
    return lua_yieldk(L, 0, STAGE_WAIT, chat_k);
  }
  lua_pushnumber(L, ys_lua_clock_ms());
  lua_replace(L, 4);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->backend_ref);
  lua_getfield(L, -1, "chat");                   /* backend.chat */
  lua_insert(L, -2);                             /* chat, backend */
  lua_pushvalue(L, 5);                           /* request */
  if(t)
    t->call_cached = 0;
  /* A protected call, so a failed call is still timed and counted before
   * its error goes on up. lua_pcallk keeps the call yieldable. */
  int st = lua_pcallk(L, 2, 2, 0, STAGE_CALL, chat_k);
  return chat_k(L, st, STAGE_CALL);
}

/* model:chat(messages [, options]) -> text, reply */
static int model_chat(lua_State *L)
{
  model_box *b = luaL_checkudata(L, 1, MODEL_MT);
  luaL_checkany(L, 2);
  if(!lua_isnoneornil(L, 3))
    luaL_checktype(L, 3, LUA_TTABLE);
  ys_task *t = ys_sched_current(L);
  if(!t)
    return luaL_error(L, "model:chat can only be called while a sample is "
                      "being evaluated");
  lua_settop(L, 3);
  lua_pushnumber(L, ys_lua_clock_ms());          /* 4: start time */
  lua_createtable(L, 0, 4);                      /* 5: request */
  push_messages(L, 2);
  double chars = count_chars(L, lua_gettop(L));
  lua_setfield(L, 5, "messages");
  if(lua_istable(L, 3))
    lua_pushvalue(L, 3);
  else
    lua_newtable(L);
  lua_setfield(L, 5, "options");
  if(t->ctx_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->ctx_ref);
    lua_getfield(L, -1, "id");
    lua_setfield(L, 5, "id");
    lua_getfield(L, -1, "sample");
    lua_setfield(L, 5, "sample");
    lua_getfield(L, -1, "repeat");
    lua_setfield(L, 5, "repeat");
    lua_pop(L, 1);
  }
  lua_pushnumber(L, ys_model_estimate(chars));   /* 6: estimated tokens */
  return call_backend(L, b->m);
}

static long opt_tokens(lua_State *L, int idx, const char *k)
{
  long n = -1;
  if(lua_getfield(L, idx, k) == LUA_TNUMBER && lua_tonumber(L, -1) >= 0 &&
     lua_tonumber(L, -1) <= YS_MAX_TOKENS)
    n = (long)lua_tonumber(L, -1);
  lua_pop(L, 1);
  return n;
}

ys_usage ys_model_call_usage(const ys_model *m, double est_in, long in,
                             long out, size_t reply_len, double ms)
{
  ys_usage u = { 1, in, out, 0, 0, ms, 0 };
  if(in < 0) {
    u.input_tokens = (long)est_in;
    u.estimated = 1;
  }
  if(out < 0) {
    u.output_tokens = (long)ys_model_estimate((double)reply_len);
    u.estimated = 1;
  }
  u.cost = (u.input_tokens * m->price_in + u.output_tokens * m->price_out) /
           1e6;
  return u;
}

/* Counts one call (one: from ys_model_call_usage, or a failed call's) to
 * the running task, or to m's calls from other tasks. */
static void account(lua_State *L, ys_model *m, ys_usage one, int ok)
{
  ys_task *t = ys_sched_current(L);
  ys_usage *u = t && (t->own_model == m ||
                      t->own_model == YS_TASK_ANY_MODEL) ? &t->usage
                                                         : &m->aux;
  one.cache_hits = t && t->call_cached;
  ys_usage_add(u, &one);
  if(t)
    t->call_cached = 0;
  /* A call to another model from a task: the journal records it per
   * model, so a resumed run can count it again. */
  if(u == &m->aux && t && t->others)
    ys_usage_list_add(t->others, m, &one);
  if(t && t->settle)
    t->settle(t, ok);
}

/* Continuation: after a rate-limit wait, or with the backend's results on
 * top (reply, err), or its error when status says so. */
static int chat_k(lua_State *L, int status, lua_KContext kctx)
{
  model_box *b = luaL_checkudata(L, 1, MODEL_MT);
  ys_model *m = b->m;
  if(kctx == STAGE_WAIT)
    return call_backend(L, m);
  double ms = ys_lua_clock_ms() - lua_tonumber(L, 4);
  double est_in = lua_tonumber(L, 6);
  ys_usage failed = { 1, 0, 0, 0, 0, ms, 0 };
  if(status != LUA_OK && status != LUA_YIELD) {
    account(L, m, failed, 0);
    return lua_error(L); /* the backend's error, unchanged */
  }
  int reply = lua_absindex(L, -2);
  if(lua_isnil(L, reply)) {
    const char *e = lua_tostring(L, reply + 1);
    account(L, m, failed, 0);
    return luaL_error(L, "model '%s': %s", m->name,
                      e ? e : "backend returned nothing");
  }
  if(lua_type(L, reply) == LUA_TSTRING) {
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, reply);
    lua_setfield(L, -2, "text");
    lua_replace(L, reply);
  }
  if(!lua_istable(L, reply)) {
    account(L, m, failed, 0);
    return luaL_error(L, "model '%s': backend returned %s, expected a "
                      "string or {text=...}", m->name,
                      luaL_typename(L, reply));
  }
  if(lua_getfield(L, reply, "text") != LUA_TSTRING) {
    account(L, m, failed, 0);
    return luaL_error(L, "model '%s': backend reply has no string 'text'",
                      m->name);
  }
  ys_usage one = ys_model_call_usage(m, est_in,
                                     opt_tokens(L, reply, "input_tokens"),
                                     opt_tokens(L, reply, "output_tokens"),
                                     lua_rawlen(L, -1), ms);
  if(one.estimated) {
    lua_pushboolean(L, 1);
    lua_setfield(L, reply, "estimated_tokens");
  }
  ys_limit_settle(&m->limit, est_in,
                  (double)(one.input_tokens + one.output_tokens));
  lua_pushnumber(L, ms);
  lua_setfield(L, reply, "latency_ms");
  account(L, m, one, 1);
  lua_pushvalue(L, reply); /* stack: ..., text, reply */
  return 2;
}

static int model_tostring(lua_State *L)
{
  model_box *b = luaL_checkudata(L, 1, MODEL_MT);
  lua_pushfstring(L, "model '%s'", b->m->name);
  return 1;
}

static int model_index(lua_State *L)
{
  model_box *b = luaL_checkudata(L, 1, MODEL_MT);
  const char *k = luaL_checkstring(L, 2);
  if(!strcmp(k, "chat"))
    lua_pushcfunction(L, model_chat);
  else if(!strcmp(k, "name"))
    lua_pushstring(L, b->m->name);
  else if(!strcmp(k, "kind"))
    lua_pushstring(L, b->m->kind);
  else
    return luaL_error(L, "model has no field '%s' (it has chat, name, "
                      "kind)", k);
  return 1;
}

static const luaL_Reg model_meta[] = {
  { "__index", model_index },
  { "__tostring", model_tostring },
  { NULL, NULL }
};

void ys_model_push_new(lua_State *L, ys_model *m)
{
  m->backend_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  model_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->m = m;
  if(luaL_newmetatable(L, MODEL_MT)) {
    luaL_setfuncs(L, model_meta, 0);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  m->object_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void ys_model_free(lua_State *L, ys_model *m)
{
  if(!m)
    return;
  if(L) {
    luaL_unref(L, LUA_REGISTRYINDEX, m->backend_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, m->object_ref);
  }
  free(m->name);
  free(m->kind);
  free(m->where);
  free(m);
}
