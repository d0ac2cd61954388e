/* SPDX-License-Identifier: MIT */
/*
 * check_metric.c: unit tests for src/metric.h. Small plugins are written to
 * a temp directory and loaded through ys_metric_load; the shipped
 * metrics/exact_match.lua and taxonomy_depth.lua are found through
 * YS_SRCDIR. Covers declarations, parameters, keys, scoring, the time and
 * memory limits, the sandbox and custom aggregates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "lua_host.h"
#include "metric.h"

/* {====== helpers ====== */

/* Metrics a test loaded. The fixture teardown frees those the test did
 * not (it runs even after a failed assertion), so valgrind reports only
 * leaks in src/, never a failed test's metric. */
#define MAX_LIVE 32
static ys_metric *live[MAX_LIVE];
static size_t nlive;

static void track(ys_metric *m)
{
  ck_assert_uint_lt(nlive, MAX_LIVE);
  live[nlive++] = m;
}

/* Frees m, which the test is done with. */
static void drop(ys_metric *m)
{
  for(size_t i = 0; i < nlive; i++)
    if(live[i] == m) {
      live[i] = live[--nlive];
      break;
    }
  ys_metric_free(m);
}

static void drop_all(void)
{
  while(nlive)
    ys_metric_free(live[--nlive]);
}

/* Writes src to a fresh temp directory as file name, loads it with name as
 * the display name, and removes file and directory before returning. */
static ys_err load_src_log(const char *name, const char *src,
                           ys_lua_log_fn log, void *log_ud, ys_metric **m,
                           ys_diag *d)
{
  char dir[] = "/tmp/ys-check-metric-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  size_t len = strlen(src);
  int ok = f && fwrite(src, 1, len, f) == len;
  if(f && fclose(f) != 0)
    ok = 0;
  ys_diag_clear(d);
  ys_err err = ok ? ys_metric_load(path, name, log, log_ud, m, d) : YS_OK;
  unlink(path);
  rmdir(dir);
  ck_assert_msg(ok, "cannot write %s", path);
  if(err)
    ck_assert_ptr_null(*m);
  else
    track(*m);
  return err;
}

static ys_err load_src(const char *name, const char *src, ys_metric **m,
                       ys_diag *d)
{
  return load_src_log(name, src, NULL, NULL, m, d);
}

/* Parses JSON text that the test itself wrote. Returns owned. */
static cJSON *json(const char *text)
{
  cJSON *v = cJSON_Parse(text);
  ck_assert_msg(v != NULL, "bad JSON in the test: %s", text);
  return v;
}

static void configure_ok(ys_metric *m, const char *params)
{
  cJSON *p = params ? json(params) : NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_metric_configure(m, p, &d);
  cJSON_Delete(p);
  ck_assert_msg(err == YS_OK, "configure %s: %s", params ? params : "NULL",
                d.msg);
}

/* Loads src as m.lua and configures it with params (JSON or NULL). */
static ys_metric *load_ok(const char *src, const char *params)
{
  ys_metric *m = NULL;
  ys_diag d;
  ys_err err = load_src("m.lua", src, &m, &d);
  ck_assert_msg(err == YS_OK, "load: %s", d.msg);
  ck_assert_ptr_nonnull(m);
  configure_ok(m, params);
  return m;
}

/* Loads a shipped metric, metrics/<name>.lua under $YS_SRCDIR, without
 * configuring it. */
static ys_metric *load_shipped_raw(const char *name)
{
  const char *dir = getenv("YS_SRCDIR");
  ck_assert_msg(dir && dir[0], "YS_SRCDIR must name the source tree to "
                "find metrics/%s.lua (`make check` sets it)", name);
  char path[1024], display[64];
  snprintf(path, sizeof(path), "%s/metrics/%s.lua", dir, name);
  snprintf(display, sizeof(display), "metrics/%s.lua", name);
  ys_metric *m = NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_metric_load(path, display, NULL, NULL, &m, &d);
  ck_assert_msg(err == YS_OK, "load %s: %s", path, d.msg);
  track(m);
  return m;
}

/* Loads a shipped metric and configures it with params (JSON or NULL). */
static ys_metric *load_shipped(const char *name, const char *params)
{
  ys_metric *m = load_shipped_raw(name);
  configure_ok(m, params);
  return m;
}

/* Scores output (JSON text) for sample (JSON text) as sample "s1" of
 * model "model-a". */
static ys_err score(ys_metric *m, const char *sample, const char *output,
                    double *scores, ys_diag *d)
{
  cJSON *s = json(sample), *o = json(output);
  ys_diag_clear(d);
  ys_err err = ys_metric_score(m, s, o, "s1", "model-a", scores, d);
  cJSON_Delete(s);
  cJSON_Delete(o);
  return err;
}

/* The one score of a single-score metric; the call must succeed. */
static double score1(ys_metric *m, const char *sample, const char *output)
{
  ck_assert_uint_eq(ys_metric_nkeys(m), 1);
  double v = -1;
  ys_diag d;
  ys_err err = score(m, sample, output, &v, &d);
  ck_assert_msg(err == YS_OK, "score %s / %s: %s", sample, output, d.msg);
  return v;
}

static void expect_msg(const ys_diag *d, const char *part)
{
  ck_assert_msg(strstr(d->msg, part) != NULL, "message '%s' lacks '%s'",
                d->msg, part);
}

/* Loading src must fail with YS_ERR_SUITE and a message containing part. */
static void expect_load_error(const char *src, const char *part)
{
  ys_metric *m = (ys_metric *)1;
  ys_diag d;
  ys_err err = load_src("bad.lua", src, &m, &d);
  ck_assert_msg(err == YS_ERR_SUITE, "got %d (%s), wanted SUITE", (int)err,
                d.msg);
  ck_assert_ptr_null(m);
  expect_msg(&d, part);
}

/* Configuring must fail with YS_ERR_SUITE and a message containing part. */
static void expect_configure_error(ys_metric *m, const char *params,
                                   const char *part)
{
  cJSON *p = params ? json(params) : NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_metric_configure(m, p, &d);
  cJSON_Delete(p);
  ck_assert_msg(err == YS_ERR_SUITE, "configure %s: got %d (%s)",
                params ? params : "NULL", (int)err, d.msg);
  expect_msg(&d, part);
}

/* Scoring must fail with YS_ERR_LUA and a message containing part. */
static void expect_score_error(ys_metric *m, const char *sample,
                               const char *output, const char *part)
{
  double v[8];
  ys_diag d;
  ys_err err = score(m, sample, output, v, &d);
  ck_assert_msg(err == YS_ERR_LUA, "score %s / %s: got %d (%s)", sample,
                output, (int)err, d.msg);
  expect_msg(&d, part);
}

static const char PLAIN[] =
  "return { name = 'm', score = function(p, s, o) return s.v end }\n";

/* }====== */

/* {====== declarations ====== */

