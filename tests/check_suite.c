/* SPDX-License-Identifier: MIT */
/*
 * check_suite.c: unit tests for loading suites (suite.h) with the
 * `yardstick` module they require (lua_lib_ys.c: constructors, helpers,
 * plugins, ys.replay), the models they define (model.h) and the replay
 * index underneath (backend_replay.h). Suites are written into a fresh
 * temporary directory per test. Uses Check; run by `make check`.
 */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "backend_replay.h"
#include "lua_host.h"
#include "metric.h"
#include "model.h"
#include "suite.h"

#define HEAD "local ys = require \"yardstick\"\n"

static const char *srcdir;   /* YS_SRCDIR: the shipped metrics */
static char root[256];       /* removed by main: holds every tmp */
static char tmp[320];        /* this test's directory */
static char suite_path[512]; /* tmp/suite.lua */

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

/* Writes text to tmp/name, creating the directories on the way. */
static void put_file(const char *name, const char *text, size_t len)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", tmp, name);
  for(char *p = path + strlen(tmp) + 1; (p = strchr(p, '/')); p++) {
    *p = '\0';
    mkdir(path, 0777);
    *p = '/';
  }
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot write %s", path);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

static void put(const char *name, const char *text)
{
  put_file(name, text, strlen(text));
}

static void teardown(void)
{
  if(tmp[0])
    rm_rf(tmp);
  tmp[0] = '\0';
}

static void setup(void)
{
  srcdir = getenv("YS_SRCDIR");
  ck_assert_msg(srcdir && srcdir[0], "YS_SRCDIR is not set: run with "
                "YS_SRCDIR=<source tree> (make check sets it)");
  snprintf(tmp, sizeof(tmp), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(tmp));
  snprintf(suite_path, sizeof(suite_path), "%s/suite.lua", tmp);
  put("rows.jsonl", "{\"id\": \"r1\", \"q\": \"one\", \"answer\": \"a\"}\n"
      "\n"
      "{\"id\": \"r2\", \"q\": \"two\", \"answer\": \"b\"}\n");
  put("rows.csv", "id,q,answer\nc1,\"two\nlines\",x\nc2,plain,y\n");
  put("rows.tsv", "id\tq\tanswer\nt1\tone\ta\n");
  put("semi.csv", "id;q;answer\ns1;one;a\ns2;two, three;b\n");
}

/* Line (from 1) of the first line of text containing mark, or 0. */
static long line_of(const char *text, const char *mark)
{
  const char *p = strstr(text, mark);
  if(!p)
    return 0;
  long line = 1;
  for(const char *q = text; q < p; q++)
    if(*q == '\n')
      line++;
  return line;
}

/* Writes text as tmp/suite.lua and loads it with the source tree (and
 * extra, when not NULL, first) as plugin roots. */
static ys_err load_text(const char *text, const char *extra,
                        ys_suite **s, ys_diag *d)
{
  char sp[1024];
  put("suite.lua", text);
  if(extra)
    snprintf(sp, sizeof(sp), "%s:%s", extra, srcdir);
  else
    snprintf(sp, sizeof(sp), "%s", srcdir);
  ys_suite_opts o = { sp, NULL, NULL };
  memset(d, 0, sizeof(*d));
  return ys_suite_load(suite_path, &o, s, d);
}

/* A suite with the given models, metrics and other fields around a
 * valid core (dataset rows.jsonl, prompt "{{q}}"). */
static char *suite_src(const char *models, const char *metrics,
                       const char *extra)
{
  static char buf[8192];
  snprintf(buf, sizeof(buf), HEAD
           "return ys.suite {\n"
           "  name = \"t\",\n"
           "  dataset = ys.jsonl \"rows.jsonl\",\n"
           "  prompt = \"{{q}}\",\n"
           "  models = {\n%s  },\n"
           "  metrics = {\n%s  },\n"
           "%s"
           "}\n",
           models ? models : "    m = ys.replay { field = \"answer\" },\n",
           metrics ? metrics
                   : "    ys.metric \"exact_match\" { expected = \"answer\" "
                     "},\n",
           extra ? extra : "");
  return buf;
}

/* Loads text, expects YS_ERR_SUITE and a message containing want. */
static void expect_load_error(const char *text, ys_err code,
                              const char *want)
{
  ys_suite *s = (ys_suite *)1;
  ys_diag d;
  ys_err err = load_text(text, NULL, &s, &d);
  ck_assert_ptr_null(s);
  ck_assert_msg(err == code, "expected error %d containing '%s', got %d: "
                "%s", code, want, err, d.msg);
  ck_assert_msg(strstr(d.msg, want) != NULL, "message '%s' lacks '%s'",
                d.msg, want);
}

static void expect_suite_error(const char *text, const char *want)
{
  expect_load_error(text, YS_ERR_SUITE, want);
}

/* A data file read while loading (replay, training) is at fault. */
static void expect_data_error(const char *text, const char *want)
{
  expect_load_error(text, YS_ERR_DATA, want);
}

/* The suite's file:line prefix for the line holding mark. */
static char *at(const char *text, const char *mark)
{
  static char buf[600];
  long line = line_of(text, mark);
  ck_assert_msg(line > 0, "marker %s not in the suite", mark);
  snprintf(buf, sizeof(buf), "suite.lua:%ld: ", line);
  return buf;
}

/* Loads a minimal valid suite (plus extra plugin root) for the helper
 * tests, which then run Lua chunks in its state. */
static ys_suite *load_ok(const char *text, const char *extra)
{
  ys_suite *s = NULL;
  ys_diag d;
  ys_err err = load_text(text, extra, &s, &d);
  ck_assert_msg(err == YS_OK, "suite failed to load: %s", d.msg);
  ck_assert_ptr_nonnull(s);
  return s;
}

/* Runs code as a chunk named chunk.lua in the suite's state (where
 * `require "yardstick"` is the suite's module), with the ys.Model of
 * model number arg as its argument when arg >= 0, and returns its result
 * as an owned string, or NULL with the error in d. */
static char *eval_arg(ys_suite *s, const char *code, int arg, ys_diag *d)
{
  char path[600];
  put("chunk.lua", code);
  snprintf(path, sizeof(path), "%s/chunk.lua", tmp);
  lua_State *L = s->L;
  memset(d, 0, sizeof(*d));
  ys_err err = ys_lua_load_file(L, path, "chunk.lua", d);
  if(!err && arg >= 0)
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->models[arg]->object_ref);
  if(!err)
    err = ys_lua_call(L, arg >= 0 ? 1 : 0, 1, d);
  if(err)
    return NULL;
  const char *r = lua_tostring(L, -1);
  char *out = strdup(r ? r : "(not a string)");
  lua_settop(L, 0);
  return out;
}

static char *eval(ys_suite *s, const char *code, ys_diag *d)
{
  return eval_arg(s, code, -1, d);
}

/* eval that must succeed and give want. */
static void expect_eval(ys_suite *s, const char *code, const char *want)
{
  ys_diag d;
  char *got = eval(s, code, &d);
  ck_assert_msg(got != NULL, "chunk failed: %s", d.msg);
  ck_assert_str_eq(got, want);
  free(got);
}

/* eval that must raise with a message containing want. */
static void expect_eval_error(ys_suite *s, const char *code,
                              const char *want)
{
  ys_diag d;
  char *got = eval(s, code, &d);
  ck_assert_msg(got == NULL, "chunk should fail, returned '%s'",
                got ? got : "");
  ck_assert_msg(strstr(d.msg, want) != NULL, "message '%s' lacks '%s'",
                d.msg, want);
}

/* }====== */

/* {====== valid suites ====== */

