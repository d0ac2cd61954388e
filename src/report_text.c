/* SPDX-License-Identifier: MIT */
/*
 * report_text.c: the terminal table. Column widths are computed from the
 * cells first, so the table lines up whatever the names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"
#include "report_text.h"
#include "xalloc.h"

#define BOLD(c) ((c) ? "\033[1m" : "")
#define DIM(c) ((c) ? "\033[2m" : "")
#define GREEN(c) ((c) ? "\033[32m" : "")
#define RED(c) ((c) ? "\033[31m" : "")
#define RESET(c) ((c) ? "\033[0m" : "")

typedef struct table {
  char ***cells; /* rows x cols */
  size_t rows, cols;
} table;

static void put(table *t, size_t r, size_t c, char *text)
{
  free(t->cells[r][c]);
  t->cells[r][c] = text;
}

static double num(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static char *fmt_value(const cJSON *entry)
{
  double v = num(entry, "value");
  if(isnan(v))
    return ys_xstrdup("-");
  const cJSON *ci = cJSON_GetObjectItemCaseSensitive(entry, "ci95");
  if(cJSON_GetArraySize(ci) == 2) {
    double lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
    double hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
    double half = fmax(v - lo, hi - v);
    if(!isnan(half) && half >= 0)
      return ys_xasprintf("%.3f ±%.3f", v, half);
  }
  return ys_xasprintf("%.3f", v);
}

static ys_err add_cell(ys_buf *b, const char *s, size_t width, int right)
{
  /* Width in characters: count UTF-8 lead bytes, not bytes. */
  size_t chars = 0;
  for(const char *p = s; *p; p++)
    if(((unsigned char)*p & 0xC0) != 0x80)
      chars++;
  size_t pad = width > chars ? width - chars : 0;
  ys_err e = YS_OK;
  if(right)
    for(size_t i = 0; i < pad && !e; i++)
      e = ys_buf_addc(b, ' ');
  if(!e)
    e = ys_buf_adds(b, s);
  if(!right)
    for(size_t i = 0; i < pad && !e; i++)
      e = ys_buf_addc(b, ' ');
  return e;
}

char *ys_report_text(const cJSON *summary, const char *run_dir, int color)
{
  const cJSON *models = cJSON_GetObjectItemCaseSensitive(summary, "models");
  const cJSON *first = cJSON_GetArrayItem(models, 0);
  const cJSON *mets = cJSON_GetObjectItemCaseSensitive(first, "metrics");
  size_t nmodels = (size_t)cJSON_GetArraySize(models);
  size_t nkeys = (size_t)cJSON_GetArraySize(mets);
  const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(summary,
                                                            "baselines");
  size_t nbase = (size_t)cJSON_GetArraySize(baselines);
  table t;
  t.rows = 1 + nmodels + nbase;
  t.cols = 1 + nkeys + 4;
  t.cells = ys_xcalloc(t.rows, sizeof(char **));
  for(size_t r = 0; r < t.rows; r++)
    t.cells[r] = ys_xcalloc(t.cols, sizeof(char *));
  put(&t, 0, 0, ys_xstrdup("model"));
  size_t c = 1;
  for(const cJSON *k = mets ? mets->child : NULL; k; k = k->next)
    put(&t, 0, c++, ys_xstrdup(k->string));
  put(&t, 0, c++, ys_xstrdup("errors"));
  put(&t, 0, c++, ys_xstrdup("cost $"));
  put(&t, 0, c++, ys_xstrdup("p50 ms"));
  put(&t, 0, c, ys_xstrdup("p95 ms"));
  size_t r = 1;
  for(const cJSON *m = models ? models->child : NULL; m; m = m->next, r++) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
    put(&t, r, 0, ys_xstrdup(cJSON_IsString(name) ? name->valuestring : "?"));
    const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m, "metrics");
    c = 1;
    for(const cJSON *k = mets ? mets->child : NULL; k; k = k->next, c++)
      put(&t, r, c, fmt_value(cJSON_GetObjectItemCaseSensitive(mm,
                                                               k->string)));
    double errs = num(m, "errors") + num(m, "score_errors");
    put(&t, r, c++, ys_xasprintf("%.0f", errs));
    double cost = num(cJSON_GetObjectItemCaseSensitive(m, "usage"), "cost");
    put(&t, r, c++, isnan(cost) || cost == 0 ? ys_xstrdup("-")
                    : ys_xasprintf("%.4f", cost));
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(m, "latency_ms");
    double p50 = num(lat, "p50"), p95 = num(lat, "p95");
    put(&t, r, c++, isnan(p50) ? ys_xstrdup("-") : ys_xasprintf("%.1f", p50));
    put(&t, r, c, isnan(p95) ? ys_xstrdup("-") : ys_xasprintf("%.1f", p95));
  }
  for(const cJSON *b = baselines ? baselines->child : NULL; b;
      b = b->next, r++) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name");
    const cJSON *metric = cJSON_GetObjectItemCaseSensitive(b, "metric");
    put(&t, r, 0, ys_xasprintf("%s (baseline)", cJSON_IsString(name)
                               ? name->valuestring : "?"));
    c = 1;
    for(const cJSON *k = mets ? mets->child : NULL; k; k = k->next, c++)
      if(cJSON_IsString(metric) && !strcmp(k->string, metric->valuestring))
        put(&t, r, c, ys_xasprintf("%.3f", num(b, "value")));
  }
  size_t *w = ys_xcalloc(t.cols, sizeof(size_t));
  for(size_t i = 0; i < t.rows; i++)
    for(size_t j = 0; j < t.cols; j++) {
      const char *s = t.cells[i][j] ? t.cells[i][j] : "";
      size_t chars = 0;
      for(const char *p = s; *p; p++)
        if(((unsigned char)*p & 0xC0) != 0x80)
          chars++;
      if(chars > w[j])
        w[j] = chars;
    }
  ys_buf b;
  ys_buf_init(&b, (size_t)64 << 20);
  ys_err e = YS_OK;
  const cJSON *suite = cJSON_GetObjectItemCaseSensitive(summary, "suite");
  double samples = num(summary, "samples");
  e = ys_buf_addf(&b, "%s%s%s: %.0f sample%s x %zu model%s%s%s\n\n",
                  BOLD(color), cJSON_IsString(suite) ? suite->valuestring
                  : "suite", RESET(color), samples, samples == 1 ? "" : "s",
                  nmodels, nmodels == 1 ? "" : "s", run_dir ? " -> " : "",
                  run_dir ? run_dir : "");
  for(size_t i = 0; i < t.rows && !e; i++) {
    int base = i > nmodels;
    /* Stop after the last filled cell: no trailing blanks. */
    size_t last = 0;
    for(size_t j = 0; j < t.cols; j++)
      if(t.cells[i][j] && t.cells[i][j][0])
        last = j;
    e = ys_buf_adds(&b, i == 0 ? BOLD(color) : base ? DIM(color) : "");
    for(size_t j = 0; j <= last && !e; j++) {
      if(j)
        e = ys_buf_adds(&b, "  ");
      if(!e)
        e = add_cell(&b, t.cells[i][j] ? t.cells[i][j] : "", w[j], j > 0);
    }
    if(!e)
      e = ys_buf_adds(&b, (i == 0 || base) ? RESET(color) : "");
    if(!e)
      e = ys_buf_addc(&b, '\n');
  }
  const cJSON *gates = cJSON_GetObjectItemCaseSensitive(summary, "gates");
  if(!e && cJSON_GetArraySize(gates) > 0) {
    char *g = ys_report_gates(gates, color);
    e = ys_buf_addc(&b, '\n');
    if(!e)
      e = ys_buf_adds(&b, g);
    free(g);
  }
  for(size_t i = 0; i < t.rows; i++) {
    for(size_t j = 0; j < t.cols; j++)
      free(t.cells[i][j]);
    free(t.cells[i]);
  }
  free(t.cells);
  free(w);
  if(e) {
    ys_buf_free(&b);
    return ys_xstrdup("(summary too large to show)\n");
  }
  return ys_buf_take(&b, NULL);
}

