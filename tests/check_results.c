/* SPDX-License-Identifier: MIT */
/*
 * check_results.c: unit tests for reading a finished run back
 * (results.h, ys_results_open in yardstick.h) from small run directories
 * written by the tests: models and keys from summary.json, tasks aligned
 * on (id, repeat) across models, scores, outputs (cut on a character
 * boundary), errors, costs, the seed; and the errors for a missing file,
 * a malformed summary and a bad or torn samples.jsonl line. Uses Check.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"
#include "yardstick.h"

static char root[256]; /* removed by main: holds every test's directory */
static char tmp[320];  /* this test's run directory */

#define TOL 1e-12

/* The summary of a run of models a and b with keys acc (pass/fail) and
 * f1 (continuous). */
static const char SUMMARY[] =
  "{\"status\": \"complete\", \"models\": ["
  " {\"name\": \"a\", \"metrics\": {"
  "   \"acc\": {\"kind\": \"binary\", \"value\": 0.5},"
  "   \"f1\": {\"kind\": \"continuous\", \"value\": 0.4}}},"
  " {\"name\": \"b\", \"metrics\": {"
  "   \"acc\": {\"kind\": \"binary\"}, \"f1\": {\"kind\": \"continuous\"}}}"
  "]}\n";

static const char MANIFEST[] =
  "{\"run_id\": \"r\", \"options\": {\"seed\": 1234}}\n";

/* {====== fixtures and helpers ====== */

static void rm_rf(const char *path)
{
  struct stat st;
  if(lstat(path, &st) != 0)
    return;
  if(S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    while(d && (e = readdir(d))) {
      if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      char sub[1024];
      snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
      rm_rf(sub);
    }
    if(d)
      closedir(d);
    rmdir(path);
  }
  else
    unlink(path);
}

