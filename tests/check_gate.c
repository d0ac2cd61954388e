/* SPDX-License-Identifier: MIT */
/*
 * check_gate.c: unit tests for gate evaluation (gate.h) on a hand-made
 * summary and score columns: every kind of gate passing, failing and on
 * its border, Holm's adjustment across beats gates, gates that cannot be
 * evaluated, verdicts read back, the same verdicts from columns stored as
 * bits and chunks, and the one-line descriptions. Uses Check; run by
 * `make check`.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "xalloc.h"

/* {====== fixtures ====== */

/* Three models over 100 tasks, one binary key "em" and one continuous
 * key "f1":
 *   a: em right on 90 tasks (t % 10 != 0); f1 = 0.8
 *   b: em right on 75 (t % 4 != 0);         f1 = 0.6
 *   c: like a but wrong on 8 more (t % 25 == 1 -> 4 tasks) and right on
 *      5 of a's misses (t % 20 == 0); f1 = 0.8 - 0.001 */
#define NT 100
static double col[3][2][NT];
static const char *model_names[] = { "a", "b", "c" };
static const char *key_names[] = { "em", "f1" };
static const int binary[] = { 1, 0 };
static ys_column cols[6];
static ys_scores sc;
static cJSON *summary;

static void fill(void)
{
  for(int t = 0; t < NT; t++) {
    col[0][0][t] = t % 10 != 0;
    col[1][0][t] = t % 4 != 0;
    col[2][0][t] = (t % 10 != 0 && t % 25 != 1) || t % 20 == 0;
    col[0][1][t] = 0.8;
    col[1][1][t] = 0.6;
    col[2][1][t] = 0.799;
  }
  for(int m = 0; m < 3; m++)
    for(int k = 0; k < 2; k++)
      cols[m * 2 + k] = ys_column_view(col[m][k], NT);
  sc = (ys_scores){ 3, 2, NT, model_names, key_names, binary, cols, NULL };
}

static void setup(void)
{
  fill();
  summary = cJSON_Parse(
    "{\"models\": ["
    " {\"name\": \"a\", \"tasks\": 100, \"errors\": 1, \"score_errors\": 1,"
    "  \"usage\": {\"cost_per_1k_samples\": 2.5},"
    "  \"latency_ms\": {\"p95\": 800},"
    "  \"metrics\": {\"em\": {\"value\": 0.9, \"ci95\": [0.826, 0.945],"
    "                        \"n\": 100},"
    "               \"f1\": {\"value\": 0.8, \"ci95\": [0.8, 0.8], \"n\": 100},"
    "               \"p95\": {\"value\": 12, \"n\": 100}}},"
    " {\"name\": \"b\", \"tasks\": 100, \"errors\": 0, \"score_errors\": 0,"
    "  \"usage\": {\"cost_per_1k_samples\": 30},"
    "  \"latency_ms\": {\"p95\": null},"
    "  \"metrics\": {\"em\": {\"value\": 0.75, \"n\": 100}}},"
    " {\"name\": \"c\", \"tasks\": 0, \"errors\": 0, \"score_errors\": 0,"
    "  \"usage\": {\"cost_per_1k_samples\": 0, \"priced\": false},"
    "  \"latency_ms\": {\"p95\": 10},"
    "  \"metrics\": {\"em\": {\"value\": null, \"n\": 0}}}],"
    " \"baselines\": [{\"name\": \"human\", \"metric\": \"em\","
    "                  \"value\": 0.76},"
    "                 {\"name\": \"high\", \"metric\": \"em\","
    "                  \"value\": 0.85}]}");
  ck_assert_ptr_nonnull(summary);
}

static void teardown(void)
{
  cJSON_Delete(summary);
}

static ys_gate range(const char *model, const char *metric, int has_min,
                     double min, int has_max, double max, ys_gate_bound b)
{
  ys_gate g = { YS_GATE_RANGE, (char *)model, (char *)metric, NULL, has_min,
                has_max, min, max, b, 0, 0, (char *)"" };
  return g;
}

