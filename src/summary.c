/* SPDX-License-Identifier: MIT */
/*
 * summary.c: accumulation and the summary document. Sums run in dataset
 * order. Per-task scores are kept in columns (a bit per task for binary
 * keys, a double for continuous ones) for bootstrap intervals, paired
 * gates, medians and custom aggregates; latencies and elapsed times go
 * into bounded quantile estimators, so a million tasks of binary keys
 * cost well under a megabyte.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "paired.h"
#include "stats.h"
#include "summary.h"
#include "xalloc.h"

typedef struct series {
  ys_column col; /* one per task of the model; NaN: not scored */
  double sum;    /* of scored values, in order */
  long scored, errors, positive;
} series;

typedef struct model_acc {
  long tasks, failed, partial; /* failed: evaluation error; partial: a
                                * metric failed */
  ys_usage usage;
  ys_usage judge;  /* model calls the metrics made to score it */
  double lat_sum; /* over the tasks in lat */
  ys_quant lat;     /* per ok task with usage: its calls' latency */
  ys_quant elapsed; /* per ok task, start to end */
  series *keys;
} model_acc;

struct ys_summary {
  const ys_suite *s;
  uint64_t seed;
  size_t nkeys;
  const char **key_names;
  size_t *key_metric; /* metric index of each key */
  size_t *key_sub;    /* key index within its metric */
  model_acc *models;
  int gates_failed;
};

ys_summary *ys_summary_new(const ys_suite *s, uint64_t seed)
{
  ys_summary *sm = ys_xcalloc(1, sizeof(*sm));
  sm->s = s;
  sm->seed = seed;
  for(size_t i = 0; i < s->nmetrics; i++)
    sm->nkeys += ys_metric_nkeys(s->metrics[i]);
  sm->key_names = ys_xcalloc(sm->nkeys + 1, sizeof(char *));
  sm->key_metric = ys_xcalloc(sm->nkeys + 1, sizeof(size_t));
  sm->key_sub = ys_xcalloc(sm->nkeys + 1, sizeof(size_t));
  size_t k = 0;
  for(size_t i = 0; i < s->nmetrics; i++)
    for(size_t j = 0; j < ys_metric_nkeys(s->metrics[i]); j++, k++) {
      sm->key_names[k] = ys_metric_key(s->metrics[i], j);
      sm->key_metric[k] = i;
      sm->key_sub[k] = j;
    }
  sm->models = ys_xcalloc(s->nmodels, sizeof(model_acc));
  for(size_t m = 0; m < s->nmodels; m++) {
    model_acc *ma = &sm->models[m];
    ma->keys = ys_xcalloc(sm->nkeys + 1, sizeof(series));
    for(size_t j = 0; j < sm->nkeys; j++)
      ys_column_init(&ma->keys[j].col,
                     ys_metric_binary(s->metrics[sm->key_metric[j]]));
    ys_quant_init(&ma->lat);
    ys_quant_init(&ma->elapsed);
  }
  return sm;
}

void ys_summary_free(ys_summary *sm)
{
  if(!sm)
    return;
  for(size_t m = 0; m < sm->s->nmodels; m++) {
    for(size_t k = 0; k < sm->nkeys; k++)
      ys_column_cleanup(&sm->models[m].keys[k].col);
    free(sm->models[m].keys);
    ys_quant_cleanup(&sm->models[m].lat);
    ys_quant_cleanup(&sm->models[m].elapsed);
  }
  free(sm->models);
  free(sm->key_names);
  free(sm->key_metric);
  free(sm->key_sub);
  free(sm);
}

size_t ys_summary_nkeys(const ys_summary *sm)
{
  return sm->nkeys;
}

