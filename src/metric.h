/* SPDX-License-Identifier: MIT */
/*
 * metric.h: metric plugins. A metric plugin is a Lua file (metrics/NAME.lua)
 * returning a table: name, description, params (each with a type, a default
 * or required = true, and doc), optional kind ("binary" for 0/1 scores),
 * optional keys (a list, or function(params) giving named sub-scores or
 * nil for one score; it may raise to reject parameters at load), a
 * score(params, sample, output, ctx) function, and an optional aggregate
 * ("mean", "sum", "rate", "median" or function(scores, key, params)).
 * Each metric
 * instance runs in its own sandboxed Lua state with a memory budget and a
 * time limit per call; an error in one call fails that score only.
 * Uses lua_host, lua_lib_json, cJSON.
 */
#ifndef YS_METRIC_H
#define YS_METRIC_H

#include <cjson/cJSON.h>

#include "err.h"
#include "lua_host.h"
#include "sched.h"

typedef struct ys_metric ys_metric;

typedef enum {
  YS_AGG_MEAN,
  YS_AGG_SUM,
  YS_AGG_RATE,   /* share of scores above zero */
  YS_AGG_MEDIAN,
  YS_AGG_CUSTOM  /* the plugin's aggregate function */
} ys_metric_agg;

/* Memory budget and time limit of one metric state / call. */
#define YS_METRIC_MEM_CAP ((size_t)64 << 20)
#define YS_METRIC_TIME_LIMIT_MS 2000.0
#define YS_METRIC_INSTRUCTION_LIMIT 2000000000LL

/* Loads the plugin at path (display is the name used in messages) and
 * checks its declaration. Errors: YS_ERR_SUITE, YS_ERR_IO. */
ys_err ys_metric_load(const char *path, const char *display,
                      ys_lua_log_fn log, void *log_ud, ys_metric **out,
                      ys_diag *diag) YS_WARN_UNUSED;

/* Where relative paths of "file" parameters start (default: the current
 * directory). Call before ys_metric_configure. */
void ys_metric_set_base_dir(ys_metric *m, const char *dir);

/* The values of the metric's "model" parameters (at most max). */
size_t ys_metric_model_params(const ys_metric *m, const char **names,
                              size_t max);

/* Applies the suite's parameters (a JSON object, or NULL for none):
 * unknown names, wrong types and missing required ones are YS_ERR_SUITE
 * errors naming the plugin and parameter. Defaults fill the rest. The
 * reserved parameter `name` renames the instance. Then reads the keys. */
ys_err ys_metric_configure(ys_metric *m, const cJSON *params, ys_diag *diag)
  YS_WARN_UNUSED;

const char *ys_metric_name(const ys_metric *m);   /* instance name */
const char *ys_metric_plugin(const ys_metric *m); /* plugin name */
/* Number of scores each call gives, and their full names: "name" for a
 * single score, "name.key" for sub-scores, in declaration order. */
size_t ys_metric_nkeys(const ys_metric *m);
const char *ys_metric_key(const ys_metric *m, size_t i);
int ys_metric_binary(const ys_metric *m);
ys_metric_agg ys_metric_aggregation(const ys_metric *m);
/* The configured parameters (borrowed), for the manifest. */
const cJSON *ys_metric_params(const ys_metric *m);

/* What a task tells a metric besides the sample and output (ctx in Lua:
 * id, model, repeat, prompt, system, usage, elapsed_ms). */
typedef struct ys_metric_ctx {
  const char *id;
  const char *model;
  int repeat;             /* from 1; 0 is taken as 1 */
  const char *system;     /* the rendered system prompt, or NULL */
  const char *user;       /* the rendered user prompt, or NULL */
  const ys_usage *usage;  /* the task's model calls, or NULL */
  double elapsed_ms;
} ys_metric_ctx;

/* A score in progress: score() runs as a coroutine and may wait for a
 * model call it asked for with ctx:chat(model, messages, options). */
typedef struct ys_metric_call ys_metric_call;

typedef struct ys_metric_wait {
  const char *model;    /* the suite's model name */
  const char *messages; /* JSON: a string or a list of {role, content} */
  const char *options;  /* JSON object */
} ys_metric_wait;

/* Starts scoring an output. On YS_OK, when ys_metric_waiting(*call) is
 * NULL the scores are in `scores` (ys_metric_nkeys values; booleans count
 * 1/0) and *call only holds the detail (free it); otherwise the metric
 * waits for the model call described, to be given with ys_metric_resume.
 * On failure (the plugin raised, ran out of time or memory, returned
 * something else than declared) returns YS_ERR_LUA with a message naming
 * the metric, and *call is NULL. */
ys_err ys_metric_begin(ys_metric *m, const cJSON *sample,
                       const cJSON *output, const ys_metric_ctx *ctx,
                       ys_metric_call **call, double *scores, ys_diag *diag)
  YS_WARN_UNUSED;

/* Continues a waiting score with the model's reply (its text and the
 * reply table as JSON) or the call's error. Same outcomes as begin. */
ys_err ys_metric_resume(ys_metric *m, ys_metric_call **call,
                        const char *text, const char *reply_json,
                        const char *error, double *scores, ys_diag *diag)
  YS_WARN_UNUSED;

/* What the call waits for, or NULL when it is done. */
const ys_metric_wait *ys_metric_waiting(const ys_metric_call *c);

/* JSON text of score()'s optional second result (per-sample detail, such
 * as a judge's rationale), or NULL. */
const char *ys_metric_detail(const ys_metric_call *c);

/* Frees a call, done or abandoned; NULL is a no-op. */
void ys_metric_call_free(ys_metric *m, ys_metric_call *c);

/* Scores one output synchronously (no model calls): begin without a ctx
 * beyond id and model. Errors as for begin; a metric that calls a model
 * fails. */
ys_err ys_metric_score(ys_metric *m, const cJSON *sample,
                       const cJSON *output, const char *id,
                       const char *model, double *scores, ys_diag *diag)
  YS_WARN_UNUSED;

/* Runs the plugin's custom aggregate over the n scores of key i. */
ys_err ys_metric_aggregate(ys_metric *m, size_t key, const double *v,
                           size_t n, double *out, ys_diag *diag)
  YS_WARN_UNUSED;

/* A JSON description (name, description, kind, params with type, default
 * and doc) for `yardstick metrics`. Returns owned (free with cJSON_Delete).*/
cJSON *ys_metric_describe(const ys_metric *m);

void ys_metric_free(ys_metric *m);

#endif