char *ys_report_gates(const cJSON *verdicts, int color)
{
  ys_buf b;
  ys_buf_init(&b, (size_t)64 << 20);
  ys_err e = YS_OK;
  for(const cJSON *g = verdicts ? verdicts->child : NULL; g && !e;
      g = g->next) {
    int pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass"));
    char *line = ys_gate_describe(g);
    e = ys_buf_addf(&b, "gate %s%s%s  %s\n",
                    pass ? GREEN(color) : RED(color), pass ? "PASS" : "FAIL",
                    RESET(color), line);
    free(line);
  }
  if(e) {
    ys_buf_free(&b);
    return ys_xstrdup("(gates too large to show)\n");
  }
  char *out = ys_buf_take(&b, NULL);
  return out ? out : ys_xstrdup("");
}

/* {====== compare ====== */

/* Appends unless an earlier append failed (e is in scope). */
#define PUT(call) (e = e ? e : (call))

/* An output on one line, cut to max characters (not bytes). */
static ys_err add_snippet(ys_buf *b, const char *s, size_t max)
{
  ys_err e = YS_OK;
  PUT(ys_buf_addc(b, '"'));
  size_t chars = 0;
  for(const char *p = s; *p; p++) {
    if(((unsigned char)*p & 0xC0) != 0x80 && ++chars > max) {
      PUT(ys_buf_adds(b, "\xe2\x80\xa6"));
      break;
    }
    if(*p == '\n' || *p == '\r' || *p == '\t')
      PUT(ys_buf_addc(b, ' '));
    else
      PUT(ys_buf_addc(b, *p));
  }
  PUT(ys_buf_addc(b, '"'));
  return e;
}

