/* SPDX-License-Identifier: MIT */
/*
 * cost.c: `yardstick cost`: what each model of a stored run would cost a
 * month at a given traffic, from what the run measured (tokens and cost
 * per sample) and the suite's prices, plus fixed hosting (a self-hosted
 * GPU), beside each model's quality on one metric. Builds a JSON
 * document; report_text.c renders it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "xalloc.h"
#include "yardstick.h"

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

static void add_num(cJSON *o, const char *k, double x)
{
  if(isnan(x) || isinf(x))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, x); /* cents of a cent matter per sample */
}

/* The hosting override for model, from "NAME=USD" entries; NaN if none. */
static double hosting_override(const ys_cost_opts *o, const char *model)
{
  double v = NAN;
  for(size_t i = 0; i < o->nhosting; i++)
    if(!strcmp(o->hosting[i].model, model))
      v = o->hosting[i].monthly_usd;
  return v;
}

ys_err ys_cost_project(const ys_results *r, const ys_cost_opts *o,
                       char **json, ys_diag *diag)
{
  ys_diag_clear(diag);
  *json = NULL;
  int by_tokens = o->tokens_per_month > 0;
  if(by_tokens == (o->samples_per_month > 0))
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "give the traffic: "
                   "--tokens-per-month N or --samples-per-month N (one of "
                   "them)");
  const char *metric = o->metric ? o->metric : r->nkeys ? r->keys[0] : NULL;
  if(o->metric && ys_results_key(r, o->metric) < 0)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "no metric '%s' in the run",
                   o->metric);
  for(size_t i = 0; i < o->nhosting; i++)
    if(ys_results_model(r, o->hosting[i].model) < 0)
      return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "--hosting: no model '%s' "
                     "in the run", o->hosting[i].model);
  const cJSON *smodels = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                         "models");
  const cJSON *mmodels = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                         "models");
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddStringToObject(doc, "run", r->dir);
  cJSON_AddStringToObject(doc, "basis", by_tokens ? "tokens" : "samples");
  add_num(doc, "tokens_per_month", by_tokens ? o->tokens_per_month : NAN);
  add_num(doc, "samples_per_month", by_tokens ? NAN : o->samples_per_month);
  if(metric)
    cJSON_AddStringToObject(doc, "metric", metric);
  cJSON *list = cJSON_AddArrayToObject(doc, "models");
  for(size_t m = 0; m < r->nmodels; m++) {
    const cJSON *sm = find_named(smodels, r->models[m]);
    const cJSON *mm = find_named(mmodels, r->models[m]);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(sm, "usage");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(
      mm, "price_per_million_tokens");
    double hosting = hosting_override(o, r->models[m]);
    if(isnan(hosting))
      hosting = num(cJSON_GetObjectItemCaseSensitive(mm, "hosting"),
                    "monthly_usd");
    double tasks = num(sm, "tasks");
    double in = num(u, "input_tokens_per_sample");
    double out = num(u, "output_tokens_per_sample");
    double per = tasks > 0 ? num(u, "cost") / tasks : NAN;
    double tokens = in + out;
    double samples = by_tokens ? (tokens > 0 ? o->tokens_per_month / tokens
                                             : NAN)
                               : o->samples_per_month;
    int priced = cJSON_IsObject(price);
    double usage = priced ? samples * per : NAN;
    double total = priced && !isnan(hosting) ? usage + hosting
                   : priced ? usage : hosting;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", r->models[m]);
    add_num(e, "input_tokens_per_sample", in);
    add_num(e, "output_tokens_per_sample", out);
    cJSON_AddBoolToObject(e, "estimated_tokens", cJSON_IsTrue(
      cJSON_GetObjectItemCaseSensitive(u, "estimated_tokens")));
    if(priced)
      cJSON_AddItemToObject(e, "price_per_million_tokens",
                            cJSON_Duplicate(price, 1));
    add_num(e, "cost_per_sample", priced ? per : NAN);
    add_num(e, "samples_per_month", samples);
    add_num(e, "usage_usd", usage);
    add_num(e, "hosting_usd", hosting);
    add_num(e, "monthly_usd", total);
    if(metric) {
      const cJSON *me = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(sm, "metrics"), metric);
      add_num(e, "quality", num(me, "value"));
      const cJSON *ci = cJSON_GetObjectItemCaseSensitive(me, "ci95");
      if(cJSON_GetArraySize(ci) == 2)
        cJSON_AddItemToObject(e, "quality_ci95", cJSON_Duplicate(ci, 1));
    }
    cJSON_AddItemToArray(list, e);
  }
  *json = cJSON_PrintUnformatted(doc);
  cJSON_Delete(doc);
  return YS_OK;
}