START_TEST(test_load_reads_declaration)
{
  ys_metric *m = load_ok(
    "return { name = 'acc', description = 'an accuracy', kind = 'binary',\n"
    "  params = { field = { type = 'string', default = 'answer',\n"
    "                       doc = 'where the answer is' } },\n"
    "  score = function() return true end }\n", NULL);
  ck_assert_str_eq(ys_metric_plugin(m), "acc");
  ck_assert_str_eq(ys_metric_name(m), "acc");
  ck_assert_int_eq(ys_metric_binary(m), 1);
  ck_assert_int_eq(ys_metric_aggregation(m), YS_AGG_MEAN);
  ck_assert_uint_eq(ys_metric_nkeys(m), 1);
  ck_assert_str_eq(ys_metric_key(m, 0), "acc");
  ck_assert_ptr_null(ys_metric_key(m, 1));
  cJSON *desc = ys_metric_describe(m);
  ck_assert_str_eq(cJSON_GetObjectItem(desc, "name")->valuestring, "acc");
  ck_assert_str_eq(cJSON_GetObjectItem(desc, "description")->valuestring,
                   "an accuracy");
  ck_assert_str_eq(cJSON_GetObjectItem(desc, "kind")->valuestring,
                   "binary");
  cJSON *ps = cJSON_GetObjectItem(desc, "params");
  ck_assert_int_eq(cJSON_GetArraySize(ps), 1);
  cJSON *p0 = cJSON_GetArrayItem(ps, 0);
  ck_assert_str_eq(cJSON_GetObjectItem(p0, "name")->valuestring, "field");
  ck_assert_str_eq(cJSON_GetObjectItem(p0, "type")->valuestring, "string");
  ck_assert_str_eq(cJSON_GetObjectItem(p0, "default")->valuestring,
                   "answer");
  ck_assert_str_eq(cJSON_GetObjectItem(p0, "doc")->valuestring,
                   "where the answer is");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(p0, "required")));
  cJSON_Delete(desc);
  drop(m);
}
END_TEST

START_TEST(test_load_reads_aggregate_and_kind)
{
  static const struct { const char *decl; ys_metric_agg agg; int bin; }
  cases[] = {
    { "aggregate = 'sum'", YS_AGG_SUM, 0 },
    { "aggregate = 'rate', kind = 'continuous'", YS_AGG_RATE, 0 },
    { "aggregate = 'median', kind = 'binary'", YS_AGG_MEDIAN, 1 },
    { "aggregate = 'mean'", YS_AGG_MEAN, 0 },
    { "aggregate = function(v) return 0 end", YS_AGG_CUSTOM, 0 },
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char src[256];
    snprintf(src, sizeof(src), "return { name = 'm', %s,\n"
             "  score = function() return 1 end }\n", cases[i].decl);
    ys_metric *m = load_ok(src, NULL);
    ck_assert_int_eq(ys_metric_aggregation(m), cases[i].agg);
    ck_assert_int_eq(ys_metric_binary(m), cases[i].bin);
    drop(m);
  }
}
END_TEST

START_TEST(test_load_missing_file_is_io_error)
{
  ys_metric *m = (ys_metric *)1;
  ys_diag d;
  ys_err err = ys_metric_load("/nonexistent/ys/m.lua", "m.lua", NULL, NULL,
                              &m, &d);
  ck_assert_int_eq(err, YS_ERR_IO);
  ck_assert_ptr_null(m);
  expect_msg(&d, "cannot open");
}
END_TEST

START_TEST(test_load_syntax_error_names_file_and_line)
{
  expect_load_error("return {\n  name = 'm',,\n}\n", "bad.lua:2:");
}
END_TEST

START_TEST(test_load_error_in_chunk_is_suite_error)
{
  expect_load_error("local x = nil\nreturn x.y\n", "bad.lua:2:");
}
END_TEST

START_TEST(test_load_binary_chunk_is_refused)
{
  expect_load_error("\x1bLua\x54\x00garbage", "a compiled Lua chunk: only Lua source text can be loaded");
}
END_TEST

START_TEST(test_load_needs_a_table)
{
  expect_load_error("return 42\n", "the file must return a table");
}
END_TEST

START_TEST(test_load_needs_a_name)
{
  expect_load_error("return { score = function() return 1 end }\n",
                    "needs a 'name'");
  expect_load_error("return { name = 'a.b', score = function() end }\n",
                    "needs a 'name' without dots or spaces");
  expect_load_error("return { name = '', score = function() end }\n",
                    "needs a 'name'");
  expect_load_error("return { name = 3, score = function() end }\n",
                    "'name' must be a string");
}
END_TEST

START_TEST(test_load_needs_a_score_function)
{
  expect_load_error("return { name = 'm' }\n",
                    "'m' needs a function score(params, sample, output, "
                    "ctx)");
  expect_load_error("return { name = 'm', score = 1 }\n",
                    "needs a function score");
}
END_TEST

START_TEST(test_load_error_message_names_the_plugin)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("noscore.lua", "return { name = 'm' }\n", &m,
                            &d), YS_ERR_SUITE);
  ck_assert_str_eq(d.msg, "metric plugin noscore.lua: 'm' needs a function "
                   "score(params, sample, output, ctx)");
}
END_TEST

START_TEST(test_load_rejects_bad_kind)
{
  expect_load_error("return { name = 'm', kind = 'boolean',\n"
                    "  score = function() return 1 end }\n",
                    "'kind' must be \"binary\" or \"continuous\"");
}
END_TEST

START_TEST(test_load_rejects_bad_aggregate)
{
  expect_load_error("return { name = 'm', aggregate = 'avg',\n"
                    "  score = function() return 1 end }\n",
                    "'aggregate' must be mean, sum, rate, median or a "
                    "function, not 'avg'");
  expect_load_error("return { name = 'm', aggregate = 3,\n"
                    "  score = function() return 1 end }\n",
                    "'aggregate' must be a string or a function");
}
END_TEST

START_TEST(test_load_rejects_bad_param_type)
{
  expect_load_error("return { name = 'm',\n"
                    "  params = { x = { type = 'float', default = 1 } },\n"
                    "  score = function() return 1 end }\n",
                    "parameter 'x' has unknown type 'float'");
  expect_load_error("return { name = 'm', params = { x = 1 },\n"
                    "  score = function() return 1 end }\n",
                    "each entry of 'params' must be");
}
END_TEST

START_TEST(test_load_rejects_reserved_param_name)
{
  expect_load_error("return { name = 'm',\n"
                    "  params = { name = { type = 'string' } },\n"
                    "  score = function() return 1 end }\n",
                    "parameter 'name' is reserved");
}
END_TEST

START_TEST(test_load_rejects_bad_keys_declaration)
{
  expect_load_error("return { name = 'm', keys = 'a',\n"
                    "  score = function() return 1 end }\n",
                    "'keys' must be a list of names or a function");
}
END_TEST

START_TEST(test_free_null_is_noop)
{
  ys_metric_free(NULL);
}
END_TEST

/* }====== */

/* {====== configure ====== */

static const char PARAMS[] =
  "return { name = 'pm',\n"
  "  params = {\n"
  "    ref = { type = 'string', required = true, doc = 'reference field' },\n"
  "    n = { type = 'number', default = 0.5 },\n"
  "    k = { type = 'integer', default = 3 },\n"
  "    flag = { type = 'boolean', default = false },\n"
  "    opts = { type = 'table', default = { 1, 2 } },\n"
  "    whatever = { default = 'x' },\n"
  "  },\n"
  "  score = function(p) return p.n + p.k + (p.flag and 100 or 0) end }\n";

START_TEST(test_configure_unknown_param_lists_known)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", PARAMS, &m, &d), YS_OK);
  cJSON *p = json("{\"ref\": \"a\", \"zzz\": 1}");
  ck_assert_int_eq(ys_metric_configure(m, p, &d), YS_ERR_SUITE);
  cJSON_Delete(p);
  expect_msg(&d, "metric 'pm': unknown parameter 'zzz' (known: ");
  static const char *const known[] = {
    "ref", "n", "k", "flag", "opts", "whatever"
  };
  for(size_t i = 0; i < 6; i++)
    expect_msg(&d, known[i]);
  drop(m);

  ck_assert_int_eq(load_src("m.lua", PLAIN, &m, &d), YS_OK);
  expect_configure_error(m, "{\"x\": 1}",
                         "metric 'm': unknown parameter 'x' (known: none)");
  drop(m);
}
END_TEST