static ys_gate vs(ys_gate_kind kind, const char *model, const char *other,
                  const char *metric, double margin)
{
  ys_gate g = { kind, (char *)model, (char *)metric, (char *)other, 0, 0, 0,
                0, YS_BOUND_VALUE, YS_GATE_ALPHA, margin, (char *)"" };
  return g;
}

static ys_gate limit(ys_gate_kind kind, const char *model, double max)
{
  ys_gate g = { kind, (char *)model, NULL, NULL, 0, 1, 0, max,
                YS_BOUND_VALUE, 0, 0, (char *)"" };
  return g;
}

/* Evaluates one gate; returns its verdict (owned by *all). */
static const cJSON *eval1(ys_gate g, cJSON **all)
{
  int failed = -1;
  *all = ys_gates_eval(&g, 1, summary, &sc, 1, &failed);
  ck_assert_int_eq(cJSON_GetArraySize(*all), 1);
  const cJSON *v = cJSON_GetArrayItem(*all, 0);
  ck_assert_int_eq(failed, !cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  return v;
}

static int passes(ys_gate g)
{
  cJSON *all;
  const cJSON *v = eval1(g, &all);
  int pass = cJSON_IsTrue(cJSON_GetObjectItem(v, "pass"));
  cJSON_Delete(all);
  return pass;
}

static double numf(const cJSON *v, const char *k)
{
  const cJSON *x = cJSON_GetObjectItem(v, k);
  ck_assert_msg(cJSON_IsNumber(x), "'%s' is not a number", k);
  return x->valuedouble;
}

static const char *errf(const cJSON *v)
{
  const cJSON *x = cJSON_GetObjectItem(v, "error");
  return cJSON_IsString(x) ? x->valuestring : "";
}

/* }====== */

/* {====== thresholds ====== */

START_TEST(test_min_on_value_pass_fail_and_border)
{
  ck_assert(passes(range("a", "em", 1, 0.85, 0, 0, YS_BOUND_VALUE)));
  ck_assert(passes(range("a", "em", 1, 0.9, 0, 0, YS_BOUND_VALUE)));
  ck_assert(!passes(range("a", "em", 1, 0.9000001, 0, 0, YS_BOUND_VALUE)));
  ck_assert(passes(range("a", "em", 0, 0, 1, 0.9, YS_BOUND_VALUE)));
  ck_assert(!passes(range("a", "em", 0, 0, 1, 0.89, YS_BOUND_VALUE)));
  ck_assert(passes(range("a", "em", 1, 0.5, 1, 0.95, YS_BOUND_VALUE)));
}
END_TEST

/* On the interval's bound: 0.9 >= 0.85 on the value, but the lower bound
 * 0.826 is below. */
START_TEST(test_min_on_lower_bound)
{
  cJSON *all;
  const cJSON *v = eval1(range("a", "em", 1, 0.85, 0, 0, YS_BOUND_LOWER),
                         &all);
  ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_double_eq(numf(v, "value"), 0.826);
  ck_assert_double_eq(numf(v, "estimate"), 0.9);
  ck_assert_str_eq(cJSON_GetObjectItem(v, "bound")->valuestring, "lower");
  cJSON_Delete(all);
  ck_assert(passes(range("a", "em", 1, 0.826, 0, 0, YS_BOUND_LOWER)));
  ck_assert(passes(range("a", "em", 0, 0, 1, 0.945, YS_BOUND_UPPER)));
  ck_assert(!passes(range("a", "em", 0, 0, 1, 0.94, YS_BOUND_UPPER)));
}
END_TEST

START_TEST(test_threshold_without_value_or_interval_fails)
{
  cJSON *all;
  const cJSON *v = eval1(range("c", "em", 1, 0, 0, 0, YS_BOUND_VALUE), &all);
  ck_assert_str_eq(errf(v), "no samples were scored");
  cJSON_Delete(all);
  v = eval1(range("b", "em", 1, 0.1, 0, 0, YS_BOUND_LOWER), &all);
  ck_assert_str_eq(errf(v), "the metric has no interval");
  cJSON_Delete(all);
  v = eval1(range("zed", "em", 1, 0.1, 0, 0, YS_BOUND_VALUE), &all);
  ck_assert_str_eq(errf(v), "the run has no such model");
  cJSON_Delete(all);
  v = eval1(range("a", "nope", 1, 0.1, 0, 0, YS_BOUND_VALUE), &all);
  ck_assert_str_eq(errf(v), "the run has no such metric for this model");
  cJSON_Delete(all);
}
END_TEST

/* }====== */

/* {====== beats and not_worse_than ====== */

/* a vs b on em: a right and b wrong on t%4==0 && t%10!=0 (20 tasks), the
 * reverse on t%10==0 && t%4!=0 (5 tasks): McNemar p = 2 P(X <= 5 | 25,
 * 1/2) = 0.004077... */
START_TEST(test_beats_binary_uses_mcnemar)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_BEATS, "a", "b", "em", 0), &all);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_str_eq(cJSON_GetObjectItem(v, "method")->valuestring,
                   "mcnemar");
  ck_assert_double_eq(numf(v, "wins"), 20);
  ck_assert_double_eq(numf(v, "losses"), 5);
  ck_assert_double_eq(numf(v, "n"), 100);
  ck_assert_double_eq_tol(numf(v, "diff"), 0.15, 1e-9);
  ck_assert_double_eq_tol(numf(v, "p"), 0.004077315, 1e-9);
  ck_assert_double_eq_tol(numf(v, "p_holm"), 0.004077315, 1e-9);
  cJSON_Delete(all);
  /* The other way round: a difference, but negative. */
  ck_assert(!passes(vs(YS_GATE_BEATS, "b", "a", "em", 0)));
}
END_TEST

