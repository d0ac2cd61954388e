/* SPDX-License-Identifier: MIT */
/*
 * check_stats.c: unit tests for the statistics behind summaries and gates
 * (stats.h): Wilson intervals against published values, type-7 quantiles
 * against NumPy's default, the seeded percentile bootstrap, McNemar's
 * exact test, Holm's adjustment and the paired bootstrap (on doubles and
 * on bytes), the bounded quantile estimator against exact quantiles, and
 * the SplitMix64 generator against its published sequence. Uses Check and
 * libm; run by `make check`.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define Z95 1.959964

/* {====== Wilson interval ====== */

/* Reference intervals for z = 1.959964. 81/263, 15/148, 0/20 and 1/29 are
 * the worked examples of Newcombe, "Two-sided confidence intervals for the
 * single proportion: comparison of seven methods", Stat. Med. 17:857-872
 * (1998), score method without continuity correction (81/263 gives
 * 0.2553-0.3662 there). All values below were recomputed to 10 places
 * with the textbook formula (Wilson 1927),
 *   (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),
 * in Python, independently of stats.c. */
static const struct {
  double k, n, lo, hi;
} wilson_ref[] = {
  { 81, 263, 0.2552885195, 0.3662095775 },
  { 15, 148, 0.0623863993, 0.1604872423 },
  { 0, 20, 0.0, 0.1611251602 },
  { 1, 29, 0.0061132142, 0.1717552204 },
  { 20, 20, 0.8388748398, 1.0 },
  { 5, 10, 0.2365930890, 0.7634069110 },
  { 0, 1, 0.0, 0.7934506882 },
  { 1, 1, 0.2065493118, 1.0 },
};

START_TEST(test_stats_wilson_matches_published_values)
{
  for(size_t i = 0; i < sizeof(wilson_ref) / sizeof(wilson_ref[0]); i++) {
    double lo = -1, hi = -1;
    ys_stats_wilson(wilson_ref[i].k, wilson_ref[i].n, Z95, &lo, &hi);
    ck_assert_msg(fabs(lo - wilson_ref[i].lo) < 1e-9 &&
                  fabs(hi - wilson_ref[i].hi) < 1e-9,
                  "%g/%g: got [%.10f, %.10f], want [%.10f, %.10f]",
                  wilson_ref[i].k, wilson_ref[i].n, lo, hi,
                  wilson_ref[i].lo, wilson_ref[i].hi);
  }
}
END_TEST

START_TEST(test_stats_wilson_81_of_263_to_four_places)
{
  /* Newcombe (1998): 0.2553 to 0.3662. */
  double lo, hi;
  ys_stats_wilson(81, 263, Z95, &lo, &hi);
  ck_assert_double_eq_tol(lo, 0.2553, 0.00005);
  ck_assert_double_eq_tol(hi, 0.3662, 0.00005);
}
END_TEST

START_TEST(test_stats_wilson_no_trials_is_whole_range)
{
  double lo = -1, hi = -1;
  ys_stats_wilson(0, 0, Z95, &lo, &hi);
  ck_assert(lo == 0.0);
  ck_assert(hi == 1.0);
}
END_TEST

START_TEST(test_stats_wilson_zero_successes_starts_at_zero)
{
  /* With k = 0 the lower bound is 0 exactly (p = 0 lies in the interval);
   * rounding must not leave it a hair above, as in 0/69 or 0/125. */
  for(int n = 1; n <= 1000; n++) {
    double lo, hi;
    ys_stats_wilson(0, n, Z95, &lo, &hi);
    ck_assert_msg(lo == 0.0, "0/%d: lo = %.17g", n, lo);
    ck_assert(hi > 0.0 && hi < 1.0);
  }
}
END_TEST

START_TEST(test_stats_wilson_all_successes_ends_at_one)
{
  /* With k = n the upper bound is 1 exactly (p = 1 lies in the
   * interval); rounding must not leave it at 1 - 2^-53, as in 4/4. */
  for(int n = 1; n <= 1000; n++) {
    double lo, hi;
    ys_stats_wilson(n, n, Z95, &lo, &hi);
    ck_assert_msg(hi == 1.0, "%d/%d: hi = %.17g", n, n, hi);
    ck_assert(lo > 0.0 && lo < 1.0);
  }
}
END_TEST

