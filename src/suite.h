/* SPDX-License-Identifier: MIT */
/*
 * suite.h: loading a suite file into its Lua state and checking it. The
 * result holds everything the runner needs: the dataset to read, the id
 * field, the prompt (templates or a function), the models in the order
 * they were written, the metrics, baselines and gates. Any mistake is a
 * YS_ERR_SUITE whose message starts with the suite's file:line where one is
 * known. Uses lua_host, lua_lib_ys, metric, model, template, dataset.
 */
#ifndef YS_SUITE_H
#define YS_SUITE_H

#include <lua.h>

#include "dataset.h"
#include "gate.h"
#include "metric.h"
#include "model.h"
#include "template.h"

typedef struct ys_baseline {
  char *name;
  char *metric; /* a full metric key, e.g. "taxonomy_depth.level3" */
  double value;
} ys_baseline;


typedef struct ys_suite {
  lua_State *L;
  char *path;        /* as given */
  char *name;
  char *description;
  char sha256[65];
  char *dataset_path; /* resolved */
  char *dataset_name; /* as written in the suite */
  ys_dataset_opts dataset_opts;
  char *id_field;
  ys_template *system_tpl; /* may be NULL */
  ys_template *user_tpl;   /* may be NULL */
  int prompt_ref;          /* prompt function, or LUA_NOREF */
  int evaluate_ref;        /* evaluate function, or LUA_NOREF */
  int models_ref;          /* table name -> ys.Model, for ctx.models */
  int table_ref;           /* the suite table (keeps the metrics alive) */
  ys_model **models;       /* the participants, evaluated */
  size_t nmodels;
  ys_model **helpers;      /* models only called by others (judges,
                            * simulated users): ctx.models, ctx:chat */
  size_t nhelpers;
  ys_metric **metrics;     /* owned by userdata in L */
  size_t nmetrics;
  ys_baseline *baselines;
  size_t nbaselines;
  ys_gate *gates;
  size_t ngates;
  double max_error_rate;
  int repeat;              /* suite's repeat = K; 1 by default */
  void *loader;            /* loading context; lives as long as L */
} ys_suite;

typedef struct ys_suite_opts {
  const char *search_path; /* ':'-separated extra plugin roots, or NULL */
  ys_lua_log_fn log;
  void *log_ud;
} ys_suite_opts;

/* Loads and checks the suite at path. Errors: YS_ERR_SUITE (message with
 * file:line), YS_ERR_USAGE (cannot read the suite file), YS_ERR_DATA (a
 * data file read while loading, such as a replay or training file, is
 * wrong), YS_ERR_NOMEM. */
ys_err ys_suite_load(const char *path, const ys_suite_opts *opts,
                     ys_suite **out, ys_diag *diag) YS_WARN_UNUSED;

/* The participant or helper called name, or NULL. */
ys_model *ys_suite_find_model(const ys_suite *s, const char *name);

/* Index of the participant called name, or -1. */
int ys_suite_model_index(const ys_suite *s, const char *name);

/* Whether key names a score of one of the suite's metrics. */
int ys_suite_has_metric_key(const ys_suite *s, const char *key);

/* The plugin roots searched, in order (for `yardstick metrics`). Returns a
 * NULL-terminated owned array (free with ys_suite_free_roots). */
char **ys_suite_roots(const char *suite_dir, const char *search_path,
                      size_t *n);
void ys_suite_free_roots(char **roots, size_t n);

void ys_suite_free(ys_suite *s);

#endif
