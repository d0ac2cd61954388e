/* SPDX-License-Identifier: MIT */
/*
 * metric.c: loading, configuring and calling metric plugins, each in its
 * own sandboxed state. The plugin's table, its configured parameters and
 * its score function stay in the state's registry; a call pushes the
 * sample and output (converted from cJSON) and reads back numbers.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "lua_lib_text.h"
#include "metric.h"
#include "xalloc.h"

typedef struct param {
  char *name;
  char *type; /* string, number, integer, boolean, table, any */
  char *doc;
  cJSON *def; /* default, or NULL when required */
  int required;
} param;

struct ys_metric {
  lua_State *L;
  char *base_dir;  /* "file" parameters are relative to it */
  char *display;  /* plugin file as shown in messages */
  char *plugin;   /* declared name */
  char *name;     /* instance name */
  char *description;
  param *params;
  size_t nparams;
  cJSON *config;  /* configured parameters */
  int plugin_ref; /* the plugin's table */
  int spare[16];  /* finished score coroutines, reset, for the next ones */
  int nspare;
  int params_ref; /* configured parameters as a Lua table */
  char **keys;    /* full key names */
  size_t nkeys;
  char **subkeys; /* the plugin's own key names (NULL for a single score) */
  int binary;
  ys_metric_agg agg;
};

/* "file": the suite gives a path (relative to the suite), the plugin
 * receives the file's content (plugins cannot read files themselves).
 * "model": the name of one of the suite's models or helpers, checked at
 * load. */
static const char *const TYPES[] = {
  "string", "number", "integer", "boolean", "table", "any", "file", "model",
  NULL
};

#define MAX_FILE_PARAM ((size_t)64 << 20)

/* The checks below run inside protected calls (ys_lua_pcall_c): they read
 * plugin tables, which can raise, and report problems with luaL_error. C
 * strings they keep are owned by the metric, so an error leaks nothing. */

/* [-0, +0, e] Field k of the table at idx as a string copy, or NULL. */
static char *opt_string(lua_State *L, int idx, const char *k)
{
  char *r = NULL;
  int t = lua_getfield(L, idx, k);
  if(t == LUA_TSTRING)
    r = ys_xstrdup(lua_tostring(L, -1));
  else if(t != LUA_TNIL)
    luaL_error(L, "'%s' must be a string, not %s", k, luaL_typename(L, -1));
  lua_pop(L, 1);
  return r;
}

