/* SPDX-License-Identifier: MIT */
/*
 * check_json.c: unit tests for the cJSON helpers (json.h: path lookup,
 * number formatting, the compact serializer, template text and id text)
 * and for the JSON <-> Lua bridge and `json` library (lua_lib_json.h),
 * run in bare lua_States. Uses Check, cJSON and Lua; run by `make check`.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "buf.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"

/* Parses text or fails the test. */
static cJSON *parse(const char *text)
{
  cJSON *v = cJSON_Parse(text);
  ck_assert_msg(v != NULL, "test JSON does not parse: %s", text);
  return v;
}

/* Compact text of v by ys_json_append; returns owned. */
static char *compact(const cJSON *v)
{
  ys_buf b;
  ys_buf_init(&b, 1 << 20);
  ck_assert_int_eq(ys_json_append(&b, v), YS_OK);
  return ys_buf_take(&b, NULL);
}

/* Asserts that ys_json_append renders the JSON text in as out. */
static void assert_compact(const char *in, const char *out)
{
  cJSON *v = parse(in);
  char *s = compact(v);
  cJSON_Delete(v);
  ck_assert_str_eq(s, out);
  free(s);
}

/* {====== ys_json_path ====== */

static cJSON *doc;

static void doc_setup(void)
{
  doc = parse("{\"q\": \"top\", \"a\": {\"b\": {\"c\": 3}, \"n\": null},"
              " \"a.b\": \"literal\", \"x\": {\"y.z\": 1, \"y\": {\"z\": 2}},"
              " \"arr\": [10, 20], \"s\": \"str\", \"Case\": 1}");
}

static void doc_teardown(void)
{
  cJSON_Delete(doc);
  doc = NULL;
}

START_TEST(test_json_path_finds_top_level_key)
{
  const cJSON *v = ys_json_path(doc, "q");
  ck_assert_ptr_nonnull(v);
  ck_assert_str_eq(v->valuestring, "top");
}
END_TEST

START_TEST(test_json_path_follows_nested_objects)
{
  const cJSON *v = ys_json_path(doc, "a.b.c");
  ck_assert_ptr_nonnull(v);
  ck_assert(cJSON_IsNumber(v));
  ck_assert_int_eq(v->valueint, 3);
  v = ys_json_path(doc, "x.y");
  ck_assert(cJSON_IsObject(v));
  ck_assert_ptr_eq(ys_json_path(v, "z"), ys_json_path(doc, "x.y.z"));
}
END_TEST

START_TEST(test_json_path_prefers_literal_dotted_key)
{
  /* "a.b" exists as a key and as a nested path: the key wins. */
  const cJSON *v = ys_json_path(doc, "a.b");
  ck_assert(cJSON_IsString(v));
  ck_assert_str_eq(v->valuestring, "literal");
  cJSON *d = parse("{\"a.b\": \"literal\", \"a\": {\"b\": \"nested\"}}");
  v = ys_json_path(d, "a.b");
  ck_assert(cJSON_IsString(v));
  ck_assert_str_eq(v->valuestring, "literal");
  cJSON_Delete(d);
}
END_TEST

START_TEST(test_json_path_literal_key_inside_nested_object)
{
  /* x has both "y.z" and y.z; the whole path "x.y.z" is not a key, so it
   * is walked as x -> y -> z. */
  const cJSON *v = ys_json_path(doc, "x.y.z");
  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(v->valueint, 2);
}
END_TEST

START_TEST(test_json_path_missing_returns_null)
{
  ck_assert_ptr_null(ys_json_path(doc, "nope"));
  ck_assert_ptr_null(ys_json_path(doc, "a.nope"));
  ck_assert_ptr_null(ys_json_path(doc, "a.b.c.d")); /* c is a number */
  ck_assert_ptr_null(ys_json_path(doc, "s.length")); /* s is a string */
  ck_assert_ptr_null(ys_json_path(doc, "nope.b"));
}
END_TEST

START_TEST(test_json_path_returns_null_item_for_null_value)
{
  const cJSON *v = ys_json_path(doc, "a.n");
  ck_assert_ptr_nonnull(v);
  ck_assert(cJSON_IsNull(v));
}
END_TEST

START_TEST(test_json_path_does_not_index_arrays)
{
  ck_assert_ptr_null(ys_json_path(doc, "arr.0"));
  ck_assert_ptr_null(ys_json_path(doc, "arr.1"));
}
END_TEST

START_TEST(test_json_path_is_case_sensitive)
{
  ck_assert_ptr_nonnull(ys_json_path(doc, "Case"));
  ck_assert_ptr_null(ys_json_path(doc, "case"));
  ck_assert_ptr_null(ys_json_path(doc, "Q"));
}
END_TEST

START_TEST(test_json_path_needs_an_object_root)
{
  cJSON *arr = parse("[1, 2]");
  cJSON *str = parse("\"a.b\"");
  ck_assert_ptr_null(ys_json_path(arr, "0"));
  ck_assert_ptr_null(ys_json_path(str, "a"));
  ck_assert_ptr_null(ys_json_path(NULL, "a"));
  cJSON_Delete(arr);
  cJSON_Delete(str);
}
END_TEST

START_TEST(test_json_path_empty_segment_matches_nothing)
{
  /* None of these name a key, and no segment of a nested path may be
   * empty, so none may resolve to some other item. */
  ck_assert_ptr_null(ys_json_path(doc, "a..b"));
  ck_assert_ptr_null(ys_json_path(doc, ".a"));
  ck_assert_ptr_null(ys_json_path(doc, "a.b."));
  ck_assert_ptr_null(ys_json_path(doc, "a."));
}
END_TEST

/* }====== */

/* {====== ys_json_fmt_number ====== */

static const char *fmt(double d)
{
  static char buf[32];
  return ys_json_fmt_number(d, buf);
}

/* The shortest "%.Ng" text that reads back as d: the reference that the
 * formatter's contract describes, found by brute force. */
static void shortest_g(double d, char out[32])
{
  for(int prec = 1; prec <= 17; prec++) {
    snprintf(out, 32, "%.*g", prec, d);
    if(strtod(out, NULL) == d)
      return;
  }
}

START_TEST(test_json_fmt_number_returns_buf)
{
  char buf[32];
  ck_assert_ptr_eq(ys_json_fmt_number(1.5, buf), buf);
  ck_assert_str_eq(buf, "1.5");
}
END_TEST

START_TEST(test_json_fmt_number_integers_have_no_fraction)
{
  ck_assert_str_eq(fmt(0), "0");
  ck_assert_str_eq(fmt(1), "1");
  ck_assert_str_eq(fmt(42), "42");
  ck_assert_str_eq(fmt(-42), "-42");
  ck_assert_str_eq(fmt(1e15), "1000000000000000");
  ck_assert_str_eq(fmt(9007199254740991.0), "9007199254740991");
  ck_assert_str_eq(fmt(-9007199254740991.0), "-9007199254740991");
}
END_TEST

