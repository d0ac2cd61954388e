/* SPDX-License-Identifier: MIT */
/*
 * metric.h: metric plugins. A metric plugin is a Lua file (metrics/NAME.lua)
 * returning a table: name, description, params (each with a type, a default
 * or required = true, and doc), optional kind ("binary" for 0/1 scores),
 * optional keys (a list or function(params) giving named sub-scores), a
 * score(params, sample, output, ctx) function, and an optional aggregate
 * ("mean", "sum", "rate", "median" or function(scores)). Each metric
 * instance runs in its own sandboxed Lua state with a memory budget and a
 * time limit per call; an error in one call fails that score only.
 * Uses lua_host, lua_lib_json, cJSON.
 */
#ifndef YS_METRIC_H
#define YS_METRIC_H

#include <cjson/cJSON.h>

#include "err.h"
#include "lua_host.h"

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

/* Loads the plugin at path (display is the name used in messages) and
 * checks its declaration. Errors: YS_ERR_SUITE, YS_ERR_IO. */
ys_err ys_metric_load(const char *path, const char *display,
                      ys_lua_log_fn log, void *log_ud, ys_metric **out,
                      ys_diag *diag) YS_WARN_UNUSED;

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

/* Scores one output. scores must hold ys_metric_nkeys(m) values; booleans
 * count as 1/0. On failure (the plugin raised, ran out of time or memory,
 * or returned something else than declared) returns YS_ERR_LUA with a
 * message naming the metric. */
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
