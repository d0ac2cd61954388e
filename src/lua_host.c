/* SPDX-License-Identifier: MIT */
/*
 * lua_host.c: the one place that creates Lua states and calls into them.
 * The sandbox follows STYLE.md section 6: a budgeted allocator, a reduced
 * library set, text-only chunks, read-only globals, and a deadline hook
 * that re-arms itself so plugin code cannot pcall its way past it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "buf.h"
#include "lua_host.h"
#include "xalloc.h"

/* Lua makes and drops many small blocks per sample (strings, table
 * parts). Freed blocks of up to POOL_MAX bytes are kept on per-size free
 * lists (POOL_STEP bytes apart, the first word linking them) and handed
 * out again, which costs far less than a trip through malloc; at most
 * POOL_KEEP bytes are kept. Lua tells the allocator a block's exact size
 * on every call, so a block's class is always known. Off under
 * AddressSanitizer, which should see every block's life. */
#define POOL_STEP 16
#define POOL_MAX 256
#define POOL_CLASSES (POOL_MAX / POOL_STEP)
#define POOL_KEEP ((size_t)8 << 20)
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ON 0
#endif
#endif
#ifndef POOL_ON
#define POOL_ON 1
#endif

/* Per-state host data, kept as the allocator's userdata. */
typedef struct host {
  size_t used, cap;
  ys_lua_log_fn log;
  void *log_ud;
  double budget_ms;  /* 0: no deadline */
  double deadline;   /* absolute, during a call */
  long long insn_budget; /* VM instructions per call; 0: no limit */
  long long insn_used;
  int expired;       /* 1: time, 2: instructions */
  ys_buf scratch;    /* see ys_lua_scratch_take */
  int scratch_busy;
  void *pool[POOL_CLASSES]; /* freed small blocks by size class */
  size_t pooled;            /* bytes held in pool */
} host;

/* The size class of a block of n bytes (1 to POOL_MAX), from 0. */
static size_t pool_class(size_t n)
{
  return (n - 1) / POOL_STEP;
}

static void *pool_get(host *h, size_t n)
{
  size_t c = pool_class(n);
  void *p = h->pool[c];
  if(p) {
    memcpy(&h->pool[c], p, sizeof(void *));
    h->pooled -= (c + 1) * POOL_STEP;
    return p;
  }
  return malloc((c + 1) * POOL_STEP);
}

static void pool_put(host *h, void *p, size_t n)
{
  size_t c = pool_class(n);
  if(h->pooled >= POOL_KEEP) {
    free(p);
    return;
  }
  memcpy(p, &h->pool[c], sizeof(void *));
  h->pool[c] = p;
  h->pooled += (c + 1) * POOL_STEP;
}

static void pool_drain(host *h)
{
  for(size_t c = 0; c < POOL_CLASSES; c++) {
    while(h->pool[c]) {
      void *p = h->pool[c];
      memcpy(&h->pool[c], p, sizeof(void *));
      free(p);
    }
  }
  h->pooled = 0;
}

/* Lua's allocator: sizes within the budget, small blocks through the
 * pool. */
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  host *h = ud;
  if(!ptr)
    osize = 0; /* osize then encodes the object type, not a size */
  int small_old = POOL_ON && ptr && osize <= POOL_MAX;
  if(nsize == 0) {
    if(small_old)
      pool_put(h, ptr, osize);
    else
      free(ptr);
    h->used -= osize;
    return NULL;
  }
  if(nsize > osize && nsize - osize > h->cap - h->used)
    return NULL; /* over budget: Lua raises a memory error */
  void *p;
  if(POOL_ON && nsize <= POOL_MAX) {
    if(small_old && pool_class(osize) == pool_class(nsize))
      p = ptr; /* the block already has room */
    else {
      p = pool_get(h, nsize);
      if(!p && ptr && nsize <= osize)
        p = ptr; /* Lua counts on shrinking to work; the block fits any
                  * class at most its size */
      else if(!p)
        return NULL;
      else if(ptr) {
        memcpy(p, ptr, osize < nsize ? osize : nsize);
        if(small_old)
          pool_put(h, ptr, osize);
        else
          free(ptr);
      }
    }
  }
  else if(small_old) {
    p = malloc(nsize);
    if(!p)
      return NULL;
    memcpy(p, ptr, osize);
    pool_put(h, ptr, osize);
  }
  else {
    p = realloc(ptr, nsize);
    if(!p)
      return NULL;
  }
  h->used = h->used - osize + nsize;
  return p;
}