START_TEST(test_suite_valid_has_expected_fields)
{
  const char *text = HEAD
    "return ys.suite {\n"
    "  name = \"valid-1\",\n"
    "  description = \"a test suite\",\n"
    "  dataset = ys.jsonl \"sub/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "  models = { m = ys.replay { field = \"answer\" } },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "}\n";
  put("sub/rows.jsonl", "{\"id\": \"r1\", \"q\": \"one\"}\n");
  ys_suite *s = load_ok(text, NULL);
  ck_assert_str_eq(s->name, "valid-1");
  ck_assert_str_eq(s->description, "a test suite");
  ck_assert_str_eq(s->path, suite_path);
  ck_assert_str_eq(s->id_field, "id");
  ck_assert_str_eq(s->dataset_name, "sub/rows.jsonl");
  char want[600];
  snprintf(want, sizeof(want), "%s/sub/rows.jsonl", tmp);
  ck_assert_str_eq(s->dataset_path, want);
  ck_assert_int_eq(s->dataset_opts.kind, YS_DATASET_JSONL);
  ck_assert_uint_eq(strlen(s->sha256), 64);
  ck_assert_uint_eq(strspn(s->sha256, "0123456789abcdef"), 64);
  ck_assert_uint_eq(s->nmodels, 1);
  ck_assert_uint_eq(s->nmetrics, 1);
  ck_assert_uint_eq(s->nbaselines, 0);
  ck_assert_uint_eq(s->ngates, 0);
  ck_assert(s->max_error_rate == 0);
  ck_assert_int_eq(s->evaluate_ref, LUA_NOREF);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_dataset_resolved_against_suite_dir_not_cwd)
{
  /* The suite lives in tmp/deep; the process runs elsewhere. */
  put("deep/data/d.jsonl", "{\"id\": \"r1\", \"q\": \"one\"}\n");
  put("deep/suite.lua", HEAD
      "return ys.suite {\n"
      "  name = \"t\", dataset = ys.jsonl \"data/d.jsonl\", prompt = \"x\",\n"
      "  models = { m = ys.replay { field = \"q\" } },\n"
      "  metrics = { ys.metric \"exact_match\" },\n"
      "}\n");
  char path[600], want[600];
  snprintf(path, sizeof(path), "%s/deep/suite.lua", tmp);
  snprintf(want, sizeof(want), "%s/deep/data/d.jsonl", tmp);
  char cwd[1024];
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
  ck_assert_int_eq(chdir("/"), 0);
  ys_suite_opts o = { srcdir, NULL, NULL };
  ys_suite *s = NULL;
  ys_diag d;
  ys_err err = ys_suite_load(path, &o, &s, &d);
  ck_assert_int_eq(chdir(cwd), 0);
  ck_assert_msg(err == YS_OK, "%s", d.msg);
  ck_assert_str_eq(s->dataset_path, want);
  ck_assert_str_eq(s->dataset_name, "data/d.jsonl");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_id_field_can_be_named)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, "  id = \"sku\",\n"), NULL);
  ck_assert_str_eq(s->id_field, "sku");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_empty_id_field_rejected)
{
  expect_suite_error(suite_src(NULL, NULL, "  id = \"\",\n"),
                     "suite field 'id' must name a field");
}
END_TEST

START_TEST(test_suite_csv_defaults_to_comma)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.csv \"rows.csv\",\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_int_eq(s->dataset_opts.kind, YS_DATASET_CSV);
  ck_assert_int_eq(s->dataset_opts.delimiter, ',');
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_tsv_gets_tab_delimiter)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.csv \"rows.tsv\",\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_int_eq(s->dataset_opts.kind, YS_DATASET_CSV);
  ck_assert_int_eq(s->dataset_opts.delimiter, '\t');
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_csv_explicit_delimiter_option)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\",\n"
    "  dataset = ys.csv { \"semi.csv\", delimiter = \";\" },\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_int_eq(s->dataset_opts.kind, YS_DATASET_CSV);
  ck_assert_int_eq(s->dataset_opts.delimiter, ';');
  ck_assert_str_eq(s->dataset_name, "semi.csv");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_explicit_delimiter_wins_over_tsv_name)
{
  /* A file named .tsv that holds commas: the option says so. */
  const char *text = HEAD
    "return ys.suite { name = \"t\",\n"
    "  dataset = ys.csv { \"rows.tsv\", delimiter = \",\" },\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  char delim = s->dataset_opts.delimiter;
  ys_suite_free(s);
  ck_assert_msg(delim == ',', "explicit delimiter ',' gave '%s'",
                delim == '\t' ? "\\t" : "other");
}
END_TEST

START_TEST(test_suite_csv_two_char_delimiter_rejected)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\",\n"
    "  dataset = ys.csv { \"semi.csv\", delimiter = \";;\" }, -- @d\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  expect_suite_error(text, at(text, "@d"));
  expect_suite_error(text, "'delimiter' must be one character");
}
END_TEST

START_TEST(test_suite_missing_dataset_file_rejected)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\",\n"
    "  dataset = ys.jsonl \"nope.jsonl\", -- @d\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  char want[600];
  snprintf(want, sizeof(want), "dataset '%s/nope.jsonl'", tmp);
  expect_suite_error(text, at(text, "@d"));
  expect_suite_error(text, want);
}
END_TEST

START_TEST(test_suite_unreadable_file_rejected)
{
  ys_suite *s = (ys_suite *)1;
  ys_diag d;
  ys_suite_opts o = { srcdir, NULL, NULL };
  char path[600];
  snprintf(path, sizeof(path), "%s/absent.lua", tmp);
  ys_err err = ys_suite_load(path, &o, &s, &d);
  ck_assert_int_ne(err, YS_OK);
  ck_assert_ptr_null(s);
  ck_assert_str_eq(d.file, path);
  ck_assert_msg(strstr(d.msg, "cannot read suite") != NULL, "%s", d.msg);
}
END_TEST

START_TEST(test_suite_unknown_top_level_field_rejected)
{
  const char *text = suite_src(NULL, NULL, "  modles = {},\n");
  expect_suite_error(text, "suite.lua:2: unknown suite field 'modles' "
                     "(expected name, dataset");
}
END_TEST

START_TEST(test_suite_must_return_a_table)
{
  expect_suite_error(HEAD "return 42\n", "the suite file must return "
                     "ys.suite { ... }, not number");
}
END_TEST

START_TEST(test_suite_max_error_rate_read)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, "  max_error_rate = 0.25,\n"),
                        NULL);
  ck_assert_double_eq_tol(s->max_error_rate, 0.25, 1e-12);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_suite_max_error_rate_above_one_rejected)
{
  expect_suite_error(suite_src(NULL, NULL, "  max_error_rate = 1.5,\n"),
                     "suite.lua:2: max_error_rate must be from 0 to 1");
}
END_TEST

START_TEST(test_suite_max_error_rate_negative_rejected)
{
  expect_suite_error(suite_src(NULL, NULL, "  max_error_rate = -0.01,\n"),
                     "max_error_rate must be from 0 to 1");
}
END_TEST

START_TEST(test_suite_max_error_rate_not_a_number_rejected)
{
  expect_suite_error(suite_src(NULL, NULL, "  max_error_rate = \"1%\",\n"),
                     "suite field 'max_error_rate' must be a number from 0 "
                     "to 1, got string");
}
END_TEST

/* }====== */

/* {====== models ====== */

START_TEST(test_models_ordered_by_definition_line)
{
  /* Defined zulu, alpha, mike; listed alphabetically in the table. */
  const char *text = HEAD
    "local zulu = ys.replay { field = \"answer\" }\n"
    "local alpha = ys.replay { field = \"answer\" }\n"
    "local mike = ys.replay { field = \"answer\" }\n"
    "return ys.suite {\n"
    "  name = \"t\", dataset = ys.jsonl \"rows.jsonl\", prompt = \"{{q}}\",\n"
    "  models = { alpha = alpha, mike = mike, zulu = zulu },\n"
    "  metrics = { ys.metric \"exact_match\" },\n"
    "}\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_uint_eq(s->nmodels, 3);
  ck_assert_str_eq(s->models[0]->name, "zulu");
  ck_assert_str_eq(s->models[1]->name, "alpha");
  ck_assert_str_eq(s->models[2]->name, "mike");
  for(size_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(s->models[i]->index, i);
    ck_assert_int_eq(ys_suite_model_index(s, s->models[i]->name), (int)i);
  }
  ck_assert_int_eq(ys_suite_model_index(s, "nobody"), -1);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_models_inline_keep_written_order)
{
  const char *models =
    "    mid = ys.replay { field = \"answer\" },\n"
    "    zed = ys.model { chat = function(self, r) return \"z\" end },\n"
    "    abe = ys.replay { field = \"q\" },\n";
  ys_suite *s = load_ok(suite_src(models, NULL, NULL), NULL);
  ck_assert_uint_eq(s->nmodels, 3);
  ck_assert_str_eq(s->models[0]->name, "mid");
  ck_assert_str_eq(s->models[1]->name, "zed");
  ck_assert_str_eq(s->models[2]->name, "abe");
  ck_assert_str_eq(s->models[0]->kind, "replay");
  ck_assert_str_eq(s->models[1]->kind, "lua");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_model_where_names_its_suite_line)
{
  const char *text = suite_src(
    "    a = ys.replay { field = \"answer\" },\n"
    "    b = ys.replay { field = \"q\" }, -- @b\n", NULL, NULL);
  ys_suite *s = load_ok(text, NULL);
  char want[64];
  snprintf(want, sizeof(want), "suite.lua:%ld", line_of(text, "@b"));
  int b = ys_suite_model_index(s, "b");
  ck_assert_int_ge(b, 0);
  const char *w = s->models[b]->where;
  ck_assert_uint_ge(strlen(w), strlen(want));
  ck_assert_str_eq(w + strlen(w) - strlen(want), want);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_model_concurrency_and_price_read)
{
  const char *models =
    "    paid = ys.model { concurrency = 3,\n"
    "                      price = { input = 1.5, output = 6 },\n"
    "                      chat = function(self, r) return \"x\" end },\n"
    "    free = ys.replay { field = \"answer\", concurrency = 2 },\n"
    "    plain = ys.replay { field = \"answer\" },\n";
  ys_suite *s = load_ok(suite_src(models, NULL, NULL), NULL);
  const ys_model *paid = s->models[ys_suite_model_index(s, "paid")];
  const ys_model *fr = s->models[ys_suite_model_index(s, "free")];
  const ys_model *plain = s->models[ys_suite_model_index(s, "plain")];
  ck_assert_int_eq(paid->concurrency, 3);
  ck_assert_double_eq_tol(paid->price_in, 1.5, 1e-12);
  ck_assert_double_eq_tol(paid->price_out, 6, 1e-12);
  ck_assert_int_eq(fr->concurrency, 2);
  ck_assert_int_eq(plain->concurrency, 0);
  ck_assert(plain->price_in == 0 && plain->price_out == 0);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_model_price_with_only_input_leaves_output_zero)
{
  const char *models =
    "    m = ys.model { price = { input = 30 },\n"
    "                   chat = function(self, r) return \"x\" end },\n";
  ys_suite *s = load_ok(suite_src(models, NULL, NULL), NULL);
  ck_assert_double_eq_tol(s->models[0]->price_in, 30, 1e-12);
  ck_assert(s->models[0]->price_out == 0);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_model_zero_concurrency_rejected_with_line)
{
  const char *text = suite_src(
    "    ok = ys.replay { field = \"answer\" },\n"
    "    c = ys.replay { field = \"answer\", concurrency = 0 }, -- @c\n",
    NULL, NULL);
  expect_suite_error(text, at(text, "@c"));
  expect_suite_error(text, "model 'c': concurrency must be a whole number "
                     "from 1 to 100000");
}
END_TEST

