/* SPDX-License-Identifier: MIT */
/*
 * runner.c: the public ys_run API and the evaluation loop. Data flows one
 * way: the plan checks the dataset; the loop streams it again, keeps a
 * window of (sample, model) tasks in dataset order, starts them within
 * the -j and per-model limits, and as the oldest tasks finish writes
 * their lines to the journal and adds them to the summary, in order.
 * Uses suite, plan, sched, model, metric, journal, summary, report_text.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "backend_http.h"
#include "journal.h"
#include "redact.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "plan.h"
#include "report_text.h"
#include "sched.h"
#include "suite.h"
#include "summary.h"
#include "xalloc.h"

#define MAX_ERROR_TEXT 2000

typedef struct sample {
  cJSON *row;
  char id[YS_MAX_ID + 1];
  int tasks_left; /* slots not yet flushed */
} sample;

enum { SLOT_PENDING, SLOT_RUNNING, SLOT_SCORING, SLOT_DONE };

#define YS_TASK_INSTRUCTIONS 2000000000LL

/* What a task's ud points to: a slot (the evaluation) or a judge call
 * (a model call a metric asked for while scoring a slot). */
enum { TASK_EVAL, TASK_JUDGE };

typedef struct slot slot;

typedef struct judge {
  int kind;       /* TASK_JUDGE */
  slot *sl;
  ys_model *model;
} judge;

struct slot {
  int kind;       /* TASK_EVAL */
  sample *smp;
  size_t model;
  int repeat;     /* 0-based */
  int state;
  double t_start; /* when it started, for elapsed_ms */
  double elapsed_ms;
  int ok;
  char *error;    /* the evaluation's error, when !ok */
  cJSON *output;  /* while scoring */
  char *system, *user; /* the rendered prompt, for metrics */
  double *scores; /* nkeys; NaN where a metric failed */
  char **score_errors; /* per metric, or NULL */
  char **details; /* per metric: JSON detail, or NULL */
  size_t next_metric;  /* scoring: the metric to run next */
  size_t metric_key;   /* index of its first key in scores */
  ys_metric_call *call; /* the metric waiting for a model call */
  ys_usage usage;
  ys_usage judge_usage; /* model calls metrics made for this slot */
  ys_usage_list others; /* calls to models other than its own */
  int resumed;    /* read back from the journal of a resumed run */
  judge judge;    /* the model call a metric waits for (one at a time) */
  char *line;     /* the journal line, once done */
  size_t line_len;
};

struct ys_run {
  ys_run_opts opts;
  char *out_dir, *runs_dir, *search_path, *command_line, *cache_path;
  ys_suite *suite;
  ys_plan plan;
  int have_plan;
  ys_journal *journal;
  ys_summary *summary;
  cJSON *summary_doc;
  char *summary_text;
  int gates_failed;
  char started_at[32];
  int repeat;       /* K: runs of each (sample, model) */
  /* the loop */
  ys_sched *sched;
  ys_http *http;
  slot *win;        /* ring of window slots */
  size_t wcap, whead, wcount, wstart; /* wstart: first maybe-pending */
  long running;
  long done, failed;
  double t0, last_progress;
  size_t nkeys;
  volatile sig_atomic_t interrupted;
  /* resuming an interrupted run */
  int resume;       /* reopen out_dir rather than create a run */
  int resuming;     /* lines are still being read back */
  long kept;        /* tasks read back */
  long resumes;     /* times the run was resumed, this one included */
  char **redact;    /* --redact fields (owned copies) */
  size_t nredact;
  /* merging shards: their directories and journals, by shard index */
  char **merge;
  size_t nmerge;
  ys_lines **shard_lines;
  int merging;
  long http_extra[9]; /* the shards' http counts, added to the summary */
  int direct;       /* the default evaluation may skip the Lua task */
};

void ys_run_opts_init(ys_run_opts *opts)
{
  memset(opts, 0, sizeof(*opts));
  opts->jobs = 8;
  opts->seed = 1;
  opts->runs_dir = "runs";
}

static void run_log(void *ud, const char *line)
{
  ys_run *r = ud;
  if(r->opts.log)
    r->opts.log(r->opts.ud, line);
}

static double line_num(const cJSON *o, const char *k);

/* Reads the manifest of the run to resume into the options: what it
 * was run with applies again. Sets *suite (owned) to its suite's path and
 * *man (owned) to the manifest. */
/* Reads dir/name, a JSON file of a run, into *doc (owned). */
static ys_err load_json(const char *dir, const char *name, cJSON **doc,
                        ys_diag *diag)
{
  char *path = ys_xasprintf("%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  ys_buf b;
  ys_buf_init(&b, (size_t)64 << 20);
  ys_err err = YS_OK;
  *doc = NULL;
  if(!f)
    err = ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot open: %s (is %s a "
                  "run directory?)", strerror(errno), dir);
  else {
    char chunk[65536];
    size_t n;
    while(!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
      err = ys_buf_add(&b, chunk, n);
    fclose(f);
    if(err)
      err = ys_fail(diag, YS_ERR_DATA, path, 0, "larger than 64 MiB");
  }
  if(!err) {
    *doc = cJSON_Parse(ys_buf_str(&b));
    if(!cJSON_IsObject(*doc)) {
      cJSON_Delete(*doc);
      *doc = NULL;
      err = ys_fail(diag, YS_ERR_DATA, path, 0, "not a JSON object");
    }
  }
  ys_buf_free(&b);
  free(path);
  return err;
}

static ys_err read_resume(ys_run *r, char **suite, cJSON **man,
                          ys_diag *diag)
{
  char *path = ys_xasprintf("%s/manifest.json", r->opts.resume_dir);
  ys_err err = load_json(r->opts.resume_dir, "manifest.json", man, diag);
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(*man, "status");
  const cJSON *op = cJSON_GetObjectItemCaseSensitive(*man, "options");
  const cJSON *sp = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(*man, "suite"), "path");
  if(!err && (!cJSON_IsString(st) || !cJSON_IsObject(op) ||
              !cJSON_IsString(sp)))
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "not a yardstick manifest "
                  "(status, options and suite.path expected)");
  else if(!err && (!strcmp(st->valuestring, "complete") ||
                   !strcmp(st->valuestring, "incomplete")))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "the run in %s finished "
                  "(status %s): there is nothing to resume",
                  r->opts.resume_dir, st->valuestring);
  if(!err) {
    r->opts.limit = (long)line_num(op, "limit");
    r->opts.sample = (long)line_num(op, "sample");
    r->opts.seed = (uint64_t)line_num(op, "seed");
    r->opts.repeat = (int)line_num(op, "repeat");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(op, "shard");
    r->opts.shard = (long)line_num(sh, "index");
    r->opts.shards = (long)line_num(sh, "count");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(*man, "started_at");
    snprintf(r->started_at, sizeof(r->started_at), "%s",
             cJSON_IsString(at) ? at->valuestring : "");
    r->resumes = (long)line_num(*man, "resumed") + 1;
    *suite = ys_xstrdup(sp->valuestring);
    /* What was hidden stays hidden. */
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(op, "redact");
    for(size_t i = 0; i < r->nredact; i++)
      free(r->redact[i]);
    free(r->redact);
    r->nredact = 0;
    r->redact = ys_xcalloc((size_t)cJSON_GetArraySize(rf) + 1,
                           sizeof(char *));
    for(const cJSON *fe = rf ? rf->child : NULL; fe; fe = fe->next)
      if(cJSON_IsString(fe))
        r->redact[r->nredact++] = ys_xstrdup(fe->valuestring);
  }
  free(path);
  if(err) {
    cJSON_Delete(*man);
    *man = NULL;
  }
  return err;
}

/* The suite and data of a resumed run must be what it started with. */
static ys_err check_unchanged(ys_run *r, const cJSON *man, const char *dir,
                              ys_diag *diag)
{
  const cJSON *ss = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(man, "suite"), "sha256");
  const cJSON *ds = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(man, "dataset"), "sha256");
  const char *doing = r->opts.nmerge ? "merging" : "resuming";
  if(!cJSON_IsString(ss) || strcmp(ss->valuestring, r->suite->sha256))
    return ys_fail(diag, YS_ERR_USAGE, r->suite->path, 0, "changed since "
                   "the run in %s started: %s would mix results of two "
                   "suites; start a new run", dir, doing);
  if(!cJSON_IsString(ds) || strcmp(ds->valuestring, r->plan.sha256))
    return ys_fail(diag, YS_ERR_USAGE, r->suite->dataset_path, 0, "changed "
                   "since the run in %s started: %s would mix results of "
                   "two datasets; start a new run", dir, doing);
  return YS_OK;
}

/* Merging: reads the shards' manifests, checks they are the finished
 * shards of one run, orders their directories by shard index, and takes
 * the run's options from them. *mans gets the manifests (owned). */
