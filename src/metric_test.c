/* SPDX-License-Identifier: MIT */
/*
 * metric_test.c: `yardstick --run-tests FILE`, compact tests for metric
 * plugins (see doc/metrics.md for the format; "output_bytes" and
 * "output_repeat" in the input give raw bytes and huge outputs).
 * The format, after jq's jq.test: blocks are separated by blank lines;
 * lines starting with '#' are comments. A block is three lines:
 *
 *   exact_match {"ignore_case": true}        the metric and its parameters
 *   {"output": "Paris", "expected": "paris"}  the output; other keys are
 *                                             the sample ("ctx" sets ctx)
 *   {"exact_match": 1}                        the scores expected
 *
 * The third line may instead be `error: TEXT` (scoring fails with a
 * message containing TEXT). A block starting with `%%FAIL` holds the
 * metric line and then the exact error loading or configuring it gives.
 * In the expected scores, "detail" compares the detail (keys given must
 * match). ctx may set id, model, repeat, system, prompt, elapsed_ms and
 * usage (calls, input_tokens, output_tokens, cache_hits, latency_ms,
 * cost); ctx.replies is a list of texts that ctx:chat returns in turn (a
 * stand-in judge). A block that fails counts once, however many of its
 * checks fail.
 * Uses metric, suite (plugin roots), cJSON.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "metric.h"
#include "suite.h"
#include "xalloc.h"

typedef struct tester {
  const char *file;
  char **roots;
  size_t nroots;
  char *dir;
  long tests, failed;
  ys_buf report;
} tester;

static void report(tester *t, long line, const char *fmt, ...)
  YS_PRINTF(3, 4);

static void report(tester *t, long line, const char *fmt, ...)
{
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if(ys_buf_addf(&t->report, "%s:%ld: %s\n", t->file, line, msg))
    ys_buf_init(&t->report, (size_t)64 << 20);
}

/* Loads and configures the metric named on a block's first line. */
static ys_err load_metric(tester *t, const char *spec, ys_metric **out,
                          ys_diag *diag)
{
  *out = NULL;
  char name[512];
  const char *sp = strchr(spec, ' ');
  size_t n = sp ? (size_t)(sp - spec) : strlen(spec);
  if(!n || n >= sizeof(name))
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "expected a metric name");
  memcpy(name, spec, n);
  name[n] = '\0';
  cJSON *params = NULL;
  if(sp) {
    params = cJSON_Parse(sp + 1);
    if(!cJSON_IsObject(params)) {
      cJSON_Delete(params);
      return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "the parameters after "
                     "'%s' are not a JSON object", name);
    }
  }
  char *path = NULL;
  size_t nl = strlen(name);
  if(strchr(name, '/') || (nl > 4 && !strcmp(name + nl - 4, ".lua")))
    path = name[0] == '/' ? ys_xstrdup(name)
                          : ys_xasprintf("%s/%s", t->dir, name);
  else
    for(size_t i = 0; i < t->nroots && !path; i++) {
      char *p = ys_xasprintf("%s/metrics/%s.lua", t->roots[i], name);
      FILE *f = fopen(p, "r");
      if(f) {
        fclose(f);
        path = p;
      }
      else
        free(p);
    }
  if(!path) {
    cJSON_Delete(params);
    return ys_fail(diag, YS_ERR_SUITE, NULL, 0, "unknown metric '%s'", name);
  }
  ys_err err = ys_metric_load(path, name, NULL, NULL, out, diag);
  free(path);
  if(!err) {
    ys_metric_set_base_dir(*out, t->dir);
    err = ys_metric_configure(*out, params, diag);
  }
  cJSON_Delete(params);
  if(err) {
    ys_metric_free(*out);
    *out = NULL;
  }
  return err;
}

static int close_enough(double a, double b)
{
  return fabs(a - b) <= 1e-9 * (1 + fabs(b));
}

/* Does detail (JSON text) have every key of want with equal values? */
static int detail_matches(const char *detail, const cJSON *want)
{
  cJSON *got = detail ? cJSON_Parse(detail) : NULL;
  int ok = 1;
  if(cJSON_IsObject(want)) {
    for(const cJSON *w = want->child; w && ok; w = w->next) {
      const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
      if(cJSON_IsNumber(w) && cJSON_IsNumber(g))
        ok = close_enough(g->valuedouble, w->valuedouble);
      else
        ok = g && cJSON_Compare(g, w, 1);
    }
  }
  else
    ok = got && cJSON_Compare(got, want, 1);
  cJSON_Delete(got);
  return ok;
}

