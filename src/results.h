/* SPDX-License-Identifier: MIT */
/*
 * results.h: a finished run read back from its directory (manifest.json,
 * summary.json, samples.jsonl), for what comes after a run: re-evaluating
 * gates, comparing runs and models, reports and cost projections. Tasks
 * are aligned on (sample id, repeat) across models, in the order of first
 * appearance, so every model's scores line up for paired statistics. Bad
 * files are errors naming the file and line. Uses gate (ys_scores), hash,
 * cJSON.
 */
#ifndef YS_RESULTS_H
#define YS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "gate.h"

/* Outputs kept per task for comparisons and reports are cut to this many
 * bytes (the full text stays in samples.jsonl). */
#define YS_RESULTS_OUTPUT_MAX 2000

typedef struct ys_task_result {
  char *output;   /* the output as text (JSON for non-strings), cut; or NULL */
  char *error;    /* the task's error, or NULL */
  double cost, latency_ms;
} ys_task_result;

struct ys_results {
  char *dir;
  cJSON *manifest;
  cJSON *summary;
  uint64_t seed;         /* the run's --seed */
  size_t nmodels, nkeys, ntasks;
  char **models;         /* as in summary.json */
  char **keys;           /* metric keys, as in summary.json */
  int *binary;           /* per key */
  char **task_ids;       /* per task */
  int *task_repeat;      /* per task, from 1 */
  double *values;        /* [(m * nkeys + k) * ntasks + t]; NaN: none */
  unsigned char *present;/* [m * ntasks + t] */
  ys_task_result *tasks; /* [m * ntasks + t] */
  ys_column *cols;       /* views of values, for scores */
  unsigned char **present_rows;
  ys_scores scores;      /* the view gates and comparisons take */
};

/* The column of model m, key k (ntasks values). */
const double *ys_results_column(const ys_results *r, size_t m, size_t k);

/* Index of a model or a key, or -1. */
long ys_results_model(const ys_results *r, const char *name);
long ys_results_key(const ys_results *r, const char *key);

#endif
