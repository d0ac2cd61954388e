/* SPDX-License-Identifier: MIT */
/*
 * gate.c: evaluating gates and describing verdicts. A verdict repeats the
 * gate's definition (so a stored run can be re-gated without its suite)
 * and adds what was found. A gate that cannot be evaluated (no such model
 * in the run, no scored samples, no interval) fails, saying why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "paired.h"
#include "stats.h"
#include "xalloc.h"

static const char *const kind_names[] = {
  [YS_GATE_RANGE] = "threshold",
  [YS_GATE_BEATS] = "beats",
  [YS_GATE_NOT_WORSE] = "not_worse_than",
  [YS_GATE_ERROR_RATE] = "max_error_rate",
  [YS_GATE_COST] = "max_cost_per_1k",
  [YS_GATE_LATENCY] = "max_p95_latency_ms",
};

static const char *const bound_names[] = { "value", "lower", "upper" };

void ys_gate_clear(ys_gate *g)
{
  free(g->model);
  free(g->metric);
  free(g->other);
  free(g->where);
  memset(g, 0, sizeof(*g));
}

/* {====== reading the summary ====== */

static double num(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *find_named(const cJSON *list, const char *name)
{
  for(const cJSON *e = list ? list->child : NULL; e; e = e->next) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
    if(cJSON_IsString(n) && !strcmp(n->valuestring, name))
      return e;
  }
  return NULL;
}

static long index_of(const char *const *names, size_t n, const char *name)
{
  for(size_t i = 0; i < n; i++)
    if(!strcmp(names[i], name))
      return (long)i;
  return -1;
}

/* }====== */

/* {====== evaluation ====== */

static double tidy(double x)
{
  return round(x * 1e9) / 1e9;
}

static void add_num(cJSON *o, const char *k, double x)
{
  if(isnan(x) || isinf(x))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, tidy(x));
}

/* p-values keep every digit: a tiny one must not print as 0. */
static void add_p(cJSON *o, const char *k, double p)
{
  if(isnan(p))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, p);
}

static void add_pair(cJSON *o, const char *k, double lo, double hi)
{
  if(isnan(lo) || isnan(hi))
    return;
  cJSON *a = cJSON_AddArrayToObject(o, k);
  cJSON_AddItemToArray(a, cJSON_CreateNumber(tidy(lo)));
  cJSON_AddItemToArray(a, cJSON_CreateNumber(tidy(hi)));
}

/* The verdict's definition part. */
static cJSON *spec_json(const ys_gate *g)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "kind", kind_names[g->kind]);
  cJSON_AddStringToObject(o, "model", g->model);
  if(g->metric)
    cJSON_AddStringToObject(o, "metric", g->metric);
  if(g->other)
    cJSON_AddStringToObject(o, "other", g->other);
  switch(g->kind) {
  case YS_GATE_RANGE:
    if(g->has_min)
      add_num(o, "min", g->min);
    if(g->has_max)
      add_num(o, "max", g->max);
    cJSON_AddStringToObject(o, "bound", bound_names[g->bound]);
    break;
  case YS_GATE_NOT_WORSE:
    add_num(o, "margin", g->margin);
    /* fall through */
  case YS_GATE_BEATS:
    add_num(o, "alpha", g->alpha);
    break;
  default:
    add_num(o, "max", g->max);
  }
  if(g->where && g->where[0])
    cJSON_AddStringToObject(o, "where", g->where);
  return o;
}

static int fail_why(cJSON *o, const char *why)
{
  cJSON_AddStringToObject(o, "error", why);
  return 0;
}

