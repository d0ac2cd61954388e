/* SPDX-License-Identifier: MIT */
/*
 * check_paired.c: unit tests for the paired comparison of two models
 * (paired.h): which tasks are paired (present in both, scored), McNemar's
 * exact test for pass/fail scores against values worked out by hand, the
 * paired bootstrap for continuous scores, and the order-free seed. Uses
 * Check.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"

#define TOL 1e-12

/* {====== pass/fail: McNemar ====== */

START_TEST(test_paired_binary_counts_and_mcnemar_p)
{
  /* 8 tasks only a passes, 1 only b passes, 1 both pass. McNemar's exact
   * two-sided p for 8 against 1: 2 * (C(9,0) + C(9,1)) / 2^9 = 20/512. */
  double a[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 1 };
  double b[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 10, 1, 0.95, 1, &p);
  ck_assert_str_eq(p.method, "mcnemar");
  ck_assert_uint_eq(p.n, 10);
  ck_assert_uint_eq(p.wins, 8);
  ck_assert_uint_eq(p.losses, 1);
  ck_assert_double_eq_tol(p.mean_a, 0.9, TOL);
  ck_assert_double_eq_tol(p.mean_b, 0.2, TOL);
  ck_assert_double_eq_tol(p.diff, 0.7, TOL);
  ck_assert_double_eq_tol(p.p, 20.0 / 512.0, TOL);
  ck_assert_double_le(p.lo, p.diff);
  ck_assert_double_ge(p.hi, p.diff);
}
END_TEST

START_TEST(test_paired_binary_is_symmetric)
{
  double a[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 1 };
  double b[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
  ys_paired ab, ba;
  ys_paired_compare(a, NULL, b, NULL, 10, 1, 0.95, 1, &ab);
  ys_paired_compare(b, NULL, a, NULL, 10, 1, 0.95, 1, &ba);
  ck_assert_uint_eq(ba.wins, ab.losses);
  ck_assert_uint_eq(ba.losses, ab.wins);
  ck_assert_double_eq_tol(ba.diff, -ab.diff, TOL);
  ck_assert_double_eq_tol(ba.p, ab.p, TOL);
}
END_TEST

START_TEST(test_paired_binary_ties_only_gives_p_one)
{
  double a[4] = { 1, 0, 1, 0 };
  ys_paired p;
  ys_paired_compare(a, NULL, a, NULL, 4, 1, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 4);
  ck_assert_uint_eq(p.wins, 0);
  ck_assert_uint_eq(p.losses, 0);
  ck_assert_double_eq_tol(p.diff, 0, TOL);
  ck_assert_double_eq_tol(p.p, 1, TOL);
}
END_TEST

START_TEST(test_paired_binary_unscored_counts_as_failure)
{
  /* A NaN (an errored task) is a failure, not a dropped pair; any score
   * above 0 is a pass. */
  double a[4] = { NAN, 0.7, 1, NAN };
  double b[4] = { 1, 0, NAN, NAN };
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 4, 1, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 4);
  ck_assert_uint_eq(p.wins, 2);   /* tasks 1 and 2 */
  ck_assert_uint_eq(p.losses, 1); /* task 0 */
  ck_assert_double_eq_tol(p.mean_a, 0.5, TOL);
  ck_assert_double_eq_tol(p.mean_b, 0.25, TOL);
  /* 2 against 1: 2 * (1 + 3) / 8 = 1. */
  ck_assert_double_eq_tol(p.p, 1, TOL);
}
END_TEST

START_TEST(test_paired_binary_all_wins_p_value)
{
  /* 10 wins, no losses: 2 / 2^10. */
  double a[10], b[10];
  for(int i = 0; i < 10; i++) {
    a[i] = 1;
    b[i] = 0;
  }
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 10, 1, 0.95, 1, &p);
  ck_assert_double_eq_tol(p.p, 2.0 / 1024.0, TOL);
  ck_assert_double_eq_tol(p.diff, 1, TOL);
}
END_TEST

/* }====== */

/* {====== which tasks pair ====== */

