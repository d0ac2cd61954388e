/* SPDX-License-Identifier: MIT */
/*
 * stats.c: intervals, quantiles and paired tests. The bootstraps
 * accumulate each resample's mean in a fixed order, so the same seed and
 * data give the same bounds on every machine. McNemar's exact p-value
 * sums binomial terms in log space, so it holds for millions of pairs.
 * Quantiles of long streams come from a log histogram of fixed size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "xalloc.h"

void ys_rng_seed(ys_rng *r, uint64_t seed)
{
  r->state = seed;
}

uint64_t ys_rng_next(ys_rng *r)
{
  uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t ys_rng_below(ys_rng *r, uint64_t n)
{
  if(n == 0)
    return 0;
  /* Lemire's rejection on the low part of a 64x64 multiply would need
   * 128-bit arithmetic; plain rejection sampling is portable. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do
    x = ys_rng_next(r);
  while(x >= limit);
  return x % n;
}

void ys_stats_wilson(double k, double n, double z, double *lo, double *hi)
{
  if(n <= 0) {
    *lo = 0;
    *hi = 1;
    return;
  }
  double p = k / n;
  double z2 = z * z;
  double den = 1 + z2 / n;
  double center = (p + z2 / (2 * n)) / den;
  double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
  *lo = k <= 0 || center - half < 0 ? 0 : center - half;
  *hi = k >= n || center + half > 1 ? 1 : center + half;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double ys_stats_quantile(double *v, size_t n, double q)
{
  if(!n)
    return NAN;
  qsort(v, n, sizeof(double), cmp_double);
  double h = (double)(n - 1) * q;
  size_t i = (size_t)floor(h);
  if(i + 1 >= n)
    return v[n - 1];
  return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

void ys_stats_bootstrap_mean(const double *v, size_t n, int b, double level,
                             uint64_t seed, double *lo, double *hi)
{
  if(!n || b < 2) {
    *lo = *hi = NAN;
    return;
  }
  double *means = ys_xmalloc((size_t)b * sizeof(double));
  ys_rng r;
  ys_rng_seed(&r, seed);
  for(int i = 0; i < b; i++) {
    double sum = 0;
    for(size_t k = 0; k < n; k++)
      sum += v[ys_rng_below(&r, n)];
    means[i] = sum / (double)n;
  }
  double a = (1 - level) / 2;
  *lo = ys_stats_quantile(means, (size_t)b, a);
  *hi = ys_stats_quantile(means, (size_t)b, 1 - a);
  free(means);
}

double ys_stats_mcnemar_exact(unsigned long b, unsigned long c)
{
  unsigned long n = b + c, k = b < c ? b : c;
  if(n == 0)
    return 1;
  /* P(X <= k) for X ~ Bin(n, 1/2), the terms added smallest first. */
  double ln2 = log(2.0), lgn = lgamma((double)n + 1), sum = 0;
  for(unsigned long i = 0; i <= k; i++)
    sum += exp(lgn - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
               (double)n * ln2);
  double p = 2 * sum;
  return p > 1 ? 1 : p;
}

/* The interval and p-value from b resampled means (sorted in place). */
static void paired_finish(double *means, int b, double level, long below,
                          long above, double *lo, double *hi, double *p)
{
  double a = (1 - level) / 2;
  *lo = ys_stats_quantile(means, (size_t)b, a);
  *hi = ys_stats_quantile(means, (size_t)b, 1 - a);
  long side = below < above ? below : above;
  *p = 2 * ((double)side + 1) / ((double)b + 1);
  if(*p > 1)
    *p = 1;
  free(means);
}

void ys_stats_paired_bootstrap(const double *d, size_t n, int b,
                               double level, uint64_t seed, double *lo,
                               double *hi, double *p)
{
  if(!n || b < 2) {
    *lo = *hi = NAN;
    *p = 1;
    return;
  }
  double *means = ys_xmalloc((size_t)b * sizeof(double));
  ys_rng r;
  ys_rng_seed(&r, seed);
  long below = 0, above = 0;
  for(int i = 0; i < b; i++) {
    double sum = 0;
    for(size_t k = 0; k < n; k++)
      sum += d[ys_rng_below(&r, n)];
    means[i] = sum / (double)n;
    below += means[i] <= 0;
    above += means[i] >= 0;
  }
  paired_finish(means, b, level, below, above, lo, hi, p);
}

void ys_stats_paired_bootstrap_i8(const signed char *d, size_t n, int b,
                                  double level, uint64_t seed, double *lo,
                                  double *hi, double *p)
{
  if(!n || b < 2) {
    *lo = *hi = NAN;
    *p = 1;
    return;
  }
  double *means = ys_xmalloc((size_t)b * sizeof(double));
  ys_rng r;
  ys_rng_seed(&r, seed);
  long below = 0, above = 0;
  for(int i = 0; i < b; i++) {
    /* The same draws as the double version; a sum of small integers is
     * exact either way, so the means are the same to the last bit. */
    int64_t sum = 0;
    for(size_t k = 0; k < n; k++)
      sum += d[ys_rng_below(&r, n)];
    means[i] = (double)sum / (double)n;
    below += means[i] <= 0;
    above += means[i] >= 0;
  }
  paired_finish(means, b, level, below, above, lo, hi, p);
}