START_TEST(test_configure_wrong_type_fails)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", PARAMS, &m, &d), YS_OK);
  expect_configure_error(m, "{\"ref\": \"a\", \"n\": \"high\"}",
                         "metric 'pm': parameter 'n' must be a number, got "
                         "string");
  expect_configure_error(m, "{\"ref\": \"a\", \"k\": 2.5}",
                         "parameter 'k' must be an integer, got number");
  expect_configure_error(m, "{\"ref\": \"a\", \"flag\": 1}",
                         "parameter 'flag' must be a boolean, got integer");
  expect_configure_error(m, "{\"ref\": \"a\", \"opts\": \"x\"}",
                         "parameter 'opts' must be a table, got string");
  expect_configure_error(m, "{\"ref\": 7}",
                         "parameter 'ref' must be a string, got integer");
  drop(m);
}
END_TEST

START_TEST(test_configure_missing_required_fails)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", PARAMS, &m, &d), YS_OK);
  expect_configure_error(m, NULL, "metric 'pm': parameter 'ref' is required "
                         "(reference field)");
  expect_configure_error(m, "{\"n\": 1}", "parameter 'ref' is required");
  drop(m);
}
END_TEST

START_TEST(test_configure_rejects_non_object)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", PLAIN, &m, &d), YS_OK);
  expect_configure_error(m, "[1, 2]", "parameters must be a table");
  drop(m);
}
END_TEST

START_TEST(test_configure_fills_defaults)
{
  ys_metric *m = load_ok(PARAMS, "{\"ref\": \"answer\"}");
  const cJSON *cfg = ys_metric_params(m);
  ck_assert_str_eq(cJSON_GetObjectItem(cfg, "ref")->valuestring, "answer");
  ck_assert_double_eq(cJSON_GetObjectItem(cfg, "n")->valuedouble, 0.5);
  ck_assert_int_eq(cJSON_GetObjectItem(cfg, "k")->valueint, 3);
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cfg, "flag")));
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cfg, "opts")), 2);
  ck_assert_str_eq(cJSON_GetObjectItem(cfg, "whatever")->valuestring, "x");
  /* score() sees the same values: 0.5 + 3 */
  ck_assert_double_eq(score1(m, "{}", "\"\""), 3.5);
  drop(m);
}
END_TEST

START_TEST(test_configure_given_values_override_defaults)
{
  ys_metric *m = load_ok(PARAMS, "{\"ref\": \"a\", \"n\": 2, \"k\": 10, "
                         "\"flag\": true, \"whatever\": [1]}");
  ck_assert_double_eq(score1(m, "{}", "\"\""), 112.0);
  const cJSON *cfg = ys_metric_params(m);
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(cfg, "whatever")));
  drop(m);
}
END_TEST

START_TEST(test_name_renames_instance_and_keys)
{
  ys_metric *m = load_ok(PLAIN, "{\"name\": \"strict\"}");
  ck_assert_str_eq(ys_metric_name(m), "strict");
  ck_assert_str_eq(ys_metric_plugin(m), "m");
  ck_assert_uint_eq(ys_metric_nkeys(m), 1);
  ck_assert_str_eq(ys_metric_key(m, 0), "strict");
  ck_assert_ptr_null(cJSON_GetObjectItem(ys_metric_params(m), "name"));
  drop(m);

  m = load_ok("return { name = 'm', keys = { 'a', 'b' },\n"
              "  score = function() return { a = 1, b = 0 } end }\n",
              "{\"name\": \"v2\"}");
  ck_assert_uint_eq(ys_metric_nkeys(m), 2);
  ck_assert_str_eq(ys_metric_key(m, 0), "v2.a");
  ck_assert_str_eq(ys_metric_key(m, 1), "v2.b");
  drop(m);
}
END_TEST

START_TEST(test_name_must_be_a_plain_string)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", PLAIN, &m, &d), YS_OK);
  expect_configure_error(m, "{\"name\": \"a.b\"}",
                         "parameter 'name' must be a non-empty string "
                         "without dots or spaces");
  expect_configure_error(m, "{\"name\": \"\"}", "parameter 'name' must be");
  expect_configure_error(m, "{\"name\": 3}", "parameter 'name' must be");
  drop(m);
}
END_TEST

/* }====== */

/* {====== keys ====== */

START_TEST(test_keys_from_list_keep_declaration_order)
{
  ys_metric *m = load_ok(
    "return { name = 'm', keys = { 'zeta', 'alpha', 'mid' },\n"
    "  score = function() return { alpha = 1, zeta = 2, mid = 3 } end }\n",
    NULL);
  ck_assert_uint_eq(ys_metric_nkeys(m), 3);
  ck_assert_str_eq(ys_metric_key(m, 0), "m.zeta");
  ck_assert_str_eq(ys_metric_key(m, 1), "m.alpha");
  ck_assert_str_eq(ys_metric_key(m, 2), "m.mid");
  ck_assert_ptr_null(ys_metric_key(m, 3));
  double v[3];
  ys_diag d;
  ck_assert_int_eq(score(m, "{}", "\"\"", v, &d), YS_OK);
  ck_assert_double_eq(v[0], 2);
  ck_assert_double_eq(v[1], 1);
  ck_assert_double_eq(v[2], 3);
  drop(m);
}
END_TEST

START_TEST(test_keys_from_function_of_params)
{
  static const char src[] =
    "return { name = 'm', params = { n = { type = 'integer', default = 2 } },"
    "\n  keys = function(p) local k = {}\n"
    "    for i = 1, p.n do k[i] = 'k' .. i end return k end,\n"
    "  score = function(p) local r = {}\n"
    "    for i = 1, p.n do r['k' .. i] = i / 10 end return r end }\n";
  ys_metric *m = load_ok(src, NULL);
  ck_assert_uint_eq(ys_metric_nkeys(m), 2);
  drop(m);
  m = load_ok(src, "{\"n\": 4}");
  ck_assert_uint_eq(ys_metric_nkeys(m), 4);
  ck_assert_str_eq(ys_metric_key(m, 3), "m.k4");
  double v[4];
  ys_diag d;
  ck_assert_int_eq(score(m, "{}", "\"\"", v, &d), YS_OK);
  ck_assert_double_eq_tol(v[3], 0.4, 1e-12);
  drop(m);
}
END_TEST

START_TEST(test_keys_errors_are_suite_errors)
{
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src("m.lua", "return { name = 'm',\n"
                            "  keys = function(p) error('no keys today', 0) "
                            "end,\n  score = function() end }\n", &m, &d),
                   YS_OK);
  expect_configure_error(m, NULL, "metric 'm': no keys today");
  drop(m);

  static const struct { const char *keys, *part; } cases[] = {
    { "{ 'a', 'a' }", "key 'a' is listed twice" },
    { "{ 'a', 'b.c' }", "key 2 must be a non-empty string" },
    { "{ 'a', '' }", "key 2 must be a non-empty string" },
    { "{}", "'keys' must list between 1 and 1000 names" },
    { "function() return 5 end", "'keys' must give a list of names" },
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char src[256];
    snprintf(src, sizeof(src), "return { name = 'm', keys = %s,\n"
             "  score = function() return {} end }\n", cases[i].keys);
    m = NULL;
    ck_assert_int_eq(load_src("m.lua", src, &m, &d), YS_OK);
    expect_configure_error(m, NULL, cases[i].part);
    drop(m);
  }
}
END_TEST

/* }====== */

/* {====== score ====== */

START_TEST(test_score_number)
{
  ys_metric *m = load_ok(PLAIN, NULL);
  ck_assert_double_eq(score1(m, "{\"v\": 0.25}", "\"\""), 0.25);
  ck_assert_double_eq(score1(m, "{\"v\": -3}", "\"\""), -3);
  drop(m);
}
END_TEST

START_TEST(test_score_boolean_counts_as_one_or_zero)
{
  ys_metric *m = load_ok(PLAIN, NULL);
  ck_assert_double_eq(score1(m, "{\"v\": true}", "\"\""), 1);
  ck_assert_double_eq(score1(m, "{\"v\": false}", "\"\""), 0);
  drop(m);
}
END_TEST