/* [-0, +0, e] Reads the 'params' declarations of the table at idx. */
static void read_params(lua_State *L, ys_metric *m, int idx)
{
  int t = lua_getfield(L, idx, "params");
  if(t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if(t != LUA_TTABLE)
    luaL_error(L, "'params' must be a table");
  int pidx = lua_gettop(L);
  lua_pushnil(L);
  while(lua_next(L, pidx)) {
    if(lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TTABLE)
      luaL_error(L, "each entry of 'params' must be name = { type = ..., "
                 "default = ..., doc = ... }");
    const char *name = lua_tostring(L, -2);
    if(!strcmp(name, "name"))
      luaL_error(L, "parameter 'name' is reserved (it renames a metric "
                 "instance)");
    m->params = ys_xrealloc(m->params, (m->nparams + 1) * sizeof(param));
    param *p = &m->params[m->nparams++];
    memset(p, 0, sizeof(*p));
    p->name = ys_xstrdup(name);
    int e = lua_gettop(L);
    p->type = opt_string(L, e, "type");
    p->doc = opt_string(L, e, "doc");
    if(!p->type)
      p->type = ys_xstrdup("any");
    int known = 0;
    for(const char *const *ty = TYPES; *ty; ty++)
      if(!strcmp(*ty, p->type))
        known = 1;
    if(!known)
      luaL_error(L, "parameter '%s' has unknown type '%s' (expected string, "
                 "number, integer, boolean, table, file, model or any)",
                 p->name, p->type);
    lua_getfield(L, e, "required");
    p->required = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if(lua_getfield(L, e, "default") != LUA_TNIL) {
      ys_diag d;
      if(ys_lua_to_json(L, -1, &p->def, &d))
        luaL_error(L, "default of '%s': %s", p->name, d.msg);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

static int cmp_param(const void *a, const void *b)
{
  return strcmp(((const param *)a)->name, ((const param *)b)->name);
}

static int parse_agg(const char *s, ys_metric_agg *agg)
{
  static const struct { const char *name; ys_metric_agg agg; } aggs[] = {
    { "mean", YS_AGG_MEAN }, { "sum", YS_AGG_SUM }, { "rate", YS_AGG_RATE },
    { "median", YS_AGG_MEDIAN }
  };
  for(size_t i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++)
    if(!strcmp(s, aggs[i].name)) {
      *agg = aggs[i].agg;
      return 1;
    }
  return 0;
}

/* The plugin-side yardstick module: helpers only, no I/O. */
static int open_module(lua_State *L)
{
  lua_newtable(L);
  luaopen_ys_json(L);
  lua_setfield(L, -2, "json");
  ys_lua_add_text(L);
  ys_lua_register_module(L, "yardstick");
  return 0;
}

/* [-0, +0, e] Checks the table the plugin file returned (argument 2)
 * and keeps it in the registry. */
static int check_plugin(lua_State *L)
{
  ys_metric *m = lua_touserdata(L, 1);
  int idx = 2;
  if(!lua_istable(L, idx))
    luaL_error(L, "the file must return a table (name, params, score ...), "
               "not %s", luaL_typename(L, idx));
  m->plugin = opt_string(L, idx, "name");
  if(!m->plugin || !m->plugin[0] || strpbrk(m->plugin, ". \t"))
    luaL_error(L, "the returned table needs a 'name' without dots or "
               "spaces");
  m->description = opt_string(L, idx, "description");
  if(lua_getfield(L, idx, "score") != LUA_TFUNCTION)
    luaL_error(L, "'%s' needs a function score(params, sample, output, ctx)",
               m->plugin);
  lua_pop(L, 1);
  char *kind = opt_string(L, idx, "kind");
  m->binary = kind && !strcmp(kind, "binary");
  int kind_ok = !kind || m->binary || !strcmp(kind, "continuous");
  free(kind);
  if(!kind_ok)
    luaL_error(L, "'kind' must be \"binary\" or \"continuous\"");
  int at = lua_getfield(L, idx, "aggregate");
  if(at == LUA_TSTRING) {
    if(!parse_agg(lua_tostring(L, -1), &m->agg))
      luaL_error(L, "'aggregate' must be mean, sum, rate, median or a "
                 "function, not '%s'", lua_tostring(L, -1));
  }
  else if(at == LUA_TFUNCTION)
    m->agg = YS_AGG_CUSTOM;
  else if(at != LUA_TNIL)
    luaL_error(L, "'aggregate' must be a string or a function");
  lua_pop(L, 1);
  int kt = lua_getfield(L, idx, "keys");
  if(kt != LUA_TNIL && kt != LUA_TTABLE && kt != LUA_TFUNCTION)
    luaL_error(L, "'keys' must be a list of names or a function returning "
               "one");
  lua_pop(L, 1);
  read_params(L, m, idx);
  /* pairs() order varies between runs: sort, so manifests and listings
   * are stable. */
  if(m->nparams > 1)
    qsort(m->params, m->nparams, sizeof(param), cmp_param);
  lua_pushvalue(L, idx);
  m->plugin_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

ys_err ys_metric_load(const char *path, const char *display,
                      ys_lua_log_fn log, void *log_ud, ys_metric **out,
                      ys_diag *diag)
{
  *out = NULL;
  ys_metric *m = ys_xcalloc(1, sizeof(*m));
  m->display = ys_xstrdup(display);
  m->plugin_ref = m->params_ref = LUA_NOREF;
  m->agg = YS_AGG_MEAN;
  m->L = ys_lua_new(YS_METRIC_MEM_CAP, log, log_ud);
  if(!m->L) {
    ys_metric_free(m);
    return ys_fail(diag, YS_ERR_NOMEM, display, 0, "cannot create a Lua "
                   "state");
  }
  lua_State *L = m->L;
  ys_lua_set_time_limit(L, YS_METRIC_TIME_LIMIT_MS);
  ys_lua_set_instruction_limit(L, YS_METRIC_INSTRUCTION_LIMIT);
  ys_diag d;
  ys_err err = ys_lua_pcall_c(L, open_module, NULL, 0, 0, &d);
  if(!err)
    err = ys_lua_load_file(L, path, display, &d);
  if(!err)
    err = ys_lua_call(L, 0, 1, &d);
  if(!err) {
    err = ys_lua_pcall_c(L, check_plugin, m, 1, 0, &d);
    if(err) {
      char why[sizeof(d.msg)];
      memcpy(why, d.msg, sizeof(why));
      ys_fail(&d, err, NULL, 0, "metric plugin %s: %s", display, why);
    }
  }
  if(err) {
    ys_fail(diag, err == YS_ERR_IO || err == YS_ERR_NOMEM ? err
            : YS_ERR_SUITE, NULL, 0, "%s", d.msg);
    ys_metric_free(m);
    return err == YS_ERR_IO || err == YS_ERR_NOMEM ? err : YS_ERR_SUITE;
  }
  lua_settop(L, 0);
  m->name = ys_xstrdup(m->plugin);
  *out = m;
  return YS_OK;
}

static const char *json_kind(const cJSON *v)
{
  if(cJSON_IsNumber(v))
    return v->valuedouble == floor(v->valuedouble) ? "integer" : "number";
  if(cJSON_IsObject(v) || cJSON_IsArray(v))
    return "table";
  return ys_json_type_name(v);
}

static int type_ok(const char *want, const cJSON *v)
{
  const char *got = json_kind(v);
  if(!strcmp(want, "any") || !strcmp(want, got))
    return 1;
  if(!strcmp(want, "file") || !strcmp(want, "model"))
    return cJSON_IsString(v) && v->valuestring[0];
  return !strcmp(want, "number") && !strcmp(got, "integer");
}

static ys_err set_name(ys_metric *m, const cJSON *v, ys_diag *diag)
{
  if(!cJSON_IsString(v) || !v->valuestring[0] ||
     strpbrk(v->valuestring, ". \t\n"))
    return ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter "
                   "'name' must be a non-empty string without dots or "
                   "spaces", m->plugin);
  free(m->name);
  m->name = ys_xstrdup(v->valuestring);
  return YS_OK;
}

/* [-0, +0, e] Reads the plugin's keys (a list, or a function of the
 * params returning one) into m->subkeys. */
static int read_keys(lua_State *L)
{
  ys_metric *m = lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->plugin_ref);
  int t = lua_getfield(L, -1, "keys");
  if(t == LUA_TNIL)
    return 0;
  if(t == LUA_TFUNCTION) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->params_ref);
    lua_call(L, 1, 1);
    /* nil: a single score (the function only checked the params). */
    if(lua_isnil(L, -1))
      return 0;
  }
  if(!lua_istable(L, -1))
    luaL_error(L, "'keys' must give a list of names, not %s",
               luaL_typename(L, -1));
  lua_Integer n = luaL_len(L, -1);
  if(n < 1 || n > 1000)
    luaL_error(L, "'keys' must list between 1 and 1000 names");
  m->subkeys = ys_xcalloc((size_t)n, sizeof(char *));
  m->nkeys = (size_t)n;
  for(lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    /* Type first: lua_tostring would turn a number key into a string. */
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                   : NULL;
    if(!k || !k[0] || strpbrk(k, ". \t"))
      luaL_error(L, "key %d must be a non-empty string without dots or "
                 "spaces", (int)i);
    for(lua_Integer j = 1; j < i; j++)
      if(!strcmp(m->subkeys[j - 1], k))
        luaL_error(L, "key '%s' is listed twice", k);
    m->subkeys[i - 1] = ys_xstrdup(k);
    lua_pop(L, 1);
  }
  return 0;
}

static int push_config(lua_State *L)
{
  ys_lua_push_json(L, lua_touserdata(L, 1));
  return 1;
}

void ys_metric_set_base_dir(ys_metric *m, const char *dir)
{
  free(m->base_dir);
  m->base_dir = dir ? ys_xstrdup(dir) : NULL;
}

/* Reads a "file" parameter's file (relative to the base directory). */
static ys_err read_file_param(ys_metric *m, const char *pname,
                              const char *path, char **text, ys_diag *diag)
{
  char *full = path[0] == '/' || !m->base_dir
               ? ys_xstrdup(path) : ys_xasprintf("%s/%s", m->base_dir, path);
  FILE *f = fopen(full, "rb");
  ys_err err = YS_OK;
  if(!f)
    err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter '%s': "
                  "cannot open '%s': %s", m->plugin, pname, full,
                  strerror(errno));
  ys_buf b;
  ys_buf_init(&b, MAX_FILE_PARAM);
  char chunk[65536];
  size_t n;
  while(!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    if(ys_buf_add(&b, chunk, n))
      err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter "
                    "'%s': '%s' is larger than %zu MiB", m->plugin, pname,
                    full, MAX_FILE_PARAM >> 20);
  if(f)
    fclose(f);
  if(!err && memchr(ys_buf_str(&b), '\0', b.len))
    err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter '%s': "
                  "'%s' is not a text file", m->plugin, pname, full);
  free(full);
  if(err) {
    ys_buf_free(&b);
    return err;
  }
  *text = ys_buf_take(&b, NULL);
  return YS_OK;
}

