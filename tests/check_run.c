/* SPDX-License-Identifier: MIT */
/*
 * check_run.c: unit tests for the public run API (yardstick.h): options,
 * opening and executing a run into a temporary directory, the summary's
 * figures, error budgets, gates, the terminal table and the metric list;
 * and for the modules just below it, journal.h (the run directory) and
 * plan.h (the checking pass and --sample). Uses Check and cJSON.
 */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "journal.h"
#include "plan.h"
#include "suite.h"
#include "yardstick.h"

/* Wilson 95% intervals, computed independently of src/stats.c. */
#define WILSON_3_OF_4_LO 0.300641843
#define WILSON_3_OF_4_HI 0.954412739
#define WILSON_4_OF_4_LO 0.510109164
#define WILSON_2_OF_3_LO 0.207659601
#define TOL 1e-6

static const char *srcdir;  /* YS_SRCDIR: the shipped metrics */
static char datadir[512];   /* YS_TESTDATA/unit-run */
static char root[256];      /* removed by main: holds every tmp */
static char tmp[320];       /* this test's directory */
static char run_suite[600]; /* datadir/run.lua */

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
  const char *td = getenv("YS_TESTDATA");
  ck_assert_msg(td && td[0], "YS_TESTDATA is not set: run with "
                "YS_TESTDATA=<source tree>/tests/data (make check sets it)");
  snprintf(datadir, sizeof(datadir), "%s/unit-run", td);
  snprintf(run_suite, sizeof(run_suite), "%s/run.lua", datadir);
  snprintf(tmp, sizeof(tmp), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(tmp));
}

/* tmp/name in a static buffer (one of four, for use in one call). */
static const char *in_tmp(const char *name)
{
  static char bufs[4][700];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, 700, "%s/%s", tmp, name);
  return b;
}