static ys_err read_merge(ys_run *r, const char *const *dirs, size_t n,
                         char **suite, cJSON ***mans, ys_diag *diag)
{
  *mans = ys_xcalloc(n + 1, sizeof(cJSON *));
  r->merge = ys_xcalloc(n + 1, sizeof(char *));
  r->nmerge = n;
  ys_err err = YS_OK;
  const cJSON *op0 = NULL;
  for(size_t i = 0; i < n && !err; i++) {
    cJSON *m;
    err = load_json(dirs[i], "manifest.json", &m, diag);
    if(err)
      break;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(m, "options");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(op, "shard");
    long k = (long)line_num(sh, "index"), count = (long)line_num(sh,
                                                                "count");
    if(!cJSON_IsObject(sh))
      err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "%s is not a shard (run "
                    "with --shard K/N)", dirs[i]);
    else if(count != (long)n)
      err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "%s is shard %ld of %ld, "
                    "but %zu directories were given: give all %ld shards",
                    dirs[i], k, count, n, count);
    else if(k < 0 || k >= count || r->merge[k])
      err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "%s and %s are both shard "
                    "%ld", k >= 0 && k < count && r->merge[k] ? r->merge[k]
                    : "?", dirs[i], k);
    else if(!cJSON_IsString(st) || (strcmp(st->valuestring, "complete") &&
                                    strcmp(st->valuestring, "incomplete")))
      err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "shard %ld in %s has not "
                    "finished (status %s): resume it first (yardstick run "
                    "--resume %s)", k, dirs[i], cJSON_IsString(st) ?
                    st->valuestring : "unknown", dirs[i]);
    else if(op0) {
      /* Everything but the shard and -j must match. */
      cJSON *a = cJSON_Duplicate(op0, 1), *b = cJSON_Duplicate(op, 1);
      const char *skip[] = { "shard", "jobs", "cache" };
      for(int j = 0; j < 3; j++) {
        cJSON_DeleteItemFromObjectCaseSensitive(a, skip[j]);
        cJSON_DeleteItemFromObjectCaseSensitive(b, skip[j]);
      }
      if(!cJSON_Compare(a, b, 1))
        err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "%s and %s were run with "
                      "different options (limit, sample, seed, repeat or "
                      "redact): they are not shards of one run", r->merge[
                      (long)line_num(cJSON_GetObjectItemCaseSensitive(
                        op0, "shard"), "index")], dirs[i]);
      cJSON_Delete(a);
      cJSON_Delete(b);
    }
    if(!err) {
      r->merge[k] = ys_xstrdup(dirs[i]);
      (*mans)[i] = m;
      if(!op0) {
        op0 = op;
        r->opts.limit = (long)line_num(op, "limit");
        r->opts.sample = (long)line_num(op, "sample");
        r->opts.seed = (uint64_t)line_num(op, "seed");
        r->opts.repeat = (int)line_num(op, "repeat");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(
          cJSON_GetObjectItemCaseSensitive(m, "suite"), "path");
        *suite = cJSON_IsString(sp) ? ys_xstrdup(sp->valuestring) : NULL;
        const cJSON *rf = cJSON_GetObjectItemCaseSensitive(op, "redact");
        for(size_t j = 0; j < r->nredact; j++)
          free(r->redact[j]);
        free(r->redact);
        r->nredact = 0;
        r->redact = ys_xcalloc((size_t)cJSON_GetArraySize(rf) + 1,
                               sizeof(char *));
        for(const cJSON *fe = rf ? rf->child : NULL; fe; fe = fe->next)
          if(cJSON_IsString(fe))
            r->redact[r->nredact++] = ys_xstrdup(fe->valuestring);
      }
    }
    else
      cJSON_Delete(m);
  }
  /* The shards' own HTTP counts, so the merged summary has them all. */
  static const char *const hk[] = { "attempts", "retries",
                                    "transport_errors", "cache_hits",
                                    "cache_misses" };
  for(size_t i = 0; i < n && !err; i++) {
    cJSON *sum;
    err = load_json(r->merge[i], "summary.json", &sum, diag);
    if(err)
      break;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(sum, "http");
    for(int j = 0; j < 5; j++)
      r->http_extra[j] += (long)line_num(h, hk[j]);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(h, "responses");
    for(int j = 1; j < 5; j++) {
      char key[8];
      snprintf(key, sizeof(key), "%dxx", j + 1);
      r->http_extra[4 + j] += (long)line_num(cls, key);
    }
    cJSON_Delete(sum);
  }
  return err;
}

ys_err ys_run_open(const char *suite_path, const ys_run_opts *opts,
                   ys_run **out, ys_diag *diag)
{
  *out = NULL;
  ys_diag_clear(diag);
  ys_run *r = ys_xcalloc(1, sizeof(*r));
  if(opts)
    r->opts = *opts;
  else
    ys_run_opts_init(&r->opts);
  if(r->opts.jobs < 1 || r->opts.jobs > 100000) {
    int jobs = r->opts.jobs;
    free(r);
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "jobs must be from 1 to "
                   "100000, got %d", jobs);
  }
  if(r->opts.repeat < 0 || r->opts.repeat > 1000) {
    int k = r->opts.repeat;
    free(r);
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "repeat must be from 1 to "
                   "1000, got %d", k);
  }
  if(r->opts.limit < 0 || r->opts.sample < 0) {
    free(r);
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "limit and sample must not "
                   "be negative");
  }
  /* Keep copies: the caller's strings need not outlive the call. */
  r->out_dir = r->opts.out_dir ? ys_xstrdup(r->opts.out_dir) : NULL;
  r->runs_dir = ys_xstrdup(r->opts.runs_dir ? r->opts.runs_dir : "runs");
  r->search_path = r->opts.search_path ? ys_xstrdup(r->opts.search_path)
                                       : NULL;
  r->command_line = ys_xstrdup(r->opts.command_line ? r->opts.command_line
                                                    : "");
  r->cache_path = r->opts.cache_path ? ys_xstrdup(r->opts.cache_path) : NULL;
  r->nredact = r->opts.nredact;
  r->redact = ys_xcalloc(r->nredact + 1, sizeof(char *));
  for(size_t i = 0; i < r->nredact; i++)
    r->redact[i] = ys_xstrdup(r->opts.redact[i]);
  r->opts.redact = NULL; /* the caller's; r->redact is ours */
  char *resume_suite = NULL;
  cJSON *man = NULL, **mans = NULL;
  ys_err err = YS_OK;
  if(r->opts.nmerge && (r->opts.resume_dir || r->opts.shards))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "merging takes neither "
                  "--resume nor --shard");
  else if(r->opts.nmerge && !r->out_dir)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "merging needs the directory "
                  "of the merged run");
  else if(r->opts.shards && (r->opts.shards < 1 || r->opts.shard < 0 ||
                             r->opts.shard >= r->opts.shards))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "shard %ld of %ld: the shard "
                  "must be from 0 to %ld", r->opts.shard, r->opts.shards,
                  r->opts.shards - 1);
  else if(r->opts.nmerge) {
    err = read_merge(r, r->opts.merge, r->opts.nmerge, &resume_suite, &mans,
                     diag);
    if(!suite_path)
      suite_path = resume_suite;
  }
  r->opts.merge = NULL; /* the caller's; r->merge is ours */
  if(!err && r->opts.resume_dir) {
    r->resume = 1;
    free(r->out_dir);
    r->out_dir = ys_xstrdup(r->opts.resume_dir);
    err = read_resume(r, &resume_suite, &man, diag);
    if(!suite_path)
      suite_path = resume_suite;
  }
  r->opts.resume_dir = NULL; /* the caller's string; out_dir is ours */
  ys_suite_opts so = { r->search_path, run_log, r };
  if(!err && !suite_path)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "no suite file given");
  if(!err)
    err = ys_suite_load(suite_path, &so, &r->suite, diag);
  if(!err) {
    ys_plan_opts po = { r->opts.limit, r->opts.sample, r->opts.seed,
                        r->opts.shard, r->opts.shards,
                        (const char *const *)r->redact, r->nredact };
    err = ys_plan_make(r->suite, &po, &r->plan, diag);
    r->have_plan = !err;
  }
  /* A misspelt field would hide nothing: refuse it. */
  for(size_t i = 0; !err && i < r->nredact; i++)
    if(!r->plan.field_rows[i])
      err = ys_fail(diag, YS_ERR_USAGE, r->suite->dataset_path, 0, "--redact:"
                    " no sample has a field '%s'", r->redact[i]);
  if(!err && man)
    err = check_unchanged(r, man, r->out_dir, diag);
  for(size_t i = 0; mans && i < r->nmerge; i++) {
    if(!err && mans[i])
      err = check_unchanged(r, mans[i], r->opts.merge ? "?" :
                            r->merge[(long)line_num(
                              cJSON_GetObjectItemCaseSensitive(
                                cJSON_GetObjectItemCaseSensitive(mans[i],
                                                                 "options"),
                                "shard"), "index")], diag);
    cJSON_Delete(mans[i]);
  }
  free(mans);
  free(resume_suite);
  cJSON_Delete(man);
  if(err) {
    ys_run_free(r);
    return err;
  }
  r->repeat = r->opts.repeat > 0 ? r->opts.repeat : r->suite->repeat;
  /* Without a prompt function or evaluate, a task is one model call; a
   * backend written in C answers it without the Lua task (see
   * run_direct). YARDSTICK_LUA_TASKS=1 keeps every task in Lua, which
   * the tests use to show both ways give the same results. */
  const char *lt = getenv("YARDSTICK_LUA_TASKS");
  r->direct = r->suite->prompt_ref == LUA_NOREF &&
              r->suite->evaluate_ref == LUA_NOREF && !(lt && *lt == '1');
  *out = r;
  return YS_OK;
}