size_t ys_metric_model_params(const ys_metric *m, const char **names,
                              size_t max)
{
  size_t n = 0;
  for(size_t i = 0; i < m->nparams; i++) {
    if(strcmp(m->params[i].type, "model"))
      continue;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->config,
                                                      m->params[i].name);
    if(cJSON_IsString(v) && n < max)
      names[n++] = v->valuestring;
  }
  return n;
}

ys_err ys_metric_configure(ys_metric *m, const cJSON *params, ys_diag *diag)
{
  if(params && !cJSON_IsObject(params))
    return ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameters "
                   "must be a table of name = value", m->plugin);
  cJSON *cfg = cJSON_CreateObject();
  ys_err err = YS_OK;
  for(const cJSON *p = params ? params->child : NULL; p && !err;
      p = p->next) {
    if(!strcmp(p->string, "name")) {
      err = set_name(m, p, diag);
      continue;
    }
    const param *decl = NULL;
    for(size_t i = 0; i < m->nparams; i++)
      if(!strcmp(m->params[i].name, p->string))
        decl = &m->params[i];
    if(!decl) {
      char known[512] = "";
      for(size_t i = 0; i < m->nparams; i++) {
        size_t l = strlen(known);
        snprintf(known + l, sizeof(known) - l, "%s%s", i ? ", " : "",
                 m->params[i].name);
      }
      err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': unknown "
                    "parameter '%s' (known: %s)", m->plugin, p->string,
                    m->nparams ? known : "none");
      break;
    }
    if(!type_ok(decl->type, p)) {
      err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter "
                    "'%s' must be %s %s, got %s", m->plugin, p->string,
                    strchr("aeiou", decl->type[0]) ? "an" : "a", decl->type,
                    json_kind(p));
      break;
    }
    cJSON_AddItemToObject(cfg, p->string, cJSON_Duplicate(p, 1));
  }
  for(size_t i = 0; i < m->nparams && !err; i++) {
    const param *decl = &m->params[i];
    if(cJSON_GetObjectItemCaseSensitive(cfg, decl->name))
      continue;
    if(decl->def)
      cJSON_AddItemToObject(cfg, decl->name, cJSON_Duplicate(decl->def, 1));
    else if(decl->required)
      err = ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': parameter "
                    "'%s' is required (%s)", m->plugin, decl->name,
                    decl->doc ? decl->doc : decl->type);
  }
  if(err) {
    cJSON_Delete(cfg);
    return err;
  }
  /* What the plugin sees: file parameters hold the file's content. */
  cJSON *seen = cJSON_Duplicate(cfg, 1);
  for(size_t i = 0; i < m->nparams && !err; i++) {
    if(strcmp(m->params[i].type, "file"))
      continue;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(seen, m->params[i].name);
    if(!cJSON_IsString(v))
      continue;
    char *text = NULL;
    err = read_file_param(m, m->params[i].name, v->valuestring, &text, diag);
    if(!err) {
      cJSON_ReplaceItemInObjectCaseSensitive(seen, m->params[i].name,
                                             cJSON_CreateString(text));
      free(text);
    }
  }
  if(err) {
    cJSON_Delete(seen);
    cJSON_Delete(cfg);
    return err;
  }
  cJSON_Delete(m->config);
  m->config = cfg;
  lua_State *L = m->L;
  luaL_unref(L, LUA_REGISTRYINDEX, m->params_ref);
  m->params_ref = LUA_NOREF;
  err = ys_lua_pcall_c(L, push_config, seen, 0, 1, diag);
  cJSON_Delete(seen);
  if(err)
    return err;
  m->params_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  for(size_t i = 0; i < m->nkeys; i++) {
    if(m->keys)
      free(m->keys[i]);
    if(m->subkeys)
      free(m->subkeys[i]);
  }
  free(m->keys);
  free(m->subkeys);
  m->keys = m->subkeys = NULL;
  m->nkeys = 0;
  ys_diag d;
  err = ys_lua_pcall_c(L, read_keys, m, 0, 0, &d);
  if(err)
    return ys_fail(diag, YS_ERR_SUITE, NULL, 0, "metric '%s': %s", m->plugin,
                   d.msg);
  if(!m->subkeys) {
    m->nkeys = 1;
    m->keys = ys_xcalloc(1, sizeof(char *));
    m->keys[0] = ys_xstrdup(m->name);
  }
  else {
    m->keys = ys_xcalloc(m->nkeys, sizeof(char *));
    for(size_t i = 0; i < m->nkeys; i++)
      m->keys[i] = ys_xasprintf("%s.%s", m->name, m->subkeys[i]);
  }
  return YS_OK;
}