START_TEST(test_stats_wilson_brackets_the_rate_within_unit_range)
{
  for(int n = 1; n <= 60; n++)
    for(int k = 0; k <= n; k++) {
      double lo, hi, p = (double)k / n;
      ys_stats_wilson(k, n, Z95, &lo, &hi);
      ck_assert_msg(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0,
                    "%d/%d: [%g, %g]", k, n, lo, hi);
    }
}
END_TEST

START_TEST(test_stats_wilson_is_symmetric_in_successes_and_failures)
{
  double lo1, hi1, lo2, hi2;
  ys_stats_wilson(81, 263, Z95, &lo1, &hi1);
  ys_stats_wilson(263 - 81, 263, Z95, &lo2, &hi2);
  ck_assert_double_eq_tol(lo1, 1 - hi2, 1e-12);
  ck_assert_double_eq_tol(hi1, 1 - lo2, 1e-12);
}
END_TEST

START_TEST(test_stats_wilson_width_follows_z)
{
  double lo0, hi0, lo1, hi1, lo2, hi2;
  ys_stats_wilson(30, 100, 0.0, &lo0, &hi0);
  ck_assert_double_eq_tol(lo0, 0.3, 1e-12);
  ck_assert_double_eq_tol(hi0, 0.3, 1e-12);
  ys_stats_wilson(30, 100, 1.644854, &lo1, &hi1); /* 90% */
  ys_stats_wilson(30, 100, 2.575829, &lo2, &hi2); /* 99% */
  ck_assert(lo2 < lo1 && hi1 < hi2);
}
END_TEST

/* }====== */

/* {====== quantile ====== */

/* References from NumPy's default method ("linear", Hyndman and Fan type
 * 7): h = (n - 1) q, v[floor h] + (h - floor h)(v[floor h + 1] - v[floor
 * h]). No NumPy here: recomputed with a hand-written type 7 in Python and
 * cross-checked with Python's statistics.quantiles(method="inclusive"),
 * which is the same method. */
START_TEST(test_stats_quantile_matches_type_7)
{
  static const struct {
    double q, want;
  } ref[] = {
    { 0.0, 1.0 }, { 0.1, 1.6 }, { 0.25, 2.5 }, { 0.5, 4.0 },
    { 0.75, 8.0 }, { 0.9, 11.4 }, { 1.0, 15.0 },
  };
  for(size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
    double v[] = { 7, 1, 3, 9, 4, 15, 2 };
    double got = ys_stats_quantile(v, 7, ref[i].q);
    ck_assert_msg(fabs(got - ref[i].want) < 1e-12, "q=%g: got %.17g",
                  ref[i].q, got);
  }
}
END_TEST

START_TEST(test_stats_quantile_even_count_interpolates)
{
  /* numpy.quantile([1, 2, 3, 4], [.25, .5, .75, .9]) =
   * [1.75, 2.5, 3.25, 3.7]. */
  const double q[] = { 0.25, 0.5, 0.75, 0.9 };
  const double want[] = { 1.75, 2.5, 3.25, 3.7 };
  for(int i = 0; i < 4; i++) {
    double v[] = { 4, 3, 2, 1 };
    ck_assert_double_eq_tol(ys_stats_quantile(v, 4, q[i]), want[i], 1e-12);
  }
}
END_TEST

START_TEST(test_stats_quantile_single_value)
{
  double v[] = { -2.5 };
  ck_assert(ys_stats_quantile(v, 1, 0.0) == -2.5);
  ck_assert(ys_stats_quantile(v, 1, 0.5) == -2.5);
  ck_assert(ys_stats_quantile(v, 1, 1.0) == -2.5);
}
END_TEST

START_TEST(test_stats_quantile_with_ties_and_negatives)
{
  double v[] = { 2, -1, 2, 2, -3 };
  /* Sorted: -3 -1 2 2 2; h = 4q. */
  ck_assert_double_eq_tol(ys_stats_quantile(v, 5, 0.125), -2.0, 1e-12);
  ck_assert(ys_stats_quantile(v, 5, 0.5) == 2.0);
  ck_assert(ys_stats_quantile(v, 5, 0.0) == -3.0);
}
END_TEST