static host *host_of(lua_State *L)
{
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

size_t ys_lua_mem_used(lua_State *L)
{
  return host_of(L)->used;
}

double ys_lua_clock_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* {====== sandboxed globals ====== */

static int buf_gc(lua_State *L)
{
  ys_buf_free(lua_touserdata(L, 1));
  return 0;
}

ys_buf *ys_lua_newbuf(lua_State *L, size_t max)
{
  ys_buf *b = lua_newuserdatauv(L, sizeof(ys_buf), 0);
  ys_buf_init(b, max);
  if(luaL_newmetatable(L, "ys.buf")) {
    lua_pushcfunction(L, buf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

static int l_print(lua_State *L)
{
  host *h = host_of(L);
  int n = lua_gettop(L);
  ys_buf *b = ys_lua_newbuf(L, 64 * 1024);
  ys_err err = YS_OK;
  for(int i = 1; i <= n && !err; i++) {
    size_t len;
    const char *s = luaL_tolstring(L, i, &len);
    if(i > 1)
      err = ys_buf_addc(b, '\t');
    if(!err)
      err = ys_buf_add(b, s, len);
    lua_pop(L, 1);
  }
  if(h->log)
    h->log(h->log_ud, err ? "(print output too long)" : ys_buf_str(b));
  return 0;
}

/* __index of the read-only global view: upvalue 1 is the real globals. */
static int env_index(lua_State *L)
{
  lua_pushvalue(L, 2);
  if(lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
    return 1;
  if(lua_type(L, 2) == LUA_TSTRING)
    return luaL_error(L, "undefined global '%s'", lua_tostring(L, 2));
  return luaL_error(L, "undefined global");
}

static int env_newindex(lua_State *L)
{
  return luaL_error(L, "the global environment is read-only");
}

/* Registry table of the modules `require` can return. */
static const char MODULES_KEY[] = "ys.modules";

static int l_require(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, MODULES_KEY);
  if(lua_getfield(L, -1, name) == LUA_TNIL)
    return luaL_error(L, "module '%s' not found (only \"yardstick\" can be "
                      "required here)", name);
  return 1;
}

void ys_lua_register_module(lua_State *L, const char *name)
{
  lua_getfield(L, LUA_REGISTRYINDEX, MODULES_KEY);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

/* Registry key of the read-only view. */
static const char VIEW_KEY[] = "ys.globals_view";

static void open_libs(lua_State *L)
{
  static const luaL_Reg libs[] = {
    { LUA_GNAME, luaopen_base },
    { LUA_STRLIBNAME, luaopen_string },
    { LUA_TABLIBNAME, luaopen_table },
    { LUA_MATHLIBNAME, luaopen_math },
    { LUA_UTF8LIBNAME, luaopen_utf8 },
    { NULL, NULL }
  };
  for(const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  static const char *const removed[] = {
    "dofile", "loadfile", "load", "require", "collectgarbage", NULL
  };
  lua_pushglobaltable(L);
  for(const char *const *r = removed; *r; r++) {
    lua_pushnil(L);
    lua_setfield(L, -2, *r);
  }
  lua_pushcfunction(L, l_print);
  lua_setfield(L, -2, "print");
  lua_pushcfunction(L, l_require);
  lua_setfield(L, -2, "require");
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, MODULES_KEY);
  /* The view: a userdata whose reads go to the globals. A userdata, not
   * a table, so rawset cannot write into it either. */
  lua_newuserdatauv(L, 0, 0);      /* stack: G, view */
  lua_newtable(L);                 /* stack: G, view, mt */
  lua_pushvalue(L, -3);
  lua_pushcclosure(L, env_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, env_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);         /* stack: G, view */
  /* _G is the view too, so `_G.x = 1` cannot write the shared globals. */
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "_G");
  lua_setfield(L, LUA_REGISTRYINDEX, VIEW_KEY);
  lua_pop(L, 1);
}

void ys_lua_push_env(lua_State *L)
{
  lua_newtable(L);                 /* the chunk's own globals */
  lua_newtable(L);                 /* its metatable */
  lua_getfield(L, LUA_REGISTRYINDEX, VIEW_KEY);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

/* }====== */

static int open_protected(lua_State *L)
{
  open_libs(L);
  return 0;
}

lua_State *ys_lua_new(size_t mem_cap, ys_lua_log_fn log, void *log_ud)
{
  host *h = ys_xcalloc(1, sizeof(*h));
  h->cap = mem_cap;
  h->log = log;
  h->log_ud = log_ud;
  lua_State *L = lua_newstate(budget_alloc, h);
  if(!L) {
    pool_drain(h);
    free(h);
    return NULL;
  }
  /* Lua leaves the main thread's extra space uninitialised; it holds the
   * running task (sched.c), and NULL means none. */
  memset(lua_getextraspace(L), 0, LUA_EXTRASPACE);
  /* Each sample makes short-lived tables (its row, messages, replies):
   * the generational collector frees those far more cheaply than the
   * incremental one. */
  lua_gc(L, LUA_GCGEN, 0, 0);
  /* Even setup runs protected: an unprotected error would abort. */
  lua_pushcfunction(L, open_protected);
  if(lua_pcall(L, 0, 0, 0) != LUA_OK) {
    lua_close(L);
    pool_drain(h);
    free(h);
    return NULL;
  }
  return L;
}

void ys_lua_close(lua_State *L)
{
  if(!L)
    return;
  host *h = host_of(L);
  lua_close(L);
  pool_drain(h);
  ys_buf_free(&h->scratch);
  free(h);
}

ys_buf *ys_lua_scratch_take(lua_State *L, size_t max)
{
  void *ud;
  if(lua_getallocf(L, &ud) != budget_alloc)
    return NULL; /* a state not made by ys_lua_new: no host */
  host *h = ud;
  if(h->scratch_busy)
    return NULL;
  h->scratch_busy = 1;
  /* Keep the memory, unless a huge text left a lot of it behind. */
  if(h->scratch.alloc > ((size_t)1 << 20))
    ys_buf_free(&h->scratch);
  ys_buf_reset(&h->scratch);
  h->scratch.max = max;
  return &h->scratch;
}

void ys_lua_scratch_give(lua_State *L, ys_buf *b)
{
  void *ud;
  if(lua_getallocf(L, &ud) != budget_alloc)
    return;
  host *h = ud;
  if(b == &h->scratch)
    h->scratch_busy = 0;
}

/* {====== deadline ====== */

#define HOOK_EVERY 10000

static void deadline_hook(lua_State *L, lua_Debug *ar)
{
  (void)ar;
  host *h = host_of(L);
  if(!h->expired) {
    h->insn_used += HOOK_EVERY;
    if(h->insn_budget && h->insn_used > h->insn_budget)
      h->expired = 2;
    else if(h->budget_ms > 0 && ys_lua_clock_ms() >= h->deadline)
      h->expired = 1;
    else
      return;
  }
  /* Re-arm to fire on every line and instruction, so a pcall in the
   * plugin that catches this error hits the next one straight away. */
  lua_sethook(L, deadline_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
  /* Where it was stopped: in a hook, level 0 is the running function. */
  luaL_where(L, 0);
  if(h->expired == 2)
    lua_pushfstring(L, "instruction budget exceeded (%d million "
                    "instructions)", (int)(h->insn_budget / 1000000));
  else
    lua_pushfstring(L, "time limit exceeded (%d ms)", (int)h->budget_ms);
  lua_concat(L, 2);
  lua_error(L);
}

void ys_lua_set_time_limit(lua_State *L, double budget_ms)
{
  host_of(L)->budget_ms = budget_ms;
}

long long ys_instruction_limit(long long dflt)
{
  const char *e = getenv("YARDSTICK_INSTRUCTION_LIMIT");
  char *end;
  long long m = e ? strtoll(e, &end, 10) : 0;
  return e && *e && !*end && m > 0 && m < 1000000000LL ? m * 1000000 : dflt;
}

void ys_lua_set_instruction_limit(lua_State *L, long long n)
{
  host_of(L)->insn_budget = n > 0 ? n : 0;
}

/* Arms the limits on thread co for one call or resume slice. */
static int arm(host *h, lua_State *co)
{
  if(h->budget_ms <= 0 && !h->insn_budget)
    return 0;
  h->expired = 0;
  h->insn_used = 0;
  h->deadline = ys_lua_clock_ms() + h->budget_ms;
  lua_sethook(co, deadline_hook, LUA_MASKCOUNT, HOOK_EVERY);
  return 1;
}

/* }====== */

static int msghandler(lua_State *L)
{
  const char *msg = lua_tostring(L, 1);
  if(!msg) {
    if(luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  }
  if(getenv("YARDSTICK_DEBUG"))
    luaL_traceback(L, L, msg, 1);
  return 1;
}

ys_err ys_lua_call(lua_State *L, int nargs, int nresults, ys_diag *diag)
{
  host *h = host_of(L);
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  int armed = arm(h, L);
  int rc = lua_pcall(L, nargs, nresults, base);
  if(armed)
    lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if(rc == LUA_OK)
    return YS_OK;
  const char *msg = lua_tostring(L, -1);
  ys_err err = rc == LUA_ERRMEM ? YS_ERR_NOMEM : YS_ERR_LUA;
  if(rc == LUA_ERRMEM)
    ys_fail(diag, err, NULL, 0, "out of memory (Lua budget of %zu MiB)",
            h->cap >> 20);
  else
    ys_fail(diag, err, NULL, 0, "%s", msg ? msg : "error");
  lua_pop(L, 1);
  return err;
}

int ys_lua_resume(lua_State *L, lua_State *co, int nargs, int *nres,
                  ys_diag *diag)
{
  /* A state made elsewhere (a test's) has no host and so no limits. */
  void *ud;
  host *h = lua_getallocf(L, &ud) == budget_alloc ? ud : NULL;
  int armed = h ? arm(h, co) : 0;
  int rc = lua_resume(co, L, nargs, nres);
  if(armed)
    lua_sethook(co, NULL, 0, 0);
  if(rc == LUA_OK || rc == LUA_YIELD)
    return rc;
  if(rc == LUA_ERRMEM)
    ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory (Lua budget of %zu "
            "MiB)", h ? h->cap >> 20 : 0);
  else {
    /* lua_tostring could allocate (a number): only take strings. */
    const char *msg = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1)
                      : "(error object is not a string)";
    ys_fail(diag, YS_ERR_LUA, NULL, 0, "%s", msg);
  }
  return rc;
}

ys_err ys_lua_pcall_c(lua_State *L, lua_CFunction f, void *ud, int nargs,
                      int nresults, ys_diag *diag)
{
  if(!lua_checkstack(L, 3)) {
    lua_pop(L, nargs);
    return ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "Lua stack overflow");
  }
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, ud);
  /* stack: args..., f, ud -> f, ud, args... */
  lua_rotate(L, -(nargs + 2), 2);
  return ys_lua_call(L, nargs + 1, nresults, diag);
}

ys_err ys_lua_load_file(lua_State *L, const char *path, const char *display,
                        ys_diag *diag)
{
  FILE *f = fopen(path, "rb");
  if(!f)
    return ys_fail(diag, YS_ERR_IO, display, 0, "cannot open: %s",
                   strerror(errno));
  ys_buf b;
  ys_buf_init(&b, 64u << 20);
  char chunk[8192];
  size_t n;
  ys_err err = YS_OK;
  while(!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    err = ys_buf_add(&b, chunk, n);
  int bad = ferror(f);
  fclose(f);
  if(err || bad) {
    ys_buf_free(&b);
    return ys_fail(diag, err ? err : YS_ERR_IO, display, 0,
                   err ? "file too large" : "read error");
  }
  const char *src = ys_buf_str(&b);
  size_t len = b.len;
  /* A first line starting with '#' is skipped, as lua.c does. */
  if(len && src[0] == '#') {
    while(len && *src != '\n') {
      src++;
      len--;
    }
  }
  if(len && src[0] == LUA_SIGNATURE[0]) {
    ys_buf_free(&b);
    return ys_fail(diag, YS_ERR_SUITE, NULL, 0, "%s: a compiled Lua chunk: "
                   "only Lua source text can be loaded", display);
  }
  char *name = ys_xasprintf("@%s", display);
  int rc = luaL_loadbufferx(L, src, len, name, "t");
  free(name);
  ys_buf_free(&b);
  if(rc != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    err = rc == LUA_ERRMEM ? YS_ERR_NOMEM : YS_ERR_SUITE;
    ys_fail(diag, err, NULL, 0, "%s", msg ? msg : "cannot load");
    lua_pop(L, 1);
    return err;
  }
  ys_lua_push_env(L);
  lua_setupvalue(L, -2, 1); /* _ENV is a main chunk's first upvalue */
  return YS_OK;
}
