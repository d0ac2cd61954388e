/* SPDX-License-Identifier: MIT */
/*
 * check_bloom.c: unit tests for the growing Bloom filter (bloom.h): no
 * false negatives, ever; false positives near the design rate; stages
 * sized by the caller's estimate or grown by themselves; the bytes per
 * item; and a tiny filter that says "maybe" to almost anything (what the
 * plan tests use to force false positives). Uses Check; run by
 * `make check`.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "bloom.h"
#include "stats.h"

/* Item i of a family: two hashes from SplitMix64. */
static void item(uint64_t family, size_t i, uint64_t *h1, uint64_t *h2)
{
  ys_rng r;
  ys_rng_seed(&r, family * 0x100000000ull + i);
  *h1 = ys_rng_next(&r);
  *h2 = ys_rng_next(&r);
}

/* Adds items [0, n) of family 1; returns how many the filter took for
 * seen already (false positives: they are all distinct). */
static size_t fill(ys_bloom *b, size_t n)
{
  size_t maybe = 0;
  for(size_t i = 0; i < n; i++) {
    uint64_t h1, h2;
    item(1, i, &h1, &h2);
    maybe += (size_t)ys_bloom_add(b, h1, h2);
  }
  return maybe;
}

START_TEST(test_bloom_has_no_false_negatives)
{
  ys_bloom *b = ys_bloom_new(0, 0);
  size_t n = 100000;
  size_t maybe = fill(b, n);
  ck_assert_uint_eq(ys_bloom_count(b), n - maybe);
  for(size_t i = 0; i < n; i++) {
    uint64_t h1, h2;
    item(1, i, &h1, &h2);
    ck_assert_int_eq(ys_bloom_add(b, h1, h2), 1);
  }
  ck_assert_uint_eq(ys_bloom_count(b), n - maybe);
  ys_bloom_free(b);
}
END_TEST

START_TEST(test_bloom_false_positives_near_the_design_rate)
{
  /* Sized by an estimate, as plan.c does, 16 bits an item: a full stage
   * answers "maybe" to about 1 new item in 2,000. */
  ys_bloom *b = ys_bloom_new(0, 0);
  size_t n = 200000;
  for(size_t i = 0; i < n; i++) {
    uint64_t h1, h2;
    item(1, i, &h1, &h2);
    if(ys_bloom_full(b))
      ys_bloom_expect(b, n - i);
    ys_bloom_add(b, h1, h2);
  }
  size_t fp = 0, probes = 200000;
  for(size_t i = 0; i < probes; i++) {
    uint64_t h1, h2;
    item(2, i, &h1, &h2);
    if(ys_bloom_add(b, h1, h2))
      fp++;
    else
      ck_assert_int_eq(ys_bloom_add(b, h1, h2), 1);
  }
  /* Expected about 100 (0.05%): the new items fill the filter past its
   * estimate, so allow some more. */
  ck_assert_msg(fp < probes / 500, "%zu false positives in %zu", fp,
                probes);
  ys_bloom_free(b);
}
END_TEST

START_TEST(test_bloom_estimate_sizes_the_next_stage)
{
  ys_bloom *b = ys_bloom_new(16, 1000);
  /* The first stage: 1,000 items at 32 bits. */
  ck_assert_uint_eq(ys_bloom_bytes(b), (1000 * 32 + 63) / 64 * 8);
  fill(b, 1000);
  ck_assert(ys_bloom_full(b));
  ys_bloom_expect(b, 1000000);
  uint64_t h1, h2;
  item(3, 0, &h1, &h2);
  ck_assert_int_eq(ys_bloom_add(b, h1, h2), 0);
  ck_assert(!ys_bloom_full(b));
  ck_assert_uint_eq(ys_bloom_bytes(b), 4000 + 2000000);
  ys_bloom_free(b);
}
END_TEST

START_TEST(test_bloom_grows_by_itself)
{
  /* No estimate: each stage as large as all before it, so the bits per
   * item stay bounded. */
  ys_bloom *b = ys_bloom_new(16, 100);
  size_t n = 100000;
  size_t maybe = fill(b, n);
  ck_assert_uint_lt(maybe, n / 100);
  ck_assert_uint_le(ys_bloom_bytes(b), 4 * n + 1000);
  ck_assert_uint_ge(ys_bloom_bytes(b), 2 * n);
  ys_bloom_free(b);
}
END_TEST

START_TEST(test_bloom_low_estimate_still_grows_geometrically)
{
  /* An estimate of 1 every time: stages still grow by a quarter, not an
   * item at a time. */
  ys_bloom *b = ys_bloom_new(16, 100);
  size_t n = 50000;
  for(size_t i = 0; i < n; i++) {
    uint64_t h1, h2;
    item(1, i, &h1, &h2);
    if(ys_bloom_full(b))
      ys_bloom_expect(b, 1);
    ys_bloom_add(b, h1, h2);
  }
  ck_assert_uint_le(ys_bloom_bytes(b), 4 * n);
  ys_bloom_free(b);
}
END_TEST

START_TEST(test_tiny_bloom_says_maybe_often)
{
  ys_bloom *b = ys_bloom_new(1, 1);
  size_t maybe = fill(b, 1000);
  ck_assert_uint_gt(maybe, 100);
  ys_bloom_free(b);
}
END_TEST

static Suite *bloom_suite(void)
{
  Suite *s = suite_create("bloom");
  TCase *tc = tcase_create("bloom");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_bloom_has_no_false_negatives);
  tcase_add_test(tc, test_bloom_false_positives_near_the_design_rate);
  tcase_add_test(tc, test_bloom_estimate_sizes_the_next_stage);
  tcase_add_test(tc, test_bloom_grows_by_itself);
  tcase_add_test(tc, test_bloom_low_estimate_still_grows_geometrically);
  tcase_add_test(tc, test_tiny_bloom_says_maybe_often);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(bloom_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