START_TEST(test_json_fmt_number_negative_zero_is_zero)
{
  /* As JSON.stringify(-0) in JavaScript. */
  ck_assert_str_eq(fmt(-0.0), "0");
}
END_TEST

START_TEST(test_json_fmt_number_two_pow_53_is_exact)
{
  ck_assert_str_eq(fmt(9007199254740992.0), "9007199254740992");
  ck_assert_str_eq(fmt(-9007199254740992.0), "-9007199254740992");
}
END_TEST

START_TEST(test_json_fmt_number_fractions_are_shortest)
{
  ck_assert_str_eq(fmt(0.1), "0.1");
  ck_assert_str_eq(fmt(1.5), "1.5");
  ck_assert_str_eq(fmt(-2.25), "-2.25");
  ck_assert_str_eq(fmt(0.1 + 0.2), "0.30000000000000004");
  ck_assert_str_eq(fmt(1.0 / 3.0), "0.3333333333333333");
  ck_assert_str_eq(fmt(2.0 / 3.0), "0.6666666666666666");
  ck_assert_str_eq(fmt(123456.789), "123456.789");
  ck_assert_str_eq(fmt(1e-7), "1e-07");
}
END_TEST

START_TEST(test_json_fmt_number_large_values_round_trip)
{
  const double vals[] = { 1e21, 1e300, -1e21, 1.7976931348623157e308,
                          1.2345678901234568e20 };
  for(size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
    const char *s = fmt(vals[i]);
    ck_assert_msg(strtod(s, NULL) == vals[i], "%s does not read back", s);
    cJSON *v = parse(s);
    ck_assert(cJSON_IsNumber(v));
    ck_assert(v->valuedouble == vals[i]);
    cJSON_Delete(v);
  }
  /* 1e21 takes one significant digit. */
  ck_assert_str_eq(fmt(1e21), "1e+21");
}
END_TEST

START_TEST(test_json_fmt_number_nan_and_infinity_are_null)
{
  ck_assert_str_eq(fmt(NAN), "null");
  ck_assert_str_eq(fmt(INFINITY), "null");
  ck_assert_str_eq(fmt(-INFINITY), "null");
}
END_TEST

START_TEST(test_json_fmt_number_matches_shortest_round_trip)
{
  /* Random bit patterns of normal doubles, plus values with few digits:
   * each must equal the brute-force shortest text and read back. */
  uint64_t x = UINT64_C(0x853c49e6748fea9b);
  for(int i = 0; i < 20000; i++) {
    double d;
    if(i % 2) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy(&d, &x, sizeof(d));
      if(!isnormal(d))
        continue;
    }
    else
      d = (double)(i - 10000) / 1000.0;
    char want[32];
    if(d == floor(d) && fabs(d) < 9007199254740992.0)
      snprintf(want, sizeof(want), "%.0f", d == 0 ? 0.0 : d);
    else
      shortest_g(d, want);
    const char *got = fmt(d);
    ck_assert_msg(strtod(got, NULL) == d, "%s does not read back", got);
    ck_assert_msg(!strcmp(got, want), "%.17g gives %s, shortest is %s", d,
                  got, want);
  }
}
END_TEST

START_TEST(test_json_fmt_number_subnormal_is_shortest)
{
  /* Below DBL_MIN doubles carry fewer digits: 1e-320 reads back from
   * "1e-320", so 15 digits are not the shortest form. */
  ck_assert_str_eq(fmt(1e-320), "1e-320");
  ck_assert_str_eq(fmt(5e-324), "5e-324");
  ck_assert_str_eq(fmt(-5e-324), "-5e-324");
}
END_TEST

/* }====== */

/* {====== ys_json_append ====== */

START_TEST(test_json_append_is_compact_and_keeps_order)
{
  assert_compact("{ \"b\" : [1, 2.5, \"x\", true, false, null],\n"
                 "  \"a\" : {}, \"c\" : [ ] , \"d\": {\"e\": {\"f\": -0.5}}}",
                 "{\"b\":[1,2.5,\"x\",true,false,null],\"a\":{},\"c\":[],"
                 "\"d\":{\"e\":{\"f\":-0.5}}}");
}
END_TEST

START_TEST(test_json_append_scalars)
{
  assert_compact("\"s\"", "\"s\"");
  assert_compact("1.0", "1");
  assert_compact("1E3", "1000");
  assert_compact("1e21", "1e+21");
  assert_compact("true", "true");
  assert_compact("false", "false");
  assert_compact("null", "null");
}
END_TEST

START_TEST(test_json_append_escapes_quotes_and_backslash)
{
  cJSON *v = cJSON_CreateString("say \"hi\" \\ bye /");
  char *s = compact(v);
  ck_assert_str_eq(s, "\"say \\\"hi\\\" \\\\ bye /\"");
  free(s);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_escapes_control_chars)
{
  cJSON *v = cJSON_CreateString("\n\r\t\b\f\x01\x1f\x7f");
  char *s = compact(v);
  /* DEL (0x7f) is not a control character for JSON. */
  ck_assert_str_eq(s, "\"\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
  free(s);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_passes_utf8_through)
{
  cJSON *v = cJSON_CreateString("caf\xC3\xA9 \xE2\x82\xAC");
  char *s = compact(v);
  ck_assert_str_eq(s, "\"caf\xC3\xA9 \xE2\x82\xAC\"");
  free(s);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_escapes_object_keys)
{
  cJSON *v = cJSON_CreateObject();
  cJSON_AddNumberToObject(v, "a\"b\n", 1);
  char *s = compact(v);
  ck_assert_str_eq(s, "{\"a\\\"b\\n\":1}");
  free(s);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_output_reparses_to_same_text)
{
  const char *in = "{\"k\":[\"\\u0000x\\u0002\",\"\\\"\",{\"\\\\\":0.1}],"
                   "\"n\":-1e-300,\"u\":\"\\u00e9\"}";
  cJSON *v = parse(in);
  char *s1 = compact(v);
  cJSON *w = parse(s1);
  char *s2 = compact(w);
  ck_assert_str_eq(s1, s2);
  free(s1);
  free(s2);
  cJSON_Delete(v);
  cJSON_Delete(w);
}
END_TEST

START_TEST(test_json_append_adds_to_existing_content)
{
  cJSON *v = parse("[1]");
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, "x="), YS_OK);
  ck_assert_int_eq(ys_json_append(&b, v), YS_OK);
  ck_assert_int_eq(ys_json_append(&b, v), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "x=[1][1]");
  ys_buf_free(&b);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_over_cap_fails)
{
  cJSON *v = parse("{\"key\": [1, 2, 3, \"long string value\"]}");
  ys_buf b;
  ys_buf_init(&b, 10);
  ck_assert_int_eq(ys_json_append(&b, v), YS_ERR_TOOBIG);
  ys_buf_free(&b);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_append_string_uses_length)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_json_append_string(&b, "a\0b\"cd", 5), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "\"a\\u0000b\\\"c\"");
  ys_buf_reset(&b);
  ck_assert_int_eq(ys_json_append_string(&b, "", 0), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "\"\"");
  ys_buf_free(&b);
}
END_TEST

