/* SPDX-License-Identifier: MIT */
/*
 * check_redact.c: unit tests for --redact (redact.h): which of a row's
 * field values are collected, how they are replaced in text (every
 * occurrence, letters without case, longest value first, the field named
 * in the marker), and redacting the strings of a JSON value in place.
 * Uses Check and cJSON.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "redact.h"

static cJSON *row;
static ys_redactor red;

/* {====== fixtures and helpers ====== */

/* Builds the redactor for the fields (NULL-terminated) of row_json. */
static void make(const char *row_json, const char *const *fields)
{
  size_t n = 0;
  while(fields[n])
    n++;
  row = cJSON_Parse(row_json);
  ck_assert_ptr_nonnull(row);
  ys_redactor_init(&red, row, fields, n);
}

static void teardown(void)
{
  ys_redactor_free(&red);
  cJSON_Delete(row);
  row = NULL;
}

/* Asserts that s redacts to want (NULL: nothing to redact). */
#define ck_redact(s, want) do { \
    char *got_ = ys_redact_text(&red, s); \
    const char *want_ = (want); \
    if(!want_) \
      ck_assert_msg(got_ == NULL, "\"%s\" gave \"%s\", expected no change", \
                    (const char *)(s), got_); \
    else { \
      ck_assert_msg(got_ != NULL, "\"%s\" was not redacted", \
                    (const char *)(s)); \
      ck_assert_str_eq(got_, want_); \
    } \
    free(got_); \
  } while(0)

/* }====== */

/* {====== collecting values ====== */

START_TEST(test_redact_collects_strings_and_numbers)
{
  const char *f[] = { "name", "id", "score", NULL };
  make("{\"name\": \"Ann Lee\", \"id\": 123456, \"score\": 1.25}", f);
  ck_assert_uint_eq(red.n, 3);
  /* Longest first. */
  ck_assert_str_eq(red.v[0].text, "Ann Lee");
  ck_assert_uint_eq(red.v[0].len, 7);
  ck_assert_str_eq(red.v[0].field, "name");
  ck_assert_str_eq(red.v[1].text, "123456");
  ck_assert_str_eq(red.v[1].field, "id");
  ck_assert_str_eq(red.v[2].text, "1.25");
  ck_assert_str_eq(red.v[2].field, "score");
}
END_TEST

START_TEST(test_redact_skips_missing_short_and_other_values)
{
  const char *f[] = { "missing", "short", "num", "flag", "obj", "arr",
                      "null", "blank", NULL };
  make("{\"short\": \"Al\", \"num\": 42, \"flag\": true, "
       "\"obj\": {\"a\": \"secret\"}, \"arr\": [\"secret\"], \"null\": null, "
       "\"blank\": \"   \"}", f);
  ck_assert_uint_eq(red.n, 0);
  /* With nothing to hide, nothing changes. */
  ck_redact("Al has 42 secrets", NULL);
}
END_TEST

START_TEST(test_redact_value_of_minimum_length_is_kept)
{
  const char *f[] = { "a", "b", NULL };
  make("{\"a\": \"Bob\", \"b\": \"Bo\"}", f);
  ck_assert_uint_eq(red.n, 1);
  ck_assert_int_eq(YS_REDACT_MIN, 3);
  ck_redact("Bob and Bo", "[redacted:a] and Bo");
}
END_TEST

START_TEST(test_redact_trims_blanks_around_values)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"  Ann Lee \\n\"}", f);
  ck_assert_uint_eq(red.n, 1);
  ck_assert_str_eq(red.v[0].text, "Ann Lee");
  ck_redact("Dear Ann Lee,", "Dear [redacted:name],");
}
END_TEST

START_TEST(test_redact_field_names_are_case_sensitive)
{
  const char *f[] = { "Name", NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  ck_assert_uint_eq(red.n, 0);
}
END_TEST

START_TEST(test_redact_no_fields_redacts_nothing)
{
  const char *f[] = { NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  ck_assert_uint_eq(red.n, 0);
  ck_redact("Ann Lee", NULL);
}
END_TEST

/* }====== */

/* {====== text ====== */

START_TEST(test_redact_replaces_every_occurrence)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  ck_redact("Ann Lee", "[redacted:name]");
  ck_redact("Ann LeeAnn Lee: Ann Lee.",
            "[redacted:name][redacted:name]: [redacted:name].");
  ck_redact("no name here", NULL);
  ck_redact("", NULL);
  ck_redact("Ann Le", NULL); /* a prefix at the end is no match */
}
END_TEST

START_TEST(test_redact_ignores_letter_case)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  ck_redact("ANN LEE and ann lee and aNn LeE",
            "[redacted:name] and [redacted:name] and [redacted:name]");
}
END_TEST