START_TEST(test_paired_leaves_out_tasks_missing_from_either)
{
  double a[5] = { 1, 0.5, 100, 0.25, 100 };
  double b[5] = { 0, 0.5, 0, 100, 100 };
  unsigned char pa[5] = { 1, 1, 1, 0, 0 };
  unsigned char pb[5] = { 1, 1, 0, 1, 0 };
  ys_paired p;
  ys_paired_compare(a, pa, b, pb, 5, 0, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 2);
  ck_assert_double_eq_tol(p.mean_a, 0.75, TOL);
  ck_assert_double_eq_tol(p.mean_b, 0.25, TOL);
  ck_assert_double_eq_tol(p.diff, 0.5, TOL);
  ck_assert_uint_eq(p.wins, 1);
  ck_assert_uint_eq(p.losses, 0);
  /* One side's flags alone. */
  ys_paired_compare(a, pa, b, NULL, 5, 0, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 3);
  ys_paired_compare(a, NULL, b, pb, 5, 0, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 3);
}
END_TEST

START_TEST(test_paired_continuous_leaves_out_unscored_pairs)
{
  double a[4] = { 0.5, NAN, 0.75, 0.25 };
  double b[4] = { 0.25, 0.5, NAN, 0.5 };
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 4, 0, 0.95, 1, &p);
  ck_assert_str_eq(p.method, "paired bootstrap");
  ck_assert_uint_eq(p.n, 2);
  ck_assert_double_eq_tol(p.mean_a, 0.375, TOL);
  ck_assert_double_eq_tol(p.mean_b, 0.375, TOL);
  ck_assert_double_eq_tol(p.diff, 0, TOL);
  ck_assert_uint_eq(p.wins, 1);
  ck_assert_uint_eq(p.losses, 1);
}
END_TEST

START_TEST(test_paired_nothing_to_compare)
{
  double a[2] = { NAN, 1 }, b[2] = { 1, NAN };
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 2, 0, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 0);
  ck_assert(isnan(p.mean_a) && isnan(p.mean_b) && isnan(p.diff));
  ck_assert(isnan(p.lo) && isnan(p.hi));
  ck_assert_double_eq(p.p, 1);
  /* No tasks at all. */
  ys_paired_compare(NULL, NULL, NULL, NULL, 0, 1, 0.95, 1, &p);
  ck_assert_uint_eq(p.n, 0);
  ck_assert_double_eq(p.p, 1);
  ck_assert_str_eq(p.method, "mcnemar");
}
END_TEST

/* }====== */

/* {====== continuous: the bootstrap ====== */

START_TEST(test_paired_constant_difference_has_point_interval)
{
  /* Every resample has the same mean, all on one side of 0: the
   * smallest p the bootstrap gives, 2 / (resamples + 1). */
  double a[30], b[30];
  for(int i = 0; i < 30; i++) {
    a[i] = 0.5 + i / 100.0;
    b[i] = a[i] - 0.25;
  }
  ys_paired p;
  ys_paired_compare(a, NULL, b, NULL, 30, 0, 0.95, 7, &p);
  ck_assert_double_eq_tol(p.diff, 0.25, 1e-9);
  ck_assert_double_eq_tol(p.lo, 0.25, 1e-9);
  ck_assert_double_eq_tol(p.hi, 0.25, 1e-9);
  ck_assert_double_eq_tol(p.p, 2.0 / (YS_PAIRED_RESAMPLES + 1), TOL);
  ck_assert_uint_eq(p.wins, 30);
}
END_TEST

/* Noisy differences centred on shift. */
static void noisy(double *a, double *b, int n, double shift)
{
  uint32_t s = 99;
  for(int i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    double noise = ((double)(s >> 8) / (double)(1u << 24)) - 0.5;
    b[i] = 0.5;
    a[i] = 0.5 + shift + noise;
  }
}

START_TEST(test_paired_bootstrap_is_seeded)
{
  double a[50], b[50];
  noisy(a, b, 50, 0.05);
  ys_paired x, y, z;
  ys_paired_compare(a, NULL, b, NULL, 50, 0, 0.95, 42, &x);
  ys_paired_compare(a, NULL, b, NULL, 50, 0, 0.95, 42, &y);
  ys_paired_compare(a, NULL, b, NULL, 50, 0, 0.95, 43, &z);
  ck_assert(x.lo == y.lo && x.hi == y.hi && x.p == y.p);
  ck_assert(x.lo != z.lo || x.hi != z.hi);
  ck_assert_double_lt(x.lo, x.diff);
  ck_assert_double_gt(x.hi, x.diff);
}
END_TEST