/* Every byte that needs an escape, at every offset of strings long enough
 * to take the eight-bytes-at-a-time path, escapes as cJSON would: the
 * result parses back to the original. */
START_TEST(test_json_append_string_escapes_at_every_offset)
{
  static const char special[] = { '"', '\\', '\n', '\x01', '\x1f', 0x7f,
                                  (char)0xc3 };
  ys_buf b;
  ys_buf_init(&b, 1 << 16);
  char s[40];
  for(size_t k = 0; k < sizeof(special); k++) {
    for(size_t len = 1; len <= sizeof(s) - 1; len++) {
      for(size_t at = 0; at < len; at++) {
        memset(s, 'x', len);
        s[at] = special[k];
        if(special[k] == (char)0xc3) {
          if(at + 1 >= len)
            continue;
          s[at + 1] = (char)0xa9; /* U+00E9 */
        }
        s[len] = '\0';
        ys_buf_reset(&b);
        ck_assert_int_eq(ys_json_append_string(&b, s, len), YS_OK);
        cJSON *v = cJSON_Parse(ys_buf_str(&b));
        ck_assert_msg(v && cJSON_IsString(v), "%s", ys_buf_str(&b));
        ck_assert_str_eq(v->valuestring, s);
        cJSON_Delete(v);
      }
    }
  }
  ys_buf_free(&b);
}
END_TEST

/* }====== */

/* {====== ys_json_append_text, ys_json_id_text, ys_json_type_name ====== */

static char *text_of(const char *json)
{
  cJSON *v = parse(json);
  ys_buf b;
  ys_buf_init(&b, 1000);
  ck_assert_int_eq(ys_json_append_text(&b, v), YS_OK);
  cJSON_Delete(v);
  return ys_buf_take(&b, NULL);
}

START_TEST(test_json_append_text_renders_like_a_template)
{
  const char *cases[][2] = {
    { "\"plain \\\"q\\\"\\n\"", "plain \"q\"\n" },
    { "3.0", "3" },
    { "0.25", "0.25" },
    { "true", "true" },
    { "false", "false" },
    { "null", "null" },
    { "[1, \"a\", null]", "[1,\"a\",null]" },
    { "{\"k\": {\"v\": 2}}", "{\"k\":{\"v\":2}}" },
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *s = text_of(cases[i][0]);
    ck_assert_str_eq(s, cases[i][1]);
    free(s);
  }
}
END_TEST

static int id_text(const char *json, char *buf, size_t len)
{
  cJSON *v = parse(json);
  int ok = ys_json_id_text(v, buf, len);
  cJSON_Delete(v);
  return ok;
}