/* The whole file as an owned string, or NULL. */
static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  if(!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *s = malloc(cap);
  size_t n;
  while((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if(cap - len < 2)
      s = realloc(s, cap *= 2);
  }
  fclose(f);
  s[len] = '\0';
  return s;
}

static void spit(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* Writes tmp/name from a printf format where the data directory is
 * given as the first argument by the caller. Returns the path. */
static const char *write_suite(const char *name, const char *fmt, ...)
  YS_PRINTF(2, 3);

static const char *write_suite(const char *name, const char *fmt, ...)
{
  char text[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  const char *path = in_tmp(name);
  spit(path, text);
  return path;
}

/* Names in dir, sorted, joined with ","; "" when empty. */
static char *listing(const char *dir)
{
  static char out[2048];
  char *names[64];
  size_t n = 0;
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "cannot open %s", dir);
  struct dirent *e;
  while((e = readdir(d)) && n < 64)
    if(strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      names[n++] = strdup(e->d_name);
  closedir(d);
  for(size_t i = 1; i < n; i++)
    for(size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  out[0] = '\0';
  for(size_t i = 0; i < n; i++) {
    size_t l = strlen(out);
    snprintf(out + l, sizeof(out) - l, "%s%s", i ? "," : "", names[i]);
    free(names[i]);
  }
  return out;
}

static void opts_for(ys_run_opts *o, const char *out_name)
{
  ys_run_opts_init(o);
  o->search_path = srcdir;
  o->out_dir = out_name ? in_tmp(out_name) : NULL;
}

/* Opens suite (which must succeed) and executes it, expecting want. */
static ys_run *exec_run(const char *suite, const ys_run_opts *o,
                        ys_err want, ys_diag *d)
{
  ys_run *run = NULL;
  ys_err err = ys_run_open(suite, o, &run, d);
  ck_assert_msg(err == YS_OK, "ys_run_open: %d: %s", err, d->msg);
  ck_assert_ptr_nonnull(run);
  err = ys_run_exec(run, d);
  ck_assert_msg(err == want, "ys_run_exec gave %d (%s), expected %d",
                err, d->msg, want);
  return run;
}

static cJSON *summary_of(const ys_run *run)
{
  const char *text = ys_run_summary_json(run);
  ck_assert_ptr_nonnull(text);
  cJSON *doc = cJSON_Parse(text);
  ck_assert_msg(cJSON_IsObject(doc), "summary is not a JSON object");
  return doc;
}

static const cJSON *model_of(const cJSON *summary, const char *model)
{
  const cJSON *ms = cJSON_GetObjectItemCaseSensitive(summary, "models");
  const cJSON *m;
  cJSON_ArrayForEach(m, ms) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "name");
    if(cJSON_IsString(n) && !strcmp(n->valuestring, model))
      return m;
  }
  ck_abort_msg("no model '%s' in the summary", model);
  return NULL;
}

static const cJSON *entry_of(const cJSON *summary, const char *model,
                             const char *key)
{
  const cJSON *m = model_of(summary, model);
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(m, "metrics"), key);
  ck_assert_msg(cJSON_IsObject(e), "no metric '%s' for '%s'", key, model);
  return e;
}

static double num(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  ck_assert_msg(cJSON_IsNumber(v), "'%s' is not a number", k);
  return v->valuedouble;
}

static const char *str(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  ck_assert_msg(cJSON_IsString(v), "'%s' is not a string", k);
  return v->valuestring;
}

static void ci_of(const cJSON *e, double *lo, double *hi)
{
  const cJSON *ci = cJSON_GetObjectItemCaseSensitive(e, "ci95");
  ck_assert_msg(cJSON_GetArraySize(ci) == 2, "no ci95 pair");
  *lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
  *hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
}

/* samples.jsonl of run as "id/model/status" items joined with ",". */
static char *sample_keys(const ys_run *run)
{
  static char out[4096];
  char path[700];
  snprintf(path, sizeof(path), "%s/samples.jsonl", ys_run_dir(run));
  char *text = slurp(path);
  ck_assert_ptr_nonnull(text);
  out[0] = '\0';
  for(char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    cJSON *o = cJSON_Parse(line);
    ck_assert_msg(cJSON_IsObject(o), "bad line: %s", line);
    size_t l = strlen(out);
    snprintf(out + l, sizeof(out) - l, "%s%s/%s/%s", l ? "," : "",
             str(o, "id"), str(o, "model"), str(o, "status"));
    cJSON_Delete(o);
  }
  free(text);
  return out;
}

/* A one-model suite over rows.jsonl whose model fails when the Lua
 * condition cond (on request.id) holds; rate NULL leaves max_error_rate
 * out. */
static const char *flaky_suite(const char *rate, const char *cond)
{
  char field[64] = "";
  if(rate)
    snprintf(field, sizeof(field), "  max_error_rate = %s,\n", rate);
  return write_suite("flaky.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"flaky\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "%s"
    "  models = {\n"
    "    flaky = ys.model {\n"
    "      chat = function(self, request)\n"
    "        if %s then\n"
    "          error(\"backend exploded on \" .. request.id, 0)\n"
    "        end\n"
    "        return request.sample.answer\n"
    "      end,\n"
    "    },\n"
    "  },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "}\n", datadir, field, cond);
}

/* run.lua with gates added. */
static const char *gated_suite(const char *gates)
{
  return write_suite("gated.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"gated\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"Q: {{q}}\",\n"
    "  models = {\n"
    "    zeta = ys.replay { file = \"%s/outputs.jsonl\" },\n"
    "    alpha = ys.replay { field = \"answer\" },\n"
    "  },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "  baselines = { human = { metric = \"exact_match\", value = 0.76 } },\n"
    "  gates = {\n%s  },\n"
    "}\n", datadir, datadir, gates);
}

/* }====== */

/* {====== options and opening ====== */

START_TEST(test_run_opts_init_defaults)
{
  ys_run_opts o;
  memset(&o, 0x5a, sizeof(o));
  ys_run_opts_init(&o);
  ck_assert_int_eq(o.jobs, 8);
  ck_assert_int_eq(o.limit, 0);
  ck_assert_int_eq(o.sample, 0);
  ck_assert_uint_eq(o.seed, 1);
  ck_assert_ptr_null(o.out_dir);
  ck_assert_pstr_eq(o.runs_dir, "runs");
  ck_assert_ptr_null(o.search_path);
  ck_assert_ptr_null(o.command_line);
  ck_assert_ptr_null(o.progress);
  ck_assert_ptr_null(o.log);
  ck_assert_ptr_null(o.ud);
}
END_TEST

static void expect_open_usage(const ys_run_opts *o, const char *want)
{
  ys_run *run = (ys_run *)1;
  ys_diag d;
  ys_err err = ys_run_open(run_suite, o, &run, &d);
  ck_assert_msg(err == YS_ERR_USAGE, "expected YS_ERR_USAGE, got %d: %s",
                err, d.msg);
  ck_assert_ptr_null(run);
  ck_assert_msg(strstr(d.msg, want) != NULL, "message '%s' lacks '%s'",
                d.msg, want);
}

START_TEST(test_run_open_jobs_below_one_is_usage)
{
  ys_run_opts o;
  opts_for(&o, "run");
  o.jobs = 0;
  expect_open_usage(&o, "jobs must be from 1 to 100000, got 0");
  o.jobs = -4;
  expect_open_usage(&o, "got -4");
}
END_TEST

START_TEST(test_run_open_negative_limit_is_usage)
{
  ys_run_opts o;
  opts_for(&o, "run");
  o.limit = -1;
  expect_open_usage(&o, "must not be negative");
}
END_TEST

START_TEST(test_run_open_negative_sample_is_usage)
{
  ys_run_opts o;
  opts_for(&o, "run");
  o.sample = -2;
  expect_open_usage(&o, "must not be negative");
}
END_TEST

START_TEST(test_run_open_bad_suite_is_suite_error)
{
  const char *path = write_suite("bad.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite { name = \"bad\", dataset = ys.jsonl \"%s/rows.jsonl\","
    "\n  prompt = \"{{q}}\", models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" }, colour = \"red\" }\n",
    datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_run *run = (ys_run *)1;
  ys_diag d;
  ck_assert_int_eq(ys_run_open(path, &o, &run, &d), YS_ERR_SUITE);
  ck_assert_ptr_null(run);
  ck_assert_msg(strstr(d.msg, "bad.lua:2: unknown suite field 'colour'"),
                "%s", d.msg);
  ck_assert_int_ne(access(in_tmp("run"), F_OK), 0);
}
END_TEST

START_TEST(test_run_open_checks_every_row_before_any_call)
{
  /* The model would fail the test if it were ever called. */
  const char *path = write_suite("dup.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite { name = \"dup\", dataset = ys.jsonl \"%s/dup.jsonl\","
    "\n  prompt = \"{{q}}\",\n"
    "  models = { m = ys.model { chat = function() error(\"called\") end } "
    "},\n"
    "  metrics = { ys.metric \"exact_match\" } }\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_run *run = (ys_run *)1;
  ys_diag d;
  ck_assert_int_eq(ys_run_open(path, &o, &run, &d), YS_ERR_DATA);
  ck_assert_ptr_null(run);
  char want[700];
  snprintf(want, sizeof(want), "%s/dup.jsonl", datadir);
  ck_assert_str_eq(d.file, want);
  ck_assert_int_eq(d.line, 4);
}
END_TEST

START_TEST(test_run_open_missing_prompt_field_is_data_error)
{
  const char *path = write_suite("field.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite { name = \"f\", dataset = ys.jsonl \"%s/rows.jsonl\","
    "\n  prompt = \"{{q}} {{context}}\",\n"
    "  models = { m = ys.replay { field = \"q\" } },\n"
    "  metrics = { ys.metric \"exact_match\" } }\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_run *run = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_run_open(path, &o, &run, &d), YS_ERR_DATA);
  ck_assert_int_eq(d.line, 1);
  ck_assert_msg(strstr(d.msg, "{{context}}"), "%s", d.msg);
}
END_TEST

START_TEST(test_run_before_exec_has_no_results)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_run *run = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_run_open(run_suite, &o, &run, &d), YS_OK);
  ck_assert_ptr_null(ys_run_dir(run));
  ck_assert_ptr_null(ys_run_summary_json(run));
  ck_assert_ptr_null(ys_run_render_table(run, 0));
  ck_assert_int_eq(ys_run_gates_failed(run), 0);
  ck_assert_int_ne(access(in_tmp("run"), F_OK), 0);
  ys_run_free(run);
}
END_TEST

START_TEST(test_run_free_null_is_noop)
{
  ys_run_free(NULL);
  ck_assert(1);
}
END_TEST

/* }====== */

/* {====== executing ====== */

START_TEST(test_exec_writes_the_three_files)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_str_eq(ys_run_dir(run), in_tmp("run"));
  ck_assert_str_eq(listing(in_tmp("run")),
                   "manifest.json,samples.jsonl,summary.json");
  char *text = slurp(in_tmp("run/summary.json"));
  cJSON *file = cJSON_Parse(text);
  cJSON *mem = summary_of(run);
  ck_assert(cJSON_Compare(file, mem, 1));
  cJSON_Delete(file);
  cJSON_Delete(mem);
  free(text);
  text = slurp(in_tmp("run/manifest.json"));
  cJSON *man = cJSON_Parse(text);
  ck_assert_str_eq(str(man, "status"), "complete");
  ck_assert_str_eq(str(man, "run_id"), "run");
  cJSON_Delete(man);
  free(text);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_one_line_per_sample_and_model_in_dataset_order)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_str_eq(sample_keys(run),
                   "c3/zeta/ok,c3/alpha/ok,a1/zeta/ok,a1/alpha/ok,"
                   "d4/zeta/ok,d4/alpha/ok,b2/zeta/ok,b2/alpha/ok");
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_lines_record_output_and_scores)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  char *text = slurp(in_tmp("run/samples.jsonl"));
  /* Line 5 is d4 for zeta: the recorded wrong answer. */
  char *line = text;
  for(int i = 0; i < 4; i++)
    line = strchr(line, '\n') + 1;
  *strchr(line, '\n') = '\0';
  cJSON *o5 = cJSON_Parse(line);
  ck_assert_str_eq(str(o5, "id"), "d4");
  ck_assert_str_eq(str(o5, "output"), "Lima");
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o5, "scores");
  ck_assert_double_eq(num(sc, "exact_match"), 0);
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(o5, "usage");
  ck_assert_double_eq(num(u, "calls"), 1);
  ck_assert_double_eq(num(u, "input_tokens"), 14);
  ck_assert_double_eq(num(u, "output_tokens"), 1);
  cJSON_Delete(o5);
  free(text);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_dataset_order_when_tasks_finish_out_of_order)
{
  const char *path = write_suite("sleepy.lua",
    "local ys = require \"yardstick\"\n"
    "local delay = { c3 = 60, a1 = 40, d4 = 20, b2 = 0 }\n"
    "return ys.suite {\n"
    "  name = \"sleepy\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "  models = {\n"
    "    slow = ys.model { chat = function(self, request)\n"
    "      ys.sleep(delay[request.id])\n"
    "      return request.sample.answer\n"
    "    end },\n"
    "    fast = ys.replay { field = \"answer\" },\n"
    "  },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "}\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  ck_assert_str_eq(sample_keys(run),
                   "c3/slow/ok,c3/fast/ok,a1/slow/ok,a1/fast/ok,"
                   "d4/slow/ok,d4/fast/ok,b2/slow/ok,b2/fast/ok");
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_summary_has_exact_figures)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  ck_assert_str_eq(str(s, "status"), "complete");
  ck_assert_double_eq(num(s, "samples"), 4);
  double lo, hi;
  const cJSON *z = entry_of(s, "zeta", "exact_match");
  ck_assert_double_eq(num(z, "n"), 4);
  ck_assert_double_eq(num(z, "scored"), 4);
  ck_assert_double_eq(num(z, "errors"), 0);
  ck_assert_double_eq_tol(num(z, "value"), 0.75, 1e-12);
  ci_of(z, &lo, &hi);
  ck_assert_double_eq_tol(lo, WILSON_3_OF_4_LO, TOL);
  ck_assert_double_eq_tol(hi, WILSON_3_OF_4_HI, TOL);
  ck_assert_str_eq(str(z, "interval"), "wilson");
  const cJSON *a = entry_of(s, "alpha", "exact_match");
  ck_assert_double_eq(num(a, "n"), 4);
  ck_assert_double_eq(num(a, "scored"), 4);
  ck_assert_double_eq(num(a, "errors"), 0);
  ck_assert_double_eq_tol(num(a, "value"), 1, 1e-12);
  ci_of(a, &lo, &hi);
  ck_assert_double_eq_tol(lo, WILSON_4_OF_4_LO, TOL);
  ck_assert_double_eq_tol(hi, 1, TOL);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_summary_models_in_suite_order_with_usage)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *ms = cJSON_GetObjectItemCaseSensitive(s, "models");
  ck_assert_int_eq(cJSON_GetArraySize(ms), 2);
  ck_assert_str_eq(str(cJSON_GetArrayItem(ms, 0), "name"), "zeta");
  ck_assert_str_eq(str(cJSON_GetArrayItem(ms, 1), "name"), "alpha");
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(model_of(s, "zeta"),
                                                    "usage");
  ck_assert_double_eq(num(u, "calls"), 4);
  ck_assert_double_eq(num(u, "input_tokens"), 50);
  ck_assert_double_eq(num(u, "output_tokens"), 5);
  ck_assert_double_eq(num(model_of(s, "zeta"), "tasks"), 4);
  ck_assert_double_eq(num(model_of(s, "alpha"), "errors"), 0);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_twice_is_usage)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  char *before = slurp(in_tmp("run/samples.jsonl"));
  ck_assert_int_eq(ys_run_exec(run, &d), YS_ERR_USAGE);
  ck_assert_msg(strstr(d.msg, "already executed"), "%s", d.msg);
  char *after = slurp(in_tmp("run/samples.jsonl"));
  ck_assert_str_eq(after, before);
  ck_assert_ptr_nonnull(ys_run_summary_json(run));
  free(before);
  free(after);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_nonempty_out_dir_is_usage_and_untouched)
{
  const char *dir = in_tmp("taken");
  ck_assert_int_eq(mkdir(dir, 0777), 0);
  spit(in_tmp("taken/keep.txt"), "precious\n");
  ys_run_opts o;
  opts_for(&o, "taken");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_ERR_USAGE, &d);
  ck_assert_msg(strstr(d.msg, "already exists and is not empty"), "%s",
                d.msg);
  ck_assert_str_eq(listing(dir), "keep.txt");
  char *text = slurp(in_tmp("taken/keep.txt"));
  ck_assert_str_eq(text, "precious\n");
  free(text);
  ck_assert_ptr_null(ys_run_summary_json(run));
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_empty_out_dir_is_used)
{
  ck_assert_int_eq(mkdir(in_tmp("empty"), 0777), 0);
  ys_run_opts o;
  opts_for(&o, "empty");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_str_eq(listing(in_tmp("empty")),
                   "manifest.json,samples.jsonl,summary.json");
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_without_out_dir_makes_one_under_runs_dir)
{
  ys_run_opts o;
  opts_for(&o, NULL);
  o.runs_dir = in_tmp("runs/nested");
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  const char *dir = ys_run_dir(run);
  char prefix[700];
  snprintf(prefix, sizeof(prefix), "%s/unit-run-", in_tmp("runs/nested"));
  ck_assert_msg(!strncmp(dir, prefix, strlen(prefix)), "%s", dir);
  /* <suite>-YYYYMMDDTHHMMSSZ-<6 hex> */
  const char *rest = dir + strlen(prefix);
  ck_assert_uint_eq(strlen(rest), 16 + 1 + 6);
  ck_assert_int_eq(rest[8], 'T');
  ck_assert_int_eq(rest[15], 'Z');
  ck_assert_uint_eq(strspn(rest + 17, "0123456789abcdef"), 6);
  cJSON *s = summary_of(run);
  ck_assert_str_eq(str(s, "run_id"), strrchr(dir, '/') + 1);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_limit_takes_first_rows)
{
  ys_run_opts o;
  opts_for(&o, "run");
  o.limit = 3;
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_str_eq(sample_keys(run),
                   "c3/zeta/ok,c3/alpha/ok,a1/zeta/ok,a1/alpha/ok,"
                   "d4/zeta/ok,d4/alpha/ok");
  cJSON *s = summary_of(run);
  ck_assert_double_eq(num(s, "samples"), 3);
  const cJSON *z = entry_of(s, "zeta", "exact_match");
  ck_assert_double_eq(num(z, "n"), 3);
  ck_assert_double_eq_tol(num(z, "value"), 2.0 / 3, 1e-9);
  double lo, hi;
  ci_of(z, &lo, &hi);
  ck_assert_double_eq_tol(lo, WILSON_2_OF_3_LO, TOL);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

/* Ids in samples.jsonl for the first model, joined with ",". */
static char *ids_of(const ys_run *run, const char *model)
{
  static char out[512];
  char *keys = sample_keys(run);
  out[0] = '\0';
  for(char *k = strtok(keys, ","); k; k = strtok(NULL, ",")) {
    char id[64], m[64];
    ck_assert_int_eq(sscanf(k, "%63[^/]/%63[^/]", id, m), 2);
    if(strcmp(m, model))
      continue;
    size_t l = strlen(out);
    snprintf(out + l, sizeof(out) - l, "%s%s", l ? "," : "", id);
  }
  return out;
}

START_TEST(test_exec_sample_takes_seeded_subset_in_dataset_order)
{
  static const char *order[] = { "c3", "a1", "d4", "b2" };
  ys_run_opts o;
  opts_for(&o, "run1");
  o.sample = 2;
  o.seed = 42;
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  char first[512];
  snprintf(first, sizeof(first), "%s", ids_of(run, "zeta"));
  ck_assert_str_eq(ids_of(run, "alpha"), first);
  cJSON *s = summary_of(run);
  ck_assert_double_eq(num(s, "samples"), 2);
  cJSON_Delete(s);
  ys_run_free(run);
  /* Two ids, in the dataset's order. */
  char a[8], b[8];
  ck_assert_int_eq(sscanf(first, "%7[^,],%7s", a, b), 2);
  int ia = -1, ib = -1;
  for(int i = 0; i < 4; i++) {
    if(!strcmp(order[i], a))
      ia = i;
    if(!strcmp(order[i], b))
      ib = i;
  }
  ck_assert_int_ge(ia, 0);
  ck_assert_int_gt(ib, ia);
  /* The same seed picks the same subset. */
  o.out_dir = in_tmp("run2");
  run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_str_eq(ids_of(run, "zeta"), first);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_cost_from_price_and_tokens)
{
  const char *path = write_suite("priced.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"priced\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "  models = {\n"
    "    paid = ys.model {\n"
    "      price = { input = 2, output = 10 },\n"
    "      chat = function(self, request)\n"
    "        return { text = request.sample.answer, input_tokens = 1000,\n"
    "                 output_tokens = 100 }\n"
    "      end,\n"
    "    },\n"
    "  },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "}\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(model_of(s, "paid"),
                                                    "usage");
  ck_assert_double_eq(num(u, "input_tokens"), 4000);
  ck_assert_double_eq(num(u, "output_tokens"), 400);
  /* (1000 * 2 + 100 * 10) / 1e6 per task, four tasks. */
  ck_assert_double_eq_tol(num(u, "cost"), 0.012, 1e-12);
  cJSON_Delete(s);
  char *text = slurp(in_tmp("run/samples.jsonl"));
  *strchr(text, '\n') = '\0';
  cJSON *line = cJSON_Parse(text);
  ck_assert_double_eq_tol(num(line, "cost"), 0.003, 1e-12);
  cJSON_Delete(line);
  free(text);
  ys_run_free(run);
}
END_TEST

START_TEST(test_exec_model_concurrency_limits_tasks_in_flight)
{
  /* Each call reports how many calls of its model were in flight. */
  const char *path = write_suite("conc.lua",
    "local ys = require \"yardstick\"\n"
    "local function counting(limit)\n"
    "  local now = 0\n"
    "  return ys.model {\n"
    "    concurrency = limit,\n"
    "    chat = function(self, request)\n"
    "      now = now + 1\n"
    "      local seen = now\n"
    "      ys.sleep(20)\n"
    "      now = now - 1\n"
    "      return tostring(seen)\n"
    "    end,\n"
    "  }\n"
    "end\n"
    "return ys.suite {\n"
    "  name = \"conc\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "  models = { two = counting(2), free = counting(nil) },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"answer\" } },\n"
    "}\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  char *text = slurp(in_tmp("run/samples.jsonl"));
  int max_two = 0, max_free = 0;
  for(char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
    cJSON *line = cJSON_Parse(l);
    int seen = atoi(str(line, "output"));
    int *max = !strcmp(str(line, "model"), "two") ? &max_two : &max_free;
    if(seen > *max)
      *max = seen;
    cJSON_Delete(line);
  }
  free(text);
  ck_assert_int_eq(max_two, 2);
  ck_assert_int_eq(max_free, 4);
  ys_run_free(run);
}
END_TEST

typedef struct progress_log {
  long calls;
  ys_progress last;
  int went_back;
} progress_log;

static void on_progress(void *ud, const ys_progress *p)
{
  progress_log *pl = ud;
  if(pl->calls && p->tasks_done < pl->last.tasks_done)
    pl->went_back = 1;
  pl->calls++;
  pl->last = *p;
}

START_TEST(test_exec_progress_final_call_reports_all_done)
{
  progress_log pl;
  memset(&pl, 0, sizeof(pl));
  ys_run_opts o;
  opts_for(&o, "run");
  o.progress = on_progress;
  o.ud = &pl;
  ys_diag d;
  ys_run *run = exec_run(run_suite, &o, YS_OK, &d);
  ck_assert_int_ge(pl.calls, 1);
  ck_assert_int_eq(pl.last.tasks_total, 8);
  ck_assert_int_eq(pl.last.tasks_done, pl.last.tasks_total);
  ck_assert_int_eq(pl.last.tasks_failed, 0);
  ck_assert_int_eq(pl.last.in_flight, 0);
  ck_assert(pl.last.elapsed_s >= 0);
  ck_assert(!pl.went_back);
  ys_run_free(run);
}
END_TEST

/* }====== */

/* {====== intervals and aggregates ====== */

static void lengths_ci(const char *out, uint64_t seed, double *lo,
                       double *hi)
{
  char suite[700];
  snprintf(suite, sizeof(suite), "%s/lengths.lua", datadir);
  ys_run_opts o;
  opts_for(&o, out);
  o.seed = seed;
  ys_diag d;
  ys_run *run = exec_run(suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *e = entry_of(s, "echo", "length");
  ck_assert_str_eq(str(e, "interval"), "bootstrap");
  ci_of(e, lo, hi);
  cJSON_Delete(s);
  ys_run_free(run);
}

START_TEST(test_continuous_metric_gets_bootstrap_interval)
{
  char suite[700];
  snprintf(suite, sizeof(suite), "%s/lengths.lua", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *e = entry_of(s, "echo", "length");
  ck_assert_double_eq(num(e, "n"), 12);
  ck_assert_double_eq(num(e, "scored"), 12);
  ck_assert_str_eq(str(e, "aggregate"), "mean");
  ck_assert_double_eq_tol(num(e, "value"), 14.5, 1e-9);
  ck_assert_str_eq(str(e, "interval"), "bootstrap");
  double lo, hi;
  ci_of(e, &lo, &hi);
  ck_assert_msg(lo < 14.5 && 14.5 < hi, "[%g, %g]", lo, hi);
  ck_assert_msg(lo > 1 && hi < 40, "[%g, %g]", lo, hi);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_bootstrap_same_seed_same_interval)
{
  double lo1, hi1, lo2, hi2;
  lengths_ci("a", 7, &lo1, &hi1);
  lengths_ci("b", 7, &lo2, &hi2);
  ck_assert(lo1 == lo2);
  ck_assert(hi1 == hi2);
}
END_TEST

START_TEST(test_bootstrap_other_seed_changes_interval)
{
  double lo1, hi1, lo2, hi2;
  lengths_ci("a", 7, &lo1, &hi1);
  lengths_ci("b", 8, &lo2, &hi2);
  ck_assert_msg(lo1 != lo2 || hi1 != hi2, "seeds 7 and 8 both gave "
                "[%g, %g]", lo1, hi1);
}
END_TEST

START_TEST(test_custom_aggregate_is_used)
{
  char suite[700];
  snprintf(suite, sizeof(suite), "%s/lengths.lua", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *e = entry_of(s, "echo", "longest");
  ck_assert_str_eq(str(e, "aggregate"), "custom");
  ck_assert_double_eq_tol(num(e, "value"), 40, 1e-9);
  ck_assert_double_eq_tol(num(e, "mean"), 14.5, 1e-9);
  ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e,
                                                      "aggregate_error"));
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

/* Scores keep full precision: a constant continuous score has an
 * interval that is exactly that score, and a custom aggregate sees it. */
START_TEST(test_constant_score_interval_is_exact)
{
  spit(in_tmp("const.lua"),
       "return { name = 'const',\n"
       "  score = function() return 0.135 end }\n");
  spit(in_tmp("top.lua"),
       "return { name = 'top',\n"
       "  aggregate = function(v) return v[1] * 1000 end,\n"
       "  score = function() return 0.135 end }\n");
  const char *suite = write_suite("const-suite.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"const\",\n"
    "  dataset = ys.jsonl \"%s/lengths.jsonl\",\n"
    "  prompt = \"{{text}}\",\n"
    "  models = { echo = ys.replay { field = \"text\" } },\n"
    "  metrics = { ys.metric \"const.lua\", ys.metric \"top.lua\" },\n"
    "}\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(suite, &o, YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *e = entry_of(s, "echo", "const");
  double lo, hi;
  ci_of(e, &lo, &hi);
  ck_assert_double_eq(lo, 0.135);
  ck_assert_double_eq(hi, 0.135);
  ck_assert_double_eq(num(e, "value"), 0.135);
  ck_assert_double_eq(num(entry_of(s, "echo", "top"), "value"), 135);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

/* A judge's backend sees the judged sample and its id, as the model's own
 * calls do: a judge written in Lua can answer from them. */
START_TEST(test_judge_request_carries_the_sample)
{
  const char *suite = write_suite("judged.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"judged\",\n"
    "  dataset = ys.jsonl \"%s/rows.jsonl\",\n"
    "  prompt = \"{{q}}\",\n"
    "  models = { echo = ys.replay { field = \"answer\" } },\n"
    "  helpers = {\n"
    "    judge = ys.model {\n"
    "      chat = function(self, request)\n"
    "        local ok = request.id == \"c3\" and\n"
    "                   request.sample.answer == \"Paris\"\n"
    "        return ok and \"Score: 5\" or \"Score: 1\"\n"
    "      end,\n"
    "    },\n"
    "  },\n"
    "  metrics = { ys.metric \"llm_judge\" { judge = \"judge\",\n"
    "    properties = { right = \"the answer is right\" } } },\n"
    "}\n", datadir);
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(suite, &o, YS_OK, &d);
  char path[700];
  snprintf(path, sizeof(path), "%s/samples.jsonl", ys_run_dir(run));
  char *text = slurp(path);
  ck_assert_ptr_nonnull(text);
  int seen = 0;
  for(char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    cJSON *l = cJSON_Parse(line);
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(l, "scores");
    double want = strcmp(str(l, "id"), "c3") ? 1 : 5;
    ck_assert_double_eq(num(sc, "llm_judge.right"), want);
    seen++;
    cJSON_Delete(l);
  }
  ck_assert_int_gt(seen, 1);
  free(text);
  ys_run_free(run);
}
END_TEST

/* }====== */

/* {====== failing tasks ====== */

START_TEST(test_errors_within_max_error_rate_complete)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(flaky_suite("0.25", "request.id == \"a1\""), &o,
                         YS_OK, &d);
  cJSON *s = summary_of(run);
  ck_assert_str_eq(str(s, "status"), "complete");
  ck_assert_double_eq(num(model_of(s, "flaky"), "errors"), 1);
  cJSON_Delete(s);
  ck_assert_str_eq(sample_keys(run), "c3/flaky/ok,a1/flaky/error,"
                   "d4/flaky/ok,b2/flaky/ok");
  ys_run_free(run);
}
END_TEST

START_TEST(test_errored_sample_counts_as_failure_for_binary_metric)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(flaky_suite("0.25", "request.id == \"a1\""), &o,
                         YS_OK, &d);
  cJSON *s = summary_of(run);
  const cJSON *e = entry_of(s, "flaky", "exact_match");
  ck_assert_double_eq(num(e, "n"), 4);
  ck_assert_double_eq(num(e, "scored"), 3);
  ck_assert_double_eq(num(e, "errors"), 1);
  ck_assert_double_eq_tol(num(e, "value"), 0.75, 1e-12);
  double lo, hi;
  ci_of(e, &lo, &hi);
  ck_assert_double_eq_tol(lo, WILSON_3_OF_4_LO, TOL);
  ck_assert_double_eq_tol(hi, WILSON_3_OF_4_HI, TOL);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_errors_by_default_make_run_incomplete)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(flaky_suite(NULL, "request.id == \"b2\""), &o,
                         YS_ERR_INCOMPLETE, &d);
  ck_assert_msg(strstr(d.msg, "1 of 4 tasks failed"), "%s", d.msg);
  cJSON *s = summary_of(run);
  ck_assert_str_eq(str(s, "status"), "incomplete");
  ck_assert_double_eq(num(s, "max_error_rate"), 0);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_errors_over_max_error_rate_incomplete_with_summary)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(flaky_suite("0.2", "request.id == \"a1\""), &o,
                         YS_ERR_INCOMPLETE, &d);
  ck_assert_msg(strstr(d.msg, "1 of 4 tasks failed, more than "
                       "max_error_rate = 0.2 allows"), "%s", d.msg);
  char *text = slurp(in_tmp("run/summary.json"));
  ck_assert_msg(text != NULL, "summary.json was not written");
  cJSON *s = cJSON_Parse(text);
  ck_assert_str_eq(str(s, "status"), "incomplete");
  cJSON_Delete(s);
  free(text);
  text = slurp(in_tmp("run/manifest.json"));
  s = cJSON_Parse(text);
  ck_assert_str_eq(str(s, "status"), "incomplete");
  cJSON_Delete(s);
  free(text);
  /* The failed sample is recorded with its error, never dropped. */
  text = slurp(in_tmp("run/samples.jsonl"));
  ck_assert_ptr_nonnull(strstr(text, "backend exploded on a1"));
  free(text);
  ys_run_free(run);
}
END_TEST

START_TEST(test_all_tasks_failing_is_incomplete)
{
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(flaky_suite("1", "true"), &o, YS_ERR_INCOMPLETE,
                         &d);
  ck_assert_msg(strstr(d.msg, "no sample was scored (4 of 4 tasks "
                       "had errors)"), "%s", d.msg);
  cJSON *s = summary_of(run);
  ck_assert_str_eq(str(s, "status"), "incomplete");
  ck_assert_double_eq(num(entry_of(s, "flaky", "exact_match"), "scored"),
                      0);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

/* }====== */

/* {====== gates ====== */

START_TEST(test_gates_failed_counts_min_and_max)
{
  const char *path = gated_suite(
    "    { model = \"zeta\", metric = \"exact_match\", min = 0.8 },\n"
    "    { model = \"alpha\", metric = \"exact_match\", min = 1 },\n"
    "    { model = \"zeta\", metric = \"exact_match\", max = 0.5 },\n"
    "    { model = \"alpha\", metric = \"exact_match\", max = 1 },\n"
    "    { model = \"zeta\", metric = \"exact_match\", min = 0.7, max = 0.8 "
    "},\n");
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  ck_assert_int_eq(ys_run_gates_failed(run), 2);
  cJSON *s = summary_of(run);
  ck_assert_double_eq(num(s, "gates_failed"), 2);
  const cJSON *gs = cJSON_GetObjectItemCaseSensitive(s, "gates");
  ck_assert_int_eq(cJSON_GetArraySize(gs), 5);
  static const int pass[] = { 0, 1, 0, 1, 1 };
  for(int i = 0; i < 5; i++) {
    const cJSON *g = cJSON_GetArrayItem(gs, i);
    ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass"))
                  == pass[i], "gate %d", i + 1);
  }
  ck_assert_double_eq_tol(num(cJSON_GetArrayItem(gs, 0), "value"), 0.75,
                          1e-12);
  cJSON_Delete(s);
  ys_run_free(run);
}
END_TEST

START_TEST(test_gates_all_passing_count_zero)
{
  const char *path = gated_suite(
    "    { model = \"zeta\", metric = \"exact_match\", min = 0.75 },\n"
    "    { model = \"alpha\", metric = \"exact_match\", max = 1 },\n");
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  ck_assert_int_eq(ys_run_gates_failed(run), 0);
  ys_run_free(run);
}
END_TEST

/* }====== */

/* {====== the terminal table ====== */

START_TEST(test_table_without_color_has_no_escapes)
{
  const char *path = gated_suite(
    "    { model = \"zeta\", metric = \"exact_match\", min = 0.8 },\n");
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  char *t = ys_run_render_table(run, 0);
  ck_assert_ptr_nonnull(t);
  ck_assert_ptr_null(strchr(t, '\033'));
  ck_assert_ptr_nonnull(strstr(t, "zeta"));
  ck_assert_ptr_nonnull(strstr(t, "alpha"));
  ck_assert_ptr_nonnull(strstr(t, "0.750"));
  ck_assert_ptr_nonnull(strstr(t, "human (baseline)"));
  ck_assert_ptr_nonnull(strstr(t, "gate FAIL"));
  free(t);
  ys_run_free(run);
}
END_TEST

START_TEST(test_table_with_color_has_escapes)
{
  const char *path = gated_suite(
    "    { model = \"zeta\", metric = \"exact_match\", min = 0.8 },\n");
  ys_run_opts o;
  opts_for(&o, "run");
  ys_diag d;
  ys_run *run = exec_run(path, &o, YS_OK, &d);
  char *t = ys_run_render_table(run, 1);
  ck_assert_ptr_nonnull(t);
  ck_assert_ptr_nonnull(strstr(t, "\033["));
  ck_assert_ptr_nonnull(strstr(t, "\033[31mFAIL"));
  ck_assert_ptr_nonnull(strstr(t, "zeta"));
  free(t);
  ys_run_free(run);
}
END_TEST

/* }====== */

/* {====== the metric list ====== */

static const cJSON *find_named(const cJSON *arr, const char *name)
{
  const cJSON *o;
  cJSON_ArrayForEach(o, arr) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
    if(cJSON_IsString(n) && !strcmp(n->valuestring, name))
      return o;
  }
  return NULL;
}

START_TEST(test_metrics_list_json_has_shipped_metrics_and_params)
{
  ys_diag d;
  char *text = ys_metrics_list(srcdir, 1, &d);
  ck_assert_ptr_nonnull(text);
  cJSON *all = cJSON_Parse(text);
  ck_assert(cJSON_IsArray(all));
  const cJSON *em = find_named(all, "exact_match");
  ck_assert_msg(em != NULL, "exact_match not listed: %s", text);
  ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(em, "error"));
  ck_assert_str_eq(str(em, "kind"), "binary");
  char file[700];
  snprintf(file, sizeof(file), "%s/metrics/exact_match.lua", srcdir);
  ck_assert_str_eq(str(em, "file"), file);
  const cJSON *ps = cJSON_GetObjectItemCaseSensitive(em, "params");
  const cJSON *exp = find_named(ps, "expected");
  ck_assert_ptr_nonnull(exp);
  ck_assert_str_eq(str(exp, "type"), "string");
  ck_assert_str_eq(str(exp, "default"), "expected");
  ck_assert_ptr_nonnull(find_named(ps, "ignore_case"));
  const cJSON *td = find_named(all, "taxonomy_depth");
  ck_assert_msg(td != NULL, "taxonomy_depth not listed");
  const cJSON *lv = find_named(cJSON_GetObjectItemCaseSensitive(td,
                                                               "params"),
                               "levels");
  ck_assert_ptr_nonnull(lv);
  ck_assert_str_eq(str(lv, "type"), "integer");
  ck_assert_double_eq(num(lv, "default"), 3);
  cJSON_Delete(all);
  free(text);
}
END_TEST