const char *ys_metric_name(const ys_metric *m) { return m->name; }
const char *ys_metric_plugin(const ys_metric *m) { return m->plugin; }
size_t ys_metric_nkeys(const ys_metric *m) { return m->nkeys; }
int ys_metric_binary(const ys_metric *m) { return m->binary; }
ys_metric_agg ys_metric_aggregation(const ys_metric *m) { return m->agg; }
const cJSON *ys_metric_params(const ys_metric *m) { return m->config; }

const char *ys_metric_key(const ys_metric *m, size_t i)
{
  return i < m->nkeys ? m->keys[i] : NULL;
}

/* Reads the value at idx as a score. */
static int as_score(lua_State *L, int idx, double *out)
{
  if(lua_type(L, idx) == LUA_TBOOLEAN) {
    *out = lua_toboolean(L, idx) ? 1 : 0;
    return 1;
  }
  if(lua_type(L, idx) == LUA_TNUMBER) {
    *out = lua_tonumber(L, idx);
    return !isnan(*out) && !isinf(*out);
  }
  return 0;
}

/* {====== scoring ======
 * score() runs in a coroutine of the metric's state, so a metric can call
 * a model (ctx:chat) and wait: the coroutine yields the request, the
 * runner makes the call in the suite's state and resumes it with the
 * reply. Everything that pushes or reads plugin values runs inside a
 * protected call. */