static const char *cstr(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static char *fmt_p(double p)
{
  if(isnan(p))
    return ys_xstrdup("-");
  if(p < 0.001)
    return ys_xstrdup("<0.001");
  return ys_xasprintf("%.3f", p);
}

char *ys_compare_render(const char *json, int color)
{
  cJSON *doc = cJSON_Parse(json);
  if(!doc)
    return ys_xstrdup("(no comparison)\n");
  int within = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc,
                                                             "within_run"));
  ys_buf b;
  ys_buf_init(&b, (size_t)64 << 20);
  ys_err e = YS_OK;
  if(within)
    PUT(ys_buf_addf(&b, "compare models in %s: %.0f samples\n\n",
                cstr(doc, "a"), num(doc, "common")));
  else
    PUT(ys_buf_addf(&b, "compare %s (a) -> %s (b): %.0f samples in common, %.0f "
                "only in a, %.0f only in b\n\n", cstr(doc, "a"),
                cstr(doc, "b"), num(doc, "common"), num(doc, "only_a"),
                num(doc, "only_b")));
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "comparisons");
  size_t rows = (size_t)cJSON_GetArraySize(list) + 1;
  table t = { ys_xcalloc(rows, sizeof(char **)), rows, 9 };
  for(size_t i = 0; i < rows; i++)
    t.cells[i] = ys_xcalloc(t.cols, sizeof(char *));
  const char *head[] = { "metric", within ? "a vs b" : "model", "a", "b",
                         "diff b-a", "95% CI", "p", "Holm p",
                         "b better/worse" };
  for(size_t j = 0; j < t.cols; j++)
    put(&t, 0, j, ys_xstrdup(head[j]));
  size_t r = 1;
  for(const cJSON *c = list ? list->child : NULL; c; c = c->next, r++) {
    put(&t, r, 0, ys_xstrdup(cstr(c, "metric")));
    if(within)
      put(&t, r, 1, ys_xasprintf("%s vs %s", cstr(c, "model_a"),
                                 cstr(c, "model_b")));
    else if(strcmp(cstr(c, "model_a"), cstr(c, "model_b")))
      put(&t, r, 1, ys_xasprintf("%s -> %s", cstr(c, "model_a"),
                                 cstr(c, "model_b")));
    else
      put(&t, r, 1, ys_xstrdup(cstr(c, "model_a")));
    put(&t, r, 2, isnan(num(c, "a")) ? ys_xstrdup("-")
                  : ys_xasprintf("%.3f", num(c, "a")));
    put(&t, r, 3, isnan(num(c, "b")) ? ys_xstrdup("-")
                  : ys_xasprintf("%.3f", num(c, "b")));
    put(&t, r, 4, isnan(num(c, "diff")) ? ys_xstrdup("-")
                  : ys_xasprintf("%+.3f", num(c, "diff")));
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(c, "diff_ci95");
    put(&t, r, 5, cJSON_GetArraySize(ci) == 2
        ? ys_xasprintf("[%+.3f, %+.3f]", cJSON_GetArrayItem(ci, 0)->valuedouble,
                       cJSON_GetArrayItem(ci, 1)->valuedouble)
        : ys_xstrdup("-"));
    put(&t, r, 6, fmt_p(num(c, "p")));
    put(&t, r, 7, fmt_p(num(c, "p_holm")));
    put(&t, r, 8, ys_xasprintf("%.0f/%.0f", num(c, "better"),
                               num(c, "worse")));
  }
  size_t *w = ys_xcalloc(t.cols, sizeof(size_t));
  for(size_t i = 0; i < t.rows; i++)
    for(size_t j = 0; j < t.cols; j++) {
      size_t chars = 0;
      for(const char *p = t.cells[i][j] ? t.cells[i][j] : ""; *p; p++)
        if(((unsigned char)*p & 0xC0) != 0x80)
          chars++;
      if(chars > w[j])
        w[j] = chars;
    }
  for(size_t i = 0; i < t.rows; i++) {
    PUT(ys_buf_adds(&b, i == 0 ? BOLD(color) : ""));
    for(size_t j = 0; j < t.cols; j++) {
      if(j)
        PUT(ys_buf_adds(&b, "  "));
      PUT(add_cell(&b, t.cells[i][j] ? t.cells[i][j] : "", w[j], j > 1));
    }
    PUT(ys_buf_adds(&b, i == 0 ? RESET(color) : ""));
    PUT(ys_buf_addc(&b, '\n'));
  }
  for(const cJSON *c = list ? list->child : NULL; c; c = c->next) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "samples");
    double nd = num(c, "disagreements");
    if(!(nd > 0))
      continue;
    char *who = within || strcmp(cstr(c, "model_a"), cstr(c, "model_b"))
                ? ys_xasprintf("%s vs %s", cstr(c, "model_a"),
                               cstr(c, "model_b"))
                : ys_xstrdup(cstr(c, "model_a"));
    PUT(ys_buf_addf(&b, "\n%s%s, %s: %.0f sample%s differ%s%s\n", BOLD(color),
                cstr(c, "metric"), who,
                nd, nd == 1 ? "" : "s", nd == 1 ? "s" : "",
                (double)cJSON_GetArraySize(s) < nd ? " (first ones shown, "
                "regressions first)" : " (regressions first)"));
    free(who);
    PUT(ys_buf_adds(&b, RESET(color)));
    for(const cJSON *sm = s ? s->child : NULL; sm; sm = sm->next) {
      double x = num(sm, "a_score"), y = num(sm, "b_score");
      int worse = (!isnan(x) && isnan(y)) || y < x;
      PUT(ys_buf_addf(&b, "  %s%s%s  %g -> %g  a: ", worse ? RED(color)
                  : GREEN(color), cstr(sm, "id"), RESET(color), x, y));
      PUT(add_snippet(&b, cstr(sm, "a_output"), 50));
      PUT(ys_buf_adds(&b, "  b: "));
      PUT(add_snippet(&b, cstr(sm, "b_output"), 50));
      PUT(ys_buf_addc(&b, '\n'));
    }
  }
  for(size_t i = 0; i < t.rows; i++) {
    for(size_t j = 0; j < t.cols; j++)
      free(t.cells[i][j]);
    free(t.cells[i]);
  }
  free(t.cells);
  free(w);
  cJSON_Delete(doc);
  if(e) {
    ys_buf_free(&b);
    return ys_xstrdup("(comparison too large to show)\n");
  }
  return ys_buf_take(&b, NULL);
}

