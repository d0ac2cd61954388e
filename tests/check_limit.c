/* SPDX-License-Identifier: MIT */
/*
 * check_limit.c: the rpm / tpm token buckets (src/limit.h): a full
 * minute's worth to start, continuous refill, waits computed exactly,
 * token estimates settled afterwards, and no limit meaning no wait.
 */
#include <stdlib.h>

#include <check.h>

#include "limit.h"

START_TEST(test_no_limit_never_waits)
{
  ys_limit l;
  ys_limit_init(&l, 0, 0);
  for(int i = 0; i < 1000; i++)
    ck_assert_double_eq(ys_limit_acquire(&l, 1e6, 0), 0);
}
END_TEST

START_TEST(test_rpm_allows_a_minutes_worth_then_waits)
{
  ys_limit l;
  ys_limit_init(&l, 60, 0);
  for(int i = 0; i < 60; i++)
    ck_assert_double_eq(ys_limit_acquire(&l, 0, 1000), 0);
  /* One request a second refills: the 61st waits a second. */
  double w = ys_limit_acquire(&l, 0, 1000);
  ck_assert_double_eq_tol(w, 1000, 1e-6);
  /* Not counted while waiting: after the wait it goes through. */
  ck_assert_double_eq(ys_limit_acquire(&l, 0, 2000), 0);
  ck_assert_double_gt(ys_limit_acquire(&l, 0, 2000), 0);
}
END_TEST

START_TEST(test_refill_is_capped_at_one_minute)
{
  ys_limit l;
  ys_limit_init(&l, 10, 0);
  ck_assert_double_eq(ys_limit_acquire(&l, 0, 0), 0);
  /* An hour idle still allows only ten at once. */
  double t = 3600.0 * 1000;
  int ok = 0;
  while(ys_limit_acquire(&l, 0, t) == 0)
    ok++;
  ck_assert_int_eq(ok, 10);
}
END_TEST

START_TEST(test_tpm_waits_for_enough_tokens)
{
  ys_limit l;
  ys_limit_init(&l, 0, 6000); /* 100 tokens a second */
  ck_assert_double_eq(ys_limit_acquire(&l, 5000, 0), 0);
  ck_assert_double_eq(ys_limit_acquire(&l, 1000, 0), 0);
  double w = ys_limit_acquire(&l, 500, 0);
  ck_assert_double_eq_tol(w, 5000, 1e-6);
}
END_TEST

START_TEST(test_settle_charges_what_was_really_used)
{
  ys_limit l;
  ys_limit_init(&l, 0, 6000);
  ck_assert_double_eq(ys_limit_acquire(&l, 1000, 0), 0);
  /* The reply used 3000, not 1000: 2000 more are gone. */
  ys_limit_settle(&l, 1000, 3000);
  ck_assert_double_eq(ys_limit_acquire(&l, 3000, 0), 0);
  ck_assert_double_gt(ys_limit_acquire(&l, 1, 0), 0);
}
END_TEST

START_TEST(test_request_larger_than_a_minute_goes_when_full)
{
  ys_limit l;
  ys_limit_init(&l, 0, 1000);
  /* 5000 tokens can never fit a 1000-a-minute bucket: it goes when the
   * bucket is full instead of waiting forever. */
  ck_assert_double_eq(ys_limit_acquire(&l, 5000, 0), 0);
  double w = ys_limit_acquire(&l, 5000, 0);
  ck_assert_double_gt(w, 0);
  ck_assert_double_le(w, 6 * 60000.0);
}
END_TEST

START_TEST(test_both_limits_wait_for_the_longer)
{
  ys_limit l;
  ys_limit_init(&l, 60, 600);
  ck_assert_double_eq(ys_limit_acquire(&l, 600, 0), 0);
  /* Requests are fine (59 left), tokens need 60 s for 600. */
  double w = ys_limit_acquire(&l, 600, 0);
  ck_assert_double_eq_tol(w, 60000, 1e-6);
}
END_TEST

static Suite *limit_suite(void)
{
  Suite *s = suite_create("limit");
  TCase *tc = tcase_create("buckets");
  tcase_add_test(tc, test_no_limit_never_waits);
  tcase_add_test(tc, test_rpm_allows_a_minutes_worth_then_waits);
  tcase_add_test(tc, test_refill_is_capped_at_one_minute);
  tcase_add_test(tc, test_tpm_waits_for_enough_tokens);
  tcase_add_test(tc, test_settle_charges_what_was_really_used);
  tcase_add_test(tc, test_request_larger_than_a_minute_goes_when_full);
  tcase_add_test(tc, test_both_limits_wait_for_the_longer);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(limit_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
