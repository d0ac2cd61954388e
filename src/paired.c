/* SPDX-License-Identifier: MIT */
/*
 * paired.c: the paired comparison of two score columns. The binary case
 * resamples byte-sized differences: a million pairs cost 1 MB while a
 * gate is evaluated, not 8.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"
#include "stats.h"
#include "xalloc.h"

void ys_paired_compare_columns(const ys_column *a, const unsigned char *pa,
                               const ys_column *b, const unsigned char *pb,
                               size_t ntasks, int binary, double level,
                               uint64_t seed, ys_paired *out)
{
  memset(out, 0, sizeof(*out));
  out->method = binary ? "mcnemar" : "paired bootstrap";
  /* Binary differences are -1, 0 or 1: a byte each is enough. */
  signed char *d8 = NULL;
  double *d = NULL;
  if(binary)
    d8 = ys_xmalloc(ntasks ? ntasks : 1);
  else
    d = ys_xmalloc((ntasks ? ntasks : 1) * sizeof(double));
  double sa = 0, sb = 0;
  size_t n = 0;
  for(size_t t = 0; t < ntasks; t++) {
    if((pa && !pa[t]) || (pb && !pb[t]))
      continue;
    double x = ys_column_at(a, t), y = ys_column_at(b, t);
    if(binary) {
      /* An errored or unscored task fails, as in the summary's rate. */
      x = isnan(x) ? 0 : x > 0;
      y = isnan(y) ? 0 : y > 0;
      d8[n] = (signed char)(x - y);
    }
    else if(isnan(x) || isnan(y))
      continue;
    else
      d[n] = x - y;
    n++;
    sa += x;
    sb += y;
    if(x > y)
      out->wins++;
    else if(x < y)
      out->losses++;
  }
  out->n = n;
  out->mean_a = n ? sa / (double)n : NAN;
  out->mean_b = n ? sb / (double)n : NAN;
  out->diff = n ? (sa - sb) / (double)n : NAN;
  double pboot;
  if(binary)
    ys_stats_paired_bootstrap_i8(d8, n, YS_PAIRED_RESAMPLES, level, seed,
                                 &out->lo, &out->hi, &pboot);
  else
    ys_stats_paired_bootstrap(d, n, YS_PAIRED_RESAMPLES, level, seed,
                              &out->lo, &out->hi, &pboot);
  out->p = binary ? ys_stats_mcnemar_exact(out->wins, out->losses) : pboot;
  free(d8);
  free(d);
}

void ys_paired_compare(const double *a, const unsigned char *pa,
                       const double *b, const unsigned char *pb,
                       size_t ntasks, int binary, double level,
                       uint64_t seed, ys_paired *out)
{
  ys_column ca = ys_column_view(a, ntasks), cb = ys_column_view(b, ntasks);
  ys_paired_compare_columns(&ca, pa, &cb, pb, ntasks, binary, level, seed,
                            out);
}

uint64_t ys_paired_seed(uint64_t seed, const char *a, const char *b,
                        const char *key)
{
  /* FNV-1a over the names, each ended by a NUL so "ab"+"c" != "a"+"bc";
   * the two models in a fixed order, so a gate (a vs b) and compare (b
   * vs a) resample alike. */
  uint64_t h = 0xcbf29ce484222325ull;
  if(a && b && strcmp(a, b) > 0) {
    const char *t = a;
    a = b;
    b = t;
  }
  const char *parts[3] = { a, b, key };
  for(int i = 0; i < 3; i++) {
    for(const char *p = parts[i] ? parts[i] : ""; ; p++) {
      h ^= (unsigned char)*p;
      h *= 0x100000001b3ull;
      if(!*p)
        break;
    }
  }
  return seed ^ h;
}
