/* SPDX-License-Identifier: MIT */
/*
 * check_template.c: unit tests for `{{field}}` prompt templates
 * (template.h): compile errors, field names and their order, rendering of
 * each JSON type, missing and null fields, and literal text that merely
 * contains braces. Uses Check and cJSON; run by `make check`.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "template.h"

/* Compiles src or fails the test. */
static ys_template *compile(const char *src)
{
  ys_template *t = NULL;
  ys_diag diag;
  ys_diag_clear(&diag);
  ys_err err = ys_template_compile(src, &t, &diag);
  ck_assert_msg(err == YS_OK, "compile '%s': %s", src, diag.msg);
  ck_assert_ptr_nonnull(t);
  return t;
}

/* Expects src not to compile, as the contract says. */
static void assert_compile_error(const char *src)
{
  static char sentinel;
  ys_template *t = (ys_template *)(void *)&sentinel; /* must become NULL */
  ys_diag diag;
  ys_diag_clear(&diag);
  ys_err err = ys_template_compile(src, &t, &diag);
  if(err == YS_OK)
    ys_template_free(t);
  ck_assert_msg(err == YS_ERR_SUITE, "'%s' compiled (err %d)", src,
                (int)err);
  ck_assert_ptr_null(t);
  ck_assert_msg(diag.msg[0] != '\0', "no message for '%s'", src);
  ck_assert_str_eq(diag.file, "");
  ck_assert_int_eq(diag.line, 0);
}

/* Renders template src for the JSON row; returns the text (owned) and
 * fails the test on any error. */
static char *render(const char *src, const char *row_json)
{
  ys_template *t = compile(src);
  cJSON *row = cJSON_Parse(row_json);
  ck_assert_ptr_nonnull(row);
  ys_buf out;
  ys_buf_init(&out, 1 << 16);
  const char *missing = NULL;
  ys_err err = ys_template_render(t, row, &out, &missing);
  cJSON_Delete(row);
  ys_template_free(t);
  if(err != YS_OK) {
    ys_buf_free(&out);
    ck_abort_msg("render '%s' failed with %d", src, (int)err);
  }
  return ys_buf_take(&out, NULL);
}

static void assert_render(const char *src, const char *row,
                          const char *want)
{
  char *got = render(src, row);
  char copy[1024];
  snprintf(copy, sizeof(copy), "%s", got);
  free(got);
  ck_assert_str_eq(copy, want);
}

/* Renders src for row expecting a missing field; returns it (copied into
 * name). */
static void render_missing(const char *src, const char *row_json,
                           char *name, size_t len)
{
  ys_template *t = compile(src);
  cJSON *row = cJSON_Parse(row_json);
  ck_assert_ptr_nonnull(row);
  ys_buf out;
  ys_buf_init(&out, 1 << 16);
  const char *missing = NULL;
  ys_err err = ys_template_render(t, row, &out, &missing);
  snprintf(name, len, "%s", missing ? missing : "(null)");
  ys_buf_free(&out);
  cJSON_Delete(row);
  ys_template_free(t);
  ck_assert_int_eq(err, YS_ERR_DATA);
}

/* {====== compiling ====== */

START_TEST(test_template_compile_unclosed_braces_fails)
{
  assert_compile_error("Question: {{question");
  assert_compile_error("{{a}} and {{b");
  assert_compile_error("{{a}");
  assert_compile_error("{{");
}
END_TEST

START_TEST(test_template_compile_empty_name_fails)
{
  assert_compile_error("{{}}");
  assert_compile_error("x {{   }} y");
  assert_compile_error("{{\t}}");
}
END_TEST

START_TEST(test_template_compile_accepts_null_diag)
{
  ys_template *t = NULL;
  ck_assert_int_eq(ys_template_compile("{{", &t, NULL), YS_ERR_SUITE);
  ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_template_compile_plain_text_has_no_vars)
{
  ys_template *t = compile("no fields here");
  ck_assert_uint_eq(ys_template_nvars(t), 0);
  ck_assert_ptr_null(ys_template_var(t, 0));
  ys_template_free(t);
  t = compile("");
  ck_assert_uint_eq(ys_template_nvars(t), 0);
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_compile_trims_blanks_in_braces)
{
  ys_template *t = compile("{{ a }}{{\tb\t}}{{  c.d  }}{{e}}");
  ck_assert_uint_eq(ys_template_nvars(t), 4);
  ck_assert_str_eq(ys_template_var(t, 0), "a");
  ck_assert_str_eq(ys_template_var(t, 1), "b");
  ck_assert_str_eq(ys_template_var(t, 2), "c.d");
  ck_assert_str_eq(ys_template_var(t, 3), "e");
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_free_null_is_noop)
{
  ys_template_free(NULL);
  ys_template *t = compile("{{x}}");
  ck_assert_uint_eq(ys_template_nvars(t), 1);
  ys_template_free(t);
}
END_TEST