START_TEST(test_stats_quantile_sorts_in_place)
{
  double v[] = { 5, 3, 9, 1, 7, 3 };
  ys_stats_quantile(v, 6, 0.5);
  const double want[] = { 1, 3, 3, 5, 7, 9 };
  for(int i = 0; i < 6; i++)
    ck_assert(v[i] == want[i]);
}
END_TEST

/* }====== */

/* {====== bootstrap ====== */

static const double sample[] = { 0, 1, 1, 0, 1, 0.5, 0.25, 1 };
#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

START_TEST(test_stats_bootstrap_same_seed_same_bounds)
{
  double lo1, hi1, lo2, hi2;
  ys_stats_bootstrap_mean(sample, NSAMPLE, 1000, 0.95, 42, &lo1, &hi1);
  ys_stats_bootstrap_mean(sample, NSAMPLE, 1000, 0.95, 42, &lo2, &hi2);
  ck_assert(lo1 == lo2);
  ck_assert(hi1 == hi2);
}
END_TEST

START_TEST(test_stats_bootstrap_different_seed_different_bounds)
{
  /* A 300-value sample has enough distinct means that two seeds giving
   * equal bounds on both sides is vanishingly unlikely. */
  double v[300];
  for(int i = 0; i < 300; i++)
    v[i] = (double)((i * 37) % 101) / 7.0;
  double lo1, hi1, lo2, hi2;
  ys_stats_bootstrap_mean(v, 300, 500, 0.95, 1, &lo1, &hi1);
  ys_stats_bootstrap_mean(v, 300, 500, 0.95, 2, &lo2, &hi2);
  ck_assert(lo1 != lo2 || hi1 != hi2);
}
END_TEST

START_TEST(test_stats_bootstrap_interval_contains_mean)
{
  const double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  double lo, hi;
  ys_stats_bootstrap_mean(v, 10, 2000, 0.95, 7, &lo, &hi);
  ck_assert_msg(1 <= lo && lo < 5.5 && 5.5 < hi && hi <= 10,
                "[%g, %g]", lo, hi);
}
END_TEST

START_TEST(test_stats_bootstrap_constant_sample_has_zero_width)
{
  const double v[] = { 0.75, 0.75, 0.75, 0.75 };
  double lo, hi;
  ys_stats_bootstrap_mean(v, 4, 200, 0.95, 3, &lo, &hi);
  ck_assert_double_eq_tol(lo, 0.75, 1e-12);
  ck_assert_double_eq_tol(hi, 0.75, 1e-12);
}
END_TEST

START_TEST(test_stats_bootstrap_empty_sample_is_nan)
{
  double lo = 0, hi = 0;
  ys_stats_bootstrap_mean(NULL, 0, 1000, 0.95, 1, &lo, &hi);
  ck_assert(isnan(lo));
  ck_assert(isnan(hi));
}
END_TEST

START_TEST(test_stats_bootstrap_higher_level_is_wider)
{
  double lo80, hi80, lo99, hi99;
  ys_stats_bootstrap_mean(sample, NSAMPLE, 1000, 0.80, 9, &lo80, &hi80);
  ys_stats_bootstrap_mean(sample, NSAMPLE, 1000, 0.99, 9, &lo99, &hi99);
  ck_assert(lo99 <= lo80 && hi80 <= hi99);
  ck_assert(lo99 < lo80 || hi80 < hi99);
}
END_TEST

START_TEST(test_stats_bootstrap_leaves_input_alone)
{
  double v[] = { 3, 1, 2 };
  double lo, hi;
  ys_stats_bootstrap_mean(v, 3, 100, 0.95, 1, &lo, &hi);
  ck_assert(v[0] == 3 && v[1] == 1 && v[2] == 2);
}
END_TEST