/* {====== bounded quantiles ====== */

#define GAMMA 1.01
/* Bucket 0 holds what is at most YS_QUANT_MIN; bucket i > 0 holds
 * (MIN * GAMMA^(i-1), MIN * GAMMA^i], up to past YS_QUANT_MAX
 * (ln(1e15) / ln(1.01) = 3471.1). */
#define NBUCKETS 3473

static size_t bucket_of(double x)
{
  if(!(x > YS_QUANT_MIN))
    return 0;
  double i = ceil(log(x / YS_QUANT_MIN) / log(GAMMA));
  return i < 1 ? 1 : i > NBUCKETS - 1 ? NBUCKETS - 1 : (size_t)i;
}

/* The value a bucket stands for: the harmonic mean of its bounds, at
 * most (GAMMA - 1) / (GAMMA + 1) (0.5%) from any value in it. */
static double bucket_value(size_t i)
{
  return i ? 2 * YS_QUANT_MIN * pow(GAMMA, (double)i) / (1 + GAMMA) : 0;
}

/* The value of the r-th smallest (from 0) of the histogram's values. */
static double rank_value(const uint32_t *b, size_t r)
{
  size_t cum = 0;
  for(size_t i = 0; i < NBUCKETS; i++) {
    cum += b[i];
    if(r < cum)
      return bucket_value(i);
  }
  return bucket_value(NBUCKETS - 1);
}

void ys_quant_init(ys_quant *q)
{
  memset(q, 0, sizeof(*q));
}

void ys_quant_add(ys_quant *q, double x)
{
  if(q->bucket) {
    q->bucket[bucket_of(x)]++;
    q->n++;
    return;
  }
  if(q->n == YS_QUANT_EXACT) {
    q->bucket = ys_xcalloc(NBUCKETS, sizeof(uint32_t));
    for(size_t i = 0; i < q->n; i++)
      q->bucket[bucket_of(q->v[i])]++;
    free(q->v);
    q->v = NULL;
    q->a = 0;
    q->bucket[bucket_of(x)]++;
    q->n++;
    return;
  }
  if(q->n == q->a) {
    q->a = q->a ? q->a * 2 : 64;
    q->v = ys_xrealloc(q->v, q->a * sizeof(double));
  }
  q->v[q->n++] = x;
}

double ys_quant_get(ys_quant *q, double p)
{
  if(!q->bucket)
    return ys_stats_quantile(q->v, q->n, p);
  /* Type 7 as ys_stats_quantile, on the buckets' values. */
  double h = (double)(q->n - 1) * p;
  size_t i = (size_t)floor(h);
  double lo = rank_value(q->bucket, i);
  if(i + 1 >= q->n)
    return lo;
  return lo + (h - (double)i) * (rank_value(q->bucket, i + 1) - lo);
}

void ys_quant_cleanup(ys_quant *q)
{
  free(q->v);
  free(q->bucket);
  ys_quant_init(q);
}

/* }====== */

typedef struct ranked {
  double p;
  size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
  const ranked *x = a, *y = b;
  if(x->p != y->p)
    return (x->p > y->p) - (x->p < y->p);
  return (x->i > y->i) - (x->i < y->i);
}

void ys_stats_holm(const double *p, size_t n, double *adj)
{
  if(!n)
    return;
  ranked *r = ys_xmalloc(n * sizeof(ranked));
  for(size_t i = 0; i < n; i++)
    r[i] = (ranked){ p[i], i };
  qsort(r, n, sizeof(ranked), cmp_ranked);
  double run = 0;
  for(size_t j = 0; j < n; j++) {
    double v = (double)(n - j) * r[j].p;
    if(v > 1)
      v = 1;
    if(v > run)
      run = v;
    adj[r[j].i] = run;
  }
  free(r);
}

double ys_stats_normal_quantile(double p)
{
  if(!(p > 0 && p < 1))
    return NAN;
  /* Acklam's rational approximation (relative error 1.15e-9), then one
   * Halley step on erfc for full double precision. */
  static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
                              -2.759285104469687e+02, 1.383577518672690e+02,
                              -3.066479806614716e+01, 2.506628277459239e+00 };
  static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
                              -1.556989798598866e+02, 6.680131188771972e+01,
                              -1.328068155288572e+01 };
  static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
                              -2.400758277161838e+00, -2.549732539343734e+00,
                              4.374664141464968e+00, 2.938163982698783e+00 };
  static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
                              2.445134137142996e+00, 3.754408661907416e+00 };
  double x, q, r;
  if(p < 0.02425) {
    q = sqrt(-2 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
         c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  else if(p > 1 - 0.02425) {
    q = sqrt(-2 * log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
          c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  else {
    q = p - 0.5;
    r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r +
         a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r +
                       b[4]) * r + 1);
  }
  double e = 0.5 * erfc(-x / sqrt(2)) - p;
  double u = e * 2.5066282746310002 * exp(x * x / 2); /* sqrt(2 pi) */
  return x - u / (1 + x * u / 2);
}
