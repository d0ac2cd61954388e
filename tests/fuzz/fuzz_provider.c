/* SPDX-License-Identifier: MIT */
/*
 * fuzz_provider.c: fuzz target for model replies on the path a run takes
 * them: the response parsing of the shipped provider plugins
 * (plugins/openai.lua, plugins/anthropic.lua), ys.json.decode under it
 * (lua_lib_json.c), model:chat's token and cost accounting (model.c),
 * and the conversion of the output for the results line. The input is
 * an HTTP response: a first line "PROVIDER STATUS [CONTENT-TYPE]" (for
 * example "anthropic 200 application/json"), then the body. In the
 * plugin's state, ys.http.request is replaced by a function that waits
 * one turn of the event loop, as a network reply does, and returns that
 * response in the shape the real one gives: no connection is made. A
 * provider written "openai:cached" gets the reply at once, as from the
 * response cache.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>

#include "buf.h"
#include "common.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "lua_lib_ys.h"
#include "model.h"
#include "sched.h"
#include "xalloc.h"

/* Run from the plugin state with the provider's name, the status, the
 * content type (or nil), the body and whether the reply comes from the
 * cache; returns the backend, the task body
 * (the runner's default evaluation: the reply's output if it has one,
 * else its text) and the prompt. */
static const char HARNESS[] =
  "local ys = require \"yardstick\"\n"
  "local provider, status, ctype, body, cached = ...\n"
  "ys.http.request = function(transport, payload)\n"
  "  assert(type(transport) == \"table\" and type(payload) == \"string\")\n"
  "  if not cached then ys.sleep(0) end\n"
  "  return { status = status, body = body,\n"
  "           headers = { [\"content-type\"] = ctype },\n"
  "           cached = cached, attempts = cached and 0 or 1 }\n"
  "end\n"
  "local backend = ys[provider] { model = \"fuzz-model\",\n"
  "  base_url = provider == \"openai\" and \"http://127.0.0.1:9/v1\"\n"
  "             or \"http://127.0.0.1:9\" }\n"
  "local function evaluate(model, messages)\n"
  "  local text, reply = model:chat(messages)\n"
  "  if type(reply) == \"table\" and reply.output ~= nil then\n"
  "    return reply.output\n"
  "  end\n"
  "  return text\n"
  "end\n"
  "return backend, evaluate, {\n"
  "  { role = \"system\", content = \"Answer with the category path.\" },\n"
  "  { role = \"user\", content = \"Title: Men's shirt\" } }\n";

typedef struct run {
  ys_model *m;
  ys_sched *s;
  int finished;
} run;

/* [-3, +0, e] With the backend, the task body and the prompt on top,
 * makes the model and spawns its task as the runner does. */
static int start(lua_State *L)
{
  run *r = lua_touserdata(L, 1);
  /* stack: run, backend, evaluate, messages */
  lua_pushvalue(L, 2);
  ys_model_push_new(L, r->m); /* stack: ..., model */
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 5);
  lua_pushvalue(L, 4);
  ys_task *t = ys_sched_spawn(r->s, L, 2, r);
  t->own_model = r->m;
  lua_createtable(L, 0, 3); /* the task's ctx: what model:chat passes on */
  lua_pushliteral(L, "p-1");
  lua_setfield(L, -2, "id");
  lua_pushinteger(L, 1);
  lua_setfield(L, -2, "repeat");
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "Men's shirt");
  lua_setfield(L, -2, "title");
  lua_setfield(L, -2, "sample");
  t->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

typedef struct conv {
  cJSON *out;
  ys_diag d;
  int bad;
} conv;

static int convert(lua_State *L)
{
  conv *c = lua_touserdata(L, 1);
  if(ys_lua_to_json(L, 2, &c->out, &c->d))
    c->bad = 1;
  return 0;
}