struct ys_metric_call {
  lua_State *co;
  int ref;             /* keeps co alive */
  ys_metric_wait wait; /* what it waits for, when it does */
  char *detail;        /* JSON text of score()'s second result, or NULL */
};

static void call_clear_wait(ys_metric_call *c)
{
  free((char *)c->wait.model);
  free((char *)c->wait.messages);
  free((char *)c->wait.options);
  memset(&c->wait, 0, sizeof(c->wait));
}

void ys_metric_call_free(ys_metric *m, ys_metric_call *c)
{
  if(!c)
    return;
  call_clear_wait(c);
  free(c->detail);
  /* Only a coroutine that finished its score is kept: one stopped by an
   * error (a limit's hook leaves hooks disabled in it) or abandoned
   * while waiting is let go. */
  if(c->co && lua_status(c->co) == LUA_OK &&
     m->nspare < (int)(sizeof(m->spare) / sizeof(m->spare[0]))) {
    /* A coroutine that returned starts its next function as it is:
     * lua_resetthread would also shrink its stack, which the next score
     * grows back (a reallocation per call). */
    lua_settop(c->co, 0);
    m->spare[m->nspare++] = c->ref;
  }
  else
    luaL_unref(m->L, LUA_REGISTRYINDEX, c->ref);
  free(c);
}

const ys_metric_wait *ys_metric_waiting(const ys_metric_call *c)
{
  return c && c->wait.model ? &c->wait : NULL;
}

const char *ys_metric_detail(const ys_metric_call *c)
{
  return c ? c->detail : NULL;
}

/* ctx:chat(model, messages [, options]) -> text, reply | nil, message.
 * Yields the request to the runner (JSON text, so it can cross states). */
static int ctx_chat(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkstring(L, 2);
  if(lua_type(L, 3) != LUA_TSTRING && !lua_istable(L, 3))
    return luaL_error(L, "ctx:chat(model, messages [, options]): messages "
                      "must be a string or a list of {role=, content=}");
  if(!lua_isnoneornil(L, 4))
    luaL_checktype(L, 4, LUA_TTABLE);
  if(!lua_isyieldable(L))
    return luaL_error(L, "ctx:chat can only be called from score()");
  lua_settop(L, 4);
  ys_buf *b = ys_lua_newbuf(L, (size_t)32 << 20);  /* 5 */
  ys_diag d;
  if(ys_lua_encode_json(L, 3, b, &d))
    return luaL_error(L, "ctx:chat: messages: %s", d.msg);
  lua_pushlstring(L, ys_buf_str(b), b->len);       /* 6 */
  ys_buf_reset(b);
  if(lua_istable(L, 4) && ys_lua_encode_json(L, 4, b, &d))
    return luaL_error(L, "ctx:chat: options: %s", d.msg);
  lua_pushvalue(L, 2);
  lua_insert(L, 6);                                /* model, messages */
  lua_pushlstring(L, b->len ? ys_buf_str(b) : "{}", b->len ? b->len : 2);
  return lua_yield(L, 3);
}

typedef struct begin_args {
  ys_metric *m;
  const cJSON *sample, *output;
  const ys_metric_ctx *ctx;
  lua_State *co;
  int ref;
} begin_args;