START_TEST(test_metrics_list_text_names_metrics)
{
  ys_diag d;
  char *text = ys_metrics_list(srcdir, 0, &d);
  ck_assert_ptr_nonnull(text);
  char want[700];
  snprintf(want, sizeof(want), "exact_match  (%s/metrics/exact_match.lua)",
           srcdir);
  ck_assert_msg(strstr(text, want), "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "taxonomy_depth  ("));
  ck_assert_ptr_nonnull(strstr(text, "levels"));
  free(text);
}
END_TEST

/* }====== */

/* {====== journal ====== */

START_TEST(test_journal_creates_missing_parents)
{
  const char *dir = in_tmp("a/b/c");
  ys_journal *j = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_journal_create(dir, NULL, "s", &j, &d), YS_OK);
  ck_assert_str_eq(ys_journal_dir(j), dir);
  struct stat st;
  ck_assert_int_eq(stat(dir, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  ck_assert_int_eq(ys_journal_close(j, &d), YS_OK);
  ys_journal_free(j);
}
END_TEST

START_TEST(test_journal_run_id_is_last_component)
{
  ys_journal *j = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_journal_create(in_tmp("x/my-run"), NULL, "s", &j,
                                     &d), YS_OK);
  ck_assert_str_eq(ys_journal_run_id(j), "my-run");
  ys_journal_free(j);
}
END_TEST

START_TEST(test_journal_run_id_ignores_trailing_slash)
{
  /* `--output runs/my-run/`, as shell completion writes it. */
  ys_journal *j = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_journal_create(in_tmp("x/my-run/"), NULL, "s", &j,
                                     &d), YS_OK);
  char id[700];
  snprintf(id, sizeof(id), "%s", ys_journal_run_id(j));
  ys_journal_free(j);
  ck_assert_str_eq(id, "my-run");
}
END_TEST

START_TEST(test_journal_generated_name_under_parent)
{
  ys_journal *j = NULL;
  ys_diag d;
  const char *parent = in_tmp("p/q");
  ck_assert_int_eq(ys_journal_create(NULL, parent, "suite-x", &j, &d),
                   YS_OK);
  char prefix[700];
  snprintf(prefix, sizeof(prefix), "%s/suite-x-", parent);
  ck_assert(!strncmp(ys_journal_dir(j), prefix, strlen(prefix)));
  ck_assert(!strncmp(ys_journal_run_id(j), "suite-x-", 8));
  ck_assert_str_eq(ys_journal_run_id(j), strrchr(ys_journal_dir(j), '/')
                   + 1);
  ys_journal_free(j);
}
END_TEST

START_TEST(test_journal_refuses_nonempty_dir)
{
  ck_assert_int_eq(mkdir(in_tmp("full"), 0777), 0);
  spit(in_tmp("full/x"), "x");
  ys_journal *j = (ys_journal *)1;
  ys_diag d;
  ck_assert_int_eq(ys_journal_create(in_tmp("full"), NULL, "s", &j, &d),
                   YS_ERR_USAGE);
  ck_assert_ptr_null(j);
  ck_assert_str_eq(d.file, in_tmp("full"));
  ck_assert_str_eq(listing(in_tmp("full")), "x");
}
END_TEST

START_TEST(test_journal_write_json_leaves_no_temp_file)
{
  ys_journal *j = NULL;
  ys_diag d;
  const char *dir = in_tmp("w");
  ck_assert_int_eq(ys_journal_create(dir, NULL, "s", &j, &d), YS_OK);
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddNumberToObject(doc, "n", 1);
  ck_assert_int_eq(ys_journal_write_json(j, "summary.json", doc, &d), YS_OK);
  cJSON_ReplaceItemInObject(doc, "n", cJSON_CreateNumber(2));
  ck_assert_int_eq(ys_journal_write_json(j, "summary.json", doc, &d), YS_OK);
  cJSON_Delete(doc);
  ck_assert_str_eq(listing(dir), "samples.jsonl,summary.json");
  char *text = slurp(in_tmp("w/summary.json"));
  cJSON *back = cJSON_Parse(text);
  ck_assert_double_eq(num(back, "n"), 2);
  ck_assert_int_eq(text[strlen(text) - 1], '\n');
  cJSON_Delete(back);
  free(text);
  ck_assert_int_eq(ys_journal_close(j, &d), YS_OK);
  ys_journal_free(j);
}
END_TEST

START_TEST(test_journal_append_writes_lines_by_close)
{
  ys_journal *j = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_journal_create(in_tmp("l"), NULL, "s", &j, &d),
                   YS_OK);
  ck_assert_int_eq(ys_journal_append(j, "{\"a\":1}", 7, &d), YS_OK);
  ck_assert_int_eq(ys_journal_append(j, "{\"b\":2}XX", 7, &d), YS_OK);
  ck_assert_int_eq(ys_journal_close(j, &d), YS_OK);
  ck_assert_int_eq(ys_journal_close(j, &d), YS_OK);
  char *text = slurp(in_tmp("l/samples.jsonl"));
  ck_assert_str_eq(text, "{\"a\":1}\n{\"b\":2}\n");
  free(text);
  ys_journal_free(j);
}
END_TEST