START_TEST(test_model_fractional_concurrency_rejected)
{
  const char *text = suite_src(
    "    c = ys.model { concurrency = 1.5,\n"
    "      chat = function(self, r) return \"x\" end },\n", NULL, NULL);
  expect_suite_error(text, "model 'c': concurrency must be a whole number");
}
END_TEST

START_TEST(test_model_negative_price_rejected_with_line)
{
  const char *text = suite_src(
    "    p = ys.model { price = { input = 1, output = -2 }, -- @p\n"
    "      chat = function(self, r) return \"x\" end },\n", NULL, NULL);
  expect_suite_error(text, at(text, "@p"));
  expect_suite_error(text, "model 'p': price.output must be a non-negative "
                     "number (USD per million tokens)");
}
END_TEST

START_TEST(test_model_price_not_a_table_rejected)
{
  const char *text = suite_src(
    "    p = ys.model { price = 3, -- @p\n"
    "      chat = function(self, r) return \"x\" end },\n", NULL, NULL);
  expect_suite_error(text, at(text, "@p"));
  expect_suite_error(text, "model 'p': price must be { input = ..., output "
                     "= ... }");
}
END_TEST

START_TEST(test_model_without_chat_rejected)
{
  expect_suite_error(suite_src("    x = { kind = \"nothing\" },\n", NULL,
                               NULL),
                     "models.x is not a model: it has no chat function");
}
END_TEST

START_TEST(test_model_name_with_space_rejected)
{
  expect_suite_error(suite_src("    [\"my model\"] = ys.replay { field = "
                               "\"q\" },\n", NULL, NULL),
                     "model name 'my model' must be 1-128 letters");
}
END_TEST

START_TEST(test_models_empty_rejected)
{
  expect_suite_error(suite_src("", NULL, NULL), "suite field 'models' is "
                     "empty: add at least one model");
}
END_TEST

START_TEST(test_model_object_exposes_name_and_kind)
{
  ys_suite *s = load_ok(suite_src("    rec = ys.replay { field = \"q\" },\n",
                                  NULL, NULL), NULL);
  ys_diag d;
  char *got = eval_arg(s, "local m = ...\n"
                       "return m.name .. \"|\" .. m.kind .. \"|\" .. "
                       "tostring(m)\n", 0, &d);
  ck_assert_msg(got != NULL, "%s", d.msg);
  ck_assert_str_eq(got, "rec|replay|model 'rec'");
  free(got);
  got = eval_arg(s, "local m = ...\nreturn m.price\n", 0, &d);
  ck_assert_ptr_null(got);
  ck_assert_msg(strstr(d.msg, "model has no field 'price' (it has chat, "
                       "name, kind)"), "%s", d.msg);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_model_chat_outside_task_raises_clear_error)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  ys_diag d;
  char *got = eval_arg(s, "local m = ...\nreturn m:chat(\"hi\")\n", 0,
                       &d);
  ck_assert_ptr_null(got);
  ck_assert_msg(strstr(d.msg, "model:chat can only be called while a "
                       "sample is being evaluated"), "%s", d.msg);
  ys_suite_free(s);
}
END_TEST

/* }====== */

/* {====== prompts ====== */

START_TEST(test_prompt_string_is_user_template)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  ck_assert_ptr_nonnull(s->user_tpl);
  ck_assert_ptr_null(s->system_tpl);
  ck_assert_int_eq(s->prompt_ref, LUA_NOREF);
  ck_assert_uint_eq(ys_template_nvars(s->user_tpl), 1);
  ck_assert_str_eq(ys_template_var(s->user_tpl, 0), "q");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_prompt_table_gives_system_and_user)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  prompt = { system = \"Answer {{answer}}.\", user = \"Q: {{q}}\" },\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_ptr_nonnull(s->system_tpl);
  ck_assert_ptr_nonnull(s->user_tpl);
  ck_assert_str_eq(ys_template_var(s->system_tpl, 0), "answer");
  ck_assert_str_eq(ys_template_var(s->user_tpl, 0), "q");
  ck_assert_int_eq(s->prompt_ref, LUA_NOREF);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_prompt_function_is_kept)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  prompt = function(sample) return sample.q end,\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_int_ne(s->prompt_ref, LUA_NOREF);
  ck_assert_ptr_null(s->user_tpl);
  ck_assert_ptr_null(s->system_tpl);
  ck_assert_int_eq(lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->prompt_ref),
                   LUA_TFUNCTION);
  lua_settop(s->L, 0);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_prompt_table_without_user_rejected)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  prompt = { system = \"Be brief.\" },\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  expect_suite_error(text, "prompt needs a 'user' template");
}
END_TEST

START_TEST(test_prompt_table_unknown_part_rejected)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  prompt = { user = \"{{q}}\", assistant = \"ok\" },\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  expect_suite_error(text, "prompt table takes 'system' and 'user' "
                     "templates only");
}
END_TEST

START_TEST(test_suite_without_prompt_or_evaluate_rejected)
{
  const char *text = HEAD
    "return ys.suite { -- @s\n"
    "  name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  expect_suite_error(text, at(text, "@s"));
  expect_suite_error(text, "suite needs a 'prompt' (or an 'evaluate' "
                     "function");
}
END_TEST

START_TEST(test_suite_with_evaluate_needs_no_prompt)
{
  const char *text = HEAD
    "return ys.suite { name = \"t\", dataset = ys.jsonl \"rows.jsonl\",\n"
    "  evaluate = function(sample, model, ctx) return \"x\" end,\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n";
  ys_suite *s = load_ok(text, NULL);
  ck_assert_int_ne(s->evaluate_ref, LUA_NOREF);
  ck_assert_int_eq(s->prompt_ref, LUA_NOREF);
  ck_assert_ptr_null(s->user_tpl);
  ys_suite_free(s);
}
END_TEST

/* }====== */

/* {====== metrics ====== */

START_TEST(test_metric_factory_without_params_gets_defaults)
{
  ys_suite *s = load_ok(suite_src(NULL, "    ys.metric \"exact_match\",\n",
                                  NULL), NULL);
  ck_assert_uint_eq(s->nmetrics, 1);
  ys_metric *m = s->metrics[0];
  ck_assert_str_eq(ys_metric_name(m), "exact_match");
  ck_assert_uint_eq(ys_metric_nkeys(m), 1);
  ck_assert_str_eq(ys_metric_key(m, 0), "exact_match");
  const cJSON *p = ys_metric_params(m);
  ck_assert_ptr_nonnull(p);
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(p, "expected");
  ck_assert(cJSON_IsString(exp));
  ck_assert_str_eq(exp->valuestring, "expected");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "trim")));
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(p,
                                                           "ignore_case")));
  ys_suite_free(s);
}
END_TEST

START_TEST(test_metric_params_override_defaults)
{
  ys_suite *s = load_ok(suite_src(NULL, "    ys.metric \"exact_match\" { "
                                  "expected = \"answer\", ignore_case = "
                                  "true },\n", NULL), NULL);
  const cJSON *p = ys_metric_params(s->metrics[0]);
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "expected")
                   ->valuestring, "answer");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p,
                                                          "ignore_case")));
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "trim")));
  ys_suite_free(s);
}
END_TEST

START_TEST(test_metric_same_name_twice_rejected)
{
  const char *text = suite_src(NULL,
    "    ys.metric \"exact_match\",\n"
    "    ys.metric \"exact_match\" { ignore_case = true }, -- @second\n",
    NULL);
  expect_suite_error(text, at(text, "@second"));
  expect_suite_error(text, "two metrics are named 'exact_match': give one "
                     "another name with name = \"...\"");
}
END_TEST