/* }====== */

/* {====== field names ====== */

START_TEST(test_template_vars_distinct_in_first_use_order)
{
  ys_template *t = compile("{{b}} {{a}} {{ b }} {{c.d}} {{a}} {{c}}");
  ck_assert_uint_eq(ys_template_nvars(t), 4);
  ck_assert_str_eq(ys_template_var(t, 0), "b");
  ck_assert_str_eq(ys_template_var(t, 1), "a");
  ck_assert_str_eq(ys_template_var(t, 2), "c.d");
  ck_assert_str_eq(ys_template_var(t, 3), "c");
  ck_assert_ptr_null(ys_template_var(t, 4));
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_missing_reports_first_absent_field)
{
  ys_template *t = compile("{{a}} {{b}} {{c}}");
  cJSON *row = cJSON_Parse("{\"a\": 1, \"c\": 3}");
  ck_assert_str_eq(ys_template_missing(t, row), "b");
  cJSON_Delete(row);
  row = cJSON_Parse("{\"a\": 1}");
  ck_assert_str_eq(ys_template_missing(t, row), "b");
  cJSON_Delete(row);
  row = cJSON_Parse("{\"a\": 1, \"b\": \"\", \"c\": false}");
  ck_assert_ptr_null(ys_template_missing(t, row));
  cJSON_Delete(row);
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_missing_counts_null_as_missing)
{
  ys_template *t = compile("{{a}} {{n.x}}");
  cJSON *row = cJSON_Parse("{\"a\": null, \"n\": {\"x\": 1}}");
  ck_assert_str_eq(ys_template_missing(t, row), "a");
  cJSON_Delete(row);
  row = cJSON_Parse("{\"a\": 0, \"n\": {\"x\": null}}");
  ck_assert_str_eq(ys_template_missing(t, row), "n.x");
  cJSON_Delete(row);
  ys_template_free(t);
}
END_TEST

/* }====== */

/* {====== rendering ====== */

START_TEST(test_template_render_substitutes_strings_verbatim)
{
  assert_render("Q: {{q}}\nA:", "{\"q\": \"What is \\\"2+2\\\"?\\n\"}",
                "Q: What is \"2+2\"?\n\nA:");
  assert_render("{{a}}{{b}}{{a}}", "{\"a\": \"x\", \"b\": \"y\"}", "xyx");
  assert_render("[{{ e }}]", "{\"e\": \"\"}", "[]");
}
END_TEST

START_TEST(test_template_render_with_blanks_in_braces)
{
  assert_render("<{{ name }}|{{\tname}}>", "{\"name\": \"n\"}", "<n|n>");
}
END_TEST

START_TEST(test_template_render_nested_dotted_fields)
{
  assert_render("{{doc.meta.title}} by {{doc.author}}",
                "{\"doc\": {\"meta\": {\"title\": \"T\"},"
                " \"author\": \"A\"}}", "T by A");
}
END_TEST

START_TEST(test_template_render_literal_dotted_key_first)
{
  assert_render("{{a.b}}",
                "{\"a.b\": \"literal\", \"a\": {\"b\": \"nested\"}}",
                "literal");
}
END_TEST

START_TEST(test_template_render_integers_without_fraction)
{
  assert_render("{{i}} {{f}} {{n}} {{z}} {{h}}",
                "{\"i\": 3.0, \"f\": 2.5, \"n\": -7, \"z\": 0,"
                " \"h\": 0.1}", "3 2.5 -7 0 0.1");
}
END_TEST

START_TEST(test_template_render_booleans)
{
  assert_render("{{t}}/{{f}}", "{\"t\": true, \"f\": false}",
                "true/false");
}
END_TEST

START_TEST(test_template_render_arrays_and_objects_as_compact_json)
{
  assert_render("choices: {{c}}", "{\"c\": [ \"a\", 1, 2.0, null ]}",
                "choices: [\"a\",1,2,null]");
  assert_render("{{o}}", "{\"o\": { \"k\" : { \"v\" : [ ] } , \"s\": "
                "\"q\\\"\" }}", "{\"k\":{\"v\":[]},\"s\":\"q\\\"\"}");
}
END_TEST