/* {====== the task body (runs in the task's coroutine) ====== */

/* Stack of a task: 1 sample, 2 model, 3 ctx, 4 prompt fn|nil, 5 evaluate
 * fn|nil. Stage 1: the prompt function returned the messages. Stage 2:
 * evaluate returned the output. Stage 3: the default model:chat returned
 * text and reply. */
static int task_k(lua_State *L, int status, lua_KContext stage)
{
  (void)status;
  if(stage == 1) {
    if(lua_type(L, -1) != LUA_TSTRING && !lua_istable(L, -1))
      return luaL_error(L, "the prompt function must return a string or a "
                        "list of {role=, content=} messages, not %s",
                        luaL_typename(L, -1));
    lua_setfield(L, 3, "messages");
  }
  if(stage <= 1) {
    if(!lua_isnil(L, 5)) {
      lua_pushvalue(L, 5);
      lua_pushvalue(L, 1);
      lua_pushvalue(L, 2);
      lua_pushvalue(L, 3);
      lua_callk(L, 3, 1, 2, task_k);
    }
    else {
      lua_getfield(L, 2, "chat");
      lua_pushvalue(L, 2);
      lua_getfield(L, 3, "messages");
      lua_callk(L, 2, 2, 3, task_k);
      return task_k(L, LUA_OK, 3);
    }
  }
  if(stage == 3) {
    /* The default evaluation: the text, or the reply's structured output
     * when the backend gave one. */
    int reply = lua_gettop(L);
    if(lua_istable(L, reply) && lua_getfield(L, reply, "output") != LUA_TNIL)
      return 1;
    lua_settop(L, reply - 1); /* the text */
  }
  if(lua_isnil(L, -1))
    return luaL_error(L, "evaluate returned nil (it must return the output: "
                      "a string or a table)");
  return 1;
}

static int task_main(lua_State *L)
{
  if(!lua_isnil(L, 4)) {
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 1);
    lua_callk(L, 1, 1, 1, task_k);
    return task_k(L, LUA_OK, 1);
  }
  return task_k(L, LUA_OK, 0);
}

/* }====== */

/* {====== starting tasks ====== */

typedef struct start_ctx {
  ys_run *r;
  slot *sl;
  const char *system, *user; /* rendered templates, or NULL */
} start_ctx;

/* [-0, +0, e] Builds the task's arguments and spawns it (protected: any
 * allocation here may raise). */
static int start_protected(lua_State *L)
{
  start_ctx *c = lua_touserdata(L, 1);
  ys_run *r = c->r;
  const ys_suite *s = r->suite;
  ys_model *m = s->models[c->sl->model];
  lua_settop(L, 0); /* indices below count from here */
  lua_pushcfunction(L, task_main);          /* 1 */
  ys_lua_push_json(L, c->sl->smp->row);     /* 2 sample */
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->object_ref); /* 3 model */
  lua_createtable(L, 0, 6);                 /* 4 ctx */
  lua_pushstring(L, c->sl->smp->id);
  lua_setfield(L, 4, "id");
  lua_pushstring(L, m->name);
  lua_setfield(L, 4, "model");
  lua_pushinteger(L, c->sl->repeat + 1);
  lua_setfield(L, 4, "repeat");
  lua_pushvalue(L, 2);
  lua_setfield(L, 4, "sample");
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->models_ref);
  lua_setfield(L, 4, "models");
  if(c->user) {
    lua_createtable(L, 2, 0);
    int i = 0;
    const char *role[2] = { "system", "user" };
    const char *text[2] = { c->system, c->user };
    for(int k = 0; k < 2; k++) {
      if(!text[k])
        continue;
      lua_createtable(L, 0, 2);
      lua_pushstring(L, role[k]);
      lua_setfield(L, -2, "role");
      lua_pushstring(L, text[k]);
      lua_setfield(L, -2, "content");
      lua_rawseti(L, -2, ++i);
    }
    lua_setfield(L, 4, "messages");
  }
  if(s->prompt_ref != LUA_NOREF)            /* 5 prompt */
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->prompt_ref);
  else
    lua_pushnil(L);
  if(s->evaluate_ref != LUA_NOREF)          /* 6 evaluate */
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->evaluate_ref);
  else
    lua_pushnil(L);
  lua_pushvalue(L, 4);
  int ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ys_task *t = ys_sched_spawn(r->sched, L, 5, c->sl);
  t->ctx_ref = ctx_ref;
  t->own_model = m;
  t->others = &c->sl->others;
  t->repeat = c->sl->repeat;
  return 0;
}

static char *one_line(const char *msg)
{
  /* YARDSTICK_DEBUG keeps tracebacks: the whole message. */
  size_t n = getenv("YARDSTICK_DEBUG") ? strlen(msg) : strcspn(msg, "\n");
  if(n > MAX_ERROR_TEXT)
    n = MAX_ERROR_TEXT;
  return ys_xstrndup(msg, n);
}

static void slot_failed(ys_run *r, slot *sl, const char *error);

static ys_err render(const ys_template *t, const cJSON *row, ys_buf *b,
                     char *err, size_t errlen)
{
  if(!t)
    return YS_OK;
  const char *missing = NULL;
  ys_err e = ys_template_render(t, row, b, &missing);
  if(e == YS_ERR_DATA)
    snprintf(err, errlen, "prompt: this sample has no field '%s'", missing);
  else if(e)
    snprintf(err, errlen, "prompt: %s", ys_strerror(e));
  return e;
}

static void slot_evaluated(ys_run *r, slot *sl, int ok, cJSON *output,
                           const char *error);

/* The default evaluation by a backend written in C, accounted as
 * model:chat accounts it (ys_model_call_usage). Returns 0, having done
 * nothing, when the task must take the Lua way. */
static int run_direct(ys_run *r, slot *sl)
{
  ys_model *m = r->suite->models[sl->model];
  if(!r->direct || !m->direct || !sl->user || m->limit.rpm || m->limit.tpm)
    return 0;
  double t0 = ys_lua_clock_ms();
  ys_direct_reply rep;
  if(!m->direct(m->direct_ud, sl->smp->row, sl->smp->id, &rep))
    return 0;
  double now = ys_lua_clock_ms();
  double chars = (double)strlen(sl->user) +
                 (sl->system ? (double)strlen(sl->system) : 0);
  sl->usage = ys_model_call_usage(m, ys_model_estimate(chars), rep.in,
                                  rep.out, rep.len, now - t0);
  cJSON *output = cJSON_CreateString(rep.text);
  free(rep.text);
  m->inflight--;
  r->running--;
  sl->elapsed_ms = now - sl->t_start;
  slot_evaluated(r, sl, output != NULL, output, output ? NULL : "out of "
                 "memory");
  return 1;
}

static void start_slot(ys_run *r, slot *sl)
{
  const ys_suite *s = r->suite;
  ys_buf sys, user;
  ys_buf_init(&sys, YS_DATASET_MAX_LINE);
  ys_buf_init(&user, YS_DATASET_MAX_LINE);
  char err[YS_MAX_ID + 256] = "";
  ys_err e = render(s->system_tpl, sl->smp->row, &sys, err, sizeof(err));
  if(!e)
    e = render(s->user_tpl, sl->smp->row, &user, err, sizeof(err));
  sl->state = SLOT_RUNNING;
  sl->t_start = ys_lua_clock_ms();
  s->models[sl->model]->inflight++;
  r->running++;
  if(!e) {
    /* Metrics see the prompt too (a judge quotes it). */
    if(s->system_tpl)
      sl->system = ys_xstrndup(ys_buf_str(&sys), sys.len);
    if(s->user_tpl)
      sl->user = ys_xstrndup(ys_buf_str(&user), user.len);
  }
  ys_buf_free(&sys);
  ys_buf_free(&user);
  if(!e && run_direct(r, sl))
    return;
  if(!e) {
    start_ctx c = { r, sl, sl->system, sl->user };
    ys_diag d;
    e = ys_lua_pcall_c(s->L, start_protected, &c, 0, 0, &d);
    if(e)
      snprintf(err, sizeof(err), "cannot start: %s", d.msg);
    lua_settop(s->L, 0);
  }
  if(e) {
    s->models[sl->model]->inflight--;
    r->running--;
    slot_failed(r, sl, err);
  }
}

/* }====== */

/* {====== finishing tasks ====== */

static ys_err add_str(ys_buf *b, const char *k, const char *v)
{
  ys_err e = ys_buf_addc(b, ',');
  if(!e)
    e = ys_json_append_string(b, k, strlen(k));
  if(!e)
    e = ys_buf_addc(b, ':');
  if(!e)
    e = ys_json_append_string(b, v, strlen(v));
  return e;
}

static ys_err add_num(ys_buf *b, const char *k, double v)
{
  char num[32];
  ys_err e = ys_buf_addc(b, ',');
  if(!e)
    e = ys_json_append_string(b, k, strlen(k));
  if(!e)
    e = ys_buf_addc(b, ':');
  if(!e)
    e = ys_buf_adds(b, ys_json_fmt_number(v, num));
  return e;
}

