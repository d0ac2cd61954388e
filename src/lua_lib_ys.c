/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_ys.c: the suite-side `yardstick` module. Constructors check their
 * options at once and raise with the caller's file:line (luaL_error's
 * level 1), so a typo in a model or metric is reported where it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "backend_exec.h"
#include "backend_http.h"
#include "backend_replay.h"
#include "buf.h"
#include "dataset.h"
#include "json.h"
#include "lua_lib_json.h"
#include "lua_lib_process.h"
#include "lua_lib_text.h"
#include "lua_lib_ys.h"
#include "sched.h"
#include "utf8.h"
#include "xalloc.h"

static const char LOADER_KEY[] = "ys.loader";
static const char WHERE_KEY[] = "ys.where";
static const char DATASET_MT[] = "ys.Dataset";
static const char METRIC_MT[] = "ys.Metric";
static const char FACTORY_MT[] = "ys.MetricFactory";
static const char REPLAY_MT[] = "ys.Replay";
static const char ROWS_MT[] = "ys.Rows";

static ys_loader *loader(lua_State *L)
{
  lua_getfield(L, LUA_REGISTRYINDEX, LOADER_KEY);
  ys_loader *ld = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return ld;
}

char *ys_loader_resolve(const ys_loader *ld, const char *path)
{
  if(path[0] == '/' || !ld->dir || !strcmp(ld->dir, "."))
    return ys_xstrdup(path);
  return ys_xasprintf("%s/%s", ld->dir, path);
}

char *ys_loader_find(const ys_loader *ld, const char *sub, const char *name)
{
  for(size_t i = 0; i < ld->nroots; i++) {
    char *p = ys_xasprintf("%s/%s/%s.lua", ld->roots[i], sub, name);
    if(access(p, R_OK) == 0)
      return p;
    free(p);
  }
  return NULL;
}

/* [-0, +1, m] Pushes the list of roots, for "looked in" messages. */
static void push_roots(lua_State *L, const ys_loader *ld, const char *sub)
{
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for(size_t i = 0; i < ld->nroots; i++) {
    if(i)
      luaL_addstring(&b, ", ");
    luaL_addstring(&b, ld->roots[i]);
    luaL_addchar(&b, '/');
    luaL_addstring(&b, sub);
  }
  if(!ld->nroots)
    luaL_addstring(&b, "(no plugin directories)");
  luaL_pushresult(&b);
}

/* {====== locations ====== */

/* [-0, +0, m] Records the caller's position at `level` for the object at
 * idx. */
static void record_where(lua_State *L, int idx, int level)
{
  lua_Debug ar;
  idx = lua_absindex(L, idx);
  if(!lua_getstack(L, level, &ar) || !lua_getinfo(L, "Sl", &ar) ||
     ar.currentline <= 0)
    return;
  lua_getfield(L, LUA_REGISTRYINDEX, WHERE_KEY);
  lua_pushvalue(L, idx);
  lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void ys_lua_record_where(lua_State *L, int idx, int level)
{
  record_where(L, idx, level);
}

const char *ys_lua_where(lua_State *L, int idx)
{
  idx = lua_absindex(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, WHERE_KEY);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 2);
  return s;
}

/* }====== */

/* {====== options checking ====== */

/* [-0, +0, e] Raises when the table at idx has a key not in allowed. */
static void check_options(lua_State *L, int idx, const char *what,
                          const char *const allowed[])
{
  lua_pushnil(L);
  while(lua_next(L, idx)) {
    lua_pop(L, 1);
    if(lua_type(L, -1) == LUA_TNUMBER && lua_tointeger(L, -1) == 1)
      continue; /* positional path: ys.jsonl { "x.jsonl", ... } */
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                   : NULL;
    int ok = 0;
    for(const char *const *a = allowed; k && *a; a++)
      if(!strcmp(*a, k))
        ok = 1;
    if(!ok) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for(const char *const *a = allowed; *a; a++) {
        if(a != allowed)
          luaL_addstring(&b, ", ");
        luaL_addstring(&b, *a);
      }
      luaL_pushresult(&b);
      luaL_error(L, "%s: unknown option '%s' (expected one of: %s)", what,
                 k ? k : luaL_typename(L, -2), lua_tostring(L, -1));
    }
  }
}