START_TEST(test_score_table_fills_keys)
{
  ys_metric *m = load_ok("return { name = 'm', keys = { 'a', 'b', 'c' },\n"
                         "  score = function(p, s) return s.r end }\n",
                         NULL);
  double v[3] = { -1, -1, -1 };
  ys_diag d;
  ck_assert_int_eq(score(m, "{\"r\": {\"a\": true, \"b\": 0.5, \"c\": false}}",
                         "\"\"", v, &d), YS_OK);
  ck_assert_double_eq(v[0], 1);
  ck_assert_double_eq(v[1], 0.5);
  ck_assert_double_eq(v[2], 0);
  drop(m);
}
END_TEST

START_TEST(test_score_sees_sample_output_and_ctx)
{
  ys_metric *m = load_ok(
    "return { name = 'm', score = function(p, s, o, ctx)\n"
    "  assert(s.q == 'why' and s.n == 2, 'sample')\n"
    "  assert(o.text == 'because' and o.list[2] == 'b', 'output')\n"
    "  assert(ctx.id == 's1', 'id')\n"
    "  assert(ctx.model == 'model-a', 'model')\n"
    "  return 1 end }\n", NULL);
  ck_assert_double_eq(score1(m, "{\"q\": \"why\", \"n\": 2}",
                             "{\"text\": \"because\", \"list\": [\"a\", "
                             "\"b\"]}"), 1);
  drop(m);
}
END_TEST

START_TEST(test_score_error_names_the_metric)
{
  ys_metric *m = load_ok("return { name = 'm', score = function()\n"
                         "  error('no reference here') end }\n",
                         "{\"name\": \"renamed\"}");
  expect_score_error(m, "{}", "\"\"", "metric 'renamed': ");
  expect_score_error(m, "{}", "\"\"", "no reference here");
  expect_score_error(m, "{}", "\"\"", "m.lua:2:");
  drop(m);
}
END_TEST

START_TEST(test_score_returning_nil_fails)
{
  ys_metric *m = load_ok(PLAIN, NULL);
  expect_score_error(m, "{}", "\"\"", "metric 'm': score() returned nil, "
                     "expected a number or boolean");
  expect_score_error(m, "{\"v\": \"1\"}", "\"\"", "returned string");
  drop(m);
}
END_TEST

START_TEST(test_score_table_lacking_key_fails)
{
  ys_metric *m = load_ok("return { name = 'm', keys = { 'a', 'b' },\n"
                         "  score = function(p, s) return s.r end }\n",
                         NULL);
  expect_score_error(m, "{\"r\": {\"a\": 1}}", "\"\"",
                     "metric 'm': score() result lacks 'b'");
  expect_score_error(m, "{\"r\": 1}", "\"\"",
                     "score() returned number, expected a table");
  expect_score_error(m, "{\"r\": {\"a\": 1, \"b\": \"x\"}}", "\"\"",
                     "'b' must be a finite number or boolean, got string");
  drop(m);
}
END_TEST

START_TEST(test_score_table_with_undeclared_key_fails)
{
  ys_metric *m = load_ok("return { name = 'm', keys = { 'a' },\n"
                         "  score = function(p, s) return s.r end }\n",
                         NULL);
  expect_score_error(m, "{\"r\": {\"a\": 1, \"extra\": 1}}", "\"\"",
                     "metric 'm': score() returned keys it does not "
                     "declare");
  drop(m);
}
END_TEST

START_TEST(test_score_nan_and_infinity_fail)
{
  ys_metric *m = load_ok("return { name = 'm', score = function(p, s)\n"
                         "  if s.inf then return math.huge end\n"
                         "  return 0/0 end }\n", NULL);
  expect_score_error(m, "{}", "\"\"", "metric 'm': ");
  expect_score_error(m, "{\"inf\": true}", "\"\"", "metric 'm': ");
  /* The message must not contradict itself ("returned number, expected a
   * number"): it says the number is not finite. */
  expect_score_error(m, "{}", "\"\"", "finite");
  drop(m);

  m = load_ok("return { name = 'm', keys = { 'a' },\n"
              "  score = function() return { a = 0/0 } end }\n", NULL);
  expect_score_error(m, "{}", "\"\"", "'a' must be a finite number");
  drop(m);
}
END_TEST

START_TEST(test_binary_metric_scores_only_zero_or_one)
{
  ys_metric *m = load_ok("return { name = 'b', kind = 'binary',\n"
                         "  score = function(p, s) return s.v end }\n",
                         NULL);
  ck_assert_double_eq(score1(m, "{\"v\": 1}", "\"\""), 1);
  ck_assert_double_eq(score1(m, "{\"v\": false}", "\"\""), 0);
  expect_score_error(m, "{\"v\": 0.5}", "\"\"",
                     "metric 'b': 'b' is binary but scored 0.5");
  drop(m);
}
END_TEST

START_TEST(test_score_after_error_works)
{
  ys_metric *m = load_ok("return { name = 'm', score = function(p, s)\n"
                         "  if s.fail then error('bad') end\n"
                         "  return 0.75 end }\n", NULL);
  expect_score_error(m, "{\"fail\": true}", "\"\"", "bad");
  ck_assert_double_eq(score1(m, "{}", "\"\""), 0.75);
  drop(m);
}
END_TEST

/* }====== */

/* {====== limits ====== */

START_TEST(test_endless_loop_is_stopped_by_time_limit)
{
  ys_metric *m = load_ok("return { name = 'm', score = function(p, s)\n"
                         "  if s.spin then while true do end end\n"
                         "  return 1 end }\n", NULL);
  double t0 = ys_lua_clock_ms();
  expect_score_error(m, "{\"spin\": true}", "\"\"",
                     "metric 'm': ");
  double dt = ys_lua_clock_ms() - t0;
  ck_assert_double_ge(dt, YS_METRIC_TIME_LIMIT_MS * 0.9);
  ck_assert_double_lt(dt, YS_METRIC_TIME_LIMIT_MS * 5);
  /* The next call gets a fresh budget and works. */
  ck_assert_double_eq(score1(m, "{}", "\"\""), 1);
  drop(m);
}
END_TEST

START_TEST(test_time_limit_message)
{
  ys_metric *m = load_ok("return { name = 'm', score = function()\n"
                         "  while true do end end }\n", NULL);
  expect_score_error(m, "{}", "\"\"", "time limit exceeded");
  drop(m);
}
END_TEST

START_TEST(test_pcall_cannot_swallow_time_limit)
{
  ys_metric *m = load_ok(
    "return { name = 'm', score = function(p, s)\n"
    "  if s.loop then\n"
    "    while true do pcall(function() while true do end end) end\n"
    "  end\n"
    "  if s.once then\n"
    "    local ok = pcall(function() while true do end end)\n"
    "    return ok and 2 or 3\n"
    "  end\n"
    "  return 1 end }\n", NULL);
  expect_score_error(m, "{\"loop\": true}", "\"\"", "time limit exceeded");
  expect_score_error(m, "{\"once\": true}", "\"\"", "time limit exceeded");
  ck_assert_double_eq(score1(m, "{}", "\"\""), 1);
  drop(m);
}
END_TEST

START_TEST(test_endless_loop_while_loading_is_stopped)
{
  ys_metric *m = (ys_metric *)1;
  ys_diag d;
  ys_err err = load_src("spin.lua", "while true do end\n", &m, &d);
  ck_assert_int_eq(err, YS_ERR_SUITE);
  expect_msg(&d, "time limit exceeded");
}
END_TEST

