/* SPDX-License-Identifier: MIT */
/*
 * gate.h: promotion gates. A gate names a model and one check: a metric's
 * value (or its interval's bound) against min/max; "beats" or
 * "not_worse_than" another model (paired on the same samples) or a
 * baseline value; or a limit on the error rate, the cost per 1,000
 * samples or the p95 latency. Gates are evaluated over a summary document
 * and the per-task scores behind it, the same way for a run that just
 * ended and for a stored one (`yardstick gate`), and each verdict carries
 * its evidence. Uses column, paired, stats, cJSON.
 */
#ifndef YS_GATE_H
#define YS_GATE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "column.h"
#include "err.h"

typedef enum ys_gate_kind {
  YS_GATE_RANGE,      /* metric within min/max */
  YS_GATE_BEATS,      /* metric significantly above other's */
  YS_GATE_NOT_WORSE,  /* metric not below other's by more than margin */
  YS_GATE_ERROR_RATE, /* share of tasks with an error at most max */
  YS_GATE_COST,       /* cost per 1,000 samples at most max */
  YS_GATE_LATENCY     /* p95 latency of the model's calls at most max ms */
} ys_gate_kind;

typedef enum ys_gate_bound {
  YS_BOUND_VALUE,     /* the point estimate */
  YS_BOUND_LOWER,     /* the 95% interval's lower bound */
  YS_BOUND_UPPER
} ys_gate_bound;

typedef struct ys_gate {
  ys_gate_kind kind;
  char *model;
  char *metric;       /* RANGE, BEATS, NOT_WORSE: a full metric key */
  char *other;        /* BEATS, NOT_WORSE: a model or a baseline's name */
  int has_min, has_max;
  double min, max;    /* RANGE; the limits use max */
  ys_gate_bound bound;
  double alpha;       /* BEATS, NOT_WORSE: 0.05 unless set */
  double margin;      /* NOT_WORSE */
  char *where;        /* "suite.lua:30", or "" */
} ys_gate;

/* The default significance level of beats and not_worse_than. */
#define YS_GATE_ALPHA 0.05

/* Per-task scores behind a summary: for each model and metric key, a
 * column of at least ntasks values aligned on the same tasks (sample and
 * repeat) across models; NaN where the task or the metric failed (bits
 * for a run's binary keys, doubles otherwise: see column.h). present[m],
 * if not NULL, flags the tasks model m has (a stored run may lack some). */
typedef struct ys_scores {
  size_t nmodels, nkeys, ntasks;
  const char *const *models;
  const char *const *keys;
  const int *binary;                  /* per key */
  const ys_column *col;               /* col[m * nkeys + k] */
  const unsigned char *const *present; /* per model, or NULL */
} ys_scores;

/* Evaluates n gates. summary is the summary document (models with their
 * metric entries, usage and latency; baselines). Returns the verdicts as
 * a JSON array (owned), one object per gate holding its definition, its
 * evidence and "pass"; sets *failed. beats gates between two models are
 * one family: their p-values are Holm-adjusted together. */
cJSON *ys_gates_eval(const ys_gate *g, size_t n, const cJSON *summary,
                     const ys_scores *sc, uint64_t seed, int *failed);

/* Reads a gate back from a verdict (a stored summary's "gates" entry).
 * On error fills diag (file NULL) and leaves g cleared. */
ys_err ys_gate_from_json(const cJSON *verdict, ys_gate *g, ys_diag *diag)
  YS_WARN_UNUSED;

/* Frees what g holds and zeroes it. */
void ys_gate_clear(ys_gate *g);

/* One line saying what a verdict checked and found, without PASS/FAIL:
 * "candidate taxonomy_depth.level3 >= 0.9: 0.94 [0.92, 0.96], n=710".
 * Returns owned. */
char *ys_gate_describe(const cJSON *verdict);

#endif
