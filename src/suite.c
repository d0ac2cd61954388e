/* SPDX-License-Identifier: MIT */
/*
 * suite.c: runs the suite file in a fresh sandboxed state and turns the
 * table it returns into a ys_suite. The checks run inside a protected call
 * and raise with the position of the object at fault (recorded by the
 * constructors in lua_lib_ys.c), so every message points at a line.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "hash.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "lua_lib_ys.h"
#include "suite.h"
#include "xalloc.h"

/* Memory budget of a suite's state: models written in Lua live here. */
#define SUITE_MEM_CAP ((size_t)2 << 30)
/* Lua VM instructions the suite file may run while loading (a minute or
 * more of pure Lua: training a classifier fits; a loop that never ends
 * does not). Time spent waiting in C (a server starting) is not counted. */
#define SUITE_LOAD_INSTRUCTIONS 20000000000LL

/* {====== plugin roots ====== */

static int is_dir(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_root(char ***roots, size_t *n, const char *dir)
{
  if(!dir || !dir[0])
    return;
  for(size_t i = 0; i < *n; i++)
    if(!strcmp((*roots)[i], dir))
      return;
  *roots = ys_xrealloc(*roots, (*n + 2) * sizeof(char *));
  (*roots)[(*n)++] = ys_xstrdup(dir);
  (*roots)[*n] = NULL;
}

char **ys_suite_roots(const char *suite_dir, const char *search_path,
                      size_t *n)
{
  char **roots = ys_xcalloc(1, sizeof(char *));
  *n = 0;
  if(search_path) {
    char *sp = ys_xstrdup(search_path);
    for(char *tok = strtok(sp, ":"); tok; tok = strtok(NULL, ":"))
      add_root(&roots, n, tok);
    free(sp);
  }
  add_root(&roots, n, suite_dir);
  /* Installed next to the binary: <prefix>/bin/yardstick finds
   * <prefix>/share/yardstick, wherever the prefix was moved. */
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if(len > 0) {
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if(slash) {
      *slash = '\0';
      char *share = ys_xasprintf("%s/../share/yardstick", exe);
      if(is_dir(share))
        add_root(&roots, n, share);
      free(share);
#ifdef YS_BUILDDIR
      /* Run from the build tree, uninstalled: use the sources. */
      if(!strcmp(exe, YS_BUILDDIR))
        add_root(&roots, n, YS_SRCDIR);
#endif
    }
  }
#ifdef YS_PKGDATADIR
  if(is_dir(YS_PKGDATADIR))
    add_root(&roots, n, YS_PKGDATADIR);
#endif
  return roots;
}

void ys_suite_free_roots(char **roots, size_t n)
{
  if(!roots)
    return;
  for(size_t i = 0; i < n; i++)
    free(roots[i]);
  free(roots);
}

/* }====== */

typedef struct pending_model {
  char *name;
  long line;
} pending_model;

/* Loading context, alive while the suite is. */
typedef struct loadctx {
  ys_suite *s;
  ys_loader ld;
  int table;        /* stack index of the suite table during checks */
  char where[600];  /* position of the suite table, "" when unknown */
  pending_model *pending; /* models being checked, freed with the suite */
  size_t npending;
} loadctx;

/* [-0, +0, e] Raises "<where>: <message>". */
static int fail_at(lua_State *L, const char *where, const char *fmt, ...)
  YS_PRINTF(3, 4);

static int fail_at(lua_State *L, const char *where, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if(where && where[0])
    return luaL_error(L, "%s: %s", where, msg);
  return luaL_error(L, "%s", msg);
}

static const char *where_of(lua_State *L, int idx, const loadctx *c)
{
  const char *w = ys_lua_where(L, idx);
  return w ? w : c->where;
}

static long line_of(const char *where)
{
  const char *colon = where ? strrchr(where, ':') : NULL;
  return colon ? atol(colon + 1) : 0;
}

/* {====== checks ====== */

static const char *const SUITE_FIELDS[] = {
  "name", "description", "dataset", "id", "prompt", "models", "metrics",
  "baselines", "gates", "evaluate", "max_error_rate", "repeat", "helpers",
  NULL
};

static void check_fields(lua_State *L, loadctx *c)
{
  lua_pushnil(L);
  while(lua_next(L, c->table)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                   : NULL;
    int ok = 0;
    for(const char *const *f = SUITE_FIELDS; k && *f; f++)
      if(!strcmp(*f, k))
        ok = 1;
    if(!ok)
      fail_at(L, c->where, "unknown suite field '%s' (expected name, "
              "dataset, id, prompt, models, helpers, metrics, baselines, "
              "gates, evaluate, max_error_rate, repeat, description)",
              k ? k : luaL_typename(L, -1));
  }
}

/* [-0, +1, e] Pushes field k of the suite table, checking its type
 * (type_ LUA_TNONE: any). Required fields raise when absent. */
static int get_field(lua_State *L, loadctx *c, const char *k, int type_,
                     const char *expected, int required)
{
  int t = lua_getfield(L, c->table, k);
  if(t == LUA_TNIL) {
    if(required)
      fail_at(L, c->where, "suite field '%s' is missing (expected %s)", k,
              expected);
    return t;
  }
  if(type_ != LUA_TNONE && t != type_)
    fail_at(L, c->where, "suite field '%s' must be %s, got %s", k, expected,
            luaL_typename(L, -1));
  return t;
}

static char *compile_prompt(lua_State *L, loadctx *c, const char *part,
                            int idx, ys_template **out)
{
  ys_diag d;
  if(ys_template_compile(lua_tostring(L, idx), out, &d))
    fail_at(L, c->where, "prompt%s%s: %s", part ? "." : "",
            part ? part : "", d.msg);
  return NULL;
}

static void check_prompt(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  int t = get_field(L, c, "prompt", LUA_TNONE, "", 0);
  if(t == LUA_TSTRING)
    compile_prompt(L, c, NULL, -1, &s->user_tpl);
  else if(t == LUA_TFUNCTION) {
    lua_pushvalue(L, -1);
    s->prompt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  else if(t == LUA_TTABLE) {
    int p = lua_gettop(L);
    lua_pushnil(L);
    while(lua_next(L, p)) {
      lua_pop(L, 1);
      const char *k = lua_tostring(L, -1);
      if(lua_type(L, -1) != LUA_TSTRING ||
         (strcmp(k, "system") && strcmp(k, "user")))
        fail_at(L, c->where, "prompt table takes 'system' and 'user' "
                "templates only");
    }
    if(lua_getfield(L, p, "system") == LUA_TSTRING)
      compile_prompt(L, c, "system", -1, &s->system_tpl);
    else if(!lua_isnil(L, -1))
      fail_at(L, c->where, "prompt.system must be a string");
    if(lua_getfield(L, p, "user") == LUA_TSTRING)
      compile_prompt(L, c, "user", -1, &s->user_tpl);
    else if(!lua_isnil(L, -1))
      fail_at(L, c->where, "prompt.user must be a string");
    if(!s->user_tpl)
      fail_at(L, c->where, "prompt needs a 'user' template");
    lua_pop(L, 2);
  }
  else if(t != LUA_TNIL)
    fail_at(L, c->where, "suite field 'prompt' must be a template string, "
            "{ system = ..., user = ... } or a function, got %s",
            luaL_typename(L, -1));
  lua_pop(L, 1);
  if(t == LUA_TNIL) {
    get_field(L, c, "evaluate", LUA_TFUNCTION, "a function", 0);
    int has_eval = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if(!has_eval)
      fail_at(L, c->where, "suite needs a 'prompt' (or an 'evaluate' "
              "function that builds its own messages)");
  }
}

static void check_dataset(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  get_field(L, c, "dataset", LUA_TNONE, "ys.jsonl \"file\" or ys.csv "
            "\"file\"", 1);
  if(!ys_lua_is_dataset(L, -1))
    fail_at(L, c->where, "suite field 'dataset' must be ys.jsonl \"file\" "
            "or ys.csv \"file\", got %s", luaL_typename(L, -1));
  int d = lua_gettop(L);
  lua_getfield(L, d, "kind");
  int csv = !strcmp(lua_tostring(L, -1), "csv");
  ys_dataset_opts_init(&s->dataset_opts, csv ? YS_DATASET_CSV
                                             : YS_DATASET_JSONL);
  if(lua_getfield(L, d, "delimiter") == LUA_TSTRING)
    s->dataset_opts.delimiter = lua_tostring(L, -1)[0];
  lua_getfield(L, d, "path");
  s->dataset_path = ys_xstrdup(lua_tostring(L, -1));
  lua_getfield(L, d, "name");
  s->dataset_name = ys_xstrdup(lua_tostring(L, -1));
  lua_settop(L, d - 1);
}

static int valid_name(const char *n)
{
  if(!n[0] || strlen(n) > 128)
    return 0;
  for(const char *p = n; *p; p++)
    if(!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
         (*p >= '0' && *p <= '9') || strchr("_-.:+@", *p)))
      return 0;
  return 1;
}

static int cmp_pending(const void *a, const void *b)
{
  const pending_model *x = a, *y = b;
  long lx = x->line ? x->line : LONG_MAX, ly = y->line ? y->line : LONG_MAX;
  if(lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp(x->name, y->name);
}

static double opt_price(lua_State *L, int price, const char *k,
                        const char *where, const char *model)
{
  int t = lua_getfield(L, price, k);
  double v = 0;
  if(t == LUA_TNUMBER)
    v = lua_tonumber(L, -1);
  if((t != LUA_TNUMBER && t != LUA_TNIL) || v < 0)
    fail_at(L, where, "model '%s': price.%s must be a non-negative number "
            "(USD per million tokens)", model, k);
  lua_pop(L, 1);
  return v;
}

/* Reads one model's common fields from its backend table at b. */
static void read_model(lua_State *L, ys_model *m, int b, const char *w)
{
  lua_getfield(L, b, "kind");
  m->kind = ys_xstrdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "lua");
  lua_pop(L, 1);
  ys_lua_backend_direct(L, b, &m->direct, &m->direct_ud);
  int t = lua_getfield(L, b, "concurrency");
  if(t != LUA_TNIL) {
    if(!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
       lua_tointeger(L, -1) > 100000)
      fail_at(L, w, "model '%s': concurrency must be a whole number from "
              "1 to 100000", m->name);
    m->concurrency = (int)lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  double lim[2] = { 0, 0 };
  static const char *const lname[2] = { "rpm", "tpm" };
  for(int k = 0; k < 2; k++) {
    t = lua_getfield(L, b, lname[k]);
    if(t == LUA_TNUMBER && lua_tonumber(L, -1) > 0)
      lim[k] = lua_tonumber(L, -1);
    else if(t != LUA_TNIL)
      fail_at(L, w, "model '%s': %s must be a positive number (%s per "
              "minute)", m->name, lname[k], k ? "tokens" : "requests");
    lua_pop(L, 1);
  }
  ys_limit_init(&m->limit, lim[0], lim[1]);
  t = lua_getfield(L, b, "price");
  if(t == LUA_TTABLE) {
    m->price_in = opt_price(L, lua_gettop(L), "input", w, m->name);
    m->price_out = opt_price(L, lua_gettop(L), "output", w, m->name);
    m->has_price = 1;
  }
  else if(t != LUA_TNIL)
    fail_at(L, w, "model '%s': price must be { input = ..., output = ... }"
            " in USD per million tokens", m->name);
  lua_pop(L, 1);
  m->hosting_usd = NAN;
  t = lua_getfield(L, b, "hosting");
  if(t == LUA_TTABLE) {
    int h = lua_gettop(L);
    lua_pushnil(L);
    while(lua_next(L, h)) {
      lua_pop(L, 1);
      if(lua_type(L, -1) != LUA_TSTRING ||
         strcmp(lua_tostring(L, -1), "monthly_usd"))
        fail_at(L, w, "model '%s': hosting takes only monthly_usd (the "
                "fixed monthly cost of serving it)", m->name);
    }
    if(lua_getfield(L, h, "monthly_usd") != LUA_TNUMBER ||
       !(lua_tonumber(L, -1) >= 0))
      fail_at(L, w, "model '%s': hosting.monthly_usd must be a number of "
              "USD, 0 or more", m->name);
    m->hosting_usd = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  else if(t != LUA_TNIL)
    fail_at(L, w, "model '%s': hosting must be { monthly_usd = ... }",
            m->name);
  lua_pop(L, 1);
}

/* Reads the table `field` (models or helpers) into *out, adding each
 * model object to the ctx.models table at ctxm. */
static void check_model_table(lua_State *L, loadctx *c, const char *field,
                              int required, ys_model ***out, size_t *nout,
                              int ctxm)
{
  ys_suite *s = c->s;
  if(get_field(L, c, field, LUA_TTABLE, "a table of name = model",
               required) == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int ms = lua_gettop(L);
  /* Collect names first: pairs() order is not stable between runs, so
   * models are ordered by where they were written (then by name). */
  for(size_t i = 0; i < c->npending; i++)
    free(c->pending[i].name);
  c->npending = 0;
  size_t n = 0;
  lua_pushnil(L);
  while(lua_next(L, ms)) {
    if(lua_type(L, -2) != LUA_TSTRING)
      fail_at(L, c->where, "%s must be a table of name = model (got a %s "
              "key; write %s = { name = ys.replay {...} })", field,
              luaL_typename(L, -2), field);
    const char *name = lua_tostring(L, -2);
    const char *w = where_of(L, -1, c);
    if(!valid_name(name))
      fail_at(L, w, "model name '%s' must be 1-128 letters, digits or "
              "_-.:+@", name);
    if(!lua_istable(L, -1))
      fail_at(L, w, "%s.%s must be a model (ys.replay {...}, "
              "ys.naive_bayes {...}, ys.model {...} ...), got %s", field,
              name, luaL_typename(L, -1));
    if(lua_getfield(L, -1, "chat") != LUA_TFUNCTION)
      fail_at(L, w, "%s.%s is not a model: it has no chat function", field,
              name);
    lua_pop(L, 1);
    if(lua_getfield(L, ctxm, name) != LUA_TNIL)
      fail_at(L, w, "two models are named '%s' (in models and helpers)",
              name);
    lua_pop(L, 1);
    c->pending = ys_xrealloc(c->pending, (n + 1) * sizeof(*c->pending));
    c->pending[n].name = ys_xstrdup(name);
    c->pending[n].line = line_of(ys_lua_where(L, -1));
    c->npending = ++n;
    lua_pop(L, 1); /* the key stays for lua_next */
  }
  if(!n && required)
    fail_at(L, c->where, "suite field '%s' is empty: add at least one "
            "model", field);
  pending_model *pm = c->pending;
  if(n > 1)
    qsort(pm, n, sizeof(*pm), cmp_pending);
  *out = ys_xcalloc(n ? n : 1, sizeof(ys_model *));
  for(size_t i = 0; i < n; i++) {
    ys_model *m = ys_xcalloc(1, sizeof(*m));
    m->backend_ref = m->object_ref = LUA_NOREF;
    m->name = pm[i].name;
    pm[i].name = NULL; /* now the model's */
    m->index = i;
    (*out)[(*nout)++] = m;
    lua_getfield(L, ms, m->name);
    int b = lua_gettop(L);
    const char *w = where_of(L, b, c);
    m->where = ys_xstrdup(w ? w : "");
    read_model(L, m, b, w);
    lua_pushvalue(L, b);
    ys_model_push_new(L, m); /* pops the backend, pushes the model */
    lua_setfield(L, ctxm, m->name);
    lua_settop(L, b - 1);
  }
  c->npending = 0;
  lua_settop(L, ms - 1);
  (void)s;
}

static void check_models(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  lua_newtable(L); /* ctx.models: participants and helpers */
  int ctxm = lua_gettop(L);
  check_model_table(L, c, "models", 1, &s->models, &s->nmodels, ctxm);
  check_model_table(L, c, "helpers", 0, &s->helpers, &s->nhelpers, ctxm);
  lua_pushvalue(L, ctxm);
  s->models_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, ctxm - 1);
}

static void check_metrics(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  get_field(L, c, "metrics", LUA_TTABLE, "a list of ys.metric \"name\"", 1);
  int ms = lua_gettop(L);
  lua_Integer n = luaL_len(L, ms);
  size_t count = 0;
  lua_pushnil(L);
  while(lua_next(L, ms)) {
    lua_pop(L, 1);
    count++;
  }
  if(n < 1 || (size_t)n != count)
    fail_at(L, c->where, "suite field 'metrics' must be a non-empty list: "
            "metrics = { ys.metric \"exact_match\" { ... }, ... }");
  s->metrics = ys_xcalloc((size_t)n, sizeof(ys_metric *));
  for(lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, ms, i);
    if(ys_lua_is_metric_factory(L, -1)) {
      /* ys.metric "x" without parameters: configure with defaults and
       * keep the instance in the list so it stays alive. */
      const char *fw = where_of(L, -1, c);
      lua_pushvalue(L, -1);
      if(lua_pcall(L, 0, 1, 0) != LUA_OK)
        fail_at(L, fw, "%s", lua_tostring(L, -1));
      lua_pushvalue(L, -1);
      lua_seti(L, ms, i);
      lua_remove(L, -2);
    }
    ys_metric *m = ys_lua_metric(L, -1);
    if(!m)
      fail_at(L, c->where, "metrics[%d] must be ys.metric \"name\" { ... }, "
              "got %s", (int)i, luaL_typename(L, -1));
    for(size_t j = 0; j < s->nmetrics; j++)
      if(!strcmp(ys_metric_name(s->metrics[j]), ys_metric_name(m)))
        fail_at(L, where_of(L, -1, c), "two metrics are named '%s': give "
                "one another name with name = \"...\"", ys_metric_name(m));
    /* Models a metric calls (a judge) must exist. */
    const char *names[16];
    size_t nn = ys_metric_model_params(m, names, 16);
    for(size_t k = 0; k < nn; k++)
      if(!ys_suite_find_model(s, names[k]))
        fail_at(L, where_of(L, -1, c), "metric '%s': no model '%s' in the "
                "suite's models or helpers", ys_metric_name(m), names[k]);
    s->metrics[s->nmetrics++] = m;
    lua_pop(L, 1);
  }
  lua_settop(L, ms - 1);
}

static void check_metric_ref(lua_State *L, ys_suite *s, const char *where,
                             const char *what, const char *key)
{
  if(ys_suite_has_metric_key(s, key))
    return;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for(size_t i = 0; i < s->nmetrics; i++)
    for(size_t k = 0; k < ys_metric_nkeys(s->metrics[i]); k++) {
      if(i || k)
        luaL_addstring(&b, ", ");
      luaL_addstring(&b, ys_metric_key(s->metrics[i], k));
    }
  luaL_pushresult(&b);
  fail_at(L, where, "%s: unknown metric '%s' (the suite's metrics give: %s)",
          what, key, lua_tostring(L, -1));
}

static int cmp_baseline(const void *a, const void *b)
{
  return strcmp(((const ys_baseline *)a)->name,
                ((const ys_baseline *)b)->name);
}

static void check_baselines(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  if(get_field(L, c, "baselines", LUA_TTABLE, "a table of name = { metric "
               "= ..., value = ... }", 0) == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int bs = lua_gettop(L);
  lua_pushnil(L);
  while(lua_next(L, bs)) {
    if(lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
      fail_at(L, c->where, "baselines must be a table of name = { metric = "
              "\"...\", value = 0.76 }");
    const char *name = lua_tostring(L, -2);
    int e = lua_gettop(L);
    lua_pushnil(L);
    while(lua_next(L, e)) {
      lua_pop(L, 1);
      const char *k = lua_tostring(L, -1);
      if(lua_type(L, -1) != LUA_TSTRING ||
         (strcmp(k, "metric") && strcmp(k, "value")))
        fail_at(L, c->where, "baseline '%s': unknown option (expected "
                "metric and value)", name);
    }
    if(ys_suite_model_index(s, name) >= 0)
      fail_at(L, c->where, "baseline '%s' has the name of a model: a gate "
              "could not tell them apart", name);
    if(lua_getfield(L, e, "metric") != LUA_TSTRING)
      fail_at(L, c->where, "baseline '%s' needs metric = \"...\"", name);
    if(lua_getfield(L, e, "value") != LUA_TNUMBER)
      fail_at(L, c->where, "baseline '%s' needs a number value", name);
    check_metric_ref(L, s, c->where, "baseline", lua_tostring(L, -2));
    s->baselines = ys_xrealloc(s->baselines,
                               (s->nbaselines + 1) * sizeof(ys_baseline));
    ys_baseline *bl = &s->baselines[s->nbaselines++];
    bl->name = ys_xstrdup(name);
    bl->metric = ys_xstrdup(lua_tostring(L, -2));
    bl->value = lua_tonumber(L, -1);
    lua_settop(L, e - 1);
  }
  if(s->nbaselines > 1)
    qsort(s->baselines, s->nbaselines, sizeof(ys_baseline), cmp_baseline);
  lua_settop(L, bs - 1);
}

/* The metric giving key, and whether its summary entry has an interval
 * (means and rates do). */
static int key_has_interval(const ys_suite *s, const char *key)
{
  for(size_t i = 0; i < s->nmetrics; i++)
    for(size_t k = 0; k < ys_metric_nkeys(s->metrics[i]); k++)
      if(!strcmp(ys_metric_key(s->metrics[i], k), key)) {
        ys_metric_agg a = ys_metric_aggregation(s->metrics[i]);
        return a == YS_AGG_MEAN || a == YS_AGG_RATE;
      }
  return 0;
}

static const ys_baseline *find_baseline(const ys_suite *s, const char *name)
{
  for(size_t i = 0; i < s->nbaselines; i++)
    if(!strcmp(s->baselines[i].name, name))
      return &s->baselines[i];
  return NULL;
}

/* [-0, +1, m] The suite's model names, ", "-joined. */
static const char *model_list(lua_State *L, const ys_suite *s)
{
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for(size_t k = 0; k < s->nmodels; k++) {
    if(k)
      luaL_addstring(&b, ", ");
    luaL_addstring(&b, s->models[k]->name);
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

/* A number option of gate g (at stack index t): 1 if set, 0 if absent. */
static int gate_number(lua_State *L, loadctx *c, int t, int i,
                       const char *k, double *out)
{
  int type = lua_getfield(L, t, k);
  if(type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if(type != LUA_TNUMBER || isnan(lua_tonumber(L, -1)))
    fail_at(L, c->where, "gates[%d]: %s must be a number", i, k);
  *out = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return 1;
}

static const char *kind_option(ys_gate_kind k)
{
  return k == YS_GATE_ERROR_RATE ? "max_error_rate"
         : k == YS_GATE_COST ? "max_cost_per_1k" : "max_p95_latency_ms";
}

static const char GATE_FORMS[] =
  "{ model, metric, min/max [, bound] }, { model, metric, beats [, alpha] "
  "}, { model, metric, not_worse_than, margin [, alpha] }, { model, "
  "max_error_rate }, { model, max_cost_per_1k }, { model, "
  "max_p95_latency_ms }";

static void check_gate(lua_State *L, loadctx *c, int t, int i, ys_gate *gt)
{
  static const char *const opts[] = {
    "model", "metric", "min", "max", "bound", "beats", "not_worse_than",
    "margin", "alpha", "max_error_rate", "max_cost_per_1k",
    "max_p95_latency_ms", NULL
  };
  ys_suite *s = c->s;
  lua_pushnil(L);
  while(lua_next(L, t)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                   : "?";
    int ok = 0;
    for(const char *const *o = opts; *o; o++)
      if(!strcmp(*o, k))
        ok = 1;
    if(!ok)
      fail_at(L, c->where, "gates[%d]: unknown option '%s' (expected model, "
              "metric, min, max, bound, beats, not_worse_than, margin, "
              "alpha, max_error_rate, max_cost_per_1k, max_p95_latency_ms)",
              i, k);
  }
  gt->where = ys_xstrdup(c->where);
  if(lua_getfield(L, t, "model") != LUA_TSTRING)
    fail_at(L, c->where, "gates[%d] needs model = \"name\"", i);
  gt->model = ys_xstrdup(lua_tostring(L, -1));
  lua_pop(L, 1);
  if(ys_suite_model_index(s, gt->model) < 0)
    fail_at(L, c->where, "gates[%d]: unknown model '%s' (the suite's "
            "models: %s)", i, gt->model, model_list(L, s));
  /* Which check: exactly one form. */
  int forms = 0;
  double lim;
  const char *limits[] = { "max_error_rate", "max_cost_per_1k",
                           "max_p95_latency_ms" };
  ys_gate_kind lk[] = { YS_GATE_ERROR_RATE, YS_GATE_COST, YS_GATE_LATENCY };
  for(int j = 0; j < 3; j++)
    if(gate_number(L, c, t, i, limits[j], &lim)) {
      forms++;
      gt->kind = lk[j];
      gt->has_max = 1;
      gt->max = lim;
      if(lim < 0)
        fail_at(L, c->where, "gates[%d]: %s must be 0 or more", i,
                limits[j]);
    }
  double mn = 0, mx = 0;
  int has_min = gate_number(L, c, t, i, "min", &mn);
  int has_max = gate_number(L, c, t, i, "max", &mx);
  if(has_min || has_max) {
    forms++;
    gt->kind = YS_GATE_RANGE;
    gt->has_min = has_min;
    gt->min = mn;
    gt->has_max = has_max;
    gt->max = mx;
  }
  const char *vs[] = { "beats", "not_worse_than" };
  for(int j = 0; j < 2; j++) {
    int type = lua_getfield(L, t, vs[j]);
    if(type == LUA_TSTRING) {
      forms++;
      gt->kind = j ? YS_GATE_NOT_WORSE : YS_GATE_BEATS;
      gt->other = ys_xstrdup(lua_tostring(L, -1));
    }
    else if(type != LUA_TNIL)
      fail_at(L, c->where, "gates[%d]: %s must be the name of a model or a "
              "baseline", i, vs[j]);
    lua_pop(L, 1);
  }
  if(forms != 1)
    fail_at(L, c->where, "gates[%d] must have exactly one check, one of: %s",
            i, GATE_FORMS);
  int needs_metric = gt->kind == YS_GATE_RANGE ||
                     gt->kind == YS_GATE_BEATS ||
                     gt->kind == YS_GATE_NOT_WORSE;
  int type = lua_getfield(L, t, "metric");
  if(needs_metric && type != LUA_TSTRING)
    fail_at(L, c->where, "gates[%d] needs metric = \"name\"", i);
  if(!needs_metric && type != LUA_TNIL)
    fail_at(L, c->where, "gates[%d]: %s is about the model, not a metric: "
            "remove metric", i, kind_option(gt->kind));
  if(needs_metric) {
    gt->metric = ys_xstrdup(lua_tostring(L, -1));
    char what[32];
    snprintf(what, sizeof(what), "gates[%d]", i);
    check_metric_ref(L, s, c->where, what, gt->metric);
  }
  lua_pop(L, 1);
  /* bound: only for min/max, on a metric with an interval. */
  type = lua_getfield(L, t, "bound");
  if(type != LUA_TNIL) {
    const char *b = lua_tostring(L, -1);
    if(type != LUA_TSTRING || (strcmp(b, "value") && strcmp(b, "lower") &&
                               strcmp(b, "upper")))
      fail_at(L, c->where, "gates[%d]: bound must be \"value\", \"lower\" or "
              "\"upper\"", i);
    if(gt->kind != YS_GATE_RANGE)
      fail_at(L, c->where, "gates[%d]: bound goes with min or max", i);
    gt->bound = b[0] == 'l' ? YS_BOUND_LOWER
                : b[0] == 'u' ? YS_BOUND_UPPER : YS_BOUND_VALUE;
    if(gt->bound != YS_BOUND_VALUE && !key_has_interval(s, gt->metric))
      fail_at(L, c->where, "gates[%d]: metric '%s' has no interval (only "
              "means and rates have one): bound cannot be \"%s\"", i,
              gt->metric, b);
  }
  lua_pop(L, 1);
  if(gt->kind == YS_GATE_RANGE && gt->has_min && gt->has_max &&
     gt->min > gt->max)
    fail_at(L, c->where, "gates[%d]: min %g is above max %g", i, gt->min,
            gt->max);
  /* beats / not_worse_than: another model, or a baseline on this metric. */
  gt->alpha = YS_GATE_ALPHA;
  int has_alpha = gate_number(L, c, t, i, "alpha", &gt->alpha);
  int has_margin = gate_number(L, c, t, i, "margin", &gt->margin);
  if(gt->kind != YS_GATE_BEATS && gt->kind != YS_GATE_NOT_WORSE) {
    if(has_alpha || has_margin)
      fail_at(L, c->where, "gates[%d]: %s goes with beats or "
              "not_worse_than", i, has_alpha ? "alpha" : "margin");
    return;
  }
  if(!(gt->alpha > 0 && gt->alpha < 0.5))
    fail_at(L, c->where, "gates[%d]: alpha must be between 0 and 0.5 "
            "(0.05 is usual)", i);
  if(gt->kind == YS_GATE_NOT_WORSE && !has_margin)
    fail_at(L, c->where, "gates[%d]: not_worse_than needs margin = the "
            "largest drop that still counts as not worse (e.g. 0.02)", i);
  if(gt->kind == YS_GATE_BEATS && has_margin)
    fail_at(L, c->where, "gates[%d]: margin goes with not_worse_than", i);
  if(has_margin && gt->margin < 0)
    fail_at(L, c->where, "gates[%d]: margin must be 0 or more", i);
  if(!strcmp(gt->other, gt->model))
    fail_at(L, c->where, "gates[%d]: a model cannot be compared with "
            "itself", i);
  const ys_baseline *bl = find_baseline(s, gt->other);
  if(bl && strcmp(bl->metric, gt->metric))
    fail_at(L, c->where, "gates[%d]: baseline '%s' is a value of '%s', not "
            "of '%s'", i, gt->other, bl->metric, gt->metric);
  if(!bl && ys_suite_model_index(s, gt->other) < 0) {
    lua_pushstring(L, model_list(L, s));
    fail_at(L, c->where, "gates[%d]: '%s' is neither a model nor a baseline "
            "of the suite (models: %s)", i, gt->other, lua_tostring(L, -1));
  }
}

static void check_gates(lua_State *L, loadctx *c)
{
  ys_suite *s = c->s;
  if(get_field(L, c, "gates", LUA_TTABLE, "a list of gates", 0) ==
     LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int gs = lua_gettop(L);
  lua_Integer n = luaL_len(L, gs);
  lua_Integer count = 0;
  lua_pushnil(L);
  while(lua_next(L, gs)) {
    lua_pop(L, 1);
    count++;
  }
  if(count != n)
    fail_at(L, c->where, "gates must be a list: gates = { { model = ..., "
            "metric = ..., min = ... }, ... }");
  s->gates = ys_xcalloc(n > 0 ? (size_t)n : 1, sizeof(ys_gate));
  for(lua_Integer i = 1; i <= n; i++) {
    if(lua_geti(L, gs, i) != LUA_TTABLE)
      fail_at(L, c->where, "gates[%d] must be a table, one of: %s", (int)i,
              GATE_FORMS);
    check_gate(L, c, lua_gettop(L), (int)i, &s->gates[s->ngates++]);
    lua_settop(L, gs);
  }
  lua_settop(L, gs - 1);
}

/* [-0, +0, e] The whole check, run protected. The suite table is
 * argument 2. */
static int check_suite(lua_State *L)
{
  loadctx *c = lua_touserdata(L, 1);
  ys_suite *s = c->s;
  c->table = 2;
  if(!lua_istable(L, c->table))
    fail_at(L, s->path, "the suite file must return ys.suite { ... }, not "
            "%s", luaL_typename(L, c->table));
  const char *w = ys_lua_where(L, c->table);
  snprintf(c->where, sizeof(c->where), "%s", w ? w : s->path);
  check_fields(L, c);
  get_field(L, c, "name", LUA_TSTRING, "a string", 1);
  const char *name = lua_tostring(L, -1);
  if(!valid_name(name))
    fail_at(L, c->where, "suite name '%s' must be 1-128 letters, digits or "
            "_-.:+@ (it names the run directory)", name);
  s->name = ys_xstrdup(name);
  lua_pop(L, 1);
  if(get_field(L, c, "description", LUA_TSTRING, "a string", 0) !=
     LUA_TNIL)
    s->description = ys_xstrdup(lua_tostring(L, -1));
  lua_pop(L, 1);
  check_dataset(L, c);
  if(get_field(L, c, "id", LUA_TSTRING, "the name of the id field", 0) !=
     LUA_TNIL) {
    if(!lua_tostring(L, -1)[0])
      fail_at(L, c->where, "suite field 'id' must name a field");
    s->id_field = ys_xstrdup(lua_tostring(L, -1));
  }
  else
    s->id_field = ys_xstrdup("id");
  lua_pop(L, 1);
  check_prompt(L, c);
  if(get_field(L, c, "evaluate", LUA_TFUNCTION, "a function", 0) !=
     LUA_TNIL) {
    lua_pushvalue(L, -1);
    s->evaluate_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_pop(L, 1);
  if(get_field(L, c, "max_error_rate", LUA_TNUMBER, "a number from 0 to 1",
               0) != LUA_TNIL) {
    s->max_error_rate = lua_tonumber(L, -1);
    if(!(s->max_error_rate >= 0 && s->max_error_rate <= 1))
      fail_at(L, c->where, "max_error_rate must be from 0 to 1");
  }
  lua_pop(L, 1);
  s->repeat = 1;
  if(get_field(L, c, "repeat", LUA_TNUMBER, "a whole number from 1 to "
               "1000", 0) != LUA_TNIL) {
    if(!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
       lua_tointeger(L, -1) > 1000)
      fail_at(L, c->where, "repeat must be a whole number from 1 to 1000");
    s->repeat = (int)lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  check_models(L, c);
  check_metrics(L, c);
  check_baselines(L, c);
  check_gates(L, c);
  return 0;
}

/* }====== */

static int open_module(lua_State *L)
{
  ys_lua_open_ys(L, lua_touserdata(L, 1));
  return 0;
}

ys_err ys_suite_load(const char *path, const ys_suite_opts *opts,
                     ys_suite **out, ys_diag *diag)
{
  *out = NULL;
  ys_suite *s = ys_xcalloc(1, sizeof(*s));
  s->path = ys_xstrdup(path);
  s->prompt_ref = s->evaluate_ref = s->models_ref = LUA_NOREF;
  s->table_ref = LUA_NOREF;
  loadctx *c = ys_xcalloc(1, sizeof(*c));
  c->s = s;
  ys_err err = ys_sha256_file(path, s->sha256, diag);
  if(err) {
    free(c);
    ys_suite_free(s);
    return ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot read suite: %s",
                   strerror(errno));
  }
  const char *slash = strrchr(path, '/');
  c->ld.dir = slash ? ys_xstrndup(path, (size_t)(slash - path + (slash ==
                      path))) : ys_xstrdup(".");
  c->ld.roots = ys_suite_roots(c->ld.dir, opts ? opts->search_path : NULL,
                               &c->ld.nroots);
  c->ld.log = opts ? opts->log : NULL;
  c->ld.log_ud = opts ? opts->log_ud : NULL;
  s->L = ys_lua_new(SUITE_MEM_CAP, c->ld.log, c->ld.log_ud);
  if(!s->L) {
    free(c->ld.dir);
    ys_suite_free_roots(c->ld.roots, c->ld.nroots);
    free(c);
    ys_suite_free(s);
    return ys_fail(diag, YS_ERR_NOMEM, path, 0, "cannot create Lua state");
  }
  /* The loader must live as long as the state: keep it in the state. */
  lua_State *L = s->L;
  ys_lua_set_instruction_limit(L, ys_instruction_limit(
    SUITE_LOAD_INSTRUCTIONS));
  ys_diag d;
  err = ys_lua_pcall_c(L, open_module, &c->ld, 0, 0, &d);
  if(!err)
    err = ys_lua_load_file(L, path, path, &d);
  if(!err)
    err = ys_lua_call(L, 0, 1, &d);
  if(!err) {
    /* Keep the table alive: it holds the metric instances. */
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    s->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    err = ys_lua_pcall_c(L, check_suite, c, 1, 0, &d);
  }
  s->loader = c;
  if(err) {
    /* Out of Lua memory while loading is the suite's doing, as is an
     * error with no position (error() called with a table): both get
     * the file's name. */
    ys_err code = YS_ERR_SUITE;
    if(err == YS_ERR_IO)
      code = YS_ERR_USAGE;
    else if(c->ld.data_error)
      code = YS_ERR_DATA;
    size_t pl = strlen(path);
    int placed = !strncmp(d.msg, path, pl) && d.msg[pl] == ':';
    for(const char *p = d.msg; !placed && *p && *p != ' '; p++)
      placed = *p == ':' && p[1] >= '0' && p[1] <= '9';
    if(placed || code != YS_ERR_SUITE)
      ys_fail(diag, code, NULL, 0, "%s", d.msg);
    else
      ys_fail(diag, code, NULL, 0, "%s: %s", path, d.msg);
    ys_suite_free(s);
    return code;
  }
  lua_settop(L, 0);
  *out = s;
  return YS_OK;
}

ys_model *ys_suite_find_model(const ys_suite *s, const char *name)
{
  for(size_t i = 0; i < s->nmodels; i++)
    if(!strcmp(s->models[i]->name, name))
      return s->models[i];
  for(size_t i = 0; i < s->nhelpers; i++)
    if(!strcmp(s->helpers[i]->name, name))
      return s->helpers[i];
  return NULL;
}

int ys_suite_model_index(const ys_suite *s, const char *name)
{
  for(size_t i = 0; i < s->nmodels; i++)
    if(!strcmp(s->models[i]->name, name))
      return (int)i;
  return -1;
}

int ys_suite_has_metric_key(const ys_suite *s, const char *key)
{
  for(size_t i = 0; i < s->nmetrics; i++)
    for(size_t k = 0; k < ys_metric_nkeys(s->metrics[i]); k++)
      if(!strcmp(ys_metric_key(s->metrics[i], k), key))
        return 1;
  return 0;
}

void ys_suite_free(ys_suite *s)
{
  if(!s)
    return;
  for(size_t i = 0; i < s->nmodels; i++)
    ys_model_free(NULL, s->models[i]);
  free(s->models);
  for(size_t i = 0; i < s->nhelpers; i++)
    ys_model_free(NULL, s->helpers[i]);
  free(s->helpers);
  free(s->metrics);
  /* Closing the state frees the metric instances (their userdata). */
  ys_lua_close(s->L);
  loadctx *c = s->loader;
  if(c) {
    free(c->ld.dir);
    ys_suite_free_roots(c->ld.roots, c->ld.nroots);
    for(size_t i = 0; i < c->npending; i++)
      free(c->pending[i].name);
    free(c->pending);
    free(c);
  }
  for(size_t i = 0; i < s->nbaselines; i++) {
    free(s->baselines[i].name);
    free(s->baselines[i].metric);
  }
  free(s->baselines);
  for(size_t i = 0; i < s->ngates; i++)
    ys_gate_clear(&s->gates[i]);
  free(s->gates);
  ys_template_free(s->system_tpl);
  ys_template_free(s->user_tpl);
  free(s->path);
  free(s->name);
  free(s->description);
  free(s->dataset_path);
  free(s->dataset_name);
  free(s->id_field);
  free(s);
}