/* Appends "key":{metric: JSON or string,...} for the non-NULL entries. */
static ys_err add_per_metric(ys_buf *b, const char *key, const ys_suite *s,
                             char **v, int raw)
{
  ys_err e = YS_OK;
  int any = 0;
  for(size_t i = 0; i < s->nmetrics && !e; i++) {
    if(!v[i])
      continue;
    const char *name = ys_metric_name(s->metrics[i]);
    e = ys_buf_addf(b, any ? "," : ",\"%s\":{", key);
    if(!e)
      e = ys_json_append_string(b, name, strlen(name));
    if(!e)
      e = ys_buf_addc(b, ':');
    if(!e)
      e = raw ? ys_buf_adds(b, v[i])
              : ys_json_append_string(b, v[i], strlen(v[i]));
    any = 1;
  }
  if(!e && any)
    e = ys_buf_addc(b, '}');
  return e;
}

/* ,"key":{...usage...} (without the comma when !comma; the cost inside
 * with cost). */
static ys_err add_usage(ys_buf *b, const char *key, const ys_usage *u,
                        int comma, int cost)
{
  /* Whole numbers through ys_json_fmt_number's fast path: this runs
   * for every line, and printf's formatting cost more than the rest. */
  static const char *const names[] = { "{\"calls\":", ",\"input_tokens\":",
                                       ",\"output_tokens\":",
                                       ",\"cache_hits\":" };
  const long vals[] = { u->calls, u->input_tokens, u->output_tokens,
                        u->cache_hits };
  char num[32];
  ys_err e = comma ? ys_buf_addc(b, ',') : YS_OK;
  if(!e)
    e = ys_json_append_string(b, key, strlen(key));
  if(!e)
    e = ys_buf_addc(b, ':');
  for(int i = 0; i < 4 && !e; i++) {
    e = ys_buf_adds(b, names[i]);
    if(!e)
      e = ys_buf_adds(b, ys_json_fmt_number((double)vals[i], num));
  }
  if(!e && u->estimated)
    e = ys_buf_adds(b, ",\"estimated_tokens\":true");
  if(!e && cost)
    e = add_num(b, "cost", round(u->cost * 1e9) / 1e9);
  if(!e)
    e = ys_buf_addc(b, '}');
  return e;
}

/* Hides the sample's --redact values in what its line will hold. */
static void redact_slot(ys_run *r, slot *sl)
{
  const ys_suite *s = r->suite;
  ys_redactor red;
  ys_redactor_init(&red, sl->smp->row, (const char *const *)r->redact,
                   r->nredact);
  ys_redact_json(&red, sl->output);
  char *t = ys_redact_text(&red, sl->error);
  if(t) {
    free(sl->error);
    sl->error = t;
  }
  for(size_t i = 0; i < s->nmetrics; i++) {
    if(sl->score_errors && (t = ys_redact_text(&red, sl->score_errors[i]))) {
      free(sl->score_errors[i]);
      sl->score_errors[i] = t;
    }
    if(sl->details && sl->details[i]) {
      cJSON *d = cJSON_Parse(sl->details[i]);
      ys_redact_json(&red, d);
      t = d ? cJSON_PrintUnformatted(d) : NULL;
      cJSON_Delete(d);
      if(t) {
        free(sl->details[i]);
        sl->details[i] = t;
      }
    }
  }
  ys_redactor_free(&red);
}

/* Builds the slot's journal line from its outcome and scores. */
static void build_line(ys_run *r, slot *sl)
{
  if(r->nredact)
    redact_slot(r, sl);
  const ys_suite *s = r->suite;
  const ys_model *m = s->models[sl->model];
  ys_buf b;
  ys_buf_init(&b, (size_t)1 << 30);
  ys_err e = ys_buf_adds(&b, "{\"id\":");
  if(!e)
    e = ys_json_append_string(&b, sl->smp->id, strlen(sl->smp->id));
  if(!e)
    e = add_str(&b, "model", m->name);
  if(!e && r->repeat > 1)
    e = add_num(&b, "repeat", sl->repeat + 1);
  if(!e)
    e = add_str(&b, "status", sl->ok ? "ok" : "error");
  if(!e && !sl->ok)
    e = add_str(&b, "error", sl->error);
  if(!e && sl->ok) {
    e = ys_buf_adds(&b, ",\"output\":");
    if(!e)
      e = ys_json_append(&b, sl->output);
  }
  /* Scores in key order; a failed metric gives null and an entry in
   * score_errors. */
  if(!e)
    e = ys_buf_adds(&b, ",\"scores\":{");
  size_t k = 0;
  int first = 1;
  for(size_t i = 0; i < s->nmetrics && !e; i++) {
    size_t nk = ys_metric_nkeys(s->metrics[i]);
    for(size_t j = 0; j < nk && sl->ok && !e; j++, first = 0) {
      const char *key = ys_metric_key(s->metrics[i], j);
      char num[32];
      if(!first)
        e = ys_buf_addc(&b, ',');
      if(!e)
        e = ys_json_append_string(&b, key, strlen(key));
      if(!e)
        e = ys_buf_addc(&b, ':');
      if(!e)
        e = ys_buf_adds(&b, isnan(sl->scores[k + j]) ? "null"
                        : ys_json_fmt_number(sl->scores[k + j], num));
    }
    k += nk;
  }
  if(!e)
    e = ys_buf_addc(&b, '}');
  if(!e && sl->ok)
    e = add_per_metric(&b, "score_errors", s, sl->score_errors, 0);
  if(!e && sl->ok)
    e = add_per_metric(&b, "details", s, sl->details, 1);
  if(!e)
    e = add_usage(&b, "usage", &sl->usage, 1, 0);
  if(!e)
    e = add_num(&b, "cost", round(sl->usage.cost * 1e9) / 1e9);
  if(!e && sl->judge_usage.calls)
    e = add_usage(&b, "judge_usage", &sl->judge_usage, 1, 1);
  if(!e && sl->others.n) {
    /* Per model, so a resumed run counts each model's calls again. */
    e = ys_buf_adds(&b, ",\"other_usage\":{");
    for(size_t i = 0; i < sl->others.n && !e; i++) {
      const ys_model *om = sl->others.v[i].model;
      e = add_usage(&b, om->name, &sl->others.v[i].usage, i > 0, 1);
    }
    if(!e)
      e = ys_buf_addc(&b, '}');
  }
  char ms[32];
  if(!e)
    e = ys_buf_adds(&b, ",\"latency_ms\":");
  if(!e)
    e = ys_buf_adds(&b, ys_json_fmt_ms(sl->usage.latency_ms, ms));
  if(!e)
    e = ys_buf_adds(&b, ",\"elapsed_ms\":");
  if(!e)
    e = ys_buf_adds(&b, ys_json_fmt_ms(sl->elapsed_ms, ms));
  if(!e)
    e = ys_buf_addc(&b, '}');
  if(e) {
    /* Only an absurdly large output gets here: record the failure. */
    ys_buf_free(&b);
    ys_buf_init(&b, 4096);
    if(ys_buf_adds(&b, "{\"id\":") ||
       ys_json_append_string(&b, sl->smp->id, strlen(sl->smp->id)) ||
       add_str(&b, "model", m->name) ||
       ys_buf_adds(&b, ",\"status\":\"error\",\"error\":\"result line too "
                   "large\",\"scores\":{}}"))
      ys_buf_free(&b);
    sl->ok = 0;
  }
  sl->line = ys_buf_take(&b, &sl->line_len);
}

static void free_scoring(ys_run *r, slot *sl)
{
  const ys_suite *s = r->suite;
  if(sl->call) {
    ys_metric_call_free(s->metrics[sl->next_metric], sl->call);
    sl->call = NULL;
  }
  for(size_t i = 0; i < s->nmetrics; i++) {
    if(sl->score_errors)
      free(sl->score_errors[i]);
    if(sl->details)
      free(sl->details[i]);
  }
  free(sl->score_errors);
  free(sl->details);
  sl->score_errors = sl->details = NULL;
  cJSON_Delete(sl->output);
  sl->output = NULL;
  free(sl->error);
  free(sl->system);
  free(sl->user);
  sl->error = sl->system = sl->user = NULL;
}

/* The slot is scored: write its line and mark it done. */
static void slot_done(ys_run *r, slot *sl)
{
  build_line(r, sl);
  free_scoring(r, sl);
  sl->state = SLOT_DONE;
  r->done++;
  if(!sl->ok)
    r->failed++;
}

static void spawn_judge(ys_run *r, slot *sl, const ys_metric_wait *w);

/* The current metric's call ended (err, done or waiting): record it and
 * go on with the next metrics until one waits or all are done. */