START_TEST(test_unbounded_allocation_is_stopped_by_memory_cap)
{
  /* 1 MiB strings reach the 64 MiB cap well within the time limit, even
   * under valgrind. */
  ys_metric *m = load_ok(
    "return { name = 'm', score = function(p, s)\n"
    "  if s.hog then\n"
    "    local t, i = {}, 0\n"
    "    while true do i = i + 1; t[i] = string.rep('x', 1 << 20) end\n"
    "  end\n"
    "  local t = {}\n"
    "  for i = 1, 1000 do t[i] = string.rep('y', 1000) .. i end\n"
    "  return #t end }\n", NULL);
  double v = 0;
  ys_diag d;
  ys_err err = score(m, "{\"hog\": true}", "\"\"", &v, &d);
  ck_assert_msg(err != YS_OK, "the allocation loop returned");
  expect_msg(&d, "metric 'm': ");
  expect_msg(&d, "out of memory");
  /* The next call on the same metric gets its memory back. */
  ck_assert_double_eq(score1(m, "{}", "\"\""), 1000);
  ck_assert_double_eq(score1(m, "{}", "\"\""), 1000);
  drop(m);
}
END_TEST

START_TEST(test_out_of_memory_is_a_lua_error)
{
  /* metric.h: a plugin that ran out of memory fails with YS_ERR_LUA (the
   * score fails, not the run). */
  ys_metric *m = load_ok(
    "return { name = 'm', score = function()\n"
    "  local t, i = {}, 0\n"
    "  while true do i = i + 1; t[i] = string.rep('x', 1 << 20) end\n"
    "  end }\n", NULL);
  expect_score_error(m, "{}", "\"\"", "out of memory");
  drop(m);
}
END_TEST

/* }====== */

/* {====== sandbox ====== */

static const char PROBE[] =
  "local ys = require 'yardstick'\n"
  "return { name = 'probe', score = function(p, s)\n"
  "  if s.read then local v = _ENV[s.read]; return v ~= nil end\n"
  "  if s.require then return require(s.require) ~= nil end\n"
  "  if s.code == 'G' then _G.injected = 1; return 1 end\n"
  "  if s.code == 'rawG' then rawset(_G, 'injected', 1); return 1 end\n"
  "  if s.code == 'setmt' then setmetatable(_ENV, nil); return 1 end\n"
  "  if s.code == 'getmt' then return getmetatable(_ENV) == false end\n"
  "  if s.code == 'count' then\n"
  "    count = (rawget(_ENV, 'count') or 0) + 1; return count end\n"
  "  if s.code == 'json' then\n"
  "    return ys.json.encode({ a = 1 }) == '{\"a\":1}' end\n"
  "  return 0 end }\n";

START_TEST(test_sandbox_has_no_io_or_os)
{
  ys_metric *m = load_ok(PROBE, NULL);
  static const char *const gone[] = {
    "io", "os", "debug", "package", "load", "dofile", "loadfile",
    "collectgarbage"
  };
  for(size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
    char sample[64], want[64];
    snprintf(sample, sizeof(sample), "{\"read\": \"%s\"}", gone[i]);
    snprintf(want, sizeof(want), "undefined global '%s'", gone[i]);
    expect_score_error(m, sample, "\"\"", want);
  }
  /* What is left works. */
  static const char *const kept[] = {
    "string", "table", "math", "utf8", "pairs", "pcall", "tostring"
  };
  for(size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
    char sample[64];
    snprintf(sample, sizeof(sample), "{\"read\": \"%s\"}", kept[i]);
    ck_assert_double_eq(score1(m, sample, "\"\""), 1);
  }
  drop(m);
}
END_TEST

START_TEST(test_sandbox_require_knows_only_yardstick)
{
  ys_metric *m = load_ok(PROBE, NULL);
  expect_score_error(m, "{\"require\": \"os\"}", "\"\"",
                     "module 'os' not found");
  expect_score_error(m, "{\"require\": \"io\"}", "\"\"",
                     "module 'io' not found");
  expect_score_error(m, "{\"require\": \"debug\"}", "\"\"",
                     "module 'debug' not found");
  ck_assert_double_eq(score1(m, "{\"require\": \"yardstick\"}", "\"\""), 1);
  ck_assert_double_eq(score1(m, "{\"code\": \"json\"}", "\"\""), 1);
  drop(m);
}
END_TEST

START_TEST(test_sandbox_undefined_global_raises)
{
  ys_metric *m = load_ok("return { name = 'm', score = function()\n"
                         "  return no_such_thing end }\n", NULL);
  expect_score_error(m, "{}", "\"\"", "undefined global 'no_such_thing'");
  drop(m);
}
END_TEST

START_TEST(test_sandbox_chunk_globals_are_its_own)
{
  ys_metric *m = load_ok(PROBE, NULL);
  ck_assert_double_eq(score1(m, "{\"code\": \"count\"}", "\"\""), 1);
  ck_assert_double_eq(score1(m, "{\"code\": \"count\"}", "\"\""), 2);
  drop(m);
}
END_TEST

START_TEST(test_sandbox_env_metatable_is_locked)
{
  ys_metric *m = load_ok(PROBE, NULL);
  ck_assert_double_eq(score1(m, "{\"code\": \"getmt\"}", "\"\""), 1);
  expect_score_error(m, "{\"code\": \"setmt\"}", "\"\"",
                     "cannot change a protected metatable");
  drop(m);
}
END_TEST

START_TEST(test_sandbox_globals_view_is_read_only)
{
  /* _G reached through the view must not be a way to write the shared
   * globals. */
  ys_metric *m = load_ok(PROBE, NULL);
  expect_score_error(m, "{\"code\": \"G\"}", "\"\"", "read-only");
  expect_score_error(m, "{\"read\": \"injected\"}", "\"\"",
                     "undefined global 'injected'");
  /* Nor may rawset put a name into the view that every chunk would then
   * see as a global. */
  double v = 0;
  ys_diag d;
  ys_err err = score(m, "{\"code\": \"rawG\"}", "\"\"", &v, &d);
  ck_assert_msg(err == YS_ERR_LUA, "rawset(_G, ...) was allowed");
  expect_score_error(m, "{\"read\": \"injected\"}", "\"\"",
                     "undefined global 'injected'");
  drop(m);
}
END_TEST

static void collect_log(void *ud, const char *line)
{
  char *buf = ud;
  size_t len = strlen(buf);
  snprintf(buf + len, 256 - len, "[%s]", line);
}

START_TEST(test_sandbox_print_goes_to_log)
{
  char got[256] = "";
  ys_metric *m = NULL;
  ys_diag d;
  ck_assert_int_eq(load_src_log("m.lua", "print('loading', 1)\n"
                                "return { name = 'm', score = function()\n"
                                "  print('scoring', true); return 1 end }\n",
                                collect_log, got, &m, &d), YS_OK);
  configure_ok(m, NULL);
  ck_assert_double_eq(score1(m, "{}", "\"\""), 1);
  ck_assert_str_eq(got, "[loading\t1][scoring\ttrue]");
  drop(m);
}
END_TEST

/* }====== */

/* {====== aggregate ====== */

static const char CUSTOM_AGG[] =
  "return { name = 'm', keys = { 'a', 'b' },\n"
  "  aggregate = function(v, key)\n"
  "    local best = -math.huge\n"
  "    for _, x in ipairs(v) do best = math.max(best, x) end\n"
  "    if #v == 0 then return key == 'a' and -1 or -2 end\n"
  "    return best + (key == 'b' and 100 or 0) end,\n"
  "  score = function() return { a = 1, b = 1 } end }\n";