/* }====== */

/* {====== plan ====== */

static ys_suite *plan_suite(const char *dataset)
{
  const char *path = write_suite("plan.lua",
    "local ys = require \"yardstick\"\n"
    "return ys.suite { name = \"plan\", dataset = ys.jsonl \"%s/%s\",\n"
    "  prompt = \"{{q}}\", models = { m = ys.replay { field = \"answer\" } "
    "},\n"
    "  metrics = { ys.metric \"exact_match\" } }\n", datadir, dataset);
  ys_suite_opts so = { srcdir, NULL, NULL };
  ys_suite *s = NULL;
  ys_diag d;
  ck_assert_msg(ys_suite_load(path, &so, &s, &d) == YS_OK, "%s", d.msg);
  return s;
}

/* The ids plan selects from dataset, sorted, joined with ",". */
static char *selected_ids(const ys_suite *s, const ys_plan *plan)
{
  static char out[1024];
  char *ids[64];
  size_t n = 0;
  ys_dataset *ds = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_dataset_open(s->dataset_path, &s->dataset_opts, &ds,
                                   &d), YS_OK);
  for(long index = 0;; index++) {
    cJSON *row = NULL;
    long line = 0;
    ck_assert_int_eq(ys_dataset_next(ds, &row, &line, &d), YS_OK);
    if(!row)
      break;
    char id[YS_MAX_ID + 1];
    ck_assert_int_eq(ys_plan_row_id(s, row, s->dataset_path, line, id, &d),
                     YS_OK);
    if(ys_plan_selects(plan, index, id) && n < 64)
      ids[n++] = strdup(id);
    cJSON_Delete(row);
  }
  ys_dataset_free(ds);
  for(size_t i = 1; i < n; i++)
    for(size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
      char *t = ids[j];
      ids[j] = ids[j - 1];
      ids[j - 1] = t;
    }
  out[0] = '\0';
  for(size_t i = 0; i < n; i++) {
    size_t l = strlen(out);
    snprintf(out + l, sizeof(out) - l, "%s%s", i ? "," : "", ids[i]);
    free(ids[i]);
  }
  return out;
}