void ys_summary_add(ys_summary *sm, size_t model, int ok,
                    const double *scores, const ys_usage *usage,
                    const ys_usage *judge_usage, double elapsed_ms)
{
  model_acc *ma = &sm->models[model];
  ma->tasks++;
  if(!ok)
    ma->failed++;
  int partial = 0;
  for(size_t k = 0; k < sm->nkeys; k++) {
    series *se = &ma->keys[k];
    double x = ok ? scores[k] : NAN;
    if(isnan(x)) {
      se->errors++;
      partial = ok;
      ys_column_push(&se->col, NAN);
      continue;
    }
    se->scored++;
    se->sum += x;
    if(x > 0)
      se->positive++;
    ys_column_push(&se->col, x);
  }
  if(partial)
    ma->partial++;
  if(usage) {
    ma->usage.calls += usage->calls;
    ma->usage.input_tokens += usage->input_tokens;
    ma->usage.output_tokens += usage->output_tokens;
    ma->usage.latency_ms += usage->latency_ms;
    ma->usage.cost += usage->cost;
    ma->usage.cache_hits += usage->cache_hits;
    if(usage->estimated)
      ma->usage.estimated = 1;
    if(ok) {
      ys_quant_add(&ma->lat, usage->latency_ms);
      ma->lat_sum += usage->latency_ms;
    }
  }
  if(ok)
    ys_quant_add(&ma->elapsed, elapsed_ms);
  if(judge_usage) {
    ma->judge.calls += judge_usage->calls;
    ma->judge.input_tokens += judge_usage->input_tokens;
    ma->judge.output_tokens += judge_usage->output_tokens;
    ma->judge.cost += judge_usage->cost;
  }
}

static const char *agg_name(ys_metric_agg a)
{
  switch(a) {
  case YS_AGG_MEAN: return "mean";
  case YS_AGG_SUM: return "sum";
  case YS_AGG_RATE: return "rate";
  case YS_AGG_MEDIAN: return "median";
  case YS_AGG_CUSTOM: return "custom";
  }
  return "mean";
}

/* Rounds to 1e-9 so printed figures do not carry float noise. */
static double tidy(double x)
{
  if(isnan(x) || isinf(x))
    return x;
  return round(x * 1e9) / 1e9;
}

static void add_num(cJSON *o, const char *k, double x)
{
  if(isnan(x) || isinf(x))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, tidy(x));
}

/* Scored values of a series as doubles (caller frees): a copy for the
 * few figures that need the values themselves. */
static double *scored_values(const series *se, size_t *n)
{
  double *v = ys_xmalloc((se->scored ? (size_t)se->scored : 1) *
                         sizeof(double));
  size_t k = 0;
  for(size_t i = 0; i < se->col.n; i++) {
    double x = ys_column_at(&se->col, i);
    if(!isnan(x))
      v[k++] = x;
  }
  *n = k;
  return v;
}

/* The metric entry for one (model, key). */
static cJSON *metric_entry(ys_summary *sm, size_t model, size_t k)
{
  const series *se = &sm->models[model].keys[k];
  ys_metric *m = sm->s->metrics[sm->key_metric[k]];
  int binary = ys_metric_binary(m);
  ys_metric_agg agg = ys_metric_aggregation(m);
  long n = (long)se->col.n;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "n", (double)n);
  cJSON_AddNumberToObject(o, "scored", (double)se->scored);
  cJSON_AddNumberToObject(o, "errors", (double)se->errors);
  cJSON_AddStringToObject(o, "kind", binary ? "binary" : "continuous");
  cJSON_AddStringToObject(o, "aggregate", agg_name(agg));
  /* Binary metrics count an errored sample as a failure, so errors can
   * never raise a pass rate; continuous ones average what was scored and
   * report the errors beside it. */
  double denom = binary ? (double)n : (double)se->scored;
  double mean = denom > 0 ? se->sum / denom : NAN;
  double v = mean;
  size_t nv = 0;
  double *vals = NULL;
  switch(agg) {
  case YS_AGG_MEAN:
    break;
  case YS_AGG_SUM:
    v = se->sum;
    break;
  case YS_AGG_RATE:
    v = denom > 0 ? (double)se->positive / denom : NAN;
    break;
  case YS_AGG_MEDIAN:
    vals = scored_values(se, &nv);
    v = ys_stats_quantile(vals, nv, 0.5);
    break;
  case YS_AGG_CUSTOM: {
    vals = scored_values(se, &nv);
    ys_diag d;
    if(ys_metric_aggregate(m, sm->key_sub[k], vals, nv, &v, &d)) {
      v = NAN;
      cJSON_AddStringToObject(o, "aggregate_error", d.msg);
    }
    break;
  }
  }
  free(vals);
  add_num(o, "value", v);
  add_num(o, "mean", mean);
  /* Intervals are for means and rates; other aggregates (sum, median,
   * custom) get none rather than a mean's interval under their name. */
  double lo = NAN, hi = NAN;
  const char *method = NULL;
  if(agg == YS_AGG_RATE && denom > 0) {
    ys_stats_wilson((double)se->positive, denom, 1.959963984540054, &lo,
                    &hi);
    method = "wilson";
  }
  else if(agg != YS_AGG_MEAN)
    method = NULL;
  else if(binary && n > 0) {
    ys_stats_wilson(se->sum, (double)n, 1.959963984540054, &lo, &hi);
    method = "wilson";
  }
  else if(se->scored > 1) {
    vals = scored_values(se, &nv);
    /* Seeded by names, so reordering models or metrics changes nothing. */
    ys_stats_bootstrap_mean(vals, nv, 1000, 0.95,
                            ys_paired_seed(sm->seed, sm->s->models[model]->name,
                                           "", sm->key_names[k]), &lo, &hi);
    free(vals);
    method = "bootstrap";
  }
  if(method) {
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(tidy(lo)));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(tidy(hi)));
    cJSON_AddStringToObject(o, "interval", method);
  }
  return o;
}

