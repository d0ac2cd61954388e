/* SPDX-License-Identifier: MIT */
/*
 * check_column.c: unit tests for score columns (column.h): bits and
 * doubles read back as pushed across chunk boundaries, "not scored" bits
 * that cost nothing until needed, the bytes a column holds, and paired
 * comparisons (paired.h) on stored columns giving exactly the figures of
 * the same scores as plain doubles. Uses Check; run by `make check`.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "paired.h"
#include "stats.h"

/* Enough tasks for several chunks and a partial last one. */
#define N (3 * YS_COLUMN_CHUNK + 123)

/* Task t's binary score under a seed: 1, 0, or NaN (not scored) when
 * errors is set. */
static double binary_score(uint64_t seed, size_t t, int errors)
{
  ys_rng r;
  ys_rng_seed(&r, seed * 1000003u + t);
  uint64_t x = ys_rng_below(&r, 100);
  if(errors && x < 3)
    return NAN;
  return x < 60 ? 1 : 0;
}

static double continuous_score(uint64_t seed, size_t t)
{
  ys_rng r;
  ys_rng_seed(&r, seed * 7919u + t);
  uint64_t x = ys_rng_below(&r, 1000);
  return x < 20 ? NAN : (double)x / 1000.0;
}

static int same(double a, double b)
{
  return (isnan(a) && isnan(b)) || a == b;
}

/* {====== storage ====== */

START_TEST(test_column_bits_read_back_as_pushed)
{
  ys_column c;
  ys_column_init(&c, 1);
  for(size_t t = 0; t < N; t++)
    ys_column_push(&c, binary_score(1, t, 1));
  ck_assert_uint_eq(c.n, N);
  for(size_t t = 0; t < N; t++)
    ck_assert(same(ys_column_at(&c, t), binary_score(1, t, 1)));
  /* Two bits per task at most, and the chunk tables. */
  ck_assert_uint_le(ys_column_bytes(&c), 2 * (N + YS_COLUMN_CHUNK) / 8 + 256);
  ys_column_cleanup(&c);
  ck_assert_uint_eq(c.n, 0);
  ck_assert_ptr_null(c.bits);
}
END_TEST

START_TEST(test_column_without_errors_has_no_unscored_bits)
{
  ys_column c;
  ys_column_init(&c, 1);
  for(size_t t = 0; t < N; t++)
    ys_column_push(&c, binary_score(2, t, 0));
  ck_assert_ptr_null(c.unscored);
  ck_assert_uint_le(ys_column_bytes(&c), (N + YS_COLUMN_CHUNK) / 8 + 128);
  /* One error costs one chunk of bits, not the whole column. */
  ys_column_push(&c, NAN);
  ck_assert_ptr_nonnull(c.unscored);
  ck_assert(isnan(ys_column_at(&c, N)));
  ck_assert_double_eq(ys_column_at(&c, N - 1), binary_score(2, N - 1, 0));
  for(size_t k = 0; k + 1 < c.nchunks; k++)
    ck_assert_ptr_null(c.unscored[k]);
  ys_column_cleanup(&c);
}
END_TEST

START_TEST(test_column_doubles_read_back_as_pushed)
{
  ys_column c;
  ys_column_init(&c, 0);
  for(size_t t = 0; t < N; t++)
    ys_column_push(&c, continuous_score(3, t));
  ck_assert_uint_eq(c.n, N);
  for(size_t t = 0; t < N; t++)
    ck_assert(same(ys_column_at(&c, t), continuous_score(3, t)));
  ck_assert_uint_eq(c.nchunks, 4);
  ys_column_cleanup(&c);
}
END_TEST

START_TEST(test_column_view_reads_the_array)
{
  double v[] = { 1, NAN, 0.5 };
  ys_column c = ys_column_view(v, 3);
  ck_assert_double_eq(ys_column_at(&c, 0), 1);
  ck_assert(isnan(ys_column_at(&c, 1)));
  ck_assert_double_eq(ys_column_at(&c, 2), 0.5);
  ck_assert_uint_eq(ys_column_bytes(&c), 0);
  ys_column_cleanup(&c); /* owns nothing */
}
END_TEST

/* }====== */

/* {====== paired comparisons on columns ====== */

static void expect_same(const ys_paired *x, const ys_paired *y)
{
  ck_assert_uint_eq(x->n, y->n);
  ck_assert(same(x->mean_a, y->mean_a));
  ck_assert(same(x->mean_b, y->mean_b));
  ck_assert(same(x->diff, y->diff));
  ck_assert(same(x->lo, y->lo));
  ck_assert(same(x->hi, y->hi));
  ck_assert(same(x->p, y->p));
  ck_assert_uint_eq(x->wins, y->wins);
  ck_assert_uint_eq(x->losses, y->losses);
  ck_assert_str_eq(x->method, y->method);
}

/* Compares two models' columns stored by ys_column_push with the same
 * scores as double arrays. */
static void compare_both_ways(int binary, size_t n)
{
  double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
  ys_column ca, cb;
  ys_column_init(&ca, binary);
  ys_column_init(&cb, binary);
  for(size_t t = 0; t < n; t++) {
    a[t] = binary ? binary_score(4, t, 1) : continuous_score(4, t);
    b[t] = binary ? binary_score(5, t, 1) : continuous_score(5, t);
    ys_column_push(&ca, a[t]);
    ys_column_push(&cb, b[t]);
  }
  ys_paired x, y;
  ys_paired_compare(a, NULL, b, NULL, n, binary, 0.95, 17, &x);
  ys_paired_compare_columns(&ca, NULL, &cb, NULL, n, binary, 0.95, 17, &y);
  expect_same(&x, &y);
  ck_assert_uint_gt(x.wins, 0);
  ys_column_cleanup(&ca);
  ys_column_cleanup(&cb);
  free(a);
  free(b);
}

START_TEST(test_paired_binary_on_bits_matches_doubles)
{
  compare_both_ways(1, 1000);
}
END_TEST

START_TEST(test_paired_continuous_on_chunks_matches_doubles)
{
  compare_both_ways(0, 1000);
}
END_TEST

START_TEST(test_paired_across_chunks_matches_doubles)
{
  /* Across one chunk boundary: the resampling is the same code either
   * way, so more would only cost time. */
  compare_both_ways(1, YS_COLUMN_CHUNK + 123);
}
END_TEST

/* }====== */

static Suite *column_suite(void)
{
  Suite *s = suite_create("column");
  TCase *tc = tcase_create("storage");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_column_bits_read_back_as_pushed);
  tcase_add_test(tc, test_column_without_errors_has_no_unscored_bits);
  tcase_add_test(tc, test_column_doubles_read_back_as_pushed);
  tcase_add_test(tc, test_column_view_reads_the_array);
  suite_add_tcase(s, tc);

  tc = tcase_create("paired");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_paired_binary_on_bits_matches_doubles);
  tcase_add_test(tc, test_paired_continuous_on_chunks_matches_doubles);
  tcase_add_test(tc, test_paired_across_chunks_matches_doubles);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(column_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