START_TEST(test_metric_name_param_renames)
{
  ys_suite *s = load_ok(suite_src(NULL,
    "    ys.metric \"exact_match\",\n"
    "    ys.metric \"exact_match\" { name = \"loose\", ignore_case = true "
    "},\n", NULL), NULL);
  ck_assert_uint_eq(s->nmetrics, 2);
  ck_assert_str_eq(ys_metric_name(s->metrics[0]), "exact_match");
  ck_assert_str_eq(ys_metric_name(s->metrics[1]), "loose");
  ck_assert_str_eq(ys_metric_plugin(s->metrics[1]), "exact_match");
  ck_assert_str_eq(ys_metric_key(s->metrics[1], 0), "loose");
  ck_assert(ys_suite_has_metric_key(s, "loose"));
  ck_assert(ys_suite_has_metric_key(s, "exact_match"));
  ck_assert(!ys_suite_has_metric_key(s, "exact"));
  ys_suite_free(s);
}
END_TEST

START_TEST(test_metric_sub_keys_named_after_instance)
{
  ys_suite *s = load_ok(suite_src(NULL,
    "    ys.metric \"taxonomy_depth\" { name = \"tax\", levels = 2 },\n",
    NULL), NULL);
  ck_assert_uint_eq(ys_metric_nkeys(s->metrics[0]), 2);
  ck_assert_str_eq(ys_metric_key(s->metrics[0], 0), "tax.level1");
  ck_assert_str_eq(ys_metric_key(s->metrics[0], 1), "tax.level2");
  ck_assert(ys_suite_has_metric_key(s, "tax.level2"));
  ck_assert(!ys_suite_has_metric_key(s, "tax.level3"));
  ck_assert(!ys_suite_has_metric_key(s, "tax"));
  ys_suite_free(s);
}
END_TEST

START_TEST(test_metric_unknown_plugin_rejected)
{
  const char *text = suite_src(NULL,
    "    ys.metric \"no_such_metric\", -- @m\n", NULL);
  char want[600];
  snprintf(want, sizeof(want), "unknown metric 'no_such_metric' (no "
           "no_such_metric.lua in %s/metrics", srcdir);
  expect_suite_error(text, at(text, "@m"));
  expect_suite_error(text, want);
}
END_TEST

START_TEST(test_metric_unknown_param_rejected)
{
  expect_suite_error(suite_src(NULL, "    ys.metric \"exact_match\" { "
                               "expect = \"answer\" },\n", NULL),
                     "metric 'exact_match': unknown parameter 'expect' "
                     "(known: ");
}
END_TEST

START_TEST(test_metrics_empty_rejected)
{
  expect_suite_error(suite_src(NULL, "", NULL), "suite field 'metrics' "
                     "must be a non-empty list");
}
END_TEST

/* }====== */

/* {====== baselines and gates ====== */

#define TWO_METRICS \
  "    ys.metric \"exact_match\",\n" \
  "    ys.metric \"taxonomy_depth\" { levels = 2 },\n"
#define KNOWN_KEYS \
  "(the suite's metrics give: exact_match, taxonomy_depth.level1, " \
  "taxonomy_depth.level2)"

START_TEST(test_baselines_and_gates_read)
{
  ys_suite *s = load_ok(suite_src(NULL, TWO_METRICS,
    "  baselines = {\n"
    "    zz = { metric = \"exact_match\", value = 0.5 },\n"
    "    human = { metric = \"taxonomy_depth.level2\", value = 0.76 },\n"
    "  },\n"
    "  gates = {\n"
    "    { model = \"m\", metric = \"exact_match\", min = 0.9 },\n"
    "    { model = \"m\", metric = \"taxonomy_depth.level1\", max = 0.5,\n"
    "      min = 0.1 },\n"
    "  },\n"), NULL);
  ck_assert_uint_eq(s->nbaselines, 2);
  ck_assert_str_eq(s->baselines[0].name, "human");
  ck_assert_str_eq(s->baselines[0].metric, "taxonomy_depth.level2");
  ck_assert_double_eq_tol(s->baselines[0].value, 0.76, 1e-12);
  ck_assert_str_eq(s->baselines[1].name, "zz");
  ck_assert_uint_eq(s->ngates, 2);
  ck_assert_str_eq(s->gates[0].model, "m");
  ck_assert_str_eq(s->gates[0].metric, "exact_match");
  ck_assert(s->gates[0].has_min && !s->gates[0].has_max);
  ck_assert_double_eq_tol(s->gates[0].min, 0.9, 1e-12);
  ck_assert(s->gates[1].has_min && s->gates[1].has_max);
  ck_assert_double_eq_tol(s->gates[1].max, 0.5, 1e-12);
  ck_assert_double_eq_tol(s->gates[1].min, 0.1, 1e-12);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_baseline_unknown_metric_lists_known_keys)
{
  expect_suite_error(suite_src(NULL, TWO_METRICS,
    "  baselines = { h = { metric = \"taxonomy_depth.level3\", value = 1 } "
    "},\n"),
    "suite.lua:2: baseline: unknown metric 'taxonomy_depth.level3' "
    KNOWN_KEYS);
}
END_TEST

START_TEST(test_baseline_without_value_rejected)
{
  expect_suite_error(suite_src(NULL, NULL,
    "  baselines = { h = { metric = \"exact_match\" } },\n"),
    "baseline 'h' needs a number value");
}
END_TEST

START_TEST(test_gate_unknown_metric_lists_known_keys)
{
  expect_suite_error(suite_src(NULL, TWO_METRICS,
    "  gates = { { model = \"m\", metric = \"taxonomy\", min = 1 } },\n"),
    "suite.lua:2: gates[1]: unknown metric 'taxonomy' " KNOWN_KEYS);
}
END_TEST

START_TEST(test_gate_unknown_model_rejected)
{
  expect_suite_error(suite_src(NULL, NULL,
    "  gates = { { model = \"m\", metric = \"exact_match\", min = 1 },\n"
    "            { model = \"gpt5\", metric = \"exact_match\", min = 1 } "
    "},\n"),
    "suite.lua:2: gates[2]: unknown model 'gpt5'");
}
END_TEST

START_TEST(test_gate_without_check_rejected)
{
  expect_suite_error(suite_src(NULL, NULL,
    "  gates = { { model = \"m\", metric = \"exact_match\" } },\n"),
    "gates[1] must have exactly one check, one of: { model, metric, "
    "min/max [, bound] }, { model, metric, beats [, alpha] }, { model, "
    "metric, not_worse_than, margin [, alpha] }, { model, max_error_rate }, "
    "{ model, max_cost_per_1k }, { model, max_p95_latency_ms }");
}
END_TEST

START_TEST(test_gate_unknown_option_rejected)
{
  expect_suite_error(suite_src(NULL, NULL,
    "  gates = { { model = \"m\", metric = \"exact_match\", minimum = 1 } "
    "},\n"),
    "gates[1]: unknown option 'minimum' (expected model, metric, min, "
    "max, bound, beats, not_worse_than, margin, alpha, max_error_rate, "
    "max_cost_per_1k, max_p95_latency_ms)");
}
END_TEST

#define TWO_MODELS \
  "    m = ys.replay { field = \"answer\" },\n" \
  "    n = ys.replay { field = \"answer\" },\n"

/* Every form of gate, read back. */
START_TEST(test_gate_forms_read)
{
  ys_suite *s = load_ok(suite_src(TWO_MODELS, NULL,
    "  baselines = { human = { metric = \"exact_match\", value = 0.76 } },\n"
    "  gates = {\n"
    "    { model = \"m\", metric = \"exact_match\", min = 0.9,\n"
    "      bound = \"lower\" },\n"
    "    { model = \"m\", metric = \"exact_match\", beats = \"n\" },\n"
    "    { model = \"m\", metric = \"exact_match\", beats = \"human\",\n"
    "      alpha = 0.01 },\n"
    "    { model = \"m\", metric = \"exact_match\", not_worse_than = \"n\",\n"
    "      margin = 0.02 },\n"
    "    { model = \"m\", max_error_rate = 0.01 },\n"
    "    { model = \"m\", max_cost_per_1k = 2.5 },\n"
    "    { model = \"m\", max_p95_latency_ms = 1500 },\n"
    "    { model = \"m\", metric = \"exact_match\", max = 1 },\n"
    "  },\n"), NULL);
  ck_assert_uint_eq(s->ngates, 8);
  const ys_gate *g = s->gates;
  ck_assert_int_eq(g[0].kind, YS_GATE_RANGE);
  ck_assert_int_eq(g[0].bound, YS_BOUND_LOWER);
  ck_assert_int_eq(g[1].kind, YS_GATE_BEATS);
  ck_assert_str_eq(g[1].other, "n");
  ck_assert_double_eq(g[1].alpha, YS_GATE_ALPHA);
  ck_assert_int_eq(g[2].kind, YS_GATE_BEATS);
  ck_assert_str_eq(g[2].other, "human");
  ck_assert_double_eq(g[2].alpha, 0.01);
  ck_assert_int_eq(g[3].kind, YS_GATE_NOT_WORSE);
  ck_assert_double_eq(g[3].margin, 0.02);
  ck_assert_int_eq(g[4].kind, YS_GATE_ERROR_RATE);
  ck_assert_double_eq(g[4].max, 0.01);
  ck_assert_ptr_null(g[4].metric);
  ck_assert_int_eq(g[5].kind, YS_GATE_COST);
  ck_assert_double_eq(g[5].max, 2.5);
  ck_assert_int_eq(g[6].kind, YS_GATE_LATENCY);
  ck_assert_int_eq(g[7].kind, YS_GATE_RANGE);
  ck_assert(!g[7].has_min && g[7].has_max);
  ck_assert_int_eq(g[7].bound, YS_BOUND_VALUE);
  ys_suite_free(s);
}
END_TEST