START_TEST(test_stats_bootstrap_is_reproducible_across_versions)
{
  /* Figures must be reproducible from --seed, so the resampling sequence
   * is pinned: a Python reimplementation (SplitMix64, rejection sampling
   * for indices, means summed in draw order, type-7 quantiles) gives
   * these bounds for this sample, b = 1000, level 0.95, seed 42. */
  double lo, hi;
  ys_stats_bootstrap_mean(sample, NSAMPLE, 1000, 0.95, 42, &lo, &hi);
  ck_assert_double_eq_tol(lo, 0.3125, 1e-12);
  ck_assert_double_eq_tol(hi, 0.8757812499999993, 1e-12);
  const double v[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
  ys_stats_bootstrap_mean(v, 8, 2000, 0.9, 7, &lo, &hi);
  ck_assert_double_eq_tol(lo, 2.5, 1e-12);
  ck_assert_double_eq_tol(hi, 5.5, 1e-12);
}
END_TEST

/* }====== */

/* {====== rng ====== */

START_TEST(test_rng_matches_splitmix64_reference)
{
  /* Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five
   * outputs for seed 1234567. */
  static const uint64_t want[] = {
    UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
    UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
    UINT64_C(16408922859458223821),
  };
  ys_rng r;
  ys_rng_seed(&r, 1234567);
  for(int i = 0; i < 5; i++)
    ck_assert_uint_eq(ys_rng_next(&r), want[i]);
}
END_TEST

START_TEST(test_rng_same_seed_same_sequence)
{
  ys_rng a, b;
  ys_rng_seed(&a, 99);
  ys_rng_seed(&b, 99);
  for(int i = 0; i < 100; i++)
    ck_assert_uint_eq(ys_rng_next(&a), ys_rng_next(&b));
  /* Re-seeding restarts the sequence. */
  ys_rng_seed(&b, 99);
  ys_rng_seed(&a, 99);
  uint64_t first = ys_rng_next(&a);
  ck_assert_uint_eq(ys_rng_next(&b), first);
}
END_TEST

START_TEST(test_rng_different_seed_different_sequence)
{
  ys_rng a, b;
  ys_rng_seed(&a, 1);
  ys_rng_seed(&b, 2);
  int same = 0;
  for(int i = 0; i < 100; i++)
    same += ys_rng_next(&a) == ys_rng_next(&b);
  ck_assert_int_eq(same, 0);
}
END_TEST

START_TEST(test_rng_below_stays_in_range)
{
  const uint64_t ns[] = { 1, 2, 3, 7, 10, 1000, UINT64_C(1) << 32,
                          (UINT64_C(1) << 63) + 1, UINT64_MAX };
  ys_rng r;
  ys_rng_seed(&r, 5);
  for(size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
    for(int k = 0; k < 2000; k++) {
      uint64_t x = ys_rng_below(&r, ns[i]);
      ck_assert_msg(x < ns[i], "below(%llu) gave %llu",
                    (unsigned long long)ns[i], (unsigned long long)x);
    }
}
END_TEST

START_TEST(test_rng_below_one_is_zero)
{
  ys_rng r;
  ys_rng_seed(&r, 11);
  for(int k = 0; k < 100; k++)
    ck_assert_uint_eq(ys_rng_below(&r, 1), 0);
}
END_TEST

START_TEST(test_rng_below_is_roughly_uniform)
{
  /* 100000 draws in 10 bins: each count is within 5% (about 5 standard
   * deviations) of 10000. Seeded, so the outcome is fixed. */
  int count[10] = { 0 };
  ys_rng r;
  ys_rng_seed(&r, 2024);
  for(int k = 0; k < 100000; k++)
    count[ys_rng_below(&r, 10)]++;
  for(int i = 0; i < 10; i++)
    ck_assert_msg(count[i] > 9500 && count[i] < 10500, "bin %d: %d", i,
                  count[i]);
}
END_TEST

START_TEST(test_rng_below_is_deterministic)
{
  ys_rng a, b;
  ys_rng_seed(&a, 77);
  ys_rng_seed(&b, 77);
  for(int k = 0; k < 1000; k++)
    ck_assert_uint_eq(ys_rng_below(&a, 13), ys_rng_below(&b, 13));
}
END_TEST

/* }====== */

/* {====== paired comparisons ====== */

/* McNemar's exact test is the two-sided binomial test of b in b + c at
 * 1/2: R's binom.test(1, 10)$p.value is 0.02148 (= 22/1024), and (40, 100)
 * 0.05689. The other values are the exact binomial sums, computed with
 * rational arithmetic in Python (math.comb) independently of stats.c. */
START_TEST(test_mcnemar_matches_the_exact_binomial_test)
{
  static const struct {
    unsigned long b, c;
    double p;
  } ref[] = {
    { 1, 9, 0.021484375 },
    { 9, 1, 0.021484375 },
    { 40, 60, 0.05688793364098079 },
    { 5, 5, 1 },
    { 0, 7, 0.015625 },
    { 12, 3, 0.03515625 },
    { 480, 520, 0.21744829320414094 },
  };
  for(size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
    double p = ys_stats_mcnemar_exact(ref[i].b, ref[i].c);
    ck_assert_msg(fabs(p - ref[i].p) < 1e-12 * (1 + ref[i].p),
                  "b=%lu c=%lu: p=%.17g, expected %.17g", ref[i].b, ref[i].c,
                  p, ref[i].p);
  }
}
END_TEST

START_TEST(test_mcnemar_without_discordant_pairs_is_one)
{
  ck_assert_double_eq(ys_stats_mcnemar_exact(0, 0), 1);
}
END_TEST

/* A million discordant pairs: log-space terms neither overflow nor lose
 * the answer (balanced: large p; lopsided: vanishing p). */
START_TEST(test_mcnemar_holds_for_huge_counts)
{
  double p = ys_stats_mcnemar_exact(500000, 500000);
  ck_assert_msg(p > 0.99 && p <= 1, "p=%g", p);
  p = ys_stats_mcnemar_exact(490000, 510000);
  ck_assert_msg(p >= 0 && p < 1e-80, "p=%g", p);
}
END_TEST

/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") is 0.03 0.06 0.06 0.02
 * (the step-down keeps adjusted values monotone); values cap at 1. */
START_TEST(test_holm_matches_p_adjust)
{
  double p[] = { 0.01, 0.04, 0.03, 0.005 };
  double want[] = { 0.03, 0.06, 0.06, 0.02 };
  double adj[4];
  ys_stats_holm(p, 4, adj);
  for(int i = 0; i < 4; i++)
    ck_assert_double_eq_tol(adj[i], want[i], 1e-15);
  double q[] = { 0.5, 0.9, 0.2 };
  ys_stats_holm(q, 3, q); /* in place */
  ck_assert_double_eq_tol(q[0], 1, 1e-15);  /* 2 x 0.5 */
  ck_assert_double_eq_tol(q[1], 1, 1e-15);  /* kept monotone */
  ck_assert_double_eq_tol(q[2], 0.6, 1e-15); /* 3 x 0.2 */
  double one[] = { 0.7 };
  ys_stats_holm(one, 1, one);
  ck_assert_double_eq(one[0], 0.7);
  double big[] = { 0.4, 0.5 };
  ys_stats_holm(big, 2, big);
  ck_assert_double_eq(big[0], 0.8);
  ck_assert_double_eq(big[1], 0.8);
}
END_TEST

START_TEST(test_paired_bootstrap_no_difference)
{
  double d[50] = { 0 };
  double lo, hi, p;
  ys_stats_paired_bootstrap(d, 50, 1000, 0.95, 7, &lo, &hi, &p);
  ck_assert_double_eq(lo, 0);
  ck_assert_double_eq(hi, 0);
  ck_assert_double_eq(p, 1);
}
END_TEST

/* Every difference positive: no resample reaches 0, so p is its floor
 * 2/(B+1), and the interval lies within the differences' range. */
START_TEST(test_paired_bootstrap_clear_difference)
{
  double d[40];
  for(int i = 0; i < 40; i++)
    d[i] = 0.1 + (i % 5) * 0.01;
  double lo, hi, p;
  ys_stats_paired_bootstrap(d, 40, 999, 0.95, 1, &lo, &hi, &p);
  ck_assert_double_eq_tol(p, 2.0 / 1000, 1e-15);
  ck_assert_msg(lo > 0.1 && hi < 0.14 && lo < 0.12 && hi > 0.12,
                "[%g, %g]", lo, hi);
}
END_TEST

/* Differences of -1/0/+1 balanced around 0: a large p, an interval
 * straddling 0; the same seed gives the same figures, another seed other
 * bounds; the input is left alone. */
START_TEST(test_paired_bootstrap_balanced_and_seeded)
{
  double d[60];
  for(int i = 0; i < 60; i++)
    d[i] = (i % 3) - 1.0;
  double lo, hi, p, lo2, hi2, p2;
  ys_stats_paired_bootstrap(d, 60, 2000, 0.95, 42, &lo, &hi, &p);
  ck_assert_msg(lo < 0 && hi > 0, "[%g, %g]", lo, hi);
  ck_assert_msg(p > 0.5, "p=%g", p);
  ys_stats_paired_bootstrap(d, 60, 2000, 0.95, 42, &lo2, &hi2, &p2);
  ck_assert_double_eq(lo, lo2);
  ck_assert_double_eq(hi, hi2);
  ck_assert_double_eq(p, p2);
  ys_stats_paired_bootstrap(d, 60, 2000, 0.95, 43, &lo2, &hi2, &p2);
  ck_assert_msg(lo != lo2 || hi != hi2, "another seed, same bounds");
  for(int i = 0; i < 60; i++)
    ck_assert_double_eq(d[i], (i % 3) - 1.0);
}
END_TEST

/* A shifted sample: the interval is near the mean difference and p is
 * consistent with it (the 95% interval excludes 0 exactly when p < 0.05,
 * up to resampling ties). */
START_TEST(test_paired_bootstrap_p_agrees_with_interval)
{
  double d[100];
  for(int i = 0; i < 100; i++)
    d[i] = (i % 4 == 0) ? -1 : (i % 4 == 1 ? 1 : (i % 4 == 2 ? 1 : 0));
  double lo, hi, p;
  ys_stats_paired_bootstrap(d, 100, 4000, 0.95, 3, &lo, &hi, &p);
  /* mean 0.25, sd about 0.83: the interval is about 0.25 +- 0.16 */
  ck_assert_msg(lo > 0.05 && lo < 0.15 && hi > 0.35 && hi < 0.45,
                "[%g, %g]", lo, hi);
  ck_assert_msg(p < 0.05, "p=%g with [%g, %g]", p, lo, hi);
}
END_TEST

/* Python's statistics.NormalDist().inv_cdf (Wichura's AS241, accurate to
 * about 1e-16) gives these. */
START_TEST(test_normal_quantile_matches_reference)
{
  static const double ref[][2] = {
    { 0.975, 1.9599639845400536 }, { 0.95, 1.6448536269514715 },
    { 0.995, 2.5758293035489 }, { 0.001, -3.090232306167813 },
    { 1e-10, -6.361340902404056 }, { 0.5, 0 },
  };
  for(size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++)
    ck_assert_msg(fabs(ys_stats_normal_quantile(ref[i][0]) - ref[i][1]) <
                  1e-12, "p=%g: %.17g", ref[i][0],
                  ys_stats_normal_quantile(ref[i][0]));
  ck_assert(isnan(ys_stats_normal_quantile(0)));
  ck_assert(isnan(ys_stats_normal_quantile(1)));
  ck_assert(isnan(ys_stats_normal_quantile(NAN)));
}
END_TEST

START_TEST(test_paired_bootstrap_empty_is_nan_and_p_one)
{
  double lo, hi, p;
  ys_stats_paired_bootstrap(NULL, 0, 1000, 0.95, 1, &lo, &hi, &p);
  ck_assert(isnan(lo) && isnan(hi));
  ck_assert_double_eq(p, 1);
}
END_TEST

START_TEST(test_paired_bootstrap_bytes_match_doubles)
{
  /* Binary differences as bytes give the doubles' figures exactly. */
  size_t n = 1000;
  double *d = malloc(n * sizeof(double));
  signed char *d8 = malloc(n);
  for(size_t i = 0; i < n; i++) {
    d8[i] = (signed char)(i % 7 == 0 ? -1 : i % 3 == 0 ? 1 : 0);
    d[i] = d8[i];
  }
  double lo, hi, p, lo8, hi8, p8;
  ys_stats_paired_bootstrap(d, n, 500, 0.95, 9, &lo, &hi, &p);
  ys_stats_paired_bootstrap_i8(d8, n, 500, 0.95, 9, &lo8, &hi8, &p8);
  ck_assert_double_eq(lo, lo8);
  ck_assert_double_eq(hi, hi8);
  ck_assert_double_eq(p, p8);
  ys_stats_paired_bootstrap_i8(d8, 0, 500, 0.95, 9, &lo8, &hi8, &p8);
  ck_assert(isnan(lo8) && isnan(hi8));
  ck_assert_double_eq(p8, 1);
  free(d);
  free(d8);
}
END_TEST

/* }====== */

/* {====== bounded quantiles ====== */

/* Exact quantiles of a copy of v (ys_stats_quantile sorts in place). */
static double exact_q(const double *v, size_t n, double p)
{
  double *c = malloc(n * sizeof(double));
  memcpy(c, v, n * sizeof(double));
  double q = ys_stats_quantile(c, n, p);
  free(c);
  return q;
}

START_TEST(test_quant_is_exact_up_to_its_cap)
{
  ys_quant q;
  ys_quant_init(&q);
  ck_assert(isnan(ys_quant_get(&q, 0.5)));
  double *v = malloc(YS_QUANT_EXACT * sizeof(double));
  ys_rng r;
  ys_rng_seed(&r, 3);
  for(size_t i = 0; i < YS_QUANT_EXACT; i++) {
    v[i] = (double)ys_rng_below(&r, 100000) / 7.0;
    ys_quant_add(&q, v[i]);
  }
  ck_assert_ptr_null(q.bucket);
  ck_assert_double_eq(ys_quant_get(&q, 0.5), exact_q(v, YS_QUANT_EXACT, 0.5));
  ck_assert_double_eq(ys_quant_get(&q, 0.95),
                      exact_q(v, YS_QUANT_EXACT, 0.95));
  ys_quant_cleanup(&q);
  free(v);
}
END_TEST

START_TEST(test_quant_past_its_cap_is_within_half_a_percent)
{
  /* Log-normal-ish latencies from 0.01 ms to minutes, and a spike. */
  size_t n = 200000;
  double *v = malloc(n * sizeof(double));
  ys_quant q;
  ys_quant_init(&q);
  ys_rng r;
  ys_rng_seed(&r, 11);
  for(size_t i = 0; i < n; i++) {
    double u = (double)(ys_rng_next(&r) >> 11) / 9007199254740992.0;
    v[i] = i % 97 == 0 ? 1234.5 : 0.01 * exp(u * 16);
    ys_quant_add(&q, v[i]);
  }
  ck_assert_ptr_nonnull(q.bucket);
  ck_assert_ptr_null(q.v);
  ck_assert_uint_eq(q.n, n);
  const double ps[] = { 0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1 };
  for(size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
    double e = exact_q(v, n, ps[i]), got = ys_quant_get(&q, ps[i]);
    ck_assert_msg(fabs(got - e) <= 0.005 * e, "p%g: %g, exact %g", ps[i],
                  got, e);
  }
  ys_quant_cleanup(&q);
  free(v);
}
END_TEST

START_TEST(test_quant_does_not_depend_on_order)
{
  ys_quant a, b;
  ys_quant_init(&a);
  ys_quant_init(&b);
  size_t n = 3 * YS_QUANT_EXACT;
  for(size_t i = 0; i < n; i++) {
    ys_quant_add(&a, (double)(i % 1000) + 0.5);
    ys_quant_add(&b, (double)((n - 1 - i) % 1000) + 0.5);
  }
  ck_assert_double_eq(ys_quant_get(&a, 0.5), ys_quant_get(&b, 0.5));
  ck_assert_double_eq(ys_quant_get(&a, 0.95), ys_quant_get(&b, 0.95));
  ys_quant_cleanup(&a);
  ys_quant_cleanup(&b);
}
END_TEST

START_TEST(test_quant_keeps_zeros_and_ends)
{
  ys_quant q;
  ys_quant_init(&q);
  for(size_t i = 0; i < 2 * YS_QUANT_EXACT; i++)
    ys_quant_add(&q, i % 4 ? 0 : 1e12);
  ck_assert_double_eq(ys_quant_get(&q, 0), 0);
  ck_assert_double_eq(ys_quant_get(&q, 0.5), 0);
  /* Beyond YS_QUANT_MAX values land in the top bucket. */
  ck_assert(ys_quant_get(&q, 1) >= YS_QUANT_MAX * 0.99);
  ys_quant_cleanup(&q);
  ck_assert_ptr_null(q.bucket);
  ck_assert_uint_eq(q.n, 0);
}
END_TEST

/* }====== */

static Suite *stats_suite(void)
{
  Suite *s = suite_create("stats");

  TCase *tc = tcase_create("wilson");
  tcase_add_test(tc, test_stats_wilson_matches_published_values);
  tcase_add_test(tc, test_stats_wilson_81_of_263_to_four_places);
  tcase_add_test(tc, test_stats_wilson_no_trials_is_whole_range);
  tcase_add_test(tc, test_stats_wilson_zero_successes_starts_at_zero);
  tcase_add_test(tc, test_stats_wilson_all_successes_ends_at_one);
  tcase_add_test(tc, test_stats_wilson_brackets_the_rate_within_unit_range);
  tcase_add_test(tc,
                 test_stats_wilson_is_symmetric_in_successes_and_failures);
  tcase_add_test(tc, test_stats_wilson_width_follows_z);
  suite_add_tcase(s, tc);

  tc = tcase_create("quantile");
  tcase_add_test(tc, test_stats_quantile_matches_type_7);
  tcase_add_test(tc, test_stats_quantile_even_count_interpolates);
  tcase_add_test(tc, test_stats_quantile_single_value);
  tcase_add_test(tc, test_stats_quantile_with_ties_and_negatives);
  tcase_add_test(tc, test_stats_quantile_sorts_in_place);
  suite_add_tcase(s, tc);

  tc = tcase_create("bootstrap");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_stats_bootstrap_same_seed_same_bounds);
  tcase_add_test(tc, test_stats_bootstrap_different_seed_different_bounds);
  tcase_add_test(tc, test_stats_bootstrap_interval_contains_mean);
  tcase_add_test(tc, test_stats_bootstrap_constant_sample_has_zero_width);
  tcase_add_test(tc, test_stats_bootstrap_empty_sample_is_nan);
  tcase_add_test(tc, test_stats_bootstrap_higher_level_is_wider);
  tcase_add_test(tc, test_stats_bootstrap_leaves_input_alone);
  tcase_add_test(tc, test_stats_bootstrap_is_reproducible_across_versions);
  suite_add_tcase(s, tc);

  tc = tcase_create("paired");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_mcnemar_matches_the_exact_binomial_test);
  tcase_add_test(tc, test_mcnemar_without_discordant_pairs_is_one);
  tcase_add_test(tc, test_mcnemar_holds_for_huge_counts);
  tcase_add_test(tc, test_holm_matches_p_adjust);
  tcase_add_test(tc, test_paired_bootstrap_no_difference);
  tcase_add_test(tc, test_paired_bootstrap_clear_difference);
  tcase_add_test(tc, test_paired_bootstrap_balanced_and_seeded);
  tcase_add_test(tc, test_paired_bootstrap_p_agrees_with_interval);
  tcase_add_test(tc, test_paired_bootstrap_empty_is_nan_and_p_one);
  tcase_add_test(tc, test_normal_quantile_matches_reference);
  tcase_add_test(tc, test_paired_bootstrap_bytes_match_doubles);
  suite_add_tcase(s, tc);

  tc = tcase_create("bounded quantiles");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_quant_is_exact_up_to_its_cap);
  tcase_add_test(tc, test_quant_past_its_cap_is_within_half_a_percent);
  tcase_add_test(tc, test_quant_does_not_depend_on_order);
  tcase_add_test(tc, test_quant_keeps_zeros_and_ends);
  suite_add_tcase(s, tc);

  tc = tcase_create("rng");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_rng_matches_splitmix64_reference);
  tcase_add_test(tc, test_rng_same_seed_same_sequence);
  tcase_add_test(tc, test_rng_different_seed_different_sequence);
  tcase_add_test(tc, test_rng_below_stays_in_range);
  tcase_add_test(tc, test_rng_below_one_is_zero);
  tcase_add_test(tc, test_rng_below_is_roughly_uniform);
  tcase_add_test(tc, test_rng_below_is_deterministic);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(stats_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