/* a vs c differ on 9 tasks (4 and 5): not significant, so a does not beat
 * c (a border case of "better on the point estimate"). */
START_TEST(test_beats_needs_significance)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_BEATS, "c", "a", "em", 0), &all);
  ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_double_eq(numf(v, "wins"), 5);
  ck_assert_double_eq(numf(v, "losses"), 4);
  ck_assert_double_eq_tol(numf(v, "p"), 1, 1e-12);
  cJSON_Delete(all);
}
END_TEST

/* Continuous: a constant 0.2 above b, so every resample says so. */
START_TEST(test_beats_continuous_uses_paired_bootstrap)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_BEATS, "a", "b", "f1", 0), &all);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_str_eq(cJSON_GetObjectItem(v, "method")->valuestring,
                   "paired bootstrap");
  ck_assert_double_eq_tol(numf(v, "diff"), 0.2, 1e-9);
  ck_assert_double_eq_tol(numf(v, "p"), 2.0 / 2001, 1e-9); /* tidied */
  cJSON_Delete(all);
}
END_TEST

/* Two beats gates form one family: Holm doubles the smaller p. With one
 * p of 0.03 alone a gate at alpha 0.05 holds; beside a second hypothesis
 * it must clear 0.025. Here: a beats b (p 0.0041, Holm 0.0082) and c
 * beats a (p 1). */
START_TEST(test_holm_across_beats_gates)
{
  ys_gate g[2] = { vs(YS_GATE_BEATS, "a", "b", "em", 0),
                   vs(YS_GATE_BEATS, "c", "a", "em", 0) };
  int failed;
  cJSON *all = ys_gates_eval(g, 2, summary, &sc, 1, &failed);
  ck_assert_int_eq(failed, 1);
  const cJSON *v = cJSON_GetArrayItem(all, 0);
  ck_assert_double_eq_tol(numf(v, "p_holm"), 2 * 0.004077315, 1e-8);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  cJSON_Delete(all);
  /* alpha 0.005: alone 0.0041 holds; with Holm 0.0082 it does not. */
  g[0].alpha = 0.005;
  ck_assert(passes(g[0]));
  all = ys_gates_eval(g, 2, summary, &sc, 1, &failed);
  ck_assert_int_eq(failed, 2);
  cJSON_Delete(all);
}
END_TEST

/* c against a on em: difference -0.01 (5 - 4 of 100 the other way...):
 * with a margin of 0.1 the interval's lower bound is well above -0.1;
 * with a margin of 0 it is not. */