static void score_step(ys_run *r, slot *sl, ys_err err, ys_diag *d)
{
  const ys_suite *s = r->suite;
  for(;;) {
    size_t i = sl->next_metric;
    ys_metric *mt = s->metrics[i];
    size_t nk = ys_metric_nkeys(mt);
    if(err) {
      for(size_t j = 0; j < nk; j++)
        sl->scores[sl->metric_key + j] = NAN;
      sl->score_errors[i] = one_line(d->msg);
    }
    else if(ys_metric_waiting(sl->call)) {
      spawn_judge(r, sl, ys_metric_waiting(sl->call));
      return;
    }
    else {
      const char *detail = ys_metric_detail(sl->call);
      if(detail)
        sl->details[i] = ys_xstrdup(detail);
    }
    ys_metric_call_free(mt, sl->call);
    sl->call = NULL;
    sl->metric_key += nk;
    sl->next_metric++;
    if(sl->next_metric >= s->nmetrics)
      break;
    /* Begin the next metric. */
    mt = s->metrics[sl->next_metric];
    ys_metric_ctx ctx = { sl->smp->id, s->models[sl->model]->name,
                          sl->repeat + 1, sl->system, sl->user, &sl->usage,
                          sl->elapsed_ms };
    err = ys_metric_begin(mt, sl->smp->row, sl->output, &ctx, &sl->call,
                          sl->scores + sl->metric_key, d);
  }
  slot_done(r, sl);
}

/* The evaluation ended: score it (or record its failure). */
static void slot_evaluated(ys_run *r, slot *sl, int ok, cJSON *output,
                           const char *error)
{
  const ys_suite *s = r->suite;
  sl->ok = ok;
  sl->output = output;
  sl->error = error ? ys_xstrdup(error) : NULL;
  sl->scores = ys_xmalloc((r->nkeys + 1) * sizeof(double));
  sl->score_errors = ys_xcalloc(s->nmetrics + 1, sizeof(char *));
  sl->details = ys_xcalloc(s->nmetrics + 1, sizeof(char *));
  sl->next_metric = 0;
  sl->metric_key = 0;
  if(!ok) {
    for(size_t k = 0; k < r->nkeys; k++)
      sl->scores[k] = NAN;
    slot_done(r, sl);
    return;
  }
  sl->state = SLOT_SCORING;
  ys_metric_ctx ctx = { sl->smp->id, s->models[sl->model]->name,
                        sl->repeat + 1, sl->system, sl->user, &sl->usage,
                        sl->elapsed_ms };
  ys_diag d;
  ys_err err = ys_metric_begin(s->metrics[0], sl->smp->row, sl->output,
                               &ctx, &sl->call, sl->scores, &d);
  score_step(r, sl, err, &d);
}

static void slot_failed(ys_run *r, slot *sl, const char *error)
{
  slot_evaluated(r, sl, 0, NULL, error);
}

/* {====== judge calls ====== */

/* A metric's model call, as a task in the suite's state: arguments are the
 * model object, messages (JSON) and options (JSON). Returns text, reply. */
static int judge_k(lua_State *L, int status, lua_KContext ctx)
{
  (void)L;
  (void)status;
  (void)ctx;
  return 2;
}

static int judge_main(lua_State *L)
{
  size_t ml, ol;
  const char *mj = luaL_checklstring(L, 2, &ml);
  const char *oj = luaL_checklstring(L, 3, &ol);
  lua_getfield(L, 1, "chat");
  lua_pushvalue(L, 1);
  if(!ys_lua_decode_json(L, mj, ml))
    return luaL_error(L, "a metric's model call: messages are not JSON");
  if(!ys_lua_decode_json(L, oj, ol))
    lua_newtable(L);
  lua_callk(L, 3, 2, 0, judge_k);
  return judge_k(L, LUA_OK, 0);
}

typedef struct judge_start {
  ys_run *r;
  judge *j;
  const ys_metric_wait *w;
} judge_start;

static int judge_protected(lua_State *L)
{
  judge_start *c = lua_touserdata(L, 1);
  lua_settop(L, 0);
  lua_pushcfunction(L, judge_main);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->j->model->object_ref);
  lua_pushstring(L, c->w->messages);
  lua_pushstring(L, c->w->options);
  /* The backend sees the judged sample, as for the model's own calls. */
  const slot *sl = c->j->sl;
  lua_createtable(L, 0, 4);
  lua_pushstring(L, sl->smp->id);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, c->r->suite->models[sl->model]->name);
  lua_setfield(L, -2, "model");
  lua_pushinteger(L, sl->repeat + 1);
  lua_setfield(L, -2, "repeat");
  ys_lua_push_json(L, sl->smp->row);
  lua_setfield(L, -2, "sample");
  int ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ys_task *t = ys_sched_spawn(c->r->sched, L, 3, c->j);
  t->ctx_ref = ctx_ref;
  t->own_model = YS_TASK_ANY_MODEL; /* its calls count in its usage */
  t->repeat = sl->repeat;
  return 0;
}

/* Hands the current metric the outcome of its model call. */
static void judge_resume(ys_run *r, slot *sl, const char *text,
                         const char *reply, const char *error)
{
  const ys_suite *s = r->suite;
  ys_diag d;
  ys_err err = ys_metric_resume(s->metrics[sl->next_metric], &sl->call,
                                text, reply, error,
                                sl->scores + sl->metric_key, &d);
  score_step(r, sl, err, &d);
}

static void spawn_judge(ys_run *r, slot *sl, const ys_metric_wait *w)
{
  const ys_suite *s = r->suite;
  ys_model *jm = ys_suite_find_model(s, w->model);
  if(!jm) {
    char msg[600];
    snprintf(msg, sizeof(msg), "the suite has no model '%s' (in models or "
             "helpers)", w->model);
    judge_resume(r, sl, NULL, NULL, msg);
    return;
  }
  judge *j = &sl->judge;
  j->kind = TASK_JUDGE;
  j->sl = sl;
  j->model = jm;
  judge_start c = { r, j, w };
  ys_diag d;
  if(ys_lua_pcall_c(s->L, judge_protected, &c, 0, 0, &d))
    judge_resume(r, sl, NULL, NULL, d.msg);
  lua_settop(s->L, 0);
}

typedef struct reply_enc {
  char *json;
} reply_enc;

static int encode_reply_protected(lua_State *L)
{
  reply_enc *e = lua_touserdata(L, 1);
  ys_buf *b = ys_lua_newbuf(L, (size_t)32 << 20);
  ys_diag d;
  if(lua_istable(L, 2) && ys_lua_encode_json(L, 2, b, &d) == YS_OK)
    e->json = ys_xstrndup(ys_buf_str(b), b->len);
  return 0;
}

static void judge_done(ys_run *r, ys_task *t, int status, int nres)
{
  judge *j = t->ud;
  slot *sl = j->sl;
  lua_State *co = t->co;
  luaL_unref(t->L, LUA_REGISTRYINDEX, t->ctx_ref);
  t->ctx_ref = LUA_NOREF;
  /* The call's cost: this slot's judging, and the judge model's use by
   * other tasks. */
  ys_usage_add(&sl->judge_usage, &t->usage);
  ys_usage_add(&j->model->aux, &t->usage);
  ys_usage_list_add(&sl->others, j->model, &t->usage);
  if(status != LUA_OK || nres < 2 || lua_type(co, -2) != LUA_TSTRING) {
    const char *msg = status != LUA_OK && lua_type(co, -1) == LUA_TSTRING
                      ? lua_tostring(co, -1) : "the model call failed";
    char *line = one_line(msg);
    judge_resume(r, sl, NULL, NULL, line);
    free(line);
    return;
  }
  reply_enc e = { NULL };
  ys_diag d;
  lua_pushvalue(co, -1); /* the reply table, as the argument */
  if(ys_lua_pcall_c(co, encode_reply_protected, &e, 1, 0, &d))
    e.json = NULL;
  judge_resume(r, sl, lua_tostring(co, -2), e.json, NULL);
  free(e.json);
}

/* }====== */

typedef struct conv_ctx {
  int idx;
  cJSON *out;
  ys_diag d;
  int bad;
} conv_ctx;

/* Converts the task's output (protected: may allocate in Lua). */
static int convert_protected(lua_State *L)
{
  conv_ctx *c = lua_touserdata(L, 1);
  if(ys_lua_to_json(L, c->idx, &c->out, &c->d))
    c->bad = 1;
  return 0;
}

static void on_done(void *ud, ys_task *t, int status, int nres)
{
  ys_run *r = ud;
  if(*(int *)t->ud == TASK_JUDGE) {
    judge_done(r, t, status, nres);
    return;
  }
  slot *sl = t->ud;
  lua_State *co = t->co;
  r->suite->models[sl->model]->inflight--;
  r->running--;
  luaL_unref(t->L, LUA_REGISTRYINDEX, t->ctx_ref);
  t->ctx_ref = LUA_NOREF;
  sl->usage = t->usage;
  sl->elapsed_ms = ys_lua_clock_ms() - sl->t_start;
  if(status != LUA_OK) {
    const char *msg = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1)
                      : "error (the error value is not a string)";
    char *line = one_line(msg);
    slot_failed(r, sl, line);
    free(line);
    return;
  }
  conv_ctx c = { 2, NULL, { "", 0, "" }, 0 };
  ys_diag d;
  if(nres >= 1)
    lua_pushvalue(co, -nres); /* the output: evaluate's first result */
  if(nres < 1 || ys_lua_pcall_c(co, convert_protected, &c, 1, 0, &d)) {
    slot_failed(r, sl, nres < 1 ? "evaluate returned nothing" : d.msg);
    return;
  }
  if(c.bad) {
    char msg[1200];
    snprintf(msg, sizeof(msg), "output: %s", c.d.msg);
    slot_failed(r, sl, msg);
    return;
  }
  slot_evaluated(r, sl, 1, c.out, NULL);
}

