/* SPDX-License-Identifier: MIT */
/*
 * summary.h: what a run adds up to. Task results are added in dataset
 * order (whatever order they finished in), so every figure is identical
 * at any concurrency. Keeps per task one bit per binary score and one
 * double per continuous score (column.h), and the latencies in bounded
 * quantile estimators (stats.h); builds summary.json's content: per model
 * and metric n, scored, errors, the aggregate, a 95% interval (Wilson for
 * binary metrics, seeded bootstrap for others), usage, cost and latency
 * percentiles; baselines; and each gate's verdict with its evidence.
 * Uses suite, metric, column, stats, cJSON.
 */
#ifndef YS_SUMMARY_H
#define YS_SUMMARY_H

#include <cjson/cJSON.h>

#include "sched.h"
#include "suite.h"

typedef struct ys_summary ys_summary;

ys_summary *ys_summary_new(const ys_suite *s, uint64_t seed);
void ys_summary_free(ys_summary *sm);

/* Total number of scores per task (sum of the metrics' keys). */
size_t ys_summary_nkeys(const ys_summary *sm);

/* Adds a task: model index, whether the evaluation succeeded, its scores
 * (NaN where a metric failed; ignored when !ok), its usage, the usage of
 * model calls its metrics made (a judge), and its time from start to
 * end. */
void ys_summary_add(ys_summary *sm, size_t model, int ok,
                    const double *scores, const ys_usage *usage,
                    const ys_usage *judge_usage, double elapsed_ms);

/* Builds the summary document. Custom aggregates call back into the
 * metric plugins; their errors are reported in the document. Returns owned
 * (free with cJSON_Delete). */
cJSON *ys_summary_build(ys_summary *sm);

/* After ys_summary_build: failed gates, tasks with any error, tasks. */
int ys_summary_gates_failed(const ys_summary *sm);
long ys_summary_failed_tasks(const ys_summary *sm);
long ys_summary_tasks(const ys_summary *sm);
long ys_summary_scored(const ys_summary *sm);

#endif