/* The task ended: record it as the runner records a sample. */
static void on_done(void *ud, ys_task *t, int status, int nres)
{
  run *r = ud;
  lua_State *co = t->co;
  r->finished = 1;
  luaL_unref(t->L, LUA_REGISTRYINDEX, t->ctx_ref);
  t->ctx_ref = LUA_NOREF;
  ys_buf line;
  ys_buf_init(&line, (size_t)64 << 20);
  ys_err err = YS_OK;
  if(status != LUA_OK) {
    const char *msg = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1)
                      : "error (the error value is not a string)";
    err = ys_json_append_string(&line, msg, strcspn(msg, "\n"));
  }
  else if(nres >= 1) {
    conv c = { NULL, { "", 0, "" }, 0 };
    ys_diag d;
    lua_pushvalue(co, -nres);
    if(!ys_lua_pcall_c(co, convert, &c, 1, 0, &d) && !c.bad)
      err = ys_json_append(&line, c.out);
    cJSON_Delete(c.out);
  }
  const ys_usage *u = &t->usage;
  const double nums[] = { (double)u->calls, (double)u->input_tokens,
                          (double)u->output_tokens, u->latency_ms,
                          round(u->cost * 1e9) / 1e9 };
  for(size_t i = 0; !err && i < sizeof(nums) / sizeof(*nums); i++) {
    char num[32];
    err = ys_buf_addc(&line, ' ');
    if(!err)
      err = ys_buf_adds(&line, ys_json_fmt_number(nums[i], num));
  }
  fuzz_note("%s %s", status == LUA_OK ? "output" : "error",
            ys_buf_str(&line));
  ys_buf_free(&line);
}

static int open_module(lua_State *L)
{
  ys_lua_open_ys(L, lua_touserdata(L, 1));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* The first line: PROVIDER STATUS [CONTENT-TYPE]. */
  const char *in = (const char *)data;
  const char *nl = memchr(in, '\n', size);
  char head[256] = ""; /* a longer first line reads as an empty one */
  if(nl && (size_t)(nl - in) < sizeof(head)) {
    memcpy(head, in, (size_t)(nl - in));
    head[nl - in] = '\0';
  }
  const char *body = nl ? nl + 1 : in;
  size_t blen = size - (size_t)(body - in);
  char *save = NULL;
  const char *word = strtok_r(head, " \r", &save);
  const char *provider = word && !strncmp(word, "anthropic", 9)
                         ? "anthropic" : "openai";
  const char *tag = word ? strchr(word, ':') : NULL;
  int cached = tag && !strcmp(tag, ":cached");
  word = strtok_r(NULL, " \r", &save);
  long status = word ? strtol(word, NULL, 10) : 200;
  if(status < 100 || status > 599)
    status = 200;
  const char *ctype = strtok_r(NULL, "\r", &save);

  static char srcdir[] = YS_SRCDIR; /* where plugins/ is */
  static char *roots[] = { srcdir };
  ys_loader ld;
  memset(&ld, 0, sizeof(ld));
  ld.dir = (char *)fuzz_tmpdir();
  ld.roots = roots;
  ld.nroots = 1;
  lua_State *L = ys_lua_new((size_t)256 << 20, NULL, NULL);
  if(!L)
    return 0;
  /* The plugin runs under the limit tasks get. */
  ys_lua_set_instruction_limit(L, 2000000000LL);
  run r = { NULL, NULL, 0 };
  r.m = ys_xcalloc(1, sizeof(*r.m));
  r.m->name = ys_xstrdup("fuzz-model");
  r.m->kind = ys_xstrdup(provider);
  r.m->where = ys_xstrdup("");
  r.m->backend_ref = r.m->object_ref = LUA_NOREF;
  r.m->price_in = 0.15;
  r.m->price_out = 0.6;
  r.m->has_price = 1;
  r.m->hosting_usd = NAN;
  ys_limit_init(&r.m->limit, 0, 0);
  r.s = ys_sched_new(on_done, &r);
  ys_diag d;
  ys_err err = ys_lua_pcall_c(L, open_module, &ld, 0, 0, &d);
  if(!err && luaL_loadbufferx(L, HARNESS, sizeof(HARNESS) - 1,
                              "=fuzz_provider", "t") != LUA_OK) {
    fprintf(stderr, "fuzz_provider: %s\n", lua_tostring(L, -1));
    abort();
  }
  if(!err) {
    lua_pushstring(L, provider);
    lua_pushinteger(L, status);
    if(ctype)
      lua_pushstring(L, ctype);
    else
      lua_pushnil(L);
    lua_pushlstring(L, body, blen);
    lua_pushboolean(L, cached);
    err = ys_lua_call(L, 5, 3, &d);
    if(err) {
      /* Only the fixed plugin options run here: they must load. */
      fprintf(stderr, "fuzz_provider: %s\n", d.msg);
      abort();
    }
  }
  if(!err)
    err = ys_lua_pcall_c(L, start, &r, 3, 0, &d);
  while(!err && ys_sched_alive(r.s))
    ys_sched_step(r.s, 1);
  if(!err && !r.finished)
    abort(); /* the task vanished without its done callback */
  ys_sched_free(r.s);
  ys_model_free(L, r.m);
  ys_lua_close(L);
  return 0;
}