START_TEST(test_custom_aggregate_is_called_with_scores_and_key)
{
  ys_metric *m = load_ok(CUSTOM_AGG, NULL);
  ck_assert_int_eq(ys_metric_aggregation(m), YS_AGG_CUSTOM);
  double v[] = { 0.2, 0.9, 0.5 };
  double out = 0;
  ys_diag d;
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 3, &out, &d), YS_OK);
  ck_assert_double_eq(out, 0.9);
  ck_assert_int_eq(ys_metric_aggregate(m, 1, v, 3, &out, &d), YS_OK);
  ck_assert_double_eq(out, 100.9);
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 0, &out, &d), YS_OK);
  ck_assert_double_eq(out, -1);
  drop(m);
}
END_TEST

START_TEST(test_custom_aggregate_of_single_score_gets_metric_name)
{
  ys_metric *m = load_ok("return { name = 'm',\n"
                         "  aggregate = function(v, key)\n"
                         "    return key == 'solo' and #v or -1 end,\n"
                         "  score = function() return 1 end }\n",
                         "{\"name\": \"solo\"}");
  double v[] = { 1, 0, 1, 1 };
  double out = 0;
  ys_diag d;
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 4, &out, &d), YS_OK);
  ck_assert_double_eq(out, 4);
  drop(m);
}
END_TEST

START_TEST(test_custom_aggregate_errors_name_the_metric)
{
  ys_metric *m = load_ok("return { name = 'm',\n"
                         "  aggregate = function(v)\n"
                         "    if #v == 1 then error('too few') end\n"
                         "    return 'lots' end,\n"
                         "  score = function() return 1 end }\n", NULL);
  double v[] = { 1, 2 };
  double out = 0;
  ys_diag d;
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 1, &out, &d), YS_ERR_LUA);
  expect_msg(&d, "metric 'm': aggregate: ");
  expect_msg(&d, "too few");
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 2, &out, &d), YS_ERR_LUA);
  expect_msg(&d, "metric 'm': aggregate returned string, expected a number");
  drop(m);
}
END_TEST

/* NaN (a mean over no scores) is no value, not an error; an infinite
 * value is an error that says so. */
START_TEST(test_custom_aggregate_nan_is_no_value_inf_is_error)
{
  ys_metric *m = load_ok("return { name = 'm',\n"
                         "  aggregate = function(v)\n"
                         "    if #v == 0 then return 0/0 end\n"
                         "    return 1/0 end,\n"
                         "  score = function() return 1 end }\n", NULL);
  double v[] = { 1 };
  double out = 0;
  ys_diag d;
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 0, &out, &d), YS_OK);
  ck_assert(isnan(out));
  ck_assert_int_eq(ys_metric_aggregate(m, 0, v, 1, &out, &d), YS_ERR_LUA);
  expect_msg(&d, "metric 'm': aggregate returned an infinite number");
  drop(m);
}
END_TEST

/* }====== */

/* {====== text helpers ====== */

/* Loads a metric whose score is the Lua expression expr (the output is
 * `out`), and scores output (JSON text) with it. */
static ys_err eval_expr(const char *expr, const char *output, double *v,
                        ys_diag *d)
{
  char src[2048];
  snprintf(src, sizeof(src),
           "local ys = require 'yardstick'\n"
           "return { name = 'm',\n"
           "  score = function(p, sample, out) return %s end }\n",
           expr);
  ys_metric *m = load_ok(src, NULL);
  ys_err err = score(m, "{}", output, v, d);
  drop(m);
  return err;
}

static void expect_true(const char *expr, const char *output)
{
  double v = -1;
  ys_diag d;
  ck_assert_msg(eval_expr(expr, output, &v, &d) == YS_OK, "%s: %s", expr,
                d.msg);
  ck_assert_msg(v == 1, "%s is false on %s", expr, output);
}

START_TEST(test_words_keep_apostrophes_inside_words)
{
  expect_true("table.concat(ys.words(out), '|') == "
              "\"It's|don't|tis|rock'n'roll|quoted|a\"",
              "\"It's don't \u2019tis rock'n'roll 'quoted' a'\"");
  expect_true("table.concat(ys.words(out), '|') == 'l\u2019homme|x2|\u00e9t\u00e9'",
              "\"l\u2019homme, x2 \u00e9t\u00e9!\"");
  expect_true("#ys.words(out) == 0", "\"' -- '\"");
}
END_TEST

START_TEST(test_lcs_counts_common_subsequence_of_words)
{
  expect_true("ys.lcs({'a','b','c','d'}, {'a','c','d','x'}) == 3", "\"\"");
  expect_true("ys.lcs({}, {'a'}) == 0 and ys.lcs({'a'}, {}) == 0", "\"\"");
  expect_true("ys.lcs({'x','y'}, {'y','x'}) == 1", "\"\"");
  /* Long strings (not interned by Lua) compare by content. */
  expect_true("ys.lcs({out .. out}, {out .. out, 'z'}) == 1",
              "\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"");
  double v;
  ys_diag d;
  ck_assert_int_eq(eval_expr("ys.lcs({'a', 1}, {})", "\"\"", &v, &d),
                   YS_ERR_LUA);
  expect_msg(&d, "ys.lcs: item 2 of argument 1 is a number, expected a "
             "string");
}
END_TEST

/* Distances run in C, where no time limit reaches: past a number of cells
 * they refuse rather than stall the run, but shared ends cost nothing. */
START_TEST(test_edit_distance_and_lcs_refuse_too_much_work)
{
  expect_true("ys.edit_distance(out, out .. 'x') == 1",
              "\"" "0123456789012345678901234567890123456789" "\"");
  expect_true("ys.edit_distance(string.rep('a', 1000000) .. 'x', "
              "string.rep('a', 1000000) .. 'yz') == 2", "\"\"");
  double v;
  ys_diag d;
  ck_assert_int_eq(eval_expr("ys.edit_distance(string.rep('ab', 100000), "
                             "string.rep('ba', 1000))", "\"\"", &v, &d),
                   YS_ERR_LUA);
  expect_msg(&d, "ys.edit_distance: 200000 by 2000 is too much work");
  ck_assert_int_eq(eval_expr("ys.lcs(ys.words(string.rep('a b ', 20000)), "
                             "ys.words(string.rep('b a ', 20000)))", "\"\"",
                             &v, &d), YS_ERR_LUA);
  expect_msg(&d, "ys.lcs: 40000 by 40000 is too much work");
}
END_TEST

/* }====== */

/* {====== exact_match ====== */

/* exact_match's score for output text against expected text. */
static double em(ys_metric *m, const char *expected, const char *output)
{
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "expected", expected);
  cJSON *o = cJSON_CreateString(output);
  double v = -1;
  ys_diag d;
  ys_err err = ys_metric_score(m, s, o, "s1", "model-a", &v, &d);
  cJSON_Delete(s);
  cJSON_Delete(o);
  ck_assert_msg(err == YS_OK, "exact_match: %s", d.msg);
  return v;
}

START_TEST(test_exact_match_declaration)
{
  ys_metric *m = load_shipped("exact_match", NULL);
  ck_assert_str_eq(ys_metric_name(m), "exact_match");
  ck_assert_int_eq(ys_metric_binary(m), 1);
  ck_assert_uint_eq(ys_metric_nkeys(m), 1);
  const cJSON *cfg = ys_metric_params(m);
  ck_assert_str_eq(cJSON_GetObjectItem(cfg, "expected")->valuestring,
                   "expected");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cfg, "trim")));
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cfg, "collapse_whitespace")));
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cfg, "strip_punctuation")));
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cfg, "ignore_case")));
  drop(m);
}
END_TEST

START_TEST(test_exact_match_defaults_trim_and_collapse)
{
  ys_metric *m = load_shipped("exact_match", NULL);
  ck_assert_double_eq(em(m, "Paris", "Paris"), 1);
  ck_assert_double_eq(em(m, "Paris", "  Paris \n"), 1);
  ck_assert_double_eq(em(m, "New York", "New \t York"), 1);
  ck_assert_double_eq(em(m, "Paris", "paris"), 0);
  ck_assert_double_eq(em(m, "Paris", "Paris."), 0);
  ck_assert_double_eq(em(m, "Paris", "Lyon"), 0);
  drop(m);
}
END_TEST

