/* SPDX-License-Identifier: MIT */
/*
 * paired.h: two models compared on the same samples. Given two columns of
 * per-task scores aligned on the same tasks, gives the difference of the
 * means with its interval and a two-sided p-value: McNemar's exact test
 * for pass/fail scores (an errored task counts as a failure, as in the
 * summary), a paired bootstrap for continuous ones (pairs where either is
 * unscored are left out). Used by gates and by `yardstick compare`. Uses
 * column, stats.
 */
#ifndef YS_PAIRED_H
#define YS_PAIRED_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"

/* Resamples behind every paired interval and bootstrap p-value. */
#define YS_PAIRED_RESAMPLES 2000

typedef struct ys_paired {
  size_t n;            /* pairs compared */
  double mean_a, mean_b;
  double diff;         /* mean_a - mean_b over the pairs */
  double lo, hi;       /* the difference's interval at the level asked */
  double p;            /* two-sided p-value of "no difference" */
  unsigned long wins;  /* pairs where a scored higher */
  unsigned long losses;/* pairs where b scored higher */
  const char *method;  /* "mcnemar" or "paired bootstrap" */
} ys_paired;

/* Compares columns a and b (ntasks values each; NaN: not scored). pa and
 * pb flag the tasks each model has (NULL: all); tasks missing from either
 * are left out. seed makes the resampling reproducible. */
void ys_paired_compare(const double *a, const unsigned char *pa,
                       const double *b, const unsigned char *pb,
                       size_t ntasks, int binary, double level,
                       uint64_t seed, ys_paired *out);

/* The same on columns (ntasks values each, at most the columns' n). A
 * binary comparison reads its columns in place and holds one byte per
 * pair while it resamples; a continuous one, a double per pair. */
void ys_paired_compare_columns(const ys_column *a, const unsigned char *pa,
                               const ys_column *b, const unsigned char *pb,
                               size_t ntasks, int binary, double level,
                               uint64_t seed, ys_paired *out);

/* A seed for one comparison from the run's seed and the names compared
 * (in either order), so a gate's figures depend neither on the order
 * gates are listed nor on which model comes first. */
uint64_t ys_paired_seed(uint64_t seed, const char *a, const char *b,
                        const char *key);

#endif