START_TEST(test_not_worse_than_with_margin)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_NOT_WORSE, "c", "a", "em", 0.1), &all);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_double_eq_tol(numf(v, "diff"), 0.01, 1e-9);
  const cJSON *ci = cJSON_GetObjectItem(v, "diff_ci");
  double lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
  ck_assert_msg(lo < 0 && lo > -0.1, "lower bound %g", lo);
  cJSON_Delete(all);
  ck_assert(!passes(vs(YS_GATE_NOT_WORSE, "c", "a", "em", 0)));
  /* b is 0.15 below a: not within 0.1. */
  ck_assert(!passes(vs(YS_GATE_NOT_WORSE, "b", "a", "em", 0.1)));
  /* The border: the lower bound exactly at -margin does not pass. */
  v = eval1(vs(YS_GATE_NOT_WORSE, "c", "a", "em", 0.1), &all);
  lo = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "diff_ci"), 0)->valuedouble;
  cJSON_Delete(all);
  ck_assert(!passes(vs(YS_GATE_NOT_WORSE, "c", "a", "em", -lo)));
  ck_assert(passes(vs(YS_GATE_NOT_WORSE, "c", "a", "em", -lo + 1e-6)));
}
END_TEST

/* Against a baseline value: a's Wilson interval on 90/100 is [0.826,
 * 0.945] at 95%: above 0.76, not above 0.85. */
START_TEST(test_beats_and_not_worse_than_a_baseline)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_BEATS, "a", "human", "em", 0), &all);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass")));
  ck_assert_str_eq(cJSON_GetObjectItem(v, "method")->valuestring, "wilson");
  ck_assert_double_eq(numf(v, "baseline"), 0.76);
  ck_assert_double_eq_tol(numf(v, "estimate"), 0.9, 1e-12);
  double lo = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "ci"),
                                 0)->valuedouble;
  ck_assert_double_eq_tol(lo, 0.825635, 1e-6);
  cJSON_Delete(all);
  ck_assert(!passes(vs(YS_GATE_BEATS, "a", "high", "em", 0)));
  ck_assert(passes(vs(YS_GATE_NOT_WORSE, "a", "high", "em", 0.03)));
  ck_assert(!passes(vs(YS_GATE_NOT_WORSE, "a", "high", "em", 0.02)));
}
END_TEST

START_TEST(test_comparison_without_scores_fails)
{
  cJSON *all;
  const cJSON *v = eval1(vs(YS_GATE_BEATS, "a", "zed", "em", 0), &all);
  ck_assert_str_eq(errf(v), "the run has no such model or baseline to "
                   "compare with");
  cJSON_Delete(all);
  /* Every task of a missing from the stored run. */
  unsigned char none[NT] = { 0 }, all1[NT];
  memset(all1, 1, sizeof(all1));
  const unsigned char *present[3] = { none, all1, all1 };
  sc.present = present;
  v = eval1(vs(YS_GATE_BEATS, "a", "b", "em", 0), &all);
  ck_assert_str_eq(errf(v), "no sample was scored for both models");
  ck_assert_double_eq(numf(v, "n"), 0);
  cJSON_Delete(all);
  sc.present = NULL;
}
END_TEST

/* }====== */

/* {====== limits ====== */

START_TEST(test_error_rate_limit)
{
  cJSON *all;
  const cJSON *v = eval1(limit(YS_GATE_ERROR_RATE, "a", 0.02), &all);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "pass"))); /* 2/100 */
  ck_assert_double_eq(numf(v, "value"), 0.02);
  ck_assert_double_eq(numf(v, "errors"), 2);
  cJSON_Delete(all);
  ck_assert(!passes(limit(YS_GATE_ERROR_RATE, "a", 0.019)));
  ck_assert(passes(limit(YS_GATE_ERROR_RATE, "b", 0)));
  v = eval1(limit(YS_GATE_ERROR_RATE, "c", 1), &all);
  ck_assert_str_eq(errf(v), "the model ran no tasks");
  cJSON_Delete(all);
}
END_TEST