/* ys_plan_make with limit, sample and seed only. */
static ys_err plan_make(const ys_suite *s, long limit, long sample,
                        uint64_t seed, ys_plan *plan, ys_diag *d)
{
  ys_plan_opts o = { limit, sample, seed, 0, 0, NULL, 0 };
  return ys_plan_make(s, &o, plan, d);
}

START_TEST(test_plan_duplicate_id_names_both_lines)
{
  ys_suite *s = plan_suite("dup.jsonl");
  ys_plan plan;
  ys_diag d;
  ck_assert_int_eq(plan_make(s, 0, 0, 1, &plan, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.file, s->dataset_path);
  ck_assert_int_eq(d.line, 4);
  ck_assert_str_eq(d.msg, "duplicate id 'x2' (first on line 2)");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_counts_rows_and_hashes)
{
  ys_suite *s = plan_suite("fwd.jsonl");
  ys_plan plan;
  ys_diag d;
  ck_assert_int_eq(plan_make(s, 0, 0, 1, &plan, &d), YS_OK);
  ck_assert_int_eq(plan.rows_read, 10);
  ck_assert_int_eq(plan.rows_selected, 10);
  ck_assert_ptr_null(plan.selected);
  ck_assert_uint_eq(strlen(plan.sha256), 64);
  ys_plan_cleanup(&plan);
  ck_assert_int_eq(plan_make(s, 4, 0, 1, &plan, &d), YS_OK);
  ck_assert_int_eq(plan.rows_selected, 4);
  ck_assert_str_eq(selected_ids(s, &plan), "k01,k02,k03,k04");
  ys_plan_cleanup(&plan);
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_sample_independent_of_row_order)
{
  ys_suite *fwd = plan_suite("fwd.jsonl");
  ys_suite *rev = plan_suite("rev.jsonl");
  for(uint64_t seed = 1; seed <= 5; seed++) {
    ys_plan pf, pr;
    ys_diag d;
    ck_assert_int_eq(plan_make(fwd, 0, 3, seed, &pf, &d), YS_OK);
    ck_assert_int_eq(plan_make(rev, 0, 3, seed, &pr, &d), YS_OK);
    ck_assert_int_eq(pf.rows_selected, 3);
    ck_assert_int_eq(pr.rows_selected, 3);
    char a[1024];
    snprintf(a, sizeof(a), "%s", selected_ids(fwd, &pf));
    ck_assert_uint_eq(strlen(a), 3 * 3 + 2);
    ck_assert_str_eq(selected_ids(rev, &pr), a);
    ys_plan_cleanup(&pf);
    ys_plan_cleanup(&pr);
  }
  ys_suite_free(fwd);
  ys_suite_free(rev);
}
END_TEST

START_TEST(test_plan_sample_grows_stably_with_n)
{
  /* The ids picked for N are among those picked for N + 1. */
  ys_suite *s = plan_suite("fwd.jsonl");
  char prev[1024] = "";
  for(long n = 1; n <= 10; n++) {
    ys_plan plan;
    ys_diag d;
    ck_assert_int_eq(plan_make(s, 0, n, 11, &plan, &d), YS_OK);
    char cur[1024];
    snprintf(cur, sizeof(cur), "%s", selected_ids(s, &plan));
    ys_plan_cleanup(&plan);
    ck_assert_uint_eq(strlen(cur), (size_t)(n * 3 + n - 1));
    for(char *id = strtok(prev, ","); id; id = strtok(NULL, ","))
      ck_assert_msg(strstr(cur, id), "%s picked for %ld, not for %ld", id,
                    n - 1, n);
    snprintf(prev, sizeof(prev), "%s", cur);
  }
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_sample_above_row_count_takes_all)
{
  ys_suite *s = plan_suite("fwd.jsonl");
  ys_plan plan;
  ys_diag d;
  ck_assert_int_eq(plan_make(s, 0, 50, 3, &plan, &d), YS_OK);
  ck_assert_int_eq(plan.rows_selected, 10);
  ck_assert_str_eq(selected_ids(s, &plan),
                   "k01,k02,k03,k04,k05,k06,k07,k08,k09,k10");
  ys_plan_cleanup(&plan);
  ys_suite_free(s);
}
END_TEST

/* }====== */

static Suite *make_suite(void)
{
  Suite *s = suite_create("run");
  TCase *tc = tcase_create("open");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_run_opts_init_defaults);
  tcase_add_test(tc, test_run_open_jobs_below_one_is_usage);
  tcase_add_test(tc, test_run_open_negative_limit_is_usage);
  tcase_add_test(tc, test_run_open_negative_sample_is_usage);
  tcase_add_test(tc, test_run_open_bad_suite_is_suite_error);
  tcase_add_test(tc, test_run_open_checks_every_row_before_any_call);
  tcase_add_test(tc, test_run_open_missing_prompt_field_is_data_error);
  tcase_add_test(tc, test_run_before_exec_has_no_results);
  tcase_add_test(tc, test_run_free_null_is_noop);
  suite_add_tcase(s, tc);

  tc = tcase_create("exec");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_exec_writes_the_three_files);
  tcase_add_test(tc, test_exec_one_line_per_sample_and_model_in_dataset_order);
  tcase_add_test(tc, test_exec_lines_record_output_and_scores);
  tcase_add_test(tc, test_exec_dataset_order_when_tasks_finish_out_of_order);
  tcase_add_test(tc, test_exec_summary_has_exact_figures);
  tcase_add_test(tc, test_exec_summary_models_in_suite_order_with_usage);
  tcase_add_test(tc, test_exec_twice_is_usage);
  tcase_add_test(tc, test_exec_nonempty_out_dir_is_usage_and_untouched);
  tcase_add_test(tc, test_exec_empty_out_dir_is_used);
  tcase_add_test(tc, test_exec_without_out_dir_makes_one_under_runs_dir);
  tcase_add_test(tc, test_exec_limit_takes_first_rows);
  tcase_add_test(tc, test_exec_sample_takes_seeded_subset_in_dataset_order);
  tcase_add_test(tc, test_exec_progress_final_call_reports_all_done);
  tcase_add_test(tc, test_exec_cost_from_price_and_tokens);
  tcase_add_test(tc, test_exec_model_concurrency_limits_tasks_in_flight);
  suite_add_tcase(s, tc);

  tc = tcase_create("intervals");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_continuous_metric_gets_bootstrap_interval);
  tcase_add_test(tc, test_bootstrap_same_seed_same_interval);
  tcase_add_test(tc, test_bootstrap_other_seed_changes_interval);
  tcase_add_test(tc, test_custom_aggregate_is_used);
  tcase_add_test(tc, test_judge_request_carries_the_sample);
  tcase_add_test(tc, test_constant_score_interval_is_exact);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_errors_within_max_error_rate_complete);
  tcase_add_test(tc, test_errored_sample_counts_as_failure_for_binary_metric);
  tcase_add_test(tc, test_errors_by_default_make_run_incomplete);
  tcase_add_test(tc, test_errors_over_max_error_rate_incomplete_with_summary);
  tcase_add_test(tc, test_all_tasks_failing_is_incomplete);
  suite_add_tcase(s, tc);

  tc = tcase_create("gates");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_gates_failed_counts_min_and_max);
  tcase_add_test(tc, test_gates_all_passing_count_zero);
  suite_add_tcase(s, tc);

  tc = tcase_create("table");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_table_without_color_has_no_escapes);
  tcase_add_test(tc, test_table_with_color_has_escapes);
  suite_add_tcase(s, tc);

  tc = tcase_create("metrics_list");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_metrics_list_json_has_shipped_metrics_and_params);
  tcase_add_test(tc, test_metrics_list_text_names_metrics);
  suite_add_tcase(s, tc);

  tc = tcase_create("journal");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_journal_creates_missing_parents);
  tcase_add_test(tc, test_journal_run_id_is_last_component);
  tcase_add_test(tc, test_journal_run_id_ignores_trailing_slash);
  tcase_add_test(tc, test_journal_generated_name_under_parent);
  tcase_add_test(tc, test_journal_refuses_nonempty_dir);
  tcase_add_test(tc, test_journal_write_json_leaves_no_temp_file);
  tcase_add_test(tc, test_journal_append_writes_lines_by_close);
  suite_add_tcase(s, tc);

  tc = tcase_create("plan");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_plan_duplicate_id_names_both_lines);
  tcase_add_test(tc, test_plan_counts_rows_and_hashes);
  tcase_add_test(tc, test_plan_sample_independent_of_row_order);
  tcase_add_test(tc, test_plan_sample_grows_stably_with_n);
  tcase_add_test(tc, test_plan_sample_above_row_count_takes_all);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  if(!getenv("YS_SRCDIR") || !getenv("YS_SRCDIR")[0] ||
     !getenv("YS_TESTDATA") || !getenv("YS_TESTDATA")[0]) {
    fprintf(stderr, "check_run: YS_SRCDIR and YS_TESTDATA must be set "
            "(make check sets them)\n");
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(make_suite());
  /* Tests work in directories under root, which goes at the end even
   * when a forked test failed before its teardown. */
  snprintf(root, sizeof(root), "%s/ys-check-run-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if(!mkdtemp(root)) {
    perror("check_run: mkdtemp");
    return EXIT_FAILURE;
  }
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_rf(root);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