START_TEST(test_exact_match_options_turn_normalisation_off)
{
  ys_metric *m = load_shipped("exact_match", "{\"trim\": false}");
  ck_assert_double_eq(em(m, "Paris", " Paris"), 0);
  ck_assert_double_eq(em(m, "Paris", "Paris"), 1);
  drop(m);
  m = load_shipped("exact_match", "{\"collapse_whitespace\": false}");
  ck_assert_double_eq(em(m, "New York", "New  York"), 0);
  ck_assert_double_eq(em(m, "New York", " New York "), 1);
  drop(m);
}
END_TEST

START_TEST(test_exact_match_ignore_case)
{
  ys_metric *m = load_shipped("exact_match", "{\"ignore_case\": true}");
  ck_assert_double_eq(em(m, "Paris", "pARIS"), 1);
  ck_assert_double_eq(em(m, "Paris", "Lyon"), 0);
  drop(m);
}
END_TEST

START_TEST(test_exact_match_strip_punctuation)
{
  ys_metric *m = load_shipped("exact_match",
                              "{\"strip_punctuation\": true}");
  ck_assert_double_eq(em(m, "Paris", "Paris."), 1);
  ck_assert_double_eq(em(m, "St Louis", "St. Louis!"), 1);
  ck_assert_double_eq(em(m, "Paris", "paris"), 0);
  drop(m);
}
END_TEST

START_TEST(test_exact_match_strip_punctuation_then_trims)
{
  /* Options compose: with trimming on, the blanks left where punctuation
   * was stripped at either end do not count. */
  ys_metric *m = load_shipped("exact_match",
                              "{\"strip_punctuation\": true}");
  ck_assert_double_eq(em(m, "Paris", "Paris !"), 1);
  ck_assert_double_eq(em(m, "Paris", "- Paris"), 1);
  drop(m);
}
END_TEST

START_TEST(test_exact_match_expected_field_and_non_string_values)
{
  ys_metric *m = load_shipped("exact_match", "{\"expected\": \"answer\"}");
  double v = -1;
  ys_diag d;
  ck_assert_int_eq(score(m, "{\"answer\": \"42\"}", "42", &v, &d), YS_OK);
  ck_assert_double_eq(v, 1);
  ck_assert_int_eq(score(m, "{\"answer\": 42}", "\" 42 \"", &v, &d), YS_OK);
  ck_assert_double_eq(v, 1);
  ck_assert_int_eq(score(m, "{\"answer\": true}", "\"true\"", &v, &d),
                   YS_OK);
  ck_assert_double_eq(v, 1);
  expect_score_error(m, "{\"expected\": \"42\"}", "\"42\"",
                     "sample 's1' has no field 'answer'");
  expect_score_error(m, "{\"answer\": null}", "\"42\"",
                     "sample 's1' has no field 'answer'");
  drop(m);
}
END_TEST

START_TEST(test_exact_match_rejects_bad_options)
{
  ys_metric *m = load_shipped_raw("exact_match");
  expect_configure_error(m, "{\"ignore_case\": \"yes\"}",
                         "metric 'exact_match': parameter 'ignore_case' "
                         "must be a boolean, got string");
  expect_configure_error(m, "{\"case\": true}",
                         "unknown parameter 'case' (known: ");
  drop(m);
}
END_TEST

/* }====== */

/* {====== taxonomy_depth ====== */

/* taxonomy_depth's per-level scores as a string of 0/1 digits. */
static void td(ys_metric *m, const char *expected, const char *output,
               const char *want)
{
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "expected", expected);
  cJSON *o = cJSON_CreateString(output);
  double v[20];
  ys_diag d;
  ys_err err = ys_metric_score(m, s, o, "s1", "model-a", v, &d);
  cJSON_Delete(s);
  cJSON_Delete(o);
  ck_assert_msg(err == YS_OK, "taxonomy_depth: %s", d.msg);
  char got[21];
  size_t n = ys_metric_nkeys(m);
  ck_assert_uint_le(n, 20);
  for(size_t i = 0; i < n; i++) {
    ck_assert_msg(v[i] == 0 || v[i] == 1, "level %zu is %g", i + 1, v[i]);
    got[i] = v[i] ? '1' : '0';
  }
  got[n] = '\0';
  ck_assert_msg(!strcmp(got, want), "expected '%s', output '%s': got %s, "
                "wanted %s", expected, output, got, want);
}

START_TEST(test_taxonomy_depth_keys_follow_levels)
{
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  ck_assert_uint_eq(ys_metric_nkeys(m), 3);
  ck_assert_str_eq(ys_metric_key(m, 0), "taxonomy_depth.level1");
  ck_assert_str_eq(ys_metric_key(m, 2), "taxonomy_depth.level3");
  ck_assert_int_eq(ys_metric_binary(m), 1);
  drop(m);
  m = load_shipped("taxonomy_depth", "{\"levels\": 5, \"name\": \"cat\"}");
  ck_assert_uint_eq(ys_metric_nkeys(m), 5);
  ck_assert_str_eq(ys_metric_key(m, 4), "cat.level5");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_rejects_bad_levels_and_sep)
{
  ys_metric *m = load_shipped_raw("taxonomy_depth");
  expect_configure_error(m, "{\"levels\": 0}", "levels must be from 1 to 20");
  expect_configure_error(m, "{\"levels\": 21}",
                         "levels must be from 1 to 20");
  expect_configure_error(m, "{\"levels\": 2.5}",
                         "parameter 'levels' must be a");
  expect_configure_error(m, "{\"sep\": \"\"}", "sep must not be empty");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_prefix_rule)
{
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  td(m, "Clothing > Women > Shorts", "Clothing > Women > Shorts", "111");
  td(m, "Clothing > Women > Shorts", "Clothing > Women > Skirts", "110");
  td(m, "Clothing > Women > Shorts", "Clothing > Men > Shorts", "100");
  td(m, "Clothing > Women > Shorts", "Footwear > Women > Shorts", "000");
  td(m, "Clothing > Women > Shorts", "Clothing > Women", "110");
  td(m, "Clothing > Women > Shorts", "", "000");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_shallower_reference)
{
  /* Below the reference's leaf, a level is judged on the whole
   * reference: deeper predictions are fine, shallower ones are not. */
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  td(m, "Clothing > Women", "Clothing > Women", "111");
  td(m, "Clothing > Women", "Clothing > Women > Shorts", "111");
  td(m, "Clothing > Women", "Clothing", "100");
  td(m, "Clothing > Women", "Clothing > Men > Shorts", "100");
  td(m, "Clothing", "Clothing > Anything", "111");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_separators_and_spaces)
{
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  td(m, "Clothing > Women's Clothing > Shorts",
     "Clothing>Women's Clothing>Shorts", "111");
  td(m, "Clothing>Women's Clothing>Shorts",
     "  Clothing  >   Women's   Clothing >Shorts ", "111");
  td(m, "Clothing > Women > Shorts", "Clothing / Women / Shorts", "000");
  drop(m);
  m = load_shipped("taxonomy_depth", "{\"sep\": \"/\", \"levels\": 2}");
  td(m, "Home/Kitchen", "Home / Kitchen", "11");
  td(m, "Home/Kitchen", "Home > Kitchen", "00");
  drop(m);
  m = load_shipped("taxonomy_depth", "{\"sep\": \"::\", \"levels\": 2}");
  td(m, "a::b", "a :: b", "11");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_reads_first_line_of_chatty_output)
{
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  td(m, "Clothing > Women > Shorts",
     "Clothing > Women > Shorts\nThe title mentions shorts for women.",
     "111");
  td(m, "Clothing > Women > Shorts",
     "\n\n   \r\nClothing > Women > Shorts\r\nBecause...", "111");
  td(m, "Clothing > Women > Shorts", "\"Clothing > Women > Shorts.\"",
     "111");
  td(m, "Clothing > Women > Shorts", "`Clothing > Women > Shorts`", "111");
  td(m, "Clothing > Women > Shorts", "Clothing > Women > Shorts.", "111");
  td(m, "Clothing > Women > Shorts",
     "I think it is:\nClothing > Women > Shorts", "000");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_ignore_case)
{
  ys_metric *m = load_shipped("taxonomy_depth", NULL);
  td(m, "Clothing > Women > Shorts", "clothing > WOMEN > shorts", "111");
  drop(m);
  m = load_shipped("taxonomy_depth", "{\"ignore_case\": false}");
  td(m, "Clothing > Women > Shorts", "clothing > Women > Shorts", "000");
  td(m, "Clothing > Women > Shorts", "Clothing > Women > shorts", "110");
  drop(m);
}
END_TEST