/* Makes the coroutine and pushes score and its arguments onto it. */
static int begin_protected(lua_State *L)
{
  begin_args *a = lua_touserdata(L, 1);
  const ys_metric_ctx *x = a->ctx;
  lua_State *co;
  if(a->m->nspare) {
    /* A coroutine that finished a score: cheaper than a new one. */
    a->ref = a->m->spare[--a->m->nspare];
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
    co = lua_tothread(L, -1);
    lua_pop(L, 1);
  }
  else {
    co = lua_newthread(L);
    a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  a->co = co;
  lua_rawgeti(L, LUA_REGISTRYINDEX, a->m->plugin_ref);
  lua_getfield(L, -1, "score");
  lua_remove(L, -2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, a->m->params_ref);
  ys_lua_push_json(L, a->sample);
  ys_lua_push_json(L, a->output);
  lua_createtable(L, 0, 10);
  /* lua_pushlstring: these never hit lua_pushstring's cache. */
  lua_pushlstring(L, x->id, strlen(x->id));
  lua_setfield(L, -2, "id");
  lua_pushlstring(L, x->model, strlen(x->model));
  lua_setfield(L, -2, "model");
  lua_pushinteger(L, x->repeat > 0 ? x->repeat : 1);
  lua_setfield(L, -2, "repeat");
  if(x->user) {
    lua_pushlstring(L, x->user, strlen(x->user));
    lua_setfield(L, -2, "prompt");
  }
  if(x->system) {
    lua_pushlstring(L, x->system, strlen(x->system));
    lua_setfield(L, -2, "system");
  }
  if(x->usage) {
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, x->usage->calls);
    lua_setfield(L, -2, "calls");
    lua_pushinteger(L, x->usage->input_tokens);
    lua_setfield(L, -2, "input_tokens");
    lua_pushinteger(L, x->usage->output_tokens);
    lua_setfield(L, -2, "output_tokens");
    lua_pushnumber(L, x->usage->cost);
    lua_setfield(L, -2, "cost");
    lua_pushnumber(L, x->usage->latency_ms);
    lua_setfield(L, -2, "latency_ms");
    lua_setfield(L, -2, "usage");
  }
  lua_pushnumber(L, x->elapsed_ms);
  lua_setfield(L, -2, "elapsed_ms");
  lua_pushcfunction(L, ctx_chat);
  lua_setfield(L, -2, "chat");
  lua_xmove(L, co, 5); /* score, params, sample, output, ctx */
  return 0;
}

typedef struct result_args {
  ys_metric *m;
  double *scores;
  char *detail;
  char err[512];
} result_args;

static int fail_result(result_args *r, const char *fmt, ...)
  YS_PRINTF(2, 3);

static int fail_result(result_args *r, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err, sizeof(r->err), fmt, ap);
  va_end(ap);
  return 0;
}

/* Reads score()'s results (arguments 2 and 3). Runs protected: a result
 * table may have metamethods, and encoding the detail allocates. */
static int read_protected(lua_State *L)
{
  result_args *r = lua_touserdata(L, 1);
  ys_metric *m = r->m;
  lua_settop(L, 3);
  if(!m->subkeys) {
    if(lua_type(L, 2) == LUA_TNUMBER && !as_score(L, 2, &r->scores[0]))
      return fail_result(r, "score() returned NaN or an infinity, expected "
                         "a finite number");
    if(!as_score(L, 2, &r->scores[0]))
      return fail_result(r, "score() returned %s, expected a number or "
                         "boolean", luaL_typename(L, 2));
  }
  else if(!lua_istable(L, 2))
    return fail_result(r, "score() returned %s, expected a table with keys "
                       "%s...", luaL_typename(L, 2), m->subkeys[0]);
  else {
    size_t found = 0;
    for(size_t i = 0; i < m->nkeys; i++) {
      lua_getfield(L, 2, m->subkeys[i]);
      if(lua_isnil(L, -1))
        return fail_result(r, "score() result lacks '%s'", m->subkeys[i]);
      if(!as_score(L, -1, &r->scores[i]))
        return fail_result(r, "'%s' must be a finite number or boolean, "
                           "got %s", m->subkeys[i], luaL_typename(L, -1));
      found++;
      lua_pop(L, 1);
    }
    size_t n = 0;
    lua_pushnil(L);
    while(lua_next(L, 2)) {
      lua_pop(L, 1);
      n++;
    }
    if(n != found)
      return fail_result(r, "score() returned keys it does not declare in "
                         "'keys'");
  }
  /* A binary metric's scores feed Wilson intervals and pass rates: only
   * 0 and 1 make sense there. */
  for(size_t i = 0; i < m->nkeys && m->binary; i++)
    if(r->scores[i] != 0 && r->scores[i] != 1)
      return fail_result(r, "'%s' is binary but scored %g (expected 0, 1 "
                         "or a boolean)", m->keys[i], r->scores[i]);
  if(!lua_isnil(L, 3)) {
    ys_buf *b = ys_lua_newbuf(L, (size_t)1 << 20);
    ys_diag d;
    if(ys_lua_encode_json(L, 3, b, &d))
      return fail_result(r, "detail: %s", d.msg);
    r->detail = ys_xstrndup(ys_buf_str(b), b->len);
  }
  return 0;
}

