/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_ys.h: the `yardstick` module a suite gets from require: suite
 * and dataset constructors, ys.metric, ys.replay, ys.model, model plugins
 * loaded on first use from plugins/<name>.lua (ys.naive_bayes ...), and
 * helpers (rows, read_lines, path, env, sleep, clock, log, json). Every
 * constructor records where it was called, so later checks can point at
 * the suite's line. Uses lua_host, lua_lib_json, metric, backend_replay,
 * dataset, sched.
 */
#ifndef YS_LUA_LIB_YS_H
#define YS_LUA_LIB_YS_H

#include <lua.h>

#include "lua_host.h"
#include "metric.h"
#include "model.h"

/* What the module needs from whoever loads the suite; must outlive L. */
typedef struct ys_loader {
  char *dir;        /* the suite's directory; relative paths start here */
  char **roots;     /* plugin roots, each may hold plugins/ and metrics/ */
  size_t nroots;
  ys_lua_log_fn log;
  void *log_ud;
  int data_error;   /* set when a data file (not the suite) was at fault */
} ys_loader;

/* [-0, +0, m] Registers the module in L as "yardstick". */
void ys_lua_open_ys(lua_State *L, ys_loader *ld);

/* [-0, +0, m] Records the position of the caller at `level` as where the
 * object at idx was made (for constructors written in C elsewhere). */
void ys_lua_record_where(lua_State *L, int idx, int level);

/* Where the object at idx was made ("suite.lua:12"), or NULL. The string
 * is anchored in L while the object lives. */
const char *ys_lua_where(lua_State *L, int idx);

/* Whether the backend table at idx can answer without Lua (a replay
 * whose chat is untouched); sets *fn and *ud (see ys_model.direct). */
int ys_lua_backend_direct(lua_State *L, int idx, ys_direct_fn *fn,
                          void **ud);

/* The metric behind a ys.Metric userdata at idx, or NULL. */
ys_metric *ys_lua_metric(lua_State *L, int idx);
/* Whether idx holds an unconfigured `ys.metric "name"` (call it with no
 * arguments to get a ys.Metric with default parameters). */
int ys_lua_is_metric_factory(lua_State *L, int idx);
/* Whether idx holds a dataset made by ys.jsonl / ys.csv. */
int ys_lua_is_dataset(lua_State *L, int idx);

/* Finds root/<sub>/<name>.lua in the loader's roots. Returns owned (free
 * with free()) or NULL. */
char *ys_loader_find(const ys_loader *ld, const char *sub, const char *name);

/* Resolves a path relative to the suite's directory. Returns owned. */
char *ys_loader_resolve(const ys_loader *ld, const char *path);

#endif