cJSON *ys_summary_build(ys_summary *sm)
{
  const ys_suite *s = sm->s;
  cJSON *doc = cJSON_CreateObject();
  cJSON *models = cJSON_AddArrayToObject(doc, "models");
  long failed = 0, tasks = 0;
  for(size_t mi = 0; mi < s->nmodels; mi++) {
    model_acc *ma = &sm->models[mi];
    cJSON *mo = cJSON_CreateObject();
    cJSON_AddStringToObject(mo, "name", s->models[mi]->name);
    cJSON_AddStringToObject(mo, "kind", s->models[mi]->kind);
    cJSON_AddNumberToObject(mo, "tasks", (double)ma->tasks);
    cJSON_AddNumberToObject(mo, "errors", (double)ma->failed);
    cJSON_AddNumberToObject(mo, "score_errors", (double)ma->partial);
    tasks += ma->tasks;
    failed += ma->failed + ma->partial;
    cJSON *u = cJSON_AddObjectToObject(mo, "usage");
    cJSON_AddNumberToObject(u, "calls", (double)ma->usage.calls);
    cJSON_AddNumberToObject(u, "input_tokens",
                            (double)ma->usage.input_tokens);
    cJSON_AddNumberToObject(u, "output_tokens",
                            (double)ma->usage.output_tokens);
    cJSON_AddNumberToObject(u, "cache_hits", (double)ma->usage.cache_hits);
    cJSON_AddBoolToObject(u, "estimated_tokens", ma->usage.estimated);
    /* Without a price the cost is unknown, not zero. */
    cJSON_AddBoolToObject(u, "priced", s->models[mi]->has_price);
    add_num(u, "cost", ma->usage.cost);
    /* What the cost projections need: per sample and per 1,000. */
    double per = ma->tasks ? ma->usage.cost / (double)ma->tasks : NAN;
    add_num(u, "cost_per_1k_samples", per * 1000);
    add_num(u, "input_tokens_per_sample", ma->tasks ?
            (double)ma->usage.input_tokens / (double)ma->tasks : NAN);
    add_num(u, "output_tokens_per_sample", ma->tasks ?
            (double)ma->usage.output_tokens / (double)ma->tasks : NAN);
    /* Calls made to this model by tasks evaluating other models (a judge,
     * a simulated user): their cost is real too. */
    const ys_usage *aux = &s->models[mi]->aux;
    cJSON *au = cJSON_AddObjectToObject(mo, "usage_in_other_tasks");
    cJSON_AddNumberToObject(au, "calls", (double)aux->calls);
    cJSON_AddNumberToObject(au, "input_tokens", (double)aux->input_tokens);
    cJSON_AddNumberToObject(au, "output_tokens",
                            (double)aux->output_tokens);
    add_num(au, "cost", aux->cost);
    cJSON *ju = cJSON_AddObjectToObject(mo, "judge_usage");
    cJSON_AddNumberToObject(ju, "calls", (double)ma->judge.calls);
    cJSON_AddNumberToObject(ju, "input_tokens",
                            (double)ma->judge.input_tokens);
    cJSON_AddNumberToObject(ju, "output_tokens",
                            (double)ma->judge.output_tokens);
    add_num(ju, "cost", ma->judge.cost);
    cJSON *lat = cJSON_AddObjectToObject(mo, "latency_ms");
    double mean = ma->lat.n ? ma->lat_sum / (double)ma->lat.n : NAN;
    add_num(lat, "mean", round(mean * 1000) / 1000);
    add_num(lat, "p50", round(ys_quant_get(&ma->lat, 0.5) * 1000) / 1000);
    add_num(lat, "p95", round(ys_quant_get(&ma->lat, 0.95) * 1000) / 1000);
    cJSON *el = cJSON_AddObjectToObject(mo, "elapsed_ms");
    add_num(el, "p50", round(ys_quant_get(&ma->elapsed, 0.5) * 1000) / 1000);
    add_num(el, "p95", round(ys_quant_get(&ma->elapsed, 0.95) * 1000) /
            1000);
    cJSON *mets = cJSON_AddObjectToObject(mo, "metrics");
    for(size_t k = 0; k < sm->nkeys; k++)
      cJSON_AddItemToObject(mets, sm->key_names[k],
                            metric_entry(sm, mi, k));
    cJSON_AddItemToArray(models, mo);
  }
  /* Helpers are not evaluated; what they cost is still the run's. */
  cJSON *helpers = cJSON_AddArrayToObject(doc, "helpers");
  for(size_t i = 0; i < s->nhelpers; i++) {
    const ys_model *h = s->helpers[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", h->name);
    cJSON_AddStringToObject(o, "kind", h->kind);
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "calls", (double)h->aux.calls);
    cJSON_AddNumberToObject(u, "input_tokens", (double)h->aux.input_tokens);
    cJSON_AddNumberToObject(u, "output_tokens",
                            (double)h->aux.output_tokens);
    cJSON_AddNumberToObject(u, "cache_hits", (double)h->aux.cache_hits);
    add_num(u, "cost", h->aux.cost);
    cJSON_AddItemToArray(helpers, o);
  }
  cJSON *bl = cJSON_AddArrayToObject(doc, "baselines");
  for(size_t i = 0; i < s->nbaselines; i++) {
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "name", s->baselines[i].name);
    cJSON_AddStringToObject(b, "metric", s->baselines[i].metric);
    add_num(b, "value", s->baselines[i].value);
    cJSON_AddItemToArray(bl, b);
  }
  /* Gates see the document built so far and the per-task scores. */
  const char **mnames = ys_xcalloc(s->nmodels + 1, sizeof(char *));
  int *binary = ys_xcalloc(sm->nkeys + 1, sizeof(int));
  /* Shallow copies: views of the series' columns, freed with them. */
  ys_column *cols = ys_xcalloc(s->nmodels * sm->nkeys + 1,
                               sizeof(ys_column));
  size_t ntasks = SIZE_MAX;
  for(size_t mi = 0; mi < s->nmodels; mi++) {
    mnames[mi] = s->models[mi]->name;
    for(size_t k = 0; k < sm->nkeys; k++) {
      const series *se = &sm->models[mi].keys[k];
      cols[mi * sm->nkeys + k] = se->col;
      if(se->col.n < ntasks)
        ntasks = se->col.n;
    }
  }
  for(size_t k = 0; k < sm->nkeys; k++)
    binary[k] = ys_metric_binary(s->metrics[sm->key_metric[k]]);
  ys_scores sc = { s->nmodels, sm->nkeys, ntasks == SIZE_MAX ? 0 : ntasks,
                   mnames, sm->key_names, binary, cols, NULL };
  cJSON_AddItemToObject(doc, "gates", ys_gates_eval(s->gates, s->ngates, doc,
                                                    &sc, sm->seed,
                                                    &sm->gates_failed));
  free(mnames);
  free(binary);
  free(cols);
  cJSON_AddNumberToObject(doc, "tasks", (double)tasks);
  cJSON_AddNumberToObject(doc, "tasks_with_errors", (double)failed);
  cJSON_AddNumberToObject(doc, "gates_failed", sm->gates_failed);
  return doc;
}

int ys_summary_gates_failed(const ys_summary *sm)
{
  return sm->gates_failed;
}

long ys_summary_failed_tasks(const ys_summary *sm)
{
  long n = 0;
  for(size_t m = 0; m < sm->s->nmodels; m++)
    n += sm->models[m].failed + sm->models[m].partial;
  return n;
}

long ys_summary_tasks(const ys_summary *sm)
{
  long n = 0;
  for(size_t m = 0; m < sm->s->nmodels; m++)
    n += sm->models[m].tasks;
  return n;
}

long ys_summary_scored(const ys_summary *sm)
{
  long n = 0;
  for(size_t m = 0; m < sm->s->nmodels; m++)
    for(size_t k = 0; k < sm->nkeys; k++)
      n += sm->models[m].keys[k].scored;
  return n;
}