static int eval_range(const ys_gate *g, const cJSON *mo, cJSON *o)
{
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(mo, "metrics"), g->metric);
  if(!e)
    return fail_why(o, "the run has no such metric for this model");
  double est = num(e, "value");
  const cJSON *ci = cJSON_GetObjectItemCaseSensitive(e, "ci95");
  double lo = NAN, hi = NAN;
  if(cJSON_GetArraySize(ci) == 2) {
    lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
    hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
  }
  double v = g->bound == YS_BOUND_LOWER ? lo
             : g->bound == YS_BOUND_UPPER ? hi : est;
  add_num(o, "value", v);
  add_num(o, "estimate", est);
  add_pair(o, "ci95", lo, hi);
  add_num(o, "n", num(e, "n"));
  if(isnan(est))
    return fail_why(o, "no samples were scored");
  if(isnan(v))
    return fail_why(o, "the metric has no interval");
  return (!g->has_min || v >= g->min) && (!g->has_max || v <= g->max);
}

/* A model's column for a key, with the rule the summary uses. */
static int column(const ys_scores *sc, const char *model, const char *key,
                  const ys_column **col, const unsigned char **present,
                  int *binary)
{
  long m = index_of(sc->models, sc->nmodels, model);
  long k = index_of(sc->keys, sc->nkeys, key);
  if(m < 0 || k < 0)
    return 0;
  *col = &sc->col[(size_t)m * sc->nkeys + (size_t)k];
  *present = sc->present ? sc->present[m] : NULL;
  *binary = sc->binary[k];
  return 1;
}

/* beats / not_worse_than another model: the paired comparison. The
 * p-value is Holm-adjusted later (beats); *p gets the raw one. */
static int eval_vs_model(const ys_gate *g, const ys_scores *sc,
                         uint64_t seed, cJSON *o, double *p)
{
  const ys_column *a, *b;
  const unsigned char *pa, *pb;
  int bin, bin2;
  if(!column(sc, g->model, g->metric, &a, &pa, &bin) ||
     !column(sc, g->other, g->metric, &b, &pb, &bin2))
    return fail_why(o, "the run has no scores for these models and metric");
  ys_paired r;
  ys_paired_compare_columns(a, pa, b, pb, sc->ntasks, bin, 1 - g->alpha,
                            ys_paired_seed(seed, g->model, g->other,
                                           g->metric), &r);
  cJSON_AddStringToObject(o, "method", r.method);
  cJSON_AddNumberToObject(o, "n", (double)r.n);
  add_num(o, "estimate", r.mean_a);
  add_num(o, "other_estimate", r.mean_b);
  add_num(o, "diff", r.diff);
  add_pair(o, "diff_ci", r.lo, r.hi);
  add_num(o, "ci_level", 1 - g->alpha);
  cJSON_AddNumberToObject(o, "wins", (double)r.wins);
  cJSON_AddNumberToObject(o, "losses", (double)r.losses);
  add_p(o, "p", r.p);
  *p = r.p;
  if(!r.n)
    return fail_why(o, "no sample was scored for both models");
  if(g->kind == YS_GATE_BEATS)
    return r.diff > 0; /* and significant: decided after Holm */
  return r.lo > -g->margin;
}

/* beats / not_worse_than a baseline value: the model's own interval at
 * level 1 - alpha against the value. */