START_TEST(test_cost_and_latency_limits)
{
  ck_assert(passes(limit(YS_GATE_COST, "a", 2.5)));
  ck_assert(!passes(limit(YS_GATE_COST, "b", 29.99)));
  ck_assert(!passes(limit(YS_GATE_COST, "c", 100)));
  cJSON *all;
  const cJSON *v = eval1(limit(YS_GATE_COST, "c", 100), &all);
  ck_assert_str_eq(errf(v), "the model has no price (price = { input =, "
                   "output = }), so its cost is unknown");
  cJSON_Delete(all);
  ck_assert(passes(limit(YS_GATE_LATENCY, "a", 800)));
  ck_assert(!passes(limit(YS_GATE_LATENCY, "a", 799)));
  v = eval1(limit(YS_GATE_LATENCY, "b", 1e9), &all);
  ck_assert_str_eq(errf(v), "no task of the model succeeded");
  cJSON_Delete(all);
}
END_TEST

/* }====== */

/* {====== verdicts read back and described ====== */

START_TEST(test_verdicts_read_back_give_the_same_verdicts)
{
  ys_gate g[6] = {
    range("a", "em", 1, 0.85, 1, 0.95, YS_BOUND_LOWER),
    vs(YS_GATE_BEATS, "a", "b", "em", 0),
    vs(YS_GATE_NOT_WORSE, "c", "a", "em", 0.1),
    limit(YS_GATE_ERROR_RATE, "a", 0.01),
    limit(YS_GATE_COST, "a", 3),
    limit(YS_GATE_LATENCY, "a", 900),
  };
  g[1].alpha = 0.01;
  int failed, failed2;
  cJSON *first = ys_gates_eval(g, 6, summary, &sc, 7, &failed);
  ys_gate back[6];
  size_t i = 0;
  for(const cJSON *v = first->child; v; v = v->next, i++) {
    ys_diag d;
    ck_assert_int_eq(ys_gate_from_json(v, &back[i], &d), YS_OK);
  }
  ck_assert_uint_eq(i, 6);
  ck_assert_int_eq(back[0].bound, YS_BOUND_LOWER);
  ck_assert_double_eq(back[1].alpha, 0.01);
  ck_assert_double_eq(back[2].margin, 0.1);
  cJSON *second = ys_gates_eval(back, 6, summary, &sc, 7, &failed2);
  ck_assert_int_eq(failed, failed2);
  ck_assert(cJSON_Compare(first, second, 1));
  for(i = 0; i < 6; i++)
    ys_gate_clear(&back[i]);
  cJSON_Delete(first);
  cJSON_Delete(second);
}
END_TEST

/* A run keeps binary keys as bits and continuous ones in chunks of
 * doubles: every comparison gives the verdict the same scores give as
 * plain doubles (a stored run read back), to the last digit. */
START_TEST(test_stored_columns_give_the_same_verdicts)
{
  col[1][0][3] = NAN; /* b's em not scored on task 3: a failure */
  col[2][1][7] = NAN; /* c's f1 not scored on task 7: left out */
  ys_column stored[6];
  for(int m = 0; m < 3; m++)
    for(int k = 0; k < 2; k++) {
      ys_column_init(&stored[m * 2 + k], binary[k]);
      for(int t = 0; t < NT; t++)
        ys_column_push(&stored[m * 2 + k], col[m][k][t]);
    }
  ck_assert_ptr_nonnull(stored[2].bits);
  ck_assert_ptr_nonnull(stored[5].dbl);
  ys_gate g[8] = {
    vs(YS_GATE_BEATS, "a", "b", "em", 0),
    vs(YS_GATE_BEATS, "a", "b", "f1", 0),
    vs(YS_GATE_BEATS, "c", "a", "em", 0),
    vs(YS_GATE_NOT_WORSE, "c", "a", "em", 0.1),
    vs(YS_GATE_NOT_WORSE, "c", "a", "f1", 0.01),
    vs(YS_GATE_BEATS, "a", "human", "em", 0),
    vs(YS_GATE_NOT_WORSE, "b", "high", "em", 0.2),
    vs(YS_GATE_BEATS, "c", "human", "f1", 0),
  };
  int failed, failed2;
  cJSON *plain = ys_gates_eval(g, 8, summary, &sc, 7, &failed);
  ys_scores bits = sc;
  bits.col = stored;
  cJSON *kept = ys_gates_eval(g, 8, summary, &bits, 7, &failed2);
  ck_assert_int_eq(failed, failed2);
  ck_assert(cJSON_Compare(plain, kept, 1));
  for(int i = 0; i < 6; i++)
    ys_column_cleanup(&stored[i]);
  cJSON_Delete(plain);
  cJSON_Delete(kept);
}
END_TEST