/* }====== */

/* {====== cost ====== */

/* x with thousands separators and the given decimals: "12,345.68". */
static char *fmt_grouped(double x, int decimals)
{
  if(isnan(x))
    return ys_xstrdup("-");
  char raw[64];
  snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(x));
  char *dot = strchr(raw, '.');
  size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
  char out[96];
  size_t o = 0;
  if(x < 0 && strcspn(raw, "123456789") < strlen(raw))
    out[o++] = '-';
  for(size_t i = 0; i < ilen; i++) {
    if(i && (ilen - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = raw[i];
  }
  snprintf(out + o, sizeof(out) - o, "%s", dot ? dot : "");
  return ys_xstrdup(out);
}

/* Money: cents below $100, whole dollars above. */
static char *fmt_usd(double x)
{
  return fmt_grouped(x, !isnan(x) && fabs(x) < 100 ? 2 : 0);
}

char *ys_cost_render(const char *json, int color)
{
  cJSON *doc = cJSON_Parse(json);
  if(!doc)
    return ys_xstrdup("(no projection)\n");
  ys_buf b;
  ys_buf_init(&b, (size_t)64 << 20);
  ys_err e = YS_OK;
  int by_tokens = !strcmp(cstr(doc, "basis"), "tokens");
  char *traffic = fmt_grouped(num(doc, by_tokens ? "tokens_per_month"
                                                 : "samples_per_month"), 0);
  PUT(ys_buf_addf(&b, "monthly cost at %s %s a month%s\n\n", traffic,
                  by_tokens ? "tokens" : "samples",
                  by_tokens ? " (each model's own tokens per sample)" : ""));
  free(traffic);
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "models");
  const char *metric = cstr(doc, "metric");
  size_t rows = (size_t)cJSON_GetArraySize(list) + 1;
  table t = { ys_xcalloc(rows, sizeof(char **)), rows, 8 };
  for(size_t i = 0; i < rows; i++)
    t.cells[i] = ys_xcalloc(t.cols, sizeof(char *));
  const char *head[] = { "model", metric[0] ? metric : "quality",
                         "tokens/sample", "$/1k samples", "samples/month",
                         "usage $/month", "hosting $/month",
                         "total $/month" };
  for(size_t j = 0; j < t.cols; j++)
    put(&t, 0, j, ys_xstrdup(head[j]));
  int estimated = 0, unpriced = 0;
  size_t r = 1;
  for(const cJSON *m = list ? list->child : NULL; m; m = m->next, r++) {
    put(&t, r, 0, ys_xstrdup(cstr(m, "name")));
    cJSON *q = cJSON_CreateObject();
    cJSON_AddNumberToObject(q, "value", num(m, "quality"));
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "quality_ci95");
    if(ci)
      cJSON_AddItemToObject(q, "ci95", cJSON_Duplicate(ci, 1));
    put(&t, r, 1, fmt_value(q));
    cJSON_Delete(q);
    int est = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
      m, "estimated_tokens"));
    double tok = num(m, "input_tokens_per_sample") +
                 num(m, "output_tokens_per_sample");
    put(&t, r, 2, isnan(tok) ? ys_xstrdup("-")
                  : ys_xasprintf("%.1f%s", tok, est ? "*" : ""));
    estimated |= est;
    put(&t, r, 3, fmt_usd(num(m, "cost_per_sample") * 1000));
    put(&t, r, 4, fmt_grouped(num(m, "samples_per_month"), 0));
    put(&t, r, 5, fmt_usd(num(m, "usage_usd")));
    put(&t, r, 6, fmt_usd(num(m, "hosting_usd")));
    put(&t, r, 7, fmt_usd(num(m, "monthly_usd")));
    unpriced |= isnan(num(m, "monthly_usd"));
  }
  size_t *w = ys_xcalloc(t.cols, sizeof(size_t));
  for(size_t i = 0; i < t.rows; i++)
    for(size_t j = 0; j < t.cols; j++) {
      size_t chars = 0;
      for(const char *p = t.cells[i][j] ? t.cells[i][j] : ""; *p; p++)
        if(((unsigned char)*p & 0xC0) != 0x80)
          chars++;
      if(chars > w[j])
        w[j] = chars;
    }
  for(size_t i = 0; i < t.rows; i++) {
    PUT(ys_buf_adds(&b, i == 0 ? BOLD(color) : ""));
    for(size_t j = 0; j < t.cols; j++) {
      if(j)
        PUT(ys_buf_adds(&b, "  "));
      PUT(add_cell(&b, t.cells[i][j] ? t.cells[i][j] : "", w[j], j > 0));
    }
    PUT(ys_buf_adds(&b, i == 0 ? RESET(color) : ""));
    PUT(ys_buf_addc(&b, '\n'));
  }
  if(estimated)
    PUT(ys_buf_adds(&b, "\n* tokens estimated (about 4 characters a token): "
                    "the backend reported none\n"));
  if(unpriced)
    PUT(ys_buf_adds(&b, "\n- : no price or hosting given for the model "
                    "(price = { input =, output = } or hosting = { "
                    "monthly_usd = } in the suite, or --hosting "
                    "MODEL=USD)\n"));
  for(size_t i = 0; i < t.rows; i++) {
    for(size_t j = 0; j < t.cols; j++)
      free(t.cells[i][j]);
    free(t.cells[i]);
  }
  free(t.cells);
  free(w);
  cJSON_Delete(doc);
  if(e) {
    ys_buf_free(&b);
    return ys_xstrdup("(projection too large to show)\n");
  }
  return ys_buf_take(&b, NULL);
}

/* }====== */