static void setup(void)
{
  snprintf(tmp, sizeof(tmp), "%s/run-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
  if(tmp[0])
    rm_rf(tmp);
  tmp[0] = '\0';
}

/* Writes tmp/name with text (NULL: removes it). */
static void spit(const char *name, const char *text)
{
  char path[700];
  snprintf(path, sizeof(path), "%s/%s", tmp, name);
  if(!text) {
    unlink(path);
    return;
  }
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot write %s", path);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

/* A run directory with the standard manifest and summary. */
static void write_run(const char *samples)
{
  spit("manifest.json", MANIFEST);
  spit("summary.json", SUMMARY);
  spit("samples.jsonl", samples);
}

static ys_results *open_ok(void)
{
  ys_results *r = NULL;
  ys_diag d;
  ys_err err = ys_results_open(tmp, &r, &d);
  ck_assert_msg(err == YS_OK, "cannot open the run: %s:%ld: %s", d.file,
                d.line, d.msg);
  ck_assert_ptr_nonnull(r);
  return r;
}

/* Opens the run, which must fail with err; returns the diag. */
static ys_diag open_fails(ys_err err)
{
  ys_results *r = (ys_results *)1;
  ys_diag d;
  ys_err got = ys_results_open(tmp, &r, &d);
  ck_assert_msg(got == err, "got error %d (%s), expected %d", (int)got,
                d.msg, (int)err);
  ck_assert_ptr_null(r);
  return d;
}

static int ends_with(const char *s, const char *tail)
{
  size_t n = strlen(s), m = strlen(tail);
  return n >= m && !strcmp(s + n - m, tail);
}

static double value(const ys_results *r, const char *model, const char *key,
                    size_t t)
{
  long m = ys_results_model(r, model), k = ys_results_key(r, key);
  ck_assert_int_ge(m, 0);
  ck_assert_int_ge(k, 0);
  return ys_results_column(r, (size_t)m, (size_t)k)[t];
}

/* }====== */

/* {====== a valid run ====== */

/* Three samples; q2 runs twice; b has no line for (q3, 1); lines are
 * not in task order. */
static const char SAMPLES[] =
  "{\"id\": \"q1\", \"model\": \"a\", \"repeat\": 1, \"output\": \"Paris\","
  " \"scores\": {\"acc\": 1, \"f1\": 0.5}, \"cost\": 0.002,"
  " \"latency_ms\": 12.5}\n"
  "{\"id\": \"q2\", \"model\": \"a\", \"repeat\": 1, \"output\": null,"
  " \"error\": \"timeout\", \"scores\": {}}\n"
  "{\"id\": \"q1\", \"model\": \"b\", \"repeat\": 1, \"output\": {\"x\": [1]},"
  " \"scores\": {\"acc\": 0, \"f1\": 0.25, \"unknown\": 9}}\n"
  "{\"id\": \"q2\", \"model\": \"a\", \"repeat\": 2, \"output\": \"again\","
  " \"scores\": {\"acc\": 1}}\n"
  "{\"id\": \"q3\", \"model\": \"a\", \"output\": 42,"
  " \"scores\": {\"acc\": 0, \"f1\": \"not a number\"}}\n"
  "{\"id\": \"q2\", \"model\": \"b\", \"repeat\": 2, \"output\": \"b2\","
  " \"scores\": {\"acc\": 1, \"f1\": 1}}\n"
  "{\"id\": \"q2\", \"model\": \"b\", \"repeat\": 1, \"output\": \"b1\","
  " \"scores\": {\"acc\": 0, \"f1\": 0}}\n";

START_TEST(test_results_reads_models_and_keys)
{
  write_run(SAMPLES);
  ys_results *r = open_ok();
  ck_assert_uint_eq(r->nmodels, 2);
  ck_assert_str_eq(r->models[0], "a");
  ck_assert_str_eq(r->models[1], "b");
  ck_assert_uint_eq(r->nkeys, 2);
  ck_assert_str_eq(r->keys[0], "acc");
  ck_assert_str_eq(r->keys[1], "f1");
  ck_assert_int_eq(r->binary[0], 1);
  ck_assert_int_eq(r->binary[1], 0);
  ck_assert_int_eq(ys_results_model(r, "b"), 1);
  ck_assert_int_eq(ys_results_model(r, "c"), -1);
  ck_assert_int_eq(ys_results_key(r, "f1"), 1);
  ck_assert_int_eq(ys_results_key(r, "unknown"), -1);
  ck_assert_uint_eq(r->seed, 1234);
  ck_assert_ptr_nonnull(r->manifest);
  ck_assert_ptr_nonnull(r->summary);
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_aligns_tasks_by_id_and_repeat)
{
  write_run(SAMPLES);
  ys_results *r = open_ok();
  /* Tasks in order of first appearance; repeat 1 when not given. */
  ck_assert_uint_eq(r->ntasks, 4);
  const char *ids[] = { "q1", "q2", "q2", "q3" };
  int reps[] = { 1, 1, 2, 1 };
  for(size_t t = 0; t < 4; t++) {
    ck_assert_str_eq(r->task_ids[t], ids[t]);
    ck_assert_int_eq(r->task_repeat[t], reps[t]);
  }
  /* a has every task, b all but q3. */
  for(size_t t = 0; t < 4; t++)
    ck_assert_int_eq(r->present[t], 1);
  ck_assert_int_eq(r->present[4 + 0], 1);
  ck_assert_int_eq(r->present[4 + 1], 1);
  ck_assert_int_eq(r->present[4 + 2], 1);
  ck_assert_int_eq(r->present[4 + 3], 0);
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_reads_scores_into_columns)
{
  write_run(SAMPLES);
  ys_results *r = open_ok();
  ck_assert_double_eq(value(r, "a", "acc", 0), 1);
  ck_assert_double_eq(value(r, "a", "f1", 0), 0.5);
  ck_assert(isnan(value(r, "a", "acc", 1))); /* errored, no score */
  ck_assert_double_eq(value(r, "a", "acc", 2), 1);
  ck_assert(isnan(value(r, "a", "f1", 2)));  /* not scored */
  ck_assert_double_eq(value(r, "a", "acc", 3), 0);
  ck_assert(isnan(value(r, "a", "f1", 3)));  /* not a number */
  ck_assert_double_eq(value(r, "b", "acc", 0), 0);
  ck_assert_double_eq(value(r, "b", "f1", 0), 0.25);
  /* (q2, 1) and (q2, 2) of b came in the other order. */
  ck_assert_double_eq(value(r, "b", "f1", 1), 0);
  ck_assert_double_eq(value(r, "b", "f1", 2), 1);
  ck_assert(isnan(value(r, "b", "acc", 3))); /* no line */
  /* The scores view shows the same columns. */
  ck_assert_uint_eq(r->scores.nmodels, 2);
  ck_assert_uint_eq(r->scores.nkeys, 2);
  ck_assert_uint_eq(r->scores.ntasks, 4);
  for(size_t m = 0; m < 2; m++)
    for(size_t k = 0; k < 2; k++)
      ck_assert_ptr_eq(r->scores.col[m * 2 + k].flat,
                       ys_results_column(r, m, k));
  ck_assert_ptr_eq(r->scores.present[1], r->present + 4);
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_reads_outputs_errors_and_costs)
{
  write_run(SAMPLES);
  ys_results *r = open_ok();
  const ys_task_result *a = r->tasks, *b = r->tasks + r->ntasks;
  ck_assert_str_eq(a[0].output, "Paris");
  ck_assert_ptr_null(a[0].error);
  ck_assert_double_eq_tol(a[0].cost, 0.002, TOL);
  ck_assert_double_eq_tol(a[0].latency_ms, 12.5, TOL);
  ck_assert_ptr_null(a[1].output);
  ck_assert_str_eq(a[1].error, "timeout");
  ck_assert(isnan(a[1].cost));
  ck_assert(isnan(a[1].latency_ms));
  ck_assert_str_eq(a[3].output, "42");         /* JSON text */
  ck_assert_str_eq(b[0].output, "{\"x\":[1]}");
  ck_assert_str_eq(b[1].output, "b1");
  ck_assert_str_eq(b[2].output, "b2");
  ck_assert_ptr_null(b[3].output);             /* no line */
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_accepts_blank_and_crlf_lines)
{
  write_run("\n"
            "{\"id\": \"q1\", \"model\": \"a\", \"scores\": {\"acc\": 1}}\r\n"
            "\r\n"
            "{\"id\": \"q1\", \"model\": \"b\", \"scores\": {\"acc\": 0}}");
  ys_results *r = open_ok();
  ck_assert_uint_eq(r->ntasks, 1);
  ck_assert_double_eq(value(r, "a", "acc", 0), 1);
  ck_assert_double_eq(value(r, "b", "acc", 0), 0);
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_seed_defaults_to_one)
{
  write_run(SAMPLES);
  spit("manifest.json", "{\"run_id\": \"r\"}");
  ys_results *r = open_ok();
  ck_assert_uint_eq(r->seed, 1);
  ys_results_free(r);
}
END_TEST

START_TEST(test_results_dir_drops_trailing_slashes)
{
  write_run(SAMPLES);
  char dir[400];
  snprintf(dir, sizeof(dir), "%s//", tmp);
  ys_results *r = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_results_open(dir, &r, &d), YS_OK);
  ck_assert_str_eq(ys_results_dir(r), tmp);
  ys_results_free(r);
  ys_results_free(NULL);
}
END_TEST

/* The output kept for a string of n bytes: the bytes up to the cut, then
 * an ellipsis. */
static void ck_cut(size_t n, const char *fill_to, size_t kept)
{
  char *line = malloc(n + 200), *text = malloc(n + 1);
  size_t len = strlen(fill_to);
  for(size_t i = 0; i < n; i++)
    text[i] = 'x';
  if(len)
    memcpy(text + n - len, fill_to, len);
  text[n] = '\0';
  snprintf(line, n + 200, "{\"id\": \"q\", \"model\": \"a\", "
           "\"output\": \"%s\"}\n", text);
  write_run(line);
  ys_results *r = open_ok();
  const char *out = r->tasks[0].output;
  ck_assert_ptr_nonnull(out);
  if(kept == n)
    ck_assert_str_eq(out, text);
  else {
    ck_assert_msg(strlen(out) == kept + 3, "%zu bytes: kept %zu, expected "
                  "%zu and an ellipsis", n, strlen(out), kept);
    ck_assert_int_eq(memcmp(out, text, kept), 0);
    ck_assert_str_eq(out + kept, "\xe2\x80\xa6");
  }
  ys_results_free(r);
  free(text);
  free(line);
}

START_TEST(test_results_cuts_long_outputs)
{
  ck_assert_int_eq(YS_RESULTS_OUTPUT_MAX, 2000);
  ck_cut(1999, "", 1999);
  ck_cut(2000, "", 2000);
  /* Just over the limit: the ellipsis needs more room than the bytes
   * cut off. */
  ck_cut(2001, "", 2000);
  ck_cut(2002, "", 2000);
  ck_cut(2003, "", 2000);
  ck_cut(10000, "", 2000);
}
END_TEST

START_TEST(test_results_cuts_outputs_on_a_character_boundary)
{
  /* A 2-byte character across the limit goes whole. */
  ck_cut(2001, "\xc3\xa9", 1999);
  /* A 4-byte one starting just before it too. */
  ck_cut(2002, "\xf0\x9d\x84\x9e", 1998);
  /* One ending exactly at the limit stays. */
  char text[8];
  snprintf(text, sizeof(text), "%s", "\xc3\xa9yy");
  ck_cut(2002, text, 2000);
}
END_TEST

/* }====== */

/* {====== broken runs ====== */

START_TEST(test_results_missing_summary_is_usage_error)
{
  write_run(SAMPLES);
  spit("summary.json", NULL);
  ys_diag d = open_fails(YS_ERR_USAGE);
  ck_assert_msg(ends_with(d.file, "/summary.json"), "file: %s", d.file);
  ck_assert_msg(strstr(d.msg, "finished run directory") != NULL, "%s",
                d.msg);
}
END_TEST

START_TEST(test_results_missing_manifest_or_samples_is_usage_error)
{
  write_run(SAMPLES);
  spit("manifest.json", NULL);
  ys_diag d = open_fails(YS_ERR_USAGE);
  ck_assert_msg(ends_with(d.file, "/manifest.json"), "file: %s", d.file);
  write_run(SAMPLES);
  spit("samples.jsonl", NULL);
  d = open_fails(YS_ERR_USAGE);
  ck_assert_msg(ends_with(d.file, "/samples.jsonl"), "file: %s", d.file);
}
END_TEST

START_TEST(test_results_not_a_directory_is_usage_error)
{
  ys_results *r = (ys_results *)1;
  ys_diag d;
  ck_assert_int_eq(ys_results_open("/nonexistent/run", &r, &d),
                   YS_ERR_USAGE);
  ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_results_malformed_summary_is_data_error)
{
  write_run(SAMPLES);
  spit("summary.json", "{\"models\": [");
  ys_diag d = open_fails(YS_ERR_DATA);
  ck_assert_msg(ends_with(d.file, "/summary.json"), "file: %s", d.file);
  spit("summary.json", "[1, 2]");
  open_fails(YS_ERR_DATA);
  spit("summary.json", "{\"models\": []}");
  d = open_fails(YS_ERR_DATA);
  ck_assert_msg(strstr(d.msg, "no models") != NULL, "%s", d.msg);
  spit("summary.json", "{\"models\": [{\"metrics\": {}}]}");
  d = open_fails(YS_ERR_DATA);
  ck_assert_msg(strstr(d.msg, "without a name") != NULL, "%s", d.msg);
}
END_TEST

START_TEST(test_results_torn_last_line_is_data_error_with_line)
{
  /* A run killed mid-write leaves a last line without its end. */
  write_run("{\"id\": \"q1\", \"model\": \"a\", \"scores\": {\"acc\": 1}}\n"
            "{\"id\": \"q1\", \"model\": \"b\", \"scores\": {\"acc\": 0}}\n"
            "{\"id\": \"q2\", \"model\": \"a\", \"sco");
  ys_diag d = open_fails(YS_ERR_DATA);
  ck_assert_msg(ends_with(d.file, "/samples.jsonl"), "file: %s", d.file);
  ck_assert_int_eq(d.line, 3);
  ck_assert_msg(strstr(d.msg, "cut short") != NULL, "%s", d.msg);
}
END_TEST

START_TEST(test_results_bad_line_is_data_error_with_line)
{
  write_run("{\"id\": \"q1\", \"model\": \"a\"}\n"
            "not json\n"
            "{\"id\": \"q1\", \"model\": \"b\"}\n");
  ys_diag d = open_fails(YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_msg(strstr(d.msg, "invalid JSON") != NULL, "%s", d.msg);
  ck_assert_msg(strstr(d.msg, "cut short") == NULL, "%s", d.msg);
}
END_TEST

START_TEST(test_results_line_without_id_or_model_is_data_error)
{
  write_run("{\"id\": \"q1\", \"model\": \"a\"}\n"
            "{\"model\": \"a\"}\n");
  ck_assert_int_eq(open_fails(YS_ERR_DATA).line, 2);
  write_run("{\"id\": 7, \"model\": \"a\"}\n");
  ck_assert_int_eq(open_fails(YS_ERR_DATA).line, 1);
  write_run("[\"q1\", \"a\"]\n");
  ck_assert_int_eq(open_fails(YS_ERR_DATA).line, 1);
}
END_TEST

START_TEST(test_results_unknown_model_is_data_error)
{
  write_run("{\"id\": \"q1\", \"model\": \"a\"}\n"
            "{\"id\": \"q1\", \"model\": \"zed\"}\n");
  ys_diag d = open_fails(YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_msg(strstr(d.msg, "'zed'") != NULL, "%s", d.msg);
}
END_TEST

START_TEST(test_results_no_samples_is_data_error)
{
  write_run("");
  ys_diag d = open_fails(YS_ERR_DATA);
  ck_assert_msg(strstr(d.msg, "no samples") != NULL, "%s", d.msg);
  write_run("\n\n");
  open_fails(YS_ERR_DATA);
}
END_TEST

/* }====== */

static Suite *results_suite(void)
{
  Suite *s = suite_create("results");

  TCase *tc = tcase_create("valid");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_results_reads_models_and_keys);
  tcase_add_test(tc, test_results_aligns_tasks_by_id_and_repeat);
  tcase_add_test(tc, test_results_reads_scores_into_columns);
  tcase_add_test(tc, test_results_reads_outputs_errors_and_costs);
  tcase_add_test(tc, test_results_accepts_blank_and_crlf_lines);
  tcase_add_test(tc, test_results_seed_defaults_to_one);
  tcase_add_test(tc, test_results_dir_drops_trailing_slashes);
  tcase_add_test(tc, test_results_cuts_long_outputs);
  tcase_add_test(tc, test_results_cuts_outputs_on_a_character_boundary);
  suite_add_tcase(s, tc);

  tc = tcase_create("broken");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_results_missing_summary_is_usage_error);
  tcase_add_test(tc, test_results_missing_manifest_or_samples_is_usage_error);
  tcase_add_test(tc, test_results_not_a_directory_is_usage_error);
  tcase_add_test(tc, test_results_malformed_summary_is_data_error);
  tcase_add_test(tc, test_results_torn_last_line_is_data_error_with_line);
  tcase_add_test(tc, test_results_bad_line_is_data_error_with_line);
  tcase_add_test(tc, test_results_line_without_id_or_model_is_data_error);
  tcase_add_test(tc, test_results_unknown_model_is_data_error);
  tcase_add_test(tc, test_results_no_samples_is_data_error);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(results_suite());
  /* Tests work in directories under root, which goes at the end even
   * when a forked test failed before its teardown. */
  snprintf(root, sizeof(root), "%s/ys-check-results-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if(!mkdtemp(root)) {
    perror("check_results: mkdtemp");
    return EXIT_FAILURE;
  }
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_rf(root);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