/* The ctx of a test from its "ctx" object (or none): fills ctx and usage
 * (strings point into j). Returns nonzero with why set when j has a key
 * that is unknown or of the wrong type. */
static int test_ctx(const cJSON *j, ys_metric_ctx *ctx, ys_usage *usage,
                    const cJSON **replies, char *why, size_t whylen)
{
  memset(usage, 0, sizeof(*usage));
  *ctx = (ys_metric_ctx){ "test", "model", 1, NULL, NULL, usage, 0 };
  *replies = NULL;
  if(!j)
    return 0;
  if(!cJSON_IsObject(j)) {
    snprintf(why, whylen, "ctx must be an object");
    return 1;
  }
  for(const cJSON *e = j->child; e; e = e->next) {
    const char *k = e->string;
    const char *want = NULL;
    if(!strcmp(k, "id") || !strcmp(k, "model") || !strcmp(k, "system") ||
       !strcmp(k, "prompt")) {
      if(!cJSON_IsString(e))
        want = "a string";
      else if(k[0] == 'i')
        ctx->id = e->valuestring;
      else if(k[0] == 'm')
        ctx->model = e->valuestring;
      else if(k[0] == 's')
        ctx->system = e->valuestring;
      else
        ctx->user = e->valuestring;
    }
    else if(!strcmp(k, "repeat")) {
      if(!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 1e6 ||
         e->valuedouble != (int)e->valuedouble)
        want = "a whole number from 1";
      else
        ctx->repeat = (int)e->valuedouble;
    }
    else if(!strcmp(k, "elapsed_ms")) {
      if(!cJSON_IsNumber(e))
        want = "a number";
      else
        ctx->elapsed_ms = e->valuedouble;
    }
    else if(!strcmp(k, "replies")) {
      if(!cJSON_IsArray(e))
        want = "a list of texts";
      *replies = e;
    }
    else if(!strcmp(k, "usage")) {
      if(!cJSON_IsObject(e))
        want = "an object";
      usage->calls = 1; /* unless it says otherwise */
      for(const cJSON *u = e->child; u && !want; u = u->next) {
        const char *uk = u->string;
        double v = u->valuedouble;
        if(!cJSON_IsNumber(u) || v < 0) {
          snprintf(why, whylen, "ctx.usage.%s must be a number from 0", uk);
          return 1;
        }
        if(!strcmp(uk, "calls"))
          usage->calls = (long)v;
        else if(!strcmp(uk, "input_tokens"))
          usage->input_tokens = (long)v;
        else if(!strcmp(uk, "output_tokens"))
          usage->output_tokens = (long)v;
        else if(!strcmp(uk, "cache_hits"))
          usage->cache_hits = (long)v;
        else if(!strcmp(uk, "latency_ms"))
          usage->latency_ms = v;
        else if(!strcmp(uk, "cost"))
          usage->cost = v;
        else {
          snprintf(why, whylen, "unknown key ctx.usage.%s (calls, "
                   "input_tokens, output_tokens, cache_hits, latency_ms, "
                   "cost)", uk);
          return 1;
        }
      }
    }
    else {
      snprintf(why, whylen, "unknown key ctx.%s (id, model, repeat, system, "
               "prompt, elapsed_ms, usage, replies)", k);
      return 1;
    }
    if(want) {
      snprintf(why, whylen, "ctx.%s must be %s", k, want);
      return 1;
    }
  }
  return 0;
}