/* Each malformed gate, with the message a user sees. */
START_TEST(test_gate_bad_forms_rejected)
{
  static const struct {
    const char *gate, *msg;
  } bad[] = {
    { "model = \"m\", metric = \"exact_match\", min = 1, beats = \"n\"",
      "gates[1] must have exactly one check" },
    { "model = \"m\", max_error_rate = 0.001, max = 0.5",
      "gates[1] must have exactly one check" },
    { "model = \"m\", metric = \"exact_match\", max_error_rate = 0.1",
      "gates[1]: max_error_rate is about the model, not a metric: remove "
      "metric" },
    { "model = \"m\", beats = \"n\"", "gates[1] needs metric = \"name\"" },
    { "model = \"m\", metric = \"exact_match\", not_worse_than = \"n\"",
      "gates[1]: not_worse_than needs margin = the largest drop that still "
      "counts as not worse (e.g. 0.02)" },
    { "model = \"m\", metric = \"exact_match\", beats = \"n\", margin = 1",
      "gates[1]: margin goes with not_worse_than" },
    { "model = \"m\", metric = \"exact_match\", min = 1, alpha = 0.1",
      "gates[1]: alpha goes with beats or not_worse_than" },
    { "model = \"m\", metric = \"exact_match\", beats = \"n\", alpha = 0.7",
      "gates[1]: alpha must be between 0 and 0.5 (0.05 is usual)" },
    { "model = \"m\", metric = \"exact_match\", beats = \"m\"",
      "gates[1]: a model cannot be compared with itself" },
    { "model = \"m\", metric = \"exact_match\", beats = \"gpt9\"",
      "gates[1]: 'gpt9' is neither a model nor a baseline of the suite "
      "(models: m, n)" },
    { "model = \"m\", metric = \"exact_match\", beats = 3",
      "gates[1]: beats must be the name of a model or a baseline" },
    { "model = \"m\", metric = \"exact_match\", min = 1, bound = \"low\"",
      "gates[1]: bound must be \"value\", \"lower\" or \"upper\"" },
    { "model = \"m\", metric = \"exact_match\", beats = \"n\", "
      "bound = \"lower\"", "gates[1]: bound goes with min or max" },
    { "model = \"m\", metric = \"exact_match\", min = 0.9, max = 0.1",
      "gates[1]: min 0.9 is above max 0.1" },
    { "model = \"m\", max_cost_per_1k = -1",
      "gates[1]: max_cost_per_1k must be 0 or more" },
    { "model = \"m\", metric = \"exact_match\", min = \"0.9\"",
      "gates[1]: min must be a number" },
    { "model = \"m\", metric = \"exact_match\", not_worse_than = \"n\", "
      "margin = -0.1", "gates[1]: margin must be 0 or more" },
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char extra[512];
    snprintf(extra, sizeof(extra), "  gates = { { %s } },\n", bad[i].gate);
    expect_suite_error(suite_src(TWO_MODELS, NULL, extra), bad[i].msg);
  }
}
END_TEST

START_TEST(test_gate_baseline_of_another_metric_rejected)
{
  expect_suite_error(suite_src(TWO_MODELS, TWO_METRICS,
    "  baselines = { human = { metric = \"taxonomy_depth.level2\",\n"
    "                          value = 0.76 } },\n"
    "  gates = { { model = \"m\", metric = \"exact_match\",\n"
    "              beats = \"human\" } },\n"),
    "gates[1]: baseline 'human' is a value of 'taxonomy_depth.level2', not "
    "of 'exact_match'");
}
END_TEST

START_TEST(test_gate_bound_needs_an_interval)
{
  expect_suite_error(suite_src(NULL,
    "    ys.metric \"latency\" { percentile = 95 },\n",
    "  gates = { { model = \"m\", metric = \"latency\", max = 900,\n"
    "              bound = \"upper\" } },\n"),
    "gates[1]: metric 'latency' has no interval (only means and rates have "
    "one): bound cannot be \"upper\"");
}
END_TEST

START_TEST(test_baseline_named_like_a_model_rejected)
{
  expect_suite_error(suite_src(TWO_MODELS, NULL,
    "  baselines = { n = { metric = \"exact_match\", value = 0.5 } },\n"),
    "baseline 'n' has the name of a model: a gate could not tell them "
    "apart");
}
END_TEST

/* }====== */

/* {====== module helpers ====== */

START_TEST(test_rows_jsonl_gives_rows_and_lines)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local out = {}\n"
    "for row, line in ys.rows(\"rows.jsonl\") do\n"
    "  out[#out + 1] = row.id .. \"/\" .. row.q .. \"@\" .. line\n"
    "end\n"
    "return table.concat(out, \",\")\n", "r1/one@1,r2/two@3");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_rows_csv_gives_string_fields_and_start_lines)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local out = {}\n"
    "for row, line in ys.rows(\"rows.csv\") do\n"
    "  out[#out + 1] = row.id .. \"=\" .. row.q:gsub(\"\\n\", \"|\") ..\n"
    "                  \"/\" .. math.type(line) .. line\n"
    "end\n"
    "return table.concat(out, \",\")\n",
    "c1=two|lines/integer2,c2=plain/integer4");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_rows_of_dataset_uses_its_delimiter)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local out = {}\n"
    "local ds = ys.csv { \"semi.csv\", delimiter = \";\" }\n"
    "for row in ys.rows(ds) do out[#out + 1] = row.q end\n"
    "return table.concat(out, \"|\")\n", "one|two, three");
  expect_eval(s, HEAD
    "local out = {}\n"
    "for row in ys.rows(\"rows.tsv\") do out[#out + 1] = row.answer end\n"
    "return table.concat(out, \"|\")\n", "a");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_rows_bad_line_raises_with_data_position)
{
  put("bad.jsonl", "{\"id\": 1}\n{\"id\": \n");
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  char want[600];
  snprintf(want, sizeof(want), "%s/bad.jsonl:2: invalid JSON", tmp);
  expect_eval_error(s, HEAD
    "for row in ys.rows(\"bad.jsonl\") do end\n"
    "return \"read\"\n", want);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_rows_missing_file_raises)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval_error(s, HEAD "return ys.rows(\"absent.jsonl\")\n",
                    "absent.jsonl: cannot open: No such file");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_read_lines_skips_empty_lines_and_line_ends)
{
  /* A BOM, CRLF line ends, an empty line and no final newline. */
  put("words.txt", "\xEF\xBB\xBF" "alpha\r\n\r\nbeta two\n\ngamma");
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local l = ys.read_lines(\"words.txt\")\n"
    "return #l .. \":\" .. table.concat(l, \"|\")\n",
    "3:alpha|beta two|gamma");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_path_resolves_against_suite_dir)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  char want[700];
  snprintf(want, sizeof(want), "%s/data/x.jsonl|/abs/y.txt", tmp);
  expect_eval(s, HEAD "return ys.path(\"data/x.jsonl\") .. \"|\" .. "
              "ys.path(\"/abs/y.txt\")\n", want);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_env_reads_variable_or_nil)
{
  setenv("YS_CHECK_SUITE_VAR", "forty two", 1);
  unsetenv("YS_CHECK_SUITE_UNSET");
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD "return ys.env(\"YS_CHECK_SUITE_VAR\") .. \"|\" .. "
              "tostring(ys.env(\"YS_CHECK_SUITE_UNSET\"))\n",
              "forty two|nil");
  ys_suite_free(s);
  unsetenv("YS_CHECK_SUITE_VAR");
}
END_TEST

START_TEST(test_json_encode_sorts_keys)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD "return ys.json.encode({ zeta = 1, alpha = { 1, 2, "
              "\"x\" }, mid = true, n = 0.5 })\n",
              "{\"alpha\":[1,2,\"x\"],\"mid\":true,\"n\":0.5,\"zeta\":1}");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_json_decode_round_trips)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local t = ys.json.decode('{\"a\":[],\"b\":null,\"c\":[1,{\"d\":\"e\"}]}')"
    "\n"
    "assert(t.b == ys.json.null and t.c[2].d == \"e\")\n"
    "return ys.json.encode(t)\n",
    "{\"a\":[],\"b\":null,\"c\":[1,{\"d\":\"e\"}]}");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_json_decode_invalid_returns_nil_and_message)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local v, msg = ys.json.decode('{\"a\": }')\n"
    "return tostring(v) .. \"|\" .. msg\n", "nil|invalid JSON at offset 6: an unexpected character");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_json_encode_function_raises)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval_error(s, HEAD "return ys.json.encode({ f = print })\n",
                    "function");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_sleep_outside_task_raises_clear_error)
{
  const char *text = HEAD
    "ys.sleep(10) -- @sleep\n"
    "return ys.suite {}\n";
  expect_suite_error(text, at(text, "@sleep"));
  expect_suite_error(text, "ys.sleep can only be used while a sample is "
                     "being evaluated");
}
END_TEST