START_TEST(test_json_id_text_of_string_and_number)
{
  char buf[64];
  ck_assert_int_eq(id_text("\"q-17\"", buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "q-17");
  ck_assert_int_eq(id_text("42", buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "42");
  ck_assert_int_eq(id_text("42.0", buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "42");
  ck_assert_int_eq(id_text("-3.5", buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "-3.5");
}
END_TEST

START_TEST(test_json_id_text_rejects_other_types_and_empty)
{
  char buf[64];
  ck_assert_int_eq(id_text("\"\"", buf, sizeof(buf)), 0);
  ck_assert_int_eq(id_text("true", buf, sizeof(buf)), 0);
  ck_assert_int_eq(id_text("null", buf, sizeof(buf)), 0);
  ck_assert_int_eq(id_text("[1]", buf, sizeof(buf)), 0);
  ck_assert_int_eq(id_text("{\"id\": 1}", buf, sizeof(buf)), 0);
  ck_assert_int_eq(ys_json_id_text(NULL, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(test_json_id_text_needs_room_for_nul)
{
  char buf[4];
  ck_assert_int_eq(id_text("\"abc\"", buf, 4), 1);
  ck_assert_str_eq(buf, "abc");
  ck_assert_int_eq(id_text("\"abcd\"", buf, 4), 0);
  ck_assert_int_eq(id_text("12345", buf, 4), 0);
}
END_TEST

START_TEST(test_json_type_name_names_each_type)
{
  const char *cases[][2] = {
    { "\"s\"", "string" }, { "1", "number" }, { "true", "boolean" },
    { "false", "boolean" }, { "null", "null" }, { "[]", "array" },
    { "{}", "object" },
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cJSON *v = parse(cases[i][0]);
    ck_assert_str_eq(ys_json_type_name(v), cases[i][1]);
    cJSON_Delete(v);
  }
}
END_TEST

/* }====== */

/* {====== Lua <-> JSON conversion ====== */

static lua_State *L;

static void lua_setup(void)
{
  L = luaL_newstate();
  ck_assert_ptr_nonnull(L);
}

static void lua_teardown(void)
{
  lua_close(L);
  L = NULL;
}

/* Runs `code` (a chunk returning one value) and leaves its value on the
 * stack. Needs no standard library. */
static void push_lua(const char *code)
{
  if(luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
    ck_abort_msg("Lua test code failed: %s", lua_tostring(L, -1));
}

/* Pushes the JSON text as a Lua value. */
static void push_json_text(const char *text)
{
  cJSON *v = parse(text);
  ys_lua_push_json(L, v);
  cJSON_Delete(v);
}

/* Converts the value on top to compact JSON text (owned) and pops it;
 * fails the test on a conversion error. */
static char *pop_to_text(void)
{
  cJSON *v = NULL;
  ys_diag diag;
  ys_diag_clear(&diag);
  ys_err err = ys_lua_to_json(L, -1, &v, &diag);
  ck_assert_msg(err == YS_OK, "ys_lua_to_json failed: %s", diag.msg);
  lua_pop(L, 1);
  char *s = compact(v);
  cJSON_Delete(v);
  return s;
}

/* Expects the value on top not to convert; checks the contract (error
 * code, message, nothing returned, stack kept) and pops it. */
static void pop_expect_error(const char *needle)
{
  static cJSON sentinel;
  cJSON *v = &sentinel; /* must be overwritten */
  ys_diag diag;
  ys_diag_clear(&diag);
  int top = lua_gettop(L);
  ys_err err = ys_lua_to_json(L, -1, &v, &diag);
  ck_assert_int_eq(lua_gettop(L), top);
  if(err == YS_OK) {
    char got[256];
    char *s = compact(v);
    snprintf(got, sizeof(got), "%s", s);
    free(s);
    cJSON_Delete(v);
    ck_abort_msg("expected an error mentioning '%s', got %s", needle, got);
  }
  ck_assert_int_eq(err, YS_ERR_DATA);
  ck_assert_ptr_null(v);
  ck_assert_msg(strstr(diag.msg, needle) != NULL,
                "message '%s' lacks '%s'", diag.msg, needle);
  lua_pop(L, 1);
}

/* Round trip: JSON text -> Lua -> JSON text. */
static void assert_round_trip(const char *in, const char *out)
{
  push_json_text(in);
  char *s = pop_to_text();
  ck_assert_str_eq(s, out);
  free(s);
  ck_assert_int_eq(lua_gettop(L), 0);
}

START_TEST(test_lua_push_json_pushes_one_value)
{
  push_json_text("{\"a\": [1, 2]}");
  ck_assert_int_eq(lua_gettop(L), 1);
  ck_assert_int_eq(lua_type(L, -1), LUA_TTABLE);
}
END_TEST

START_TEST(test_lua_push_json_scalars)
{
  push_json_text("\"hi\"");
  ck_assert_str_eq(lua_tostring(L, -1), "hi");
  push_json_text("7");
  ck_assert(lua_isinteger(L, -1));
  ck_assert_int_eq(lua_tointeger(L, -1), 7);
  push_json_text("2.5");
  ck_assert(!lua_isinteger(L, -1));
  ck_assert(lua_tonumber(L, -1) == 2.5);
  push_json_text("1e300");
  ck_assert(lua_tonumber(L, -1) == 1e300);
  push_json_text("true");
  ck_assert_int_eq(lua_type(L, -1), LUA_TBOOLEAN);
  ck_assert_int_eq(lua_toboolean(L, -1), 1);
  push_json_text("false");
  ck_assert_int_eq(lua_type(L, -1), LUA_TBOOLEAN);
  ck_assert_int_eq(lua_toboolean(L, -1), 0);
}
END_TEST

START_TEST(test_lua_push_json_null_is_null_lightuserdata)
{
  push_json_text("null");
  ck_assert_int_eq(lua_type(L, -1), LUA_TLIGHTUSERDATA);
  ck_assert_ptr_null(lua_touserdata(L, -1));
}
END_TEST

START_TEST(test_lua_push_json_array_has_marker_metatable)
{
  push_json_text("[\"x\", null, 3]");
  ck_assert_int_eq(lua_type(L, -1), LUA_TTABLE);
  ck_assert_uint_eq(lua_rawlen(L, -1), 3);
  ck_assert_int_eq(lua_rawgeti(L, -1, 1), LUA_TSTRING);
  ck_assert_str_eq(lua_tostring(L, -1), "x");
  lua_pop(L, 1);
  ck_assert_int_eq(lua_rawgeti(L, -1, 2), LUA_TLIGHTUSERDATA);
  lua_pop(L, 1);
  ck_assert_int_eq(lua_getmetatable(L, -1), 1);
  luaL_getmetatable(L, "ys.json.array");
  ck_assert(lua_rawequal(L, -1, -2));
  lua_pop(L, 2);
  /* An empty array is marked too. */
  push_json_text("[]");
  ck_assert_int_eq(lua_getmetatable(L, -1), 1);
}
END_TEST

START_TEST(test_lua_push_json_object_is_plain_table)
{
  push_json_text("{\"k\": \"v\", \"n\": {\"m\": 1}}");
  ck_assert_int_eq(lua_getmetatable(L, -1), 0);
  ck_assert_int_eq(lua_getfield(L, -1, "k"), LUA_TSTRING);
  ck_assert_str_eq(lua_tostring(L, -1), "v");
  lua_pop(L, 1);
  ck_assert_int_eq(lua_getfield(L, -1, "n"), LUA_TTABLE);
  ck_assert_int_eq(lua_getfield(L, -1, "m"), LUA_TNUMBER);
  ck_assert_int_eq(lua_tointeger(L, -1), 1);
}
END_TEST

/* Builds `depth` nested arrays around 1 and pushes them, in protected
 * mode: the depth error is a Lua error. */
static int push_nested(lua_State *Ls)
{
  cJSON *v = lua_touserdata(Ls, 1);
  ys_lua_push_json(Ls, v);
  return 1;
}

static int pcall_push_nested(int depth, char *msg, size_t len)
{
  cJSON *v = cJSON_CreateNumber(1);
  for(int i = 0; i < depth; i++) {
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, v);
    v = a;
  }
  lua_pushcfunction(L, push_nested);
  lua_pushlightuserdata(L, v);
  int rc = lua_pcall(L, 1, 1, 0);
  snprintf(msg, len, "%s", rc ? lua_tostring(L, -1) : "");
  lua_pop(L, 1);
  cJSON_Delete(v);
  return rc;
}

START_TEST(test_lua_push_json_depth_limit_raises)
{
  char msg[256];
  /* The number sits at depth YS_JSON_MAX_DEPTH: allowed. */
  ck_assert_int_eq(pcall_push_nested(YS_JSON_MAX_DEPTH, msg, sizeof(msg)),
                   LUA_OK);
  ck_assert_int_ne(pcall_push_nested(YS_JSON_MAX_DEPTH + 1, msg,
                                     sizeof(msg)), LUA_OK);
  ck_assert_msg(strstr(msg, "deeper") != NULL, "message: %s", msg);
  ck_assert_int_ne(pcall_push_nested(500, msg, sizeof(msg)), LUA_OK);
}
END_TEST

START_TEST(test_lua_to_json_round_trips_canonical_text)
{
  assert_round_trip("{\"a\":[1,2.5,\"x\",true,false,null,[],{}],"
                    "\"b\":{\"c\":-3,\"d\":null},\"e\":\"\\\"\\n\"}",
                    "{\"a\":[1,2.5,\"x\",true,false,null,[],{}],"
                    "\"b\":{\"c\":-3,\"d\":null},\"e\":\"\\\"\\n\"}");
  assert_round_trip("[[[]],[{}]]", "[[[]],[{}]]");
  assert_round_trip("\"s\"", "\"s\"");
  assert_round_trip("0.1", "0.1");
  assert_round_trip("null", "null");
}
END_TEST

START_TEST(test_lua_to_json_arrays_stay_arrays)
{
  /* Empty tables are objects unless they carry the array marker. */
  assert_round_trip("[]", "[]");
  assert_round_trip("{\"a\":[],\"b\":{}}", "{\"a\":[],\"b\":{}}");
  push_lua("return {}");
  char *s = pop_to_text();
  ck_assert_str_eq(s, "{}");
  free(s);
}
END_TEST

START_TEST(test_lua_to_json_sequence_is_array)
{
  push_lua("return {10, 'b', {1}, 2.5}");
  char *s = pop_to_text();
  ck_assert_str_eq(s, "[10,\"b\",[1],2.5]");
  free(s);
}
END_TEST

START_TEST(test_lua_to_json_sorts_object_keys)
{
  /* Object key order follows the input; the output sorts it. */
  assert_round_trip("{\"b\":1,\"a\":2,\"c\":{\"z\":1,\"y\":2}}",
                    "{\"a\":2,\"b\":1,\"c\":{\"y\":2,\"z\":1}}");
  push_lua("local t = {} for i = 1, 40 do t['k' .. (40 - i)] = i end "
           "t.B = 0 t.a = 0 t._ = 0 return t");
  char *s = pop_to_text();
  cJSON *v = parse(s);
  const char *prev = "";
  int n = 0;
  for(const cJSON *c = v->child; c; c = c->next, n++) {
    ck_assert_msg(strcmp(prev, c->string) < 0, "%s before %s", prev,
                  c->string);
    prev = c->string;
  }
  ck_assert_int_eq(n, 43);
  ck_assert_str_eq(v->child->string, "B"); /* byte order: 'B' < '_' */
  cJSON_Delete(v);
  free(s);
}
END_TEST

START_TEST(test_lua_to_json_same_table_same_text)
{
  push_lua("local t = {} for i = 1, 30 do t['x' .. i] = {i, i * 2} end "
           "return t");
  lua_pushvalue(L, -1);
  char *a = pop_to_text();
  char *b = pop_to_text();
  ck_assert_str_eq(a, b);
  free(a);
  free(b);
}
END_TEST

START_TEST(test_lua_to_json_null_and_nil)
{
  lua_pushlightuserdata(L, NULL);
  char *s = pop_to_text();
  ck_assert_str_eq(s, "null");
  free(s);
  lua_pushnil(L);
  s = pop_to_text();
  ck_assert_str_eq(s, "null");
  free(s);
}
END_TEST

START_TEST(test_lua_to_json_numbers)
{
  push_lua("return {3, 3.0, -0.5, 0.1, 2^53, 1e21}");
  char *s = pop_to_text();
  ck_assert_str_eq(s, "[3,3,-0.5,0.1,9007199254740992,1e+21]");
  free(s);
}
END_TEST

START_TEST(test_lua_to_json_accepts_negative_index)
{
  push_lua("return {x = 1}");
  lua_pushinteger(L, 5);
  cJSON *v = NULL;
  ys_diag diag;
  ck_assert_int_eq(ys_lua_to_json(L, -2, &v, &diag), YS_OK);
  ck_assert_int_eq(lua_gettop(L), 2);
  char *s = compact(v);
  ck_assert_str_eq(s, "{\"x\":1}");
  free(s);
  cJSON_Delete(v);
}
END_TEST

START_TEST(test_lua_to_json_rejects_function)
{
  push_lua("return function() end");
  pop_expect_error("function");
  push_lua("return {a = {b = function() end}}");
  pop_expect_error("function");
}
END_TEST

START_TEST(test_lua_to_json_rejects_nan_and_infinity)
{
  push_lua("return 0/0");
  pop_expect_error("NaN");
  push_lua("return {1, 1/0}");
  pop_expect_error("infinity");
  push_lua("return {x = -1/0}");
  pop_expect_error("infinity");
}
END_TEST

START_TEST(test_lua_to_json_rejects_mixed_and_sparse_tables)
{
  push_lua("return {1, 2, x = 3}");
  pop_expect_error("mixing");
  push_lua("return {[1] = 'a', [3] = 'c'}");
  pop_expect_error("sparse");
  push_lua("return {[2] = 'b'}");
  pop_expect_error("sparse");
  push_lua("return {[0] = 'z'}");
  pop_expect_error("cannot encode");
  push_lua("return {[-1] = 'z'}");
  pop_expect_error("cannot encode");
  push_lua("return {[1.5] = 'z'}");
  pop_expect_error("cannot encode");
  push_lua("return {[true] = 'z'}");
  pop_expect_error("cannot encode");
}
END_TEST

START_TEST(test_lua_to_json_rejects_self_reference)
{
  push_lua("local t = {} t.self = t return t");
  pop_expect_error("a table that contains itself as JSON at .self");
  push_lua("local a, b = {}, {} a[1] = b b[1] = a return a");
  pop_expect_error("a table that contains itself as JSON at [1][1]");
}
END_TEST

START_TEST(test_lua_to_json_depth_limit)
{
  /* YS_JSON_MAX_DEPTH tables around a number: the number is at depth
   * YS_JSON_MAX_DEPTH, which is allowed; one more table is not. */
  char code[128];
  snprintf(code, sizeof(code),
           "local v = 1 for i = 1, %d do v = {v} end return v",
           YS_JSON_MAX_DEPTH);
  push_lua(code);
  char *s = pop_to_text();
  ck_assert_uint_eq(strlen(s), 1 + 2 * YS_JSON_MAX_DEPTH);
  free(s);
  snprintf(code, sizeof(code),
           "local v = 1 for i = 1, %d do v = {v} end return v",
           YS_JSON_MAX_DEPTH + 1);
  push_lua(code);
  pop_expect_error("too deeply");
}
END_TEST

START_TEST(test_lua_to_json_rejects_string_with_nul)
{
  push_lua("return 'a\\0b'");
  pop_expect_error("NUL");
  push_lua("return {'ok', 'x\\0'}");
  pop_expect_error("NUL");
}
END_TEST

START_TEST(test_lua_to_json_rejects_key_with_nul)
{
  /* A NUL in a key would cut it short ("a\0b" and "a\0c" both becoming
   * "a"), so it must fail like a NUL in a value. */
  push_lua("return {['a\\0b'] = 1, ['a\\0c'] = 2}");
  pop_expect_error("NUL");
}
END_TEST

START_TEST(test_lua_to_json_rejects_other_types)
{
  lua_pushlightuserdata(L, &L);
  pop_expect_error("light userdata");
  lua_newuserdatauv(L, 8, 0);
  pop_expect_error("userdata");
  lua_newthread(L);
  pop_expect_error("thread");
}
END_TEST

START_TEST(test_lua_to_json_accepts_null_diag)
{
  push_lua("return function() end");
  cJSON *v = NULL;
  ck_assert_int_eq(ys_lua_to_json(L, -1, &v, NULL), YS_ERR_DATA);
  ck_assert_ptr_null(v);
}
END_TEST

/* }====== */

/* {====== the json library ====== */

static void lib_setup(void)
{
  L = luaL_newstate();
  ck_assert_ptr_nonnull(L);
  luaL_openlibs(L);
  luaL_requiref(L, "json", luaopen_ys_json, 1);
  lua_pop(L, 1);
}

/* Runs Lua code that asserts; fails the test with Lua's message. */
static void run_lua(const char *code)
{
  if(luaL_dostring(L, code) != LUA_OK)
    ck_abort_msg("%s", lua_tostring(L, -1));
}

START_TEST(test_json_lib_has_encode_decode_null)
{
  run_lua("assert(type(json.encode) == 'function')\n"
          "assert(type(json.decode) == 'function')\n"
          "assert(type(json.null) == 'userdata')\n"
          "assert(json.encode(json.null) == 'null')\n");
  lua_getglobal(L, "json");
  lua_getfield(L, -1, "null");
  ck_assert_int_eq(lua_type(L, -1), LUA_TLIGHTUSERDATA);
  ck_assert_ptr_null(lua_touserdata(L, -1));
}
END_TEST

/* json.extract: any value, or with "object" only an object, passing over
 * other values whole. */
START_TEST(test_json_lib_extract)
{
  run_lua("local v = json.extract('says [1, 2] then')\n"
          "assert(v[2] == 2)\n"
          "v = json.extract('x\\n```json\\n{\"a\": 1}\\n```\\n')\n"
          "assert(v.a == 1)\n"
          "local n, err = json.extract('no json here')\n"
          "assert(n == nil and err == 'no JSON value found in the text', err)\n"
          /* object: whole text, a fenced block, then balanced values */
          "v = json.extract('{\"a\": 1}', 'object')\n"
          "assert(v.a == 1)\n"
          "n, err = json.extract('[{\"a\": 1}]', 'object')\n"
          "assert(n == nil and err == 'expected a JSON object, got an array',"
          " err)\n"
          "n, err = json.extract('null', 'object')\n"
          "assert(err == 'expected a JSON object, got null', err)\n"
          "v = json.extract('```\\n[1]\\n```\\nthen {\"b\": 2}', 'object')\n"
          "assert(v.b == 2)\n"
          "v = json.extract('list [{\"in\": 1}] and {\"out\": 2}', 'object')\n"
          "assert(v.out == 2 and v['in'] == nil)\n"
          "n, err = json.extract('only [1, {\"a\": 1}] here', 'object')\n"
          "assert(err == 'expected a JSON object, got an array', err)\n"
          "n, err = json.extract('nothing', 'object')\n"
          "assert(err == 'no JSON value found in the text', err)\n"
          "assert(not pcall(json.extract, '{}', 'array'))\n");
}
END_TEST

START_TEST(test_json_lib_encode_sorts_keys_and_keeps_arrays)
{
  run_lua("local s = json.encode({b = 1, a = {1, 2, 3}, c = 'x'})\n"
          "assert(s == '{\"a\":[1,2,3],\"b\":1,\"c\":\"x\"}', s)\n"
          "assert(json.encode({}) == '{}')\n"
          "assert(json.encode(json.decode('[]')) == '[]')\n"
          "assert(json.encode(json.decode('{\"a\":[]}')) == '{\"a\":[]}')\n"
          "assert(json.encode(setmetatable({}, getmetatable("
          "json.decode('[1]')))) == '[]')\n"
          "assert(json.encode(1.5) == '1.5')\n"
          "assert(json.encode(true) == 'true')\n");
}
END_TEST

START_TEST(test_json_lib_decode_builds_values)
{
  run_lua("local t = json.decode('{\"a\":[1,2,{\"b\":null}],\"s\":\"x\"}')\n"
          "assert(t.s == 'x')\n"
          "assert(#t.a == 3)\n"
          "assert(math.type(t.a[1]) == 'integer')\n"
          "assert(t.a[3].b == json.null)\n"
          "assert(getmetatable(t.a) ~= nil)\n"
          "assert(getmetatable(t) == nil)\n"
          "assert(json.decode('2.5') == 2.5)\n"
          "assert(json.decode(' \"s\" ') == 's')\n"
          "assert(json.decode('null') == json.null)\n");
}
END_TEST

START_TEST(test_json_lib_round_trip)
{
  run_lua("local texts = {\n"
          "  '{\"a\":[1,2.5,\"x\",true,false,null,[],{}],\"b\":{}}',\n"
          "  '[[\"\\\\\\\\\",\"\\\\\"\",\"\\\\n\\\\t\\\\u0001\"]]',\n"
          "  '\"caf\\195\\169\"', '-0.5', '[null,null]' }\n"
          "for _, s in ipairs(texts) do\n"
          "  local r = json.encode(json.decode(s))\n"
          "  assert(r == s, s .. ' came back as ' .. r)\n"
          "end\n");
}
END_TEST

START_TEST(test_json_lib_decode_bad_text_returns_nil_and_message)
{
  run_lua("for _, s in ipairs({'{\"a\":', '', '[1,]', 'nul', '{a:1}'}) do\n"
          "  local v, msg = json.decode(s)\n"
          "  assert(v == nil, s)\n"
          "  assert(type(msg) == 'string' and msg:find('invalid JSON'), s)\n"
          "end\n");
}
END_TEST

START_TEST(test_json_lib_decode_rejects_trailing_text)
{
  /* "[1] x" is not JSON text: only whitespace may follow the value. */
  run_lua("local v, msg = json.decode('[1] x')\n"
          "assert(v == nil, 'trailing text was accepted')\n"
          "assert(type(msg) == 'string')\n"
          "assert(json.decode('[1]  \\n') ~= nil)\n");
}
END_TEST

START_TEST(test_json_lib_encode_raises_on_bad_values)
{
  run_lua("local ok, err = pcall(json.encode, print)\n"
          "assert(not ok and err:find('function'), err)\n"
          "local t = {} t[1] = t\n"
          "ok, err = pcall(json.encode, t)\n"
          "assert(not ok and err:find('contains itself'), err)\n"
          "ok, err = pcall(json.encode, {1, x = 2})\n"
          "assert(not ok, 'mixed table encoded')\n"
          "ok, err = pcall(json.encode, 0/0)\n"
          "assert(not ok, 'NaN encoded')\n"
          "ok, err = pcall(json.encode)\n"
          "assert(not ok, 'no argument accepted')\n");
}
END_TEST

START_TEST(test_json_lib_decode_too_deep_fails)
{
  /* Valid JSON nested past the limit is refused like bad text: nil and a
   * message, nothing leaked (valgrind checks that). */
  run_lua("local s = string.rep('[', 150) .. string.rep(']', 150)\n"
          "local v, err = json.decode(s)\n"
          "assert(v == nil and err:find('deeper'), err)\n"
          "collectgarbage()\n");
}
END_TEST

/* Calls json.decode on text (with its length) from C; leaves the first
 * result on the stack and returns whether it was nil. */
static int decode_nil(const char *text, size_t len)
{
  lua_getglobal(L, "json");
  lua_getfield(L, -1, "decode");
  lua_pushlstring(L, text, len);
  ck_assert_int_eq(lua_pcall(L, 1, 2, 0), LUA_OK);
  int is_nil = lua_isnil(L, -2);
  if(is_nil)
    ck_assert_int_eq(lua_type(L, -1), LUA_TSTRING);
  lua_pop(L, 1);
  lua_remove(L, -2);
  return is_nil;
}

START_TEST(test_json_lib_decode_strict_rfc8259)
{
  static const char *const bad[] = {
    "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "\"\\x\"",
    "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"", "nul", "tru", "[1 2]",
    "{\"a\" 1}", "{1:2}", "\"a\\u0000b\"", "\"\xff\"", "\"\x01\"", "\"abc",
    "", "   ", "[", "{\"a\":", "+1", "NaN", "Infinity", "'a'"
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int is_nil = decode_nil(bad[i], strlen(bad[i]));
    lua_pop(L, 1);
    ck_assert_msg(is_nil, "accepted: %s", bad[i]);
  }
  ck_assert(!decode_nil("\"\\ud83d\\ude00\"", 14));
  ck_assert_str_eq(lua_tostring(L, -1), "\xF0\x9F\x98\x80");
  lua_pop(L, 1);
  ck_assert(!decode_nil("\"\\u00e9\\n\\/\\\"\"", 14));
  ck_assert_str_eq(lua_tostring(L, -1), "\xC3\xA9\n/\"");
  lua_pop(L, 1);
  run_lua("assert(math.type(json.decode('12')) == 'integer')\n"
          "assert(math.type(json.decode('1e2')) == 'float')\n"
          "assert(json.decode('-0.5e-3') == -0.0005)\n"
          "assert(#json.decode(' [ ] ') == 0)\n"
          "local t = json.decode('{\"a\":[1,{\"b\":null}],\"c\":true}')\n"
          "assert(t.a[2].b == json.null and t.c == true)\n"
          "assert(json.encode(json.decode('[]')) == '[]')\n"
          "assert(json.encode(json.decode('{}')) == '{}')\n");
}
END_TEST

/* }====== */

/* json.encode reuses the state's scratch buffer; a second taker (a nested
 * encode) gets NULL and falls back to its own buffer, and encoding works
 * the same in a yardstick state and in a plain one. */
START_TEST(test_scratch_buffer_is_taken_once)
{
  lua_State *Y = ys_lua_new((size_t)64 << 20, NULL, NULL);
  ck_assert_ptr_nonnull(Y);
  ys_buf *a = ys_lua_scratch_take(Y, 100);
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_null(ys_lua_scratch_take(Y, 100));
  ck_assert_int_eq(ys_buf_adds(a, "left over"), YS_OK);
  ys_lua_scratch_give(Y, a);
  ys_buf *b = ys_lua_scratch_take(Y, 4);
  ck_assert_ptr_eq(a, b);
  ck_assert_uint_eq(b->len, 0); /* emptied */
  ck_assert_int_eq(ys_buf_adds(b, "12345"), YS_ERR_TOOBIG); /* new cap */
  ys_lua_scratch_give(Y, b);
  luaL_requiref(Y, "json", luaopen_ys_json, 1);
  lua_pop(Y, 1);
  /* A held buffer: json.encode still works (on a buffer of its own). */
  ys_buf *held = ys_lua_scratch_take(Y, 100);
  ck_assert_int_eq(luaL_dostring(Y, "assert(json.encode({b = 1, a = {true}})"
                                    " == '{\"a\":[true],\"b\":1}')"), LUA_OK);
  ys_lua_scratch_give(Y, held);
  ck_assert_int_eq(luaL_dostring(Y, "for i = 1, 3 do assert(json.encode("
                                    "{i}) == '[' .. i .. ']') end"), LUA_OK);
  ys_lua_close(Y);
  /* A plain state has no scratch buffer. */
  lua_State *P = luaL_newstate();
  ck_assert_ptr_null(ys_lua_scratch_take(P, 10));
  lua_close(P);
}
END_TEST

/* {====== ys_json_raw_string ====== */

/* The raw value of key in text, or NULL when ys_json_raw_string says
 * "parse it instead". */
static const char *raw(const char *text, const char *key)
{
  static char out[256];
  const char *v = NULL;
  size_t n = 0;
  if(!ys_json_raw_string(text, strlen(text), key, &v, &n))
    return NULL;
  ck_assert_uint_lt(n, sizeof(out));
  memcpy(out, v, n);
  out[n] = '\0';
  return out;
}

START_TEST(test_raw_string_finds_plain_members)
{
  ck_assert_str_eq(raw("{\"id\": \"a1\", \"x\": 2}", "id"), "a1");
  ck_assert_str_eq(raw("  {\"x\":1,\"id\":\"b\"}", "id"), "b");
  /* Values before it are skipped whole, whatever they hold. */
  ck_assert_str_eq(raw("{\"t\": \"a \\\"}\\\" ,\", \"o\": {\"id\": \"no\", "
                       "\"a\": [1, {\"b\": \"]}\"}]}, \"n\": -1.5e3, "
                       "\"z\": null, \"id\": \"yes\"}", "id"), "yes");
  /* The first of two, as cJSON finds it; UTF-8 as it is; empty. */
  ck_assert_str_eq(raw("{\"id\": \"one\", \"id\": \"two\"}", "id"), "one");
  ck_assert_str_eq(raw("{\"id\": \"caf\xc3\xa9\"}", "id"), "caf\xc3\xa9");
  ck_assert_str_eq(raw("{\"id\": \"\"}", "id"), "");
  /* A key with a dot is a key like any other. */
  ck_assert_str_eq(raw("{\"a.b\": \"v\"}", "a.b"), "v");
}
END_TEST

START_TEST(test_raw_string_leaves_the_rest_to_the_parser)
{
  ck_assert_ptr_null(raw("{\"x\": 1}", "id"));             /* absent */
  ck_assert_ptr_null(raw("{}", "id"));
  ck_assert_ptr_null(raw("{\"id\": 42}", "id"));           /* a number */
  ck_assert_ptr_null(raw("{\"id\": null}", "id"));
  ck_assert_ptr_null(raw("{\"id\": \"a\\nb\"}", "id"));    /* an escape */
  /* An escaped key may spell the key: cJSON would take that member. */
  ck_assert_ptr_null(raw("{\"\\u0069d\": \"x\", \"id\": \"y\"}", "id"));
  ck_assert_ptr_null(raw("[\"id\", \"x\"]", "id"));        /* not an object */
  ck_assert_ptr_null(raw("{\"a\": {\"id\": \"x\"}}", "id")); /* nested only */
  /* Cut short anywhere: never a value, never past the end. */
  const char *full = "{\"x\": [1, \"]\"], \"id\": \"abc\"}";
  for(size_t n = 0; n < strlen(full) - 1; n++) {
    const char *v = NULL;
    size_t len = 0;
    int got = ys_json_raw_string(full, n, "id", &v, &len);
    ck_assert_msg(!got || (v >= full && v + len <= full + n),
                  "cut at %zu: a value past the end", n);
    ck_assert_msg(!got, "cut at %zu: a value from a cut text", n);
  }
}
END_TEST

/* }====== */

static Suite *json_suite(void)
{
  Suite *s = suite_create("json");

  TCase *tc = tcase_create("json_path");
  tcase_add_checked_fixture(tc, doc_setup, doc_teardown);
  tcase_add_test(tc, test_json_path_finds_top_level_key);
  tcase_add_test(tc, test_json_path_follows_nested_objects);
  tcase_add_test(tc, test_json_path_prefers_literal_dotted_key);
  tcase_add_test(tc, test_json_path_literal_key_inside_nested_object);
  tcase_add_test(tc, test_json_path_missing_returns_null);
  tcase_add_test(tc, test_json_path_returns_null_item_for_null_value);
  tcase_add_test(tc, test_json_path_does_not_index_arrays);
  tcase_add_test(tc, test_json_path_is_case_sensitive);
  tcase_add_test(tc, test_json_path_needs_an_object_root);
  tcase_add_test(tc, test_json_path_empty_segment_matches_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("json_fmt_number");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_json_fmt_number_returns_buf);
  tcase_add_test(tc, test_json_fmt_number_integers_have_no_fraction);
  tcase_add_test(tc, test_json_fmt_number_negative_zero_is_zero);
  tcase_add_test(tc, test_json_fmt_number_two_pow_53_is_exact);
  tcase_add_test(tc, test_json_fmt_number_fractions_are_shortest);
  tcase_add_test(tc, test_json_fmt_number_large_values_round_trip);
  tcase_add_test(tc, test_json_fmt_number_nan_and_infinity_are_null);
  tcase_add_test(tc, test_json_fmt_number_matches_shortest_round_trip);
  tcase_add_test(tc, test_json_fmt_number_subnormal_is_shortest);
  suite_add_tcase(s, tc);

  tc = tcase_create("json_append");
  tcase_add_test(tc, test_json_append_is_compact_and_keeps_order);
  tcase_add_test(tc, test_json_append_scalars);
  tcase_add_test(tc, test_json_append_escapes_quotes_and_backslash);
  tcase_add_test(tc, test_json_append_escapes_control_chars);
  tcase_add_test(tc, test_json_append_passes_utf8_through);
  tcase_add_test(tc, test_json_append_escapes_object_keys);
  tcase_add_test(tc, test_json_append_output_reparses_to_same_text);
  tcase_add_test(tc, test_json_append_adds_to_existing_content);
  tcase_add_test(tc, test_json_append_over_cap_fails);
  tcase_add_test(tc, test_json_append_string_uses_length);
  tcase_add_test(tc, test_json_append_string_escapes_at_every_offset);
  suite_add_tcase(s, tc);

  tc = tcase_create("json_raw_string");
  tcase_add_test(tc, test_raw_string_finds_plain_members);
  tcase_add_test(tc, test_raw_string_leaves_the_rest_to_the_parser);
  suite_add_tcase(s, tc);

  tc = tcase_create("json_text");
  tcase_add_test(tc, test_json_append_text_renders_like_a_template);
  tcase_add_test(tc, test_json_id_text_of_string_and_number);
  tcase_add_test(tc, test_json_id_text_rejects_other_types_and_empty);
  tcase_add_test(tc, test_json_id_text_needs_room_for_nul);
  tcase_add_test(tc, test_json_type_name_names_each_type);
  suite_add_tcase(s, tc);

  tc = tcase_create("lua_push_json");
  tcase_add_checked_fixture(tc, lua_setup, lua_teardown);
  tcase_add_test(tc, test_lua_push_json_pushes_one_value);
  tcase_add_test(tc, test_lua_push_json_scalars);
  tcase_add_test(tc, test_lua_push_json_null_is_null_lightuserdata);
  tcase_add_test(tc, test_lua_push_json_array_has_marker_metatable);
  tcase_add_test(tc, test_lua_push_json_object_is_plain_table);
  tcase_add_test(tc, test_lua_push_json_depth_limit_raises);
  suite_add_tcase(s, tc);

  tc = tcase_create("lua_to_json");
  tcase_add_checked_fixture(tc, lua_setup, lua_teardown);
  tcase_add_test(tc, test_lua_to_json_round_trips_canonical_text);
  tcase_add_test(tc, test_lua_to_json_arrays_stay_arrays);
  tcase_add_test(tc, test_lua_to_json_sequence_is_array);
  tcase_add_test(tc, test_lua_to_json_sorts_object_keys);
  tcase_add_test(tc, test_lua_to_json_same_table_same_text);
  tcase_add_test(tc, test_lua_to_json_null_and_nil);
  tcase_add_test(tc, test_lua_to_json_numbers);
  tcase_add_test(tc, test_lua_to_json_accepts_negative_index);
  tcase_add_test(tc, test_lua_to_json_rejects_function);
  tcase_add_test(tc, test_lua_to_json_rejects_nan_and_infinity);
  tcase_add_test(tc, test_lua_to_json_rejects_mixed_and_sparse_tables);
  tcase_add_test(tc, test_lua_to_json_rejects_self_reference);
  tcase_add_test(tc, test_lua_to_json_depth_limit);
  tcase_add_test(tc, test_lua_to_json_rejects_string_with_nul);
  tcase_add_test(tc, test_lua_to_json_rejects_key_with_nul);
  tcase_add_test(tc, test_lua_to_json_rejects_other_types);
  tcase_add_test(tc, test_lua_to_json_accepts_null_diag);
  suite_add_tcase(s, tc);

  tc = tcase_create("json_lib");
  tcase_add_checked_fixture(tc, lib_setup, lua_teardown);
  tcase_add_test(tc, test_scratch_buffer_is_taken_once);
  tcase_add_test(tc, test_json_lib_has_encode_decode_null);
  tcase_add_test(tc, test_json_lib_extract);
  tcase_add_test(tc, test_json_lib_encode_sorts_keys_and_keeps_arrays);
  tcase_add_test(tc, test_json_lib_decode_builds_values);
  tcase_add_test(tc, test_json_lib_round_trip);
  tcase_add_test(tc, test_json_lib_decode_bad_text_returns_nil_and_message);
  tcase_add_test(tc, test_json_lib_decode_rejects_trailing_text);
  tcase_add_test(tc, test_json_lib_encode_raises_on_bad_values);
  tcase_add_test(tc, test_json_lib_decode_too_deep_fails);
  tcase_add_test(tc, test_json_lib_decode_strict_rfc8259);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(json_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
