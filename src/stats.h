/* SPDX-License-Identifier: MIT */
/*
 * stats.h: the statistics behind summaries and gates: Wilson score
 * intervals for rates, a seeded percentile bootstrap for means, quantiles,
 * and the seeded generator all resampling uses (so every figure is
 * reproducible from --seed). Uses only libc and libm.
 */
#ifndef YS_STATS_H
#define YS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Wilson score interval for k successes in n trials at the normal
 * quantile z (1.959964 for 95%). n = 0 gives [0, 1]. */
void ys_stats_wilson(double k, double n, double z, double *lo, double *hi);

/* Percentile bootstrap interval of the mean of v[0..n) with b resamples
 * at level (0.95), seeded. n = 0 gives NaN bounds. */
void ys_stats_bootstrap_mean(const double *v, size_t n, int b, double level,
                             uint64_t seed, double *lo, double *hi);

/* Quantile q in [0, 1] of v[0..n) by linear interpolation between order
 * statistics (type 7, as R and NumPy default). Sorts v in place. */
double ys_stats_quantile(double *v, size_t n, double q);

/* A seeded generator (SplitMix64). */
typedef struct ys_rng {
  uint64_t state;
} ys_rng;

void ys_rng_seed(ys_rng *r, uint64_t seed);
uint64_t ys_rng_next(ys_rng *r);
/* Uniform integer in [0, n) without modulo bias; 0 when n is 0. */
uint64_t ys_rng_below(ys_rng *r, uint64_t n);

#endif