START_TEST(test_unknown_plugin_names_it_and_dirs_searched)
{
  const char *text = suite_src("    m = ys.no_such_backend { }, -- @p\n",
                               NULL, NULL);
  char roots[1200];
  snprintf(roots, sizeof(roots), "no plugin no_such_backend.lua in "
           "%s/plugins, %s/plugins", srcdir, tmp);
  expect_suite_error(text, at(text, "@p"));
  expect_suite_error(text, "yardstick has no 'no_such_backend' (not a "
                     "built-in");
  expect_suite_error(text, roots);
}
END_TEST

START_TEST(test_plugin_loaded_from_search_path_root)
{
  char plugins_root[600];
  snprintf(plugins_root, sizeof(plugins_root), "%s/plugins_root", tmp);
  put("plugins_root/plugins/echo.lua", HEAD
      "return function(opts)\n"
      "  return { chat = function(self, request)\n"
      "    return (opts.prefix or \"\") .. request.id\n"
      "  end }\n"
      "end\n");
  const char *text = suite_src("    e = ys.echo { prefix = \">\" }, -- @e\n",
                               NULL, NULL);
  ys_suite *s = load_ok(text, plugins_root);
  ck_assert_uint_eq(s->nmodels, 1);
  ck_assert_str_eq(s->models[0]->name, "e");
  ck_assert_str_eq(s->models[0]->kind, "echo");
  char want[64];
  snprintf(want, sizeof(want), "suite.lua:%ld", line_of(text, "@e"));
  const char *w = s->models[0]->where;
  ck_assert_str_eq(w + strlen(w) - strlen(want), want);
  expect_eval(s, HEAD
    "local e = ys.echo { prefix = \"#\" }\n"
    "return e:chat({ id = \"r9\" })\n", "#r9");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plugin_not_returning_constructor_rejected)
{
  char plugins_root[600];
  snprintf(plugins_root, sizeof(plugins_root), "%s/plugins_root", tmp);
  put("plugins_root/plugins/broken.lua", "return { 1, 2 }\n");
  put("suite.lua", suite_src("    b = ys.broken { },\n", NULL, NULL));
  ys_suite *s = (ys_suite *)1;
  ys_diag d;
  char sp[1200];
  snprintf(sp, sizeof(sp), "%s:%s", plugins_root, srcdir);
  ys_suite_opts o = { sp, NULL, NULL };
  ck_assert_int_eq(ys_suite_load(suite_path, &o, &s, &d), YS_ERR_SUITE);
  ck_assert_ptr_null(s);
  ck_assert_msg(strstr(d.msg, "plugin plugins/broken.lua must return a "
                       "constructor function, not table"), "%s", d.msg);
}
END_TEST

static char logged[2048];

static void log_cb(void *ud, const char *line)
{
  (*(int *)ud)++;
  size_t n = strlen(logged);
  snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/* Loads a suite whose first lines are pre, collecting the log lines. */
static int load_logging(const char *pre)
{
  char text[2048];
  snprintf(text, sizeof(text), HEAD "%s"
           "return ys.suite { name = \"t\", dataset = ys.jsonl "
           "\"rows.jsonl\",\n"
           "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" "
           "} },\n"
           "  metrics = { ys.metric \"exact_match\" } }\n", pre);
  put("suite.lua", text);
  int calls = 0;
  logged[0] = '\0';
  ys_suite_opts o = { srcdir, log_cb, &calls };
  ys_suite *s = NULL;
  ys_diag d;
  ck_assert_msg(ys_suite_load(suite_path, &o, &s, &d) == YS_OK, "%s",
                d.msg);
  ys_suite_free(s);
  return calls;
}

START_TEST(test_log_writes_arguments_tab_separated)
{
  ck_assert_int_eq(load_logging("ys.log(\"loading\", 1)\n"), 1);
  ck_assert_str_eq(logged, "loading\t1\n");
}
END_TEST

START_TEST(test_print_goes_to_log_callback)
{
  ck_assert_int_eq(load_logging("print(\"printed\", true)\n"), 1);
  ck_assert_str_eq(logged, "printed\ttrue\n");
}
END_TEST

/* }====== */

/* {====== ys.replay ====== */

/* Two models' lines for the same ids, as in a run's samples.jsonl, and
 * an error recorded for one of them. */
#define SAMPLES \
  "{\"id\":\"s1\",\"model\":\"a\",\"status\":\"ok\",\"output\":\"a-one\"}\n" \
  "{\"id\":\"s1\",\"model\":\"b\",\"status\":\"ok\",\"output\":\"b-one\"," \
  "\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}\n" \
  "{\"id\":\"s2\",\"model\":\"a\",\"status\":\"ok\",\"output\":{\"k\":1}}\n" \
  "{\"id\":\"s2\",\"model\":\"b\",\"status\":\"error\",\"error\":" \
  "\"timeout after 30 s\"}\n"

START_TEST(test_replay_file_with_model_filter)
{
  put("samples.jsonl", SAMPLES);
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local b = ys.replay { file = \"samples.jsonl\", model = \"b\" }\n"
    "local r = b:chat({ id = \"s1\" })\n"
    "return r.text .. \"|\" .. r.input_tokens .. \"|\" .. r.output_tokens\n"
    "  .. \"|\" .. b.kind\n", "b-one|7|3|replay");
  expect_eval(s, HEAD
    "local a = ys.replay { file = \"samples.jsonl\", model = \"a\" }\n"
    "return a:chat({ id = \"s1\" }).text .. \"|\" ..\n"
    "       a:chat({ id = \"s2\" }).text .. \"|\" ..\n"
    "       tostring(a:chat({ id = \"s2\" }).input_tokens)\n",
    "a-one|{\"k\":1}|nil");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_replay_recorded_error_replays_as_error)
{
  put("samples.jsonl", SAMPLES);
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local b = ys.replay { file = \"samples.jsonl\", model = \"b\" }\n"
    "local ok, err = pcall(b.chat, b, { id = \"s2\" })\n"
    "return tostring(ok) .. \"|\" .. err\n",
    "false|replay: recorded error: timeout after 30 s");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_replay_unknown_id_raises)
{
  put("samples.jsonl", SAMPLES);
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval_error(s, HEAD
    "local a = ys.replay { file = \"samples.jsonl\", model = \"a\" }\n"
    "return a:chat({ id = \"s9\" })\n",
    "replay: no recorded output for id 's9'");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_replay_field_gives_sample_field)
{
  ys_suite *s = load_ok(suite_src(NULL, NULL, NULL), NULL);
  expect_eval(s, HEAD
    "local h = ys.replay { field = \"label\" }\n"
    "local r = h:chat({ sample = { label = { 1, 2 } } })\n"
    "return h:chat({ sample = { label = \"Shoes\" } }) .. \"|\" ..\n"
    "       r.text .. \"|\" .. #r.output .. \"|\" .. h.field\n",
    "Shoes|[1,2]|2|label");
  expect_eval_error(s, HEAD
    "local h = ys.replay { field = \"label\" }\n"
    "return h:chat({ sample = { other = 1 } })\n",
    "replay: the sample has no field 'label'");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_replay_duplicate_id_rejected_with_position)
{
  put("samples.jsonl", SAMPLES);
  const char *text = suite_src(
    "    m = ys.replay { file = \"samples.jsonl\" },\n", NULL, NULL);
  char want[700];
  snprintf(want, sizeof(want), "%s/samples.jsonl:2: id 's1' appears "
           "twice (a run's samples.jsonl holds several models: pick one "
           "with model = \"...\")", tmp);
  expect_data_error(text, want);
}
END_TEST

START_TEST(test_replay_missing_output_rejected_with_position)
{
  put("out.jsonl", "{\"id\": \"r1\", \"output\": \"x\"}\n"
      "{\"id\": \"r2\", \"answer\": \"y\"}\n");
  const char *text = suite_src(
    "    m = ys.replay { file = \"out.jsonl\" },\n", NULL, NULL);
  char want[700];
  snprintf(want, sizeof(want), "%s/out.jsonl:2: record 'r2' has no field "
           "'output'", tmp);
  expect_data_error(text, want);
}
END_TEST

START_TEST(test_replay_bad_file_is_data_error)
{
  /* suite.h: "YS_ERR_DATA (a replay file is wrong)". */
  put("out.jsonl", "{\"id\": \"r1\", \"answer\": \"y\"}\n");
  put("suite.lua", suite_src("    m = ys.replay { file = \"out.jsonl\" },\n",
                             NULL, NULL));
  ys_suite *s = NULL;
  ys_diag d;
  ys_suite_opts o = { srcdir, NULL, NULL };
  ys_err err = ys_suite_load(suite_path, &o, &s, &d);
  ck_assert_ptr_null(s);
  ck_assert_msg(err == YS_ERR_DATA, "expected YS_ERR_DATA (%d), got %d: %s",
                YS_ERR_DATA, err, d.msg);
}
END_TEST

START_TEST(test_replay_missing_file_rejected)
{
  const char *text = suite_src(
    "    m = ys.replay { file = \"gone.jsonl\" }, -- @r\n", NULL, NULL);
  expect_suite_error(text, at(text, "@r"));
  expect_suite_error(text, "replay: ");
  expect_suite_error(text, "gone.jsonl");
}
END_TEST

START_TEST(test_replay_needs_exactly_one_source)
{
  expect_suite_error(suite_src(
    "    m = ys.replay { file = \"x.jsonl\", field = \"q\" },\n", NULL,
    NULL), "replay: give exactly one of 'file' (recorded outputs) or "
    "'field' (a sample field)");
  expect_suite_error(suite_src("    m = ys.replay { },\n", NULL, NULL),
                     "replay: give exactly one of 'file'");
}
END_TEST

START_TEST(test_replay_unknown_option_rejected)
{
  const char *text = suite_src(
    "    m = ys.replay { fields = \"q\" }, -- @r\n", NULL, NULL);
  expect_suite_error(text, at(text, "@r"));
  expect_suite_error(text, "replay: unknown option 'fields' (expected one "
                     "of: file, field, model");
}
END_TEST

/* }====== */

/* {====== ys_replay_open / ys_replay_get ====== */

static ys_replay *open_replay(const char *name, const char *model,
                              const char *idf, const char *outf)
{
  char path[600];
  snprintf(path, sizeof(path), "%s/%s", tmp, name);
  ys_replay_opts o = { path, model, idf, outf };
  ys_replay *r = NULL;
  ys_diag d;
  ys_err err = ys_replay_open(&o, &r, &d);
  ck_assert_msg(err == YS_OK, "ys_replay_open: %s", d.msg);
  return r;
}

/* Opens name expecting err; returns the diagnostic. */
static ys_diag open_replay_fails(const char *name, const char *model,
                                 ys_err want)
{
  char path[600];
  snprintf(path, sizeof(path), "%s/%s", tmp, name);
  ys_replay_opts o = { path, model, NULL, NULL };
  ys_replay *r = (ys_replay *)1;
  ys_diag d;
  memset(&d, 0, sizeof(d));
  ys_err err = ys_replay_open(&o, &r, &d);
  ck_assert_msg(err == want, "expected error %d, got %d: %s", want, err,
                d.msg);
  ck_assert_ptr_null(r);
  ck_assert_str_eq(d.file, path);
  return d;
}

static char *output_of(ys_replay *r, const char *id)
{
  static char buf[256];
  cJSON *rec = (cJSON *)1;
  ys_diag d;
  ck_assert_int_eq(ys_replay_get(r, id, &rec, &d), YS_OK);
  if(!rec)
    return NULL;
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec,
                                                    ys_replay_output_field(r));
  snprintf(buf, sizeof(buf), "%s", cJSON_IsString(o) ? o->valuestring
                                                      : "(not a string)");
  cJSON_Delete(rec);
  return buf;
}