/* [-0, +0, e] Field k of the options table at idx as a string or NULL. */
static const char *opt_str(lua_State *L, int idx, const char *k,
                           const char *what)
{
  int t = lua_getfield(L, idx, k);
  const char *s = NULL;
  if(t == LUA_TSTRING)
    s = lua_tostring(L, -1); /* anchored by the options table */
  else if(t != LUA_TNIL)
    luaL_error(L, "%s: option '%s' must be a string, got %s", what, k,
               luaL_typename(L, -1));
  lua_pop(L, 1);
  return s;
}

/* }====== */

/* {====== datasets ====== */

/* ys.jsonl "path" | ys.jsonl { "path" } ; ys.csv "path" | ys.csv {
 * "path", delimiter = ";" } -> dataset */
static int make_dataset(lua_State *L, const char *kind)
{
  static const char *const opts[] = { "path", "delimiter", NULL };
  const char *path;
  char delim = strcmp(kind, "csv") ? 0 : ',';
  int explicit_delim = 0;
  if(lua_type(L, 1) == LUA_TSTRING)
    path = lua_tostring(L, 1);
  else if(lua_istable(L, 1)) {
    check_options(L, 1, kind, opts);
    lua_geti(L, 1, 1);
    path = lua_tostring(L, -1);
    if(!path)
      path = opt_str(L, 1, "path", kind);
    const char *d = opt_str(L, 1, "delimiter", kind);
    if(d) {
      if(strcmp(kind, "csv") || strlen(d) != 1 || d[0] == '"' ||
         d[0] == '\n' || d[0] == '\r')
        return luaL_error(L, "%s: 'delimiter' must be one character other "
                          "than a quote or newline (CSV only)", kind);
      delim = d[0];
      explicit_delim = 1;
    }
  }
  else
    return luaL_error(L, "ys.%s expects a file path, got %s", kind,
                      luaL_typename(L, 1));
  if(!path || !path[0])
    return luaL_error(L, "ys.%s: missing the file path", kind);
  if(!strcmp(kind, "csv") && !explicit_delim) {
    size_t n = strlen(path);
    if(n > 4 && !strcmp(path + n - 4, ".tsv"))
      delim = '\t';
  }
  char *resolved = ys_loader_resolve(loader(L), path);
  FILE *f = fopen(resolved, "rb");
  struct stat st;
  int err = !f ? errno : fstat(fileno(f), &st) != 0 ? errno
            : S_ISDIR(st.st_mode) ? EISDIR : 0;
  if(f)
    fclose(f);
  if(err) {
    lua_pushstring(L, resolved);
    free(resolved);
    return luaL_error(L, "dataset '%s': %s", lua_tostring(L, -1),
                      strerror(err));
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  lua_pushstring(L, resolved);
  free(resolved);
  lua_setfield(L, -2, "path");
  lua_pushstring(L, path);
  lua_setfield(L, -2, "name");
  if(delim) {
    char d[2] = { delim, 0 };
    lua_pushstring(L, d);
    lua_setfield(L, -2, "delimiter");
  }
  luaL_setmetatable(L, DATASET_MT);
  record_where(L, -1, 1);
  return 1;
}

static int ys_jsonl(lua_State *L) { return make_dataset(L, "jsonl"); }
static int ys_csv(lua_State *L) { return make_dataset(L, "csv"); }

int ys_lua_is_dataset(lua_State *L, int idx)
{
  if(!lua_istable(L, idx) || !lua_getmetatable(L, idx))
    return 0;
  luaL_getmetatable(L, DATASET_MT);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

/* A dataset being iterated from Lua (ys.rows): the reader and the row in
 * flight live in a userdata so an error while pushing frees them. */
typedef struct rows_box {
  ys_dataset *ds;
  cJSON *row;
} rows_box;

static int rows_gc(lua_State *L)
{
  rows_box *b = luaL_checkudata(L, 1, ROWS_MT);
  cJSON_Delete(b->row);
  b->row = NULL;
  ys_dataset_free(b->ds);
  b->ds = NULL;
  return 0;
}

static int rows_iter(lua_State *L)
{
  rows_box *b = luaL_checkudata(L, lua_upvalueindex(1), ROWS_MT);
  if(!b->ds)
    return 0;
  long line = 0;
  ys_diag d;
  if(ys_dataset_next(b->ds, &b->row, &line, &d)) {
    char msg[1800];
    ys_diag_format(&d, msg, sizeof(msg));
    loader(L)->data_error = 1;
    lua_pushstring(L, msg);
    return lua_error(L); /* the data file's position, not the suite's */
  }
  if(!b->row) {
    ys_dataset_free(b->ds);
    b->ds = NULL;
    return 0;
  }
  ys_lua_push_json(L, b->row);
  cJSON_Delete(b->row);
  b->row = NULL;
  lua_pushinteger(L, line);
  return 2;
}

/* ys.rows(dataset | path) -> iterator over (row, line) */
static int ys_rows(lua_State *L)
{
  ys_dataset_opts o;
  const char *path;
  char *owned = NULL;
  if(lua_type(L, 1) == LUA_TSTRING) {
    path = lua_tostring(L, 1);
    size_t n = strlen(path);
    int csv = n > 4 && (!strcmp(path + n - 4, ".csv") ||
                        !strcmp(path + n - 4, ".tsv"));
    ys_dataset_opts_init(&o, csv ? YS_DATASET_CSV : YS_DATASET_JSONL);
    if(csv && !strcmp(path + n - 4, ".tsv"))
      o.delimiter = '\t';
    owned = ys_loader_resolve(loader(L), path);
  }
  else if(lua_istable(L, 1) && lua_getfield(L, 1, "kind") == LUA_TSTRING) {
    int csv = !strcmp(lua_tostring(L, -1), "csv");
    ys_dataset_opts_init(&o, csv ? YS_DATASET_CSV : YS_DATASET_JSONL);
    if(lua_getfield(L, 1, "delimiter") == LUA_TSTRING)
      o.delimiter = lua_tostring(L, -1)[0];
    if(lua_getfield(L, 1, "path") != LUA_TSTRING)
      return luaL_error(L, "ys.rows: the dataset has no path");
    owned = ys_xstrdup(lua_tostring(L, -1));
  }
  else
    return luaL_error(L, "ys.rows expects a path or a dataset (ys.jsonl, "
                      "ys.csv), got %s", luaL_typename(L, 1));
  rows_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->ds = NULL;
  b->row = NULL;
  luaL_setmetatable(L, ROWS_MT);
  ys_diag d;
  ys_err err = ys_dataset_open(owned, &o, &b->ds, &d);
  free(owned);
  if(err) {
    char msg[1800];
    ys_diag_format(&d, msg, sizeof(msg));
    return luaL_error(L, "%s", msg);
  }
  lua_pushcclosure(L, rows_iter, 1);
  return 1;
}

/* ys.read_lines(path) -> list of the file's non-empty lines */
static int ys_read_lines(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  char *resolved = ys_loader_resolve(loader(L), path);
  lua_pushstring(L, resolved);
  free(resolved);
  resolved = (char *)lua_tostring(L, -1);
  ys_dataset_opts o;
  ys_dataset_opts_init(&o, YS_DATASET_JSONL);
  rows_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->ds = NULL;
  b->row = NULL;
  luaL_setmetatable(L, ROWS_MT);
  ys_diag d;
  if(ys_dataset_open(resolved, &o, &b->ds, &d)) {
    char msg[1800];
    return luaL_error(L, "%s", ys_diag_format(&d, msg, sizeof(msg)));
  }
  lua_newtable(L);
  lua_Integer n = 0;
  for(;;) {
    const char *s;
    size_t len;
    if(ys_dataset_readline(b->ds, &s, &len, &d)) {
      char msg[1800];
      loader(L)->data_error = 1;
      lua_pushstring(L, ys_diag_format(&d, msg, sizeof(msg)));
      return lua_error(L);
    }
    if(!s)
      break;
    if(!len)
      continue;
    lua_pushlstring(L, s, len);
    lua_rawseti(L, -2, ++n);
  }
  ys_dataset_free(b->ds);
  b->ds = NULL;
  return 1;
}

/* }====== */

/* {====== metrics ====== */

typedef struct factory_box {
  char *path;
  char *display;
} factory_box;

typedef struct metric_box {
  ys_metric *m;
} metric_box;

static int factory_gc(lua_State *L)
{
  factory_box *f = luaL_checkudata(L, 1, FACTORY_MT);
  free(f->path);
  free(f->display);
  f->path = f->display = NULL;
  return 0;
}

static int metric_gc(lua_State *L)
{
  metric_box *b = luaL_checkudata(L, 1, METRIC_MT);
  ys_metric_free(b->m);
  b->m = NULL;
  return 0;
}

static int metric_tostring(lua_State *L)
{
  metric_box *b = luaL_checkudata(L, 1, METRIC_MT);
  lua_pushfstring(L, "metric '%s'", b->m ? ys_metric_name(b->m) : "?");
  return 1;
}

/* factory(params) -> a configured metric instance (its own Lua state) */
static int factory_call(lua_State *L)
{
  factory_box *f = luaL_checkudata(L, 1, FACTORY_MT);
  if(!lua_isnoneornil(L, 2) && !lua_istable(L, 2))
    return luaL_error(L, "metric '%s' expects a table of parameters, got "
                      "%s", f->display, luaL_typename(L, 2));
  cJSON *params = NULL;
  ys_diag d;
  if(lua_istable(L, 2) && ys_lua_to_json(L, 2, &params, &d))
    return luaL_error(L, "metric '%s': parameters: %s", f->display, d.msg);
  metric_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->m = NULL;
  luaL_setmetatable(L, METRIC_MT);
  ys_loader *ld = loader(L);
  ys_err err = ys_metric_load(f->path, f->display, ld->log, ld->log_ud,
                              &b->m, &d);
  if(!err) {
    ys_metric_set_base_dir(b->m, ld->dir);
    err = ys_metric_configure(b->m, params, &d);
  }
  cJSON_Delete(params);
  if(err)
    return luaL_error(L, "%s", d.msg);
  /* Where the instance was made: the caller of the factory call, or the
   * caller of ys.metric when made by the suite check (level 0 is us). */
  record_where(L, -1, 1);
  if(!ys_lua_where(L, -1)) {
    lua_getfield(L, LUA_REGISTRYINDEX, WHERE_KEY);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    lua_pushvalue(L, -3);
    lua_insert(L, -2);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
  return 1;
}

/* ys.metric "name" | ys.metric "path/to/metric.lua" -> factory */
static int ys_metric_fn(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  ys_loader *ld = loader(L);
  size_t n = strlen(name);
  char *path;
  if(strchr(name, '/') || (n > 4 && !strcmp(name + n - 4, ".lua"))) {
    path = ys_loader_resolve(ld, name);
    if(access(path, R_OK) != 0) {
      lua_pushstring(L, path);
      free(path);
      return luaL_error(L, "metric file '%s': %s", lua_tostring(L, -1),
                        strerror(errno));
    }
  }
  else {
    if(!n || strpbrk(name, ". \t"))
      return luaL_error(L, "ys.metric: '%s' is not a metric name", name);
    path = ys_loader_find(ld, "metrics", name);
    if(!path) {
      push_roots(L, ld, "metrics");
      return luaL_error(L, "unknown metric '%s' (no %s.lua in %s)", name,
                        name, lua_tostring(L, -1));
    }
  }
  factory_box *f = lua_newuserdatauv(L, sizeof(*f), 0);
  f->path = path;
  f->display = ys_xstrdup(name);
  luaL_setmetatable(L, FACTORY_MT);
  record_where(L, -1, 1);
  return 1;
}

ys_metric *ys_lua_metric(lua_State *L, int idx)
{
  metric_box *b = luaL_testudata(L, idx, METRIC_MT);
  return b ? b->m : NULL;
}

int ys_lua_is_metric_factory(lua_State *L, int idx)
{
  return luaL_testudata(L, idx, FACTORY_MT) != NULL;
}

/* }====== */

/* {====== models ====== */

typedef struct replay_box {
  ys_replay *r;
  char *field; /* replay a sample field instead of a file */
} replay_box;

static int replay_gc(lua_State *L)
{
  replay_box *b = luaL_checkudata(L, 1, REPLAY_MT);
  ys_replay_free(b->r);
  b->r = NULL;
  free(b->field);
  b->field = NULL;
  return 0;
}

/* The record replayed for id, in *rec (the caller frees it); 0 with the
 * message the task fails with in msg when there is none to replay (no
 * record, a recorded error, a read error). */
static int replay_record(const replay_box *b, const char *id, cJSON **rec,
                         char *msg, size_t len)
{
  ys_diag d;
  char why[1800];
  if(ys_replay_get(b->r, id, rec, &d)) {
    snprintf(msg, len, "replay: %s", ys_diag_format(&d, why, sizeof(why)));
    return 0;
  }
  if(!*rec) {
    snprintf(msg, len, "replay: no recorded output for id '%s'", id);
    return 0;
  }
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(*rec, "status");
  if(cJSON_IsString(st) && !strcmp(st->valuestring, "error")) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(*rec, "error");
    snprintf(msg, len, "replay: recorded error: %s",
             cJSON_IsString(e) ? e->valuestring : "(no message)");
    return 0;
  }
  return 1;
}

/* A token count of a record's usage, as model:chat reads counts; -1:
 * none (then estimated). */
static long record_tokens(const cJSON *rec, const char *k)
{
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(rec, "usage");
  const cJSON *n = cJSON_IsObject(u) ? cJSON_GetObjectItemCaseSensitive(u, k)
                                     : NULL;
  if(!cJSON_IsNumber(n) || !(n->valuedouble >= 0) ||
     n->valuedouble > YS_MAX_TOKENS)
    return -1;
  return (long)n->valuedouble;
}

/* backend.chat(self, request) for replay: looks the sample up. */
static int replay_chat(lua_State *L)
{
  replay_box *b = luaL_checkudata(L, lua_upvalueindex(1), REPLAY_MT);
  luaL_checktype(L, 2, LUA_TTABLE);
  if(b->field) {
    lua_getfield(L, 2, "sample");
    int t = lua_istable(L, -1) ? lua_getfield(L, -1, b->field) : LUA_TNIL;
    if(t == LUA_TNIL || (t == LUA_TLIGHTUSERDATA && !lua_touserdata(L, -1)))
      return luaL_error(L, "replay: the sample has no field '%s'",
                        b->field);
    if(t != LUA_TSTRING) {
      /* A structured field replays as itself, with its JSON as text. */
      int v = lua_gettop(L);
      ys_buf *buf = ys_lua_newbuf(L, YS_DATASET_MAX_LINE);
      cJSON *j = NULL;
      ys_diag d;
      if(ys_lua_to_json(L, v, &j, &d))
        return luaL_error(L, "replay: field '%s': %s", b->field, d.msg);
      ys_err err = ys_json_append(buf, j);
      cJSON_Delete(j);
      if(err)
        return luaL_error(L, "replay: field '%s' too large", b->field);
      lua_createtable(L, 0, 2);
      lua_pushlstring(L, ys_buf_str(buf), buf->len);
      lua_setfield(L, -2, "text");
      lua_pushvalue(L, v);
      lua_setfield(L, -2, "output");
    }
    return 1;
  }
  lua_getfield(L, 2, "id");
  const char *id = lua_tostring(L, -1);
  if(!id)
    return luaL_error(L, "replay: the request has no sample id");
  cJSON **rec = ys_lua_json_box(L); /* freed by __gc whatever happens */
  char msg[2048];
  if(!replay_record(b, id, rec, msg, sizeof(msg)))
    return luaL_error(L, "%s", msg);
  const cJSON *o = ys_json_path(*rec, ys_replay_output_field(b->r));
  lua_createtable(L, 0, 4);
  if(cJSON_IsString(o))
    lua_pushstring(L, o->valuestring);
  else {
    /* A structured output (from an evaluate function) replays as itself,
     * with its JSON text as the reply's text. */
    ys_lua_push_json(L, o);
    lua_setfield(L, -2, "output");
    ys_buf *text = ys_lua_newbuf(L, YS_DATASET_MAX_LINE);
    if(ys_json_append(text, o))
      return luaL_error(L, "replay: recorded output for '%s' too large", id);
    lua_pushlstring(L, ys_buf_str(text), text->len);
    lua_remove(L, -2); /* the buffer */
  }
  lua_setfield(L, -2, "text");
  static const char *const tok[] = { "input_tokens", "output_tokens" };
  for(int i = 0; i < 2; i++) {
    long n = record_tokens(*rec, tok[i]);
    if(n >= 0) {
      lua_pushinteger(L, n);
      lua_setfield(L, -2, tok[i]);
    }
  }
  return 1;
}

/* The row's member k as Lua sees it: the last of that name. */
static const cJSON *last_member(const cJSON *row, const char *k)
{
  const cJSON *found = NULL;
  for(const cJSON *c = row ? row->child : NULL; c; c = c->next)
    if(c->string && !strcmp(c->string, k))
      found = c;
  return found;
}

/* A copy of s for a reply's text, or NULL when the Lua way would have to
 * say why it cannot be one (a NUL, not UTF-8). */
static char *reply_text(const char *s, size_t *len)
{
  size_t n = strlen(s), bad;
  if(!ys_utf8_valid(s, n, &bad))
    return NULL;
  *len = n;
  return ys_xstrndup(s, n);
}

/* replay_chat's plain answers without Lua (ys_direct_fn): a string
 * sample field, or a recorded string output that is not an error. */
static int replay_direct(void *ud, const cJSON *row, const char *id,
                         ys_direct_reply *reply)
{
  replay_box *b = ud;
  reply->in = reply->out = -1;
  if(b->field) {
    const cJSON *v = last_member(row, b->field);
    if(!cJSON_IsString(v))
      return 0;
    reply->text = reply_text(v->valuestring, &reply->len);
    return reply->text != NULL;
  }
  cJSON *rec = NULL;
  char msg[2048];
  reply->text = NULL;
  if(replay_record(b, id, &rec, msg, sizeof(msg))) {
    const cJSON *o = ys_json_path(rec, ys_replay_output_field(b->r));
    if(cJSON_IsString(o))
      reply->text = reply_text(o->valuestring, &reply->len);
    reply->in = record_tokens(rec, "input_tokens");
    reply->out = record_tokens(rec, "output_tokens");
  }
  cJSON_Delete(rec);
  return reply->text != NULL;
}

int ys_lua_backend_direct(lua_State *L, int idx, ys_direct_fn *fn,
                          void **ud)
{
  *fn = NULL;
  *ud = NULL;
  if(!lua_istable(L, idx))
    return 0;
  lua_getfield(L, idx, "chat");
  if(lua_tocfunction(L, -1) == replay_chat &&
     lua_getupvalue(L, -1, 1)) {
    replay_box *b = luaL_testudata(L, -1, REPLAY_MT);
    if(b) {
      *fn = replay_direct;
      *ud = b;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return *fn != NULL;
}

/* ys.replay { file = "outputs.jsonl" [, model =, id_field =, output_field
 * =] } | ys.replay { field = "human_label" } -> model backend */
static int ys_replay_fn(lua_State *L)
{
  static const char *const opts[] = { "file", "field", "model", "id_field",
                                      "output_field", "concurrency", "price",
                                      "hosting", NULL };
  luaL_checktype(L, 1, LUA_TTABLE);
  check_options(L, 1, "replay", opts);
  const char *file = opt_str(L, 1, "file", "replay");
  const char *field = opt_str(L, 1, "field", "replay");
  if(!file == !field)
    return luaL_error(L, "replay: give exactly one of 'file' (recorded "
                      "outputs) or 'field' (a sample field)");
  const char *model = opt_str(L, 1, "model", "replay");
  const char *idf = opt_str(L, 1, "id_field", "replay");
  const char *outf = opt_str(L, 1, "output_field", "replay");
  if(field && (model || idf || outf))
    return luaL_error(L, "replay: 'model', 'id_field' and 'output_field' go "
                      "with 'file', not 'field'");
  replay_box *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->r = NULL;
  b->field = NULL;
  luaL_setmetatable(L, REPLAY_MT);
  int box = lua_gettop(L);
  if(field)
    b->field = ys_xstrdup(field);
  else {
    char *path = ys_loader_resolve(loader(L), file);
    ys_replay_opts ro = { path, model, idf, outf };
    ys_diag d;
    ys_err err = ys_replay_open(&ro, &b->r, &d);
    free(path);
    if(err) {
      char msg[1800];
      ys_diag_format(&d, msg, sizeof(msg));
      if(err == YS_ERR_IO)
        return luaL_error(L, "replay: %s", msg);
      loader(L)->data_error = 1;
      lua_pushstring(L, msg);
      return lua_error(L); /* the data file's position */
    }
  }
  lua_createtable(L, 0, 4);
  lua_pushliteral(L, "replay");
  lua_setfield(L, -2, "kind");
  lua_pushvalue(L, box);
  lua_pushcclosure(L, replay_chat, 1);
  lua_setfield(L, -2, "chat");
  /* Passed through for the suite check, which validates them. */
  static const char *const pass[] = { "concurrency", "price", "hosting" };
  for(int i = 0; i < 3; i++) {
    if(lua_getfield(L, 1, pass[i]) != LUA_TNIL)
      lua_setfield(L, -2, pass[i]);
    else
      lua_pop(L, 1);
  }
  lua_pushstring(L, file ? file : field);
  lua_setfield(L, -2, file ? "file" : "field");
  record_where(L, -1, 1);
  return 1;
}

/* ys.model { chat = function(self, request) ... end, ... } -> the table,
 * checked: a model written in Lua inside the suite. */
static int ys_model_fn(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  if(lua_getfield(L, 1, "chat") != LUA_TFUNCTION)
    return luaL_error(L, "ys.model needs chat = function(self, request) "
                      "returning the output text");
  lua_pop(L, 1);
  if(lua_getfield(L, 1, "kind") == LUA_TNIL) {
    lua_pushliteral(L, "lua");
    lua_setfield(L, 1, "kind");
  }
  lua_pop(L, 1);
  lua_settop(L, 1);
  record_where(L, 1, 1);
  return 1;
}

/* A plugin constructor wrapper: upvalue 1 the plugin's function, upvalue 2
 * its name. Errors inside get the caller's position and the plugin name;
 * the result gets kind = name and a recorded position. */
static int plugin_ctor(lua_State *L)
{
  int nargs = lua_gettop(L);
  const char *name = lua_tostring(L, lua_upvalueindex(2));
  /* Upvalue 3: whether this constructor is running (a plugin that calls
   * itself would recurse until the C stack runs out). */
  if(lua_toboolean(L, lua_upvalueindex(3)))
    return luaL_error(L, "plugin '%s' calls itself (ys.%s inside its own "
                      "constructor)", name, name);
  lua_pushboolean(L, 1);
  lua_replace(L, lua_upvalueindex(3));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  int rc = lua_pcall(L, nargs, 1, 0);
  lua_pushboolean(L, 0);
  lua_replace(L, lua_upvalueindex(3));
  if(rc != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    /* The innermost error already says where and which plugin. */
    const char *cycle = msg ? strstr(msg, "plugin '") : NULL;
    if(cycle && strstr(cycle, "calls itself (ys."))
      return luaL_error(L, "%s", cycle); /* at the suite's line */
    /* luaL_error adds the caller's position: the suite's line. */
    return luaL_error(L, "%s: %s", name, msg ? msg : "error");
  }
  if(lua_istable(L, -1)) {
    if(lua_getfield(L, -1, "kind") == LUA_TNIL) {
      lua_pushstring(L, name);
      lua_setfield(L, -3, "kind");
    }
    lua_pop(L, 1);
    record_where(L, -1, 1);
  }
  return 1;
}

/* __index of the module: ys.<name> loads plugins/<name>.lua on first use. */
static int ys_index(lua_State *L)
{
  const char *name = luaL_checkstring(L, 2);
  ys_loader *ld = loader(L);
  char *path = strpbrk(name, "./\\ ") ? NULL
                                       : ys_loader_find(ld, "plugins", name);
  if(!path) {
    push_roots(L, ld, "plugins");
    return luaL_error(L, "yardstick has no '%s' (not a built-in, and no "
                      "plugin %s.lua in %s)", name, name,
                      lua_tostring(L, -1));
  }
  lua_pushstring(L, path);
  free(path);
  const char *p = lua_tostring(L, -1);
  char display[512];
  snprintf(display, sizeof(display), "plugins/%s.lua", name);
  ys_diag d;
  if(ys_lua_load_file(L, p, p, &d) || ys_lua_call(L, 0, 1, &d))
    return luaL_error(L, "plugin %s: %s", display, d.msg);
  if(!lua_isfunction(L, -1))
    return luaL_error(L, "plugin %s must return a constructor function, "
                      "not %s", display, luaL_typename(L, -1));
  lua_pushvalue(L, 2);
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, plugin_ctor, 3);
  lua_pushvalue(L, -1);
  lua_setfield(L, 1, name); /* cache: rawset via the module table */
  return 1;
}

/* }====== */

/* {====== helpers ====== */

/* ys.sleep(ms): waits without blocking other tasks (inside a task). */
static int ys_sleep(lua_State *L)
{
  double ms = luaL_checknumber(L, 1);
  ys_task *t = ys_sched_current(L);
  if(!t || !lua_isyieldable(L))
    return luaL_error(L, "ys.sleep can only be used while a sample is "
                      "being evaluated");
  ys_sched_sleep(t, ms);
  return lua_yield(L, 0);
}

/* ys.clock() -> milliseconds on a monotonic clock */
static int ys_clock(lua_State *L)
{
  lua_pushnumber(L, ys_lua_clock_ms());
  return 1;
}

/* ys.log(...) -> writes a line to yardstick's log (stderr by default) */
static int ys_log(lua_State *L)
{
  ys_loader *ld = loader(L);
  int n = lua_gettop(L); /* before luaL_buffinit, which may push */
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for(int i = 1; i <= n; i++) {
    if(i > 1)
      luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  if(ld->log)
    ld->log(ld->log_ud, lua_tostring(L, -1));
  return 0;
}

/* ys.env(name) -> the environment variable's value, or nil */
static int ys_env(lua_State *L)
{
  const char *v = getenv(luaL_checkstring(L, 1));
  if(v)
    lua_pushstring(L, v);
  else
    lua_pushnil(L);
  return 1;
}

/* ys.path(p) -> p resolved against the suite's directory */
static int ys_path(lua_State *L)
{
  char *p = ys_loader_resolve(loader(L), luaL_checkstring(L, 1));
  lua_pushstring(L, p);
  free(p);
  return 1;
}

/* ys.suite { ... } -> the table, with its position recorded */
static int ys_suite(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  record_where(L, 1, 1);
  return 1;
}

/* }====== */

static const luaL_Reg ys_funcs[] = {
  { "suite", ys_suite },
  { "jsonl", ys_jsonl },
  { "csv", ys_csv },
  { "rows", ys_rows },
  { "read_lines", ys_read_lines },
  { "metric", ys_metric_fn },
  { "replay", ys_replay_fn },
  { "model", ys_model_fn },
  { "sleep", ys_sleep },
  { "clock", ys_clock },
  { "log", ys_log },
  { "env", ys_env },
  { "path", ys_path },
  { NULL, NULL }
};

static void new_mt(lua_State *L, const char *name, lua_CFunction gc)
{
  luaL_newmetatable(L, name);
  if(gc) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void ys_lua_open_ys(lua_State *L, ys_loader *ld)
{
  lua_pushlightuserdata(L, ld);
  lua_setfield(L, LUA_REGISTRYINDEX, LOADER_KEY);
  lua_newtable(L); /* weak-keyed positions */
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, WHERE_KEY);
  new_mt(L, DATASET_MT, NULL);
  new_mt(L, REPLAY_MT, replay_gc);
  new_mt(L, ROWS_MT, rows_gc);
  new_mt(L, FACTORY_MT, factory_gc);
  luaL_getmetatable(L, FACTORY_MT);
  lua_pushcfunction(L, factory_call);
  lua_setfield(L, -2, "__call");
  lua_pop(L, 1);
  new_mt(L, METRIC_MT, metric_gc);
  luaL_getmetatable(L, METRIC_MT);
  lua_pushcfunction(L, metric_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);

  luaL_newlib(L, ys_funcs);
  luaopen_ys_json(L);
  lua_setfield(L, -2, "json");
  luaopen_ys_http(L);
  lua_setfield(L, -2, "http");
  ys_lua_add_process(L);
  ys_lua_add_text(L);
  ys_lua_add_exec(L);
  lua_pushstring(L, YS_VERSION);
  lua_setfield(L, -2, "version");
  lua_newtable(L); /* metatable: plugins on demand */
  lua_pushcfunction(L, ys_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  ys_lua_register_module(L, "yardstick");
}