/* Runs one three-line block. */
static void run_block_checks(tester *t, char **lines, long *at, int n,
                             int fail)
{
  ys_diag d;
  ys_metric *m = NULL;
  if(fail) {
    if(n != 2) {
      report(t, at[0], "a %%%%FAIL block needs the metric line and the "
             "error");
      t->failed++;
      return;
    }
    ys_err err = load_metric(t, lines[0], &m, &d);
    if(!err) {
      report(t, at[0], "expected the error '%s', but the metric loaded",
             lines[1]);
      t->failed++;
    }
    else if(strcmp(d.msg, lines[1])) {
      report(t, at[1], "expected the error '%s', got '%s'", lines[1], d.msg);
      t->failed++;
    }
    ys_metric_free(m);
    return;
  }
  if(n != 3) {
    report(t, at[0], "a block needs three lines: metric, input, expected");
    t->failed++;
    return;
  }
  if(load_metric(t, lines[0], &m, &d)) {
    report(t, at[0], "%s", d.msg);
    t->failed++;
    return;
  }
  cJSON *input = cJSON_Parse(lines[1]);
  if(!cJSON_IsObject(input)) {
    report(t, at[1], "the input is not a JSON object");
    t->failed++;
    cJSON_Delete(input);
    ys_metric_free(m);
    return;
  }
  cJSON *output = cJSON_DetachItemFromObjectCaseSensitive(input, "output");
  /* Outputs a JSON line cannot hold: raw bytes (each code point below 256
   * one byte, so "\u00ff" is the invalid byte 0xFF), or a text repeated. */
  cJSON *bytes = cJSON_DetachItemFromObjectCaseSensitive(input,
                                                         "output_bytes");
  cJSON *rep = cJSON_DetachItemFromObjectCaseSensitive(input,
                                                       "output_repeat");
  if(cJSON_IsString(bytes)) {
    ys_buf raw;
    ys_buf_init(&raw, (size_t)64 << 20);
    const unsigned char *u = (const unsigned char *)bytes->valuestring;
    for(size_t i = 0; u[i];) {
      unsigned cp = u[i];
      if(cp >= 0xC0 && u[i + 1]) { /* two-byte sequence: U+0080..U+00FF */
        cp = ((cp & 0x1F) << 6) | (u[i + 1] & 0x3F);
        i += 2;
      }
      else
        i++;
      if(ys_buf_addc(&raw, (char)cp))
        break;
    }
    cJSON_Delete(output);
    output = cJSON_CreateString(ys_buf_str(&raw));
    ys_buf_free(&raw);
  }
  else if(cJSON_IsObject(rep)) {
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(rep, "text");
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(rep, "times");
    ys_buf big;
    ys_buf_init(&big, (size_t)256 << 20);
    for(double i = 0; cJSON_IsString(tx) && cJSON_IsNumber(tm) &&
        i < tm->valuedouble; i++)
      if(ys_buf_adds(&big, tx->valuestring))
        break;
    cJSON_Delete(output);
    output = cJSON_CreateString(ys_buf_str(&big));
    ys_buf_free(&big);
  }
  cJSON_Delete(bytes);
  cJSON_Delete(rep);
  if(!output)
    output = cJSON_CreateString("");
  cJSON *ctxj = cJSON_DetachItemFromObjectCaseSensitive(input, "ctx");
  ys_usage usage;
  ys_metric_ctx ctx;
  const cJSON *replies = NULL;
  char why[200];
  if(test_ctx(ctxj, &ctx, &usage, &replies, why, sizeof(why))) {
    report(t, at[1], "%s", why);
    t->failed++;
    cJSON_Delete(input);
    cJSON_Delete(output);
    cJSON_Delete(ctxj);
    ys_metric_free(m);
    return;
  }
  size_t nk = ys_metric_nkeys(m);
  double *scores = ys_xcalloc(nk + 1, sizeof(double));
  ys_metric_call *call = NULL;
  ys_err err = ys_metric_begin(m, input, output, &ctx, &call, scores, &d);
  int reply = 0;
  while(!err && ys_metric_waiting(call)) {
    const cJSON *r = cJSON_GetArrayItem(replies, reply++);
    if(cJSON_IsString(r))
      err = ys_metric_resume(m, &call, r->valuestring, "{}", NULL, scores,
                             &d);
    else
      err = ys_metric_resume(m, &call, NULL, NULL, "no more ctx.replies in "
                             "the test", scores, &d);
  }
  const char *want = lines[2];
  if(!strncmp(want, "error: ", 7)) {
    if(!err) {
      report(t, at[2], "expected an error containing '%s', but it scored",
             want + 7);
      t->failed++;
    }
    else if(!strstr(d.msg, want + 7)) {
      report(t, at[2], "expected an error containing '%s', got '%s'",
             want + 7, d.msg);
      t->failed++;
    }
  }
  else if(err) {
    report(t, at[2], "scoring failed: %s", d.msg);
    t->failed++;
  }
  else {
    cJSON *exp = cJSON_Parse(want);
    if(!cJSON_IsObject(exp)) {
      report(t, at[2], "the expected scores are not a JSON object (or "
             "'error: ...')");
      t->failed++;
    }
    for(const cJSON *e = exp ? exp->child : NULL; e; e = e->next) {
      if(!strcmp(e->string, "detail")) {
        if(!detail_matches(ys_metric_detail(call), e)) {
          char *ej = cJSON_PrintUnformatted(e);
          report(t, at[2], "detail: expected %s, got %s", ej ? ej : "?",
                 ys_metric_detail(call) ? ys_metric_detail(call) : "none");
          free(ej);
          t->failed++;
        }
        continue;
      }
      size_t k = 0;
      while(k < nk) {
        const char *key = ys_metric_key(m, k);
        const char *dot = strrchr(key, '.');
        if(!strcmp(key, e->string) || (dot && !strcmp(dot + 1, e->string)) ||
           (nk == 1 && !strcmp(e->string, "score")))
          break;
        k++;
      }
      if(k == nk) {
        report(t, at[2], "the metric gives no score '%s'", e->string);
        t->failed++;
        continue;
      }
      double w = cJSON_IsBool(e) ? cJSON_IsTrue(e) : e->valuedouble;
      if(!cJSON_IsNumber(e) && !cJSON_IsBool(e)) {
        report(t, at[2], "'%s': expected scores are numbers", e->string);
        t->failed++;
      }
      else if(!close_enough(scores[k], w)) {
        char a[32], b[32];
        report(t, at[2], "'%s': expected %s, got %s", e->string,
               ys_json_fmt_number(w, a), ys_json_fmt_number(scores[k], b));
        t->failed++;
      }
    }
    cJSON_Delete(exp);
  }
  ys_metric_call_free(m, call);
  free(scores);
  cJSON_Delete(input);
  cJSON_Delete(output);
  cJSON_Delete(ctxj);
  ys_metric_free(m);
}