START_TEST(test_replay_open_indexes_every_record)
{
  put("o.jsonl", "{\"id\":\"x\",\"output\":\"one\"}\n"
      "\n"
      "{\"id\":7,\"output\":\"seven\"}\n"
      "{\"id\":\"z\",\"output\":\"last, no newline\"}");
  ys_replay *r = open_replay("o.jsonl", NULL, NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 3);
  ck_assert_str_eq(ys_replay_output_field(r), "output");
  ck_assert_str_eq(output_of(r, "z"), "last, no newline");
  ck_assert_str_eq(output_of(r, "x"), "one");
  ck_assert_str_eq(output_of(r, "7"), "seven");
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_get_unknown_id_is_null)
{
  put("o.jsonl", "{\"id\":\"x\",\"output\":\"one\"}\n");
  ys_replay *r = open_replay("o.jsonl", NULL, NULL, NULL);
  ck_assert_ptr_null(output_of(r, "y"));
  ck_assert_ptr_null(output_of(r, ""));
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_get_returns_whole_record)
{
  put("o.jsonl", "{\"id\":\"x\",\"output\":\"one\",\"usage\":"
      "{\"input_tokens\":4},\"extra\":[1,2]}\n");
  ys_replay *r = open_replay("o.jsonl", NULL, NULL, NULL);
  cJSON *rec = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_replay_get(r, "x", &rec, &d), YS_OK);
  ck_assert(cJSON_IsObject(rec));
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                   rec, "extra")), 2);
  ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(rec, "usage"));
  cJSON_Delete(rec);
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_model_filter_keeps_one_model)
{
  put("samples.jsonl", SAMPLES);
  ys_replay *r = open_replay("samples.jsonl", "a", NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 2);
  ck_assert_str_eq(output_of(r, "s1"), "a-one");
  ys_replay_free(r);
  r = open_replay("samples.jsonl", "b", NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 2);
  ck_assert_str_eq(output_of(r, "s1"), "b-one");
  ys_replay_free(r);
  r = open_replay("samples.jsonl", "c", NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 0);
  ck_assert_ptr_null(output_of(r, "s1"));
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_custom_id_and_output_fields)
{
  put("o.jsonl", "{\"sku\":\"A-1\",\"pred\":\"shirt\",\"output\":\"no\"}\n"
      "{\"sku\":\"B-2\",\"pred\":\"shoe\"}\n");
  ys_replay *r = open_replay("o.jsonl", NULL, "sku", "pred");
  ck_assert_str_eq(ys_replay_output_field(r), "pred");
  ck_assert_uint_eq(ys_replay_count(r), 2);
  ck_assert_str_eq(output_of(r, "A-1"), "shirt");
  ck_assert_str_eq(output_of(r, "B-2"), "shoe");
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_bom_and_crlf)
{
  static const char text[] =
    "\xEF\xBB\xBF{\"id\":\"first\",\"output\":\"uno\"}\r\n"
    "{\"id\":\"second\",\"output\":\"dos\"}\r\n"
    "\r\n"
    "{\"id\":\"third\",\"output\":\"tres\"}\r\n";
  put("bom.jsonl", text);
  ys_replay *r = open_replay("bom.jsonl", NULL, NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 3);
  ck_assert_str_eq(output_of(r, "first"), "uno");
  ck_assert_str_eq(output_of(r, "third"), "tres");
  ck_assert_str_eq(output_of(r, "second"), "dos");
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_duplicate_id_names_line)
{
  put("d.jsonl", "{\"id\":\"x\",\"output\":\"1\"}\n"
      "{\"id\":\"y\",\"output\":\"2\"}\n"
      "{\"id\":\"x\",\"output\":\"3\"}\n");
  ys_diag d = open_replay_fails("d.jsonl", NULL, YS_ERR_DATA);
  ck_assert_int_eq(d.line, 3);
  ck_assert_msg(strstr(d.msg, "id 'x' appears twice"), "%s", d.msg);
}
END_TEST

START_TEST(test_replay_duplicate_id_for_model_names_model)
{
  put("d.jsonl", "{\"id\":\"x\",\"model\":\"m\",\"output\":\"1\"}\n"
      "{\"id\":\"x\",\"model\":\"n\",\"output\":\"2\"}\n"
      "{\"id\":\"x\",\"model\":\"m\",\"output\":\"3\"}\n");
  ys_diag d = open_replay_fails("d.jsonl", "m", YS_ERR_DATA);
  ck_assert_int_eq(d.line, 3);
  ck_assert_str_eq(d.msg, "id 'x' appears twice for model 'm'");
}
END_TEST

START_TEST(test_replay_missing_output_names_line)
{
  put("m.jsonl", "{\"id\":\"x\",\"output\":\"1\"}\n"
      "{\"id\":\"y\",\"out\":\"2\"}\n");
  ys_diag d = open_replay_fails("m.jsonl", NULL, YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_str_eq(d.msg, "record 'y' has no field 'output'");
}
END_TEST

START_TEST(test_replay_missing_id_names_line)
{
  put("m.jsonl", "{\"id\":\"x\",\"output\":\"1\"}\n"
      "{\"name\":\"y\",\"output\":\"2\"}\n");
  ys_diag d = open_replay_fails("m.jsonl", NULL, YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_msg(strstr(d.msg, "expected field 'id'"), "%s", d.msg);
}
END_TEST

START_TEST(test_replay_error_record_needs_no_output)
{
  put("e.jsonl", "{\"id\":\"x\",\"status\":\"error\",\"error\":\"boom\"}\n");
  ys_replay *r = open_replay("e.jsonl", NULL, NULL, NULL);
  ck_assert_uint_eq(ys_replay_count(r), 1);
  cJSON *rec = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_replay_get(r, "x", &rec, &d), YS_OK);
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(rec, "status")
                   ->valuestring, "error");
  cJSON_Delete(rec);
  ys_replay_free(r);
}
END_TEST

