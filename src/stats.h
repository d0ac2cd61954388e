/* SPDX-License-Identifier: MIT */
/*
 * stats.h: the statistics behind summaries, gates and comparisons: Wilson
 * score intervals for rates, a seeded percentile bootstrap for means,
 * quantiles, McNemar's exact test and a paired bootstrap for two models on
 * the same samples, Holm's correction for several comparisons, and the
 * seeded generator all resampling uses (so every figure is reproducible
 * from --seed). Uses only libc and libm.
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

/* McNemar's exact test: two-sided p-value of b discordant pairs one way
 * and c the other (the binomial test of b in b + c at 1/2). No
 * discordant pairs gives 1. */
double ys_stats_mcnemar_exact(unsigned long b, unsigned long c);

/* Paired bootstrap of the mean of differences d[0..n): the percentile
 * interval at level (0.95) and a two-sided p-value for "the mean is 0"
 * (twice the smaller share of resampled means on either side of 0, with
 * the usual +1 so it is never 0), seeded. n = 0 gives NaN bounds and p 1. */
void ys_stats_paired_bootstrap(const double *d, size_t n, int b,
                               double level, uint64_t seed, double *lo,
                               double *hi, double *p);

/* The same for differences of -1, 0 or 1 (two binary scores) held as
 * bytes: the same draws, and the same figures as the double version on
 * the same differences, in an eighth of the memory. */
void ys_stats_paired_bootstrap_i8(const signed char *d, size_t n, int b,
                                  double level, uint64_t seed, double *lo,
                                  double *hi, double *p);

/* Holm's step-down adjustment of n p-values: adj[i] is p[i] adjusted
 * (monotone, at most 1). p and adj may be the same array. */
void ys_stats_holm(const double *p, size_t n, double *adj);

/* The standard normal quantile: x with P(Z <= x) = p, for p in (0, 1)
 * (NaN outside). 0.975 gives 1.959964. */
double ys_stats_normal_quantile(double p);

/* Quantiles of a stream in bounded memory (latencies, elapsed times).
 * The first YS_QUANT_EXACT values are kept, and their quantiles are
 * exact (as ys_stats_quantile). Past that every value goes into a
 * histogram of log-spaced buckets, each 1% wider than the one below, from
 * YS_QUANT_MIN to YS_QUANT_MAX (values outside fall in the end buckets;
 * values at or below YS_QUANT_MIN count as 0): a quantile is then
 * interpolated between the buckets of its two order statistics, each
 * standing for its bucket's midpoint, within 0.5% of the exact value. The
 * result depends on the values, not their order. About 14 KiB once past
 * the exact values. */
#define YS_QUANT_EXACT 4096
#define YS_QUANT_MIN 1e-6
#define YS_QUANT_MAX 1e9

typedef struct ys_quant {
  double *v;          /* the values while n <= YS_QUANT_EXACT, else NULL */
  size_t n, a;        /* values added; room in v */
  uint32_t *bucket;   /* the histogram, once past; else NULL */
} ys_quant;

void ys_quant_init(ys_quant *q);
void ys_quant_add(ys_quant *q, double x);
/* Quantile p in [0, 1] (type 7, as ys_stats_quantile); NaN when empty. */
double ys_quant_get(ys_quant *q, double p);
void ys_quant_cleanup(ys_quant *q);

/* A seeded generator (SplitMix64). */
typedef struct ys_rng {
  uint64_t state;
} ys_rng;

void ys_rng_seed(ys_rng *r, uint64_t seed);
uint64_t ys_rng_next(ys_rng *r);
/* Uniform integer in [0, n) without modulo bias; 0 when n is 0. */
uint64_t ys_rng_below(ys_rng *r, uint64_t n);

#endif