/* }====== */

/* {====== the loop ====== */

static slot *win_at(ys_run *r, size_t i)
{
  return &r->win[(r->whead + i) % r->wcap];
}

/* {====== resuming ======
 * A resumed run reads its journal back in the order it will make its
 * tasks. The journal is written in that order, so what it holds is the
 * first tasks, each of which must be the task expected there: anything
 * else means the suite or data changed, and mixing would be wrong. */

static double line_num(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void read_usage(const cJSON *o, ys_usage *u)
{
  memset(u, 0, sizeof(*u));
  if(!cJSON_IsObject(o))
    return;
  u->calls = (long)line_num(o, "calls");
  u->input_tokens = (long)line_num(o, "input_tokens");
  u->output_tokens = (long)line_num(o, "output_tokens");
  u->cache_hits = (long)line_num(o, "cache_hits");
  u->cost = line_num(o, "cost");
  u->estimated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
    o, "estimated_tokens"));
}

/* Fills a new slot from the next kept line, which must be its task. */
static ys_err resume_slot(ys_run *r, slot *sl, const char *line, size_t len,
                          const char *file, long lineno, ys_diag *diag)
{
  const ys_suite *s = r->suite;
  cJSON *o = cJSON_ParseWithLength(line, len);
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(o, "model");
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
  int repeat = cJSON_GetObjectItemCaseSensitive(o, "repeat")
               ? (int)line_num(o, "repeat") : 1;
  char *path = ys_xstrdup(file);
  ys_err err = YS_OK;
  if(!cJSON_IsObject(o) || !cJSON_IsString(id) || !cJSON_IsString(model) ||
     !cJSON_IsString(st))
    err = ys_fail(diag, YS_ERR_DATA, path, lineno, "not a result line (id, "
                  "model and status expected): the journal is damaged");
  else if(strcmp(id->valuestring, sl->smp->id) ||
          strcmp(model->valuestring, s->models[sl->model]->name) ||
          repeat != sl->repeat + 1)
    err = ys_fail(diag, YS_ERR_DATA, path, lineno, "holds sample '%s' of "
                  "model '%s' where the run now has sample '%s' of model "
                  "'%s' (repeat %d): the suite or dataset changed since it "
                  "started; start a new run", id->valuestring,
                  model->valuestring, sl->smp->id,
                  s->models[sl->model]->name, sl->repeat + 1);
  if(err) {
    free(path);
    cJSON_Delete(o);
    return err;
  }
  sl->resumed = 1;
  sl->state = SLOT_DONE;
  sl->ok = !strcmp(st->valuestring, "ok");
  sl->scores = ys_xmalloc((r->nkeys + 1) * sizeof(double));
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scores");
  size_t k = 0;
  for(size_t i = 0; i < s->nmetrics; i++)
    for(size_t j = 0; j < ys_metric_nkeys(s->metrics[i]); j++, k++) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        sc, ys_metric_key(s->metrics[i], j));
      sl->scores[k] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    }
  read_usage(cJSON_GetObjectItemCaseSensitive(o, "usage"), &sl->usage);
  sl->usage.cost = line_num(o, "cost");
  sl->usage.latency_ms = line_num(o, "latency_ms");
  sl->elapsed_ms = line_num(o, "elapsed_ms");
  read_usage(cJSON_GetObjectItemCaseSensitive(o, "judge_usage"),
             &sl->judge_usage);
  /* Calls this task made to other models count in those models' use. */
  const cJSON *others = cJSON_GetObjectItemCaseSensitive(o, "other_usage");
  for(const cJSON *e = others ? others->child : NULL; e && !err;
      e = e->next) {
    ys_model *om = ys_suite_find_model(s, e->string);
    if(!om) {
      err = ys_fail(diag, YS_ERR_DATA, path, lineno, "calls model '%s', "
                    "which the suite no longer has: start a new run",
                    e->string);
      break;
    }
    ys_usage u;
    read_usage(e, &u);
    ys_usage_add(&om->aux, &u);
  }
  free(path);
  cJSON_Delete(o);
  if(!err) {
    r->kept++;
    r->done++;
    if(!sl->ok)
      r->failed++;
  }
  return err;
}

/* Merging: the slot's line comes from the shard its sample falls in.
 * Each shard's journal is in dataset order, so it is that shard's next
 * line; the line is written again to the merged journal. */
static ys_err merge_slot(ys_run *r, slot *sl, ys_diag *diag)
{
  long k = ys_plan_shard_of(sl->smp->id, (long)r->nmerge);
  ys_lines *l = r->shard_lines[k];
  const char *line;
  size_t len;
  int got = ys_lines_next(l, &line, &len);
  if(got <= 0)
    return ys_fail(diag, YS_ERR_DATA, ys_lines_path(l), ys_lines_number(l),
                   "%s where the merged run expects sample '%s': the "
                   "shards do not belong together", got < 0 ? "an "
                   "unfinished line" : "the end", sl->smp->id);
  ys_err err = resume_slot(r, sl, line, len, ys_lines_path(l),
                           ys_lines_number(l), diag);
  if(!err) {
    sl->resumed = 0; /* written again, to the merged journal */
    sl->line = ys_xstrndup(line, len);
    sl->line_len = len;
  }
  return err;
}

/* The journal holds no more of the run's tasks: cut what follows (a
 * torn line) and append from there. */
static ys_err end_resuming(ys_run *r, ys_diag *diag)
{
  r->resuming = 0;
  long dropped = 0;
  ys_err err = ys_journal_keep_no_more(r->journal, &dropped, diag);
  if(!err && dropped)
    run_log(r, "warning: samples.jsonl ended in an unfinished line; it was "
            "dropped and that task runs again");
  return err;
}

/* }====== */

/* Reads rows into the window until it is full or the data ends. */
static ys_err fill(ys_run *r, ys_dataset *ds, long *index, int *eof,
                   ys_diag *diag)
{
  const ys_suite *s = r->suite;
  while(!*eof && r->wcount + s->nmodels * (size_t)r->repeat <= r->wcap) {
    if(r->plan.limit > 0 && *index >= r->plan.limit) {
      *eof = 1;
      break;
    }
    cJSON *row = NULL;
    long line = 0;
    ys_err err = ys_dataset_next(ds, &row, &line, diag);
    if(err)
      return err;
    if(!row) {
      *eof = 1;
      break;
    }
    char id[YS_MAX_ID + 1];
    err = ys_plan_row_id(s, row, s->dataset_path, line, id, diag);
    if(err) {
      cJSON_Delete(row);
      return err;
    }
    if(!ys_plan_selects(&r->plan, (*index)++, id)) {
      cJSON_Delete(row);
      continue;
    }
    sample *smp = ys_xcalloc(1, sizeof(*smp));
    smp->row = row;
    memcpy(smp->id, id, sizeof(id));
    smp->tasks_left = (int)s->nmodels * r->repeat;
    for(size_t m = 0; m < s->nmodels; m++)
      for(int k = 0; k < r->repeat; k++) {
        slot *sl = win_at(r, r->wcount++);
        memset(sl, 0, sizeof(*sl));
        sl->kind = TASK_EVAL;
        sl->smp = smp;
        sl->model = m;
        sl->repeat = k;
        sl->state = SLOT_PENDING;
        const char *kl;
        size_t klen;
        if(r->merging) {
          err = merge_slot(r, sl, diag);
          if(err)
            return err;
        }
        else if(r->resuming && ys_journal_kept_line(r->journal, &kl, &klen)) {
          char *jp = ys_xasprintf("%s/samples.jsonl",
                                  ys_journal_dir(r->journal));
          err = resume_slot(r, sl, kl, klen, jp, r->kept + 1, diag);
          free(jp);
          if(err)
            return err;
        }
        else if(r->resuming && (err = end_resuming(r, diag)))
          return err;
      }
  }
  if(*eof && r->merging) {
    for(size_t i = 0; i < r->nmerge; i++) {
      const char *kl;
      size_t klen;
      if(ys_lines_next(r->shard_lines[i], &kl, &klen))
        return ys_fail(diag, YS_ERR_DATA, ys_lines_path(r->shard_lines[i]),
                       ys_lines_number(r->shard_lines[i]), "a result the "
                       "merged run has no task for: the shards do not "
                       "belong together");
    }
  }
  if(*eof && r->resuming) {
    const char *kl;
    size_t klen;
    if(ys_journal_kept_line(r->journal, &kl, &klen))
      return ys_fail(diag, YS_ERR_DATA, NULL, 0, "%s/samples.jsonl holds "
                     "more results than the run has tasks (%ld): the suite "
                     "or dataset changed since it started; start a new run",
                     ys_journal_dir(r->journal), r->kept);
    return end_resuming(r, diag);
  }
  return YS_OK;
}