START_TEST(test_replay_bad_json_names_line)
{
  put("b.jsonl", "{\"id\":\"x\",\"output\":\"1\"}\n{\"id\":\"y\",\n");
  ys_diag d = open_replay_fails("b.jsonl", NULL, YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_msg(strstr(d.msg, "invalid JSON"), "%s", d.msg);
}
END_TEST

START_TEST(test_replay_missing_file_is_io_error)
{
  ys_diag d = open_replay_fails("nothing.jsonl", NULL, YS_ERR_IO);
  ck_assert_msg(strstr(d.msg, "cannot open"), "%s", d.msg);
}
END_TEST

/* }====== */

static Suite *suite_suite(void)
{
  Suite *s = suite_create("suite");
  TCase *tc = tcase_create("load");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_suite_valid_has_expected_fields);
  tcase_add_test(tc, test_suite_dataset_resolved_against_suite_dir_not_cwd);
  tcase_add_test(tc, test_suite_id_field_can_be_named);
  tcase_add_test(tc, test_suite_empty_id_field_rejected);
  tcase_add_test(tc, test_suite_csv_defaults_to_comma);
  tcase_add_test(tc, test_suite_tsv_gets_tab_delimiter);
  tcase_add_test(tc, test_suite_csv_explicit_delimiter_option);
  tcase_add_test(tc, test_suite_explicit_delimiter_wins_over_tsv_name);
  tcase_add_test(tc, test_suite_csv_two_char_delimiter_rejected);
  tcase_add_test(tc, test_suite_missing_dataset_file_rejected);
  tcase_add_test(tc, test_suite_unreadable_file_rejected);
  tcase_add_test(tc, test_suite_unknown_top_level_field_rejected);
  tcase_add_test(tc, test_suite_must_return_a_table);
  tcase_add_test(tc, test_suite_max_error_rate_read);
  tcase_add_test(tc, test_suite_max_error_rate_above_one_rejected);
  tcase_add_test(tc, test_suite_max_error_rate_negative_rejected);
  tcase_add_test(tc, test_suite_max_error_rate_not_a_number_rejected);
  suite_add_tcase(s, tc);

  tc = tcase_create("models");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_models_ordered_by_definition_line);
  tcase_add_test(tc, test_models_inline_keep_written_order);
  tcase_add_test(tc, test_model_where_names_its_suite_line);
  tcase_add_test(tc, test_model_concurrency_and_price_read);
  tcase_add_test(tc, test_model_price_with_only_input_leaves_output_zero);
  tcase_add_test(tc, test_model_zero_concurrency_rejected_with_line);
  tcase_add_test(tc, test_model_fractional_concurrency_rejected);
  tcase_add_test(tc, test_model_negative_price_rejected_with_line);
  tcase_add_test(tc, test_model_price_not_a_table_rejected);
  tcase_add_test(tc, test_model_without_chat_rejected);
  tcase_add_test(tc, test_model_name_with_space_rejected);
  tcase_add_test(tc, test_models_empty_rejected);
  tcase_add_test(tc, test_model_object_exposes_name_and_kind);
  tcase_add_test(tc, test_model_chat_outside_task_raises_clear_error);
  suite_add_tcase(s, tc);

  tc = tcase_create("prompt");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_prompt_string_is_user_template);
  tcase_add_test(tc, test_prompt_table_gives_system_and_user);
  tcase_add_test(tc, test_prompt_function_is_kept);
  tcase_add_test(tc, test_prompt_table_without_user_rejected);
  tcase_add_test(tc, test_prompt_table_unknown_part_rejected);
  tcase_add_test(tc, test_suite_without_prompt_or_evaluate_rejected);
  tcase_add_test(tc, test_suite_with_evaluate_needs_no_prompt);
  suite_add_tcase(s, tc);

  tc = tcase_create("metrics");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_metric_factory_without_params_gets_defaults);
  tcase_add_test(tc, test_metric_params_override_defaults);
  tcase_add_test(tc, test_metric_same_name_twice_rejected);
  tcase_add_test(tc, test_metric_name_param_renames);
  tcase_add_test(tc, test_metric_sub_keys_named_after_instance);
  tcase_add_test(tc, test_metric_unknown_plugin_rejected);
  tcase_add_test(tc, test_metric_unknown_param_rejected);
  tcase_add_test(tc, test_metrics_empty_rejected);
  suite_add_tcase(s, tc);

  tc = tcase_create("baselines_gates");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_baselines_and_gates_read);
  tcase_add_test(tc, test_baseline_unknown_metric_lists_known_keys);
  tcase_add_test(tc, test_baseline_without_value_rejected);
  tcase_add_test(tc, test_gate_unknown_metric_lists_known_keys);
  tcase_add_test(tc, test_gate_unknown_model_rejected);
  tcase_add_test(tc, test_gate_without_check_rejected);
  tcase_add_test(tc, test_gate_unknown_option_rejected);
  tcase_add_test(tc, test_gate_forms_read);
  tcase_add_test(tc, test_gate_bad_forms_rejected);
  tcase_add_test(tc, test_gate_baseline_of_another_metric_rejected);
  tcase_add_test(tc, test_gate_bound_needs_an_interval);
  tcase_add_test(tc, test_baseline_named_like_a_model_rejected);
  suite_add_tcase(s, tc);

  tc = tcase_create("module_helpers");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_rows_jsonl_gives_rows_and_lines);
  tcase_add_test(tc, test_rows_csv_gives_string_fields_and_start_lines);
  tcase_add_test(tc, test_rows_of_dataset_uses_its_delimiter);
  tcase_add_test(tc, test_rows_bad_line_raises_with_data_position);
  tcase_add_test(tc, test_rows_missing_file_raises);
  tcase_add_test(tc, test_read_lines_skips_empty_lines_and_line_ends);
  tcase_add_test(tc, test_path_resolves_against_suite_dir);
  tcase_add_test(tc, test_env_reads_variable_or_nil);
  tcase_add_test(tc, test_json_encode_sorts_keys);
  tcase_add_test(tc, test_json_decode_round_trips);
  tcase_add_test(tc, test_json_decode_invalid_returns_nil_and_message);
  tcase_add_test(tc, test_json_encode_function_raises);
  tcase_add_test(tc, test_sleep_outside_task_raises_clear_error);
  tcase_add_test(tc, test_unknown_plugin_names_it_and_dirs_searched);
  tcase_add_test(tc, test_plugin_loaded_from_search_path_root);
  tcase_add_test(tc, test_plugin_not_returning_constructor_rejected);
  tcase_add_test(tc, test_log_writes_arguments_tab_separated);
  tcase_add_test(tc, test_print_goes_to_log_callback);
  suite_add_tcase(s, tc);

  tc = tcase_create("replay_module");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_replay_file_with_model_filter);
  tcase_add_test(tc, test_replay_recorded_error_replays_as_error);
  tcase_add_test(tc, test_replay_unknown_id_raises);
  tcase_add_test(tc, test_replay_field_gives_sample_field);
  tcase_add_test(tc, test_replay_duplicate_id_rejected_with_position);
  tcase_add_test(tc, test_replay_missing_output_rejected_with_position);
  tcase_add_test(tc, test_replay_bad_file_is_data_error);
  tcase_add_test(tc, test_replay_missing_file_rejected);
  tcase_add_test(tc, test_replay_needs_exactly_one_source);
  tcase_add_test(tc, test_replay_unknown_option_rejected);
  suite_add_tcase(s, tc);

  tc = tcase_create("replay_index");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_replay_open_indexes_every_record);
  tcase_add_test(tc, test_replay_get_unknown_id_is_null);
  tcase_add_test(tc, test_replay_get_returns_whole_record);
  tcase_add_test(tc, test_replay_model_filter_keeps_one_model);
  tcase_add_test(tc, test_replay_custom_id_and_output_fields);
  tcase_add_test(tc, test_replay_bom_and_crlf);
  tcase_add_test(tc, test_replay_duplicate_id_names_line);
  tcase_add_test(tc, test_replay_duplicate_id_for_model_names_model);
  tcase_add_test(tc, test_replay_missing_output_names_line);
  tcase_add_test(tc, test_replay_missing_id_names_line);
  tcase_add_test(tc, test_replay_error_record_needs_no_output);
  tcase_add_test(tc, test_replay_bad_json_names_line);
  tcase_add_test(tc, test_replay_missing_file_is_io_error);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  if(!getenv("YS_SRCDIR") || !getenv("YS_SRCDIR")[0]) {
    fprintf(stderr, "check_suite: YS_SRCDIR is not set: run with "
            "YS_SRCDIR=<source tree> (make check sets it)\n");
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(suite_suite());
  /* Tests work in directories under root, which goes at the end even
   * when a forked test failed before its teardown. */
  snprintf(root, sizeof(root), "%s/ys-check-suite-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if(!mkdtemp(root)) {
    perror("check_suite: mkdtemp");
    return EXIT_FAILURE;
  }
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_rf(root);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