START_TEST(test_paired_level_widens_interval)
{
  double a[50], b[50];
  noisy(a, b, 50, 0.0);
  ys_paired narrow, wide;
  ys_paired_compare(a, NULL, b, NULL, 50, 0, 0.5, 5, &narrow);
  ys_paired_compare(a, NULL, b, NULL, 50, 0, 0.99, 5, &wide);
  ck_assert_double_lt(wide.lo, narrow.lo);
  ck_assert_double_gt(wide.hi, narrow.hi);
  /* Same data, so the point estimate and p do not move. */
  ck_assert_double_eq(wide.diff, narrow.diff);
  ck_assert_double_eq(wide.p, narrow.p);
}
END_TEST

START_TEST(test_paired_bootstrap_p_separates_shift_from_noise)
{
  double a[200], b[200];
  ys_paired none, big;
  noisy(a, b, 200, 0.0);
  ys_paired_compare(a, NULL, b, NULL, 200, 0, 0.95, 3, &none);
  noisy(a, b, 200, 0.3);
  ys_paired_compare(a, NULL, b, NULL, 200, 0, 0.95, 3, &big);
  ck_assert_double_gt(none.p, 0.05);
  ck_assert_double_lt(big.p, 0.01);
  ck_assert_double_gt(big.lo, 0);
  ck_assert_double_lt(none.lo, 0);
  ck_assert_double_gt(none.hi, 0);
}
END_TEST

/* }====== */

/* {====== the seed ====== */

START_TEST(test_paired_seed_ignores_model_order)
{
  ck_assert_uint_eq(ys_paired_seed(7, "gpt", "claude", "accuracy"),
                    ys_paired_seed(7, "claude", "gpt", "accuracy"));
}
END_TEST

START_TEST(test_paired_seed_depends_on_each_input)
{
  uint64_t s = ys_paired_seed(7, "gpt", "claude", "accuracy");
  ck_assert_uint_ne(s, ys_paired_seed(8, "gpt", "claude", "accuracy"));
  ck_assert_uint_ne(s, ys_paired_seed(7, "gpt2", "claude", "accuracy"));
  ck_assert_uint_ne(s, ys_paired_seed(7, "gpt", "claude2", "accuracy"));
  ck_assert_uint_ne(s, ys_paired_seed(7, "gpt", "claude", "f1"));
  /* Where one name ends and the next begins matters. */
  ck_assert_uint_ne(ys_paired_seed(1, "ab", "c", "k"),
                    ys_paired_seed(1, "a", "bc", "k"));
  ck_assert_uint_ne(ys_paired_seed(1, "a", "b", "ck"),
                    ys_paired_seed(1, "a", "bc", "k"));
}
END_TEST

START_TEST(test_paired_seed_accepts_null_key)
{
  /* A NULL key reads as "". */
  ck_assert_uint_eq(ys_paired_seed(3, "a", "b", NULL),
                    ys_paired_seed(3, "a", "b", ""));
  ck_assert_uint_eq(ys_paired_seed(3, "b", "a", NULL),
                    ys_paired_seed(3, "a", "b", ""));
}
END_TEST

/* }====== */

static Suite *paired_suite(void)
{
  Suite *s = suite_create("paired");

  TCase *tc = tcase_create("mcnemar");
  tcase_add_test(tc, test_paired_binary_counts_and_mcnemar_p);
  tcase_add_test(tc, test_paired_binary_is_symmetric);
  tcase_add_test(tc, test_paired_binary_ties_only_gives_p_one);
  tcase_add_test(tc, test_paired_binary_unscored_counts_as_failure);
  tcase_add_test(tc, test_paired_binary_all_wins_p_value);
  suite_add_tcase(s, tc);

  tc = tcase_create("pairing");
  tcase_add_test(tc, test_paired_leaves_out_tasks_missing_from_either);
  tcase_add_test(tc, test_paired_continuous_leaves_out_unscored_pairs);
  tcase_add_test(tc, test_paired_nothing_to_compare);
  suite_add_tcase(s, tc);

  tc = tcase_create("bootstrap");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_paired_constant_difference_has_point_interval);
  tcase_add_test(tc, test_paired_bootstrap_is_seeded);
  tcase_add_test(tc, test_paired_level_widens_interval);
  tcase_add_test(tc, test_paired_bootstrap_p_separates_shift_from_noise);
  suite_add_tcase(s, tc);

  tc = tcase_create("seed");
  tcase_add_test(tc, test_paired_seed_ignores_model_order);
  tcase_add_test(tc, test_paired_seed_depends_on_each_input);
  tcase_add_test(tc, test_paired_seed_accepts_null_key);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(paired_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