START_TEST(test_redact_longest_value_wins)
{
  /* "Ann Lee" contains "Ann": the whole name is one replacement. */
  const char *f[] = { "first", "full", NULL };
  make("{\"first\": \"Ann\", \"full\": \"Ann Lee\"}", f);
  ck_redact("Ann Lee met Ann", "[redacted:full] met [redacted:first]");
}
END_TEST

START_TEST(test_redact_numbers_in_text)
{
  const char *f[] = { "mrn", "dob", NULL };
  make("{\"mrn\": 987654, \"dob\": \"1990-04-01\"}", f);
  ck_redact("patient 987654 born 1990-04-01",
            "patient [redacted:mrn] born [redacted:dob]");
}
END_TEST

START_TEST(test_redact_null_text_gives_null)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  ck_assert_ptr_null(ys_redact_text(&red, NULL));
}
END_TEST

START_TEST(test_redact_keeps_multibyte_text_around_values)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"Zo\xC3\xAB M\xC3\xBCller\"}", f);
  ck_redact("\xE2\x80\x9CZo\xC3\xAB M\xC3\xBCller\xE2\x80\x9D",
            "\xE2\x80\x9C[redacted:name]\xE2\x80\x9D");
}
END_TEST

/* }====== */

/* {====== JSON ====== */

START_TEST(test_redact_json_changes_string_values_only)
{
  const char *f[] = { "name", "id", NULL };
  make("{\"name\": \"Ann Lee\", \"id\": 123456}", f);
  cJSON *v = cJSON_Parse(
    "{\"Ann Lee\": \"hello Ann Lee\", \"n\": 123456, "
    "\"list\": [\"id 123456\", {\"deep\": \"ANN LEE\"}, true, null], "
    "\"other\": \"nothing to hide\"}");
  ck_assert_ptr_nonnull(v);
  ys_redact_json(&red, v);
  char *out = cJSON_PrintUnformatted(v);
  /* Keys and numbers stay; every string value is redacted. */
  ck_assert_str_eq(out,
    "{\"Ann Lee\":\"hello [redacted:name]\",\"n\":123456,"
    "\"list\":[\"id [redacted:id]\",{\"deep\":\"[redacted:name]\"},true,"
    "null],\"other\":\"nothing to hide\"}");
  free(out);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_redact_json_plain_string_value)
{
  const char *f[] = { "name", NULL };
  make("{\"name\": \"Ann\"}", f);
  cJSON *s = cJSON_CreateString("ann");
  ys_redact_json(&red, s);
  ck_assert_str_eq(s->valuestring, "[redacted:name]");
  cJSON_Delete(s);
  ys_redact_json(&red, NULL); /* a no-op */
}
END_TEST

START_TEST(test_redact_json_with_nothing_to_hide_is_unchanged)
{
  const char *f[] = { "missing", NULL };
  make("{\"name\": \"Ann Lee\"}", f);
  cJSON *v = cJSON_Parse("[\"Ann Lee\", {\"k\": \"Ann Lee\"}]");
  ys_redact_json(&red, v);
  char *out = cJSON_PrintUnformatted(v);
  ck_assert_str_eq(out, "[\"Ann Lee\",{\"k\":\"Ann Lee\"}]");
  free(out);
  cJSON_Delete(v);
}
END_TEST

/* }====== */

static Suite *redact_suite(void)
{
  Suite *s = suite_create("redact");

  TCase *tc = tcase_create("init");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_redact_collects_strings_and_numbers);
  tcase_add_test(tc, test_redact_skips_missing_short_and_other_values);
  tcase_add_test(tc, test_redact_value_of_minimum_length_is_kept);
  tcase_add_test(tc, test_redact_trims_blanks_around_values);
  tcase_add_test(tc, test_redact_field_names_are_case_sensitive);
  tcase_add_test(tc, test_redact_no_fields_redacts_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("text");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_redact_replaces_every_occurrence);
  tcase_add_test(tc, test_redact_ignores_letter_case);
  tcase_add_test(tc, test_redact_longest_value_wins);
  tcase_add_test(tc, test_redact_numbers_in_text);
  tcase_add_test(tc, test_redact_null_text_gives_null);
  tcase_add_test(tc, test_redact_keeps_multibyte_text_around_values);
  suite_add_tcase(s, tc);

  tc = tcase_create("json");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_redact_json_changes_string_values_only);
  tcase_add_test(tc, test_redact_json_plain_string_value);
  tcase_add_test(tc, test_redact_json_with_nothing_to_hide_is_unchanged);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(redact_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