static int eval_vs_value(const ys_gate *g, const ys_scores *sc,
                         const cJSON *baseline, uint64_t seed, cJSON *o)
{
  double bv = num(baseline, "value");
  add_num(o, "baseline", bv);
  const ys_column *a;
  const unsigned char *pa;
  int bin;
  if(!column(sc, g->model, g->metric, &a, &pa, &bin))
    return fail_why(o, "the run has no scores for this model and metric");
  /* Only the bootstrap (continuous) needs the values themselves. */
  double *v = bin ? NULL : ys_xmalloc((sc->ntasks ? sc->ntasks : 1) *
                                      sizeof(double));
  size_t n = 0;
  double sum = 0;
  for(size_t t = 0; t < sc->ntasks; t++) {
    if(pa && !pa[t])
      continue;
    double x = ys_column_at(a, t);
    if(bin)
      x = isnan(x) ? 0 : x > 0;
    else if(isnan(x))
      continue;
    else
      v[n] = x;
    n++;
    sum += x;
  }
  double lo = NAN, hi = NAN, est = n ? sum / (double)n : NAN;
  if(bin && n)
    ys_stats_wilson(sum, (double)n, ys_stats_normal_quantile(1 -
                    g->alpha / 2), &lo, &hi);
  else if(n > 1)
    ys_stats_bootstrap_mean(v, n, YS_PAIRED_RESAMPLES, 1 - g->alpha,
                            ys_paired_seed(seed, g->model, g->other,
                                           g->metric), &lo, &hi);
  free(v);
  cJSON_AddStringToObject(o, "method", bin ? "wilson" : "bootstrap");
  cJSON_AddNumberToObject(o, "n", (double)n);
  add_num(o, "estimate", est);
  add_pair(o, "ci", lo, hi);
  add_num(o, "ci_level", 1 - g->alpha);
  add_num(o, "diff", est - bv);
  if(!n)
    return fail_why(o, "no samples were scored");
  if(isnan(lo))
    return fail_why(o, "one scored sample gives no interval");
  return g->kind == YS_GATE_BEATS ? lo > bv : lo > bv - g->margin;
}

static int eval_limit(const ys_gate *g, const cJSON *mo, cJSON *o)
{
  double v = NAN;
  if(g->kind == YS_GATE_ERROR_RATE) {
    double tasks = num(mo, "tasks");
    double errs = num(mo, "errors") + num(mo, "score_errors");
    v = tasks > 0 ? errs / tasks : NAN;
    add_num(o, "value", v);
    add_num(o, "errors", errs);
    add_num(o, "tasks", tasks);
    if(!(tasks > 0))
      return fail_why(o, "the model ran no tasks");
  }
  else if(g->kind == YS_GATE_COST) {
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(mo, "usage");
    v = num(u, "cost_per_1k_samples");
    add_num(o, "value", v);
    if(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(u, "priced")))
      return fail_why(o, "the model has no price (price = { input =, "
                      "output = }), so its cost is unknown");
    if(isnan(v))
      return fail_why(o, "the model ran no tasks");
  }
  else {
    v = num(cJSON_GetObjectItemCaseSensitive(mo, "latency_ms"), "p95");
    add_num(o, "value", v);
    if(isnan(v))
      return fail_why(o, "no task of the model succeeded");
  }
  return v <= g->max;
}

cJSON *ys_gates_eval(const ys_gate *g, size_t n, const cJSON *summary,
                     const ys_scores *sc, uint64_t seed, int *failed)
{
  const cJSON *models = cJSON_GetObjectItemCaseSensitive(summary, "models");
  const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(summary,
                                                            "baselines");
  cJSON *out = cJSON_CreateArray();
  int *pass = ys_xcalloc(n + 1, sizeof(int));
  double *p = ys_xcalloc(n + 1, sizeof(double));
  size_t *family = ys_xcalloc(n + 1, sizeof(size_t));
  cJSON **v = ys_xcalloc(n + 1, sizeof(cJSON *));
  size_t nfam = 0;
  for(size_t i = 0; i < n; i++) {
    cJSON *o = v[i] = spec_json(&g[i]);
    cJSON_AddItemToArray(out, o);
    const cJSON *mo = find_named(models, g[i].model);
    if(!mo) {
      pass[i] = fail_why(o, "the run has no such model");
      continue;
    }
    switch(g[i].kind) {
    case YS_GATE_RANGE:
      pass[i] = eval_range(&g[i], mo, o);
      break;
    case YS_GATE_BEATS:
    case YS_GATE_NOT_WORSE: {
      const cJSON *bl = find_named(baselines, g[i].other);
      if(bl && !find_named(models, g[i].other)) {
        pass[i] = eval_vs_value(&g[i], sc, bl, seed, o);
        break;
      }
      if(!find_named(models, g[i].other)) {
        pass[i] = fail_why(o, "the run has no such model or baseline to "
                           "compare with");
        break;
      }
      pass[i] = eval_vs_model(&g[i], sc, seed, o, &p[i]);
      if(g[i].kind == YS_GATE_BEATS &&
         !cJSON_GetObjectItemCaseSensitive(o, "error"))
        family[nfam++] = i;
      break;
    }
    default:
      pass[i] = eval_limit(&g[i], mo, o);
    }
  }
  /* Several beats gates test several hypotheses: Holm keeps the chance of
   * any false "beats" at alpha. */
  double *fp = ys_xcalloc(nfam + 1, sizeof(double));
  for(size_t j = 0; j < nfam; j++)
    fp[j] = p[family[j]];
  ys_stats_holm(fp, nfam, fp);
  for(size_t j = 0; j < nfam; j++) {
    size_t i = family[j];
    add_p(v[i], "p_holm", fp[j]);
    pass[i] = pass[i] && fp[j] < g[i].alpha;
  }
  *failed = 0;
  for(size_t i = 0; i < n; i++) {
    cJSON_AddBoolToObject(v[i], "pass", pass[i]);
    if(!pass[i])
      (*failed)++;
  }
  free(fp);
  free(pass);
  free(p);
  free(family);
  free(v);
  return out;
}