/* After a resume: done, waiting again, or failed. */
static ys_err settle_resume(ys_metric *m, ys_metric_call **callp, int rc,
                            int nres, double *scores, ys_diag *diag)
{
  ys_metric_call *c = *callp;
  lua_State *co = c->co;
  ys_diag d;
  if(rc == LUA_YIELD) {
    if(nres != 3 || lua_type(co, -3) != LUA_TSTRING) {
      ys_metric_call_free(m, c);
      *callp = NULL;
      return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': score() "
                     "yielded outside ctx:chat", m->name);
    }
    c->wait.model = ys_xstrdup(lua_tostring(co, -3));
    c->wait.messages = ys_xstrdup(lua_tostring(co, -2));
    c->wait.options = ys_xstrdup(lua_tostring(co, -1));
    lua_pop(co, 3);
    return YS_OK;
  }
  if(rc != LUA_OK) {
    ys_metric_call_free(m, c);
    *callp = NULL;
    lua_gc(m->L, LUA_GCCOLLECT); /* what the failed call left */
    return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': %s", m->name,
                   d.msg[0] ? d.msg : "failed");
  }
  (void)d;
  /* Done: read the results (pass them to the reader as arguments). */
  result_args r = { m, scores, NULL, "" };
  if(nres > 2) {
    lua_pop(co, nres - 2);
    nres = 2;
  }
  while(nres < 2) {
    lua_pushnil(co); /* lua_resume left room for its results */
    nres++;
  }
  ys_err err = ys_lua_pcall_c(co, read_protected, &r, 2, 0, &d);
  if(!err && r.err[0])
    err = ys_fail(&d, YS_ERR_LUA, NULL, 0, "%s", r.err);
  if(err) {
    free(r.detail);
    ys_metric_call_free(m, c);
    *callp = NULL;
    return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': %s", m->name,
                   d.msg);
  }
  /* Done: keep the call for its detail; the caller frees it. */
  c->detail = r.detail;
  lua_settop(co, 0);
  return YS_OK;
}

static ys_err run_slice(ys_metric *m, ys_metric_call **callp, int nargs,
                        double *scores, ys_diag *diag)
{
  ys_diag d;
  d.msg[0] = '\0';
  int nres = 0;
  int rc = ys_lua_resume(m->L, (*callp)->co, nargs, &nres, &d);
  if(rc != LUA_OK && rc != LUA_YIELD) {
    ys_metric_call_free(m, *callp);
    *callp = NULL;
    lua_gc(m->L, LUA_GCCOLLECT);
    return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': %s", m->name,
                   d.msg);
  }
  return settle_resume(m, callp, rc, nres, scores, diag);
}

ys_err ys_metric_begin(ys_metric *m, const cJSON *sample,
                       const cJSON *output, const ys_metric_ctx *ctx,
                       ys_metric_call **call, double *scores, ys_diag *diag)
{
  *call = NULL;
  begin_args a = { m, sample, output, ctx, NULL, LUA_NOREF };
  ys_diag d;
  if(ys_lua_pcall_c(m->L, begin_protected, &a, 0, 0, &d)) {
    if(a.ref != LUA_NOREF)
      luaL_unref(m->L, LUA_REGISTRYINDEX, a.ref);
    lua_gc(m->L, LUA_GCCOLLECT);
    return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': %s", m->name,
                   d.msg);
  }
  ys_metric_call *c = ys_xcalloc(1, sizeof(*c));
  c->co = a.co;
  c->ref = a.ref;
  *call = c;
  return run_slice(m, call, 4, scores, diag);
}

typedef struct reply_args {
  const char *text, *reply_json, *error;
} reply_args;

/* Pushes what ctx:chat returns: text, reply | nil, message. */
static int reply_protected(lua_State *L)
{
  reply_args *a = lua_touserdata(L, 1);
  lua_settop(L, 0);
  if(a->error) {
    lua_pushnil(L);
    lua_pushstring(L, a->error);
    return 2;
  }
  lua_pushstring(L, a->text ? a->text : "");
  if(!a->reply_json ||
     !ys_lua_decode_json(L, a->reply_json, strlen(a->reply_json)))
    lua_newtable(L);
  return 2;
}