START_TEST(test_template_render_literal_single_braces_pass_through)
{
  /* JSON examples in prompts use single braces, and may end with "}}". */
  assert_render("Reply as {\"a\": 1}. Q: {{q}}", "{\"q\": \"x\"}",
                "Reply as {\"a\": 1}. Q: x");
  assert_render("{\"a\": {\"b\": [1]}} {{q}} }", "{\"q\": \"x\"}",
                "{\"a\": {\"b\": [1]}} x }");
  assert_render("{\"answer\": {{q}}}", "{\"q\": 42}", "{\"answer\": 42}");
  assert_render("a } b { c }} d", "{}", "a } b { c }} d");
}
END_TEST

START_TEST(test_template_render_appends_to_output)
{
  ys_template *t = compile("{{x}}!");
  cJSON *row = cJSON_Parse("{\"x\": \"hi\"}");
  ys_buf out;
  ys_buf_init(&out, 100);
  ck_assert_int_eq(ys_buf_adds(&out, "> "), YS_OK);
  ck_assert_int_eq(ys_template_render(t, row, &out, NULL), YS_OK);
  ck_assert_int_eq(ys_template_render(t, row, &out, NULL), YS_OK);
  ck_assert_str_eq(ys_buf_str(&out), "> hi!hi!");
  ys_buf_free(&out);
  cJSON_Delete(row);
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_render_missing_field_reports_name)
{
  char name[64];
  render_missing("{{present}} {{absent}}", "{\"present\": 1}", name,
                 sizeof(name));
  ck_assert_str_eq(name, "absent");
  render_missing("{{ a.b.c }}", "{\"a\": {\"b\": {}}}", name, sizeof(name));
  ck_assert_str_eq(name, "a.b.c");
}
END_TEST

START_TEST(test_template_render_null_counts_as_missing)
{
  char name[64];
  render_missing("x {{n}}", "{\"n\": null}", name, sizeof(name));
  ck_assert_str_eq(name, "n");
}
END_TEST

START_TEST(test_template_render_missing_with_null_out_pointer)
{
  ys_template *t = compile("{{gone}}");
  cJSON *row = cJSON_Parse("{}");
  ys_buf out;
  ys_buf_init(&out, 100);
  ck_assert_int_eq(ys_template_render(t, row, &out, NULL), YS_ERR_DATA);
  ys_buf_free(&out);
  cJSON_Delete(row);
  ys_template_free(t);
}
END_TEST

START_TEST(test_template_render_over_cap_fails)
{
  ys_template *t = compile("prefix {{x}}");
  cJSON *row = cJSON_Parse("{\"x\": \"a value longer than the cap\"}");
  ys_buf out;
  ys_buf_init(&out, 16);
  const char *missing = NULL;
  ck_assert_int_eq(ys_template_render(t, row, &out, &missing),
                   YS_ERR_TOOBIG);
  ck_assert_ptr_null(missing);
  ys_buf_free(&out);
  cJSON_Delete(row);
  ys_template_free(t);
}
END_TEST

/* }====== */

static Suite *template_suite(void)
{
  Suite *s = suite_create("template");

  TCase *tc = tcase_create("template_compile");
  tcase_add_test(tc, test_template_compile_unclosed_braces_fails);
  tcase_add_test(tc, test_template_compile_empty_name_fails);
  tcase_add_test(tc, test_template_compile_accepts_null_diag);
  tcase_add_test(tc, test_template_compile_plain_text_has_no_vars);
  tcase_add_test(tc, test_template_compile_trims_blanks_in_braces);
  tcase_add_test(tc, test_template_free_null_is_noop);
  suite_add_tcase(s, tc);

  tc = tcase_create("template_vars");
  tcase_add_test(tc, test_template_vars_distinct_in_first_use_order);
  tcase_add_test(tc, test_template_missing_reports_first_absent_field);
  tcase_add_test(tc, test_template_missing_counts_null_as_missing);
  suite_add_tcase(s, tc);

  tc = tcase_create("template_render");
  tcase_add_test(tc, test_template_render_substitutes_strings_verbatim);
  tcase_add_test(tc, test_template_render_with_blanks_in_braces);
  tcase_add_test(tc, test_template_render_nested_dotted_fields);
  tcase_add_test(tc, test_template_render_literal_dotted_key_first);
  tcase_add_test(tc, test_template_render_integers_without_fraction);
  tcase_add_test(tc, test_template_render_booleans);
  tcase_add_test(tc,
                 test_template_render_arrays_and_objects_as_compact_json);
  tcase_add_test(tc,
                 test_template_render_literal_single_braces_pass_through);
  tcase_add_test(tc, test_template_render_appends_to_output);
  tcase_add_test(tc, test_template_render_missing_field_reports_name);
  tcase_add_test(tc, test_template_render_null_counts_as_missing);
  tcase_add_test(tc, test_template_render_missing_with_null_out_pointer);
  tcase_add_test(tc, test_template_render_over_cap_fails);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(template_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