/* }====== */

/* {====== verdicts back to gates ====== */

static char *opt_str(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? ys_xstrdup(v->valuestring) : NULL;
}

ys_err ys_gate_from_json(const cJSON *verdict, ys_gate *g, ys_diag *diag)
{
  memset(g, 0, sizeof(*g));
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(verdict, "kind");
  size_t kind = 0;
  while(cJSON_IsString(k) &&
        kind < sizeof(kind_names) / sizeof(kind_names[0]) &&
        strcmp(kind_names[kind], k->valuestring))
    kind++;
  if(!cJSON_IsString(k) ||
     kind == sizeof(kind_names) / sizeof(kind_names[0]))
    return ys_fail(diag, YS_ERR_DATA, NULL, 0, "a gate has no known kind");
  g->kind = (ys_gate_kind)kind;
  g->model = opt_str(verdict, "model");
  g->metric = opt_str(verdict, "metric");
  g->other = opt_str(verdict, "other");
  g->where = opt_str(verdict, "where");
  if(!g->where)
    g->where = ys_xstrdup("");
  g->min = num(verdict, "min");
  g->max = num(verdict, "max");
  g->has_min = !isnan(g->min);
  g->has_max = !isnan(g->max);
  g->alpha = num(verdict, "alpha");
  g->margin = num(verdict, "margin");
  char *bound = opt_str(verdict, "bound");
  for(int b = 0; bound && b < 3; b++)
    if(!strcmp(bound, bound_names[b]))
      g->bound = (ys_gate_bound)b;
  free(bound);
  int ok = g->model != NULL;
  switch(g->kind) {
  case YS_GATE_RANGE:
    ok = ok && g->metric && (g->has_min || g->has_max);
    break;
  case YS_GATE_NOT_WORSE:
    ok = ok && !isnan(g->margin);
    /* fall through */
  case YS_GATE_BEATS:
    ok = ok && g->metric && g->other && g->alpha > 0 && g->alpha < 1;
    break;
  default:
    ok = ok && g->has_max;
  }
  if(!ok) {
    ys_gate_clear(g);
    return ys_fail(diag, YS_ERR_DATA, NULL, 0, "a '%s' gate lacks part of "
                   "its definition", kind_names[kind]);
  }
  return YS_OK;
}

/* }====== */

/* {====== describing ====== */

static const char *str(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "?";
}

/* "[lo, hi]" of a pair, or "". */
static void fmt_pair(const cJSON *o, const char *k, char *buf, size_t len)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);
  if(cJSON_GetArraySize(a) == 2)
    snprintf(buf, len, " [%.4g, %.4g]", cJSON_GetArrayItem(a, 0)->valuedouble,
             cJSON_GetArrayItem(a, 1)->valuedouble);
  else
    buf[0] = '\0';
}