START_TEST(test_taxonomy_depth_expected_field)
{
  ys_metric *m = load_shipped("taxonomy_depth",
                              "{\"expected\": \"category\", \"levels\": 1}");
  double v = -1;
  ys_diag d;
  ck_assert_int_eq(score(m, "{\"category\": \"A > B\"}", "\"A\"", &v, &d),
                   YS_OK);
  ck_assert_double_eq(v, 1);
  expect_score_error(m, "{\"expected\": \"A\"}", "\"A\"",
                     "sample 's1' has no string field 'category'");
  expect_score_error(m, "{\"category\": 3}", "\"A\"",
                     "no string field 'category'");
  drop(m);
}
END_TEST

/* }====== */

static Suite *metric_suite(void)
{
  Suite *s = suite_create("metric");

  TCase *tc = tcase_create("load");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_load_reads_declaration);
  tcase_add_test(tc, test_load_reads_aggregate_and_kind);
  tcase_add_test(tc, test_load_missing_file_is_io_error);
  tcase_add_test(tc, test_load_syntax_error_names_file_and_line);
  tcase_add_test(tc, test_load_error_in_chunk_is_suite_error);
  tcase_add_test(tc, test_load_binary_chunk_is_refused);
  tcase_add_test(tc, test_load_needs_a_table);
  tcase_add_test(tc, test_load_needs_a_name);
  tcase_add_test(tc, test_load_needs_a_score_function);
  tcase_add_test(tc, test_load_error_message_names_the_plugin);
  tcase_add_test(tc, test_load_rejects_bad_kind);
  tcase_add_test(tc, test_load_rejects_bad_aggregate);
  tcase_add_test(tc, test_load_rejects_bad_param_type);
  tcase_add_test(tc, test_load_rejects_reserved_param_name);
  tcase_add_test(tc, test_load_rejects_bad_keys_declaration);
  tcase_add_test(tc, test_free_null_is_noop);
  suite_add_tcase(s, tc);

  tc = tcase_create("configure");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_configure_unknown_param_lists_known);
  tcase_add_test(tc, test_configure_wrong_type_fails);
  tcase_add_test(tc, test_configure_missing_required_fails);
  tcase_add_test(tc, test_configure_rejects_non_object);
  tcase_add_test(tc, test_configure_fills_defaults);
  tcase_add_test(tc, test_configure_given_values_override_defaults);
  tcase_add_test(tc, test_name_renames_instance_and_keys);
  tcase_add_test(tc, test_name_must_be_a_plain_string);
  suite_add_tcase(s, tc);

  tc = tcase_create("keys");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_keys_from_list_keep_declaration_order);
  tcase_add_test(tc, test_keys_from_function_of_params);
  tcase_add_test(tc, test_keys_errors_are_suite_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("score");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_score_number);
  tcase_add_test(tc, test_score_boolean_counts_as_one_or_zero);
  tcase_add_test(tc, test_score_table_fills_keys);
  tcase_add_test(tc, test_score_sees_sample_output_and_ctx);
  tcase_add_test(tc, test_score_error_names_the_metric);
  tcase_add_test(tc, test_score_returning_nil_fails);
  tcase_add_test(tc, test_score_table_lacking_key_fails);
  tcase_add_test(tc, test_score_table_with_undeclared_key_fails);
  tcase_add_test(tc, test_score_nan_and_infinity_fail);
  tcase_add_test(tc, test_binary_metric_scores_only_zero_or_one);
  tcase_add_test(tc, test_score_after_error_works);
  suite_add_tcase(s, tc);

  /* Each time-limit test runs ~2 s of wall time (more under valgrind). */
  tc = tcase_create("limits");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_endless_loop_is_stopped_by_time_limit);
  tcase_add_test(tc, test_time_limit_message);
  tcase_add_test(tc, test_pcall_cannot_swallow_time_limit);
  tcase_add_test(tc, test_endless_loop_while_loading_is_stopped);
  tcase_add_test(tc, test_unbounded_allocation_is_stopped_by_memory_cap);
  tcase_add_test(tc, test_out_of_memory_is_a_lua_error);
  suite_add_tcase(s, tc);

  tc = tcase_create("sandbox");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_sandbox_has_no_io_or_os);
  tcase_add_test(tc, test_sandbox_require_knows_only_yardstick);
  tcase_add_test(tc, test_sandbox_undefined_global_raises);
  tcase_add_test(tc, test_sandbox_chunk_globals_are_its_own);
  tcase_add_test(tc, test_sandbox_env_metatable_is_locked);
  tcase_add_test(tc, test_sandbox_globals_view_is_read_only);
  tcase_add_test(tc, test_sandbox_print_goes_to_log);
  suite_add_tcase(s, tc);

  tc = tcase_create("aggregate");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_custom_aggregate_is_called_with_scores_and_key);
  tcase_add_test(tc, test_custom_aggregate_of_single_score_gets_metric_name);
  tcase_add_test(tc, test_custom_aggregate_errors_name_the_metric);
  tcase_add_test(tc, test_custom_aggregate_nan_is_no_value_inf_is_error);
  suite_add_tcase(s, tc);

  tc = tcase_create("text helpers");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_words_keep_apostrophes_inside_words);
  tcase_add_test(tc, test_lcs_counts_common_subsequence_of_words);
  tcase_add_test(tc, test_edit_distance_and_lcs_refuse_too_much_work);
  suite_add_tcase(s, tc);

  tc = tcase_create("exact_match");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_exact_match_declaration);
  tcase_add_test(tc, test_exact_match_defaults_trim_and_collapse);
  tcase_add_test(tc, test_exact_match_options_turn_normalisation_off);
  tcase_add_test(tc, test_exact_match_ignore_case);
  tcase_add_test(tc, test_exact_match_strip_punctuation);
  tcase_add_test(tc, test_exact_match_strip_punctuation_then_trims);
  tcase_add_test(tc, test_exact_match_expected_field_and_non_string_values);
  tcase_add_test(tc, test_exact_match_rejects_bad_options);
  suite_add_tcase(s, tc);

  tc = tcase_create("taxonomy_depth");
  tcase_add_checked_fixture(tc, NULL, drop_all);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_taxonomy_depth_keys_follow_levels);
  tcase_add_test(tc, test_taxonomy_depth_rejects_bad_levels_and_sep);
  tcase_add_test(tc, test_taxonomy_depth_prefix_rule);
  tcase_add_test(tc, test_taxonomy_depth_shallower_reference);
  tcase_add_test(tc, test_taxonomy_depth_separators_and_spaces);
  tcase_add_test(tc, test_taxonomy_depth_reads_first_line_of_chatty_output);
  tcase_add_test(tc, test_taxonomy_depth_ignore_case);
  tcase_add_test(tc, test_taxonomy_depth_expected_field);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(metric_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