START_TEST(test_bad_stored_verdict_is_an_error)
{
  static const char *bad[] = {
    "{\"kind\": \"faster\", \"model\": \"a\"}",
    "{\"model\": \"a\"}",
    "{\"kind\": \"beats\", \"model\": \"a\", \"metric\": \"em\"}",
    "{\"kind\": \"threshold\", \"model\": \"a\", \"metric\": \"em\"}",
    ("{\"kind\": \"not_worse_than\", \"model\": \"a\", \"metric\": \"em\","
     " \"other\": \"b\", \"alpha\": 0.05}"),
    "{\"kind\": \"max_error_rate\", \"model\": \"a\"}",
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cJSON *v = cJSON_Parse(bad[i]);
    ys_gate g;
    ys_diag d;
    ck_assert_int_eq(ys_gate_from_json(v, &g, &d), YS_ERR_DATA);
    ck_assert_ptr_null(g.model);
    cJSON_Delete(v);
  }
}
END_TEST

static void expect_describe(ys_gate g, const char *want)
{
  cJSON *all;
  const cJSON *v = eval1(g, &all);
  char *line = ys_gate_describe(v);
  ck_assert_str_eq(line, want);
  free(line);
  cJSON_Delete(all);
}

START_TEST(test_descriptions)
{
  expect_describe(range("a", "em", 1, 0.85, 0, 0, YS_BOUND_LOWER),
                  "a em (lower bound) >= 0.85: 0.9 [0.826, 0.945], n=100");
  expect_describe(range("a", "em", 1, 0.5, 1, 0.95, YS_BOUND_VALUE),
                  "a em in [0.5, 0.95]: 0.9 [0.826, 0.945], n=100");
  expect_describe(vs(YS_GATE_BEATS, "c", "a", "em", 0),
                  "c beats a on em: difference +0.01 [-0.05, 0.07] at 95%, "
                  "p=1, 5 better / 4 worse of 100 pairs (mcnemar)");
  expect_describe(vs(YS_GATE_NOT_WORSE, "a", "high", "em", 0.03),
                  "a is not worse than high (0.85) by more than 0.03 on em: "
                  "0.9 [0.8256, 0.9448] at 95%, n=100");
  expect_describe(limit(YS_GATE_ERROR_RATE, "a", 0.01),
                  "a error rate <= 0.01: 0.02 (2 of 100 tasks)");
  expect_describe(limit(YS_GATE_COST, "a", 3),
                  "a cost per 1,000 samples <= 3: 2.5");
  expect_describe(limit(YS_GATE_LATENCY, "b", 10),
                  "b p95 latency <= 10 ms: no task of the model succeeded");
}
END_TEST

/* }====== */

static Suite *gate_suite(void)
{
  Suite *s = suite_create("gate");
  TCase *tc = tcase_create("thresholds");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_min_on_value_pass_fail_and_border);
  tcase_add_test(tc, test_min_on_lower_bound);
  tcase_add_test(tc, test_threshold_without_value_or_interval_fails);
  suite_add_tcase(s, tc);

  tc = tcase_create("comparisons");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_beats_binary_uses_mcnemar);
  tcase_add_test(tc, test_beats_needs_significance);
  tcase_add_test(tc, test_beats_continuous_uses_paired_bootstrap);
  tcase_add_test(tc, test_holm_across_beats_gates);
  tcase_add_test(tc, test_not_worse_than_with_margin);
  tcase_add_test(tc, test_beats_and_not_worse_than_a_baseline);
  tcase_add_test(tc, test_comparison_without_scores_fails);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_error_rate_limit);
  tcase_add_test(tc, test_cost_and_latency_limits);
  suite_add_tcase(s, tc);

  tc = tcase_create("verdicts");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_verdicts_read_back_give_the_same_verdicts);
  tcase_add_test(tc, test_stored_columns_give_the_same_verdicts);
  tcase_add_test(tc, test_bad_stored_verdict_is_an_error);
  tcase_add_test(tc, test_descriptions);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(gate_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