/* Runs a block; it counts as one test, failed once whatever failed. */
static void run_block(tester *t, char **lines, long *at, int n, int fail)
{
  long before = t->failed;
  t->tests++;
  run_block_checks(t, lines, at, n, fail);
  if(t->failed > before)
    t->failed = before + 1;
}

int ys_run_tests(const char *path, const char *search_path, long *tests,
                 long *failed, char **out, ys_diag *diag)
{
  *tests = *failed = 0;
  *out = NULL;
  FILE *f = fopen(path, "r");
  if(!f) {
    ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  tester t;
  memset(&t, 0, sizeof(t));
  t.file = path;
  const char *slash = strrchr(path, '/');
  t.dir = slash ? ys_xstrndup(path, (size_t)(slash - path)) : ys_xstrdup(".");
  t.roots = ys_suite_roots(t.dir, search_path, &t.nroots);
  ys_buf_init(&t.report, (size_t)64 << 20);
  char *lines[8];
  long at[8];
  int n = 0, fail = 0;
  long lineno = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  for(;;) {
    len = getline(&line, &cap, f);
    if(len >= 0) {
      lineno++;
      while(len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
      if(line[0] == '#')
        continue;
    }
    if(len < 0 || !line[0]) {
      if(n || fail)
        run_block(&t, lines, at, n, fail);
      for(int i = 0; i < n; i++)
        free(lines[i]);
      n = 0;
      fail = 0;
      if(len < 0)
        break;
      continue;
    }
    if(!n && !fail && !strcmp(line, "%%FAIL")) {
      fail = 1;
      continue;
    }
    if(n < 8) {
      lines[n] = ys_xstrdup(line);
      at[n++] = lineno;
    }
  }
  free(line);
  int read_errno = ferror(f) ? errno : 0;
  fclose(f);
  ys_suite_free_roots(t.roots, t.nroots);
  free(t.dir);
  if(read_errno || !t.tests) {
    ys_buf_free(&t.report);
    if(read_errno)
      ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot read: %s",
              strerror(read_errno));
    else
      ys_fail(diag, YS_ERR_USAGE, path, 0, "no tests in the file (blocks "
              "of three lines: metric, input, expected scores)");
    return -1;
  }
  *tests = t.tests;
  *failed = t.failed;
  *out = ys_buf_take(&t.report, NULL);
  return 0;
}