char *ys_gate_describe(const cJSON *v)
{
  const char *kind = str(v, "kind"), *model = str(v, "model");
  const char *metric = str(v, "metric"), *other = str(v, "other");
  const cJSON *err = cJSON_GetObjectItemCaseSensitive(v, "error");
  char what[512], found[512], ci[96];
  double val = num(v, "value");
  if(!strcmp(kind, "threshold")) {
    double mn = num(v, "min"), mx = num(v, "max");
    const char *bound = str(v, "bound");
    char cond[128];
    if(!isnan(mn) && !isnan(mx))
      snprintf(cond, sizeof(cond), "in [%g, %g]", mn, mx);
    else if(!isnan(mn))
      snprintf(cond, sizeof(cond), ">= %g", mn);
    else
      snprintf(cond, sizeof(cond), "<= %g", mx);
    snprintf(what, sizeof(what), "%s %s%s %s", model, metric,
             !strcmp(bound, "lower") ? " (lower bound)"
             : !strcmp(bound, "upper") ? " (upper bound)" : "", cond);
    fmt_pair(v, "ci95", ci, sizeof(ci));
    snprintf(found, sizeof(found), "%.4g%s, n=%.0f", num(v, "estimate"), ci,
             num(v, "n"));
  }
  else if(!strcmp(kind, "beats") || !strcmp(kind, "not_worse_than")) {
    int beats = kind[0] == 'b';
    double base = num(v, "baseline");
    char margin[64] = "";
    if(!beats)
      snprintf(margin, sizeof(margin), " by more than %g", num(v,
               "margin"));
    if(!isnan(base))
      snprintf(what, sizeof(what), "%s %s %s (%g)%s on %s", model,
               beats ? "beats" : "is not worse than", other, base, margin,
               metric);
    else
      snprintf(what, sizeof(what), "%s %s %s%s on %s", model,
               beats ? "beats" : "is not worse than", other, margin, metric);
    if(!isnan(base)) {
      fmt_pair(v, "ci", ci, sizeof(ci));
      snprintf(found, sizeof(found), "%.4g%s at %g%%, n=%.0f",
               num(v, "estimate"), ci, num(v, "ci_level") * 100, num(v, "n"));
    }
    else {
      fmt_pair(v, "diff_ci", ci, sizeof(ci));
      double ph = num(v, "p_holm");
      char holm[48] = "";
      if(!isnan(ph) && ph != num(v, "p"))
        snprintf(holm, sizeof(holm), " (Holm %.3g)", ph);
      snprintf(found, sizeof(found), "difference %+.4g%s at %g%%, p=%.3g%s, "
               "%.0f better / %.0f worse of %.0f pairs (%s)", num(v, "diff"),
               ci, num(v, "ci_level") * 100, num(v, "p"), holm,
               num(v, "wins"), num(v, "losses"), num(v, "n"),
               str(v, "method"));
    }
  }
  else if(!strcmp(kind, "max_error_rate")) {
    snprintf(what, sizeof(what), "%s error rate <= %g", model, num(v, "max"));
    snprintf(found, sizeof(found), "%.4g (%.0f of %.0f tasks)", val,
             num(v, "errors"), num(v, "tasks"));
  }
  else if(!strcmp(kind, "max_cost_per_1k")) {
    snprintf(what, sizeof(what), "%s cost per 1,000 samples <= %g", model,
             num(v, "max"));
    snprintf(found, sizeof(found), "%.4g", val);
  }
  else {
    snprintf(what, sizeof(what), "%s p95 latency <= %g ms", model,
             num(v, "max"));
    snprintf(found, sizeof(found), "%.4g ms", val);
  }
  /* A gate that could not be evaluated has no evidence worth showing. */
  if(cJSON_IsString(err))
    return ys_xasprintf("%s: %s", what, err->valuestring);
  return ys_xasprintf("%s: %s", what, found);
}

/* }====== */