ys_err ys_metric_resume(ys_metric *m, ys_metric_call **call,
                        const char *text, const char *reply_json,
                        const char *error, double *scores, ys_diag *diag)
{
  ys_metric_call *c = *call;
  call_clear_wait(c);
  reply_args a = { text, reply_json, error };
  ys_diag d;
  if(ys_lua_pcall_c(m->L, reply_protected, &a, 0, 2, &d) ||
     !lua_checkstack(c->co, 3)) {
    ys_metric_call_free(m, c);
    *call = NULL;
    return ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': %s", m->name,
                   d.msg);
  }
  lua_xmove(m->L, c->co, 2);
  return run_slice(m, call, 2, scores, diag);
}

ys_err ys_metric_score(ys_metric *m, const cJSON *sample,
                       const cJSON *output, const char *id,
                       const char *model, double *scores, ys_diag *diag)
{
  ys_metric_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.id = id;
  ctx.model = model;
  ys_metric_call *c = NULL;
  ys_err err = ys_metric_begin(m, sample, output, &ctx, &c, scores, diag);
  if(!err && ys_metric_waiting(c))
    err = ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s' calls a model "
                  "(ctx:chat), which needs a run", m->name);
  ys_metric_call_free(m, c);
  return err;
}

/* }====== */

typedef struct agg_call {
  ys_metric *m;
  size_t key;
  const double *v;
  size_t n;
} agg_call;

static int aggregate_protected(lua_State *L)
{
  agg_call *c = lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->m->plugin_ref);
  lua_getfield(L, -1, "aggregate");
  lua_createtable(L, c->n > (1u << 26) ? 0 : (int)c->n, 0);
  for(size_t i = 0; i < c->n; i++) {
    lua_pushnumber(L, c->v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_pushstring(L, c->m->subkeys ? c->m->subkeys[c->key] : c->m->name);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->m->params_ref);
  lua_call(L, 3, 1);
  return 1;
}

ys_err ys_metric_aggregate(ys_metric *m, size_t key, const double *v,
                           size_t n, double *out, ys_diag *diag)
{
  lua_State *L = m->L;
  int top = lua_gettop(L);
  agg_call c = { m, key, v, n };
  ys_diag d;
  ys_err err = ys_lua_pcall_c(L, aggregate_protected, &c, 0, 1, &d);
  if(err) {
    lua_settop(L, top);
    return ys_fail(diag, err, NULL, 0, "metric '%s': aggregate: %s",
                   m->name, d.msg);
  }
  /* NaN (0/0 over no scores, say) means no value, as for a built-in
   * aggregate over nothing. */
  if(lua_type(L, -1) == LUA_TNUMBER && isnan(lua_tonumber(L, -1)))
    *out = NAN;
  else if(lua_type(L, -1) == LUA_TNUMBER && !as_score(L, -1, out))
    err = ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': aggregate "
                  "returned an infinite number", m->name);
  else if(!as_score(L, -1, out))
    err = ys_fail(diag, YS_ERR_LUA, NULL, 0, "metric '%s': aggregate "
                  "returned %s, expected a number", m->name,
                  luaL_typename(L, -1));
  lua_settop(L, top);
  return err;
}

cJSON *ys_metric_describe(const ys_metric *m)
{
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "name", m->plugin);
  cJSON_AddStringToObject(d, "description",
                          m->description ? m->description : "");
  cJSON_AddStringToObject(d, "kind", m->binary ? "binary" : "continuous");
  cJSON *ps = cJSON_AddArrayToObject(d, "params");
  for(size_t i = 0; i < m->nparams; i++) {
    const param *p = &m->params[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "type", p->type);
    if(p->def)
      cJSON_AddItemToObject(o, "default", cJSON_Duplicate(p->def, 1));
    cJSON_AddBoolToObject(o, "required", p->required && !p->def);
    cJSON_AddStringToObject(o, "doc", p->doc ? p->doc : "");
    cJSON_AddItemToArray(ps, o);
  }
  return d;
}

void ys_metric_free(ys_metric *m)
{
  if(!m)
    return;
  ys_lua_close(m->L);
  for(size_t i = 0; i < m->nparams; i++) {
    free(m->params[i].name);
    free(m->params[i].type);
    free(m->params[i].doc);
    cJSON_Delete(m->params[i].def);
  }
  free(m->params);
  for(size_t i = 0; i < m->nkeys; i++) {
    if(m->keys)
      free(m->keys[i]);
    if(m->subkeys)
      free(m->subkeys[i]);
  }
  free(m->keys);
  free(m->subkeys);
  cJSON_Delete(m->config);
  free(m->base_dir);
  free(m->display);
  free(m->plugin);
  free(m->name);
  free(m->description);
  free(m);
}