/* Starts pending tasks in dataset order within the limits. */
static void start_ready(ys_run *r)
{
  const ys_suite *s = r->suite;
  int skipped = 0;
  for(size_t i = r->wstart; i < r->wcount && r->running < r->opts.jobs;
      i++) {
    slot *sl = win_at(r, i);
    if(sl->state != SLOT_PENDING) {
      if(!skipped)
        r->wstart = i + 1;
      continue;
    }
    const ys_model *m = s->models[sl->model];
    if(m->concurrency && m->inflight >= m->concurrency) {
      skipped = 1;
      continue;
    }
    start_slot(r, sl);
    if(!skipped)
      r->wstart = i + 1;
  }
}

/* Writes finished tasks at the head of the window, in order. */
static ys_err flush(ys_run *r, ys_diag *diag)
{
  while(r->wcount && win_at(r, 0)->state == SLOT_DONE) {
    slot *sl = win_at(r, 0);
    /* A line read back from a resumed run is there already. */
    ys_err err = sl->resumed ? YS_OK
                 : ys_journal_append(r->journal, sl->line, sl->line_len,
                                     diag);
    if(err)
      return err;
    ys_summary_add(r->summary, sl->model, sl->ok, sl->scores, &sl->usage,
                   &sl->judge_usage, sl->elapsed_ms);
    free(sl->line);
    free(sl->scores);
    ys_usage_list_free(&sl->others);
    sl->line = NULL;
    sl->scores = NULL;
    if(--sl->smp->tasks_left == 0) {
      cJSON_Delete(sl->smp->row);
      free(sl->smp);
    }
    r->whead = (r->whead + 1) % r->wcap;
    r->wcount--;
    if(r->wstart)
      r->wstart--;
  }
  return YS_OK;
}

static void report_progress(ys_run *r, int final)
{
  if(!r->opts.progress)
    return;
  double now = ys_lua_clock_ms();
  if(!final && now - r->last_progress < 100)
    return;
  r->last_progress = now;
  ys_progress p;
  p.tasks_total = r->plan.rows_selected * (long)r->suite->nmodels *
                  r->repeat;
  p.tasks_done = r->done;
  p.tasks_failed = r->failed;
  p.in_flight = r->running;
  p.elapsed_s = (now - r->t0) / 1e3;
  r->opts.progress(r->opts.ud, &p);
}

static cJSON *manifest(ys_run *r, const char *status)
{
  const ys_suite *s = r->suite;
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddStringToObject(doc, "yardstick", YS_VERSION);
  cJSON_AddStringToObject(doc, "run_id", ys_journal_run_id(r->journal));
  cJSON_AddStringToObject(doc, "status", status);
  cJSON_AddStringToObject(doc, "command_line", r->command_line);
  cJSON_AddStringToObject(doc, "started_at", r->started_at);
  if(r->resumes)
    cJSON_AddNumberToObject(doc, "resumed", (double)r->resumes);
  if(strcmp(status, "running")) {
    char now[32];
    ys_journal_utc_now(now);
    cJSON_AddStringToObject(doc, "ended_at", now);
  }
  cJSON *su = cJSON_AddObjectToObject(doc, "suite");
  cJSON_AddStringToObject(su, "name", s->name);
  if(s->description)
    cJSON_AddStringToObject(su, "description", s->description);
  cJSON_AddStringToObject(su, "path", s->path);
  cJSON_AddStringToObject(su, "sha256", s->sha256);
  cJSON *ds = cJSON_AddObjectToObject(doc, "dataset");
  cJSON_AddStringToObject(ds, "path", s->dataset_path);
  cJSON_AddStringToObject(ds, "format", s->dataset_opts.kind ==
                          YS_DATASET_CSV ? "csv" : "jsonl");
  cJSON_AddStringToObject(ds, "sha256", r->plan.sha256);
  cJSON_AddStringToObject(ds, "id_field", s->id_field);
  cJSON_AddNumberToObject(ds, "rows_checked", (double)r->plan.rows_read);
  cJSON_AddNumberToObject(ds, "rows_evaluated",
                          (double)r->plan.rows_selected);
  cJSON *op = cJSON_AddObjectToObject(doc, "options");
  cJSON_AddNumberToObject(op, "jobs", r->opts.jobs);
  cJSON_AddNumberToObject(op, "limit", (double)r->opts.limit);
  cJSON_AddNumberToObject(op, "sample", (double)r->opts.sample);
  cJSON_AddNumberToObject(op, "seed", (double)r->opts.seed);
  cJSON_AddNumberToObject(op, "repeat", r->repeat);
  if(r->plan.shards) {
    cJSON *sh = cJSON_AddObjectToObject(op, "shard");
    cJSON_AddNumberToObject(sh, "index", (double)r->plan.shard);
    cJSON_AddNumberToObject(sh, "count", (double)r->plan.shards);
  }
  if(r->nmerge) {
    cJSON *mf = cJSON_AddArrayToObject(doc, "merged_from");
    for(size_t i = 0; i < r->nmerge; i++)
      cJSON_AddItemToArray(mf, cJSON_CreateString(r->merge[i]));
  }
  if(r->nredact) {
    cJSON *rf = cJSON_AddArrayToObject(op, "redact");
    for(size_t i = 0; i < r->nredact; i++)
      cJSON_AddItemToArray(rf, cJSON_CreateString(r->redact[i]));
  }
  cJSON_AddStringToObject(op, "cache", r->opts.cache == YS_RUN_CACHE_OFF
                          ? "off" : r->opts.cache == YS_RUN_CACHE_ONLY
                          ? "only" : "on");
  cJSON *ms = cJSON_AddArrayToObject(doc, "models");
  for(size_t i = 0; i < s->nmodels + s->nhelpers; i++) {
    const ys_model *m = i < s->nmodels ? s->models[i]
                                       : s->helpers[i - s->nmodels];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "role", i < s->nmodels ? "participant"
                                                      : "helper");
    cJSON_AddStringToObject(o, "kind", m->kind);
    cJSON_AddStringToObject(o, "defined_at", m->where);
    if(m->concurrency)
      cJSON_AddNumberToObject(o, "concurrency", m->concurrency);
    if(m->has_price) {
      cJSON *p = cJSON_AddObjectToObject(o, "price_per_million_tokens");
      cJSON_AddNumberToObject(p, "input", m->price_in);
      cJSON_AddNumberToObject(p, "output", m->price_out);
    }
    if(!isnan(m->hosting_usd)) {
      cJSON *h = cJSON_AddObjectToObject(o, "hosting");
      cJSON_AddNumberToObject(h, "monthly_usd", m->hosting_usd);
    }
    cJSON_AddItemToArray(ms, o);
  }
  cJSON *mt = cJSON_AddArrayToObject(doc, "metrics");
  for(size_t i = 0; i < s->nmetrics; i++) {
    const ys_metric *m = s->metrics[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", ys_metric_name(m));
    cJSON_AddStringToObject(o, "plugin", ys_metric_plugin(m));
    cJSON_AddItemToObject(o, "params",
                          cJSON_Duplicate(ys_metric_params(m), 1));
    cJSON *keys = cJSON_AddArrayToObject(o, "keys");
    for(size_t k = 0; k < ys_metric_nkeys(m); k++)
      cJSON_AddItemToArray(keys, cJSON_CreateString(ys_metric_key(m, k)));
    cJSON_AddItemToArray(mt, o);
  }
  return doc;
}

static ys_err loop(ys_run *r, ys_diag *diag)
{
  const ys_suite *s = r->suite;
  ys_dataset *ds = NULL;
  ys_err err = ys_dataset_open(s->dataset_path, &s->dataset_opts, &ds, diag);
  if(err)
    return err;
  long index = 0;
  int eof = 0;
  for(;;) {
    if(r->interrupted) {
      err = YS_ERR_INTERRUPTED;
      break;
    }
    const char *why;
    ys_err fatal = ys_sched_failure(r->sched, &why);
    if(fatal) {
      /* Every other request would fail the same way: stop now, keeping
       * what finished in order. */
      ys_diag fd;
      if(flush(r, &fd))
        run_log(r, fd.msg);
      err = ys_fail(diag, fatal, NULL, 0, "%s", why);
      break;
    }
    err = fill(r, ds, &index, &eof, diag);
    if(err)
      break;
    start_ready(r);
    err = flush(r, diag); /* tasks that failed to start finish at once */
    if(err)
      break;
    if(eof && !r->wcount)
      break;
    ys_sched_step(r->sched, 1);
    err = flush(r, diag);
    if(!err)
      err = ys_journal_tick(r->journal, diag);
    if(err)
      break;
    report_progress(r, 0);
  }
  ys_dataset_free(ds);
  report_progress(r, 1);
  return err;
}

/* }====== */

ys_err ys_run_exec(ys_run *r, ys_diag *diag)
{
  ys_diag_clear(diag);
  if(r->journal)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "this run was already "
                   "executed");
  const ys_suite *s = r->suite;
  ys_err err = r->resume
               ? ys_journal_resume(r->out_dir, &r->journal, diag)
               : ys_journal_create(r->out_dir, r->runs_dir, s->name,
                                   &r->journal, diag);
  if(err)
    return err;
  r->resuming = r->resume;
  if(!r->resume)
    ys_journal_utc_now(r->started_at);
  if(r->nmerge) {
    r->merging = 1;
    r->shard_lines = ys_xcalloc(r->nmerge, sizeof(ys_lines *));
    for(size_t i = 0; i < r->nmerge && !err; i++) {
      char *p = ys_xasprintf("%s/samples.jsonl", r->merge[i]);
      err = ys_lines_open(p, &r->shard_lines[i], diag);
      free(p);
    }
    if(err)
      return err;
  }
  cJSON *man = manifest(r, "running");
  err = ys_journal_write_json(r->journal, "manifest.json", man, diag);
  cJSON_Delete(man);
  if(err)
    return err;
  r->summary = ys_summary_new(s, r->opts.seed);
  r->nkeys = ys_summary_nkeys(r->summary);
  r->wcap = ((size_t)r->opts.jobs * 4 + 64) + s->nmodels * (size_t)r->repeat;
  r->win = ys_xcalloc(r->wcap, sizeof(slot));
  /* Between two model calls, a task's own Lua (prompt, evaluate, a
   * backend plugin) may run this many VM instructions (seconds of work). */
  ys_lua_set_instruction_limit(s->L,
                               ys_instruction_limit(YS_TASK_INSTRUCTIONS));
  r->sched = ys_sched_new(on_done, r);
  ys_cache_mode cm = r->opts.cache == YS_RUN_CACHE_OFF ? YS_CACHE_OFF
                     : r->opts.cache == YS_RUN_CACHE_ONLY ? YS_CACHE_ONLY
                     : YS_CACHE_ON;
  r->http = ys_http_new(r->sched, r->cache_path, cm, run_log, r);
  if(!r->http)
    return ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "libcurl cannot start");
  ys_http_attach(s->L, r->http);
  r->t0 = ys_lua_clock_ms();
  err = loop(r, diag);
  ys_http_attach(s->L, NULL);
  ys_diag cd;
  if(ys_http_flush_cache(r->http, &cd))
    run_log(r, cd.msg);
  ys_diag jd;
  ys_err jerr = ys_journal_close(r->journal, &jd);
  if(!err && jerr) {
    err = jerr;
    *diag = jd;
  }
  if(err == YS_ERR_INTERRUPTED) {
    man = manifest(r, "interrupted");
    ys_diag ignore;
    if(ys_journal_write_json(r->journal, "manifest.json", man, &ignore))
      ignore.msg[0] = '\0';
    cJSON_Delete(man);
    long total = r->plan.rows_selected * (long)s->nmodels * r->repeat;
    return ys_fail(diag, err, NULL, 0, "interrupted: %ld of %ld tasks "
                   "written to %s/samples.jsonl; continue with: yardstick "
                   "run --resume %s", ys_summary_tasks(r->summary), total,
                   ys_journal_dir(r->journal), ys_journal_dir(r->journal));
  }
  if(err) {
    man = manifest(r, "failed");
    ys_diag ignore;
    /* The first error is the one to report; this is best effort. */
    if(ys_journal_write_json(r->journal, "manifest.json", man, &ignore))
      ignore.msg[0] = '\0';
    cJSON_Delete(man);
    if(r->nmerge) {
      /* A merge is made again from its shards: leave nothing half-made. */
      const char *names[] = { "samples.jsonl", "manifest.json" };
      for(int i = 0; i < 2; i++) {
        char *p = ys_xasprintf("%s/%s", ys_journal_dir(r->journal),
                               names[i]);
        unlink(p);
        free(p);
      }
      rmdir(ys_journal_dir(r->journal));
      return err;
    }
    /* What finished is kept: say how to go on once the cause is fixed. */
    size_t l = strlen(diag->msg);
    snprintf(diag->msg + l, sizeof(diag->msg) - l, "; after fixing this, "
             "continue with: yardstick run --resume %s",
             ys_journal_dir(r->journal));
    return err;
  }
  ys_http_stats hs;
  ys_http_get_stats(r->http, &hs);
  cJSON *doc = ys_summary_build(r->summary);
  cJSON *http = cJSON_AddObjectToObject(doc, "http");
  /* A merged run adds the calls its shards made. */
  cJSON_AddNumberToObject(http, "attempts",
                          (double)hs.attempts + r->http_extra[0]);
  cJSON_AddNumberToObject(http, "retries",
                          (double)hs.retries + r->http_extra[1]);
  cJSON_AddNumberToObject(http, "transport_errors",
                          (double)hs.transport_errors + r->http_extra[2]);
  cJSON *cls = cJSON_AddObjectToObject(http, "responses");
  for(int i = 1; i < 6; i++) {
    char k[8];
    snprintf(k, sizeof(k), "%dxx", i);
    cJSON_AddNumberToObject(cls, k, (double)hs.by_class[i] +
                            (i >= 2 ? r->http_extra[3 + i] : 0));
  }
  cJSON_AddNumberToObject(http, "cache_hits",
                          (double)hs.cache_hits + r->http_extra[3]);
  cJSON_AddNumberToObject(http, "cache_misses",
                          (double)hs.cache_misses + r->http_extra[4]);
  r->gates_failed = ys_summary_gates_failed(r->summary);
  long tasks = ys_summary_tasks(r->summary);
  long failed = ys_summary_failed_tasks(r->summary);
  int complete = ys_summary_scored(r->summary) > 0 &&
                 (double)failed <= s->max_error_rate * (double)tasks;
  /* A fixed key order, run facts first. */
  cJSON *head = cJSON_CreateObject();
  cJSON_AddStringToObject(head, "suite", s->name);
  if(s->description)
    cJSON_AddStringToObject(head, "description", s->description);
  cJSON_AddStringToObject(head, "run_id", ys_journal_run_id(r->journal));
  cJSON_AddStringToObject(head, "status", complete ? "complete"
                                                   : "incomplete");
  cJSON_AddNumberToObject(head, "samples", (double)r->plan.rows_selected);
  cJSON_AddNumberToObject(head, "repeat", r->repeat);
  cJSON_AddNumberToObject(head, "max_error_rate", s->max_error_rate);
  for(cJSON *c = doc->child; c;) {
    cJSON *next = c->next;
    cJSON_AddItemToObject(head, c->string,
                          cJSON_DetachItemViaPointer(doc, c));
    c = next;
  }
  cJSON_Delete(doc);
  r->summary_doc = head;
  r->summary_text = cJSON_PrintUnformatted(head);
  err = ys_journal_write_json(r->journal, "summary.json", head, diag);
  if(err)
    return err;
  man = manifest(r, complete ? "complete" : "incomplete");
  err = ys_journal_write_json(r->journal, "manifest.json", man, diag);
  cJSON_Delete(man);
  if(err)
    return err;
  if(!complete) {
    if(ys_summary_scored(r->summary) == 0)
      return ys_fail(diag, YS_ERR_INCOMPLETE, NULL, 0, "no sample was "
                     "scored (%ld of %ld tasks had errors); see "
                     "%s/samples.jsonl",
                     failed, tasks, ys_journal_dir(r->journal));
    return ys_fail(diag, YS_ERR_INCOMPLETE, NULL, 0, "%ld of %ld tasks "
                   "failed, more than max_error_rate = %g allows; see "
                   "%s/samples.jsonl", failed, tasks, s->max_error_rate,
                   ys_journal_dir(r->journal));
  }
  return YS_OK;
}

void ys_run_interrupt(ys_run *r)
{
  if(r)
    r->interrupted = 1;
}

const char *ys_run_dir(const ys_run *r)
{
  return r->journal ? ys_journal_dir(r->journal) : NULL;
}

int ys_run_gates_failed(const ys_run *r)
{
  return r->gates_failed;
}

const char *ys_run_summary_json(const ys_run *r)
{
  return r->summary_text;
}

char *ys_run_render_table(const ys_run *r, int color)
{
  if(!r->summary_doc)
    return NULL;
  return ys_report_text(r->summary_doc, ys_run_dir(r), color);
}

void ys_run_free(ys_run *r)
{
  if(!r)
    return;
  /* Abandon requests, then tasks, before the state that runs them. */
  ys_http_free(r->http);
  ys_sched_free(r->sched);
  if(r->win) {
    while(r->wcount) {
      slot *sl = win_at(r, 0);
      free_scoring(r, sl);
      free(sl->line);
      free(sl->scores);
      ys_usage_list_free(&sl->others);
      if(--sl->smp->tasks_left == 0) {
        cJSON_Delete(sl->smp->row);
        free(sl->smp);
      }
      r->whead = (r->whead + 1) % r->wcap;
      r->wcount--;
    }
    free(r->win);
  }
  ys_summary_free(r->summary);
  cJSON_Delete(r->summary_doc);
  free(r->summary_text);
  ys_journal_free(r->journal);
  if(r->have_plan)
    ys_plan_cleanup(&r->plan);
  ys_suite_free(r->suite);
  free(r->out_dir);
  free(r->runs_dir);
  free(r->search_path);
  free(r->command_line);
  free(r->cache_path);
  for(size_t i = 0; i < r->nredact; i++)
    free(r->redact[i]);
  free(r->redact);
  for(size_t i = 0; i < r->nmerge; i++) {
    free(r->merge[i]);
    if(r->shard_lines)
      ys_lines_free(r->shard_lines[i]);
  }
  free(r->merge);
  free(r->shard_lines);
  free(r);
}
